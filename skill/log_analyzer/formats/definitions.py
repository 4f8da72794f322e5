"""Formats as data: each family of log formats is a TOML file in `formats/families/`.

A file defines the formats of one family (the web servers, the daemons, the Loghub systems...):
for each, its name, a title, the regex that reads one header line, the timestamp layout, the
map from the family's level marks to levels, and real sample lines with the fields they must
give. The test suite parses every sample of every format, so adding a format is adding a table
(or a file) whose samples are its tests; the engine does not change.

    [timestamps]                  # strftime-like layouts (`timestamps.stamp`), by name
    iso = '%Y-%m-%dT%H:%M:%S(?:\\.%f)?%z'

    [fragments]                   # regex pieces the file's patterns share
    level = '(?P<level>DEBUG|INFO|WARN|ERROR)'

    [[format]]
    name = "cups"
    title = "CUPS error_log"
    timestamp = '%d/%b/%Y:%H:%M:%S %z'        # or the name of one of [timestamps]
    pattern = '^(?P<level>[EWI]) \\[%{ts}\\] (?P<message>.*)$'
    levels = { E = "error", W = "warning", I = "info" }
    priority = 80

    [[format.sample]]
    line = 'E [28/Nov/2026:15:02:03 +0100] [Job 812] Unable to write print data: Broken pipe'
    level = "error"
    timestamp = "2026-11-28T14:02:03+00:00"   # the UTC instant the line must give

In a pattern, `%{ts}` is the format's own timestamp, `%{ts.NAME}` one of the file's
`[timestamps]`, and `%{NAME}` a fragment: the file's, or one the engine provides
(`zone_names`, `level_words`). A pattern may be a list of strings, joined, so that a long one
can be written over several lines. `class` names a format whose reading needs code beyond one
regex (MySQL's slow log, TAI64N labels, JSON dialects): the Python module of the family
provides that class, and the class reads the keys of its own (`spec_keys`).

Errors in a definition (a bad regex, an unknown key, a sample without a line) raise a
`FormatError` naming the file and the format, at start-up, never later.

A user adds formats without touching the package: every `*.toml` in the directories of
`$LOG_ANALYZER_FORMATS` (separated by the path separator), or else in
`$XDG_CONFIG_HOME/log-analyzer/formats/` (`~/.config/...`), is loaded after the built-in ones,
as is any file of `families/` that no module of the package claims.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ..errors import FormatError
from ..levels import LEVEL_WORDS
from ..timestamps import ZONE_NAMES, stamp
from .base import FormatSpec, LogFormat, Sample
from .locations import FAMILIES_DIR, user_files

# keys every format may have; a class adds its own with `spec_keys`
_COMMON_KEYS = frozenset(
    {"name", "title", "class", "pattern", "timestamp", "levels", "priority", "detectable", "sample"}
)
_SAMPLE_KEYS = frozenset({"line", "level", "message", "timestamp", "service"})
_FILE_KEYS = frozenset({"format", "timestamps", "fragments", "description"})
_PLACEHOLDER = re.compile(r"%\{([A-Za-z_][\w.]*)\}")
_ENGINE_FRAGMENTS = {"zone_names": ZONE_NAMES, "level_words": LEVEL_WORDS}


# A format class that definitions can name: it reads its own keys (`LogFormat.from_spec`).
FromSpec = type[LogFormat]


_CLAIMED: set[str] = set()  # the files of `families/` a module of the package has loaded


def load_family(
    file_name: str,
    classes: Mapping[str, FromSpec],
    default: FromSpec,
) -> tuple[LogFormat, ...]:
    """The formats `families/<file_name>` defines, in file order, built by `default` or by
    the entry of `classes` their `class` key names."""
    _CLAIMED.add(file_name)
    text = (FAMILIES_DIR / file_name).read_text(encoding="utf-8")
    return build_formats(file_name, text, classes, default)


def extra_files() -> list[Path]:
    """The definition files no module claims: unclaimed files of `families/`, then the
    user's."""
    unclaimed = [path for path in sorted(FAMILIES_DIR.glob("*.toml")) if path.name not in _CLAIMED]
    return [*unclaimed, *user_files()]


def load_extra(classes: Mapping[str, FromSpec], default: FromSpec) -> tuple[LogFormat, ...]:
    """The formats of `extra_files()`, each file named in errors by its path."""
    formats: list[LogFormat] = []
    for path in extra_files():
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise FormatError(f"format definition {path}: cannot be read: {exc}") from None
        # a file of `families/` is named as the package's own are, a user's by its path
        source = path.name if path.parent == FAMILIES_DIR else str(path)
        formats.extend(build_formats(source, text, classes, default))
    return tuple(formats)


def build_formats(
    source: str,
    text: str,
    classes: Mapping[str, FromSpec],
    default: FromSpec,
) -> tuple[LogFormat, ...]:
    """The formats a definition text defines (`source` names it in errors)."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FormatError(f"format definition {source}: not valid TOML: {exc}") from None
    unknown = set(document) - _FILE_KEYS
    if unknown:
        raise FormatError(f"format definition {source}: unknown keys {sorted(unknown)}")
    timestamps = _string_table(source, document, "timestamps")
    fragments = {**_ENGINE_FRAGMENTS, **_string_table(source, document, "fragments")}
    built: list[LogFormat] = []
    for entry in document.get("format", []):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise FormatError(f"format definition {source}: a [[format]] without a name")
        class_name = entry.get("class")
        maker = default if class_name is None else classes.get(class_name)
        name = entry["name"]
        if maker is None:
            raise FormatError(
                f"format definition {source}, format {name!r}: unknown class {class_name!r}"
            )
        unknown = set(entry) - _COMMON_KEYS - maker.spec_keys
        if unknown:
            raise FormatError(
                f"format definition {source}, format {name!r}: unknown keys {sorted(unknown)}"
            )
        try:
            spec = _spec(source, entry, timestamps, fragments, maker.spec_keys)
            made = maker.from_spec(spec)
        except (re.error, ValueError, TypeError) as exc:
            raise FormatError(f"format definition {source}, format {name!r}: {exc}") from None
        made.definition = source
        built.append(made)
    return tuple(built)


def _string_table(source: str, document: dict[str, Any], key: str) -> dict[str, str]:
    table = document.get(key, {})
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise FormatError(f"format definition {source}: [{key}] must map names to strings")
    return table


def _spec(
    source: str,
    entry: dict[str, Any],
    timestamps: Mapping[str, str],
    fragments: Mapping[str, str],
    own_keys: frozenset[str],
) -> FormatSpec:
    name = entry["name"]

    def fail(problem: str) -> FormatError:
        return FormatError(f"format definition {source}, format {name!r}: {problem}")

    layout = entry.get("timestamp")
    if layout is not None:
        layout = timestamps.get(layout, layout)
    pattern = entry.get("pattern")
    if isinstance(pattern, list):
        pattern = "".join(pattern)
    if pattern is not None and not isinstance(pattern, str):
        raise fail("pattern must be a string or a list of strings")
    if pattern is not None:
        pattern = _expand(pattern, layout, timestamps, fragments, fail)
    levels = entry.get("levels", {})
    if not isinstance(levels, dict):
        raise fail("levels must be a table")
    samples = []
    for number, sample in enumerate(entry.get("sample", []), start=1):
        if not isinstance(sample, dict) or not isinstance(sample.get("line"), str):
            raise fail(f"sample {number} has no line")
        unknown = set(sample) - _SAMPLE_KEYS
        if unknown:
            raise fail(f"sample {number}: unknown keys {sorted(unknown)}")
        samples.append(Sample(**sample))
    return FormatSpec(
        source=source,
        name=name,
        title=entry.get("title", name),
        pattern=pattern,
        levels=levels,
        priority=int(entry.get("priority", 50)),
        detectable=bool(entry.get("detectable", True)),
        samples=tuple(samples),
        options={key: value for key, value in entry.items() if key in own_keys},
    )


def _expand(
    pattern: str,
    layout: str | None,
    timestamps: Mapping[str, str],
    fragments: Mapping[str, str],
    fail: Callable[[str], FormatError],
    depth: int = 0,
) -> str:
    """`pattern` with its `%{...}` placeholders replaced (fragments may hold placeholders)."""
    if depth > 8:
        raise fail("fragments refer to each other in a loop")

    def replace(match: re.Match[str]) -> str:
        key = match.group(1)
        if key == "ts":
            if layout is None:
                raise fail("%{ts} in the pattern, but no timestamp")
            return stamp(layout)
        if key.startswith("ts."):
            named = timestamps.get(key[3:])
            if named is None:
                raise fail(f"no timestamp {key[3:]!r} in [timestamps]")
            return stamp(named)
        fragment = fragments.get(key)
        if fragment is None:
            raise fail(f"unknown placeholder %{{{key}}}")
        return _expand(fragment, layout, timestamps, fragments, fail, depth + 1)

    return _PLACEHOLDER.sub(replace, pattern)
