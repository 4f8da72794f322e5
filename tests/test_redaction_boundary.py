"""Redaction as a boundary (issue 13): whatever goes back to a model passes through redaction
again, tool results and tool errors alike, whole records before any cut, and nothing a model
can send brings a secret back out.

- a placeholder the model writes is restored before the tool runs, and an error that echoes
  the argument must echo the placeholder, never the value: every tool, through `ToolSession`,
  the `ask` loop (the real Anthropic SDK, the API mocked by respx) and the MCP server;
- multi-line blocks (a PEM key in `read_lines`, in a record) and long values (a JWT longer than
  a result's cut) are redacted whole, before anything is cut;
- the rules added for cookies, CLI passwords, `AuthToken`, raw hex keys and SSNs, and the
  user's own question;
- a property test: random secrets of every kind, in every field and position of log lines of
  several formats, through every tool and through `ask`, never reach what the model receives.

Credentials below are fakes, built by concatenation so that secret scanners reading this file do
not take them for real ones.
"""

from __future__ import annotations

import base64
import json
import random
import re
import string
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import httpx
import pytest
from mcp import Client, types

from log_analyzer.agent import registry
from log_analyzer.agent.loop import Conversation
from log_analyzer.agent.mcp_server import build_server
from log_analyzer.agent.providers import AnthropicProvider
from log_analyzer.agent.redact import PLACEHOLDER, Redactor
from log_analyzer.agent.roots import AllowedRoots
from log_analyzer.agent.session import ToolSession
from log_analyzer.agent.workspace import Workspace

from .anthropic_mock import bodies, message, text, tool_use

SECRET = "Js0n4i9" + "DoV8gz4"
# a password with a backslash, both quotes, `</` and regex metacharacters: every escaped form
ODD = "Ab\\c" + '"d</e9(x.+'
TS = "2026-11-28T14:0{}:00Z"


def forms(value: str) -> set[str]:
    """The ways a value can be written in a result: as is, JSON-escaped, repr-escaped."""
    found = {value, json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]}
    found |= {repr(value)[1:-1], json.dumps(repr(value))[1:-1]}
    found |= {f.replace("</", "<\\/") for f in list(found)}
    return found


def outside_placeholders(text: str) -> str:
    return PLACEHOLDER.sub("\x00", text)


def leaks(value: str, text: str, window: int = 6) -> list[str]:
    """The forms of `value`, or the pieces of it `window` characters long, found in `text`
    (placeholders aside: `<password-1>` holds `pass`)."""
    text = outside_placeholders(text)
    found = [form for form in forms(value) if form in text]
    if len(value) > window:
        found += [value[i : i + window] for i in range(len(value) - window + 1)]
        found = [piece for piece in found if piece in text]
    return found


def write_secret_logs(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    log = directory / "app.log"
    log.write_text(
        f"{TS.format(0)} ERROR [api] db login failed password={SECRET}\n"
        f"{TS.format(1)} ERROR [api] vault login failed password='{ODD}'\n"
        f"{TS.format(2)} ERROR [api] db login failed again\n",
        encoding="utf-8",
    )
    return log


def learned_session(tmp_path: Path, **kwargs: Any) -> ToolSession:
    """A session whose model has seen `<password-1>` (SECRET) and `<password-2>` (ODD)."""
    logs = tmp_path / "logs"
    write_secret_logs(logs)
    workspace = Workspace(AllowedRoots.for_session([str(logs)], cwd=logs, include_system=False))
    session = ToolSession(workspace, **kwargs)
    assert not session.call("parse_logs", {"paths": [str(logs)]}).is_error
    seen = session.call("search_logs", {"pattern": "login"}).text
    assert "password=<password-1>" in seen and "password='<password-2>'" in seen
    assert not leaks(SECRET, seen) and not leaks(ODD, seen)
    return session


def echoes(placeholder: str) -> list[tuple[str, dict[str, Any]]]:
    """Calls whose error message repeats an argument, the placeholder in that argument."""
    return [
        ("read_lines", {"path": placeholder, "start": 1}),
        ("read_lines", {"path": f"sub/{placeholder}.log", "start": 1}),
        ("parse_logs", {"paths": [placeholder]}),
        ("parse_logs", {"paths": [f"{placeholder}*.log"]}),
        ("parse_logs", {"paths": [f"{placeholder}/x*.log"]}),
        ("search_logs", {"pattern": f"{placeholder}(", "regex": True}),
        ("suggest_fixes", {"group_id": placeholder}),
        ("group_errors", {"since": placeholder}),
        ("find_first_failure", {"until": placeholder}),
        ("merge_timelines", {"since": placeholder}),
        ("count_per_minute", {"since": placeholder}),
        ("correlate_services", {"until": placeholder}),
        ("investigate", {"since": placeholder}),
        ("trace_request", {"id": placeholder}),
        ("compare_windows", {"at": placeholder}),
    ]


ECHO_CALLS = [
    (name, placeholder, arguments)
    for placeholder in ("<password-1>", "<password-2>")
    for name, arguments in echoes(placeholder)
]


# --- 1. errors echo the placeholder, never the value ---------------------------------------------
@pytest.mark.parametrize(
    ("name", "placeholder", "arguments"),
    ECHO_CALLS,
    ids=[f"{n}-{p[1:-1]}-{i}" for i, (n, p, _) in enumerate(ECHO_CALLS)],
)
def test_a_tool_error_echoes_the_placeholder_never_the_value(
    tmp_path: Path, name: str, placeholder: str, arguments: dict[str, Any]
) -> None:
    session = learned_session(tmp_path)
    result = session.call(name, arguments)
    assert result.is_error, result.text
    assert not leaks(SECRET, result.text), result.text
    assert not leaks(ODD, result.text, window=5), result.text
    assert placeholder in result.text or "withheld" in result.text, result.text


def test_every_tool_answers_a_placeholder_argument_without_the_value(tmp_path: Path) -> None:
    """Not only the error paths: every tool of the registry, every placeholder, every argument
    that takes text."""
    session = learned_session(tmp_path)
    session.workspace.monitor_interval = 0.05
    text_arguments: dict[str, list[dict[str, Any]]] = {
        "parse_logs": [{"paths": ["{p}"]}],
        "group_errors": [{"service": "{p}"}, {"until": "{p}"}],
        "find_first_failure": [{"service": "{p}"}],
        "merge_timelines": [{"service": "{p}"}],
        "count_per_minute": [{"service": "{p}"}],
        "correlate_services": [{"since": "{p}"}],
        "search_logs": [
            {"pattern": "{p}"},
            {"pattern": "{p}", "regex": True},
            {"service": "{p}", "pattern": "x"},
        ],
        "read_lines": [{"path": "{p}", "start": 1}, {"path": "{p}", "start": "{p}"}],
        "suggest_fixes": [{"group_id": "{p}"}, {"service": "{p}"}],
        "investigate": [{"service": "{p}"}],
        "monitor_logs": [{"service": "{p}", "minutes": 1, "settle": 1}],
        "trace_request": [{"id": "{p}"}, {"since": "{p}"}],
        "compare_windows": [{"service": "{p}"}, {"before": "{p}"}],
    }
    assert set(text_arguments) == set(registry.TOOLS)
    for name, calls in text_arguments.items():
        for template in calls:
            for placeholder in ("<password-1>", "<password-2>"):
                arguments = json.loads(json.dumps(template).replace("{p}", placeholder))
                result = session.call(name, arguments)
                assert not leaks(SECRET, result.text), (name, arguments, result.text)
                assert not leaks(ODD, result.text, window=5), (name, arguments, result.text)


def test_a_placeholder_in_a_regex_is_searched_as_its_literal_value(tmp_path: Path) -> None:
    session = learned_session(tmp_path)
    for placeholder in ("<password-1>", "<password-2>"):
        result = session.call("search_logs", {"pattern": f"{placeholder}'?$", "regex": True})
        assert not result.is_error, result.text
        found = json.loads(result.text.split("\n")[1])
        assert found["matches_total"] == 1 and placeholder in found["hits"][0]["text"]
    result = session.call("search_logs", {"pattern": "'<password-2>'$", "regex": True})
    assert json.loads(result.text.split("\n")[1])["matches_total"] == 1, result.text


@pytest.fixture
def secret_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    logs = tmp_path / "logs"
    write_secret_logs(logs)
    monkeypatch.chdir(logs)
    workspace = Workspace(AllowedRoots.for_session([str(logs)], cwd=logs, include_system=False))
    workspace.load([str(logs)])
    return workspace


def sent_texts(route: Any) -> str:
    return "\n".join(call.request.content.decode() for call in route.calls)


def test_ask_sends_no_restored_value_back_in_an_error(api: Any, secret_workspace: Workspace):
    route = api.post("/v1/messages").mock(
        side_effect=[
            message(tool_use("search_logs", {"pattern": "login"}, id="t0")),
            message(
                *[
                    tool_use(name, arguments, id=f"t{number}")
                    for number, (name, _, arguments) in enumerate(ECHO_CALLS, 1)
                ]
            ),
            message(text("The vault password is wrong.")),
        ]
    )
    talk = Conversation(
        secret_workspace, AnthropicProvider("claude-sonnet-5-5"), sleep=lambda _: None
    )
    talk.ask("why do logins fail?")
    sent = sent_texts(route)
    assert len(route.calls) == 3
    assert not leaks(SECRET, sent), leaks(SECRET, sent)
    assert not leaks(ODD, sent, window=5), leaks(ODD, sent, window=5)
    results = bodies(route)[2]["messages"][-1]["content"]
    assert len(results) == len(ECHO_CALLS)
    assert all(r.get("is_error") for r in results)
    assert sum("<password-1>" in r["content"] for r in results) >= len(ECHO_CALLS) // 2 - 1


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_mcp_sends_no_restored_value_back_in_an_error(
    secret_workspace: Workspace, mode: str
) -> None:
    async with Client(build_server(secret_workspace), mode=mode) as client:
        first = await client.call_tool("search_logs", {"pattern": "login"})
        assert isinstance(first.content[0], types.TextContent)
        assert "<password-2>" in first.content[0].text
        for name, placeholder, arguments in ECHO_CALLS:
            result = await client.call_tool(name, arguments)
            [block] = result.content
            assert isinstance(block, types.TextContent)
            assert result.is_error, (name, block.text)
            assert not leaks(SECRET, block.text), (name, block.text)
            assert not leaks(ODD, block.text, window=5), (name, block.text)
            assert placeholder in block.text or "withheld" in block.text, (name, block.text)


# --- 2. whole records and multi-line blocks, before any cut --------------------------------------
PEM_BODY = [
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj",
    "MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu",
    "NMoSfm76oqFvAp8Gy0iz5sxjZmSnXyCdPEovGhLa0VzMaQ8s+CLOyS56YyCFGeJZ",
    "qgtzJ6GR3eqoYSW9b9UMvkBpZODSctWSNGj3P7jRFDO5VoTwCQAWbFnOjDfH5Ulg",
    "p7NCxp3Qx0c1Hq2yFv9kLmZ8WdE4rTg6sJ0nBa5uYi3oKq7XhGzR1tVwIbC8eDfA",
    "Zm9vYmFy",
]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def long_jwt(email: str = "alice.martin@example.org") -> str:
    """A JWT of more than 400 characters whose payload names a person."""
    header = b64url(b'{"alg":"RS256","typ":"JWT","kid":"k1"}')
    claims = {"sub": "u-1", "email": email, "roles": ["admin"] * 40, "name": "Alice Martin"}
    payload = b64url(json.dumps(claims).encode())
    signature = b64url(bytes(range(256)))
    token = f"{header}.{payload}.{signature}"
    assert len(token) > 400 and token.index(".", len(header) + 1) > 300
    return token


def test_read_lines_redacts_a_private_key_spanning_lines(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    lines = [
        f"{TS.format(0)} ERROR [api] could not parse the signing key:",
        "-----BEGIN PRIVATE KEY-----",
        *PEM_BODY,
        "-----END PRIVATE KEY-----",
        f"{TS.format(1)} ERROR [api] giving up",
    ]
    (logs / "key.log").write_text("\n".join(lines) + "\n", encoding="utf-8")
    workspace = Workspace(AllowedRoots.for_session([str(logs)], cwd=logs, include_system=False))
    session = ToolSession(workspace)
    for start in (1, 2, 3, 5):  # from before the block, its BEGIN line, inside it
        result = session.call("read_lines", {"path": "key.log", "start": start, "end": 10})
        assert not result.is_error, result.text
        shown = json.loads(result.text.split("\n")[1])
        for body in PEM_BODY:
            assert not leaks(body, result.text, window=12), (start, body, result.text)
        # line numbers still point at the file's lines
        assert [line.split(":", 1)[0] for line in shown["lines"]] == [
            str(n) for n in range(start, 11)
        ]
        assert shown["lines"][-1] == f"10: {lines[9]}"
        assert "<private-key-1>" in result.text


def test_a_private_key_in_a_multi_line_record_is_redacted_whole(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    key = "\n".join(["-----BEGIN RSA PRIVATE KEY-----", *PEM_BODY, "-----END RSA PRIVATE KEY-----"])
    (logs / "app.log").write_text(
        f"{TS.format(0)} ERROR [api] bad key in config: " + "x" * 322 + " key=\n" + key + "\n"
        f"{TS.format(1)} INFO [api] next\n",
        encoding="utf-8",
    )
    workspace = Workspace(AllowedRoots.for_session([str(logs)], cwd=logs, include_system=False))
    session = ToolSession(workspace)
    session.call("parse_logs", {"paths": [str(logs)]})
    out = "\n".join(
        session.call(name, arguments).text
        for name, arguments in [
            ("search_logs", {"pattern": "bad key"}),
            ("search_logs", {"pattern": "next", "context": 2}),
            ("search_logs", {"pattern": "MIIE"}),
            ("group_errors", {"min_level": "info"}),
            ("investigate", {}),
        ]
    )
    for body in PEM_BODY:
        assert not leaks(body, out, window=12), (body, out)


def test_a_jwt_longer_than_the_cut_is_redacted_before_it(tmp_path: Path) -> None:
    token = long_jwt()
    payload = token.split(".")[1]
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "auth.log").write_text(
        f"{TS.format(0)} ERROR [auth] rejected token {token} for /api/orders\n"
        f"{TS.format(1)} ERROR [auth] rejected token {token} for /api/orders\n",
        encoding="utf-8",
    )
    workspace = Workspace(AllowedRoots.for_session([str(logs)], cwd=logs, include_system=False))
    session = ToolSession(workspace)
    session.call("parse_logs", {"paths": [str(logs)]})
    out = "\n".join(
        session.call(name, arguments).text
        for name, arguments in [
            ("search_logs", {"pattern": "rejected"}),
            ("search_logs", {"pattern": "orders", "context": 1}),
            ("group_errors", {}),
            ("find_first_failure", {}),
            ("merge_timelines", {}),
            ("investigate", {}),
            ("read_lines", {"path": "auth.log", "start": 1}),
        ]
    )
    assert "<jwt-1>" in out
    assert not leaks(payload, out, window=12)
    assert "alice.martin" not in out


def test_a_jwt_cut_after_its_payload_is_still_a_jwt() -> None:
    token = long_jwt()
    cut = token[: token.rindex(".") - 5]  # what a cut at a fixed width leaves
    redactor = Redactor()
    assert redactor.redact(f"token {cut}") == "token <jwt-1>"


def test_addresses_across_a_cut_are_redacted_before_it(tmp_path: Path) -> None:
    """Hits cut at 400 characters, context at 200, lines at 1,000, results cut to their token
    budget: an address the cut falls inside is replaced before the cut, so no part of it is
    left (after the cut, what is left of it is no longer an address)."""
    logs = tmp_path / "logs"
    logs.mkdir()
    addresses = " ".join(f"u{n:03d}x.mart@example.org" for n in range(60))
    (logs / "mail.log").write_text(
        "".join(f"{TS.format(n)} ERROR [mail] bounced: {addresses}\n" for n in range(3)),
        encoding="utf-8",
    )
    workspace = Workspace(AllowedRoots.for_session([str(logs)], cwd=logs, include_system=False))
    for budget in (4000, 300):
        session = ToolSession(workspace, token_budget=budget)
        session.call("parse_logs", {"paths": [str(logs)]})
        out = "\n".join(
            session.call(name, arguments).text
            for name, arguments in [
                ("search_logs", {"pattern": "mart", "context": 1}),
                ("read_lines", {"path": "mail.log", "start": 1}),
                ("group_errors", {}),
                ("investigate", {}),
            ]
        )
        assert "<email-1>" in out
        assert not re.findall(r"u\d{3}x|\.mart@|@example", out), budget


# --- 3. new rules -------------------------------------------------------------------------------
HEX_KEY = "4c0883a69102937d6231471b5dbb6204" + "fe5129617082792ae468d01a3f362318"
NEW_RULES = [
    # cookies and session ids: the cookie names and attributes stay
    (
        "Cookie: session=8f3a9c2b1d7e6f5a; theme=dark",
        "Cookie: session=<token-1>; theme=dark",
    ),
    (
        "Set-Cookie: JSESSIONID=8F3A9C2B1D7E6F5A4B3C; Path=/; Secure; HttpOnly",
        "Set-Cookie: JSESSIONID=<token-1>; Path=/; Secure; HttpOnly",
    ),
    (
        'headers={"Cookie":"sid=s%3Aab12cd34ef56.x9; _ga=GA1.2.3"}',
        'headers={"Cookie":"sid=<token-1>; _ga=<token-2>"}',
    ),
    (
        "set-cookie: remember_me=eyJ1c2VyIjoxfQ.aB3dE5fG7hJ9; Expires=Wed, 21 Oct 2026 07:28 GMT",
        "set-cookie: remember_me=<jwt-1>; Expires=Wed, 21 Oct 2026 07:28 GMT",
    ),
    ("JSESSIONID=8F3A9C2B1D7E6F5A4B3C", "JSESSIONID=<token-1>"),
    ("PHPSESSID=u8k2l3m4n5o6p7q8", "PHPSESSID=<token-1>"),
    ("session_id=7f3c9a1b2d4e4f60", "session_id=<token-1>"),
    # passwords on command lines
    (
        "mysqldump -uroot -pS3cr3tPass orders > dump.sql",
        "mysqldump -uroot -p<password-1> orders > dump.sql",
    ),
    ("mysql -h db -u app -p'S3 cr3t' orders", "mysql -h db -u app -p'<password-1>' orders"),
    ("run.sh --password hunter2x --user bob", "run.sh --password <password-1> --user bob"),
    ('cli --db-password "two words" -v', 'cli --db-password "<password-1>" -v'),
    ("keytool -storepass changeit2 -list", "keytool -storepass <password-1> -list"),
    ("--password=hunter2x", "--password=<password-1>"),
    ("PGPASSWORD=hunter2x psql -h db", "PGPASSWORD=<password-1> psql -h db"),
    ("export PGPASSWORD='x y'; psql", "export PGPASSWORD='<password-1>'; psql"),
    ("sshpass -p Secr3tP4ss ssh deploy@web1", "sshpass -p <password-1> ssh deploy@web1"),
    ("redis-cli -h cache -a Secr3tP4ss ping", "redis-cli -h cache -a <password-1> ping"),
    # tokens after a space, not `=`
    ("AuthToken 3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c", "AuthToken <token-1>"),
    ("sent X-Auth-Token 9f8e7d6c5b4a39281706", "sent X-Auth-Token <token-1>"),
    # raw hex keys where a secret is named
    (f"loaded private key {HEX_KEY}", "loaded private key <private-key-1>"),
    (f"signing key: 0x{HEX_KEY}", "signing key: <token-1>"),
    (f'{{"key": "{HEX_KEY}"}}', '{"key": "<token-1>"}'),
    (f"secret material {HEX_KEY}{HEX_KEY[:16]} rotated", "secret material <token-1> rotated"),
    # US social security numbers
    ("customer ssn 123-45-6789 on file", "customer ssn <ssn-1> on file"),
    ('{"ssn":"078-05-1120"}', '{"ssn":"<ssn-1>"}'),
]


@pytest.mark.parametrize(("text", "expected"), NEW_RULES)
def test_new_rules_redact(text: str, expected: str) -> None:
    redactor = Redactor()
    out = redactor.redact(text)
    assert out == expected
    assert redactor.redact(out) == out
    assert redactor.restore(out) == text


NEW_RULES_KEEP = [
    "ssh -p2222 deploy@web1 && mkdir -p /srv/app && gcc -pthread",
    "mysql -P 3306 -h db orders -e 'select 1'",
    "mysql -p orders",  # -p alone: prompts for the password
    "pg_dump --password-file /run/secrets/pg --password -U app",
    "token expired for user 42; Token bucket at 100%",
    "session started; Cookie: none sent",
    "Set-Cookie attributes: Path=/; HttpOnly",
    # hex that names no secret: digests, commits, trace ids
    f"image sha256:{HEX_KEY} pulled; checksum {HEX_KEY} ok",
    f"commit {HEX_KEY[:40]} trace {HEX_KEY[:32]}",
    f"public key {HEX_KEY}",
    # not SSNs: impossible ranges, dates, phone numbers, versions
    "000-12-3456 666-12-3456 900-12-3456 123-00-4567 123-45-0000",
    "2026-11-28 555-123-4567 v1.123-45-6789 id=123-45-67890",
]


@pytest.mark.parametrize("text", NEW_RULES_KEEP)
def test_new_rules_keep(text: str) -> None:
    redactor = Redactor()
    assert redactor.redact(text) == text
    assert redactor.counts == {}


def test_the_users_question_is_redacted(api: Any, secret_workspace: Workspace) -> None:
    route = api.post("/v1/messages").mock(side_effect=[message(text("Check the dump."))])
    question = (
        "why does `mysqldump -uroot -pS3cr3tPass orders` fail, and `run.sh --password "
        "hunter2x`? my ssn is 123-45-6789, Cookie: session=8f3a9c2b1d7e6f5a, and the key "
        f"is private key {HEX_KEY}"
    )
    talk = Conversation(
        secret_workspace, AnthropicProvider("claude-sonnet-5-5"), sleep=lambda _: None
    )
    talk.ask(question)
    sent = sent_texts(route)
    for value in ("S3cr3tPass", "hunter2x", "123-45-6789", "8f3a9c2b1d7e6f5a", HEX_KEY):
        assert value not in sent, value
    assert "mysqldump -uroot -p<password-1> orders" in sent


# --- 4. the property: random secrets, every kind, every position, every tool ---------------------
ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"


def rand(rng: random.Random, alphabet: str, size: int) -> str:
    """Random text with at least one digit and one letter (what secrets look like)."""
    while True:
        value = "".join(rng.choice(alphabet) for _ in range(size))
        if any(c.isdigit() for c in value) and any(c.isalpha() for c in value):
            return value


def luhn_card(rng: random.Random) -> str:
    digits = [4] + [rng.randrange(10) for _ in range(14)]
    total = 0
    for position, digit in enumerate(reversed(digits)):
        if position % 2 == 0:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return "".join(map(str, digits)) + str((10 - total % 10) % 10)


def ssn(rng: random.Random) -> str:
    area = rng.choice([a for a in range(1, 900) if a != 666])
    return f"{area:03d}-{rng.randrange(1, 100):02d}-{rng.randrange(1, 10000):04d}"


def pem(rng: random.Random) -> tuple[str, list[str]]:
    body = [rand(rng, ALNUM + "+/", 64) for _ in range(rng.randrange(3, 8))]
    body.append(rand(rng, ALNUM, rng.randrange(8, 40)) + "==")
    label = rng.choice(["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "OPENSSH PRIVATE KEY"])
    return "\n".join([f"-----BEGIN {label}-----", *body, f"-----END {label}-----"]), body


Secret = tuple[
    str, str, list[str], bool
]  # kind, text planted, values that must not leak, multi-line


def secret_kinds(rng: random.Random) -> list[Secret]:
    """One secret of every kind the redactor knows, each in a context real software writes."""
    word = rand(rng, ALNUM, rng.randrange(10, 18))
    name = "".join(rng.choice(string.ascii_lowercase) for _ in range(13))
    email = f"{name[:7]}.{name[7:]}@example.org"
    if rng.random() < 0.5:
        jwt = long_jwt(email)
    else:
        claims = b64url(json.dumps({"email": email}).encode())
        header = b64url(b'{"alg":"HS256"}')
        jwt = f"{header}.{claims}.{rand(rng, ALNUM, 43)}"
    key, body = pem(rng)
    stripe = "sk_" + "live_" + rand(rng, ALNUM, 24)
    github = "ghp_" + rand(rng, ALNUM, 36)
    aws_id = "AKIA" + rand(rng, string.ascii_uppercase + string.digits, 16)
    aws_secret = rand(rng, ALNUM + "/+", 40)
    hex_key = rand(rng, HEX, 64)
    card = luhn_card(rng)
    basic = base64.b64encode(f"svc:{word}".encode()).decode()
    cookie = rand(rng, ALNUM, 26)
    values = {
        "password": [
            (f"password={word}", [word]),
            (f'"db_password": "{word}"', [word]),
            (f"postgres://app:{word}@db.internal:5432/orders", [word]),
            (f"mysqldump -uroot -p{word} orders", [word]),
            (f"--password {word}", [word]),
            (f"PGPASSWORD={word} psql -h db", [word]),
        ],
        "token": [
            (f"Authorization: Basic {basic}", [basic, word]),
            (f"Authorization: Bearer {word}{word}", [word + word]),
            (f"stripe key {stripe}", [stripe]),
            (f"git push https://{github}@github.com/acme/x.git", [github]),
            (f"Cookie: session={cookie}; theme=dark", [cookie]),
            (f"Set-Cookie: JSESSIONID={cookie}; Path=/; HttpOnly", [cookie]),
            (f"AuthToken {(auth := rand(rng, HEX, 32))}", [auth]),
            (f"signing key {hex_key}", [hex_key]),
        ],
        "aws-key": [
            (f"aws.accessKeyId={aws_id}", [aws_id]),
            (f"aws_secret_access_key = {aws_secret}", [aws_secret]),
        ],
        "jwt": [(f"token issued: {jwt}", [jwt.split(".")[1], email])],
        "email": [(f"mail to {email} bounced", [email])],
        "card": [(f"charged card {card}", [card])],
        "ssn": [(f"customer ssn {(number := ssn(rng))}", [number])],
        "private-key": [(f"key was:\n{key}", body)],
    }
    planted: list[Secret] = []
    for kind, choices in values.items():
        for text_, leaked in choices:
            planted.append((kind, text_, leaked, "\n" in text_))
    return planted


def plant_logs(directory: Path, rng: random.Random) -> list[Secret]:
    """Log files of several formats with every kind of secret in every field and position:
    the start, middle and end of a message, a JSON field of its own, a logfmt value, the
    continuation lines of a multi-line record."""
    directory.mkdir(parents=True, exist_ok=True)
    secrets = secret_kinds(rng)
    plain: list[str] = []
    jsonl: list[str] = []
    logfmt: list[str] = []
    second = 0

    def stamp() -> str:
        nonlocal second
        second += 1
        return f"2026-11-28T14:{second // 60:02d}:{second % 60:02d}.{rng.randrange(1000):03d}Z"

    for _, planted_text, _, multi_line in secrets:
        level = rng.choice(["ERROR", "WARN", "INFO"])
        noise = f"request {rand(rng, HEX, 8)} took {rng.randrange(2000)}ms"
        position = rng.randrange(3)
        if multi_line:
            plain.append(f"{stamp()} {level} 1 --- [orders] [exec-1] c.a.Orders : failed: {noise}")
            plain.extend(planted_text.split("\n"))
            plain.append("\tat com.acme.Orders.load(Orders.java:87)")
        else:
            message = [planted_text, noise, "retrying"]
            message.insert(position, message.pop(0))
            plain.append(
                f"{stamp()} {level} 1 --- [orders] [exec-2] c.a.Orders : {' '.join(message)}"
            )
        field = rng.choice(["msg", "detail", "headers", "cmd"])
        record = {"ts": stamp(), "level": level.lower(), "service": "payments", "msg": noise}
        record[field] = planted_text if field != "msg" else f"{noise}: {planted_text}"
        jsonl.append(json.dumps(record))
        if not multi_line:
            logfmt.append(
                f'ts={stamp()} level={level.lower()} service=gateway msg="{noise}" '
                f"detail={json.dumps(planted_text)}"
            )
    for _ in range(30):  # ordinary lines around them
        plain.append(f"{stamp()} ERROR 1 --- [orders] [exec-3] c.a.Client : upstream 503")
        jsonl.append(
            json.dumps(
                {"ts": stamp(), "level": "error", "service": "payments", "msg": "pool exhausted"}
            )
        )
        logfmt.append(f'ts={stamp()} level=error service=gateway msg="timeout after 30000ms"')
    (directory / "orders.log").write_text("\n".join(plain) + "\n", encoding="utf-8")
    (directory / "payments.jsonl").write_text("\n".join(jsonl) + "\n", encoding="utf-8")
    (directory / "gateway.log").write_text("\n".join(logfmt) + "\n", encoding="utf-8")
    return secrets


def every_tool_call(files: Iterable[str]) -> list[tuple[str, dict[str, Any]]]:
    calls: list[tuple[str, dict[str, Any]]] = [
        ("investigate", {}),
        ("group_errors", {"min_level": "debug", "limit": 200}),
        ("find_first_failure", {}),
        ("merge_timelines", {"limit": 500}),
        ("count_per_minute", {"min_level": "debug"}),
        ("correlate_services", {}),
        ("suggest_fixes", {}),
        ("search_logs", {"pattern": ".", "regex": True, "limit": 200, "context": 2}),
        (
            "search_logs",
            {"pattern": "key|token|password|cookie|ssn|@", "regex": True, "limit": 200},
        ),
        ("monitor_logs", {"minutes": 1, "settle": 1}),
        ("trace_request", {}),
        ("compare_windows", {"before": "2h", "after": "2h", "limit": 50}),
    ]
    for file in files:
        calls += [("read_lines", {"path": file, "start": s, "end": s + 199}) for s in (1, 101)]
    assert {name for name, _ in calls} | {"parse_logs"} == set(registry.TOOLS)
    return calls


def echo_calls(placeholders: Iterable[str]) -> list[tuple[str, dict[str, Any]]]:
    return [call for p in sorted(set(placeholders)) for call in echoes(p)[::2]]


def assert_nothing_leaks(secrets: list[Secret], sent: str) -> None:
    visible = outside_placeholders(sent)
    for kind, planted_text, values, _ in secrets:
        for value in values:
            for form in forms(value):
                assert form not in visible, (kind, planted_text, form)
            if kind in ("email", "card", "ssn"):
                continue
            for start in range(0, len(value) - 11, 3):
                piece = value[start : start + 12]
                assert piece not in visible, (kind, planted_text, piece)


def strings_in(node: object) -> list[str]:
    """Every string in a JSON document, decoded."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [s for item in node for s in strings_in(item)]
    if isinstance(node, dict):
        return [s for item in node.values() for s in strings_in(item)]
    return []


SEEDS = [1, 2, 3, 4, 5, 6, 7, 8]


@pytest.mark.parametrize("seed", SEEDS)
def test_random_secrets_never_leave_through_any_tool(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    logs = tmp_path / "logs"
    secrets = plant_logs(logs, rng)
    workspace = Workspace(AllowedRoots.for_session([str(logs)], cwd=logs, include_system=False))
    workspace.monitor_interval = 0.02
    files = ["orders.log", "payments.jsonl", "gateway.log"]
    for budget in (100_000, 600):
        session = ToolSession(workspace, token_budget=budget)
        outputs = [session.call("parse_logs", {"paths": [str(logs)]}).text]
        outputs += [
            session.call(name, arguments).text for name, arguments in every_tool_call(files)
        ]
        placeholders = PLACEHOLDER.findall("\n".join(outputs))
        kinds = {p[1:].rsplit("-", 1)[0] for p in placeholders}
        if budget > 1000:
            assert kinds >= {kind for kind, *_ in secrets}, kinds
        outputs += [
            session.call(name, arguments).text for name, arguments in echo_calls(placeholders)
        ]
        assert_nothing_leaks(secrets, "\n".join(outputs))


def scripted_model(files: list[str]) -> Callable[[httpx.Request], httpx.Response]:
    """A model that calls every tool, then echoes every placeholder it was shown in the
    arguments that come back in error messages, then answers."""
    turns = iter(range(3))

    def respond(request: httpx.Request) -> httpx.Response:
        turn = next(turns)
        if turn == 0:
            return message(
                *[tool_use(n, a, id=f"a{i}") for i, (n, a) in enumerate(every_tool_call(files))]
            )
        if turn == 1:
            seen = PLACEHOLDER.findall(request.content.decode())
            assert seen
            calls = echo_calls(seen)
            return message(*[tool_use(n, a, id=f"e{i}") for i, (n, a) in enumerate(calls)])
        return message(text("Done."))

    return respond


@pytest.mark.parametrize("seed", SEEDS[:3])
def test_random_secrets_never_reach_the_request_body(
    api: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    rng = random.Random(seed)
    logs = tmp_path / "logs"
    secrets = plant_logs(logs, rng)
    monkeypatch.chdir(logs)
    workspace = Workspace(AllowedRoots.for_session([str(logs)], cwd=logs, include_system=False))
    workspace.monitor_interval = 0.02
    workspace.load([str(logs)])
    files = ["orders.log", "payments.jsonl", "gateway.log"]
    route = api.post("/v1/messages").mock(side_effect=scripted_model(files))
    # the user pastes some of them too
    pasted = [s for s in secrets if not s[3]][::3]
    question = "why? " + " and ".join(planted_text for _, planted_text, _, _ in pasted)
    talk = Conversation(workspace, AnthropicProvider("claude-sonnet-5-5"), sleep=lambda _: None)
    talk.ask(question)
    assert len(route.calls) == 3
    sent = sent_texts(route)
    assert_nothing_leaks(secrets, sent)
    assert_nothing_leaks(secrets, "\n".join(strings_in(bodies(route))))
    # the tools did run: their results are there, with placeholders of every kind
    kinds = {p[1:].rsplit("-", 1)[0] for p in PLACEHOLDER.findall(sent)}
    assert kinds >= {kind for kind, *_ in secrets}, kinds
    assert '"lines":["1: ' in "\n".join(strings_in(bodies(route)))
