"""Where the tools may read (issue 13): the working directory is an allowed root by itself only
when it is an ordinary directory. Started from `/`, from the home directory or from above it
(MCP clients commonly start servers there), it is not: `read_lines ~/.ssh/id_ed25519` is
refused. An MCP client that declares roots replaces it altogether. The server says which
roots it uses: one line on stderr at start-up, and in its instructions."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client, StdioServerParameters, types
from mcp.client.stdio import stdio_client

from log_analyzer.agent.mcp_server import build_server
from log_analyzer.agent.roots import AllowedRoots, PathRefused
from log_analyzer.agent.session import ToolSession
from log_analyzer.agent.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]
KEY_BODY = "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW"
LOG_LINE = "2026-11-28T14:00:00Z ERROR [api] upstream 503"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home directory with an SSH key and a log, set as $HOME."""
    home = tmp_path / "home" / "alice"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_ed25519").write_text(
        f"-----BEGIN OPENSSH PRIVATE KEY-----\n{KEY_BODY}\n-----END OPENSSH PRIVATE KEY-----\n"
    )
    (home / "app.log").write_text(LOG_LINE + "\n")
    (home / "project" / "logs").mkdir(parents=True)
    (home / "project" / "logs" / "api.log").write_text(LOG_LINE + "\n")
    monkeypatch.setenv("HOME", str(home))
    return home


def refused(roots: AllowedRoots, path: str) -> bool:
    try:
        roots.check(path)
    except PathRefused as error:
        return "refused" in str(error)
    return False


def test_the_home_directory_is_not_a_root_by_itself(home: Path) -> None:
    roots = AllowedRoots.for_session([], cwd=home)
    assert home not in roots.roots
    assert refused(roots, "~/.ssh/id_ed25519")
    assert refused(roots, str(home / ".ssh" / "id_ed25519"))
    assert refused(roots, ".ssh/id_ed25519")
    assert refused(roots, "app.log")
    assert "home directory" in roots.describe()


def test_nor_a_directory_above_it(home: Path) -> None:
    for above in (home.parent, home.parent.parent):
        roots = AllowedRoots.for_session([], cwd=above)
        assert above not in roots.roots
        assert refused(roots, "~/.ssh/id_ed25519")


def test_nor_the_file_system_root(home: Path) -> None:
    roots = AllowedRoots.for_session([], cwd=Path("/"))
    assert Path("/") not in roots.roots
    assert refused(roots, str(home / "app.log"))
    assert refused(roots, "~/.ssh/id_ed25519")
    assert "/var/log" in roots.describe()


def test_an_ordinary_working_directory_still_is(home: Path) -> None:
    project = home / "project"
    roots = AllowedRoots.for_session([], cwd=project)
    assert project in roots.roots
    assert roots.check("logs/api.log") == project / "logs" / "api.log"
    assert refused(roots, "~/.ssh/id_ed25519")


def test_what_the_user_names_is_allowed(home: Path) -> None:
    # a directory given explicitly, the home directory included, is the user's choice
    roots = AllowedRoots.for_session([], allow=[str(home)], cwd=Path("/"))
    assert roots.check("~/.ssh/id_ed25519")
    # a file directly in the home directory opens that file, not the whole directory
    roots = AllowedRoots.for_session([str(home / "app.log")], cwd=home)
    assert roots.check("~/app.log") == home / "app.log"
    assert refused(roots, "~/.ssh/id_ed25519")
    # a project directory under it opens that directory
    roots = AllowedRoots.for_session([str(home / "project" / "logs")], cwd=home)
    assert roots.check("~/project/logs/api.log")
    assert refused(roots, "~/.ssh/id_ed25519")


def test_read_lines_of_an_ssh_key_from_home_is_refused(home: Path) -> None:
    workspace = Workspace(AllowedRoots.for_session([], cwd=home))
    session = ToolSession(workspace)
    for path in ("~/.ssh/id_ed25519", ".ssh/id_ed25519", str(home / ".ssh/id_ed25519")):
        result = session.call("read_lines", {"path": path, "start": 1})
        assert result.is_error and "refused" in result.text, result.text
        assert KEY_BODY[:20] not in result.text
    assert session.call("parse_logs", {"paths": ["~"]}).is_error


# --- over MCP ----------------------------------------------------------------------------------


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def text_of(result: types.CallToolResult) -> str:
    [block] = result.content
    assert isinstance(block, types.TextContent)
    return block.text


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_a_server_started_in_home_without_roots_refuses_the_key(
    home: Path, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(home)
    workspace = Workspace(AllowedRoots.for_session([], cwd=home))
    async with Client(build_server(workspace), mode=mode) as client:
        assert client.instructions is not None
        assert "/var/log" in client.instructions and "home directory" in client.instructions
        result = await client.call_tool("read_lines", {"path": "~/.ssh/id_ed25519", "start": 1})
        assert result.is_error and "refused" in text_of(result)
        assert KEY_BODY[:20] not in text_of(result)


def roots_callback(*directories: Path) -> Any:
    async def list_roots(_context: Any) -> types.ListRootsResult:
        return types.ListRootsResult(
            roots=[types.Root(uri=d.as_uri(), name=d.name) for d in directories]  # type: ignore[arg-type]
        )

    return list_roots


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_the_roots_a_client_declares_replace_the_working_directory(
    home: Path, tmp_path: Path, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "work"  # an ordinary directory: a root by itself, without client roots
    elsewhere.mkdir()
    (elsewhere / "local.log").write_text(LOG_LINE + "\n")
    monkeypatch.chdir(elsewhere)
    project = home / "project"
    workspace = Workspace(AllowedRoots.for_session([], cwd=elsewhere))
    assert workspace.roots.check("local.log")
    callback = roots_callback(project)
    async with Client(build_server(workspace), mode=mode, list_roots_callback=callback) as client:
        result = await client.call_tool("read_lines", {"path": "local.log", "start": 1})
        assert result.is_error and "refused" in text_of(result), text_of(result)
        inside = str(project / "logs" / "api.log")
        result = await client.call_tool("read_lines", {"path": inside, "start": 1})
        assert not result.is_error, text_of(result)
        assert LOG_LINE in text_of(result)
        result = await client.call_tool("parse_logs", {"paths": [str(project)]})
        assert not result.is_error, text_of(result)
        result = await client.call_tool("read_lines", {"path": "~/.ssh/id_ed25519", "start": 1})
        assert result.is_error and "refused" in text_of(result)


@pytest.mark.anyio
async def test_a_client_that_declares_no_roots_gets_no_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "work"
    elsewhere.mkdir()
    (elsewhere / "local.log").write_text(LOG_LINE + "\n")
    monkeypatch.chdir(elsewhere)
    workspace = Workspace(AllowedRoots.for_session([], cwd=elsewhere))
    async with Client(build_server(workspace), list_roots_callback=roots_callback()) as client:
        result = await client.call_tool("read_lines", {"path": "local.log", "start": 1})
        assert result.is_error and "refused" in text_of(result), text_of(result)


@pytest.mark.anyio
async def test_the_stdio_server_names_its_roots_at_start_up(home: Path, tmp_path: Path) -> None:
    """`log-analyzer mcp` as a client launches it from the home directory, without roots: one
    line on stderr says which roots it reads and that the home directory is not one."""
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "log_analyzer", "mcp"],
        cwd=home,
        env={**os.environ, "HOME": str(home)},
    )
    errlog = tmp_path / "stderr.log"
    with errlog.open("w") as stderr, anyio.fail_after(20):
        async with Client(stdio_client(params, errlog=stderr)) as client:
            assert client.instructions is not None and "/var/log" in client.instructions
            result = await client.call_tool("read_lines", {"path": "~/.ssh/id_ed25519", "start": 1})
            assert result.is_error and "refused" in text_of(result)
    logged = errlog.read_text()
    lines = [line for line in logged.splitlines() if "roots" in line]
    assert len(lines) == 1, logged
    assert "/var/log" in lines[0] and "home directory" in lines[0] and str(home) in lines[0]


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_a_roots_list_change_is_followed(
    home: Path, tmp_path: Path, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The client moves from one incident folder to another and says so
    (`notifications/roots/list_changed`): the next call reads under the new root only."""
    first, second = tmp_path / "incident-a", tmp_path / "incident-b"
    for folder in (first, second):
        folder.mkdir()
        (folder / "api.log").write_text(LOG_LINE + "\n")
    monkeypatch.chdir(home)
    declared = [first]

    async def list_roots(_context: Any) -> types.ListRootsResult:
        return types.ListRootsResult(
            roots=[types.Root(uri=d.as_uri(), name=d.name) for d in declared]  # type: ignore[arg-type]
        )

    workspace = Workspace(AllowedRoots.for_session([], cwd=home))
    callback: Any = list_roots
    async with Client(build_server(workspace), mode=mode, list_roots_callback=callback) as client:
        result = await client.call_tool("read_lines", {"path": str(first / "api.log"), "start": 1})
        assert not result.is_error, text_of(result)
        result = await client.call_tool("read_lines", {"path": str(second / "api.log"), "start": 1})
        assert result.is_error and "refused" in text_of(result)
        declared[:] = [second]
        await client.send_roots_list_changed()
        result = await client.call_tool("read_lines", {"path": str(second / "api.log"), "start": 1})
        assert not result.is_error, text_of(result)
        result = await client.call_tool("read_lines", {"path": str(first / "api.log"), "start": 1})
        assert result.is_error and "refused" in text_of(result)
