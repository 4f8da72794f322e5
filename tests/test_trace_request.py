"""`trace_request` and `log-analyzer trace`: one request followed across an nginx access log
(its `$request_id` seeds the W3C trace id), a Spring Boot service with Sleuth's
`[app,trace,span]` block and a Node service logging pino JSON with OpenTelemetry's `trace_id`,
whose clock runs 4 seconds ahead: corrected order differs from the order the logs wrote."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from log_analyzer.agent import registry
from log_analyzer.agent import workspace as workspace_module
from log_analyzer.agent.roots import AllowedRoots
from log_analyzer.agent.session import ToolSession
from log_analyzer.agent.tools import trace as trace_module
from log_analyzer.agent.tools.trace import INDEX_KEY
from log_analyzer.agent.workspace import Workspace
from log_analyzer.cli.app import run

from .conftest import FIXTURES, ROOT

CHECKOUT = FIXTURES / "incidents" / "checkout"
SKEW = 4.0  # payment's clock runs ahead by this much
DAY = datetime(2026, 11, 28, 14, 0, 0, tzinfo=UTC)
FAILING = "4bf92f3577b34da6a3ce929d0e0e4736"  # through nginx, checkout and payment
CART_FAILING = "9c1e7d2b5a4f48e3b6d0a1c2e3f40516"  # nginx and checkout only, earlier
# Fakes, built by concatenation so that secret scanners reading this file do not flag them.
DB_PASSWORD = "Vq7" + "pL2xRt9w"
BEARER = "eyJhbGciOiJIUzI1NiJ9" + ".eyJzdWIiOiJjaGVja291dCJ9." + "Zm9vYmFyYmF6cXV4MTIzNDU2"
API_KEY = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"


def ok_ids() -> list[str]:
    return [f"7e5d0c9b8a7f6e5d{n:02x}4c3b2a19080706" for n in range(1, 8)]


def _span(trace: str) -> str:
    return trace[8:24]


def _sleuth(at: datetime, level: str, trace: str, logger: str, message: str) -> str:
    stamp = at.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    return (
        f"{stamp} {level:>5} [checkout,{trace},{_span(trace)}] 1 --- [nio-8080-exec-4] "
        f"{logger:<40} : {message}"
    )


def _pino(at: datetime, level: int, trace: str, message: str, **extra: Any) -> str:
    written = at + timedelta(seconds=SKEW)  # the clock of the payment pod runs ahead
    record: dict[str, Any] = {
        "level": level,
        "time": int(written.timestamp() * 1000),
        "pid": 1,
        "hostname": "payment-7d9c8f6b5-x2kq9",
        "trace_id": trace,
        "span_id": _span(trace)[::-1],
        "trace_flags": "01",
        **extra,
        "msg": message,
    }
    return json.dumps(record, separators=(",", ":"))


def _nginx(at: datetime, request: str, status: int, size: int, trace: str, took: float) -> str:
    stamp = at.strftime("%d/%b/%Y:%H:%M:%S +0000")
    return (
        f'203.0.113.7 - - [{stamp}] "{request} HTTP/1.1" {status} {size} '
        '"https://shop.example.com/cart" "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) '
        f'Gecko/20100101 Firefox/133.0" request_id={trace} rt={took:.3f}'
    )


def write_logs(root: Path) -> Path:
    """Seven quick checkouts, a failing cart lookup (nginx and checkout), and one checkout
    failing in payment, whose database times out."""
    nginx, checkout, payment = [], [], []
    checkout.append(
        "2026-11-28 14:00:00.118  INFO [checkout,,] 1 --- [           main] "
        "c.e.checkout.CheckoutApplication         : Started CheckoutApplication in 4.2 seconds"
    )
    payment.append(
        json.dumps(
            {
                "level": 30,
                "time": int((DAY + timedelta(seconds=SKEW + 0.2)).timestamp() * 1000),
                "pid": 1,
                "hostname": "payment-7d9c8f6b5-x2kq9",
                "msg": "Server listening at http://0.0.0.0:3000",
            },
            separators=(",", ":"),
        )
    )
    for n, trace in enumerate(ok_ids()):
        start = DAY + timedelta(seconds=10 * (n + 1), milliseconds=12)
        checkout.append(
            _sleuth(
                start,
                "INFO",
                trace,
                "c.e.checkout.web.CheckoutController",
                f"Checkout requested for cart c{n}a1 by customer C-10{n}",
            )
        )
        payment.append(_pino(start + timedelta(milliseconds=9), 30, trace, "incoming request"))
        payment.append(
            _pino(
                start + timedelta(milliseconds=41),
                30,
                trace,
                "request completed",
                res={"statusCode": 200},
                responseTime=32.1,
            )
        )
        checkout.append(
            _sleuth(
                start + timedelta(milliseconds=47),
                "INFO",
                trace,
                "c.e.checkout.web.CheckoutController",
                f"Order O-55{n} placed for cart c{n}a1",
            )
        )
        nginx.append(_nginx(start, "POST /api/checkout", 200, 412, trace, 0.051))
    # a cart lookup that fails in checkout; payment never hears of it
    cart_at = DAY + timedelta(seconds=75, milliseconds=300)
    checkout.append(
        _sleuth(
            cart_at,
            "ERROR",
            CART_FAILING,
            "c.e.checkout.cart.CartService",
            "Cart lookup failed for cart 77b0: CartNotFoundException",
        )
    )
    nginx.append(_nginx(cart_at, "GET /api/cart/77b0", 500, 97, CART_FAILING, 0.004))
    # the checkout that fails in payment: the database times out after 2 s
    start = DAY + timedelta(seconds=120, milliseconds=912)
    checkout.append(
        _sleuth(
            start,
            "INFO",
            FAILING,
            "c.e.checkout.web.CheckoutController",
            "Checkout requested for cart 5f2a by customer C-1042",
        )
    )
    payment.append(
        _pino(
            start + timedelta(milliseconds=35),  # after checkout read the cart
            30,
            FAILING,
            "incoming request",
            req={
                "method": "POST",
                "url": "/v1/authorize",
                "headers": {"authorization": f"Bearer {BEARER}"},
            },
        )
    )
    payment.append(
        _pino(
            start + timedelta(milliseconds=2013),
            50,
            FAILING,
            "payment authorization failed",
            err={
                "type": "Error",
                "message": "connect ETIMEDOUT 10.0.5.9:5432",
                "url": f"https://psp.example.com/v1/authorize?api_key={API_KEY}",
                "stack": "Error: connect ETIMEDOUT 10.0.5.9:5432\n    at TCPConnectWrap."
                "afterConnect [as oncomplete] (node:net:1607:16)",
                "code": "ETIMEDOUT",
                "syscall": "connect",
            },
        )
    )
    payment.append(
        _pino(
            start + timedelta(milliseconds=2015),
            30,
            FAILING,
            "request completed",
            res={"statusCode": 500},
            responseTime=2007.4,
        )
    )
    checkout.append(
        _sleuth(
            start + timedelta(milliseconds=2029),
            "ERROR",
            FAILING,
            "c.e.checkout.payment.PaymentClient",
            "Payment authorization failed for cart 5f2a (datasource "
            f"postgresql://payments:{DB_PASSWORD}@10.0.5.9:5432/payments)\n"
            "org.springframework.web.client.HttpServerErrorException$InternalServerError: "
            '500 Internal Server Error: "{"error":"payment authorization failed"}"\n'
            "\tat org.springframework.web.client.HttpServerErrorException.create("
            "HttpServerErrorException.java:100)",
        )
    )
    nginx.append(
        _nginx(start + timedelta(milliseconds=2088), "POST /api/checkout", 502, 157, FAILING, 2.043)
    )
    checkout.append(
        "2026-11-28 14:02:30.000  WARN [checkout,,] 1 --- [   scheduling-1] "
        "c.e.checkout.health.DbHealthIndicator   : Health check slow: 1210 ms"
    )
    logs = root / "logs"
    (logs / "nginx").mkdir(parents=True)
    (logs / "nginx" / "access.log").write_text("\n".join(nginx) + "\n", encoding="utf-8")
    (logs / "checkout.log").write_text("\n".join(checkout) + "\n", encoding="utf-8")
    (logs / "payment.log").write_text("\n".join(payment) + "\n", encoding="utf-8")
    return logs


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    return write_logs(tmp_path)


def loaded(logs: Path) -> Workspace:
    space = Workspace(AllowedRoots.for_session([str(logs)], cwd=logs, include_system=False))
    space.load([str(logs)])
    return space


def data(space: Workspace, arguments: dict[str, Any]) -> dict[str, Any]:
    result = registry.call(space, "trace_request", arguments)
    assert not result.is_error, result.text
    head, body, tail = result.text.split("\n")
    assert head.startswith("<log-data tool=") and tail == "</log-data>"
    parsed: dict[str, Any] = json.loads(body)
    return parsed


def test_a_request_is_followed_across_three_services_on_corrected_clocks(logs: Path) -> None:
    space = loaded(logs)
    assert space.investigation().skew_seconds.get("payment", 0.0) == pytest.approx(SKEW, abs=0.1)
    found = data(space, {"id": FAILING})
    records = found["records"]
    assert found["id"] == FAILING
    assert [(r["service"], r["at"].rsplit("/", 1)[-1]) for r in records] == [
        ("checkout", "checkout.log:17"),
        ("payment", "payment.log:16"),
        ("payment", "payment.log:17"),
        ("payment", "payment.log:18"),
        ("checkout", "checkout.log:18"),
        ("nginx", "access.log:9"),
    ]
    assert found["services"] == ["checkout", "payment", "nginx"]
    # the logs as written put payment's error after checkout's; on one clock it comes first
    raw = [datetime.fromisoformat(r["time"]) for r in records]
    assert raw != sorted(raw)
    assert found["first_error"].startswith("payment at ") and found["first_error"].endswith(
        "payment.log:17"
    )
    for record in records:
        if record["service"] == "payment":
            moved = datetime.fromisoformat(record["corrected"])
            shift = (datetime.fromisoformat(record["time"]) - moved).total_seconds()
            assert shift == pytest.approx(SKEW, abs=0.05)
        else:
            assert "corrected" not in record
    assert found["duration_seconds"] == pytest.approx(2.0, abs=0.2)
    error = records[2]
    assert error["level"] == "error" and error["text"] == "payment authorization failed"
    assert error["fields"]["err.code"] == "ETIMEDOUT"
    assert records[-1]["level"] == "error"  # nginx's 502, from the status code
    assert "records_total" not in found


def test_a_prefix_finds_the_trace_and_an_ambiguous_one_asks_for_more(logs: Path) -> None:
    space = loaded(logs)
    assert data(space, {"id": FAILING[:8].upper()})["id"] == FAILING
    # the seven quick checkouts share their first 16 characters
    result = registry.call(space, "trace_request", {"id": ok_ids()[0][:12]})
    assert result.is_error and "give more characters" in result.text, result.text
    short = registry.call(space, "trace_request", {"id": FAILING[:6]})
    assert short.is_error and "8+ characters" in short.text, short.text


def test_an_unknown_id_is_an_error_that_suggests_failing_requests(logs: Path) -> None:
    space = loaded(logs)
    result = registry.call(space, "trace_request", {"id": "0af7651916cd43dd8448eb211c80319c"})
    assert result.is_error
    assert "no record carries the id '0af7651916cd43dd8448eb211c80319c'" in result.text
    first, second = result.text.index(FAILING), result.text.index(CART_FAILING)
    assert first < second  # three services before two, though the cart failure came first


def test_without_an_id_the_failing_requests_come_first_widest_first(logs: Path) -> None:
    space = loaded(logs)
    traces = data(space, {})["traces"]
    assert [t["id"] for t in traces[:2]] == [FAILING, CART_FAILING]
    assert traces[0]["services"] == ["checkout", "payment", "nginx"]
    assert traces[0]["records"] == 6 and traces[0]["first_error"].endswith("payment.log:17")
    # nginx stamps whole seconds (14:01:15 for a request checkout failed at 14:01:15.300):
    # within its second it is not taken for the first
    assert traces[1]["services"] == ["checkout", "nginx"]
    assert traces[1]["first_error"].startswith("checkout at ")
    # then the requests that did not fail, the widest first
    assert len(traces) == 5 and [t["id"] for t in traces[2:]] == ok_ids()[:3]
    assert all("first_error" not in t and len(t["services"]) == 3 for t in traces[2:])
    # a window that ends before the failures lists only requests that did not fail
    early = data(space, {"until": "2026-11-28T14:01:00Z"})["traces"]
    assert early and all("first_error" not in t for t in early)


def test_investigate_names_a_failing_request_the_agent_can_trace(logs: Path) -> None:
    space = loaded(logs)
    assert space.investigation().example_trace == FAILING
    result = registry.call(space, "investigate", {})
    assert f'"example_trace":"{FAILING}"' in result.text
    assert data(space, {"id": FAILING})["first_error"].endswith("payment.log:17")


def test_on_the_bundled_incident_the_example_trace_fails_on_redis() -> None:
    """The votes of the failing requests name one: it went through the three services, and
    checkout-service's Redis timeout is its first error."""
    space = Workspace(AllowedRoots.for_session([str(CHECKOUT)], cwd=ROOT))
    space.load([str(CHECKOUT)])
    example = space.investigation().example_trace
    assert example is not None
    found = data(space, {"id": example})
    assert found["services"] == ["checkout-service", "cart-service", "payment-gateway"]
    assert found["first_error"].startswith("checkout-service at ")
    first = next(r for r in found["records"] if r["level"] == "error")
    assert "RedisConnectionTimeout" in first["text"] and example in first["text"]


def test_limit_window_and_the_index_kept_until_the_next_load(logs: Path, tmp_path: Path) -> None:
    space = loaded(logs)
    cut = data(space, {"id": FAILING, "limit": 2})
    assert len(cut["records"]) == 2 and cut["records_total"] == 6
    index = space.derived[INDEX_KEY]
    late = data(space, {"id": FAILING, "since": "2026-11-28T14:02:02Z"})
    # on the reference clock: payment's request began before 14:02:02, its error after
    assert [r["service"] for r in late["records"]] == ["payment", "payment", "checkout", "nginx"]
    assert space.derived[INDEX_KEY] is index  # one pass served both calls
    other = tmp_path / "more"
    other.mkdir()
    (other / "worker.log").write_text(
        "2026-11-28 14:03:00.001 ERROR [checkout,,] 1 --- [pool-1-thread-1] "
        "c.e.checkout.Worker                      : queue full\n",
        encoding="utf-8",
    )
    space.roots = AllowedRoots.for_session([str(logs), str(other)], cwd=logs, include_system=False)
    space.load([str(other)])
    assert INDEX_KEY not in space.derived
    outside = registry.call(
        space, "trace_request", {"id": FAILING, "until": "2026-11-28T14:00:30Z"}
    )
    assert outside.is_error and "outside since/until" in outside.text


def test_streamed_logs_give_the_same_trace(logs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    in_memory = data(loaded(logs), {"id": FAILING})
    monkeypatch.setattr(workspace_module, "RESIDENT_BYTES", 100)
    space = loaded(logs)
    assert space.streamed
    assert data(space, {"id": FAILING}) == in_memory
    assert data(space, {})["traces"][0]["id"] == FAILING
    # past the ids a streamed index summarises, an id is still found, by one more pass
    monkeypatch.setattr(trace_module, "MAX_IDS", 2)
    space = loaded(logs)
    assert data(space, {"id": FAILING[:10]}) == in_memory
    assert getattr(space.derived[INDEX_KEY], "complete", None) is False


def test_a_request_named_both_ways_is_found_by_either_id(tmp_path: Path) -> None:
    """structlog writes the request id and the trace id; its callee logs the trace id only."""
    logs = tmp_path / "logs"
    logs.mkdir()
    trace = "7a3f9e1c0b2d4e6f8a9b0c1d2e3f4a5b"
    (logs / "orders.log").write_text(
        '{"event": "order received", "level": "info", "timestamp": "2026-11-28T14:05:01.100Z",'
        f' "request_id": "r-5521", "trace_id": "{trace}", "logger": "orders.api"}}\n'
        '{"event": "stock service unavailable", "level": "error", "timestamp": '
        f'"2026-11-28T14:05:01.950Z", "request_id": "r-5521", "trace_id": "{trace}", '
        '"logger": "orders.api"}\n',
        encoding="utf-8",
    )
    (logs / "stock.log").write_text(
        "2026-11-28 14:05:01.120 ERROR [stock,"
        f"{trace},1c2d3e4f5a6b7c8d] 1 --- [nio-8082-exec-9] c.e.stock.StockController"
        "                : Inventory query failed: HikariPool-1 - Connection is not available\n",
        encoding="utf-8",
    )
    space = loaded(logs)
    by_trace = data(space, {"id": trace})
    assert by_trace["services"] == ["orders", "stock"]
    assert by_trace["first_error"].startswith("stock at ")
    by_request = data(space, {"id": "r-5521"})
    assert [r["at"].rsplit("/", 1)[-1] for r in by_request["records"]] == [
        "orders.log:1",
        "orders.log:2",
    ]


def test_a_secret_in_a_traced_record_never_reaches_the_model(logs: Path) -> None:
    session = ToolSession(loaded(logs))
    result = session.call("trace_request", {"id": FAILING})
    assert not result.is_error, result.text
    for secret in (DB_PASSWORD, API_KEY, BEARER):
        assert secret not in result.text and secret[:12] not in result.text
    # the records are there, their secrets are not: in the text, and in a key field
    assert "postgresql://payments:" in result.text
    assert "psp.example.com/v1/authorize?api_key=" in result.text
    unredacted = registry.call(session.workspace, "trace_request", {"id": FAILING}).text
    assert DB_PASSWORD in unredacted and API_KEY in unredacted  # no conversation, no redaction


def test_cli_prints_one_line_per_record_with_the_first_error(
    logs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["trace", FAILING[:12], str(logs)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"trace {FAILING}: 6 records over ")
    assert out[0].endswith("in 3 services: checkout -> payment -> nginx")
    assert out[1].startswith("first error: payment at ") and out[1].endswith("payment.log:17")
    rows = out[2:8]
    assert rows[0].startswith("2026-11-28T14:02:00.912Z ")
    # written 14:02:06.925 by a clock 4 s ahead (the skew measured absorbs a few ms of latency)
    assert rows[2].startswith("2026-11-28T14:02:02.9") and rows[2][24:36] == " * payment  "
    assert "error" in rows[2] and rows[2].endswith("payment authorization failed")
    assert rows[4].endswith(
        "(datasource postgresql://payments:" + DB_PASSWORD + "@10.0.5.9:5432/payments) (+2 lines)"
    )
    assert out[-1] == "* time corrected for the clock skew of its service"
    assert run(["trace", FAILING, str(logs), "--json", "--limit", "1"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["records_total"] == 6 and len(printed["records"]) == 1


def test_cli_unknown_id_is_one_line_and_exit_2(
    logs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["trace", "deadbeefdeadbeef", str(logs)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("log-analyzer: error: no record carries the id 'deadbeefdeadbeef'")
    assert FAILING in err[0]
    # a trace goes through every service: a service filter is refused, not half-applied
    assert run(["trace", FAILING, str(logs), "--service", "payment"]) == 2
    assert "--service payment" in capsys.readouterr().err
