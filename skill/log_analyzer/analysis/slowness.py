"""Services that failed by being slow: their own log shows no error, only durations that rose.

A slow downstream often logs nothing wrong (every request it serves succeeds, late) while its
callers time out. Its p95 latency rising near the incident is the change in its own log that
makes it a suspect; it enters the cascade as a pseudo-group whose evidence is its slowest
record in the bucket where the rise began.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from datetime import UTC, datetime

from ..mining.group_models import ErrorGroup, Example
from .first_failure import LOOKAHEAD_BUCKETS, LOOKBACK_BUCKETS
from .latency import percentile
from .onsets import GroupOnset

RISE_FACTOR = 3.0
MIN_SAMPLES = 5
MIN_RISE_MS = 100.0


def slow_services(
    durations: Mapping[tuple[str, int], list[float]],
    slowest: Mapping[tuple[str, int], tuple[float, str, int]],
    anchor: float,
    width: int,
    skip: set[str],
) -> list[GroupOnset]:
    """A pseudo-group for each service (not in `skip`) whose p95 latency rose `RISE_FACTOR`
    times over its calm level near the anchor."""
    by_service: dict[str, dict[int, list[float]]] = {}
    for (service, bucket), values in durations.items():
        if service not in skip and len(values) >= MIN_SAMPLES:
            by_service.setdefault(service, {})[bucket] = values
    anchor_bucket = int(anchor // width)
    first, last = anchor_bucket - LOOKBACK_BUCKETS, anchor_bucket + LOOKAHEAD_BUCKETS
    found = []
    for service, buckets in sorted(by_service.items()):
        calm_levels = [percentile(sorted(v), 0.95) for b, v in buckets.items() if b < first]
        if len(calm_levels) < 3:
            continue
        usual = statistics.median(calm_levels)
        for bucket in range(first, last + 1):
            found_values = buckets.get(bucket)
            if found_values is None:
                continue
            level = percentile(sorted(found_values), 0.95)
            # durations below a unit are seconds (zap's default encoder): no floor in ms then
            if level > RISE_FACTOR * usual and (level - usual >= MIN_RISE_MS or usual < 1.0):
                found.append(_pseudo_group(service, bucket, level, usual, slowest, width))
                break
    return found


def _pseudo_group(
    service: str,
    bucket: int,
    level: float,
    usual: float,
    slowest: Mapping[tuple[str, int], tuple[float, str, int]],
    width: int,
) -> GroupOnset:
    took, file, line = slowest.get((service, bucket), (level, "", 0))
    start = datetime.fromtimestamp(bucket * width, UTC)
    label = f"{service} p95 latency {level:,.0f} ms (usually {usual:,.0f} ms)"
    group = ErrorGroup(
        id=f"latency-{service}",
        label=label,
        template="p95 latency rise",
        template_id="latency",
        service=service,
        level="warning",
        exception=None,
        count=1,
        first_seen=start,
        last_seen=start,
        example=Example(file=file, line=line, text=f"slowest request: {took:,.0f} ms"),
        parameters=[],
    )
    when = float(bucket * width)
    return GroupOnset(
        group, [(when, file, line)], False, True, False, False, (when, file, line), 1.0
    )
