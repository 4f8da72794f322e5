"""Error groups: records at warning level and above, grouped by service, template, the
exception they report and its cause (what failed, beyond the record's own words: the root
cause's message or the structured error, mined in templates of their own, error codes kept:
`(1040, 'Too many connections')` and `(2013, 'Lost connection ...')` are two failures), with a
label, counts, first and last seen, an example and the values the template's variables take.

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
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ..levels import RANK
from ..records import Record
from .labels import (
    FAILURE_FIELDS,
    exception_of,
    failure_of,
    headline,
    label_for,
    request_label,
)
from .masking import mask, mask_keeping_codes
from .requests import request_event, request_level
from .templates import Template, TemplateMiner

if TYPE_CHECKING:  # pydantic is imported when groups are made, not to mine (workers never do)
    from .group_models import ErrorGroup

MAX_SAMPLES = 50  # messages kept per form for parameter values
TOP_VALUES = 5
MAX_CONTEXT = 600
# Header fields that name a party of the event: the user, database, peer, upstream, host...
_PARTY_KEYS = re.compile(
    r"user|database|^db|host|peer|remote|upstream|server|url|uri|target|addr|client|pod|"
    r"container|broker|cluster_name$|topic|queue|bucket|endpoint|dest",
    re.IGNORECASE,
)


# Where loggers put the error of a record beside its message: logrus and zap `error`, pino
# `err`, ECS `error.message`, OpenTelemetry `exception.message`.
_ERROR_FIELDS = (
    "error",
    "err",
    "error.message",
    "err.message",
    "exception.message",
    "exception",
    "error_message",
    "errorMessage",
)


def structured_error(message: str, fields: dict[str, Any] | None) -> str | None:
    """The first line of the error a record states in a field (`Error 1040: Too many
    connections`, `ReplyError: OOM command not allowed ...`), None when it states none or its
    message already says it."""
    if not fields:
        return None
    for key in _ERROR_FIELDS:
        value = fields.get(key)
        kind = None
        if isinstance(value, dict):
            kind, value = value.get("type") or value.get("name"), value.get("message")
        elif key.endswith(".message"):
            kind = fields.get(key.replace(".message", ".type"))
        if not isinstance(value, str) or not value.strip():
            continue
        text = value.strip().split("\n", 1)[0]
        if isinstance(kind, str) and kind and not text.startswith(kind):
            text = f"{kind}: {text}"
        return None if text in message else text[:500]
    return None


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
    message = record.message  # `event_text`, without asking `request_event` again
    text = message.split("\n", 1)[0] if "\n" in message else message
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


# An error code that leads a cause (`(2006, 'MySQL server has gone away')`), left out of labels.
_CODE_HEAD = re.compile(r"^\(?\d+[,:]\s*")
# (service, masked form, exception, masked cause or '')
Key = tuple[str, str, str | None, str]


def failure_form(record: Record) -> tuple[str | None, str]:
    """The exception a record reports and its masked cause (`labels.failure_of`), error codes
    kept ('' for none)."""
    fields = record.fields
    if fields is None or fields.keys().isdisjoint(FAILURE_FIELDS):
        return _failure_form_of_message(record.message)
    exception, cause = failure_of(record.message, fields)
    return exception, _masked_cause(cause) if cause else ""


@lru_cache(maxsize=4096)
def _failure_form_of_message(message: str) -> tuple[str | None, str]:
    """`failure_form` of a record whose fields name no error, remembered: the same stack trace
    is logged again and again."""
    exception, cause = failure_of(message)
    return exception, _masked_cause(cause) if cause else ""


@lru_cache(maxsize=4096)
def _masked_cause(text: str) -> str:
    """`mask_keeping_codes`, remembered: a failure repeats its cause word for word."""
    return mask_keeping_codes(text)


@dataclass
class GrouperPartial:
    """A grouper's tallies in first-occurrence order, with whether each form is literal."""

    records: int
    tallies: list[tuple[Key, _Tally, bool]]


class ErrorGrouper:
    """Feed it records (`add`); `groups()` returns the error groups, largest first."""

    def __init__(self, min_level: str = "warning", miner: TemplateMiner | None = None) -> None:
        self.min_level = min_level
        self.miner = miner or TemplateMiner()
        self.causes = TemplateMiner()  # the templates of the causes
        self.records = 0
        self._tallies: dict[Key, _Tally] = {}
        self._literals: set[str] = set()

    def add(self, record: Record) -> None:
        self.records += 1
        level = record.level
        if level is None:  # `request_level`, which keeps a level the record has
            level = request_level(record)
        if RANK.get(level or "info", 2) < RANK[self.min_level]:  # `at_least`, inlined
            return
        first_line, masked, literal = event_form(record)
        if literal:
            self.miner.add_literal(masked)
            self._literals.add(masked)
            exception, cause = exception_of(record.message, record.fields), ""
        else:
            self.miner.add(masked)
            exception, cause = failure_form(record)
            if cause:
                self.causes.add(cause)
        key = (record.service, masked, exception, cause)
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
        for found, tally, literal in partial.tallies:
            # an index entry written before causes were kept has keys of three: no cause
            key: Key = (found[0], found[1], found[2], found[3] if len(found) > 3 else "")
            mine = self._tallies.get(key)
            if mine is not None:
                mine.merge(tally)
                continue
            if literal:
                self.miner.add_literal(key[1])
                self._literals.add(key[1])
            else:
                self.miner.add(key[1])
            if key[3]:
                self.causes.add(key[3])
            self._tallies[key] = tally

    def rename_services(self, mapping: dict[str, str]) -> None:
        """Put the tallies of services known by another name under that name."""
        renamed: dict[Key, _Tally] = {}
        for (service, masked, exception, cause), tally in self._tallies.items():
            key = (mapping.get(service, service), masked, exception, cause)
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

    def group_rows(self) -> list[dict[str, Any]]:
        """The groups as plain data, exactly what `ErrorGroup.model_dump(mode="json")` gives
        for each of `groups()`, without pydantic (`errors --json` imports none)."""
        return [_json_row(row) for row, _, _ in self._rows_with_context()]

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
        from .group_models import ErrorGroup

        return [
            (ErrorGroup.model_validate(row), occurrences, context)
            for row, occurrences, context in self._rows_with_context()
        ]

    def _rows_with_context(
        self,
    ) -> list[tuple[dict[str, Any], list[tuple[float, str, int]], str]]:
        """`groups_with_context`, each group as the fields of an `ErrorGroup`."""
        merged: dict[tuple[str, str, str | None, str], list[tuple[_Tally, Template]]] = {}
        for (service, masked, exception, cause), tally in self._tallies.items():
            template = self.miner.template_of(masked)
            if template is None:  # pragma: no cover - every form was added to the miner
                continue
            found = self.causes.template_of(cause) if cause else None
            cause_template = found.text if found is not None else ""
            key = (service, template.id, exception, cause_template)
            merged.setdefault(key, []).append((tally, template))
        groups = [
            (
                self._group(key, parts, parts[0][1].text in self._literals),
                sorted(o for tally, _ in parts for o in tally.occurrences),
                _context(parts),
            )
            for key, parts in merged.items()
        ]
        _tell_apart([group for group, _, _ in groups], [key[3] for key in merged])
        latest = datetime.max.astimezone()
        groups.sort(key=lambda g: (-g[0]["count"], g[0]["first_seen"] or latest, g[0]["id"]))
        return groups

    @staticmethod
    def _group(
        key: tuple[str, str, str | None, str],
        parts: list[tuple[_Tally, Template]],
        request: bool = False,
    ) -> dict[str, Any]:
        """The fields of one `ErrorGroup`, as plain data."""
        service, template_id, exception, cause = key
        template = parts[0][1]
        tallies = [tally for tally, _ in parts]
        dated = [t for t in tallies if t.first is not None]
        earliest = min(dated, key=lambda t: t.first) if dated else tallies[0]  # type: ignore[arg-type, return-value]
        example = earliest.example
        level = max((t.level for t in tallies), key=RANK.__getitem__)
        identity = f"{service}\x1f{template.text}\x1f{exception or ''}"
        if cause:
            identity += f"\x1f{cause}"
        group_id = hashlib.blake2b(
            identity.encode("utf-8", "surrogatepass"), digest_size=6
        ).hexdigest()
        return {
            "id": group_id,
            "label": (
                request_label(service, template.text, example.message, example.fields)
                if request
                else label_for(example.message, service, example.fields, template.text)
            ),
            "template": template.text,
            "template_id": template_id,
            "service": service,
            "level": level,
            "exception": exception,
            "count": sum(t.count for t in tallies),
            "first_seen": min((t.first for t in dated), default=None),  # type: ignore[type-var]
            "last_seen": max((t.last for t in tallies if t.last is not None), default=None),
            "example": {
                "file": example.file,
                "line": example.line,
                "text": example.message.split("\n", 1)[0][:500],
                "error": structured_error(example.message, example.fields),
            },
            "parameters": _parameters(template, [s for t in tallies for s in t.samples]),
        }


def _json_row(row: dict[str, Any]) -> dict[str, Any]:
    """An `ErrorGroup`'s fields as `model_dump(mode="json")` writes them: times in ISO 8601
    with `Z` for UTC, pairs as lists (a test holds the two equal)."""
    return {
        **row,
        "first_seen": _json_time(row["first_seen"]),
        "last_seen": _json_time(row["last_seen"]),
        "parameters": [
            {**parameter, "top": [list(pair) for pair in parameter["top"]]}
            for parameter in row["parameters"]
        ],
    }


def _json_time(value: datetime | None) -> str | None:
    if value is None:
        return None
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _tell_apart(groups: list[dict[str, Any]], causes: list[str]) -> None:
    """Groups of one template and exception told apart by their causes say their cause when
    their label does not (it names the exception alone, or another of them reads the same):
    `db OperationalError: MySQL server has gone away` beside `db OperationalError: Too many
    connections`."""
    siblings: dict[tuple[str, str, str | None], int] = {}
    labels: dict[tuple[str, str], int] = {}
    for group in groups:
        family = (group["service"], group["template_id"], group["exception"])
        siblings[family] = siblings.get(family, 0) + 1
        named = (group["service"], group["label"])
        labels[named] = labels.get(named, 0) + 1
    for group, cause in zip(groups, causes, strict=True):
        service, label, exception = group["service"], group["label"], group["exception"]
        if not cause or siblings[service, group["template_id"], exception] < 2:
            continue
        bare = exception is not None and label.endswith(exception)
        if bare or labels[service, label] > 1:
            said = _CODE_HEAD.sub("", headline(cause)).strip("'\"() ")
            if said and said not in label:
                group["label"] = f"{label}: {said}"


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


def _parameters(template: Template, samples: list[str]) -> list[dict[str, Any]]:
    """Distinct and top values of each variable, read from the sampled messages (the fields
    of each `Parameter`)."""
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
        {"position": i, "distinct": len(column), "top": column.most_common(TOP_VALUES)}
        for i, column in enumerate(columns)
    ]


def __getattr__(name: str) -> Any:
    """The group models under their old address (`from log_analyzer.mining.groups import
    ErrorGroup`), imported on first use."""
    if name in {"ErrorGroup", "Example", "Parameter"}:
        from . import group_models

        return getattr(group_models, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
