"""The main job: from the logs of several services to where the incident started, how it
spread, whether it is still going, and the evidence for each claim.

One pass over every record (`collect`) gathers rates per bucket and service, the error groups
with the time of each occurrence, request ids, durations and operational events. The rest
works on those summaries, one concern per module:

1. `rates`: the change point of the total error rate against the calm baseline;
2. `onsets`: each group new, surging (dated by its change, not its first member) or chronic;
3. `first_failure`: the earliest onset of the incident's evidence, on corrected clocks, near
   the rate's change point or, with no spike, near the weightiest new group;
4. `tracing`: failing requests followed across services by their shared ids;
5. `cascade`: services in onset order, each linked to its cause by evidence only;
6. `root_cause`: the culprit over the reporter, with the top hypotheses;
7. `timeline`: what happened when, and the latency around it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from functools import partial

from ..filters import RecordFilter
from ..index import Analysis, IndexReport, IndexStore, run_analysis
from ..ingest import OpenedSources, ParseOptions, SourceStats, merge_stats, open_paths
from ..mining import MINING_VERSION
from ..mining.groups import ErrorGrouper
from ..models import SourceSummary
from ..records import Record
from ..remote import open_remote, remote_window
from ..remote.uri import is_remote
from ..sources.discover import Source
from . import rates
from .cascade import link, service_onsets
from .collect import (
    Collected,
    Collector,
    PartResult,
    all_inferred,
    collect_planned,
    collect_remote,
    merge_part_results,
    settle_inferred,
    stats_of,
)
from .first_failure import anchor_of, first_failure, in_incident, qualifies
from .identity import is_proxy, merged_ordinals
from .impact import impact
from .onsets import GroupOnset, classify, mark_accompanied
from .parallel import Part, worker_count
from .progress import ProgressSink
from .report import (
    CascadeStep,
    ErrorRate,
    FirstFailure,
    InvestigatedGroup,
    Investigation,
    RatePoint,
    RootCause,
    Window,
)
from .root_cause import root_cause
from .skew import NOTICEABLE_SECONDS, SkewEstimator
from .slowness import slow_services
from .span import Span, populated_span
from .timeline import last_error, latency_rises, latency_series, milestones, timeline
from .tracing import TraceBook, TraceVotes, vote, widest_failure
from .volume import files_of, surged_near, volume_surges
from .widths import fitting_width

TRACE_TIE_SECONDS = 0.25  # below this, a skew-corrected order inside a request is a tie
ANALYSIS_VERSION = 7  # bump when a part's summary changes (index entries; 5: serving; 6: alerts;
# 7: lone surrogates of JSON text replaced)


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
        collect_remote(remote, remote_window(keep), bucket_seconds) for remote in remotes
    ]
    if workspace is None:
        return _report(remote_results, [r.stats for r in remote_results], bucket_seconds)
    # A window is not what the index keeps: such a run reads every file, in parts as the
    # indexed run does (`run_analysis` with no store), and keeps nothing.
    indexed = store if keep is None else None
    results, report = run_analysis(
        workspace, _analysis(bucket_seconds, keep), count, indexed, progress
    )
    index = report if indexed is not None else None
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
    results: Sequence[PartResult], stats: Sequence[SourceStats], bucket_seconds: int
) -> Investigation:
    """The investigation from the parts' results, merged in order."""
    collected = Collected(bucket_seconds)
    grouper = ErrorGrouper(min_level="warning")
    skew_estimator = SkewEstimator()
    traces = TraceBook()
    for result in results:
        collected.merge(result.collected)
        grouper.merge(result.groups)
        skew_estimator.merge(result.sightings)
        traces.merge(result.traces)
    sources = [SourceSummary.from_stats(s) for s in stats]
    report = _analyse(collected, grouper, skew_estimator, traces, sources)
    report.impact = impact(collected.requests, report)
    # what to do now: the knowledge base of failure signatures, applied to what was found
    from ..knowledge.match import recommend  # the knowledge layer builds on this one

    report.recommendations = recommend(report)
    return report


def investigate_records(
    records: Iterable[Record],
    sources: list[SourceSummary],
    bucket_seconds: int = 60,
    keep: RecordFilter | None = None,
) -> Investigation:
    """The same investigation from records already in memory (an agent's workspace, which
    parses its sources once and answers many questions from them)."""
    collector = Collector(bucket_seconds)
    collector.add_all(keep(records) if keep is not None else records)
    collected = collector.collected
    report = _analyse(collected, collector.grouper, collector.skew, collector.traces, sources)
    report.impact = impact(collected.requests, report)
    from ..knowledge.match import recommend

    report.recommendations = recommend(report)
    return report


def _analysis(bucket_seconds: int, keep: RecordFilter | None = None) -> Analysis[PartResult]:
    """The investigation's per-file summaries (as the on-disk index keeps them when `keep` is
    None)."""
    return Analysis(
        "investigate",
        f"bucket={bucket_seconds};v={ANALYSIS_VERSION};mining={MINING_VERSION}",
        partial(collect_planned, bucket_seconds=bucket_seconds, keep=keep),
        merge_part_results,
        stats_of,
    )


def read_sources(
    paths: Sequence[str],
    options: ParseOptions | None = None,
    store: IndexStore | None = None,
    workers: int | None = None,
    progress: ProgressSink | None = None,
) -> tuple[OpenedSources, IndexReport | None]:
    """Every source read for its statistics (`sources`). Through the index, the entries are
    the investigation's own: `sources` then `investigate` reads each file once."""
    workspace = open_paths(paths, options or ParseOptions())
    if store is None:  # the statistics alone, from every part of every file
        counted, _ = run_analysis(workspace, _COUNTED, worker_count(workers), None, progress)
        for parser, stats in zip(workspace.parsers, counted, strict=True):
            parser.stats = stats
        return workspace, None
    results, index = run_analysis(workspace, _analysis(60), worker_count(workers), store, progress)
    for parser, result in zip(workspace.parsers, results, strict=True):
        parser.stats = result.stats
    return workspace, index


def _counted_part(part: Part) -> SourceStats:
    """A part's statistics: every record read, nothing kept (module level: workers run it)."""
    parser = part.parser()
    for _ in parser:
        pass
    return parser.stats


def _merged_counts(first: SourceStats, second: SourceStats) -> SourceStats:
    return merge_stats([first, second])


def _same(stats: SourceStats) -> SourceStats:
    return stats


_COUNTED: Analysis[SourceStats] = Analysis(
    "sources", "", _counted_part, _merged_counts, _same, merge_stats
)


def _rename(
    mapping: dict[str, str],
    collected: Collected,
    grouper: ErrorGrouper,
    skew: SkewEstimator,
    traces: TraceBook,
) -> None:
    """One identity per service: counts, groups and request sightings under the name the
    service is known by (`search-1` logging alone is `search`)."""
    if not mapping:
        return

    def name(service: str) -> str:
        return mapping.get(service, service)

    for table in (collected.totals, collected.errors):
        renamed: dict[tuple[str, int], int] = {}
        for (service, bucket), number in table.items():
            key = (name(service), bucket)
            renamed[key] = renamed.get(key, 0) + number
        table.clear()
        table.update(renamed)
    durations: dict[tuple[str, int], list[float]] = {}
    for (service, bucket), values in collected.durations.items():
        durations.setdefault((name(service), bucket), []).extend(values)
    collected.durations = durations
    for services in collected.pids.values():
        renamed_services = {name(s) for s in services}
        services.clear()
        services.update(renamed_services)
    collected.subsecond = {name(s) for s in collected.subsecond}
    grouper.rename_services(mapping)
    for seen in skew.sightings.values():
        for old in [s for s in seen if s in mapping]:
            seen.setdefault(mapping[old], seen.pop(old))
    for failed in traces.failures.values():
        for old in [s for s in failed if s in mapping]:
            failed.setdefault(mapping[old], failed.pop(old))


def _analyse(
    collected: Collected,
    grouper: ErrorGrouper,
    skew_estimator: SkewEstimator,
    traces: TraceBook,
    sources: list[SourceSummary],
) -> Investigation:
    width = collected.bucket_seconds
    inferred = settle_inferred(collected, grouper)  # errors of sources that state no level
    services_seen = {service for service, _ in collected.totals} | {s.service for s in sources}
    renamed = merged_ordinals(services_seen)
    _rename(renamed, collected, grouper, skew_estimator, traces)
    service_aliases: dict[str, list[str]] = {}
    for old_name, identity in sorted(renamed.items()):
        service_aliases.setdefault(identity, []).append(old_name)
    services_seen = {renamed.get(s, s) for s in services_seen}
    skew = _within_resolution(skew_estimator.estimate(), collected.subsecond)
    if collected.first is None or collected.last is None:
        return _empty(collected, grouper, skew, sources, inferred)
    span = populated_span(collected.totals, width)
    anomalies = _keep_span(collected, span, width) if span is not None else []
    assert collected.first is not None and collected.last is not None
    counted = width  # the width the records were counted in, and the span's buckets are
    widened = fitting_width(width, collected.first, collected.last)
    if widened != width:  # a span of days or months: wider buckets (`widths`)
        collected.widen(widened)
        width = widened
    first_bucket = int(collected.first // width)
    last_bucket = int(collected.last // width)
    errors = rates.build_series(collected.errors, width, first_bucket, last_bucket)
    totals = rates.build_series(collected.totals, width, first_bucket, last_bucket)
    surges = volume_surges(totals, files_of(sources, renamed))
    error_total = errors.total()
    baseline, rate_onset_index = rates.settle(error_total)
    end_fraction = (collected.last % width) / width
    complete = errors.length - (1 if end_fraction < 0.5 and errors.length > 1 else 0)
    start_epoch = errors.start.timestamp()
    rate_onset = start_epoch + rate_onset_index * width if rate_onset_index is not None else None

    starts = _service_starts(collected.totals, width)
    classified: list[GroupOnset] = []
    for group, all_occurrences, context in grouper.groups_with_context():
        occurrences = (
            [o for o in all_occurrences if span.contains(o[0], counted)]
            if span is not None and span.outside
            else all_occurrences
        )
        offset = _offset(skew, group.service)
        item = classify(
            group,
            occurrences,
            offset,
            starts.get(group.service, start_epoch) - offset,
            start_epoch,
            collected.last,
            width,
        )
        item.context = context
        classified.append(item)
    mark_accompanied(classified, width)
    anchor = anchor_of(classified, rate_onset, width)
    first, early = first_failure(classified, anchor, width)
    incident = (
        [
            g
            for g in classified
            if qualifies(g) and (in_incident(g, anchor, width) or g.when >= first.when)
        ]
        if anchor is not None and first is not None
        else []
    )
    onset_index = (
        rate_onset_index
        if anchor is not None and anchor.from_rate
        else (int(anchor.when // width) - first_bucket if anchor is not None else None)
    )
    incident_series = rates.build_series(
        _incident_counts(incident, width), width, first_bucket, last_bucket
    )
    trend = rates.trend_of_incident(incident_series.total(), onset_index, complete, width)
    votes = _votes(incident, traces, skew_estimator.sightings, skew)
    slow = (
        slow_services(
            collected.durations,
            collected.slowest,
            anchor.when,
            width,
            {g.group.service for g in incident},
        )
        if anchor is not None and incident
        else []
    )
    onsets = service_onsets([*incident, *slow])
    proxies = _proxies(onsets, sources)
    # services whose records carry their name (a host folder's name is not a service)
    services = sorted({service for service, _ in collected.totals})
    latency = latency_series(collected.durations, width, first_bucket, last_bucket)
    if latency is not None:
        latency.serving = sorted(collected.serving)
    root = None
    steps = link(onsets, None, proxies, votes, width, first.group.service if first else None)
    if first is not None and steps:
        changed = (
            {s.service for s in onsets}
            | _changed_otherwise(totals, latency, first.when, width)
            | surged_near(surges, first.when, width)
        )
        root = root_cause(
            first,
            onsets,
            steps,
            votes,
            services,
            collected.pids,
            changed,
            proxies,
            weak=anchor is None or not anchor.from_rate,
            starts={s: t - _offset(skew, s) for s, t in starts.items()},
            window_start=start_epoch,
            dated=_at(collected.first).date() != _at(collected.last).date(),
        )
        _name_instances(root, service_aliases)
        steps = link(onsets, root.service, proxies, votes, width, first.group.service)
        if root.service not in proxies:  # an edge proxy causes no backend's failure
            _blame_reporter_link(steps, first.group.service, root.service)
    events = timeline(
        classified,
        collected,
        errors,
        error_total,
        baseline,
        onset_index,
        anchor is not None and anchor.from_rate,
        totals,
        skew,
        {step.group_id for step in steps},
        surges,
        incident,
        trend == rates.TREND_RESOLVED,
    )
    stop = last_error(incident) if trend == rates.TREND_RESOLVED else None
    detected, recovered = milestones(
        collected.operational, skew, first.when if first else None, stop, width
    )
    if latency is not None and first is not None:
        events.extend(latency_rises(latency, _at(first.when), width))
        events.sort(key=lambda e: (e.timestamp, e.service))
    return Investigation(
        latency=latency,
        sources=sources,
        records=collected.records,
        window=Window(start=_at(collected.first), end=_at(collected.last)),
        trend=trend,
        onset=_at(start_epoch + onset_index * width) if onset_index is not None else None,
        first_failure=_failure(first, skew) if first is not None else None,
        early_signals=[_failure(g, skew) for g in early],
        root_cause=root,
        cascade=steps,
        error_groups=[_investigated(c, inferred) for c in classified],
        timeline=events,
        error_rate=ErrorRate(
            bucket_seconds=width,
            widened_from=counted if counted != width else None,
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
        service_aliases=service_aliases,
        clock_anomalies=anomalies,
        volume_surges=surges,
        example_trace=votes.example_trace
        or widest_failure(traces, skew_estimator.sightings, lambda s, w: w - _offset(skew, s)),
        detected=detected,
        recovered=recovered,
    )


def _keep_span(collected: Collected, span: Span, width: int) -> list[str]:
    """Leave the records stamped outside the populated span out of every per-bucket table;
    say what was left out."""
    if not span.outside:
        return []
    for table in (collected.totals, collected.errors, collected.durations, collected.slowest):
        for key in [k for k in table if not span.first_bucket <= k[1] <= span.last_bucket]:
            del table[key]
    collected.operational = [
        (kind, record)
        for kind, record in collected.operational
        if record.timestamp is not None and span.contains(record.timestamp.timestamp(), width)
    ]
    start, end = span.first_bucket * width, (span.last_bucket + 1) * width
    assert collected.first is not None and collected.last is not None
    collected.first = max(collected.first, start)
    collected.last = min(collected.last, end - 0.001)
    stamps = ", ".join(_at(b * width).strftime("%Y-%m-%d %H:%M") for b in span.outside_buckets)
    opened, closed = _at(start), _at(end)
    # the end's date too when the span ends on another day
    until = closed.strftime("%H:%M" if closed.date() == opened.date() else "%Y-%m-%d %H:%M")
    return [
        f"{span.outside:,} records stamped far outside {opened.strftime('%Y-%m-%d %H:%M')}"
        f"-{until} (at {stamps}): a clock that lies; left out of rates, onsets and the timeline"
    ]


def _name_instances(root: RootCause, service_aliases: dict[str, list[str]]) -> None:
    """Say which pod of a service the evidence comes from (`kafka (kafka-2): ...`): the
    service is one identity, the pod is what to restart."""
    for hypothesis in (root, *root.hypotheses):
        names = service_aliases.get(hypothesis.service)
        if not names or not hypothesis.evidence:
            continue
        where = hypothesis.evidence[0].file
        found = [n for n in names if re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", where)]
        service = hypothesis.service
        if len(found) == 1 and re.match(rf"{re.escape(service)}[: ]", hypothesis.summary):
            hypothesis.summary = f"{service} ({found[0]})" + hypothesis.summary[len(service) :]


def _blame_reporter_link(steps: list[CascadeStep], reporter: str, culprit: str) -> None:
    """The first failure was reported by one service and blamed on another: the reporter's
    failure was caused by the culprit, whatever its own lines name."""
    if reporter == culprit:
        return
    for step in steps:
        if step.service == reporter and step.caused_by is None:
            step.caused_by = culprit
            step.evidence = [f"the root cause: {reporter}'s first failure is about {culprit}"]
            step.confidence = 0.6


def _within_resolution(skew: dict[str, float], subsecond: set[str]) -> dict[str, float]:
    """Skew estimates below one second are dropped for services stamped in whole seconds: a
    correction finer than a log's resolution would reorder its records against the truth."""
    return {
        service: (seconds if service in subsecond or abs(seconds) >= 1.0 else 0.0)
        for service, seconds in skew.items()
    }


def _offset(skew: dict[str, float], service: str) -> float:
    offset = skew.get(service, 0.0)
    return offset if abs(offset) >= NOTICEABLE_SECONDS else 0.0


def _service_starts(totals: dict[tuple[str, int], int], width: int) -> dict[str, float]:
    """Per service, the start of the first bucket it logged in."""
    starts: dict[str, int] = {}
    for service, bucket in totals:
        if service not in starts or bucket < starts[service]:
            starts[service] = bucket
    return {service: bucket * width for service, bucket in starts.items()}


def _incident_counts(incident: list[GroupOnset], width: int) -> dict[tuple[str, int], int]:
    """Occurrences of the incident's groups from their onsets on, per bucket: the series the
    verdict is given on, free of chronic noise."""
    counts: dict[tuple[str, int], int] = {}
    for item in incident:
        if item.onset is None:
            continue
        for when, _, _ in item.occurrences:
            if when >= item.onset[0]:
                key = (item.group.service, int(when // width))
                counts[key] = counts.get(key, 0) + 1
    return counts


def _votes(
    incident: list[GroupOnset],
    traces: TraceBook,
    sightings: dict[str, dict[str, float]],
    skew: dict[str, float],
) -> TraceVotes:
    """Trace votes over the failing requests whose errors belong to the incident's groups."""
    if not traces.failures or not incident:
        return TraceVotes()
    members = {
        (file, line)
        for item in incident
        for when, file, line in item.occurrences
        if item.onset is not None and when >= item.onset[0]
    }
    onsets: dict[str, float] = {}
    for item in incident:
        service = item.group.service
        onsets[service] = min(onsets.get(service, item.when), item.when)
    corrected_any = any(_offset(skew, s) for s in onsets)
    return vote(
        traces,
        sightings,
        lambda file, line: (file, line) in members,
        lambda service, when: when - _offset(skew, service),
        lambda service: onsets.get(service, float("inf")),
        TRACE_TIE_SECONDS if corrected_any else 0.001,
    )


def _proxies(onsets: Sequence[object], sources: Sequence[SourceSummary]) -> set[str]:
    formats: dict[str, set[str]] = {}
    for source in sources:
        formats.setdefault(source.service, set()).update(source.formats or {source.format})
    names = {s.service for s in sources} | {getattr(o, "service", "") for o in onsets}
    return {
        name
        for name in names
        if name
        and is_proxy(name, formats.get(name, set()) if _only_proxy(formats.get(name)) else ())
    }


def _only_proxy(formats: set[str] | None) -> bool:
    return bool(formats) and all(is_proxy("", (f,)) for f in formats or ())


def _changed_otherwise(totals: rates.Series, latency: object, when: float, width: int) -> set[str]:
    """Services whose own log changed near `when` without an incident group: a steady
    stream of lines that stops."""
    changed = set()
    start = totals.start.timestamp()
    for service, counts in totals.by_key.items():
        calm = rates.baseline_of(counts)
        for index in rates.drops(counts, calm):
            if abs(start + index * width - when) <= 5 * width:
                changed.add(service)
    return changed


def _failure(item: GroupOnset, skew: dict[str, float]) -> FirstFailure:
    assert item.onset is not None
    when, file, line = item.onset
    group = item.group
    text = group.example.text if (file, line) == (group.example.file, group.example.line) else ""
    offset = skew.get(group.service, 0.0)
    moved = abs(offset) >= NOTICEABLE_SECONDS
    return FirstFailure(
        service=group.service,
        file=file,
        line=line,
        timestamp=_at(when),
        group_id=group.id,
        label=group.label,
        text=text or group.template,
        raw_timestamp=_at(when + offset) if moved else None,
    )


def _investigated(item: GroupOnset, inferred: set[tuple[str, int]]) -> InvestigatedGroup:
    return InvestigatedGroup(
        **item.group.model_dump(),
        chronic=item.chronic,
        novel=item.novel,
        surging=item.surging,
        onset=_at(item.onset[0]) if item.onset is not None else None,
        level_inferred=all_inferred(item.occurrences, item.group.example, inferred),
    )


def _empty(
    collected: Collected,
    grouper: ErrorGrouper,
    skew: dict[str, float],
    sources: list[SourceSummary],
    inferred: set[tuple[str, int]],
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
                **g.model_dump(),
                chronic=False,
                novel=False,
                surging=False,
                onset=None,
                level_inferred=all_inferred([], g.example, inferred),
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
