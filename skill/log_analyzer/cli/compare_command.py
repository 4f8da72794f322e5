"""`log-analyzer compare`: what changed in each service's logs around a time, every level
included. `analysis.compare` does the work."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import OptionError, SourceError
from .console import stderr, stdout, warn, warn_index
from .options import (
    DateOption,
    FormatOption,
    JsonOption,
    MinLevelOption,
    NoCacheOption,
    Paths,
    QuietOption,
    ServiceOption,
    TzOption,
    YearOption,
    command,
    index_store,
)

if TYPE_CHECKING:
    from ..analysis.compare import Comparison, ServiceChange, TemplateChange

EXAMPLE_WIDTH = 120
DEFAULT_WINDOW = "5m"  # `analysis.compare.DEFAULT_WINDOW`, written out for the help


def register(app: typer.Typer) -> None:
    command(app, compare_command, "compare")


def compare_command(
    paths: Paths,
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            metavar="TIME",
            help="The pivot: ISO 8601 (UTC unless an offset is given) or a time of day on the "
            "logs' last day (14:02, UTC). Default: the first failure the investigation finds.",
        ),
    ] = None,
    before: Annotated[
        str,
        typer.Option("--before", metavar="WIDTH", help="Window before the pivot: 30s, 5m, 1h."),
    ] = DEFAULT_WINDOW,
    after: Annotated[
        str,
        typer.Option("--after", metavar="WIDTH", help="Window from the pivot on: 30s, 5m, 1h."),
    ] = DEFAULT_WINDOW,
    min_level: MinLevelOption = None,
    limit: Annotated[
        int,
        typer.Option("--limit", min=1, metavar="N", help="Templates shown per kind and service."),
    ] = 10,
    json_output: JsonOption = False,
    format: FormatOption = None,
    tz: TzOption = None,
    year: YearOption = None,
    date: DateOption = None,
    service: ServiceOption = [],  # noqa: B006 - typer reads the default, never mutates it
    no_cache: NoCacheOption = False,
    quiet: QuietOption = False,
) -> None:
    """What changed in each service's logs at a time: records per minute, and the templates
    of every level (INFO included) that are new after it, gone, or at another rate, in a
    window before against a window after, on clocks corrected for skew. Services most
    changed first, each with a verdict. Rates count the time each log covers."""
    from ..analysis.compare import compare_windows, window_seconds
    from ..analysis.investigate import investigate
    from ..analysis.service_names import ServiceNames
    from ..ingest import open_paths
    from ..options import build_parse_options, check_level
    from ..relative_window import resolve_bound
    from ..remote.uri import is_remote
    from .progress import progress_bar

    remote = next((p for p in paths if is_remote(p)), None)
    if remote is not None:
        raise SourceError(f"{remote}: a remote source; compare reads files")
    if "-" in paths:  # read once for the pivot and the skew, it could not be read again
        raise SourceError("compare reads files (or a directory), not standard input")
    before_seconds = window_seconds(before, "--before")
    after_seconds = window_seconds(after, "--after")
    if at is not None:
        resolve_bound(at, "--at", None)  # a bad value fails before any reading
    level = check_level(min_level)
    options, service_filter = build_parse_options(format, tz, year, date, service)
    # the clock skew, the services' identities and the first failure: one investigation
    with progress_bar(stderr, "estimating clock skew", quiet) as progress:
        report = investigate(
            paths, options, store=index_store(no_cache), on_index=warn_index, progress=progress
        )
    names = ServiceNames(name for summary in report.sources for name in summary.services)
    services = [name for wanted in service_filter for name in names.resolve(wanted)]
    heading: list[str] = []
    if at is not None:
        newest = max((s.last for s in report.sources if s.last is not None), default=None)
        pivot = resolve_bound(at, "--at", newest).when
    else:
        first = report.first_failure
        if first is None:
            raise OptionError("--at: no first failure found in the logs; give a time")
        pivot = first.timestamp
        heading.append(f"pivot: the first failure, {first.label} ({first.file}:{first.line})")
    aliases = {old: name for name, olds in report.service_aliases.items() for old in olds}
    opened = open_paths(paths, options)
    warn(opened.warnings)
    result = compare_windows(
        opened.records(),
        pivot,
        before_seconds,
        after_seconds,
        services=services,
        min_level=level,
        skew=report.skew_seconds,
        aliases=aliases,
        limit=limit,
    )
    if json_output:
        sys.stdout.write(result.model_dump_json() + "\n")
        return
    for line in [*heading, *comparison_lines(result)]:
        stdout().print(line, markup=False, highlight=False)


def comparison_lines(result: Comparison) -> list[str]:
    """The comparison as plain text lines: a heading, then per service its verdict, its
    rates and its templates."""
    corrections = ", ".join(f"{s} {v:+.1f}s" for s, v in sorted(result.skew_seconds.items()))
    lines = [
        f"compare at {_stamp(result)}: {result.before_start:%H:%M:%S} .. {result.at:%H:%M:%S}"
        f" against {result.at:%H:%M:%S} .. {result.after_end:%H:%M:%S} UTC"
        + (f", min level {result.min_level}" if result.min_level else "")
        + (
            f" (clocks corrected: {corrections}, against {', '.join(result.clock_reference)})"
            if corrections
            else ""
        )
    ]
    if not result.services:
        lines.append("no timestamped records in either window")
    for change in result.services:
        lines.extend(_service_lines(change))
    return lines


def _stamp(result: Comparison) -> str:
    return result.at.strftime("%Y-%m-%dT%H:%M:%S") + (
        f".{result.at.microsecond // 1000:03d}Z" if result.at.microsecond else "Z"
    )


def _service_lines(change: ServiceChange) -> list[str]:
    rates = f"{_rate(change.before_per_minute)} -> {_rate(change.after_per_minute)} /min"
    lines = ["", f"{change.service}: {change.verdict}  ({rates})"]
    for kind, items in (("new", change.new), ("gone", change.gone), ("changed", change.changed)):
        lines.extend(_template_line(kind, item) for item in items)
    return lines


def _template_line(kind: str, item: TemplateChange) -> str:
    text = item.example.text
    text = text if len(text) <= EXAMPLE_WIDTH else text[: EXAMPLE_WIDTH - 1] + "…"
    return (
        f"  {kind:<7} {(item.level or '-'):<8} {item.before:>6} -> {item.after:<6} "
        f"{item.label}  {item.example.file}:{item.example.line}  {text}"
    )


def _rate(value: float | None) -> str:
    return f"{value:.1f}" if value is not None else "-"
