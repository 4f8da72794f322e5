"""The incident's impact on requests: per service and route, the share of requests that went
well before, during and after the incident, and how many failed during it.

Any record that reports a request and its status counts (access logs, JSON and logfmt request
events, an application's own request lines: `mining.requests.request_outcome`). The reading
pass tallies them per (service, route, bucket) in a `RequestTally`; once the investigation
knows the incident's window (its onset or first failure, to the error rate's recovery), the
tally is cut before / during / after it.

A request failed when the server answered 5xx, or 429: a 429 is the server refusing work it
would otherwise do (rate limiting, load shedding), which during an incident is the incident.
Every other 4xx is the client's (a declined card, a missing page) and counts as ok.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache

from ..mining.requests import request_outcome
from ..records import Record
from .report import Impact, Investigation, Requests, RouteImpact

MAX_ROWS = 5
MIN_CALM = 20  # requests before (or after) the incident, for its failure rate to be a baseline
MIN_EXCESS = 3  # failed requests beyond what the calm rate predicts, for a route to be shown
MIN_RISE = 0.01  # and a failure rate at least this much (1 point) above the calm one
NO_ROUTE = "requests"  # the route of a request log that names none (pino's `request completed`)

_DIGIT = re.compile(r"\d")
# `mining.labels.route` as one regex (the reading pass runs it per request): a segment of
# digits, or of three characters or more with a digit that is no API version (`v2`). Each
# match starts at the slash before its segment (a literal the engine skips to) and keeps it.
# (`(?=[^/\d]*+\d)`: a segment with no digit is left at once, a test both ways to mask it
# make; once it holds one, `[^/]*\d[^/]*` spans exactly `[^/]*+`, the segment. Possessive
# digits: fewer are followed by a digit, never by a slash or the end.)
_ID = re.compile(r"/(?=[^/\d]*+\d)(?:\d++(?=/|$)|(?!v\d+(?:\.\d+)*(?:/|$))(?=[^/]{3})[^/]*+)")
# Other segments that name one thing among many, masked too so that routes stay few: slugs
# (`down-puffer-jacket`), long tokens, static files (`hero.jpg`)
_STATIC = r"css|js|map|png|jpe?g|gif|svg|webp|avif|ico|woff2?|ttf|html?|txt|xml|pdf|mp4"
_FILE = re.compile(rf"[^/]+\.({_STATIC})", re.IGNORECASE)
_OTHER = re.compile(
    rf"/([^/{{}}]*-[^/{{}}]*-[^/{{}}]*|[^/{{}}]{{25,}}|[^/{{}}]+\.(?:{_STATIC}))(?=/|$)",
    re.IGNORECASE,
)


def failed(status: int) -> bool:
    """A 5xx, or a 429 (the server refused the work); other 4xx are the client's."""
    return status >= 500 or status == 429


@lru_cache(maxsize=4096)  # a site's static routes repeat; paths with ids pass through
def route_of(method: str | None, path: str | None) -> str:
    """`POST /api/carts/{id}/items`: ids, slugs and file names masked; `requests` when the
    record names no path."""
    if path is None or not path.startswith("/"):
        return f"{method} {NO_ROUTE}" if method else NO_ROUTE
    masked = _ID.sub("/{id}", path) if _DIGIT.search(path) else path
    # a segment `_OTHER` masks holds two hyphens, a dot or 25 characters
    if ("-" in masked or "." in masked or len(masked) > 25) and _OTHER.search(masked):
        masked = _OTHER.sub(_name, masked)
    return f"{method} {masked}" if method else masked


def _masked_alone(segment: str) -> bool:
    """Whether `_ID` masks a segment (after a slash) of ASCII letters and digits wherever it
    stands, as it masks `0`: digits alone, or three characters or more with a digit that start
    with no `v` (which only a version may). A match starts at a segment's slash and ends at the
    next slash or the end, so each segment is masked by what it holds alone (no newline in
    such a segment: `$` before a final one cannot tell them apart either), both become
    `/{id}`, and `_OTHER` then sees the same `{id}`: the path and the one with `0` for the
    segment have one route."""
    if segment.isdigit():
        return True
    return len(segment) >= 3 and segment[0] != "v" and not segment.isalpha()


def _name(found: re.Match[str]) -> str:
    """The slash and the masked segment, for `_OTHER.sub`."""
    segment = found.group(1)
    file = _FILE.fullmatch(segment)
    if file is not None:
        return "/{file}." + file.group(1).lower()
    return "/{name}"


@dataclass
class RequestTally:
    """Requests and failed requests per (service, route, bucket). Fed one record at a time by
    the reading pass; the tallies of consecutive parts merge."""

    counts: dict[tuple[str, str, int], list[int]] = field(default_factory=dict)

    def add(self, record: Record, bucket: int) -> bool:
        """Count the record if it reports a request; True when it did."""
        outcome = request_outcome(record)
        if outcome is None:
            return False
        self.count(record.service, outcome, bucket)
        return True

    def count(self, service: str, outcome: tuple[str | None, str | None, int], bucket: int) -> None:
        """Count a request of `service` (`request_outcome`'s method, path and status)."""
        method, path, status = outcome
        if path is not None:
            head, slash, last = path.rpartition("/")
            if slash and last.isascii() and last.isalnum() and _masked_alone(last):
                # an id at the end (`/products/socks/32868`): its route is the one of the path
                # ending in `/0` (`_masked_alone`), which `route_of` keeps, not one route
                # worked out anew per id
                path = head + "/0"
        key = (service, route_of(method, path), bucket)
        tally = self.counts.get(key)
        if tally is None:
            self.counts[key] = [1, 1 if failed(status) else 0]
            return
        tally[0] += 1
        if status >= 500 or status == 429:  # `failed`, inline: once per request
            tally[1] += 1

    def merge(self, other: RequestTally) -> None:
        for key, (requests, failures) in other.counts.items():
            tally = self.counts.get(key)
            if tally is None:
                self.counts[key] = [requests, failures]
            else:
                tally[0] += requests
                tally[1] += failures

    def widen(self, factor: int) -> None:
        """Re-count in buckets `factor` times wider (`widths`)."""
        wide: dict[tuple[str, str, int], list[int]] = {}
        for (service, route, bucket), (requests, failures) in self.counts.items():
            tally = wide.setdefault((service, route, bucket // factor), [0, 0])
            tally[0] += requests
            tally[1] += failures
        self.counts = wide


def incident_window(report: Investigation) -> tuple[float, float | None] | None:
    """(start, end) of the incident in epoch seconds, on bucket boundaries: from the onset or
    the first failure, whichever is earlier, to the error rate's recovery (or the last
    occurrence of the incident's errors when it resolved without one); end None while it
    goes on. None when no incident was found."""
    width = report.error_rate.bucket_seconds
    starts = [t.timestamp() for t in (report.onset, _first(report)) if t is not None]
    if not starts:
        return None
    start = round(min(starts) / width) * width
    recovery = next((e.timestamp for e in report.timeline if e.kind == "recovery"), None)
    if recovery is not None:
        return start, recovery.timestamp()
    if report.trend != "resolved":
        return start, None
    ends = [
        g.last_seen.timestamp()
        for g in report.error_groups
        if not g.chronic and (g.novel or g.surging) and g.last_seen is not None
    ]
    if not ends:
        return start, None
    return start, float(max(start + width, math.ceil(max(ends) / width) * width))


def _first(report: Investigation) -> datetime | None:
    return report.first_failure.timestamp if report.first_failure is not None else None


def impact(tally: RequestTally, report: Investigation) -> Impact | None:
    """The incident's impact on the requests `tally` counted, or None when there is no
    incident or no request log whose failure rate changed."""
    window = incident_window(report)
    if window is None or not tally.counts or report.window.start is None:
        return None
    width = report.error_rate.bucket_seconds
    start, end = window
    first = int(report.window.start.timestamp() // width)
    last = int(report.window.end.timestamp() // width) if report.window.end else None
    start_bucket = int(start // width)
    end_bucket = int(end // width) if end is not None else None
    identity = {old: new for new, olds in report.service_aliases.items() for old in olds}
    phases: dict[tuple[str, str], list[list[int]]] = {}
    for (service, name, bucket), (requests, failures) in tally.counts.items():
        if bucket < first or (last is not None and bucket > last):
            continue  # stamped far outside the logs' span (a clock that lies)
        phase = (
            0 if bucket < start_bucket else 1 if end_bucket is None or bucket < end_bucket else 2
        )
        counts = phases.setdefault((identity.get(service, service), name), [[0, 0], [0, 0], [0, 0]])
        counts[phase][0] += requests
        counts[phase][1] += failures
    rows: list[tuple[float, RouteImpact]] = []
    for (service, name), (before, during, after) in phases.items():
        excess = _excess(before, during, after)
        if excess is None:
            continue
        ended = end is not None
        row = RouteImpact(
            service=service,
            route=name,
            before=Requests(requests=before[0], failed=before[1]),
            during=Requests(requests=during[0], failed=during[1]),
            after=Requests(requests=after[0], failed=after[1]) if ended else None,
            summary="",
        )
        row.summary = summary(row, start, end)
        rows.append((excess, row))
    if not rows:
        return None
    rows.sort(key=lambda r: (-r[0], r[1].service, r[1].route))
    return Impact(
        start=_at(start),
        end=_at(end) if end is not None else None,
        routes=[row for _, row in rows[:MAX_ROWS]],
    )


def _excess(before: list[int], during: list[int], after: list[int]) -> float | None:
    """How many more requests failed during the incident than the calm rate predicts (the
    rate before it, or after it when too few came before); None when the rise is within
    chance or too small to matter."""
    requests, failures = during
    if not requests or not failures:
        return None
    calm = before if before[0] >= MIN_CALM else after if after[0] >= MIN_CALM else None
    calm_rate = calm[1] / calm[0] if calm is not None else 0.0
    expected = requests * calm_rate
    excess = failures - expected
    if failures / requests - calm_rate < MIN_RISE:
        return None
    if excess < max(MIN_EXCESS, 3 * math.sqrt(expected)):
        return None
    return excess


def percent_ok(requests: Requests | None) -> str:
    """`99.2%` of the requests ok (never `100%` while some failed); `-` for none."""
    share = requests.ok_share if requests is not None else None
    if share is None:
        return "-"
    percent = share * 100
    if requests is not None and requests.failed and percent > 99.9:
        percent = 99.9
    return f"{percent:.1f}".removesuffix(".0") + "%"


def _clock(epoch: float, start: float) -> str:
    fmt = "%H:%M" if _at(epoch).date() == _at(start).date() else "%m-%d %H:%M"
    return _at(epoch).strftime(fmt)


def summary(row: RouteImpact, start: float, end: float | None) -> str:
    """`nginx POST /api/checkout: 99.2% ok before, 34% during 14:02-14:14, 99.1% after;
    1,873 failed`."""
    until = _clock(end, start) if end is not None else "the end of the logs"
    parts = [
        f"{percent_ok(row.before)} ok before" if row.before.requests else "no requests before",
        f"{percent_ok(row.during)} during {_clock(start, start)}-{until}",
    ]
    if row.after is not None:
        parts.append(f"{percent_ok(row.after)} after" if row.after.requests else "none after")
    return f"{row.service} {row.route}: {', '.join(parts)}; {row.during.failed:,} failed"


def _at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)
