"""The code behind oslo.log, OpenStack's logging library, defined in `families/oslo.toml` (its
pattern, samples and a description of the lines): the joining of an exception's traceback,
written one line at a time with the header repeated, to the record that reported it.

`OPENSTACK` is registered with the Loghub systems (`loghub.py`), not here."""

from __future__ import annotations

import re
from typing import Any, cast

from ..records import Record
from ..timestamps import Clock
from .base import CONTINUES, NO_MATCH, Parsed, RegexFormat
from .definitions import load_family
from .trace_context import request_context_ids

_INSTANCE = re.compile(r"\[instance: [0-9a-f\-]{36}\] ")
# The text of a traceback line: its first line, frames and code (indented), the sentences that
# chain exceptions, a blank line, and the exception (`TypeError: ...`,
# `oslo_db.exception.DBConnectionError: ...`, `libvirt.libvirtError: ...`, a bare class name).
_TRACEBACK_TEXT = re.compile(
    r"Traceback \(most recent call last\):|\s|$"
    r"|During handling of the above exception|The above exception was the direct cause"
    r"|(?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*(?::|$)"
)


class OsloFormat(RegexFormat):
    """oslo.log lines; a traceback's lines join the record that reported the exception.

    Those lines carry no request context (`logging_exception_prefix` has none; every other line
    has one, `[-]` at least): such a line whose text reads as part of a traceback, from the same
    process and logger as the record before, continues that record. The record's message is its
    first line, then the traceback without the repeated headers, so that it is one error,
    labelled by its exception."""

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


_BY_NAME = {
    fmt.name: fmt for fmt in load_family("oslo.toml", {"OsloFormat": OsloFormat}, RegexFormat)
}
OPENSTACK = cast(OsloFormat, _BY_NAME["openstack"])
