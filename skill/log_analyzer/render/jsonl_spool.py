"""`parse --jsonl` on files in one read: each record's line is written while the files are mined.

A line's template is final only once the whole input is mined, so the record path reads every
file twice: once to mine (`analysis.template_ids`), once to write. Here the workers that mine a
part of a file also write the lines of its records up to the template (`JsonLines.head`) to a
spool file, and the time of each record beside it; once the miner has seen every form, each
spooled line gets its template's text by the number of its form in the part's ledger. Nothing
is parsed twice, and the lines are rendered on every core.

The spool serves only what it covers whole: every file parsed from its first byte in this run
(not from the index, not only its appended bytes), every record spooled. Anything else (a warm
run, a grown file, a worker that could not write, too little room for the spool) is read again
by the record path, with the ledgers already mined; the lines are the same either way.
"""

from __future__ import annotations

import contextlib
import heapq
import json
import math
import os
import shutil
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import partial
from itertools import chain, pairwise
from operator import itemgetter
from pathlib import Path

from ..analysis.parallel import Part, worker_count
from ..analysis.template_ids import LEDGERS, FormLedger, miner_of
from ..index import IndexReport, IndexStore, run_analysis
from ..ingest import OpenedSources
from ..records import Record
from .jsonl import JsonLines

_BATCH = 4096  # lines written to a spool at once
_READ_BYTES = 1 << 20  # bytes of a spool read at once
_ERRORS = "surrogatepass"  # UTF-8 that any str round-trips through
# The spool holds about 1.3 bytes per byte of input; it is used only when the disk it is on
# has room for twice the input and this much more.
SPARE_BYTES = 256 << 20


@dataclass(frozen=True)
class _Piece:
    """One part's spool: its file, the byte range it covers, how many records it holds."""

    path: str
    start: int
    end: int | None  # None: the part was the whole file
    records: int
    lines: Path
    times: Path


@dataclass
class SpooledLines:
    """The lines of `parse --jsonl`: `batches` of lines in output order when the spool covers
    every file (None otherwise), and the mined ledgers with what came from the index."""

    batches: Iterator[list[str]] | None
    ledgers: list[FormLedger]
    index: IndexReport | None


def has_room(directory: str, workspace: OpenedSources) -> bool:
    """Whether the disk under `directory` can hold the spool of every file of `workspace`."""
    paths = [parser.source.path for parser in workspace.parsers]
    if any(path is None for path in paths):
        return False
    try:
        size = sum(os.path.getsize(path) for path in paths if path is not None)
        return shutil.disk_usage(directory).free >= 2 * size + SPARE_BYTES
    except OSError:  # a file gone: the record path says so
        return False


def spooled_lines(
    workspace: OpenedSources, directory: str, store: IndexStore | None, workers: int | None
) -> SpooledLines:
    """Mine every file of `workspace` (through the index when `store` is given), spooling the
    lines of what is parsed into `directory` (an empty directory the caller removes)."""
    analysis = replace(LEDGERS, work=partial(_spool_part, directory))
    ledgers, index = run_analysis(workspace, analysis, worker_count(workers), store)
    pieces = _pieces(Path(directory))
    covered = [
        _covering(pieces.get(str(p.source.path), []), ledger)
        for p, ledger in zip(workspace.parsers, ledgers, strict=True)
    ]
    if not ledgers or any(found is None for found in covered):
        return SpooledLines(None, ledgers, index)
    for parser, ledger in zip(workspace.parsers, ledgers, strict=True):
        parser.stats = ledger.stats  # what the record path's second read would count
    miner = miner_of(ledgers)
    render = JsonLines()
    streams = []
    for ledger, found in zip(ledgers, covered, strict=True):
        assert found is not None
        endings = []
        for form in ledger.forms:
            template = miner.template_of(form)
            assert template is not None  # every form of the ledger was mined
            endings.append(render.tail(template) + "true}\n")
        streams.append(_batches(found, ledger, endings))
    if len(streams) == 1:
        return SpooledLines(streams[0], ledgers, index)
    return SpooledLines(_merged(streams, covered), ledgers, index)


def _spool_part(directory: str, part: Part) -> FormLedger:
    """The ledger of `part` (what `LEDGERS` computes), its records' line heads and times
    spooled beside it. The piece's description is written last: a piece without one was not
    finished and is not used. A spool that cannot be written (a full disk, its directory
    gone) is given up, never the ledger."""
    from ..analysis.template_ids import ledger_of

    base = os.path.join(directory, str(part.index))
    head = JsonLines().head
    heads: list[str] = []
    times = array("d")
    nan = math.nan
    failed: list[OSError] = []
    try:  # closed below, whatever happens: a `with` would raise what closing it raises
        out = open(base + ".jsonl", "w", newline="", encoding="utf-8", errors=_ERRORS)  # noqa: SIM115
    except OSError:
        return ledger_of(part.parser())

    def flush() -> None:
        if not failed:
            try:
                out.write("\n".join(heads) + "\n")
            except OSError as error:
                failed.append(error)
        heads.clear()

    def spool(record: Record) -> None:
        heads.append(head(record))
        when = record.timestamp
        times.append(nan if when is None else when.timestamp())
        if len(heads) >= _BATCH:
            flush()

    try:
        ledger = ledger_of(part.parser(), spool)
        if heads:
            flush()
    finally:
        try:
            out.close()  # what is still buffered is written here: it may fail too
        except OSError as error:
            failed.append(error)
    description = {
        "path": str(part.source.path),
        "start": part.byte_range[0] if part.byte_range is not None else 0,
        "end": part.byte_range[1] if part.byte_range is not None else None,
        "records": len(times),
    }
    try:
        if failed:
            raise failed[0]
        with open(base + ".times", "wb") as numbers:
            times.tofile(numbers)
        Path(base + ".json").write_text(json.dumps(description), encoding="utf-8")
    except OSError:
        for suffix in (".jsonl", ".times", ".json"):
            with contextlib.suppress(OSError):
                os.remove(base + suffix)
    return ledger


def _pieces(directory: Path) -> dict[str, list[_Piece]]:
    """The finished pieces in `directory`, by file, in byte order."""
    found: dict[str, list[_Piece]] = {}
    for description in directory.glob("*.json"):
        base = description.with_suffix("")
        try:
            facts = json.loads(description.read_text(encoding="utf-8"))
            piece = _Piece(
                facts["path"],
                facts["start"],
                facts["end"],
                facts["records"],
                base.with_suffix(".jsonl"),
                base.with_suffix(".times"),
            )
        except (OSError, ValueError, KeyError, TypeError):  # cut short: not a finished piece
            continue
        found.setdefault(piece.path, []).append(piece)
    for pieces in found.values():
        pieces.sort(key=lambda piece: piece.start)
    return found


def _covering(pieces: list[_Piece], ledger: FormLedger) -> list[_Piece] | None:
    """`pieces` when they are the whole file as its ledger counts it: from the first byte, each
    starting where the one before ended, every record; else None."""
    if not pieces or pieces[0].start != 0:
        return None
    for before, after in pairwise(pieces):
        if before.end is None or before.end != after.start:  # a gap, or a part twice
            return None
    if sum(piece.records for piece in pieces) * 4 != len(ledger.codes):
        return None
    return pieces


def _batches(pieces: list[_Piece], ledger: FormLedger, endings: list[str]) -> Iterator[list[str]]:
    """The finished lines of one file, in batches: each spooled head with its template."""
    codes = array("I")
    codes.frombytes(ledger.codes)
    done = 0
    for piece in pieces:
        for heads in _spooled_heads(piece):
            chunk = codes[done : done + len(heads)]
            done += len(heads)
            yield [head + endings[code] for head, code in zip(heads, chunk, strict=True)]


def _spooled_heads(piece: _Piece) -> Iterator[list[str]]:
    """The heads of a piece, in batches (a head holds no newline: JSON escapes it)."""
    left = ""
    with open(piece.lines, newline="", encoding="utf-8", errors=_ERRORS) as spool:
        while block := spool.read(_READ_BYTES):
            heads = (left + block).split("\n")
            left = heads.pop()
            if heads:
                yield heads
    assert not left  # every head ends with a newline


def _times(piece: _Piece) -> array[float]:
    """The times of a piece's records (NaN for a record without one)."""
    times = array("d")
    with open(piece.times, "rb") as numbers:
        times.frombytes(numbers.read())
    return times


def _merged(
    streams: list[Iterator[list[str]]], covered: list[list[_Piece] | None]
) -> Iterator[list[str]]:
    """The lines of several files in time order, as the record path merges them
    (`cli.reading_commands.merged` with no clock moved): a line without a time keeps its
    place after the line before it in its file; equal times keep the files' order."""

    def keyed(stream: Iterator[list[str]], pieces: list[_Piece]) -> Iterator[tuple[float, str]]:
        last = -math.inf
        times = chain.from_iterable(map(_times, pieces))
        for seconds, line in zip(times, chain.from_iterable(stream), strict=True):
            if seconds == seconds:  # not NaN: a record with a time
                last = seconds
            yield last, line

    rows = heapq.merge(
        *(keyed(stream, pieces) for stream, pieces in zip(streams, covered, strict=True) if pieces),
        key=itemgetter(0),
    )
    batch: list[str] = []
    for _, line in rows:
        batch.append(line)
        if len(batch) >= _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch
