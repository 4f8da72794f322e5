"""`analysis.identity` and `services.canonical_service`: one identity per service, and when
another service's line names it.

StatefulSet pods logging alone are their service, several ordinals stay apart; a line names a
service by its name, its distinctive parts, its aliases or its technology, at a word or
CamelCase boundary, never inside a longer word nor by the speaker's own names. Pod names from
Deployments and DaemonSets map to their workload; names that only look like pods stay.
"""

from __future__ import annotations

import pytest

from log_analyzer.analysis.identity import (
    aliases,
    is_orchestrator,
    is_proxy,
    mentions,
    merged_ordinals,
    names_for,
)
from log_analyzer.services import canonical_service

# --- ordinals -------------------------------------------------------------------------------------


def test_a_statefulset_pod_logging_alone_is_its_service() -> None:
    services = ["search-1", "nginx", "checkout-service", "redis-0"]
    assert merged_ordinals(services) == {"search-1": "search", "redis-0": "redis"}


def test_several_ordinals_of_one_name_are_one_service() -> None:
    services = ["kafka-1", "kafka-2", "zookeeper-0", "orders-api"]
    merged = merged_ordinals(services)
    assert merged == {"kafka-1": "kafka", "kafka-2": "kafka", "zookeeper-0": "zookeeper"}
    # the pod name still names the service in other lines
    assert aliases("kafka-2") == {"kafka"}
    assert "kafka" in names_for("kafka-2")


def test_an_ordinal_beside_its_base_name_is_left_alone() -> None:
    """`redis` logs itself: `redis-0` is another service (a replica, a sidecar)."""
    assert merged_ordinals(["redis", "redis-0"]) == {}


def test_names_that_do_not_end_in_an_ordinal_are_not_merged() -> None:
    assert merged_ordinals(["payment-service", "web", "node-exporter", "log4j-bridge"]) == {}


# --- names and mentions ---------------------------------------------------------------------------


def test_the_names_of_a_service() -> None:
    assert names_for("checkout-service") == {"checkout", "checkout-service"}
    redis = names_for("redis")
    assert {"redis", "lettuce", "jedis", "ioredis"} <= redis
    postgres = names_for("postgres-primary")
    assert {"postgres", "postgresql", "psycopg", "hikari", "primary"} <= postgres
    assert "dns" in names_for("coredns") and "no such host" in names_for("coredns")
    # generic parts name nobody
    assert "api" not in names_for("orders-api")
    assert "service" not in names_for("payment-service")


@pytest.mark.parametrize(
    ("text", "service"),
    [
        ("RedisConnectionTimeout: no response after 5000 ms", "redis"),
        (
            "io.lettuce.core.RedisCommandTimeoutException: Command timed out after 1 minute(s)",
            "redis",
        ),
        ("Error: connect ECONNREFUSED 10.0.3.20:6379 (ioredis)", "redis"),
        ("psycopg2.OperationalError: could not connect to server: Connection refused", "postgres"),
        (
            "HikariPool-1 - Connection is not available, request timed out after 30000ms.",
            "postgres",
        ),
        ("KafkaTimeoutException: Topic orders not present in metadata after 60000 ms.", "kafka-2"),
        ("dial tcp: lookup inventory.shop.svc.cluster.local: no such host", "coredns"),
        ("POST http://payments:8080/v1/charges: 503 Service Unavailable", "payments"),
        ("payment capture failed for order 8812", "payments"),
        ("upstream timed out (110: Connection timed out) while reading response header", "nginx"),
    ],
)
def test_a_line_names_a_service(text: str, service: str) -> None:
    assert mentions(text, service)


@pytest.mark.parametrize(
    ("text", "service"),
    [
        ("Predis\\Connection\\ConnectionException: redistribution pending", "redis"),
        ("shard redistribution started for index products", "redis"),
        ("reordering items in cart 8812", "order-sync"),
        ("the searchable fields were rebuilt", "search"),
        ("transport error talking to upstreams", "nginx"),
    ],
)
def test_a_name_inside_a_longer_word_names_nobody(text: str, service: str) -> None:
    assert not mentions(text, service)


def test_the_speakers_own_names_name_nobody() -> None:
    """`checkout-service` saying `service unavailable` names neither `payment-service` (whose
    only generic part is `service`) nor itself."""
    own = names_for("checkout-service")
    assert not mentions("checkout: service unavailable, retrying", "checkout-service", own)
    assert not mentions("503 Service Unavailable", "payment-service", own)
    assert mentions("call to payment timed out", "payment-service", own)
    # a word both share is the speaker's own: the cart client naming its cart-db names nobody
    # by `cart`, only by the name that is not its own
    cart = names_for("cart-api")
    assert not mentions("cart 8812 not found", "cart-db", cart)
    assert mentions("cart-db connection reset", "cart-db", cart)


# --- proxies and orchestrators --------------------------------------------------------------------


def test_edge_proxies_by_name_or_by_their_only_format() -> None:
    assert is_proxy("nginx")
    assert is_proxy("ingress-nginx-controller")
    assert is_proxy("envoy")
    assert is_proxy("istio-proxy")
    assert is_proxy("edge", ["access-combined"])
    assert is_proxy("lb", ["haproxy"])
    assert not is_proxy("checkout")
    assert not is_proxy("checkout", ["spring-boot"])


def test_orchestrators_speak_about_others() -> None:
    for name in ("kernel", "kubelet", "containerd", "systemd", "kube-proxy", "Kernel"):
        assert is_orchestrator(name), name
    for name in ("search", "nginx", "postgres", "node-exporter"):
        assert not is_orchestrator(name), name


# --- pod names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pod", "service"),
    [
        # Deployments: <deployment>-<replicaset hash>-<5 characters>
        ("checkout-7d9f8b6c4-x2k9p", "checkout"),
        ("search-7d9f8b6c4-x2k9p", "search"),
        ("cart-api-7d9f6c5b8-x2kqp", "cart-api"),
        ("coredns-5d78c9869d-8v5gq", "coredns"),
        ("payment-service-6b8c7d9f5-zxqvw", "payment-service"),
        # DaemonSets: <daemonset>-<5 characters>
        ("node-exporter-x7k2p", "node-exporter"),
        ("fluent-bit-4r7zq", "fluent-bit"),
        ("kube-proxy-7x9qz", "kube-proxy"),
    ],
)
def test_pod_names_map_to_their_workload(pod: str, service: str) -> None:
    assert canonical_service(pod) == service


@pytest.mark.parametrize(
    "name",
    [
        "order-sync",
        "kafka-2",
        "web-1",
        "redis-0",
        "payment-service",
        "api-gateway",
        "user-store",
        "search",
        # a five-character tail of the pod alphabet, but letters only: a word, not a suffix
        "redirect-https",
    ],
)
def test_names_that_are_not_pod_names_stay(name: str) -> None:
    assert canonical_service(name) == name
