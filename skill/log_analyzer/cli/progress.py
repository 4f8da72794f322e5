"""The progress bar: on stderr, for runs that take more than about a second, and only for a
person at a terminal (not when stdout goes to a pipe or a file, nor with `--quiet`)."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from ..analysis.progress import NoProgress, ProgressSink

if TYPE_CHECKING:  # rich is imported when a bar is drawn: a run in a pipe never loads it
    from collections.abc import Callable

    from rich.console import Console

DELAY_SECONDS = 1.0


class ProgressBar:
    """A `ProgressSink` drawing a rich bar, shown only once the run has lasted `delay`."""

    def __init__(self, console: Console, label: str, delay: float = DELAY_SECONDS) -> None:
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )

        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
        )
        self.task = self.progress.add_task(label, total=None)
        self.lock = threading.Lock()
        self.shown = False
        self.closed = False
        self.timer = threading.Timer(delay, self._show)
        self.timer.daemon = True
        self.timer.start()

    def _show(self) -> None:
        with self.lock:
            if not self.closed:
                self.progress.start()
                self.shown = True

    def start(self, total_bytes: int) -> None:
        self.progress.update(self.task, total=total_bytes or None)

    def advance(self, done_bytes: int) -> None:
        self.progress.advance(self.task, done_bytes)

    def close(self) -> None:
        self.timer.cancel()
        with self.lock:
            self.closed = True
            if self.shown:
                self.progress.stop()


@contextmanager
def progress_bar(console: Callable[[], Console], label: str, quiet: bool) -> Iterator[ProgressSink]:
    """A bar on the console `console()` gives, made only when one is to be drawn."""
    if quiet or not sys.stdout.isatty():
        yield NoProgress()
        return
    terminal = console()
    if not terminal.is_terminal:
        yield NoProgress()
        return
    bar = ProgressBar(terminal, label)
    try:
        yield bar
    finally:
        bar.close()
