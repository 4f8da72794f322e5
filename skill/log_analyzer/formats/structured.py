"""Structured formats: JSON lines (every common key convention) and logfmt.

One JSON reader knows all key conventions; the dialects (pino, bunyan, zap, structlog, ECS,
GCP, journald, log4j2, logstash) differ only by the keys that identify them, so detection can
name what it found and the per-line parse stays the same.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from ..levels import http_status_level, infer_level, normalize_level
from ..timestamps import Clock
from .base import LogFormat, Parsed, Sample
from .trace_context import extract_ids

_TIME_KEYS = (
    "@timestamp",
    "timestamp",
    "time",
    "ts",
    "t",
    "date",
    "datetime",
    "asctime",
    "timeMillis",
    "instant",
    "__REALTIME_TIMESTAMP",
    "eventTime",
    "receiveTimestamp",
    "written_at",
    "start_time",  # Envoy's and Istio's JSON access log
    "EdgeStartTimestamp",  # Cloudflare's
    "@t",  # Serilog's compact JSON
)
_LEVEL_KEYS = (
    "level",
    "log.level",
    "severity",
    "levelname",
    "lvl",
    "loglevel",
    "log_level",
    "PRIORITY",
    "levelName",
    "@l",  # Serilog's compact JSON (CLEF)
)
_MESSAGE_KEYS = (
    "msg",
    "message",
    "event",
    "MESSAGE",
    "textPayload",  # Google Cloud Logging entries
    "jsonPayload.message",
    "log",
    "text",
    "@message",
    "@m",  # CLEF: the rendered message, else its template
    "@mt",
    "fields.message",  # Rust's tracing-subscriber JSON
)
_SERVICE_KEYS = (
    "service.name",
    "service",
    "service_name",
    "app",
    "application",
    "appname",
    "kubernetes.container_name",
    "kubernetes.container.name",
    "container_name",
    "SYSLOG_IDENTIFIER",
    "_SYSTEMD_UNIT",
)
_ERROR_KEYS = (
    "err",
    "error",
    "exception",
    "stack_trace",
    "stacktrace",
    "stack",
    "exc_info",
    "error.stack_trace",
    "thrown",
    "@x",
)


# JSON nested deeper than this is not a log record: the line is kept as text (unparsed). The
# limit also keeps `json.loads`, which recurses, from a RecursionError on a hostile line.
MAX_JSON_DEPTH = 64
_JSON_STRUCTURE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def json_too_deep(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when brackets outside strings nest deeper than `limit`. Linear; a line with few
    brackets is answered by counting them."""
    if text.count("{") + text.count("[") <= limit:
        return False
    depth = 0
    for match in _JSON_STRUCTURE.finditer(text):
        token = match.group()
        if token == "{" or token == "[":
            depth += 1
            if depth > limit:
                return True
        elif token == "}" or token == "]":
            depth -= 1
    return False


def load_json(text: str) -> Any:
    """`json.loads` with a nesting limit: ValueError for text that is not JSON or nests
    deeper than MAX_JSON_DEPTH (never a RecursionError)."""
    if json_too_deep(text):
        raise ValueError(f"JSON nested deeper than {MAX_JSON_DEPTH}")
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


# The keys an object has for each role: time, level, message, service, error.
_Layout = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]
MAX_LAYOUTS = 1000


def lookup(obj: dict[str, Any], key: str) -> Any:
    """`obj[key]`, trying a dotted key flat first (`"log.level"`), then as a nested path."""
    value = obj.get(key)
    if value is not None or "." not in key:
        return value
    head, _, rest = key.partition(".")
    node = obj.get(head)  # most objects lack the head: no walk at all
    if not isinstance(node, dict):
        return None
    for part in rest.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def _first(obj: dict[str, Any], keys: tuple[str, ...]) -> tuple[str | None, Any]:
    for key in keys:
        value = lookup(obj, key)
        if value is not None and value != "":
            return key, value
    return None, None


class JsonFormat(LogFormat):
    """JSON lines. `signature` tells this dialect's objects apart (None: any object)."""

    takes_headerless = False

    def __init__(
        self,
        name: str,
        title: str,
        signature: Callable[[dict[str, Any]], bool] | None,
        *,
        priority: int,
        samples: tuple[Sample, ...] = (),
        service_keys: tuple[str, ...] = _SERVICE_KEYS,
        levels: Mapping[Any, str] | None = None,
        level_keys: tuple[str, ...] = _LEVEL_KEYS,
        default_level: str | None = None,
    ) -> None:
        self.name = name
        self.title = title
        self.signature = signature
        self.priority = priority
        self.samples = samples
        self.service_keys = service_keys
        # the dialect's own level values (Nextcloud's 0-4), before the generic spellings
        self.levels = dict(levels or {})
        self.level_keys = level_keys
        # the level of a record that names none (CLEF leaves out Information)
        self.default_level = default_level
        self._layouts: dict[tuple[str, ...], _Layout] = {}
        self._last_line = ""
        self._last_obj: dict[str, Any] | None = None

    def decode(self, line: str) -> dict[str, Any] | None:
        """The JSON object on this line, or None. Remembers the last line: when several
        dialects are tried on one line, it is decoded once."""
        if line is self._last_line:
            return self._last_obj
        obj: Any = None
        stripped = line.lstrip()
        if stripped.startswith("{"):
            try:
                obj = load_json(stripped)
            except ValueError:
                obj = None
        self._last_line = line
        self._last_obj = obj if isinstance(obj, dict) else None
        return self._last_obj

    def parse(self, line: str, clock: Clock) -> Parsed | None:
        obj = self.decode(line)
        if obj is None or (self.signature is not None and not self.signature(obj)):
            return None
        parsed = self.parse_object(obj, clock)
        if not parsed.message:  # an object with no message of its own: the line says it all
            parsed.message = line.strip()
        return parsed

    def parse_object(self, obj: dict[str, Any], clock: Clock) -> Parsed:
        time_keys, level_keys, message_keys, service_keys, error_keys = self._layout(obj)
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
        else:  # an access log that states no level: its status does
            level = _status_level(obj)
        if level is None:
            level = infer_level(message)
        used = {key for key in (time_key, level_key, message_key, service_key) if key}
        fields = {key: value for key, value in obj.items() if key not in used}
        error = _error_text(obj, error_keys) if error_keys else None
        if error and error not in message:
            fields["error_text"] = error
        found: dict[str, Any] | None = fields or None
        if message and (message[0] == "[" or "race" in message):  # `may_carry_ids`, inlined
            message, found = extract_ids(message, found)
        return Parsed(
            timestamp=clock.from_value(time_value) if time_value is not None else None,
            level=level,
            message=message,
            service=str(service) if service is not None else None,
            fields=found,
            zoned=type(time_value) in _EPOCH_TYPES
            or (time_value is not None and is_instant(time_value)),
        )

    def _layout(self, obj: dict[str, Any]) -> _Layout:
        """Which of the candidate keys this object has, per role. Objects of one file share a
        few key layouts, so the search over every convention runs once per layout, not per
        line."""
        signature = tuple(obj)
        layout = self._layouts.get(signature)
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
            if len(self._layouts) < MAX_LAYOUTS:
                self._layouts[signature] = layout
        return layout


_EPOCH_TYPES = frozenset({int, float})


def is_instant(value: object) -> bool:
    """True for a time value that names an instant: an epoch (number, digits, log4j2's
    `instant` object) or text that ends in a zone (`Z`, `+02:00`, `-0700`, `UTC`)."""
    if isinstance(value, str):
        text = value.rstrip()
        if not text:
            return False
        if text[-1] in "Zz" or text.endswith(("UTC", "GMT")):
            return True
        if text.replace(".", "", 1).isdigit():
            return True
        # `+02:00`, `-0700`, `+02` after a time of day (a date's own dashes are not a zone)
        sign = max(text.rfind("+", len(text) - 6), text.rfind("-", len(text) - 6))
        if sign < 0 or ":" not in text[:sign]:
            return False
        digits = text[sign + 1 :].replace(":", "")
        return digits.isdigit() and len(digits) in (2, 4)
    return isinstance(value, int | float | dict) and not isinstance(value, bool)


# Where JSON access logs put the HTTP status (nginx and Caddy templates, ECS, Cloudflare).
_STATUS_KEYS = (
    "status",
    "status_code",
    "statusCode",
    "http.response.status_code",
    "response.status",
    "EdgeResponseStatus",
)


def _status_level(obj: dict[str, Any]) -> str | None:
    """The level an HTTP status in the object implies, or None."""
    for key in _STATUS_KEYS:
        value = lookup(obj, key)
        if value is None:
            continue
        if isinstance(value, str) and value.isdigit():
            value = int(value)
        if _is_int(value) and 100 <= value <= 599:
            return http_status_level(value)
        return None
    return None


def _payload_message(obj: dict[str, Any]) -> str:
    """The message of a Google Cloud Logging entry with no text of its own: an audit entry's
    method and its error (`google.iam.admin.v1.CreateServiceAccount: Permission ... denied`),
    or a `jsonPayload` without a `message`, as JSON."""
    proto = obj.get("protoPayload")
    if isinstance(proto, dict):
        method = str(proto.get("methodName") or "")
        status = proto.get("status")
        error = status.get("message") if isinstance(status, dict) else None
        if error:
            return f"{method}: {error}" if method else str(error)
        return method
    payload = obj.get("jsonPayload")
    if isinstance(payload, dict) and payload:
        return json.dumps(payload, ensure_ascii=False)
    return ""


def _error_text(obj: dict[str, Any], keys: tuple[str, ...] = _ERROR_KEYS) -> str | None:
    """The error or stack trace a JSON record carries beside its message (pino `err`, zap
    `stacktrace`, logstash `stack_trace`, structlog `exception`, ECS `error.stack_trace`, flat
    or nested, log4j2 `thrown`)."""
    for key in keys:
        value = lookup(obj, key)
        if isinstance(value, dict):
            stack = value.get("stack") or value.get("stack_trace") or value.get("StackTrace")
            if isinstance(stack, str) and stack:
                return stack
            text = value.get("message") or value.get("Message")
            if isinstance(text, str):
                kind = value.get("name") or value.get("type")
                return f"{kind}: {text}" if isinstance(kind, str) and kind else text
        elif isinstance(value, str) and value:
            return value
    return None


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


JSON_DIALECTS: tuple[JsonFormat, ...] = (
    JsonFormat(
        "journald-json",
        "journalctl -o json",
        lambda o: "__REALTIME_TIMESTAMP" in o and "MESSAGE" in o,
        priority=95,
        service_keys=("SYSLOG_IDENTIFIER", "_SYSTEMD_UNIT", "_COMM"),
        samples=(
            Sample(
                '{"__REALTIME_TIMESTAMP":"1795874523118442","PRIORITY":"3","_HOSTNAME":'
                '"web-1","SYSLOG_IDENTIFIER":"checkout","_PID":"4242","MESSAGE":'
                '"upstream timed out"}',
                level="error",
                service="checkout",
                timestamp="2026-11-28T14:02:03.118442+00:00",
            ),
        ),
    ),
    JsonFormat(
        "bunyan",
        "bunyan (Node.js)",
        lambda o: o.get("v") == 0 and "name" in o and "hostname" in o and _is_int(o.get("level")),
        priority=92,
        service_keys=("name", *_SERVICE_KEYS),
        samples=(
            Sample(
                '{"name":"cart-api","hostname":"cart-7d9f","pid":18,"level":50,"msg":'
                '"redis GET timed out","time":"2026-11-28T14:02:03.118Z","v":0}',
                level="error",
                service="cart-api",
                message="redis GET timed out",
            ),
        ),
    ),
    JsonFormat(
        "mongodb-json",
        "MongoDB 4.4+ structured log",
        lambda o: isinstance(o.get("t"), dict) and "s" in o and "c" in o and "msg" in o,
        priority=93,
        level_keys=("s",),
        levels={"F": "fatal", "E": "error", "W": "warning", "I": "info"}
        | {f"D{n}": "debug" for n in range(1, 6)},
        samples=(
            Sample(
                '{"t":{"$date":"2026-11-28T14:02:03.118+00:00"},"s":"E","c":"STORAGE","id":'
                '22435,"ctx":"conn42","msg":"WiredTiger error","attr":{"error":28,"message":'
                '"No space left on device"}}',
                level="error",
                message="WiredTiger error",
                timestamp="2026-11-28T14:02:03.118000+00:00",
            ),
        ),
    ),
    JsonFormat(
        "nextcloud",
        "Nextcloud / ownCloud nextcloud.log",
        lambda o: "reqId" in o and _is_int(o.get("level")) and "app" in o,
        priority=91,
        levels={0: "debug", 1: "info", 2: "warning", 3: "error", 4: "fatal"},
        service_keys=("app",),
        samples=(
            Sample(
                '{"reqId":"Xk2fQ0aZt9","level":3,"time":"2026-11-28T14:02:03+00:00",'
                '"remoteAddr":"10.0.0.7","user":"alice","app":"files","method":"PUT","url":'
                '"/remote.php/dav/files/alice/report.pdf","message":"Could not write file",'
                '"userAgent":"Mozilla/5.0","version":"29.0.4.1"}',
                level="error",
                service="files",
                message="Could not write file",
            ),
            Sample(
                '{"reqId":"Xk2fQ0aZtA","level":1,"time":"2026-11-28T14:02:04+00:00",'
                '"remoteAddr":"","user":"--","app":"cron","method":"","url":"--","message":'
                '"Finished background job","userAgent":"--","version":"29.0.4.1"}',
                level="info",
            ),
        ),
    ),
    JsonFormat(
        "serilog-clef",
        "Serilog compact JSON (CLEF)",
        lambda o: "@t" in o and ("@m" in o or "@mt" in o),
        priority=89,
        level_keys=("@l",),
        # CLEF names no level for Information; Serilog's Verbose is below Debug
        default_level="info",
        levels={"Verbose": "trace", "VRB": "trace"},
        samples=(
            Sample(
                '{"@t":"2026-11-28T23:02:03.1180000+09:00","@mt":"Payment {PaymentId} '
                'declined by {Provider}","@m":"Payment 8812 declined by \\"psp\\"","@l":'
                '"Error","PaymentId":8812,"Provider":"psp"}',
                level="error",
                message='Payment 8812 declined by "psp"',
                timestamp="2026-11-28T14:02:03.118000+00:00",
            ),
            Sample(
                '{"@t":"2026-11-28T14:02:03.118Z","@mt":"Cache warmed in {Elapsed} ms",'
                '"Elapsed":412}',
                level="info",
                message="Cache warmed in {Elapsed} ms",
            ),
        ),
    ),
    JsonFormat(
        "pino",
        "pino (Node.js)",
        lambda o: _is_int(o.get("level")) and _is_int(o.get("time")),
        priority=90,
        samples=(
            Sample(
                '{"level":50,"time":1795874523118,"pid":18,"hostname":"cart-7d9f",'
                '"msg":"redis GET timed out"}',
                level="error",
                timestamp="2026-11-28T14:02:03.118000+00:00",
            ),
        ),
    ),
    JsonFormat(
        "zap",
        "zap JSON (Go)",
        lambda o: isinstance(o.get("ts"), float | int) and isinstance(o.get("level"), str),
        priority=88,
        samples=(
            Sample(
                '{"level":"error","ts":1795874523.118442,"caller":"cart/store.go:88",'
                '"msg":"redis get failed","error":"i/o timeout"}',
                level="error",
                message="redis get failed",
            ),
        ),
    ),
    JsonFormat(
        "ecs",
        "Elastic Common Schema (ecs-logging)",
        lambda o: "log.level" in o or "ecs.version" in o or "ecs" in o,
        priority=86,
        samples=(
            Sample(
                '{"@timestamp":"2026-11-28T14:02:03.118Z","log.level":"error","message":'
                '"Payment declined","ecs.version":"1.6.0","service.name":"payments"}',
                level="error",
                service="payments",
            ),
        ),
    ),
    JsonFormat(
        "logstash",
        "logstash-logback-encoder (Java)",
        lambda o: "@version" in o and "@timestamp" in o,
        priority=85,
        samples=(
            Sample(
                '{"@timestamp":"2026-11-28T14:02:03.118Z","@version":"1","message":'
                '"Cart lookup failed","logger_name":"c.e.CartService","thread_name":'
                '"http-nio-8080-exec-1","level":"ERROR","level_value":40000}',
                level="error",
            ),
        ),
    ),
    JsonFormat(
        "log4j2-json",
        "log4j2 JsonLayout / JsonTemplateLayout",
        lambda o: ("instant" in o or "timeMillis" in o) and "loggerName" in o,
        priority=84,
        samples=(
            Sample(
                '{"instant":{"epochSecond":1795874523,"nanoOfSecond":118000000},'
                '"thread":"main","level":"ERROR","loggerName":"com.example.Orders",'
                '"message":"Order sync failed"}',
                level="error",
                timestamp="2026-11-28T14:02:03.118000+00:00",
            ),
        ),
    ),
    JsonFormat(
        "gcp",
        "Google Cloud Logging structured JSON",
        lambda o: "severity" in o,
        priority=82,
        samples=(
            Sample(
                '{"severity":"ERROR","message":"Quota exceeded for quota metric",'
                '"time":"2026-11-28T14:02:03.118Z","logging.googleapis.com/trace":'
                '"projects/shop/traces/4bf92f3577b34da6"}',
                level="error",
            ),
            Sample(  # a Cloud Audit Logs entry: the method and its error
                '{"insertId":"1x9f","logName":"projects/shop/logs/cloudaudit.googleapis.com%2F'
                'activity","protoPayload":{"@type":"type.googleapis.com/google.cloud.audit.'
                'AuditLog","methodName":"v1.compute.instances.delete","resourceName":"projects/'
                'shop/zones/europe-west1-b/instances/web-1","status":{"code":7,"message":'
                '"Required permission denied"}},"severity":"ERROR","timestamp":'
                '"2026-11-28T14:02:03.118442Z"}',
                level="error",
                message="v1.compute.instances.delete: Required permission denied",
            ),
            Sample(
                '{"insertId":"2a7c","jsonPayload":{"message":"cache refreshed","entries":812},'
                '"severity":"INFO","timestamp":"2026-11-28T14:02:03Z"}',
                level="info",
                message="cache refreshed",
            ),
        ),
    ),
    JsonFormat(
        "structlog",
        "structlog JSONRenderer (Python)",
        lambda o: isinstance(o.get("event"), str),
        priority=80,
        samples=(
            Sample(
                '{"event":"charge failed","level":"error","timestamp":'
                '"2026-11-28T14:02:03.118442Z","order_id":8812}',
                level="error",
                message="charge failed",
            ),
        ),
    ),
    JsonFormat(
        "json",
        "JSON lines (any key convention)",
        None,
        priority=60,
        samples=(
            Sample(
                '{"time":"2026-11-28T14:02:03Z","lvl":"warn","message":"slow query",'
                '"duration_ms":5123}',
                level="warning",
                message="slow query",
            ),
            Sample(  # tracing-subscriber's JSON: the message among the event's fields
                '{"timestamp":"2026-11-28T14:02:03.118442Z","level":"WARN","fields":{"message":'
                '"retrying connection","attempt":3},"target":"shop::db","threadId":4}',
                level="warning",
                message="retrying connection",
            ),
            Sample(  # an object with no message key: the line is the message
                '{"job":"nightly-backup","exit_code":0}',
                message='{"job":"nightly-backup","exit_code":0}',
            ),
            Sample(  # a JSON access log: no level of its own, its status gives one
                '{"time":"2026-11-28T14:02:03+00:00","remote_addr":"203.0.113.7","request":'
                '"POST /api/checkout HTTP/1.1","status":"502","request_time":"5.002"}',
                level="error",
            ),
        ),
    ),
)

_LOGFMT_PAIR = re.compile(r'([\w.\-/@]+)=("(?:[^"\\]|\\.)*"|\S*)')
_LOGFMT_START = re.compile(r"^[\w.\-/@]+=")


class LogfmtFormat(LogFormat):
    """logfmt (`time=... level=error msg="..."`), as written by logrus, go-kit, Heroku."""

    name = "logfmt"
    title = "logfmt key=value pairs"
    priority = 70
    samples = (
        Sample(
            'time="2026-11-28T14:02:03Z" level=error msg="dial tcp 10.0.3.12:6379: i/o '
            'timeout" component=cart',
            level="error",
            message="dial tcp 10.0.3.12:6379: i/o timeout",
            timestamp="2026-11-28T14:02:03+00:00",
        ),
        Sample(
            'at=error code=H12 desc="Request timeout" method=POST path="/api/checkout" status=503',
            level="error",
        ),
        Sample(
            'date=2026-11-28 time=14:02:03 devname="fw-edge" logid="0100032002" type="event" '
            'subtype="system" level="warning" msg="Admin login failed"',
            level="warning",
            timestamp="2026-11-28T14:02:03+00:00",
        ),
    )

    def parse(self, line: str, clock: Clock) -> Parsed | None:
        if not _LOGFMT_START.match(line):
            return None
        obj: dict[str, Any] = {}
        for key, raw in _LOGFMT_PAIR.findall(line):
            if raw.startswith('"') and len(raw) >= 2:
                raw = raw[1:-1].replace('\\"', '"').replace("\\\\", "\\")
            obj[key] = raw
        if len(obj) < 2 or not obj.keys() & {"msg", "message", "level", "lvl", "at", "time", "ts"}:
            return None
        if "level" not in obj and "at" in obj:
            obj["level"] = obj.pop("at")
        if "date" in obj and obj.get("time", "")[2:3] == ":":  # Fortinet's `date=... time=...`
            obj["time"] = f"{obj.pop('date')}T{obj['time']}"
        parsed = JSON_DIALECTS[-1].parse_object(obj, clock)
        if parsed.level is None and str(obj.get("status", "")).startswith("5"):
            parsed.level = "error"
        if not parsed.message:
            parsed.message = obj.get("desc") or line
        return parsed


LOGFMT = LogfmtFormat()
STRUCTURED_FORMATS: tuple[LogFormat, ...] = (*JSON_DIALECTS, LOGFMT)
