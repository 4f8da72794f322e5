"""Operational events worth a place on the timeline: restarts, deploys, shutdowns, config
changes, rollbacks, scaling and alert notifications, recognised by the words software uses
for them (alerts by `alerts`, which reads their name and state, heartbeats left out).

Checked on every record, so each rule starts with a plain substring (a case-insensitive regex
alternation costs tens of microseconds a line); a regex confirms only where the substring
alone would be loose. One search for all the substrings at once (`substrings.any_of`) turns
away the records that hold none, nearly all of them, before any rule is tried.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..substrings import any_of
from .alerts import ALERT_WORDS, MAY_ALERT_KEYS, alert_of, may_carry_alert

_RELEASE = r"\b(?:deployment|statefulset|daemonset|release|rollout|application)"
_TO = r"(?:revision|version|release|deployment|v?\d)"
_RULES: tuple[tuple[str, str, re.Pattern[str] | None], ...] = (
    ("Started ", "restart", re.compile(r"\bStarted \w+ in [\d.]+ seconds")),
    ("Ready to accept connections", "restart", None),
    ("just started", "restart", None),
    ("database system is ready", "restart", None),
    ("Listening on", "restart", None),
    ("listening on", "restart", None),
    ("Booting worker", "restart", None),
    ("Server started", "restart", None),
    ("Starting ", "restart", re.compile(r"\bStarting \S+ v?\d+\.\d+")),
    ("SIGTERM", "shutdown", None),
    ("signal 15", "shutdown", None),
    ("hutting down", "shutdown", None),
    ("raceful shutdown", "shutdown", None),
    ("OOMKilled", "shutdown", None),
    ("Killed process", "shutdown", None),
    ("Back-off restarting", "shutdown", None),
    ("Deploying", "deploy", None),
    ("olling update", "deploy", None),
    ("olling restart", "deploy", None),
    ("Scheduled restart", "deploy", None),
    # a release rolled back (not a database transaction)
    ("olled back", "rollback", re.compile(_RELEASE + r"\S* rolled back|rolled back to " + _TO)),
    ("olling back", "rollback", re.compile(r"[Rr]olling back (?:to )?" + _TO)),
    ("ollback", "rollback", re.compile(r"Rollback was a success|[Rr]ollback (?:to|of) " + _TO)),
    ("Scaled up", "scale", None),
    ("Scaled down", "scale", None),
    ("New size: ", "scale", re.compile(r"New size: \d+; reason: ")),
    ("Scale-up", "scale", None),
    (" scaled", "scale", re.compile(r"\b(?:deployment|statefulset)\.apps/\S+ scaled\b")),
    ("CONFIG SET", "config", None),
    ("SIGHUP", "config", None),
    ("eloading config", "config", None),
    ("onfiguration changed", "config", None),
    ("onfig reload", "config", None),
    ("FIRING", "alert", None),
    ("Received alert", "alert", None),
    ("Notify success", "alert", None),
    ("firing", "alert", re.compile(r"\balert\w*\b.*\bfiring\b|\bfiring\b.*\balert", re.I)),
)


def operational_event(message: str, fields: Mapping[str, Any] | None = None) -> str | None:
    """The kind of operational event a record reports (`restart`, `shutdown`, `deploy`,
    `rollback`, `scale`, `config`, `alert`), or None. A heartbeat alert is none."""
    return line_operational_event(
        message, message.split("\n", 1)[0] if "\n" in message else message, fields
    )


def line_operational_event(
    message: str,
    first_line: str,
    fields: Mapping[str, Any] | None = None,
    alert_keys: bool | None = None,
) -> str | None:
    """`operational_event` of a message whose first line the caller has cut already;
    `alert_keys` says whether `fields` holds a key of `MAY_ALERT_KEYS`, when the caller knows."""
    if _ANY_WORD.search(first_line) is None:
        # no rule's substring, no alert word, no alert field: most records
        if not fields:
            return None
        if alert_keys is None:
            alert_keys = not MAY_ALERT_KEYS.isdisjoint(fields)
        if not alert_keys or not may_carry_alert(fields):
            return None
    return _event(message, first_line, fields)


def _event(message: str, first_line: str, fields: Mapping[str, Any] | None) -> str | None:
    """`operational_event` rule by rule, on any record."""
    for hint, kind, confirm in _RULES:
        if hint in first_line and (confirm is None or confirm.search(first_line)):
            if kind == "alert":
                alert = alert_of(message, fields)
                return None if alert is not None and alert.heartbeat else kind
            return kind
    if (fields and may_carry_alert(fields)) or any(hint in first_line for hint in ALERT_WORDS):
        alert = alert_of(message, fields)
        return "alert" if alert is not None and not alert.heartbeat else None
    return None


# The substrings above, for engines that filter text before sending records (remote sources
# fetch only the records that may be operational events, not every info line).
OPERATIONAL_WORDS: tuple[str, ...] = tuple(
    dict.fromkeys((*(rule[0] for rule in _RULES), *ALERT_WORDS))
)

_ANY_WORD = any_of(OPERATIONAL_WORDS)  # any rule's substring or alert word
