"""Severity levels: eight canonical names, the many spellings that map to them, and inference.

The canonical order follows syslog's severities, which every other scheme maps onto.
"""

from __future__ import annotations

import re

from .substrings import any_of

LEVELS: tuple[str, ...] = (
    "trace",
    "debug",
    "info",
    "notice",
    "warning",
    "error",
    "critical",
    "fatal",
)
RANK: dict[str, int] = {name: rank for rank, name in enumerate(LEVELS)}

_SPELLINGS: dict[str, str] = {
    "trace": "trace",
    "trc": "trace",
    "trce": "trace",  # .NET's console logger: trce, dbug, info, warn, fail, crit
    "vrb": "trace",  # Serilog's Verbose, below Debug
    "silly": "trace",  # winston
    "finest": "trace",
    "finer": "trace",
    "verbose": "debug",
    "debug": "debug",
    "dbg": "debug",
    "dbug": "debug",
    "fine": "debug",
    "config": "debug",
    "debug1": "debug",
    "debug2": "debug",
    "debug3": "debug",
    "debug4": "debug",
    "debug5": "debug",
    "info": "info",
    "inf": "info",
    "information": "info",
    "informational": "info",
    "log": "info",
    "default": "info",
    "success": "info",  # loguru, between INFO and WARNING
    "http": "info",  # winston, between info and verbose
    "note": "notice",
    "system": "notice",
    "notice": "notice",
    "warn": "warning",
    "warning": "warning",
    "wrn": "warning",
    "error": "error",
    "err": "error",
    "eror": "error",
    "severe": "error",
    "exception": "error",
    "fail": "error",
    "failure": "error",
    "critical": "critical",
    "crit": "critical",
    "alert": "critical",
    "dpanic": "critical",
    "fatal": "fatal",
    "ftl": "fatal",
    "panic": "fatal",
    "emerg": "fatal",
    "emergency": "fatal",
}
_SPELLINGS.update({f"trace{n}": "trace" for n in range(1, 9)})  # Apache httpd trace1..trace8

# syslog / journald PRIORITY 0..7
SYSLOG_SEVERITY: tuple[str, ...] = (
    "fatal",
    "critical",
    "critical",
    "error",
    "warning",
    "notice",
    "info",
    "debug",
)


def normalize_level(value: object) -> str | None:
    """Map any spelling (`WARN`, `Warning`, `E`, `50`, `3`) to a canonical level, or None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        if value != value or value in (_INFINITY, -_INFINITY):  # NaN, 1e999: no level
            return None
        return _numeric_level(int(value))
    text = str(value).strip().lower()
    found = _SPELLINGS.get(text)
    if found is not None:
        return found
    if text.isdecimal() and text.isascii():  # not `²`, which `isdigit` takes and `int` not
        return _numeric_level(int(text))
    return None


_INFINITY = float("inf")


def _numeric_level(number: int) -> str | None:
    """pino/bunyan use 10..60; syslog priorities use 0..7."""
    if 0 <= number <= 7:
        return SYSLOG_SEVERITY[number]
    if number >= 10:
        if number >= 60:
            return "fatal"
        return ("trace", "debug", "info", "warning", "error")[min(number // 10 - 1, 4)]
    return None


# Level words as headers print them (any case): the vocabulary a reader looks for where a line's
# header may name its level. Longest first, so that `WARNING` is not read as `WARN`.
LEVEL_WORDS = (
    "informational|information|emergency|critical|warning|verbose|success|notice|severe|"
    "debug|error|fatal|trace|alert|panic|emerg|info|warn|crit|eror|dbug|trce|vrb|dbg|inf|wrn|"
    "err|ftl|trc"
)
_COLON_LEVELS = {word: normalize_level(word) for word in LEVEL_WORDS.split("|")}
_LEADING_LEVEL = re.compile(
    rf"(?i:<(?P<angle>{LEVEL_WORDS})>|\[(?P<bracket>{LEVEL_WORDS})\]|(?P<colon>{LEVEL_WORDS}):)"
    r"(?:\s|$)"
)


# Cisco's `%FACILITY-SEVERITY-MNEMONIC:` (ASA, IOS, NX-OS): the severity is syslog's 0..7.
_MNEMONIC = re.compile(r"%[A-Z][A-Z0-9_]*-(?:[A-Z0-9_]+-)?([0-7])-[A-Z0-9_]+\s?:")


def mnemonic_level(message: str) -> str | None:
    """The level of a Cisco message (`%ASA-4-106023: Deny tcp ...`), or None."""
    if "%" not in message:
        return None
    match = _MNEMONIC.search(message, 0, 160)
    return SYSLOG_SEVERITY[int(match.group(1))] if match else None


def leading_level(message: str) -> str | None:
    """The level a message names at its very start, as daemons prefix it (sshd's and
    postfix's `error: `, NetworkManager's `<warn> `, `[ERROR] `), or None."""
    if message[:1] not in "<[":  # the common case, decided without the regex
        colon = message.find(":", 3, 15)
        if colon < 0 or message[colon + 1 : colon + 2] not in (" ", ""):
            return None
        return _COLON_LEVELS.get(message[:colon].lower())
    match = _LEADING_LEVEL.match(message)
    if match is None:
        return None
    return normalize_level(match.group(match.lastgroup or "colon"))


def at_least(level: str | None, minimum: str) -> bool:
    """True when `level` is as severe as `minimum` (unknown levels count as info)."""
    return RANK.get(level or "info", 2) >= RANK[minimum]


# Inference for records whose format carries no level. Case-sensitive on purpose: `ERROR` and
# `Exception` are signals, the word "errors" in "0 errors" is not.
_INFER = re.compile(
    r"(?P<fatal>\bpanic: |\bFATAL\b|\bfatal error: |Out of memory: Kill|OutOfMemoryError)"
    r"|(?P<error>Traceback \(most recent call last\)|\b[A-Z]\w*(?:Exception|Error)\b(?::|\s+at\b|$)"
    r"|\bERROR\b|\bSEVERE\b|\bCRITICAL\b|\bsegfault\b"
    r"|(?:^|\n)goroutine \d+ \[running\]:)"  # a Go stack dump: a panic the program recovered from
    r"|(?P<warning>\bWARN(?:ING)?\b)"
)


# Every alternative of `_INFER` contains one of these: a substring test rejects most lines
# (which carry none) far faster than the regex, which is tried at every character.
_INFER_KEYS = (
    "Error",
    "ERROR",
    "Exception",
    "WARN",
    "FATAL",
    "panic: ",
    "fatal error: ",
    "Traceback (",
    "OutOfMemoryError",
    "Out of memory: Kill",
    "SEVERE",
    "CRITICAL",
    "segfault",
    "goroutine ",
)


# One search for them all (`substrings.any_of`: each key looked for from a rare character, most
# of them capitals), not fourteen scans with `in`: the same test, a quarter faster on the
# level-less lines of syslog.
_ANY_INFER_KEY = any_of(_INFER_KEYS)


def infer_level(text: str) -> str | None:
    """The level a message's own words imply (`panic:` is fatal, `Traceback` an error), or None."""
    if _ANY_INFER_KEY.search(text) is None:
        return None
    match = _INFER.search(text)
    if match is None:
        return None
    return match.lastgroup


def http_status_level(status: int) -> str:
    """Access logs: 5xx is an error, 4xx a warning, the rest info."""
    if status >= 500:
        return "error"
    if status >= 400:
        return "warning"
    return "info"
