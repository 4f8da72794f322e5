"""The CLI's public contracts: `sources --json`, `parse --jsonl`, filters and formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from log_analyzer.cli.app import run

CHECKOUT = (
    "2026-11-28T14:02:03.118Z  INFO 1 --- [checkout-service] [nio-8080-exec-7] "
    "c.e.checkout.web.CheckoutController     : POST /api/checkout 200 in 41 ms\n"
    "2026-11-28T14:02:04.550Z ERROR 1 --- [checkout-service] [nio-8080-exec-2] "
    "c.e.checkout.cart.CartService           : Cart lookup failed for cart 5f2a\n"
    "io.lettuce.core.RedisCommandTimeoutException: Command timed out after 2 second(s)\n"
    "\tat io.lettuce.core.internal.ExceptionFactory.createTimeoutException("
    "ExceptionFactory.java:59)\n"
    "\tat io.lettuce.core.protocol.CommandExpiryWriter.lambda$potentiallyExpire$0("
    "CommandExpiryWriter.java:176)\n"
    "\t... 42 more\n"
)
REDIS = (
    "1:M 28 Nov 2026 14:01:58.332 * 100 changes in 300 seconds. Saving...\n"
    "1:M 28 Nov 2026 14:01:58.334 # Can't save in background: fork: Cannot allocate memory\n"
)


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    (tmp_path / "checkout-service.log").write_text(CHECKOUT)
    (tmp_path / "redis").mkdir()
    (tmp_path / "redis" / "redis-server.log").write_text(REDIS)
    return tmp_path


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = run(list(args))
    return code, capsys.readouterr().out


def test_sources_json_contract(logs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_json(capsys, "sources", str(logs), "--json")
    assert code == 0
    report = json.loads(out)
    by_file = {Path(s["file"]).name: s for s in report["sources"]}
    checkout = by_file["checkout-service.log"]
    assert checkout["format"] == "spring-boot"
    assert checkout["service"] == "checkout-service"
    assert checkout["records"] == 2
    assert checkout["lines"] == 6
    assert checkout["unparsed"] == 0
    assert checkout["first"] == "2026-11-28T14:02:03.118000Z"
    assert checkout["last"] == "2026-11-28T14:02:04.550000Z"
    redis = by_file["redis-server.log"]
    assert (redis["format"], redis["service"], redis["records"]) == ("redis", "redis", 2)
    assert redis["levels"] == {"notice": 1, "warning": 1}


def test_parse_jsonl_contract(logs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_json(capsys, "parse", str(logs / "checkout-service.log"), "--jsonl")
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert len(records) == 2
    error = records[1]
    assert {
        "file",
        "line",
        "end_line",
        "timestamp",
        "level",
        "service",
        "format",
        "message",
    } <= error.keys()
    assert error["file"] == str(logs / "checkout-service.log")
    assert (error["line"], error["end_line"]) == (2, 6)
    assert error["timestamp"] == "2026-11-28T14:02:04.550000+00:00"
    assert error["level"] == "error"
    assert error["message"].startswith("Cart lookup failed for cart 5f2a\nio.lettuce.core.")
    assert error["message"].endswith("\t... 42 more")
    assert error["fields"]["thread"] == "nio-8080-exec-2"


def test_parse_filters_by_level_and_service(logs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_json(
        capsys, "parse", str(logs), "--jsonl", "--min-level", "warning", "--service", "redis"
    )
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert [(r["service"], r["level"], r["line"]) for r in records] == [("redis", "warning", 2)]


def test_parse_text_view_names_file_and_line(logs: Path, capsys) -> None:
    code, out = run_json(capsys, "parse", str(logs / "checkout-service.log"), "--limit", "5")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 2
    assert (
        f"{logs / 'checkout-service.log'}:2 Cart lookup failed for cart 5f2a (+4 lines)" in lines[1]
    )


def test_format_option_skips_detection(tmp_path: Path, capsys) -> None:
    path = tmp_path / "odd.log"
    path.write_text("2026-11-28 14:02:03,118 - payments - ERROR - declined\n")
    code, out = run_json(capsys, "parse", str(path), "--jsonl", "--format", "generic")
    assert code == 0
    assert json.loads(out)["format"] == "generic"


def test_formats_lists_every_format(capsys) -> None:
    code, out = run_json(capsys, "formats", "--json")
    assert code == 0
    names = {row["name"] for row in json.loads(out)}
    assert {"redis", "spring-boot", "pino", "cri", "kubectl", "docker-json", "syslog"} <= names


def test_missing_path_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["sources", "/no/such/dir"]) == 2
    assert "no such file or directory" in capsys.readouterr().err


def test_parse_window_keeps_records_inside_it(logs: Path, capsys) -> None:
    code, out = run_json(
        capsys,
        "parse",
        str(logs),
        "--jsonl",
        "--since",
        "2026-11-28T14:01:58.333Z",
        "--until",
        "2026-11-28T14:02:04",
    )
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    # merged in time order across the files: redis' 14:01:58.334 before checkout's 14:02:03
    assert [(r["service"], r["line"]) for r in records] == [
        ("redis", 2),
        ("checkout-service", 1),
    ]
