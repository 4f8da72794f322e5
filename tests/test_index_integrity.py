"""The on-disk index as an attacker and a careless user see it: a cache directory someone else
can write must never run code, a malformed entry is a warning and a rebuild (never a crash), a
same-size edit with its modification time restored is never answered from the index, and a
save never lists the whole cache directory."""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from log_analyzer.analysis.errors import find_error_groups
from log_analyzer.analysis.investigate import investigate
from log_analyzer.cli.app import run
from log_analyzer.index import IndexReport, IndexStore, incremental
from log_analyzer.index.store import Entry, IndexCorrupt

from .conftest import FIXTURES
from .test_index import START, groups_view, spring_lines, write


class _RunsCode:
    """Unpickled, would create the marker file: what a planted entry does."""

    def __init__(self, how: str, marker: Path) -> None:
        self.how, self.marker = how, marker

    def __reduce__(self):
        if self.how == "system":
            return (os.system, (f"touch '{self.marker}'",))
        if self.how == "exec":
            return (exec, (f"open({str(self.marker)!r}, 'w').close()",))
        if self.how == "pathlib":
            return (Path.touch, (Path(self.marker),))
        raise AssertionError(self.how)


@pytest.fixture(autouse=True)
def per_file_entries_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about the per-file index: each CLI run computes its answer from it
    (kept whole answers, `index/answers.py`, are tested in `test_answers.py`)."""
    monkeypatch.setenv("LOG_ANALYZER_NO_ANSWERS", "1")


@pytest.fixture
def log(tmp_path: Path) -> Path:
    path = tmp_path / "checkout.log"
    write(path, spring_lines(600, seed=5, start=START))
    return path


def _errors(log: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    code = run(["errors", str(log), "--json", "--quiet", *extra])
    out = capsys.readouterr()
    return code, out.out, out.err


def _only_entry(directory: Path) -> Path:
    [entry] = [p for p in directory.iterdir() if p.suffix == ".idx"]
    return entry


_KEEP = object()


def _forge(data: bytes, payload: bytes | None = None, header: object = _KEEP) -> bytes:
    """What someone who can write the cache directory, but holds no secret, can make of a real
    entry: its payload (or its header) replaced, every unkeyed check recomputed (the header's
    length, the payload's length and plain digest), everything else kept as it was."""
    start = data.index(b'{"version"')
    size = int.from_bytes(data[start - 4 : start], "big")
    original = json.loads(data[start : start + size])
    body = data[start + size :] if payload is None else payload
    if header is _KEEP:
        header = dict(original)
        if "payload_bytes" in header:
            header["payload_bytes"] = len(body)
        if "payload_digest" in header:
            header["payload_digest"] = hashlib.blake2b(body, digest_size=16).hexdigest()
    head = json.dumps(header, separators=(",", ":")).encode()
    return data[: start - 4] + len(head).to_bytes(4, "big") + head + body


# 1. No code execution from cache files


@pytest.mark.parametrize("how", ["system", "exec", "pathlib"])
def test_a_forged_entry_with_a_recomputed_digest_never_runs_code(
    how, log, private_index, tmp_path, capsys
):
    code, expected, _ = _errors(log, capsys)
    assert code == 0
    entry = _only_entry(private_index)
    marker = tmp_path / "owned"
    planted = pickle.dumps(_RunsCode(how, marker), protocol=pickle.HIGHEST_PROTOCOL)
    entry.write_bytes(_forge(entry.read_bytes(), payload=planted))
    code, out, err = _errors(log, capsys)
    assert not marker.exists(), "a cache file ran code"
    assert code == 0 and out == expected
    assert "index entry" in err and "parsed afresh and rebuilt" in err
    code, out, err = _errors(log, capsys)  # rebuilt: quiet again
    assert (code, out, err) == (0, expected, "")


@pytest.mark.parametrize("how", ["system", "exec", "pathlib"])
def test_even_a_signed_entry_only_unpickles_summary_types(how, log, private_index, tmp_path):
    """Defence in depth: an entry carrying this user's own signature (a bug of ours, a stolen
    key) still cannot name a callable that is not one of the project's summary types."""
    store = IndexStore(private_index)
    find_error_groups([str(log)], store=store, workers=1)
    key = _only_entry(private_index).stem
    marker = tmp_path / "owned"
    entry = store.load(key)
    assert entry is not None
    store.save(key, Entry(entry.meta, (None, _RunsCode(how, marker))))
    again = find_error_groups([str(log)], store=store, workers=1)
    assert not marker.exists(), "a signed entry ran code"
    assert again.index is not None and again.index.reused == []
    assert any("parsed afresh and rebuilt" in w for w in again.index.warnings)
    assert groups_view(again) == groups_view(find_error_groups([str(log)], workers=1))


def _global(module: str, name: str) -> bytes:
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n."  # a pickle naming a global


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("builtins", "getattr"),
        ("builtins", "eval"),
        ("builtins", "open"),
        ("posix", "system"),
        ("subprocess", "Popen"),
        ("pathlib", "Path.write_text"),
        ("log_analyzer.analysis.errors", "find_error_groups"),  # a function of ours
        ("log_analyzer.index.store", "IndexStore"),  # a class of ours, not a summary
        ("log_analyzer.mining.groups", "ErrorGrouper"),  # in a summary module, not data
        ("log_analyzer.analysis.collect", "Collected.__init__"),
        ("antigravity", "x"),  # never even imported
    ],
)
def test_the_summary_reader_refuses_what_is_not_a_summary_type(module, name):
    from log_analyzer.index.store import _Refused, _SummaryUnpickler

    with pytest.raises(_Refused):
        _SummaryUnpickler(io.BytesIO(_global(module, name))).load()
    assert "antigravity" not in sys.modules


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("collections", "Counter"),
        ("datetime", "timezone"),
        ("pathlib", "PosixPath"),
        ("log_analyzer.analysis.collect", "PartResult"),  # a dataclass
        ("log_analyzer.mining.groups", "Example"),  # a pydantic model
        ("log_analyzer.records", "Record"),  # a plain summary class
        ("log_analyzer.sources.discover", "Source"),  # a frozen dataclass
    ],
)
def test_the_summary_reader_knows_the_summary_types(module, name):
    from log_analyzer.index.store import _SummaryUnpickler

    found = _SummaryUnpickler(io.BytesIO(_global(module, name))).load()
    assert isinstance(found, type) and found.__name__ == name


def test_the_key_is_private_to_the_user_and_made_once(log, private_index, capsys):
    assert _errors(log, capsys)[0] == 0
    [key] = [p for p in private_index.iterdir() if p.name.endswith(".key")]
    mode = key.stat().st_mode
    assert stat.S_ISREG(mode) and stat.S_IMODE(mode) == 0o600
    secret = key.read_bytes()
    assert len(secret) >= 32
    assert _errors(log, capsys, "--min-level", "warning")[0] == 0
    assert key.read_bytes() == secret
    assert not list(private_index.glob("*.tmp"))


@pytest.mark.parametrize("problem", ["group-readable", "world-writable", "symlink"])
def test_a_key_open_to_others_is_refused_with_a_warning(
    problem, log, private_index, tmp_path, capsys
):
    code, expected, _ = _errors(log, capsys)
    assert code == 0
    [key] = [p for p in private_index.iterdir() if p.name.endswith(".key")]
    entry = _only_entry(private_index)
    if problem == "group-readable":
        key.chmod(0o640)
    elif problem == "world-writable":
        key.chmod(0o602)
    else:
        elsewhere = tmp_path / "planted.key"
        elsewhere.write_bytes(key.read_bytes())
        elsewhere.chmod(0o600)
        key.unlink()
        key.symlink_to(elsewhere)
    before = entry.read_bytes()
    code, out, err = _errors(log, capsys)
    assert code == 0 and out == expected  # answered by a fresh parse
    assert "index" in err and "not used" in err and str(key) in err
    assert entry.read_bytes() == before  # neither trusted nor rewritten
    assert [p for p in private_index.iterdir() if p.suffix == ".idx"] == [entry]


RACING_WRITER = """
import sys
from pathlib import Path
from log_analyzer.index.store import Entry, IndexStore
sys.stdin.readline()  # all start together
IndexStore(Path(sys.argv[1])).save(sys.argv[2], Entry({"version": "x"}, sys.argv[2]))
"""


def test_processes_racing_to_make_the_key_agree_on_one(tmp_path):
    directory = tmp_path / "fresh" / "index"
    children = [
        subprocess.Popen(
            [sys.executable, "-c", RACING_WRITER, str(directory), f"k{number}"],
            stdin=subprocess.PIPE,
        )
        for number in range(8)
    ]
    for child in children:
        assert child.stdin is not None
        child.stdin.write(b"go\n")
        child.stdin.flush()
    for child in children:
        assert child.wait(timeout=60) == 0
    store = IndexStore(directory)
    for number in range(8):  # every entry signed with the one key that stayed
        entry = store.load(f"k{number}")
        assert entry is not None and entry.payload == f"k{number}"
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert not list(directory.glob("*.tmp"))


def test_a_key_deleted_during_a_session_is_made_again(private_index):
    store = IndexStore(private_index)
    store.save("before", Entry({"version": "x"}, 1))
    (private_index / "index.key").unlink()
    store.save("after", Entry({"version": "x"}, 2))
    assert (private_index / "index.key").exists()
    fresh = IndexStore(private_index)  # another process, the new key
    entry = fresh.load("after")
    assert entry is not None and entry.payload == 2
    with pytest.raises(IndexCorrupt, match="not signed"):
        fresh.load("before")


def test_a_refused_key_put_right_is_used_at_once(private_index):
    store = IndexStore(private_index)
    store.save("k", Entry({"version": "x"}, 1))
    key = private_index / "index.key"
    key.chmod(0o644)
    refusal = store.problem()
    assert refusal is not None and "mode 0644" in refusal
    assert store.load("k") is None
    key.chmod(0o600)
    assert store.problem() is None
    entry = store.load("k")
    assert entry is not None and entry.payload == 1


def test_an_entry_copied_under_another_key_is_refused(log, private_index, capsys):
    """Signed entries are bound to their name: the `errors` entry of a file planted as its
    `investigate` entry is not a valid investigate summary."""
    assert run(["errors", str(log), "--quiet"]) == 0
    errors_entry = _only_entry(private_index)
    assert run(["investigate", str(log), "--json", "--quiet"]) == 0
    expected = capsys.readouterr().out.splitlines()[-1]
    [investigate_entry] = [p for p in private_index.glob("*.idx") if p != errors_entry]
    investigate_entry.write_bytes(errors_entry.read_bytes())
    assert run(["investigate", str(log), "--json", "--quiet"]) == 0
    out = capsys.readouterr()
    assert out.out.splitlines()[-1] == expected
    assert "index entry" in out.err and "parsed afresh and rebuilt" in out.err


# 2. A malformed entry is a warning and a rebuild, never a crash


@pytest.mark.parametrize(
    "header",
    [
        [],
        "version",
        None,
        {"version": incremental.VERSION},
        {"version": incremental.VERSION, "payload_bytes": "many"},
        {"version": incremental.VERSION, "identity": [], "payload_bytes": 0},
    ],
    ids=["list", "string", "null", "no-identity", "bytes-a-string", "identity-a-list"],
)
def test_a_header_of_the_wrong_shape_is_a_warning_and_a_rebuild(header, log, private_index, capsys):
    code, expected, _ = _errors(log, capsys)
    assert code == 0
    entry = _only_entry(private_index)
    data = entry.read_bytes()
    if isinstance(header, dict) and "payload_bytes" not in header:
        start = data.index(b'{"version"')
        size = int.from_bytes(data[start - 4 : start], "big")
        original = json.loads(data[start : start + size])
        header = {**original, **header}
        header.pop("identity", None)
        if "payload_digest" in header:  # recomputed: the header alone is wrong
            body = data[start + size :]
            header["payload_digest"] = hashlib.blake2b(body, digest_size=16).hexdigest()
    entry.write_bytes(_forge(data, header=header))
    code, out, err = _errors(log, capsys)
    assert code == 0, err
    assert out == expected
    assert "index entry" in err and "parsed afresh and rebuilt" in err
    assert _errors(log, capsys) == (0, expected, "")


def _signed_variants(
    meta: dict[str, Any], payload: object
) -> list[tuple[str, dict[str, Any], object]]:
    identity = meta["identity"]
    grown = {**identity, "size": 1}  # as if the file grew since: the boundary is read
    no_line = {k: v for k, v in meta.items() if k != "boundary_line"}
    return [
        ("identity-a-string", {**meta, "identity": "x"}, payload),
        ("identity-missing-keys", {**meta, "identity": {"size": identity["size"]}}, payload),
        ("size-a-string", {**meta, "identity": {**identity, "size": "big"}}, payload),
        ("boundary-a-string", {**meta, "identity": grown, "boundary": "x"}, payload),
        ("boundary-line-missing", {**no_line, "identity": grown}, payload),
        ("payload-not-a-pair", meta, ["not", "a", "pair"]),
        ("payload-a-string", meta, "summary"),
        ("payload-wrong-types", meta, ({"a": 1}, 42)),
        ("payload-both-none", meta, (None, None)),
    ]


def test_a_signed_entry_of_the_wrong_shape_is_a_warning_and_a_rebuild(log, private_index):
    """What an older or buggy build may have written under the same version: well signed, but
    not what this one reads."""
    store = IndexStore(private_index)
    fresh = groups_view(find_error_groups([str(log)], workers=1))
    find_error_groups([str(log)], store=store, workers=1)
    key = _only_entry(private_index).stem
    entry = store.load(key)
    assert entry is not None
    for name, meta, payload in _signed_variants(dict(entry.meta), entry.payload):
        store.save(key, Entry(meta, payload))
        again = find_error_groups([str(log)], store=store, workers=1)
        assert again.index is not None, name
        assert any("parsed afresh and rebuilt" in w for w in again.index.warnings), name
        assert groups_view(again) == fresh, name
        quiet = find_error_groups([str(log)], store=store, workers=1)  # rebuilt
        assert quiet.index is not None and quiet.index.warnings == [], name
        assert quiet.index.reused == [str(log)], name


@pytest.mark.parametrize("cut", [0, 5, 21, 24, 40, 80, -200, -1])
def test_a_truncated_entry_is_a_warning_and_a_rebuild(cut, log, private_index, capsys):
    code, expected, _ = _errors(log, capsys)
    entry = _only_entry(private_index)
    data = entry.read_bytes()
    entry.write_bytes(data[:cut])
    code, out, err = _errors(log, capsys)
    assert (code, out) == (0, expected)
    assert "index entry" in err and "parsed afresh and rebuilt" in err
    assert _errors(log, capsys) == (0, expected, "")


def test_an_entry_that_is_not_a_regular_file_never_blocks(log, private_index, tmp_path):
    """A FIFO (or a link to /dev/zero) planted under an entry's name: a warning, not a hang."""
    env = {**os.environ, "LOG_ANALYZER_CACHE_DIR": str(private_index)}
    command = [sys.executable, "-m", "log_analyzer", "errors", str(log), "--json", "--quiet"]
    first = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0
    entry = _only_entry(private_index)
    for plant in ("fifo", "zero"):
        entry.unlink()
        if plant == "fifo":
            os.mkfifo(entry)
        else:
            entry.symlink_to("/dev/zero")
        try:
            again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
        except subprocess.TimeoutExpired:
            pytest.fail(f"a {plant} under an entry's name blocked the run")
        assert again.returncode == 0 and again.stdout == first.stdout, again.stderr
        assert "index entry" in again.stderr


def test_the_store_reports_damage_as_index_corrupt(private_index):
    store = IndexStore(private_index)
    store.save("k", Entry({"version": "x"}, b"payload"))
    path = private_index / "k.idx"
    data = path.read_bytes()
    for damaged in (data[:-1], data + b"x", b"", data[:-3] + b"abc"):
        path.write_bytes(damaged)
        with pytest.raises(IndexCorrupt):
            store.load("k")
        assert not path.exists()  # removed, to be rebuilt


# 3. Identity: size, mtime, ctime and inode


def test_a_same_size_edit_with_the_mtime_restored_is_not_answered_from_the_index(
    log, private_index
):
    store = IndexStore(private_index)
    cold = find_error_groups([str(log)], store=store, workers=1)
    before = os.stat(log)
    text = log.read_text()
    # past the first 4 KiB: the last INFO line becomes an ERROR of the same length
    at = text.rindex("  INFO 4242")
    assert at > 8192
    log.write_text(text[:at] + " ERROR 4242" + text[at + len("  INFO 4242") :])
    os.utime(log, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(log)
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (
        before.st_size,
        before.st_mtime_ns,
        before.st_ino,
    )
    again = find_error_groups([str(log)], store=store, workers=1)
    fresh = find_error_groups([str(log)], workers=1)
    assert groups_view(fresh) != groups_view(cold)  # the edit matters
    assert again.index is not None and again.index.reused == []
    assert groups_view(again) == groups_view(fresh)


def test_a_file_replaced_by_another_of_the_same_size_and_mtime_is_parsed_again(
    log, private_index, tmp_path
):
    store = IndexStore(private_index)
    find_error_groups([str(log)], store=store, workers=1)
    before = os.stat(log)
    text = log.read_text()
    at = text.rindex("  INFO 4242")
    other = tmp_path / "other.log"
    other.write_text(text[:at] + " ERROR 4242" + text[at + len("  INFO 4242") :])
    os.utime(other, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(other, log)  # a new inode under the same name
    again = find_error_groups([str(log)], store=store, workers=1)
    assert again.index is not None and again.index.reused == []
    assert groups_view(again) == groups_view(find_error_groups([str(log)], workers=1))


# 4. Eviction amortised: no directory listing per save


@pytest.fixture
def listings(monkeypatch: pytest.MonkeyPatch, private_index: Path) -> list[str]:
    """Every listing of the index directory (os.listdir, os.scandir: what iterdir, glob and
    walks use)."""
    seen: list[str] = []
    original_listdir, original_scandir = os.listdir, os.scandir

    def listdir(path="."):
        if isinstance(path, str | os.PathLike) and Path(path) == private_index:
            seen.append("listdir")
        return original_listdir(path)

    def scandir(path="."):
        if isinstance(path, str | os.PathLike) and Path(path) == private_index:
            seen.append("scandir")
        return original_scandir(path)

    monkeypatch.setattr(os, "listdir", listdir)
    monkeypatch.setattr(os, "scandir", scandir)
    return seen


def test_saves_do_not_list_the_cache_directory(private_index, listings):
    store = IndexStore(private_index, cap_bytes=1 << 30)
    for number in range(1000):
        store.save(f"k{number}", Entry({"version": "x"}, b"p" * 100))
    # a listing now and then to catch up with other processes, never one per save
    assert len(listings) <= 6, len(listings)
    assert len(list(private_index.glob("*.idx"))) == 1000


def test_saves_by_many_short_runs_do_not_list_the_cache_directory(private_index, listings):
    for number in range(600):  # each a new process as far as the store can tell
        IndexStore(private_index, cap_bytes=1 << 30).save(
            f"k{number}", Entry({"version": "x"}, b"p" * 100)
        )
    assert len(listings) <= 6, len(listings)


def test_a_full_cache_does_not_list_on_every_save(private_index, listings):
    store = IndexStore(private_index, cap_bytes=100 * 1000)
    for number in range(1000):
        store.save(f"k{number}", Entry({"version": "x"}, b"p" * 900))
    assert len(listings) <= 1000 // 5, len(listings)  # evicted in batches, not one by one
    assert store.size() <= store.cap_bytes
    survivors = {p.stem for p, _, _ in store.entries()}
    assert "k999" in survivors and "k0" not in survivors  # the least recently used went


def test_the_cap_holds_across_runs_and_a_lost_tally(private_index):
    cap = 60 * 1000
    for number in range(300):
        store = IndexStore(private_index, cap_bytes=cap)
        store.save(f"k{number}", Entry({"version": "x"}, b"q" * 900))
        if number % 97 == 0:  # the running total lost, garbled, or wrong
            for path in private_index.iterdir():
                if path.suffix not in (".idx", ".key", ".tmp") and path.is_file():
                    path.write_bytes(b"\x00garbage" * (number % 3 * 40))
    store = IndexStore(private_index, cap_bytes=cap)
    store.evict()
    assert store.size() <= cap
    assert (private_index / "k299.idx").exists()


def test_a_garbled_running_total_costs_one_listing(private_index, listings):
    store = IndexStore(private_index, cap_bytes=1 << 30)
    store.save("first", Entry({"version": "x"}, b"p"))
    [tally] = [p for p in private_index.iterdir() if p.suffix not in (".idx", ".key")]
    tally.write_bytes(b"\x00garbage" * 50)  # longer than what is written in its place
    listings.clear()
    for number in range(100):
        store.save(f"k{number}", Entry({"version": "x"}, b"p" * 100))
    assert len(listings) == 1


def test_an_errors_run_over_many_files_lists_the_cache_a_few_times(
    tmp_path, private_index, listings, monkeypatch
):
    logs = tmp_path / "many"
    logs.mkdir()
    for number in range(300):
        (logs / f"app-{number:03d}.log").write_text(
            f"2026-11-28T14:00:{number % 60:02d}.000Z ERROR 4242 --- [svc] [main] c.e.App"
            f" : request {number} failed\n"
        )
    result = find_error_groups([str(logs)], store=IndexStore(private_index), workers=1)
    assert result.index is not None and result.index.parsed_lines == 300
    assert len(list(private_index.glob("*.idx"))) == 300
    assert len(listings) <= 4, len(listings)


# Unchanged behaviour: real summaries load through the restricted reader


def test_every_fixture_incident_is_answered_from_the_index_without_warnings(private_index):
    incidents = sorted(p for p in (FIXTURES / "incidents").iterdir() if p.is_dir())
    store = IndexStore(private_index)
    for incident in incidents:
        reports: list[IndexReport] = []
        cold = investigate([str(incident)], store=store, on_index=reports.append)
        warm = investigate([str(incident)], store=store, on_index=reports.append)
        assert warm.model_dump() == cold.model_dump(), incident.name
        assert reports[1].warnings == [], (incident.name, reports[1].warnings)
        assert reports[1].parsed_lines == 0, incident.name


def test_an_old_format_entry_left_behind_is_never_read(log, private_index, capsys):
    """Entries of the previous format sit under other names: aged out, never decoded."""
    _, expected, _ = _errors(log, capsys)
    entry = _only_entry(private_index)
    old = time.time() - 86400
    stale = private_index / ("0" * 32 + ".idx")
    stale.write_bytes(b"log-analyzer-index 1\n" + entry.read_bytes()[21:])
    os.utime(stale, (old, old))
    assert _errors(log, capsys) == (0, expected, "")
