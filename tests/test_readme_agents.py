"""README's "Use the tools from another agent": each example runs as written, from the
repository's root, on the bundled incident. The Anthropic and OpenAI SDKs are real, their
HTTP stack mocked by respx (`tests/anthropic_mock.py`); MCP is the SDK's in-process client."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest
import respx

from log_analyzer.agent.registry import tool_schemas

from .anthropic_mock import bodies
from .conftest import ROOT

SECTION = "## Use the tools from another agent\n"
FIRST_FAILURE = "redis-server.log:12"  # the checkout incident's first failure, file:line


def examples() -> dict[str, str]:
    """The section's Python examples, by the first word of their heading."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert SECTION in text
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    found = {}
    for part in section.split("\n### ")[1:]:
        code = re.search(r"```python\n(.*?)```", part, re.S)
        assert code is not None, part[:80]
        found[part.split()[0]] = code.group(1)
    return found


def run_example(name: str) -> None:
    code = examples()[name]
    exec(compile(code, f"README.md ({name})", "exec"), {"__name__": f"readme_{name.lower()}"})


def test_the_section_has_the_four_examples() -> None:
    assert list(examples()) == ["Python", "Anthropic", "OpenAI", "MCP"]


def test_python(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    run_example("Python")
    out = capsys.readouterr().out
    assert FIRST_FAILURE in out and "Cannot allocate memory" in out
    assert out.startswith('<log-data tool="find_first_failure" trust="untrusted">')


def anthropic_message(content: list[dict[str, Any]], stop_reason: str) -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "id": "msg_readme",
            "type": "message",
            "role": "assistant",
            "model": "claude-sonnet-5-5",
            "content": content,
            "stop_reason": stop_reason,
            "stop_sequence": None,
            "usage": {"input_tokens": 1800, "output_tokens": 60},
        },
    )


def test_anthropic(api: respx.MockRouter, capsys: pytest.CaptureFixture[str]) -> None:
    answer = "Redis could not fork for its background save (redis-server.log:12)."
    route = api.post("/v1/messages").mock(
        side_effect=[
            anthropic_message(
                [{"type": "tool_use", "id": "toolu_1", "name": "find_first_failure", "input": {}}],
                "tool_use",
            ),
            anthropic_message([{"type": "text", "text": answer}], "end_turn"),
        ]
    )
    run_example("Anthropic")
    assert capsys.readouterr().out.strip() == answer
    first, second = bodies(route)
    assert first["tools"] == tool_schemas("anthropic")
    (result,) = second["messages"][-1]["content"]
    assert result["type"] == "tool_result" and result["tool_use_id"] == "toolu_1"
    assert result["is_error"] is False and FIRST_FAILURE in result["content"]


def openai_reply(message: dict[str, Any], finish: str) -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "id": "chatcmpl-readme",
            "object": "chat.completion",
            "created": 1795874400,
            "model": "qwen3",
            "choices": [{"index": 0, "finish_reason": finish, "message": message}],
            "usage": {"prompt_tokens": 1800, "completion_tokens": 60, "total_tokens": 1860},
        },
    )


def test_openai(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    answer = "Redis ran out of memory for its fork first; checkout timed out after it."
    call = {"name": "find_first_failure", "arguments": "{}"}
    with respx.mock(using="httpcore2", base_url="http://localhost:11434/v1") as router:
        route = router.post("/chat/completions").mock(
            side_effect=[
                openai_reply(
                    {
                        "role": "assistant",
                        "content": None,
                        "tool_calls": [{"id": "call_1", "type": "function", "function": call}],
                    },
                    "tool_calls",
                ),
                openai_reply({"role": "assistant", "content": answer}, "stop"),
            ]
        )
        run_example("OpenAI")
    assert capsys.readouterr().out.strip() == answer
    first, second = (json.loads(request.content) for request, _ in route.calls)
    assert first["tools"] == tool_schemas("openai")
    tool_message = second["messages"][-1]
    assert tool_message["role"] == "tool" and tool_message["tool_call_id"] == "call_1"
    assert FIRST_FAILURE in tool_message["content"]
    assert second["messages"][-2]["tool_calls"][0]["function"] == call


def test_mcp(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    run_example("MCP")
    out = capsys.readouterr().out
    assert FIRST_FAILURE in out and "Cannot allocate memory" in out
