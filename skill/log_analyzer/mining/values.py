"""What differs between the values one position of a template takes, and how much evidence
makes the position a variable.

Two tokens that stand at the same place in otherwise equal messages differ somewhere: in a
name or an address (`/etc/xinetd.d/echo`, `com.tencent.mm`), a word (`admin`, `oracle`), the
value of a key (`user=root`), a flag (`WWEN[enable]`), a code (`SCREEN_ON`), a numbered name
(`eth0`). The common prefix and suffix of the values are left out, so the part that differs is
judged, not the punctuation and keys around it; a variable then takes only that part
(`user=<*>`), and a token under another key (`num=20,...` beside `topActivity=...`) is another
event.
"""

from __future__ import annotations

import re
from typing import Generic, TypeVar

from .masking import WILDCARD

T = TypeVar("T")

NEVER = 1_000_000
MAX_VALUES = 64  # kept per position: past the highest threshold, more only cost time
NAMES = 2  # names and addresses, with a constant token around them
WORDS = 3  # plain words, with three constant tokens or more around them
NUMBERED_NAMES = 4  # names with a number (`alt0`, `scip0`): devices are few, hosts are many
STATES = 6  # capitalised words, codes, a key's words: states and settings

# The kinds of the part that differs. KEY: the values are under different keys.
KEY, FLAG, CODE, NAME, NUMBERED, SETTING, QUOTED, CAPITALISED, WORD = range(9)

# Punctuation that makes a token a name or an address (dotted names, paths, `key=value`,
# host:port) rather than a word. Not `_` or `-`: `NOT_ENOUGH_REPLICAS` and `card-declined` are
# codes, and codes name distinct failures.
_IDENTIFIER_CHARS = frozenset("./\\=:@#[](){}")
_FLAGS = frozenset(
    {"true", "false", "yes", "no", "on", "off", "enabled", "disabled", "enable", "disable"}
)
# Upper-case codes, alone or ending a dotted name: `SCREEN_ON`, `android.intent.action.TIME_TICK`,
# `IPV6`.
_CODE = re.compile(r"(?:.*[./$])?(?:[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[A-Z]{2,}\d[A-Z0-9]*)")
# A name with a number in it (`eth0`, `sda1`, `scip0`): devices, interfaces, numbered names.
_NUMBERED = re.compile(r"[A-Za-z_\-]*[A-Za-z][A-Za-z_\-]*\d[\w\-]*")
_DIGITS = re.compile(r"\d+")
_HEX = re.compile(r"[0-9a-fA-F]{8,}")  # `mask=ffffffff`: a number, written without digits
# What the differing part extends over: a name, a path, a number, a variable; not the `=`,
# `:`, quotes and brackets around it.
_NAME_RUN = re.compile(r"[A-Za-z0-9_.\-/\\@$*+~%<>]*")
_NAME = re.compile(r"[A-Za-z_][\w.\-]*")
# A key and its separator at the start of a token, with a value after them.
_KEY = re.compile(r"[A-Za-z_][\w.\-]*(?:=|:(?=.))")
_QUOTES = "'\""


def looks_like_identifier(token: str) -> bool:
    """Dotted names, paths, host names, `key=<*>`: punctuation inside the token, not at its end
    (`initialization.` is a word)."""
    core = token.rstrip(".,;:!?")
    return WILDCARD in core or any(char in _IDENTIFIER_CHARS for char in core)


def key_of(token: str) -> str:
    """The key a token starts with (`user=` of `user=root`), or ''."""
    keyed = _KEY.match(token)
    return keyed.group(0) if keyed is not None else ""


def is_value(token: str) -> bool:
    """A token that names or addresses something, or holds a variable: what differs between
    occurrences of one event, as opposed to its words."""
    return WILDCARD in token or token[:1] in _QUOTES or looks_like_identifier(token)


class Values(Generic[T]):
    """The distinct values seen at one position of one context (tokens under one key), each
    with what it came from, and the common prefix and suffix of the tokens."""

    __slots__ = ("_kinds", "_shared", "prefix", "suffix", "values")

    def __init__(self) -> None:
        self.values: dict[str, T] = {}
        self.prefix = self.suffix = 0
        self._kinds: set[int] = set()
        self._shared = (-1, -1)  # the (prefix, suffix) that `_kinds` was computed for

    def add(self, token: str, origin: T) -> None:
        if token in self.values or len(self.values) >= MAX_VALUES:
            return
        if not self.values:
            self.prefix = self.suffix = len(token)
        else:
            first = next(iter(self.values))
            limit = min(self.prefix, len(token))
            prefix = 0
            while prefix < limit and first[prefix] == token[prefix]:
                prefix += 1
            limit = min(self.suffix, len(token) - prefix, len(first) - prefix)
            suffix = 0
            while suffix < limit and first[-1 - suffix] == token[-1 - suffix]:
                suffix += 1
            self.prefix, self.suffix = prefix, suffix
        self.values[token] = origin
        if self._shared == (self.prefix, self.suffix):
            self._kinds.add(self._kind(token))  # the same common parts: judge the new value

    def kinds(self) -> set[int]:
        """The kinds of the parts in which the values differ (`KEY` among them when they are
        under different keys). Recomputed only when the common prefix or suffix shrank, which
        happens at most once per character of the first value."""
        if self._shared != (self.prefix, self.suffix):
            self._shared = (self.prefix, self.suffix)
            self._kinds = {self._kind(token) for token in self.values}
        return self._kinds

    def needed(self, constants: int) -> int:
        """How many distinct values make the position a variable, in a template with
        `constants` constant tokens.

        Names, addresses and hexadecimal numbers need two, with some context, and so do
        numbered names that differ in their number alone (`eth0`, `eth1`). Plain words need
        three, with at least three constant tokens around them; numbered names with different
        stems (`alt0`, `scip0`: devices, or hosts) four. Capitalised words, codes and a key's
        words (`Started`, `SERVICE_UNAVAILABLE`, `user=root`) name states and settings rather
        than values, and need six, with the same context: a lifecycle of four states stays four
        templates. Flags (`true`/`false`) and different keys never merge."""
        context = constants - 1
        if context < 1 or len(self.values) < 2:
            return NEVER
        kinds = self.kinds()
        if KEY in kinds or FLAG in kinds:
            return NEVER
        if kinds == {NAME} or (kinds == {NUMBERED} and self._stem()):
            return NAMES
        if context < 3:
            return NEVER
        if kinds == {NUMBERED}:
            return NUMBERED_NAMES
        if kinds <= {CODE, CAPITALISED, QUOTED} or kinds == {SETTING}:
            return STATES
        return WORDS

    def variable(self) -> tuple[str, str]:
        """The prefix and suffix of the token that takes every value: the common parts around
        `<*>`, cut where the differing part begins (`user=` and `` for `user=<*>`, `(name=`
        and `)` for `Surface(name=<*>)`)."""
        token = next(iter(self.values))
        start, end = self._part(token)
        return token[:start], token[end:]

    def _part(self, token: str) -> tuple[int, int]:
        """Where the differing part of `token` starts and ends: past the common prefix and
        suffix, widened to the whole name it is in."""
        start, end = self.prefix, len(token) - self.suffix
        before = _NAME_RUN.match(token[:start][::-1])
        after = _NAME_RUN.match(token, end)
        return start - (before.end() if before else 0), after.end() if after else end

    def part(self, token: str) -> str:
        """The part of `token` that differs from the other values."""
        start, end = self._part(token)
        return token[start:end]

    def _kind(self, token: str) -> int:
        start, end = self._part(token)
        part = token[start:end]
        before = token[start - 1] if start > 0 else ""
        after = token[end] if end < len(token) else ""
        if after == "=" or (after == ":" and end + 1 < len(token)):
            if _NAME.fullmatch(part):
                return KEY  # `user=root` beside `group=root`
        elif not before and _KEY.match(part):
            return KEY
        if part.lower() in _FLAGS:
            return FLAG
        if before and before in _QUOTES and after == before:  # a quoted value
            capitalised = part[:1].isupper() and part.isalpha()
            return QUOTED if capitalised or _CODE.fullmatch(part) else NAME
        if part.isdigit() or _CODE.fullmatch(part):  # a number left unmasked is a code
            return CODE
        if not part or looks_like_identifier(part) or _HEX.fullmatch(part):
            return NAME
        if _NUMBERED.fullmatch(part):
            return NUMBERED
        if before in ("=", ":"):
            # a key's plain word is a setting (`user=root`, `mode=fast`); joined words are
            # identifiers (`decline_code=insufficient_funds`, `reason=card-declined`)
            joined = part.islower() and ("_" in part or "-" in part)
            return NAME if joined else SETTING
        return CAPITALISED if part[:1].isupper() else WORD

    def _stem(self) -> bool:
        """True when the values differ in digits alone (`eth0`, `eth1`)."""
        return len({_DIGITS.sub("0", token) for token in self.values}) == 1


# What may differ, position by position, between templates that merge at several positions at
# once (`tag="AudioMix", name=audioserver` and `tag="RILJ_ACK_WL", name=com.android.phone`):
# values, one of them at least a name or an address.
_FIELD_KINDS = frozenset({NAME, NUMBERED, SETTING, QUOTED})


def fields_differ(pairs: list[tuple[str, str]]) -> list[tuple[str, str]] | None:
    """For tokens that differ pairwise at several positions of two templates: the variable
    (prefix and suffix) of each position when every pair differs in a value (`_FIELD_KINDS`),
    none empty, each pair with a name or an address on one side at least or two quoted
    strings, so that the positions are the fields of one event that change together; else
    None."""
    variables: list[tuple[str, str]] = []
    kinds: set[int] = set()
    for mine, theirs in pairs:
        if WILDCARD in (mine, theirs):
            variables.append(("", ""))
            kinds.add(NAME)
            continue
        values: Values[None] = Values()
        values.add(mine, None)
        values.add(theirs, None)
        found = values.kinds()
        if not found <= _FIELD_KINDS or not (NAME in found or found == {QUOTED}):
            return None  # not values, or values that may be settings (`user=root`)
        if not all(values.part(token) for token in (mine, theirs)):
            return None  # a field set in one and empty in the other
        kinds |= found
        variables.append(values.variable())
    return variables if NAME in kinds else None
