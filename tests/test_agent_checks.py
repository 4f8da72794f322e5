"""The agent checks before it concludes: an answer that only repeats the deterministic analysis
is sent back once with a request to check it against the logs; an answer that looked at the
evidence is accepted as it is. The system prompt names only tools that exist."""

from __future__ import annotations

import inspect
import re
from typing import Any

import pytest

from log_analyzer.agent import registry, tools
from log_analyzer.agent.loop import CHECK_REQUEST, AgentSettings, Conversation
from log_analyzer.agent.prompts import system_prompt
from log_analyzer.agent.providers import AnthropicProvider
from log_analyzer.agent.roots import AllowedRoots
from log_analyzer.agent.workspace import Workspace

from .anthropic_mock import bodies, message, text, tool_use
from .conftest import FIXTURES, ROOT

CHECKOUT = FIXTURES / "incidents" / "checkout"
REDIS_LOG = "fixtures/incidents/checkout/redis/redis-server.log"
DRAFT = "The payment gateway is the root cause (payment-gateway.log:1310)."
CHECKED = "Redis ran out of memory first (redis/redis-server.log:12); the gateway is a victim."


@pytest.fixture(scope="module")
def workspace() -> Workspace:
    space = Workspace(AllowedRoots.for_session([str(CHECKOUT)], cwd=ROOT))
    space.load([str(CHECKOUT)])
    return space


def _talk(workspace: Workspace, **settings: Any) -> Conversation:
    return Conversation(
        workspace, AnthropicProvider("claude-sonnet-5-5"), AgentSettings(**settings)
    )


def _last_user_text(body: dict[str, Any]) -> str:
    last = body["messages"][-1]
    assert last["role"] == "user"
    return " ".join(b.get("text", "") for b in last["content"] if b["type"] == "text")


def test_an_answer_from_the_analysis_alone_is_sent_back_to_be_checked(api, workspace):
    route = api.post("/v1/messages").mock(
        side_effect=[
            message(tool_use("investigate", {})),
            message(text(DRAFT)),
            message(tool_use("read_lines", {"path": REDIS_LOG, "start": 10, "end": 14})),
            message(text(CHECKED)),
        ]
    )
    streamed: list[str] = []
    talk = _talk(workspace)
    talk.on_text = streamed.append
    answer = talk.ask("Why are checkouts failing?")
    sent = bodies(route)
    assert len(sent) == 4
    assert _last_user_text(sent[2]) == CHECK_REQUEST
    assert answer.text == CHECKED  # the checked answer replaces the draft
    assert answer.complete and answer.tool_calls == 2
    assert "checking the evidence" in "".join(streamed)


def test_an_answer_that_read_the_evidence_is_accepted(api, workspace):
    route = api.post("/v1/messages").mock(
        side_effect=[
            message(
                tool_use("find_first_failure", {}),
                tool_use("search_logs", {"pattern": "allocate memory", "service": "redis"}),
            ),
            message(text(CHECKED)),
        ]
    )
    answer = _talk(workspace).ask("What failed first?")
    assert len(bodies(route)) == 2
    assert answer.text == CHECKED


def test_the_check_is_asked_for_once(api, workspace):
    route = api.post("/v1/messages").mock(
        side_effect=[
            message(tool_use("correlate_services", {})),
            message(text(DRAFT)),
            message(text(DRAFT + " I could not check further.")),
        ]
    )
    answer = _talk(workspace).ask("Which service started it?")
    assert len(bodies(route)) == 3
    assert answer.text.endswith("I could not check further.")


def test_no_check_is_asked_when_verification_is_off_or_no_conclusion_was_drawn(api, workspace):
    route = api.post("/v1/messages").mock(
        side_effect=[
            message(tool_use("investigate", {})),
            message(text(DRAFT)),
            message(tool_use("group_errors", {"limit": 3})),
            message(text("Three groups.")),
        ]
    )
    assert _talk(workspace, verify=False).ask("why?").text == DRAFT
    assert _talk(workspace).ask("what are the errors?").text == "Three groups."
    assert len(bodies(route)) == 4


def _field_names() -> set[str]:
    """Every argument and result field of every tool."""
    names: set[str] = set()
    for tool in registry.TOOLS.values():
        names.update(tool.input_schema().get("properties", {}))
        result = inspect.signature(tool.function).return_annotation
        model = getattr(tools, result) if isinstance(result, str) else result
        names.update(model.model_fields)
    names.add("window_notes")  # added by the registry to any result with a window
    return names


def test_the_system_prompt_names_only_tools_and_fields_that_exist():
    prompt = system_prompt()
    named = set(re.findall(r"`([a-z]+(?:_[a-z]+)+)(?:=[a-z]+)?`", prompt))
    unknown = named - set(registry.TOOLS) - _field_names()
    assert not unknown, f"the prompt names tools or fields that do not exist: {unknown}"
    for checking in ("read_lines", "compare_windows", "trace_request", "search_logs"):
        assert f"`{checking}`" in prompt and checking in registry.TOOLS
