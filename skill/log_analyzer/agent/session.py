"""A tool session: the registry's calls on one workspace, as a model must receive them.

Everything a model reads passes through here, and this is the boundary: results and errors
alike are redacted (secrets and personal data replaced by typed placeholders, the same value
always by the same placeholder), log text is redacted whole before anything cuts it, and the
placeholders a model writes back in its arguments (it searches for `<email-1>`) are restored to
the real values before the tool runs, then concealed again in whatever the tool answers: an
error that repeats its argument (`read_lines: <password-1>: no such file`) repeats the
placeholder, never the value. The agent loop and the MCP server share it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import regex

from .budget import DEFAULT_TOKEN_BUDGET, UNTRUSTED_CLOSE
from .redact import PLACEHOLDER, Redactor, concealer
from .registry import ToolResult, call
from .tools import Outgoing
from .workspace import Workspace

# Arguments that are regular expressions when another argument says so: a placeholder there is
# restored as its value escaped, the literal the model means (`a.b+c@x.org` is no pattern).
REGEX_ARGUMENTS = {
    "search_logs": (("pattern", "exclude"), "regex"),
    "count_per_minute": (("pattern",), "regex"),
}
# A piece of a restored value this long (shorter for short values) in an error message is
# enough to withhold the message: a tool may repeat part of an argument (a glob's directory).
FRAGMENT = 8


@dataclass
class ToolSession:
    workspace: Workspace
    redact: bool = True
    redact_ips: bool = False
    token_budget: int = DEFAULT_TOKEN_BUDGET
    redactor: Redactor = field(init=False)

    def __post_init__(self) -> None:
        self.redactor = Redactor(ips=self.redact_ips)

    def outgoing(self, text: str) -> str:
        """Text on its way to a model (the user's question, the opening listing)."""
        return self.redactor.redact(text) if self.redact else text

    def call(self, name: str, arguments: object) -> ToolResult:
        if not self.redact:
            return call(self.workspace, name, arguments, token_budget=self.token_budget)
        restored: dict[str, str] = {}  # each value put back in the arguments -> its placeholder
        arguments = self._restored(name, arguments, restored)

        redactor = self.redactor
        conceal = concealer(restored)
        seen: dict[str, str] = {}  # a result repeats its keys, services, levels...

        def text(value: str) -> str:
            done = seen.get(value)
            if done is None:
                done = seen[value] = conceal(redactor.redact(value))
            return done

        def lines(values: list[str]) -> list[str]:
            return [conceal(value) for value in redactor.redact_lines(values)]

        result = call(
            self.workspace,
            name,
            arguments,
            token_budget=self.token_budget,
            outgoing=Outgoing(text=text, lines=lines, known=redactor.conceal_known),
        )
        # the whole result once more, as it is sent (inside its untrusted-data marker)
        head, marked, body = result.text.partition("\n") if not result.is_error else ("", "", "")
        if marked and head.startswith("<log-data ") and body.endswith(f"\n{UNTRUSTED_CLOSE}"):
            inner = body.removesuffix(f"\n{UNTRUSTED_CLOSE}")
            answer = f"{head}\n{conceal(redactor.redact(inner))}\n{UNTRUSTED_CLOSE}"
        else:
            answer = conceal(redactor.redact(result.text))
        if result.is_error and _repeats(answer, restored):
            answer = (
                f"{name}: the call failed, and its message is withheld because it repeated part "
                "of a redacted value (the model's placeholders are restored before a tool runs)"
            )
        return ToolResult(answer, result.is_error)

    def _restored(self, name: str, arguments: object, restored: dict[str, str]) -> object:
        """Placeholders back to real values, string by string (a restored value may hold
        quotes or newlines, so the arguments are never restored as one JSON text)."""
        if not isinstance(arguments, dict):
            return self._restore(arguments, restored)
        patterns, flag = REGEX_ARGUMENTS.get(name, ((), ""))
        escaped = bool(patterns) and arguments.get(flag) is True
        return {
            key: self.redactor.restore(value, escape=regex.escape, restored=restored)
            if escaped and key in patterns and isinstance(value, str)
            else self._restore(value, restored)
            for key, value in arguments.items()
        }

    def _restore(self, value: object, restored: dict[str, str]) -> object:
        if isinstance(value, str):
            return self.redactor.restore(value, restored=restored)
        if isinstance(value, list):
            return [self._restore(item, restored) for item in value]
        if isinstance(value, dict):
            return {key: self._restore(item, restored) for key, item in value.items()}
        return value


def _repeats(text: str, restored: dict[str, str]) -> bool:
    """Whether `text` (placeholders aside) holds a piece of a restored value: the part of it a
    message may repeat (a directory of a glob, a prefix)."""
    visible = PLACEHOLDER.sub("\x00", text)
    for value in restored:
        size = max(4, min(FRAGMENT, len(value) // 2))
        if len(value) > size and any(
            value[i : i + size] in visible for i in range(len(value) - size + 1)
        ):
            return True
    return False
