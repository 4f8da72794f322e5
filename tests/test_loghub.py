"""The 16 Loghub 2k benchmark logs, read with zero configuration.

The logs and their ground truth (`<System>_2k.log_structured.csv`: the header fields and the
`Content` of every line) live beside the project in ../shared, never in it: their licence
forbids copying them in. The tests skip when they are absent.

Per dataset: detection picks the expected format; every line becomes one record; at least 99% of
the records carry a timestamp whose time of day (to the second, after one constant offset per
dataset) and month/day (where the ground truth has them) agree with the ground truth; the
record's message equals the ground truth's `Content`; the level, where the format has one,
agrees with the ground truth's level.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

import pytest

from log_analyzer.ingest import open_paths, parse_paths
from log_analyzer.levels import normalize_level
from log_analyzer.records import Record
from log_analyzer.timestamps import MONTHS

# The ground truth's date and time of one line: (month or None, day or None, seconds of day).
Truth = tuple[int | None, int | None, int]

_HMS = re.compile(r"(\d{1,2})[:.](\d{1,2})[:.](\d{1,2})")


def _seconds(text: str) -> int:
    match = _HMS.search(text)
    assert match, f"no time of day in {text!r}"
    hours, minutes, seconds = (int(part) for part in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def _month_name(name: str) -> int:
    return MONTHS[name[:3].lower()]


def _android(row: dict[str, str]) -> Truth:
    month, day = row["Date"].split("-")
    return int(month), int(day), _seconds(row["Time"])


def _apache(row: dict[str, str]) -> Truth:
    when = datetime.strptime(row["Time"], "%a %b %d %H:%M:%S %Y")
    return when.month, when.day, _seconds(row["Time"])


def _bgl(row: dict[str, str]) -> Truth:
    # `2005-06-03-15.42.50.675872`: the local time (the epoch beside it is UTC).
    _, month, day, clock = row["Time"].split("-", 3)
    return int(month), int(day), _seconds(clock)


def _hdfs(row: dict[str, str]) -> Truth:
    date, clock = row["Date"].zfill(6), row["Time"].zfill(6)
    seconds = int(clock[:2]) * 3600 + int(clock[2:4]) * 60 + int(clock[4:])
    return int(date[2:4]), int(date[4:]), seconds


def _hpc(row: dict[str, str]) -> Truth:
    when = datetime.fromtimestamp(int(row["Time"]), UTC)
    return when.month, when.day, when.hour * 3600 + when.minute * 60 + when.second


def _iso_date(row: dict[str, str]) -> Truth:
    # `2015-10-18` (Hadoop, Zookeeper, OpenStack, Windows) or `17/06/09` (Spark).
    parts = re.split(r"[-/]", row["Date"])
    return int(parts[1]), int(parts[2]), _seconds(row["Time"])


def _healthapp(row: dict[str, str]) -> Truth:
    # `20171223-22:15:29:606`
    date, clock = row["Time"].split("-", 1)
    return int(date[4:6]), int(date[6:8]), _seconds(clock)


def _month_date(row: dict[str, str]) -> Truth:  # Linux, Mac: Month, Date, Time
    return _month_name(row["Month"]), int(row["Date"]), _seconds(row["Time"])


def _openssh(row: dict[str, str]) -> Truth:  # Date is the month, Day the day
    return _month_name(row["Date"]), int(row["Day"]), _seconds(row["Time"])


def _proxifier(row: dict[str, str]) -> Truth:  # `10.30 16:49:06`: month.day
    date, clock = row["Time"].split(" ")
    month, day = date.split(".")
    return int(month), int(day), _seconds(clock)


def _thunderbird(row: dict[str, str]) -> Truth:
    return _month_name(row["Month"]), int(row["Day"]), _seconds(row["Time"])


@dataclass(frozen=True)
class Dataset:
    format: str  # the format detection must pick
    truth: Callable[[dict[str, str]], Truth]
    # The most common service of the records; None: the file's own (one for every record).
    service: str | None
    level: str | None = None  # the ground truth's level column, when the format has a level
    # Lowest share of records whose message equals the ground truth's Content.
    message_rate: float = 0.99


DATASETS: dict[str, Dataset] = {
    "Android": Dataset("android-logcat", _android, None, level="Level"),
    # `[client 1.2.3.4]` is a field, not part of the message (the ground truth keeps it).
    "Apache": Dataset("apache-error", _apache, None, level="Level", message_rate=0.98),
    "BGL": Dataset("bgl", _bgl, "KERNEL", level="Level"),
    "HDFS": Dataset("hdfs", _hdfs, None, level="Level"),
    "HPC": Dataset("hpc", _hpc, "node"),
    "Hadoop": Dataset("log4j", _iso_date, None, level="Level"),
    "HealthApp": Dataset("healthapp", _healthapp, None),
    "Linux": Dataset("syslog", _month_date, "ftpd"),
    # 54 lines `sandboxd[129] ([31211]): ...` (macOS's ` (address)` after the program) are left
    # to the generic fallback, which keeps the header in the message.
    "Mac": Dataset("syslog", _month_date, "kernel", message_rate=0.995),
    "OpenSSH": Dataset("syslog", _openssh, "sshd"),
    "OpenStack": Dataset("openstack", _iso_date, "nova-api", level="Level"),
    "Proxifier": Dataset("proxifier", _proxifier, None),
    "Spark": Dataset("spark", _iso_date, None, level="Level"),
    "Thunderbird": Dataset(
        "thunderbird", _thunderbird, "/apps/x86_64/system/ganglia-3.0.1/sbin/gmetad"
    ),
    "Windows": Dataset("windows-cbs", _iso_date, None, level="Level"),
    "Zookeeper": Dataset("zookeeper", _iso_date, None, level="Level"),
}

# Android logcat's one-letter priorities.
_LETTER_LEVELS = {
    "V": "debug",
    "D": "debug",
    "I": "info",
    "W": "warning",
    "E": "error",
    "F": "fatal",
    "A": "fatal",
}


@cache
def _read(root: Path, name: str) -> tuple[list[Record], list[dict[str, str]]]:
    """The records `parse_paths` reads from dataset `name`, and its ground-truth rows."""
    folder = root / name
    records = parse_paths([str(folder / f"{name}_2k.log")])
    with open(folder / f"{name}_2k.log_structured.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return records, rows


@cache
def _detected(root: Path, name: str) -> str:
    """The format detection picks for dataset `name`."""
    workspace = open_paths([str(root / name / f"{name}_2k.log")])
    for _ in workspace.records():
        pass
    (stats,) = workspace.stats
    return stats.format


@dataclass
class Scores:
    records: int
    offset: timedelta  # the dataset's constant offset: record time minus ground-truth time
    time_rate: float  # records whose time of day agrees to the second
    date_rate: float  # records whose month and day agree too
    message_rate: float
    level_rate: float | None


def score(root: Path, name: str) -> Scores:
    """How well the records of dataset `name` agree with its ground truth."""
    dataset = DATASETS[name]
    records, rows = _read(root, name)
    pairs = list(zip(records, rows, strict=False))
    truths = [dataset.truth(row) for row in rows]
    differences: Counter[int] = Counter()
    for (record, _), (_, _, seconds) in zip(pairs, truths, strict=False):
        if record.timestamp is not None:
            when = record.timestamp
            of_day = when.hour * 3600 + when.minute * 60 + when.second
            differences[(of_day - seconds) % 86400] += 1
    shift = differences.most_common(1)[0][0] if differences else 0
    if shift > 43200:
        shift -= 86400
    offset = timedelta(seconds=shift)
    times = dates = messages = levels = 0
    for (record, row), (month, day, seconds) in zip(pairs, truths, strict=False):
        if record.message.strip() == row["Content"].strip():
            messages += 1
        if dataset.level is not None:
            raw = row[dataset.level]
            expected = _LETTER_LEVELS.get(raw) or normalize_level(raw)
            if record.level == expected:
                levels += 1
        if record.timestamp is None:
            continue
        local = record.timestamp.astimezone(UTC) - offset
        if local.hour * 3600 + local.minute * 60 + local.second != seconds:
            continue
        times += 1
        if month is None or (local.month == month and local.day == day):
            dates += 1
    total = len(rows)
    return Scores(
        records=len(records),
        offset=offset,
        time_rate=times / total,
        date_rate=dates / total,
        message_rate=messages / total,
        level_rate=levels / total if dataset.level is not None else None,
    )


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_loghub_dataset_is_read_like_the_ground_truth(loghub_dir: Path, name: str) -> None:
    result = score(loghub_dir, name)
    assert result.records == 2000
    assert result.time_rate >= 0.99, result
    assert result.date_rate >= 0.99, result
    assert result.message_rate >= DATASETS[name].message_rate, result
    if result.level_rate is not None:
        assert result.level_rate >= 0.99, result
    records, _ = _read(loghub_dir, name)
    services = Counter(record.service for record in records)
    if DATASETS[name].service is None:
        assert len(services) == 1, services
    else:
        assert services.most_common(1)[0][0] == DATASETS[name].service, services


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_loghub_dataset_detects_its_format(loghub_dir: Path, name: str) -> None:
    assert _detected(loghub_dir, name) == DATASETS[name].format
    # Lines the detected format cannot read fall back to others: a handful at most.
    records, _ = _read(loghub_dir, name)
    formats = Counter(record.format for record in records)
    assert formats[DATASETS[name].format] >= 0.97 * len(records), formats
