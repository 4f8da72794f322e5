"""Checking formats against their own samples: what `log-analyzer formats --check` runs, so
that whoever writes a format file (ours or a user's) sees at once which sample a pattern, a
level map or a timestamp layout gets wrong, and whether detection would pick the format."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from ..timestamps import Clock
from .base import LogFormat, Sample
from .detect import detect

# Samples without a year are read in this year; with one, this date is irrelevant.
SAMPLE_REFERENCE = datetime(2026, 11, 28, 15, 0, tzinfo=UTC)


@dataclass(frozen=True)
class SampleProblem:
    fmt: str
    definition: str
    index: int  # 1-based, in the order the definition lists the samples
    problem: str

    def __str__(self) -> str:
        where = f"{self.definition}: " if self.definition else ""
        return f"{where}{self.fmt} sample {self.index}: {self.problem}"


def sample_problems(fmt: LogFormat, sample: Sample, index: int) -> list[SampleProblem]:
    """What is wrong with how `fmt` reads `sample` (nothing: an empty list)."""

    def problem(text: str) -> SampleProblem:
        return SampleProblem(fmt.name, fmt.definition, index, text)

    parsed = fmt.parse(sample.line, Clock(reference=SAMPLE_REFERENCE))
    if parsed is None:
        return [problem("the pattern does not match the line")]
    found = []
    expected = {
        "level": (sample.level, parsed.level),
        "message": (sample.message, parsed.message),
        "service": (sample.service, parsed.service),
        "timestamp": (
            sample.timestamp,
            parsed.timestamp.isoformat() if parsed.timestamp is not None else None,
        ),
    }
    for name, (wanted, got) in expected.items():
        if wanted is not None and wanted != got:
            found.append(problem(f"{name} {got!r}, expected {wanted!r}"))
    detected = detect([sample.line])
    if detected.envelope is None and detected.primary.name != fmt.name:
        found.append(problem(f"alone, the line is detected as {detected.primary.name!r}"))
    return found


def check_formats(formats: Iterable[LogFormat]) -> tuple[int, list[SampleProblem]]:
    """The number of samples checked and the problems found, over every format."""
    checked = 0
    problems: list[SampleProblem] = []
    for fmt in formats:
        for index, sample in enumerate(fmt.samples, start=1):
            checked += 1
            problems.extend(sample_problems(fmt, sample, index))
    return checked, problems
