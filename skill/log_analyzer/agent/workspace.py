"""The workspace of one conversation: sources parsed once, then asked many questions.

A model calls tools many times in a conversation ("group the errors", "now the Redis log for
the same window", "read those lines"). Parsing the logs again for each call would cost
seconds every turn, so the records of the loaded sources stay in memory here, and the
investigation of each (window, service) the model asks about is computed once.

Records in memory cost about five times the log's size, so past `RESIDENT_BYTES` of logs a
conversation keeps only the sources' statistics (read through the on-disk index, on every
core) and streams the records again for the few tools that need them (`search_logs`,
`count_per_minute`, a narrowed investigation): bounded memory on a 10 GB incident.
"""

from __future__ import annotations

import bisect
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..analysis.investigate import investigate, investigate_records, read_sources
from ..analysis.report import Investigation
from ..analysis.service_names import ServiceNames
from ..errors import SourceError
from ..filters import RecordFilter
from ..index import IndexStore
from ..ingest import ParseOptions, SourceParser, open_paths
from ..models import SourceSummary
from ..records import Record
from ..remote.uri import is_remote
from .roots import AllowedRoots, PathRefused

RESIDENT_BYTES = 64 << 20  # logs up to this size are held in memory as records


@dataclass
class LoadedSource:
    """One source, with its summary; its records in memory, or None when they are streamed
    from the file on demand."""

    path: Path  # resolved (for a remote source, its URI as a key)
    summary: SourceSummary
    records: list[Record] | None
    remote: bool = False


@dataclass
class LoadResult:
    loaded: list[SourceSummary] = field(default_factory=list)
    already_loaded: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


InvestigationKey = tuple[datetime | None, datetime | None, tuple[str, ...], int]


class Workspace:
    """Sources loaded by one conversation, checked against the allowed roots."""

    def __init__(
        self,
        roots: AllowedRoots,
        options: ParseOptions | None = None,
        bucket_seconds: int = 60,
        store: IndexStore | None = None,
    ) -> None:
        self.roots = roots
        self.store = store
        self.options = options or ParseOptions()
        self.bucket_seconds = bucket_seconds
        self.sources: dict[Path, LoadedSource] = {}
        # the length of a "minute" for monitor_logs: 60 s; LOG_ANALYZER_MINUTE_SECONDS makes
        # it shorter for demos and tests of a whole session (an MCP server in a subprocess)
        self.monitor_interval = _minute_seconds()
        self._investigations: dict[InvestigationKey, Investigation] = {}
        # what tools derive from all the records (grounding's time index), until the next load
        self.derived: dict[str, object] = {}

    def load(self, paths: Sequence[str]) -> LoadResult:
        """Parse the sources behind `paths` that are not loaded yet. Every path, and every
        file found under a directory or by a glob, must resolve inside the allowed roots."""
        result = LoadResult()
        remotes = [text for text in paths if is_remote(text)]
        paths = [text for text in paths if not is_remote(text)]
        for text in remotes:
            self.roots.check_remote(text)
            key = Path(text)
            if key in self.sources:
                result.already_loaded.append(text)
                continue
            loaded = load_remote(text)
            self.sources[key] = loaded
            result.loaded.append(loaded.summary)
        if not paths:
            if result.loaded:
                self._forget()
            return result
        for text in paths:
            if any(c in text for c in "*?["):
                self.roots.check_glob(text)
            else:
                self.roots.check(text)
        found = open_paths(paths, self.options)
        result.warnings.extend(found.warnings)
        fresh = []
        for parser in found.parsers:
            source = parser.source
            if source.path is None:
                raise SourceError("standard input cannot be loaded by a tool")
            resolved = self.roots.check(str(source.path))
            if resolved in self.sources:
                result.already_loaded.append(source.display)
                continue
            fresh.append((resolved, parser))
        size = sum(os.path.getsize(resolved) for resolved, _ in fresh)
        if size > RESIDENT_BYTES:
            self._load_streamed(fresh, result)
        for resolved, parser in fresh if size <= RESIDENT_BYTES else []:
            records = list(parser)
            summary = SourceSummary.from_stats(parser.stats)
            self.sources[resolved] = LoadedSource(resolved, summary, records)
            result.loaded.append(summary)
            result.warnings.extend(parser.stats.warnings)
        if result.loaded:
            self._forget()
        return result

    def _forget(self) -> None:
        self._investigations.clear()
        self.derived.clear()

    def _load_streamed(self, fresh: list[tuple[Path, SourceParser]], result: LoadResult) -> None:
        """Statistics only (through the index when there is one); records stay on disk."""
        displays = [parser.source.display for _, parser in fresh]
        read, _ = read_sources(displays, self.options, store=self.store)
        for (resolved, _), parser in zip(fresh, read.parsers, strict=True):
            summary = SourceSummary.from_stats(parser.stats)
            self.sources[resolved] = LoadedSource(resolved, summary, None)
            result.loaded.append(summary)
            result.warnings.extend(parser.stats.warnings)

    def reset(self) -> None:
        self.sources.clear()
        self._forget()

    def service_names(self) -> ServiceNames:
        """The loaded services' names (computed once per load)."""
        names = self.derived.get("service_names")
        if not isinstance(names, ServiceNames):
            names = ServiceNames(self.services)
            self.derived["service_names"] = names
        return names

    def span(self) -> tuple[datetime | None, datetime | None]:
        """The oldest and the newest record of the loaded logs."""
        firsts = [s.first for s in self.summaries if s.first is not None]
        lasts = [s.last for s in self.summaries if s.last is not None]
        return (min(firsts) if firsts else None, max(lasts) if lasts else None)

    @property
    def summaries(self) -> list[SourceSummary]:
        return [loaded.summary for loaded in self.sources.values()]

    @property
    def services(self) -> list[str]:
        names: set[str] = set()
        for summary in self.summaries:
            names.update(summary.services)
            names.add(summary.service)
        return sorted(names)

    def records(self) -> Iterator[Record]:
        for loaded in self.sources.values():
            yield from self.records_of(loaded)

    def records_of(self, loaded: LoadedSource) -> Iterator[Record]:
        """A source's records: from memory, or parsed again from its file."""
        if loaded.records is not None:
            return iter(loaded.records)
        return open_paths([loaded.summary.file], self.options).records()

    @property
    def streamed(self) -> bool:
        return any(loaded.records is None for loaded in self.sources.values())

    def require_sources(self) -> None:
        if not self.sources:
            raise SourceError("no logs loaded yet: call parse_logs with the paths first")

    def investigation(self, keep: RecordFilter | None = None) -> Investigation:
        """The investigation of the loaded records inside `keep` (computed once per filter)."""
        self.require_sources()
        keep = keep or RecordFilter()
        key = (keep.since, keep.until, tuple(sorted(keep.services)), self.bucket_seconds)
        cached = self._investigations.get(key)
        local = all(not loaded.remote for loaded in self.sources.values())
        if cached is None and local and (self.streamed or self.store is not None):
            # files only: the whole window comes from the on-disk index (what an earlier
            # run found; only new lines are parsed), a narrowed one from a streamed pass
            files = [loaded.summary.file for loaded in self.sources.values()]
            if not keep.narrows and self.store is not None:
                cached = investigate(files, self.options, self.bucket_seconds, store=self.store)
            elif self.streamed:
                cached = investigate(
                    files, self.options, self.bucket_seconds, keep if keep.narrows else None
                )
        if cached is not None:
            self._investigations[key] = cached
        if cached is None:
            cached = investigate_records(
                self.records(),
                self.summaries,
                self.bucket_seconds,
                keep if keep.narrows else None,
            )
            self._investigations[key] = cached
        return cached

    def record_at(self, file: str, line: int) -> Record | None:
        """The record that starts at `file:line`, when its source is held in memory."""
        for loaded in self.sources.values():
            if loaded.summary.file != file or loaded.records is None:
                continue
            records = loaded.records
            index = bisect.bisect_left(records, line, key=lambda record: record.line)
            if index < len(records) and records[index].line == line:
                return records[index]
        return None

    def first_line(self, file: str, line: int, text: str) -> str:
        """The first line of the record at `file:line` whole, when `text` is the start of it
        (the analysis keeps examples cut at a fixed width) and its source is in memory; `text`
        otherwise. A cut may fall inside a secret, and what is left of it is no longer
        recognisable: the tools redact the whole line, then cut it themselves."""
        record = self.record_at(file, line)
        if record is None:
            return text
        whole = record.message.split("\n", 1)[0]
        return whole if whole.startswith(text) else text

    def source_for(self, text: str) -> LoadedSource | None:
        """The loaded source a model's path names: as displayed, or resolved."""
        for loaded in self.sources.values():
            if loaded.summary.file == text:
                return loaded
        try:
            resolved = self.roots.check(text)
        except PathRefused:
            return None
        return self.sources.get(resolved)


def _minute_seconds() -> float:
    try:
        value = float(os.environ.get("LOG_ANALYZER_MINUTE_SECONDS", "60"))
    except ValueError:
        return 60.0
    return value if value > 0 else 60.0


REMOTE_WARNING_SAMPLE = 2_000
REMOTE_OPERATIONAL = 200


def load_remote(uri: str) -> LoadedSource:
    """A remote engine's records for a conversation: every error, a sample of warnings and
    the few operational events; the engine counts the rest (the summary's records)."""
    from ..analysis.events import OPERATIONAL_WORDS
    from ..remote import QueryScope, open_remote

    source = open_remote(uri)
    window = QueryScope(None, None)
    rates = source.rates(window, 3600)
    records = sorted(
        [
            *source.records(window, "error"),
            *source.sample(window, "warning", REMOTE_WARNING_SAMPLE),
            *source.operational(window, OPERATIONAL_WORDS, REMOTE_OPERATIONAL),
        ],
        key=lambda r: (r.timestamp is None, r.timestamp, r.service),
    )
    services: dict[str, int] = {}
    for row in rates:
        services[row.service] = services.get(row.service, 0) + row.records
    errors = sum(row.errors for row in rates)
    warnings = sum(row.warnings for row in rates)
    summary = SourceSummary(
        file=source.display,
        format="remote",
        service=max(services, key=lambda s: services[s]) if services else "",
        services=services,
        first=min((row.first for row in rates), default=None),
        last=max((row.last for row in rates), default=None),
        records=sum(services.values()),
        lines=0,
        unparsed=0,
        timestamped=sum(services.values()),
        levels={"error": errors, "warning": warnings},
        formats={},
        bytes=source.traffic.bytes,
        compression=None,
        warnings=[
            f"held in the engine: {len(records):,} records fetched (every error, up to "
            f"{REMOTE_WARNING_SAMPLE:,} warnings, operational events); counts come from the "
            "engine"
        ],
    )
    return LoadedSource(Path(uri), summary, records, remote=True)
