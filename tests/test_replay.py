"""A repeated command line answered before the CLI loads (`cli/replay.py`): the same bytes on
stdout and stderr as the run it repeats, never once anything that shapes the answer changed,
and never for a run that did more than print a kept answer."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from log_analyzer.cli import replay
from log_analyzer.cli.app import run

from .conftest import ROOT
from .test_answers import spring_lines


@pytest.fixture
def log(tmp_path: Path) -> Path:
    path = tmp_path / "checkout.log"
    path.write_text("\n".join(spring_lines(2500, seed=11)) + "\n")
    return path


def replays_in(index: Path) -> list[Path]:
    return [p for p in index.iterdir() if p.name.startswith("replay-")]


def ran(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = run(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def replayed(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[str, str] | None:
    if not replay.replay(argv):
        assert capsys.readouterr() == ("", "")  # nothing written when the line must run
        return None
    captured = capsys.readouterr()
    return captured.out, captured.err


def entry_point_run(path: Path, index: Path, modules: Path) -> tuple[bytes, list[str]]:
    """`log-analyzer errors --json PATH` through the console entry point, in a fresh
    interpreter with pipes for stdout and stderr (as an agent runs it): what it wrote, and
    the modules it had loaded when it ended."""
    script = (
        "import atexit, json, sys\n"
        "def written():\n"
        f"    with open({str(modules)!r}, 'w') as out:\n"
        "        out.write(json.dumps(sorted(sys.modules)))\n"
        "atexit.register(written)\n"
        f"sys.argv = ['log-analyzer', 'errors', '--json', {str(path)!r}]\n"
        "from log_analyzer.cli.entry import main\n"
        "main()\n"
    )
    environment = {**os.environ, "LOG_ANALYZER_CACHE_DIR": str(index)}
    environment.pop("LOG_ANALYZER_NO_ANSWERS", None)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, check=True, env=environment
    )
    return done.stdout, json.loads(modules.read_text())


@pytest.mark.parametrize(
    "argv",
    [
        ["errors", "--json"],
        ["errors", "--limit", "1"],
        ["sources"],
        ["investigate", "--json"],
        ["investigate"],
        ["trend"],
        ["fixes", "--json"],
        ["report", "--format", "md"],
    ],
    ids=lambda argv: " ".join(argv),
)
def test_a_repeated_line_writes_what_the_first_run_wrote(
    argv: list[str], log: Path, private_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = [*argv, str(log)]
    code, out, err = ran(line, capsys)
    assert code == 0 and out
    assert len(replays_in(private_index)) == 1
    assert replayed(line, capsys) == (out, err)


def test_warnings_are_written_again(
    tmp_path: Path, private_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A window outside the logs says so on stderr each time, replayed or not."""
    path = tmp_path / "app.log"
    path.write_text("\n".join(spring_lines(400, seed=5)) + "\n")
    line = ["errors", "--since", "2026-11-29T10:00:00Z", str(path)]
    code, out, err = ran(line, capsys)
    assert code == 0 and "log-analyzer:" in err
    assert replayed(line, capsys) == (out, err)


def test_a_changed_file_is_read_again(
    log: Path, private_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = ["errors", "--json", str(log)]
    before = ran(line, capsys)
    with log.open("a") as out:
        out.write(
            "2026-11-28 15:00:00.000 ERROR 4242 --- [nio-8080-exec-3] "
            "c.s.checkout.PaymentClient               : Payment declined: gateway returned 503\n"
        )
    assert replayed(line, capsys) is None
    after = ran(line, capsys)
    assert after[1] != before[1] and "503" in after[1]
    assert replayed(line, capsys) == after[1:]


def test_a_new_file_in_a_directory_is_read_again(
    log: Path, private_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = ["errors", "--json", str(log.parent)]
    ran(line, capsys)
    assert replayed(line, capsys) is not None
    (log.parent / "payments.log").write_text("\n".join(spring_lines(300, seed=8)) + "\n")
    assert replayed(line, capsys) is None


def test_another_line_or_place_or_setting_is_not_this_line(
    log: Path,
    private_index: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(log.parent)
    line = ["errors", "--json", "checkout.log"]
    ran(line, capsys)
    assert replayed(line, capsys) is not None
    assert replayed(["errors", "--json", "--min-level", "error", "checkout.log"], capsys) is None
    monkeypatch.setenv("NO_COLOR", "1")  # how rich writes
    assert replayed(line, capsys) is None
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.chdir(ROOT)  # the same words name another file, or none
    assert replayed(line, capsys) is None


@pytest.mark.parametrize(
    "extra",
    [["-o", "REPORT"], ["--template", "TEMPLATE"]],
    ids=["writes a file", "reads a template"],
)
def test_a_report_that_writes_or_reads_a_file_runs_each_time(
    extra: list[str],
    log: Path,
    tmp_path: Path,
    private_index: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    report, template = tmp_path / "report.md", tmp_path / "mine.md.j2"
    template.write_text("lasted {{ duration }}\n")
    words = [
        str(report) if w == "REPORT" else str(template) if w == "TEMPLATE" else w for w in extra
    ]
    line = ["report", *words, str(log)]
    assert ran(line, capsys)[0] == 0
    assert replays_in(private_index) == []
    assert replayed(line, capsys) is None


def test_a_failed_run_is_not_kept(
    log: Path, private_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = ["errors", "--service", "no-such-service", str(log)]
    code, _, err = ran(line, capsys)
    assert code != 0 and "unknown service" in err
    assert replays_in(private_index) == []


def test_no_replay_without_the_index_or_for_a_terminal(
    log: Path,
    private_index: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    line = ["errors", "--json", str(log)]
    ran(line, capsys)
    assert replayed(line, capsys) is not None
    assert replayed([*line, "--no-cache"], capsys) is None
    monkeypatch.setenv("LOG_ANALYZER_NO_ANSWERS", "1")
    assert replayed(line, capsys) is None
    monkeypatch.delenv("LOG_ANALYZER_NO_ANSWERS")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert replayed(line, capsys) is None


def test_a_forged_replay_is_never_written(
    log: Path, private_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = ["errors", "--json", str(log)]
    ran(line, capsys)
    (kept,) = replays_in(private_index)
    data = bytearray(kept.read_bytes())
    data[-5] ^= 0x20  # one letter of the kept text changed, the signature not
    kept.write_bytes(bytes(data))
    assert replayed(line, capsys) is None


def test_the_repeat_loads_neither_typer_nor_the_analysis(log: Path, tmp_path: Path) -> None:
    """Through the console entry point, in fresh interpreters, as an agent runs it."""
    modules, index = tmp_path / "modules.json", tmp_path / "index"

    def child() -> tuple[bytes, list[str]]:
        return entry_point_run(log, index, modules)

    first, loaded_first = child()
    again, loaded_again = child()
    assert again == first and json.loads(first)["groups"]
    assert "typer" in loaded_first and "log_analyzer.mining.groups" in loaded_first
    # the format definitions' fingerprint is part of the key: their place, not the formats
    allowed = {"log_analyzer.formats", "log_analyzer.formats.locations"}
    heavy = ("typer", "click", "rich", "pydantic", "log_analyzer.formats", "log_analyzer.mining")
    loaded = [m for m in loaded_again if m not in allowed]
    assert [m for m in loaded if m.split(".")[0] in heavy or m.startswith(heavy)] == []


def test_what_a_run_met_in_the_index_is_said_once_and_never_replayed(
    log: Path, private_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = ["errors", "--json", str(log)]
    ran(line, capsys)
    for kept in private_index.iterdir():
        if kept.name.startswith(("answer-", "replay-")):
            kept.unlink()
    (entry,) = [p for p in private_index.glob("*.idx")]
    data = bytearray(entry.read_bytes())
    data[-3] ^= 0x01  # a damaged per-file entry: rebuilt, and said
    entry.write_bytes(bytes(data))
    code, out, err = ran(line, capsys)
    assert code == 0 and "index entry" in err
    assert replays_in(private_index) == []
    again = ran(line, capsys)
    assert again == (0, out, "")
    assert replayed(line, capsys) == (out, "")


def test_a_file_a_walk_skipped_is_looked_at_again_when_it_changes(
    log: Path, private_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A walk skips a binary file by its content; written over with log lines (same name,
    the directory's own time unchanged), it must be read."""
    skipped = log.parent / "payments.log"
    skipped.write_bytes(b"\x00\x01\x02 core dump \x00" * 64)
    line = ["errors", "--json", str(log.parent)]
    first = ran(line, capsys)
    assert "binary file, skipped" in first[2]
    assert replayed(line, capsys) == first[1:]
    skipped.write_text(
        "2026-11-28 15:00:00.000 ERROR 4242 --- [nio-8080-exec-3] "
        "c.s.checkout.PaymentClient               : Payment declined: gateway returned 503\n"
    )
    assert replayed(line, capsys) is None
    assert "503" in ran(line, capsys)[1]


def test_a_repeat_checks_the_files_it_read_without_finding_them_again(
    log: Path, private_index: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Through the entry point, on a directory: the repeat neither imports the file finder
    nor answers once a file in it changed."""
    modules = tmp_path_factory.mktemp("child") / "modules.json"  # not in the logs' directory

    def child() -> tuple[bytes, list[str]]:
        return entry_point_run(log.parent, private_index, modules)

    first, _ = child()
    again, loaded = child()
    assert again == first
    assert "log_analyzer.sources.discover" not in loaded
    with log.open("a") as out:
        out.write(
            "2026-11-28 15:00:00.000 ERROR 4242 --- [nio-8080-exec-3] "
            "c.s.checkout.PaymentClient               : Payment declined: gateway returned 503\n"
        )
    changed, _ = child()
    assert changed != first and b"503" in changed


def test_stdout_and_stderr_in_one_pipe_read_the_same_on_a_repeat(
    log: Path, private_index: Path
) -> None:
    """`2>&1`, as some agents run commands: the note on stderr and the JSON on stdout come
    back in the order the first run wrote them."""
    command = [
        sys.executable,
        "-c",
        "from log_analyzer.cli.entry import main; main()",
        "errors",
        "--json",
        "--since",
        "2026-11-29T10:00:00Z",
        str(log),
    ]
    environment = {**os.environ, "LOG_ANALYZER_CACHE_DIR": str(private_index)}
    environment.pop("LOG_ANALYZER_NO_ANSWERS", None)

    def merged() -> bytes:
        done = subprocess.run(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=environment
        )
        assert done.returncode == 0
        return done.stdout

    first = merged()
    assert replays_in(private_index)
    again = merged()
    assert again == first
    assert first.index(b"log-analyzer:") < first.index(b'{"records"')
