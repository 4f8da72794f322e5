"""Reading a source as a stream of decoded lines, never the whole file in memory.

Compression is recognised by magic bytes, not by name. Lines over `MAX_LINE_BYTES` are cut for
analysis but still counted; invalid UTF-8 is decoded with replacement characters; a truncated
archive yields what it holds and says so.
"""

from __future__ import annotations

import bz2
import io
import lzma
import os
import sys
import zlib
from collections.abc import Iterator
from itertools import chain
from pathlib import Path
from typing import IO, Any

MAX_LINE_BYTES = 1 << 20
CHUNK_BYTES = 1 << 20
SNIFF_BYTES = 8192

_MAGIC = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
)


def compression_of(head: bytes) -> str | None:
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    return None


def _decompressor(compression: str) -> Any:
    if compression == "gzip":
        return zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    if compression == "bzip2":
        return bz2.BZ2Decompressor()
    return lzma.LZMADecompressor()


def decompressed_chunks(raw: IO[bytes], compression: str | None) -> Iterator[bytes]:
    """The content of `raw` in chunks, decompressed. Driving the decompressor by hand (not
    through GzipFile) keeps every byte a truncated archive holds; concatenated members (as
    `cat a.gz b.gz` makes) are read one after the other. Raises `TruncatedError` at the end
    of a stream that stops inside a member."""
    if compression is None:
        while chunk := raw.read(CHUNK_BYTES):
            yield chunk
        return
    decompressor = _decompressor(compression)
    pending = b""
    while True:
        data = pending or raw.read(CHUNK_BYTES // 4)
        pending = b""
        if not data:
            break
        try:
            out = decompressor.decompress(data)
        except (OSError, EOFError, zlib.error, lzma.LZMAError) as error:
            raise TruncatedError(str(error)) from None
        if out:
            yield out
        if decompressor.eof:
            pending = decompressor.unused_data or raw.read(CHUNK_BYTES // 4)
            if not pending.strip(b"\x00"):  # the end, or trailing padding
                return
            decompressor = _decompressor(compression)  # another member follows
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


class TruncatedError(Exception):
    """A compressed stream that stops before its end (a copy cut short, a file being written)."""


def looks_binary(head: bytes) -> bool:
    """NUL bytes do not occur in text logs (UTF-16 aside); they do in every binary format."""
    return b"\x00" in head


class LineReader:
    """Iterates the lines of one file (or stdin), counting what it had to cut or replace."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.compression: str | None = None
        self.long_lines = 0
        self.invalid_utf8 = False
        self.truncated = False
        self.bytes_read = 0

    def open(self) -> IO[bytes]:
        """The raw (possibly compressed) byte stream; sets `compression` from magic bytes."""
        if self.path is None:
            stdin = sys.stdin.buffer
            peekable: IO[bytes] = stdin
            if not isinstance(stdin, io.BufferedReader):  # replaced by a test harness
                peekable = io.BufferedReader(stdin)  # type: ignore[type-var]
            peek = getattr(peekable, "peek", None)
            self.compression = compression_of(peek(8)[:8]) if peek else None
            return peekable
        raw = open(self.path, "rb")  # noqa: SIM115 - closed by `lines`
        self.compression = compression_of(raw.read(8))
        raw.seek(0)
        return raw

    def lines(self, byte_range: tuple[int, int] | None = None) -> Iterator[str]:
        """Each line without its line ending. Reads in chunks; a line longer than the cap is
        cut at the cap and the rest of it skipped. Lines come in blocks, one list per chunk,
        flattened in C: no generator frame per line. `byte_range` (start, end) reads that part
        of an uncompressed file only; both ends must fall on line starts."""
        return chain.from_iterable(self._blocks(byte_range))

    def _blocks(self, byte_range: tuple[int, int] | None) -> Iterator[list[str]]:
        raw = self.open()
        try:
            if byte_range is None:
                chunks = decompressed_chunks(raw, self.compression)
            else:
                chunks = _range_chunks(raw, *byte_range)
            yield from self._split_chunks(chunks)
        finally:
            if raw is not sys.stdin.buffer:
                raw.close()

    def _split_chunks(self, chunks: Iterator[bytes]) -> Iterator[list[str]]:
        tail = b""
        skipping = False  # inside the remainder of an over-long line
        while True:
            try:
                chunk = next(chunks, b"")
            except TruncatedError:
                self.truncated = True
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
    """The first `size` bytes of a file's content, decompressed if it is compressed."""
    with open(path, "rb") as raw:
        compression = compression_of(raw.read(8))
        raw.seek(0)
        head = b""
        try:
            for chunk in decompressed_chunks(raw, compression):
                head += chunk
                if len(head) >= size:
                    break
        except TruncatedError:
            pass
        return head[:size]


def sample_middle_and_end(path: Path, lines_each: int = 50, span: int = 32768) -> list[str]:
    """Lines from the middle and the end of a large uncompressed file, for format detection."""
    try:
        size = os.path.getsize(path)
        if size < 4 * span:
            return []
        with open(path, "rb") as raw:
            if compression_of(raw.read(8)):
                return []
            found: list[str] = []
            for offset in (size // 2, size - span):
                raw.seek(offset)
                block = raw.read(span).decode("utf-8", "replace").split("\n")[1:-1]
                found.extend(line.rstrip("\r") for line in block[:lines_each])
            return found
    except OSError:
        return []
