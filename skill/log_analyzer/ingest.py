"""From sources to records: detection, per-line parsing with fallbacks, multi-line joining,
services, and the per-source statistics that `sources` prints.

Streaming: a source is read once, line by line; only the detection sample is buffered.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from itertools import chain, count, islice, repeat
from typing import TYPE_CHECKING, Any

from .formats.base import CONTINUES, NO_MATCH, LogFormat, Parsed, RegexFormat
from .formats.envelopes import (
    Unwrapped,
    continues_entry,
    plain_text,
    record_fields,
    record_time,
    unwrap_lines,
)
from .formats.fallback import COMMENT, PLAIN, is_comment
from .formats.multiline import crash_level, is_continuation
from .levels import RANK, infer_level
from .records import Record
from .services import record_service, source_service
from .sources.discover import Source, discover
from .sources.reader import LineReader, sample_middle_and_end
from .timestamps import Clock

if TYPE_CHECKING:  # the format registry compiles every format: imported when first detecting
    from .formats.detect import Detection

SAMPLE_LINES = 200
# detections by file identity and format asked for (`SourceParser._detection_key`)
_DETECTIONS: dict[tuple[object, ...], Detection] = {}
MAX_DETECTIONS_KEPT = 256
UNSET: Any = object()  # no probe result known for a line (`_skipping_runs`' `known_quick`)
MAX_HEADERLESS_JOINS = 200


@dataclass
class ParseOptions:
    """What the user may tell the parser; everything has a zero-configuration default."""

    format: str | None = None
    tz: tzinfo = UTC
    year: int | None = None
    day: date | None = None
    services: list[tuple[str, str]] = field(default_factory=list)
    # Records below this level are counted, not built (for analyses of errors only); the
    # statistics' time range then covers the records built.
    keep_level: str | None = None


@dataclass
class SourceStats:
    """What reading one source found. Filled in while its records stream past."""

    source: Source
    format: str = ""
    service: str = ""
    detection_share: float = 0.0
    lines: int = 0
    records: int = 0
    unparsed: int = 0
    timestamped: int = 0
    first: datetime | None = None
    last: datetime | None = None
    long_lines: int = 0
    bytes: int = 0
    compression: str | None = None
    formats: Counter[str] = field(default_factory=Counter)
    # records per (service, level), counted in the hot loop with a plain dict
    tally: dict[tuple[str, str | None], int] = field(default_factory=dict)

    @property
    def services(self) -> Counter[str]:
        counts: Counter[str] = Counter()
        for (service, _), number in self.tally.items():
            counts[service] += number
        return counts

    @property
    def levels(self) -> Counter[str]:
        counts: Counter[str] = Counter()
        for (_, level), number in self.tally.items():
            counts[level or "none"] += number
        return counts

    warnings: list[str] = field(default_factory=list)


def merge_stats(parts: Sequence[SourceStats]) -> SourceStats:
    """One source's statistics from those of its parts, in order (the parallel path)."""
    merged = parts[0]
    for part in parts[1:]:
        merged.lines = max(merged.lines, part.lines)
        merged.records += part.records
        merged.unparsed += part.unparsed
        merged.timestamped += part.timestamped
        merged.long_lines += part.long_lines
        merged.bytes += part.bytes
        if part.first is not None and (merged.first is None or part.first < merged.first):
            merged.first = part.first
        if part.last is not None and (merged.last is None or part.last > merged.last):
            merged.last = part.last
        merged.formats.update(part.formats)
        for key, number in part.tally.items():
            merged.tally[key] = merged.tally.get(key, 0) + number
        merged.warnings.extend(w for w in part.warnings if w not in merged.warnings)
    return merged


class SourceParser:
    """Parses one source into records. Iterate it once; `stats` is complete afterwards.

    `byte_range` (with `first_line`, the number of the line at its start) limits the parse to
    a part of an uncompressed file that starts at a record's first line: the parallel path
    splits large files that way. Detection still reads the file's own head."""

    def __init__(
        self,
        source: Source,
        options: ParseOptions,
        day_hint: Callable[[], date | None] | None = None,
        byte_range: tuple[int, int] | None = None,
        first_line: int = 1,
    ) -> None:
        self.source = source
        self.options = options
        self.day_hint = day_hint
        self.byte_range = byte_range
        self.first_line = first_line
        self.stats = SourceStats(source)
        self.reader = LineReader(source.readable)

    def detect(self) -> Detection:
        """The source's format, from a sample of its head, middle and end (reads only those)."""
        known = self._known_detection()
        if known is not None:
            return known
        head = list(islice(LineReader(self.source.readable).lines(), SAMPLE_LINES))
        return self._detect(head)

    def _detect(self, head: list[str]) -> Detection:
        known = self._known_detection()
        if known is not None:
            return known
        sample = head
        if self.source.path is not None and len(head) == SAMPLE_LINES:
            sample = head + sample_middle_and_end(self.source.path)
        from .formats.detect import detect

        found = detect(sample, self.options.format)
        key = self._detection_key()
        if key is not None:
            if len(_DETECTIONS) >= MAX_DETECTIONS_KEPT:  # a long session: the oldest goes
                del _DETECTIONS[next(iter(_DETECTIONS))]
            _DETECTIONS[key] = found
        return found

    def _known_detection(self) -> Detection | None:
        key = self._detection_key()
        return _DETECTIONS.get(key) if key is not None else None

    def _detection_key(self) -> tuple[object, ...] | None:
        """What a detection depends on: the file as it is now and the format asked for. A
        file is detected once per process (planning parts, then each part, reads the same
        sample), and forked workers inherit what the parent found."""
        path = self.source.path
        if path is None:
            return None
        try:
            info = os.stat(path)
        except OSError:
            return None
        identity = (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)
        return (str(path), identity, self.options.format)

    def __iter__(self) -> Iterator[Record]:
        # lines in blocks, one list per chunk read, for the block pre-filter of `_records`
        blocks: Iterator[list[str]] = self.reader._blocks(self.byte_range)
        if self.byte_range is None:
            first: list[list[str]] = []
            for block in blocks:
                first.append(block)
                if sum(map(len, first)) >= SAMPLE_LINES:
                    break
            head = list(islice(chain.from_iterable(first), SAMPLE_LINES))
            blocks = chain(first, blocks)
        else:
            head = list(islice(LineReader(self.source.readable).lines(), SAMPLE_LINES))
        detection = self._detect(head)
        service, forced = source_service(self.source, self.options.services)
        stats = self.stats
        stats.format = detection.name
        stats.service = service
        stats.detection_share = detection.share
        clock = Clock(
            tz=self.options.tz,
            reference=self.source.mtime,
            year=self.options.year,
            day=self.options.day,
            day_hint=self.day_hint,
            year_hint=lambda: stated_year(head, detection, self.options),
        )
        try:
            yield from _records(
                Blocks(blocks),
                detection,
                clock,
                self.source.display,
                service,
                forced,
                stats,
                self.options.keep_level,
                self.first_line,
            )
        finally:
            stats.long_lines = self.reader.long_lines
            stats.bytes = self.reader.bytes_read
            stats.compression = self.reader.compression
            if self.reader.truncated:
                stats.warnings.append(
                    "compressed stream ends early (truncated?); read what it held"
                )
            if self.reader.invalid_utf8:
                stats.warnings.append("invalid UTF-8 replaced with U+FFFD")
            stats.warnings.extend(self.reader.warnings)
            if self.reader.long_lines:
                stats.warnings.append(
                    f"{self.reader.long_lines} line(s) over 1 MiB cut for analysis"
                )


@dataclass
class Blocks:
    """Lines in blocks (one list per chunk read): what the block pre-filter works on."""

    blocks: Iterable[list[str]]


def _records(
    lines: Iterable[str] | Blocks,
    detection: Detection,
    clock: Clock,
    file: str,
    default_service: str,
    forced_service: bool,
    stats: SourceStats,
    keep_level: str | None = None,
    first_line: int = 1,
) -> Iterator[Record]:
    """The per-line loop. Kept as one flat function: it is the hottest code in the package.

    With `keep_level`, records below it are counted but not built: a regex format's level is
    read from its match alone, before timestamps, fields and the record cost anything; given
    `Blocks`, the runs of such records are counted over whole blocks (`_skipping_runs`) and
    never reach this loop."""
    primary = detection.primary
    keep_rank = RANK[keep_level] if keep_level is not None else 0
    probe = primary.quick_level if keep_rank and isinstance(primary, RegexFormat) else None
    # A line a plain regex format's probe (the head of its regex) does not match, its regex
    # cannot either; a format with a `parse` or `quick_level` of its own may read it otherwise.
    unmatched_is_final = (
        probe is not None
        and type(primary).parse is RegexFormat.parse
        and getattr(type(primary), "quick_level", None) is RegexFormat.quick_level
    )
    ended = [first_line - 1]  # the last line number the pre-filter read
    # (text, level) of the last header skipped below `keep_level`, here or in `_skipping_runs`:
    # a crash after it starts a record at its time (`_crash`)
    skipped_header: list[Any] = [None]
    numbered: Iterable[tuple[int, str, Unwrapped | None, int]] | None = None
    # the pre-filter's probe result for the line it yields, when it has one (`_skipping_runs`)
    known_quick: list[Any] = [UNSET]
    if isinstance(lines, Blocks):
        if probe is not None and detection.envelope is None and isinstance(primary, RegexFormat):
            level_probe = primary.level_probe()
            if level_probe is not None:
                numbered = _skipping_runs(
                    lines.blocks,
                    primary,
                    level_probe,
                    keep_rank,
                    default_service,
                    stats,
                    ended,
                    known_quick,
                    skipped_header,
                )
        if numbered is None:
            lines = chain.from_iterable(lines.blocks)
    skipped = False  # the record in progress is below `keep_level`: its lines are absorbed
    crashed = False  # the record being built is a crash (`_crash`): its lines follow it
    crash_service: str | None = None  # the service of the record it follows, when built
    tally = stats.tally
    fallbacks = detection.fallbacks
    prefix = f"{detection.envelope.name}+" if detection.envelope is not None else ""
    names: dict[str, str] = {}
    pending: Record | None = None
    continuation: list[str] = []
    last_line = first_line - 1
    format_counts = stats.formats
    # A header-less line that no format reads continues the record before it (a message that
    # spans lines), up to a limit: past it, such lines are records of their own.
    headerless_joins = MAX_HEADERLESS_JOINS
    # What the primary format's records take, worked out once (most records are its): its
    # format name, the header-less lines its records take, and whether a line of it continues
    # the record before exactly when its fields say `continues` (`RegexFormat.joins_previous`)
    primary_name = (prefix + primary.name) if primary is not PLAIN else (prefix[:-1] or PLAIN.name)
    primary_headerless = (
        0 if primary.takes_headerless and primary is not PLAIN else MAX_HEADERLESS_JOINS
    )
    joins_when_continued = type(primary).joins_previous is RegexFormat.joins_previous
    parse_primary = primary.line_parser() if isinstance(primary, RegexFormat) else primary.parse
    if numbered is None:
        assert not isinstance(lines, Blocks)
        numbered = (
            zip(count(first_line), lines, repeat(None), count(first_line))  # no frame per line
            if detection.envelope is None
            else unwrap_lines(lines, detection.envelope, clock, first_line)
        )
    previous_entry: Unwrapped | None = None  # the envelope entry of the line before
    for line_number, text, entry, last_line in numbered:
        before, previous_entry = previous_entry, entry
        if "\x1b" in text:  # a terminal's colours around the level hide it from every format
            text = plain_text(text)
        quick = None
        if probe is not None:
            quick = known_quick[0]
            if quick is UNSET:
                quick = probe(text)
            if skipped and (
                quick is CONTINUES
                or (quick is NO_MATCH and is_continuation(text) and crash_level(text) is None)
            ):
                continue  # a line of a record that is not built (a crash may start one)
            if type(quick) is str and RANK[quick] < keep_rank:
                if pending is not None:
                    yield _finish(pending, continuation, stats)
                    continuation = []
                    pending = None
                skipped = True
                skipped_header[0] = (text, quick)
                headerless_joins = 0
                stats.records += 1
                key = (default_service, quick)
                tally[key] = tally.get(key, 0) + 1
                continue
        parsed: Parsed | None = (
            None if quick is NO_MATCH and unmatched_is_final else parse_primary(text, clock)
        )
        fmt: LogFormat = primary
        if parsed is None:
            if text[:1] in "#-" and is_comment(text):  # a header or comment: on its own
                parsed = Parsed(timestamp=None, level=None, message=text.rstrip())
                fmt = COMMENT
            elif (
                (pending is not None or skipped)
                and is_continuation(text)
                and (entry is None or continues_entry(entry, before))
                and (parsed := _crash(text, pending, skipped_header[0], parse_primary, clock))
                is None
            ):
                if pending is not None:
                    continuation.append(text)
                    pending.end_line = last_line
                continue
            elif parsed is not None:  # a crash after a calm record: a record of its own
                crashed, crash_service = True, pending.service if pending is not None else None
            else:
                for candidate in fallbacks:
                    parsed = candidate.parse(text, clock)
                    if parsed is not None:
                        fmt = candidate
                        break
                else:
                    # Inside an envelope every entry starts a record (its own time says so),
                    # unless it is a line of a stack trace.
                    crash = None
                    if (pending is not None or skipped) and entry is None:
                        crash = _crash(text, pending, skipped_header[0], parse_primary, clock)
                    if crash is not None:  # a crash after a calm record: a record of its own
                        parsed, crashed = crash, True
                        crash_service = pending.service if pending is not None else None
                    elif (
                        (pending is not None or skipped)
                        and headerless_joins < MAX_HEADERLESS_JOINS
                        and entry is None
                    ):
                        headerless_joins += 1
                        if pending is not None:
                            continuation.append(text)
                            pending.end_line = last_line
                        continue
                    else:
                        parsed = PLAIN.parse(text, clock)
                        fmt = PLAIN
        elif (pending is not None or skipped) and (
            (parsed.fields is not None and "continues" in parsed.fields)
            if joins_when_continued
            else fmt.joins_previous(parsed, pending)
        ):
            if pending is not None:
                continuation.append(fmt.continuation_text(parsed, text))
                pending.end_line = last_line
                # a line that completes the header of the record it continues: CMTrace's
                # closing `]LOG]!><time=...>`, java.util.logging's `SEVERE: message`
                if pending.timestamp is None:
                    pending.timestamp = parsed.timestamp
                if pending.level is None:
                    pending.level = parsed.level
            continue
        if pending is not None:
            yield _finish(pending, continuation, stats)
            if continuation:  # (an empty one is left as it was: reused)
                continuation = []
        skipped = False
        # Only a record some format read may take header-less lines: junk after junk stays
        # one unparsed record per line, and so does a stray line among JSON lines.
        if fmt is primary:
            headerless_joins = primary_headerless
            name = primary_name
        else:
            headerless_joins = (
                0
                if fmt.takes_headerless and fmt is not PLAIN and primary is not PLAIN
                else MAX_HEADERLESS_JOINS
            )
            known = names.get(fmt.name)
            if known is None:
                known = names[fmt.name] = (
                    (prefix + fmt.name) if fmt is not PLAIN else (prefix[:-1] or fmt.name)
                )
            name = known
        format_counts[name] += 1
        if fmt is PLAIN and entry is None:  # an envelope's entry was read: its time, its stream
            stats.unparsed += 1
        if entry is not None and entry.service and not parsed.service:
            parsed.service = entry.service  # the service a compose prefix names
        service = (
            default_service
            if forced_service or not parsed.service
            else (record_service(parsed.service) or default_service)
        )
        if crashed:  # its lines (a message, frames) follow: they join it
            crashed, headerless_joins = False, 0
            if crash_service is not None:
                service, crash_service = crash_service, None
        pending = Record(
            file,
            line_number,
            last_line,
            parsed.timestamp if entry is None else record_time(entry, parsed),
            parsed.level,
            service,
            name,
            parsed.message,
            parsed.fields if entry is None else record_fields(entry, parsed),
        )
    if pending is not None:
        yield _finish(pending, continuation, stats)
    stats.lines = max(last_line, ended[0])


def _crash(
    text: str,
    pending: Record | None,
    skipped_header: tuple[str, Any] | None,
    parse_primary: Callable[[str, Clock], Parsed | None],
    clock: Clock,
) -> Parsed | None:
    """The record a crash line (`multiline.crash_level`) opens after a calm record (one that
    states a level below warning): at the time of that record, the last one the program
    logged; None when `text` is no crash, or follows a warning, an error or a record that
    states no level (whose level is then read from its lines, the crash's). `skipped_header`:
    the header of the record skipped below `keep_level` (read again for its time)."""
    level = crash_level(text)
    if level is None:
        return None
    if pending is not None:
        # (a record stating no level takes the crash's from its lines: `_finish`)
        if pending.level is None or RANK[pending.level] >= _WARNING:
            return None
        return Parsed(pending.timestamp, level, text.rstrip())
    if skipped_header is None:
        return None
    header, quick = skipped_header
    if type(quick) is str and RANK[quick] >= _WARNING:
        return None
    head = parse_primary(header, clock)
    if head is None:
        return Parsed(None, level, text.rstrip())
    return Parsed(head.timestamp, level, text.rstrip(), head.service)


_WARNING = RANK["warning"]


def _skipping_runs(
    blocks: Iterable[list[str]],
    primary: RegexFormat,
    level_probe: tuple[re.Pattern[str], tuple[int, ...]],
    keep_rank: int,
    service: str,
    stats: SourceStats,
    ended: list[int],
    known_quick: list[Any] | None = None,
    skipped_header: list[Any] | None = None,
) -> Iterator[tuple[int, str, None, int]]:
    """The numbered lines `_records` must see: runs of records below `keep_rank` are counted
    here, over whole blocks (the probe matched by one `findall` per block, runs found and
    counted by `list.index` and `list.count`, all in C), and never reach it.

    A run starts at a header below `keep_rank` that `_records` sees: it ends the record before
    and leaves `_records` skipping, with nothing pending. The headers below `keep_rank` after
    it, and the continuation lines of those records, would change nothing there but counts:
    they are counted here (records, tally) and not passed on. A line with terminal colours
    goes through (`_records` strips them before probing). `ended[0]` is set to the
    number of the last line read, which `_records` may not have seen. `known_quick[0]` is set,
    before each line is yielded, to what `quick_level` gives that line (UNSET for a line with
    colours), so that `_records` does not match the probe a second time."""
    pattern, positions = level_probe
    match: Callable[[str], re.Match[str] | None] = pattern.match
    position = positions[0] if len(positions) == 1 else 0
    scanner = primary.level_scanner()
    findall = scanner.findall if scanner is not None else None
    # an empty level from the scanner is a line the probe does not match: no second look
    decisive = primary.level_scan_is_decisive()
    # a raw level -> the tally key of a header below `keep_rank`, CONTINUES, or None
    kinds: dict[str | None, Any] = {}
    quicks: dict[str | None, Any] = {}  # a raw level -> what `quick_level` gives a line with it
    # raw levels of headers below `keep_rank`, as `findall` gives them: runs of such lines are
    # found with `list.index` and counted with `list.count`, in C
    below: set[str] = set()
    hint = known_quick if known_quick is not None else [UNSET]
    tally = stats.tally
    number = ended[0]
    counted = 0
    running = False  # `_records` is skipping a record below `keep_rank`, nothing pending
    last_header = skipped_header if skipped_header is not None else [None]
    try:
        for block in blocks:
            joined = "\n".join(block)
            colours = "\x1b" in joined
            # each line's raw level, "" for a line the probe may not match (looked at below)
            raws: list[Any] | None = findall(joined) if findall is not None else None
            if raws is None or len(raws) != len(block):  # no scanner, or a match crossed a line
                raws = [_raw_level(found, position, positions) for found in map(match, block)]
            base, size, index = number, len(block), 0
            known_below = None if colours or not below else list(map(below.__contains__, raws))
            while index < size:
                if known_below is not None and known_below[index]:
                    try:  # the run of headers below `keep_rank` that starts here
                        end = known_below.index(False, index)
                    except ValueError:
                        end = size
                    if not running:  # its first header ends the record before: `_records` sees it
                        number = base + index + 1
                        running = True
                        hint[0] = quicks[raws[index]]
                        yield number, block[index], None, number
                        index += 1
                    if end > index:
                        last_header[0] = (block[end - 1], quicks[raws[end - 1]])
                        run = raws[index:end]
                        for raw in below:
                            found = run.count(raw)
                            if found:
                                kind = kinds[raw]
                                tally[kind] = tally.get(kind, 0) + found
                                counted += found
                    number = base + end
                    index = end
                    continue
                text, raw = block[index], raws[index]
                index += 1
                number = base + index
                if colours and "\x1b" in text:
                    running = False
                    hint[0] = UNSET
                    yield number, text, None, number
                    continue
                if raw == "":
                    raw = (
                        _NOT_A_HEADER if decisive else _raw_level(match(text), position, positions)
                    )
                if raw is _NOT_A_HEADER:
                    # (a crash is passed on: after a calm record it is a record: `_crash`)
                    if running and is_continuation(text) and crash_level(text) is None:
                        continue
                    running = False
                    hint[0] = NO_MATCH
                    yield number, text, None, number
                    continue
                kind = kinds.get(raw, kinds)
                if kind is kinds:
                    quick = quicks[raw] = primary.quick_level(text)
                    kind = kinds[raw] = (
                        (service, quick)
                        if type(quick) is str and RANK[quick] < keep_rank
                        else (CONTINUES if quick is CONTINUES else None)
                    )
                    if type(kind) is tuple and raw:
                        below.add(raw)
                if running:
                    if kind is CONTINUES:
                        continue
                    if kind is not None:
                        counted += 1
                        tally[kind] = tally.get(kind, 0) + 1
                        last_header[0] = (text, quicks[raw])
                        continue
                running = kind is not None and kind is not CONTINUES
                hint[0] = quicks[raw]
                yield number, text, None, number
    finally:
        stats.records += counted
        ended[0] = number


_NOT_A_HEADER: Any = object()


def _raw_level(found: re.Match[str] | None, position: int, positions: tuple[int, ...]) -> Any:
    """The raw level a probe's match read (None when its level group took no part),
    `_NOT_A_HEADER` when the probe did not match."""
    if found is None:
        return _NOT_A_HEADER
    if position:
        return found.group(position)
    return next((g for g in found.group(*positions) if g is not None), None)


def stated_year(
    head: Sequence[str], detection: Detection, options: ParseOptions
) -> tuple[int, int] | None:
    """(year, month) of the first stamp in `head` that states its year: the year of the
    year-less stamps before it (an Android log's first lines, a syslog header before the first
    haproxy accept date). Read with a clock of its own; asked for only when a year-less stamp
    comes first."""
    clock = Clock(tz=options.tz)
    for _ in _records(head, detection, clock, "", "", True, SourceStats(Source("", None))):
        if clock.first_stated_year is not None:
            break
    return clock.first_stated_year


def _finish(record: Record, continuation: list[str], stats: SourceStats) -> Record:
    """Join continuation lines and account for the record."""
    if continuation:
        while continuation and not continuation[-1].strip():
            continuation.pop()
        if continuation:
            joined = "\n".join(continuation)
            # a first line with no text of its own (`<![LOG[`, JUL's time and source line)
            record.message = f"{record.message}\n{joined}" if record.message else joined
            if record.level is None:
                record.level = infer_level(record.message)
    stats.records += 1
    key = (record.service, record.level)
    tally = stats.tally
    tally[key] = tally.get(key, 0) + 1
    when = record.timestamp
    if when is not None:
        stats.timestamped += 1
        if stats.first is None or when < stats.first:
            stats.first = when
        if stats.last is None or when > stats.last:
            stats.last = when
    return record


class OpenedSources:
    """Everything read from a set of paths: a parser per source (with its stats) and the
    warnings met while discovering them."""

    def __init__(self, sources: Sequence[Source], options: ParseOptions, warnings: list[str]):
        self.options = options
        self.warnings = warnings
        self.parsers = [
            SourceParser(source, options, day_hint=self._day_hint_for(source)) for source in sources
        ]
        self._first_days: dict[Source, date | None] = {}
        # For the day hints: the sources whose first date is not read yet (the next one last),
        # and the two earliest first dates read, of different sources.
        self._unread: list[Source] | None = None
        self._earliest: list[tuple[date, Source]] = []

    def records(self) -> Iterator[Record]:
        """All records, source after source, each source in file order."""
        for parser in self.parsers:
            yield from parser

    @property
    def stats(self) -> list[SourceStats]:
        return [parser.stats for parser in self.parsers]

    def _day_hint_for(self, source: Source) -> Callable[[], date | None]:
        """Time-only stamps (`14:02:03.118 [main] ERROR ...`) take the date of the other
        sources: the earliest first date among them, read from their first records."""

        def hint() -> date | None:
            return self._earliest_day(besides=source)

        return hint

    def _earliest_day(self, besides: Source) -> date | None:
        """The earliest first date of the sources other than `besides`. Each source's first
        date is read once, and only the two earliest are kept: the hints of all the sources
        take one pass over them (going over every other source for each hint was quadratic, 25
        million look-ups for a 5,000-file directory). A source is never read for its own hint."""
        if self._unread is None:
            self._unread = [parser.source for parser in reversed(self.parsers)]
        unread, skipped = self._unread, None
        while unread:
            other = unread.pop()
            if other is besides:
                skipped = other
                continue
            day = self._first_day(other)
            if day is not None and all(known is not other for _, known in self._earliest):
                self._earliest = sorted([*self._earliest, (day, other)], key=lambda e: e[0])[:2]
        if skipped is not None:
            unread.append(skipped)
        return next((day for day, known in self._earliest if known is not besides), None)

    def _first_day(self, source: Source) -> date | None:
        if source not in self._first_days:
            self._first_days[source] = None
            if source.path is not None:  # stdin cannot be read twice
                peek = SourceParser(source, self.options)
                for record in islice(peek, SAMPLE_LINES):
                    if record.timestamp is not None:
                        self._first_days[source] = record.timestamp.date()
                        break
        return self._first_days[source]


def open_paths(paths: Sequence[str], options: ParseOptions | None = None) -> OpenedSources:
    """Discover the sources behind `paths` and prepare a parser for each (nothing is read yet,
    beyond the first bytes of files found in directories, to skip binaries)."""
    options = options or ParseOptions()
    found = discover(paths)
    return OpenedSources(found.sources, options, found.warnings)


def parse_paths(paths: Sequence[str], options: ParseOptions | None = None) -> list[Record]:
    """Convenience for the Python API and tests: every record of every source, in a list."""
    return list(open_paths(paths, options).records())


def parse_lines(
    lines: Sequence[str],
    file: str,
    service: str,
    options: ParseOptions | None = None,
    detection: Detection | None = None,
) -> Iterator[Record]:
    """Records from lines that did not come from a file (a Loki stream, a search hit), with
    the same detection, multi-line joining and normalisation; `file` names them in evidence
    and `service` is their service unless a record names its own."""
    options = options or ParseOptions()
    head = list(lines[:SAMPLE_LINES])
    if detection is None:
        from .formats.detect import detect

        detection = detect(head, options.format)
    found = detection
    stats = SourceStats(Source(file, None))
    clock = Clock(
        tz=options.tz,
        year=options.year,
        day=options.day,
        year_hint=lambda: stated_year(head, found, options),
    )
    yield from _records(lines, found, clock, file, service, False, stats)
