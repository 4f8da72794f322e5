"""What the tools share: the input base with its filters, levels, and how log text is
redacted, clipped and cited."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ...filters import RecordFilter, parse_time_bound

Level = Literal["trace", "debug", "info", "notice", "warning", "error", "critical", "fatal"]
MAX_TEXT = 400  # characters of one log message in a result
MAX_READ_LINES = 200
SEARCH_TIMEOUT_SECONDS = 0.05  # per record: a model's regex must not hang the tool


class ToolInput(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TimeWindow(ToolInput):
    """The time window most tools take."""

    since: str | None = Field(
        None,
        description="Start of the window: ISO 8601 (2026-11-28T14:00:00Z) or a duration "
        "before now (30m, 2h).",
    )
    until: str | None = Field(None, description="End of the window, same forms as since.")


class Window(TimeWindow):
    """The time window and a service: the filters most tools share."""

    service: str | None = Field(
        None, description="Only this service (a name from parse_logs' `service` columns)."
    )

    def record_filter(self) -> RecordFilter:
        return RecordFilter(
            since=parse_time_bound(self.since, "since") if self.since else None,
            until=parse_time_bound(self.until, "until") if self.until else None,
            services=(self.service,) if self.service else (),
        )


@dataclass(frozen=True)
class Outgoing:
    """How text on its way to a model is redacted, during one tool call: a text (a whole
    record), lines of a file together (a PEM block spans lines; one line comes back per line),
    and `known`: strings with every value redacted so far concealed wherever they appear."""

    text: Callable[[str], str]
    lines: Callable[[list[str]], list[str]]
    known: Callable[[list[str]], list[str]]
    clean: set[str] = field(default_factory=set)  # what is redacted already (`clip`, lines)
    primed: set[int] = field(default_factory=set)  # what `prime_once` saw


# The conversation's redaction while one of its tool calls runs (set by `registry.call`): text
# is redacted whole where the tools cut it, so that a cut never splits a secret the redactor
# would have recognised (a JWT longer than the cut, an address the cut falls inside).
_OUTGOING: ContextVar[Outgoing | None] = ContextVar("outgoing", default=None)


@contextmanager
def redacting(outgoing: Outgoing | None) -> Iterator[None]:
    token = _OUTGOING.set(outgoing)
    try:
        yield
    finally:
        _OUTGOING.reset(token)


def redacted(text: str) -> str:
    outgoing = _OUTGOING.get()
    return outgoing.text(text) if outgoing is not None else text


def redacted_lines(lines: list[str]) -> list[str]:
    outgoing = _OUTGOING.get()
    if outgoing is None:
        return lines
    redacted = outgoing.lines(lines)
    outgoing.clean.update(redacted)
    return redacted


def prime_once(source: object, texts: Callable[[], Iterable[str]]) -> None:
    """Let the conversation's redactor see texts the result will not show whole (the records
    behind group labels), once per `source` and call: the values it finds there are then
    concealed wherever the result repeats them."""
    outgoing = _OUTGOING.get()
    if outgoing is None or id(source) in outgoing.primed:
        return
    outgoing.primed.add(id(source))
    for text in texts():
        outgoing.text(text)


def clip(text: str, limit: int = MAX_TEXT) -> str:
    """At most `limit` characters of a log text, redacted first (whole) when a conversation
    redacts."""
    outgoing = _OUTGOING.get()
    if outgoing is not None and text not in outgoing.clean:
        text = outgoing.text(text)
    text = text if len(text) <= limit else text[:limit] + f"… (+{len(text) - limit} chars)"
    if outgoing is not None:
        outgoing.clean.add(text)
    return text


def cite(record_file: str, line: int) -> str:
    return f"{record_file}:{line}"
