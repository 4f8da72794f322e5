"""Shared test helpers: where the fixtures and the read-only benchmark data live.

The bundled incidents (`fixtures/incidents/`, `fixtures/incident/`) are not in git: they are
rendered by their generators, byte for byte as `fixtures/generated.sha256` pins them, before
the first test is collected (test modules read them at import), about 2 s once, then only
checked (some 40 ms)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import respx
from fixtures.generated import ensure

from log_analyzer.ingest import ParseOptions, parse_paths
from log_analyzer.records import Record

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
# ../shared beside the project (development and CI); absent on a user's own clone.
LOGHUB = ROOT.parent / "shared" / "benchmarks" / "loghub-2k"


def pytest_sessionstart(session: pytest.Session) -> None:
    left = ensure()
    if left:
        # tests/test_generated_fixtures.py fails too, with the whole list
        print(
            f"warning: fixtures/{left[0]} and {len(left) - 1} more differ from "
            "fixtures/generated.sha256",
            file=sys.stderr,
        )


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


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> Iterator[respx.MockRouter]:
    """The Anthropic API mocked with respx (`tests/anthropic_mock.py`), a test key set, the
    model and base URL left to their defaults, from the project root."""
    from .anthropic_mock import API

    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-key")
    monkeypatch.delenv("ANTHROPIC_BASE_URL", raising=False)
    monkeypatch.delenv("LOG_ANALYZER_MODEL", raising=False)
    monkeypatch.chdir(ROOT)
    with respx.mock(using="httpcore2", base_url=API, assert_all_called=False) as router:
        yield router


@pytest.fixture(autouse=True)
def private_index(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Every test gets its own on-disk index, never the user's cache."""
    directory = tmp_path_factory.mktemp("index")
    monkeypatch.setenv("LOG_ANALYZER_CACHE_DIR", str(directory))
    return directory
