"""Install the log-analyzer Agent Skill where a terminal agent looks for it.

A skill is a folder holding `SKILL.md`. Ours also carries the package source and
`pyproject.toml`, so the agent that reads `SKILL.md` can `pip install` the CLI from the very
folder it found the skill in, without a network path to this repository. The folder names
each agent scans come from their own documentation (checked November 2026):

- Claude Code: `~/.claude/skills/` and `<project>/.claude/skills/` (code.claude.com/docs/skills).
- Codex: `$HOME/.agents/skills/` and `<repo>/.agents/skills/`, the open-standard folders that
  replaced `~/.codex/skills/` (developers.openai.com/codex/skills, "Where to save skills").
- Cursor: `~/.cursor/skills/` and `<project>/.cursor/skills/` (cursor.com/docs/context/skills).
- Gemini CLI: `~/.gemini/skills/` and `<workspace>/.gemini/skills/`
  (geminicli.com/docs/cli/skills, "Discovery tiers").
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Literal, get_args

from ..errors import OptionError

Agent = Literal["claude", "codex", "cursor", "gemini"]
Scope = Literal["user", "project"]

AGENTS: tuple[Agent, ...] = get_args(Agent)
SCOPES: tuple[Scope, ...] = get_args(Scope)
SKILL_NAME = "log-analyzer"

# The skills folder of each agent, under the home directory (user scope) or the project.
SKILL_ROOTS: dict[Agent, Path] = {
    "claude": Path(".claude", "skills"),
    "codex": Path(".agents", "skills"),
    "cursor": Path(".cursor", "skills"),
    "gemini": Path(".gemini", "skills"),
}

# What the installed folder needs: the skill itself, and what `pip install <folder>` builds
# from (`pyproject.toml` names README.md as the readme, so the build fails without it).
SKILL_FILES = ("SKILL.md", "README.md", "pyproject.toml")
SKILL_TREES = ("skill/log_analyzer", "prompts")
# The demo incident SKILL.md's examples read, so the agent can check the install on a known
# answer. Absent from an sdist and a wheel; copied when present.
OPTIONAL_TREES = ("fixtures/incidents/checkout",)
# Its generator, so a copy where it was never rendered can render it (SKILL.md says how).
OPTIONAL_FILES = ("fixtures/generated.py", "fixtures/generated.sha256", "fixtures/incidents.py")
# In an installed package (`pip install DIR`, not editable), the skill's files sit in this
# folder of the package (pyproject.toml's force-include), the prompts in `prompts`.
PACKAGED = "_skill"
_IGNORE = shutil.ignore_patterns("__pycache__", "*.py[co]", "*.egg-info", ".DS_Store")

_NO_SOURCE = (
    "the log-analyzer skill files (SKILL.md, README.md, pyproject.toml) are neither in a "
    "checkout around this package nor installed with the package (a wheel built without "
    "them). Get the repository, install it with `pip install DIR` (or `pip install -e DIR`), "
    "and run install-skill again"
)


def skill_dir_for(
    agent: Agent,
    scope: Scope,
    project_dir: Path | None = None,
    home: Path | None = None,
) -> Path:
    """The folder `agent` reads the log-analyzer skill from, for one user or one project.

    `project_dir` defaults to the current directory and `home` to the user's home, so tests
    and the CLI can point both elsewhere. Strings from the command line are checked here, not
    trusted to the `Literal` types.
    """
    if agent not in SKILL_ROOTS:
        raise OptionError(f"unknown agent {agent!r}: choose one of {', '.join(AGENTS)}")
    if scope == "user":
        base = home if home is not None else Path.home()
    elif scope == "project":
        base = project_dir if project_dir is not None else Path.cwd()
    else:
        raise OptionError(f"unknown scope {scope!r}: choose one of {', '.join(SCOPES)}")
    return base / SKILL_ROOTS[agent] / SKILL_NAME


def default_source() -> Path:
    """Where the skill is copied from: the repository this package runs from
    (`skill/log_analyzer/agent/install.py` sits three folders below it in a checkout or an
    editable install), else the installed package itself, which carries the skill's files."""
    package = Path(__file__).resolve().parents[1]
    root = package.parents[1]
    if _is_source(root):
        return root
    if _is_package(package):
        return package
    raise OptionError(f"{_NO_SOURCE} (looked in {root} and {package / PACKAGED})")


def install_skill(
    agent: Agent,
    scope: Scope,
    *,
    project_dir: Path | None = None,
    home: Path | None = None,
    source: Path | None = None,
) -> Path:
    """Write the skill folder where `agent` looks for it and return that folder.

    The copy is built in a hidden sibling, then renamed into place, so an agent never sees a
    half-written skill and a failed copy leaves the previous install intact. An existing
    log-analyzer skill is replaced; any other folder there is the user's and is refused. When
    the target already is the source (a clone made straight into the skills folder), nothing
    is copied: replacing it would delete the user's checkout.
    """
    target = skill_dir_for(agent, scope, project_dir, home)
    root = source if source is not None else default_source()
    if not (_is_source(root) or _is_package(root)):
        raise OptionError(f"{root} is not a log-analyzer source folder: {_NO_SOURCE}")
    if target.exists() and target.resolve() == root.resolve():
        return target
    _check_replaceable(target)

    target.parent.mkdir(parents=True, exist_ok=True)
    staging = _sibling(target, "new")
    staging.mkdir()  # not mkdtemp: its 0700 mode would make the skill private to one user
    try:
        _copy_skill(root, staging)
        _swap_into_place(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def is_log_analyzer_skill(folder: Path) -> bool:
    """Whether `folder` holds a SKILL.md whose frontmatter names this skill."""
    skill_md = folder / "SKILL.md"
    if not skill_md.is_file():
        return False
    try:
        text = skill_md.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return False
    for line in lines[1:]:
        if line.strip() == "---":
            break
        key, _, value = line.partition(":")
        if key.strip() == "name":
            return value.strip().strip("\"'") == SKILL_NAME
    return False


def _is_source(root: Path) -> bool:
    return (
        (root / "SKILL.md").is_file()
        and (root / "pyproject.toml").is_file()
        and (root / "skill" / "log_analyzer" / "__init__.py").is_file()
    )


def _is_package(folder: Path) -> bool:
    """An installed log_analyzer package that carries the skill's files."""
    return (folder / "__init__.py").is_file() and all(
        (folder / PACKAGED / name).is_file() for name in SKILL_FILES
    )


def _parts(root: Path) -> list[tuple[Path, str]]:
    """What the skill folder is made of: (where it is read, its path in the skill folder).
    From an installed package, the same layout as the repository's, so that `pip install`
    from the skill folder works."""
    if _is_source(root):
        trees = [*SKILL_TREES, *(tree for tree in OPTIONAL_TREES if (root / tree).is_dir())]
        extra = [name for name in OPTIONAL_FILES if (root / name).is_file()]
        return [(root / name, name) for name in (*SKILL_FILES, *trees, *extra)]
    return [
        *((root / PACKAGED / name, name) for name in SKILL_FILES),
        (root, "skill/log_analyzer"),
        (root / "prompts", "prompts"),
    ]


def _check_replaceable(target: Path) -> None:
    """Refuse anything at `target` but nothing, an empty folder, or a log-analyzer skill."""
    if not target.exists() and not target.is_symlink():
        return
    if target.is_dir() and (is_log_analyzer_skill(target) or not any(target.iterdir())):
        return
    raise OptionError(
        f"{target} exists and is not a log-analyzer skill folder: refusing to overwrite it "
        "(move it away, or install for another agent or scope)"
    )


def _sibling(target: Path, role: str) -> Path:
    """A hidden name beside `target`: agents skip dot-folders, and a rename within one folder
    stays on one file system."""
    return target.with_name(f".{target.name}-{role}-{os.getpid()}-{secrets.token_hex(4)}")


def _copy_skill(root: Path, dest: Path) -> None:
    for source, name in _parts(root):
        if source.is_dir():
            shutil.copytree(source, dest / name, ignore=_ignore(source))
        else:
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)


def _ignore(tree: Path) -> Callable[[str, list[str]], set[str]]:
    """What a copy of `tree` leaves out: caches, and in an installed package the folders
    laid out elsewhere in the skill (`_skill`, `prompts`)."""

    def ignored(folder: str, names: list[str]) -> set[str]:
        skipped = set(_IGNORE(folder, names))
        if Path(folder) == tree and _is_package(tree):
            skipped.update({PACKAGED, "prompts"}.intersection(names))
        return skipped

    return ignored


def _swap_into_place(staging: Path, target: Path) -> None:
    """Rename `staging` to `target`, moving a previous install aside first and deleting it
    only once the new one is in place (restoring it if the rename fails)."""
    if not target.exists() and not target.is_symlink():
        staging.rename(target)
        return
    retired = _sibling(target, "old")
    target.rename(retired)
    try:
        staging.rename(target)
    except BaseException:
        retired.rename(target)
        raise
    if retired.is_symlink() or retired.is_file():
        retired.unlink()
    else:
        shutil.rmtree(retired, ignore_errors=True)
