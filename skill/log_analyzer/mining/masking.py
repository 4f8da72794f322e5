"""Variable masking: replace the parts of a message that differ between occurrences of the same
event (numbers, ids, addresses, times) with `<*>`, in one regex pass.

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
            r"(?<![\w:])(?:[0-9a-fA-F]{1,4}:){2,7}[0-9a-fA-F]{1,4}(?![\w:])",
            # dates and times written inside messages (`Fri Jul  1 09:00:55 2005`: the names
            # of days and months are masked only when a day number follows)
            r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)(?=,? +(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|"
            r"Nov|Dec) +\d)",
            r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)(?= +\d{1,2}\b)",
            r"\d{4}-\d\d-\d\d(?:T\d\d:\d\d(?::\d\d(?:[.,]\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)?",
            r"(?<!\d)\d\d:\d\d:\d\d(?:[.,]\d+)?",
            # hexadecimal: 0x numbers, and ids mixing hex letters and digits (commit hashes,
            # object ids, request ids)
            r"0[xX][0-9a-fA-F]+",
            r"(?<![0-9a-zA-Z])(?=[0-9a-fA-F]*\d)(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{6,}(?![0-9a-zA-Z])",
            # a quantity with its unit, glued or not (`12 ms`, `<1 sec`, `3.5 GB`): the unit
            # goes with the number, so `12 ms` and `00:01` mask alike
            r"(?<![A-Za-z0-9])[<>~]?\d+(?:[.,]\d+)? ?(?:ms|us|ns|sec|secs|seconds?|mins?|minutes?|"
            r"hours?|[KMGT]i?B|bytes)(?![A-Za-z0-9])",
            # numbers with an optional unit or suffix (12ms, 3.5GB, 200OK is not one: the
            # lookahead keeps words whole), signed, with separators (1,024 / 1.2.3)
            r"(?<![A-Za-z0-9])[-+]?\d+(?:[.,:]\d+)*(?:[a-zA-Z]{1,3}|%)?(?![A-Za-z0-9])",
            # digits glued to a name: blk_123, worker12, t761 (not utf8 or ipv4)
            r"(?<=_)\d+|(?<=[A-Za-z])\d{2,}(?![A-Za-z])",
        )
    )
)
_RUNS = re.compile(r"<\*>(?:[.:\-/_,]*<\*>)+")
# `1,024 bytes (1.00 KB)`: a quantity restated in other units adds nothing to the event
_RESTATED = re.compile(r" \(<\*>\)")


def mask(message: str) -> str:
    """`message` with its variable parts replaced by `<*>`."""
    masked = _MASK.sub(WILDCARD, message)
    if masked.count(WILDCARD) > 1:
        masked = _RUNS.sub(WILDCARD, masked)
        if " (<*>)" in masked:
            masked = _RESTATED.sub("", masked)
    return masked
