"""Hostile input: every case runs the CLI in a subprocess and must end within 30 s and 1 GiB,
with exit 0 or 2, no internal error and no traceback; an exit 2 says why in one line.

Compression bombs, FIFOs, devices, sockets, closed stdin, UTF-16/32, zip and zstd, JSON nested
20,000 deep, out-of-range option values and a broken report template.
"""

from __future__ import annotations

import base64
import gzip
import json
import lzma
import os
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from log_analyzer.sources.reader import (
    CHUNK_BYTES,
    BombError,
    LineReader,
    RatioGuard,
    decompressed_chunks,
)

LIMIT_SECONDS = 30
LIMIT_BYTES = 1 << 30

# 785 bytes of bzip2 that expand to 1 GiB of NUL bytes, and 785 that expand to 1 GiB of
# newlines (a billion empty lines): one stream each, as `bzip2 -9` writes it.
ZERO_BOMB_BZ2 = base64.b64decode(
    "QlpoOTFBWSZTWQ4J4t8BX45AAMAAAAggADCATUZCoCWpCoCXMUFZJlNZDgni3wFfjkAAwAAACCAAMIBNRkKgJakKgJcx"
    "QVkmU1kOCeLfAV+OQADAAAAIIAAwgE1GQqAlqQqAlzFBWSZTWQ4J4t8BX45AAMAAAAggADCATUZCoCWpCoCXMUFZJlNZ"
    "Dgni3wFfjkAAwAAACCAAMIBNRkKgJakKgJcxQVkmU1kOCeLfAV+OQADAAAAIIAAwgE1GQqAlqQqAlzFBWSZTWQ4J4t8B"
    "X45AAMAAAAggADCATUZCoCWpCoCXMUFZJlNZDgni3wFfjkAAwAAACCAAMIBNRkKgJakKgJcxQVkmU1kOCeLfAV+OQADA"
    "AAAIIAAwgE1GQqAlqQqAlzFBWSZTWQ4J4t8BX45AAMAAAAggADCATUZCoCWpCoCXMUFZJlNZDgni3wFfjkAAwAAACCAA"
    "MIBNRkKgJakKgJcxQVkmU1kOCeLfAV+OQADAAAAIIAAwgE1GQqAlqQqAlzFBWSZTWQ4J4t8BX45AAMAAAAggADCATUZC"
    "oCWpCoCXMUFZJlNZDgni3wFfjkAAwAAACCAAMIBNRkKgJakKgJcxQVkmU1kOCeLfAV+OQADAAAAIIAAwgE1GQqAlqQqA"
    "lzFBWSZTWQ4J4t8BX45AAMAAAAggADCATUZCoCWpCoCXMUFZJlNZDgni3wFfjkAAwAAACCAAMIBNRkKgJakKgJcxQVkm"
    "U1kOCeLfAV+OQADAAAAIIAAwgE1GQqAlqQqAlzFBWSZTWQ4J4t8BX45AAMAAAAggADCATUZCoCWpCoCXMUFZJlNZDgni"
    "3wFfjkAAwAAACCAAMIBNRkKgJakKgJcxQVkmU1kOCeLfAV+OQADAAAAIIAAwgE1GQqAlqQqAlzFBWSZTWQ4J4t8BX45A"
    "AMAAAAggADCATUZCoCWpCoCXMUFZJlNZDgni3wFfjkAAwAAACCAAMIBNRkKgJakKgJcxQVkmU1lIfF/JAIpSyADAAAAE"
    "AAggADDMBSmmkSJDYUSJDxdyRThQkPaI5AI="
)
NEWLINE_BOMB_BZ2 = base64.b64decode(
    "QlpoOTFBWSZTWStxu3EBX45AAIAQAAggADCATUZCoCWpCoCXMUFZJlNZK3G7cQFfjkAAgBAACCAAMIBNRkKgJakKgJcx"
    "QVkmU1krcbtxAV+OQACAEAAIIAAwgE1GQqAlqQqAlzFBWSZTWStxu3EBX45AAIAQAAggADCATUZCoCWpCoCXMUFZJlNZ"
    "K3G7cQFfjkAAgBAACCAAMIBNRkKgJakKgJcxQVkmU1krcbtxAV+OQACAEAAIIAAwgE1GQqAlqQqAlzFBWSZTWStxu3EB"
    "X45AAIAQAAggADCATUZCoCWpCoCXMUFZJlNZK3G7cQFfjkAAgBAACCAAMIBNRkKgJakKgJcxQVkmU1krcbtxAV+OQACA"
    "EAAIIAAwgE1GQqAlqQqAlzFBWSZTWStxu3EBX45AAIAQAAggADCATUZCoCWpCoCXMUFZJlNZK3G7cQFfjkAAgBAACCAA"
    "MIBNRkKgJakKgJcxQVkmU1krcbtxAV+OQACAEAAIIAAwgE1GQqAlqQqAlzFBWSZTWStxu3EBX45AAIAQAAggADCATUZC"
    "oCWpCoCXMUFZJlNZK3G7cQFfjkAAgBAACCAAMIBNRkKgJakKgJcxQVkmU1krcbtxAV+OQACAEAAIIAAwgE1GQqAlqQqA"
    "lzFBWSZTWStxu3EBX45AAIAQAAggADCATUZCoCWpCoCXMUFZJlNZK3G7cQFfjkAAgBAACCAAMIBNRkKgJakKgJcxQVkm"
    "U1krcbtxAV+OQACAEAAIIAAwgE1GQqAlqQqAlzFBWSZTWStxu3EBX45AAIAQAAggADCATUZCoCWpCoCXMUFZJlNZK3G7"
    "cQFfjkAAgBAACCAAMIBNRkKgJakKgJcxQVkmU1krcbtxAV+OQACAEAAIIAAwgE1GQqAlqQqAlzFBWSZTWStxu3EBX45A"
    "AIAQAAggADCATUZCoCWpCoCXMUFZJlNZK3G7cQFfjkAAgBAACCAAMIBNRkKgJakKgJcxQVkmU1nS4fPHAIpSyACAEAAE"
    "AAggADDMBSmmkSJDYUSJDxdyRThQkM+mDvA="
)

SPRING = (
    "2026-11-28T14:02:{s:02d}.118Z ERROR 1 --- [checkout-service] [nio-8080-exec-7] "
    "c.e.checkout.cart.CartService          : Cart lookup failed for cart 5f2a{n}\n"
    "2026-11-28T14:02:{s:02d}.200Z  INFO 1 --- [checkout-service] [nio-8080-exec-7] "
    "c.e.checkout.cart.CartService          : cart {n} ok\n"
)
ERRORS = 60
TEXT = "".join(SPRING.format(s=n % 60, n=n) for n in range(ERRORS))


@dataclass
class Run:
    code: int | None  # None: killed at the time limit
    seconds: float
    peak_bytes: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]


# The CLI runs as a grandchild: a child forked from pytest would report pytest's own peak
# memory as its ru_maxrss (Linux keeps the high-water mark of the memory it was forked with
# across exec). The small Python in between forks it afresh and reports its status and peak.
_SPAWN = r"""
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.executable, [sys.executable, "-m", "log_analyzer", *sys.argv[2:]])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as out:
    out.write(f"{os.waitstatus_to_exitcode(status)} {usage.ru_maxrss}")
"""


def run_cli(
    *args: str,
    cwd: Path,
    stdin: str | Path | None = None,
    closed_stdin: bool = False,
    env: dict[str, str] | None = None,
) -> Run:
    """`log-analyzer ARGS` in a subprocess, killed at LIMIT_SECONDS, with its exit status
    and peak memory (its own ru_maxrss)."""
    out_path, err_path, status_path = cwd / ".out", cwd / ".err", cwd / ".status"
    status_path.unlink(missing_ok=True)

    def prepare() -> None:
        # a safety net for the machine: a run that passes stays far below it
        resource.setrlimit(resource.RLIMIT_AS, (4 * LIMIT_BYTES, 4 * LIMIT_BYTES))
        if closed_stdin:
            os.close(0)

    stdin_handle = open(stdin, "rb") if stdin is not None else subprocess.DEVNULL  # noqa: SIM115
    try:
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            start = time.monotonic()
            process = subprocess.Popen(
                [sys.executable, "-c", _SPAWN, str(status_path), *args],
                stdin=None if closed_stdin else stdin_handle,
                stdout=out,
                stderr=err,
                cwd=cwd,
                env={**os.environ, "COLUMNS": "200", "LOG_ANALYZER_FIFO_WAIT": "1", **(env or {})},
                preexec_fn=prepare,
                start_new_session=True,
            )
            try:
                process.wait(LIMIT_SECONDS)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            seconds = time.monotonic() - start
    finally:
        if stdin is not None:
            stdin_handle.close()  # type: ignore[union-attr]
    code: int | None = None
    peak = 0
    if status_path.exists():
        code_text, peak_text = status_path.read_text().split()
        code, peak = int(code_text), int(peak_text) * 1024
    return Run(
        code,
        seconds,
        peak,
        out_path.read_text(errors="replace"),
        err_path.read_text(errors="replace"),
    )


def check(run: Run, *, code: int | None = None) -> Run:
    """The common contract: in time, in memory, exit 0 or 2, no internal error; exit 2 is one
    line on stderr."""
    assert run.code is not None, f"still running after {LIMIT_SECONDS} s: {run.err[-300:]}"
    assert run.seconds < LIMIT_SECONDS
    assert run.peak_bytes < LIMIT_BYTES, f"peak {run.peak_bytes / 2**20:.0f} MiB"
    assert "internal error" not in run.err and "Traceback" not in run.err, run.err[-500:]
    assert run.code in (0, 2), (run.code, run.err[-500:])
    if code is not None:
        assert run.code == code, run.err[-500:]
    if run.code == 2:
        assert len(run.err_lines) == 1, run.err
        assert run.err_lines[0].startswith("log-analyzer: error: "), run.err
    return run


def error_count(run: Run) -> int:
    return sum(group["count"] for group in json.loads(run.out)["groups"])


@pytest.fixture
def plain(tmp_path: Path) -> Path:
    path = tmp_path / "app.log"
    path.write_text(TEXT)
    return path


# --- compression bombs: streamed, bounded, stopped with a warning -----------------------------


def _compress_zeros(make: Callable[[], Any], total: int) -> bytes:
    compressor = make()
    block = bytes(16 << 20)
    parts: list[bytes] = [compressor.compress(block) for _ in range(total // len(block))]
    return b"".join(parts) + bytes(compressor.flush())


@pytest.fixture(scope="module")
def bombs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """bzip2 (785 bytes), xz (about 156 KB) and gzip (about 1 MB) that each expand to 1 GiB."""
    folder = tmp_path_factory.mktemp("bombs")
    (folder / "zeros.log.bz2").write_bytes(ZERO_BOMB_BZ2)
    (folder / "newlines.log.bz2").write_bytes(NEWLINE_BOMB_BZ2)
    (folder / "zeros.log.xz").write_bytes(
        _compress_zeros(lambda: lzma.LZMACompressor(preset=1), 1 << 30)
    )
    (folder / "zeros.log.gz").write_bytes(
        _compress_zeros(lambda: zlib.compressobj(6, zlib.DEFLATED, 31), 1 << 30)
    )
    return folder


@pytest.mark.parametrize("name", ["zeros.log.bz2", "newlines.log.bz2", "zeros.log.xz"])
def test_a_decompression_bomb_is_stopped_with_a_warning(bombs: Path, name: str) -> None:
    run = check(run_cli("errors", str(bombs / name), "-q", cwd=bombs), code=0)
    assert "decompression bomb" in run.err, run.err
    assert run.peak_bytes < 256 << 20, f"peak {run.peak_bytes / 2**20:.0f} MiB"


def test_a_gzip_of_a_gibibyte_is_streamed_not_loaded(bombs: Path) -> None:
    run = check(run_cli("sources", str(bombs / "zeros.log.gz"), "-q", cwd=bombs), code=0)
    assert run.peak_bytes < 256 << 20, f"peak {run.peak_bytes / 2**20:.0f} MiB"


def test_decompression_yields_bounded_chunks() -> None:
    """However much one compressed chunk expands to, no decompressed chunk exceeds
    CHUNK_BYTES (the reader never holds a whole bomb)."""
    import io

    sizes = []
    unguarded = RatioGuard(limit=0)
    for chunk in decompressed_chunks(io.BytesIO(ZERO_BOMB_BZ2), "bzip2", unguarded):
        sizes.append(len(chunk))
        if len(sizes) == 40:
            break
    assert max(sizes) <= CHUNK_BYTES
    assert sum(sizes) == 40 * CHUNK_BYTES


def test_the_ratio_guard_stops_a_bomb_early() -> None:
    import io

    guard = RatioGuard()
    read = 0
    with pytest.raises(BombError, match="decompression bomb"):
        for chunk in decompressed_chunks(io.BytesIO(ZERO_BOMB_BZ2), "bzip2", guard):
            read += len(chunk)
    assert read <= 4 << 20


def test_a_legitimate_highly_compressible_log_is_read_whole(tmp_path: Path) -> None:
    """Real logs compress 10 to 200 times; the guard leaves them alone."""
    lines = [
        f"2026-11-28T14:{i // 6000 % 60:02d}:{i // 100 % 60:02d}.{i % 1000:03d}Z INFO 1 --- "
        f"[main] c.e.Health : health check ok\n"
        for i in range(120_000)
    ]
    data = "".join(lines).encode()
    path = tmp_path / "health.log.xz"
    path.write_bytes(lzma.compress(data, preset=9))
    assert 100 < len(data) / path.stat().st_size < 500
    reader = LineReader(path)
    assert sum(1 for _ in reader.lines()) == len(lines)
    assert reader.warnings == []


# --- FIFOs, devices, sockets ------------------------------------------------------------------


def test_a_fifo_without_a_writer_is_one_line_not_a_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "app.log"
    os.mkfifo(fifo)
    run = check(run_cli("errors", str(fifo), "-q", cwd=tmp_path), code=2)
    assert "FIFO" in run.err and "no writer" in run.err


def test_a_fifo_named_explicitly_is_read(tmp_path: Path) -> None:
    fifo = tmp_path / "checkout.log"
    os.mkfifo(fifo)

    def write() -> None:
        with open(fifo, "w") as pipe:  # blocks until the reader opens it
            pipe.write(TEXT)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    run = check(run_cli("errors", str(fifo), "-q", "--json", cwd=tmp_path), code=0)
    writer.join(5)
    assert error_count(run) == ERRORS


def test_a_fifo_in_a_directory_is_skipped_with_a_warning(tmp_path: Path, plain: Path) -> None:
    os.mkfifo(tmp_path / "pipe.log")
    run = check(run_cli("errors", str(tmp_path), "-q", "--json", cwd=tmp_path), code=0)
    assert "pipe.log: not a regular file (a FIFO), skipped" in run.err
    assert error_count(run) == ERRORS


def test_a_fifo_matched_by_a_glob_is_skipped_with_a_warning(tmp_path: Path, plain: Path) -> None:
    os.mkfifo(tmp_path / "pipe.log")
    run = check(run_cli("errors", str(tmp_path / "*.log"), "-q", "--json", cwd=tmp_path), code=0)
    assert "pipe.log: not a regular file (a FIFO), skipped" in run.err
    assert error_count(run) == ERRORS


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_an_endless_binary_device_is_refused(tmp_path: Path, device: str) -> None:
    if not os.path.exists(device):
        pytest.skip(f"no {device}")
    run = check(run_cli("errors", device, "-q", cwd=tmp_path), code=2)
    assert device in run.err


def test_dev_null_is_an_empty_input(tmp_path: Path) -> None:
    check(run_cli("errors", "/dev/null", "-q", cwd=tmp_path), code=0)


def test_a_socket_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "s.log"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        run = check(run_cli("errors", str(path), "-q", cwd=tmp_path), code=2)
        assert "socket" in run.err
    finally:
        server.close()


# --- standard input ---------------------------------------------------------------------------


def test_closed_stdin_is_one_line(tmp_path: Path) -> None:
    run = check(run_cli("errors", "-", "-q", cwd=tmp_path, closed_stdin=True), code=2)
    assert "standard input" in run.err


def test_utf16_on_stdin_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "in.bin"
    path.write_bytes(TEXT.encode("utf-16"))
    run = check(run_cli("errors", "-", "-q", "--json", cwd=tmp_path, stdin=path), code=0)
    assert error_count(run) == ERRORS


# --- encodings and archives -------------------------------------------------------------------

ENCODED: dict[str, Callable[[str], bytes]] = {
    "utf-16-le": lambda text: b"\xff\xfe" + text.encode("utf-16-le"),
    "utf-16-be": lambda text: b"\xfe\xff" + text.encode("utf-16-be"),
    "utf-32-le": lambda text: b"\xff\xfe\x00\x00" + text.encode("utf-32-le"),
    "utf-32-be": lambda text: b"\x00\x00\xfe\xff" + text.encode("utf-32-be"),
    "utf-8-sig": lambda text: b"\xef\xbb\xbf" + text.encode(),
    "utf-16-gzip": lambda text: gzip.compress(text.encode("utf-16")),
}


@pytest.mark.parametrize("encoding", list(ENCODED))
def test_a_byte_order_mark_sets_the_encoding(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "app.log"
    path.write_bytes(ENCODED[encoding](TEXT))
    run = check(run_cli("errors", str(path), "-q", "--json", cwd=tmp_path), code=0)
    assert error_count(run) == ERRORS
    assert "invalid UTF-8" not in run.err


def test_utf16_files_are_found_in_a_directory_walk(tmp_path: Path) -> None:
    (tmp_path / "app.log").write_bytes(TEXT.encode("utf-16"))
    run = check(run_cli("errors", str(tmp_path), "-q", "--json", cwd=tmp_path), code=0)
    assert "binary" not in run.err
    assert error_count(run) == ERRORS


def test_utf16_is_decoded_in_the_cached_and_parallel_paths(tmp_path: Path) -> None:
    path = tmp_path / "app.log"
    path.write_bytes(TEXT.encode("utf-16"))
    for _ in range(2):  # the second run answers from the index
        run = check(run_cli("errors", str(path), "-q", "--json", "--jobs", "2", cwd=tmp_path))
        assert error_count(run) == ERRORS


def _zstd(data: bytes) -> bytes:
    # a real frame needs zstd; the magic number alone is what the reader looks at
    return b"\x28\xb5\x2f\xfd" + b"\x04\x58" + data


@pytest.mark.parametrize(
    ("name", "kind"), [("app.log.zip", "zip archive"), ("app.log.zst", "zstd-compressed")]
)
def test_zip_and_zstd_are_refused_in_one_line(tmp_path: Path, name: str, kind: str) -> None:
    path = tmp_path / name
    if name.endswith(".zip"):
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("app.log", TEXT)
    else:
        path.write_bytes(_zstd(TEXT.encode()))
    run = check(run_cli("errors", str(path), "-q", cwd=tmp_path), code=2)
    assert kind in run.err


def test_zip_and_zstd_in_a_directory_are_skipped_with_a_warning(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "old.zip", "w") as archive:
        archive.writestr("app.log", TEXT)
    (tmp_path / "old.log.zst").write_bytes(_zstd(TEXT.encode()))
    (tmp_path / "app.log").write_text(TEXT)
    run = check(run_cli("errors", str(tmp_path), "-q", "--json", cwd=tmp_path), code=0)
    assert "old.log.zst: zstd-compressed" in run.err
    assert error_count(run) == ERRORS


def test_zip_and_zstd_matched_by_a_glob_are_skipped_with_a_warning(tmp_path: Path) -> None:
    (tmp_path / "old.log.zst").write_bytes(_zstd(TEXT.encode()))
    (tmp_path / "app.log").write_text(TEXT)
    run = check(run_cli("errors", str(tmp_path / "*.log*"), "-q", "--json", cwd=tmp_path), code=0)
    assert "old.log.zst: zstd-compressed" in run.err
    assert error_count(run) == ERRORS


def test_zstd_on_stdin_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "in.zst"
    path.write_bytes(_zstd(TEXT.encode()))
    run = check(run_cli("errors", "-", "-q", cwd=tmp_path, stdin=path), code=2)
    assert "zstd" in run.err


# --- deep JSON --------------------------------------------------------------------------------

DEEP = 20_000


@pytest.fixture
def deep_json(tmp_path: Path) -> Path:
    path = tmp_path / "deep.jsonl"
    # (first: a line no format reads right after a JSON record would continue that record)
    path.write_text(
        '{"a":' * DEEP
        + "1"
        + "}" * DEEP
        + "\n"
        + '{"log":'
        + "[" * DEEP
        + "]" * DEEP
        + "}\n"
        + '{"level":"error","msg":"first"}\n'
        + '{"level":"error","msg":"last"}\n'
    )
    return path


def test_deeply_nested_json_is_kept_as_text_and_counted_unparsed(
    tmp_path: Path, deep_json: Path
) -> None:
    run = check(run_cli("sources", str(deep_json), "--json", "-q", cwd=tmp_path), code=0)
    source = json.loads(run.out)["sources"][0]
    assert source["records"] == 4
    assert source["unparsed"] == 2


def test_deeply_nested_json_in_parse_and_errors(tmp_path: Path, deep_json: Path) -> None:
    check(run_cli("parse", str(deep_json), "--jsonl", cwd=tmp_path), code=0)
    run = check(run_cli("errors", str(deep_json), "--json", "-q", cwd=tmp_path), code=0)
    assert error_count(run) == 2


def test_deeply_nested_json_in_a_directory_named_json(tmp_path: Path) -> None:
    (tmp_path / "doc.json").write_text("[" * DEEP + "]" * DEEP + "\n")
    (tmp_path / "app.log").write_text(TEXT)
    check(run_cli("errors", str(tmp_path), "--json", "-q", cwd=tmp_path), code=0)


def test_mcp_starts_with_deeply_nested_json_loaded(tmp_path: Path, deep_json: Path) -> None:
    run = check(run_cli("mcp", str(deep_json), cwd=tmp_path), code=0)
    assert "serving" in run.err


# --- option values ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["errors", "app.log", "--tz", "+99:00"], "--tz '+99:00'"),
        (["errors", "app.log", "--tz", "-24:00"], "--tz '-24:00'"),
        (["errors", "app.log", "--tz", "+0299"], "--tz '+0299'"),
        (["errors", "app.log", "--since", "999999999999d"], "--since '999999999999d'"),
        (["errors", "app.log", "--until", "99999999999999999999h"], "--until"),
        (["investigate", "app.log", "--since", "99999999999999999999999999999.5d"], "--since"),
        (["errors", "app.log", "--limit", "0"], "--limit"),
        (["errors", "app.log", "--jobs", "0"], "--jobs"),
        (["parse", "app.log", "--limit", "-5"], "--limit"),
        (["errors", "app.log", "--year", "abc"], "--year"),
        (["errors", "app.log", "--no-such-option"], "--no-such-option"),
        (["errors"], "PATH"),
        (["no-such-command"], "no-such-command"),
        (["trend", "app.log", "--bucket", "99999999999999999999h"], "--bucket"),
    ],
)
def test_a_bad_option_value_is_one_line_and_exit_2(
    tmp_path: Path, plain: Path, args: list[str], says: str
) -> None:
    run = check(run_cli(*args, cwd=tmp_path), code=2)
    assert says in run.err_lines[0]
    assert "Usage:" not in run.err


def test_a_jinja_syntax_error_in_a_template_is_one_line(tmp_path: Path, plain: Path) -> None:
    template = tmp_path / "mine.md.j2"
    template.write_text("# {{ title }}\n{% if %}\n")
    run = check(run_cli("report", "app.log", "--template", str(template), cwd=tmp_path), code=2)
    assert "mine.md.j2" in run.err and "line 2" in run.err


@pytest.mark.parametrize(
    "body",
    ["{{ no_such_fact }}", "{{ 1 / 0 }}", "{% include 'missing.j2' %}", "\udcff"],
    ids=["undefined", "zero-division", "missing-include", "not-utf8"],
)
def test_a_template_that_fails_to_render_is_one_line(
    tmp_path: Path, plain: Path, body: str
) -> None:
    template = tmp_path / "mine.md.j2"
    template.write_bytes(body.encode("utf-8", "surrogateescape"))
    run = check(run_cli("report", "app.log", "--template", str(template), cwd=tmp_path), code=2)
    assert "mine.md.j2" in run.err


def test_the_plain_log_itself_is_fine(tmp_path: Path, plain: Path) -> None:
    run = check(run_cli("errors", "app.log", "-q", "--json", cwd=tmp_path), code=0)
    assert error_count(run) == ERRORS


@pytest.mark.parametrize(
    "args",
    [
        ("parse", "--jsonl"),
        ("errors", "--json"),
        ("investigate", "--json"),
        ("report", "--format", "html", "-o", "report.html"),
    ],
)
def test_a_lone_surrogate_escape_in_json_is_replaced_not_fatal(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    """Half of an emoji, cut by a logger that truncates messages: `json.loads` keeps the lone
    surrogate and no UTF-8 writer (stdout, JSON, the report) can write it."""
    log = tmp_path / "app.log"
    log.write_text(
        '{"level":"error","time":"2026-11-28T14:02:03.118Z","msg":"reply to \\ud83d cut"}\n'
        '{"level":"error","time":"2026-11-28T14:02:04.118Z","msg":"paired \\ud83d\\ude00 ok",'
        '"user":{"\\udc00name":"x"}}\n'
        '{"level":"info","time":"2026-11-28T14:02:05.000Z","msg":"retrying"}\n'
    )
    done = run_cli(*args, str(log), "--no-cache", cwd=tmp_path)
    assert done.code == 0, done.err
    if args[0] == "parse":
        rows = [json.loads(line) for line in done.out.splitlines()]
        assert rows[0]["message"] == "reply to \ufffd cut"
        assert rows[1]["message"] == "paired \U0001f600 ok"  # a whole pair is one character
        assert rows[1]["fields"]["user"] == {"\ufffdname": "x"}
