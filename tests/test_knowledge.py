"""The failure-signature knowledge base (log_analyzer/knowledge): the base itself, its
examples and counterexamples, and the recommendations it gives for each incident family."""

from __future__ import annotations

import json
import random
import re
import tomllib
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from log_analyzer.analysis.investigate import investigate
from log_analyzer.analysis.report import Recommendation
from log_analyzer.knowledge import load_signatures, match, recommend
from log_analyzer.knowledge.match import (
    BASE,
    FIELDS,
    blanks,
    explain,
    load_placeholders,
    placeholders,
)

from .conftest import FIXTURES

INCIDENTS = FIXTURES / "incidents"
KEBAB = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SIGNATURES = load_signatures()
EXAMPLES = [(s.id, line) for s in SIGNATURES for line in s.examples]
COUNTEREXAMPLES = [(s.id, line) for s in SIGNATURES for line in s.counterexamples]


def _raw() -> list[dict[str, Any]]:
    with BASE.open("rb") as f:
        data: dict[str, Any] = tomllib.load(f)
    items: list[dict[str, Any]] = data["signature"]
    return items


# ------------------------------------------------------------------ (a) the base is valid


def test_base_has_at_least_40_signatures_with_unique_kebab_ids() -> None:
    ids = [s.id for s in SIGNATURES]
    assert len(ids) >= 40
    assert len(ids) == len(set(ids)), "duplicate signature ids"
    assert all(KEBAB.match(i) for i in ids), [i for i in ids if not KEBAB.match(i)]


def test_every_field_is_present_and_non_empty() -> None:
    for raw in _raw():
        for key, kind in FIELDS.items():
            assert key in raw, f"{raw.get('id')}: missing {key}"
            assert isinstance(raw[key], kind), f"{raw['id']}: {key} is not {kind.__name__}"
            if kind is list and key != "followups":
                assert raw[key], f"{raw['id']}: {key} is empty"
        assert raw["urgency"] in (1, 2, 3), raw["id"]
        assert raw["specificity"] in (1, 2, 3), raw["id"]
        assert len(raw["examples"]) >= 2, f"{raw['id']}: fewer than two examples"
        assert raw["counterexamples"], f"{raw['id']}: no counterexample"


def test_every_pattern_compiles() -> None:
    for raw in _raw():
        for pattern in raw["patterns"]:
            re.compile(pattern)  # raises on an invalid regex


def test_placeholders_are_named_groups_of_the_signature_patterns() -> None:
    for signature in SIGNATURES:
        groups = {name for p in signature.patterns for name in p.groupindex}
        for action in signature.actions:
            missing = set(placeholders(action)) - groups
            assert not missing, f"{signature.id}: {action!r} uses uncaptured {missing}"


def test_every_signature_has_an_action_without_placeholders() -> None:
    # An action with an uncaptured placeholder is left out: a signature must never end up
    # with no action at all.
    bare = [s.id for s in SIGNATURES if all(placeholders(a) for a in s.actions)]
    assert not bare, f"signatures whose every action needs a captured value: {bare}"


def test_every_blank_is_explained_and_every_explanation_used() -> None:
    glossary = load_placeholders()
    used = {name for s in SIGNATURES for action in s.actions for name in blanks(action)}
    assert used - set(glossary) == set(), "blanks without [placeholders] words"
    assert set(glossary) - used == set(), "[placeholders] no action uses"
    for name, blank in glossary.items():
        assert blank.words and "<" not in blank.words, name
        for pattern in blank.find:
            assert pattern.groups == 1, f"{name}: a find pattern needs exactly one group"


def test_base_is_loaded_once() -> None:
    assert load_signatures() is load_signatures()


# ------------------------------------------------------- (b) examples and counterexamples


@pytest.mark.parametrize(("signature", "line"), EXAMPLES)
def test_example_tops_its_own_signature(signature: str, line: str) -> None:
    found = match(line)
    assert found, f"{signature}: example matches nothing: {line!r}"
    assert found[0].signature == signature, (signature, [m.signature for m in found], line)


@pytest.mark.parametrize(("signature", "line"), COUNTEREXAMPLES)
def test_counterexample_does_not_match_its_signature(signature: str, line: str) -> None:
    assert signature not in [m.signature for m in match(line)], (signature, line)


def test_whole_base_examples_and_counterexamples() -> None:
    wrong = [(s, line) for s, line in EXAMPLES if (m := match(line)) == [] or m[0].signature != s]
    leaked = [(s, line) for s, line in COUNTEREXAMPLES if s in {m.signature for m in match(line)}]
    assert not wrong and not leaked, (wrong, leaked)


def test_match_fills_placeholders_and_orders_specific_first() -> None:
    line = (
        "[2026-11-28 10:17:42,118] ERROR Error while writing to checkpoint file "
        "/var/lib/kafka/data/replication-offset-checkpoint (kafka.server.LogDirFailureChannel)"
        "\njava.io.IOException: No space left on device"
    )
    found = match(line)
    assert [m.signature for m in found][:2] == ["kafka-log-dir-failure", "disk-full"]
    assert found[0].captures["log_dir"] == "/var/lib/kafka/data"
    assert any("df -h /var/lib/kafka/data" in a for a in found[0].actions)
    assert found[0].why == next(s.cause for s in SIGNATURES if s.id == "kafka-log-dir-failure")


def test_unsafe_captured_values_are_not_used() -> None:
    # Captured values go into shell commands: anything but plain names, paths and addresses
    # is dropped, and the action that needs it is left out.
    loose = replace(
        SIGNATURES[0],
        id="loose",
        patterns=(re.compile(r"value=(?P<value>.*)"),),
        actions=("echo {value}", "look at it"),
    )
    (unsafe,) = match("value=$(reboot); rm -rf /", (loose,))
    assert unsafe.captures == {} and unsafe.actions == ["look at it"]
    (safe,) = match("value=/var/lib/kafka/data", (loose,))
    assert safe.actions == ["echo /var/lib/kafka/data", "look at it"]


def test_no_match_for_ordinary_lines() -> None:
    assert match("GET /healthz 200 1ms") == []
    assert match("Stock lookup for SKU-29988 took 3694 ms (cache cold, loaded from database)") == []


# --------------------------------------------------------- (c) the seven incident families

# family -> (the signature an SRE takes first for the ground truth's root cause, why,
#            substrings that must appear in the recommendations: values from the logs)
EXPECTED: dict[str, tuple[str, list[str]]] = {
    # Redis (noeviction) at maxmemory on a node short of memory: its BGSAVE cannot fork
    # (the first failure). The Redis log states no maxmemory value: the advice says where to
    # read it.
    # Its advice: raise maxmemory, and restart the clients whose pools hold broken
    # connections (the services after Redis in the cascade; nginx, a proxy, holds none).
    "checkout": (
        "redis-bgsave-fork-failed",
        [
            "redis-cli INFO memory",
            "redis-cli CONFIG SET maxmemory <new-limit>",
            "(checkout-service, cart-service, payment-gateway)",
        ],
    ),
    # PostgreSQL's volume fills up (`could not extend file "base/16384/2461793.14"`).
    "disk-full": ("postgres-disk-full", ["relfilenode = 2461793", "oid = 16384"]),
    # A CoreDNS hosts file that is not mounted: NXDOMAIN, clients' `no such host`.
    "dns": ("coredns-plugin-file-missing", ["/etc/coredns/internal.hosts"]),
    # The kernel OOM killer kills inventory-service's JVM (pid 4242).
    "oom-kill": ("kernel-oom-kill", ["Killed process 4242", "-C java"]),
    # kafka-2's log dir fails (checkpoint write error): NOT_ENOUGH_REPLICAS downstream.
    "kafka": ("kafka-log-dir-failure", ["df -h /var/lib/kafka/data"]),
    # payments-api's serving certificate expires; nginx rejects the upstream 10.42.3.21:8443.
    "tls-expiry": ("tls-certificate-expired", ["-connect 10.42.3.21:8443"]),
    # billing-batch exhausts PostgreSQL's connections (`too many clients`), Hikari starves.
    "db-pool": ("postgres-too-many-clients", ["psql -h 10.43.12.7 -p 5432"]),
}


@cache
def _recommendations(family: str) -> list[Recommendation]:
    return recommend(investigate([str(INCIDENTS / family)]))


needs_fixtures = pytest.mark.skipif(
    not INCIDENTS.is_dir(), reason="fixtures/incidents not generated"
)


@needs_fixtures
@pytest.mark.parametrize("family", sorted(EXPECTED))
def test_top_recommendation_is_the_right_signature(family: str) -> None:
    recs = _recommendations(family)
    expected, _ = EXPECTED[family]
    assert recs, family
    assert recs[0].signature == expected, [r.signature for r in recs]
    assert recs[0].group_id is not None


@needs_fixtures
@pytest.mark.parametrize("family", sorted(EXPECTED))
def test_placeholders_are_filled_from_the_logs(family: str) -> None:
    recs = _recommendations(family)
    _, values = EXPECTED[family]
    text = "\n".join(r.action for r in recs)
    for value in values:
        assert value in text, (family, value)
    assert not re.search(r"\{[a-z_]+\}", text), "an unfilled placeholder leaked"
    for rec in recs:  # a <blank> left is said in words after the action
        for name in blanks(rec.action):
            assert f"<{name}>: " in rec.action, (family, rec.action)


@needs_fixtures
@pytest.mark.parametrize("family", sorted(EXPECTED))
def test_recommendations_are_bounded_deduplicated_and_cite_evidence(family: str) -> None:
    recs = _recommendations(family)
    assert 1 <= len(recs) <= 8
    assert len({r.action for r in recs}) == len(recs)
    for rec in recs:
        assert re.search(r"\S+:\d+\)", rec.why), rec.why  # names file:line
    # urgency never increases down the list
    urgency = {s.id: s.urgency for s in SIGNATURES}
    levels = [urgency[r.signature] for r in recs]
    assert levels == sorted(levels)


# ------------------------------------------------- (d) errors in fields, blanks filled or said


def test_blanks_are_filled_from_a_capture_or_said_in_words() -> None:
    (found, *_) = match("write /var/lib/docker/overlay2/3f2a/merged/tmp/x: no space left on device")
    assert found.signature == "disk-full"
    assert any("du -xh --max-depth=2 /var/lib/docker | sort -h" in a for a in found.actions)
    (bare, *_) = match("Error: ENOSPC: no space left on device, write")
    assert bare.signature == "disk-full"
    grew = next(a for a in bare.actions if "du -xh" in a)
    assert grew.endswith("(<mount>: the full filesystem's mount point, `Mounted on` in `df -h`)")
    # nginx names the file it could not write
    (nginx, *_) = match(
        '2026/11/28 14:02:03 [crit] 31#31: *5712 pwrite() "/var/cache/nginx/client_temp/'
        '0000000042" failed (28: No space left on device), client: 203.0.113.7'
    )
    assert any("du -xh --max-depth=2 /var/cache/nginx " in a for a in nginx.actions)


def test_explain_fills_known_values_and_describes_the_rest() -> None:
    action = "Roll back: `kubectl -n <namespace> rollout undo deployment/<deployment>`"
    text = explain(action, {"deployment": "orders-api"})
    assert "deployment/orders-api`" in text
    assert text.endswith("(<namespace>: the workload's Kubernetes namespace)")
    assert explain("Check `df -h`", {}) == "Check `df -h`"


def test_a_pods_deployment_is_read_from_its_name() -> None:
    (found, *_) = match(
        'E1128 14:02:03.118442    2181 pod_workers.go:1298] "Error syncing pod, skipping" '
        'err="failed to \\"StartContainer\\" for \\"orders\\" with CrashLoopBackOff: \\"back-off '
        '5m0s restarting failed container=orders pod=orders-api-7d9f8c6b5-x2x9q_shop(3f2a)\\""'
    )
    assert found.signature == "crash-loop"
    assert any("rollout undo deployment/orders-api`" in a for a in found.actions)
    assert any("kubectl -n shop describe pod <pod>" not in a for a in found.actions)


def _calm_then_failing(
    path: Path, calm: Callable[[datetime, int], str], failing: Callable[[datetime, int], str]
) -> None:
    """Twenty minutes of routine lines, then ten in which most lines fail."""
    rng = random.Random(11)
    lines = []
    when = datetime(2026, 11, 28, 13, 45, tzinfo=UTC)
    onset = datetime(2026, 11, 28, 14, 5, tzinfo=UTC)
    while when < onset + timedelta(minutes=10):
        when += timedelta(milliseconds=rng.randint(300, 1500))
        number = rng.randint(10000, 99999)
        lines.append(
            failing(when, number) if when >= onset and rng.random() < 0.7 else calm(when, number)
        )
    path.write_text("\n".join(lines) + "\n")


def _iso(when: datetime) -> str:
    return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _ms(when: datetime) -> int:
    return int(when.timestamp() * 1000)


# (file, routine line, failing line, signature, a value of the logs in the advice)
FIELD_ERRORS = [
    (  # Go, logrus: the MySQL error only in `error="..."`
        "orders.log",
        lambda t, n: f'time="{_iso(t)}" level=info msg="order stored" order_id={n}',
        lambda t, n: (
            f'time="{_iso(t)}" level=error msg="query failed" order_id={n} '
            'error="Error 1040: Too many connections"'
        ),
        "mysql-too-many-connections",
        "max_connections",
    ),
    (  # Node, pino: the Redis reply in err.message
        "sessions.log",
        lambda t, n: json.dumps(
            {
                "level": 30,
                "time": _ms(t),
                "pid": 1,
                "hostname": "sessions-5c9d",
                "msg": "session saved",
                "sid": n,
            }
        ),
        lambda t, n: json.dumps(
            {
                "level": 50,
                "time": _ms(t),
                "pid": 1,
                "hostname": "sessions-5c9d",
                "msg": "session save failed",
                "err": {
                    "type": "ReplyError",
                    "message": "OOM command not allowed when used memory > 'maxmemory'.",
                    "stack": "ReplyError: OOM command not allowed when used memory > 'maxmemory'.\n"
                    "    at parseError (/app/node_modules/redis-parser/lib/parser.js:179:12)",
                },
            }
        ),
        "redis-maxmemory-oom",
        "CONFIG SET maxmemory",
    ),
    (  # Go, ECS: the path that could not grow in error.message
        "exporter.log",
        lambda t, n: json.dumps(
            {"@timestamp": _iso(t), "log.level": "info", "message": "batch written", "batch.id": n}
        ),
        lambda t, n: json.dumps(
            {
                "@timestamp": _iso(t),
                "log.level": "error",
                "message": "batch write failed",
                "error.message": f"write /srv/exports/2026-11-28/{n}.csv: no space left on device",
                "error.type": "*fs.PathError",
            }
        ),
        "disk-full",
        "du -xh --max-depth=2 /srv/exports/2026-11-28 ",
    ),
]


@pytest.mark.parametrize(("file", "calm", "failing", "signature", "value"), FIELD_ERRORS)
def test_an_error_stated_in_a_field_matches_its_signature(
    tmp_path: Path,
    file: str,
    calm: Callable[[datetime, int], str],
    failing: Callable[[datetime, int], str],
    signature: str,
    value: str,
) -> None:
    _calm_then_failing(tmp_path / file, calm, failing)
    report = investigate([str(tmp_path)])
    recs = recommend(report)
    assert recs and recs[0].signature == signature, [r.signature for r in recs]
    assert any(value in r.action for r in recs), [r.action for r in recs]


def test_redis_advice_raises_maxmemory_from_the_logs_and_restarts_the_clients(
    tmp_path: Path,
) -> None:
    # someone lowers maxmemory below the data: Redis warns, then refuses the clients' writes
    redis = [
        "1:M 28 Nov 2026 13:45:00.101 * Ready to accept connections tcp",
        *(
            f"1:M 28 Nov 2026 13:{m:02d}:00.120 * 100 changes in 300 seconds. Saving..."
            for m in range(46, 60, 5)
        ),
        "1:M 28 Nov 2026 14:04:58.004 # WARNING: the new maxmemory value set via CONFIG SET "
        "(2147483648) is smaller than the current memory usage (2254857830). This will result in "
        "key eviction and/or the inability to accept new write commands depending on the "
        "maxmemory-policy.",
    ]
    (tmp_path / "redis").mkdir()
    (tmp_path / "redis" / "redis-server.log").write_text("\n".join(redis) + "\n")
    oom = "OOM command not allowed when used memory > 'maxmemory'."
    _calm_then_failing(
        tmp_path / "orders-api.log",
        lambda t, n: (
            f"{t:%Y-%m-%d %H:%M:%S},{t.microsecond // 1000:03d} INFO orders.cart: cart {n} cached"
        ),
        lambda t, n: (
            f"{t:%Y-%m-%d %H:%M:%S},{t.microsecond // 1000:03d} ERROR orders.cart: cart {n} "
            f"not cached: redis.exceptions.ResponseError: {oom}"
        ),
    )
    _calm_then_failing(
        tmp_path / "sessions.log",
        lambda t, n: json.dumps({"level": 30, "time": _ms(t), "msg": "session saved", "sid": n}),
        lambda t, n: json.dumps(
            {
                "level": 50,
                "time": _ms(t),
                "msg": "session save failed",
                "err": {"type": "ReplyError", "message": oom},
            }
        ),
    )
    report = investigate([str(tmp_path)])
    text = "\n".join(r.action for r in recommend(report))
    # the value the warning gives, in the advice to raise the limit again
    assert "now 2147483648 bytes for 2254857830 in use" in text
    assert "`redis-cli CONFIG SET maxmemory <new-limit>`" in text
    assert "rolling-restart the clients" in text
    clients = re.search(r"broken connections \(([^)]*)\)", text)
    assert clients is not None and set(clients.group(1).split(", ")) == {"orders-api", "sessions"}
