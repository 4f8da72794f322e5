"""`keep_level`: records below it are counted, not built where the level is known from the
header alone; every record at or above it is yielded exactly as a full parse yields it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from log_analyzer.ingest import ParseOptions, open_paths
from log_analyzer.levels import at_least
from log_analyzer.records import Record

from .conftest import FIXTURES

FULL = ParseOptions(year=2026)


def signature(records: list[Record]) -> list[tuple[object, ...]]:
    return [
        (r.file, r.line, r.end_line, r.timestamp, r.level, r.service, r.format, r.message)
        for r in records
    ]


@pytest.mark.parametrize("level", ["warning", "error"])
@pytest.mark.parametrize("directory", ["incident", "formats"])
def test_kept_records_equal_a_full_parse_filtered(directory: str, level: str) -> None:
    path = str(FIXTURES / directory)
    full = open_paths([path], FULL)
    expected = [r for r in full.records() if at_least(r.level, level)]
    quick = open_paths([path], replace(FULL, keep_level=level))
    built = list(quick.records())
    kept = [r for r in built if at_least(r.level, level)]
    assert signature(kept) == signature(expected)
    # records whose header tells their level were skipped: not built, only counted
    assert len(built) < sum(s.records for s in quick.stats)
    for stats in quick.stats:
        if stats.format in {"spring-boot", "redis", "python"}:
            from_source = sum(1 for r in built if r.file == stats.source.display)
            assert from_source < stats.records, stats.source.display
    assert [s.records for s in quick.stats] == [s.records for s in full.stats]
    assert [s.lines for s in quick.stats] == [s.lines for s in full.stats]
    assert [dict(s.levels) for s in quick.stats] == [dict(s.levels) for s in full.stats]
