"""Progress: the analyses account for every byte they read (or take from the index), and the
bar is only drawn for a person at a terminal."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from log_analyzer.analysis.errors import find_error_groups
from log_analyzer.analysis.investigate import investigate
from log_analyzer.analysis.progress import NoProgress
from log_analyzer.cli.progress import ProgressBar, progress_bar
from log_analyzer.index import IndexStore

from .conftest import FIXTURES

INCIDENT = FIXTURES / "incidents" / "checkout"


class Recorder:
    def __init__(self) -> None:
        self.total: int | None = None
        self.done = 0

    def start(self, total_bytes: int) -> None:
        self.total = total_bytes

    def advance(self, done_bytes: int) -> None:
        self.done += done_bytes


def incident_bytes() -> int:
    return sum(p.stat().st_size for p in INCIDENT.rglob("*") if p.is_file() and p.suffix != ".json")


def test_every_byte_is_accounted_for_with_and_without_the_index(tmp_path: Path):
    for store in (None, IndexStore(tmp_path / "index"), IndexStore(tmp_path / "index")):
        seen = Recorder()
        find_error_groups([str(INCIDENT)], store=store, progress=seen)
        assert seen.total == incident_bytes() and seen.done == seen.total
        seen = Recorder()
        investigate([str(INCIDENT)], store=store, progress=seen)
        assert seen.total == seen.done == incident_bytes()


def test_no_bar_when_stdout_is_not_a_terminal_or_quiet(capsys):
    console = Console(force_terminal=True)
    with progress_bar(lambda: console, "reading", quiet=False) as sink:
        assert isinstance(sink, NoProgress)  # pytest captures stdout: not a terminal
    with progress_bar(lambda: console, "reading", quiet=True) as sink:
        assert isinstance(sink, NoProgress)


def test_the_bar_appears_only_after_the_delay():
    console = Console(force_terminal=True, width=80, record=True)
    quick = ProgressBar(console, "reading", delay=5)
    quick.start(100)
    quick.advance(100)
    quick.close()
    assert not quick.shown
    slow = ProgressBar(console, "reading", delay=0)
    slow.timer.join()
    slow.start(200)
    slow.advance(50)
    assert slow.shown
    slow.close()
