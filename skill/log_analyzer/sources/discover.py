"""From command-line arguments to an ordered list of sources.

Arguments may be files, directories (walked recursively), shell globs (for shells that did not
expand them), or `-` for stdin. Rotated sets (`app.log.2.gz`, `app.log.1`, `app.log`) are put in
time order, oldest first. Binary files, archives that cannot be read (zip, zstd) and anything
that is not a regular file (a FIFO, a socket, a device) met while walking a directory or
matching a glob are skipped with a warning. A FIFO or a device named explicitly is read once,
as stdin is (`Source.pipe`); a socket, or a zip or zstd file named explicitly, is an error.
"""

from __future__ import annotations

import glob
import os
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ..errors import SourceError
from .reader import kind_of, looks_binary, read_head, stdin_problem, unsupported_format

STDIN = "-"
_GLOB_CHARS = re.compile(r"[*?\[]")
# app.log.1, app.log.2.gz, app.1.log (numbered: a dot only, so `checkout-2.log`, a replica,
# is not taken for a rotation), app.log-20261128, app-2026-11-28.log, app.log.2026-11-28_14
_ROTATION = re.compile(
    r"^(?P<base>.+?)(?:\.(?P<num>\d{1,3})|[.\-_](?P<date>\d{8}|\d{4}-\d\d-\d\d(?:[T_\-]\d\d)?))"
    r"(?P<ext>\.log)?(?P<comp>\.(?:gz|bz2|xz))?$"
)
_COMPRESSION_SUFFIX = re.compile(r"\.(?:gz|bz2|xz)$")
_SKIPPED_SUFFIXES = frozenset(
    {".pyc", ".so", ".o", ".png", ".jpg", ".zip", ".tar", ".db", ".pid", ".lock", ".sock"}
)


@dataclass(frozen=True)
class Source:
    """One file (or stdin) to read. `display` is the path as the user gave it (or as found
    under the directory they gave), used in every `file:line`."""

    display: str
    path: Path | None  # None for stdin, and for a FIFO or device (`pipe`): read once
    root: Path | None = None  # the directory argument it was found under
    mtime: datetime = field(default_factory=lambda: datetime.now(UTC))
    pipe: Path | None = None  # a FIFO or device named explicitly: a stream, like stdin

    @property
    def is_stdin(self) -> bool:
        return self.path is None and self.pipe is None

    @property
    def readable(self) -> Path | None:
        """What to open: the file, the FIFO or device, or None for stdin."""
        return self.path if self.path is not None else self.pipe


@dataclass
class Discovery:
    sources: list[Source]
    warnings: list[str]


def discover(arguments: Sequence[str]) -> Discovery:
    """Resolve arguments to sources, in order; raise SourceError for a path that is missing,
    unreadable, or a directory/glob that holds no readable log."""
    if not arguments:
        raise SourceError("no path given (use '-' to read standard input)")
    sources: list[Source] = []
    warnings: list[str] = []
    seen: set[Path] = set()
    for argument in arguments:
        found: list[Source]
        if argument == STDIN:
            problem = stdin_problem()
            if problem is not None:
                raise SourceError(f"-: {problem}")
            found = [Source(STDIN, None)]
        elif re.match(r"^(loki|es|elasticsearch|opensearch|clickhouse|chdb)(\+\w+)?://", argument):
            raise SourceError(
                f"{argument}: a remote source; investigate, errors, trend, fixes, report, ask "
                "and chat read it (sources, parse and watch read files)"
            )
        elif os.path.isdir(argument):
            found = _walk(argument, warnings)
            if not found:
                raise SourceError(f"{argument}: no log files in this directory")
        elif os.path.exists(argument):
            _check_readable(argument)
            found = [_named_source(argument)]
        elif _GLOB_CHARS.search(argument):
            matches = sorted(glob.glob(argument, recursive=True))
            files = [m for m in matches if not os.path.isdir(m) and _globbed(m, warnings)]
            if not files:
                raise SourceError(f"{argument}: no file matches this pattern")
            found = _order_rotations([_file_source(m, m, None) for m in files])
        else:
            raise SourceError(f"{argument}: no such file or directory")
        for source in found:
            key = source.path.resolve() if source.path is not None else None
            if key is not None and key in seen:
                continue
            if key is not None:
                seen.add(key)
            sources.append(source)
    return Discovery(sources, warnings)


def _check_readable(path: str) -> None:
    if not os.access(path, os.R_OK):
        raise SourceError(f"{path}: permission denied")


def _named_source(argument: str) -> Source:
    """A path named explicitly: a regular file, or a FIFO or device read once as a stream.
    A socket, or an archive it cannot read, is an error."""
    try:
        status = os.stat(argument)
    except OSError as error:
        raise SourceError(f"{argument}: {error.strerror or error}") from None
    kind = kind_of(status.st_mode)
    if kind is None:
        reason = _unsupported(argument)
        if reason is not None:
            raise SourceError(f"{argument}: {reason}")
        return _file_source(argument, argument, None)
    if stat.S_ISFIFO(status.st_mode) or stat.S_ISCHR(status.st_mode):
        mtime = datetime.fromtimestamp(status.st_mtime, UTC)
        return Source(argument, None, None, mtime, pipe=Path(argument))
    raise SourceError(f"{argument}: {kind}, not a log file")


def _unsupported(path: str) -> str | None:
    try:
        with open(path, "rb") as raw:
            return unsupported_format(raw.read(8))
    except OSError:
        return None  # said when it is read


def _walkable(path: str, warnings: list[str]) -> bool:
    """A file met in a walk or a glob is read when it is a regular file; anything else is
    skipped with a warning (a FIFO would block, a device never end)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False  # a dangling link
    kind = kind_of(mode)
    if kind is not None:
        warnings.append(f"{path}: not a regular file ({kind}), skipped")
        return False
    return True


def _globbed(path: str, warnings: list[str]) -> bool:
    """A file a glob matched is read when it is a regular file in a format that can be read."""
    if not _walkable(path, warnings):
        return False
    reason = _unsupported(path)
    if reason is not None:
        warnings.append(f"{path}: {reason}, skipped")
        return False
    return True


def _file_source(display: str, path: str, root: Path | None) -> Source:
    try:
        mtime = datetime.fromtimestamp(os.stat(path).st_mtime, UTC)
    except OSError as error:
        raise SourceError(f"{display}: {error.strerror or error}") from None
    return Source(display, Path(path), root, mtime)


def _walk(directory: str, warnings: list[str]) -> list[Source]:
    root = Path(directory)
    found: list[Source] = []
    for current, dirnames, filenames in os.walk(directory, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        batch: list[Source] = []
        for name in sorted(filenames):
            if name.startswith(".") or Path(name).suffix.lower() in _SKIPPED_SUFFIXES:
                continue
            path = os.path.join(current, name)
            if not _walkable(path, warnings):
                continue
            if not os.access(path, os.R_OK):
                warnings.append(f"{path}: permission denied, skipped")
                continue
            try:
                head = read_head(Path(path))
            except SourceError as error:
                warnings.append(f"{error}, skipped")
                continue
            except OSError as error:
                warnings.append(f"{path}: {error.strerror or error}, skipped")
                continue
            if looks_binary(head):
                warnings.append(f"{path}: binary file, skipped")
                continue
            if name.endswith(".json") and looks_like_json_document(head):
                warnings.append(f"{path}: a JSON document, not JSON lines: skipped")
                continue
            batch.append(_file_source(path, path, root))
        found.extend(_order_rotations(batch))
    return found


def looks_like_json_document(head: bytes) -> bool:
    """A pretty-printed JSON document (a config, a report) rather than JSON lines: its first
    line opens an object or array that the line alone does not close. (Only `.json` files are
    asked: a log line may start with `[` too.)"""
    text = head.lstrip()
    if text[:1] not in (b"{", b"["):
        return False
    first = text.split(b"\n", 1)[0].strip()
    from ..formats.structured import load_json  # the parsers: only for a `.json` file

    try:
        load_json(first.decode("utf-8", "replace"))
    except ValueError:
        return True
    return False


def rotation_key(name: str) -> tuple[str, int, str]:
    """(base name, age rank, date): sorting by it puts a rotated set oldest first.

    `app.log.2.gz` is older than `app.log.1`, which is older than `app.log`; dated names sort by
    date, before the live file.
    """
    match = _ROTATION.match(name)
    if match is None:
        return (_COMPRESSION_SUFFIX.sub("", name), 0, "")
    base = match.group("base") + (match.group("ext") or "")
    if match.group("num") is not None:
        return (base, -int(match.group("num")), "")
    return (base, -1, match.group("date"))


def _order_rotations(sources: list[Source]) -> list[Source]:
    def key(source: Source) -> tuple[str, str, int, str]:
        name = source.path.name if source.path is not None else source.display
        base, rank, date = rotation_key(name)
        parent = str(source.path.parent) if source.path is not None else ""
        return (parent, base, rank if not date else -1_000_000, date)

    return sorted(sources, key=key)
