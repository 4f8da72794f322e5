"""The bundled incidents are rendered, not committed (`fixtures/generated.py`): the generators
reproduce `fixtures/generated.sha256` byte for byte, `ensure()` renders only what is missing or
changed, git ships the generators but not their output, and a copy of what git ships (what
`npx skills add` installs) holds every path SKILL.md names once the demo is rendered as
SKILL.md says."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fixtures.generated import FOLDERS, GENERATED, SUMS, digest, ensure, read_sums, render, stale

from .conftest import FIXTURES, ROOT

SCRIPTS = [g.script for g in GENERATED]
SHIPPED_BUDGET = 4_000_000  # bytes of everything git ships; 17 MB with the incidents committed


def scratch_root(tmp_path: Path, sums: str | None = None) -> Path:
    """A `fixtures/` of its own: the generators, the digests, and the committed README."""
    root = tmp_path / "fixtures"
    (root / "incidents").mkdir(parents=True)
    for script in SCRIPTS:
        (root / script).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(FIXTURES / script, root / script)
    (root / SUMS).write_text(sums or (FIXTURES / SUMS).read_text(encoding="utf-8"))
    shutil.copy2(FIXTURES / "incidents" / "README.md", root / "incidents" / "README.md")
    return root


def test_the_generators_reproduce_the_committed_digests_byte_for_byte(tmp_path: Path) -> None:
    render(GENERATED, tmp_path)
    written = {
        p.relative_to(tmp_path).as_posix(): digest(p) for p in tmp_path.rglob("*") if p.is_file()
    }
    committed = read_sums()
    assert sorted(written) == sorted(committed)
    assert [name for name in committed if written[name] != committed[name]] == []
    # the demo's incident and the older bundled one are among them, every file of each
    demo = {name for name in committed if name.startswith("incidents/checkout/")}
    assert {
        "incidents/checkout/redis/redis-server.log",
        "incidents/checkout/ground_truth.json",
    } <= demo
    assert len(demo) == 7
    assert len([name for name in committed if name.startswith("incident/")]) == 6
    assert {name.split("/")[0] for name in committed} == set(FOLDERS)


def test_ensure_renders_what_is_missing_or_changed_and_leaves_the_rest(tmp_path: Path) -> None:
    root = scratch_root(tmp_path)
    readme = (root / "incidents" / "README.md").read_bytes()
    assert len(stale(root)) == len(read_sums(root))  # nothing rendered yet
    assert ensure(root=root) == []
    assert stale(root) == []
    assert (root / "incidents" / "README.md").read_bytes() == readme
    assert not list(root.glob(".rendering-*")), "the scratch folder is removed"

    demo = root / "incidents" / "checkout" / "cart-service.log"
    redis = root / "incident" / "redis" / "redis-server.log"
    before = {p: p.stat() for p in (demo, redis)}
    assert ensure(root=root) == []  # fresh: nothing is rewritten
    for path, stat in before.items():
        assert (path.stat().st_ino, path.stat().st_mtime_ns) == (stat.st_ino, stat.st_mtime_ns)

    # a file cut short and one deleted: only their folder is rendered again
    redis.write_bytes(redis.read_bytes()[:1000])
    (root / "incident" / "worker-cron.log").unlink()
    assert stale(root) == ["incident/redis/redis-server.log", "incident/worker-cron.log"]
    assert stale(root, ["incidents"]) == []
    assert ensure(root=root) == []
    assert digest(redis) == read_sums(root)["incident/redis/redis-server.log"]
    assert (root / "incident" / "worker-cron.log").is_file()
    assert demo.stat().st_ino == before[demo].st_ino, "the other folder was left alone"


def test_a_generator_that_no_longer_matches_the_digests_is_reported(tmp_path: Path) -> None:
    lines = (FIXTURES / SUMS).read_text(encoding="utf-8").splitlines()
    incident = [line for line in lines if line.split("  ", 1)[1].startswith("incident/")]
    # what an edited generator does: its output no longer hashes to the committed digest
    changed = ("0" * 64) + "  incident/worker-cron.log"
    incident = [
        changed if line.endswith("  incident/worker-cron.log") else line for line in incident
    ]
    root = scratch_root(tmp_path, "\n".join(incident) + "\n")
    assert ensure(["incident"], root) == ["incident/worker-cron.log"]
    assert (root / "incident" / "checkout-service.log").is_file()


def test_a_failing_generator_is_an_error_naming_it(tmp_path: Path) -> None:
    root = scratch_root(tmp_path)
    (root / "generate_incident.py").write_text("raise SystemExit('no such seed')\n")
    with pytest.raises(RuntimeError, match=r"generate_incident\.py exited 1: no such seed"):
        ensure(["incident"], root)
    assert not list(root.glob(".rendering-*"))


# --- what git ships ---------------------------------------------------------------------------
def git(*args: str, stdin: str | None = None) -> list[str]:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git work tree")
    done = subprocess.run(
        ["git", *args], cwd=ROOT, input=stdin, capture_output=True, text=True, check=False
    )
    assert done.returncode in (0, 1), done.stderr  # check-ignore: 1 when nothing is ignored
    return done.stdout.splitlines()


def ignored(paths: list[str]) -> set[str]:
    """The paths `.gitignore` excludes, tracked or not (so before the lead's commit too)."""
    return set(git("check-ignore", "--no-index", "--stdin", stdin="\n".join(paths) + "\n"))


def shipped() -> list[str]:
    """What a commit of this tree holds: tracked and new files, minus what .gitignore excludes
    and what is deleted."""
    files = git("ls-files", "--cached", "--others", "--exclude-standard")
    skip = ignored(files)
    return sorted(f for f in set(files) - skip if (ROOT / f).is_file())


def test_git_ignores_the_rendered_files_and_keeps_what_renders_them() -> None:
    rendered = [f"fixtures/{name}" for name in read_sums()]
    assert ignored(rendered) == set(rendered)
    kept = ["fixtures/incidents/README.md", f"fixtures/{SUMS}", "fixtures/generated.py"]
    kept += [f"fixtures/{script}" for script in SCRIPTS]
    assert ignored(kept) == set()
    assert ignored(["fixtures/.rendering-abc123/incident/worker-cron.log"])


def test_what_git_ships_stays_small() -> None:
    files = shipped()
    assert "SKILL.md" in files and "fixtures/incidents.py" in files
    size = sum((ROOT / f).stat().st_size for f in files)
    largest = sorted(files, key=lambda f: (ROOT / f).stat().st_size)[-3:]
    assert size < SHIPPED_BUDGET, f"{size:,} bytes shipped; the largest: {largest}"


def test_a_copy_of_what_git_ships_renders_the_demo_skill_md_names(tmp_path: Path) -> None:
    """`npx skills add` clones the repository and copies it (without `.git`) into the agent's
    skills folder; SKILL.md's own command renders the demo incident its examples read."""
    from .test_skill import assert_references_exist  # here: it imports the whole CLI

    skill_dir = tmp_path / ".claude" / "skills" / "log-analyzer"
    for name in shipped():
        (skill_dir / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, skill_dir / name)
    assert not (skill_dir / "fixtures" / "incidents" / "checkout").exists()
    skill_md = (skill_dir / "SKILL.md").read_text(encoding="utf-8")
    commands = re.findall(r"^python3 (fixtures/\S+\.py.*)$", skill_md, flags=re.MULTILINE)
    assert len(commands) == 1, commands
    argv = [sys.executable, *commands[0].split()]
    subprocess.run(argv, cwd=skill_dir, check=True, capture_output=True)
    assert_references_exist(skill_dir)
    assert (skill_dir / "fixtures" / "incidents" / "checkout" / "ground_truth.json").is_file()
