"""Remote sources: logs kept by an engine (Loki, Elasticsearch/OpenSearch, ClickHouse), given
as URIs wherever a path is. The engine counts and filters; only what the analysis needs
travels."""

from __future__ import annotations

from ..filters import RecordFilter
from .base import QueryScope, RemoteError, RemoteSource, Traffic
from .uri import RemoteSpec, is_remote, parse_uri


def open_remote(uri: str) -> RemoteSource:
    """The source behind a URI (connecting, but not querying yet)."""
    spec = parse_uri(uri)
    if spec.scheme in ("clickhouse", "chdb"):
        from .clickhouse import ClickHouseSource

        return ClickHouseSource(spec)
    if spec.scheme == "loki":
        from .loki import LokiSource

        return LokiSource(spec)
    from .elastic import ElasticSource

    return ElasticSource(spec)


def remote_window(keep: RecordFilter | None) -> QueryScope:
    if keep is None:
        return QueryScope(None, None)
    return QueryScope(keep.since, keep.until, tuple(keep.services))


__all__ = [
    "QueryScope",
    "RemoteError",
    "RemoteSource",
    "RemoteSpec",
    "Traffic",
    "is_remote",
    "open_remote",
    "parse_uri",
    "remote_window",
]
