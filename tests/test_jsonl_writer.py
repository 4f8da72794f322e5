"""`parse --jsonl` lines are built from pieces (`render.jsonl`), not a dict per record: they must
be, byte for byte, what `json.dumps` writes for `Record.to_dict()` and the template's fields,
whatever the record holds (unicode, control characters, nested fields, no time, a corrected
time), and the pieces kept from one record must never leak into the next.

The logs are written here as their software writes them: Spring Boot 3's console pattern with
its banner and a PostgreSQL stack trace, pino's JSON (a nested request, numbers, control
characters escaped in a user's input), logrus' logfmt."""

from __future__ import annotations

import io
import json
import math
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from log_analyzer.analysis.template_ids import templated_records
from log_analyzer.cli.app import app, run
from log_analyzer.filters import RecordFilter
from log_analyzer.ingest import open_paths, parse_lines
from log_analyzer.mining.groups import template_for
from log_analyzer.mining.templates import Template, TemplateMiner
from log_analyzer.records import Record
from log_analyzer.render.jsonl import JsonLines

SPRING = [
    "  .   ____          _            __ _ _",
    " /\\\\ / ___'_ __ _ _(_)_ __  __ _ \\ \\ \\ \\",
    " :: Spring Boot ::                (v3.3.5)",
    "2026-11-28T14:00:02.118Z  INFO 1 --- [checkout] [           main] "
    "c.e.checkout.CheckoutApplication         : Starting CheckoutApplication v1.4.2 using "
    "Java 21.0.5 with PID 1 (/app/app.jar started by app in /app)",
    "2026-11-28T14:00:08Z  INFO 1 --- [checkout] [           main] "
    "o.s.b.w.embedded.tomcat.TomcatWebServer  : Tomcat started on port 8080 (http) with "
    "context path '/'",
    "2026-11-28T14:02:03.118Z  WARN 1 --- [checkout] [nio-8080-exec-7] "
    "c.e.checkout.cart.CartService            : Warenkorb für Kunde Jürgen Größe nicht "
    "gefunden: 購物車 5f2a 🛒",
    "2026-11-28T14:02:33.120Z ERROR 1 --- [checkout] [nio-8080-exec-7] "
    "o.a.c.c.C.[.[.[/].[dispatcherServlet]    : Servlet.service() for servlet "
    '[dispatcherServlet] threw exception with root cause "quoted" \\ back\\slash',
    "",
    "org.postgresql.util.PSQLException: FATAL: sorry, too many clients already",
    "\tat org.postgresql.core.v3.ConnectionFactoryImpl.doAuthentication("
    "ConnectionFactoryImpl.java:698) ~[postgresql-42.7.4.jar!/:42.7.4]",
    "\tat java.base/java.lang.Thread.run(Thread.java:1583) ~[na:na]",
]
PINO = [
    '{"level":30,"time":1795874401482,"pid":18,"hostname":"cart-api-7d9f6c5b8-x2kqp",'
    '"msg":"Server listening at http://0.0.0.0:3000"}',
    '{"level":30,"time":1795874440022,"pid":18,"hostname":"cart-api-7d9f6c5b8-x2kqp",'
    '"reqId":"req-1","req":{"method":"GET","url":"/api/cart/5f2a?q=%E2%9C%93",'
    '"remoteAddress":"10.0.0.12","remotePort":51844},"msg":"incoming request"}',
    '{"level":30,"time":1795874440063,"pid":18,"hostname":"cart-api-7d9f6c5b8-x2kqp",'
    '"reqId":"req-1","res":{"statusCode":200},"responseTime":40.81,"cached":false,'
    '"user":null,"tags":["cart","read"],"msg":"request completed"}',
    '{"level":40,"time":1795874441007,"pid":18,"hostname":"cart-api-7d9f6c5b8-x2kqp",'
    '"input":"\\u0007beep\\u0000nul\\u001b[31mred\\u2028sep\\t tab",'
    '"msg":"rejected coupon \\"SAVE\\u000b10\\" for cart 5f2a\\r\\nsecond line"}',
]
LOGRUS = [
    'time="2026-11-28T14:00:01Z" level=info msg="Starting inventory-sync" version=2.3.1 '
    "commit=4e1f9ab",
    'time="2026-11-28T16:00:01+02:00" level=warning msg="slow query: SELECT * FROM stock '
    'WHERE sku = \\"A-17\\"" duration=1.204s',
]


def expected(record: Record, template: Template, final: bool, corrected: datetime | None) -> str:
    """What `parse --jsonl` wrote before the writer: a dict per record through `json`; with a
    NaN or infinite float written as its string (JSON has neither: `json` wrote `NaN`)."""
    row = record.to_dict()
    if row["fields"]:
        row["fields"] = {key: _json_number(value) for key, value in row["fields"].items()}
    row["template_id"] = template.id
    row["template"] = template.text
    row["template_final"] = final
    if corrected is not None:
        row["timestamp_corrected"] = corrected.isoformat()
    return json.dumps(row, ensure_ascii=False, separators=(",", ":"), default=str) + "\n"


def _json_number(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def records_of(lines: list[str], file: str, service: str) -> list[Record]:
    return list(parse_lines(lines, file, service))


def test_lines_of_real_records_are_what_json_writes() -> None:
    records = [
        *records_of(SPRING, "/var/log/checkout/app.log", "checkout"),
        *records_of(PINO, "cart-api.log", "cart-api"),
        *records_of(LOGRUS, "inventory-sync.log", "inventory-sync"),
    ]
    # what the test is about is there: no time, a stack trace, nested and typed fields
    assert any(record.timestamp is None for record in records)
    assert any("\n\tat org.postgresql" in record.message for record in records)
    assert any(isinstance(value, dict) for r in records for value in (r.fields or {}).values())
    assert any("\x00" in str(value) for r in records for value in (r.fields or {}).values())
    miner = TemplateMiner()
    templated = [(record, template_for(miner, record)[0]) for record in records]
    writer = JsonLines()
    for number, (record, template) in enumerate(templated):
        final = number % 3 != 0
        line = writer.line(record, template, final)
        assert line == expected(record, template, final, None)
        assert json.loads(line)["message"] == record.message
    # a second round: every piece now comes from what the writer kept
    for record, template in templated:
        assert writer.line(record, template, True) == expected(record, template, True, None)


def test_a_corrected_time_follows_the_template() -> None:
    record = next(r for r in records_of(SPRING, "app.log", "checkout") if r.level == "error")
    assert record.timestamp is not None and record.timestamp.microsecond
    template = Template(record.message.split())
    for seconds in (4.0, -2.5, 0.118):
        corrected = record.timestamp - timedelta(seconds=seconds)
        line = JsonLines().line(record, template, True, corrected)
        assert line == expected(record, template, True, corrected)
        assert json.loads(line)["timestamp_corrected"] == corrected.isoformat()


def test_fields_that_look_alike_are_not_confused() -> None:
    """A map kept for one record answers only for an equal map of strings: a number, a flag
    or a nested value under the same names is encoded for itself."""
    when = datetime(2026, 11, 28, 14, 2, 3, 118000, tzinfo=UTC)
    maps: list[dict[str, Any] | None] = [
        {"status": "200", "upstream": "10.0.3.7:8080"},
        {"status": 200, "upstream": "10.0.3.7:8080"},
        {"status": "200", "upstream": "10.0.3.7:8080"},
        {"status": True, "upstream": "10.0.3.7:8080"},
        {"status": 200.0, "upstream": "10.0.3.7:8080"},
        {"upstream": "10.0.3.7:8080", "status": "200"},
        {"status": ["200"], "upstream": "10.0.3.7:8080"},
        {"status": {"code": "200"}, "upstream": "10.0.3.7:8080"},
        {"latency": math.nan, "at": when, "big": 10**30, "none": None},
        {},
        None,
    ]
    template = Template(["GET", "/healthz", "<*>"])
    writer = JsonLines()
    for _ in range(2):
        for number, fields in enumerate(maps):
            record = Record(
                "edge.log", number + 1, number + 1, when, None, "edge", "logfmt", "GET", fields
            )
            assert writer.line(record, template, False) == expected(record, template, False, None)


def test_pieces_shared_by_records_stay_theirs() -> None:
    """The file, the (level, service, format) and the template are encoded once each and kept:
    records that differ in one of them get their own."""
    when = datetime(2026, 11, 28, 14, 2, 3, tzinfo=UTC)
    miner = TemplateMiner()
    writer = JsonLines()
    for file in ("a.log", 'b "quoted".log', "c\\d.log"):
        for level in ("info", None, "error"):
            for service, message in (
                ("checkout", "Cart 5f2a loaded"),
                ("cart", "Cart 7c1d loaded"),
            ):
                record = Record(file, 7, 9, when, level, service, "spring-boot", message, None)
                template = miner.add(message.replace("5f2a", "<*>").replace("7c1d", "<*>"))
                line = writer.line(record, template, True)
                assert line == expected(record, template, True, None)


def jsonl(*args: str, stdin: str | None = None) -> str:
    result = CliRunner().invoke(app, ["parse", *args, "--jsonl"], input=stdin)
    assert result.exit_code == 0, result.output
    return result.stdout


def spring_log(count: int) -> list[str]:
    """A busy service: more records than one batch of lines, a stack trace among them."""
    lines = list(SPRING[:3])
    for number in range(count):
        seconds, millis = divmod(number * 37, 1000)
        lines.append(
            f"2026-11-28T14:{seconds // 60:02d}:{seconds % 60:02d}.{millis:03d}Z  INFO 1 --- "
            f"[checkout] [nio-8080-exec-{number % 9}] c.e.checkout.cart.CartService            "
            f": Cart {number * 7919 % 65536:04x} loaded from cache in {number % 40} ms "
            f"({number % 9 + 1} items, currency=EUR)"
        )
        if number == 400:
            lines.extend(SPRING[5:])
    return lines


@pytest.mark.parametrize("filtered", [False, True])
def test_the_command_writes_the_rows_of_the_library(tmp_path: Path, filtered: bool) -> None:
    path = tmp_path / "checkout.log"
    path.write_text("\n".join(spring_log(700)) + "\n")
    args = ["--min-level", "warning"] if filtered else []
    keep = RecordFilter(min_level="warning") if filtered else RecordFilter()
    rows = list(templated_records(open_paths([str(path)]), keep).rows)
    assert len(rows) == (2 if filtered else 703)
    assert all(final for _, _, final in rows)
    want = "".join(expected(record, template, final, None) for record, template, final in rows)
    assert jsonl(str(path), *args) == want
    assert jsonl(str(path), *args, "--limit", "300") == "".join(want.splitlines(True)[:300])


def test_a_stream_is_written_with_provisional_templates(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "\n".join(spring_log(300)) + "\n"

    def stdin() -> None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))

    stdin()
    rows = list(templated_records(open_paths(["-"])).rows)
    assert len(rows) == 301 and not any(final for _, _, final in rows)
    want = "".join(expected(record, template, final, None) for record, template, final in rows)
    stdin()
    assert run(["parse", "-", "--jsonl"]) == 0
    assert capsys.readouterr().out == want
