"""Per-interval counts, the calm baseline, the change point and the trend verdict.

The incident is a change in rates, not the presence of errors: the baseline is measured on the
calm start of the window (median and robust spread), the onset is the first bucket that rises
clearly above it and stays there, and the verdict compares the incident's last five minutes
with its worst five.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

TREND_ONGOING = "ongoing"
TREND_RECOVERING = "recovering"
TREND_RESOLVED = "resolved"
TREND_NONE = "no-incident"


@dataclass
class Series:
    """Counts per bucket, aligned on `start`, for each key (a service, a group id)."""

    start: datetime
    bucket_seconds: int
    length: int
    by_key: dict[str, list[int]] = field(default_factory=dict)

    def bucket_start(self, index: int) -> datetime:
        return self.start + timedelta(seconds=index * self.bucket_seconds)

    def total(self) -> list[int]:
        totals = [0] * self.length
        for counts in self.by_key.values():
            for index, number in enumerate(counts):
                totals[index] += number
        return totals


def build_series(
    counts: Mapping[tuple[str, int], int], bucket_seconds: int, first: int, last: int
) -> Series:
    """A `Series` from counts keyed by (key, absolute bucket number) over buckets first..last."""
    length = max(1, last - first + 1)
    series = Series(datetime.fromtimestamp(first * bucket_seconds, UTC), bucket_seconds, length)
    for (key, bucket), number in counts.items():
        if first <= bucket <= last:
            series.by_key.setdefault(key, [0] * length)[bucket - first] += number
    return series


@dataclass
class Baseline:
    """The calm level of a series: its median, a robust spread, and the bar a spike clears."""

    median: float
    spread: float
    calm_buckets: int

    @property
    def threshold(self) -> float:
        return self.median + 4 * self.spread

    @property
    def settled(self) -> float:
        """At or below this, a rate is back to normal."""
        return self.median + 2 * self.spread


def baseline_of(values: Sequence[int], calm_buckets: int | None = None) -> Baseline:
    """Baseline from the calm start of the window (its first quarter, at least 3 buckets)."""
    calm = calm_buckets or max(3, len(values) // 4)
    head = list(values[:calm]) or [0]
    median = statistics.median(head)
    deviation = statistics.median(abs(v - median) for v in head) * 1.4826
    # counts are Poisson-like: never trust a spread below the square root of the level
    spread = max(deviation, median**0.5, 1.0)
    return Baseline(median, spread, min(calm, len(values)))


MIN_CALM_BUCKETS = 3


def onset_of(values: Sequence[int], baseline: Baseline) -> int | None:
    """The first bucket after the first few that clears the bar and stays above it (or clears
    it by far): the change point. It may fall inside the stretch the baseline was measured
    on (a median ignores a spike at its end); `settle` then measures the calm before it."""
    bar = baseline.threshold
    for index in range(min(MIN_CALM_BUCKETS, baseline.calm_buckets), len(values)):
        value = values[index]
        if value <= bar:
            continue
        following = values[index + 1] if index + 1 < len(values) else value
        if following > bar or value > baseline.median + 8 * baseline.spread:
            return index
    return None


def settle(values: Sequence[int]) -> tuple[Baseline, int | None]:
    """The baseline and the onset, the baseline measured on every bucket before the onset
    when the onset comes early in the window."""
    baseline = baseline_of(values)
    onset = onset_of(values, baseline)
    if onset is not None and onset != baseline.calm_buckets and onset >= MIN_CALM_BUCKETS:
        baseline = baseline_of(values, onset)
        onset = onset_of(values, baseline)
    return baseline, onset


def drops(values: Sequence[int], baseline: Baseline, minimum_level: float = 5.0) -> list[int]:
    """Buckets where a steady stream of lines stops (two buckets under a fifth of the calm
    level): the only trace of a silent failure."""
    if baseline.median < minimum_level:
        return []
    low = baseline.median * 0.2
    found = []
    for index in range(baseline.calm_buckets, len(values) - 1):
        if (
            values[index] <= low
            and values[index + 1] <= low
            and (index == 0 or values[index - 1] > low)
        ):
            found.append(index)
    return found


def trend_of_incident(
    values: Sequence[int], onset: int | None, complete: int, bucket_seconds: int
) -> str:
    """The verdict on the incident's own records (chronic noise left out), over windows of
    five minutes: `resolved` when the last holds none, `ongoing` when it holds at least half
    of the worst, `recovering` in between."""
    if onset is None:
        return TREND_NONE
    usable = list(values[: max(complete, onset + 1)])
    span = max(1, 300 // bucket_seconds)
    windows = [
        sum(usable[i : i + span]) for i in range(onset, max(onset + 1, len(usable) - span + 1))
    ]
    worst = max(windows, default=0)
    last = sum(usable[-span:])
    if last == 0:
        return TREND_RESOLVED
    if worst and last >= 0.5 * worst:
        return TREND_ONGOING
    return TREND_RECOVERING


def recovery_of(values: Sequence[int], baseline: Baseline, onset: int) -> int | None:
    """The first bucket after the peak from which the rate stays settled."""
    peak_index = max(range(onset, len(values)), key=lambda i: values[i])
    for index in range(peak_index + 1, len(values)):
        if all(v <= baseline.settled for v in values[index:]):
            return index
    return None


def sparkline(values: Sequence[int]) -> str:
    """Values as a line of block characters, scaled to the largest."""
    blocks = " ▁▂▃▄▅▆▇█"
    top = max(values) if values else 0
    if top <= 0:
        return blocks[0] * len(values)
    return "".join(blocks[min(8, round(8 * v / top))] if v else blocks[0] for v in values)
