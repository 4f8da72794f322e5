"""The reader of logs whose header names their columns, for the formats defined in
`families/columns.toml` (the W3C extended log format, Zeek's TSV logs: their headers, default
columns and samples).

A source's format is bound to the columns its header declares (`for_source`), and follows a
later header that declares others; the header lines themselves are left to the ingest layer,
which keeps them as records of their own. A request's level comes from its status (5xx error,
4xx warning); the message is the row without its time.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, ClassVar, cast

from ..levels import http_status_level
from ..timestamps import Clock
from .base import FormatSpec, LogFormat, Parsed, Sample
from .definitions import load_family

_STATUS = ("sc-status", "status_code", "status")
# Columns kept as record fields, under plain names.
_FIELDS = {
    "cs-method": "method",
    "method": "method",
    "cs-uri-stem": "path",
    "uri": "path",
    "c-ip": "client",
    "id.orig_h": "client",
    "host": "host",
    "cs-host": "host",
    "time-taken": "duration",
    "uid": "uid",
}
# What the values of some columns look like: a row whose values do not is not a row.
_CHECKS = {
    "cs-method": re.compile(r"[A-Z][A-Z_\-]*|-"),
    "sc-status": re.compile(r"\d{3}|-"),
    "s-port": re.compile(r"\d{1,5}|-"),
    "time-taken": re.compile(r"\d+|-"),
    "status_code": re.compile(r"\d{3}|-"),
}
_W3C_VALUE = re.compile(r'"[^"]*"|\S+')
_ZEEK_ROW = re.compile(r"\d{9,10}\.\d{6}\tC[A-Za-z0-9]{10,20}\t")


class ColumnsFormat(LogFormat):
    """Rows of values under a header that names the columns. A definition adds to the common
    keys `header` (what a header line starts with: `#Fields: `), `separator` (`" "` or a tab)
    and `columns` (those a file without a header holds), none a pattern."""

    takes_headerless = False
    spec_keys: ClassVar[frozenset[str]] = frozenset({"header", "separator", "columns"})

    @classmethod
    def from_spec(cls, spec: FormatSpec) -> LogFormat:
        """The format a definition describes (`definitions.load_family`)."""
        options = spec.options
        header, separator = options.get("header"), options.get("separator")
        if not isinstance(header, str) or separator not in (" ", "\t"):
            raise ValueError('a header, and a separator " " or "\\t", are required')
        columns = options.get("columns", [])
        if not isinstance(columns, list) or not all(isinstance(name, str) for name in columns):
            raise ValueError("columns must be a list of names")
        if spec.pattern is not None or spec.levels:
            raise ValueError("the columns are the pattern: no pattern, no levels")
        made = cls(
            spec.name,
            spec.title,
            header,
            separator,
            tuple(columns),
            samples=spec.samples,
            priority=spec.priority,
        )
        made.detectable = spec.detectable
        return made

    def __init__(
        self,
        name: str,
        title: str,
        header: str,
        separator: str,
        columns: tuple[str, ...] = (),
        samples: tuple[Sample, ...] = (),
        priority: int = 85,
    ) -> None:
        self.name = name
        self.title = title
        self.priority = priority
        self.header = header  # `#Fields: `, `#fields\t`
        self.separator = separator
        self.samples = samples
        self._default = columns
        self.columns = columns

    def for_source(self, sample: list[str]) -> LogFormat:
        """A reader bound to the columns the first header of `sample` names."""
        for line in sample:
            if line.startswith(self.header):
                bound = ColumnsFormat(
                    self.name,
                    self.title,
                    self.header,
                    self.separator,
                    self._default,
                    priority=self.priority,
                )
                bound.columns = self._columns(line)
                bound.definition = self.definition
                return bound
        return self

    def parse(self, line: str, clock: Clock) -> Parsed | None:
        if line[:1] == "#":
            if line.startswith(self.header) and self is not _PROTOTYPES.get(self.name):
                self.columns = self._columns(line)
            return None
        columns = self.columns
        if not columns:
            return self._zeek_row(line, clock) if self.separator == "\t" else None
        # W3C values hold no space (IIS writes `+`) unless quoted; CloudFront writes tabs
        if self.separator == "\t":
            values = line.rstrip("\r").split("\t")
        elif '"' in line:
            values = _W3C_VALUE.findall(line)
        else:
            values = line.split()
        if len(values) != len(columns):
            return None
        row = dict(zip(columns, values, strict=True))
        for column, check in _CHECKS.items():
            value = row.get(column)
            if value is not None and check.fullmatch(value) is None:
                return None
        timestamp = _row_time(row, clock)
        if timestamp is None:
            return None
        rest = [value for column, value in zip(columns, values, strict=True) if column not in _TIME]
        fields: dict[str, Any] = {}
        level = None
        for column in _STATUS:
            status = row.get(column, "")
            if status.isdigit():
                fields["status"] = int(status)
                level = http_status_level(int(status))
                break
        for column, name in _FIELDS.items():
            value = row.get(column)
            if value and value != "-" and name not in fields:
                fields[name] = value
        return Parsed(
            timestamp=timestamp,
            level=level,
            message=self.separator.join(rest),
            fields=fields or None,
            zoned=True,
        )

    def _columns(self, header: str) -> tuple[str, ...]:
        names = header[len(self.header) :]
        return tuple(names.split() if self.separator == " " else names.rstrip().split("\t"))

    def _zeek_row(self, line: str, clock: Clock) -> Parsed | None:
        """A Zeek row read without its header: the time and the rest."""
        if _ZEEK_ROW.match(line) is None:
            return None
        ts, _, rest = line.partition("\t")
        timestamp = clock.from_value(ts)
        if timestamp is None:
            return None
        return Parsed(timestamp=timestamp, level=None, message=rest, zoned=True)


_TIME = frozenset({"date", "time", "ts"})


def _row_time(row: dict[str, str], clock: Clock) -> datetime | None:
    """W3C's `date` and `time` (UTC by the standard), or Zeek's epoch `ts`."""
    if "ts" in row:
        return clock.from_value(row["ts"])
    day, time = row.get("date"), row.get("time")
    if not day or not time or not day[:4].isdigit():
        return None
    return clock.from_value(f"{day}T{time}Z")


FORMATS = cast(tuple[ColumnsFormat, ...], load_family("columns.toml", {}, ColumnsFormat))
# the formats as defined, never bound to a source's header (`for_source` makes bound copies)
_PROTOTYPES = {fmt.name: fmt for fmt in FORMATS}
W3C = _PROTOTYPES["w3c"]
ZEEK = _PROTOTYPES["zeek"]
