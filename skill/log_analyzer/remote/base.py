"""What a remote engine must answer so its logs join the same pipeline as files.

Pulling 50 GB to a laptop is not an option, so the engine does the counting and filtering:
`rates` is one aggregation (records and errors per bucket and service), `records` fetches only
the records at a level worth grouping (warning and above by default), and `operational`
fetches the few lower-level records that may be restarts, deploys or config changes (a text
filter the engine runs). Everything fetched becomes the same `Record` a file yields.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Protocol

from ..errors import RemoteError as RemoteError
from ..records import Record

# OpenTelemetry severity numbers (1-24) for our levels, and back.
SEVERITY_NUMBER = {
    "trace": 1,
    "debug": 5,
    "info": 9,
    "notice": 10,
    "warning": 13,
    "error": 17,
    "critical": 19,
    "fatal": 21,
}


def level_of_severity(number: int) -> str | None:
    if number <= 0:
        return None
    for name, floor in sorted(SEVERITY_NUMBER.items(), key=lambda item: -item[1]):
        if number >= floor:
            return name
    return None


@dataclass
class Traffic:
    """What crossed the network for one source: rows and bytes, per query kind."""

    rows: int = 0
    bytes: int = 0
    queries: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, rows: int, size: int) -> None:
        self.rows += rows
        self.bytes += size
        self.queries += 1
        self.by_kind[kind] = self.by_kind.get(kind, 0) + rows


@dataclass(frozen=True)
class QueryScope:
    """What a query to an engine is limited to: a time range and services."""

    since: datetime | None
    until: datetime | None
    services: tuple[str, ...] = ()


@dataclass
class RateRow:
    service: str
    bucket: int  # epoch seconds // bucket width
    records: int
    errors: int
    first: datetime
    last: datetime
    warnings: int = 0  # warning-level records (not errors), where the engine counts them


class RemoteSource(Protocol):
    display: str
    traffic: Traffic

    def rates(self, window: QueryScope, bucket_seconds: int) -> list[RateRow]: ...

    def records(self, window: QueryScope, min_level: str) -> Iterator[Record]: ...

    def sample(self, window: QueryScope, level: str, limit: int) -> Iterator[Record]:
        """At most `limit` records of exactly `level`, spread over the window, in time
        order."""
        ...

    def operational(
        self, window: QueryScope, words: tuple[str, ...], limit: int
    ) -> Iterator[Record]: ...


def first_of_level(records: Iterable[Record], level: str, limit: int) -> Iterator[Record]:
    """The first `limit` of `records` at exactly `level`."""
    return islice((r for r in records if r.level == level), limit)
