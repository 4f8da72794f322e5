"""Clock skew between services, from the request and trace ids they both log.

The same request seen by two services gives a pair of times; the median difference over many
requests is the skew of one clock against the other (call latency is milliseconds, skew is
seconds, and the median ignores retries). Services are placed against the one with the most
links; an id only one service logs says nothing.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from typing import Any

_ID_KEYS = (
    "reqId",
    "req_id",
    "request_id",
    "requestId",
    "x_request_id",
    "trace_id",
    "traceId",
    "trace.id",
    "correlation_id",
    "correlationId",
    "span.trace_id",
)
_ID_KEY_SET = frozenset(_ID_KEYS)
ID_FIELD_KEYS = _ID_KEY_SET | {"req"}  # the keys `request_id` reads: fields with none say no id
_ID_IN_TEXT = re.compile(
    r"(?:request[_-]?id|req[_-]?id|trace[_-]?id|correlation[_-]?id|x-request-id)[\"']?\s*[=:]\s*"
    r"[\"']?([A-Za-z0-9][\w\-]{5,63})",
    re.IGNORECASE,
)
# `_ID_IN_TEXT` with its first letter taken out of the case-insensitive part: the same matches
# (`r`, `t`, `c` and `x` match no other letter in any case), but the engine then skips to the
# places where one of those letters stands instead of trying a match at every character.
_ID_IN_TEXT_FAST = re.compile(
    r"[rRtTcCxX](?i:(?<=r)(?:equest[_-]?id|eq[_-]?id)|(?<=t)race[_-]?id|(?<=c)orrelation[_-]?id"
    r"|(?<=x)-request-id)(?i:[\"']?\s*[=:]\s*[\"']?([A-Za-z0-9][\w\-]{5,63}))"
)
# Substrings every id key in text contains (any case the regex accepts is covered by one):
# they keep the regex off the lines that carry no id.
_ID_HINTS = ("equest", "EQUEST", "req_id", "reqId", "req-id", "REQ", "race", "RACE", "orrelation")
# Every hint holds one of these (a line that holds none holds no hint).
_ID_STEMS = ("eq", "EQ", "race", "RACE", "orrelation")
MAX_IDS = 200_000
MIN_PAIRS = 5
NOTICEABLE_SECONDS = 0.25  # below this, ordering is left alone: latency, not skew


def request_id(message: str, fields: Mapping[str, Any] | None) -> str | None:
    """The request or trace id a record carries, in a field or in its text."""
    if fields and not _ID_KEY_SET.isdisjoint(fields):
        for key in _ID_KEYS:
            value = fields.get(key)
            if isinstance(value, str | int) and value != "":
                return str(value)
    if fields:
        req = fields.get("req")
        if isinstance(req, dict) and req.get("id") is not None:
            return str(req["id"])
    # `any(hint in message for hint in _ID_HINTS)`, cheapest first: the hints without a `q`,
    # then those with one where the message holds a `q` (one fast scan for a letter that few
    # lines hold), in the same case
    if (
        "race" in message
        or "RACE" in message
        or "orrelation" in message
        or (
            "q" in message
            and (
                "equest" in message
                or "req_id" in message
                or "reqId" in message
                or "req-id" in message
            )
        )
        or ("Q" in message and ("EQUEST" in message or "REQ" in message))
    ):
        match = _ID_IN_TEXT_FAST.search(message)
        return match.group(1) if match is not None else None
    return None


def request_ids(message: str, fields: Mapping[str, Any] | None) -> list[str]:
    """Every request or trace id a record carries, `request_id`'s first: a record may name its
    request both ways (`reqId` and `trace_id`), and another service logs only one of them."""
    first = request_id(message, fields)
    found = [first] if first is not None else []
    if fields and not _ID_KEY_SET.isdisjoint(fields):
        for key in _ID_KEYS:
            value = fields.get(key)
            if isinstance(value, str | int) and value != "" and str(value) not in found:
                found.append(str(value))
    return found


class SkewEstimator:
    """Collects (id, service, time) sightings; `estimate()` gives seconds per service,
    positive when the service's clock runs ahead of the reference."""

    def __init__(self) -> None:
        self._seen: dict[str, dict[str, float]] = {}

    @property
    def sightings(self) -> dict[str, dict[str, float]]:
        """id -> {service: epoch seconds of its first sighting}."""
        return self._seen

    @classmethod
    def taking(cls, sightings: dict[str, dict[str, float]]) -> SkewEstimator:
        """An estimator holding `sightings` itself, not a copy: for a caller that hands them
        over (a part's result, merged and then dropped). The same as merging them into an
        empty estimator, which keeps every id of a collection within `MAX_IDS`, in order."""
        if len(sightings) > MAX_IDS:
            made = cls()
            made.merge(sightings)
            return made
        made = cls()
        made._seen = sightings
        return made

    def merge(self, sightings: dict[str, dict[str, float]], owned: bool = False) -> None:
        """Fold in the sightings of the part of the input that follows (first ones win).
        With `owned`, the caller hands them over: an id's services are taken, not copied.

        Once `MAX_IDS` ids are held no id is added, and only the held ids that `sightings`
        names may take services they lack: those are then found by one set intersection, not
        by a look-up per id of the part (a long file's parts name hundreds of thousands). Each
        id's services are a dict of its own, so the order the ids are updated in changes
        nothing."""
        seen = self._seen
        if len(seen) >= MAX_IDS:
            for identifier in seen.keys() & sightings.keys():
                held = seen[identifier]
                for service, when in sightings[identifier].items():
                    held.setdefault(service, when)
            return
        for identifier, services in sightings.items():
            mine = seen.get(identifier)
            if mine is None:
                if len(seen) >= MAX_IDS:
                    continue
                seen[identifier] = services if owned else dict(services)
            else:
                for service, when in services.items():
                    mine.setdefault(service, when)

    def add(self, identifier: str, service: str, when: datetime) -> None:
        services = self._seen.get(identifier)
        if services is None:
            if len(self._seen) >= MAX_IDS:
                return
            services = self._seen[identifier] = {}
        services.setdefault(service, when.timestamp())  # the first sighting per service

    def estimate(self) -> dict[str, float]:
        differences: dict[tuple[str, str], list[float]] = {}
        for services in self._seen.values():
            if len(services) < 2:
                continue
            names = sorted(services)
            for i, first in enumerate(names):
                for second in names[i + 1 :]:
                    differences.setdefault((first, second), []).append(
                        services[second] - services[first]
                    )
        pairs = {
            pair: statistics.median(found)
            for pair, found in differences.items()
            if len(found) >= MIN_PAIRS
        }
        if not pairs:
            return {}
        links = Counter(name for pair in pairs for name in pair)
        reference = max(sorted(links), key=lambda name: links[name])
        offsets = {reference: 0.0}
        # breadth-first over the pairs: every service linked, directly or not, to the reference
        changed = True
        while changed:
            changed = False
            for (first, second), median in pairs.items():
                if first in offsets and second not in offsets:
                    offsets[second] = offsets[first] + median
                    changed = True
                elif second in offsets and first not in offsets:
                    offsets[first] = offsets[second] - median
                    changed = True
        return {name: round(value, 3) for name, value in sorted(offsets.items())}


def corrected(when: datetime, service: str, skew: Mapping[str, float]) -> float:
    """A record's time on the reference clock, as epoch seconds."""
    offset = skew.get(service, 0.0)
    if abs(offset) < NOTICEABLE_SECONDS:
        offset = 0.0
    return when.timestamp() - offset
