"""Is it back to normal? The state of each bucket of a watch and the verdict at its end.

Pure functions over counts and a `Baseline` (rates.py), so the rules are tested without
files, threads or clocks. A bucket is `elevated` above the baseline's threshold (the bar an
incident clears), `normal` at or below its settled level (median + 2 spreads: the calm
noise), `recovering` in between. The watch has `settled` when the last `settle` buckets were
all normal; anything else at the end is `elevated`: the engineer should keep looking.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from ..analysis.rates import Baseline

State = Literal["elevated", "recovering", "normal"]
Verdict = Literal["settled", "elevated"]

EXIT_SETTLED = 0
EXIT_ELEVATED = 1
EXIT_INTERRUPTED = 130  # as a shell reports a command ended by SIGINT


def state_of(errors: int, baseline: Baseline) -> State:
    """The state of one bucket holding `errors` errors."""
    if errors > baseline.threshold:
        return "elevated"
    if errors <= baseline.settled:
        return "normal"
    return "recovering"


def normal_streak(states: Sequence[State]) -> int:
    """How many buckets at the end are normal, in a row."""
    streak = 0
    for state in reversed(states):
        if state != "normal":
            break
        streak += 1
    return streak


def verdict_of(states: Sequence[State], settle: int) -> Verdict:
    """`settled` when the last `settle` buckets were normal, else `elevated`."""
    return "settled" if normal_streak(states) >= max(1, settle) else "elevated"


def exit_status(verdict: Verdict, interrupted: bool = False) -> int:
    """0 settled, 1 still elevated, 130 interrupted (whatever the verdict so far)."""
    if interrupted:
        return EXIT_INTERRUPTED
    return EXIT_SETTLED if verdict == "settled" else EXIT_ELEVATED
