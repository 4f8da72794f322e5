"""Ingest benchmark: how fast log_analyzer turns the generated incident log into records,
against two floors measured on the same files in the same run.

    .venv/bin/python benchmarks/bench_parse.py                  # 1,000,000 lines, 3 repeats
    .venv/bin/python benchmarks/bench_parse.py --lines 50000 --repeat 1   # quick check

Floors: `wc -l` (a C line counter: the I/O and memchr floor) and a bare Python line loop
(`for line in open(path, "rb")`: the floor for anything written in Python). The parse iterates
`open_paths(paths).records()` in this process and counts the records. Each is run `--repeat`
times, interleaved, and the median wall time is reported. Peak memory is measured in child
processes (`ru_maxrss` of a fresh interpreter), so neither the generator nor the timing runs
count: one child only imports log_analyzer (the baseline), another parses every file.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SKILL = ROOT / "skill"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # `benchmarks.generate` when run as a script
if str(SKILL) not in sys.path:
    sys.path.insert(0, str(SKILL))  # log_analyzer, even from an interpreter it is not installed in

from benchmarks import generate  # noqa: E402

# Run in a child process: the peak RSS of a fresh interpreter that parses every path (or, with
# no path, only imports log_analyzer: the baseline). Not ru_maxrss on Linux: subprocess starts
# children with vfork(), and exec() folds the parent's high-water mark into the child's maxrss,
# so every child would report at least this (bigger) process's peak. VmHWM is the child's own.
_CHILD = """
import json, resource, sys, time
from log_analyzer.ingest import open_paths
records = 0
began = time.perf_counter()
if sys.argv[1:]:
    for _ in open_paths(sys.argv[1:]).records():
        records += 1
took = time.perf_counter() - began
try:  # Linux: this process's own high-water mark
    with open("/proc/self/status") as status:
        peak = next(int(s.split()[1]) * 1024 for s in status if s.startswith("VmHWM:"))
    method = "VmHWM"
except (OSError, StopIteration):
    scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB elsewhere
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale
    method = "ru_maxrss"
print(json.dumps({"records": records, "seconds": took, "peak_bytes": peak, "method": method}))
"""


@dataclass
class Measure:
    """The wall times of one thing measured, and what it counted."""

    name: str
    seconds: list[float] = field(default_factory=list)
    count: int = 0

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def count_wc(paths: Sequence[Path]) -> int:
    """`wc -l` over every file: the total line count it prints."""
    out = subprocess.run(
        ["wc", "-l", *map(str, paths)], check=True, capture_output=True, text=True
    ).stdout
    return int(out.strip().splitlines()[-1].split()[0])


def count_python(paths: Sequence[Path]) -> int:
    """A bare Python line loop over every file."""
    n = 0
    for path in paths:
        with open(path, "rb") as handle:
            for _line in handle:
                n += 1
    return n


def run_investigate(paths: Sequence[Path]) -> int:
    """`investigate` as the CLI runs it (every core), without its rendering."""
    from log_analyzer.analysis.investigate import investigate

    return investigate([str(p) for p in paths]).records


def run_investigate_one_process(paths: Sequence[Path]) -> int:
    from log_analyzer.analysis.investigate import investigate

    return investigate([str(p) for p in paths], workers=1).records


def count_records(paths: Sequence[Path]) -> int:
    """log_analyzer: every record of every file, counted."""
    from log_analyzer.ingest import open_paths

    n = 0
    for _record in open_paths([str(path) for path in paths]).records():
        n += 1
    return n


def count_cli(paths: Sequence[Path]) -> int:
    """The CLI end to end: `log-analyzer parse FILES --jsonl`, output counted, not kept."""
    command = [sys.executable, "-m", "log_analyzer.cli.entry"]
    script = Path(sys.executable).parent / "log-analyzer"
    if script.exists():
        command = [str(script)]
    with subprocess.Popen(
        [*command, "parse", *map(str, paths), "--jsonl"],
        stdout=subprocess.PIPE,
        env=_child_env(),
    ) as child:
        assert child.stdout is not None
        n = sum(1 for _ in child.stdout)
    if child.returncode:
        raise RuntimeError(f"log-analyzer parse exited with {child.returncode}")
    return n


def timed(function: Callable[[Sequence[Path]], int], paths: Sequence[Path]) -> tuple[float, int]:
    gc.collect()
    began = time.perf_counter()
    count = function(paths)
    return time.perf_counter() - began, count


def _child_env() -> dict[str, str]:
    """The environment of a measured child: the package on its path, and Python's bytecode
    cache on, as after `pip install` (which compiles it); a sandbox that turns the cache off
    would otherwise make every child compile the package from source."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SKILL), env.get("PYTHONPATH")]))
    return env


def child_peak(paths: Sequence[Path]) -> dict[str, Any]:
    """Peak RSS (bytes), record count and parse time of a fresh interpreter parsing `paths`
    (with no paths: the interpreter that only imported log_analyzer)."""
    return run_child(_CHILD, paths)


def run_child(script: str, paths: Sequence[Path]) -> dict[str, Any]:
    """Run `script` in a fresh interpreter with `paths` as arguments; the JSON object on its
    last line of output."""
    out = subprocess.run(
        [sys.executable, "-c", script, *map(str, paths)],
        check=True,
        capture_output=True,
        text=True,
        env=_child_env(),
    ).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def ensure_data(out: Path, lines: int, seed: int) -> list[Path]:
    """The data set for these settings, generated first if it is missing or stale."""
    if not generate.is_current(out, lines, seed):
        print(f"generating {lines:,} lines (seed {seed}) into {out} ...", flush=True)
        began = time.perf_counter()
        generate.generate(out, lines, seed)
        print(f"generated in {time.perf_counter() - began:.1f} s", flush=True)
    return generate.data_paths(out)


def code_version() -> str:
    """The commit the package is at, `+dirty` when skill/ has uncommitted changes."""
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", "skill"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+dirty" if dirty else "")


def _rate(count: int, seconds: float) -> str:
    per_second = count / seconds if seconds > 0 else float("inf")
    if per_second >= 1e6:
        return f"{per_second / 1e6:.2f} M/s"
    return f"{per_second / 1e3:.1f} k/s"


def _mib(size: float) -> str:
    return f"{size / (1 << 20):.1f} MiB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--lines",
        type=int,
        default=generate.DEFAULT_LINES,
        help=f"lines in the data set (default {generate.DEFAULT_LINES:,})",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=generate.DEFAULT_SEED,
        help=f"generator seed (default {generate.DEFAULT_SEED})",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="timed runs of each measure; the median is reported (default 3)",
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=generate.DEFAULT_OUT,
        help="data directory (default benchmarks/data/; regenerated if stale)",
    )
    parser.add_argument(
        "--cli", action="store_true", help="also time `log-analyzer parse FILES --jsonl` end to end"
    )
    parser.add_argument(
        "--per-file",
        action="store_true",
        help="also time the parse of each file alone (one run each)",
    )
    parser.add_argument("--no-memory", action="store_true", help="skip the peak-RSS children")
    parser.add_argument(
        "--investigate",
        action="store_true",
        help="also time `investigate` on the same files (every core, then one process)",
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures here")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.lines < 1:
        parser.error("--repeat and --lines must be >= 1")

    paths = ensure_data(args.data, args.lines, args.seed)
    size = sum(path.stat().st_size for path in paths)
    has_wc = shutil.which("wc") is not None

    measures = [Measure("log_analyzer parse"), Measure("python line loop")]
    functions: list[Callable[[Sequence[Path]], int]] = [count_records, count_python]
    if has_wc:
        measures.append(Measure("wc -l"))
        functions.append(count_wc)
    if args.cli:
        measures.append(Measure("log-analyzer parse --jsonl (CLI)"))
        functions.append(count_cli)
    if args.investigate:
        measures.append(Measure("log_analyzer investigate"))
        functions.append(run_investigate)
        measures.append(Measure("log_analyzer investigate, 1 proc"))
        functions.append(run_investigate_one_process)

    count_python(paths)  # warm the page cache: no measure pays for the first read
    for run in range(args.repeat):
        for measure, function in zip(measures, functions, strict=True):
            seconds, count = timed(function, paths)
            measure.seconds.append(seconds)
            measure.count = count
        print(
            f"run {run + 1}/{args.repeat}: "
            + ", ".join(f"{m.name} {m.seconds[-1]:.2f} s" for m in measures),
            flush=True,
        )

    parse, loop = measures[0], measures[1]
    floors = [m for m in measures if m.name in ("wc -l", "python line loop")]
    floors.sort(key=lambda m: m.name != "wc -l")
    lines = loop.count
    if lines != args.lines:
        print(f"warning: the files hold {lines:,} lines, not {args.lines:,}", file=sys.stderr)

    print()
    print(
        f"ingest benchmark: {lines:,} lines, {len(paths)} files, {size / 1e6:.1f} MB "
        f"(seed {args.seed}), median of {args.repeat}"
    )
    version = code_version()
    print(
        f"log_analyzer {version}, python {platform.python_version()}, "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs"
    )
    header = f"{'measure':<34}{'median':>9}{'min':>9}{'lines/s':>12}{'MB/s':>9}"
    labels = {"wc -l": "x wc -l", "python line loop": "x py loop"}
    header += "".join(f"{labels[f.name]:>12}" for f in floors)
    print(header)
    print("-" * len(header))
    for m in [*floors, *(m for m in measures if m not in floors)]:
        row = (
            f"{m.name:<34}{m.median:>8.3f}s{min(m.seconds):>8.3f}s"
            f"{_rate(lines, m.median):>12}{size / 1e6 / m.median:>9.1f}"
        )
        row += "".join(f"{m.median / f.median:>11.1f}x" for f in floors)
        print(row)
    print(
        f"records: {parse.count:,} from {lines:,} lines "
        f"({lines / max(parse.count, 1):.3f} lines per record)"
    )
    for m in measures:
        if m.name.startswith("log_analyzer investigate"):
            print(f"{m.name}: {m.median / parse.median:.2f}x the time of parse alone")

    results: dict[str, object] = {
        "lines": lines,
        "records": parse.count,
        "files": len(paths),
        "bytes": size,
        "seed": args.seed,
        "repeat": args.repeat,
        "python": platform.python_version(),
        "code": version,
        "measures": [asdict(m) | {"median": m.median} for m in measures],
    }

    if args.per_file:
        print()
        print(
            f"{'file':<28}{'lines':>10}{'records':>10}{'seconds':>9}{'lines/s':>12}"
            f"{'x py loop':>11}"
        )
        per_file = []
        for path in paths:
            file_lines = count_python([path])
            floor, _ = timed(count_python, [path])
            seconds, records = timed(count_records, [path])
            print(
                f"{path.name:<28}{file_lines:>10,}{records:>10,}{seconds:>8.2f}s"
                f"{_rate(file_lines, seconds):>12}{seconds / floor:>10.1f}x"
            )
            per_file.append(
                {
                    "file": path.name,
                    "lines": file_lines,
                    "records": records,
                    "seconds": seconds,
                    "loop_seconds": floor,
                }
            )
        results["per_file"] = per_file

    if not args.no_memory:
        baseline = child_peak([])
        peak = child_peak(paths)
        print()
        print(f"peak RSS of a fresh child interpreter ({peak['method']})")
        print(f"  import log_analyzer.ingest only (baseline)   {_mib(baseline['peak_bytes']):>10}")
        print(
            f"  parse every file                             {_mib(peak['peak_bytes']):>10}"
            f"   (+{_mib(peak['peak_bytes'] - baseline['peak_bytes'])} over the baseline; "
            f"{int(peak['records']):,} records in {peak['seconds']:.2f} s)"
        )
        results["memory"] = {
            "baseline_bytes": baseline["peak_bytes"],
            "parse_peak_bytes": peak["peak_bytes"],
        }

    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
