"""The `errors` analysis: from paths to error groups."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property, partial
from importlib import import_module
from typing import TYPE_CHECKING, Any

from ..filters import RecordFilter
from ..index import Analysis, IndexReport, IndexStore, run_analysis
from ..ingest import OpenedSources, ParseOptions, SourceParser, SourceStats, merge_stats, open_paths
from ..mining import MINING_VERSION
from ..mining.groups import ErrorGrouper, GrouperPartial
from ..remote import QueryScope, RemoteSource, is_remote, open_remote, remote_window
from ..sources.discover import Source
from .parallel import Part, worker_count
from .progress import ProgressSink

if TYPE_CHECKING:  # the models (pydantic) are imported only when groups are asked for
    from ..mining.group_models import ErrorGroup


@dataclass
class ErrorsResult:
    records: int  # records read inside the filters' window and services (any level)
    grouper: ErrorGrouper
    workspace: OpenedSources
    index: IndexReport | None = None  # what came from the on-disk index, when one was used

    @cached_property
    def groups(self) -> list[ErrorGroup]:
        """The error groups, largest first."""
        return self.grouper.groups()

    def group_rows(self) -> list[dict[str, Any]]:
        """The groups as `errors --json` writes them, made without pydantic."""
        return self.grouper.group_rows()


def find_error_groups(
    paths: Sequence[str],
    options: ParseOptions | None = None,
    min_level: str = "warning",
    keep: RecordFilter | None = None,
    workers: int | None = None,
    store: IndexStore | None = None,
    progress: ProgressSink | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> ErrorsResult:
    """Group the records at `min_level` and above, inside `keep`'s window and services.
    `meanwhile` runs while worker processes parse, when they do (`run_parts`).

    Without a window or a service filter, records below `min_level` are only counted, never
    built: most of a log is info, and this is where the `errors` pipeline gains its speed.
    (A window needs each record's time, so then every record is parsed.) With several cores
    and enough data, parts of the input are grouped in worker processes and merged, with the
    same result as one pass (`analysis.parallel`)."""
    options = options or ParseOptions()
    narrowed = keep is not None and keep.narrows
    if not narrowed:
        options = replace(options, keep_level=min_level)
    local = [p for p in paths if not is_remote(p)]
    remotes = [open_remote(p) for p in paths if is_remote(p)]
    workspace = (
        open_paths(local, options) if local or not remotes else OpenedSources([], options, [])
    )
    grouper = ErrorGrouper(min_level=min_level)
    # A window or a service filter is not what the index keeps: such a run reads every file,
    # in parts as the indexed run does (`run_analysis` with no store), and keeps nothing.
    analysis = Analysis(
        "errors",
        f"min_level={min_level};mining={MINING_VERSION}",
        partial(_group_planned_part, min_level=min_level, keep=keep if narrowed else None),
        _merge_results,
        _stats_of,
        _merge_all,
    )
    indexed = None if narrowed else store
    partials, report = run_analysis(
        workspace, analysis, worker_count(workers), indexed, progress, meanwhile
    )
    index = report if indexed is not None else None
    stats: dict[Source, list[SourceStats]] = {}
    for part_partial, part_stats in partials:
        grouper.merge(part_partial)
        stats.setdefault(part_stats.source, []).append(part_stats)
    for parser in workspace.parsers:
        parser.stats = merge_stats(stats.get(parser.source, [parser.stats]))
    counted = grouper.records if narrowed else sum(s.records for s in workspace.stats)
    for remote in remotes:  # after the files, in the order given
        part_partial, part_stats = _group_remote(remote, remote_window(keep), min_level)
        grouper.merge(part_partial)
        counted += part_stats.records
    return ErrorsResult(records=counted, grouper=grouper, workspace=workspace, index=index)


def _group_remote(remote: RemoteSource, window: QueryScope, min_level: str) -> PartResult:
    """A remote engine's groups: it counts every record and sends those at `min_level`."""
    stats = SourceStats(Source(remote.display, None), format="otel")
    stats.records = sum(row.records for row in remote.rates(window, 3600))
    grouper = ErrorGrouper(min_level=min_level)
    grouper.add_all(remote.records(window, min_level))
    return grouper.partial(), stats


PartResult = tuple[GrouperPartial, SourceStats]


def import_group_models() -> None:
    """The groups' models (pydantic: about 0.1 s), for a caller that will want them, to import
    while workers parse (`meanwhile`)."""
    import_module("log_analyzer.mining.group_models")


def _merge_results(first: PartResult, second: PartResult) -> PartResult:
    """Two consecutive parts of one file as one (the index keeps a file's prefix so)."""
    grouper = ErrorGrouper()
    grouper.merge(first[0])
    grouper.merge(second[0])
    return grouper.partial(), merge_stats([first[1], second[1]])


def _merge_all(results: list[PartResult]) -> PartResult:
    """Consecutive parts of one file as one, merged at once."""
    grouper = ErrorGrouper()
    for part_partial, _ in results:
        grouper.merge(part_partial)
    return grouper.partial(), merge_stats([stats for _, stats in results])


def _stats_of(result: PartResult) -> SourceStats:
    return result[1]


def _group_part(
    parser: SourceParser, min_level: str, keep: RecordFilter | None
) -> tuple[GrouperPartial, SourceStats]:
    grouper = ErrorGrouper(min_level=min_level)
    records = iter(parser)
    grouper.add_all(keep(records) if keep is not None else records)
    return grouper.partial(), parser.stats


def _group_planned_part(
    part: Part, min_level: str, keep: RecordFilter | None
) -> tuple[GrouperPartial, SourceStats]:
    return _group_part(part.parser(), min_level, keep)
