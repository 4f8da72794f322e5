"""Loki and Elasticsearch/OpenSearch sources against responses in each engine's documented
wire format (Loki: streams and matrices; ES: hits and aggregations), replayed by respx: the
queries pushed down, pagination, and the limit errors. Elasticsearch and OpenSearch run their
official clients (on httpx transports), Loki its HTTP API on httpx2."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import respx

from log_analyzer.cli.app import run
from log_analyzer.remote import open_remote
from log_analyzer.remote.base import QueryScope, RemoteError

from . import anthropic_mock  # noqa: F401  (registers respx's httpcore2 mocker)

START = datetime(2026, 11, 28, 14, 0, tzinfo=UTC)
MINUTES, CALM_MINUTES = 11, 8
LINES = MINUTES * 30
LOKI = "http://loki.internal:3100"
LOKI_URI = 'loki://loki.internal:3100?query={app="checkout"}&service_label=app'
ES = "http://es.internal:9200"


def spring(when: datetime, level: str, text: str) -> str:
    stamp = when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"
    return f"{stamp} {level:>5} 1 --- [checkout] [exec-1] c.e.c.CheckoutController : {text}"


def loki_lines() -> list[tuple[int, str]]:
    """Eleven minutes of a checkout service: eight calm (slow lookups), then Redis timeouts;
    a line every two seconds."""
    out = []
    for second in range(0, MINUTES * 60, 2):
        when = START + timedelta(seconds=second)
        ns = int(when.timestamp() * 1e9)
        if second >= CALM_MINUTES * 60:
            out.append((ns, spring(when, "ERROR", "RedisConnectionTimeout after 2000 ms")))
        else:
            out.append((ns, spring(when, "WARN", "slow cart lookup: 900 ms")))
    return out


def streams(entries: list[tuple[int, str]]) -> dict[str, Any]:
    return {
        "status": "success",
        "data": {
            "resultType": "streams",
            "result": [
                {"stream": {"app": "checkout"}, "values": [[str(ns), line] for ns, line in entries]}
            ],
            "stats": {},
        },
    }


def matrix(points: list[tuple[int, int]]) -> dict[str, Any]:
    return {
        "status": "success",
        "data": {
            "resultType": "matrix",
            "result": [{"metric": {"app": "checkout"}, "values": [[t, str(n)] for t, n in points]}],
        },
    }


class FakeLoki:
    """query_range as Loki answers it: matrices for metric queries, streams paged by `limit`
    forward from `start` (inclusive, as Loki does)."""

    def __init__(self, page_limit: int = 25) -> None:
        self.entries = loki_lines()
        self.page_limit = page_limit
        self.queries: list[dict[str, str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        params = {k: v[0] for k, v in parse_qs(urlsplit(str(request.url)).query).items()}
        self.queries.append(params)
        query = params["query"]
        if query.startswith("sum by"):
            step = int(params["step"].rstrip("s"))
            errors_only = "|~" in query
            counts: dict[int, int] = {}
            for ns, line in self.entries:
                if errors_only and "ERROR" not in line and "WARN" not in line:
                    continue
                if errors_only and "WARN" in line:
                    continue  # the fake's "error-looking" filter: ERROR lines
                end = (ns // 10**9 // step + 1) * step
                counts[end] = counts.get(end, 0) + 1
            return httpx.Response(200, json=matrix(sorted(counts.items())))
        limit = int(params["limit"])
        if limit > self.page_limit * 4:
            return httpx.Response(
                400,
                text=f"max entries limit per query exceeded, limit > max_entries_limit "
                f"({limit} > {self.page_limit * 4})",
            )
        start, end = int(params["start"]), int(params["end"])
        wanted = [(ns, line) for ns, line in self.entries if start <= ns <= end]
        if "Received alert" in query:
            wanted = []
        return httpx.Response(200, json=streams(wanted[: min(limit, self.page_limit)]))


@pytest.fixture
def loki(monkeypatch) -> Any:
    fake = FakeLoki()
    monkeypatch.setattr("log_analyzer.remote.loki.PAGE_LINES", 25)
    with respx.mock(using="httpcore2", base_url=LOKI) as router:
        router.get("/loki/api/v1/query_range").mock(side_effect=fake)
        yield fake


WINDOW = QueryScope(START, START + timedelta(minutes=MINUTES))
SINCE_UNTIL = ["--since", "2026-11-28T14:00:00Z", "--until", "2026-11-28T14:11:00Z"]


def test_loki_counts_run_in_loki_and_lines_are_paged(loki):
    source = open_remote(LOKI_URI)
    rates = source.rates(WINDOW, 60)
    expected = [("checkout", 30, 0)] * CALM_MINUTES + [("checkout", 30, 30)] * 3
    assert [(r.service, r.records, r.errors) for r in rates] == expected
    assert rates[0].bucket == int(START.timestamp()) // 60
    metric = [q for q in loki.queries if q["query"].startswith("sum by")]
    assert metric[0]["query"] == 'sum by (app) (count_over_time({app="checkout"} [60s]))'
    records = list(source.records(WINDOW, "warning"))
    assert len(records) == LINES  # every line once, across pages of 25
    assert len({r.timestamp for r in records}) == LINES
    pages = [q for q in loki.queries if "limit" in q]
    assert len(pages) == LINES // 25 + 1
    stamp = records[24].timestamp
    assert stamp is not None and int(pages[1]["start"]) == int(stamp.timestamp() * 1e9)
    assert {r.level for r in records} == {"warning", "error"}
    assert records[-1].message.startswith("RedisConnectionTimeout")
    # matrix points (11 buckets, 3 with errors), every line, and the one line each later page
    # re-reads at its start (Loki's start is inclusive; the duplicate is dropped)
    assert source.traffic.rows == 11 + 3 + LINES + (len(pages) - 1)


def test_loki_errors_only_fetches_errors_when_asked(loki):
    source = open_remote(LOKI_URI)
    errors = list(source.records(WINDOW, "error"))
    assert len(errors) == 90 and all(r.level == "error" for r in errors)


def test_investigate_on_loki(loki, capsys):
    assert run(["investigate", LOKI_URI, *SINCE_UNTIL, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["records"] == LINES
    assert report["first_failure"]["service"] == "checkout"
    assert "RedisConnectionTimeout" in report["first_failure"]["text"]
    assert report["sources"][0]["file"] == LOKI_URI


def test_loki_limit_error_says_what_to_change(loki, monkeypatch, capsys):
    monkeypatch.setattr("log_analyzer.remote.loki.PAGE_LINES", 5000)
    source = open_remote(LOKI_URI)
    with pytest.raises(RemoteError) as caught:
        list(source.records(WINDOW, "warning"))
    message = str(caught.value)
    assert message.startswith('loki://loki.internal:3100?query={app="checkout"}')
    assert "max entries limit" in message and "--since/--until" in message
    assert run(["errors", LOKI_URI, *SINCE_UNTIL]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "max_entries_limit_per_query" in err[0]


def test_loki_needs_a_stream_selector():
    with pytest.raises(RemoteError, match="LogQL stream selector"):
        open_remote("loki://loki.internal:3100?query=checkout")


# --- Elasticsearch / OpenSearch ----------------------------------------------------------------


def documents(count: int) -> list[dict[str, Any]]:
    out = []
    for index in range(count):
        when = START + timedelta(seconds=index)
        out.append(
            {
                "@timestamp": when.isoformat().replace("+00:00", "Z"),
                "log": {"level": "error" if index % 2 else "warn"},
                "service": {"name": "payments"},
                "message": f"charge failed: upstream timeout after {1000 + index} ms",
                "trace": {"id": f"{index:032x}"},
            }
        )
    return out


class FakeElastic:
    def __init__(self, engine: str = "elasticsearch", total: int = 25, window: int = 10000):
        self.engine = engine
        self.docs = documents(total)
        self.window = window
        self.bodies: list[tuple[str, dict[str, Any]]] = []
        self.closed: list[Any] = []
        self.agents: set[str] = set()

    def search(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.bodies.append((request.url.path, body))
        self.agents.add(request.headers.get("user-agent", "").split("/")[0])
        headers = {"X-Elastic-Product": "Elasticsearch"} if self.engine == "elasticsearch" else {}
        if body.get("size") == 0:
            buckets = [
                {
                    "key": int(START.timestamp() * 1000),
                    "doc_count": 25,
                    "by_service": {
                        "buckets": [
                            {"key": "payments", "doc_count": 25, "errors": {"doc_count": 12}}
                        ]
                    },
                }
            ]
            return httpx.Response(
                200, json={"aggregations": {"by_time": {"buckets": buckets}}}, headers=headers
            )
        if body["size"] > self.window:
            return httpx.Response(
                400,
                json={
                    "error": {
                        "root_cause": [
                            {
                                "type": "illegal_argument_exception",
                                "reason": "Result window is too large, from + size must be less"
                                f" than or equal to: [{self.window}] but was [{body['size']}].",
                            }
                        ]
                    },
                    "status": 400,
                },
                headers=headers,
            )
        after = body.get("search_after")
        start = after[1] + 1 if after else 0
        page = self.docs[start : start + body["size"]]
        hits = [
            {"_source": doc, "sort": [doc["@timestamp"], start + offset]}
            for offset, doc in enumerate(page)
        ]
        answer: dict[str, Any] = {"hits": {"hits": hits}}
        if "pit" in body:
            answer["pit_id"] = body["pit"]["id"]
        return httpx.Response(200, json=answer, headers=headers)

    @property
    def headers(self) -> dict[str, str]:
        return {"X-Elastic-Product": "Elasticsearch"} if self.engine == "elasticsearch" else {}

    def open_pit(self, request: httpx.Request) -> httpx.Response:
        key = "pit_id" if self.engine == "opensearch" else "id"
        assert request.url.params["keep_alive"] == "2m"
        return httpx.Response(200, json={key: "pit-123"}, headers=self.headers)

    def close_pit(self, request: httpx.Request) -> httpx.Response:
        self.closed.append(json.loads(request.content))
        return httpx.Response(200, json={"succeeded": True}, headers=self.headers)


@pytest.fixture
def elastic(monkeypatch) -> Any:
    fake = FakeElastic()
    monkeypatch.setattr("log_analyzer.remote.elastic.PAGE_SIZE", 10)
    with respx.mock(base_url=ES) as router:
        router.post("/logs-*/_pit").mock(side_effect=fake.open_pit)
        router.post("/_search").mock(side_effect=fake.search)
        router.post("/logs-*/_search").mock(side_effect=fake.search)
        router.delete("/_pit").mock(side_effect=fake.close_pit)
        yield fake


def test_elasticsearch_aggregates_and_pages_with_search_after_in_a_pit(elastic):
    source = open_remote("es://es.internal:9200/logs-*?q=service.name:payments")
    rates = source.rates(QueryScope(START, START + timedelta(minutes=1), ("payments",)), 60)
    assert [(r.service, r.records, r.errors) for r in rates] == [("payments", 25, 12)]
    path, aggregation = elastic.bodies[0]
    assert path == "/logs-*/_search" and aggregation["size"] == 0
    filters = aggregation["query"]["bool"]["filter"]
    assert {"terms": {"service.name": ["payments"]}} in filters
    assert {"query_string": {"query": "service.name:payments"}} in filters
    histogram = aggregation["aggs"]["by_time"]["date_histogram"]
    assert histogram == {"field": "@timestamp", "fixed_interval": "60s", "min_doc_count": 1}
    records = list(source.records(QueryScope(None, None), "warning"))
    assert len(records) == 25
    assert [r.level for r in records[:2]] == ["warning", "error"]
    fields = records[0].fields
    assert records[0].service == "payments" and fields and fields["trace.id"] == "0" * 32
    pages = [body for path, body in elastic.bodies[1:]]
    assert len(pages) == 3
    assert "search_after" not in pages[0]
    assert pages[1]["search_after"] == ["2026-11-28T14:00:09Z", 9]
    assert all(body["pit"] == {"id": "pit-123", "keep_alive": "2m"} for body in pages)
    assert pages[0]["sort"] == [{"@timestamp": "asc"}, {"_shard_doc": "asc"}]
    assert elastic.closed == [{"id": "pit-123"}]
    assert elastic.agents == {"elasticsearch-py"}  # the official client on the wire


def test_opensearch_uses_its_own_point_in_time_api(monkeypatch):
    fake = FakeElastic("opensearch")
    monkeypatch.setattr("log_analyzer.remote.elastic.PAGE_SIZE", 10)
    with respx.mock(base_url=ES) as router:
        router.post("/logs-*/_search/point_in_time").mock(side_effect=fake.open_pit)
        router.post("/_search").mock(side_effect=fake.search)
        router.delete("/_search/point_in_time").mock(side_effect=fake.close_pit)
        records = list(
            open_remote("opensearch://es.internal:9200/logs-*").records(
                QueryScope(None, None), "error"
            )
        )
    assert len(records) == 25  # the fake ignores the level filter; the query carries it
    level_filter = fake.bodies[0][1]["query"]["bool"]["filter"][-1]
    assert "warn" not in level_filter["terms"]["log.level"]
    assert "error" in level_filter["terms"]["log.level"]
    assert fake.closed == [{"pit_id": ["pit-123"]}]
    assert fake.agents == {"opensearch-py"}


def test_max_result_window_is_one_clear_line(monkeypatch, capsys):
    fake = FakeElastic(window=5)
    monkeypatch.setattr("log_analyzer.remote.elastic.PAGE_SIZE", 10)
    with respx.mock(base_url=ES) as router:
        router.post("/logs-*/_pit").mock(side_effect=fake.open_pit)
        router.post("/_search").mock(side_effect=fake.search)
        router.post("/logs-*/_search").mock(side_effect=fake.search)
        router.delete("/_pit").mock(side_effect=fake.close_pit)
        assert run(["errors", "es://es.internal:9200/logs-*"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("log-analyzer: error: es://es.internal:9200/logs-*: ")
    assert "max_result_window" in err[0]
    assert fake.closed == [{"id": "pit-123"}]  # the point in time is closed even on failure


def test_refused_credentials_name_the_variables(monkeypatch, capsys):
    with respx.mock(base_url=ES) as router:
        router.post("/logs/_search").mock(return_value=httpx.Response(401, json={}))
        assert run(["errors", "es://es.internal:9200/logs"]) == 2
    assert "LOG_ANALYZER_ES_API_KEY" in capsys.readouterr().err
