"""`log-analyzer watch`: after the fix, follow the logs for a few minutes and say whether the
errors are back to normal (exit status 0), still elevated (1), or the watch was interrupted
(130). `watch.monitor` does the work."""

from __future__ import annotations

import os
import stat
import sys
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..errors import SourceError
from .console import stdout, warn
from .options import (
    LEVEL_NAMES,
    DateOption,
    FormatOption,
    JsonOption,
    Paths,
    ServiceOption,
    TzOption,
    YearOption,
    command,
)

if TYPE_CHECKING:
    from ..watch.models import WatchResult


def register(app: typer.Typer) -> None:
    command(app, watch)


def monitor(*args: Any, **kwargs: Any) -> WatchResult:
    """`watch.monitor`, imported when the command runs."""
    from ..watch import monitor as follow

    return follow(*args, **kwargs)


def watch(
    paths: Paths,
    minutes: Annotated[
        int,
        typer.Option("--minutes", min=1, metavar="N", help="How many minutes (buckets) to watch."),
    ] = 5,
    settle: Annotated[
        int | None,
        typer.Option(
            "--settle",
            min=1,
            metavar="N",
            help="Settled means this many buckets in a row back at the baseline (default 2, "
            "or --minutes when that is fewer).",
        ),
    ] = None,
    until_settled: Annotated[
        bool,
        typer.Option("--until-settled", help="Stop as soon as it has settled (exit status 0)."),
    ] = False,
    interval: Annotated[
        float,
        typer.Option(
            "--interval",
            metavar="SECONDS",
            help="Seconds in a bucket (default 60: a minute); shorter for demos and tests.",
        ),
    ] = 60.0,
    poll: Annotated[
        float | None,
        typer.Option(
            "--poll",
            metavar="SECONDS",
            help="Seconds between reads of the files (default 0.5, or interval/10).",
        ),
    ] = None,
    min_level: Annotated[
        str,
        typer.Option(
            "--min-level",
            metavar="LEVEL",
            help=f"Level counted as an error (default error): {LEVEL_NAMES}.",
        ),
    ] = "error",
    json_output: JsonOption = False,
    format: FormatOption = None,
    tz: TzOption = None,
    year: YearOption = None,
    date: DateOption = None,
    service: ServiceOption = [],  # noqa: B006 - typer reads the default, never mutates it
) -> None:
    """Follow the logs (appends, rotation, truncation, new files in a directory) for
    --minutes and show errors per minute per service against the baseline measured on the
    existing content, announcing error types not seen before. Exit status 0 when errors
    have been back at the baseline for --settle minutes, 1 when still elevated, 130 on
    Ctrl-C (after the verdict so far). --json prints one object per minute, then the verdict.
    Each bucket counts a record at its own timestamp when that is within a couple of buckets
    of now, else at the time it was read."""
    from rich.live import Live

    from ..options import build_parse_options, check_level
    from ..remote.uri import is_remote
    from ..watch.models import BucketReport, WatchEvent, WatchStarted
    from ..watch.view import LiveScreen, plain_line, verdict_line, verdict_view

    remote = next((p for p in paths if is_remote(p)), None)
    if remote is not None:
        raise SourceError(
            f"{remote}: a remote source; watch follows files (read an engine with "
            "investigate --since, or trend)"
        )
    for path in paths:
        kind = _not_a_file(path)
        if kind is not None:
            raise SourceError(
                f"{path}: {kind}; watch follows files (read it once with errors or investigate)"
            )
    options, service_filter = build_parse_options(format, tz, year, date, service)
    level = check_level(min_level) or "error"
    screen = LiveScreen()
    live = (
        Live(screen.render(), console=stdout(), refresh_per_second=4, transient=True)
        if stdout().is_terminal and not json_output
        else None
    )
    warned: list[str] = []

    def on_event(event: WatchEvent) -> None:
        if isinstance(event, WatchStarted):
            warn(event.warnings)
            warned.extend(event.warnings)
        if json_output:
            if isinstance(event, BucketReport):
                sys.stdout.write(event.model_dump_json() + "\n")
                sys.stdout.flush()
            return
        line = plain_line(event)
        if live is None:
            if line is not None:
                sys.stdout.write(line + "\n")
                sys.stdout.flush()
            return
        screen.update(event)
        if line is not None:
            live.console.print(line, markup=False, highlight=False)
        live.update(screen.render())

    context: AbstractContextManager[object] = live if live is not None else nullcontext()
    with context:
        result = monitor(
            paths,
            minutes,
            interval,
            min(2, minutes) if settle is None else settle,
            options,
            poll=poll,
            until_settled=until_settled,
            min_level=level,
            services=service_filter,
            on_event=on_event,
        )
    if json_output:
        sys.stdout.write(result.model_dump_json(exclude={"buckets"}) + "\n")
    elif live is not None:
        stdout().print(verdict_view(result))
    else:
        sys.stdout.write(verdict_line(result) + "\n")
    sys.stdout.flush()
    warn([warning for warning in result.warnings if warning not in warned])
    if result.exit_status:
        raise typer.Exit(result.exit_status)


def _not_a_file(path: str) -> str | None:
    """What a path named explicitly is when it is neither a file nor a directory (a FIFO, a
    device, a socket): watch reads files again and again, which a stream cannot give."""
    from ..sources.reader import kind_of

    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None  # missing: said where the paths are resolved
    return None if stat.S_ISDIR(mode) else kind_of(mode)
