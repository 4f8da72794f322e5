"""Parsing the values of user options (`--tz`, `--date`, `--service`) into typed settings,
with one-line errors for bad values."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import OptionError
from .ingest import ParseOptions
from .levels import LEVELS
from .services import parse_overrides
from .timestamps import parse_offset

_OFFSET = re.compile(r"([+-])(\d\d)(?::?(\d\d))?")


def parse_tz(value: str | None) -> tzinfo:
    """`UTC`, `Europe/Paris`, `+02:00`, `-0700`, `local` -> tzinfo."""
    if value is None or value.upper() in {"UTC", "Z"}:
        return UTC
    if value.lower() == "local":
        from datetime import datetime

        local = datetime.now().astimezone().tzinfo
        return local or UTC
    if value[:1] in "+-":
        match = _OFFSET.fullmatch(value.strip())
        if match is None or int(match.group(2)) > 18 or int(match.group(3) or 0) > 59:
            raise OptionError(
                f"--tz {value!r}: not a UTC offset (expected -18:00 to +18:00, like +02:00)"
            )
        offset = parse_offset(value)
        if offset is not None:
            return offset
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise OptionError(
            f"--tz {value!r}: not a time zone (use a name like Europe/Paris, or +02:00)"
        ) from None


def parse_day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise OptionError(f"--date {value!r}: expected YYYY-MM-DD") from None


def check_level(value: str | None) -> str | None:
    if value is None:
        return None
    lowered = value.lower()
    aliases = {"warn": "warning", "err": "error", "crit": "critical"}
    lowered = aliases.get(lowered, lowered)
    if lowered not in LEVELS:
        raise OptionError(f"--min-level {value!r}: expected one of {', '.join(LEVELS)}")
    return lowered


def split_service_options(values: Sequence[str]) -> tuple[list[tuple[str, str]], list[str]]:
    """`--service` takes both `NAME=GLOB` (assign a service to files) and `NAME` (keep only
    that service's records): (overrides, filters)."""
    assignments = [value for value in values if "=" in value]
    filters = [value for value in values if "=" not in value]
    return parse_overrides(assignments), filters


def build_parse_options(
    format: str | None,
    tz: str | None,
    year: int | None,
    day: str | None,
    services: Sequence[str],
) -> tuple[ParseOptions, list[str]]:
    if format is not None:
        from .formats.registry import get_format

        get_format(format)  # fail early, with the list of known names
    if year is not None and not 1970 <= year <= 2200:
        raise OptionError(f"--year {year}: expected a four-digit year")
    overrides, filters = split_service_options(services)
    options = ParseOptions(
        format=format, tz=parse_tz(tz), year=year, day=parse_day(day), services=overrides
    )
    return options, filters
