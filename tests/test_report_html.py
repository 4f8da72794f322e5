"""The HTML report is the Markdown report, rendered (issue 16): its Markdown rendered (code,
bold, lists, tables), log text escaped (a `<script>` in a log line is text), paths wrapping at
their separators with `:line` kept, every section and fact of the Markdown report, latency
charts only for services that serve requests and whose latency changed, no ISO timestamps, and
a page that is light in light mode and dark in dark mode in Chromium.

On the bundled checkout incident and on a held-out family incident (`bad-deploy`: a Go
service's quotes slow down ten times; a Node storefront that serves requests at its usual
speed; a promotions service whose durations are no requests')."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ElementTree
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fixtures.families import DEFAULT_SEED
from fixtures.families import render as render_family
from PIL import Image

from log_analyzer.analysis.investigate import investigate
from log_analyzer.analysis.report import Investigation
from log_analyzer.cli.app import run
from log_analyzer.render.chart import latency_changed
from log_analyzer.render.human import duration, human_time
from log_analyzer.render.postmortem import code, markdown_html, md, render

from .conftest import FIXTURES

CHECKOUT = FIXTURES / "incidents" / "checkout"
SVG = "{http://www.w3.org/2000/svg}"
BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    BROWSER is None, reason="Chromium is not installed (apt-get install chromium)"
)


@pytest.fixture(scope="module")
def checkout() -> Investigation:
    return investigate([str(CHECKOUT)])


@pytest.fixture(scope="module")
def bad_deploy(tmp_path_factory: pytest.TempPathFactory) -> Investigation:
    folder = tmp_path_factory.mktemp("families") / "bad-deploy"
    render_family("bad-deploy", "base", DEFAULT_SEED, folder)
    return investigate([str(folder)])


@pytest.fixture(params=["checkout", "bad-deploy"])
def incident(request: pytest.FixtureRequest) -> Investigation:
    name = "checkout" if request.param == "checkout" else "bad_deploy"
    report: Investigation = request.getfixturevalue(name)
    return report


def _sections(page: str) -> dict[str, str]:
    """The HTML of each `<section>` of the page, by its `<h2>` title."""
    found = re.findall(r"<section id=\"[\w-]+\">\s*<h2>(.*?)</h2>(.*?)</section>", page, re.S)
    return {html.unescape(title): body for title, body in found}


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


# --- the Markdown is rendered, log text stays text ---


def test_the_actions_and_every_section_are_rendered_not_raw_markdown(incident) -> None:
    page = render(incident, "html")
    sections = _sections(page)
    actions = sections["Immediate actions"]
    assert "`" not in _text(actions) and "*(" not in actions
    if any("`" in item.action for item in incident.recommendations):
        assert re.search(r"<ol>\s*<li>.*<code>", actions, re.S)
    for title, body in sections.items():
        text = _text(body)
        assert "**" not in text and "| --- |" not in text, title
    assert "<table>" in sections["Errors"] and "<ol>" in sections["Cascade"]


def test_checkout_actions_show_their_commands_as_code(checkout) -> None:
    actions = _sections(render(checkout, "html"))["Immediate actions"]
    assert "<code>redis-cli INFO memory" in actions
    assert "<em>(redis-bgsave-fork-failed)</em>" in actions


def _hostile_incident(folder: Path) -> list[str]:
    """An orders service (Python logging's default-ish format) that fails on comments a user
    wrote: HTML, a javascript: link, Markdown emphasis, pipes and backticks. Returns the
    hostile messages as written."""
    start = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    hostile = [
        "render failed for comment <script>alert(1)</script> by user 4411",
        'render failed for comment <img src=x onerror="alert(2)"> by user 4412',
        "render failed for comment [click me](javascript:alert(3)) by user 4413",
        "render failed for comment **urgent** | `rm -rf /` | _now_ by user 4414",
    ]
    lines = []
    for second in range(0, 40 * 60, 7):
        when = start + timedelta(seconds=second)
        stamp = when.strftime("%Y-%m-%d %H:%M:%S,") + f"{second % 1000:03d}"
        if second >= 20 * 60 and second % 2 == 0:
            message = hostile[second // 14 % len(hostile)]
            lines.append(f"{stamp} ERROR [worker-{second % 4}] orders.comments: {message}")
        else:
            lines.append(
                f"{stamp} INFO [worker-{second % 4}] orders.api: GET /api/orders/{second} "
                f"served in {second % 40 + 5} ms"
            )
    (folder / "orders").mkdir()
    (folder / "orders" / "orders.log").write_text("\n".join(lines) + "\n")
    return hostile


def test_log_text_is_escaped_never_markup(tmp_path: Path) -> None:
    hostile = _hostile_incident(tmp_path)
    report = investigate([str(tmp_path)], workers=1)
    assert report.root_cause is not None and report.root_cause.evidence
    page = render(report, "html")
    assert "<script" not in page and "<img" not in page and "<a " not in page
    assert "<strong>urgent</strong>" not in page and "<em>now</em>" not in page
    shown = _text(page)
    evidence = [m for m in hostile if m in shown]
    assert evidence, "the hostile lines are shown, as text"
    markdown = render(report, "md")
    assert not re.search(r"(?<!\\)<(script|img)", markdown)
    # the Markdown report, rendered by any CommonMark reader, shows the lines as written
    assert [m for m in hostile if m in _text(str(markdown_html(markdown)))] == evidence


@pytest.mark.parametrize(
    "text",
    [
        "a|b",
        "`x`",
        "*x* _y_ a_b_c",
        "# heading",
        "- item",
        "1. one",
        "12) two",
        "> quote",
        "<b>x</b> &amp; &#39;",
        "[a](http://x) ![i](x)",
        "back\\slash \\| pipe",
        "---",
    ],
)
def test_log_text_shows_as_written_in_prose_code_and_table_cells(text: str) -> None:
    for markdown in (md(text), f"| h |\n| --- |\n| {md(text)} |\n"):
        assert _text(str(markdown_html(markdown))).strip().splitlines()[-1] == text
    for markdown in (code(text), f"| h |\n| --- |\n| {code(text, cell=True)} |\n"):
        inner = re.search(r"<code>(.*?)</code>", str(markdown_html(markdown)), re.S)
        assert inner is not None and html.unescape(inner.group(1).replace("<wbr>", "")) == text


# --- paths ---

_PATH = re.compile(r"<code>([^<]*(?:<wbr>[^<]*)*?:\d+)</code>")


def test_paths_may_wrap_after_their_separators_and_keep_their_line(incident) -> None:
    page = render(incident, "html")
    paths = [p.group(1) for p in _PATH.finditer(page) if "/" in p.group(1).replace("<wbr>", "")]
    assert len(paths) > 5
    for path in paths:
        for piece in path.split("<wbr>")[:-1]:
            assert piece[-1] in "/.-_", path  # a break only after a separator
        assert re.search(r"[^/.\-_]:\d+$", path.split("<wbr>")[-1]), path  # `name:12` together
    assert "overflow-wrap: anywhere" not in page  # it lets tables break names anywhere


_WRAP_PROBE = """<script>
const out = [];
for (const el of document.querySelectorAll("code")) {
  if (!/\\/.*:\\d+$/.test(el.textContent)) continue;
  const lines = []; let top = null; let line = "";
  const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let node = walk.nextNode(); node; node = walk.nextNode()) {
    for (let i = 0; i < node.length; i++) {
      const range = document.createRange(); range.setStart(node, i); range.setEnd(node, i + 1);
      const box = range.getClientRects()[0]; if (!box) continue;
      if (top !== null && Math.abs(box.top - top) > 3) { lines.push(line); line = ""; }
      top = box.top; line += node.data[i];
    }
  }
  lines.push(line); out.push(lines);
}
const pre = document.createElement("pre"); pre.id = "probe";
pre.textContent = JSON.stringify(out); document.body.appendChild(pre);
</script>"""


def _chromium(page: Path, profile: Path, *extra: str) -> str:
    assert BROWSER is not None
    done = subprocess.run(
        [
            BROWSER,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            *extra,
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.stdout


@needs_chromium
def test_paths_wrap_at_separators_in_a_narrow_window(checkout, tmp_path: Path) -> None:
    page = tmp_path / "narrow.html"
    page.write_text(render(checkout, "html").replace("</body>", _WRAP_PROBE + "</body>"))
    dom = _chromium(page, tmp_path / "profile", "--window-size=480,900", "--dump-dom")
    probe = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
    assert probe is not None
    paths: list[list[str]] = json.loads(html.unescape(probe.group(1)))
    wrapped = [lines for lines in paths if len(lines) > 1]
    assert len(wrapped) > 10  # at 480 px the long paths do wrap
    for lines in wrapped:
        for line in lines[:-1]:
            assert line.rstrip()[-1] in "/.-_", lines  # never inside a name
        assert re.search(r"[^/.\-_]:\d+$", lines[-1]), lines  # `:line` with its name


# --- one report in two formats ---


def test_every_section_and_fact_of_the_markdown_is_in_the_html(incident) -> None:
    markdown = render(incident, "md")
    page = render(incident, "html")
    titles = re.findall(r"^## (.+)$", markdown, re.M)
    assert titles == list(_sections(page))
    for needed in ("Impact", "Contributing factors", "Follow-up action items"):
        assert needed in titles
    labels = re.findall(r"^\*\*(\w[\w ]*):\*\*", markdown, re.M)
    assert labels == [html.unescape(t) for t in re.findall(r"<dt>(.*?)</dt>", page)]
    assert {"Status", "Incident", "Recovered"} <= set(labels)
    # the same words in both: each section's text, rendered from the Markdown report
    for title, body in _sections(page).items():
        words = markdown.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]
        prose = re.sub(r"<figure>.*?</figure>", "", body, flags=re.S)  # charts: HTML only
        assert _text(str(markdown_html(words))).split() == _text(prose).split(), title


def test_detected_is_the_page_with_the_duration_and_the_recovery(checkout) -> None:
    truth = json.loads((CHECKOUT / "ground_truth.json").read_text())
    page = next(m for m in truth["milestones"] if "(firing)" in m["what"])  # the page
    alert = re.search(r"receives (\w+) \(firing\)", page["what"])
    assert alert is not None
    paged = human_time(datetime.fromisoformat(page["timestamp"]))
    first = datetime.fromisoformat(truth["first_failure"]["timestamp"])
    html_page = render(checkout, "html")
    facts = {k: _text(v) for k, v in re.findall(r"<dt>(.*?)</dt><dd[^>]*>(.*?)</dd>", html_page)}
    detected = facts["Detected"]
    assert detected.startswith(f"{paged}, {alert.group(1)} (alertmanager ")
    assert f"{page['file']}:{page['line']}" in detected
    took = duration((datetime.fromisoformat(page["timestamp"]) - first).total_seconds())
    assert detected.endswith(f"{took} after the first failure")
    recovered = checkout.recovered
    assert recovered is not None
    to_recover = duration((recovered.timestamp - first).total_seconds())
    assert f"for {to_recover};" in facts["Incident"]
    assert facts["Recovered"].startswith(f"{human_time(recovered.timestamp)}, ")
    assert f"{to_recover} after the first failure" in facts["Recovered"]
    markdown = render(checkout, "md")
    assert f"**Detected:** {paged}, {alert.group(1)}" in markdown
    assert f"**Recovered:** {human_time(recovered.timestamp)}" in markdown


def test_an_ongoing_incident_says_it_has_not_recovered(bad_deploy) -> None:
    assert bad_deploy.trend != "resolved"
    markdown = render(bad_deploy, "md")
    assert "**Recovered:** not by the end of the logs" in markdown
    assert "(not resolved at the end of the logs)" in markdown


# --- charts ---


def _chart_lines(page: str, caption: str) -> set[str] | None:
    figure = re.search(rf"<figcaption>{caption}.*?</figcaption>\s*(<svg.*?</svg>)", page, re.S)
    if figure is None:
        return None
    root = ElementTree.fromstring(figure.group(1))
    return {line.findtext(f"{SVG}title") or "" for line in root.iter(f"{SVG}polyline")}


def test_no_latency_chart_of_alert_notifications(checkout) -> None:
    assert checkout.latency is not None
    timed = {s for p in checkout.latency.series for s in p.count}
    assert "alertmanager" in timed  # `Notify success ... duration=301.144ms`, maintenance runs
    assert "alertmanager" not in checkout.latency.serving
    page = render(checkout, "html")
    assert _chart_lines(page, "Errors per 60 s") is not None
    assert latency_changed(checkout) == []  # the payment gateway answers at its usual speed
    assert _chart_lines(page, "p95 latency") is None


def test_latency_chart_of_the_request_services_whose_latency_changed(bad_deploy) -> None:
    assert bad_deploy.latency is not None
    timed = {s for p in bad_deploy.latency.series for s in p.count}
    assert {"pricing", "storefront", "promotions"} <= timed
    assert "promotions" not in bad_deploy.latency.serving  # its durations are no requests'
    assert latency_changed(bad_deploy) == ["pricing"]  # storefront: as fast as before
    assert _chart_lines(render(bad_deploy, "html"), "p95 latency") == {"pricing"}


# --- times ---

_ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d|\d\d:\d\d:\d\d[.,]\d{4,}")


def test_no_iso_timestamps_nor_microseconds(incident) -> None:
    assert incident.first_failure is not None
    when = human_time(incident.first_failure.timestamp)
    assert re.fullmatch(r"\d\d:\d\d:\d\d(\.\d{3})? UTC", when)
    for fmt in ("md", "html"):
        text = render(incident, fmt)
        assert not _ISO.search(text), _ISO.findall(text)[:3]
        assert when in text


def test_the_report_command_writes_the_html(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    assert run(["report", str(CHECKOUT), "--format", "html", "-o", str(out), "-q"]) == 0
    page = out.read_text()
    assert "<h2>Contributing factors</h2>" in page and not _ISO.search(page)


# --- light and dark, in Chromium ---


def _pixels(image: Image.Image) -> Counter[tuple[int, int, int]]:
    data = image.convert("RGB").tobytes()
    return Counter(zip(data[0::3], data[1::3], data[2::3], strict=True))


@needs_chromium
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshot_in_light_and_dark(checkout, scheme: str, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(render(checkout, "html"))
    shot = tmp_path / f"{scheme}.png"
    dark = ("--force-dark-mode",) if scheme == "dark" else ()
    _chromium(page, tmp_path / "profile", *dark, "--window-size=1000,1400", f"--screenshot={shot}")
    image = Image.open(shot)
    assert image.size == (1000, 1400)
    pixels = _pixels(image)
    total = sum(pixels.values())
    luminance = {p: 0.2126 * p[0] + 0.7152 * p[1] + 0.0722 * p[2] for p in pixels}
    average = sum(luminance[p] * n for p, n in pixels.items()) / total
    background = luminance[pixels.most_common(1)[0][0]]
    # not blank: text, tables and the chart stand out from the background, in many colours
    apart = sum(n for p, n in pixels.items() if abs(luminance[p] - background) > 60)
    assert apart > 0.02 * total and len(pixels) > 200
    if scheme == "dark":
        assert background < 40 and average < 60
    else:
        assert background > 240 and average > 200

    def near(colour: tuple[int, int, int]) -> int:
        close = (p for p in pixels if all(abs(a - b) <= 12 for a, b in zip(p, colour, strict=True)))
        return sum(pixels[p] for p in close)

    # the chart's first two series (cart-service red, checkout-service blue) are drawn
    assert near((0xD6, 0x27, 0x28)) > 100 and near((0x1F, 0x77, 0xB4)) > 100
