"""Relative windows (`--since 30m`) measured from the logs when the logs are older than the
window: "the last 30 minutes" of an incident that ended an hour ago are its last 30 minutes,
not an empty stretch of the machine's clock.

`journalctl --since` and `kubectl logs --since` measure from now because they read live logs.
A post-mortem reads logs that stopped at some point in the past; measured from now, every
relative window on them is empty, silently. So a relative bound is measured from the newest
record of the loaded logs when those end before now minus the bound's duration, and the caller
is told which anchor was used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from .filters import parse_time_bound

_RELATIVE = re.compile(r"^\s*\d+(?:\.\d+)?\s*(?:s|sec|m|min|h|d)\s*$", re.IGNORECASE)
_TIME_OF_DAY = re.compile(
    r"^\s*([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.(\d{1,6}))?)?\s*(?:Z|UTC)?\s*$"
)


def is_relative(text: str) -> bool:
    return _RELATIVE.match(text) is not None


@dataclass(frozen=True)
class Bound:
    """A resolved bound and, for a relative one, the instant it was measured from."""

    when: datetime
    anchor: datetime | None  # None for an absolute bound
    from_logs: bool  # the anchor is the newest record, not the clock


def resolve_bound(
    text: str, option: str, newest: datetime | None, now: datetime | None = None
) -> Bound:
    """`text` as a bound: absolute as written; relative from now, or from `newest` (the
    newest record of the logs) when the logs end before the window would begin."""
    now = now or datetime.now(UTC)
    clock = _TIME_OF_DAY.match(text)
    if clock is not None:
        # a time of day is on the day the logs end (in UTC), as a person reading them means it
        day = (newest or now).astimezone(UTC)
        hour, minute, second, fraction = clock.groups()
        when = day.replace(
            hour=int(hour),
            minute=int(minute),
            second=int(second or 0),
            microsecond=int((fraction or "0").ljust(6, "0")),
        )
        return Bound(when, None, False)
    if not is_relative(text):
        return Bound(parse_time_bound(text, option), None, False)
    from_now = parse_time_bound(text, option, now=now)
    if newest is None or newest >= from_now:
        return Bound(from_now, now, False)
    return Bound(parse_time_bound(text, option, now=newest), newest, True)


def anchor_note(bounds: list[tuple[str, str, Bound]]) -> str | None:
    """One sentence on how relative bounds were measured, or None when none was."""
    parts = [
        f"{option} {text} = {_stamp(bound.when)}"
        for option, text, bound in bounds
        if bound.anchor is not None
    ]
    if not parts:
        return None
    anchors = {bound.anchor for _, _, bound in bounds if bound.anchor is not None}
    from_logs = any(bound.from_logs for _, _, bound in bounds)
    anchor = max(a for a in anchors if a is not None)
    source = (
        f"the newest record of the loaded logs ({_stamp(anchor)}; they end before the window "
        "would begin if measured from now)"
        if from_logs
        else f"now ({_stamp(anchor)})"
    )
    return f"relative window measured from {source}: " + ", ".join(parts)


def _stamp(when: datetime) -> str:
    text = when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    return text + (f".{when.microsecond // 1000:03d}" if when.microsecond else "") + " UTC"
