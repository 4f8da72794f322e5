"""Operational events worth a place on the timeline: restarts, deploys, shutdowns and config
changes, recognised by the words software uses for them."""

from __future__ import annotations

import re

_EVENTS = (
    (
        "restart",
        re.compile(
            r"\bStarted \w+ in [\d.]+ seconds|\bServer (?:started|initialized)|Ready to accept "
            r"connections|\bRedis version=\S+.*just started|\bdatabase system is ready|"
            r"\bListening (?:on|at) |\bBooting worker|\bstarting up\b|Starting \S+ v?\d[\w.]*",
            re.IGNORECASE,
        ),
    ),
    (
        "shutdown",
        re.compile(
            r"\bSIGTERM\b|\bReceived signal 15\b|\bshutting down\b|\bGraceful shutdown\b|"
            r"\bexit(?:ed)? with (?:code|status) [1-9]|\bBack-off restarting failed container|"
            r"\bOOMKilled\b|\bKilled process \d+",
            re.IGNORECASE,
        ),
    ),
    (
        "deploy",
        re.compile(
            r"\bDeploying\b|\bdeployed\b|\brolling (?:update|out|restart)|\bScheduled restart|"
            r"\bscaled (?:up|down)\b|\bversion[=: ]+v?\d+\.\d+",
            re.IGNORECASE,
        ),
    ),
    (
        "config",
        re.compile(
            r"\bCONFIG SET\b|\bconfig(?:uration)? (?:reload|changed|updated)|\breloading\b|"
            r"\bSIGHUP\b|\bmaxmemory\b.*\bset\b",
            re.IGNORECASE,
        ),
    ),
    ("alert", re.compile(r"\balert(?:ing|name)?\b.*\b(?:firing|fired|triggered)\b|\bFIRING\b")),
)
_CHEAP = re.compile(
    r"(?i)start|ready|listen|boot|sigterm|signal|shut|exit|restart|oom|kill|deploy|roll|"
    r"schedul|scale|version|config|reload|sighup|maxmemory|alert|firing"
)


def operational_event(message: str) -> str | None:
    """The kind of operational event a message reports (`restart`, `shutdown`, `deploy`,
    `config`, `alert`), or None."""
    first_line = message.split("\n", 1)[0]
    if _CHEAP.search(first_line) is None:
        return None
    for kind, pattern in _EVENTS:
        if pattern.search(first_line):
            return kind
    return None
