"""Formats as data: the loader of `formats/families/*.toml` and of a user's own format files.

The built-in formats' samples are checked by `test_format_samples.py`; here: that a definition
is read as its docstring says (placeholders, fragments, timestamp layouts, classes), that every
mistake in a definition is one clear error naming its file and format, and that a user's file
in `$LOG_ANALYZER_FORMATS` is detected, parsed, checked and part of the index's key.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from log_analyzer.errors import FormatError
from log_analyzer.formats.base import RegexFormat
from log_analyzer.formats.definitions import build_formats
from log_analyzer.formats.locations import FAMILIES_DIR
from log_analyzer.formats.registry import FORMATS
from log_analyzer.timestamps import Clock

ROOT = Path(__file__).resolve().parents[1]

# Squid's native access.log (`logformat squid`), which the package does not define.
SQUID = r"""
description = "Squid's native access.log"

[timestamps]
epoch_ms = '(?P<epoch>\d{9,10})\.%f'

[fragments]
result = '(?P<result>[A-Z_]+)/(?P<status>\d{3})'

[[format]]
name = "squid-native"
title = "Squid native access.log"
timestamp = "epoch_ms"
pattern = [
    '^%{ts}\s+(?P<elapsed>\d+) (?P<client>\S+) %{result} (?P<bytes>\d+) ',
    '(?P<message>(?P<method>[A-Z]+) (?P<url>\S+) (?P<user>\S+) (?P<hierarchy>\S+) \S+)$',
]
priority = 80

[[format.sample]]
line = 'SAMPLE_LINE'
level = "error"
timestamp = "2026-11-28T14:02:03.118000+00:00"
""".replace(
    "SAMPLE_LINE",
    "1795874523.118    842 10.0.0.7 TCP_MISS/503 4120 GET http://shop.example/api/cart "
    "- HIER_DIRECT/10.0.3.12 text/html",
)

SQUID_LINES = [
    "1795874521.904     12 10.0.0.9 TCP_HIT/200 5120 GET http://shop.example/static/app.js - "
    "HIER_NONE/- application/javascript",
    "1795874522.310    153 10.0.0.7 TCP_MISS/200 988 POST http://shop.example/api/cart - "
    "HIER_DIRECT/10.0.3.12 application/json",
    "1795874523.118    842 10.0.0.7 TCP_MISS/503 4120 GET http://shop.example/api/cart - "
    "HIER_DIRECT/10.0.3.12 text/html",
    "1795874523.502   5001 10.0.0.8 TCP_MISS_ABORTED/504 0 GET http://shop.example/api/cart - "
    "HIER_DIRECT/10.0.3.12 -",
]


def build(text: str) -> tuple[RegexFormat, ...]:
    formats = build_formats("mine.toml", text, {}, RegexFormat)
    assert all(isinstance(fmt, RegexFormat) for fmt in formats)
    return formats  # type: ignore[return-value]


def test_a_definition_builds_a_format_that_reads_its_lines() -> None:
    (squid,) = build(SQUID)
    assert (squid.name, squid.priority, squid.definition) == ("squid-native", 80, "mine.toml")
    parsed = squid.parse(SQUID_LINES[3], Clock())
    assert parsed is not None
    assert parsed.level == "error"  # the status names the level: the line states none
    assert parsed.timestamp is not None
    assert parsed.timestamp.isoformat() == "2026-11-28T14:02:03.502000+00:00"
    assert parsed.zoned  # an epoch is an instant
    assert parsed.message.startswith("GET http://shop.example/api/cart")
    assert parsed.fields is not None
    assert (parsed.fields["result"], parsed.fields["status"]) == ("TCP_MISS_ABORTED", 504)
    ok = squid.parse(SQUID_LINES[0], Clock())
    assert ok is not None and ok.level == "info"
    assert squid.samples[0].level == "error"


def test_every_built_in_definition_file_is_loaded() -> None:
    """A file in `families/` is a family of the registry: none is left unread."""
    registered = {(fmt.definition, fmt.name) for fmt in FORMATS}
    for path in sorted(FAMILIES_DIR.glob("*.toml")):
        names = [entry["name"] for entry in tomllib.loads(path.read_text())["format"]]
        assert names, path.name
        assert [n for n in names if (path.name, n) not in registered] == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("priority = 80", "priority = 80\ncolour = 'red'"), "unknown keys ['colour']"),
        (("pattern = [", "class = 'SquidFormat'\npattern = ["), "unknown class 'SquidFormat'"),
        (("%{result}", "%{outcome}"), "unknown placeholder %{outcome}"),
        (("%{ts}", "%{ts.epoch}"), "no timestamp 'epoch' in [timestamps]"),
        (('timestamp = "epoch_ms"\n', ""), "%{ts} in the pattern, but no timestamp"),
        (("(?P<bytes>\\d+)", "(?P<bytes>\\d+"), "missing ), unterminated subpattern"),
        (("(?P<elapsed>", "(?P<client>"), "redefinition of group name 'client'"),
        (("line = '", "text = '"), "sample 1 has no line"),
        (('level = "error"', 'level = "error"\nseverity = 3'), "sample 1: unknown keys"),
        (("'%Y'", "'%Y'"), None),  # no change: the control
        (("\\.%f'", "\\.%Q'"), "unknown timestamp directive %Q"),
        (("[[format]]", "[[formats]]"), "unknown keys ['formats']"),
        (('name = "squid-native"', 'name = "squid-native"\nname = "x"'), "not valid TOML"),
    ],
)
def test_a_mistake_is_one_error_naming_the_file_and_format(
    change: tuple[str, str], message: str | None
) -> None:
    text = SQUID.replace(*change)
    if message is None:
        assert build(text)
        return
    assert text != SQUID
    with pytest.raises(FormatError) as raised:
        build(text)
    text_of_error = str(raised.value)
    assert message in text_of_error
    assert text_of_error.startswith("format definition mine.toml")
    assert "\n" not in text_of_error


def test_fragments_nest_and_a_loop_is_an_error() -> None:
    nested = SQUID.replace(
        "result = '(?P<result>[A-Z_]+)/(?P<status>\\d{3})'",
        "status = '(?P<status>\\d{3})'\nresult = '(?P<result>[A-Z_]+)/%{status}'",
    )
    assert nested != SQUID
    (squid,) = build(nested)
    parsed = squid.parse(SQUID_LINES[2], Clock())
    assert parsed is not None and parsed.fields is not None
    assert parsed.fields["status"] == 503
    looped = SQUID.replace("result = '", "result = '%{result}")
    with pytest.raises(FormatError, match="loop"):
        build(looped)


# --- a user's own formats ------------------------------------------------------------------


def run_cli(args: list[str], formats_dir: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "LOG_ANALYZER_FORMATS": str(formats_dir),
        "LOG_ANALYZER_CACHE_DIR": str(home / "cache"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "HOME": str(home),
    }
    return subprocess.run(
        [sys.executable, "-m", "log_analyzer", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )


@pytest.fixture()
def user_formats(tmp_path: Path) -> Path:
    directory = tmp_path / "formats"
    directory.mkdir()
    (directory / "squid.toml").write_text(SQUID)
    return directory


def test_a_users_format_file_is_detected_and_parsed(user_formats: Path, tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    log.write_text("\n".join(SQUID_LINES * 5) + "\n")
    done = run_cli(["sources", str(log), "--json"], user_formats, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "squid-native" in done.stdout
    done = run_cli(["parse", str(log), "--jsonl", "--min-level", "error"], user_formats, tmp_path)
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["timestamp"][11:23] for r in records[:2]] == ["14:02:03.118", "14:02:03.502"]
    assert {r["level"] for r in records} == {"error"}
    listed = run_cli(["formats", "--json"], user_formats, tmp_path)
    mine = [f for f in json.loads(listed.stdout) if f["name"] == "squid-native"]
    assert mine == [
        {
            "name": "squid-native",
            "title": "Squid native access.log",
            "definition": str(user_formats / "squid.toml"),
        }
    ]


def test_formats_check_names_a_sample_read_otherwise(user_formats: Path, tmp_path: Path) -> None:
    assert run_cli(["formats", "--check"], user_formats, tmp_path).returncode == 0
    (user_formats / "squid.toml").write_text(SQUID.replace('level = "error"', 'level = "warning"'))
    done = run_cli(["formats", "--check"], user_formats, tmp_path)
    assert done.returncode == 1
    assert "squid.toml: squid-native sample 1: level 'error', expected 'warning'" in done.stdout


def test_a_broken_or_clashing_user_file_is_one_line_and_exit_2(
    user_formats: Path, tmp_path: Path
) -> None:
    log = tmp_path / "access.log"
    log.write_text("\n".join(SQUID_LINES) + "\n")
    (user_formats / "squid.toml").write_text(SQUID.replace("(?P<bytes>\\d+)", "(?P<bytes>\\d+"))
    done = run_cli(["errors", str(log)], user_formats, tmp_path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "squid.toml, format 'squid-native'" in done.stderr
    (user_formats / "squid.toml").write_text(SQUID.replace('"squid-native"', '"nginx-error"'))
    done = run_cli(["errors", str(log)], user_formats, tmp_path)
    assert done.returncode == 2
    assert "a format named 'nginx-error' is already defined" in done.stderr
