"""Every known format, in one list, and lookup by name for `--format NAME`."""

from __future__ import annotations

from ..errors import FormatError
from . import access, application, columns, daemons, libraries, loghub, system, windows
from .base import LogFormat
from .envelopes import ENVELOPES, Envelope
from .fallback import GENERIC, LEVEL_PREFIX, PLAIN
from .structured import STRUCTURED_FORMATS

FORMATS: tuple[LogFormat, ...] = (
    *STRUCTURED_FORMATS,
    *system.FORMATS,
    *daemons.FORMATS,
    *access.FORMATS,
    *columns.FORMATS,
    *windows.FORMATS,
    *application.FORMATS,
    *libraries.FORMATS,
    *loghub.FORMATS,
    GENERIC,
    LEVEL_PREFIX,
    PLAIN,
)

_BY_NAME: dict[str, LogFormat] = {fmt.name: fmt for fmt in FORMATS}
_ENVELOPES_BY_NAME: dict[str, Envelope] = {env.name: env for env in ENVELOPES}
if len(_BY_NAME) != len(FORMATS):
    raise FormatError("two formats share a name")


def format_names() -> list[str]:
    return sorted([*_BY_NAME, *_ENVELOPES_BY_NAME])


def get_format(name: str) -> LogFormat | Envelope:
    """The format or envelope called `name` (for `--format`), or a FormatError naming the
    known ones."""
    found = _BY_NAME.get(name) or _ENVELOPES_BY_NAME.get(name)
    if found is None:
        raise FormatError(f"unknown format {name!r}; known formats: {', '.join(format_names())}")
    return found
