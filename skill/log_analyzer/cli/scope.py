"""The record filters of the commands (`--since`, `--until`, `--service NAME`, `--min-level`),
read as the agent tools read them, and never silently empty.

- A relative bound (`--since 30m`) is measured from the newest record when the logs end
  before the window would begin, and a time of day (`14:02`) is on the logs' last day
  (`relative_window`); the anchor used is said on stderr.
- A service name is resolved against the services the records carry: a StatefulSet identity
  covers its pods, and an unknown name is an error listing the known ones and the closest
  (`analysis.service_names`). `--service NAME=GLOB` is not a filter: it names the service of
  files (`options.split_service_options` tells the two apart by the `=`).
- A filter that leaves nothing says why on stderr: the window outside the logs, a service
  without records, a level above every record's.

Both need the logs' extent before the command filters: the sources' statistics, through the
on-disk index when there is one (the investigation's own entries: each file is parsed once
for both). It is read only when a bound or a service name needs it, and only from inputs that
can be read twice (not standard input, a FIFO or a remote engine: there, relative bounds are
measured from now and names are taken as written).
"""

from __future__ import annotations

import os
import stat
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from ..errors import OptionError
from .console import note

if TYPE_CHECKING:
    from ..filters import RecordFilter
    from ..index import IndexStore
    from ..ingest import ParseOptions, SourceStats
    from ..models import SourceSummary


@dataclass
class Held:
    """What one source holds, as far as filters go: its time range and its records per
    service and level (None: the record states no level)."""

    first: datetime | None
    last: datetime | None
    levels: dict[str, Counter[str | None]]

    @classmethod
    def of_stats(cls, stats: SourceStats) -> Held:
        levels: dict[str, Counter[str | None]] = {}
        for (service, level), count in stats.tally.items():
            levels.setdefault(service, Counter())[level] += count
        return cls(stats.first, stats.last, levels)

    @classmethod
    def of_summary(cls, summary: SourceSummary) -> Held:
        """From `sources --json`'s data, which counts levels per source, not per service."""
        levels: Counter[str | None] = Counter(
            {(None if level == "none" else level): n for level, n in summary.levels.items()}
        )
        return cls(summary.first, summary.last, {name: levels for name in summary.services})


@dataclass
class Scope:
    """The filters as resolved: `keep` for the library, and what the user wrote, for the
    messages."""

    keep: RecordFilter
    asked: dict[str, str] = field(default_factory=dict)  # option -> the value as written
    held: list[Held] | None = None  # the logs' extent, when it was read first


def resolve(
    paths: Sequence[str],
    options: ParseOptions,
    since: str | None,
    until: str | None,
    services: Sequence[str],
    min_level: str | None = None,
    store: IndexStore | None = None,
) -> Scope:
    """The filters of a command, resolved against the logs when they need them."""
    from ..filters import RecordFilter

    asked = {
        option: text
        for option, text in (("--since", since), ("--until", until), ("--min-level", min_level))
        if text is not None
    }
    if services:
        asked["--service"] = ", ".join(services)
    from ..relative_window import resolve_bound

    for option, text in (("--since", since), ("--until", until)):
        if text is not None:
            resolve_bound(text, option, None)  # a bad value fails before any reading
    held = None
    if (services or _needs_anchor(since) or _needs_anchor(until)) and rereadable(paths):
        held = _extent(paths, options, store)
    since_at, until_at = _bounds(since, until, held)
    wanted = _resolve_names(services, held) if held is not None else list(services)
    keep = RecordFilter(since=since_at, until=until_at, services=wanted, min_level=min_level)
    return Scope(keep, asked, held)


def rereadable(paths: Sequence[str]) -> bool:
    """Whether `paths` can be read twice: files and directories, not standard input, a FIFO,
    a device or a remote engine."""
    from ..remote.uri import is_remote

    for path in paths:
        if path == "-" or is_remote(path):
            return False
        try:
            mode = os.stat(path).st_mode
        except OSError:
            continue  # a glob, or a path that is missing (said where the paths are read)
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            return False
    return True


def _needs_anchor(text: str | None) -> bool:
    """A bound that depends on the logs: relative (`30m`) or a time of day (`14:02`); a full
    date and time (`2026-11-28T14:02:00Z`, `2026-11-28`) does not."""
    if text is None:
        return False
    try:
        datetime.fromisoformat(text.strip())
    except ValueError:
        return True
    return False


def _extent(paths: Sequence[str], options: ParseOptions, store: IndexStore | None) -> list[Held]:
    from ..analysis.investigate import read_sources

    opened, _ = read_sources(paths, options, store=store)
    return [Held.of_stats(stats) for stats in opened.stats]


def _bounds(
    since: str | None, until: str | None, held: list[Held] | None
) -> tuple[datetime | None, datetime | None]:
    from ..relative_window import Bound, anchor_note, resolve_bound

    lasts = [h.last for h in held or [] if h.last is not None]
    newest = max(lasts) if lasts else None
    now = datetime.now(UTC)
    resolved: list[tuple[str, str, Bound]] = [
        (option, text, resolve_bound(text, option, newest, now))
        for option, text in (("--since", since), ("--until", until))
        if text is not None
    ]
    found = {option: bound.when for option, _, bound in resolved}
    since_at, until_at = found.get("--since"), found.get("--until")
    if since_at is not None and until_at is not None and until_at <= since_at:
        raise OptionError(
            f"--until {until!r} ({_stamp(until_at)}) is not after --since {since!r} "
            f"({_stamp(since_at)})"
        )
    measured = anchor_note([entry for entry in resolved if entry[2].from_logs])
    if measured is not None:
        note(measured)
    return since_at, until_at


def _resolve_names(services: Sequence[str], held: list[Held]) -> list[str]:
    from ..analysis.service_names import ServiceNames

    names = ServiceNames(name for h in held for name in h.levels)
    wanted: list[str] = []
    for service in services:
        wanted.extend(name for name in names.resolve(service) if name not in wanted)
    return wanted


def explain_empty(scope: Scope, held: Sequence[Held]) -> str | None:
    """Why the filters leave no record of the logs `held` describes, or None when no filter
    was given (then the logs themselves hold nothing, which the commands say otherwise)."""
    keep = scope.keep
    if not scope.asked:
        return None
    wanted = set(keep.services)
    named = ", ".join(keep.services)
    of = f" of {named}" if named else ""
    relevant = [h for h in held if not wanted or wanted.intersection(h.levels)]
    if not relevant:
        known = sorted({name for h in held for name in h.levels})
        listed = ", ".join(known[:30]) + (f" (+{len(known) - 30} more)" if len(known) > 30 else "")
        return f"no record of {named}: the logs name {listed or 'no service'}"
    firsts = [h.first for h in relevant if h.first is not None]
    lasts = [h.last for h in relevant if h.last is not None]
    span = (
        f"the logs{of} run from {_stamp(min(firsts))} to {_stamp(max(lasts))}"
        if firsts and lasts
        else f"the logs{of} carry no timestamps"
    )
    since, until = keep.since, keep.until
    window = f"{_stamp(since) if since else 'the start'} to {_stamp(until) if until else 'the end'}"
    outside = bool(firsts and lasts) and (
        (since is not None and since > max(lasts)) or (until is not None and until <= min(firsts))
    )
    if outside:
        return f"no record{of} in the window ({window}): {span}"
    if keep.min_level is not None:
        levels: Counter[str | None] = Counter()
        for h in relevant:
            for service, counts in h.levels.items():
                if not wanted or service in wanted:
                    levels.update(counts)
        highest = _highest(levels)
        if highest is not None and None not in levels and _below(highest, keep.min_level):
            return (
                f"no record{of} is at {keep.min_level} or above: the highest level{of} is {highest}"
            )
    at = f" at {keep.min_level} or above" if keep.min_level is not None else ""
    if since is not None or until is not None:
        return f"no record{of}{at} in the window ({window}): {span}"
    return f"no record{of}{at}: {span}"


def _highest(levels: Counter[str | None]) -> str | None:
    from ..levels import RANK

    stated = [level for level in levels if level is not None and level in RANK]
    return max(stated, key=RANK.__getitem__) if stated else None


def _below(level: str, minimum: str) -> bool:
    from ..levels import RANK

    return RANK[level] < RANK.get(minimum, 0)


def _stamp(when: datetime) -> str:
    text = when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    return text + (f".{when.microsecond // 1000:03d}" if when.microsecond else "") + " UTC"
