"""Record filters shared by the analysis commands: time window, services, minimum level."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from .errors import OptionError
from .inferred_levels import LevelReader
from .levels import at_least
from .records import Record

_RELATIVE = re.compile(r"^(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d)$", re.IGNORECASE)
_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}


def parse_time_bound(text: str, option: str, now: datetime | None = None) -> datetime:
    """`--since`/`--until` values: ISO 8601 (naive means UTC), or relative to now (`30m`,
    `2h`, `1d`, as in `journalctl --since` and `kubectl logs --since`)."""
    value = text.strip()
    relative = _RELATIVE.match(value)
    if relative is not None:
        seconds = float(relative.group(1)) * _UNITS[relative.group(2).lower()]
        try:
            return (now or datetime.now(UTC)) - timedelta(seconds=seconds)
        except (OverflowError, ValueError):
            raise OptionError(
                f"{option} {text!r}: out of range (reaches back before the year 1)"
            ) from None
    try:
        parsed = datetime.fromisoformat(value)
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except OverflowError:
        raise OptionError(f"{option} {text!r}: out of range") from None
    except ValueError:
        raise OptionError(
            f"{option} {text!r}: expected a time like 2026-11-28T14:00:00Z or a duration like "
            "30m, 2h, 1d"
        ) from None


@dataclass
class RecordFilter:
    """Keeps records inside the window, of the wanted services, at or above a level. Records
    without a timestamp pass a time window (they cannot be placed outside it). A record that
    states no level is at the level its words imply (`inferred_levels`)."""

    since: datetime | None = None
    until: datetime | None = None
    services: Sequence[str] = field(default_factory=tuple)
    min_level: str | None = None
    # each source's share of stated levels, over every record this filter has seen
    levels: LevelReader = field(default_factory=LevelReader, repr=False, compare=False)

    @property
    def narrows(self) -> bool:
        """True when a window or a service list is set (a level alone does not narrow)."""
        return self.since is not None or self.until is not None or bool(self.services)

    def __call__(self, records: Iterable[Record]) -> Iterator[Record]:
        since, until, minimum = self.since, self.until, self.min_level
        wanted = frozenset(self.services)
        for record in records:
            if wanted and record.service not in wanted:
                continue
            if minimum is not None and not at_least(self.levels(record), minimum):
                continue
            when = record.timestamp
            if when is not None and (
                (since is not None and when < since) or (until is not None and when >= until)
            ):
                continue
            yield record
