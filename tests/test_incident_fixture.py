"""The bundled checkout incident (`fixtures/incident/`): reproducible from its generator, read
cleanly by the ingest layer, and matching the ground truth `fixtures/README.md` states."""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType

import pytest

from log_analyzer.ingest import SourceStats, open_paths
from log_analyzer.records import Record

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT / "fixtures" / "generate_incident.py"
INCIDENT = ROOT / "fixtures" / "incident"

# relative path -> (detected format, service)
EXPECTED = {
    "checkout-service.log": ("spring-boot", "checkout-service"),
    "cart-service.log": ("pino", "cart-service"),
    "payment-service.log": ("python", "payment-service"),
    "redis/redis-server.log": ("redis", "redis"),
    "nginx/access.log": ("access-combined", "nginx"),
    "worker-cron.log": ("celery", "worker-cron"),
}
REDIS_SKEW = timedelta(seconds=2.3)


def at(hour: int, minute: int, second: float) -> datetime:
    return datetime(2026, 11, 28, hour, minute, tzinfo=UTC) + timedelta(seconds=second)


def load_generator(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_incident", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def relative_files(directory: Path) -> set[str]:
    return {p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def parsed() -> tuple[dict[str, list[Record]], dict[str, SourceStats]]:
    workspace = open_paths([str(INCIDENT)])
    records: dict[str, list[Record]] = {}
    stats: dict[str, SourceStats] = {}
    for parser in workspace.parsers:
        assert parser.source.path is not None
        name = parser.source.path.relative_to(INCIDENT).as_posix()
        records[name] = list(parser)
        stats[name] = parser.stats
    return records, stats


def test_regenerating_with_the_default_seed_is_byte_identical(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    generator = load_generator(monkeypatch)
    assert generator.main(["--out", str(tmp_path)]) == 0
    capsys.readouterr()
    assert relative_files(tmp_path) == relative_files(INCIDENT) == set(EXPECTED)
    for name in EXPECTED:
        assert (tmp_path / name).read_bytes() == (INCIDENT / name).read_bytes(), name


def test_another_seed_tells_another_story(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    generator = load_generator(monkeypatch)
    assert generator.main(["--seed", "8", "--out", str(tmp_path)]) == 0
    capsys.readouterr()
    name = "cart-service.log"
    assert (tmp_path / name).read_bytes() != (INCIDENT / name).read_bytes()


def test_size_is_realistic_and_small() -> None:
    lines = sum((INCIDENT / name).read_bytes().count(b"\n") for name in EXPECTED)
    size = sum((INCIDENT / name).stat().st_size for name in EXPECTED)
    assert 5_000 <= lines <= 20_000
    assert size < 3_000_000


def test_every_file_is_detected_parsed_and_attributed(
    parsed: tuple[dict[str, list[Record]], dict[str, SourceStats]],
) -> None:
    records, stats = parsed
    assert set(stats) == set(EXPECTED)
    for name, (fmt, service) in EXPECTED.items():
        stat = stats[name]
        assert stat.format == fmt, name
        assert stat.service == service, name
        assert stat.unparsed == 0, name
        assert stat.records == len(records[name]) == stat.timestamped, name
        assert set(stat.formats) == {fmt}, name
        assert {record.service for record in records[name]} == {service}, name
        assert stat.first is not None and stat.last is not None
        assert at(13, 45, 0) <= stat.first <= stat.last < at(14, 15, 0), name


def test_multi_line_traces_are_joined(
    parsed: tuple[dict[str, list[Record]], dict[str, SourceStats]],
) -> None:
    records, _ = parsed
    java = [r for r in records["checkout-service.log"] if "Caused by:" in r.message]
    assert len(java) >= 20
    assert all(r.end_line > r.line and r.level == "error" for r in java)
    oom = [
        r for r in java if "RedisCommandExecutionException: OOM command not allowed" in r.message
    ]
    assert oom
    # The whole trace, nested causes included, is one record; the blank lines around it are not.
    assert oom[0].message.rstrip().endswith("... 1 more")
    assert "\n\norg.springframework.data.redis.RedisSystemException" in oom[0].message
    timeouts = [r for r in java if "Command timed out after 2 second(s)" in r.message]
    assert timeouts
    python = [r for r in records["payment-service.log"] if "Traceback" in r.message]
    assert python
    assert all(r.end_line > r.line and r.level == "error" for r in python)
    assert all(
        r.message.endswith("IdempotencyStoreError: idempotency store unavailable") for r in python
    )
    # Physical lines add up: every line is a record's first line or one of its continuations.
    for name, file_records in records.items():
        lines = (INCIDENT / name).read_bytes().count(b"\n")
        covered = sum(r.end_line - r.line + 1 for r in file_records)
        assert covered == lines, name


def first(records: list[Record], needle: str) -> Record:
    return next(r for r in records if needle in r.message)


def when(record: Record) -> datetime:
    assert record.timestamp is not None, record
    return record.timestamp


def test_ground_truth_first_failure_and_cascade(
    parsed: tuple[dict[str, list[Record]], dict[str, SourceStats]],
) -> None:
    records, _ = parsed
    redis = first(records["redis/redis-server.log"], "Can't save in background")
    assert (redis.line, redis.level) == (17, "warning")
    assert redis.timestamp == at(14, 1, 58.142)
    assert next(r for r in records["redis/redis-server.log"] if r.level == "warning") is redis
    cart = first(records["cart-service.log"], "OOM command not allowed")
    checkout = first(records["checkout-service.log"], "Could not lock cart")
    payments = first(records["payment-service.log"], "Idempotency store unavailable")
    checkout_503 = first(records["checkout-service.log"], "Payment authorization failed")
    nginx = next(
        r
        for r in records["nginx/access.log"]
        if r.level == "error" and "/api/recommendations" not in r.message
    )
    assert (cart.line, cart.timestamp) == (1795, at(14, 2, 3.214))
    assert (nginx.line, nginx.timestamp) == (1483, at(14, 2, 3))
    assert (checkout.line, checkout.timestamp) == (1356, at(14, 2, 4.621))
    assert (payments.line, payments.timestamp) == (765, at(14, 2, 5.914))
    assert (checkout_503.line, checkout_503.timestamp) == (1459, at(14, 2, 5.916))
    assert "OutOfMemoryError" in payments.message
    # Corrected for the Redis clock, the cascade is in time order.
    cascade = [when(redis) - REDIS_SKEW, when(cart), when(checkout)]
    cascade += [when(payments), when(checkout_503)]
    assert cascade == sorted(cascade)
    assert cascade[0] == at(14, 1, 55.842)
    # Nothing about Redis memory anywhere before the first failure.
    for file_records in records.values():
        for record in file_records:
            if record.timestamp is not None and record.timestamp < at(14, 1, 58):
                assert "OOM" not in record.message
                assert "Cannot allocate memory" not in record.message


def test_ground_truth_mitigation_and_recovery(
    parsed: tuple[dict[str, list[Record]], dict[str, SourceStats]],
) -> None:
    records, _ = parsed
    checkout = records["checkout-service.log"]
    sigterm = first(checkout, "Commencing graceful shutdown")
    started = first(checkout, "Started CheckoutApplication in")
    assert (sigterm.line, sigterm.timestamp) == (5662, at(14, 9, 40.205))
    assert (started.line, started.timestamp) == (5691, at(14, 9, 50.952))
    bad_gateway = [r for r in records["nginx/access.log"] if r.fields and r.fields["status"] == 502]
    assert [r.line for r in bad_gateway] == [2157, 2162, 2170]
    assert all(when(sigterm) <= when(r) <= when(started) for r in bad_gateway)
    # No OOM once maxmemory was raised at 14:09:05.
    for name in ("cart-service.log", "payment-service.log", "checkout-service.log"):
        late = [r for r in records[name] if r.timestamp and r.timestamp > at(14, 9, 8)]
        assert not [r for r in late if "OOM command not allowed" in r.message], name
    # Errors per minute: a spike, recovery by ~14:12, still a little above the baseline.
    errors = Counter(
        r.timestamp.replace(second=0, microsecond=0)
        for name in ("cart-service.log", "payment-service.log", "nginx/access.log")
        for r in records[name]
        if r.level == "error" and r.timestamp is not None
    )
    baseline = sum(errors[at(13, 45 + m, 0)] for m in range(15))
    spike = sum(errors[at(14, 2 + m, 0)] for m in range(7))
    tail = sum(errors[at(14, 10 + m, 0)] for m in range(5))
    assert spike > 20 * max(baseline, 1)
    assert baseline / 15 < tail / 5 < spike / 7 / 5


def test_ground_truth_clock_skew_anchors(
    parsed: tuple[dict[str, list[Record]], dict[str, SourceStats]],
) -> None:
    records, _ = parsed
    slow = [r for r in records["cart-service.log"] if r.message == "slow redis command"]
    forks = [
        r for r in records["redis/redis-server.log"] if "Background saving started" in r.message
    ]
    assert len(slow) == len(forks) == 6
    for warning, fork in zip(slow, forks, strict=True):
        assert warning.timestamp is not None and fork.timestamp is not None
        offset = (fork.timestamp - warning.timestamp).total_seconds()
        assert offset == pytest.approx(2.3, abs=0.005)
    # Request ids shared by checkout and cart (and payments) bracket each other within
    # milliseconds: those clocks agree.
    incoming = {
        r.fields["reqId"]: r.timestamp
        for r in records["cart-service.log"]
        if r.fields and r.message == "incoming request"
    }
    pairs = 0
    for record in records["checkout-service.log"]:
        if record.message.startswith("Checkout requested") and record.timestamp is not None:
            request_id = record.message.rsplit("requestId=", 1)[1].rstrip(")")
            cart_time = incoming[request_id]
            assert cart_time is not None
            assert timedelta(0) <= cart_time - record.timestamp <= timedelta(milliseconds=5)
            pairs += 1
    assert pairs > 100


def test_red_herrings_run_at_a_constant_rate(
    parsed: tuple[dict[str, list[Record]], dict[str, SourceStats]],
) -> None:
    records, _ = parsed

    def halves(rows: list[Record]) -> tuple[int, int]:
        before = sum(1 for r in rows if r.timestamp is not None and r.timestamp < at(14, 0, 0))
        return before, len(rows) - before

    worker = [r for r in records["worker-cron.log"] if r.level == "warning"]
    reco = [
        r for r in records["checkout-service.log"] if "Recommendations unavailable" in r.message
    ]
    deprecated = [r for r in records["checkout-service.log"] if "is deprecated" in r.message]
    for rows in (worker, reco, deprecated):
        before, after = halves(rows)
        assert before and after
        assert 0.5 <= before / after <= 2.0
