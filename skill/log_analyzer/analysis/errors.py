"""The `errors` analysis: from paths to error groups."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from ..filters import RecordFilter
from ..ingest import ParseOptions, Workspace, open_paths
from ..mining.groups import ErrorGroup, ErrorGrouper


@dataclass
class ErrorsResult:
    records: int  # records read inside the filters' window and services (any level)
    groups: list[ErrorGroup]
    workspace: Workspace


def find_error_groups(
    paths: Sequence[str],
    options: ParseOptions | None = None,
    min_level: str = "warning",
    keep: RecordFilter | None = None,
) -> ErrorsResult:
    """Group the records at `min_level` and above, inside `keep`'s window and services.

    Without a window or a service filter, records below `min_level` are only counted, never
    built: most of a log is info, and this is where the `errors` pipeline gains its speed.
    (A window needs each record's time, so then every record is parsed.)"""
    options = options or ParseOptions()
    narrowed = keep is not None and keep.narrows
    if not narrowed:
        options = replace(options, keep_level=min_level)
    workspace = open_paths(paths, options)
    grouper = ErrorGrouper(min_level=min_level)
    records = workspace.records()
    grouper.add_all(keep(records) if keep is not None and narrowed else records)
    counted = grouper.records if narrowed else sum(stats.records for stats in workspace.stats)
    return ErrorsResult(records=counted, groups=grouper.groups(), workspace=workspace)
