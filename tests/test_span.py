"""A clock that lies (epoch 0 at boot, a stamp in another century) must not stretch the
analysed span: rates stay per minute over the records' own hour, and the liars are reported."""

from __future__ import annotations

from pathlib import Path

from log_analyzer.analysis.investigate import investigate
from log_analyzer.analysis.span import populated_span


def _python_log(path: Path) -> None:
    lines = ["1970-01-01 00:00:00,000 ERROR worker - clock not synchronised yet, using epoch"]
    lines += [
        f"2026-11-28 14:{minute:02d}:{second:02d},000 INFO worker - processed batch {minute}"
        for minute in range(60)
        for second in (0, 20, 40)
    ]
    lines += [
        f"2026-11-28 14:31:{second:02d},000 ERROR worker - database connection refused"
        for second in range(0, 40, 4)
    ]
    lines.append("2100-01-01 00:00:00,000 WARNING worker - certificate valid until 2100")
    path.write_text("\n".join(lines) + "\n")


def test_stamps_decades_away_are_left_out_of_the_series(tmp_path: Path) -> None:
    _python_log(tmp_path / "worker.log")
    report = investigate([str(tmp_path)])
    assert len(report.error_rate.series) <= 61  # the hour, not 130 years of minutes
    assert report.window.start is not None and report.window.start.year == 2026
    assert report.window.end is not None and report.window.end.year == 2026
    assert len(report.clock_anomalies) == 1
    assert "1970-01-01" in report.clock_anomalies[0] and "2100-01-01" in report.clock_anomalies[0]
    assert report.first_failure is not None
    assert "connection refused" in report.first_failure.text.lower()


def test_the_densest_run_of_buckets_is_the_span() -> None:
    totals = {("a", 0): 1, ("a", 29_000_000): 500, ("b", 29_000_030): 400, ("a", 80_000_000): 2}
    span = populated_span(totals, 60)
    assert span is not None
    assert (span.first_bucket, span.last_bucket) == (29_000_000, 29_000_030)
    assert span.outside == 3
    assert span.outside_buckets == (0, 80_000_000)


def test_a_log_of_one_span_has_no_anomaly() -> None:
    totals = {("a", 100): 5, ("a", 160): 5, ("b", 161): 1}
    span = populated_span(totals, 60)
    assert span is not None and span.outside == 0
