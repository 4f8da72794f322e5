"""`ask`, `chat`, `report --narrative` and `install-skill` through the CLI, the Anthropic API
mocked with respx (no network)."""

from __future__ import annotations

import json

import pytest
import respx

from log_analyzer.cli.app import run

from .anthropic_mock import bodies, message, text, tool_use
from .conftest import ROOT

CHECKOUT = "fixtures/incidents/checkout/"
REDIS_LOG = CHECKOUT + "redis/redis-server.log"
ANSWER = (
    "Redis ran out of memory at 2026-11-28T14:01:58Z (redis/redis-server.log:12); "
    "checkout-service timed out on it from 14:02:03 (checkout-service.log:773)."
)


@pytest.fixture
def no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_AUTH_TOKEN", raising=False)
    monkeypatch.chdir(ROOT)


def test_ask_streams_a_grounded_answer(api, capsys):
    route = api.post("/v1/messages").mock(
        side_effect=[
            message(
                tool_use("investigate", {}),
                tool_use("read_lines", {"path": REDIS_LOG, "start": 10, "end": 14}),
            ),
            message(text(ANSWER)),
        ]
    )
    assert run(["ask", "why are checkouts failing?", CHECKOUT]) == 0
    out = capsys.readouterr()
    assert ANSWER in out.out
    assert "unverified" not in out.out
    first = bodies(route)[0]
    assert first["model"] == "claude-sonnet-5-5"
    assert first["stream"] is True


def test_ask_flags_citations_the_logs_do_not_hold(api, capsys):
    api.post("/v1/messages").mock(
        return_value=message(text("It failed at redis/redis-server.log:9999 at 03:17:42."))
    )
    assert run(["ask", "why?", CHECKOUT]) == 0
    out = capsys.readouterr().out
    assert "[unverified citations, not found in the loaded logs:" in out
    assert "redis/redis-server.log:9999" in out and "03:17:42" in out


def test_ask_verbose_prints_tool_calls_usage_and_cost(api, capsys):
    api.post("/v1/messages").mock(
        side_effect=[message(tool_use("group_errors", {"limit": 2})), message(text("ok"))]
    )
    assert run(["ask", "errors?", CHECKOUT, "--verbose", "--model", "claude-opus-5-5"]) == 0
    err = capsys.readouterr().err
    assert 'tool group_errors {"limit":2}' in err
    assert "1 tool calls; claude-opus-5-5: 2 requests" in err
    assert "~$" in err  # 2 x 1200 input + 2 x 80 output at opus prices


def test_ask_model_from_the_environment_and_a_transcript(api, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("LOG_ANALYZER_MODEL", "claude-haiku-5-5")
    route = api.post("/v1/messages").mock(return_value=message(text("ok")))
    transcript = tmp_path / "session.jsonl"
    assert run(["ask", "hi", CHECKOUT, "--transcript", str(transcript)]) == 0
    entries = [json.loads(line) for line in transcript.read_text().splitlines()]
    assert [e["kind"] for e in entries] == ["request", "response"]
    assert entries[0]["payload"] == bodies(route)[0]
    assert entries[0]["payload"]["model"] == "claude-haiku-5-5"


def test_ask_exits_1_when_the_answer_is_cut(api, capsys):
    api.post("/v1/messages").mock(return_value=message(text("Redis ran"), stop_reason="max_tokens"))
    assert run(["ask", "why?", CHECKOUT]) == 1
    assert "cut at the response size limit" in capsys.readouterr().err


def test_ask_without_a_key_says_so_and_falls_back(no_key, capsys):
    assert run(["ask", "why are checkouts failing?", CHECKOUT]) == 2
    out = capsys.readouterr()
    lines = out.err.strip().splitlines()
    assert len(lines) == 1
    assert "ANTHROPIC_API_KEY is not set" in lines[0]
    assert "deterministic investigation" in lines[0]
    assert "redis-server.log:12" in out.out  # the investigation, without a model


def test_an_unreachable_provider_falls_back_too(api, capsys, monkeypatch):
    import httpx

    monkeypatch.setattr("time.sleep", lambda _s: None)
    api.post("/v1/messages").mock(side_effect=httpx.ConnectError("connection refused"))
    assert run(["ask", "why?", CHECKOUT]) == 2
    out = capsys.readouterr()
    assert "cannot reach the Anthropic API" in out.err
    assert "redis-server.log:12" in out.out


def test_report_narrative_without_a_key_writes_the_deterministic_report(no_key, capsys):
    assert run(["report", CHECKOUT, "--narrative"]) == 0
    out = capsys.readouterr()
    assert "ANTHROPIC_API_KEY is not set" in out.err
    assert "## Root cause and trigger" in out.out
    assert "## Narrative" not in out.out


def test_report_narrative_puts_the_models_story_in_the_report(api, capsys):
    route = api.post("/v1/messages").mock(
        return_value=message(text(ANSWER + " Fake: redis/redis-server.log:424242."))
    )
    assert run(["report", CHECKOUT, "--narrative"]) == 0
    out = capsys.readouterr().out
    assert "## Narrative" in out and ANSWER in out
    assert "these were not found: redis/redis-server.log:424242" in out
    prompt = bodies(route)[0]["messages"][0]["content"][0]["text"]
    assert "root-cause narrative" in prompt and "redis-server.log:12" in prompt


def test_chat_keeps_the_conversation_and_handles_commands(api, capsys, monkeypatch, tmp_path):
    route = api.post("/v1/messages").mock(
        side_effect=[
            message(
                tool_use("investigate", {}),
                tool_use("search_logs", {"pattern": "allocate memory", "service": "redis"}),
            ),
            message(text(ANSWER)),
            message(text("Raise maxmemory or evict: see redis/redis-server.log:12.")),
            message(text("Fresh start.")),
            message(text(ANSWER)),  # the /report narrative
        ]
    )
    report = tmp_path / "pm.md"
    lines = iter(
        [
            "why are checkouts failing?",
            "what's the fastest fix?",
            "/reset",
            "hello again",
            f"/report {report}",
            "/bogus",
            "/quit",
            "never read",
        ]
    )

    def scripted(_prompt: str = "") -> str:
        return next(lines)

    monkeypatch.setattr("builtins.input", scripted)
    assert run(["chat", CHECKOUT]) == 0
    out = capsys.readouterr()
    assert ANSWER in out.out and "Raise maxmemory" in out.out
    sent = bodies(route)
    assert len(sent[2]["messages"]) == 5  # the follow-up carries the first exchange
    assert len(sent[3]["messages"]) == 1  # after /reset
    assert "conversation reset" in out.err and "unknown command /bogus" in out.err
    assert "## Narrative" in report.read_text()


def test_chat_ctrl_c_during_an_answer_keeps_the_chat_going(api, capsys, monkeypatch):
    calls = {"n": 0}

    def flaky(request):
        calls["n"] += 1
        if calls["n"] == 1:
            raise KeyboardInterrupt
        return message(text("ok"))

    api.post("/v1/messages").mock(side_effect=flaky)
    lines = iter(["first", "second"])

    def scripted(_prompt: str = "") -> str:
        try:
            return next(lines)
        except StopIteration:
            raise EOFError from None

    monkeypatch.setattr("builtins.input", scripted)
    assert run(["chat", CHECKOUT]) == 0
    out = capsys.readouterr()
    assert "interrupted" in out.err and "ok" in out.out


def test_chat_without_a_key_exits_2(no_key, capsys):
    assert run(["chat", CHECKOUT]) == 2
    assert "ANTHROPIC_API_KEY is not set" in capsys.readouterr().err


def test_openai_compatible_provider_drives_the_same_tools(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    base = "http://localhost:11434/v1"
    first = {
        "id": "c1",
        "object": "chat.completion",
        "created": 0,
        "model": "qwen3",
        "choices": [
            {
                "index": 0,
                "finish_reason": "tool_calls",
                "message": {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": "call_1",
                            "type": "function",
                            "function": {
                                "name": "find_first_failure",
                                "arguments": '{"since": null, "until": null, "service": null}',
                            },
                        },
                        {
                            "id": "call_2",
                            "type": "function",
                            "function": {
                                "name": "search_logs",
                                "arguments": '{"pattern": "allocate memory", "service": "redis"}',
                            },
                        },
                    ],
                },
            }
        ],
        "usage": {"prompt_tokens": 900, "completion_tokens": 20, "total_tokens": 920},
    }
    second = {
        **first,
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": ANSWER},
            }
        ],
    }
    import httpx

    with respx.mock(using="httpcore2", base_url=base) as router:
        route = router.post("/chat/completions").mock(
            side_effect=[httpx.Response(200, json=first), httpx.Response(200, json=second)]
        )
        provider = ["--provider", "openai", "--base-url", base, "--model", "qwen3"]
        code = run(["ask", "why?", CHECKOUT, *provider])
    assert code == 0
    assert ANSWER in capsys.readouterr().out
    sent = bodies(route)
    assert sent[0]["tools"][0]["function"]["strict"] is True
    tool_message, searched = sent[1]["messages"][-2:]
    assert tool_message["role"] == "tool" and tool_message["tool_call_id"] == "call_1"
    assert searched["tool_call_id"] == "call_2" and "redis-server.log:12" in searched["content"]
    assert "redis-server.log:12" in tool_message["content"]


def test_install_skill_writes_the_folder(monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)
    assert run(["install-skill", "--agent", "claude", "--project"]) == 0
    folder = tmp_path / ".claude" / "skills" / "log-analyzer"
    assert capsys.readouterr().out.strip() == str(folder)
    assert (folder / "SKILL.md").is_file() and (folder / "pyproject.toml").is_file()
    # the demo's generator, so a copy where it was never rendered can render it
    assert (folder / "fixtures" / "generated.py").is_file()
    assert (folder / "fixtures" / "incidents.py").is_file()
    assert run(["install-skill", "--agent", "emacs"]) == 2


def test_ctrl_c_during_ask_ends_cleanly_with_130(api, capsys):
    def interrupted(request):
        raise KeyboardInterrupt

    api.post("/v1/messages").mock(side_effect=interrupted)
    assert run(["ask", "why?", CHECKOUT]) == 130
    err = capsys.readouterr().err
    assert "log-analyzer: interrupted" in err and "Traceback" not in err
