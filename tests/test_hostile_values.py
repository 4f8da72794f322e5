"""Values no logger should write but some do, found by a crash hunt over generated JSON lines
and logfmt: every command answers with valid JSON, no record is lost, and no regex is
quadratic in a long run of the characters it repeats.

- a level of `NaN`, `1e999` or `"²"` (a digit to `str.isdigit`, not to `int`);
- integers past a double's range as an epoch, a `{seconds, nanos}` time or a duration;
- `NaN` and `-Infinity` durations, which JSON cannot hold;
- RFC 3339's lower-case `t` and `z`, which `datetime.fromisoformat` refuses;
- journald's byte-array `MESSAGE` and `SYSLOG_IDENTIFIER`;
- a 50 KB bare logfmt word, and 200,000 characters of one class before a knowledge signature's
  literal (the searches were quadratic: 40 s and 50 s on files of 50 KB and 30 KB).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from log_analyzer.cli.app import run
from log_analyzer.knowledge.match import load_signatures
from log_analyzer.levels import normalize_level

SUBPROCESS_LIMIT = 30  # seconds: only stops a hang (linear, these take well under one)
BIG = 10**309  # past a double's range


def _strict(text: str) -> Any:
    """JSON as RFC 8259 has it: no NaN, no Infinity."""

    def refuse(constant: str) -> None:
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def _pino(**fields: Any) -> str:
    record = {"level": 30, "time": 1773482400000, "pid": 7, "hostname": "api-1", "msg": "ok"}
    record.update(fields)
    return json.dumps(record)  # Python writes NaN and Infinity, as some loggers do


@pytest.fixture(autouse=True)
def _no_index(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOG_ANALYZER_NO_CACHE", "1")


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf"), "²", "³", "٣"])
def test_levels_that_are_no_numbers_are_no_levels(value: object) -> None:
    assert normalize_level(value) is None


def test_numeric_levels_still_read() -> None:
    assert [normalize_level(v) for v in (50, 50.0, "50", "3", 3)] == [
        "error",
        "error",
        "error",
        "error",
        "error",
    ]


LINES = [
    _pino(level=float("nan"), msg="level NaN"),
    _pino(level=float("inf"), msg="level 1e999"),
    _pino(level="²", msg="level superscript"),
    _pino(time=BIG, msg="epoch past a double"),
    _pino(time={"seconds": 1773482401, "nanos": BIG}, msg="nanos past a double"),
    _pino(level=50, msg="upstream timed out", duration=BIG),
    _pino(level=50, msg="upstream timed out", duration=float("nan")),
    _pino(level=50, msg="upstream timed out", duration=-float("inf")),
    _pino(level=50, msg="upstream timed out", responseTime=230),
]


@pytest.mark.parametrize(
    "command",
    [
        ["parse", "--jsonl"],
        ["errors", "--json"],
        ["investigate", "--json"],
        ["trend", "--json", "--latency"],
        ["report", "--format", "json"],
    ],
    ids=lambda c: " ".join(c),
)
def test_out_of_range_values_answer_valid_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    log = tmp_path / "api.log"
    log.write_text("\n".join(LINES) + "\n")
    code = run([*command, str(log)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "internal error" not in captured.err
    if command[-1] == "--jsonl":
        rows = [_strict(line) for line in captured.out.splitlines()]
        assert len(rows) == len(LINES)  # nothing lost
        assert rows[6]["fields"]["duration"] == "nan"  # said as text, not dropped
        assert rows[3]["timestamp"] is None and rows[4]["timestamp"] is None
        assert [row["level"] for row in rows[:3]] == [None, None, None]
    else:
        answer = _strict(captured.out)
        if command[0] == "trend":
            series = answer["latency"]["series"]
            p95 = [value for point in series for value in point["p95"].values()]
            assert p95 == [230.0]  # the only duration a clock could have measured


@pytest.mark.parametrize(
    ("stamp", "expected"),
    [
        ("2026-03-14T10:05:00z", "2026-03-14T10:05:00+00:00"),
        ("2026-03-14t10:05:00z", "2026-03-14T10:05:00+00:00"),
        ("2026-03-14t10:05:00.123456789z", "2026-03-14T10:05:00.123456+00:00"),
        ("2026-03-14T10:05:00Z", "2026-03-14T10:05:00+00:00"),
        ("2026-03-14T10:05:00", "2026-03-14T09:05:00+00:00"),  # local: Paris, an hour ahead
    ],
)
def test_lower_case_t_and_z_are_rfc_3339(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], stamp: str, expected: str
) -> None:
    log = tmp_path / "app.log"
    log.write_text(json.dumps({"timestamp": stamp, "level": "error", "message": "db down"}) + "\n")
    assert run(["parse", "--jsonl", "--tz", "Europe/Paris", str(log)]) == 0
    assert json.loads(capsys.readouterr().out)["timestamp"] == expected


def test_journald_byte_arrays_are_decoded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`journalctl -o json` writes a field holding control characters as its bytes."""
    message = list(b"connect failed \x1b[0m: ECONNREFUSED")
    record = {
        "__REALTIME_TIMESTAMP": "1773482701000000",
        "PRIORITY": "3",
        "SYSLOG_IDENTIFIER": list(b"checkout"),
        "MESSAGE": message,
    }
    log = tmp_path / "journal.json"
    log.write_text(json.dumps(record) + "\n")
    assert run(["parse", "--jsonl", str(log)]) == 0
    row = json.loads(capsys.readouterr().out)
    assert row["message"] == "connect failed \x1b[0m: ECONNREFUSED"
    assert row["service"] == "checkout" and row["level"] == "error"


# -- no quadratic search -----------------------------------------------------------------

CHILD_SIGNATURES = """
import sys
from log_analyzer.knowledge.match import load_signatures
shape, size = sys.argv[1], int(sys.argv[2])
text = shape * (size // len(shape))
for signature in load_signatures():
    for pattern in signature.patterns:
        pattern.search(text)
print("ok")
"""
# runs of the characters the signatures' leading classes repeat, alone and with separators
SHAPES = ["A", "a", "_", "-", ".", "@", "1", "/a", "a/", "a-", "a.", "a.-", "a:", "a b"]


@pytest.mark.parametrize("shape", SHAPES)
def test_knowledge_signatures_search_in_linear_time(shape: str) -> None:
    assert load_signatures()  # (the child loads the same bundled base)
    try:
        child = subprocess.run(
            [sys.executable, "-c", CHILD_SIGNATURES, shape, "200000"],
            capture_output=True,
            text=True,
            timeout=SUBPROCESS_LIMIT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"signatures on 200,000 characters of {shape!r}: still running")
    assert child.returncode == 0 and child.stdout.strip() == "ok", child.stderr[-2000:]


def test_a_long_bare_logfmt_word_reads_in_linear_time(tmp_path: Path) -> None:
    log = tmp_path / "gokit.log"
    calm = [f"ts=2026-03-14T10:0{n}:00Z level=info msg=tick n={n}" for n in range(5)]
    blob = "QUFBQUFB" * 125_000  # 1,000,000 characters of base64, unquoted
    log.write_text("\n".join([*calm, f"ts=2026-03-14T10:05:00Z level=error msg=decode {blob}"]))
    try:
        child = subprocess.run(
            [sys.executable, "-m", "log_analyzer", "errors", "--json", "--no-cache", str(log)],
            capture_output=True,
            text=True,
            timeout=SUBPROCESS_LIMIT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("a 1 MB bare logfmt word: still running")
    assert child.returncode == 0, child.stderr[-2000:]
    groups = json.loads(child.stdout)["groups"]
    assert [group["level"] for group in groups] == ["error"]
