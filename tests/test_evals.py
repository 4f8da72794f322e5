"""The answer-quality evals (evals/): the case file, its facts against the deterministic
investigation of every bundled incident, the scoring rules, and the runner end to end with the
Anthropic API mocked by respx (no network, no cost)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache

import pytest
import respx
from evals import run as evals_run
from evals.scoring import Case, CaseError, Fact, load_cases, matches, score, select, states

from log_analyzer.analysis.investigate import investigate
from log_analyzer.analysis.report import Investigation

from .anthropic_mock import API, bodies, error, message, text, tool_use
from .conftest import FIXTURES, ROOT

INCIDENTS = FIXTURES / "incidents"
FAMILIES = sorted(p.name for p in INCIDENTS.iterdir() if (p / "ground_truth.json").is_file())
CASES = load_cases()


def _cases_of(family: str) -> list[Case]:
    return [c for c in CASES if c.incident == family]


# --- (a) the case file ------------------------------------------------------------------------


def test_every_incident_has_two_or_three_questions():
    assert {c.incident for c in CASES} == set(FAMILIES)
    for family in FAMILIES:
        assert 2 <= len(_cases_of(family)) <= 3, family


def test_every_case_is_well_formed():
    assert len({c.id for c in CASES}) == len(CASES)
    for case in CASES:
        assert case.id.startswith(case.incident + "/")
        assert case.question.endswith("?"), case.id
        assert case.facts and all(f.alternatives for f in case.facts), case.id
        names = [f.name for f in case.facts]
        assert len(set(names)) == len(names), case.id


def test_every_answer_needs_the_root_cause_or_the_first_failure():
    for case in CASES:
        names = {f.name for f in case.facts}
        assert names & {"root-cause-service", "root-cause", "first-failure"}, case.id


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
    ],
)
def test_a_malformed_case_file_is_refused_with_its_place(tmp_path, toml, problem):
    path = tmp_path / "cases.toml"
    path.write_text(toml)
    with pytest.raises(CaseError, match=problem.replace("(", r"\(")):
        load_cases(path)


# --- (b) the facts against the deterministic tools --------------------------------------------


@cache
def _investigation(family: str) -> Investigation:
    return investigate([str(INCIDENTS / family)])


def _findings(report: Investigation) -> dict[str, str]:
    """What the deterministic investigation found, by the fact it should support: an answer
    repeating it states every fact."""
    first, cause = report.first_failure, report.root_cause
    assert first is not None and cause is not None
    top = [r for r in report.recommendations if r.signature == report.recommendations[0].signature]
    skew = ", ".join(
        f"{service} {seconds:+.1f}s" for service, seconds in report.skew_seconds.items()
    )
    return {
        "first-failure": f"First failure: {first.file}:{first.line} at "
        f"{first.timestamp.isoformat()} ({first.service}): {first.label}: {first.text}",
        "root-cause": f"Root cause: {cause.service} ({cause.label}). {cause.summary}",
        "trend": f"The incident is {report.trend}.",
        "clock-skew": f"Clock skew (corrected): {skew}.",
        "top-action": "What to do now:\n" + "\n".join(f"- {r.action}" for r in top),
    }


def _ideal_answer(family: str) -> str:
    return "\n".join(_findings(_investigation(family)).values())


FINDING_FOR = {"root-cause-service": "root-cause"}  # the fact -> the finding that must state it


@pytest.mark.parametrize("family", FAMILIES)
def test_each_fact_is_in_the_finding_it_comes_from(family):
    findings = _findings(_investigation(family))
    for case in _cases_of(family):
        for fact in case.facts:
            finding = findings[FINDING_FOR.get(fact.name, fact.name)]
            assert states(fact, finding), f"{case.id}: {fact.name} not in {finding!r}"


@pytest.mark.parametrize("family", FAMILIES)
def test_an_answer_repeating_the_tools_scores_full_marks(family):
    answer = _ideal_answer(family)
    for case in _cases_of(family):
        result = score(case, answer)
        assert result.missing == (), case.id
        assert str(result) == f"{len(case.facts)}/{len(case.facts)}"


@pytest.mark.parametrize("family", FAMILIES)
def test_another_incidents_findings_do_not_score_full_marks(family):
    for other in FAMILIES:
        if other == family:
            continue
        answer = _ideal_answer(other)
        for case in _cases_of(family):
            assert score(case, answer).missing, f"{case.id} scores full on {other}'s findings"


@pytest.mark.parametrize("family", FAMILIES)
def test_the_first_failure_fact_matches_the_ground_truth(family):
    truth = json.loads((INCIDENTS / family / "ground_truth.json").read_text())["first_failure"]
    clock = truth["timestamp"][11:19]
    facts = {f.name: f for c in _cases_of(family) for f in c.facts}
    first = facts["first-failure"]
    assert states(first, f"see {truth['file']}:{truth['line']}")
    assert states(first, f"{truth['file']} at {clock} UTC")  # the file and the time
    assert not states(first, f"see {truth['file']}:{truth['line'] + 1000}")
    assert not states(first, f"at {clock} UTC")  # the time alone does not say where


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
        side_effect=[message(tool_use("investigate", {})), message(text(ANSWER))]
    )
    extra = tmp_path / "extra.md"
    extra.write_text("Always name the first failure's file:line.")
    out_json = tmp_path / "results.json"
    argv = ["--cases", "checkout/why", "--system-extra", str(extra), "--json", str(out_json)]
    assert evals_run.main(argv) == 0
    out = capsys.readouterr().out
    assert "claude-sonnet-5-5: 1 cases" in out and "models compared" in out
    assert "checkout/why" in out and "3/3" in out and "100%" in out
    # 2 requests of 1,200 input + 80 output tokens at $3 / $15 per million
    assert "2,560" in out and "$0.0096" in out
    assert "1: investigate" in out
    sent = bodies(route)
    assert "Always name the first failure's file:line." in sent[0]["system"][0]["text"]
    opening = json.dumps(sent[0]["messages"][0])
    assert "redis-server.log" in opening and "ground_truth" not in opening
    assert sent[0]["messages"][0]["content"][-1]["text"].endswith("Why are checkouts failing?")
    saved = json.loads(out_json.read_text())
    (result,) = saved["results"]
    assert result["case"] == "checkout/why"
    assert (result["points"], result["total"], result["missing"]) == (3, 3, [])
    assert result["tools"] == ["investigate"]
    assert result["tokens"] == 2560 and result["cost"] == pytest.approx(0.0096)
    assert result["unverified"] == [] and result["stop_reason"] == "end_turn"
    assert result["answer"] == ANSWER
    assert saved["summary"][0]["mean_score"] == 1.0


def test_the_runner_shows_missing_facts_and_unverified_citations(api, capsys):
    api.post("/v1/messages").mock(
        return_value=message(text("Redis failed at redis/redis-server.log:9999."))
    )
    assert evals_run.main(["--cases", "checkout/why", "--models", "claude-haiku-5-5"]) == 0
    out = capsys.readouterr().out
    assert "claude-haiku-5-5" in out and "1/3" in out
    assert "root-cause, first-failure" in out
    assert "redis/redis-server.log:9999" in out  # unverified: the file has 254 lines


def test_a_provider_error_is_a_result_not_a_traceback(api, capsys):
    route = api.post("/v1/messages").mock(return_value=error(401, "authentication_error"))
    assert evals_run.main(["--cases", "checkout"]) == 1
    captured = capsys.readouterr()
    assert "0/3" in captured.out and "error: Anthropic API: 401" in captured.out
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
