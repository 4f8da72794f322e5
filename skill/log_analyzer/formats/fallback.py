"""Fallbacks for lines no specific format reads: any "timestamp [level] message" line, and,
last, a plain line with no timestamp (kept in file order, still counted and searchable)."""

from __future__ import annotations

import re

from ..levels import infer_level, normalize_level
from ..timestamps import Clock
from .base import LogFormat, Parsed, Sample

_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_TIMESTAMP_TEXT = (
    r"\d{4}[-/]\d\d[-/]\d\d[T ]\d\d:\d\d:\d\d(?:[.,:]\d+)?(?: ?(?:Z|[+-]\d\d:?\d\d|[A-Z]{3}))?"
    rf"|\d\d/{_MONTH}/\d{{4}}:\d\d:\d\d:\d\d(?:\.\d+)?(?: [+-]\d{{4}})?"
    rf"|(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),? )?{_MONTH} [ \d]\d \d\d:\d\d:\d\d(?:\.\d+)?"
    r"(?: \d{4})?"
    rf"|\d{{1,2}} {_MONTH} \d{{4}} \d\d:\d\d:\d\d(?:[.,]\d+)?"
    r"|\d{10}(?:\.\d+)?|\d{13}"
)
_LEVEL_WORD = (
    r"TRACE|DEBUG|INFO|INFORMATION|NOTICE|WARN|WARNING|ERROR|ERR|CRIT|CRITICAL|ALERT|FATAL|"
    r"SEVERE|PANIC|EMERG|trace|debug|info|notice|warn|warning|error|err|crit|critical|fatal|"
    r"Trace|Debug|Info|Notice|Warn|Warning|Error|Critical|Fatal"
)
_GENERIC = re.compile(
    rf"^\[?(?P<ts>{_TIMESTAMP_TEXT})\]?[\s|:,\-]*"
    rf"(?:[\[<(]?(?P<level>{_LEVEL_WORD})[\]>):]?(?:\s*[|:\-]?\s+|$))?(?P<message>.*)$"
)


class GenericFormat(LogFormat):
    """`<timestamp> [<level>] <message>` with any common timestamp layout."""

    name = "generic"
    title = "timestamp, optional level, message"
    priority = 10
    detectable = True
    samples = (
        Sample(
            "2026-11-28 14:02:03.118 [ERROR] worker 3: job 8812 failed",
            level="error",
            message="worker 3: job 8812 failed",
            timestamp="2026-11-28T14:02:03.118000+00:00",
        ),
        Sample("Sat Nov 28 14:02:03 2026 ERROR cron: backup failed", level="error"),
    )

    def parse(self, line: str, clock: Clock) -> Parsed | None:
        match = _GENERIC.match(line)
        if match is None:
            return None
        timestamp = clock.from_value(match.group("ts"))
        if timestamp is None:
            return None
        message = match.group("message")
        raw_level = match.group("level")
        level = normalize_level(raw_level) if raw_level else infer_level(message)
        return Parsed(timestamp=timestamp, level=level, message=message)


class PlainFormat(LogFormat):
    """Any line: no timestamp, the level its words imply. Never fails."""

    name = "plain"
    title = "unstructured text (no timestamp)"
    priority = 0
    detectable = False
    samples = (
        Sample(
            'Exception in thread "main" java.lang.OutOfMemoryError: Java heap space', level="fatal"
        ),
    )

    def parse(self, line: str, clock: Clock) -> Parsed:
        return Parsed(timestamp=None, level=infer_level(line), message=line)


GENERIC = GenericFormat()
PLAIN = PlainFormat()
