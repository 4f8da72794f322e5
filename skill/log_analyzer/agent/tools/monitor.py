"""`monitor_logs`: watch the loaded files live and say whether errors are back at baseline."""

from __future__ import annotations

from pydantic import BaseModel, Field

from ...errors import OptionError
from ..workspace import Workspace
from .base import (
    ToolInput,
    prime_once,
    services_named,
)

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
    from ...watch import monitor
    from ...watch.view import verdict_line

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
        services=services_named(request.service),
    )
    prime_once(result, lambda: [g.example.text for g in result.new_groups])
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
