"""Continuation lines: the lines that belong to the record before them rather than start one.

Java stack traces (`at ...`, `Caused by:`, `... N more`), Python tracebacks (indented frames,
the closing `ValueError: ...` line, the chaining sentences), Go panics (goroutine headers and
frames), and indented or blank lines in general.
"""

from __future__ import annotations

import re

_CONTINUATION = re.compile(
    r"^(?:"
    r"[ \t]"                                            # indented: frames, wrapped text
    r"|$"                                               # blank line inside a trace
    r"|at [\w$.<>/]+[.(]"                               # Java/JS frame without indentation
    r"|Caused by: |Suppressed: |\.\.\. \d+ (?:more|common frames omitted)"
    r"|(?:[a-z_$][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error|Throwable)\b"  # java.lang.FooException
    r"|[A-Z]\w*(?:Error|Exception|Exit|Interrupt|Warning)(?::|$)"        # ValueError: ..., Error:
    r"|Traceback \(most recent call last\):"
    r"|During handling of the above exception|The above exception was the direct cause"
    r"|goroutine \d+ \[|created by |\[signal |exit status \d+"
    r"|(?:[\w\-]+[./])+[\w*().\-]+\(.*\)$"              # Go frame: net/http.(*conn).serve(...)
    r"|[}\]]"                                           # the end of a pretty-printed object
    r")"
)


def is_continuation(line: str) -> bool:
    """True when `line` reads as part of the record before it."""
    return _CONTINUATION.match(line) is not None
