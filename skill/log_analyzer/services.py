"""Which service a source speaks for, when its records do not say.

`checkout-service.log` -> `checkout-service`; `redis/redis-server.log` -> `redis`;
`logs/nginx/access.log` -> `nginx`; `app.log.2.gz` -> `app`. `--service NAME=GLOB` overrides.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from .errors import OptionError
from .sources.discover import Source, rotation_key

_GENERIC_DIRS = frozenset(
    {
        "",
        ".",
        "..",
        "log",
        "logs",
        "var",
        "tmp",
        "data",
        "output",
        "out",
        "fixtures",
        "files",
        "current",
        "latest",
        "archive",
        "archived",
        "old",
        "rotated",
        "dump",
        "dumps",
        "export",
    }
)
_GENERIC_STEMS = frozenset(
    {
        "access",
        "error",
        "errors",
        "app",
        "application",
        "server",
        "output",
        "stdout",
        "stderr",
        "current",
        "syslog",
        "messages",
        "main",
        "service",
        "console",
        "debug",
        "info",
        "log",
        "combined",
        "daemon",
        "all",
        "events",
        "trace",
    }
)
_DATED = re.compile(r"^\d{4}-?\d\d-?\d\d|^\d+$")
_STEM_NOISE = re.compile(r"(?:[._-](?:log|txt|out|err|json|jsonl|ndjson))+$", re.IGNORECASE)


def parse_overrides(values: Sequence[str]) -> list[tuple[str, str]]:
    """`NAME=GLOB` option values -> (name, glob) pairs."""
    pairs = []
    for value in values:
        name, sep, pattern = value.partition("=")
        if not sep or not name.strip() or not pattern.strip():
            raise OptionError(f"--service {value!r}: expected NAME=GLOB, e.g. redis='*redis*'")
        pairs.append((name.strip(), pattern.strip()))
    return pairs


def override_for(source: Source, overrides: Sequence[tuple[str, str]]) -> str | None:
    for name, pattern in overrides:
        candidates = [source.display]
        if source.path is not None:
            candidates += [source.path.name, str(source.path)]
        if any(fnmatch.fnmatch(candidate, pattern) for candidate in candidates):
            return name
    return None


def service_from_path(source: Source) -> str:
    """The service a file name implies (see the module docstring)."""
    if source.path is None:  # stdin, or a FIFO named explicitly (`checkout.log`)
        named = clean_stem(source.pipe.name) if source.pipe is not None else ""
        return named if re.search(r"[A-Za-z]", named) else "stdin"
    stem = clean_stem(source.path.name)
    # Directories below the one the user named speak for a service (`logs/redis/...`); the
    # file's own directory does only when the file name agrees or says nothing
    # (`redis/redis-server.log`, `nginx/access.log`).
    below: tuple[str, ...] = ()
    if source.root is not None:
        try:
            below = source.path.parent.relative_to(source.root).parts
        except ValueError:
            below = ()
    directory = _service_dir(below)
    if directory is not None:
        if directory == source.path.parent.name and _one_of_several(source.path, stem, directory):
            return stem
        return directory
    own = _service_dir((source.path.parent.name,))
    if own is not None and stem.lower() in _GENERIC_STEMS:
        return own
    if own is not None and stem.startswith(own):
        return stem if _one_of_several(source.path, stem, own) else own
    return stem or source.path.name


def _one_of_several(path: Path, stem: str, directory: str) -> bool:
    """`redis/redis-server.log` and `postgres/postgres-0.log` are redis and postgres; but
    `nova/nova-compute.log` beside `nova/nova-conductor.log` is one daemon of several."""
    if not stem.startswith(directory) or stem == directory:
        return False
    return len(_prefixed_stems(path.parent, directory)) > 1


@lru_cache(maxsize=1024)
def _prefixed_stems(directory: Path, prefix: str) -> frozenset[str]:
    """The distinct cleaned stems of the log files in `directory` that start with `prefix`."""
    try:
        names = [entry.name for entry in directory.iterdir() if entry.is_file()]
    except OSError:
        return frozenset()
    return frozenset(
        stem for stem in (clean_stem(name) for name in names[:2000]) if stem.startswith(prefix)
    )


def _service_dir(parts: tuple[str, ...]) -> str | None:
    for part in reversed(parts):
        if part.lower() not in _GENERIC_DIRS and not _DATED.match(part):
            return part
    return None


def clean_stem(name: str) -> str:
    """`app.log.2.gz` -> `app`, `checkout-service.log` -> `checkout-service`,
    `HDFS_2k.log` -> `HDFS`."""
    base, _, _ = rotation_key(name)
    stem = _STEM_NOISE.sub("", base)
    stem = re.sub(r"[._-]\d+k$", "", stem)  # Loghub's `_2k` samples
    return stem


# Kubernetes names pods `<deployment>-<replicaset hash>-<5 chars>` and `<daemonset>-<5 chars>`,
# both drawn from an alphabet without vowels (so they never spell a word).
_POD_SUFFIX = re.compile(
    r"^(?P<name>[a-z0-9][a-z0-9-]*?[a-z0-9])"
    r"(?:-[bcdfghjklmnpqrstvwxz2456789]{4,10})?-[bcdfghjklmnpqrstvwxz2456789]{5}$"
)


_VOWELLESS_WORDS = frozenset({"https", "smtps", "rtmps", "wss", "grpc"})  # names, not pod ids
# A CronJob's pods: `<cronjob>-<scheduled time in minutes since the epoch>-<5 chars>`.
_CRONJOB_POD = re.compile(
    r"^(?P<name>[a-z0-9][a-z0-9-]*?)-\d{8,10}-[bcdfghjklmnpqrstvwxz2456789]{5}$"
)


# Names a logger writes when nobody configured one: they name no service.
_PLACEHOLDERS = frozenset(
    {"ES_ECS", "unknown", "unknown_service", "-", "null", "none", "undefined"}
)


def is_placeholder(name: str) -> bool:
    """`ES_ECS` (Elasticsearch's ECS layout), OpenTelemetry's `unknown_service:java`..."""
    return name in _PLACEHOLDERS or name.startswith("unknown_service")


@lru_cache(maxsize=4096)
def record_service(name: str) -> str:
    """The service a record's own field names, canonical; empty for a placeholder."""
    return "" if is_placeholder(name) else canonical_service(name)


@lru_cache(maxsize=4096)
def canonical_service(name: str) -> str:
    """The service a pod name belongs to: `checkout-7d9f8b6c4-x2k9p` -> `checkout`,
    `node-exporter-x7k2p` -> `node-exporter`; other names as they are. A five-character tail
    drawn from that vowel-less alphabet is a pod's (`nova-compute-psrdq`); words have vowels
    (`order-sync`, `redis-cache` stay), numbers are not taken for one."""
    job = _CRONJOB_POD.match(name)
    if job is not None:
        return job.group("name")
    match = _POD_SUFFIX.match(name)
    if match is None:
        return name
    tail = name[name.rfind("-") + 1 :]
    hashed = name[len(match.group("name")) :].count("-") == 2
    if not hashed and (tail.isdigit() or tail in _VOWELLESS_WORDS):
        return name
    return match.group("name")


def source_service(source: Source, overrides: Sequence[tuple[str, str]]) -> tuple[str, bool]:
    """(service, forced): forced when `--service` named it, which then beats record fields."""
    forced = override_for(source, overrides)
    if forced is not None:
        return forced, True
    return canonical_service(service_from_path(source)), False
