"""What every rendered incident must get right, checked against its `ground_truth.json`.

Shared by the bundled families (`test_investigate_incidents.py`), their variants and the
families written apart from them (the robustness matrix). The ground truth's keys are those of
`fixtures/incidents/README.md`; two are optional:

- `cascade_links`: `{service: caused_by or null}`, the link each cascade service must carry
  (null: the root of the cascade, nothing before it);
- `root_cause_aliases`: other names the root-cause service may be reported under (none by
  default: a renamed service must be mapped back to its canonical name).

A name of the truth is compared through the report's `service_aliases`: StatefulSet pods
(`kafka-1`, `kafka-2`) are reported as their service (`kafka`) with the pod names as aliases.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from log_analyzer.analysis.report import Investigation


def identity(report: Investigation, name: str) -> str:
    """The service `name` is reported as (itself, or the service it is an alias of)."""
    for service, names in report.service_aliases.items():
        if name in names:
            return service
    return name


def first_failure_problems(report: Investigation, truth: dict[str, Any], folder: Path) -> list[str]:
    expected = truth["first_failure"]
    first = report.first_failure
    if first is None:
        return ["no first failure"]
    want = (identity(report, expected["service"]), str(folder / expected["file"]), expected["line"])
    got = (first.service, first.file, first.line)
    return [] if got == want else [f"first failure {got} != {want}"]


def root_cause_problems(report: Investigation, truth: dict[str, Any]) -> list[str]:
    if report.root_cause is None:
        return ["no root cause"]
    names = {
        identity(report, name)
        for name in (truth["root_cause_service"], *truth.get("root_cause_aliases", []))
    }
    got = report.root_cause.service
    return [] if got in names else [f"root cause {got!r} not in {sorted(names)}"]


def cascade_problems(report: Investigation, truth: dict[str, Any]) -> list[str]:
    problems = []
    order = [step.service for step in report.cascade]
    expected = list(dict.fromkeys(identity(report, s) for s in truth["cascade"]))
    if [s for s in order if s in expected] != expected:
        problems.append(f"cascade order {order} != {expected}")
    links = truth.get("cascade_links") or {}
    steps = {step.service: step for step in report.cascade}
    for name, named_cause in links.items():
        service = identity(report, name)
        cause = identity(report, named_cause) if named_cause is not None else None
        if cause == service:
            continue  # two pods of one service: one identity now
        step = steps.get(service)
        if step is None:
            problems.append(f"{service} missing from the cascade")
        elif step.caused_by != cause:
            problems.append(f"{service} caused_by {step.caused_by!r} != {cause!r}")
    return problems


def chronic_problems(report: Investigation, truth: dict[str, Any]) -> list[str]:
    chronic_ids = {
        g.id
        for g in report.error_groups
        for c in truth["chronic"]
        if g.service == identity(report, c["service"]) and c["text"] in g.example.text
    }
    problems = []
    if report.first_failure is not None and report.first_failure.group_id in chronic_ids:
        problems.append("a chronic group is the first failure")
    if report.root_cause is not None and report.root_cause.group_id in chronic_ids:
        problems.append("a chronic group is the root cause")
    problems.extend(
        f"chronic group leads {step.service} in the cascade"
        for step in report.cascade
        if step.group_id in chronic_ids
    )
    return problems


def all_problems(report: Investigation, truth: dict[str, Any], folder: Path) -> list[str]:
    """Every way the investigation departs from the ground truth (empty when it is right)."""
    return [
        *first_failure_problems(report, truth, folder),
        *root_cause_problems(report, truth),
        *cascade_problems(report, truth),
        *chronic_problems(report, truth),
    ]
