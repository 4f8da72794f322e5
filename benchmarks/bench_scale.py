"""Scale benchmark: `errors` and `investigate` on a large seeded multi-service incident, cold
and warm (the on-disk index), with one worker process and with two.

    .venv/bin/python benchmarks/bench_scale.py                       # 10,000,000 lines, ~1.7 GB
    .venv/bin/python benchmarks/bench_scale.py --lines 1000000 --out benchmarks/data   # 1M

The data is generated on the fly by `benchmarks/generate.py` (seeded; reused while current)
into `--out` (git-ignored). Every measurement runs in a fresh interpreter, so no run warms
another's caches but the index it is meant to test; peak memory is that interpreter's own
high-water mark (VmHWM) and, for two workers, the largest worker's.

Baselines, named in the output and measured in the same run: `investigate` with one worker
process (`--jobs 1` in the CLI) against two; a cold `errors`/`investigate` (empty index)
against a warm one (the same command again, the files unchanged); and the cold run without
the index (`--no-cache`) to show what building the index costs. Medians of `--repeat`.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.bench_parse import _child_env, code_version, ensure_data  # noqa: E402

DEFAULT_OUT = ROOT / "benchmarks" / "data-10m"

# One measurement in a fresh interpreter: argv = mode, workers, index dir ("-" for none),
# then the paths. Prints one JSON object.
_CHILD = """
import json, resource, sys, time
from pathlib import Path
from log_analyzer.analysis.errors import find_error_groups
from log_analyzer.analysis.investigate import investigate
from log_analyzer.index import IndexStore
mode, workers, where, *paths = sys.argv[1:]
store = None if where == "-" else IndexStore(Path(where), cap_bytes=8 << 30)
reports = []
began = time.perf_counter()
if mode == "errors":
    result = find_error_groups(paths, workers=int(workers), store=store)
    summary = {"groups": len(result.groups), "records": result.records}
    if result.index is not None:
        reports.append(result.index)
else:
    report = investigate(paths, workers=int(workers), store=store, on_index=reports.append)
    summary = {
        "groups": len(report.error_groups),
        "records": report.records,
        "first_failure": f"{report.first_failure.file}:{report.first_failure.line}"
        if report.first_failure else None,
    }
took = time.perf_counter() - began
with open("/proc/self/status") as status:
    peak = next(int(s.split()[1]) * 1024 for s in status if s.startswith("VmHWM:"))
workers_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
index = reports[0] if reports else None
print(json.dumps({
    "seconds": took, "peak": peak, "workers_peak": workers_peak, **summary,
    "parsed_lines": index.parsed_lines if index else None,
    "reused": len(index.reused) if index else None,
}))
"""


def measure(mode: str, workers: int, index: Path | None, paths: list[Path]) -> dict[str, Any]:
    where = str(index) if index is not None else "-"
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, mode, str(workers), where, *map(str, paths)],
        check=True,
        capture_output=True,
        text=True,
        env=_child_env(),
    ).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def median_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    best = dict(runs[0])
    best["seconds"] = statistics.median(r["seconds"] for r in runs)
    best["peak"] = max(r["peak"] for r in runs)
    best["workers_peak"] = max(r["workers_peak"] for r in runs)
    return best


def _mib(value: float) -> str:
    return f"{value / (1 << 20):,.0f} MiB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument(
        "--skip-one-worker", action="store_true", help="skip the (slow) one-worker baseline"
    )
    args = parser.parse_args(argv)
    paths = ensure_data(args.out, args.lines, args.seed)
    total = sum(p.stat().st_size for p in paths)
    lines = args.lines
    print(
        f"data: {lines:,} lines, {total / 1e9:.2f} GB in {len(paths)} files; "
        f"code {code_version()}; python {sys.version.split()[0]}",
        flush=True,
    )
    rows: list[tuple[str, dict[str, Any]]] = []

    def run(label: str, mode: str, workers: int, index: Path | None) -> dict[str, Any]:
        result = median_of([measure(mode, workers, index, paths) for _ in range(args.repeat)])
        rows.append((label, result))
        rate = lines / result["seconds"]
        extra = ""
        if result.get("parsed_lines") is not None:
            extra = f", parsed {result['parsed_lines']:,} lines"
        print(
            f"{label:<44} {result['seconds']:8.2f} s {rate / 1e3:9,.0f}k lines/s  peak "
            f"{_mib(result['peak'])} (largest worker {_mib(result['workers_peak'])}){extra}",
            flush=True,
        )
        return result

    scratch = Path(tempfile.mkdtemp(prefix="log-analyzer-bench-index-"))
    try:
        if not args.skip_one_worker:
            one = run("investigate, 1 worker, no index (baseline)", "investigate", 1, None)
        two = run("investigate, 2 workers, no index", "investigate", 2, None)
        errors_cold = run("errors, 2 workers, cold index (baseline)", "errors", 2, scratch)
        errors_warm = run("errors, 2 workers, warm index", "errors", 2, scratch)
        investigate_cold = run(
            "investigate, 2 workers, cold index (baseline)", "investigate", 2, scratch
        )
        investigate_warm = run("investigate, 2 workers, warm index", "investigate", 2, scratch)
    finally:
        index_bytes = sum(p.stat().st_size for p in scratch.glob("*.idx"))
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"index size: {_mib(index_bytes)} for {total / 1e9:.2f} GB of logs")
    if not args.skip_one_worker:
        print(f"investigate, 2 workers vs 1: {one['seconds'] / two['seconds']:.2f}x faster")
    print(f"errors, warm vs cold index: {errors_cold['seconds'] / errors_warm['seconds']:.1f}x")
    print(
        "investigate, warm vs cold index: "
        f"{investigate_cold['seconds'] / investigate_warm['seconds']:.1f}x"
    )
    print(
        "building the index costs: investigate cold with index vs without: "
        f"{investigate_cold['seconds'] / two['seconds']:.2f}x the time"
    )
    same = {r["first_failure"] for label, r in rows if r.get("first_failure")}
    print(f"first failure, every investigate run: {', '.join(sorted(same))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
