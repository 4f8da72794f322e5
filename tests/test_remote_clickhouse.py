"""ClickHouse as a source, against a real ClickHouse engine: chdb (ClickHouse in process)
holding the bundled checkout incident in the OpenTelemetry `otel_logs` schema, behind the
query interface clickhouse-connect serves for remote servers."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fixtures.otel import load

from log_analyzer.analysis.errors import find_error_groups
from log_analyzer.analysis.investigate import investigate
from log_analyzer.cli.app import run
from log_analyzer.filters import RecordFilter, parse_time_bound
from log_analyzer.ingest import parse_paths
from log_analyzer.remote import clickhouse, open_remote
from log_analyzer.remote.base import QueryScope

from .conftest import FIXTURES, ROOT

pytest.importorskip("chdb")

INCIDENT = str(FIXTURES / "incidents" / "checkout")
URI = "clickhouse://clickhouse.internal:8123/otel?table=otel_logs"


@pytest.fixture(scope="module")
def engine() -> clickhouse.ChdbClient:
    client = clickhouse.ChdbClient()
    rows = load(client, parse_paths([INCIDENT]))
    assert rows == 13_784
    return client


@pytest.fixture
def served(engine, monkeypatch) -> Iterator[clickhouse.ChdbClient]:
    """clickhouse:// URIs reach the chdb engine, as clickhouse-connect would reach a server."""
    monkeypatch.setattr(clickhouse, "connect", lambda spec: engine)
    monkeypatch.chdir(ROOT)
    yield engine


def groups_of(report) -> list[tuple[str, str, int, str, str]]:
    return [
        (g.id, g.label, g.count, str(g.first_seen), f"{g.example.file}:{g.example.line}")
        for g in report.error_groups
    ]


def test_investigate_on_clickhouse_equals_investigate_on_the_files(served):
    files = investigate([INCIDENT])
    remote = investigate([URI])
    assert remote.first_failure == files.first_failure
    assert remote.first_failure is not None
    assert remote.first_failure.file.endswith("redis/redis-server.log")
    assert remote.first_failure.line == 12
    assert groups_of(remote) == groups_of(files)
    assert remote.records == files.records == 13_784
    assert remote.error_rate == files.error_rate
    assert (remote.trend, remote.onset) == (files.trend, files.onset)
    assert remote.root_cause is not None and files.root_cause is not None
    assert remote.root_cause.service == files.root_cause.service == "redis"
    assert [r.action for r in remote.recommendations] == [r.action for r in files.recommendations]


def test_only_the_records_worth_grouping_travel(served):
    source = open_remote(URI)
    window = QueryScope(None, None)
    rates = source.rates(window, 60)
    records = list(source.records(window, "warning"))
    operational = list(source.operational(window, ("Received alert",), 50))
    assert sum(r.records for r in rates) == 13_784
    assert len(records) < 13_784 * 0.4
    assert all(r.level in ("warning", "error", "critical", "fatal") for r in records)
    quiet_alerts = [
        r
        for r in parse_paths([INCIDENT])
        if "Received alert" in r.message and r.level not in ("warning", "error", "critical")
    ]
    assert len(operational) == len(quiet_alerts) > 30
    assert source.traffic.rows == len(rates) + len(records) + len(operational)
    assert source.traffic.bytes > 0


def test_window_and_service_are_pushed_down(served):
    since = parse_time_bound("2026-11-28T14:00:00Z", "--since")
    until = parse_time_bound("2026-11-28T14:10:00Z", "--until")
    keep = RecordFilter(since=since, until=until, services=("checkout-service",))
    files = find_error_groups([INCIDENT], keep=keep)
    remote = find_error_groups([URI], keep=keep)
    assert [(g.id, g.count) for g in remote.groups] == [(g.id, g.count) for g in files.groups]
    assert remote.records == files.records


def test_the_cli_takes_a_uri_where_a_path_goes(served, capsys):
    assert run(["errors", INCIDENT, "--json", "--limit", "5", "--no-cache"]) == 0
    from_files = json.loads(capsys.readouterr().out)
    assert run(["errors", URI, "--json", "--limit", "5"]) == 0
    from_engine = json.loads(capsys.readouterr().out)
    assert from_engine == from_files
    assert run(["investigate", URI]) == 0
    assert "redis-server.log:12" in capsys.readouterr().out


def test_a_malformed_condition_is_one_clear_line(served, capsys):
    assert run(["errors", URI + "&where=ServiceName%20===%20"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith(f"log-analyzer: error: {URI}")


def test_an_unreachable_server_is_one_clear_line(capsys, monkeypatch):
    monkeypatch.setenv("LOG_ANALYZER_CLICKHOUSE_PASSWORD", "x")
    assert run(["errors", "clickhouse://127.0.0.1:9/otel?table=otel_logs"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "clickhouse://127.0.0.1:9/otel" in err[0]


def test_bad_uris_are_refused(capsys):
    assert run(["errors", "clickhouse:///otel"]) == 2
    assert "no host" in capsys.readouterr().err
    assert run(["errors", "clickhouse://h/otel?table=logs;DROP"]) == 2
    assert "not a plain table" in capsys.readouterr().err


def test_the_agent_tools_take_the_uri_the_user_gave_and_refuse_others(served):
    from log_analyzer.agent.registry import call
    from log_analyzer.agent.roots import AllowedRoots
    from log_analyzer.agent.workspace import Workspace

    workspace = Workspace(AllowedRoots.for_session([URI], cwd=ROOT))
    loaded = call(workspace, "parse_logs", {"paths": [URI]})
    assert not loaded.is_error, loaded.text
    summary = json.loads(loaded.text.split("\n")[1])["loaded"][0]
    assert summary["records"] == 13_784 and summary["file"] == URI
    first = call(workspace, "find_first_failure", {})
    assert "redis-server.log:12" in first.text
    groups = call(workspace, "group_errors", {"min_level": "error", "limit": 3})
    assert "RedisConnectionTimeout" in groups.text
    other = "clickhouse://metrics.internal:8123/system?table=query_log"
    refused = call(workspace, "parse_logs", {"paths": [other]})
    assert refused.is_error and "not an engine the user named" in refused.text


def test_a_remote_source_and_a_local_file_in_one_timeline(served, tmp_path, capsys):
    extra = tmp_path / "billing.log"
    extra.write_text(
        "2026-11-28T14:03:10.000Z ERROR [billing] invoice export failed: checkout unavailable\n"
    )
    report = investigate([URI, str(extra)])
    services = {g.service for g in report.error_groups}
    assert "billing" in services and "redis" in services
    assert report.records == 13_784 + 1
    assert [s.file for s in report.sources] == [str(extra), URI]
    assert run(["sources", URI]) == 2
    assert "a remote source; investigate, errors" in capsys.readouterr().err


def test_watch_and_parse_say_they_read_files(capsys):
    assert run(["watch", URI, "--minutes", "2"]) == 2
    assert "watch follows files" in capsys.readouterr().err
    assert run(["parse", URI]) == 2
    assert "a remote source" in capsys.readouterr().err
