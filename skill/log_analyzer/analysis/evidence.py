"""How much a group of records weighs as evidence of a failure.

A new ERROR or FATAL record, a traceback, a 5xx weighs more than new warnings; warnings that
announce a deprecation, a configuration notice or a compatibility shim weigh next to nothing
whatever their volume; a 4xx answer is the client's problem unless its own rate surges.
"""

from __future__ import annotations

import math
import re

from ..levels import RANK
from ..mining.group_models import ErrorGroup

_LEVEL_WEIGHT = {"warning": 1.0, "error": 2.0, "critical": 3.0, "fatal": 3.0}
# Notices that something will change, is configured oddly or falls back: true, and harmless now.
_BENIGN = re.compile(
    r"deprecat|will be removed|no longer supported|is not recommended|consider using|"
    r"in-process token cache|falling back to|fall back to|using default|defaulting to|"
    r"unknown (?:config|configuration|option|setting)|ignoring (?:unknown|option|setting)|"
    r"is insecure and|insecure ?request ?warning|option .* is ignored|not set, using|"
    r"future ?warning|pending ?deprecation|compatibility mode|legacy mode|"
    r"isn't a known config|is not a known config|is enabled by default|"
    r"explicitly configure|to disable this warning|\bnotice\b",
    re.IGNORECASE,
)
_TRACEBACK = re.compile(
    r"Traceback \(most recent call last\)|^\s+at [\w$.<>]+\(|Caused by: |panic: |goroutine \d+",
    re.MULTILINE,
)
_CLIENT_ERROR = re.compile(r"(?:^|\s|->\s)4\d\d$")
_SERVER_ERROR = re.compile(r"(?:^|\s|->\s)5\d\d$")


def level_weight(level: str) -> float:
    return _LEVEL_WEIGHT.get(level, 0.5 if RANK.get(level, 0) >= RANK["info"] else 0.2)


def is_benign(group: ErrorGroup) -> bool:
    """A notice, not a failure: deprecations, configuration notices, fallbacks."""
    return _BENIGN.search(group.template) is not None or (
        _BENIGN.search(group.example.text) is not None
    )


def is_client_error(group: ErrorGroup) -> bool:
    """A request answered 4xx (the template is a request event ending in its status)."""
    return _CLIENT_ERROR.search(group.template) is not None


def is_server_error(group: ErrorGroup) -> bool:
    return _SERVER_ERROR.search(group.template) is not None


def has_traceback(group: ErrorGroup) -> bool:
    return group.exception is not None or _TRACEBACK.search(group.example.text) is not None


def weight(group: ErrorGroup, surging: bool, late: bool) -> float:
    """The group's weight as evidence of the incident: level first, volume only a little
    (the cause often logs far less than its symptoms)."""
    value = level_weight(group.level)
    if has_traceback(group):
        value += 0.5
    value *= 1.0 + 0.25 * math.log10(max(1, group.count))
    if is_benign(group):
        value *= 0.1
    if is_client_error(group) and not surging:
        value *= 0.1
    if late:
        value *= 0.5
    return value
