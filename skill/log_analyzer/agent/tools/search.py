"""`search_logs`: records whose text matches, with context, bounded against slow patterns."""

from __future__ import annotations

from collections import deque
from datetime import datetime
from typing import Any

import regex as regex_engine
from pydantic import BaseModel, Field

from ...errors import OptionError
from ...filters import RecordFilter
from ...records import Record
from ..workspace import Workspace
from .base import (
    SEARCH_TIMEOUT_SECONDS,
    Level,
    Window,
    cite,
    clip,
)


class SearchInput(Window):
    pattern: str = Field(description="Text to find (case-insensitive), or a regex if regex=true.")
    regex: bool = Field(False, description="Treat pattern as a regular expression.")
    min_level: Level | None = Field(None, description="Only records at this level and above.")
    context: int = Field(0, ge=0, le=10, description="Records shown before and after each hit.")
    limit: int = Field(30, ge=1, le=200, description="Most hits returned, in file order.")


class Hit(BaseModel):
    at: str
    timestamp: datetime | None
    service: str
    level: str | None
    text: str
    before: list[str] = Field(default_factory=list)
    after: list[str] = Field(default_factory=list)


class SearchOutput(BaseModel):
    matches_total: int
    hits: list[Hit]


def search_logs(workspace: Workspace, request: SearchInput) -> SearchOutput:
    """Find records whose text matches, in every loaded source (lines the parser could not
    read included), with file:line, time, service, level and optional context records. Use it
    to check a hypothesis ('any OOM in redis before 14:02?'). Narrow with since/until/service,
    min_level, or a more specific pattern when there are too many hits."""
    workspace.require_sources()
    try:
        pattern = regex_engine.compile(
            request.pattern if request.regex else regex_engine.escape(request.pattern),
            regex_engine.IGNORECASE,
        )
    except regex_engine.error as error:
        raise OptionError(f"pattern {request.pattern!r}: invalid regex ({error})") from None
    keep = request.record_filter()
    if request.min_level is not None:
        keep.min_level = request.min_level
    hits: list[Hit] = []
    total = 0
    span = request.context
    for loaded in workspace.sources.values():
        before: deque[Record] = deque(maxlen=span)  # the records just before, for context
        waiting: list[Hit] = []  # hits still collecting the records after them
        for record in workspace.records_of(loaded):
            for hit in waiting:
                hit.after.append(_brief(record))
            waiting = [hit for hit in waiting if len(hit.after) < span]
            matched = _search(pattern, record, request.pattern) if _passes(record, keep) else None
            if matched is not None:
                total += 1
                if len(hits) < request.limit:
                    # in a multi-line record (a stack trace), cite the line that matched
                    offset = record.message.count("\n", 0, matched.start())
                    hit = Hit(
                        at=cite(record.file, min(record.line + offset, record.end_line)),
                        timestamp=record.timestamp,
                        service=record.service,
                        level=record.level,
                        text=clip(record.message),
                        before=[_brief(r) for r in before],
                    )
                    hits.append(hit)
                    if span:
                        waiting.append(hit)
            if span:
                before.append(record)
    return SearchOutput(matches_total=total, hits=hits)


def _search(pattern: Any, record: Record, text: str) -> Any:
    """The match in a record's text, or None; a pattern too slow to match is an error."""
    try:
        return pattern.search(record.message, timeout=SEARCH_TIMEOUT_SECONDS)
    except TimeoutError:
        raise OptionError(
            f"pattern {text!r}: too slow to match (catastrophic backtracking); use a simpler "
            "pattern"
        ) from None


def _passes(record: Record, keep: RecordFilter) -> bool:
    return any(True for _ in keep((record,)))


def _brief(record: Record) -> str:
    return f"{record.line}: {clip(record.message, 200)}"
