"""`sources`, `parse`, `errors` and `formats`: what the logs hold, record by record or grouped.
The library is imported when a command runs, not when the CLI starts."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from itertools import islice
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .console import note, stderr, stdout, warn, warn_index
from .options import (
    LEVEL_NAMES,
    DateOption,
    FormatOption,
    JsonOption,
    MinLevelOption,
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
    from ..filters import RecordFilter
    from ..index import IndexStore
    from ..ingest import OpenedSources, ParseOptions
    from ..records import Record


def register(app: typer.Typer) -> None:
    for function in (sources, parse, errors, formats):
        command(app, function)


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
    store = index_store(no_cache)
    settings = reading_settings(None, None, format, tz, year, date, service)
    key, answer = kept_answer(store, "sources", settings, paths)
    if answer is None:
        answer = _sources_answer(paths, settings, store, quiet)
        keep_answer(store, key, answer)
    report = answer["report"]
    warn(report["warnings"])
    for summary in report["sources"]:
        warn([f"{summary['file']}: {warning}" for warning in summary["warnings"]])
    if json_output:  # exactly what `SourcesReport.model_dump_json()` prints
        sys.stdout.write(json.dumps(report, ensure_ascii=False, separators=(",", ":")) + "\n")
        return
    from ..models import SourceSummary
    from ..render.sources import sources_table

    stdout().print(sources_table([SourceSummary.model_validate(s) for s in report["sources"]]))


def _sources_answer(
    paths: list[str], settings: dict[str, Any], store: IndexStore | None, quiet: bool
) -> dict[str, Any]:
    from ..analysis.investigate import read_sources
    from ..models import SourcesReport, SourceSummary
    from ..options import build_parse_options
    from .progress import progress_bar

    given = settings
    options, wanted = build_parse_options(
        given["format"], given["tz"], given["year"], given["date"], given["service"]
    )
    with progress_bar(stderr, "reading", quiet) as progress:
        opened, index = read_sources(paths, options, store=store, progress=progress)
    warn_index(index)  # about this run's use of the index: never repeated
    summaries = [SourceSummary.from_stats(stats) for stats in opened.stats]
    if wanted:  # `--service NAME`: the sources whose records carry it (an unknown name fails)
        from ..analysis.service_names import ServiceNames

        names = ServiceNames(name for summary in summaries for name in summary.services)
        kept = {name for asked in wanted for name in names.resolve(asked)}
        summaries = [s for s in summaries if not kept.isdisjoint(s.services)]
    report = SourcesReport(sources=summaries, warnings=opened.warnings)
    return {"report": report.model_dump(mode="json")}


def parse(
    paths: Paths,
    jsonl: Annotated[bool, typer.Option("--jsonl", help="One JSON object per record.")] = False,
    min_level: MinLevelOption = None,
    limit: Annotated[
        int | None,
        typer.Option("--limit", min=1, metavar="N", help="Stop after N records (after the merge)."),
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
    """Print the records, with timestamps in UTC, levels and services normalised; several
    sources merged in time order, on clocks corrected for skew as in the timeline. With
    --jsonl each record has its template: on files the final one (the whole input is mined
    first), on a stream the one known so far (template_final false)."""
    from ..ingest import open_paths
    from ..options import build_parse_options, check_level
    from .scope import Held, explain_empty, resolve

    options, service_filter = build_parse_options(format, tz, year, date, service)
    store = index_store(no_cache)
    scope = resolve(paths, options, since, until, service_filter, check_level(min_level), store)
    opened = open_paths(paths, options)
    warn(opened.warnings)
    clock = _clock(paths, opened, options, store)
    if jsonl:
        written = _jsonl(opened, scope.keep, store, clock, limit)
    else:
        streams = [scope.keep(iter(parser)) for parser in opened.parsers]
        written = _write_lines(_in_order(streams, clock), limit)
    for stats in opened.stats:
        warn([f"{stats.source.display}: {warning}" for warning in stats.warnings])
    if not written:
        reason = explain_empty(scope, [Held.of_stats(stats) for stats in opened.stats])
        if reason is not None:
            note(reason)


def _jsonl(
    opened: OpenedSources,
    keep: RecordFilter,
    store: IndexStore | None,
    clock: ReferenceClock,
    limit: int | None,
) -> int:
    """Write `parse --jsonl`'s lines; the number written. Files read whole (no filter, no
    `--limit`) with no clock to correct are mined and rendered in one read
    (`render.jsonl_spool`), unless the index answers for them or the spool finds no room;
    everything else takes the record path."""
    from ..analysis.template_ids import keeps_all, templated_records
    from .scratch import scratch_directory

    mined = None
    with scratch_directory("log-analyzer-jsonl-") as directory:
        # with --limit the record path reads only the records written: no spool of it all
        if limit is None and keeps_all(keep) and not clock.skew:
            from ..render.jsonl_spool import has_room, spooled_lines

            if has_room(directory, opened):
                spooled = spooled_lines(opened, directory, store, None)
                warn_index(spooled.index)
                if spooled.batches is not None:
                    return _write_batches(spooled.batches)
                mined = (spooled.ledgers, spooled.index)
        templated = templated_records(opened, keep, store=store, mined=mined)
        if mined is None:
            warn_index(templated.index)
        return _write_jsonl(_in_order(list(templated.streams), clock), clock, limit)


def _in_order(streams: list[Iterator[Any]], clock: ReferenceClock) -> Iterator[Any]:
    return merged(streams, clock) if len(streams) > 1 else (streams[0] if streams else iter(()))


def _write_batches(batches: Iterator[list[str]]) -> int:
    """Write finished lines, batch by batch; the number written."""
    write = sys.stdout.write
    written = 0
    for batch in batches:
        _write_all(write, batch)
        written += len(batch)
    return written


class ReferenceClock:
    """Where a record falls on the reference clock: its time less its service's skew (the
    investigation's, by the service's identity)."""

    def __init__(self, skew: dict[str, float], aliases: dict[str, list[str]]) -> None:
        from ..analysis.skew import NOTICEABLE_SECONDS

        self.skew = {
            name: value for name, value in skew.items() if abs(value) >= NOTICEABLE_SECONDS
        }
        self.identity = {old: name for name, olds in aliases.items() for old in olds}

    def offset(self, record: Record) -> float:
        return self.skew.get(self.identity.get(record.service, record.service), 0.0)


def _clock(
    paths: list[str], opened: OpenedSources, options: ParseOptions, store: IndexStore | None
) -> ReferenceClock:
    """The clock skew between the services, from an investigation of the same logs (through
    the index when there is one), when several sources are merged and can be read twice."""
    from .scope import rereadable

    if len(opened.parsers) < 2 or not rereadable(paths):
        return ReferenceClock({}, {})
    from ..analysis.investigate import investigate
    from .progress import progress_bar

    with progress_bar(stderr, "estimating clock skew", False) as progress:
        report = investigate(paths, options, store=store, progress=progress)
    clock = ReferenceClock(report.skew_seconds, report.service_aliases)
    if clock.skew:
        moved = ", ".join(f"{name} {value:+.1f}s" for name, value in sorted(clock.skew.items()))
        note(f"merged in time order on clocks corrected for skew ({moved}); times as logged")
    return clock


def merged(streams: list[Iterator[Any]], clock: ReferenceClock) -> Iterator[Any]:
    """The rows of several sources in time order: a k-way merge of the per-source streams,
    each already in its file's order, on corrected times. A record without a timestamp keeps
    its place after the record before it in its file; equal times keep the sources' order."""
    import heapq
    from operator import itemgetter

    def keyed(stream: Iterator[Any]) -> Iterator[tuple[float, Any]]:
        last = float("-inf")
        for row in stream:
            record: Record = row[0] if isinstance(row, tuple) else row
            if record.timestamp is not None:
                last = record.timestamp.timestamp() - clock.offset(record)
            yield last, row

    for _, row in heapq.merge(*map(keyed, streams), key=itemgetter(0)):
        yield row


def _write_lines(records: Iterator[Record], limit: int | None) -> int:
    write = sys.stdout.write
    written = 0
    for record in islice(records, limit):
        stamp = record.timestamp
        if stamp is None:
            when = "-" * 23
        elif stamp.year >= 1000:  # as strftime writes it (years agree from 1000 on), faster
            when = stamp.isoformat(" ", "milliseconds")[:23]
        else:
            when = stamp.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
        first, _, rest = record.message.partition("\n")
        more = f" (+{rest.count(chr(10)) + 1} lines)" if rest else ""
        write(
            f"{when} {(record.level or '-'):<8} {record.service} "
            f"{record.file}:{record.line} {first}{more}\n"
        )
        written += 1
    return written


def _write_all(write: Callable[[str], object], lines: list[str]) -> None:
    """Write `lines` at once. When one cannot be encoded (nothing is written then), the lines
    before it are, one by one, and the error is raised."""
    try:
        write("".join(lines))
    except UnicodeError:
        for text in lines:
            write(text)
        raise


def _write_jsonl(rows: Iterator[Any], clock: ReferenceClock, limit: int | None) -> int:
    """One object per record: `Record.to_dict()`'s fields, the template's id and text and
    whether it is final; `timestamp_corrected` where the record's clock was corrected. Lines
    of files are written in batches; those of a stream (templates not final) as they come."""
    from datetime import timedelta

    from ..render.jsonl import JsonLines

    write = sys.stdout.write
    line = JsonLines().line
    offset = clock.offset if clock.skew else None
    batch: list[str] = []
    size = 0  # lines per write, set by the first row

    def flush() -> None:
        try:
            _write_all(write, batch)
        finally:
            batch.clear()

    written = 0
    try:
        for record, template, final in islice(rows, limit):
            size = size or (256 if final else 1)
            moved = offset(record) if offset is not None else 0.0
            when = record.timestamp
            corrected = when - timedelta(seconds=moved) if moved and when is not None else None
            batch.append(line(record, template, final, corrected))
            written += 1
            if len(batch) >= size:
                flush()
    finally:
        if batch:  # what was read before an error is written too
            flush()
    return written


def errors(
    paths: Paths,
    json_output: JsonOption = False,
    limit: Annotated[int, typer.Option("--limit", min=1, metavar="N", help="Rows to show.")] = 30,
    min_level: Annotated[
        str,
        typer.Option(
            "--min-level",
            metavar="LEVEL",
            help=f"Group records at LEVEL or above: {LEVEL_NAMES}.",
        ),
    ] = "warning",
    since: SinceOption = None,
    until: UntilOption = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            min=1,
            metavar="N",
            help="Worker processes (default: one per core; large inputs only).",
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
    store = index_store(no_cache)
    settings = {
        "min_level": min_level.lower(),
        **reading_settings(since, until, format, tz, year, date, service),
    }
    key, answer = kept_answer(store, "errors", settings, paths)
    if answer is None:
        # a table is drawn from the groups' models: imported while workers parse
        answer = _errors_answer(paths, settings, jobs, store, quiet, not json_output)
        keep_answer(store, key, answer)
    _print_errors(answer, limit, json_output)


def _errors_answer(
    paths: list[str],
    settings: dict[str, Any],
    jobs: int | None,
    store: IndexStore | None,
    quiet: bool,
    models_wanted: bool = False,
) -> dict[str, Any]:
    """What `errors` finds, as plain data (what `--json` prints, plus the notes to repeat)."""
    from ..analysis.errors import find_error_groups, import_group_models
    from ..options import build_parse_options, check_level
    from .progress import progress_bar
    from .scope import Held, explain_empty, resolve

    given = settings
    options, service_filter = build_parse_options(
        given["format"], given["tz"], given["year"], given["date"], given["service"]
    )
    minimum = check_level(given["min_level"]) or "warning"
    scope = resolve(paths, options, given["since"], given["until"], service_filter, None, store)
    with progress_bar(stderr, "reading", quiet) as progress:
        result = find_error_groups(
            paths,
            options,
            minimum,
            scope.keep,
            workers=jobs,
            store=store,
            progress=progress,
            meanwhile=import_group_models if models_wanted else None,
        )
    warn_index(result.index)  # about this run's use of the index: never repeated
    warnings = list(result.workspace.warnings)
    for stats in result.workspace.stats:
        warnings.extend(f"{stats.source.display}: {warning}" for warning in stats.warnings)
    reason = None
    if result.records == 0:
        held = scope.held or [Held.of_stats(stats) for stats in result.workspace.stats]
        reason = explain_empty(scope, held)
    return {
        "records": result.records,
        "groups": result.group_rows(),
        "minimum": minimum,
        "warnings": warnings,
        "note": reason,
    }


def _print_errors(answer: dict[str, Any], limit: int, json_output: bool) -> None:
    warn(answer["warnings"])
    if answer["note"] is not None:
        note(answer["note"])
    records, groups = answer["records"], answer["groups"]
    if json_output:
        # exactly what `ErrorsReport.model_dump_json()` prints, without building the models
        shown = {"records": records, "groups": groups[:limit]}
        sys.stdout.write(json.dumps(shown, ensure_ascii=False, separators=(",", ":")) + "\n")
        return
    if not groups:
        minimum = answer["minimum"]
        stdout().print(f"no records at {minimum} or above in {records:,} records", markup=False)
        return
    from ..mining.group_models import ErrorGroup
    from ..render.errors import errors_table

    shown_groups = [ErrorGroup.model_validate(group) for group in groups[:limit]]
    stdout().print(errors_table(shown_groups, len(groups)))


def formats(
    json_output: JsonOption = False,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Parse every format's sample lines (yours included: $LOG_ANALYZER_FORMATS) "
            "and list those not read as their definition declares; exit 1 if any.",
        ),
    ] = False,
) -> None:
    """List the formats `--format` accepts and detection knows."""
    from ..formats.envelopes import ENVELOPES
    from ..formats.registry import FORMATS

    if check:
        from ..formats.samples import check_formats

        checked, problems = check_formats(FORMATS)
        for problem in problems:
            sys.stdout.write(f"{problem}\n")
        sys.stdout.write(
            f"{len(FORMATS)} formats, {checked} samples: "
            + (f"{len(problems)} problems\n" if problems else "every sample read as declared\n")
        )
        raise typer.Exit(1 if problems else 0)
    rows = [(fmt.name, fmt.title, fmt.definition) for fmt in FORMATS] + [
        (env.name, f"{env.title} (envelope: the inner format is detected)", "") for env in ENVELOPES
    ]
    if json_output:
        import json

        listed = [{"name": n, "title": t, "definition": d} for n, t, d in rows]
        sys.stdout.write(json.dumps(listed) + "\n")
        return
    width = max(len(name) for name, _, _ in rows)
    for name, title, _ in sorted(rows):
        sys.stdout.write(f"{name:<{width}}  {title}\n")
