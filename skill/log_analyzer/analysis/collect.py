"""The single pass over the records: what the investigation needs of them, as summaries that
merge (parts of a file read in worker processes, a file's prefix kept in the on-disk index).

Per record: the count per (service, bucket), the errors per (service, bucket), the error
group it belongs to, the request or trace id it carries (for clock skew and request tracing),
its duration, its process id, and whether it is an operational event (a restart, a deploy).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ..filters import RecordFilter
from ..ingest import SourceParser, SourceStats, merge_stats
from ..levels import RANK
from ..mining.groups import ErrorGrouper, GrouperPartial
from ..mining.requests import request_level
from ..records import Record
from ..remote import RemoteSource
from ..remote.base import Window as RemoteWindow
from ..sources.discover import Source
from .events import OPERATIONAL_WORDS, operational_event
from .latency import duration_ms
from .parallel import Part
from .skew import SkewEstimator, request_id
from .tracing import TraceBook

MAX_OPERATIONAL = 200
MAX_PIDS = 10_000
WARNING_SAMPLE = 5_000  # warning records fetched from a remote engine, at most
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ERROR = RANK["error"]


@dataclass
class Collected:
    """What the single pass over the records gathers, besides groups, ids and statistics."""

    bucket_seconds: int
    totals: dict[tuple[str, int], int] = field(default_factory=dict)
    errors: dict[tuple[str, int], int] = field(default_factory=dict)
    operational: list[tuple[str, Record]] = field(default_factory=list)
    records: int = 0
    first: float | None = None
    last: float | None = None
    # process id -> services whose records carry it (the kernel names killed processes by pid)
    pids: dict[str, set[str]] = field(default_factory=dict)
    # (service, bucket) -> durations in milliseconds
    durations: dict[tuple[str, int], list[float]] = field(default_factory=dict)
    # (service, bucket) -> the slowest record's (milliseconds, file, line): evidence of slowness
    slowest: dict[tuple[str, int], tuple[float, str, int]] = field(default_factory=dict)
    # services whose stamps carry fractions of a second (the others are stamped in whole
    # seconds: a clock correction below a second must not reorder their records)
    subsecond: set[str] = field(default_factory=set)

    def merge(self, other: Collected) -> None:
        """Fold in the summary of the part of the input that follows."""
        for mine, theirs in ((self.totals, other.totals), (self.errors, other.errors)):
            for key, number in theirs.items():
                mine[key] = mine.get(key, 0) + number
        room = MAX_OPERATIONAL - len(self.operational)
        self.operational.extend(other.operational[: max(room, 0)])
        self.records += other.records
        for pid, services in other.pids.items():
            self.pids.setdefault(pid, set()).update(services)
        for key, values in other.durations.items():
            self.durations.setdefault(key, []).extend(values)
        for key, slow in other.slowest.items():
            held = self.slowest.get(key)
            if held is None or slow[0] > held[0]:
                self.slowest[key] = slow
        self.subsecond |= other.subsecond
        if other.first is not None and (self.first is None or other.first < self.first):
            self.first = other.first
        if other.last is not None and (self.last is None or other.last > self.last):
            self.last = other.last


@dataclass
class PartResult:
    """What one part of the input (a source, or a range of one) yields to the merge."""

    collected: Collected
    groups: GrouperPartial
    sightings: dict[str, dict[str, float]]
    stats: SourceStats
    traces: TraceBook = field(default_factory=TraceBook)


class Collector:
    """Feed it records; `result()` gives the part's summary."""

    def __init__(self, bucket_seconds: int) -> None:
        self.collected = Collected(bucket_seconds)
        self.grouper = ErrorGrouper(min_level="warning")
        self.skew = SkewEstimator()
        self.traces = TraceBook()

    def add(self, record: Record) -> None:
        collected = self.collected
        collected.records += 1
        self.grouper.add(record)
        fields = record.fields
        if fields is not None:
            pid = fields.get("pid")
            if pid is not None and (len(collected.pids) < MAX_PIDS or pid in collected.pids):
                collected.pids.setdefault(str(pid), set()).add(record.service)
        when = record.timestamp
        if when is None:
            return
        seconds = when.timestamp()
        if when.microsecond and record.service not in collected.subsecond:
            collected.subsecond.add(record.service)
        if collected.first is None or seconds < collected.first:
            collected.first = seconds
        if collected.last is None or seconds > collected.last:
            collected.last = seconds
        key = (record.service, int(seconds // collected.bucket_seconds))
        collected.totals[key] = collected.totals.get(key, 0) + 1
        took = duration_ms(record.message, fields)
        if took is not None:
            collected.durations.setdefault(key, []).append(took)
            slowest = collected.slowest.get(key)
            if slowest is None or took > slowest[0]:
                collected.slowest[key] = (took, record.file, record.line)
        level = record.level if record.level is not None else request_level(record)
        rank = RANK[level] if level is not None else 0
        if rank >= _ERROR:
            collected.errors[key] = collected.errors.get(key, 0) + 1
        identifier = request_id(record.message, fields)
        if identifier is not None:
            self.skew.add(identifier, record.service, when)
            if rank >= RANK["warning"]:
                self.traces.add(identifier, record.service, seconds, record.file, record.line, rank)
        if len(collected.operational) < MAX_OPERATIONAL:
            kind = operational_event(record.message)
            if kind is not None:
                collected.operational.append((kind, record))

    def result(self, stats: SourceStats) -> PartResult:
        return PartResult(
            self.collected, self.grouper.partial(), self.skew.sightings, stats, self.traces
        )


def collect_part(
    parser: SourceParser, bucket_seconds: int, keep: RecordFilter | None
) -> PartResult:
    collector = Collector(bucket_seconds)
    records = iter(parser)
    for record in keep(records) if keep is not None else records:
        collector.add(record)
    return collector.result(parser.stats)


def collect_planned(part: Part, bucket_seconds: int, keep: RecordFilter | None) -> PartResult:
    """A planned part of a file (module level: worker processes run it)."""
    return collect_part(part.parser(), bucket_seconds, keep)


def merge_part_results(first: PartResult, second: PartResult) -> PartResult:
    """Two consecutive parts of one file as one (the index keeps a file's prefix so)."""
    first.collected.merge(second.collected)
    grouper = ErrorGrouper(min_level="warning")
    grouper.merge(first.groups)
    grouper.merge(second.groups)
    skew = SkewEstimator()
    skew.merge(first.sightings)
    skew.merge(second.sightings)
    first.traces.merge(second.traces)
    return PartResult(
        first.collected,
        grouper.partial(),
        skew.sightings,
        merge_stats([first.stats, second.stats]),
        first.traces,
    )


def stats_of(result: PartResult) -> SourceStats:
    return result.stats


def collect_remote(remote: RemoteSource, window: RemoteWindow, bucket_seconds: int) -> PartResult:
    """A remote engine's part: rates from one aggregation, groups from the warning-and-above
    records it sends, operational events from the few lower records its text filter keeps."""
    collector = Collector(bucket_seconds)
    collected = collector.collected
    stats = SourceStats(Source(remote.display, None), format="otel", service="")
    rates = remote.rates(window, bucket_seconds)
    for row in rates:
        key = (row.service, row.bucket)
        collected.totals[key] = collected.totals.get(key, 0) + row.records
        if row.errors:
            collected.errors[key] = collected.errors.get(key, 0) + row.errors
        collected.records += row.records
        first, last = row.first.timestamp(), row.last.timestamp()
        if collected.first is None or first < collected.first:
            collected.first = first
        if collected.last is None or last > collected.last:
            collected.last = last
        stats.records += row.records
        stats.timestamped += row.records
        stats.tally[(row.service, None)] = stats.tally.get((row.service, None), 0) + row.records
        stats.first = min(stats.first or row.first, row.first)
        stats.last = max(stats.last or row.last, row.last)
    warnings = sum(row.warnings for row in rates)
    # errors in full; warnings, often many times more, as a bounded sample
    fetched = heapq.merge(
        remote.records(window, "error"),
        remote.sample(window, "warning", WARNING_SAMPLE),
        key=lambda r: (r.timestamp or _EPOCH, r.service),
    )
    sampled = 0
    for record in fetched:
        sampled += record.level == "warning"
        collector.grouper.add(record)
        identifier = request_id(record.message, record.fields)
        if identifier is not None and record.timestamp is not None:
            collector.skew.add(identifier, record.service, record.timestamp)
            rank = RANK[record.level] if record.level is not None else 0
            collector.traces.add(
                identifier,
                record.service,
                record.timestamp.timestamp(),
                record.file,
                record.line,
                rank,
            )
        _operational(record, collected)
    if warnings > sampled:
        stats.warnings.append(
            f"warnings sampled: {sampled:,} of {warnings:,} fetched; warning groups count the "
            "sample (errors are complete)"
        )
    for record in remote.operational(window, OPERATIONAL_WORDS, MAX_OPERATIONAL):
        _operational(record, collected)
    stats.service = next(iter(stats.services.most_common(1)), ("", 0))[0]
    return collector.result(stats)


def _operational(record: Record, collected: Collected) -> None:
    if len(collected.operational) < MAX_OPERATIONAL:
        kind = operational_event(record.message)
        if kind is not None:
            collected.operational.append((kind, record))
