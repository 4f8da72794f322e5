"""Elasticsearch and OpenSearch, through their official Python clients.

Counting is one `date_histogram` aggregation per service with an error sub-filter; only the
documents at warning and above travel, `search_after` paginated, in a point in time where the
engine has one (Elasticsearch `_pit`, OpenSearch `_search/point_in_time`), so pages are
consistent while the index keeps growing. Documents are read as ECS by default
(`@timestamp`, `message`, `log.level`, `service.name`, `log.file.path`); other layouts name
their fields in the URI (`ts_field=`, `level_field=`, `service_field=`, `message_field=`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from ..levels import normalize_level
from ..records import Record
from .base import QueryScope, RateRow, Traffic, first_of_level
from .elastic_clients import KEEP_ALIVE, Engine, engine_for
from .uri import RemoteSpec

PAGE_SIZE = 1000
# The spellings of warning-and-above an index may hold in its level field.
LEVEL_SPELLINGS = {
    "warning": ["warn", "warning", "WARN", "WARNING", "Warning", "Warn"],
    "error": ["error", "err", "ERROR", "ERR", "Error", "severe", "SEVERE"],
    "critical": ["critical", "crit", "CRITICAL", "CRIT", "Critical"],
    "fatal": ["fatal", "FATAL", "Fatal", "panic", "PANIC", "emerg", "EMERG", "alert", "ALERT"],
}
_ORDER = ("warning", "error", "critical", "fatal")


def spellings_from(level: str) -> list[str]:
    start = _ORDER.index(level) if level in _ORDER else 0
    return [s for name in _ORDER[start:] for s in LEVEL_SPELLINGS[name]]


class ElasticSource:
    """Documents of an index (pattern), counted and filtered by the engine."""

    def __init__(self, spec: RemoteSpec, engine: Engine | None = None) -> None:
        self.spec = spec
        self.display = spec.display
        self.engine = "opensearch" if spec.scheme == "opensearch" else "elasticsearch"
        self.index = spec.path.strip("/") or "*"
        self.query_string = spec.params.get("q", "")
        self.ts = spec.params.get("ts_field", "@timestamp")
        self.level = spec.params.get("level_field", "log.level")
        self.service = spec.params.get("service_field", "service.name")
        self.message = spec.params.get("message_field", "message")
        self.api = engine or engine_for(spec)
        self.traffic = Traffic()

    def _search(self, kind: str, body: dict[str, Any], pit: str | None) -> dict[str, Any]:
        data, size = self.api.search(None if pit else self.index, body)
        self.traffic.add(kind, len(data.get("hits", {}).get("hits", [])), size)
        return data

    def _filters(self, window: QueryScope) -> list[dict[str, Any]]:
        filters: list[dict[str, Any]] = []
        bounds = {}
        if window.since is not None:
            bounds["gte"] = window.since.isoformat()
        if window.until is not None:
            bounds["lte"] = window.until.isoformat()
        if bounds:
            filters.append({"range": {self.ts: bounds}})
        if window.services:
            filters.append({"terms": {self.service: list(window.services)}})
        if self.query_string:
            filters.append({"query_string": {"query": self.query_string}})
        return filters

    # --- what the pipeline asks ---

    def rates(self, window: QueryScope, bucket_seconds: int) -> list[RateRow]:
        body = {
            "size": 0,
            "track_total_hits": False,
            "query": {"bool": {"filter": self._filters(window)}},
            "aggs": {
                "by_time": {
                    "date_histogram": {
                        "field": self.ts,
                        "fixed_interval": f"{bucket_seconds}s",
                        "min_doc_count": 1,
                    },
                    "aggs": {
                        "by_service": {
                            "terms": {"field": self.service, "size": 200},
                            "aggs": {
                                "errors": {
                                    "filter": {"terms": {self.level: spellings_from("error")}}
                                }
                            },
                        }
                    },
                }
            },
        }
        data = self._search("rates", body, None)
        rows = []
        for bucket in data.get("aggregations", {}).get("by_time", {}).get("buckets", []):
            start = datetime.fromtimestamp(bucket["key"] / 1000, UTC)
            index = int(bucket["key"] // 1000) // bucket_seconds
            for service in bucket.get("by_service", {}).get("buckets", []):
                rows.append(
                    RateRow(
                        str(service["key"]),
                        index,
                        int(service["doc_count"]),
                        int(service.get("errors", {}).get("doc_count", 0)),
                        start,
                        start,
                    )
                )
        return rows

    def records(self, window: QueryScope, min_level: str) -> Iterator[Record]:
        query = {
            "bool": {
                "filter": [
                    *self._filters(window),
                    {"terms": {self.level: spellings_from(min_level)}},
                ]
            }
        }
        yield from self._paged("records", query, None)

    def sample(self, window: QueryScope, level: str, limit: int) -> Iterator[Record]:
        """The first `limit` records of `level` (the engine has no cheap spread sample)."""
        return first_of_level(self.records(window, level), level, limit)

    def operational(
        self, window: QueryScope, words: tuple[str, ...], limit: int
    ) -> Iterator[Record]:
        should = [{"match_phrase": {self.message: word.strip()}} for word in words]
        query = {
            "bool": {
                "filter": self._filters(window),
                "must_not": [{"terms": {self.level: spellings_from("warning")}}],
                "should": should,
                "minimum_should_match": 1,
            }
        }
        yield from self._paged("operational", query, limit)

    def _paged(self, kind: str, query: dict[str, Any], limit: int | None) -> Iterator[Record]:
        pit = self.api.open_pit(self.index)
        after: list[Any] | None = None
        taken = 0
        try:
            while limit is None or taken < limit:
                size = PAGE_SIZE if limit is None else min(PAGE_SIZE, limit - taken)
                body: dict[str, Any] = {
                    "size": size,
                    "query": query,
                    "sort": [{self.ts: "asc"}, {"_shard_doc" if pit else "_doc": "asc"}],
                    "track_total_hits": False,
                }
                if after is not None:
                    body["search_after"] = after
                if pit:
                    body["pit"] = {"id": pit, "keep_alive": KEEP_ALIVE}
                data = self._search(kind, body, pit)
                pit = data.get("pit_id", pit)
                hits = data.get("hits", {}).get("hits", [])
                for hit in hits:
                    yield self._record(hit.get("_source", {}))
                taken += len(hits)
                if len(hits) < size:
                    return
                after = hits[-1].get("sort")
                if after is None:
                    return
        finally:
            if pit:
                self.api.close_pit(pit)

    def _record(self, source: dict[str, Any]) -> Record:
        flat = _flatten(source)
        when = flat.pop(self.ts, None)
        message = flat.pop(self.message, "")
        level = normalize_level(flat.pop(self.level, None))
        service = str(flat.pop(self.service, "") or self.index)
        file = flat.pop("log.file.path", None)
        line = flat.pop("log.file.line", 0)
        return Record(
            str(file) if file else self.display,
            int(line or 0),
            int(line or 0),
            _parse_time(when),
            level,
            service,
            "ecs" if self.level == "log.level" else "document",
            str(message),
            flat or None,
        )


def _flatten(document: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in document.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def _parse_time(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value / 1000, UTC)
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
