"""The incident families told differently: `fixtures/incidents.py --variant NAME` (pods, noisy,
sparse, skewed, formats, wording, and the default rendering itself).

Every family x variant is rendered once per session into a temporary directory. The renderings
are deterministic, each truth is self-consistent (the checks of `test_incidents_fixture.py`,
applied to what the package reads from the variant's files), each variant does what it says,
and `investigate` is measured against the truth with `tests.incident_checks.all_problems`:
that robustness matrix is where the analysis' gaps show (KNOWN_GAPS keeps today's as strict
xfails, so a gap the analysis closes turns the run red until its entry is removed).

Services: the truth names them canonically (`redis`, `checkout-service`) whatever the files are
called. For the self-consistency checks, a record the package names after its file (the
record says nothing itself) takes the canonical service of that file, as `ground_truth.json`'s
`files` gives it: mapping pod and host names back to services is the analysis' job, measured by
the matrix, not a property of the truth.
"""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from fixtures import incidents as generator

from log_analyzer import open_paths
from log_analyzer.analysis.investigate import investigate
from log_analyzer.analysis.report import Investigation
from log_analyzer.ingest import SourceStats
from log_analyzer.levels import at_least
from log_analyzer.records import Record
from log_analyzer.services import service_from_path, source_service
from log_analyzer.sources.discover import discover

from .incident_checks import all_problems
from .test_incidents_fixture import FAMILIES, GROUND_TRUTH
from .test_incidents_fixture import Family as Parsed

VARIANTS: tuple[str, ...] = generator.VARIANTS
CASES = [(variant, family) for variant in VARIANTS for family in FAMILIES]
OTHERS = [v for v in VARIANTS if v != generator.DEFAULT_VARIANT]
# The parse checks skip the default rendering: it is the committed one (checked byte for byte
# below), which test_incidents_fixture.py checks the same way.
PARSED = [(variant, family) for variant in OTHERS for family in FAMILIES]

# (variant, family) -> what `all_problems` reported on the analysis of the day this matrix was
# written (`python -m tests.test_incident_variants` prints it afresh): the analysis' known gaps,
# kept as strict xfails. `a <- b (not c)`: the analysis says b caused a's errors, the story c.
KNOWN_GAPS: dict[tuple[str, str], str] = {
    ("default", "checkout"): (
        "cart-service <- checkout-service (not redis); payment-gateway <- checkout-service "
        "(not redis)"
    ),
    ("default", "db-pool"): ("orders-service <- postgres (not billing-batch)"),
    ("pods", "checkout"): (
        "cart-service <- checkout-service (not redis); payment-gateway <- checkout-service "
        "(not redis)"
    ),
    ("pods", "db-pool"): ("orders-service <- postgres (not billing-batch)"),
    ("noisy", "checkout"): (
        "cart-service <- checkout-service (not redis); payment-gateway <- checkout-service "
        "(not redis)"
    ),
    ("noisy", "db-pool"): ("orders-service <- postgres (not billing-batch)"),
    ("sparse", "checkout"): (
        "cart-service <- checkout-service (not redis); payment-gateway <- checkout-service "
        "(not redis)"
    ),
    ("sparse", "db-pool"): ("orders-service <- postgres (not billing-batch)"),
    ("skewed", "checkout"): (
        "cascade [redis, checkout-service, cart-service, nginx, payment-gateway]; nginx <- "
        "cart-service (not checkout-service); cart-service <- checkout-service (not redis); "
        "payment-gateway <- checkout-service (not redis)"
    ),
    ("skewed", "db-pool"): ("orders-service <- postgres (not billing-batch)"),
    ("formats", "checkout"): (
        "cascade [redis, checkout, nginx, cart-service, payment-gateway]; checkout-service "
        "missing from the cascade; nginx <- checkout (not checkout-service); cart-service <- "
        "checkout (not redis); payment-gateway <- checkout (not redis)"
    ),
    ("formats", "oom-kill"): (
        "root cause kernel not in [inventory-service]; kernel <- None (not "
        "inventory-service); inventory-service <- kernel (not None)"
    ),
    ("formats", "db-pool"): ("orders-service <- postgres (not billing-batch)"),
    ("wording", "checkout"): (
        "cart-service <- checkout-service (not redis); payment-gateway <- checkout-service "
        "(not redis)"
    ),
    ("wording", "db-pool"): ("orders-service <- postgres (not billing-batch)"),
}

# Files the package reads, but not as the format they are in: (variant, family) -> why.
FORMAT_GAPS: dict[tuple[str, str], str] = {
    ("formats", "dns"): "package gap: pino-pretty's text is read by the `generic` fallback "
    "(timestamps, levels and continuation lines right), no format names it",
}


# --- rendering (once per session) ---------------------------------------------------------------
class Renderings:
    """Each variant rendered once, on first use, under one session directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.truths: dict[str, dict[str, dict[str, Any]]] = {}

    def folder(self, variant: str, family: str) -> Path:
        if variant not in self.truths:
            self.truths[variant] = generator.render(self.root / variant, variant=variant)
        return self.root / variant / family

    def truth(self, variant: str, family: str) -> dict[str, Any]:
        folder = self.folder(variant, family)
        loaded: dict[str, Any] = json.loads((folder / GROUND_TRUTH).read_text(encoding="utf-8"))
        return loaded


_RENDERINGS: list[Renderings] = []


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Renderings:
    if not _RENDERINGS:
        _RENDERINGS.append(Renderings(tmp_path_factory.mktemp("incident-variants")))
    return _RENDERINGS[0]


@cache
def _investigation(folder: Path) -> Investigation:
    return investigate([str(folder)])


@cache
def _parsed(folder: Path) -> Parsed:
    """What the package reads from a rendering, services mapped as the module docstring says."""
    truth = json.loads((folder / GROUND_TRUTH).read_text(encoding="utf-8"))
    canonical = {row["file"]: row["service"] for row in truth["files"]}
    records: dict[str, list[Record]] = {}
    stats: dict[str, SourceStats] = {}
    for parser in open_paths([str(folder)]).parsers:
        assert parser.source.path is not None
        relative = parser.source.path.relative_to(folder).as_posix()
        if relative == GROUND_TRUTH:
            continue
        # the names the package gives a file's records when they say nothing themselves
        named = {service_from_path(parser.source), source_service(parser.source, ())[0]}
        found = list(parser)
        for record in found:
            if record.service in named and relative in canonical:
                record.service = canonical[relative]
        records[relative] = found
        stats[relative] = parser.stats
    return Parsed(truth, records, stats)


def lines_of(folder: Path, file: str) -> list[str]:
    return (folder / file).read_text(encoding="utf-8").split("\n")


def files_of(directory: Path) -> dict[str, bytes]:
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def params(cases: list[tuple[str, str]], gaps: dict[tuple[str, str], str]) -> list[Any]:
    """The cases, those with a known gap as strict xfails."""
    return [
        pytest.param(
            variant,
            family,
            id=f"{variant}-{family}",
            marks=[pytest.mark.xfail(strict=True, reason=gaps[(variant, family)])]
            if (variant, family) in gaps
            else [],
        )
        for variant, family in cases
    ]


# --- the generator --------------------------------------------------------------------------
def test_the_default_variant_is_the_committed_rendering(rendered: Renderings) -> None:
    committed = generator.DEFAULT_OUT
    for family in FAMILIES:
        ours = files_of(rendered.folder(generator.DEFAULT_VARIANT, family))
        assert ours == files_of(committed / family), family


@pytest.mark.parametrize("variant", OTHERS)
def test_variant_renderings_are_deterministic(
    variant: str, rendered: Renderings, tmp_path: Path
) -> None:
    again = generator.render(tmp_path, variant=variant)
    assert set(again) == set(FAMILIES)
    for family in FAMILIES:
        assert files_of(tmp_path / family) == files_of(rendered.folder(variant, family)), family


def test_cli_renders_a_variant_and_records_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert generator.main(["--variant", "sparse", "--out", str(tmp_path)]) == 0
    assert "checkout:" in capsys.readouterr().out
    for family in FAMILIES:
        truth = json.loads((tmp_path / family / GROUND_TRUTH).read_text(encoding="utf-8"))
        assert truth["variant"] == "sparse"
    with pytest.raises(SystemExit):
        generator.main(["--variant", "pods"])  # never over the committed default rendering
    with pytest.raises(SystemExit):
        generator.main(["--variant", "nope", "--out", str(tmp_path)])
    capsys.readouterr()


# --- each truth is self-consistent ------------------------------------------------------------
@pytest.mark.parametrize(("variant", "family"), CASES)
def test_truth_keys_and_cascade_links(variant: str, family: str, rendered: Renderings) -> None:
    truth = rendered.truth(variant, family)
    assert truth["variant"] == variant
    assert truth["family"] == family
    links = truth["cascade_links"]
    assert list(links) == truth["cascade"]
    assert [s for s, cause in links.items() if cause is None] == [truth["root_cause_service"]]
    assert all(cause is None or cause in links for cause in links.values())
    for service in ("nginx",):  # an edge proxy is always a victim of its upstreams
        assert links.get(service, "") is not None
    skews = {row["service"]: row["skew_seconds"] for row in truth["files"]}
    for service, seconds in skews.items():
        if seconds:
            assert truth["skew_seconds"][service] == seconds, service


@pytest.mark.parametrize(("variant", "family"), params(PARSED, FORMAT_GAPS))
def test_every_file_is_detected_and_counted(
    variant: str, family: str, rendered: Renderings
) -> None:
    folder = rendered.folder(variant, family)
    parsed = _parsed(folder)
    start, end = parsed.window()
    assert set(parsed.stats) == {row["file"] for row in parsed.truth["files"]}
    assert not any(s.path is not None and s.path.name == GROUND_TRUTH for s in discover_(folder))
    problems = []
    for row in parsed.truth["files"]:
        file = row["file"]
        stats = parsed.stats[file]
        records = parsed.records[file]
        skew = timedelta(seconds=row["skew_seconds"])
        checks: dict[str, tuple[object, object]] = {
            "format": (stats.format, row["format"]),
            "lines": (stats.lines, row["lines"]),
            "records": (stats.records, row["records"]),
            "timestamped": (stats.timestamped, row["records"]),
            "unparsed": (stats.unparsed, 0),
            "line accounting": (sum(r.end_line - r.line + 1 for r in records), stats.lines),
        }
        problems += [
            f"{file}: {what} {got!r} != {want!r}"
            for what, (got, want) in checks.items()
            if got != want
        ]
        if stats.first is None or stats.last is None:
            problems.append(f"{file}: no timestamps")
        elif not start + skew <= stats.first <= stats.last < end + skew:
            problems.append(f"{file}: {stats.first}..{stats.last} outside the window")
    assert problems == []


def discover_(folder: Path) -> list[Any]:
    return list(discover([str(folder)]).sources)


@pytest.mark.parametrize(("variant", "family"), PARSED)
def test_first_failure_is_the_stated_line_and_the_earliest_incident_record(
    variant: str, family: str, rendered: Renderings
) -> None:
    folder = rendered.folder(variant, family)
    parsed = _parsed(folder)
    ff = parsed.truth["first_failure"]
    assert lines_of(folder, ff["file"])[ff["line"] - 1] == ff["text"]
    record = next(r for r in parsed.records[ff["file"]] if r.line == ff["line"])
    assert record.service == ff["service"]
    assert at_least(record.level, "warning")
    assert parsed.true_time(record) == datetime.fromisoformat(ff["timestamp"])
    incident = [r for group in parsed.truth["groups"] for r in parsed.matches(group)]
    earliest = min(incident, key=parsed.true_time)
    assert (earliest.file, earliest.line) == (record.file, record.line)


@pytest.mark.parametrize(("variant", "family"), CASES)
def test_group_texts_are_in_their_services_files(
    variant: str, family: str, rendered: Renderings
) -> None:
    """Read as text, not parsed: every group's text is on some line of a file of its service."""
    folder = rendered.folder(variant, family)
    truth = rendered.truth(variant, family)
    by_service: dict[str, list[str]] = {}
    for row in truth["files"]:
        by_service.setdefault(row["service"], []).append(row["file"])
    texts = {f: (folder / f).read_text(encoding="utf-8") for f in files_of_truth(truth)}
    syslog = [row["file"] for row in truth["files"] if row["format"] == "journal-short-iso"]
    for group in truth["groups"] + truth["chronic"]:
        candidates = by_service.get(group["service"], []) + syslog
        assert any(_contains(texts[f], group["text"]) for f in candidates), group


def files_of_truth(truth: dict[str, Any]) -> list[str]:
    return [row["file"] for row in truth["files"]]


def _contains(text: str, needle: str) -> bool:
    return needle in text or json.dumps(needle)[1:-1] in text


@pytest.mark.parametrize(("variant", "family"), PARSED)
def test_group_counts_and_times_match_the_parsed_records(
    variant: str, family: str, rendered: Renderings
) -> None:
    folder = rendered.folder(variant, family)
    parsed = _parsed(folder)
    problems = []
    for group in parsed.truth["groups"] + parsed.truth["chronic"]:
        found = parsed.matches(group)
        stamps = [r.timestamp for r in found if r.timestamp is not None]
        got = (
            len(found),
            sorted({str(r.level) for r in found}),
            min(stamps).isoformat() if stamps else None,
            max(stamps).isoformat() if stamps else None,
        )
        want = (group["count"], [group["level"]], group["first_seen"], group["last_seen"])
        if got != want:
            problems.append(f"{group['service']} {group['text'][:40]!r}: {got} != {want}")
    assert problems == []


@pytest.mark.parametrize(("variant", "family"), PARSED)
def test_chronic_groups_run_through_every_five_minutes(
    variant: str, family: str, rendered: Renderings
) -> None:
    parsed = _parsed(rendered.folder(variant, family))
    start, end = parsed.window()
    slices = int((end - start) / timedelta(minutes=5))
    assert parsed.truth["chronic"]
    for group in parsed.truth["chronic"]:
        seen = Counter(
            int((parsed.true_time(r) - start) / timedelta(minutes=5)) for r in parsed.matches(group)
        )
        assert all(seen[i] for i in range(slices)), (group["text"], seen)
    chronic = {(g["service"], g["text"]) for g in parsed.truth["chronic"]}
    assert not chronic & {(g["service"], g["text"]) for g in parsed.truth["groups"]}


@pytest.mark.parametrize(("variant", "family"), PARSED)
def test_cascade_is_the_onset_order_in_true_time(
    variant: str, family: str, rendered: Renderings
) -> None:
    parsed = _parsed(rendered.folder(variant, family))
    onsets: dict[str, datetime] = {}
    for group in parsed.truth["groups"]:
        first = min(map(parsed.true_time, parsed.matches(group)))
        onsets[group["service"]] = min(first, onsets.get(group["service"], first))
    cascade = parsed.truth["cascade"]
    assert cascade == sorted(onsets, key=onsets.__getitem__)
    assert cascade[0] == parsed.truth["first_failure"]["service"]
    times = [onsets[s] for s in cascade]
    assert all(b - a >= timedelta(milliseconds=5) for a, b in itertools.pairwise(times))


@pytest.mark.parametrize(("variant", "family"), PARSED)
def test_errors_per_minute_and_trend_at_end(
    variant: str, family: str, rendered: Renderings
) -> None:
    parsed = _parsed(rendered.folder(variant, family))
    start, _ = parsed.window()
    truth = parsed.truth
    for kind, groups in (("incident", truth["groups"]), ("chronic", truth["chronic"])):
        minutes = Counter(
            int((parsed.true_time(r) - start) / timedelta(minutes=1))
            for group in groups
            for r in parsed.matches(group)
        )
        stated = [row[kind] for row in truth["errors_per_minute"]]
        assert stated == [minutes[i] for i in range(len(stated))], kind
    incident = [row["incident"] for row in truth["errors_per_minute"]]
    last = sum(incident[-5:])
    peak = max(sum(incident[i : i + 5]) for i in range(len(incident) - 4))
    trend = "resolved" if last == 0 else "ongoing" if last >= 0.5 * peak else "recovering"
    assert truth["trend_at_end"] == trend
    assert sum(incident[:5]) == 0


@pytest.mark.parametrize(("variant", "family"), CASES)
def test_milestones_are_where_they_say(variant: str, family: str, rendered: Renderings) -> None:
    folder = rendered.folder(variant, family)
    for milestone in rendered.truth(variant, family)["milestones"]:
        assert lines_of(folder, milestone["file"])[milestone["line"] - 1] == milestone["text"]


# --- each variant does what it says --------------------------------------------------------------
POD = re.compile(
    r"^(?:[a-z0-9-]+-[bcdfghjklmnpqrstvwxz2456789]{9,10}-[bcdfghjklmnpqrstvwxz2456789]{5}"  # Deploy
    r"|[a-z0-9-]+-\d{8}-[bcdfghjklmnpqrstvwxz2456789]{5}"  # CronJob
    r"|[a-z0-9-]+-\d+"  # StatefulSet
    r"|ip-\d+-\d+-\d+-\d+)$"  # EC2 host
)


def _without_files(truth: dict[str, Any]) -> dict[str, Any]:
    """The truth less what says where (file names) and how it was told (the variant)."""
    rest = {k: v for k, v in truth.items() if k not in ("variant", "files", "milestones")}
    where = ("file", "text")  # oom-kill's syslog names its host in every line
    rest["first_failure"] = {k: v for k, v in truth["first_failure"].items() if k not in where}
    return rest


@pytest.mark.parametrize("family", FAMILIES)
def test_pods_renames_files_only(family: str, rendered: Renderings) -> None:
    default = rendered.truth(generator.DEFAULT_VARIANT, family)
    pods = rendered.truth("pods", family)
    assert _without_files(pods) == _without_files(default)
    assert [r["service"] for r in pods["files"]] == [r["service"] for r in default["files"]]
    for row in pods["files"]:
        name = row["file"].split("/")[0].removesuffix(".log")
        assert POD.match(name), row["file"]
        assert row["file"] not in {r["file"] for r in default["files"]}


@pytest.mark.parametrize("family", FAMILIES)
def test_noisy_has_ten_times_the_chronic_noise(family: str, rendered: Renderings) -> None:
    default = rendered.truth(generator.DEFAULT_VARIANT, family)
    noisy = rendered.truth("noisy", family)
    for ours, theirs in zip(default["chronic"], noisy["chronic"], strict=True):
        assert 8 * ours["count"] <= theirs["count"] <= 12 * ours["count"], theirs
    assert sum(r["lines"] for r in noisy["files"]) > sum(r["lines"] for r in default["files"])
    for key in ("cascade", "cascade_links", "root_cause_service", "trend_at_end"):
        assert noisy[key] == default[key], key
    for key in ("service", "file", "timestamp"):  # (its ids and line differ: more noise)
        assert noisy["first_failure"][key] == default["first_failure"][key], key


@pytest.mark.parametrize("family", FAMILIES)
def test_sparse_keeps_a_tenth_of_each_incident_group(family: str, rendered: Renderings) -> None:
    default = rendered.truth(generator.DEFAULT_VARIANT, family)
    sparse = rendered.truth("sparse", family)
    for ours, theirs in zip(default["groups"], sparse["groups"], strict=True):
        n = ours["count"]
        assert theirs["count"] == (n if n <= 5 else max(5, round(n / 10))), theirs
        assert (theirs["first_seen"], theirs["last_seen"]) == (
            ours["first_seen"],
            ours["last_seen"],
        )
    assert sparse["chronic"] == default["chronic"]
    assert sparse["first_failure"] == default["first_failure"]
    assert sparse["cascade"] == default["cascade"]
    assert sparse["trend_at_end"] == default["trend_at_end"]


@pytest.mark.parametrize("family", FAMILIES)
def test_skewed_clocks_run_both_ways(family: str, rendered: Renderings) -> None:
    default = rendered.truth(generator.DEFAULT_VARIANT, family)
    skewed = rendered.truth("skewed", family)
    changed = {s for s, v in skewed["skew_seconds"].items() if v != default["skew_seconds"][s]}
    assert 1 <= len(changed) <= 2 or family == "oom-kill"  # nginx's two files are one host
    seconds = [v for v in skewed["skew_seconds"].values() if v]
    assert min(seconds) < 0 < max(seconds)
    assert all(abs(v) <= 5 for v in seconds)
    for key in ("cascade", "root_cause_service", "trend_at_end"):
        assert skewed[key] == default[key], key
    ff, default_ff = skewed["first_failure"], default["first_failure"]
    assert (ff["file"], ff["line"], ff["timestamp"]) == (
        default_ff["file"],
        default_ff["line"],
        default_ff["timestamp"],
    )


@pytest.mark.parametrize("family", FAMILIES)
def test_formats_changes_some_formats(family: str, rendered: Renderings) -> None:
    default = rendered.truth(generator.DEFAULT_VARIANT, family)
    formats = rendered.truth("formats", family)
    before = {r["file"]: r["format"] for r in default["files"]}
    after = {r["file"]: r["format"] for r in formats["files"]}
    assert before.keys() == after.keys()
    assert any(before[f] != after[f] for f in before)

    def texts(truth: dict[str, Any]) -> list[tuple[str, str, int]]:
        return [(g["service"], g["text"], g["count"]) for g in truth["groups"] + truth["chronic"]]

    assert texts(formats) == texts(default)


@pytest.mark.parametrize("family", FAMILIES)
def test_wording_changes_some_texts(family: str, rendered: Renderings) -> None:
    default = rendered.truth(generator.DEFAULT_VARIANT, family)
    wording = rendered.truth("wording", family)
    texts = [g["text"] for g in default["groups"] + default["chronic"]]
    reworded = [g["text"] for g in wording["groups"] + wording["chronic"]]
    assert texts != reworded
    assert wording["cascade"] == default["cascade"]


# --- the robustness matrix: investigate against the truth ------------------------------------
@pytest.mark.parametrize(("variant", "family"), params(CASES, KNOWN_GAPS))
def test_investigation_matches_the_truth(variant: str, family: str, rendered: Renderings) -> None:
    folder = rendered.folder(variant, family)
    report = _investigation(folder)
    assert all_problems(report, rendered.truth(variant, family), folder) == []


def matrix(root: Path) -> dict[tuple[str, str], list[str]]:
    """Every family x variant rendered under `root` and investigated: the problems of each."""
    problems = {}
    for variant in VARIANTS:
        generator.render(root / variant, variant=variant)
        for family in FAMILIES:
            folder = root / variant / family
            truth = json.loads((folder / GROUND_TRUTH).read_text(encoding="utf-8"))
            found = all_problems(investigate([str(folder)]), truth, folder)
            problems[(variant, family)] = [p.replace(f"{folder}/", "") for p in found]
    return problems


def gap(problems: list[str]) -> str:
    """`all_problems` in short: `a <- b (not c)`, the analysis says b caused a's errors."""
    short = []
    for problem in problems:
        link = re.fullmatch(r"(\S+) caused_by (.+) != (.+)", problem)
        order = re.fullmatch(r"cascade order (\[.*\]) != \[.*\]", problem)
        if link:
            short.append(f"{link[1]} <- {link[2]} (not {link[3]})".replace("'", ""))
        elif order:
            short.append(f"cascade {order[1]}".replace("'", ""))
        else:
            short.append(problem.replace("'", ""))
    return "; ".join(short)


if __name__ == "__main__":  # `python -m tests.test_incident_variants`: the table, then the gaps
    import tempfile
    import textwrap

    with tempfile.TemporaryDirectory() as directory:
        found = matrix(Path(directory))
    for (variant, family), problems in found.items():
        print(f"| {variant} | {family} | {'fail' if problems else 'pass'} | {gap(problems)} |")
    print("KNOWN_GAPS: dict[tuple[str, str], str] = {")
    for case, problems in found.items():
        if problems:
            lines = textwrap.wrap(gap(problems), 84, drop_whitespace=False, break_on_hyphens=False)
            print(f"    {case!r}: (".replace("'", '"'))
            print("\n".join(f"        {json.dumps(line)}" for line in lines) + "\n    ),")
    print("}")
