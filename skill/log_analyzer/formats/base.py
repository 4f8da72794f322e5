"""What a log format is: a small declarative object that parses one header line.

A format never sees more than one line and keeps no state between lines; multi-line joining,
fallbacks and provenance are the ingest layer's job. Each format carries real sample lines,
which the test suite parses automatically (see `tests/test_format_samples.py`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from ..levels import SYSLOG_SEVERITY, http_status_level, infer_level, normalize_level
from ..records import Record
from ..timestamps import Clock
from .trace_context import block_ids, extract_ids

# Named groups with a meaning of their own; every other named group becomes a record field.
_TIME_GROUPS = frozenset({"ts", "Y", "y", "mo", "mon", "d", "H", "M", "S", "f", "z", "epoch"})
_CORE_GROUPS = _TIME_GROUPS | {"level", "message", "service", "status", "pri"}


_UNKNOWN: Any = object()
NO_MATCH: Any = object()  # `quick_level`: the line is not a header of this format
CONTINUES: Any = object()  # `quick_level`: a header that continues the previous record


@dataclass(slots=True)
class Parsed:
    """The header fields a format read from one line."""

    timestamp: datetime | None
    level: str | None
    message: str
    service: str | None = None
    fields: dict[str, Any] | None = None
    # The timestamp is an instant: the line stated its zone or offset, or an epoch. False for
    # a wall-clock time read in the source's zone (`--tz`), which an envelope's instant beats.
    zoned: bool = False


@dataclass(frozen=True)
class Sample:
    """A real line a format must parse, with the fields it must yield (checked by tests)."""

    line: str
    level: str | None = None
    message: str | None = None
    timestamp: str | None = None  # ISO 8601 in UTC, as `Record.timestamp.isoformat()` prints
    service: str | None = None


@dataclass(frozen=True)
class FormatSpec:
    """One format's definition as read from its file, placeholders expanded."""

    source: str
    name: str
    title: str
    pattern: str | None
    levels: Mapping[str, str]
    priority: int
    detectable: bool
    samples: tuple[Sample, ...]
    # the keys the format's class reads (`spec_keys`), as written
    options: Mapping[str, Any] = field(default_factory=dict)


class LogFormat:
    """Base of every format: a name, samples, and `parse` for one line."""

    name: str = ""
    title: str = ""
    samples: tuple[Sample, ...] = ()
    # Higher wins when two formats read the same share of a sample: specific before generic.
    priority: int = 50
    # False for fallbacks that read almost anything: they are tried per line, never detected.
    detectable: bool = True
    # False when every record is one line by construction (JSON lines, comments): a line no
    # format reads is then a record of its own, never part of the record before it.
    takes_headerless: bool = True
    # the definition file the format comes from (`families/*.toml` or a user's), if any
    definition: str = ""
    # the keys a definition of this class may add to the common ones (`definitions.py`)
    spec_keys: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def from_spec(cls, spec: FormatSpec) -> LogFormat:
        """The format a definition describes; a class that can be defined in a file says how."""
        raise TypeError(f"{cls.__name__} cannot be defined in a file")

    def parse(self, line: str, clock: Clock) -> Parsed | None:
        raise NotImplementedError

    def for_source(self, sample: list[str]) -> LogFormat:
        """The reader for one source, given a sample of its lines: itself, or (a format whose
        header declares its columns, as W3C's `#Fields:`) a reader bound to that header."""
        return self

    def joins_previous(self, parsed: Parsed, previous: Record | None = None) -> bool:
        """True for header lines that continue the previous record (PostgreSQL `DETAIL:`, the
        lines of an oslo.log traceback). `previous` is that record when the caller has it;
        without it the answer rests on the line alone (where a file may be cut in parts)."""
        return False

    def continuation_text(self, parsed: Parsed, line: str) -> str:
        """What a line that `joins_previous` adds to the record: the whole line, or (formats
        that repeat their header on every line of a traceback) the text after the header."""
        return line

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


def _head_through_level(pattern: str) -> re.Pattern[str] | None:
    """The pattern cut after its `level` group, when that cut is a valid regex (it is not when
    the group sits inside an alternation): matching a line's head costs half a full match."""
    start = pattern.find("(?P<level>")
    if start < 0:
        return None
    depth = 0
    escaped = False
    for index in range(start, len(pattern)):
        char = pattern[index]
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                try:
                    return re.compile(pattern[: index + 1])
                except re.error:
                    return None
    return None


_GROUP_NAME = re.compile(r"\(\?P<(?!level>)\w+>")
_READS_ACROSS_LINES = re.compile(r"\(\?<|\\[AZz1-9]|\(\?P=|\(\?[aiLmsux]*s")
_LEADING_FLAGS = re.compile(r"\(\?[aiLmsux]+\)")


def _level_scanner(probe: re.Pattern[str]) -> re.Pattern[str] | None:
    """`(?m)^(?:PROBE)?.*$` with only the level group capturing (`RegexFormat.level_scanner`)."""
    source = probe.pattern
    flags = _LEADING_FLAGS.match(source)
    leading = flags.group(0) if flags else ""
    inner = source[len(leading) :].removeprefix("^")
    if probe.flags & re.DOTALL or _READS_ACROSS_LINES.search(inner) or "(?P<level>" not in inner:
        return None
    inner = _GROUP_NAME.sub("(?:", inner).replace("(?P<level>", "(", 1)
    try:
        scanner = re.compile(f"{leading}^(?:{inner})?.*$", probe.flags | re.MULTILINE)
    except re.error:
        return None
    return scanner if scanner.groups == 1 else None


def _level_never_empty(probe: re.Pattern[str], regex: re.Pattern[str]) -> bool:
    """The probe is the regex cut just after its level group, and that group's own pattern
    cannot match an empty text."""
    source = probe.pattern
    start = source.find("(?P<level>")
    if probe is regex or start < 0 or not source.endswith(")"):
        return False
    try:
        body = re.compile(source[start + len("(?P<level>") : -1], probe.flags)
    except re.error:
        return False
    return body.fullmatch("") is None


# `RegexFormat._plan`: the positions of the message, level, status, pri, ts, f and service
# groups, then the aliases, the extra fields, the zone groups, the id blocks, the level cache
_Plan = tuple[
    int,
    int,
    int,
    int,
    int,
    int,
    int,
    tuple[tuple[int, int], ...],
    tuple[tuple[str, int], ...],
    tuple[int, ...],
    tuple[int, ...],
    dict[str, str | None],
]


class RegexFormat(LogFormat):
    """A format described by one anchored regex with named groups.

    Groups: the time groups made by `timestamps.stamp(...)`, `level`, `message`, `service`
    (or the group `service_group` names), `status` (an HTTP status: sets the level when the line
    has none); every other named group becomes a record field. `levels` maps raw level text to
    canonical levels before the generic spellings are tried; raw levels in `continuation_levels`
    mark lines that belong to the previous record. Groups in `id_blocks` hold a block of
    trace ids in the header (Sleuth's `[app,trace,span]`): read into `trace_id` and `span_id`
    when present, never kept as they are.

    Formats are defined in data files (`formats/families/*.toml`, see `definitions.py`); the
    keys below are those a definition may add to the common ones.
    """

    spec_keys: ClassVar[frozenset[str]] = frozenset(
        {"infer", "continuation_levels", "id_blocks", "service_group"}
    )

    @classmethod
    def from_spec(cls, spec: FormatSpec) -> LogFormat:
        """The format a definition describes (`definitions.load_family`)."""
        if spec.pattern is None:
            raise ValueError("a pattern is required")
        options = spec.options
        return cls(
            spec.name,
            spec.pattern,
            title=spec.title,
            samples=spec.samples,
            levels=spec.levels,
            service_group=options.get("service_group", "service"),
            priority=spec.priority,
            detectable=spec.detectable,
            infer=options.get("infer", True),
            continuation_levels=frozenset(options.get("continuation_levels", ())),
            id_blocks=tuple(options.get("id_blocks", ())),
        )

    def __init__(
        self,
        name: str,
        pattern: str,
        *,
        title: str = "",
        samples: tuple[Sample, ...] = (),
        levels: Mapping[str, str] | None = None,
        service_group: str = "service",
        priority: int = 50,
        detectable: bool = True,
        infer: bool = True,
        continuation_levels: frozenset[str] = frozenset(),
        id_blocks: tuple[str, ...] = (),
    ) -> None:
        self.name = name
        self.title = title or name
        self.samples = samples
        self.pattern = pattern
        self.regex = re.compile(pattern)
        self.levels = dict(levels or {})
        self.service_group = service_group
        self.priority = priority
        self.detectable = detectable
        self.infer = infer
        self.continuation_levels = continuation_levels
        self._level_cache: dict[str, str | None] = {}
        positions = {name: number - 1 for name, number in self.regex.groupindex.items()}
        # `level2`, `logger3`...: the same field captured in another alternative of the regex.
        aliased = {name for name in positions if name[-1].isdigit()}
        self._aliases = tuple(
            (positions[name], positions[name.rstrip("0123456789")])
            for name in aliased
            if name.rstrip("0123456789") in positions
        )
        # the positions of the groups with a meaning of their own, by meaning
        self._index = {
            ("service" if name == service_group else name): position
            for name, position in positions.items()
            if name in _CORE_GROUPS or name == service_group
        }
        self._extra = tuple(
            (name, position)
            for name, position in positions.items()
            if name not in _CORE_GROUPS
            and name != service_group
            and name not in aliased
            and name not in id_blocks
        )
        self._id_blocks = tuple(positions[name] for name in id_blocks)
        self._level_positions = tuple(
            position for name, position in positions.items() if name.rstrip("0123456789") == "level"
        )
        self._pattern_text = pattern  # `_probe` is compiled from it on first use
        self._scanner: object = _UNKNOWN  # `level_scanner`, built on first use
        self._decisive: object = _UNKNOWN  # `level_scan_is_decisive`, on first use
        # groups whose match makes the timestamp an instant (an offset, an epoch)
        self._zone_positions = tuple(
            position for name, position in positions.items() if name in ("z", "epoch")
        )
        # What `parse` reads per line, in one tuple: the positions of the groups with a meaning
        # of their own (-1 for a group the regex lacks), then the tuples built above
        at = self._index.get
        self._plan: _Plan = (
            at("message", -1),
            at("level", -1),
            at("status", -1),
            at("pri", -1),
            at("ts", -1),
            at("f", -1),
            at("service", -1),
            self._aliases,
            self._extra,
            self._zone_positions,
            self._id_blocks,
            self._level_cache,
        )

    _probe: re.Pattern[str]  # the regex cut after its level group (`__getattr__`)

    def line_parser(self) -> Callable[[str, Clock], Parsed | None]:
        """`parse` for a loop over many lines: for a format that reads lines as this class
        does, the same steps written out for its own groups (`formats/specialized.py`), made
        on first use; a subclass's own `parse` otherwise."""
        made = self.__dict__.get("_line_parser")
        if made is None:
            if type(self).parse is RegexFormat.parse:
                from .specialized import specialized_parse  # only a reading loop needs it

                made = specialized_parse(self)
            else:
                made = self.parse
            self._line_parser = made
        return made

    def __getattr__(self, name: str) -> Any:
        """`_probe`, compiled the first time it is read (detection never needs it: a cold
        start compiles only the formats' own regexes), then an attribute like any other."""
        if name == "_probe":
            probe = _head_through_level(self._pattern_text) or self.regex
            self._probe = probe
            return probe
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def parse(self, line: str, clock: Clock) -> Parsed | None:
        match = self.regex.match(line)
        if match is None:
            return None
        # Groups by position, read from one tuple: the hot path avoids building a groupdict.
        groups: Sequence[str | None] = match.groups()
        (
            at_message,
            at_level,
            at_status,
            at_pri,
            at_ts,
            at_f,
            at_service,
            aliases,
            extra,
            zone_positions,
            id_blocks,
            level_cache,
        ) = self._plan
        if aliases:
            resolved: list[str | None] | None = None
            for alias, base in aliases:
                if groups[alias] is not None:
                    if resolved is None:
                        resolved = list(groups)
                    resolved[base] = groups[alias]
            if resolved is not None:
                groups = resolved
        message = (groups[at_message] or "") if at_message >= 0 else ""
        raw_level = groups[at_level] if at_level >= 0 else None
        level = None
        if raw_level is not None:
            level = level_cache.get(raw_level, _UNKNOWN)
            if level is _UNKNOWN:
                level = self.levels.get(raw_level) or normalize_level(raw_level)
                if len(level_cache) < 1000:
                    level_cache[raw_level] = level
        status = groups[at_status] if at_status >= 0 else None
        if level is None:
            pri = groups[at_pri] if at_pri >= 0 else None
            if pri:
                level = SYSLOG_SEVERITY[int(pri) % 8]
            elif status and status.isdigit():
                level = http_status_level(int(status))
            if level is None and self.infer:
                level = infer_level(message)
        # the fields, in the order of the groups, then `status`, `continues`, the id blocks'
        fields: dict[str, Any] | None = None
        if extra:
            fields = {}
            for name, position in extra:
                value = groups[position]
                if value is not None:
                    fields[name] = value
        if status:
            if fields is None:
                fields = {}
            fields["status"] = int(status) if status.isdigit() else status
        if self.continuation_levels and raw_level in self.continuation_levels:
            if fields is None:
                fields = {}
            fields["continues"] = True
        timestamp = None
        zoned = False
        if at_ts >= 0:
            text = groups[at_ts]
            if text is not None:
                timestamp = clock.from_match(match, text, groups[at_f] if at_f >= 0 else None)
                for position in zone_positions:
                    if groups[position] is not None:
                        zoned = True
                        break
        service = groups[at_service] if at_service >= 0 else None
        for position in id_blocks:
            block = groups[position]
            if block is not None:
                ids, app = block_ids(block)
                if fields is None:
                    fields = {}
                for name, value in ids.items():
                    fields.setdefault(name, value)
                service = service or app
        found: dict[str, Any] | None = fields or None
        if message and (message[0] == "[" or "race" in message):  # `may_carry_ids`, inlined
            message, found = extract_ids(message, found)
        return Parsed(timestamp, level, message, service, found, zoned)

    def quick_level(self, line: str) -> Any:
        """The canonical level of a header line from a match of the regex's head alone (up to
        its level group: no timestamp, fields or record), None when the level needs a full
        parse, `NO_MATCH` for a line that is not a header, `CONTINUES` for one that continues
        the previous record. A line whose head matches is taken for a header."""
        match = self._probe.match(line)
        if match is None:
            return NO_MATCH
        raw_level = None
        for position in self._level_positions:
            raw_level = match.group(position + 1)
            if raw_level is not None:
                break
        else:
            return None
        if raw_level in self.continuation_levels:
            return CONTINUES
        level = self._level_cache.get(raw_level, _UNKNOWN)
        if level is _UNKNOWN:
            level = self.levels.get(raw_level) or normalize_level(raw_level)
            self._level_cache[raw_level] = level
        return level

    # -- pre-filter hook (ingest's block pre-filter; not used by parsing itself) --

    def level_probe(self) -> tuple[re.Pattern[str], tuple[int, ...]] | None:
        """The pattern `quick_level` matches and the numbers of its level groups, for a
        pre-filter that matches whole blocks of lines at once; None when this format reads
        levels some other way (it overrides `quick_level`) or has no level group."""
        if type(self).quick_level is not RegexFormat.quick_level or not self._level_positions:
            return None
        return self._probe, tuple(position + 1 for position in self._level_positions)

    def level_scanner(self) -> re.Pattern[str] | None:
        """The probe as one pattern over a block of lines joined by newlines, `findall` giving
        each line's raw level (`""` for a line the probe does not match): one C-level call per
        block, not a match object per line. Built once; None when the probe has more than one
        level group, or holds what would read differently past a line's start or end (a
        look-behind, `\\A`, a back-reference, DOTALL). A match that crosses a newline shows as
        fewer results than lines: the caller matches that block line by line."""
        if self._scanner is _UNKNOWN:
            single = self.level_probe() is not None and len(self._level_positions) == 1
            self._scanner = _level_scanner(self._probe) if single else None
        return self._scanner  # type: ignore[return-value]

    def level_scan_is_decisive(self) -> bool:
        """Whether an empty raw level from `level_scanner` means the probe does not match the
        line at all: the probe ends with its level group (it is the regex's head, not the
        whole regex) and that group cannot match an empty text. Otherwise the caller matches
        such a line with the probe to tell."""
        if self._decisive is _UNKNOWN:
            self._decisive = self.level_scanner() is not None and _level_never_empty(
                self._probe, self.regex
            )
        return bool(self._decisive)

    def joins_previous(self, parsed: Parsed, previous: Record | None = None) -> bool:
        return parsed.fields is not None and "continues" in parsed.fields
