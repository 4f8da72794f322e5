"""The post-mortem report: Markdown content of the checkout incident, a self-contained HTML
file whose SVG chart is valid XML, JSON, user templates. The HTML against the Markdown and in
Chromium: `test_report_html.py`."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ElementTree
from datetime import datetime
from pathlib import Path

import pytest

from log_analyzer.analysis.investigate import investigate
from log_analyzer.cli.app import run
from log_analyzer.render.chart import errors_chart
from log_analyzer.render.human import duration
from log_analyzer.render.postmortem import render

from .conftest import FIXTURES

CHECKOUT = FIXTURES / "incidents" / "checkout"
TRUTH = json.loads((CHECKOUT / "ground_truth.json").read_text())


@pytest.fixture(scope="module")
def incident():
    return investigate([str(CHECKOUT)])


def test_markdown_has_root_cause_timeline_counts_and_actions(incident) -> None:
    text = render(incident, "md")
    first = TRUTH["first_failure"]
    assert f"{CHECKOUT}/{first['file']}:{first['line']}" in text
    assert "Root cause: **redis**" in text
    assert "## Timeline" in text and "error rate rises to" in text
    for group in TRUTH["groups"]:
        if group["count"] in (412, 189):  # the seed scenario's NullPointerException and 503s
            row = next(
                line for line in text.splitlines() if line.startswith(f"| {group['count']} |")
            )
            assert group["service"] in row
    timeouts = [
        int(m.group(1))
        for m in re.finditer(r"^\| (\d+) \| ResilientRedis RedisConnectionTimeout", text, re.M)
    ]
    assert sum(timeouts) == 2341
    actions = text.split("## Immediate actions", 1)[1]
    assert "(redis-bgsave-fork-failed)" in actions.split("\n\n")[1]
    assert "**Status:** resolved" in text


def test_html_is_self_contained_with_a_valid_chart(incident) -> None:
    html = render(incident, "html")
    assert "<svg" in html and "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "<script" not in html and "<link" not in html
    assert "prefers-color-scheme: dark" in html and "@media print" in html
    svg = errors_chart(incident)
    root = ElementTree.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    lines = root.findall("{http://www.w3.org/2000/svg}polyline")
    assert len(lines) == len({s for p in incident.error_rate.series for s in p.counts})
    titles = {line.findtext("{http://www.w3.org/2000/svg}title") for line in lines}
    assert "checkout-service" in titles
    assert "first failure" in svg and "onset" in svg


def test_json_report_and_a_user_template(tmp_path: Path, capsys) -> None:
    out = tmp_path / "report.json"
    assert run(["report", str(CHECKOUT), "--format", "json", "-o", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["investigation"]["root_cause"]["service"] == "redis"
    assert data["affected"] == sorted(data["affected"])
    template = tmp_path / "mine.txt"
    template.write_text("{{ report.root_cause.service }} after {{ duration }}\n")
    assert run(["report", str(CHECKOUT), "--template", str(template)]) == 0
    first = datetime.fromisoformat(TRUTH["first_failure"]["timestamp"])
    last = max(datetime.fromisoformat(g["last_seen"]) for g in TRUTH["groups"])
    assert capsys.readouterr().out == f"redis after {duration((last - first).total_seconds())}\n"
    assert run(["report", str(CHECKOUT), "--format", "pdf"]) == 2
