"""Logs whose header names their columns: the W3C extended log format (IIS, CloudFront, the
Windows firewall: `#Fields: date time ... sc-status ...`) and Zeek's TSV logs (`#fields\tts\t
uid\t...`).

A source's format is bound to the columns its header declares (`for_source`), and follows a
later header that declares others; the header lines themselves are left to the ingest layer,
which keeps them as records of their own. A request's level comes from its status (5xx error,
4xx warning); the message is the row without its time.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from ..levels import http_status_level
from ..timestamps import Clock
from .base import LogFormat, Parsed, Sample

# The fields IIS writes when nobody changed them: what a header-less IIS file holds.
_IIS_DEFAULT = (
    *("date", "time", "s-ip", "cs-method", "cs-uri-stem", "cs-uri-query", "s-port"),
    *("cs-username", "c-ip", "cs(User-Agent)", "cs(Referer)", "sc-status", "sc-substatus"),
    *("sc-win32-status", "time-taken"),
)
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
    """Rows of values under a header that names the columns."""

    takes_headerless = False

    def __init__(
        self,
        name: str,
        title: str,
        header: str,
        separator: str,
        columns: tuple[str, ...] = (),
        samples: tuple[Sample, ...] = (),
    ) -> None:
        self.name = name
        self.title = title
        self.priority = 85
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
                    self.name, self.title, self.header, self.separator, self._default
                )
                bound.columns = self._columns(line)
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


W3C = ColumnsFormat(
    "w3c",
    "W3C extended log format (IIS)",
    "#Fields: ",
    " ",
    _IIS_DEFAULT,
    samples=(
        Sample(
            "2026-11-28 14:02:03 10.0.0.5 POST /api/checkout - 443 - 203.0.113.7 "
            "Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64) https://shop.example.com/cart 500 0 0 5012",
            level="error",
            timestamp="2026-11-28T14:02:03+00:00",
        ),
        Sample(
            "2026-11-28 14:02:04 10.0.0.5 GET /robots.txt - 80 - 66.249.66.1 "
            "Mozilla/5.0+(compatible;+Googlebot/2.1) - 404 0 2 15",
            level="warning",
            message="10.0.0.5 GET /robots.txt - 80 - 66.249.66.1 "
            "Mozilla/5.0+(compatible;+Googlebot/2.1) - 404 0 2 15",
        ),
    ),
)

ZEEK = ColumnsFormat(
    "zeek",
    "Zeek (Bro) TSV log",
    "#fields\t",
    "\t",
    samples=(
        Sample(
            "1795874523.118442\tCHhAvVGS1DHFjwGM9\t10.0.0.7\t51234\t93.184.216.34\t80\ttcp\thttp"
            "\t0.211\t412\t2340\tSF\t-\t-\t0\tShADadFf\t7\t784\t6\t2660\t-",
            timestamp="2026-11-28T14:02:03.118442+00:00",
        ),
    ),
)

_PROTOTYPES = {W3C.name: W3C, ZEEK.name: ZEEK}
FORMATS: tuple[ColumnsFormat, ...] = (W3C, ZEEK)
