"""Instant repeats (`index/answers.py`): a command asked again on unchanged files gives back its
kept answer, the same bytes as the first time, and never an answer the files no longer give."""

from __future__ import annotations

import os
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from log_analyzer.cli.app import run

from .conftest import FIXTURES

START = datetime(2026, 11, 28, 14, 0, tzinfo=UTC)


def spring_lines(count: int, seed: int) -> list[str]:
    """Spring Boot's default console pattern: mostly INFO, a few kinds of WARN and ERROR."""
    rng = random.Random(seed)
    out: list[str] = []
    for index in range(count):
        when = (START + timedelta(milliseconds=137 * index)).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
        pid = 4242
        roll = rng.random()
        if roll < 0.04:
            out.append(
                f"{when} ERROR {pid} --- [nio-8080-exec-{rng.randint(1, 9)}] "
                f"c.s.checkout.CartClient                  : Cart lookup failed for cart "
                f"{rng.randint(1000, 9999)}: redis.clients.jedis.exceptions."
                f"JedisConnectionException: java.net.SocketTimeoutException: Read timed out"
            )
        elif roll < 0.07:
            out.append(
                f"{when}  WARN {pid} --- [nio-8080-exec-{rng.randint(1, 9)}] "
                f"com.zaxxer.hikari.pool.HikariPool        : HikariPool-1 - Connection is not "
                f"available, request timed out after {rng.randint(30000, 30050)}ms."
            )
        else:
            out.append(
                f"{when}  INFO {pid} --- [nio-8080-exec-{rng.randint(1, 9)}] "
                f"c.s.checkout.OrderController             : order {rng.randint(10000, 99999)} "
                f"placed in {rng.randint(20, 300)} ms"
            )
    return out


@pytest.fixture
def log(tmp_path: Path) -> Path:
    path = tmp_path / "checkout.log"
    path.write_text("\n".join(spring_lines(3000, seed=3)) + "\n")
    return path


def answers_in(index: Path) -> list[Path]:
    return [p for p in index.iterdir() if p.name.startswith("answer-")]


def errors(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = run(["errors", "-q", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_repeat_gives_the_same_bytes_from_the_kept_answer(
    log: Path, private_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = errors([str(log), "--json"], capsys)
    assert first[0] == 0
    assert len(answers_in(private_index)) == 1
    again = errors([str(log), "--json"], capsys)
    assert again == first
    # the table is drawn from the same answer, and --limit cuts it, not the key
    table = errors([str(log), "--limit", "1"], capsys)
    assert table[0] == 0
    assert "1 shown of 2 error groups" in table[1]
    assert len(answers_in(private_index)) == 1
    os.environ["LOG_ANALYZER_NO_ANSWERS"] = "1"
    try:
        computed = errors([str(log), "--json"], capsys)
    finally:
        del os.environ["LOG_ANALYZER_NO_ANSWERS"]
    assert computed == first


def test_an_append_or_an_edit_is_never_answered_from_before(
    log: Path, private_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = errors([str(log), "--json", "--min-level", "error"], capsys)[1]
    with log.open("a") as out:
        out.write(
            "2026-11-28 14:07:00.001 ERROR 4242 --- [nio-8080-exec-1] c.s.checkout.PaymentClient"
            "               : Payment authorization failed: 503 Service Unavailable\n"
        )
    after = errors([str(log), "--json", "--min-level", "error"], capsys)[1]
    assert after != before
    assert "Payment authorization failed" in after
    # rewritten in place, same size: the modification time and the head tell
    text = log.read_text()
    log.write_text(text.replace("Payment authorization", "Payment settlement   ", 1))
    rewritten = errors([str(log), "--json", "--min-level", "error"], capsys)[1]
    assert "Payment settlement" in rewritten


def test_settings_that_shape_the_answer_are_part_of_its_key(
    log: Path, private_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    warnings = errors([str(log), "--json"], capsys)[1]
    only_errors = errors([str(log), "--json", "--min-level", "error"], capsys)[1]
    assert "HikariPool" in warnings and "HikariPool" not in only_errors
    window = errors([str(log), "--json", "--since", "2026-11-28T14:05:00Z"], capsys)[1]
    assert window != warnings
    assert len(answers_in(private_index)) == 3


def test_answers_that_depend_on_the_clock_or_a_stream_are_never_kept(
    log: Path, private_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert errors([str(log), "--json", "--since", "30m"], capsys)[0] == 0
    assert errors([str(log), "--json", "--tz", "local"], capsys)[0] == 0
    assert answers_in(private_index) == []
    assert errors([str(log), "--json", "--no-cache"], capsys)[0] == 0
    assert answers_in(private_index) == []


def test_warnings_are_repeated_with_the_answer(
    tmp_path: Path, private_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mixed = tmp_path / "worker.log"
    mixed.write_bytes(
        ("\n".join(spring_lines(200, seed=9)) + "\n").encode()
        + b"\xff\xfe binary garbage \x00\x01\n"
        + b"2026-11-28 14:09:00.000 ERROR 4242 --- [main] c.s.Worker : Job failed: disk full\n"
    )
    first = errors([str(mixed), "--json"], capsys)
    again = errors([str(mixed), "--json"], capsys)
    assert len(answers_in(private_index)) == 1
    assert "worker.log" in first[2]  # the line that is not text is reported...
    assert again == first  # ...on the repeat too


def test_an_unknown_service_is_an_error_every_time(
    log: Path, private_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for _ in range(2):
        code, _, err = errors([str(log), "--service", "payments"], capsys)
        assert code == 2
        assert "unknown service 'payments'" in err
    assert answers_in(private_index) == []


@pytest.mark.parametrize("command", ["investigate", "trend", "fixes"])
def test_the_investigation_is_answered_again_the_same(
    command: str, private_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The four commands over one investigation share its kept answer, and the repeat (the
    model rebuilt from plain data) prints exactly what the first run printed."""
    incident = str(FIXTURES / "incident")
    assert run([command, incident, "-q", "--json"]) == 0
    first = capsys.readouterr()
    assert len(answers_in(private_index)) == 1
    assert run([command, incident, "-q", "--json"]) == 0
    assert capsys.readouterr() == first
    assert run([command, incident, "-q"]) == 0  # the terminal view of the kept answer
    assert capsys.readouterr().out.strip()
    assert len(answers_in(private_index)) == 1


def test_sources_are_answered_again_the_same(
    private_index: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    incident = str(FIXTURES / "incident")
    assert run(["sources", incident, "-q", "--json"]) == 0
    first = capsys.readouterr()
    assert run(["sources", incident, "-q", "--json"]) == 0
    assert capsys.readouterr() == first
    assert len(answers_in(private_index)) == 1
    monkeypatch.setenv("LOG_ANALYZER_NO_ANSWERS", "1")
    assert run(["sources", incident, "-q", "--json"]) == 0
    assert capsys.readouterr().out == first.out  # the same as the models print it
    assert run(["sources", incident, "-q"]) == 0
    assert "checkout-service.log" in capsys.readouterr().out


def test_a_setting_from_the_environment_is_part_of_the_key(
    log: Path,
    private_index: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    errors([str(log), "--json"], capsys)
    monkeypatch.setenv("LOG_ANALYZER_MAX_RATIO", "50")  # reading gzip files differently
    errors([str(log), "--json"], capsys)
    assert len(answers_in(private_index)) == 2
