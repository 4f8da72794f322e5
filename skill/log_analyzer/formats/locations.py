"""Where format definitions live, and a cheap digest of them: the built-in families beside
this module, and a user's own directories. Imports nothing of the parsers, so that a command
answered from the index (`index/answers.py`) can tell whether the definitions changed."""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

FAMILIES_DIR = Path(__file__).with_name("families")  # one TOML file per family


def user_directories() -> list[Path]:
    """Where a user's own format files are looked for: the directories of
    `$LOG_ANALYZER_FORMATS` (separated by the path separator), else
    `$XDG_CONFIG_HOME/log-analyzer/formats/` (`~/.config/...`)."""
    listed = os.environ.get("LOG_ANALYZER_FORMATS")
    if listed is not None:
        return [Path(part).expanduser() for part in listed.split(os.pathsep) if part]
    config = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return [Path(config) / "log-analyzer" / "formats"]


def user_files() -> list[Path]:
    """The user's definition files, each directory in name order."""
    found: list[Path] = []
    for directory in user_directories():
        if directory.is_dir():
            found.extend(sorted(directory.glob("*.toml")))
    return found


@functools.cache
def fingerprint() -> str:
    """A digest of every definition file's name, size and change time: part of the on-disk
    index's keys, so that records parsed under other definitions are never served. Costs a
    `stat` per file, no read."""
    digest = hashlib.blake2b(digest_size=8)
    for path in [*sorted(FAMILIES_DIR.glob("*.toml")), *user_files()]:
        try:
            stat = path.stat()
        except OSError:
            continue
        digest.update(f"{path}\x00{stat.st_size}\x00{stat.st_mtime_ns}\x00".encode())
    return digest.hexdigest()
