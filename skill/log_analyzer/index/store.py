"""The on-disk index: what an analysis found in a file, kept between runs.

During an investigation an agent asks ten questions of the same files, each a new process.
Parsing 2 GB ten times is minutes; reading back what the first run found is milliseconds. An
entry holds one analysis' summary of one file (error groups with their templates, rates,
statistics), the identity of the file it was computed from, and where in the file it stops,
so a later run parses only what was appended since.

Entries live in the user cache directory (platformdirs), one file each, written to a temporary
name and renamed into place, so a run killed mid-write never leaves a half entry under the real
name. Total size is bounded: past the cap, the least recently used entries go.

Trust. A summary is a pickle, and unpickling can run code, so an entry is read only when it
carries this user's signature: an HMAC-SHA256, under a secret made once per cache directory
(`index.key`, 32 random bytes, mode 0600, created atomically), over the entry's name, header
and payload. Someone who can write the cache directory but cannot read the key can damage
entries, never make one that is read: a forged, damaged or cut-short entry is removed, reported
and rebuilt. A key that other users could read or replace (wider permissions, another owner, a
link) is refused with a warning, and the index is then not used at all. Even a signed payload
is unpickled by a reader that knows only the project's summary types and plain data types
(defence in depth: a bug of ours, a stolen key), never a function or an arbitrary class.

Cost. A save writes its entry and adds its size to a running total (`usage`, updated under a
lock); the directory is listed only when that total passes the cap (then the least recently
used entries go, down to 90% of it, so a full cache does not list on every save) or after as
many saves as there were entries at the last listing (to catch up with what other processes
did): O(1) per save, amortised, whatever the number of entries.
"""

from __future__ import annotations

import contextlib
import enum
import errno
import hashlib
import hmac
import io
import json
import os
import pickle
import stat
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from ..errors import IndexCorrupt as IndexCorrupt
from ..errors import IndexUnusable as IndexUnusable

MAGIC = b"log-analyzer-index 2\n"
MAC_BYTES = 32  # HMAC-SHA256
KEY_BYTES = 32
KEY_NAME = "index.key"
TALLY_NAME = "usage"
TALLY_WIDTH = 96
DEFAULT_CAP_BYTES = 1 << 30  # 1 GiB
CACHE_DIR_ENV = "LOG_ANALYZER_CACHE_DIR"
CACHE_CAP_ENV = "LOG_ANALYZER_CACHE_MAX_MB"
SUFFIX = ".idx"
MAX_HEADER_BYTES = 1 << 20
LOW_WATER = 0.9  # past the cap, evict down to this share of it
MIN_SAVES_BETWEEN_LISTINGS = 256
TEMPORARY_AGE = 3600.0  # a temporary file older than this was left by a killed run

_OPEN_FLAGS = (
    getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
)
_POSIX = os.name == "posix"


class Entry(NamedTuple):
    """One analysis of one file. `meta` is JSON (identity, boundary); `payload` a summary made
    of the project's summary types and plain data."""

    meta: dict[str, Any]
    payload: object


def default_dir() -> Path:
    configured = os.environ.get(CACHE_DIR_ENV)
    if configured:
        return Path(configured)
    import platformdirs  # here: a repeat answered from the store starts faster without it

    return Path(platformdirs.user_cache_dir("log-analyzer"))


def default_cap() -> int:
    configured = os.environ.get(CACHE_CAP_ENV)
    try:
        return int(float(configured) * (1 << 20)) if configured else DEFAULT_CAP_BYTES
    except ValueError:
        return DEFAULT_CAP_BYTES


class _UsageTally:
    """The running total: bytes of entries, saves since the last listing, and how many entries
    that listing found."""

    __slots__ = ("entries", "saves", "total")

    def __init__(self, total: int = 0, saves: int = 0, entries: int = 0) -> None:
        self.total = total
        self.saves = saves
        self.entries = entries

    def encode(self) -> bytes:
        return json.dumps([self.total, self.saves, self.entries]).encode()

    @staticmethod
    def decode(data: bytes) -> _UsageTally | None:
        try:
            values = json.loads(data)
        except (ValueError, RecursionError):
            return None
        if (
            isinstance(values, list)
            and len(values) == 3
            and all(type(v) is int and v >= 0 for v in values)
        ):
            return _UsageTally(*values)
        return None


class IndexStore:
    """Entries by key, in one directory, least recently used evicted past `cap_bytes`."""

    def __init__(self, directory: Path | None = None, cap_bytes: int | None = None) -> None:
        self.directory = directory or default_dir()
        self.cap_bytes = default_cap() if cap_bytes is None else cap_bytes
        self._lock = threading.Lock()
        self._secret: bytes | None = None
        self._secret_file: tuple[int, int] | None = None  # (device, inode) it was read from

    def _path(self, key: str) -> Path:
        return self.directory / f"{key}{SUFFIX}"

    @property
    def key_path(self) -> Path:
        return self.directory / KEY_NAME

    # -- the key

    def problem(self) -> str | None:
        """Why this store must not be used, as a warning for the user (its key is open to
        other users); None when it can be used, or when it silently cannot (a directory that
        cannot be created or written: the index is an optimisation, never a complaint)."""
        try:
            self._key()
        except IndexUnusable as refusal:
            return str(refusal)
        return None

    def _key(self) -> bytes | None:
        """This user's secret: read, or made on first use. None when the directory cannot
        hold one; `IndexUnusable` when there is one that cannot be trusted. Kept in memory
        while its file stays the same one (a long session sees a key deleted and remade);
        a refusal is not kept, so a key put right is used at once."""
        with self._lock:
            if self._secret is not None:
                try:
                    info = os.lstat(self.key_path)
                    if (info.st_dev, info.st_ino) == self._secret_file and _private(info):
                        return self._secret
                except OSError:
                    pass
                self._secret = self._secret_file = None
            found = self._read_or_make_key()
            if found is not None:
                self._secret, self._secret_file = found
                return self._secret
            return None

    def _read_or_make_key(self) -> tuple[bytes, tuple[int, int]] | None:
        path = self.key_path
        for _ in range(3):
            try:
                return _read_key(path)
            except FileNotFoundError:
                pass
            except OSError:
                return None  # not ours to read (another user's directory), or no directory
            try:
                _make_key(self.directory, path)
            except FileExistsError:
                continue  # another process made it first: read theirs
            except OSError:
                return None
        return None

    # -- entries

    def load(self, key: str) -> Entry | None:
        """The entry under `key`, None when there is none (or no usable store); `IndexCorrupt`
        (after removing the damaged file) when there is one that cannot be trusted."""
        try:
            secret = self._key()
        except IndexUnusable:
            return None  # `problem` says why
        if secret is None:
            return None
        path = self._path(key)
        try:
            data = _read_regular(path)
        except (FileNotFoundError, NotADirectoryError, PermissionError):
            return None  # no index here (none yet, or a directory that cannot hold one)
        except IndexCorrupt:
            self.remove(key)
            raise
        except OSError as error:
            raise IndexCorrupt(f"unreadable ({error.strerror or error})") from None
        try:
            entry = _decode(key, data, secret)
        except IndexCorrupt:
            self.remove(key)
            raise
        now = time.time()
        with contextlib.suppress(OSError, NotImplementedError):
            os.utime(path, (now, now), follow_symlinks=False)  # recently used: evicted last
        return entry

    def save(self, key: str, entry: Entry) -> None:
        """Write atomically (temporary file, then rename), then account for its size, evicting
        past the cap. A store that cannot be written (read-only, full) is skipped silently:
        the index is an optimisation, never a reason for a command to fail."""
        try:
            secret = self._key()
        except IndexUnusable:
            return
        if secret is None:
            return
        target = self._path(key)
        try:
            data = _encode(key, entry, secret)
            import tempfile  # saving only: a repeat that reads starts faster without it

            handle, temporary = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(data)
                replaced = _size_of(target)
                os.replace(temporary, target)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError:
            return
        tally = self._count(len(data) - replaced, saves=1)
        if (
            tally is None
            or tally.total > self.cap_bytes
            or tally.saves >= max(MIN_SAVES_BETWEEN_LISTINGS, tally.entries)
        ):
            self.evict()

    def remove(self, key: str) -> None:
        """Drop the entry under `key` (damaged, or of the wrong shape)."""
        path = self._path(key)
        size = _size_of(path)
        try:
            path.unlink()
        except FileNotFoundError:
            return
        except OSError:
            return
        self._count(-size, saves=0)

    def entries(self) -> list[tuple[Path, int, float]]:
        """(path, bytes, last used) of every entry, least recently used first."""
        return self._scan()[0]

    def evict(self) -> int:
        """List the directory: past the cap, remove least recently used entries down to 90%
        of it; remove temporary files left by killed runs; start the running total afresh.
        Returns how many entries went."""
        with self._tally_file() as tally_file:
            entries, stale = self._scan()
            for path in stale:
                path.unlink(missing_ok=True)
            total = sum(size for _, size, _ in entries)
            removed = 0
            if total > self.cap_bytes:
                goal = int(self.cap_bytes * LOW_WATER)
                for path, size, _ in entries:
                    if total <= goal:
                        break
                    path.unlink(missing_ok=True)
                    total -= size
                    removed += 1
            if tally_file is not None:
                _write_tally(tally_file, _UsageTally(total, 0, len(entries) - removed))
        return removed

    def clear(self) -> int:
        with self._tally_file() as tally_file:
            entries, temporaries = self._scan(temporaries_older_than=0.0)
            for path in [*(path for path, _, _ in entries), *temporaries]:
                path.unlink(missing_ok=True)
            if tally_file is not None:
                _write_tally(tally_file, _UsageTally())
        return len(entries)

    def size(self) -> int:
        return sum(size for _, size, _ in self.entries())

    # -- the listing and the running total

    def _scan(
        self, temporaries_older_than: float = TEMPORARY_AGE
    ) -> tuple[list[tuple[Path, int, float]], list[Path]]:
        """One listing: the entries, least recently used first, and the stale temporaries."""
        found: list[tuple[Path, int, float]] = []
        stale: list[Path] = []
        cutoff = time.time() - temporaries_older_than
        try:
            listing = os.scandir(self.directory)
        except OSError:
            return [], []
        with listing:
            for item in listing:
                name = item.name
                if not (name.endswith(SUFFIX) or name.endswith(".tmp")):
                    continue
                try:
                    info = item.stat(follow_symlinks=False)
                except OSError:
                    continue
                if name.endswith(SUFFIX):
                    found.append((Path(item.path), info.st_size, info.st_mtime))
                elif info.st_mtime <= cutoff:
                    stale.append(Path(item.path))
        found.sort(key=lambda item: item[2])
        return found, stale

    def _count(self, delta: int, saves: int) -> _UsageTally | None:
        """Add to the running total; None when there is none to trust (then list)."""
        with self._tally_file() as tally_file:
            if tally_file is None:
                return None
            os.lseek(tally_file, 0, os.SEEK_SET)
            tally = _UsageTally.decode(os.read(tally_file, 4096))
            if tally is None:
                return None
            tally.total = max(0, tally.total + delta)
            tally.saves += saves
            _write_tally(tally_file, tally)
            return tally

    @contextlib.contextmanager
    def _tally_file(self) -> Iterator[int | None]:
        """The running total's file descriptor, open and locked (None when it cannot be)."""
        try:
            descriptor = os.open(
                self.directory / TALLY_NAME, os.O_RDWR | os.O_CREAT | _OPEN_FLAGS, 0o600
            )
        except OSError:
            yield None
            return
        try:
            if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                yield None
                return
            _lock(descriptor)
            yield descriptor
        finally:
            os.close(descriptor)


def _lock(descriptor: int) -> None:
    try:
        import fcntl
    except ImportError:  # no advisory locks here: a lost update is caught by the next listing
        return
    with contextlib.suppress(OSError):
        fcntl.flock(descriptor, fcntl.LOCK_EX)


def _write_tally(descriptor: int, tally: _UsageTally) -> None:
    """Overwritten in place, padded to a fixed width: never truncated (on ext4, closing a file
    truncated to nothing forces its data to disk: milliseconds a save)."""
    with contextlib.suppress(OSError):
        os.lseek(descriptor, 0, os.SEEK_SET)
        os.write(descriptor, tally.encode().ljust(TALLY_WIDTH))
        if os.fstat(descriptor).st_size > TALLY_WIDTH:  # longer garbage was there
            os.ftruncate(descriptor, TALLY_WIDTH)


def _size_of(path: Path) -> int:
    try:
        return os.lstat(path).st_size
    except OSError:
        return 0


def _read_regular(path: Path) -> bytes:
    """A regular file's bytes; never follows a link, never waits on a FIFO, never reads a
    device without end: those are `IndexCorrupt`."""
    try:
        descriptor = os.open(path, os.O_RDONLY | _OPEN_FLAGS)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise IndexCorrupt("is a link, not an index entry") from None
        raise
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise IndexCorrupt("is not a regular file")
        return handle.read(info.st_size)


def _read_key(path: Path) -> tuple[bytes, tuple[int, int]]:
    """The key, checked: a regular file of this user, open to nobody else; and the (device,
    inode) of its file."""
    try:
        descriptor = os.open(path, os.O_RDONLY | _OPEN_FLAGS)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise IndexUnusable(_refused(path, "is a symbolic link")) from None
        raise
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise IndexUnusable(_refused(path, "is not a regular file"))
        if _POSIX and info.st_uid != os.getuid():
            raise IndexUnusable(_refused(path, f"belongs to another user (uid {info.st_uid})"))
        if not _private(info):
            mode = stat.S_IMODE(info.st_mode)
            raise IndexUnusable(_refused(path, f"is open to other users (mode {mode:04o})"))
        key = handle.read(KEY_BYTES + 1)
    if len(key) != KEY_BYTES:
        raise IndexUnusable(_refused(path, f"is damaged ({len(key)} bytes)"))
    return key, (info.st_dev, info.st_ino)


def _private(info: os.stat_result) -> bool:
    """A regular file of this user that nobody else may read or write."""
    if not stat.S_ISREG(info.st_mode):
        return False
    return not _POSIX or (info.st_uid == os.getuid() and not info.st_mode & 0o077)


def _refused(path: Path, why: str) -> str:
    return f"index not used: its key {path} {why}; delete that file to make a new key"


def _make_key(directory: Path, path: Path) -> None:
    """A new key, mode 0600, in place atomically: written under a temporary name, then linked
    to its real name, which fails (FileExistsError) when another process made one first."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    import secrets
    import tempfile

    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".key-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(secrets.token_bytes(KEY_BYTES))
            out.flush()
            os.fsync(out.fileno())
        if _POSIX:
            try:
                os.link(temporary, path)
            except FileExistsError:
                raise
            except OSError:  # a file system without hard links
                if path.exists():
                    raise FileExistsError(path) from None
                os.rename(temporary, path)
        else:
            os.rename(temporary, path)  # fails when it exists
    finally:
        Path(temporary).unlink(missing_ok=True)


# -- the format: MAGIC, MAC, header length (4 bytes), header (JSON), payload (pickle)


def _mac(secret: bytes, key: str, body: bytes) -> bytes:
    signature = hmac.new(secret, digestmod=hashlib.sha256)
    signature.update(MAGIC)
    signature.update(key.encode() + b"\x00")
    signature.update(body)
    return signature.digest()


def _encode(key: str, entry: Entry, secret: bytes) -> bytes:
    payload = pickle.dumps(entry.payload, protocol=pickle.HIGHEST_PROTOCOL)
    header = dict(entry.meta)
    header["payload_bytes"] = len(payload)
    head = json.dumps(header, separators=(",", ":")).encode()
    body = len(head).to_bytes(4, "big") + head + payload
    return MAGIC + _mac(secret, key, body) + body


def _decode(key: str, data: bytes, secret: bytes) -> Entry:
    if not data.startswith(MAGIC):
        raise IndexCorrupt("not an index entry of this version")
    start = len(MAGIC) + MAC_BYTES
    if len(data) < start + 4:
        raise IndexCorrupt("cut short")
    size = int.from_bytes(data[start : start + 4], "big")
    if size > MAX_HEADER_BYTES:
        raise IndexCorrupt("damaged header")
    head = data[start + 4 : start + 4 + size]
    if len(head) < size:
        raise IndexCorrupt("cut short")
    try:  # plain data, before the signature is checked only to tell "cut short" apart
        header = json.loads(head)
    except (ValueError, RecursionError):
        raise IndexCorrupt("damaged header") from None
    if not isinstance(header, dict):
        raise IndexCorrupt("damaged header")
    expected = header.get("payload_bytes")
    if type(expected) is not int or expected < 0:
        raise IndexCorrupt("damaged header")
    payload = data[start + 4 + size :]
    if len(payload) < expected:
        raise IndexCorrupt("cut short")
    if len(payload) > expected:
        raise IndexCorrupt("damaged payload")
    if not hmac.compare_digest(data[len(MAGIC) : start], _mac(secret, key, data[start:])):
        raise IndexCorrupt("not signed with this user's key (forged, or damaged)")
    try:
        value = _SummaryUnpickler(io.BytesIO(payload)).load()
    except _Refused as refusal:
        raise IndexCorrupt(f"refused: it names {refusal}, not a summary type") from None
    except Exception:
        raise IndexCorrupt("payload does not load (written by another version?)") from None
    return Entry(header, value)


# -- what a payload may name

_PLAIN_DATA = frozenset(
    {
        *(
            ("builtins", name)
            for name in (
                "bool",
                "bytearray",
                "bytes",
                "complex",
                "dict",
                "float",
                "frozenset",
                "int",
                "list",
                "set",
                "str",
                "tuple",
            )
        ),
        ("collections", "Counter"),
        ("collections", "OrderedDict"),
        ("collections", "defaultdict"),
        ("collections", "deque"),
        ("datetime", "date"),
        ("datetime", "datetime"),
        ("datetime", "time"),
        ("datetime", "timedelta"),
        ("datetime", "timezone"),
        ("pathlib", "Path"),
        ("pathlib", "PosixPath"),
        ("pathlib", "PurePath"),
        ("pathlib", "PurePosixPath"),
        ("pathlib", "PureWindowsPath"),
        ("pathlib", "WindowsPath"),
    }
)
# Where summaries are defined. Their dataclasses and enums are data; the plain classes below
# are the few summary types that are not dataclasses (no side effect when made).
_SUMMARY_MODULES = (
    "log_analyzer.analysis",
    "log_analyzer.formats",
    "log_analyzer.ingest",
    "log_analyzer.mining",
    "log_analyzer.records",
    "log_analyzer.sources",
)
_PLAIN_SUMMARY_CLASSES = frozenset(
    {
        ("log_analyzer.analysis.tracing", "TraceBook"),
        ("log_analyzer.mining.groups", "_Tally"),
        ("log_analyzer.records", "Record"),
    }
)
# What would run code of the class's own when an instance is made or filled in.
_BEHAVIOUR = ("__post_init__", "__new__", "__setstate__", "__del__", "__getattr__", "__setattr__")


class _Refused(Exception):
    pass


class _SummaryUnpickler(pickle.Unpickler):
    """Unpickles only plain data and the project's summary types: no function, no other
    class, no module outside the summaries (not even imported)."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _PLAIN_DATA:
            return super().find_class(module, name)
        in_summaries = any(module == m or module.startswith(m + ".") for m in _SUMMARY_MODULES)
        if in_summaries and name.isidentifier():
            found = super().find_class(module, name)
            if (module, name) in _PLAIN_SUMMARY_CLASSES or _is_data_class(found):
                return found
        raise _Refused(f"{module}.{name}")


def _is_data_class(found: object) -> bool:
    """An enum, a dataclass or a pydantic model whose own classes add no behaviour to being
    made or filled in (the frameworks' own methods only set fields)."""
    if not isinstance(found, type):
        return False
    if issubclass(found, enum.Enum):
        return True
    import dataclasses  # here: loading plain data (a kept answer) never needs it

    if dataclasses.is_dataclass(found):
        own = found.__mro__[:-1]  # all but object
    elif _is_pydantic_model(found):
        own = tuple(k for k in found.__mro__ if k.__module__.startswith("log_analyzer."))
    else:
        return False
    for klass in own:
        for name in (*_BEHAVIOUR, "model_post_init"):
            method = vars(klass).get(name)
            if method is not None and not _made_by_dataclasses(method):
                return False
    return True


def _is_pydantic_model(found: type) -> bool:
    """A pydantic model's class was defined after pydantic was imported: when it is not,
    nothing is a model, and the store need not import it (a repeat answered from the store
    loads no pydantic)."""
    pydantic = sys.modules.get("pydantic")
    return pydantic is not None and issubclass(found, pydantic.BaseModel)


def _made_by_dataclasses(method: object) -> bool:
    """Written by the dataclass decorator (frozen classes' __setattr__, slotted classes'
    __setstate__), not by hand."""
    code = getattr(method, "__code__", None)
    return getattr(method, "__module__", None) == "dataclasses" or (
        code is not None and code.co_filename == "<string>"
    )
