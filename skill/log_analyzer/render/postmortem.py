"""The incident report for the post-mortem, in Markdown, HTML (one self-contained file with
inline SVG charts) or JSON, from Jinja2 templates a user may replace (`--template`).

One source for both formats: the header facts and the sections (`templates/sections.md.j2`,
one macro each) are written once, in Markdown; `report.md.j2` prints them and
`report.html.j2` renders the same Markdown to HTML with markdown-it, raw HTML off. Text
from the logs is untrusted: it is escaped into the Markdown (never emphasis, a link or a
tag) and escaped again into the HTML."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateSyntaxError,
    select_autoescape,
)
from jinja2.sandbox import SandboxedEnvironment
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import Markup

from ..analysis.impact import percent_ok
from ..analysis.report import Investigation
from ..errors import OptionError
from .chart import errors_chart, latency_changed, latency_chart
from .human import duration, human_time, seconds_clock, spans_days, where

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
FORMATS = {"md": "report.md.j2", "html": "report.html.j2"}
SECTIONS_TEMPLATE = "sections.md.j2"
# (key: the macro of `sections.md.j2` and the HTML anchor, title), in the report's order; a
# section whose macro writes nothing (no narrative) is left out of both formats. A key is
# never the name of a fact the macros read (`narrative`, `contributing`).
SECTIONS = (
    ("summary", "Summary"),
    ("impact", "Impact"),
    ("model_narrative", "Narrative"),
    ("root_cause", "Root cause and trigger"),
    ("cascade", "Cascade"),
    ("timeline", "Timeline (UTC, clocks corrected)"),
    ("errors", "Errors"),
    ("contributing_factors", "Contributing factors"),
    ("immediate_actions", "Immediate actions"),
    ("follow_up", "Follow-up action items"),
    ("evidence", "Evidence"),
)


@dataclass(frozen=True)
class Figure:
    caption: str
    svg: str  # an inline SVG document: HTML only


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    markdown: str
    figures: tuple[Figure, ...] = ()


@dataclass(frozen=True)
class Fact:
    label: str  # `Detected`
    markdown: str  # one line


# --- Markdown from untrusted text ---

# Markdown punctuation that would format a log line: escaped, so that it shows as written
_MD_SPECIAL = re.compile(r"[\\`*\[\]<|~]|&(?=#?\w+;)|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
# what would start a block at the beginning of a line: a heading, a quote, a list (`- `,
# `+ `, `1. `, `1) `), a rule or a setext underline
_BLOCK_START = re.compile(r"^(?:[#>+=-]|\d+[.)])")


def _escape(found: re.Match[str]) -> str:
    """`\\` before the one punctuation character that makes `found` Markdown."""
    text = found.group(0)
    return f"{text[:-1]}\\{text[-1]}"


def md(text: object) -> str:
    """Text from the logs as Markdown that shows it as written, on one line: no emphasis,
    link, code span, block or HTML comes out of it."""
    line = " ".join(str(text).split())
    return _BLOCK_START.sub(_escape, _MD_SPECIAL.sub(_escape, line), count=1)


def code(text: object, cell: bool = False) -> str:
    """`text` as an inline code span on one line, its fence longer than any run of backticks
    in it; in a table `cell`, its pipes escaped (GFM reads them as cell ends even there)."""
    line = " ".join(str(text).split())
    if not line:
        return ""
    longest = max((len(run) for run in re.findall(r"`+", line)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if line.startswith("`") or line.endswith("`") else ""
    if cell:
        line = line.replace("|", "\\|")
    return f"{fence}{pad}{line}{pad}{fence}"


def prose(text: str) -> str:
    """Markdown written by the knowledge base or a model (an action, the narrative), with the
    `<placeholder>` words outside its code spans escaped so that they show (not as tags)."""
    parts = re.split(r"(`+[^`]*`+)", text)
    return "".join(part if part.startswith("`") else part.replace("<", "\\<") for part in parts)


# --- the facts ---


def _window_text(start: datetime | None, end: datetime | None) -> str:
    if start is None or end is None:
        return "unknown"
    same_day = start.astimezone(UTC).date() == end.astimezone(UTC).date()
    return f"{human_time(start, date=True)} to {human_time(end, date=not same_day)}"


def _relative(seconds: float, to: str) -> str:
    """`10 min 02 s after the first failure`; `before` when `seconds` is negative."""
    return f"{duration(abs(seconds))} {'before' if seconds < 0 else 'after'} {to}"


def _facts(report: Investigation, start: datetime | None, end: datetime | None) -> list[Fact]:
    """Status, the logs' window, the incident (start, duration, size, services), when it was
    detected (the first alert that fired for it) and when it recovered."""
    status = md(report.trend)
    if report.trend != "resolved":
        status += " (not resolved at the end of the logs)"
    facts = [
        Fact("Status", status),
        Fact("Logs", _window_text(report.window.start, report.window.end)),
    ]
    if start is None:
        return facts
    groups = [g for g in report.error_groups if not g.chronic]
    names = ", ".join(md(name) for name in sorted({g.service for g in groups})) or "none"
    facts.append(
        Fact(
            "Incident",
            f"from {human_time(start, date=True)} for {_duration(start, end)}; "
            f"{sum(g.count for g in groups):,} errors and warnings in {len(groups)} new or "
            f"surging groups; affected: {names}",
        )
    )
    detected, recovered = report.detected, report.recovered
    if detected is not None:
        facts.append(
            Fact(
                "Detected",
                f"{_on(detected.timestamp, start)}, {md(detected.alert)} ({md(detected.service)} "
                f"{code(where(detected.file, detected.line))}), "
                f"{_relative(detected.time_to_detect_seconds, 'the first failure')}",
            )
        )
    if recovered is not None:
        since_page = ""
        if detected is not None:
            seconds = (recovered.timestamp - detected.timestamp).total_seconds()
            since_page = f", {_relative(seconds, 'detection')}"
        facts.append(
            Fact(
                "Recovered",
                f"{_on(recovered.timestamp, start)}, the incident's last error "
                f"({md(recovered.service)} {code(where(recovered.file, recovered.line))}), "
                f"{_relative(recovered.time_to_recover_seconds, 'the first failure')}{since_page}",
            )
        )
    elif report.trend != "resolved":
        facts.append(Fact("Recovered", "not by the end of the logs"))
    return facts


def _on(value: datetime, start: datetime) -> str:
    """`14:12:00.517 UTC`, with its date when it is not the incident's first day."""
    return human_time(value, date=value.astimezone(UTC).date() != start.astimezone(UTC).date())


def _duration(start: datetime | None, end: datetime | None) -> str:
    if start is None or end is None:
        return "unknown"
    return duration((end - start).total_seconds())


def context(report: Investigation) -> dict[str, Any]:
    """The facts of the post-mortem, derived once for every template."""
    incident_groups = [g for g in report.error_groups if not g.chronic]
    chronic = [g for g in report.error_groups if g.chronic]
    start = report.first_failure.timestamp if report.first_failure else report.onset
    recovered = report.recovered.timestamp if report.recovered is not None else None
    end = recovered if recovered is not None else report.window.end
    detected = report.detected
    root = report.root_cause
    signatures = list(dict.fromkeys(item.signature for item in report.recommendations))
    return {
        "report": report,
        "dated": spans_days(report.window.start, report.window.end),  # times need dates
        "title": f"Incident: {root.label if root is not None else 'no incident found'}",
        "start": start,
        "end": end,
        "duration": _duration(start, end),
        "resolved": report.trend == "resolved",
        "recovered": recovered,
        "time_to_recover": _duration(start, recovered) if recovered is not None else None,
        "affected": sorted({g.service for g in incident_groups}),
        "incident_groups": incident_groups,
        "chronic": chronic,
        "incident_errors": sum(g.count for g in incident_groups),
        "detected": detected.timestamp if detected is not None else None,
        "detected_by": detected.alert if detected is not None else None,
        "detection_delay": (
            duration(detected.time_to_detect_seconds) if detected is not None else None
        ),
        "contributing": (root.hypotheses[1:4] if root is not None else []),
        "related_signatures": signatures[1:],
        "facts": _facts(report, start, end),
        "chart": errors_chart(report),
        "latency_chart": latency_chart(report),
        "latency_services": latency_changed(report),
    }


# --- rendering ---

_FILTERS: dict[str, Callable[..., str]] = {
    "md": md,
    "code": code,
    "prose": prose,
    "clock": human_time,  # `14:01:58.207 UTC`
    "day_clock": lambda value: human_time(value, date=True),
    # the date too with `dated` (`hms(dated)`): a report of logs over several days
    "hms": lambda value, date=False: seconds_clock(value, date),
    "hm": lambda value, date=False: (
        value.strftime("%Y-%m-%d %H:%M" if date else "%H:%M") if value else "-"
    ),
    "place": lambda file, line: where(file, line),  # `file:line`, or the file when no line
    "iso": lambda value: value.isoformat() if value else "-",  # for users' own templates
    "ok": percent_ok,
}


def _environment(folder: Path) -> Environment:
    # Sandboxed: a template (`--template`, perhaps from a shared repository) reads the report's
    # values and calls the filters, never Python's internals (`lipsum.__globals__['os']`).
    environment = SandboxedEnvironment(
        loader=FileSystemLoader(str(folder)),
        autoescape=select_autoescape(["html", "html.j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters.update(_FILTERS)
    environment.filters["markdown"] = markdown_html
    environment.filters["inline_markdown"] = inline_markdown_html
    return environment


def sections(facts: dict[str, Any]) -> list[Section]:
    """Every section of the report, in Markdown, from the macros of `sections.md.j2`."""
    module = _environment(TEMPLATES).get_template(SECTIONS_TEMPLATE).make_module(facts)
    found = []
    for key, title in SECTIONS:
        text = str(getattr(module, key)()).strip()
        if not text:
            continue
        figures: tuple[Figure, ...] = ()
        if key == "impact":  # the charts go beside the numbers they explain
            report: Investigation = facts["report"]
            bucket = report.error_rate.bucket_seconds
            figures = (Figure(f"Errors per {bucket} s and service", facts["chart"]),)
            if facts["latency_chart"] is not None:
                names = ", ".join(facts["latency_services"])
                figures += (
                    Figure(f"p95 latency per {bucket} s (ms): {names}", facts["latency_chart"]),
                )
        found.append(Section(key, title, text, figures))
    return found


def render(
    report: Investigation,
    fmt: str,
    template: Path | None = None,
    narrative: str | None = None,
    narrative_unverified: list[str] | None = None,
) -> str:
    """The report as text in `fmt` (`md`, `html`, `json`), or from a user's own template.
    `narrative` is the root-cause story a model drafted (`report --narrative`)."""
    facts = context(report)
    facts["narrative"] = narrative
    facts["narrative_unverified"] = narrative_unverified or []
    if fmt == "json" and template is None:
        hidden = {"report", "chart", "latency_chart", "facts", "dated"}
        payload = {key: value for key, value in facts.items() if key not in hidden}
        payload["investigation"] = report.model_dump(mode="json")
        return json.dumps(payload, default=_jsonable, indent=2) + "\n"
    if template is not None:
        if not template.is_file():
            raise OptionError(f"--template {template}: no such file")
        folder, name = template.parent, template.name
    else:
        if fmt not in FORMATS:
            raise OptionError(f"--format {fmt!r}: expected md, html or json")
        folder, name = TEMPLATES, FORMATS[fmt]
    facts["sections"] = sections(facts)
    environment = _environment(folder)
    if template is None:
        return environment.get_template(name).render(**facts)
    return _render_users(environment, template, facts)


# --- Markdown to HTML ---

# a long word (a path, a dotted name): places to wrap after its separators, none before the
# `:line` of a path, which stays with its file
_LONG_WORD = re.compile(r"[^\s<>]{20,}")
_AFTER_SLASH = re.compile(r"(?<=[^/]/)(?=[^/])")
# inside a name too long for a line of its own (`checkout-service-7d9f8b6c4-x2x9q.log`)
_LONG_NAME = re.compile(r"[^/]{24,}")
_AFTER_SEPARATOR = re.compile(r"(?<=[.\-_])(?=[A-Za-z0-9{])")


def _wrappable(word: str) -> str:
    spaced = _LONG_NAME.sub(lambda name: _AFTER_SEPARATOR.sub("<wbr>", name.group(0)), word)
    return _AFTER_SLASH.sub("<wbr>", spaced)


def breakable(escaped: str) -> str:
    """HTML text with `<wbr>` after the slashes of its long words (and after the dots, dashes
    and underscores of a long name): a path wraps between folders, its `:line` on its file."""
    return _LONG_WORD.sub(lambda found: _wrappable(found.group(0)), escaped)


def _code_inline(
    renderer: RendererHTML, tokens: Sequence[Token], index: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[index]
    return f"<code{renderer.renderAttrs(token)}>{breakable(escapeHtml(token.content))}</code>"


@cache
def _markdown() -> MarkdownIt:
    """CommonMark with tables; raw HTML off (a `<script>` in a log line shows as text) and
    links checked by markdown-it (no `javascript:`)."""
    parser = MarkdownIt("commonmark", {"html": False}).enable("table")
    parser.add_render_rule("code_inline", _code_inline)
    return parser


def markdown_html(text: str) -> Markup:
    return Markup(_markdown().render(text))


def inline_markdown_html(text: str) -> Markup:
    return Markup(_markdown().renderInline(text))


def _render_users(environment: Environment, template: Path, facts: dict[str, Any]) -> str:
    """A user's own template: whatever is wrong with it (syntax, an unknown fact, a failing
    expression, bytes that are not UTF-8) is one line naming it, never a traceback."""
    try:
        return environment.get_template(template.name).render(**facts)
    except TemplateSyntaxError as error:
        included = error.name is not None and error.name != template.name
        where = f"{error.name}, line {error.lineno}" if included else f"line {error.lineno}"
        raise OptionError(f"--template {template}: {where}: {_one_line(error.message)}") from None
    except TemplateError as error:
        raise OptionError(f"--template {template}: {_one_line(error.message)}") from None
    except UnicodeDecodeError:
        raise OptionError(f"--template {template}: not UTF-8 text") from None
    except OSError as error:
        raise OptionError(f"--template {template}: {error.strerror or error}") from None
    except Exception as error:  # an expression of the template failed (`{{ 1 / 0 }}`)
        raise OptionError(
            f"--template {template}: {type(error).__name__}: {_one_line(str(error))}"
        ) from None


def _one_line(text: str | None) -> str:
    return " ".join((text or "template error").split())


def _jsonable(value: object) -> object:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)
