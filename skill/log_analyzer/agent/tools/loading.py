"""Tools that bring logs in: `parse_logs` loads sources into the workspace, `read_lines` reads
a file's lines by number (inside the allowed roots only)."""

from __future__ import annotations

import json
from collections import deque
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, Field, model_validator

from ...errors import LogAnalyzerError, OptionError
from ...levels import at_least
from ...sources.reader import LineReader
from ..budget import CHARS_PER_TOKEN, DEFAULT_TOKEN_BUDGET
from ..workspace import Workspace
from .base import (
    MAX_READ_LINES,
    ToolInput,
    clip,
    redacted_lines,
)

# A PEM block the requested lines start inside of is redacted whole with the lines before it,
# back to its BEGIN line (up to this many: an 8192-bit RSA key is about 100).
PEM_LOOKBACK = 200

# --- parse_logs -------------------------------------------------------------------------------


class ParseLogsInput(ToolInput):
    paths: list[str] = Field(
        description="Files, directories (read recursively), or globs to load. Paths must lie "
        "inside the allowed roots (the paths the user gave, /var/log, the current directory "
        "unless it is / or the home directory; over MCP, the client's roots).",
        min_length=1,
    )
    replace: bool = Field(
        False,
        description="Unload every source loaded before (another incident), then load these.",
    )


class SourceBrief(BaseModel):
    file: str
    format: str
    service: str
    services: list[str]
    first: datetime | None
    last: datetime | None
    records: int
    unparsed: int
    errors: int  # records at error level and above


class ParseLogsOutput(BaseModel):
    loaded: list[SourceBrief]
    already_loaded: list[str]
    unloaded: int = 0  # sources dropped by replace=true
    sources_in_workspace: int
    records_in_workspace: int
    services: list[str]  # every service name a `service` filter takes: "kafka (kafka-0 kafka-1)"
    warnings: list[str]


def parse_logs(workspace: Workspace, request: ParseLogsInput) -> ParseLogsOutput:
    """Load log files into this conversation's workspace (parsed once, then every other tool
    reads them). Use it when the user names a log that is not loaded yet. Returns one line per
    source: detected format, service, time range (UTC), records, unparsed lines, errors."""
    before = dict(workspace.sources) if request.replace else {}
    if request.replace:
        workspace.reset()
    try:
        result = workspace.load(request.paths)
    except LogAnalyzerError:
        workspace.sources.update(before)  # a refused or missing path unloads nothing
        raise
    unloaded = len(before)
    briefs = [
        SourceBrief(
            file=s.file,
            format=s.format,
            service=s.service,
            services=sorted(s.services),
            first=s.first,
            last=s.last,
            records=s.records,
            unparsed=s.unparsed,
            errors=sum(n for level, n in s.levels.items() if at_least(level, "error")),
        )
        for s in result.loaded
    ]
    return ParseLogsOutput(
        loaded=briefs,
        already_loaded=result.already_loaded,
        unloaded=unloaded,
        sources_in_workspace=len(workspace.sources),
        records_in_workspace=sum(s.records for s in workspace.summaries),
        services=_service_names(workspace),
        warnings=result.warnings,
    )


def _service_names(workspace: Workspace) -> list[str]:
    names = workspace.service_names()
    merged = names.aliases()
    return [
        f"{name} ({' '.join(merged[name])})" if name in merged else name for name in names.canonical
    ]


# --- read_lines -------------------------------------------------------------------------------

# The lines of one result, as JSON, at most: well under a result's budget (budget.py), so that a
# read is never cut by it (redaction may lengthen a line a little).
READ_CHARS = int(DEFAULT_TOKEN_BUDGET * CHARS_PER_TOKEN * 0.7)
LINE_CHARS = 1000  # one line, at most


class ReadLinesInput(ToolInput):
    path: str = Field(description="A file inside the allowed roots, as shown in file:line.")
    start: int | None = Field(None, ge=1, description="First line (1-based).")
    end: int | None = Field(
        None, ge=1, description=f"Last line, inclusive (default start+40; at most {MAX_READ_LINES})"
    )
    tail: int | None = Field(
        None, ge=1, le=MAX_READ_LINES, description="The last N lines instead of start/end."
    )

    @model_validator(mode="after")
    def _start_or_tail(self) -> ReadLinesInput:
        if (self.start is None) == (self.tail is None):
            raise ValueError("give exactly one of start and tail")
        if self.tail is not None and self.end is not None:
            raise ValueError("end goes with start, not with tail")
        return self


class ReadLinesOutput(BaseModel):
    file: str
    start: int
    end: int
    lines: list[str]  # "123: text"
    more: bool  # the file goes on after `end`
    total_lines: int | None = None  # when the read reached the end of the file
    next_start: int | None = None  # stopped before the end asked for: continue from here
    note: str | None = None


def read_lines(workspace: Workspace, request: ReadLinesInput) -> ReadLinesOutput:
    """Raw lines of a log file by number (1-based, inclusive), to read the evidence around a
    file:line another tool cited, or its last lines (tail). Compressed files are read
    decompressed. At most 200 lines and about 10,000 characters per call; next_start says
    where to continue. Only files inside the allowed roots can be read."""
    path = workspace.roots.check(request.path)
    if not path.is_file():
        raise OptionError(f"{request.path}: not a file")
    if request.tail is not None:
        return _tail(path, request.path, request.tail)
    start = request.start or 1
    asked = request.end if request.end is not None else start + 40
    if asked < start:
        raise OptionError(f"end {asked} is before start {start}")
    end = min(asked, start + MAX_READ_LINES - 1)
    raw: list[str] = []
    before = _PemBlock()  # the lines of a PEM block open before `start`, from its BEGIN line
    more = False
    total = 0
    for number, text in enumerate(LineReader(path).lines(), 1):
        if number > end:
            more = True
            break
        total = number
        if number >= start:
            raw.append(text)
        else:
            before.feed(text)
    shown = _shown(before.lines, raw, start)
    lines = _fitting(shown)
    last = start + len(lines) - 1
    output = ReadLinesOutput(
        file=request.path,
        start=start,
        end=last,
        lines=lines,
        more=more or len(lines) < len(shown),
        total_lines=None if more else total,
    )
    if len(lines) < len(shown) or (more and asked > end):
        output.next_start = last + 1
        output.note = f"stopped at line {last} ({_why(lines, shown)}); continue from next_start"
    elif not more and start > total:
        output.note = f"the file has {total} lines"
    return output


def _tail(path: Path, file: str, count: int) -> ReadLinesOutput:
    """The last `count` lines, read in one pass (the file's length is known at its end)."""
    window: deque[str] = deque(maxlen=count)
    before = _PemBlock()
    total = 0
    for text in LineReader(path).lines():
        total += 1
        if len(window) == count:
            before.feed(window[0])  # leaves the window: a line before it
        window.append(text)
    start = total - len(window) + 1
    shown = _shown(before.lines, list(window), start)
    lines = _fitting(shown, from_end=True)
    first = total - len(lines) + 1
    output = ReadLinesOutput(
        file=file, start=first, end=total, lines=lines, more=False, total_lines=total
    )
    if len(lines) < len(shown):
        output.note = (
            f"the last {len(lines)} of the {len(shown)} lines asked ({_why(lines, shown)}); "
            f"lines {start}-{first - 1} with start/end"
        )
    return output


class _PemBlock:
    """The lines of a PEM block still open at the line read last, from its BEGIN line: read
    with the lines asked for, a block they start inside of is redacted whole."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def feed(self, text: str) -> None:
        if "-----BEGIN " in text:
            self.lines = [] if "-----END " in text.rsplit("-----BEGIN ", 1)[1] else [text]
        elif self.lines:
            self.lines.append(text)
            if "-----END " in text or len(self.lines) > PEM_LOOKBACK:
                self.lines = []


def _shown(block: list[str], raw: list[str], start: int) -> list[str]:
    """`number: text` of each line, redacted together with the block open before them (a
    block spanning lines is recognised whole), then cut line by line."""
    redacted = redacted_lines(block + raw)[len(block) :]
    return [f"{number}: {clip(text, LINE_CHARS)}" for number, text in enumerate(redacted, start)]


def _fitting(lines: list[str], from_end: bool = False) -> list[str]:
    """The lines, from the first (or the last) on, that fit in READ_CHARS as JSON."""
    room = READ_CHARS
    kept = 0
    for line in reversed(lines) if from_end else lines:
        room -= len(json.dumps(line, ensure_ascii=False)) + 1
        if room < 0 and kept:
            break
        kept += 1
    return lines[len(lines) - kept :] if from_end else lines[:kept]


def _why(lines: list[str], shown: list[str]) -> str:
    return (
        f"about {READ_CHARS:,} characters per call"
        if len(lines) < len(shown)
        else f"at most {MAX_READ_LINES} lines per call"
    )
