"""Request events: the method, route and status of a record that reports an HTTP request,
from any format.

An access log's text (`"POST /api/cart/17 HTTP/1.1" 503`), and the structured fields of a JSON
or logfmt request log (`status`, `status_code`, `http.status_code`, pino's `res.statusCode`,
ECS `http.response.status_code`, with the method and path beside them) say the same thing: a
request and how it ended. Both become one literal event, `POST /api/cart/{id} 503`, so that
routine 404s and an incident's 500s are never one group whatever the format.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..levels import http_status_level
from ..records import Record
from .labels import route
from .masking import mask

_REQUEST_LINE = re.compile(r'"([A-Z]{3,7}) (\S+) HTTP/[\d.]+"')

# Where request loggers put the status, the method and the path: flat keys, dotted keys
# (OpenTelemetry, ECS written flat) and nested objects (pino's req/res, ECS nested).
_STATUS_PATHS: tuple[tuple[str, ...], ...] = (
    ("status",),
    ("status_code",),
    ("statusCode",),
    ("http_status",),
    ("response_code",),
    ("http.status_code",),
    ("http.response.status_code",),
    ("res", "statusCode"),
    ("res", "status"),
    ("response", "status"),
    ("response", "status_code"),
    ("response", "statusCode"),
    ("resp", "status"),
    ("http", "status_code"),
    ("http", "response", "status_code"),
)
_METHOD_PATHS: tuple[tuple[str, ...], ...] = (
    ("method",),
    ("http_method",),
    ("verb",),
    ("http.method",),
    ("http.request.method",),
    ("req", "method"),
    ("request", "method"),
    ("http", "method"),
    ("http", "request", "method"),
)
_PATH_PATHS: tuple[tuple[str, ...], ...] = (
    ("route",),
    ("http.route",),
    ("path",),
    ("uri",),
    ("url",),
    ("request_uri",),
    ("endpoint",),
    ("http.target",),
    ("http.url",),
    ("url.path",),
    ("req", "url"),
    ("req", "path"),
    ("request", "url"),
    ("request", "path"),
    ("http", "route"),
    ("http", "target"),
    ("url", "path"),
)
_STATUS_KEYS = frozenset(path[0] for path in _STATUS_PATHS)
STATUS_KEYS = _STATUS_KEYS  # fields with none of these keys say no request's status
_ERROR_KEYS = frozenset(
    {"err", "error", "exception", "error_text", "stack", "stack_trace", "exc_info"}
)
_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "CONNECT"})


_Paths = tuple[tuple[str, ...], ...]
# Per set of field keys, the status, method and path places whose first key is among them, in
# their order: request logs repeat a few key sets, and a record is then searched at the two or
# three places that can answer, not at all forty. Bounded: emptied when full.
_PLACES: dict[tuple[str, ...], tuple[_Paths, _Paths, _Paths]] = {}
MAX_KEY_SETS = 4_096


def _places(fields: Mapping[str, Any]) -> tuple[_Paths, _Paths, _Paths]:
    """(status, method, path) places of `_STATUS_PATHS`, `_METHOD_PATHS`, `_PATH_PATHS` that
    `fields` may hold (the others are sure to give None)."""
    keys = tuple(fields)
    found = _PLACES.get(keys)
    if found is None:
        if len(_PLACES) >= MAX_KEY_SETS:
            _PLACES.clear()
        found = _PLACES[keys] = (
            tuple(path for path in _STATUS_PATHS if path[0] in fields),
            tuple(path for path in _METHOD_PATHS if path[0] in fields),
            tuple(path for path in _PATH_PATHS if path[0] in fields),
        )
    return found


def _lookup(fields: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = fields
    for key in path:
        if type(value) is not dict and not isinstance(value, Mapping):
            return None
        value = value.get(key)
        if value is None:
            return None
    return value


def _status(fields: Mapping[str, Any], paths: _Paths) -> int | None:
    for path in paths:
        value = _lookup(fields, path)
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, int):
            number = value
        elif isinstance(value, str) and len(value) == 3 and value.isdigit():
            number = int(value)
        else:
            continue
        if 100 <= number <= 599:
            return number
    return None


def _first_text(fields: Mapping[str, Any], paths: tuple[tuple[str, ...], ...]) -> str | None:
    for path in paths:
        value = _lookup(fields, path)
        if isinstance(value, str) and value:
            return value
    return None


def _path_of(url: str) -> str:
    """`https://host:8080/api/x?q=1` -> `/api/x`; a path stays as it is, without its query."""
    if "://" in url:
        rest = url.split("://", 1)[1]
        slash = rest.find("/")
        url = rest[slash:] if slash >= 0 else "/"
    return url.split("?", 1)[0]


# An access-log line of a format no parser knows (Envoy's default, a custom nginx
# log_format): the quoted request line and the status right after it.
_ACCESS_TEXT = re.compile(r'"([A-Z]{3,7}) (\S+) HTTP/[\d.]+" (\d{3})\b')


def _text_request_event(message: str) -> str | None:
    if "HTTP/" not in message:
        return None
    found = _ACCESS_TEXT.search(message)
    if found is None:
        return None
    method, path, status = found.groups()
    return f"{method} {route(_path_of(path))} {status}"


def request_event(record: Record) -> str | None:
    """`POST /api/carts/{id}/items 503` for a record that reports a request and its status, ids
    taken out of the path; `<message> -> 503` for a request log that gives a status but no
    route; None for other records."""
    fields = record.fields
    if not fields or _STATUS_KEYS.isdisjoint(fields):
        return _text_request_event(record.message) if record.level is None else None
    status = _status(fields, _places(fields)[0])
    if status is None:
        return None
    request = fields.get("request")
    if not isinstance(request, str) and not _ERROR_KEYS.isdisjoint(fields):
        return None  # a request log that states its own error is grouped by that error
    if isinstance(request, str) and " " in request:
        method, _, rest = request.partition(" ")
        return f"{method} {route(_path_of(rest.split(' ', 1)[0]))} {status}"
    quoted = _REQUEST_LINE.search(record.message) if "HTTP/" in record.message else None
    if quoted is not None:
        method, path = quoted.groups()
        return f"{method} {route(_path_of(path))} {status}"
    _, methods, targets = _places(fields)
    verb = _first_text(fields, methods)
    target = _first_text(fields, targets)
    if verb is not None and verb.upper() in _METHODS and target is not None:
        return f"{verb.upper()} {route(_path_of(target))} {status}"
    if target is not None and target.startswith("/"):
        return f"{route(_path_of(target))} {status}"
    # a status without a route: the message, masked, and the status kept apart from it
    first_line = record.message.split("\n", 1)[0].strip()
    return f"{mask(first_line) or 'request'} -> {status}"


def request_level(record: Record) -> str | None:
    """The record's level, or what its HTTP status says (5xx: error, 4xx: warning) when the
    request log gives none. A level the logger wrote is kept: remote engines filter on it, and
    the same records must be grouped whether read from files or fetched."""
    level = record.level
    if level is not None:
        return level
    fields = record.fields
    if not fields or _STATUS_KEYS.isdisjoint(fields):
        found = _ACCESS_TEXT.search(record.message) if "HTTP/" in record.message else None
        return http_status_level(int(found.group(3))) if found is not None else None
    status = _status(fields, _places(fields)[0])
    if status is None or status < 400:
        return level
    return http_status_level(status)


# Request lines of other shapes, read only by `request_outcome`: an application's own request
# log (`GET /api/carts/17 200 9ms`) and IIS W3C (`POST /api/x - 443 - 10.0.0.1 Mozilla/5.0 -
# 503 0 0 15`), tried only where `GET /` (...) occurs; a request log's message that is the
# request itself (gin: `POST     "/api/checkout"`, the status in a field).
_TEXT_METHODS = tuple(f"{method} /" for method in ("GET", "POST", "PUT", "PATCH", "DELETE"))
_APP_TAIL = re.compile(
    r"(/[^\s\"]*) (?:HTTP/[\d.]+ )?(?:-> |=> |returned |status[=:] ?)?([1-5]\d\d)\b(?![.:/-]\d)"
)
_IIS_TAIL = re.compile(r"(/\S*) \S+ \d+ \S+ \S+ \S+ (?:\S+ )?([1-5]\d\d) \d+ \d+ \d+\s*$")
_MESSAGE_REQUEST = re.compile(r'(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+"?(/[^\s"]*)')


def _text_outcome(message: str) -> tuple[str, str, int] | None:
    """(method, path, status) of an application's or IIS's request line."""
    for needle in _TEXT_METHODS:
        at = message.find(needle)
        while at >= 0:
            if at == 0 or not (message[at - 1].isalnum() or message[at - 1] in "/.-_"):
                start = at + len(needle) - 1
                found = _APP_TAIL.match(message, start) or _IIS_TAIL.match(message, start)
                if found is not None:
                    return needle[:-2], _path_of(found.group(1)), int(found.group(2))
            at = message.find(needle, at + 1)
    return None


def request_outcome(record: Record) -> tuple[str | None, str | None, int] | None:
    """(method, path, status) of any record that reports a request and how it ended: the
    structured fields, an access log's text, an application's or a server's own request line.
    Unlike `request_event`, a request log that states its own error counts too. Method and
    path are None when the record does not say them; the path is as logged (not masked)."""
    return message_outcome(record.message, record.fields)


def message_outcome(
    message: str, fields: Mapping[str, Any] | None
) -> tuple[str | None, str | None, int] | None:
    """`request_outcome` of a record's message and fields. Fields that hold no key of
    `STATUS_KEYS` are read as no fields at all (a caller that knows may pass None)."""
    if fields and not _STATUS_KEYS.isdisjoint(fields):
        status = fields.get("status")  # an access log's, parsed: the common case, first
        places = None
        if type(status) is not int or not 100 <= status <= 599:
            places = _places(fields)
            status = _status(fields, places[0])
            if status is None:
                return None
        request = fields.get("request")
        if isinstance(request, str) and " " in request:
            method, _, rest = request.partition(" ")
            return method, _path_of(rest.split(" ", 1)[0]), status
        quoted = _REQUEST_LINE.search(message) if "HTTP/" in message else None
        if quoted is not None:
            return quoted.group(1), _path_of(quoted.group(2)), status
        _, methods, targets = places if places is not None else _places(fields)
        verb = _first_text(fields, methods) if methods else None
        target = _first_text(fields, targets) if targets else None
        if target is None:  # the message is the request (gin: `POST     "/api/checkout"`)
            said = _MESSAGE_REQUEST.match(message)
            if said is not None:
                return said.group(1), _path_of(said.group(2)), status
        known = verb.upper() if verb is not None and verb.upper() in _METHODS else None
        return known, _path_of(target) if target is not None else None, status
    if "HTTP/" in message:
        found = _ACCESS_TEXT.search(message)
        if found is not None:
            return found.group(1), _path_of(found.group(2)), int(found.group(3))
    return _text_outcome(message) if " /" in message else None
