"""`mining.requests`: one request event, `METHOD /route/{id} STATUS`, from whatever a request
log writes: an access log's request line, or the fields of a JSON or logfmt request log (flat,
dotted or nested, as pino, zap, logrus and ECS loggers put them).

Records are read from real lines by `parse_lines`; grouping goes through `ErrorGrouper`, the
error counts through the investigation's `Collector`.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from log_analyzer.analysis.collect import Collector
from log_analyzer.ingest import parse_lines
from log_analyzer.mining.groups import ErrorGrouper
from log_analyzer.mining.requests import request_event, request_level
from log_analyzer.records import Record

PINO_TIME = 1795875724118  # 2026-11-28T14:22:04.118Z
AGENT = '"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0"'


def read(lines: list[str], service: str = "cart-api") -> list[Record]:
    return list(parse_lines(lines, f"/var/log/{service}.log", service))


def one(line: str, service: str = "cart-api") -> Record:
    (record,) = read([line], service)
    return record


def pino(**body: Any) -> str:
    return json.dumps({"level": 30, "time": PINO_TIME, "pid": 18, "hostname": "cart-api", **body})


def zap(**body: Any) -> str:
    return json.dumps({"level": "info", "ts": PINO_TIME / 1000, "caller": "api/mw.go:41", **body})


def ecs(**body: Any) -> str:
    return json.dumps(
        {
            "@timestamp": "2026-11-28T14:22:04.118Z",
            "log.level": "INFO",
            "ecs.version": "1.6.0",
            "service.name": "payments",
            **body,
        }
    )


# --- where the status is --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "event"),
    [
        # flat `status` (zap, a Go middleware)
        (
            zap(msg="request", method="GET", path="/api/orders/81219221", status=500),
            "GET /api/orders/{id} 500",
        ),
        # flat `status_code` (logrus, logfmt: a string)
        (
            'time="2026-11-28T14:22:04Z" level=info msg="handled request" method=DELETE '
            "uri=/api/sessions/3fa85f64-5717-4562-b3fc-2c963f66afa6 status_code=503 took=12ms",
            "DELETE /api/sessions/{id} 503",
        ),
        # OpenTelemetry's dotted keys, written flat
        (
            zap(
                msg="finished call",
                **{"http.method": "PUT", "http.route": "/api/users/{id}", "http.status_code": 409},
            ),
            "PUT /api/users/{id} 409",
        ),
        # pino-http: `req` and `res` objects
        (
            pino(
                reqId="req-7f3a9c",
                req={"method": "POST", "url": "/api/cart/5f2a/items?coupon=WINTER"},
                res={"statusCode": 502},
                responseTime=40.8,
                msg="request completed",
            ),
            "POST /api/cart/{id}/items 502",
        ),
        # ECS nested objects
        (
            ecs(
                message="request handled",
                http={"request": {"method": "POST"}, "response": {"status_code": 504}},
                url={"path": "/v1/charges/ch_3PqX9Z2eZvKYlo2C0abc"},
            ),
            "POST /v1/charges/{id} 504",
        ),
        # ECS written flat, dotted
        (
            ecs(
                message="request handled",
                **{
                    "http.request.method": "GET",
                    "http.response.status_code": 404,
                    "url.path": "/v1/customers/8812",
                },
            ),
            "GET /v1/customers/{id} 404",
        ),
    ],
)
def test_the_status_method_and_route_are_found_where_each_logger_puts_them(
    line: str, event: str
) -> None:
    assert request_event(one(line)) == event


def test_an_access_log_line_is_its_request_and_status() -> None:
    record = one(
        f'10.0.0.5 - - [28/Nov/2026:14:22:04 +0000] "GET /api/products/12345?ref=home HTTP/1.1" '
        f'502 157 "-" {AGENT} "-"',
        "nginx",
    )
    assert request_event(record) == "GET /api/products/{id} 502"
    assert request_level(record) == "error"


def test_an_access_line_of_a_format_no_parser_knows_is_read_for_its_status() -> None:
    """Envoy's default access log: the request line and the status right after it."""
    lines = [
        '[2026-11-28T14:22:04.118Z] "POST /api/cart/17 HTTP/1.1" 503 UF 0 91 1002 - "10.0.0.5" '
        f'"curl/8.5.0" "f3a1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d" "cart:8080" "10.0.1.{n}:3000"'
        for n in range(3)
    ]
    for record in read(lines, "envoy"):
        assert request_event(record) == "POST /api/cart/{id} 503"
        assert request_level(record) == "error"


def test_ids_are_taken_out_of_routes_and_queries_and_hosts_dropped() -> None:
    lines = [
        zap(msg="request", method="GET", path=path, status=200)
        for path in (
            "/api/orders/81219221",
            "/api/orders/3fa85f64-5717-4562-b3fc-2c963f66afa6",
            "/api/orders/5f2a9c1e8b7d?expand=items",
            "https://shop.example.com:8443/api/orders/77?x=1",
            "/api/orders/ORD-2026-000123",
        )
    ]
    assert {request_event(r) for r in read(lines)} == {"GET /api/orders/{id} 200"}
    versioned = zap(msg="request", method="GET", path="/api/v1/users/42/orders", status=200)
    assert request_event(one(versioned)) == "GET /api/v1/users/{id}/orders 200"
    nested = zap(msg="request", method="get", url="/api/carts/8812/items/3", status=201)
    assert request_event(one(nested)) == "GET /api/carts/{id}/items/{id} 201"


def test_a_route_without_a_method_and_a_status_without_a_route() -> None:
    login = zap(msg="login", path="/api/login", status_code=401)
    assert request_event(one(login)) == "/api/login 401"
    reply = zap(msg="upstream reply from pricing", status_code=503)
    assert request_event(one(reply)) == "upstream reply from pricing -> 503"


def test_records_that_are_no_requests_have_no_event() -> None:
    assert request_event(one(zap(msg="cache warmed", entries=1200))) is None
    # a `status` that is no HTTP status
    assert request_event(one(zap(msg="job finished", status="ok"))) is None
    assert request_event(one(zap(msg="job finished", status=True))) is None
    assert request_event(one(zap(msg="replica lag", status=12))) is None


# --- levels ---------------------------------------------------------------------------------------


def levelless(status: int) -> str:
    return json.dumps(
        {
            "time": "2026-11-28T14:22:04.118Z",
            "msg": "request",
            "method": "POST",
            "path": "/api/checkout",
            "status": status,
        }
    )


def test_a_structured_record_without_level_takes_its_status_level() -> None:
    assert one(levelless(503)).level == "error"  # a request log states its level by status
    assert request_level(one(levelless(503))) == "error"
    assert request_level(one(levelless(429))) == "warning"
    assert request_level(one(levelless(201))) == "info"


def test_a_levelless_503_counts_as_an_error() -> None:
    records = read([levelless(503), levelless(503), levelless(200)])
    groups = ErrorGrouper().add_all(records).groups()
    assert [(g.template, g.level, g.count) for g in groups] == [
        ("POST /api/checkout 503", "error", 2)
    ]
    collector = Collector(60)
    for record in records:
        collector.add(record)
    assert sum(collector.collected.errors.values()) == 2
    assert sum(collector.collected.totals.values()) == 3


def test_a_level_the_logger_wrote_is_kept() -> None:
    record = one(pino(req={"method": "GET", "url": "/api/cart/1"}, res={"statusCode": 503}))
    assert record.level == "info"
    assert request_level(record) == "info"
    assert request_event(record) == "GET /api/cart/{id} 503"


# --- grouping -------------------------------------------------------------------------------------


def test_routine_404s_and_an_incidents_500s_are_never_one_group() -> None:
    lines = [
        zap(level="warn", msg="request", method="GET", path=f"/api/cart/{n}", status=404)
        for n in range(20)
    ] + [
        zap(level="error", msg="request", method="GET", path=f"/api/cart/{n}", status=500)
        for n in range(20)
    ]
    groups = ErrorGrouper().add_all(read(lines)).groups()
    assert sorted(g.template for g in groups) == [
        "GET /api/cart/{id} 404",
        "GET /api/cart/{id} 500",
    ]


def test_a_request_log_with_its_own_error_is_grouped_by_the_error() -> None:
    """pino-http logs a failed request with its `err`: three routes, one cause, one group
    (the error), not three request groups."""
    refused = {
        "type": "Error",
        "message": "connect ECONNREFUSED 10.0.3.20:6379",
        "stack": "Error: connect ECONNREFUSED 10.0.3.20:6379\n"
        "    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1607:16)",
        "code": "ECONNREFUSED",
    }
    lines = [
        pino(
            level=50,
            reqId=f"req-{n}",
            req={"method": method, "url": url},
            res={"statusCode": 500},
            err=refused,
            msg="request errored",
        )
        for n, (method, url) in enumerate(
            [
                ("POST", "/api/cart/5f2a/items"),
                ("GET", "/api/cart/77b1"),
                ("DELETE", "/api/cart/9c/items/3"),
            ]
        )
    ]
    records = read(lines)
    assert all(request_event(r) is None for r in records)
    groups = ErrorGrouper().add_all(records).groups()
    assert [(g.template, g.count, g.level) for g in groups] == [("request errored", 3, "error")]
