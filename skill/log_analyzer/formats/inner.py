"""An application's own line inside another header: syslog (and the journal) wrap what a daemon
wrote, and that text is often a complete log line of its own (`nova-compute[12345]: 2019-11-19
10:01:02.345 12345 ERROR nova.compute.manager [req-...] ...`, `app[7]: {"level":"error",...}`,
`java[812]: 2026-11-28 14:02:03.118 ERROR [main] c.e.Orders - Sync failed`, `app[7]: WARN
retrying`).

`read_inner` reads such a message with the formats applications write, and `merge` gives the
record the inner line's level, logger, message and fields over the wrapper's. Cheap for every
other message: a look at its first characters decides whether any format is tried.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ..timestamps import Clock
from .application import (
    CELERY,
    GO_LOG,
    GUNICORN,
    KAFKA,
    KLOG,
    LOG4J,
    LOGBACK,
    PYTHON_ASCTIME,
    PYTHON_DEFAULT,
    SPRING_BOOT,
    ZAP_CONSOLE,
)
from .base import LogFormat, Parsed
from .fallback import LEVEL_PREFIX, GenericFormat
from .libraries import RUBY_LOGGER
from .oslo import OPENSTACK
from .structured import JSON_DIALECTS, LOGFMT

# A timestamp then a level word, in any common layout.
_GENERIC = GenericFormat()
_GENERIC.require_level = True

# Text formats whose lines start with a dated timestamp, most specific first; the generic
# reader last.
_DATED: tuple[LogFormat, ...] = (
    OPENSTACK,
    SPRING_BOOT,
    ZAP_CONSOLE,
    LOGBACK,
    LOG4J,
    PYTHON_ASCTIME,
    GO_LOG,
    _GENERIC,
)
_BRACKETED: tuple[LogFormat, ...] = (GUNICORN, CELERY, KAFKA, PYTHON_ASCTIME, _GENERIC)
_JSON = JSON_DIALECTS[-1]  # any key convention
_DAY = timedelta(days=1)
_LOGFMT_KEYS = ("time=", "ts=", "level=", "lvl=", "msg=", "t=")


def candidates(message: str) -> tuple[LogFormat, ...]:
    """The formats worth trying on `message`, from its first characters (none for most)."""
    first = message[:1]
    if first.isdigit():
        if message[:4].isdigit() and message[4:5] in ("-", "/"):
            return _DATED
        return ()
    if first == "{":
        return (_JSON,)
    if first == "[":  # `[2026-11-28 ...`, not the kernel's `[812345.118442]`
        return _BRACKETED if message[1:5].isdigit() and message[5:6] in ("-", "/") else ()
    if first in "IWEF" and message[1:5].isdigit():
        return (KLOG,)
    if first in "CEWIDT" and message.startswith(("CRITICAL:", "ERROR:", "WARNING:", "INFO:")):
        return (PYTHON_DEFAULT,)
    if first in "DIWEFAU" and message[1:4] == ", [":
        return (RUBY_LOGGER,)
    if first.isupper() and message[1:2].isupper():  # `INFO Starting`, `WARN  [main] ...`
        return (LEVEL_PREFIX,)
    if message.startswith(_LOGFMT_KEYS):
        return (LOGFMT,)
    return ()


def read_inner(message: str, clock: Clock) -> tuple[LogFormat, Parsed] | None:
    """The format that reads `message` as a log line of its own, and what it read."""
    for fmt in candidates(message):
        parsed = fmt.parse(message, clock)
        if parsed is not None:
            return fmt, parsed
    return None


def merge(
    outer: Parsed, inner: Parsed, outer_has_year: bool, outer_keys: tuple[str, ...] = ()
) -> Parsed:
    """The record of a wrapped line: the inner line's level (the wrapper's when it has none),
    message and fields over the wrapper's fields (but for `outer_keys`, the wrapper's view of
    the process: host, pid), its service when it names one; the inner time when it is an
    instant or (a wrapper without a year, as BSD syslog) when it agrees with the wrapper's day,
    the wrapper's otherwise."""
    fields = inner.fields
    if outer.fields:
        if fields is None:
            fields = outer.fields
        else:
            for key, value in outer.fields.items():
                if key in outer_keys or key not in fields:
                    fields[key] = value
    zoned = inner.zoned if inner.timestamp is not None else outer.zoned
    inner.timestamp = _time(outer, inner, outer_has_year)
    inner.zoned = zoned
    inner.level = inner.level or outer.level
    inner.service = inner.service or outer.service
    inner.fields = fields
    return inner


def _time(outer: Parsed, inner: Parsed, outer_has_year: bool) -> datetime | None:
    mine, theirs = inner.timestamp, outer.timestamp
    if mine is None or theirs is None:
        return theirs or mine
    if inner.zoned:
        return mine
    if outer.zoned or outer_has_year:
        return theirs
    # Both wall clocks: the inner one has the year and the milliseconds BSD syslog lacks; taken
    # when it is about the same day of the year (a time-only inner stamp got its date by guess).
    if theirs.year == mine.year:
        # mostly: `replace` to its own year gives an equal time (same fields, zone and fold),
        # at a microsecond's cost
        same_year = theirs
    else:
        try:
            same_year = theirs.replace(year=mine.year)
        except ValueError:  # 29 February
            return theirs
    return mine if abs(mine - same_year) < _DAY else theirs
