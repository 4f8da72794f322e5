"""The `investigate` and `trend` views: one screen with the verdict, the first failure, the
cascade, the error groups and the timeline; per-service sparklines of the error rate."""

from __future__ import annotations

from datetime import datetime

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from ..analysis.impact import Impact
from ..analysis.rates import sparkline
from ..analysis.report import Investigation, Recommendation

_TREND_STYLE = {
    "ongoing": "bold red",
    "recovering": "yellow",
    "resolved": "green",
    "no-incident": "green",
}


def _hms(value: datetime | None) -> str:
    return value.strftime("%H:%M:%S") if value else "-"


def latency_view(report: Investigation) -> RenderableType:
    """Per-service p95 latency sparklines, where records carry durations."""
    if report.latency is None:
        return Text("no durations in these records", style="dim")
    series = report.latency.series
    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("service", f"p95 ms per {report.latency.bucket_seconds}s", "max p95", "p50"):
        table.add_column(column)
    for service in sorted({s for point in series for s in point.p95}):
        values = [point.p95.get(service, 0.0) for point in series]
        medians = [point.p50[service] for point in series if service in point.p50]
        table.add_row(
            service,
            sparkline([round(v) for v in values]),
            f"{max(values):g}",
            f"{sorted(medians)[len(medians) // 2]:g}" if medians else "-",
        )
    return table


def trend_view(report: Investigation) -> RenderableType:
    """Per-service error sparklines over the window, with the verdict."""
    rate = report.error_rate
    services = sorted({s for point in rate.series for s in point.counts})
    table = Table(box=None, pad_edge=False, show_header=True, header_style="bold")
    table.add_column("service")
    table.add_column(f"errors per {rate.bucket_seconds}s")
    table.add_column("peak", justify="right")
    table.add_column("total", justify="right")
    for service in services:
        values = [point.counts.get(service, 0) for point in rate.series]
        table.add_row(service, sparkline(values), str(max(values)), f"{sum(values):,}")
    totals = [sum(point.counts.values()) for point in rate.series]
    table.add_row(
        Text("all", style="bold"),
        sparkline(totals),
        str(max(totals, default=0)),
        f"{sum(totals):,}",
    )
    start = rate.series[0].start if rate.series else None
    end = report.window.end
    head = Text.assemble(
        ("trend: ", "bold"),
        (report.trend, _TREND_STYLE.get(report.trend, "")),
        f"   window {_hms(start)}–{_hms(end)} UTC, baseline {rate.baseline:g}/bucket, "
        f"spike above {rate.threshold:g}",
    )
    if report.onset is not None:
        head.append(f", onset {_hms(report.onset)}")
    return Group(head, table)


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


def investigation_view(report: Investigation, groups: int = 12, events: int = 20) -> RenderableType:
    parts: list[RenderableType] = [trend_view(report)]
    if report.latency is not None:
        parts.append(latency_view(report))
    parts.append(Text())
    first = report.first_failure
    if first is not None:
        parts.append(
            Text.assemble(
                ("first failure ", "bold red"),
                f"{first.timestamp.strftime('%H:%M:%S.%f')[:-3]} ",
                (first.service, "bold"),
                f"  {first.label}\n  {first.file}:{first.line}  ",
                (first.text[:160], "dim"),
            )
        )
    for signal in report.early_signals[:3]:
        parts.append(
            Text(
                f"  early signal {_hms(signal.timestamp)} {signal.service} "
                f"{signal.label} ({signal.file}:{signal.line})",
                style="yellow",
            )
        )
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
            chain.append(f" {_hms(step.onset)}")
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
    table = Table(header_style="bold", pad_edge=False, title="error groups", title_justify="left")
    for column, justify in (
        ("count", "right"),
        ("error", "left"),
        ("service", "left"),
        ("first", "left"),
        ("last", "left"),
        ("kind", "left"),
        ("example", "left"),
    ):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for group in report.error_groups[:groups]:
        kind = "chronic" if group.chronic else "new" if group.novel else "surging"
        table.add_row(
            f"{group.count:,}",
            Text(group.label),
            group.service,
            _hms(group.first_seen),
            _hms(group.last_seen),
            Text(kind, style="dim" if group.chronic else "red"),
            Text(f"{group.example.file}:{group.example.line}"),
        )
    parts += [Text(), table]
    if report.timeline:
        timeline = Table(
            box=None,
            pad_edge=False,
            title="timeline (UTC, clocks corrected)",
            title_justify="left",
            header_style="bold",
        )
        for column in ("time", "service", "event", "where"):
            timeline.add_column(column)
        for event in report.timeline[:events]:
            where = f"{event.file}:{event.line}" if event.file else ""
            timeline.add_row(
                _hms(event.timestamp), event.service, Text(event.event[:110]), Text(where)
            )
        parts += [Text(), timeline]
    return Group(*parts)
