"""The `sources` view: per-source format, service, time range and counts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel
from rich.table import Table

from ..ingest import SourceStats


class SourceSummary(BaseModel):
    """One source as `sources --json` prints it (a public contract: only add fields)."""

    file: str
    format: str
    service: str
    services: dict[str, int]
    first: datetime | None
    last: datetime | None
    records: int
    lines: int
    unparsed: int
    timestamped: int
    levels: dict[str, int]
    formats: dict[str, int]
    bytes: int
    compression: str | None
    warnings: list[str]

    @classmethod
    def from_stats(cls, stats: SourceStats) -> SourceSummary:
        return cls(
            file=stats.source.display,
            format=stats.format,
            service=stats.service,
            services=dict(stats.services.most_common(20)),
            first=stats.first,
            last=stats.last,
            records=stats.records,
            lines=stats.lines,
            unparsed=stats.unparsed,
            timestamped=stats.timestamped,
            levels=dict(stats.levels.most_common()),
            formats=dict(stats.formats.most_common()),
            bytes=stats.bytes,
            compression=stats.compression,
            warnings=stats.warnings,
        )


class SourcesReport(BaseModel):
    sources: list[SourceSummary]
    warnings: list[str]


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
