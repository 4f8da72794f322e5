"""What "normal" was before the watch began, from the files' existing content: the error rate
per bucket and the error templates already known.

The baseline is measured where the incident is not: the existing error counts, per bucket of
the watch's own width, over the last `LOOKBACK_BUCKETS` buckets of existing records (ending
at the latest record, not at now: a quiet file's last hours are not a rate of zero), go
through `rates.settle`, which takes the calm stretch before the incident's onset when the
incident began inside that span, and its calm start otherwise. The engineer usually starts
watching right after a fix, so the last minutes before the watch are the incident itself:
measuring on them would call the incident's rate normal.

Only the bytes the follower will not read are read here (up to its start offset), so nothing
is counted twice or missed; at most `MAX_BYTES` of the end of each followed file (a
multi-gigabyte log's last hours are in its last megabytes). Rotated files beside it count when
they were written within the lookback.
"""

from __future__ import annotations

import os
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from ..analysis.rates import Baseline, baseline_of, settle
from ..formats.detect import Detection
from ..ingest import ParseOptions, SourceParser
from ..levels import at_least
from ..mining.groups import template_for
from ..mining.templates import Template, TemplateMiner
from ..records import Record
from ..sources.discover import Source
from .follow import StartPoint
from .models import WatchBaseline

LOOKBACK_BUCKETS = 120  # two hours of one-minute buckets
MAX_BYTES = 64 << 20


class Novelty:
    """Which error templates are new. "New" means a template the existing content did not
    hold, per service: a new id, a new value in a known message is not news.

    The miner may generalise a known template when it meets a new variant (a constant becomes
    a variable), which changes its id; an unknown id is therefore checked against the masked
    forms already seen before it is called new."""

    def __init__(self, miner: TemplateMiner | None = None) -> None:
        self.miner = miner or TemplateMiner()
        self._forms: dict[str, set[str]] = {}
        self._known: set[tuple[str, str]] = set()

    def learn(self, record: Record) -> None:
        """An error record of the existing content."""
        _, form = template_for(self.miner, record)
        self._forms.setdefault(record.service, set()).add(form)

    def check(self, record: Record) -> Template | None:
        """The template of `record` when it starts a new group (once per group), else None."""
        template, form = template_for(self.miner, record)
        forms = self._forms.setdefault(record.service, set())
        key = (record.service, template.id)
        if key in self._known:
            forms.add(form)
            return None
        known = form in forms or any(
            (seen := self.miner.template_of(other)) is not None and seen.id == template.id
            for other in forms
        )
        self._known.add(key)
        forms.add(form)
        return None if known else template


@dataclass
class Existing:
    """What the existing content says: the baseline, the formats of the followed files, the
    services met, and what could not be measured."""

    baseline: Baseline
    report: WatchBaseline
    detections: dict[str, Detection] = field(default_factory=dict)
    services: set[str] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)


def read_existing(
    sources: list[Source],
    starts: list[StartPoint],
    options: ParseOptions,
    bucket_seconds: float,
    min_level: str,
    novelty: Novelty,
    services: Collection[str] = (),
    now: datetime | None = None,
) -> Existing:
    """Read the content written before the watch: error counts per bucket, known templates,
    and the format of each followed file (detected on its existing head). With `services`,
    only their records count."""
    now = now or datetime.now(UTC)
    by_real = {os.path.realpath(start.path): start for start in starts}
    lookback = timedelta(seconds=LOOKBACK_BUCKETS * bucket_seconds)
    errors: dict[int, int] = {}
    first: float | None = None
    last: float | None = None
    records = 0
    existing = Existing(baseline_of([]), _report(baseline_of([]), bucket_seconds, None, None, 0))
    for source in sources:
        if source.path is None:
            continue
        start = by_real.get(os.path.realpath(source.path))
        if start is not None:
            if start.offset == 0:
                continue  # empty: its format is detected from its first lines
            begin, first_line = _window(start)
            parser = SourceParser(
                source, options, byte_range=(begin, start.offset), first_line=first_line
            )
            existing.detections[start.path] = parser.detect()
        elif source.mtime >= now - lookback:
            parser = SourceParser(source, options)
        else:
            continue  # an old rotated file: older than any baseline we would measure
        for record in parser:
            if services and record.service not in services:
                continue
            records += 1
            existing.services.add(record.service)
            when = record.timestamp
            seconds = when.timestamp() if when is not None else None
            if seconds is not None:
                first = seconds if first is None or seconds < first else first
                last = seconds if last is None or seconds > last else last
            if at_least(record.level, min_level):
                novelty.learn(record)
                if seconds is not None:
                    bucket = int(seconds // bucket_seconds)
                    errors[bucket] = errors.get(bucket, 0) + 1
        existing.warnings.extend(f"{source.display}: {w}" for w in parser.stats.warnings)
    if first is None or last is None:
        existing.warnings.append(
            "no timestamped records before the watch: the baseline is taken as zero errors"
        )
        existing.report.records = records
        return existing
    end = int(last // bucket_seconds)
    begin = max(int(first // bucket_seconds), end - LOOKBACK_BUCKETS + 1)
    values = [errors.get(bucket, 0) for bucket in range(begin, end + 1)]
    baseline, _ = settle(values)
    existing.baseline = baseline
    existing.report = _report(
        baseline,
        bucket_seconds,
        datetime.fromtimestamp(begin * bucket_seconds, UTC),
        datetime.fromtimestamp((begin + baseline.calm_buckets) * bucket_seconds, UTC),
        records,
    )
    return existing


def _report(
    baseline: Baseline,
    bucket_seconds: float,
    start: datetime | None,
    end: datetime | None,
    records: int,
) -> WatchBaseline:
    return WatchBaseline(
        bucket_seconds=bucket_seconds,
        median=baseline.median,
        spread=round(baseline.spread, 3),
        threshold=round(baseline.threshold, 3),
        settled=round(baseline.settled, 3),
        buckets=baseline.calm_buckets if start is not None else 0,
        start=start,
        end=end,
        records=records,
    )


def _window(start: StartPoint) -> tuple[int, int]:
    """(offset, line number) where reading the existing content of a followed file begins:
    its start, or the first line start in its last `MAX_BYTES`."""
    if start.offset <= MAX_BYTES:
        return 0, 1
    with open(start.path, "rb") as raw:
        raw.seek(start.offset - MAX_BYTES)
        block = raw.read(MAX_BYTES)
    newline = block.find(b"\n")
    begin = start.offset - MAX_BYTES + newline + 1
    return begin, start.first_line - block.count(b"\n", newline + 1)
