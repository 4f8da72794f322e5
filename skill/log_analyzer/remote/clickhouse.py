"""ClickHouse: the OpenTelemetry exporter's `otel_logs` table (SigNoz, ClickStack...).

Queries go through the interface `clickhouse-connect` serves (`client.query(sql, parameters)`
returning `result_rows`), with server-side parameters (`{name:Type}`), never values pasted
into SQL. `ChdbClient` serves the same interface from chdb, ClickHouse in process, for local
data (`chdb:///path`) and the tests. The `where=` of a URI is the user's own SQL condition on
their own server, added as they wrote it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from ..records import Record
from .base import (
    SEVERITY_NUMBER,
    QueryScope,
    RateRow,
    RemoteError,
    Traffic,
    level_of_severity,
)
from .uri import RemoteSpec

PAGE_ROWS = 50_000
DEFAULT_PORT = 8123
FILE_KEY = "log.file.path"
LINE_KEY = "log.file.line"
_COLUMNS = "Timestamp, SeverityText, SeverityNumber, ServiceName, Body, LogAttributes, TraceId"


class QueryResult(Protocol):
    @property
    def result_rows(self) -> Sequence[Sequence[Any]]: ...


class Client(Protocol):
    def query(self, query: str, parameters: dict[str, Any] | None = None) -> QueryResult: ...


@dataclass
class ChdbResult:
    result_rows: list[list[Any]]
    column_names: list[str]
    size: int  # bytes of the result, as the engine sent it


class ChdbClient:
    """clickhouse-connect's query interface over chdb (ClickHouse in process)."""

    def __init__(self, path: str | None = None) -> None:
        try:
            from chdb import session
        except ImportError:
            raise RemoteError(
                "chdb is not installed: pip install chdb (or use clickhouse://HOST)"
            ) from None
        self.session = session.Session(path) if path else session.Session()

    def query(self, query: str, parameters: dict[str, Any] | None = None) -> ChdbResult:
        try:
            raw = self.session.query(query, "JSONCompact", params=_text_params(parameters))
        except Exception as error:  # chdb raises its own RuntimeError subclasses
            raise RemoteError(f"chdb: {str(error).splitlines()[0][:300]}") from None
        data = raw.bytes()
        if not data:
            return ChdbResult([], [], 0)
        parsed = json.loads(data)
        names = [column["name"] for column in parsed["meta"]]
        types = [column["type"] for column in parsed["meta"]]
        rows = [
            [_typed(value, kind) for value, kind in zip(row, types, strict=True)]
            for row in parsed["data"]
        ]
        return ChdbResult(rows, names, len(data))

    def command(self, query: str) -> None:
        self.query(query)


def _text_params(parameters: dict[str, Any] | None) -> dict[str, str] | None:
    if not parameters:
        return None
    out = {}
    for key, value in parameters.items():
        if isinstance(value, datetime):
            value = value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        elif isinstance(value, list | tuple):
            value = "[" + ",".join(_quoted(str(item)) for item in value) + "]"
        out[key] = str(value)
    return out


def _typed(value: Any, kind: str) -> Any:
    if kind.startswith("DateTime") and isinstance(value, str):
        return datetime.fromisoformat(value[:26]).replace(tzinfo=UTC)
    if kind.startswith(("UInt64", "Int64")) and isinstance(value, str):
        return int(value)
    return value


def connect(spec: RemoteSpec) -> Client:
    """A client for the URI: chdb in process, or clickhouse-connect for a server."""
    if spec.scheme == "chdb":
        return ChdbClient(spec.path or None)
    logging.getLogger("clickhouse_connect").setLevel(logging.CRITICAL)  # our line says it
    try:
        import clickhouse_connect
    except ImportError:
        raise RemoteError(
            f"{spec.display}: clickhouse-connect is not installed "
            "(pip install 'log-analyzer[clickhouse]')"
        ) from None
    try:
        client: Client = clickhouse_connect.get_client(
            host=spec.host,
            port=spec.port or (8443 if spec.tls else DEFAULT_PORT),
            username=spec.credential("USER") or "default",
            password=spec.credential("PASSWORD") or "",
            database=spec.path.strip("/") or "default",
            secure=spec.tls,
            verify=spec.verify is not False,
            ca_cert=spec.verify if isinstance(spec.verify, str) else None,
        )
    except Exception as error:
        raise RemoteError(f"{spec.display}: {_reason(error)}") from None
    return client


def _reason(error: Exception) -> str:
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    lowered = text.lower()
    if "authentication" in lowered or "password" in lowered or "code: 516" in lowered:
        return (
            "authentication failed: set LOG_ANALYZER_CLICKHOUSE_USER and "
            "LOG_ANALYZER_CLICKHOUSE_PASSWORD"
        )
    for sign, why in _UNREACHABLE:
        if sign in lowered:
            return f"cannot reach the server ({why}): check HOST:PORT and tls="
    return text[:300]


_UNREACHABLE = (
    ("connection refused", "connection refused"),
    ("newconnectionerror", "connection refused"),
    ("name or service not known", "unknown host"),
    ("nodename nor servname", "unknown host"),
    ("timed out", "timed out"),
    ("max retries exceeded", "no answer"),
)


class ClickHouseSource:
    """Logs in an `otel_logs` table, counted and filtered by ClickHouse."""

    def __init__(self, spec: RemoteSpec, client: Client | None = None) -> None:
        self.spec = spec
        self.display = spec.display
        database = spec.params.get("db") or spec.path.strip("/") or "default"
        if spec.scheme == "chdb":
            database = spec.params.get("db", "default")
        table = spec.params.get("table", "otel_logs")
        for name in (database, table):
            if not name.replace("_", "").isalnum():
                raise RemoteError(f"{spec.display}: {name!r} is not a plain table or database name")
        self.table = f"{database}.{table}"
        self.where = spec.params.get("where", "")
        self.client = client or connect(spec)
        self.traffic = Traffic()

    def _run(self, kind: str, sql: str, parameters: dict[str, Any]) -> Sequence[Sequence[Any]]:
        try:
            result = self.client.query(sql, parameters=parameters)
        except RemoteError as error:
            raise RemoteError(f"{self.display}: {str(error).removeprefix('chdb: ')}") from None
        except Exception as error:
            raise RemoteError(f"{self.display}: {_reason(error)}") from None
        rows = result.result_rows
        size = getattr(result, "size", None)
        if size is None:  # clickhouse-connect: the summary's bytes, else an estimate
            summary = getattr(result, "summary", {}) or {}
            size = int(summary.get("result_bytes", 0) or 0) or len(repr(rows))
        self.traffic.add(kind, len(rows), int(size))
        return rows

    def _conditions(self, window: QueryScope) -> tuple[str, dict[str, Any]]:
        parts = ["1"]
        parameters: dict[str, Any] = {}
        if window.since is not None:
            parts.append("Timestamp >= {since:DateTime64(9)}")
            parameters["since"] = window.since
        if window.until is not None:
            parts.append("Timestamp <= {until:DateTime64(9)}")
            parameters["until"] = window.until
        if window.services:
            parts.append("ServiceName IN {services:Array(String)}")
            parameters["services"] = list(window.services)
        if self.where:
            parts.append(f"({self.where})")
        return " AND ".join(parts), parameters

    def rates(self, window: QueryScope, bucket_seconds: int) -> list[RateRow]:
        condition, parameters = self._conditions(window)
        parameters["width"] = bucket_seconds
        parameters["error"] = SEVERITY_NUMBER["error"]
        parameters["warning"] = SEVERITY_NUMBER["warning"]
        sql = (
            "SELECT ServiceName, intDiv(toUnixTimestamp(Timestamp), {width:UInt32}) AS bucket, "
            "count(), countIf(SeverityNumber >= {error:UInt8}), min(Timestamp), max(Timestamp), "
            "countIf(SeverityNumber >= {warning:UInt8} AND SeverityNumber < {error:UInt8}) "
            f"FROM {self.table} WHERE {condition} GROUP BY ServiceName, bucket ORDER BY bucket"
        )
        return [
            RateRow(str(s), int(b), int(n), int(e), _utc(first), _utc(last), int(w))
            for s, b, n, e, first, last, w in self._run("rates", sql, parameters)
        ]

    def records(self, window: QueryScope, min_level: str) -> Iterator[Record]:
        condition, parameters = self._conditions(window)
        parameters["minimum"] = SEVERITY_NUMBER[min_level]
        yield from self._paged(
            "records", f"SeverityNumber >= {{minimum:UInt8}} AND {condition}", parameters
        )

    def sample(self, window: QueryScope, level: str, limit: int) -> Iterator[Record]:
        condition, parameters = self._conditions(window)
        low = SEVERITY_NUMBER[level]
        high = min((n for n in SEVERITY_NUMBER.values() if n > low), default=25)
        parameters.update(low=low, high=high, limit=limit)
        # a spread of the level's records (by a hash, not the first ones), then in time order
        sql = (
            f"SELECT * FROM (SELECT {_COLUMNS} FROM {self.table} WHERE SeverityNumber >= "
            "{low:UInt8} AND SeverityNumber < {high:UInt8} AND "
            f"{condition} ORDER BY cityHash64(Timestamp, Body) LIMIT {{limit:UInt32}}) "
            "ORDER BY Timestamp, ServiceName"
        )
        for row in self._run("sample", sql, parameters):
            yield self._record(row)

    def operational(
        self, window: QueryScope, words: tuple[str, ...], limit: int
    ) -> Iterator[Record]:
        condition, parameters = self._conditions(window)
        parameters["words"] = list(words)
        parameters["below"] = SEVERITY_NUMBER["warning"]
        yield from self._paged(
            "operational",
            f"SeverityNumber < {{below:UInt8}} AND multiSearchAny(Body, {{words:Array(String)}})"
            f" AND {condition}",
            parameters,
            limit,
        )

    def _paged(
        self, kind: str, condition: str, parameters: dict[str, Any], limit: int | None = None
    ) -> Iterator[Record]:
        offset = 0
        while True:
            page = PAGE_ROWS if limit is None else min(PAGE_ROWS, limit - offset)
            if page <= 0:
                return
            sql = (
                f"SELECT {_COLUMNS} FROM {self.table} WHERE {condition} "
                f"ORDER BY Timestamp, ServiceName LIMIT {page} OFFSET {offset}"
            )
            rows = self._run(kind, sql, parameters)
            for row in rows:
                yield self._record(row)
            if len(rows) < page:
                return
            offset += len(rows)

    def _record(self, row: Sequence[Any]) -> Record:
        stamp, text, number, service, body, attributes, trace = row
        level = _level(str(text), int(number))
        fields = _fields(attributes or {})
        file = fields.pop(FILE_KEY, None)
        line = _line(fields.pop(LINE_KEY, None))
        if trace and "trace_id" not in fields:
            fields["trace_id"] = trace
        return Record(
            str(file) if file else self.display,
            line,
            line,
            _utc(stamp),
            level,
            str(service),
            "otel",
            str(body),
            fields or None,
        )


def _fields(attributes: dict[str, Any]) -> dict[str, Any]:
    """Log attributes as record fields: numbers and JSON values back to what they were."""
    fields: dict[str, Any] = {}
    for key, value in attributes.items():
        if isinstance(value, str) and value[:1] in ("{", "["):
            try:
                fields[key] = json.loads(value)
                continue
            except ValueError:
                pass
        if isinstance(value, str) and value.isdigit() and len(value) < 10:
            fields[key] = int(value)
        else:
            fields[key] = value
    return fields


def _line(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _level(text: str, number: int) -> str | None:
    from ..levels import normalize_level

    return normalize_level(text) if text else level_of_severity(number)


def _utc(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return datetime.fromisoformat(str(value)[:26]).replace(tzinfo=UTC)


def _quoted(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
