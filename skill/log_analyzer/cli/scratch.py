"""A scratch directory that is removed however the command ends.

A command that writes large scratch files (`parse --jsonl`'s spool) must not leave them behind
when its reader goes away (`log-analyzer parse --jsonl big.log | head`: SIGPIPE, which the entry
point leaves to kill the process quietly) or when it is told to stop (SIGTERM). While the
directory exists, a closed pipe is turned into an exception, and SIGTERM removes the directory
in its handler and ends the process by that signal at once: an exception raised from a signal
handler is lost where the interpreter only prints it (in a `__del__`, a weakref callback), and
then the process went on and could block for ever on a pipe nobody reads. Either way the process
ends by the same signal, as it would have without the directory.
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
                signal.signal(number, signal.SIG_IGN if number == _PIPE else _end_now)
                _CAUGHT.append(number)
            directory = tempfile.mkdtemp(prefix=prefix)
            _DIRECTORIES.append(directory)
        yield directory
    except BrokenPipeError as broken:
        if _PIPE not in caught:
            raise
        ended, error = _PIPE, broken
    finally:
        with _held_back(caught):
            if directory is not None:
                shutil.rmtree(directory, ignore_errors=True)
                _DIRECTORIES.remove(directory)
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


def _end_now(number: int, frame: FrameType | None) -> None:
    """SIGTERM while a scratch directory exists: remove it, then die of the signal."""
    for directory in _DIRECTORIES:
        shutil.rmtree(directory, ignore_errors=True)
    signal.signal(number, signal.SIG_DFL)
    os.kill(os.getpid(), number)


_PIPE: int | None = getattr(signal, "SIGPIPE", None)
_ENDING = [number for number in (_PIPE, signal.SIGTERM) if number is not None]
_CAUGHT: list[int] = []  # the signals caught now, given back their default in a forked child
_DIRECTORIES: list[str] = []  # the scratch directories that exist now


def _default_in_child() -> None:
    """A worker forked while the directory exists dies of these signals as before."""
    for number in _CAUGHT:
        signal.signal(number, signal.SIG_DFL)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_default_in_child)
