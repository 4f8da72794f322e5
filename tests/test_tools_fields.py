"""Structured fields in the tools (issue 14): `search_logs` matches field values as well as the
message (`field=` for one field, `exclude` to drop records), hits and group examples show the
record's key fields (redacted as message text is), `group_errors` below warning mines the
lower records' templates, `count_per_minute` counts what a pattern matches, `read_lines` keeps
within a budget of its own (`next_start`, `tail`), and a cut result's hint names only options
the tool has.

The lines are written as the loggers write them: pino and bunyan (Node.js) with an `err`
object, ecs-logging-java with flat dotted keys, logrus and go-kit logfmt with `error=`/`err=`,
zap's production JSON encoder with go-grpc-middleware's fields, structlog with a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from log_analyzer.agent.budget import fit, narrow_hint
from log_analyzer.agent.registry import TOOLS, call
from log_analyzer.agent.roots import AllowedRoots
from log_analyzer.agent.session import ToolSession
from log_analyzer.agent.tools.fields import flatten, key_fields, shown_fields
from log_analyzer.agent.tools.loading import READ_CHARS
from log_analyzer.agent.workspace import Workspace

T0 = 1795874400000  # 2026-11-28T14:00:00Z in epoch milliseconds (pino's `time`)
STACK = (
    "Error: certificate has expired\n"
    "    at TLSSocket.onConnectSecure (node:_tls_wrap:1674:34)\n"
    "    at TLSSocket.emit (node:events:519:28)\n"
    "    at TLSSocket._finishInit (node:_tls_wrap:1085:8)"
)


def pino(ms: int, level: int, msg: str, **extra: Any) -> str:
    record = {"level": level, "time": T0 + ms, "pid": 18, "hostname": "auth-api-6c9d8f7b5-x2k4q"}
    record.update(extra)
    record["msg"] = msg
    return json.dumps(record, separators=(",", ":"))


def probe(ms: int, number: int) -> str:
    return pino(
        ms,
        30,
        "request completed",
        req={
            "id": number,
            "method": "GET",
            "url": "/healthz",
            "headers": {"host": "10.0.7.14:3000", "user-agent": "kube-probe/1.29"},
            "remoteAddress": "10.0.7.1",
            "remotePort": 52814 + number,
        },
        res={"statusCode": 200},
        responseTime=1 + number % 3,
    )


def ldap_failure(ms: int) -> str:
    return pino(
        ms,
        50,
        "LDAP bind failed",
        ldapUrl="ldaps://ldap.corp.example:636",
        err={
            "type": "Error",
            "message": "certificate has expired",
            "stack": STACK,
            "code": "CERT_HAS_EXPIRED",
        },
    )


def auth_log() -> str:
    lines = [pino(0, 30, "server listening on http://0.0.0.0:3000")]
    lines += [probe(1000 * n, n) for n in range(1, 40)]
    lines.append(pino(40_000, 20, "ldap pool: 4 idle connections"))
    lines += [ldap_failure(60_000 + 5000 * n) for n in range(6)]
    lines.append(
        pino(
            95_000,
            50,
            "request errored",
            req={"id": 77, "method": "POST", "url": "/login"},
            res={"statusCode": 502},
            err={
                "type": "Error",
                "message": "connect ECONNREFUSED 10.0.3.12:389",
                "code": "ECONNREFUSED",
                "errno": -111,
                "syscall": "connect",
                "address": "10.0.3.12",
                "port": 389,
            },
        )
    )
    lines += [probe(100_000 + 1000 * n, 40 + n) for n in range(10)]
    return "\n".join(lines) + "\n"


def ecs(second: int, level: str, message: str, **extra: Any) -> str:
    record = {
        "@timestamp": f"2026-11-28T14:0{second // 60}:{second % 60:02d}.118Z",
        "log.level": level,
        "message": message,
        "ecs.version": "1.2.0",
        "service.name": "payments",
        "event.dataset": "payments.log",
        "process.thread.name": "http-nio-8080-exec-4",
        "log.logger": "com.shop.payments.StripeClient",
    }
    record.update(extra)
    return json.dumps(record, separators=(",", ":"))


def payments_log() -> str:
    failure = {
        "error.type": "java.net.ConnectException",
        "error.message": "Connection refused",
        "error.stack_trace": "java.net.ConnectException: Connection refused\n\tat java.base/sun."
        "nio.ch.Net.connect0(Native Method)\n\tat java.base/sun.nio.ch.Net.connect(Net.java:579)",
        "http.request.method": "POST",
        "url.path": "/v1/charges",
        "url.domain": "stripe-proxy.payments.svc",
        "http.response.status_code": 503,
    }
    lines = [
        ecs(10, "INFO", "Started PaymentsApplication in 4.2 seconds (process running for 4.9)")
    ]
    lines += [ecs(62 + n, "ERROR", "Charge request failed", **failure) for n in range(3)]
    return "\n".join(lines) + "\n"


def cart_log() -> str:
    """zap's production encoder, with go-grpc-middleware's call fields."""
    return (
        '{"level":"info","ts":1795874461.0,"caller":"cart/main.go:51","msg":"cache warmed",'
        '"entries":1200}\n'
        '{"level":"error","ts":1795874463.118442,"caller":"store/redis.go:88","msg":"redis get '
        'failed","key":"cart:8812","error":"dial tcp 10.0.3.12:6379: i/o timeout","stacktrace":'
        '"main.(*Store).Get\\n\\t/app/store/redis.go:88\\nmain.handler\\n\\t/app/main.go:42"}\n'
        '{"level":"error","ts":1795874464.2,"caller":"zap/options.go:212","msg":"finished unary '
        'call with code Unavailable","grpc.start_time":"2026-11-28T14:01:04Z","system":"grpc",'
        '"span.kind":"server","grpc.service":"cart.Cart","grpc.method":"GetCart","error":"rpc '
        'error: code = Unavailable desc = connection refused","grpc.code":"Unavailable",'
        '"grpc.time_ms":3.2}\n'
    )


def images_log() -> str:
    """logrus (containerd's style) and go-kit (Prometheus) logfmt."""
    return (
        'time="2026-11-28T14:01:10Z" level=info msg="pulling image" image="registry.example/cart:'
        '1.4.2"\n'
        'time="2026-11-28T14:01:12Z" level=error msg="PullImage from image service failed" '
        'error="rpc error: code = Unknown desc = failed to resolve reference \\"registry.example/'
        'cart:1.4.2\\": unexpected status code 401 Unauthorized" image="registry.example/cart:'
        '1.4.2"\n'
        'level=warn ts=2026-11-28T14:01:15.118Z caller=scrape.go:1334 component="scrape manager" '
        'scrape_pool=node target=http://10.0.3.12:9100/metrics msg="Scrape failed" err="Get '
        '\\"http://10.0.3.12:9100/metrics\\": dial tcp 10.0.3.12:9100: connect: connection '
        'refused"\n'
    )


def logs(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "auth-api.log").write_text(auth_log())
    (directory / "payments.log").write_text(payments_log())
    (directory / "cart.log").write_text(cart_log())
    (directory / "images.log").write_text(images_log())
    return directory


def workspace_of(directory: Path) -> Workspace:
    space = Workspace(AllowedRoots.for_session([str(directory)], cwd=directory))
    space.load([str(directory)])
    return space


@pytest.fixture
def space(tmp_path: Path) -> Workspace:
    return workspace_of(logs(tmp_path / "logs"))


def data_of(text: str) -> dict[str, Any]:
    head, body, tail = text.split("\n")
    assert head.startswith("<log-data tool=") and tail == "</log-data>", text
    parsed: dict[str, Any] = json.loads(body)
    return parsed


def run(space: Workspace, tool: str, arguments: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    result = call(space, tool, arguments, **kwargs)
    assert not result.is_error, result.text
    return data_of(result.text)


# --- flattening and key fields --------------------------------------------------------------------


def test_fields_flatten_to_dot_paths_and_lists_are_joined_or_indexed():
    leaves = dict(
        flatten(
            {
                "err": {"code": "ECONNREFUSED", "errno": -111, "retryable": False},
                "tags": ["checkout", "eu-west-1"],
                "errors": [{"code": "23505", "detail": "Key (email) already exists."}],
                "continues": True,
                "parent": None,
            }
        )
    )
    assert leaves == {
        "err.code": "ECONNREFUSED",
        "err.errno": "-111",
        "err.retryable": "false",
        "tags": "checkout, eu-west-1",
        "errors.0.code": "23505",
        "errors.0.detail": "Key (email) already exists.",
    }
    assert flatten(None) == [] and flatten({}) == []


def test_the_readers_copy_of_the_error_text_is_no_field_of_its_own():
    zap = {
        "error": "dial tcp 10.0.3.12:6379: i/o timeout",
        "error_text": "dial tcp 10.0.3.12:6379: i/o timeout",
    }
    assert [path for path, _ in flatten(zap)] == ["error"]
    java = {
        "stack_trace": "java.io.IOException: Broken pipe\n\tat x.y(Z.java:1)",
        "error_text": "java.io.IOException: Broken pipe\n\tat x.y(Z.java:1)",
    }
    assert [path for path, _ in flatten(java)] == ["stack_trace"]
    # ...and when it is the only text of the error, it is the key field that says it
    assert key_fields(java) == [("error_text", java["error_text"])]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (  # pino / bunyan: the err object, and a URL named in camel case
            {
                "hostname": "auth-api-6c9d",
                "pid": 18,
                "ldapUrl": "ldaps://ldap.corp.example:636",
                "err": {
                    "type": "Error",
                    "message": "certificate has expired",
                    "stack": STACK,
                    "code": "CERT_HAS_EXPIRED",
                },
            },
            {
                "err.type": "Error",
                "err.code": "CERT_HAS_EXPIRED",
                "err.message": "certificate has expired",
                "ldapUrl": "ldaps://ldap.corp.example:636",
            },
        ),
        (  # ECS nested, the emitter's own host left out
            {
                "error": {"type": "java.net.SocketTimeoutException", "message": "Read timed out"},
                "http": {"request": {"method": "GET"}, "response": {"status_code": 504}},
                "url": {"full": "http://inventory:8080/api/stock/8812"},
                "host": {"hostname": "orders-5f7", "ip": ["10.0.4.2"]},
                "agent": {"type": "filebeat", "name": "orders-5f7"},
            },
            {
                "error.type": "java.net.SocketTimeoutException",
                "error.message": "Read timed out",
                "http.response.status_code": "504",
                "http.request.method": "GET",
                "url.full": "http://inventory:8080/api/stock/8812",
            },
        ),
        (  # nginx JSON access log: status, method, URI, upstream; timings are no key fields
            {
                "remote_addr": "10.0.0.7",
                "request_method": "POST",
                "request_uri": "/api/checkout",
                "status": "502",
                "upstream_addr": "10.0.3.12:8080",
                "upstream_response_time": "0.504",
                "body_bytes_sent": "150",
                "http_user_agent": "Mozilla/5.0",
            },
            {
                "status": "502",
                "request_method": "POST",
                "request_uri": "/api/checkout",
                "remote_addr": "10.0.0.7",
                "upstream_addr": "10.0.3.12:8080",
            },
        ),
        (  # structlog: the traceback says what happened on its last line
            {
                "exception": "Traceback (most recent call last):\n"
                '  File "/app/tasks.py", line 41, in charge\n    resp.raise_for_status()\n'
                "requests.exceptions.HTTPError: 502 Server Error: Bad Gateway for url: "
                "http://billing:8000/charge",
                "order_id": 8812,
            },
            {
                "exception": "requests.exceptions.HTTPError: 502 Server Error: Bad Gateway for "
                "url: http://billing:8000/charge"
            },
        ),
        ({"user": "alice", "duration_ms": 12, "cart_items": 3}, None),
    ],
)
def test_key_fields_are_chosen_by_what_their_names_say(fields, expected):
    assert shown_fields(fields) == expected


def test_key_fields_are_few_and_short_and_never_a_secret():
    fields = {
        "err": {
            "type": "Error",
            "code": "ECONNREFUSED",
            "errno": -111,
            "syscall": "connect",
            "address": "10.0.3.12",
            "port": 6379,
            "message": "connect ECONNREFUSED " * 40,
        },
        "password": "hunter2-but-longer",
        "authorization": "Bearer abc.def.ghi",
        "api_key": "k-123",
        "session_id": "s-1",
    }
    shown = shown_fields(fields)
    assert shown is not None and len(shown) <= 6
    assert sum(len(k) + len(v) for k, v in shown.items()) <= 400
    assert all(len(value) <= 161 for value in shown.values())
    assert not {"password", "authorization", "api_key", "session_id"} & set(shown)


# --- search_logs ----------------------------------------------------------------------------------


def test_a_value_only_in_a_field_is_found_and_named(space):
    found = run(space, "search_logs", {"pattern": "CERT_HAS_EXPIRED"})
    assert found["matches_total"] == 6
    hit = found["hits"][0]
    assert hit["text"] == "LDAP bind failed" and hit["at"].endswith("auth-api.log:42")
    assert hit["matched_fields"] == ["err.code"]
    assert hit["fields"]["err.code"] == "CERT_HAS_EXPIRED"
    assert hit["fields"]["err.message"] == "certificate has expired"
    assert hit["fields"]["ldapUrl"] == "ldaps://ldap.corp.example:636"
    # a message match names no field; its key fields still show
    message = run(space, "search_logs", {"pattern": "Charge request failed"})
    assert message["matches_total"] == 3
    assert "matched_fields" not in message["hits"][0]
    assert message["hits"][0]["fields"]["http.response.status_code"] == "503"


@pytest.mark.parametrize(
    ("pattern", "regex", "total", "field"),
    [
        ("401 Unauthorized", False, 1, "error"),  # logrus `error=`
        ("connect: connection refused", False, 1, "err"),  # go-kit `err=`
        ("i/o timeout", False, 1, "error"),  # zap
        (r"status code \d{3} unauth", True, 1, "error"),
        ("/v1/charges", False, 3, "url.path"),  # ECS, flat dotted keys
        ("kube-probe", False, 49, "req.headers.user-agent"),  # nested three deep
    ],
)
def test_every_format_s_fields_are_searched(space, pattern, regex, total, field):
    found = run(space, "search_logs", {"pattern": pattern, "regex": regex, "limit": 60})
    assert found["matches_total"] == total
    assert all(field in hit["matched_fields"] for hit in found["hits"])


def test_field_restricts_the_search_to_one_field(space):
    # ECONNREFUSED is in the message of nothing, in err.code of one record, in err.message too
    by_code = run(space, "search_logs", {"pattern": "ECONNREFUSED", "field": "err.code"})
    assert by_code["matches_total"] == 1 and by_code["hits"][0]["matched_fields"] == ["err.code"]
    # the message is not searched: "refused" is in messages and fields elsewhere
    refused = run(space, "search_logs", {"pattern": "refused", "field": "error.message"})
    assert refused["matches_total"] == 3
    assert {h["service"] for h in refused["hits"]} == {"payments"}
    # the last part of a path, when it names one field only
    status = run(
        space, "search_logs", {"pattern": "^50[23]$", "regex": True, "field": "statusCode"}
    )
    assert status["matches_total"] == 1 and status["hits"][0]["matched_fields"] == [
        "res.statusCode"
    ]


def test_a_field_name_that_names_several_or_none_is_an_error_that_says_so(space):
    several = call(
        space,
        "search_logs",
        {"pattern": "Unavailable|ECONNREFUSED", "regex": True, "field": "code"},
    )
    assert several.is_error
    assert "err.code" in several.text and "grpc.code" in several.text and "dot path" in several.text
    missing = call(space, "search_logs", {"pattern": "x", "field": "err.cod"})
    assert missing.is_error and "no record has it" in missing.text and "err.code" in missing.text
    # a field that exists but matches nothing is no error: zero hits
    none = run(space, "search_logs", {"pattern": "EPIPE", "field": "err.code"})
    assert none["matches_total"] == 0


def test_exclude_drops_records_whose_message_or_fields_match(space):
    everything = run(space, "search_logs", {"pattern": "request", "limit": 200})
    probes = run(space, "search_logs", {"pattern": "kube-probe", "limit": 200})
    rest = run(space, "search_logs", {"pattern": "request", "exclude": "kube-probe", "limit": 200})
    assert rest["matches_total"] == everything["matches_total"] - probes["matches_total"] > 0
    assert all("kube-probe" not in json.dumps(hit) for hit in rest["hits"])
    # by the message too, and as a regex with regex=true
    both = run(space, "search_logs", {"pattern": "fail", "exclude": "^(LDAP|redis)", "regex": True})
    texts = {hit["text"] for hit in both["hits"]}
    assert texts and not any(t.startswith(("LDAP", "redis")) for t in texts)
    assert "Charge request failed" in texts


def test_anchors_and_lookarounds_hold_per_field(space):
    # \A: at the start of a field's own text, not of the values joined
    anchored = run(space, "search_logs", {"pattern": r"\AECONN", "regex": True})
    assert anchored["matches_total"] == 1
    assert anchored["hits"][0]["matched_fields"] == ["err.code"]  # not err.message: "connect ..."
    behind = run(space, "search_logs", {"pattern": r"(?<!CERT_)HAS_EXPIRED", "regex": True})
    assert behind["matches_total"] == 0
    # a field's text ends where the values joined go on (a newline, which is `\s`)
    ahead = run(space, "search_logs", {"pattern": r"i/o timeout(?!\s)", "regex": True})
    assert ahead["matches_total"] == 1 and ahead["hits"][0]["matched_fields"] == ["error"]


def test_a_catastrophic_regex_on_a_field_times_out(tmp_path):
    log = tmp_path / "api.log"
    log.write_text(pino(0, 50, "bad input", input="a" * 5000 + "!") + "\n")
    space = workspace_of(tmp_path)
    result = call(space, "search_logs", {"pattern": "(a|aa)+$", "regex": True})
    assert result.is_error and "too slow" in result.text
    excluded = call(space, "search_logs", {"pattern": "bad", "exclude": "(a|aa)+$", "regex": True})
    assert excluded.is_error and "exclude" in excluded.text and "too slow" in excluded.text


# --- group_errors ---------------------------------------------------------------------------------


def test_group_examples_show_their_key_fields(space):
    groups = run(space, "group_errors", {"limit": 50})["groups"]
    by_service: dict[str, list[dict[str, Any]]] = {}
    for group in groups:
        by_service.setdefault(group["service"], []).append(group)
    ldap = next(g for g in by_service["auth-api"] if g["example"] == "LDAP bind failed")
    assert ldap["fields"]["err.code"] == "CERT_HAS_EXPIRED" and ldap["id"] and ldap["kind"]
    payments = by_service["payments"][0]
    assert payments["fields"]["error.type"] == "java.net.ConnectException"
    assert payments["fields"]["url.path"] == "/v1/charges"
    images = next(g for g in by_service["images"] if "PullImage" in g["example"])
    assert "401 Unauthorized" in images["fields"]["error"]


def test_group_examples_show_fields_when_the_records_are_streamed(space, tmp_path, monkeypatch):
    from log_analyzer.agent import workspace as workspace_module

    monkeypatch.setattr(workspace_module, "RESIDENT_BYTES", 0)
    streamed = workspace_of(tmp_path / "logs")
    assert streamed.streamed
    assert run(streamed, "group_errors", {"limit": 50}) == run(space, "group_errors", {"limit": 50})


def test_below_warning_group_errors_mines_the_lower_records_templates(space):
    warning = run(space, "group_errors", {"limit": 50})
    info = run(space, "group_errors", {"min_level": "info", "limit": 50})
    assert "lower_groups" not in warning
    assert info["groups"] == warning["groups"]  # the error groups are the same
    lower = info["lower_groups"]
    assert info["lower_groups_total"] == len(lower)
    probes = next(g for g in lower if g["example"] == "request completed")
    assert probes["count"] == 49 and probes["service"] == "auth-api" and probes["level"] == "info"
    assert probes["first_seen"] == "2026-11-28T14:00:01Z"
    assert probes["last_seen"] == "2026-11-28T14:01:49Z"
    assert probes["at"].endswith("auth-api.log:2")
    assert probes["fields"]["res.statusCode"] == "200" and "id" not in probes
    labels = " | ".join(g["example"] for g in lower)
    assert "cache warmed" in labels and "pulling image" in labels and "Started Payments" in labels
    assert all(g["level"] in {"info", "notice"} for g in lower)
    assert "ldap pool" not in labels  # debug is below info
    debug = run(space, "group_errors", {"min_level": "debug", "limit": 50})
    assert any("ldap pool" in g["example"] for g in debug["lower_groups"])
    assert debug["lower_groups_total"] == info["lower_groups_total"] + 1
    # bounded by limit, largest first, counted whole
    two = run(space, "group_errors", {"min_level": "info", "limit": 2})
    assert len(two["lower_groups"]) == 2 and two["lower_groups_total"] == len(lower)
    assert two["lower_groups"][0]["count"] >= two["lower_groups"][1]["count"]


def test_lower_groups_keep_to_the_window_and_service(space):
    window = run(
        space,
        "group_errors",
        {"min_level": "info", "since": "2026-11-28T14:01:40Z", "service": "auth-api"},
    )
    [probes] = window["lower_groups"]
    assert probes["count"] == 10 and probes["first_seen"] == "2026-11-28T14:01:40Z"


# --- count_per_minute -----------------------------------------------------------------------------


def test_count_per_minute_counts_what_a_pattern_matches_at_any_level(space):
    errors = run(space, "count_per_minute", {})
    assert errors["min_level"] == "error"
    probes = run(space, "count_per_minute", {"pattern": "kube-probe", "service": "auth-api"})
    assert probes["min_level"] == "any"
    assert [row.split()[:2] for row in probes["rows"]] == [
        ["2026-11-28T14:00:00Z", "39"],
        ["2026-11-28T14:01:00Z", "10"],
    ]
    # a value in a field only (err.code), one row per minute, the empty minute kept
    expired = run(space, "count_per_minute", {"pattern": "cert_has_expired"})
    assert [row.split()[1] for row in expired["rows"]] == ["6"]
    assert expired["rows"][0].startswith("2026-11-28T14:01:00Z")
    # min_level given: only the matching records at that level
    refused = run(space, "count_per_minute", {"pattern": "refused", "min_level": "error"})
    every = run(space, "count_per_minute", {"pattern": "refused"})
    total = sum(int(row.split()[1]) for row in refused["rows"])
    assert total == 3 + 1 + 1  # payments x3, the ECONNREFUSED request, the grpc call
    assert sum(int(row.split()[1]) for row in every["rows"]) == total + 1  # + go-kit's warning
    regex = run(space, "count_per_minute", {"pattern": r"\b50[23]\b", "regex": True})
    assert sum(int(row.split()[1]) for row in regex["rows"]) == 4


# --- redaction ------------------------------------------------------------------------------------

SECRET = "Xq7" + "vR2mW9kPz"
TOKEN = "eyJhbGciOiJIUzI1NiJ9" + ".eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNlY3JldA"


def test_a_secret_in_a_field_never_reaches_the_model(tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "auth-api.log").write_text(
        "\n".join(
            [
                pino(
                    0,
                    50,
                    "login failed",
                    user="alice",
                    password=SECRET,
                    req={
                        "method": "POST",
                        "url": "/login",
                        "headers": {"authorization": f"Bearer {TOKEN}"},
                    },
                    err={
                        "type": "AuthError",
                        "message": f"bad credentials password={SECRET}",
                        "code": "EAUTH",
                    },
                ),
                pino(
                    1000,
                    50,
                    "db connect failed",
                    err={"message": "connect ECONNREFUSED", "code": "ECONNREFUSED"},
                    url=f"postgres://app:{SECRET}@db.internal:5432/shop",
                ),
                pino(2000, 30, "token refreshed", token=TOKEN, url="/oauth/token"),
            ]
        )
        + "\n"
    )
    workspace = Workspace(AllowedRoots.for_session([str(logs)], cwd=logs, include_system=False))
    session = ToolSession(workspace)
    assert not session.call("parse_logs", {"paths": [str(logs)]}).is_error
    calls: list[tuple[str, dict[str, Any]]] = [
        ("search_logs", {"pattern": "failed"}),
        ("search_logs", {"pattern": "login", "context": 2}),
        ("search_logs", {"pattern": SECRET}),  # matches the password field itself
        ("search_logs", {"pattern": "Bearer", "field": "authorization"}),
        ("search_logs", {"pattern": "shop", "exclude": "alice"}),
        ("group_errors", {"min_level": "info"}),
        ("count_per_minute", {"pattern": "refreshed"}),
        ("investigate", {}),
    ]
    texts = []
    for name, arguments in calls:
        result = session.call(name, arguments)
        assert not result.is_error, (name, result.text)
        texts.append(result.text)
        for value in (SECRET, TOKEN, TOKEN.split(".")[1], SECRET[2:9]):
            assert value not in result.text, (name, arguments, result.text)
    found = data_of(texts[2])
    assert found["matches_total"] == 2  # the password field, and err.message (and url)
    assert "password" in found["hits"][0]["matched_fields"]
    # redacted, not dropped: the URL's credentials become a placeholder, the rest stays readable
    db = data_of(texts[0])["hits"][1]["fields"]
    assert db["url"].startswith("postgres://app:<password-") and db["url"].endswith(
        "@db.internal:5432/shop"
    )
    assert data_of(texts[0])["hits"][0]["fields"]["err.code"] == "EAUTH"


# --- read_lines -----------------------------------------------------------------------------------


def long_log(path: Path, lines: int = 5000) -> list[str]:
    """A Java service's log: lines of 150 to 400 characters."""
    written = []
    for n in range(1, lines + 1):
        detail = "x-request-id=" + f"{n:08x}" * (1 + n % 30)
        written.append(
            f"2026-11-28 14:{n // 600 % 60:02d}:{n // 10 % 60:02d}.{n % 1000:03d} INFO 1 --- "
            f"[nio-8080-exec-{n % 10}] c.s.orders.OrderController : order {n} accepted {detail}"
        )
    path.write_text("\n".join(written) + "\n")
    return written


def test_read_lines_stops_within_its_budget_and_says_where_to_continue(tmp_path):
    written = long_log(tmp_path / "orders.log")
    space = workspace_of(tmp_path)
    path = str(tmp_path / "orders.log")
    first = run(space, "read_lines", {"path": path, "start": 100, "end": 299})
    assert "truncated" not in first  # the registry's budget never cut it
    lines = first["lines"]
    assert 10 < len(lines) < 200 and first["next_start"] == 100 + len(lines)
    assert first["end"] == first["next_start"] - 1 and first["more"] is True
    assert [line.split(": ", 1)[1] for line in lines] == written[99 : 99 + len(lines)]
    assert sum(len(json.dumps(line)) for line in lines) <= READ_CHARS
    following = run(space, "read_lines", {"path": path, "start": first["next_start"], "end": 299})
    assert following["lines"][0].startswith(f"{first['next_start']}: ")
    # a range that fits comes whole, without next_start
    few = run(space, "read_lines", {"path": path, "start": 4990})
    assert len(few["lines"]) == 11 and few["end"] == 5000 and few["total_lines"] == 5000
    assert few["more"] is False and "next_start" not in few
    past = run(space, "read_lines", {"path": path, "start": 6000})
    assert past["lines"] == [] and past["total_lines"] == 5000 and "5000 lines" in past["note"]


def test_read_lines_caps_a_long_range_at_200_lines_and_says_where_to_continue(tmp_path):
    log = tmp_path / "short.log"
    log.write_text(
        "".join(f"2026-11-28T14:00:{n % 60:02d}Z INFO tick {n}\n" for n in range(1, 5001))
    )
    space = workspace_of(tmp_path)
    read = run(space, "read_lines", {"path": str(log), "start": 1, "end": 1000})
    assert len(read["lines"]) == 200 and read["next_start"] == 201 and read["more"] is True
    assert "total_lines" not in read


def test_read_lines_tail_reads_the_end_of_the_file(tmp_path):
    written = long_log(tmp_path / "orders.log")
    space = workspace_of(tmp_path)
    path = str(tmp_path / "orders.log")
    tail = run(space, "read_lines", {"path": path, "tail": 20})
    assert tail["total_lines"] == 5000 and tail["start"] == 4981 and tail["end"] == 5000
    assert [line.split(": ", 1)[1] for line in tail["lines"]] == written[-20:]
    assert tail["more"] is False and "note" not in tail
    # more than fits: the last lines that do, and where the rest is
    wide = run(space, "read_lines", {"path": path, "tail": 200})
    assert wide["end"] == 5000 and wide["lines"][-1].startswith("5000: ")
    assert 10 < len(wide["lines"]) < 200 and wide["start"] == 5001 - len(wide["lines"])
    assert f"4801-{wide['start'] - 1}" in wide["note"]
    assert "truncated" not in wide


@pytest.mark.parametrize(
    "arguments",
    [{}, {"start": 1, "tail": 5}, {"tail": 5, "end": 9}, {"tail": 0}, {"tail": 201}],
)
def test_read_lines_takes_exactly_one_of_start_and_tail(tmp_path, arguments):
    long_log(tmp_path / "orders.log", 10)
    space = workspace_of(tmp_path)
    result = call(space, "read_lines", {"path": str(tmp_path / "orders.log"), **arguments})
    assert result.is_error and "invalid arguments" in result.text


def test_read_lines_tail_redacts_a_key_that_starts_before_the_tail(tmp_path):
    body = ["MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj"] * 3
    log = tmp_path / "boot.log"
    log.write_text(
        "2026-11-28T14:00:00Z INFO loading key\n-----BEGIN PRIVATE KEY-----\n"
        + "\n".join(body)
        + "\n-----END PRIVATE KEY-----\n2026-11-28T14:00:01Z INFO ready\n"
    )
    workspace = Workspace(AllowedRoots.for_session([str(tmp_path)], cwd=tmp_path))
    session = ToolSession(workspace)
    result = session.call("read_lines", {"path": str(log), "tail": 3})
    assert not result.is_error and body[0] not in result.text and body[0][:20] not in result.text
    assert data_of(result.text)["lines"][-1] == "7: 2026-11-28T14:00:01Z INFO ready"


# --- the hint of a cut result ---------------------------------------------------------------------


def test_the_hint_names_only_options_the_tool_has():
    assert narrow_hint(TOOLS["group_errors"].input_model.model_fields) == (
        "narrow the next call with since/until, service, min_level or a smaller limit"
    )
    search = narrow_hint(TOOLS["search_logs"].input_model.model_fields)
    assert "exclude" in search and "a more specific pattern" in search and "field" in search
    read = narrow_hint(TOOLS["read_lines"].input_model.model_fields)
    assert read == "narrow the next call with a shorter start..end range"
    generic = narrow_hint(())
    assert "since" not in generic and "limit" not in generic
    cut = json.loads(fit({"rows": ["x" * 100] * 400}, 500, ["bucket_seconds", "since", "until"]))
    assert cut["truncated"]["hint"] == "narrow the next call with since/until"


def test_a_cut_result_through_the_registry_names_the_tools_own_options(space):
    cut = run(
        space, "count_per_minute", {"bucket_seconds": 1, "pattern": "probe"}, token_budget=300
    )
    hint = cut["truncated"]["hint"]
    assert "since/until" in hint and "a more specific pattern" in hint
    assert "limit" not in hint and "min_level" in hint
