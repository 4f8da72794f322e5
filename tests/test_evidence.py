"""`analysis.evidence`: what a group weighs as evidence of a failure.

A new ERROR traceback outweighs new warnings whatever their number; deprecation and
configuration notices weigh next to nothing whatever their volume; a 4xx answer is the client's
problem unless its own rate surges. Groups come from real lines (nginx access logs; Python
logging from urllib3, SQLAlchemy, Celery, psycopg2; Spring Boot) through `ErrorGrouper`,
classified as `investigate` does.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from log_analyzer.analysis.evidence import (
    has_traceback,
    is_benign,
    is_client_error,
    is_server_error,
    level_weight,
    weight,
)
from log_analyzer.analysis.first_failure import qualifies
from log_analyzer.analysis.onsets import GroupOnset, classify
from log_analyzer.ingest import parse_lines
from log_analyzer.mining.group_models import ErrorGroup
from log_analyzer.mining.groups import ErrorGrouper
from log_analyzer.records import Record

T0 = datetime(2026, 11, 28, 14, 0, tzinfo=UTC)
WIDTH = 60
AGENT = '"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0"'


def nginx(when: datetime, request: str, status: int, size: int = 612) -> str:
    stamp = when.strftime("%d/%b/%Y:%H:%M:%S +0000")
    return f'203.0.113.7 - - [{stamp}] "{request} HTTP/1.1" {status} {size} "-" {AGENT} "-"'


def python(when: datetime, logger: str, level: str, message: str) -> str:
    stamp = when.strftime("%Y-%m-%d %H:%M:%S,") + f"{when.microsecond // 1000:03d}"
    return f"{stamp} - {logger} - {level} - {message}"


def spring(when: datetime, level: str, logger: str, message: str) -> str:
    stamp = when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"
    return f"{stamp} {level:>5} 1 --- [orders] [           main] {logger:<40} : {message}"


def records(service: str, lines: list[tuple[datetime, str]]) -> list[Record]:
    """The records of a log made of `lines` (an entry may span several physical lines)."""
    ordered = [
        row for _, text in sorted(lines, key=lambda item: item[0]) for row in text.split("\n")
    ]
    return list(parse_lines(ordered, f"/var/log/{service}.log", service))


def groups_of(found: list[Record]) -> list[ErrorGroup]:
    return ErrorGrouper().add_all(found).groups()


def classified(found: list[Record]) -> list[GroupOnset]:
    """Classified as `investigate` does, for one service whose log starts the window."""
    grouper = ErrorGrouper().add_all(found)
    stamps = [r.timestamp.timestamp() for r in found if r.timestamp is not None]
    start = int(min(stamps) // WIDTH) * WIDTH
    return [
        classify(group, occurrences, 0.0, start, start, max(stamps), WIDTH)
        for group, occurrences in grouper.groups_with_occurrences()
    ]


def one(groups: list[GroupOnset], needle: str) -> GroupOnset:
    (found,) = [g for g in groups if needle in g.group.template]
    return found


def edge_traffic(minutes: int = 30) -> list[tuple[datetime, str]]:
    rng = random.Random(4)
    lines = []
    for second in range(0, minutes * 60, 2):
        when = T0 + timedelta(seconds=second)
        lines.append((when, nginx(when, f"GET /api/products/{rng.randint(1, 9999)}", 200)))
    return lines


# --- 4xx: the client's problem unless its rate surges -------------------------------------------


def test_request_groups_are_told_client_or_server_errors_by_their_status() -> None:
    when = T0 + timedelta(minutes=1)
    found = groups_of(
        records(
            "nginx",
            [
                (when, nginx(when, "GET /wp-login.php", 404, 153)),
                (when, nginx(when, "POST /api/checkout", 502, 157)),
                (when, nginx(when, "GET /api/cart/8812", 429, 0)),
            ],
        )
    )
    by_template = {g.template: g for g in found}
    assert set(by_template) == {
        "GET /wp-login.php 404",
        "POST /api/checkout 502",
        "GET /api/cart/{id} 429",
    }
    assert is_client_error(by_template["GET /wp-login.php 404"])
    assert is_client_error(by_template["GET /api/cart/{id} 429"])
    assert not is_server_error(by_template["GET /api/cart/{id} 429"])
    assert is_server_error(by_template["POST /api/checkout 502"])
    assert not is_client_error(by_template["POST /api/checkout 502"])


def test_a_message_ending_in_a_number_is_no_client_error() -> None:
    when = T0 + timedelta(minutes=1)
    (group,) = groups_of(
        records(
            "billing",
            [(when, python(when, "billing.sync", "ERROR", "Invoice sync failed for account 404"))],
        )
    )
    assert not is_client_error(group)


def test_a_new_burst_of_404s_from_a_scanner_is_not_a_failure() -> None:
    lines = edge_traffic()
    probe = T0 + timedelta(minutes=20)
    for i in range(300):  # a scanner: hundreds of 404s, new
        when = probe + timedelta(seconds=i // 5)
        lines.append((when, nginx(when, "GET /wp-login.php", 404, 153)))
    scanner = one(classified(records("nginx", lines)), "/wp-login.php 404")
    assert scanner.novel and not scanner.surging
    assert scanner.weight == pytest.approx(0.1 * weight(scanner.group, surging=True, late=False))
    assert not qualifies(scanner)


def test_404s_that_surge_out_of_their_own_baseline_are_evidence() -> None:
    """A handful of 404s for expired carts all along, then every cart lookup 404s (a deploy
    broke the route): the group's own rate surges, and it counts."""
    lines = edge_traffic()
    for minute in range(0, 20, 4):
        when = T0 + timedelta(minutes=minute, seconds=17)
        lines.append((when, nginx(when, f"GET /api/cart/{9000 + minute}", 404, 153)))
    broken = T0 + timedelta(minutes=20, seconds=5)
    for i in range(400):
        when = broken + timedelta(seconds=i * 2)
        lines.append((when, nginx(when, f"GET /api/cart/{1000 + i}", 404, 153)))
    carts = one(classified(records("nginx", lines)), "GET /api/cart/{id} 404")
    assert carts.surging and not carts.novel
    assert carts.weight == pytest.approx(weight(carts.group, surging=True, late=False))
    assert qualifies(carts)


def test_a_new_5xx_group_weighs_as_an_error() -> None:
    lines = edge_traffic()
    failure = T0 + timedelta(minutes=20, seconds=3)
    for i in range(60):
        when = failure + timedelta(seconds=i)
        lines.append((when, nginx(when, "POST /api/checkout", 502, 157)))
    checkout = one(classified(records("nginx", lines)), "POST /api/checkout 502")
    assert checkout.novel
    assert checkout.group.level == "error"
    assert checkout.weight >= level_weight("error")
    assert qualifies(checkout)


# --- notices: next to nothing whatever their volume -----------------------------------------------

NOTICES = [
    (
        "py.warnings",
        "/app/billing/models.py:41: DeprecationWarning: datetime.datetime.utcnow() is "
        "deprecated and scheduled for removal in a future version. Use timezone-aware objects "
        "to represent datetimes in UTC: datetime.datetime.now(datetime.UTC).",
    ),
    (
        "py.warnings",
        "/usr/lib/python3/dist-packages/urllib3/connectionpool.py:1103: InsecureRequestWarning: "
        "Unverified HTTPS request is being made to host 'vault.internal'. Adding certificate "
        "verification is strongly advised.",
    ),
    (
        "py.warnings",
        "/app/billing/repo.py:57: LegacyAPIWarning: The Query.get() method is considered legacy "
        "as of the 1.x series of SQLAlchemy and becomes a legacy construct in 2.0. "
        "(deprecated since: 2.0)",
    ),
    (
        "celery.worker.consumer.consumer",
        "CPendingDeprecationWarning: The broker_connection_retry configuration setting will no "
        "longer determine whether broker connection retries are made during startup in Celery "
        "6.0 and above.",
    ),
    ("billing.cache", "CACHE_URL not set, using default in-memory cache"),
    (
        "billing.tls",
        "ssl_ciphers setting 'HIGH:!aNULL' is not recommended, falling back to TLS 1.2",
    ),
]


@pytest.mark.parametrize(("logger", "message"), NOTICES)
def test_a_flood_of_new_notices_weighs_less_than_one_new_error(logger: str, message: str) -> None:
    lines = []
    for second in range(0, 30 * 60, 3):
        when = T0 + timedelta(seconds=second)
        lines.append((when, python(when, "billing.api", "INFO", f"invoice {second} rendered")))
    deploy = T0 + timedelta(minutes=20)
    for i in range(5000):  # after a deploy, every request logs it
        when = deploy + timedelta(milliseconds=100 * i)
        lines.append((when, python(when, logger, "WARNING", message)))
    failure = T0 + timedelta(minutes=24)
    lines.append((failure, python(failure, "billing.ledger", "ERROR", "Ledger write rejected")))
    groups = classified(records("billing", lines))
    (notice,) = [g for g in groups if g.group.count == 5000]
    error = one(groups, "Ledger write rejected")
    assert notice.novel and notice.group.count == 5000
    assert is_benign(notice.group)
    assert notice.weight < 0.25
    assert notice.weight < error.weight
    assert not qualifies(notice)
    assert qualifies(error)


@pytest.mark.parametrize(
    ("logger", "message"),
    [
        (
            "o.a.k.clients.consumer.ConsumerConfig",
            "The configuration 'schema.registry.url' was supplied but isn't a known config.",
        ),
        (
            "JpaBaseConfiguration$JpaWebConfiguration",  # Spring Boot's own wording
            "spring.jpa.open-in-view is enabled by default. Therefore, database queries may be "
            "performed during view rendering. Explicitly configure spring.jpa.open-in-view to "
            "disable this warning",
        ),
    ],
)
def test_common_configuration_notices_are_benign(logger: str, message: str) -> None:
    when = T0 + timedelta(minutes=1)
    (group,) = groups_of(records("orders", [(when, spring(when, "WARN", logger, message))]))
    assert group.level == "warning"
    assert is_benign(group)


# --- level and traceback first, volume only a little ---------------------------------------------

TRACEBACK = [
    "Payment capture failed for invoice 88121",
    "Traceback (most recent call last):",
    '  File "/app/billing/worker.py", line 88, in capture',
    "    cursor.execute(CAPTURE_SQL, (invoice_id,))",
    "psycopg2.OperationalError: server closed the connection unexpectedly",
    "\tThis probably means the server terminated abnormally",
    "\tbefore or while processing the request.",
]


def test_a_new_error_traceback_outweighs_many_new_warnings() -> None:
    lines = []
    for second in range(0, 30 * 60, 3):
        when = T0 + timedelta(seconds=second)
        lines.append((when, python(when, "billing.api", "INFO", f"invoice {second} rendered")))
    start = T0 + timedelta(minutes=20)
    for i in range(3):
        when = start + timedelta(seconds=40 * i)
        first, *rest = TRACEBACK
        text = python(when, "billing.worker", "ERROR", first)
        lines.append((when, "\n".join([text, *rest])))
    for i in range(2000):
        when = start + timedelta(milliseconds=150 * i)
        lines.append(
            (
                when,
                python(
                    when,
                    "billing.stripe",
                    "WARNING",
                    f"Retrying Stripe call after 502 Bad Gateway (attempt {i % 5 + 1}/5)",
                ),
            )
        )
    groups = classified(records("billing", lines))  # the traceback's lines join its record
    capture = one(groups, "Payment capture failed")
    retries = one(groups, "Retrying Stripe call")
    assert capture.novel and retries.novel
    assert capture.group.exception == "OperationalError"
    assert has_traceback(capture.group) and not has_traceback(retries.group)
    assert (capture.group.count, retries.group.count) == (3, 2000)
    assert capture.weight > retries.weight


def test_a_go_panic_counts_as_a_traceback() -> None:
    when = T0 + timedelta(minutes=3)
    (group,) = groups_of(
        records(
            "orders-api",
            [
                (
                    when,
                    python(
                        when,
                        "main",
                        "ERROR",
                        "panic: runtime error: invalid memory address or nil pointer dereference",
                    ),
                )
            ],
        )
    )
    assert has_traceback(group)
    assert weight(group, False, False) == pytest.approx(level_weight("error") + 0.5)


def test_levels_rank_fatal_over_error_over_warning() -> None:
    assert level_weight("fatal") == level_weight("critical") > level_weight("error")
    assert level_weight("error") > level_weight("warning") > level_weight("info")
    assert level_weight("info") > level_weight("debug")


def test_volume_adds_little_and_lateness_halves() -> None:
    lines = [
        (
            T0 + timedelta(seconds=i),
            python(T0 + timedelta(seconds=i), "billing.api", "ERROR", "Ledger write rejected"),
        )
        for i in range(1000)
    ]
    (group,) = groups_of(records("billing", lines))
    single = group.model_copy(update={"count": 1})
    assert weight(group, False, False) == pytest.approx(1.75 * weight(single, False, False))
    assert weight(group, False, True) == pytest.approx(0.5 * weight(group, False, False))
