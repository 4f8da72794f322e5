"""Requests traced across services: records that share a request or trace id are one request.

Inside a failing request the earliest error is where it began: a callee fails, then each
caller reports the failure it got back, later. Votes over many failing requests rank the
services where failures begin ("31 of 36 failing requests start in ts-basic-service"), and
every other service that failed in the same requests is linked to the one where they began.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ..levels import RANK

MAX_TRACED = 200_000  # ids with a warning-or-worse record kept, at most
ERROR_RANK = RANK["error"]

# (epoch seconds, file, line, level rank) of a service's earliest warning-or-worse record
Sighting = tuple[float, str, int, int]


class TraceBook:
    """id -> {service: its earliest warning-or-worse record in that request}."""

    def __init__(self) -> None:
        self.failures: dict[str, dict[str, Sighting]] = {}

    def add(
        self, identifier: str, service: str, when: float, file: str, line: int, rank: int
    ) -> None:
        services = self.failures.get(identifier)
        if services is None:
            if len(self.failures) >= MAX_TRACED:
                return
            services = self.failures[identifier] = {}
        seen = services.get(service)
        if seen is None or when < seen[0]:
            services[service] = (when, file, line, rank)

    def merge(self, other: TraceBook) -> None:
        """Fold in the book of another part of the input (earliest sightings win)."""
        for identifier, services in other.failures.items():
            for service, (when, file, line, rank) in services.items():
                self.add(identifier, service, when, file, line, rank)


@dataclass
class TraceVotes:
    """Where failing requests begin: per service, the requests whose earliest incident error
    it logged; per (service, cause), the requests in which `service` failed right after `cause`."""

    requests: int = 0  # failing requests seen by two services or more
    origins: Counter[str] = field(default_factory=Counter)
    links: Counter[tuple[str, str]] = field(default_factory=Counter)
    example: dict[str, tuple[str, int]] = field(default_factory=dict)  # origin -> file, line
    services: set[str] = field(default_factory=set)  # every service seen in a failing request
    # failing requests per service, and per (failing service, service seen in the same request
    # without failing in it): a slow callee that logs no error still takes part
    failing: Counter[str] = field(default_factory=Counter)
    participants: Counter[tuple[str, str]] = field(default_factory=Counter)
    # a failing request worth tracing: the one seen by the most services, the earliest of them
    example_trace: str | None = None

    def share(self, service: str) -> float:
        return self.origins[service] / self.requests if self.requests else 0.0

    def summary(self, service: str) -> str:
        return f"{self.origins[service]} of {self.requests} failing requests begin in {service}"


def vote(
    book: TraceBook,
    sightings: Mapping[str, Mapping[str, float]],
    is_incident: Callable[[str, int], bool],
    correct: Callable[[str, float], float],
    onset_of: Callable[[str], float] | None = None,
    tie_seconds: float = 0.0,
) -> TraceVotes:
    """Votes over the failing requests: those with an incident record (`is_incident(file,
    line)`) that at least two services logged. Times are put on one clock by `correct`.
    Errors closer than `tie_seconds` (the uncertainty of that correction: a skew estimated
    from the same requests absorbs their call latency) are a tie, which goes to the service
    whose incident began first (`onset_of`), then to the one that joined the request last,
    the deepest callee."""
    votes = TraceVotes()
    widest: tuple[int, float] | None = None  # (-services, earliest error) of example_trace
    for identifier, failed in book.failures.items():
        seen = sightings.get(identifier, {})
        if len(seen) < 2 and len(failed) < 2:
            continue
        incident = [
            (correct(service, when), -seen.get(service, when), service, file, line)
            for service, (when, file, line, _) in failed.items()
            if is_incident(file, line)
        ]
        if not incident:
            continue
        incident.sort()
        earliest = incident[0][0]
        tied = [entry for entry in incident if entry[0] - earliest <= tie_seconds]
        if len(tied) > 1 and onset_of is not None:
            tied.sort(key=lambda e: (onset_of(e[2]), e[1], e[0]))
            incident.remove(tied[0])
            incident.insert(0, tied[0])
        _, _, origin, file, line = incident[0]
        votes.requests += 1
        votes.origins[origin] += 1
        votes.services.update(seen)
        votes.services.update(failed)
        failing_here = {entry[2] for entry in incident}
        for service in failing_here:
            votes.failing[service] += 1
            for other in seen:
                if other not in failed:
                    votes.participants[(service, other)] += 1
        votes.example.setdefault(origin, (file, line))
        rank = (-len(seen.keys() | failed.keys()), incident[0][0])
        if widest is None or rank < widest:
            widest, votes.example_trace = rank, identifier
        # each service that failed later in the request is linked to the one that failed
        # just before it: its immediate callee, not the far end of the chain
        previous = origin
        for _, _, service, _, _ in incident[1:]:
            if service != previous:
                votes.links[(service, previous)] += 1
                previous = service
    return votes


def widest_failure(
    book: TraceBook,
    sightings: Mapping[str, Mapping[str, float]],
    correct: Callable[[str, float], float],
) -> str | None:
    """The failing request seen by the most services (one with an error before one with
    warnings only), the earliest of them: a request worth tracing when no vote found one."""
    best: tuple[bool, int, float] | None = None
    found: str | None = None
    for identifier, failed in book.failures.items():
        worst = max(rank for _, _, _, rank in failed.values())
        earliest = min(correct(service, when) for service, (when, *_) in failed.items())
        services = sightings.get(identifier, {}).keys() | failed.keys()
        rank = (worst < ERROR_RANK, -len(services), earliest)
        if best is None or rank < best:
            best, found = rank, identifier
    return found
