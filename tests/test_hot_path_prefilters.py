"""The per-record tests of an investigation take shortcuts that must never change an answer:
`substrings.any_of` (one search for many words) in front of `operational_event` and of the
level inference, the request id's stems, the request places looked up by key set, and the
collector's single loop that hands the grouper only what it groups.

Each shortcut is checked against the plain reading it replaces, on log lines as real software
writes them (operational events of every kind, alerts and their heartbeats, lines that come
close to one) and on seeded random text built from the very words the shortcuts look for.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import pytest

from log_analyzer.analysis import events
from log_analyzer.analysis.collect import Collector
from log_analyzer.analysis.events import OPERATIONAL_WORDS, operational_event
from log_analyzer.analysis.impact import RequestTally
from log_analyzer.analysis.skew import _ID_HINTS, _ID_IN_TEXT, _ID_STEMS, request_id
from log_analyzer.inferred_levels import _ANY_STEM, _STEMS, inferred
from log_analyzer.ingest import parse_lines
from log_analyzer.mining import requests
from log_analyzer.mining.groups import ErrorGrouper
from log_analyzer.records import Record
from log_analyzer.substrings import any_of

SPRING = "2026-11-28T14:02:{:02d}.101Z  {} 4242 --- [checkout] [nio-8080-exec-3] {:<40} : {}"
SPRING_LINES = [
    SPRING.format(0, "INFO", "c.e.checkout.CheckoutApplication", "Starting CheckoutApplication "
                  "v2.14.1 using Java 21.0.5 with PID 4242 (/app/checkout.jar started by app)"),
    SPRING.format(4, "INFO", "c.e.checkout.CheckoutApplication",
                  "Started CheckoutApplication in 4.211 seconds (process running for 4.9)"),
    SPRING.format(5, "INFO", "o.s.b.w.embedded.tomcat.TomcatWebServer",
                  "Tomcat started on port 8080 (http) with context path '/'"),
    SPRING.format(6, "INFO", "c.e.checkout.cart.CartService",
                  "Cart 7781 loaded from cache in 3 ms"),
    SPRING.format(7, "WARN", "c.e.checkout.pay.PaymentClient",
                  "Request 8f1c2e took 2300 ms (traceId=4bf92f3577b34da6a3ce929d0e0e4736)"),
    SPRING.format(8, "WARN", "o.h.engine.jdbc.spi.SqlExceptionHelper",
                  "SQL Error: 0, SQLState: 08001 - Transaction rolled back"),
    SPRING.format(9, "ERROR", "o.a.c.c.C.[.[.[/].[dispatcherServlet]",
                  "Servlet.service() for servlet [dispatcherServlet] threw exception"),
    "org.springframework.dao.DataAccessResourceFailureException: Unable to acquire JDBC Connection",
    "\tat org.hibernate.engine.jdbc.connections.internal.BasicConnectionCreator.convertSqlException"
    "(BasicConnectionCreator.java:122)",
    "Caused by: java.net.ConnectException: Connection refused",
    SPRING.format(10, "INFO", "o.s.b.w.e.tomcat.GracefulShutdown",
                  "Commencing graceful shutdown. Waiting for active requests to complete"),
    SPRING.format(11, "INFO", "o.s.b.w.e.tomcat.GracefulShutdown", "Graceful shutdown complete"),
    SPRING.format(12, "INFO", "c.e.checkout.config.FeatureFlags",
                  "Configuration changed: checkout.retry.max-attempts 3 -> 5"),
]  # fmt: skip
SYSLOG_LINES = [
    "Nov 28 14:00:01 web-1 CRON[2211]: (root) CMD (   test -x /etc/cron.daily/popularity-contest"
    " && /etc/cron.daily/popularity-contest --crond)",
    "Nov 28 14:00:03 web-1 systemd[1]: Started session-390.scope - Session 390 of User deploy.",
    "Nov 28 14:00:05 web-1 systemd[1]: Starting apt-daily.service - Daily apt download "
    "activities...",
    "Nov 28 14:00:07 web-1 kernel: [812345.123456] Out of memory: Killed process 4242 (java) "
    "total-vm:8123456kB, anon-rss:4012345kB, file-rss:0kB, shmem-rss:0kB, UID:1000 "
    "pgtables:9000kB oom_score_adj:0",
    "Nov 28 14:00:08 web-1 systemd[1]: checkout.service: Main process exited, code=killed, "
    "status=9/KILL",
    "Nov 28 14:00:08 web-1 systemd[1]: checkout.service: Failed with result 'signal'.",
    "Nov 28 14:00:18 web-1 systemd[1]: checkout.service: Scheduled restart job, restart counter is "
    "at 1.",
    "Nov 28 14:00:18 web-1 sshd[3001]: Accepted publickey for deploy from 10.0.4.7 port 52144 ssh2:"
    " ED25519 SHA256:Zx8q0P3k1c2Vb7nQm4rT9wYh6uJ5sLd0aE2fG8iK1oM",
    "Nov 28 14:00:19 web-1 sshd[3002]: error: kex_exchange_identification: Connection closed by "
    "remote host",
    'Nov 28 14:00:20 web-1 dockerd[911]: time="2026-11-28T14:00:20.123456789Z" level=info '
    'msg="Container failed to exit within 10s of signal 15 - using the force" '
    "container=4f1c9e2d",
    "Nov 28 14:00:21 web-1 haproxy[1500]: Server be_checkout/checkout-2 is DOWN, reason: Layer4 "
    'connection problem, info: "Connection refused", check duration: 0ms. 1 active and 0 backup '
    "servers left. 0 sessions active, 0 requeued, 0 remaining in queue.",
    "Nov 28 14:00:22 web-1 kubelet[812]: E1128 14:00:22.118231     812 pod_workers.go:1298] "
    '"Error syncing pod, skipping" err="failed to \\"StartContainer\\" for \\"checkout\\" with '
    'CrashLoopBackOff: \\"back-off 40s restarting failed container=checkout\\""',
    "Nov 28 14:00:23 web-1 kubelet[812]: Back-off restarting failed container checkout in pod "
    "checkout-7d9f8c6b5-x2kqp_shop(0d1f)",
    "Nov 28 14:00:24 web-1 redis-server[700]: Received SIGTERM scheduling shutdown...",
    "Nov 28 14:00:25 web-1 redis-server[700]: Ready to accept connections tcp",
    "Nov 28 14:00:26 web-1 postgres[900]: LOG:  database system is ready to accept connections",
    "Nov 28 14:00:27 web-1 gunicorn[1200]: [2026-11-28 14:00:27 +0000] [1200] [INFO] Booting "
    "worker with pid: 1207",
    "Nov 28 14:00:27 web-1 gunicorn[1200]: [2026-11-28 14:00:27 +0000] [1200] [INFO] Listening "
    "at: http://0.0.0.0:8000 (1200)",
    "Nov 28 14:00:28 web-1 sshd[3003]: Server listening on 0.0.0.0 port 22.",
    "Nov 28 14:00:29 web-1 nginx[1500]: 2026/11/28 14:00:29 [notice] 1500#1500: signal 1 (SIGHUP)"
    " received from 1, reconfiguring",
    "Nov 28 14:00:30 web-1 coredns[55]: [ERROR] plugin/errors: 2 checkout.shop.svc. A: read udp "
    "10.0.0.10:52344->10.0.0.2:53: i/o timeout",
    "Nov 28 14:00:31 web-1 app[77]: request_id=9c1e0f7a2b3d took 412ms status=200",
    "Nov 28 14:00:32 web-1 app[77]: 0 errors, 0 warnings; no failures in the last run",
]
ACCESS_LINES = [
    '10.0.1.5 - - [28/Nov/2026:14:00:02 +0000] "GET /api/cart/7781 HTTP/1.1" 200 512 "-" '
    '"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0"',
    '10.0.1.6 - - [28/Nov/2026:14:00:03 +0000] "POST /api/checkout HTTP/1.1" 503 197 '
    '"https://shop.example.com/cart" "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X)"',
    '10.0.1.7 - - [28/Nov/2026:14:00:03 +0000] "GET /static/js/app.3f9a1c.js HTTP/2.0" 304 0 '
    '"https://shop.example.com/" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)"',
    '10.0.1.8 - - [28/Nov/2026:14:00:04 +0000] "GET /deploy/status?since=5m HTTP/1.1" 429 31 '
    '"-" "kube-probe/1.31"',
    '10.0.1.9 - - [28/Nov/2026:14:00:05 +0000] "GET /search?q=rollback+jacket HTTP/1.1" 200 9812'
    ' "https://shop.example.com/search?q=rain+jacket" "curl/8.5.0"',
]
ALERTMANAGER_LINES = [
    "ts=2026-11-28T14:03:00.000Z caller=dispatch.go:164 level=debug component=dispatcher "
    'msg="Received alert" alert=HighErrorRate[5c2a1f3][active]',
    "ts=2026-11-28T14:03:00.100Z caller=dispatch.go:516 level=debug component=dispatcher "
    'aggrGroup="{}:{alertname=\\"HighErrorRate\\"}" msg=flushing '
    "alerts=[HighErrorRate[5c2a1f3][active]]",
    "ts=2026-11-28T14:03:01.000Z caller=notify.go:848 level=debug component=dispatcher "
    'receiver=pagerduty integration=pagerduty[0] aggrGroup="{}:{alertname=\\"HighErrorRate\\"}" '
    'msg="Notify success" attempts=1',
    "ts=2026-11-28T14:03:02.000Z caller=dispatch.go:164 level=debug component=dispatcher "
    'msg="Received alert" alert=Watchdog[1d2c3b4][active]',
    "ts=2026-11-28T14:09:00.000Z caller=dispatch.go:164 level=debug component=dispatcher "
    'msg="Received alert" alert=HighErrorRate[5c2a1f3][resolved]',
]


def _pino(**body: Any) -> str:
    head = {"level": 30, "time": 1795875724118, "pid": 18, "hostname": "cart-api"}
    return json.dumps({**head, **body})


PINO_LINES = [
    _pino(req={"id": "req-3", "method": "PATCH", "url": "/v1/carts/259ff0/items",
               "remoteAddress": "::ffff:10.0.1.53", "remotePort": 30398},
          res={"statusCode": 200}, responseTime=12, msg="request completed"),
    _pino(req={"id": "req-4", "method": "GET", "url": "/v1/carts/b76157"},
          res={"statusCode": 503}, responseTime=3004, msg="request completed"),
    _pino(level=50, reqId="req-9", err={"type": "Error", "message":
          "connect ECONNREFUSED 10.0.3.17:6379", "stack": "Error: connect ECONNREFUSED"},
          msg="redis command failed"),
    _pino(module="health", redis="ready", heapUsed=63098122, rss=149428934, msg="health check ok"),
    _pino(msg="Server listening at http://0.0.0.0:3000"),
    _pino(msg="Deploying cart-api 2.3.1 to production"),
]  # fmt: skip

# Messages of other tools, read as the message alone (no fields).
MESSAGES = [
    "[FIRING:1] HighErrorRate checkout (critical)",
    "[RESOLVED] HighErrorRate checkout",
    "[FIRING:1] Watchdog (none)",
    "[Triggered] High error rate on checkout-service",
    "[Recovered] High error rate on checkout-service",
    "SERVICE ALERT: web-1;HTTP;CRITICAL;HARD;3;HTTP CRITICAL - No data received from host",
    "SERVICE ALERT: web-1;HTTP;CRITICAL;SOFT;1;HTTP CRITICAL - No data received from host",
    "HOST NOTIFICATION: oncall;db-1;DOWN;notify-host-by-email;PING CRITICAL - Packet loss = 100%",
    "alert HighLatency is firing for checkout",
    "firing pin replaced on press 4",
    "Rollback was a success! Happy Helming!",
    "deployment.apps/checkout rolled back",
    "Rolling back to revision 41",
    "rollback of transaction 8812 after deadlock",
    "Scaled up replica set checkout-7d9f8c6b5 to 5",
    "Scaled down replica set checkout-6c8d7b9f4 to 0 from 3",
    "New size: 6; reason: cpu resource utilization (percentage of request) above target",
    "Scale-up: setting group eks-workers-2 size to 5 instead of 4 (max: 10)",
    "deployment.apps/checkout scaled",
    "Rolling update of deployment checkout started",
    "CONFIG SET maxmemory 2gb",
    "Reloading configuration from /etc/haproxy/haproxy.cfg",
    "Received SIGHUP, reloading config",
    "config reload requested by operator",
    "Container checkout was OOMKilled (exit code 137)",
    "incident.triggered: Checkout error rate above 5%",
    "connection state changed from CONNECTING to READY",
    "Grafana alerting: rule state changed newState=Alerting ruleTitle=HighLatency",
    "Starting the cache warm-up",
    'Started GET "/api/cart" for 10.0.0.7 at 2026-11-28 14:00:00 +0000',
    "listening for events on queue orders",
    "shutting down idle connection pool",
    "",
]
ALERT_FIELDS: list[dict[str, Any]] = [
    {"event": {"event_type": "incident.triggered", "data": {"title": "Checkout 5xx above 5%"}}},
    {"event_action": "trigger", "payload": {"summary": "HighErrorRate on checkout"}},
    {"alertId": "c9b1", "action": "Create", "alert": {"message": "Checkout latency p99 > 2s"}},
    {"newState": "Alerting", "ruleTitle": "High latency", "rule_uid": "a1b2"},
    {"status": "firing", "alerts": [{"labels": {"alertname": "HighErrorRate"}}]},
    {"status": "resolved", "commonLabels": {"alertname": "Watchdog"}},
    {"event": "user_login", "user": "alice"},
    {"alert": "none", "status": "ok"},
]


def _records(lines: list[str], service: str) -> list[Record]:
    return list(parse_lines(lines, f"/var/log/{service}.log", service))


def _corpus() -> list[Record]:
    return [
        *_records(SPRING_LINES, "checkout"),
        *_records(SYSLOG_LINES, "web-1"),
        *_records(ACCESS_LINES, "nginx"),
        *_records(ALERTMANAGER_LINES, "alertmanager"),
        *_records(PINO_LINES, "cart-api"),
    ]


def _cases() -> list[tuple[str, Mapping[str, Any] | None]]:
    cases: list[tuple[str, Mapping[str, Any] | None]] = [(r.message, r.fields) for r in _corpus()]
    cases += [(message, None) for message in MESSAGES]
    cases += [("webhook received", fields) for fields in ALERT_FIELDS]
    cases += [("[FIRING:1] notification sent", fields) for fields in ALERT_FIELDS]
    return cases


def _full_event(message: str, fields: Mapping[str, Any] | None) -> str | None:
    """`operational_event` without its search in front: every rule tried."""
    first_line = message.split("\n", 1)[0]
    return events._event(message, first_line, fields)


def test_the_search_in_front_of_operational_events_never_changes_an_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cases = _cases()
    kinds = {_full_event(message, fields) for message, fields in cases}
    # the lines hold every kind the function knows, heartbeats and near misses among them
    assert kinds >= {"restart", "shutdown", "deploy", "rollback", "scale", "config", "alert", None}
    tried: list[str] = []
    rules = events._event

    def counted(message: str, first_line: str, fields: Mapping[str, Any] | None) -> str | None:
        tried.append(message)
        return rules(message, first_line, fields)

    monkeypatch.setattr(events, "_event", counted)
    for message, fields in cases:
        assert operational_event(message, fields) == rules(
            message, message.split("\n", 1)[0], fields
        ), (message, fields)
    assert len(cases) - len(tried) >= 20  # the search does turn lines away


def _spliced(rng: random.Random, words: tuple[str, ...]) -> str:
    """Noise with whole words, cut words and case-changed words spliced in."""
    noise = ["GET /api/cart", "user=alice", "in 12 ms", "[main]", "ok", "::", "{}", "tick"]
    parts = []
    for _ in range(rng.randint(0, 6)):
        word = rng.choice(words)
        choice = rng.random()
        if choice < 0.3:
            parts.append(word)
        elif choice < 0.55:
            cut = rng.randint(1, max(1, len(word) - 1))
            parts.append(word[:cut] if rng.random() < 0.5 else word[cut:])
        elif choice < 0.7:
            parts.append(word.swapcase())
        else:
            parts.append(rng.choice(noise))
    return rng.choice(["", " ", "-", "\n"]).join(parts)


def test_random_lines_of_the_rule_words_get_the_same_answer() -> None:
    rng = random.Random(17)
    for _ in range(3_000):
        message = _spliced(rng, OPERATIONAL_WORDS)
        fields = rng.choice([None, {}, {"pid": 1}, *ALERT_FIELDS])
        assert operational_event(message, fields) == _full_event(message, fields), message


@pytest.mark.parametrize(
    "words",
    [
        OPERATIONAL_WORDS,
        _STEMS,
        _ID_HINTS,
        ("a", "ab", "b.", "(x)", "[y]", "a|b", "\\d", "?", "µs", "ⅷ", " "),
        ("ms", "took", "uration", "esponse time"),
    ],
)
def test_any_of_finds_exactly_the_lines_that_hold_a_word(words: tuple[str, ...]) -> None:
    found = any_of(words)
    rng = random.Random(len(words))
    texts = [_spliced(rng, words) for _ in range(2_000)]
    texts += [w for w in words] + [w[1:] for w in words] + [w[:-1] for w in words]
    for text in texts:
        assert (found.search(text) is not None) == any(w in text for w in words), (text, words)


def test_the_stems_of_level_inference_are_found_as_before() -> None:
    lines = [r.message for r in _corpus()] + MESSAGES
    hits = 0
    for line in lines:
        lowered = line.lower()
        hit = any(stem in lowered for stem in _STEMS)
        assert (_ANY_STEM.search(lowered) is not None) == hit, line
        hits += hit
        if not hit:
            assert inferred(line) is None
    assert 0 < hits < len(lines)


def test_every_request_id_hint_holds_a_stem_and_ids_are_found_as_before() -> None:
    assert all(any(stem in hint for stem in _ID_STEMS) for hint in _ID_HINTS)
    rng = random.Random(5)
    texts = [r.message for r in _corpus()] + MESSAGES
    texts += [_spliced(rng, (*_ID_HINTS, "=", ": ", "4bf92f3577b34da6")) for _ in range(2_000)]
    for text in texts:
        match = _ID_IN_TEXT.search(text)
        said = any(hint in text for hint in _ID_HINTS) and match is not None
        assert request_id(text, None) == (match.group(1) if said and match else None), text


FIELD_SHAPES: list[dict[str, Any]] = [
    {"status": 503, "method": "POST", "path": "/api/checkout"},
    {"level": "info", "http.status_code": "502", "http.method": "GET", "http.route": "/api/x/{id}"},
    {"req": {"method": "PATCH", "url": "/v1/carts/1/items"}, "res": {"statusCode": 200}},
    {"res": {"statusCode": 200}, "req": {"url": "/v1/carts/1"}, "hostname": "a"},
    {"http": {"request": {"method": "GET"}, "response": {"status_code": 404}},
     "url": {"path": "/p"}},
    {"response": {"status": "201"}, "request": {"method": "PUT", "path": "/api/items/9"}},
    {"status_code": True, "statusCode": 429, "verb": "delete", "uri": "/api/sessions/7"},
    {"status": "ok", "http_status": 500, "endpoint": "/healthz"},
    {"resp": MappingProxyType({"status": 504}), "http_method": "GET", "request_uri": "/q?x=1"},
    {"http": "1.1", "status": 200},
    {"url": "https://shop.example.com/api/cart?id=3", "status": 200, "method": "GET"},
    {"module": "health", "redis": "ready"},
    {},
]  # fmt: skip


@pytest.mark.parametrize("fields", FIELD_SHAPES)
def test_request_places_looked_up_by_key_set_give_what_every_place_gives(
    fields: dict[str, Any],
) -> None:
    statuses, methods, targets = requests._places(fields)
    assert requests._status(fields, statuses) == requests._status(fields, requests._STATUS_PATHS)
    assert requests._first_text(fields, methods) == requests._first_text(
        fields, requests._METHOD_PATHS
    )
    assert requests._first_text(fields, targets) == requests._first_text(
        fields, requests._PATH_PATHS
    )
    reordered = dict(reversed(list(fields.items())))  # another key order, another cache entry
    assert requests._places(reordered) == requests._places(fields)


def test_the_key_set_cache_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(requests, "_PLACES", {})
    for number in range(requests.MAX_KEY_SETS + 50):
        fields = {f"k{number}": 1, "status": 200}
        assert requests._places(fields)[0] == (("status",),)
    assert len(requests._PLACES) <= requests.MAX_KEY_SETS


def test_one_loop_over_all_records_collects_what_records_fed_one_by_one_collect() -> None:
    records = _corpus()
    together, one_by_one = Collector(60), Collector(60)
    together.add_all(records)
    for record in records:
        one_by_one.add(record)
    mine, theirs = together.collected, one_by_one.collected
    for name in ("totals", "errors", "records", "first", "last", "pids", "durations", "slowest"):
        assert getattr(mine, name) == getattr(theirs, name), name
    for name in ("subsecond", "stated", "inferred_errors", "serving", "operational"):
        assert getattr(mine, name) == getattr(theirs, name), name
    assert mine.requests.counts == theirs.requests.counts
    assert together.skew.sightings == one_by_one.skew.sightings
    assert together.traces.failures == one_by_one.traces.failures
    # what the loop found, so that the comparison compares something
    assert mine.records == len(records) and mine.durations and mine.errors
    assert {kind for kind, _ in mine.operational} >= {"restart", "shutdown", "alert"}
    assert mine.inferred_errors and mine.requests.counts and together.skew.sightings


def test_the_grouper_inside_the_collector_groups_what_a_grouper_fed_every_record_groups() -> None:
    records = _corpus()
    collector = Collector(60)
    collector.add_all(records)
    plain = ErrorGrouper(min_level="warning").add_all(records)
    assert collector.grouper.records == plain.records == len(records)
    assert collector.grouper.groups() == plain.groups()
    assert len(plain.groups()) >= 5
    tally = RequestTally()
    for record in records:
        if record.timestamp is not None:
            tally.add(record, int(record.timestamp.timestamp() // 60))
    assert collector.collected.requests.counts == tally.counts
