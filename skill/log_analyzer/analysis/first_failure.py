"""The first failure: the earliest onset record of the incident, on corrected clocks.

The incident is anchored on the change point of the total error rate when there is one, else
on the weightiest new or surging group (an incident without a spike: a few dozen new errors
among thousands of chronic warnings). Candidates are groups whose onset falls near the anchor
and that are evidence of a failure: not chronic, not a notice (deprecation, configuration),
not a 4xx that did not surge, not a lone warning.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from ..levels import RANK
from .evidence import is_benign, is_client_error
from .onsets import GroupOnset

LOOKBACK_BUCKETS = 5  # how long before the anchor the first failure may be
LOOKAHEAD_BUCKETS = 2


@dataclass
class Anchor:
    """Where the incident is: the error rate's change point, or the weightiest group's onset."""

    when: float
    from_rate: bool


def qualifies(item: GroupOnset) -> bool:
    """Evidence of a failure, not a stray line or a notice."""
    group = item.group
    if item.onset is None or item.chronic:
        return False
    if is_benign(group):
        return False
    if is_client_error(group) and not item.surging:
        return False
    return RANK[group.level] >= RANK["error"] or group.count >= 2 or item.accompanied


def anchor_of(groups: Sequence[GroupOnset], rate_onset: float | None, width: int) -> Anchor | None:
    """The incident's anchor, or None when nothing new, surging or stopped: no incident."""
    candidates = [g for g in groups if qualifies(g)]
    if rate_onset is not None:
        near = [
            g
            for g in candidates
            if rate_onset - LOOKBACK_BUCKETS * width <= g.when < rate_onset + 2 * width
        ]
        if near:
            return Anchor(rate_onset, True)
    if not candidates:
        return None
    strongest = max(candidates, key=lambda g: (g.weight, -g.when))
    return Anchor(strongest.when, False)


def in_incident(item: GroupOnset, anchor: Anchor, width: int) -> bool:
    """The group's onset is late enough to be part of this incident (no earlier than the
    look-back before the anchor)."""
    return item.onset is not None and item.when >= anchor.when - LOOKBACK_BUCKETS * width


def first_failure(
    groups: Sequence[GroupOnset], anchor: Anchor | None, width: int
) -> tuple[GroupOnset | None, list[GroupOnset]]:
    """(the first failure's group, early signals: qualifying warnings that began before it)."""
    if anchor is None:
        return None, []
    latest = anchor.when + LOOKAHEAD_BUCKETS * width if anchor.from_rate else float("inf")
    candidates = [
        g for g in groups if qualifies(g) and in_incident(g, anchor, width) and g.when < latest
    ]
    if not candidates:
        return None, []
    candidates.sort(key=lambda g: (g.when, -RANK[g.group.level], -g.weight))
    chosen = candidates[0]
    precursors = [g for g in groups if qualifies(g) and _precursor(g, anchor, width)]
    if precursors:
        earliest = min(precursors, key=lambda g: (g.when, -RANK[g.group.level]))
        if earliest.when < chosen.when:
            chosen = earliest
    early = [
        g
        for g in groups
        if g is not chosen
        and g.onset is not None
        and not g.chronic
        and g.group.level == "warning"
        and not is_benign(g.group)
        and not (is_client_error(g.group) and not g.surging)
        and anchor.when - LOOKBACK_BUCKETS * width <= g.when < chosen.when
    ]
    return chosen, early


PRECURSOR_GAP_BUCKETS = 5


def _precursor(item: GroupOnset, anchor: Anchor, width: int) -> bool:
    """A new group that began before the look-back and grew, without a pause, into the
    incident: GC pauses lengthening for minutes before the kill, a disk filling up. Its first
    record is where the incident began."""
    start = anchor.when - LOOKBACK_BUCKETS * width
    if not item.novel or item.late or item.onset is None or item.when >= start:
        return False
    times = [t for t, _, _ in item.occurrences if item.when <= t <= anchor.when + width]
    if len(times) < 4 or times[-1] < start:
        return False
    if any(b - a > PRECURSOR_GAP_BUCKETS * width for a, b in pairwise(times)):
        return False
    third = (times[-1] - times[0]) / 3
    early = sum(1 for t in times if t < times[0] + third)
    late = sum(1 for t in times if t >= times[-1] - third)
    return late >= 1.5 * early
