"""The incident families (`fixtures/incidents/`): reproducible from their generator, read cleanly
by the ingest layer, and matching what each family's `ground_truth.json` states."""

from __future__ import annotations

import importlib.util
import json
import statistics
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from log_analyzer import open_paths
from log_analyzer.ingest import SourceStats
from log_analyzer.levels import at_least
from log_analyzer.records import Record
from log_analyzer.sources.discover import discover

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT / "fixtures" / "incidents.py"
INCIDENTS = ROOT / "fixtures" / "incidents"
GROUND_TRUTH = "ground_truth.json"
NOT_GENERATED = {"README.md"}

# family -> file -> (the format detection should name, the services its records carry)
EXPECTED: dict[str, dict[str, tuple[str, set[str]]]] = {
    "checkout": {
        "redis/redis-server.log": ("redis", {"redis"}),
        "checkout-service.log": ("spring-boot", {"checkout-service"}),
        "cart-service.log": ("spring-boot", {"cart-service"}),
        "payment-gateway.log": ("pino", {"payment-gateway"}),
        "nginx/access.log": ("access-combined", {"nginx"}),
        "alertmanager/alertmanager.log": ("logfmt", {"alertmanager"}),
    },
    "disk-full": {
        "postgres/postgres-0.log": ("postgres", {"postgres"}),
        "orders-api.log": ("python", {"orders-api"}),
        "nginx/access.log": ("access-combined", {"nginx"}),
        "report-export.log": ("python", {"report-export"}),
    },
    "dns": {
        "coredns/coredns-6f8d9c8b7-4xkzp.log": ("cri+coredns", {"coredns"}),
        "coredns/coredns-6f8d9c8b7-9bq2m.log": ("cri+coredns", {"coredns"}),
        "orders-api.log": ("zap", {"orders-api"}),
        "storefront-bff.log": ("pino", {"storefront-bff"}),
        "payments.log": ("python", {"payments"}),
    },
    "oom-kill": {
        "inventory-node/syslog": ("journal-short-iso", {"kernel", "systemd", "CRON", "sshd"}),
        "inventory-service/inventory.log": ("spring-boot", {"inventory-service"}),
        "nginx/access.log": ("access-combined", {"nginx"}),
        "nginx/error.log": ("nginx-error", {"nginx"}),
    },
    "kafka": {
        "kafka-1/server.log": ("kafka", {"kafka-1"}),
        "kafka-2/server.log": ("kafka", {"kafka-2"}),
        "order-service.log": ("spring-boot", {"order-service"}),
        "notifier.log": ("json", {"notifier"}),
    },
    "tls-expiry": {
        "nginx/access.log": ("access-combined", {"nginx"}),
        "nginx/error.log": ("nginx-error", {"nginx"}),
        "payments-api.log": ("logfmt", {"payments-api"}),
        "order-service.log": ("spring-boot", {"order-service"}),
    },
    "db-pool": {
        "postgres/postgres-0.log": ("postgres", {"postgres"}),
        "orders-service.log": ("spring-boot", {"orders-service"}),
        "billing-batch.log": ("python", {"billing-batch"}),
        "nginx/access.log": ("access-combined", {"nginx"}),
    },
}
FAMILIES = tuple(EXPECTED)
# Lines the package cannot read yet (see fixtures/incidents/README.md, "Known reading gaps").
UNPARSED_GAP = pytest.mark.xfail(
    strict=True,
    reason="package gap: CoreDNS's `[INFO] ...` lines inside CRI files match no inner format "
    "and count as unparsed (the CRI envelope still gives their timestamps)",
)
KNOWN_UNPARSED: set[tuple[str, str]] = set()  # none left: CoreDNS has a format now


@dataclass
class Family:
    truth: dict[str, Any]
    records: dict[str, list[Record]]  # relative file -> its records, in file order
    stats: dict[str, SourceStats]

    def all(self) -> list[Record]:
        return [record for records in self.records.values() for record in records]

    def skew(self, service: str) -> timedelta:
        return timedelta(seconds=self.truth["skew_seconds"].get(service, 0.0))

    def true_time(self, record: Record) -> datetime:
        assert record.timestamp is not None, record
        return record.timestamp - self.skew(record.service)

    def window(self) -> tuple[datetime, datetime]:
        window = self.truth["window"]
        return datetime.fromisoformat(window["start"]), datetime.fromisoformat(window["end"])

    def matches(self, group: dict[str, Any]) -> list[Record]:
        """The group's records as its `count` defines them."""
        return [
            r
            for r in self.all()
            if r.service == group["service"]
            and at_least(r.level, "warning")
            and group["text"] in r.message.split("\n", 1)[0]
        ]


def load_generator(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    spec = importlib.util.spec_from_file_location("incidents_generator", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def relative_files(directory: Path) -> set[str]:
    return {p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file()}


_CACHE: dict[str, Family] = {}


def family(name: str) -> Family:
    """A family's ground truth and every record the package reads from its logs (cached)."""
    if name not in _CACHE:
        folder = INCIDENTS / name
        truth = json.loads((folder / GROUND_TRUTH).read_text(encoding="utf-8"))
        records: dict[str, list[Record]] = {}
        stats: dict[str, SourceStats] = {}
        for parser in open_paths([str(folder)]).parsers:
            assert parser.source.path is not None
            relative = parser.source.path.relative_to(folder).as_posix()
            if relative == GROUND_TRUTH:
                continue  # not a log: see test_ground_truth_is_not_read_as_a_log
            records[relative] = list(parser)
            stats[relative] = parser.stats
        _CACHE[name] = Family(truth, records, stats)
    return _CACHE[name]


# --- the generator ---------------------------------------------------------------------------
def test_regenerating_with_the_default_seed_is_byte_identical(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    generator = load_generator(monkeypatch)
    assert generator.main(["--out", str(tmp_path)]) == 0
    capsys.readouterr()
    committed = relative_files(INCIDENTS) - NOT_GENERATED
    assert relative_files(tmp_path) == committed
    expected = {f"{name}/{file}" for name, files in EXPECTED.items() for file in files}
    expected |= {f"{name}/{GROUND_TRUTH}" for name in FAMILIES}
    assert committed == expected
    for name in sorted(committed):
        assert (tmp_path / name).read_bytes() == (INCIDENTS / name).read_bytes(), name


def test_another_seed_tells_the_same_stories_with_other_details(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    generator = load_generator(monkeypatch)
    assert generator.main(["--seed", "8", "--out", str(tmp_path)]) == 0
    capsys.readouterr()
    assert relative_files(tmp_path) == relative_files(INCIDENTS) - NOT_GENERATED
    for name in FAMILIES:
        ours = json.loads((INCIDENTS / name / GROUND_TRUTH).read_text(encoding="utf-8"))
        theirs = json.loads((tmp_path / name / GROUND_TRUTH).read_text(encoding="utf-8"))
        for key in ("root_cause_service", "skew_seconds", "trend_at_end", "window"):
            assert ours[key] == theirs[key], (name, key)
        assert ours["first_failure"]["file"] == theirs["first_failure"]["file"], name
        assert [g["text"] for g in ours["groups"]] == [g["text"] for g in theirs["groups"]]
        assert ours["files"] != theirs["files"], name  # other volumes
    checkout = json.loads((tmp_path / "checkout" / GROUND_TRUTH).read_text(encoding="utf-8"))
    counts = {(g["service"], g["text"][:24]): g["count"] for g in checkout["groups"]}
    assert counts[("checkout-service", "RedisCommandTimeoutExcep")] == 2341  # pinned by design
    assert counts[("cart-service", "java.lang.NullPointerExc")] == 412
    assert counts[("payment-gateway", "503 Service Unavailable")] == 189


def test_sizes_are_realistic_and_bounded() -> None:
    size = sum(p.stat().st_size for p in INCIDENTS.rglob("*") if p.is_file())
    assert size < 12_000_000
    for name in FAMILIES:
        truth = family(name).truth
        start, end = family(name).window()
        assert timedelta(minutes=30) <= end - start <= timedelta(minutes=45), name
        assert 3 <= len({s for files in EXPECTED[name].values() for s in files[1]}) <= 6
        assert sum(f["lines"] for f in truth["files"]) >= 4_000, name
        assert start.date().isoformat() == "2026-11-28" == end.date().isoformat()


# --- reading the files ---------------------------------------------------------------------------
def test_ground_truth_is_not_read_as_a_log() -> None:
    for name in FAMILIES:
        sources = discover([str(INCIDENTS / name)]).sources
        assert all(s.path is None or s.path.name != GROUND_TRUTH for s in sources), name


@pytest.mark.parametrize("name", FAMILIES)
def test_every_file_is_detected_and_attributed(name: str) -> None:
    fam = family(name)
    start, end = fam.window()
    assert set(fam.stats) == set(EXPECTED[name]) == {f["file"] for f in fam.truth["files"]}
    for row in fam.truth["files"]:
        file = row["file"]
        fmt, services = EXPECTED[name][file]
        stats = fam.stats[file]
        records = fam.records[file]
        assert stats.format == row["format"] == fmt, file
        assert {r.service for r in records} == services, file
        assert stats.lines == row["lines"], file
        assert stats.records == len(records) == row["records"] == stats.timestamped, file
        assert stats.first is not None and stats.last is not None
        skew = timedelta(seconds=row["skew_seconds"])
        assert start + skew <= stats.first <= stats.last < end + skew, file
        # Physical lines add up: every line is a record's first line or one of its continuations.
        assert sum(r.end_line - r.line + 1 for r in records) == stats.lines, file


@pytest.mark.parametrize(
    ("name", "file"),
    [
        pytest.param(name, file, marks=UNPARSED_GAP)
        if (name, file) in KNOWN_UNPARSED
        else pytest.param(name, file)
        for name, files in EXPECTED.items()
        for file in files
    ],
)
def test_every_line_is_parsed(name: str, file: str) -> None:
    assert family(name).stats[file].unparsed == 0


# --- the ground truth ----------------------------------------------------------------------------
@pytest.mark.parametrize("name", FAMILIES)
def test_first_failure_is_the_stated_line_and_the_earliest_incident_record(name: str) -> None:
    fam = family(name)
    ff = fam.truth["first_failure"]
    lines = (INCIDENTS / name / ff["file"]).read_text(encoding="utf-8").split("\n")
    assert lines[ff["line"] - 1] == ff["text"]
    record = next(r for r in fam.records[ff["file"]] if r.line == ff["line"])
    assert record.service == ff["service"]
    assert at_least(record.level, "warning")
    assert fam.true_time(record) == datetime.fromisoformat(ff["timestamp"])
    incident = [r for group in fam.truth["groups"] for r in fam.matches(group)]
    earliest = min(incident, key=fam.true_time)
    assert (earliest.file, earliest.line) == (record.file, record.line)
    assert min(map(fam.true_time, incident)) == fam.true_time(record)


@pytest.mark.parametrize("name", FAMILIES)
def test_group_counts_and_first_seen_match_the_parsed_records(name: str) -> None:
    fam = family(name)
    for group in fam.truth["groups"] + fam.truth["chronic"]:
        found = fam.matches(group)
        assert len(found) == group["count"], group
        assert group["count"] > 0
        assert {r.level for r in found} == {group["level"]}, group
        stamps = [r.timestamp for r in found if r.timestamp is not None]
        assert min(stamps) == datetime.fromisoformat(group["first_seen"]), group
        assert max(stamps) == datetime.fromisoformat(group["last_seen"]), group


@pytest.mark.parametrize("name", FAMILIES)
def test_chronic_groups_run_through_every_five_minutes(name: str) -> None:
    fam = family(name)
    start, end = fam.window()
    slices = int((end - start) / timedelta(minutes=5))
    assert fam.truth["chronic"]
    for group in fam.truth["chronic"]:
        seen = Counter(
            int((fam.true_time(r) - start) / timedelta(minutes=5)) for r in fam.matches(group)
        )
        assert all(seen[i] for i in range(slices)), (group["text"], seen)
    # and no chronic text is mistaken for the incident: incident and chronic texts differ
    chronic = {(g["service"], g["text"]) for g in fam.truth["chronic"]}
    assert not chronic & {(g["service"], g["text"]) for g in fam.truth["groups"]}


@pytest.mark.parametrize("name", FAMILIES)
def test_cascade_is_the_onset_order_of_the_incident_groups(name: str) -> None:
    fam = family(name)
    onsets: dict[str, datetime] = {}
    for group in fam.truth["groups"]:
        first = min(map(fam.true_time, fam.matches(group)))
        onsets[group["service"]] = min(first, onsets.get(group["service"], first))
    cascade = fam.truth["cascade"]
    assert cascade == sorted(onsets, key=onsets.__getitem__)
    assert cascade[0] == fam.truth["first_failure"]["service"]
    services = {s for _, record_services in EXPECTED[name].values() for s in record_services}
    assert fam.truth["root_cause_service"] in services


@pytest.mark.parametrize("name", FAMILIES)
def test_errors_per_minute_and_trend_at_end(name: str) -> None:
    fam = family(name)
    start, _ = fam.window()
    for kind, groups in (("incident", fam.truth["groups"]), ("chronic", fam.truth["chronic"])):
        minutes = Counter(
            int((fam.true_time(r) - start) / timedelta(minutes=1))
            for group in groups
            for r in fam.matches(group)
        )
        stated = [row[kind] for row in fam.truth["errors_per_minute"]]
        assert stated == [minutes[i] for i in range(len(stated))], kind
    incident = [row["incident"] for row in fam.truth["errors_per_minute"]]
    last = sum(incident[-5:])
    peak = max(sum(incident[i : i + 5]) for i in range(len(incident) - 4))
    trend = "resolved" if last == 0 else "ongoing" if last >= 0.5 * peak else "recovering"
    assert fam.truth["trend_at_end"] == trend
    assert sum(incident[:5]) == 0  # the window opens before the incident


@pytest.mark.parametrize("name", FAMILIES)
def test_milestones_are_where_they_say(name: str) -> None:
    fam = family(name)
    assert fam.truth["milestones"]
    for milestone in fam.truth["milestones"]:
        lines = (INCIDENTS / name / milestone["file"]).read_text(encoding="utf-8").split("\n")
        assert lines[milestone["line"] - 1] == milestone["text"], milestone


def test_checkout_tells_the_issues_story() -> None:
    fam = family("checkout")
    groups = {(g["service"], g["text"]): g for g in fam.truth["groups"]}

    def group(service: str, start: str) -> dict[str, Any]:
        return next(g for (s, text), g in groups.items() if s == service and text.startswith(start))

    assert fam.truth["first_failure"]["timestamp"].startswith("2026-11-28T14:01:58")
    assert (
        "Can't save in background: fork: Cannot allocate memory"
        in fam.truth["first_failure"]["text"]
    )
    timeouts = group("checkout-service", "RedisCommandTimeoutException")
    npe = group("cart-service", "java.lang.NullPointerException")
    unavailable = group("payment-gateway", "503 Service Unavailable")
    assert (timeouts["count"], npe["count"], unavailable["count"]) == (2341, 412, 189)
    assert timeouts["first_seen"].startswith("2026-11-28T14:02:03")
    assert npe["first_seen"].startswith("2026-11-28T14:02:08")
    assert unavailable["first_seen"].startswith("2026-11-28T14:05:22")
    traces = fam.matches(npe)
    assert all(
        r.end_line > r.line and "\tat com.example.cart.service.CartService.load(" in r.message
        for r in traces
    )
    alert = next(m for m in fam.truth["milestones"] if "Alertmanager" in m["what"])
    assert alert["timestamp"].startswith("2026-11-28T14:12")
    assert fam.truth["trend_at_end"] == "resolved"


def test_dns_clock_behind_is_measurable_from_shared_request_ids() -> None:
    fam = family("dns")
    assert fam.truth["skew_seconds"]["storefront-bff"] == -3.0
    incoming = {
        r.fields["reqId"]: r.timestamp
        for r in fam.records["storefront-bff.log"]
        if r.fields and r.message == "incoming request" and r.timestamp is not None
    }
    offsets = []
    for r in fam.records["orders-api.log"]:
        if r.fields and r.message == "request" and r.timestamp is not None:
            sent = incoming.get(r.fields["request_id"])
            if sent is not None:
                received = r.timestamp - timedelta(seconds=r.fields["duration"])
                offsets.append((received - sent).total_seconds())
    assert len(offsets) > 200
    assert statistics.median(offsets) == pytest.approx(3.0, abs=0.01)  # bff's clock: 3 s behind
    # By its own clock the bff fails before the true first failure.
    ff = datetime.fromisoformat(fam.truth["first_failure"]["timestamp"])
    failed = next(g for g in fam.truth["groups"] if g["service"] == "storefront-bff")
    assert datetime.fromisoformat(failed["first_seen"]) < ff
    assert ff < min(map(fam.true_time, fam.matches(failed)))
