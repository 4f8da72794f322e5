"""`parse --jsonl`'s lines: one JSON object per record, `Record.to_dict()`'s fields, then the
template's id and text, whether that template is final, and the corrected time when the
record's clock was corrected.

Byte for byte what `json.dumps(row, ensure_ascii=False, separators=(",", ":"), default=str)`
writes, built from pieces instead of a dict per record: what records share (the file; the
level, service and format; the template) is encoded once and kept, the message and a flat
field map of strings are encoded directly, anything else goes through the JSON encoder. One
difference: a float that is NaN or infinite (a JSON logger's `NaN`, `1e999`), which JSON cannot
hold and `json.dumps` writes as `NaN` all the same, is written as a string (`"nan"`).
"""

from __future__ import annotations

import json
from datetime import datetime
from json.encoder import encode_basestring
from typing import Any

from ..mining.templates import Template
from ..records import Record

_STRICT = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), default=str, allow_nan=False
).encode


def _encode(value: Any) -> str:
    """`value` as JSON; a NaN or infinite float in it as its string."""
    try:
        return _STRICT(value)
    except ValueError:  # a float JSON cannot hold
        return _STRICT(_finite(value))


def _finite(value: Any) -> Any:
    """`value` with every NaN or infinite float in it replaced by its string."""
    if isinstance(value, float):
        return value if value - value == 0 else str(value)
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


_MAX_KEPT = 10_000  # pieces kept per kind before starting again (memory stays bounded)


class JsonLines:
    """Turns (record, template, final) into a line of `parse --jsonl`, newline included."""

    def __init__(self) -> None:
        self._heads: dict[str, str] = {}  # file -> `{"file":...,"line":`
        self._middles: dict[tuple[str | None, str, str], str] = {}  # `,"level":...,"message":`
        self._templates: dict[Template, str] = {}  # `,"template_id":...,"template_final":`
        self._keys: dict[str, str] = {}  # field name -> `"name":`
        self._maps: dict[tuple[tuple[str, str], ...], str] | None = {}  # fields -> `{...}`

    def line(
        self, record: Record, template: Template, final: bool, corrected: datetime | None = None
    ) -> str:
        flag = "true" if final else "false"
        moved = "" if corrected is None else f',"timestamp_corrected":"{corrected.isoformat()}"'
        return f"{self.head(record)}{self.tail(template)}{flag}{moved}}}\n"

    def head(self, record: Record) -> str:
        """The line up to its template: the record's fields, through `"fields":{...}`."""
        head = self._heads.get(record.file)
        if head is None:
            head = _kept(self._heads, record.file, f'{{"file":{_encode(record.file)},"line":')
        shared = (record.level, record.service, record.format)
        middle = self._middles.get(shared)
        if middle is None:
            level, service, format = (_encode(value) for value in shared)
            middle = _kept(
                self._middles,
                shared,
                f',"level":{level},"service":{service},"format":{format},"message":',
            )
        when = record.timestamp
        stamp = "null" if when is None else f'"{when.isoformat()}"'
        message = record.message
        text = encode_basestring(message) if type(message) is str else _encode(message)
        fields = self._fields(record.fields)
        return (
            f'{head}{record.line},"end_line":{record.end_line},"timestamp":{stamp}'
            f'{middle}{text},"fields":{fields}'
        )

    def tail(self, template: Template) -> str:
        """What follows the head up to the template's flag: its id and text."""
        tail = self._templates.get(template)
        if tail is None:
            tail = _kept(
                self._templates,
                template,
                f',"template_id":{_encode(template.id)},"template":{_encode(template.text)}'
                ',"template_final":',
            )
        return tail

    def _fields(self, fields: dict[str, Any] | None) -> str:
        """The field map: a flat one of strings piece by piece (the whole map kept while maps
        repeat: a thread and a logger), any other by the encoder."""
        if not fields:
            return "{}"
        maps = self._maps
        if maps is not None:
            try:
                seen = tuple(fields.items())
                kept = maps.get(seen)
            except TypeError:  # a list or a map among the values
                return _encode(fields)
            if kept is not None:  # only maps of strings are kept: equal means the same text
                return kept
        keys = self._keys
        parts = []
        for key, value in fields.items():
            if type(value) is not str or type(key) is not str:
                return _encode(fields)
            name = keys.get(key)
            if name is None:
                name = _kept(keys, key, encode_basestring(key) + ":")
            parts.append(name + encode_basestring(value))
        text = "{" + ",".join(parts) + "}"
        if maps is not None:
            if len(maps) >= _MAX_KEPT:  # maps that rarely repeat (request ids): not kept
                self._maps = None
            else:
                maps[seen] = text
        return text


def _kept(pieces: dict[Any, str], key: Any, piece: str) -> str:
    if len(pieces) >= _MAX_KEPT:
        pieces.clear()
    pieces[key] = piece
    return piece
