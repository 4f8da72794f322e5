"""What the tools share: the input base with its filters, levels, and how log text is
redacted, clipped and cited."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ...analysis.service_names import ServiceNames
from ...errors import OptionError
from ...filters import RecordFilter
from ...relative_window import Bound, anchor_note, resolve_bound

Level = Literal["trace", "debug", "info", "notice", "warning", "error", "critical", "fatal"]
MAX_TEXT = 400  # characters of one log message in a result
MAX_READ_LINES = 200
SEARCH_TIMEOUT_SECONDS = 0.05  # per record: a model's regex must not hang the tool


class ToolInput(BaseModel):
    model_config = ConfigDict(extra="forbid")


@dataclass
class CallScope:
    """What a window and a service name mean in the workspace a tool call runs against: the
    span of the loaded logs (relative bounds are measured from their newest record when they
    are older than the window) and the services' names. `notes` collects what the result
    must tell the model (which anchor a relative bound used)."""

    oldest: datetime | None
    newest: datetime | None
    names: ServiceNames
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    notes: list[str] = field(default_factory=list)
    window: tuple[datetime | None, datetime | None] = (None, None)  # the last one resolved

    def bound(self, text: str, option: str) -> datetime:
        resolved = resolve_bound(text, option, self.newest, self.now)
        self._note([(option, text, resolved)])
        return resolved.when

    def _note(self, bounds: list[tuple[str, str, Bound]]) -> None:
        note = anchor_note(bounds)
        if note is not None and note not in self.notes:
            self.notes.append(note)


_SCOPE: ContextVar[CallScope | None] = ContextVar("scope", default=None)


@contextmanager
def scoped(scope: CallScope | None) -> Iterator[None]:
    """Run a tool call with windows and service names resolved against its workspace."""
    token = _SCOPE.set(scope)
    try:
        yield
    finally:
        _SCOPE.reset(token)


def current_scope() -> CallScope | None:
    return _SCOPE.get()


def _when(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if moment else "open"


class TimeWindow(ToolInput):
    """The time window most tools take."""

    since: str | None = Field(
        None,
        description="Window start: ISO 8601, 14:02 (UTC, logs' last day), or 30m before their end.",
    )
    until: str | None = Field(None, description="Window end, same forms.")

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        """(since, until), relative ones measured as the call's scope says (from now outside
        a tool call)."""
        scope = _SCOPE.get()
        if scope is None:
            scope = CallScope(None, None, ServiceNames(()))
        since = scope.bound(self.since, "since") if self.since else None
        until = scope.bound(self.until, "until") if self.until else None
        scope.window = (since, until)
        if since is not None and until is not None and until <= since:
            raise OptionError(f"until {self.until!r} is not after since {self.since!r}")
        return since, until

    def empty_window_note(self) -> str | None:
        """Why a window holds no record of the loaded logs, when it cannot."""
        scope = _SCOPE.get()
        if scope is None or scope.oldest is None or scope.newest is None:
            return None
        since, until = scope.window
        if (since is not None and since > scope.newest) or (
            until is not None and until <= scope.oldest
        ):
            return (
                f"the window ({_when(since)} to {_when(until)}) holds no record: the loaded "
                f"logs run from {_when(scope.oldest)} to {_when(scope.newest)}"
            )
        return None


class ServiceWindow(TimeWindow):
    """The time window and a service: the filters most tools share."""

    service: str | None = Field(
        None, description="Only this service (a name from parse_logs' `service` columns)."
    )

    def record_filter(self) -> RecordFilter:
        since, until = self.bounds()
        return RecordFilter(since=since, until=until, services=self.services())

    def services(self) -> tuple[str, ...]:
        return services_named(self.service)


def services_named(name: str | None) -> tuple[str, ...]:
    """The record names a service filter covers (a StatefulSet's identity covers its pods);
    a name the loaded logs do not know is an error listing the known ones."""
    if not name:
        return ()
    scope = _SCOPE.get()
    return scope.names.resolve(name) if scope is not None else (name,)


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
