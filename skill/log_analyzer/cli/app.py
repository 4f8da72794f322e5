"""`log-analyzer` commands. Each command parses its options, calls the library, and hands the
result to a renderer; errors a user can cause end in one line on stderr and exit status 2."""

from __future__ import annotations

import json
import os
import re
import signal
import sys
from itertools import islice
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ..analysis.errors import find_error_groups
from ..analysis.investigate import investigate, read_sources
from ..analysis.report import Investigation
from ..errors import LogAnalyzerError, OptionError
from ..filters import RecordFilter, parse_time_bound
from ..formats.envelopes import ENVELOPES
from ..formats.registry import FORMATS
from ..index import IndexReport, IndexStore
from ..ingest import open_paths
from ..mining.template_ids import templated_records
from ..models import SourcesReport, SourceSummary
from ..options import build_parse_options, check_level
from ..render.errors import ErrorsReport, errors_table
from ..render.investigation import (
    investigation_view,
    latency_view,
    recommendations_view,
    trend_view,
)
from ..render.postmortem import render as render_postmortem
from ..render.sources import sources_table
from .progress import progress_bar

app = typer.Typer(
    name="log-analyzer",
    help="Find the root cause of an incident from the logs of several services.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

Paths = Annotated[
    list[str],
    typer.Argument(
        help="Log files, directories, globs, - for standard input, or source URIs "
        "(loki://, es://, opensearch://, clickhouse://, chdb://).",
        show_default=False,
    ),
]
FormatOption = Annotated[
    str | None,
    typer.Option(
        "--format",
        help="Skip detection: read every source as this format (see `log-analyzer formats`).",
    ),
]
TzOption = Annotated[
    str | None,
    typer.Option(
        "--tz",
        help="Time zone of timestamps written without one (default UTC): "
        "a name like Europe/Paris, an offset like +02:00, or 'local'.",
    ),
]
YearOption = Annotated[
    int | None,
    typer.Option(
        "--year",
        help="Year of year-less timestamps (syslog, Redis); default: from "
        "each file's modification time.",
    ),
]
DateOption = Annotated[
    str | None,
    typer.Option(
        "--date",
        help="Date (YYYY-MM-DD) of time-only timestamps; default: the date "
        "of the file's modification time.",
    ),
]
ServiceOption = Annotated[
    list[str],
    typer.Option(
        "--service",
        help="NAME=GLOB names the service of matching files; "
        "NAME alone keeps only that service's records. Repeatable.",
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

# Not a terminal (an agent, a pipe): no wrapping, so rows stay one line each.
_stdout = Console(highlight=False, width=None if sys.stdout.isatty() else 250)
_stderr = Console(stderr=True, highlight=False, soft_wrap=True)


def _warn(messages: list[str]) -> None:
    for message in messages:
        _stderr.print(f"log-analyzer: warning: {message}", markup=False)


def _index_store(no_cache: bool) -> IndexStore | None:
    return None if no_cache or os.environ.get("LOG_ANALYZER_NO_CACHE") else IndexStore()


def _warn_index(report: IndexReport | None) -> None:
    if report is not None:
        _warn(report.warnings)


def _record_filter(
    since: str | None, until: str | None, services: list[str], min_level: str | None = None
) -> RecordFilter:
    """The `--since`/`--until`/`--service NAME`/`--min-level` options as one filter."""
    return RecordFilter(
        since=parse_time_bound(since, "--since") if since else None,
        until=parse_time_bound(until, "--until") if until else None,
        services=services,
        min_level=min_level,
    )


@app.command()
def sources(
    paths: Paths,
    json_output: JsonOption = False,
    format: FormatOption = None,
    tz: TzOption = None,
    year: YearOption = None,
    date: DateOption = None,
    service: ServiceOption = [],  # noqa: B006 - typer reads the default, never mutates it
    no_cache: NoCacheOption = False,
    quiet: QuietOption = False,
) -> None:
    """Per source: detected format, service, time range, records, lines, unparsed lines."""
    options, _ = build_parse_options(format, tz, year, date, service)
    with progress_bar(_stderr, "reading", quiet) as progress:
        workspace, index = read_sources(
            paths, options, store=_index_store(no_cache), progress=progress
        )
    _warn(workspace.warnings)
    _warn_index(index)
    summaries = [SourceSummary.from_stats(stats) for stats in workspace.stats]
    for summary in summaries:
        _warn([f"{summary.file}: {warning}" for warning in summary.warnings])
    if json_output:
        report = SourcesReport(sources=summaries, warnings=workspace.warnings)
        sys.stdout.write(report.model_dump_json() + "\n")
        return
    _stdout.print(sources_table(summaries))


SinceOption = Annotated[
    str | None,
    typer.Option(
        "--since",
        help="Only records at or after this time: ISO 8601 (UTC unless an "
        "offset is given) or a duration before now like 30m, 2h, 1d.",
    ),
]
UntilOption = Annotated[
    str | None, typer.Option("--until", help="Only records before this time (as --since).")
]


@app.command()
def parse(
    paths: Paths,
    jsonl: Annotated[bool, typer.Option("--jsonl", help="One JSON object per record.")] = False,
    min_level: Annotated[
        str | None, typer.Option("--min-level", help="Only records at this level or above.")
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Stop after this many records.")
    ] = None,
    since: SinceOption = None,
    until: UntilOption = None,
    format: FormatOption = None,
    tz: TzOption = None,
    year: YearOption = None,
    date: DateOption = None,
    service: ServiceOption = [],  # noqa: B006 - typer reads the default, never mutates it
    no_cache: NoCacheOption = False,
) -> None:
    """Print the records, with timestamps in UTC, levels and services normalised. With
    --jsonl each record has its template: on files the final one (the whole input is mined
    first), on a stream the one known so far (template_final false)."""
    options, service_filter = build_parse_options(format, tz, year, date, service)
    keep = _record_filter(since, until, service_filter, check_level(min_level))
    workspace = open_paths(paths, options)
    _warn(workspace.warnings)
    write = sys.stdout.write
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str).encode
    if jsonl:
        templated = templated_records(workspace, keep, store=_index_store(no_cache))
        _warn_index(templated.index)
        for record, template, final in islice(templated.rows, limit):
            row = record.to_dict()
            row["template_id"] = template.id
            row["template"] = template.text
            row["template_final"] = final
            write(encode(row) + "\n")
    else:
        for record in islice(keep(workspace.records()), limit):
            when = (
                record.timestamp.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
                if record.timestamp
                else "-" * 23
            )
            first, _, rest = record.message.partition("\n")
            more = f" (+{rest.count(chr(10)) + 1} lines)" if rest else ""
            write(
                f"{when} {(record.level or '-'):<8} {record.service} "
                f"{record.file}:{record.line} {first}{more}\n"
            )
    for stats in workspace.stats:
        _warn([f"{stats.source.display}: {warning}" for warning in stats.warnings])


@app.command()
def errors(
    paths: Paths,
    json_output: JsonOption = False,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Rows to show.")] = 30,
    min_level: Annotated[
        str, typer.Option("--min-level", help="Group records at this level or above.")
    ] = "warning",
    since: SinceOption = None,
    until: UntilOption = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs", min=1, help="Worker processes (default: one per core; large inputs only)."
        ),
    ] = None,
    format: FormatOption = None,
    tz: TzOption = None,
    year: YearOption = None,
    date: DateOption = None,
    service: ServiceOption = [],  # noqa: B006 - typer reads the default, never mutates it
    no_cache: NoCacheOption = False,
    quiet: QuietOption = False,
) -> None:
    """The distinct error types: count, first and last seen, service, label, example."""
    options, service_filter = build_parse_options(format, tz, year, date, service)
    minimum = check_level(min_level) or "warning"
    keep = _record_filter(since, until, service_filter)  # the level is the grouper's
    store = _index_store(no_cache)
    with progress_bar(_stderr, "reading", quiet) as progress:
        result = find_error_groups(
            paths, options, minimum, keep, workers=jobs, store=store, progress=progress
        )
    _warn(result.workspace.warnings)
    _warn_index(result.index)
    for stats in result.workspace.stats:
        _warn([f"{stats.source.display}: {warning}" for warning in stats.warnings])
    groups, records = result.groups, result.records
    if json_output:
        report = ErrorsReport(records=records, groups=groups[:limit])
        sys.stdout.write(report.model_dump_json() + "\n")
        return
    if not groups:
        _stdout.print(f"no records at {minimum} or above in {records:,} records")
        return
    _stdout.print(errors_table(groups[:limit], len(groups)))


BucketOption = Annotated[
    str, typer.Option("--bucket", help="Width of the rate buckets: 1m (default), 30s, 5m, 1h.")
]


MAX_BUCKET_SECONDS = 7 * 86400


def _bucket_seconds(value: str) -> int:
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


def _investigation(
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
    options, service_filter = build_parse_options(format, tz, year, date, service)
    keep = _record_filter(since, until, service_filter)
    with progress_bar(_stderr, "reading and analysing", quiet) as progress:
        report = investigate(
            paths,
            options,
            _bucket_seconds(bucket),
            keep if keep.narrows else None,
            store=_index_store(no_cache),
            on_index=_warn_index,
            progress=progress,
        )
    # what reading met (a decompression bomb stopped, a truncated archive): said here too
    for summary in report.sources:
        _warn([f"{summary.file}: {warning}" for warning in summary.warnings])
    return report


@app.command("investigate")
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
) -> None:
    """The incident in one screen: trend, first failure, root cause, cascade, error groups
    (chronic ones marked) and a timeline with clocks corrected."""
    report = _investigation(
        paths, bucket, since, until, format, tz, year, date, service, no_cache, quiet
    )
    if json_output:
        sys.stdout.write(report.model_dump_json() + "\n")
        return
    _stdout.print(investigation_view(report))


@app.command()
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
    report = _investigation(
        paths, bucket, since, until, format, tz, year, date, service, no_cache, quiet
    )
    if json_output:
        payload = {
            "trend": report.trend,
            "onset": report.onset,
            "window": report.window,
            "error_rate": report.error_rate,
            **({"latency": report.latency} if latency else {}),
        }
        sys.stdout.write(json.dumps(payload, default=_jsonable) + "\n")
        return
    _stdout.print(trend_view(report))
    if latency:
        _stdout.print(latency_view(report))


@app.command()
def fixes(
    paths: Paths,
    json_output: JsonOption = False,
    group: Annotated[
        str | None, typer.Option("--group", help="Only the actions for this error group id.")
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
    report = _investigation(
        paths, "1m", since, until, format, tz, year, date, service, no_cache, quiet
    )
    found = [r for r in report.recommendations if group is None or r.group_id == group]
    if json_output:
        payload = {"recommendations": [r.model_dump(mode="json") for r in found]}
        sys.stdout.write(json.dumps(payload) + "\n")
        return
    _stdout.print(recommendations_view(found))


@app.command()
def report(
    paths: Paths,
    output_format: Annotated[
        str,
        typer.Option(
            "--format", help="md (default), html (one self-contained file with a chart) or json."
        ),
    ] = "md",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write to this file, not stdout.")
    ] = None,
    template: Annotated[
        Path | None, typer.Option("--template", help="A Jinja2 template of your own.")
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
    model: Annotated[str | None, typer.Option("--model", help="Model for --narrative.")] = None,
    provider: Annotated[
        str, typer.Option("--provider", help="anthropic or openai, for --narrative.")
    ] = "anthropic",
    base_url: Annotated[
        str | None, typer.Option("--base-url", help="OpenAI-compatible server, for --narrative.")
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Usage and cost.")] = False,
    no_cache: NoCacheOption = False,
    quiet: QuietOption = False,
) -> None:
    """The incident report for the post-mortem: summary, impact, timeline, root cause,
    cascade, errors, actions and evidence with file:line."""
    if output_format not in {"md", "html", "json"}:
        raise OptionError(f"--format {output_format!r}: expected md, html or json")
    found = _investigation(
        paths, bucket, since, until, None, tz, year, date, service, no_cache, quiet
    )
    drafted = None
    if narrative:
        from .agent_commands import narrative_for_report

        parse = (None, tz, year, date, service)
        drafted = narrative_for_report(paths, parse, provider, model, base_url, verbose)
    text = render_postmortem(
        found,
        output_format,
        template,
        narrative=drafted[0] if drafted else None,
        narrative_unverified=drafted[1] if drafted else None,
    )
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise OptionError(f"-o {output}: {error.strerror or error}") from None
    _stderr.print(f"report written to {output}", markup=False)


def _jsonable(value: object) -> object:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(type(value).__name__)


@app.command()
def formats(json_output: JsonOption = False) -> None:
    """List the formats `--format` accepts and detection knows."""
    rows = [(fmt.name, fmt.title) for fmt in FORMATS] + [
        (env.name, f"{env.title} (envelope: the inner format is detected)") for env in ENVELOPES
    ]
    if json_output:
        sys.stdout.write(json.dumps([{"name": n, "title": t} for n, t in rows]) + "\n")
        return
    width = max(len(name) for name, _ in rows)
    for name, title in sorted(rows):
        sys.stdout.write(f"{name:<{width}}  {title}\n")


def run(argv: list[str] | None = None) -> int:
    """Run the CLI with `argv` and return its exit status: one-line errors, no tracebacks.

    Click runs in non-standalone mode so that a usage error (an unknown option, a value out of
    range, a missing path) is one line here too, not a usage page."""
    try:
        result = app(args=argv, prog_name="log-analyzer", standalone_mode=False)
    except typer.Abort:  # end of input at a prompt
        _stderr.print("log-analyzer: aborted", markup=False)
        return 1
    except SystemExit as exit_:
        code = exit_.code
        if code == 130 and exit_.__context__ is not None:  # click turned a Ctrl-C into this
            _stderr.print("\nlog-analyzer: interrupted", markup=False)
        return code if isinstance(code, int) else (0 if code is None else 1)
    except LogAnalyzerError as error:
        _stderr.print(f"log-analyzer: error: {error}", markup=False)
        return error.exit_code
    except KeyboardInterrupt:
        _stderr.print("\nlog-analyzer: interrupted", markup=False)
        return 130
    except BrokenPipeError:  # the reader went away (`| head`, where SIGPIPE does not end us)
        return 1
    except Exception as error:  # a bug of ours: one line, the traceback only on request
        if _is_click(error, "NoArgsIsHelpError"):  # `log-analyzer` alone: the help
            error.show()  # type: ignore[attr-defined]
            return int(error.exit_code)  # type: ignore[attr-defined]
        if _is_click(error, "ClickException"):  # a usage error: one line, not a usage page
            _stderr.print(f"log-analyzer: error: {_usage_line(error)}", markup=False)
            return int(error.exit_code)  # type: ignore[attr-defined]
        if os.environ.get("LOG_ANALYZER_DEBUG"):
            raise
        _stderr.print(
            f"log-analyzer: internal error: {type(error).__name__}: {error} "
            "(set LOG_ANALYZER_DEBUG=1 to see the traceback, and please report it)",
            markup=False,
        )
        return 70
    if result == 130:  # typer turned a Ctrl-C into `Exit(130)`
        _stderr.print("\nlog-analyzer: interrupted", markup=False)
    return result if isinstance(result, int) else 0


def _is_click(error: Exception, name: str) -> bool:
    """Whether `error` is click's `name` exception. Typer raises click's own exceptions or
    those of the copy of click it carries (`typer._click`), depending on its version: told
    apart by class name."""
    return any(cls.__name__ == name for cls in type(error).__mro__)


def _usage_line(error: Exception) -> str:
    """A usage error on one line, with where to read more."""
    message = " ".join(error.format_message().split())  # type: ignore[attr-defined]
    context = getattr(error, "ctx", None)
    if _is_click(error, "UsageError") and context is not None:
        message += f" (see '{context.command_path} --help')"
    return message


def main() -> None:
    """Console entry point. Quiet on a closed pipe (`log-analyzer parse ... | head`)."""
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(run(sys.argv[1:]))


from . import agent_commands as agent_commands  # noqa: E402  (registers its commands on app)
from . import cache_command as cache_command  # noqa: E402
from . import compare_command as compare_command  # noqa: E402  (registers `compare`)
from . import trace_command as trace_command  # noqa: E402  (registers `trace` on app)
from . import watch_command as watch_command  # noqa: E402  (registers `watch` on app)
