"""`parse --jsonl` in one read (`render.jsonl_spool`): the lines spooled while the files are mined
are, byte for byte, the lines of the record path that reads every file twice, on one file and
on several merged in time order, cut into parts or whole, in workers or in this process; and
whatever the spool does not cover whole (a warm index, a grown file, no room) takes the record
path and prints the same."""

from __future__ import annotations

import errno
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from log_analyzer.analysis import parallel
from log_analyzer.analysis.template_ids import templated_records
from log_analyzer.cli.app import app
from log_analyzer.cli.reading_commands import ReferenceClock, merged
from log_analyzer.index import incremental
from log_analyzer.ingest import ParseOptions, open_paths
from log_analyzer.render import jsonl_spool
from log_analyzer.render.jsonl import JsonLines

from .conftest import FIXTURES

INCIDENT = FIXTURES / "incident"


@pytest.fixture
def small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cut even the fixtures' small files, and hand the parts to worker processes."""
    monkeypatch.setattr(parallel, "MIN_PARALLEL_BYTES", 0)
    monkeypatch.setattr(incremental, "MIN_PARALLEL_BYTES", 0)
    monkeypatch.setattr(parallel, "SPLIT_BYTES", 64 << 10)
    monkeypatch.setattr(parallel, "MIN_PIECE_BYTES", 16 << 10)


def record_path_lines(paths: list[str]) -> str:
    """What the record path writes: every file mined, then read again record by record."""
    opened = open_paths(paths, ParseOptions())
    streams = list(templated_records(opened, workers=1).streams)
    rows = merged(streams, ReferenceClock({}, {})) if len(streams) > 1 else streams[0]
    line = JsonLines().line
    return "".join(line(record, template, final) for record, template, final in rows)


def spooled(paths: list[str], directory: Path, workers: int) -> jsonl_spool.SpooledLines:
    return jsonl_spool.spooled_lines(
        open_paths(paths, ParseOptions()), str(directory), None, workers
    )


def joined(lines: jsonl_spool.SpooledLines) -> str:
    assert lines.batches is not None, "the spool should cover every file"
    return "".join("".join(batch) for batch in lines.batches)


@pytest.mark.parametrize("workers", [1, 2])
def test_one_file_cut_into_parts_reads_as_the_record_path(
    small_parts: None, tmp_path: Path, workers: int
) -> None:
    path = str(INCIDENT / "checkout-service.log")  # Spring Boot, with stack traces
    lines = spooled([path], tmp_path, workers)
    assert len(list(tmp_path.glob("*.json"))) > 3  # parts, each with its own spool
    assert joined(lines) == record_path_lines([path])


def test_several_formats_merge_in_the_record_paths_order(small_parts: None, tmp_path: Path) -> None:
    paths = sorted(
        str(path) for path in INCIDENT.rglob("*") if path.is_file() and path.stat().st_size
    )
    assert len(paths) >= 5
    assert joined(spooled(paths, tmp_path, 2)) == record_path_lines(paths)


def test_lines_without_times_and_bytes_that_are_not_utf8(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_bytes(
        b"2026-11-28 14:00:01,112 ERROR [worker] caf\xe9 timeout after 30s id=7f3a9c01\n"
        b"  continued \xff\xfe detail\n"
        b"no time on this line at all\n"
        b"2026-11-28 14:00:01,112 INFO [worker] line separator \xe2\x80\xa8 inside\n"
        b'{"json": "in a text log", "n": 1}\n'
    )
    other = tmp_path / "other.log"
    other.write_text(
        "Nov 28 14:00:01 web1 nginx[311]: upstream timed out (110: Connection timed out)\n"
        "Nov 28 14:00:00 web1 kernel: [ 12.5] eth0: link up\n"
    )
    spool = tmp_path / "spool"
    spool.mkdir()
    paths = [str(log), str(other)]
    assert joined(spooled(paths, spool, 1)) == record_path_lines(paths)


def run_jsonl(*args: str) -> str:
    result = CliRunner().invoke(app, ["parse", "--jsonl", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_index_and_growth_take_the_record_path_with_the_same_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOG_ANALYZER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("LOG_ANALYZER_NO_ANSWERS", "1")
    log = tmp_path / "checkout.log"
    shutil.copy(INCIDENT / "checkout-service.log", log)
    cold = run_jsonl(str(log))
    calls: list[bool] = []
    real = jsonl_spool.spooled_lines

    def watched(*args: object, **kwargs: object) -> jsonl_spool.SpooledLines:
        lines = real(*args, **kwargs)  # type: ignore[arg-type]
        calls.append(lines.batches is not None)
        return lines

    monkeypatch.setattr(jsonl_spool, "spooled_lines", watched)
    assert run_jsonl(str(log)) == cold == run_jsonl(str(log), "--no-cache")
    assert calls == [False, True]  # the index answered first: nothing was spooled
    with log.open("a") as grown:
        grown.write(
            "2026-11-28T14:30:00.000Z ERROR 1 --- [checkout] [nio-8080-exec-1] "
            "c.e.checkout.cart.CartService            : Cart 9f00aa lost\n"
        )
    assert run_jsonl(str(log)) == run_jsonl(str(log), "--no-cache")
    assert calls[-2:] == [False, True]  # only the appended bytes were parsed: not whole


def test_no_room_for_the_spool_takes_the_record_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = str(INCIDENT / "payment-service.log")
    first = run_jsonl(path, "--no-cache")
    monkeypatch.setattr(jsonl_spool, "SPARE_BYTES", shutil.disk_usage(tmp_path).free + 1)
    assert run_jsonl(path, "--no-cache") == first == record_path_lines([path])


def test_limit_and_an_unfinished_piece(small_parts: None, tmp_path: Path) -> None:
    path = str(INCIDENT / "cart-service.log")
    whole = run_jsonl(path, "--no-cache")
    assert run_jsonl(path, "--no-cache", "--limit", "7") == "".join(
        whole.splitlines(keepends=True)[:7]
    )
    lines = spooled([path], tmp_path, 1)
    assert lines.batches is not None
    pieces = jsonl_spool._pieces(tmp_path)[path]
    assert len(pieces) > 2
    assert jsonl_spool._covering(pieces, lines.ledgers[0]) == pieces
    moved = [pieces[0], replace(pieces[1], start=pieces[1].start + 1), *pieces[2:]]
    assert jsonl_spool._covering(moved, lines.ledgers[0]) is None  # a gap: not the whole file
    os.remove(sorted(tmp_path.glob("*.json"))[-1])  # a worker that never finished its piece
    assert jsonl_spool._covering(jsonl_spool._pieces(tmp_path)[path], lines.ledgers[0]) is None


# Sets the signal mask, then becomes the command (the mask survives `exec`). A `preexec_fn`
# would run Python between fork and exec, which can hang when the test process has threads.
_WITH_MASK = (
    "import os, signal, sys; "
    "signal.pthread_sigmask(getattr(signal, sys.argv[1]), {signal.SIGTERM, signal.SIGPIPE}); "
    "os.execv(sys.executable, [sys.executable, *sys.argv[2:]])"
)


def _cli(tmp: Path, *args: str, blocked: bool = False) -> subprocess.Popen[bytes]:
    """`parse --jsonl` in a child process whose signal mask is that of a shell's command, or
    (`blocked`) one with SIGPIPE and SIGTERM blocked, as some parents leave it (this test
    process may be one of them)."""
    environment = os.environ | {"TMPDIR": str(tmp), "LOG_ANALYZER_NO_CACHE": "1"}
    how = "SIG_BLOCK" if blocked else "SIG_UNBLOCK"
    command = ["-m", "log_analyzer", "parse", "--jsonl", *args]
    return subprocess.Popen(
        [sys.executable, "-c", _WITH_MASK, how, *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment,
    )


@pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="POSIX signals")
@pytest.mark.parametrize("blocked", [False, True])
def test_a_reader_that_goes_away_leaves_no_spool_behind(tmp_path: Path, blocked: bool) -> None:
    """`parse --jsonl big.log | head -1`: the process dies of SIGPIPE as before, its spool gone
    (with SIGPIPE blocked, it ends with status 1 on the broken pipe, as before)."""
    path = str(INCIDENT / "checkout-service.log")
    process = _cli(tmp_path, path, blocked=blocked)
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()
    assert process.wait(timeout=60) == (1 if blocked else -signal.SIGPIPE)
    assert b"Traceback" not in process.stderr.read()
    assert json.loads(first)["line"] == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="POSIX signals")
def test_sigterm_while_spooling_leaves_no_spool_behind(tmp_path: Path) -> None:
    log = tmp_path / "logs" / "big.log"
    log.parent.mkdir()
    with log.open("w") as out:
        for _ in range(6):  # long enough to be caught while it spools
            out.write((INCIDENT / "checkout-service.log").read_text())
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    process = _cli(scratch, str(log))
    deadline = time.monotonic() + 60
    # (Python's own probe of the temporary directory, a file it removes at once, is not it)
    while (
        not any(scratch.glob("log-analyzer-jsonl-*"))
        and process.poll() is None
        and time.monotonic() < deadline
    ):
        time.sleep(0.01)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == -signal.SIGTERM
    assert list(scratch.iterdir()) == []


def test_a_spool_that_cannot_be_written_leaves_the_ledgers_whole(tmp_path: Path) -> None:
    path = str(INCIDENT / "payment-service.log")
    written = spooled([path], tmp_path, 1)
    gone = spooled([path], tmp_path / "not-there", 1)
    assert gone.batches is None  # nothing spooled: the record path reads the file again
    assert [ledger.codes for ledger in gone.ledgers] == [ledger.codes for ledger in written.ledgers]
    assert gone.ledgers[0].forms == written.ledgers[0].forms


def test_with_a_limit_nothing_is_spooled(monkeypatch: pytest.MonkeyPatch) -> None:
    """`--limit 5` on a large file writes 5 lines: the record path reads only those again,
    where the spool would write the whole file out first."""
    path = str(INCIDENT / "checkout-service.log")
    whole = run_jsonl(path, "--no-cache")

    def refused(*args: object, **kwargs: object) -> jsonl_spool.SpooledLines:
        raise AssertionError("spooled for five lines")

    monkeypatch.setattr(jsonl_spool, "spooled_lines", refused)
    assert run_jsonl(path, "--no-cache", "--limit", "5") == "".join(
        whole.splitlines(keepends=True)[:5]
    )


class _FullDisk(io.StringIO):
    """A spool file that takes every write and fails when closed, as a full disk does when the
    last buffered bytes go out."""

    def close(self) -> None:
        super().close()
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_spool_that_fails_when_closed_is_given_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = str(INCIDENT / "payment-service.log")
    (tmp_path / "fine").mkdir()
    written = spooled([path], tmp_path / "fine", 1)
    monkeypatch.setattr(jsonl_spool, "open", lambda *args, **kwargs: _FullDisk(), raising=False)
    full = tmp_path / "full"
    full.mkdir()
    lines = spooled([path], full, 1)
    assert lines.batches is None
    assert [ledger.codes for ledger in lines.ledgers] == [
        ledger.codes for ledger in written.ledgers
    ]
    (full / "0.json").write_text('{"path": "/x", "sta')  # a description cut short
    assert jsonl_spool._pieces(full) == {}
