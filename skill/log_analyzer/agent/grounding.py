"""Grounded answers: every `file:line` and timestamp a model's answer cites is checked against
the workspace, and the ones that do not exist are flagged to the reader as unverified.

A model can misremember a line number or a second. The answer is only as good as its evidence,
so the reader is told which citations the logs actually hold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from .workspace import Workspace

# `redis/redis-server.log:12`, `checkout-service.log:773-780`: a path with a letter in it and a
# slash or an extension, then a line number; times (`14:01:58`) and URLs do not match.
_FILE_LINE = re.compile(
    r"(?<![\w/.:-])((?:[\w.-]+/)*[\w-]*[A-Za-z][\w-]*(?:\.[\w-]+)+|(?:[\w.-]+/)+[\w.-]+)"
    r":(\d+)(?:-(\d+))?(?!\d)"
)
_ISO = re.compile(
    r"\b(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?"
    r"\s*(Z|UTC|[+-]\d{2}:?\d{2})?(?![\d:])"
)
_CLOCK = re.compile(r"(?<![\d:.-])(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?![\d:])")


@dataclass(frozen=True)
class Citation:
    text: str
    kind: str  # "file:line" or "time"
    verified: bool


def check_citations(answer: str, workspace: Workspace) -> list[Citation]:
    """The citations in `answer`, each verified against the loaded sources."""
    citations: list[Citation] = []
    seen: set[str] = set()
    index = workspace.derived.get("time-index")
    if not isinstance(index, _TimeIndex):  # built once per set of loaded sources
        index = workspace.derived["time-index"] = _TimeIndex(workspace)
    for match in _FILE_LINE.finditer(answer):
        text = match.group(0)
        if text in seen:
            continue
        seen.add(text)
        last = int(match.group(3) or match.group(2))
        citations.append(Citation(text, "file:line", _line_exists(workspace, match[1], last)))
    covered = [m.span() for m in _ISO.finditer(answer)]
    for match in _ISO.finditer(answer):
        text = match.group(0).strip()
        if text not in seen:
            seen.add(text)
            citations.append(Citation(text, "time", index.holds_iso(match)))
    for match in _CLOCK.finditer(answer):
        if any(start <= match.start() < end for start, end in covered):
            continue
        text = match.group(0)
        if text not in seen:
            seen.add(text)
            citations.append(Citation(text, "time", index.holds_clock(match)))
    return citations


def _line_exists(workspace: Workspace, cited: str, line: int) -> bool:
    for loaded in workspace.sources.values():
        shown = loaded.summary.file
        if shown == cited or shown.endswith("/" + cited) or str(loaded.path).endswith("/" + cited):
            return 1 <= line <= loaded.summary.lines
    return False


class _TimeIndex:
    """The seconds (UTC epoch) and times of day at which the loaded records were written."""

    def __init__(self, workspace: Workspace) -> None:
        self.seconds: set[int] = set()
        self.minutes: set[int] = set()
        self.clock: set[int] = set()  # seconds since midnight
        for record in workspace.records():
            when = record.timestamp
            if when is None:
                continue
            epoch = int(when.timestamp())
            self.seconds.add(epoch)
            self.minutes.add(epoch // 60)
            self.clock.add(epoch % 86400)

    def holds_iso(self, match: re.Match[str]) -> bool:
        day, hour, minute, second = match[1], match[2], match[3], match[4]
        zone = match[6]
        try:
            when = datetime.fromisoformat(f"{day}T{hour}:{minute}:{second or '00'}")
        except ValueError:
            return False
        if zone and zone not in ("Z", "UTC"):
            sign = 1 if zone[0] == "+" else -1
            digits = zone[1:].replace(":", "")
            offset = sign * (int(digits[:2]) * 3600 + int(digits[2:]) * 60)
            epoch = int(when.replace(tzinfo=UTC).timestamp()) - offset
        else:
            epoch = int(when.replace(tzinfo=UTC).timestamp())
        if second is None or second == "00":
            return epoch in self.seconds or epoch // 60 in self.minutes
        return epoch in self.seconds

    def holds_clock(self, match: re.Match[str]) -> bool:
        hour, minute, second = int(match[1]), int(match[2]), int(match[3])
        if hour > 23 or minute > 59 or second > 59:
            return False
        of_day = hour * 3600 + minute * 60 + second
        if of_day in self.clock:
            return True
        if second == 0:  # a bucket start: any record in that minute
            return any((of_day + s) in self.clock for s in range(60))
        return False


def unverified(citations: list[Citation]) -> list[str]:
    return [c.text for c in citations if not c.verified]
