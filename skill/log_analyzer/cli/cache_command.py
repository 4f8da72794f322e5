"""`log-analyzer cache info|clear`: where the on-disk index lives, how big it is, and a way
to empty it."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import Annotated

import typer

from ..errors import OptionError
from .console import stdout
from .options import JsonOption, command


def register(app: typer.Typer) -> None:
    command(app, cache)


def cache(
    action: Annotated[
        str, typer.Argument(metavar="ACTION", help="info (default) or clear.")
    ] = "info",
    json_output: JsonOption = False,
) -> None:
    """The on-disk index of parsed logs: `info` shows where it is and its size, `clear`
    empties it. Set LOG_ANALYZER_CACHE_DIR to move it, LOG_ANALYZER_CACHE_MAX_MB to cap it
    (least recently used entries go first), --no-cache on a command to bypass it."""
    from ..index import IndexStore

    store = IndexStore()
    if action == "clear":
        removed = store.clear()
        stdout().print(f"removed {removed} index entries from {store.directory}", markup=False)
        return
    if action != "info":
        raise OptionError(f"cache {action!r}: expected info or clear")
    entries = store.entries()
    total = sum(size for _, size, _ in entries)
    info = {
        "directory": str(store.directory),
        "entries": len(entries),
        "bytes": total,
        "cap_bytes": store.cap_bytes,
        "oldest_use": _when(entries[0][2]) if entries else None,
        "newest_use": _when(entries[-1][2]) if entries else None,
    }
    if json_output:
        import json

        sys.stdout.write(json.dumps(info) + "\n")
        return
    stdout().print(
        f"{info['directory']}: {len(entries)} entries, {total / (1 << 20):.1f} MiB of "
        f"{store.cap_bytes / (1 << 20):.0f} MiB"
        + (f", last used {info['newest_use']}" if entries else ""),
        markup=False,
    )


def _when(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
