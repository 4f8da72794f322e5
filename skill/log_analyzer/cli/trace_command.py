"""`log-analyzer trace ID PATH...`: one request followed across services, one line per record
on clocks corrected for skew. `agent.tools.trace` does the work."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import OptionError, SourceError
from .console import note, warn
from .options import (
    DateOption,
    FormatOption,
    JsonOption,
    NoCacheOption,
    Paths,
    ServiceOption,
    SinceOption,
    TzOption,
    UntilOption,
    YearOption,
    command,
    index_store,
)

if TYPE_CHECKING:
    from ..agent.tools.trace import TraceOutput


def register(app: typer.Typer) -> None:
    command(app, trace)


def trace(
    trace_id: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            help="The trace or request id, or its first 8+ characters "
            "(`investigate --json` gives one as example_trace).",
            show_default=False,
        ),
    ],
    paths: Paths,
    json_output: JsonOption = False,
    limit: Annotated[
        int, typer.Option("--limit", min=1, metavar="N", help="Most records shown.")
    ] = 200,
    since: SinceOption = None,
    until: UntilOption = None,
    format: FormatOption = None,
    tz: TzOption = None,
    year: YearOption = None,
    date: DateOption = None,
    service: ServiceOption = [],  # noqa: B006 - typer reads the default, never mutates it
    no_cache: NoCacheOption = False,
) -> None:
    """Every record that carries one trace or request id, across all services, in time order
    with clock skew corrected: which services the request went through and which one logged
    the first error. An id no record carries is an error that suggests failing requests."""
    from ..agent.roots import AllowedRoots
    from ..agent.tools.base import CallScope, scoped
    from ..agent.tools.trace import TraceInput, trace_request
    from ..agent.workspace import Workspace
    from ..options import build_parse_options

    if "-" in paths:
        raise SourceError("trace reads files (or source URIs), not standard input")
    options, only = build_parse_options(format, tz, year, date, service)
    if only:
        raise OptionError(
            f"--service {only[0]}: trace follows a request through every service; "
            "--service NAME=GLOB only names them"
        )
    workspace = Workspace(AllowedRoots.for_session(paths), options, store=index_store(no_cache))
    loaded = workspace.load(paths)
    warn(loaded.warnings)
    # --since/--until read as the tools read them: relative to the logs' end when they are older
    scope = CallScope(*workspace.span(), workspace.service_names())
    with scoped(scope):
        found = trace_request(
            workspace, TraceInput(id=trace_id, since=since, until=until, limit=limit)
        )
    for line in scope.notes:
        note(line)
    if json_output:
        sys.stdout.write(found.model_dump_json(exclude_none=True) + "\n")
        return
    sys.stdout.write("".join(f"{line}\n" for line in trace_lines(found)))


def trace_lines(found: TraceOutput) -> list[str]:
    """The header (id, services, first error), then one line per record: corrected time,
    service, level, file:line, the first line of the message."""
    records = found.records or []
    services = found.services or []
    duration = f" over {found.duration_seconds:g} s" if found.duration_seconds is not None else ""
    total = found.records_total or len(records)
    lines = [
        f"trace {found.id}: {total} records{duration} in {len(services)} services: "
        + " -> ".join(services),
        f"first error: {found.first_error or 'none'}",
    ]
    service_width = max((len(r.service) for r in records), default=0)
    for record in records:
        when = record.corrected or record.time
        stamp = _stamp(when) if when is not None else "-" * 24
        moved = " *" if record.corrected is not None else "  "
        first, _, rest = record.text.partition("\n")
        more = f" (+{rest.count(chr(10)) + 1} lines)" if rest else ""
        lines.append(
            f"{stamp}{moved} {record.service:<{service_width}} {(record.level or '-'):<8} "
            f"{record.at} {first}{more}"
        )
    if any(record.corrected is not None for record in records):
        lines.append("* time corrected for the clock skew of its service")
    if found.records_total is not None:
        lines.append(f"{len(records)} of {found.records_total} records shown (--limit)")
    return lines


def _stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
