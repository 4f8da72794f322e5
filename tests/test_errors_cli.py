"""`errors --json` and `parse --jsonl` on the bundled incident (`fixtures/incident/`, ground
truth in `fixtures/README.md`): the contract, the facts the README states, the filters, and
template ids that name the event."""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections import Counter
from contextlib import redirect_stdout
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from log_analyzer.cli.app import run
from log_analyzer.mining.labels import route

from .conftest import FIXTURES

INCIDENT = FIXTURES / "incident"
ACCESS_LOG = INCIDENT / "nginx" / "access.log"
REDIS_LOG = INCIDENT / "redis" / "redis-server.log"
FORK_FAILURE = "Can't save in background: fork: Cannot allocate memory"
GROUP_FIELDS = {
    "id",
    "label",
    "template",
    "template_id",
    "service",
    "level",
    "exception",
    "count",
    "first_seen",
    "last_seen",
    "example",
    "parameters",
}
# records per source, from the README's table: 991 + 3,079 + 1,467 + 179 + 2,583 + 168
RECORDS = 8467
_COMBINED = re.compile(
    r'^\S+ \S+ \S+ \[(?P<time>[^\]]+)\] "(?P<method>[A-Z]+) (?P<path>\S+) [^"]*" '
    r'(?P<status>\d{3}) \S+ "[^"]*" "(?P<agent>[^"]*)"$'
)


@cache
def errors_json(*args: str) -> dict[str, Any]:
    """`errors INCIDENT --json ARGS...`, run in process (cached: the fixture never changes)."""
    out = io.StringIO()
    with redirect_stdout(out):
        code = run(["errors", str(INCIDENT), "--json", "--limit", "1000", *args])
    assert code == 0
    report: dict[str, Any] = json.loads(out.getvalue())
    return report


def group_labelled(report: dict[str, Any], label: str) -> dict[str, Any]:
    matching: list[dict[str, Any]] = [g for g in report["groups"] if g["label"] == label]
    assert len(matching) == 1, (label, [g["label"] for g in report["groups"]])
    return matching[0]


def when(text: str) -> datetime:
    return datetime.fromisoformat(text)


@cache
def access_lines() -> list[re.Match[str]]:
    lines = ACCESS_LOG.read_text().splitlines()
    matches = [_COMBINED.match(line) for line in lines]
    assert all(matches)
    return [match for match in matches if match is not None]


# -- the contract -------------------------------------------------------------------------------


def test_errors_json_contract() -> None:
    report = errors_json()
    assert set(report) == {"records", "groups"}
    assert report["records"] == RECORDS
    groups = report["groups"]
    assert len(groups) >= 30
    for group in groups:
        assert set(group) == GROUP_FIELDS
        assert re.fullmatch(r"[0-9a-f]{12}", group["id"])
        assert group["template_id"] == (
            hashlib.blake2b(group["template"].encode(), digest_size=6).hexdigest()
        )
        assert group["level"] in {"warning", "error", "critical", "fatal"}
        assert group["count"] >= 1
        assert when(group["first_seen"]) <= when(group["last_seen"])
        assert set(group["example"]) == {
            "file",
            "line",
            "text",
            "error",
        }  # error: stated in a field
        assert Path(group["example"]["file"]).is_relative_to(INCIDENT)
        for position, parameter in enumerate(group["parameters"]):
            assert set(parameter) == {"position", "distinct", "top"}
            assert parameter["position"] == position
            assert 1 <= len(parameter["top"]) <= min(5, parameter["distinct"])
            assert all(isinstance(value, str) and count >= 1 for value, count in parameter["top"])
    assert len({g["id"] for g in groups}) == len(groups)
    assert len({g["label"] for g in groups}) == len(groups), "two groups share a label"


def test_groups_are_sorted_by_count_then_first_seen() -> None:
    groups = errors_json()["groups"]
    keys = [(-g["count"], when(g["first_seen"])) for g in groups]
    assert keys == sorted(keys)
    assert groups[0]["count"] > groups[-1]["count"]


def test_example_is_the_first_record_of_the_group() -> None:
    for group in errors_json()["groups"]:
        path = Path(group["example"]["file"])
        line = path.read_text().splitlines()[group["example"]["line"] - 1]
        assert group["example"]["text"] in line


# -- the README's facts -------------------------------------------------------------------------


def test_redis_fork_failure_group_is_the_first_failure() -> None:
    group = group_labelled(errors_json(), "redis Cannot allocate memory")
    assert group["template"] == FORK_FAILURE
    assert (group["service"], group["level"], group["exception"]) == ("redis", "warning", None)
    # line 17 at 14:01:58.142 on the Redis clock (2.3 s ahead), 77 of them up to 14:09:40
    assert group["example"] == {
        "file": str(REDIS_LOG),
        "line": 17,
        "text": FORK_FAILURE,
        "error": None,  # the error a record states in a field, when its message does not
    }
    assert group["first_seen"] == "2026-11-28T14:01:58.142000Z"
    assert group["last_seen"].startswith("2026-11-28T14:09:40")
    assert group["count"] == REDIS_LOG.read_text().count(FORK_FAILURE) == 77
    assert group["parameters"] == []


def test_root_cause_groups_are_labelled_by_the_root_cause() -> None:
    report = errors_json()
    by_label = {g["label"]: g for g in report["groups"]}
    # checkout's Lettuce errors: the wrapped Redis error, not Spring's wrapper
    lettuce_oom = by_label["CartService RedisCommandExecutionException: OOM command not allowed"]
    assert lettuce_oom["exception"] == "RedisCommandExecutionException"
    assert lettuce_oom["example"]["line"] == 1356
    assert by_label["CartService RedisCommandTimeoutException"]["count"] == 9
    # payment-service's traceback ends in IdempotencyStoreError, caused by Redis's OOM
    authorize = by_label["api OutOfMemoryError"]
    assert authorize["example"]["line"] == 765
    assert by_label["cart-service ReplyError: OOM command not allowed"]["example"]["line"] == 1795
    # the red herring stays its own group, not mistaken for a Redis timeout
    assert (
        by_label["RecommendationClient SocketTimeoutException"]["first_seen"]
        < (lettuce_oom["first_seen"])
    )


def test_nginx_statuses_are_never_merged() -> None:
    groups = [g for g in errors_json()["groups"] if g["service"] == "nginx"]
    expected: Counter[tuple[str, str, str]] = Counter()
    for match in access_lines():
        if int(match["status"]) >= 400:
            path = route(match["path"].split("?", 1)[0])
            expected[(match["method"], path, match["status"])] += 1
    found: Counter[tuple[str, str, str]] = Counter()
    for group in groups:
        method, path, status = group["template"].split(" ")
        assert group["label"] == f"nginx {status} {method} {path}"
        example = access_lines()[group["example"]["line"] - 1]
        assert example["status"] == status
        found[(method, path, status)] += group["count"]
    assert found == expected
    statuses = {
        status: sum(g["count"] for g in groups if g["template"].endswith(f" {status}"))
        for status in ("500", "502", "503", "504")
    }
    assert statuses == {"500": 78, "502": 3, "503": 52, "504": 16}
    # the three 502s while checkout restarted
    lines_502 = sorted(g["example"]["line"] for g in groups if g["template"].endswith(" 502"))
    assert lines_502 == [2157, 2162]  # the first of each group; 2170 is the second GET
    assert access_lines()[2170 - 1]["status"] == "502"


def test_access_log_user_agents_do_not_split_groups() -> None:
    group = group_labelled(errors_json(), "nginx 503 POST /api/checkout")
    agents = {
        match["agent"]
        for match in access_lines()
        if (match["method"], match["path"], match["status"]) == ("POST", "/api/checkout", "503")
    }
    assert len(agents) > 3
    assert group["count"] == 47
    assert group["parameters"] == []


# -- filters ------------------------------------------------------------------------------------


def fork_failures_between(since: str, until: str) -> int:
    count = 0
    for line in REDIS_LOG.read_text().splitlines():
        if FORK_FAILURE in line:
            stamp = datetime.strptime(line.split(" ", 1)[1][:24], "%d %b %Y %H:%M:%S.%f")
            if since <= stamp.strftime("%H:%M:%S.%f") < until:
                count += 1
    return count


def test_since_and_until_narrow_the_counts() -> None:
    whole = errors_json()
    window = errors_json("--since", "2026-11-28T14:05:00Z", "--until", "2026-11-28T14:06:00Z")
    assert 0 < window["records"] < whole["records"]
    group = group_labelled(window, "redis Cannot allocate memory")
    assert group["count"] == fork_failures_between("14:05:00", "14:06:00") == 9
    # with the child OOM-killed at 14:05:37: the README's ten Redis warnings that minute
    assert sum(g["count"] for g in window["groups"] if g["service"] == "redis") == 10
    for group in window["groups"]:
        assert "2026-11-28T14:05:00Z" <= group["first_seen"] <= group["last_seen"]
        assert group["last_seen"] < "2026-11-28T14:06:00Z"
    # the baseline window has no Redis failure at all
    calm = errors_json("--until", "2026-11-28T14:00:00")
    assert not [g for g in calm["groups"] if g["service"] == "redis"]
    assert {g["label"] for g in calm["groups"]} >= {
        "nginx 504 GET /api/recommendations",
        "RecommendationClient SocketTimeoutException",
    }


def test_since_is_inclusive_and_until_exclusive() -> None:
    first = "2026-11-28T14:01:58.142Z"
    assert (
        group_labelled(errors_json("--since", first), "redis Cannot allocate memory")["count"] == 77
    )
    before = errors_json("--until", first)
    assert not [g for g in before["groups"] if g["label"] == "redis Cannot allocate memory"]
    # an offset is honoured: 15:01:58.142+01:00 is the same instant
    shifted = errors_json("--since", "2026-11-28T15:01:58.142+01:00")
    assert group_labelled(shifted, "redis Cannot allocate memory")["count"] == 77


def test_service_filter_keeps_one_service() -> None:
    report = errors_json("--service", "redis")
    assert report["records"] == 179
    assert {g["service"] for g in report["groups"]} == {"redis"}
    assert [g["count"] for g in report["groups"]] == [77, 1]


def test_min_level_error_drops_warnings() -> None:
    whole = errors_json()
    errors_only = errors_json("--min-level", "error")
    assert errors_only["records"] == whole["records"]  # grouped, not filtered out of the count
    assert {g["level"] for g in errors_only["groups"]} <= {"error", "critical", "fatal"}
    assert not [g for g in errors_only["groups"] if g["service"] in {"redis", "worker-cron"}]
    kept = {g["id"]: g["count"] for g in whole["groups"] if g["level"] != "warning"}
    assert {g["id"]: g["count"] for g in errors_only["groups"]} == kept


def test_limit_keeps_the_largest_groups() -> None:
    whole = errors_json()
    out = io.StringIO()
    with redirect_stdout(out):
        assert run(["errors", str(INCIDENT), "--json", "--limit", "3"]) == 0
    limited = json.loads(out.getvalue())
    assert limited["records"] == whole["records"]
    assert limited["groups"] == whole["groups"][:3]


@pytest.mark.parametrize(
    "args",
    [
        ["--since", "yesterday"],
        ["--until", "2026-13-45T99:00:00Z"],
        ["--min-level", "loud"],
    ],
)
def test_bad_option_value_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    assert run(["errors", str(INCIDENT), "--json", *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("log-analyzer: error: ")
    assert args[0] in lines[0] or args[1] in lines[0]


# -- parse --jsonl ------------------------------------------------------------------------------


def test_parse_jsonl_carries_template_ids(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["parse", str(INCIDENT / "redis"), str(ACCESS_LOG), "--jsonl"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 179 + 2583
    for row in rows:
        assert re.fullmatch(r"[0-9a-f]{12}", row["template_id"])
        assert row["template_id"] == (
            hashlib.blake2b(row["template"].encode(), digest_size=6).hexdigest()
        )
    forks = {(r["template_id"], r["template"]) for r in rows if r["message"] == FORK_FAILURE}
    assert forks == {
        (hashlib.blake2b(FORK_FAILURE.encode(), digest_size=6).hexdigest(), FORK_FAILURE)
    }
    by_event: dict[tuple[str, str, str], set[str]] = {}
    for row in rows:
        if row["service"] == "nginx":
            fields = row["fields"]
            method, raw_path, _ = fields["request"].split(" ")
            event = (method, route(raw_path.split("?", 1)[0]), str(fields["status"]))
            by_event.setdefault(event, set()).add(row["template_id"])
    assert all(len(ids) == 1 for ids in by_event.values()), by_event
    ids = [next(iter(ids)) for ids in by_event.values()]
    assert len(set(ids)) == len(ids)  # different events, different ids
    checkout = {status: by_event[("POST", "/api/checkout", status)] for status in ("502", "503")}
    assert checkout["502"] != checkout["503"]


def test_parse_jsonl_ids_agree_with_errors_groups(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["parse", str(INCIDENT / "cart-service.log"), "--jsonl"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    oom = {r["template_id"] for r in rows if r["message"].startswith("OOM command not allowed")}
    group = group_labelled(errors_json(), "cart-service ReplyError: OOM command not allowed")
    assert oom == {group["template_id"]}


HAPROXY = (
    "Nov 28 14:02:{second:02d} lb-1 haproxy[812]: 203.0.113.{client}:51234 "
    "[28/Nov/2026:14:02:{second:02d}.116] http-in~ checkout_be/checkout-1 0/0/1/-1/5002 "
    '{status} 194 - - sH-- 120/110/30/30/0 0/0 "POST /api/checkout HTTP/1.1"'
)


def test_haproxy_statuses_are_never_merged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [
        HAPROXY.format(second=i, client=7 + i, status=status)
        for i, status in enumerate(["504", "503", "502", "503"])
    ]
    (tmp_path / "haproxy.log").write_text("\n".join(lines) + "\n")
    assert run(["errors", str(tmp_path), "--json"]) == 0
    groups = json.loads(capsys.readouterr().out)["groups"]
    assert {g["label"]: g["count"] for g in groups} == {
        "haproxy 503 POST /api/checkout": 2,
        "haproxy 502 POST /api/checkout": 1,
        "haproxy 504 POST /api/checkout": 1,
    }
