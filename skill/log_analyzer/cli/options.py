"""The options the commands share, as typer `Annotated` types, with help written for people:
each value named in words (`PATH...`, `NAME=GLOB`, `TIME`, `LEVEL`), never a Python type.

Nothing here imports the library: `log-analyzer --help` builds every command from these."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperArgument, TyperCommand

if TYPE_CHECKING:
    from ..index.store import IndexStore

# `levels.LEVELS`, written out: importing `levels` compiles its patterns, a cost `--help` need
# not pay (a test holds the two equal)
LEVELS = ("trace", "debug", "info", "notice", "warning", "error", "critical", "fatal")
LEVEL_NAMES = ", ".join(LEVELS[:-1]) + f" or {LEVELS[-1]}"
TIME_FORMS = (
    "ISO 8601 (UTC unless an offset is given: 2026-11-28T14:02:00Z), a time of day on the "
    "logs' last day (14:02, UTC), or a duration like 30m, 2h, 1d (before now, or before the "
    "newest record when the logs end earlier)"
)

Paths = Annotated[
    list[str],
    typer.Argument(
        metavar="PATH...",
        help="Log files, directories, globs, - for standard input, or source URIs "
        "(loki://, es://, opensearch://, clickhouse://, chdb://).",
        show_default=False,
    ),
]
OptionalPaths = Annotated[
    list[str] | None,
    typer.Argument(
        metavar="PATH...", help="Log files or directories to load first.", show_default=False
    ),
]
FormatOption = Annotated[
    str | None,
    typer.Option(
        "--format",
        metavar="NAME",
        help="Skip detection: read every source as this format (see `log-analyzer formats`).",
    ),
]
TzOption = Annotated[
    str | None,
    typer.Option(
        "--tz",
        metavar="ZONE",
        help="Time zone of timestamps written without one (default UTC): "
        "a name like Europe/Paris, an offset like +02:00, or 'local'.",
    ),
]
YearOption = Annotated[
    int | None,
    typer.Option(
        "--year",
        metavar="YEAR",
        help="Year of year-less timestamps (syslog, Redis); default: from "
        "each file's modification time.",
    ),
]
DateOption = Annotated[
    str | None,
    typer.Option(
        "--date",
        metavar="YYYY-MM-DD",
        help="Date of time-only timestamps; default: the date of the file's modification time.",
    ),
]
ServiceOption = Annotated[
    list[str],
    typer.Option(
        "--service",
        metavar="NAME[=GLOB]",
        help="NAME=GLOB names the service of the files matching GLOB; NAME alone keeps only "
        "that service's records (an unknown name is an error listing the known ones). "
        "Repeatable.",
    ),
]
SinceOption = Annotated[
    str | None,
    typer.Option("--since", metavar="TIME", help=f"Only records at or after TIME: {TIME_FORMS}."),
]
UntilOption = Annotated[
    str | None,
    typer.Option("--until", metavar="TIME", help="Only records before TIME (as --since)."),
]
MinLevelOption = Annotated[
    str | None,
    typer.Option(
        "--min-level", metavar="LEVEL", help=f"Only records at LEVEL or above: {LEVEL_NAMES}."
    ),
]
BucketOption = Annotated[
    str,
    typer.Option(
        "--bucket", metavar="WIDTH", help="Width of the rate buckets: 1m (default), 30s, 5m, 1h."
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar on stderr.")]
NoCacheOption = Annotated[
    bool,
    typer.Option(
        "--no-cache",
        help="Parse everything afresh: neither read nor write the on-disk index "
        "(see `log-analyzer cache info`).",
    ),
]


def index_store(no_cache: bool) -> IndexStore | None:
    """The on-disk index, unless `--no-cache` or LOG_ANALYZER_NO_CACHE says not to."""
    if no_cache or os.environ.get("LOG_ANALYZER_NO_CACHE"):
        return None
    from ..index.store import IndexStore  # the store alone: not the analyses that fill it

    return IndexStore()


_DURATION = re.compile(r"\s*\d+(?:\.\d+)?\s*[A-Za-z]+\s*")


def answer_key_of(command: str, settings: dict[str, Any], paths: list[str]) -> str | None:
    """The key under which this command's answer on `paths` is kept (`index.answers`), or None
    when the answer depends on the clock: a window measured from now (`--since 30m`), the
    machine's zone (`--tz local`); or when LOG_ANALYZER_NO_ANSWERS asks for answers to be
    computed afresh from the per-file index (to measure or test that index)."""
    if os.environ.get("LOG_ANALYZER_NO_ANSWERS"):
        return None
    for name in ("since", "until"):
        value = settings.get(name)
        if value is not None and _DURATION.fullmatch(value):
            return None
    if settings.get("tz") == "local":
        return None
    from ..index.answers import answer_key

    return answer_key(command, settings, paths)


def reading_settings(
    since: str | None,
    until: str | None,
    format: str | None,
    tz: str | None,
    year: int | None,
    date: str | None,
    service: list[str],
) -> dict[str, Any]:
    """The reading options every analysis command shares, by name: part of an answer's key."""
    return {
        "since": since,
        "until": until,
        "format": format,
        "tz": tz,
        "year": year,
        "date": date,
        "service": service,
    }


def kept_answer(
    store: IndexStore | None, command: str, settings: dict[str, Any], paths: list[str]
) -> tuple[str | None, dict[str, Any] | None]:
    """(the key of this command's answer, the answer kept under it): (None, None) without a
    store or when the answer cannot be kept, (key, None) when it is not kept yet."""
    if store is None:
        return None, None
    key = answer_key_of(command, settings, paths)
    if key is None:
        return None, None
    from ..index.answers import load_answer
    from .replay import answer_printed

    answer_printed(store, command, settings, paths, key)
    return key, load_answer(store, key)


def keep_answer(store: IndexStore | None, key: str | None, answer: dict[str, Any]) -> None:
    if store is not None and key is not None:
        from ..index.answers import save_answer

        save_answer(store, key, answer)


class WordsArgument(TyperArgument):
    """An argument shown by its metavar alone (`PATH...`), never by its Python type."""

    def make_metavar(self, ctx: Any, *, usage: bool = False) -> str:
        if not self.metavar:
            return super().make_metavar(ctx, usage=usage)
        return self.metavar if self.required or not usage else f"[{self.metavar}]"


class WordsCommand(TyperCommand):
    """A command whose help names every value in words: options by their metavar (typer
    does that already), arguments by theirs too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            if type(param) is TyperArgument:
                param.__class__ = WordsArgument


def command(app: typer.Typer, function: Callable[..., None], name: str | None = None) -> None:
    """Register `function` as a command of `app`, its help in words."""
    app.command(name, cls=WordsCommand)(function)
