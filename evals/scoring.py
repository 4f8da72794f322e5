"""The eval cases and their scoring: pure functions, no model, no network.

`cases.toml` holds, per incident, the facts a right answer must state (each a list of
alternatives) and the questions to ask (each naming the facts its answer needs). An incident is
a bundled folder (`fixtures/incidents/<name>/`) or, with a `source` table, a held-out incident
rendered at run time (`fixtures/families/render.py`); `overrule` names the facts the
deterministic analysis gets wrong on it. An answer scores one point per fact it states; a fact
is stated when any one of its alternatives is found in the answer:

- a string is a case-insensitive substring: `"maxmemory"`;
- a string starting with `re:` is a case-insensitive regular expression:
  `'re:redis-server\\.log:12\\b'` (the `\\b` keeps `:12` from matching `:120`);
- a list of strings needs all of them, in any order: `["redis-server.log", "14:01:58"]`
  (the file and the time of the first failure, when the answer gives no line number).
"""

from __future__ import annotations

import fnmatch
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

CASES = Path(__file__).resolve().parent / "cases.toml"
REGEX = "re:"

Alternative = str | tuple[str, ...]  # one pattern, or several that must all match


class CaseError(ValueError):
    """The case file is malformed: the message names the incident, question or fact."""


@dataclass(frozen=True)
class Fact:
    name: str
    alternatives: tuple[Alternative, ...]


@dataclass(frozen=True)
class Source:
    """A held-out incident rendered at run time: `render.py --family --variant --seed`."""

    family: str
    variant: str
    seed: int


@dataclass(frozen=True)
class Case:
    id: str  # "<incident>/<question id>"
    incident: str  # the folder under fixtures/incidents/, or the name of a rendered incident
    question: str
    facts: tuple[Fact, ...]
    source: Source | None = None  # None: a bundled incident
    overrule: tuple[str, ...] = ()  # its facts the deterministic analysis gets wrong

    @property
    def family(self) -> str:
        """The story the incident tells: its family, or the bundled incident's name."""
        return self.source.family if self.source is not None else self.incident


@dataclass(frozen=True)
class Score:
    found: tuple[str, ...]  # fact names, in the case's order
    missing: tuple[str, ...]

    @property
    def points(self) -> int:
        return len(self.found)

    @property
    def total(self) -> int:
        return len(self.found) + len(self.missing)

    @property
    def fraction(self) -> float:
        return self.points / self.total if self.total else 0.0

    def __str__(self) -> str:
        return f"{self.points}/{self.total}"


def load_cases(path: Path = CASES) -> list[Case]:
    """Every case of the file, in file order; `CaseError` when an entry is malformed."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise CaseError(f"{path}: {error}") from None
    cases: list[Case] = []
    for incident, entry in data.items():
        cases.extend(_incident_cases(incident, entry))
    if not cases:
        raise CaseError(f"{path}: no cases")
    return cases


def _incident_cases(incident: str, entry: object) -> list[Case]:
    if (
        not isinstance(entry, dict)
        or not {"facts", "questions"} <= set(entry)
        or not set(entry) <= {"facts", "questions", "source", "overrule"}
    ):
        raise CaseError(
            f"[{incident}]: needs a `facts` table and `questions` "
            "(and may have a `source` table and `overrule`), nothing else"
        )
    facts_table, questions = entry["facts"], entry["questions"]
    source = _source(incident, entry["source"]) if "source" in entry else None
    if not isinstance(facts_table, dict) or not facts_table:
        raise CaseError(f"[{incident}.facts]: needs at least one fact")
    facts = {name: _fact(f"{incident}.facts.{name}", name, v) for name, v in facts_table.items()}
    if not isinstance(questions, list) or not questions:
        raise CaseError(f"[{incident}]: needs at least one [[{incident}.questions]]")
    cases: list[Case] = []
    for number, question in enumerate(questions, 1):
        where = f"[[{incident}.questions]] #{number}"
        if not isinstance(question, dict) or set(question) != {"id", "ask", "expect"}:
            raise CaseError(f"{where}: needs exactly `id`, `ask` and `expect`")
        ident, ask, expect = question["id"], question["ask"], question["expect"]
        if not isinstance(ident, str) or not re.fullmatch(r"[a-z0-9-]+", ident):
            raise CaseError(f"{where}: `id` must be lowercase letters, digits and dashes")
        if not isinstance(ask, str) or not ask.strip():
            raise CaseError(f"{where}: `ask` must be the question")
        if (
            not isinstance(expect, list)
            or not expect
            or not all(isinstance(n, str) for n in expect)
        ):
            raise CaseError(f"{where}: `expect` must be a list of fact names")
        unknown = [name for name in expect if name not in facts]
        if unknown:
            raise CaseError(f"{where}: `expect` names unknown facts {unknown}")
        if len(set(expect)) != len(expect):
            raise CaseError(f"{where}: `expect` names a fact twice")
        case_id = f"{incident}/{ident}"
        if any(c.id == case_id for c in cases):
            raise CaseError(f"{where}: id {ident!r} is used twice")
        cases.append(Case(case_id, incident, ask.strip(), tuple(facts[n] for n in expect), source))
    overrule = _overrule(incident, entry.get("overrule", []), cases)
    return [
        replace(c, overrule=tuple(f.name for f in c.facts if f.name in overrule)) for c in cases
    ]


def _source(incident: str, value: object) -> Source:
    where = f"[{incident}.source]"
    if not isinstance(value, dict) or set(value) != {"family", "variant", "seed"}:
        raise CaseError(f"{where}: needs exactly `family`, `variant` and `seed`")
    family, variant, seed = value["family"], value["variant"], value["seed"]
    for key, name in (("family", family), ("variant", variant)):
        if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9-]+", name):
            raise CaseError(f"{where}: `{key}` must be lowercase letters, digits and dashes")
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise CaseError(f"{where}: `seed` must be a whole number, 0 or more")
    return Source(family, variant, seed)


def _overrule(incident: str, value: object, cases: list[Case]) -> set[str]:
    """The fact names of `overrule`: each one some question of the incident expects."""
    where = f"[{incident}] overrule"
    if not isinstance(value, list) or not all(isinstance(n, str) for n in value):
        raise CaseError(f"{where}: must be a list of fact names")
    expected = {f.name for c in cases for f in c.facts}
    unexpected = [name for name in value if name not in expected]
    if unexpected:
        raise CaseError(f"{where}: no question expects {unexpected}")
    return set(value)


def _fact(where: str, name: str, value: object) -> Fact:
    if not isinstance(value, list) or not value:
        raise CaseError(f"{where}: a fact is a non-empty list of alternatives")
    alternatives: list[Alternative] = []
    for item in value:
        if isinstance(item, str):
            alternatives.append(_pattern(where, item))
        elif isinstance(item, list) and item and all(isinstance(p, str) for p in item):
            alternatives.append(tuple(_pattern(where, p) for p in item))
        else:
            raise CaseError(f"{where}: {item!r} is neither a string nor a list of strings")
    return Fact(name, tuple(alternatives))


def _pattern(where: str, pattern: str) -> str:
    if not pattern.strip() or pattern == REGEX:
        raise CaseError(f"{where}: empty pattern")
    if pattern.startswith(REGEX):
        try:
            re.compile(pattern[len(REGEX) :], re.IGNORECASE)
        except re.error as error:
            raise CaseError(f"{where}: bad regex {pattern!r}: {error}") from None
    return pattern


def matches(pattern: str, text: str) -> bool:
    """One pattern: a case-insensitive substring, or a `re:` case-insensitive regex."""
    if pattern.startswith(REGEX):
        return re.search(pattern[len(REGEX) :], text, re.IGNORECASE) is not None
    return pattern.casefold() in text.casefold()


def states(fact: Fact, answer: str) -> bool:
    """Whether `answer` states `fact`: any alternative matches (a list: all of its parts)."""
    for alternative in fact.alternatives:
        parts = (alternative,) if isinstance(alternative, str) else alternative
        if all(matches(part, answer) for part in parts):
            return True
    return False


def score(case: Case, answer: str) -> Score:
    found = tuple(f.name for f in case.facts if states(f, answer))
    missing = tuple(f.name for f in case.facts if f.name not in found)
    return Score(found, missing)


def select(cases: Sequence[Case], pattern: str | None) -> list[Case]:
    """The cases whose id (`checkout/why`) or incident (`checkout`) matches the glob."""
    if not pattern:
        return list(cases)
    return [
        c
        for c in cases
        if fnmatch.fnmatchcase(c.id, pattern) or fnmatch.fnmatchcase(c.incident, pattern)
    ]
