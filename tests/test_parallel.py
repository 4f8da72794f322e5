"""Both cores: the parallel errors pipeline gives exactly the serial result."""

from __future__ import annotations

import pytest

from log_analyzer.analysis import parallel
from log_analyzer.analysis.errors import find_error_groups
from log_analyzer.ingest import ParseOptions, open_paths

from .conftest import FIXTURES

INCIDENT = str(FIXTURES / "incident")


@pytest.fixture
def small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cut even the fixtures' small files, so that parts start mid-file."""
    monkeypatch.setattr(parallel, "MIN_PARALLEL_BYTES", 0)
    monkeypatch.setattr(parallel, "SPLIT_BYTES", 64 << 10)
    monkeypatch.setattr(parallel, "MIN_PIECE_BYTES", 16 << 10)  # more parts than workers


def test_plan_cuts_large_files_at_record_starts(small_parts: None) -> None:
    workspace = open_paths([INCIDENT], ParseOptions())
    parts = parallel.plan(workspace, 3)
    assert parts is not None
    checkout = [p for p in parts if p.source.display.endswith("checkout-service.log")]
    assert len(checkout) > 3  # more parts than workers: a free worker takes the next
    cut = [p for p in parts if p.byte_range is not None]
    assert {p.source.display for p in cut} >= {f"{INCIDENT}/checkout-service.log"}
    for part in cut:
        assert part.byte_range is not None
        start, _ = part.byte_range
        with open(str(part.source.path), "rb") as raw:
            head = raw.read(start)
            assert head.count(b"\n") == part.first_line - 1
            first = raw.readline().decode()
        # a record's first line, never a stack frame
        assert not first.startswith(("\t", "at ", "Caused by")), first


@pytest.mark.parametrize("workers", [2, 3])
def test_parallel_groups_equal_serial(small_parts: None, workers: int) -> None:
    serial = find_error_groups([INCIDENT], workers=1)
    both = find_error_groups([INCIDENT], workers=workers)
    assert both.records == serial.records
    assert [g.model_dump() for g in both.groups] == [g.model_dump() for g in serial.groups]
    by_file = {s.source.display: s for s in serial.workspace.stats}
    for stats in both.workspace.stats:
        expected = by_file[stats.source.display]
        assert (stats.lines, stats.records, stats.unparsed, dict(stats.levels)) == (
            expected.lines,
            expected.records,
            expected.unparsed,
            dict(expected.levels),
        )


def test_one_worker_or_little_data_stays_in_process() -> None:
    workspace = open_paths([INCIDENT], ParseOptions())
    assert parallel.plan(workspace, 1) is None
    assert parallel.plan(workspace, 2) is None  # 2.7 MB: starting processes would cost more
