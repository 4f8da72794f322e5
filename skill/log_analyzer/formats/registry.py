"""Every known format, in one list, and lookup by name for `--format NAME`.

The built-in families come first, in the order detection breaks ties by; then the formats of
definition files no module claims (a file added to `families/`, a user's own: see
`definitions.py`); then the fallbacks, which read almost anything."""

from __future__ import annotations

from ..errors import FormatError
from . import access, application, columns, daemons, libraries, loghub, system, windows
from .base import LogFormat, RegexFormat
from .definitions import FromSpec, load_extra
from .envelopes import ENVELOPES, Envelope
from .fallback import GENERIC, LEVEL_PREFIX, PLAIN
from .named_zone import NamedZoneFormat
from .structured import STRUCTURED_FORMATS, JsonFormat

BUILT_IN: tuple[LogFormat, ...] = (
    *STRUCTURED_FORMATS,
    *system.FORMATS,
    *daemons.FORMATS,
    *access.FORMATS,
    *columns.FORMATS,
    *windows.FORMATS,
    *application.FORMATS,
    *libraries.FORMATS,
    *loghub.FORMATS,
)
# the classes a definition file outside the package may name
DEFINITION_CLASSES: dict[str, FromSpec] = {
    "RegexFormat": RegexFormat,
    "JsonFormat": JsonFormat,
    "NamedZoneFormat": NamedZoneFormat,
}


def _unique(formats: tuple[LogFormat, ...]) -> dict[str, LogFormat]:
    by_name: dict[str, LogFormat] = {}
    for fmt in formats:
        earlier = by_name.get(fmt.name)
        if earlier is not None:
            where = earlier.definition or "the package"
            raise FormatError(
                f"format definition {fmt.definition or 'the package'}: a format named "
                f"{fmt.name!r} is already defined (in {where}); choose another name"
            )
        by_name[fmt.name] = fmt
    return by_name


FORMATS: tuple[LogFormat, ...] = (
    *BUILT_IN,
    *load_extra(DEFINITION_CLASSES, RegexFormat),
    GENERIC,
    LEVEL_PREFIX,
    PLAIN,
)

_BY_NAME: dict[str, LogFormat] = _unique(FORMATS)
_ENVELOPES_BY_NAME: dict[str, Envelope] = {env.name: env for env in ENVELOPES}


def format_names() -> list[str]:
    return sorted([*_BY_NAME, *_ENVELOPES_BY_NAME])


def get_format(name: str) -> LogFormat | Envelope:
    """The format or envelope called `name` (for `--format`), or a FormatError naming the
    known ones."""
    found = _BY_NAME.get(name) or _ENVELOPES_BY_NAME.get(name)
    if found is None:
        raise FormatError(f"unknown format {name!r}; known formats: {', '.join(format_names())}")
    return found
