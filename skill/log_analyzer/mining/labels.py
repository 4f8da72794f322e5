"""Human labels for error groups, built from what the text says: the component that logged it
and the kind of failure (`CartService RedisCommandTimeoutException`, `nginx 503 POST
/api/checkout`, `cart-service ReplyError: OOM command not allowed`, `postgres Too many
connections`).

The kind of failure is, in order of preference: the root cause of the exception the record
reports (the deepest `Caused by:` of a Java trace, the first exception of a chained Python
traceback, the class of a structured `err`), followed by a known failure phrase when its message
says more than its class name; a Go panic; a known failure phrase (`Connection refused`,
`Too many connections`, `OOMKilled`); else the first clause of the template.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from .masking import WILDCARD, mask, mask_keeping_codes

_SUFFIX = r"(?:Exception|Error|Throwable|Fault|Failure|Timeout|Refused|Interrupted|Exit)"
# An exception class as error lines print it: java.lang.NullPointerException, ReplyError,
# redis.exceptions.ConnectionError, HttpServerErrorException$ServiceUnavailable.
_EXCEPTION = re.compile(
    r"(?<![\w$.])((?:[a-zA-Z_$][\w$]*\.)*[A-Z][\w$]*" + _SUFFIX + r"(?:\$[A-Z][\w$]*)?)\b(?!\.\w)"
)
_HAS_SUFFIX = re.compile(_SUFFIX + r"(?:\$[A-Z][\w$]*)?$")
# The suffix alone, anywhere: a line without one of these words (case and all) names no
# exception class, and the costly `_EXCEPTION` search is skipped.
_ANY_SUFFIX = re.compile(_SUFFIX)
# The line of a stack trace that names an exception: unindented, the class (qualified or not)
# then `: message` or nothing (Java's `Caused by: ` prefix kept apart).
_TRACE_LINE = re.compile(
    r"^(Caused by: )?((?:[a-zA-Z_$][\w$]*\.)*[A-Z][\w$]*)(?::[ \t]*(.*))?$", re.MULTILINE
)
_FRAMES = re.compile(r"^(?:\tat |\s+at |  File \")", re.MULTILINE)
# The same two patterns led by the newline before the line, for the lines after the first:
# searched for, a literal first character is skipped to in C, from newline to newline, where a
# leading `^` is tried at every character. A line starts at the text's start (`.match` there)
# or after a newline, and what follows the `^` matches the same whether the `^` or the newline
# went first. `_FRAMES` is only asked whether it matches; `_TRACE_LINE` never takes a newline
# after its start (`.`, `[ \t]`, `[\w$]`: none matches one, and `$` takes nothing), so its
# matches are the same lines, in the same order.
_TRACE_LINE_AFTER_NEWLINE = re.compile("\n" + _TRACE_LINE.pattern[1:], re.MULTILINE)
_FRAMES_AFTER_NEWLINE = re.compile("\n" + _FRAMES.pattern[1:], re.MULTILINE)
_PYTHON_TRACE = "Traceback (most recent call last):"
# Spring 5 and older: `...; nested exception is java.net.SocketTimeoutException: Read timed out`
_NESTED = re.compile(r"nested exception is:? ((?:[a-zA-Z_$][\w$]*\.)*[A-Z][\w$]*)")
# Exceptions that only wrap the interesting one: their root cause names the failure.
_WRAPPERS = frozenset(
    {
        "RuntimeException",
        "ExecutionException",
        "CompletionException",
        "UncheckedIOException",
        "UndeclaredThrowableException",
        "InvocationTargetException",
        "ServletException",
        "NestedServletException",
        "Exception",
        "Error",
        "Throwable",
        "ReflectionException",
        "RetryError",
        "DataAccessResourceFailureException",
    }
)
# Classes that name no failure at all when they stand alone.
_GENERIC = frozenset({"Error", "Exception", "Throwable"})
# `logger="UnhandledError"` (klog) names who logged, not what failed.
_LOGGER_VALUE = re.compile(r"\b(?:logger|logger_name|name|component|caller|module)=\"[^\"]*\"")
_GO_PANIC = re.compile(r"\bpanic(?: serving \S+)?: (?:runtime error: )?([^\n\[]{3,80})")

# Failure phrases, most specific first: (pattern, label, fragments of exception class names
# that already say it, lower case). A phrase matches as whole words: `timeout` does not match
# in `legacy-timeout-ms` or `?timeout=5s`.
_PHRASES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("OOMKilled", "OOMKilled", ("oom",)),
    ("CrashLoopBackOff|Back-off restarting failed container", "CrashLoopBackOff", ()),
    ("OOM command not allowed", "OOM command not allowed", ("outofmemory", "oom")),
    ("Killed process|invoked oom-killer", "OOM kill", ("oom",)),
    ("Out of memory", "Out of memory", ("outofmemory", "oom")),
    ("Cannot allocate memory", "Cannot allocate memory", ("memory",)),
    ("No space left on device", "No space left on device", ("nospace",)),
    ("Too many open files", "Too many open files", ("toomany",)),
    ("[Tt]oo many (?:clients|connections)", "Too many connections", ("toomany",)),
    ("[Dd]eadlock (?:detected|found)", "Deadlock", ("deadlock",)),
    ("Lock wait timeout", "Lock wait timeout", ("lockwait", "locktimeout")),
    (
        "Connection is not available|QueuePool limit|[Cc]onnection pool timeout|"
        "Timeout waiting for (?:idle object|connection from pool)|pool exhausted",
        "Connection pool exhausted",
        ("pool",),
    ),
    ("[Uu]pstream timed out|upstream request timeout", "Upstream timed out", ("timeout",)),
    ("Aborted connection", "Aborted connection", ()),
    ("[Cc]onnection refused|ECONNREFUSED", "Connection refused", ("refused",)),
    ("[Cc]onnection reset|ECONNRESET", "Connection reset", ("reset",)),
    (
        "no such host|Name or service not known|Temporary failure in name resolution|"
        "ENOTFOUND|EAI_AGAIN",
        "DNS lookup failed",
        ("unknownhost", "dns", "gaierror", "resolution"),
    ),
    (
        "[Tt]imed out|timeout|Timeout|ETIMEDOUT|deadline exceeded",
        "Timeout",
        ("timeout", "timedout", "deadline"),
    ),
    (
        "x509: |certificate verify failed|certificate has expired|PKIX path building failed",
        "TLS certificate error",
        ("ssl", "tls", "certificate", "certpath", "handshake"),
    ),
    ("[Pp]ermission denied", "Permission denied", ("permission", "accessdenied")),
)
_PHRASE_PATTERNS = tuple(
    (re.compile(rf"(?<![\w\-.])(?:{pattern})(?![\w\-=])"), label, implied)
    for pattern, label, implied in _PHRASES
)
_LOGGER_KEYS = (
    "logger",
    "logger_name",
    "loggerName",
    "log.logger",
    "name",
    "component",
    "caller",
    "module",
)
# Structured exception fields: a dict with a class name (pino/bunyan `err`, ECS `error`,
# log4j2 `thrown`), or the text of a trace (structlog `exception`, logstash `stack_trace`).
_ERROR_KEYS = ("err", "error", "exception", "thrown")
_ERROR_TEXT_KEYS = (
    "exception",
    "exc_info",
    "stack_trace",
    "stacktrace",
    "error.stack_trace",
    "error_text",
    "traceback",
)
_REQUEST_LINE = re.compile(r"\"([A-Z]{3,7}) (\S+) HTTP/[\d.]+\"")
MAX_CAUSE = 1_000
# Messages that say only that something failed (`request failed`, `Unhandled error`): the
# structured error beside them names the failure.
_GENERIC_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "request",
        "requests",
        "call",
        "operation",
        "job",
        "task",
        "handler",
        "processing",
        "process",
        "server",
        "internal",
        "unexpected",
        "unhandled",
        "uncaught",
        "caught",
        "fatal",
        "error",
        "errors",
        "errored",
        "exception",
        "failed",
        "failure",
        "fail",
        "panic",
        "recovered",
        "something",
        "went",
        "wrong",
        "occurred",
        "has",
        "have",
        "while",
        "with",
        "in",
    ]
)
# Words that lead to a variable and dangle once it is left out (`expired at <*> but`), and
# words that start a new clause after it.
_LINKING = frozenset(
    [
        "at",
        "for",
        "in",
        "on",
        "to",
        "from",
        "by",
        "with",
        "of",
        "into",
        "onto",
        "as",
        "after",
        "before",
        "since",
        "until",
        "via",
        "per",
        "than",
        "about",
        "over",
        "under",
        "within",
        "the",
        "a",
        "an",
    ]
)
_CLAUSE_WORDS = frozenset(
    [
        "but",
        "and",
        "or",
        "while",
        "when",
        "because",
        "so",
        "then",
        "which",
        "that",
        "since",
        "though",
        "although",
        "whereas",
        "if",
        "unless",
    ]
)


def exception_of(message: str, fields: dict[str, Any] | None = None) -> str | None:
    """The short class name of the exception a record reports, unwrapped to its root cause;
    None when it names none."""
    cause = _root_cause(message, fields)
    return cause[0] if cause is not None else None


# The fields `failure_of` reads: a record with none of them fails as its message alone says.
FAILURE_FIELDS = frozenset({*_ERROR_KEYS, *_ERROR_TEXT_KEYS, "error.type", "error.message"})


def failure_of(message: str, fields: dict[str, Any] | None = None) -> tuple[str | None, str]:
    """What a record says failed: the short class name of the exception it reports (as
    `exception_of`), and the cause, beyond its own words: the message of that exception, else
    its structured error text (`error="dial tcp ...: connection refused"`), its first line ('',
    when there is none)."""
    cause = _root_cause(message, fields)
    exception: str | None
    if cause is not None:
        exception, text = cause
    elif fields:
        exception, text = None, next(iter(_error_texts(fields)), "")
    else:  # `_error_texts` of no fields is empty
        return None, ""
    text = text.split("\n", 1)[0].strip()[:MAX_CAUSE] if text else ""
    return exception, text


def _root_cause(message: str, fields: dict[str, Any] | None) -> tuple[str, str] | None:
    """(short class name, its message) of the root cause of what the record reports."""
    if fields:
        structured = _structured_exception(fields)
        if structured is not None:
            return structured
        for key in _ERROR_TEXT_KEYS:
            text = fields.get(key)
            if isinstance(text, str) and "\n" in text:
                cause = _trace_root(text)
                if cause is not None:
                    return cause
    cause = _trace_root(message)
    if cause is not None:
        return cause
    end = message.find("\n")
    searched = message if end < 0 else message[:end]
    # `_EXCEPTION` matches only where a suffix word occurs; taking out `_LOGGER_VALUE`s cannot
    # make one: what is cut starts at `\b` before a word character, so the character left
    # before each cut is not a word character, and no suffix word (all word characters) can
    # span it. A line without a suffix word names no exception, before or after the cut.
    if _ANY_SUFFIX.search(searched) is None:
        return None
    if '="' in searched:
        searched = _LOGGER_VALUE.sub("", searched)
    match = _EXCEPTION.search(searched)
    if match is None:
        return None
    name = _short(match.group(1))
    detail = searched[match.end() :].lstrip(":( ")
    if "nested exception is" in searched:
        # the last class named after it (`nested exception is null` names none)
        nested = _NESTED.findall(searched)
        if nested:
            name = _short(nested[-1])
    return _unwrap(name, detail)


def _structured_exception(fields: dict[str, Any]) -> tuple[str, str] | None:
    for key in _ERROR_KEYS:
        value = fields.get(key)
        if not isinstance(value, dict):
            continue
        while isinstance(value.get("cause"), dict):  # log4j2 `thrown.cause`
            value = value["cause"]
        kind = value.get("type") or value.get("name") or value.get("class")
        if isinstance(kind, str) and kind and kind != "Error":
            detail = value.get("message")
            return _short(kind), detail if isinstance(detail, str) else ""
    kind = fields.get("error.type")  # ECS with dotted keys
    if isinstance(kind, str) and kind:
        detail = fields.get("error.message")
        return _short(kind), detail if isinstance(detail, str) else ""
    return None


def _trace_root(text: str) -> tuple[str, str] | None:
    """The root cause of the stack trace in `text`: Java prints it last (`Caused by:`), Python
    first (`The above exception was the direct cause of ...`)."""
    if "\n" not in text:
        return None
    python = _PYTHON_TRACE in text
    traced = (
        python
        or _FRAMES.match(text) is not None  # `_FRAMES.search(text)`, the first line apart
        or _FRAMES_AFTER_NEWLINE.search(text) is not None
    )
    lines: list[tuple[bool, str, str]] = []
    for match in _trace_lines(text):
        caused, name, detail = match.group(1), match.group(2), match.group(3) or ""
        if name in _GENERIC:  # JavaScript's `Error: connect ECONNREFUSED`: names nothing
            continue
        if _HAS_SUFFIX.search(name) or ("." in name and traced):
            lines.append((caused is not None, _short(name), detail.strip()))
    if not lines:
        return None
    if python:
        _, name, detail = lines[0]
    else:
        causes = [line for line in lines if line[0]]
        _, name, detail = causes[-1] if causes else lines[0]
    return _unwrap(name, detail)


def _trace_lines(text: str) -> Iterator[re.Match[str]]:
    """`_TRACE_LINE.finditer(text)`: the first line, then those after a newline."""
    first = _TRACE_LINE.match(text)
    if first is not None:
        yield first
    yield from _TRACE_LINE_AFTER_NEWLINE.finditer(text)


def _unwrap(name: str, detail: str) -> tuple[str, str]:
    """`RuntimeException: java.net.ConnectException: Connection refused` -> ConnectException."""
    if name in _WRAPPERS:
        inner = _EXCEPTION.match(detail)
        if inner is not None:
            return _short(inner.group(1)), detail[inner.end() :].lstrip(": ")
    return name, detail


def _short(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def component_of(fields: dict[str, Any] | None, service: str) -> str:
    """Who logged it: the short name of the logger or caller when the record has one, else
    the service."""
    if fields:
        nested_log = fields.get("log")
        candidates = [(key, fields.get(key)) for key in _LOGGER_KEYS]
        if isinstance(nested_log, dict):  # ECS `{"log": {"logger": ...}}`
            candidates.insert(0, ("logger", nested_log.get("logger")))
        for key, value in candidates:
            if isinstance(value, str) and value and value != "root":
                short = re.split(r"[./:\[\]]", value.rstrip("."))
                words = [part for part in short if part and not part.isdigit()]
                if words:
                    last = words[-1]
                    if key == "caller" and len(words) >= 2:  # cart/store.go:88 -> store
                        last = words[-2]
                    return last
    return service


def label_for(message: str, service: str, fields: dict[str, Any] | None, template: str) -> str:
    """A short human label: component, then the kind of failure."""
    fields = fields or {}
    first_line = message.split("\n", 1)[0]
    status = fields.get("status")
    if isinstance(status, int) and status >= 400:
        request = _request_of(fields, first_line)
        if request is not None:
            method, path = request
            return f"{service} {status} {method} {route(path)}"
        if "request" in fields:  # an access log line without a request (`"-" 408`)
            return f"{service} {status}"
    component = component_of(fields, service)
    cause = _root_cause(message, fields)
    if cause is not None:
        name, detail = cause
        phrase = _phrase([detail, *_error_texts(fields)])
        if phrase is not None and not any(part in name.lower() for part in phrase[1]):
            return f"{component} {name}: {phrase[0]}"
        return f"{component} {name}"
    panic = _GO_PANIC.search(message)
    if panic is not None:
        return f"{component} panic: {mask(panic.group(1).strip())}"
    phrase = _phrase([*_error_texts(fields), first_line])
    if phrase is not None:
        return f"{component} {phrase[0]}"
    head = headline(template)
    errors = _error_texts(fields)
    if errors and errors[0] and _is_generic(head):  # `request failed` error="pq: ..."
        return f"{component} {headline(mask_keeping_codes(errors[0]))}"
    return f"{component} {head}"


def _is_generic(head: str) -> bool:
    words = [word.strip(".,:;!?()[]'\"").lower() for word in head.split()]
    return len(words) <= 4 and all(word in _GENERIC_WORDS for word in words if word)


def request_label(service: str, event: str, message: str, fields: dict[str, Any] | None) -> str:
    """The label of a request event (`POST /api/cart/{id} 503`, `request completed -> 500`):
    who answered, the status, the request, and the error it names if any: `cart-service 500
    POST /api/carts/{id}/items (RedisCommandExecutionException)`."""
    head, _, status = event.rpartition(" ")
    head = head.removesuffix(" ->")
    label = f"{service} {status} {head}".rstrip()
    if fields and "request" in fields:  # an access log: the request is the whole story
        return label
    cause = _root_cause(message, fields or {})
    return f"{label} ({cause[0]})" if cause is not None else label


def _request_of(fields: dict[str, Any], first_line: str) -> tuple[str, str] | None:
    """(method, path) of an access log line: its `request` field, or a quoted request line
    in the message (HAProxy)."""
    request = fields.get("request")
    if isinstance(request, str):
        method, _, rest = request.partition(" ")
        path = rest.split(" ", 1)[0].split("?", 1)[0]
        return (method, path) if method and path else None
    match = _REQUEST_LINE.search(first_line)
    if match is None:
        return None
    return match.group(1), match.group(2).split("?", 1)[0]


def _error_texts(fields: dict[str, Any]) -> list[str]:
    """Texts of structured error fields that may name the failure (`err.code` ECONNREFUSED,
    logrus `error="dial tcp ...: connection refused"`)."""
    texts: list[str] = []
    for key in (*_ERROR_KEYS, "error.message"):
        value = fields.get(key)
        if isinstance(value, str):
            texts.append(value.split("\n", 1)[0])
        elif isinstance(value, dict):
            texts.extend(
                str(value[part]) for part in ("message", "code") if isinstance(value.get(part), str)
            )
    return texts


def _phrase(texts: list[str]) -> tuple[str, tuple[str, ...]] | None:
    """The first known failure phrase in the texts (the first text first), masked so that
    addresses and URLs never match."""
    for text in texts:
        if not text:
            continue
        masked = mask(text)
        for pattern, label, implied in _PHRASE_PATTERNS:
            if pattern.search(masked):
                return label, implied
    return None


_VERSION = re.compile(r"v\d+(?:\.\d+)*")
_ASCII_DIGIT = re.compile("[0-9]")


def route(path: str) -> str:
    """`/api/v1/cart/5f2a9c/items/17` -> `/api/v1/cart/{id}/items/{id}`: ids out of the path
    (numbers, and segments with digits other than an API version)."""
    if path.isascii() and _ASCII_DIGIT.search(path) is None:
        return path  # no segment has a digit (in ASCII, `str.isdigit` is true of 0-9 alone)
    segments = [
        "{id}"
        if segment.isdigit()
        or (
            len(segment) > 2
            and any(char.isdigit() for char in segment)
            and _VERSION.fullmatch(segment) is None
        )
        else segment
        for segment in path.split("/")
    ]
    return "/".join(segments)


_QUOTED_MESSAGE = re.compile(r'^"([^"]+)"(?:\s|$)')  # klog structured: `"Starting workers" k=v`


def headline(template: str, words: int = 10) -> str:
    """The first clause of the template: variables, `key=value` pairs and a leading
    `[context]` left out, cut at the first `,` `;` `!` or sentence end, or before a
    parenthesis, bracket or JSON object that follows the first words. A word that led to a
    variable goes with it when nothing continues the phrase (`expired at <*> but` is `expired
    but`, `connect to <*>: refused` is `connect: refused`, a closing `failed for cart <*>` is
    `failed`), so no sentence is left dangling."""
    quoted = _QUOTED_MESSAGE.match(template)
    if quoted is not None:
        template = quoted.group(1)
    kept: list[str] = []
    tokens = template.split()
    if tokens and tokens[0].startswith("["):  # `[ReplicaManager broker=1] Error processing`
        closing = next((i for i, token in enumerate(tokens) if token.endswith("]")), None)
        if closing is not None and closing + 1 < len(tokens):
            tokens = tokens[closing + 1 :]
    dangling = False  # the last kept word led to a variable left out
    trailing = False  # a variable was the last token looked at
    named = False  # that variable followed `<linking word> <noun>` (`for cart <*>`)
    for token in tokens:
        if len(kept) >= 2 and token.startswith(("(", "[", "{")):
            break
        if WILDCARD in token or "=" in token or token.strip("-|*>#:") == "":
            if WILDCARD not in token:
                continue
            trailing = True
            dangling = bool(kept) and kept[-1].lower() in _LINKING
            named = len(kept) >= 2 and kept[-2].lower() in _LINKING and kept[-1].isalpha()
            end = token[len(token.rstrip(",;:.!?")) :]
            if end and kept:  # `to <*>:` ends a phrase: `connect: refused`
                if dangling:
                    kept.pop()
                    dangling = False
                if kept:
                    kept[-1] += end
                    trailing = False
                    if _ends_clause(kept[-1], len(kept)):
                        break
            continue
        if dangling and token.lower() in _CLAUSE_WORDS:
            kept.pop()
        dangling = trailing = False
        kept.append(token)
        if len(kept) >= words:
            break
        if _ends_clause(token, len(kept)):
            break
    if trailing and kept:  # the clause ended on a variable
        if dangling:
            kept.pop()
        elif named and len(kept) >= 3:
            del kept[-2:]
    text = " ".join(kept).rstrip(":,;-.!? ")
    return text or template[:60]


def _ends_clause(token: str, kept: int) -> bool:
    return kept >= 2 and (
        token.endswith((",", ";", "!", "?")) or (kept >= 3 and token.endswith("."))
    )
