"""What a person reads: times as `14:01:58.207 UTC`, spans as `14:02:03-14:13:42`, durations
as `12 min 01 s`, and evidence as `file:line` with paths relative to the folder the sources
share, the line number never cut. ISO times stay in JSON; these are for text."""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import UTC, datetime


def clock(value: datetime | None, date: bool = False) -> str:
    """`14:01:58.207`, or `14:02:00` when the time has no fraction of a second (`2026-11-28
    14:01:58.207` with `date`); `-` for none."""
    if value is None:
        return "-"
    value = value.astimezone(UTC)
    day = value.strftime("%Y-%m-%d ") if date else ""
    if value.microsecond:
        return day + value.strftime("%H:%M:%S.%f")[:-3]
    return day + value.strftime("%H:%M:%S")


def seconds_clock(value: datetime | None, date: bool = False) -> str:
    """`14:01:58` (`2026-11-28 14:01:58` with `date`), to the second; `-` for none."""
    if value is None:
        return "-"
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S" if date else "%H:%M:%S")


def spans_days(start: datetime | None, end: datetime | None) -> bool:
    """Whether times between `start` and `end` need their date to be told apart: they fall on
    different days (UTC). A log of a week read as `14:02:03` could be any of its days."""
    if start is None or end is None:
        return False
    return start.astimezone(UTC).date() != end.astimezone(UTC).date()


def human_time(value: datetime | None, date: bool = False) -> str:
    """`14:01:58.207 UTC` (`2026-11-28 14:01:58.207 UTC` with `date`); `-` for none."""
    if value is None:
        return "-"
    return f"{clock(value, date)} UTC"


def width_label(seconds: int) -> str:
    """A bucket width as `--bucket` writes it: `30s`, `5m`, `6h`, `1d`."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def human_span(start: datetime | None, end: datetime | None) -> str:
    """`14:02:03-14:13:42` (the date on both sides when they differ)."""
    if start is not None and end is not None and start.date() != end.date():
        return (
            f"{start.strftime('%Y-%m-%d')} {clock(start)}-{end.strftime('%Y-%m-%d')} {clock(end)}"
        )
    return f"{clock(start)}-{clock(end)}"


def duration(seconds: float | None) -> str:
    """`54 s`, `12 min 01 s`, `2 h 05 min`, `197 d 11 h` (from two days on); `unknown` for
    none."""
    if seconds is None:
        return "unknown"
    whole = round(abs(seconds))
    sign = "-" if seconds < 0 and whole else ""
    if whole < 60:
        return f"{sign}{whole} s"
    if whole < 3600:
        return f"{sign}{whole // 60} min {whole % 60:02d} s"
    if whole < 2 * 86400:
        return f"{sign}{whole // 3600} h {whole % 3600 // 60:02d} min"
    return f"{sign}{whole // 86400} d {whole % 86400 // 3600:02d} h"


def common_root(paths: Iterable[str]) -> str:
    """The folder every path lies in, with its trailing separator (`fixtures/incidents/x/`),
    or `` when they share none. A single file's root is its folder."""
    folders = [os.path.dirname(p) for p in paths if p]
    if not folders:
        return ""
    try:
        shared = os.path.commonpath(folders)
    except ValueError:  # absolute beside relative paths, or other drives
        return ""
    return shared + os.sep if shared and shared != os.sep else ""


def relative(path: str, root: str) -> str:
    """`path` without the shared `root` folder."""
    return path[len(root) :] if root and path.startswith(root) else path


def where(file: str | None, line: int | None, root: str = "") -> str:
    """`nginx/access.log:973`: the path relative to `root`, the line always there."""
    if not file:
        return ""
    shown = relative(file, root)
    return f"{shown}:{line}" if line is not None else shown


def shorten(text: str, width: int) -> str:
    """`file:line` cut from the left (`…/access.log:973`) to fit `width`: the end, with the
    line number, is what tells the place."""
    if len(text) <= width or width < 2:
        return text
    tail = text[len(text) - (width - 1) :]
    cut = tail.find(os.sep)
    return "…" + (tail[cut:] if 0 <= cut < len(tail) - 1 else tail)
