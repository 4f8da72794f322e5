"""Error groups: records at warning level and above, grouped by service, template and the
exception they report, with a label, counts, first and last seen, an example and the values
the template's variables take.

Records are accumulated per masked form, which is cheap and final; forms are rolled up into
their templates only at the end, after the miner has finished merging templates.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel

from ..levels import RANK, at_least
from ..records import Record
from .labels import exception_of, label_for, request_label
from .masking import mask
from .requests import request_event, request_level
from .templates import Template, TemplateMiner

MAX_SAMPLES = 50  # messages kept per form for parameter values
TOP_VALUES = 5
MAX_CONTEXT = 600
# Header fields that name a party of the event: the user, database, peer, upstream, host...
_PARTY_KEYS = re.compile(
    r"user|database|^db|host|peer|remote|upstream|server|url|uri|target|addr|client|pod|"
    r"container|broker|cluster_name$|topic|queue|bucket|endpoint|dest",
    re.IGNORECASE,
)


class Example(BaseModel):
    file: str
    line: int
    text: str


class Parameter(BaseModel):
    """One variable of a template: where it is, how many distinct values it took, the top."""

    position: int
    distinct: int
    top: list[tuple[str, int]]


class ErrorGroup(BaseModel):
    """One error type. The field names are a public contract (`errors --json`, `investigate
    --json`): only add."""

    id: str
    label: str
    template: str
    template_id: str
    service: str
    level: str
    exception: str | None
    count: int
    first_seen: datetime | None
    last_seen: datetime | None
    example: Example
    parameters: list[Parameter]


def event_text(record: Record) -> str:
    """The text that names the event of a record: the request and status of an access log
    line (not its user agent or referrer), else the first line of the message."""
    request = request_event(record)
    if request is not None:
        return request
    message = record.message
    return message.split("\n", 1)[0] if "\n" in message else message


def event_form(record: Record) -> tuple[str, str, bool]:
    """(event text, the form mined, literal): access-log events are taken literally (their
    status must never become a variable), everything else is masked."""
    request = request_event(record)
    if request is not None:
        return request, request, True
    text = event_text(record)
    return text, mask(text), False


def template_for(miner: TemplateMiner, record: Record) -> tuple[Template, str]:
    """(template, form mined) of a record, the miner fed with it."""
    _, form, literal = event_form(record)
    return (miner.add_literal(form) if literal else miner.add(form)), form


class _Tally:
    """Accumulator for one (service, masked form, exception)."""

    __slots__ = ("count", "example", "first", "last", "level", "occurrences", "samples")

    def __init__(self, record: Record) -> None:
        self.count = 0
        self.example = record
        self.first: datetime | None = None
        self.last: datetime | None = None
        self.level = record.level or "warning"
        self.samples: list[str] = []
        # (epoch seconds, file, line) of each timestamped record: rates and onsets per group
        self.occurrences: list[tuple[float, str, int]] = []

    def merge(self, other: _Tally) -> None:
        """Fold in the tally of the same key from a later part of the input."""
        self.count += other.count
        if other.first is not None and (self.first is None or other.first < self.first):
            self.first = other.first
            self.example = other.example
        if other.last is not None and (self.last is None or other.last > self.last):
            self.last = other.last
        if RANK[other.level] > RANK[self.level]:
            self.level = other.level
        self.occurrences.extend(other.occurrences)
        room = MAX_SAMPLES - len(self.samples)
        if room > 0:
            self.samples.extend(other.samples[:room])

    def add(self, record: Record, first_line: str, level: str | None) -> None:
        self.count += 1
        when = record.timestamp
        if when is not None:
            self.occurrences.append((when.timestamp(), record.file, record.line))
            if self.first is None or when < self.first:
                self.first = when
                self.example = record
            if self.last is None or when > self.last:
                self.last = when
        if level is not None and RANK[level] > RANK[self.level]:
            self.level = level
        if len(self.samples) < MAX_SAMPLES:
            self.samples.append(first_line)


@dataclass
class GrouperPartial:
    """A grouper's tallies in first-occurrence order, with whether each form is literal."""

    records: int
    tallies: list[tuple[tuple[str, str, str | None], _Tally, bool]]


class ErrorGrouper:
    """Feed it records (`add`); `groups()` returns the error groups, largest first."""

    def __init__(self, min_level: str = "warning", miner: TemplateMiner | None = None) -> None:
        self.min_level = min_level
        self.miner = miner or TemplateMiner()
        self.records = 0
        self._tallies: dict[tuple[str, str, str | None], _Tally] = {}
        self._literals: set[str] = set()

    def add(self, record: Record) -> None:
        self.records += 1
        level = request_level(record)
        if not at_least(level, self.min_level):
            return
        first_line, masked, literal = event_form(record)
        if literal:
            self.miner.add_literal(masked)
            self._literals.add(masked)
        else:
            self.miner.add(masked)
        key = (record.service, masked, exception_of(record.message, record.fields))
        tally = self._tallies.get(key)
        if tally is None:
            tally = self._tallies[key] = _Tally(record)
        tally.add(record, first_line, level)

    def partial(self) -> GrouperPartial:
        """What this grouper has seen, to be merged into another (the parallel path)."""
        return GrouperPartial(
            self.records,
            [(key, tally, key[1] in self._literals) for key, tally in self._tallies.items()],
        )

    def merge(self, partial: GrouperPartial) -> None:
        """Fold in the partial of the input that follows what this grouper has seen. New
        forms reach the miner in the order of their first occurrence, as in one serial pass,
        so the templates (and every group) are the same."""
        self.records += partial.records
        for key, tally, literal in partial.tallies:
            mine = self._tallies.get(key)
            if mine is not None:
                mine.merge(tally)
                continue
            if literal:
                self.miner.add_literal(key[1])
                self._literals.add(key[1])
            else:
                self.miner.add(key[1])
            self._tallies[key] = tally

    def rename_services(self, mapping: dict[str, str]) -> None:
        """Put the tallies of services known by another name under that name."""
        renamed: dict[tuple[str, str, str | None], _Tally] = {}
        for (service, masked, exception), tally in self._tallies.items():
            key = (mapping.get(service, service), masked, exception)
            mine = renamed.get(key)
            if mine is None:
                renamed[key] = tally
            else:
                mine.merge(tally)
        self._tallies = renamed

    def add_all(self, records: Iterable[Record]) -> ErrorGrouper:
        for record in records:
            self.add(record)
        return self

    def groups(self) -> list[ErrorGroup]:
        return [group for group, _ in self.groups_with_occurrences()]

    def groups_with_occurrences(
        self,
    ) -> list[tuple[ErrorGroup, list[tuple[float, str, int]]]]:
        """The groups, each with the (epoch seconds, file, line) of its timestamped records
        in time order."""
        return [(group, occurrences) for group, occurrences, _ in self.groups_with_context()]

    def groups_with_context(
        self,
    ) -> list[tuple[ErrorGroup, list[tuple[float, str, int]], str]]:
        """The groups with their occurrences and the header fields of their example, as text
        (`user=billing database=shop`): who a line is about is often in its header."""
        merged: dict[tuple[str, str, str | None], list[tuple[_Tally, Template]]] = {}
        for (service, masked, exception), tally in self._tallies.items():
            template = self.miner.template_of(masked)
            if template is None:  # pragma: no cover - every form was added to the miner
                continue
            merged.setdefault((service, template.id, exception), []).append((tally, template))
        groups = [
            (
                self._group(key, parts, parts[0][1].text in self._literals),
                sorted(o for tally, _ in parts for o in tally.occurrences),
                _context(parts),
            )
            for key, parts in merged.items()
        ]
        groups.sort(
            key=lambda g: (-g[0].count, g[0].first_seen or datetime.max.astimezone(), g[0].id)
        )
        return groups

    @staticmethod
    def _group(
        key: tuple[str, str, str | None],
        parts: list[tuple[_Tally, Template]],
        request: bool = False,
    ) -> ErrorGroup:
        service, template_id, exception = key
        template = parts[0][1]
        tallies = [tally for tally, _ in parts]
        dated = [t for t in tallies if t.first is not None]
        earliest = min(dated, key=lambda t: t.first) if dated else tallies[0]  # type: ignore[arg-type, return-value]
        example = earliest.example
        level = max((t.level for t in tallies), key=RANK.__getitem__)
        group_id = hashlib.blake2b(
            f"{service}\x1f{template.text}\x1f{exception or ''}".encode(), digest_size=6
        ).hexdigest()
        return ErrorGroup(
            id=group_id,
            label=(
                request_label(service, template.text, example.message, example.fields)
                if request
                else label_for(example.message, service, example.fields, template.text)
            ),
            template=template.text,
            template_id=template_id,
            service=service,
            level=level,
            exception=exception,
            count=sum(t.count for t in tallies),
            first_seen=min((t.first for t in dated), default=None),  # type: ignore[type-var]
            last_seen=max((t.last for t in tallies if t.last is not None), default=None),
            example=Example(
                file=example.file,
                line=example.line,
                text=example.message.split("\n", 1)[0][:500],
            ),
            parameters=_parameters(template, [s for t in tallies for s in t.samples]),
        )


def _context(parts: list[tuple[_Tally, Template]]) -> str:
    dated = [tally for tally, _ in parts if tally.first is not None]
    fields = (min(dated, key=lambda t: t.first) if dated else parts[0][0]).example.fields  # type: ignore[arg-type, return-value]
    if not fields:
        return ""
    values: list[str] = []
    for key, value in fields.items():
        if not _PARTY_KEYS.search(key):  # who the line is about, not where in the code
            continue
        if isinstance(value, dict):
            values.extend(f"{key}.{k}={v}" for k, v in value.items() if isinstance(v, str | int))
        elif isinstance(value, str | int) and not isinstance(value, bool):
            values.append(f"{key}={value}")
    return " ".join(values)[:MAX_CONTEXT]


def _parameters(template: Template, samples: list[str]) -> list[Parameter]:
    """Distinct and top values of each variable, read from the sampled messages."""
    columns: list[Counter[str]] = []
    for sample in samples:
        values = template.parameters(sample)
        if values is None:
            continue
        while len(columns) < len(values):
            columns.append(Counter())
        for column, value in zip(columns, values, strict=False):
            column[value] += 1
    return [
        Parameter(position=i, distinct=len(column), top=column.most_common(TOP_VALUES))
        for i, column in enumerate(columns)
    ]
