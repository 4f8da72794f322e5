"""Sources: directories, globs, stdin, compression, rotation order, and bad input."""

from __future__ import annotations

import bz2
import gzip
import lzma
import os
import subprocess
import sys
from pathlib import Path

import pytest

from log_analyzer.errors import SourceError
from log_analyzer.ingest import open_paths, parse_paths
from log_analyzer.sources.discover import discover
from log_analyzer.sources.reader import MAX_LINE_BYTES

SPRING = (
    "2026-11-28T14:02:0{n}.118Z ERROR 1 --- [checkout-service] [nio-8080-exec-7] "
    "c.e.checkout.cart.CartService          : Cart lookup failed for cart 5f2a{n}\n"
)


def spring_lines(count: int, start: int = 0) -> str:
    return "".join(SPRING.format(n=(start + i) % 10) for i in range(count))


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, str):
        text = text.encode()
    path.write_bytes(text)
    return path


def test_directory_is_walked_recursively_and_binary_files_are_skipped(tmp_path: Path) -> None:
    write(tmp_path / "checkout-service.log", spring_lines(3))
    write(
        tmp_path / "redis" / "redis-server.log",
        "1:M 28 Nov 2026 14:01:58.332 # Background saving error\n",
    )
    write(tmp_path / "core.dump", b"\x7fELF\x02\x01\x01\x00\x00\x00" * 10)
    workspace = open_paths([str(tmp_path)])
    names = [Path(s.source.display).name for s in workspace.stats]
    assert names == ["checkout-service.log", "redis-server.log"]
    assert any("core.dump: binary file, skipped" in w for w in workspace.warnings)
    records = list(workspace.records())
    assert [r.service for r in records] == ["checkout-service"] * 3 + ["redis"]


@pytest.mark.parametrize(
    ("suffix", "compress"),
    [(".gz", gzip.compress), (".bz2", bz2.compress), (".xz", lzma.compress)],
)
def test_compressed_files_are_read_by_magic_bytes(tmp_path, suffix, compress) -> None:
    path = write(tmp_path / f"app.log{suffix}", compress(spring_lines(5).encode()))
    records = parse_paths([str(path)])
    assert len(records) == 5
    assert records[0].format == "spring-boot"
    assert records[4].message == "Cart lookup failed for cart 5f2a4"


def test_rotated_set_is_read_oldest_first(tmp_path: Path) -> None:
    write(tmp_path / "app.log", spring_lines(1, start=3))
    write(tmp_path / "app.log.1", spring_lines(1, start=2))
    write(tmp_path / "app.log.2.gz", gzip.compress(spring_lines(1, start=1).encode()))
    write(tmp_path / "app.log.10.gz", gzip.compress(spring_lines(1, start=0).encode()))
    records = parse_paths([str(tmp_path)])
    assert [Path(r.file).name for r in records] == [
        "app.log.10.gz",
        "app.log.2.gz",
        "app.log.1",
        "app.log",
    ]
    stamps = [r.timestamp for r in records if r.timestamp is not None]
    assert len(stamps) == 4
    assert stamps == sorted(stamps)
    assert {r.service for r in records} == {"checkout-service"}  # the records name it


def test_glob_pattern_is_expanded_when_the_shell_did_not(tmp_path: Path) -> None:
    write(tmp_path / "a.log", spring_lines(1))
    write(tmp_path / "b.log", spring_lines(2))
    write(tmp_path / "c.txt", spring_lines(4))
    records = parse_paths([str(tmp_path / "*.log")])
    assert len(records) == 3


def test_same_file_named_twice_is_read_once(tmp_path: Path) -> None:
    path = write(tmp_path / "a.log", spring_lines(2))
    assert len(parse_paths([str(path), str(tmp_path)])) == 2


def test_missing_path_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file or directory"):
        discover([str(tmp_path / "nope.log")])


def test_directory_without_logs_is_a_source_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    write(tmp_path / "empty" / "image.bin", b"\x00\x01\x02" * 100)
    with pytest.raises(SourceError, match="no log files"):
        discover([str(tmp_path / "empty")])


def test_glob_without_match_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no file matches"):
        discover([str(tmp_path / "*.log")])


def test_empty_file_yields_no_records_and_no_error(tmp_path: Path) -> None:
    path = write(tmp_path / "empty.log", b"")
    workspace = open_paths([str(path)])
    assert list(workspace.records()) == []
    assert workspace.stats[0].lines == 0


def test_invalid_utf8_is_replaced_and_counted(tmp_path: Path) -> None:
    spring = spring_lines(1).replace("5f2a0", "caf\udce9").encode("utf-8", "surrogateescape")
    path = write(tmp_path / "bad.log", b"\xff\xfe broken header\n" + spring)
    workspace = open_paths([str(path)])
    records = list(workspace.records())
    assert [(r.line, r.format) for r in records] == [(1, "plain"), (2, "spring-boot")]
    assert records[0].message == "\ufffd\ufffd broken header"
    assert records[0].timestamp is None
    assert records[1].message == "Cart lookup failed for cart caf\ufffd"
    stats = workspace.stats[0]
    assert stats.unparsed == 1
    assert any("invalid UTF-8" in w for w in stats.warnings)


def test_header_less_line_continues_the_record_before_it(tmp_path: Path) -> None:
    text = spring_lines(1) + "Retrying in 2 seconds (attempt 1/5)\n" + spring_lines(1, start=1)
    records = parse_paths([str(write(tmp_path / "app.log", text))])
    assert [(r.line, r.end_line) for r in records] == [(1, 2), (3, 3)]
    assert records[0].message.endswith("\nRetrying in 2 seconds (attempt 1/5)")


def test_five_mib_line_is_cut_but_counted(tmp_path: Path) -> None:
    huge = "x" * (5 * 1024 * 1024)
    path = write(tmp_path / "huge.log", huge + "\n" + spring_lines(2))
    workspace = open_paths([str(path)])
    records = list(workspace.records())
    assert [r.line for r in records] == [1, 2, 3]
    assert len(records[0].message) == MAX_LINE_BYTES
    assert records[0].format == "plain"
    assert records[2].message == "Cart lookup failed for cart 5f2a1"
    assert workspace.stats[0].lines == 3
    assert workspace.stats[0].long_lines == 1


def test_truncated_gzip_keeps_what_it_holds(tmp_path: Path) -> None:
    data = gzip.compress(spring_lines(2000).encode())
    path = write(tmp_path / "app.log.1.gz", data[: len(data) // 2])
    workspace = open_paths([str(path)])
    records = list(workspace.records())
    assert 0 < len(records) < 2000
    assert all(r.format == "spring-boot" or r.line == len(records) for r in records)
    assert any("truncated" in w for w in workspace.stats[0].warnings)


def test_binary_file_named_explicitly_is_read_without_crashing(tmp_path: Path) -> None:
    path = write(tmp_path / "blob.log", bytes(range(256)) * 64)
    workspace = open_paths([str(path)])
    records = list(workspace.records())
    assert workspace.stats[0].records == len(records)
    assert all(r.timestamp is None for r in records)


def run_cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "log_analyzer", *args],
        input=stdin,
        capture_output=True,
        timeout=60,
        check=False,
        env={**os.environ, "COLUMNS": "200"},
    )


def test_stdin_is_read_with_dash() -> None:
    result = run_cli("parse", "-", "--jsonl", stdin=spring_lines(3).encode())
    assert result.returncode == 0, result.stderr
    lines = result.stdout.decode().splitlines()
    assert len(lines) == 3
    assert '"file":"-"' in lines[0]
    assert '"service":"checkout-service"' in lines[0]


def test_gzip_on_stdin_is_decompressed() -> None:
    result = run_cli("parse", "-", "--jsonl", stdin=gzip.compress(spring_lines(2).encode()))
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sources", "/nonexistent/app.log"], "/nonexistent/app.log: no such file or directory"),
        (["parse", "x.log", "--format", "klingon"], "unknown format 'klingon'"),
        (["parse", "x.log", "--tz", "Mars/Olympus"], "--tz 'Mars/Olympus': not a time zone"),
        (["parse", "x.log", "--date", "yesterday"], "--date 'yesterday': expected YYYY-MM-DD"),
        (["parse", "x.log", "--min-level", "loud"], "--min-level 'loud'"),
    ],
)
def test_bad_input_is_one_line_and_non_zero(args: list[str], message: str) -> None:
    result = run_cli(*args)
    assert result.returncode == 2
    err = result.stderr.decode()
    assert message in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_concatenated_gzip_members_are_all_read(tmp_path: Path) -> None:
    data = gzip.compress(spring_lines(3).encode()) + gzip.compress(spring_lines(4).encode())
    path = write(tmp_path / "app.log.3.gz", data)
    workspace = open_paths([str(path)])
    assert len(list(workspace.records())) == 7
    assert workspace.stats[0].warnings == []
