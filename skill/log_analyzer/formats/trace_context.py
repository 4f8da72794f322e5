"""Trace, span and request ids written in a record's text become fields.

Applications print the id of the request they serve in their log lines: a bracketed block
before the message (`[TraceID: 7ed6a1b2 SpanID: 91bc2d3e]`, Spring Cloud Sleuth's
`[seat-service,7ed6a1b2c3d4e5f6,91bc2d3e4f5a6b7c,true]`, Spring Boot 3.2's
`[<trace>-<span>] `, OpenTelemetry Python's `[trace_id=... span_id=...]`, oslo.log's
`[req-<uuid> <user> <project> - - -]`) or trace pairs in the text (`traceId=...`, a W3C
`traceparent: 00-<trace>-<span>-01`, B3's `X-B3-TraceId: ...`). The ids become the fields
`trace_id`, `span_id`, `request_id` (and `global_request_id` for oslo.log); keys a record already
has are kept as they are. A block that decorates the head of the message is taken out of it:
the message then starts with what happened, and one event is one group whatever request it
served. (Request ids in running text, `X-Request-ID: ...`, are left to whoever reads the text:
their hint is a common word, `request`, which would put every other line through a regex.)

Every parsed record goes through here, so it must cost nothing on the lines that carry no id:
every pattern needs the message to start with `[` or to contain `race` (`TraceID`, `traceId`,
`trace_id`, `traceparent`). Formats test that inline (see `may_carry_ids`) before calling
`extract_ids`.
"""

from __future__ import annotations

import re
from typing import Any

# `key: value` / `key=value` pairs naming an id, anywhere in the text. The lookbehind keeps
# `subtrace_id` and `x.trace_id` out; the B3 and X-Request-ID header names are spelt out; the
# lookahead keeps an empty value from taking the next key (`trace_id= span_id=`).
_PAIR = re.compile(
    r"(?<![\w.\-])(?P<key>x-b3-traceid|x-b3-spanid|x-request-id|traceparent"
    r"|trace[_\-]?id|span[_\-]?id|request[_\-]?id|req[_\-]?id)"
    r"[\"']?\s*[:=]\s*[\"']?(?P<value>[0-9A-Za-z][\w\-]{3,79})(?![\w\-]|\s*[:=])",
    re.IGNORECASE,
)
_TRACEPARENT = re.compile(r"[0-9a-f]{2}-(?P<trace>[0-9a-f]{32})-(?P<span>[0-9a-f]{16})-[0-9a-f]{2}")
_FIELD_OF_KEY = {
    "traceid": "trace_id",
    "x-b3-traceid": "trace_id",
    "spanid": "span_id",
    "x-b3-spanid": "span_id",
    "requestid": "request_id",
    "reqid": "request_id",
    "x-request-id": "request_id",
}
# Values that say "no id": MDC placeholders and OpenTelemetry's invalid (all-zero) ids.
_NO_ID = frozenset({"null", "none", "nil", "undefined", "n/a", "-"})

# Blocks at the head of a message, each a header decoration.
# `[TraceID: 7ed6 SpanID: 91bc]`, `[traceId=7ed6, spanId=91bc]`, `[trace_id=0 span_id=0
# resource.service.name=cart trace_sampled=False]`: a bracket of key/value pairs only.
_LEADING_BRACKET = re.compile(r"\[([^\[\]\n]{1,300})\](?:\s+-\s+|\s*)")
_PAIRS_ONLY = re.compile(r"\s*(?:[\w.\-]+\s*[:=]\s*[\w.\-]*(?:\s*[,;|]\s*|\s+|$))+")
# Spring Cloud Sleuth and Micrometer Tracing (`%5p [${spring.application.name:},%X{traceId:-},
# %X{spanId:-}]`, with Sleuth's exportable flag): the application may be empty, ids absent.
_SLEUTH = re.compile(
    r"\[(?P<app>[\w.\-]*),(?P<trace>[0-9a-f]{16,32})?,(?P<span>[0-9a-f]{16})?"
    r"(?:,(?:true|false)?)?\]\s*"
)
# Spring Boot 3.2+ correlation id (`[<traceId(32)>-<spanId(16)>] `, blanks when untraced).
_CORRELATION = re.compile(r"\[(?:(?P<trace>[0-9a-f]{16,32})-(?P<span>[0-9a-f]{16})| {40,})\]\s*")
# oslo.log's request context: `[req-<uuid> <user> <project> <domain> ...]`, `[None req-<uuid>
# ...]` (no global request id) or `[req-<global uuid> req-<uuid> ...]`.
_OSLO_IDS = r"(?:None |(?P<global>req-[0-9a-f\-]{36}) )?(?P<request>req-[0-9a-f\-]{36})"
_OSLO_CONTEXT = re.compile(rf"\[{_OSLO_IDS}(?: [^\]]*)?\]\s*")
_OSLO_CONTEXT_TEXT = re.compile(_OSLO_IDS)
# The same block further in: a header that no format read whole (`[main] c.e.Seat : [TraceID:
# 7ed6 SpanID: 91bc] message` after a generic timestamp and level).
_INNER_BLOCK = re.compile(r"\[\s*(?:trace|span)[_\-]?id\s*[:=][^\[\]\n]{0,200}\]", re.IGNORECASE)
_ID_KEY = re.compile(r"(?:trace|span|request|req)[_\-]?id\s*[:=]", re.IGNORECASE)
# Pairs before the message without brackets: `traceId=7ed6 spanId=91bc - message`.
_LEADING_PAIRS = re.compile(
    r"(?:(?:trace|span)[_\-]?id\s*[:=]\s*[\w\-]*[,;]?\s+)+(?:[-|:]\s+)?", re.IGNORECASE
)


def may_carry_ids(message: str) -> bool:
    """The pre-check of `extract_ids` (formats inline it: the hot path makes no call)."""
    return bool(message) and (message[0] == "[" or "race" in message)


def extract_ids(message: str, fields: dict[str, Any] | None) -> tuple[str, dict[str, Any] | None]:
    """(message, fields) with the ids the message carries added to the fields (a new dict when
    `fields` is None and an id is found; existing keys are never overwritten) and a leading id
    block taken out of the message."""
    if message[:1] == "[":
        message, fields = _leading_block(message, fields)
    if "race" in message:
        found: dict[str, str] = {}
        if message[:1] in "tT":
            match = _LEADING_PAIRS.match(message)
            if match is not None and match.end() < len(message):
                _pairs(match.group(), found)
                message = message[match.end() :]
        if "[" in message:
            block = _INNER_BLOCK.search(message)
            if block is not None and _PAIRS_ONLY.fullmatch(block.group()[1:-1]) is not None:
                _pairs(block.group(), found)
                before = message[: block.start()].rstrip()
                after = message[block.end() :].lstrip()
                if before and after:
                    message = f"{before} {after}"
                elif before or after:
                    message = before or after
        _pairs(message, found)
        if found:
            fields = _merge(fields, found)
    return message, fields


def block_ids(block: str) -> tuple[dict[str, str], str | None]:
    """(ids, application) of an id block a format's header carries (`[app,trace,span]`,
    `[trace-span]`, `trace_id=... span_id=...`): the ids found, and the application Sleuth's
    block names, if any."""
    found: dict[str, str] = {}
    match = _SLEUTH.match(block) or _CORRELATION.match(block)
    if match is not None:
        _add(found, "trace_id", match.group("trace"))
        _add(found, "span_id", match.group("span"))
        app = match.groupdict().get("app")
        return found, app or None
    return _pairs(block, found), None


def request_context_ids(context: str) -> dict[str, str]:
    """The ids of an oslo.log request context (the text inside its brackets)."""
    match = _OSLO_CONTEXT_TEXT.match(context)
    if match is None:
        return {}
    if match.group("global"):
        return {"global_request_id": match.group("global"), "request_id": match.group("request")}
    return {"request_id": match.group("request")}


def _leading_block(
    message: str, fields: dict[str, Any] | None
) -> tuple[str, dict[str, Any] | None]:
    found: dict[str, str] = {}
    match = _OSLO_CONTEXT.match(message)
    if match is not None:
        if match.group("global"):
            found["global_request_id"] = match.group("global")
        found["request_id"] = match.group("request")
    else:
        match = _SLEUTH.match(message) or _CORRELATION.match(message)
        if match is not None:
            _add(found, "trace_id", match.group("trace"))
            _add(found, "span_id", match.group("span"))
        else:
            match = _LEADING_BRACKET.match(message)
            if (
                match is None
                or _ID_KEY.search(match.group(1)) is None  # `[instance: 6a1e...]` stays
                or _PAIRS_ONLY.fullmatch(match.group(1)) is None
            ):
                return message, fields
            _pairs(match.group(1), found)
    if found:
        fields = _merge(fields, found)
    rest = message[match.end() :]
    return (rest or message), fields


def _pairs(text: str, found: dict[str, str]) -> dict[str, str]:
    """The ids named by the key/value pairs of `text`, added to `found` (first one wins)."""
    for match in _PAIR.finditer(text):
        key = match.group("key").lower()
        value = match.group("value")
        if key == "traceparent":
            parent = _TRACEPARENT.match(value)
            if parent is not None:
                _add(found, "trace_id", parent.group("trace"))
                _add(found, "span_id", parent.group("span"))
            continue
        name = _FIELD_OF_KEY.get(key) or _FIELD_OF_KEY.get(key.replace("_", "").replace("-", ""))
        if name is not None:
            _add(found, name, value)
    return found


def _add(found: dict[str, str], name: str, value: str | None) -> None:
    if not value or name in found or value.lower() in _NO_ID or value.strip("0") == "":
        return
    found[name] = value


def _merge(fields: dict[str, Any] | None, found: dict[str, str]) -> dict[str, Any]:
    if fields is None:
        return dict(found)
    for name, value in found.items():
        fields.setdefault(name, value)
    return fields
