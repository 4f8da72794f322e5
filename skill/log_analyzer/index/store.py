"""The on-disk index: what an analysis found in a file, kept between runs.

During an investigation an agent asks ten questions of the same files, each a new process.
Parsing 2 GB ten times is minutes; reading back what the first run found is milliseconds. An
entry holds one analysis' summary of one file (error groups with their templates, rates,
statistics), the identity of the file it was computed from, and where in the file it stops,
so a later run parses only what was appended since.

Entries live in the user cache directory (platformdirs), one file each, written to a temporary
name and renamed into place, so a run killed mid-write never leaves a half entry under the real
name. Each entry carries a digest of its payload: a damaged one (disk full, a copy cut short)
is detected, removed and rebuilt, never trusted. Total size is bounded: past the cap, the least
recently used entries go.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

MAGIC = b"log-analyzer-index 1\n"
DEFAULT_CAP_BYTES = 1 << 30  # 1 GiB
CACHE_DIR_ENV = "LOG_ANALYZER_CACHE_DIR"
CACHE_CAP_ENV = "LOG_ANALYZER_CACHE_MAX_MB"
SUFFIX = ".idx"


class IndexCorrupt(Exception):
    """An entry that cannot be trusted: wrong magic, cut short, digest mismatch."""


@dataclass
class Entry:
    """One analysis of one file. `meta` is JSON (identity, boundary); `payload` any picklable
    summary the analysis merges."""

    meta: dict[str, Any]
    payload: object


def default_dir() -> Path:
    configured = os.environ.get(CACHE_DIR_ENV)
    return Path(configured) if configured else Path(platformdirs.user_cache_dir("log-analyzer"))


def default_cap() -> int:
    configured = os.environ.get(CACHE_CAP_ENV)
    try:
        return int(float(configured) * (1 << 20)) if configured else DEFAULT_CAP_BYTES
    except ValueError:
        return DEFAULT_CAP_BYTES


class IndexStore:
    """Entries by key, in one directory, least recently used evicted past `cap_bytes`."""

    def __init__(self, directory: Path | None = None, cap_bytes: int | None = None) -> None:
        self.directory = directory or default_dir()
        self.cap_bytes = default_cap() if cap_bytes is None else cap_bytes

    def _path(self, key: str) -> Path:
        return self.directory / f"{key}{SUFFIX}"

    def load(self, key: str) -> Entry | None:
        """The entry under `key`, None when there is none; `IndexCorrupt` (after removing the
        damaged file) when there is one that cannot be trusted."""
        path = self._path(key)
        try:
            data = path.read_bytes()
        except (FileNotFoundError, NotADirectoryError, PermissionError):
            return None  # no index here (none yet, or a directory that cannot hold one)
        except OSError as error:
            raise IndexCorrupt(f"unreadable ({error.strerror or error})") from None
        try:
            entry = _decode(data)
        except IndexCorrupt:
            path.unlink(missing_ok=True)
            raise
        now = time.time()
        with contextlib.suppress(OSError):
            os.utime(path, (now, now))  # recently used: evicted last
        return entry

    def save(self, key: str, entry: Entry) -> None:
        """Write atomically (temporary file, then rename), then evict past the cap. A store
        that cannot be written (read-only, full) is skipped silently: the index is an
        optimisation, never a reason for a command to fail."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            data = _encode(entry)
            handle, temporary = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(data)
                os.replace(temporary, self._path(key))
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError:
            return
        self.evict()

    def entries(self) -> list[tuple[Path, int, float]]:
        """(path, bytes, last used) of every entry, least recently used first."""
        found = []
        try:
            listing = list(self.directory.iterdir())
        except OSError:
            return []
        for path in listing:
            if path.suffix != SUFFIX:
                continue
            try:
                stat = path.stat()
            except OSError:
                continue
            found.append((path, stat.st_size, stat.st_mtime))
        found.sort(key=lambda item: item[2])
        return found

    def evict(self) -> int:
        """Remove least recently used entries until the total fits the cap; also temporary
        files left by killed runs. Returns how many entries went."""
        self._sweep_temporaries()
        entries = self.entries()
        total = sum(size for _, size, _ in entries)
        removed = 0
        for path, size, _ in entries:
            if total <= self.cap_bytes:
                break
            path.unlink(missing_ok=True)
            total -= size
            removed += 1
        return removed

    def _sweep_temporaries(self, older_than: float = 3600.0) -> None:
        cutoff = time.time() - older_than
        try:
            listing = list(self.directory.glob("*.tmp"))
        except OSError:
            return
        for path in listing:
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink(missing_ok=True)
            except OSError:
                continue

    def clear(self) -> int:
        entries = self.entries()
        for path, _, _ in entries:
            path.unlink(missing_ok=True)
        for path in self.directory.glob("*.tmp") if self.directory.is_dir() else []:
            path.unlink(missing_ok=True)
        return len(entries)

    def size(self) -> int:
        return sum(size for _, size, _ in self.entries())


def _encode(entry: Entry) -> bytes:
    payload = pickle.dumps(entry.payload, protocol=pickle.HIGHEST_PROTOCOL)
    header = dict(entry.meta)
    header["payload_bytes"] = len(payload)
    header["payload_digest"] = hashlib.blake2b(payload, digest_size=16).hexdigest()
    head = json.dumps(header, separators=(",", ":")).encode()
    return MAGIC + len(head).to_bytes(4, "big") + head + payload


def _decode(data: bytes) -> Entry:
    if not data.startswith(MAGIC):
        raise IndexCorrupt("not an index entry of this version")
    offset = len(MAGIC)
    if len(data) < offset + 4:
        raise IndexCorrupt("cut short")
    size = int.from_bytes(data[offset : offset + 4], "big")
    offset += 4
    try:
        header = json.loads(data[offset : offset + size])
    except ValueError:
        raise IndexCorrupt("damaged header") from None
    payload = data[offset + size :]
    if len(payload) != header.get("payload_bytes"):
        raise IndexCorrupt("cut short")
    if hashlib.blake2b(payload, digest_size=16).hexdigest() != header.get("payload_digest"):
        raise IndexCorrupt("damaged payload")
    try:
        value = pickle.loads(payload)  # our own file, its digest checked: not untrusted input
    except Exception:
        raise IndexCorrupt("payload does not load (written by another version?)") from None
    return Entry(header, value)
