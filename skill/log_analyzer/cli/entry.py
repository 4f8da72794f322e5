"""The console entry point, kept apart from the app so that a repeated command line is answered
(`cli.replay`) before typer, click and the commands are imported."""

from __future__ import annotations

import signal
import sys

from .console import write_any_text
from .replay import replay


def main() -> None:
    """Console entry point. Quiet on a closed pipe (`log-analyzer parse ... | head`)."""
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    argv = sys.argv[1:]
    write_any_text()
    if replay(argv):
        sys.exit(0)
    from .app import run

    sys.exit(run(argv))


if __name__ == "__main__":
    main()
