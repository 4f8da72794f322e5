"""Drawing a watch: plain lines (a pipe, a log, an agent) and a live screen (a terminal).

Renderers of the watch's models, nothing more: the monitor never prints, and the same events
feed either view. `LiveScreen` keeps what the screen shows between events."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from ..analysis.rates import sparkline
from .follow import Notice
from .models import BucketReport, NewGroup, Progress, WatchEvent, WatchResult, WatchStarted

_STATE_STYLE = {"elevated": "bold red", "recovering": "yellow", "normal": "green"}
_VERDICT_STYLE = {"settled": "bold green", "elevated": "bold red"}
SPARK_BUCKETS = 30  # buckets a sparkline shows (the latest)


def _per(seconds: float) -> str:
    if seconds == 60:
        return "min"
    return f"{seconds:g}s"


def _level(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def started_line(started: WatchStarted) -> str:
    """What is watched and against which baseline."""
    base = started.baseline
    per = _per(started.bucket_seconds)
    measured = (
        f"measured on {base.buckets} bucket(s) of earlier records"
        if base.buckets
        else "no earlier records: zero assumed"
    )
    return (
        f"watching {len(started.files)} file(s) for {started.buckets} bucket(s) of "
        f"{started.bucket_seconds:g}s; baseline {_level(base.median)} errors/{per} "
        f"({measured}): elevated above {_level(base.threshold)}, normal at or below "
        f"{_level(base.settled)}; settled after {started.settle} normal bucket(s)"
    )


def bucket_line(bucket: BucketReport) -> str:
    """One closed bucket: time, total, state, and the services with errors."""
    services = ", ".join(f"{s} {n}" for s, n in bucket.errors.items() if n)
    return (
        f"{bucket.start:%H:%M:%S}  errors {bucket.total:>4}  {bucket.state:<10}  "
        f"(baseline {_level(bucket.baseline)}, threshold {_level(bucket.threshold)})"
        + (f"  {services}" if services else "")
    )


def new_group_line(group: NewGroup) -> str:
    """A new error group, with where to find its first record."""
    return (
        f"NEW  {group.seen:%H:%M:%S}  {group.label}  "
        f"({group.example.file}:{group.example.line}) [{group.template_id}]"
    )


def notice_line(notice: Notice) -> str:
    return f"note: {notice.describe()}"


def verdict_line(result: WatchResult) -> str:
    """The verdict in a sentence."""
    base = result.baseline
    per = _per(result.bucket_seconds)
    watched = f"{result.buckets_watched} of {result.buckets_planned} bucket(s) watched"
    if result.interrupted:
        watched += ", interrupted"
    news = f"; {len(result.new_groups)} new error group(s)" if result.new_groups else ""
    if result.verdict == "settled":
        return (
            f"settled: errors back at baseline (at most {_level(base.settled)}/{per}) for the "
            f"last {result.normal_streak} bucket(s); peak {result.peak}/{per} ({watched}{news})"
        )
    last = "-" if result.last_total is None else str(result.last_total)
    return (
        f"elevated: not back at baseline for {result.settle} bucket(s) in a row: last "
        f"{last}/{per} against a baseline of {_level(base.median)} (normal at or below "
        f"{_level(base.settled)}); peak {result.peak}/{per} ({watched}{news})"
    )


def plain_line(event: WatchEvent) -> str | None:
    """The line a plain (non-terminal) view prints for an event; None for progress."""
    if isinstance(event, WatchStarted):
        return started_line(event)
    if isinstance(event, BucketReport):
        return bucket_line(event)
    if isinstance(event, NewGroup):
        return new_group_line(event)
    if isinstance(event, Notice):
        return notice_line(event)
    return None


class LiveScreen:
    """The live part of the terminal view: errors per bucket per service (the closed buckets
    and the one in progress) and the state. Lines that stay (each bucket, new error groups,
    file notices) are printed above it, as `plain_line` draws them."""

    def __init__(self) -> None:
        self.started: WatchStarted | None = None
        self.buckets: list[BucketReport] = []
        self.current: BucketReport | None = None

    def update(self, event: WatchEvent) -> None:
        if isinstance(event, WatchStarted):
            self.started = event
        elif isinstance(event, BucketReport):
            self.buckets.append(event)
            self.current = None
        elif isinstance(event, Progress):
            self.current = event.bucket

    def render(self) -> RenderableType:
        shown = self.buckets[-SPARK_BUCKETS:] + ([self.current] if self.current else [])
        return Group(
            _rate_table(shown, self.started), _status(self.buckets, self.current, self.started)
        )


def _rate_table(buckets: Sequence[BucketReport], started: WatchStarted | None) -> Table:
    seconds = started.bucket_seconds if started is not None else 60.0
    table = Table(box=None, pad_edge=False, header_style="bold")
    table.add_column("service")
    table.add_column(f"errors per {_per(seconds)}")
    table.add_column("now", justify="right")
    table.add_column("peak", justify="right")
    services = sorted({s for bucket in buckets for s in bucket.errors})
    for service in services:
        values = [bucket.errors.get(service, 0) for bucket in buckets]
        table.add_row(service, sparkline(values), str(values[-1]), str(max(values)))
    totals = [bucket.total for bucket in buckets]
    style = _STATE_STYLE[buckets[-1].state] if buckets else ""
    table.add_row(
        Text("total", style="bold"),
        Text(sparkline(totals), style=style),
        Text(str(totals[-1]) if totals else "-", style=style),
        str(max(totals, default=0)),
    )
    return table


def _status(
    buckets: Sequence[BucketReport], current: BucketReport | None, started: WatchStarted | None
) -> Text:
    planned = started.buckets if started is not None else len(buckets)
    settle = started.settle if started is not None else 1
    text = Text(f"bucket {min(len(buckets) + 1, planned)} of {planned}  ")
    if buckets:
        last = buckets[-1]
        text.append(f"last: {last.state}", style=_STATE_STYLE[last.state])
        text.append(f"  normal {min(last.normal_streak, settle)} of {settle} needed")
    if current is not None:
        text.append("  so far: ")
        text.append(f"{current.total} ({current.state})", style=_STATE_STYLE[current.state])
    return text


def verdict_view(result: WatchResult) -> RenderableType:
    """The closing lines: the verdict, warnings, and the new groups seen."""
    parts: list[RenderableType] = [
        Text(verdict_line(result), style=_VERDICT_STYLE[result.verdict]),
    ]
    for group in result.new_groups:
        parts.append(Text(f"  {new_group_line(group)}"))
    return Group(*parts)
