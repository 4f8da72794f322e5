"""The JSON lines reader: one engine for every key convention, which the JSON dialects of
`families/json.toml` configure (see `structured.py`, which loads them).

An object's time, level, message, service and error are found under the first of the keys
each role may have (`_TIME_KEYS`...: the conventions of every common JSON logger); a dialect
adds its own service and level keys, level values and default level, and a signature that
tells its objects apart (`json_signature.py`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from ..levels import http_status_level, infer_level, normalize_level
from ..timestamps import Clock
from .base import FormatSpec, LogFormat, Parsed, Sample
from .json_signature import Signature, compile_signature
from .trace_context import extract_ids

# The keys each role may have, tried in this order: the conventions of the common JSON loggers.
# A dialect may look elsewhere for its service and level (`service_keys`, `level_keys`).
_TIME_KEYS = (
    "@timestamp",
    "timestamp",
    "time",
    "ts",
    "t",
    "date",
    "datetime",
    "asctime",
    "timeMillis",
    "instant",
    "__REALTIME_TIMESTAMP",
    "eventTime",
    "receiveTimestamp",
    "written_at",
    "start_time",  # Envoy's and Istio's JSON access log
    "EdgeStartTimestamp",  # Cloudflare's
    "@t",  # Serilog's compact JSON
    "requestReceivedTimestamp",  # Kubernetes audit events
)
_LEVEL_KEYS = (
    "level",
    "log.level",
    "severity",
    "levelname",
    "lvl",
    "loglevel",
    "log_level",
    "PRIORITY",
    "levelName",
    "@l",  # Serilog's compact JSON (CLEF)
)
_MESSAGE_KEYS = (
    "msg",
    "message",
    "event",
    "MESSAGE",
    "textPayload",  # Google Cloud Logging entries
    "jsonPayload.message",
    "log",
    "text",
    "@message",
    "@m",  # CLEF: the rendered message, else its template
    "@mt",
    "fields.message",  # Rust's tracing-subscriber JSON
)
_SERVICE_KEYS = (
    "service.name",
    "service",
    "service_name",
    "app",
    "application",
    "appname",
    "kubernetes.container_name",
    "kubernetes.container.name",
    "container_name",
    "SYSLOG_IDENTIFIER",
    "_SYSTEMD_UNIT",
)
_ERROR_KEYS = (
    "err",
    "error",
    "exception",
    "stack_trace",
    "stacktrace",
    "stack",
    "exc_info",
    "error.stack_trace",
    "thrown",
    "@x",
)


# JSON nested deeper than this is not a log record: the line is kept as text (unparsed). The
# limit also keeps `json.loads`, which recurses, from a RecursionError on a hostile line.
MAX_JSON_DEPTH = 64
_JSON_STRUCTURE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def json_too_deep(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when brackets outside strings nest deeper than `limit`. Linear; a line with few
    brackets is answered by counting them."""
    if text.count("{") + text.count("[") <= limit:
        return False
    depth = 0
    for match in _JSON_STRUCTURE.finditer(text):
        token = match.group()
        if token == "{" or token == "[":
            depth += 1
            if depth > limit:
                return True
        elif token == "}" or token == "]":
            depth -= 1
    return False


def load_json(text: str) -> Any:
    """`json.loads` with a nesting limit: ValueError for text that is not JSON or nests
    deeper than MAX_JSON_DEPTH (never a RecursionError). A lone surrogate escape (`\\ud83d`,
    half of an emoji cut by a truncating logger) becomes U+FFFD, as an undecodable byte of a
    text line does: no encoder downstream (UTF-8 output, JSON, the model) can write one.

    An object (text starting with `{`) is read by the C scanner `json.loads` ends up in, without
    the Python calls `loads` -> `decode` -> `raw_decode` and their two whitespace regex matches
    (a third of `json.loads` on a log line). The same result: such text has no BOM and no
    leading whitespace, so `decode` would scan from 0 with the same default scanner, and it
    accepts only JSON whitespace (` \\t\\n\\r`, its `WHITESPACE` regex) after the value. Text
    the scanner does not read whole goes to `json.loads`, which raises its very error."""
    if json_too_deep(text):
        raise ValueError(f"JSON nested deeper than {MAX_JSON_DEPTH}")
    try:
        if text[:1] == "{":
            try:
                found, end = _SCAN_ONCE(text, 0)
            except StopIteration:
                end = -1
            if end != len(text) and (end < 0 or text[end:].strip(" \t\n\r")):
                found = json.loads(text)  # not JSON, or extra data: raises as it always did
        else:
            found = json.loads(text)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    # a pair decodes to one character: only lone ones stay (`\\u` first: one scan, not two)
    if "\\u" in text and ("\\ud" in text or "\\uD" in text):
        return _without_surrogates(found)
    return found


# `json.loads`'s C scanner (a decoder with the same defaults): (value, end) for text at an index
_SCAN_ONCE: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_without_surrogates(key): _without_surrogates(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_surrogates(item) for item in value]
    return value


# The keys an object has for each role (time, level, message, service, error), and whether
# none of the first four is dotted.
_Layout = tuple[
    tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...], bool
]
MAX_LAYOUTS = 1000
# raw level values (`30`, `"warn"`) kept per dialect with the level they name: a file writes few
MAX_LEVELS_SEEN = 1000
_UNSEEN: Any = object()


def lookup(obj: dict[str, Any], key: str) -> Any:
    """`obj[key]`, trying a dotted key flat first (`"log.level"`), then as a nested path."""
    value = obj.get(key)
    if value is not None or "." not in key:
        return value
    head, _, rest = key.partition(".")
    node = obj.get(head)  # most objects lack the head: no walk at all
    if not isinstance(node, dict):
        return None
    for part in rest.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def _first(obj: dict[str, Any], keys: tuple[str, ...]) -> tuple[str | None, Any]:
    for key in keys:
        value = lookup(obj, key)
        if value is not None and value != "":
            return key, value
    return None, None


class JsonFormat(LogFormat):
    """JSON lines. `signature` tells this dialect's objects apart (None: any object).

    A definition (`families/json.toml`) may add to the common keys: `signature` (a table,
    see `json_signature.py`), `service_keys` and `level_keys` (the keys to look in, first
    first; `"*"` stands for the reader's own list), `levels` (keys written as integers, `3`,
    match integer values) and `default_level` (the level of an object that names none).
    """

    takes_headerless = False
    spec_keys: ClassVar[frozenset[str]] = frozenset(
        {"signature", "service_keys", "level_keys", "default_level"}
    )

    @classmethod
    def from_spec(cls, spec: FormatSpec) -> LogFormat:
        """The dialect a definition describes (`definitions.load_family`)."""
        if spec.pattern is not None:
            raise ValueError("a JSON dialect has no pattern: its signature tells it apart")
        options = spec.options
        signature = options.get("signature")
        dialect = cls(
            spec.name,
            spec.title,
            None if signature is None else compile_signature(signature),
            priority=spec.priority,
            samples=spec.samples,
            service_keys=_key_list(options.get("service_keys"), _SERVICE_KEYS),
            levels={_level_value(raw): level for raw, level in spec.levels.items()},
            level_keys=_key_list(options.get("level_keys"), _LEVEL_KEYS),
            default_level=options.get("default_level"),
        )
        dialect.detectable = spec.detectable
        return dialect

    def __init__(
        self,
        name: str,
        title: str,
        signature: Signature | None,
        *,
        priority: int,
        samples: tuple[Sample, ...] = (),
        service_keys: tuple[str, ...] = _SERVICE_KEYS,
        levels: Mapping[Any, str] | None = None,
        level_keys: tuple[str, ...] = _LEVEL_KEYS,
        default_level: str | None = None,
    ) -> None:
        self.name = name
        self.title = title
        self.signature = signature
        self.priority = priority
        self.samples = samples
        self.service_keys = service_keys
        # the dialect's own level values (Nextcloud's 0-4), before the generic spellings
        self.levels = dict(levels or {})
        self.level_keys = level_keys
        # the level of a record that names none (CLEF leaves out Information)
        self.default_level = default_level
        self._layouts: dict[tuple[str, ...], _Layout] = {}
        self._levels_seen: dict[int | str, str | None] = {}
        self._last_line = ""
        self._last_obj: dict[str, Any] | None = None

    def decode(self, line: str) -> dict[str, Any] | None:
        """The JSON object on this line, or None. Remembers the last line: when several
        dialects are tried on one line, it is decoded once."""
        if line is self._last_line:
            return self._last_obj
        obj: Any = None
        stripped = line.lstrip()
        if stripped.startswith("{"):
            try:
                obj = load_json(stripped)
            except ValueError:
                obj = None
        self._last_line = line
        self._last_obj = obj if isinstance(obj, dict) else None
        return self._last_obj

    def parse(self, line: str, clock: Clock) -> Parsed | None:
        obj = self.decode(line)
        if obj is None or (self.signature is not None and not self.signature(obj)):
            return None
        parsed = self.parse_object(obj, clock)
        if not parsed.message:  # an object with no message of its own: the line says it all
            parsed.message = line.strip()
        return parsed

    def parse_object(self, obj: dict[str, Any], clock: Clock) -> Parsed:
        time_keys, level_keys, message_keys, service_keys, error_keys, flat = self._layout(obj)
        if flat:  # no dotted key: `lookup` is `obj.get`, walked here without a call per key
            get = obj.get
            time_key = time_value = None
            for key in time_keys:
                value = get(key)
                if value is not None and value != "":
                    time_key, time_value = key, value
                    break
            level_key = raw_level = None
            for key in level_keys:
                value = get(key)
                if value is not None and value != "":
                    level_key, raw_level = key, value
                    break
            message_key = message_value = None
            for key in message_keys:
                value = get(key)
                if value is not None and value != "":
                    message_key, message_value = key, value
                    break
            service_key = service = None
            for key in service_keys:
                value = get(key)
                if value is not None and value != "":
                    service_key, service = key, value
                    break
        else:
            time_key, time_value = _first(obj, time_keys)
            level_key, raw_level = _first(obj, level_keys)
            message_key, message_value = _first(obj, message_keys)
            service_key, service = _first(obj, service_keys)
        message = (
            message_value
            if isinstance(message_value, str)
            else (_text_of(message_value) if message_value is not None else "")
        )
        message = message.rstrip("\n")
        if not message_key:
            message = _payload_message(obj)
        level = None
        if raw_level is not None:
            kind = type(raw_level)
            if kind is int or kind is str:  # `_level_of` depends on the value alone
                level = self._levels_seen.get(raw_level, _UNSEEN)
                if level is _UNSEEN:
                    level = self._level_of(raw_level)
                    if len(self._levels_seen) < MAX_LEVELS_SEEN:
                        self._levels_seen[raw_level] = level
            else:
                level = self._level_of(raw_level)
        elif self.default_level is not None:
            level = self.default_level
        if level is None:  # no level (an access log), or none a level word names (a
            # Kubernetes audit event's `Metadata`): the HTTP status, if any, says
            level = _status_level(obj)
        if level is None:
            level = infer_level(message)
        # The fields: the object but for the keys read above. Copying it and deleting those
        # keys leaves the others in their order, as a comprehension over it would, for a
        # third of the cost; a key found as a nested path (`log.level` in `{"log": {...}}`)
        # is no key of the object, and deletes nothing, as `key not in used` kept it (an
        # empty key name is never used, as `if key` left it out).
        fields = obj.copy()
        if time_key and time_key in fields:
            del fields[time_key]
        if level_key and level_key in fields:
            del fields[level_key]
        if message_key and message_key in fields:
            del fields[message_key]
        if service_key and service_key in fields:
            del fields[service_key]
        error = _error_text(obj, error_keys) if error_keys else None
        if error and error not in message:
            fields["error_text"] = error
        found: dict[str, Any] | None = fields or None
        if message and (message[0] == "[" or "race" in message):  # `may_carry_ids`, inlined
            message, found = extract_ids(message, found)
        kind = type(time_value)
        return Parsed(
            clock.from_value(time_value) if time_value is not None else None,
            level,
            message,
            _service_text(service) if service is not None else None,
            found,
            kind is int or kind is float or (time_value is not None and is_instant(time_value)),
        )

    def _level_of(self, raw_level: Any) -> str | None:
        """The level a raw level value names: the dialect's own values first (Nextcloud's
        0-4), then the common spellings. A function of the value alone, so `parse_object`
        keeps it per value of the exact types `int` and `str` (never `True` for `1`, nor
        `1.0`: equal keys of a dict, but not equal levels)."""
        level = None
        if self.levels and isinstance(raw_level, str | int):
            level = self.levels.get(raw_level)
        return level or normalize_level(raw_level)

    def _layout(self, obj: dict[str, Any]) -> _Layout:
        """Which of the candidate keys this object has, per role, and whether none of them is
        dotted. Objects of one file share a few key layouts, so the search over every
        convention runs once per layout, not per line."""
        signature = tuple(obj)
        layout = self._layouts.get(signature)
        if layout is None:

            def present(keys: tuple[str, ...]) -> tuple[str, ...]:
                return tuple(key for key in keys if lookup(obj, key) is not None)

            roles = (
                present(_TIME_KEYS),
                present(self.level_keys),
                present(_MESSAGE_KEYS),
                present(self.service_keys),
            )
            flat = not any("." in key for keys in roles for key in keys)
            layout = (*roles, present(_ERROR_KEYS), flat)
            if len(self._layouts) < MAX_LAYOUTS:
                self._layouts[signature] = layout
        return layout


def is_instant(value: object) -> bool:
    """True for a time value that names an instant: an epoch (number, digits, log4j2's
    `instant` object) or text that ends in a zone (`Z`, `+02:00`, `-0700`, `UTC`)."""
    if isinstance(value, str):
        text = value.rstrip()
        if not text:
            return False
        if text[-1] in "Zz" or text.endswith(("UTC", "GMT")):
            return True
        if text.replace(".", "", 1).isdigit():
            return True
        # `+02:00`, `-0700`, `+02` after a time of day (a date's own dashes are not a zone)
        sign = max(text.rfind("+", len(text) - 6), text.rfind("-", len(text) - 6))
        if sign < 0 or ":" not in text[:sign]:
            return False
        digits = text[sign + 1 :].replace(":", "")
        return digits.isdigit() and len(digits) in (2, 4)
    return isinstance(value, int | float | dict) and not isinstance(value, bool)


# Where JSON access logs put the HTTP status (nginx and Caddy templates, ECS, Cloudflare).
_STATUS_KEYS = (
    "status",
    "status_code",
    "statusCode",
    "http.response.status_code",
    "response.status",
    "EdgeResponseStatus",
    "responseStatus.code",  # Kubernetes audit events
)


def _status_level(obj: dict[str, Any]) -> str | None:
    """The level an HTTP status in the object implies, or None."""
    for key in _STATUS_KEYS:
        value = lookup(obj, key)
        if value is None:
            continue
        if isinstance(value, str) and value.isdigit():
            value = int(value)
        if _is_int(value) and 100 <= value <= 599:
            return http_status_level(value)
        return None
    return None


def _payload_message(obj: dict[str, Any]) -> str:
    """The message of a Google Cloud Logging entry with no text of its own: an audit entry's
    method and its error (`google.iam.admin.v1.CreateServiceAccount: Permission ... denied`),
    or a `jsonPayload` without a `message`, as JSON."""
    proto = obj.get("protoPayload")
    if isinstance(proto, dict):
        method = str(proto.get("methodName") or "")
        status = proto.get("status")
        error = status.get("message") if isinstance(status, dict) else None
        if error:
            return f"{method}: {error}" if method else str(error)
        return method
    payload = obj.get("jsonPayload")
    if isinstance(payload, dict) and payload:
        return json.dumps(payload, ensure_ascii=False)
    return ""


def _error_text(obj: dict[str, Any], keys: tuple[str, ...] = _ERROR_KEYS) -> str | None:
    """The error or stack trace a JSON record carries beside its message (pino `err`, zap
    `stacktrace`, logstash `stack_trace`, structlog `exception`, ECS `error.stack_trace`, flat
    or nested, log4j2 `thrown`)."""
    for key in keys:
        value = lookup(obj, key)
        if isinstance(value, dict):
            stack = value.get("stack") or value.get("stack_trace") or value.get("StackTrace")
            if isinstance(stack, str) and stack:
                return stack
            text = value.get("message") or value.get("Message")
            if isinstance(text, str):
                kind = value.get("name") or value.get("type")
                return f"{kind}: {text}" if isinstance(kind, str) and kind else text
        elif isinstance(value, str) and value:
            return value
    return None


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _key_list(keys: object, conventional: tuple[str, ...]) -> tuple[str, ...]:
    """A definition's list of keys, `"*"` replaced by the reader's own list."""
    if keys is None:
        return conventional
    if not isinstance(keys, list) or not all(isinstance(key, str) for key in keys):
        raise ValueError("a list of keys must be a list of strings")
    found: list[str] = []
    for key in keys:
        found.extend(conventional if key == "*" else (key,))
    return tuple(found)


_INTEGER = re.compile(r"-?[0-9]+")


def _level_value(raw: str) -> str | int:
    """A level map's key as the objects hold it: TOML keys are text, `3` stands for 3."""
    return int(raw) if _INTEGER.fullmatch(raw) else raw


def _text_of(value: object) -> str:
    """A message that is not a string, as text: its bytes decoded when it is a list of byte
    values (`_decoded`), else its JSON."""
    decoded = _decoded(value)
    return decoded if decoded is not None else json.dumps(value)


def _service_text(value: object) -> str:
    """A service name as text: a string as it is, a list of byte values decoded."""
    if type(value) is str:
        return value
    decoded = _decoded(value)
    return decoded if decoded is not None else str(value)


def _decoded(value: object) -> str | None:
    """A list of byte values as UTF-8 text (journald's `journalctl -o json` writes a field
    that is not valid UTF-8, or holds control characters, as an array of bytes); None for
    anything else."""
    if (
        isinstance(value, list)
        and value
        and all(type(item) is int and 0 <= item < 256 for item in value)
    ):
        return bytes(value).decode("utf-8", "replace")
    return None
