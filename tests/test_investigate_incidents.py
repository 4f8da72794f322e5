"""`investigate` against the ground truth of every bundled incident family
(fixtures/incidents/<family>/ground_truth.json, written by fixtures/incidents.py)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest

from log_analyzer.analysis.investigate import investigate
from log_analyzer.analysis.report import Investigation

from .conftest import FIXTURES
from .incident_checks import first_failure_problems, identity, root_cause_problems

INCIDENTS = FIXTURES / "incidents"
FAMILIES = (
    sorted(p.name for p in INCIDENTS.iterdir() if (p / "ground_truth.json").is_file())
    if (INCIDENTS.is_dir())
    else []
)


@cache
def _run(family: str) -> tuple[Investigation, dict[str, Any]]:
    folder = INCIDENTS / family
    truth = json.loads((folder / "ground_truth.json").read_text())
    return investigate([str(folder)]), truth


def _path(family: str, relative: str) -> str:
    return str(INCIDENTS / family / relative)


pytestmark = pytest.mark.skipif(not FAMILIES, reason="fixtures/incidents not generated")

# Known gaps, kept visible as strict xfails: each must fail until the analysis learns it.
KNOWN_GAPS: dict[tuple[str, str], str] = {}  # (check, family) -> why it must fail, if any


def cases(kind: str) -> list[object]:
    return [
        pytest.param(
            family,
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN_GAPS[(kind, family)])]
            if (kind, family) in KNOWN_GAPS
            else [],
        )
        for family in FAMILIES
    ]


@pytest.mark.parametrize("family", FAMILIES)
def test_first_failure_is_exact(family: str) -> None:
    report, truth = _run(family)
    assert first_failure_problems(report, truth, INCIDENTS / family) == []


@pytest.mark.parametrize("family", cases("root_cause"))
def test_root_cause_service(family: str) -> None:
    report, truth = _run(family)
    assert root_cause_problems(report, truth) == []


@pytest.mark.parametrize("family", FAMILIES)
def test_cascade_order(family: str) -> None:
    report, truth = _run(family)
    order = [step.service for step in report.cascade]
    expected = list(dict.fromkeys(identity(report, s) for s in truth["cascade"]))
    assert [s for s in order if s in expected] == expected


@pytest.mark.parametrize("family", FAMILIES)
def test_group_counts_are_exact(family: str) -> None:
    report, truth = _run(family)
    for expected in truth["groups"]:
        matching = [
            g
            for g in report.error_groups
            if g.service == identity(report, expected["service"])
            and expected["text"] in g.example.text
        ]
        assert matching, f"no group of {expected['service']} with {expected['text']!r}"
        assert sum(g.count for g in matching) == expected["count"], expected


@pytest.mark.parametrize("family", FAMILIES)
def test_chronic_errors_are_never_blamed(family: str) -> None:
    report, truth = _run(family)
    chronic_ids = {
        g.id
        for g in report.error_groups
        for c in truth["chronic"]
        if g.service == identity(report, c["service"]) and c["text"] in g.example.text
    }
    assert chronic_ids, "the chronic groups of the ground truth are found"
    assert all(g.chronic for g in report.error_groups if g.id in chronic_ids)
    assert report.first_failure is not None and report.first_failure.group_id not in chronic_ids
    assert report.root_cause is not None and report.root_cause.group_id not in chronic_ids


@pytest.mark.parametrize("family", FAMILIES)
def test_skew_is_measured(family: str) -> None:
    report, truth = _run(family)
    for service, seconds in truth.get("skew_seconds", {}).items():
        if abs(seconds) >= 1:
            measured = report.skew_seconds.get(service, 0.0)
            reference = min(report.skew_seconds.values(), key=abs, default=0.0)
            assert measured - reference == pytest.approx(seconds, abs=0.25), service


@pytest.mark.parametrize("family", cases("trend"))
def test_trend_at_end(family: str) -> None:
    report, truth = _run(family)
    assert report.trend == truth["trend_at_end"]


def test_every_family_is_checked() -> None:
    assert len(FAMILIES) >= 7
