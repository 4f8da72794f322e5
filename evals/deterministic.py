"""What the deterministic tools alone would answer, scored like a model's answer.

`findings()` turns an investigation into the sentences `log-analyzer investigate` and
`log-analyzer fixes` stand for: the first failure, the root cause, the trend, the clock skew
and the top recommendation's actions. `tools_answer()` joins them for one folder. A case the
tools answer misses facts of is one where the model must overrule the analysis.
"""

from __future__ import annotations

from pathlib import Path

from log_analyzer.analysis.investigate import investigate
from log_analyzer.analysis.report import Investigation


def _shown(file: str, root: Path | None) -> str:
    """`file` relative to `root` when it is inside it (the scratch folder's name says nothing)."""
    if root is None:
        return file
    try:
        return str(Path(file).relative_to(root))
    except ValueError:
        return file


def findings(report: Investigation, root: Path | None = None) -> dict[str, str]:
    """The investigation's findings, by the fact each should state: an answer repeating them
    is what the tools alone say. A finding the analysis has nothing for is empty."""
    first, cause = report.first_failure, report.root_cause
    top = [r for r in report.recommendations if r.signature == report.recommendations[0].signature]
    skewed = {s: v for s, v in report.skew_seconds.items() if round(v, 1) != 0}
    return {
        "first-failure": (
            f"First failure: {_shown(first.file, root)}:{first.line} at "
            f"{first.timestamp.isoformat()} ({first.service}): {first.label}: {first.text}"
            if first is not None
            else ""
        ),
        "root-cause": (
            f"Root cause: {cause.service} ({cause.label}). {cause.summary}"
            if cause is not None
            else ""
        ),
        "trend": f"The incident is {report.trend}.",
        "clock-skew": (
            "Clock skew (corrected): "
            + ", ".join(f"{service} {seconds:+.1f}s" for service, seconds in skewed.items())
            + "."
            if skewed
            else ""
        ),
        "top-action": "What to do now:\n" + "\n".join(f"- {r.action}" for r in top) if top else "",
    }


def answer(report: Investigation, root: Path | None = None) -> str:
    return "\n".join(text for text in findings(report, root).values() if text)


def tools_answer(folder: Path) -> str:
    """The deterministic answer for the logs in `folder`, its paths relative to it."""
    return answer(investigate([str(folder)]), folder)
