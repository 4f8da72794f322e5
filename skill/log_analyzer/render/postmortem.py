"""The incident report for the post-mortem, in Markdown, HTML (one self-contained file with an
inline SVG chart) or JSON, rendered from Jinja2 templates a user may replace (`--template`)."""

from __future__ import annotations

import json
from datetime import datetime
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

from ..analysis.impact import percent_ok
from ..analysis.report import Investigation
from ..errors import OptionError
from .chart import errors_chart, latency_chart

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
FORMATS = {"md": "report.md.j2", "html": "report.html.j2"}


def _duration(start: datetime | None, end: datetime | None) -> str:
    if start is None or end is None:
        return "unknown"
    seconds = int((end - start).total_seconds())
    return f"{seconds // 60} min {seconds % 60:02d} s"


def context(report: Investigation) -> dict[str, Any]:
    """The facts of the post-mortem, derived once for every template."""
    incident_groups = [g for g in report.error_groups if not g.chronic]
    chronic = [g for g in report.error_groups if g.chronic]
    recovery = next((e.timestamp for e in report.timeline if e.kind == "recovery"), None)
    start = report.first_failure.timestamp if report.first_failure else report.onset
    alert = next(
        (
            e
            for e in report.timeline
            if e.kind == "alert" and start is not None and e.timestamp >= start
        ),
        None,
    )
    end = recovery if recovery is not None and report.trend == "resolved" else report.window.end
    affected = sorted({g.service for g in incident_groups})
    root = report.root_cause
    title_cause = root.label if root is not None else "no incident found"
    return {
        "report": report,
        "title": f"Incident: {title_cause}",
        "start": start,
        "end": end,
        "duration": _duration(start, end),
        "resolved": report.trend == "resolved",
        "affected": affected,
        "incident_groups": incident_groups,
        "chronic": chronic,
        "incident_errors": sum(g.count for g in incident_groups),
        "detected": alert.timestamp if alert is not None else None,
        "detection_delay": _duration(start, alert.timestamp) if alert is not None else None,
        "contributing": (root.hypotheses[1:4] if root is not None else []),
        "chart": errors_chart(report),
        "latency_chart": latency_chart(report),
    }


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
        payload = {
            key: value
            for key, value in facts.items()
            if key not in {"report", "chart", "latency_chart"}
        }
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
    environment = Environment(
        loader=FileSystemLoader(str(folder)),
        autoescape=select_autoescape(["html", "html.j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["hms"] = lambda value: value.strftime("%H:%M:%S") if value else "-"
    environment.filters["iso"] = lambda value: value.isoformat() if value else "-"
    environment.filters["hm"] = lambda value: value.strftime("%H:%M") if value else "-"
    environment.filters["ok"] = percent_ok
    if template is None:
        return environment.get_template(name).render(**facts)
    return _render_users(environment, template, facts)


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
