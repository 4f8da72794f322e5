"""Remote benchmark: `investigate` on a ClickHouse `otel_logs` table of over a million rows,
with counting and filtering pushed down: how many rows and bytes travel, against the table.

    .venv/bin/python benchmarks/bench_remote.py

The table is the seeded benchmark incident (`generate.py`, 1,150,000 lines into
`benchmarks/data-remote/`, git-ignored), parsed and loaded into chdb (ClickHouse in process)
in the OpenTelemetry exporter's schema (`fixtures/otel.py`). The source queries it through the
same interface clickhouse-connect serves for a server, so what it fetches is what would cross
the network. Baseline, in the same run: the table's own row count and size (what pulling the
logs to the laptop would move), and `investigate` on the files themselves, whose first failure
the remote run must name too.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from fixtures.otel import DATABASE, TABLE, load  # noqa: E402

from benchmarks.bench_parse import code_version, ensure_data  # noqa: E402
from log_analyzer.analysis.investigate import investigate  # noqa: E402
from log_analyzer.ingest import parse_paths  # noqa: E402
from log_analyzer.remote import clickhouse  # noqa: E402
from log_analyzer.remote.clickhouse import ClickHouseSource  # noqa: E402

URI = f"clickhouse://clickhouse.bench:8123/{DATABASE}?table={TABLE}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--lines", type=int, default=1_150_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "data-remote")
    args = parser.parse_args(argv)
    paths = [str(p) for p in ensure_data(args.out, args.lines, args.seed)]
    print(f"code {code_version()}; python {sys.version.split()[0]}", flush=True)

    began = time.perf_counter()
    engine = clickhouse.ChdbClient()
    rows = load(engine, parse_paths(paths))
    print(
        f"loaded {rows:,} rows into chdb {DATABASE}.{TABLE} in {time.perf_counter() - began:.1f} s"
    )
    [(table_bytes,)] = engine.query(
        "SELECT sum(data_uncompressed_bytes) FROM system.parts "
        f"WHERE database = '{DATABASE}' AND table = '{TABLE}' AND active"
    ).result_rows

    clickhouse.connect = lambda spec: engine  # investigate opens the URI itself
    opened: list[ClickHouseSource] = []
    original = clickhouse.ClickHouseSource.__init__

    def tracked(self: ClickHouseSource, *a: object, **k: object) -> None:
        original(self, *a, **k)  # type: ignore[arg-type]
        opened.append(self)

    clickhouse.ClickHouseSource.__init__ = tracked  # type: ignore[method-assign]
    began = time.perf_counter()
    remote = investigate([URI])
    took_remote = time.perf_counter() - began
    traffic = opened[0].traffic

    began = time.perf_counter()
    files = investigate(paths)
    took_files = time.perf_counter() - began

    share = traffic.rows / rows
    print(f"table: {rows:,} rows, {int(table_bytes) / 1e6:,.1f} MB uncompressed (baseline)")
    print(
        f"investigate over clickhouse://: {took_remote:.2f} s; fetched {traffic.rows:,} rows "
        f"({share:.2%} of the table) in {traffic.queries} queries, "
        f"{traffic.bytes / 1e6:,.2f} MB transferred "
        f"({traffic.bytes / int(table_bytes):.2%} of the table's bytes)"
    )
    print("  rows by query: " + ", ".join(f"{k} {v:,}" for k, v in traffic.by_kind.items()))
    print(f"investigate over the files: {took_files:.2f} s")
    remote_first = remote.first_failure
    files_first = files.first_failure
    same = (
        remote_first is not None
        and files_first is not None
        and (remote_first.file, remote_first.line) == (files_first.file, files_first.line)
    )
    print(
        f"first failure: remote {remote_first.file if remote_first else None}:"
        f"{remote_first.line if remote_first else None}, files "
        f"{files_first.file if files_first else None}:{files_first.line if files_first else None}"
        f" ({'same' if same else 'DIFFERENT'})"
    )
    print(f"fewer than 5% of rows fetched: {'yes' if share < 0.05 else 'NO'}")
    return 0 if share < 0.05 and same else 1


if __name__ == "__main__":
    raise SystemExit(main())
