"""The incident's timeline, the latency series and the latency rises before the first failure.

Events from the groups' onsets (each service's first incident error, and later groups that
matter), the error rate's spike, peak and recovery, services going quiet, services whose line
volume surges, operational events (restarts, deploys, alerts), and a p95 latency rise in the
minutes before the first failure.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from datetime import UTC, datetime

from . import rates
from .collect import Collected
from .first_failure import LOOKBACK_BUCKETS, qualifies
from .latency import Latency, LatencyPoint, percentile
from .onsets import GroupOnset
from .report import TimelineEvent, VolumeSurge
from .skew import NOTICEABLE_SECONDS, corrected

MAX_EVENTS = 60
MIN_TIMELINE_COUNT = 10


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
        if item.onset is None or not qualifies(item):
            continue
        if earliest is not None and item.onset[0] < earliest:
            continue
        # a service's first incident error always; later ones only when they matter
        if item.group.id not in onset_groups and item.group.count < MIN_TIMELINE_COUNT:
            continue
        when, file, line = item.onset
        what = "new" if item.novel else "surging"
        offset = skew.get(item.group.service, 0.0)
        events.append(
            TimelineEvent(
                timestamp=_at(when),
                service=item.group.service,
                kind="first-error",
                event=f"{what}: {item.group.label} ({item.group.count} in window)",
                file=file,
                line=line,
                raw_timestamp=_at(when + offset) if abs(offset) >= NOTICEABLE_SECONDS else None,
            )
        )
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
    for kind, record in collected.operational:
        assert record.timestamp is not None
        when = corrected(record.timestamp, record.service, skew)
        moved = when != record.timestamp.timestamp()
        events.append(
            TimelineEvent(
                timestamp=_at(when),
                service=record.service,
                kind=kind,
                event=record.message.split("\n", 1)[0][:160],
                file=record.file,
                line=record.line,
                raw_timestamp=record.timestamp.astimezone(UTC) if moved else None,
            )
        )
    events.sort(key=lambda e: (e.timestamp, e.service))
    if len(events) > MAX_EVENTS:
        keep = [e for e in events if e.kind != "first-error" or e.file is not None]
        events = keep[:MAX_EVENTS]
    return events


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
