"""Grafana Loki, through its HTTP API (`/loki/api/v1/query_range`).

Counting runs in Loki: `sum by (LABEL) (count_over_time(SELECTOR [Ws]))` for every record and
the same with a line filter for the error-looking ones, one matrix each. Only the lines that
filter keeps travel, paginated forward by time within Loki's per-query line limit; they are
parsed by the same format detection as files (a Loki line is the raw line the app wrote).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2

from ..ingest import parse_lines
from ..levels import at_least
from ..records import Record
from .base import QueryScope, RateRow, RemoteError, Traffic, first_of_level
from .uri import RemoteSpec

DEFAULT_PORT = 3100
PAGE_LINES = 5000  # Loki's default max_entries_limit_per_query
DEFAULT_LOOKBACK = timedelta(hours=1)  # Loki's own default range
# Words a line at warning or above carries in every common format; the parser then reads the
# real level, so this only has to keep every candidate.
LEVEL_FILTER = (
    r"(?i)(warn|err|crit|fatal|panic|emerg|alert|severe|exception|traceback|"
    r'"level":\s*[45]0|"status":\s*5\d\d|" 5\d\d )'
)
OPERATIONAL_FILTER_LIMIT = 200


class LokiSource:
    """Logs behind a LogQL stream selector (`query=`), counted and filtered by Loki."""

    def __init__(self, spec: RemoteSpec, client: httpx2.Client | None = None) -> None:
        self.spec = spec
        self.display = spec.display
        self.selector = spec.params.get("query", "").strip()
        if not self.selector.startswith("{"):
            raise RemoteError(
                f'{spec.display}: query= must be a LogQL stream selector like {{app="checkout"}}'
            )
        self.label = spec.params.get("service_label", "service_name")
        headers = {}
        token = spec.credential("TOKEN")
        if token:
            headers["Authorization"] = f"Bearer {token}"
        tenant = spec.params.get("tenant") or spec.credential("TENANT")
        if tenant:
            headers["X-Scope-OrgID"] = tenant
        user, password = spec.credential("USER"), spec.credential("PASSWORD")
        self.client = client or httpx2.Client(
            base_url=spec.base_url(DEFAULT_PORT),
            headers=headers,
            auth=(user, password or "") if user else None,
            verify=spec.verify,
            timeout=60.0,
        )
        self.traffic = Traffic()

    def _get(self, kind: str, params: dict[str, Any]) -> dict[str, Any]:
        try:
            response = self.client.get("/loki/api/v1/query_range", params=params)
        except httpx2.HTTPError as error:
            raise RemoteError(
                f"{self.display}: cannot reach Loki ({error}); check HOST:PORT and tls="
            ) from None
        size = len(response.content)
        if response.status_code in (401, 403):
            raise RemoteError(
                f"{self.display}: Loki refused the credentials ({response.status_code}); set "
                "LOG_ANALYZER_LOKI_TOKEN, or LOG_ANALYZER_LOKI_USER and _PASSWORD"
            )
        if response.status_code >= 400:
            raise RemoteError(f"{self.display}: {_explain(response.text, params)}")
        body: dict[str, Any] = response.json()
        data = body.get("data", {})
        rows = sum(len(s.get("values", [])) for s in data.get("result", []))
        self.traffic.add(kind, rows, size)
        return data  # type: ignore[no-any-return]

    def _range(self, window: QueryScope) -> tuple[datetime, datetime]:
        end = window.until or datetime.now(UTC)
        return window.since or end - DEFAULT_LOOKBACK, end

    def _selector(self, window: QueryScope) -> str:
        if not window.services:
            return self.selector
        wanted = "|".join(s.replace('"', "") for s in window.services)
        return f'{self.selector[:-1].rstrip()}, {self.label}=~"{wanted}"}}'

    def rates(self, window: QueryScope, bucket_seconds: int) -> list[RateRow]:
        start, end = self._range(window)
        selector = self._selector(window)
        totals = self._matrix(
            f"sum by ({self.label}) (count_over_time({selector} [{bucket_seconds}s]))",
            start,
            end,
            bucket_seconds,
        )
        errors = self._matrix(
            f"sum by ({self.label}) (count_over_time({selector} |~ `{LEVEL_FILTER}` "
            f"[{bucket_seconds}s]))",
            start,
            end,
            bucket_seconds,
        )
        rows = []
        for (service, bucket), count in sorted(totals.items(), key=lambda i: i[0][1]):
            moment = datetime.fromtimestamp(bucket * bucket_seconds, UTC)
            rows.append(
                RateRow(service, bucket, count, errors.get((service, bucket), 0), moment, moment)
            )
        return rows

    def _matrix(
        self, query: str, start: datetime, end: datetime, step: int
    ) -> dict[tuple[str, int], int]:
        # evaluate at bucket ends, aligned to the step, so each value is one whole bucket
        first = (int(start.timestamp()) // step + 1) * step
        last = -(-int(end.timestamp()) // step) * step
        data = self._get(
            "rates",
            {"query": query, "start": first * 10**9, "end": last * 10**9, "step": f"{step}s"},
        )
        counts: dict[tuple[str, int], int] = {}
        for series in data.get("result", []):
            service = series.get("metric", {}).get(self.label, "") or "loki"
            for stamp, value in series.get("values", []):
                # count_over_time at t counts (t - step, t]: the bucket that ends at t
                bucket = int(float(stamp)) // step - 1
                counts[(service, bucket)] = counts.get((service, bucket), 0) + int(float(value))
        return counts

    def records(self, window: QueryScope, min_level: str) -> Iterator[Record]:
        query = f"{self._selector(window)} |~ `{LEVEL_FILTER}`"
        for record in self._lines("records", query, window, None):
            if at_least(record.level, min_level):
                yield record

    def sample(self, window: QueryScope, level: str, limit: int) -> Iterator[Record]:
        """The first `limit` records of `level` (the engine has no cheap spread sample)."""
        return first_of_level(self.records(window, level), level, limit)

    def operational(
        self, window: QueryScope, words: tuple[str, ...], limit: int
    ) -> Iterator[Record]:
        pattern = "|".join(_escape(word) for word in words)
        query = f"{self._selector(window)} |~ `{pattern}`"
        yield from self._lines("operational", query, window, min(limit, OPERATIONAL_FILTER_LIMIT))

    def _lines(
        self, kind: str, query: str, window: QueryScope, limit: int | None
    ) -> Iterator[Record]:
        start, end = self._range(window)
        cursor = _ns(start)
        taken = 0
        seen_at_cursor: set[tuple[str, str]] = set()
        while True:
            page = PAGE_LINES if limit is None else min(PAGE_LINES, limit - taken)
            if page <= 0:
                return
            data = self._get(
                kind,
                {
                    "query": query,
                    "start": cursor,
                    "end": _ns(end),
                    "limit": page,
                    "direction": "forward",
                },
            )
            entries: list[tuple[int, str, dict[str, str]]] = []
            for stream in data.get("result", []):
                labels = stream.get("stream", {})
                for stamp, line in stream.get("values", []):
                    entries.append((int(stamp), line, labels))
            entries.sort(key=lambda e: e[0])
            fresh = [e for e in entries if (str(e[0]), e[1]) not in seen_at_cursor]
            yield from self._parse(fresh)
            taken += len(fresh)
            if len(entries) < page or not entries:
                return
            # the next page starts at the last time seen; lines at that very nanosecond that
            # were already returned are skipped (Loki's own pagination advice)
            cursor = entries[-1][0]
            seen_at_cursor = {(str(e[0]), e[1]) for e in entries if e[0] == cursor}

    def _parse(self, entries: list[tuple[int, str, dict[str, str]]]) -> Iterator[Record]:
        by_service: dict[str, list[tuple[int, str]]] = {}
        for stamp, line, labels in entries:
            service = labels.get(self.label) or labels.get("app") or labels.get("job") or "loki"
            by_service.setdefault(service, []).append((stamp, line))
        for service, lines in by_service.items():
            for record in parse_lines([line for _, line in lines], self.display, service):
                if record.timestamp is None:  # the line had none of its own: Loki's time
                    stamp = lines[record.line - 1][0]
                    record.timestamp = datetime.fromtimestamp(stamp / 1e9, UTC)
                record.line = record.end_line = 0  # no file lines behind a Loki stream
                yield record


def _ns(moment: datetime) -> int:
    return int(moment.timestamp() * 1_000_000_000)


def _escape(word: str) -> str:
    return "".join("\\" + c if c in r"\^$.|?*+()[]{}" else c for c in word)


def _explain(text: str, params: dict[str, Any]) -> str:
    """Loki's error, with what to change."""
    message = text.strip().splitlines()[0][:300] if text.strip() else "error"
    lowered = message.lower()
    if "max entries limit" in lowered:
        return (
            f"{message}: the server caps lines per query below {params.get('limit')}; "
            "narrow --since/--until or raise max_entries_limit_per_query"
        )
    if "time range exceeds" in lowered or "query length" in lowered:
        return f"{message}: narrow the window with --since/--until"
    if "parse error" in lowered:
        return f"{message}: check the LogQL in query="
    return message
