"""The fast paths of `errors` give what one plain pass gives: the block pre-filter that counts
runs of records below the kept level without building them, and the warm index run that
answers without detecting any format."""

from __future__ import annotations

from itertools import chain, pairwise
from pathlib import Path
from typing import Any

import pytest

from log_analyzer.analysis.errors import find_error_groups
from log_analyzer.formats.base import RegexFormat
from log_analyzer.formats.detect import detect
from log_analyzer.formats.registry import get_format
from log_analyzer.index import IndexStore
from log_analyzer.ingest import (
    Blocks,
    ParseOptions,
    SourceParser,
    SourceStats,
    _records,
    _skipping_runs,
    open_paths,
)
from log_analyzer.levels import RANK, at_least
from log_analyzer.mining.groups import ErrorGrouper
from log_analyzer.records import Record
from log_analyzer.sources.discover import Source
from log_analyzer.timestamps import Clock

SPRING = [
    "2026-11-28T14:02:00.101Z  INFO 4242 --- [checkout] [           main] "
    "c.e.checkout.CheckoutApplication         : Started CheckoutApplication in 4.211 seconds",
    "2026-11-28T14:02:00.340Z DEBUG 4242 --- [checkout] [nio-8080-exec-1] "
    'o.s.web.servlet.DispatcherServlet        : GET "/api/cart/7781", parameters={}',
    "2026-11-28T14:02:00.355Z  INFO 4242 --- [checkout] [nio-8080-exec-1] "
    "c.e.checkout.cart.CartService            : Cart 7781 loaded from cache in 3 ms",
    # an INFO record with a stack trace of its own: its lines are absorbed, never built
    "2026-11-28T14:02:01.002Z  INFO 4242 --- [checkout] [lettuce-event-1] "
    "i.l.core.protocol.ConnectionWatchdog     : Reconnecting, last destination was "
    "redis-master/10.0.3.17:6379",
    "io.lettuce.core.RedisConnectionException: Unable to connect to redis-master/10.0.3.17:6379",
    "\tat io.lettuce.core.RedisConnectionException.create(RedisConnectionException.java:78)",
    "\tat io.lettuce.core.AbstractRedisClient.getConnection(AbstractRedisClient.java:350)",
    "Caused by: java.net.ConnectException: Connection refused",
    "\t... 12 common frames omitted",
    "2026-11-28T14:02:01.250Z  WARN 4242 --- [checkout] [nio-8080-exec-4] "
    "c.e.checkout.cart.CartService            : Cache miss fallback for cart b9fa9a: Redis "
    "unavailable (Connection reset by peer), loading from database",
    "2026-11-28T14:02:01.251Z  INFO 4242 --- [checkout] [nio-8080-exec-4] "
    "c.e.checkout.cart.CartService            : Cart b9fa9a loaded from database in 41 ms",
    # a line no format reads, after an INFO record: a header-less continuation of it
    "    retry policy: exponential, 3 attempts",
    "2026-11-28T14:02:02.090Z ERROR 4242 --- [checkout] [nio-8080-exec-7] "
    "o.a.c.c.C.[.[.[/].[dispatcherServlet]    : Servlet.service() for servlet "
    "[dispatcherServlet] threw exception",
    "org.springframework.dao.DataAccessResourceFailureException: Unable to acquire JDBC Connection",
    "\tat org.springframework.orm.jpa.vendor.HibernateJpaDialect.convertHibernateAccessException"
    "(HibernateJpaDialect.java:277)",
    "Caused by: java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not "
    "available, request timed out after 30000ms.",
    "\tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696)",
    "\t... 87 common frames omitted",
    "2026-11-28T14:02:02.300Z DEBUG 4242 --- [checkout] [nio-8080-exec-2] "
    "o.s.web.servlet.DispatcherServlet        : Completed 200 OK",
    # colours from `spring.output.ansi.enabled=always` around the level
    "2026-11-28T14:02:02.410Z \x1b[31mERROR\x1b[0;39m 4242 --- [checkout] [nio-8080-exec-9] "
    "c.e.checkout.payment.PaymentClient       : payment gateway timed out after 5000 ms",
    "2026-11-28T14:02:02.500Z  INFO 4242 --- [checkout] [nio-8080-exec-9] "
    "c.e.checkout.web.CheckoutController      : POST /api/checkout completed status=503 in "
    "5012 ms",
    "# rotated by logrotate at 2026-11-28 14:02:03",
    "2026-11-28T14:02:03.118Z  INFO 4242 --- [checkout] [nio-8080-exec-3] "
    "c.e.checkout.cart.CartService            : Cart 2b4f27 loaded from cache in 2 ms",
    "2026-11-28T14:02:03.240Z  INFO 4242 --- [checkout] [nio-8080-exec-5] "
    "c.e.checkout.web.CheckoutController      : GET /api/cart/2b4f27 completed status=200 in "
    "9 ms",
]

POSTGRES = [
    "2026-11-28 14:02:00.118 UTC [4242] LOG:  checkpoint starting: time",
    "2026-11-28 14:02:00.530 UTC [4242] LOG:  checkpoint complete: wrote 1803 buffers (11.0%); "
    "0 WAL file(s) added, 0 removed, 1 recycled; write=0.401 s, sync=0.004 s, total=0.412 s",
    "2026-11-28 14:02:01.007 UTC [5170] app@shop LOG:  duration: 1203.552 ms  statement: "
    "SELECT * FROM orders WHERE customer_id = 81",
    "2026-11-28 14:02:01.910 UTC [5171] app@shop FATAL:  sorry, too many clients already",
    "2026-11-28 14:02:02.003 UTC [5172] app@shop ERROR:  canceling statement due to statement "
    "timeout",
    "2026-11-28 14:02:02.003 UTC [5172] app@shop STATEMENT:  UPDATE carts SET updated_at = now() "
    "WHERE id = 7781",
    "2026-11-28 14:02:02.410 UTC [5173] app@shop LOG:  could not receive data from client: "
    "Connection reset by peer",
    "2026-11-28 14:02:02.500 UTC [5174] app@shop LOG:  duration: 2201.004 ms  statement: "
    "SELECT count(*) FROM line_items",
    "2026-11-28 14:02:02.500 UTC [5174] app@shop DETAIL:  parameters: $1 = '81'",
    '2026-11-28 14:02:03.118 UTC [4242] LOG:  automatic vacuum of table "shop.public.carts": '
    "index scans: 1",
]

PYTHON = [
    "2026-11-28 14:02:00,118 - payments.worker - INFO - consumer started on queue payments",
    "2026-11-28 14:02:00,402 - payments.worker - DEBUG - polling queue payments (0 waiting)",
    "2026-11-28 14:02:01,003 - payments.worker - INFO - retrying charge ch_81 after error",
    "Traceback (most recent call last):",
    '  File "/app/payments/client.py", line 88, in charge',
    "    response = self.session.post(url, json=body, timeout=5)",
    "requests.exceptions.ReadTimeout: HTTPSConnectionPool(host='api.stripe.com', port=443): "
    "Read timed out. (read timeout=5)",
    "2026-11-28 14:02:01,990 - payments.worker - ERROR - charge ch_81 failed",
    "Traceback (most recent call last):",
    '  File "/app/payments/worker.py", line 41, in handle',
    "    charge(order)",
    "psycopg2.OperationalError: FATAL:  sorry, too many clients already",
    "2026-11-28 14:02:02,200 - payments.worker - INFO - charge ch_82 succeeded in 310 ms",
]


Parsed = tuple[list[tuple[Any, ...]], tuple[Any, ...]]


def _parse(lines: list[str], keep: str | None, blocks: list[int] | None) -> Parsed:
    """Every record and the statistics: in blocks cut at `blocks` (the pre-filter) or line by
    line (the plain loop)."""
    detection = detect(lines)
    stats = SourceStats(Source("x.log", None))
    source: list[str] | Blocks = lines
    if blocks is not None:
        cuts = [0, *blocks, len(lines)]
        source = Blocks([lines[a:b] for a, b in pairwise(cuts)])
    records = [
        (r.line, r.end_line, r.level, r.message, r.service, r.timestamp, r.format, r.fields)
        for r in _records(source, detection, Clock(), "x.log", "shop", False, stats, keep)
    ]
    return records, (
        stats.lines,
        stats.records,
        stats.unparsed,
        stats.timestamped,
        stats.first,
        stats.last,
        dict(stats.formats),
        list(stats.tally.items()),
    )


@pytest.mark.parametrize("lines", [SPRING, POSTGRES, PYTHON], ids=["spring", "postgres", "py"])
@pytest.mark.parametrize("keep", ["warning", "error", "info", "critical"])
def test_the_block_prefilter_gives_the_plain_loops_records_and_counts(lines, keep):
    plain = _parse(lines, keep, None)
    assert plain[1][0] == len(lines)
    for cuts in ([], [1], [4, 5], [7, 8, 9], list(range(1, len(lines)))):
        assert _parse(lines, keep, cuts) == plain, cuts
    # the records built at `keep` and above are those a full parse finds there
    everything, _ = _parse(lines, None, None)
    assert [r for r in plain[0] if at_least(r[2], keep)] == [
        r for r in everything if at_least(r[2], keep)
    ]


def test_the_prefilter_keeps_runs_of_info_records_from_the_per_line_loop():
    plain = [line for line in SPRING if "\x1b" not in line]
    lines = plain * 40 + SPRING
    detection = detect(lines)
    primary = detection.primary
    assert isinstance(primary, RegexFormat) and primary.name == "spring-boot"
    probe = primary.level_probe()
    assert probe is not None
    stats = SourceStats(Source("x.log", None))
    ended = [0]
    blocks = [lines[:500], lines[500:]]
    seen = list(_skipping_runs(blocks, primary, probe, RANK["warning"], "shop", stats, ended))
    assert ended == [len(lines)]
    assert [n for n, *_ in seen] == sorted({n for n, *_ in seen})
    assert len(seen) < len(lines) * 0.7  # the INFO and DEBUG runs were counted, not passed on
    passed = {text for _, text, _, _ in seen}
    assert any("Servlet.service()" in text for text in passed)
    assert any("\x1b[31mERROR" in text for text in passed)  # coloured: seen by the loop


def test_a_log_ending_inside_a_skipped_run_still_counts_every_line(tmp_path: Path):
    path = tmp_path / "checkout.log"
    body = SPRING + SPRING[:3] + SPRING[3:8]  # ends with an INFO record's stack trace
    path.write_text("\n".join(body) + "\n", encoding="utf-8")
    kept = open_paths([str(path)], ParseOptions(keep_level="warning"))
    built = list(kept.records())
    whole = open_paths([str(path)])
    every = list(whole.records())
    assert kept.stats[0].lines == whole.stats[0].lines == len(body)
    assert kept.stats[0].records == whole.stats[0].records
    assert kept.stats[0].levels == whole.stats[0].levels
    assert [r.line for r in built if at_least(r.level, "warning")] == [
        r.line for r in every if at_least(r.level, "warning")
    ]


def test_a_format_that_reads_levels_its_own_way_has_no_block_probe():
    oslo = get_format("openstack")
    assert isinstance(oslo, RegexFormat)
    assert oslo.level_probe() is None  # it overrides quick_level


def _grouped_plainly(path: Path) -> list[tuple[str, int, int]]:
    """One plain pass: every record built, those at warning and above grouped."""
    grouper = ErrorGrouper(min_level="warning")
    records: list[Record] = list(open_paths([str(path)]).records())
    grouper.add_all(records)
    return [(g.id, g.count, g.example.line) for g in grouper.groups()]


def test_errors_through_the_prefilter_and_the_index_equal_one_plain_pass(
    tmp_path: Path, private_index: Path
):
    path = tmp_path / "checkout.log"
    path.write_text("\n".join(chain(SPRING * 40, POSTGRES[:1])) + "\n", encoding="utf-8")
    plain = _grouped_plainly(path)
    store = IndexStore(private_index)
    cold = find_error_groups([str(path)], workers=1, store=store)
    assert [(g.id, g.count, g.example.line) for g in cold.groups] == plain
    assert cold.records == sum(1 for _ in open_paths([str(path)]).records())


def test_a_warm_run_answers_from_the_index_without_detecting(
    tmp_path: Path, private_index: Path, monkeypatch: pytest.MonkeyPatch
):
    path = tmp_path / "checkout.log"
    path.write_text("\n".join(SPRING * 40) + "\n", encoding="utf-8")
    store = IndexStore(private_index)
    cold = find_error_groups([str(path)], workers=1, store=store)

    def no_detection(self: SourceParser) -> object:
        raise AssertionError("the index answers for an unchanged file: nothing to detect")

    monkeypatch.setattr(SourceParser, "detect", no_detection)
    monkeypatch.setattr(SourceParser, "_detect", no_detection)
    warm = find_error_groups([str(path)], workers=1, store=store)
    assert warm.index is not None and warm.index.reused == [str(path)]
    assert [(g.id, g.count) for g in warm.groups] == [(g.id, g.count) for g in cold.groups]
    assert warm.records == cold.records


def _every_sample_line() -> list[str]:
    from log_analyzer.formats.registry import FORMATS

    lines = [line for fmt in FORMATS for sample in fmt.samples for line in sample.line.split("\n")]
    return [*lines, *SPRING, *POSTGRES, *PYTHON, "", "   ", "\tat x.Y.z(Y.java:1)"]


def test_the_level_scanner_reads_each_line_as_the_probe_does() -> None:
    """Over the sample lines of every format (each format's own, and every other's), one
    `findall` per block gives each line's raw level as the line's own probe match does."""
    from log_analyzer.formats.registry import FORMATS

    lines = _every_sample_line()
    scanned = 0
    for fmt in FORMATS:
        if not isinstance(fmt, RegexFormat) or fmt.level_scanner() is None:
            continue
        scanner = fmt.level_scanner()
        assert scanner is not None
        probe = fmt.level_probe()
        assert probe is not None
        pattern, (position,) = probe
        for start in range(0, len(lines), 40):
            block = lines[start : start + 40]
            raws = scanner.findall("\n".join(block))
            if len(raws) != len(block):
                continue  # a match crossed a line: the block is read line by line
            scanned += 1
            for line, raw in zip(block, raws, strict=True):
                found = pattern.match(line)
                if raw:
                    assert found is not None and found.group(position) == raw, (fmt.name, line)
                elif fmt.level_scan_is_decisive():  # nothing read: not a header at all
                    assert found is None, (fmt.name, line)
                else:
                    assert found is None or not found.group(position), (fmt.name, line)
    assert scanned > 200


def test_a_header_cut_over_two_lines_is_read_line_by_line() -> None:
    """`\\s+` between a time and a level would reach over a newline in a joined block: the
    block then has fewer matches than lines, and is matched line by line."""
    fmt = get_format("spring-boot")
    assert isinstance(fmt, RegexFormat) and fmt.level_scanner() is not None
    error = next(line for line in SPRING if line[24:30] == " ERROR")
    cut = [SPRING[0][:24], error[24:], *SPRING]  # a stamp alone, then a line from ERROR on
    scanner = fmt.level_scanner()
    assert scanner is not None and len(scanner.findall("\n".join(cut))) < len(cut)
    plain = _parse(cut, "warning", None)
    for cuts in ([], [2], [1, 5]):
        assert _parse(cut, "warning", cuts) == plain, cuts


def _busy_spring_log(count: int, seed: int) -> list[str]:
    """Spring Boot lines as a busy service writes them: runs of INFO and DEBUG, warnings,
    errors with stack traces, an INFO record with a trace of its own, now and then a line
    with colours or one no format reads."""
    import random

    rng = random.Random(seed)
    out: list[str] = []
    for index in range(count):
        stamp = f"2026-11-28T14:{index // 600 % 60:02d}:{index // 10 % 60:02d}.{index % 1000:03d}Z"
        roll = rng.random()
        head = f"{stamp} %s 4242 --- [checkout] [nio-8080-exec-{rng.randint(1, 9)}] "
        if roll < 0.55:
            out.append(head % " INFO" + f"c.e.checkout.cart.CartService : Cart {index} loaded")
        elif roll < 0.75:
            out.append(head % "DEBUG" + 'o.s.web.servlet.DispatcherServlet : GET "/api/cart"')
        elif roll < 0.82:
            out.append(head % " WARN" + "c.e.checkout.cart.CartService : Cache miss fallback")
        elif roll < 0.88:
            out.append(head % "ERROR" + "o.a.c.c.C.[.[.[/].[dispatcherServlet] : Servlet failed")
            out.extend(
                [
                    "org.springframework.dao.DataAccessResourceFailureException: no connection",
                    "\tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:181)",
                    "Caused by: java.net.ConnectException: Connection refused",
                    "\t... 87 common frames omitted",
                ][: rng.randint(1, 4)]
            )
        elif roll < 0.92:
            out.append(head % " INFO" + "i.l.core.protocol.ConnectionWatchdog : Reconnecting")
            out.append("\tat io.lettuce.core.AbstractRedisClient.getConnection(Client.java:350)")
        elif roll < 0.94:
            out.append(head % "\x1b[31mERROR\x1b[0;39m" + "c.e.checkout.Pay : gateway timed out")
        elif roll < 0.96:
            out.append("    retry policy: exponential, 3 attempts")
        else:
            out.append(head % "TRACE" + "c.e.checkout.cart.CartService : cache probe")
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("keep", ["warning", "error", "info"])
def test_runs_counted_in_bulk_give_the_plain_loops_records_and_counts(seed: int, keep: str):
    """Blocks of many sizes, so that runs of headers below the kept level start, end and
    cross block boundaries, and start before the pre-filter knows their level."""
    import random

    lines = _busy_spring_log(2_000, seed)
    plain = _parse(lines, keep, None)
    rng = random.Random(seed)
    for _ in range(4):
        cuts = sorted(rng.sample(range(1, len(lines)), rng.randint(1, 60)))
        assert _parse(lines, keep, cuts) == plain, cuts
