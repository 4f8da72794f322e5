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
