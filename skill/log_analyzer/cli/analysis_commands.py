"""`investigate`, `trend`, `fixes` and `report`: the incident, as one investigation of the logs
rendered four ways. The library is imported when a command runs, not when the CLI starts."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..errors import OptionError
from .console import note, say, stderr, stdout, warn, warn_index
from .options import (
    BucketOption,
    DateOption,
    FormatOption,
    JsonOption,
    NoCacheOption,
    Paths,
    QuietOption,
    ServiceOption,
    SinceOption,
    TzOption,
    UntilOption,
    YearOption,
    command,
    index_store,
    keep_answer,
    kept_answer,
    reading_settings,
)

if TYPE_CHECKING:
    from ..analysis.report import Investigation
    from ..index.store import IndexStore

MAX_BUCKET_SECONDS = 7 * 86400


def register(app: typer.Typer) -> None:
    command(app, investigate_command, "investigate")
    for function in (trend, fixes, report):
        command(app, function)


def bucket_seconds(value: str) -> int:
    """`--bucket 30s|1m|5m|1h` in seconds; a number alone is minutes."""
    match = re.fullmatch(r"\s*(\d{1,9})\s*(s|m|h)?\s*", value)
    seconds = (
        int(match.group(1)) * {"s": 1, "m": 60, "h": 3600, None: 60}[match.group(2)]
        if match is not None
        else 0
    )
    if not 0 < seconds <= MAX_BUCKET_SECONDS:
        raise OptionError(
            f"--bucket {value!r}: expected a width from 1s to 168h, like 30s, 1m, 5m or 1h"
        )
    return seconds


def investigation(
    paths: list[str],
    bucket: str,
    since: str | None,
    until: str | None,
    format: str | None,
    tz: str | None,
    year: int | None,
    date: str | None,
    service: list[str],
    no_cache: bool = False,
    quiet: bool = False,
) -> Investigation:
    """The investigation the four commands render, with their filters resolved and a filter
    that leaves nothing explained on stderr."""
    store = index_store(no_cache)
    settings = {
        "bucket": bucket,
        **reading_settings(since, until, format, tz, year, date, service),
    }
    key, answer = kept_answer(store, "investigation", settings, paths)
    found = None
    if answer is None:
        found, answer = _investigation_answer(paths, settings, store, quiet)
        keep_answer(store, key, answer)
    warn(answer["warnings"])
    if answer["note"] is not None:
        note(answer["note"])
    if found is not None:
        return found
    from ..analysis.report import Investigation

    return Investigation.model_validate(answer["investigation"])


def _investigation_answer(
    paths: list[str], settings: dict[str, Any], store: IndexStore | None, quiet: bool
) -> tuple[Investigation, dict[str, Any]]:
    """The investigation, and as plain data (kept as the answer of the four commands), with the
    warnings and the note to say again on a repeat."""
    from ..analysis.investigate import investigate
    from ..options import build_parse_options
    from .progress import progress_bar
    from .scope import Held, explain_empty, resolve

    given = settings
    width = bucket_seconds(given["bucket"])
    options, service_filter = build_parse_options(
        given["format"], given["tz"], given["year"], given["date"], given["service"]
    )
    scope = resolve(paths, options, given["since"], given["until"], service_filter, None, store)
    keep = scope.keep
    with progress_bar(stderr, "reading and analysing", quiet) as progress:
        report = investigate(
            paths,
            options,
            width,
            keep if keep.narrows else None,
            store=store,
            on_index=warn_index,
            progress=progress,
        )
    # what reading met (a decompression bomb stopped, a truncated archive): said here too
    warnings = [
        f"{summary.file}: {warning}" for summary in report.sources for warning in summary.warnings
    ]
    reason = None
    if report.records == 0:
        held = scope.held or [Held.of_summary(summary) for summary in report.sources]
        reason = explain_empty(scope, held)
    answer: dict[str, Any] = {
        "investigation": report.model_dump(mode="json"),
        "warnings": warnings,
        "note": reason,
    }
    return report, answer


def investigate_command(
    paths: Paths,
    json_output: JsonOption = False,
    bucket: BucketOption = "1m",
    since: SinceOption = None,
    until: UntilOption = None,
    format: FormatOption = None,
    tz: TzOption = None,
    year: YearOption = None,
    date: DateOption = None,
    service: ServiceOption = [],  # noqa: B006 - typer reads the default, never mutates it
    no_cache: NoCacheOption = False,
    quiet: QuietOption = False,
    timeline: Annotated[
        str,
        typer.Option(
            "--timeline",
            metavar="ROWS|all",
            help="Rows of the timeline: the incident end to end in 25 by default, or all.",
        ),
    ] = "25",
) -> None:
    """The incident in one screen: trend, first failure, root cause, cascade, error groups
    (chronic ones marked) and a timeline with clocks corrected."""
    from ..render.investigation import investigation_view, timeline_rows

    rows = timeline_rows(timeline)
    found = investigation(
        paths, bucket, since, until, format, tz, year, date, service, no_cache, quiet
    )
    if json_output:
        sys.stdout.write(found.model_dump_json() + "\n")
        return
    console = stdout()
    console.print(investigation_view(found, events=rows, width=console.width))


def trend(
    paths: Paths,
    json_output: JsonOption = False,
    latency: Annotated[
        bool, typer.Option("--latency", help="Also p50/p95/p99 of the durations records carry.")
    ] = False,
    bucket: BucketOption = "1m",
    since: SinceOption = None,
    until: UntilOption = None,
    format: FormatOption = None,
    tz: TzOption = None,
    year: YearOption = None,
    date: DateOption = None,
    service: ServiceOption = [],  # noqa: B006 - typer reads the default, never mutates it
    no_cache: NoCacheOption = False,
    quiet: QuietOption = False,
) -> None:
    """Errors per bucket and service as sparklines, and the verdict: ongoing, recovering,
    resolved or no-incident. `--latency` adds p50/p95/p99 of the durations records carry."""
    found = investigation(
        paths, bucket, since, until, format, tz, year, date, service, no_cache, quiet
    )
    if json_output:
        payload = {
            "trend": found.trend,
            "onset": found.onset,
            "window": found.window,
            "error_rate": found.error_rate,
            **({"latency": found.latency} if latency else {}),
        }
        import json

        sys.stdout.write(json.dumps(payload, default=_jsonable) + "\n")
        return
    from ..render.investigation import latency_view, trend_view

    console = stdout()
    console.print(trend_view(found, console.width))
    if latency:
        console.print(latency_view(found, console.width))


def fixes(
    paths: Paths,
    json_output: JsonOption = False,
    group: Annotated[
        str | None,
        typer.Option("--group", metavar="ID", help="Only the actions for this error group id."),
    ] = None,
    since: SinceOption = None,
    until: UntilOption = None,
    format: FormatOption = None,
    tz: TzOption = None,
    year: YearOption = None,
    date: DateOption = None,
    service: ServiceOption = [],  # noqa: B006 - typer reads the default, never mutates it
    no_cache: NoCacheOption = False,
    quiet: QuietOption = False,
) -> None:
    """What to do now: actions from the knowledge base of failure signatures, filled with the
    values the logs give, most urgent first."""
    found = investigation(
        paths, "1m", since, until, format, tz, year, date, service, no_cache, quiet
    )
    if group is not None and all(g.id != group for g in found.error_groups):
        known = ", ".join(g.id for g in found.error_groups[:8]) or "none"
        raise OptionError(f"--group {group!r}: no such error group (ids: {known})")
    chosen = [r for r in found.recommendations if group is None or r.group_id == group]
    if json_output:
        payload = {"recommendations": [r.model_dump(mode="json") for r in chosen]}
        import json

        sys.stdout.write(json.dumps(payload) + "\n")
        return
    from ..render.investigation import recommendations_view

    stdout().print(recommendations_view(chosen))


def report(
    paths: Paths,
    output_format: Annotated[
        str,
        typer.Option(
            "--format",
            metavar="FORMAT",
            help="md (default), html (one self-contained file with a chart) or json.",
        ),
    ] = "md",
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", metavar="FILE", help="Write to FILE, not stdout (`-`: stdout)."
        ),
    ] = None,
    template: Annotated[
        Path | None,
        typer.Option("--template", metavar="FILE", help="A Jinja2 template of your own."),
    ] = None,
    bucket: BucketOption = "1m",
    since: SinceOption = None,
    until: UntilOption = None,
    tz: TzOption = None,
    year: YearOption = None,
    date: DateOption = None,
    service: ServiceOption = [],  # noqa: B006 - typer reads the default, never mutates it
    narrative: Annotated[
        bool,
        typer.Option(
            "--narrative",
            help="Have a model draft the root-cause narrative from the findings (needs "
            "ANTHROPIC_API_KEY or --provider openai; without one, the report is written "
            "without it).",
        ),
    ] = False,
    model: Annotated[
        str | None, typer.Option("--model", metavar="NAME", help="Model for --narrative.")
    ] = None,
    provider: Annotated[
        str,
        typer.Option("--provider", metavar="NAME", help="anthropic or openai, for --narrative."),
    ] = "anthropic",
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url", metavar="URL", help="OpenAI-compatible server, for --narrative."
        ),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Usage and cost.")] = False,
    no_cache: NoCacheOption = False,
    quiet: QuietOption = False,
) -> None:
    """The incident report for the post-mortem: summary, impact, timeline, root cause,
    cascade, errors, actions and evidence with file:line."""
    if output_format not in {"md", "html", "json"}:
        raise OptionError(f"--format {output_format!r}: expected md, html or json")
    if output is not None or template is not None or narrative:
        from .replay import spoil

        spoil()  # a file written or read beside the answer, or a model asked: run each time
    found = investigation(
        paths, bucket, since, until, None, tz, year, date, service, no_cache, quiet
    )
    drafted = None
    if narrative:
        from .agent_commands import narrative_for_report

        parse = (None, tz, year, date, service)
        drafted = narrative_for_report(paths, parse, provider, model, base_url, verbose)
    from ..render.postmortem import render

    text = render(
        found,
        output_format,
        template,
        narrative=drafted[0] if drafted else None,
        narrative_unverified=drafted[1] if drafted else None,
    )
    if output is None or str(output) == "-":  # `-o -`: standard output, as by convention
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise OptionError(f"-o {output}: {error.strerror or error}") from None
    say(f"report written to {output}")


def _jsonable(value: object) -> object:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(type(value).__name__)
