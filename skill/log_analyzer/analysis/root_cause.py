"""The root cause: the culprit, not the reporter.

Starting from the first failure's service, general rules move the blame to where the failure
is, always checked against the accused component's own log:

- an orchestrator's or the kernel's line (kubelet, systemd, the OOM killer) is about the pod,
  unit or process it names, mapped to its service;
- when the first failure's line names another service (a proxy rejecting its upstream's
  certificate, a database refusing a job's connections, clients failing to resolve names) and
  that service's own log changed at that moment, it is the culprit; when its log shows nothing
  unusual, the blame stays with the one that raised the error. A server out of its own disk or
  memory failed by itself, whoever met the failure;
- an edge proxy is a victim of its upstreams, never their cause;
- request traces vote: the service where most failing requests begin.

Works on the summaries it is given; it never re-reads files.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..levels import RANK
from ..mining.group_models import Example
from ..services import canonical_service
from .cascade import ServiceOnset, label_alone
from .identity import is_orchestrator, mentions, names_for
from .onsets import GroupOnset
from .report import CascadeStep, Hypothesis, RootCause
from .tracing import TraceVotes

_KILLED_PID = re.compile(r"\b[Kk]illed process (\d+)")
_NAMED_POD = re.compile(
    r"\bpod[=:\s]+\"?(?:[\w-]+/)?(?P<pod>[a-z0-9][a-z0-9-]+)|"
    r"\bcontainer[=:\s]+\"?(?P<container>[a-z0-9][a-z0-9-]+)|"
    r"\b(?P<unit>[a-z0-9][a-z0-9-]+)\.service\b"
)
# A server out of its own resource failed by itself, whoever's request met the failure.
_OWN_EXHAUSTION = re.compile(
    r"No space left on device|could not extend file|Cannot allocate memory|out of memory|"
    r"Too many open files|disk quota exceeded",
    re.IGNORECASE,
)
# A server failing the handshake of an incoming connection: the peer's certificate is at fault.
_INCOMING_TLS = re.compile(
    r"handshake (?:error|failure|failed) from|client certificate|peer certificate|"
    r"bad certificate|certificate required|no certificate returned|while SSL handshaking, client",
    re.IGNORECASE,
)
MIN_TRACED_REQUESTS = 3
STARTER_WINDOW = 600.0  # a job that began this long before the first failure may have caused it
STARTER_MIN_LEAD = 180.0  # ... when its log began well into the window (not with it)


@dataclass
class Suspect:
    service: str
    group: GroupOnset | None
    score: float
    reasons: list[str] = field(default_factory=list)
    evidence: list[Example] = field(default_factory=list)


def root_cause(
    first: GroupOnset,
    onsets: Sequence[ServiceOnset],
    steps: Sequence[CascadeStep],
    votes: TraceVotes,
    services: Sequence[str],
    pids: Mapping[str, set[str]],
    changed: set[str],
    proxies: set[str],
    weak: bool,
    starts: Mapping[str, float] | None = None,
    window_start: float | None = None,
    dated: bool = False,
) -> RootCause:
    """The best suspect and the top hypotheses. `changed`: services whose own log shows a
    change near the incident (an incident group, a stop, a latency rise, a restart); `weak`:
    the incident shows no rise of the error rate (confidences say so); `dated`: the logs span
    more than one day, so the sentences' times carry their dates."""
    by_service = {s.service: s for s in onsets}
    suspects: dict[str, Suspect] = {}

    def suspect(service: str) -> Suspect:
        found = suspects.get(service)
        if found is None:
            onset = by_service.get(service)
            found = suspects[service] = Suspect(service, onset.first if onset else None, 0.0)
            if onset is not None:
                found.evidence.append(onset.first.group.example)
        return found

    # every service in the cascade, earlier ones more likely
    for rank, onset in enumerate(onsets):
        entry = suspect(onset.service)
        entry.score += max(0.05, 0.3 - 0.08 * rank)
        if onset.first.group.level and RANK[onset.first.group.level] >= RANK["error"]:
            entry.score += 0.05
    reporter = first.group.service
    head = suspect(reporter)
    head.score += 0.45
    head.reasons.append(
        f"{reporter} failed first: {label_alone(first.group.label, reporter)} at "
        f"{_clock(first.when, dated)} ({first.group.count:,} in the window)"
    )
    # the pod, unit or process an orchestrator's line is about
    text = f"{first.group.example.text} {first.context}"
    accused = _accused(reporter, text, services, pids)
    if accused is not None:
        name, why = accused
        entry = suspect(name)
        if name in changed or is_orchestrator(reporter):
            # the first failure is about this one: the blame moves with it
            entry.score += 1.05
            head.score -= 0.45
            entry.reasons.append(why)
            entry.evidence.insert(0, first.group.example)
        else:
            head.reasons.append(f"{why}, but {name}'s own log shows nothing unusual then")
    # a server that rejects its peers' certificates reports the client's broken credential:
    # the culprit is the client that began failing against it at that moment
    if accused is None and _INCOMING_TLS.search(text):
        clients = [
            s for s in steps if s.caused_by == reporter and s.onset.timestamp() - first.when <= 60
        ]
        if clients:
            client = suspect(clients[0].service)
            client.score += 1.05
            head.score -= 0.45
            client.reasons.append(
                f"{reporter} rejects the certificate its clients present, and {client.service}"
                f" began failing against {reporter} then: the credential is {client.service}'s"
            )
    # a job or service that began just before a store degraded, and whose own errors name the
    # store, brought the load: a batch job overloading a shared database or search cluster
    if accused is None and starts and window_start is not None and not _OWN_EXHAUSTION.search(text):
        for onset in onsets:
            began = starts.get(onset.service)
            if (
                onset.service == reporter
                or began is None
                or began - window_start < STARTER_MIN_LEAD
                or not first.when - STARTER_WINDOW <= began <= first.when
                or not any(mentions(t, reporter) for t in onset.texts)
            ):
                continue
            starter = suspect(onset.service)
            starter.score += 0.9
            head.score -= 0.3
            starter.reasons.append(
                f"{onset.service} began at {_clock(began, dated)}, "
                f"{first.when - began:.0f} s before {reporter} degraded, and its errors name "
                f"{reporter}: it brought the load"
            )
            break
    # a proxy reports its upstreams' failures
    for proxy in proxies & suspects.keys():
        entry = suspects[proxy]
        entry.score *= 0.3
        upstreams = [s.caused_by for s in steps if s.service == proxy and s.caused_by]
        entry.reasons.append(
            "an edge proxy reports its upstreams' failures"
            + (f" ({upstreams[0]})" if upstreams else "")
        )
        if upstreams:
            suspect(upstreams[0]).score += 0.3
    # votes of the failing requests; where they begin in a service whose own errors point
    # at an earlier failure (a dependency that logs no request ids), the blame goes on to it
    if votes.requests >= MIN_TRACED_REQUESTS:
        # requests traced only through services that log ids: when the first failure is in
        # one that logs none (a database, a cache), they cannot see past where they began
        traced_reporter = reporter in votes.services
        by_end: dict[str, list[tuple[str, int]]] = {}
        for service, count in votes.origins.most_common(3):
            by_end.setdefault(_chain_end(service, steps), []).append((service, count))
        for end, origins in by_end.items():
            entry = suspect(end)
            share = sum(count for _, count in origins) / votes.requests
            entry.score += 0.6 * share * (1.0 if traced_reporter else 0.5)
            begin = ", ".join(f"{service} ({count})" for service, count in origins)
            if [service for service, _ in origins] == [end]:
                entry.reasons.append(votes.summary(end))
            else:
                entry.reasons.append(
                    f"{sum(c for _, c in origins)} of {votes.requests} failing requests begin in "
                    f"{begin}, whose errors point at {end}, which failed first"
                )
            for service, _ in origins:
                example = votes.example.get(service)
                if example is not None and entry.group is None:
                    entry.evidence.append(Example(file=example[0], line=example[1], text=""))
    # the services others' failures point at, along the cascade
    for step in steps:
        if step.caused_by is not None:
            suspect(step.caused_by).score += 0.08
    ranked = sorted(suspects.values(), key=lambda s: (-s.score, s.service))
    hypotheses = [_hypothesis(s, ranked, first, weak, steps, dated) for s in ranked[:3]]
    best = hypotheses[0]
    return RootCause(**best.model_dump(), hypotheses=hypotheses)


def _chain_end(service: str, steps: Sequence[CascadeStep]) -> str:
    """Follow `caused_by` from `service` to the service that failed first along the chain."""
    causes = {step.service: step for step in steps}
    seen = {service}
    current = service
    while True:
        step = causes.get(current)
        if step is None or step.caused_by is None or step.caused_by in seen:
            return current
        cause = causes.get(step.caused_by)
        if cause is None or cause.onset > step.onset:
            return current
        current = step.caused_by
        seen.add(current)


def _accused(
    reporter: str, text: str, services: Sequence[str], pids: Mapping[str, set[str]]
) -> tuple[str, str] | None:
    """(service, why) when the first failure's own line is about another service."""
    killed = _KILLED_PID.search(text)
    if killed is not None:
        owners = pids.get(killed.group(1), set()) - {reporter}
        if len(owners) == 1:
            owner = next(iter(owners))
            return owner, f"the kernel killed process {killed.group(1)}, which {owner} logs as"
    if is_orchestrator(reporter):
        for match in _NAMED_POD.finditer(text):
            name = canonical_service(next(g for g in match.groups() if g))
            for service in services:
                if service != reporter and (service == name or name in names_for(service)):
                    return service, f"{reporter}'s line is about {service}"
    if _OWN_EXHAUSTION.search(text):
        return None
    own = names_for(reporter)
    for service in services:
        if service == reporter or is_orchestrator(service):
            continue
        if mentions(text, service, own):
            return service, f"the line that reports it names {service}: {text.strip()[:160]}"
    return None


def _hypothesis(
    entry: Suspect,
    ranked: Sequence[Suspect],
    first: GroupOnset,
    weak: bool,
    steps: Sequence[CascadeStep],
    dated: bool = False,
) -> Hypothesis:
    total = sum(max(s.score, 0.0) for s in ranked[:3]) or 1.0
    margin = entry.score / total
    confidence = min(0.95, 0.25 + 0.7 * margin + (0.1 if entry is ranked[0] else 0.0))
    if weak:
        confidence *= 0.7
    group = entry.group.group if entry.group is not None else first.group
    followers = [s.service for s in steps if s.caused_by == entry.service]
    parts = list(dict.fromkeys(p for p in entry.reasons if p))  # each fact once
    if entry.group is not None and not parts:
        parts.append(
            f"{entry.service} began failing at {_clock(entry.group.when, dated)} "
            f"({label_alone(group.label, entry.service)})"
        )
    if followers:
        parts.append(f"{_and(followers)} failed after it, naming or tracing back to it")
    if entry.group is not None:
        parts.append(_novelty(entry.group, dated))
    summary = "; ".join(parts) + "."
    if not summary.startswith(entry.service):  # the service is the sentence's subject
        summary = f"{entry.service}: {summary}"
    return Hypothesis(
        service=entry.service,
        group_id=group.id,
        label=group.label,
        summary=summary,
        confidence=round(confidence, 2),
        evidence=entry.evidence[:5] or [first.group.example],
    )


def _novelty(item: GroupOnset, dated: bool = False) -> str:
    """Whether the error is new, counted from its records: one that surged only from its first
    record on (its service's log began just before) is new too, never "there before"."""
    if item.novel:
        return "this error was absent before"
    before = [when for when, _, _ in item.occurrences if when < item.when]
    if not before:
        return "this error first appeared then"
    times = "once" if len(before) == 1 else f"{len(before):,} times"
    return (
        f"this error was there before ({times} from {_clock(before[0], dated)}), and its rate "
        f"jumped at {_clock(item.when, dated)}"
    )


def _and(names: Sequence[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _clock(epoch: float, dated: bool = False) -> str:
    """`14:01:58.207 UTC`, `2026-11-28 14:01:58.207 UTC` when `dated` (the format of
    `render.human.human_time`; analysis sits below render, so it writes its own sentences'
    times)."""
    from datetime import UTC, datetime

    value = datetime.fromtimestamp(epoch, UTC)
    shown = value.strftime("%H:%M:%S.%f")[:-3] if value.microsecond else value.strftime("%H:%M:%S")
    return f"{value.strftime('%Y-%m-%d ') if dated else ''}{shown} UTC"
