"""The MCP server, driven by the SDK's own client: in process (over the SDK's in-memory JSON-RPC
transport, and over its direct 2026 dispatch), and as a `log-analyzer mcp` subprocess on stdio.

Every registry tool is listed with the registry's schema and called on the checkout incident;
errors (a refused path, an unknown tool, bad arguments) come back as tool results marked
isError, and the session goes on."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client, StdioServerParameters, types
from mcp.client.session import IncomingMessage
from mcp.client.stdio import stdio_client

from log_analyzer.agent import registry
from log_analyzer.agent.mcp_server import SERVER_NAME, build_server, server_version
from log_analyzer.agent.roots import AllowedRoots
from log_analyzer.agent.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]
CHECKOUT = "fixtures/incidents/checkout/"
REDIS_LOG = "fixtures/incidents/checkout/redis/redis-server.log"
REDIS_LINE_1 = "1: 1:M 28 Nov 2026 13:51:58.181 * 100 changes in 300 seconds. Saving..."

# Every tool with valid arguments, and facts its result must state. parse_logs comes first.
CALLS: list[tuple[str, dict[str, Any], list[str]]] = [
    ("parse_logs", {"paths": [CHECKOUT]}, ["redis-server.log", "checkout-service.log"]),
    ("group_errors", {"min_level": "error"}, ["RedisConnectionTimeout", "checkout-service"]),
    ("find_first_failure", {}, ["redis-server.log:12", "Cannot allocate memory"]),
    ("merge_timelines", {"limit": 100}, ["redis", "skew_seconds"]),
    ("count_per_minute", {}, ["2026-11-28T14:02:00Z", "checkout-service"]),
    ("correlate_services", {}, ['"caused_by":"redis"', "redis-server.log:12"]),
    ("compare_windows", {"limit": 1}, ['"service":"redis"', "rate x20"]),
    ("search_logs", {"pattern": "maxmemory"}, ["maxmemory", "payment-gateway.log:1310"]),
    (
        "trace_request",
        {"id": "3f49c5dc580ea3cf"},
        ["3f49c5dc580ea3cf89a10a905768b689", "checkout-service.log:782", "payment-gateway"],
    ),
    ("read_lines", {"path": REDIS_LOG, "start": 1, "end": 5}, [REDIS_LINE_1]),
    ("suggest_fixes", {}, ["redis-bgsave-fork-failed"]),
    ("investigate", {}, ["redis-server.log:12", '"service":"redis"']),
    # nothing is written to the fixture while it watches: back at baseline
    ("monitor_logs", {"minutes": 2, "settle": 1}, ['"verdict":"settled"']),
]
# legacy: the initialize handshake (2025-11-25, what most clients speak today), in process over
# the SDK's in-memory JSON-RPC streams; auto: the client probes server/discover and speaks
# 2026-07-28, in process dispatched directly (no JSON-RPC framing).
MODES = ["legacy", "auto"]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def workspace(monkeypatch: pytest.MonkeyPatch) -> Workspace:
    monkeypatch.chdir(ROOT)  # the tools read relative paths from the current directory
    space = Workspace(AllowedRoots.for_session([CHECKOUT], cwd=ROOT))
    space.monitor_interval = 0.3  # monitor_logs' "minutes", short for tests
    return space


def text_of(result: types.CallToolResult) -> str:
    assert result.content, "a tool result without content"
    parts = []
    for block in result.content:
        assert isinstance(block, types.TextContent), f"not text: {block!r}"
        parts.append(block.text)
    return "\n".join(parts)


async def call(client: Client, name: str, arguments: dict[str, Any]) -> tuple[bool, str]:
    result = await client.call_tool(name, arguments)
    return result.is_error, text_of(result)


async def check_tool_list(client: Client) -> None:
    listed = (await client.list_tools()).tools
    assert [tool.name for tool in listed] == list(registry.TOOLS)
    for tool in listed:
        spec = registry.TOOLS[tool.name]
        assert tool.input_schema == spec.input_schema(), tool.name
        assert tool.description == spec.description
        assert tool.annotations is not None and tool.annotations.read_only_hint


async def check_every_tool(client: Client) -> None:
    assert [name for name, _, _ in CALLS] == ["parse_logs", *list(registry.TOOLS)[1:]]
    assert {name for name, _, _ in CALLS} == set(registry.TOOLS), "a tool without a call here"
    for name, arguments, facts in CALLS:
        is_error, text = await call(client, name, arguments)
        assert not is_error, f"{name}: {text}"
        for fact in facts:
            assert fact in text, f"{name} does not mention {fact!r}: {text[:500]}"


async def check_errors(client: Client) -> None:
    is_error, text = await call(client, "read_lines", {"path": "/etc/shadow", "start": 1})
    assert is_error and "refused" in text
    assert "root:" not in text
    is_error, text = await call(client, "no_such_tool", {})
    assert is_error and "unknown tool" in text and "investigate" in text
    is_error, text = await call(client, "read_lines", {"path": REDIS_LOG})
    assert is_error and "start" in text
    is_error, text = await call(client, "search_logs", {"pattern": "(", "regex": True})
    assert is_error and "invalid regex" in text
    # the session survives its errors
    is_error, text = await call(client, "read_lines", {"path": REDIS_LOG, "start": 1, "end": 1})
    assert not is_error and REDIS_LINE_1 in text


# --- in process -------------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_lists_the_registry_tools(workspace: Workspace, mode: str) -> None:
    async with Client(build_server(workspace), mode=mode) as client:
        assert client.server_info is not None
        assert client.server_info.name == SERVER_NAME
        assert client.server_info.version == server_version()
        assert client.server_capabilities.tools is not None
        await check_tool_list(client)


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_every_tool_answers_on_the_checkout_incident(workspace: Workspace, mode: str) -> None:
    async with Client(build_server(workspace), mode=mode) as client:
        await check_every_tool(client)


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_errors_are_tool_results(workspace: Workspace, mode: str) -> None:
    async with Client(build_server(workspace), mode=mode) as client:
        is_error, text = await call(client, "group_errors", {})
        assert is_error and "parse_logs" in text  # nothing loaded yet: the model is told how
        assert not (await call(client, "parse_logs", {"paths": [REDIS_LOG]}))[0]
        await check_errors(client)


@pytest.mark.anyio
async def test_concurrent_calls_share_the_workspace(workspace: Workspace) -> None:
    async with Client(build_server(workspace), mode="legacy") as client:
        assert not (await call(client, "parse_logs", {"paths": [CHECKOUT]}))[0]
        results: dict[str, tuple[bool, str]] = {}

        async def run(name: str, arguments: dict[str, Any]) -> None:
            results[name] = await call(client, name, arguments)

        async with anyio.create_task_group() as tg:
            for name, arguments, _ in CALLS[1:]:
                tg.start_soon(run, name, arguments)
        assert set(results) == set(registry.TOOLS) - {"parse_logs"}
        assert not [name for name, (is_error, _) in results.items() if is_error]


@pytest.mark.anyio
async def test_token_budget_bounds_results(workspace: Workspace) -> None:
    async with Client(build_server(workspace, token_budget=300), mode="legacy") as client:
        await call(client, "parse_logs", {"paths": [CHECKOUT]})
        small = len((await call(client, "merge_timelines", {"limit": 500}))[1])
    async with Client(build_server(workspace), mode="legacy") as client:
        large = len((await call(client, "merge_timelines", {"limit": 500}))[1])
    assert small < large


# --- a subprocess on stdio --------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_stdio_subprocess(tmp_path: Path, mode: str) -> None:
    """`log-analyzer mcp PATHS` as a client launches it: the paths are loaded before the first
    call, stdout carries nothing but protocol (a stray line does not break the SDK's client,
    it reaches the message handler as an exception), logs go to stderr."""
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "log_analyzer", "mcp", CHECKOUT],
        cwd=ROOT,
        env={**os.environ, "LOG_ANALYZER_MINUTE_SECONDS": "0.3"},  # monitor_logs, quickly
    )
    stray: list[Exception] = []  # lines on stdout that are not JSON-RPC arrive here

    async def on_message(message: IncomingMessage) -> None:
        if isinstance(message, Exception):
            stray.append(message)

    errlog = tmp_path / "stderr.log"
    # a guard against a hung session, not a speed claim (speed is measured in benchmarks/)
    with errlog.open("w") as stderr, anyio.fail_after(90):
        # Client(params) would send the server's stderr to ours: the transport is built here
        client = Client(stdio_client(params, errlog=stderr), message_handler=on_message, mode=mode)
        try:
            async with client:
                assert client.server_info is not None
                assert client.server_info.name == SERVER_NAME
                await check_tool_list(client)
                is_error, text = await call(client, "find_first_failure", {})  # preloaded
                assert not is_error and "redis-server.log:12" in text, text
                await check_every_tool(client)
                await check_errors(client)
        except BaseException:
            stderr.flush()
            print(f"server stderr:\n{errlog.read_text()}", file=sys.stderr)  # shown on failure
            raise
    assert not stray, f"stdout carried more than the protocol: {stray}"
    logged = errlog.read_text()
    assert f"serving {len(registry.TOOLS)} tools on stdio" in logged
    assert "investigate: ok" in logged
