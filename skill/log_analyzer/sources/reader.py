"""Reading a source as a stream of decoded lines, never the whole file in memory.

Compression is recognised by magic bytes, not by name. Lines over `MAX_LINE_BYTES` are cut for
analysis but still counted; invalid UTF-8 is decoded with replacement characters; a truncated
archive yields what it holds and says so.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

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


def open_decompressed(raw: IO[bytes], compression: str | None) -> IO[bytes]:
    if compression == "gzip":
        return gzip.GzipFile(fileobj=raw)  # type: ignore[return-value]
    if compression == "bzip2":
        return bz2.BZ2File(raw)  # type: ignore[return-value]
    if compression == "xz":
        return lzma.LZMAFile(raw)  # type: ignore[return-value]
    return raw


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
        raw: IO[bytes]
        if self.path is None:
            stdin = sys.stdin.buffer
            peekable = stdin if isinstance(stdin, io.BufferedReader) else io.BufferedReader(stdin)  # type: ignore[arg-type]
            self.compression = compression_of(peekable.peek(8)[:8])
            return open_decompressed(peekable, self.compression)
        raw = open(self.path, "rb")  # noqa: SIM115 - closed by the caller
        self.compression = compression_of(raw.read(8))
        raw.seek(0)
        return open_decompressed(raw, self.compression)

    def lines(self) -> Iterator[str]:
        """Each line without its line ending. Reads in chunks; a line longer than the cap is
        cut at the cap and the rest of it skipped."""
        stream = self.open()
        try:
            yield from self._lines(stream)
        finally:
            stream.close()

    def _lines(self, stream: IO[bytes]) -> Iterator[str]:
        tail = b""
        skipping = False  # inside the remainder of an over-long line
        while True:
            try:
                chunk = stream.read(CHUNK_BYTES)
            except (EOFError, OSError, zlib.error, lzma.LZMAError):
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
                    yield self._decode(data[:MAX_LINE_BYTES])
                    tail = b""
                    skipping = True
                else:
                    tail = data
                continue
            tail = data[cut + 1 :]
            if len(tail) > MAX_LINE_BYTES:
                self.long_lines += 1
                block = self._decode(data[:cut])
                yield from self._split(block)
                yield self._decode(tail[:MAX_LINE_BYTES])
                tail = b""
                skipping = True
                continue
            yield from self._split(self._decode(data[:cut]))
        if tail:
            yield from self._split(self._decode(tail))

    def _split(self, block: str) -> Iterator[str]:
        for line in block.split("\n"):
            if len(line) > MAX_LINE_BYTES:
                self.long_lines += 1
                line = line[:MAX_LINE_BYTES]
            yield line[:-1] if line.endswith("\r") else line

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
        stream = open_decompressed(raw, compression)
        try:
            return stream.read(size)
        except (EOFError, OSError, zlib.error, lzma.LZMAError):
            return b""


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
