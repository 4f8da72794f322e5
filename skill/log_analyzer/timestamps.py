"""Timestamps: from the text of a line to a timezone-aware UTC datetime.

Formats describe their timestamp with `stamp("%Y-%m-%d %H:%M:%S(?:,%f)?")`, a strftime-like
spec turned into a regex with named groups (`Y`, `mo`, `d`, `H`, `M`, `S`, `f`, `z`, `epoch`...).
The `Clock` of a source turns those groups into a datetime. Timestamp parsing is the hottest
path, so the clock caches the datetime of each whole second and only adds the fraction.

Context the line does not carry comes from the clock: the year for year-less stamps (syslog,
Redis, Android: the nearest year another stamp of the source states), the date for time-only
stamps, the time zone for naive local times.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import Any

MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_MONTH_RX = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
_DAY_RX = "Mon|Tue|Wed|Thu|Fri|Sat|Sun"

_DIRECTIVES = {
    "Y": r"(?P<Y>\d{4})",
    "y": r"(?P<y>\d{2})",
    "m": r"(?P<mo>\d{2})",
    "-m": r"(?P<mo>\d{1,2})",
    "d": r"(?P<d>\d{2})",
    "-d": r"(?P<d>\d{1,2})",
    "e": r" ?(?P<d>\d{1,2})",
    "b": rf"(?P<mon>{_MONTH_RX})",
    "a": rf"(?:{_DAY_RX})",
    "H": r"(?P<H>\d{2})",
    "I": r"(?P<H>\d{1,2})",  # 12-hour, with %p
    "p": r"(?P<ampm>[AaPp][Mm])",
    "-H": r"(?P<H>\d{1,2})",
    "M": r"(?P<M>\d{2})",
    "S": r"(?P<S>\d{2})",
    "f": r"(?P<f>\d{1,9})",
    "z": r"(?P<z>Z|[+-]\d{2}(?::?\d{2})?)",
    "Z": r"(?P<z>[A-Z]{1,5}|[+-]\d{2}(?::?\d{2})?)",
    "s": r"(?P<epoch>\d{9,19}(?:\.\d{1,9})?)",
    "%": "%",
}
_DIRECTIVE_RX = re.compile(r"%(-?[A-Za-z%])")

# Abbreviations seen in real logs; ambiguous ones (IST, CST) take their most common meaning.
_TZ_ABBREVIATIONS = {
    "Z": 0,
    "UTC": 0,
    "GMT": 0,
    "UT": 0,
    "WET": 0,
    "BST": 60,
    "CET": 60,
    "CEST": 120,
    "EET": 120,
    "EEST": 180,
    "MSK": 180,
    "IST": 330,
    "JST": 540,
    "KST": 540,
    "AEST": 600,
    "AEDT": 660,
    "EST": -300,
    "EDT": -240,
    "CST": -360,
    "CDT": -300,
    "MST": -420,
    "MDT": -360,
    "PST": -480,
    "PDT": -420,
    "HST": -600,
    "AKST": -540,
    "AKDT": -480,
    "NZST": 720,
    "NZDT": 780,
    "AWST": 480,
    "ACST": 570,
    "ACDT": 630,
    "SGT": 480,
    "HKT": 480,
    "SAST": 120,
    "CAT": 120,
    "EAT": 180,
    "PKT": 300,
    "WIB": 420,
}
# The abbreviations as a regex alternation, longest first (`CEST` before `CET`).
ZONE_NAMES = "|".join(sorted(_TZ_ABBREVIATIONS, key=len, reverse=True))


def stamp(spec: str) -> str:
    """A regex with named time groups for a strftime-like `spec`, wrapped in group `ts`.

    The spec is itself a regex: only `%X` directives are replaced, so literal dots must be
    escaped and optional parts written as `(?:...)?`.
    """

    def replace(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in _DIRECTIVES:
            raise ValueError(f"unknown timestamp directive %{key} in {spec!r}")
        return _DIRECTIVES[key]

    return f"(?P<ts>{_DIRECTIVE_RX.sub(replace, spec)})"


def parse_offset(text: str) -> tzinfo | None:
    """`Z`, `+02:00`, `-0700`, `+05`, `UTC`, `PST` -> a fixed-offset tzinfo, or None."""
    text = text.strip()
    minutes = _TZ_ABBREVIATIONS.get(text.upper())
    if minutes is None:
        if len(text) < 3 or text[0] not in "+-" or not text[1:3].isdigit():
            return None
        digits = text[1:].replace(":", "")
        minutes = int(digits[:2]) * 60 + (int(digits[2:4]) if len(digits) >= 4 else 0)
        if text[0] == "-":
            minutes = -minutes
    return UTC if minutes == 0 else timezone(timedelta(minutes=minutes))


def epoch_to_datetime(value: float | int | str) -> datetime | None:
    """Seconds, milliseconds, microseconds or nanoseconds since the epoch, told apart by size.

    An integer count of seconds, or of milliseconds before 2242 (pino's `time`), is its whole
    second's datetime, kept per second, plus the milliseconds: the very datetime the float path
    below builds. That path reads `ms` as the double `d = ms / 1e3` and `fromtimestamp` takes
    `floor(d)` and `round_half_even(frac(d) * 1e6)` microseconds. Below 2**33 seconds `d` is
    within half a unit in the last place (2**-21 s, 0.48 us) of `ms / 1000` exactly, and
    a millisecond lies a whole number of microseconds from the second, so `floor(d)` is
    `ms // 1000` and the rounding lands on `ms % 1000 * 1000` microseconds. Floats, strings,
    negative, microsecond and nanosecond values take the float path (a nanosecond count has
    digits below the microsecond, which only that rounding decides)."""
    if type(value) is int and 0 <= value < _EXACT_MS_LIMIT:
        if value < 100_000_000_000:  # seconds: exact as a double, no fraction
            return _whole_second(value)
        seconds, millis = divmod(value, 1000)
        return _whole_second(seconds) + _MILLIS[millis]
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):  # (an integer past a double's range)
        return None
    magnitude = abs(number)
    if magnitude >= 1e17:
        number /= 1e9
    elif magnitude >= 1e14:
        number /= 1e6
    elif magnitude >= 1e11:
        number /= 1e3
    try:
        when = datetime.fromtimestamp(number, UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return when if when.year <= LAST_YEAR else None


_EXACT_MS_LIMIT = 2**33 * 1000  # milliseconds: 2242-03-16, the bound of the proof above
_MILLIS = tuple(timedelta(milliseconds=millis) for millis in range(1000))
# whole second since the epoch -> its UTC datetime
_SECONDS: dict[int, datetime] = {}


def _whole_second(seconds: int) -> datetime:
    """`datetime.fromtimestamp(seconds, UTC)`, kept per second (a log writes many lines a
    second); `seconds` is in [0, 2**33), where it never fails."""
    when = _SECONDS.get(seconds)
    if when is None:
        when = datetime.fromtimestamp(seconds, UTC)
        if len(_SECONDS) >= CACHE_LIMIT:  # a log spanning days: keep memory flat
            _SECONDS.clear()
        _SECONDS[seconds] = when
    return when


class _YearTracker:
    """Assigns years to year-less stamps. A stamp that states its year sets it for the
    year-less stamps after it (the record that states its year wins: haproxy's accept date
    inside a year-less syslog line); before any, the first year a stamp states further on
    (`hint`), else the reference time's (the file's modification time, or `--year`), the first
    stamp being not after it. The year advances when months roll over."""

    __slots__ = ("_current", "_fixed", "_hint", "_last_month", "_reference", "first_stated")

    def __init__(
        self,
        reference: datetime,
        fixed: int | None,
        hint: Callable[[], tuple[int, int] | None] | None = None,
    ) -> None:
        self._reference = reference
        self._fixed = fixed
        self._hint = hint
        self._current: int | None = None
        self._last_month = 0
        self.first_stated: tuple[int, int] | None = None  # (year, month) of the first stamp

    def observe(self, year: int, month: int) -> None:
        """A stamp stated its year: the year-less stamps after it take that year (not an
        epoch-zero placeholder, nor a clock decades off)."""
        if not 1980 <= year <= 2100:
            return
        if self.first_stated is None:
            self.first_stated = (year, month)
        if self._fixed is None:
            self._current = year
            self._last_month = month

    def year_for(self, month: int, day: int) -> int:
        if self._current is None and self._fixed is None and self._hint is not None:
            stated = self._hint()
            if stated is not None:
                self._current, self._last_month = stated
        if self._current is None:
            year = self._fixed if self._fixed is not None else self._reference.year
            if self._fixed is None:
                ref = self._reference.date() + timedelta(days=1)
                if (month, day) > (ref.month, ref.day) and ref.year == year:
                    year -= 1
            self._current = year
            self._last_month = month
            return year
        if month < self._last_month - 6:
            self._current += 1  # December -> January
        elif month > self._last_month + 6:
            return self._current - 1  # a straggler from before the rollover
        self._last_month = month
        return self._current


class _DateTracker:
    """Assigns dates to time-only stamps, moving to the next day when the clock wraps."""

    __slots__ = ("_current", "_last_seconds")

    def __init__(self, start: date) -> None:
        self._current = start
        self._last_seconds = -1

    def date_for(self, hour: int, minute: int, second: int) -> date:
        seconds = hour * 3600 + minute * 60 + second
        if self._last_seconds - seconds > 12 * 3600:
            self._current += timedelta(days=1)
        self._last_seconds = seconds
        return self._current


class Clock:
    """Per-source timestamp context and cache.

    `tz` is the zone of naive stamps (`--tz`, default UTC); `reference` is when the source was
    last written (its mtime), used for year-less stamps unless `year` is given or a stamp of the
    source states its year (`year_hint()`: the (year, month) the source states first, for the
    year-less stamps before it); `day` is the date of time-only stamps (`--date`), else
    `day_hint()` (the date of the other sources), else the date of the reference.
    """

    __slots__ = (
        "_cache",
        "_dates",
        "_seen",
        "_values",
        "_years",
        "day",
        "day_hint",
        "reference",
        "tz",
    )

    @property
    def first_stated_year(self) -> tuple[int, int] | None:
        """(year, month) of the first stamp read that stated its year, or None."""
        return self._years.first_stated

    def __init__(
        self,
        tz: tzinfo = UTC,
        reference: datetime | None = None,
        year: int | None = None,
        day: date | None = None,
        day_hint: Callable[[], date | None] | None = None,
        year_hint: Callable[[], tuple[int, int] | None] | None = None,
    ) -> None:
        self.tz = tz
        self.day_hint = day_hint
        self.reference = reference or datetime.now(UTC)
        self.day = day
        self._years = _YearTracker(self.reference.astimezone(tz), year, year_hint)
        self._seen = 0  # year * 12 + month of the last stamp that stated its year
        self._dates: _DateTracker | None = None
        self._cache: dict[Any, datetime | tuple[int, ...] | None] = {}
        self._values: dict[str, datetime | None] = {}

    # -- regex formats -------------------------------------------------------------------
    def from_match(
        self, match: re.Match[str], text: str | None = None, fraction: str | None = None
    ) -> datetime | None:
        """The timestamp described by the named time groups of `match`; `text` and `fraction`
        are its `ts` and `f` groups, when the caller has read them already."""
        if text is None:
            text = match.group("ts")
            if text is None:
                return None
            fraction = match.group("f") if "f" in match.re.groupindex else None
        key = text
        if fraction:
            start, end = match.span("f")
            offset = match.start("ts")
            key = text[: start - offset - 1] + text[end - offset :]
        cached = self._cache.get(key, _MISSING)
        if cached is _MISSING:
            cached = self._build(match, match.re.groupindex)
            if len(self._cache) >= CACHE_LIMIT:  # a log spanning weeks: keep memory flat
                self._cache.clear()
            self._cache[key] = cached
        if cached is None:
            return None
        result = self._complete(cached) if isinstance(cached, tuple) else cached
        if result is None or not fraction:
            return result
        if result.microsecond or result.fold:  # never so (whole UTC seconds): kept exact
            return result.replace(microsecond=int(fraction[:6].ljust(6, "0")))
        # A whole second plus the fraction is the same datetime as `replace(microsecond=...)`
        # (same fields, tzinfo and fold 0), for a tenth of the cost; the step is kept per text.
        step = _FRACTIONS.get(fraction)
        if step is None:
            step = timedelta(microseconds=int(fraction[:6].ljust(6, "0")))
            if len(_FRACTIONS) < MAX_FRACTIONS:
                _FRACTIONS[fraction] = step
        return result + step

    def _build(self, match: re.Match[str], groups: Any) -> datetime | tuple[int, ...] | None:
        """A whole-second UTC datetime, or a tuple of parts awaiting a year or a date."""
        get = match.group
        if "epoch" in groups and get("epoch"):
            return self._stated(epoch_to_datetime(get("epoch").split(".")[0]))
        try:
            hour = int(get("H")) if "H" in groups and get("H") else 0
            if "ampm" in groups and get("ampm"):
                hour = hour % 12 + (12 if get("ampm")[0] in "Pp" else 0)
            minute = int(get("M")) if "M" in groups and get("M") else 0
            second = int(get("S")) if "S" in groups and get("S") else 0
            second = min(second, 59)  # leap seconds
            if "Y" in groups and get("Y"):
                year: int | None = int(get("Y"))
            elif "y" in groups and get("y"):
                year = 2000 + int(get("y"))
            else:
                year = None
            if "mo" in groups and get("mo"):
                month: int | None = int(get("mo"))
            elif "mon" in groups and get("mon"):
                month = MONTHS[get("mon")[:3].lower()]
            else:
                month = None
            day = int(get("d")) if "d" in groups and get("d") else None
            zone = parse_offset(get("z")) if "z" in groups and get("z") else None
            offset = -1 if zone is None else int(zone.utcoffset(None).total_seconds())  # type: ignore[union-attr]
            # parts awaiting a year or a date must exist in some year (a leap one: 29 Feb),
            # as `datetime` would check them: `E1399 10:00:00` is no klog time, and must not
            # fail later when the year is filled in
            if month is None or day is None:
                time(hour, minute, second)
                return (0, 0, 0, hour, minute, second, offset)
            if year is None:
                datetime(2000, month, day, hour, minute, second)
                return (0, month, day, hour, minute, second, offset)
            if year > LAST_YEAR:
                return None
            if year * 12 + month != self._seen:
                self._seen = year * 12 + month
                self._years.observe(year, month)
            return self._localize(datetime(year, month, day, hour, minute, second), zone)
        except (ValueError, KeyError):
            return None

    def _complete(self, parts: tuple[int, ...]) -> datetime | None:
        """Fill in a missing year (or date) from context, then localise. Cached per result."""
        _, month, day, hour, minute, second, offset = parts
        if month:
            year = self._years.year_for(month, day)
            key: tuple[Any, ...] = (parts, year)
            cached = self._cache.get(key, _MISSING)
            if cached is _MISSING:
                try:
                    naive = datetime(year, month, day, hour, minute, second)
                except ValueError:  # 29 Feb in a year-less log of a common year
                    naive = datetime(year, month, 28, hour, minute, second)
                cached = self._localize(naive, _fixed_zone(offset))
                self._cache[key] = cached
            return cached  # type: ignore[no-any-return]
        if self._dates is None:
            self._dates = _DateTracker(self._start_day(hour, minute, second))
        on = self._dates.date_for(hour, minute, second)
        naive = datetime(on.year, on.month, on.day, hour, minute, second)
        return self._localize(naive, _fixed_zone(offset))

    def _start_day(self, hour: int, minute: int, second: int) -> date:
        if self.day is not None:
            return self.day
        hinted = self.day_hint() if self.day_hint is not None else None
        if hinted is not None:
            return hinted
        local_ref = self.reference.astimezone(self.tz)
        if (hour, minute, second) > (local_ref.hour, local_ref.minute, local_ref.second):
            return local_ref.date() - timedelta(days=1)
        return local_ref.date()

    def _localize(self, naive: datetime, zone: tzinfo | None) -> datetime:
        return naive.replace(tzinfo=zone or self.tz).astimezone(UTC)

    # -- structured values ----------------------------------------------------------------
    def from_value(self, value: object) -> datetime | None:
        """A timestamp value from a structured record: ISO 8601 text, epoch number, or text in
        any layout `GENERIC_STAMPS` knows."""
        kind = type(value)  # the common types by identity, before the `isinstance` calls
        if kind is int or kind is float or (kind is not bool and isinstance(value, int | float)):
            when = epoch_to_datetime(value)  # type: ignore[arg-type]  # a number, as tested
            if when is not None and when.year * 12 + when.month != self._seen:
                self._stated(when)
            return when
        if value is None or kind is bool:
            return None
        if isinstance(value, dict):  # log4j2 `instant`, protobuf/GCP `{seconds, nanos}`
            if "$date" in value:  # MongoDB extended JSON: ISO text, or `{"$numberLong": ms}`
                inner = value["$date"]
                if isinstance(inner, dict):
                    inner = inner.get("$numberLong")
                return self.from_value(inner)
            seconds: Any = value.get("epochSecond", value.get("seconds"))
            nanos: Any = value.get("nanoOfSecond", value.get("nanos", 0)) or 0
            try:
                return self._stated(epoch_to_datetime(float(seconds) + float(nanos) / 1e9))
            except (TypeError, ValueError, OverflowError):
                return None
        text = str(value).strip()
        if not text:
            return None
        if text[0].isdigit() and text.replace(".", "", 1).isdigit():
            return self._stated(epoch_to_datetime(text))
        cached = self._values.get(text, _MISSING)
        if cached is not _MISSING:
            return cached  # type: ignore[no-any-return]
        result = self._from_iso(text)
        if result is None:
            for pattern in GENERIC_STAMPS:
                match = pattern.match(text)
                if match:
                    result = self.from_match(match)
                    break
        if len(self._values) < 100_000:
            self._values[text] = result
        return result

    def _from_iso(self, text: str) -> datetime | None:
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            # nanoseconds (Python reads six digits at most), and RFC 3339's lower-case `t` and
            # `z`, which `fromisoformat` refuses: a `z` dropped would read the time as local
            trimmed = _NANOS.sub(lambda m: m.group(1), text)
            if trimmed[-1:] == "z" or "t" in trimmed[8:12]:
                trimmed = trimmed.upper()
            if trimmed == text:
                return None
            try:
                parsed = datetime.fromisoformat(trimmed)
            except ValueError:
                return None
        if parsed.year > LAST_YEAR:
            return None
        if parsed.year * 12 + parsed.month != self._seen:
            self._stated(parsed)
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=self.tz).astimezone(UTC)
        return parsed.astimezone(UTC)

    def _stated(self, when: datetime | None) -> datetime | None:
        """A stamp that states its year (an epoch's is stated too): the year of the year-less
        stamps after it."""
        if when is not None:
            self._seen = when.year * 12 + when.month
            self._years.observe(when.year, when.month)
        return when


_MISSING: Any = object()
CACHE_LIMIT = 20_000
# A stamp after this year is no time (the record is kept, with none): 9999-12-31 is a
# placeholder, not a moment, and the analysis's arithmetic on it (a bucket's end, a float's
# rounding) would pass `datetime.max`.
LAST_YEAR = 9998
# fraction text -> the timedelta it adds to a whole second (milliseconds: a thousand texts)
_FRACTIONS: dict[str, timedelta] = {}
MAX_FRACTIONS = 20_000
_NANOS = re.compile(r"(\.\d{6})\d+")


def _fixed_zone(offset_seconds: int) -> tzinfo | None:
    if offset_seconds == -1:
        return None
    return UTC if offset_seconds == 0 else timezone(timedelta(seconds=offset_seconds))


# Layouts tried, in order, for timestamp text of unknown layout (JSON values, the generic
# fallback format). Anchored at the start of the text.
GENERIC_STAMP_SPECS: tuple[str, ...] = (
    r"%Y-%m-%d[T ]%H:%M:%S(?:[.,:]%f)?\s?(?:%Z)?",
    r"%Y/%m/%d[T ]%H:%M:%S(?:[.,]%f)?\s?(?:%z)?",
    r"%d/%b/%Y[: ]%H:%M:%S(?:\.%f)? ?(?:%z)?",  # access logs; Django's `14/Mar/2026 10:00:02`
    r"(?:%a,? )?%-d %b %Y %H:%M:%S(?:[.,]%f)?(?: %Z)?",
    r"(?:%a,? )?%-d-%b-%Y[ :]%H:%M:%S(?:[.,]%f)?(?: %Z)?",
    r"(?:%a,? )?%b %e %H:%M:%S(?:\.%f)? %Y(?: %Z)?",
    r"(?:%a )?%b %e %Y %H:%M:%S(?:\.%f)?",
    r"(?:%a )?%b %e %H:%M:%S(?:\.%f)?",
    r"%Y%m%d[T-]%H:?%M:?%S(?:[.:,]%f)?(?:%z)?",
    r"%H:%M:%S(?:[.,]%f)?",
    r"%I:%M(?::%S(?:[.,]%f)?)? ?%p",
)
GENERIC_STAMPS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(stamp(spec)) for spec in GENERIC_STAMP_SPECS
)
