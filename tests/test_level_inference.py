"""Levels read from words for records that state none, and line-volume surges as events.

A resolver, a proxy or a daemon writing through Go's `log` package states no level: its
`i/o timeout` and `connection refused` lines are errors all the same, and its volume going from
2 to 110 lines a minute is an event of the incident.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from log_analyzer.agent.registry import call
from log_analyzer.agent.roots import AllowedRoots
from log_analyzer.agent.workspace import Workspace
from log_analyzer.analysis.collect import Collector, merge_part_results, settle_inferred
from log_analyzer.analysis.investigate import investigate
from log_analyzer.analysis.rates import Series
from log_analyzer.analysis.report import Investigation
from log_analyzer.analysis.volume import volume_surges
from log_analyzer.cli.app import run
from log_analyzer.filters import RecordFilter
from log_analyzer.index import IndexReport, IndexStore
from log_analyzer.inferred_levels import effective_level, inferred, inferred_level
from log_analyzer.ingest import ParseOptions, SourceStats, parse_paths
from log_analyzer.mining.groups import ErrorGrouper
from log_analyzer.records import Record
from log_analyzer.sources.discover import Source

START = datetime(2024, 11, 12, 15, 0, tzinfo=UTC)
INCIDENT = START + timedelta(minutes=19)  # the upstream resolver stops answering
RECOVERY = START + timedelta(minutes=24)
END = START + timedelta(minutes=30)

# --- the words ------------------------------------------------------------------------------

ERRORS = [
    # Go's net package, as `log.Printf("%v", err)` prints it
    "dial tcp 10.0.0.7:5432: connect: connection refused",
    "read tcp 10.244.0.5:52344->10.0.0.7:5432: read: connection reset by peer",
    "write tcp 10.244.0.5:52344->10.0.0.7:5432: write: broken pipe",
    "dial tcp 10.0.0.9:6379: connect: no route to host",
    "dial udp 10.0.0.2:53: connect: network is unreachable",
    "api.stripe.com. A: read udp 10.244.0.5:41234->10.0.0.2:53: i/o timeout",
    'Get "https://vault:8200/v1/sys/health": context deadline exceeded',
    # C daemons and shell scripts
    "curl: (28) Operation timed out after 5001 milliseconds with 0 bytes received",
    "write /var/lib/postgresql/data/pg_wal/xlogtemp.31: no space left on device",
    'rsync: write failed on "/backup/db.dump": No space left on device (28)',
    "/usr/local/bin/backup.sh: line 14: /mnt/nfs/out.tar: Permission denied",
    "mmap(PROT_READ) failed: Cannot allocate memory",
    "worker[2211]: segfault at 0 ip 00007f3a1c2b1e40 sp 00007ffd2c1e8a70 error 4",
    "inventory.service: Main process exited, code=exited, status=1/FAILURE",
    "accept4: too many open files; retrying in 5ms",
    "Error: connect ECONNREFUSED 127.0.0.1:6379",
    "java.net.ConnectException: Connection refused (Connection refused)",
    "panic: runtime error: invalid memory address or nil pointer dereference",
    "fatal: unable to access 'https://git.internal/app.git/': Could not resolve host",
    "backend be_api has no server available!",
    "[error] upstream timed out",
    "2 example.org. A: SERVFAIL",
    "TCP_MISS/503 4123 GET http://payments.internal/api - HIER_DIRECT/10.0.0.5 text/html",
    # failure words
    'sync failed: pq: password authentication failed for user "sync"',
    "Server be_api/api2 is DOWN, reason: Layer4 timeout, check duration: 2001ms.",
    "TCP connection to 10.0.0.5/3128 failed",
    "Could not connect to broker kafka-0:9092",
    "unable to open config file /etc/app/app.yaml",
    "Detected DEAD Parent: backend-a",
    "upload rejected: 403 Forbidden",
    "token unauthorized for scope orders:write",
    "Exception in worker loop, restarting",
]
WARNINGS = [
    "retrying in 5s (attempt 2/5)",
    "DeprecationWarning: the loop argument is deprecated",
    "query took 1532ms (slow)",
    "rate limit exceeded for client 10.0.4.2, throttling",
    "lost leader, reconnecting to 10.0.0.3:2379",
]
BENIGN = [
    "sync complete: 120 rows, 0 failed",
    "Tests: 48 passed, 0 failed, 2 skipped",
    "finished with 0 errors",
    "no errors found in 312 files",
    "error_count=0 failed=0 retries=0",
    "requests=1200 errors=3 p99=120ms",
    "err=<nil> took=12ms",
    "starting sync worker, interval=30s timeout=30s",
    "exec /usr/bin/app --timeout 30 --workers 4",
    "Health check passed, 0 timeouts in the last hour",
    "failover completed, new primary 10.0.0.3",
    "opening error_log /var/log/nginx/error.log",
    '10.0.0.4 - - "GET /api/failed-orders HTTP/1.1" 200 512',
    "registered handler on error: restart",
    "Server be_api/api1 is UP, reason: Layer4 check passed, check duration: 0ms.",
    "Starting new redirector helpers...",
    "cleaned up 12 sessions",
]


@pytest.mark.parametrize("message", ERRORS)
def test_failure_wording_is_an_error(message: str) -> None:
    assert inferred_level(message) == "error"


@pytest.mark.parametrize("message", WARNINGS)
def test_softer_wording_is_a_warning(message: str) -> None:
    assert inferred_level(message) == "warning"


@pytest.mark.parametrize("message", BENIGN)
def test_counts_settings_negations_and_names_are_not_events(message: str) -> None:
    assert inferred_level(message) is None


def test_an_index_is_not_a_count() -> None:
    # `0 failed` is a count; `worker 0 failed` and `with 0 errors` are read for what they say
    assert inferred_level("worker 0 failed: exit status 2") == "error"
    assert inferred_level("build finished with 0 errors") is None


def test_strong_wording_is_told_from_failure_words() -> None:
    found = inferred("dial tcp 10.0.0.7:5432: connect: connection refused")
    assert found == ("error", True)
    assert inferred("http: TLS handshake error from 10.0.3.17:50122: EOF") == ("error", False)
    assert inferred_level("job 7 failed, see above", strong_only=True) is None
    assert inferred_level("accept4: too many open files", strong_only=True) == "error"


def test_the_stated_level_wins() -> None:
    stated = Record("a.log", 1, 1, None, "info", "a", "plain", "connection refused by policy")
    bare = Record("a.log", 2, 2, None, None, "a", "plain", "connection refused")
    assert effective_level(stated) == "info"
    assert effective_level(bare) == "error"


def test_a_long_hostile_line_stays_fast() -> None:
    import time

    started = time.perf_counter()
    for text in ("a" * 100_000, "/err" * 25_000, "error_" * 20_000, "no " * 30_000):
        inferred(text)
    assert time.perf_counter() - started < 1.0


# --- the incident ---------------------------------------------------------------------------


def _stamp(when: datetime) -> str:
    """`kubectl logs --timestamps`: RFC 3339 with nanoseconds."""
    return when.strftime("%Y-%m-%dT%H:%M:%S.%f") + "123Z"


def _coredns(rng: random.Random) -> list[str]:
    """A CoreDNS pod's log: its banner, the `log` plugin's query lines at two a minute, then
    the upstream resolver timing out: `[ERROR] plugin/errors` lines, SERVFAIL answers and bare
    `i/o timeout` lines at a hundred and more a minute."""
    lines = [
        f"{_stamp(START)} .:53",
        f"{_stamp(START)} [INFO] plugin/reload: Running configuration SHA512 = "
        "591cf328cccc12bc490481273e738df59329c62c0b729d94e8b61db9961c2fa5",
        f"{_stamp(START)} CoreDNS-1.11.1",
        f"{_stamp(START)} linux/amd64, go1.20.7, ae2bbc2",
    ]
    names = ["orders-db.prod.svc.cluster.local.", "redis.prod.svc.cluster.local."]
    minute = START
    while minute < END:
        surge = INCIDENT <= minute < RECOVERY
        for i in range(110 if surge else 2):
            when = minute + timedelta(seconds=(i * 59.0 / (110 if surge else 2)) + 0.1)
            port = rng.randint(32768, 60999)
            qid = rng.randint(1, 65535)
            client = f"10.244.{rng.randint(1, 3)}.{rng.randint(2, 250)}"
            if not surge:
                name = rng.choice(names)
                lines.append(
                    f'{_stamp(when)} [INFO] {client}:{port} - {qid} "A IN {name} udp 62 false '
                    f'512" NOERROR qr,aa,rd 130 0.000{rng.randint(100, 999)}s'
                )
            elif i % 3 == 0:
                lines.append(
                    f"{_stamp(when)} [ERROR] plugin/errors: 2 api.stripe.com. A: read udp "
                    f"10.244.0.5:{port}->10.0.0.2:53: i/o timeout"
                )
            elif i % 3 == 1:
                lines.append(
                    f"{_stamp(when)} api.stripe.com. AAAA: read udp "
                    f"10.244.0.5:{port}->10.0.0.2:53: i/o timeout"
                )
            else:
                lines.append(
                    f'{_stamp(when)} [INFO] {client}:{port} - {qid} "A IN api.stripe.com. '
                    f'udp 43 false 1232" SERVFAIL qr,rd 43 2.00{rng.randint(1000, 9999)}s'
                )
        minute += timedelta(minutes=1)
    return lines


def _go_daemon() -> list[str]:
    """A Go daemon logging with the standard `log` package: no level, its own stamp."""
    lines = ["2024/11/12 15:00:02 starting sync worker, interval=30s timeout=30s"]
    when = START + timedelta(seconds=30)
    while when < END:
        stamp = when.strftime("%Y/%m/%d %H:%M:%S")
        if INCIDENT + timedelta(seconds=20) <= when < RECOVERY:
            lines.append(f"{stamp} dial tcp 10.0.0.7:5432: connect: connection refused")
            lines.append(f'{stamp} sync failed: pq: password authentication failed for "sync"')
        else:
            lines.append(f"{stamp} sync complete: 120 rows, 0 failed")
        when += timedelta(seconds=30)
    return lines


COREDNS = _coredns(random.Random(14))
BARE_TIMEOUTS = sum(1 for line in COREDNS if "[" not in line and "i/o timeout" in line)
STATED_TIMEOUTS = sum(1 for line in COREDNS if "[ERROR]" in line)
GO_FAILURES = sum(1 for line in _go_daemon() if "refused" in line or "sync failed" in line)


def _haproxy() -> list[str]:
    """HAProxy with `log stdout format raw`, as `docker logs -t` shows it."""
    return [
        f"{_stamp(START)} Proxy fe_http started.",
        f"{_stamp(INCIDENT + timedelta(seconds=40))} Server be_api/api2 is DOWN, reason: Layer4 "
        "timeout, check duration: 2001ms. 1 active and 0 backup servers left. 0 sessions "
        "active, 0 requeued, 0 remaining in queue.",
        f"{_stamp(INCIDENT + timedelta(seconds=44))} Server be_api/api1 is DOWN, reason: Layer4 "
        'connection problem, info: "Connection refused", check duration: 0ms. 0 active and 0 '
        "backup servers left. 3 sessions active, 0 requeued, 0 remaining in queue.",
        f"{_stamp(INCIDENT + timedelta(seconds=44))} backend be_api has no server available!",
        f"{_stamp(RECOVERY)} Server be_api/api1 is UP, reason: Layer4 check passed, check "
        "duration: 0ms. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 "
        "remaining in queue.",
    ]


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("level-less")
    (folder / "coredns-5d78c9869d-x7k2p.log").write_text("\n".join(COREDNS) + "\n")
    (folder / "sync-worker.log").write_text("\n".join(_go_daemon()) + "\n")
    (folder / "haproxy.log").write_text("\n".join(_haproxy()) + "\n")
    return folder


SERVICES = [("coredns", "coredns-*.log"), ("sync-worker", "sync-worker.log")]


@pytest.fixture(scope="module")
def report(logs: Path) -> Investigation:
    return investigate([str(logs)], ParseOptions(services=SERVICES), workers=1)


def _errors_of(report: Investigation, service: str) -> int:
    return sum(point.counts.get(service, 0) for point in report.error_rate.series)


def test_level_less_errors_are_counted(report: Investigation) -> None:
    # a third of the surge is bare `i/o timeout` lines, a third `[ERROR] plugin/errors`: both
    # errors, whether the bracket is read as a level or not
    assert _errors_of(report, "coredns") >= BARE_TIMEOUTS + STATED_TIMEOUTS
    # the Go daemon: its two failure lines every 30 s, its `0 failed` none
    assert _errors_of(report, "sync-worker") == GO_FAILURES == 18
    assert _errors_of(report, "haproxy") == 3


def test_inferred_groups_say_so(report: Investigation) -> None:
    refused = [g for g in report.error_groups if "connection refused" in g.example.text]
    assert refused and all(g.level == "error" and g.level_inferred for g in refused)
    assert {g.service for g in refused} >= {"sync-worker"}
    # CoreDNS's bare `i/o timeout` lines: errors, and marked inferred
    timeouts = [
        g for g in report.error_groups if g.service == "coredns" and "i/o timeout" in g.example.text
    ]
    assert timeouts and all(g.level == "error" for g in timeouts)
    assert sum(g.count for g in timeouts if g.level_inferred) >= BARE_TIMEOUTS
    # counts and query lines are not errors
    texts = " ".join(g.example.text for g in report.error_groups)
    assert "0 failed" not in texts and "NOERROR" not in texts
    assert "interval=30s" not in texts


def test_volume_surge_is_on_the_timeline(report: Investigation) -> None:
    surges = [s for s in report.volume_surges if s.service == "coredns"]
    assert len(surges) == 1
    surge = surges[0]
    assert surge.at == INCIDENT
    assert surge.before_per_minute == 2
    assert surge.during_per_minute == 110
    assert surge.file is not None and surge.file.endswith("coredns-5d78c9869d-x7k2p.log")
    events = [e for e in report.timeline if e.kind == "surge" and e.service == "coredns"]
    assert [e.timestamp for e in events] == [INCIDENT]
    assert "110" in events[0].event
    # the daemons that keep their pace do not surge
    assert {s.service for s in report.volume_surges} == {"coredns"}


def test_the_incident_is_found_in_level_less_logs(report: Investigation) -> None:
    assert report.trend != "no-incident"
    assert report.first_failure is not None
    assert report.first_failure.service in {"coredns", "sync-worker", "haproxy"}
    assert INCIDENT <= report.first_failure.timestamp < INCIDENT + timedelta(minutes=1)


def test_cli_json_marks_inferred_groups_and_surges(
    logs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(
        [
            "investigate",
            str(logs),
            "--json",
            "--no-cache",
            "--service",
            "coredns=coredns-*.log",
            "--service",
            "sync-worker=sync-worker.log",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    data = json.loads(out)
    assert any(g["level_inferred"] for g in data["error_groups"])
    assert [s["service"] for s in data["volume_surges"]] == ["coredns"]
    assert any(e["kind"] == "surge" for e in data["timeline"])


def test_parse_keeps_the_stated_level_and_min_level_sees_inferred(
    logs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(logs / "sync-worker.log")
    records = parse_paths([path])
    assert all(r.level is None for r in records)  # parse output: what the file states
    kept = list(RecordFilter(min_level="error")(records))
    assert len(kept) == GO_FAILURES
    assert all("refused" in r.message or "failed" in r.message for r in kept)
    assert not any("0 failed" in r.message for r in kept)
    code = run(["parse", path, "--min-level", "error", "--jsonl"])
    out = capsys.readouterr().out
    assert code == 0, out
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == GO_FAILURES and {row["level"] for row in rows} == {None}


def test_agent_tools_see_inferred_errors(logs: Path) -> None:
    """`search_logs min_level=error` and `count_per_minute` (errors by default) count the
    failures of a daemon that states no level, not its `0 failed` lines."""
    space = Workspace(AllowedRoots.for_session([str(logs)], cwd=logs))
    space.load([str(logs / "sync-worker.log")])
    found = call(
        space, "search_logs", {"pattern": "sync|dial", "regex": True, "min_level": "error"}
    )
    assert not found.is_error, found.text
    assert _data(found.text)["matches_total"] == GO_FAILURES
    counted = call(space, "count_per_minute", {})
    assert not counted.is_error, counted.text
    rows = _data(counted.text)["rows"]
    assert sum(int(row.split()[1]) for row in rows) == GO_FAILURES


def _data(text: str) -> dict[str, Any]:
    body = text.split("\n")[1]  # between the untrusted-data markers
    parsed: dict[str, Any] = json.loads(body)
    return parsed


# --- a source that states levels --------------------------------------------------------------


def _service_with_levels() -> list[str]:
    """A Go service logging JSON with zap, and net/http's own lines through the standard `log`
    package in the same stream: those state no level."""
    lines = []
    when = START
    n = 0
    while when < END:
        stamp = when.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        n += 1
        lines.append(
            json.dumps(
                {
                    "level": "info",
                    "ts": stamp,
                    "caller": "orders/handler.go:142",
                    "msg": "order created",
                    "order_id": f"ord_{n:05d}",
                    "duration_ms": 30 + n % 17,
                }
            )
        )
        if n % 4 == 0:  # scanners and health probes closing TLS early: noise, not a failure
            lines.append(
                when.strftime("%Y/%m/%d %H:%M:%S")
                + f" http: TLS handshake error from 10.0.3.{n % 200}:50122: EOF"
            )
        if INCIDENT <= when < RECOVERY and n % 2 == 0:
            lines.append(
                when.strftime("%Y/%m/%d %H:%M:%S")
                + " http: Accept error: accept tcp [::]:8443: accept4: too many open files; "
                "retrying in 5ms"
            )
        when += timedelta(seconds=15)
    return lines


def test_a_source_stating_levels_gets_only_strong_inferences(tmp_path: Path) -> None:
    path = tmp_path / "orders-api.log"
    path.write_text("\n".join(_service_with_levels()) + "\n")
    report = investigate([str(path)], workers=1)
    labels = [g.example.text for g in report.error_groups]
    assert not any("TLS handshake error" in text for text in labels)
    files = [g for g in report.error_groups if "too many open files" in g.example.text]
    assert len(files) == 1 and files[0].level_inferred and files[0].count == 10
    assert _errors_of(report, "orders-api") == 10
    # the same weak line in a source that states no level is an error
    bare = tmp_path / "edge.log"
    bare.write_text(
        "\n".join(line for line in _service_with_levels() if not line.startswith("{")) + "\n"
    )
    report = investigate([str(bare)], workers=1)
    assert any("TLS handshake error" in g.example.text for g in report.error_groups)
    # the filter judges each source the same way, as its records stream past
    records = parse_paths([str(path)])
    kept = list(RecordFilter(min_level="error")(records))
    assert kept and all("too many open files" in r.message for r in kept)


def test_parts_of_a_file_fold_as_one_pass(tmp_path: Path) -> None:
    """A file read in two parts (worker processes, the index's prefix) folds in the same
    errors and groups as one pass: whether a source states levels is decided on all of it."""
    path = tmp_path / "orders-api.log"
    path.write_text("\n".join(_service_with_levels()) + "\n")
    records = parse_paths([str(path)])
    whole = Collector(60)
    for record in records:
        whole.add(record)
    halves = []
    for part in (records[: len(records) // 3], records[len(records) // 3 :]):
        collector = Collector(60)
        for record in part:
            collector.add(record)
        halves.append(collector.result(SourceStats(Source(str(path), path))))
    merged = merge_part_results(*halves)
    # the first third alone states levels on most records too, but holds no strong line:
    # its TLS noise is held apart until the whole file is known
    assert merged.collected.stated == whole.collected.stated
    assert merged.collected.inferred_errors == whole.collected.inferred_errors
    merged_groups, whole_groups = ErrorGrouper(), ErrorGrouper()
    merged_groups.merge(merged.groups)
    whole_groups.merge(whole.grouper.partial())
    folded = settle_inferred(merged.collected, merged_groups)
    assert folded == settle_inferred(whole.collected, whole_groups)
    assert len(folded) == 10
    assert merged.collected.errors == whole.collected.errors
    assert [g.model_dump() for g in merged_groups.groups()] == [
        g.model_dump() for g in whole_groups.groups()
    ]
    assert sum(merged.collected.errors.values()) == 10


def _view(report: Investigation) -> tuple[object, ...]:
    return (
        [g.model_dump() for g in report.error_groups],
        report.error_rate.model_dump(),
        [s.model_dump() for s in report.volume_surges],
    )


def test_the_index_keeps_and_appends_the_held_apart_errors(
    tmp_path: Path, private_index: Path
) -> None:
    """Entries read back through the index's restricted unpickler; an append folds the new
    part into the kept prefix as one pass would."""
    lines = _service_with_levels()
    path = tmp_path / "orders-api.log"
    path.write_text("\n".join(lines[: len(lines) // 2]) + "\n")
    store = IndexStore(private_index)
    runs: list[IndexReport] = []
    investigate([str(path)], store=store, workers=1, on_index=runs.append)
    warm = investigate([str(path)], store=store, workers=1, on_index=runs.append)
    assert runs[-1].reused == [str(path)]
    assert _view(warm) == _view(investigate([str(path)], workers=1))
    with path.open("a") as out:
        out.write("\n".join(lines[len(lines) // 2 :]) + "\n")
    appended = investigate([str(path)], store=store, workers=1, on_index=runs.append)
    assert runs[-1].appended == [str(path)]
    fresh = investigate([str(path)], workers=1)
    assert _view(appended) == _view(fresh)
    assert _errors_of(appended, "orders-api") == 10


def test_a_surge_is_a_change_of_the_service_a_failure_names(tmp_path: Path) -> None:
    """checkout's first failure names ledger; ledger's own log holds no error, but its volume
    went from 2 to 120 lines a minute just before: its log changed, the blame moves to it."""
    rng = random.Random(2)
    checkout, ledger = [], []
    when, n = START, 0
    while when < END:
        n += 1
        stamp = when.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        failing = when >= INCIDENT + timedelta(seconds=10) and n % 2 == 0
        checkout.append(
            json.dumps(
                {"level": "error", "time": stamp, "logger": "checkout.ledger_client",
                 "msg": "ledger request failed: POST http://ledger:8080/v1/entries: context "
                 "deadline exceeded", "order_id": f"ord_{n}"}
                if failing
                else {"level": "info", "time": stamp, "logger": "checkout.api",
                      "msg": "checkout completed", "order_id": f"ord_{n}",
                      "duration_ms": rng.randint(20, 80)}
            )
        )  # fmt: skip
        when += timedelta(seconds=6)
    when, n = START, 0
    while when < END:
        n += 1
        stamp = when.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        compacting = when >= INCIDENT - timedelta(minutes=1)
        ledger.append(
            json.dumps(
                {"level": "info", "time": stamp, "logger": "ledger.compactor",
                 "msg": f"compaction: merged segment {n} (4.1 MB) in {rng.randint(8, 20)} ms"}
                if compacting
                else {"level": "info", "time": stamp, "logger": "ledger.api",
                      "msg": "entry recorded", "entry": n}
            )
        )  # fmt: skip
        when += timedelta(seconds=0.5 if compacting else 30)
    (tmp_path / "checkout.log").write_text("\n".join(checkout) + "\n")
    (tmp_path / "ledger.log").write_text("\n".join(ledger) + "\n")
    report = investigate([str(tmp_path)], workers=1)
    assert [
        (s.service, s.before_per_minute, s.during_per_minute) for s in report.volume_surges
    ] == [("ledger", 2, 120)]
    assert report.first_failure is not None and report.first_failure.service == "checkout"
    assert report.root_cause is not None and report.root_cause.service == "ledger"


# --- surges ---------------------------------------------------------------------------------


def _series(counts: dict[str, list[int]]) -> Series:
    length = max(len(c) for c in counts.values())
    return Series(START, 60, length, {k: v + [0] * (length - len(v)) for k, v in counts.items()})


def test_a_log_starting_mid_window_is_no_surge() -> None:
    series = _series({"late": [0] * 20 + [50] * 20, "steady": [40] * 40})
    assert volume_surges(series) == []


def test_diurnal_swell_and_noise_are_no_surge() -> None:
    rng = random.Random(3)
    swell = [max(0, int(60 + 40 * (i / 120) + rng.gauss(0, 8))) for i in range(120)]
    assert volume_surges(_series({"web": swell})) == []


def test_one_busy_minute_is_no_surge() -> None:
    counts = [3] * 30
    counts[15] = 90  # a cron job's burst, a restart's banner
    assert volume_surges(_series({"cron": counts})) == []


def test_a_sustained_jump_is_a_surge_with_its_levels() -> None:
    rng = random.Random(5)
    counts = [rng.choice([1, 2, 2, 3]) for _ in range(20)] + [110, 115, 108, 112] + [2] * 10
    surges = volume_surges(_series({"dns": counts}), {"dns": "coredns.log"})
    assert len(surges) == 1
    assert surges[0].at == START + timedelta(minutes=20)
    assert surges[0].before_per_minute == 2
    assert 108 <= surges[0].during_per_minute <= 115
    assert surges[0].file == "coredns.log"
