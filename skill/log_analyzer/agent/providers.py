"""The model providers: Anthropic's Messages API (the default), and any OpenAI-compatible
chat-completions server (OpenAI, Ollama, vLLM, llama.cpp) for local models.

Each turns the conversation into its wire format and back into a neutral `Turn`. Retries are
the loop's job: the SDKs' own retries are off (`max_retries=0`), and their transient failures
are raised as `TransientError` with the server's `retry-after`.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable
from typing import Any

import anthropic

from .loop import ProviderError, ToolCall, TransientError, Turn
from .pricing import Usage
from .prompts import system_prompt
from .registry import ToolResult, anthropic_tools, openai_tools

DEFAULT_MODEL = "claude-sonnet-5-5"  # named in the installed SDK's ModelParam (tested)
MODEL_ENV = "LOG_ANALYZER_MODEL"
RETRYABLE_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504, 529})
EPHEMERAL = {"type": "ephemeral"}


def default_model() -> str:
    return os.environ.get(MODEL_ENV) or DEFAULT_MODEL


def _retry_after(headers: Any) -> float | None:
    if headers is None:
        return None
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return float(value) * scale
        except ValueError:
            return None  # an HTTP date: fall back to our own backoff
    return None


class AnthropicProvider:
    """Claude through the official SDK, streamed, with prompt caching on the tools, the
    system prompt and the conversation so far."""

    def __init__(
        self,
        model: str | None = None,
        *,
        max_tokens: int = 4096,
        client: anthropic.Anthropic | None = None,
        transcript: Callable[[str, object], None] | None = None,
        system_extra: str = "",
    ) -> None:
        self.model = model or default_model()
        self.max_tokens = max_tokens
        self.transcript = transcript
        # ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL are read by the SDK itself.
        self.client = client or anthropic.Anthropic(max_retries=0, http_client=self._http())
        tools = anthropic_tools()
        tools[-1] = {**tools[-1], "cache_control": EPHEMERAL}
        self.tools = tools
        self.system = [
            {"type": "text", "text": system_prompt(system_extra), "cache_control": EPHEMERAL}
        ]

    def _http(self) -> Any:
        """The SDK's default HTTP client; with a transcript, one that records each request
        body exactly as it leaves (after the SDK has added its own fields)."""
        if self.transcript is None:
            return None
        record = self.transcript

        def sent(request: Any) -> None:
            record("request", json.loads(request.content or b"null"))

        return anthropic.DefaultHttpxClient(event_hooks={"request": [sent]})

    def user_message(self, text: str) -> dict[str, Any]:
        return {"role": "user", "content": [{"type": "text", "text": text}]}

    def tool_results(self, results: list[tuple[ToolCall, ToolResult]]) -> list[dict[str, Any]]:
        """All results of a turn in one user message, in the order of the calls."""
        return [
            {
                "role": "user",
                "content": [
                    {
                        "type": "tool_result",
                        "tool_use_id": c.id,
                        "content": r.text,
                        **({"is_error": True} if r.is_error else {}),
                    }
                    for c, r in results
                ],
            }
        ]

    def request(self, messages: list[dict[str, Any]], force_answer: bool) -> dict[str, Any]:
        sent = copy.deepcopy(messages)
        if sent and sent[-1]["role"] == "user" and isinstance(sent[-1]["content"], list):
            # the history up to here is cached for the next turn
            sent[-1]["content"][-1]["cache_control"] = EPHEMERAL
        body: dict[str, Any] = {
            "model": self.model,
            "max_tokens": self.max_tokens,
            "system": self.system,
            "tools": self.tools,
            "messages": sent,
        }
        if force_answer:
            body["tool_choice"] = {"type": "none"}
        return body

    def complete(
        self,
        messages: list[dict[str, Any]],
        *,
        force_answer: bool,
        on_text: Callable[[str], None],
    ) -> Turn:
        body = self.request(messages, force_answer)
        try:
            with self.client.messages.stream(**body) as stream:
                for event in stream:
                    if event.type == "content_block_delta" and event.delta.type == "text_delta":
                        on_text(event.delta.text)
                message = stream.get_final_message()
        except anthropic.APIStatusError as error:
            if error.status_code in RETRYABLE_STATUS or _overloaded(error):
                raise TransientError(
                    f"{error.status_code} {_error_type(error)}",
                    _retry_after(error.response.headers),
                ) from None
            raise ProviderError(
                f"Anthropic API: {error.status_code} {_error_message(error)}"
            ) from None
        except anthropic.APIConnectionError as error:
            raise TransientError(f"cannot reach the Anthropic API ({error})") from None
        dumped = message.model_dump(mode="json", exclude_none=True)
        if self.transcript is not None:
            self.transcript("response", dumped)
        content = [_block_for_history(b) for b in dumped["content"]]
        usage = message.usage
        return Turn(
            text="".join(b.text for b in message.content if b.type == "text"),
            tool_calls=[
                ToolCall(b.id, b.name, b.input) for b in message.content if b.type == "tool_use"
            ],
            stop_reason=str(message.stop_reason or "end_turn"),
            usage=Usage(
                input_tokens=usage.input_tokens,
                output_tokens=usage.output_tokens,
                cache_creation_input_tokens=usage.cache_creation_input_tokens or 0,
                cache_read_input_tokens=usage.cache_read_input_tokens or 0,
                requests=1,
            ),
            assistant_message={"role": "assistant", "content": content},
        )


def _block_for_history(block: dict[str, Any]) -> dict[str, Any]:
    """A response block as it must be sent back: only the fields the API accepts."""
    kind = block.get("type")
    if kind == "text":
        return {"type": "text", "text": block["text"]}
    if kind == "tool_use":
        return {key: block[key] for key in ("type", "id", "name", "input")}
    return block


def _overloaded(error: anthropic.APIStatusError) -> bool:
    return _error_type(error) in ("overloaded_error", "rate_limit_error", "api_error")


def _error_type(error: anthropic.APIStatusError) -> str:
    body = error.body
    if isinstance(body, dict):
        inner = body.get("error")
        if isinstance(inner, dict) and isinstance(inner.get("type"), str):
            return str(inner["type"])
    return type(error).__name__


def _error_message(error: anthropic.APIStatusError) -> str:
    body = error.body
    if isinstance(body, dict):
        inner = body.get("error")
        if isinstance(inner, dict) and inner.get("message"):
            return f"{inner.get('type', '')}: {inner['message']}"
    return str(error.message)


class OpenAIProvider:
    """An OpenAI-compatible chat-completions endpoint (`--provider openai --base-url URL`),
    so a local model server can drive the same tools. Not streamed: local servers differ in
    how they stream tool calls, and one answer at the end is the dependable common ground."""

    def __init__(
        self,
        model: str,
        *,
        base_url: str | None = None,
        max_tokens: int = 4096,
        client: Any = None,
        transcript: Callable[[str, object], None] | None = None,
        system_extra: str = "",
    ) -> None:
        import openai

        self.model = model
        self.max_tokens = max_tokens
        self.client = client or openai.OpenAI(
            base_url=base_url,
            api_key=os.environ.get("OPENAI_API_KEY") or "not-needed-for-local-servers",
            max_retries=0,
        )
        self.transcript = transcript
        self.system = system_prompt(system_extra)
        self.tools = openai_tools()

    def user_message(self, text: str) -> dict[str, Any]:
        return {"role": "user", "content": text}

    def tool_results(self, results: list[tuple[ToolCall, ToolResult]]) -> list[dict[str, Any]]:
        return [
            {
                "role": "tool",
                "tool_call_id": c.id,
                "content": ("ERROR: " if r.is_error else "") + r.text,
            }
            for c, r in results
        ]

    def complete(
        self,
        messages: list[dict[str, Any]],
        *,
        force_answer: bool,
        on_text: Callable[[str], None],
    ) -> Turn:
        import openai

        body: dict[str, Any] = {
            "model": self.model,
            "max_tokens": self.max_tokens,
            "messages": [{"role": "system", "content": self.system}, *messages],
            "tools": self.tools,
            "tool_choice": "none" if force_answer else "auto",
        }
        if self.transcript is not None:
            self.transcript("request", body)
        try:
            response = self.client.chat.completions.create(**body)
        except openai.APIStatusError as error:
            if error.status_code in RETRYABLE_STATUS:
                raise TransientError(
                    f"{error.status_code} from the model server",
                    _retry_after(error.response.headers),
                ) from None
            raise ProviderError(f"model server: {error.status_code} {error.message}") from None
        except openai.APIConnectionError as error:
            raise TransientError(f"cannot reach the model server ({error})") from None
        if self.transcript is not None:
            self.transcript("response", response.model_dump(mode="json", exclude_none=True))
        choice = response.choices[0]
        message = choice.message
        calls = []
        for tool_call in message.tool_calls or []:
            function = getattr(tool_call, "function", None)
            if function is None:
                continue
            try:
                arguments: object = json.loads(function.arguments or "{}")
            except json.JSONDecodeError:
                arguments = function.arguments  # the registry answers with an error result
            calls.append(ToolCall(tool_call.id, function.name, arguments))
        text = message.content or ""
        if text:
            on_text(text)
        stop = {
            "stop": "end_turn",
            "tool_calls": "tool_use",
            "length": "max_tokens",
            "content_filter": "refusal",
        }.get(choice.finish_reason or "stop", "end_turn")
        if calls:
            stop = "tool_use"
        history: dict[str, Any] = {"role": "assistant", "content": text or None}
        if calls:
            history["tool_calls"] = [
                {
                    "id": c.id,
                    "type": "function",
                    "function": {"name": c.name, "arguments": json.dumps(c.arguments)},
                }
                for c in calls
            ]
        usage = response.usage
        return Turn(
            text=text,
            tool_calls=calls,
            stop_reason=stop,
            usage=Usage(
                input_tokens=usage.prompt_tokens if usage else 0,
                output_tokens=usage.completion_tokens if usage else 0,
                requests=1,
            ),
            assistant_message=history,
        )
