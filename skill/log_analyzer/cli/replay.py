"""A repeated command line answered before the CLI is loaded.

An agent runs `log-analyzer errors logs/` again and again while it reads, each time a new
process. The kept answer (`index.answers`) already spares the analysis; what remains is
starting the CLI: typer, click, the commands' modules, rich to print a table. This module
spares that too. When a command that prints one kept answer ends well, what it wrote on
stdout and stderr is kept with the answer's key, under a key made of the command line itself:
the arguments, the working directory, the package's code and the environment that shapes
reading or printing. The next run of the same line checks that the answer's key is still the
same (the same files, unchanged; the same code; the same format definitions) and writes what
was written, byte for byte, having imported little more than the index store.

Only runs that write to pipes or files (an agent, a script) are kept and replayed: on a
terminal the output depends on its width and a person does not notice 0.1 s. Nothing is kept
when the answer cannot be (standard input, remote sources, a window measured from now), when a
command writes elsewhere than stdout (`report -o`), reads a file the key does not cover
(`report --template`) or asks a model (`report --narrative`): those call `spoil`.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from ..index.store import IndexStore

REPLAY_VERSION = "2"  # 2: the writes of both streams, in order
# the commands whose whole output is one kept answer, rendered
REPLAYED_COMMANDS = frozenset({"errors", "sources", "investigate", "trend", "fixes", "report"})
# what shapes how rich and Python write, beside the LOG_ANALYZER_* settings
_OUTPUT_VARIABLES = frozenset(
    {
        "CLICOLOR",
        "CLICOLOR_FORCE",
        "COLUMNS",
        "FORCE_COLOR",
        "LINES",
        "NO_COLOR",
        "PYTHONIOENCODING",
        "TERM",
        "TTY_COMPATIBLE",
        "TTY_INTERACTIVE",
    }
)
# LOG_ANALYZER_* variables that change neither an answer nor how it is printed
_NOT_SETTINGS = frozenset({"LOG_ANALYZER_CACHE_DIR", "LOG_ANALYZER_CACHE_MAX_MB"})
# arguments after which a line is never replayed: help, no index, standard input
_NEVER = frozenset({"--help", "-h", "--no-cache", "-"})
MAX_KEPT_CHARACTERS = 4 << 20


def replay(argv: list[str]) -> bool:
    """Write what this command line wrote last time, when that still holds; False (having
    written nothing) when the line must run."""
    key = _line_key(argv)
    if key is None:
        return False
    from ..errors import LogAnalyzerError
    from ..index.store import IndexStore

    try:
        entry = IndexStore().load(key)
    except (LogAnalyzerError, OSError):
        return False
    if entry is None or not _is_kept_output(entry.payload):
        return False
    kept: dict[str, Any] = entry.payload  # type: ignore[assignment]
    for answer in kept["answers"]:
        if _key_now(answer) != answer["key"]:
            return False
    streams = (sys.stdout, sys.stderr)
    previous = 0
    for which, text in kept["writes"]:  # in their order: `2>&1` reads as the first time
        if which != previous:
            streams[previous].flush()
            previous = which
        streams[which].write(text)
    sys.stdout.flush()
    sys.stderr.flush()
    return True


class Recording:
    """What one run wrote, and the kept answers it printed."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.answers: list[dict[str, Any]] = []
        self.store: IndexStore | None = None
        self.spoiled = False
        self.streams = (sys.stdout, sys.stderr)
        self.writes: _Writes | None = None


_recording: Recording | None = None


def start(argv: list[str]) -> Recording | None:
    """Begin keeping what this run writes, when its line is one that may be replayed."""
    global _recording
    key = _line_key(argv)
    if key is None:
        return None
    recording = Recording(key)
    writes = _Writes()
    sys.stdout = _Copying(sys.stdout, 0, writes)
    sys.stderr = _Copying(sys.stderr, 1, writes)
    recording.writes = writes
    _recording = recording
    return recording


def answer_printed(
    store: IndexStore, command: str, settings: dict[str, Any], paths: list[str], key: str
) -> None:
    """Say that this run prints the answer kept under `key` (called where answers are kept).

    With it are kept the files the paths named and the state of every directory they walked
    (each entry's identity), taken before the files are found again: a repeat that finds
    every directory as it was checks the files alone, without finding them
    (`sources.discover` is not imported)."""
    if _recording is None:
        return
    from ..index.answers import answer_key_of_files, discovered_files

    try:
        directories = _directory_state(paths)
    except OSError:
        directories = None
    files = discovered_files(paths)
    if files is None or answer_key_of_files(command, settings, files) != key:
        _recording.spoiled = True  # changed under us: the next run keeps its own
        return
    _recording.store = store
    _recording.answers.append(
        {
            "command": command,
            "settings": settings,
            "paths": list(paths),
            "key": key,
            "files": files,
            "directories": directories,
        }
    )


def _directory_state(paths: list[str]) -> list[list[Any]] | None:
    """Each directory the paths name, and those under it that a walk enters (hidden ones are
    not), with what `os.stat` says of every entry in it: a walk skips files by their content
    (binary, a JSON document), so a file it skipped that changes may have to be read. None
    when a path is neither a file nor a directory (a glob: only finding the files tells)."""
    state: list[list[Any]] = []
    for path in paths:
        if os.path.isfile(path):
            continue
        if not os.path.isdir(path):
            return None
        for current, names, _ in os.walk(path, followlinks=False):
            names[:] = sorted(name for name in names if not name.startswith("."))
            state.append([current, _entries(current)])
    return state


def _entries(directory: str) -> list[list[Any]]:
    """[name, device, inode, size, modification and change times] of each entry."""
    found = []
    with os.scandir(directory) as entries:
        for entry in entries:
            try:
                info = entry.stat()  # through a link: what a walk reads
            except OSError:  # a dangling link: itself
                info = entry.stat(follow_symlinks=False)
            found.append(
                [
                    entry.name,
                    info.st_dev,
                    info.st_ino,
                    info.st_size,
                    info.st_mtime_ns,
                    info.st_ctime_ns,
                ]
            )
    return sorted(found)


def _key_now(answer: dict[str, Any]) -> str | None:
    """The key the recorded answer's command would have now: from the recorded files when
    no directory changed, else by finding the files again."""
    from ..index.answers import answer_key, answer_key_of_files
    from ..index.identity import file_identity

    directories = answer.get("directories")
    files = answer.get("files")
    if isinstance(directories, list) and isinstance(files, list):
        try:
            unchanged = all(_entries(path) == entries for path, entries in directories)
            if unchanged:
                now = [[display, path, file_identity(path)] for display, path, _ in files]
                return answer_key_of_files(answer["command"], answer["settings"], now)
        except (OSError, TypeError, ValueError):
            return None
    return answer_key(answer["command"], answer["settings"], answer["paths"])


def spoil() -> None:
    """This run does more than print a kept answer: its line is not to be replayed."""
    if _recording is not None:
        _recording.spoiled = True


def finish(recording: Recording | None, status: int) -> None:
    """Stop copying the streams; keep what was written when the run printed kept answers only
    and ended well."""
    global _recording
    if recording is None:
        return
    _recording = None
    sys.stdout, sys.stderr = recording.streams
    writes = recording.writes
    if (
        status != 0
        or recording.spoiled
        or not recording.answers
        or recording.store is None
        or writes is None
        or writes.unusable
    ):
        return
    from ..index.store import Entry

    payload = {"answers": recording.answers, "writes": writes.chunks}
    recording.store.save(recording.key, Entry(meta={"kind": "replay"}, payload=payload))


def _line_key(argv: list[str]) -> str | None:
    """The key of this command line's output, or None when it is not one to replay."""
    if not argv or argv[0] not in REPLAYED_COMMANDS or _NEVER.intersection(argv[1:]):
        return None
    environ = os.environ
    if environ.get("LOG_ANALYZER_NO_CACHE") or environ.get("LOG_ANALYZER_NO_ANSWERS"):
        return None
    if _is_terminal(sys.stdout) or _is_terminal(sys.stderr):
        return None
    import hashlib
    import json

    from ..index.answers import code_stamp

    variables = sorted(
        (name, value)
        for name, value in environ.items()
        if (name.startswith("LOG_ANALYZER_") and name not in _NOT_SETTINGS)
        or name in _OUTPUT_VARIABLES
    )
    streams = [(getattr(s, "encoding", None), getattr(s, "errors", None)) for s in _streams()]
    try:
        directory = os.getcwd()
    except OSError:
        return None
    text = json.dumps(
        [REPLAY_VERSION, code_stamp(), directory, argv, variables, streams], default=str
    )
    return "replay-" + hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _streams() -> tuple[TextIO, TextIO]:
    return sys.stdout, sys.stderr


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return True  # closed or odd: not a stream to reason about


def _is_kept_output(payload: object) -> bool:
    if not isinstance(payload, dict):
        return False
    answers = payload.get("answers")
    writes = payload.get("writes")
    return (
        isinstance(writes, list)
        and all(
            isinstance(w, list) and len(w) == 2 and w[0] in (0, 1) and isinstance(w[1], str)
            for w in writes
        )
        and isinstance(answers, list)
        and bool(answers)
        and all(
            isinstance(a, dict)
            and isinstance(a.get("command"), str)
            and isinstance(a.get("settings"), dict)
            and isinstance(a.get("paths"), list)
            and isinstance(a.get("key"), str)
            for a in answers
        )
    )


class _Writes:
    """What both streams wrote, in order: [[0 for stdout or 1 for stderr, text], ...]."""

    def __init__(self) -> None:
        self.chunks: list[list[Any]] = []
        self.size = 0
        self.unusable = False  # too much, or written around the copy

    def add(self, which: int, text: str) -> None:
        if self.unusable:
            return
        self.size += len(text)
        if self.size > MAX_KEPT_CHARACTERS:
            self.unusable = True
            self.chunks.clear()
        elif self.chunks and self.chunks[-1][0] == which:
            self.chunks[-1][1] += text
        else:
            self.chunks.append([which, text])


class _Copying:
    """A text stream that writes through to `stream` and keeps a copy of what it wrote. A
    writer that reaches around it (to the binary buffer) makes the copy unusable."""

    def __init__(self, stream: TextIO, which: int, writes: _Writes) -> None:
        self.stream = stream
        self.which = which
        self.writes = writes

    def write(self, text: str) -> int:
        written = self.stream.write(text)
        self.writes.add(self.which, text)
        return written

    def writelines(self, lines: list[str]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return self.stream.isatty()

    def fileno(self) -> int:
        return self.stream.fileno()

    @property
    def encoding(self) -> str:
        return self.stream.encoding

    @property
    def errors(self) -> str | None:
        return self.stream.errors

    def __getattr__(self, name: str) -> Any:
        if name == "buffer":
            self.writes.unusable = True
        return getattr(self.stream, name)
