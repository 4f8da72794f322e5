"""Volume surges: a service whose lines per minute jump far above its own recent level.

A resolver timing out, a client retrying in a loop, a daemon that prints each failure: their
logs may state no level at all, yet going from 2 to 110 lines a minute is an event. Each
service is measured against itself, on the minutes just before (a slow daily swell moves the
baseline with it), and only from its first line (a log that starts mid-window has no zeros
before it). A surge must last: one busy minute (a cron job, a restart's banner) is not one.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence

from ..models import SourceSummary
from .rates import Series
from .report import VolumeSurge

HISTORY_BUCKETS = 15  # the recent past a bucket is compared with
MIN_HISTORY = 5  # buckets of a service's own log before a surge can be told
FACTOR = 5.0  # a surge is this many times the recent level
MIN_PER_MINUTE = 20.0  # ... and at least this many lines a minute
SUSTAIN = 2  # consecutive buckets above the bar


def volume_surges(totals: Series, files: Mapping[str, str] | None = None) -> list[VolumeSurge]:
    """The surges of each service's line count, in time order."""
    found: list[VolumeSurge] = []
    per_minute = 60.0 / totals.bucket_seconds
    for service, counts in sorted(totals.by_key.items()):
        for start, before, during in _surges(counts, per_minute):
            found.append(
                VolumeSurge(
                    service=service,
                    file=(files or {}).get(service),
                    at=totals.bucket_start(start),
                    before_per_minute=round(before * per_minute, 1),
                    during_per_minute=round(during * per_minute, 1),
                )
            )
    found.sort(key=lambda s: (s.at, s.service))
    return found


def _surges(counts: Sequence[int], per_minute: float) -> list[tuple[int, float, float]]:
    """(first bucket, level before, level during) of each surge of one service's counts."""
    first = next((i for i, n in enumerate(counts) if n), None)
    if first is None:
        return []
    found: list[tuple[int, float, float]] = []
    index = first + MIN_HISTORY
    while index + SUSTAIN <= len(counts):
        history = counts[max(first, index - HISTORY_BUCKETS) : index]
        usual = statistics.median(history)
        spread = statistics.median(abs(n - usual) for n in history) * 1.4826
        bar = max(FACTOR * max(usual, 1.0), usual + 6 * max(spread, usual**0.5, 1.0))
        bar = max(bar, MIN_PER_MINUTE / per_minute)
        if all(n > bar for n in counts[index : index + SUSTAIN]):
            end = index
            while end < len(counts) and counts[end] > bar:
                end += 1
            found.append((index, usual, statistics.median(counts[index:end])))
            index = end + MIN_HISTORY  # the next surge is told against calm again
            continue
        index += 1
    return found


NEAR_BUCKETS = 5  # a surge this close to the first failure is a change of that service


def surged_near(surges: Sequence[VolumeSurge], when: float, width: int) -> set[str]:
    """Services whose volume surged within a few buckets of `when`: their log changed."""
    return {s.service for s in surges if abs(s.at.timestamp() - when) <= NEAR_BUCKETS * width}


def files_of(sources: Sequence[SourceSummary], renamed: Mapping[str, str]) -> dict[str, str]:
    """Per service (under the name it is known by), the source most of its lines come from."""
    best: dict[str, tuple[int, str]] = {}
    for source in sources:
        for name, number in (source.services or {source.service: source.records}).items():
            service = renamed.get(name, name)
            if service not in best or number > best[service][0]:
                best[service] = (number, source.file)
    return {service: file for service, (_, file) in best.items()}
