"""The on-disk index: analyses kept between runs, reused when files are unchanged and updated
with only what was appended.

The names are loaded on first use: a command that only reads a kept answer (`answers.py`) or
opens the store needs neither the analyses nor the parsers behind `incremental`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .incremental import Analysis, IndexReport, run_analysis
    from .store import IndexStore

__all__ = ["Analysis", "IndexReport", "IndexStore", "run_analysis"]


def __getattr__(name: str) -> Any:
    if name == "IndexStore":
        from .store import IndexStore

        return IndexStore
    if name in ("Analysis", "IndexReport", "run_analysis"):
        from . import incremental

        return getattr(incremental, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
