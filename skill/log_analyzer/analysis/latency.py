"""Latency beside errors: the durations records carry, as percentiles per bucket and service.

Durations come from structured fields (`duration`, `elapsed`, `latency`, `response_time`...,
with their unit from the key or the value), from HAProxy's timers (the total time `Tt`), and
from the words applications write (`in 12 ms`, `took 1.2 s`, `duration=153ms`)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

_FIELD_UNITS = (
    ("duration_ms", 1.0),
    ("elapsed_ms", 1.0),
    ("latency_ms", 1.0),
    ("response_time_ms", 1.0),
    ("responseTime", 1.0),
    ("took_ms", 1.0),
    ("request_time", 1000.0),
    ("upstream_response_time", 1000.0),
    ("duration", None),
    ("elapsed", None),
    ("latency", None),
    ("took", None),
    ("response_time", None),
)
_UNITS = {
    "ns": 1e-6,
    "us": 1e-3,
    "µs": 1e-3,
    "ms": 1.0,
    "s": 1000.0,
    "sec": 1000.0,
    "secs": 1000.0,
    "seconds": 1000.0,
    "m": 60000.0,
    "min": 60000.0,
}
_VALUE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ns|us|µs|ms|s|sec|secs|seconds|m|min)?\s*$")
# `in 12 ms` (not `100 changes in 300 seconds`: after `in`, sub-second units only)
_IN_TEXT = re.compile(
    r"\b(?:(?:took|duration[=:]|elapsed[=:]|latency[=:]|response time[=:]?)\s*(\d+(?:\.\d+)?)"
    r"\s?(ns|us|µs|ms|s|sec|secs|seconds)|in\s*(\d+(?:\.\d+)?)\s?(ns|us|µs|ms))\b"
)
# `_IN_TEXT` with the letter each phrase starts with read first, outside the lookarounds (and
# `\b` before it as "no word character before that letter"): the same matches, the same
# groups, but the engine skips to those letters instead of trying a match at every character.
_IN_TEXT_FAST = re.compile(
    r"[tdelri](?<!\w.)(?:(?:(?<=t)ook|(?<=d)uration[=:]|(?<=e)lapsed[=:]|(?<=l)atency[=:]"
    r"|(?<=r)esponse time[=:]?)\s*(\d+(?:\.\d+)?)\s?(ns|us|µs|ms|s|sec|secs|seconds)"
    r"|(?<=i)n\s*(\d+(?:\.\d+)?)\s?(ns|us|µs|ms))\b"
)
# Every phrase `_IN_TEXT` reads contains one of these: a cheap test first (`in 5 us` and
# `in 5 ns` are left to the words around them).
_HINTS = ("took", "uration", "lapsed", "atency", "esponse time", "µs")


def _milliseconds_written(text: str) -> bool:
    """`12ms` or `12 ms` somewhere in `text` (not the `ms` of `items`)."""
    index = text.find("ms")
    while index > 0:
        before = text[index - 1]
        if before.isdigit() or (before == " " and index > 1 and text[index - 2].isdigit()):
            return True
        index = text.find("ms", index + 2)
    return False


_FIELD_KEYS = frozenset(key for key, _ in _FIELD_UNITS) | {"timers"}
DURATION_KEYS = _FIELD_KEYS  # fields with none of these keys state no duration


def duration_ms(message: str, fields: Mapping[str, Any] | None) -> float | None:
    """The duration a record reports, in milliseconds, or None."""
    return line_duration_ms(message.split("\n", 1)[0] if "\n" in message else message, fields)


def line_duration_ms(first_line: str, fields: Mapping[str, Any] | None) -> float | None:
    """`duration_ms` of a message whose first line the caller has cut already."""
    if fields and not _FIELD_KEYS.isdisjoint(fields):
        for key, factor in _FIELD_UNITS:
            value = fields.get(key)
            if value is None or isinstance(value, bool):
                continue
            if isinstance(value, int | float):
                # unit-less numbers: milliseconds, as pino-http, zap and most JSON loggers write
                try:
                    return _sane(float(value) * (factor if factor is not None else 1.0))
                except OverflowError:  # an integer past a double's range
                    return None
            match = _VALUE.match(str(value))
            if match is not None:
                number = float(match.group(1))
                unit = match.group(2)
                if unit is not None:
                    return _sane(number * _UNITS[unit])
                return _sane(number * (factor if factor is not None else 1.0))
        timers = fields.get("timers")
        if isinstance(timers, str) and "/" in timers:  # HAProxy TR/Tw/Tc/Tr/Ta: Ta is total
            total = timers.rsplit("/", 1)[-1].lstrip("+")
            if total.isdigit():
                return float(total)
    if not (
        ("ms" in first_line and _milliseconds_written(first_line))
        # `_HINTS`, one test after the other (`µs` is in no ASCII text)
        or "took" in first_line
        or "uration" in first_line
        or "lapsed" in first_line
        or "atency" in first_line
        or "esponse time" in first_line
        or (not first_line.isascii() and "µs" in first_line)
    ):
        return None  # no `ms` after a number and no hint: most lines
    match = _IN_TEXT_FAST.search(first_line)
    if match is None:
        return None
    amount, unit_text = match.group(1, 2) if match.group(1) else match.group(3, 4)
    return _sane(float(amount) * _UNITS[unit_text])


def _sane(milliseconds: float) -> float | None:
    """A duration a clock could measure: not negative, not NaN, not infinite (a JSON logger's
    `NaN`, `-Infinity` or `1e999`), which no percentile or JSON answer can hold."""
    return milliseconds if 0 <= milliseconds < math.inf else None


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of already sorted `values` (0 < fraction <= 1)."""
    rank = max(1, math.ceil(fraction * len(values)))
    return values[rank - 1]


class LatencyPoint(BaseModel):
    start: str  # ISO 8601
    count: dict[str, int]
    p50: dict[str, float]
    p95: dict[str, float]
    p99: dict[str, float]


class Latency(BaseModel):
    bucket_seconds: int
    series: list[LatencyPoint]
    serving: list[str] = []  # services whose durations are those of requests they served
