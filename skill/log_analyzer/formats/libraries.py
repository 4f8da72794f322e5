"""The code behind the library formats defined in `families/libraries.toml`:
java.util.logging's two-line records. The patterns, levels and samples of every format of
that family (Ruby's Logger, JUL, logrus, Tornado, vdsm's Python) are in that file."""

from __future__ import annotations

from typing import cast

from .base import Parsed, RegexFormat
from .definitions import load_family


class JulFormat(RegexFormat):
    """java.util.logging's SimpleFormatter: the time and the source on one line, the level and
    the message on the next. The second line completes the record the first one opened (its
    level and message); a stack trace follows it."""

    def continuation_text(self, parsed: Parsed, line: str) -> str:
        return parsed.message


FORMATS = cast(
    tuple[RegexFormat, ...],
    load_family("libraries.toml", {"JulFormat": JulFormat}, RegexFormat),
)

RUBY_LOGGER = {fmt.name: fmt for fmt in FORMATS}["ruby-logger"]
