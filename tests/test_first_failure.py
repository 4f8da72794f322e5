"""`analysis.first_failure`: the anchor of the incident and its first failure, through
`investigate` on small logs written to a temporary directory.

A shop: checkout (Spring Boot) behind nginx, on PostgreSQL. The calm is noisy on purpose: a
chronic 404 warning stream in checkout, routine 404s at the edge, and PostgreSQL's chronic
duplicate-key errors (eight a minute) that keep the error rate busy.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from log_analyzer.analysis.investigate import investigate
from log_analyzer.analysis.report import Investigation

T0 = datetime(2026, 11, 28, 14, 0, tzinfo=UTC)
AGENT = '"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0"'
Lines = list[tuple[datetime, str]]


def spring(when: datetime, level: str, logger: str, message: str) -> str:
    stamp = when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"
    return f"{stamp} {level:>5} 1 --- [checkout] [nio-8080-exec-4] {logger:<40} : {message}"


def nginx(when: datetime, request: str, status: int, size: int = 612) -> str:
    stamp = when.strftime("%d/%b/%Y:%H:%M:%S +0000")
    return f'203.0.113.7 - - [{stamp}] "{request} HTTP/1.1" {status} {size} "-" {AGENT} "-"'


def postgres(when: datetime, pid: int, level: str, message: str) -> str:
    stamp = when.strftime("%Y-%m-%d %H:%M:%S.") + f"{when.microsecond // 1000:03d} UTC"
    return f"{stamp} [{pid}] shop@shop {level}:  {message}"


@dataclass
class Shop:
    checkout: Lines = field(default_factory=list)
    edge: Lines = field(default_factory=list)
    db: Lines = field(default_factory=list)

    def write(self, root: Path) -> None:
        for path, lines in (
            (root / "checkout.log", self.checkout),
            (root / "nginx" / "access.log", self.edge),
            (root / "postgres" / "postgresql-16-main.log", self.db),
        ):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("".join(t + "\n" for _, t in sorted(lines, key=lambda x: x[0])))

    def investigate(self, root: Path) -> Investigation:
        self.write(root)
        return investigate([str(root)])

    def payment_timeouts(self, start: datetime, count: int, every: float) -> None:
        for i in range(count):
            when = start + timedelta(seconds=i * every)
            self.checkout.append(
                (
                    when,
                    spring(
                        when,
                        "ERROR",
                        "c.e.checkout.payment.PaymentClient",
                        f"Payment authorization failed for order {9000 + i}: Read timed out",
                    ),
                )
            )


def calm_shop(minutes: int = 40) -> Shop:
    rng = random.Random(1)
    shop = Shop()
    for second in range(0, minutes * 60, 2):
        when = T0 + timedelta(seconds=second, milliseconds=rng.randint(0, 999))
        shop.checkout.append(
            (
                when,
                spring(
                    when,
                    "INFO",
                    "c.e.checkout.web.CartController",
                    f"GET /api/cart/{second} completed 200 in {rng.randint(5, 40)} ms",
                ),
            )
        )
        whole = T0 + timedelta(seconds=second)
        shop.edge.append((whole, nginx(whole, f"GET /api/products/{rng.randint(1, 9999)}", 200)))
    for minute in range(minutes):
        for k in range(8):
            when = T0 + timedelta(
                minutes=minute, seconds=7 * k + 1, milliseconds=rng.randint(0, 999)
            )
            shop.db.append(
                (
                    when,
                    postgres(
                        when,
                        4000 + k,
                        "ERROR",
                        'duplicate key value violates unique constraint "carts_pkey"',
                    ),
                )
            )
        for k in range(30):
            when = T0 + timedelta(minutes=minute, seconds=2 * k, milliseconds=rng.randint(0, 999))
            shop.checkout.append(
                (
                    when,
                    spring(
                        when,
                        "WARN",
                        "o.s.web.servlet.PageNotFound",
                        f"No mapping for GET /img/{k}.png",
                    ),
                )
            )
        when = T0 + timedelta(minutes=minute, seconds=rng.randint(0, 59))
        shop.edge.append((when, nginx(when, "GET /robots.txt", 404, 153)))
    return shop


FAILURE = T0 + timedelta(minutes=22, seconds=4, milliseconds=118)


def test_no_incident_gives_no_first_failure_and_trend_no_incident(tmp_path: Path) -> None:
    report = calm_shop().investigate(tmp_path)
    assert report.error_groups and all(g.chronic for g in report.error_groups)
    assert report.first_failure is None
    assert report.trend == "no-incident"
    assert report.onset is None
    assert report.early_signals == []
    assert report.root_cause is None
    assert report.cascade == []


def test_an_incident_without_a_rate_spike_still_has_a_first_failure(tmp_path: Path) -> None:
    """36 new errors, one every 30 s, among 30 chronic warnings and 8 chronic errors a minute:
    the error rate never clears its bar, the incident is anchored on the new group."""
    shop = calm_shop()
    shop.payment_timeouts(FAILURE, 36, 30)
    report = shop.investigate(tmp_path / "weak")
    assert not any(e.kind == "spike" for e in report.timeline)
    first = report.first_failure
    assert first is not None
    assert (first.service, first.timestamp) == ("checkout", FAILURE)
    assert first.file.endswith("checkout.log")
    assert first.text == "Payment authorization failed for order 9000: Read timed out"
    assert report.trend != "no-incident"
    assert report.root_cause is not None
    assert report.root_cause.service == "checkout"
    weak = report.root_cause.confidence
    assert weak <= 0.95 * 0.7

    # the same failure with a spike (one a second) is told with more confidence
    loud = calm_shop()
    loud.payment_timeouts(FAILURE, 400, 1)
    spiked = loud.investigate(tmp_path / "loud")
    assert any(e.kind == "spike" for e in spiked.timeline)
    assert spiked.first_failure is not None and spiked.first_failure.timestamp == FAILURE
    assert spiked.root_cause is not None and spiked.root_cause.service == "checkout"
    assert spiked.root_cause.confidence > weak


def lone_warning(shop: Shop, when: datetime) -> None:
    shop.checkout.append(
        (
            when,
            spring(
                when,
                "WARN",
                "com.zaxxer.hikari.pool.HikariPool",
                "HikariPool-1 - Thread starvation or clock leap detected (housekeeper delta=1m2s).",
            ),
        )
    )


def precursors(shop: Shop) -> None:
    """What comes before the failure and is no failure: a flood of deprecation notices after
    a deploy, a scanner's 404s at the edge, one lone warning more than a bucket before."""
    deploy = T0 + timedelta(minutes=20, seconds=30)
    for i in range(3000):
        when = deploy + timedelta(milliseconds=200 * i)
        shop.checkout.append(
            (
                when,
                spring(
                    when,
                    "WARN",
                    "org.hibernate.orm.deprecation",
                    "HHH90000021: Encountered deprecated setting "
                    "[javax.persistence.sharedCache.mode], use "
                    "[jakarta.persistence.sharedCache.mode] instead",
                ),
            )
        )
    scan = T0 + timedelta(minutes=21)
    for i in range(200):
        when = scan + timedelta(seconds=i // 10)
        shop.edge.append((when, nginx(when, "GET /wp-login.php", 404, 153)))
    lone_warning(shop, FAILURE - timedelta(seconds=75))


def test_notices_4xx_and_a_lone_warning_are_never_the_first_failure(tmp_path: Path) -> None:
    shop = calm_shop()
    precursors(shop)
    shop.payment_timeouts(FAILURE, 400, 1)
    report = shop.investigate(tmp_path)
    first = report.first_failure
    assert first is not None
    assert (first.service, first.timestamp) == ("checkout", FAILURE)
    assert "Payment authorization failed" in first.text
    # the lone warning before it is an early signal
    early = {e.text for e in report.early_signals}
    assert any("Thread starvation" in text for text in early)


def test_a_lone_warning_followed_by_its_services_failure_is_its_first_word(
    tmp_path: Path,
) -> None:
    """A lone new warning is a stray line, unless other new groups of its service follow it
    within a bucket: then the failure begins with it."""
    shop = calm_shop()
    warned = FAILURE - timedelta(seconds=24)
    lone_warning(shop, warned)
    shop.payment_timeouts(FAILURE, 400, 1)
    report = shop.investigate(tmp_path)
    first = report.first_failure
    assert first is not None
    assert (first.service, first.timestamp) == ("checkout", warned)
    assert "Thread starvation" in first.text


def test_notices_and_4xx_are_not_early_signals(tmp_path: Path) -> None:
    shop = calm_shop()
    precursors(shop)
    shop.payment_timeouts(FAILURE, 400, 1)
    report = shop.investigate(tmp_path)
    early = [e.text for e in report.early_signals]
    assert not any("deprecated setting" in text for text in early)
    assert not any("wp-login.php" in text for text in early)


def test_a_new_error_long_before_the_change_point_is_not_the_first_failure(
    tmp_path: Path,
) -> None:
    shop = calm_shop()
    stray = T0 + timedelta(minutes=10, seconds=12)
    shop.checkout.append(
        (
            stray,
            spring(
                stray,
                "ERROR",
                "c.e.checkout.fx.RateRefresher",
                "Failed to refresh exchange rates: 503 Service Unavailable from ecb.europa.eu",
            ),
        )
    )
    shop.payment_timeouts(FAILURE, 400, 1)
    report = shop.investigate(tmp_path)
    assert report.first_failure is not None
    assert report.first_failure.timestamp == FAILURE
    stray_group = next(g for g in report.error_groups if "exchange rates" in g.template)
    assert stray_group.novel  # new, but outside the incident's look-back


def test_a_chronic_error_that_surges_is_the_first_failure_at_its_burst(tmp_path: Path) -> None:
    shop = calm_shop()
    message = "HikariPool-1 - Connection is not available, request timed out after 30000ms."
    logger = "o.h.engine.jdbc.spi.SqlExceptionHelper"
    for minute in range(0, 21, 3):  # a pool timeout now and then, all along
        when = T0 + timedelta(minutes=minute, seconds=33)
        shop.checkout.append((when, spring(when, "ERROR", logger, message)))
    burst = T0 + timedelta(minutes=22, seconds=30, milliseconds=250)
    for i in range(300):
        when = burst + timedelta(seconds=i)
        shop.checkout.append((when, spring(when, "ERROR", logger, message)))
    report = shop.investigate(tmp_path)
    first = report.first_failure
    assert first is not None
    assert (first.service, first.timestamp) == ("checkout", burst)
    pool = next(g for g in report.error_groups if g.template.startswith("HikariPool"))
    assert pool.surging and not pool.novel and not pool.chronic
    assert pool.onset == burst
    assert pool.first_seen == T0 + timedelta(seconds=33)
