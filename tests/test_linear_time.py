"""No quadratic paths (issue 13): work that grows with the input grows in proportion to it.

Each case either counts an operation at two input sizes (doubling the input may at most about
double the count) or runs a hostile 1 MiB line through the `errors` pipeline in a child
interpreter that must finish within a generous limit. The project asserts no wall-clock times:
the limit only stops a hang (before the fix these took from minutes to half an hour)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from log_analyzer.ingest import OpenedSources, open_paths
from log_analyzer.mining.masking import MAX_CHARS, MAX_TOKENS, MAX_VARIABLES, WILDCARD, mask
from log_analyzer.mining.templates import Template, TemplateMiner

SUBPROCESS_LIMIT = 30  # seconds; a 1 MiB line takes well under one
LINE_BYTES = 1_040_000  # under the reader's 1 MiB cut, with the header

# The `errors` pipeline without its rendering, in one process: prints the number of groups and
# the length of the longest template.
CHILD = """
import sys
from log_analyzer.analysis.errors import find_error_groups
result = find_error_groups([sys.argv[1]], workers=1)
print(len(result.groups), max(len(group.template) for group in result.groups))
"""
PAIR = "connection lost"  # twice around the hostile line: a group of its own

HOSTILE_LINES: dict[str, Callable[[], list[str]]] = {
    # 260,000 `k=v` tokens: template registration hashed every token's whole context
    "key-values": lambda: [PAIR, "k=v " * (LINE_BYTES // 4), PAIR],
    # a stack frame prefix repeated: the same, with one-word tokens
    "frame-prefixes": lambda: [PAIR, "\tat " * (LINE_BYTES // 4), PAIR],
    # one token of letters and digits with `://` after it: the URL mask rescanned the run from
    # every letter
    "url-scheme-run": lambda: [PAIR, "g1" * (LINE_BYTES // 2) + "'://x", PAIR],
    # digit-free tokens that may hold an address: the same through the address mask
    "address-run": lambda: [PAIR, "a." * (LINE_BYTES // 2) + "@b", PAIR],
    # one token masked into 500,000 variables: a pattern of as many groups to build
    "hex-prefixes": lambda: [PAIR, "0x" * (LINE_BYTES // 2), PAIR],
    # numbers: every token a variable
    "numbers": lambda: [PAIR, " ".join(str(n) for n in range(200_000))[:LINE_BYTES], PAIR],
    # many mid-sized tokens, each with letters, digits and a dotted name
    "mixed-tokens": lambda: [
        PAIR,
        " ".join(f"user{n}=host{n}.example.com:{n % 65536}" for n in range(30_000))[:LINE_BYTES],
        PAIR,
    ],
    # a run of spaces inside what a variable of `open file <*> done` would take: reading the
    # value back tried every space as its end and rescanned the rest of the run from each (the
    # line is now a template of its own, cut at `MAX_CHARS`)
    "spaces-in-a-variable": lambda: [
        "open file 1 done",
        "open file 2 done",
        "open file x" + " " * LINE_BYTES + "y done",
    ],
}


@pytest.mark.parametrize("kind", sorted(HOSTILE_LINES))
def test_a_one_mib_line_parses_and_groups(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "app.log"
    messages = HOSTILE_LINES[kind]()
    assert 1_000_000 < max(len(message) for message in messages) < 1_048_000
    with path.open("w", encoding="utf-8") as out:
        for second, message in enumerate(messages):
            out.write(f"2026-03-02 10:00:0{second},000 ERROR [main] c.e.App - {message}\n")
    try:
        child = subprocess.run(
            [sys.executable, "-c", CHILD, str(path)],
            capture_output=True,
            text=True,
            timeout=SUBPROCESS_LIMIT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"a 1 MiB {kind} line still running after {SUBPROCESS_LIMIT} s")
    assert child.returncode == 0, child.stderr[-2000:]
    groups, longest = (int(field) for field in child.stdout.split())
    assert groups == 2  # the hostile line, and the two lines around it
    assert 0 < longest <= MAX_CHARS + 8  # the rest of the line is one variable


# -- template registration: work per new form in proportion to its tokens -------------------


class _CountedToken(str):
    """A token that counts how often it is hashed or compared: the work of registering it."""

    __slots__ = ()
    operations = 0

    def __hash__(self) -> int:
        _CountedToken.operations += 1
        return super().__hash__()

    def __eq__(self, other: object) -> bool:
        _CountedToken.operations += 1
        return super().__eq__(other)

    def __ne__(self, other: object) -> bool:
        _CountedToken.operations += 1
        return super().__ne__(other)


def _registration_work(tokens: int) -> int:
    miner = TemplateMiner()
    template = Template([_CountedToken(f"k{n}=v") for n in range(tokens)])
    miner._insert(template)
    _CountedToken.operations = 0
    assert miner._register(template) is template
    return _CountedToken.operations


def test_template_registration_work_grows_linearly_with_tokens() -> None:
    small, large = _registration_work(1_000), _registration_work(2_000)
    assert small >= 1_000  # each token is looked at
    assert large <= 3 * small, (small, large)  # twice the tokens: about twice the work


def test_long_forms_still_generalise_where_one_token_differs() -> None:
    """Long lines keep the miner's behaviour: a dotted name taking two values in the same
    2,000-token context becomes a variable."""
    words = [f"w{n}" for n in range(2_000)]
    miner = TemplateMiner()
    first = miner.add(" ".join(["start", "a.b", *words]))
    second = miner.add(" ".join(["start", "c.d", *words]))
    assert second is not first
    assert second.tokens[:2] == ["start", "<*>"]
    assert miner.template_of(" ".join(["start", "a.b", *words])) is second


# -- masking ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "masked"),
    [
        ("GET http://10.0.0.1:8080/x?id=3 failed", "GET <*> failed"),
        ("see https://www.example.com/a for details", "see <*> for details"),
        ("see https://example.com/a for details", "see https://example.com/a for details"),
        ("jdbc:postgresql://db-1:5432/shop refused", "jdbc:<*> refused"),
        ("1http://x/1", "1<*>"),
        ("url=svn+ssh://repo/trunk@42", "url=<*>"),
        ("mail ops@example.com now", "mail <*> now"),
        ("0xdeadbeef at 12:00:01", "<*> at <*>"),
        ("no-address-here-at-all", "no-address-here-at-all"),
    ],
)
def test_masks_unchanged_on_ordinary_addresses(message: str, masked: str) -> None:
    assert mask(message) == masked


def test_past_the_token_cap_the_rest_is_one_variable() -> None:
    message = " ".join(["word"] * (MAX_TOKENS + 88))
    masked = mask(message)
    assert masked.split() == ["word"] * MAX_TOKENS + [WILDCARD]
    assert Template(masked.split()).parameters(message) == [" ".join(["word"] * 88)]


def test_past_the_character_cap_the_rest_is_one_variable() -> None:
    message = "a" * (MAX_CHARS + 5000) + " tail"
    assert mask(message) == "a" * MAX_CHARS + WILDCARD  # cut inside a token: glued
    assert Template([mask(message)]).parameters(message) == ["a" * 5000 + " tail"]


def test_past_the_variable_cap_the_rest_is_one_variable() -> None:
    message = "0x" * (2 * MAX_VARIABLES + 100) + " tail"
    masked = mask(message)
    assert masked.count(WILDCARD) == MAX_VARIABLES + 1
    assert masked.endswith(f"x{WILDCARD}")
    values = Template(masked.split()).parameters(message)
    assert values is not None and len(values) == MAX_VARIABLES + 1
    assert values[-1].endswith("0x0x tail")


CHILD_PARAMETERS = """
from log_analyzer.mining.templates import Template
template = Template(["open", "file", "<*>", "done"])
print(len(template.parameters("open file x" + " " * 1_000_000 + "y done")[0]))
"""


def test_a_value_holding_a_megabyte_of_spaces_reads_back() -> None:
    try:
        child = subprocess.run(
            [sys.executable, "-c", CHILD_PARAMETERS],
            capture_output=True,
            text=True,
            timeout=SUBPROCESS_LIMIT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"reading the value back still running after {SUBPROCESS_LIMIT} s")
    assert child.returncode == 0, child.stderr[-2000:]
    assert child.stdout.split() == ["1000002"]


def test_a_variable_ending_a_token_never_ends_in_white_space() -> None:
    template = Template(["open", "file", WILDCARD, "done"])
    assert template.parameters("open file x" + " " * 5000 + "y  done") == ["x" + " " * 5000 + "y"]
    assert Template(["open", WILDCARD]).parameters("open a b   ") == ["a b"]


# -- the date of time-only stamps: one pass over the sources ---------------------------------


def _first_day_lookups(tmp_path: Path, files: int, monkeypatch: pytest.MonkeyPatch) -> int:
    directory = tmp_path / f"d{files}"
    directory.mkdir()
    for n in range(files):
        day = 1 + (n // 2) % 28  # the 1st twice: the earliest source has a peer
        (directory / f"svc{n:04d}.log").write_text(
            f"2026-02-{day:02d} 10:00:00 ERROR boom {n}\n" if n % 2 else "10:00:00 ERROR boom\n"
        )
    calls = 0
    original = OpenedSources._first_day

    def counted(self: OpenedSources, source: object) -> date | None:
        nonlocal calls
        calls += 1
        return original(self, source)  # type: ignore[arg-type]

    monkeypatch.setattr(OpenedSources, "_first_day", counted)
    workspace = open_paths([str(directory)])
    hints = [parser.day_hint() for parser in workspace.parsers if parser.day_hint is not None]
    assert len(hints) == files
    assert all(hint == date(2026, 2, 1) for hint in hints)  # the earliest among the others
    return calls


def test_first_day_lookups_grow_linearly_with_sources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small = _first_day_lookups(tmp_path, 60, monkeypatch)
    large = _first_day_lookups(tmp_path, 120, monkeypatch)
    assert large <= 3 * small, (small, large)


def test_day_hint_leaves_out_the_source_itself(tmp_path: Path) -> None:
    (tmp_path / "a.log").write_text("2026-02-01 10:00:00 ERROR early\n")
    (tmp_path / "b.log").write_text("2026-02-05 10:00:00 ERROR later\n")
    (tmp_path / "c.log").write_text("10:00:00 ERROR time only\n")
    workspace = open_paths([str(tmp_path / name) for name in ("a.log", "b.log", "c.log")])
    hints = {Path(p.source.display).name: p.day_hint() for p in workspace.parsers if p.day_hint}
    assert hints == {
        "a.log": date(2026, 2, 5),
        "b.log": date(2026, 2, 1),
        "c.log": date(2026, 2, 1),
    }
