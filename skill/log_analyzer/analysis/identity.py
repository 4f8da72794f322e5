"""Who a service is, and when a line names it.

One identity per service: StatefulSet pods (`search-1`, `kafka-1` and `kafka-2`) are their
service (`search`, `kafka`), the pod names kept as its aliases. Other services' lines name a
service by its name, the distinctive parts of it, its aliases, or the technology it runs
(`lettuce` names Redis).
Edge proxies and orchestrators (kubelet, the kernel, systemd) are told apart: a proxy reports
its upstreams' failures, and an orchestrator's line is about the pod or process it names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

_GENERIC_NAME_PARTS = frozenset(
    {"service", "server", "svc", "api", "app", "worker", "main", "log", "logs", "backend", "web"}
    | {"ts", "prod", "production", "staging", "dev", "internal", "core", "node", "daemon"}
)
_RESOLUTION = (
    "dns",
    "no such host",
    "lookup",
    "name resolution",
    "nxdomain",
    "unknownhostexception",
    "name or service not known",
    "getaddrinfo",
    "eai_again",
    "enotfound",
    "servfail",
)
# Names a client library or an error uses for the technology a service runs.
_TECHNOLOGY_WORDS = {
    "redis": ("redis", "lettuce", "jedis", "ioredis", "maxmemory"),
    "postgres": ("postgres", "postgresql", "psycopg", "pgbouncer", "jdbc", "hikari", "sqlstate"),
    "mysql": ("mysql", "mariadb", "jdbc", "hikari"),
    "mongo": ("mongo", "mongodb", "mongoose"),
    "elastic": ("elasticsearch", "es_rejected_execution_exception", "opensearch"),
    "kafka": ("kafka", "broker", "not_enough_replicas", "librdkafka"),
    "rabbit": ("rabbitmq", "amqp"),
    "memcache": ("memcache", "memcached"),
    "nginx": ("nginx", "upstream"),
    "dns": _RESOLUTION,
    "coredns": _RESOLUTION,
    "resolver": _RESOLUTION,
    "unbound": _RESOLUTION,
    "dnsmasq": _RESOLUTION,
}
_PROXY_WORDS = ("nginx", "envoy", "haproxy", "traefik", "ingress", "caddy", "istio-proxy")
_PROXY_FORMATS = ("access", "nginx", "haproxy", "envoy", "traefik", "caddy", "aws-elb")
_ORCHESTRATORS = frozenset(
    {"kernel", "kubelet", "containerd", "dockerd", "docker", "systemd", "crio", "kube-proxy"}
    | {"k8s", "kubernetes", "events", "init", "oom-killer", "oom_reaper", "dmesg"}
)
_ORDINAL = re.compile(r"^(?P<base>.*[a-z])-(?P<ordinal>\d{1,3})$")  # not ip-10-0-3-17


def merged_ordinals(services: Iterable[str]) -> dict[str, str]:
    """service -> its identity, for StatefulSet pods (`search-1` -> `search`; `kafka-1` and
    `kafka-2` -> `kafka`, each kept as an alias), unless the base name logs on its own (then
    `redis-0` beside `redis` is another service: a replica, a sidecar)."""
    names = set(services)
    merged = {}
    for name in names:
        match = _ORDINAL.match(name)
        if match is not None and match.group("base") not in names:
            merged[name] = match.group("base")
    return merged


def aliases(service: str) -> set[str]:
    """Other names the service goes by: the base of an ordinal (`kafka-2` -> `kafka`)."""
    match = _ORDINAL.match(service)
    return {match.group("base")} if match is not None else set()


@lru_cache(maxsize=4096)
def names_for(service: str) -> frozenset[str]:
    """The words by which other services' lines may name `service`."""
    lowered = service.lower()
    parts = {p for p in re.split(r"[-_.\s/]+", lowered) if p and not p.isdigit()}
    parts -= _GENERIC_NAME_PARTS
    # a plural part names the singular too (`payments` is named by "payment capture failed")
    singular = {p[:-1] for p in parts if len(p) > 4 and p.endswith("s") and not p.endswith("ss")}
    names = set(parts) | singular | {lowered} | aliases(lowered)
    for technology, words in _TECHNOLOGY_WORDS.items():
        if any(part.startswith(technology) for part in parts):
            names.update(words)
    return frozenset(name for name in names if len(name) >= 3)


@lru_cache(maxsize=8192)
def _pattern(names: frozenset[str]) -> re.Pattern[str] | None:
    """Any of `names`, case-insensitive, as a word: not inside a longer word, but at a
    CamelCase boundary (`RedisConnectionTimeout` names redis) or before digits (`psycopg2`)."""
    if not names:
        return None
    alternation = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z0-9_])(?i:{alternation})(?![a-z_])")


def mentions(text: str, service: str, exclude: frozenset[str] = frozenset()) -> bool:
    """True when `text` names `service`, other than by the words in `exclude` (the speaker's
    own names: `checkout-service` naming `service` names nobody)."""
    pattern = _pattern(names_for(service) - exclude)
    return pattern is not None and pattern.search(text) is not None


def is_proxy(service: str, formats: Iterable[str] = ()) -> bool:
    """An edge proxy or load balancer: it reports its upstreams' failures."""
    lowered = service.lower()
    if any(word in lowered for word in _PROXY_WORDS):
        return True
    return any(fmt.startswith(_PROXY_FORMATS) for fmt in formats)


def is_orchestrator(service: str) -> bool:
    """The kernel, kubelet, a container runtime, systemd: their lines are about others."""
    return service.lower() in _ORCHESTRATORS
