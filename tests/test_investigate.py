"""`investigate`: first failure, root cause, cascade, chronic noise, clock skew, contract."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from log_analyzer.analysis.investigate import investigate
from log_analyzer.cli.app import run

from .conftest import FIXTURES

INCIDENT = str(FIXTURES / "incident")


@pytest.fixture(scope="module")
def incident():
    return investigate([INCIDENT])


def test_first_failure_is_the_redis_fork_failure(incident) -> None:
    first = incident.first_failure
    assert first is not None
    assert (first.service, first.file, first.line) == (
        "redis",
        f"{INCIDENT}/redis/redis-server.log",
        17,
    )
    assert first.timestamp == datetime(2026, 11, 28, 14, 1, 58, 142000, tzinfo=UTC)
    assert "Can't save in background: fork: Cannot allocate memory" in first.text


def test_root_cause_and_cascade_follow_the_ground_truth(incident) -> None:
    assert incident.root_cause is not None
    assert incident.root_cause.service == "redis"
    order = [step.service for step in incident.cascade]
    assert order[0] == "redis"
    # nginx writes whole seconds: its first 500 (14:02:03) and cart's first error
    # (14:02:03.214) fall in the same second, in either order
    assert set(order[1:3]) == {"cart-service", "nginx"}
    assert order[3:] == ["checkout-service", "payment-service"]
    by_service = {step.service: step for step in incident.cascade}
    assert by_service["cart-service"].caused_by == "redis"
    assert by_service["checkout-service"].caused_by == "cart-service"
    assert incident.cascade[0].caused_by is None


def test_chronic_groups_are_flagged_and_never_blamed(incident) -> None:
    chronic = {g.label for g in incident.error_groups if g.chronic}
    assert "nginx 504 GET /api/recommendations" in chronic
    assert any(label.startswith("RecommendationClient") for label in chronic)
    assert any("Supplier feed" in label for label in chronic)
    blamed = {incident.first_failure.group_id, incident.root_cause.group_id}
    assert not blamed & {g.id for g in incident.error_groups if g.chronic}
    fork = next(g for g in incident.error_groups if g.service == "redis" and not g.chronic)
    assert fork.count == 77


def test_trend_onset_and_rate_series(incident) -> None:
    assert incident.trend == "recovering"
    assert incident.onset == datetime(2026, 11, 28, 14, 2, tzinfo=UTC)
    series = incident.error_rate.series
    assert incident.error_rate.bucket_seconds == 60
    assert len(series) == 30
    assert series[0].start == datetime(2026, 11, 28, 13, 45, tzinfo=UTC)
    spike = next(p for p in series if p.start == incident.onset)
    assert sum(spike.counts.values()) > incident.error_rate.threshold


def test_timeline_has_the_restart(incident) -> None:
    kinds = {(e.kind, e.service) for e in incident.timeline}
    assert ("restart", "checkout-service") in kinds
    assert ("spike", "*") in kinds
    times = [e.timestamp for e in incident.timeline]
    assert times == sorted(times)


def test_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["investigate", INCIDENT, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert {
        "sources",
        "window",
        "error_groups",
        "first_failure",
        "root_cause",
        "cascade",
        "timeline",
        "error_rate",
        "trend",
        "skew_seconds",
        "recommendations",
    } <= set(report)
    assert set(report["window"]) == {"start", "end"}
    group = report["error_groups"][0]
    assert {
        "id",
        "label",
        "template",
        "service",
        "level",
        "count",
        "first_seen",
        "last_seen",
        "example",
        "chronic",
    } <= set(group)
    assert set(report["first_failure"]) >= {
        "service",
        "file",
        "line",
        "timestamp",
        "group_id",
        "text",
    }
    assert set(report["root_cause"]) >= {"service", "group_id", "summary", "confidence", "evidence"}
    assert set(report["cascade"][0]) >= {"service", "onset", "group_id", "caused_by"}
    assert set(report["timeline"][0]) >= {"timestamp", "service", "event", "file", "line"}
    assert set(report["error_rate"]) >= {"bucket_seconds", "series"}
    assert (
        report["first_failure"]["timestamp"].endswith("Z")
        or "+" in report["first_failure"]["timestamp"]
    )


def test_bucket_width_and_bad_bucket(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["trend", INCIDENT, "--json", "--bucket", "5m"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["error_rate"]["bucket_seconds"] == 300
    assert len(report["error_rate"]["series"]) == 6
    assert run(["trend", INCIDENT, "--bucket", "fast"]) == 2
    assert "--bucket 'fast'" in capsys.readouterr().err


# -- synthetic incidents --------------------------------------------------------------------

T0 = datetime(2026, 11, 28, 14, 0, tzinfo=UTC)


def _python_line(when: datetime, logger: str, level: str, message: str) -> str:
    stamp = when.strftime("%Y-%m-%d %H:%M:%S,") + f"{when.microsecond // 1000:03d}"
    return f"{stamp} - {logger} - {level} - {message}\n"


def _write(path: Path, lines: list[tuple[datetime, str]]) -> None:
    path.write_text("".join(text for _, text in sorted(lines)))


def test_a_steady_chronic_error_is_not_the_first_failure(tmp_path: Path) -> None:
    rng = random.Random(5)
    api, db = [], []
    for second in range(0, 30 * 60, 7):
        when = T0 + timedelta(seconds=second, milliseconds=rng.randint(0, 999))
        api.append((when, _python_line(when, "api.views", "INFO", f"GET /items/{second} 200")))
    for minute in range(30):  # chronic: one error a minute, all along
        when = T0 + timedelta(minutes=minute, seconds=31)
        api.append(
            (
                when,
                _python_line(
                    when, "api.cache", "ERROR", f"cache warmup skipped: stale manifest v{minute}"
                ),
            )
        )
    incident = T0 + timedelta(minutes=20, seconds=4)
    db.append(
        (
            incident,
            _python_line(
                incident, "db.pool", "CRITICAL", "could not extend file: No space left on device"
            ),
        )
    )
    for i in range(120):
        when = incident + timedelta(seconds=2 + i * 2)
        api.append(
            (
                when,
                _python_line(
                    when, "api.orders", "ERROR", f"order {1000 + i} failed: database unavailable"
                ),
            )
        )
    _write(tmp_path / "api.log", api)
    _write(tmp_path / "db.log", db)
    report = investigate([str(tmp_path)])
    assert report.first_failure is not None
    assert (report.first_failure.service, report.first_failure.line) == ("db", 1)
    chronic = [g for g in report.error_groups if g.chronic]
    assert [g.label for g in chronic] == ["cache cache warmup skipped: stale manifest"]
    assert report.root_cause is not None and report.root_cause.service == "db"


def test_a_clock_three_seconds_behind_is_measured_and_corrected(tmp_path: Path) -> None:
    """`web` writes its clock 3 s behind: its symptoms look earlier than the database's first
    failure, until the request ids it shares with `api` show the skew."""
    rng = random.Random(9)
    api, web, db = [], [], []
    behind = timedelta(seconds=3)
    for n in range(400):  # normal traffic, ids shared by web and api
        true = T0 + timedelta(seconds=n * 4, milliseconds=rng.randint(0, 900))
        rid = f"req-{n:05d}"
        web.append(
            (
                true - behind,
                _python_line(
                    true - behind, "web.proxy", "INFO", f"GET /cart request_id={rid} -> api"
                ),
            )
        )
        api.append(
            (
                true + timedelta(milliseconds=12),
                _python_line(
                    true + timedelta(milliseconds=12),
                    "api.cart",
                    "INFO",
                    f"served request_id={rid}",
                ),
            )
        )
    failure = T0 + timedelta(minutes=20)
    db.append(
        (failure, _python_line(failure, "db.server", "CRITICAL", "sorry, too many clients already"))
    )
    for i in range(60):
        true = failure + timedelta(seconds=1 + i)
        rid = f"req-f{i:04d}"
        web.append(
            (
                true - behind,
                _python_line(
                    true - behind, "web.proxy", "ERROR", f"upstream api failed request_id={rid} 502"
                ),
            )
        )
        api.append(
            (
                true + timedelta(milliseconds=5),
                _python_line(
                    true + timedelta(milliseconds=5),
                    "api.cart",
                    "ERROR",
                    f"database db unavailable request_id={rid}",
                ),
            )
        )
    for name, lines in (("api", api), ("web", web), ("db", db)):
        _write(tmp_path / f"{name}.log", lines)
    report = investigate([str(tmp_path)])
    assert report.skew_seconds["web"] == pytest.approx(-3.0, abs=0.05)
    assert report.skew_seconds["api"] == pytest.approx(0.0, abs=0.05)
    assert report.first_failure is not None
    assert report.first_failure.service == "db"
    order = [step.service for step in report.cascade]
    assert order.index("db") < order.index("web")


def test_the_process_the_kernel_kills_names_the_root_cause(tmp_path: Path) -> None:
    """`Killed process 4242 (java)` blames the service whose records carry pid 4242."""
    rng = random.Random(11)
    app, kernel = [], []
    for second in range(0, 25 * 60, 5):
        when = T0 + timedelta(seconds=second, milliseconds=rng.randint(0, 999))
        stamp = when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"
        app.append(
            (
                when,
                f"{stamp}  INFO 4242 --- [inventory] [nio-8080-exec-1] "
                f"c.e.inventory.Api : GET /stock/{second} 200\n",
            )
        )
    killed = T0 + timedelta(minutes=20, seconds=6)
    kernel.append(
        (
            killed,
            killed.strftime("%Y-%m-%dT%H:%M:%S.000000+00:00") + " inv-1 kernel: "
            "[1834512.118442] Out of memory: Killed process 4242 (java) "
            "total-vm:9123456kB, anon-rss:7321044kB\n",
        )
    )
    for i in range(40):
        when = killed + timedelta(seconds=2 + i * 3)
        stamp = when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"
        app.append(
            (
                when,
                f"{stamp} ERROR 4242 --- [inventory] [nio-8080-exec-2] "
                f"c.e.inventory.Api : stock lookup {i} failed: connection reset\n",
            )
        )
    _write(tmp_path / "inventory.log", app)
    (tmp_path / "node").mkdir()
    _write(tmp_path / "node" / "syslog", kernel)
    report = investigate([str(tmp_path)])
    assert report.first_failure is not None
    assert report.first_failure.service == "kernel"
    assert report.root_cause is not None
    assert report.root_cause.service == "inventory"
