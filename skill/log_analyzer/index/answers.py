"""Instant repeats: a command's whole answer, kept while its files are unchanged.

An agent asks `errors logs/` again after reading a few lines, in a new process each time. The
per-file index already spares the parsing; this spares the rest (importing the analysis,
reading the summaries back, merging them), so a repeat costs little more than starting
Python. The answer is plain data (what `--json` prints, and the warnings), stored as a signed
entry of the index store under a key made of:

- the command and every setting that shapes its answer;
- the code in force: the name, size and change time of every file of the package (a new
  version, or an edited source tree, never reads an older answer);
- the format definitions in force, the user's included (`formats.definitions.fingerprint`);
- the identity of every file the arguments name (`index.identity`), in order;
- the `LOG_ANALYZER_*` variables that shape reading (a decompression ratio, a formats path).

Nothing is kept for standard input, FIFOs, remote sources, or settings that depend on the
clock (`--since 30m`, `--tz local`): the caller passes `None` for those.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import IndexStoreError, LogAnalyzerError
from .identity import file_identity
from .store import Entry, IndexStore

ANSWER_VERSION = "1"
# variables that say where answers live or how to show them, not what they are
_NOT_SETTINGS = frozenset(
    {"LOG_ANALYZER_CACHE_DIR", "LOG_ANALYZER_CACHE_MAX_MB", "LOG_ANALYZER_DEBUG"}
)
_PACKAGE = Path(__file__).resolve().parents[1]


@functools.cache
def code_stamp() -> str:
    """A digest of the package's files (names, sizes, change times): one `stat` each."""
    digest = hashlib.blake2b(digest_size=8)
    stack = [str(_PACKAGE)]
    while stack:
        directory = stack.pop()
        with os.scandir(directory) as entries:
            for entry in sorted(entries, key=lambda found: found.name):
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != "__pycache__":
                        stack.append(entry.path)
                elif entry.name.endswith((".py", ".toml", ".j2", ".json", ".md")):
                    stat = entry.stat(follow_symlinks=False)
                    digest.update(f"{entry.path}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    return digest.hexdigest()


def answer_key(command: str, settings: Mapping[str, Any], paths: Sequence[str]) -> str | None:
    """The key of this command's answer on these paths, or None when it cannot be kept (a
    stream, a remote source, a path that cannot be read: the command then runs, and reports
    any problem itself)."""
    files = discovered_files(paths)
    return None if files is None else answer_key_of_files(command, settings, files)


def discovered_files(paths: Sequence[str]) -> list[list[Any]] | None:
    """[display, path, identity] of every file the paths name, in order; None when one is a
    stream or a remote source, or cannot be read."""
    from ..sources.discover import discover

    if any(path == "-" or "://" in path for path in paths):
        return None
    try:
        found = discover(paths)
        files = []
        for source in found.sources:
            if source.path is None:
                return None
            files.append([source.display, str(source.path), file_identity(str(source.path))])
    except (LogAnalyzerError, OSError):
        return None
    return files


def answer_key_of_files(
    command: str, settings: Mapping[str, Any], files: Sequence[Sequence[Any]]
) -> str:
    """The key of this command's answer on these files (`discovered_files`)."""
    from ..formats.locations import fingerprint

    # settings given by the environment (`LOG_ANALYZER_MAX_RATIO`, `LOG_ANALYZER_FORMATS`...)
    environment = sorted(
        (name, value)
        for name, value in os.environ.items()
        if name.startswith("LOG_ANALYZER_") and name not in _NOT_SETTINGS
    )
    text = json.dumps(
        [
            ANSWER_VERSION,
            command,
            code_stamp(),
            fingerprint(),
            dict(settings),
            environment,
            [list(file) for file in files],
        ],
        sort_keys=True,
        default=str,
    )
    return "answer-" + hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def load_answer(store: IndexStore, key: str) -> dict[str, Any] | None:
    """The answer kept under `key`, or None (none, or one that cannot be trusted: removed)."""
    try:
        entry = store.load(key)
    except IndexStoreError:
        return None
    if entry is None or not isinstance(entry.payload, dict):
        return None
    return entry.payload


def save_answer(store: IndexStore, key: str, answer: dict[str, Any]) -> None:
    store.save(key, Entry(meta={"kind": "answer"}, payload=answer))
