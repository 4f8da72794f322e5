"""The agent loop: a model answers questions by calling the tools, turn after turn.

One `Conversation` per chat: its messages and its workspace live as long as it does. Each
question runs turns until the model answers: every tool call of a turn runs and all results go
back in one user message; errors come back as error results the model can correct; every
stop reason is handled; transient API errors are retried with backoff (honouring
`retry-after`); a turn limit and a token budget bound the cost. Everything sent passes through
the redactor first, and the answer's citations are checked against the workspace.

The provider (Anthropic Messages, or an OpenAI-compatible chat-completions server) only
translates: `providers.py` turns the conversation's neutral turns into its wire format.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ..errors import ProviderError as ProviderError
from ..errors import TransientError as TransientError
from .budget import DEFAULT_TOKEN_BUDGET, compact, wrap_untrusted
from .grounding import Citation, check_citations
from .pricing import Usage
from .registry import ToolResult
from .session import ToolSession
from .workspace import Workspace

DEFAULT_MAX_TURNS = 12
DEFAULT_TOKEN_LIMIT = 300_000  # input + output tokens per question, cached reads included
DEFAULT_MAX_TOKENS = 4096
MAX_RETRIES = 5

# An answer that rests on these alone is a deterministic guess repeated ...
CONCLUDING = frozenset({"investigate", "find_first_failure", "correlate_services"})
# ... until one of these has looked at the evidence itself.
CHECKING = frozenset({"read_lines", "search_logs", "compare_windows", "trace_request"})
CHECK_REQUEST = (
    "Before this answer stands: it repeats the deterministic analysis without checking it. "
    "Check it as your instructions say (read the first failure's lines; look at whether the "
    "service they name changed in its own log; trace one failing request), then give the "
    "whole answer again, saying where the evidence disagrees with the analysis."
)
CHECKING_MARK = "\n\n(checking the evidence before concluding...)\n\n"
MAX_BACKOFF_SECONDS = 60.0


@dataclass
class ToolCall:
    id: str
    name: str
    arguments: object


@dataclass
class Turn:
    """What one model response holds, in provider-neutral form."""

    text: str
    tool_calls: list[ToolCall]
    stop_reason: str  # end_turn, tool_use, max_tokens, pause_turn, refusal, ...
    usage: Usage
    assistant_message: dict[str, Any]  # to append to the history, in the provider's format


class Provider(Protocol):
    model: str

    def complete(
        self,
        messages: list[dict[str, Any]],
        *,
        force_answer: bool,
        on_text: Callable[[str], None],
    ) -> Turn: ...

    def user_message(self, text: str) -> dict[str, Any]: ...

    def tool_results(self, results: list[tuple[ToolCall, ToolResult]]) -> list[dict[str, Any]]: ...


@dataclass
class AgentSettings:
    max_turns: int = DEFAULT_MAX_TURNS
    token_limit: int = DEFAULT_TOKEN_LIMIT
    result_tokens: int = DEFAULT_TOKEN_BUDGET
    redact: bool = True
    redact_ips: bool = False
    max_retries: int = MAX_RETRIES
    verify: bool = True  # an answer drawn from the analysis alone is sent back to be checked


@dataclass
class Answer:
    text: str
    stop_reason: str  # end_turn, max_tokens, refusal, turn_limit, token_limit
    citations: list[Citation]
    usage: Usage
    tool_calls: int

    @property
    def unverified(self) -> list[str]:
        return [c.text for c in self.citations if not c.verified]

    @property
    def complete(self) -> bool:
        return self.stop_reason == "end_turn"


class Transcript:
    """`--transcript FILE`: every request body and response, one JSON object per line."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.path.write_text("", encoding="utf-8")

    def write(self, kind: str, payload: object) -> None:
        with self.path.open("a", encoding="utf-8") as out:
            out.write(compact({"kind": kind, "payload": payload}) + "\n")


@dataclass
class Conversation:
    """A chat with a model over one workspace; `ask` runs one question to its answer."""

    workspace: Workspace
    provider: Provider
    settings: AgentSettings = field(default_factory=AgentSettings)
    on_text: Callable[[str], None] = lambda _text: None
    on_event: Callable[[str], None] = lambda _text: None  # retries, tool calls (--verbose)
    sleep: Callable[[float], None] = time.sleep
    messages: list[dict[str, Any]] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)

    def __post_init__(self) -> None:
        self.tools = ToolSession(
            self.workspace,
            redact=self.settings.redact,
            redact_ips=self.settings.redact_ips,
            token_budget=self.settings.result_tokens,
        )

    def reset(self) -> None:
        """Forget the conversation (`/reset`); the workspace stays loaded."""
        self.messages.clear()

    def ask(self, question: str) -> Answer:
        """Run turns until the model answers. Ctrl-C (KeyboardInterrupt) leaves the history as
        it was before the question, so a chat can go on."""
        before = len(self.messages)
        try:
            return self._ask(question)
        except BaseException:
            del self.messages[before:]
            raise

    def _ask(self, question: str) -> Answer:
        called: set[str] = set()  # the tools this question used
        nudged = False
        text = question if self.messages else self._opening() + question
        self.messages.append(self.provider.user_message(self.tools.outgoing(text)))
        spent = Usage()
        calls = 0
        turn_texts: list[str] = []
        for number in range(1, self.settings.max_turns + 1):
            if spent.total_tokens >= self.settings.token_limit:
                return self._answer(turn_texts, "token_limit", spent, calls)
            last = number == self.settings.max_turns
            turn = self._complete(force_answer=last)
            spent.add(turn.usage)
            self.usage.add(turn.usage)
            self.messages.append(turn.assistant_message)
            if turn.text:
                turn_texts.append(turn.text)
            if turn.stop_reason == "pause_turn":
                continue  # the server paused a long turn: send the history back to resume
            if turn.stop_reason == "tool_use" and turn.tool_calls:
                if last:
                    self._close_calls(turn, "the turn limit was reached")
                    return self._answer(turn_texts, "turn_limit", spent, calls)
                results = [(c, self._run_tool(c)) for c in turn.tool_calls]
                called.update(c.name for c in turn.tool_calls)
                calls += len(results)
                self.messages.extend(self.provider.tool_results(results))
                continue
            self._close_calls(turn, f"the response ended ({turn.stop_reason})")
            if not last and turn.stop_reason == "end_turn" and self._unchecked(called, nudged):
                nudged = True
                self.on_event("the answer rests on the analysis alone: asking for a check")
                self.on_text(CHECKING_MARK)
                self.messages.append(self.provider.user_message(CHECK_REQUEST))
                turn_texts = []  # the checked answer replaces the draft
                continue
            return self._answer(turn_texts, turn.stop_reason, spent, calls)
        return self._answer(turn_texts, "turn_limit", spent, calls)

    def _unchecked(self, called: set[str], nudged: bool) -> bool:
        """True when this question's answer was drawn from the deterministic conclusion
        (`investigate`, `find_first_failure`, `correlate_services`) without one call that
        checks it against the logs, and the model was not asked to check yet."""
        if nudged or not self.settings.verify:
            return False
        return bool(called & CONCLUDING) and not called & CHECKING

    def _close_calls(self, turn: Turn, why: str) -> None:
        """Tool calls left unanswered would make the next request of a chat invalid (every
        tool use needs its result): answer them as not run."""
        if turn.tool_calls:
            unrun = [(c, ToolResult(f"not run: {why}", is_error=True)) for c in turn.tool_calls]
            self.messages.extend(self.provider.tool_results(unrun))

    def _opening(self) -> str:
        """The first message names what is loaded, so the model can call tools at once."""
        sources = [
            {
                "file": s.file,
                "format": s.format,
                "service": s.service,
                "first": s.first.isoformat() if s.first else None,
                "last": s.last.isoformat() if s.last else None,
                "records": s.records,
            }
            for s in self.workspace.summaries
        ]
        if not sources:
            return "No logs are loaded yet: load them with parse_logs.\n\nQuestion: "
        listing = wrap_untrusted("parse_logs", compact({"loaded": sources}))
        return f"Logs loaded in the workspace:\n{listing}\n\nQuestion: "

    def _complete(self, force_answer: bool) -> Turn:
        attempt = 0
        while True:
            try:
                return self.provider.complete(
                    self.messages, force_answer=force_answer, on_text=self.on_text
                )
            except TransientError as error:
                attempt += 1
                if attempt > self.settings.max_retries:
                    raise ProviderError(f"{error} (gave up after {attempt} attempts)") from None
                wait = _backoff(attempt, error.retry_after)
                self.on_event(
                    f"{error}; retrying in {wait:.1f}s ({attempt}/{self.settings.max_retries})"
                )
                self.sleep(wait)

    def _run_tool(self, tool_call: ToolCall) -> ToolResult:
        self.on_event(f"tool {tool_call.name} {compact(tool_call.arguments)}")
        return self.tools.call(tool_call.name, tool_call.arguments)

    def _answer(self, texts: list[str], stop: str, usage: Usage, calls: int) -> Answer:
        text = "\n\n".join(t.strip() for t in texts if t.strip())
        return Answer(
            text=text,
            stop_reason=stop,
            citations=check_citations(text, self.workspace),
            usage=usage,
            tool_calls=calls,
        )


def _backoff(attempt: int, retry_after: float | None) -> float:
    if retry_after is not None and retry_after >= 0:
        return min(retry_after, MAX_BACKOFF_SECONDS)
    base: float = min(0.5 * 2 ** (attempt - 1), MAX_BACKOFF_SECONDS)
    return base * (0.75 + random.random() / 2)  # jitter: clients retrying together spread out
