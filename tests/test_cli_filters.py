"""The CLI's filters follow the agent tools' rules and never return nothing silently, and
`parse` merges several files in time order, on clocks corrected for skew (issue 16, items 5
and 6).

The logs are written here as their software writes them: Spring Boot 3's console pattern with
a Lettuce stack trace, Redis 7's own format, Kafka's log4j pattern (two brokers of one
StatefulSet), a pino JSON gateway log."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from log_analyzer.cli.app import run

CHECKOUT = (
    "2026-11-28T14:01:50.204Z  INFO 1 --- [checkout-service] [nio-8080-exec-3] "
    "c.e.checkout.web.CheckoutController     : POST /api/checkout 200 in 38 ms\n"
    "2026-11-28T14:02:03.118Z ERROR 1 --- [checkout-service] [nio-8080-exec-7] "
    "c.e.checkout.cart.CartService           : Cart lookup failed for cart 5f2a\n"
    "io.lettuce.core.RedisCommandTimeoutException: Command timed out after 2 second(s)\n"
    "\tat io.lettuce.core.internal.ExceptionFactory.createTimeoutException("
    "ExceptionFactory.java:59)\n"
    "2026-11-28T14:02:09.871Z  WARN 1 --- [checkout-service] [nio-8080-exec-1] "
    "c.e.checkout.web.CheckoutController     : POST /api/checkout 503 in 2004 ms\n"
)
REDIS = (
    "1:M 28 Nov 2026 14:01:58.332 * 100 changes in 300 seconds. Saving...\n"
    "1:M 28 Nov 2026 14:01:58.334 # Can't save in background: fork: Cannot allocate memory\n"
    "1:M 28 Nov 2026 14:02:05.102 # WARNING: maxmemory reached, evicting keys\n"
)
KAFKA_0 = (
    "[2026-11-28 14:02:01,515] INFO [Partition orders-3 broker=0] ISR updated to 0 "
    "(kafka.cluster.Partition)\n"
    "[2026-11-28 14:02:06,002] ERROR [ReplicaManager broker=0] Error processing append "
    "operation on partition orders-3 (kafka.server.ReplicaManager)\n"
)
KAFKA_1 = (
    "[2026-11-28 14:02:02,733] WARN [ReplicaFetcher replicaId=1, leaderId=0, fetcherId=0] "
    "Error in response for fetch request (kafka.server.ReplicaFetcherThread)\n"
)


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    folder = tmp_path / "logs"
    folder.mkdir()
    for name, text in (
        ("checkout-service.log", CHECKOUT),
        ("redis-server.log", REDIS),
        ("kafka-0.log", KAFKA_0),
        ("kafka-1.log", KAFKA_1),
    ):
        (folder / name).write_text(text)
    return folder


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def stamps(out: str) -> list[str]:
    """The HH:MM:SS.mmm of each `parse` line."""
    return [line.split()[1] for line in out.splitlines()]


# --- windows ----------------------------------------------------------------------------------


def test_a_relative_window_on_old_logs_is_measured_from_their_end(logs: Path, capsys) -> None:
    code, out, err = cli(capsys, "parse", str(logs), "--since", "5s")
    assert code == 0
    # the logs end at 14:02:09.871: the last 5 s are from 14:02:04.871
    assert stamps(out) == ["14:02:05.102", "14:02:06.002", "14:02:09.871"]
    assert "measured from the newest record" in err
    assert "--since 5s = 2026-11-28 14:02:04.871 UTC" in err


def test_a_relative_window_on_live_logs_is_measured_from_now(tmp_path: Path, capsys) -> None:
    now = datetime.now(UTC)
    lines = [
        (now - timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
        + f"Z  INFO 1 --- [orders] [main] c.e.orders.Heartbeat : tick {minutes}\n"
        for minutes in (50, 20, 1)
    ]
    log = tmp_path / "orders.log"
    log.write_text("".join(lines))
    code, out, err = cli(capsys, "parse", str(log), "--since", "30m")
    assert code == 0
    assert [line.rsplit(" ", 1)[-1] for line in out.splitlines()] == ["20", "1"]
    assert "measured from the newest record" not in err


def test_a_time_of_day_is_on_the_logs_last_day(logs: Path, capsys) -> None:
    code, out, _ = cli(capsys, "parse", str(logs), "--since", "14:02", "--until", "14:02:05")
    assert code == 0
    assert stamps(out) == ["14:02:01.515", "14:02:02.733", "14:02:03.118"]


def test_until_before_since_is_an_error(logs: Path, capsys) -> None:
    code, out, err = cli(capsys, "parse", str(logs), "--since", "14:02", "--until", "14:01")
    assert code == 2 and out == ""
    assert "--until '14:01'" in err and "is not after --since '14:02'" in err


@pytest.mark.parametrize("command", ["parse", "errors", "investigate"])
def test_a_window_outside_the_logs_says_so(logs: Path, command: str, capsys) -> None:
    args = [command, str(logs), "--since", "2026-11-27T09:00:00Z", "--until", "2026-11-27T10:00"]
    code, _, err = cli(capsys, *args, *(["--json"] if command != "parse" else []))
    assert code == 0
    assert (
        "no record in the window (2026-11-27 09:00:00 UTC to 2026-11-27 10:00:00 UTC): "
        "the logs run from 2026-11-28 14:01:50.204 UTC to 2026-11-28 14:02:09.871 UTC"
    ) in err


def test_a_level_above_every_record_says_the_highest(logs: Path, capsys) -> None:
    code, out, err = cli(capsys, "parse", str(logs), "--min-level", "critical")
    assert code == 0 and out == ""
    assert "no record is at critical or above: the highest level is error" in err


def test_a_window_outside_a_service_s_logs_says_so(logs: Path, capsys) -> None:
    code, out, err = cli(
        capsys, "parse", str(logs), "--service", "redis-server", "--since", "14:02:06"
    )
    assert code == 0 and out == ""
    assert (
        "no record of redis-server in the window (2026-11-28 14:02:06 UTC to the end): the "
        "logs of redis-server run from 2026-11-28 14:01:58.332 UTC to 2026-11-28 14:02:05.102 UTC"
    ) in err


def test_a_gap_in_a_service_s_logs_says_which_filters_met_it(logs: Path, capsys) -> None:
    code, out, err = cli(
        capsys,
        "parse",
        str(logs),
        "--service",
        "redis-server",
        "--min-level",
        "warning",
        "--since",
        "14:01:59",
        "--until",
        "14:02:05",
    )
    assert code == 0 and out == ""
    assert (
        "no record of redis-server at warning or above in the window (2026-11-28 14:01:59 UTC "
        "to 2026-11-28 14:02:05 UTC): the logs of redis-server run from"
    ) in err


def test_a_filter_that_keeps_records_says_nothing(logs: Path, capsys) -> None:
    code, out, err = cli(capsys, "parse", str(logs), "--min-level", "error")
    assert code == 0
    assert stamps(out) == ["14:02:03.118", "14:02:06.002"]
    assert err == ""


# --- service names ----------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["parse", "errors", "investigate", "trend"])
def test_an_unknown_service_is_an_error_naming_the_closest(
    logs: Path, command: str, capsys
) -> None:
    code, out, err = cli(capsys, command, str(logs), "--service", "checkout")
    assert code == 2 and out == ""
    assert err.count("\n") == 1
    assert "unknown service 'checkout'; did you mean checkout-service?" in err
    assert "known services: checkout-service, kafka, redis-server" in err


def test_a_statefulset_identity_covers_its_pods(logs: Path, capsys) -> None:
    code, out, _ = cli(capsys, "parse", str(logs), "--service", "kafka")
    assert code == 0
    assert [line.split()[3] for line in out.splitlines()] == ["kafka-0", "kafka-1", "kafka-0"]


def test_a_service_name_in_another_case_is_found(logs: Path, capsys) -> None:
    code, out, _ = cli(capsys, "errors", str(logs), "--service", "Checkout-Service", "--json")
    assert code == 0
    groups = json.loads(out)["groups"]
    assert groups and {group["service"] for group in groups} == {"checkout-service"}


def test_service_name_assignment_is_not_a_filter(logs: Path, capsys) -> None:
    """`--service NAME=GLOB` names the service of files; it keeps every record."""
    code, out, _ = cli(capsys, "parse", str(logs), "--service", "cache=*redis*")
    assert code == 0
    services = [line.split()[3] for line in out.splitlines()]
    assert services.count("cache") == 3 and "redis-server" not in services
    assert len(services) == 9


# --- parse across files -----------------------------------------------------------------------


def test_parse_merges_the_files_in_time_order(logs: Path, capsys) -> None:
    code, out, _ = cli(capsys, "parse", str(logs))
    assert code == 0
    assert stamps(out) == sorted(stamps(out))
    assert len(stamps(out)) == 9
    # the multi-line record stays whole, where its first line's time puts it
    assert "Cart lookup failed for cart 5f2a (+2 lines)" in out.splitlines()[5]


def test_parse_limit_applies_after_the_merge(logs: Path, capsys) -> None:
    """The issue's case: an agent told to always pass --limit must see the earliest errors of
    every file, not the first file's."""
    code, out, _ = cli(
        capsys, "parse", str(logs), "--min-level", "warning", "--since", "14:01", "--limit", "3"
    )
    assert code == 0
    assert [(line.split()[1], line.split()[3]) for line in out.splitlines()] == [
        ("14:01:58.334", "redis-server"),
        ("14:02:02.733", "kafka-1"),
        ("14:02:03.118", "checkout-service"),
    ]


def test_parse_jsonl_is_merged_and_keeps_its_fields(logs: Path, capsys) -> None:
    code, out, _ = cli(capsys, "parse", str(logs), "--jsonl")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    times = [row["timestamp"] for row in rows]
    assert times == sorted(times) and len(rows) == 9
    for row in rows:
        assert {"file", "line", "timestamp", "level", "service", "message"} <= set(row)
        assert {"template_id", "template", "template_final"} <= set(row)
        assert row["template_final"] is True
        assert "timestamp_corrected" not in row  # no clock was moved


def skewed(folder: Path, skew_seconds: float = 4.0) -> None:
    """A pino gateway and a Spring Boot service logging the same request ids; the service's
    clock runs `skew_seconds` ahead, more than the 2 s between requests."""
    start = datetime(2026, 11, 28, 14, 0, tzinfo=UTC)
    gateway, orders = [], []
    for i in range(8):
        sent = start + timedelta(seconds=2 * i)
        request = f"{0x5A17C0DE + i:08x}9b21"
        gateway.append(
            f'{{"level":30,"time":{int(sent.timestamp() * 1000)},"pid":7,"hostname":"gw-5d9f",'
            f'"reqId":"{request}","req":{{"method":"POST","url":"/api/orders"}},'
            '"msg":"request received"}\n'
        )
        logged = sent + timedelta(seconds=skew_seconds + 0.02)
        level = "ERROR" if i >= 6 else " INFO"
        orders.append(
            f"{logged.strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3]}Z {level} 1 --- [orders-service] "
            f"[nio-8080-exec-{i + 1}] c.e.orders.OrderController       : create order "
            f"(requestId={request})\n"
        )
    (folder / "api-gateway.log").write_text("".join(gateway))
    (folder / "orders-service.log").write_text("".join(orders))


def test_parse_merges_on_clocks_corrected_for_skew(tmp_path: Path, capsys) -> None:
    skewed(tmp_path)
    code, out, err = cli(capsys, "parse", str(tmp_path), "--limit", "4")
    assert code == 0
    # each request's service record follows its gateway record, although logged 4 s later
    assert [(line.split()[1], line.split()[3]) for line in out.splitlines()] == [
        ("14:00:00.000", "api-gateway"),
        ("14:00:04.020", "orders-service"),
        ("14:00:02.000", "api-gateway"),
        ("14:00:06.020", "orders-service"),
    ]
    assert "clocks corrected for skew (orders-service +4.0s)" in err


def test_parse_jsonl_gives_the_corrected_time_beside_the_logged_one(tmp_path: Path, capsys) -> None:
    skewed(tmp_path)
    code, out, _ = cli(capsys, "parse", str(tmp_path), "--jsonl", "--limit", "2")
    assert code == 0
    gateway, orders = (json.loads(line) for line in out.splitlines())
    assert gateway["service"] == "api-gateway" and "timestamp_corrected" not in gateway
    assert orders["timestamp"] == "2026-11-28T14:00:04.020000+00:00"
    assert orders["timestamp_corrected"] == "2026-11-28T14:00:00+00:00"


def test_standard_input_is_read_once_and_an_empty_window_explained(
    capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stream cannot be read first for its end: a time of day is then on today's date, and
    the window that misses the logs says so from what the one reading saw."""
    import io
    import sys

    if datetime.now(UTC).date().isoformat() == "2026-11-28":
        pytest.skip("today is the logs' day")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(REDIS.encode())))
    code, out, err = cli(capsys, "parse", "-", "--since", "14:02")
    assert code == 0 and out == ""
    assert "the logs run from 2026-11-28 14:01:58.332 UTC to 2026-11-28 14:02:05.102 UTC" in err
