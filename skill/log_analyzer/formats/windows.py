"""Logs of Windows software: Configuration Manager's CMTrace format (SCCM / MECM, Intune's
agent) and TeamViewer's own log."""

from __future__ import annotations

import re
from typing import Any

from ..records import Record
from ..timestamps import Clock, stamp
from .base import LogFormat, Parsed, RegexFormat, Sample

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

    name = "cmtrace"
    title = "Configuration Manager / CMTrace log (SCCM, MECM)"
    priority = 85
    samples = (
        Sample(
            '<![LOG[Download of content failed: 0x80070005]LOG]!><time="19:32:03.118-330" '
            'date="11-28-2026" component="ContentTransferManager" context="" type="3" '
            'thread="4242" file="contenttransfermanager.cpp:1234">',
            level="error",
            message="Download of content failed: 0x80070005",
            timestamp="2026-11-28T14:02:03.118000+00:00",
        ),
        Sample(
            '<![LOG[Policy refresh requested]LOG]!><time="14:02:03.1180000" date="11-28-2026" '
            'component="PolicyAgent" context="" type="1" thread="812" file="">',
            level="info",
            timestamp="2026-11-28T14:02:03.118000+00:00",
        ),
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


_TEAMVIEWER_STAMP = stamp(r"%Y/%m/%d %H:%M:%S\.%f")

TEAMVIEWER = RegexFormat(
    "teamviewer",
    # `time  pid  tid TAG   message`, the process tag (`S0`, `G1`, `L32`) followed by `!` for
    # a warning, `!!` for an error
    rf"^{_TEAMVIEWER_STAMP}\s+(?P<pid>\d+)\s+(?P<tid>\d+)\s+"
    r"(?P<process>[A-Z]?\d+)(?P<level>!{0,2})\s+(?P<message>.*)$",
    title="TeamViewer log",
    levels={"": "info", "!": "warning", "!!": "error"},
    priority=75,
    samples=(
        Sample(
            "2026/11/28 14:02:03.118  2136       5868 S0!! CTcpConnectionBase[12]::HandleRead(): "
            "Socket gracefully closed",
            level="error",
            timestamp="2026-11-28T14:02:03.118000+00:00",
        ),
        Sample(
            "2026/11/28 14:02:04.002  2136       3688 S0   NetWatchdog: Internet is now connected",
            level="info",
            message="NetWatchdog: Internet is now connected",
        ),
    ),
)

CMTRACE = CmtraceFormat()
FORMATS: tuple[LogFormat, ...] = (CMTRACE, TEAMVIEWER)
