"""Text formats written by application logging libraries: Python, Java, Go, Kafka."""

from __future__ import annotations

from ..timestamps import stamp
from .base import RegexFormat, Sample

_STAMP_1 = stamp(r"%Y/%m/%d %H:%M:%S(?:\.%f)?")
_STAMP_2 = stamp(r"%Y-%m-%dT%H:%M:%S(?:\.%f)?%z")
_STAMP_3 = stamp(r"%m%d %H:%M:%S\.%f")

# Level words as libraries print them (upper case, sometimes padded).
_LEVEL = r"(?P<level>TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|SEVERE|CRITICAL|FATAL)"
# log4j's own levels: never WARNING or CRITICAL, which tells `%d %p %c: %m` apart from Python's
# `%(asctime)s %(levelname)s %(name)s: %(message)s`, the same layout.
_LOG4J_LEVEL = r"(?P<level>TRACE|DEBUG|INFO|WARN|ERROR|FATAL)"
_ISO_MS = stamp(r"%Y-%m-%d[T ]%H:%M:%S(?:[.,]%f)?(?:%z)?")

PYTHON_DEFAULT = RegexFormat(
    "python-basic",
    r"^(?P<level>CRITICAL|ERROR|WARNING|INFO|DEBUG):(?P<logger>[\w.\-]*):(?P<message>.*)$",
    title="Python logging, basicConfig() default",
    priority=40,
    samples=(
        Sample(
            "ERROR:payments.gateway:Charge failed for order 8812: HTTP 503",
            level="error",
            message="Charge failed for order 8812: HTTP 503",
        ),
    ),
)

PYTHON_ASCTIME = RegexFormat(
    "python",
    rf"^\[?{stamp(r'%Y-%m-%d %H:%M:%S(?:,%f)?')}\]?(?: -)? (?:"
    rf"(?P<logger>[\w.\-]+) - {_LEVEL} - "
    rf"|\[?{_LEVEL.replace('level', 'level2')}\]? (?:in )?(?P<logger2>[\w.\-]+): "
    # OpenTelemetry's logging instrumentation: the id block stays in the message, whose head
    # it decorates (taken out by `trace_context`)
    rf"|{_LEVEL.replace('level', 'level4')} \[(?P<logger4>[\w.\-]+)\] "
    r"(?:\[(?P<caller>[\w.\-]+:\d+)\] )?(?=\[trace_id=)"
    rf"|{_LEVEL.replace('level', 'level3')}:? +"
    rf")(?P<message>.*)$",
    title="Python logging with asctime (common formatter layouts, OpenTelemetry's)",
    priority=55,
    samples=(
        Sample(
            "2026-11-28 14:01:58,332 - payments.gateway - ERROR - Charge failed: timeout",
            level="error",
            message="Charge failed: timeout",
            timestamp="2026-11-28T14:01:58.332000+00:00",
        ),
        Sample(
            "[2026-11-28 14:01:58,332] ERROR in app: Exception on /checkout [POST]",
            level="error",
            message="Exception on /checkout [POST]",
        ),
        Sample(
            "2026-11-28 14:01:58,332 WARNING urllib3.connectionpool: Retrying (Retry(total=2))",
            level="warning",
            message="Retrying (Retry(total=2))",
        ),
        Sample(  # opentelemetry-instrumentation-logging's default OTEL_PYTHON_LOG_FORMAT
            "2026-11-28 14:01:58,332 ERROR [payments.gateway] [gateway.py:88] [trace_id="
            "4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7 resource.service.name="
            "payments trace_sampled=True] - Charge failed for order 8812: HTTP 503",
            level="error",
            message="Charge failed for order 8812: HTTP 503",
        ),
    ),
)

GUNICORN = RegexFormat(
    "gunicorn",
    rf"^\[{stamp(r'%Y-%m-%d %H:%M:%S(?: %z)?')}\] \[(?P<pid>\d+)\] \[(?P<level>[A-Z]+)\] "
    r"(?P<message>.*)$",
    title="Gunicorn error log",
    priority=60,
    samples=(
        Sample(
            "[2026-11-28 14:01:58 +0000] [7] [CRITICAL] WORKER TIMEOUT (pid:12)",
            level="critical",
            message="WORKER TIMEOUT (pid:12)",
            timestamp="2026-11-28T14:01:58+00:00",
        ),
    ),
)

CELERY = RegexFormat(
    "celery",
    rf"^\[{stamp(r'%Y-%m-%d %H:%M:%S(?:,%f)?')}: (?P<level>[A-Z]+)/(?P<process>[\w\-]+)\] "
    r"(?P<message>.*)$",
    title="Celery worker log",
    priority=60,
    samples=(
        Sample(
            "[2026-11-28 14:01:58,332: ERROR/ForkPoolWorker-2] Task orders.charge[9f1c] "
            "raised unexpected: OperationalError('server closed the connection unexpectedly')",
            level="error",
        ),
    ),
)

UVICORN = RegexFormat(
    "uvicorn",
    r"^(?P<level>INFO|WARNING|ERROR|CRITICAL|DEBUG|TRACE):\s{2,}(?P<message>.*)$",
    title="Uvicorn default console log (no timestamp)",
    priority=40,
    samples=(
        Sample(
            'INFO:     10.0.0.12:51844 - "POST /api/checkout HTTP/1.1" 500 Internal Server Error',
            level="info",
        ),
    ),
)

# Trace ids Spring Boot applications print in the header. Before the level, OpenTelemetry's
# `logging.pattern.level=trace_id=%mdc{trace_id} span_id=%mdc{span_id} trace_flags=... %5p`;
# after it, Sleuth's and Micrometer's `%5p [${spring.application.name:},%X{traceId:-},
# %X{spanId:-}]` (Sleuth adds the exportable flag; ids are blank outside a request); after the
# thread, Spring Boot 3.2's correlation id `[<traceId>-<spanId>] ` (blanks when untraced).
# Each is one group, read by `trace_context.block_ids` when present.
_OTEL_LEVEL_PREFIX = (
    r"(?:(?P<otel_ids>trace_id=[0-9a-f]* span_id=[0-9a-f]*(?: trace_flags=\d*)?)\s+)?"
)
_SLEUTH = r"(?:(?P<sleuth>\[[\w.\-]*,[0-9a-f]*,[0-9a-f]*(?:,(?:true|false)?)?\])\s+)?"
_CORRELATION = r"(?:(?P<correlation>\[(?:[0-9a-f]{16,32}-[0-9a-f]{16}| {40,})\]) )?"

SPRING_BOOT = RegexFormat(
    "spring-boot",
    rf"^{_ISO_MS}\s+{_OTEL_LEVEL_PREFIX}{_LEVEL}\s+{_SLEUTH}(?P<pid>\d+) --- "
    r"(?:\[(?P<service>[\w.\-]+)\] )?"
    rf"\[\s*(?P<thread>[^\]]*)\] {_CORRELATION}(?P<logger>[\w.$\[\]/-]+)\s*: (?P<message>.*)$",
    title="Spring Boot default console/file log (with Sleuth / Micrometer trace ids)",
    priority=70,
    id_blocks=("otel_ids", "sleuth", "correlation"),
    samples=(
        Sample(
            "2026-11-28T14:02:03.118Z ERROR 1 --- [checkout-service] [nio-8080-exec-7] "
            "c.e.checkout.cart.CartService          : Cart lookup failed for cart 5f2a",
            level="error",
            service="checkout-service",
            message="Cart lookup failed for cart 5f2a",
            timestamp="2026-11-28T14:02:03.118000+00:00",
        ),
        Sample(
            "2026-11-28 14:02:03.118  WARN 4242 --- [nio-8080-exec-2] o.s.web.servlet.PageNotFound"
            "             : No mapping for GET /favicon.ico",
            level="warning",
        ),
        Sample(  # Spring Cloud Sleuth (Boot 2)
            "2022-05-31 07:50:52.123 ERROR [ts-seat-service,7ed6a1b2c3d4e5f6,91bc2d3e4f5a6b7c,true]"
            " 1 --- [nio-18898-exec-3] s.c.SeatController                       : [Seat] "
            "Create seat failed for trip G1234",
            level="error",
            service="ts-seat-service",
            message="[Seat] Create seat failed for trip G1234",
        ),
        Sample(  # Boot 3.2+ with Micrometer Tracing: the correlation id after the thread
            "2026-11-28T14:02:03.118+01:00 ERROR 17976 --- [checkout] [nio-8080-exec-1] "
            "[6560698e6f57e4f5ab0f39fe1ea8b7c2-ab0f39fe1ea8b7c2] c.e.checkout.CartService"
            "                 : Cart lookup failed for cart 5f2a",
            level="error",
            service="checkout",
            message="Cart lookup failed for cart 5f2a",
            timestamp="2026-11-28T13:02:03.118000+00:00",
        ),
    ),
)

LOGBACK = RegexFormat(
    "logback",
    rf"^{stamp(r'(?:%Y-%m-%d[T ])?%H:%M:%S[.,]%f')} \[(?P<thread>[^\]]+)\]\s+{_LEVEL}\s+"
    r"(?P<logger>[\w.$]+)(?::\d+)? - (?P<message>.*)$",
    title="Logback / log4j2 default pattern (%d [%thread] %level %logger - %msg)",
    priority=65,
    samples=(
        Sample(
            "14:02:03.118 [http-nio-8080-exec-1] ERROR c.e.checkout.PaymentClient - "
            "Payment gateway returned 503",
            level="error",
            message="Payment gateway returned 503",
        ),
        Sample(
            "2026-11-28 14:02:03.118 [main] INFO  com.example.Application - Started in 4.1 s",
            level="info",
            timestamp="2026-11-28T14:02:03.118000+00:00",
        ),
    ),
)

LOG4J = RegexFormat(
    "log4j",
    rf"^{_ISO_MS}\s+{_LOG4J_LEVEL}\s+(?:\[(?P<thread>[^\]]+)\]\s+)?(?P<logger>[\w.$]+)(?::\d+)?"
    r"(?::| -) (?P<message>.*)$",
    title="log4j PatternLayout (%d %p [%t] %c: %m)",
    priority=60,
    samples=(
        Sample(
            "2026-11-28 14:02:03,118 ERROR [pool-2-thread-1] com.example.orders.OrderSync: "
            "Sync failed after 3 attempts",
            level="error",
            message="Sync failed after 3 attempts",
            timestamp="2026-11-28T14:02:03.118000+00:00",
        ),
    ),
)

KAFKA = RegexFormat(
    "kafka",
    # Not Flask's `[%(asctime)s] %(levelname)s in %(module)s: %(message)s`.
    rf"^\[{stamp(r'%Y-%m-%d %H:%M:%S(?:,%f)?')}\] {_LEVEL} (?!in [\w.\-]+: )(?P<message>.*?)"
    r"(?: \((?P<logger>[\w.$]+)\))?$",
    title="Apache Kafka server log (log4j [%d] %p %m (%c))",
    priority=65,
    samples=(
        Sample(
            "[2026-11-28 14:02:03,118] ERROR [ReplicaManager broker=1] Error processing append "
            "operation on partition orders-0 (kafka.server.ReplicaManager)",
            level="error",
            message="[ReplicaManager broker=1] Error processing append operation on partition "
            "orders-0",
        ),
    ),
)

GO_LOG = RegexFormat(
    "go-log",
    # programs that print their level by convention (`log.Printf("[ERROR] ...")`, hclog's)
    rf"^{_STAMP_1} (?:(?P<caller>[\w./\-]+\.go:\d+): )?"
    r"(?:\[(?P<level>TRACE|DEBUG|INFO|WARN|WARNING|ERR|ERROR|FATAL|PANIC)\]:? +)?"
    r"(?P<message>.*)$",
    title="Go standard library log (LstdFlags)",
    priority=45,
    samples=(
        Sample(
            "2026/11/28 14:02:03 http: proxy error: dial tcp 10.0.3.12:8080: connect: "
            "connection refused",
            timestamp="2026-11-28T14:02:03+00:00",
        ),
        Sample(
            "2026/11/28 14:02:03 [ERR] agent: failed to sync remote state: No cluster leader",
            level="error",
            message="agent: failed to sync remote state: No cluster leader",
        ),
    ),
)

ZAP_CONSOLE = RegexFormat(
    "zap-console",
    rf"^{_STAMP_2}\t(?P<level>[A-Z]+)\t"
    r"(?:(?P<caller>[\w./\-]+\.go:\d+)\t)?(?P<message>.*)$",
    title="zap console encoder (development config)",
    priority=70,
    samples=(
        Sample(
            "2026-11-28T14:02:03.118Z\tERROR\tcart/store.go:88\tredis get failed\t"
            '{"key": "cart:5f2a", "error": "i/o timeout"}',
            level="error",
        ),
    ),
)

KLOG = RegexFormat(
    "klog",
    rf"^(?P<level>[IWEF]){_STAMP_3}\s+(?P<pid>\d+) (?P<caller>[^\]\s]+)\] "
    r"(?P<message>.*)$",
    title="Kubernetes klog / glog",
    levels={"I": "info", "W": "warning", "E": "error", "F": "fatal"},
    priority=75,
    samples=(
        Sample(
            "E1128 14:02:03.118442       1 reflector.go:138] k8s.io/client-go: Failed to watch "
            "*v1.Pod: the server has asked for the client to provide credentials",
            level="error",
        ),
    ),
)

FORMATS: tuple[RegexFormat, ...] = (
    PYTHON_DEFAULT,
    PYTHON_ASCTIME,
    GUNICORN,
    CELERY,
    UVICORN,
    SPRING_BOOT,
    LOGBACK,
    LOG4J,
    KAFKA,
    GO_LOG,
    ZAP_CONSOLE,
    KLOG,
)
