"""Answer-quality evals: ask real models the questions of `evals/cases.toml` about the bundled
incidents and held-out ones rendered at run time, and score each answer by the facts it states
(see `evals/scoring.py`), beside the score of what the deterministic tools alone answer.

    .venv/bin/python evals/run.py                                       # the default model
    .venv/bin/python evals/run.py --models claude-sonnet-5-5 claude-haiku-5-5 --json out.json
    .venv/bin/python evals/run.py --provider openai --base-url http://localhost:11434/v1 \\
        --models qwen3 --cases 'checkout/*'
    .venv/bin/python evals/run.py --system-extra prompt-idea.md         # compare a prompt change
    .venv/bin/python evals/run.py --tools-only                          # no model, no key

Every case runs in a fresh workspace over a copy of its incident's logs (without
`ground_truth.json`, which the model must not be able to read), in a folder whose name says
nothing, with the same agent loop as `log-analyzer ask`. Calls to a paid API cost money: see
evals/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from log_analyzer.agent.loop import (
    DEFAULT_MAX_TURNS,
    AgentSettings,
    Conversation,
    Provider,
    ProviderError,
    ToolCall,
    Turn,
)
from log_analyzer.agent.pricing import Usage, estimated_cost
from log_analyzer.agent.providers import default_model
from log_analyzer.agent.registry import ToolResult
from log_analyzer.agent.roots import AllowedRoots
from log_analyzer.agent.workspace import Workspace
from log_analyzer.errors import LogAnalyzerError

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # `evals.scoring` when run as a script

from evals.deterministic import tools_answer  # noqa: E402
from evals.scoring import (  # noqa: E402
    CASES,
    Case,
    CaseError,
    Score,
    Source,
    load_cases,
    score,
    select,
)

INCIDENTS = ROOT / "fixtures" / "incidents"
HIDDEN = ("ground_truth.json",)  # the answer key stays out of the model's reach


class Stop(Exception):
    """A reason the evals cannot run: one line for the user, exit status 2."""


@dataclass
class CaseResult:
    model: str
    case: str
    question: str
    points: int
    total: int
    missing: list[str]
    tools: list[str]  # every tool the model called, in order
    input_tokens: int
    output_tokens: int
    cache_read_tokens: int
    cache_write_tokens: int
    tokens: int
    cost: float | None  # US dollars, estimated from list prices; None for unknown models
    seconds: float = 0.0
    unverified: list[str] = field(default_factory=list)  # citations not found in the logs
    stop_reason: str = ""  # end_turn, max_tokens, turn_limit, token_limit, refusal, error
    answer: str = ""
    error: str | None = None
    tools_points: int = 0  # the facts the deterministic answer states (ToolsResult)
    tools_missing: list[str] = field(default_factory=list)

    @property
    def fraction(self) -> float:
        return self.points / self.total if self.total else 0.0

    @property
    def tools_fraction(self) -> float:
        return self.tools_points / self.total if self.total else 0.0


@dataclass
class ToolsResult:
    """A case scored on the deterministic answer: `investigate` + `fixes`, no model."""

    case: str
    question: str
    points: int
    total: int
    missing: list[str]
    overrule: list[str]  # the facts the case file says the tools get wrong
    answer: str

    @property
    def fraction(self) -> float:
        return self.points / self.total if self.total else 0.0


@dataclass
class Recorder:
    """The provider, noting the name of every tool the model asks for."""

    inner: Provider
    tools: list[str] = field(default_factory=list)
    model: str = field(init=False)

    def __post_init__(self) -> None:
        self.model = self.inner.model

    def complete(
        self,
        messages: list[dict[str, Any]],
        *,
        force_answer: bool,
        on_text: Callable[[str], None],
    ) -> Turn:
        turn = self.inner.complete(messages, force_answer=force_answer, on_text=on_text)
        self.tools.extend(call.name for call in turn.tool_calls)
        return turn

    def user_message(self, text: str) -> dict[str, Any]:
        return self.inner.user_message(text)

    def tool_results(self, results: list[tuple[ToolCall, ToolResult]]) -> list[dict[str, Any]]:
        return self.inner.tool_results(results)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="evals/run.py",
        description="Ask models the eval questions about the incidents and score the answers "
        "by the facts they state, beside the tools' own answer. Costs money with a paid API.",
    )
    parser.add_argument(
        "--models",
        nargs="+",
        metavar="M",
        help="Models to compare (default: $LOG_ANALYZER_MODEL, else the CLI's default Claude "
        "model; required with --provider openai).",
    )
    parser.add_argument("--provider", choices=("anthropic", "openai"), default="anthropic")
    parser.add_argument(
        "--base-url", help="The OpenAI-compatible server, e.g. http://localhost:11434/v1"
    )
    parser.add_argument(
        "--cases",
        metavar="PATTERN",
        help="Only the cases whose id (checkout/why) or incident (checkout) matches this glob.",
    )
    parser.add_argument(
        "--system-extra",
        metavar="FILE",
        type=Path,
        help="Text appended to the system prompt, to compare a prompt change with the default.",
    )
    parser.add_argument(
        "--max-turns",
        type=int,
        default=DEFAULT_MAX_TURNS,
        metavar="N",
        help=f"Model calls per question, at most (default {DEFAULT_MAX_TURNS}).",
    )
    parser.add_argument("--json", type=Path, metavar="OUT", help="Write every result here.")
    parser.add_argument(
        "--tools-only",
        action="store_true",
        help="Score only what the deterministic tools answer (investigate + fixes): no model, "
        "no key, no network. Shows which cases need the model to overrule the tools.",
    )
    parser.add_argument(
        "--case-file", type=Path, default=CASES, help=argparse.SUPPRESS
    )  # for tests
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="Show tool calls and retries as they happen."
    )
    args = parser.parse_args(argv)
    if args.max_turns < 1:
        parser.error("--max-turns must be at least 1")
    return args


def make_provider(args: argparse.Namespace, model: str, system_extra: str) -> Provider:
    if args.provider == "anthropic":
        from log_analyzer.agent.providers import AnthropicProvider

        return AnthropicProvider(model, system_extra=system_extra)
    try:
        from log_analyzer.agent.providers import OpenAIProvider

        return OpenAIProvider(model, base_url=args.base_url, system_extra=system_extra)
    except ImportError:
        raise Stop("--provider openai needs the openai package: pip install openai") from None


def check_access(args: argparse.Namespace) -> None:
    """Fail before any work when no model can be asked."""
    if args.provider == "anthropic":
        if not (os.environ.get("ANTHROPIC_API_KEY") or os.environ.get("ANTHROPIC_AUTH_TOKEN")):
            raise Stop(
                "ANTHROPIC_API_KEY is not set, so no model can be asked "
                "(or use --provider openai --base-url URL)"
            )
        return
    if not args.models:
        raise Stop("--provider openai needs --models (the names the server knows)")
    if not (args.base_url or os.environ.get("OPENAI_BASE_URL") or os.environ.get("OPENAI_API_KEY")):
        raise Stop("--provider openai needs --base-url URL (or OPENAI_API_KEY)")


def incident_folder(incident: str, source: Source | None, scratch: Path) -> Path:
    """Where the incident's logs are: its bundled folder, or rendered under `scratch` (with
    its ground truth) from its family, variant and seed."""
    if source is None:
        from fixtures.generated import ensure

        ensure(["incidents"])  # rendered on demand, not kept in git
        folder = INCIDENTS / incident
        if not folder.is_dir():
            raise Stop(f"{folder}: no such incident (the case file names {incident!r})")
        return folder
    from fixtures.families import render

    out = scratch / "rendered" / incident
    try:
        render(source.family, source.variant, source.seed, out)
    except ValueError as error:  # an unknown family or variant
        raise Stop(f"[{incident}.source]: {error}") from None
    return out


def prepare_incidents(cases: Sequence[Case], into: Path) -> dict[str, Path]:
    """Each incident's logs copied to `into/incident-<n>`, without the files in HIDDEN: the
    folder's name, which the model sees in every path, does not name the incident."""
    sources = {c.incident: c.source for c in cases}
    folders: dict[str, Path] = {}
    for number, incident in enumerate(sorted(sources), 1):
        origin = incident_folder(incident, sources[incident], into)
        folders[incident] = Path(
            shutil.copytree(
                origin, into / f"incident-{number}", ignore=shutil.ignore_patterns(*HIDDEN)
            )
        )
    return folders


def score_tools(cases: Sequence[Case], folders: dict[str, Path]) -> dict[str, ToolsResult]:
    """Every case scored on the deterministic answer for its incident's copy, by case id."""
    answers: dict[str, str] = {}
    results: dict[str, ToolsResult] = {}
    for case in cases:
        if case.incident not in answers:
            try:
                answers[case.incident] = tools_answer(folders[case.incident])
            except LogAnalyzerError as error:
                raise Stop(f"{case.incident}: investigate: {error}") from None
        found = score(case, answers[case.incident])
        results[case.id] = ToolsResult(
            case=case.id,
            question=case.question,
            points=found.points,
            total=found.total,
            missing=list(found.missing),
            overrule=list(case.overrule),
            answer=answers[case.incident],
        )
    return results


def run_case(
    case: Case,
    folder: Path,
    provider: Provider,
    settings: AgentSettings,
    on_event: Callable[[str], None],
) -> CaseResult:
    """One question in a fresh workspace holding only the incident's logs. A provider error
    (a bad key, retries exhausted) is recorded as the case's result: it scores nothing."""
    roots = AllowedRoots.for_session([str(folder)], cwd=folder, include_system=False)
    workspace = Workspace(roots)
    workspace.load([str(folder)])
    recorder = Recorder(provider)
    conversation = Conversation(workspace, recorder, settings, on_event=on_event)
    started = time.perf_counter()
    try:
        answer = conversation.ask(case.question)
    except ProviderError as error:
        failed = Score((), tuple(f.name for f in case.facts))
        result = _result(case, provider.model, failed, recorder.tools, conversation.usage)
        result.seconds = time.perf_counter() - started
        result.stop_reason, result.error = "error", str(error)
        return result
    result = _result(case, provider.model, score(case, answer.text), recorder.tools, answer.usage)
    result.seconds = time.perf_counter() - started
    result.stop_reason = answer.stop_reason
    result.unverified = answer.unverified
    result.answer = answer.text
    return result


def _result(case: Case, model: str, found: Score, tools: list[str], usage: Usage) -> CaseResult:
    return CaseResult(
        model=model,
        case=case.id,
        question=case.question,
        points=found.points,
        total=found.total,
        missing=list(found.missing),
        tools=tools,
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        cache_read_tokens=usage.cache_read_input_tokens,
        cache_write_tokens=usage.cache_creation_input_tokens,
        tokens=usage.total_tokens,
        cost=estimated_cost(model, usage),
    )


# --- rendering: plain results in, rich tables out ---------------------------------------------


def _money(cost: float | None) -> str:
    return "n/a" if cost is None else f"${cost:.4f}"


def _points(points: int, total: int) -> str:
    style = "green" if points == total else ("red" if points == 0 else "yellow")
    return f"[{style}]{points}/{total}[/]"


def _tools(names: list[str]) -> str:
    if not names:
        return "0"
    counts = Counter(names)
    listed = ", ".join(f"{n}×{k}" if k > 1 else n for n, k in counts.items())
    return f"{len(names)}: {listed}"


def model_table(model: str, results: Sequence[CaseResult]) -> Table:
    table = Table(title=f"{model}: {len(results)} cases", title_justify="left")
    table.add_column("case", no_wrap=True)
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("tools alone", justify="right", no_wrap=True)
    table.add_column("missing facts")
    table.add_column("calls")
    table.add_column("tokens", justify="right", no_wrap=True)
    table.add_column("cost", justify="right", no_wrap=True)
    table.add_column("s", justify="right", no_wrap=True)
    table.add_column("unverified")
    table.add_column("stop", no_wrap=True)
    for r in results:
        table.add_row(
            r.case,
            _points(r.points, r.total),
            _points(r.tools_points, r.total),
            ", ".join(r.missing) or "-",
            _tools(r.tools),
            f"{r.tokens:,}",
            _money(r.cost),
            f"{r.seconds:.1f}",
            ", ".join(r.unverified) or "-",
            r.stop_reason if r.error is None else f"error: {r.error}",
        )
    return table


@dataclass
class ModelSummary:
    model: str
    cases: int
    mean_score: float  # the mean over cases of facts stated / facts expected
    points: int
    total: int
    tools_mean_score: float  # the same for the deterministic answers of these cases
    tools_points: int
    complete: int  # answers that ended normally (end_turn)
    tokens: int
    cost: float | None  # None when the price of the model is unknown
    median_seconds: float
    unverified: int


def by_model(results: Sequence[CaseResult]) -> dict[str, list[CaseResult]]:
    grouped: dict[str, list[CaseResult]] = {}
    for r in results:
        grouped.setdefault(r.model, []).append(r)
    return grouped


def summarize(model: str, results: Sequence[CaseResult]) -> ModelSummary:
    costs = [r.cost for r in results]
    return ModelSummary(
        model=model,
        cases=len(results),
        mean_score=statistics.fmean(r.fraction for r in results) if results else 0.0,
        points=sum(r.points for r in results),
        total=sum(r.total for r in results),
        tools_mean_score=statistics.fmean(r.tools_fraction for r in results) if results else 0.0,
        tools_points=sum(r.tools_points for r in results),
        complete=sum(r.stop_reason == "end_turn" for r in results),
        tokens=sum(r.tokens for r in results),
        cost=None if any(c is None for c in costs) else sum(c for c in costs if c is not None),
        median_seconds=statistics.median(r.seconds for r in results) if results else 0.0,
        unverified=sum(len(r.unverified) for r in results),
    )


def summary_table(summaries: Sequence[ModelSummary]) -> Table:
    table = Table(title="models compared", title_justify="left")
    table.add_column("model", no_wrap=True)
    table.add_column("mean score", justify="right", no_wrap=True)
    table.add_column("facts", justify="right", no_wrap=True)
    table.add_column("tools alone", justify="right", no_wrap=True)
    table.add_column("complete", justify="right", no_wrap=True)
    table.add_column("tokens", justify="right", no_wrap=True)
    table.add_column("total cost", justify="right", no_wrap=True)
    table.add_column("median s", justify="right", no_wrap=True)
    table.add_column("unverified", justify="right", no_wrap=True)
    for s in summaries:
        table.add_row(
            s.model,
            f"{s.mean_score:.0%}",
            f"{s.points}/{s.total}",
            f"{s.tools_mean_score:.0%} {s.tools_points}/{s.total}",
            f"{s.complete}/{s.cases}",
            f"{s.tokens:,}",
            _money(s.cost),
            f"{s.median_seconds:.1f}",
            str(s.unverified),
        )
    return table


def tools_table(results: Sequence[ToolsResult]) -> Table:
    mean = statistics.fmean(r.fraction for r in results) if results else 0.0
    points, total = sum(r.points for r in results), sum(r.total for r in results)
    table = Table(
        title=f"the tools alone (investigate + fixes): {len(results)} cases, "
        f"mean {mean:.0%}, facts {points}/{total}",
        title_justify="left",
    )
    table.add_column("case", no_wrap=True)
    table.add_column("tools alone", justify="right", no_wrap=True)
    table.add_column("missing facts")
    table.add_column("overrule (case file)")
    for r in results:
        table.add_row(
            r.case,
            _points(r.points, r.total),
            ", ".join(r.missing) or "-",
            ", ".join(r.overrule) or "-",
        )
    return table


def tools_summary(results: Sequence[ToolsResult]) -> dict[str, Any]:
    return {
        "cases": len(results),
        "mean_score": statistics.fmean(r.fraction for r in results) if results else 0.0,
        "points": sum(r.points for r in results),
        "total": sum(r.total for r in results),
        "needs_overrule": [r.case for r in results if r.missing],
    }


def write_json(
    path: Path,
    args: argparse.Namespace,
    results: Sequence[CaseResult],
    tools: Sequence[ToolsResult],
) -> None:
    payload: dict[str, Any] = {"tools_only": args.tools_only}
    if not args.tools_only:
        payload |= {
            "provider": args.provider,
            "base_url": args.base_url,
            "system_extra": str(args.system_extra) if args.system_extra else None,
            "max_turns": args.max_turns,
            "summary": [asdict(summarize(m, ran)) for m, ran in by_model(results).items()],
            "results": [asdict(r) for r in results],
        }
    payload["tools"] = {"summary": tools_summary(tools), "results": [asdict(r) for r in tools]}
    path.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")


# --- main -------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    out = Console(highlight=False, width=None if sys.stdout.isatty() else 200)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        results, tools, interrupted = _run(args, err)
    except Stop as stop:
        err.print(f"evals: {stop}", markup=False)
        return 2
    if args.tools_only:
        out.print(tools_table(tools))
    grouped = by_model(results)
    for model, ran in grouped.items():
        out.print(model_table(model, ran))
    if grouped:
        out.print(summary_table([summarize(m, ran) for m, ran in grouped.items()]))
    if args.json is not None:
        write_json(args.json, args, results, tools)
        err.print(f"results written to {args.json}", markup=False)
    if interrupted:
        return 130
    return 1 if any(r.error is not None for r in results) else 0


def _run(
    args: argparse.Namespace, err: Console
) -> tuple[list[CaseResult], list[ToolsResult], bool]:
    """Every selected case scored on the tools' answer, then (unless --tools-only) asked of
    every model; stops early (keeping what ran) on Ctrl-C."""
    try:
        cases = select(load_cases(args.case_file), args.cases)
    except (CaseError, OSError) as error:
        raise Stop(str(error)) from None
    if not cases:
        raise Stop(f"no case matches {args.cases!r}")
    if args.tools_only:
        with tempfile.TemporaryDirectory(prefix="log-analyzer-evals-") as scratch:
            tools = score_tools(cases, prepare_incidents(cases, Path(scratch)))
        return [], list(tools.values()), False
    check_access(args)
    extra = ""
    if args.system_extra is not None:
        try:
            extra = args.system_extra.read_text(encoding="utf-8").strip()
        except OSError as error:
            raise Stop(f"{args.system_extra}: {error.strerror or error}") from None
    models: list[str] = args.models or [default_model()]
    settings = AgentSettings(max_turns=args.max_turns)

    def event(text: str) -> None:
        if args.verbose:
            err.print(f"  · {text}", markup=False)

    results: list[CaseResult] = []
    with tempfile.TemporaryDirectory(prefix="log-analyzer-evals-") as scratch:
        folders = prepare_incidents(cases, Path(scratch))
        tools = score_tools(cases, folders)
        try:
            for model in models:
                provider = make_provider(args, model, extra)
                for number, case in enumerate(cases):
                    try:
                        result = run_case(case, folders[case.incident], provider, settings, event)
                    except LogAnalyzerError as error:
                        raise Stop(f"{case.id}: {error}") from None
                    result.tools_points = tools[case.id].points
                    result.tools_missing = list(tools[case.id].missing)
                    results.append(result)
                    err.print(_progress(result), markup=False)
                    if number == 0 and result.error is not None and len(cases) > 1:
                        # a bad key, a wrong model name, no server: the next cases would fail too
                        err.print(f"evals: {model}: its other cases are skipped", markup=False)
                        break
        except KeyboardInterrupt:
            err.print("interrupted: the results so far", markup=False)
            return results, list(tools.values()), True
    return results, list(tools.values()), False


def _progress(r: CaseResult) -> str:
    outcome = f"error: {r.error}" if r.error else f"{r.points}/{r.total}"
    outcome += f" (tools alone {r.tools_points}/{r.total})"
    return f"{r.model}  {r.case}  {outcome}  {r.seconds:.1f}s  {_money(r.cost)}"


if __name__ == "__main__":
    sys.exit(main())
