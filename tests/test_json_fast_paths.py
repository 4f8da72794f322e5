"""The shortcuts of the JSON lines reader (`load_json`, `JsonFormat.parse_object`) and of the
clock's reading of structured time values (`epoch_to_datetime`, `Clock.from_value`) must
never change an answer.

Each is checked against the plain reading it replaced, kept here as it was: on the bundled
incidents and format fixtures (real software's lines), on every format's samples, and on
seeded random objects and lines built from the very keys, values and shapes the shortcuts
look for (key layouts that repeat with other values, dotted keys flat and nested, levels of
every type, epochs of every size and type, whitespace and junk after an object, surrogates).
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from log_analyzer.formats import structured
from log_analyzer.formats.base import Parsed
from log_analyzer.formats.json_reader import (
    _ERROR_KEYS,
    _LEVEL_KEYS,
    _MESSAGE_KEYS,
    _SERVICE_KEYS,
    _STATUS_KEYS,
    _TIME_KEYS,
    MAX_JSON_DEPTH,
    MAX_LAYOUTS,
    JsonFormat,
    _error_text,
    _first,
    _payload_message,
    _status_level,
    _without_surrogates,
    is_instant,
    json_too_deep,
    load_json,
    lookup,
)
from log_analyzer.formats.registry import FORMATS
from log_analyzer.formats.structured import JSON_DIALECTS, LOGFMT
from log_analyzer.formats.trace_context import extract_ids
from log_analyzer.levels import infer_level, normalize_level
from log_analyzer.timestamps import Clock, epoch_to_datetime

from .conftest import FIXTURES

SEEDS = (1, 2, 3, 4, 5)
INCIDENTS = sorted(p for p in (FIXTURES / "incidents").iterdir() if p.is_dir())
INCIDENTS.append(FIXTURES / "incident")
FORMAT_FILES = sorted((FIXTURES / "formats").glob("*.log"))
REFERENCE = datetime(2026, 11, 28, 15, 0, tzinfo=UTC)


# -- the plain readings, as they were ------------------------------------------------------


def plain_load_json(text: str) -> Any:
    """`load_json` as it was: `json.loads`, and the two surrogate tests."""
    if json_too_deep(text):
        raise ValueError(f"JSON nested deeper than {MAX_JSON_DEPTH}")
    try:
        found = json.loads(text)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    if "\\ud" in text or "\\uD" in text:
        return _without_surrogates(found)
    return found


def plain_epoch_to_datetime(value: float | int | str) -> datetime | None:
    """`epoch_to_datetime` as it was: every value through a float."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    magnitude = abs(number)
    if magnitude >= 1e17:
        number /= 1e9
    elif magnitude >= 1e14:
        number /= 1e6
    elif magnitude >= 1e11:
        number /= 1e3
    try:
        return datetime.fromtimestamp(number, UTC)
    except (OverflowError, OSError, ValueError):
        return None


class PlainClock(Clock):
    """`Clock.from_value` as it was: `isinstance` tests, the plain epoch reading."""

    def from_value(self, value: object) -> datetime | None:
        if isinstance(value, bool) or value is None:
            return None
        if isinstance(value, int | float):
            when = plain_epoch_to_datetime(value)
            if when is not None and when.year * 12 + when.month != self._seen:
                self._stated(when)
            return when
        if isinstance(value, dict):
            if "$date" in value:
                inner = value["$date"]
                if isinstance(inner, dict):
                    inner = inner.get("$numberLong")
                return self.from_value(inner)
            seconds: Any = value.get("epochSecond", value.get("seconds"))
            nanos: Any = value.get("nanoOfSecond", value.get("nanos", 0)) or 0
            try:
                return self._stated(plain_epoch_to_datetime(float(seconds) + float(nanos) / 1e9))
            except (TypeError, ValueError):
                return None
        text = str(value).strip()
        if not text:
            return None
        if text[0].isdigit() and text.replace(".", "", 1).isdigit():
            return self._stated(plain_epoch_to_datetime(text))
        return Clock.from_value(self, text)  # text: the same code then (`_from_iso`, stamps)


_PlainLayout = tuple[
    tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]
]


class PlainJsonFormat(JsonFormat):
    """`JsonFormat.decode` and `parse_object` as they were: `_first` per role, a level
    normalised per line, the fields by a comprehension."""

    def __init__(self, dialect: JsonFormat) -> None:
        super().__init__(
            dialect.name,
            dialect.title,
            dialect.signature,
            priority=dialect.priority,
            samples=dialect.samples,
            service_keys=dialect.service_keys,
            levels=dialect.levels,
            level_keys=dialect.level_keys,
            default_level=dialect.default_level,
        )
        self._plain_layouts: dict[tuple[str, ...], _PlainLayout] = {}

    def decode(self, line: str) -> dict[str, Any] | None:
        if line is self._last_line:
            return self._last_obj
        obj: Any = None
        stripped = line.lstrip()
        if stripped.startswith("{"):
            try:
                obj = plain_load_json(stripped)
            except ValueError:
                obj = None
        self._last_line = line
        self._last_obj = obj if isinstance(obj, dict) else None
        return self._last_obj

    def parse_object(self, obj: dict[str, Any], clock: Clock) -> Parsed:
        time_keys, level_keys, message_keys, service_keys, error_keys = self._plain_layout(obj)
        time_key, time_value = _first(obj, time_keys)
        level_key, raw_level = _first(obj, level_keys)
        message_key, message_value = _first(obj, message_keys)
        service_key, service = _first(obj, service_keys)
        message = (
            message_value
            if isinstance(message_value, str)
            else (json.dumps(message_value) if message_value is not None else "")
        )
        message = message.rstrip("\n")
        if not message_key:
            message = _payload_message(obj)
        level = None
        if raw_level is not None:
            if self.levels and isinstance(raw_level, str | int):
                level = self.levels.get(raw_level)
            level = level or normalize_level(raw_level)
        elif self.default_level is not None:
            level = self.default_level
        if level is None:
            level = _status_level(obj)
        if level is None:
            level = infer_level(message)
        used = {key for key in (time_key, level_key, message_key, service_key) if key}
        fields = {key: value for key, value in obj.items() if key not in used}
        error = _error_text(obj, error_keys) if error_keys else None
        if error and error not in message:
            fields["error_text"] = error
        found: dict[str, Any] | None = fields or None
        if message and (message[0] == "[" or "race" in message):
            message, found = extract_ids(message, found)
        return Parsed(
            timestamp=clock.from_value(time_value) if time_value is not None else None,
            level=level,
            message=message,
            service=str(service) if service is not None else None,
            fields=found,
            zoned=type(time_value) in (int, float)
            or (time_value is not None and is_instant(time_value)),
        )

    def _plain_layout(self, obj: dict[str, Any]) -> _PlainLayout:
        signature = tuple(obj)
        layout = self._plain_layouts.get(signature)
        if layout is None:

            def present(keys: tuple[str, ...]) -> tuple[str, ...]:
                return tuple(key for key in keys if lookup(obj, key) is not None)

            layout = (
                present(_TIME_KEYS),
                present(self.level_keys),
                present(_MESSAGE_KEYS),
                present(self.service_keys),
                present(_ERROR_KEYS),
            )
            if len(self._plain_layouts) < MAX_LAYOUTS:
                self._plain_layouts[signature] = layout
        return layout


def fresh(dialect: JsonFormat) -> JsonFormat:
    """A copy of a dialect with empty caches (layouts, levels), as the plain copy starts."""
    return JsonFormat(
        dialect.name,
        dialect.title,
        dialect.signature,
        priority=dialect.priority,
        samples=dialect.samples,
        service_keys=dialect.service_keys,
        levels=dialect.levels,
        level_keys=dialect.level_keys,
        default_level=dialect.default_level,
    )


# -- comparing ---------------------------------------------------------------------------------


def same_value(mine: Any, plain: Any, what: str) -> None:
    """Equal and of the same types all the way down (`1`, `1.0` and `True` are equal)."""
    assert repr(mine) == repr(plain), what
    assert mine == plain or mine != mine, what  # NaN is not equal to itself


def same_time(mine: datetime | None, plain: datetime | None, what: str) -> None:
    if mine is None or plain is None:
        assert mine is plain, what
        return
    assert mine == plain, what
    assert mine.isoformat() == plain.isoformat(), what
    assert mine.tzinfo is plain.tzinfo, what
    assert mine.fold == plain.fold, what


def same_parsed(mine: Parsed | None, plain: Parsed | None, what: str) -> None:
    if mine is None or plain is None:
        assert mine is plain, what
        return
    assert (mine.level, mine.message, mine.service, mine.zoned) == (
        plain.level,
        plain.message,
        plain.service,
        plain.zoned,
    ), what
    assert repr(mine.fields) == repr(plain.fields), what  # the keys in order, the types
    same_time(mine.timestamp, plain.timestamp, what)


def same_clocks(mine: Clock, plain: Clock, what: str) -> None:
    """The state a timestamp leaves behind: the year it stated (`_stated`)."""
    assert mine._seen == plain._seen, what
    assert mine.first_stated_year == plain.first_stated_year, what
    assert mine._years._current == plain._years._current, what


def same_loads(text: str) -> None:
    """`load_json` returns what it returned, or raises the same error."""
    try:
        plain = plain_load_json(text)
    except ValueError as error:
        with pytest.raises(type(error)) as raised:
            load_json(text)
        assert str(raised.value) == str(error), text
        return
    same_value(load_json(text), plain, text)


def parsed_alike(lines: Iterable[str], dialects: Iterable[JsonFormat] = JSON_DIALECTS) -> int:
    """Every dialect's parse of every line, new and plain (each with its own caches and clock,
    fed the same lines in the same order), compared; returns how many parses read a line."""
    pairs = [(fresh(dialect), PlainJsonFormat(dialect)) for dialect in dialects]
    clocks = [(Clock(reference=REFERENCE), PlainClock(reference=REFERENCE)) for _ in pairs]
    read = 0
    for line in lines:
        for (mine, plain), (my_clock, plain_clock) in zip(pairs, clocks, strict=True):
            what = f"{mine.name}: {line!r}"
            parsed = mine.parse(line, my_clock)
            same_parsed(parsed, plain.parse(line, plain_clock), what)
            same_clocks(my_clock, plain_clock, what)
            read += parsed is not None
    return read


def _lines(path: Path, most: int = 2_000) -> list[str]:
    with path.open(encoding="utf-8", errors="replace") as handle:
        return [line.rstrip("\n") for line, _ in zip(handle, range(most), strict=False)]


def _fixture_lines() -> list[str]:
    found = [path for folder in INCIDENTS for path in sorted(folder.rglob("*")) if path.is_file()]
    files = [path for path in found if path.suffix not in (".md", ".gz", ".zst")]
    return [line for path in [*files, *FORMAT_FILES] for line in _lines(path)]


def _json_parts(lines: Iterable[str]) -> list[str]:
    """The lines, and the text from the first `{` of those that hold one later (JSON inside a
    syslog message, a container runtime's wrapper)."""
    found = []
    for line in lines:
        found.append(line)
        at = line.find("{", 1)
        if at > 0:
            found.append(line[at:])
    return found


# -- random input ------------------------------------------------------------------------------

DIALECT_KEYS = sorted(
    {key for dialect in JSON_DIALECTS for key in (*dialect.service_keys, *dialect.level_keys)}
    | {"v", "name", "hostname", "pid", "caller", "logger", "ecs.version", "ecs", "_COMM"}
)
ROLE_KEYS = sorted(
    {*_TIME_KEYS, *_LEVEL_KEYS, *_MESSAGE_KEYS, *_SERVICE_KEYS, *_ERROR_KEYS, *_STATUS_KEYS}
    | set(DIALECT_KEYS)
)
OTHER_KEYS = ["req", "res", "reqId", "module", "", "x.y", "msg ", "Level", "TIME", "日志", "\u2028"]
LEVELS: list[Any] = [
    10, 20, 30, 40, 50, 60, 70, 0, 1, 3, 7, 8, 9, -1, 99, 100, 2**70, True, False, 30.0, 30.5,
    1.0, "30", " 50 ", "3", "07", "warn", "WARN", "Warning", " error ", "E", "e", "I", "fatal",
    "INFO", "Information", "notice", "crit", "err", "panic", "trace", "", " ", "nonsense",
    "ERROR\u2028", "ｅｒｒｏｒ", "٣", None, [], {}, ["error"], {"name": "error"},
]  # fmt: skip
MILLIS_LIMIT = 2**33 * 1000
EPOCHS: list[Any] = [
    1795786200000, 1795786200014, 1795786200999, 1795786201000, 1795874523118,
    100_000_000_000, 99_999_999_999, 0, 1, 1795874523, -1, -1795786200000, -5,
    MILLIS_LIMIT - 1, MILLIS_LIMIT, MILLIS_LIMIT + 1, 2**32 * 1000 - 1, 2**32 * 1000,
    99_999_999_999_999, 100_000_000_000_000, 1795874523118442, 1795874523118442000,
    10**17 - 1, 10**17, 10**20, 10**30, 2**63, -(10**20),
    1795874523.118442, 1795874523.0, 1795874523.5, 1795874523.9999996, 1795786200014.0,
    1795874523118442.0, 0.0, -0.0, -1.5, 0.0000005, 1e11, 1e300, float("inf"), float("nan"),
    True, False, None, "", " ", "1795786200014", "1795874523.118", "1795874523118442",
    "2026-11-28T14:02:03.118Z", "2026-11-28T14:02:03.118442+02:00", "2026-11-28 14:02:03",
    "2026-11-28T14:02:03.118442789Z", "28/Nov/2026:14:02:03 +0000", "14:02:03", "not a time",
    {"epochSecond": 1795874523, "nanoOfSecond": 118442000}, {"seconds": "1795874523"},
    {"$date": "2026-11-28T14:02:03.118Z"}, {"$date": {"$numberLong": "1795874523118"}},
    {"$date": 1795874523118}, [], [1795874523],
]  # fmt: skip
TEXTS: list[Any] = [
    "redis GET timed out", "request completed", "", " ", "\n", "line\n", "[trace=abc] ok",
    "[4bf92f35] boom", "traceId=4bf92f3577b34da6 failed", "race condition", "Traceback (most",
    "panic: runtime error", "ERROR something", "\u2028", "日志 错误", "x" * 5_000, None, 0, 12.5,
    True, ["a", 1], {"message": "nested", "code": 7}, {"stack": "Error: x\n    at y"},
    {"message": "boom", "name": "TypeError"}, {"Message": "m", "type": "E"}, "\ud83d",
]  # fmt: skip
OTHERS: list[Any] = [
    503, "503", 200, "200", 99, 600, "5xx", True, None, "", 18, "cart-api", 0.5, [], {},
    {"statusCode": 502}, {"code": 403}, {"level": "error", "name": "x"}, "ab\u2028cd",
]  # fmt: skip


def _value_for(key: str, rng: random.Random) -> Any:
    if key in _TIME_KEYS:
        value = rng.choice(EPOCHS)
        if rng.random() < 0.3 and isinstance(value, int) and not isinstance(value, bool):
            value += rng.randint(0, 10**6)  # another millisecond of the same era
        return value
    if key in _LEVEL_KEYS or (key in DIALECT_KEYS and "level" in key.lower()):
        return rng.choice(LEVELS)
    if key in _MESSAGE_KEYS or key in _ERROR_KEYS:
        return rng.choice(TEXTS)
    return rng.choice(OTHERS + TEXTS[:8])


def _put(obj: dict[str, Any], key: str, value: Any, rng: random.Random) -> None:
    """`key` flat, or a dotted key as the nested path (`{"log": {"level": ...}}`)."""
    if "." in key and rng.random() < 0.5:
        head, _, rest = key.partition(".")
        node = obj.get(head)
        if not isinstance(node, dict):
            node = obj[head] = {}
        for part in rest.split(".")[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                return
        node[rest.split(".")[-1]] = value
    else:
        obj[key] = value


def _random_objects(rng: random.Random, count: int) -> list[dict[str, Any]]:
    """Objects in a few key layouts each, the layout's values redrawn from object to object
    (a null or empty value where the next object has one: the layout is cached from the
    first), in every key order."""
    layouts = []
    for _ in range(40):
        keys = rng.sample(ROLE_KEYS, rng.randint(0, 7)) + rng.sample(OTHER_KEYS, rng.randint(0, 3))
        layouts.append(keys)
    layouts.append(["level", "time", "pid", "hostname", "msg"])  # pino
    layouts.append(["level", "time", "pid", "hostname", "err", "msg"])
    layouts.append(["@timestamp", "log.level", "message", "ecs.version", "service.name"])
    objects = []
    for _ in range(count):
        obj: dict[str, Any] = {}
        if rng.random() < 0.4:  # a dialect's own sample, some values redrawn: its signature
            sample = rng.choice(SAMPLE_OBJECTS)
            for key, value in sample.items():
                obj[key] = value if rng.random() < 0.6 else _value_for(key, rng)
        else:
            for key in rng.choice(layouts):
                _put(obj, key, _value_for(key, rng), rng)
        objects.append(obj)
    return objects


SAMPLE_OBJECTS: list[dict[str, Any]] = [
    json.loads(sample.line) for dialect in JSON_DIALECTS for sample in dialect.samples
]


def _dumped(obj: dict[str, Any], rng: random.Random) -> str:
    """The object as a line, now and then with JSON whitespace, other whitespace or junk after
    it, cut short, with escapes (lone surrogates, pairs) or nested too deep."""
    text = json.dumps(
        obj,
        ensure_ascii=rng.random() < 0.5,
        separators=rng.choice([(",", ":"), (", ", ": ")]),
        allow_nan=True,
    )
    roll = rng.random()
    if roll < 0.15:
        text += "".join(rng.choices([" ", "\t", "\r", "\n"], k=rng.randint(1, 3)))
    elif roll < 0.22:
        text += rng.choice(["\x0b", "\x0c", "\xa0", "\u2028", "\u3000", "\x00", "\ufeff"])
    elif roll < 0.28:
        text += rng.choice(["x", "}", "{}", " {}", "]", ",", " \t\n1", "\r\n{", "//"])
    elif roll < 0.33:
        text = text[: rng.randint(0, len(text))]
    elif roll < 0.38:
        text = text[:-1] + ', "s": "' + rng.choice(["\\ud83d", "\\uD83D", "\\ud83d\\ude00"]) + '"}'
    elif roll < 0.40:
        depth = rng.choice([MAX_JSON_DEPTH - 2, MAX_JSON_DEPTH - 1, MAX_JSON_DEPTH])
        text = text[:-1] + ', "d": ' + "[" * depth + "]" * depth + "}"
    elif roll < 0.43:
        text = rng.choice([" ", "\t", "\ufeff", "\n"]) + text
    return text


# -- load_json ---------------------------------------------------------------------------------

EDGE_TEXTS = [
    "", " ", "{", "}", "{}", "{} ", "{}\r", "{}\r\n", "{}\t\n \r", "{}\x0b", "{}\xa0", "{}\u2028",
    "{}{}", "{} {}", "{}x", "{}]", "{},", " {}", "\ufeff{}", "[]", "[1]", "1", "null", '"x"',
    "{]", "{,}", '{"a":}', '{"a":1,}', '{"a":NaN}', '{"a":Infinity}', '{"a":-Infinity}',
    '{"a":1e400}', '{"a":"\\ud83d"}', '{"a":"\\uD83D"}', '{"\\ud83d":"\\ud83d\\ude00"}',
    '{"a":"\\u00e9"}', '{"a":"\u2028"}', '{"a":"' + "x" * 100_000 + '"}',
    "{" + '"a":{' * (MAX_JSON_DEPTH - 1) + "}" * MAX_JSON_DEPTH,
    "{" + '"a":{' * MAX_JSON_DEPTH + "}" * (MAX_JSON_DEPTH + 1),
    "{" + '"a":[' * 5_000 + "]" * 5_000 + "}",
    '{"a":"' + "{" * 100 + '"}',
    '{"a":1}\n\n',
    '{"a":1} \x00',
]  # fmt: skip


def test_load_json_reads_and_refuses_what_json_loads_did_on_the_edges() -> None:
    for text in EDGE_TEXTS:
        same_loads(text)


@pytest.mark.parametrize("seed", SEEDS)
def test_load_json_reads_random_lines_as_the_plain_reading(seed: int) -> None:
    rng = random.Random(seed)
    lines = [_dumped(obj, rng) for obj in _random_objects(rng, 3_000)]
    for text in lines:
        same_loads(text)
    fixtures = [line for line in _json_parts(_fixture_lines()) if line.lstrip()[:1] in "{["]
    for text in fixtures:
        same_loads(text.lstrip())


# -- epochs and time values --------------------------------------------------------------------


def test_every_epoch_value_reads_as_the_plain_reading() -> None:
    for value in EPOCHS:
        if isinstance(value, int | float | str) and not isinstance(value, bool):
            same_time(epoch_to_datetime(value), plain_epoch_to_datetime(value), repr(value))


@pytest.mark.parametrize("seed", SEEDS)
def test_integer_epochs_of_every_size_read_as_through_a_float(seed: int) -> None:
    """Milliseconds across the whole fast range and past it, the last ones before 2**32 and
    2**33 seconds (where a double's step nears half a microsecond), every millisecond of a
    few seconds, seconds, microseconds, nanoseconds, negative counts."""
    rng = random.Random(seed)
    values = [rng.randrange(100_000_000_000, MILLIS_LIMIT * 4) for _ in range(40_000)]
    values += [rng.randrange(MILLIS_LIMIT - 10**7, MILLIS_LIMIT + 10**7) for _ in range(10_000)]
    values += [rng.randrange(2**32 * 1000 - 10**7, 2**32 * 1000) for _ in range(5_000)]
    for second in (rng.randrange(10**8, 2**33), 2**33 - 1, 2**32 - 1, 1795786200, 10**8):
        values += range(second * 1000, second * 1000 + 1000)
    values += [rng.randrange(0, 100_000_000_000) for _ in range(5_000)]
    values += [rng.randrange(10**14, 10**20) for _ in range(5_000)]
    values += [-rng.randrange(0, 10**18) for _ in range(2_000)]
    for value in values:
        same_time(epoch_to_datetime(value), plain_epoch_to_datetime(value), repr(value))
        same_time(epoch_to_datetime(str(value)), plain_epoch_to_datetime(str(value)), repr(value))
    for number in (rng.uniform(0, 2e9) for _ in range(5_000)):  # floats: the same path
        same_time(epoch_to_datetime(number), plain_epoch_to_datetime(number), repr(number))


@pytest.mark.parametrize("seed", SEEDS)
def test_time_values_of_every_type_read_as_the_plain_reading(seed: int) -> None:
    rng = random.Random(seed)
    mine, plain = Clock(reference=REFERENCE), PlainClock(reference=REFERENCE)
    for _ in range(5_000):
        value = rng.choice(EPOCHS)
        if rng.random() < 0.3 and type(value) is int:
            value += rng.randint(-(10**6), 10**6)
        same_time(mine.from_value(value), plain.from_value(value), repr(value))
        same_clocks(mine, plain, repr(value))


# -- parse_object ------------------------------------------------------------------------------


def test_every_format_sample_and_fixture_parses_as_the_plain_parse() -> None:
    samples = [sample.line for fmt in FORMATS for sample in fmt.samples]
    lines = _json_parts([*samples, *_fixture_lines()])
    assert parsed_alike(lines) > 1_000


@pytest.mark.parametrize("seed", SEEDS)
def test_random_objects_parse_as_the_plain_parse(seed: int) -> None:
    rng = random.Random(seed)
    lines = [_dumped(obj, rng) for obj in _random_objects(rng, 2_000)]
    assert parsed_alike(lines) > 1_500


@pytest.mark.parametrize("seed", SEEDS)
def test_objects_as_logfmt_builds_them_parse_as_the_plain_parse(seed: int) -> None:
    """Objects of text values (logfmt's pairs), handed to the reader with no line."""
    rng = random.Random(seed)
    mine, plain = fresh(JSON_DIALECTS[-1]), PlainJsonFormat(JSON_DIALECTS[-1])
    my_clock, plain_clock = Clock(reference=REFERENCE), PlainClock(reference=REFERENCE)
    for obj in _random_objects(rng, 2_000):
        texts = {key: v if isinstance(v, str) else json.dumps(v) for key, v in obj.items()}
        what = repr(texts)
        parsed = mine.parse_object(dict(texts), my_clock)
        same_parsed(parsed, plain.parse_object(dict(texts), plain_clock), what)
        same_clocks(my_clock, plain_clock, what)


def test_logfmt_lines_parse_as_with_the_plain_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = [sample.line for sample in LOGFMT.samples] + _fixture_lines()
    clock = Clock(reference=REFERENCE)
    monkeypatch.setattr(structured, "_ANY_JSON", fresh(JSON_DIALECTS[-1]))
    mine = [LOGFMT.parse(line, clock) for line in lines]
    monkeypatch.setattr(structured, "_ANY_JSON", PlainJsonFormat(JSON_DIALECTS[-1]))
    plain_clock = PlainClock(reference=REFERENCE)
    for line, parsed in zip(lines, mine, strict=True):
        same_parsed(parsed, LOGFMT.parse(line, plain_clock), line)
    assert sum(parsed is not None for parsed in mine) > 10


def test_a_layout_is_read_from_the_first_object_of_its_keys() -> None:
    """The cached layout keeps the keys the first object of a key order has non-null: a later
    object's value under a key the first had null is not read, as before."""
    mine, plain = fresh(JSON_DIALECTS[-1]), PlainJsonFormat(JSON_DIALECTS[-1])
    lines = [
        '{"msg": null, "message": "second", "level": "info", "log.level": null}',
        '{"msg": "first", "message": "second", "level": null, "log.level": "warn"}',
        '{"msg": "", "message": "", "level": "", "log.level": ""}',
        '{"log": {"level": "error"}, "log.level": null, "msg": "x"}',
        '{"log": {"level": null}, "log.level": "warn", "msg": "y"}',
        '{"log": "text", "log.level": null, "msg": "z"}',
    ]
    clock, plain_clock = Clock(reference=REFERENCE), PlainClock(reference=REFERENCE)
    for line in lines:
        same_parsed(mine.parse(line, clock), plain.parse(line, plain_clock), line)
    assert mine.parse(lines[1], clock).message == "second"  # type: ignore[union-attr]


def test_levels_of_equal_keys_but_other_types_are_told_apart() -> None:
    """`True == 1` and `1.0 == 1` as dict keys, but not as levels: the per-value level is kept
    for exact `int` and `str` values only."""
    for dialect in JSON_DIALECTS:
        mine, plain = fresh(dialect), PlainJsonFormat(dialect)
        clock, plain_clock = Clock(reference=REFERENCE), PlainClock(reference=REFERENCE)
        for raw in [1, True, 1.0, 0, False, 0.0, 3, 3.0, "3", 30, 30.5, "30", 1, True]:
            line = json.dumps({"level": raw, "msg": "m", "severity": raw, "@l": raw})
            same_parsed(mine.parse(line, clock), plain.parse(line, plain_clock), line)


def test_the_benchmark_shapes_parse_as_the_plain_parse() -> None:
    """pino as the benchmark writes it, every millisecond of a second, every level."""
    lines = []
    for millis in range(0, 3_000, 7):
        for level in (10, 20, 30, 40, 50, 60):
            obj: dict[str, Any] = {"level": level, "time": 1795786200000 + millis, "pid": 18}
            obj["hostname"] = "cart-api-6f7c9d8b5-x2kqp"
            if millis % 3 == 0:
                obj["err"] = {"type": "Error", "message": "connect ECONNREFUSED", "stack": "E"}
            obj["msg"] = "request completed" if millis % 2 else "[req-3] trace=abc failed"
            lines.append(json.dumps(obj, separators=(",", ":")))
    assert parsed_alike(lines) >= len(lines)


def test_the_json_dialects_are_reread_from_a_line_they_decoded() -> None:
    """`decode` keeps the last line's object for the next dialect tried on it: the fields a
    record takes from it are its own copy, never that object."""
    line = '{"level":50,"time":1795874523118,"pid":18,"hostname":"h","msg":"boom"}'
    dialect = fresh(JSON_DIALECTS[-1])
    clock = Clock(reference=REFERENCE)
    first = dialect.parse(line, clock)
    assert first is not None and first.fields is not None
    first.fields["added"] = 1
    again = dialect.parse(line, clock)
    assert again is not None and again.fields == {"pid": 18, "hostname": "h"}
    assert re.fullmatch(r"2026-11-28T14:02:03\.118000\+00:00", again.timestamp.isoformat())  # type: ignore[union-attr]
