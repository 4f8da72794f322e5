"""Redaction (`log_analyzer.agent.redact`): no secret planted in the `fixtures/secrets/` logs
reaches what a model would see, the identifiers an investigation needs do, and placeholders are
typed, consistent, restorable and left alone by a second pass.

Credentials below are fakes, built by concatenation so that secret scanners reading this file
do not take them for real ones.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from log_analyzer.agent.redact import KINDS, PLACEHOLDER, Redactor, luhn_valid

ROOT = Path(__file__).resolve().parents[1]
SECRETS = ROOT / "fixtures" / "secrets"
GENERATOR = SECRETS / "generate_secrets.py"
LOGS = ("app-with-secrets.log", "nginx-access.log")
GENERATED = {*LOGS, "secrets.json"}

JWT = (
    "eyJ" + "hbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
    ".eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ"
    ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
)
AWS_ID = "AKIA" + "IOSFODNN7EXAMPLE"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYEXAMPLEKEY"
STRIPE = "sk_" + "live_51HbZ8kLm0nQ2pR4sT6vX8zA1cE3gI5"
OPENAI = "sk-" + "proj-Xy7Qm2Lp9Rt4Wv6Zb8Nc1Df3Gh5Jk0"
GITHUB = "ghp_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5"
SLACK = "xoxb-" + "123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"
GOOGLE = "AIza" + "SyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY"
GITLAB = "glpat-" + "xY8zA1bC2dE3fG4hI5jK"
PEM_BODY = [
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj",
    "MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu",
    "NMoSfm76oqFvAp8Gy0iz5sxjZmSnXyCdPEovGhLa0VzMaQ8s+CLOyS56YyCFGeJZ",
    "qgtzJ6GR3eqoYSW9b9UMvkBpZODSctWSNGj3P7jRFDO5VoTwCQAWbFnOjDfH5Ulg",
]
PEM = "\n".join(["-----BEGIN PRIVATE KEY-----", *PEM_BODY, "Zm9v==", "-----END PRIVATE KEY-----"])


def load_generator(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_secrets", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


# --- the fixture ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def planted() -> dict[str, Any]:
    document: dict[str, Any] = json.loads((SECRETS / "secrets.json").read_text(encoding="utf-8"))
    return document


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    return {name: (SECRETS / name).read_text(encoding="utf-8") for name in LOGS}


@pytest.fixture(scope="module")
def redacted(texts: dict[str, str]) -> tuple[Redactor, dict[str, str]]:
    """Both files through one redactor, as one conversation would see them."""
    redactor = Redactor()
    return redactor, {name: redactor.redact(text) for name, text in texts.items()}


def test_regenerating_with_the_default_seed_is_byte_identical(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    generator = load_generator(monkeypatch)
    assert generator.main(["--out", str(tmp_path)]) == 0
    capsys.readouterr()
    assert {path.name for path in tmp_path.iterdir()} == GENERATED
    for name in sorted(GENERATED):
        assert (tmp_path / name).read_bytes() == (SECRETS / name).read_bytes(), name


def test_another_seed_plants_other_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    generator = load_generator(monkeypatch)
    assert generator.main(["--seed", "12", "--out", str(tmp_path)]) == 0
    capsys.readouterr()
    theirs = json.loads((tmp_path / "secrets.json").read_text(encoding="utf-8"))
    ours = json.loads((SECRETS / "secrets.json").read_text(encoding="utf-8"))

    def generated(document: dict[str, Any]) -> set[str]:  # e-mail addresses come from a list
        return {s["value"] for s in document["secrets"] if s["kind"] != "email"}

    assert not generated(theirs) & generated(ours)


def test_the_fixture_is_realistic_and_plants_every_kind(
    planted: dict[str, Any], texts: dict[str, str]
) -> None:
    assert 400 <= texts["app-with-secrets.log"].count("\n") <= 800
    assert 300 <= texts["nginx-access.log"].count("\n") <= 600
    # SSNs came after the fixture: `test_redaction_boundary.py` plants them (and every kind)
    assert {secret["kind"] for secret in planted["secrets"]} == set(KINDS) - {"ip", "ssn"}
    for secret in planted["secrets"]:  # every value listed is really in its file
        assert secret["value"] in texts[secret["file"]], secret
    assert all(any(ip in text for text in texts.values()) for ip in planted["ips"])
    # the incident is there to be analysed, too
    app = texts["app-with-secrets.log"]
    assert 'FATAL: password authentication failed for user "orders_app"' in app
    assert "HikariPool-1 - Connection is not available, request timed out after 30000ms" in app
    assert '" 503 213 "' in texts["nginx-access.log"]


def windows(value: str, size: int = 12) -> set[str]:
    return {value[i : i + size] for i in range(len(value) - size + 1)}


def test_no_planted_secret_reaches_the_model(
    planted: dict[str, Any], redacted: tuple[Redactor, dict[str, str]]
) -> None:
    _, out = redacted
    everything = "\n".join(out.values())
    pieces = windows(everything)
    for secret in planted["secrets"]:
        value = secret["value"]
        assert value not in everything, secret
        if secret["kind"] not in ("email", "card"):  # random values: no piece may survive either
            for piece in windows(value.replace("\\n", "\n")):
                if "\n" not in piece and "-----" not in piece:
                    assert piece not in pieces, (secret["where"], piece)
        if secret["kind"] == "card":
            assert re.sub(r"[ -]", "", value) not in everything


def test_each_secret_gets_a_placeholder_of_its_kind(
    planted: dict[str, Any], redacted: tuple[Redactor, dict[str, str]]
) -> None:
    redactor, out = redacted
    issued = {redactor.restore(p): p for text in out.values() for p in PLACEHOLDER.findall(text)}
    for secret in planted["secrets"]:
        assert issued[secret["value"]].startswith(f"<{secret['kind']}-"), secret
    kinds = {secret["kind"] for secret in planted["secrets"]}
    assert set(redactor.counts) == kinds
    assert sum(redactor.counts.values()) == len(issued) == len(planted["secrets"])


def test_restore_gives_the_files_back_byte_for_byte(
    texts: dict[str, str], redacted: tuple[Redactor, dict[str, str]]
) -> None:
    redactor, out = redacted
    for name, text in texts.items():
        assert out[name] != text
        assert redactor.restore(out[name]) == text


def test_what_an_investigation_needs_stays_readable(
    texts: dict[str, str], redacted: tuple[Redactor, dict[str, str]], planted: dict[str, Any]
) -> None:
    _, out = redacted
    app, redacted_app = texts["app-with-secrets.log"], out["app-with-secrets.log"]
    readable = [
        r"traceId=[0-9a-f]{32}",
        r"spanId=[0-9a-f]{16}",
        r"requestId=[0-9a-f-]{36}",
        r'x-request-id:"[0-9a-f]{32}"',
        r"/api/orders/[0-9a-f-]{36}",
        r"commit [0-9a-f]{40}",
        r"Invoice [0-9]{16}",  # 16 digits starting like a Visa card, failing the Luhn check
        r"\(\w+\.java:\d+\)",
        r"^2026-03-14T\d\d:\d\d:\d\d\.\d{3}Z +[A-Z]+ 1 --- \[orders-api\] \[[^]]+\] \S+",
        r"PgConnection@[0-9a-f]{8}",
        r"pspReference=pi_\w+",
        r"order \d{9}",
        r"\d+ms \(",
        r"password=<masked>&sslmode=require",
    ]
    for pattern in readable:
        found = re.findall(pattern, app, re.MULTILINE)
        assert found, pattern
        for value in found:
            assert value in redacted_app, value
    for kept in (
        "spring.datasource.password=<",
        "aws.secretAccessKey=<",
        "(X-Api-Key: <",
        '"attempted_password":"<',
        "redis://default:<",
        "@redis-master.cache.svc.cluster.local:6379/0",
        'WWW-Authenticate: Bearer error="invalid_token"',
        "spring.datasource.username=orders_app",
        "password........................<masked>",
    ):
        assert kept in redacted_app, kept
    for ip in planted["ips"]:  # addresses are evidence: kept unless asked
        assert any(ip in text for text in out.values()), ip


def test_ips_go_only_when_asked(texts: dict[str, str], planted: dict[str, Any]) -> None:
    redactor = Redactor(ips=True)
    out = {name: redactor.redact(text) for name, text in texts.items()}
    for ip in planted["ips"]:
        assert all(ip not in text for text in out.values()), ip
    assert redactor.counts["ip"] == len(planted["ips"])
    assert "Chrome/134.0.0.0" in out["nginx-access.log"]  # a version, not an address
    assert all(redactor.restore(out[name]) == text for name, text in texts.items())


def test_redacting_twice_changes_nothing(redacted: tuple[Redactor, dict[str, str]]) -> None:
    redactor, out = redacted
    counts = redactor.counts
    for text in out.values():
        assert redactor.redact(text) == text
        assert Redactor(ips=False).redact(text) == text
    assert redactor.counts == counts


def test_sixteen_kilobytes_redact_in_well_under_a_millisecond_per_kilobyte(
    texts: dict[str, str],
) -> None:
    chunk = texts["app-with-secrets.log"][: 16 * 1024]
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        Redactor().redact(chunk)
        best = min(best, time.perf_counter() - started)
    assert best < 0.016, f"{best * 1000:.1f} ms for 16 KB"


# --- each rule on its own -------------------------------------------------------------------------
EXAMPLES = [
    # credentials in URLs: the user and the host stay
    (
        "connecting to postgres://orders:Tr0ub4dor-3x@db.internal:5432/orders",
        "connecting to postgres://orders:<password-1>@db.internal:5432/orders",
    ),
    ("redis://:s3cr3t@cache:6379/0", "redis://:<password-1>@cache:6379/0"),
    ("amqp://guest:p@ss@rabbit:5672/", "amqp://guest:<password-1>@rabbit:5672/"),
    # key=value pairs, any case, any of the forms logs use: only the value goes
    ("password=hunter22 user=bob", "password=<password-1> user=bob"),
    ("PASSWD=hunter22", "PASSWD=<password-1>"),
    ("pwd=hunter22&user=bob", "pwd=<password-1>&user=bob"),
    ("client_secret=9a8b7c6d5e4f", "client_secret=<password-1>"),
    ("token=9a8b7c6d5e4f3a2b1c0d", "token=<password-1>"),
    ("?api_key=abcd1234efgh&page=2", "?api_key=<password-1>&page=2"),
    ("apikey=abcd1234efgh", "apikey=<password-1>"),
    ("access_token=opaque-7f3c9a1b2c", "access_token=<password-1>"),
    ("secret=changeme", "secret=<password-1>"),
    ("spring.datasource.password=secret", "spring.datasource.password=<password-1>"),
    ("DB_PASSWORD=hunter22", "DB_PASSWORD=<password-1>"),
    ("User{name=bob, dbPassword=hunter22}", "User{name=bob, dbPassword=<password-1>}"),
    ('{"password": "p a\\"ss", "user": "bob"}', '{"password": "<password-1>", "user": "bob"}'),
    ("{'password': 'hunter 22'}", "{'password': '<password-1>'}"),
    ('{\\"password\\":\\"hunter22\\"}', '{\\"password\\":\\"<password-1>\\"}'),
    ("  password: hunter22", "  password: <password-1>"),
    ("password => 'hunter22'", "password => '<password-1>'"),
    ("X-Api-Key: abcd1234efgh", "X-Api-Key: <password-1>"),
    (
        "?X-Amz-Signature=9f86d081884c7d65&sig=Yz6d%2Bk",
        "?X-Amz-Signature=<password-1>&sig=<password-2>",
    ),
    ("{bcrypt}$2a$10$abc", "{bcrypt}$2a$10$abc"),  # no key: not a secret by itself
    ("password={bcrypt}$2a$10$abc", "password=<password-1>"),
    # Authorization headers: the scheme stays when it is a known one
    ("Authorization: Basic dXNlcjpwYXNzd29yZA==", "Authorization: Basic <token-1>"),
    ("Authorization: Bearer abc123.def456", "Authorization: Bearer <token-1>"),
    ("Authorization: Token 9944b09199c62bcf", "Authorization: Token <token-1>"),
    ("Authorization: Splunk 12ab-34cd", "Authorization: <token-1>"),
    ("curl -H 'Authorization: Bearer abc123def'", "curl -H 'Authorization: Bearer <token-1>'"),
    ('headers=[authorization:"Bearer abc123def"]', 'headers=[authorization:"Bearer <token-1>"]'),
    ('"Authorization":"Basic Zm9vOmJhcg=="', '"Authorization":"Basic <token-1>"'),
    ("sent with bearer 9f8e7d6c5b4a", "sent with bearer <token-1>"),
    # vendor keys, wherever they are
    (f"stripe key {STRIPE}", "stripe key <token-1>"),
    (f"rk_live_{STRIPE[8:]}", "<token-1>"),
    (f"OPENAI_API_KEY={OPENAI}", "OPENAI_API_KEY=<token-1>"),
    (f"https://{GITHUB}@github.com/acme/x.git", "https://<token-1>@github.com/acme/x.git"),
    (f"token {SLACK} for #alerts", "token <token-1> for #alerts"),
    (f"maps?key={GOOGLE}&q=Paris", "maps?key=<token-1>&q=Paris"),
    (f"PRIVATE-TOKEN: {GITLAB}", "PRIVATE-TOKEN: <token-1>"),
    # AWS
    (f"aws.accessKeyId={AWS_ID}", "aws.accessKeyId=<aws-key-1>"),
    (f"credentials ASIA{AWS_ID[4:]} expire", "credentials <aws-key-1> expire"),
    (f"aws_secret_access_key = {AWS_SECRET}", "aws_secret_access_key = <aws-key-1>"),
    (f"AWS_SECRET_ACCESS_KEY={AWS_SECRET}", "AWS_SECRET_ACCESS_KEY=<aws-key-1>"),
    (f'"SecretAccessKey": "{AWS_SECRET}"', '"SecretAccessKey": "<aws-key-1>"'),
    # JWTs, bare or behind a key: typed by their shape
    (f"token issued: {JWT}", "token issued: <jwt-1>"),
    (f"Authorization: Bearer {JWT}", "Authorization: Bearer <jwt-1>"),
    (f"GET /api?access_token={JWT} HTTP/1.1", "GET /api?access_token=<jwt-1> HTTP/1.1"),
    # e-mail addresses, also URL-encoded
    ("mail sent to alice.martin@example.org.", "mail sent to <email-1>."),
    ("?email=bob%40example.com&x=1", "?email=<email-1>&x=1"),
    ("<carol+orders@mail.example.co.uk>", "<<email-1>>"),
    # card numbers passing the Luhn check, and their security codes
    ("card 4111 1111 1111 1111 exp 12/27", "card <card-1> exp 12/27"),
    ("card=5555-5555-5555-4444", "card=<card-1>"),
    ('"pan":"4111111111111111"', '"pan":"<card-1>"'),
    ("amex 378282246310005", "amex <card-1>"),
    ('"cvc":"123"', '"cvc":"<card-1>"'),
    # PEM private keys: the whole block, with its headers, or as far as it goes
    (f"key:\n{PEM}\nnext line", "key:\n<private-key-1>\nnext line"),
    (
        "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,A1B2\n\n"
        f"{PEM_BODY[0]}\n-----END RSA PRIVATE KEY-----",
        "<private-key-1>",
    ),
    (
        '{"private_key": "' + PEM.replace("\n", "\\n") + '\\n", "client_id": "1"}',
        '{"private_key": "<private-key-1>", "client_id": "1"}',
    ),
    (
        '{\\"private_key\\": \\"-----BEGIN PRIVATE KEY-----\\\\n' + PEM_BODY[0] + "\\\\nMIIE",
        '{\\"private_key\\": \\"<private-key-1>',
    ),
]


@pytest.mark.parametrize(("text", "expected"), EXAMPLES)
def test_redacts(text: str, expected: str) -> None:
    redactor = Redactor()
    out = redactor.redact(text)
    assert out == expected
    assert redactor.redact(out) == out  # idempotent
    assert redactor.restore(out) == text


NOT_SECRETS = [
    "trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7",
    "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    "X-Request-ID: 7f3c9a1b-2d4e-4f60-8a1b-9c0d1e2f3a4b",
    "cart 6a3668a3-6fa5-44d3-b6ee-b849b3712251 loaded",
    "deployed commit 9fceb02d0ae598e95dc970b74767f19372d61af8 (9fceb02)",
    "object id 0x7f3c2a91 at 7ffd5e8c",
    "2026-03-14T09:10:35.123Z ERROR 1 --- [orders-api] [nio-8080-exec-1] c.a.Foo : failed",
    "2026-11-28 13:45:00,486 - payments.api - WARNING - slow",
    '{"time":1773478800000,"level":50}',
    "listening on 0.0.0.0:8080, db at orders-db.prod.svc.cluster.local:5432",
    "took 30000ms, 8.917 seconds, 12 ms, 3.5GB",
    "order 4111111111111112 and 4111 1111 1111 1112",
    "at com.acme.orders.web.OrderController.get(OrderController.java:87) ~[classes!/:3.8.1]",
    'File "/app/payments/api.py", line 42, in authorize',
    "/var/log/nginx/access.log /etc/ssl/private/server.key",
    "ERROR WARN INFO DEBUG TRACE FATAL",
    'FATAL: password authentication failed for user "orders_app"',
    "password........................<masked>",
    "jdbc:postgresql://db:5432/orders?user=app&password=<masked>",
    "password=**** token=[REDACTED] secret=null apikey=${API_KEY} pwd=%s",
    "Credentials=[PROTECTED], Authenticated=false",
    "Access denied for user 'app'@'10.0.0.5' (using password: YES)",
    "PWD=/srv/app HOME=/home/app",
    "max_tokens=4096 tokens=12 token_count=3 password_reset_url=/reset secretName=orders-db",
    'WWW-Authenticate: Bearer error="invalid_token", Bearer realm="api"',
    "Bearer token expired; Basic authentication required",
    "HikariPool-1 - Added connection org.postgresql.jdbc.PgConnection@5d3b2c1a",
    '{"signature":"redis-bgsave-fork-failed","group_id":"dabd99fbb1ae"} signature=abc',  # ours
    "pspReference=pi_3QY3XsKsNg0IlOjdPtDb9S6d Request-Id: req_8fJ2kLmN0pQr",
    "Idempotency-Key: 0c4b8f5e-6a41-4c2b-9d8e-1f2a3b4c5d6e",
    "client 10.42.3.17 and 2001:db8::1 (addresses: kept by default)",
    "lettuce-core-6.6.0.RELEASE.jar Chrome/134.0.0.0 std::vector MAC 00:1a:2b:3c:4d:5e",
    "1@checkout-7d9f8c6b5-x2k4q disk-full task-queue",
    "search for <email-1> and <token-3> (placeholders the model wrote)",
]


@pytest.mark.parametrize("text", NOT_SECRETS)
def test_keeps(text: str) -> None:
    redactor = Redactor()
    assert redactor.redact(text) == text
    assert redactor.counts == {}


# --- placeholders ---------------------------------------------------------------------------------
def test_same_value_same_placeholder_across_calls_and_kinds_numbered_apart() -> None:
    redactor = Redactor()
    first = redactor.redact("login failed for alice@example.org, password=one111")
    second = redactor.redact("alice@example.org again; bob@example.org; password=two222")
    third = redactor.redact('{"user": "bob@example.org", "password": "one111"}')
    assert first == "login failed for <email-1>, password=<password-1>"
    assert second == "<email-1> again; <email-2>; password=<password-2>"
    assert third == '{"user": "<email-2>", "password": "<password-1>"}'
    assert redactor.counts == {"password": 2, "email": 2}


def test_restore_puts_back_only_what_this_redactor_issued() -> None:
    redactor = Redactor()
    redactor.redact("alice@example.org " + STRIPE)
    other = Redactor()
    other.redact("carol@example.org dave@example.org")
    assert redactor.restore("search <email-1> and <token-1>") == (
        "search alice@example.org and " + STRIPE
    )
    assert redactor.restore("<email-2> <password-1> <email-01> <e-1>") == (
        "<email-2> <password-1> <email-01> <e-1>"
    )
    assert redactor.restore("no placeholders") == "no placeholders"
    assert Redactor().restore("<email-1>") == "<email-1>"


def test_counts_distinct_values_per_kind_in_kind_order() -> None:
    redactor = Redactor(ips=True)
    redactor.redact(f"10.0.0.1 10.0.0.1 bob@example.org {JWT} {JWT} password=x1 password=x2")
    assert list(redactor.counts.items()) == [("jwt", 1), ("password", 2), ("email", 1), ("ip", 1)]


# --- the checks a regex cannot make ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("digits", "valid"),
    [
        ("4111111111111111", True),
        ("4111111111111112", False),
        ("5555555555554444", True),
        ("378282246310005", True),
        ("6011111111111117", True),
        ("79927398713", True),
        ("79927398710", False),
    ],
)
def test_luhn(digits: str, valid: bool) -> None:
    assert luhn_valid(digits) is valid


def test_a_private_key_cut_off_before_its_end_line_is_redacted_to_where_it_stops() -> None:
    cut = "\n".join(["-----BEGIN OPENSSH PRIVATE KEY-----", *PEM_BODY[:3], PEM_BODY[3][:17]])
    for tail in ("", "\n2026-03-14T09:00:05.004Z ERROR 1 --- next record", "\n\tat com.acme.X"):
        redactor = Redactor()
        out = redactor.redact("key was: " + cut + tail)
        assert out == "key was: <private-key-1>" + tail
        assert not any(line in out for line in PEM_BODY)


def test_ips_only_with_ips_true() -> None:
    text = "from 203.0.113.7:51844 via [2001:db8:85a3::8a2e:370:7334]:443 and ::ffff:10.1.2.3"
    assert Redactor().redact(text) == text
    redactor = Redactor(ips=True)
    assert redactor.redact(text) == "from <ip-1>:51844 via [<ip-2>]:443 and <ip-3>"
    assert redactor.redact("again 203.0.113.7") == "again <ip-1>"
    kept = (
        "12:30:05.123 v1.2.3 999.1.1.1 00:1a:2b:3c:4d:5e Foo::bar dead::beef Chrome/134.0.0.0 "
        'serial="5f:3a:91:0c:7e:22:b4:d1"'
    )
    assert redactor.redact(kept) == kept
