"""`analysis.root_cause`: the culprit over the reporter, through `investigate` on small logs
written to a temporary directory.

The kernel's OOM killer and kubelet speak about a process or a pod: the blame goes to the
service behind it. A first failure that names another service moves the blame there only when
that service's own log changed; a server out of its own disk failed by itself.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from log_analyzer.analysis.investigate import investigate
from log_analyzer.analysis.report import Investigation

T0 = datetime(2026, 11, 28, 14, 0, tzinfo=UTC)
FAILURE = T0 + timedelta(minutes=22, seconds=6, milliseconds=118)
MINUTES = 30
Lines = list[tuple[datetime, str]]


def write(path: Path, lines: Lines) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(t + "\n" for _, t in sorted(lines, key=lambda x: x[0])))


def run(root: Path, logs: dict[str, Lines]) -> Investigation:
    for name, lines in logs.items():
        write(root / name, lines)
    return investigate([str(root)])


def every(seconds: float, until: datetime | None = None, start: datetime = T0) -> list[datetime]:
    rng = random.Random(int(seconds * 1000))
    end = until or T0 + timedelta(minutes=MINUTES)
    times, when = [], start
    while when < end:
        times.append(when + timedelta(milliseconds=rng.randint(0, 900)))
        when += timedelta(seconds=seconds)
    return times


def journal(when: datetime, host: str, program: str, text: str) -> str:
    """A syslog file as rsyslog writes it on a systemd host (RFC 3339 stamps)."""
    return f"{when.strftime('%Y-%m-%dT%H:%M:%S.%f')}+00:00 {host} {program}: {text}"


def oslo(when: datetime, pid: int, level: str, logger: str, text: str) -> str:
    stamp = when.strftime("%Y-%m-%d %H:%M:%S.") + f"{when.microsecond // 1000:03d}"
    return f"{stamp} {pid} {level} {logger} [-] {text}"


def spring(when: datetime, app: str, level: str, logger: str, text: str) -> str:
    stamp = when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"
    return f"{stamp} {level:>5} 1 --- [{app}] [nio-8080-exec-4] {logger:<40} : {text}"


def postgres(when: datetime, pid: int, who: str, level: str, text: str) -> str:
    stamp = when.strftime("%Y-%m-%d %H:%M:%S.") + f"{when.microsecond // 1000:03d} UTC"
    return f"{stamp} [{pid}] {who} {level}:  {text}"


def python(when: datetime, logger: str, level: str, text: str) -> str:
    stamp = when.strftime("%Y-%m-%d %H:%M:%S,") + f"{when.microsecond // 1000:03d}"
    return f"{stamp} - {logger} - {level} - {text}"


def redis(when: datetime, text: str, role: str = "M", pid: int = 1) -> str:
    stamp = when.strftime("%d %b %Y %H:%M:%S.") + f"{when.microsecond // 1000:03d}"
    return f"{pid}:{role} {stamp} * {text}"


def node_noise(host: str) -> Lines:
    return [
        (w, journal(w, host, "CRON[31337]", "(root) CMD (command -v debian-sa1 > /dev/null)"))
        for w in every(60)
    ]


# --- orchestrators and the kernel speak about others ---------------------------------------------


def test_the_kernel_killing_a_pid_blames_the_service_logging_that_pid(tmp_path: Path) -> None:
    """`Killed process 3187 (python3)` names no service, only a pid: nova-compute's oslo.log
    lines carry it (neutron's carry another)."""
    compute = [
        (
            w,
            oslo(
                w,
                3187,
                "INFO",
                "nova.compute.resource_tracker",
                "Final resource view: name=compute-3 phys_ram=257614MB used_ram=201728MB",
            ),
        )
        for w in every(5, until=FAILURE)
    ]
    neutron = [
        (
            w,
            oslo(
                w,
                2931,
                "INFO",
                "neutron.agent.securitygroups_rpc",
                "Refresh firewall rules",
            ),
        )
        for w in every(7)
    ]
    kernel = node_noise("compute-3")
    kernel.append(
        (
            FAILURE,
            journal(
                FAILURE,
                "compute-3",
                "kernel",
                "[1834512.118442] Out of memory: Killed process 3187 (python3) "
                "total-vm:9123456kB, anon-rss:7321044kB, file-rss:0kB, shmem-rss:0kB, UID:64060 "
                "pgtables:15072kB oom_score_adj:0",
            ),
        )
    )
    restarted = FAILURE + timedelta(seconds=3)
    for i, w in enumerate(every(2, start=restarted)):
        compute.append(
            (
                w,
                oslo(
                    w,
                    5120,
                    "ERROR",
                    "oslo.messaging._drivers.impl_rabbit",
                    f"Connection failed: [Errno 111] ECONNREFUSED (retrying in {i % 30 + 1}.0 "
                    "seconds): ConnectionRefusedError: [Errno 111] ECONNREFUSED",
                ),
            )
        )
    report = run(
        tmp_path,
        {
            "nova/nova-compute.log": compute,
            "neutron/neutron-openvswitch-agent.log": neutron,
            "compute-3/syslog": kernel,
        },
    )
    assert report.first_failure is not None
    assert report.first_failure.service == "kernel"
    assert report.first_failure.timestamp == FAILURE
    root = report.root_cause
    assert root is not None
    assert root.service == "nova"
    assert "the kernel killed process 3187" in root.summary
    assert root.evidence[0].text.startswith("[1834512.118442] Out of memory: Killed process 3187")


def test_a_kubelet_line_about_a_pod_blames_the_pods_service(tmp_path: Path) -> None:
    """kubelet restarts `search-7d9f8b6c4-x2k9p` in a crash loop; the pod's own log (named
    after the pod) just stops. The blame goes to `search`, not to kubelet."""
    pod = "search-7d9f8b6c4-x2k9p"
    node = node_noise("node-3")
    for w in every(15):
        node.append(
            (
                w,
                journal(
                    w,
                    "node-3",
                    "kubelet[1234]",
                    f"I1128 {w.strftime('%H:%M:%S.%f')}    1234 kubelet.go:2449] "
                    '"SyncLoop (PLEG): event for pod" pod="shop/checkout-5c7d9f8b6-q4k2x" '
                    'event={"ID":"6a1e2b3c","Type":"ContainerStarted"}',
                ),
            )
        )
    for w in every(10, start=FAILURE):
        node.append(
            (
                w,
                journal(
                    w,
                    "node-3",
                    "kubelet[1234]",
                    f"E1128 {w.strftime('%H:%M:%S.%f')}    1234 pod_workers.go:1301] "
                    '"Error syncing pod, skipping" err="failed to \\"StartContainer\\" for '
                    '\\"search\\" with CrashLoopBackOff: \\"back-off 40s restarting failed '
                    f'container=search pod={pod}_shop(0d1e2f3a)\\"" pod="shop/{pod}" '
                    'podUID="0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6"',
                ),
            )
        )
    search = [
        (
            w,
            json.dumps(
                {
                    "level": "info",
                    "ts": w.timestamp(),
                    "caller": "index/query.go:88",
                    "msg": "query served",
                    "took_ms": 12,
                }
            ),
        )
        for w in every(3, until=FAILURE - timedelta(seconds=20))
    ]
    checkout = [
        (w, spring(w, "checkout", "INFO", "c.e.checkout.web.CartController", "GET /api/cart 200"))
        for w in every(4)
    ]
    report = run(
        tmp_path,
        {"node-3/syslog": node, f"{pod}.log": search, "checkout-5c7d9f8b6-q4k2x.log": checkout},
    )
    assert report.first_failure is not None
    assert report.first_failure.service == "kubelet"
    assert report.root_cause is not None
    assert report.root_cause.service == "search"
    assert "kubelet's line is about search" in report.root_cause.summary


# --- a line naming another service ---------------------------------------------------------------


def shop_database(until: datetime | None = None) -> Lines:
    return [
        (
            w,
            postgres(
                w,
                4000 + w.second,
                "shop@shop",
                "LOG",
                "connection authorized: user=shop database=shop application_name=checkout",
            ),
        )
        for w in every(6, until=until)
    ]


def test_naming_a_service_whose_log_changed_moves_the_blame_there(tmp_path: Path) -> None:
    """The report job's first error names postgres, which was restarting: postgres' own log
    shows it (it starts up and turns connections away)."""
    job = [
        (w, python(w, "report_export.run", "INFO", f"exported batch {w.minute * 60 + w.second}"))
        for w in every(5)
    ]
    for w in every(2, start=FAILURE):
        job.append(
            (
                w,
                python(
                    w,
                    "report_export.db",
                    "ERROR",
                    'psycopg2.OperationalError: connection to server at "postgres" (10.0.2.4), '
                    "port 5432 failed: Connection refused",
                ),
            )
        )
    db = shop_database(until=FAILURE - timedelta(seconds=1))
    back = FAILURE + timedelta(seconds=2, milliseconds=40)
    db.append(
        (back, postgres(back, 1, "", "LOG", "database system was interrupted; last known up"))
    )
    for w in every(1, start=back + timedelta(milliseconds=200)):
        db.append(
            (
                w,
                postgres(
                    w, 5000 + w.second, "shop@shop", "FATAL", "the database system is starting up"
                ),
            )
        )
    report = run(tmp_path, {"report-export.log": job, "postgres/postgresql-16-main.log": db})
    assert report.first_failure is not None
    assert report.first_failure.service == "report-export"
    assert report.root_cause is not None
    assert report.root_cause.service == "postgres"
    assert "the line that reports it names postgres" in report.root_cause.summary


def test_naming_a_service_whose_log_shows_nothing_unusual_keeps_the_blame(
    tmp_path: Path,
) -> None:
    """checkout was deployed with the wrong Redis port: its errors name Redis, but Redis' own
    log goes on as before. The one that raised the error is blamed."""
    checkout = [
        (w, spring(w, "checkout", "INFO", "c.e.checkout.web.CartController", "GET /api/cart 200"))
        for w in every(2)
    ]
    for w in every(1, start=FAILURE):
        checkout.append(
            (
                w,
                spring(
                    w,
                    "checkout",
                    "ERROR",
                    "o.s.d.r.c.RedisConnectionFactory",
                    "Unable to connect to Redis; nested exception is "
                    "io.lettuce.core.RedisConnectionException: Unable to connect to "
                    "redis-cache:6380",
                ),
            )
        )
    cache = []
    for i, w in enumerate(every(20)):
        cache.append((w, redis(w, "100 changes in 300 seconds. Saving...")))
        cache.append(
            (
                w + timedelta(milliseconds=60),
                redis(w, f"Background saving started by pid {1800 + i}"),
            )
        )
    report = run(tmp_path, {"checkout.log": checkout, "redis/redis-server.log": cache})
    assert report.first_failure is not None
    assert report.first_failure.service == "checkout"
    root = report.root_cause
    assert root is not None
    assert root.service == "checkout"
    assert "redis's own log shows nothing unusual" in root.summary
    assert all(h.service != "redis" or h.confidence < root.confidence for h in root.hypotheses)


def test_a_server_out_of_its_own_disk_is_blamed_itself(tmp_path: Path) -> None:
    """PostgreSQL cannot extend a file for the report job's INSERT: its line names the job
    (`report_export@shop`), whose own log then fails too, but the disk is postgres'."""
    db = shop_database()
    for i, w in enumerate(every(2, start=FAILURE)):
        db.append(
            (
                w,
                postgres(
                    w,
                    4121,
                    "report_export@shop",
                    "ERROR",
                    f'could not extend file "base/16384/{16397 + i % 3}": No space left on device',
                ),
            )
        )
        db.append((w, postgres(w, 4121, "report_export@shop", "HINT", "Check free disk space.")))
    job = [
        (w, python(w, "report_export.run", "INFO", f"exported batch {w.minute * 60 + w.second}"))
        for w in every(5)
    ]
    for w in every(2, start=FAILURE + timedelta(milliseconds=300)):
        job.append(
            (
                w,
                python(
                    w,
                    "report_export.run",
                    "ERROR",
                    "export failed: psycopg2.errors.DiskFull: could not extend file "
                    '"base/16384/16397": No space left on device',
                ),
            )
        )
    report = run(tmp_path, {"postgres/postgresql-16-main.log": db, "report-export.log": job})
    assert report.first_failure is not None
    assert report.first_failure.service == "postgres"
    assert report.root_cause is not None
    assert report.root_cause.service == "postgres"


# --- an edge proxy -------------------------------------------------------------------------------


def access(when: datetime, request: str, status: int) -> str:
    stamp = when.strftime("%d/%b/%Y:%H:%M:%S +0000")
    return f'203.0.113.7 - - [{stamp}] "{request} HTTP/1.1" {status} 157 "-" "curl/8.5.0" "-"'


def test_an_edge_proxy_reporting_first_is_a_victim_not_the_root_cause(tmp_path: Path) -> None:
    """nginx writes whole seconds: its 502s come first, 0.4 s before billing's own errors.
    Its lines name nobody, yet the blame goes to its upstream."""
    start = FAILURE.replace(microsecond=0)
    edge = [
        (second, access(second, "GET /api/v2/items", 200))
        for second in (w.replace(microsecond=0) for w in every(2))
    ]
    edge += [
        (second, access(second, "POST /api/v2/submit", 502))
        for second in (w.replace(microsecond=0) for w in every(1, start=start))
    ]
    billing = [(w, python(w, "billing.api", "INFO", "invoice rendered")) for w in every(3)]
    billing += [
        (
            w,
            python(
                w,
                "billing.ledger",
                "ERROR",
                "Ledger write failed: deadlock detected while waiting for lock",
            ),
        )
        for w in every(1, start=start + timedelta(milliseconds=400))
    ]
    report = run(tmp_path, {"nginx/access.log": edge, "billing.log": billing})
    assert report.first_failure is not None
    assert report.first_failure.service == "nginx"
    assert report.root_cause is not None
    assert report.root_cause.service == "billing"
    nginx = next(h for h in report.root_cause.hypotheses if h.service == "nginx")
    assert "an edge proxy reports its upstreams' failures" in nginx.summary
    assert all(step.caused_by != "nginx" for step in report.cascade)
