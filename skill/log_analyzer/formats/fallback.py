"""Fallbacks for lines no specific format reads: any "timestamp [level] message" line, and,
last, a plain line with no timestamp (kept in file order, still counted and searchable)."""

from __future__ import annotations

import re

from ..levels import infer_level, normalize_level
from ..timestamps import Clock
from .base import LogFormat, Parsed, Sample
from .structured import is_instant
from .trace_context import extract_ids, may_carry_ids

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
    # Only lines that name their level (to read an application's line inside another header,
    # where a bare timestamp says nothing the header does not).
    require_level = False
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
        if raw_level is None and self.require_level:
            return None
        level = normalize_level(raw_level) if raw_level else infer_level(message)
        fields = None
        if message and (message[0] == "[" or "race" in message):  # `may_carry_ids`, inlined
            message, fields = extract_ids(message, None)
        return Parsed(
            timestamp=timestamp,
            level=level,
            message=message,
            fields=fields,
            zoned=is_instant(match.group("ts")),
        )


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
        message, fields = extract_ids(line, None) if may_carry_ids(line) else (line, None)
        return Parsed(timestamp=None, level=infer_level(line), message=message, fields=fields)


GENERIC = GenericFormat()
PLAIN = PlainFormat()
