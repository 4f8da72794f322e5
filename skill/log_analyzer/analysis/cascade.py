"""The cascade: the services that failed in the incident, in the order they began, each
linked to the service whose failure caused its own, from evidence only.

A link needs a reason: the failing service's incident lines name the other (its name, host,
or technology: `lettuce` names Redis), or the two failed in the same requests with the other
failing first. Onset order only breaks ties between reasons of equal weight; with no reason the
link is null (better than a wrong one). An edge proxy is never the cause of its upstreams'
failures, and the root cause is caused by nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ..levels import RANK
from .identity import mentions, names_for
from .onsets import GroupOnset
from .report import CascadeStep
from .tracing import TraceVotes


@dataclass
class ServiceOnset:
    """A service's part in the incident: its earliest incident group and the text of all."""

    service: str
    first: GroupOnset
    texts: list[str] = field(default_factory=list)

    @property
    def when(self) -> float:
        return self.first.when


def service_onsets(groups: Sequence[GroupOnset]) -> list[ServiceOnset]:
    """Per service, its earliest incident group (a higher level first at the same instant),
    in onset order."""
    by_service: dict[str, ServiceOnset] = {}
    for item in groups:
        group = item.group
        text = " ".join(
            (group.template, group.example.text, group.label, group.exception or "", item.context)
        )
        found = by_service.get(group.service)
        if found is None:
            by_service[group.service] = ServiceOnset(group.service, item, [text])
            continue
        found.texts.append(text)
        if (item.when, -RANK[group.level]) < (found.when, -RANK[found.first.group.level]):
            found.first = item
    return sorted(by_service.values(), key=lambda s: (s.when, s.service))


def link(
    onsets: Sequence[ServiceOnset],
    root: str | None,
    proxies: set[str],
    votes: TraceVotes,
    width: int,
    fallback: str | None = None,
) -> list[CascadeStep]:
    """The cascade steps, each with `caused_by` from evidence (see the module docstring). A
    service that began failing after `fallback` (the first failure's) with nothing linking it
    to anyone is linked to `fallback` at a low confidence, saying so: most such services are
    its victims through a dependency no line names."""
    position = {s.service: i for i, s in enumerate(onsets)}
    causes: dict[str, str | None] = {}
    reasons: dict[str, list[str]] = {}
    confidence: dict[str, float] = {}
    for current in onsets:
        service = current.service
        causes[service], reasons[service], confidence[service] = None, [], 0.0
        if service == root:
            continue
        own = names_for(service)
        scored: list[tuple[float, bool, int, str, list[str]]] = []
        for other in onsets:
            name = other.service
            if name == service or name in proxies or _leads_to(name, service, causes):
                continue
            evidence: list[str] = []
            score = 0.0
            traced = votes.links.get((service, name), 0)
            reverse = votes.links.get((name, service), 0)
            if traced > reverse:  # more requests failed here after failing there than back
                evidence.append(
                    f"{traced} failing requests reached {service} after failing in {name}"
                )
                score += 2.0 * traced / (traced + reverse) + min(1.0, (traced - reverse) / 10)
            took_part = votes.participants.get((service, name), 0)
            if other.first.group.template_id == "latency" and took_part >= max(
                3, votes.failing[service] / 2
            ):
                evidence.append(
                    f"{name}, slow then, took part in {took_part} of its "
                    f"{votes.failing[service]} failing requests"
                )
                score += 1.5
            if any(mentions(text, name, own) for text in current.texts):
                evidence.append(f"its errors name {name}")
                score += 1.0
            if not evidence:
                continue
            if name == root:
                score += 0.25
            gap = current.when - other.when
            if gap < -width:  # began well after: a cause cannot follow its effect by much
                score -= 1.0
            if score <= 0:
                continue
            evidence.insert(0, f"began {gap:.1f} s after {name}" if gap >= 0 else "")
            scored.append((score, gap < 0, -position[name], name, [e for e in evidence if e]))
        if not scored:
            first = next((o for o in onsets if o.service == fallback), None)
            if (
                first is not None
                and service != fallback
                and fallback not in proxies
                and current.when >= first.when
                and not _leads_to(fallback, service, causes)  # type: ignore[arg-type]
            ):
                causes[service] = fallback
                reasons[service] = [
                    f"no line links it: began {current.when - first.when:.1f} s after the "
                    f"first failure in {fallback}"
                ]
                confidence[service] = 0.25
            continue
        # the weightiest reason; between equals, one that failed before this one, the latest
        scored.sort()
        scored.sort(key=lambda s: -s[0])
        best, _, _, cause, evidence = scored[0]
        causes[service] = cause
        reasons[service] = evidence
        confidence[service] = round(min(0.95, 0.35 + 0.2 * best), 2)
    return [
        CascadeStep(
            service=s.service,
            onset=datetime.fromtimestamp(s.when, UTC),
            group_id=s.first.group.id,
            label=s.first.group.label,
            caused_by=causes[s.service],
            confidence=confidence[s.service],
            evidence=reasons[s.service],
        )
        for s in onsets
    ]


def label_alone(label: str, service: str) -> str:
    """A group's label without its service's name in front (`redis Cannot allocate memory`
    -> `Cannot allocate memory`), where the service is said beside it."""
    head, _, rest = label.partition(" ")
    same = head.replace("_", "-").lower() == service.replace("_", "-").lower()
    return rest if same and rest else label


def _leads_to(start: str, target: str, causes: dict[str, str | None]) -> bool:
    """True when following `caused_by` from `start` reaches `target` (a link would loop)."""
    seen = set()
    current: str | None = start
    while current is not None and current not in seen:
        if current == target:
            return True
        seen.add(current)
        current = causes.get(current)
    return False
