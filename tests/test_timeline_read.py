"""The incident as a person reads it (issue 16): a timeline that runs from the first failure to
the recovery in at most 25 rows, heartbeats left out and repeats collapsed; the detected time
from the first alert that fired for the incident (Alertmanager, Grafana, PagerDuty and the
like), and the recovery; sentences built from checked facts, with times as `14:01:58.207 UTC`;
evidence that keeps its line number in a 100-column terminal; no edge proxy named as the cause
of a backend.

On the bundled checkout incident, on incidents rendered by both generators (other variants,
other families), and on small incidents written here: one paged through Grafana and PagerDuty,
one behind an AWS load balancer, one whose error surged from its first record.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fixtures import incidents as bundled
from fixtures.families import FAMILIES
from fixtures.families import render as render_family
from rich.console import Console

from log_analyzer.analysis.alerts import FIRING, RESOLVED, alert_of
from log_analyzer.analysis.events import operational_event
from log_analyzer.analysis.identity import is_proxy
from log_analyzer.analysis.investigate import investigate
from log_analyzer.analysis.report import Investigation
from log_analyzer.cli.app import run
from log_analyzer.render.errors import errors_table
from log_analyzer.render.human import clock, common_root, duration, human_time, shorten, where
from log_analyzer.render.investigation import investigation_view, timeline_view

from .conftest import FIXTURES

CHECKOUT = FIXTURES / "incidents" / "checkout"
_TIME_ROW = re.compile(r"^(?:\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d")  # dated when the window spans days


@pytest.fixture(scope="module")
def checkout() -> Investigation:
    return investigate([str(CHECKOUT)])


def _screen(renderable: object, width: int = 100) -> str:
    console = Console(width=width, record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def _timeline_rows(screen: str) -> list[str]:
    """The timeline's rows as shown: a row starts with its time (a long event wraps onto
    lines of its own), and the `N more` line."""
    lines = screen.split("timeline (UTC", 1)[1].splitlines()[2:]
    return [line for line in lines if _TIME_ROW.match(line) or "more (--timeline all)" in line]


def _repeats(report: Investigation) -> dict[str, int]:
    counts = Counter(event.event for event in report.timeline)
    return {text: n for text, n in counts.items() if n > 3}


def _proxy_causes(report: Investigation) -> list[tuple[str, str]]:
    formats = {s.service: set(s.formats or {s.format}) for s in report.sources}
    proxies = {
        name
        for name in {s.service for s in report.cascade} | set(formats)
        if is_proxy(name, formats.get(name, ()))
    }
    return [
        (step.service, step.caused_by)
        for step in report.cascade
        if step.caused_by in proxies and step.service not in proxies
    ]


# -- the bundled checkout incident ---------------------------------------------------------


def test_detected_is_the_page_not_a_heartbeat(checkout: Investigation) -> None:
    detected = checkout.detected
    assert detected is not None
    assert detected.alert == "CheckoutHighErrorRate"
    assert detected.timestamp == datetime(2026, 11, 28, 14, 12, 0, 517000, tzinfo=UTC)
    assert (Path(detected.file).name, detected.line) == ("alertmanager.log", 27)
    assert detected.time_to_detect_seconds == pytest.approx(602.31)
    recovered = checkout.recovered
    assert recovered is not None
    # the incident's last error (the operator's flush at 14:13:38 is not logged)
    assert datetime(2026, 11, 28, 14, 13, 38, tzinfo=UTC) <= recovered.timestamp
    assert recovered.timestamp < datetime(2026, 11, 28, 14, 14, tzinfo=UTC)
    assert detected.time_to_recover_seconds == recovered.time_to_recover_seconds


def test_heartbeats_are_no_events_and_the_page_fires_and_resolves_once(
    checkout: Investigation,
) -> None:
    assert not [e for e in checkout.timeline if "Watchdog" in e.event]
    assert not [e for e in checkout.timeline if e.event.startswith("Received alert")]
    alerts = [
        (e.timestamp.strftime("%H:%M:%S"), e.event) for e in checkout.timeline if e.kind == "alert"
    ]
    assert alerts == [
        ("14:12:00", "alert CheckoutHighErrorRate firing"),
        ("14:19:30", "alert CheckoutHighErrorRate resolved"),
    ]


def test_json_timeline_repeats_no_event_text_more_than_three_times(capsys) -> None:
    assert run(["investigate", str(CHECKOUT), "--json", "--no-cache", "-q"]) == 0
    timeline = json.loads(capsys.readouterr().out)["timeline"]
    counts = Counter(event["event"] for event in timeline)
    assert max(counts.values()) <= 3
    # one service's groups under one label are one event with their total
    timeouts = [e for e in timeline if "RedisConnectionTimeout" in e["event"]]
    assert len(timeouts) == 1 and "2,341 in window" in timeouts[0]["event"]
    assert json.loads(json.dumps(timeline))[-1]["kind"] == "alert"  # the resolution, last


def test_terminal_timeline_runs_from_first_failure_to_recovery(checkout: Investigation) -> None:
    rows = _timeline_rows(_screen(investigation_view(checkout)))
    assert 0 < len(rows) <= 25
    shown = "\n".join(rows)
    for moment in ("14:01:58.207", "14:05:22", "14:12:00.517", "14:14:00", "14:19:30"):
        assert moment in shown, moment  # first failure, payment failures, page, recovery
    assert "payment-gateway" in shown and "alert CheckoutHighErrorRate firing" in shown


def test_a_short_terminal_timeline_still_tells_it_end_to_end(checkout: Investigation) -> None:
    rows = _timeline_rows(_screen(timeline_view(checkout, 8)))
    assert len(rows) == 8
    assert rows[-1].strip() == f"{len(checkout.timeline) - 7} more (--timeline all)"
    shown = "\n".join(rows)
    for moment in ("14:01:58.207", "14:02:00", "14:12:00.517", "14:14:00"):
        assert moment in shown, moment
    every = _timeline_rows(_screen(timeline_view(checkout, None)))
    assert len(every) == len(checkout.timeline) and "more" not in every[-1]


def test_evidence_keeps_its_line_number_in_100_columns(checkout: Investigation) -> None:
    screen = _screen(investigation_view(checkout))
    assert "fixtures/incident…" not in screen and "fixtures/incidents/checkout/" in screen
    for group in checkout.error_groups[:12]:
        place = f"{group.example.file.removeprefix(str(CHECKOUT) + '/')}:{group.example.line}"
        assert place in screen, place
    for event in checkout.timeline:
        if event.file:
            assert f"{Path(event.file).name}:{event.line}" in screen
    table = _screen(errors_table(checkout.error_groups[:12], len(checkout.error_groups)))
    for group in checkout.error_groups[:12]:
        assert f"{Path(group.example.file).name}:{group.example.line}" in table


def test_summary_is_built_from_checked_facts(checkout: Investigation) -> None:
    root = checkout.root_cause
    assert root is not None
    assert root.summary.startswith("redis failed first: Cannot allocate memory at 14:01:58.207 UTC")
    assert root.summary.count("Cannot allocate memory") == 1  # the signature said once
    assert not re.search(r"\d{4}-\d\d-\d\dT|\.\d{6}", root.summary)  # no ISO times
    assert "this error was absent before" in root.summary  # new: it is, by its records
    for hypothesis in root.hypotheses:
        assert not hypothesis.summary.startswith(f"{hypothesis.service}: {hypothesis.service}")
        assert len(set(hypothesis.summary.split("; "))) == len(hypothesis.summary.split("; "))


# -- incidents the project has not seen ------------------------------------------------------


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Investigation]:
    """The checkout story told four other ways, and every family of the other generator."""
    root = tmp_path_factory.mktemp("read")
    reports = {}
    for variant in ("noisy", "pods", "skewed", "wording"):
        bundled.render(root / variant, seed=7, variant=variant)
        reports[f"checkout/{variant}"] = investigate([str(root / variant / "checkout")])
    for family in FAMILIES:
        render_family(family, "base", 7, root / family)
        reports[family] = investigate([str(root / family)])
    return reports


def test_rendered_incidents_read_well(rendered: dict[str, Investigation]) -> None:
    for name, report in rendered.items():
        assert _repeats(report) == {}, name
        assert _proxy_causes(report) == [], name
        rows = _timeline_rows(_screen(investigation_view(report)))
        assert len(rows) <= 25, name
        if report.first_failure is not None:
            first = report.first_failure.timestamp.strftime("%H:%M:%S")
            assert any(first in row for row in rows), name
        assert not any("Received alert" in e.event for e in report.timeline), name


def test_the_checkout_page_is_found_however_the_story_is_told(
    rendered: dict[str, Investigation],
) -> None:
    for variant in ("noisy", "pods", "skewed", "wording"):
        detected = rendered[f"checkout/{variant}"].detected
        assert detected is not None, variant
        assert detected.alert == "CheckoutHighErrorRate", variant
        assert detected.timestamp.strftime("%H:%M") == "14:12", variant


# -- a small incident paged through Grafana and PagerDuty ------------------------------------

_DAY = datetime(2026, 6, 9, 11, 0, tzinfo=UTC)


def _pg(when: datetime, pid: int, level: str, text: str) -> str:
    return f"{when:%Y-%m-%d %H:%M:%S}.{when.microsecond // 1000:03d} UTC [{pid}] {level}:  {text}"


def _logfmt_ts(when: datetime) -> str:
    return f"{when:%Y-%m-%dT%H:%M:%S}.{when.microsecond // 1000:03d}Z"


def _write_grafana_incident(root: Path) -> None:
    """postgres runs out of connection slots at 11:04:10 and inventory's queries fail until
    11:12:50; Grafana's rule goes Pending, then Alerting at 11:06:30, Normal at 11:14:30; an
    incident bot logs the PagerDuty webhooks (triggered, acknowledged, resolved) and, every
    minute, Grafana's DeadMansSwitch heartbeat."""
    rnd = random.Random(16)
    pg: list[tuple[datetime, str]] = []
    inventory: list[tuple[datetime, str]] = []
    t = _DAY
    while t < _DAY + timedelta(minutes=20):
        failing = (
            _DAY + timedelta(minutes=4, seconds=10) <= t < _DAY + timedelta(minutes=12, seconds=50)
        )
        route = rnd.choice(["/api/stock", "/api/stock/reserve", "/api/items"])
        if failing:
            pid = rnd.randint(30000, 39999)
            pg.append((t, _pg(t, pid, "FATAL", "sorry, too many clients already")))
            late = t + timedelta(milliseconds=rnd.randint(3, 40))
            inventory.append(
                (
                    late,
                    f"ts={_logfmt_ts(late)} level=error caller=store/pg.go:88 "
                    f'msg="query failed" route={route} '
                    'err="pq: sorry, too many clients already"',
                )
            )
        else:
            inventory.append(
                (
                    t,
                    f"ts={_logfmt_ts(t)} level=info caller=http/server.go:41 "
                    f'msg="request served" route={route} status=200 '
                    f"duration_ms={rnd.randint(3, 30)}",
                )
            )
            if rnd.random() < 0.1:
                pg.append((t, _pg(t, 24110, "LOG", "checkpoint starting: time")))
        t += timedelta(seconds=rnd.uniform(1.0, 2.5))
    grafana = []
    for second in range(0, 20 * 60, 10):
        tick = _DAY + timedelta(seconds=second, milliseconds=412)
        grafana.append(
            (
                tick,
                f"logger=ngalert.scheduler rule_uid=c4e8a1f0 org_id=1 t={_logfmt_ts(tick)} "
                'level=debug msg="Rule is ready to run on the current tick" '
                f"tick={tick:%Y-%m-%dT%H:%M:%S}Z frequency=10 offset=0",
            )
        )
    for minute, new, old in (
        (5.5, "Pending", "Normal"),
        (6.5, "Alerting", "Pending"),
        (14.5, "Normal", "Alerting"),
    ):
        when = _DAY + timedelta(minutes=minute, milliseconds=415)
        grafana.append(
            (
                when,
                "logger=ngalert.state.historian backend=annotations rule_uid=c4e8a1f0 org_id=1 "
                f't={_logfmt_ts(when)} level=debug msg="Alert state changed creating annotation" '
                f"newState={new} oldState={old}",
            )
        )
    bot = []
    for minute in range(20):
        when = _DAY + timedelta(minutes=minute, seconds=7, milliseconds=120)
        body = {
            "receiver": "deadmans-snitch",
            "status": "firing",
            "alerts": [
                {"status": "firing", "labels": {"alertname": "DeadMansSwitch", "severity": "none"}}
            ],
            "title": "[FIRING:1] DeadMansSwitch",
        }
        bot.append(
            (
                when,
                json.dumps(
                    {"time": _logfmt_ts(when), "level": "info", "msg": "grafana webhook", **body}
                ),
            )
        )
    for minute, kind, status in (
        (6.75, "incident.triggered", "triggered"),
        (8.0, "incident.acknowledged", "acknowledged"),
        (14.75, "incident.resolved", "resolved"),
    ):
        when = _DAY + timedelta(minutes=minute, milliseconds=230)
        event = {
            "id": f"01DEN7VNKQ{int(minute * 4):02d}BZJ",
            "event_type": kind,
            "resource_type": "incident",
            "occurred_at": _logfmt_ts(when - timedelta(milliseconds=180)),
            "data": {
                "id": "Q2KD1XBCD9",
                "type": "incident",
                "title": "[FIRING:1] InventoryDBConnections",
                "status": status,
                "urgency": "high",
            },
        }
        bot.append(
            (
                when,
                json.dumps(
                    {
                        "time": _logfmt_ts(when),
                        "level": "info",
                        "msg": "pagerduty webhook",
                        "event": event,
                    }
                ),
            )
        )
    for name, lines in (
        ("postgres/postgresql.log", pg),
        ("inventory/inventory.log", inventory),
        ("grafana/grafana.log", grafana),
        ("incident-bot/incident-bot.log", bot),
    ):
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("\n".join(text for _, text in sorted(lines)) + "\n")


def test_an_incident_paged_through_grafana_and_pagerduty(tmp_path: Path) -> None:
    _write_grafana_incident(tmp_path)
    report = investigate([str(tmp_path)])
    assert report.first_failure is not None and report.first_failure.service == "postgres"
    detected = report.detected
    assert detected is not None
    # Grafana's rule went Alerting at 11:06:30 (Pending a minute before is no alert yet)
    assert (detected.service, detected.alert) == ("grafana", "rule c4e8a1f0")
    assert detected.timestamp == _DAY + timedelta(minutes=6, seconds=30, milliseconds=415)
    lead = (detected.timestamp - report.first_failure.timestamp).total_seconds()
    assert detected.time_to_detect_seconds == pytest.approx(lead, abs=0.001)
    assert 138 < lead < 141  # the first FATAL at 11:04:10 and a fraction
    alerts = [(e.service, e.event) for e in report.timeline if e.kind == "alert"]
    assert alerts == [
        ("grafana", "alert rule c4e8a1f0 firing"),
        ("incident-bot", "alert InventoryDBConnections firing"),
        ("grafana", "alert rule c4e8a1f0 resolved"),
        ("incident-bot", "alert InventoryDBConnections resolved"),
    ]
    assert not [e for e in report.timeline if "DeadMansSwitch" in e.event]
    assert report.recovered is not None
    assert report.recovered.timestamp.strftime("%H:%M") == "11:12"
    assert _repeats(report) == {}
    screen = _screen(investigation_view(report))
    assert (
        f"detected 11:06:30.415 UTC alert rule c4e8a1f0 (grafana), {duration(lead)} after the "
        "first failure"
    ) in " ".join(screen.split())


# -- what alerting software writes -------------------------------------------------------------

ALERT_LINES = [
    # Alertmanager's debug log: the alert's name, fingerprint and state
    (
        "Received alert",
        {"alert": "KafkaConsumerLag[5d1e0aa][active]"},
        ("KafkaConsumerLag", FIRING),
    ),
    (
        "Received alert",
        {"alert": "KafkaConsumerLag[5d1e0aa][resolved]"},
        ("KafkaConsumerLag", RESOLVED),
    ),
    (
        "flushing",
        {"alerts": "[Watchdog[8c2e1f0][active] DiskFull[77a0b3c][active]]"},
        ("DiskFull", FIRING),
    ),
    # an alert about heartbeats that fail is a real one
    (
        "Received alert",
        {"alert": "HeartbeatMissing[1a2b3c4][active]"},
        ("HeartbeatMissing", FIRING),
    ),
    # Grafana alerting's state history and its webhook body
    (
        "Alert state changed creating annotation",
        {"rule_uid": "x1", "newState": "Alerting"},
        ("rule x1", FIRING),
    ),
    (
        "Alert state changed creating annotation",
        {"rule_uid": "x1", "newState": "Normal (Updated)"},
        ("rule x1", RESOLVED),
    ),
    (
        "webhook received",
        {
            "status": "resolved",
            "alerts": [{"labels": {"alertname": "HighLatency"}}],
            "title": "[RESOLVED] HighLatency",
        },
        ("HighLatency", RESOLVED),
    ),
    # PagerDuty's events API (sent) and Opsgenie's webhook
    (
        "sent",
        {"event_action": "trigger", "payload": {"summary": "disk full on db-1"}},
        ("disk full on db-1", FIRING),
    ),
    (
        "opsgenie",
        {"action": "Close", "alert": {"alertId": "7f3c", "message": "Payments 5xx"}},
        ("Payments 5xx", RESOLVED),
    ),
    # Nagios, Datadog, and a line that says it
    (
        "[1781000000] SERVICE ALERT: web01;HTTP;CRITICAL;HARD;3;HTTP CRITICAL - timeout",
        None,
        ("web01/HTTP", FIRING),
    ),
    (
        "[1781000000] HOST NOTIFICATION: oncall;db01;UP;notify-host-by-email;PING OK",
        None,
        ("db01", RESOLVED),
    ),
    (
        "Monitor event: [Recovered] Checkout p99 latency above 2s",
        None,
        ("Checkout p99 latency above 2s", RESOLVED),
    ),
    ('alert "QueueBacklog" is firing for 5m', None, ("QueueBacklog", FIRING)),
]


@pytest.mark.parametrize(("message", "fields", "expected"), ALERT_LINES)
def test_alerts_are_read_from_what_alerting_software_writes(message, fields, expected) -> None:
    alert = alert_of(message, fields)
    assert alert is not None and (alert.name, alert.state) == expected
    assert not alert.heartbeat


@pytest.mark.parametrize(
    ("message", "fields"),
    [
        ("Received alert", {"alert": "Watchdog[8c2e1f0][active]"}),
        ("Received alert", {"alert": "InfoInhibitor[1b2c3d4][active]"}),
        (
            "grafana webhook",
            {"status": "firing", "alerts": [{"labels": {"alertname": "DeadMansSwitch"}}]},
        ),
        ("[FIRING:1] PrometheusHeartbeat (none)", None),
    ],
)
def test_heartbeats_are_no_operational_events(message, fields) -> None:
    alert = alert_of(message, fields)
    assert alert is not None and alert.heartbeat
    assert operational_event(message, fields) is None


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("deployment.apps/checkout rolled back", "rollback"),
        ("Rollback was a success! Happy Helming!", "rollback"),
        ("Scaled up replica set checkout-7d9f8c6b5 to 6", "scale"),
        (
            "New size: 6; reason: cpu resource utilization (percentage of request) above target",
            "scale",
        ),
        ("Transaction rolled back because it has been marked as rollback-only", None),
        ("Grafana webhook: Pending", None),
        ("GET /api/alerts 200", None),
    ],
)
def test_fixes_applied_are_operational_events(message: str, kind: str | None) -> None:
    assert operational_event(message) == kind


def test_a_pending_or_acknowledged_alert_is_no_event() -> None:
    pending = alert_of(
        "Alert state changed creating annotation", {"rule_uid": "x1", "newState": "Pending"}
    )
    acked = alert_of(
        "pagerduty webhook",
        {"event": {"event_type": "incident.acknowledged", "data": {"title": "X"}}},
    )
    assert pending is not None and pending.state not in (FIRING, RESOLVED)
    assert acked is not None and acked.state not in (FIRING, RESOLVED)


# -- a restart loop, collapsed ----------------------------------------------------------------


def test_a_restart_loop_is_one_event_with_its_count() -> None:
    report = investigate([str(FIXTURES / "incidents" / "disk-full")])
    assert _repeats(report) == {}
    loops = [e for e in report.timeline if e.kind == "restart" and re.search(r" x\d+, ", e.event)]
    assert loops and loops[0].service == "postgres"
    count = int(re.search(r" x(\d+), ", loops[0].event).group(1))  # type: ignore[union-attr]
    assert count >= 3


# -- sentences from checked facts ----------------------------------------------------------------


def _write_surge_from_first_record(root: Path) -> None:
    """billing logs from 10:00; its provider timeouts begin at 10:02:59 (too soon after the
    log's start to call them new by their lead) and run at 30 a minute until 10:09."""
    rnd = random.Random(5)
    start = datetime(2026, 5, 2, 10, 0, tzinfo=UTC)
    lines = []
    t = start
    while t < start + timedelta(minutes=16):
        lines.append(
            (
                t,
                f"{t:%Y-%m-%d %H:%M:%S},{t.microsecond // 1000:03d} - billing.api - INFO - "
                f"POST /invoices 201 in {rnd.randint(8, 40)} ms",
            )
        )
        t += timedelta(seconds=rnd.uniform(2, 4))
    t = start + timedelta(minutes=2, seconds=59, milliseconds=118)
    while t < start + timedelta(minutes=9):
        lines.append(
            (
                t,
                f"{t:%Y-%m-%d %H:%M:%S},{t.microsecond // 1000:03d} - billing.provider - ERROR - "
                "Payment provider timeout after 30 s "
                f"(provider=acquirer-eu, invoice={rnd.randint(10000, 99999)})",
            )
        )
        t += timedelta(seconds=rnd.uniform(1.5, 2.5))
    (root / "billing.log").write_text("\n".join(text for _, text in sorted(lines)) + "\n")


def test_an_error_whose_first_record_is_the_first_failure_was_not_there_before(
    tmp_path: Path,
) -> None:
    _write_surge_from_first_record(tmp_path)
    report = investigate([str(tmp_path)])
    root = report.root_cause
    assert root is not None and report.first_failure is not None
    group = next(g for g in report.error_groups if g.id == root.group_id)
    assert group.first_seen == report.first_failure.timestamp  # its first record
    assert "there before" not in root.summary
    assert "this error first appeared then" in root.summary
    assert "at 10:02:59.118 UTC" in root.summary


# -- no edge proxy causes a backend's failure ---------------------------------------------------


def _alb(when: datetime, started: datetime, n: int, request: str, status: str, took: str) -> str:
    target = "-" if status == "504" else "200"
    return (
        f"http {when:%Y-%m-%dT%H:%M:%S.%f}Z app/shop-alb/50dc6c495c0c9188 "
        f"203.0.113.{n % 200}:{40000 + n} 10.0.3.12:8080 0.000 {took} {status} {target} 412 "
        f'{0 if status == "504" else 1830} "{request} HTTP/1.1" "Mozilla/5.0 (X11; Linux x86_64)" '
        "ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:eu-west-1:"
        f'123456789012:targetgroup/tg-web-8080/73e2d6bc24d8a067 "Root=1-65f2c1a0-{n:024x}" '
        f'"shop.example.com" "-" 0 {started:%Y-%m-%dT%H:%M:%S.%f}Z "forward" "-" "-" '
        f'"10.0.3.12:8080" "{target}" "-" "-"'
    )


def _write_alb_incident(root: Path) -> None:
    """An AWS ALB in front of `orders`, whose database statements hang from 09:08: the ALB
    answers 504 after its 60 s idle timeout, before orders logs its own 90 s statement
    timeouts. Nothing in the lines names the one in the other."""
    rnd = random.Random(3)
    start = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
    alb, orders = [], []
    t, n = start, 0
    while t < start + timedelta(minutes=20):
        n += 1
        path = rnd.choice(["/api/checkout", "/api/checkout/1843", "/api/basket"])
        request = (
            f"{'POST' if path == '/api/checkout' else 'GET'} https://shop.example.com:443{path}"
        )
        thread = f"[nio-8080-exec-{n % 20 + 1}]"
        if start + timedelta(minutes=8) <= t < start + timedelta(minutes=14) and "checkout" in path:
            alb.append(
                (
                    t + timedelta(seconds=60),
                    _alb(t + timedelta(seconds=60), t, n, request, "504", "-1 -1"),
                )
            )
            failed = t + timedelta(seconds=90)
            orders.append(
                (
                    failed,
                    f"{failed:%Y-%m-%d %H:%M:%S}.{failed.microsecond // 1000:03d} ERROR 1 --- "
                    f"{thread} c.e.shop.OrderRepository                 : Query timed out after "
                    "90000 ms: org.postgresql.util.PSQLException: ERROR: canceling statement due "
                    "to statement timeout",
                )
            )
        else:
            took = rnd.uniform(0.01, 0.2)
            done = t + timedelta(seconds=took)
            alb.append((done, _alb(done, t, n, request, "200", f"{took:.3f} 0.000")))
            orders.append(
                (
                    done,
                    f"{done:%Y-%m-%d %H:%M:%S}.{done.microsecond // 1000:03d}  INFO 1 --- {thread} "
                    f"c.e.shop.OrderController                 : {request.split(' ')[0]} {path} "
                    f"completed in {took * 1000:.0f} ms",
                )
            )
        t += timedelta(seconds=rnd.uniform(1.0, 3.0))
    for name, lines in (("shop-alb/access.log", alb), ("orders/orders.log", orders)):
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("\n".join(text for _, text in sorted(lines)) + "\n")


def test_a_load_balancer_is_never_the_cause_of_its_backend(tmp_path: Path) -> None:
    _write_alb_incident(tmp_path)
    report = investigate([str(tmp_path)])
    assert report.first_failure is not None and report.first_failure.service == "shop-alb"
    causes = {step.service: step.caused_by for step in report.cascade}
    assert causes.get("orders") is None  # not the load balancer that reported first
    assert report.root_cause is not None and report.root_cause.service == "orders"
    assert _proxy_causes(report) == []


# -- the human helpers and the CLI ------------------------------------------------------------


def test_human_times_durations_and_places() -> None:
    when = datetime(2026, 11, 28, 14, 1, 58, 207000, tzinfo=UTC)
    assert human_time(when) == "14:01:58.207 UTC"
    assert human_time(when, date=True) == "2026-11-28 14:01:58.207 UTC"
    assert clock(when.replace(microsecond=0)) == "14:01:58" and clock(None) == "-"
    assert [duration(s) for s in (54, 602.31, 7500, -30)] == [
        "54 s",
        "10 min 02 s",
        "2 h 05 min",
        "-30 s",
    ]
    files = ["logs/prod/nginx/access.log", "logs/prod/checkout.log"]
    assert common_root(files) == "logs/prod/"
    assert where(files[0], 973, "logs/prod/") == "nginx/access.log:973"
    assert (
        shorten("a/very/deep/folder/of/logs/nginx/access.log:973", 24) == "…/nginx/access.log:973"
    )
    assert shorten("nginx/access.log:973", 24) == "nginx/access.log:973"


def test_investigate_timeline_option(capsys) -> None:
    assert run(["investigate", str(CHECKOUT), "--timeline", "6", "--no-cache", "-q"]) == 0
    out = capsys.readouterr().out
    rows = _timeline_rows(out)
    assert len(rows) == 6 and rows[-1].strip().endswith("more (--timeline all)")
    assert run(["investigate", str(CHECKOUT), "--timeline", "all", "--no-cache", "-q"]) == 0
    out = capsys.readouterr().out
    assert "more (--timeline all)" not in out
    assert "alert CheckoutHighErrorRate resolved" in out
