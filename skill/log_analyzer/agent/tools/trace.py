"""`trace_request`: one request followed across services by the id its records share.

One pass over the loaded records indexes every request and trace id they carry (the ids
`analysis.skew.request_ids` reads: fields, `[app,trace,span]` blocks, `traceparent`, oslo's
`[req-...]`, `request_id=` in text) with each id's records and a summary; the index is kept
in `workspace.derived` until the next load. Records are put on one clock with the skew the
investigation measured (since/until are read on that clock too); a stamp in whole seconds
(an access log's) is ordered at the end of its second, so that it comes first only when it
did. For logs streamed from disk (too big for memory) the index holds the summaries only,
and the records of a traced id are read again in one pass.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import chain, islice

from pydantic import BaseModel, Field

from ...analysis.skew import MAX_IDS, corrected, request_ids
from ...errors import OptionError
from ...filters import RecordFilter
from ...levels import RANK
from ...mining.requests import request_level
from ...records import Record
from ..workspace import Workspace
from .base import ServiceWindow, TimeWindow, cite, clip
from .fields import shown_fields

INDEX_KEY = "trace_request"
MIN_PREFIX = 8  # characters of an id given by its start
MAX_LISTED = 5  # requests listed when no id is given, or suggested for an unknown one
TRACE_TEXT = 300  # characters of a traced record's message
PEEK = 256  # records read to tell whether a source stamps fractions of a second
WHOLE_SECOND = 0.999  # where in its second a whole-second stamp is ordered
_ERROR = RANK["error"]

# (when it is ordered: epoch seconds on the reference clock, place in the pass, record)
Entry = tuple[float | None, int, Record]


class TraceInput(TimeWindow):
    id: str | None = Field(
        None,
        description="Trace/request id or its first 8+ chars; omit to list failing requests.",
    )
    limit: int = Field(30, ge=1, le=500, description="Most records, earliest first.")


class TracedRecord(BaseModel):
    time: datetime | None  # as the log wrote it
    corrected: datetime | None = None  # on the reference clock, when the skew moved it
    service: str
    level: str | None
    at: str
    text: str
    fields: dict[str, str] | None = None  # the record's key fields (redacted)


class TraceBrief(BaseModel):
    id: str
    services: list[str]
    records: int
    first_error: str | None  # "service at file:line"
    start: datetime | None


class TraceOutput(BaseModel):
    id: str | None = None  # the id traced (several when a prefix named truncations of one)
    services: list[str] | None = None  # in order of first appearance
    first_error: str | None = None  # "service at file:line"
    duration_seconds: float | None = None
    records_total: int | None = None  # when more than limit
    records: list[TracedRecord] | None = None
    traces: list[TraceBrief] | None = None  # without an id: requests worth tracing


def trace_request(workspace: Workspace, request: TraceInput) -> TraceOutput:
    """Follow one request: every record sharing its trace/request id across services, on
    skew-corrected clocks, with file:line; the services in order, the first error, the
    duration. No id: failing requests worth tracing (investigate's example_trace is one)."""
    workspace.require_sources()
    report = workspace.investigation()
    clock = _Clock(report.skew_seconds, report.service_aliases)
    index = _index(workspace, clock)
    keep = ServiceWindow(since=request.since, until=request.until, service=None).record_filter()
    if request.id is None:
        return TraceOutput(traces=index.worth_tracing(keep, MAX_LISTED))
    wanted = request.id.strip().lower()
    ids, found = index.resolve(wanted), index
    if not ids and not index.complete:  # past the ids a streamed index keeps: one more pass
        found = _scan(workspace, clock, lambda key: _matches(key, wanted))
        ids = found.resolve(wanted)
    if not ids:
        raise OptionError(_unknown(request.id, index))
    entries = _records_of(workspace, clock, found, ids)
    kept = [entry for entry in entries if _inside(clock.seconds(entry[2]), keep)]
    if not kept:
        raise OptionError(
            f"id {request.id!r}: its {len(entries)} records all lie outside since/until"
        )
    return _trace(" ".join(found.display(key) for key in ids), kept, request.limit, clock)


# --- the index --------------------------------------------------------------------------------


@dataclass
class _Clock:
    """Times on the reference clock: the investigation's skew, by service identity."""

    skew: Mapping[str, float]
    aliases: Mapping[str, list[str]]
    identity: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.identity = {old: name for name, olds in self.aliases.items() for old in olds}

    def seconds(self, record: Record) -> float | None:
        if record.timestamp is None:
            return None
        service = self.identity.get(record.service, record.service)
        return corrected(record.timestamp, service, self.skew)


@dataclass
class _Summary:
    """One id: its services (-> earliest corrected time), record count, earliest error."""

    shown: str  # the id as the logs write it
    services: dict[str, float] = field(default_factory=dict)
    count: int = 0
    start: float | None = None
    error: tuple[float, str, str, int] | None = None  # (time, service, file, line)

    def add(self, when: float | None, at: float | None, record: Record, rank: int) -> None:
        """A record ordered at `when`, stamped `at` (on the reference clock)."""
        self.count += 1
        if at is not None and (self.start is None or at < self.start):
            self.start = at
        if when is None:
            return
        seen = self.services.get(record.service)
        if seen is None or when < seen:
            self.services[record.service] = when
        if rank >= _ERROR and (self.error is None or when < self.error[0]):
            self.error = (when, record.service, record.file, record.line)

    def brief(self) -> TraceBrief:
        error = self.error
        return TraceBrief(
            id=self.shown,
            services=sorted(self.services, key=self.services.__getitem__),
            records=self.count,
            first_error=f"{error[1]} at {cite(error[2], error[3])}" if error else None,
            start=_at(self.start) if self.start is not None else None,
        )


@dataclass
class _Index:
    """Lower-cased id -> its summary, and its records when they are held."""

    summaries: dict[str, _Summary] = field(default_factory=dict)
    records: dict[str, list[Entry]] = field(default_factory=dict)
    complete: bool = True  # every id has a summary (False past MAX_IDS, streamed)
    _sorted: list[str] | None = None

    def resolve(self, wanted: str) -> list[str]:
        """The ids `wanted` names: itself, or those it starts (8+ characters) when they are
        truncations of one id; an ambiguous prefix is an error."""
        if wanted in self.summaries:
            return [wanted]
        if len(wanted) < MIN_PREFIX:
            return []
        if self._sorted is None:
            self._sorted = sorted(self.summaries)
        start = bisect.bisect_left(self._sorted, wanted)
        found: list[str] = []
        for key in self._sorted[start:]:
            if not key.startswith(wanted):
                break
            found.append(key)
        longest = max(found, key=len, default="")
        if any(not longest.startswith(key) for key in found):
            shown = ", ".join(self.display(key) for key in found[:3])
            more = ", …" if len(found) > 3 else ""
            raise OptionError(
                f"{len(found)} ids start with {wanted!r} ({shown}{more}): give more characters"
            )
        return found

    def display(self, key: str) -> str:
        summary = self.summaries.get(key)
        return summary.shown if summary is not None else key

    def worth_tracing(self, keep: RecordFilter, limit: int) -> list[TraceBrief]:
        """Failing requests first, then those seen by the most services, earliest first."""
        since = keep.since.timestamp() if keep.since is not None else None
        until = keep.until.timestamp() if keep.until is not None else None

        def inside(summary: _Summary) -> bool:
            when = summary.error[0] if summary.error is not None else summary.start
            if when is None:
                return since is None and until is None
            return (since is None or when >= since) and (until is None or when < until)

        ranked = sorted(
            (s for s in self.summaries.values() if inside(s)),
            key=lambda s: (
                s.error is None,
                -len(s.services),
                s.error[0] if s.error is not None else (s.start or 0.0),
            ),
        )
        return [summary.brief() for summary in ranked[:limit]]


def _index(workspace: Workspace, clock: _Clock) -> _Index:
    """The workspace's index, built in one pass on first use."""
    index = workspace.derived.get(INDEX_KEY)
    if not isinstance(index, _Index):
        index = _scan(workspace, clock, None if workspace.streamed else _every)
        workspace.derived[INDEX_KEY] = index
    return index


def _every(key: str) -> bool:
    return True


def _scan(workspace: Workspace, clock: _Clock, hold: Callable[[str], bool] | None) -> _Index:
    """One pass over the records: a summary per id (at most MAX_IDS of them when streamed),
    and the records of the ids `hold` accepts. A record without a time is ordered at the time
    of the record before it in its source."""
    index = _Index()
    summaries, held = index.summaries, index.records
    bounded = workspace.streamed
    place = 0
    for loaded in workspace.sources.values():
        previous: float | None = None
        fine, records = _resolution(workspace.records_of(loaded))
        late = 0.0 if fine else WHOLE_SECOND
        for record in records:
            place += 1
            ids = request_ids(record.message, record.fields)
            at = clock.seconds(record)
            when = previous if at is None else at + late
            previous = when
            if not ids:
                continue
            level = record.level if record.level is not None else request_level(record)
            rank = RANK[level] if level is not None else 0
            for shown in ids:
                key = shown.lower()
                summary = summaries.get(key)
                if summary is None:
                    if bounded and len(summaries) >= MAX_IDS:
                        index.complete = False
                        if hold is None or not hold(key):
                            continue
                    summary = summaries[key] = _Summary(shown)
                summary.add(when, at, record, rank)
                if hold is not None and hold(key):
                    held.setdefault(key, []).append((when, place, record))
    return index


def _resolution(records: Iterator[Record]) -> tuple[bool, Iterator[Record]]:
    """Whether a source's stamps carry fractions of a second (from its first records), and
    its records, all of them."""
    head = list(islice(records, PEEK))
    fine = any(r.timestamp is not None and r.timestamp.microsecond for r in head)
    return fine, chain(head, records)


def _matches(key: str, wanted: str) -> bool:
    return key == wanted or (len(wanted) >= MIN_PREFIX and key.startswith(wanted))


def _records_of(workspace: Workspace, clock: _Clock, index: _Index, ids: list[str]) -> list[Entry]:
    """The records of `ids` in the order of the pass, each once: held by the index, or read
    again in one pass (streamed logs; kept until the next load)."""
    held = index.records
    missing = [key for key in ids if key not in held]
    if missing:
        cache_key = f"{INDEX_KEY}:{' '.join(missing)}"
        found = workspace.derived.get(cache_key)
        if not isinstance(found, _Index):
            found = _scan(workspace, clock, set(missing).__contains__)
            workspace.derived[cache_key] = found
        held = {**held, **found.records}
    entries = {entry[1]: entry for key in ids for entry in held.get(key, [])}
    return sorted(entries.values(), key=lambda entry: entry[1])


def _inside(at: float | None, keep: RecordFilter) -> bool:
    """Whether a time on the reference clock lies in the window (no time: it may)."""
    if at is None:
        return True
    since, until = keep.since, keep.until
    return (since is None or at >= since.timestamp()) and (until is None or at < until.timestamp())


# --- the result -------------------------------------------------------------------------------


def _trace(shown: str, entries: list[Entry], limit: int, clock: _Clock) -> TraceOutput:
    """The records in corrected time order (ties keep the order of the pass), summarised."""
    ordered = sorted(
        entries, key=lambda entry: (float("-inf") if entry[0] is None else entry[0], entry[1])
    )
    services: list[str] = []
    first_error: str | None = None
    stamped: list[tuple[float | None, Record]] = []
    for _, _, record in ordered:
        stamped.append((clock.seconds(record), record))
        if record.service not in services:
            services.append(record.service)
        if first_error is None and _rank(record) >= _ERROR:
            first_error = f"{record.service} at {cite(record.file, record.line)}"
    times = [at for at, _ in stamped if at is not None]
    return TraceOutput(
        id=shown,
        services=services,
        first_error=first_error,
        duration_seconds=round(max(times) - min(times), 3) if times else None,
        records_total=len(ordered) if len(ordered) > limit else None,
        records=[_traced(at, record) for at, record in stamped[:limit]],
    )


def _traced(at: float | None, record: Record) -> TracedRecord:
    """A record for the result; `at` its time on the reference clock."""
    moved = (
        at is not None
        and record.timestamp is not None
        and abs(at - record.timestamp.timestamp()) > 1e-6
    )
    return TracedRecord(
        time=record.timestamp,
        corrected=_at(at) if moved and at is not None else None,
        service=record.service,
        level=record.level if record.level is not None else request_level(record),
        at=cite(record.file, record.line),
        text=clip(record.message, TRACE_TEXT),
        fields=shown_fields(record.fields),
    )


def _rank(record: Record) -> int:
    level = record.level if record.level is not None else request_level(record)
    return RANK[level] if level is not None else 0


def _unknown(given: str, index: _Index) -> str:
    """An id no record carries, with ids that are worth tracing."""
    briefs = index.worth_tracing(RecordFilter(), 3)
    if not briefs:
        return f"no record carries the id {given!r}, nor any request or trace id"
    hint = "" if len(given) >= MIN_PREFIX else f" (a prefix needs {MIN_PREFIX}+ characters)"
    listed = "; ".join(
        f"{b.id} ({len(b.services)} services"
        + (f", first error in {b.first_error})" if b.first_error else ")")
        for b in briefs
    )
    return f"no record carries the id {given!r}{hint}; requests to trace: {listed}"


def _at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)
