"""The CLI's shape (issue 16 items 9 and 11, issue 17 item 1): no import cycle, a small
import set at start-up, `--version`, help written in words, one exception hierarchy, one name
per class, and `install-skill` from an installed (non-editable) package."""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import pkgutil
import re
import shutil
import subprocess
import sys
import tomllib
from collections import defaultdict
from pathlib import Path
from types import ModuleType

import pytest

import log_analyzer
from log_analyzer.cli.app import app, run
from log_analyzer.errors import LogAnalyzerError

from .conftest import ROOT

PACKAGE = ROOT / "skill" / "log_analyzer"
CLI = PACKAGE / "cli"
# what the CLI's entry point must not load before a command runs
HEAVY = (
    "anthropic",
    "openai",
    "jinja2",
    "mcp",
    "httpx",
    "httpx2",
    "rich",
    "pydantic",
    "log_analyzer.agent",
    "log_analyzer.remote",
    "log_analyzer.formats",
    "log_analyzer.ingest",
    "log_analyzer.render",
    "log_analyzer.analysis",
)


def imported_in_child(code: str) -> list[str]:
    """`sys.modules` after `code`, in a fresh interpreter."""
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return list(json.loads(done.stdout.splitlines()[-1]))


def heavy_in(modules: list[str]) -> list[str]:
    return [m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY)]


# --- start-up ---------------------------------------------------------------------------------


def test_importing_the_entry_point_loads_no_library() -> None:
    assert heavy_in(imported_in_child("import log_analyzer.cli.app")) == []


def test_the_console_entry_point_loads_not_even_typer() -> None:
    """It tries a replay (`cli.replay`) before the app is imported."""
    loaded = imported_in_child("import log_analyzer.cli.entry")
    assert [m for m in loaded if m.split(".")[0] in {"typer", "click"}] == []
    assert heavy_in(loaded) == []


def after_run_code(argv: list[str]) -> str:
    return (
        "import contextlib, io\n"
        "from log_analyzer.cli.app import run\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    assert run({argv!r}) == 0\n"
    )


def after_run(argv: list[str]) -> list[str]:
    return imported_in_child(after_run_code(argv))


@pytest.mark.parametrize("argv", [["--help"], ["--version"]])
def test_help_and_version_load_no_library(argv: list[str]) -> None:
    assert heavy_in(after_run(argv)) == []


def test_a_command_s_help_loads_no_library() -> None:
    """A command's help builds its options: nothing of ours beyond the CLI, and no pydantic
    (typer 0.29 validates options through pydantic: ~100 ms a run, hence `typer<0.29`)."""
    assert heavy_in(after_run(["investigate", "--help"])) == []


def test_a_command_still_loads_what_it_needs() -> None:
    """The guard above is not vacuous: running a command imports the library."""
    assert "log_analyzer.formats" in heavy_in(after_run(["formats"]))


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    assert run(["--version"]) == 0
    out = capsys.readouterr().out
    assert out == f"log-analyzer {log_analyzer.__version__}\n"
    assert log_analyzer.__version__ == version("log-analyzer")


def test_the_package_root_still_offers_its_api() -> None:
    opened = log_analyzer.open_paths([str(ROOT / "fixtures" / "incidents" / "checkout")])
    assert isinstance(opened, log_analyzer.OpenedSources)
    assert set(log_analyzer.__all__) <= set(dir(log_analyzer)) | set(log_analyzer._LAZY)
    with pytest.raises(AttributeError):
        log_analyzer.Workspace  # noqa: B018 - the name went to the agent's workspace


# --- no cycle ---------------------------------------------------------------------------------


def cli_imports() -> dict[str, set[str]]:
    """cli module -> the cli modules it imports (at any depth of its body)."""
    graph: dict[str, set[str]] = {}
    for path in CLI.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        targets: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                if node.module:
                    targets.add(node.module.split(".")[0])
                else:
                    targets.update(alias.name for alias in node.names)
        graph[path.stem] = targets & {p.stem for p in CLI.glob("*.py")}
    return graph


def test_cli_modules_import_each_other_without_a_cycle() -> None:
    graph = cli_imports()
    assert graph["__init__"] == set()
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, f"import cycle: {' -> '.join((*path, module))}"
        if module in done:
            return
        for target in graph[module]:
            visit(target, (*path, module))
        done.add(module)

    for module in graph:
        visit(module, ())
    # only the entry point imports the app (after trying a replay)
    assert {name for name, targets in graph.items() if "app" in targets} == {"entry"}


# --- help in words ----------------------------------------------------------------------------


def help_of(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert run([*argv, "--help"]) == 0
    return capsys.readouterr().out


def command_names() -> list[str]:
    import typer.main

    group = typer.main.get_command(app)
    return list(group.list_commands(None))  # type: ignore[attr-defined]


def test_every_command_is_listed(capsys: pytest.CaptureFixture[str]) -> None:
    listed = help_of(capsys)
    names = command_names()
    assert len(names) >= 17
    for name in names:
        assert re.search(rf"^  {re.escape(name)}\s+\S", listed, re.M), name


def test_help_names_values_in_words(capsys: pytest.CaptureFixture[str]) -> None:
    for name in command_names():
        text = help_of(capsys, name)
        assert not re.search(r"<(list|str|int|float|path|bool)[^>]*>", text), f"{name}: {text}"
        assert "{" not in text.split("\n", 1)[0], f"{name}: {text.splitlines()[0]}"
    parse = help_of(capsys, "parse")
    assert parse.startswith("Usage: log-analyzer parse [OPTIONS] PATH...\n")
    for words in ("--service NAME[=GLOB]", "--since TIME", "--until TIME", "--min-level LEVEL"):
        assert words in parse
    levels = " ".join(parse.split())
    assert "trace, debug, info, notice, warning, error, critical or fatal" in levels
    assert "[PATH...]" in help_of(capsys, "ask").splitlines()[0]


def test_values_written_out_for_the_help_match_the_library() -> None:
    from log_analyzer.agent import budget, loop
    from log_analyzer.analysis import compare
    from log_analyzer.cli import agent_commands, compare_command, options
    from log_analyzer.levels import LEVELS

    assert options.LEVELS == LEVELS
    assert agent_commands.DEFAULT_TOKEN_BUDGET == budget.DEFAULT_TOKEN_BUDGET
    assert agent_commands.DEFAULT_MAX_TURNS == loop.DEFAULT_MAX_TURNS
    assert agent_commands.DEFAULT_TOKEN_LIMIT == loop.DEFAULT_TOKEN_LIMIT
    assert agent_commands.DEFAULT_MAX_TOKENS == loop.DEFAULT_MAX_TOKENS
    assert compare_command.DEFAULT_WINDOW == compare.DEFAULT_WINDOW


# --- exceptions and names ---------------------------------------------------------------------


def package_modules() -> list[ModuleType]:
    modules = []
    for info in pkgutil.walk_packages([str(PACKAGE)], "log_analyzer."):
        if info.name.endswith("__main__"):  # runs the CLI
            continue
        try:
            modules.append(importlib.import_module(info.name))
        except ImportError as error:  # an optional extra (chdb) not installed
            if "log_analyzer" in str(error):
                raise
    return modules


def test_every_exception_of_the_package_is_a_log_analyzer_error() -> None:
    outside = sorted(
        f"{cls.__module__}.{cls.__name__}"
        for module in package_modules()
        for cls in vars(module).values()
        if inspect.isclass(cls)
        and issubclass(cls, BaseException)
        and cls.__module__.startswith("log_analyzer")
        and not cls.__name__.startswith("_")
        and not issubclass(cls, LogAnalyzerError)
    )
    assert outside == []


def test_the_exceptions_the_cli_meets_are_in_one_module() -> None:
    from log_analyzer import errors
    from log_analyzer.agent.loop import ProviderError, TransientError
    from log_analyzer.agent.roots import PathRefused
    from log_analyzer.analysis.service_names import UnknownService
    from log_analyzer.index.store import IndexCorrupt, IndexUnusable
    from log_analyzer.remote.base import RemoteError
    from log_analyzer.sources.reader import BombError, TruncatedError

    for cls in (
        ProviderError,
        TransientError,
        PathRefused,
        UnknownService,
        IndexCorrupt,
        IndexUnusable,
        RemoteError,
        BombError,
        TruncatedError,
    ):
        assert cls.__module__ == "log_analyzer.errors" and getattr(errors, cls.__name__) is cls
    assert issubclass(TransientError, ProviderError)
    assert issubclass(BombError, errors.SourceError)


def test_a_provider_error_is_one_line_from_run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A model call failing where no command catches it: one line and exit 2, no longer an
    internal error (it was a plain Exception)."""
    from log_analyzer.errors import ProviderError

    def refuse(dialect: str) -> None:
        raise ProviderError("model server: 401 invalid key")

    monkeypatch.setattr("log_analyzer.agent.registry.tool_schemas", refuse)
    assert run(["tools"]) == 2
    assert capsys.readouterr().err == "log-analyzer: error: model server: 401 invalid key\n"


def test_no_two_classes_share_a_name() -> None:
    places: dict[str, list[str]] = defaultdict(list)
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                places[node.name].append(str(path.relative_to(PACKAGE)))
    shared = {name: where for name, where in places.items() if len(where) > 1}
    assert shared == {}


# --- install-skill from an installed package --------------------------------------------------


def installed_like_a_wheel(site: Path) -> Path:
    """The package laid out in `site` as pyproject.toml tells hatch to build the wheel: the
    package folders, then the force-included files."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    wheel = config["tool"]["hatch"]["build"]["targets"]["wheel"]
    for package in wheel["packages"]:
        shutil.copytree(
            ROOT / package,
            site / Path(package).name,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        )
    for source, target in wheel["force-include"].items():
        copy = shutil.copytree if (ROOT / source).is_dir() else shutil.copy2
        (site / target).parent.mkdir(parents=True, exist_ok=True)
        copy(ROOT / source, site / target)
    return site / "log_analyzer"


def test_install_skill_works_from_an_installed_package(tmp_path: Path) -> None:
    site, home = tmp_path / "site-packages", tmp_path / "home"
    package = installed_like_a_wheel(site)
    assert not (site / "SKILL.md").exists()  # no repository around it
    script = (
        "import sys, log_analyzer\n"
        f"assert log_analyzer.__file__.startswith({str(site)!r}), log_analyzer.__file__\n"
        "from log_analyzer.cli.app import run\n"
        "sys.exit(run(['install-skill', '--agent', 'codex']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(site), "HOME": str(home), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    folder = Path(done.stdout.strip())
    assert folder == home / ".agents" / "skills" / "log-analyzer"
    for name in ("SKILL.md", "README.md", "pyproject.toml"):
        assert (folder / name).read_bytes() == (ROOT / name).read_bytes(), name
    assert (folder / "prompts" / "system.md.j2").is_file()
    assert (folder / "skill" / "log_analyzer" / "cli" / "app.py").is_file()
    assert (folder / "skill" / "log_analyzer" / "knowledge").is_dir()
    # laid out as the repository, so `pip install "$SKILL_DIR"` builds from it
    assert not (folder / "skill" / "log_analyzer" / "_skill").exists()
    assert not (folder / "skill" / "log_analyzer" / "prompts").exists()
    assert (package / "_skill" / "SKILL.md").is_file()


def test_a_repeat_answered_from_the_index_loads_no_library(tmp_path: Path) -> None:
    """`errors --json` asked again on an unchanged file prints its kept answer: no parser, no
    analysis, no pydantic (typer before 0.29 builds options without it), no rich."""
    log = tmp_path / "app.log"
    log.write_text(
        "2026-11-28 14:02:03,118 ERROR [main] c.e.Orders - Sync failed: connection refused\n"
        "2026-11-28 14:02:04,002 INFO [main] c.e.Orders - Retrying in 5 s\n"
    )
    argv = ["errors", str(log), "--json"]
    setup = f"import os\nos.environ['LOG_ANALYZER_CACHE_DIR'] = {str(tmp_path / 'index')!r}\n"
    first = heavy_in(imported_in_child(setup + after_run_code(argv)))
    assert "log_analyzer.analysis" in first  # the first run computes the answer
    loaded = heavy_in(imported_in_child(setup + after_run_code(argv)))
    assert [m for m in loaded if m != "log_analyzer.formats.locations"] == [
        "log_analyzer.formats"  # the namespace of `formats.locations`: no parser
    ]
