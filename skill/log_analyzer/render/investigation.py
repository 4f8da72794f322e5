"""The `investigate` and `trend` views: one screen with the verdict, the first failure, the
cascade, the error groups and the timeline; per-service sparklines of the error rate."""

from __future__ import annotations

from datetime import datetime

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from ..analysis.cascade import label_alone
from ..analysis.rates import sparkline
from ..analysis.report import Impact, Investigation, Recommendation
from ..analysis.timeline import headline
from ..errors import OptionError
from .human import (
    clock,
    common_root,
    duration,
    human_time,
    seconds_clock,
    shorten,
    spans_days,
    where,
    width_label,
)

_TREND_STYLE = {
    "ongoing": "bold red",
    "recovering": "yellow",
    "resolved": "green",
    "no-incident": "green",
}


def _hms(value: datetime | None, date: bool = False) -> str:
    return seconds_clock(value, date)


def _dated(report: Investigation) -> bool:
    """Whether the report's times need their dates: its window spans more than one day."""
    return spans_days(report.window.start, report.window.end)


# Columns a sparkline leaves to the others (service name, peak, total and the gaps between),
# besides the service names' own width; and the fewest marks it is given.
_SPARK_SPARE = 20
_SPARK_MIN = 24


def _room(names: list[str], width: int | None) -> int | None:
    """Marks a sparkline may take in a table of `width` columns (None: no limit)."""
    if width is None:
        return None
    return max(_SPARK_MIN, width - max(map(len, names), default=7) - _SPARK_SPARE)


def _summed_marks(values: list[float], factor: int) -> list[float]:
    """Consecutive runs of `factor` values summed: a mark per `factor` buckets."""
    return [sum(values[index : index + factor]) for index in range(0, len(values), factor)]


def _marks(length: int, room: int | None) -> int:
    """Buckets per mark so that `length` buckets fit in `room` marks."""
    return 1 if room is None or length <= room else -(-length // room)


def latency_view(report: Investigation, width: int | None = None) -> RenderableType:
    """Per-service p95 latency sparklines, where records carry durations; in `width` columns
    (a mark per several buckets, their largest p95, when there are more buckets than room)."""
    if report.latency is None:
        return Text("no durations in these records", style="dim")
    series = report.latency.series
    services = sorted({s for point in series for s in point.p95})
    factor = _marks(len(series), _room(services, width))
    per = width_label(report.latency.bucket_seconds * factor)
    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("service", f"p95 ms per {per}", "max p95", "p50"):
        table.add_column(column)
    for service in services:
        values = [point.p95.get(service, 0.0) for point in series]
        medians = [point.p50[service] for point in series if service in point.p50]
        marks = [max(values[i : i + factor]) for i in range(0, len(values), factor)]
        table.add_row(
            service,
            sparkline([round(v) for v in marks]),
            f"{max(values):g}",
            f"{sorted(medians)[len(medians) // 2]:g}" if medians else "-",
        )
    return table


def trend_view(report: Investigation, width: int | None = None) -> RenderableType:
    """Per-service error sparklines over the window, with the verdict; in `width` columns (a
    mark per several buckets, their errors summed, when there are more buckets than room)."""
    rate = report.error_rate
    services = sorted({s for point in rate.series for s in point.counts})
    factor = _marks(len(rate.series), _room([*services, "service"], width))
    per = width_label(rate.bucket_seconds * factor)
    table = Table(box=None, pad_edge=False, show_header=True, header_style="bold")
    table.add_column("service")
    table.add_column(f"errors per {per}")
    table.add_column("peak", justify="right")
    table.add_column("total", justify="right")
    for service in services:
        values: list[float] = [point.counts.get(service, 0) for point in rate.series]
        marks = [int(v) for v in _summed_marks(values, factor)]
        table.add_row(service, sparkline(marks), str(max(marks)), f"{sum(marks):,}")
    totals: list[float] = [sum(point.counts.values()) for point in rate.series]
    marks = [int(v) for v in _summed_marks(totals, factor)]
    table.add_row(
        Text("all", style="bold"),
        sparkline(marks),
        str(max(marks, default=0)),
        f"{sum(marks):,}",
    )
    start = rate.series[0].start if rate.series else None
    end = report.window.end
    dated = _dated(report)
    head = Text.assemble(
        ("trend: ", "bold"),
        (report.trend, _TREND_STYLE.get(report.trend, "")),
        f"   window {_hms(start, dated)}–{_hms(end, dated)} UTC, "
        f"baseline {rate.baseline:g}/{width_label(rate.bucket_seconds)}, "
        f"spike above {rate.threshold:g}",
    )
    if report.onset is not None:
        head.append(f", onset {_hms(report.onset, dated)}")
    if rate.widened_from is not None:
        head.append(
            f"\n{width_label(rate.bucket_seconds)} buckets, not {width_label(rate.widened_from)}: "
            f"the logs span {duration(_span_seconds(report))}",
            style="dim",
        )
    return Group(head, table)


def _span_seconds(report: Investigation) -> float | None:
    start, end = report.window.start, report.window.end
    return (end - start).total_seconds() if start is not None and end is not None else None


def recommendations_view(recommendations: list[Recommendation]) -> RenderableType:
    """Numbered actions, grouped under the signature they come from, its why said once."""
    if not recommendations:
        return Text("no known failure signature matched: no recommendation", style="dim")
    parts: list[RenderableType] = [Text("what to do now", style="bold")]
    previous = None
    for number, item in enumerate(recommendations, 1):
        if (item.signature, item.why) != previous:
            parts.append(Text.assemble((f"[{item.signature}] ", "bold"), (item.why, "dim")))
            previous = (item.signature, item.why)
        parts.append(Text.assemble((f"  {number}. ", "bold"), item.action))
    return Group(*parts)


def impact_view(impact: Impact) -> RenderableType:
    """One line per route whose requests failed more during the incident."""
    head = Text.assemble(("impact", "bold"), (" (ok: status below 500, 429 counted failed)", "dim"))
    return Group(head, *(Text(f"  {row.summary}") for row in impact.routes))


TIMELINE_ROWS = 25  # the terminal's timeline, its `N more` line included


def timeline_rows(value: str) -> int | None:
    """`--timeline ROWS|all`: a number of rows (at least 2), or None for every event."""
    if value.strip().lower() == "all":
        return None
    if not value.strip().isdigit() or int(value) < 2:
        raise OptionError(f"--timeline {value!r}: expected a number of rows (2 or more) or all")
    return int(value)


def investigation_view(
    report: Investigation,
    groups: int = 12,
    events: int | None = TIMELINE_ROWS,
    width: int | None = None,
) -> RenderableType:
    """The incident on one screen. `events`: rows of the timeline at most (the incident end
    to end, then `N more (--timeline all)`); None: every event. `width`: the columns the
    sparklines fit in. Times carry their dates when the window spans more than one day."""
    root_folder = common_root(s.file for s in report.sources)
    dated = _dated(report)
    parts: list[RenderableType] = [trend_view(report, width)]
    if report.latency is not None:
        parts.append(latency_view(report, width))
    parts.append(Text())
    first = report.first_failure
    if first is not None:
        parts.append(
            Text.assemble(
                ("first failure ", "bold red"),
                f"{human_time(first.timestamp, dated)} ",
                (first.service, "bold"),
                f"  {label_alone(first.label, first.service)}\n"
                f"  {where(first.file, first.line, root_folder)}  ",
                (first.text[:160], "dim"),
            )
        )
    for signal in report.early_signals[:3]:
        parts.append(
            Text(
                f"  early signal {human_time(signal.timestamp, dated)} {signal.service} "
                f"{signal.label} ({where(signal.file, signal.line, root_folder)})",
                style="yellow",
            )
        )
    parts.extend(_milestones(report, root_folder, dated))
    root = report.root_cause
    if root is not None:
        parts.append(
            Text.assemble(
                ("\nroot cause ", "bold red"),
                (root.service, "bold"),
                f" (confidence {root.confidence:.2f})\n  {root.summary}",
            )
        )
    if report.cascade:
        chain = Text("\ncascade ", style="bold")
        for index, step in enumerate(report.cascade):
            if index:
                chain.append(" → ")
            chain.append(f"{step.service}", style="bold")
            chain.append(f" {_hms(step.onset, dated)}")
        parts.append(chain)
    if report.impact is not None:
        parts += [Text(), impact_view(report.impact)]
    if report.recommendations:
        parts += [Text(), recommendations_view(report.recommendations[:5])]
    if report.skew_seconds and any(abs(v) >= 0.25 for v in report.skew_seconds.values()):
        skews = ", ".join(
            f"{s} {v:+.1f}s" for s, v in report.skew_seconds.items() if abs(v) >= 0.25
        )
        parts.append(Text(f"clock skew (corrected): {skews}", style="magenta"))
    parts.extend(Text(f"clock anomaly: {note}", style="magenta") for note in report.clock_anomalies)
    title = "error groups" + (f" (files under {root_folder})" if root_folder else "")
    table = Table(header_style="bold", pad_edge=False, title=title, title_justify="left")
    for column, justify in (
        ("count", "right"),
        ("error", "left"),
        ("service", "left"),
        ("first", "left"),
        ("last", "left"),
        ("kind", "left"),
    ):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    shown = report.error_groups[:groups]
    examples = _places([(g.example.file, g.example.line) for g in shown], root_folder)
    # the evidence keeps its line number: never wrapped nor cut, shortened from the left
    table.add_column("example", no_wrap=True, min_width=max(map(len, examples), default=7))
    for group, example in zip(shown, examples, strict=True):
        kind = "chronic" if group.chronic else "new" if group.novel else "surging"
        if group.level_inferred:
            kind += ", level inferred"  # the source states no level: read from the wording
        table.add_row(
            f"{group.count:,}",
            Text(group.label),
            group.service,
            _hms(group.first_seen, dated),
            _hms(group.last_seen, dated),
            Text(kind, style="dim" if group.chronic else "red"),
            Text(example),
        )
    parts += [Text(), table]
    if report.timeline:
        parts += [Text(), timeline_view(report, events, root_folder)]
    return Group(*parts)


PLACE_WIDTH = 40  # a `file:line` longer than this loses its leading folders (`…/`)


def _places(places: list[tuple[str | None, int | None]], root_folder: str) -> list[str]:
    """`file:line` relative to the sources' shared folder, at most `PLACE_WIDTH` wide."""
    return [shorten(where(file, line, root_folder), PLACE_WIDTH) for file, line in places]


def _milestones(report: Investigation, root_folder: str, dated: bool) -> list[RenderableType]:
    """When the incident was detected (its first alert) and when its errors stopped."""
    lines: list[RenderableType] = []
    detected, recovered = report.detected, report.recovered
    if detected is not None:
        lead = detected.time_to_detect_seconds
        after = (
            f"{duration(lead)} after the first failure"
            if lead >= 0
            else f"{duration(-lead)} before the first failure"
        )
        lines.append(
            Text.assemble(
                ("detected ", "bold"),
                f"{human_time(detected.timestamp, dated)}  alert {detected.alert} "
                f"({detected.service}), {after}  ",
                (where(detected.file, detected.line, root_folder), "dim"),
            )
        )
    if recovered is not None:
        lines.append(
            Text.assemble(
                ("recovered ", "bold green"),
                f"{human_time(recovered.timestamp, dated)}  the incident's errors stop, "
                f"{duration(recovered.time_to_recover_seconds)} after the first failure  ",
                (where(recovered.file, recovered.line, root_folder), "dim"),
            )
        )
    return lines


def timeline_view(
    report: Investigation, events: int | None = TIMELINE_ROWS, root_folder: str = ""
) -> RenderableType:
    """The timeline: every event, or at most `events` rows that tell the incident from its
    first failure to its recovery, the last row saying how many more there are."""
    shown = report.timeline
    if events is not None and len(shown) > events:
        start = report.first_failure.timestamp if report.first_failure else report.onset
        end = report.recovered.timestamp if report.recovered else None
        shown = headline(shown, max(1, events - 1), start, end)
    table = Table(
        box=None,
        pad_edge=False,
        title="timeline (UTC, clocks corrected)",
        title_justify="left",
        header_style="bold",
    )
    places = _places([(e.file, e.line) for e in shown], root_folder)
    dated = _dated(report)
    table.add_column("time", no_wrap=True)
    table.add_column("service")
    table.add_column("event")
    table.add_column("where", no_wrap=True, min_width=max(map(len, places), default=5))
    for event, place in zip(shown, places, strict=True):
        table.add_row(clock(event.timestamp, dated), event.service, Text(event.event[:160]), place)
    hidden = len(report.timeline) - len(shown)
    if hidden:
        table.add_row("", "", Text(f"{hidden} more (--timeline all)", style="dim"), "")
    return table
