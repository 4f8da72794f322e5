"""The answer-quality evals (evals/): the case file, its facts against the ground truth and the
deterministic investigation of every incident (bundled, or rendered from a held-out family),
the scoring rules, and the runner end to end with the Anthropic API mocked by respx (no
network, no cost)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import respx
from evals import deterministic
from evals import run as evals_run
from evals.scoring import (
    Case,
    CaseError,
    Fact,
    Source,
    load_cases,
    matches,
    score,
    select,
    states,
)
from fixtures.families import FAMILIES as FAMILY_MODULES
from fixtures.families import VARIANTS, render

from log_analyzer.analysis.investigate import investigate
from log_analyzer.analysis.report import Investigation

from .anthropic_mock import API, bodies, error, message, text, tool_use
from .conftest import FIXTURES, ROOT

INCIDENTS = FIXTURES / "incidents"
BUNDLED = sorted(p.name for p in INCIDENTS.iterdir() if (p / "ground_truth.json").is_file())
CASES = load_cases()
ALL = sorted({c.incident for c in CASES})
OVERRULE = sorted({c.incident for c in CASES if c.overrule})
AGREE = [name for name in ALL if name not in OVERRULE]  # bundled incidents and controls


def _cases_of(incident: str) -> list[Case]:
    return [c for c in CASES if c.incident == incident]


# --- (a) the case file ------------------------------------------------------------------------


def test_every_bundled_incident_has_cases():
    assert {c.incident for c in CASES if c.source is None} == set(BUNDLED)


def test_every_incident_has_two_or_three_questions():
    for incident in ALL:
        assert 2 <= len(_cases_of(incident)) <= 3, incident


def test_every_case_is_well_formed():
    assert len({c.id for c in CASES}) == len(CASES)
    for case in CASES:
        assert case.id.startswith(case.incident + "/")
        assert case.question.endswith("?"), case.id
        assert case.facts and all(f.alternatives for f in case.facts), case.id
        names = [f.name for f in case.facts]
        assert len(set(names)) == len(names), case.id
        assert set(case.overrule) <= set(names), case.id


def test_every_answer_needs_the_root_cause_or_the_first_failure():
    for case in CASES:
        names = {f.name for f in case.facts}
        assert names & {"root-cause-service", "root-cause", "first-failure"}, case.id


def test_held_out_incidents_name_a_real_family_and_hold_overrule_cases_and_controls():
    held_out = {c.incident: c.source for c in CASES if c.source is not None}
    for incident, source in held_out.items():
        assert source is not None
        assert source.family in FAMILY_MODULES and source.variant in VARIANTS, incident
    overrule = {i for i in held_out if any(c.overrule for c in _cases_of(i))}
    assert len(overrule) >= 3 and len(held_out) - len(overrule) >= 2
    assert all(c.source is not None for c in CASES if c.overrule)  # not a bundled incident


def test_a_source_and_overrule_are_read_per_incident(tmp_path):
    path = tmp_path / "cases.toml"
    path.write_text(
        "[x]\noverrule = ['b']\n[x.source]\nfamily = 'gc-leak'\nvariant = 'sparse'\nseed = 3\n"
        "[x.facts]\na = ['k']\nb = ['m']\n"
        "[[x.questions]]\nid='q'\nask='?'\nexpect=['a', 'b']\n"
        "[[x.questions]]\nid='r'\nask='?'\nexpect=['a']\n"
    )
    q, r = load_cases(path)
    assert q.source == r.source == Source("gc-leak", "sparse", 3)
    assert (q.overrule, r.overrule) == (("b",), ())
    assert q.family == "gc-leak"


@pytest.mark.parametrize(
    ("toml", "problem"),
    [
        ("[x.facts]\na = []\n[[x.questions]]\nid='q'\nask='?'\nexpect=['a']\n", "non-empty"),
        ("[x.facts]\na = ['re:(']\n[[x.questions]]\nid='q'\nask='?'\nexpect=['a']\n", "bad regex"),
        ("[x.facts]\na = ['k']\n[[x.questions]]\nid='q'\nask='?'\nexpect=['b']\n", "unknown"),
        ("[x.facts]\na = ['k']\n[[x.questions]]\nid='Q 1'\nask='?'\nexpect=['a']\n", "`id`"),
        ("[x.facts]\na = [3]\n[[x.questions]]\nid='q'\nask='?'\nexpect=['a']\n", "neither"),
        ("[x.facts]\na = ['k']\n[[x.questions]]\nid='q'\nask='?'\nexpect=[]\n", "`expect`"),
        ("[x.facts]\na = ['k']\n", "`questions`"),
        ("[x.facts\n", "line 1"),
        (
            "[x]\nseed = 7\n[x.facts]\na = ['k']\n[[x.questions]]\nid='q'\nask='?'\nexpect=['a']\n",
            "nothing else",
        ),
        (
            "[x.source]\nfamily = 'gc-leak'\nvariant = 'base'\n"
            "[x.facts]\na = ['k']\n[[x.questions]]\nid='q'\nask='?'\nexpect=['a']\n",
            r"\[x.source\]: needs exactly",
        ),
        (
            "[x.source]\nfamily = 'gc-leak'\nvariant = 'base'\nseed = -1\n"
            "[x.facts]\na = ['k']\n[[x.questions]]\nid='q'\nask='?'\nexpect=['a']\n",
            "`seed`",
        ),
        (
            "[x]\noverrule = ['b']\n[x.facts]\na = ['k']\nb = ['m']\n"
            "[[x.questions]]\nid='q'\nask='?'\nexpect=['a']\n",
            r"no question expects \['b'\]",
        ),
    ],
)
def test_a_malformed_case_file_is_refused_with_its_place(tmp_path, toml, problem):
    path = tmp_path / "cases.toml"
    path.write_text(toml)
    with pytest.raises(CaseError, match=problem.replace("(", r"\(")):
        load_cases(path)


# --- (b) the facts against the ground truth and the deterministic tools -----------------------


@dataclass(frozen=True)
class Incident:
    logs: Path  # the copy the runner investigates and the model reads: no ground truth
    truth: dict[str, Any]
    report: Investigation

    @property
    def findings(self) -> dict[str, str]:
        return deterministic.findings(self.report, self.logs)

    @property
    def tools_answer(self) -> str:
        return deterministic.answer(self.report, self.logs)


@pytest.fixture(scope="module")
def incidents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Incident]:
    """Every incident of the case file as the runner prepares it (held-out ones rendered),
    with its ground truth and its deterministic investigation."""
    copies = evals_run.prepare_incidents(CASES, tmp_path_factory.mktemp("evals"))
    origins = tmp_path_factory.mktemp("truths")
    prepared = {}
    for incident, logs in copies.items():
        origin = evals_run.incident_folder(incident, _cases_of(incident)[0].source, origins)
        truth = json.loads((origin / "ground_truth.json").read_text())
        prepared[incident] = Incident(logs, truth, investigate([str(logs)]))
    return prepared


FINDING_FOR = {"root-cause-service": "root-cause"}  # the fact -> the finding that must state it


@pytest.mark.parametrize("incident", ALL)
def test_each_fact_is_in_the_finding_it_comes_from(incidents, incident):
    """Every fact the tools get right is stated by the finding it comes from (not by chance
    elsewhere in the answer)."""
    found = incidents[incident].findings
    for case in _cases_of(incident):
        for fact in case.facts:
            if fact.name in case.overrule:
                continue
            finding = found[FINDING_FOR.get(fact.name, fact.name)]
            assert states(fact, finding), f"{case.id}: {fact.name} not in {finding!r}"


@pytest.mark.parametrize("incident", AGREE)
def test_an_answer_repeating_the_tools_scores_full_marks(incidents, incident):
    """Where the analysis is right (the bundled incidents, the controls), repeating it is
    enough."""
    tools = incidents[incident].tools_answer
    for case in _cases_of(incident):
        result = score(case, tools)
        assert result.missing == (), case.id
        assert str(result) == f"{len(case.facts)}/{len(case.facts)}"


@pytest.mark.parametrize("incident", OVERRULE)
def test_an_answer_repeating_the_tools_misses_the_facts_to_overrule(incidents, incident):
    """The inverse on overrule cases: the tools' answer misses exactly the facts the case file
    says the analysis gets wrong. When this fails because a fact is now stated, the analysis
    learnt it: drop it from `overrule` (the incident may become a control)."""
    tools = incidents[incident].tools_answer
    for case in _cases_of(incident):
        result = score(case, tools)
        assert result.missing == case.overrule, f"{case.id}: tools answer {result.missing}"


@pytest.mark.parametrize("incident", OVERRULE)
def test_the_overrule_facts_are_where_the_analysis_departs_from_the_truth(incidents, incident):
    """Not a keyword accident: where the case file says the tools are wrong, the investigation
    itself disagrees with the ground truth."""
    prepared = incidents[incident]
    report, truth = prepared.report, prepared.truth
    overrule = {name for c in _cases_of(incident) for name in c.overrule}
    if "first-failure" in overrule:
        first = report.first_failure
        got = (
            None
            if first is None
            else (str(Path(first.file).relative_to(prepared.logs)), first.line)
        )
        assert got != (truth["first_failure"]["file"], truth["first_failure"]["line"])
    if "root-cause-service" in overrule:
        cause = report.root_cause
        assert cause is None or cause.service != truth["root_cause_service"]
    if "clock-skew" in overrule:
        skewed = {s: v for s, v in truth["skew_seconds"].items() if v}
        assert skewed
        assert all(abs(report.skew_seconds.get(s, 0.0) - v) > 1.0 for s, v in skewed.items())


@pytest.mark.parametrize("incident", ALL)
def test_another_familys_findings_do_not_score_full_marks(incidents, incident):
    family = _cases_of(incident)[0].family
    for other in ALL:
        if _cases_of(other)[0].family == family:
            continue  # the same story: a control shares its overrule case's facts
        tools = incidents[other].tools_answer
        for case in _cases_of(incident):
            assert score(case, tools).missing, f"{case.id} scores full on {other}'s findings"


@pytest.mark.parametrize("incident", ALL)
def test_the_first_failure_fact_matches_the_ground_truth(incidents, incident):
    truth = incidents[incident].truth["first_failure"]
    clock = truth["timestamp"][11:19]
    facts = {f.name: f for c in _cases_of(incident) for f in c.facts}
    first = facts["first-failure"]
    assert states(first, f"see {truth['file']}:{truth['line']}")
    assert states(first, f"{truth['file']} at {clock} UTC")  # the file and the time
    assert not states(first, f"see {truth['file']}:{truth['line'] + 1000}")
    assert not states(first, f"at {clock} UTC")  # the time alone does not say where


@pytest.mark.parametrize("incident", ALL)
def test_the_root_cause_and_skew_facts_match_the_ground_truth(incidents, incident):
    truth = incidents[incident].truth
    facts = {f.name: f for c in _cases_of(incident) for f in c.facts}
    if "root-cause-service" in facts:
        service = truth["root_cause_service"]
        assert states(facts["root-cause-service"], f"the fault is {service}'s"), incident
    if "clock-skew" in facts:
        skewed = {s: v for s, v in truth["skew_seconds"].items() if v}
        assert skewed, incident
        for service, seconds in skewed.items():
            late = "behind" if seconds < 0 else "ahead"
            said = f"{service}'s clock is {abs(seconds):.1f} s {late}"
            assert states(facts["clock-skew"], said), (incident, said)


# --- (c) the scoring rules --------------------------------------------------------------------

FILE_AND_TIME = ("server.log", "14:01:58")
REDIS = Case(
    "t/why",
    "t",
    "Why?",
    (
        Fact(
            "first-failure",
            (r"re:redis-server\.log\W{1,3}(?:line\s*)?12\b", ("server.log", "14:01:58")),
        ),
        Fact("root-cause", ("maxmemory", "out of memory", r"re:\bOOM\b")),
        Fact("top-action", ("free memory",)),
    ),
)


def test_a_missing_fact_is_counted_and_named():
    result = score(REDIS, "Redis hit MAXMEMORY at redis/redis-server.log:12.")
    assert (result.points, result.total, str(result)) == (2, 3, "2/3")
    assert result.found == ("first-failure", "root-cause")
    assert result.missing == ("top-action",)
    assert result.fraction == pytest.approx(2 / 3)
    assert str(score(REDIS, "nothing useful")) == "0/3"


def test_any_alternative_states_a_fact_whatever_its_case():
    for answer in ("Redis ran Out Of Memory", "maxmemory reached", "an OOM in redis"):
        assert score(REDIS, answer).found == ("root-cause",), answer
    assert score(REDIS, "the room was full").found == ()  # re:\bOOM\b is a word, not a substring


def test_regex_facts_respect_their_boundaries():
    fact = REDIS.facts[0]
    assert states(fact, "`checkout/redis/redis-server.log:12`")
    assert states(fact, "Redis-Server.log, line 12")
    assert not states(fact, "redis/redis-server.log:120")
    assert matches("re:^a.c$", "ABC") and not matches("re:^a.c$", "xabc")


def test_a_list_alternative_needs_all_its_parts():
    fact = REDIS.facts[0]
    assert states(fact, "redis-server.log shows it first, at 14:01:58.207")
    assert not states(fact, "it failed at 14:01:58")
    assert not states(fact, "see redis-server.log")


def test_select_by_case_id_or_incident_glob():
    assert [c.id for c in select(CASES, "checkout/why")] == ["checkout/why"]
    assert {c.incident for c in select(CASES, "dns")} == {"dns"}
    assert {c.id.split("/")[1] for c in select(CASES, "*/fix")} == {"fix"}
    assert select(CASES, None) == CASES
    assert select(CASES, "nothing-like-it") == []


# --- (d) the runner, the Anthropic API mocked -------------------------------------------------

ANSWER = (
    "Redis ran out of memory: its background save could not fork "
    "(`Cannot allocate memory`) at 2026-11-28T14:01:58Z (redis/redis-server.log:12), and "
    "checkout-service's Redis calls timed out from 14:02:03 (checkout-service.log:773)."
)


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> Iterator[respx.MockRouter]:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-key")
    monkeypatch.delenv("ANTHROPIC_BASE_URL", raising=False)
    monkeypatch.delenv("LOG_ANALYZER_MODEL", raising=False)
    monkeypatch.delenv("LOG_ANALYZER_PRICES", raising=False)
    monkeypatch.chdir(ROOT)
    with respx.mock(using="httpcore2", base_url=API, assert_all_called=False) as router:
        yield router


def test_the_runner_scores_a_scripted_answer(api, capsys, tmp_path):
    route = api.post("/v1/messages").mock(
        side_effect=[
            message(tool_use("investigate", {})),
            message(tool_use("search_logs", {"pattern": "Cannot allocate memory"})),
            message(text(ANSWER)),
        ]
    )
    extra = tmp_path / "extra.md"
    extra.write_text("Always name the first failure's file:line.")
    out_json = tmp_path / "results.json"
    argv = ["--cases", "checkout/why", "--system-extra", str(extra), "--json", str(out_json)]
    assert evals_run.main(argv) == 0
    out = capsys.readouterr().out
    assert "claude-sonnet-5-5: 1 cases" in out and "models compared" in out
    assert "checkout/why" in out and "100%" in out
    assert _row(out, "checkout/why")[1:3] == ["3/3", "3/3"]  # the model's score, the tools'
    assert "tools alone" in out and "100% 3/3" in out  # the summary: the tools' mean, facts
    # 3 requests of 1,200 input + 80 output tokens at $3 / $15 per million
    assert "3,840" in out and "$0.0144" in out
    assert "2: investigate, search_logs" in out
    sent = bodies(route)
    assert "Always name the first failure's file:line." in sent[0]["system"][0]["text"]
    opening = json.dumps(sent[0]["messages"][0])
    assert "redis-server.log" in opening and "ground_truth" not in opening
    assert sent[0]["messages"][0]["content"][-1]["text"].endswith("Why are checkouts failing?")
    saved = json.loads(out_json.read_text())
    (result,) = saved["results"]
    assert result["case"] == "checkout/why"
    assert (result["points"], result["total"], result["missing"]) == (3, 3, [])
    assert result["tools"] == ["investigate", "search_logs"]
    assert result["tokens"] == 3840 and result["cost"] == pytest.approx(0.0144)
    assert result["unverified"] == [] and result["stop_reason"] == "end_turn"
    assert result["answer"] == ANSWER
    assert (result["tools_points"], result["tools_missing"]) == (3, [])
    assert saved["summary"][0]["mean_score"] == saved["summary"][0]["tools_mean_score"] == 1.0
    (tools,) = saved["tools"]["results"]
    assert tools["case"] == "checkout/why" and "redis-server.log:12" in tools["answer"]


def test_the_runner_shows_missing_facts_and_unverified_citations(api, capsys):
    api.post("/v1/messages").mock(
        return_value=message(text("Redis failed at redis/redis-server.log:9999."))
    )
    assert evals_run.main(["--cases", "checkout/why", "--models", "claude-haiku-5-5"]) == 0
    out = capsys.readouterr().out
    assert "claude-haiku-5-5" in out
    assert _row(out, "checkout/why")[1:3] == ["1/3", "3/3"]
    assert "root-cause, first-failure" in out
    assert "redis/redis-server.log:9999" in out  # unverified: the file has 254 lines


def test_a_provider_error_is_a_result_not_a_traceback(api, capsys):
    route = api.post("/v1/messages").mock(return_value=error(401, "authentication_error"))
    assert evals_run.main(["--cases", "checkout"]) == 1
    captured = capsys.readouterr()
    assert _row(captured.out, "checkout/why")[1] == "0/3"
    assert "error: Anthropic API: 401" in captured.out
    assert "claude-sonnet-5-5: its other cases are skipped" in captured.err
    assert "Traceback" not in captured.err
    assert route.call_count == 1  # the first case failed: the others would fail the same way


def test_no_key_is_one_line_and_status_2(monkeypatch, capsys):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_AUTH_TOKEN", raising=False)
    assert evals_run.main([]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip().splitlines() == [
        "evals: ANTHROPIC_API_KEY is not set, so no model can be asked "
        "(or use --provider openai --base-url URL)"
    ]


def test_an_openai_run_needs_the_model_names(capsys):
    assert evals_run.main(["--provider", "openai", "--base-url", "http://localhost:1/v1"]) == 2
    assert "needs --models" in capsys.readouterr().err


def _row(table: str, case: str) -> list[str]:
    """The cells of the first line of a rich table's row for `case`."""
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip("│┃ ").split("│")]
        if cells[0] == case:
            return cells
    raise AssertionError(f"no row for {case} in:\n{table}")


# --- (e) held-out incidents, overrule cases and the tools' own score ---------------------------

GC_LEAK_ANSWER = (
    "recommendations is leaking heap: its full GC pauses grow from 1.2 s to 3.5 s and callers "
    "time out waiting through them. The first failure is its first pause warning, "
    "recommendations/recommendations.log:1765 at 10:18:56 UTC (`JVM pause detected: 1183ms`); "
    "the kernel OOM kill at 10:31 is the end of the leak, not its start."
)


def test_a_held_out_incident_is_rendered_and_copied_without_its_ground_truth(tmp_path):
    cases = select(CASES, "gc-leak-sparse")
    (source,) = {c.source for c in cases}
    assert source is not None
    truth = render(source.family, source.variant, source.seed, tmp_path / "truth")
    folders = evals_run.prepare_incidents(cases, tmp_path / "scratch")
    logs = folders["gc-leak-sparse"]
    copied = sorted(str(p.relative_to(logs)) for p in logs.rglob("*") if p.is_file())
    assert copied == sorted(f["file"] for f in truth["files"])  # every log, nothing else
    assert not any(p.name == "ground_truth.json" for p in logs.rglob("*"))
    first = truth["first_failure"]
    lines = (logs / first["file"]).read_text(encoding="utf-8").split("\n")
    assert lines[first["line"] - 1] == first["text"]  # the same bytes as rendered
    where = str(logs.relative_to(tmp_path / "scratch"))
    assert "gc-leak" not in where and "sparse" not in where  # the path names no answer


def test_the_model_is_scored_beside_the_tools_on_an_overrule_case(api, capsys, tmp_path):
    route = api.post("/v1/messages").mock(
        side_effect=[
            message(tool_use("investigate", {})),
            message(tool_use("search_logs", {"pattern": "JVM pause detected"})),
            message(text(GC_LEAK_ANSWER)),
        ]
    )
    out_json = tmp_path / "results.json"
    assert evals_run.main(["--cases", "gc-leak-sparse/why", "--json", str(out_json)]) == 0
    out = capsys.readouterr().out
    assert _row(out, "gc-leak-sparse/why")[1:3] == ["3/3", "0/3"]  # the model overruled
    assert "100%" in out and "0% 0/3" in out
    opening = json.dumps(bodies(route)[0]["messages"][0])
    assert "recommendations.log" in opening and "kern.log" in opening
    assert "ground_truth" not in opening and "gc-leak" not in opening
    saved = json.loads(out_json.read_text())
    (result,) = saved["results"]
    assert (result["points"], result["tools_points"]) == (3, 0)
    assert set(result["tools_missing"]) == {"root-cause-service", "root-cause", "first-failure"}
    assert result["unverified"] == []  # recommendations.log:1765 is in the rendered logs
    summary = saved["summary"][0]
    assert (summary["mean_score"], summary["tools_mean_score"]) == (1.0, 0.0)
    (tools,) = saved["tools"]["results"]
    assert "kern.log" in tools["answer"] and tools["overrule"] == result["tools_missing"]


def test_tools_only_needs_no_key_and_no_network(monkeypatch, capsys, tmp_path):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_AUTH_TOKEN", raising=False)
    out_json = tmp_path / "tools.json"
    with respx.mock(using="httpcore2", base_url=API, assert_all_called=False) as router:
        route = router.route()
        status = evals_run.main(["--tools-only", "--cases", "*-sparse", "--json", str(out_json)])
    assert status == 0 and route.call_count == 0
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert "the tools alone (investigate + fixes): 5 cases" in captured.out
    row = _row(captured.out, "gc-leak-sparse/first")
    assert row[1] == "0/3" and "first-failure" in row[2]
    assert _row(captured.out, "batch-overload-sparse/why")[1] == "1/3"  # the first failure
    saved = json.loads(out_json.read_text())
    assert saved["tools_only"] is True and "results" not in saved
    summary = saved["tools"]["summary"]
    assert summary["cases"] == 5 and summary["points"] < summary["total"]
    assert "gc-leak-sparse/why" in summary["needs_overrule"]
    assert {r["case"] for r in saved["tools"]["results"]} == {
        c.id for c in select(CASES, "*-sparse")
    }


def test_an_unknown_family_stops_in_one_line(tmp_path, capsys):
    path = tmp_path / "cases.toml"
    path.write_text(
        "[x.source]\nfamily = 'no-such-story'\nvariant = 'base'\nseed = 7\n"
        "[x.facts]\na = ['k']\n[[x.questions]]\nid='q'\nask='?'\nexpect=['a']\n"
    )
    assert evals_run.main(["--tools-only", "--case-file", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("evals: [x.source]: unknown family 'no-such-story'")
