"""Whole conversations with a scripted model: the real Anthropic SDK, its HTTP stack mocked by
respx (`tests/anthropic_mock.py`), the real tools over the bundled incident."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import respx

from log_analyzer.agent import registry
from log_analyzer.agent.loop import AgentSettings, Conversation, ProviderError
from log_analyzer.agent.providers import AnthropicProvider
from log_analyzer.agent.registry import Tool
from log_analyzer.agent.roots import AllowedRoots
from log_analyzer.agent.tools import GroupErrorsInput
from log_analyzer.agent.workspace import Workspace

from .anthropic_mock import bodies, error, message, text, tool_use
from .conftest import FIXTURES, ROOT

CHECKOUT = FIXTURES / "incidents" / "checkout"
REDIS_LOG = "fixtures/incidents/checkout/redis/redis-server.log"


@pytest.fixture(scope="module")
def checkout_workspace() -> Workspace:
    workspace = Workspace(AllowedRoots.for_session([str(CHECKOUT)], cwd=ROOT))
    workspace.load([str(CHECKOUT)])
    return workspace


def conversation(workspace: Workspace, **settings: Any) -> tuple[Conversation, list[float]]:
    waits: list[float] = []
    talk = Conversation(
        workspace,
        AnthropicProvider("claude-sonnet-5-5"),
        AgentSettings(**settings),
        sleep=waits.append,
    )
    return talk, waits


def results_of(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The tool_result blocks of the last user message of a request."""
    last = body["messages"][-1]
    assert last["role"] == "user"
    return [b for b in last["content"] if b["type"] == "tool_result"]


def test_a_tool_call_then_a_final_answer(api, checkout_workspace):
    route = api.post("/v1/messages").mock(
        side_effect=[
            message(
                text("Let me look."),
                tool_use("find_first_failure", {}),
                tool_use("read_lines", {"path": REDIS_LOG, "start": 10, "end": 14}),
            ),
            message(
                text(
                    "Redis ran out of memory first at 2026-11-28T14:01:58Z "
                    "(redis/redis-server.log:12); checkout followed."
                )
            ),
        ]
    )
    talk, _ = conversation(checkout_workspace)
    streamed: list[str] = []
    talk.on_text = streamed.append
    answer = talk.ask("Why are checkouts failing?")

    assert answer.stop_reason == "end_turn" and answer.complete
    assert "Redis ran out of memory" in answer.text
    assert "".join(streamed).startswith("Let me look.")
    assert answer.tool_calls == 2
    assert answer.unverified == []
    assert {c.text for c in answer.citations} >= {"redis/redis-server.log:12"}
    first, second = bodies(route)
    # the loaded logs are named in the first message, so the model can call tools at once
    opening = first["messages"][0]["content"][0]["text"]
    assert "redis-server.log" in opening and opening.endswith("Why are checkouts failing?")
    # caching: tools, system and the history so far
    assert first["tools"][-1]["cache_control"] == {"type": "ephemeral"}
    assert first["system"][0]["cache_control"] == {"type": "ephemeral"}
    assert first["messages"][-1]["content"][-1]["cache_control"] == {"type": "ephemeral"}
    # the tool ran for real and its result went back marked as untrusted data
    result, read = results_of(second)
    assert read["tool_use_id"] == "toolu_read_lines"
    assert result["tool_use_id"] == "toolu_find_first_failure"
    assert "is_error" not in result
    assert result["content"].startswith('<log-data tool="find_first_failure" trust="untrusted">')
    assert "redis-server.log:12" in result["content"]
    assert second["messages"][1]["role"] == "assistant"
    assert second["messages"][1]["content"][1]["type"] == "tool_use"
    assert answer.usage.requests == 2 and answer.usage.input_tokens == 2400


def test_two_parallel_tool_calls_are_answered_in_one_message(api, checkout_workspace):
    route = api.post("/v1/messages").mock(
        side_effect=[
            message(
                tool_use("group_errors", {"limit": 3}, id="toolu_a"),
                tool_use("count_per_minute", {"bucket_seconds": 300}, id="toolu_b"),
            ),
            message(text("Done.")),
        ]
    )
    talk, _ = conversation(checkout_workspace)
    answer = talk.ask("What is failing and since when?")
    assert answer.tool_calls == 2
    second = bodies(route)[1]
    results = results_of(second)
    assert [r["tool_use_id"] for r in results] == ["toolu_a", "toolu_b"]
    assert len(second["messages"]) == 3  # question, assistant's two calls, one user message
    groups = json.loads(results[0]["content"].split("\n")[1])
    assert len(groups["groups"]) == 3 and groups["groups_total"] > 3
    assert "rows" in results[1]["content"]


def test_a_tool_that_raises_becomes_an_error_result(api, checkout_workspace, monkeypatch):
    def broken(workspace: Workspace, request: GroupErrorsInput) -> Any:
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(
        registry.TOOLS, "group_errors", Tool("group_errors", broken, GroupErrorsInput)
    )
    route = api.post("/v1/messages").mock(
        side_effect=[message(tool_use("group_errors", {})), message(text("The tool failed."))]
    )
    talk, _ = conversation(checkout_workspace)
    answer = talk.ask("errors?")
    assert answer.complete
    [result] = results_of(bodies(route)[1])
    assert result["is_error"] is True
    assert "internal error (RuntimeError: disk on fire)" in result["content"]


def test_schema_invalid_input_and_unknown_tool_are_error_results(api, checkout_workspace):
    route = api.post("/v1/messages").mock(
        side_effect=[
            message(
                tool_use("group_errors", {"limit": "many", "colour": "red"}, id="toolu_bad"),
                tool_use("drop_database", {}, id="toolu_unknown"),
            ),
            message(text("Sorry.")),
        ]
    )
    talk, _ = conversation(checkout_workspace)
    talk.ask("errors?")
    bad, unknown = results_of(bodies(route)[1])
    assert bad["is_error"] is True
    assert "invalid arguments" in bad["content"]
    assert "limit" in bad["content"] and "colour" in bad["content"]
    assert unknown["is_error"] is True
    assert "unknown tool 'drop_database'" in unknown["content"]
    assert "group_errors" in unknown["content"]  # the model learns the real names


def test_429_is_retried_after_the_wait_the_server_asks(api, checkout_workspace):
    route = api.post("/v1/messages").mock(
        side_effect=[error(429, "rate_limit_error", retry_after="7"), message(text("ok"))]
    )
    talk, waits = conversation(checkout_workspace)
    events: list[str] = []
    talk.on_event = events.append
    answer = talk.ask("hi")
    assert answer.text == "ok"
    assert route.call_count == 2
    assert waits == [7.0]
    assert any("429" in e and "retrying in 7.0s" in e for e in events)


def test_529_overloaded_and_500_are_retried_with_backoff(api, checkout_workspace):
    route = api.post("/v1/messages").mock(
        side_effect=[
            error(529, "overloaded_error"),
            error(500, "api_error"),
            message(text("ok")),
        ]
    )
    talk, waits = conversation(checkout_workspace)
    assert talk.ask("hi").text == "ok"
    assert route.call_count == 3
    assert len(waits) == 2 and waits[1] > waits[0] > 0  # exponential, jittered


def test_persistent_overload_gives_up_with_one_clear_error(api, checkout_workspace):
    api.post("/v1/messages").mock(return_value=error(529, "overloaded_error"))
    talk, waits = conversation(checkout_workspace, max_retries=2)
    with pytest.raises(ProviderError, match=r"529 overloaded_error.*gave up after 3 attempts"):
        talk.ask("hi")
    assert len(waits) == 2
    assert talk.messages == []  # the failed question leaves no half turn behind


def test_a_bad_key_is_not_retried(api, checkout_workspace):
    route = api.post("/v1/messages").mock(return_value=error(401, "authentication_error"))
    talk, waits = conversation(checkout_workspace)
    with pytest.raises(ProviderError, match="401 authentication_error"):
        talk.ask("hi")
    assert route.call_count == 1 and waits == []


def test_connection_errors_are_retried(api, checkout_workspace):
    import httpx

    route = api.post("/v1/messages").mock(
        side_effect=[httpx.ConnectError("connection refused"), message(text("ok"))]
    )
    talk, waits = conversation(checkout_workspace)
    assert talk.ask("hi").text == "ok"
    assert route.call_count == 2 and len(waits) == 1


def test_max_tokens_returns_the_partial_answer_flagged(api, checkout_workspace):
    api.post("/v1/messages").mock(
        return_value=message(text("Redis ran out of"), stop_reason="max_tokens")
    )
    talk, _ = conversation(checkout_workspace)
    answer = talk.ask("why?")
    assert answer.stop_reason == "max_tokens" and not answer.complete
    assert answer.text == "Redis ran out of"


def test_pause_turn_is_resumed_and_refusal_ends_the_turn(api, checkout_workspace):
    route = api.post("/v1/messages").mock(
        side_effect=[
            message(text("Working on it."), stop_reason="pause_turn"),
            message(text("I can't help with that."), stop_reason="refusal"),
        ]
    )
    talk, _ = conversation(checkout_workspace)
    answer = talk.ask("why?")
    assert route.call_count == 2
    resumed = bodies(route)[1]
    assert resumed["messages"][-1]["role"] == "assistant"  # sent back as is, to continue
    assert answer.stop_reason == "refusal"


def test_the_turn_limit_forces_an_answer_then_stops(api, checkout_workspace):
    route = api.post("/v1/messages").mock(
        return_value=message(tool_use("group_errors", {"limit": 1}))
    )
    talk, _ = conversation(checkout_workspace, max_turns=3)
    answer = talk.ask("dig forever")
    assert route.call_count == 3
    sent = bodies(route)
    assert "tool_choice" not in sent[0] and "tool_choice" not in sent[1]
    assert sent[2]["tool_choice"] == {"type": "none"}  # the last turn must answer
    assert answer.stop_reason == "turn_limit"
    assert answer.tool_calls == 2


def test_the_token_limit_stops_a_costly_question(api, checkout_workspace):
    route = api.post("/v1/messages").mock(
        return_value=message(tool_use("group_errors", {"limit": 1}), input_tokens=6000)
    )
    talk, _ = conversation(checkout_workspace, token_limit=10_000)
    answer = talk.ask("dig")
    assert answer.stop_reason == "token_limit"
    assert route.call_count == 2


def test_a_follow_up_in_chat_reuses_the_conversation_and_the_workspace(api, monkeypatch):
    workspace = Workspace(AllowedRoots.for_session([str(CHECKOUT)], cwd=ROOT))
    workspace.load([str(CHECKOUT)])
    loads: list[object] = []
    original = workspace.load

    def counting_load(paths: list[str]) -> Any:
        loads.append(paths)
        return original(paths)

    monkeypatch.setattr(workspace, "load", counting_load)
    route = api.post("/v1/messages").mock(
        side_effect=[
            message(
                tool_use("investigate", {}),
                tool_use("search_logs", {"pattern": "allocate memory", "service": "redis"}),
            ),
            message(text("Redis OOM at 14:01:58 (redis/redis-server.log:12).")),
            message(tool_use("suggest_fixes", {})),
            message(text("Raise maxmemory.")),
        ]
    )
    talk, _ = conversation(workspace)
    talk.ask("why are checkouts failing?")
    records_before = [id(s.records) for s in workspace.sources.values()]
    answer = talk.ask("what's the fastest fix right now?")
    assert answer.text == "Raise maxmemory."
    third = bodies(route)[2]
    roles = [m["role"] for m in third["messages"]]
    assert roles == ["user", "assistant", "user", "assistant", "user"]
    assert third["messages"][-1]["content"][0]["text"] == "what's the fastest fix right now?"
    assert loads == []  # nothing parsed again
    assert [id(s.records) for s in workspace.sources.values()] == records_before
    fixes = results_of(bodies(route)[3])[0]["content"]
    assert "maxmemory" in fixes


def test_seed_flow_checkout_logs_then_the_redis_log(api):
    services = [
        str(CHECKOUT / name)
        for name in ("checkout-service.log", "cart-service.log", "payment-gateway.log")
    ]
    workspace = Workspace(AllowedRoots.for_session([str(CHECKOUT)], cwd=ROOT))
    workspace.load(services)
    route = api.post("/v1/messages").mock(
        side_effect=[
            message(tool_use("group_errors", {"min_level": "error", "limit": 5})),
            message(text("Checkout fails on Redis timeouts.")),
            message(tool_use("parse_logs", {"paths": [REDIS_LOG]})),
            message(
                tool_use("find_first_failure", {}),
                tool_use("read_lines", {"path": REDIS_LOG, "start": 10, "end": 14}),
            ),
            message(text("Redis hit maxmemory first (redis/redis-server.log:12).")),
        ]
    )
    talk, _ = conversation(workspace)
    first = talk.ask("analyze checkout logs and find why checkouts are failing")
    assert "Redis" in first.text
    groups = results_of(bodies(route)[1])[0]["content"]
    assert "RedisConnectionTimeout" in groups or "RedisCommandTimeout" in groups
    answer = talk.ask("now check the Redis log for the same window")
    loaded = results_of(bodies(route)[3])[0]["content"]
    assert '"service":"redis"' in loaded and "redis-server.log" in loaded
    assert len(workspace.sources) == 4
    first_failure = results_of(bodies(route)[4])[0]["content"]
    assert "redis-server.log:12" in first_failure
    assert answer.unverified == []


def test_anthropic_base_url_is_honoured(monkeypatch, checkout_workspace):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-key")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://gateway.internal:8080")
    with respx.mock(using="httpcore2", base_url="http://gateway.internal:8080") as router:
        route = router.post("/v1/messages").mock(return_value=message(text("ok")))
        talk, _ = conversation(checkout_workspace)
        assert talk.ask("hi").text == "ok"
    assert route.call_count == 1


def test_default_model_is_named_by_the_installed_sdk_and_not_deprecated():
    from typing import get_args

    from anthropic._data.deprecated_models import DEPRECATED_MODELS
    from anthropic.types.model_param import ModelParam

    from log_analyzer.agent.providers import DEFAULT_MODEL

    named = {value for arg in get_args(ModelParam) for value in get_args(arg)}
    assert DEFAULT_MODEL in named
    assert DEFAULT_MODEL not in DEPRECATED_MODELS


def test_the_system_prompt_is_stable_and_holds_no_timestamp():
    import re

    from log_analyzer.agent.prompts import system_prompt

    first, second = system_prompt(), system_prompt()
    assert first == second
    example = "2026-11-28T14:01:58Z"  # the citation example, not a clock reading
    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", first.replace(example, ""))
    for name in registry.TOOLS:
        assert f"`{name}`" in first
    assert "untrusted" in first and "file:line" in first


def test_transcript_holds_exactly_what_was_sent_and_received(api, checkout_workspace, tmp_path):
    from log_analyzer.agent.loop import Transcript

    route = api.post("/v1/messages").mock(
        side_effect=[message(tool_use("group_errors", {"limit": 1})), message(text("ok"))]
    )
    log = Transcript(tmp_path / "t.jsonl")
    talk = Conversation(
        checkout_workspace,
        AnthropicProvider("claude-sonnet-5-5", transcript=log.write),
        sleep=lambda _s: None,
    )
    talk.ask("hi")
    entries = [json.loads(line) for line in Path(log.path).read_text().splitlines()]
    assert [e["kind"] for e in entries] == ["request", "response", "request", "response"]
    assert [e["payload"] for e in entries if e["kind"] == "request"] == bodies(route)
    assert entries[3]["payload"]["content"][0]["text"] == "ok"


def test_a_chat_goes_on_after_the_turn_limit(api, checkout_workspace):
    route = api.post("/v1/messages").mock(
        side_effect=[
            message(tool_use("group_errors", {"limit": 1}, id="t1")),
            message(tool_use("group_errors", {"limit": 2}, id="t2")),  # ignores tool_choice
            message(text("Redis, at redis/redis-server.log:12.")),
        ]
    )
    talk, _ = conversation(checkout_workspace, max_turns=2)
    assert talk.ask("dig").stop_reason == "turn_limit"
    answer = talk.ask("so what failed?")
    assert answer.complete
    follow_up = bodies(route)[2]["messages"]
    unanswered = follow_up[4]  # the limit's unrun call still gets its result
    assert unanswered["role"] == "user"
    assert unanswered["content"][0]["tool_use_id"] == "t2"
    assert unanswered["content"][0]["is_error"] is True
    assert "not run: the turn limit was reached" in unanswered["content"][0]["content"]
