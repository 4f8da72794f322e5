"""From followed lines to records, as they arrive: the same formats, multi-line joining and
services as reading a whole file.

Two things differ from reading a file once. The last record of what has arrived may not be
complete (a stack trace written a moment after its header line), so it is held back until
the next line that starts a record arrives, or until its file has been quiet for a poll. And a
file that appears during the watch has no existing head to detect its format from: its first
lines are collected (up to `DETECT_LINES`, or whatever came before a quiet poll) and detected
on. A file that replaces a rotated one takes the format detected for its path.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ..formats.detect import Detection, detect
from ..ingest import ParseOptions, SourceStats, _records
from ..records import Record
from ..services import source_service
from ..sources.discover import Source
from ..timestamps import Clock
from .follow import Chunk

DETECT_LINES = 20


@dataclass
class Arrival:
    """A complete record and when its first line was read (monotonic seconds)."""

    record: Record
    arrived: float


@dataclass
class _Pending:
    """The lines of one file not yet turned into records: the last record's, or the first
    lines of a file whose format is not known yet."""

    path: str
    display: str
    root: str | None
    first_line: int = 0
    lines: list[str] = field(default_factory=list)
    arrived: float = 0.0


class RecordStream:
    """Turns `Chunk`s into complete records. `detections` maps followed paths to their format
    (from their existing content); other paths are detected from their first lines."""

    def __init__(self, options: ParseOptions, detections: dict[str, Detection]) -> None:
        self.options = options
        self.detections = detections
        self._pending: dict[int, _Pending] = {}  # by file id
        self._clocks: dict[str, Clock] = {}
        self._services: dict[str, tuple[str, bool]] = {}

    def push(self, chunks: Iterable[Chunk], arrived: float) -> list[Arrival]:
        """The records completed by `chunks`; the records held for files that got nothing
        this time are complete too (their writer paused)."""
        out: list[Arrival] = []
        touched: set[int] = set()
        for chunk in chunks:
            touched.add(chunk.file_id)
            pending = self._pending.get(chunk.file_id)
            if pending is None or pending.first_line + len(pending.lines) != chunk.first_line:
                if pending is not None:
                    out.extend(self._parse(pending, arrived, final=True))
                pending = _Pending(chunk.path, chunk.display, chunk.root, chunk.first_line)
                pending.arrived = arrived
                self._pending[chunk.file_id] = pending
            if not pending.lines:
                pending.arrived = arrived
            pending.display = chunk.display
            pending.lines.extend(chunk.lines)
            out.extend(self._parse(pending, arrived, final=False))
        for file_id in [f for f in self._pending if f not in touched]:
            out.extend(self._parse(self._pending.pop(file_id), arrived, final=True))
        return out

    def flush(self) -> list[Arrival]:
        """Every held record, complete or not (the watch is ending)."""
        out: list[Arrival] = []
        for pending in self._pending.values():
            out.extend(self._parse(pending, pending.arrived, final=True))
        self._pending.clear()
        return out

    def _parse(self, pending: _Pending, now: float, final: bool) -> list[Arrival]:
        """Records from the pending lines; unless `final`, the last one stays pending (taken
        to have arrived `now`: most records arrive in one piece)."""
        if not pending.lines:
            return []
        detection = self.detections.get(pending.path)
        if detection is None:
            if not final and len(pending.lines) < DETECT_LINES:
                return []
            detection = self.detections[pending.path] = detect(pending.lines, self.options.format)
        service, forced = self._service(pending)
        stats = SourceStats(Source(pending.display, Path(pending.path)))
        records = list(
            _records(
                pending.lines,
                detection,
                self._clock(pending.path),
                pending.display,
                service,
                forced,
                stats,
                None,
                pending.first_line,
            )
        )
        arrived = pending.arrived
        if not final and records:
            last = records.pop()
            kept = pending.lines[last.line - pending.first_line :]
            pending.first_line, pending.lines = last.line, kept
            pending.arrived = now if records else arrived
        else:
            pending.first_line += len(pending.lines)
            pending.lines = []
        return [Arrival(record, arrived) for record in records]

    def _service(self, pending: _Pending) -> tuple[str, bool]:
        """The service of a followed path, named as for the files read at the start (a rotated
        file's last lines keep the live name's service)."""
        found = self._services.get(pending.path)
        if found is None:
            root = Path(pending.root) if pending.root is not None else None
            source = Source(pending.path, Path(pending.path), root)
            found = self._services[pending.path] = source_service(source, self.options.services)
        return found

    def _clock(self, path: str) -> Clock:
        clock = self._clocks.get(path)
        if clock is None:
            options = self.options
            clock = self._clocks[path] = Clock(
                tz=options.tz, reference=datetime.now(UTC), year=options.year, day=options.day
            )
        return clock
