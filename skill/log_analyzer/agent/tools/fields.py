"""A record's structured fields for the tools: flattened to dot paths (`err.code`) that a
search reads like the message, the few key fields a result shows beside the message, and how a
model's pattern matches a record (its message and every field, or one field, less what an
exclude pattern matches).

Key fields are chosen by what their names say, not by a list of one corpus's keys: a name is
split into words (`ldapUrl` -> ldap url, `http.response.status_code` -> status code) and put in
a class: the error's type, its code, its message or text, the response status, the method, the
URL or path, the peer (upstream, address, port). Fields that describe the emitter itself (its
`hostname`, ECS `host.*`, `agent.*`) and fields named like secrets are never key fields. Values
are redacted in their `name=value` form (a redactor recognises `password=...` by its name),
then cut.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from difflib import get_close_matches
from functools import lru_cache
from typing import Any

import regex as regex_engine

from ...errors import OptionError
from ...records import Record
from .base import SEARCH_TIMEOUT_SECONDS, redacted

MAX_LEAVES = 200  # leaves of one record's fields read, at most (a hostile record has more)
MAX_KEY_FIELDS = 6
KEY_VALUE_CHARS = 160  # one key field's value, at most
KEY_FIELDS_CHARS = 400  # all key fields of a record together, at most
MAX_NAMES = 2000  # distinct field names gathered for an error's suggestions

# The parser's own markers and copies: not fields of the record.
_MARKERS = frozenset({"continues"})
_DERIVED = "error_text"  # the error text the JSON reader copies beside the message

_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")

# Words of the names, by role.
_ERROR = frozenset(
    {"err", "error", "errors", "exception", "exc", "thrown", "fault", "failure", "panic", "cause"}
)
_TEXT = frozenset({"message", "msg", "reason", "detail", "details", "description", "desc", "text"})
_TYPE = frozenset({"type", "class", "kind", "name"})
_CODE = frozenset({"code", "errno", "sqlstate", "errcode", "syscall"})
_CODE_QUALIFIERS = _ERROR | {"exit", "return", "result", "grpc", "rpc", "reason"}
_STATUS = frozenset({"status"})
_RESPONSE = frozenset({"response", "resp", "http"})
_METHOD = frozenset({"method", "verb"})
_METHOD_QUALIFIERS = frozenset({"http", "request", "req", "rpc", "grpc"})
_URL = frozenset({"url", "uri", "href", "route", "endpoint", "path", "urls"})
_PEER = frozenset(
    {
        "upstream",
        "peer",
        "addr",
        "address",
        "remote",
        "backend",
        "dest",
        "destination",
        "server",
        "host",
        "port",
        "ip",
        "broker",
    }
)
# The emitter's own metadata (ECS, Filebeat, Kubernetes decorators): where the line came
# from, not what it is about.
_EMITTER = frozenset(
    {"host", "agent", "ecs", "log", "process", "service", "kubernetes", "k8s", "container"}
    | {"cloud", "orchestrator", "observer", "data_stream"}
)
_SECRET = frozenset(
    {"password", "passwd", "pwd", "pass", "secret", "token", "authorization", "auth"}
    | {"cookie", "credential", "credentials", "apikey", "key", "session", "signature"}
)

# Measures (`upstream_response_time`, `bytes_sent`): numbers about the event, not its parties.
_MEASURE = frozenset({"time", "ms", "duration", "bytes", "size", "length", "count", "elapsed"})

# Classes in the order key fields are shown.
TYPE, CODE, MESSAGE, STATUS, METHOD, URL, PEER = range(7)


def words(name: str) -> list[str]:
    """The words of a field name, lower case: `ldapUrl` -> [ldap, url]."""
    return [word.lower() for word in _WORDS.findall(name)]


def flatten(fields: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """(dot path, text) of every value of a record's fields: nested objects as dot paths, a
    list of plain values joined (`tags=a, b`), a list of objects indexed (`errors.0.code`).
    The reader's copy of the error text is left out when another field holds the same text."""
    leaves = _leaves(fields)
    derived = next((value for path, value in leaves if path == _DERIVED), None)
    if derived is not None and any(v == derived for p, v in leaves if p != _DERIVED):
        leaves = [(p, v) for p, v in leaves if p != _DERIVED]
    return leaves


def _leaves(fields: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    leaves: list[tuple[str, str]] = []
    if fields:
        _walk("", fields, leaves)
    return leaves


def _walk(prefix: str, node: object, leaves: list[tuple[str, str]]) -> None:
    if len(leaves) >= MAX_LEAVES:
        return
    if isinstance(node, dict):
        for key, value in node.items():
            if not prefix and key in _MARKERS and isinstance(value, bool):
                continue
            _walk(f"{prefix}.{key}" if prefix else str(key), value, leaves)
    elif isinstance(node, list | tuple):
        if all(not isinstance(item, dict | list | tuple) for item in node):
            text = ", ".join(_text(item) for item in node if item is not None)
            if text:
                leaves.append((prefix, text))
        else:
            for index, item in enumerate(node):
                _walk(f"{prefix}.{index}", item, leaves)
    elif node is not None:
        leaves.append((prefix, _text(node)))


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)


@lru_cache(maxsize=4096)
def key_class(path: str) -> int | None:
    """The class of key field a dot path names (TYPE, CODE...), or None."""
    segments = path.split(".")
    parts = [words(segment) for segment in segments]
    every = {word for part in parts for word in part}
    emitter = len(segments) > 1 and segments[0].lower() in _EMITTER
    if emitter or every & _SECRET or not parts[-1] or set(parts[-1]) & _MEASURE:
        return None
    leaf = set(parts[-1])
    in_error = any(set(part) & _ERROR for part in parts[:-1])
    errorish = bool(leaf & _ERROR) or in_error
    if leaf & _STATUS or (leaf & _RESPONSE and "code" in leaf):
        return STATUS
    if leaf & _TYPE and errorish:
        return TYPE
    if leaf & _CODE and (len(leaf) == 1 or errorish or leaf & _CODE_QUALIFIERS):
        return CODE
    if (leaf & _TEXT and errorish) or leaf <= _ERROR:
        return MESSAGE
    if leaf & _METHOD and (len(leaf) == 1 or leaf & _METHOD_QUALIFIERS):
        return METHOD
    if leaf & _URL or segments[0].lower() == "url":
        return URL
    if leaf & _PEER:
        return PEER
    return None


def key_fields(fields: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """The key fields of a record, as logged (not redacted, not cut): at most MAX_KEY_FIELDS,
    in the order of their classes (error type, code, message, status, method, URL, peer). The
    error text the reader copied counts only when no other field gives the error's message."""
    chosen: list[tuple[int, int, str, str]] = []
    for order, (path, value) in enumerate(_leaves(fields)):
        kind = key_class(path)
        if kind is not None and value.strip():
            chosen.append((kind, order, path, value))
    if any(kind == MESSAGE and path != _DERIVED for kind, _, path, _ in chosen):
        chosen = [entry for entry in chosen if entry[2] != _DERIVED]
    chosen.sort()
    return [(path, value) for _, _, path, value in chosen[:MAX_KEY_FIELDS]]


def shown_fields(fields: Mapping[str, Any] | None) -> dict[str, str] | None:
    """The key fields as a result shows them: each redacted whole in its `name=value` form,
    then its first line cut to KEY_VALUE_CHARS; KEY_FIELDS_CHARS in all. None when none."""
    shown: dict[str, str] = {}
    room = KEY_FIELDS_CHARS
    for path, value in key_fields(fields):
        name, text = _redacted_pair(path, value)
        text = headline(text)
        if len(text) > KEY_VALUE_CHARS:
            text = text[:KEY_VALUE_CHARS] + "…"
        room -= len(name) + len(text)
        if room < 0:
            break
        shown[name] = text
    return shown or None


def headline(text: str) -> str:
    """The line of a multi-line value that says what happened: the first, but for a Python
    traceback, which says it last."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if not lines:
        return ""
    return lines[-1] if lines[0].startswith("Traceback (most recent call last)") else lines[0]


def _redacted_pair(path: str, value: str) -> tuple[str, str]:
    """(name, value) redacted as the pair a log would write, quoted as logfmt quotes."""
    quoted = any(c in value for c in ' \t\n"=\\') or not value
    written = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"' if quoted else value
    name, _, text = redacted(f"{path.replace('=', '_')}={written}").partition("=")
    if quoted and len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        text = re.sub(r"\\(.)", r"\1", text[1:-1], flags=re.DOTALL)
    return name, text


# --- matching records ----------------------------------------------------------------------------

# What makes a match depend on where a text begins and ends (anchors, lookarounds): a pattern
# without them that matches the message or a field's text also matches them joined by newlines.
_BOUND_SENSITIVE = re.compile(r"\\[AZzGK]|\(\?<?[=!]")
# A literal pattern is matched in linear time: only a regex, or a very long text, needs the
# timeout, which costs more than the search itself on a short line.
_UNTIMED_LITERAL = 200


class Pattern:
    """A model's pattern, case-insensitive: its text, or a regular expression.

    A pattern that no text's bounds matter to is first tried on the message and all values of
    a record joined (one call instead of one per field, for the many records that match
    nothing); the message and each field are searched alone only when that matches."""

    def __init__(self, text: str, regex: bool, option: str = "pattern") -> None:
        self.text = text
        self.option = option
        source = text if regex else regex_engine.escape(text)
        self.timeout = SEARCH_TIMEOUT_SECONDS if regex or len(text) > _UNTIMED_LITERAL else None
        try:
            self.compiled: Any = regex_engine.compile(source, regex_engine.IGNORECASE)
            self.joined: Any = (
                regex_engine.compile(source, regex_engine.IGNORECASE | regex_engine.MULTILINE)
                if not regex or _BOUND_SENSITIVE.search(text) is None
                else None
            )
        except regex_engine.error as error:
            raise OptionError(f"{option} {text!r}: invalid regex ({error})") from None

    def search(self, text: str) -> Any:
        """The match in `text`, or None; a pattern too slow to match is an error."""
        return self._search(self.compiled, text)

    def may_match(self, message: str | None, fields: dict[str, Any] | None) -> bool:
        """False when neither the message (None: not searched) nor a value of `fields` can
        match; True when they may (search them one by one)."""
        if self.joined is None:
            return message is not None or bool(fields)
        texts = [message] if message is not None else []
        if fields:
            _values(fields.values(), texts)
        return bool(texts) and self._search(self.joined, "\n".join(texts)) is not None

    def fields(self, leaves: Iterable[tuple[str, str]]) -> list[str]:
        """The paths of the leaves whose text matches."""
        return [path for path, text in leaves if self.search(text) is not None]

    def _search(self, compiled: Any, text: str) -> Any:
        try:
            return compiled.search(text, timeout=self.timeout)
        except TimeoutError:
            raise OptionError(
                f"{self.option} {self.text!r}: too slow to match (catastrophic backtracking); "
                "use a simpler pattern"
            ) from None


def _values(items: Iterable[object], values: list[str]) -> None:
    """Every value of the fields as text, the paths aside: what `flatten` reads, faster (this
    runs on every record a search reads), and as a case-insensitive search reads it (`True`
    for `true`)."""
    for value in items:
        if isinstance(value, str):
            values.append(value)
        elif isinstance(value, dict):
            _values(value.values(), values)
        elif isinstance(value, list):
            _values(value, values)
        elif value is not None:
            values.append(str(value))


def _excluded(exclude: Pattern, record: Record) -> bool:
    if not exclude.may_match(record.message, record.fields):
        return False
    if exclude.search(record.message) is not None:
        return True
    return bool(exclude.fields(flatten(record.fields)))


@dataclass
class Found:
    """Where a pattern matched a record: its message (the match), and the fields by path."""

    message: Any
    fields: list[str]


class Matcher:
    """Matches records by their message and every field value, or by one field (`field`, a
    dot path or, when it names one path only, its end: `code` for `err.code`), and drops
    those whose message or fields match `exclude`. `check()`, after the pass, says when
    `field` named no field of the records, or several."""

    def __init__(
        self,
        pattern: str,
        regex: bool = False,
        field: str | None = None,
        exclude: str | None = None,
    ) -> None:
        self.pattern = Pattern(pattern, regex)
        self.exclude = Pattern(exclude, regex, "exclude") if exclude else None
        self.field = field.lower() if field else None
        self._named = field
        self._resolved: set[str] = set()  # the paths `field` named by their end
        self._exact = False

    def match(self, record: Record) -> Found | None:
        """Where the pattern matched the record, or None (no match, or excluded)."""
        pattern, fields = self.pattern, record.fields
        whole = self.field is None
        if not pattern.may_match(record.message if whole else None, fields):
            return None
        message = pattern.search(record.message) if whole else None
        names: list[str] = []
        if fields:
            leaves = flatten(fields)
            names = pattern.fields(leaves if whole else self._restricted(leaves))
        if message is None and not names:
            return None
        if self.exclude is not None and _excluded(self.exclude, record):
            return None
        return Found(message, names)

    def _restricted(self, leaves: list[tuple[str, str]]) -> list[tuple[str, str]]:
        wanted = self.field or ""
        exact = [(p, t) for p, t in leaves if p.lower() == wanted]
        if exact:
            self._exact = True
            return exact
        ending = [(p, t) for p, t in leaves if p.lower().endswith("." + wanted)]
        self._resolved.update(path for path, _ in ending)
        return ending

    def check(self, records: Iterable[Record]) -> None:
        """After the pass: an error when `field` named several fields by their end, or none
        of `records` (read again only when no record the pattern could match had it)."""
        if self.field is None:
            return
        if len(self._resolved) > 1:
            several = ", ".join(sorted(self._resolved)[:6])
            raise OptionError(
                f"field {self._named!r} names several fields ({several}); give the whole dot path"
            )
        if self._exact or self._resolved:
            return
        seen: dict[str, str] = {}  # lower case -> as written
        for record in records:
            for path, _ in flatten(record.fields):
                lower = path.lower()
                if lower == self.field or lower.endswith("." + self.field):
                    return
                if len(seen) < MAX_NAMES:
                    seen.setdefault(lower, path)
        close = [seen[name] for name in get_close_matches(self.field, seen, n=4, cutoff=0.6)]
        named = close or list(seen.values())[:12]
        known = f"{'close' if close else 'fields seen'}: {', '.join(named) or 'none'}"
        raise OptionError(f"field {self._named!r}: no record has it ({known})")
