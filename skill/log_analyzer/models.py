"""Pydantic models at the boundaries that several commands share."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from .ingest import SourceStats


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
