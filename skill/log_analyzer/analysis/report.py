"""The `investigate --json` contract. Field names are public API: only add."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from ..mining.group_models import ErrorGroup, Example
from ..models import SourceSummary
from .latency import Latency


class Window(BaseModel):
    start: datetime | None
    end: datetime | None


class InvestigatedGroup(ErrorGroup):
    chronic: bool  # present at a steady rate in the calm period: noise, not the incident
    novel: bool  # absent from the calm period
    surging: bool  # present in the calm period, but its rate jumped after the onset
    onset: datetime | None  # when its part in the incident began (skew-corrected)
    level_inferred: bool = False  # its records state no level: read from their words


class FirstFailure(BaseModel):
    service: str
    file: str
    line: int
    timestamp: datetime  # on the reference clock (skew-corrected)
    group_id: str
    label: str
    text: str
    raw_timestamp: datetime | None = None  # as the log wrote it, when correction moved it


class Hypothesis(BaseModel):
    service: str
    group_id: str
    label: str
    summary: str
    confidence: float
    evidence: list[Example]


class RootCause(Hypothesis):
    hypotheses: list[Hypothesis]  # every candidate, best first (this one included)


class CascadeStep(BaseModel):
    service: str
    onset: datetime
    group_id: str
    label: str
    caused_by: str | None
    confidence: float
    evidence: list[str]


class TimelineEvent(BaseModel):
    timestamp: datetime
    service: str
    event: str
    # first-error, spike, peak, recovery (the rate back to baseline), last-error (the
    # incident's errors stop), drop, surge, latency, restart, shutdown, deploy, rollback,
    # scale, config, alert (`alert <name> firing` or `resolved`, heartbeats left out)
    kind: str
    file: str | None
    line: int | None
    raw_timestamp: datetime | None = None  # as the log wrote it, when correction moved it


class Detected(BaseModel):
    """When the incident was noticed: the first alert that fired for it (not a heartbeat)."""

    timestamp: datetime  # on the reference clock (skew-corrected)
    alert: str  # the alert's name (`CheckoutHighErrorRate`), or a page's title
    service: str  # what logged the notification (alertmanager, grafana, a webhook receiver)
    file: str
    line: int
    time_to_detect_seconds: float  # from the first failure (negative: the alert came first)
    time_to_recover_seconds: float | None = None  # from the first failure, when recovered


class Recovered(BaseModel):
    """When the incident's errors stopped (the logs end on a resolved incident)."""

    timestamp: datetime  # the incident's last error, on the reference clock
    service: str
    file: str
    line: int
    time_to_recover_seconds: float  # from the first failure


class VolumeSurge(BaseModel):
    """A service whose lines per minute jumped far above its own recent level."""

    service: str
    file: str | None  # the source most of its lines come from
    at: datetime
    before_per_minute: float
    during_per_minute: float


class RatePoint(BaseModel):
    start: datetime
    counts: dict[str, int]


class ErrorRate(BaseModel):
    bucket_seconds: int
    # the width the records were counted in (`--bucket`), when the logs' span needed wider
    # buckets to stay within `widths.MAX_BUCKETS`; None when it is `bucket_seconds`
    widened_from: int | None = None
    baseline: float  # errors per bucket in the calm period, all services
    threshold: float  # a bucket above this is a spike
    series: list[RatePoint]


class Recommendation(BaseModel):
    action: str
    why: str
    signature: str
    group_id: str | None = None


class Requests(BaseModel):
    requests: int
    failed: int

    @property
    def ok_share(self) -> float | None:
        return (self.requests - self.failed) / self.requests if self.requests else None


class RouteImpact(BaseModel):
    service: str
    route: str  # `POST /api/checkout`; `requests` when the log names no route
    before: Requests
    during: Requests
    after: Requests | None  # None: the incident had not ended when the logs end
    summary: str  # `nginx POST /api/checkout: 99.2% ok before, 34% during 14:02-14:14, ...`


class Impact(BaseModel):
    """The routes whose failure rate the incident changed, the most failed requests first."""

    start: datetime
    end: datetime | None  # None: still going at the end of the logs
    routes: list[RouteImpact]


class Investigation(BaseModel):
    sources: list[SourceSummary]
    records: int
    window: Window
    trend: str
    onset: datetime | None
    first_failure: FirstFailure | None
    early_signals: list[FirstFailure]
    root_cause: RootCause | None
    cascade: list[CascadeStep]
    error_groups: list[InvestigatedGroup]
    timeline: list[TimelineEvent]
    error_rate: ErrorRate
    skew_seconds: dict[str, float]
    recommendations: list[Recommendation]
    latency: Latency | None = None  # where records carry durations
    # service -> the other names its records carry (pods of one StatefulSet: kafka-1, kafka-2)
    service_aliases: dict[str, list[str]] = {}
    # records whose stamps lie far outside the others' span (epoch 0, another century)
    clock_anomalies: list[str] = []
    # services whose line volume surged against their own recent level
    volume_surges: list[VolumeSurge] = []
    # a failing request seen by the most services: an id to follow with trace_request
    example_trace: str | None = None
    # the routes whose requests failed more during the incident: success rates before,
    # during, after (None: no request log with a status, or no route's rate changed)
    impact: Impact | None = None
    # the first alert that fired for the incident, and when its errors stopped
    detected: Detected | None = None
    recovered: Recovered | None = None
