"""The held-out robustness matrix: incidents written apart from the bundled generator.

`fixtures/families/` renders eight incident families in seven variants each (other formats,
wording, pod names, more noise, less signal, a skewed clock). Every incident is rendered once
per session, investigated once, and judged by `tests/incident_checks.py` against its own
`ground_truth.json`. Many of these fail against an analysis fitted to the bundled wording:
that is what they are for.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from fixtures.families import DEFAULT_SEED, FAMILIES, VARIANTS, render

from log_analyzer.analysis.investigate import investigate
from log_analyzer.analysis.report import Investigation

from .incident_checks import all_problems

CASES = [(family, variant) for family in FAMILIES for variant in VARIANTS]
IDS = [f"{family}/{variant}" for family, variant in CASES]


@pytest.fixture(scope="session")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every family x variant, rendered once with the default seed."""
    root = tmp_path_factory.mktemp("incident-matrix")
    for family, variant in CASES:
        render(family, variant, DEFAULT_SEED, root / family / variant)
    return root


def _truth(folder: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((folder / "ground_truth.json").read_text())
    return loaded


@cache
def _investigate(folder: Path) -> Investigation:
    return investigate([str(folder)])


# Known gaps, visible as strict xfails: each must fail until the analysis learns it (then the
# entry goes). family -> variants; "*" for every variant.
KNOWN_GAPS: dict[str, set[str]] = {
    "batch-overload": {"*"},
    "conn-refused": {"skewed"},
    "gc-leak": {"sparse"},
}


def _known(family: str, variant: str) -> bool:
    gaps = KNOWN_GAPS.get(family, set())
    return "*" in gaps or variant in gaps


ANALYSED = [
    pytest.param(
        family,
        variant,
        id=f"{family}/{variant}",
        marks=[pytest.mark.xfail(strict=True, reason="known gap")]
        if _known(family, variant)
        else [],
    )
    for family, variant in CASES
]


@pytest.mark.parametrize(("family", "variant"), ANALYSED)
def test_investigation_matches_truth(matrix: Path, family: str, variant: str) -> None:
    folder = matrix / family / variant
    truth = _truth(folder)
    assert all_problems(_investigate(folder), truth, folder) == []


@pytest.mark.parametrize(("family", "variant"), CASES, ids=IDS)
def test_truth_is_self_consistent(matrix: Path, family: str, variant: str) -> None:
    folder = matrix / family / variant
    truth = _truth(folder)
    assert (truth["family"], truth["variant"]) == (family, variant)
    first = truth["first_failure"]
    lines = (folder / first["file"]).read_text(encoding="utf-8").split("\n")
    assert lines[first["line"] - 1] == first["text"]
    files_of: dict[str, list[str]] = {}
    for row in truth["files"]:
        assert (folder / row["file"]).is_file(), row["file"]
        files_of.setdefault(row["service"], []).append(row["file"])
    assert first["file"] in files_of[first["service"]]
    text_of = {
        service: "\n".join((folder / f).read_text(encoding="utf-8") for f in files)
        for service, files in files_of.items()
    }
    for group in [*truth["groups"], *truth["chronic"], *truth.get("decoys", [])]:
        assert group["text"] in text_of[group["service"]], group
        assert group["count"] >= 1
    for milestone in truth["milestones"]:
        lines = (folder / milestone["file"]).read_text(encoding="utf-8").split("\n")
        assert lines[milestone["line"] - 1] == milestone["text"]
    assert len(truth["chronic"]) >= 2
    assert set(truth["cascade_links"]) == set(truth["cascade"])
    assert truth["root_cause_service"] in files_of
    incident_services = {g["service"] for g in truth["groups"]}
    assert incident_services == set(truth["cascade"])


@pytest.mark.parametrize("family", list(FAMILIES))
def test_generator_is_deterministic(matrix: Path, tmp_path: Path, family: str) -> None:
    """Same seed, same bytes: one variant per family, rendered again and compared."""
    variant = VARIANTS[list(FAMILIES).index(family) % len(VARIANTS)]
    again = tmp_path / "again"
    render(family, variant, DEFAULT_SEED, again)
    first = matrix / family / variant
    names = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    for name in names:
        assert (first / name).read_bytes() == (again / name).read_bytes(), name


def test_another_seed_tells_the_same_story_differently(tmp_path: Path) -> None:
    a = render("conn-refused", "base", 1, tmp_path / "a")
    b = render("conn-refused", "base", 2, tmp_path / "b")
    assert a["root_cause_service"] == b["root_cause_service"] == "rabbitmq"
    assert a["first_failure"]["text"] != b["first_failure"]["text"]
