"""The prompts, rendered from the Jinja2 templates in `prompts/`.

Templates hold no timestamps or per-run data, so the rendered system prompt is the same bytes
from one run to the next and the provider's prompt cache hits.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from .registry import TOOLS


def prompts_dir() -> Path:
    """`log_analyzer/prompts` in a wheel; the repository's `prompts/` in a checkout."""
    package = Path(__file__).resolve().parents[1]
    for candidate in (package / "prompts", package.parents[1] / "prompts"):
        if (candidate / "system.md.j2").is_file():
            return candidate
    raise FileNotFoundError("the prompts folder is missing from this installation")


def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(prompts_dir()),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # prompts are plain text for a model, not HTML
    )


def system_prompt(extra: str = "") -> str:
    template = _environment().get_template("system.md.j2")
    return template.render(tools=list(TOOLS.values()), extra=extra).strip() + "\n"


def narrative_prompt(findings: str) -> str:
    return _environment().get_template("narrative.md.j2").render(findings=findings).strip()
