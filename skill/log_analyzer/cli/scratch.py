"""A scratch directory that is removed however the command ends.

A command that writes large scratch files (`parse --jsonl`'s spool) must not leave them behind
when its reader goes away (`log-analyzer parse --jsonl big.log | head`: SIGPIPE, which the entry
point leaves to kill the process quietly) or when it is told to stop (SIGTERM). While the
directory exists, both are turned into exceptions; once it is removed, the process ends by the
same signal, as it would have without the directory.
"""

from __future__ import annotations

import os
import shutil
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
    removes it first, and the process then dies of that signal all the same. The signals are
    held back while the directory is made and while it is removed: neither is ever cut short
    by one."""
    caught: list[int] = []
    if threading.current_thread() is threading.main_thread():  # signals are set only there
        caught = [n for n in _ENDING if signal.getsignal(n) == signal.SIG_DFL]
    directory: str | None = None
    ended: int | None = None
    error: BaseException | None = None
    try:
        with _held_back(caught):
            for number in caught:
                signal.signal(number, signal.SIG_IGN if number == _PIPE else _raise_it)
                _CAUGHT.append(number)
            directory = tempfile.mkdtemp(prefix=prefix)
        yield directory
    except BrokenPipeError as broken:
        if _PIPE not in caught:
            raise
        ended, error = _PIPE, broken
    except _Signalled as signalled:
        ended, error = signalled.number, SystemExit(128 + signalled.number)
    finally:
        with _held_back(caught):
            if directory is not None:
                shutil.rmtree(directory, ignore_errors=True)
            _CAUGHT.clear()
            for number in caught:
                signal.signal(number, signal.SIG_DFL)
        # a SIGTERM held back meanwhile is delivered now, with its default action
    if ended is not None:
        os.kill(os.getpid(), ended)  # returns only when a parent blocked the signal
        assert error is not None
        raise error


@contextmanager
def _held_back(numbers: list[int]) -> Iterator[None]:
    """Signals `numbers` blocked in the block (delivered, if they came, when it ends)."""
    if not numbers or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, numbers)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


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
