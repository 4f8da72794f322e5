"""One search for many plain substrings, for the tests run on every record.

Telling whether a line holds any of forty words costs forty scans with `in`, and a plain
regex alternation `a|b|c` is no faster: the engine stops at every character that starts a
word (`a`, `s`, `l`...) and tries them all. `any_of` instead looks for each word from its rarest
character, as memchr's rare-byte prefilter does: the engine stops only where such a character
occurs, then checks the rest of the word forwards and the whole word backwards. A match is
exactly one of the words, so the test is the same as `any(word in text for word in words)`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

# Characters of log text, the most frequent first (counted over the bundled incidents, the
# format samples and loghub's); any character not listed is rarer than all of these.
_BY_FREQUENCY = (
    ' e01tora2sin:".c-ldp438/m56u7gh9,fvbTky][S_=NIECxROw()MAPF^LqGHUD{}\\WjZ+KzB;'
    "'|@#*JVX>$QY?~<!%&`"
)


def _rarity(word: str, at: int) -> tuple[bool, int]:
    """How good a start `word[at]` makes: two characters or more after it (a miss is then
    rejected on the next ones), then the rarer the better."""
    found = _BY_FREQUENCY.find(word[at])
    return len(word) - at >= min(3, len(word)), found if found >= 0 else len(_BY_FREQUENCY)


def any_of(words: Iterable[str]) -> re.Pattern[str]:
    """A regex whose `search` finds any of `words` (plain, non-empty substrings) in one pass."""
    by_start: dict[str, list[str]] = defaultdict(list)
    for word in dict.fromkeys(words):
        at = max(range(len(word)), key=lambda i: (*_rarity(word, i), -i))
        # the rest of the word from its rarest character, then the whole word backwards
        by_start[word[at]].append(
            re.escape(word[at + 1 :]) + (f"(?<={re.escape(word)})" if at else "")
        )
    return re.compile(
        "|".join(
            re.escape(start) + (f"(?:{'|'.join(rests)})" if len(rests) > 1 else rests[0])
            for start, rests in by_start.items()
        )
    )
