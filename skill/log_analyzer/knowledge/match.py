"""Match error text against the failure signatures of `signatures.toml` and turn the matches
of an investigation's groups into ordered, deduplicated recommendations.

An action holds two kinds of blanks. `{name}` is a value the signature's patterns capture: an
action whose value was not captured is left out. `<name>` is a value the reader may have to
supply: filled from a capture of the same name, from the investigation (the group's service,
the services calling the failing one, a value found in the incident's error texts), or else
said in words from the base's `[placeholders]` table.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ..analysis.identity import is_orchestrator, is_proxy, mentions, names_for
from ..analysis.report import InvestigatedGroup, Investigation, Recommendation

BASE = Path(__file__).with_name("signatures.toml")
PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
BLANK = re.compile(r"<([a-z][a-z0-9_-]*)>")
# A captured value goes into a shell command: only plain identifiers, paths and addresses.
SAFE_VALUE = re.compile(r"^[\w.:/@%+*=-]{1,200}$")
MAX_RECOMMENDATIONS = 8
MAX_ACTIONS_PER_SIGNATURE = 5
SOURCES = ("service", "clients")  # what a `<name>` may be filled from in the investigation

FIELDS: dict[str, type] = {
    "id": str,
    "title": str,
    "patterns": list,
    "ecosystems": list,
    "cause": str,
    "actions": list,
    "followups": list,
    "docs": list,
    "urgency": int,
    "specificity": int,
    "examples": list,
    "counterexamples": list,
}


@dataclass(frozen=True)
class Signature:
    id: str
    title: str
    patterns: tuple[re.Pattern[str], ...]
    ecosystems: tuple[str, ...]
    cause: str
    actions: tuple[str, ...]
    followups: tuple[str, ...]
    docs: tuple[str, ...]
    urgency: int  # 1 = act now ... 3
    specificity: int  # 3 = one product's wording, 2 = a client or library, 1 = generic
    examples: tuple[str, ...]
    counterexamples: tuple[str, ...]


class SignatureMatch(BaseModel):
    signature: str
    title: str
    urgency: int
    specificity: int
    # placeholders filled (an action whose values were not captured is left out), blanks
    # filled or said in words
    actions: list[str]
    why: str
    captures: dict[str, str]
    matched: int  # characters matched, summed over the patterns that matched


@dataclass(frozen=True)
class Placeholder:
    """A `<name>` of the actions: what to put there, and where the investigation may have it."""

    name: str
    words: str  # said after the action when no value was found
    source: str | None  # "service": the group's own; "clients": those calling the failing one
    find: tuple[re.Pattern[str], ...]  # a value in the incident's error texts (first group)


def _strings(raw: dict[str, Any], key: str) -> tuple[str, ...]:
    value = raw[key]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"signature {raw.get('id')!r}: {key} must be a list of strings")
    return tuple(value)


def _signature(raw: dict[str, Any]) -> Signature:
    for key, kind in FIELDS.items():
        if key not in raw:
            raise ValueError(f"signature {raw.get('id')!r}: missing {key}")
        if not isinstance(raw[key], kind):
            raise ValueError(f"signature {raw.get('id')!r}: {key} must be {kind.__name__}")
    return Signature(
        id=raw["id"],
        title=raw["title"],
        patterns=tuple(
            re.compile(p, re.IGNORECASE | re.MULTILINE) for p in _strings(raw, "patterns")
        ),
        ecosystems=_strings(raw, "ecosystems"),
        cause=raw["cause"],
        actions=_strings(raw, "actions"),
        followups=_strings(raw, "followups"),
        docs=_strings(raw, "docs"),
        urgency=raw["urgency"],
        specificity=raw["specificity"],
        examples=_strings(raw, "examples"),
        counterexamples=_strings(raw, "counterexamples"),
    )


def load_signatures(path: Path | None = None) -> tuple[Signature, ...]:
    """The signatures of `path` (default: the bundled base), validated and compiled."""
    if path is None:
        return _bundled()[0]
    return _load(path)[0]


def load_placeholders(path: Path | None = None) -> dict[str, Placeholder]:
    """The `[placeholders]` of `path` (default: the bundled base): what each `<name>` is."""
    if path is None:
        return _bundled()[1]
    return _load(path)[1]


@cache
def _bundled() -> tuple[tuple[Signature, ...], dict[str, Placeholder]]:
    return _load(BASE)


def _load(path: Path) -> tuple[tuple[Signature, ...], dict[str, Placeholder]]:
    with path.open("rb") as f:
        data: dict[str, Any] = tomllib.load(f)
    raw = data.get("signature")
    if not isinstance(raw, list):
        raise ValueError(f"{path}: no [[signature]] tables")
    blanks = data.get("placeholders", {})
    if not isinstance(blanks, dict):
        raise ValueError(f"{path}: [placeholders] must be a table")
    return tuple(_signature(item) for item in raw), {
        name: _placeholder(name, value) for name, value in blanks.items()
    }


def _placeholder(name: str, raw: Any) -> Placeholder:
    if not isinstance(raw, dict) or not isinstance(raw.get("words"), str):
        raise ValueError(f"placeholder {name!r}: needs words")
    source = raw.get("from")
    if source is not None and source not in SOURCES:
        raise ValueError(f"placeholder {name!r}: from must be one of {', '.join(SOURCES)}")
    find = raw.get("find", [])
    if not isinstance(find, list) or not all(isinstance(p, str) for p in find):
        raise ValueError(f"placeholder {name!r}: find must be a list of patterns")
    return Placeholder(
        name, raw["words"], source, tuple(re.compile(p, re.IGNORECASE) for p in find)
    )


def placeholders(action: str) -> list[str]:
    return PLACEHOLDER.findall(action)


def blanks(action: str) -> list[str]:
    """The `<name>`s of an action, in order, each once."""
    return list(dict.fromkeys(BLANK.findall(action)))


def fill(action: str, captures: dict[str, str]) -> str | None:
    """`action` with its placeholders replaced, or None if one of them was not captured."""
    if any(name not in captures for name in placeholders(action)):
        return None
    return PLACEHOLDER.sub(lambda m: captures[m.group(1)], action)


def explain(action: str, values: dict[str, str]) -> str:
    """`action` with its `<name>`s filled from `values`; those left are said in words after
    it: `... du -xh <mount> (<mount>: the mount point of the full filesystem ...)`."""
    glossary = load_placeholders()
    left = [name for name in blanks(action) if name not in values]
    text = BLANK.sub(lambda m: values.get(m.group(1), m.group(0)), action)
    said = [f"<{name}>: {glossary[name].words}" for name in left if name in glossary]
    return f"{text} ({'; '.join(said)})" if said else text


def _match_one(signature: Signature, text: str) -> SignatureMatch | None:
    captures: dict[str, str] = {}
    matched = 0
    for pattern in signature.patterns:
        found = pattern.search(text)
        if found is None:
            continue
        matched += len(found.group(0))
        for name, value in found.groupdict().items():
            if value is not None and name not in captures and SAFE_VALUE.match(value):
                captures[name] = value
    if not matched:
        return None
    actions = [
        explain(a, captures) for a in (fill(action, captures) for action in signature.actions) if a
    ]
    return SignatureMatch(
        signature=signature.id,
        title=signature.title,
        urgency=signature.urgency,
        specificity=signature.specificity,
        actions=actions,
        why=signature.cause,
        captures=captures,
        matched=matched,
    )


def match(text: str, signatures: tuple[Signature, ...] | None = None) -> list[SignatureMatch]:
    """Every signature `text` matches: most specific first, then most urgent, then the one
    whose patterns cover the most text."""
    found = [m for s in signatures or load_signatures() if (m := _match_one(s, text))]
    found.sort(key=lambda m: (-m.specificity, m.urgency, -m.matched, m.signature))
    return found


def group_text(group: InvestigatedGroup) -> str:
    """What a group says: its example line, the error a field of it states (logfmt
    `error="..."`, pino's `err`), its template, label and exception."""
    example = group.example
    parts = [example.text, example.error or "", group.template, group.label, group.exception or ""]
    return "\n".join(p for p in parts if p)


def _ordered_groups(investigation: Investigation) -> list[InvestigatedGroup]:
    """The root-cause group, the first failure's group, then the other novel or surging
    groups, in the investigation's order."""
    by_id = {g.id: g for g in investigation.error_groups}
    first = [
        investigation.root_cause.group_id if investigation.root_cause else None,
        investigation.first_failure.group_id if investigation.first_failure else None,
    ]
    ordered: list[InvestigatedGroup] = []
    for group_id in first:
        if group_id in by_id and by_id[group_id] not in ordered:
            ordered.append(by_id[group_id])
    for group in investigation.error_groups:
        if group not in ordered and not group.chronic and (group.novel or group.surging):
            ordered.append(group)
    return ordered


def recommend(
    investigation: Investigation, limit: int = MAX_RECOMMENDATIONS
) -> list[Recommendation]:
    """One recommendation per action of the signatures the incident's groups match, ordered by
    urgency and by how close the group is to the root cause; each signature is used once (for
    the closest group), each action once."""
    by_id = {s.id: s for s in load_signatures()}
    found = _found_values(investigation)
    clients: dict[str, list[str]] = {}  # failing service -> the services calling it
    candidates: list[tuple[int, int, int, Recommendation]] = []
    done: dict[str, set[int]] = {}  # signature id -> indices of the actions already proposed
    for rank, group in enumerate(_ordered_groups(investigation)):
        matches = match(group_text(group))
        if not matches:
            continue
        top = matches[0]
        signature = by_id[top.signature]
        evidence = (
            f"{group.label} ({group.count}x, first at {group.example.file}:{group.example.line})"
        )
        why = f"{top.why} Evidence: {evidence}."
        failing = _failing(investigation, signature)
        if failing not in clients:
            clients[failing] = _clients(investigation, failing)
        values = {**found, **_context(group, clients[failing]), **top.captures}
        indices = done.setdefault(top.signature, set())
        for index, template in enumerate(signature.actions[:MAX_ACTIONS_PER_SIGNATURE]):
            action = fill(template, top.captures)
            if action is None or index in indices:
                continue  # not fillable from this group, or already proposed for a closer one
            indices.add(index)
            rec = Recommendation(
                action=explain(action, values), why=why, signature=top.signature, group_id=group.id
            )
            candidates.append((top.urgency, rank, index, rec))
    candidates.sort(key=lambda c: c[:3])
    seen: set[str] = set()
    out: list[Recommendation] = []
    for *_, rec in candidates:
        if rec.action in seen:
            continue
        seen.add(rec.action)
        out.append(rec)
        if len(out) == limit:
            break
    return out


def _found_values(investigation: Investigation) -> dict[str, str]:
    """Values of the `<name>`s that say where to look (`find`), from the error texts of every
    group: a Redis warning that names its maxmemory fills the advice to raise it."""
    texts = [
        text
        for group in investigation.error_groups
        for text in (group.example.text, group.example.error)
        if text
    ]
    values: dict[str, str] = {}
    for name, blank in load_placeholders().items():
        for pattern in blank.find:
            hit = next((m for t in texts if (m := pattern.search(t)) is not None), None)
            if hit is not None:
                value = "".join(hit.group(1).split())
                if SAFE_VALUE.match(value):
                    values[name] = value
                    break
    return values


def _context(group: InvestigatedGroup, clients: list[str]) -> dict[str, str]:
    """The `<name>`s the investigation knows for `group`: its service (not when an
    orchestrator or a proxy speaks of others), the clients of the failing service."""
    values: dict[str, str] = {}
    glossary = load_placeholders()
    own = group.service
    for name, blank in glossary.items():
        if blank.source == "service" and own and SAFE_VALUE.match(own):
            if not is_orchestrator(own) and not is_proxy(own):
                values[name] = own
        elif blank.source == "clients" and clients:
            values[name] = ", ".join(clients)
    return values


def _failing(investigation: Investigation, signature: Signature) -> str:
    """The service a signature is about: one named for its first ecosystem (`redis`,
    `sessions-redis`), else the root cause's, else the first failure's."""
    technology = signature.ecosystems[0] if signature.ecosystems else ""
    named = sorted(
        {s.service for s in investigation.sources} | {g.service for g in investigation.error_groups}
    )
    for service in named:
        if technology in re.split(r"[-_.\s/]+", service.lower()):
            return service
    root = investigation.root_cause or investigation.first_failure
    return root.service if root is not None else ""


def _clients(investigation: Investigation, failing: str) -> list[str]:
    """The services that call `failing`: after it in the cascade, or whose incident errors
    name it; proxies left out (they hold no connection pool to restart)."""
    if not failing:
        return []
    formats: dict[str, set[str]] = {}
    for source in investigation.sources:
        formats.setdefault(source.service, set()).update(source.formats or {source.format})
    downstream = {failing}
    for step in investigation.cascade:  # in onset order: a cause comes before its effects
        if step.caused_by in downstream:
            downstream.add(step.service)
    naming = {
        group.service
        for group in investigation.error_groups
        if not group.chronic
        and (group.novel or group.surging)
        and mentions(group_text(group), failing, names_for(group.service))
    }
    order = [step.service for step in investigation.cascade]
    return sorted(
        (
            service
            for service in (downstream | naming) - {failing}
            if SAFE_VALUE.match(service)
            and not is_proxy(service, formats.get(service, set()))
            and not is_orchestrator(service)
        ),
        key=lambda s: (order.index(s) if s in order else len(order), s),
    )
