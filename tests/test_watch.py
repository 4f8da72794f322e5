"""`watch`: following logs after a fix and judging whether errors are back to normal.

Unit tests of the verdict rules, the follower (appends, partial lines, rotation, truncation,
new files) and the record stream need no threads. The end-to-end tests run the CLI in-process
while a writer thread appends Spring Boot and nginx lines in real time, with 0.4 s buckets;
their assertions leave wide margins (counts, not timings), for a busy 2-core machine.
"""

from __future__ import annotations

import importlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest

import log_analyzer.cli.watch_command as watch_command  # registers `watch` on the app
from log_analyzer.analysis.rates import Baseline
from log_analyzer.cli.app import run
from log_analyzer.ingest import ParseOptions, parse_paths
from log_analyzer.watch import Follower, monitor
from log_analyzer.watch.baseline import Novelty, read_existing
from log_analyzer.watch.follow import Chunk
from log_analyzer.watch.models import BucketReport, NewGroup, WatchEvent
from log_analyzer.watch.stream import RecordStream
from log_analyzer.watch.verdict import exit_status, normal_streak, state_of, verdict_of
from log_analyzer.watch.view import LiveScreen, plain_line, verdict_line

INTERVAL = 0.4
# the module, not the function the package exports under the same name
monitor_module = importlib.import_module("log_analyzer.watch.monitor")


# -- lines ------------------------------------------------------------------------------
def spring(level: str, message: str, when: datetime | None = None) -> str:
    when = when or datetime.now(UTC)
    stamp = when.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
    return (
        f"{stamp}Z {level:>5} 1 --- [checkout-service] [nio-8080-exec-7] "
        f"c.e.checkout.web.CheckoutController      : {message}\n"
    )


def nginx(status: int, path: str, when: datetime | None = None) -> str:
    when = when or datetime.now(UTC)
    return (
        f'100.70.3.163 - - [{when:%d/%b/%Y:%H:%M:%S} +0000] "POST {path} HTTP/2.0" {status} '
        f'512 "https://shop.example.com/cart" "Mozilla/5.0 (X11; Linux x86_64)"\n'
    )


POOL_ERROR = (
    "Checkout failed for cart 5f2a: connection pool exhausted\n"
    "java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, "
    "request timed out after 30000ms.\n"
    "\tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696)\n"
    "\tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:181)"
)
REDIS_ERROR = "Redis command timed out after 2001 ms (op=HGETALL key=session:{n})"
CALM_ERROR = "Inventory check failed for SKU-{n}: HTTP 409"
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


def seed(logs: Path, calm: int = 40, incident: int = 6) -> None:
    """Existing content: `calm` buckets with an error every other bucket, then `incident`
    buckets of Redis timeouts and 502s, ending now (the fix has just been deployed)."""
    now = datetime.now(UTC)
    (logs / "nginx").mkdir(parents=True, exist_ok=True)
    with (
        open(logs / "checkout-service.log", "w") as app,
        open(logs / "nginx" / "access.log", "w") as access,
    ):
        for bucket in range(calm + incident):
            when = now - timedelta(seconds=(calm + incident - bucket) * INTERVAL)
            app.write(spring("INFO", f"Checkout requested for cart c{bucket}", when))
            access.write(nginx(200, "/api/checkout", when))
            if bucket < calm and bucket % 2 == 0:
                app.write(spring("ERROR", CALM_ERROR.format(n=bucket), when))
            if bucket >= calm:
                for n in range(8):
                    app.write(spring("ERROR", REDIS_ERROR.format(n=n), when))
                access.write(nginx(502, "/api/checkout", when))


# -- the writer thread ----------------------------------------------------------------
class Writer(threading.Thread):
    """Appends lines every `step` seconds, from when the watch has started following, as
    `script(elapsed, writer)` says; counts the error records it writes."""

    def __init__(self, script: Callable[[float, Writer], None], duration: float) -> None:
        super().__init__(daemon=True)
        self.script = script
        self.duration = duration
        self.errors = 0
        self.begin = threading.Event()
        self.done = threading.Event()
        self.failure: BaseException | None = None
        self.steps = 0

    def append(self, path: Path, text: str, errors: int = 0) -> None:
        with open(path, "a") as handle:
            handle.write(text)
        self.errors += errors

    def run(self) -> None:
        try:
            if not self.begin.wait(30):
                return
            start = time.monotonic()
            while not self.done.is_set() and (elapsed := time.monotonic() - start) < self.duration:
                self.script(elapsed, self)
                self.steps += 1
                time.sleep(0.05)
        except BaseException as error:  # pragma: no cover - reported by the test
            self.failure = error


@pytest.fixture
def writer_after_start(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Writer]]:
    """Writers registered here begin writing once the watch has begun following (so that
    nothing they write is taken for existing content)."""
    writers: list[Writer] = []

    class Signalling(Follower):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            for writer in writers:
                writer.begin.set()

    monkeypatch.setattr(monitor_module, "Follower", Signalling)
    yield writers
    for writer in writers:
        writer.done.set()
        writer.begin.set()
        writer.join(5)
        assert writer.failure is None


def watch_json(
    capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, list[dict[str, Any]], str]:
    code = run(["watch", *args, "--interval", str(INTERVAL), "--json"])
    captured = capsys.readouterr()
    return code, [json.loads(line) for line in captured.out.splitlines()], captured.err


# -- verdict rules ----------------------------------------------------------------------
BASE = Baseline(median=1, spread=1, calm_buckets=10)  # threshold 5, settled 3


def test_states_against_the_baseline() -> None:
    assert [state_of(n, BASE) for n in (0, 3, 4, 5, 6, 40)] == [
        "normal",
        "normal",
        "recovering",
        "recovering",
        "elevated",
        "elevated",
    ]


def test_verdict_needs_the_last_buckets_normal() -> None:
    assert verdict_of(["elevated", "recovering", "normal", "normal"], 2) == "settled"
    assert verdict_of(["elevated", "normal", "recovering", "normal"], 2) == "elevated"
    assert verdict_of(["normal"], 2) == "elevated"  # not watched long enough
    assert verdict_of([], 1) == "elevated"
    assert normal_streak(["normal", "elevated", "normal", "normal", "normal"]) == 3
    assert (exit_status("settled"), exit_status("elevated")) == (0, 1)
    assert exit_status("settled", interrupted=True) == 130


# -- the follower -----------------------------------------------------------------------
def lines_of(chunks: list[Chunk]) -> list[tuple[str, int, str]]:
    return [
        (Path(c.display).name, c.first_line + i, line)
        for c in chunks
        for i, line in enumerate(c.lines)
    ]


def test_follower_starts_at_the_end_and_buffers_partial_lines(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_text("one\ntwo\nthree (no newline yet")
    follower = Follower([str(log)])
    assert [(s.offset, s.first_line) for s in follower.starts] == [(8, 3)]
    with open(log, "a") as handle:
        handle.write(" ...done\nfour\nfi")
    chunks, _ = follower.poll()
    assert lines_of(chunks) == [
        ("app.log", 3, "three (no newline yet ...done"),
        ("app.log", 4, "four"),
    ]
    assert follower.poll() == ([], [])
    with open(log, "a") as handle:
        handle.write("ve\r\n")
    assert lines_of(follower.poll()[0]) == [("app.log", 5, "five")]
    follower.close()


def test_follower_reads_a_rotated_file_to_its_end_then_the_new_one(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_text("old 1\n")
    follower = Follower([str(tmp_path)])
    with open(log, "a") as handle:
        handle.write("old 2\n")
    log.rename(tmp_path / "app.log.1")
    with open(tmp_path / "app.log.1", "a") as handle:
        handle.write("old 3, written after the rename\n")
    log.write_text("new 1\nnew 2\n")
    chunks, notices = follower.poll()
    assert lines_of(chunks) == [
        ("app.log.1", 2, "old 2"),
        ("app.log.1", 3, "old 3, written after the rename"),
        ("app.log", 1, "new 1"),
        ("app.log", 2, "new 2"),
    ]
    assert [(n.kind, Path(n.detail).name) for n in notices] == [("rotated", "app.log.1")]
    assert {c.path for c in chunks} == {str(log)}  # the same followed path: same service
    assert len({c.file_id for c in chunks}) == 2
    for _ in range(4):  # the rotated copy is never taken for a new log
        chunks, notices = follower.poll()
        assert (chunks, notices) == ([], [])
    assert follower.files == [str(log)]
    follower.close()


def test_follower_handles_truncation_and_new_files(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_text("a long first line that makes the file bigger\n")
    follower = Follower([str(tmp_path)])
    log.write_text("after truncation\n")
    (tmp_path / "payments.log").write_text("first line of a new file\n")
    (tmp_path / "payments.log.2.gz").write_bytes(b"\x1f\x8b\x08\x00 not read")
    (tmp_path / "core.png").write_bytes(b"\x89PNG")
    chunks, notices = follower.poll()
    assert sorted(lines_of(chunks)) == [
        ("app.log", 1, "after truncation"),
        ("payments.log", 1, "first line of a new file"),
    ]
    assert sorted(n.kind for n in notices) == ["appeared", "truncated"]
    follower.close()


def test_follower_waits_for_a_named_file_to_appear(tmp_path: Path) -> None:
    log = tmp_path / "later.log"
    follower = Follower([str(log)])
    assert follower.poll() == ([], [])
    log.write_text("hello\n")
    chunks, notices = follower.poll()
    assert lines_of(chunks) == [("later.log", 1, "hello")]
    assert [n.kind for n in notices] == ["appeared"]
    follower.close()


# -- records from followed lines -------------------------------------------------------
def test_a_stack_trace_split_across_polls_is_one_record(tmp_path: Path) -> None:
    stream = RecordStream(ParseOptions(), {})
    path = str(tmp_path / "checkout-service.log")
    lines = (spring("INFO", "warming up") * 25 + spring("ERROR", POOL_ERROR)).splitlines()
    assert len(lines) == 29  # 25 INFO lines, then an ERROR line and 3 lines of its trace
    out = stream.push([Chunk(path, path, 1, 1, lines[:27])], arrived=1.0)
    assert len(out) == 25 and all(a.record.level == "info" for a in out)
    out = stream.push([Chunk(path, path, 1, 28, lines[27:])], arrived=2.0)
    assert out == []  # still held: the trace may go on
    out = stream.push([], arrived=3.0)  # a quiet poll: the record is complete
    assert len(out) == 1
    record = out[0].record
    assert (record.level, record.line, record.end_line) == ("error", 26, 29)
    assert "HikariPool.getConnection" in record.message
    assert record.service == "checkout-service"
    assert out[0].arrived == 1.0  # when its first line was read


def test_novelty_means_a_new_template_not_a_new_message(tmp_path: Path) -> None:
    log = tmp_path / "checkout-service.log"
    log.write_text(
        spring("ERROR", REDIS_ERROR.format(n=1)) + spring("ERROR", CALM_ERROR.format(n=7))
    )
    novelty = Novelty()
    for record in parse_paths([str(log)]):
        novelty.learn(record)
    log.write_text(
        spring("ERROR", REDIS_ERROR.format(n=99))
        + spring("ERROR", "Disk quota exceeded on /var/data")
        + spring("ERROR", "Disk quota exceeded on /var/cache")
    )
    new = [novelty.check(record) for record in parse_paths([str(log)])]
    assert new[0] is None
    assert new[1] is not None and "Disk quota exceeded" in new[1].text
    assert new[2] is None  # announced once


def test_the_baseline_is_the_calm_before_the_incident(tmp_path: Path) -> None:
    seed(tmp_path)
    follower = Follower([str(tmp_path)])
    existing = read_existing(
        monitor_module._sources([str(tmp_path)])[0],
        follower.starts,
        ParseOptions(),
        INTERVAL,
        "error",
        Novelty(),
    )
    follower.close()
    # one error every other bucket before the incident: the incident's 9 a bucket is not it
    assert existing.baseline.median <= 1
    assert existing.baseline.threshold < 9
    assert existing.report.buckets >= 10
    formats = {Path(path).name: d.name for path, d in existing.detections.items()}
    assert formats == {"checkout-service.log": "spring-boot", "access.log": "access-combined"}
    assert existing.services == {"checkout-service", "nginx"}


# -- the loop with a fake clock (no threads, exact counts) ------------------------------
def test_monitor_counts_buckets_on_a_fake_clock(tmp_path: Path) -> None:
    seed(tmp_path)
    log = tmp_path / "checkout-service.log"
    now = [0.0]
    written: list[int] = []

    def sleep(seconds: float) -> None:
        """Time passes; in bucket 0 and 1 the service still fails, then it is fixed. The
        lines' own times are far from the fake clock's: they are counted when read."""
        bucket = int(now[0] // 1.0)
        if bucket < 2 and len(written) <= bucket:
            lines = [spring("ERROR", REDIS_ERROR.format(n=n), LONG_AGO) for n in range(8)]
            with open(log, "a") as handle:
                handle.write("".join(lines) + spring("ERROR", POOL_ERROR, LONG_AGO))
            with open(tmp_path / "nginx" / "access.log", "a") as handle:
                handle.write(nginx(502, "/api/checkout", LONG_AGO))
            written.append(10)
        now[0] += max(seconds, 0.01)

    buckets: list[BucketReport] = []
    result = monitor(
        [str(tmp_path)],
        minutes=6,
        interval=1.0,
        settle=2,
        clock=lambda: now[0],
        sleep=sleep,
        on_bucket=buckets.append,
    )
    assert [b.total for b in buckets] == [10, 10, 0, 0, 0, 0]
    assert buckets[0].errors == {"checkout-service": 9, "nginx": 1}
    assert [b.state for b in buckets] == ["elevated"] * 2 + ["normal"] * 4
    assert [b.normal_streak for b in buckets] == [0, 0, 1, 2, 3, 4]
    assert result.verdict == "settled" and result.exit_status == 0
    assert result.buckets_watched == 6 and result.peak == 10
    (group,) = result.new_groups  # the pool error, once; the Redis timeouts and 502s were known
    assert (
        group.label
        == "CheckoutController SQLTransientConnectionException: Connection pool exhausted"
    )
    assert (group.bucket, group.example.line) == (
        0,
        46 + 20 + 6 * 8 + 8 + 1,
    )  # after the seed and 8 timeouts
    assert group.seen >= result.started  # read, not stamped: its 2020 stamp is not "now"


def test_monitor_returns_the_verdict_so_far_on_ctrl_c(tmp_path: Path) -> None:
    seed(tmp_path)
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += max(seconds, 0.01)
        if now[0] > 2.5:
            raise KeyboardInterrupt

    result = monitor([str(tmp_path)], 10, 1.0, 2, clock=lambda: now[0], sleep=sleep)
    assert result.interrupted and result.exit_status == 130
    assert result.buckets_watched == 2 and result.verdict == "settled"


def test_monitor_stops_when_asked(tmp_path: Path) -> None:
    seed(tmp_path)
    stop = threading.Event()
    threading.Timer(0.5, stop.set).start()
    began = time.monotonic()
    result = monitor([str(tmp_path)], 100, INTERVAL, 2, stop=stop)
    assert result.interrupted and result.exit_status == 130
    assert time.monotonic() - began < 10


# -- end to end through the CLI, with a writer thread ----------------------------------
def test_recovery_with_a_rotation_settles(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], writer_after_start: list[Writer]
) -> None:
    """Errors high for a second, then the fix holds; the log rotates in the middle; a new
    error type appears after the rotation, in the new file."""
    seed(tmp_path)
    app = tmp_path / "checkout-service.log"
    access = tmp_path / "nginx" / "access.log"
    state = {"rotated": False}

    def script(elapsed: float, writer: Writer) -> None:
        writer.append(app, spring("INFO", "Checkout requested for cart c1"))
        if elapsed < 1.0:
            writer.append(app, spring("ERROR", REDIS_ERROR.format(n=writer.steps)), 1)
            writer.append(app, spring("ERROR", POOL_ERROR), 1)
            writer.append(access, nginx(502, "/api/checkout"), 1)
        else:
            writer.append(access, nginx(200, "/api/checkout"))
        if elapsed >= 2.0 and not state["rotated"]:
            app.rename(tmp_path / "checkout-service.log.1")
            writer.append(app, spring("ERROR", "Disk quota exceeded on /var/data"), 1)
            state["rotated"] = True

    writer = Writer(script, duration=3.0)
    writer_after_start.append(writer)
    writer.start()
    code, objects, err = watch_json(capsys, str(tmp_path), "--minutes", "10")
    writer.done.set()
    assert code == 0, (objects[-1], err)
    *buckets, verdict = objects
    assert [b["type"] for b in buckets] == ["bucket"] * 10 and verdict["type"] == "verdict"
    assert verdict["verdict"] == "settled" and verdict["exit_status"] == 0
    assert "buckets" not in verdict
    first = buckets[0]
    assert set(first) >= {"start", "errors", "total", "baseline", "threshold", "state"}
    assert first["start"].endswith("Z")
    assert set(first["errors"]) == {"checkout-service", "nginx"}
    assert buckets[0]["state"] == "elevated"
    assert [b["state"] for b in buckets[-3:]] == ["normal"] * 3
    # every error written was counted once: none lost nor doubled by the rotation
    assert state["rotated"]
    assert sum(b["total"] for b in buckets) == writer.errors
    announced = [g for b in buckets for g in b["new_groups"]]
    assert sorted(g["label"] for g in announced) == sorted(
        g["label"] for g in verdict["new_groups"]
    )
    labels = [g["label"] for g in announced]
    assert len(announced) == 2, labels
    assert any("SQLTransientConnectionException" in label for label in labels)
    disk = next(g for g in announced if "Disk quota" in g["template"])
    assert disk["example"]["file"].endswith("checkout-service.log")
    assert disk["example"]["line"] >= 1
    assert any("rotated" in notice for notice in verdict["notices"])


def test_still_failing_after_a_truncation_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], writer_after_start: list[Writer]
) -> None:
    seed(tmp_path)
    app = tmp_path / "checkout-service.log"
    state = {"truncated": False}

    def script(elapsed: float, writer: Writer) -> None:
        if elapsed >= 0.8 and not state["truncated"]:
            app.write_text("")  # copytruncate
            state["truncated"] = True
        writer.append(app, spring("ERROR", REDIS_ERROR.format(n=writer.steps)), 1)
        writer.append(app, spring("ERROR", REDIS_ERROR.format(n=writer.steps + 1)), 1)

    writer = Writer(script, duration=30.0)
    writer_after_start.append(writer)
    writer.start()
    code = run(["watch", str(tmp_path), "--minutes", "6", "--interval", str(INTERVAL)])
    writer.done.set()
    out = capsys.readouterr().out.splitlines()
    assert code == 1, out
    assert out[0].startswith("watching 2 file(s) for 6 bucket(s)")
    assert any("truncated" in line for line in out)
    bucket_lines = [line for line in out if " errors " in line]
    assert len(bucket_lines) == 6
    assert "elevated" in bucket_lines[-1] and "elevated" in bucket_lines[-2]
    assert out[-1].startswith("elevated: not back at baseline")


def test_a_new_file_in_the_directory_and_until_settled(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], writer_after_start: list[Writer]
) -> None:
    seed(tmp_path)
    payments = tmp_path / "payments" / "payments.log"
    state = {"created": False}

    def script(elapsed: float, writer: Writer) -> None:
        writer.append(tmp_path / "checkout-service.log", spring("INFO", "Checkout ok"))
        if not state["created"]:
            payments.parent.mkdir()
            writer.append(
                payments,
                "2026-11-28 14:02:03,118 ERROR [worker-3] payments.gateway: "
                "Card network unreachable: acquirer timeout after 5000 ms\n",
                1,
            )
            state["created"] = True

    writer = Writer(script, duration=30.0)
    writer_after_start.append(writer)
    writer.start()
    began = time.monotonic()
    code, objects, _ = watch_json(
        capsys, str(tmp_path), "--minutes", "60", "--settle", "3", "--until-settled"
    )
    writer.done.set()
    assert code == 0
    assert time.monotonic() - began < 60 * INTERVAL / 2  # ended early, once settled
    *buckets, verdict = objects
    assert 3 <= len(buckets) < 60
    assert verdict["buckets_watched"] == len(buckets) and verdict["verdict"] == "settled"
    announced = [g for b in buckets for g in b["new_groups"]]
    assert [g["service"] for g in announced] == ["payments"]
    assert "Card network unreachable" in announced[0]["example"]["text"]
    assert any("payments.log: new file" in notice for notice in verdict["notices"])


def test_ctrl_c_prints_the_verdict_so_far_and_exits_130(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(tmp_path)
    began = time.monotonic()

    def interrupting_sleep(seconds: float) -> None:
        if time.monotonic() - began > 1.0:
            raise KeyboardInterrupt
        time.sleep(seconds)

    monkeypatch.setattr(watch_command, "monitor", partial(monitor, sleep=interrupting_sleep))
    code, objects, _ = watch_json(capsys, str(tmp_path), "--minutes", "50")
    assert code == 130
    verdict = objects[-1]
    assert verdict["interrupted"] is True and verdict["exit_status"] == 130
    assert verdict["buckets_watched"] == len(objects) - 1 < 50


def test_bad_options_are_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(tmp_path)
    assert run(["watch", str(tmp_path), "--minutes", "2", "--settle", "3"]) == 2
    assert run(["watch", "-"]) == 2
    assert run(["watch", str(tmp_path / "missing.log")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 3 and all(line.startswith("log-analyzer: error: ") for line in err)


def test_the_live_screen_renders(tmp_path: Path) -> None:
    from rich.console import Console

    seed(tmp_path)
    now = [0.0]
    screen = LiveScreen()
    events: list[WatchEvent] = []

    def sleep(seconds: float) -> None:
        now[0] += max(seconds, 0.01)

    def on_event(event: WatchEvent) -> None:
        events.append(event)
        screen.update(event)

    result = monitor(
        [str(tmp_path)], 3, 1.0, 2, clock=lambda: now[0], sleep=sleep, on_event=on_event
    )
    console = Console(record=True, width=100, force_terminal=True)
    console.print(screen.render())
    text = console.export_text()
    assert "checkout-service" in text and "nginx" in text and "bucket 3 of 3" in text
    assert verdict_line(result).startswith("settled")
    assert not any(isinstance(e, NewGroup) for e in events)
    lines = [line for line in map(plain_line, events) if line is not None]
    assert lines[0].startswith("watching 2 file(s) for 3 bucket(s) of 1s; baseline ")
    assert len(lines) == 4
