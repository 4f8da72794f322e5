"""A crash printed after a program's last log line (its stderr beside its log, as container
logs hold them) is a failure of its own, not the tail of the calm record before it.

Before, a Go panic after JSON lines, a Rust panic after env_logger lines or the JVM's
`Exception in thread` after an INFO line joined that info record: `errors` said "no records at
warning or above" and `investigate` found no incident. A handled exception a logger writes under
its own record (`logger.info(..., exc_info=True)`, a WARN with its stack trace) stays with it.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from log_analyzer.cli.app import run

T0 = datetime(2026, 4, 2, 9, 0, tzinfo=UTC)

GO_PANIC = [
    "panic: runtime error: invalid memory address or nil pointer dereference",
    "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x6b8f2e]",
    "",
    "goroutine 112 [running]:",
    "github.com/acme/cartsvc/internal/store.(*Redis).Get(0x0, {0xa1e3c0, 0xc000a2c0c0})",
    "\t/build/internal/store/redis.go:61 +0x2e",
    "main.main()",
    "\t/build/cmd/cartsvc/main.go:48 +0x1f9",
    "exit status 2",
]
RUST_PANIC = [
    "thread 'tokio-runtime-worker' panicked at src/handlers/order.rs:88:37:",
    "called `Result::unwrap()` on an `Err` value: Os { code: 111, kind: ConnectionRefused, "
    'message: "Connection refused" }',
    "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace",
]
JAVA_UNCAUGHT = [
    'Exception in thread "scheduler-1" java.lang.IllegalStateException: ledger closed',
    "\tat com.acme.billing.Ledger.append(Ledger.java:212)",
    "\tat com.acme.billing.Settlement.run(Settlement.java:77)",
    "\tat java.base/java.lang.Thread.run(Thread.java:1583)",
]


def _json_line(when: datetime, message: str, rng: random.Random) -> str:
    """logrus's JSON formatter."""
    return json.dumps(
        {
            "level": "info",
            "msg": message,
            "time": when.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            "request_id": f"{rng.getrandbits(32):08x}",
        }
    )


def _env_logger_line(when: datetime, message: str, level: str = "INFO") -> str:
    return f"[{when.strftime('%Y-%m-%dT%H:%M:%S.%f')}Z {level:<5} orders::server] {message}"


def _logback_line(when: datetime, message: str, level: str = "INFO") -> str:
    return (
        f"{when.strftime('%Y-%m-%d %H:%M:%S.%f')[:-3]} [scheduler-1] {level:<5} "
        f"c.a.billing.Settlement - {message}"
    )


def _zap_line(when: datetime, message: str) -> str:
    """zap's development (console) encoder."""
    return (
        f"{when.strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3]}Z\tINFO\tcart/handler.go:41\t{message}"
        '\t{"pod": "cartsvc-7d9f"}'
    )


def _calm_then(
    path: Path, write: object, crash: list[str], calm: int = 3000, after: int = 200
) -> int:
    """`calm` info lines, the crash, `after` info lines (the restarted process): the crash's
    first line number."""
    rng = random.Random(7)
    lines = []
    for n in range(calm + after):
        if n == calm:
            lines.extend(crash)
        when = T0 + timedelta(milliseconds=250 * n)
        lines.append(write(when, f"served GET /cart/{rng.randint(1, 9999)} in 12ms", rng))  # type: ignore[operator]
    path.write_text("\n".join(lines) + "\n")
    return calm + 1


def _errors(capsys: pytest.CaptureFixture[str], path: Path) -> list[dict[str, object]]:
    assert run(["errors", "--json", "--no-cache", str(path)]) == 0
    groups: list[dict[str, object]] = json.loads(capsys.readouterr().out)["groups"]
    return groups


def _rows(capsys: pytest.CaptureFixture[str], path: Path) -> list[dict[str, Any]]:
    assert run(["parse", "--jsonl", str(path)]) == 0
    return [json.loads(text) for text in capsys.readouterr().out.splitlines()]


def _investigate(capsys: pytest.CaptureFixture[str], path: Path) -> dict[str, object]:
    assert run(["investigate", "--json", "--no-cache", str(path)]) == 0
    report: dict[str, object] = json.loads(capsys.readouterr().out)
    return report


CASES = {
    "go-panic-after-json": (
        lambda when, text, rng: _json_line(when, text, rng),
        GO_PANIC,
        "fatal",
        "panic: ",
    ),
    # a regex format with a level probe: `errors` counts the info lines over whole blocks
    "go-panic-after-zap-console": (
        lambda when, text, rng: _zap_line(when, text),
        GO_PANIC,
        "fatal",
        "panic: ",
    ),
    "rust-panic-after-env-logger": (
        lambda when, text, rng: _env_logger_line(when, text),
        RUST_PANIC,
        "fatal",
        "panicked at",
    ),
    "jvm-uncaught-after-logback": (
        lambda when, text, rng: _logback_line(when, text),
        JAVA_UNCAUGHT,
        "error",
        "IllegalStateException",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_crash_after_info_lines_is_an_error_group(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    write, crash, level, words = CASES[case]
    log = tmp_path / "cartsvc.log"
    line = _calm_then(log, write, crash)
    # `errors` counts the info records without building them (`_skipping_runs`)
    groups = _errors(capsys, log)
    assert len(groups) == 1, groups
    group = groups[0]
    assert group["count"] == 1 and group["level"] == level
    assert words in str(group["template"]) + str(group["label"])
    example = group["example"]
    assert isinstance(example, dict) and example["line"] == line
    # the crash happened after the last line the program logged: at its time
    crashed_at = T0 + timedelta(milliseconds=250 * (line - 2))
    assert group["first_seen"] == crashed_at.isoformat().replace("+00:00", "Z")
    # `investigate` reads every record: the same crash is its first failure
    report = _investigate(capsys, log)
    first = report["first_failure"]
    assert isinstance(first, dict) and first["line"] == line


def test_the_crash_keeps_its_lines_and_the_record_before_keeps_its_own(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "cartsvc.log"
    line = _calm_then(log, CASES["go-panic-after-json"][0], GO_PANIC, calm=5, after=2)
    rows = _rows(capsys, log)
    assert len(rows) == 5 + 1 + 2  # nothing lost, one record more
    before, crash = rows[4], rows[5]
    assert before["message"].startswith("served GET") and "\n" not in before["message"]
    assert before["level"] == "info" and before["end_line"] == line - 1
    assert crash["line"] == line and crash["end_line"] == line + len(GO_PANIC) - 1
    assert crash["message"].splitlines()[0] == GO_PANIC[0]
    assert crash["message"].rstrip().endswith("exit status 2")
    assert crash["timestamp"] == before["timestamp"]


def test_a_traceback_a_logger_writes_under_an_info_record_stays_with_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`logger.info("...", exc_info=True)`: Google Drive's sync log does this."""
    log = tmp_path / "sync.log"
    log.write_text(
        "2026-04-02 09:00:00,101 INFO proxy: resolving proxy\n"
        "2026-04-02 09:00:00,563 INFO proxy: Exception while auto resolving proxy.\n"
        "Traceback (most recent call last):\n"
        '  File "common/proxy_manager.py", line 135, in _GetProxyInfoForUrl\n'
        "ProxyInfoResolutionError: The Proxy Auto-configuration URL was not found.\n"
        "2026-04-02 09:00:00,565 INFO http: Request user-agent: Python-httplib2/0.9.2\n"
    )
    rows = _rows(capsys, log)
    assert [row["line"] for row in rows] == [1, 2, 6]
    assert rows[1]["end_line"] == 5 and rows[1]["level"] == "info"


@pytest.mark.parametrize("level", ["WARN", "ERROR"])
def test_a_crash_after_a_warning_or_an_error_stays_theirs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], level: str
) -> None:
    log = tmp_path / "billing.log"
    lines = [_logback_line(T0, "settling batch 41")]
    lines.append(_logback_line(T0 + timedelta(seconds=1), "ledger looks closed", level))
    lines += JAVA_UNCAUGHT
    lines.append(_logback_line(T0 + timedelta(seconds=2), "settling batch 42"))
    log.write_text("\n".join(lines) + "\n")
    rows = _rows(capsys, log)
    assert [row["line"] for row in rows] == [1, 2, 7]
    assert rows[1]["end_line"] == 6


def test_a_source_that_states_no_level_reads_the_crash_in_its_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Go's standard `log` states no level: the record the panic joins takes its level."""
    log = tmp_path / "cart.log"
    log.write_text(
        "2026/04/02 09:00:01 listening on :8080\n"
        "2026/04/02 09:00:09 cache warmer: giving up after 5 attempts\n"
        + "\n".join(GO_PANIC)
        + "\n"
    )
    groups = _errors(capsys, log)
    assert len(groups) == 1 and groups[0]["level"] == "fatal"
    example = groups[0]["example"]
    assert isinstance(example, dict) and example["line"] == 2
