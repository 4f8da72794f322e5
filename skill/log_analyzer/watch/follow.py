"""Following files as `tail -F` does, by polling: appends, rotation, truncation, new files.

Polling (a `stat` and a `read` per file per poll) rather than inotify: it needs nothing beyond
the standard library, works on every platform and on network mounts, and a watch polls twice a
second at most. What each case looks like on disk, and what the follower does:

- append: the size grows; the new bytes are read from where the last read stopped;
- rotation (the file renamed, a new one created at its path): the path names another inode.
  The old file is kept open and read until it has been quiet for a few polls (a writer may
  still be finishing its last lines in it), then the new file is read from its start;
- truncation (`copytruncate`, `> app.log`): the size shrank below what was read; reading
  starts again at byte 0, line 1;
- a new file in a watched directory (or matching a watched glob) is read from its start;
  rotated copies of a followed file (`app.log.1`, `app.log-20261128`, `.gz`) are not new logs
  and are left alone.

Only complete lines are returned: the bytes after the last newline wait for the rest of their
line. Every line comes with its file and its line number, so findings keep their `file:line`.
"""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import count
from stat import S_ISREG
from typing import BinaryIO

from ..sources.discover import rotation_key
from ..sources.reader import compression_of, looks_binary

CHUNK_BYTES = 1 << 20
MAX_BYTES_PER_POLL = 8 << 20  # per file: a burst is read over several polls, memory stays flat
MAX_LINE_BYTES = 1 << 20  # longer lines are cut (as `LineReader` does), the rest skipped
DRAIN_QUIET_POLLS = 3  # polls without new bytes before a rotated-away file is closed
_SKIPPED_SUFFIXES = frozenset(
    {".pyc", ".so", ".o", ".png", ".jpg", ".zip", ".tar", ".db", ".pid", ".lock", ".sock"}
)
_GLOB_CHARS = re.compile(r"[*?\[]")
_file_ids = count(1)


@dataclass
class Chunk:
    """New complete lines of one file, numbered from `first_line`.

    `path` is the path followed (the live name: a format or a service belongs to it); `display`
    is where the lines are, for `file:line` (the rotated name for the last lines of a
    rotated-away file); `file_id` names one opened file: line numbers, and a record still
    in progress, belong to it and restart with a new one."""

    path: str
    display: str
    file_id: int
    first_line: int
    lines: list[str]
    root: str | None = None  # the watched directory the file was found in


@dataclass
class Notice:
    """Something that happened to a followed file: `rotated`, `truncated`, `appeared` (a new
    file), `removed` (gone, with nothing at its path yet)."""

    path: str
    kind: str
    detail: str = ""

    def describe(self) -> str:
        if self.kind == "rotated":
            return f"{self.path}: rotated (the old file is now {self.detail})"
        if self.kind == "removed":
            return f"{self.path}: removed; its lines until then are read"
        if self.kind == "truncated":
            return f"{self.path}: truncated; read again from its start"
        return f"{self.path}: new file; followed from its start"


@dataclass
class StartPoint:
    """Where following a file began: its existing content is bytes [0, offset), lines
    1..first_line-1 (for reading a baseline from exactly what the follower will not read)."""

    path: str
    offset: int
    first_line: int


class _OpenFile:
    """One opened file (one inode): what was read of it, and the line not yet complete."""

    def __init__(self, path: str) -> None:
        self.handle: BinaryIO = open(path, "rb", buffering=0)  # noqa: SIM115 - closed by close()
        stat = os.fstat(self.handle.fileno())
        self.key = (stat.st_dev, stat.st_ino)
        self.display = path
        self.file_id = next(_file_ids)
        self.offset = 0
        self.line = 1
        self.partial = b""
        self.skipping = False  # inside the rest of an over-long line
        self.quiet_polls = 0
        self.compressed = compression_of(self.handle.read(8)) is not None
        self.handle.seek(0)

    def skip_to_last_line(self) -> None:
        """Start after the existing content: at the start of the line in progress at the end
        (the end itself when the file ends with a newline), lines before it counted."""
        offset, self.line = _line_start_before(self.handle)
        self.offset = offset
        self.handle.seek(offset)

    def restart(self) -> None:
        """The file was truncated: read it again from its start, as a new file."""
        self.handle.seek(0)
        self.offset = 0
        self.line = 1
        self.partial = b""
        self.skipping = False
        self.file_id = next(_file_ids)

    def read(self, budget: int = MAX_BYTES_PER_POLL) -> list[str]:
        """The complete lines written since the last read (at most about `budget` bytes)."""
        lines: list[str] = []
        while budget > 0:
            data = self.handle.read(min(CHUNK_BYTES, budget))
            if not data:
                break
            budget -= len(data)
            self.offset += len(data)
            if self.skipping:
                newline = data.find(b"\n")
                if newline < 0:
                    continue
                data = data[newline + 1 :]
                self.skipping = False
            data = self.partial + data if self.partial else data
            cut = data.rfind(b"\n")
            if cut < 0:
                self.partial = data
            else:
                self.partial = data[cut + 1 :]
                lines.extend(_decode(data[:cut]).split("\n"))
            if len(self.partial) > MAX_LINE_BYTES:
                lines.append(_decode(self.partial[:MAX_LINE_BYTES]))
                self.partial = b""
                self.skipping = True
        return [line[:-1] if line.endswith("\r") else line for line in lines]

    def rest(self) -> list[str]:
        """A last line without its newline, when the file is done (closed after rotation)."""
        tail, self.partial = self.partial, b""
        return [_decode(tail).rstrip("\r")] if tail.strip() else []

    def chunk(self, path: str, lines: list[str], root: str | None) -> Chunk:
        chunk = Chunk(path, self.display, self.file_id, self.line, lines, root)
        self.line += len(lines)
        return chunk

    def close(self) -> None:
        self.handle.close()


def _decode(data: bytes) -> str:
    return data.decode("utf-8", "replace")


@dataclass
class _Followed:
    """A path followed: the file open at it now, and rotated-away files still being read."""

    path: str
    root: str | None
    current: _OpenFile | None = None
    draining: list[_OpenFile] = field(default_factory=list)


class Follower:
    """`tail -F` over files, directories (recursively) and globs. Call `poll()` repeatedly.

    Files present at construction are followed from their end (`from_start=True`: from their
    beginning); files that appear later are read from their beginning."""

    def __init__(self, paths: Sequence[str], from_start: bool = False) -> None:
        self._followed: dict[str, _Followed] = {}
        self._directories: list[str] = []
        self._globs: list[str] = []
        self._ignored: set[tuple[str, int]] = set()  # (path, inode) found not to be a live log
        self.starts: list[StartPoint] = []
        for argument in paths:
            if os.path.isdir(argument):
                self._directories.append(argument)
                for path in self._scan(argument):
                    self._follow(path, argument, at_end=not from_start, start=True)
            elif _GLOB_CHARS.search(argument) and not os.path.exists(argument):
                self._globs.append(argument)
                for path in self._matches(argument):
                    self._follow(path, None, at_end=not from_start, start=True)
            else:  # a file, or one that does not exist yet: followed once it appears
                self._follow(argument, None, at_end=not from_start, start=True)

    @property
    def files(self) -> list[str]:
        """The paths followed."""
        return list(self._followed)

    def poll(self) -> tuple[list[Chunk], list[Notice]]:
        """The lines written since the last poll, per file, and what happened to the files."""
        chunks: list[Chunk] = []
        notices: list[Notice] = []
        for directory in self._directories:
            for path in self._scan(directory):
                if self._is_new(path):
                    self._follow(path, directory, at_end=False)
                    notices.append(Notice(path, "appeared"))
        for pattern in self._globs:
            for path in self._matches(pattern):
                if self._is_new(path):
                    self._follow(path, None, at_end=False)
                    notices.append(Notice(path, "appeared"))
        for followed in self._followed.values():
            self._poll_one(followed, chunks, notices)
        return chunks, notices

    def close(self) -> None:
        for followed in self._followed.values():
            for opened in [*followed.draining, followed.current]:
                if opened is not None:
                    opened.close()
            followed.draining = []
            followed.current = None

    # -- one path --------------------------------------------------------------------------
    def _poll_one(self, followed: _Followed, chunks: list[Chunk], notices: list[Notice]) -> None:
        path = followed.path
        try:
            stat: os.stat_result | None = os.stat(path)
        except OSError:
            stat = None
        current = followed.current
        rotated = False
        if current is not None:
            if stat is None or (stat.st_dev, stat.st_ino) != current.key:
                # Renamed away (or deleted): its last lines may still be on their way.
                current.display = _renamed(path, current.key) or current.display
                followed.draining.append(current)
                followed.current = current = None
                rotated = stat is not None
                notices.append(
                    Notice(path, "rotated" if rotated else "removed", followed.draining[-1].display)
                )
            elif stat.st_size < current.offset:
                current.restart()
                notices.append(Notice(path, "truncated"))
        for old in list(followed.draining):
            lines = old.read()
            if lines:
                old.quiet_polls = 0
                chunks.append(old.chunk(path, lines, followed.root))
                continue
            old.quiet_polls += 1
            if old.quiet_polls >= DRAIN_QUIET_POLLS:
                rest = old.rest()
                if rest:
                    chunks.append(old.chunk(path, rest, followed.root))
                old.close()
                followed.draining.remove(old)
        if current is None and stat is not None:
            try:
                current = followed.current = _OpenFile(path)
            except OSError:
                return  # not readable (yet): tried again at the next poll
            if not rotated:
                notices.append(Notice(path, "appeared"))
        if current is not None:
            lines = current.read()
            if lines:
                chunks.append(current.chunk(path, lines, followed.root))

    def _follow(self, path: str, root: str | None, at_end: bool, start: bool = False) -> None:
        followed = self._followed[path] = _Followed(path, root)
        try:
            opened = _OpenFile(path)
        except OSError:
            return  # not there yet: followed once it appears
        if opened.compressed:
            opened.close()  # an archive does not grow: its content is only baseline
            del self._followed[path]
            return
        if at_end:
            opened.skip_to_last_line()
        followed.current = opened
        if start:
            self.starts.append(StartPoint(path, opened.offset, opened.line))

    # -- discovery -------------------------------------------------------------------------
    def _scan(self, directory: str) -> list[str]:
        found: list[str] = []
        for current, dirnames, filenames in os.walk(directory, followlinks=False):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if name.startswith(".") or os.path.splitext(name)[1].lower() in _SKIPPED_SUFFIXES:
                    continue
                found.append(os.path.join(current, name))
        return [path for path in found if self._is_live_log(path)]

    @staticmethod
    def _matches(pattern: str) -> list[str]:
        return sorted(p for p in glob.glob(pattern, recursive=True) if os.path.isfile(p))

    def _is_new(self, path: str) -> bool:
        return path not in self._followed and self._is_live_log(path)

    def _is_live_log(self, path: str) -> bool:
        """A text file that is not a rotated copy of a followed file, nor held open already."""
        if path in self._followed:
            return True
        try:
            stat = os.stat(path)
        except OSError:
            return False
        if (path, stat.st_ino) in self._ignored:
            return False
        if not S_ISREG(stat.st_mode):  # a FIFO would block the open below, a device never end
            self._ignored.add((path, stat.st_ino))
            return False
        key = (stat.st_dev, stat.st_ino)
        held = any(
            opened.key == key
            for followed in self._followed.values()
            for opened in [*followed.draining, followed.current]
            if opened is not None
        )
        if held or self._rotated_copy(path) or self._not_text(path):
            self._ignored.add((path, stat.st_ino))
            return False
        return True

    def _rotated_copy(self, path: str) -> bool:
        """A numbered rotation (`app.log.1`, `app.log.2.gz`), or a dated one (`app.log-20261128`)
        beside a followed file of the same name (where dated names are the live files, as
        `app-2026-11-28.log` may be, a new one is a new log)."""
        directory, name = os.path.split(path)
        base, rank, date = rotation_key(name)
        if rank == 0 and not date:
            return False
        if not date:
            return True
        return any(
            os.path.dirname(other) == directory
            and rotation_key(os.path.basename(other)) == (base, 0, "")
            for other in self._followed
        )

    @staticmethod
    def _not_text(path: str) -> bool:
        try:
            with open(path, "rb") as raw:
                head = raw.read(8192)
        except OSError:
            return True
        return compression_of(head) is not None or looks_binary(head)


def _renamed(path: str, key: tuple[int, int]) -> str | None:
    """The new name of a file renamed within its directory (found by its inode), if any."""
    directory = os.path.dirname(path) or "."
    try:
        names = os.listdir(directory)
    except OSError:
        return None
    for name in sorted(names):
        candidate = os.path.join(os.path.dirname(path), name)
        try:
            stat = os.stat(candidate)
        except OSError:
            continue
        if (stat.st_dev, stat.st_ino) == key:
            return candidate
    return None


def _line_start_before(handle: BinaryIO) -> tuple[int, int]:
    """(offset, line number) of the start of the line in progress at the end of an open file.
    Counts the lines before it: one pass over the file at memory speed (`bytes.count`)."""
    size = os.fstat(handle.fileno()).st_size
    lines = 0
    last_newline = -1
    position = 0
    handle.seek(0)
    while position < size:
        block = handle.read(min(CHUNK_BYTES, size - position))
        if not block:
            break
        found = block.count(b"\n")
        if found:
            lines += found
            last_newline = position + block.rfind(b"\n")
        position += len(block)
    return last_newline + 1, lines + 1
