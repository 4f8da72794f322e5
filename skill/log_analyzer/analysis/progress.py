"""How far a long analysis has got, for a progress bar: bytes of input done out of the total.

The analyses call `start` once they know what they will read, then `advance` as each part
(a file, or a range of one) is done, in this process or in a worker. The CLI draws the bar;
the library never prints.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Protocol

from ..sources.discover import Source


class ProgressSink(Protocol):
    def start(self, total_bytes: int) -> None: ...

    def advance(self, done_bytes: int) -> None: ...


class NoProgress:
    def start(self, total_bytes: int) -> None:
        pass

    def advance(self, done_bytes: int) -> None:
        pass


def size_of(source: Source) -> int:
    """Bytes a source holds on disk (0 for stdin: its size is not known ahead)."""
    if source.path is None:
        return 0
    try:
        return os.path.getsize(source.path)
    except OSError:
        return 0


def total_of(sources: Iterable[Source]) -> int:
    return sum(size_of(source) for source in sources)
