"""`search_logs`: records whose message or fields match, with context, bounded against slow
patterns."""

from __future__ import annotations

from collections import deque
from datetime import datetime

from pydantic import BaseModel, Field

from ...filters import RecordFilter
from ...records import Record
from ..workspace import Workspace
from .base import (
    Level,
    ServiceWindow,
    cite,
    clip,
)
from .fields import Matcher, shown_fields


class SearchInput(ServiceWindow):
    pattern: str = Field(description="Text to find (case-insensitive), or a regex if regex=true.")
    regex: bool = Field(False, description="Treat pattern and exclude as regular expressions.")
    field: str | None = Field(
        None, description="Match only this field (dot path as err.code, or its last part)."
    )
    exclude: str | None = Field(None, description="Drop records whose message or fields match.")
    min_level: Level | None = Field(None, description="Only records at this level and above.")
    context: int = Field(0, ge=0, le=10, description="Records shown before and after each hit.")
    limit: int = Field(30, ge=1, le=200, description="Most hits returned, in file order.")


class Hit(BaseModel):
    at: str
    timestamp: datetime | None
    service: str
    level: str | None
    text: str
    matched_fields: list[str] | None = None  # the fields that matched (None: the message)
    fields: dict[str, str] | None = None  # the record's key fields
    before: list[str] = Field(default_factory=list)
    after: list[str] = Field(default_factory=list)


class SearchOutput(BaseModel):
    matches_total: int
    hits: list[Hit]


def search_logs(workspace: Workspace, request: SearchInput) -> SearchOutput:
    """Find records whose message or field values (err.code, status...) match, in every
    loaded source (unparsed lines included): file:line, time, service, level, key fields,
    matched_fields, optional context. Use it to check a hypothesis ('any OOM in redis before
    14:02?'). Narrow with since/until/service, min_level, field, exclude or a more specific
    pattern."""
    workspace.require_sources()
    matcher = Matcher(request.pattern, request.regex, request.field, request.exclude)
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
            found = matcher.match(record) if _passes(record, keep) else None
            if found is not None:
                total += 1
                if len(hits) < request.limit:
                    # in a multi-line record (a stack trace), cite the line that matched
                    matched = found.message
                    offset = record.message.count("\n", 0, matched.start()) if matched else 0
                    hit = Hit(
                        at=cite(record.file, min(record.line + offset, record.end_line)),
                        timestamp=record.timestamp,
                        service=record.service,
                        level=record.level,
                        text=clip(record.message),
                        matched_fields=found.fields or None,
                        fields=shown_fields(record.fields),
                        before=[_brief(r) for r in before],
                    )
                    hits.append(hit)
                    if span:
                        waiting.append(hit)
            if span:
                before.append(record)
    matcher.check(r for r in workspace.records() if _passes(r, keep))
    return SearchOutput(matches_total=total, hits=hits)


def _passes(record: Record, keep: RecordFilter) -> bool:
    return any(True for _ in keep((record,)))


def _brief(record: Record) -> str:
    return f"{record.line}: {clip(record.message, 200)}"
