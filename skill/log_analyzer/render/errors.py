"""The `errors` view: one row per error group."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel
from rich.table import Table
from rich.text import Text

from ..mining.group_models import ErrorGroup
from .human import common_root, shorten, where

PLACE_WIDTH = 40  # a `file:line` longer than this loses its leading folders (`…/`)

_LEVEL_STYLE = {"warning": "yellow", "error": "red", "critical": "bold red", "fatal": "bold red"}


class ErrorsReport(BaseModel):
    """`errors --json`: the number of records read and the groups, largest first."""

    records: int
    groups: list[ErrorGroup]


def _when(value: datetime | None) -> str:
    return value.strftime("%m-%d %H:%M:%S") if value else "-"


def errors_table(groups: Sequence[ErrorGroup], total: int) -> Table:
    """One row per group; each example as `file:line` relative to the folder the examples
    share (said in the title), the line number never cut."""
    root = common_root(g.example.file for g in groups)
    examples = [shorten(where(g.example.file, g.example.line, root), PLACE_WIDTH) for g in groups]
    table = Table(
        header_style="bold",
        pad_edge=False,
        title=f"files under {root}" if root else None,
        title_justify="left",
        caption=f"{len(groups)} shown of {total} error groups" if total > len(groups) else None,
    )
    table.add_column("count", justify="right")
    table.add_column("error")
    table.add_column("service")
    table.add_column("level")
    table.add_column("first seen")
    table.add_column("last seen")
    table.add_column("example", no_wrap=True, min_width=max(map(len, examples), default=7))
    table.add_column("id", no_wrap=True)
    for group, example in zip(groups, examples, strict=True):
        table.add_row(
            f"{group.count:,}",
            Text(group.label),
            group.service,
            Text(group.level, style=_LEVEL_STYLE.get(group.level, "")),
            _when(group.first_seen),
            _when(group.last_seen),
            Text(example),
            group.id,
        )
    return table
