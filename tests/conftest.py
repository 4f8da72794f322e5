"""Shared test helpers: where the fixtures and the read-only benchmark data live."""

from __future__ import annotations

from pathlib import Path

import pytest

from log_analyzer.ingest import ParseOptions, parse_paths
from log_analyzer.records import Record

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
# ../shared beside the project (development and CI); absent on a user's own clone.
LOGHUB = ROOT.parent / "shared" / "benchmarks" / "loghub-2k"


def parse_file(path: Path | str, options: ParseOptions | None = None) -> list[Record]:
    return parse_paths([str(path)], options)


@pytest.fixture
def loghub_dir() -> Path:
    if not LOGHUB.is_dir():
        pytest.skip(
            f"Loghub 2k data not found at {LOGHUB} (it ships beside the project, in "
            "../shared, not with it: its licence forbids copying it in)"
        )
    return LOGHUB
