"""Analyses that read each file once: a result from the index when the file is unchanged, a
parse of only the appended bytes when it grew, both cores for whatever must be parsed.

A file's summary is kept in two pieces: the *prefix*, everything before the start of its last
record, and the *tail*, that last record. Logs grow at the end and a stack trace may still be
growing there, so the next run parses from the start of the last record: the prefix is reused
as it is, the rest is parsed and merged after it, in order, exactly as the parallel path merges
the parts of one file (`analysis.parallel`). Only files whose every record carries a complete
date can be cut like that; the others are reused when unchanged and parsed whole otherwise.

A file is unchanged when its device, inode, size, modification and change times and first
bytes are: restoring the modification time after an edit (`touch -r`, `os.utime`) cannot
restore the change time. An entry that is not what this version writes (a header or summary
of the wrong shape) is a warning and a fresh parse, never a crash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from itertools import count, pairwise
from typing import Any, Generic, TypeVar

from ..analysis.parallel import (
    MIN_PARALLEL_BYTES,
    Part,
    count_newlines,
    is_cuttable,
    last_record_start,
    part_bytes,
    pieces_for,
    record_starts,
    run_parts,
)
from ..analysis.progress import NoProgress, ProgressSink, total_of
from ..formats.locations import fingerprint
from ..gc_pacing import fewer_collections
from ..ingest import OpenedSources, ParseOptions, SourceParser, SourceStats
from .identity import PROBE_BYTES, file_identity
from .store import Entry, IndexCorrupt, IndexStore

R = TypeVar("R")
VERSION = "4"  # 3: the identity has the change time; entries are signed; 4: crash records
IDENTITY_NUMBERS = ("dev", "inode", "size", "mtime_ns", "ctime_ns")


@dataclass(frozen=True)
class Analysis(Generic[R]):
    """What to run on each part of a file, and how two consecutive results merge."""

    name: str
    params: str  # everything else the result depends on (levels, bucket width...)
    work: Callable[[Part], R]  # module-level, so worker processes can run it
    merge: Callable[[R, R], R]  # may change its first argument
    stats_of: Callable[[R], SourceStats]  # the statistics of a part's result
    # consecutive results as one, at once (else pairwise by `merge`): cheaper for many parts
    merge_all: Callable[[list[R]], R] | None = None


@dataclass
class IndexReport:
    """What this run took from the index and what it parsed."""

    reused: list[str] = field(default_factory=list)  # answered wholly from the index
    appended: list[str] = field(default_factory=list)  # only appended data parsed
    parsed_lines: int = 0
    parsed_bytes: int = 0
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Job(Generic[R]):
    parser: SourceParser
    options: ParseOptions
    key: str | None
    identity: dict[str, Any] | None
    prefix: R | None = None  # from the index, covering [0, start)
    tail: R | None = None  # from the index, when the file is unchanged
    start: int = 0
    start_line: int = 1
    parts: list[Part] = field(default_factory=list)  # the prefix's new parts
    tail_part: Part | None = None
    boundary: int | None = None
    boundary_line: int = 1


def run_analysis(
    workspace: OpenedSources,
    analysis: Analysis[R],
    workers: int,
    store: IndexStore | None,
    progress: ProgressSink | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> tuple[list[R], IndexReport]:
    """One result per source, in the workspace's order. `meanwhile` runs while workers parse
    (`run_parts`), when they do."""
    with fewer_collections():
        return _run_analysis(workspace, analysis, workers, store, progress, meanwhile)


def _run_analysis(
    workspace: OpenedSources,
    analysis: Analysis[R],
    workers: int,
    store: IndexStore | None,
    progress: ProgressSink | None,
    meanwhile: Callable[[], object] | None,
) -> tuple[list[R], IndexReport]:
    progress = progress or NoProgress()
    total = total_of(p.source for p in workspace.parsers)
    progress.start(total)
    report = IndexReport()
    if store is not None and any(p.source.path is not None for p in workspace.parsers):
        refusal = store.problem()
        if refusal is not None:
            report.warnings.append(refusal)
            store = None
    numbers = count()
    jobs = [_job(p, analysis, store, report, numbers, workers) for p in workspace.parsers]
    parts = [p for job in jobs for p in (*job.parts, *([job.tail_part] if job.tail_part else []))]
    sizes = sum(part_bytes(p) for p in parts)
    progress.advance(max(0, total - sizes))  # what the index answered for

    def done(part: Part) -> None:
        progress.advance(part_bytes(part))

    number = _LineNumbers(jobs)
    if workers >= 2 and len(parts) >= 2 and sizes >= MIN_PARALLEL_BYTES:
        parts = _largest_first(jobs)
        results = run_parts(
            parts, analysis.work, workers, on_done=done, meanwhile=meanwhile, prepare=number
        )
    else:
        results = []
        for part in parts:
            results.append(analysis.work(number(part)))
            done(part)
    outcome = {part.index: result for part, result in zip(parts, results, strict=True)}
    # the parts as they were handed out, their first lines counted
    parts = [p for job in jobs for p in (*job.parts, *([job.tail_part] if job.tail_part else []))]
    report.parsed_lines = sum(
        analysis.stats_of(outcome[part.index]).lines - part.first_line + 1 for part in parts
    )
    report.parsed_bytes = sizes
    merged: list[R] = []
    for job in jobs:
        prefix = job.prefix
        results = [outcome[part.index] for part in job.parts]
        if analysis.merge_all is not None and len(results) > 1:
            results = [analysis.merge_all(results)]
        for result in results:
            prefix = result if prefix is None else analysis.merge(prefix, result)
        tail = outcome[job.tail_part.index] if job.tail_part is not None else job.tail
        parsed = bool(job.parts) or job.tail_part is not None
        if store is not None and job.key is not None and job.identity is not None and parsed:
            _save(store, job, prefix, tail)
        if prefix is None:
            assert tail is not None
            whole = tail
        else:
            whole = prefix if tail is None else analysis.merge(prefix, tail)
        # from the index, the statistics name the source as an earlier run saw it
        analysis.stats_of(whole).source = job.parser.source
        merged.append(whole)
    return merged, report


def _job(
    parser: SourceParser,
    analysis: Analysis[R],
    store: IndexStore | None,
    report: IndexReport,
    numbers: Iterator[int],
    workers: int,
) -> _Job[R]:
    source = parser.source
    options = parser.options
    if options.day is None and parser.day_hint is not None:
        options = replace(options, day=parser.day_hint())  # settled once, as in `plan`
    job: _Job[R] = _Job(parser, options, None, None)
    if source.path is None:  # stdin: read once, never indexed
        job.tail_part = Part(next(numbers), source, options)
        return job
    path = source.path
    identity = file_identity(str(path))
    job.identity = identity
    if store is not None:
        job.key = _key(analysis, options, source.display, str(path.resolve()))
        entry = _load(store, job.key, analysis, source.display, report)
        if entry is not None and _reuse(job, entry, identity, report, source.display):
            return job
    size = identity["size"]
    if not is_cuttable(parser):  # detects the format: only once the index cannot answer
        job.tail_part = Part(next(numbers), source, options)
        return job
    boundary = last_record_start(parser, job.start, size)
    if boundary is None or boundary < job.start:
        boundary = job.start
    pieces = pieces_for(boundary - job.start, workers)
    starts = record_starts(parser, job.start, boundary, pieces)
    # line numbers are counted as the parts are handed out (`_LineNumbers`): 0 until then
    for start, end in pairwise([job.start, *starts, boundary]):
        if end > start:
            job.parts.append(Part(next(numbers), source, options, (start, end), UNNUMBERED))
    job.boundary = boundary
    job.tail_part = Part(next(numbers), source, options, (boundary, size), UNNUMBERED)
    return job


UNNUMBERED = 0  # the `first_line` of a part whose line number is not counted yet


def _largest_first(jobs: list[_Job[Any]]) -> list[Part]:
    """The parts in the order workers are handed them: the files with the largest pieces
    first (a file read whole, as a compressed one, is one piece), and the tails of the files
    cut in pieces (from their last record on: a few bytes) at the end, so that the parts left
    when a worker runs out of work are small and the other is not long alone. A file's parts
    keep their order, the order `_LineNumbers` counts their lines in."""

    def pieces(job: _Job[Any]) -> list[Part]:
        return job.parts or ([job.tail_part] if job.tail_part is not None else [])

    def largest(job: _Job[Any]) -> int:
        return max((part_bytes(part) for part in pieces(job)), default=0)

    ordered = sorted(jobs, key=largest, reverse=True)  # stable: ties keep the files' order
    heads = [part for job in ordered for part in pieces(job)]
    return heads + [job.tail_part for job in ordered if job.parts and job.tail_part is not None]


class _LineNumbers:
    """Numbers each part just before it is handed out, counting the newlines since the part
    before it in the same file (the first parts already parse meanwhile), and tells its job."""

    def __init__(self, jobs: list[_Job[Any]]) -> None:
        self.job_of = {
            part.index: job
            for job in jobs
            for part in (*job.parts, *([job.tail_part] if job.tail_part else []))
        }
        # per job: (offset, line number) up to which lines are counted
        self.counted = {id(job): (job.start, job.start_line) for job in jobs}

    def __call__(self, part: Part) -> Part:
        if part.first_line != UNNUMBERED or part.byte_range is None:
            return part
        job = self.job_of[part.index]
        counted_to, line = self.counted[id(job)]
        start = part.byte_range[0]
        path = job.parser.source.path
        assert path is not None
        line += count_newlines(str(path), counted_to, start)
        self.counted[id(job)] = (start, line)
        numbered = replace(part, first_line=line)
        if part is job.tail_part:
            job.tail_part, job.boundary_line = numbered, line
        else:
            job.parts[job.parts.index(part)] = numbered
        return numbered


def _reuse(
    job: _Job[R], entry: Entry, identity: dict[str, Any], report: IndexReport, display: str
) -> bool:
    """True when the entry answers for the whole file; otherwise sets up the job to parse
    only what was appended (when it can), and returns False."""
    old = entry.meta["identity"]
    payload = entry.payload
    assert isinstance(payload, tuple)  # a (prefix, tail) pair: checked by `_check`
    prefix, tail = payload
    if old == identity:
        job.prefix, job.tail = prefix, tail
        report.reused.append(display)
        return True
    boundary = entry.meta.get("boundary")
    same_file = all(old[k] == identity[k] for k in ("dev", "inode", "head"))
    if boundary is None or not same_file or identity["size"] <= old["size"]:
        return False
    if _probe(str(job.parser.source.path), boundary) != entry.meta.get("probe"):
        return False  # rewritten, not appended to
    job.prefix = prefix
    job.start = boundary
    job.start_line = entry.meta["boundary_line"]
    report.appended.append(display)
    return False


def _save(store: IndexStore, job: _Job[R], prefix: R | None, tail: R | None) -> None:
    path = str(job.parser.source.path)
    meta = {
        "version": VERSION,
        "file": job.parser.source.display,
        "identity": job.identity,
        "boundary": job.boundary,
        "boundary_line": job.boundary_line,
        "probe": _probe(path, job.boundary) if job.boundary is not None else None,
    }
    assert job.key is not None
    store.save(job.key, Entry(meta, (prefix, tail)))


def _load(
    store: IndexStore, key: str, analysis: Analysis[Any], display: str, report: IndexReport
) -> Entry | None:
    try:
        entry = store.load(key)
        if entry is None:
            return None
        if entry.meta.get("version") != VERSION:
            return None
        _check(entry, analysis)
    except IndexCorrupt as error:
        report.warnings.append(f"{display}: index entry {error}; parsed afresh and rebuilt")
        store.remove(key)
        return None
    return entry


def _check(entry: Entry, analysis: Analysis[Any]) -> None:
    """`IndexCorrupt` unless the entry has the shape this version writes: an identity, a
    boundary inside the file (or none), a (prefix, tail) pair of the analysis' results."""
    meta = entry.meta
    identity = meta.get("identity")
    if (
        not isinstance(identity, dict)
        or set(identity) != {*IDENTITY_NUMBERS, "head"}
        or not all(_is_count(identity[name]) for name in IDENTITY_NUMBERS)
        or not isinstance(identity["head"], str)
    ):
        raise IndexCorrupt("of an unexpected shape (identity)")
    boundary = meta.get("boundary")
    if boundary is not None and not (
        _is_count(boundary)
        and boundary <= identity["size"]
        and _is_count(meta.get("boundary_line"))
        and meta["boundary_line"] >= 1
        and isinstance(meta.get("probe"), str)
    ):
        raise IndexCorrupt("of an unexpected shape (boundary)")
    payload = entry.payload
    if not isinstance(payload, tuple) or len(payload) != 2 or payload[1] is None:
        raise IndexCorrupt("of an unexpected shape (summary)")
    for result in payload:
        if result is None:
            continue
        try:
            stats = analysis.stats_of(result)
        except Exception:
            stats = None
        if not isinstance(stats, SourceStats):
            raise IndexCorrupt("of an unexpected shape (summary)")


def _is_count(value: object) -> bool:
    return type(value) is int and value >= 0


def _key(analysis: Analysis[Any], options: ParseOptions, display: str, resolved: str) -> str:
    # the format definitions in force: a user's new or edited format file re-reads the logs
    formats = fingerprint()
    text = "\x00".join(
        [VERSION, analysis.name, analysis.params, repr(options), formats, display, resolved]
    )
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _probe(path: str, boundary: int) -> str:
    """A digest of the bytes just before `boundary`: unchanged when the file was only
    appended to."""
    with open(path, "rb") as raw:
        start = max(0, boundary - PROBE_BYTES)
        raw.seek(start)
        return hashlib.blake2b(raw.read(boundary - start), digest_size=16).hexdigest()
