"""The tools: typed functions over the analysis, each with a description written for a model.

Every tool takes a pydantic input model and returns a pydantic output model. The registry
(`registry.py`) turns these into the Anthropic, OpenAI and MCP schemas, validates the model's
arguments, renders results compactly within a token budget, and marks log text as untrusted.
Descriptions say when to use the tool, what it returns and how to narrow the next call.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, Literal

import regex as regex_engine
from pydantic import BaseModel, ConfigDict, Field

from ..analysis.report import FirstFailure
from ..errors import OptionError
from ..filters import RecordFilter, parse_time_bound
from ..levels import at_least
from ..records import Record
from ..sources.reader import LineReader
from .workspace import Workspace

Level = Literal["trace", "debug", "info", "notice", "warning", "error", "critical", "fatal"]
MAX_TEXT = 400  # characters of one log message in a result
MAX_READ_LINES = 200
SEARCH_TIMEOUT_SECONDS = 0.05  # per record: a model's regex must not hang the tool


class ToolInput(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TimeWindow(ToolInput):
    """The time window most tools take."""

    since: str | None = Field(
        None,
        description="Start of the window: ISO 8601 (2026-11-28T14:00:00Z) or a duration "
        "before now (30m, 2h).",
    )
    until: str | None = Field(None, description="End of the window, same forms as since.")


class Window(TimeWindow):
    """The time window and a service: the filters most tools share."""

    service: str | None = Field(
        None, description="Only this service (a name from parse_logs' `service` columns)."
    )

    def record_filter(self) -> RecordFilter:
        return RecordFilter(
            since=parse_time_bound(self.since, "since") if self.since else None,
            until=parse_time_bound(self.until, "until") if self.until else None,
            services=(self.service,) if self.service else (),
        )


def _clip(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[:limit] + f"… (+{len(text) - limit} chars)"


def _at(record_file: str, line: int) -> str:
    return f"{record_file}:{line}"


# --- parse_logs -------------------------------------------------------------------------------


class ParseLogsInput(ToolInput):
    paths: list[str] = Field(
        description="Files, directories (read recursively), or globs to load. Paths must lie "
        "inside the allowed roots (the paths the user gave, the current directory, /var/log).",
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


# --- group_errors -----------------------------------------------------------------------------


class GroupErrorsInput(Window):
    min_level: Level = Field("warning", description="Lowest level grouped.")
    limit: int = Field(20, ge=1, le=200, description="Most groups returned, largest first.")


class GroupBrief(BaseModel):
    id: str
    label: str
    service: str
    level: str
    count: int
    first_seen: datetime | None
    last_seen: datetime | None
    at: str  # file:line of an example
    example: str
    kind: Literal["chronic", "novel", "surging", "steady"]


class GroupErrorsOutput(BaseModel):
    groups_total: int
    groups: list[GroupBrief]


def group_errors(workspace: Workspace, request: GroupErrorsInput) -> GroupErrorsOutput:
    """The distinct error types in the loaded logs, largest first: a label, count, first and
    last seen, service, an example with file:line, and whether the group is chronic (present
    at the same rate before the incident: noise, not the cause), novel or surging. Use it to
    see what is failing. Narrow with since/until/service or min_level=error."""
    report = workspace.investigation(request.record_filter())
    groups = [g for g in report.error_groups if at_least(g.level, request.min_level)]
    briefs = [
        GroupBrief(
            id=g.id,
            label=g.label,
            service=g.service,
            level=g.level,
            count=g.count,
            first_seen=g.first_seen,
            last_seen=g.last_seen,
            at=_at(g.example.file, g.example.line),
            example=_clip(g.example.text),
            kind="chronic"
            if g.chronic
            else "novel"
            if g.novel
            else "surging"
            if g.surging
            else "steady",
        )
        for g in groups[: request.limit]
    ]
    return GroupErrorsOutput(groups_total=len(groups), groups=briefs)


# --- find_first_failure -----------------------------------------------------------------------


class FirstFailureInput(Window):
    pass


class FailureBrief(BaseModel):
    timestamp: datetime
    service: str
    at: str
    label: str
    group_id: str
    text: str


class FirstFailureOutput(BaseModel):
    trend: str
    onset: datetime | None
    first_failure: FailureBrief | None
    early_signals: list[FailureBrief]
    root_cause: str | None


def find_first_failure(workspace: Workspace, request: FirstFailureInput) -> FirstFailureOutput:
    """The earliest event of the incident (not chronic noise that was there all along), with
    file:line, on clocks corrected for skew between services; the change point (onset) of the
    error rate; earlier warning signs; and the trend verdict (ongoing, recovering, resolved,
    no-incident). Use it to answer 'what broke first'."""
    report = workspace.investigation(request.record_filter())

    def brief(f: FirstFailure) -> FailureBrief:
        return FailureBrief(
            timestamp=f.timestamp,
            service=f.service,
            at=_at(f.file, f.line),
            label=f.label,
            group_id=f.group_id,
            text=_clip(f.text),
        )

    root = report.root_cause
    return FirstFailureOutput(
        trend=report.trend,
        onset=report.onset,
        first_failure=brief(report.first_failure) if report.first_failure else None,
        early_signals=[brief(f) for f in report.early_signals],
        root_cause=f"{root.service}: {root.summary}" if root else None,
    )


# --- merge_timelines --------------------------------------------------------------------------


class TimelineInput(Window):
    limit: int = Field(60, ge=1, le=500, description="Most events returned, earliest first.")


class TimelineEntry(BaseModel):
    timestamp: datetime
    service: str
    kind: str
    event: str
    at: str | None


class TimelineOutput(BaseModel):
    skew_seconds: dict[str, float]  # clock offset found per service, already corrected
    events: list[TimelineEntry]


def merge_timelines(workspace: Workspace, request: TimelineInput) -> TimelineOutput:
    """One timeline across all loaded services, in UTC, with clock skew between services
    measured (from shared request ids) and corrected: first errors, spikes, peaks, drops,
    recoveries, restarts, deploys, config changes and alerts, each with file:line. Use it to
    see the order of events across services."""
    report = workspace.investigation(request.record_filter())
    events = [
        TimelineEntry(
            timestamp=e.timestamp,
            service=e.service,
            kind=e.kind,
            event=_clip(e.event, 200),
            at=_at(e.file, e.line) if e.file and e.line else None,
        )
        for e in report.timeline[: request.limit]
    ]
    return TimelineOutput(skew_seconds=report.skew_seconds, events=events)


# --- count_per_minute -------------------------------------------------------------------------


class CountInput(Window):
    bucket_seconds: int = Field(60, ge=1, le=86400, description="Bucket width in seconds.")
    min_level: Level = Field("error", description="Count records at this level and above.")


class CountOutput(BaseModel):
    bucket_seconds: int
    min_level: str
    services: list[str]
    rows: list[str]  # "2026-11-28T14:02:00Z 17 3 14": bucket start, total, then per service
    buckets: int
    peak: str | None
    trend: str


def count_per_minute(workspace: Workspace, request: CountInput) -> CountOutput:
    """Records per time bucket (default one minute, any width) and per service, at min_level
    and above (default error): the error rate over time. Empty buckets are kept so gaps show.
    Rows read `bucket-start total per-service...` in the order of `services`. Also returns the
    trend verdict. Narrow the window with since/until for finer buckets."""
    workspace.require_sources()
    keep = request.record_filter()
    width = request.bucket_seconds
    counts: dict[tuple[int, str], int] = {}
    services: set[str] = set()
    for record in _kept(workspace.records(), keep):
        if record.timestamp is None or not at_least(record.level, request.min_level):
            continue
        key = (int(record.timestamp.timestamp() // width), record.service)
        counts[key] = counts.get(key, 0) + 1
        services.add(record.service)
    order = sorted(services)
    rows: list[str] = []
    peak: tuple[int, str] | None = None
    if counts:
        first = min(k[0] for k in counts)
        last = max(k[0] for k in counts)
        for bucket in range(first, last + 1):
            per = [counts.get((bucket, s), 0) for s in order]
            stamp = _utc_stamp(bucket * width)
            total = sum(per)
            rows.append(" ".join([stamp, str(total), *map(str, per)]))
            if peak is None or total > peak[0]:
                peak = (total, stamp)
    report = workspace.investigation(keep)
    return CountOutput(
        bucket_seconds=width,
        min_level=request.min_level,
        services=order,
        rows=rows,
        buckets=len(rows),
        peak=f"{peak[1]} ({peak[0]})" if peak else None,
        trend=report.trend,
    )


def _utc_stamp(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _kept(records: Iterable[Record], keep: RecordFilter) -> Iterator[Record]:
    return keep(records) if keep.narrows else iter(records)


# --- correlate_services -----------------------------------------------------------------------


class CorrelateInput(TimeWindow):
    pass


class StepBrief(BaseModel):
    service: str
    onset: datetime
    label: str
    caused_by: str | None
    confidence: float
    evidence: list[str]


class HypothesisBrief(BaseModel):
    service: str
    label: str
    summary: str
    confidence: float
    evidence: list[str]  # file:line


class CorrelateOutput(BaseModel):
    cascade: list[StepBrief]
    hypotheses: list[HypothesisBrief]
    skew_seconds: dict[str, float]


def correlate_services(workspace: Workspace, request: CorrelateInput) -> CorrelateOutput:
    """How the failure spread across services: the cascade (each service's incident onset, the
    earlier service its errors name or follow, a confidence), and the ranked root-cause
    hypotheses with file:line evidence. Use it for 'why' and 'what caused what'."""
    window = Window(since=request.since, until=request.until, service=None)
    report = workspace.investigation(window.record_filter())
    root = report.root_cause
    hypotheses = root.hypotheses if root else []
    return CorrelateOutput(
        cascade=[
            StepBrief(
                service=s.service,
                onset=s.onset,
                label=s.label,
                caused_by=s.caused_by,
                confidence=s.confidence,
                evidence=[_clip(e, 200) for e in s.evidence[:3]],
            )
            for s in report.cascade
        ],
        hypotheses=[
            HypothesisBrief(
                service=h.service,
                label=h.label,
                summary=_clip(h.summary, 300),
                confidence=h.confidence,
                evidence=[_at(e.file, e.line) for e in h.evidence[:5]],
            )
            for h in hypotheses[:5]
        ],
        skew_seconds=report.skew_seconds,
    )


# --- search_logs ------------------------------------------------------------------------------


class SearchInput(Window):
    pattern: str = Field(description="Text to find (case-insensitive), or a regex if regex=true.")
    regex: bool = Field(False, description="Treat pattern as a regular expression.")
    min_level: Level | None = Field(None, description="Only records at this level and above.")
    context: int = Field(0, ge=0, le=10, description="Records shown before and after each hit.")
    limit: int = Field(30, ge=1, le=200, description="Most hits returned, in file order.")


class Hit(BaseModel):
    at: str
    timestamp: datetime | None
    service: str
    level: str | None
    text: str
    before: list[str] = Field(default_factory=list)
    after: list[str] = Field(default_factory=list)


class SearchOutput(BaseModel):
    matches_total: int
    hits: list[Hit]


def search_logs(workspace: Workspace, request: SearchInput) -> SearchOutput:
    """Find records whose text matches, in every loaded source (lines the parser could not
    read included), with file:line, time, service, level and optional context records. Use it
    to check a hypothesis ('any OOM in redis before 14:02?'). Narrow with since/until/service,
    min_level, or a more specific pattern when there are too many hits."""
    workspace.require_sources()
    try:
        pattern = regex_engine.compile(
            request.pattern if request.regex else regex_engine.escape(request.pattern),
            regex_engine.IGNORECASE,
        )
    except regex_engine.error as error:
        raise OptionError(f"pattern {request.pattern!r}: invalid regex ({error})") from None
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
            matched = _search(pattern, record, request.pattern) if _passes(record, keep) else None
            if matched is not None:
                total += 1
                if len(hits) < request.limit:
                    # in a multi-line record (a stack trace), cite the line that matched
                    offset = record.message.count("\n", 0, matched.start())
                    hit = Hit(
                        at=_at(record.file, min(record.line + offset, record.end_line)),
                        timestamp=record.timestamp,
                        service=record.service,
                        level=record.level,
                        text=_clip(record.message),
                        before=[_brief(r) for r in before],
                    )
                    hits.append(hit)
                    if span:
                        waiting.append(hit)
            if span:
                before.append(record)
    return SearchOutput(matches_total=total, hits=hits)


def _search(pattern: Any, record: Record, text: str) -> Any:
    """The match in a record's text, or None; a pattern too slow to match is an error."""
    try:
        return pattern.search(record.message, timeout=SEARCH_TIMEOUT_SECONDS)
    except TimeoutError:
        raise OptionError(
            f"pattern {text!r}: too slow to match (catastrophic backtracking); use a simpler "
            "pattern"
        ) from None


def _passes(record: Record, keep: RecordFilter) -> bool:
    return any(True for _ in keep((record,)))


def _brief(record: Record) -> str:
    return f"{record.line}: {_clip(record.message, 200)}"


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
    lines: list[str] = []
    more = False
    for number, text in enumerate(LineReader(path).lines(), 1):
        if number > end:
            more = True
            break
        if number >= request.start:
            lines.append(f"{number}: {_clip(text, 1000)}")
    last = request.start + len(lines) - 1 if lines else request.start - 1
    return ReadLinesOutput(file=request.path, start=request.start, end=last, lines=lines, more=more)


# --- suggest_fixes ----------------------------------------------------------------------------


class FixesInput(Window):
    group_id: str | None = Field(
        None, description="Only fixes for this error group (an id from group_errors)."
    )


class Fix(BaseModel):
    action: str
    why: str
    signature: str
    group_id: str | None


class FixesOutput(BaseModel):
    fixes: list[Fix]


def suggest_fixes(workspace: Workspace, request: FixesInput) -> FixesOutput:
    """What to do now, most urgent first, from a knowledge base of known failure signatures
    matched against the incident's error groups (closest to the root cause first), each with
    why and the evidence. Pass group_id to get fixes for one error group."""
    report = workspace.investigation(request.record_filter())
    recommendations = report.recommendations
    if request.group_id is not None:
        from ..knowledge.match import match

        group = next((g for g in report.error_groups if g.id == request.group_id), None)
        if group is None:
            raise OptionError(f"no error group {request.group_id!r}; ids come from group_errors")
        recommendations = [r for r in recommendations if r.group_id == group.id]
        if not recommendations:
            from ..knowledge.match import group_text

            return FixesOutput(
                fixes=[
                    Fix(action=m.actions[0], why=m.why, signature=m.signature, group_id=group.id)
                    for m in match(group_text(group))
                    if m.actions
                ]
            )
    return FixesOutput(
        fixes=[
            Fix(action=r.action, why=r.why, signature=r.signature, group_id=r.group_id)
            for r in recommendations
        ]
    )


# --- investigate ------------------------------------------------------------------------------


class InvestigateInput(Window):
    pass


class InvestigateOutput(BaseModel):
    window: str
    records: int
    trend: str
    onset: datetime | None
    first_failure: FailureBrief | None
    root_cause: HypothesisBrief | None
    cascade: list[StepBrief]
    top_groups: list[GroupBrief]
    fixes: list[Fix]
    timeline: list[TimelineEntry]


def investigate(workspace: Workspace, request: InvestigateInput) -> InvestigateOutput:
    """Everything at once, for a first look: trend verdict, onset, first failure, root cause
    with evidence, cascade, the top error groups, what to do now and the key timeline events.
    Start here; then use the narrower tools to check or dig into one part."""
    keep = request.record_filter()
    report = workspace.investigation(keep)
    window = Window(since=request.since, until=request.until, service=request.service)
    first = find_first_failure(workspace, FirstFailureInput(**window.model_dump()))
    correlated = correlate_services(
        workspace, CorrelateInput(since=request.since, until=request.until)
    )
    groups = group_errors(workspace, GroupErrorsInput(**window.model_dump(), limit=10))
    fixes = suggest_fixes(workspace, FixesInput(**window.model_dump()))
    timeline = merge_timelines(workspace, TimelineInput(**window.model_dump(), limit=20))
    start = report.window.start.isoformat() if report.window.start else "?"
    end = report.window.end.isoformat() if report.window.end else "?"
    return InvestigateOutput(
        window=f"{start} .. {end}",
        records=report.records,
        trend=report.trend,
        onset=report.onset,
        first_failure=first.first_failure,
        root_cause=correlated.hypotheses[0] if correlated.hypotheses else None,
        cascade=correlated.cascade,
        top_groups=groups.groups,
        fixes=fixes.fixes[:5],
        timeline=timeline.events,
    )


# --- monitor_logs -----------------------------------------------------------------------------

MAX_MONITOR_MINUTES = 15


class MonitorInput(ToolInput):
    minutes: int = Field(
        5, ge=1, le=MAX_MONITOR_MINUTES, description="How long to watch (at most 15)."
    )
    settle: int = Field(
        2, ge=1, le=10, description="Minutes at baseline in a row that count as recovered."
    )
    service: str | None = Field(None, description="Only this service's errors.")


class MonitorOutput(BaseModel):
    verdict: str  # settled (back at baseline) or elevated
    summary: str
    baseline_per_minute: float
    threshold_per_minute: float
    peak: int
    last_total: int | None
    per_minute: list[str]  # "14:31:00Z 12 elevated"
    new_groups: list[str]  # "label (file:line)"
    notices: list[str]


def monitor_logs(workspace: Workspace, request: MonitorInput) -> MonitorOutput:
    """Watch the loaded log files live for the next few minutes (default 5, at most 15) and
    tell whether the error rate is back at its baseline (measured on the logs before the watch
    began): verdict `settled` (back at baseline for `settle` minutes in a row) or `elevated`,
    with errors per minute and any error group that appears for the first time. Use it after
    a fix, to answer 'is it back to normal?'. It takes as long as it watches."""
    from ..watch import monitor
    from ..watch.view import verdict_line

    workspace.require_sources()
    paths = [str(loaded.path) for loaded in workspace.sources.values() if not loaded.remote]
    if not paths:
        raise OptionError("monitor_logs follows files; the loaded sources are remote engines")
    result = monitor(
        paths,
        minutes=request.minutes,
        interval=workspace.monitor_interval,
        settle=request.settle,
        options=workspace.options,
        services=(request.service,) if request.service else (),
    )
    return MonitorOutput(
        verdict=result.verdict,
        summary=verdict_line(result),
        baseline_per_minute=round(result.baseline.median, 2),
        threshold_per_minute=round(result.baseline.threshold, 2),
        peak=result.peak,
        last_total=result.last_total,
        per_minute=[f"{b.start.strftime('%H:%M:%SZ')} {b.total} {b.state}" for b in result.buckets],
        new_groups=[f"{g.label} ({g.example.file}:{g.example.line})" for g in result.new_groups],
        notices=result.notices,
    )
