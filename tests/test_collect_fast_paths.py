"""The shortcuts of the reading pass (`Collector.add_all`, the readers it calls per record,
`RegexFormat.parse` and `Clock.from_match`) must never change an answer.

Each is checked against the plain reading it replaced, kept here as it was: on the bundled
incidents and format fixtures (real software's lines), on every format's samples, and on
seeded random records and text built from the very words and shapes the shortcuts look for.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from log_analyzer.analysis import collect, impact, latency, skew
from log_analyzer.analysis.alerts import MAY_ALERT_KEYS, may_carry_alert
from log_analyzer.analysis.collect import MAX_OPERATIONAL, Collector
from log_analyzer.analysis.events import (
    _ANY_WORD,
    OPERATIONAL_WORDS,
    _event,
    line_operational_event,
    operational_event,
)
from log_analyzer.analysis.impact import failed, route_of
from log_analyzer.analysis.latency import duration_ms, line_duration_ms
from log_analyzer.analysis.skew import request_id
from log_analyzer.formats.base import Parsed, RegexFormat
from log_analyzer.formats.registry import FORMATS
from log_analyzer.formats.trace_context import block_ids, extract_ids
from log_analyzer.inferred_levels import inferred
from log_analyzer.ingest import ParseOptions, open_paths
from log_analyzer.levels import (
    RANK,
    SYSLOG_SEVERITY,
    at_least,
    http_status_level,
    infer_level,
    normalize_level,
)
from log_analyzer.mining import requests
from log_analyzer.mining.requests import message_outcome, request_level, request_outcome
from log_analyzer.records import Record
from log_analyzer.timestamps import CACHE_LIMIT, Clock

from .conftest import FIXTURES

SEEDS = (1, 2, 3, 4, 5)
INCIDENTS = sorted(p for p in (FIXTURES / "incidents").iterdir() if p.is_dir())
INCIDENTS.append(FIXTURES / "incident")
FORMAT_FILES = sorted((FIXTURES / "formats").glob("*.log"))
REGEX_FORMATS = [fmt for fmt in FORMATS if isinstance(fmt, RegexFormat)]


# -- the plain readings, as they were ------------------------------------------------------


class PlainClock(Clock):
    """`Clock.from_match` as it was: the fraction set with `datetime.replace`."""

    def from_match(
        self, match: re.Match[str], text: str | None = None, fraction: str | None = None
    ) -> datetime | None:
        if text is None:
            text = match.group("ts")
            if text is None:
                return None
            fraction = match.group("f") if "f" in match.re.groupindex else None
        key = text
        if fraction:
            start, end = match.span("f")
            offset = match.start("ts")
            key = text[: start - offset - 1] + text[end - offset :]
        cached = self._cache.get(key, _MISSING)
        if cached is _MISSING:
            cached = self._build(match, match.re.groupindex)
            if len(self._cache) >= CACHE_LIMIT:
                self._cache.clear()
            self._cache[key] = cached
        if cached is None:
            return None
        result = self._complete(cached) if isinstance(cached, tuple) else cached
        if result is None or not fraction:
            return result
        return result.replace(microsecond=int(fraction[:6].ljust(6, "0")))


_MISSING: Any = object()
_UNKNOWN: Any = object()


def plain_parse(fmt: RegexFormat, line: str, clock: Clock) -> Parsed | None:
    """`RegexFormat.parse` as it was: every group's position looked up by name per line."""
    match = fmt.regex.match(line)
    if match is None:
        return None
    groups: Sequence[str | None] = match.groups()
    if fmt._aliases:
        resolved: list[str | None] | None = None
        for alias, base in fmt._aliases:
            if groups[alias] is not None:
                if resolved is None:
                    resolved = list(groups)
                resolved[base] = groups[alias]
        if resolved is not None:
            groups = resolved
    at = fmt._index
    message = groups[at["message"]] or "" if "message" in at else ""
    raw_level = groups[at["level"]] if "level" in at else None
    level = None
    if raw_level is not None:
        level = fmt.levels.get(raw_level) or normalize_level(raw_level)
    status = groups[at["status"]] if "status" in at else None
    if level is None:
        pri = groups[at["pri"]] if "pri" in at else None
        if pri:
            level = SYSLOG_SEVERITY[int(pri) % 8]
        elif status and status.isdigit():
            level = http_status_level(int(status))
    if level is None and fmt.infer:
        level = infer_level(message)
    fields: dict[str, Any] = {}
    for name, position in fmt._extra:
        value = groups[position]
        if value is not None:
            fields[name] = value
    if status:
        fields["status"] = int(status) if status.isdigit() else status
    if fmt.continuation_levels and raw_level in fmt.continuation_levels:
        fields["continues"] = True
    timestamp = None
    zoned = False
    if "ts" in at:
        text = groups[at["ts"]]
        if text is not None:
            timestamp = clock.from_match(match, text, groups[at["f"]] if "f" in at else None)
            for position in fmt._zone_positions:
                if groups[position] is not None:
                    zoned = True
    service = groups[at["service"]] if "service" in at else None
    for position in fmt._id_blocks:
        block = groups[position]
        if block is not None:
            ids, app = block_ids(block)
            for name, value in ids.items():
                fields.setdefault(name, value)
            service = service or app
    found: dict[str, Any] | None = fields or None
    if message and (message[0] == "[" or "race" in message):
        message, found = extract_ids(message, found)
    return Parsed(
        timestamp=timestamp,
        level=level,
        message=message,
        service=service,
        fields=found,
        zoned=zoned,
    )


_PLAIN_ID_IN_TEXT = re.compile(
    r"(?:request[_-]?id|req[_-]?id|trace[_-]?id|correlation[_-]?id|x-request-id)[\"']?\s*[=:]\s*"
    r"[\"']?([A-Za-z0-9][\w\-]{5,63})",
    re.IGNORECASE,
)
_PLAIN_ID_HINTS = (
    "equest", "EQUEST", "req_id", "reqId", "req-id", "REQ", "race", "RACE", "orrelation",
)  # fmt: skip


def plain_request_id(message: str, fields: Mapping[str, Any] | None) -> str | None:
    """`request_id` as it was: every hint tried, then the case-insensitive regex."""
    if fields and not skew._ID_KEY_SET.isdisjoint(fields):
        for key in skew._ID_KEYS:
            value = fields.get(key)
            if isinstance(value, str | int) and value != "":
                return str(value)
    if fields:
        req = fields.get("req")
        if isinstance(req, dict) and req.get("id") is not None:
            return str(req["id"])
    if any(hint in message for hint in _PLAIN_ID_HINTS):
        match = _PLAIN_ID_IN_TEXT.search(message)
        return match.group(1) if match is not None else None
    return None


_PLAIN_IN_TEXT = re.compile(
    r"\b(?:(?:took|duration[=:]|elapsed[=:]|latency[=:]|response time[=:]?)\s*(\d+(?:\.\d+)?)"
    r"\s?(ns|us|µs|ms|s|sec|secs|seconds)|in\s*(\d+(?:\.\d+)?)\s?(ns|us|µs|ms))\b"
)
_PLAIN_HINTS = ("took", "uration", "lapsed", "atency", "esponse time", "µs")


def plain_duration(message: str, fields: Mapping[str, Any] | None) -> float | None:
    """`duration_ms` as it was: the hints in a loop, then the regex tried at every character."""
    if fields and not latency._FIELD_KEYS.isdisjoint(fields):
        for key, factor in latency._FIELD_UNITS:
            value = fields.get(key)
            if value is None or isinstance(value, bool):
                continue
            if isinstance(value, int | float):
                return float(value) * (factor if factor is not None else 1.0)
            match = latency._VALUE.match(str(value))
            if match is not None:
                number = float(match.group(1))
                unit = match.group(2)
                if unit is not None:
                    return number * latency._UNITS[unit]
                return number * (factor if factor is not None else 1.0)
        timers = fields.get("timers")
        if isinstance(timers, str) and "/" in timers:
            total = timers.rsplit("/", 1)[-1].lstrip("+")
            if total.isdigit():
                return float(total)
    first_line = message.split("\n", 1)[0]
    written = "ms" in first_line and latency._milliseconds_written(first_line)
    if not written and not any(hint in first_line for hint in _PLAIN_HINTS):
        return None
    match = _PLAIN_IN_TEXT.search(first_line)
    if match is None:
        return None
    amount, unit_text = match.group(1, 2) if match.group(1) else match.group(3, 4)
    return float(amount) * latency._UNITS[unit_text]


def plain_operational_event(message: str, fields: Mapping[str, Any] | None) -> str | None:
    """`operational_event` as it was: the search in front, the alert keys tested per record."""
    first_line = message.split("\n", 1)[0]
    if _ANY_WORD.search(first_line) is None and (
        not fields or MAY_ALERT_KEYS.isdisjoint(fields) or not may_carry_alert(fields)
    ):
        return None
    return _event(message, first_line, fields)


_PLAIN_DIGIT = re.compile(r"\d")
_PLAIN_ID = re.compile(r"(?<=/)(?:\d+(?=/|$)|(?!v\d+(?:\.\d+)*(?:/|$))(?=[^/]{3})[^/]*\d[^/]*)")
_PLAIN_OTHER = re.compile(
    rf"(?<=/)(?:[^/{{}}]*-[^/{{}}]*-[^/{{}}]*|[^/{{}}]{{25,}}|[^/{{}}]+\.(?:{impact._STATIC}))"
    r"(?=/|$)",
    re.IGNORECASE,
)


def _plain_name(found: re.Match[str]) -> str:
    file = impact._FILE.fullmatch(found.group(0))
    return "{file}." + file.group(1).lower() if file is not None else "{name}"


def plain_route(method: str | None, path: str | None) -> str:
    """`route_of` as it was: look-behinds for the slash, `_OTHER` searched on every path."""
    if path is None or not path.startswith("/"):
        return f"{method} {impact.NO_ROUTE}" if method else impact.NO_ROUTE
    masked = _PLAIN_ID.sub("{id}", path) if _PLAIN_DIGIT.search(path) else path
    if _PLAIN_OTHER.search(masked):
        masked = _PLAIN_OTHER.sub(_plain_name, masked)
    return f"{method} {masked}" if method else masked


_PLAIN_REQUEST_LINE = re.compile(r'"([A-Z]{3,7}) (\S+) HTTP/[\d.]+"')


def plain_outcome(record: Record) -> tuple[str | None, str | None, int] | None:
    """`request_outcome` as it was: the places of the fields looked up where each is needed."""
    fields = record.fields
    message = record.message
    if fields and not requests._STATUS_KEYS.isdisjoint(fields):
        status = fields.get("status")
        if type(status) is not int or not 100 <= status <= 599:
            status = requests._status(fields, requests._places(fields)[0])
            if status is None:
                return None
        request = fields.get("request")
        if isinstance(request, str) and " " in request:
            method, _, rest = request.partition(" ")
            return method, requests._path_of(rest.split(" ", 1)[0]), status
        quoted = _PLAIN_REQUEST_LINE.search(message) if "HTTP/" in message else None
        if quoted is not None:
            return quoted.group(1), requests._path_of(quoted.group(2)), status
        _, methods, targets = requests._places(fields)
        verb = requests._first_text(fields, methods) if methods else None
        target = requests._first_text(fields, targets) if targets else None
        if target is None:
            said = requests._MESSAGE_REQUEST.match(message)
            if said is not None:
                return said.group(1), requests._path_of(said.group(2)), status
        known = verb.upper() if verb is not None and verb.upper() in requests._METHODS else None
        return known, requests._path_of(target) if target is not None else None, status
    if "HTTP/" in message:
        found = requests._ACCESS_TEXT.search(message)
        if found is not None:
            return found.group(1), requests._path_of(found.group(2)), int(found.group(3))
    return requests._text_outcome(message) if " /" in message else None


class PlainCollector(Collector):
    """`Collector.add_all` as it was: every reader handed the record's fields, every count
    added as it comes, nothing remembered from the record before."""

    def add_all(self, records: Iterable[Record]) -> None:
        collected = self._collected
        counts = collected.requests.counts
        for record in records:
            collected.records += 1
            level = record.level
            if level is None:
                level = request_level(record)
            if at_least(level, self.grouper.min_level):
                self.grouper.add(record)
            else:
                self.grouper.records += 1
            file = record.file
            seen = collected.stated.setdefault(file, [0, 0])
            held_apart: tuple[str, bool] | None = None
            if level is not None:
                seen[0] += 1
            else:
                seen[1] += 1
                found = inferred(record.message)
                if found is not None:
                    self._add_inferred(record, found[0], (file, found[1]))
                    if found[0] == "error":
                        held_apart = (file, found[1])
            service = record.service
            fields = record.fields
            if fields is not None:
                pid = fields.get("pid")
                if pid is not None and (
                    len(collected.pids) < collect.MAX_PIDS or pid in collected.pids
                ):
                    collected.pids.setdefault(str(pid), set()).add(service)
            when = record.timestamp
            if when is None:
                continue
            seconds = when.timestamp()
            if when.microsecond:
                collected.subsecond.add(service)
            if collected.first is None or seconds < collected.first:
                collected.first = seconds
            if collected.last is None or seconds > collected.last:
                collected.last = seconds
            bucket = int(seconds // collected.bucket_seconds)
            key = (service, bucket)
            collected.totals[key] = collected.totals.get(key, 0) + 1
            outcome = plain_outcome(record)
            if outcome is not None:
                method, path, status = outcome
                route_key = (service, plain_route(method, path), bucket)
                tally = counts.setdefault(route_key, [0, 0])
                tally[0] += 1
                tally[1] += failed(status)
            message = record.message
            took = plain_duration(message, fields)
            if took is not None:
                collected.durations.setdefault(key, []).append(took)
                slow = collected.slowest.get(key)
                if slow is None or took > slow[0]:
                    collected.slowest[key] = (took, file, record.line)
            rank = RANK[level] if level is not None else 0
            if rank >= RANK["error"]:
                collected.errors[key] = collected.errors.get(key, 0) + 1
            elif held_apart is not None:
                errors = collected.inferred_errors.setdefault(held_apart, {})
                errors[key] = errors.get(key, 0) + 1
            identifier = plain_request_id(message, fields)
            if took is not None and (identifier is not None or outcome is not None):
                collected.serving.add(service)
            if identifier is not None:
                self.skew.add(identifier, service, when)
                if rank >= RANK["warning"]:
                    self.traces.add(identifier, service, seconds, file, record.line, rank)
            if len(collected.operational) < MAX_OPERATIONAL:
                kind = plain_operational_event(message, fields)
                if kind is not None:
                    collected.operational.append((kind, record))


# -- realistic and random input --------------------------------------------------------------


def _read(path: Path) -> list[Record]:
    return [
        record for parser in open_paths([str(path)], ParseOptions()).parsers for record in parser
    ]


def _lines(path: Path, most: int = 1_500) -> list[str]:
    with path.open(encoding="utf-8", errors="replace") as handle:
        return [line.rstrip("\n") for line, _ in zip(handle, range(most), strict=False)]


def _fixture_files() -> list[Path]:
    found = [path for folder in INCIDENTS for path in sorted(folder.rglob("*")) if path.is_file()]
    return [path for path in found if path.suffix not in (".md", ".gz", ".zst")]


_LEVEL_WORDS = ("INFO", "WARN", "WARNING", "ERROR", "DEBUG", "FATAL", "E", "W", "I", "err", "crit")


def _mutated(line: str, rng: random.Random) -> str:
    """The line with digits redrawn (other fractions, ids, statuses, pids), now and then a
    level word swapped, a `[` or `race` put in, a fraction lengthened."""
    chars = [rng.choice("0123456789") if c.isdigit() and rng.random() < 0.5 else c for c in line]
    text = "".join(chars)
    for word in _LEVEL_WORDS:
        if f" {word} " in text and rng.random() < 0.3:
            text = text.replace(f" {word} ", f" {rng.choice(_LEVEL_WORDS)} ", 1)
    roll = rng.random()
    if roll < 0.1:
        longer = "".join(rng.choices("0123456789", k=rng.randint(1, 6)))
        text = re.sub(r"([.,]\d{3})(?=\D)", lambda m: m.group(1) + longer, text, count=1)
    elif roll < 0.15:
        text += rng.choice([" traceId=4bf92f3577b34da6", " [trace=abc,span=def]", " race"])
    return text


MESSAGES = [
    "Cart 2b4f27 loaded from cache in 23 ms (9 items, currency=EUR)",
    "POST /api/shipping/quote completed status=201 customer=cus_de113349 in 349 ms",
    "Captured payment for order ord_097e6ad0a7: provider=adyen latency_ms=224",
    "duration: 0.512 ms  statement: SELECT 1",
    "Request 8f1c2e took 2300 ms (traceId=4bf92f3577b34da6a3ce929d0e0e4736)",
    "handled request_id=9c1e0f7a2b3d took 412ms status=200",
    "upstream timed out (110: Connection timed out) X-Request-ID: 7f3a9c2e11d04b55",
    "correlationId='c0ffee-1234-5678' elapsed=1.5s",
    "REQ-ID: ABCDEF123456 response time 87 ms",
    "GET /api/orders/8812 200 9ms",
    "request completed",
    "Started CheckoutApplication in 4.211 seconds (process running for 4.9)",
    "Received SIGTERM scheduling shutdown...",
    "Rolling back to revision 41",
    "[FIRING:1] HighErrorRate checkout (critical)",
    "alert HighLatency is firing for checkout",
    "Scaled up replica set checkout-7d9f8c6b5 to 5",
    "connect ECONNREFUSED 10.0.3.17:6379",
    "Connection refused while reading response header from upstream",
    "disk usage at 97% on /var/lib/postgresql",
    '"GET /static/js/app.3f9c2b.js HTTP/2.0" 304 0 "https://shop.example.com/" "Mozilla/5.0"',
    '"POST /api/checkout HTTP/1.1" 503 197 "-" "curl/8.5.0"',
    "items in 3 µs, queue drained in 12 us",
    "a trace of an error\n\tat com.example.Thing.run(Thing.java:12)\ncaused by: in 5 ms",
    "",
]
PATHS = [
    "/api/cart", "/api/cart/items", "/v1/carts/f3ad0f/items", "/v1/carts/259ff0", "/healthz",
    "/products/socks/25203", "/api/orders/ord_c904e6e5ac", "/static/js/app.3f9c2b.js",
    "/img/hero.JPG", "/products/down-puffer-jacket", "/api/v2/checkout/shipping-options",
    "/api/v1.2/x", "/search?q=rain+jacket", "https://shop.example.com/api/cart?id=3",
]  # fmt: skip
FIELD_SHAPES: list[dict[str, Any] | None] = [
    None,
    {},
    {"pid": "1", "thread": "io-8080-exec-93", "logger": "c.e.checkout.cart.CartService"},
    {"pid": 18, "hostname": "cart-api", "module": "health", "redis": "ready"},
    {"pid": "18", "hostname": "cart-api"},
    {"pid": True},
    {"status": 503, "method": "POST", "path": "/api/checkout", "duration_ms": 1200},
    {"status": "200", "request": "GET /api/cart/7781 HTTP/1.1", "request_time": "0.012"},
    {"req": {"id": "req-4", "method": "GET", "url": "/v1/carts/b76157"},
     "res": {"statusCode": 503}, "responseTime": 3004},
    {"reqId": "req-9", "err": {"type": "Error", "message": "boom"}},
    {"trace_id": "", "span.trace_id": "4bf92f35", "elapsed": "2.5s"},
    {"requestId": 0, "latency": True, "took": "15ms"},
    {"timers": "0/0/1/12/+40", "status": 502},
    {"event": {"event_type": "incident.triggered"}},
    {"alertname": "HighErrorRate", "status": "firing"},
    {"status": "firing", "alerts": [{"labels": {"alertname": "HighErrorRate"}}]},
    {"alert": "none", "status": "ok"},
    {"http.status_code": "502", "http.method": "GET", "http.route": "/api/x/{id}"},
]  # fmt: skip


def _random_records(rng: random.Random, count: int = 3_000) -> list[Record]:
    """Records as sources give them, and then some: runs of one service and second, the same
    timestamp object repeated or an equal one, pids as text and numbers, every kind of fields."""
    services = ["checkout", "cart", "nginx", "checkout"]
    files = ["/var/log/a.log", "/var/log/b.log"]
    start = datetime(2026, 11, 28, 13, 58, 30, tzinfo=UTC)
    when: datetime | None = start
    service = services[0]
    file = files[0]
    records = []
    for line in range(count):
        roll = rng.random()
        if roll < 0.05:
            when = None
        elif roll < 0.35 or when is None:
            when = start + timedelta(
                seconds=rng.randint(0, 400),
                microseconds=rng.choice([0, 0, rng.randint(0, 999_999)]),
            )
        elif roll < 0.45:
            when = datetime.fromtimestamp(when.timestamp(), UTC)  # equal, not the same object
        if rng.random() < 0.2:
            service = rng.choice(services)
        if rng.random() < 0.05:
            file = rng.choice(files)
        fields = rng.choice(FIELD_SHAPES)
        if fields is not None and rng.random() < 0.5:
            fields = dict(fields)
            if rng.random() < 0.5:
                fields["pid"] = rng.choice(["1", 1, "31465", str(rng.randint(1, 40)), 18])
            if rng.random() < 0.3:
                fields["path"] = rng.choice(PATHS)
            if rng.random() < 0.2:
                fields = dict(reversed(list(fields.items())))  # another key order
        message = rng.choice(MESSAGES)
        if rng.random() < 0.3:
            message = f"{rng.choice(MESSAGES)} {rng.choice(MESSAGES)}"
        level = rng.choice([None, None, "info", "debug", "warning", "error", "critical", "notice"])
        records.append(
            Record(file, line + 1, line + 1, when, level, service, "test", message, fields)
        )
    return records


def _same_collected(mine: Collector, plain: Collector) -> None:
    """Every summary the same, in the same order where order can show."""
    ours, theirs = mine.collected, plain.collected
    for name in ("totals", "errors", "durations", "slowest", "pids", "stated"):
        assert list(getattr(ours, name).items()) == list(getattr(theirs, name).items()), name
    for name in ("records", "first", "last", "subsecond", "serving", "operational"):
        assert getattr(ours, name) == getattr(theirs, name), name
    assert list(ours.inferred_errors.items()) == list(theirs.inferred_errors.items())
    assert ours.inferred_groups.keys() == theirs.inferred_groups.keys()
    assert list(ours.requests.counts.items()) == list(theirs.requests.counts.items())
    assert list(mine.skew.sightings.items()) == list(plain.skew.sightings.items())
    assert list(mine.traces.failures.items()) == list(plain.traces.failures.items())
    assert mine.grouper.records == plain.grouper.records
    assert mine.grouper.groups() == plain.grouper.groups()


def _fed(cls: type[Collector], records: list[Record], pieces: int = 1) -> Collector:
    collector = cls(60)
    size = -(-len(records) // pieces)
    for at in range(0, len(records), size):
        collector.add_all(records[at : at + size])
    return collector


# -- the collector -----------------------------------------------------------------------------


@pytest.mark.parametrize("folder", INCIDENTS, ids=lambda p: p.name)
def test_the_collector_gathers_from_an_incident_what_the_plain_loop_gathers(folder: Path) -> None:
    records = _read(folder)
    mine, plain = _fed(Collector, records), _fed(PlainCollector, records)
    _same_collected(mine, plain)
    # what the pass found, so that the comparison compares something
    assert mine.collected.totals and (mine.collected.requests.counts or mine.collected.durations)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_collector_gathers_from_random_records_what_the_plain_loop_gathers(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(seed)
    records = _random_records(rng)
    if seed % 2:  # a full table of pids: only the pids already in it gain services
        monkeypatch.setattr(collect, "MAX_PIDS", 3)
    if seed == 2:  # the table of key sets emptied as it fills
        monkeypatch.setattr(collect, "MAX_KEY_SETS", 2)
    pieces = rng.choice([1, 2, 7])  # `add_all` called more than once: runs end at its end
    mine, plain = _fed(Collector, records, pieces), _fed(PlainCollector, records, pieces)
    _same_collected(mine, plain)
    found = mine.collected
    assert found.durations and found.errors and found.requests.counts and mine.skew.sightings
    assert found.operational and found.pids and found.subsecond and found.serving
    assert len(collect._KEY_FLAGS) <= collect.MAX_KEY_SETS


def test_a_reader_handed_no_fields_for_keys_it_never_reads_answers_the_same() -> None:
    """The collector hands each reader None where the fields hold none of its keys."""
    rng = random.Random(9)
    for record in _random_records(rng, 2_000):
        message, fields = record.message, record.fields
        first_line = message.split("\n", 1)[0]
        keys = set(fields or ())
        dur = fields if keys & latency.DURATION_KEYS else None
        ids = fields if keys & skew.ID_FIELD_KEYS else None
        status = fields if keys & requests.STATUS_KEYS else None
        assert line_duration_ms(first_line, dur) == duration_ms(message, fields)
        assert request_id(message, ids) == request_id(message, fields)
        assert message_outcome(message, status) == request_outcome(record) == plain_outcome(record)
        alert = bool(keys & MAY_ALERT_KEYS)
        assert line_operational_event(message, first_line, fields, alert) == operational_event(
            message, fields
        )


# -- the readers -------------------------------------------------------------------------------


def _spliced(rng: random.Random, words: Sequence[str], filler: str = "ab x_-.:=/'\"") -> str:
    parts = []
    for _ in range(rng.randint(1, 6)):
        parts.append(rng.choice(words))
        parts.append("".join(rng.choices(filler, k=rng.randint(0, 3))))
    return "".join(parts)


ID_WORDS = (
    *skew._ID_HINTS, "request_id", "Request-ID", "REQUEST_ID", "ReQuEsT_iD", "reqid",
    "x-request-id", "X-Request-Id", "trace_id", "TraceId", "correlation-id", "CORRELATION_ID",
    "q", "Q", "eq", "=", ": ", "='", '"', "4bf92f3577b34da6", "req-3f0c2a9e", "ab", "ſ", "K",
    "ı", "İ", "\n",
)  # fmt: skip


@pytest.mark.parametrize("seed", SEEDS)
def test_request_ids_in_text_are_found_as_the_plain_reading_finds_them(seed: int) -> None:
    rng = random.Random(seed)
    texts = [_spliced(rng, ID_WORDS) for _ in range(4_000)] + MESSAGES
    found = 0
    for text in texts:
        fields = rng.choice(FIELD_SHAPES)
        assert request_id(text, fields) == plain_request_id(text, fields), text
        match = _PLAIN_ID_IN_TEXT.search(text)
        fast = skew._ID_IN_TEXT_FAST.search(text)
        assert (match and (match.span(), match.groups())) == (fast and (fast.span(), fast.groups()))
        found += match is not None
    assert found > 100


DURATION_KEYWORDS = (
    "took", "Took", "duration=", "duration:", "duration", "elapsed=", "elapsed:", "elapsed",
    "latency=", "latency:", "response time", "response time=", "response time:", "in", "In",
    "xin", "_in", "éin", "٣in", "items in", "",
)  # fmt: skip
DURATION_NUMBERS = ("5", "12", "3.5", "3.", ".5", "٣", "10.25", "")
DURATION_UNITS = ("ms", "s", "sec", "secs", "seconds", "ns", "us", "µs", "m", "min", "msx", "s.")
DURATION_AROUND = ("", " ", "  ", "\t", "\n", "a", "x", "_", "é", "(", "=", "-", ", ", "µ")


def _duration_text(rng: random.Random) -> str:
    """Phrases the duration regex reads and phrases close to one, in random company."""
    text = rng.choice(DURATION_AROUND)
    for _ in range(rng.randint(1, 3)):
        text += rng.choice(DURATION_KEYWORDS) + rng.choice(DURATION_AROUND[:5])
        text += rng.choice(DURATION_NUMBERS) + rng.choice(("", " ", "  "))
        text += rng.choice(DURATION_UNITS) + rng.choice(DURATION_AROUND)
    return text


@pytest.mark.parametrize("seed", SEEDS)
def test_durations_in_text_are_read_as_the_plain_reading_reads_them(seed: int) -> None:
    rng = random.Random(seed)
    texts = [_duration_text(rng) for _ in range(5_000)] + MESSAGES
    found = 0
    for text in texts:
        fields = rng.choice(FIELD_SHAPES)
        assert duration_ms(text, fields) == plain_duration(text, fields), text
        match = _PLAIN_IN_TEXT.search(text)
        fast = latency._IN_TEXT_FAST.search(text)
        assert (match and (match.span(), match.groups())) == (fast and (fast.span(), fast.groups()))
        found += match is not None
    assert found > 400


@pytest.mark.parametrize("seed", SEEDS)
def test_operational_events_are_read_as_the_plain_reading_reads_them(seed: int) -> None:
    rng = random.Random(seed)
    texts = [_spliced(rng, (*OPERATIONAL_WORDS, *MESSAGES[:5])) for _ in range(1_000)] + MESSAGES
    kinds = set()
    for text in texts:
        fields = rng.choice(FIELD_SHAPES)
        kind = operational_event(text, fields)
        assert kind == plain_operational_event(text, fields), text
        first_line = text.split("\n", 1)[0]
        assert line_operational_event(text, first_line, fields) == kind
        kinds.add(kind)
    assert len(kinds) >= 5


PATH_PIECES = (
    "/", "/", "/", "v", "v2", "v1.2", "v1.x", "1", "42", "0", ".", "-", "a", "abc", "x9", "{", "}",
    "id", ".css", ".JPG", ".woff2", ".ſvg", "\n", "٣", "²", "K", "ı", "api", "_", " ", "\u212a",
    "aaaaaaaaaaaaaaaaaaaaaaaaa", "down-puffer-jacket", "f3ad0f", "?q=1", "%20",
)  # fmt: skip


@pytest.mark.parametrize("seed", SEEDS)
def test_routes_are_masked_as_the_plain_reading_masks_them(seed: int) -> None:
    rng = random.Random(seed)
    paths: list[str | None] = [None, "", "api", *PATHS]
    paths += ["/" * (rng.random() < 0.9) + _spliced(rng, PATH_PIECES, "/") for _ in range(5_000)]
    changed = 0
    for path in paths:
        method = rng.choice([None, "", "GET", "POST"])
        masked = route_of(method, path)
        assert masked == plain_route(method, path), path
        assert impact.route_of.__wrapped__(method, path) == masked  # not only what was cached
        changed += masked != (f"{method} {path}" if method else path)
    assert changed > 1_000


# -- parsing -----------------------------------------------------------------------------------


def _same_parsed(mine: Parsed | None, plain: Parsed | None, what: str) -> None:
    if mine is None or plain is None:
        assert mine is plain, what
        return
    assert mine == plain, what
    assert list((mine.fields or {}).items()) == list((plain.fields or {}).items()), what
    if mine.timestamp is not None and plain.timestamp is not None:
        assert mine.timestamp.isoformat() == plain.timestamp.isoformat(), what
        assert mine.timestamp.tzinfo is plain.timestamp.tzinfo, what
        assert mine.timestamp.fold == plain.timestamp.fold, what


def _parsed_alike(fmt: RegexFormat, lines: Iterable[str]) -> int:
    """Both parses of every line, each with a clock of its own (a clock keeps state: years,
    dates, its cache), compared; and, for a format read as `RegexFormat` reads, the parse
    written out for it (`line_parser`, `formats/specialized.py`) too. Returns how many lines
    the format read."""
    reference = datetime(2026, 11, 28, 15, 0, tzinfo=UTC)
    mine, plain = Clock(reference=reference), PlainClock(reference=reference)
    written = Clock(reference=reference)
    line_parser = fmt.line_parser() if type(fmt).parse is RegexFormat.parse else None
    read = 0
    for line in lines:
        what = f"{fmt.name}: {line!r}"
        try:
            parsed = RegexFormat.parse(fmt, line, mine)
        except ValueError as error:  # a date no calendar has (digits redrawn): all fail so
            with pytest.raises(type(error), match=re.escape(str(error))):
                plain_parse(fmt, line, plain)
            if line_parser is not None:
                with pytest.raises(type(error), match=re.escape(str(error))):
                    line_parser(line, written)
            continue
        _same_parsed(parsed, plain_parse(fmt, line, plain), what)
        if line_parser is not None:
            _same_parsed(line_parser(line, written), parsed, f"written out: {what}")
        read += parsed is not None
    return read


@pytest.mark.parametrize("seed", SEEDS)
def test_every_regex_format_parses_its_samples_and_the_fixtures_as_the_plain_parse(
    seed: int,
) -> None:
    rng = random.Random(seed)
    fixture_lines = [line for path in FORMAT_FILES for line in _lines(path, 200)]
    read = 0
    for fmt in REGEX_FORMATS:
        samples = [sample.line for sample in fmt.samples]
        lines = [*samples, *(_mutated(line, rng) for line in samples * 3), *fixture_lines]
        read += _parsed_alike(fmt, lines)
    assert read > 1_000


STAMP = r"(?P<ts>(?P<Y>\d{4})-(?P<mo>\d\d)-(?P<d>\d\d) (?P<H>\d\d):(?P<M>\d\d):(?P<S>\d\d)(?:[.,](?P<f>\d{1,9}))?(?P<z>Z)?)"  # noqa: E501
# Formats no family defines, for what the families leave out: a status and no other field, a
# priority, aliases, an id block, continuation levels, levels of their own, another group for
# the service, no time, no message.
SYNTHETIC = [
    RegexFormat("status-only", rf"{STAMP} (?P<status>\d{{3}}|-) (?P<message>.*)"),
    RegexFormat("pri", r"<(?P<pri>\d{1,3})>(?:(?P<level>[A-Z]+): )?(?P<message>.*)"),
    RegexFormat(
        "aliases",
        rf"{STAMP} (?:(?P<level>[A-Z]+) (?P<logger>\S+)|(?P<logger2>\S+) (?P<level2>[a-z]+))"
        r" (?P<message>.*)",
    ),
    RegexFormat(
        "blocks",
        rf"{STAMP} (?P<level>\w+) (?P<ids>\[[^\]]*\]) (?P<app>\S+): (?P<message>.*)",
        id_blocks=("ids",),
        service_group="app",
    ),
    RegexFormat(
        "continued",
        rf"{STAMP} \[(?P<pid>\d+)\] (?P<level>[A-Z]+|W|DETAIL):  (?P<message>.*)",
        levels={"W": "warning"},
        continuation_levels=frozenset({"DETAIL"}),
    ),
    RegexFormat(
        "ids-twice",
        rf"{STAMP} trace_id=(?P<trace_id>\w*) (?P<ids>\[[^\]]*\]) (?P<message>.*)",
        id_blocks=("ids",),
    ),
    RegexFormat("bare", r"(?P<service>\w+)\|(?P<thing>\w*)", infer=False),
]
SYNTHETIC_LINES = [
    "2026-11-28 14:00:01.250Z 503 upstream failed",
    "2026-11-28 14:00:01 - health check ok",
    "2026-11-28 14:00:02,5 200 trace_id=4bf92f3577b34da6 served",
    "<11>ERROR: disk full",
    "<134>something happened",
    "<13>",
    "2026-11-28 14:00:03.123456789 ERROR c.e.Thing boom",
    "2026-11-28 14:00:03.1 c.e.Other warn slow Exception: no",
    "2026-11-28 14:00:04.004Z INFO [checkout,4bf92f3577b34da6,00f067aa0ba902b7] web: placed",
    "2026-11-28 14:00:04.004Z INFO [] web: [trace=abc] nothing",
    "2026-11-28 14:00:05.5 [4242] W:  slow query",
    "2026-11-28 14:00:05.5 [4242] DETAIL:  key (id)=(1) exists",
    "2026-11-28 14:00:05.5 [4242] FATAL:  the end",
    "2026-11-28 14:00:06.5 trace_id=aaaa1111 [web,4bf92f3577b34da6,00f067aa0ba902b7] placed",
    "2026-11-28 14:00:06.5 trace_id= [web,4bf92f3577b34da6,00f067aa0ba902b7] placed",
    "web|x",
    "web|",
]


@pytest.mark.parametrize("seed", SEEDS)
def test_formats_of_every_shape_parse_as_the_plain_parse(seed: int) -> None:
    rng = random.Random(seed)
    lines = [*SYNTHETIC_LINES, *(_mutated(line, rng) for line in SYNTHETIC_LINES * 20)]
    assert all(_parsed_alike(fmt, lines) for fmt in SYNTHETIC)


def test_the_incidents_parse_as_the_plain_parse_reads_them() -> None:
    rng = random.Random(11)
    read = 0
    for path in _fixture_files():
        parser = open_paths([str(path)], ParseOptions()).parsers[0]
        detection = parser.detect()
        lines = _lines(path)
        lines += [_mutated(line, rng) for line in lines[:300]]
        for fmt in (detection.primary, *detection.fallbacks):
            if isinstance(fmt, RegexFormat):
                read += _parsed_alike(fmt, lines)
    assert read > 10_000


ZONES = ("", "Z", "+02:00", "-0700", " UTC", " +0530")


@pytest.mark.parametrize("seed", SEEDS)
def test_a_fraction_added_to_its_whole_second_is_the_datetime_replace_gives(seed: int) -> None:
    rng = random.Random(seed)
    fmt = RegexFormat(
        "stamps",
        r"(?P<ts>(?P<Y>\d{4})-(?P<mo>\d\d)-(?P<d>\d\d)[T ](?P<H>\d\d):(?P<M>\d\d):(?P<S>\d\d)"
        r"(?:[.,](?P<f>\d{1,9}))?(?P<z>Z|[+-]\d\d:?\d\d| UTC| [+-]\d{4})?) (?P<message>.*)",
    )
    mine, plain = Clock(), PlainClock()
    for _ in range(3_000):
        when = datetime(2026, 11, 28, tzinfo=UTC) + timedelta(seconds=rng.randint(0, 90_000))
        digits = rng.randint(0, 9)
        fraction = "".join(rng.choices("0123456789", k=digits))
        separator = rng.choice(".,") if digits else ""
        line = f"{when:%Y-%m-%d}{rng.choice('T ')}{when:%H:%M:%S}{separator}{fraction}"
        line += f"{rng.choice(ZONES)} message"
        ours, theirs = fmt.parse(line, mine), plain_parse(fmt, line, plain)
        _same_parsed(ours, theirs, line)
        assert ours is not None and ours.timestamp is not None
    # a whole second that holds microseconds of its own (never from a stamp, but possible)
    odd = datetime(2026, 11, 28, 1, 2, 3, 500, tzinfo=timezone(timedelta(hours=2)))
    match = fmt.regex.match("2026-11-28 01:02:03.25 message")
    assert match is not None
    for clock in (mine, plain):
        clock._cache["2026-11-28 01:02:03"] = odd
    assert mine.from_match(match, "2026-11-28 01:02:03.25", "25") == plain.from_match(
        match, "2026-11-28 01:02:03.25", "25"
    )


def test_the_loop_reads_with_a_subclass_parse_and_writes_out_a_plain_one_once() -> None:
    syslog = next(fmt for fmt in REGEX_FORMATS if type(fmt).parse is not RegexFormat.parse)
    assert syslog.line_parser() == syslog.parse  # its own steps, not RegexFormat's
    plain = next(fmt for fmt in REGEX_FORMATS if type(fmt).parse is RegexFormat.parse)
    made = plain.line_parser()
    assert made is plain.line_parser() and made != plain.parse
