"""Variable masking: replace the parts of a message that differ between occurrences of the same
event (numbers, ids, addresses, times) with `<*>`.

A mask spans whitespace only for a number and its unit (`12 ms`); parameters are read back
from the raw message with the template's own pattern (see `templates.Template.parameters`).
"""

from __future__ import annotations

import re

WILDCARD = "<*>"

_MASK = re.compile(
    "|".join(
        (
            # URLs and e-mail addresses
            r"[a-zA-Z][a-zA-Z0-9+.\-]*://[^\s\"'<>]+",
            r"(?<![\w.+\-])[\w.+\-]+@[a-zA-Z0-9\-]+(?:\.[a-zA-Z0-9\-]+)+",
            # host names (at least three labels, a lower-case top-level label: not Java class
            # names, which end in a capitalised class), with an optional port
            r"(?<![\w.\-])(?:[A-Za-z0-9\-]+\.){2,}[a-z]{2,}(?::\d+)?(?![\w.\-])",
            # UUIDs, IPv4 with port, IPv6 and MAC addresses
            r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
            r"(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?(?![\d.]\d)",
            # dates and times written inside messages
            r"\d{4}-\d\d-\d\d(?:T\d\d:\d\d(?::\d\d(?:[.,]\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)?",
            r"(?<!\d)\d\d:\d\d:\d\d(?:[.,]\d+)?",
            # IPv6 (compressed with `::`, or with at least six groups) and MAC addresses
            r"(?<![\w:])(?=[0-9a-fA-F:]*::|(?:[0-9a-fA-F]{1,4}:){5})[0-9a-fA-F]{0,4}"
            r"(?::[0-9a-fA-F]{0,4}){2,7}(?![\w:])",
            # hexadecimal: 0x numbers, and ids mixing hex letters and digits (commit hashes,
            # object ids, request ids)
            r"0[xX][0-9a-fA-F]+",
            r"(?<![0-9a-zA-Z])(?=[0-9a-fA-F]*\d)(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{6,}(?![0-9a-zA-Z])",
            # a quantity glued to its unit (`12ms`, `<1sec`, `3.5GB`)
            r"(?<![A-Za-z0-9])[<>~]?\d+(?:[.,]\d+)?(?:ms|us|ns|sec|secs|seconds?|mins?|minutes?|"
            r"hours?|[KMGT]i?B|bytes)(?![A-Za-z0-9])",
            # numbers with an optional unit or suffix (12ms, 3.5GB, 200OK is not one: the
            # lookahead keeps words whole), signed, with separators (1,024 / 1.2.3)
            r"(?<![A-Za-z0-9])[<>~]?[-+]?\d+(?:[.,:]\d+)*(?:[a-zA-Z]{1,3}|%)?(?![A-Za-z0-9])",
            # digits glued to a name: blk_123, worker12, t761 (not utf8 or ipv4)
            r"(?<=_)\d+|(?<=[A-Za-z])\d{2,}(?![A-Za-z])",
        )
    )
)
_RUNS = re.compile(r"<\*>(?:[.:\-/_,]*<\*>)+")
# Across tokens, after the token masks: `1,024 bytes (1.00 KB)` restates a quantity in other
# units, which adds nothing to the event; a number and its unit (`12 ms`, `<1 sec`) are one
# quantity, so `12 ms` and `00:01` mask alike; the names of days and months before a masked day
# number are part of a date (`Fri Jul  1 09:00:55 2005`).
_UNIT = re.compile(
    r"(?<=<\*>) (?:ms|us|ns|s|sec|secs|seconds?|mins?|minutes?|hours?|[KMGT]i?B|bytes)\b"
)
_DATE_NAMES = re.compile(
    r"\b(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),? +)?(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|"
    r"Dec)(?= +<\*>)"
)
_RESTATED = re.compile(r"(?<=<\*> bytes) \(<\*> ?[KMGT]i?B\)")
# Whether a token may hold a variable at all: a digit, an `@`, or two dots (a host name).
_MAY_VARY = re.compile(r"[\d@]|\..*\.")
_HOST = re.compile(r"([(\[<'\"]*)((?:[A-Za-z0-9\-]+\.){2,}[a-z]{2,}(?::\d+)?)([)\]>'\",;:.]*)")
_ADDRESS = re.compile(  # URLs and e-mail addresses, the variables a digit-free token can hold
    r"[a-zA-Z][a-zA-Z0-9+.\-]*://[^\s\"'<>]+"
    r"|(?<![\w.+\-])[\w.+\-]+@[a-zA-Z0-9\-]+(?:\.[a-zA-Z0-9\-]+)+"
)


_DIGIT = re.compile(r"\d")


def _mask_token(token: str) -> str:
    if _DIGIT.search(token) is not None:
        return _MASK.sub(WILDCARD, token)
    if "@" in token or "://" in token:
        return _ADDRESS.sub(WILDCARD, token)
    host = _HOST.fullmatch(token)  # anchored: no scan of class names at every position
    return f"{host.group(1)}{WILDCARD}{host.group(3)}" if host else token


def mask(message: str) -> str:
    """`message` with its variable parts replaced by `<*>`.

    Token by token: most tokens are plain words, told apart with one C-level call, and the
    mask regex runs only on the few that may hold a variable."""
    parts = message.split(" ")
    changed = False
    for index, token in enumerate(parts):
        if token.isalpha() or not token:
            continue
        if token.isdigit():
            parts[index] = WILDCARD
            changed = True
            continue
        if _MAY_VARY.search(token) is None:
            continue
        masked_token = _mask_token(token)
        if masked_token != token:
            parts[index] = masked_token
            changed = True
    if not changed:
        return message
    masked = " ".join(parts)
    if masked.count(WILDCARD) > 1:
        masked = _RUNS.sub(WILDCARD, masked)
    if " bytes (<*>" in masked:
        masked = _RESTATED.sub("", masked)
    masked = _UNIT.sub("", masked)
    return _DATE_NAMES.sub(WILDCARD, masked)
