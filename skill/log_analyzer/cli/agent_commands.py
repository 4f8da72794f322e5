"""The agent's commands: `tools` (the schemas), `mcp` (the MCP server), `ask`, `chat` and
`install-skill`. The agent (its loop, providers, the tool registry) is imported when one of
them runs, never at start-up."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import NoModelError, OptionError, ProviderError
from .console import say, stdout
from .options import (
    DateOption,
    FormatOption,
    OptionalPaths,
    ServiceOption,
    TzOption,
    YearOption,
    command,
    index_store,
)

if TYPE_CHECKING:
    from ..agent.loop import AgentSettings, Answer, Conversation, Provider, Transcript
    from ..agent.workspace import Workspace

# the defaults of the agent's limits (`agent.budget`, `agent.loop`), written out so that the
# help shows them without importing the agent; a test holds them equal
DEFAULT_TOKEN_BUDGET = 4000
DEFAULT_MAX_TURNS = 12
DEFAULT_TOKEN_LIMIT = 300_000
DEFAULT_MAX_TOKENS = 4096


def register(app: typer.Typer) -> None:
    for function in (tools, mcp, ask, chat):
        command(app, function)
    command(app, install_skill_command, "install-skill")


AllowOption = Annotated[
    list[str],
    typer.Option(
        "--allow",
        metavar="DIR",
        help="Another directory the tools may read (besides the paths given, the current "
        "directory and /var/log). Repeatable.",
    ),
]
ModelOption = Annotated[
    str | None,
    typer.Option(
        "--model",
        metavar="NAME",
        help="Model name (default: $LOG_ANALYZER_MODEL, else a current Claude model).",
    ),
]
ProviderOption = Annotated[
    str,
    typer.Option(
        "--provider",
        metavar="NAME",
        help="anthropic (default; ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL) or openai (any "
        "OpenAI-compatible server: Ollama, vLLM, llama.cpp; with --base-url).",
    ),
]
BaseUrlOption = Annotated[
    str | None,
    typer.Option(
        "--base-url",
        metavar="URL",
        help="The OpenAI-compatible server, e.g. http://localhost:11434/v1",
    ),
]
NoRedactOption = Annotated[
    bool, typer.Option("--no-redact", help="Send log text unredacted (secrets included).")
]
RedactIpsOption = Annotated[bool, typer.Option("--redact-ips", help="Also redact IP addresses.")]
MaxTurnsOption = Annotated[
    int, typer.Option("--max-turns", min=1, metavar="N", help="Model calls per question, at most.")
]
TokenLimitOption = Annotated[
    int, typer.Option("--token-limit", min=1000, metavar="N", help="Tokens per question, at most.")
]
ResultTokensOption = Annotated[
    int,
    typer.Option("--result-tokens", min=200, metavar="N", help="Tokens per tool result, at most."),
]
MaxTokensOption = Annotated[
    int,
    typer.Option("--max-tokens", min=256, metavar="N", help="Tokens per model response, at most."),
]
VerboseOption = Annotated[
    bool, typer.Option("--verbose", "-v", help="Show tool calls, retries, usage and cost.")
]
TranscriptOption = Annotated[
    Path | None,
    typer.Option(
        "--transcript",
        metavar="FILE",
        help="Save every request and response (JSON lines) to FILE.",
    ),
]


def tools(
    format: Annotated[
        str,
        typer.Option(
            "--format", metavar="DIALECT", help="Schema dialect: anthropic, openai or mcp."
        ),
    ] = "anthropic",
) -> None:
    """Print the tool schemas (JSON) for another agent: Anthropic tools, OpenAI strict
    functions, or MCP tools. One registry defines them all."""
    import json

    from ..agent.registry import tool_schemas

    if format not in ("anthropic", "openai", "mcp"):
        raise OptionError(f"--format {format!r}: expected anthropic, openai or mcp")
    sys.stdout.write(json.dumps(tool_schemas(format), indent=1) + "\n")


def session_workspace(
    paths: list[str],
    allow: list[str],
    format: str | None,
    tz: str | None,
    year: int | None,
    date: str | None,
    service: list[str],
) -> Workspace:
    """A conversation's workspace: roots from the paths, cwd, /var/log and `--allow`."""
    from ..agent.roots import AllowedRoots
    from ..agent.workspace import Workspace
    from ..options import build_parse_options

    options, _ = build_parse_options(format, tz, year, date, service)
    roots = AllowedRoots.for_session(paths, allow)
    return Workspace(roots, options, store=index_store(False))


def mcp(
    paths: OptionalPaths = None,
    allow: AllowOption = [],  # noqa: B006 - typer reads the default, never mutates it
    no_redact: NoRedactOption = False,
    redact_ips: RedactIpsOption = False,
    result_tokens: ResultTokensOption = DEFAULT_TOKEN_BUDGET,
    format: FormatOption = None,
    tz: TzOption = None,
    year: YearOption = None,
    date: DateOption = None,
    service: ServiceOption = [],  # noqa: B006
) -> None:
    """Serve the tools over MCP on stdio (for Claude Desktop, Claude Code, Cursor...). Paths
    given are loaded first; logs go to stderr only."""
    from ..agent.mcp_server import serve_stdio

    workspace = session_workspace(paths or [], allow, format, tz, year, date, service)
    if paths:
        workspace.load(paths)
    serve_stdio(workspace, token_budget=result_tokens, redact=not no_redact, redact_ips=redact_ips)


def make_provider(
    provider: str,
    model: str | None,
    base_url: str | None,
    max_tokens: int,
    transcript: Transcript | None,
) -> Provider:
    record = transcript.write if transcript is not None else None
    if provider == "anthropic":
        if not (os.environ.get("ANTHROPIC_API_KEY") or os.environ.get("ANTHROPIC_AUTH_TOKEN")):
            raise NoModelError("ANTHROPIC_API_KEY is not set, so no model can be asked")
        from ..agent.providers import AnthropicProvider

        return AnthropicProvider(model, max_tokens=max_tokens, transcript=record)
    if provider == "openai":
        if not model:
            raise OptionError("--provider openai needs --model (the name the server knows)")
        if (
            not base_url
            and not os.environ.get("OPENAI_BASE_URL")
            and not os.environ.get("OPENAI_API_KEY")
        ):
            raise NoModelError("--provider openai needs --base-url URL (or OPENAI_API_KEY)")
        from ..agent.providers import OpenAIProvider

        return OpenAIProvider(model, base_url=base_url, max_tokens=max_tokens, transcript=record)
    raise OptionError(f"--provider {provider!r}: expected anthropic or openai")


def _fallback(workspace: Workspace, reason: str) -> None:
    """One clear line, then the deterministic investigation: the engineer still gets the
    answer the tools can give without a model."""
    say(f"log-analyzer: {reason}; showing the deterministic investigation instead")
    if workspace.sources:
        from ..render.investigation import investigation_view

        console = stdout()
        console.print(investigation_view(workspace.investigation(), width=console.width))


def _print_answer_footer(answer: Answer, verbose: bool, model: str) -> None:
    from ..agent.pricing import usage_line

    if answer.unverified:
        sys.stdout.write(
            "\n[unverified citations, not found in the loaded logs: "
            + ", ".join(answer.unverified)
            + "]\n"
        )
    notes = {
        "max_tokens": "the answer was cut at the response size limit (raise --max-tokens)",
        "model_context_window_exceeded": "the conversation outgrew the model's context",
        "refusal": "the model declined to answer",
        "turn_limit": "stopped at the turn limit (raise --max-turns or narrow the question)",
        "token_limit": "stopped at the token limit (raise --token-limit)",
    }
    if answer.stop_reason in notes:
        say(f"log-analyzer: {notes[answer.stop_reason]}")
    if verbose:
        say(f"{answer.tool_calls} tool calls; {usage_line(model, answer.usage)}")


def _conversation(
    workspace: Workspace,
    provider: Provider,
    settings: AgentSettings,
    verbose: bool,
    stream: bool = True,
) -> Conversation:
    from ..agent.loop import Conversation

    def write(text: str) -> None:
        sys.stdout.write(text)
        sys.stdout.flush()

    def event(text: str) -> None:
        if verbose:
            say(f"· {text}")

    return Conversation(
        workspace,
        provider,
        settings,
        on_text=write if stream else (lambda _t: None),
        on_event=event,
    )


def ask(
    question: Annotated[
        str, typer.Argument(metavar="QUESTION", help="The question, in plain language.")
    ],
    paths: OptionalPaths = None,
    model: ModelOption = None,
    provider: ProviderOption = "anthropic",
    base_url: BaseUrlOption = None,
    allow: AllowOption = [],  # noqa: B006
    no_redact: NoRedactOption = False,
    redact_ips: RedactIpsOption = False,
    max_turns: MaxTurnsOption = DEFAULT_MAX_TURNS,
    token_limit: TokenLimitOption = DEFAULT_TOKEN_LIMIT,
    result_tokens: ResultTokensOption = DEFAULT_TOKEN_BUDGET,
    max_tokens: MaxTokensOption = DEFAULT_MAX_TOKENS,
    verbose: VerboseOption = False,
    transcript: TranscriptOption = None,
    format: FormatOption = None,
    tz: TzOption = None,
    year: YearOption = None,
    date: DateOption = None,
    service: ServiceOption = [],  # noqa: B006
) -> None:
    """Ask a model about the logs: it answers by calling the tools, with file:line evidence
    (streamed). Secrets are redacted before anything is sent. Needs ANTHROPIC_API_KEY (or
    --provider openai --base-url URL); without one, prints the deterministic investigation."""
    from ..agent.loop import AgentSettings, Transcript

    workspace = session_workspace(paths or [], allow, format, tz, year, date, service)
    if paths:
        workspace.load(paths)
    settings = AgentSettings(
        max_turns=max_turns,
        token_limit=token_limit,
        result_tokens=result_tokens,
        redact=not no_redact,
        redact_ips=redact_ips,
    )
    log = Transcript(transcript) if transcript is not None else None
    try:
        chosen = make_provider(provider, model, base_url, max_tokens, log)
        answer = _conversation(workspace, chosen, settings, verbose).ask(question)
    except (NoModelError, ProviderError) as error:
        _fallback(workspace, str(error))
        raise typer.Exit(2) from None
    sys.stdout.write("\n")
    _print_answer_footer(answer, verbose, chosen.model)
    if not answer.complete:
        raise typer.Exit(1)


CHAT_HELP = (
    "Commands: /report [FILE] writes the post-mortem, /reset forgets the conversation, /quit."
)


def chat(
    paths: OptionalPaths = None,
    model: ModelOption = None,
    provider: ProviderOption = "anthropic",
    base_url: BaseUrlOption = None,
    allow: AllowOption = [],  # noqa: B006
    no_redact: NoRedactOption = False,
    redact_ips: RedactIpsOption = False,
    max_turns: MaxTurnsOption = DEFAULT_MAX_TURNS,
    token_limit: TokenLimitOption = DEFAULT_TOKEN_LIMIT,
    result_tokens: ResultTokensOption = DEFAULT_TOKEN_BUDGET,
    max_tokens: MaxTokensOption = DEFAULT_MAX_TOKENS,
    verbose: VerboseOption = False,
    transcript: TranscriptOption = None,
    format: FormatOption = None,
    tz: TzOption = None,
    year: YearOption = None,
    date: DateOption = None,
    service: ServiceOption = [],  # noqa: B006
) -> None:
    """Talk with a model about the logs: follow-up questions keep the conversation and the
    loaded logs. /report [FILE], /reset, /quit. Ctrl-C stops an answer; Ctrl-D quits."""
    from ..agent.loop import AgentSettings, Transcript

    workspace = session_workspace(paths or [], allow, format, tz, year, date, service)
    if paths:
        workspace.load(paths)
    settings = AgentSettings(
        max_turns=max_turns,
        token_limit=token_limit,
        result_tokens=result_tokens,
        redact=not no_redact,
        redact_ips=redact_ips,
    )
    log = Transcript(transcript) if transcript is not None else None
    try:
        chosen = make_provider(provider, model, base_url, max_tokens, log)
    except NoModelError as error:
        _fallback(workspace, str(error))
        raise typer.Exit(2) from None
    conversation = _conversation(workspace, chosen, settings, verbose)
    say(f"log-analyzer chat ({chosen.model}). {CHAT_HELP}")
    while True:
        try:
            line = input("> ").strip()
        except EOFError:
            break
        if not line:
            continue
        if line in ("/quit", "/exit"):
            break
        if line == "/reset":
            conversation.reset()
            say("conversation reset (the logs stay loaded)")
            continue
        if line.startswith("/report"):
            target = line[len("/report") :].strip() or None
            _chat_report(conversation, target)
            continue
        if line.startswith("/"):
            say(f"unknown command {line.split()[0]}. {CHAT_HELP}")
            continue
        try:
            answer = conversation.ask(line)
        except KeyboardInterrupt:
            say("\n(interrupted; ask again or /quit)")
            continue
        except ProviderError as error:
            say(f"log-analyzer: {error}")
            continue
        sys.stdout.write("\n")
        _print_answer_footer(answer, verbose, chosen.model)


def draft_narrative(conversation: Conversation) -> Answer:
    """The model's root-cause narrative, from the deterministic findings."""
    from ..agent.prompts import narrative_prompt
    from ..agent.registry import call

    findings = call(conversation.workspace, "investigate", {}).text
    return conversation.ask(narrative_prompt(findings))


def _chat_report(conversation: Conversation, target: str | None) -> None:
    from ..render.postmortem import render

    try:
        answer = draft_narrative(conversation)
    except ProviderError as error:
        say(f"log-analyzer: {error}")
        return
    sys.stdout.write("\n")
    text = render(
        conversation.workspace.investigation(),
        "md",
        narrative=answer.text,
        narrative_unverified=answer.unverified,
    )
    if target is None:
        sys.stdout.write(text)
        return
    try:
        Path(target).write_text(text, encoding="utf-8")
    except OSError as error:
        say(f"log-analyzer: {target}: {error.strerror or error}")
        return
    say(f"report written to {target}")


def narrative_for_report(
    paths: list[str],
    parse: tuple[str | None, str | None, int | None, str | None, list[str]],
    provider: str,
    model: str | None,
    base_url: str | None,
    verbose: bool,
) -> tuple[str, list[str]] | None:
    """`report --narrative`: the drafted narrative and its unverified citations, or None
    (after one line saying why) when no model can be asked. `parse` holds the report's
    --format, --tz, --year, --date and --service."""
    from ..agent.loop import AgentSettings
    from ..agent.pricing import usage_line

    workspace = session_workspace(paths, [], *parse)
    workspace.load(paths)
    try:
        chosen = make_provider(provider, model, base_url, DEFAULT_MAX_TOKENS, None)
        conversation = _conversation(workspace, chosen, AgentSettings(), verbose, stream=False)
        answer = draft_narrative(conversation)
    except (NoModelError, ProviderError) as error:
        say(f"log-analyzer: {error}; the report has the deterministic findings only")
        return None
    if verbose:
        say(usage_line(chosen.model, answer.usage))
    return answer.text, answer.unverified


def install_skill_command(
    agent: Annotated[
        str, typer.Option("--agent", metavar="NAME", help="claude, codex, cursor or gemini.")
    ] = "claude",
    user: Annotated[
        bool, typer.Option("--user", help="For every project of this user (the default).")
    ] = False,
    project: Annotated[
        bool, typer.Option("--project", help="For the project in the current directory only.")
    ] = False,
) -> None:
    """Install the log-analyzer skill (SKILL.md and the CLI's source) where a terminal
    agent looks for skills, and print the folder."""
    from ..agent.install import AGENTS, install_skill

    if agent not in AGENTS:
        raise OptionError(f"--agent {agent!r}: expected one of {', '.join(AGENTS)}")
    if user and project:
        raise OptionError("--user and --project exclude each other")
    folder = install_skill(agent, "project" if project else "user")
    sys.stdout.write(f"{folder}\n")
