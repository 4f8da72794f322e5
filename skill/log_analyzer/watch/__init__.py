"""Watching logs after a fix: is the error rate back to normal?

`monitor` follows files (as `tail -F` does), counts errors per bucket against the baseline
measured on their existing content, announces error groups the existing content did not hold,
and ends with a verdict: `settled` (exit status 0) or `elevated` (1).

Layers, in the order they import each other: `follow` (files to new lines), `stream` (lines to
records), `baseline` (the existing content), `verdict` (pure rules), `models`, `monitor` (the
loop), `view` (drawing).
"""

from .follow import Chunk, Follower, Notice
from .models import BucketReport, NewGroup, Progress, WatchBaseline, WatchResult, WatchStarted
from .monitor import monitor
from .verdict import exit_status, state_of, verdict_of

__all__ = [
    "BucketReport",
    "Chunk",
    "Follower",
    "NewGroup",
    "Notice",
    "Progress",
    "WatchBaseline",
    "WatchResult",
    "WatchStarted",
    "exit_status",
    "monitor",
    "state_of",
    "verdict_of",
]
