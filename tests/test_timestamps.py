"""Timestamps: UTC normalisation, year-less and time-only stamps, zones, epochs, precision."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from log_analyzer.ingest import ParseOptions, parse_paths
from log_analyzer.timestamps import Clock, epoch_to_datetime


def write(path: Path, text: str, mtime: datetime | None = None) -> str:
    path.write_text(text)
    if mtime is not None:
        os.utime(path, (mtime.timestamp(), mtime.timestamp()))
    return str(path)


def iso(records) -> list[str | None]:
    return [r.timestamp.isoformat() if r.timestamp else None for r in records]


def test_syslog_year_comes_from_mtime_and_rolls_over_at_new_year(tmp_path: Path) -> None:
    text = (
        "Dec 31 23:59:58 web-1 cron[11]: job started\n"
        "Jan  1 00:00:03 web-1 cron[11]: job finished\n"
    )
    path = write(tmp_path / "syslog", text, mtime=datetime(2027, 1, 1, 0, 5, tzinfo=UTC))
    assert iso(parse_paths([path])) == [
        "2026-12-31T23:59:58+00:00",
        "2027-01-01T00:00:03+00:00",
    ]


def test_year_option_overrides_mtime(tmp_path: Path) -> None:
    path = write(tmp_path / "redis.log", "[4018] 14 Nov 07:01:22.119 * Server started\n")
    records = parse_paths([path], ParseOptions(year=2019))
    assert iso(records) == ["2019-11-14T07:01:22.119000+00:00"]


def test_year_less_stamp_after_mtime_belongs_to_the_previous_year(tmp_path: Path) -> None:
    path = write(
        tmp_path / "auth.log",
        "Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user x\n",
        mtime=datetime(2026, 11, 28, 12, 0, tzinfo=UTC),
    )
    assert iso(parse_paths([path])) == ["2025-12-10T06:55:46+00:00"]


def test_tz_option_converts_naive_local_times_across_dst(tmp_path: Path) -> None:
    text = (
        "2026-03-29 01:30:00,000 - app - INFO - before the change\n"
        "2026-03-29 03:30:00,000 - app - INFO - after the change\n"
    )
    path = write(tmp_path / "app.log", text)
    records = parse_paths([path], ParseOptions(tz=ZoneInfo("Europe/Paris")))
    assert iso(records) == ["2026-03-29T00:30:00+00:00", "2026-03-29T01:30:00+00:00"]


def test_explicit_offsets_win_over_tz_option(tmp_path: Path) -> None:
    line = '10.0.0.1 - - [28/Nov/2026:15:02:03 +0100] "GET / HTTP/1.1" 200 12 "-" "curl/8.5.0"\n'
    path = write(tmp_path / "access.log", line)
    records = parse_paths([path], ParseOptions(tz=ZoneInfo("America/New_York")))
    assert iso(records) == ["2026-11-28T14:02:03+00:00"]


def test_sub_second_precision_is_kept(tmp_path: Path) -> None:
    text = (
        "I1128 14:02:03.118442       1 main.go:10] a\nI1128 14:02:03.118443       1 main.go:10] b\n"
    )
    path = write(tmp_path / "kubelet.log", text, mtime=datetime(2026, 11, 28, 15, tzinfo=UTC))
    first, second = parse_paths([path])
    assert first.timestamp is not None and second.timestamp is not None
    assert (second.timestamp - first.timestamp).microseconds == 1


def test_epoch_units_are_told_apart_by_magnitude() -> None:
    expected = datetime(2026, 11, 28, 14, 2, 3, tzinfo=UTC)
    for value in (1795874523, 1795874523000, 1795874523000000, 1795874523000000000):
        assert epoch_to_datetime(value) == expected
    assert epoch_to_datetime("1795874523.5") == expected.replace(microsecond=500000)


def test_time_only_stamps_take_the_date_of_the_other_sources(tmp_path: Path) -> None:
    write(
        tmp_path / "api.log",
        "2026-11-20 23:59:50,000 - api - INFO - request\n",
        mtime=datetime(2026, 11, 28, tzinfo=UTC),
    )
    write(
        tmp_path / "worker.log",
        "23:59:59.500 [main] INFO  c.e.Worker - tick\n"
        "00:00:01.000 [main] INFO  c.e.Worker - tock\n",
        mtime=datetime(2026, 11, 28, tzinfo=UTC),
    )
    records = [r for r in parse_paths([str(tmp_path)]) if r.file.endswith("worker.log")]
    assert iso(records) == ["2026-11-20T23:59:59.500000+00:00", "2026-11-21T00:00:01+00:00"]


def test_date_option_sets_the_date_of_time_only_stamps(tmp_path: Path) -> None:
    path = write(tmp_path / "worker.log", "14:02:03.118 [main] ERROR c.e.Worker - boom\n")
    records = parse_paths([path], ParseOptions(day=date(2026, 11, 28)))
    assert iso(records) == ["2026-11-28T14:02:03.118000+00:00"]


def test_clock_parses_structured_values() -> None:
    clock = Clock(reference=datetime(2026, 11, 28, 15, tzinfo=UTC))
    assert clock.from_value("2026-11-28T14:02:03.118442789Z") == datetime(
        2026, 11, 28, 14, 2, 3, 118442, tzinfo=UTC
    )
    assert clock.from_value("2026-11-28T15:02:03+01:00") == datetime(
        2026, 11, 28, 14, 2, 3, tzinfo=UTC
    )
    assert clock.from_value({"epochSecond": 1795874523, "nanoOfSecond": 118000000}) == datetime(
        2026, 11, 28, 14, 2, 3, 118000, tzinfo=UTC
    )
    assert clock.from_value("not a time") is None
    assert clock.from_value(True) is None


def test_clock_reads_protobuf_style_seconds_and_nanos() -> None:
    clock = Clock()
    assert clock.from_value({"seconds": 1795874523, "nanos": 118000000}) == datetime(
        2026, 11, 28, 14, 2, 3, 118000, tzinfo=UTC
    )
    assert clock.from_value({"seconds": "soon"}) is None
