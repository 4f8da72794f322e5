"""Both cores: the input cut into parts parsed by worker processes, with results identical to
one serial pass.

A part is a whole source, or, for a large uncompressed file whose timestamps carry their full
date, a byte range starting at a record's first line (so no record is cut in two, and no year
or date has to be carried over from the part before). Parts keep the serial order; whatever a
worker returns is merged in that order.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import TypeVar

from ..formats.base import LogFormat, RegexFormat
from ..formats.structured import JsonFormat
from ..ingest import ParseOptions, SourceParser
from ..sources.discover import Source
from ..sources.reader import compression_of
from ..timestamps import Clock

SPLIT_BYTES = 24 << 20  # files larger than this are cut into parts
# Parts run at different speeds (an incident's errors cluster in one stretch of a file): more
# parts than workers, handed out as workers free up, keep every core busy to the end.
PIECES_PER_WORKER = 3
MIN_PIECE_BYTES = 8 << 20
MIN_PARALLEL_BYTES = 16 << 20  # below this in all, one process is faster than starting two
_SCAN_LINES = 10_000  # lines looked at past a cut for the first line of a record

T = TypeVar("T")


@dataclass(frozen=True)
class Part:
    """One unit of work: a source, or a byte range of it starting at line `first_line`."""

    index: int
    source: Source
    options: ParseOptions
    byte_range: tuple[int, int] | None = None
    first_line: int = 1

    def parser(self) -> SourceParser:
        return SourceParser(self.source, self.options, None, self.byte_range, self.first_line)


def worker_count(requested: int | None) -> int:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, requested if requested is not None else (cores or 1))


def pieces_for(span: int, workers: int) -> int:
    """How many parts a span of `span` bytes of one file is cut into for `workers` processes."""
    if span <= SPLIT_BYTES:
        return 1
    return max(2, min(max(2, workers) * PIECES_PER_WORKER, span // MIN_PIECE_BYTES))


def is_cuttable(parser: SourceParser) -> bool:
    """A file can be read in parts starting at any record: uncompressed, no envelope, and
    every timestamp complete (nothing carried over from the records before)."""
    path = parser.source.path
    if path is None:
        return False
    with open(path, "rb") as raw:
        if compression_of(raw.read(8)) is not None:
            return False
    detection = parser.detect()
    if detection.envelope is not None or not _dates_complete(detection.primary):
        return False
    # With `--year`, a year-less stamp takes that year unless the records before it rolled
    # over New Year: a part that starts in January cannot know. A format whose year is
    # optional (syslog's `Dec 31 23:59:58`, or with ` 2025`) is cut only when its lines state it.
    if parser.options.year is not None and isinstance(detection.primary, RegexFormat):
        return _years_stated(path, detection.primary)
    return True


_SAMPLE_BYTES = 1 << 16  # of a file's head: the lines that tell whether stamps state a year


def _years_stated(path: Path, fmt: RegexFormat) -> bool:
    """Whether the lines of the head of `path` that `fmt` reads all state their year (or an
    epoch)."""
    with open(path, "rb") as raw:
        head = raw.read(_SAMPLE_BYTES).decode("utf-8", "replace")
    groups = fmt.regex.groupindex
    for line in head.splitlines()[:-1]:  # the last may be cut
        match = fmt.regex.match(line)
        if match is None:
            continue
        year = match.group("Y") if "Y" in groups else None
        if not year and not ("epoch" in groups and match.group("epoch")):
            return False
    return True


def record_starts(parser: SourceParser, start: int, end: int, pieces: int) -> list[int]:
    """Byte offsets of record starts near equal fractions of [start, end), in order (their
    line numbers are counted as the parts are handed to workers: `index.incremental`)."""
    if pieces < 2:
        return []
    path = parser.source.path
    assert path is not None
    primary = parser.detect().primary
    offsets: list[int] = []
    clock = Clock()
    with open(path, "rb") as raw:
        for piece in range(1, pieces):
            raw.seek(start + (end - start) * piece // pieces)
            raw.readline()  # to the start of the next line
            offset = raw.tell()
            for _ in range(_SCAN_LINES):
                line = raw.readline()
                if not line:
                    break
                text = line.decode("utf-8", "replace").rstrip("\r\n")
                if _starts_record(primary, text, clock):
                    break
                offset += len(line)
            else:
                continue
            if offset >= end or (offsets and offset <= offsets[-1]):
                continue
            offsets.append(offset)
    return offsets


def count_newlines(path: str, start: int, end: int) -> int:
    """Newlines in [start, end) of the file at `path`."""
    with open(path, "rb") as raw:
        return _count_newlines(raw, start, end)


def last_record_start(parser: SourceParser, start: int, end: int) -> int | None:
    """The offset of the first line of the last record in [start, end): where a later run
    starts reading when the file has grown (that record may still be growing)."""
    path = parser.source.path
    assert path is not None
    primary = parser.detect().primary
    clock = Clock()
    span = 1 << 16
    with open(path, "rb") as raw:
        while True:
            low = max(start, end - span)
            raw.seek(low)
            block = raw.read(end - low)
            lines = block.split(b"\n")
            offsets = []
            position = low
            for line in lines:
                offsets.append(position)
                position += len(line) + 1
            # the first piece may be a line cut in two, unless the block starts the range
            first = 0 if low == start else 1
            for index in range(len(lines) - 1, first - 1, -1):
                text = lines[index].decode("utf-8", "replace").rstrip("\r")
                if text and _starts_record(primary, text, clock):
                    return offsets[index]
            if low == start or span >= 1 << 24:
                return None
            span *= 4


def _starts_record(primary: LogFormat, text: str, clock: Clock) -> bool:
    """A line a part may start at: a header of its own, not one that continues the record
    before it (PostgreSQL's `DETAIL:` and `STATEMENT:` lines have headers too)."""
    parsed = primary.parse(text, clock)
    return parsed is not None and not primary.joins_previous(parsed)


def _dates_complete(primary: object) -> bool:
    if isinstance(primary, JsonFormat):
        return True
    return isinstance(primary, RegexFormat) and (
        "Y" in primary.regex.groupindex or "epoch" in primary.regex.groupindex
    )


def _count_newlines(raw: object, start: int, end: int) -> int:
    handle = raw  # a binary file
    position = handle.tell()  # type: ignore[attr-defined]
    handle.seek(start)  # type: ignore[attr-defined]
    remaining = end - start
    newlines = 0
    while remaining > 0:
        block = handle.read(min(1 << 22, remaining))  # type: ignore[attr-defined]
        if not block:
            break
        newlines += block.count(b"\n")
        remaining -= len(block)
    handle.seek(position)  # type: ignore[attr-defined]
    return int(newlines)


def run_parts(
    parts: Sequence[Part],
    work: Callable[[Part], T],
    workers: int,
    on_done: Callable[[Part], None] | None = None,
    meanwhile: Callable[[], object] | None = None,
    prepare: Callable[[Part], Part] | None = None,
) -> list[T]:
    """`work` on every part in worker processes, results in the parts' order; `on_done` is
    told of each part as it finishes (in any order), for a progress bar. `prepare` makes each
    part ready just before it is handed out, in order (the first parts already parse while
    the line numbers of the later ones are counted). `meanwhile` runs in a thread of this
    process while the workers work (what the merge will need, imported then rather than
    before): started once every worker is forked, so that no child inherits a lock that
    thread holds."""
    context = get_context("fork" if hasattr(os, "fork") else "spawn")
    with ProcessPoolExecutor(max_workers=min(workers, len(parts)), mp_context=context) as pool:
        futures: dict[Future[T], Part] = {}
        for part in parts:
            ready = prepare(part) if prepare is not None else part
            futures[pool.submit(work, ready)] = ready
        helper = None
        if meanwhile is not None:
            helper = threading.Thread(target=_quietly, args=(meanwhile,), daemon=True)
            helper.start()
        if on_done is not None:
            for future in as_completed(futures):
                on_done(futures[future])
        results = [future.result() for future in futures]
        if helper is not None:
            helper.join()
        return results


def _quietly(task: Callable[[], object]) -> None:
    """Run `task` for its side effects; a failure shows again when its work is done for real."""
    with contextlib.suppress(Exception):
        task()


def part_bytes(part: Part) -> int:
    """The bytes a part covers on disk."""
    if part.byte_range is not None:
        return part.byte_range[1] - part.byte_range[0]
    path = part.source.path
    return os.path.getsize(path) if path is not None else 0
