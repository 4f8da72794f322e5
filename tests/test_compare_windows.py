"""`compare_windows`: what changed in each service's logs around a pivot, INFO included, on
corrected clocks, through the library, the tool registry and the CLI.

The incident: orders-service (Spring Boot) calls inventory-service (Go, slog's text handler).
At 09:26:30 inventory-service's database refuses connections: half its reservations fail
(a new ERROR, new WARN retries), its stock cache refresh stops logging, and its rate goes up.
orders-service goes on as before, except for error lines that name inventory-service.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from log_analyzer.agent.registry import call
from log_analyzer.agent.roots import AllowedRoots
from log_analyzer.agent.workspace import Workspace
from log_analyzer.analysis.compare import compare_windows, window_seconds
from log_analyzer.cli.app import app, run
from log_analyzer.errors import OptionError
from log_analyzer.ingest import parse_paths

PIVOT = datetime(2026, 11, 28, 9, 26, 30, tzinfo=UTC)
START = datetime(2026, 11, 28, 9, 18, 0, tzinfo=UTC)
END = datetime(2026, 11, 28, 9, 34, 0, tzinfo=UTC)
ORDER_EVERY = timedelta(seconds=4)
CACHE_EVERY = timedelta(seconds=20)


@dataclass
class Written:
    """What the generator wrote: per service, the true time of every line, by kind."""

    lines: dict[str, list[tuple[datetime, str]]] = field(default_factory=dict)

    def add(self, service: str, when: datetime, kind: str) -> None:
        self.lines.setdefault(service, []).append((when, kind))

    def count(self, service: str, start: datetime, end: datetime, kind: str | None = None) -> int:
        return sum(
            1
            for when, k in self.lines[service]
            if start <= when < end and (kind is None or k == kind)
        )


def _spring(when: datetime, level: str, thread: str, logger: str, message: str) -> str:
    stamp = when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"
    return f"{stamp} {level:>5} 1 --- [orders-service] [{thread:>15}] {logger:<40} : {message}"


def _slog(when: datetime, level: str, message: str, **attrs: object) -> str:
    stamp = when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"
    pairs = " ".join(
        f'{key}="{value}"' if " " in str(value) or ":" in str(value) else f"{key}={value}"
        for key, value in attrs.items()
    )
    return f'time={stamp} level={level} msg="{message}" {pairs}'.rstrip()


def write_incident(directory: Path, inventory_ahead: float = 0.0) -> Written:
    """orders-service.log and inventory-service.log from START to END; inventory-service's
    clock runs `inventory_ahead` seconds ahead (its lines are stamped so)."""
    rng = random.Random(7)
    written = Written()
    orders: list[str] = []
    inventory: list[str] = []
    ahead = timedelta(seconds=inventory_ahead)
    refresh = START + timedelta(seconds=7)
    when = START + timedelta(milliseconds=113)
    number = 100492900
    while when < END:
        while refresh <= when:
            if refresh < PIVOT:  # the refresh job hangs on the database from the pivot on
                entries = 18200 + rng.randrange(100)
                inventory.append(
                    _slog(
                        refresh + ahead,
                        "INFO",
                        "stock cache refreshed",
                        entries=entries,
                        took=f"{rng.randrange(30, 60)}ms",
                    )
                )
                written.add("inventory-service", refresh, "refresh")
            refresh += CACHE_EVERY
        number += 1
        request = f"{rng.getrandbits(128):032x}"
        thread = f"o-8080-exec-{rng.randrange(1, 200)}"
        customer = f"C-{rng.randrange(100000, 999999)}"
        orders.append(
            _spring(
                when,
                "INFO",
                thread,
                "c.e.orders.service.OrderService",
                f"Order {number} created for customer {customer} ({rng.randrange(1, 6)} items) "
                f"(requestId={request})",
            )
        )
        written.add("orders-service", when, "created")
        sku = f"SKU-{rng.randrange(10000, 99999)}"
        called = when + timedelta(milliseconds=rng.randrange(5, 15))
        failing = when >= PIVOT and number % 2 == 0
        if not failing:
            inventory.append(
                _slog(
                    called + ahead,
                    "INFO",
                    "reserved stock",
                    request_id=request,
                    sku=sku,
                    qty=rng.randrange(1, 4),
                    duration=f"{rng.randrange(4, 20)}ms",
                )
            )
            written.add("inventory-service", called, "reserved")
        else:
            for attempt in range(2, 6):
                retry = called + timedelta(milliseconds=200 * attempt)
                inventory.append(
                    _slog(
                        retry + ahead,
                        "WARN",
                        "retrying reservation",
                        request_id=request,
                        attempt=attempt,
                        backoff=f"{200 * attempt}ms",
                    )
                )
                written.add("inventory-service", retry, "retry")
            failed = called + timedelta(milliseconds=1100)
            inventory.append(
                _slog(
                    failed + ahead,
                    "ERROR",
                    "reserve failed",
                    request_id=request,
                    sku=sku,
                    err="pq: sorry, too many clients already",
                )
            )
            written.add("inventory-service", failed, "failed")
            answered = failed + timedelta(milliseconds=3)
            orders.append(
                _spring(
                    answered,
                    "ERROR",
                    thread,
                    "c.e.orders.client.InventoryClient",
                    f"Stock reservation failed for order {number}: 503 Service Unavailable "
                    "from POST http://inventory-service:8080/api/reservations, will retry "
                    f"asynchronously (requestId={request})",
                )
            )
            written.add("orders-service", answered, "caller-error")
        when += ORDER_EVERY + timedelta(milliseconds=rng.randrange(-300, 300))
    (directory / "orders-service.log").write_text("\n".join(orders) + "\n")
    # lines of one file in the order they were written: by their own stamps
    inventory.sort(key=lambda line: line.split(" ", 1)[0])
    (directory / "inventory-service.log").write_text("\n".join(inventory) + "\n")
    return written


def write_nginx(directory: Path, since: datetime) -> list[datetime]:
    """An nginx access log, steady at 12 requests a minute, that starts at `since`."""
    rng = random.Random(11)
    times = []
    lines = []
    when = since
    while when < END:
        stamp = when.strftime("%d/%b/%Y:%H:%M:%S +0000")
        query = rng.choice(["shoes", "red+dress", "socks", "jacket"])
        lines.append(
            f'10.42.0.{rng.randrange(2, 250)} - - [{stamp}] "GET /api/search?q={query} '
            f'HTTP/1.1" 200 {rng.randrange(900, 9000)} "-" "Mozilla/5.0 (X11; Linux x86_64; '
            'rv:133.0) Gecko/20100101 Firefox/133.0"'
        )
        times.append(when)
        when += timedelta(seconds=5)
    (directory / "nginx").mkdir()
    (directory / "nginx" / "access.log").write_text("\n".join(lines) + "\n")
    return times


@pytest.fixture
def incident(tmp_path: Path) -> tuple[Path, Written]:
    return tmp_path, write_incident(tmp_path)


def _records(directory: Path) -> list[Any]:
    return parse_paths([str(directory)])


def test_the_callee_changed_and_the_caller_only_names_it(incident):
    directory, written = incident
    result = compare_windows(_records(directory), PIVOT, 300, 300)
    assert [s.service for s in result.services] == ["inventory-service", "orders-service"]
    callee, caller = result.services
    before, after = PIVOT - timedelta(minutes=5), PIVOT + timedelta(minutes=5)

    assert callee.verdict.startswith("changed: 2 new templates (1 error), 1 gone")
    assert "rate x2" in callee.verdict
    assert [(c.template, c.level) for c in callee.new] == [
        ("reserve failed", "error"),
        ("retrying reservation", "warning"),
    ]
    failed = callee.new[0]
    assert failed.before == 0
    assert failed.after == written.count("inventory-service", PIVOT, after, "failed")
    lines = (directory / "inventory-service.log").read_text().splitlines()
    first_error = next(line for line in lines if "level=ERROR" in line)
    assert failed.example.file.endswith("inventory-service.log")
    assert lines[failed.example.line - 1] == first_error
    assert failed.label.startswith("inventory-service ")
    [refresh] = callee.gone
    assert (refresh.template, refresh.level, refresh.after) == ("stock cache refreshed", "info", 0)
    assert refresh.before == written.count("inventory-service", before, PIVOT, "refresh")
    assert callee.before_per_minute == pytest.approx(
        written.count("inventory-service", before, PIVOT) / 5, abs=0.01
    )
    assert callee.after_per_minute == pytest.approx(
        written.count("inventory-service", PIVOT, after) / 5, abs=0.01
    )

    # the caller: its orders at the same rate, one new error template naming the callee
    assert caller.verdict == "changed: 1 new template (1 error)"
    [named] = caller.new
    assert named.level == "error" and "inventory-service" in named.example.text
    assert named.after == written.count("orders-service", PIVOT, after, "caller-error")
    assert caller.gone == [] and caller.changed == []


def test_a_narrow_level_and_a_named_service(incident):
    directory, _ = incident
    records = _records(directory)
    warnings = compare_windows(records, PIVOT, 300, 300, min_level="warning")
    callee = warnings.services[0]
    assert callee.gone == []  # the INFO refresh no longer counts
    assert {c.level for c in callee.new} == {"error", "warning"}
    only = compare_windows(records, PIVOT, 300, 300, services=["orders-service"])
    assert [s.service for s in only.services] == ["orders-service"]


def test_nothing_changes_away_from_the_pivot(incident):
    directory, _ = incident
    calm = PIVOT - timedelta(minutes=3)  # both windows before the database failed
    result = compare_windows(_records(directory), calm, 120, 120)
    assert [s.verdict for s in result.services] == ["unchanged", "unchanged"]


def test_a_log_that_starts_mid_window_is_rated_over_what_it_covers(incident):
    directory, _ = incident
    since = PIVOT - timedelta(seconds=150)
    times = write_nginx(directory, since)
    result = compare_windows(_records(directory), PIVOT, 300, 300)
    nginx = next(s for s in result.services if s.service == "nginx")
    assert nginx.before_seconds == pytest.approx(150, abs=0.01)
    assert nginx.after_seconds == pytest.approx(300, abs=1)
    before = sum(1 for t in times if since <= t < PIVOT)
    after = sum(1 for t in times if PIVOT <= t < PIVOT + timedelta(minutes=5))
    assert nginx.before_per_minute == pytest.approx(before / 2.5, abs=0.01)
    assert nginx.after_per_minute == pytest.approx(after / 5, rel=0.01)
    assert nginx.verdict == "unchanged"  # over the whole window it would read as rate x2
    assert result.services[-1].service == "nginx"


def test_a_service_that_stops_logging_is_silent_not_uncovered(incident):
    directory, _ = incident
    lines = (directory / "inventory-service.log").read_text().splitlines()
    cut = PIVOT.strftime("time=%Y-%m-%dT%H:%M:%S")
    kept = [line for line in lines if line.split(" ", 1)[0] < cut]
    (directory / "inventory-service.log").write_text("\n".join(kept) + "\n")
    callee = compare_windows(_records(directory), PIVOT, 300, 300).services[0]
    assert callee.service == "inventory-service"
    assert callee.after_records == 0 and callee.after_seconds == pytest.approx(300, abs=5)
    assert "silent after the pivot" in callee.verdict
    assert {c.template for c in callee.gone} == {"reserved stock", "stock cache refreshed"}


def test_records_are_compared_on_corrected_clocks(tmp_path):
    """inventory-service's clock runs 8 s ahead: on its own stamps, its first errors fall
    outside a 20 s window after the pivot."""
    written = write_incident(tmp_path, inventory_ahead=8.0)
    records = _records(tmp_path)
    end = PIVOT + timedelta(seconds=20)
    truth = written.count("inventory-service", PIVOT, end, "failed")
    fixed = compare_windows(records, PIVOT, 300, 20, skew={"inventory-service": 8.0})
    raw = compare_windows(records, PIVOT, 300, 20)
    assert fixed.skew_seconds == {"inventory-service": 8.0}
    assert fixed.clock_reference == []  # no other service was linked in the skew given

    def failures(result: Any) -> int:
        callee = next(s for s in result.services if s.service == "inventory-service")
        found: int = next(c.after for c in callee.new if c.template == "reserve failed")
        return found

    assert failures(fixed) == truth
    assert failures(raw) < truth


@pytest.mark.parametrize(
    ("text", "seconds"), [("90s", 90), ("5m", 300), ("1.5h", 5400), ("10", 600)]
)
def test_window_lengths(text, seconds):
    assert window_seconds(text, "--before") == seconds


@pytest.mark.parametrize("text", ["0m", "five minutes", "-5m", "400h"])
def test_bad_window_lengths(text):
    with pytest.raises(OptionError, match="--before"):
        window_seconds(text, "--before")


# --- the tool -----------------------------------------------------------------------------


def _workspace(directory: Path) -> Workspace:
    space = Workspace(AllowedRoots.for_session([str(directory)], cwd=directory))
    space.load([str(directory)])
    return space


def _data(text: str) -> dict[str, Any]:
    head, body, tail = text.split("\n")
    assert head.startswith("<log-data tool=") and tail == "</log-data>"
    parsed: dict[str, Any] = json.loads(body)
    return parsed


def test_the_tool_through_the_registry(tmp_path):
    write_incident(tmp_path)
    space = _workspace(tmp_path)
    result = call(space, "compare_windows", {"at": "2026-11-28T09:26:30Z", "limit": 1})
    assert not result.is_error, result.text
    data = _data(result.text)
    assert data["at"].startswith("2026-11-28T09:26:30")
    assert data["clocks"] == "no skew found"
    callee = data["services"][0]
    assert callee["service"] == "inventory-service"
    assert callee["verdict"].startswith("changed: 2 new templates (1 error), 1 gone")
    [failed] = callee["new"]  # limit 1 per kind: the verdict still counts both
    assert failed["level"] == "error" and failed["before"] == 0
    file, line = failed["at"].rsplit(":", 1)
    lines = (tmp_path / file).read_text().splitlines()
    assert "level=ERROR" in lines[int(line) - 1]
    assert failed["text"] == "reserve failed" and failed["template"] == "reserve failed"
    assert " -> " in callee["per_minute"] and "covered_seconds" not in callee


def test_the_tool_compares_on_the_estimated_clocks(tmp_path):
    """The skew comes from the request ids both services log; the pivot is read on the
    clock of the service the other is set against."""
    written = write_incident(tmp_path, inventory_ahead=8.0)
    space = _workspace(tmp_path)
    data = _data(
        call(space, "compare_windows", {"at": "2026-11-28T09:26:30Z", "after": "20s"}).text
    )
    if data["clocks"] == "corrected: inventory-service +8.0s (against orders-service)":
        pivot = PIVOT
    else:
        assert data["clocks"] == "corrected: orders-service -8.0s (against inventory-service)"
        pivot = PIVOT - timedelta(seconds=8)
    end = pivot + timedelta(seconds=20)
    by_service = {s["service"]: s for s in data["services"]}
    failed = by_service["inventory-service"]["new"][0]
    assert failed["template"] == "reserve failed"
    assert failed["after"] == written.count("inventory-service", pivot, end, "failed")
    named = by_service["orders-service"]["new"][0]
    assert named["after"] == written.count("orders-service", pivot, end, "caller-error")
    # on the raw stamps one of the two would be off
    early, late = PIVOT - timedelta(seconds=8), PIVOT + timedelta(seconds=20)
    assert (failed["after"], named["after"]) != (
        written.count("inventory-service", early, early + timedelta(seconds=20), "failed"),
        written.count("orders-service", PIVOT, late, "caller-error"),
    )


def test_the_tool_defaults_to_the_first_failure(tmp_path):
    write_incident(tmp_path)
    space = _workspace(tmp_path)
    first = space.investigation().first_failure
    assert first is not None
    data = _data(call(space, "compare_windows", {"service": "orders-service"}).text)
    assert datetime.fromisoformat(data["at"]) == first.timestamp
    assert [s["service"] for s in data["services"]] == ["orders-service"]


def test_the_tool_refuses_a_bad_time(tmp_path):
    write_incident(tmp_path)
    result = call(_workspace(tmp_path), "compare_windows", {"at": "half past nine"})
    assert result.is_error and "at 'half past nine'" in result.text
    result = call(_workspace(tmp_path), "compare_windows", {"before": "a while"})
    assert result.is_error and "before 'a while'" in result.text


# --- the CLI ------------------------------------------------------------------------------


def test_the_cli_compares(incident):
    directory, written = incident
    runner = CliRunner()
    shown = runner.invoke(app, ["compare", str(directory), "--at", "2026-11-28T09:26:30Z"])
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    assert lines[0].startswith("compare at 2026-11-28T09:26:30Z: 09:21:30 .. 09:26:30")
    verdicts = [line for line in lines if line and not line.startswith((" ", "compare"))]
    assert verdicts[0].startswith("inventory-service: changed: 2 new templates (1 error)")
    assert verdicts[1].startswith("orders-service: changed: 1 new template (1 error)")
    assert any(
        line.lstrip().startswith("gone") and "stock cache refreshed" in line for line in lines
    )

    as_json = runner.invoke(
        app, ["compare", str(directory), "--at", "2026-11-28T09:26:30Z", "--json", "--quiet"]
    )
    assert as_json.exit_code == 0, as_json.output
    data = json.loads(as_json.output)
    callee = data["services"][0]
    assert callee["service"] == "inventory-service"
    end = PIVOT + timedelta(minutes=5)
    assert callee["new"][0]["after"] == written.count("inventory-service", PIVOT, end, "failed")


def test_a_bad_at_is_one_line_and_exit_status_2(incident, capsys):
    directory, _ = incident
    assert run(["compare", str(directory), "--at", "half past nine"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err
    assert err.startswith("log-analyzer: error: --at 'half past nine': expected a time")
    result = CliRunner().invoke(app, ["compare", str(directory), "--at", "half past nine"])
    assert isinstance(result.exception, OptionError)


def test_on_the_bundled_checkout_incident_the_root_cause_changed_most():
    """Redis runs out of memory; its callers fail after it. Around the first failure redis's
    log changed most (new warnings, saves at another rate, rate x20), and the alert manager,
    which only reports, changed least."""
    root = Path(__file__).resolve().parents[1]
    checkout = root / "fixtures" / "incidents" / "checkout"
    space = Workspace(AllowedRoots.for_session([str(checkout)], cwd=root))
    space.load([str(checkout)])
    data = _data(call(space, "compare_windows", {}).text)
    order = [s["service"] for s in data["services"]]
    assert order[0] == "redis" and order[-1] == "alertmanager"
    assert data["services"][-1]["verdict"] == "unchanged"
    redis = data["services"][0]
    assert any("Cannot allocate memory" in c["text"] for c in redis["new"])
