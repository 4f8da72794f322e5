"""Inline SVG charts of errors and latency per bucket and service, with the onset and the first
failure marked: no script, no network, readable in light and dark mode and when printed."""

from __future__ import annotations

import statistics
from datetime import datetime
from xml.sax.saxutils import escape

from ..analysis.impact import incident_window
from ..analysis.report import Investigation

WIDTH, HEIGHT = 880, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 150, 20, 40
# Distinguishable in both colour schemes and in greyscale print (dash patterns differ too).
_PALETTE = ("#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf")
_DASHES = ("", "6 3", "2 2", "8 3 2 3", "4 4", "1 3", "10 4", "3 6")


def errors_chart(report: Investigation) -> str:
    """The SVG document (a string) of the report's per-bucket error counts."""
    rows = [
        (point.start, {k: float(v) for k, v in point.counts.items()})
        for point in report.error_rate.series
    ]
    return line_chart(report, rows, f"errors per {report.error_rate.bucket_seconds} s")


# A service's latency changed when its p95 during the incident (the median of its buckets)
# is at least twice, or at most half, its level before (or after, with no calm before it),
# by at least MIN_CHANGE_MS; buckets of fewer than MIN_SAMPLES durations are left out.
CHANGE_FACTOR = 2.0
MIN_CHANGE_MS = 20.0
MIN_SAMPLES = 5


def latency_changed(report: Investigation) -> list[str]:
    """The services that serve requests (their durations are requests') whose p95 latency
    changed during the incident: the ones worth a chart. Never an alert notification's or a
    background job's durations."""
    latency = report.latency
    window = incident_window(report)
    if latency is None or window is None:
        return []
    start, end = window
    changed = []
    for service in latency.serving:
        phases: tuple[list[float], list[float], list[float]] = ([], [], [])
        for point in latency.series:
            if point.count.get(service, 0) < MIN_SAMPLES:
                continue
            at = datetime.fromisoformat(point.start).timestamp()
            phase = 0 if at < start else 1 if end is None or at < end else 2
            phases[phase].append(point.p95[service])
        before, during, after = phases
        calm = before or after
        if not calm or not during:
            continue
        usual, level = statistics.median(calm), statistics.median(during)
        if abs(level - usual) >= MIN_CHANGE_MS and (
            level >= CHANGE_FACTOR * usual or level * CHANGE_FACTOR <= usual
        ):
            changed.append(service)
    return changed


def latency_chart(report: Investigation) -> str | None:
    """The SVG of p95 latency per bucket of the services `latency_changed` names, or None."""
    services = latency_changed(report)
    if report.latency is None or not services:
        return None
    rows = [
        (
            datetime.fromisoformat(point.start),
            {s: point.p95[s] for s in services if s in point.p95},
        )
        for point in report.latency.series
    ]
    return line_chart(report, rows, "p95 latency (ms)")


def line_chart(
    report: Investigation, rows: list[tuple[datetime, dict[str, float]]], label: str
) -> str:
    """One line per service over the buckets, onset and first failure marked."""
    series = [start for start, _ in rows]
    values = [row for _, row in rows]
    services = sorted({s for row in values for s in row})
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = max([max(row.values(), default=0) for row in values] + [1])
    n = max(len(series), 2)

    def x(index: float) -> float:
        return LEFT + plot_w * index / (n - 1)

    def y(value: float) -> float:
        return TOP + plot_h * (1 - value / top)

    def x_of(when: datetime | None) -> float | None:
        if when is None or not series:
            return None
        offset = (when - series[0]).total_seconds() / report.error_rate.bucket_seconds
        return x(min(max(offset, 0), n - 1))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" class="chart" '
        f'aria-label="{escape(label)} per service">',
        "<style>.axis,.tick{stroke:currentColor;stroke-opacity:.5}"
        "text{fill:currentColor;font:11px sans-serif}.mark{stroke-width:1.5}</style>",
        f'<line class="axis" x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" '
        f'y2="{TOP + plot_h}"/>',
        f'<line class="axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}"/>',
    ]
    for fraction in (0, 0.5, 1):
        value = round(top * fraction)
        parts.append(
            f'<text x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end">{value}</text>'
        )
    step = max(1, len(series) // 8)
    # a series over several days: the ticks say which day (`07-29 19:00`)
    ticks = "%m-%d %H:%M" if series and series[0].date() != series[-1].date() else "%H:%M"
    for index in range(0, len(series), step):
        tick = series[index].strftime(ticks)
        parts.append(
            f'<text x="{x(index):.1f}" y="{TOP + plot_h + 16}" text-anchor="middle">{tick}</text>'
        )
    for number, service in enumerate(services):
        colour = _PALETTE[number % len(_PALETTE)]
        dash = _DASHES[number % len(_DASHES)]
        points = " ".join(
            f"{x(i):.1f},{y(row.get(service, 0)):.1f}" for i, row in enumerate(values)
        )
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2"{dashed} '
            f'points="{points}"><title>{escape(service)}</title></polyline>'
        )
        legend_y = TOP + 14 * number + 8
        parts.append(
            f'<line x1="{WIDTH - RIGHT + 12}" y1="{legend_y}" x2="{WIDTH - RIGHT + 32}" '
            f'y2="{legend_y}" stroke="{colour}" stroke-width="2"{dashed}/>'
        )
        parts.append(f'<text x="{WIDTH - RIGHT + 36}" y="{legend_y + 4}">{escape(service)}</text>')
    for when, mark, colour in (
        (report.onset, "onset", "#ff7f0e"),
        (
            report.first_failure.timestamp if report.first_failure else None,
            "first failure",
            "#d62728",
        ),
    ):
        at = x_of(when)
        if at is None:
            continue
        parts.append(
            f'<line class="mark" x1="{at:.1f}" y1="{TOP}" x2="{at:.1f}" '
            f'y2="{TOP + plot_h}" stroke="{colour}" stroke-dasharray="4 2"/>'
        )
        parts.append(
            f'<text x="{at + 3:.1f}" y="{TOP + 10 if mark == "onset" else TOP + 22}">'
            f"{escape(mark)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
