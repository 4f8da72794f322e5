"""Root-cause robustness matrix: every incident family in every variant, against its truth.

    .venv/bin/python benchmarks/bench_rootcause.py            # render, investigate, print
    .venv/bin/python benchmarks/bench_rootcause.py --seed 8   # the same stories, other draws

Two generators written apart: the bundled families (`fixtures/incidents.py`, told as
`default`, `pods`, `noisy`, `sparse`, `skewed`, `formats`, `wording`) and the families written
by another hand (`fixtures/families/`). For each incident it prints whether the first failure
(exact file:line), the root-cause service, the cascade and its links are right, then the
confidence calibration: the stated root-cause confidence, binned, against how often the root
cause was right. The yardstick is the truth each generator writes while rendering.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT / "fixtures" / "incidents.py"
for entry in (ROOT, ROOT / "skill"):
    if str(entry) not in sys.path:
        sys.path.insert(0, str(entry))

from fixtures.families import render_all  # noqa: E402
from tests.incident_checks import (  # noqa: E402
    cascade_problems,
    chronic_problems,
    first_failure_problems,
    root_cause_problems,
)

from log_analyzer.analysis.investigate import investigate  # noqa: E402


def _bundled() -> ModuleType:
    """fixtures/incidents.py, loaded by path (a folder of the same name holds its output)."""
    spec = importlib.util.spec_from_file_location("incidents_generator", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


def _render(out: Path, seed: int) -> list[Path]:
    bundled = _bundled()
    folders = []
    for variant in bundled.VARIANTS:
        target = out / "bundled" / variant
        bundled.render(target, seed=seed, variant=variant)
        folders.extend(sorted(p for p in target.iterdir() if p.is_dir()))
    render_all(out / "families", seed=seed)
    folders.extend(sorted(p.parent for p in (out / "families").glob("*/*/ground_truth.json")))
    return folders


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as temporary:
        for folder in _render(Path(temporary), args.seed):
            truth = json.loads((folder / "ground_truth.json").read_text())
            report = investigate([str(folder)])
            confidence = report.root_cause.confidence if report.root_cause else 0.0
            name = "/".join(folder.relative_to(temporary).parts[1:])
            rows.append(
                (
                    name,
                    not first_failure_problems(report, truth, folder),
                    not root_cause_problems(report, truth),
                    not cascade_problems(report, truth) and not chronic_problems(report, truth),
                    confidence,
                )
            )
    print(f"{'incident':<40} first  root  cascade  confidence")
    for name, first, root, cascade, confidence in rows:
        marks = ["ok" if value else "--" for value in (first, root, cascade)]
        print(f"{name:<40} {marks[0]:<6} {marks[1]:<5} {marks[2]:<8} {confidence:.2f}")
    for label, index in (("first failure", 1), ("root cause", 2), ("cascade", 3)):
        right = sum(1 for row in rows if row[index])
        print(f"{label}: {right} of {len(rows)} right")
    bins: dict[str, list[bool]] = defaultdict(list)
    for _, _, root, _, confidence in rows:
        low = min(int(confidence * 10) / 10, 0.9)
        bins[f"{low:.1f}-{low + 0.1:.1f}"].append(root)
    print("confidence   incidents  root cause right")
    for key in sorted(bins):
        outcomes = bins[key]
        print(f"{key:<12} {len(outcomes):>9}  {sum(outcomes) / len(outcomes):.0%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
