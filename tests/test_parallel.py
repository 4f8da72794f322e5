"""Both cores: the parallel errors pipeline gives exactly the serial result."""

from __future__ import annotations

import pytest

from log_analyzer.analysis import parallel
from log_analyzer.analysis.errors import find_error_groups
from log_analyzer.analysis.investigate import read_sources
from log_analyzer.index import incremental
from log_analyzer.ingest import ParseOptions, open_paths

from .conftest import FIXTURES

INCIDENT = str(FIXTURES / "incident")


@pytest.fixture
def small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cut even the fixtures' small files, so that parts start mid-file."""
    monkeypatch.setattr(parallel, "MIN_PARALLEL_BYTES", 0)
    monkeypatch.setattr(incremental, "MIN_PARALLEL_BYTES", 0)
    monkeypatch.setattr(parallel, "SPLIT_BYTES", 64 << 10)
    monkeypatch.setattr(parallel, "MIN_PIECE_BYTES", 16 << 10)  # more parts than workers


def test_large_files_are_cut_at_record_starts(small_parts: None) -> None:
    workspace = open_paths([INCIDENT], ParseOptions())
    parser = next(p for p in workspace.parsers if p.source.display.endswith("checkout-service.log"))
    path = str(parser.source.path)
    with open(path, "rb") as raw:
        size = len(raw.read())
    pieces = parallel.pieces_for(size, 3)
    assert pieces > 3  # more parts than workers: a free worker takes the next
    starts = parallel.record_starts(parser, 0, size, pieces)
    assert len(starts) == pieces - 1
    assert starts == sorted(starts) and starts[0] > 0 and starts[-1] < size
    for start in starts:
        with open(path, "rb") as raw:
            head = raw.read(start)
            assert head.endswith(b"\n")
            first = raw.readline().decode()
        assert parallel.count_newlines(path, 0, start) == head.count(b"\n")
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


def test_one_worker_or_little_data_stays_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_workers(*args: object, **kwargs: object) -> None:
        raise AssertionError("worker processes started")

    monkeypatch.setattr(incremental, "run_parts", no_workers)
    serial = find_error_groups([INCIDENT], workers=1)
    small = find_error_groups([INCIDENT], workers=2)  # 2.7 MB: processes would cost more
    assert [g.model_dump() for g in small.groups] == [g.model_dump() for g in serial.groups]


def test_sources_without_the_index_count_alike_in_parts(small_parts: None) -> None:
    def counts(workers: int) -> list[tuple[object, ...]]:
        workspace, index = read_sources([INCIDENT], workers=workers)
        assert index is None
        return [
            (
                s.source.display,
                s.format,
                s.lines,
                s.records,
                s.unparsed,
                s.first,
                s.last,
                dict(s.levels),
                dict(s.formats),
            )
            for s in workspace.stats
        ]

    serial = counts(1)
    assert counts(2) == serial
    assert sum(row[3] for row in serial) > 5_000  # type: ignore[misc]


def test_workers_get_the_largest_pieces_first_and_each_file_in_order(
    small_parts: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    handed: list[parallel.Part] = []
    real_run_parts = parallel.run_parts  # what `incremental` calls

    def recording(parts: list[parallel.Part], *args: object, **kwargs: object) -> object:
        handed.extend(parts)
        return real_run_parts(parts, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(incremental, "run_parts", recording)
    serial = find_error_groups([INCIDENT], workers=1)
    both = find_error_groups([INCIDENT], workers=2)
    assert [g.model_dump() for g in both.groups] == [g.model_dump() for g in serial.groups]

    files = list(dict.fromkeys(part.source.display for part in handed))
    of_file = {file: [part for part in handed if part.source.display == file] for file in files}
    for parts in of_file.values():  # a file's parts in the order of its bytes
        starts = [part.byte_range[0] for part in parts if part.byte_range is not None]
        assert starts == sorted(starts)
    cut = [file for file, parts in of_file.items() if len(parts) > 1]
    assert len(cut) > 2
    # the tails of the files cut in pieces last, each its file's last part
    tails = handed[-len(cut) :]
    assert {part.source.display for part in tails} == set(cut)
    assert all(part is of_file[part.source.display][-1] for part in tails)
    # before them, the files with the largest pieces first
    heads = handed[: -len(cut)]
    order = list(dict.fromkeys(part.source.display for part in heads))
    largest = [
        max(parallel.part_bytes(part) for part in heads if part.source.display == f) for f in order
    ]
    assert largest == sorted(largest, reverse=True)
