"""The main job: from the logs of several services to where the incident started, how it
spread, whether it is still going, and the evidence for each claim.

One pass over every record collects the rates per bucket and service, the error groups with
the time of each occurrence, request-id sightings for clock skew, and operational events. The
rest works on those summaries:

1. the change point of the total error rate against the calm baseline (`rates`);
2. each group classified as chronic (steady since the calm period), novel or surging;
3. the first failure: the earliest novel or surging group near the onset, on the corrected
   clock, never a chronic one;
4. the cascade: services in the order their incident groups began, each linked to the earlier
   service its errors name (or, failing that, that it follows);
5. root-cause hypotheses, the timeline, the error-rate series and the trend verdict.
"""

from __future__ import annotations

import heapq
import re
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from ..filters import RecordFilter
from ..index import Analysis, IndexReport, IndexStore, run_analysis
from ..ingest import ParseOptions, SourceParser, SourceStats, Workspace, merge_stats, open_paths
from ..levels import RANK
from ..mining.groups import ErrorGroup, ErrorGrouper, Example, GrouperPartial
from ..models import SourceSummary
from ..records import Record
from ..remote import RemoteSource, open_remote, remote_window
from ..remote.base import Window as RemoteWindow
from ..remote.uri import is_remote
from ..sources.discover import Source
from ..sources.reader import LineReader
from . import rates
from .events import OPERATIONAL_WORDS, operational_event
from .latency import Latency, LatencyPoint, duration_ms, percentile
from .parallel import Part, part_bytes, plan, run_parts, worker_count
from .progress import NoProgress, ProgressSink, size_of, total_of
from .report import (
    CascadeStep,
    ErrorRate,
    FirstFailure,
    Hypothesis,
    InvestigatedGroup,
    Investigation,
    RatePoint,
    RootCause,
    TimelineEvent,
    Window,
)
from .skew import SkewEstimator, corrected, request_id

LOOKBACK_BUCKETS = 5  # how long before the onset the first failure may be
SURGE_FACTOR = 3.0
MAX_EVENTS = 60
MIN_TIMELINE_COUNT = 10
MAX_OPERATIONAL = 200
MAX_PIDS = 10_000
WARNING_SAMPLE = 5_000  # warning records fetched from a remote engine, at most
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_GENERIC_NAME_PARTS = frozenset(
    {"service", "server", "svc", "api", "app", "worker", "main", "log", "logs", "backend", "web"}
)
# Names a client library or an error uses for the technology a service runs.
_TECHNOLOGY_WORDS = {
    "redis": ("redis", "lettuce", "jedis", "ioredis", "maxmemory"),
    "postgres": ("postgres", "postgresql", "psycopg", "pgbouncer", "jdbc", "hikari", "sqlstate"),
    "mysql": ("mysql", "mariadb", "jdbc", "hikari"),
    "kafka": ("kafka", "broker", "not_enough_replicas", "librdkafka"),
    "nginx": ("nginx", "upstream"),
    "dns": ("dns", "no such host", "lookup", "coredns", "name resolution"),
}


@dataclass
class _Collected:
    """What the single pass over the records gathers."""

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

    def merge(self, other: _Collected) -> None:
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
        if other.first is not None and (self.first is None or other.first < self.first):
            self.first = other.first
        if other.last is not None and (self.last is None or other.last > self.last):
            self.last = other.last


def investigate(
    paths: Sequence[str],
    options: ParseOptions | None = None,
    bucket_seconds: int = 60,
    keep: RecordFilter | None = None,
    workers: int | None = None,
    store: IndexStore | None = None,
    on_index: Callable[[IndexReport], None] | None = None,
    progress: ProgressSink | None = None,
) -> Investigation:
    """Investigate the incident in the logs behind `paths`. With several cores and enough
    data, parts of the input are read in worker processes; the summaries they return merge
    into the same result as one pass."""
    local = [p for p in paths if not is_remote(p)]
    remotes = [open_remote(p) for p in paths if is_remote(p)]
    workspace = open_paths(local, options or ParseOptions()) if local or not remotes else None
    count = worker_count(workers)
    remote_results = [
        _collect_remote(remote, remote_window(keep), bucket_seconds) for remote in remotes
    ]
    if workspace is None:
        return _report(remote_results, [r.stats for r in remote_results], bucket_seconds)
    index: IndexReport | None = None
    if store is not None and keep is None:
        analysis = _indexed_analysis(bucket_seconds)
        results, index = run_analysis(workspace, analysis, count, store, progress)
    else:
        sink = progress or NoProgress()
        sink.start(total_of(p.source for p in workspace.parsers))
        parts = plan(workspace, count)
        if parts is None:
            results = []
            for parser in workspace.parsers:
                results.append(_collect_part(parser, bucket_seconds, keep))
                sink.advance(size_of(parser.source))
        else:
            task = partial(_collect_planned, bucket_seconds=bucket_seconds, keep=keep)

            def done(part: Part) -> None:
                sink.advance(part_bytes(part))

            results = run_parts(parts, task, count, on_done=done)
    stats: dict[Source, list[SourceStats]] = {}
    for result in results:
        stats.setdefault(result.stats.source, []).append(result.stats)
    for parser in workspace.parsers:
        parser.stats = merge_stats(stats.get(parser.source, [parser.stats]))
    if on_index is not None and index is not None:
        on_index(index)
    every = [*results, *remote_results]
    return _report(every, [*workspace.stats, *(r.stats for r in remote_results)], bucket_seconds)


def _report(
    results: Sequence[_PartResult], stats: Sequence[SourceStats], bucket_seconds: int
) -> Investigation:
    """The investigation from the parts' results, merged in order."""
    collected = _Collected(bucket_seconds)
    grouper = ErrorGrouper(min_level="warning")
    skew_estimator = SkewEstimator()
    for result in results:
        collected.merge(result.collected)
        grouper.merge(result.groups)
        skew_estimator.merge(result.sightings)
    sources = [SourceSummary.from_stats(s) for s in stats]
    report = _analyse(collected, grouper, skew_estimator.estimate(), sources)
    # what to do now: the knowledge base of failure signatures, applied to what was found
    from ..knowledge.match import recommend  # the knowledge layer builds on this one

    report.recommendations = recommend(report)
    return report


def _collect_remote(remote: RemoteSource, window: RemoteWindow, bucket_seconds: int) -> _PartResult:
    """A remote engine's part: rates from one aggregation, groups from the warning-and-above
    records it sends, operational events from the few lower records its text filter keeps."""
    collected = _Collected(bucket_seconds)
    grouper = ErrorGrouper(min_level="warning")
    skew = SkewEstimator()
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
        grouper.add(record)
        identifier = request_id(record.message, record.fields)
        if identifier is not None and record.timestamp is not None:
            skew.add(identifier, record.service, record.timestamp)
        _operational(record, collected)
    if warnings > sampled:
        stats.warnings.append(
            f"warnings sampled: {sampled:,} of {warnings:,} fetched; warning groups count the "
            "sample (errors are complete)"
        )
    for record in remote.operational(window, OPERATIONAL_WORDS, MAX_OPERATIONAL):
        _operational(record, collected)
    stats.service = next(iter(stats.services.most_common(1)), ("", 0))[0]
    return _PartResult(collected, grouper.partial(), skew.sightings, stats)


def _operational(record: Record, collected: _Collected) -> None:
    if len(collected.operational) < MAX_OPERATIONAL:
        kind = operational_event(record.message)
        if kind is not None:
            collected.operational.append((kind, record))


def investigate_records(
    records: Iterable[Record],
    sources: list[SourceSummary],
    bucket_seconds: int = 60,
    keep: RecordFilter | None = None,
) -> Investigation:
    """The same investigation from records already in memory (an agent's workspace, which
    parses its sources once and answers many questions from them)."""
    collected = _Collected(bucket_seconds)
    grouper = ErrorGrouper(min_level="warning")
    skew = SkewEstimator()
    for record in keep(records) if keep is not None else records:
        _collect(record, collected, grouper, skew)
    report = _analyse(collected, grouper, skew.estimate(), sources)
    from ..knowledge.match import recommend

    report.recommendations = recommend(report)
    return report


def _indexed_analysis(bucket_seconds: int) -> Analysis[_PartResult]:
    """The investigation's per-file summaries, as the on-disk index keeps them."""
    return Analysis(
        "investigate",
        f"bucket={bucket_seconds}",
        partial(_collect_planned, bucket_seconds=bucket_seconds, keep=None),
        _merge_part_results,
        _stats_of,
    )


def read_sources(
    paths: Sequence[str],
    options: ParseOptions | None = None,
    store: IndexStore | None = None,
    workers: int | None = None,
    progress: ProgressSink | None = None,
) -> tuple[Workspace, IndexReport | None]:
    """Every source read for its statistics (`sources`). Through the index, the entries are
    the investigation's own: `sources` then `investigate` reads each file once."""
    workspace = open_paths(paths, options or ParseOptions())
    if store is None:
        for _ in workspace.records():
            pass
        return workspace, None
    results, index = run_analysis(
        workspace, _indexed_analysis(60), worker_count(workers), store, progress
    )
    for parser, result in zip(workspace.parsers, results, strict=True):
        parser.stats = result.stats
    return workspace, index


def _merge_part_results(first: _PartResult, second: _PartResult) -> _PartResult:
    """Two consecutive parts of one file as one (the index keeps a file's prefix so)."""
    first.collected.merge(second.collected)
    grouper = ErrorGrouper(min_level="warning")
    grouper.merge(first.groups)
    grouper.merge(second.groups)
    skew = SkewEstimator()
    skew.merge(first.sightings)
    skew.merge(second.sightings)
    return _PartResult(
        first.collected, grouper.partial(), skew.sightings, merge_stats([first.stats, second.stats])
    )


def _stats_of(result: _PartResult) -> SourceStats:
    return result.stats


@dataclass
class _PartResult:
    """What one part of the input (a source, or a range of one) yields to the merge."""

    collected: _Collected
    groups: GrouperPartial
    sightings: dict[str, dict[str, float]]
    stats: SourceStats


def _collect_part(
    parser: SourceParser, bucket_seconds: int, keep: RecordFilter | None
) -> _PartResult:
    collected = _Collected(bucket_seconds)
    grouper = ErrorGrouper(min_level="warning")
    skew = SkewEstimator()
    records = iter(parser)
    for record in keep(records) if keep is not None else records:
        _collect(record, collected, grouper, skew)
    return _PartResult(collected, grouper.partial(), skew.sightings, parser.stats)


def _collect_planned(part: Part, bucket_seconds: int, keep: RecordFilter | None) -> _PartResult:
    return _collect_part(part.parser(), bucket_seconds, keep)


def _collect(
    record: Record, collected: _Collected, grouper: ErrorGrouper, skew: SkewEstimator
) -> None:
    collected.records += 1
    grouper.add(record)
    fields = record.fields
    if fields is not None:
        pid = fields.get("pid")
        if pid is not None and (len(collected.pids) < MAX_PIDS or pid in collected.pids):
            collected.pids.setdefault(str(pid), set()).add(record.service)
    when = record.timestamp
    if when is None:
        return
    seconds = when.timestamp()
    if collected.first is None or seconds < collected.first:
        collected.first = seconds
    if collected.last is None or seconds > collected.last:
        collected.last = seconds
    key = (record.service, int(seconds // collected.bucket_seconds))
    collected.totals[key] = collected.totals.get(key, 0) + 1
    took = duration_ms(record.message, fields)
    if took is not None:
        collected.durations.setdefault(key, []).append(took)
    level = record.level
    if level is not None and RANK[level] >= RANK["error"]:
        collected.errors[key] = collected.errors.get(key, 0) + 1
    identifier = request_id(record.message, record.fields)
    if identifier is not None:
        skew.add(identifier, record.service, when)
    if len(collected.operational) < MAX_OPERATIONAL:
        kind = operational_event(record.message)
        if kind is not None:
            collected.operational.append((kind, record))


@dataclass
class _Classified:
    group: ErrorGroup
    occurrences: list[tuple[float, str, int]]  # corrected epoch seconds, file, line
    chronic: bool
    novel: bool
    surging: bool
    onset: tuple[float, str, int] | None  # where its part in the incident begins


def _analyse(
    collected: _Collected,
    grouper: ErrorGrouper,
    skew: dict[str, float],
    sources: list[SourceSummary],
) -> Investigation:
    width = collected.bucket_seconds
    if collected.first is None or collected.last is None:
        return _empty(collected, grouper, skew, sources)
    first_bucket = int(collected.first // width)
    last_bucket = int(collected.last // width)
    errors = rates.build_series(collected.errors, width, first_bucket, last_bucket)
    totals = rates.build_series(collected.totals, width, first_bucket, last_bucket)
    error_total = errors.total()
    baseline, onset_index = rates.settle(error_total)
    end_fraction = (collected.last % width) / width
    complete = errors.length - (1 if end_fraction < 0.5 and errors.length > 1 else 0)
    start_epoch = errors.start.timestamp()
    calm_end = start_epoch + baseline.calm_buckets * width
    onset_epoch = start_epoch + onset_index * width if onset_index is not None else None

    classified = [
        _classify(group, occurrences, skew, calm_end, onset_epoch, collected.last, width)
        for group, occurrences in grouper.groups_with_occurrences()
    ]
    incident = rates.build_series(
        _incident_counts(classified, width), width, first_bucket, last_bucket
    )
    trend = rates.trend_of_incident(incident.total(), onset_index, complete, width)
    first_failure, early = _first_failure(classified, onset_epoch, width)
    cascade = _cascade(classified, errors, onset_epoch, width)
    services = sorted(
        {source.service for source in sources} | {c.group.service for c in classified}
    )
    root = _root_cause(first_failure, cascade, classified, services, collected.pids)
    timeline = _timeline(
        classified,
        collected,
        errors,
        error_total,
        baseline,
        onset_index,
        totals,
        skew,
        {step.group_id for step in cascade},
    )
    latency = _latency(collected.durations, width, first_bucket, last_bucket)
    if latency is not None and first_failure is not None:
        timeline.extend(_latency_rises(latency, first_failure.timestamp, width))
        timeline.sort(key=lambda e: (e.timestamp, e.service))
    return Investigation(
        latency=latency,
        sources=sources,
        records=collected.records,
        window=Window(start=_at(collected.first), end=_at(collected.last)),
        trend=trend,
        onset=_at(onset_epoch) if onset_epoch is not None else None,
        first_failure=first_failure,
        early_signals=early,
        root_cause=root,
        cascade=cascade,
        error_groups=[_investigated(c) for c in classified],
        timeline=timeline,
        error_rate=ErrorRate(
            bucket_seconds=width,
            baseline=round(baseline.median, 2),
            threshold=round(baseline.threshold, 2),
            series=[
                RatePoint(
                    start=errors.bucket_start(index),
                    counts={s: c[index] for s, c in sorted(errors.by_key.items()) if c[index]},
                )
                for index in range(errors.length)
            ],
        ),
        skew_seconds=skew,
        recommendations=[],
    )


def _classify(
    group: ErrorGroup,
    occurrences: list[tuple[float, str, int]],
    skew: dict[str, float],
    calm_end: float,
    onset: float | None,
    window_end: float,
    width: int,
) -> _Classified:
    offset = skew.get(group.service, 0.0)
    shifted = [(t - offset, f, n) for t, f, n in occurrences] if offset else occurrences
    shifted.sort()
    in_calm = sum(1 for t, _, _ in shifted if t < calm_end)
    novel = in_calm == 0
    surging = False
    group_onset: tuple[float, str, int] | None = shifted[0] if novel and shifted else None
    if not novel and onset is not None:
        calm_rate = in_calm / max(1.0, (calm_end - shifted[0][0]) / width)
        after = [o for o in shifted if o[0] >= onset - width]
        span = max(1.0, (window_end - (onset - width)) / width)
        # the busiest stretch after the onset, not the average over a long recovery
        peak_rate = _peak_rate(after, width)
        # a burst above the calm rate, and a sustained doubling: a sparse chronic error
        # that happens to bunch up once is not a surge
        if (
            after
            and peak_rate > SURGE_FACTOR * calm_rate + 2
            and len(after) / span >= 2 * calm_rate
        ):
            surging = True
            group_onset = after[0]
    chronic = not novel and not surging
    return _Classified(group, shifted, chronic, novel, surging, group_onset)


def _incident_counts(classified: list[_Classified], width: int) -> dict[tuple[str, int], int]:
    """Occurrences of the incident's groups (novel or surging, warning and above) per bucket:
    the series the verdict is given on, free of chronic noise."""
    counts: dict[tuple[str, int], int] = {}
    for item in classified:
        if item.chronic or item.onset is None:
            continue
        for when, _, _ in item.occurrences:
            if when >= item.onset[0]:
                key = (item.group.service, int(when // width))
                counts[key] = counts.get(key, 0) + 1
    return counts


def _peak_rate(occurrences: list[tuple[float, str, int]], width: int) -> float:
    counts: dict[int, int] = {}
    for when, _, _ in occurrences:
        bucket = int(when // width)
        counts[bucket] = counts.get(bucket, 0) + 1
    return float(max(counts.values(), default=0))


def _first_failure(
    classified: list[_Classified], onset: float | None, width: int
) -> tuple[FirstFailure | None, list[FirstFailure]]:
    """The earliest incident group near the onset. Chronic groups never qualify; a lone
    warning needs company (a count of three, or an error level) to be taken for a failure."""
    if onset is None:
        return None, []
    earliest, latest = onset - LOOKBACK_BUCKETS * width, onset + 2 * width
    candidates = [
        c
        for c in classified
        if c.onset is not None and earliest <= c.onset[0] < latest and _qualifies(c)
    ]
    candidates.sort(key=lambda c: (c.onset[0], -RANK[c.group.level]) if c.onset else (0, 0))
    if not candidates:
        return None, []
    chosen = candidates[0]
    signals = [
        _failure(c)
        for c in classified
        if c.onset is not None
        and c is not chosen
        and c.group.level == "warning"
        and _qualifies(c)
        and earliest <= c.onset[0] < chosen.onset[0]  # type: ignore[index]
    ]
    return _failure(chosen), signals


def _qualifies(item: _Classified) -> bool:
    """Part of the incident, not a stray line: an error, or a warning seen more than once."""
    return RANK[item.group.level] >= RANK["error"] or item.group.count >= 2


def _failure(item: _Classified) -> FirstFailure:
    assert item.onset is not None
    when, file, line = item.onset
    group = item.group
    text = group.example.text if (file, line) == (group.example.file, group.example.line) else ""
    return FirstFailure(
        service=group.service,
        file=file,
        line=line,
        timestamp=_at(when),
        group_id=group.id,
        label=group.label,
        text=text or group.template,
    )


def _names_for(service: str) -> set[str]:
    """The words by which other services' errors may name `service`."""
    parts = {p for p in re.split(r"[-_.\s/]+", service.lower()) if p} - _GENERIC_NAME_PARTS
    names = set(parts) | {service.lower()}
    for technology, words in _TECHNOLOGY_WORDS.items():
        if any(technology in part for part in parts):
            names.update(words)
    return {name for name in names if len(name) >= 3}


def _when(item: _Classified) -> float:
    """When a group's part in the incident began (corrected epoch seconds)."""
    assert item.onset is not None
    return item.onset[0]


def _names(texts: list[str], service: str) -> bool:
    """True when one of `texts` names `service` (or the technology it runs)."""
    names = _names_for(service)
    return any(name in text for text in texts for name in names)


def _cascade(
    classified: list[_Classified], errors: rates.Series, onset: float | None, width: int
) -> list[CascadeStep]:
    if onset is None:
        return []
    earliest = onset - LOOKBACK_BUCKETS * width
    starts: dict[str, _Classified] = {}
    texts: dict[str, list[str]] = {}
    for item in classified:
        if item.onset is None or _when(item) < earliest or not _qualifies(item):
            continue
        service = item.group.service
        texts.setdefault(service, []).append(
            " ".join(
                (
                    item.group.template,
                    item.group.example.text,
                    item.group.label,
                    item.group.exception or "",
                )
            ).lower()
        )
        if service not in starts or _when(item) < _when(starts[service]):
            starts[service] = item
    ordered = sorted(starts.values(), key=lambda c: _when(c))
    steps: list[CascadeStep] = []
    for position, item in enumerate(ordered):
        service = item.group.service
        caused_by: str | None = None
        evidence: list[str] = []
        confidence = 0.0
        if position > 0:
            before = [c.group.service for c in ordered[:position]]
            mentioned = [
                earlier for earlier in reversed(before) if _names(texts.get(service, []), earlier)
            ]
            caused_by = mentioned[0] if mentioned else before[-1]
            gap = max(0.0, _when(item) - _when(starts[caused_by]))
            evidence.append(f"began {gap:.1f} s after {caused_by}")
            confidence = 0.4
            if mentioned:
                evidence.append(f"its errors name {caused_by}")
                confidence += 0.3
            correlation = _correlation(errors.by_key.get(service), errors.by_key.get(caused_by))
            if correlation >= 0.5:
                evidence.append(f"error rates move together (r={correlation:.2f})")
                confidence += 0.2
            if gap <= 2 * width:
                confidence += 0.05
        steps.append(
            CascadeStep(
                service=service,
                onset=_at(_when(item)),
                group_id=item.group.id,
                label=item.group.label,
                caused_by=caused_by,
                confidence=round(min(confidence, 0.95), 2),
                evidence=evidence,
            )
        )
    return steps


def _correlation(first: list[int] | None, second: list[int] | None) -> float:
    if not first or not second or len(first) != len(second) or len(first) < 3:
        return 0.0
    n = len(first)
    mean_a, mean_b = sum(first) / n, sum(second) / n
    cov = sum((a - mean_a) * (b - mean_b) for a, b in zip(first, second, strict=True))
    var_a = sum((a - mean_a) ** 2 for a in first)
    var_b = sum((b - mean_b) ** 2 for b in second)
    if var_a <= 0 or var_b <= 0:
        return 0.0
    return float(cov / (var_a * var_b) ** 0.5)


def _root_cause(
    first: FirstFailure | None,
    cascade: list[CascadeStep],
    classified: list[_Classified],
    services: list[str],
    pids: dict[str, set[str]],
) -> RootCause | None:
    if first is None or not cascade:
        return None
    by_id = {c.group.id: c for c in classified}
    followers = [step for step in cascade if step.caused_by is not None]
    hypotheses: list[Hypothesis] = []
    for rank, step in enumerate(cascade):
        item = by_id[step.group_id]
        downstream = [f.service for f in followers if f.caused_by == step.service]
        named_by = [
            f.service
            for f in followers
            if f.caused_by == step.service and any("name" in e for e in f.evidence)
        ]
        confidence = max(0.1, 0.85 - 0.25 * rank) + (0.1 if named_by else 0.0)
        if step.group_id == first.group_id:
            confidence += 0.05
        lead = ""
        if len(cascade) > 1 and rank == 0:
            gap = (cascade[1].onset - step.onset).total_seconds()
            lead = f", {gap:.0f} s before the first errors elsewhere ({cascade[1].service})"
        summary = (
            f"{step.service} failed first: {item.group.label} at "
            f"{step.onset.strftime('%H:%M:%S')}{lead}. "
            if rank == 0
            else f"{step.service} began failing at {step.onset.strftime('%H:%M:%S')} "
            f"({item.group.label}). "
        )
        if downstream:
            summary += (
                f"{', '.join(downstream)} followed"
                + (
                    f"; {', '.join(named_by)} name {step.service} in their errors"
                    if named_by
                    else ""
                )
                + ". "
            )
        if item.novel:
            summary += "This error was absent from the calm period before the incident. "
        elif item.surging:
            summary += "This error was present before, but its rate jumped at the onset. "
        summary += f"{item.group.count} occurrences in the window."
        evidence = [
            item.group.example,
            *[by_id[f.group_id].group.example for f in followers if f.caused_by == step.service][
                :4
            ],
        ]
        hypotheses.append(
            Hypothesis(
                service=step.service,
                group_id=step.group_id,
                label=item.group.label,
                summary=summary,
                confidence=round(min(confidence, 0.95), 2),
                evidence=evidence,
            )
        )
    named = _named_by_first_failure(first, services, pids)
    if named is not None:
        service, line = named
        named_step = next((c for c in cascade if c.service == service), None)
        group = (
            by_id[named_step.group_id].group
            if named_step is not None
            else by_id[first.group_id].group
        )
        hypotheses.append(
            Hypothesis(
                service=service,
                group_id=group.id,
                label=group.label,
                summary=(
                    f"{first.service} reported the first failure at "
                    f"{first.timestamp.strftime('%H:%M:%S')} ({first.label}), and the lines "
                    f"that report it name {service}: {line.strip()[:200]}. {first.service} is "
                    f"where it showed; {service} is what failed."
                ),
                confidence=0.9,
                evidence=[
                    Example(file=first.file, line=first.line, text=first.text[:500]),
                    *([group.example] if named_step is not None else []),
                ],
            )
        )
    hypotheses.sort(key=lambda h: -h.confidence)
    if named is not None:  # the service the first failure names leads
        hypotheses.insert(
            0,
            hypotheses.pop(
                next(
                    i
                    for i, h in enumerate(hypotheses)
                    if h.summary.startswith(f"{first.service} reported")
                )
            ),
        )
    best = hypotheses[0]
    return RootCause(**best.model_dump(), hypotheses=hypotheses)


_KILLED_PID = re.compile(r"\b[Kk]illed process (\d+)")
# A server out of its own resource failed by itself, whoever's request met the failure.
_OWN_EXHAUSTION = re.compile(
    r"No space left on device|could not extend file|Cannot allocate memory|out of memory|"
    r"Too many open files|disk quota exceeded",
    re.IGNORECASE,
)


def _named_by_first_failure(
    first: FirstFailure, services: list[str], pids: dict[str, set[str]]
) -> tuple[str, str] | None:
    """(service, line) when the first failure's own line names another service that logged
    errors: a proxy rejecting its upstream's certificate, a database refusing a job's
    connections (`billing@shop`), the kernel killing a process another service logged under
    its pid. The one named is then the likelier cause. A server out of disk or memory is not
    blamed on whoever met the failure."""
    try:
        lines = _read_lines(first.file, first.line, first.line)
    except OSError:
        return None
    own = _names_for(first.service)
    for _, text in lines:
        killed = _KILLED_PID.search(text)
        if killed is not None:
            owners = pids.get(killed.group(1), set()) - {first.service}
            if len(owners) == 1:
                return next(iter(owners)), text
        if _OWN_EXHAUSTION.search(text):
            continue
        lowered = text.lower()
        for service in services:
            if service == first.service:
                continue
            names = _names_for(service) - own
            if any(re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", lowered) for name in names):
                return service, text
    return None


def _read_lines(path: str, start: int, end: int) -> list[tuple[int, str]]:
    """Lines `start`..`end` (1-based) of a file, read through the package's own reader."""
    reader = LineReader(Path(path))
    found = []
    for number, text in enumerate(reader.lines(), 1):
        if number > end:
            break
        if number >= start:
            found.append((number, text))
    return found


def _timeline(
    classified: list[_Classified],
    collected: _Collected,
    errors: rates.Series,
    error_total: list[int],
    baseline: rates.Baseline,
    onset_index: int | None,
    totals: rates.Series,
    skew: dict[str, float],
    cascade_groups: set[str],
) -> list[TimelineEvent]:
    events: list[TimelineEvent] = []
    window_start = errors.start.timestamp()
    earliest = (
        window_start + (onset_index - LOOKBACK_BUCKETS) * errors.bucket_seconds
        if onset_index is not None
        else None
    )
    onset_groups = cascade_groups
    for item in classified:
        if item.onset is None or not _qualifies(item):
            continue
        if earliest is not None and item.onset[0] < earliest:
            continue
        # a service's first incident error always; later ones only when they matter
        if item.group.id not in onset_groups and item.group.count < MIN_TIMELINE_COUNT:
            continue
        when, file, line = item.onset
        what = "new" if item.novel else "surging"
        events.append(
            TimelineEvent(
                timestamp=_at(when),
                service=item.group.service,
                kind="first-error",
                event=f"{what}: {item.group.label} ({item.group.count} in window)",
                file=file,
                line=line,
            )
        )
    if onset_index is not None:
        events.append(
            TimelineEvent(
                timestamp=errors.bucket_start(onset_index),
                service="*",
                kind="spike",
                event=f"error rate rises to {error_total[onset_index]}/bucket "
                f"(baseline {baseline.median:g})",
                file=None,
                line=None,
            )
        )
        peak = max(range(onset_index, len(error_total)), key=error_total.__getitem__)
        events.append(
            TimelineEvent(
                timestamp=errors.bucket_start(peak),
                service="*",
                kind="peak",
                event=f"error rate peaks at {error_total[peak]}/bucket",
                file=None,
                line=None,
            )
        )
        recovery = rates.recovery_of(error_total, baseline, onset_index)
        if recovery is not None:
            events.append(
                TimelineEvent(
                    timestamp=errors.bucket_start(recovery),
                    service="*",
                    kind="recovery",
                    event="error rate back to baseline",
                    file=None,
                    line=None,
                )
            )
    for service, counts in sorted(totals.by_key.items()):
        calm = rates.baseline_of(counts)
        for index in rates.drops(counts, calm):
            events.append(
                TimelineEvent(
                    timestamp=totals.bucket_start(index),
                    service=service,
                    kind="drop",
                    event=f"{service} goes quiet: {counts[index]} lines/bucket, "
                    f"{calm.median:g} before",
                    file=None,
                    line=None,
                )
            )
    for kind, record in collected.operational:
        assert record.timestamp is not None
        events.append(
            TimelineEvent(
                timestamp=_at(corrected(record.timestamp, record.service, skew)),
                service=record.service,
                kind=kind,
                event=record.message.split("\n", 1)[0][:160],
                file=record.file,
                line=record.line,
            )
        )
    events.sort(key=lambda e: (e.timestamp, e.service))
    if len(events) > MAX_EVENTS:
        keep = [e for e in events if e.kind != "first-error" or e.file is not None]
        events = keep[:MAX_EVENTS]
    return events


def _latency(
    durations: dict[tuple[str, int], list[float]], width: int, first: int, last: int
) -> Latency | None:
    """p50/p95/p99 per bucket and service (nearest rank), where records carry durations."""
    if not durations:
        return None
    points = []
    for bucket in range(first, last + 1):
        point = LatencyPoint(
            start=_at(bucket * width).isoformat(), count={}, p50={}, p95={}, p99={}
        )
        for (service, at), values in sorted(durations.items()):
            if at != bucket or not values:
                continue
            ordered = sorted(values)
            point.count[service] = len(ordered)
            point.p50[service] = round(percentile(ordered, 0.50), 3)
            point.p95[service] = round(percentile(ordered, 0.95), 3)
            point.p99[service] = round(percentile(ordered, 0.99), 3)
        points.append(point)
    return Latency(bucket_seconds=width, series=points)


LATENCY_RISE = 3.0
MIN_LATENCY_SAMPLES = 5


def _latency_rises(latency: Latency, first: datetime, width: int) -> list[TimelineEvent]:
    """A service whose p95 latency rose (three times its calm level) in the minutes before the
    first failure: slowness is often the first sign, before any error."""
    events = []
    first_index = int(
        (first.timestamp() - datetime.fromisoformat(latency.series[0].start).timestamp()) // width
    )
    calm = latency.series[: max(1, first_index - LOOKBACK_BUCKETS)]
    services = {s for point in latency.series for s in point.p95}
    for service in sorted(services):
        levels = [p.p95[service] for p in calm if p.count.get(service, 0) >= MIN_LATENCY_SAMPLES]
        if not levels:
            continue
        usual = statistics.median(levels)
        window = latency.series[max(0, first_index - LOOKBACK_BUCKETS) : first_index + 1]
        for point in window:
            value = point.p95.get(service)
            if (
                value is not None
                and point.count.get(service, 0) >= MIN_LATENCY_SAMPLES
                and (value > LATENCY_RISE * usual)
            ):
                events.append(
                    TimelineEvent(
                        timestamp=datetime.fromisoformat(point.start),
                        service=service,
                        kind="latency",
                        event=f"p95 latency of {service} rises to {value:g} ms (usually {usual:g})",
                        file=None,
                        line=None,
                    )
                )
                break
    return events


def _investigated(item: _Classified) -> InvestigatedGroup:
    return InvestigatedGroup(
        **item.group.model_dump(),
        chronic=item.chronic,
        novel=item.novel,
        surging=item.surging,
        onset=_at(item.onset[0]) if item.onset is not None else None,
    )


def _empty(
    collected: _Collected,
    grouper: ErrorGrouper,
    skew: dict[str, float],
    sources: list[SourceSummary],
) -> Investigation:
    return Investigation(
        sources=sources,
        records=collected.records,
        window=Window(start=None, end=None),
        trend=rates.TREND_NONE,
        onset=None,
        first_failure=None,
        early_signals=[],
        root_cause=None,
        cascade=[],
        error_groups=[
            InvestigatedGroup(
                **g.model_dump(), chronic=False, novel=False, surging=False, onset=None
            )
            for g in grouper.groups()
        ],
        timeline=[],
        error_rate=ErrorRate(
            bucket_seconds=collected.bucket_seconds, baseline=0, threshold=0, series=[]
        ),
        skew_seconds=skew,
        recommendations=[],
    )


def _at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)
