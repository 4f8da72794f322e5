"""Template ids of `parse --jsonl`: final on files (the whole input mined first, so every record
of an event has the id its event ends with), provisional on a stream (the template known when
the record was read, `template_final` false); the same ids whatever the filters, on a second
run from the on-disk index, and after a file grew."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from typer.testing import CliRunner

from log_analyzer.analysis.template_ids import ledger_of, templated_records
from log_analyzer.cli.app import app
from log_analyzer.ingest import ParseOptions, SourceParser, open_paths
from log_analyzer.sources.discover import Source

SSHD = [
    "Nov 28 14:02:03 web-1 sshd[4242]: Invalid user admin from 203.0.113.7 port 40122",
    "Nov 28 14:02:03 web-1 sshd[4242]: Connection closed by invalid user admin 203.0.113.7 "
    "port 40122 [preauth]",
    "Nov 28 14:02:05 web-1 sshd[4250]: Accepted publickey for deploy from 198.51.100.23 port "
    "51234 ssh2: ED25519 SHA256:Zm9vYmFyYmF6cXV4cXV1eHh5enp5ejEyMzQ1Njc4OTA",
    "Nov 28 14:02:05 web-1 sshd[4250]: pam_unix(sshd:session): session opened for user "
    "deploy(uid=1001) by (uid=0)",
    "Nov 28 14:02:09 web-1 sshd[4261]: Invalid user oracle from 192.0.2.44 port 51802",
    "Nov 28 14:02:09 web-1 sshd[4261]: Connection closed by invalid user oracle 192.0.2.44 "
    "port 51802 [preauth]",
    "Nov 28 14:02:14 web-1 sshd[4266]: Invalid user ubnt from 198.51.100.7 port 2222",
    "Nov 28 14:02:14 web-1 sshd[4266]: Connection closed by invalid user ubnt 198.51.100.7 "
    "port 2222 [preauth]",
    "Nov 28 14:02:20 web-1 sshd[4270]: error: kex_exchange_identification: Connection closed "
    "by remote host",
    "Nov 28 14:02:31 web-1 sshd[4277]: Invalid user pi from 172.16.8.201 port 33012",
    "Nov 28 14:02:31 web-1 sshd[4277]: Connection closed by invalid user pi 172.16.8.201 port "
    "33012 [preauth]",
]
INVALID_USER = "Invalid user <*> from <*> port <*>"
CLOSED = "Connection closed by invalid user <*> <*> port <*> [preauth]"


def template_id(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=6).hexdigest()


def parse_jsonl(*args: str, stdin: str | None = None) -> list[dict[str, object]]:
    result = CliRunner().invoke(app, ["parse", *args, "--jsonl"], input=stdin)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def write_log(tmp_path: Path, lines: list[str], name: str = "auth.log") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


def by_event(rows: list[dict[str, object]]) -> dict[str, set[object]]:
    """The ids the records of each event got (events told apart by the message's head)."""
    ids: dict[str, set[object]] = {}
    for row in rows:
        message = str(row["message"])
        event = " ".join(message.split()[:2])
        ids.setdefault(event, set()).add(row["template_id"])
    return ids


def test_on_files_every_record_has_the_final_id(tmp_path: Path) -> None:
    rows = parse_jsonl(str(write_log(tmp_path, SSHD)))
    assert len(rows) == len(SSHD)
    assert all(row["template_final"] is True for row in rows)
    invalid = [row for row in rows if str(row["message"]).startswith("Invalid user")]
    assert {row["template"] for row in invalid} == {INVALID_USER}
    assert {row["template_id"] for row in invalid} == {template_id(INVALID_USER)}
    closed = [row for row in rows if "[preauth]" in str(row["message"])]
    assert {row["template"] for row in closed} == {CLOSED}
    # one id per event, and different events keep different ids
    ids = by_event(rows)
    assert all(len(seen) == 1 for seen in ids.values()), ids
    assert len({next(iter(seen)) for seen in ids.values()}) == len(ids)


def test_on_a_stream_ids_are_provisional_and_say_so(tmp_path: Path) -> None:
    rows = parse_jsonl("-", stdin="\n".join(SSHD) + "\n")
    assert len(rows) == len(SSHD)
    assert all(row["template_final"] is False for row in rows)
    invalid = [row for row in rows if str(row["message"]).startswith("Invalid user")]
    # the first attempts were read before the user became a variable: their ids are gone by
    # the end, which is what `template_final: false` warns about
    assert invalid[0]["template"] == "Invalid user admin from <*> port <*>"
    assert invalid[-1]["template"] == INVALID_USER
    assert len({row["template_id"] for row in invalid}) > 1
    final = parse_jsonl(str(write_log(tmp_path, SSHD)))
    assert [row["message"] for row in final] == [row["message"] for row in rows]


def test_ids_do_not_depend_on_filters_or_limit(tmp_path: Path) -> None:
    path = str(write_log(tmp_path, SSHD))
    whole = {row["line"]: row["template_id"] for row in parse_jsonl(path)}
    first_two = parse_jsonl(path, "--limit", "2")
    assert [(row["line"], row["template_id"]) for row in first_two] == [
        (1, whole[1]),
        (2, whole[2]),
    ]
    late = parse_jsonl(path, "--since", "2026-11-28T14:02:10Z")
    assert late and all(row["template_id"] == whole[row["line"]] for row in late)
    assert {row["template"] for row in late if "Invalid" in str(row["message"])} == {INVALID_USER}


def test_second_run_and_a_grown_file_keep_final_ids(tmp_path: Path) -> None:
    path = write_log(tmp_path, SSHD[:6])
    first = parse_jsonl(str(path))
    # two users are not yet evidence that the user is a variable
    assert first[0]["template"] == "Invalid user admin from <*> port <*>"
    assert parse_jsonl(str(path)) == first  # from the index
    assert parse_jsonl(str(path), "--no-cache") == first
    # the file grows: the new attempts make the user a variable, for the old records too
    with path.open("a") as handle:
        handle.write("\n".join(SSHD[6:]) + "\n")
    grown = parse_jsonl(str(path))
    assert grown == parse_jsonl(str(path), "--no-cache")
    assert all(row["template_final"] is True for row in grown)
    assert grown[0]["template"] == INVALID_USER
    assert grown[0]["template_id"] == grown[-2]["template_id"] == template_id(INVALID_USER)


def test_records_of_several_files_and_stack_traces_line_up(tmp_path: Path) -> None:
    spring = (
        "2026-11-28T14:02:04.550Z ERROR 1 --- [checkout-service] [nio-8080-exec-2] "
        "c.e.checkout.cart.CartService           : Cart lookup failed for cart {cart}\n"
        "io.lettuce.core.RedisCommandTimeoutException: Command timed out after 2 second(s)\n"
        "\tat io.lettuce.core.internal.ExceptionFactory.createTimeoutException("
        "ExceptionFactory.java:59)\n"
        "\t... 42 more\n"
        "2026-11-28T14:02:05.118Z  INFO 1 --- [checkout-service] [nio-8080-exec-7] "
        "c.e.checkout.web.CheckoutController     : Checkout completed for order {order} in "
        "{ms} ms\n"
    )
    text = "".join(
        spring.format(cart=cart, order=8812 + n, ms=40 + n)
        for n, cart in enumerate(
            ["6a02b274-5ca9-4688-9c4f-2dccd82efe7d", "d77b26d3-3c71-4896-979a-95aa42a78500"]
        )
    )
    (tmp_path / "checkout-service.log").write_text(text)
    write_log(tmp_path, SSHD)
    rows = parse_jsonl(str(tmp_path))
    assert len(rows) == 4 + len(SSHD)
    carts = [row for row in rows if str(row["message"]).startswith("Cart lookup failed")]
    assert [row["line"] for row in carts] == [1, 6]
    assert {row["template"] for row in carts} == {"Cart lookup failed for cart <*>"}
    assert all(row["template_final"] for row in rows)


def test_a_file_that_changes_between_the_passes(tmp_path: Path) -> None:
    path = write_log(tmp_path, SSHD[:8])
    templated = templated_records(open_paths([str(path)]))
    assert templated.final
    with path.open("a") as handle:  # after the mining, before the records are read again
        handle.write(SSHD[8] + "\n")
    rows = list(templated.rows)
    assert len(rows) == 9
    assert all(final for _, _, final in rows[:8])
    record, template, final = rows[8]
    assert record.message.startswith("error: kex_exchange_identification")
    assert template.text == record.message
    assert not final  # an event the mining never saw
    assert rows[0][1].text == rows[4][1].text == INVALID_USER


def test_ledgers_of_parts_merge_into_the_ledger_of_the_file(tmp_path: Path) -> None:
    path = write_log(tmp_path, SSHD)
    source = Source(str(path), path)
    options = ParseOptions()
    whole = ledger_of(SourceParser(source, options))
    cut = len("\n".join(SSHD[:5]) + "\n")
    first = ledger_of(SourceParser(source, options, byte_range=(0, cut)))
    second = ledger_of(
        SourceParser(source, options, byte_range=(cut, path.stat().st_size), first_line=6)
    )
    merged = first.merge(second)
    assert merged.forms == whole.forms
    assert merged.literal == whole.literal
    assert merged.codes == whole.codes
    assert merged.stats.records == whole.stats.records == len(SSHD)
