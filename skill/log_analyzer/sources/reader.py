"""Reading a source as a stream of decoded lines, never the whole file in memory.

Compression is recognised by magic bytes, not by name, and undone incrementally: no
decompressed chunk exceeds `CHUNK_BYTES`, and a stream that expands more than `max_ratio()`
times its compressed size (a decompression bomb) is stopped with a warning. A byte-order mark
sets the encoding (UTF-8, UTF-16 and UTF-32, either byte order); without one the text is
UTF-8, invalid bytes decoded with replacement characters. Lines over `MAX_LINE_BYTES` are cut
for analysis but still counted; a truncated archive yields what it holds and says so.

A FIFO is opened without blocking and waited on for a writer for `fifo_wait()` seconds at
most; a device is read only while it gives text. Zip archives and zstd streams are refused in
one line (`unsupported_format`).
"""

from __future__ import annotations

import bz2
import codecs
import errno
import io
import lzma
import os
import stat
import sys
import time
import zlib
from collections.abc import Iterator
from itertools import chain
from pathlib import Path
from typing import IO, Any

from ..errors import BombError as BombError
from ..errors import SourceError
from ..errors import TruncatedError as TruncatedError

MAX_LINE_BYTES = 1 << 20
CHUNK_BYTES = 1 << 20  # at most this much decompressed output at a time
FEED_BYTES = 1 << 16  # compressed input handed to a decompressor at a time
SNIFF_BYTES = 8192
BOM_SNIFF_BYTES = 256  # bytes after a byte-order mark that confirm it

# The ratio guard: logs compress 10 to 200 times (xz at its best on regular lines); a stream
# that expands more than this is taken for a bomb once it has produced GUARD_MIN_BYTES.
MAX_RATIO = 500
GUARD_MIN_BYTES = 1 << 20
GUARD_WINDOW_BYTES = 64 << 20  # also per window, so a bomb after a normal start is caught
FIFO_WAIT_SECONDS = 10.0

_MAGIC = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
)
_ZIP = "a zip archive: unzip it and name the files (or the directory) it holds"
_UNSUPPORTED = (
    (b"PK\x03\x04", _ZIP),
    (b"PK\x05\x06", _ZIP),
    (b"PK\x07\x08", _ZIP),
    (
        b"\x28\xb5\x2f\xfd",
        "zstd-compressed: decompress it first (zstd -d FILE), or pipe it in "
        "(zstd -dc FILE | log-analyzer ... -)",
    ),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive: extract it and name the files it holds"),
    (b"\x04\x22\x4d\x18", "lz4-compressed: decompress it first (lz4 -d FILE)"),
)
# Longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def compression_of(head: bytes) -> str | None:
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    return None


def unsupported_format(head: bytes) -> str | None:
    """Why content starting with `head` cannot be read (a zip archive, a zstd stream...), or
    None when it can."""
    for magic, reason in _UNSUPPORTED:
        if head.startswith(magic):
            return reason
    return None


def encoding_of(head: bytes) -> tuple[str, int] | None:
    """(encoding, length of the mark) from a byte-order mark at the start of `head` (give it
    `BOM_SNIFF_BYTES`). A UTF-16 or UTF-32 mark counts when NUL bytes follow, as they do in
    text with any ASCII in it: `\\xff\\xfe` before plain text is junk, not a mark."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            sample = head[len(bom) : len(bom) + BOM_SNIFF_BYTES]
            if encoding != "utf-8" and sample and b"\x00" not in sample:
                return None
            return encoding, len(bom)
    return None


def _env_number(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value >= 0 else default


def max_ratio() -> float:
    """The expansion ratio past which decompression stops; LOG_ANALYZER_MAX_RATIO=0 lifts it."""
    return _env_number("LOG_ANALYZER_MAX_RATIO", MAX_RATIO)


def fifo_wait() -> float:
    """Seconds to wait for a FIFO's writer (LOG_ANALYZER_FIFO_WAIT)."""
    return _env_number("LOG_ANALYZER_FIFO_WAIT", FIFO_WAIT_SECONDS)


class RatioGuard:
    """Counts compressed bytes in and decompressed bytes out; raises `BombError` when the
    output outgrows `limit` times the input, overall (past `GUARD_MIN_BYTES`) or within one
    window of `GUARD_WINDOW_BYTES` (so a bomb appended to a normal archive is caught too).
    Input is counted when it is handed over, before the output it gives: the guard can only
    err on the side of reading on."""

    def __init__(self, limit: float | None = None) -> None:
        self.limit = max_ratio() if limit is None else limit
        self.fed = 0
        self.produced = 0
        self._window_fed = 0
        self._window_out = 0

    def feed(self, size: int) -> None:
        self.fed += size
        self._window_fed += size

    def unfeed(self, size: int) -> None:
        """Input given back (it followed the end of a member): counted again when re-fed."""
        self.fed -= size
        self._window_fed = max(0, self._window_fed - size)

    def output(self, size: int) -> None:
        self.produced += size
        self._window_out += size
        if not self.limit:
            return
        if self.produced > GUARD_MIN_BYTES and self.produced > self.limit * self.fed:
            raise BombError(self._message())
        if self._window_out >= GUARD_WINDOW_BYTES:
            # one feed of slack: the output of a feed may fall in the next window
            if self._window_out > self.limit * (self._window_fed + FEED_BYTES):
                raise BombError(self._message())
            self._window_out = self._window_fed = 0

    def _message(self) -> str:
        return (
            f"decompression stopped after {self.produced / 2**20:,.0f} MiB: the data expands "
            f"over {self.limit:g} times its compressed size (a decompression bomb?); the rest "
            "is not read (LOG_ANALYZER_MAX_RATIO=0 reads it all)"
        )


def _decompressor(compression: str) -> Any:
    if compression == "gzip":
        return zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    if compression == "bzip2":
        return bz2.BZ2Decompressor()
    return lzma.LZMADecompressor()


def _wants_input(decompressor: Any) -> bool:
    if hasattr(decompressor, "needs_input"):  # bz2, lzma: they keep unread input inside
        return bool(decompressor.needs_input)
    return not decompressor.unconsumed_tail  # zlib hands it back


def decompressed_chunks(
    raw: IO[bytes], compression: str | None, guard: RatioGuard | None = None
) -> Iterator[bytes]:
    """The content of `raw` in chunks of at most CHUNK_BYTES, decompressed incrementally
    (`max_length`: a few compressed bytes that expand to gigabytes never come out at once).
    Driving the decompressor by hand (not through GzipFile) keeps every byte a truncated
    archive holds; concatenated members (as `cat a.gz b.gz` makes) are read one after the
    other. Raises `TruncatedError` at the end of a stream that stops inside a member, and
    `BombError` when `guard` stops it."""
    if compression is None:
        while chunk := raw.read(CHUNK_BYTES):
            yield chunk
        return
    guard = guard or RatioGuard()
    decompressor = _decompressor(compression)
    pending = b""  # input read but not handed to a decompressor yet (after a member's end)
    stalls = 0
    while True:
        if decompressor.eof:
            rest = decompressor.unused_data
            guard.unfeed(len(rest))  # counted again when the next member takes it
            pending = (rest + pending) or raw.read(FEED_BYTES)
            if not pending.strip(b"\x00"):  # the end, or trailing padding
                return
            decompressor = _decompressor(compression)  # another member follows
            continue
        if _wants_input(decompressor):
            data, pending = pending or raw.read(FEED_BYTES), b""
            if data:
                guard.feed(len(data))
            elif compression != "gzip":
                break  # the input is over and the decompressor holds nothing more
            # gzip: a call without input gives out what zlib still holds
        else:
            data = decompressor.unconsumed_tail if compression == "gzip" else b""
        try:
            out = decompressor.decompress(data, CHUNK_BYTES)
        except (OSError, EOFError, zlib.error, lzma.LZMAError) as error:
            raise TruncatedError(str(error)) from None
        if out:
            stalls = 0
            guard.output(len(out))
            yield out
        elif not data:
            stalls += 1  # nothing in, nothing out: the end of what there is
            if stalls > 2:
                break
    if not decompressor.eof:
        raise TruncatedError("compressed stream ends early")


def _range_chunks(raw: IO[bytes], start: int, end: int) -> Iterator[bytes]:
    raw.seek(start)
    remaining = end - start
    while remaining > 0:
        chunk = raw.read(min(CHUNK_BYTES, remaining))
        if not chunk:
            return
        remaining -= len(chunk)
        yield chunk


def looks_binary(head: bytes) -> bool:
    """NUL bytes do not occur in text logs (UTF-16 aside); they do in every binary format."""
    return b"\x00" in head


def _unit(encoding: str) -> int:
    return 4 if encoding.startswith("utf-32") else 2 if encoding.startswith("utf-16") else 1


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISDIR(mode):
        return "a directory"
    return "not a regular file"


def kind_of(mode: int) -> str | None:
    """None for a regular file; else what it is ('a FIFO', 'a socket', 'a character device')."""
    return None if stat.S_ISREG(mode) else _kind(mode)


def stdin_problem() -> str | None:
    """Why standard input cannot be read (closed, as `<&-` leaves it), or None."""
    stdin = sys.stdin
    if stdin is None or getattr(stdin, "closed", False):
        return "standard input is closed"
    try:
        descriptor = stdin.fileno()
    except (OSError, ValueError):  # replaced by a test harness: readable as it is
        return None
    try:
        os.fstat(descriptor)
    except OSError:
        return "standard input is closed"
    return None


def _os_reason(error: OSError) -> str:
    if error.errno == errno.ENXIO:  # what opening a socket gives
        return "not a file that can be read (a socket?)"
    return error.strerror or str(error)


class _Prefixed(io.RawIOBase):
    """A raw stream that gives `prefix` first (bytes already read while waiting for a FIFO's
    writer), then the rest of `raw`."""

    def __init__(self, prefix: bytes, raw: io.FileIO) -> None:
        super().__init__()
        self._prefix = prefix
        self._raw = raw

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._prefix:
            size = min(len(buffer), len(self._prefix))
            buffer[:size] = self._prefix[:size]
            self._prefix = self._prefix[size:]
            return size
        return self._raw.readinto(buffer) or 0

    def fileno(self) -> int:
        return self._raw.fileno()

    def close(self) -> None:
        self._raw.close()
        super().close()


def _wait_for_writer(descriptor: int, name: str, timeout: float) -> bytes:
    """On a FIFO opened without blocking: wait until a writer has it open (or has written
    into it), for `timeout` seconds at most. Returns what was read meanwhile."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            data = os.read(descriptor, FEED_BYTES)
        except BlockingIOError:
            return b""  # a writer holds it open, nothing written yet: read on, blocking
        if data:
            return data
        if time.monotonic() >= deadline:  # no writer yet (a read gives end of file)
            raise SourceError(
                f"{name}: a FIFO with no writer (waited {timeout:g} s; "
                "LOG_ANALYZER_FIFO_WAIT sets how long)"
            )
        time.sleep(0.02)


def open_bytes(path: Path, name: str | None = None) -> tuple[io.BufferedReader, int]:
    """A file's bytes, buffered (peekable), and its mode. Never blocks on a FIFO without a
    writer: opened without blocking, then waited on for `fifo_wait()` seconds at most.
    Errors are `SourceError`s, one line each."""
    name = name or str(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        raise SourceError(f"{name}: {_os_reason(error)}") from None
    try:
        mode = os.fstat(descriptor).st_mode
        if stat.S_ISDIR(mode):
            raise SourceError(f"{name}: a directory")
        prefix = b""
        if stat.S_ISFIFO(mode):
            prefix = _wait_for_writer(descriptor, name, fifo_wait())
        if flags & getattr(os, "O_NONBLOCK", 0):
            os.set_blocking(descriptor, True)
        raw = io.FileIO(descriptor, "rb", closefd=True)
    except BaseException:
        os.close(descriptor)
        raise
    if prefix:
        return io.BufferedReader(_Prefixed(prefix, raw), CHUNK_BYTES), mode
    return io.BufferedReader(raw, CHUNK_BYTES), mode


def _dropped(chunks: Iterator[bytes], size: int) -> Iterator[bytes]:
    """The chunks without their first `size` bytes."""
    for chunk in chunks:
        if size:
            chunk, size = chunk[size:], max(0, size - len(chunk))
        if chunk:
            yield chunk


def _peek(stream: IO[bytes], size: int) -> bytes:
    peek = getattr(stream, "peek", None)
    return peek(size)[:size] if peek is not None else b""


class LineReader:
    """Iterates the lines of one file (or stdin), counting what it had to cut or replace.
    `warnings` says what stopped it early (a decompression bomb)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.compression: str | None = None
        self.encoding = "utf-8"
        self.long_lines = 0
        self.invalid_utf8 = False
        self.invalid_text = False  # replacement characters in a UTF-16/32 source
        self.truncated = False
        self.bytes_read = 0
        self.warnings: list[str] = []
        self._device = False  # a device (or stdin from one): read only while it gives text

    @property
    def _name(self) -> str:
        return str(self.path) if self.path is not None else "-"

    def open(self) -> IO[bytes]:
        """The raw (possibly compressed) byte stream; sets `compression` from magic bytes.
        Raises `SourceError` for a closed stdin, a FIFO without a writer, a zip or zstd."""
        stream: IO[bytes]
        if self.path is None:
            problem = stdin_problem()
            if problem is not None:
                raise SourceError(f"-: {problem}")
            stdin = sys.stdin.buffer
            stream = stdin
            if not isinstance(stdin, io.BufferedReader):  # replaced by a test harness
                stream = io.BufferedReader(stdin)  # type: ignore[type-var]
            try:
                mode = os.fstat(sys.stdin.fileno()).st_mode
            except (OSError, ValueError):
                mode = stat.S_IFIFO
        else:
            stream, mode = open_bytes(self.path)
        self._device = stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        try:
            head = _peek(stream, 8)
            reason = unsupported_format(head)
            if reason is not None:
                raise SourceError(f"{self._name}: {reason}")
        except BaseException:
            if stream is not getattr(sys.stdin, "buffer", None):
                stream.close()
            raise
        self.compression = compression_of(head)
        return stream

    def lines(self, byte_range: tuple[int, int] | None = None) -> Iterator[str]:
        """Each line without its line ending. Reads in chunks; a line longer than the cap is
        cut at the cap and the rest of it skipped. Lines come in blocks, one list per chunk,
        flattened in C: no generator frame per line. `byte_range` (start, end) reads that part
        of an uncompressed file only; both ends must fall on line starts."""
        return chain.from_iterable(self._blocks(byte_range))

    def _blocks(self, byte_range: tuple[int, int] | None) -> Iterator[list[str]]:
        raw = self.open()
        try:
            chunks: Iterator[bytes]
            if byte_range is None:
                chunks = self._decoded(decompressed_chunks(raw, self.compression, RatioGuard()))
            else:
                chunks = self._range(raw, *byte_range)
            if self._device:
                chunks = self._text_only(chunks)
            yield from self._split_chunks(chunks)
        finally:
            if raw is not getattr(sys.stdin, "buffer", None):
                raw.close()

    def _range(self, raw: IO[bytes], start: int, end: int) -> Iterator[bytes]:
        """A byte range of a plain file, in its encoding: a range of a UTF-16/32 file is
        widened to whole code units (a range cut after `\\n` ends inside one)."""
        found = encoding_of(_peek(raw, 4 + BOM_SNIFF_BYTES))
        if found is None:
            return _range_chunks(raw, start, end)
        encoding, bom = found
        unit = _unit(encoding)
        if unit > 1:
            start = bom + -(-(start - bom) // unit) * unit if start > bom else start
            end = bom + -(-(end - bom) // unit) * unit if end > bom else end
        skip = bom - start if start < bom else 0
        return self._decoded(_range_chunks(raw, start, end), (encoding, skip))

    def _decoded(
        self, chunks: Iterator[bytes], known: tuple[str, int] | None = None
    ) -> Iterator[bytes]:
        """The chunks as UTF-8. A byte-order mark at the start sets the encoding and is
        dropped (`known`: the encoding, and how many bytes to drop); UTF-16 and UTF-32 are
        decoded incrementally and re-encoded."""
        if known is None:
            first = b""
            for chunk in chunks:
                first += chunk
                if len(first) >= 4 + BOM_SNIFF_BYTES:
                    break
            known = encoding_of(first)
            if known is None:
                if first:
                    yield first
                yield from chunks
                return
            chunks = chain((first,), chunks)
        encoding, skip = known
        self.encoding = encoding
        if skip:
            chunks = _dropped(chunks, skip)
        if encoding == "utf-8":
            yield from chunks
            return
        decoder = codecs.getincrementaldecoder(encoding)("replace")
        for chunk in chunks:
            text = decoder.decode(chunk)
            if text:
                if "\ufffd" in text:
                    self.invalid_text = True
                yield text.encode("utf-8", "replace")
        text = decoder.decode(b"", final=True)
        if text:
            self.invalid_text = True
            yield text.encode("utf-8", "replace")

    def head(self, size: int = SNIFF_BYTES) -> bytes:
        """The first `size` bytes of the content, decompressed and decoded to UTF-8."""
        raw = self.open()
        try:
            head = b""
            chunks = self._decoded(decompressed_chunks(raw, self.compression, RatioGuard()))
            try:
                for chunk in chunks:
                    head += chunk
                    if len(head) >= size:
                        break
            except (TruncatedError, BombError):
                pass
            return head[:size]
        finally:
            if raw is not getattr(sys.stdin, "buffer", None):
                raw.close()

    def _text_only(self, chunks: Iterator[bytes]) -> Iterator[bytes]:
        """A device is read while it gives text: /dev/zero or /dev/urandom would never end."""
        first = True
        for chunk in chunks:
            if first and looks_binary(chunk[:SNIFF_BYTES]):
                raise SourceError(f"{self._name}: a device that gives binary data, not a log")
            first = False
            yield chunk

    def _split_chunks(self, chunks: Iterator[bytes]) -> Iterator[list[str]]:
        tail = b""
        skipping = False  # inside the remainder of an over-long line
        while True:
            try:
                chunk = next(chunks, b"")
            except TruncatedError:
                self.truncated = True
                break
            except BombError as error:
                self.warnings.append(str(error))
                break
            if not chunk:
                break
            self.bytes_read += len(chunk)
            if skipping:
                newline = chunk.find(b"\n")
                if newline < 0:
                    continue
                chunk = chunk[newline + 1 :]
                skipping = False
            data = tail + chunk if tail else chunk
            cut = data.rfind(b"\n")
            if cut < 0:
                if len(data) > MAX_LINE_BYTES:
                    self.long_lines += 1
                    yield [self._decode(data[:MAX_LINE_BYTES])]
                    tail = b""
                    skipping = True
                else:
                    tail = data
                continue
            tail = data[cut + 1 :]
            yield self._split(self._decode(data[:cut]))
            if len(tail) > MAX_LINE_BYTES:
                self.long_lines += 1
                yield [self._decode(tail[:MAX_LINE_BYTES])]
                tail = b""
                skipping = True
        if tail:
            yield self._split(self._decode(tail))
        if self.invalid_text:
            self.warnings.append(f"invalid {self.encoding.upper()} replaced with U+FFFD")

    def _split(self, block: str) -> list[str]:
        lines = block.split("\n")
        if "\r" in block:
            lines = [line[:-1] if line.endswith("\r") else line for line in lines]
        if len(block) > MAX_LINE_BYTES:
            for index, line in enumerate(lines):
                if len(line) > MAX_LINE_BYTES:
                    self.long_lines += 1
                    lines[index] = line[:MAX_LINE_BYTES]
        return lines

    def _decode(self, data: bytes) -> str:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            self.invalid_utf8 = True
            return data.decode("utf-8", "replace")


def read_head(path: Path, size: int = SNIFF_BYTES) -> bytes:
    """The first `size` bytes of a file's content, decompressed and decoded to UTF-8 if it
    is compressed or UTF-16/32 (so that `looks_binary` tells text from binary). Raises
    `SourceError` for a format it cannot read (zip, zstd)."""
    return LineReader(path).head(size)


def sample_middle_and_end(path: Path, lines_each: int = 50, span: int = 32768) -> list[str]:
    """Lines from the middle and the end of a large uncompressed UTF-8 file, for format
    detection."""
    try:
        size = os.path.getsize(path)
        if size < 4 * span:
            return []
        with open(path, "rb") as raw:
            head = raw.read(4 + BOM_SNIFF_BYTES)
            if compression_of(head):
                return []
            found_encoding = encoding_of(head)
            if found_encoding is not None and found_encoding[0] != "utf-8":
                return []
            found: list[str] = []
            for offset in (size // 2, size - span):
                raw.seek(offset)
                block = raw.read(span).decode("utf-8", "replace").split("\n")[1:-1]
                found.extend(line.rstrip("\r") for line in block[:lines_each])
            return found
    except OSError:
        return []
