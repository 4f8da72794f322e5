"""The shortcuts of syslog's reading and of level inference must never change an answer.

`inferred` (the words of level-less messages) searches its stems from their vowels and keeps
its recent answers; `infer_level` tests its keys with one search; logfmt's quoted values are
read as runs between escapes; the inner line's time skips `datetime.replace` when the years
agree. Each is checked against the plain reading it replaced, kept here as it was: on the
bundled incidents and format fixtures, on every format's samples, and on seeded random text
built from the very words and shapes the shortcuts look for.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from log_analyzer import inferred_levels
from log_analyzer.formats import inner, structured, system
from log_analyzer.formats.base import LogFormat, Parsed
from log_analyzer.formats.registry import FORMATS
from log_analyzer.inferred_levels import (
    _ANY_STEM,
    _NAMES,
    _RANK,
    _STEMS,
    _WORDS,
    MAX_TEXT,
    _any_stem,
    inferred,
)
from log_analyzer.levels import _INFER, _INFER_KEYS, infer_level
from log_analyzer.timestamps import Clock

from .conftest import FIXTURES

SEEDS = (1, 2, 3, 4, 5)
INCIDENTS = sorted(p for p in (FIXTURES / "incidents").iterdir() if p.is_dir())
INCIDENTS.append(FIXTURES / "incident")
FORMAT_FILES = sorted((FIXTURES / "formats").glob("*.log"))


# -- the plain readings, as they were ------------------------------------------------------


def plain_inferred(message: str) -> tuple[str, bool] | None:
    """`inferred` as it was: nothing kept, the stems tested as the substrings they are."""
    text = message[:MAX_TEXT]
    lowered = text.lower()
    if not any(stem in lowered for stem in _STEMS):
        return None
    best = 0
    for pattern, against in ((_WORDS, lowered), (_NAMES, text)):
        for match in pattern.finditer(against):
            rank = _RANK[match.lastgroup or "benign"]
            if rank > best:
                best = rank
                if rank == 3:
                    return "error", True
    if best == 0:
        return None
    return ("warning", False) if best == 1 else ("error", best == 3)


def plain_infer_level(text: str) -> str | None:
    """`infer_level` as it was: a scan with `in` per key."""
    for key in _INFER_KEYS:
        if key in text:
            break
    else:
        return None
    match = _INFER.search(text)
    if match is None:
        return None
    return match.lastgroup


PLAIN_PAIR = re.compile(r'([\w.\-/@]+)=("(?:[^"\\]|\\.)*"|\S*)')


def plain_time(outer: Parsed, inner_: Parsed, outer_has_year: bool) -> datetime | None:
    """`inner._time` as it was: the wrapper's time always moved to the inner year."""
    mine, theirs = inner_.timestamp, outer.timestamp
    if mine is None or theirs is None:
        return theirs or mine
    if inner_.zoned:
        return mine
    if outer.zoned or outer_has_year:
        return theirs
    try:
        same_year = theirs.replace(year=mine.year)
    except ValueError:  # 29 February
        return theirs
    return mine if abs(mine - same_year) < timedelta(days=1) else theirs


# -- input -------------------------------------------------------------------------------------


def _lines(path: Path, most: int = 1_500) -> list[str]:
    with path.open(encoding="utf-8", errors="replace") as handle:
        return [line.rstrip("\n") for line, _ in zip(handle, range(most), strict=False)]


def _fixture_lines() -> list[str]:
    found = [path for folder in INCIDENTS for path in sorted(folder.rglob("*")) if path.is_file()]
    paths = [path for path in found if path.suffix not in (".md", ".gz", ".zst")]
    return [line for path in [*paths, *FORMAT_FILES] for line in _lines(path)]


def _samples() -> list[str]:
    return [sample.line for fmt in FORMATS for sample in fmt.samples]


def _messages(lines: Sequence[str]) -> list[str]:
    """What a reader hands the level readers: each line's message, and the line itself."""
    found = []
    for line in lines:
        found.append(line)
        for fmt in system.FORMATS:
            parsed = fmt.parse(line, Clock())
            if parsed is not None:
                found.append(parsed.message)
                break
    return found


def _spliced(rng: random.Random, words: Sequence[str], filler: str = "ab x_-.:=/'\"") -> str:
    parts = []
    for _ in range(rng.randint(1, 6)):
        parts.append(rng.choice(words))
        parts.append("".join(rng.choices(filler, k=rng.randint(0, 3))))
    return "".join(parts)


def _cased(rng: random.Random, word: str) -> str:
    roll = rng.random()
    if roll < 0.2:
        return word.upper()
    if roll < 0.4:
        return word.capitalize()
    if roll < 0.5:
        return "".join(c.upper() if rng.random() < 0.5 else c for c in word)
    return word


ODD = ("", " ", "\n", "\u2028", "é", "İ", "ß", "K", "ſ", "µs", "ⅷ", "\t", "#012", "=0", ": 3")
LEVEL_TEXTS = (
    "error: ", "<warn> ", "[ERROR] ", "%ASA-4-106023: ", "panic: ", "goroutine 7 [running]:",
    "Traceback (most recent call last)", "java.net.ConnectException: refused", "OutOfMemoryError",
    "Out of memory: Kill process", "SEVERE", "CRITICAL", "segfault at 0", "fatal error: x",
    "no errors", "0 failed", "failed=0", "err=<nil>", "timeout=30s", "connection refused",
    "ECONNRESET", "TCP_MISS/503", "not found", "can't", "n't", "/5", "too long", "WARN",
)  # fmt: skip


def _word_texts(rng: random.Random, count: int) -> list[str]:
    """Text made of the stems and keys (and pieces of them), in any case, at the start, the
    end and the middle, with the odd characters and now and then very long."""
    words = [*_STEMS, *_INFER_KEYS, *LEVEL_TEXTS, *ODD]
    words += [w[1:] for w in _STEMS] + [w[:-1] for w in _STEMS]
    texts = []
    for _ in range(count):
        text = _spliced(rng, [_cased(rng, w) for w in rng.sample(words, 8)])
        roll = rng.random()
        if roll < 0.05:
            text = "x" * rng.choice((MAX_TEXT - 3, MAX_TEXT, 600)) + text
        elif roll < 0.1:
            text = text + " y" * rng.randint(200, 1_200)
        texts.append(text)
    return texts


# -- level inference ---------------------------------------------------------------------------


def _same_inferred(texts: Sequence[str]) -> int:
    """Every text read twice (the second answer kept from the first), both as the plain
    reading's; returns how many imply a level."""
    found = 0
    for text in texts:
        plain = plain_inferred(text)
        assert inferred(text) == plain, text
        assert inferred(text) == plain, text
        assert infer_level(text) == plain_infer_level(text), text
        found += plain is not None
    return found


def test_level_words_of_the_fixtures_and_samples_are_read_as_the_plain_reading_reads_them() -> None:
    texts = _messages([*_samples(), *_fixture_lines()])
    assert _same_inferred(texts) > 500
    assert any(infer_level(text) for text in texts)


@pytest.mark.parametrize("seed", SEEDS)
def test_level_words_of_random_text_are_read_as_the_plain_reading_reads_them(seed: int) -> None:
    rng = random.Random(seed)
    texts = _word_texts(rng, 3_000)
    texts += [rng.choice(texts) for _ in range(1_000)]  # repeated: answers kept
    assert _same_inferred(texts) > 300


@pytest.mark.parametrize("seed", SEEDS)
def test_the_stem_search_finds_exactly_the_texts_that_hold_a_stem(seed: int) -> None:
    rng = random.Random(seed)
    texts = [text.lower() for text in _word_texts(rng, 3_000)] + list(_STEMS)
    for text in texts:
        assert (_ANY_STEM.search(text) is not None) == any(s in text for s in _STEMS), text


@pytest.mark.parametrize(
    "words",
    [
        _STEMS,
        ("xyz", "5", "q", "b-c"),  # none holds a vowel: `any_of`'s choice
        ("a", "ab", "b.", "(x)", "[y]", "a|b", "\\d", "?", "µs", "ⅷ", " ", "ee", "e"),
        ("err", "error", "rr", "o", "oo", "too long", "'", "n't", "/5", "/"),
    ],
)
def test_a_search_from_the_vowels_finds_exactly_the_lines_that_hold_a_word(
    words: tuple[str, ...],
) -> None:
    found = _any_stem(words)
    rng = random.Random(len(words))
    texts = [_spliced(rng, words, "abcexyz5 -.'/") for _ in range(2_000)]
    texts += [*words, *(w[1:] for w in words), *(w[:-1] for w in words)]
    for text in texts:
        assert (found.search(text) is not None) == any(w in text for w in words), (text, words)


def test_kept_answers_are_bounded_and_never_another_texts() -> None:
    inferred_levels._SEEN.clear()
    rng = random.Random(7)
    # texts that differ only at the end, or only past what is kept: each its own answer
    heads = ["request took too long", "request was fine", "connection refused", "all good"]
    texts = [f"{rng.choice(heads)} {n} {rng.choice(heads)}" for n in range(6_000)]
    texts += ["w" * inferred_levels._SEEN_TEXT + tail for tail in ("", " failed", " ok")]
    for text in texts + texts[::-1]:
        assert inferred(text) == plain_inferred(text), text
        assert len(inferred_levels._SEEN) <= inferred_levels._SEEN_SIZE
    assert all(len(text) <= inferred_levels._SEEN_TEXT for text in inferred_levels._SEEN)


# -- logfmt ------------------------------------------------------------------------------------


LOGFMT_PIECES = (
    "msg=", "level=", "time=", "ts=", "at=", "a.b-c/d@e=", "k=", "=", '"', '\\"', "\\\\", "\\",
    '""', '"x"', " ", "  ", "\n", "\t", "é", "\u2028", "abc", "x y", "err=", "desc=", "5xx",
    'msg="a \\"quoted\\" word"', "status=503", "date=2026-11-28", "time=14:02:03",
)  # fmt: skip


@pytest.mark.parametrize("seed", SEEDS)
def test_logfmt_pairs_are_read_as_the_plain_reading_reads_them(seed: int) -> None:
    rng = random.Random(seed)
    texts = ["".join(rng.choices(LOGFMT_PIECES, k=rng.randint(1, 14))) for _ in range(4_000)]
    texts += [line for line in _fixture_lines() if "=" in line]
    for text in texts:
        assert structured._LOGFMT_PAIR.findall(text) == PLAIN_PAIR.findall(text), text


# -- the inner line's time ---------------------------------------------------------------------


def _stamp(rng: random.Random) -> datetime:
    year = rng.choice((2023, 2024, 2025, 2026))
    start = datetime(year, 1, 1) + timedelta(seconds=rng.randint(0, 366 * 86_400))
    if rng.random() < 0.1:
        start = datetime(2024, 2, 29, rng.randint(0, 23))
    if rng.random() < 0.2:
        start = start.replace(tzinfo=rng.choice((UTC, timezone(timedelta(hours=2)))))
    return start


@pytest.mark.parametrize("seed", SEEDS)
def test_the_wrapped_line_gets_the_time_the_plain_reading_gave(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(5_000):
        mine = _stamp(rng)
        theirs = rng.choice((_stamp(rng), mine + timedelta(hours=rng.uniform(-30, 30))))
        if rng.random() < 0.3:
            theirs = theirs.replace(year=rng.choice((2024, 2025, 2026)), day=min(theirs.day, 28))
        if (mine.tzinfo is None) != (theirs.tzinfo is None):
            theirs = theirs.replace(tzinfo=mine.tzinfo)
        outer = Parsed(rng.choice((theirs, None)), None, "", zoned=rng.random() < 0.2)
        inside = Parsed(rng.choice((mine, mine, None)), None, "", zoned=rng.random() < 0.2)
        has_year = rng.random() < 0.2
        got, plain = inner._time(outer, inside, has_year), plain_time(outer, inside, has_year)
        assert got == plain, (outer, inside)
        assert (got and got.tzinfo) is (plain and plain.tzinfo), (outer, inside)


# -- whole parses ------------------------------------------------------------------------------


SYSLOG_MESSAGES = (
    'time="2026-11-27T13:30:01.325970000Z" level=info msg="ExecSync for \\"b6e6\\" returns"',
    'ts=2026-11-27T13:30:01.1Z caller=c.go:1 level=error msg="collector failed" err="open x"',
    'level=warn msg="unterminated \\" quote',
    'msg="a\\\\" b="c"',
    'I1127 13:30:00.271676     987 kubelet.go:2455] "SyncLoop (probe)" probe="readiness"',
    'E0229 10:00:00.000001     987 kubelet.go:1] "leap"',
    "2026-11-27 13:30:00.118 ERROR [main] c.e.Orders - Sync failed",
    "2024-02-29 23:59:59,001 WARNING app: leap day",
    "2025-12-31 23:59:59.999 INFO year end",
    '{"level":"error","msg":"boom","time":"2026-11-27T13:30:00Z"}',
    "[812345.538642] [UFW BLOCK] IN=eth0 OUT= SRC=1.2.3.4",
    "error: kex_exchange_identification: Connection closed by remote host",
    "<warn>  [1700000000.1] device (eth0): link disconnected",
    "%ASA-4-106023: Deny tcp src outside:1.2.3.4/5 dst inside:5.6.7.8/22",
    "Started session-390.scope - Session 2331 of User deploy.",
    "Starting apt-daily.service - Daily apt download activities...",
    "Out of memory: Killed process 812 (redis-server)",
    "panic: runtime error: index out of range",
    "java.net.SocketTimeoutException: Read timed out#012#011at java.net.Socket.read",
    "#011at com.example.Thing.run(Thing.java:12)",
    "ALERT exited abnormally",
    "",
)
SYSLOG_HEADERS = (
    "Nov 27 13:30:00 web-1 app[812]: ",
    "Feb 29 23:59:59 db-1 app[1]: ",
    "Dec 31 23:59:59 db-1 java: ",
    "Jan  1 00:00:01 host kernel: ",
    "<134>Nov 27 13:30:00 web-1 app[812]: ",
    "<11>1 2026-11-27T13:30:00.1Z web-1 app 812 - - ",
    "Nov 27 13:30:00 fw-1 : ",
)


def _syslog_lines(rng: random.Random, count: int) -> list[str]:
    lines = []
    for _ in range(count):
        message = rng.choice(SYSLOG_MESSAGES)
        if rng.random() < 0.3:
            message = "".join(
                rng.choice("0123456789") if c.isdigit() and rng.random() < 0.3 else c
                for c in message
            )
        if rng.random() < 0.2:
            message += rng.choice(_word_texts(rng, 1))
        lines.append(rng.choice(SYSLOG_HEADERS) + message)
    return lines


def _parse_all(lines: Sequence[str], reference: datetime) -> list[Any]:
    """Every system format's reading of every line, and errors as values."""
    found: list[Any] = []
    readers: list[LogFormat] = [*system.FORMATS, *structured.STRUCTURED_FORMATS]
    for fmt in readers:
        clock = Clock(reference=reference)
        for line in lines:
            try:
                parsed = fmt.parse(line, clock)
            except ValueError as error:  # a date no calendar has (digits redrawn)
                found.append(("error", str(error)))
                continue
            if parsed is None:
                found.append(None)
                continue
            stamp = parsed.timestamp
            found.append(
                (
                    parsed,
                    list((parsed.fields or {}).items()),
                    None if stamp is None else (stamp.isoformat(), stamp.tzinfo, stamp.fold),
                )
            )
    return found


def _alike(lines: Sequence[str], monkeypatch: pytest.MonkeyPatch) -> int:
    read = 0
    for reference in (datetime(2026, 11, 28, 15, tzinfo=UTC), datetime(2025, 3, 1, tzinfo=UTC)):
        mine = _parse_all(lines, reference)
        with monkeypatch.context() as patch:
            patch.setattr(system, "infer_level", plain_infer_level)
            patch.setattr(inner, "_time", plain_time)
            patch.setattr(structured, "_LOGFMT_PAIR", PLAIN_PAIR)
            plain = _parse_all(lines, reference)
        assert len(mine) == len(plain)
        for got, want in zip(mine, plain, strict=True):
            assert got == want
        read += sum(item is not None for item in mine)
    return read


def test_system_formats_read_the_fixtures_and_samples_as_the_plain_parse(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert _alike([*_samples(), *_fixture_lines()], monkeypatch) > 10_000


@pytest.mark.parametrize("seed", SEEDS)
def test_syslog_lines_of_every_shape_parse_as_the_plain_parse(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(seed)
    assert _alike(_syslog_lines(rng, 1_500), monkeypatch) > 1_500
