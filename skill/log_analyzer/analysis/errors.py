"""The `errors` analysis: from paths to error groups.

A record that states no level is grouped at the level its words imply (`inferred_levels`), as
the investigation groups it: every such record of a source that states no levels (an Oracle
alert log, Go's standard `log`), only the strong ones (wording only a failure produces) of a
source that does. Whether a source states levels is known once all of it is read, so the
inferred groups of each part are held apart, by strength, and settled per source at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cached_property, partial
from importlib import import_module
from typing import TYPE_CHECKING, Any

from ..filters import RecordFilter
from ..index import Analysis, IndexReport, IndexStore, run_analysis
from ..inferred_levels import inferred, states_levels
from ..ingest import OpenedSources, ParseOptions, SourceParser, SourceStats, merge_stats, open_paths
from ..levels import RANK
from ..mining import MINING_VERSION
from ..mining.groups import ErrorGrouper, GrouperPartial
from ..mining.requests import request_level
from ..records import Record
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
        f"min_level={min_level};mining={MINING_VERSION};inferred=1",
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
    implied: dict[Source, list[Inferred]] = {}
    for part_partial, part_stats, part_inferred in partials:
        grouper.merge(part_partial)
        stats.setdefault(part_stats.source, []).append(part_stats)
        implied.setdefault(part_stats.source, []).append(part_inferred)
    for parser in workspace.parsers:
        parser.stats = merge_stats(stats.get(parser.source, [parser.stats]))
        _settle(grouper, parser.stats, implied.get(parser.source, []))
    counted = grouper.records if narrowed else sum(s.records for s in workspace.stats)
    for remote in remotes:  # after the files, in the order given
        part_partial, part_stats, _ = _group_remote(remote, remote_window(keep), min_level)
        grouper.merge(part_partial)
        counted += part_stats.records
    return ErrorsResult(records=counted, grouper=grouper, workspace=workspace, index=index)


def _group_remote(remote: RemoteSource, window: QueryScope, min_level: str) -> PartResult:
    """A remote engine's groups: it counts every record and sends those at `min_level`."""
    stats = SourceStats(Source(remote.display, None), format="otel")
    stats.records = sum(row.records for row in remote.rates(window, 3600))
    grouper = ErrorGrouper(min_level=min_level)
    grouper.add_all(remote.records(window, min_level))
    return grouper.partial(), stats, {}


# the groups of the records whose level was inferred, by strength (`inferred_levels.inferred`)
Inferred = dict[bool, GrouperPartial]
PartResult = tuple[GrouperPartial, SourceStats, Inferred]


def _settle(grouper: ErrorGrouper, stats: SourceStats, parts: list[Inferred]) -> None:
    """Fold a source's inferred groups into `grouper`: all of them when the source states no
    levels, the strong ones when it does (as `collect.settle_inferred` does)."""
    unstated = sum(number for (_, level), number in stats.tally.items() if level is None)
    stated = sum(stats.tally.values()) - unstated
    weak_too = not states_levels(stated, unstated)
    for part in parts:
        for strong, held in part.items():
            if strong or weak_too:
                grouper.merge(held)


def import_group_models() -> None:
    """The groups' models (pydantic: about 0.1 s), for a caller that will want them, to import
    while workers parse (`meanwhile`)."""
    import_module("log_analyzer.mining.group_models")


def _merge_results(first: PartResult, second: PartResult) -> PartResult:
    """Two consecutive parts of one file as one (the index keeps a file's prefix so)."""
    return _merge_all([first, second])


def _merge_all(results: list[PartResult]) -> PartResult:
    """Consecutive parts of one file as one, merged at once."""
    grouper = ErrorGrouper()
    implied: dict[bool, ErrorGrouper] = {}
    for part_partial, _, part_inferred in results:
        grouper.merge(part_partial)
        for strong, held in part_inferred.items():
            implied.setdefault(strong, ErrorGrouper()).merge(held)
    return (
        grouper.partial(),
        merge_stats([stats for _, stats, _ in results]),
        {strong: together.partial() for strong, together in implied.items()},
    )


def _stats_of(result: PartResult) -> SourceStats:
    return result[1]


def _group_part(parser: SourceParser, min_level: str, keep: RecordFilter | None) -> PartResult:
    grouper = ErrorGrouper(min_level=min_level)
    implied: dict[bool, ErrorGrouper] = {}
    records = iter(parser)
    kept = keep(records) if keep is not None else records
    grouper.add_all(_inferring(kept, min_level, implied))
    return (
        grouper.partial(),
        parser.stats,
        {strong: held.partial() for strong, held in implied.items()},
    )


def _inferring(
    records: Iterable[Record], min_level: str, implied: dict[bool, ErrorGrouper]
) -> Iterator[Record]:
    """`records` as they are; each that states no level (nor a request's status) and whose
    words imply one at `min_level` or above is also grouped at that level in `implied`, by
    the strength of the wording."""
    minimum = RANK[min_level]
    for record in records:
        if record.level is None and request_level(record) is None:
            found = inferred(record.message)
            if found is not None and RANK[found[0]] >= minimum:
                held = implied.get(found[1])
                if held is None:
                    held = implied[found[1]] = ErrorGrouper(min_level=min_level)
                held.add(
                    Record(
                        record.file,
                        record.line,
                        record.end_line,
                        record.timestamp,
                        found[0],
                        record.service,
                        record.format,
                        record.message,
                        record.fields,
                    )
                )
        yield record


def _group_planned_part(part: Part, min_level: str, keep: RecordFilter | None) -> PartResult:
    return _group_part(part.parser(), min_level, keep)
