"""Elasticsearch and OpenSearch, through their search REST API.

Counting is one `date_histogram` aggregation per service with an error sub-filter; only the
documents at warning and above travel, `search_after` paginated, in a point in time where the
engine has one (Elasticsearch `_pit`, OpenSearch `_search/point_in_time`), so pages are
consistent while the index keeps growing. Documents are read as ECS by default
(`@timestamp`, `message`, `log.level`, `service.name`, `log.file.path`); other layouts name
their fields in the URI (`ts_field=`, `level_field=`, `service_field=`, `message_field=`).

Both engines speak the same search API on the wire, so one client serves both: the official
`elasticsearch` client refuses an OpenSearch server (its product check), and its synchronous
transports cannot be replayed in tests.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx2

from ..levels import normalize_level
from ..records import Record
from .base import RateRow, RemoteError, Traffic, Window, first_of_level
from .uri import RemoteSpec

DEFAULT_PORT = 9200
PAGE_SIZE = 1000
KEEP_ALIVE = "2m"
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

    def __init__(self, spec: RemoteSpec, client: httpx2.Client | None = None) -> None:
        self.spec = spec
        self.display = spec.display
        self.engine = "opensearch" if spec.scheme == "opensearch" else "elasticsearch"
        self.index = spec.path.strip("/") or "*"
        self.query_string = spec.params.get("q", "")
        self.ts = spec.params.get("ts_field", "@timestamp")
        self.level = spec.params.get("level_field", "log.level")
        self.service = spec.params.get("service_field", "service.name")
        self.message = spec.params.get("message_field", "message")
        headers = {"Content-Type": "application/json"}
        key = spec.credential("API_KEY")
        if key:
            headers["Authorization"] = f"ApiKey {key}"
        user, password = spec.credential("USER"), spec.credential("PASSWORD")
        self.client = client or httpx2.Client(
            base_url=spec.base_url(DEFAULT_PORT),
            headers=headers,
            auth=(user, password or "") if user else None,
            verify=spec.verify,
            timeout=60.0,
        )
        self.traffic = Traffic()

    # --- the wire ---

    def _call(
        self,
        kind: str,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        try:
            response = self.client.request(method, path, json=body, params=params)
        except httpx2.HTTPError as error:
            raise RemoteError(
                f"{self.display}: cannot reach {self.engine} ({error}); check HOST:PORT and tls="
            ) from None
        if response.status_code in (401, 403):
            scheme = "ES" if self.engine == "elasticsearch" else "OPENSEARCH"
            raise RemoteError(
                f"{self.display}: {self.engine} refused the credentials "
                f"({response.status_code}); set LOG_ANALYZER_{scheme}_API_KEY, or "
                f"LOG_ANALYZER_{scheme}_USER and _PASSWORD"
            )
        if response.status_code == 404 and kind == "pit":
            return {}
        if response.status_code >= 400:
            raise RemoteError(f"{self.display}: {_explain(response)}")
        data: dict[str, Any] = response.json()
        hits = len(data.get("hits", {}).get("hits", []))
        self.traffic.add(kind, hits, len(response.content))
        return data

    def _filters(self, window: Window) -> list[dict[str, Any]]:
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

    def rates(self, window: Window, bucket_seconds: int) -> list[RateRow]:
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
        data = self._call("rates", "POST", f"/{self.index}/_search", body)
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

    def records(self, window: Window, min_level: str) -> Iterator[Record]:
        query = {
            "bool": {
                "filter": [
                    *self._filters(window),
                    {"terms": {self.level: spellings_from(min_level)}},
                ]
            }
        }
        yield from self._paged("records", query, None)

    def sample(self, window: Window, level: str, limit: int) -> Iterator[Record]:
        """The first `limit` records of `level` (the engine has no cheap spread sample)."""
        return first_of_level(self.records(window, level), level, limit)

    def operational(self, window: Window, words: tuple[str, ...], limit: int) -> Iterator[Record]:
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
        pit = self._open_pit()
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
                    data = self._call(kind, "POST", "/_search", body)
                    pit = data.get("pit_id", pit)
                else:
                    data = self._call(kind, "POST", f"/{self.index}/_search", body)
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
            self._close_pit(pit)

    def _open_pit(self) -> str | None:
        if self.engine == "opensearch":
            data = self._call(
                "pit",
                "POST",
                f"/{self.index}/_search/point_in_time",
                params={"keep_alive": KEEP_ALIVE},
            )
            return data.get("pit_id")
        data = self._call("pit", "POST", f"/{self.index}/_pit", params={"keep_alive": KEEP_ALIVE})
        return data.get("id")

    def _close_pit(self, pit: str | None) -> None:
        if not pit:
            return
        path = "/_search/point_in_time" if self.engine == "opensearch" else "/_pit"
        body = {"pit_id": [pit]} if self.engine == "opensearch" else {"id": pit}
        with contextlib.suppress(httpx2.HTTPError):  # else it expires after KEEP_ALIVE
            self.client.request("DELETE", path, json=body)

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


def _explain(response: httpx2.Response) -> str:
    """The engine's error, with what to change."""
    try:
        error = response.json().get("error", {})
    except ValueError:
        return f"HTTP {response.status_code}: {response.text[:200]}"
    causes = error.get("root_cause") or [error] if isinstance(error, dict) else []
    cause = causes[0] if causes else {}
    kind = cause.get("type", "error") if isinstance(cause, dict) else "error"
    reason = (cause.get("reason", "") if isinstance(cause, dict) else str(error))[:300]
    if "result window is too large" in reason.lower():
        return (
            f"{kind}: {reason}: the index's max_result_window is below the page asked for; "
            "narrow --since/--until or raise index.max_result_window"
        )
    if kind == "index_not_found_exception":
        return f"{kind}: {reason}: check the index (pattern) in the URI path"
    if kind in ("query_shard_exception", "parsing_exception", "search_phase_execution_exception"):
        return f"{kind}: {reason}: check q= and the field names (ts_field=, level_field=...)"
    return f"{kind}: {reason}"
