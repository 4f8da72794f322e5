"""Levels for records that state none, read from what their message says.

Resolvers (CoreDNS), proxies (HAProxy, Squid), Go's `log` package, `print` and shell scripts
write no level: `dial tcp 10.0.0.7:5432: connect: connection refused` is an error all the same.
A stated level always wins, and `levels.infer_level` already reads the loud marks (`ERROR`,
`Traceback`, `panic: `) while parsing. This module reads the quieter words, for the analysis
only: parse output keeps the level the file states.

Words are matched as words (`failover`, `error_log`, `/api/failed-orders` say nothing), and
counts, settings and negations are not events (`0 failed`, `no errors`, `failed=0`,
`error_count=0`, `err=<nil>`, `timeout=30s`). A match is strong when only a failure is worded
so (errno texts, crashes, exception names): a source that states levels on most of its records
gets only strong matches on its other records, which are mostly pieces of a stated one.
"""

from __future__ import annotations

import re

from .records import Record
from .substrings import any_of

MAX_TEXT = 2_000  # characters of a message read: the event is said at its start

_END = r"(?![\w/-]|\.\w)"  # a word ends here (`error.log`, `failed-orders` are names)
_FAILURE = (
    r"(?:errors?|fail(?:ed|ures?|ing|s)?|timeouts?|timed out|exceptions?|refused|denied"
    r"|killed|crash(?:ed|es)?|aborted|panics?)"
)
# a word naming a count or a setting (`failed=0`, `max_retries: 3`, `read_timeout=30s`)
_KEY = rf"(?:{_FAILURE}|err|fatal|retry|retries|warnings?|back_?off|slow)[\w.-]*\s*[=:]\s*"
_VALUE = (
    r"(?:\d[\d.,]*(?:\s*(?:ms|s|m|h|sec|secs|seconds|minutes)\b)?|none\b|null\b|nil\b|<nil>"
    r"|false\b|off\b|\"\"|''|\[\]|\{\})"
)
_STRONG = (
    r"connection (?:refused|reset|closed by peer|aborted)|reset by peer|broken pipe"
    r"|no route to host|(?:network|host) (?:is )?unreachable|i/o timeout|timed out"
    r"|no space left on device|disk (?:quota exceeded|full)|out of memory"
    r"|cannot allocate memory|oomkilled|segmentation fault|segfault|core dumped"
    r"|too many open files|deadline exceeded|servfail|permission denied|access denied"
    r"|stack overflow|deadlock(?:ed)?|no such file or directory|read-only file system"
    r"|name or service not known|temporary failure in name resolution|no server available"
    r"|certificate (?:has )?expired|handshake fail\w*|(?:un(?:handled|caught)|fatal) "
    r"(?:exception|error)|fatal|panic(?:ked)?|exit(?:ed)? (?:with )?(?:status|code) [1-9]\d*"
    r"|status=[1-9]\d*/\w+|killed process|killed by signal|errno\s*[=:]?\s*[1-9]\d*"
    r"|traceback \(most recent call"
)
_ERROR = (
    rf"{_FAILURE}|err|errored|refusing|unreachable|forbidden|unauthori[sz]ed|rejected"
    r"|rejecting|unavailable|exhausted|corrupt(?:ed|ion)?|cannot|can ?not|can't|could not"
    r"|couldn't|unable to|lost connection|connection lost|not responding|bad gateway|is down"
    r"|went down|mark(?:ed|ing) (?:as )?down|dead"
)
_WARNING = (
    r"warn(?:ing|ings)?|retry(?:ing)?|retries|retried|deprecat(?:ed|ion)|slow|degraded"
    r"|throttl(?:ed|ing)|back(?:ing)? ?off|reconnecting|fall(?:ing)? back|took too long"
    r"|exceeded|high latency|lagging"
)

# Matched on the lower-cased text (a case-sensitive expression runs twice as fast). At one
# position the first alternative that matches wins: a benign reading comes first.
_WORDS = re.compile(
    rf"(?P<setting>(?<![a-z0-9]){_KEY}{_VALUE}|--[\w-]*time_?out[\w-]*[= ]\d)"
    r"|(?<![\w/.-])(?=[\w\[(<])(?:"  # a word starts here: not inside a name, path or file name
    rf"(?P<benign>(?:no|zero|none|not|never|without)\s+(?:\w+\s+){{0,2}}{_FAILURE}{_END}"
    rf"|(?:with|and|had|has|have|found|reported|returned|saw|got)\s+0\s+(?:\w+\s+){{0,2}}"
    rf"{_FAILURE}{_END}"
    rf"|(?<![a-z] )0\s+(?:\w+\s+){{0,2}}{_FAILURE}{_END}"  # not `worker 0 failed`
    r"|(?:on|if|when|upon|handle|handling|report|ignore)\s+(?:an?\s+|the\s+)?"
    rf"(?:errors?|failures?|timeouts?){_END})"
    rf"|(?P<strong>(?:{_STRONG}){_END}|^(?:err|error|fatal|panic|crit|critical|emerg)"
    r"\s*:(?=\s)|[\[<(](?:error|err|fatal|crit|critical|emerg|alert)[\]>)])"
    rf"|(?P<error>(?:{_ERROR}){_END})"
    rf"|(?P<warning>(?:{_WARNING}){_END}))"
)
# What only its case tells: exception names, errno names, Squid's `TCP_MISS/503`.
_NAMES = re.compile(
    r"(?P<strong>(?<![\w$])[A-Z]\w*(?:Exception|Error)(?!\w)"  # java.net.ConnectException
    r"|(?<![\w/])E(?:CONNREFUSED|CONNRESET|CONNABORTED|TIMEDOUT|HOSTUNREACH|NETUNREACH|NOSPC"
    r"|PIPE|NOMEM|ACCES|MFILE)(?!\w))"
    r"|(?P<error>(?<![\w/])[A-Z][A-Z_]+/5\d\d(?!\d))"
)
_RANK = {"setting": 0, "benign": 0, "warning": 1, "error": 2, "strong": 3}

# Every alternative but a benign one holds one of these: most lines hold none, and one search
# for them all (`_ANY_STEM`) rejects those far faster than the expressions.
_STEMS = (
    "err", "fail", "time", "xcept", "refus", "denied", "kill", "crash", "abort", "panic",
    "fatal", "reset", "pipe", "unreach", "no ", "mem", "oom", "seg", "dump", "many", "exceed",
    "dead", "read-only", "not ", "disk", "expire", "exit", "traceback", "forbid",
    "unauthori", "reject", "unavail", "exhaust", "corrupt", "cannot", "n't", "unable", "lost",
    "gateway", "down", "warn", "retr", "deprecat", "slow", "degrad", "throttl", "back",
    "reconn", "too long", "latency", "lagging", "crit", "emerg", "alert", "overflow", "nospc",
    "acces", "mfile", "/5",
)  # fmt: skip
# The order to prefer a stem's start character in, the rarest in lower-cased log text first.
_STARTS = "'/uiaoe"


def _any_stem(words: tuple[str, ...]) -> re.Pattern[str]:
    """A regex whose `search` finds any of `words` in lower-cased text, as `any_of` does, but
    each word looked for from one of the characters of `_STARTS` (its rarest there), not from
    its rarest character: the engine stops at every character that starts a word, and `any_of`'s
    choices (`err`, `no `, `many`, `down`...) start words at almost every letter, where the
    vowels stop it at under half the characters (1.9 times as fast on syslog's messages). A match is
    still exactly one of the words (the rest of the word forwards, the whole word backwards), so
    the test is `any(word in text for word in words)`; a word without any of `_STARTS` gets
    `any_of`'s choice."""
    by_start: dict[str, list[str]] = {}
    rest: list[str] = []
    for word in dict.fromkeys(words):
        starts = [at for at, char in enumerate(word) if char in _STARTS]
        if not starts:
            rest.append(word)
            continue
        at = min(starts, key=lambda i: (_STARTS.index(word[i]), i))
        by_start.setdefault(word[at], []).append(
            re.escape(word[at + 1 :]) + (f"(?<={re.escape(word)})" if at else "")
        )
    branches = [
        re.escape(start) + (f"(?:{'|'.join(rests)})" if len(rests) > 1 else rests[0])
        for start, rests in by_start.items()
    ]
    if rest:
        branches.append(any_of(rest).pattern)
    return re.compile("|".join(branches))


_ANY_STEM = _any_stem(_STEMS)


# What `_read` said of recent messages. Level-less sources repeat their messages word for word
# (cron's command, a daemon's periodic line: a third of syslog's level-less records are one seen
# among the last thousand), and the answer is a function of the text alone, so a kept answer is
# the one reading it again would give. Bounded: emptied when full; long texts, rarely repeated,
# are read each time (and not kept alive).
_SEEN: dict[str, tuple[str, bool] | None] = {}
_SEEN_SIZE = 2048
_SEEN_TEXT = 500
_UNSEEN = ("", False)  # no answer kept (an answer is None or a level)


def inferred(message: str) -> tuple[str, bool] | None:
    """(level, strong) a message's words imply, or None: (`error`, True) for wording only a
    failure produces, (`error`, False) for a failure word, (`warning`, False) for a softer one.
    The most severe reading wins."""
    if len(message) > _SEEN_TEXT:
        return _read(message)
    found = _SEEN.get(message, _UNSEEN)
    if found is _UNSEEN:
        found = _read(message)
        if len(_SEEN) >= _SEEN_SIZE:
            _SEEN.clear()
        _SEEN[message] = found
    return found


def _read(message: str) -> tuple[str, bool] | None:
    """`inferred`, unkept."""
    text = message[:MAX_TEXT]
    lowered = text.lower()
    if _ANY_STEM.search(lowered) is None:
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


def inferred_level(message: str, strong_only: bool = False) -> str | None:
    """The level a level-less message's words imply (`error`, `warning`), or None. With
    `strong_only`, only wording that a failure alone produces counts."""
    found = inferred(message)
    if found is None or (strong_only and not found[1]):
        return None
    return found[0]


def effective_level(record: Record, strong_only: bool = False) -> str | None:
    """The level the record states, else the one its words imply."""
    if record.level is not None:
        return record.level
    return inferred_level(record.message, strong_only)


def states_levels(stated: int, unstated: int) -> bool:
    """A source that states a level on most of its records: its other records get only the
    strong inferences."""
    return stated > unstated


class LevelReader:
    """Effective levels over a stream of records, each source judged by its share of stated
    levels so far (a filter sees records once, in order)."""

    def __init__(self) -> None:
        self._seen: dict[str, list[int]] = {}

    def __call__(self, record: Record) -> str | None:
        seen = self._seen.get(record.file)
        if seen is None:
            seen = self._seen[record.file] = [0, 0]
        if record.level is not None:
            seen[0] += 1
            return record.level
        seen[1] += 1
        return inferred_level(record.message, states_levels(seen[0], seen[1]))
