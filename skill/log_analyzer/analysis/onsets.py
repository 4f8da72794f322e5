"""Per-group onsets: when each error group's part in the incident began.

A group is *new* when its service was already logging, for longer than the group's own
rhythm, before the group first appeared: its onset is its first record. A group present all
along *surged* when its rate leaves its own baseline: its onset is the first record of the
burst, never a member from the calm before it. Anything else is *chronic*. A group whose
service only started logging shortly before it is *late*: new to us, but weak evidence (a log
that starts mid-window makes nothing novel by itself).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..mining.group_models import ErrorGroup
from .evidence import weight

NEW_LEAD_BUCKETS = 3  # a service logs this long before a group counts as new
SURGE_FACTOR = 3.0
SUSTAIN_BUCKETS = 3

Occurrence = tuple[float, str, int]  # corrected epoch seconds, file, line


@dataclass
class GroupOnset:
    group: ErrorGroup
    occurrences: list[Occurrence]  # corrected, in time order
    chronic: bool
    novel: bool
    surging: bool
    late: bool  # new, but its service's log began only shortly before it
    onset: Occurrence | None  # the first record of its part in the incident
    weight: float  # as evidence of the incident
    context: str = ""  # its example's header fields, as text (who the line is about)
    accompanied: bool = False  # another new group of its service began right after it

    @property
    def when(self) -> float:
        assert self.onset is not None
        return self.onset[0]


def classify(
    group: ErrorGroup,
    occurrences: list[Occurrence],
    offset: float,
    service_start: float,
    window_start: float,
    window_end: float,
    width: int,
) -> GroupOnset:
    """`occurrences` on the group's own clock, `offset` the clock's skew (subtracted),
    `service_start` the corrected time of the service's first record."""
    shifted = sorted((t - offset, f, n) for t, f, n in occurrences) if offset else occurrences
    if not shifted:
        return GroupOnset(group, shifted, True, False, False, False, None, 0.0)
    first = shifted[0][0]
    active = max(width, shifted[-1][0] - first + width)
    rhythm = active / len(shifted)  # mean gap between members while the group is active
    lead = first - service_start
    needed = max(NEW_LEAD_BUCKETS * width, 3 * rhythm)
    novel = lead >= needed
    late = False
    if not novel and service_start - window_start >= NEW_LEAD_BUCKETS * width and lead < width:
        # the service itself appeared in the window (a job starting, a pod restarting)
        novel = late = True
    onset: Occurrence | None = shifted[0] if novel else None
    surging = False
    if not novel:
        onset = surge_onset(shifted, service_start, window_end, width)
        surging = onset is not None
    chronic = not novel and not surging
    return GroupOnset(
        group,
        shifted,
        chronic,
        novel,
        surging,
        late,
        onset,
        0.0 if chronic else weight(group, surging, late),
    )


def surge_onset(
    occurrences: list[Occurrence], start: float, end: float, width: int
) -> Occurrence | None:
    """The first record of a burst well above the group's own earlier rate, sustained, or
    None. The burst is found per bucket, then placed on the record where the gaps shorten."""
    first_bucket = int(start // width)
    length = int(end // width) - first_bucket + 1
    if length < NEW_LEAD_BUCKETS + 1:
        return None
    counts = [0] * length
    for when, _, _ in occurrences:
        index = int(when // width) - first_bucket
        if 0 <= index < length:
            counts[index] += 1
    calm_total = 0
    for index in range(length):
        if index >= NEW_LEAD_BUCKETS:
            calm = calm_total / index
            burst = counts[index]
            following = counts[index : index + SUSTAIN_BUCKETS]
            sustained = sum(following) / len(following)
            if burst > SURGE_FACTOR * calm + 2 and sustained >= 2 * calm + 1:
                return _burst_start(occurrences, (first_bucket + index) * width, calm, width)
        calm_total += counts[index]
    return None


def _burst_start(
    occurrences: list[Occurrence], bucket_start: float, calm: float, width: int
) -> Occurrence:
    """The first record, from a bucket before the surging one, after which a bucket's worth
    of time holds a burst's count: the burst's first member, not a calm one before it."""
    needed = max(3.0, SURGE_FACTOR * calm + 2)
    times = [o[0] for o in occurrences]
    low = bucket_start - width
    candidates = [i for i, t in enumerate(times) if t >= low]
    for position, i in enumerate(candidates):
        horizon = times[i] + width
        count = 0
        for j in candidates[position:]:
            if times[j] >= horizon:
                break
            count += 1
        if count >= needed:
            return occurrences[i]
    return next((o for o in occurrences if o[0] >= bucket_start), occurrences[candidates[0]])


def mark_accompanied(groups: list[GroupOnset], width: int) -> None:
    """A lone new warning is a stray line, unless its service's other new groups follow it
    within a bucket: then it is the first word of that service's failure."""
    starts: dict[str, list[float]] = {}
    for item in groups:
        if item.onset is not None and not item.chronic:
            starts.setdefault(item.group.service, []).append(item.when)
    for item in groups:
        if item.onset is None or item.chronic:
            continue
        later = starts.get(item.group.service, [])
        item.accompanied = any(item.when < t <= item.when + width for t in later)
