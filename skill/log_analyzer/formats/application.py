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
    rf"|{_LEVEL.replace('level', 'level3')}:? "
    rf")(?P<message>.*)$",
    title="Python logging with asctime (common formatter layouts)",
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

SPRING_BOOT = RegexFormat(
    "spring-boot",
    rf"^{_ISO_MS}\s+{_LEVEL}\s+(?P<pid>\d+) --- (?:\[(?P<service>[\w.\-]+)\] )?"
    r"\[\s*(?P<thread>[^\]]*)\] (?P<logger>[\w.$\[\]/-]+)\s*: (?P<message>.*)$",
    title="Spring Boot default console/file log",
    priority=70,
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
    rf"^{_STAMP_1} (?:(?P<caller>[\w./\-]+\.go:\d+): )?"
    r"(?P<message>.*)$",
    title="Go standard library log (LstdFlags)",
    priority=45,
    samples=(
        Sample(
            "2026/11/28 14:02:03 http: proxy error: dial tcp 10.0.3.12:8080: connect: "
            "connection refused",
            timestamp="2026-11-28T14:02:03+00:00",
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
