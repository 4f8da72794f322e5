"""The on-disk index: analyses kept between runs, reused when files are unchanged and updated
with only what was appended."""

from .incremental import Analysis, IndexReport, run_analysis
from .store import IndexStore

__all__ = ["Analysis", "IndexReport", "IndexStore", "run_analysis"]
