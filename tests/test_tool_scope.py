"""What a tool call's window and service mean: relative windows measured from the logs when the
logs are older than the window, a time of day on the logs' day, service names resolved (any
case, a StatefulSet's identity covering its pods) or refused with the known names, a window
outside the logs explained, `parse_logs replace=true` loading another incident, and the
raw time shown beside the corrected one when a clock correction moved an event."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from log_analyzer.agent.registry import call
from log_analyzer.agent.roots import AllowedRoots
from log_analyzer.agent.workspace import Workspace
from log_analyzer.analysis.service_names import ServiceNames, UnknownService
from log_analyzer.relative_window import resolve_bound

START = datetime(2025, 3, 14, 9, 20, tzinfo=UTC)


def _spring(when: datetime, level: str, logger: str, text: str, thread: str = "exec-4") -> str:
    stamp = when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}+00:00"
    return f"{stamp} {level:>5} 1 --- [nio-8080-{thread}] {logger:<40} : {text}"


def _kafka(when: datetime, level: str, text: str) -> str:
    stamp = when.strftime("%Y-%m-%d %H:%M:%S,") + f"{when.microsecond // 1000:03d}"
    return f"[{stamp}] {level} {text} (kafka.server.ReplicaManager)"


@pytest.fixture()
def incident(tmp_path: Path) -> Path:
    """An order service and two brokers of a Kafka StatefulSet, 20 minutes in 2025."""
    folder = tmp_path / "orders-incident"
    folder.mkdir()
    orders: list[str] = []
    brokers: dict[int, list[str]] = {0: [], 1: []}
    for second in range(0, 1200, 3):
        when = START + timedelta(seconds=second, milliseconds=second % 997)
        orders.append(
            _spring(when, "INFO", "c.a.orders.web.OrderController", f"order {second} accepted")
        )
        if second >= 600 and second % 9 == 0:
            orders.append(
                _spring(
                    when,
                    "ERROR",
                    "o.a.k.clients.producer.KafkaProducer",
                    "Expiring 3 record(s) for orders-2:120001 ms has passed since batch creation",
                )
            )
        for broker, lines in brokers.items():
            lines.append(
                _kafka(when, "INFO", f"[ReplicaManager broker={broker}] Incremented HW to {second}")
            )
    (folder / "order-service.log").write_text("\n".join(orders) + "\n")
    for broker, lines in brokers.items():
        (folder / f"kafka-{broker}.log").write_text("\n".join(lines) + "\n")
    return folder


@pytest.fixture()
def workspace(incident: Path) -> Workspace:
    space = Workspace(AllowedRoots([str(incident.parent)]))
    space.load([str(incident)])
    return space


def _data(text: str) -> dict[str, Any]:
    body = text.split("\n", 1)[1].rsplit("\n", 1)[0]
    data: dict[str, Any] = json.loads(body.replace("<\\/", "</"))
    return data


def test_a_relative_window_on_old_logs_is_measured_from_their_newest_record(
    workspace: Workspace,
) -> None:
    result = call(workspace, "count_per_minute", {"since": "5m", "min_level": "info"})
    assert not result.is_error, result.text
    data = _data(result.text)
    # the logs end at 09:39:57; five minutes before that, not before today's clock
    assert data["rows"][0].startswith("2025-03-14T09:34:00Z")
    assert data["rows"][-1].startswith("2025-03-14T09:39:00Z")
    (note,) = data["window_notes"]
    assert "newest record" in note and "2025-03-14 09:39:5" in note


def test_a_relative_window_on_live_logs_is_measured_from_now() -> None:
    now = datetime.now(UTC)
    bound = resolve_bound("30m", "since", newest=now - timedelta(minutes=2), now=now)
    assert bound.when == now - timedelta(minutes=30)
    assert not bound.from_logs


def test_a_time_of_day_is_on_the_logs_day(workspace: Workspace) -> None:
    result = call(
        workspace,
        "search_logs",
        {"pattern": "Expiring", "since": "09:30", "until": "09:31", "limit": 50},
    )
    data = _data(result.text)
    assert data["matches_total"] > 0
    assert all(hit["timestamp"].startswith("2025-03-14T09:30") for hit in data["hits"])


def test_an_unknown_service_is_an_error_that_names_the_closest(workspace: Workspace) -> None:
    result = call(workspace, "search_logs", {"pattern": "order", "service": "orders"})
    assert result.is_error
    assert "unknown service 'orders'" in result.text
    assert "did you mean order-service" in result.text
    assert "kafka" in result.text  # the known services are listed


def test_a_service_name_in_another_case_is_the_same_service(workspace: Workspace) -> None:
    exact = _data(
        call(workspace, "search_logs", {"pattern": "Expiring", "service": "order-service"}).text
    )
    loud = _data(
        call(workspace, "search_logs", {"pattern": "Expiring", "service": "Order-Service"}).text
    )
    assert exact["matches_total"] == loud["matches_total"] > 0


def test_a_statefulset_identity_covers_its_pods(workspace: Workspace) -> None:
    data = _data(
        call(
            workspace, "search_logs", {"pattern": r"HW to 3\b", "regex": True, "service": "kafka"}
        ).text
    )
    assert {hit["service"] for hit in data["hits"]} == {"kafka-0", "kafka-1"}
    loaded = _data(call(workspace, "parse_logs", {"paths": [workspace.summaries[0].file]}).text)
    assert "kafka (kafka-0 kafka-1)" in loaded["services"]


def test_a_window_outside_the_logs_says_why_it_is_empty(workspace: Workspace) -> None:
    data = _data(call(workspace, "group_errors", {"since": "2026-01-01T00:00:00Z"}).text)
    assert data["groups"] == []
    assert any("holds no record" in note and "2025-03-14" in note for note in data["window_notes"])


def test_a_window_that_ends_before_it_starts_is_an_error(workspace: Workspace) -> None:
    result = call(workspace, "count_per_minute", {"since": "09:35", "until": "09:30"})
    assert result.is_error and "not after since" in result.text


def test_parse_logs_replace_loads_another_incident(workspace: Workspace, incident: Path) -> None:
    other = incident.parent / "other-incident"
    other.mkdir()
    (other / "billing.log").write_text(
        _spring(START, "ERROR", "c.a.billing.Invoicer", "Invoice run failed: disk full") + "\n"
    )
    missing = call(workspace, "parse_logs", {"paths": [str(other / "nope.log")], "replace": True})
    assert missing.is_error
    assert len(workspace.sources) == 3  # a failed replace unloads nothing
    data = _data(call(workspace, "parse_logs", {"paths": [str(other)], "replace": True}).text)
    assert data["unloaded"] == 3 and data["sources_in_workspace"] == 1
    assert data["services"] == ["billing"]


def test_service_names_resolve_and_refuse() -> None:
    names = ServiceNames(["checkout-service", "redis-0", "redis-1", "nginx"])
    assert names.resolve("redis") == ("redis-0", "redis-1")
    assert names.resolve("REDIS-1") == ("redis-1",)
    with pytest.raises(UnknownService, match="did you mean checkout-service"):
        names.resolve("checkout")
    with pytest.raises(UnknownService, match="known services: checkout-service, nginx, redis"):
        names.resolve("payments")
