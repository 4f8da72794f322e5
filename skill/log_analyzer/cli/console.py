"""Where the commands write: rich consoles on stdout and stderr, made on first use (importing
rich costs start-up time `--help` and `--version` do not need), and one-line messages."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from ..index import IndexReport


@cache
def stdout() -> Console:
    """Standard output. Not a terminal (an agent, a pipe): no wrapping, so rows stay one line
    each."""
    from rich.console import Console

    return Console(highlight=False, width=None if sys.stdout.isatty() else 250)


@cache
def stderr() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def say(text: str) -> None:
    """One line on stderr, as it is (no markup)."""
    stderr().print(text, markup=False)


def warn(messages: Iterable[str]) -> None:
    for message in messages:
        say(f"log-analyzer: warning: {message}")


def note(message: str) -> None:
    """What a person must know to read the output right (how a window was measured, why it
    is empty): on stderr, so that JSON on stdout stays whole."""
    say(f"log-analyzer: {message}")


def warn_index(report: IndexReport | None) -> None:
    """What this run met in the index (a damaged entry rebuilt): said once, never replayed."""
    if report is not None and report.warnings:
        from .replay import spoil

        warn(report.warnings)
        spoil()


def write_any_text() -> None:
    """Let stdout and stderr write text no encoding can: a JSON log may carry a lone surrogate
    (`"\\ud83d"`), which `json.loads` keeps and UTF-8 refuses. It is written as the escape
    `\\ud83d` (still valid JSON in `--jsonl`), never a failure of the whole command."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:  # a stream that cannot be reconfigured is left as it is
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="backslashreplace")
