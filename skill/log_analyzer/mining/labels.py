"""Human labels for error groups, built from what the text says: the component that logged it
and the kind of failure (`CartService RedisCommandTimeoutException`, `nginx 503 POST
/api/checkout`, `redis Can't save in background`).
"""

from __future__ import annotations

import re
from typing import Any

# An exception class as stack traces and error lines print it: java.lang.NullPointerException,
# redis.exceptions.ConnectionError, ReplyError, OperationalError, OutOfMemoryError.
_EXCEPTION = re.compile(
    r"(?<![\w$.])((?:[a-zA-Z_$][\w$]*\.)*[A-Z][\w$]*(?:Exception|Error|Throwable|Fault|Failure|"
    r"Timeout|Refused|Interrupted|Exit))\b(?!\.\w)"
)
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
_CAUSED_BY = re.compile(r"^Caused by: ((?:[a-zA-Z_$][\w$]*\.)*[A-Z][\w$]*)", re.MULTILINE)
_GO_PANIC = re.compile(r"panic: (?:runtime error: )?([^\n\[]{3,60})")
# Failure phrases worth a label of their own when no exception class is named.
_PHRASES = (
    ("OOM command not allowed", "OOM command not allowed"),
    ("Out of memory", "Out of memory"),
    ("Cannot allocate memory", "Cannot allocate memory"),
    ("No space left on device", "No space left on device"),
    ("Too many open files", "Too many open files"),
    ("too many clients", "Too many connections"),
    ("Too many connections", "Too many connections"),
    ("deadlock detected", "Deadlock"),
    ("Deadlock found", "Deadlock"),
    ("Lock wait timeout", "Lock wait timeout"),
    ("Connection refused", "Connection refused"),
    ("connection refused", "Connection refused"),
    ("Connection reset", "Connection reset"),
    ("connection reset", "Connection reset"),
    ("timed out", "Timeout"),
    ("timeout", "Timeout"),
    ("Timeout", "Timeout"),
    ("certificate", "TLS certificate"),
    ("no such host", "DNS lookup failed"),
    ("Name or service not known", "DNS lookup failed"),
    ("Temporary failure in name resolution", "DNS lookup failed"),
    ("Permission denied", "Permission denied"),
    ("permission denied", "Permission denied"),
    ("OOMKilled", "OOMKilled"),
    ("Killed process", "OOM kill"),
    ("CrashLoopBackOff", "CrashLoopBackOff"),
    ("Back-off restarting failed container", "CrashLoopBackOff"),
)
_LOGGER_KEYS = ("logger", "logger_name", "loggerName", "name", "component", "caller", "module")


def exception_of(message: str, fields: dict[str, Any] | None = None) -> str | None:
    """The short class name of the exception a record reports, unwrapping generic wrappers to
    their root cause; None when it names none."""
    if fields:
        for key in ("err", "error", "exception"):
            value = fields.get(key)
            if isinstance(value, dict):
                kind = value.get("type") or value.get("name") or value.get("class")
                if isinstance(kind, str) and kind and kind != "Error":
                    return kind.rsplit(".", 1)[-1]
    match = _EXCEPTION.search(message)
    if match is None:
        return None
    name = match.group(1).rsplit(".", 1)[-1]
    if name in _WRAPPERS:
        causes = _CAUSED_BY.findall(message)
        if causes:
            return str(causes[-1]).rsplit(".", 1)[-1]
    return name


def component_of(fields: dict[str, Any] | None, service: str) -> str:
    """Who logged it: the short name of the logger or caller when the record has one, else
    the service."""
    if fields:
        for key in _LOGGER_KEYS:
            value = fields.get(key)
            if isinstance(value, str) and value and value != "root":
                short = re.split(r"[./:]", value.rstrip("."))
                words = [part for part in short if part and not part.isdigit()]
                if words:
                    last = words[-1]
                    if key == "caller" and len(words) >= 2:  # cart/store.go:88 -> store
                        last = words[-2]
                    return last
    return service


def label_for(message: str, service: str, fields: dict[str, Any] | None, template: str) -> str:
    """A short human label: component, then the kind of failure."""
    first_line = message.split("\n", 1)[0]
    status = (fields or {}).get("status")
    if isinstance(status, int) and status >= 400:
        request = str((fields or {}).get("request") or "")
        method, _, rest = request.partition(" ")
        path = rest.split(" ", 1)[0].split("?", 1)[0]
        where = f" {method} {route(path)}" if method and path else ""
        return f"{service} {status}{where}"
    component = component_of(fields, service)
    exception = exception_of(message, fields)
    if exception is not None:
        return f"{component} {exception}"
    panic = _GO_PANIC.search(message)
    if panic is not None:
        return f"{component} panic: {panic.group(1).strip()}"
    for needle, phrase in _PHRASES:
        if needle in first_line:
            return f"{component} {phrase}"
    return f"{component} {_headline(template)}"


def route(path: str) -> str:
    """`/api/cart/5f2a9c/items` -> `/api/cart/{id}/items`: ids out of the path."""
    segments = [
        "{id}" if any(char.isdigit() for char in segment) and len(segment) > 2 else segment
        for segment in path.split("/")
    ]
    return "/".join(segments)


def _headline(template: str, words: int = 6) -> str:
    """The first words of the template, variables left out."""
    kept = [token for token in template.split() if "<*>" not in token]
    text = " ".join(kept[:words]).rstrip(":,;-")
    return text or template[:60]
