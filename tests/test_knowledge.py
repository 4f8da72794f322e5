"""The failure-signature knowledge base (log_analyzer/knowledge): the base itself, its
examples and counterexamples, and the recommendations it gives for each incident family."""

from __future__ import annotations

import re
import tomllib
from dataclasses import replace
from functools import cache
from typing import Any

import pytest

from log_analyzer.analysis.investigate import investigate
from log_analyzer.analysis.report import Recommendation
from log_analyzer.knowledge import load_signatures, match, recommend
from log_analyzer.knowledge.match import BASE, FIELDS, placeholders

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
    # (the first failure). The Redis log states no maxmemory value, so nothing to fill.
    "checkout": ("redis-bgsave-fork-failed", ["redis-cli INFO memory"]),
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
