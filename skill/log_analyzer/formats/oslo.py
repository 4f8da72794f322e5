"""oslo.log, the logging library of every OpenStack service (nova, neutron, cinder, keystone,
glance, oslo.messaging...).

A line is `time.ms pid LEVEL logger [request context] [instance: uuid] message`, the context
`[req-<uuid> <user> <project> <domain> <user domain> <project domain>]` (`[-]` outside a
request). An exception is logged as its message line, then one line per line of the traceback,
each with the header again, written by `logging_exception_prefix` (shortened here):

    2019-11-19 10:01:02.345 12345 ERROR nova.compute.manager [req-3f0c... - default default]
        [instance: 6a1e...] Failed to build and run instance: TypeError: ...
    2019-11-19 10:01:02.345 12345 ERROR nova.compute.manager [instance: 6a1e...] Traceback
        (most recent call last):
    2019-11-19 10:01:02.345 12345 ERROR nova.compute.manager [instance: 6a1e...]   File
        "/usr/lib/python3/dist-packages/nova/compute/manager.py", line 2437, in ...
    2019-11-19 10:01:02.345 12345 ERROR nova.compute.manager [instance: 6a1e...] TypeError: ...

Those lines carry no request context (the prefix has none; every other line has one, `[-]` at
least): such a line whose text reads as part of a traceback, from the same process and logger as
the record before, continues that record. The record's message is its first line, then the
traceback without the repeated headers, so that it is one error, labelled by its exception.
Older releases wrote the traceback lines with the level `TRACE`.
"""

from __future__ import annotations

import re
from typing import Any

from ..records import Record
from ..timestamps import Clock, stamp
from .base import CONTINUES, NO_MATCH, Parsed, RegexFormat, Sample
from .trace_context import request_context_ids

_LEVEL = r"(?P<level>TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL|CRITICAL|AUDIT)"
_STAMP = stamp(r"%Y-%m-%d %H:%M:%S(?:\.%f)?")
_INSTANCE = re.compile(r"\[instance: [0-9a-f\-]{36}\] ")
# The text of a traceback line: its first line, frames and code (indented), the sentences that
# chain exceptions, a blank line, and the exception (`TypeError: ...`,
# `oslo_db.exception.DBConnectionError: ...`, `libvirt.libvirtError: ...`, a bare class name).
_TRACEBACK_TEXT = re.compile(
    r"Traceback \(most recent call last\):|\s|$"
    r"|During handling of the above exception|The above exception was the direct cause"
    r"|(?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*(?::|$)"
)

_SAMPLE_REQUEST = (
    "[req-3f0c2a9e-1b6d-4c1e-9a43-7d2e5b8f0c11 8a2d4c6e0f1a4b3c9d8e7f6a5b4c3d2e "
    "1b7e9c2a4d6f48b0a1c3e5f7092b4d6e - default default]"
)
_SAMPLE_INSTANCE = "[instance: 6a1e2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b]"


class OsloFormat(RegexFormat):
    """oslo.log lines; a traceback's lines join the record that reported the exception."""

    def parse(self, line: str, clock: Clock) -> Parsed | None:
        parsed = super().parse(line, clock)
        if parsed is None:
            return None
        fields: dict[str, Any] = parsed.fields if parsed.fields is not None else {}
        context = fields.get("context")
        if context is not None:
            for name, value in request_context_ids(context).items():
                fields.setdefault(name, value)
        else:
            text = _traceback_text(parsed.message)
            if text is not None:
                fields["continues"] = True
                parsed.message = text
        parsed.fields = fields or None
        return parsed

    def joins_previous(self, parsed: Parsed, previous: Record | None = None) -> bool:
        fields = parsed.fields
        if fields is None or "continues" not in fields:
            return False
        if previous is None:
            return True
        mine = previous.fields or {}
        return mine.get("pid") == fields.get("pid") and mine.get("logger") == fields.get("logger")

    def continuation_text(self, parsed: Parsed, line: str) -> str:
        return parsed.message

    def quick_level(self, line: str) -> Any:
        level = super().quick_level(line)
        if level not in ("error", "trace"):
            return level
        # traceback lines say ERROR (TRACE in old releases): is this one?
        match = self.regex.match(line)
        if match is None:
            return NO_MATCH
        if (
            match.group("context") is None
            and _traceback_text(match.group("message") or "") is not None
        ):
            return CONTINUES
        return level


def _traceback_text(message: str) -> str | None:
    """The text of a traceback line, without the `[instance: ...]` the prefix repeats; None
    for a message that is not part of a traceback."""
    if message.startswith("[instance: "):
        instance = _INSTANCE.match(message)
        if instance is not None:
            message = message[instance.end() :]
    return message if _TRACEBACK_TEXT.match(message) is not None else None


OPENSTACK = OsloFormat(
    "openstack",
    rf"^(?:(?P<service>[\w\-]+)\.log(?:\.\S+)? )?{_STAMP} (?P<pid>\d+) {_LEVEL} "
    r"(?P<logger>[\w.]+)(?: (?:\[(?!instance: )(?P<context>[^\]]*)\] )?(?P<message>.*))?$",
    title="OpenStack service log (oslo.log: time pid level logger [request context] message)",
    priority=70,
    samples=(
        Sample(
            "2019-11-05 14:12:09.481 3301 INFO nova.compute.manager [req-6c1f0a52-97d4-4be0-"
            "8d4e-2f1b6a7c9e11 - - - - -] [instance: 0f3b3c66-5d8b-4a0e-9d0e-6f2a7e1b4c22] "
            "VM Started (Lifecycle Event)",
            level="info",
            message="[instance: 0f3b3c66-5d8b-4a0e-9d0e-6f2a7e1b4c22] VM Started (Lifecycle Event)",
            timestamp="2019-11-05T14:12:09.481000+00:00",
        ),
        Sample(
            "cinder-volume.log.2 2019-11-05 14:12:10.007 812 WARNING cinder.volume.manager "
            "[-] Volume 77a1 is stuck in deleting",
            level="warning",
            service="cinder-volume",
            message="Volume 77a1 is stuck in deleting",
        ),
        Sample(
            f"2019-11-19 10:01:02.345 12345 ERROR nova.compute.manager {_SAMPLE_REQUEST} "
            f"{_SAMPLE_INSTANCE} Failed to build and run instance: TypeError: __init__() got an "
            "unexpected keyword argument 'bdms'",
            level="error",
            message=f"{_SAMPLE_INSTANCE} Failed to build and run instance: TypeError: "
            "__init__() got an unexpected keyword argument 'bdms'",
            timestamp="2019-11-19T10:01:02.345000+00:00",
        ),
        # the lines of its traceback: the text after the repeated header
        Sample(
            f"2019-11-19 10:01:02.345 12345 ERROR nova.compute.manager {_SAMPLE_INSTANCE} "
            "Traceback (most recent call last):",
            level="error",
            message="Traceback (most recent call last):",
        ),
        Sample(
            f"2019-11-19 10:01:02.345 12345 ERROR nova.compute.manager {_SAMPLE_INSTANCE}   "
            'File "/usr/lib/python3/dist-packages/nova/compute/manager.py", line 2437, in '
            "_build_and_run_instance",
            level="error",
            message='  File "/usr/lib/python3/dist-packages/nova/compute/manager.py", line 2437, '
            "in _build_and_run_instance",
        ),
        Sample(
            "2019-11-19 10:01:05.678 2345 ERROR oslo_messaging.rpc.server "
            "oslo_db.exception.DBConnectionError: (pymysql.err.OperationalError) (2013, 'Lost "
            "connection to MySQL server during query')",
            level="error",
            message="oslo_db.exception.DBConnectionError: (pymysql.err.OperationalError) (2013, "
            "'Lost connection to MySQL server during query')",
        ),
        Sample(  # the blank line that ends a traceback, its trailing space stripped
            "2019-11-19 10:01:05.678 2345 ERROR oslo_messaging.rpc.server",
            level="error",
            message="",
        ),
    ),
)
