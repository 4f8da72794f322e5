"""A clock correction finer than a log's resolution must not move its records: a service that
stamps whole seconds gets no sub-second skew, whatever the request pairs' median says."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from log_analyzer.analysis.investigate import investigate

T0 = datetime(2026, 11, 28, 14, 0, 0, tzinfo=UTC)


def _write(tmp_path: Path) -> None:
    gateway, worker = [], []
    for n in range(120):
        sent = T0 + timedelta(seconds=7 * n, milliseconds=137)
        rid = f"req-{n:05d}"
        gateway.append(
            json.dumps(
                {
                    "time": sent.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                    "level": "info",
                    "msg": "forwarded",
                    "request_id": rid,
                }
            )
        )
        handled = sent + timedelta(milliseconds=21)  # stamped in whole seconds below
        worker.append(
            f"{handled.strftime('%Y-%m-%d %H:%M:%S')} INFO worker - handled request_id={rid}"
        )
    (tmp_path / "gateway.log").write_text("\n".join(gateway) + "\n")
    (tmp_path / "worker.log").write_text("\n".join(worker) + "\n")


def test_no_sub_second_correction_for_a_log_stamped_in_whole_seconds(tmp_path: Path) -> None:
    _write(tmp_path)
    report = investigate([str(tmp_path)])
    assert set(report.skew_seconds) >= {"gateway", "worker"}
    assert report.skew_seconds["worker"] - report.skew_seconds["gateway"] == 0.0


def _write_skewed_failure(tmp_path: Path, ahead: float) -> None:
    """A gateway and its worker, the worker's clock `ahead` seconds fast (milliseconds
    stamped); from request 80 on the worker fails first, then the gateway reports it."""
    gateway, worker = [], []
    for n in range(120):
        sent = T0 + timedelta(seconds=7 * n, milliseconds=137)
        rid = f"req-{n:05d}"
        handled = sent + timedelta(milliseconds=40)
        failing = n >= 80
        stamp = (handled + timedelta(seconds=ahead)).strftime("%Y-%m-%d %H:%M:%S,%f")[:-3]
        if failing:
            worker.append(
                f"{stamp} ERROR worker - query failed request_id={rid}: "
                "psycopg2.OperationalError: could not connect to server: Connection refused"
            )
        else:
            worker.append(f"{stamp} INFO worker - handled request_id={rid}")
        answered = sent + timedelta(milliseconds=90)
        gateway.append(
            json.dumps(
                {
                    "time": answered.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                    "level": "error" if failing else "info",
                    "msg": "upstream worker returned 500" if failing else "forwarded",
                    "request_id": rid,
                }
            )
        )
    (tmp_path / "gateway.log").write_text("\n".join(gateway) + "\n")
    (tmp_path / "worker.log").write_text("\n".join(worker) + "\n")


def test_a_moved_event_shows_the_time_its_log_wrote(tmp_path: Path) -> None:
    _write_skewed_failure(tmp_path, ahead=6.0)
    report = investigate([str(tmp_path)])
    offset = report.skew_seconds["worker"] - report.skew_seconds.get("gateway", 0.0)
    assert abs(offset - 6.0) < 0.2
    first = report.first_failure
    assert first is not None and first.service == "worker"
    assert first.raw_timestamp is not None
    written = T0 + timedelta(seconds=7 * 80 + 6, milliseconds=137 + 40)
    assert first.raw_timestamp == written
    assert abs((first.raw_timestamp - first.timestamp).total_seconds() - offset) < 0.01
    moved = [e for e in report.timeline if e.service == "worker" and e.file is not None]
    assert moved and all(e.raw_timestamp is not None for e in moved)
    unmoved = [e for e in report.timeline if e.service == "gateway" and e.file is not None]
    assert all(e.raw_timestamp is None for e in unmoved)
