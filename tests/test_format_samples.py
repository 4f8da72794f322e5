"""Every format's own sample lines: parsed to the fields they declare, and detected as that
format when they are all a source holds (lnav's approach: formats carry their tests)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from log_analyzer.formats.base import LogFormat, Sample
from log_analyzer.formats.detect import detect
from log_analyzer.formats.registry import FORMATS
from log_analyzer.formats.structured import JSON_DIALECTS
from log_analyzer.timestamps import Clock

REFERENCE = datetime(2026, 11, 28, 15, 0, tzinfo=UTC)

CASES = [
    pytest.param(fmt, index, sample, id=f"{fmt.name}-{index}")
    for fmt in FORMATS
    for index, sample in enumerate(fmt.samples)
]


def test_every_format_and_json_dialect_has_samples() -> None:
    assert [fmt.name for fmt in FORMATS if not fmt.samples] == []
    registered = {fmt.name for fmt in FORMATS}
    assert [d.name for d in JSON_DIALECTS if d.name not in registered] == []


@pytest.mark.parametrize(("fmt", "index", "sample"), CASES)
def test_sample_parses_to_its_fields(fmt: LogFormat, index: int, sample: Sample) -> None:
    parsed = fmt.parse(sample.line, Clock(reference=REFERENCE))
    assert parsed is not None, f"{fmt.name} does not read its own sample {index}"
    if sample.level is not None:
        assert parsed.level == sample.level
    if sample.message is not None:
        assert parsed.message == sample.message
    if sample.timestamp is not None:
        assert parsed.timestamp is not None
        assert parsed.timestamp.isoformat() == sample.timestamp
    if sample.service is not None:
        assert parsed.service == sample.service


@pytest.mark.parametrize(("fmt", "index", "sample"), CASES)
def test_sample_alone_is_detected_as_its_format(fmt: LogFormat, index: int, sample: Sample) -> None:
    detection = detect([sample.line])
    assert detection.envelope is None
    assert detection.primary.name == fmt.name
