"""Match error text against the failure signatures of `signatures.toml` and turn the matches
of an investigation's groups into ordered, deduplicated recommendations."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ..analysis.report import InvestigatedGroup, Investigation, Recommendation

BASE = Path(__file__).with_name("signatures.toml")
PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
# A captured value goes into a shell command: only plain identifiers, paths and addresses.
SAFE_VALUE = re.compile(r"^[\w.:/@%+*=-]{1,200}$")
MAX_RECOMMENDATIONS = 8
MAX_ACTIONS_PER_SIGNATURE = 4

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
    actions: list[str]  # placeholders filled; actions whose values were not captured are left out
    why: str
    captures: dict[str, str]
    matched: int  # characters matched, summed over the patterns that matched


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
        return _bundled()
    return _load(path)


@cache
def _bundled() -> tuple[Signature, ...]:
    return _load(BASE)


def _load(path: Path) -> tuple[Signature, ...]:
    with path.open("rb") as f:
        data: dict[str, Any] = tomllib.load(f)
    raw = data.get("signature")
    if not isinstance(raw, list):
        raise ValueError(f"{path}: no [[signature]] tables")
    return tuple(_signature(item) for item in raw)


def placeholders(action: str) -> list[str]:
    return PLACEHOLDER.findall(action)


def fill(action: str, captures: dict[str, str]) -> str | None:
    """`action` with its placeholders replaced, or None if one of them was not captured."""
    if any(name not in captures for name in placeholders(action)):
        return None
    return PLACEHOLDER.sub(lambda m: captures[m.group(1)], action)


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
    actions = [a for a in (fill(action, captures) for action in signature.actions) if a]
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
    parts = [group.example.text, group.template, group.label, group.exception or ""]
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
        indices = done.setdefault(top.signature, set())
        for index, template in enumerate(signature.actions[:MAX_ACTIONS_PER_SIGNATURE]):
            action = fill(template, top.captures)
            if action is None or index in indices:
                continue  # not fillable from this group, or already proposed for a closer one
            indices.add(index)
            rec = Recommendation(action=action, why=why, signature=top.signature, group_id=group.id)
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
