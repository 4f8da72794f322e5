"""Operational events worth a place on the timeline: restarts, deploys, shutdowns and config
changes, recognised by the words software uses for them.

Checked on every record, so each rule starts with a plain substring (a case-insensitive regex
alternation costs tens of microseconds a line); a regex confirms only where the substring
alone would be loose.
"""

from __future__ import annotations

import re

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


def operational_event(message: str) -> str | None:
    """The kind of operational event a message reports (`restart`, `shutdown`, `deploy`,
    `config`, `alert`), or None."""
    first_line = message.split("\n", 1)[0] if "\n" in message else message
    for hint, kind, confirm in _RULES:
        if hint in first_line and (confirm is None or confirm.search(first_line)):
            return kind
    return None


# The substrings above, for engines that filter text before sending records (remote sources
# fetch only the records that may be operational events, not every info line).
OPERATIONAL_WORDS: tuple[str, ...] = tuple(dict.fromkeys(rule[0] for rule in _RULES))
