"""`analysis.cascade`: services in the order they began failing, each linked to its cause from
evidence only (its errors name the other, or failing requests reached it after failing there).

Groups come from real lines (zap, Redis, PostgreSQL, Python logging, nginx) through
`ErrorGrouper` and `classify`; the edge-proxy rule is also checked end to end, through
`investigate` on files in a temporary directory.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from log_analyzer.analysis.cascade import ServiceOnset, link, service_onsets
from log_analyzer.analysis.investigate import investigate
from log_analyzer.analysis.onsets import classify
from log_analyzer.analysis.report import CascadeStep
from log_analyzer.analysis.tracing import TraceVotes
from log_analyzer.ingest import parse_lines
from log_analyzer.mining.groups import ErrorGrouper

T0 = datetime(2026, 11, 28, 14, 0, tzinfo=UTC)
FAILURE = T0 + timedelta(minutes=22)
WIDTH = 60
AGENT = '"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0"'

Lines = list[tuple[datetime, str]]


def zap(when: datetime, level: str, caller: str, message: str, **fields: object) -> str:
    return json.dumps(
        {"level": level, "ts": when.timestamp(), "caller": caller, "msg": message, **fields}
    )


def python(when: datetime, logger: str, level: str, message: str) -> str:
    stamp = when.strftime("%Y-%m-%d %H:%M:%S,") + f"{when.microsecond // 1000:03d}"
    return f"{stamp} - {logger} - {level} - {message}"


def redis(when: datetime, message: str, role: str = "M") -> str:
    stamp = when.strftime("%d %b %Y %H:%M:%S.") + f"{when.microsecond // 1000:03d}"
    return f"1:{role} {stamp} # {message}"


def postgres(when: datetime, pid: int, level: str, message: str) -> str:
    stamp = when.strftime("%Y-%m-%d %H:%M:%S.") + f"{when.microsecond // 1000:03d} UTC"
    return f"{stamp} [{pid}] {level}:  {message}"


def nginx(when: datetime, request: str, status: int) -> str:
    stamp = when.strftime("%d/%b/%Y:%H:%M:%S +0000")
    return f'203.0.113.7 - - [{stamp}] "{request} HTTP/1.1" {status} 157 "-" {AGENT} "-"'


def heartbeat(service: str, minutes: int = 30) -> Lines:
    """Each service logs all along: what it does when nothing is wrong."""
    lines = []
    for second in range(0, minutes * 60, 10):
        when = T0 + timedelta(seconds=second, milliseconds=250)
        if service == "redis":
            lines.append((when, redis(when, "DB saved on disk").replace(" # ", " * ")))
        elif service == "nginx":
            whole = when.replace(microsecond=0)
            lines.append((whole, nginx(whole, "GET /healthz", 200)))
        elif service == "postgres":
            lines.append((when, postgres(when, 812, "LOG", "checkpoint starting: time")))
        else:
            lines.append((when, python(when, f"{service}.app", "INFO", "heartbeat ok")))
    return lines


def repeated(start: datetime, count: int, every: float, make: Callable[[datetime], str]) -> Lines:
    """`count` lines made by `make`, one every `every` seconds from `start`."""
    times = [start + timedelta(seconds=i * every) for i in range(count)]
    return [(when, make(when)) for when in times]


def onsets_of(logs: dict[str, Lines]) -> list[ServiceOnset]:
    """The services' incident onsets, from every log classified as `investigate` does."""
    grouper = ErrorGrouper()
    starts: dict[str, float] = {}
    stamps: list[float] = []
    for service, lines in logs.items():
        ordered = [text for _, text in sorted(lines, key=lambda item: item[0])]
        for record in parse_lines(ordered, f"/var/log/{service}.log", service):
            grouper.add(record)
            if record.timestamp is not None:
                seconds = record.timestamp.timestamp()
                stamps.append(seconds)
                bucket = int(seconds // WIDTH) * WIDTH
                starts[service] = min(starts.get(service, bucket), bucket)
    window_start = int(min(stamps) // WIDTH) * WIDTH
    groups = [
        classify(group, occurrences, 0.0, starts[group.service], window_start, max(stamps), WIDTH)
        for group, occurrences in grouper.groups_with_occurrences()
    ]
    return service_onsets([g for g in groups if not g.chronic])


def causes(steps: list[CascadeStep]) -> dict[str, str | None]:
    return {step.service: step.caused_by for step in steps}


def assert_no_loop(steps: list[CascadeStep]) -> None:
    by_service = causes(steps)
    for step in steps:
        seen = {step.service}
        current = step.caused_by
        while current is not None:
            assert current not in seen, f"loop through {current}"
            seen.add(current)
            current = by_service.get(current)


def redis_outage() -> dict[str, Lines]:
    """Redis cannot fork for its background save; cart-api's reads fail a second later."""
    fork = "Can't save in background: fork: Cannot allocate memory"
    return {
        "redis": heartbeat("redis") + repeated(FAILURE, 20, 5, lambda w: redis(w, fork)),
        "cart-api": heartbeat("cart-api")
        + repeated(
            FAILURE + timedelta(seconds=1, milliseconds=204),
            60,
            1,
            lambda w: zap(
                w,
                "error",
                "store/redis.go:88",
                "cart read failed",
                error="dial tcp 10.0.3.20:6379: connect: connection refused",
                client="go-redis/v9",
            ),
        ),
    }


def test_services_are_in_onset_order_and_named_causes_are_linked() -> None:
    onsets = onsets_of(redis_outage())
    assert [s.service for s in onsets] == ["redis", "cart-api"]
    assert onsets[0].when == pytest.approx(FAILURE.timestamp())
    steps = link(onsets, "redis", set(), TraceVotes(), WIDTH)
    assert causes(steps) == {"redis": None, "cart-api": "redis"}
    cart = steps[1]
    assert "its errors name redis" in cart.evidence
    assert cart.evidence[0] == "began 1.2 s after redis"
    assert 0 < cart.confidence <= 0.95
    assert steps[0].confidence == 0.0 and steps[0].evidence == []


def test_the_root_is_caused_by_nothing() -> None:
    """Even when its own errors name another service that failed first."""
    onsets = onsets_of(redis_outage())
    steps = link(onsets, "cart-api", set(), TraceVotes(), WIDTH)
    assert causes(steps)["cart-api"] is None


def test_no_evidence_no_link() -> None:
    """Two services fail within a minute, neither names the other and no request ties them:
    onset order alone links nothing."""
    logs = {
        "billing-worker": heartbeat("billing-worker")
        + repeated(
            FAILURE,
            30,
            2,
            lambda w: python(
                w, "billing.invoices", "ERROR", "Invoice PDF rendering failed: font cache corrupt"
            ),
        ),
        "search": heartbeat("search")
        + repeated(
            FAILURE + timedelta(seconds=25),
            30,
            2,
            lambda w: zap(w, "error", "index/shard.go:212", "shard merge failed", shard=3),
        ),
    }
    onsets = onsets_of(logs)
    assert [s.service for s in onsets] == ["billing-worker", "search"]
    steps = link(onsets, None, set(), TraceVotes(), WIDTH)
    assert causes(steps) == {"billing-worker": None, "search": None}
    assert all(s.evidence == [] and s.confidence == 0.0 for s in steps)


def test_services_naming_each_other_never_loop() -> None:
    """orders' errors name payments, payments' errors name orders: one link, not two."""
    logs = {
        "orders": heartbeat("orders")
        + repeated(
            FAILURE,
            30,
            2,
            lambda w: zap(
                w,
                "error",
                "checkout/pay.go:51",
                "charge failed",
                error="payments: POST http://payments:8080/v1/charges: 503 Service Unavailable",
            ),
        ),
        "payments": heartbeat("payments")
        + repeated(
            FAILURE + timedelta(seconds=3),
            30,
            2,
            lambda w: python(
                w,
                "payments.webhooks",
                "ERROR",
                "Callback to orders failed: HTTPConnectionPool(host='orders', port=8080): "
                "Read timed out.",
            ),
        ),
    }
    onsets = onsets_of(logs)
    steps = link(onsets, None, set(), TraceVotes(), WIDTH)
    assert_no_loop(steps)
    linked = [s for s in steps if s.caused_by is not None]
    assert len(linked) == 1
    # the later one is linked to the earlier one, not the reverse
    assert causes(steps) == {"orders": None, "payments": "orders"}


def test_failing_requests_link_a_service_to_where_they_failed_first() -> None:
    logs = {
        "inventory": heartbeat("inventory")
        + repeated(
            FAILURE,
            30,
            2,
            lambda w: zap(
                w, "error", "stock/reserve.go:40", "reserve failed", error="deadlock detected"
            ),
        ),
        "orders": heartbeat("orders")
        + repeated(
            FAILURE + timedelta(seconds=1),
            30,
            2,
            lambda w: python(w, "orders.api", "ERROR", "order placement failed: HTTP 500"),
        ),
    }
    onsets = onsets_of(logs)
    votes = TraceVotes(requests=12, origins=Counter({"inventory": 12}))
    votes.links[("orders", "inventory")] = 12
    steps = link(onsets, None, set(), votes, WIDTH)
    assert causes(steps)["orders"] == "inventory"
    orders = next(s for s in steps if s.service == "orders")
    assert "12 failing requests reached orders after failing in inventory" in orders.evidence


def test_more_requests_failing_the_other_way_link_nothing() -> None:
    logs = {
        "inventory": heartbeat("inventory")
        + repeated(
            FAILURE,
            30,
            2,
            lambda w: zap(
                w, "error", "stock/reserve.go:40", "reserve failed", error="deadlock detected"
            ),
        ),
        "orders": heartbeat("orders")
        + repeated(
            FAILURE + timedelta(seconds=1),
            30,
            2,
            lambda w: python(w, "orders.api", "ERROR", "order placement failed: HTTP 500"),
        ),
    }
    onsets = onsets_of(logs)
    votes = TraceVotes(requests=10, origins=Counter({"orders": 8, "inventory": 2}))
    votes.links[("orders", "inventory")] = 2
    votes.links[("inventory", "orders")] = 8
    steps = link(onsets, None, set(), votes, WIDTH)
    assert causes(steps)["orders"] is None
    assert causes(steps)["inventory"] == "orders"


def test_a_named_service_that_began_long_after_is_not_the_cause() -> None:
    """checkout's errors name postgres, but postgres' own errors only begin five minutes
    later: a cause does not follow its effect by that much."""
    logs = {
        "checkout": heartbeat("checkout")
        + repeated(
            FAILURE,
            30,
            2,
            lambda w: python(
                w,
                "checkout.db",
                "ERROR",
                "psycopg2.errors.QueryCanceled: canceling statement due to statement timeout",
            ),
        ),
        "postgres": heartbeat("postgres")
        + repeated(
            FAILURE + timedelta(minutes=5),
            10,
            3,
            lambda w: postgres(w, 4121, "FATAL", "the database system is shutting down"),
        ),
    }
    onsets = onsets_of(logs)
    assert [s.service for s in onsets] == ["checkout", "postgres"]
    steps = link(onsets, None, set(), TraceVotes(), WIDTH)
    assert causes(steps) == {"checkout": None, "postgres": None}


def edge_incident() -> dict[str, Lines]:
    """nginx (whole seconds) shows the 502s first; the app's errors say `upstream`, one of the
    words that names nginx; nginx's lines do not name checkout (the route is /api/orders)."""
    return {
        "nginx": heartbeat("nginx")
        + repeated(FAILURE, 60, 1, lambda w: nginx(w, "POST /api/orders", 502)),
        "checkout": heartbeat("checkout")
        + repeated(
            FAILURE + timedelta(milliseconds=420),
            60,
            1,
            lambda w: python(
                w,
                "checkout.client",
                "ERROR",
                "upstream request timeout after 5000 ms calling fraud scoring",
            ),
        ),
    }


def test_an_edge_proxy_is_never_a_cause() -> None:
    onsets = onsets_of(edge_incident())
    assert [s.service for s in onsets] == ["nginx", "checkout"]
    # the evidence is there: without the rule checkout would be linked to nginx ...
    assert causes(link(onsets, None, set(), TraceVotes(), WIDTH))["checkout"] == "nginx"
    # ... but nginx is an edge proxy, a victim of its upstreams
    steps = link(onsets, None, {"nginx"}, TraceVotes(), WIDTH)
    assert all(step.caused_by != "nginx" for step in steps)
    assert causes(steps)["checkout"] is None


def test_nginx_is_never_a_cause_in_an_investigation(tmp_path: Path) -> None:
    """End to end: nginx's access and error logs fail first (whole seconds); cart-api's errors
    say `upstream` too. nginx may be linked to cart-api, never the reverse."""
    rng = random.Random(2)
    access, errors, cart = [], [], []
    for second in range(0, 30 * 60, 2):
        when = T0 + timedelta(seconds=second)
        access.append((when, nginx(when, f"GET /api/cart/{rng.randint(1, 9999)}", 200)))
        fine = when + timedelta(milliseconds=rng.randint(1, 999))
        cart.append((fine, zap(fine, "info", "api/handler.go:41", "cart served", status=200)))
    for i in range(120):
        when = FAILURE + timedelta(seconds=i)
        access.append((when, nginx(when, "POST /api/cart/items", 502)))
        stamp = when.strftime("%Y/%m/%d %H:%M:%S")
        errors.append(
            (
                when,
                f"{stamp} [error] 29#29: *{8812 + i} upstream prematurely closed connection while "
                "reading response header from upstream, client: 203.0.113.7, server: "
                'shop.example.com, request: "POST /api/cart/items HTTP/1.1", upstream: '
                '"http://10.0.1.12:3000/api/cart/items", host: "shop.example.com"',
            )
        )
        failed = when + timedelta(milliseconds=350)
        cart.append(
            (
                failed,
                zap(
                    failed,
                    "error",
                    "api/handler.go:77",
                    "add item failed: upstream pricing connection reset",
                    error="read tcp 10.0.1.12:41822->10.0.4.9:8080: read: connection reset by peer",
                ),
            )
        )
    (tmp_path / "nginx").mkdir()
    for path, lines in (
        (tmp_path / "nginx" / "access.log", access),
        (tmp_path / "nginx" / "error.log", errors),
        (tmp_path / "cart-api.log", cart),
    ):
        path.write_text("".join(t + "\n" for _, t in sorted(lines, key=lambda x: x[0])))
    report = investigate([str(tmp_path)])
    services = [step.service for step in report.cascade]
    assert services[0] == "nginx" and "cart-api" in services
    # nginx's lines name the route of cart-api: nginx may be linked to it, not the reverse
    assert causes(report.cascade)["nginx"] == "cart-api"
    assert all(step.caused_by != "nginx" for step in report.cascade)
    assert_no_loop(report.cascade)
    assert report.root_cause is not None and report.root_cause.service != "nginx"
    assert causes(report.cascade)[report.root_cause.service] is None
