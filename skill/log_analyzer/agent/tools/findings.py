"""Tools over the investigation: error groups, the first failure, the timeline, how services
correlate, what to do now, and all of it at once (`investigate`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from ...analysis.report import FirstFailure, InvestigatedGroup, Investigation
from ...errors import OptionError
from ...filters import RecordFilter
from ...levels import at_least
from ...mining.group_models import ErrorGroup
from ...mining.groups import ErrorGrouper
from ...mining.requests import request_level
from ...records import Record
from ..workspace import Workspace
from .base import (
    Level,
    ServiceWindow,
    TimeWindow,
    cite,
    clip,
    prime_once,
)
from .fields import shown_fields


def _prime_groups(workspace: Workspace, report: Investigation) -> None:
    """Labels are made from the records of a group, and may repeat a value of them without
    the words that made it a secret (`secret_key=X` labelled `secret_key X`): the redactor
    sees those records first, so that it conceals such a value wherever a label repeats it."""

    def texts() -> Iterator[str]:
        for group in report.error_groups:
            record = workspace.record_at(group.example.file, group.example.line)
            yield record.message if record is not None else group.example.text

    prime_once(report, texts)


# --- group_errors -----------------------------------------------------------------------------


class GroupErrorsInput(ServiceWindow):
    min_level: Level = Field("warning", description="Lowest level grouped.")
    limit: int = Field(20, ge=1, le=200, description="Most groups returned, largest first.")


class GroupBrief(BaseModel):
    id: str | None = None  # an error group's (suggest_fixes takes it)
    label: str
    service: str
    level: str
    count: int
    first_seen: datetime | None
    last_seen: datetime | None
    at: str  # file:line of an example
    example: str
    fields: dict[str, str] | None = None  # the example's key fields
    kind: Literal["chronic", "novel", "surging", "steady"] | None = None  # error groups'


class GroupErrorsOutput(BaseModel):
    groups_total: int
    groups: list[GroupBrief]
    lower_groups_total: int | None = None  # with min_level below warning
    lower_groups: list[GroupBrief] | None = None


def group_errors(workspace: Workspace, request: GroupErrorsInput) -> GroupErrorsOutput:
    """The distinct error types in the loaded logs, largest first: a label, count, first and
    last seen, service, an example with file:line and key fields, and whether the group is
    chronic (present at the same rate before the incident: noise, not the cause), novel or
    surging; below warning, also lower_groups (templates of the lower records). Use it to see
    what is failing. Narrow with since/until/service or min_level=error."""
    keep = request.record_filter()
    report = workspace.investigation(keep)
    _prime_groups(workspace, report)
    groups = [g for g in report.error_groups if at_least(g.level, request.min_level)]
    lower = None
    if not at_least(request.min_level, "warning"):
        lower = _lower_groups(workspace, keep, request.min_level, report)

        def texts() -> Iterator[str]:  # what the labels are made of, as `_prime_groups`
            for group in lower or []:
                record = workspace.record_at(group.example.file, group.example.line)
                yield record.message if record is not None else group.example.text

        prime_once(lower, texts)
    shown = groups[: request.limit]
    shown_lower = (lower or [])[: request.limit]
    places = {(g.example.file, g.example.line) for g in [*shown, *shown_lower]}
    examples = _records_at(workspace, places)
    output = GroupErrorsOutput(
        groups_total=len(groups),
        groups=[_brief(workspace, g, examples, _kind(g)) for g in shown],
    )
    if lower is not None:
        output.lower_groups_total = len(lower)
        output.lower_groups = [_brief(workspace, g, examples) for g in shown_lower]
    return output


Kind = Literal["chronic", "novel", "surging", "steady"]


def _kind(group: InvestigatedGroup) -> Kind:
    if group.chronic:
        return "chronic"
    return "novel" if group.novel else "surging" if group.surging else "steady"


def _brief(
    workspace: Workspace,
    group: ErrorGroup,
    examples: dict[tuple[str, int], Record],
    kind: Kind | None = None,
) -> GroupBrief:
    """A group as the model reads it; an error group (with its kind) with its id."""
    example = group.example
    record = examples.get((example.file, example.line))
    return GroupBrief(
        id=group.id if kind is not None else None,
        label=group.label,
        service=group.service,
        level=group.level,
        count=group.count,
        first_seen=group.first_seen,
        last_seen=group.last_seen,
        at=cite(example.file, example.line),
        example=clip(workspace.first_line(example.file, example.line, example.text)),
        fields=shown_fields(record.fields) if record is not None else None,
        kind=kind,
    )


def _records_at(
    workspace: Workspace, places: set[tuple[str, int]]
) -> dict[tuple[str, int], Record]:
    """The records that start at these file:line places: from memory, or, for a streamed
    source, read again up to the last line wanted (once: kept until the next load)."""
    cache = workspace.derived.get("records_at")
    if not isinstance(cache, dict):
        cache = workspace.derived["records_at"] = {}
    found: dict[tuple[str, int], Record] = {}
    missing: dict[str, set[int]] = {}
    for file, line in places:
        record = workspace.record_at(file, line) or cache.get((file, line))
        if record is not None:
            found[file, line] = record
        elif (file, line) not in cache:
            missing.setdefault(file, set()).add(line)
    for loaded in workspace.sources.values():
        lines = missing.get(loaded.summary.file)
        if not lines or loaded.records is not None:
            continue
        for line in lines:
            cache[loaded.summary.file, line] = None  # not a record's first line, if not found
        last = max(lines)
        for record in workspace.records_of(loaded):
            if record.line in lines:
                found[record.file, record.line] = cache[record.file, record.line] = record
            if record.line >= last:
                break
    return found


def _lower_groups(
    workspace: Workspace, keep: RecordFilter, min_level: str, report: Investigation
) -> list[ErrorGroup]:
    """The template groups of the records in `keep` below warning and at `min_level` and
    above, mined as error groups are, under the services' names in `report` (once per window
    and level, until the next load)."""
    key = f"lower_groups {keep.since} {keep.until} {sorted(keep.services)} {min_level}"
    cached = workspace.derived.get(key)
    if isinstance(cached, list):
        return cached
    grouper = ErrorGrouper(min_level=min_level)
    records = workspace.records()
    for record in keep(records) if keep.narrows else records:
        if not at_least(request_level(record), "warning"):
            grouper.add(record)
    grouper.rename_services(
        {name: identity for identity, names in report.service_aliases.items() for name in names}
    )
    # a record without a level counts as info (`at_least`), where its tally says warning
    info = {"level": "info"}
    groups = [
        group if not at_least(group.level, "warning") else group.model_copy(update=info)
        for group in grouper.groups()
    ]
    workspace.derived[key] = groups
    return groups


# --- find_first_failure -----------------------------------------------------------------------


class FirstFailureInput(ServiceWindow):
    pass


class FailureBrief(BaseModel):
    timestamp: datetime  # skew-corrected
    service: str
    at: str
    label: str
    group_id: str
    text: str
    raw_timestamp: datetime | None = None  # as written, when the correction moved it


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
    _prime_groups(workspace, report)

    def brief(f: FirstFailure) -> FailureBrief:
        return FailureBrief(
            timestamp=f.timestamp,
            service=f.service,
            at=cite(f.file, f.line),
            label=f.label,
            group_id=f.group_id,
            text=clip(workspace.first_line(f.file, f.line, f.text)),
            raw_timestamp=f.raw_timestamp,
        )

    root = report.root_cause
    return FirstFailureOutput(
        trend=report.trend,
        onset=report.onset,
        first_failure=brief(report.first_failure) if report.first_failure else None,
        early_signals=[brief(f) for f in report.early_signals],
        root_cause=root.summary if root else None,  # the summary names its service
    )


# --- merge_timelines --------------------------------------------------------------------------


class TimelineInput(ServiceWindow):
    limit: int = Field(60, ge=1, le=500, description="Most events returned, earliest first.")


class TimelineEntry(BaseModel):
    timestamp: datetime  # skew-corrected
    service: str
    kind: str
    event: str
    at: str | None
    raw_timestamp: datetime | None = None  # as written, when the correction moved it


class TimelineOutput(BaseModel):
    skew_seconds: dict[str, float]  # clock offset found per service, already corrected
    events: list[TimelineEntry]


def merge_timelines(workspace: Workspace, request: TimelineInput) -> TimelineOutput:
    """One timeline across all loaded services, in UTC, with clock skew between services
    measured (from shared request ids) and corrected: first errors, spikes, peaks, drops,
    recoveries, restarts, deploys, config changes and alerts, each with file:line. Use it to
    see the order of events across services."""
    report = workspace.investigation(request.record_filter())
    _prime_groups(workspace, report)
    events = [
        TimelineEntry(
            timestamp=e.timestamp,
            service=e.service,
            kind=e.kind,
            event=clip(
                workspace.first_line(e.file, e.line, e.event) if e.file and e.line else e.event, 200
            ),
            at=cite(e.file, e.line) if e.file and e.line else None,
            raw_timestamp=e.raw_timestamp,
        )
        for e in report.timeline[: request.limit]
    ]
    return TimelineOutput(skew_seconds=report.skew_seconds, events=events)


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
    window = ServiceWindow(since=request.since, until=request.until, service=None)
    report = workspace.investigation(window.record_filter())
    _prime_groups(workspace, report)
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
                evidence=[clip(e, 200) for e in s.evidence[:3]],
            )
            for s in report.cascade
        ],
        hypotheses=[
            HypothesisBrief(
                service=h.service,
                label=h.label,
                summary=clip(h.summary, 300),
                confidence=h.confidence,
                evidence=[cite(e.file, e.line) for e in h.evidence[:5]],
            )
            for h in hypotheses[:5]
        ],
        skew_seconds=report.skew_seconds,
    )


# --- suggest_fixes ----------------------------------------------------------------------------


class FixesInput(ServiceWindow):
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
    _prime_groups(workspace, report)
    recommendations = report.recommendations
    if request.group_id is not None:
        from ...knowledge.match import match

        group = next((g for g in report.error_groups if g.id == request.group_id), None)
        if group is None:
            raise OptionError(f"no error group {request.group_id!r}; ids come from group_errors")
        recommendations = [r for r in recommendations if r.group_id == group.id]
        if not recommendations:
            from ...knowledge.match import group_text

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


class InvestigateInput(ServiceWindow):
    pass


class InvestigateOutput(BaseModel):
    window: str
    records: int
    trend: str
    onset: datetime | None
    first_failure: FailureBrief | None
    root_cause: HypothesisBrief | None
    example_trace: str | None = None  # a failing request's id, for trace_request
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
    _prime_groups(workspace, report)
    window = ServiceWindow(since=request.since, until=request.until, service=request.service)
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
        example_trace=report.example_trace,
        cascade=correlated.cascade,
        top_groups=groups.groups,
        fixes=fixes.fixes[:5],
        timeline=timeline.events,
    )
