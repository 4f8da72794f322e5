"""Latency beside errors: durations read from records, percentiles per minute and service
(checked against values computed here independently), and a latency rise before the first
failure reported on the timeline."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from log_analyzer.analysis.investigate import investigate
from log_analyzer.analysis.latency import duration_ms

T0 = datetime(2026, 11, 28, 14, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("message", "fields", "expected"),
    [
        ("Slow cart lookup took 812 ms", None, 812.0),
        ("GET /cart 200 in 12ms", None, 12.0),
        ("request completed", {"responseTime": 41}, 41.0),
        ("request completed", {"duration": "1.5s"}, 1500.0),
        ("x", {"request_time": "0.153"}, 153.0),
        ("x", {"timers": "0/0/1/-1/5002"}, 5002.0),
        ("100 changes in 300 seconds. Saving...", None, None),  # Redis: not a duration
        ("no duration here", None, None),
    ],
)
def test_duration_ms(message: str, fields: dict[str, object] | None, expected: float | None):
    assert duration_ms(message, fields) == expected


def _nearest_rank(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = -(-len(ordered) * q // 1)  # ceil without math
    return ordered[max(int(index), 1) - 1]


def test_percentiles_per_minute_and_a_rise_before_the_first_failure(tmp_path: Path) -> None:
    rng = random.Random(17)
    lines: list[tuple[datetime, str]] = []
    expected: dict[int, list[float]] = {}
    for second in range(0, 20 * 60, 2):
        when = T0 + timedelta(seconds=second, milliseconds=rng.randint(0, 999))
        minute = second // 60
        slow = 15 <= minute < 17  # the database slows down before anything fails
        took = round(rng.uniform(400, 900) if slow else rng.uniform(5, 60), 1)
        expected.setdefault(minute, []).append(took)
        stamp = when.strftime("%Y-%m-%d %H:%M:%S,") + f"{when.microsecond // 1000:03d}"
        lines.append((when, f"{stamp} - api.orders - INFO - GET /orders 200 took {took} ms\n"))
    failure = T0 + timedelta(minutes=17, seconds=3)
    for i in range(50):
        when = failure + timedelta(seconds=i * 2)
        stamp = when.strftime("%Y-%m-%d %H:%M:%S,") + f"{when.microsecond // 1000:03d}"
        lines.append((when, f"{stamp} - api.db - ERROR - query {i} failed: statement timeout\n"))
    (tmp_path / "api.log").write_text("".join(text for _, text in sorted(lines)))
    report = investigate([str(tmp_path)])
    assert report.latency is not None
    by_minute = {
        int((datetime.fromisoformat(p.start) - T0).total_seconds() // 60): p
        for p in report.latency.series
    }
    for minute, values in expected.items():
        point = by_minute[minute]
        assert point.count["api"] == len(values)
        assert point.p50["api"] == pytest.approx(_nearest_rank(values, 0.50))
        assert point.p95["api"] == pytest.approx(_nearest_rank(values, 0.95))
        assert point.p99["api"] == pytest.approx(_nearest_rank(values, 0.99))
    rises = [e for e in report.timeline if e.kind == "latency"]
    assert [(e.service, e.timestamp) for e in rises] == [("api", T0 + timedelta(minutes=15))]
    assert report.first_failure is not None
    assert rises[0].timestamp < report.first_failure.timestamp
