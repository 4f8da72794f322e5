"""The console entry point, kept apart from the app so that a repeated command line is answered
(`cli.replay`) before typer, click and the commands are imported."""

from __future__ import annotations

import os
import signal
import sys
from typing import NoReturn

from .console import write_any_text
from .replay import replay


def main() -> None:
    """Console entry point. Quiet on a closed pipe (`log-analyzer parse ... | head`)."""
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    argv = sys.argv[1:]
    write_any_text()
    if replay(argv):
        _leave(0)
    from .app import run

    _leave(run(argv))


def _leave(status: int) -> NoReturn:
    """End the process without tearing the interpreter down. After an analysis the heap holds
    millions of objects, and freeing them one by one takes tens of milliseconds that nobody
    waits for. Nothing needs that teardown: the streams are flushed here, every file is closed
    where it is used, worker processes are joined and the index is written before `run`
    returns. `atexit` handlers still run."""
    import atexit

    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader went away (`| head`)
        status = status or 1
    except (OSError, ValueError):
        status = status or 1
    os._exit(status)


if __name__ == "__main__":
    main()
