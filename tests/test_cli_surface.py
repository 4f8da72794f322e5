"""What a hunt over the CLI's options and paths found, each a class of input:

- a line inside a container envelope whose level a layout pads (log4j's `%5p`: ` INFO`) reads
  as indented, and was joined to the record before it (three requests became one error);
- `compare` read standard input twice (the second time empty) and answered "no timestamped
  records"; `fixes --group` with an id no group has answered "no recommendation";
- a report template ran with Python's internals in reach (`lipsum.__globals__['os']`);
- the redactor took a refused path's file name (`/etc/passwd: refused`) for a password;
- `report -o -` wrote a file named `-`; `watch --minutes 1` failed on the default `--settle 2`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from log_analyzer.agent.redact import Redactor
from log_analyzer.cli.app import run

CHECKOUT = Path(__file__).resolve().parents[1] / "fixtures" / "incidents" / "checkout"


@pytest.fixture(autouse=True)
def _no_index(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOG_ANALYZER_NO_CACHE", "1")


def test_padded_levels_inside_an_envelope_start_records(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """containerd's CRI lines of an app whose log4j layout is `%5p [%t] %c - %m`."""
    lines = [
        ("09:13:01.100", " INFO", "[main] c.e.orders.App - Started App in 4.2 seconds"),
        ("09:13:02.070", "ERROR", "[pool-1] c.e.orders.Db - Connection is not available"),
        ("09:13:03.100", " INFO", "[pool-1] c.e.orders.Api - Order 75059 placed"),
        ("09:13:04.100", " WARN", "[pool-1] c.e.orders.Inventory - Slow response: 900 ms"),
        ("09:13:05.100", " INFO", "[pool-1] c.e.orders.Api - Order 75060 placed"),
    ]
    log = tmp_path / "orders.log"
    log.write_text(
        "".join(
            f"2026-03-14T{when}000000Z stdout F {level} {text}\n" for when, level, text in lines
        )
    )
    assert run(["parse", "--jsonl", str(log)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(row["line"], row["end_line"]) for row in rows] == [(n, n) for n in range(1, 6)]
    assert [row["level"] for row in rows] == ["info", "error", "info", "warning", "info"]


def test_a_padded_level_among_another_layout_starts_a_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Most lines dated by their own layout (the envelope's inner format), one from a library
    logging through `%5p`: it is a record of its own, not a line of the one before."""
    inner = [f"2026-03-14 09:13:{n:02d},100 ERROR [pool-1] c.e.Db - timeout {n}" for n in range(8)]
    inner.insert(4, " INFO [main] o.a.k.clients.Metadata - Cluster ID: q8Zc1k")
    log = tmp_path / "orders.log"
    log.write_text(
        "".join(
            f"2026-03-14T09:13:{n:02d}.200000000Z stdout F {text}\n" for n, text in enumerate(inner)
        )
    )
    assert run(["parse", "--jsonl", str(log)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 9
    assert (rows[4]["line"], rows[4]["end_line"]) == (5, 5)
    assert rows[3]["end_line"] == 4 and "Cluster ID" not in rows[3]["message"]


def test_compare_refuses_standard_input_in_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(["compare", "--at", "2026-11-28T14:00:00Z", "-"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "standard input" in err


def test_fixes_for_a_group_that_does_not_exist_is_an_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(["fixes", str(CHECKOUT), "--group", "nosuch"]) == 2
    assert "no such error group" in capsys.readouterr().err
    assert run(["errors", "--json", str(CHECKOUT)]) == 0
    group = json.loads(capsys.readouterr().out)["groups"][0]["id"]
    assert run(["fixes", str(CHECKOUT), "--group", group]) == 0


def test_a_template_cannot_reach_python_internals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hostile = tmp_path / "hostile.j2"
    hostile.write_text("{{ lipsum.__globals__['os'].popen('echo PWNED').read() }}\n")
    assert run(["report", str(CHECKOUT), "--template", str(hostile)]) == 2
    captured = capsys.readouterr()
    assert "PWNED" not in captured.out and "unsafe" in captured.err
    # a template that reads the report's values still renders
    plain = tmp_path / "plain.j2"
    plain.write_text("{{ title }} | {{ report.trend }} | {{ start | clock(dated) }}\n")
    assert run(["report", str(CHECKOUT), "--template", str(plain)]) == 0
    assert capsys.readouterr().out.startswith("Incident: ")


def test_report_to_dash_is_standard_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run(["report", str(CHECKOUT), "-o", "-"]) == 0
    assert capsys.readouterr().out.startswith("# Incident:")
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("parse_logs: /etc/passwd: refused, outside the allowed roots", True),
        ("read_lines: /srv/app/.password: refused", False),  # a dotfile's name: no path name
        ("db password: hunter2-prod", False),
        ("user=app passwd=s3cr3t-Pa55 host=db", False),
    ],
)
def test_a_path_named_like_a_key_is_no_credential(text: str, kept: bool) -> None:
    redacted = Redactor().redact(text)
    assert (redacted == text) is kept, redacted


def test_watch_for_one_minute_settles_on_one_bucket(
    capsys: pytest.CaptureFixture[str],
) -> None:
    log = CHECKOUT / "payment-gateway.log"
    assert run(["watch", str(log), "--minutes", "1", "--interval", "1"]) in (0, 1)
    assert "--settle" not in capsys.readouterr().err


def test_sources_keeps_the_sources_of_a_service_and_refuses_an_unknown_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    listed = json.loads(_out(capsys, "sources", "--json", "--service", "redis", str(CHECKOUT)))
    assert [Path(s["file"]).name for s in listed["sources"]] == ["redis-server.log"]
    assert run(["sources", "--service", "nosuch", str(CHECKOUT)]) == 2
    assert "unknown service 'nosuch'" in capsys.readouterr().err


def _out(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert run(list(args)) == 0
    return capsys.readouterr().out
