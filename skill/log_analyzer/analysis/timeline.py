"""The incident's timeline, what a person reads of it, the latency series and the latency
rises before the first failure.

Events from the groups' onsets (each service's first incident error, and later groups that
matter; groups of one service under one label as one event), the error rate's spike, peak and
recovery, the incident's last error, services going quiet, services whose line volume surges,
operational events (restarts, deploys, rollbacks, scaling, config changes) and alerts (each
alert when it fires and when it resolves, heartbeats left out), and a p95 latency rise in the
minutes before the first failure. An event repeated (a restart loop, a service going quiet
again and again) is one event with its count and span.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from datetime import UTC, datetime

from ..records import Record
from . import rates
from .alerts import FIRING, RESOLVED, alert_of
from .cascade import label_alone
from .collect import Collected
from .first_failure import LOOKBACK_BUCKETS, qualifies
from .latency import Latency, LatencyPoint, percentile
from .onsets import GroupOnset
from .report import Detected, Recovered, TimelineEvent, VolumeSurge
from .skew import NOTICEABLE_SECONDS, corrected

MAX_EVENTS = 60
MIN_TIMELINE_COUNT = 10
BURST_SECONDS = 2.0  # one service's events of one kind this close are one event
COLLAPSE_AT = 3  # an event text seen this many times is one event with its count


def timeline(
    classified: Sequence[GroupOnset],
    collected: Collected,
    errors: rates.Series,
    error_total: list[int],
    baseline: rates.Baseline,
    onset_index: int | None,
    spike: bool,
    totals: rates.Series,
    skew: dict[str, float],
    cascade_groups: set[str],
    surges: Sequence[VolumeSurge] = (),
    incident: Sequence[GroupOnset] = (),
    resolved: bool = False,
) -> list[TimelineEvent]:
    """Every event, in time order. `incident`: the incident's groups; `resolved`: the logs end
    after the incident's errors stopped (its last error is then an event)."""
    events: list[TimelineEvent] = []
    window_start = errors.start.timestamp()
    earliest = (
        window_start + (onset_index - LOOKBACK_BUCKETS) * errors.bucket_seconds
        if onset_index is not None
        else None
    )
    onset_groups = cascade_groups
    onsets = []
    for item in classified:
        if item.onset is None or not qualifies(item):
            continue
        if earliest is not None and item.onset[0] < earliest and item.group.id not in onset_groups:
            continue  # before the look-back, only the cascade's own (a precursor: GC pauses)
        # a service's first incident error always; later ones only when they matter
        if item.group.id not in onset_groups and item.group.count < MIN_TIMELINE_COUNT:
            continue
        onsets.append(item)
    events.extend(_onset_events(onsets, skew))
    if onset_index is not None and spike:
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
    stop = last_error(incident) if resolved else None
    if stop is not None:
        when, service, file, line = stop
        events.append(
            TimelineEvent(
                timestamp=_at(when),
                service=service,
                kind="last-error",
                event="the incident's errors stop: its last error",
                file=file,
                line=line,
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
    for surge in surges:
        events.append(
            TimelineEvent(
                timestamp=surge.at,
                service=surge.service,
                kind="surge",
                event=f"{surge.service} log volume surges to {surge.during_per_minute:g} "
                f"lines/min ({surge.before_per_minute:g} before)",
                file=surge.file,
                line=None,
            )
        )
    events.extend(_operational_events(collected.operational, skew))
    events = collapse(events)
    events.sort(key=lambda e: (e.timestamp, e.service))
    if len(events) > MAX_EVENTS:
        start = _at(earliest) if earliest is not None else None
        events = headline(events, MAX_EVENTS, start, _at(stop[0]) if stop else None)
    return events


def _onset_events(onsets: Sequence[GroupOnset], skew: dict[str, float]) -> list[TimelineEvent]:
    """One event per service and label: a service's groups that read alike to a person (six
    templates of one timeout) are one event at the earliest, with their total count."""
    merged: dict[tuple[str, str, bool], list[GroupOnset]] = {}
    for item in onsets:
        merged.setdefault((item.group.service, item.group.label, item.novel), []).append(item)
    events = []
    for (service, label, novel), items in merged.items():
        first = min(items, key=lambda i: i.when)
        assert first.onset is not None
        when, file, line = first.onset
        count = sum(i.group.count for i in items)
        groups = f", {len(items)} groups" if len(items) > 1 else ""
        offset = skew.get(service, 0.0)
        events.append(
            TimelineEvent(
                timestamp=_at(when),
                service=service,
                kind="first-error",
                event=f"{'new' if novel else 'surging'}: {label_alone(label, service)} "
                f"({count:,} in window{groups})",
                file=file,
                line=line,
                raw_timestamp=_at(when + offset) if abs(offset) >= NOTICEABLE_SECONDS else None,
            )
        )
    return events


def _operational_events(
    operational: Sequence[tuple[str, Record]], skew: dict[str, float]
) -> list[TimelineEvent]:
    """Restarts, deploys, fixes and alerts. An alert is an event when it fires and when it
    resolves, not at each re-send; a heartbeat never. Lines of one service and kind within
    `BURST_SECONDS` (a server listening on three addresses) are one event."""
    events: list[TimelineEvent] = []
    alerting: dict[str, str] = {}
    last: dict[tuple[str, str], float] = {}
    for kind, record in sorted(operational, key=lambda item: _stamp(item[1])):
        assert record.timestamp is not None
        when = corrected(record.timestamp, record.service, skew)
        text = record.message.split("\n", 1)[0][:160]
        if kind == "alert":
            alert = alert_of(record.message, record.fields)
            if alert is not None:
                state = _transition(alert.name, alert.state, alert.heartbeat, alerting)
                if state is None:
                    continue
                text = f"alert {alert.name} {state}"
        else:
            previous = last.get((record.service, kind))
            last[record.service, kind] = when
            if previous is not None and when - previous <= BURST_SECONDS:
                continue
        moved = when != record.timestamp.timestamp()
        events.append(
            TimelineEvent(
                timestamp=_at(when),
                service=record.service,
                kind=kind,
                event=text,
                file=record.file,
                line=record.line,
                raw_timestamp=record.timestamp.astimezone(UTC) if moved else None,
            )
        )
    return events


def _transition(
    name: str, state: str | None, heartbeat: bool, alerting: dict[str, str]
) -> str | None:
    """The alert's new state when it changed (`firing`, `resolved`), else None: re-sends of
    a firing alert, notifications about it, silenced ones and heartbeats are no events."""
    if heartbeat or state not in (FIRING, RESOLVED, None):
        return None
    previous = alerting.get(name)
    if state is None:  # a notification that does not say: a page, the first time
        if previous is not None:
            return None
        state = FIRING
    alerting[name] = state
    return None if state == previous else state


def _stamp(record: Record) -> float:
    return record.timestamp.timestamp() if record.timestamp is not None else 0.0


_DIGITS = re.compile(r"\d+")


def collapse(events: Sequence[TimelineEvent]) -> list[TimelineEvent]:
    """Events of one service and kind that read alike (digits aside), seen `COLLAPSE_AT` times
    or more, as one event at the first: `Received alert x12, 13:50:52-14:01:52`."""
    alike: dict[tuple[str, str, str], list[TimelineEvent]] = {}
    for event in events:
        key = (event.service, event.kind, _DIGITS.sub("#", event.event))
        alike.setdefault(key, []).append(event)
    kept = []
    for similar in alike.values():
        if len(similar) < COLLAPSE_AT or similar[0].kind in ("first-error", "spike", "peak"):
            kept.extend(similar)
            continue
        similar.sort(key=lambda e: e.timestamp)
        first, final = similar[0], similar[-1]
        same = all(e.event == first.event for e in similar)
        count = f"x{len(similar)}" if same else f"and {len(similar) - 1} like it"
        span = f"{first.timestamp.strftime('%H:%M:%S')}-{final.timestamp.strftime('%H:%M:%S')}"
        kept.append(first.model_copy(update={"event": f"{first.event} {count}, {span}"}))
    return kept


# what a person needs first of the timeline: how it began, was noticed, spread and ended
_ESSENTIAL = ("spike", "alert", "recovery", "last-error")
_FIXES = ("config", "rollback", "scale", "deploy", "restart", "shutdown")


def headline(
    events: Sequence[TimelineEvent],
    limit: int,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[TimelineEvent]:
    """At most `limit` events that tell the incident end to end, in time order: the first
    failure, the spike, alerts and the recovery first; then each service's first error, the
    peak and what was done (a restart, a rollback, a config change) between `start` and
    `end`; then the other signals between them; then the rest, earliest first."""
    if len(events) <= limit:
        return list(events)
    seen: set[str] = set()
    ranked = []
    for position, event in enumerate(sorted(events, key=lambda e: e.timestamp)):
        inside = (start is None or event.timestamp >= start) and (
            end is None or event.timestamp <= end
        )
        if event.kind == "first-error":
            rank = 0 if not seen else 1 if event.service not in seen else 3
            seen.add(event.service)
        elif event.kind in _ESSENTIAL:
            rank = 0
        elif event.kind == "peak" or (event.kind in _FIXES and inside):
            rank = 1
        elif inside:
            rank = 2
        else:
            rank = 4
        ranked.append((rank, position, event))
    ranked.sort(key=lambda r: (r[0], r[1]))
    chosen = sorted(ranked[:limit], key=lambda r: r[1])
    return [event for _, _, event in chosen]


def last_error(incident: Sequence[GroupOnset]) -> tuple[float, str, str, int] | None:
    """(when, service, file, line) of the incident's last error, on corrected clocks."""
    found: tuple[float, str, str, int] | None = None
    for item in incident:
        if item.onset is None or not item.occurrences:
            continue
        when, file, line = item.occurrences[-1]
        if when >= item.onset[0] and (found is None or when > found[0]):
            found = (when, item.group.service, file, line)
    return found


def milestones(
    operational: Sequence[tuple[str, Record]],
    skew: dict[str, float],
    first: float | None,
    stop: tuple[float, str, str, int] | None,
    width: int,
) -> tuple[Detected | None, Recovered | None]:
    """The first alert that fired for the incident (from the look-back before its first
    failure on; heartbeats and alerts already firing before never), and its recovery: its
    last error, when the logs end after it."""
    if first is None:
        return None, None
    recovered = (
        Recovered(
            timestamp=_at(stop[0]),
            service=stop[1],
            file=stop[2],
            line=stop[3],
            time_to_recover_seconds=round(stop[0] - first, 3),
        )
        if stop is not None
        else None
    )
    alerting: dict[str, str] = {}
    for kind, record in sorted(operational, key=lambda item: _stamp(item[1])):
        if kind != "alert" or record.timestamp is None:
            continue
        alert = alert_of(record.message, record.fields)
        if alert is None:
            continue
        state = _transition(alert.name, alert.state, alert.heartbeat, alerting)
        when = corrected(record.timestamp, record.service, skew)
        if state != FIRING or when < first - LOOKBACK_BUCKETS * width:
            continue
        if stop is not None and when > stop[0] + LOOKBACK_BUCKETS * width:
            break
        return (
            Detected(
                timestamp=_at(when),
                alert=alert.name,
                service=record.service,
                file=record.file,
                line=record.line,
                time_to_detect_seconds=round(when - first, 3),
                time_to_recover_seconds=recovered.time_to_recover_seconds if recovered else None,
            ),
            recovered,
        )
    return None, recovered


def latency_series(
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


def latency_rises(latency: Latency, first: datetime, width: int) -> list[TimelineEvent]:
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


def _at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)
