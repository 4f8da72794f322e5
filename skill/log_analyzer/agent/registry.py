"""The tool registry: the one definition every consumer reads.

Each tool is a typed function (`tools.py`) with a pydantic input and output model. From it
come the Anthropic tool schema, the OpenAI strict function schema, the MCP tool list and the
`log-analyzer tools` output; `call` validates a model's arguments, runs the tool against the
conversation's workspace and renders the result within a token budget, log text marked as
untrusted data. Errors never escape `call`: they come back as an error result for the model.
"""

from __future__ import annotations

import copy
import inspect
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import LogAnalyzerError
from . import tools
from .budget import DEFAULT_TOKEN_BUDGET, fit, wrap_untrusted
from .workspace import Workspace


@dataclass(frozen=True)
class Tool:
    name: str
    function: Callable[[Workspace, Any], BaseModel]
    input_model: type[BaseModel]

    @property
    def description(self) -> str:
        # docstrings are hard-wrapped for the source; a model reads paragraphs
        return re.sub(r"(?<!\n)\n(?!\n)", " ", inspect.cleandoc(self.function.__doc__ or ""))

    def input_schema(self) -> dict[str, Any]:
        return _clean(self.input_model.model_json_schema())


def _tool(function: Callable[[Workspace, Any], BaseModel]) -> Tool:
    request = inspect.signature(function).parameters["request"].annotation
    model = getattr(tools, request) if isinstance(request, str) else request
    return Tool(function.__name__, function, model)


_FUNCTIONS: list[Callable[[Workspace, Any], BaseModel]] = [
    tools.parse_logs,
    tools.group_errors,
    tools.find_first_failure,
    tools.merge_timelines,
    tools.count_per_minute,
    tools.correlate_services,
    tools.compare_windows,
    tools.search_logs,
    tools.trace_request,
    tools.read_lines,
    tools.suggest_fixes,
    tools.investigate,
    tools.monitor_logs,
]
TOOLS: dict[str, Tool] = {tool.name: tool for tool in (_tool(f) for f in _FUNCTIONS)}


@dataclass
class ToolResult:
    text: str
    is_error: bool = False


def call(
    workspace: Workspace,
    name: str,
    arguments: object,
    *,
    token_budget: int = DEFAULT_TOKEN_BUDGET,
    outgoing: tools.Outgoing | None = None,
) -> ToolResult:
    """Run a tool for a model. Unknown names, invalid arguments, refused paths and failures
    come back as error results the model can read and correct, never as exceptions.

    With `outgoing` (a conversation that redacts), text is redacted before anything cuts it:
    log text where the tools clip it, every string of the output before the result is cut to
    its budget, and error messages."""
    scrub = _scrub_message(outgoing)
    tool = TOOLS.get(name)
    if tool is None:
        known = ", ".join(TOOLS)
        return ToolResult(scrub(f"unknown tool {name!r}; the tools are: {known}"), is_error=True)
    if not isinstance(arguments, dict):
        return ToolResult(f"{name}: arguments must be a JSON object", is_error=True)
    # OpenAI strict mode sends null for every optional argument: null means "default".
    given = {key: value for key, value in arguments.items() if value is not None}
    try:
        request = tool.input_model.model_validate(given)
    except ValidationError as error:
        return ToolResult(scrub(f"{name}: invalid arguments: {_problems(error)}"), is_error=True)
    scope = _scope(workspace)
    try:
        with tools.redacting(outgoing), tools.scoped(scope):
            output = tool.function(workspace, request)
            notes = _notes(scope, request)
    except LogAnalyzerError as error:
        return ToolResult(scrub(f"{name}: {error}"), is_error=True)
    except Exception as error:  # a bug must not end the conversation: the model hears of it
        return ToolResult(
            scrub(f"{name}: internal error ({type(error).__name__}: {error})"), is_error=True
        )
    data = output.model_dump(mode="json", exclude_none=True)
    if notes:
        data["window_notes"] = notes
    if outgoing is not None:
        # every string redacted (those `clip` did are already), then every value the result
        # holds concealed where the analysis rewrote it (a label drops the `=` of a pair)
        strings = _strings(data)
        clean = outgoing.clean
        redacted = [text if text in clean else outgoing.text(text) for text in strings]
        data = _replaced(data, iter(outgoing.known(redacted)))
    return ToolResult(wrap_untrusted(name, fit(data, token_budget, tool.input_model.model_fields)))


def _scope(workspace: Workspace) -> tools.CallScope:
    oldest, newest = workspace.span()
    return tools.CallScope(oldest, newest, workspace.service_names())


def _notes(scope: tools.CallScope, request: BaseModel) -> list[str]:
    """What the result must say about its window: how relative bounds were measured, and why
    a window holds nothing."""
    notes = list(scope.notes)
    if isinstance(request, tools.TimeWindow):
        empty = request.empty_window_note()
        if empty is not None:
            notes.append(empty)
    return notes


def _scrub_message(outgoing: tools.Outgoing | None) -> Callable[[str], str]:
    if outgoing is None:
        return lambda text: text
    return lambda text: outgoing.known([outgoing.text(text)])[0]


def _strings(node: Any) -> list[str]:
    """Every string of a result's data, keys too (services are named by the logs), in the
    order `_replaced` puts them back."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [text for item in node for text in _strings(item)]
    if isinstance(node, dict):
        return [text for key, value in node.items() for text in (key, *_strings(value))]
    return []


def _replaced(node: Any, strings: Iterator[str]) -> Any:
    if isinstance(node, str):
        return next(strings)
    if isinstance(node, list):
        return [_replaced(item, strings) for item in node]
    if isinstance(node, dict):
        return {next(strings): _replaced(value, strings) for value in node.values()}
    return node


def _problems(error: ValidationError) -> str:
    parts = []
    for problem in error.errors()[:5]:
        where = ".".join(str(p) for p in problem["loc"]) or "arguments"
        parts.append(f"{where}: {problem['msg']}")
    return "; ".join(parts)


# --- schemas ----------------------------------------------------------------------------------


def _clean(schema: dict[str, Any]) -> dict[str, Any]:
    """Pydantic's schema without the noise a model does not need (titles)."""
    schema = copy.deepcopy(schema)

    def walk(node: object) -> None:
        if isinstance(node, dict):
            node.pop("title", None)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    return schema


def anthropic_tools() -> list[dict[str, Any]]:
    return [
        {"name": t.name, "description": t.description, "input_schema": t.input_schema()}
        for t in TOOLS.values()
    ]


def openai_tools() -> list[dict[str, Any]]:
    return [
        {
            "type": "function",
            "function": {
                "name": t.name,
                "description": t.description,
                "parameters": strict_schema(t.input_schema()),
                "strict": True,
            },
        }
        for t in TOOLS.values()
    ]


def mcp_tools() -> list[dict[str, Any]]:
    return [
        {"name": t.name, "description": t.description, "inputSchema": t.input_schema()}
        for t in TOOLS.values()
    ]


# Keywords OpenAI's strict mode accepts (structured outputs' supported subset).
STRICT_KEYWORDS = frozenset(
    {
        "type",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "enum",
        "const",
        "anyOf",
        "$ref",
        "$defs",
        "description",
        "pattern",
        "format",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "minItems",
        "maxItems",
    }
)


def strict_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """OpenAI strict mode: every object closed (`additionalProperties: false`) with every
    property required; an optional property becomes nullable instead (null = the default, see
    `call`); unsupported keywords (`default`, `minLength`...) dropped, their meaning kept in
    the description where a model needs it."""
    schema = copy.deepcopy(schema)

    def walk(node: dict[str, Any]) -> dict[str, Any]:
        if "default" in node and node["default"] is not None:
            note = f"Default: {json.dumps(node['default'])}."
            node["description"] = f"{node.get('description', '')} {note}".strip()
        for key in [k for k in node if k not in STRICT_KEYWORDS]:
            del node[key]
        if node.get("type") == "object" or "properties" in node:
            properties: dict[str, Any] = node.get("properties", {})
            required = set(node.get("required", []))
            for name, value in properties.items():
                walk(value)
                if name not in required:
                    properties[name] = _nullable(value)
            node["required"] = list(properties)
            node["additionalProperties"] = False
        for child in node.get("anyOf", []):
            walk(child)
        if isinstance(node.get("items"), dict):
            walk(node["items"])
        for definition in node.get("$defs", {}).values():
            walk(definition)
        return node

    return walk(schema)


def _nullable(node: dict[str, Any]) -> dict[str, Any]:
    variants = node.get("anyOf")
    if variants is not None:
        if not any(v.get("type") == "null" for v in variants):
            variants.append({"type": "null"})
        return node
    description = node.pop("description", None)
    out: dict[str, Any] = {"anyOf": [node, {"type": "null"}]}
    if description:
        out["description"] = description
    return out


def tool_schemas(format: str) -> list[dict[str, Any]]:
    exporters = {"anthropic": anthropic_tools, "openai": openai_tools, "mcp": mcp_tools}
    return exporters[format]()
