"""The on-disk index: reuse when unchanged, only the appended lines parsed, the same results
as a fresh parse, damaged entries detected and rebuilt, the size bounded."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from log_analyzer.analysis.errors import find_error_groups
from log_analyzer.analysis.investigate import investigate
from log_analyzer.cli.app import run
from log_analyzer.index import IndexReport, IndexStore
from log_analyzer.index.store import Entry

from .conftest import FIXTURES

START = datetime(2026, 11, 28, 14, 0, tzinfo=UTC)
TRACE = (
    "io.lettuce.core.RedisCommandTimeoutException: Command timed out after 2 second(s)\n"
    "\tat io.lettuce.core.internal.ExceptionFactory.createTimeoutException"
    "(ExceptionFactory.java:59)\n"
    "\tat io.lettuce.core.protocol.CommandExpiryWriter.lambda$potentiallyExpire$0"
    "(CommandExpiryWriter.java:176)\n"
)


def spring_lines(count: int, seed: int, start: datetime) -> list[str]:
    """Spring Boot 3 console lines, some errors with stack traces (several physical lines)."""
    rng = random.Random(seed)
    out: list[str] = []
    when = start
    while len(out) < count:
        when += timedelta(milliseconds=rng.randint(5, 400))
        stamp = when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"
        pid, thread = 4242, f"http-nio-8080-exec-{rng.randint(1, 20)}"
        head = f"{stamp} "
        roll = rng.random()
        if roll < 0.05:
            out.append(
                f"{head}ERROR {pid} --- [checkout] [{thread}] c.e.c.CartService"
                f"                   : cart lookup failed for cart {rng.randint(1000, 9999)}"
            )
            out.extend(TRACE.rstrip("\n").split("\n"))
        elif roll < 0.10:
            out.append(
                f"{head} WARN {pid} --- [checkout] [{thread}] c.e.c.PaymentClient"
                f"                 : payment gateway slow: {rng.randint(800, 3000)} ms"
            )
        else:
            out.append(
                f"{head} INFO {pid} --- [checkout] [{thread}] c.e.c.CheckoutController"
                f"            : order {rng.randint(10000, 99999)} placed in "
                f"{rng.randint(20, 300)} ms"
            )
    return out[:count] if not out[count - 1].startswith("\tat") else out


def write(path: Path, lines: list[str], mode: str = "w") -> None:
    with path.open(mode, encoding="utf-8") as out:
        out.write("".join(line + "\n" for line in lines))


def groups_view(result: object) -> list[tuple[str, int, str]]:
    groups = result.groups  # type: ignore[attr-defined]
    return [(g.id, g.count, f"{g.example.file}:{g.example.line}") for g in groups]


@pytest.fixture(autouse=True)
def per_file_entries_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about the per-file index: each CLI run computes its answer from it
    (kept whole answers, `index/answers.py`, are tested in `test_answers.py`)."""
    monkeypatch.setenv("LOG_ANALYZER_NO_ANSWERS", "1")


@pytest.fixture
def log(tmp_path: Path) -> Path:
    path = tmp_path / "checkout.log"
    write(path, spring_lines(30_000, seed=1, start=START))
    return path


def test_a_second_run_on_an_unchanged_file_reads_the_index(log, private_index):
    store = IndexStore(private_index)
    cold = find_error_groups([str(log)], store=store, workers=1)
    warm = find_error_groups([str(log)], store=store, workers=1)
    fresh = find_error_groups([str(log)], workers=1)
    assert cold.index is not None and cold.index.parsed_lines == 30_000
    assert warm.index is not None and warm.index.reused == [str(log)]
    assert warm.index.parsed_lines == 0
    assert groups_view(warm) == groups_view(fresh) == groups_view(cold)
    assert warm.records == fresh.records
    assert warm.workspace.stats[0].lines == 30_000


def test_appending_parses_only_the_appended_lines(log, private_index):
    store = IndexStore(private_index)
    find_error_groups([str(log)], store=store, workers=1)
    write(log, spring_lines(10_000, seed=2, start=START + timedelta(hours=2)), mode="a")
    again = find_error_groups([str(log)], store=store, workers=1)
    fresh = find_error_groups([str(log)], workers=1)
    report = again.index
    assert report is not None and report.appended == [str(log)]
    # the appended 10,000 lines, plus the last record of before (re-read: it may have grown)
    assert 10_000 <= report.parsed_lines <= 10_000 + 4
    assert groups_view(again) == groups_view(fresh)
    assert again.records == fresh.records
    assert again.workspace.stats[0].lines == 40_000


def test_a_stack_trace_growing_across_the_append_is_joined(tmp_path, private_index):
    path = tmp_path / "app.log"
    lines = spring_lines(2_000, seed=3, start=START)
    lines.append(
        "2026-11-28T16:00:00.000Z ERROR 4242 --- [checkout] [main] c.e.c.CartService"
        "                   : cart lookup failed for cart 77"
    )
    write(path, lines)
    store = IndexStore(tmp_path / "index")
    find_error_groups([str(path)], store=store, workers=1)
    write(path, TRACE.rstrip("\n").split("\n"), mode="a")  # the trace arrives later
    again = find_error_groups([str(path)], store=store, workers=1)
    fresh = find_error_groups([str(path)], workers=1)
    assert again.index is not None and again.index.appended == [str(path)]
    assert groups_view(again) == groups_view(fresh)


def test_a_rewritten_or_truncated_file_is_parsed_whole(log, private_index):
    store = IndexStore(private_index)
    find_error_groups([str(log)], store=store, workers=1)
    write(log, spring_lines(5_000, seed=9, start=START))  # truncated and rewritten
    again = find_error_groups([str(log)], store=store, workers=1)
    assert again.index is not None and again.index.reused == [] and again.index.appended == []
    assert again.index.parsed_lines == 5_000
    assert groups_view(again) == groups_view(find_error_groups([str(log)], workers=1))


def test_investigate_from_the_index_equals_a_fresh_investigation(private_index):
    incident = str(FIXTURES / "incidents" / "checkout")
    store = IndexStore(private_index)
    reports: list[IndexReport] = []
    cold = investigate([incident], store=store, on_index=reports.append)
    warm = investigate([incident], store=store, on_index=reports.append)
    fresh = investigate([incident])
    assert warm.model_dump() == fresh.model_dump() == cold.model_dump()
    assert len(reports[1].reused) == len(fresh.sources) and reports[1].parsed_lines == 0


def test_a_damaged_entry_is_detected_and_rebuilt(log, private_index, capsys, monkeypatch):
    monkeypatch.chdir(log.parent)
    assert run(["errors", log.name, "--json"]) == 0
    expected = capsys.readouterr().out
    [entry] = [p for p in private_index.iterdir() if p.suffix == ".idx"]
    data = entry.read_bytes()
    entry.write_bytes(data[: len(data) // 2])  # what a torn write would leave
    assert run(["errors", log.name, "--json"]) == 0
    out = capsys.readouterr()
    assert out.out == expected
    assert "index entry cut short; parsed afresh and rebuilt" in out.err
    assert run(["errors", log.name, "--json"]) == 0  # rebuilt: quiet and from the index
    out = capsys.readouterr()
    assert out.out == expected and out.err == ""
    entry.write_bytes(b"garbage")
    assert run(["errors", log.name, "--json"]) == 0
    assert "not an index entry" in capsys.readouterr().err


KILLED_WRITER = """
import sys
from pathlib import Path
from log_analyzer.index.store import Entry, IndexStore
store = IndexStore(Path(sys.argv[1]))
payload = b"x" * (64 << 20)
print("ready", flush=True)
while True:
    store.save("key", Entry({"version": "1"}, payload))
"""


def test_a_run_killed_mid_write_leaves_an_index_the_next_run_can_use(tmp_path):
    directory = tmp_path / "index"
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(directory)], stdout=subprocess.PIPE
    )
    assert child.stdout is not None and child.stdout.readline().strip() == b"ready"
    time.sleep(0.8)  # several saves in, one under way
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    store = IndexStore(directory)
    entry = store.load("key")  # a whole entry or none: never a half one under the real name
    assert entry is None or entry.payload == b"x" * (64 << 20)
    leftovers = list(directory.glob("*.tmp"))
    old = time.time() - 7200
    for path in leftovers:
        os.utime(path, (old, old))
    store.evict()
    assert list(directory.glob("*.tmp")) == []


def test_least_recently_used_entries_go_past_the_cap(tmp_path):
    store = IndexStore(tmp_path / "index", cap_bytes=3 * 200_000)
    for number in range(3):
        store.save(f"k{number}", Entry({"version": "1"}, b"y" * 150_000))
        time.sleep(0.02)
    past = time.time() - 100
    os.utime(store.directory / "k1.idx", (past, past))
    os.utime(store.directory / "k0.idx", (past + 10, past + 10))
    store.load("k2")
    store.save("k3", Entry({"version": "1"}, b"z" * 150_000))
    names = sorted(p.name for p, _, _ in store.entries())
    assert names == ["k0.idx", "k2.idx", "k3.idx"]  # k1, the least recently used, went
    assert store.size() <= store.cap_bytes


def test_no_cache_neither_reads_nor_writes(log, private_index, monkeypatch, capsys):
    monkeypatch.chdir(log.parent)
    assert run(["errors", log.name, "--no-cache", "--limit", "1"]) == 0
    assert list(private_index.iterdir()) == []
    assert run(["investigate", log.name, "--json"]) == 0
    assert len(list(private_index.glob("*.idx"))) == 1


def test_cache_info_and_clear(log, private_index, monkeypatch, capsys):
    monkeypatch.chdir(log.parent)
    run(["errors", log.name, "--limit", "1"])
    capsys.readouterr()
    assert run(["cache", "info", "--json"]) == 0
    import json

    info = json.loads(capsys.readouterr().out)
    assert info["directory"] == str(private_index) and info["entries"] == 1
    assert info["bytes"] > 0
    assert run(["cache", "clear"]) == 0
    assert "removed 1 index entries" in capsys.readouterr().out
    assert list(private_index.glob("*.idx")) == []
    assert run(["cache", "shred"]) == 2


def test_a_read_only_cache_directory_never_breaks_a_command(log, tmp_path, monkeypatch, capsys):
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the directory should be")
    monkeypatch.setenv("LOG_ANALYZER_CACHE_DIR", str(blocked / "index"))
    monkeypatch.chdir(log.parent)
    assert run(["errors", log.name, "--min-level", "error", "--limit", "1"]) == 0
    out = capsys.readouterr()
    assert "RedisCommandTimeoutException" in out.out and out.err == ""


def test_two_workers_through_the_index_give_the_serial_result(log, private_index, monkeypatch):
    from log_analyzer.analysis import parallel as planning
    from log_analyzer.index import incremental

    monkeypatch.setattr(incremental, "MIN_PARALLEL_BYTES", 0)
    monkeypatch.setattr(planning, "SPLIT_BYTES", 256 << 10)  # cut the 4 MB log in parts
    monkeypatch.setattr(planning, "MIN_PIECE_BYTES", 256 << 10)  # six of them, for two workers
    store = IndexStore(private_index)
    cold = find_error_groups([str(log)], store=store, workers=2)
    write(log, spring_lines(10_000, seed=4, start=START + timedelta(hours=3)), mode="a")
    grown = find_error_groups([str(log)], store=store, workers=2)
    serial = find_error_groups([str(log)], workers=1)
    assert cold.index is not None and cold.index.parsed_lines == 30_000
    assert grown.index is not None and grown.index.appended == [str(log)]
    assert groups_view(grown) == groups_view(serial)
    assert grown.records == serial.records
    incident = str(FIXTURES / "incidents" / "checkout")
    parallel = investigate([incident], store=IndexStore(private_index / "i"), workers=2)
    assert parallel.model_dump() == investigate([incident], workers=1).model_dump()


def test_the_agent_workspace_reads_the_index_for_the_whole_window(private_index, monkeypatch):
    from log_analyzer.agent.roots import AllowedRoots
    from log_analyzer.agent.workspace import Workspace
    from log_analyzer.filters import RecordFilter
    from log_analyzer.index import incremental

    incident = str(FIXTURES / "incidents" / "checkout")
    store = IndexStore(private_index)
    investigate([incident], store=store)  # an earlier command filled the index
    parsed: list[int] = []
    original = incremental.run_analysis

    def counting(*args, **kwargs):
        results, report = original(*args, **kwargs)
        parsed.append(report.parsed_lines)
        return results, report

    monkeypatch.setattr("log_analyzer.analysis.investigate.run_analysis", counting)
    workspace = Workspace(AllowedRoots.for_session([incident]), store=store)
    workspace.load([incident])
    from_index = workspace.investigation()
    assert parsed == [0]  # nothing parsed again for the analysis
    plain = Workspace(AllowedRoots.for_session([incident]))
    plain.load([incident])
    assert from_index.model_dump() == plain.investigation().model_dump()
    narrowed = RecordFilter(services=("redis",))
    assert (
        workspace.investigation(narrowed).model_dump() == plain.investigation(narrowed).model_dump()
    )


def test_sources_and_investigate_share_the_index(private_index, monkeypatch, capsys):
    monkeypatch.chdir(FIXTURES.parent)
    folders = ["fixtures/incidents/checkout/", "fixtures/formats/"]
    for folder in folders:
        assert run(["sources", folder, "--json", "--no-cache"]) == 0
        fresh = capsys.readouterr().out
        assert run(["sources", folder, "--json"]) == 0
        assert capsys.readouterr().out == fresh  # through the index: the same figures
    reports: list[IndexReport] = []
    investigate([folders[0]], store=IndexStore(private_index), on_index=reports.append)
    assert reports[0].parsed_lines == 0  # `sources` already read every file


def test_sources_still_reads_standard_input(monkeypatch, capsys):
    import io

    monkeypatch.setattr(
        "sys.stdin",
        io.TextIOWrapper(
            io.BytesIO(
                b"2026-11-28T14:00:00Z ERROR [api] boom\n2026-11-28T14:00:01Z INFO [api] ok\n"
            )
        ),
    )
    assert run(["sources", "-", "--json"]) == 0
    import json

    [source] = json.loads(capsys.readouterr().out)["sources"]
    assert source["records"] == 2
