"""The single pass over the records: what the investigation needs of them, as summaries that
merge (parts of a file read in worker processes, a file's prefix kept in the on-disk index).

Per record: the count per (service, bucket), the errors per (service, bucket), the error
group it belongs to, the request or trace id it carries (for clock skew and request tracing),
its duration, its process id, whether it is an operational event (a restart, a deploy), and
the request it reports and how it ended (`impact.RequestTally`).

A record that states no level is judged by its words (`inferred_levels`). Whether a source
states levels is known only once all of it is read, so those errors and groups are held apart
per source and folded in by `settle_inferred`, the same whichever parts the file was read in.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ..filters import RecordFilter
from ..inferred_levels import inferred, states_levels
from ..ingest import SourceParser, SourceStats, merge_stats
from ..levels import RANK
from ..mining.group_models import Example
from ..mining.groups import ErrorGrouper, GrouperPartial
from ..mining.requests import STATUS_KEYS, message_outcome, request_level
from ..records import Record
from ..remote import RemoteSource
from ..remote.base import QueryScope
from ..sources.discover import Source
from .alerts import MAY_ALERT_KEYS
from .events import OPERATIONAL_WORDS, line_operational_event, operational_event
from .impact import RequestTally
from .latency import DURATION_KEYS, line_duration_ms
from .parallel import Part
from .skew import ID_FIELD_KEYS, SkewEstimator, request_id
from .tracing import TraceBook
from .widths import joined, largest, summed

MAX_OPERATIONAL = 200
MAX_PIDS = 10_000
WARNING_SAMPLE = 5_000  # warning records fetched from a remote engine, at most
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ERROR = RANK["error"]
_WARNING = RANK["warning"]
# Per tuple of field keys: whether the fields hold a key that a duration, a request id, a
# request's status or an alert is read from (four set tests per record become one look-up:
# records of a source repeat a few key sets). Bounded: emptied when full.
_KEY_FLAGS: dict[tuple[str, ...], tuple[bool, bool, bool, bool]] = {}
MAX_KEY_SETS = 4_096


def _key_flags(keys: tuple[str, ...]) -> tuple[bool, bool, bool, bool]:
    """`_KEY_FLAGS` of `keys`, computed and kept."""
    if len(_KEY_FLAGS) >= MAX_KEY_SETS:
        _KEY_FLAGS.clear()
    flags = _KEY_FLAGS[keys] = (
        not DURATION_KEYS.isdisjoint(keys),
        not ID_FIELD_KEYS.isdisjoint(keys),
        not STATUS_KEYS.isdisjoint(keys),
        not MAY_ALERT_KEYS.isdisjoint(keys),
    )
    return flags


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
    # file -> [records stating a level, records stating none]
    stated: dict[str, list[int]] = field(default_factory=dict)
    # (file, strong) -> what the words of the records stating no level imply: the errors per
    # (service, bucket), and the groups of the errors and warnings
    inferred_errors: dict[tuple[str, bool], dict[tuple[str, int], int]] = field(
        default_factory=dict
    )
    inferred_groups: dict[tuple[str, bool], GrouperPartial] = field(default_factory=dict)
    # requests and failed requests per (service, route, bucket): the incident's impact
    requests: RequestTally = field(default_factory=RequestTally)
    # services with durations on the requests they serve (request events, records with a
    # request id): latency a user feels, not an alert notification's or a maintenance's
    serving: set[str] = field(default_factory=set)

    def merge(self, other: Collected) -> None:
        """Fold in the summary of the part of the input that follows."""
        for mine, theirs in (
            (self.totals, other.totals),
            (self.errors, other.errors),
            *(
                (self.inferred_errors.setdefault(key, {}), counts)
                for key, counts in other.inferred_errors.items()
            ),
        ):
            for key, number in theirs.items():
                mine[key] = mine.get(key, 0) + number
        for file, (stated, unstated) in other.stated.items():
            tally = self.stated.setdefault(file, [0, 0])
            tally[0] += stated
            tally[1] += unstated
        for key, partial in other.inferred_groups.items():
            earlier = self.inferred_groups.get(key)
            self.inferred_groups[key] = partial if earlier is None else _joined(earlier, partial)
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
        self.serving |= other.serving
        self.requests.merge(other.requests)
        if other.first is not None and (self.first is None or other.first < self.first):
            self.first = other.first
        if other.last is not None and (self.last is None or other.last > self.last):
            self.last = other.last

    def widen(self, width: int) -> None:
        """Re-count every per-bucket table in buckets of `width` seconds, a multiple of the
        width they were counted in (`widths`: exact, a wide bucket holds whole narrow ones)."""
        factor, remainder = divmod(width, self.bucket_seconds)
        if remainder or factor < 1:
            raise ValueError(f"{width} s is not a multiple of {self.bucket_seconds} s")
        if factor == 1:
            return
        self.totals = summed(self.totals, factor)
        self.errors = summed(self.errors, factor)
        self.inferred_errors = {
            key: summed(table, factor) for key, table in self.inferred_errors.items()
        }
        self.durations = joined(self.durations, factor)
        self.slowest = largest(self.slowest, factor)
        self.requests.widen(factor)
        self.bucket_seconds = width


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
        self._collected = Collected(bucket_seconds)
        self._inferred: dict[tuple[str, bool], ErrorGrouper] = {}
        self.grouper = ErrorGrouper(min_level="warning")
        self.skew = SkewEstimator()
        self.traces = TraceBook()

    @property
    def collected(self) -> Collected:
        """The summary so far."""
        collected = self._collected
        collected.inferred_groups = {key: g.partial() for key, g in self._inferred.items()}
        return collected

    def add(self, record: Record) -> None:
        """Feed one record (`add_all` feeds many for less)."""
        self.add_all((record,))

    def add_all(self, records: Iterable[Record]) -> None:
        """Feed every record, in order. One loop over plain local names: the hottest code of
        an investigation, run once per record."""
        collected = self._collected
        grouper_add = self.grouper.add
        skew_add = self.skew.add
        trace_add = self.traces.add
        request_count = collected.requests.count
        key_flags = _KEY_FLAGS
        stated = collected.stated
        pids = collected.pids
        subsecond = collected.subsecond
        totals = collected.totals
        errors = collected.errors
        durations = collected.durations
        slowest = collected.slowest
        inferred_errors = collected.inferred_errors
        serving = collected.serving
        operational = collected.operational
        bucket_seconds = collected.bucket_seconds
        first, last = collected.first, collected.last
        count = below = 0
        grouper = self.grouper
        minimum = RANK[grouper.min_level]  # `at_least(level, grouper.min_level)`, inlined
        rank_of = RANK.get
        # What the record before had, reused when this one has the same (the same objects: a
        # source's records share their file name, and a whole second's timestamp)
        file: str | None = None
        seen: list[int] = [0, 0]
        when_before: datetime | None = None
        pid_added: object = None
        pid_service = ""
        seconds = 0.0
        bucket = 0
        # `totals` counts runs of records of one (service, bucket) at a time: a run's count is
        # added when the run ends, so keys still enter `totals` in the order they first occur
        # (the empty run before the first is of ("", 0): a record of that key just extends it)
        run_service = ""
        run_bucket = 0
        run = 0
        try:
            for record in records:
                count += 1
                level = record.level
                if level is None:
                    level = request_level(record)
                if rank_of(level or "info", 2) >= minimum:
                    grouper_add(record)
                else:
                    below += 1  # the grouper only counts these
                if record.file is not file:
                    file = record.file
                    seen = stated.setdefault(file, [0, 0])
                held_apart: tuple[str, bool] | None = None  # (file, strong) of an inferred error
                if level is not None:
                    seen[0] += 1
                else:
                    seen[1] += 1
                    found = inferred(record.message)
                    if found is not None:
                        self._add_inferred(record, found[0], (file, found[1]))
                        if found[0] == "error":
                            held_apart = (file, found[1])
                service = record.service
                fields = record.fields
                if fields:
                    pid = fields.get("pid")
                    # (the pid and service the record before added are there: nothing to add)
                    if (
                        pid is not None
                        and (pid is not pid_added or service is not pid_service)
                        and (len(pids) < MAX_PIDS or pid in pids)
                    ):
                        name = str(pid)
                        services = pids.get(name)
                        if services is None:
                            pids[name] = {service}
                        else:
                            services.add(service)
                        pid_added, pid_service = pid, service
                when = record.timestamp
                if when is None:
                    continue
                if when is not when_before:
                    when_before = when
                    seconds = when.timestamp()
                    bucket = int(seconds // bucket_seconds)
                if when.microsecond and service not in subsecond:
                    subsecond.add(service)
                if first is None or seconds < first:
                    first = seconds
                if last is None or seconds > last:
                    last = seconds
                if bucket == run_bucket and service is run_service:
                    run += 1
                else:
                    if run:
                        ended = (run_service, run_bucket)
                        totals[ended] = totals.get(ended, 0) + run
                    run_service, run_bucket, run = service, bucket, 1
                # what the fields may hold, known per set of keys: a reader is handed no fields
                # where they hold none of the keys it reads (it reads the text alone, the same)
                if fields:
                    keys = tuple(fields)
                    flags = key_flags.get(keys)
                    if flags is None:
                        flags = _key_flags(keys)
                    has_duration, has_id, has_status, may_alert = flags
                else:
                    has_duration = has_id = has_status = may_alert = False
                message = record.message
                outcome = message_outcome(message, fields if has_status else None)
                if outcome is not None:
                    request_count(service, outcome, bucket)
                is_request = outcome is not None
                # the first line, which durations and operational events are read from
                first_line = message.split("\n", 1)[0] if "\n" in message else message
                took = line_duration_ms(first_line, fields if has_duration else None)
                if took is not None:
                    key = (service, bucket)
                    held = durations.get(key)
                    if held is None:
                        durations[key] = [took]
                    else:
                        held.append(took)
                    slow = slowest.get(key)
                    if slow is None or took > slow[0]:
                        slowest[key] = (took, file, record.line)
                rank = RANK[level] if level is not None else 0
                if rank >= _ERROR:
                    key = (service, bucket)
                    errors[key] = errors.get(key, 0) + 1
                elif held_apart is not None:
                    key = (service, bucket)
                    counts = inferred_errors.get(held_apart)
                    if counts is None:
                        counts = inferred_errors[held_apart] = {}
                    counts[key] = counts.get(key, 0) + 1
                identifier = request_id(message, fields if has_id else None)
                if (
                    took is not None
                    and service not in serving
                    and (identifier is not None or is_request)
                ):
                    serving.add(service)
                if identifier is not None:
                    skew_add(identifier, service, when)
                    if rank >= _WARNING:
                        trace_add(identifier, service, seconds, file, record.line, rank)
                if len(operational) < MAX_OPERATIONAL:
                    kind = line_operational_event(message, first_line, fields, may_alert)
                    if kind is not None:
                        operational.append((kind, record))
        finally:
            if run:
                ended = (run_service, run_bucket)
                totals[ended] = totals.get(ended, 0) + run
            collected.records += count
            grouper.records += below
            collected.first, collected.last = first, last

    def _add_inferred(self, record: Record, level: str, key: tuple[str, bool]) -> None:
        """Group a record by the level its words imply, apart from the stated ones."""
        grouper = self._inferred.get(key)
        if grouper is None:
            grouper = self._inferred[key] = ErrorGrouper(min_level="warning")
        grouper.add(
            Record(
                record.file,
                record.line,
                record.end_line,
                record.timestamp,
                level,
                record.service,
                record.format,
                record.message,
                record.fields,
            )
        )

    def result(self, stats: SourceStats) -> PartResult:
        return PartResult(
            self.collected, self.grouper.partial(), self.skew.sightings, stats, self.traces
        )


def settle_inferred(collected: Collected, grouper: ErrorGrouper) -> set[tuple[str, int]]:
    """Fold the errors and groups that words imply into the stated ones: all of a source that
    states no levels, the strong ones of a source that does. Returns the (file, line) of the
    records folded in (their groups' levels are inferred)."""
    folded: set[tuple[str, int]] = set()
    for (file, strong), partial in collected.inferred_groups.items():
        if not strong and states_levels(*collected.stated.get(file, [0, 0])):
            continue
        alone = ErrorGrouper(min_level="warning")
        alone.merge(partial)
        for group, occurrences in alone.groups_with_occurrences():
            folded.add((group.example.file, group.example.line))
            folded.update((where, line) for _, where, line in occurrences)
        grouper.merge(partial)
        for key, number in collected.inferred_errors.get((file, strong), {}).items():
            collected.errors[key] = collected.errors.get(key, 0) + number
    collected.inferred_groups = {}
    collected.inferred_errors = {}
    return folded


def _joined(first: GrouperPartial, second: GrouperPartial) -> GrouperPartial:
    grouper = ErrorGrouper(min_level="warning")
    grouper.merge(first)
    grouper.merge(second)
    return grouper.partial()


def all_inferred(
    occurrences: Sequence[tuple[float, str, int]], example: Example, folded: set[tuple[str, int]]
) -> bool:
    """True when every record of a group (its example, when none is dated) had its level
    inferred."""
    if not folded:
        return False
    if not occurrences:
        return (example.file, example.line) in folded
    return all((file, line) in folded for _, file, line in occurrences)


def collect_part(
    parser: SourceParser, bucket_seconds: int, keep: RecordFilter | None
) -> PartResult:
    collector = Collector(bucket_seconds)
    records = iter(parser)
    collector.add_all(keep(records) if keep is not None else records)
    return collector.result(parser.stats)


def collect_planned(part: Part, bucket_seconds: int, keep: RecordFilter | None) -> PartResult:
    """A planned part of a file (module level: worker processes run it)."""
    return collect_part(part.parser(), bucket_seconds, keep)


def merge_part_results(first: PartResult, second: PartResult) -> PartResult:
    """Two consecutive parts of one file as one (the index keeps a file's prefix so). Both
    are handed over: `first`'s counts, traces and sightings become the merged ones, and
    `second`'s sightings are taken into them, not copied (a part names up to `MAX_IDS`)."""
    first.collected.merge(second.collected)
    grouper = ErrorGrouper(min_level="warning")
    grouper.merge(first.groups)
    grouper.merge(second.groups)
    skew = SkewEstimator.taking(first.sightings)
    skew.merge(second.sightings, owned=True)
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


def collect_remote(remote: RemoteSource, window: QueryScope, bucket_seconds: int) -> PartResult:
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
        kind = operational_event(record.message, record.fields)
        if kind is not None:
            collected.operational.append((kind, record))
