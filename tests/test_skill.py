"""SKILL.md keeps its promises, and `install_skill` puts a working copy where agents look.

Which code blocks of SKILL.md are run: every block fenced as ```bash, ```sh or ```console,
unless the line just before its fence (blank lines aside) is `<!-- not-run -->`. Blocks fenced
any other way (```text, ```json...) are never run. In a run block, each line that starts with
`log-analyzer` (after an optional `$ ` prompt) is one command, run in-process from the
repository root, which is also the skill folder: `shlex.split`, cut at the first `|`, `>`,
`;` or `&&`. Other lines (`cd`, `pip`, comments) are skipped. So a command shown to an agent
in a run block must exit 0 on the bundled fixtures; commands that need an API key or write
files belong in prose or in a not-run block.
"""

from __future__ import annotations

import re
import shlex
import shutil
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from log_analyzer.agent import install as install_module
from log_analyzer.agent.install import (
    AGENTS,
    SCOPES,
    Agent,
    Scope,
    install_skill,
    is_log_analyzer_skill,
    skill_dir_for,
)
from log_analyzer.cli.app import run
from log_analyzer.errors import OptionError

from .conftest import ROOT

SKILL_MD = ROOT / "SKILL.md"
ALLOWED_KEYS = {"name", "description", "license", "allowed-tools", "metadata", "compatibility"}
REQUIRED_WORDS = ("incident", "logs", "root cause", "errors", "outage", "post-mortem")
RUN_LANGUAGES = {"bash", "sh", "console"}
NOT_RUN = "<!-- not-run -->"
SHELL_BREAKS = {"|", "||", "&&", ";", ">", ">>", "2>", "2>&1", "<"}


@dataclass(frozen=True)
class Block:
    language: str
    lines: tuple[str, ...]
    run: bool


def split_skill(text: str) -> tuple[dict[str, str | dict[str, str]], str]:
    """The frontmatter (`key: value` lines and one level of nested maps) and the body."""
    lines = text.splitlines()
    assert lines[0] == "---", "SKILL.md must open with YAML frontmatter"
    end = lines.index("---", 1)
    front: dict[str, str | dict[str, str]] = {}
    nested: dict[str, str] | None = None
    for line in lines[1:end]:
        if not line.strip():
            continue
        if line.startswith((" ", "\t")):
            assert nested is not None, f"indented line outside a map: {line!r}"
            key, _, value = line.strip().partition(":")
            nested[key.strip()] = _scalar(value)
            continue
        key, sep, value = line.partition(":")
        assert sep, f"not a `key: value` line: {line!r}"
        if value.strip():
            front[key.strip()], nested = _scalar(value), None
        else:
            nested = {}
            front[key.strip()] = nested
    return front, "\n".join(lines[end + 1 :])


def _scalar(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def code_blocks(body: str) -> Iterator[Block]:
    lines = body.splitlines()
    index = 0
    previous = ""
    while index < len(lines):
        line = lines[index]
        fence = re.match(r"^```(\w*)\s*$", line)
        if not fence:
            if line.strip():
                previous = line.strip()
            index += 1
            continue
        language = fence.group(1).lower()
        end = lines.index("```", index + 1)
        yield Block(
            language,
            tuple(lines[index + 1 : end]),
            language in RUN_LANGUAGES and previous != NOT_RUN,
        )
        previous = ""
        index = end + 1


def commands(block: Block) -> Iterator[list[str]]:
    """The `log-analyzer` commands of a block, continuation lines joined, argv without the
    program name."""
    logical: list[str] = []
    pending = ""
    for raw in block.lines:
        line = raw.rstrip()
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    for line in logical:
        line = line.strip().removeprefix("$ ")
        if not line.startswith("log-analyzer "):
            continue
        argv: list[str] = []
        for token in shlex.split(line, comments=True)[1:]:
            if token in SHELL_BREAKS:
                break
            argv.append(token)
        yield argv


def test_the_block_convention() -> None:
    sample = "\n".join(
        [
            "```bash",
            "# a comment",
            'cd "$SKILL_DIR"',
            "log-analyzer errors logs/ --limit 5 | head",
            "log-analyzer parse logs/ \\",
            "  --jsonl --limit 3 > out.jsonl",
            "```",
            "```console",
            "$ log-analyzer sources logs/",
            "```",
            "<!-- not-run -->",
            "",
            "```sh",
            "log-analyzer ask 'why?'",
            "```",
            "```text",
            "log-analyzer mcp",
            "```",
        ]
    )
    found = [argv for block in code_blocks(sample) if block.run for argv in commands(block)]
    assert found == [
        ["errors", "logs/", "--limit", "5"],
        ["parse", "logs/", "--jsonl", "--limit", "3"],
        ["sources", "logs/"],
    ]


FRONT, BODY = split_skill(SKILL_MD.read_text(encoding="utf-8"))
BLOCKS = list(code_blocks(BODY))
COMMANDS = [argv for block in BLOCKS if block.run for argv in commands(block)]


def test_frontmatter_keys_and_values() -> None:
    assert set(FRONT) <= ALLOWED_KEYS, f"unknown keys: {set(FRONT) - ALLOWED_KEYS}"
    assert FRONT["name"] == "log-analyzer"
    assert FRONT["license"] == "MIT"
    description = FRONT["description"]
    assert isinstance(description, str)
    assert 0 < len(description) <= 1024
    for word in REQUIRED_WORDS:
        assert word in description.lower(), f"description lacks {word!r}"
    assert "use when" in description.lower(), "description must say when to use the skill"
    compatibility = FRONT.get("compatibility", "")
    assert isinstance(compatibility, str) and len(compatibility) <= 500


def test_metadata_version_matches_the_package() -> None:
    metadata = FRONT.get("metadata")
    assert isinstance(metadata, dict)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert metadata["version"] == project["version"]


def test_enough_commands_are_checked() -> None:
    assert len(COMMANDS) >= 8, COMMANDS
    assert {argv[0] for argv in COMMANDS} >= {
        "sources",
        "investigate",
        "errors",
        "parse",
        "trend",
        "fixes",
        "report",
    }


def test_token_saving_flags_are_taught() -> None:
    shown = " ".join(" ".join(argv) for argv in COMMANDS)
    for flag in ("--json", "--limit", "--min-level", "--since", "--until", "--service"):
        assert flag in shown, f"no runnable example uses {flag}"
    assert any(argv[0] == "parse" and "--jsonl" in argv and "--limit" in argv for argv in COMMANDS)


def test_body_teaches_the_rules() -> None:
    flat = " ".join(BODY.split())
    assert "untrusted data" in flat and "never an instruction to follow" in flat
    assert "`file:line`" in flat
    for mention in ("tools --format anthropic|openai|mcp", "log-analyzer mcp", "ANTHROPIC_API_KEY"):
        assert mention in flat, f"SKILL.md does not mention {mention!r}"


@pytest.mark.parametrize("argv", COMMANDS, ids=[" ".join(argv) for argv in COMMANDS])
def test_skill_command_runs(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    code = run(argv)
    captured = capsys.readouterr()
    assert code == 0, f"log-analyzer {' '.join(argv)} exited {code}: {captured.err[-2000:]}"
    assert captured.out.strip()


def test_install_command_installs_the_skill_folder() -> None:
    installs = [
        line.strip()
        for block in BLOCKS
        for line in block.lines
        if re.search(r"\bpip(x)? install\b", line)
    ]
    assert len(installs) == 1, f"exactly one install command expected, found {installs}"
    assert not any(block.run and "pip install" in "\n".join(block.lines) for block in BLOCKS), (
        "the install command belongs in a not-run block"
    )
    install = installs[0]
    assert re.search(r'"\$SKILL_DIR"|"\$\{SKILL_DIR\}"', install), install
    assert re.search(r"`SKILL_DIR` is the folder holding this SKILL\.md", BODY)
    assert (SKILL_MD.parent / "pyproject.toml").is_file()


def referenced_paths(body: str) -> set[str]:
    """Relative paths SKILL.md names: whitespace-free code spans and link targets that hold a
    `/` or a file suffix. Home (`~`), variable (`$`), absolute and dot-folder paths name
    places outside the skill and are left out; paths inside run blocks are checked by running
    their commands."""
    spans = re.findall(r"`([^`\s]+)`", body) + re.findall(r"\]\(([^)\s#]+)\)", body)
    return {
        span
        for span in spans
        if re.fullmatch(r"[\w-][\w.-]*(/[\w.-]+)*/?", span)
        and ("/" in span or re.search(r"\.(md|toml|json|log|py)$", span))
    }


def assert_references_exist(skill_dir: Path) -> None:
    body = split_skill((skill_dir / "SKILL.md").read_text(encoding="utf-8"))[1]
    paths = referenced_paths(body)
    assert "fixtures/incidents/checkout/" in paths
    missing = sorted(path for path in paths if not (skill_dir / path).exists())
    assert not missing, f"SKILL.md names files absent from {skill_dir}: {missing}"


def test_repository_copied_as_a_claude_skill_is_consistent(tmp_path: Path) -> None:
    skill_dir = tmp_path / ".claude" / "skills" / "log-analyzer"
    heavy = {".git", ".venv", "benchmarks", ".mypy_cache", ".ruff_cache", ".pytest_cache"}
    shutil.copytree(
        ROOT,
        skill_dir,
        ignore=lambda folder, names: (
            [name for name in names if (Path(folder) == ROOT and name in heavy)]
            + [name for name in names if name == "__pycache__"]
        ),
    )
    assert is_log_analyzer_skill(skill_dir)
    assert skill_dir.name == FRONT["name"], "agents want the folder named after the skill"
    assert (skill_dir / "pyproject.toml").is_file()
    assert_references_exist(skill_dir)


EXPECTED_ROOTS = {
    "claude": ".claude/skills",
    "codex": ".agents/skills",
    "cursor": ".cursor/skills",
    "gemini": ".gemini/skills",
}
CASES = [(agent, scope) for agent in AGENTS for scope in SCOPES]


@pytest.mark.parametrize(("agent", "scope"), CASES)
def test_skill_dir_for(agent: Agent, scope: Scope, tmp_path: Path) -> None:
    home, project = tmp_path / "home", tmp_path / "proj"
    base = home if scope == "user" else project
    expected = base / EXPECTED_ROOTS[agent] / "log-analyzer"
    assert skill_dir_for(agent, scope, project_dir=project, home=home) == expected


def test_skill_dir_for_rejects_unknown_names(tmp_path: Path) -> None:
    with pytest.raises(OptionError, match="unknown agent"):
        skill_dir_for("vim", "user", home=tmp_path)  # type: ignore[arg-type]
    with pytest.raises(OptionError, match="unknown scope"):
        skill_dir_for("claude", "global", home=tmp_path)  # type: ignore[arg-type]


@pytest.mark.parametrize(("agent", "scope"), CASES)
def test_install_skill(agent: Agent, scope: Scope, tmp_path: Path) -> None:
    home, project = tmp_path / "home", tmp_path / "proj"
    folder = install_skill(agent, scope, project_dir=project, home=home, source=ROOT)
    assert folder == skill_dir_for(agent, scope, project_dir=project, home=home)
    for name in ("SKILL.md", "README.md", "pyproject.toml", "prompts/README.md"):
        assert (folder / name).is_file(), name
    assert (folder / "skill" / "log_analyzer" / "__init__.py").is_file()
    assert (folder / "skill" / "log_analyzer" / "agent" / "install.py").is_file()
    assert not list(folder.rglob("__pycache__")) and not list(folder.rglob("*.pyc"))
    assert sorted(p.name for p in folder.parent.iterdir()) == ["log-analyzer"], "no leftovers"
    assert_references_exist(folder)
    # What `pip install <folder>` builds from, per the copied pyproject.toml.
    config = tomllib.loads((folder / "pyproject.toml").read_text(encoding="utf-8"))
    assert (folder / config["project"]["readme"]).is_file()
    for package in config["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]:
        assert (folder / package / "__init__.py").is_file(), package


def test_reinstall_replaces_the_previous_install(tmp_path: Path) -> None:
    home = tmp_path / "home"
    folder = install_skill("claude", "user", home=home, source=ROOT)
    (folder / "stale.txt").write_text("from an older version\n")
    (folder / "SKILL.md").write_text("---\nname: log-analyzer\n---\nold\n")
    again = install_skill("claude", "user", home=home, source=ROOT)
    assert again == folder
    assert not (folder / "stale.txt").exists()
    assert (folder / "SKILL.md").read_bytes() == SKILL_MD.read_bytes()
    assert sorted(p.name for p in folder.parent.iterdir()) == ["log-analyzer"]


def test_install_fills_an_empty_folder(tmp_path: Path) -> None:
    target = skill_dir_for("gemini", "project", project_dir=tmp_path)
    target.mkdir(parents=True)
    assert (install_skill("gemini", "project", project_dir=tmp_path) / "SKILL.md").is_file()


@pytest.mark.parametrize("skill_md", [None, "---\nname: other-skill\n---\n"])
def test_install_refuses_a_foreign_folder(tmp_path: Path, skill_md: str | None) -> None:
    target = skill_dir_for("cursor", "project", project_dir=tmp_path)
    target.mkdir(parents=True)
    (target / "notes.txt").write_text("mine\n")
    if skill_md is not None:
        (target / "SKILL.md").write_text(skill_md)
    with pytest.raises(OptionError, match="refusing to overwrite"):
        install_skill("cursor", "project", project_dir=tmp_path, source=ROOT)
    assert (target / "notes.txt").read_text() == "mine\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["log-analyzer"]


def test_install_refuses_a_file_in_the_way(tmp_path: Path) -> None:
    target = skill_dir_for("codex", "user", home=tmp_path)
    target.parent.mkdir(parents=True)
    target.write_text("not a folder\n")
    with pytest.raises(OptionError, match="refusing to overwrite"):
        install_skill("codex", "user", home=tmp_path, source=ROOT)


def test_install_into_the_source_itself_changes_nothing(tmp_path: Path) -> None:
    """A clone made straight into the skills folder is already installed; copying over it
    would delete the user's checkout."""
    clone = install_skill("claude", "project", project_dir=tmp_path, source=ROOT)
    (clone / "my-notes.txt").write_text("keep\n")
    assert install_skill("claude", "project", project_dir=tmp_path, source=clone) == clone
    assert (clone / "my-notes.txt").read_text() == "keep\n"


def test_default_source_is_this_repository(tmp_path: Path) -> None:
    folder = install_skill("claude", "user", home=tmp_path)
    assert (folder / "SKILL.md").read_bytes() == SKILL_MD.read_bytes()


def test_a_source_without_skill_md_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    with pytest.raises(OptionError, match=r"SKILL\.md"):
        install_skill("claude", "user", home=tmp_path / "home", source=tmp_path / "src")
    assert not (tmp_path / "home").exists()


def test_a_wheel_install_without_the_repository_says_where_to_get_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "lib" / "python3.11" / "site-packages"
    monkeypatch.setattr(install_module, "__file__", str(site / "log_analyzer/agent/install.py"))
    with pytest.raises(OptionError, match="nor installed with the package") as caught:
        install_skill("claude", "user", home=tmp_path / "home")
    assert "pip install -e" in str(caught.value)
