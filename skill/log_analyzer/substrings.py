"""One search for many plain substrings, for the tests run on every record.

Telling whether a line holds any of forty words costs forty scans with `in`, and a plain
regex alternation `a|b|c` is no faster: the engine stops at every character that starts a
word (`a`, `s`, `l`...) and tries them all. `any_of` instead looks for each word from one of
its rarer characters, as memchr's rare-byte prefilter does: the engine stops only where such a
character occurs, then checks the rest of the word forwards and the whole word backwards. A
match is exactly one of the words, so the test is the same as `any(word in text for word in
words)`, whichever character each word is looked for from.

What a search costs is mostly the stops: one per occurrence in the text of any character the
words are looked for from. So the characters are chosen together, not word by word: a few
that every word holds one of and that are rare in log text, counted once however many words
share one (`_start_characters`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

# Printable ASCII in log text, the most frequent first, and how often each occurs per 100,000
# characters (the messages of the benchmark corpus, loghub's samples and real software's logs
# of many formats, each file weighing the same: user agents, URLs, paths, JSON, prose).
# Any character not listed is rarer than all of these.
_BY_FREQUENCY = (
    " etosraincdl0.1upm2/g:hf34-5yb678\"9Tvk=_,SwC()EMPAxRIqOL[]NDHF'UG#W;BKjz\\|+@V%{}>!*X$J"
    "&<~?YQ`^Z"
)
_PER_100K = (
    9786, 7604, 4785, 4646, 4424, 4340, 4111, 3965, 3834, 2790, 2588, 2575, 2492, 2224, 2062,
    1939, 1920, 1791, 1451, 1385, 1343, 1262, 1208, 1138, 1105, 1033, 995, 985, 970, 949, 944,
    877, 826, 724, 720, 677, 667, 641, 635, 625, 604, 551, 496, 464, 440, 435, 411, 411, 392,
    383, 350, 342, 317, 305, 291, 290, 272, 272, 241, 237, 229, 214, 207, 206, 173, 152, 146,
    145, 133, 126, 120, 117, 110, 106, 90, 80, 69, 66, 62, 62, 61, 60, 54, 53, 44, 39, 39, 30,
    20, 20, 13, 13, 12, 10, 7,
)  # fmt: skip
_FREQUENCY = dict(zip(_BY_FREQUENCY, _PER_100K, strict=True))
_UNLISTED = 1  # any other character: rarer than every listed one


def _start_characters(words: list[str]) -> set[str]:
    """Characters such that every word holds one, occurring as seldom as possible in log text
    together: greedy weighted set cover (the character that costs least per word it covers
    still uncovered, ties to the first in code point order). Only the speed depends on it."""
    chosen: set[str] = set()
    left = words
    while left:
        covers: dict[str, int] = defaultdict(int)
        for word in left:
            for character in set(word):
                covers[character] += 1
        best = min(
            sorted(covers),
            key=lambda c: _FREQUENCY.get(c, _UNLISTED) / covers[c],
        )
        chosen.add(best)
        left = [word for word in left if best not in word]
    return chosen


def any_of(words: Iterable[str]) -> re.Pattern[str]:
    """A regex whose `search` finds any of `words` (plain, non-empty substrings) in one pass."""
    unique = list(dict.fromkeys(words))
    starts = _start_characters(unique)
    by_start: dict[str, list[str]] = defaultdict(list)
    for word in unique:
        # the word's rarest chosen character, the first of them where two or more are
        at = min(
            (i for i, character in enumerate(word) if character in starts),
            key=lambda i: (_FREQUENCY.get(word[i], _UNLISTED), i),
        )
        # the rest of the word from that character, then the whole word backwards
        by_start[word[at]].append(
            re.escape(word[at + 1 :]) + (f"(?<={re.escape(word)})" if at else "")
        )
    return re.compile(
        "|".join(
            re.escape(start) + (f"(?:{'|'.join(rests)})" if len(rests) > 1 else rests[0])
            for start, rests in by_start.items()
        )
    )
