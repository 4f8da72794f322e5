"""Seeded generator of a large, mixed-format, multi-service incident log for the ingest benchmark.

One file per service, each in the default format its software writes, with realistic wording,
noise and multi-line traces; an incident in the middle of the timeline (Redis runs out of
memory and is OOM-killed, the services that depend on it fail over to PostgreSQL, which runs
out of connections) raises the error rates of every service at once.

    python benchmarks/generate.py                      # 1,000,000 lines into benchmarks/data/
    python benchmarks/generate.py --lines 200000 --seed 7 --out /tmp/incident

The same seed and line count give byte-identical files on any machine: all randomness comes
from `random.Random` instances seeded with a string (hashed with SHA-512, independent of
PYTHONHASHSEED), timestamps are formatted by hand from `time.gmtime` (no locale), and nothing
iterates over a set. Files are streamed to disk in batches; nothing holds the whole file.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from bisect import bisect
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import TypeVar

DEFAULT_LINES = 1_000_000
DEFAULT_SEED = 42
DEFAULT_OUT = Path(__file__).resolve().parent / "data"
GENERATOR_VERSION = 1
MANIFEST = ".manifest.json"  # a dotfile: directory walks skip it

# The incident timeline: two hours, UTC. The incident builds from 55% of the way in.
START = 1_795_786_200.0  # 2026-11-27T13:30:00Z
DURATION = 2 * 3600.0
INCIDENT_START = 0.55
INCIDENT_PEAK = (0.60, 0.68)
INCIDENT_END = 0.76
BATCH_LINES = 8192

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

Event = list[str]
Chooser = Callable[[], int]
T = TypeVar("T")


# -- time ----------------------------------------------------------------------------------


class Timeline:
    """The clock of one file: moves forward by a random step per physical line written, so
    the file spans about `DURATION` whatever its size."""

    __slots__ = ("_random", "now", "step")

    def __init__(self, lines: int, rng: random.Random) -> None:
        self.now = START
        self.step = DURATION / max(lines, 1)
        self._random = rng.random

    def advance(self, lines: int) -> None:
        self.now += self.step * lines * 2.0 * self._random()

    @property
    def fraction(self) -> float:
        return (self.now - START) / DURATION

    @property
    def severity(self) -> float:
        """0 outside the incident, 1 at its peak, ramping in and out."""
        frac = self.fraction
        low, high = INCIDENT_PEAK
        if frac < INCIDENT_START or frac >= INCIDENT_END:
            return 0.0
        if frac < low:
            return (frac - INCIDENT_START) / (low - INCIDENT_START)
        if frac < high:
            return 1.0
        return (INCIDENT_END - frac) / (INCIDENT_END - high)


class SecondCache:
    """Formats the whole-second part of a timestamp once per second (time only moves on)."""

    __slots__ = ("_format", "_second", "_text")

    def __init__(self, fmt: Callable[[time.struct_time], str]) -> None:
        self._format = fmt
        self._second = -1
        self._text = ""

    def __call__(self, when: float) -> str:
        second = int(when)
        if second != self._second:
            self._second = second
            self._text = self._format(time.gmtime(second))
        return self._text


def _iso(tm: time.struct_time) -> str:
    return (
        f"{tm.tm_year:04d}-{tm.tm_mon:02d}-{tm.tm_mday:02d}T"
        f"{tm.tm_hour:02d}:{tm.tm_min:02d}:{tm.tm_sec:02d}"
    )


def _iso_space(tm: time.struct_time) -> str:
    return (
        f"{tm.tm_year:04d}-{tm.tm_mon:02d}-{tm.tm_mday:02d} "
        f"{tm.tm_hour:02d}:{tm.tm_min:02d}:{tm.tm_sec:02d}"
    )


def _clf(tm: time.struct_time) -> str:
    return (
        f"{tm.tm_mday:02d}/{MONTHS[tm.tm_mon - 1]}/{tm.tm_year:04d}:"
        f"{tm.tm_hour:02d}:{tm.tm_min:02d}:{tm.tm_sec:02d} +0000"
    )


def _redis(tm: time.struct_time) -> str:
    return (
        f"{tm.tm_mday} {MONTHS[tm.tm_mon - 1]} {tm.tm_year:04d} "
        f"{tm.tm_hour:02d}:{tm.tm_min:02d}:{tm.tm_sec:02d}"
    )


def _bsd(tm: time.struct_time) -> str:
    return (
        f"{MONTHS[tm.tm_mon - 1]} {tm.tm_mday:2d} {tm.tm_hour:02d}:{tm.tm_min:02d}:{tm.tm_sec:02d}"
    )


def _klog(tm: time.struct_time) -> str:
    return f"{tm.tm_mon:02d}{tm.tm_mday:02d} {tm.tm_hour:02d}:{tm.tm_min:02d}:{tm.tm_sec:02d}"


def _millis(when: float) -> int:
    return int(when * 1000.0) % 1000


def _micros(when: float) -> int:
    return int(when * 1_000_000.0) % 1_000_000


# -- randomness helpers --------------------------------------------------------------------


def weighted(rng: random.Random, weights: Sequence[float]) -> Chooser:
    """A fast chooser of an index by weight."""
    cumulative = list(accumulate(weights))
    total = cumulative[-1]
    rand = rng.random
    return lambda: bisect(cumulative, rand() * total)


def picker(rng: random.Random) -> Callable[[Sequence[T]], T]:
    rand = rng.random
    return lambda items: items[int(rand() * len(items))]


# -- shared vocabulary ---------------------------------------------------------------------

CLIENT_IPS = tuple(f"10.0.{subnet}.{host}" for subnet in (1, 2, 3) for host in range(11, 61, 3))
PUBLIC_IPS = (
    "203.0.113.7",
    "203.0.113.45",
    "198.51.100.23",
    "198.51.100.177",
    "192.0.2.14",
    "192.0.2.201",
    "81.2.69.142",
    "94.23.112.8",
    "185.199.108.153",
    "77.88.55.60",
    "31.13.72.36",
    "66.249.66.1",
    "157.55.39.12",
    "40.77.167.81",
    "52.31.214.9",
)
USER_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.6778.39 Mobile Safari/537.36",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "ShopApp/4.12.1 (iOS 18.1; iPhone15,2)",
    "ShopApp/4.12.0 (Android 14; SM-S918B)",
    "curl/8.5.0",
)
REFERERS = (
    "-",
    "-",
    "https://shop.example.com/",
    "https://shop.example.com/cart",
    "https://shop.example.com/checkout",
    "https://www.google.com/",
    "https://shop.example.com/products/trail-running-shoes-x2",
    "https://shop.example.com/search?q=rain+jacket",
)
CATEGORIES = ("shoes", "jackets", "backpacks", "tents", "socks", "headlamps", "bottles")
HOSTS = ("web-1", "web-2", "web-3", "db-1", "cache-1", "worker-1")


_REDIS_FAILURES = (
    "Command timed out after 2 second(s)",
    "Connection refused",
    "Connection reset by peer",
)
_DECLINES = ("insufficient_funds", "card_declined", "expired_card", "do_not_honor")
_AUDIENCES = ("sale", "women", "men", "kids")


def _order(bits: Callable[[int], int]) -> str:
    return f"ord_{bits(40):010x}"


def _cart(bits: Callable[[int], int]) -> str:
    return f"{bits(24):06x}"


def _uuid(bits: Callable[[int], int]) -> str:
    v = f"{bits(128):032x}"
    return f"{v[:8]}-{v[8:12]}-4{v[13:16]}-a{v[17:20]}-{v[20:]}"


# -- Spring Boot (checkout-service) ----------------------------------------------------------


def _spring_thread(name: str) -> str:
    """Logback's `%15.15t`: right-aligned in 15 columns, cut from the left."""
    return name[-15:].rjust(15)


_SPRING_LOGGERS = {
    name: name.ljust(40)
    for name in (
        "c.e.checkout.web.CheckoutController",
        "c.e.checkout.cart.CartService",
        "c.e.checkout.payment.PaymentClient",
        "c.e.checkout.inventory.InventoryClient",
        "c.e.checkout.events.OrderEventPublisher",
        "o.s.web.servlet.DispatcherServlet",
        "o.a.c.c.C.[.[.[/].[dispatcherServlet]",
        "com.zaxxer.hikari.pool.HikariPool",
        "o.h.engine.jdbc.spi.SqlExceptionHelper",
        "i.l.core.protocol.ConnectionWatchdog",
        "i.l.core.protocol.ReconnectionHandler",
        "o.a.k.clients.producer.KafkaProducer",
        "o.s.w.s.m.s.DefaultHandlerExceptionResolver",
        "o.h.h.internal.ast.QueryTranslatorImpl",
        "o.s.s.s.TaskUtils$LoggingErrorHandler",
    )
}

_SERVLET_TAIL = (
    "java.base/jdk.internal.reflect.DirectMethodHandleAccessor.invoke(DirectMethodHandleAccessor."
    "java:103)",
    "java.base/java.lang.reflect.Method.invoke(Method.java:580)",
    "org.springframework.web.method.support.InvocableHandlerMethod.doInvoke(InvocableHandlerMethod"
    ".java:255)",
    "org.springframework.web.method.support.InvocableHandlerMethod.invokeForRequest("
    "InvocableHandlerMethod.java:188)",
    "org.springframework.web.servlet.mvc.method.annotation.ServletInvocableHandlerMethod."
    "invokeAndHandle(ServletInvocableHandlerMethod.java:118)",
    "org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter."
    "invokeHandlerMethod(RequestMappingHandlerAdapter.java:926)",
    "org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter."
    "handleInternal(RequestMappingHandlerAdapter.java:831)",
    "org.springframework.web.servlet.mvc.method.AbstractHandlerMethodAdapter.handle("
    "AbstractHandlerMethodAdapter.java:87)",
    "org.springframework.web.servlet.DispatcherServlet.doDispatch(DispatcherServlet.java:1089)",
    "org.springframework.web.servlet.DispatcherServlet.doService(DispatcherServlet.java:979)",
    "org.springframework.web.servlet.FrameworkServlet.processRequest(FrameworkServlet.java:1014)",
    "org.springframework.web.servlet.FrameworkServlet.doPost(FrameworkServlet.java:914)",
    "jakarta.servlet.http.HttpServlet.service(HttpServlet.java:590)",
    "org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:885)",
    "jakarta.servlet.http.HttpServlet.service(HttpServlet.java:658)",
    "org.apache.catalina.core.ApplicationFilterChain.internalDoFilter(ApplicationFilterChain."
    "java:195)",
    "org.apache.catalina.core.ApplicationFilterChain.doFilter(ApplicationFilterChain.java:140)",
    "org.apache.tomcat.websocket.server.WsFilter.doFilter(WsFilter.java:51)",
    "org.springframework.web.filter.RequestContextFilter.doFilterInternal(RequestContextFilter."
    "java:100)",
    "org.springframework.web.filter.OncePerRequestFilter.doFilter(OncePerRequestFilter.java:116)",
    "org.springframework.web.filter.CharacterEncodingFilter.doFilterInternal("
    "CharacterEncodingFilter.java:201)",
    "org.apache.catalina.core.StandardWrapperValve.invoke(StandardWrapperValve.java:167)",
    "org.apache.catalina.core.StandardContextValve.invoke(StandardContextValve.java:90)",
    "org.apache.catalina.core.StandardHostValve.invoke(StandardHostValve.java:115)",
    "org.apache.catalina.valves.ErrorReportValve.invoke(ErrorReportValve.java:93)",
    "org.apache.catalina.core.StandardEngineValve.invoke(StandardEngineValve.java:74)",
    "org.apache.catalina.connector.CoyoteAdapter.service(CoyoteAdapter.java:344)",
    "org.apache.coyote.http11.Http11Processor.service(Http11Processor.java:391)",
    "org.apache.coyote.AbstractProcessorLight.process(AbstractProcessorLight.java:63)",
    "org.apache.coyote.AbstractProtocol$ConnectionHandler.process(AbstractProtocol.java:896)",
    "org.apache.tomcat.util.net.NioEndpoint$SocketProcessor.doRun(NioEndpoint.java:1744)",
    "org.apache.tomcat.util.net.SocketProcessorBase.run(SocketProcessorBase.java:52)",
    "org.apache.tomcat.util.threads.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1191)",
    "org.apache.tomcat.util.threads.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:659)",
    "org.apache.tomcat.util.threads.TaskThread$WrappingRunnable.run(TaskThread.java:63)",
    "java.base/java.lang.Thread.run(Thread.java:1583)",
)


def _java_trace(
    head: str, frames: Sequence[str], causes: Sequence[tuple[str, Sequence[str]]]
) -> tuple[str, ...]:
    lines = [head, *(f"\tat {frame}" for frame in frames), *(f"\tat {f}" for f in _SERVLET_TAIL)]
    total = len(frames) + len(_SERVLET_TAIL)
    for cause, cause_frames in causes:
        lines.append(f"Caused by: {cause}")
        lines.extend(f"\tat {frame}" for frame in cause_frames)
        lines.append(f"\t... {total - 2} more")
    return tuple(lines)


_REDIS_TIMEOUT_TRACE = _java_trace(
    "io.lettuce.core.RedisCommandTimeoutException: Command timed out after 2 second(s)",
    (
        "io.lettuce.core.internal.ExceptionFactory.createTimeoutException(ExceptionFactory.java:59)",
        "io.lettuce.core.internal.Futures.awaitOrCancel(Futures.java:246)",
        "io.lettuce.core.FutureSyncInvocationHandler.handleInvocation("
        "FutureSyncInvocationHandler.java:75)",
        "io.lettuce.core.internal.AbstractInvocationHandler.invoke(AbstractInvocationHandler.java:80)",
        "jdk.proxy2/jdk.proxy2.$Proxy142.get(Unknown Source)",
        "org.springframework.data.redis.connection.lettuce.LettuceStringCommands.get("
        "LettuceStringCommands.java:59)",
        "org.springframework.data.redis.core.DefaultValueOperations$1.inRedis("
        "DefaultValueOperations.java:57)",
        "org.springframework.data.redis.core.RedisTemplate.execute(RedisTemplate.java:411)",
        "org.springframework.data.redis.core.DefaultValueOperations.get(DefaultValueOperations.java:54)",
        "com.example.checkout.cart.CartRepository.find(CartRepository.java:41)",
        "com.example.checkout.cart.CartService.load(CartService.java:77)",
        "com.example.checkout.web.CheckoutController.checkout(CheckoutController.java:58)",
    ),
    (),
)
_REDIS_REFUSED_TRACE = _java_trace(
    "org.springframework.data.redis.RedisConnectionFailureException: Unable to connect to Redis",
    (
        "org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory$"
        "ExceptionTranslatingConnectionProvider.translateException(LettuceConnectionFactory.java:1805)",
        "org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory.getConnection("
        "LettuceConnectionFactory.java:1041)",
        "org.springframework.data.redis.core.RedisConnectionUtils.doGetConnection("
        "RedisConnectionUtils.java:144)",
        "org.springframework.data.redis.core.RedisTemplate.execute(RedisTemplate.java:398)",
        "com.example.checkout.cart.CartRepository.find(CartRepository.java:41)",
        "com.example.checkout.cart.CartService.load(CartService.java:77)",
        "com.example.checkout.web.CheckoutController.checkout(CheckoutController.java:58)",
    ),
    (
        (
            "io.lettuce.core.RedisConnectionException: Unable to connect to redis-master/"
            "10.0.4.12:6379",
            (
                "io.lettuce.core.RedisConnectionException.create(RedisConnectionException.java:78)",
                "io.lettuce.core.AbstractRedisClient.getConnection(AbstractRedisClient.java:350)",
                "io.lettuce.core.RedisClient.connect(RedisClient.java:216)",
            ),
        ),
        (
            "io.netty.channel.AbstractChannel$AnnotatedConnectException: Connection refused: "
            "redis-master/10.0.4.12:6379",
            (),
        ),
        (
            "java.net.ConnectException: Connection refused",
            (
                "java.base/sun.nio.ch.Net.pollConnect(Native Method)",
                "java.base/sun.nio.ch.Net.pollConnectNow(Net.java:682)",
                "java.base/sun.nio.ch.SocketChannelImpl.finishConnect(SocketChannelImpl.java:973)",
                "io.netty.channel.socket.nio.NioSocketChannel.doFinishConnect("
                "NioSocketChannel.java:337)",
            ),
        ),
    ),
)
_HIKARI_TRACE = _java_trace(
    "org.springframework.transaction.CannotCreateTransactionException: Could not open JPA "
    "EntityManager for transaction",
    (
        "org.springframework.orm.jpa.JpaTransactionManager.doBegin(JpaTransactionManager.java:466)",
        "org.springframework.transaction.support.AbstractPlatformTransactionManager.startTransaction("
        "AbstractPlatformTransactionManager.java:531)",
        "org.springframework.transaction.interceptor.TransactionAspectSupport."
        "invokeWithinTransaction(TransactionAspectSupport.java:392)",
        "org.springframework.aop.framework.CglibAopProxy$DynamicAdvisedInterceptor.intercept("
        "CglibAopProxy.java:717)",
        "com.example.checkout.order.OrderService$$SpringCGLIB$$0.placeOrder(<generated>)",
        "com.example.checkout.web.CheckoutController.checkout(CheckoutController.java:64)",
    ),
    (
        (
            "org.hibernate.exception.JDBCConnectionException: Unable to acquire JDBC Connection "
            "[HikariPool-1 - Connection is not available, request timed out after 30000ms "
            "(total=20, active=20, idle=0, waiting=57)] [n/a]",
            (
                "org.hibernate.exception.internal.SQLStateConversionDelegate.convert("
                "SQLStateConversionDelegate.java:100)",
                "org.hibernate.engine.jdbc.spi.SqlExceptionHelper.convert(SqlExceptionHelper.java:58)",
            ),
        ),
        (
            "java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not "
            "available, request timed out after 30000ms (total=20, active=20, idle=0, waiting=57)",
            (
                "com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:686)",
                "com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:179)",
                "com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:144)",
                "com.zaxxer.hikari.HikariDataSource.getConnection(HikariDataSource.java:127)",
            ),
        ),
    ),
)
_PSQL_TRACE = _java_trace(
    "org.postgresql.util.PSQLException: FATAL: sorry, too many clients already",
    (
        "org.postgresql.core.v3.ConnectionFactoryImpl.doAuthentication("
        "ConnectionFactoryImpl.java:698)",
        "org.postgresql.core.v3.ConnectionFactoryImpl.tryConnect(ConnectionFactoryImpl.java:207)",
        "org.postgresql.core.v3.ConnectionFactoryImpl.openConnectionImpl("
        "ConnectionFactoryImpl.java:262)",
        "org.postgresql.jdbc.PgConnection.<init>(PgConnection.java:273)",
        "org.postgresql.Driver.makeConnection(Driver.java:446)",
        "com.zaxxer.hikari.pool.PoolBase.newConnection(PoolBase.java:364)",
        "com.zaxxer.hikari.pool.HikariPool.createPoolEntry(HikariPool.java:476)",
    ),
    (),
)
_PAYMENT_TRACE = _java_trace(
    "org.springframework.web.client.ResourceAccessException: I/O error on POST request for "
    '"http://payments-api:8000/v1/charges": Read timed out',
    (
        "org.springframework.web.client.RestTemplate.createResourceAccessException("
        "RestTemplate.java:905)",
        "org.springframework.web.client.RestTemplate.doExecute(RestTemplate.java:885)",
        "org.springframework.web.client.RestTemplate.execute(RestTemplate.java:790)",
        "org.springframework.web.client.RestTemplate.postForEntity(RestTemplate.java:541)",
        "com.example.checkout.payment.PaymentClient.charge(PaymentClient.java:92)",
        "com.example.checkout.order.OrderService.placeOrder(OrderService.java:131)",
        "com.example.checkout.web.CheckoutController.checkout(CheckoutController.java:64)",
    ),
    (
        (
            "java.net.SocketTimeoutException: Read timed out",
            (
                "java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:278)",
                "java.base/sun.nio.ch.NioSocketImpl.implRead(NioSocketImpl.java:304)",
                "java.base/java.io.BufferedInputStream.fill(BufferedInputStream.java:291)",
                "java.base/sun.net.www.http.HttpClient.parseHTTPHeader(HttpClient.java:826)",
            ),
        ),
    ),
)


def spring_boot_events(rng: random.Random, tl: Timeline) -> Iterator[Event]:
    """Spring Boot 3.3 default file log (`logging.file.name`), `spring.application.name` set."""
    rand = rng.random
    bits = rng.getrandbits
    pick = picker(rng)
    second = SecondCache(_iso)
    log = _SPRING_LOGGERS
    threads = tuple(_spring_thread(f"http-nio-8080-exec-{n}") for n in range(1, 201))
    scheduler = _spring_thread("scheduling-1")
    lettuce = _spring_thread("lettuce-nioEventLoop-4-1")
    housekeeper = _spring_thread("HikariPool-1 housekeeper")
    kafka = _spring_thread("kafka-producer-network-thread | producer-1")
    normal = weighted(rng, (30, 22, 12, 12, 9, 5, 3, 2, 2, 1.5, 1.5))
    traces = (
        _PAYMENT_TRACE,
        _REDIS_TIMEOUT_TRACE,
        _REDIS_REFUSED_TRACE,
        _HIKARI_TRACE,
        _PSQL_TRACE,
    )
    methods = ("GET", "GET", "GET", "POST", "PUT", "DELETE")
    paths = ("/api/cart", "/api/checkout", "/api/orders", "/api/cart/items", "/api/shipping/quote")

    while True:
        now = tl.now
        stamp = f"{second(now)}.{_millis(now):03d}Z"
        thread = pick(threads)
        severity = tl.severity
        if rand() < 0.003 + 0.03 * severity:
            trace = traces[int(rand() * len(traces)) if severity else 0]
            message = (
                "Servlet.service() for servlet [dispatcherServlet] in context with path [] threw "
                f"exception [Request processing failed: {trace[0]}] with root cause"
            )
            head = (
                f"{stamp} ERROR 1 --- [checkout-service] [{thread}] "
                f"{log['o.a.c.c.C.[.[.[/].[dispatcherServlet]']} : {message}"
            )
            yield [head, *trace]
            continue
        if rand() < 0.02 + 0.15 * severity:
            choice = int(rand() * 4)
            if choice == 0:
                line = (
                    f"{stamp}  WARN 1 --- [checkout-service] [{thread}] "
                    f"{log['c.e.checkout.cart.CartService']} : Cache miss fallback for cart "
                    f"{_cart(bits)}: Redis unavailable ({pick(_REDIS_FAILURES)}), "
                    "loading from database"
                )
            elif choice == 1:
                line = (
                    f"{stamp}  WARN 1 --- [checkout-service] [{housekeeper}] "
                    f"{log['com.zaxxer.hikari.pool.HikariPool']} : HikariPool-1 - Thread "
                    f"starvation or clock leap detected (housekeeper delta={int(rand() * 50)}s"
                    f"{int(rand() * 999)}ms{int(rand() * 999)}\u00b5s)."
                )
            elif choice == 2:
                line = (
                    f"{stamp}  INFO 1 --- [checkout-service] [{lettuce}] "
                    f"{log['i.l.core.protocol.ConnectionWatchdog']} : Reconnecting, last "
                    "destination was redis-master/10.0.4.12:6379"
                )
            else:
                line = (
                    f"{stamp}  WARN 1 --- [checkout-service] [{thread}] "
                    f"{log['o.h.engine.jdbc.spi.SqlExceptionHelper']} : SQL Error: 0, SQLState: "
                    "08001"
                )
            yield [line]
            continue
        kind = normal()
        order = _order(bits)
        ms = int(rand() * rand() * 900) + 4
        if kind == 0:
            method = pick(methods)
            line = (
                f"{stamp}  INFO 1 --- [checkout-service] [{thread}] "
                f"{log['c.e.checkout.web.CheckoutController']} : {method} {pick(paths)} completed "
                f"status={200 if method != 'POST' else 201} customer=cus_{bits(32):08x} "
                f"in {ms} ms"
            )
        elif kind == 1:
            line = (
                f"{stamp}  INFO 1 --- [checkout-service] [{thread}] "
                f"{log['c.e.checkout.cart.CartService']} : Cart {_cart(bits)} loaded from cache "
                f"in {ms // 20 + 1} ms ({int(rand() * 9) + 1} items, currency=EUR)"
            )
        elif kind == 2:
            line = (
                f"{stamp}  INFO 1 --- [checkout-service] [{thread}] "
                f"{log['c.e.checkout.payment.PaymentClient']} : Payment authorized for order "
                f"{order}: provider=stripe amount={int(rand() * 40000) / 100:.2f} EUR "
                f"auth_id=pi_{bits(96):024x}"
            )
        elif kind == 3:
            line = (
                f"{stamp}  INFO 1 --- [checkout-service] [{thread}] "
                f"{log['c.e.checkout.inventory.InventoryClient']} : Reserved "
                f"{int(rand() * 5) + 1} SKU(s) for order {order} in warehouse "
                f"{pick(('AMS-1', 'FRA-2', 'DUB-1'))} (reservation {_uuid(bits)})"
            )
        elif kind == 4:
            line = (
                f"{stamp}  INFO 1 --- [checkout-service] [{kafka}] "
                f"{log['c.e.checkout.events.OrderEventPublisher']} : Published OrderCreated for "
                f"{order} to orders.v1-{int(rand() * 12)}@{bits(26)}"
            )
        elif kind == 5:
            line = (
                f"{stamp} DEBUG 1 --- [checkout-service] [{housekeeper}] "
                f"{log['com.zaxxer.hikari.pool.HikariPool']} : HikariPool-1 - Pool stats "
                f"(total=20, active={int(rand() * 8)}, idle={12 + int(rand() * 8)}, waiting=0)"
            )
        elif kind == 6:
            line = (
                f"{stamp}  WARN 1 --- [checkout-service] [{thread}] "
                f"{log['o.s.w.s.m.s.DefaultHandlerExceptionResolver']} : Resolved "
                "[org.springframework.web.HttpRequestMethodNotSupportedException: Request "
                "method 'GET' is not supported]"
            )
        elif kind == 7:
            line = (
                f"{stamp}  INFO 1 --- [checkout-service] [{scheduler}] "
                f"{log['c.e.checkout.cart.CartService']} : Expired {int(rand() * 400)} abandoned "
                f"carts older than 72h in {ms} ms"
            )
        elif kind == 8:
            line = (
                f"{stamp}  WARN 1 --- [checkout-service] [{thread}] "
                f"{log['c.e.checkout.cart.CartService']} : Slow cart lookup for cart "
                f"{_cart(bits)}: {250 + ms} ms (threshold 250 ms)"
            )
        elif kind == 9:
            line = (
                f"{stamp}  INFO 1 --- [checkout-service] [{kafka}] "
                f"{log['o.a.k.clients.producer.KafkaProducer']} : [Producer clientId=producer-1] "
                "Node 2 disconnected."
            )
        else:
            line = (
                f"{stamp}  WARN 1 --- [checkout-service] [{thread}] "
                f"{log['o.h.h.internal.ast.QueryTranslatorImpl']} : HHH90003004: firstResult/"
                "maxResults specified with collection fetch; applying in memory"
            )
        yield [line]


# -- pino (cart-api, Node.js) ----------------------------------------------------------------

_NODE_STACKS = (
    json.dumps(
        "Error: connect ECONNREFUSED 10.0.4.12:6379\n"
        "    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1607:16)"
    ),
    json.dumps(
        "MaxRetriesPerRequestError: Reached the max retries per request limit (which is 20). "
        'Refer to "maxRetriesPerRequest" option for details.\n'
        "    at Socket.<anonymous> "
        "(/app/node_modules/ioredis/built/redis/event_handler.js:182:37)\n"
        "    at Object.onceWrapper (node:events:634:26)\n"
        "    at Socket.emit (node:events:519:28)\n"
        "    at TCP.<anonymous> (node:net:339:12)"
    ),
    json.dumps(
        "Error: Command timed out\n"
        "    at Timeout._onTimeout (/app/node_modules/ioredis/built/Command.js:192:33)\n"
        "    at listOnTimeout (node:internal/timers:594:17)\n"
        "    at process.processTimers (node:internal/timers:529:7)"
    ),
    json.dumps(
        "OOM command not allowed when used memory > 'maxmemory'.\n"
        "ReplyError: OOM command not allowed when used memory > 'maxmemory'.\n"
        "    at parseError (/app/node_modules/redis-parser/lib/parser.js:179:12)\n"
        "    at parseType (/app/node_modules/redis-parser/lib/parser.js:302:14)"
    ),
)
_NODE_ERRORS = (
    ("Error", "connect ECONNREFUSED 10.0.4.12:6379", "ECONNREFUSED"),
    ("MaxRetriesPerRequestError", "Reached the max retries per request limit (which is 20).", ""),
    ("Error", "Command timed out", ""),
    ("ReplyError", "OOM command not allowed when used memory > 'maxmemory'.", ""),
)


def pino_events(rng: random.Random, tl: Timeline) -> Iterator[Event]:
    """pino 9 JSON lines (pino-http request logs and app logs) from a Node.js service."""
    rand = rng.random
    bits = rng.getrandbits
    pick = picker(rng)
    base = '"pid":18,"hostname":"cart-api-6f7c9d8b5-x2kqp"'
    normal = weighted(rng, (50, 14, 10, 8, 6, 4, 3))
    methods = ("GET", "GET", "POST", "PATCH")
    urls = ("/v1/carts/{}", "/v1/carts/{}/items", "/v1/carts/{}/totals", "/v1/carts/{}/coupon")
    request_id = 0

    while True:
        now = tl.now
        ms = int(now * 1000.0)
        severity = tl.severity
        request_id += 1
        if rand() < 0.003 + 0.2 * severity:
            which = int(rand() * 4) if severity else 2
            err_type, text, code = _NODE_ERRORS[which]
            code_field = f',"code":"{code}"' if code else ""
            yield [
                f'{{"level":50,"time":{ms},{base},"reqId":"req-{request_id:x}","module":"store",'
                f'"key":"cart:{_cart(bits)}","err":{{"type":"{err_type}","message":"{text}",'
                f'"stack":{_NODE_STACKS[which]}{code_field}}},"msg":"redis GET failed"}}'
            ]
            if rand() < 0.5:
                yield [
                    f'{{"level":50,"time":{ms + 1},{base},"req":{{"id":"req-{request_id:x}",'
                    f'"method":"GET","url":"{pick(urls).format(_cart(bits))}","remoteAddress":'
                    f'"::ffff:{pick(CLIENT_IPS)}","remotePort":{30000 + bits(15)}}},"res":'
                    f'{{"statusCode":503}},"err":{{"type":"Error","message":"failed with status '
                    f'code 503","stack":"Error: failed with status code 503\\n    at '
                    f'onResFinished (/app/node_modules/pino-http/logger.js:115:39)"}},'
                    f'"responseTime":{2000 + int(rand() * 40)},"msg":"request errored"}}'
                ]
            continue
        kind = normal()
        if kind == 0:
            took = int(rand() * rand() * 80) + 1
            status = 200 if rand() < 0.97 else pick((404, 409, 400))
            line = (
                f'{{"level":30,"time":{ms},{base},"req":{{"id":"req-{request_id:x}","method":'
                f'"{pick(methods)}","url":"{pick(urls).format(_cart(bits))}",'
                f'"remoteAddress":"::ffff:{pick(CLIENT_IPS)}","remotePort":{30000 + bits(15)}}},'
                f'"res":{{"statusCode":{status}}},"responseTime":{took},"msg":"request completed"}}'
            )
        elif kind == 1:
            line = (
                f'{{"level":20,"time":{ms},{base},"module":"cache","op":"get","key":"cart:'
                f'{_cart(bits)}","hit":{"true" if rand() < 0.9 else "false"},"ms":'
                f'{int(rand() * 4)},"msg":"cache lookup"}}'
            )
        elif kind == 2:
            line = (
                f'{{"level":30,"time":{ms},{base},"module":"pricing","cart":"{_cart(bits)}",'
                f'"items":{1 + int(rand() * 8)},"subtotal":{int(rand() * 40000) / 100},'
                f'"currency":"EUR","msg":"cart totals recalculated"}}'
            )
        elif kind == 3:
            line = (
                f'{{"level":30,"time":{ms},{base},"module":"coupon","code":"'
                f'{pick(("WINTER15", "FREESHIP", "WELCOME10", "BF2026"))}","cart":"{_cart(bits)}",'
                f'"valid":{"true" if rand() < 0.8 else "false"},"msg":"coupon evaluated"}}'
            )
        elif kind == 4:
            line = (
                f'{{"level":40,"time":{ms},{base},"module":"store","key":"cart:{_cart(bits)}",'
                f'"ms":{120 + int(rand() * 400)},"msg":"slow redis command"}}'
            )
        elif kind == 5:
            line = (
                f'{{"level":30,"time":{ms},{base},"module":"health","redis":"ready",'
                f'"heapUsed":{50_000_000 + bits(24)},"rss":{120_000_000 + bits(25)},'
                f'"eventLoopDelayMs":{int(rand() * 30) / 10},"msg":"health check ok"}}'
            )
        else:
            line = (
                f'{{"level":30,"time":{ms},{base},"module":"http","msg":"request received: '
                f'GET /metrics"}}'
            )
        yield [line]


# -- Python logging (payments-worker) --------------------------------------------------------

_PY_TRACEBACKS = (
    (
        "Traceback (most recent call last):",
        '  File "/app/payments/worker.py", line 88, in run_task',
        "    result = handler(payload)",
        "             ^^^^^^^^^^^^^^^^",
        '  File "/app/payments/capture.py", line 142, in capture',
        "    with self.db.transaction() as tx:",
        '  File "/usr/local/lib/python3.12/contextlib.py", line 137, in __enter__',
        "    return next(self.gen)",
        "           ^^^^^^^^^^^^^^",
        '  File "/app/payments/db.py", line 51, in transaction',
        "    conn = self.pool.getconn()",
        "           ^^^^^^^^^^^^^^^^^^^",
        '  File "/usr/local/lib/python3.12/site-packages/psycopg2/pool.py", line 169, in getconn',
        "    return self._getconn(key)",
        '  File "/usr/local/lib/python3.12/site-packages/psycopg2/pool.py", line 93, in _getconn',
        "    return self._connect(key)",
        '  File "/usr/local/lib/python3.12/site-packages/psycopg2/pool.py", line 63, in _connect',
        "    conn = psycopg2.connect(*self._args, **self._kwargs)",
        '  File "/usr/local/lib/python3.12/site-packages/psycopg2/__init__.py", line 122, in '
        "connect",
        "    conn = _connect(dsn, connection_factory=connection_factory, **kwasync)",
        'psycopg2.OperationalError: connection to server at "10.0.5.20", port 5432 failed: '
        "FATAL:  sorry, too many clients already",
    ),
    (
        "Traceback (most recent call last):",
        '  File "/usr/local/lib/python3.12/site-packages/redis/connection.py", line 357, in '
        "connect",
        "    sock = self.retry.call_with_retry(",
        "           ^^^^^^^^^^^^^^^^^^^^^^^^^^",
        '  File "/usr/local/lib/python3.12/site-packages/redis/retry.py", line 62, in '
        "call_with_retry",
        "    return do()",
        "           ^^^^",
        '  File "/usr/local/lib/python3.12/site-packages/redis/connection.py", line 358, in '
        "<lambda>",
        "    lambda: self._connect(), lambda error: self.disconnect(error)",
        '  File "/usr/local/lib/python3.12/site-packages/redis/connection.py", line 730, in '
        "_connect",
        "    raise err",
        "ConnectionRefusedError: [Errno 111] Connection refused",
        "",
        "During handling of the above exception, another exception occurred:",
        "",
        "Traceback (most recent call last):",
        '  File "/app/payments/idempotency.py", line 34, in claim',
        "    if not self.redis.set(key, worker_id, nx=True, ex=900):",
        "           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
        '  File "/usr/local/lib/python3.12/site-packages/redis/commands/core.py", line 2341, in '
        "set",
        '    return self.execute_command("SET", *pieces, **options)',
        "redis.exceptions.ConnectionError: Error 111 connecting to redis-master:6379. "
        "Connection refused.",
    ),
    (
        "Traceback (most recent call last):",
        '  File "/usr/local/lib/python3.12/site-packages/urllib3/connectionpool.py", line 536, '
        "in _make_request",
        "    response = conn.getresponse()",
        "               ^^^^^^^^^^^^^^^^^^",
        '  File "/usr/local/lib/python3.12/http/client.py", line 1428, in getresponse',
        "    response.begin()",
        '  File "/usr/local/lib/python3.12/socket.py", line 720, in readinto',
        "    return self._sock.recv_into(b)",
        "           ^^^^^^^^^^^^^^^^^^^^^^^",
        "TimeoutError: The read operation timed out",
        "",
        "The above exception was the direct cause of the following exception:",
        "",
        "Traceback (most recent call last):",
        '  File "/app/payments/providers/stripe.py", line 77, in capture',
        "    resp = self.session.post(url, json=body, timeout=(3.05, 10))",
        "           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
        '  File "/usr/local/lib/python3.12/site-packages/requests/adapters.py", line 713, in send',
        "    raise ReadTimeout(e, request=request)",
        "requests.exceptions.ReadTimeout: HTTPSConnectionPool(host='api.stripe.com', port=443): "
        "Read timed out. (read timeout=10)",
    ),
)


def python_events(rng: random.Random, tl: Timeline) -> Iterator[Event]:
    """Python logging, `%(asctime)s - %(name)s - %(levelname)s - %(message)s` (a Celery-free
    worker consuming a payments queue)."""
    rand = rng.random
    bits = rng.getrandbits
    pick = picker(rng)
    second = SecondCache(_iso_space)
    normal = weighted(rng, (28, 20, 14, 10, 8, 6, 5, 4, 3))
    providers = ("stripe", "adyen", "paypal")

    while True:
        now = tl.now
        stamp = f"{second(now)},{_millis(now):03d}"
        severity = tl.severity
        order = _order(bits)
        if rand() < 0.004 + 0.1 * severity:
            which = int(rand() * 2) if severity else 2
            yield [
                f"{stamp} - payments.worker - ERROR - Task payments.capture failed for order "
                f"{order} (attempt {1 + int(rand() * 3)}/3, message_id={_uuid(bits)})",
                *_PY_TRACEBACKS[which],
            ]
            continue
        if rand() < 0.01 + 0.1 * severity:
            yield [
                f"{stamp} - urllib3.connectionpool - WARNING - Retrying (Retry(total="
                f"{int(rand() * 3)}, connect=None, read=None, redirect=None, status=None)) after "
                "connection broken by 'ReadTimeoutError(\"HTTPSConnectionPool("
                "host='api.stripe.com', port=443): Read timed out. (read timeout=10)\")': "
                f"/v1/payment_intents/pi_{bits(96):024x}/capture"
            ]
            continue
        kind = normal()
        if kind == 0:
            line = (
                f"{stamp} - payments.capture - INFO - Captured payment for order {order}: "
                f"provider={pick(providers)} amount={int(rand() * 40000) / 100:.2f} EUR "
                f"latency_ms={int(rand() * rand() * 1500) + 40}"
            )
        elif kind == 1:
            line = (
                f"{stamp} - payments.worker - INFO - Received task payments.capture "
                f"message_id={_uuid(bits)} order={order} queue=payments.high"
            )
        elif kind == 2:
            line = (
                f"{stamp} - payments.worker - INFO - Task payments.capture succeeded in "
                f"{rand() * 2:.3f}s: {{'order': '{order}', 'status': 'captured'}}"
            )
        elif kind == 3:
            line = (
                f"{stamp} - payments.idempotency - DEBUG - Claimed idempotency key "
                f"capture:{order} for worker payments-worker-{int(rand() * 8)} (ttl=900s)"
            )
        elif kind == 4:
            line = (
                f"{stamp} - payments.ledger - INFO - Ledger entry written: account=merchant_"
                f"{bits(16):04x} debit={int(rand() * 40000) / 100:.2f} currency=EUR "
                f"ref={order}"
            )
        elif kind == 5:
            line = (
                f"{stamp} - payments.webhooks - INFO - Webhook payment_intent.succeeded "
                f"evt_{bits(96):024x} verified and enqueued"
            )
        elif kind == 6:
            line = (
                f"{stamp} - payments.capture - WARNING - Payment for order {order} declined by "
                f"{pick(providers)}: {pick(_DECLINES)}"
            )
        elif kind == 7:
            line = (
                f"{stamp} - payments.worker - INFO - Heartbeat: {int(rand() * 4)} active tasks, "
                f"queue depth {int(rand() * 30)}, rss={180 + int(rand() * 40)} MiB"
            )
        else:
            line = (
                f"{stamp} - payments.refunds - INFO - Refund re_{bits(96):024x} for order "
                f"{order} settled ({int(rand() * 10000) / 100:.2f} EUR)"
            )
        yield [line]


# -- nginx access log (combined) ---------------------------------------------------------------


def nginx_events(rng: random.Random, tl: Timeline) -> Iterator[Event]:
    """nginx `log_format combined` of the edge proxy in front of the shop."""
    rand = rng.random
    bits = rng.getrandbits
    pick = picker(rng)
    second = SecondCache(_clf)
    normal = weighted(rng, (24, 18, 12, 10, 8, 8, 6, 5, 4, 3, 2))
    assets = (
        "/static/js/app.3f9c2b.js",
        "/static/css/main.8a1d4e.css",
        "/static/img/logo.svg",
        "/static/fonts/inter-var.woff2",
        "/favicon.ico",
    )

    while True:
        stamp = second(tl.now)
        severity = tl.severity
        ip = pick(PUBLIC_IPS) if rand() < 0.7 else f"{pick(PUBLIC_IPS)[:-1]}{int(rand() * 10)}"
        agent = pick(USER_AGENTS)
        referer = pick(REFERERS)
        kind = normal()
        status = 200
        size = 0
        if kind == 0:
            request = f"GET /products/{pick(CATEGORIES)}/{bits(16)} HTTP/2.0"
            size = 18000 + bits(14)
        elif kind == 1:
            request = f"GET {pick(assets)} HTTP/2.0"
            status = 200 if rand() < 0.7 else 304
            size = bits(17) if status == 200 else 0
        elif kind == 2:
            request = f"GET /api/cart?session={bits(48):012x} HTTP/2.0"
            size = 400 + bits(10)
        elif kind == 3:
            request = "POST /api/cart/items HTTP/2.0"
            status = 201
            size = 512 + bits(9)
        elif kind == 4:
            request = "POST /api/checkout HTTP/2.0"
            status = 201
            size = 690 + bits(8)
        elif kind == 5:
            request = (
                f"GET /search?q={pick(CATEGORIES)}+{pick(_AUDIENCES)}&page={1 + int(rand() * 4)}"
                " HTTP/2.0"
            )
            size = 25000 + bits(14)
        elif kind == 6:
            request = f"GET /api/orders/{_order(bits)} HTTP/2.0"
            size = 900 + bits(9)
        elif kind == 7:
            ip = pick(CLIENT_IPS)
            request = "GET /healthz HTTP/1.1"
            agent = "kube-probe/1.31"
            referer = "-"
            size = 2
        elif kind == 8:
            request = pick(
                (
                    "GET /wp-login.php HTTP/1.1",
                    "GET /.env HTTP/1.1",
                    "GET /phpmyadmin/index.php HTTP/1.1",
                    "POST /xmlrpc.php HTTP/1.1",
                )
            )
            agent = pick(("Mozilla/5.0 zgrab/0.x", "python-requests/2.31.0", "Go-http-client/1.1"))
            status = 404
            size = 153
        elif kind == 9:
            request = f"GET /account/orders?page={1 + int(rand() * 3)} HTTP/2.0"
            status = 302 if rand() < 0.3 else 200
            size = 145 if status == 302 else 12000 + bits(12)
        else:
            request = "GET /robots.txt HTTP/1.1"
            size = 67
        if severity and kind in (2, 3, 4, 6) and rand() < 0.6 * severity:
            status = pick((502, 503, 504, 504))
            size = 157 if status != 504 else 167
        elif rand() < 0.002:
            status = 499
            size = 0
        yield [f'{ip} - - [{stamp}] "{request}" {status} {size} "{referer}" "{agent}"']


# -- Redis server log ------------------------------------------------------------------------

_REDIS_STARTUP = (
    "1:C {} * oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo",
    "1:C {} * Redis version=7.2.4, bits=64, commit=00000000, modified=0, pid=1, just started",
    "1:C {} * Configuration loaded",
    "1:M {} * monotonic clock: POSIX clock_gettime",
    "1:M {} * Running mode=standalone, port=6379.",
    "1:M {} * Server initialized",
    "1:M {} * Loading RDB produced by version 7.2.4",
    "1:M {} * RDB age 318 seconds",
    "1:M {} * RDB memory usage when created 3891.22 Mb",
    "1:M {} * Done loading RDB, keys loaded: 1843921, keys expired: 2211.",
    "1:M {} * DB loaded from disk: 21.304 seconds",
    "1:M {} * Ready to accept connections tcp",
)


def redis_events(rng: random.Random, tl: Timeline) -> Iterator[Event]:
    """Redis 7.2 server log at `loglevel verbose`, with the incident: maxmemory, a failed
    background save, an OOM kill and the restart."""
    rand = rng.random
    bits = rng.getrandbits
    pick = picker(rng)
    second = SecondCache(_redis)
    normal = weighted(rng, (40, 40, 5, 3, 3, 3, 2))
    restarted = False
    child = 2000

    while True:
        now = tl.now
        stamp = f"{second(now)}.{_millis(now):03d}"
        severity = tl.severity
        if not restarted and tl.fraction >= INCIDENT_PEAK[0] + 0.01:
            restarted = True
            yield [line.format(stamp) for line in _REDIS_STARTUP]
            continue
        if severity and rand() < 0.15 * severity:
            if restarted and tl.fraction > INCIDENT_PEAK[0] + 0.02:
                yield [
                    f"1:M {stamp} # Client id={bits(20)} addr={pick(CLIENT_IPS)}:"
                    f"{30000 + bits(15)} laddr=10.0.4.12:6379 fd={10 + int(rand() * 900)} "
                    "name= age=0 idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 "
                    "qbuf-free=0 argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=1 omem=20504 "
                    "tot-mem=22424 events=rw cmd=get user=default redir=-1 resp=2 lib-name= "
                    "lib-ver= closed for overcoming of output buffer limits."
                ]
            else:
                child += 1
                yield [
                    f"1:M {stamp} * 10000 changes in 60 seconds. Saving...",
                    f"1:M {stamp} # Can't save in background: fork: Cannot allocate memory",
                    f"1:M {stamp} # WARNING Memory overcommit must be enabled! Without it, a "
                    "background save or replication may fail under low memory condition.",
                ]
            continue
        kind = normal()
        if kind == 0:
            line = f"1:M {stamp} - Accepted {pick(CLIENT_IPS)}:{30000 + bits(15)}"
        elif kind == 1:
            line = (
                f"1:M {stamp} - Client closed connection id={bits(20)} addr={pick(CLIENT_IPS)}:"
                f"{30000 + bits(15)} laddr=10.0.4.12:6379 fd={10 + int(rand() * 900)} name= "
                f"age={int(rand() * 60)} idle=0 flags=N db=0 cmd=quit user=default"
            )
        elif kind == 2:
            child += 1
            line = f"1:M {stamp} * 100 changes in 300 seconds. Saving..."
            yield [line, f"1:M {stamp} * Background saving started by pid {child}"]
            continue
        elif kind == 3:
            line = f"{child}:C {stamp} * DB saved on disk"
        elif kind == 4:
            line = (
                f"{child}:C {stamp} * Fork CoW for RDB: current {1 + int(rand() * 40)} MB, "
                f"peak {40 + int(rand() * 40)} MB, average {int(rand() * 30)} MB"
            )
        elif kind == 5:
            line = f"1:M {stamp} * Background saving terminated with success"
        else:
            line = (
                f"1:M {stamp} # WARNING: used_memory {3800 + int(rand() * 290)}mb is above 90% of "
                "maxmemory 4gb, evicting keys (policy noeviction)"
            )
        yield [line]


# -- PostgreSQL stderr log -------------------------------------------------------------------

_PG_QUERIES = (
    "select c1_0.id,c1_0.customer_id,c1_0.created_at,c1_0.currency,c1_0.status from carts c1_0 "
    "where c1_0.id=$1",
    "select i1_0.cart_id,i1_0.id,i1_0.product_id,i1_0.quantity,i1_0.unit_price from cart_items "
    "i1_0 where i1_0.cart_id=$1",
    "insert into orders (created_at,currency,customer_id,status,total,id) values "
    "($1,$2,$3,$4,$5,$6)",
    "update inventory_reservations set status=$1,updated_at=$2 where order_id=$3 and status=$4",
    "SELECT o.id, o.status, o.total FROM orders o WHERE o.customer_id = $1 ORDER BY "
    "o.created_at DESC LIMIT 20",
    "UPDATE payments SET status = 'captured', captured_at = now() WHERE id = $1",
)


def postgres_events(rng: random.Random, tl: Timeline) -> Iterator[Event]:
    """PostgreSQL 16, `log_line_prefix = '%m [%p] %q%u@%d '`, `log_connections`,
    `log_disconnections`, `log_min_duration_statement = 100ms`."""
    rand = rng.random
    bits = rng.getrandbits
    pick = picker(rng)
    second = SecondCache(_iso_space)
    normal = weighted(rng, (30, 20, 20, 18, 3, 3, 2, 2))
    users = ("app@shop", "app@shop", "app@shop", "payments@payments", "reporting@shop")
    apps = ("checkout-service", "payments-worker", "PostgreSQL JDBC Driver", "psql")

    while True:
        now = tl.now
        stamp = f"{second(now)}.{_millis(now):03d} UTC"
        severity = tl.severity
        pid = 20000 + bits(14)
        who = pick(users)
        if severity and rand() < 0.35 * severity:
            if rand() < 0.7:
                yield [f"{stamp} [{pid}] {who} FATAL:  sorry, too many clients already"]
            else:
                yield [
                    f"{stamp} [{pid}] {who} ERROR:  canceling statement due to statement timeout",
                    f"{stamp} [{pid}] {who} STATEMENT:  {pick(_PG_QUERIES)}",
                ]
            continue
        kind = normal()
        if kind == 0:
            took = 100 + rand() * rand() * 4000 * (1 + 4 * severity)
            line = (
                f"{stamp} [{pid}] {who} LOG:  duration: {took:.3f} ms  execute "
                f"S_{int(rand() * 40)}: {pick(_PG_QUERIES)}"
            )
            yield [line, f"{stamp} [{pid}] {who} DETAIL:  Parameters: $1 = '{_uuid(bits)}'"]
            continue
        if kind == 1:
            line = (
                f"{stamp} [{pid}] [unknown]@[unknown] LOG:  connection received: "
                f"host={pick(CLIENT_IPS)} port={30000 + bits(15)}"
            )
        elif kind == 2:
            line = (
                f"{stamp} [{pid}] {who} LOG:  connection authorized: user={who.split('@')[0]} "
                f"database={who.split('@')[1]} application_name={pick(apps)}"
            )
        elif kind == 3:
            line = (
                f"{stamp} [{pid}] {who} LOG:  disconnection: session time: "
                f"0:{int(rand() * 59):02d}:{rand() * 59:06.3f} user={who.split('@')[0]} "
                f"database={who.split('@')[1]} "
                f"host={pick(CLIENT_IPS)} port={30000 + bits(15)}"
            )
        elif kind == 4:
            yield [
                f"{stamp} [{pid}] {who} ERROR:  duplicate key value violates unique constraint "
                '"orders_pkey"',
                f"{stamp} [{pid}] {who} DETAIL:  Key (id)=({_order(bits)}) already exists.",
                f"{stamp} [{pid}] {who} STATEMENT:  {_PG_QUERIES[2]}",
            ]
            continue
        elif kind == 5:
            line = f"{stamp} [31] LOG:  checkpoint starting: time"
            yield [
                line,
                f"{stamp} [31] LOG:  checkpoint complete: wrote {bits(12)} buffers "
                f"({rand() * 10:.1f}%); 0 WAL file(s) added, 0 removed, {int(rand() * 4)} "
                f"recycled; write={rand() * 270:.3f} s, sync={rand():.3f} s, total="
                f"{270 + rand() * 10:.3f} s; sync files={int(rand() * 90)}, longest="
                f"{rand() / 10:.3f} s, average=0.001 s; distance={bits(16)} kB, "
                f"estimate={bits(16)} kB; lsn=3/{bits(32):X}, redo lsn=3/{bits(32):X}",
            ]
            continue
        elif kind == 6:
            yield [
                f"{stamp} [{pid}] {who} ERROR:  deadlock detected",
                f"{stamp} [{pid}] {who} DETAIL:  Process {pid} waits for ShareLock on "
                f"transaction {bits(24)}; blocked by process {pid + 7}.",
                f"\tProcess {pid + 7} waits for ShareLock on transaction {bits(24)}; blocked "
                f"by process {pid}.",
                f"\tProcess {pid}: {_PG_QUERIES[3]}",
                f"\tProcess {pid + 7}: {_PG_QUERIES[3]}",
                f"{stamp} [{pid}] {who} HINT:  See server log for query details.",
                f"{stamp} [{pid}] {who} CONTEXT:  while updating tuple ({bits(10)},{bits(4)}) "
                'in relation "inventory_reservations"',
                f"{stamp} [{pid}] {who} STATEMENT:  {_PG_QUERIES[3]}",
            ]
            continue
        else:
            line = (
                f"{stamp} [{pid}] {who} LOG:  could not receive data from client: Connection "
                "reset by peer"
            )
        yield [line]


# -- syslog (RFC 3164, rsyslog's traditional file format) ------------------------------------


def syslog_events(rng: random.Random, tl: Timeline) -> Iterator[Event]:
    """/var/log/syslog of a central rsyslog, `RSYSLOG_TraditionalFileFormat`, several hosts."""
    rand = rng.random
    bits = rng.getrandbits
    pick = picker(rng)
    second = SecondCache(_bsd)
    iso = SecondCache(_iso)
    klog = SecondCache(_klog)
    normal = weighted(rng, (20, 15, 15, 12, 10, 8, 8, 6, 4, 2))
    oom_done = False
    uptime = 812345.0

    while True:
        now = tl.now
        stamp = second(now)
        host = pick(HOSTS)
        kernel_clock = f"[{uptime + now - START:.6f}]"
        if not oom_done and tl.fraction >= INCIDENT_PEAK[0] + 0.005:
            oom_done = True
            yield [
                f"{stamp} cache-1 kernel: {kernel_clock} redis-server invoked oom-killer: "
                "gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=0",
                f"{stamp} cache-1 kernel: {kernel_clock} CPU: 1 PID: 1923 Comm: redis-server "
                "Not tainted 6.8.0-49-generic #49-Ubuntu",
                f"{stamp} cache-1 kernel: {kernel_clock} Mem-Info:",
                f"{stamp} cache-1 kernel: {kernel_clock} oom-kill:constraint=CONSTRAINT_MEMCG,"
                "nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/kubepods/burstable/pod7c1d,"
                "task_memcg=/kubepods/burstable/pod7c1d/redis,task=redis-server,pid=1923,uid=999",
                f"{stamp} cache-1 kernel: {kernel_clock} Memory cgroup out of memory: Killed "
                "process 1923 (redis-server) total-vm:4718592kB, anon-rss:4190208kB, "
                "file-rss:2048kB, shmem-rss:0kB, UID:999 pgtables:8412kB oom_score_adj:0",
                f"{stamp} cache-1 systemd[1]: redis-server.service: A process of this unit has "
                "been killed by the OOM killer.",
                f"{stamp} cache-1 systemd[1]: redis-server.service: Main process exited, "
                "code=killed, status=9/KILL",
                f"{stamp} cache-1 systemd[1]: redis-server.service: Failed with result 'oom-kill'.",
                f"{stamp} cache-1 systemd[1]: redis-server.service: Scheduled restart job, "
                "restart counter is at 1.",
            ]
            continue
        kind = normal()
        if kind == 0:
            line = (
                f"{stamp} {host} kubelet[987]: I{klog(now)}.{_micros(now):06d}     987 "
                f'kubelet.go:2455] "SyncLoop '
                f'(probe)" probe="readiness" status="ready" pod="shop/'
                f"{pick(('checkout', 'cart-api', 'payments-worker'))}-6f7c9d8b5-"
                f'{bits(20):05x}"'
            )
        elif kind == 1:
            line = (
                f'{stamp} {host} containerd[812]: time="{iso(now)}.{_micros(now):06d}000Z" '
                f'level=info msg="ExecSync for \\"{bits(64):016x}\\" returns with exit code 0"'
            )
        elif kind == 2:
            line = (
                f"{stamp} {host} systemd[1]: Started session-{bits(12)}.scope - Session "
                f"{bits(12)} of User deploy."
            )
        elif kind == 3:
            line = (
                f"{stamp} {host} CRON[{bits(15)}]: (root) CMD (   test -x /etc/cron.daily/"
                "popularity-contest && /etc/cron.daily/popularity-contest --crond)"
            )
        elif kind == 4:
            line = (
                f"{stamp} {host} sshd[{bits(15)}]: Accepted publickey for deploy from "
                f"{pick(CLIENT_IPS)} port {30000 + bits(15)} ssh2: ED25519 SHA256:"
                "q9Xz0kZ3V5cJmR0N8p2fH1yT4bW7uLxA6eDgSiK3oQ"
            )
        elif kind == 5:
            line = f"{stamp} {host} systemd-logind[702]: New session {bits(12)} of user deploy."
        elif kind == 6:
            line = (
                f"{stamp} {host} kernel: {kernel_clock} [UFW BLOCK] IN=eth0 OUT= MAC=02:42:ac:11"
                f":00:02 SRC={pick(PUBLIC_IPS)} DST=10.0.0.{int(rand() * 250)} LEN=44 TOS=0x00 "
                f"PREC=0x00 TTL={40 + int(rand() * 200)} ID={bits(16)} PROTO=TCP SPT="
                f"{30000 + bits(15)} DPT={pick(('22', '23', '3389', '5432', '6379'))} WINDOW=1024 "
                "RES=0x00 SYN URGP=0"
            )
        elif kind == 7:
            line = (
                f"{stamp} {host} rsyslogd: imuxsock: Acquired UNIX socket '/run/systemd/journal/"
                f"syslog' (fd 3) from systemd.  [v8.2312.0]"
            )
        elif kind == 8:
            line = (
                f"{stamp} {host} systemd[1]: Starting apt-daily.service - Daily apt download "
                "activities..."
            )
        else:
            line = (
                f"{stamp} {host} node_exporter[1133]: ts={iso(now)}.{_millis(now):03d}Z "
                'caller=collector.go:169 level=error msg="collector failed" name=hwmon '
                'duration_seconds=0.000187 err="open /sys/class/hwmon/hwmon1/temp1_input: no '
                'such device"'
            )
        yield [line]


# -- the services and the driver -------------------------------------------------------------


@dataclass(frozen=True)
class Service:
    name: str
    filename: str
    format: str
    weight: float
    events: Callable[[random.Random, Timeline], Iterator[Event]]


SERVICES: tuple[Service, ...] = (
    Service("nginx", "nginx-access.log", "nginx combined access log", 0.26, nginx_events),
    Service("checkout-service", "checkout-service.log", "Spring Boot 3", 0.20, spring_boot_events),
    Service("cart-api", "cart-api.log", "pino JSON lines", 0.16, pino_events),
    Service("payments-worker", "payments-worker.log", "Python logging", 0.12, python_events),
    Service("postgresql", "postgresql-16-main.log", "PostgreSQL stderr", 0.12, postgres_events),
    Service("syslog", "syslog", "BSD syslog (rsyslog)", 0.09, syslog_events),
    Service("redis", "redis-server.log", "Redis server log", 0.05, redis_events),
)


def split_lines(total: int, weights: Sequence[float]) -> list[int]:
    """`total` split by `weights` (largest remainder): the parts sum to `total` exactly."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    parts = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (parts[i] - exact[i], i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def write_service(service: Service, path: Path, lines: int, seed: int) -> int:
    """Stream `lines` physical lines of `service` into `path`; the number of bytes written."""
    rng = random.Random(f"{seed}:{service.name}")
    timeline = Timeline(lines, rng)
    written = 0
    size = 0
    batch: list[str] = []
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        if lines > 0:
            for event in service.events(rng, timeline):
                room = lines - written
                if len(event) >= room:
                    batch.extend(event[:room])
                    break
                batch.extend(event)
                written += len(event)
                timeline.advance(len(event))
                if len(batch) >= BATCH_LINES:
                    text = "\n".join(batch) + "\n"
                    out.write(text)
                    size += len(text.encode())
                    batch.clear()
        if batch:
            text = "\n".join(batch) + "\n"
            out.write(text)
            size += len(text.encode())
    end = int(START + DURATION) + 60
    os.utime(path, (end, end))  # year-less stamps (syslog, redis) read against the mtime
    return size


def generate(out: Path, lines: int = DEFAULT_LINES, seed: int = DEFAULT_SEED) -> list[Path]:
    """Write every service's file into `out` (created if needed) plus a manifest; the paths."""
    out.mkdir(parents=True, exist_ok=True)
    counts = split_lines(lines, [service.weight for service in SERVICES])
    paths: list[Path] = []
    files: list[dict[str, object]] = []
    for service, count in zip(SERVICES, counts, strict=True):
        path = out / service.filename
        size = write_service(service, path, count, seed)
        paths.append(path)
        files.append(
            {
                "file": service.filename,
                "service": service.name,
                "format": service.format,
                "lines": count,
                "bytes": size,
            }
        )
    manifest = {"version": GENERATOR_VERSION, "seed": seed, "lines": lines, "files": files}
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return paths


def read_manifest(out: Path) -> dict[str, object] | None:
    """The manifest of a generated data set in `out`, or None."""
    try:
        loaded = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return loaded if isinstance(loaded, dict) else None


def is_current(out: Path, lines: int, seed: int) -> bool:
    """True when `out` holds a complete data set for these settings and this generator."""
    manifest = read_manifest(out)
    if (
        manifest is None
        or manifest.get("version") != GENERATOR_VERSION
        or manifest.get("lines") != lines
        or manifest.get("seed") != seed
    ):
        return False
    files = manifest.get("files")
    if not isinstance(files, list):
        return False
    for entry in files:
        if not isinstance(entry, dict):
            return False
        path = out / str(entry.get("file"))
        if not path.is_file() or path.stat().st_size != entry.get("bytes"):
            return False
    return True


def data_paths(out: Path) -> list[Path]:
    """The log files of the data set in `out`, in service order."""
    return [out / service.filename for service in SERVICES]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--lines",
        type=int,
        default=DEFAULT_LINES,
        help=f"physical lines in total (default {DEFAULT_LINES:,})",
    )
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})"
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="output directory (default benchmarks/data/)"
    )
    args = parser.parse_args(argv)
    if args.lines < 0:
        parser.error("--lines must be >= 0")
    began = time.perf_counter()
    paths = generate(args.out, args.lines, args.seed)
    took = time.perf_counter() - began
    manifest = read_manifest(args.out) or {}
    files = manifest.get("files", [])
    assert isinstance(files, list)
    total_bytes = 0
    for entry in files:
        total_bytes += int(entry["bytes"])
        print(
            f"  {entry['file']:<24} {entry['lines']:>10,} lines {entry['bytes'] / 1e6:>8.1f} MB"
            f"  {entry['format']}"
        )
    print(
        f"wrote {len(paths)} files, {args.lines:,} lines, {total_bytes / 1e6:.1f} MB to "
        f"{args.out} in {took:.1f} s (seed {args.seed})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
