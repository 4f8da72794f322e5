"""Stamps at the edges of the calendar, and paths that loop: every command answers, no
record is lost, and a year-less log read with `--year` rolls over New Year in every part.

Found by a crash hunt over generated text logs: `9999-12-31` stamps made the analysis pass
`datetime.max`, a klog line with month 13 failed detection for the whole file, a symlink loop
failed `trace`, and with `--year` the last record of a log crossing New Year went back a year.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from log_analyzer.cli.app import run

COMMANDS = (
    ["investigate", "--json"],
    ["errors", "--json"],
    ["trend", "--json"],
    ["report", "--format", "md"],
    ["parse", "--jsonl"],
)


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _spring(when: str, level: str, text: str) -> str:
    return (
        f"{when}  {level:>5} 1 --- [billing] [nio-8080-exec-3] c.e.billing.Ledger"
        f"                       : {text}"
    )


@pytest.fixture(autouse=True)
def _no_index(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOG_ANALYZER_NO_CACHE", "1")


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c))
def test_a_stamp_at_the_end_of_time_is_no_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    """`9999-12-31T23:59:00` is a placeholder: the record is kept, without a time."""
    lines = [
        _spring(f"2026-03-14T10:00:{s:02d}.000Z", "ERROR", "Ledger write failed: timeout")
        for s in range(0, 40, 5)
    ]
    lines.append(_spring("9999-12-31T23:59:00.000Z", "ERROR", "valid until the end of time"))
    (tmp_path / "billing.log").write_text("\n".join(lines) + "\n")
    json_line = '{"time":"9999-12-31T23:59:59.99999Z","level":"error","msg":"far future"}\n'
    (tmp_path / "api.json").write_text(json_line)
    code, out, err = _run(capsys, *command, str(tmp_path))
    assert code == 0, err
    assert "internal error" not in err
    if command == ["parse", "--jsonl"]:
        rows = [json.loads(line) for line in out.splitlines()]
        assert len(rows) == len(lines) + 1  # nothing lost
        far = [row for row in rows if "end of time" in row["message"] or "far" in row["message"]]
        assert len(far) == 2 and all(row["timestamp"] is None for row in far)


def test_a_month_that_does_not_exist_is_not_a_klog_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = [
        f"I0314 10:00:{s:02d}.{s * 1000:06d}       1 reflector.go:255] Listing and watching"
        for s in range(20)
    ]
    log = tmp_path / "kubelet.log"
    log.write_text("\n".join([*good, "E1399 10:00:30.000000       1 x.go:1] bad month"]) + "\n")
    code, out, err = _run(capsys, "sources", "--json", str(log))
    assert code == 0, err
    source = json.loads(out)["sources"][0]
    assert source["format"] == "klog"
    assert source["lines"] == 21
    code, out, err = _run(capsys, "parse", "--jsonl", str(log))
    assert code == 0, err
    assert sum("bad month" in line for line in out.splitlines()) == 1  # still searchable


@pytest.mark.parametrize(
    "line",
    [
        "13-45 10:00:00.123  1234  1260 E ActivityManager: ANR in com.example",  # logcat
        "[13.14 10:00:00] chrome.exe - proxy.example.com:443 open through proxy",  # proxifier
    ],
)
def test_impossible_dates_in_year_less_formats_do_not_stop_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], line: str
) -> None:
    log = tmp_path / "device.log"
    log.write_text(line + "\n")
    code, _, err = _run(capsys, "investigate", "--json", str(log))
    assert code == 0, err


def test_trace_on_a_symlink_loop_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    os.symlink(tmp_path / "b", tmp_path / "a.log")
    os.symlink(tmp_path / "a.log", tmp_path / "b")
    code, _, err = _run(capsys, "trace", "req-1", str(tmp_path / "a.log"))
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("log-analyzer: error:")


def _syslog_over_new_year(path: Path, lines: int) -> list[datetime]:
    """`lines` syslog lines, a second apart, the middle one at midnight of New Year."""
    start = datetime(2026, 1, 1, tzinfo=UTC) - timedelta(seconds=lines // 2)
    moments = [start + timedelta(seconds=n) for n in range(lines)]
    path.write_text(
        "".join(
            f"{when:%b} {when.day:>2} {when:%H:%M:%S} web-1 nginx[812]: GET /health 200\n"
            for when in moments
        )
    )
    return moments


@pytest.mark.parametrize("lines", [4, 40_000])  # the last record alone; parts on both cores
def test_with_year_a_log_over_new_year_rolls_over_in_every_part(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lines: int
) -> None:
    log = tmp_path / "syslog"
    moments = _syslog_over_new_year(log, lines)
    code, out, err = _run(capsys, "parse", "--jsonl", "--year", "2025", str(log))
    assert code == 0, err
    stamps = [json.loads(line)["timestamp"] for line in out.splitlines()]
    assert stamps == [when.isoformat() for when in moments]
    code, out, err = _run(capsys, "sources", "--json", "--year", "2025", str(log))
    source = json.loads(out)["sources"][0]
    assert source["first"].startswith("2025-12-31") and source["last"].startswith("2026-01-01")
