"""Bucket widths that fit the logs' span.

Records are counted per minute (or `--bucket`) while they are read, because the span is known
only at the end. An incident lasts minutes to hours, but real logs often span days or months:
Loghub's BGL and HPC samples hold 2,000 lines over seven months, which is 300,000 one-minute
buckets, almost all empty. Every step after the reading pass is linear in the buckets (the
series, the baseline, the sparklines, the JSON), so such a log took minutes and wrote a 13 MB
answer for 2,000 lines, and its rates said nothing (a baseline of 0 per bucket, a spike of 1).

So once the span is known, the counts are summed into the narrowest width of a familiar size
(2 min, 5 min, ..., 1 day, 1 week) that keeps the series within `MAX_BUCKETS`. The sum is exact:
the wider width is a multiple of the narrower one, and both are aligned on the epoch, so a wide
bucket holds whole narrow ones (`floor(floor(t / w) / k) == floor(t / (w * k))`).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from typing import TypeVar

MAX_BUCKETS = 1_440  # a day of minutes: a day's log keeps one-minute buckets
# The widths tried, narrowest first, in seconds: 2, 5, 10, 15, 30 seconds (for a `--bucket` of
# seconds), a minute, 2, 5, 10, 15, 30 minutes, 1, 2, 3, 6, 12 hours, a day, a week.
FAMILIAR_WIDTHS = (
    *(2, 5, 10, 15, 30, 60),
    *(120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 604800),
)

Key = TypeVar("Key", bound=Hashable)


def bucket_count(width: int, first: float, last: float) -> int:
    """How many buckets of `width` seconds the span from `first` to `last` covers."""
    return int(last // width) - int(first // width) + 1


def fitting_width(width: int, first: float, last: float, most: int = MAX_BUCKETS) -> int:
    """`width` when the span from `first` to `last` (epoch seconds) needs at most `most` buckets
    of it; else the narrowest wider width that does: a familiar one for a familiar `width`
    (a minute, or what divides one), then multiples of a week; multiples of its own for a width
    like `7m`, whose familiar multiples are few and far apart."""
    if bucket_count(width, first, last) <= most:
        return width
    base = width
    if 60 % width == 0 or width in FAMILIAR_WIDTHS:
        familiar = [c for c in FAMILIAR_WIDTHS if c > width and c % width == 0]
        for candidate in familiar:
            if bucket_count(candidate, first, last) <= most:
                return candidate
        base = familiar[-1] if familiar else width
    factor = max(2, math.ceil(bucket_count(base, first, last) / most))
    while bucket_count(base * factor, first, last) > most:
        factor += 1
    return base * factor


def summed(table: Mapping[tuple[Key, int], int], factor: int) -> dict[tuple[Key, int], int]:
    """Counts per (key, bucket) re-counted in buckets `factor` times wider. The keys enter in the
    order their first narrow bucket did."""
    wide: dict[tuple[Key, int], int] = {}
    for (key, bucket), number in table.items():
        at = (key, bucket // factor)
        wide[at] = wide.get(at, 0) + number
    return wide


def joined(
    table: Mapping[tuple[Key, int], list[float]], factor: int
) -> dict[tuple[Key, int], list[float]]:
    """Values per (key, bucket) (durations) gathered in buckets `factor` times wider."""
    wide: dict[tuple[Key, int], list[float]] = {}
    for (key, bucket), values in table.items():
        wide.setdefault((key, bucket // factor), []).extend(values)
    return wide


def largest(
    table: Mapping[tuple[Key, int], tuple[float, str, int]], factor: int
) -> dict[tuple[Key, int], tuple[float, str, int]]:
    """The largest (value, file, line) per (key, bucket) in buckets `factor` times wider; of
    equal values, the one of the earliest narrow bucket, as the reading pass keeps the first."""
    wide: dict[tuple[Key, int], tuple[tuple[float, str, int], int]] = {}
    for (key, bucket), held in table.items():
        at = (key, bucket // factor)
        kept = wide.get(at)
        if kept is None or held[0] > kept[0][0] or (held[0] == kept[0][0] and bucket < kept[1]):
            wide[at] = (held, bucket)
    return {at: held for at, (held, _) in wide.items()}
