"""The JSON dialects' declarative signatures (`families/json.toml`) against the lambdas they
replaced, on objects as the loggers write them and on near misses; and the dialect keys a
definition reads (integer level values, `"*"` in key lists, errors at load)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from log_analyzer.errors import FormatError
from log_analyzer.formats.definitions import build_formats
from log_analyzer.formats.json_signature import compile_signature
from log_analyzer.formats.structured import JSON_DIALECTS, JsonFormat
from log_analyzer.timestamps import Clock


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# The signatures as they were written in Python before the dialects moved to json.toml.
REFERENCE: dict[str, Callable[[dict[str, Any]], bool]] = {
    "journald-json": lambda o: "__REALTIME_TIMESTAMP" in o and "MESSAGE" in o,
    "bunyan": lambda o: (
        o.get("v") == 0 and "name" in o and "hostname" in o and _is_int(o.get("level"))
    ),
    "mongodb-json": lambda o: isinstance(o.get("t"), dict) and "s" in o and "c" in o and "msg" in o,
    "nextcloud": lambda o: "reqId" in o and _is_int(o.get("level")) and "app" in o,
    "serilog-clef": lambda o: "@t" in o and ("@m" in o or "@mt" in o),
    "pino": lambda o: _is_int(o.get("level")) and _is_int(o.get("time")),
    "zap": lambda o: isinstance(o.get("ts"), float | int) and isinstance(o.get("level"), str),
    "ecs": lambda o: "log.level" in o or "ecs.version" in o or "ecs" in o,
    "logstash": lambda o: "@version" in o and "@timestamp" in o,
    "log4j2-json": lambda o: ("instant" in o or "timeMillis" in o) and "loggerName" in o,
    "gcp": lambda o: "severity" in o,
    "structlog": lambda o: isinstance(o.get("event"), str),
}

# (the dialect that wrote it, or None for a near miss no signature should single out; line)
LINES = [
    (
        "journald-json",
        '{"__CURSOR":"s=5f1c2a;i=1a2b;b=9c1e;m=3b9aca00;t=5f6e;x=77aa","__REALTIME_TIMESTAMP":'
        '"1795874523118442","__MONOTONIC_TIMESTAMP":"1000000000","_BOOT_ID":"9c1e","PRIORITY":'
        '"6","_UID":"0","_PID":"812","_COMM":"sshd","SYSLOG_IDENTIFIER":"sshd","_SYSTEMD_UNIT":'
        '"ssh.service","MESSAGE":"Accepted publickey for deploy from 10.0.0.7 port 51234 ssh2"}',
    ),
    (  # journald writes a message that is not UTF-8 as an array of bytes
        "journald-json",
        '{"__REALTIME_TIMESTAMP":"1795874523118442","PRIORITY":"3","SYSLOG_IDENTIFIER":"app",'
        '"MESSAGE":[98,97,100,255]}',
    ),
    (
        "bunyan",
        '{"name":"cart-api","hostname":"cart-7d9f","pid":18,"level":50,"err":{"message":'
        '"connect ECONNREFUSED 10.0.3.12:6379","name":"Error","stack":"Error: connect '
        'ECONNREFUSED"},"msg":"redis unavailable","time":"2026-11-28T14:02:03.118Z","v":0}',
    ),
    (  # pino with a `name`: no `v`, its `time` an epoch
        "pino",
        '{"level":30,"time":1795874523118,"pid":18,"hostname":"cart-7d9f","name":"cart-api",'
        '"reqId":"req-1","msg":"request completed"}',
    ),
    (
        "mongodb-json",
        '{"t":{"$date":"2026-11-28T14:02:03.118+00:00"},"s":"I","c":"NETWORK","id":22943,'
        '"ctx":"listener","msg":"Connection accepted","attr":{"remote":"10.0.0.7:51234",'
        '"connectionCount":12}}',
    ),
    (  # a time that is text, not MongoDB's `{"$date": ...}`
        None,
        '{"t":"2026-11-28T14:02:03.118Z","s":"E","c":"STORAGE","msg":"disk full"}',
    ),
    (
        "nextcloud",
        '{"reqId":"Xk2fQ0aZt9","level":4,"time":"2026-11-28T14:02:03+00:00","remoteAddr":'
        '"10.0.0.7","user":"alice","app":"core","method":"GET","url":"/index.php","message":'
        '"Database error","userAgent":"Mozilla/5.0","version":"29.0.4.1"}',
    ),
    (  # a request id and an app, but the level is a word
        None,
        '{"reqId":"7f3a","level":"error","app":"billing","message":"invoice export failed"}',
    ),
    (
        "serilog-clef",
        '{"@t":"2026-11-28T14:02:03.1180000Z","@mt":"Payment {PaymentId} declined",'
        '"@l":"Warning","PaymentId":8812}',
    ),
    (
        "serilog-clef",
        '{"@t":"2026-11-28T14:02:03.1180000Z","@m":"Payment 8812 declined","@i":"a1b2c3d4"}',
    ),
    (  # CLEF's time and exception without a message or its template
        None,
        '{"@t":"2026-11-28T14:02:03.1180000Z","@l":"Error","@x":"System.TimeoutException"}',
    ),
    (  # pino with `timestamp: pino.stdTimeFunctions.isoTime`
        None,
        '{"level":40,"time":"2026-11-28T14:02:03.118Z","pid":18,"msg":"slow downstream"}',
    ),
    (  # pino with a level formatter: the level as a word
        None,
        '{"level":"error","time":1795874523118,"pid":18,"msg":"upstream failed"}',
    ),
    (  # zap with `EpochMillisTimeEncoder`: an integer time is a number too
        "zap",
        '{"level":"error","ts":1795874523118,"caller":"cart/store.go:88","msg":"get failed"}',
    ),
    (
        "zap",
        '{"level":"error","ts":1795874523.118442,"caller":"cart/store.go:88","msg":'
        '"redis get failed","error":"dial tcp 10.0.3.12:6379: i/o timeout","stacktrace":'
        '"main.run\\n\\t/app/main.go:42"}',
    ),
    (  # zap's development encoder: an ISO time
        None,
        '{"level":"warn","ts":"2026-11-28T14:02:03.118Z","msg":"retrying"}',
    ),
    (  # a level that is a boolean is no level word, nor an int
        None,
        '{"level":true,"time":1795874523118,"ts":1795874523,"msg":"flag"}',
    ),
    (
        "ecs",
        '{"@timestamp":"2026-11-28T14:02:03.118Z","log.level":"error","message":'
        '"Payment declined","ecs.version":"1.6.0","service.name":"payments","trace.id":'
        '"4bf92f3577b34da6a3ce929d0e0e4736"}',
    ),
    (  # ECS nested, as Filebeat ships it
        "ecs",
        '{"@timestamp":"2026-11-28T14:02:03.118Z","log":{"level":"error","logger":"pay"},'
        '"ecs":{"version":"8.11.0"},"message":"Payment declined"}',
    ),
    (  # a nested `log.level` without ECS's version: the key is not the flat `log.level`
        None,
        '{"@timestamp":"2026-11-28T14:02:03.118Z","log":{"level":"error"},"message":"x"}',
    ),
    (
        "logstash",
        '{"@timestamp":"2026-11-28T14:02:03.118+01:00","@version":"1","message":'
        '"Cart lookup failed","logger_name":"c.e.CartService","thread_name":'
        '"http-nio-8080-exec-1","level":"ERROR","level_value":40000}',
    ),
    (
        "log4j2-json",
        '{"instant":{"epochSecond":1795874523,"nanoOfSecond":118000000},"thread":"main",'
        '"level":"ERROR","loggerName":"com.example.Orders","message":"Order sync failed",'
        '"endOfBatch":false,"loggerFqcn":"org.apache.logging.log4j.spi.AbstractLogger"}',
    ),
    (
        "log4j2-json",
        '{"timeMillis":1795874523118,"thread":"main","level":"WARN","loggerName":'
        '"com.example.Orders","message":"Retrying","threadId":1,"threadPriority":5}',
    ),
    (  # an instant, but the logger under another key
        None,
        '{"instant":{"epochSecond":1795874523,"nanoOfSecond":0},"logger":"orders","msg":"x"}',
    ),
    (
        "gcp",
        '{"severity":"ERROR","message":"Quota exceeded","time":"2026-11-28T14:02:03.118Z",'
        '"logging.googleapis.com/trace":"projects/shop/traces/4bf92f3577b34da6"}',
    ),
    (
        "structlog",
        '{"event":"charge failed","level":"error","timestamp":"2026-11-28T14:02:03.118442Z",'
        '"logger":"shop.payments","order_id":8812}',
    ),
    (  # an analytics event: an object under `event`
        None,
        '{"event":{"type":"checkout","cart":17},"userId":"u-812","sentAt":"2026-11-28"}',
    ),
    (None, '{"time":"2026-11-28T14:02:03Z","lvl":"warn","message":"slow query"}'),
    (None, '{"log":"GET /healthz 200\\n","stream":"stdout","time":"2026-11-28T14:02:03Z"}'),
    (None, '{"job":"nightly-backup","exit_code":0}'),
]

OBJECTS = [(writer, json.loads(line)) for writer, line in LINES]
DIALECTS = {dialect.name: dialect for dialect in JSON_DIALECTS}


def test_every_signature_has_its_reference_and_the_last_dialect_reads_any_object() -> None:
    signed = {dialect.name for dialect in JSON_DIALECTS if dialect.signature is not None}
    assert signed == set(REFERENCE)
    assert JSON_DIALECTS[-1].signature is None


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_the_declarative_signature_answers_as_the_lambda_did(name: str) -> None:
    signature = DIALECTS[name].signature
    assert signature is not None
    for writer, obj in OBJECTS:
        assert signature(obj) == REFERENCE[name](obj), (name, obj)
        if writer == name:
            assert signature(obj), (name, obj)


def test_near_misses_are_no_dialects_and_each_object_is_its_writers() -> None:
    for writer, obj in OBJECTS:
        claimed = {
            dialect.name
            for dialect in JSON_DIALECTS
            if dialect.signature is not None and dialect.signature(obj)
        }
        if writer is None:
            assert claimed == set(), obj
        else:
            assert writer in claimed, obj


def test_a_boolean_is_no_number() -> None:
    # the one answer that changed: the old zap lambda took `true` for a time (bool is an int
    # in Python); JSON's `true` is no number, and no zap record writes one
    obj = json.loads('{"level":"info","ts":true,"msg":"x"}')
    assert REFERENCE["zap"](obj)
    zap = DIALECTS["zap"].signature
    assert zap is not None and not zap(obj)


def test_integer_level_keys_match_integer_levels() -> None:
    # Nextcloud's 4 is fatal and 0 debug, where syslog's 4 is a warning and 0 an emergency
    nextcloud = DIALECTS["nextcloud"]
    clock = Clock(reference=datetime(2026, 11, 28, 15, 0, tzinfo=UTC))
    for number, level in ((4, "fatal"), (0, "debug"), (2, "warning")):
        line = (
            f'{{"reqId":"Xk2fQ0aZt9","level":{number},"time":"2026-11-28T14:02:03+00:00",'
            '"app":"core","message":"Database error"}'
        )
        parsed = nextcloud.parse(line, clock)
        assert parsed is not None and parsed.level == level


DEFINITION = """
[[format]]
name = "acme-json"
title = "ACME's JSON lines"
signature = { keys = ["svc"], types = { sev = "int" } }
service_keys = ["svc", "*"]
level_keys = ["sev"]
levels = { 1 = "warning", 2 = "error", -1 = "debug", crit = "fatal" }
priority = 94

[[format.sample]]
line = '{"svc":"billing","sev":2,"msg":"invoice export failed"}'
level = "error"
"""


def test_a_dialect_defined_in_a_file_reads_its_keys() -> None:
    (dialect,) = build_formats("acme.toml", DEFINITION, {}, JsonFormat)
    assert isinstance(dialect, JsonFormat)
    clock = Clock()
    for line, level, service in (
        ('{"svc":"billing","sev":2,"msg":"invoice export failed"}', "error", "billing"),
        ('{"svc":"billing","sev":-1,"msg":"cache hit"}', "debug", "billing"),
        ('{"svc":"","service":"cart","sev":1,"msg":"slow"}', "warning", "cart"),
    ):
        parsed = dialect.parse(line, clock)
        assert parsed is not None and (parsed.level, parsed.service) == (level, service)
    # the map's text keys stay text: a level written "2" is no integer 2
    parsed = dialect.parse('{"svc":"billing","sev":"crit","msg":"down"}', clock)
    assert parsed is None  # the signature wants an integer `sev`
    assert dialect.levels == {1: "warning", 2: "error", -1: "debug", "crit": "fatal"}


@pytest.mark.parametrize(
    ("signature", "problem"),
    [
        ('{ key = ["svc"] }', "unknown signature keys ['key']"),
        ('{ types = { sev = "integer" } }', "signature type of 'sev' must be one of"),
        ('{ keys = "svc" }', "signature keys must be a list of strings"),
        ("{ values = { v = 0.5 } }", "signature value of 'v' must be"),
        ("{}", "an empty signature"),
        ('["svc"]', "signature must be a table"),
    ],
)
def test_a_bad_signature_fails_at_load_naming_the_file_and_format(
    signature: str, problem: str
) -> None:
    text = f'[[format]]\nname = "acme-json"\nsignature = {signature}\npriority = 90\n'
    with pytest.raises(FormatError, match=r"acme\.toml, format 'acme-json'") as caught:
        build_formats("acme.toml", text, {}, JsonFormat)
    assert problem in str(caught.value)


def test_keys_and_values_are_quoted_never_run() -> None:
    # a key that looks like code is compared as text
    signature = compile_signature({"keys": ["') or True or ('"], "values": {"x": "' + '"}})
    assert not signature({"msg": "x"})
    assert signature({"') or True or ('": 1, "x": "' + '"})
