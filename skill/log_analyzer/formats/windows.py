"""The code behind the Windows formats defined in `families/windows.toml`: Configuration
Manager's CMTrace lines (SCCM / MECM, Intune's agent), whose messages may span lines. The
names, titles and samples of every Windows format, and TeamViewer's pattern, are in that file."""

from __future__ import annotations

import re
from typing import Any

from ..records import Record
from ..timestamps import Clock
from .base import FormatSpec, LogFormat, Parsed, RegexFormat, Sample
from .definitions import load_family

# `<![LOG[message]LOG]!><time="19:33:19.766-330" date="11-28-2014" component="AppEnforce"
# context="" type="1" thread="8744" file="appprovider.cpp:2083">`. A message may span lines:
# its first line opens with `<![LOG[`, its last closes with the time and the attributes.
_CMTRACE = re.compile(
    r"^(?P<open><!\[LOG\[)?(?P<message>.*?)"
    r'(?:\]LOG\]!><time="(?P<time>\d\d?:\d\d:\d\d(?:\.\d+)?)(?P<bias>[+-]\d+)?" '
    r'date="(?P<month>\d\d?)-(?P<day>\d\d?)-(?P<year>\d{4})"(?P<attributes>[^>]*)>)?$'
)
_ATTRIBUTE = re.compile(r'(\w+)="([^"]*)"')
_CMTRACE_TYPES = {"1": "info", "2": "warning", "3": "error"}


class CmtraceFormat(LogFormat):
    """CMTrace lines. The time and the severity (`type`) come last: a line that only closes a
    message carries them for the record its first line opened."""

    def __init__(
        self,
        name: str,
        *,
        title: str = "",
        samples: tuple[Sample, ...] = (),
        priority: int = 50,
        detectable: bool = True,
    ) -> None:
        self.name = name
        self.title = title or name
        self.samples = samples
        self.priority = priority
        self.detectable = detectable

    @classmethod
    def from_spec(cls, spec: FormatSpec) -> LogFormat:
        """The format a definition names: its pattern is this class's own."""
        if spec.pattern is not None or spec.levels:
            raise ValueError("CMTrace lines are read in code: no pattern or levels")
        return cls(
            spec.name,
            title=spec.title,
            samples=spec.samples,
            priority=spec.priority,
            detectable=spec.detectable,
        )

    def parse(self, line: str, clock: Clock) -> Parsed | None:
        match = _CMTRACE.match(line)
        if match is None or not (match.group("open") or match.group("time")):
            return None  # a line inside a message: the ingest layer joins it
        fields: dict[str, Any] = {}
        timestamp = None
        level = None
        if match.group("time"):
            bias = int(match.group("bias") or 0)  # minutes to add to the local time for UTC
            offset = f"{'-' if bias > 0 else '+'}{abs(bias) // 60:02d}:{abs(bias) % 60:02d}"
            timestamp = clock.from_value(
                f"{match.group('year')}-{int(match.group('month')):02d}-"
                f"{int(match.group('day')):02d}T{match.group('time')}"
                + (offset if match.group("bias") else "")
            )
            attributes = dict(_ATTRIBUTE.findall(match.group("attributes")))
            level = _CMTRACE_TYPES.get(attributes.get("type", ""))
            for key in ("component", "thread"):
                if attributes.get(key):
                    fields[key] = attributes[key]
        if not match.group("open"):
            fields["continues"] = True
        return Parsed(
            timestamp=timestamp,
            level=level,
            message=match.group("message"),
            fields=fields or None,
            zoned=bool(match.group("bias")),
        )

    def joins_previous(self, parsed: Parsed, previous: Record | None = None) -> bool:
        return parsed.fields is not None and "continues" in parsed.fields

    def continuation_text(self, parsed: Parsed, line: str) -> str:
        return parsed.message


FORMATS: tuple[LogFormat, ...] = load_family(
    "windows.toml", {"CmtraceFormat": CmtraceFormat}, RegexFormat
)
