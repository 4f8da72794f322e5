"""What a watch reports: the models the terminal view, the `--json` lines and (later) the
agent's tool all render. Field names are a public contract (`watch --json`): only add."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from ..mining.group_models import Example
from .follow import Notice
from .verdict import State, Verdict


class NewGroup(BaseModel):
    """An error group the existing content did not hold: a new template (not merely a new
    message) of a service, announced once, when its first record arrives."""

    service: str
    template_id: str
    label: str
    template: str
    # always false: a watch reads a stream, and the template is the one known when announced
    # (later records may merge it into a more general one; see `parse --jsonl`)
    template_final: bool = False
    level: str
    exception: str | None
    seen: datetime  # the record's time when near the watch's clock, else when it was read
    bucket: int
    example: Example


class WatchBaseline(BaseModel):
    """The error rate before the watch began, per bucket of `bucket_seconds`, measured on the
    calm part of the existing records (`buckets` of them; 0 when there were none: a rate of
    zero is assumed)."""

    bucket_seconds: float
    median: float
    spread: float
    threshold: float  # above it, a bucket is elevated
    settled: float  # at or below it, a bucket is back to normal
    buckets: int
    start: datetime | None  # the stretch of existing records the baseline was measured on
    end: datetime | None
    records: int  # existing records read


class BucketReport(BaseModel):
    """One bucket of the watch (a minute, unless `--interval` says otherwise): one `--json`
    line."""

    type: Literal["bucket"] = "bucket"
    index: int
    start: datetime  # UTC
    seconds: float
    errors: dict[str, int]  # per service (every service seen so far, zeros included)
    total: int
    records: int  # records of any level: a silent service logs no errors either
    baseline: float
    threshold: float
    settled: float
    state: State
    normal_streak: int  # buckets in a row, up to this one, back at baseline
    new_groups: list[NewGroup]


class WatchStarted(BaseModel):
    """The watch has read the existing content and begun following."""

    files: list[str]
    baseline: WatchBaseline
    buckets: int
    bucket_seconds: float
    settle: int
    started: datetime
    warnings: list[str]


class WatchResult(BaseModel):
    """The verdict: the last `--json` line (without `buckets`, printed one by one before)."""

    type: Literal["verdict"] = "verdict"
    verdict: Verdict
    exit_status: int  # 0 settled, 1 elevated, 130 interrupted
    interrupted: bool
    settle: int
    normal_streak: int
    buckets_watched: int
    buckets_planned: int
    bucket_seconds: float
    started: datetime
    ended: datetime
    baseline: WatchBaseline
    peak: int  # the most errors in one bucket of the watch
    peak_start: datetime | None
    last_total: int | None
    new_groups: list[NewGroup]
    files: list[str]
    notices: list[str]  # rotations, truncations, files that appeared
    warnings: list[str]
    buckets: list[BucketReport]


@dataclass
class Progress:
    """The bucket in progress, so far (for a live view; not a `--json` line)."""

    bucket: BucketReport
    elapsed: float  # seconds since the watch began


WatchEvent = WatchStarted | BucketReport | NewGroup | Notice | Progress
