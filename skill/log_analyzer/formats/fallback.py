"""Fallbacks for lines no specific format reads: any "timestamp, header, message" line, and,
last, a plain line with no timestamp (kept in file order, still counted and searchable).

The generic reader takes a timestamp in any common layout at the start of the line (bare or
bracketed; after a syslog priority, a process id, or a level and a thread), then looks for the
level where headers put it: right after the time (`INFO`, `[warn]`, `<error>`, `|INFO|`,
`ERROR:`, `PHP Warning:`), after up to two bracketed tokens (spdlog's `[logger] [info]`),
after a channel (Monolog's `app.ERROR:`), inside the time's own brackets (Serilog's
`[15:47:42 WRN]`), or as a single letter before a component or program (MongoDB's `I NETWORK
[conn1]`, `E santad: ...`). The message is what follows the level; a line whose header names
none gets the level its words imply. A time of day alone is a stamp only with a level or a
fraction (`10:30:00 standup` is no log line).

The level-prefix reader takes lines that start with their level and have no time (what a
runtime stamps for the program: `ERROR ...`, `[warn] ...`, `fail: ...`); the comment reader
keeps headers and comments (`#Fields: ...`, `# levels`) apart from every record.
"""

from __future__ import annotations

import re

from ..levels import (
    LEVEL_WORDS,
    SYSLOG_SEVERITY,
    infer_level,
    mnemonic_level,
    normalize_level,
)
from ..timestamps import ZONE_NAMES, Clock
from .base import LogFormat, Parsed, Sample
from .structured import is_instant
from .trace_context import extract_ids, may_carry_ids

_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_DAY = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
# A zone: an offset, `Z`, or a known abbreviation that ends there (never the `INF` of `INFO`).
_ZONE = rf"(?:Z|[+-]\d\d:?\d\d|(?:{ZONE_NAMES})(?![A-Za-z]))"
_TIME = r"\d\d:\d\d:\d\d(?:[.,:]\d+)?"
_DATED_TEXT = (
    rf"\d{{4}}[-/]\d\d[-/]\d\d[T ]{_TIME}(?: ?{_ZONE})?"
    rf"|\d\d/{_MONTH}/\d{{4}}[: ]{_TIME}(?: [+-]\d{{4}})?"  # access logs; Django's runserver
    rf"|(?:{_DAY},? )?{_MONTH} [ \d]\d {_TIME}(?: \d{{4}})?(?: {_ZONE})?"
    rf"|(?:{_DAY},? )?\d{{1,2}}[ \-]{_MONTH}[ \-]\d{{4}}[ :]{_TIME}(?: {_ZONE})?"
    r"|\d{10}(?:\.\d+)?(?![\d:])|\d{13}(?![\d:])"
)
# a time of day: 24-hour with seconds, or 12-hour (zerolog's console `3:04PM`)
_TIME_ONLY = r"\d\d:\d\d:\d\d(?:[.,]\d+)?|\d\d?:\d\d(?::\d\d)? ?[AP]M"
_LEVEL = rf"(?i:{LEVEL_WORDS})"
# What may end a level word: a closing bracket (structlog pads inside it: `[info     ]`;
# Elasticsearch writes the next bracket right after it: `[WARN ][o.e.c.Node]`), or a separator
# (never `ERROR-prone`); Icinga writes `severity/Facility: `.
_AFTER_LEVEL = (
    r"(?:\s*[\]>)](?:\s*[|:\-](?=\S)|\s*[|:\-]?\s*)"
    r"|(?=[\s|:]|/[A-Z]|$)(?:\s*[|:\-/](?=\S)|\s*[|:\-]?\s+|$))"
)
# PHP's error log: `PHP Fatal error:  Uncaught ...`
_PHP_LEVELS = {
    "Fatal error": "fatal",
    "Parse error": "fatal",
    "Recoverable fatal error": "error",
    "Warning": "warning",
    "Notice": "notice",
    "Deprecated": "notice",
}
_GENERIC = re.compile(
    # before the stamp: a syslog priority, a process id (NATS's `[1] 2026/11/28 ...`), or the
    # level and a thread (Cassandra's `INFO  [main] 2026-11-28 ...`, log4j's `%-5p %d ...`)
    r"^(?:<(?P<pri>\d{1,3})>|\[\d{1,7}\] "
    rf"|(?P<lead>{LEVEL_WORDS.upper()})\s+(?:\[[^\[\]]{{1,64}}\]\s+)?)?"
    rf"(?P<open>[\[(])?(?:(?P<ts>{_DATED_TEXT})|(?P<tod>{_TIME_ONLY}))(?(open)[\])]?)"
    r"[\s|:,\-]*"
    r"(?:"
    # up to two bracketed tokens (a logger, a thread), then the level
    rf"(?:\[[^\[\]]{{1,64}}\]\s*){{0,2}}[\[<(|]?\s?(?P<level>{_LEVEL}){_AFTER_LEVEL}"
    rf"|PHP (?P<php>{'|'.join(_PHP_LEVELS)}):\s+"
    rf"|[\w\-]{{1,40}}\.(?P<level2>[A-Z]{{4,9}}): "  # Monolog's `channel.LEVEL: `
    # a level letter before an upper-case component or a program's `name:` / `name[pid]:`;
    # MongoDB's text log: `D1`..`D5` for debug verbosity, `-` for a line of no component
    r"|(?P<letter>[TDIWEFV])[1-5]? +(?=[A-Z]{2,}\b|-\s+\[|[\w.\-]+(?:\[\d+\])?: )"
    r")?"
    r"(?P<message>.*)$"
)
_FRACTION = re.compile(r"\d[.,]\d")
_LETTERS = {
    "T": "trace",
    "V": "debug",
    "D": "debug",
    "I": "info",
    "W": "warning",
    "E": "error",
    "F": "fatal",
}


class GenericFormat(LogFormat):
    """`<timestamp> [<header tokens>] [<level>] <message>` with any common timestamp layout."""

    name = "generic"
    title = "timestamp, optional level, message"
    priority = 10
    detectable = True
    # Only lines that name their level (to read an application's line inside another header,
    # where a bare timestamp says nothing the header does not).
    require_level = False
    samples = (
        Sample(
            "2026-11-28 14:02:03.118 [ERROR] worker 3: job 8812 failed",
            level="error",
            message="worker 3: job 8812 failed",
            timestamp="2026-11-28T14:02:03.118000+00:00",
        ),
        Sample("Sat Nov 28 14:02:03 2026 ERROR cron: backup failed", level="error"),
        Sample(  # a custom logback pattern: the zone reader must not take `INF` for a zone
            "2026-11-28T14:02:03,118 INFO [main                     ] OrderApplication"
            "         : Started OrderApplication in 9.4 seconds",
            level="info",
            timestamp="2026-11-28T14:02:03.118000+00:00",
        ),
        Sample(  # spdlog's default pattern: `[time] [logger] [level] message`
            "[2026-11-28 14:02:03.118] [db_pool] [critical] connection pool exhausted",
            level="critical",
            message="connection pool exhausted",
        ),
        Sample(  # NLog's default layout: `${longdate}|${level}|${logger}|${message}`
            "2026-11-28 14:02:03.1184|WARN|Shop.Orders.OrderService|Retrying order 8812",
            level="warning",
            message="Shop.Orders.OrderService|Retrying order 8812",
        ),
        Sample(  # loguru's default format
            "2026-11-28 14:02:03.118 | SUCCESS  | shop.orders:save:88 - Saved 12 orders",
            level="info",
        ),
        Sample(  # Monolog's LineFormatter (Laravel)
            '[2026-11-28 14:02:03] production.CRITICAL: Redis connection refused {"code":111}',
            level="critical",
            message='Redis connection refused {"code":111}',
            timestamp="2026-11-28T14:02:03+00:00",
        ),
        Sample(  # Serilog's console sink: a time of day and the level in one bracket
            "[14:02:03 WRN] Slow response from payments: 5012 ms",
            level="warning",
            message="Slow response from payments: 5012 ms",
        ),
        Sample(  # MongoDB before 4.4: severity letter, component, context
            "2026-11-28T14:02:03.118+0100 E STORAGE  [conn42] WiredTiger error (28) No space "
            "left on device",
            level="error",
            timestamp="2026-11-28T13:02:03.118000+00:00",
        ),
        Sample(  # a device's syslog: a priority, an ISO stamp, no host
            "<131>2026-11-28T14:02:03.118Z fan tray 2 failed, temperature rising",
            level="error",
            timestamp="2026-11-28T14:02:03.118000+00:00",
        ),
        Sample(  # Cassandra: the level and the thread before the time
            "WARN  [CompactionExecutor:12] 2026-11-28 14:02:03,118 BigTableWriter.java:258 - "
            "Writing large partition shop/orders:8812 (212.118MiB)",
            level="warning",
            timestamp="2026-11-28T14:02:03.118000+00:00",
        ),
        Sample(  # NATS server: the process id first
            "[1] 2026/11/28 14:02:03.118442 [ERR] 10.0.0.7:51234 - cid:812 - Authorization "
            "Violation",
            level="error",
            message="10.0.0.7:51234 - cid:812 - Authorization Violation",
        ),
        Sample(  # Tomcat's OneLineFormatter
            "28-Nov-2026 14:02:03.118 SEVERE [main] org.apache.catalina.core.StandardContext."
            "startInternal One or more listeners failed to start",
            level="error",
            timestamp="2026-11-28T14:02:03.118000+00:00",
        ),
        Sample(  # Django's runserver: the access log's date with a space before the time
            '[28/Nov/2026 14:02:03] "GET /api/orders/42 HTTP/1.1" 500 145',
            timestamp="2026-11-28T14:02:03+00:00",
            message='"GET /api/orders/42 HTTP/1.1" 500 145',
        ),
        Sample(  # Heroku's router, as `heroku logs` prints it: the level as a logfmt pair
            '2026-11-28T14:02:03.399137+00:00 heroku[router]: at=error code=H12 desc="Request '
            'timeout" method=GET path="/reports" host=shop.herokuapp.com status=503 bytes=0',
            level="error",
            timestamp="2026-11-28T14:02:03.399137+00:00",
        ),
    )

    def parse(self, line: str, clock: Clock) -> Parsed | None:
        match = _GENERIC.match(line)
        if match is None:
            return None
        raw_level = match.group("level") or match.group("level2") or match.group("lead")
        if raw_level is not None:
            level = normalize_level(raw_level)
        elif match.group("php"):
            level = _PHP_LEVELS[match.group("php")]
        else:
            letter = match.group("letter")
            level = _LETTERS[letter] if letter else None
        if level is None and match.group("pri"):
            level = SYSLOG_SEVERITY[int(match.group("pri")) % 8]
        tod = match.group("tod")
        if level is None and (self.require_level or (tod and not _FRACTION.search(tod))):
            return None  # a bare `10:30:00` says too little to be a header
        text = match.group("ts") or match.group("tod")
        timestamp = clock.from_value(text)
        if timestamp is None:
            return None
        message = match.group("message")
        if level is None:
            keyed = _KEYED_LEVEL.search(message) if "=" in message else None
            level = (
                (normalize_level(keyed.group(1)) if keyed is not None else None)
                or mnemonic_level(message)
                or infer_level(message)
            )
        fields = None
        if message and (message[0] == "[" or "race" in message):  # `may_carry_ids`, inlined
            message, fields = extract_ids(message, None)
        return Parsed(
            timestamp=timestamp,
            level=level,
            message=message,
            fields=fields,
            zoned=is_instant(text),
        )


# A level stated as a logfmt pair after the header (Heroku's router: `heroku[router]:
# at=error code=H12 ...`; `level=warn` after a syslog header): a word, never a number.
_KEYED_LEVEL = re.compile(r'(?<![\w.])(?:level|lvl|severity|at)="?([A-Za-z]+)\b')


# A level with no time before it: upper case (`ERROR ...`, ` INFO ...` as log4j's `%5p` pads
# it), bracketed or angled in any case
# (`[warn] ...`, `<info> ...`), or any case before a colon (`error: ...`, `Warning: ...`, and
# .NET console's `fail: ...`); or a syslog priority (`<3>`, sd-daemon's prefix, which .NET's
# systemd console format and other services under systemd write to stderr).
_LEVEL_PREFIX = re.compile(
    rf"^(?:\[(?P<bracket>{_LEVEL})\]|<(?P<angle>{_LEVEL})>| {{0,4}}(?P<word>{LEVEL_WORDS.upper()})"
    rf"(?=[\s|:]|$)|(?P<colon>{_LEVEL}|fail):|<(?P<pri>1?\d{{1,2}})>(?=\S))"
    r"[\s|:\-]*(?P<message>.*)$"
)


class LevelPrefixFormat(LogFormat):
    """`<level> <message>` with no timestamp: what programs write to a stream a runtime
    stamps for them (kubectl's, Docker's, CRI's, systemd's), or to a file without a time."""

    name = "level-prefix"
    title = "level, then message (no timestamp)"
    priority = 5
    # a line without a time of its own says nothing of the lines after it
    takes_headerless = False
    samples = (
        Sample("ERROR Payment gateway returned 503 for order 8812", level="error"),
        Sample(
            "[warn] retrying connection to redis:6379 (attempt 3)",
            level="warning",
            message="retrying connection to redis:6379 (attempt 3)",
        ),
        Sample(  # .NET's console logger: the category on the level's line, the message below
            "fail: Shop.Orders.OrderService[0]",
            level="error",
        ),
        Sample(
            "fatal: unable to access 'https://git.example.com/shop.git/'",
            level="fatal",
            message="fatal: unable to access 'https://git.example.com/shop.git/'",
        ),
        Sample(  # sd-daemon's priority: .NET's systemd console format, under systemd
            '<3>Microsoft.AspNetCore.Server.Kestrel[13] Connection id "0HN1": An unhandled '
            "exception was thrown by the application.",
            level="error",
            message='Microsoft.AspNetCore.Server.Kestrel[13] Connection id "0HN1": An unhandled '
            "exception was thrown by the application.",
        ),
    )

    def parse(self, line: str, clock: Clock) -> Parsed | None:
        match = _LEVEL_PREFIX.match(line)
        if match is None:
            return None
        priority = match.group("pri")
        if priority is not None:
            number = int(priority)
            if number > 191:  # facility 23 at most
                return None
            return Parsed(None, SYSLOG_SEVERITY[number % 8], match.group("message"))
        raw = match.group("word") or match.group("bracket") or match.group("angle")
        level = normalize_level(raw or match.group("colon"))
        if level is None:
            return None
        # `Error: connect ECONNREFUSED` is the error's own text: kept whole
        message = line if raw is None else match.group("message")
        fields = None
        if message and (message[0] == "[" or "race" in message):  # `may_carry_ids`, inlined
            message, fields = extract_ids(message, None)
        return Parsed(timestamp=None, level=level, message=message, fields=fields)


# Directives and comments: W3C's `#Fields:`, Zeek's `#separator`, `# a comment`, and logcat's
# buffer markers. Not PHP's stack frames (`#0 /var/www/...`), which continue the record before
# them.
_COMMENT = re.compile(r"#(?![\d#])|-{9} (?:beginning of|switch to) ")


class CommentFormat(LogFormat):
    """A header, directive or comment line (`#Software: ...`, `#fields\tts\tuid`, `# levels`,
    `--------- beginning of main`): a record of its own with no time and no level, never part
    of the record before it."""

    name = "comment"
    title = "header or comment line"
    priority = 0
    detectable = False
    takes_headerless = False

    def parse(self, line: str, clock: Clock) -> Parsed | None:
        if _COMMENT.match(line) is None:
            return None
        return Parsed(timestamp=None, level=None, message=line.rstrip())


def is_comment(line: str) -> bool:
    """True for a header, directive or comment line."""
    return line[:1] in "#-" and _COMMENT.match(line) is not None


def header_level(line: str) -> str | None:
    """The level the generic reader finds in the header of `line` (never one it infers from
    the message), or None."""
    match = _GENERIC.match(line)
    if match is None:
        return None
    if match.group("php"):
        return _PHP_LEVELS[match.group("php")]
    raw = match.group("level") or match.group("level2") or match.group("lead")
    if raw is not None:
        return normalize_level(raw)
    letter = match.group("letter")
    return _LETTERS[letter] if letter else None


class PlainFormat(LogFormat):
    """Any line: no timestamp, the level its words imply. Never fails."""

    name = "plain"
    title = "unstructured text (no timestamp)"
    priority = 0
    detectable = False
    samples = (
        Sample(
            'Exception in thread "main" java.lang.OutOfMemoryError: Java heap space', level="fatal"
        ),
    )

    def parse(self, line: str, clock: Clock) -> Parsed:
        message, fields = extract_ids(line, None) if may_carry_ids(line) else (line, None)
        return Parsed(timestamp=None, level=infer_level(line), message=message, fields=fields)


GENERIC = GenericFormat()
LEVEL_PREFIX = LevelPrefixFormat()
PLAIN = PlainFormat()
COMMENT = CommentFormat()
