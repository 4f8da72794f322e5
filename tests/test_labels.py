"""Labels of real error messages from many ecosystems, read through the whole pipeline (files
on disk, format detection, multi-line joining, error groups): the label is what an SRE would
call the failure: the component that logged it and the root cause, not a wrapper exception
or a truncated sentence."""

from __future__ import annotations

from pathlib import Path

import pytest

from log_analyzer.ingest import parse_paths
from log_analyzer.mining.groups import ErrorGrouper
from log_analyzer.mining.labels import component_of, exception_of, route

SPRING = "2026-11-28T14:02:04.621Z {level} 1 --- [checkout-service] [io-8080-exec-43] {logger} : "
CART_SERVICE = "com.example.checkout.cart.CartService   "
PROMO = "c.e.checkout.promo.PromoService         "
LETTUCE_OOM = (
    SPRING.format(level="ERROR", logger=CART_SERVICE)
    + "Could not lock cart 6a02b274-5ca9-4688-9c4f-2dccd82efe7d for checkout "
    "(requestId=f33f8ebfbceb345898e42c71662fb255)\n"
    "\n"
    "org.springframework.data.redis.RedisSystemException: Error in execution\n"
    "\tat org.springframework.data.redis.connection.lettuce.LettuceExceptionConverter.convert("
    "LettuceExceptionConverter.java:52) ~[spring-data-redis-3.5.5.jar!/:3.5.5]\n"
    "\tat org.springframework.data.redis.connection.lettuce.LettuceConnection.await("
    "LettuceConnection.java:969) ~[spring-data-redis-3.5.5.jar!/:3.5.5]\n"
    "\tat com.example.checkout.cart.CartService.lockForCheckout(CartService.java:118) "
    "~[classes!/:2.14.3]\n"
    "Caused by: io.lettuce.core.RedisCommandExecutionException: OOM command not allowed when "
    "used memory > 'maxmemory'.\n"
    "\tat io.lettuce.core.internal.ExceptionFactory.createExecutionException("
    "ExceptionFactory.java:151) ~[lettuce-core-6.6.0.RELEASE.jar!/:6.6.0.RELEASE]\n"
    "\t... 60 more\n"
    "\n"
)
LETTUCE_TIMEOUT = (
    SPRING.format(level="ERROR", logger=CART_SERVICE)
    + "Could not lock cart ae120a3c-039e-4d8b-b135-4113724bf80b for checkout "
    "(requestId=7dd244ddd2172bd4498daf6e8c59fd70)\n"
    "\n"
    "org.springframework.dao.QueryTimeoutException: Redis command timed out\n"
    "\tat org.springframework.data.redis.connection.lettuce.LettuceExceptionConverter.convert("
    "LettuceExceptionConverter.java:72) ~[spring-data-redis-3.5.5.jar!/:3.5.5]\n"
    "Caused by: io.lettuce.core.RedisCommandTimeoutException: Command timed out after 2 "
    "second(s)\n"
    "\tat io.lettuce.core.internal.ExceptionFactory.createTimeoutException("
    "ExceptionFactory.java:63) ~[lettuce-core-6.6.0.RELEASE.jar!/:6.6.0.RELEASE]\n"
    "\t... 1 more\n"
    "\n"
)
HIKARI = (
    SPRING.format(level="ERROR", logger="c.e.checkout.web.CheckoutController     ")
    + "Checkout failed for order 8812\n"
    "\n"
    "org.springframework.dao.DataAccessResourceFailureException: Unable to acquire JDBC "
    "Connection [HikariPool-1 - Connection is not available, request timed out after 30000ms "
    "(total=10, active=10, idle=0, waiting=42)] [n/a]\n"
    "\tat org.springframework.orm.jpa.vendor.HibernateJpaDialect.convertHibernateAccessException("
    "HibernateJpaDialect.java:277) ~[spring-orm-6.2.12.jar!/:6.2.12]\n"
    "Caused by: org.hibernate.exception.JDBCConnectionException: Unable to acquire JDBC "
    "Connection [HikariPool-1 - Connection is not available, request timed out after 30000ms "
    "(total=10, active=10, idle=0, waiting=42)] [n/a]\n"
    "\tat org.hibernate.exception.internal.SQLStateConversionDelegate.convert("
    "SQLStateConversionDelegate.java:100) ~[hibernate-core-6.6.33.Final.jar!/:6.6.33.Final]\n"
    "\t... 84 common frames omitted\n"
    "Caused by: java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not "
    "available, request timed out after 30000ms (total=10, active=10, idle=0, waiting=42)\n"
    "\tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:686) "
    "~[HikariCP-5.1.0.jar!/:na]\n"
    "\t... 97 common frames omitted\n"
    "\n"
)
PAYMENT_503 = (
    SPRING.format(level="ERROR", logger="c.e.checkout.payment.PaymentClient      ")
    + "Payment authorization failed for order 100482484: 503 SERVICE_UNAVAILABLE from "
    "http://payment-service:8000/v1/payments/authorize "
    "(requestId=75aabf449a1b257ef7a285e2e6214b93)\n"
    "\n"
    "org.springframework.web.client.HttpServerErrorException$ServiceUnavailable: 503 Service "
    'Unavailable: "{"detail":"idempotency store unavailable"}"\n'
    "\tat org.springframework.web.client.HttpServerErrorException.create("
    "HttpServerErrorException.java:116) ~[spring-web-6.2.12.jar!/:6.2.12]\n"
    "\n"
)
DEPRECATED = (
    SPRING.format(level=" WARN", logger="c.e.c.config.FeatureFlagRefresher       ")
    + "Property 'checkout.payment.legacy-timeout-ms' is deprecated and will be removed in 3.0; "
    "use 'checkout.payment.client.read-timeout' instead\n"
)
# Spring Boot 2: no application name; the servlet container logs the root cause alone.
DISPATCHER = (
    "2026-11-28 14:02:03.118 ERROR 1 --- [nio-8080-exec-4] o.a.c.c.C.[.[.[/].[dispatcherServlet]"
    "    : Servlet.service() for servlet [dispatcherServlet] in context with path [] threw "
    "exception [Request processing failed; nested exception is "
    'org.springframework.web.client.ResourceAccessException: I/O error on GET request for "'
    'http://pricing:8080/api/prices/A-1001": Read timed out; nested exception is '
    "java.net.SocketTimeoutException: Read timed out] with root cause\n"
    "\n"
    "java.net.SocketTimeoutException: Read timed out\n"
    "\tat java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:278) ~[na:na]\n"
    "\tat java.base/java.net.Socket$SocketInputStream.read(Socket.java:1099) ~[na:na]\n"
    "\n"
)
KAFKA_PRODUCER = (
    "14:02:04.004 [kafka-producer-network-thread | checkout-producer] ERROR "
    "o.s.kafka.support.LoggingProducerListener - Exception thrown when sending a message with "
    "key='8812' and payload='OrderPlaced(orderId=8812)' to topic orders:\n"
    "org.apache.kafka.common.errors.TimeoutException: Expiring 1 record(s) for orders-0:120000 "
    "ms has passed since batch creation\n"
)
HIKARI_POOL = (
    "14:02:33.131 [http-nio-8080-exec-9] WARN  com.zaxxer.hikari.pool.HikariPool - HikariPool-1 "
    "- Connection is not available, request timed out after 30000ms (total=10, active=10, "
    "idle=0, waiting=42)\n"
)
KAFKA_BROKER = (
    "[2026-11-28 14:02:04,004] ERROR [ReplicaManager broker=1] Error processing append "
    "operation on partition orders-0 (kafka.server.ReplicaManager)\n"
    "org.apache.kafka.common.errors.NotEnoughReplicasException: The size of the current ISR "
    "Set(1) is insufficient to satisfy the min.isr requirement of 2 for partition orders-0\n"
)
PYTHON_CHAINED = (
    "2026-11-28 14:02:05,914 - payments.api - ERROR - Idempotency store unavailable for "
    "order=100482484 request_id=75aabf449a1b257ef7a285e2e6214b93; returning 503\n"
    "Traceback (most recent call last):\n"
    '  File "/app/payments/idempotency.py", line 47, in reserve\n'
    "    created = self._redis.set(key, request_id, nx=True, ex=self._ttl_seconds)\n"
    "              ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
    '  File "/usr/local/lib/python3.12/site-packages/redis/connection.py", line 680, in '
    "read_response\n"
    "    raise response\n"
    "redis.exceptions.OutOfMemoryError: OOM command not allowed when used memory > "
    "'maxmemory'.\n"
    "\n"
    "The above exception was the direct cause of the following exception:\n"
    "\n"
    "Traceback (most recent call last):\n"
    '  File "/app/payments/idempotency.py", line 52, in reserve\n'
    '    raise IdempotencyStoreError("idempotency store unavailable") from exc\n'
    "payments.idempotency.IdempotencyStoreError: idempotency store unavailable\n"
)
PYTHON_DURING_HANDLING = (
    "2026-11-28 14:02:03,118 - checkout.cache - ERROR - Failed to load cart 5f2a from cache\n"
    "Traceback (most recent call last):\n"
    '  File "/usr/local/lib/python3.12/site-packages/redis/connection.py", line 718, in '
    "_connect\n"
    "    sock.connect(socket_address)\n"
    "ConnectionRefusedError: [Errno 111] Connection refused\n"
    "\n"
    "During handling of the above exception, another exception occurred:\n"
    "\n"
    "Traceback (most recent call last):\n"
    '  File "/app/checkout/cache.py", line 41, in load_cart\n'
    '    raw = self.client.get(f"cart:{cart_id}")\n'
    "          ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
    "redis.exceptions.ConnectionError: Error 111 connecting to redis:6379. Connection refused.\n"
)
PYTHON_MYSQL = (
    "2026-11-28 14:02:04,220 - orders.db - ERROR - Could not open a database session\n"
    "Traceback (most recent call last):\n"
    '  File "/usr/local/lib/python3.12/site-packages/pymysql/connections.py", line 1136, in '
    "_read_packet\n"
    "    packet.raise_for_error()\n"
    "pymysql.err.OperationalError: (1040, 'Too many connections')\n"
    "\n"
    "The above exception was the direct cause of the following exception:\n"
    "\n"
    "Traceback (most recent call last):\n"
    '  File "/app/orders/db.py", line 27, in session\n'
    "    connection = engine.connect()\n"
    "                 ^^^^^^^^^^^^^^^^\n"
    "sqlalchemy.exc.OperationalError: (pymysql.err.OperationalError) (1040, 'Too many "
    "connections')\n"
    "(Background on this error at: https://sqlalche.me/e/20/e3q8)\n"
)
GO_PANIC = (
    "2026/11/28 14:02:03 http: panic serving 10.0.0.12:51844: runtime error: invalid memory "
    "address or nil pointer dereference\n"
    "goroutine 57 [running]:\n"
    "net/http.(*conn).serve.func1()\n"
    "\t/usr/local/go/src/net/http/server.go:1947 +0xbe\n"
    "panic({0x7d3c40?, 0xb5e5a0?})\n"
    "\t/usr/local/go/src/runtime/panic.go:785 +0x132\n"
    "github.com/example/cart-api/internal/store.(*RedisStore).Get(0x0, {0x8a6f20, 0xc0001a6000})\n"
    "\t/src/internal/store/redis.go:88 +0x3c\n"
)
ZAP_DIAL = (
    '{"level":"error","ts":1795874523.2041872,"caller":"store/redis.go:88","msg":"redis get '
    'failed","key":"cart:5f2a","error":"dial tcp 10.0.3.20:6379: connect: connection refused",'
    '"stacktrace":"github.com/example/cart-api/internal/store.(*RedisStore).Get\\n\\t'
    '/src/internal/store/redis.go:88"}\n'
)
KLOG_DIAL = (
    "W1128 14:02:03.118442       1 reflector.go:561] k8s.io/client-go@v0.31.2/tools/cache/"
    'reflector.go:243: failed to list *v1.Pod: Get "https://10.96.0.1:443/api/v1/pods?'
    'limit=500&resourceVersion=0": dial tcp 10.96.0.1:443: connect: connection refused\n'
    'E1128 14:02:03.118502       1 reflector.go:158] "Unhandled Error" err="k8s.io/client-go@'
    "v0.31.2/tools/cache/reflector.go:243: Failed to watch *v1.Pod: failed to list *v1.Pod: Get "
    '\\"https://10.96.0.1:443/api/v1/pods?limit=500&resourceVersion=0\\": dial tcp '
    '10.96.0.1:443: connect: connection refused" logger="UnhandledError"\n'
)
KLOG_CRASHLOOP = (
    'E1128 14:06:12.503117    2231 pod_workers.go:1301] "Error syncing pod, skipping" '
    'err="failed to \\"StartContainer\\" for \\"checkout\\" with CrashLoopBackOff: \\"back-off '
    "2m40s restarting failed container=checkout pod=checkout-7d9f8c6b5-x2k4q_shop("
    '3f1e2d4c-5b6a-4798-8a1b-2c3d4e5f6a7b)\\"" pod="shop/checkout-7d9f8c6b5-x2k4q" '
    'podUID="3f1e2d4c-5b6a-4798-8a1b-2c3d4e5f6a7b"\n'
)
KLOG_OOMKILLED = (
    "W1128 14:05:37.412345       1 pod_watcher.go:112] container checkout in pod "
    "shop/checkout-7d9f8c6b5-x2k4q terminated: reason=OOMKilled exitCode=137 restartCount=3\n"
)
PINO = (
    '{{"level":50,"time":1795874523204,"pid":18,"hostname":"cart-7d9f8c6b5-x2k4q",'
    '"reqId":"6e1179379cba8ea846f1e41062d679ec",{err},"msg":"{msg}"}}\n'
)
PINO_OOM = PINO.format(
    err='"err":{"type":"ReplyError","message":"OOM command not allowed when used memory > '
    '\'maxmemory\'.","stack":"ReplyError: OOM command not allowed when used memory > '
    "'maxmemory'.\\n    at parseError (/app/node_modules/redis-parser/lib/parser.js:179:12)\","
    '"command":{"name":"hset","args":["cart:1038f0b5","item:SKU-27585","1"]}}',
    msg="OOM command not allowed when used memory > 'maxmemory'.",
)
PINO_REFUSED = PINO.format(
    err='"err":{"type":"Error","message":"connect ECONNREFUSED 10.0.3.20:6379","stack":"Error: '
    "connect ECONNREFUSED 10.0.3.20:6379\\n    at TCPConnectWrap.afterConnect [as oncomplete] "
    '(node:net:1607:16)","errno":-111,"code":"ECONNREFUSED","syscall":"connect",'
    '"address":"10.0.3.20","port":6379}',
    msg="redis connection failed",
)
PINO_TIMEOUT = PINO.format(
    err='"err":{"type":"Error","message":"Command timed out","stack":"Error: Command timed out'
    '\\n    at Timeout._onTimeout (/app/node_modules/ioredis/built/Redis.js:366:28)"}',
    msg="Command timed out",
)
REDIS = (
    "1:M 28 Nov 2026 14:01:58.142 * 100 changes in 300 seconds. Saving...\n"
    "1:M 28 Nov 2026 14:01:58.142 # Can't save in background: fork: Cannot allocate memory\n"
)
POSTGRES_CLIENTS = (
    "2026-11-28 14:02:03.118 UTC [4242] FATAL:  sorry, too many clients already\n"
    "2026-11-28 14:02:03.120 UTC [4243] FATAL:  sorry, too many clients already\n"
)
POSTGRES_DEADLOCK = (
    "2026-11-28 14:02:09.004 UTC [3990] ERROR:  deadlock detected\n"
    "2026-11-28 14:02:09.004 UTC [3990] DETAIL:  Process 3990 waits for ShareLock on "
    "transaction 48213; blocked by process 3985.\n"
    "\tProcess 3985 waits for ShareLock on transaction 48214; blocked by process 3990.\n"
    "2026-11-28 14:02:09.004 UTC [3990] HINT:  See server log for query details.\n"
)
NGINX_ERROR = (
    "2026/11/28 14:02:03 [error] 29#29: *5712 upstream timed out (110: Connection timed out) "
    "while reading response header from upstream, client: 203.0.113.7, server: "
    'shop.example.com, request: "POST /api/checkout HTTP/1.1", upstream: '
    '"http://10.0.3.12:8080/api/checkout", host: "shop.example.com", referrer: '
    '"https://shop.example.com/cart"\n'
)
MARIADB = "2026-11-28 14:02:04 0 [ERROR] mariadbd: Too many connections\n"
KERNEL_OOM = (
    "Nov 28 14:02:03 web-1 kernel: [812345.119817] Out of memory: Killed process 4242 (java) "
    "total-vm:8123456kB, anon-rss:3921044kB, file-rss:0kB, shmem-rss:0kB, UID:998 "
    "pgtables:9012kB oom_score_adj:0\n"
)
STRUCTLOG_STATUS = (
    '{"event": "charge failed", "order_id": 8812, "provider": "stripe", "status": 503, '
    '"level": "error", "timestamp": "2026-11-28T14:02:05.377120Z"}\n'
)
HAPROXY = (
    "Nov 28 14:02:08 lb-1 haproxy[812]: 203.0.113.7:51234 [28/Nov/2026:14:02:03.116] http-in~ "
    "checkout_be/checkout-1 0/0/1/-1/5002 504 194 - - sH-- 120/110/30/30/0 0/0 "
    '"POST /api/checkout?step=pay HTTP/1.1"\n'
)

# (file, detected format, text, label of its one error group)
CASES = [
    (
        "checkout-service.log",
        "spring-boot",
        LETTUCE_OOM,
        "CartService RedisCommandExecutionException: OOM command not allowed",
    ),
    (
        "checkout-service.log",
        "spring-boot",
        LETTUCE_TIMEOUT,
        "CartService RedisCommandTimeoutException",
    ),
    (
        "checkout-service.log",
        "spring-boot",
        HIKARI,
        "CheckoutController SQLTransientConnectionException: Connection pool exhausted",
    ),
    (
        "checkout-service.log",
        "spring-boot",
        PAYMENT_503,
        "PaymentClient HttpServerErrorException$ServiceUnavailable",
    ),
    (
        "checkout-service.log",
        "spring-boot",
        DEPRECATED,
        "FeatureFlagRefresher Property 'checkout.payment.legacy-timeout-ms' is deprecated and "
        "will be removed",
    ),
    ("inventory.log", "spring-boot", DISPATCHER, "dispatcherServlet SocketTimeoutException"),
    ("checkout-service.log", "logback", KAFKA_PRODUCER, "LoggingProducerListener TimeoutException"),
    ("orders-service.log", "logback", HIKARI_POOL, "HikariPool Connection pool exhausted"),
    ("kafka/server.log", "kafka", KAFKA_BROKER, "ReplicaManager NotEnoughReplicasException"),
    ("payment-service.log", "python", PYTHON_CHAINED, "api OutOfMemoryError"),
    ("checkout-worker.log", "python", PYTHON_DURING_HANDLING, "cache ConnectionRefusedError"),
    (
        "orders-service.log",
        "python",
        PYTHON_MYSQL,
        "db OperationalError: Too many connections",
    ),
    (
        "cart-api.log",
        "go-log",
        GO_PANIC,
        "cart-api panic: invalid memory address or nil pointer dereference",
    ),
    ("cart-api.log", "zap", ZAP_DIAL, "redis Connection refused"),
    ("orders-controller.log", "klog", KLOG_CRASHLOOP, "pod_workers CrashLoopBackOff"),
    ("orders-controller.log", "klog", KLOG_OOMKILLED, "pod_watcher OOMKilled"),
    (
        "cart-service.log",
        "pino",
        PINO_OOM,
        "cart-service ReplyError: OOM command not allowed",
    ),
    ("cart-service.log", "pino", PINO_REFUSED, "cart-service Connection refused"),
    ("cart-service.log", "pino", PINO_TIMEOUT, "cart-service Timeout"),
    ("redis/redis-server.log", "redis", REDIS, "redis Cannot allocate memory"),
    ("postgres/postgresql.log", "postgres", POSTGRES_CLIENTS, "postgres Too many connections"),
    ("postgres/postgresql.log", "postgres", POSTGRES_DEADLOCK, "postgres Deadlock"),
    ("nginx/error.log", "nginx-error", NGINX_ERROR, "nginx Upstream timed out"),
    ("mysql/error.log", "mysql", MARIADB, "mysql Too many connections"),
    ("syslog", "syslog", KERNEL_OOM, "kernel OOM kill"),
    ("payments-worker.log", "structlog", STRUCTLOG_STATUS, "payments-worker 503 charge failed"),
    ("haproxy.log", "haproxy", HAPROXY, "haproxy 504 POST /api/checkout"),
]


def error_groups(tmp_path: Path, name: str, text: str) -> tuple[list[str], list[str]]:
    """(labels of the error groups, formats of the records) of `text` written to `name`."""
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    records = parse_paths([str(path)])
    groups = ErrorGrouper().add_all(records).groups()
    return [group.label for group in groups], [record.format for record in records]


@pytest.mark.parametrize(
    ("name", "format", "text", "label"), CASES, ids=[case[3].split(":")[0] for case in CASES]
)
def test_label_of_real_error(tmp_path: Path, name: str, format: str, text: str, label: str) -> None:
    labels, formats = error_groups(tmp_path, name, text)
    assert set(formats) == {format}
    assert labels == [label]


def test_klog_labels_name_the_failure_not_the_logger(tmp_path: Path) -> None:
    # `logger="UnhandledError"` names who logged the second line, not what failed
    labels, _ = error_groups(tmp_path, "orders-controller.log", KLOG_DIAL)
    assert labels == ["reflector Connection refused"] * 2


def test_access_log_labels_keep_status_method_and_route(tmp_path: Path) -> None:
    agent = (
        '"https://shop.example.com/cart" "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Firefox/132.0"'
    )
    line = '203.0.113.{client} - - [28/Nov/2026:{time} +0000] "{request} HTTP/2.0" {status} 157 '
    lines = [
        line.format(client=7, time="14:09:41", request="POST /api/checkout", status=502) + agent,
        line.format(client=8, time="14:02:04", request="POST /api/checkout", status=503) + agent,
        line.format(
            client=9,
            time="13:45:47",
            request="GET /api/recommendations?cart=1038f0b5",
            status=504,
        )
        + agent,
        line.format(
            client=9,
            time="14:02:03",
            request="POST /api/carts/1038f0b5-e998-40ee-b4dd-f9b9c28ee907/items",
            status=500,
        )
        + agent,
    ]
    labels, formats = error_groups(tmp_path, "nginx/access.log", "\n".join(lines) + "\n")
    assert set(formats) == {"access-combined"}
    assert sorted(labels) == [
        "nginx 500 POST /api/carts/{id}/items",
        "nginx 502 POST /api/checkout",
        "nginx 503 POST /api/checkout",
        "nginx 504 GET /api/recommendations",
    ]


# -- what tells failures apart, what does not -------------------------------------------------

MYSQL_SESSION = (
    "2026-11-28 14:02:{second:02d},220 - orders.db - ERROR - Could not open a database session\n"
    "Traceback (most recent call last):\n"
    '  File "/usr/local/lib/python3.12/site-packages/pymysql/connections.py", line 1136, in '
    "_read_packet\n"
    "    packet.raise_for_error()\n"
    "pymysql.err.OperationalError: {error}\n"
    "\n"
    "The above exception was the direct cause of the following exception:\n"
    "\n"
    "Traceback (most recent call last):\n"
    '  File "/app/orders/db.py", line 27, in session\n'
    "    connection = engine.connect()\n"
    "                 ^^^^^^^^^^^^^^^^\n"
    "sqlalchemy.exc.OperationalError: (pymysql.err.OperationalError) {error}\n"
    "(Background on this error at: https://sqlalche.me/e/20/e3q8)\n"
)
TOO_MANY = "(1040, 'Too many connections')"
LOST = "(2013, 'Lost connection to MySQL server during query ([Errno 110] Connection timed out)')"
GONE = "(2006, 'MySQL server has gone away')"


def test_error_codes_and_messages_of_one_exception_are_different_failures(
    tmp_path: Path,
) -> None:
    errors = [LOST, TOO_MANY, TOO_MANY, LOST, TOO_MANY, GONE, GONE]
    text = "".join(MYSQL_SESSION.format(second=n, error=error) for n, error in enumerate(errors))
    (tmp_path / "orders-service.log").write_text(text)
    groups = ErrorGrouper().add_all(parse_paths([str(tmp_path)])).groups()
    assert sorted((group.label, group.count) for group in groups) == [
        ("db OperationalError: MySQL server has gone away", 2),
        ("db OperationalError: Timeout", 2),
        ("db OperationalError: Too many connections", 3),
    ]
    assert {group.exception for group in groups} == {"OperationalError"}
    assert len({group.id for group in groups}) == 3


def test_exit_codes_of_a_structured_error_are_different_failures(tmp_path: Path) -> None:
    line = (
        'time="2026-11-28T14:02:{second:02d}Z" level=error msg="job failed" job=nightly-export '
        'error="command terminated with exit code {code}"'
    )
    codes = [137, 1, 137, 137, 1]
    text = "\n".join(line.format(second=n, code=code) for n, code in enumerate(codes)) + "\n"
    labels, formats = error_groups(tmp_path, "exporter.log", text)
    assert set(formats) == {"logfmt"}
    assert sorted(labels) == [
        "exporter command terminated with exit code 1",
        "exporter command terminated with exit code 137",
    ]


def test_quoted_names_that_differ_are_one_failure(tmp_path: Path) -> None:
    server = (
        '2026-11-28 14:02:0{n}.118 UTC [424{n}] app@{db} FATAL:  database "{db}" does not exist'
    )
    names = ["users", "user", "users", "orders_archive"]
    text = "\n".join(server.format(n=n, db=db) for n, db in enumerate(names)) + "\n"
    labels, _ = error_groups(tmp_path, "postgres/postgresql.log", text)
    assert labels == ["postgres database does not exist"]
    client = (
        "2026-11-28 14:02:0{n},118 - reports.db - ERROR - Could not connect to the reporting "
        "database\n"
        "Traceback (most recent call last):\n"
        '  File "/app/reports/db.py", line 14, in connect\n'
        "    return psycopg2.connect(dsn)\n"
        'psycopg2.OperationalError: connection to server at "10.0.3.21", port 5432 failed: '
        'FATAL:  database "{db}" does not exist\n'
    )
    text = "".join(client.format(n=n, db=db) for n, db in enumerate(names))
    (tmp_path / "reports-service.log").write_text(text)
    groups = ErrorGrouper().add_all(parse_paths([str(tmp_path / "reports-service.log")]))
    (group,) = groups.groups()
    assert (group.count, group.label) == (4, "db OperationalError")


def test_labels_leave_no_sentence_dangling_where_a_variable_was(tmp_path: Path) -> None:
    spring = SPRING.replace("{level} 1", "{level} 1").replace("[io-8080-exec-43]", "[{thread}]")
    lines = [
        spring.format(level=" WARN", thread="io-8080-exec-4", logger=PROMO)
        + "Promo rule SPRING25 expired at 2026-11-27T23:59:59Z but is still attached to 312 carts",
        spring.format(level=" WARN", thread="io-8080-exec-9", logger=PROMO)
        + "Promo rule BFCM40 expired at 2026-11-28T00:00:00Z but is still attached to 12 carts",
        spring.format(level="ERROR", thread="io-8080-exec-2", logger=CART_SERVICE)
        + "Cart lookup failed for cart 6a02b274-5ca9-4688-9c4f-2dccd82efe7d",
        spring.format(level="ERROR", thread="io-8080-exec-5", logger=CART_SERVICE)
        + "Failed to connect to 10.0.3.20:6379: Connection reset by peer while reading reply",
    ]
    labels, formats = error_groups(tmp_path, "checkout-service.log", "\n".join(lines) + "\n")
    assert set(formats) == {"spring-boot"}
    assert sorted(labels) == [
        "CartService Cart lookup failed",
        "CartService Connection reset",
        "PromoService Promo rule expired but is still attached to carts",
    ]


def test_a_generic_message_is_labelled_by_its_structured_error(tmp_path: Path) -> None:
    logfmt = (
        'time=2026-11-28T14:02:0{n}.118Z level=error msg="request failed" method=GET '
        "path=/api/orders/88{n}2 error={error}"
    )
    errors = [
        '"dial tcp 10.0.0.7:5432: connect: connection refused"',
        '"pq: password authentication failed for user \\"app\\""',
        '"pq: password authentication failed for user \\"app\\""',
    ]
    text = "\n".join(logfmt.format(n=n, error=e) for n, e in enumerate(errors)) + "\n"
    labels, formats = error_groups(tmp_path, "orders-api.log", text)
    assert set(formats) == {"logfmt"}
    assert labels == [
        'orders-api pq: password authentication failed for user "app"',
        "orders-api Connection refused",
    ]
    # a message that says what failed keeps its own words
    zap = (
        '{{"level":"error","ts":1795874523.2041872,"caller":"orders/sync.go:61","msg":"order '
        'sync to the warehouse failed","order":88{n}2,"error":"pq: relation \\"stock\\" does '
        'not exist"}}'
    )
    text = "\n".join(zap.format(n=n) for n in range(2)) + "\n"
    labels, _ = error_groups(tmp_path, "orders-sync.log", text)
    assert labels == ["sync order sync to the warehouse failed"]


# -- the helpers on their own -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "fields", "expected"),
    [
        # the deepest `Caused by:` is the root cause
        (LETTUCE_OOM.split(" : ", 1)[1], None, "RedisCommandExecutionException"),
        # Python prints the root cause first
        (PYTHON_CHAINED.split(" - ERROR - ", 1)[1], None, "OutOfMemoryError"),
        # a wrapper whose message names the cause
        (
            "Request failed\njava.lang.RuntimeException: java.net.ConnectException: Connection "
            "refused\n\tat com.example.Client.call(Client.java:42)",
            None,
            "ConnectException",
        ),
        # structured exceptions: pino `err`, log4j2 `thrown` with its cause, ECS dotted keys
        ("request errored", {"err": {"type": "FastifyError", "message": "x"}}, "FastifyError"),
        (
            "Order sync failed",
            {
                "thrown": {
                    "name": "java.lang.IllegalStateException",
                    "cause": {"name": "java.io.IOException"},
                }
            },
            "IOException",
        ),
        (
            "Payment declined",
            {"error.type": "java.net.SocketTimeoutException"},
            "SocketTimeoutException",
        ),
        # JavaScript's bare `Error` names nothing
        ("Command timed out", {"err": {"type": "Error", "message": "Command timed out"}}, None),
        ("Checkout failed for order 8812", None, None),
    ],
)
def test_exception_of(message: str, fields: dict[str, object] | None, expected: str | None) -> None:
    assert exception_of(message, fields) == expected


@pytest.mark.parametrize(
    ("fields", "component"),
    [
        ({"logger": "o.a.c.c.C.[.[.[/].[dispatcherServlet]"}, "dispatcherServlet"),
        ({"logger": "com.zaxxer.hikari.pool.HikariPool"}, "HikariPool"),
        ({"caller": "store/redis.go:88"}, "redis"),
        ({"log": {"logger": "payments.webhooks"}}, "webhooks"),
        ({"log.logger": "com.example.payments.StripeClient"}, "StripeClient"),
        ({"logger": "root"}, "svc"),
        (None, "svc"),
    ],
)
def test_component_of(fields: dict[str, object] | None, component: str) -> None:
    assert component_of(fields, "svc") == component


def test_route_takes_ids_out_of_paths() -> None:
    assert route("/api/carts/1038f0b5-e998-40ee-b4dd-f9b9c28ee907/items/17") == (
        "/api/carts/{id}/items/{id}"
    )
    assert route("/api/checkout/summary") == "/api/checkout/summary"
    assert route("/api/v1/payments/100482484/authorize") == "/api/v1/payments/{id}/authorize"
    assert route("/v2.1/orders/7") == "/v2.1/orders/{id}"


def test_nested_exception_wording_without_a_class_after_it_is_read_not_a_crash(
    tmp_path: Path,
) -> None:
    # Spring writes `; nested exception is java.io.IOException`; code of its own writes a colon
    # after it, or nothing a class name could be: the label is then the outer exception
    text = (
        "2026-11-27T13:30:00.000Z ERROR 1 --- [io-8080-exec-1] c.e.orders.OrderController"
        "        : Order sync failed: com.example.SyncException: upstream refused; nested "
        "exception is: java.io.IOException: Broken pipe\n"
        "2026-11-27T13:30:01.000Z ERROR 1 --- [io-8080-exec-2] c.e.orders.OrderController"
        "        : Order sync failed: com.example.SyncException: upstream refused; nested "
        "exception is null\n"
    )
    labels, formats = error_groups(tmp_path, "orders.log", text)
    assert set(formats) == {"spring-boot"}
    assert sorted(labels) == ["OrderController IOException", "OrderController SyncException"]
