"""Tools that bring logs in: `parse_logs` loads sources into the workspace, `read_lines` reads
a file's lines by number (inside the allowed roots only)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from ...errors import OptionError
from ...levels import at_least
from ...sources.reader import LineReader
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
    sources_in_workspace: int
    records_in_workspace: int
    warnings: list[str]


def parse_logs(workspace: Workspace, request: ParseLogsInput) -> ParseLogsOutput:
    """Load log files into this conversation's workspace (parsed once, then every other tool
    reads them). Use it when the user names a log that is not loaded yet. Returns one line per
    source: detected format, service, time range (UTC), records, unparsed lines, errors."""
    result = workspace.load(request.paths)
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
        sources_in_workspace=len(workspace.sources),
        records_in_workspace=sum(s.records for s in workspace.summaries),
        warnings=result.warnings,
    )


# --- read_lines -------------------------------------------------------------------------------


class ReadLinesInput(ToolInput):
    path: str = Field(description="A file inside the allowed roots, as shown in file:line.")
    start: int = Field(ge=1, description="First line (1-based).")
    end: int | None = Field(
        None, ge=1, description=f"Last line, inclusive (default start+40; at most {MAX_READ_LINES})"
    )


class ReadLinesOutput(BaseModel):
    file: str
    start: int
    end: int
    lines: list[str]  # "123: text"
    more: bool  # the file goes on after `end`


def read_lines(workspace: Workspace, request: ReadLinesInput) -> ReadLinesOutput:
    """Raw lines of a log file by number (1-based, inclusive), to read the evidence around a
    file:line another tool cited. Compressed files are read decompressed. At most 200 lines per
    call; only files inside the allowed roots can be read."""
    path = workspace.roots.check(request.path)
    if not path.is_file():
        raise OptionError(f"{request.path}: not a file")
    end = request.end if request.end is not None else request.start + 40
    if end < request.start:
        raise OptionError(f"end {end} is before start {request.start}")
    end = min(end, request.start + MAX_READ_LINES - 1)
    raw: list[str] = []
    block: list[str] = []  # the lines of a PEM block open before `start`, from its BEGIN line
    more = False
    for number, text in enumerate(LineReader(path).lines(), 1):
        if number > end:
            more = True
            break
        if number >= request.start:
            raw.append(text)
        elif "-----BEGIN " in text:
            block = [] if "-----END " in text.rsplit("-----BEGIN ", 1)[1] else [text]
        elif block:
            block.append(text)
            if "-----END " in text or len(block) > PEM_LOOKBACK:
                block = []
    # redacted together (a block spanning lines is recognised whole), then cut line by line
    shown = redacted_lines(block + raw)[len(block) :]
    lines = [f"{number}: {clip(text, 1000)}" for number, text in enumerate(shown, request.start)]
    last = request.start + len(lines) - 1 if lines else request.start - 1
    return ReadLinesOutput(file=request.path, start=request.start, end=last, lines=lines, more=more)
