"""Start-up: `log-analyzer --version` and `--help` against a bare interpreter, same run.

    .venv/bin/python benchmarks/bench_startup.py               # 21 runs each, interleaved
    .venv/bin/python benchmarks/bench_startup.py --runs 51 --json /tmp/startup.json

An agent calls the CLI many times per question, so what one call costs before it does any work
matters. The yardstick is `python -c pass` with the same interpreter, measured in the same run,
the three commands taking turns (bare, --version, --help, bare, ...) so that a machine that
slows down mid-run slows them all. `import typer` alone (the command-line framework, most
of the cost) is shown for reference. Each figure is the median over the runs: wall time from
the parent, and CPU time (user + system) of the child, which a loaded machine inflates less.
The target is at most 80 ms above the bare interpreter (issue 17).

Python is run with its bytecode cache on (PYTHONDONTWRITEBYTECODE removed from the children's
environment; the warm-up runs write the cache), as after `pip install`, which compiles it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET_MS = 80.0


def cli_command() -> list[str]:
    """The console script beside this interpreter, else the module."""
    script = Path(sys.executable).parent / "log-analyzer"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "log_analyzer.cli.entry"]


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    return env


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall, cpu) seconds of one run of `command`, its output discarded."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, env=env, stdout=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def measure(runs: int, warmup: int) -> dict[str, dict[str, float]]:
    cli = cli_command()
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "python -c 'import typer'": [sys.executable, "-c", "import typer"],
        "log-analyzer --version": [*cli, "--version"],
        "log-analyzer --help": [*cli, "--help"],
    }
    env = child_env()
    for _ in range(warmup):
        for command in commands.values():
            timed(command, env)
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            samples[name].append(timed(command, env))
    return {
        name: {
            "wall_ms": 1000 * statistics.median(wall for wall, _ in taken),
            "cpu_ms": 1000 * statistics.median(cpu for _, cpu in taken),
            "wall_min_ms": 1000 * min(wall for wall, _ in taken),
        }
        for name, taken in samples.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=21, help="counted runs of each command")
    parser.add_argument("--warmup", type=int, default=2, help="uncounted runs first")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args()
    figures = measure(args.runs, args.warmup)
    bare = figures["python -c pass"]
    print(f"start-up, median of {args.runs} interleaved runs (target: <= {TARGET_MS:.0f} ms above")
    print("the bare interpreter; CPU is the child's user + system time)")
    print(f"  {'command':<26}{'wall ms':>9}{'min ms':>9}{'cpu ms':>9}{'wall +':>9}{'cpu +':>9}")
    verdicts = {}
    for name, figure in figures.items():
        wall_over = figure["wall_ms"] - bare["wall_ms"]
        cpu_over = figure["cpu_ms"] - bare["cpu_ms"]
        figure["wall_over_bare_ms"], figure["cpu_over_bare_ms"] = wall_over, cpu_over
        extra = "" if figure is bare else f"{wall_over:>9.1f}{cpu_over:>9.1f}"
        print(
            f"  {name:<26}{figure['wall_ms']:>9.1f}{figure['wall_min_ms']:>9.1f}"
            f"{figure['cpu_ms']:>9.1f}{extra}"
        )
        if name.startswith("log-analyzer"):
            verdicts[name] = wall_over <= TARGET_MS
    met = ", ".join(f"{name}: {'met' if ok else 'MISSED'}" for name, ok in verdicts.items())
    print(f"target (wall, median): {met}")
    if args.json is not None:
        args.json.write_text(json.dumps({"target_ms": TARGET_MS, "figures": figures}, indent=1))


if __name__ == "__main__":
    main()
