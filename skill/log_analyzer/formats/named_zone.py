"""Formats whose lines name their time zone: PHP's error_log writes `date.timezone` after the
time (`[28-Nov-2026 15:02:03 Europe/Berlin]`), the wall clock of that zone. The time is read in
the named zone, daylight saving time included; a name `zoneinfo` does not know leaves it in the
source's zone (`--tz`)."""

from __future__ import annotations

from datetime import UTC, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..timestamps import Clock
from .base import Parsed, RegexFormat


class NamedZoneFormat(RegexFormat):
    """A regex format with a `zone_name` group: an IANA zone name its lines' times are in."""

    def parse(self, line: str, clock: Clock) -> Parsed | None:
        parsed = super().parse(line, clock)
        if parsed is None or parsed.timestamp is None or not parsed.fields:
            return parsed
        name = parsed.fields.get("zone_name")
        zone = _zone(name) if isinstance(name, str) else None
        if zone is not None:
            wall = parsed.timestamp.astimezone(clock.tz).replace(tzinfo=None)
            parsed.timestamp = wall.replace(tzinfo=zone).astimezone(UTC)
            parsed.zoned = True
        return parsed


@lru_cache(maxsize=64)
def _zone(name: str) -> tzinfo | None:
    """The zone `name` names, or None when it names none."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):  # unknown, or not a key (`../x`)
        return None
