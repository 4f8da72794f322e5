"""The populated time span: where the records are, without the clocks that lie.

One line stamped 1970-01-01 (an unsynced clock at boot) or 2100 in a log of today would make
every per-minute series span decades. The records' buckets are split where they leave a gap
longer than `MAX_GAP_SECONDS`; the cluster holding most records is the span analysed, and the
records outside it are reported as clock anomalies, left out of rates, onsets and the timeline.
Memory then follows the records, not the distance between their timestamps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

MAX_GAP_SECONDS = 7 * 24 * 3600


@dataclass(frozen=True)
class Span:
    first_bucket: int
    last_bucket: int
    outside: int  # records stamped outside the span (clock anomalies)
    outside_buckets: tuple[int, ...]  # their buckets, at most a few

    def contains(self, epoch: float, width: int) -> bool:
        return self.first_bucket <= int(epoch // width) <= self.last_bucket


def populated_span(totals: Mapping[tuple[str, int], int], width: int) -> Span | None:
    """The densest run of buckets without a gap longer than `MAX_GAP_SECONDS`."""
    per_bucket: dict[int, int] = {}
    for (_, bucket), number in totals.items():
        per_bucket[bucket] = per_bucket.get(bucket, 0) + number
    if not per_bucket:
        return None
    buckets = sorted(per_bucket)
    gap = max(1, MAX_GAP_SECONDS // width)
    runs: list[tuple[int, int, int]] = []  # (records, first, last)
    start = previous = buckets[0]
    count = 0
    for bucket in buckets:
        if bucket - previous > gap:
            runs.append((count, start, previous))
            start, count = bucket, 0
        count += per_bucket[bucket]
        previous = bucket
    runs.append((count, start, previous))
    records, first, last = max(runs, key=lambda run: (run[0], run[2]))
    outside = [b for b in buckets if not first <= b <= last]
    return Span(
        first,
        last,
        sum(per_bucket.values()) - records,
        tuple(outside[:5]),
    )
