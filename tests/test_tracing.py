"""`analysis.tracing`: failing requests followed across services by the ids they share, and
the vote over them for the service where failures begin.

A storefront (Node.js, pino, `reqId`) calls orders (Go, zap, `request_id`), which calls
inventory (logrus logfmt, whole seconds, `request_id`). Records go through the investigation's
own `Collector`, which keeps the trace book and the sightings of every id.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

from log_analyzer.analysis.collect import Collector
from log_analyzer.analysis.tracing import TraceBook, TraceVotes, vote
from log_analyzer.ingest import parse_lines
from log_analyzer.levels import RANK
from log_analyzer.records import Record

T0 = datetime(2026, 11, 28, 14, 20, tzinfo=UTC)

Entry = tuple[datetime, str, str]  # when, service, line


def storefront(when: datetime, level: int, message: str, rid: str) -> Entry:
    body = {
        "level": level,
        "time": int(when.timestamp() * 1000),
        "pid": 18,
        "hostname": "storefront-6c9f7d8b5-q4k2x",
        "reqId": rid,
        "msg": message,
    }
    return when, "storefront", json.dumps(body)


def zap(service: str, when: datetime, level: str, message: str, rid: str, **extra: str) -> Entry:
    body = {
        "level": level,
        "ts": when.timestamp(),
        "caller": f"{service}/service.go:77",
        "msg": message,
        "request_id": rid,
        **extra,
    }
    return when, service, json.dumps(body)


def orders(when: datetime, level: str, message: str, rid: str, **extra: str) -> Entry:
    return zap("orders", when, level, message, rid, **extra)


def logfmt(service: str, when: datetime, level: str, message: str, rid: str, **extra: str) -> Entry:
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")  # whole seconds
    fields = "".join(f' {k}="{v}"' for k, v in extra.items())
    return when, service, f'time="{stamp}" level={level} msg="{message}" request_id={rid}{fields}'


def inventory(when: datetime, level: str, message: str, rid: str, **extra: str) -> Entry:
    return logfmt("inventory", when, level, message, rid, **extra)


def collect(entries: Iterable[Entry]) -> tuple[Collector, list[Record]]:
    by_service: dict[str, list[tuple[datetime, str]]] = {}
    for when, service, text in entries:
        by_service.setdefault(service, []).append((when, text))
    collector = Collector(60)
    found: list[Record] = []
    for service, lines in sorted(by_service.items()):
        ordered = [text for _, text in sorted(lines, key=lambda item: item[0])]
        found += parse_lines(ordered, f"/var/log/{service}.log", service)
    for record in found:
        collector.add(record)
    return collector, found


def every_error(found: list[Record]) -> set[tuple[str, int]]:
    return {
        (r.file, r.line) for r in found if r.level is not None and RANK[r.level] >= RANK["error"]
    }


def votes_of(
    collector: Collector, incident: set[tuple[str, int]], skew: dict[str, float] | None = None
) -> TraceVotes:
    offsets = skew or {}
    return vote(
        collector.traces,
        collector.skew.sightings,
        lambda file, line: (file, line) in incident,
        lambda service, when: when - offsets.get(service, 0.0),
    )


def failing_request(n: int, start: datetime) -> list[Entry]:
    """Inventory deadlocks; orders, then the storefront, report what they got back."""
    rid = f"req-{n:06x}"
    return [
        storefront(start, 30, "incoming request", rid),
        orders(start + timedelta(milliseconds=4), "info", "placing order", rid),
        inventory(start + timedelta(milliseconds=9), "info", "reserving stock", rid),
        inventory(
            start + timedelta(milliseconds=310),
            "error",
            "reserve stock failed",
            rid,
            error="pq: deadlock detected",
        ),
        orders(
            start + timedelta(milliseconds=1320),
            "error",
            "reserve stock failed",
            rid,
            error="inventory returned 500",
        ),
        storefront(start + timedelta(milliseconds=1330), 50, "order placement failed", rid),
    ]


def test_failing_requests_vote_for_the_service_where_the_earliest_error_is() -> None:
    entries = [e for n in range(12) for e in failing_request(n, T0 + timedelta(seconds=5 * n))]
    collector, found = collect(entries)
    votes = votes_of(collector, every_error(found))
    assert votes.requests == 12
    assert votes.origins == {"inventory": 12}
    assert votes.share("inventory") == 1.0
    assert votes.share("orders") == 0.0
    assert votes.summary("inventory") == "12 of 12 failing requests begin in inventory"
    assert votes.links[("orders", "inventory")] == 12
    # the storefront failed right after orders did: its immediate cause, not the far end
    assert votes.links[("storefront", "orders")] == 12
    assert ("storefront", "inventory") not in votes.links
    file, line = votes.example["inventory"]
    first_error = next(r for r in found if r.service == "inventory" and r.level == "error")
    assert (file, line) == (first_error.file, first_error.line)


def test_only_incident_records_vote() -> None:
    """In every request the storefront first logs a warning that is chronic noise (not part
    of the incident): the vote goes to the earliest incident error, in inventory."""
    entries = []
    for n in range(10):
        start = T0 + timedelta(seconds=5 * n)
        rid = f"req-{n:06x}"
        entries += failing_request(n, start)
        entries.append(
            storefront(
                start + timedelta(milliseconds=1),
                40,
                "session cookie missing, using guest cart",
                rid,
            )
        )
    collector, found = collect(entries)
    incident = {
        (r.file, r.line)
        for r in found
        if r.level == "error"  # the incident's groups: errors, not the chronic warning
    }
    votes = votes_of(collector, incident)
    assert votes.origins == {"inventory": 10}
    # the warning is in the book (the earliest warning-or-worse of the storefront) ...
    book = collector.traces.failures["req-000000"]
    assert book["storefront"][3] == RANK["warning"]
    # ... but, not an incident record, the storefront does not join the vote
    assert ("storefront", "inventory") not in votes.links
    assert votes.links[("orders", "inventory")] == 10


def test_a_tie_at_whole_seconds_goes_to_the_deeper_callee() -> None:
    """Both services write whole seconds and fail within the same second: the one that joined
    the request last (the callee) is where the failure began, whatever the names' order."""
    entries: list[Entry] = []
    for n in range(6):
        start = T0 + timedelta(seconds=10 * n)
        rid = f"req-{n:06x}"
        entries += [
            logfmt("api-gateway", start, "info", "proxying request", rid, route="/api/orders"),
            logfmt("stock", start + timedelta(seconds=1), "info", "reserving stock", rid),
            logfmt(
                "stock",
                start + timedelta(seconds=1, milliseconds=200),
                "error",
                "reserve stock failed",
                rid,
                error="pq: deadlock detected",
            ),
            logfmt(
                "api-gateway",
                start + timedelta(seconds=1, milliseconds=700),
                "error",
                "upstream returned 500",
                rid,
                upstream="stock",
            ),
        ]
    collector, found = collect(entries)
    first = [
        r
        for r in found
        if r.level == "error" and (r.fields or {}).get("request_id") == "req-000000"
    ]
    assert len(first) == 2
    assert {r.timestamp for r in first} == {T0 + timedelta(seconds=1)}  # the tie: 14:20:01
    votes = votes_of(collector, every_error(found))
    assert votes.origins == {"stock": 6}
    assert votes.links[("api-gateway", "stock")] == 6


def test_reverse_links_are_counted() -> None:
    """Eight requests fail first in inventory, three first in orders (a bad payload that
    inventory rejects after orders logged its own error): both directions are counted."""
    entries = [e for n in range(8) for e in failing_request(n, T0 + timedelta(seconds=5 * n))]
    for n in range(8, 11):
        start = T0 + timedelta(seconds=5 * n)
        rid = f"req-{n:06x}"
        entries += [
            orders(start, "info", "placing order", rid),
            orders(
                start + timedelta(milliseconds=20),
                "error",
                "order validation failed",
                rid,
                error="line 3: quantity must be positive",
            ),
            inventory(
                start + timedelta(seconds=2),
                "error",
                "reserve stock rejected",
                rid,
                error="negative quantity",
            ),
        ]
    collector, found = collect(entries)
    votes = votes_of(collector, every_error(found))
    assert votes.requests == 11
    assert votes.origins == {"inventory": 8, "orders": 3}
    assert votes.links[("orders", "inventory")] == 8
    assert votes.links[("inventory", "orders")] == 3


def test_requests_seen_by_one_service_do_not_vote() -> None:
    entries = [
        # inventory alone: says nothing about who failed first
        inventory(T0, "error", "reserve stock failed", "req-solo01", error="pq: deadlock detected"),
        # orders saw this one too (no error there): inventory's failure begins it
        orders(T0 + timedelta(seconds=5), "info", "placing order", "req-pair01"),
        inventory(
            T0 + timedelta(seconds=6),
            "error",
            "reserve stock failed",
            "req-pair01",
            error="pq: deadlock detected",
        ),
    ]
    collector, found = collect(entries)
    votes = votes_of(collector, every_error(found))
    assert votes.requests == 1
    assert votes.origins == {"inventory": 1}
    assert not votes.links


def test_times_are_put_on_one_clock_before_the_vote() -> None:
    """Inventory's clock runs 3 s ahead: on its own clock its errors look later than those of
    orders; corrected, they come first."""
    entries = []
    for n in range(5):
        start = T0 + timedelta(seconds=10 * n)
        rid = f"req-{n:06x}"
        entries += [
            orders(start, "info", "placing order", rid),
            inventory(
                start + timedelta(seconds=3, milliseconds=100),
                "error",
                "reserve stock failed",
                rid,
                error="pq: deadlock detected",
            ),
            orders(
                start + timedelta(seconds=1, milliseconds=500),
                "error",
                "reserve stock failed",
                rid,
                error="inventory returned 500",
            ),
        ]
    collector, found = collect(entries)
    incident = every_error(found)
    assert votes_of(collector, incident).origins == {"orders": 5}
    assert votes_of(collector, incident, {"inventory": 3.0}).origins == {"inventory": 5}


def test_the_book_keeps_each_services_earliest_sighting_and_merges_parts() -> None:
    early, late = TraceBook(), TraceBook()
    early.add("req-1", "orders", 100.0, "/var/log/orders.log", 10, RANK["warning"])
    early.add("req-1", "orders", 105.0, "/var/log/orders.log", 12, RANK["error"])
    late.add("req-1", "orders", 99.5, "/var/log/orders.log.1", 3, RANK["error"])
    late.add("req-1", "inventory", 101.0, "/var/log/inventory.log", 7, RANK["error"])
    assert early.failures["req-1"]["orders"] == (100.0, "/var/log/orders.log", 10, RANK["warning"])
    early.merge(late)
    assert early.failures["req-1"] == {
        "orders": (99.5, "/var/log/orders.log.1", 3, RANK["error"]),
        "inventory": (101.0, "/var/log/inventory.log", 7, RANK["error"]),
    }


def near_ties(gap_ms: int) -> tuple[Collector, list[Record]]:
    """orders logs its error `gap_ms` before inventory's in each request (after a skew
    correction that is only as good as the call latency it absorbed); both log milliseconds."""
    entries = []
    for n in range(5):
        start = T0 + timedelta(seconds=10 * n)
        rid = f"req-{n:06x}"
        entries += [
            orders(start, "info", "placing order", rid),
            zap("inventory", start + timedelta(milliseconds=5), "info", "reserving stock", rid),
            orders(
                start + timedelta(seconds=2),
                "error",
                "reserve stock failed",
                rid,
                error="context deadline exceeded",
            ),
            zap(
                "inventory",
                start + timedelta(seconds=2, milliseconds=gap_ms),
                "error",
                "reserve stock failed",
                rid,
                error="pq: deadlock detected",
            ),
        ]
    return collect(entries)


def onsets(**began: float) -> Callable[[str], float]:
    return lambda service: began.get(service, float("inf"))


def test_a_tie_within_the_corrections_uncertainty_goes_to_the_incident_that_began_first() -> None:
    collector, found = near_ties(100)
    incident = every_error(found)
    began = onsets(inventory=T0.timestamp() - 30, orders=T0.timestamp() + 2)
    tied = vote(
        collector.traces,
        collector.skew.sightings,
        lambda file, line: (file, line) in incident,
        lambda service, when: when,
        began,
        0.25,
    )
    assert tied.origins == {"inventory": 5}
    assert tied.links[("orders", "inventory")] == 5
    # beyond the uncertainty, the earlier error is where the request failed first
    apart = vote(
        collector.traces,
        collector.skew.sightings,
        lambda file, line: (file, line) in incident,
        lambda service, when: when,
        began,
        0.05,
    )
    assert apart.origins == {"orders": 5}


def test_a_tie_between_incidents_that_began_together_goes_to_the_deeper_callee() -> None:
    collector, found = near_ties(0)
    incident = every_error(found)
    together = T0.timestamp() + 2
    votes = vote(
        collector.traces,
        collector.skew.sightings,
        lambda file, line: (file, line) in incident,
        lambda service, when: when,
        onsets(inventory=together, orders=together),
        0.001,
    )
    assert votes.origins == {"inventory": 5}  # it joined each request after orders
