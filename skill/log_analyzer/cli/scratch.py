"""A scratch directory that is removed however the command ends.

A command that writes large scratch files (`parse --jsonl`'s spool) must not leave them behind
when its reader goes away (`log-analyzer parse --jsonl big.log | head`: SIGPIPE, which the entry
point leaves to kill the process quietly) or when it is told to stop (SIGTERM). While the
directory exists, both are turned into exceptions; once it is removed, the process ends by the
same signal, as it would have without the directory.
"""

from __future__ import annotations

import os
import signal
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class _Signalled(BaseException):
    """A signal that ends the process, held until the scratch directory is removed."""

    def __init__(self, number: int) -> None:
        super().__init__(number)
        self.number = number


@contextmanager
def scratch_directory(prefix: str) -> Iterator[str]:
    """A new empty directory, removed with everything in it when the block ends. A closed
    output pipe or SIGTERM that would kill the process as it stands (their default action)
    removes it first, and the process then dies of that signal all the same."""
    caught: list[int] = []
    if threading.current_thread() is threading.main_thread():  # signals are set only there
        caught = [n for n in _ENDING if signal.getsignal(n) == signal.SIG_DFL]
    try:
        for number in caught:
            signal.signal(number, signal.SIG_IGN if number == _PIPE else _raise_it)
            _CAUGHT.append(number)
        with tempfile.TemporaryDirectory(prefix=prefix) as directory:
            yield directory
    except BrokenPipeError:
        if _PIPE in caught:
            _die_of(_PIPE, caught)
        raise  # SIGPIPE is blocked or handled: the error goes on as it would have
    except _Signalled as signalled:
        _die_of(signalled.number, caught)
        raise SystemExit(128 + signalled.number) from None
    finally:
        _restore(caught)


def _die_of(number: int, caught: list[int]) -> None:
    """End the process by signal `number` with its default action; returns only when the
    signal is blocked (a parent may have blocked it for its children)."""
    _restore(caught)
    os.kill(os.getpid(), number)


def _restore(caught: list[int]) -> None:
    _CAUGHT.clear()
    for number in caught:
        signal.signal(number, signal.SIG_DFL)


def _raise_it(number: int, frame: FrameType | None) -> None:
    raise _Signalled(number)


_PIPE: int | None = getattr(signal, "SIGPIPE", None)
_ENDING = [number for number in (_PIPE, signal.SIGTERM) if number is not None]
_CAUGHT: list[int] = []  # the signals caught now, given back their default in a forked child


def _default_in_child() -> None:
    """A worker forked while the directory exists dies of these signals as before."""
    for number in _CAUGHT:
        signal.signal(number, signal.SIG_DFL)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_default_in_child)
