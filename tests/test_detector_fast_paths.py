"""The shortcuts of the per-record readers' helpers must never change an answer.

`substrings.any_of` chooses the characters it looks for each word from together (a few that are
rare in log text); whichever it chooses, its search must find a word exactly where the plain
test `any(word in text for word in words)` does. `SkewEstimator.merge` finds the held ids a part
names by one set intersection once the estimator is full; it must hold what the plain loop
holds, in the same order. Each is checked against the plain reading (and `any_of` also against
its former choice, kept here) on the bundled incidents and format fixtures, on every format's
samples, and on seeded random text built from the very words the searches look for.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import pytest

from log_analyzer.analysis import impact, skew
from log_analyzer.analysis.events import _ANY_WORD, OPERATIONAL_WORDS
from log_analyzer.analysis.impact import RequestTally, failed
from log_analyzer.analysis.skew import SkewEstimator
from log_analyzer.formats.registry import FORMATS
from log_analyzer.inferred_levels import _ANY_STEM, _STEMS, MAX_TEXT
from log_analyzer.mining.requests import message_outcome
from log_analyzer.substrings import _start_characters, any_of

from .conftest import FIXTURES

SEEDS = (1, 2, 3, 4, 5)

# -- the plain readings, as they were ------------------------------------------------------

_OLD_BY_FREQUENCY = (
    ' e01tora2sin:".c-ldp438/m56u7gh9,fvbTky][S_=NIECxROw()MAPF^LqGHUD{}\\WjZ+KzB;'
    "'|@#*JVX>$QY?~<!%&`"
)


def _old_rarity(word: str, at: int) -> tuple[bool, int]:
    found = _OLD_BY_FREQUENCY.find(word[at])
    return len(word) - at >= min(3, len(word)), found if found >= 0 else len(_OLD_BY_FREQUENCY)


def old_any_of(words: Iterable[str]) -> re.Pattern[str]:
    """`any_of` as it was: each word looked for from its own rarest character."""
    by_start: dict[str, list[str]] = defaultdict(list)
    for word in dict.fromkeys(words):
        at = max(range(len(word)), key=lambda i: (*_old_rarity(word, i), -i))
        by_start[word[at]].append(
            re.escape(word[at + 1 :]) + (f"(?<={re.escape(word)})" if at else "")
        )
    return re.compile(
        "|".join(
            re.escape(start) + (f"(?:{'|'.join(rests)})" if len(rests) > 1 else rests[0])
            for start, rests in by_start.items()
        )
    )


class PlainSkew(SkewEstimator):
    """`SkewEstimator.merge` as it was: a look-up per id of the part."""

    def merge(self, sightings: dict[str, dict[str, float]], owned: bool = False) -> None:
        for identifier, services in sightings.items():
            mine = self._seen.get(identifier)
            if mine is None:
                if len(self._seen) >= skew.MAX_IDS:
                    continue
                self._seen[identifier] = dict(services)
            else:
                for service, when in services.items():
                    mine.setdefault(service, when)


# -- inputs --------------------------------------------------------------------------------


def _fixture_lines() -> list[str]:
    files = sorted(p for p in FIXTURES.rglob("*") if p.is_file() and p.suffix in {".log", ""})
    lines: list[str] = []
    for path in files:
        lines.extend(_lines(path))
    return lines


def _lines(path: Path, most: int = 3_000) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    return text.splitlines()[:most]


def _samples() -> list[str]:
    lines = [sample.line for fmt in FORMATS for sample in fmt.samples]
    return lines + [s.message for fmt in FORMATS for s in fmt.samples if s.message is not None]


EDGES = ("", " ", "\u2028", "é", "日本語", "x" * 5_000, "\n", "[", "]", "\\", "(?<=", "a\u2028b")


def _spliced(rng: random.Random, words: tuple[str, ...]) -> str:
    """Text made of the words, their pieces, changed case and filler: near misses abound."""
    parts: list[str] = []
    for _ in range(rng.randint(0, 8)):
        word = rng.choice(words)
        roll = rng.random()
        if roll < 0.3:
            word = word[rng.randint(0, len(word) - 1) :]  # a tail
        elif roll < 0.5:
            word = word[: rng.randint(0, len(word))]  # a head
        elif roll < 0.6:
            word = word.upper()
        elif roll < 0.7:
            word = word.lower()
        elif roll < 0.8 and len(word) > 1:
            at = rng.randint(0, len(word) - 1)
            word = word[:at] + rng.choice("x \u2028é") + word[at + 1 :]  # one character off
        parts.append(word)
        parts.append(rng.choice(("", " ", "-", "/", "\u2028", "日", "\n", "==", "x" * 300)))
    return "".join(parts)


def _random_words(rng: random.Random) -> tuple[str, ...]:
    """Words of characters frequent, rare and unlisted (regex specials, unicode) alike."""
    alphabet = "aeiostrlnSGKjz.-[](){}*+?|\\^$ 'é日\u2028Z~"
    return tuple(
        "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 7)))
        for _ in range(rng.randint(1, 25))
    )


def _holds(words: tuple[str, ...], text: str) -> bool:
    return any(word in text for word in words)


# -- any_of ------------------------------------------------------------------------------------


def _check(pattern: re.Pattern[str], words: tuple[str, ...], texts: Iterable[str]) -> int:
    old = old_any_of(words)
    checked = 0
    for text in texts:
        plain = _holds(words, text)
        assert (pattern.search(text) is not None) is plain, (words, text)
        assert (old.search(text) is not None) is plain, (words, text)
        checked += 1
    return checked


def test_operational_words_are_found_where_the_plain_test_finds_them() -> None:
    words = OPERATIONAL_WORDS
    texts = [*_fixture_lines(), *_samples(), *EDGES, *words, *(f"x{w}y" for w in words)]
    assert _check(_ANY_WORD, words, texts) > 1_000


def test_inference_stems_are_found_where_the_plain_test_finds_them() -> None:
    words = _STEMS
    lowered = [t[:MAX_TEXT].lower() for t in [*_fixture_lines(), *_samples(), *EDGES]]
    assert _check(_ANY_STEM, words, [*lowered, *words, *(f"-{w}-" for w in words)]) > 1_000


@pytest.mark.parametrize("seed", SEEDS)
def test_the_searches_find_a_word_in_random_text_where_the_plain_test_does(seed: int) -> None:
    rng = random.Random(seed)
    for words, pattern in ((OPERATIONAL_WORDS, _ANY_WORD), (_STEMS, _ANY_STEM)):
        texts = [_spliced(rng, words) for _ in range(3_000)]
        # a word at the very start and the very end, in a long line
        texts += [w + "x" * 400 for w in words] + ["x" * 400 + w for w in words]
        _check(pattern, words, texts)


@pytest.mark.parametrize("seed", SEEDS)
def test_any_of_finds_random_words_where_the_plain_test_does(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(60):
        words = _random_words(rng)
        pattern = any_of(words)
        # every word holds a character the search stops at
        starts = _start_characters(list(dict.fromkeys(words)))
        assert all(starts & set(word) for word in words)
        texts = [_spliced(rng, words) for _ in range(150)] + list(EDGES) + list(words)
        _check(pattern, words, texts)


def test_any_of_is_the_same_whatever_order_its_words_come_in() -> None:
    words = list(OPERATIONAL_WORDS)
    random.Random(7).shuffle(words)
    assert any_of(words).pattern != "" and any_of(OPERATIONAL_WORDS).pattern == _ANY_WORD.pattern


# -- SkewEstimator.merge -------------------------------------------------------------------


def _parts(rng: random.Random) -> list[dict[str, dict[str, float]]]:
    services = ("api", "db", "web", "cart")
    return [
        {
            f"id{rng.randrange(60)}": {
                s: float(rng.randrange(1_000)) for s in rng.sample(services, rng.randint(1, 3))
            }
            for _ in range(rng.randint(0, 40))
        }
        for _ in range(rng.randint(1, 6))
    ]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("most", (1, 5, 20, 200_000))
def test_merged_sightings_are_what_the_plain_merge_holds(
    seed: int, most: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(skew, "MAX_IDS", most)
    rng = random.Random(seed)
    for _ in range(40):
        parts = _parts(rng)
        mine, plain = SkewEstimator(), PlainSkew()
        for part in parts:
            mine.merge(part)
            plain.merge(part)
            assert list(mine.sightings) == list(plain.sightings)
            for identifier, services in plain.sightings.items():
                assert list(mine.sightings[identifier].items()) == list(services.items())
        assert mine.estimate() == plain.estimate()
        # handed over (`taking` the first, the others `owned`): the same sightings, in order
        copies = [{i: dict(s) for i, s in part.items()} for part in parts]
        taken = SkewEstimator.taking(copies[0])
        for part in copies[1:]:
            taken.merge(part, owned=True)
        assert list(taken.sightings) == list(plain.sightings)
        for identifier, services in plain.sightings.items():
            assert list(taken.sightings[identifier].items()) == list(services.items())
        # the parts are left as they were (the held dicts are copies)
        assert parts == [{i: dict(s) for i, s in part.items()} for part in parts] and all(
            mine.sightings.get(i) is not s for part in parts for i, s in part.items()
        )


# -- routes ------------------------------------------------------------------------------------

_PLAIN_ID = re.compile(r"/(?:\d+(?=/|$)|(?!v\d+(?:\.\d+)*(?:/|$))(?=[^/]{3})[^/]*\d[^/]*)")


def plain_route(method: str | None, path: str | None) -> str:
    """`route_of` as it was: the former `_ID`, every path worked out as it is."""
    if path is None or not path.startswith("/"):
        return f"{method} {impact.NO_ROUTE}" if method else impact.NO_ROUTE
    masked = _PLAIN_ID.sub("/{id}", path) if impact._DIGIT.search(path) else path
    if ("-" in masked or "." in masked or len(masked) > 25) and impact._OTHER.search(masked):
        masked = impact._OTHER.sub(impact._name, masked)
    return f"{method} {masked}" if method else masked


class PlainTally(RequestTally):
    """`RequestTally.count` as it was: the route of the path as logged."""

    def count(self, service: str, outcome: tuple[str | None, str | None, int], bucket: int) -> None:
        method, path, status = outcome
        key = (service, plain_route(method, path), bucket)
        tally = self.counts.setdefault(key, [0, 0])
        tally[0] += 1
        tally[1] += failed(status)


SEGMENTS = (
    "", "0", "7", "12", "123", "32868", "v1", "v2", "v12", "V12", "v1.2", "v2a", "va1", "abc",
    "a1", "ab1", "1ab", "daa2da", "items", "x" * 30, "a-b-c", "hero.JPG", "²³⁴", "١٢٣", "12\n",
    "\n", "1\n2", "{id}", "a b", "é1x", "ord_55187c", "00", "v", "vv1",
)  # fmt: skip


def _random_path(rng: random.Random) -> str:
    path = "".join("/" + rng.choice(SEGMENTS) for _ in range(rng.randint(0, 5)))
    roll = rng.random()
    if roll < 0.1:
        path = path.lstrip("/")  # no leading slash: no route
    elif roll < 0.2:
        path += "\n"
    elif roll < 0.3:
        path += "/"
    return path


def _fixture_paths() -> list[str]:
    paths: list[str] = []
    for line in [*_fixture_lines(), *_samples()]:
        outcome = message_outcome(line, None)
        if outcome is not None and outcome[1] is not None:
            paths.append(outcome[1])
    return paths


@pytest.mark.parametrize("seed", SEEDS)
def test_paths_are_masked_and_counted_as_the_plain_reading_does(seed: int) -> None:
    rng = random.Random(seed)
    paths: list[str | None] = [None, "", "/", "0", "/0", *(f"/{s}" for s in SEGMENTS)]
    paths += _fixture_paths()
    paths += [_random_path(rng) for _ in range(5_000)]
    mine, plain = RequestTally(), PlainTally()
    for path in paths:
        if path is not None:
            assert _PLAIN_ID.sub("/{id}", path) == impact._ID.sub("/{id}", path), path
        method = rng.choice([None, "", "GET", "POST"])
        outcome = (method, path, rng.choice((200, 404, 429, 503)))
        mine.count("svc", outcome, 1)
        plain.count("svc", outcome, 1)
        assert impact.route_of.__wrapped__(method, path) == plain_route(method, path), path
    assert mine.counts == plain.counts
    assert list(mine.counts) == list(plain.counts)
