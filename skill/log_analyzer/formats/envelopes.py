"""Envelopes: container runtimes wrap each line an application wrote in a header of their own
(`kubectl logs --timestamps`, containerd/CRI files, Docker's json-file driver, docker compose's
service prefix). The envelope gives a reliable UTC time, the stream or the service; the inner
line has the level, logger, message and fields, in a format detected separately.

What a record inside an envelope gets:
- the inner line's level, message and fields, and the envelope's `stream` as a field;
- the inner line's time when it is an instant (it states its zone, or is an epoch), the
  envelope's otherwise: a zone-less inner time is the container's wall clock, whose zone is
  unknown, and a year-less or date-less one needs guessing; the envelope's is exact UTC;
- terminal control sequences taken out: a container with a TTY (or Spring Boot's
  `spring.output.ansi.enabled=always`) writes colour codes around the level and the logger,
  which would hide the inner line from every format;
- the entries of one logical line joined: CRI `P` entries and Docker entries without a newline
  continue in the next entry of the same stream;
- the lines of a stack trace joined to the record they follow (a Java stack trace written as
  one entry per frame): continuation lines (`\tat ...`, tracebacks) of the same stream. Any
  other entry starts a record: its own time says so (a daemon's lines glued into one record
  because each came within a second of the one before hid every line after the first).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..timestamps import Clock
from .base import Parsed
from .structured import load_json


@dataclass(slots=True)
class Unwrapped:
    timestamp: datetime | None
    text: str
    stream: str | None
    partial: bool  # CRI `P`: the line continues in the next entry
    service: str | None = None  # the service the envelope names (docker compose's prefix)


class Envelope:
    name: str = ""
    title: str = ""

    def unwrap(self, line: str, clock: Clock) -> Unwrapped | None:
        raise NotImplementedError


# ANSI control sequences: CSI (`ESC [ 31 m`, colours and cursor moves) and OSC (`ESC ] 0;title
# BEL`, the window title a shell prompt sets).
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]")


def plain_text(text: str) -> str:
    """`text` without terminal control sequences."""
    return _ANSI.sub("", text) if "\x1b" in text else text


_RFC3339 = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d)"


class CriEnvelope(Envelope):
    name = "cri"
    title = "containerd / CRI-O container log (/var/log/pods)"
    _rx = re.compile(
        rf"^(?P<ts>{_RFC3339}) (?P<stream>stdout|stderr) (?P<tag>[FP])(?: |$)(?P<text>.*)$"
    )

    def unwrap(self, line: str, clock: Clock) -> Unwrapped | None:
        match = self._rx.match(line)
        if match is None:
            return None
        return Unwrapped(
            clock.from_value(match.group("ts")),
            plain_text(match.group("text")),
            match.group("stream"),
            match.group("tag") == "P",
        )


class KubectlEnvelope(Envelope):
    name = "kubectl"
    title = "kubectl logs --timestamps"
    _rx = re.compile(rf"^(?P<ts>{_RFC3339}) (?P<text>.*)$")

    def unwrap(self, line: str, clock: Clock) -> Unwrapped | None:
        match = self._rx.match(line)
        if match is None:
            return None
        return Unwrapped(
            clock.from_value(match.group("ts")), plain_text(match.group("text")), None, False
        )


class DockerJsonEnvelope(Envelope):
    name = "docker-json"
    title = "Docker json-file logging driver"

    def unwrap(self, line: str, clock: Clock) -> Unwrapped | None:
        if not line.startswith('{"log":'):
            return None
        try:
            obj: Any = load_json(line)
        except ValueError:
            return None
        if not isinstance(obj, dict) or not isinstance(obj.get("log"), str):
            return None
        text: str = obj["log"]
        partial = not text.endswith("\n")
        return Unwrapped(
            clock.from_value(obj.get("time")),
            plain_text(text.rstrip("\n").rstrip("\r")),
            obj.get("stream"),
            partial,
        )


class ComposeEnvelope(Envelope):
    """`docker compose logs` / `up`: each line prefixed by its service (`web-1  | `), and by
    the time with `--timestamps`."""

    name = "compose"
    title = "docker compose logs (service prefix)"
    _rx = re.compile(r"^(?P<service>[A-Za-z0-9][\w.\-]*?)(?:[-_]\d+)? +\| ?(?P<text>.*)$")
    _stamped = re.compile(rf"^(?P<ts>{_RFC3339}) (?P<text>.*)$")

    def unwrap(self, line: str, clock: Clock) -> Unwrapped | None:
        match = self._rx.match(plain_text(line) if "\x1b" in line else line)
        if match is None:
            return None
        text = match.group("text")
        timestamp = None
        stamped = self._stamped.match(text) if text[:1].isdigit() else None
        if stamped is not None:
            timestamp = clock.from_value(stamped.group("ts"))
            text = stamped.group("text")
        return Unwrapped(timestamp, text, None, False, match.group("service"))


ENVELOPES: tuple[Envelope, ...] = (
    CriEnvelope(),
    DockerJsonEnvelope(),
    KubectlEnvelope(),
    ComposeEnvelope(),
)


def unwrap_lines(
    lines: Iterable[str], envelope: Envelope, clock: Clock, first_line: int = 1
) -> Iterator[tuple[int, str, Unwrapped | None, int]]:
    """(first line, text, entry, last line) per logical line: envelopes removed, partial
    entries joined to the entry of the same stream that ends them, numbered and timed by the
    first of them. `entry` is None for a line the envelope does not read (taken as it is)."""
    partial: list[str] = []
    head: Unwrapped | None = None  # the first entry of the partial line in progress
    first = 0
    number = first_line - 1
    for number, line in enumerate(lines, first_line):
        entry = envelope.unwrap(line, clock)
        if head is not None and (entry is None or entry.stream != head.stream):
            # A partial line its stream never completed: what was written, on its own.
            yield first, "".join(partial), head, number - 1
            partial, head = [], None
        if entry is None:
            yield number, line, None, number
        elif entry.partial:
            if head is None:
                first, head = number, entry
            partial.append(entry.text)
        elif head is not None:
            partial.append(entry.text)
            text = "".join(partial)
            yield (
                first,
                text,
                Unwrapped(head.timestamp or entry.timestamp, text, head.stream, False),
                number,
            )
            partial, head = [], None
        else:
            yield number, entry.text, entry, number
    if head is not None:
        yield first, "".join(partial), head, number


def record_time(entry: Unwrapped, parsed: Parsed) -> datetime | None:
    """The time of a record read inside an envelope: the inner line's when it is an instant,
    the envelope's otherwise, and the envelope's when it only refines the inner one (it falls
    within the inner stamp's precision: `14:02:33.131Z` inside, `14:02:33.131500917Z` outside)."""
    inner, outer = parsed.timestamp, entry.timestamp
    if inner is None or outer is None:
        return outer or inner
    if not parsed.zoned:
        return outer
    micro = inner.microsecond
    if micro % 1000 == 0:
        resolution = _SECOND if micro == 0 else _MILLISECOND
        if _NOTHING <= outer - inner < resolution:
            return outer
    return inner


_NOTHING = timedelta(0)
_MILLISECOND = timedelta(milliseconds=1)
_SECOND = timedelta(seconds=1)


def record_fields(entry: Unwrapped, parsed: Parsed) -> dict[str, Any] | None:
    """The inner line's fields, with the envelope's `stream` unless the line has its own."""
    fields = parsed.fields
    if entry.stream:
        if fields is None:
            return {"stream": entry.stream}
        fields.setdefault("stream", entry.stream)
    return fields


def continues_entry(entry: Unwrapped | None, previous: Unwrapped | None) -> bool:
    """True when a line of a stack trace may continue the record before it: the same stream
    wrote it (stdout's trace never continues stderr's line), and it is no header whose level
    is padded to a width (log4j's `%5p`: ` INFO [pool-1] ...`), which reads as indented."""
    if entry is None or previous is None:
        return True
    return entry.stream == previous.stream and _PADDED_LEVEL.match(entry.text) is None


# A level word right-aligned by a layout's width (`%5p`, `%-5level` after a space): a record's
# first line inside an envelope, not a frame of the record before.
_PADDED_LEVEL = re.compile(r" {1,4}(?:TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|FATAL)\b")
