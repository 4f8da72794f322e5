"""Tools over the investigation: error groups, the first failure, the timeline, how services
correlate, what to do now, and all of it at once (`investigate`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from ...analysis.report import FirstFailure, Investigation
from ...errors import OptionError
from ...levels import at_least
from ..workspace import Workspace
from .base import (
    Level,
    TimeWindow,
    Window,
    cite,
    clip,
    prime_once,
)


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
    _prime_groups(workspace, report)
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
            at=cite(g.example.file, g.example.line),
            example=clip(workspace.first_line(g.example.file, g.example.line, g.example.text)),
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
    _prime_groups(workspace, report)

    def brief(f: FirstFailure) -> FailureBrief:
        return FailureBrief(
            timestamp=f.timestamp,
            service=f.service,
            at=cite(f.file, f.line),
            label=f.label,
            group_id=f.group_id,
            text=clip(workspace.first_line(f.file, f.line, f.text)),
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
    window = Window(since=request.since, until=request.until, service=None)
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
    _prime_groups(workspace, report)
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
