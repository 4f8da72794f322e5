"""Readings an accuracy hunt over formats the project had not seen found wrong, as classes:

- `errors` grouped only stated levels while `investigate` also groups what the words of a
  source that states no level imply (an Oracle alert log, Go's standard `log`): the command an
  agent runs first said "no records at warning or above" where `investigate` found the errors;
- a banner above records that are all indented (`nomad agent`'s output) left the whole file
  unread: detection scored only the banner, as indented lines read as continuations;
- a time-zone name after PHP's time was dropped, so times were read as UTC (hours off).
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from log_analyzer.cli.app import run

T0 = datetime(2026, 3, 14, 9, 58, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _no_index(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOG_ANALYZER_NO_CACHE", "1")


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    assert run(list(args)) == 0
    answer: dict[str, object] = json.loads(capsys.readouterr().out)
    return answer


def _go_std_log(path: Path, seed: int) -> None:
    """Go's `log` package: a date and a time, no level; a database outage in the middle."""
    rng = random.Random(seed)
    lines = []
    for n in range(600):
        when = T0 + timedelta(seconds=n)
        if 300 <= n < 340 and n % 3 == 0:
            text = "dial tcp 10.0.4.12:5432: connect: connection refused"
        elif n % 97 == 0:
            text = "slow request: GET /api/cart took 1.2s"
        else:
            text = f"served GET /api/cart/{rng.randint(100, 999)} 200 in {rng.randint(2, 40)}ms"
        lines.append(f"{when:%Y/%m/%d %H:%M:%S} {text}")
    path.write_text("\n".join(lines) + "\n")


def _oracle_alert(path: Path) -> None:
    path.write_text(
        "2026-03-14T10:00:03.118092+00:00\n"
        "Errors in file /u01/app/oracle/diag/rdbms/orcl/orcl/trace/orcl_ora_4242.trc:\n"
        "ORA-00600: internal error code, arguments: [kdsgrp1], [], [], [], [], [], [], []\n"
        "2026-03-14T10:00:04.551210+00:00\n"
        "ORA-1653: unable to extend table APP.ORDERS by 8192 in tablespace USERS\n"
        "2026-03-14T10:00:09.000127+00:00\n"
        "Thread 1 advanced to log sequence 4242 (LGWR switch)\n"
    )


@pytest.mark.parametrize("writer", [_go_std_log, lambda p, s: _oracle_alert(p)], ids=["go", "ora"])
def test_errors_groups_what_investigate_infers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], writer: object
) -> None:
    log = tmp_path / "app.log"
    writer(log, 3)  # type: ignore[operator]
    errors = _json(capsys, "errors", "--json", str(log))
    report = _json(capsys, "investigate", "--json", str(log))
    grouped = {(g["label"], g["count"], g["level"]) for g in errors["groups"]}  # type: ignore[attr-defined]
    investigated = {
        (g["label"], g["count"], g["level"])
        for g in report["error_groups"]  # type: ignore[attr-defined]
    }
    assert grouped, "errors found nothing"
    assert grouped == investigated
    assert all(g["level_inferred"] for g in report["error_groups"])  # type: ignore[attr-defined]


def test_a_source_that_states_levels_adds_only_strong_inferences(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Lines without a level among leveled ones: only wording a failure alone produces
    (`connection refused`) is grouped, not a softer word (`slow`)."""
    log = tmp_path / "api.log"
    lines = [f"2026-03-14 10:00:{n:02d},000 INFO api: served request {n}" for n in range(40)]
    lines += [
        "2026-03-14 10:00:41,000 dial tcp 10.0.4.12:5432: connect: connection refused",
        "2026-03-14 10:00:42,000 slow request: GET /api/cart took 1.2s",
    ]
    log.write_text("\n".join(lines) + "\n")
    errors = _json(capsys, "errors", "--json", str(log))
    labels = [g["label"] for g in errors["groups"]]  # type: ignore[attr-defined]
    assert len(labels) == 1 and "refused" in labels[0].lower()


def test_records_indented_under_a_banner_are_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`nomad agent` (and Consul, Vault in dev mode) print a banner, then every record
    indented by four spaces."""
    log = tmp_path / "nomad.log"
    banner = [
        "==> Loaded configuration from /etc/nomad.d/nomad.hcl",
        "==> Starting Nomad agent...",
        "==> Nomad agent configuration:",
        "",
        "       Advertise Addrs: HTTP: 10.0.2.15:4646",
        "            Bind Addrs: HTTP: [0.0.0.0:4646]",
        "",
        "==> Nomad agent started! Log data will stream in below:",
        "",
    ]
    records = [
        "    2026-03-14T10:00:03.909Z [ERROR] client.driver_mgr.docker: failed to create "
        'container: driver=docker error="pull access denied for shop/web"',
        "    2026-03-14T10:00:06.990Z [INFO]  client.alloc_runner.task_runner: Task event: "
        "task=web type=Restarting",
        "    2026-03-14T10:00:08.225Z [WARN]  client.alloc_runner.task_runner.task_hook.logmon: "
        'failed to start logmon: error="plugin exited"',
    ]
    log.write_text("\n".join(banner + records * 10) + "\n")
    sources = _json(capsys, "sources", "--json", str(log))
    source = sources["sources"][0]  # type: ignore[index]
    assert source["format"] == "hclog"
    assert source["timestamped"] == 30
    errors = _json(capsys, "errors", "--json", str(log))
    levels = sorted(g["level"] for g in errors["groups"])  # type: ignore[attr-defined]
    assert levels == ["error", "warning"]


def test_php_times_are_read_in_the_zone_they_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two errors 3 s apart, written by servers in Berlin and New York (in daylight saving
    time from 8 March) and one in UTC."""
    log = tmp_path / "php_errors.log"
    log.write_text(
        '[14-Mar-2026 11:00:01 Europe/Berlin] PHP Warning:  Undefined array key "id" in '
        "/var/www/html/order.php on line 14\n"
        "[14-Mar-2026 06:00:04 America/New_York] PHP Fatal error:  Uncaught Error: Call to "
        "undefined function foo() in /var/www/html/index.php:3\n"
        "[14-Mar-2026 10:00:05 UTC] PHP Notice:  Undefined index: q in /var/www/html/s.php on "
        "line 9\n"
        "[14-Mar-2026 10:00:06 Mars/Olympus] PHP Notice:  no such zone: read as --tz\n"
    )
    assert run(["parse", "--jsonl", "--tz", "UTC", str(log)]) == 0
    stamps = [json.loads(line)["timestamp"] for line in capsys.readouterr().out.splitlines()]
    assert stamps == [
        "2026-03-14T10:00:01+00:00",
        "2026-03-14T10:00:04+00:00",
        "2026-03-14T10:00:05+00:00",
        "2026-03-14T10:00:06+00:00",
    ]


def test_aws_lambda_platform_lines_are_events_of_their_own(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A Node.js function's CloudWatch stream: two invocations, the second failing."""
    first, second = "921401a5-4677-8ed1-4721-1e60053d57b2", "badf8bb3-2a1f-92cf-6b47-7e42b38c86db"
    lines = [
        f"START RequestId: {first} Version: $LATEST",
        f"2026-03-14T10:00:11.930Z\t{first}\tINFO\tProcessing event",
        f"END RequestId: {first}",
        f"REPORT RequestId: {first}\tDuration: 827.26 ms\tBilled Duration: 828 ms",
        f"START RequestId: {second} Version: $LATEST",
        f"2026-03-14T10:00:12.101Z\t{second}\tINFO\tProcessing event",
        f'2026-03-14T10:00:12.990Z\t{second}\tERROR\tInvoke Error \t{{"errorType":"Error"}}',
        f"END RequestId: {second}",
    ]
    log = tmp_path / "orders-fn.log"
    log.write_text("\n".join(lines) + "\n")
    assert run(["parse", "--jsonl", str(log)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [row["line"] for row in rows] == list(range(1, 9))  # one record per event
    assert [row["level"] for row in rows if row["timestamp"]] == ["info", "info", "error"]
    ids = [row["fields"].get("request_id") for row in rows]
    assert ids.count(second) == 4 and ids.count(first) == 4
