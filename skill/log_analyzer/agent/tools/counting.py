"""`count_per_minute`: records per time bucket and service, at a level and above, or those a
pattern matches."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from pydantic import BaseModel, Field

from ...filters import RecordFilter
from ...levels import at_least
from ...records import Record
from ..workspace import Workspace
from .base import (
    Level,
    ServiceWindow,
)
from .fields import Matcher


class CountInput(ServiceWindow):
    bucket_seconds: int = Field(60, ge=1, le=86400, description="Bucket width in seconds.")
    pattern: str | None = Field(None, description="Only records whose message or fields match.")
    regex: bool = Field(False, description="pattern is a regular expression.")
    min_level: Level = Field(
        "error", description="This level and above (with a pattern, any level unless given)."
    )


class CountOutput(BaseModel):
    bucket_seconds: int
    min_level: str  # "any" with a pattern and no min_level
    services: list[str]
    rows: list[str]  # "2026-11-28T14:02:00Z 17 3 14": bucket start, total, then per service
    buckets: int
    peak: str | None
    trend: str


def count_per_minute(workspace: Workspace, request: CountInput) -> CountOutput:
    """Records per time bucket (default one minute, any width) and per service, at min_level
    and above (default error): the error rate over time; with a pattern, the rate of what it
    matches. Empty buckets are kept so gaps show. Rows read `bucket-start total
    per-service...` in the order of `services`. Also returns the trend verdict. Narrow the
    window with since/until for finer buckets."""
    workspace.require_sources()
    keep = request.record_filter()
    width = request.bucket_seconds
    matcher = Matcher(request.pattern, request.regex) if request.pattern else None
    given = matcher is None or "min_level" in request.model_fields_set
    floor = request.min_level if given else None
    counts: dict[tuple[int, str], int] = {}
    services: set[str] = set()
    for record in _kept(workspace.records(), keep):
        if record.timestamp is None or (
            floor is not None and not at_least(keep.levels(record), floor)
        ):
            continue
        if matcher is not None and matcher.match(record) is None:
            continue
        key = (int(record.timestamp.timestamp() // width), record.service)
        counts[key] = counts.get(key, 0) + 1
        services.add(record.service)
    order = sorted(services)
    rows: list[str] = []
    peak: tuple[int, str] | None = None
    if counts:
        first = min(k[0] for k in counts)
        last = max(k[0] for k in counts)
        for bucket in range(first, last + 1):
            per = [counts.get((bucket, s), 0) for s in order]
            stamp = _utc_stamp(bucket * width)
            total = sum(per)
            rows.append(" ".join([stamp, str(total), *map(str, per)]))
            if peak is None or total > peak[0]:
                peak = (total, stamp)
    report = workspace.investigation(keep)
    return CountOutput(
        bucket_seconds=width,
        min_level=floor or "any",
        services=order,
        rows=rows,
        buckets=len(rows),
        peak=f"{peak[1]} ({peak[0]})" if peak else None,
        trend=report.trend,
    )


def _utc_stamp(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _kept(records: Iterable[Record], keep: RecordFilter) -> Iterator[Record]:
    return keep(records) if keep.narrows else iter(records)
