"""Every format on a file that looks exactly like what the real software writes by default.

One fixture per format or variant in `fixtures/formats/`. For each: the format detected with no
configuration, the number of records (multi-line records joined), nothing left unparsed, and the
exact fields of a few records. Year-less (syslog, klog, HAProxy) and time-only (logback) stamps
get `--year`/`--date`, so that the expectations do not depend on the fixture files' mtime.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

import pytest

from log_analyzer.ingest import ParseOptions, SourceStats, open_paths
from log_analyzer.levels import LEVELS
from log_analyzer.records import Record

from .conftest import FIXTURES

FORMATS_DIR = FIXTURES / "formats"
DATED = ParseOptions(year=2026, day=date(2026, 11, 28))

# ingest.py reads a line that no format reads and that is not a recognised continuation as a
# record of its own (format `plain`), even right after a record it could belong to.
HEADERLESS = (
    "ingest.py: a header-less line right after a record (celery's `Trying again in 2.00 "
    "seconds... (1/100)`, MariaDB's `Version: ...` after `ready for connections.`) becomes a "
    "`plain` record instead of continuing the record before it"
)
# ingest._unwrapped joins CRI `P` entries to the `F` entry that ends them but numbers the record
# by the `F` line and times it by the `F` entry.
PARTIAL = (
    "ingest.py: a record joined from CRI `P` + `F` entries starts at the `F` line: the `P` "
    "line belongs to no record and the record takes the `F` entry's time"
)


@dataclass(frozen=True)
class Rec:
    """The expected record starting at `line`. `message` is the whole message of a one-line
    record, or the first line of a multi-line one (checked with `end_line`, `contains`,
    `last`)."""

    line: int
    timestamp: str | None
    level: str | None
    service: str
    message: str
    end_line: int | None = None
    contains: tuple[str, ...] = ()
    last: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Fixture:
    file: str
    format: str
    lines: int
    records: int
    checks: tuple[Rec, ...]
    dated: bool = False  # needs --year/--date (year-less or time-only stamps)


ERRNO_111 = (
    "redis.exceptions.ConnectionError: Error 111 connecting to redis:6379. Connection refused."
)

FIXTURE_TABLE: tuple[Fixture, ...] = (
    # -- databases, caches, web servers, proxies -----------------------------------------
    Fixture(
        "redis.log",
        "redis",
        lines=28,
        records=28,
        checks=(
            Rec(
                8,
                "2026-11-28T13:58:12.303000+00:00",
                "warning",
                "redis",
                "WARNING overcommit_memory is set to 0! Background save may fail under low "
                "memory condition. To fix this issue add 'vm.overcommit_memory = 1' to "
                "/etc/sysctl.conf and then reboot or run the command 'sysctl "
                "vm.overcommit_memory=1' for this to take effect.",
                fields={"pid": "1", "role": "M"},
            ),
            Rec(
                13,
                "2026-11-28T13:58:12.305000+00:00",
                "notice",
                "redis",
                "Ready to accept connections",
            ),
            Rec(
                16,
                "2026-11-28T14:00:13.498000+00:00",
                "notice",
                "redis",
                "DB saved on disk",
                fields={"pid": "58", "role": "C"},
            ),
            Rec(
                24,
                "2026-11-28T14:03:00+00:00",
                None,
                "redis",
                "Received SIGTERM scheduling shutdown...",
                fields={"pid": "1"},
            ),
        ),
    ),
    Fixture(
        "postgres.log",
        "postgres",
        lines=29,
        records=20,
        checks=(
            Rec(
                1,
                "2026-11-28T13:59:58.201000+00:00",
                "info",
                "postgres",
                "starting PostgreSQL 16.4 (Debian 16.4-1.pgdg120+2) on x86_64-pc-linux-gnu, "
                "compiled by gcc (Debian 12.2.0-14) 12.2.0, 64-bit",
            ),
            Rec(
                9,
                "2026-11-28T14:02:03.118000+00:00",
                "fatal",
                "postgres",
                "sorry, too many clients already",
                fields={"pid": "4242"},
            ),
            Rec(
                11,
                "2026-11-28T14:02:03.131000+00:00",
                "fatal",
                "postgres",
                'password authentication failed for user "shop"',
                end_line=12,
                contains=(
                    'DETAIL:  Connection matched file "/var/lib/postgresql/data/pg_hba.conf" '
                    'line 128: "host all all all scram-sha-256"',
                ),
            ),
            Rec(
                15,
                "2026-11-28T14:02:09.004000+00:00",
                "error",
                "postgres",
                "deadlock detected",
                end_line=22,
                contains=(
                    "DETAIL:  Process 3990 waits for ShareLock on transaction 48213",
                    "\tProcess 3985 waits for ShareLock on transaction 48214",
                    "HINT:  See server log for query details.",
                    'CONTEXT:  while updating tuple (0,7) in relation "inventory"',
                ),
                last="2026-11-28 14:02:09.004 UTC [3990] STATEMENT:  UPDATE inventory SET "
                "reserved = reserved + 1 WHERE sku = 'A-1001'",
            ),
            Rec(
                23,
                "2026-11-28T14:02:11.562000+00:00",
                "warning",
                "postgres",
                "there is no transaction in progress",
            ),
        ),
    ),
    Fixture(
        "postgres-debian.log",
        "postgres",
        lines=15,
        records=11,
        checks=(
            Rec(
                7,
                "2026-11-28T14:02:03.118000+00:00",
                "fatal",
                "postgres-debian",
                "sorry, too many clients already",
                fields={"pid": "4242", "user": "shop", "database": "orders"},
            ),
            Rec(
                8,
                "2026-11-28T14:02:03.125000+00:00",
                "info",
                "postgres-debian",
                "incomplete startup packet",
                fields={"user": "[unknown]", "database": "[unknown]"},
            ),
            Rec(
                11,
                "2026-11-28T14:02:07.390000+00:00",
                "error",
                "postgres-debian",
                'duplicate key value violates unique constraint "payments_order_id_key"',
                end_line=13,
                contains=("DETAIL:  Key (order_id)=(8812) already exists.",),
                last="2026-11-28 14:02:07.390 UTC [4250] shop@orders STATEMENT:  INSERT INTO "
                "payments (order_id, amount_cents, provider) VALUES (8812, 4599, 'stripe')",
            ),
        ),
    ),
    Fixture(
        "mysql.log",
        "mysql",
        lines=15,
        records=15,
        checks=(
            Rec(
                1,
                "2026-11-28T13:59:41.301842+00:00",
                "notice",
                "mysql",
                "/usr/sbin/mysqld (mysqld 8.0.40) starting as process 1",
                fields={"thread": "0", "code": "MY-010116", "subsystem": "Server"},
            ),
            Rec(
                10,
                "2026-11-28T14:02:03.118442+00:00",
                "warning",
                "mysql",
                "IP address '10.0.4.7' could not be resolved: Name or service not known",
                fields={"thread": "812", "code": "MY-010055", "subsystem": "Server"},
            ),
            Rec(
                11,
                "2026-11-28T14:02:04.220118+00:00",
                "info",
                "mysql",
                "Aborted connection 790 to db: 'shop' user: 'shop' host: '10.0.3.12' (Got an "
                "error reading communication packets).",
            ),
            Rec(
                12,
                "2026-11-28T14:02:09.004412+00:00",
                "error",
                "mysql",
                "Unable to lock ./ibdata1 error: 11",
                fields={"code": "MY-012574", "subsystem": "InnoDB"},
            ),
        ),
    ),
    Fixture(
        "mariadb.log",
        "mysql",
        lines=18,
        records=17,
        checks=(
            Rec(
                11,
                "2026-11-28T13:59:42+00:00",
                "info",
                "mariadb",
                "mariadbd: ready for connections.",
                end_line=12,
                last="Version: '11.4.4-MariaDB-ubu2404'  socket: '/run/mysqld/mysqld.sock'  "
                "port: 3306  mariadb.org binary distribution",
                fields={"thread": "0"},
            ),
            Rec(
                14,
                "2026-11-28T14:02:04+00:00",
                "error",
                "mariadb",
                "mariadbd: Too many connections",
            ),
        ),
    ),
    Fixture(
        "nginx-error.log",
        "nginx-error",
        lines=24,
        records=24,
        checks=(
            Rec(
                10,
                "2026-11-28T14:02:03+00:00",
                "error",
                "nginx-error",
                "upstream timed out (110: Connection timed out) while reading response header "
                'from upstream, client: 203.0.113.7, server: shop.example.com, request: "POST '
                '/api/checkout HTTP/1.1", upstream: "http://10.0.3.12:8080/api/checkout", host: '
                '"shop.example.com", referrer: "https://shop.example.com/cart"',
                fields={"pid": "29", "tid": "29", "connection": "5712"},
            ),
            Rec(
                12,
                "2026-11-28T14:02:05+00:00",
                "warning",
                "nginx-error",
                "upstream server temporarily disabled while connecting to upstream, client: "
                '198.51.100.23, server: shop.example.com, request: "GET /api/cart/5f2a '
                'HTTP/1.1", upstream: "http://10.0.3.12:8080/api/cart/5f2a", host: '
                '"shop.example.com"',
            ),
            Rec(
                15,
                "2026-11-28T14:02:13+00:00",
                "critical",
                "nginx-error",
                "SSL_do_handshake() failed (SSL: error:0A00006C:SSL routines::bad key share) "
                "while SSL handshaking, client: 198.51.100.77, server: 0.0.0.0:443",
            ),
            Rec(
                16,
                "2026-11-28T14:02:15+00:00",
                "critical",
                "nginx-error",
                "1024 worker_connections are not enough",
                fields={"pid": "30", "tid": "30"},
            ),
            Rec(
                1,
                "2026-11-28T13:59:50+00:00",
                "notice",
                "nginx-error",
                'using the "epoll" event method',
            ),
        ),
    ),
    Fixture(
        "nginx-access-combined.log",
        "access-combined",
        lines=16,
        records=16,
        checks=(
            Rec(
                7,
                "2026-11-28T14:02:03+00:00",
                "error",
                "nginx-access-combined",
                '"POST /api/checkout HTTP/1.1" 504 167 "https://shop.example.com/cart" '
                '"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like '
                'Gecko) Chrome/131.0.0.0 Safari/537.36" "-"',
                fields={
                    "client": "203.0.113.7",
                    "request": "POST /api/checkout HTTP/1.1",
                    "status": 504,
                    "bytes": "167",
                    "referer": "https://shop.example.com/cart",
                },
            ),
            Rec(
                4,
                "2026-11-28T14:00:02+00:00",
                "warning",
                "nginx-access-combined",
                '"GET /favicon.ico HTTP/2.0" 404 153 "https://shop.example.com/" "Mozilla/5.0 '
                "(Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                'Chrome/131.0.0.0 Safari/537.36" "-"',
            ),
            Rec(
                12,
                "2026-11-28T14:02:09+00:00",
                "warning",
                "nginx-access-combined",
                '"\\x16\\x03\\x01\\x00\\xee\\x01\\x00\\x00\\xea\\x03\\x03" 400 157 "-" "-" "-"',
                fields={"status": 400},
            ),
            Rec(
                16,
                "2026-11-28T14:02:20+00:00",
                "info",
                "nginx-access-combined",
                '"GET /admin/orders?status=failed HTTP/1.1" 200 5120 '
                '"https://shop.example.com/admin/" "curl/8.5.0" "10.1.2.3"',
                fields={"user": "admin", "agent": "curl/8.5.0"},
            ),
        ),
    ),
    Fixture(
        "apache-access-common.log",
        "access-common",
        lines=14,
        records=14,
        checks=(
            Rec(
                6,
                "2026-11-28T14:01:30+00:00",
                "info",
                "apache-access-common",
                '"GET /private/report.pdf HTTP/1.1" 200 912044',
                fields={"user": "frank", "status": 200, "bytes": "912044"},
            ),
            Rec(
                10,
                "2026-11-28T14:02:03+00:00",
                "error",
                "apache-access-common",
                '"POST /api/checkout HTTP/1.1" 502 341',
            ),
            Rec(
                12,
                "2026-11-28T14:02:05+00:00",
                "warning",
                "apache-access-common",
                '"-" 408 -',
                fields={"request": "-", "bytes": "-", "status": 408},
            ),
        ),
    ),
    Fixture(
        "apache-error.log",
        "apache-error",
        lines=13,
        records=13,
        checks=(
            Rec(
                5,
                "2026-11-28T14:02:03.118442+00:00",
                "error",
                "apache-error",
                "(111)Connection refused: AH00957: http: attempt to connect to 10.0.3.12:8080 "
                "(checkout) failed",
                fields={"module": "proxy", "pid": "9", "tid": "140244803700416"},
            ),
            Rec(
                6,
                "2026-11-28T14:02:03.118501+00:00",
                "error",
                "apache-error",
                "AH01114: HTTP: failed to make connection to backend: checkout, referer: "
                "https://shop.example.com/cart",
                fields={"module": "proxy_http", "client": "203.0.113.7:51234"},
            ),
            Rec(
                10,
                "2026-11-28T14:02:08.771203+00:00",
                "warning",
                "apache-error",
                "AH01909: shop.example.com:443:0 server certificate does NOT include an ID which "
                "matches the server name",
            ),
            Rec(
                1,
                "2026-11-28T13:59:50.001234+00:00",
                "notice",
                "apache-error",
                "AH00489: Apache/2.4.62 (Unix) configured -- resuming normal operations",
            ),
        ),
    ),
    Fixture(
        "haproxy.log",
        "haproxy",
        lines=16,
        records=16,
        dated=True,
        checks=(
            Rec(
                8,  # the request's accept date, not the syslog time it was written at
                "2026-11-28T14:01:58.116000+00:00",
                "error",
                "haproxy",
                '504 194 - - sH-- 120/110/30/30/0 0/0 "POST /api/checkout HTTP/1.1"',
                fields={
                    "host": "lb-1",
                    "pid": "812",
                    "client": "203.0.113.7",
                    "frontend": "http-in~",
                    "backend": "checkout_be",
                    "server": "checkout-1",
                    "timers": "0/0/1/-1/5002",
                    "status": 504,
                },
            ),
            Rec(
                7,
                "2026-11-28T14:01:58+00:00",
                "critical",
                "haproxy",
                "Server checkout_be/checkout-2 is DOWN, reason: Layer4 connection problem, info: "
                '"Connection refused", check duration: 0ms. 1 active and 0 backup servers left. '
                "3 sessions active, 0 requeued, 0 remaining in queue.",
            ),
            Rec(
                11,
                "2026-11-28T14:02:06+00:00",
                "fatal",
                "haproxy",
                "backend checkout_be has no server available!",
            ),
            Rec(
                12,
                "2026-11-28T14:02:07.310000+00:00",
                "error",
                "haproxy",
                '503 217 - - SC-- 96/86/0/0/0 0/0 "POST /api/checkout HTTP/1.1"',
                fields={"server": "<NOSRV>", "status": 503},
            ),
            Rec(
                14,
                "2026-11-28T14:02:09+00:00",
                None,
                "haproxy",
                "192.0.2.44:40155 [28/Nov/2026:14:02:09.771] http-in/1: SSL handshake failure",
            ),
        ),
    ),
    # -- system logs -----------------------------------------------------------------------
    Fixture(
        "syslog-rfc3164.log",
        "syslog",
        lines=23,
        records=23,
        dated=True,
        checks=(
            Rec(
                12,
                "2026-11-28T14:02:03+00:00",
                "fatal",
                "kernel",
                "[812345.119817] Out of memory: Killed process 4242 (java) total-vm:8123456kB, "
                "anon-rss:3921044kB, file-rss:0kB, shmem-rss:0kB, UID:998 pgtables:9012kB "
                "oom_score_adj:0",
                fields={"host": "web-1"},
            ),
            Rec(
                14,
                "2026-11-28T14:02:03+00:00",
                None,
                "systemd",
                "checkout.service: Main process exited, code=killed, status=9/KILL",
                fields={"host": "web-1", "pid": "1"},
            ),
            Rec(
                5,
                "2026-11-28T14:01:12+00:00",
                None,
                "sshd",
                "Accepted publickey for deploy from 203.0.113.7 port 51234 ssh2: ED25519 "
                "SHA256:6q1o0V0u6C1Jm0m3r5Cq1xZ7rXJm2oHqS2XcWl5oXvA",
                fields={"pid": "31420"},
            ),
            Rec(
                22,
                "2026-11-28T14:02:41+00:00",
                None,
                "postfix/smtpd",
                "connect from unknown[192.0.2.44]",
            ),
        ),
    ),
    Fixture(
        "syslog-rfc5424.log",
        "syslog5424",
        lines=12,
        records=12,
        checks=(
            Rec(
                5,
                "2026-11-28T14:02:03.118000+00:00",
                "error",  # <131>: local0.err, what PostgreSQL sends FATAL as
                "postgres",
                "FATAL:  sorry, too many clients already",
                fields={"host": "db-1", "procid": "4242", "sd": '[meta sequenceId="42"]'},
            ),
            Rec(
                6,
                "2026-11-28T14:02:03.206000+00:00",
                "error",
                "checkout",
                "Payment gateway returned 503 for order 8812",  # the BOM is not part of it
                fields={"msgid": "ID47"},
            ),
            Rec(
                10,
                "2026-11-28T14:02:05.000412+00:00",
                "notice",
                "deploy",
                "deploy started: checkout v1.4.3",
            ),
            Rec(
                11,  # NILVALUE timestamp
                None,
                "info",
                "cron",
                "(root) CMD (/usr/local/bin/backup-db.sh >/dev/null 2>&1)",
            ),
        ),
    ),
    Fixture(
        "journal-short-iso.log",
        "journal-short-iso",
        lines=17,
        records=17,
        checks=(
            Rec(
                9,
                "2026-11-28T14:02:03+00:00",
                None,
                "systemd",
                "checkout.service: Main process exited, code=killed, status=9/KILL",
                fields={"host": "web-1", "pid": "1"},
            ),
            Rec(
                7,
                "2026-11-28T14:02:03+00:00",
                "fatal",
                "kernel",
                "Out of memory: Killed process 4242 (java) total-vm:8123456kB, "
                "anon-rss:3921044kB, file-rss:0kB, shmem-rss:0kB, UID:998 pgtables:9012kB "
                "oom_score_adj:0",
            ),
            Rec(
                2,
                "2026-11-28T13:59:45+00:00",
                None,
                "checkout",
                "listening on :8080",  # the Go `log` line inside: its own stamp is a header
                fields={"pid": "4242"},
            ),
        ),
    ),
    Fixture(
        "journald-json.log",
        "journald-json",
        lines=6,
        records=6,
        checks=(
            Rec(
                3,
                "2026-11-28T14:02:03.118442+00:00",
                "error",
                "checkout",
                "upstream timed out: POST http://payments:8080/api/charge after 5000 ms",
                fields={"_HOSTNAME": "web-1", "_PID": "4242", "_TRANSPORT": "stdout"},
            ),
            Rec(
                5,
                "2026-11-28T14:02:03.121098+00:00",
                "warning",
                "systemd",
                "checkout.service: Failed with result 'oom-kill'.",
                fields={"UNIT": "checkout.service"},
            ),
        ),
    ),
    Fixture(
        "klog.log",
        "klog",
        lines=26,
        records=11,
        dated=True,
        checks=(
            Rec(
                6,
                "2026-11-28T14:02:03.118442+00:00",
                "warning",
                "klog",
                "k8s.io/client-go@v0.31.2/tools/cache/reflector.go:243: failed to list *v1.Pod: "
                'Get "https://10.96.0.1:443/api/v1/pods?limit=500&resourceVersion=0": dial tcp '
                "10.96.0.1:443: connect: connection refused",
                fields={"pid": "1", "caller": "reflector.go:561"},
            ),
            Rec(
                9,
                "2026-11-28T14:02:18.301402+00:00",
                "info",
                "klog",
                "failed to renew lease kube-system/orders-controller: timed out waiting for the "
                "condition",
            ),
            Rec(
                11,
                "2026-11-28T14:02:18.301501+00:00",
                "fatal",
                "klog",
                "leaderelection lost",
                end_line=26,
                contains=("goroutine 1 [running]:", "k8s.io/klog/v2.stacks(0x1)"),
                last="\t/src/cmd/orders-controller/main.go:288 +0x6c5",
            ),
        ),
    ),
    # -- application logging libraries --------------------------------------------------------
    Fixture(
        "spring-boot.log",
        "spring-boot",
        lines=38,
        records=11,
        checks=(
            Rec(
                1,
                "2026-11-28T14:00:02.118000+00:00",
                "info",
                "checkout",
                "Starting CheckoutApplication v1.4.2 using Java 21.0.5 with PID 1 "
                "(/app/app.jar started by app in /app)",
                fields={"pid": "1", "thread": "main", "logger": "c.e.checkout.CheckoutApplication"},
            ),
            Rec(
                9,
                "2026-11-28T14:02:33.120000+00:00",
                "error",
                "checkout",
                "Servlet.service() for servlet [dispatcherServlet] in context with path [] threw "
                "exception [Request processing failed: org.springframework.dao."
                "DataAccessResourceFailureException: Unable to acquire JDBC Connection "
                "[HikariPool-1 - Connection is not available, request timed out after 30001ms "
                "(total=10, active=10, idle=0, waiting=42)] [n/a]] with root cause",
                end_line=21,
                contains=("\n\norg.postgresql.util.PSQLException: FATAL: sorry, too many clients",),
                last="\tat java.base/java.lang.Thread.run(Thread.java:1583) ~[na:na]",
            ),
            Rec(
                22,
                "2026-11-28T14:02:33.131000+00:00",
                "error",
                "checkout",
                "Checkout failed for order 8812",
                end_line=37,
                contains=(
                    "Caused by: org.hibernate.exception.JDBCConnectionException: Unable to acquire",
                    "\t... 42 more\n",
                    "Caused by: java.sql.SQLTransientConnectionException: HikariPool-1 - ",
                ),
                last="\t... 47 common frames omitted",
                fields={
                    "thread": "nio-8080-exec-9",
                    "logger": "c.e.checkout.web.CheckoutController",
                },
            ),
            Rec(
                38,
                "2026-11-28T14:02:34.002000+00:00",
                "info",
                "checkout",
                "Completed initialization in 2 ms",
            ),
        ),
    ),
    Fixture(
        "spring-boot2.log",
        "spring-boot",
        lines=17,
        records=8,
        checks=(
            Rec(
                6,
                "2026-11-28T14:01:10.001000+00:00",
                "warning",
                "spring-boot2",
                "No mapping for GET /favicon.ico",
                fields={
                    "pid": "1",
                    "thread": "nio-8080-exec-2",
                    "logger": "o.s.web.servlet.PageNotFound",
                },
            ),
            Rec(
                7,
                "2026-11-28T14:02:03.118000+00:00",
                "error",
                "spring-boot2",
                "Servlet.service() for servlet [dispatcherServlet] in context with path [] threw "
                "exception [Request processing failed; nested exception is org.springframework."
                'web.client.ResourceAccessException: I/O error on GET request for "http://'
                'pricing:8080/api/prices/A-1001": Read timed out; nested exception is java.net.'
                "SocketTimeoutException: Read timed out] with root cause",
                end_line=16,  # the blank line after the trace belongs to it
                contains=("\n\njava.net.SocketTimeoutException: Read timed out\n",),
                last="\tat java.base/java.lang.Thread.run(Thread.java:840) ~[na:na]",
            ),
        ),
    ),
    Fixture(
        "logback.log",
        "logback",
        lines=19,
        records=9,
        dated=True,
        checks=(
            Rec(
                6,
                "2026-11-28T14:02:08.331000+00:00",
                "error",
                "logback",
                "Stock lookup failed for sku A-1001",
                end_line=16,
                contains=("\njava.net.SocketTimeoutException: Read timed out\n",),
                last="\tat java.base/java.lang.Thread.run(Thread.java:1583)",
                fields={"thread": "qtp1123629720-44", "logger": "c.e.inventory.StockClient"},
            ),
            Rec(
                4,
                "2026-11-28T14:01:40.004000+00:00",
                "debug",
                "logback",
                "Syncing 1288 SKUs from warehouse API",
            ),
            Rec(
                18,
                "2026-11-28T14:02:40+00:00",
                "error",
                "logback",
                "Sync aborted: 3 consecutive failures",
            ),
        ),
    ),
    Fixture(
        "log4j.log",
        "log4j",
        lines=15,
        records=8,
        checks=(
            Rec(
                6,
                "2026-11-28T14:02:09.331000+00:00",
                "error",
                "log4j",
                "Sync failed after 3 attempts",
                end_line=13,
                contains=("\njava.io.IOException: Server returned HTTP response code: 503",),
                fields={"thread": "pool-2-thread-1", "logger": "com.example.orders.OrderSync"},
            ),
            Rec(
                14,
                "2026-11-28T14:02:09.402000+00:00",
                "fatal",
                "log4j",
                "Order sync disabled after repeated failures",
            ),
            Rec(
                5,
                "2026-11-28T14:02:03.118000+00:00",
                "warning",
                "log4j",
                "ERP responded 503, retrying in 2000 ms",
            ),
        ),
    ),
    Fixture(
        "kafka-server.log",
        "kafka",
        lines=22,
        records=12,
        checks=(
            Rec(
                7,
                "2026-11-28T14:02:03.118000+00:00",
                "warning",
                "kafka-server",
                "[ReplicaFetcher replicaId=1, leaderId=2, fetcherId=0] Error in response for "
                "fetch request (type=FetchRequest, replicaId=1, maxWait=500, minBytes=1, "
                "maxBytes=10485760, fetchData={orders-0=PartitionData(fetchOffset=48213, "
                "logStartOffset=0, maxBytes=1048576, currentLeaderEpoch=Optional[7], "
                "lastFetchedEpoch=Optional[7])}, isolationLevel=READ_UNCOMMITTED, removed=, "
                "replaced=, metadata=(sessionId=INVALID, epoch=INITIAL), rackId=)",
                end_line=16,
                contains=("\njava.io.IOException: Connection to 2 was disconnected",),
                fields={"logger": "kafka.server.ReplicaFetcherThread"},
            ),
            Rec(
                18,
                "2026-11-28T14:02:04.004000+00:00",
                "error",
                "kafka-server",
                "[ReplicaManager broker=1] Error processing append operation on partition orders-0",
                end_line=19,
                last="org.apache.kafka.common.errors.NotEnoughReplicasException: The size of the "
                "current ISR Set(1) is insufficient to satisfy the min.isr requirement of 2 for "
                "partition orders-0",
            ),
            Rec(
                3,
                "2026-11-28T14:00:03.001000+00:00",
                "info",
                "kafka-server",
                "starting",
                fields={"logger": "kafka.server.KafkaServer"},
            ),
        ),
    ),
    Fixture(
        "python-traceback.log",
        "python",
        lines=44,
        records=8,
        checks=(
            Rec(
                5,
                "2026-11-28T14:02:03.118000+00:00",
                "error",
                "python-traceback",
                "Failed to load cart 5f2a from cache",
                end_line=41,
                contains=(
                    "\nTraceback (most recent call last):\n",
                    "\nConnectionRefusedError: [Errno 111] Connection refused\n",
                    "\nDuring handling of the above exception, another exception occurred:\n",
                ),
                last=ERRNO_111,
                fields={"logger": "checkout.cache"},
            ),
            Rec(
                4,
                "2026-11-28T14:01:40.004000+00:00",
                "warning",
                "python-traceback",
                "Retrying (Retry(total=2, connect=None, read=None, redirect=None, status=None)) "
                "after connection broken by 'ReadTimeoutError(\"HTTPSConnectionPool(host='api."
                "stripe.com', port=443): Read timed out. (read timeout=10)\")': /v1/charges",
                fields={"logger": "urllib3.connectionpool"},
            ),
            Rec(
                44,
                "2026-11-28T14:02:09.977000+00:00",
                "critical",
                "python-traceback",
                "Giving up on order 8812 after 3 attempts",
            ),
        ),
    ),
    Fixture(
        "python-basic.log",
        "python-basic",
        lines=26,
        records=9,
        checks=(
            Rec(
                4,
                None,
                "info",
                "python-basic",
                "WARNING: This is a development server. Do not use it in a production "
                "deployment. Use a production WSGI server instead.",
                end_line=7,
                last=" * Running on http://10.0.3.12:5000",
                fields={"logger": "werkzeug"},
            ),
            Rec(
                10,
                None,
                "error",
                "python-basic",
                "Exception on /api/checkout [POST]",
                end_line=24,
                last=ERRNO_111,
                fields={"logger": "checkout.app"},
            ),
            Rec(
                3,
                None,
                "warning",
                "python-basic",
                "STRIPE_API_KEY is not set; using the test key",
                fields={"logger": "root"},
            ),
        ),
    ),
    Fixture(
        "gunicorn.log",
        "gunicorn",
        lines=30,
        records=15,
        checks=(
            Rec(
                6,
                "2026-11-28T14:02:33+00:00",
                "critical",
                "gunicorn",
                "WORKER TIMEOUT (pid:7)",
                fields={"pid": "1"},
            ),
            Rec(
                7,
                "2026-11-28T14:02:33+00:00",
                "error",
                "gunicorn",
                "Error handling request /api/checkout",
                end_line=22,
                last="SystemExit: 1",
                fields={"pid": "7"},
            ),
            Rec(
                25,
                "2026-11-28T14:02:34+00:00",
                "error",
                "gunicorn",
                "Worker (pid:7) was sent SIGKILL! Perhaps out of memory?",
            ),
        ),
    ),
    Fixture(
        "celery.log",
        "celery",
        lines=35,
        records=11,
        checks=(
            Rec(
                6,
                "2026-11-28T14:02:08.331000+00:00",
                "error",
                "celery",
                "Task orders.charge[9f1c6a2e-4b1d-4d9a-8d1e-2f6b7c3a9e10] raised unexpected: "
                "OperationalError('server closed the connection unexpectedly\\n\\tThis probably "
                "means the server terminated abnormally\\n\\tbefore or while processing the "
                "request.\\n')",
                end_line=22,
                contains=("\npsycopg2.OperationalError: server closed the connection",),
                last="\tbefore or while processing the request.",
                fields={"process": "ForkPoolWorker-2"},
            ),
            Rec(
                23,
                "2026-11-28T14:02:09.004000+00:00",
                "warning",
                "celery",
                "consumer: Connection to broker lost. Trying to re-establish the connection...",
                end_line=29,
                last=ERRNO_111,
                fields={"process": "MainProcess"},
            ),
            Rec(
                35,
                "2026-11-28T14:02:11.932000+00:00",
                "info",
                "celery",
                "Task orders.charge[0b3d4e8f-91a2-4c55-b7e0-6a1d2c3f4e5a] succeeded in 0.8875s: "
                "{'order_id': 8813, 'status': 'paid'}",
                fields={"process": "ForkPoolWorker-1"},
            ),
        ),
    ),
    Fixture(
        "uvicorn.log",
        "uvicorn",
        lines=30,
        records=14,
        checks=(
            Rec(
                7,
                None,
                "info",
                "uvicorn",
                '10.0.0.12:51844 - "POST /api/checkout HTTP/1.1" 500 Internal Server Error',
            ),
            Rec(
                8,
                None,
                "error",
                "uvicorn",
                "Exception in ASGI application",
                end_line=24,
                last=ERRNO_111,
            ),
            Rec(26, None, "warning", "uvicorn", "Invalid HTTP request received."),
        ),
    ),
    Fixture(
        "go-log-panic.log",
        "go-log",
        lines=33,
        records=7,
        checks=(
            Rec(
                4,
                "2026-11-28T14:02:03+00:00",
                None,
                "go-log-panic",
                "redis: dial tcp 10.0.3.20:6379: connect: connection refused",
            ),
            Rec(
                5,  # net/http recovered the panic and logged it with the goroutine's stack
                "2026-11-28T14:02:03+00:00",
                "error",
                "go-log-panic",
                "http: panic serving 10.0.0.12:51844: runtime error: invalid memory address or "
                "nil pointer dereference",
                end_line=24,
                contains=(
                    "\ngoroutine 57 [running]:\n",
                    "\npanic({0x7d3c40?, 0xb5e5a0?})\n",
                    "\ngithub.com/example/cart-api/internal/store.(*RedisStore).Get(0x0, ",
                ),
                last="\t/usr/local/go/src/net/http/server.go:3360 +0x485",
            ),
            Rec(
                26,  # the process died: the panic joins the last line it logged
                "2026-11-28T14:02:09+00:00",
                "fatal",
                "go-log-panic",
                "cache warmer: giving up after 5 attempts",
                end_line=33,
                contains=("\npanic: redis: connection pool timeout\n\ngoroutine 23 [running]:\n",),
                last="\t/src/cmd/cart-api/main.go:73 +0x2a5",
            ),
        ),
    ),
    Fixture(
        "zap-console.log",
        "zap-console",
        lines=20,
        records=8,
        checks=(
            Rec(
                6,
                "2026-11-28T14:02:05.004000+00:00",
                "error",
                "zap-console",
                'redis get failed\t{"key": "cart:5f2a", "error": "dial tcp 10.0.3.20:6379: '
                'connect: connection refused"}',
                end_line=18,
                contains=("\ngithub.com/example/cart-api/internal/store.(*RedisStore).Get\n",),
                last="\t/usr/local/go/src/net/http/server.go:2092",
                fields={"caller": "store/redis.go:88"},
            ),
            Rec(
                5,
                "2026-11-28T14:02:03.118000+00:00",
                "warning",
                "zap-console",
                'redis slow\t{"op": "GET", "key": "cart:5f2a", "elapsed": "1.203s"}',
            ),
        ),
    ),
    # -- JSON and logfmt -------------------------------------------------------------------------
    Fixture(
        "pino.log",
        "pino",
        lines=8,
        records=8,
        checks=(
            Rec(
                5,
                "2026-11-28T14:02:03.204000+00:00",
                "error",
                "pino",
                "redis connection failed",
                fields={
                    "pid": 18,
                    "hostname": "cart-api-7d9f6c5b8-x2kqp",
                    "error_text": "Error: connect ECONNREFUSED 10.0.3.20:6379\n    at "
                    "TCPConnectWrap.afterConnect [as oncomplete] (node:net:1607:16)",
                },
            ),
            Rec(4, "2026-11-28T14:02:03.118000+00:00", "warning", "pino", "redis reconnecting"),
            Rec(
                8,
                "2026-11-28T14:02:10.001000+00:00",
                "fatal",
                "pino",
                "uncaught exception, shutting down",
            ),
        ),
    ),
    Fixture(
        "bunyan.log",
        "bunyan",
        lines=6,
        records=6,
        checks=(
            Rec(
                4,
                "2026-11-28T14:02:05.004000+00:00",
                "error",
                "cart-api",
                "redis GET timed out",
                fields={"hostname": "cart-api-7d9f6c5b8-x2kqp", "pid": 18, "v": 0},
            ),
            Rec(2, "2026-11-28T14:00:40.022000+00:00", "debug", "cart-api", "loading cart 5f2a"),
            Rec(
                6,
                "2026-11-28T14:02:35+00:00",
                "fatal",
                "cart-api",
                "cannot reach redis after 30 s, exiting",
            ),
        ),
    ),
    Fixture(
        "zap.log",
        "zap",
        lines=7,
        records=7,
        checks=(
            Rec(
                4,
                "2026-11-28T14:02:05.004120+00:00",
                "error",
                "zap",
                "redis get failed",
                fields={
                    "caller": "store/redis.go:88",
                    "key": "cart:5f2a",
                    "error": "dial tcp 10.0.3.20:6379: connect: connection refused",
                },
            ),
            Rec(6, "2026-11-28T14:02:06.300100+00:00", "critical", "zap", "order without customer"),
            Rec(
                7,
                "2026-11-28T14:02:30.000001+00:00",
                "fatal",
                "zap",
                "redis unavailable for 30s, exiting",
            ),
        ),
    ),
    Fixture(
        "structlog.log",
        "structlog",
        lines=7,
        records=7,
        checks=(
            Rec(
                3,
                "2026-11-28T14:02:03.402210+00:00",
                "error",
                "structlog",
                "charge failed",
                fields={"order_id": 8812, "provider": "stripe", "status": 503},
            ),
            Rec(
                4,
                "2026-11-28T14:02:03.402513+00:00",
                "warning",
                "structlog",
                "retrying",
                fields={"attempt": 2, "delay_s": 2.0},
            ),
        ),
    ),
    Fixture(
        "ecs.log",
        "ecs",
        lines=5,
        records=5,
        checks=(
            Rec(
                3,
                "2026-11-28T14:02:08.331000+00:00",
                "error",
                "payments",
                "Payment declined for order 8812",
                fields={
                    "log.logger": "com.example.payments.PaymentService",
                    "trace.id": "4bf92f3577b34da6a3ce929d0e0e4736",
                    "error_text": "java.net.SocketTimeoutException: Read timed out\n\tat java."
                    "base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:278)\n\tat com."
                    "example.payments.StripeClient.charge(StripeClient.java:88)\n",
                },
            ),
            Rec(
                2,
                "2026-11-28T14:02:03.118000+00:00",
                "warning",
                "payments",
                "Stripe responded 503, retrying (attempt 1/3)",
            ),
            Rec(
                5,  # ecs-logging-python nests what Java writes flat
                "2026-11-28T14:02:11.562000+00:00",
                "error",
                "payments-webhooks",
                "refund webhook failed",
            ),
        ),
    ),
    Fixture(
        "gcp.log",
        "gcp",
        lines=6,
        records=6,
        checks=(
            Rec(
                4,
                "2026-11-28T14:02:05.004112+00:00",
                "error",
                "gcp",
                "Quota exceeded for quota metric 'Write requests' and limit 'Write requests per "
                "minute per user' of service 'firestore.googleapis.com' for consumer "
                "'project_number:104212'.",
            ),
            Rec(
                5,
                "2026-11-28T14:02:09.977001+00:00",
                "critical",
                "gcp",
                "giving up on order 8812 after 3 attempts",
            ),
            Rec(6, "2026-11-28T14:02:30.000412+00:00", "notice", "gcp", "Shutting down on SIGTERM"),
        ),
    ),
    Fixture(
        "logstash.log",
        "logstash",
        lines=5,
        records=5,
        checks=(
            Rec(
                3,
                "2026-11-28T14:02:03.131000+00:00",
                "error",
                "logstash",
                "Order lookup failed for order 8812",
                fields={
                    "logger_name": "com.example.orders.OrderService",
                    "thread_name": "http-nio-8080-exec-7",
                    "level_value": 40000,
                },
            ),
            Rec(
                2,
                "2026-11-28T14:02:03.118000+00:00",
                "warning",
                "logstash",
                "HikariPool-1 - Connection is not available, request timed out after 30001ms "
                "(total=10, active=10, idle=0, waiting=42)",
            ),
        ),
    ),
    Fixture(
        "log4j2-json.log",
        "log4j2-json",
        lines=5,
        records=5,
        checks=(
            Rec(
                4,
                "2026-11-28T14:02:09.331000+00:00",
                "error",
                "log4j2",
                "Order sync failed",
                fields={
                    "thread": "pool-2-thread-1",
                    "loggerName": "com.example.orders.OrderSync",
                    "error_text": "java.io.IOException: Server returned HTTP response code: 503 "
                    "for URL: http://erp.internal:8080/api/orders",
                },
            ),
            Rec(
                5,
                "2026-11-28T14:02:09.402000+00:00",
                "fatal",
                "log4j2",
                "Order sync disabled after repeated failures",
            ),
        ),
    ),
    Fixture(
        "json-lines.log",
        "json",
        lines=5,
        records=5,
        checks=(
            Rec(
                3,
                "2026-11-28T14:02:03.118000+00:00",
                "warning",
                "json-lines",
                "slow query",
                fields={"duration_ms": 5123},
            ),
            Rec(4, "2026-11-28T14:02:09.004000+00:00", "error", "json-lines", "export failed"),
        ),
    ),
    Fixture(
        "logfmt-logrus.log",
        "logfmt",
        lines=8,
        records=8,
        checks=(
            Rec(
                6,
                "2026-11-28T14:02:08+00:00",
                "error",
                "logfmt-logrus",
                "dial tcp 10.0.3.20:6379: i/o timeout",
                fields={"component": "cache", "op": "get", "key": "stock:A-1001"},
            ),
            Rec(
                5,
                "2026-11-28T14:02:03+00:00",
                "warning",
                "logfmt-logrus",
                "warehouse API slow",
                fields={"elapsed": "4.8s", "endpoint": "/stock"},
            ),
            Rec(
                8,
                "2026-11-28T14:02:30+00:00",
                "fatal",
                "logfmt-logrus",
                "cannot reach redis, exiting",
            ),
        ),
    ),
    # -- container envelopes: the envelope's time, the inner line's level and message -------
    Fixture(
        "kubectl-json.log",
        "kubectl+zap",
        lines=6,
        records=6,
        checks=(
            Rec(
                4,
                "2026-11-28T14:02:05.004120+00:00",  # zap's own `ts`, an instant: not kubectl's
                "error",
                "kubectl",
                "redis get failed",
                fields={"caller": "store/redis.go:88", "key": "cart:5f2a"},
            ),
        ),
    ),
    Fixture(
        "kubectl-text.log",
        "kubectl+spring-boot",
        lines=13,
        records=5,
        checks=(
            Rec(
                4,
                "2026-11-28T14:02:33.131500+00:00",
                "error",
                "checkout",
                "Checkout failed for order 8812",
                end_line=12,
                contains=(
                    "\n\norg.springframework.dao.DataAccessResourceFailureException: ",
                    "\nCaused by: java.sql.SQLTransientConnectionException: HikariPool-1",
                ),
                last="\t... 47 common frames omitted",
            ),
            Rec(
                13,
                "2026-11-28T14:02:34.002300+00:00",
                "info",
                "checkout",
                "Completed initialization in 2 ms",
            ),
        ),
    ),
    Fixture(
        "cri-containerd.log",
        "cri+python",
        lines=10,
        records=5,
        checks=(
            Rec(
                5,
                "2026-11-28T14:02:05.377210+00:00",
                "error",
                "cri-containerd",
                "Order 8812 could not be saved",
                end_line=9,
                contains=("\nTraceback (most recent call last):\n",),
                last="psycopg2.errors.QueryCanceled: canceling statement due to statement timeout",
                fields={"logger": "orders.db"},
            ),
            Rec(
                10,
                "2026-11-28T14:02:05.402001+00:00",
                "info",
                "cri-containerd",
                "POST /api/orders status=500 duration_ms=5012",
            ),
        ),
    ),
    Fixture(
        "docker-json.log",
        "docker-json+spring-boot",
        lines=12,
        records=6,
        checks=(
            Rec(
                5,
                "2026-11-28T14:02:03.121220+00:00",
                "error",
                "docker",
                "Servlet.service() for servlet [dispatcherServlet] in context with path [] threw "
                "exception [Request processing failed; nested exception is org.springframework."
                "dao.DataAccessResourceFailureException: could not execute query; nested "
                "exception is org.hibernate.exception.JDBCConnectionException: could not execute "
                "query] with root cause",
                end_line=11,
                contains=("\n\njava.net.SocketException: Connection reset\n",),
                last="\tat java.base/java.lang.Thread.run(Thread.java:840) ~[na:na]",
            ),
            Rec(
                3,
                "2026-11-28T14:02:03.118902+00:00",
                "warning",
                "docker",
                "SQL Error: 0, SQLState: 08006",
            ),
        ),
    ),
)

BY_FILE = {fixture.file: fixture for fixture in FIXTURE_TABLE}


@cache
def parsed(file: str) -> tuple[tuple[Record, ...], SourceStats]:
    fixture = BY_FILE[file]
    workspace = open_paths([str(FORMATS_DIR / file)], DATED if fixture.dated else None)
    records = tuple(workspace.records())
    return records, workspace.stats[0]


# The expectations are right; today's ingest.py is not (see HEADERLESS and PARTIAL).
COUNT_ISSUES: dict[str, str] = {}
TILING_ISSUES: dict[str, str] = {}


def params(known: dict[str, str] | None = None) -> list[Any]:
    """A test parameter per fixture; those in `known` must fail, for the reason given."""
    known = known or {}
    return [
        pytest.param(
            f,
            id=f.file,
            marks=[pytest.mark.xfail(strict=True, reason=known[f.file])] if f.file in known else [],
        )
        for f in FIXTURE_TABLE
    ]


def test_every_fixture_file_is_checked() -> None:
    on_disk = sorted(path.name for path in FORMATS_DIR.glob("*.log"))
    assert on_disk == sorted(BY_FILE)


@pytest.mark.parametrize("fixture", params())
def test_format_detected(fixture: Fixture) -> None:
    _, stats = parsed(fixture.file)
    assert stats.format == fixture.format
    assert stats.lines == fixture.lines


@pytest.mark.parametrize("fixture", params(COUNT_ISSUES))
def test_record_count_and_nothing_unparsed(fixture: Fixture) -> None:
    records, stats = parsed(fixture.file)
    assert (len(records), stats.records) == (fixture.records, fixture.records)
    assert stats.unparsed == 0
    assert {record.format for record in records} == {fixture.format}


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        pytest.param(fixture, rec, id=f"{fixture.file}:{rec.line}")
        for fixture in FIXTURE_TABLE
        for rec in fixture.checks
    ],
)
def test_record_fields(fixture: Fixture, expected: Rec) -> None:
    records, _ = parsed(fixture.file)
    by_line = {record.line: record for record in records}
    assert expected.line in by_line, f"no record starts at line {expected.line}"
    record = by_line[expected.line]
    when = record.timestamp.isoformat() if record.timestamp else None
    assert (when, record.level, record.service) == (
        expected.timestamp,
        expected.level,
        expected.service,
    )
    assert record.end_line == (expected.end_line or expected.line)
    first, _, rest = record.message.partition("\n")
    if expected.end_line is None:
        assert record.message == expected.message
    else:
        assert first == expected.message
        assert rest, "a multi-line record must carry its continuation lines"
    for text in expected.contains:
        assert text in record.message
    if expected.last is not None:
        assert record.message.rsplit("\n", 1)[-1] == expected.last
    fields = record.fields or {}
    assert {key: fields.get(key) for key in expected.fields} == expected.fields


@pytest.mark.parametrize("fixture", params(TILING_ISSUES))
def test_records_cover_every_line_once(fixture: Fixture) -> None:
    """`file:line` provenance: the records' line ranges tile the file, in order."""
    records, stats = parsed(fixture.file)
    expected_start = 1
    for record in records:
        assert record.line == expected_start, f"line {expected_start} is in no record"
        assert record.end_line >= record.line
        expected_start = record.end_line + 1
    assert expected_start == stats.lines + 1


@pytest.mark.parametrize("fixture", params())
def test_public_record_contract(fixture: Fixture) -> None:
    """The `parse --jsonl` shape: field names, UTC ISO 8601 times, canonical levels."""
    records, _ = parsed(fixture.file)
    for record in records:
        row = record.to_dict()
        assert list(row) == [
            "file",
            "line",
            "end_line",
            "timestamp",
            "level",
            "service",
            "format",
            "message",
            "fields",
        ]
        assert row["timestamp"] is None or row["timestamp"].endswith("+00:00")
        assert row["level"] is None or row["level"] in LEVELS
        assert row["service"]
        json.dumps(row)


def test_cri_partial_entries_join_into_one_line() -> None:
    """containerd splits lines over 16 KiB into `P` entries ended by an `F` entry."""
    records, _ = parsed("cri-containerd.log")
    (record,) = [r for r in records if r.message.startswith("Oversized cart payload")]
    assert record.level == "warning"
    assert "\n" not in record.message
    payload = json.loads(record.message.split("order 8812: ", 1)[1])
    assert len(payload["items"]) == 400
    assert payload["items"][-1]["sku"] == "SKU-00399"


def test_cri_partial_record_starts_at_its_first_entry() -> None:
    records, _ = parsed("cri-containerd.log")
    (record,) = [r for r in records if r.message.startswith("Oversized cart payload")]
    assert (record.line, record.end_line) == (3, 4)
    assert record.timestamp is not None
    assert record.timestamp.isoformat() == "2026-11-28T14:02:03.118442+00:00"


@pytest.mark.parametrize(
    ("file", "line", "end_line", "last"),
    [
        ("celery.log", 30, 32, "Trying again in 2.00 seconds... (1/100)"),
        (
            "mariadb.log",
            11,
            12,
            "Version: '11.4.4-MariaDB-ubu2404'  socket: '/run/mysqld/mysqld.sock'  port: 3306  "
            "mariadb.org binary distribution",
        ),
    ],
)
def test_headerless_line_continues_the_record_before_it(
    file: str, line: int, end_line: int, last: str
) -> None:
    records, _ = parsed(file)
    record = next(r for r in records if r.line == line)
    assert record.end_line == end_line
    assert record.message.rstrip("\n").rsplit("\n", 1)[-1] == last
