"""Continuation lines: the lines that belong to the record before them rather than start one.

Java stack traces (`at ...`, `Caused by:`, `... N more`), Python tracebacks (indented frames,
the closing `ValueError: ...` or `psycopg2.errors.QueryCanceled: ...` line, the chaining
sentences), Go panics (the `panic:` line, goroutine headers and frames, with or without
arguments as zap prints them), PHP stack traces (`#0 /var/www/...`, `[stacktrace]`), and
indented or blank lines in general.
"""

from __future__ import annotations

import re

_CONTINUATION = re.compile(
    r"^(?:"
    r"[ \t]"  # indented: frames, wrapped text
    r"|$"  # blank line inside a trace
    r"|at [\w$.<>/]+[.(]"  # Java/JS frame without indentation
    r"|Caused by: |Suppressed: |\.\.\. \d+ (?:more|common frames omitted)"
    r"|(?:[a-z_$][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error|Throwable)\b"  # java.lang.FooException
    r"|(?:[a-z_]\w*\.)+[A-Z]\w*(?::\s|:?$)"  # psycopg2.errors.QueryCanceled: ...
    r"|[A-Za-z]\w*(?:Error|Exception|Exit|Interrupt|Warning)(?::|$)"  # ValueError: ..., Error:
    r"|Traceback \(most recent call last\):"
    r'|File "[^"]*", line \d+'  # a Python frame whose indentation was lost
    r"|During handling of the above exception|The above exception was the direct cause"
    r"|goroutine \d+ \[|created by |\[signal |exit status \d+"
    r"|panic: |panic\(|fatal error: "  # a Go panic after the last log line, and its frames
    r"|(?:[\w\-]+[./])+[\w*().\-]+(?:\(.*\))?$"  # Go frame, zap prints no args
    r"|[}\]]|\"\}"  # the end of a pretty-printed object (or of Monolog's JSON context)
    r"|#\d+ (?:[/\\\w]|\{main\})|\[stacktrace\]"  # a PHP stack trace, as Laravel logs it
    r")"
)


def is_continuation(line: str) -> bool:
    """True when `line` reads as part of the record before it."""
    return _CONTINUATION.match(line) is not None


# A crash the runtime prints after a program's last log line, its stderr beside its log: a Go
# or Rust panic, a Go runtime `fatal error:`, an exception no handler caught (the JVM's
# `Exception in thread`, .NET's `Unhandled exception.`). After a calm record (below warning) it
# is not that record's continuation: a program that logged `request ok` and then died must show
# a failure, not a long info line. After a warning or an error it stays theirs. A Python
# traceback is left out: `logger.info(..., exc_info=True)` writes one under a calm record
# (Google Drive's sync log does), exactly as an uncaught exception prints it.
_CRASH = re.compile(
    r"(?P<fatal>panic: |fatal error: |thread '[^'\n]*' panicked at )"
    r"|Exception in thread \"[^\"\n]*\" |Unhandled [eE]xception[.:] "
)
_CRASH_STARTS = frozenset("pftEU")  # the first characters of `_CRASH`'s alternatives


def crash_level(line: str) -> str | None:
    """The level of the crash `line` opens (`fatal` for a panic, `error` for an uncaught
    exception), or None when it opens none."""
    if line[:1] not in _CRASH_STARTS:
        return None
    found = _CRASH.match(line)
    if found is None:
        return None
    return "fatal" if found.group("fatal") else "error"
