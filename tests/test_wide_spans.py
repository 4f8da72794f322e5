"""Logs that span days or months (Loghub's BGL and HPC samples hold 2,000 lines over seven
months): the error rate is counted in buckets wide enough to keep the series short, exactly as
if that width had been asked for, and every time a person reads carries its date."""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rich.console import Console

from log_analyzer.analysis.investigate import investigate
from log_analyzer.analysis.widths import (
    MAX_BUCKETS,
    bucket_count,
    fitting_width,
    joined,
    largest,
    summed,
)
from log_analyzer.cli.app import run
from log_analyzer.render.human import duration, width_label
from log_analyzer.render.investigation import investigation_view, trend_view
from log_analyzer.render.postmortem import render

START = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def _python_line(when: datetime, level: str, logger: str, message: str) -> str:
    """`%(asctime)s %(levelname)s %(name)s: %(message)s`, Python logging's asctime."""
    return f"{when:%Y-%m-%d %H:%M:%S},{when.microsecond // 1000:03d} {level} {logger}: {message}"


def _pino_line(when: datetime, status: int, route: str, took: int) -> str:
    """pino-http's completion record."""
    return json.dumps(
        {
            "level": 50 if status >= 500 else 30,
            "time": int(when.timestamp() * 1000),
            "pid": 17,
            "hostname": "cart-api-6d5f7c9b8-q2x7w",
            "req": {"id": 1, "method": "GET", "url": route},
            "res": {"statusCode": status},
            "responseTime": took,
            "msg": "request errored" if status >= 500 else "request completed",
        },
        separators=(",", ":"),
    )


def _write_days(folder: Path, days: float, seed: int = 11) -> tuple[Path, Path]:
    """A worker's Python log and an API's pino log over `days` days: calm, with a few
    chronic warnings, then on the second day a database outage of 40 minutes."""
    rng = random.Random(seed)
    outage = START + timedelta(days=1, hours=3, minutes=17)
    worker, api = [], []
    when = START
    end = START + timedelta(days=days)
    while when < end:
        when += timedelta(seconds=rng.uniform(20, 160))
        in_outage = outage <= when < outage + timedelta(minutes=40)
        if in_outage and rng.random() < 0.8:
            worker.append(
                _python_line(
                    when,
                    "ERROR",
                    "billing.db",
                    f'could not connect to server: Connection refused (host "pg-primary", '
                    f"port 5432), attempt {rng.randint(1, 5)}",
                )
            )
        elif rng.random() < 0.03:
            worker.append(
                _python_line(when, "WARNING", "billing.cache", "cache miss storm: 412 keys")
            )
        else:
            batch = rng.randint(1000, 9999)
            worker.append(_python_line(when, "INFO", "billing.jobs", f"batch {batch} settled"))
        status = 503 if in_outage and rng.random() < 0.7 else rng.choice((200, 200, 200, 304))
        took = rng.randint(5000, 9000) if status == 503 else rng.randint(8, 120)
        api.append(_pino_line(when, status, f"/api/cart/{rng.randint(100, 999)}", took))
    worker_log, api_log = folder / "billing-worker.log", folder / "cart-api.log"
    worker_log.write_text("\n".join(worker) + "\n")
    api_log.write_text("\n".join(api) + "\n")
    return worker_log, api_log


# --- the width -------------------------------------------------------------------------


def test_a_day_keeps_one_minute_buckets() -> None:
    first = START.timestamp()
    assert fitting_width(60, first, first + 86_399) == 60
    assert fitting_width(60, first, first + 3_600) == 60


@pytest.mark.parametrize(
    ("span_seconds", "expected"),
    [
        (38 * 3600, 120),  # Apache's sample: a day and a half
        (12 * 86400, 900),  # Zookeeper's: twelve days
        (206 * 86400, 21600),  # BGL's: seven months
        (40 * 365 * 86400, 604800 * 2),  # past 1,440 weeks: a multiple of a week
    ],
)
def test_the_narrowest_familiar_width_that_fits(span_seconds: int, expected: int) -> None:
    first = START.timestamp()
    width = fitting_width(60, first, first + span_seconds)
    assert width == expected
    assert bucket_count(width, first, first + span_seconds) <= MAX_BUCKETS
    # and no narrower width than the chosen one fits
    assert bucket_count(width // 2, first, first + span_seconds) > MAX_BUCKETS or width == 120


def test_seconds_widen_to_seconds_first() -> None:
    """`--bucket 1s` over an hour: 3,600 buckets, so 5-second ones, not 2-minute ones."""
    first = START.timestamp()
    assert fitting_width(1, first, first + 3599) == 5
    assert fitting_width(30, first, first + 86399) == 60


def test_a_width_that_divides_no_familiar_one_grows_by_its_own_multiples() -> None:
    first = START.timestamp()
    width = fitting_width(420, first, first + 30 * 86400)  # `--bucket 7m` over a month
    assert width % 420 == 0
    assert bucket_count(width, first, first + 30 * 86400) <= MAX_BUCKETS
    assert bucket_count(width - 420, first, first + 30 * 86400) > MAX_BUCKETS


# --- the counts ------------------------------------------------------------------------


def test_tables_sum_whole_narrow_buckets() -> None:
    # minute buckets 29_000_000..29_000_011 (a 5-minute bucket starts at 29_000_000)
    counts = {("api", 29_000_004): 2, ("db", 29_000_003): 1, ("api", 29_000_005): 7}
    assert summed(counts, 5) == {("api", 5_800_000): 2, ("db", 5_800_000): 1, ("api", 5_800_001): 7}
    durations = {("api", 10): [3.0], ("api", 11): [9.0, 1.0], ("api", 15): [4.0]}
    assert joined(durations, 5) == {("api", 2): [3.0, 9.0, 1.0], ("api", 3): [4.0]}
    slowest = {
        ("api", 12): (900.0, "api.log", 40),
        ("api", 11): (900.0, "api.log", 12),  # as slow, earlier: kept, as the reading pass does
        ("api", 13): (120.0, "api.log", 77),
        ("api", 15): (50.0, "api.log", 90),
    }
    assert largest(slowest, 5) == {
        ("api", 2): (900.0, "api.log", 12),
        ("api", 3): (50.0, "api.log", 90),
    }


def test_widened_counts_are_those_of_the_wider_bucket_asked_for(tmp_path: Path) -> None:
    """Three days in one-minute buckets are 4,320: widened to 5 minutes, every table
    (errors, totals, durations, slowest requests, requests per route) must equal what
    counting in 5-minute buckets from the start gives."""
    _write_days(tmp_path, days=3)
    widened = investigate([str(tmp_path)], workers=1)
    asked = investigate([str(tmp_path)], bucket_seconds=300, workers=1)
    assert widened.error_rate.bucket_seconds == 300
    assert widened.error_rate.widened_from == 60
    assert asked.error_rate.widened_from is None
    assert len(widened.error_rate.series) <= MAX_BUCKETS
    mine = widened.model_dump(mode="json")
    mine["error_rate"]["widened_from"] = None
    assert mine == asked.model_dump(mode="json")
    assert widened.latency is not None and widened.impact is not None  # both were compared


def test_widened_error_counts_match_the_file(tmp_path: Path) -> None:
    """Independently of the reader: the ERROR lines of the worker and the 5xx records of the
    API, counted per bucket of the width the report says, from the files' own text."""
    worker_log, api_log = _write_days(tmp_path, days=9, seed=5)
    report = investigate([str(tmp_path)], workers=2)
    width = report.error_rate.bucket_seconds
    assert width == 600  # 9 days: 10-minute buckets
    expected: Counter[tuple[str, datetime]] = Counter()
    stamp = re.compile(r"^(\S+ \S+),(\d{3}) ERROR ")
    for line in worker_log.read_text().splitlines():
        found = stamp.match(line)
        if found:
            when = datetime.strptime(found.group(1), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
            expected["billing-worker", _floor(when, width)] += 1
    for line in api_log.read_text().splitlines():
        record = json.loads(line)
        if record["level"] >= 50:
            when = datetime.fromtimestamp(record["time"] / 1000, UTC)
            expected["cart-api", _floor(when, width)] += 1
    seen = Counter(
        {
            (service, point.start): count
            for point in report.error_rate.series
            for service, count in point.counts.items()
        }
    )
    assert seen == expected
    assert sum(expected.values()) > 20


def _floor(when: datetime, width: int) -> datetime:
    return datetime.fromtimestamp(int(when.timestamp()) // width * width, UTC)


def test_months_of_lines_answer_small(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """2,000 lines over seven months: the answer is sized by the lines, not the minutes."""
    rng = random.Random(3)
    moments = sorted(rng.uniform(0, 206 * 86400) for _ in range(2000))
    lines = [
        _python_line(
            START + timedelta(seconds=s),
            "ERROR" if rng.random() < 0.1 else "INFO",
            "node.kernel",
            "machine check interrupt" if rng.random() < 0.5 else "data TLB error interrupt",
        )
        for s in moments
    ]
    (tmp_path / "bgl-like.log").write_text("\n".join(lines) + "\n")
    assert run(["investigate", "--json", "--no-cache", str(tmp_path)]) == 0
    answer = capsys.readouterr().out
    report = json.loads(answer)
    assert report["error_rate"]["bucket_seconds"] == 21600
    assert len(report["error_rate"]["series"]) <= MAX_BUCKETS
    assert len(answer) < 400_000  # one-minute buckets wrote 13 MB for BGL's sample


# --- what a person reads ---------------------------------------------------------------


def _text(renderable: object, width: int = 120) -> str:
    console = Console(width=width, record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def test_times_of_a_log_over_days_carry_their_dates(tmp_path: Path) -> None:
    _write_days(tmp_path, days=3)
    report = investigate([str(tmp_path)], workers=1)
    text = _text(investigation_view(report, width=120))
    assert report.first_failure is not None
    day = f"{report.first_failure.timestamp:%Y-%m-%d}"
    assert day == "2026-03-03"
    assert f"first failure {day} " in text
    assert "5m buckets, not 1m: the logs span 3 d" in text or "the logs span 2 d" in text
    group_rows = [line for line in text.splitlines() if "db Connection" in line and "│" in line]
    assert group_rows and all(line.count(day) >= 1 for line in group_rows)
    root = report.root_cause
    assert root is not None and f"at {day} " in root.summary


def test_sparklines_fit_the_console(tmp_path: Path) -> None:
    _write_days(tmp_path, days=3)
    report = investigate([str(tmp_path)], workers=1)
    for width in (80, 120, 250):
        lines = _text(trend_view(report, width), width).splitlines()
        assert all(len(line.rstrip()) <= width for line in lines), width
        services = [line for line in lines if line.startswith(("billing-worker", "cart-api"))]
        assert len(services) == 2  # one row each: nothing wrapped
    # a mark sums whole buckets: the header says the width of a mark
    header = _text(trend_view(report, 80), 80)
    marks = re.search(r"errors per (\d+)([mhd])", header)
    assert marks is not None
    seconds = int(marks.group(1)) * {"m": 60, "h": 3600, "d": 86400}[marks.group(2)]
    assert seconds % report.error_rate.bucket_seconds == 0 and seconds > 300


def test_a_short_log_reads_as_before(tmp_path: Path) -> None:
    """An hour's log: one-minute buckets, no dates, one mark per bucket."""
    _write_days(tmp_path, days=1 / 24)
    report = investigate([str(tmp_path)], workers=1)
    assert report.error_rate.bucket_seconds == 60 and report.error_rate.widened_from is None
    text = _text(investigation_view(report, width=250), 250)
    assert "errors per 1m" in text
    assert "2026-03-02" not in text.split("error groups")[0]
    assert "buckets, not" not in text


def test_the_report_dates_its_times_and_never_writes_line_none(tmp_path: Path) -> None:
    _write_days(tmp_path, days=3)
    report = investigate([str(tmp_path)], workers=1)
    markdown = render(report, "md")
    assert ":None" not in markdown
    timeline = markdown.split("## Timeline")[1].split("##")[0]
    rows = [line for line in timeline.splitlines() if line.startswith("| 2026-")]
    assert rows, timeline
    html = render(report, "html")
    assert re.search(r">\d\d-\d\d \d\d:\d\d</text>", html)  # the chart's ticks name the day


def test_durations_past_two_days_count_days() -> None:
    assert duration(47 * 3600 + 59 * 60) == "47 h 59 min"
    assert duration(2 * 86400) == "2 d 00 h"
    assert duration(197 * 86400 + 11 * 3600 + 41 * 60) == "197 d 11 h"
    assert [width_label(s) for s in (30, 60, 90, 300, 5400, 21600, 86400)] == [
        "30s",
        "1m",
        "90s",
        "5m",
        "90m",
        "6h",
        "1d",
    ]
