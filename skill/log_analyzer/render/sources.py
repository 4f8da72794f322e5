"""The `sources` view: per-source format, service, time range and counts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.table import Table

from ..models import SourceSummary


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else "-"


def sources_table(summaries: Sequence[SourceSummary]) -> Table:
    table = Table(title=None, show_lines=False, header_style="bold", pad_edge=False)
    for column, justify in (
        ("source", "left"),
        ("format", "left"),
        ("service", "left"),
        ("first (UTC)", "left"),
        ("last (UTC)", "left"),
        ("records", "right"),
        ("lines", "right"),
        ("unparsed", "right"),
        ("errors", "right"),
    ):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for summary in summaries:
        services = summary.service
        if len(summary.services) > 1:
            services = ", ".join(list(summary.services)[:3]) + (
                "…" if len(summary.services) > 3 else ""
            )
        errors = sum(
            count
            for level, count in summary.levels.items()
            if level in {"error", "critical", "fatal"}
        )
        unparsed = str(summary.unparsed)
        table.add_row(
            summary.file,
            summary.format,
            services,
            _when(summary.first),
            _when(summary.last),
            f"{summary.records:,}",
            f"{summary.lines:,}",
            f"[yellow]{unparsed}[/]" if summary.unparsed else unparsed,
            f"[red]{errors:,}[/]" if errors else "0",
        )
    return table
