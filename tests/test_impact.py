"""The incident's impact on requests (log_analyzer.analysis.impact): success rates per service
and route before, during and after the incident, the failed requests counted, from access
logs and JSON request events; and where the reports show it."""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rich.console import Console

from log_analyzer.analysis.impact import failed, route_of
from log_analyzer.analysis.investigate import investigate
from log_analyzer.analysis.report import Investigation
from log_analyzer.cli.app import run
from log_analyzer.records import Record
from log_analyzer.render.investigation import investigation_view
from log_analyzer.render.postmortem import render

from .conftest import FIXTURES

START = datetime(2026, 11, 28, 13, 35, tzinfo=UTC)
ONSET = datetime(2026, 11, 28, 14, 2, tzinfo=UTC)
RECOVERY = datetime(2026, 11, 28, 14, 13, tzinfo=UTC)
END = datetime(2026, 11, 28, 14, 35, tzinfo=UTC)
AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
    "like Gecko) Version/18.1.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
)
SLUGS = ("down-puffer-jacket", "alpaca-throw-blanket", "merino-crew-socks", "linen-duvet-cover")

# (service, route) -> [requests, failed] before, during, after: what the generator wrote
Tally = dict[tuple[str, str], list[list[int]]]


def _phase(when: datetime) -> int:
    return 0 if when < ONSET else 1 if when < RECOVERY else 2


def _count(tally: Tally, service: str, route: str, when: datetime, status: int) -> None:
    phases = tally.setdefault((service, route), [[0, 0], [0, 0], [0, 0]])
    phases[_phase(when)][0] += 1
    phases[_phase(when)][1] += status >= 500 or status == 429


def _write_incident(folder: Path, seed: int = 7) -> Tally:
    """An nginx access log and a JSON-lines payments API behind it: calm, then from 14:02 to
    14:13 the payments database is out of connections; checkout and payment captures fail,
    the API sheds some load with 429, order lookups fail too; product pages are untouched and
    the recommendations' usual timeouts go on as before."""
    rng = random.Random(seed)
    tally: Tally = {}
    access: list[str] = []
    api: list[str] = []
    when = START
    while when < END:
        when += timedelta(milliseconds=rng.randint(80, 520))
        incident = ONSET <= when < RECOVERY
        client = f"{rng.choice(('198.51.100', '203.0.113'))}.{rng.randint(1, 254)}"
        stamp = when.strftime("%d/%b/%Y:%H:%M:%S +0000")
        pick = rng.random()
        if pick < 0.25:
            order = rng.randint(100000, 999999)
            method, path, route = "POST", "/api/checkout", "POST /api/checkout"
            status = rng.choice((200, 200, 200, 402))
            if incident and rng.random() < 0.62:
                status = rng.choice((502, 503, 504))
            if status < 500:
                # the checkout called the payments API, which answered first
                api_status = 201 if status != 402 else 402
                if incident and rng.random() < 0.1:
                    api_status = 429
                api.append(
                    _api_line(when, rng, "POST", f"/v1/payments/{order}/capture", api_status)
                )
                _count(tally, "payments-api", "POST /v1/payments/{id}/capture", when, api_status)
            else:
                api.append(_api_line(when, rng, "POST", f"/v1/payments/{order}/capture", 503))
                _count(tally, "payments-api", "POST /v1/payments/{id}/capture", when, 503)
        elif pick < 0.45:
            order = rng.randint(100000, 999999)
            method, path, route = "GET", f"/api/orders/{order}", "GET /api/orders/{id}"
            status = 200 if not (incident and rng.random() < 0.3) else 500
        elif pick < 0.55:
            # a slow recommendation backend times out now and then, incident or not
            slug = rng.choice(SLUGS)
            method, path = "GET", f"/api/recommendations?product={slug}&limit=8"
            route = "GET /api/recommendations"
            status = 504 if rng.random() < 0.03 else 200
        elif pick < 0.85:
            slug = rng.choice(SLUGS)
            method, path, route = "GET", f"/products/{slug}?ref=home", "GET /products/{name}"
            status = rng.choice((200, 200, 200, 200, 304))
        else:
            method, path, route = "GET", "/static/app.3f9a2c.js", "GET /static/{id}"
            status = 200
        _count(tally, "nginx", route, when, status)
        size = rng.randint(180, 48000) if status < 400 else rng.randint(150, 600)
        access.append(
            f'{client} - - [{stamp}] "{method} {path} HTTP/1.1" {status} {size} '
            f'"https://shop.example.com/" "{rng.choice(AGENTS)}"'
        )
    (folder / "nginx").mkdir(parents=True)
    (folder / "nginx" / "access.log").write_text("\n".join(access) + "\n")
    (folder / "payments-api.log").write_text("\n".join(api) + "\n")
    return tally


def _api_line(when: datetime, rng: random.Random, method: str, path: str, status: int) -> str:
    event: dict[str, object] = {
        "timestamp": when.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "level": "error" if status >= 500 else "warning" if status == 429 else "info",
        "logger": "payments.http",
        "event": "request finished",
        "method": method,
        "path": path,
        "status_code": status,
        "duration_ms": round(rng.uniform(8, 60) if status < 500 else rng.uniform(2000, 2100), 1),
        "request_id": f"{rng.getrandbits(64):016x}",
    }
    if status == 503:
        event["error"] = (
            'psycopg2.OperationalError: connection to server at "10.43.12.7", port 5432 '
            "failed: FATAL:  sorry, too many clients already"
        )
    return json.dumps(event)


@pytest.fixture(scope="module")
def incident(tmp_path_factory: pytest.TempPathFactory) -> tuple[Investigation, Tally, Path]:
    folder = tmp_path_factory.mktemp("impact")
    tally = _write_incident(folder)
    return investigate([str(folder)], workers=1), tally, folder


def test_the_window_is_the_incidents_onset_to_its_recovery(incident) -> None:
    report, _, _ = incident
    assert report.impact is not None
    assert report.impact.start == ONSET
    assert report.impact.end == RECOVERY


def test_exact_rates_before_during_after_and_the_failed_count(incident) -> None:
    report, tally, _ = incident
    assert report.impact is not None
    rows = {(row.service, row.route): row for row in report.impact.routes}
    # the routes the incident hit, and only them: product pages and assets kept working
    assert set(rows) == {
        ("nginx", "POST /api/checkout"),
        ("nginx", "GET /api/orders/{id}"),
        ("payments-api", "POST /v1/payments/{id}/capture"),
    }
    for key, row in rows.items():
        before, during, after = tally[key]
        assert (row.before.requests, row.before.failed) == tuple(before), key
        assert (row.during.requests, row.during.failed) == tuple(during), key
        assert row.after is not None
        assert (row.after.requests, row.after.failed) == tuple(after), key
    # largest impact first (no route failed before, so the failed requests rank them): the
    # payments API lost every checkout nginx lost, and shed some more with 429
    assert [r.during.failed for r in report.impact.routes] == sorted(
        (during[1] for _, during, _ in (tally[key] for key in rows)), reverse=True
    )
    assert report.impact.routes[0].service == "payments-api"
    checkout = rows[("nginx", "POST /api/checkout")]
    before, during, after = tally[("nginx", "POST /api/checkout")]
    ok = [100 * (n - f) / n for n, f in (before, during, after)]
    assert ok[0] > 99 and ok[1] < 50 and ok[2] > 99
    assert checkout.summary == (
        f"nginx POST /api/checkout: {_percent(ok[0])} ok before, {_percent(ok[1])} during "
        f"14:02-14:13, {_percent(ok[2])} after; {during[1]:,} failed"
    )


def _percent(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0") + "%"


def test_client_errors_are_ok_and_429_is_a_failure() -> None:
    assert not failed(402) and not failed(404) and not failed(304)
    assert failed(429) and failed(500) and failed(503)


def test_routes_are_masked_so_that_they_stay_few() -> None:
    assert route_of("GET", "/api/orders/8812") == "GET /api/orders/{id}"
    assert route_of(
        "DELETE", "/api/carts/7b40fec6-f894-4f98-86b5-5717a682c1c3/items/SKU-48028"
    ) == ("DELETE /api/carts/{id}/items/{id}")
    assert route_of("GET", "/products/down-puffer-jacket") == "GET /products/{name}"
    assert route_of("GET", "/img/hero.JPG") == "GET /img/{file}.jpg"
    assert (
        route_of("GET", "/api/v2/checkout/shipping-options")
        == "GET /api/v2/checkout/shipping-options"
    )
    assert route_of(None, None) == "requests"


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        # Envoy's default access log, read by no parser of its own
        (
            Record(
                "envoy.log",
                1,
                1,
                None,
                None,
                "envoy",
                "generic",
                '"POST /api/checkout HTTP/1.1" 503 UF 0 91 5002 - "203.0.113.7" '
                '"Mozilla/5.0" "7c2f4a59-1d2e-4e6b-9a1b-52f0c3d8a111" "shop.example.com" '
                '"10.42.3.21:8080"',
                None,
            ),
            "POST /api/checkout 503",
        ),
        # an application's own request line (Spring Boot's message)
        (
            Record(
                "cart.log",
                1,
                1,
                None,
                "info",
                "cart",
                "spring-boot",
                "GET /api/carts/507e30fe-bea7-47ef-be76-2f2882d6eea9?view=checkout 500 3ms "
                "requestId=51e26875a830aa1535f97bb7f80616f2",
                {"pid": "1"},
            ),
            "GET /api/carts/{id} 500",
        ),
        # IIS W3C (default fields)
        (
            Record(
                "u_ex261128.log",
                5,
                5,
                None,
                None,
                "iis",
                "generic",
                "10.0.0.5 POST /api/checkout - 443 - 203.0.113.7 "
                "Mozilla/5.0+(Windows+NT+10.0) https://shop.example.com/cart 503 0 0 15",
                None,
            ),
            "POST /api/checkout 503",
        ),
        # pino: the status in res.statusCode, no route on the completing line
        (
            Record(
                "pay.log",
                1,
                1,
                None,
                "info",
                "pay",
                "pino",
                "request completed",
                {"res": {"statusCode": 429}, "responseTime": 3.1},
            ),
            "requests 429",
        ),
        # ECS nested fields; a request log that states its own error still counts
        (
            Record(
                "api.log",
                1,
                1,
                None,
                "error",
                "api",
                "ecs",
                "request failed",
                {
                    "http": {"request": {"method": "POST"}, "response": {"status_code": 500}},
                    "url": {"path": "/api/orders/17"},
                    "error": {"message": "boom"},
                },
            ),
            "POST /api/orders/{id} 500",
        ),
        # a line that only mentions a path and a number is no request
        (
            Record(
                "app.log",
                1,
                1,
                None,
                "info",
                "app",
                "generic",
                "loaded 120 entries from /etc/app/routes.yaml in 404 ms",
                None,
            ),
            None,
        ),
    ],
)
def test_request_outcomes_from_every_shape(record: Record, expected: str | None) -> None:
    from log_analyzer.mining.requests import request_outcome

    outcome = request_outcome(record)
    if expected is None:
        assert outcome is None
        return
    assert outcome is not None
    method, path, status = outcome
    assert f"{route_of(method, path)} {status}" == expected


def test_a_log_without_statuses_has_no_impact(tmp_path: Path) -> None:
    rng = random.Random(3)
    lines = []
    when = START
    while when < END:
        when += timedelta(milliseconds=rng.randint(200, 900))
        stamp = when.strftime("%Y-%m-%d %H:%M:%S,%f")[:-3]
        if ONSET <= when < RECOVERY and rng.random() < 0.5:
            lines.append(
                f"{stamp} ERROR [worker-3] jobs.Runner: job {rng.randint(1, 9999)} "
                "failed: redis.exceptions.ConnectionError: Error 111 connecting to "
                "redis:6379. Connection refused."
            )
        else:
            lines.append(
                f"{stamp} INFO [worker-3] jobs.Runner: job {rng.randint(1, 9999)} done "
                f"in {rng.randint(3, 90)} ms"
            )
    (tmp_path / "jobs.log").write_text("\n".join(lines) + "\n")
    report = investigate([str(tmp_path)], workers=1)
    assert report.first_failure is not None  # an incident, but no request log to measure it
    assert report.impact is None
    text = render(report, "md")
    assert "## Impact" in text and "No request log with a status" in text


def test_the_reports_show_the_impact(incident) -> None:
    report, tally, _ = incident
    markdown = render(report, "md")
    section = markdown.split("## Impact", 1)[1].split("\n## ", 1)[0]
    row = next(line for line in section.splitlines() if "`POST /api/checkout`" in line)
    assert row.startswith("| nginx | `POST /api/checkout` |")
    assert row.endswith(f"| {tally[('nginx', 'POST /api/checkout')][1][1]:,} |")
    assert "ok during 14:02-14:13" in section
    html = render(report, "html")
    assert "<h2>Impact</h2>" in html and "<code>POST /api/checkout</code>" in html
    console = Console(width=200, record=True)
    console.print(investigation_view(report))
    terminal = console.export_text()
    assert report.impact is not None
    assert report.impact.routes[0].summary in terminal
    payload = json.loads(render(report, "json"))
    routes = payload["investigation"]["impact"]["routes"]
    assert routes[0]["route"] == "POST /v1/payments/{id}/capture"
    assert {"before", "during", "after", "summary"} <= set(routes[0])


def test_investigate_json_carries_the_impact(incident, capsys: pytest.CaptureFixture[str]) -> None:
    _, tally, folder = incident
    assert run(["investigate", str(folder), "--json", "--no-cache", "-q"]) == 0
    impact = json.loads(capsys.readouterr().out)["impact"]
    capture = next(r for r in impact["routes"] if r["service"] == "payments-api")
    assert capture["during"] == {
        "requests": tally[("payments-api", "POST /v1/payments/{id}/capture")][1][0],
        "failed": tally[("payments-api", "POST /v1/payments/{id}/capture")][1][1],
    }


def test_parallel_parts_give_the_same_impact(incident) -> None:
    report, _, folder = incident
    assert investigate([str(folder)], workers=4).impact == report.impact


CHECKOUT = FIXTURES / "incidents" / "checkout"


@pytest.mark.skipif(not CHECKOUT.is_dir(), reason="fixtures/incidents not generated")
def test_the_checkout_incident_reports_the_checkout_success_rate() -> None:
    report = investigate([str(CHECKOUT)])
    assert report.impact is not None
    checkout = next(r for r in report.impact.routes if r.route == "POST /api/checkout")
    assert checkout.service == "nginx"
    # the access log itself: POST /api/checkout answered 5xx from 14:02 to 14:13
    statuses: Counter[str] = Counter()
    for line in (CHECKOUT / "nginx" / "access.log").read_text().splitlines():
        found = re.search(
            r':(\d\d:\d\d):\d\d \+0000\] "POST /api/checkout HTTP/[\d.]+" (\d{3})', line
        )
        if found is not None and "14:02" <= found.group(1) < "14:14":
            statuses["failed" if found.group(2) >= "500" else "ok"] += 1
    assert checkout.during.failed == statuses["failed"]
    assert checkout.during.requests == statuses["ok"] + statuses["failed"]
    assert checkout.before.failed == 0 and checkout.after is not None and checkout.after.failed == 0
    text = render(report, "md")
    assert "## Impact" in text and "| nginx | `POST /api/checkout` |" in text


def test_route_masking_agrees_with_the_error_groups() -> None:
    # the impact masks ids with one regex of its own, for speed: the same routes as the
    # error groups' labels (`mining.labels.route`) on every path shape
    from log_analyzer.mining.labels import route

    rng = random.Random(5)
    paths = [
        "/api/v1/orders/17",
        "/api/v10.2/carts/ff69704a-193a-4d06-8f47-412e59ff005c/items",
        "/x/v1/1v/ab1/a1/12/",
        "//9",
        *(
            "/" + "".join(rng.choice("abv.-_190/") for _ in range(rng.randint(0, 16)))
            for _ in range(5000)
        ),
    ]
    for path in paths:
        # (slugs, long tokens and file names are masked on top: none in this alphabet)
        if all(s.count("-") < 2 and len(s) < 25 for s in path.split("/")):
            assert route_of(None, path) == route(path), path


def test_records_in_memory_give_the_same_impact(incident) -> None:
    # an agent's workspace investigates records it already parsed
    from log_analyzer.analysis.investigate import investigate_records
    from log_analyzer.ingest import ParseOptions, open_paths
    from log_analyzer.models import SourceSummary

    report, _, folder = incident
    workspace = open_paths([str(folder)], ParseOptions())
    records = list(workspace.records())
    sources = [SourceSummary.from_stats(s) for s in workspace.stats]
    assert investigate_records(records, sources).impact == report.impact
