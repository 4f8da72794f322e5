"""`compare_windows`: what changed in each service's logs around a time, every level included
(`analysis/compare.py` does the work; this adapts it for a model)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from ...analysis import compare
from ...errors import OptionError
from ...filters import parse_time_bound
from ..workspace import Workspace
from .base import Level, ToolInput, cite, clip, current_scope, services_named

EXAMPLE_TEXT = 200


class CompareInput(ToolInput):
    at: str | None = Field(
        None,
        description="Pivot time, as since takes it (ISO, 14:02, 30m). Default: the first failure.",
    )
    before: str = Field(compare.DEFAULT_WINDOW, description="Window before the pivot: 30s, 5m, 1h.")
    after: str = Field(compare.DEFAULT_WINDOW, description="Window from the pivot on.")
    service: str | None = Field(None, description="Only this service (default: all).")
    min_level: Level | None = Field(None, description="Only records at this level and above.")
    limit: int = Field(5, ge=1, le=50, description="Templates listed per kind and service.")


class TemplateDelta(BaseModel):
    label: str
    template: str
    level: str | None
    before: int
    after: int
    at: str
    text: str


class ServiceDelta(BaseModel):
    service: str
    verdict: str
    per_minute: str  # "12.0 -> 48.5", each over the time the service's log covers
    records: str  # "60 -> 240"
    covered_seconds: str | None = None  # "150/300 -> 300/300", when a window is not covered
    new: list[TemplateDelta]
    gone: list[TemplateDelta]
    changed: list[TemplateDelta]


class CompareOutput(BaseModel):
    at: datetime
    before_start: datetime
    after_end: datetime
    clocks: str
    services: list[ServiceDelta]


def compare_windows(workspace: Workspace, request: CompareInput) -> CompareOutput:
    """What changed in each service's logs at a time (default: the first failure): records per
    minute, and templates of every level (INFO too) new after it, gone, or at another rate,
    in a window before against one after, on skew-corrected clocks; services most changed
    first, each with a verdict. Use it to see which service changed first, and which did
    not."""
    workspace.require_sources()
    before = compare.window_seconds(request.before, "before")
    after = compare.window_seconds(request.after, "after")
    report = workspace.investigation()
    if request.at is not None:
        pivot = _pivot(request.at)
    elif report.first_failure is not None:
        pivot = report.first_failure.timestamp
    else:
        raise OptionError("at: no first failure found in the logs; give a time")
    aliases = {old: name for name, olds in report.service_aliases.items() for old in olds}
    result = compare.compare_windows(
        workspace.records(),
        pivot,
        before,
        after,
        services=services_named(request.service),
        min_level=request.min_level,
        skew=report.skew_seconds,
        aliases=aliases,
        limit=request.limit,
    )
    corrections = ", ".join(f"{s} {v:+.1f}s" for s, v in sorted(result.skew_seconds.items()))
    return CompareOutput(
        at=result.at,
        before_start=result.before_start,
        after_end=result.after_end,
        clocks=(
            f"corrected: {corrections} (against {', '.join(result.clock_reference)})"
            if corrections
            else "no skew found"
        ),
        services=[
            ServiceDelta(
                service=change.service,
                verdict=change.verdict,
                per_minute=f"{_rate(change.before_per_minute)} -> {_rate(change.after_per_minute)}",
                records=f"{change.before_records} -> {change.after_records}",
                covered_seconds=(
                    f"{change.before_seconds:.0f}/{before:.0f} -> "
                    f"{change.after_seconds:.0f}/{after:.0f}"
                    if change.before_seconds < before or change.after_seconds < after
                    else None
                ),
                new=[_delta(workspace, c) for c in change.new],
                gone=[_delta(workspace, c) for c in change.gone],
                changed=[_delta(workspace, c) for c in change.changed],
            )
            for change in result.services
        ],
    )


def _pivot(text: str) -> datetime:
    """`at` read as a window bound is: relative to the logs' end when they are older."""
    scope = current_scope()
    return scope.bound(text, "at") if scope is not None else parse_time_bound(text, "at")


def _rate(value: float | None) -> str:
    return f"{value:.1f}" if value is not None else "-"


def _delta(workspace: Workspace, change: compare.TemplateChange) -> TemplateDelta:
    example = change.example
    # the whole first line when the source is in memory: redacted whole, then cut
    text = workspace.first_line(example.file, example.line, example.text)
    return TemplateDelta(
        label=change.label,
        template=clip(change.template, EXAMPLE_TEXT),
        level=change.level,
        before=change.before,
        after=change.after,
        at=cite(example.file, example.line),
        text=clip(text, EXAMPLE_TEXT),
    )
