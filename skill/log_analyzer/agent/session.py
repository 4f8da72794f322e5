"""A tool session: the registry's calls on one workspace, as a model must receive them.

Everything a model reads passes through here: results are redacted (secrets and personal data
replaced by typed placeholders, the same value always by the same placeholder), and the
placeholders a model writes back in its arguments (it searches for `<email-1>`) are restored to
the real values before the tool runs. The agent loop and the MCP server share it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .budget import DEFAULT_TOKEN_BUDGET
from .redact import Redactor
from .registry import ToolResult, call
from .workspace import Workspace


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
        """Text on its way to a model."""
        return self.redactor.redact(text) if self.redact else text

    def call(self, name: str, arguments: object) -> ToolResult:
        if self.redact:
            arguments = self._restored(arguments)
        result = call(self.workspace, name, arguments, token_budget=self.token_budget)
        return ToolResult(self.outgoing(result.text), result.is_error)

    def _restored(self, value: object) -> object:
        """Placeholders back to real values, string by string (a restored value may hold
        quotes or newlines, so the arguments are never restored as one JSON text)."""
        if isinstance(value, str):
            return self.redactor.restore(value)
        if isinstance(value, list):
            return [self._restored(item) for item in value]
        if isinstance(value, dict):
            return {key: self._restored(item) for key, item in value.items()}
        return value
