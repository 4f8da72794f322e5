"""The shortcuts of error grouping (`ErrorGrouper.add`, `groups.event_form`, and in
`mining.labels`: `_root_cause`, `_trace_root`, `failure_of`, `route`) must never change an
answer.

Each is checked against the plain code it replaced, kept here as it was: on the bundled
incidents and format fixtures (real software's lines), on every format's samples, and on
seeded random text and records built from the very words and shapes the shortcuts look for
(suffix words, trace lines and frames, newlines, digits of every script).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from log_analyzer.formats.registry import FORMATS
from log_analyzer.ingest import ParseOptions, open_paths
from log_analyzer.levels import at_least
from log_analyzer.mining import groups, labels
from log_analyzer.mining.groups import ErrorGrouper, event_text
from log_analyzer.mining.labels import (
    _FRAMES,
    _GENERIC,
    _HAS_SUFFIX,
    _PYTHON_TRACE,
    _TRACE_LINE,
    _error_texts,
    _short,
    _structured_exception,
    _unwrap,
)
from log_analyzer.mining.masking import mask, mask_keeping_codes
from log_analyzer.mining.requests import request_event, request_level
from log_analyzer.records import Record
from log_analyzer.timestamps import Clock

from .conftest import FIXTURES

SEEDS = (1, 2, 3, 4, 5)
INCIDENTS = sorted(p for p in (FIXTURES / "incidents").iterdir() if p.is_dir())
INCIDENTS.append(FIXTURES / "incident")
FORMAT_FILES = sorted((FIXTURES / "formats").glob("*.log"))


# -- the plain code, as it was -----------------------------------------------------------------


def plain_trace_root(text: str) -> tuple[str, str] | None:
    if "\n" not in text:
        return None
    traced = _FRAMES.search(text) is not None or _PYTHON_TRACE in text
    lines: list[tuple[bool, str, str]] = []
    for match in _TRACE_LINE.finditer(text):
        caused, name, detail = match.group(1), match.group(2), match.group(3) or ""
        if name in _GENERIC:
            continue
        if _HAS_SUFFIX.search(name) or ("." in name and traced):
            lines.append((caused is not None, _short(name), detail.strip()))
    if not lines:
        return None
    if _PYTHON_TRACE in text:
        _, name, detail = lines[0]
    else:
        causes = [line for line in lines if line[0]]
        _, name, detail = causes[-1] if causes else lines[0]
    return _unwrap(name, detail)


def plain_root_cause(message: str, fields: dict[str, Any] | None) -> tuple[str, str] | None:
    if fields:
        structured = _structured_exception(fields)
        if structured is not None:
            return structured
        for key in labels._ERROR_TEXT_KEYS:
            text = fields.get(key)
            if isinstance(text, str) and "\n" in text:
                cause = plain_trace_root(text)
                if cause is not None:
                    return cause
    cause = plain_trace_root(message)
    if cause is not None:
        return cause
    searched = message.split("\n", 1)[0]
    if '="' in searched:
        searched = labels._LOGGER_VALUE.sub("", searched)
    match = labels._EXCEPTION.search(searched)
    if match is None:
        return None
    name = _short(match.group(1))
    detail = searched[match.end() :].lstrip(":( ")
    if "nested exception is" in searched:
        nested = labels._NESTED.findall(searched)
        if nested:  # (the one change: `nested exception is null` no longer raises IndexError)
            name = _short(nested[-1])
    return _unwrap(name, detail)


def plain_failure_of(message: str, fields: dict[str, Any] | None = None) -> tuple[str | None, str]:
    cause = plain_root_cause(message, fields)
    text = cause[1] if cause is not None else next(iter(_error_texts(fields or {})), "")
    text = text.split("\n", 1)[0].strip()[: labels.MAX_CAUSE] if text else ""
    return (cause[0] if cause is not None else None), text


def plain_route(path: str) -> str:
    segments = [
        "{id}"
        if segment.isdigit()
        or (
            len(segment) > 2
            and any(char.isdigit() for char in segment)
            and labels._VERSION.fullmatch(segment) is None
        )
        else segment
        for segment in path.split("/")
    ]
    return "/".join(segments)


def plain_event_form(record: Record) -> tuple[str, str, bool]:
    request = request_event(record)
    if request is not None:
        return request, request, True
    text = event_text(record)
    return text, mask(text), False


def plain_failure_form(record: Record) -> tuple[str | None, str]:
    exception, cause = plain_failure_of(record.message, record.fields)
    return exception, mask_keeping_codes(cause) if cause else ""


class PlainGrouper(ErrorGrouper):
    """`ErrorGrouper.add` as it was, on the plain readings."""

    def add(self, record: Record) -> None:
        self.records += 1
        level = request_level(record)
        if not at_least(level, self.min_level):
            return
        first_line, masked, literal = plain_event_form(record)
        if literal:
            self.miner.add_literal(masked)
            self._literals.add(masked)
            found = plain_root_cause(record.message, record.fields)
            exception, cause = (found[0] if found is not None else None), ""
        else:
            self.miner.add(masked)
            exception, cause = plain_failure_form(record)
            if cause:
                self.causes.add(cause)
        key = (record.service, masked, exception, cause)
        tally = self._tallies.get(key)
        if tally is None:
            tally = self._tallies[key] = groups._Tally(record)
        tally.add(record, first_line, level)


# -- realistic and random input --------------------------------------------------------------


def _read(path: Path) -> list[Record]:
    return [
        record for parser in open_paths([str(path)], ParseOptions()).parsers for record in parser
    ]


def _fixture_files() -> list[Path]:
    found = [path for folder in INCIDENTS for path in sorted(folder.rglob("*")) if path.is_file()]
    found = [path for path in found if path.suffix not in (".md", ".gz", ".zst")]
    return found + FORMAT_FILES


def _sample_records() -> list[Record]:
    """Every format's samples, read as records."""
    reference = datetime(2026, 11, 28, 15, 0, tzinfo=UTC)
    records = []
    for fmt in FORMATS:
        clock = Clock(reference=reference)
        for index, sample in enumerate(fmt.samples):
            parsed = fmt.parse(sample.line, clock)
            if parsed is None:
                continue
            records.append(
                Record(
                    fmt.name,
                    index + 1,
                    index + 1,
                    parsed.timestamp,
                    parsed.level,
                    parsed.service or fmt.name,
                    fmt.name,
                    parsed.message,
                    parsed.fields,
                )
            )
    return records


# What the shortcuts look for: the suffix words (and near misses), the pieces of trace lines,
# frames and Python's marker, the `_LOGGER_VALUE` keys that are cut before the search, newlines.
WORDS = (
    "Exception", "Error", "Throwable", "Fault", "Failure", "Timeout", "Refused", "Interrupted",
    "Exit", "exception", "ERROR", "error", "Erro", "xception", "Exceptio", "TimeOut", "Exi",
    "java.net.ConnectException", "ConnectException", "RuntimeException", "ReadTimeoutError",
    "redis.exceptions.ConnectionError", "HttpServerErrorException$ServiceUnavailable",
    "Caused by: ", "Caused by: java.io.IOException", "nested exception is ",
    "java.lang.IllegalStateException", "com.example.Thing", "a.B", "Foo", "$", "$X", ".",
    "\tat com.example.Thing.run(Thing.java:12)", "    at onResFinished (/app/x.js:3:9)",
    '  File "/app/w.py", line 88, in run', " at ", "\tat ", "  File \"", "  ", "\t",
    _PYTHON_TRACE, "Traceback", "The above exception was the direct cause of the following",
    'logger="UnhandledError"', 'name="x"', 'module="TimeoutError"', "caller=", '="', "=",
    "Connection refused", "Too many connections", "(1040, 'Too many connections')",
    "[Errno 111]", ": ", ":", " ", "(", ")", "'", '"', "é", "İ", "\u2028", "\u0085", "\r",
    "\n", "\n", "\n", "\n\n", "x", "1", "٣", "\njava.io.IOException: eof", "\nFooError",
    "\nCaused by: a.b.CTimeout: slow", "\nredis.exceptions.ConnectionError: Error 111",
    "\ncom.example.Thing: x", "\nError: connect ECONNREFUSED", "\nExitFault$Inner",
)  # fmt: skip


def _spliced(rng: random.Random, words: tuple[str, ...], most: int = 12) -> str:
    parts = []
    for _ in range(rng.randint(0, most)):
        parts.append(rng.choice(words))
        parts.append("".join(rng.choices("ab x_-.:=/'\"\n", k=rng.randint(0, 3))))
    return "".join(parts)


def _texts(rng: random.Random, count: int) -> list[str]:
    texts = [_spliced(rng, WORDS) for _ in range(count)]
    texts += ["", "\n", "Error", "Error\n", "\nError", "x" * 5_000 + "TimeoutError: y"]
    texts += ["TimeoutError" + "\n  at x" * 500, "\u2028".join(WORDS), "\n".join(WORDS)]
    return texts


ERROR_FIELDS: list[dict[str, Any] | None] = [
    None,
    {},
    {"logger": "payments.worker"},
    {"status": 503, "request": "GET /api/cart/7781 HTTP/1.1"},
    {"err": {"type": "Error", "message": "boom"}},
    {"err": {"type": "ReplyError", "message": "OOM command not allowed"}},
    {"error": "dial tcp 10.0.0.1:5432: connect: connection refused"},
    {"error.type": "java.net.SocketTimeoutException", "error.message": "Read timed out"},
    {"thrown": {"name": "X", "cause": {"class": "java.io.IOException", "message": "eof"}}},
]


def _with_trace_fields(rng: random.Random, text: str) -> dict[str, Any] | None:
    fields = rng.choice(ERROR_FIELDS)
    if rng.random() < 0.3:
        fields = dict(fields or {})
        fields[rng.choice(labels._ERROR_TEXT_KEYS)] = _spliced(rng, WORDS)
    if fields is not None and rng.random() < 0.1:
        fields = {**fields, "exception": text}
    return fields


# -- the readings --------------------------------------------------------------------------------


def _same_failures(message: str, fields: dict[str, Any] | None) -> None:
    assert labels._trace_root(message) == plain_trace_root(message), message
    assert labels._root_cause(message, fields) == plain_root_cause(message, fields), message
    assert labels.failure_of(message, fields) == plain_failure_of(message, fields), message
    if not fields:
        assert labels.failure_of(message) == plain_failure_of(message), message


def test_failures_of_the_fixtures_and_samples_are_read_as_the_plain_code_reads_them() -> None:
    records = [record for path in _fixture_files() for record in _read(path)]
    records += _sample_records()
    named = 0
    for record in records:
        _same_failures(record.message, record.fields)
        for key in labels._ERROR_TEXT_KEYS:
            text = record.fields.get(key) if record.fields else None
            if isinstance(text, str):
                assert labels._trace_root(text) == plain_trace_root(text), text
        named += plain_root_cause(record.message, record.fields) is not None
    assert len(records) > 5_000
    assert named > 100


@pytest.mark.parametrize("seed", SEEDS)
def test_failures_in_random_text_are_read_as_the_plain_code_reads_them(seed: int) -> None:
    rng = random.Random(seed)
    named = traced = 0
    for text in _texts(rng, 4_000):
        _same_failures(text, _with_trace_fields(rng, text))
        _same_failures(text, None)
        named += plain_root_cause(text, None) is not None
        traced += plain_trace_root(text) is not None
    assert named > 800
    assert traced > 300


@pytest.mark.parametrize("seed", SEEDS)
def test_trace_lines_and_frames_are_found_where_the_multiline_patterns_find_them(
    seed: int,
) -> None:
    rng = random.Random(seed)
    found = framed = 0
    for text in _texts(rng, 4_000):
        mine = [match.groups() for match in labels._trace_lines(text)]
        assert mine == [match.groups() for match in _TRACE_LINE.finditer(text)], text
        framed_here = (
            _FRAMES.match(text) is not None or labels._FRAMES_AFTER_NEWLINE.search(text) is not None
        )
        assert framed_here == (_FRAMES.search(text) is not None), text
        found += len(mine)
        framed += framed_here
    assert found > 2_000
    assert framed > 200


PATH_PIECES = (
    "/", "/", "/", "v", "v2", "v1.2", "v1.x", "1", "42", "0", ".", "-", "a", "abc", "x9",
    "id", ".css", "\n", "٣", "²", "١٢٣", "K", "ı", "api", "_", " ", "aaaaaaaaaaaaaaaaaaaaaa",
    "f3ad0f", "ord_c904e6e5ac", "?q=1", "%20", "é",
)  # fmt: skip


@pytest.mark.parametrize("seed", SEEDS)
def test_routes_are_masked_as_the_plain_code_masks_them(seed: int) -> None:
    rng = random.Random(seed)
    paths = ["", "/", "api", "/api/cart", "/v1/carts/f3ad0f/items", "/products/²", "/x/١٢٣"]
    paths += [_spliced(rng, PATH_PIECES, 8) for _ in range(5_000)]
    changed = 0
    for path in paths:
        assert labels.route(path) == plain_route(path), path
        changed += plain_route(path) != path
    assert changed > 1_000


# -- the grouper ---------------------------------------------------------------------------------


def _same_grouping(mine: ErrorGrouper, plain: ErrorGrouper) -> None:
    """The same tallies in the same order, and the same groups."""
    assert mine.records == plain.records
    ours, theirs = mine.partial(), plain.partial()
    assert ours.records == theirs.records
    assert [(key, literal) for key, _, literal in ours.tallies] == [
        (key, literal) for key, _, literal in theirs.tallies
    ]
    for (_, a, _), (_, b, _) in zip(ours.tallies, theirs.tallies, strict=True):
        assert (a.count, a.first, a.last, a.level, a.samples, a.occurrences) == (
            b.count,
            b.first,
            b.last,
            b.level,
            b.samples,
            b.occurrences,
        )
        assert a.example is b.example
    assert mine.group_rows() == plain.group_rows()


def _grouped(records: list[Record]) -> None:
    mine, plain = ErrorGrouper(), PlainGrouper()
    for record in records:
        mine.add(record)
        plain.add(record)
        assert groups.event_form(record) == plain_event_form(record)
    _same_grouping(mine, plain)


@pytest.mark.parametrize("folder", INCIDENTS, ids=lambda p: p.name)
def test_an_incident_is_grouped_as_the_plain_code_groups_it(folder: Path) -> None:
    records = [
        record
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.suffix not in (".md", ".gz", ".zst")
        for record in _read(path)
    ]
    _grouped(records)


def test_the_format_fixtures_and_samples_are_grouped_as_the_plain_code_groups_them() -> None:
    records = [record for path in FORMAT_FILES for record in _read(path)]
    _grouped([*records, *_sample_records()])


MESSAGES = [
    "Task payments.capture failed for order ord_58aa19c81c (attempt 1/3)",
    "Payment for order ord_682bf8d253 declined by stripe: insufficient_funds",
    "request errored",
    "slow redis command",
    "deadlock detected\n2026-11-27 14:30:10.212 UTC [30972] DETAIL:  Process 30972 waits",
    "Servlet.service() threw exception\njava.lang.RuntimeException: x\n\tat a.B.c(B.java:1)\n"
    "Caused by: java.net.SocketTimeoutException: Read timed out\n\tat d.E.f(E.java:2)",
    'boom\nTraceback (most recent call last):\n  File "/app/w.py", line 88, in run\n'
    "redis.exceptions.ConnectionError: Error 111 connecting. Connection refused.",
    '"GET /api/cart/17 HTTP/1.1" 503 157 "-" "Mozilla/5.0 TimeoutError"',
    '"POST /api/checkout HTTP/2.0" 404 0 "-" "curl/8.5.0"',
    'E1127 reconcile failed logger="UnhandledError" err="TimeoutError: deadline"',
    "(1040, 'Too many connections')",
    "",
]


@pytest.mark.parametrize("seed", SEEDS)
def test_random_records_are_grouped_as_the_plain_code_groups_them(seed: int) -> None:
    rng = random.Random(seed)
    start = datetime(2026, 11, 28, 13, 58, 30, tzinfo=UTC)
    records = []
    for line in range(3_000):
        roll = rng.random()
        if roll < 0.4:
            message = rng.choice(MESSAGES)
        elif roll < 0.7:
            message = f"{rng.choice(MESSAGES)} {_spliced(rng, WORDS, 4)}"
        else:
            message = _spliced(rng, WORDS)
        fields = _with_trace_fields(rng, message)
        when = None if rng.random() < 0.1 else start + timedelta(seconds=rng.randint(0, 400))
        level = rng.choice([None, "info", "warning", "error", "critical", "debug"])
        service = rng.choice(["checkout", "cart", "nginx"])
        records.append(
            Record("/var/log/a.log", line + 1, line + 1, when, level, service, "t", message, fields)
        )
    _grouped(records)
