"""The code behind the formats defined in `families/system.toml` (syslog, dmesg, Redis,
PostgreSQL, MySQL, the web servers' logs, HAProxy): syslog's reading of the application line
inside its message and of stack traces spread over lines, HAProxy's event lines, dmesg's
facility. The patterns, levels and samples of every format are in that file."""

from __future__ import annotations

from typing import Any, cast

from ..levels import infer_level, leading_level, mnemonic_level
from ..records import Record
from ..timestamps import Clock
from .base import FormatSpec, LogFormat, Parsed, RegexFormat
from .definitions import load_family
from .fallback import LEVEL_PREFIX
from .inner import merge, read_inner
from .multiline import is_continuation

# a level word is no host name: `Sat Nov 28 14:02:03 2026 ERROR cron: ...` names a level
_LEVEL_HOSTS = frozenset(
    {"TRACE", "DEBUG", "INFO", "NOTICE", "WARN", "WARNING", "ERROR", "ERR", "CRIT"}
    | {"CRITICAL", "ALERT", "FATAL", "EMERG"}
)

# The process as the wrapper names it (the program is the service): kept over the inner
# line's fields of the same name, and compared to tell a trace's lines from another's.
_ORIGIN_KEYS = ("host", "pid", "procid")


# How the lines of a stack trace start in syslog: the tab of a frame (rsyslog's `#011`), Java's
# `at ...`, `Caused by: ...`, `... 12 more`, Python's own lines. A leading space is not one: it
# may be the writer's own (`-  message` in RFC 5424).
_TRACE_STARTS = (
    "at ",
    "Caused by: ",
    "Suppressed: ",
    "... ",
    "Traceback (",
    "During handling ",
    "The above exception ",
)


def _may_continue(message: str) -> bool:
    """A cheap test before `is_continuation`: the message may be a line of a stack trace (its
    start, or a first word like `java.net.SocketTimeoutException:`)."""
    if message[0] in "#\t" or message.startswith(_TRACE_STARTS):
        return True
    space = message.find(" ")
    head = message if space < 0 else message[:space]
    return "." in head and head[-1] == ":"


class SyslogFormat(RegexFormat):
    """A syslog-style header around a daemon's message. The message may be an application's
    own log line (`nova-compute[12345]: 2019-11-19 10:01:02.345 12345 ERROR nova.compute...`,
    a JSON object, logfmt): the record then gets its level, logger, message and fields (see
    `inner.py`). A message that reads as a line of a stack trace (rsyslog writes the tab of a
    Java frame as `#011`), or of an oslo.log traceback, continues the record before it when
    the same process on the same host logged that one."""

    # `has_year`: the header's time states its year (BSD syslog's does not), so it beats the
    # inner line's wall-clock time
    spec_keys = RegexFormat.spec_keys | {"has_year"}

    def __init__(self, *args: Any, has_year: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.has_year = has_year
        self.infer = False  # done here, once the message is known to be the wrapper's own

    @classmethod
    def from_spec(cls, spec: FormatSpec) -> LogFormat:
        made = cast(SyslogFormat, super().from_spec(spec))
        made.has_year = bool(spec.options.get("has_year", False))
        return made

    def parse(self, line: str, clock: Clock) -> Parsed | None:
        parsed = super().parse(line, clock)
        if parsed is None:
            return None
        host = parsed.fields.get("host") if parsed.fields is not None else None
        if host and not host[0].islower() and (host in _LEVEL_HOSTS or host.isdigit()):
            return None  # a level or a year where the host goes: another format's line
        service = parsed.service
        if service is not None:
            if service[0] == "%":
                # Cisco's mnemonic where the program goes: `%ASA-4-106023:` is ASA, severity 4
                parsed.level = parsed.level or mnemonic_level(f"{service}:")
                parsed.service = service[1:].split("-", 1)[0]
        elif parsed.message[:1] == "%":
            parsed.service = parsed.message[1:].split("-", 1)[0]  # `fw-1 : %ASA-4-...`
        if not parsed.message:
            return parsed
        message = parsed.message
        rest = ""
        if "#012" in message:  # rsyslog's escaped newlines: a multi-line message in one line
            message, _, rest = message.partition("#012")
            rest = rest.replace("#012", "\n").replace("#011", "\t")
            if message:
                rest = "\n" + rest
        found = read_inner(message, clock) if message else None
        if found is not None and found[0] is LEVEL_PREFIX:
            # a level word opening the text (`ALERT exited abnormally`): its level, unless the
            # priority said one; the text stays whole
            parsed.level = parsed.level or found[1].level
            found = None
        if found is not None:
            parsed = merge(parsed, found[1], self.has_year, _ORIGIN_KEYS)
        else:
            if message and _may_continue(message):
                text = message.replace("#011", "\t") if message.startswith("#011") else message
                if is_continuation(text):
                    parsed.fields = parsed.fields or {}
                    parsed.fields["continues"] = True
                    message = text
            parsed.message = message
        if rest:
            parsed.message += rest
        if parsed.level is None:  # sshd's `error: ...`, NetworkManager's `<warn> ...`, Cisco's
            message = parsed.message
            parsed.level = leading_level(message) or mnemonic_level(message) or infer_level(message)
        return parsed

    def joins_previous(self, parsed: Parsed, previous: Record | None = None) -> bool:
        fields = parsed.fields
        if fields is None or "continues" not in fields:
            return False
        if previous is None:
            return True
        theirs = previous.fields or {}
        return all(theirs.get(key) == fields.get(key) for key in _ORIGIN_KEYS)

    def continuation_text(self, parsed: Parsed, line: str) -> str:
        return parsed.message


class HaproxyFormat(RegexFormat):
    """HAProxy's httplog lines, and its own event lines in the same file (`Server be/srv is
    DOWN, ...`, `backend be has no server available!`), read as the syslog lines they are: a
    haproxy.log is mostly, not only, httplog lines. A file written by syslog has lost the
    severity HAProxy sent the events with; the outages get theirs back.

    A request is timed by its accept date, which states the year the syslog header lacks: the
    year-less lines around it take that year."""

    _EVENT_LEVELS = (
        (" is DOWN", "critical"),  # LOG_ALERT
        (" has no server available", "fatal"),  # LOG_EMERG
    )

    def parse(self, line: str, clock: Clock) -> Parsed | None:
        parsed = super().parse(line, clock)
        if parsed is not None or "haproxy[" not in line:
            return parsed
        parsed = SYSLOG_RFC3164.parse(line, clock)
        if parsed is None or parsed.service != "haproxy":
            return None
        if parsed.level is None:
            for text, level in self._EVENT_LEVELS:
                if text in parsed.message:
                    parsed.level = level
                    break
        return parsed


class DmesgFormat(RegexFormat):
    """`dmesg -x`: the facility names who wrote the line; `kern` is the kernel."""

    def parse(self, line: str, clock: Clock) -> Parsed | None:
        parsed = super().parse(line, clock)
        if parsed is not None and parsed.service == "kern":
            parsed.service = "kernel"
        return parsed


FORMATS: tuple[LogFormat, ...] = load_family(
    "system.toml",
    {"SyslogFormat": SyslogFormat, "HaproxyFormat": HaproxyFormat, "DmesgFormat": DmesgFormat},
    RegexFormat,
)
# HAProxy reads its event lines as the syslog lines they are
SYSLOG_RFC3164 = cast(SyslogFormat, {f.name: f for f in FORMATS}["syslog"])
