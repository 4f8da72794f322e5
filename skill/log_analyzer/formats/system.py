"""Text formats written by system daemons, databases, web servers and proxies."""

from __future__ import annotations

from typing import Any

from ..levels import infer_level, leading_level, mnemonic_level
from ..records import Record
from ..timestamps import Clock, stamp
from .base import Parsed, RegexFormat, Sample
from .fallback import LEVEL_PREFIX
from .inner import merge, read_inner
from .multiline import is_continuation

_STAMP_1 = stamp(r"%b %e %H:%M:%S(?:\.%f)?")
# a level word is no host name: `Sat Nov 28 14:02:03 2026 ERROR cron: ...` names a level
_LEVEL_HOSTS = frozenset(
    {"TRACE", "DEBUG", "INFO", "NOTICE", "WARN", "WARNING", "ERROR", "ERR", "CRIT"}
    | {"CRITICAL", "ALERT", "FATAL", "EMERG"}
)
# macOS writes the weekday and the year too (`Mon Dec 12 21:52:08 2016 host prog[pid] <Info>:`)
_SYSLOG_STAMP = stamp(r"(?:%a )?%b %e %H:%M:%S(?:\.%f)?(?: %Y)?")
_STAMP_2 = stamp(r"%Y-%m-%dT%H:%M:%S(?:\.%f)?%z")
_STAMP_3 = stamp(r"%-d %b(?: %Y)? %H:%M:%S(?:\.%f)?|\(%s\)")
_STAMP_4 = stamp(r"%Y-%m-%d %H:%M:%S(?:\.%f)? %Z")
_STAMP_5 = stamp(r"%Y-%m-%d[T ]%H:%M:%S(?:\.%f)?(?:%z)?")
_STAMP_6 = stamp(r"%d/%b/%Y:%H:%M:%S(?:\.%f)? %z")
_STAMP_7 = stamp(r"%a %b %d %H:%M:%S(?:\.%f)? %Y")
_STAMP_8 = stamp(r"%d/%b/%Y:%H:%M:%S\.%f")
_MYSQL_STAMP = stamp(r"(?:%Y-|%y)%m-?%d(?:T| +)%-H:%M:%S(?:\.%f)?(?:%z)?")

# program[pid], and macOS's ` (address)` after it: `sandboxd[129] ([31211]): ...`
_PROGRAM = r"(?P<program>[^\s\[:]+(?: [^\s\[:]+)?)(?:\[(?P<pid>\d+)\])?(?: \((?P<address>[^)]*)\))?"

# The process as the wrapper names it (the program is the service): kept over the inner
# line's fields of the same name, and compared to tell a trace's lines from another's.
_ORIGIN_KEYS = ("host", "pid", "procid")


# How the lines of a stack trace start in syslog: the tab of a frame (rsyslog's `#011`), Java's
# `at ...`, `Caused by: ...`, `... 12 more`, Python's own lines. A leading space is not one: it
# may be the writer's own (`-  message` in RFC 5424).
_TRACE_STARTS = (
    "at ",
    "Caused by: ",
    "Suppressed: ",
    "... ",
    "Traceback (",
    "During handling ",
    "The above exception ",
)


def _may_continue(message: str) -> bool:
    """A cheap test before `is_continuation`: the message may be a line of a stack trace (its
    start, or a first word like `java.net.SocketTimeoutException:`)."""
    if message[0] in "#\t" or message.startswith(_TRACE_STARTS):
        return True
    space = message.find(" ")
    head = message if space < 0 else message[:space]
    return "." in head and head[-1] == ":"


class SyslogFormat(RegexFormat):
    """A syslog-style header around a daemon's message. The message may be an application's
    own log line (`nova-compute[12345]: 2019-11-19 10:01:02.345 12345 ERROR nova.compute...`,
    a JSON object, logfmt): the record then gets its level, logger, message and fields (see
    `inner.py`). A message that reads as a line of a stack trace (rsyslog writes the tab of a
    Java frame as `#011`), or of an oslo.log traceback, continues the record before it when
    the same process on the same host logged that one."""

    def __init__(self, *args: Any, has_year: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.has_year = has_year
        self.infer = False  # done here, once the message is known to be the wrapper's own

    def parse(self, line: str, clock: Clock) -> Parsed | None:
        parsed = super().parse(line, clock)
        if parsed is None:
            return None
        host = parsed.fields.get("host") if parsed.fields is not None else None
        if host and not host[0].islower() and (host in _LEVEL_HOSTS or host.isdigit()):
            return None  # a level or a year where the host goes: another format's line
        service = parsed.service
        if service is not None:
            if service[0] == "%":
                # Cisco's mnemonic where the program goes: `%ASA-4-106023:` is ASA, severity 4
                parsed.level = parsed.level or mnemonic_level(f"{service}:")
                parsed.service = service[1:].split("-", 1)[0]
        elif parsed.message[:1] == "%":
            parsed.service = parsed.message[1:].split("-", 1)[0]  # `fw-1 : %ASA-4-...`
        if not parsed.message:
            return parsed
        message = parsed.message
        rest = ""
        if "#012" in message:  # rsyslog's escaped newlines: a multi-line message in one line
            message, _, rest = message.partition("#012")
            rest = rest.replace("#012", "\n").replace("#011", "\t")
            if message:
                rest = "\n" + rest
        found = read_inner(message, clock) if message else None
        if found is not None and found[0] is LEVEL_PREFIX:
            # a level word opening the text (`ALERT exited abnormally`): its level, unless the
            # priority said one; the text stays whole
            parsed.level = parsed.level or found[1].level
            found = None
        if found is not None:
            parsed = merge(parsed, found[1], self.has_year, _ORIGIN_KEYS)
        else:
            if message and _may_continue(message):
                text = message.replace("#011", "\t") if message.startswith("#011") else message
                if is_continuation(text):
                    parsed.fields = parsed.fields or {}
                    parsed.fields["continues"] = True
                    message = text
            parsed.message = message
        if rest:
            parsed.message += rest
        if parsed.level is None:  # sshd's `error: ...`, NetworkManager's `<warn> ...`, Cisco's
            message = parsed.message
            parsed.level = leading_level(message) or mnemonic_level(message) or infer_level(message)
        return parsed

    def joins_previous(self, parsed: Parsed, previous: Record | None = None) -> bool:
        fields = parsed.fields
        if fields is None or "continues" not in fields:
            return False
        if previous is None:
            return True
        theirs = previous.fields or {}
        return all(theirs.get(key) == fields.get(key) for key in _ORIGIN_KEYS)

    def continuation_text(self, parsed: Parsed, line: str) -> str:
        return parsed.message


SYSLOG_RFC3164 = SyslogFormat(
    "syslog",
    rf"^(?:<(?P<pri>\d{{1,3}})>)?{_SYSLOG_STAMP} (?P<host>\S+) "
    # Apple's ASL level after the program; Cisco ASA names no program: `fw-1 : %ASA-...`
    rf"(?:{_PROGRAM}(?: <(?P<level>[A-Z][a-z]+)>)?: ?|: )(?P<message>.*)$",
    title="BSD syslog (RFC 3164), /var/log/syslog, journalctl -o short",
    service_group="program",
    priority=50,
    has_year=False,
    samples=(
        Sample(
            "Nov 28 14:02:03 web-1 kernel: [812345.118442] Out of memory: Killed process 4242 "
            "(java) total-vm:8123456kB",
            level="fatal",
            service="kernel",
        ),
        Sample(
            "<86>Nov 28 14:02:03 web-1 sshd[1234]: pam_unix(sshd:session): session opened for "
            "user deploy",
            level="info",
            service="sshd",
        ),
        Sample(  # a daemon that writes its level first, as its own line would
            "Nov 28 14:02:03 web-1 shop-worker[812]: WARN retrying charge for order 8812",
            level="warning",
            message="WARN retrying charge for order 8812",
            service="shop-worker",
        ),
        Sample(
            "Sat Nov 28 14:02:03 2026 mbp-7 socketfilterfw[112] <Info>: Dropbox: Allow TCP "
            "CONNECT (in:0 out:1)",
            level="info",
            service="socketfilterfw",
            timestamp="2026-11-28T14:02:03+00:00",
        ),
        Sample(
            "Nov 28 14:02:03 fw-1 %ASA-4-106023: Deny tcp src outside:203.0.113.7/51234 dst "
            'inside:10.0.3.12/22 by access-group "outside_in" [0x0, 0x0]',
            level="warning",
            service="ASA",
        ),
        Sample(
            "<166>Nov 28 14:02:04 fw-1 : %ASA-6-302013: Built inbound TCP connection 812 for "
            "outside:203.0.113.7/51234 (203.0.113.7/51234) to inside:10.0.3.12/443",
            level="info",
            service="ASA",
        ),
        Sample(
            "Nov 28 14:02:03 bastion-1 sshd[2938]: error: maximum authentication attempts "
            "exceeded for root from 203.0.113.7 port 37107 ssh2 [preauth]",
            level="error",
        ),
    ),
)

SYSLOG_RFC5424 = SyslogFormat(
    "syslog5424",
    rf"^<(?P<pri>\d{{1,3}})>1 (?:{_STAMP_2}|-) (?P<host>\S+) "
    r"(?P<program>\S+) (?P<procid>\S+) (?P<msgid>\S+) (?P<sd>-|(?:\[(?:[^\]\\]|\\.)*\])+)"
    r"(?: (?:\ufeff)?(?P<message>.*))?$",
    title="IETF syslog (RFC 5424)",
    service_group="program",
    priority=80,
    has_year=True,
    samples=(
        Sample(
            '<163>1 2026-11-28T14:02:03.118Z db-1 postgres 4242 - [meta sequenceId="7"] '
            "could not extend file: No space left on device",
            level="error",
            service="postgres",
            timestamp="2026-11-28T14:02:03.118000+00:00",
        ),
    ),
)

JOURNAL_SHORT_ISO = SyslogFormat(
    "journal-short-iso",
    # rsyslog templates that write the severity where the host goes (Chrome OS's syslog)
    rf"^{stamp(r'%Y-%m-%dT%H:%M:%S(?:[.,]%f)?%z')} "
    r"(?:(?P<level>EMERG|ALERT|CRIT|ERR|ERROR|WARNING|WARN|NOTICE|INFO|DEBUG) |(?P<host>\S+) )"
    rf"{_PROGRAM}: ?(?P<message>.*)$",
    title="journalctl -o short-iso / short-iso-precise, rsyslog ISO templates",
    service_group="program",
    priority=60,
    has_year=True,
    samples=(
        Sample(
            "2026-11-28T14:02:03+0000 web-1 systemd[1]: checkout.service: Main process exited, "
            "code=killed, status=9/KILL",
            service="systemd",
            timestamp="2026-11-28T14:02:03+00:00",
        ),
        Sample(
            "2026-11-28T06:02:03.118442-08:00 ERR kernel: [  812.118442] ath10k_pci 0000:01:00.0:"
            " firmware crashed!",
            level="error",
            service="kernel",
            timestamp="2026-11-28T14:02:03.118442+00:00",
        ),
    ),
)

REDIS = RegexFormat(
    "redis",
    # `1:signal-handler (1795874580) Received SIGTERM ...`: the handler writes an epoch instead.
    # Redis before 2.6 wrote `[pid] ` or nothing before the time, and whole seconds.
    r"^(?:(?:(?P<pid>\d+):(?P<role>[XCSM])|\[(?P<pid2>\d+)\]|(?P<pid3>\d+):signal-handler) "
    r"|(?=\d\d? [A-Z][a-z]{2} \d\d:\d\d:\d\d(?:\.\d+)? [.\-*#] ))"
    rf"{_STAMP_3} (?:(?P<level>[.\-*#]) )?(?P<message>.*)$",
    title="Redis server log",
    levels={".": "debug", "-": "debug", "*": "notice", "#": "warning"},
    priority=80,
    samples=(
        Sample(
            "1:M 28 Nov 2026 14:01:58.332 # WARNING: 32 bit instance detected but no memory "
            "limit set.",
            level="warning",
            timestamp="2026-11-28T14:01:58.332000+00:00",
        ),
        Sample("1:M 28 Nov 2026 14:01:58.332 * Ready to accept connections tcp", level="notice"),
        Sample(
            "1:signal-handler (1795874580) Received SIGTERM scheduling shutdown...",
            message="Received SIGTERM scheduling shutdown...",
            timestamp="2026-11-28T14:03:00+00:00",
        ),
        Sample(
            "[4242] 28 Nov 14:02:03 # Can't save in background: fork: Cannot allocate memory",
            level="warning",
        ),
        Sample(
            "28 Nov 14:02:03 . 12 clients connected (0 slaves), 1032816 bytes in use",
            level="debug",
            timestamp="2026-11-28T14:02:03+00:00",
        ),
    ),
)

POSTGRES = RegexFormat(
    "postgres",
    rf"^{_STAMP_4} \[(?P<pid>\d+)\](?:-(?P<line_num>\d+))? "
    r"(?:(?P<user>[\w\-.\[\]]*)@(?P<database>[\w\-.\[\]]*) )?"
    r"(?P<level>DEBUG[1-5]|LOG|INFO|NOTICE|WARNING|ERROR|FATAL|PANIC|DETAIL|HINT|CONTEXT|"
    r"STATEMENT|QUERY|LOCATION):  (?P<message>.*)$",
    title="PostgreSQL stderr log (log_line_prefix '%m [%p] ' and '%m [%p] %q%u@%d ')",
    levels={"LOG": "info", "PANIC": "fatal"},
    continuation_levels=frozenset({"DETAIL", "HINT", "CONTEXT", "STATEMENT", "QUERY", "LOCATION"}),
    priority=80,
    samples=(
        Sample(
            "2026-11-28 14:02:03.118 UTC [4242] app@shop FATAL:  sorry, too many clients already",
            level="fatal",
            message="sorry, too many clients already",
            timestamp="2026-11-28T14:02:03.118000+00:00",
        ),
        Sample("2026-11-28 14:02:03.118 UTC [4242] LOG:  checkpoint starting: time", level="info"),
    ),
)

MYSQL = RegexFormat(
    "mysql",
    # MySQL 5.5 wrote `YYMMDD HH:MM:SS` (the hour space-padded) and no thread id
    rf"^{_MYSQL_STAMP}(?:\s+(?P<thread>\d+)|(?<=^\d{{6}} [ \d]\d:\d\d:\d\d)) "
    r"\[(?P<level>System|Note|Warning|Error|ERROR)\] (?:\[(?P<code>MY-\d+)\] "
    r"\[(?P<subsystem>\w+)\] )?(?P<message>.*)$",
    title="MySQL / MariaDB error log",
    levels={"Note": "info", "System": "notice"},
    priority=80,
    samples=(
        Sample(
            "2026-11-28T14:02:03.118442Z 12 [Warning] [MY-010055] [Server] IP address "
            "'10.0.4.7' could not be resolved: Name or service not known",
            level="warning",
            timestamp="2026-11-28T14:02:03.118442+00:00",
        ),
        Sample("2026-11-28 14:02:03 4242 [ERROR] Too many connections", level="error"),
        Sample(
            "261128  9:02:03 [ERROR] /usr/sbin/mysqld: Table './shop/orders' is marked as crashed",
            level="error",
            timestamp="2026-11-28T09:02:03+00:00",
        ),
    ),
)

_QUOTED = r'[^"\\]*(?:\\.[^"\\]*)*'  # unrolled: no backtracking per character
_ACCESS_HEAD = (
    rf"^(?P<client>\S+) (?P<ident>\S+) (?P<user>\S+) "
    rf"\[{_STAMP_6}\] "
)

ACCESS_COMBINED = RegexFormat(
    "access-combined",
    rf'{_ACCESS_HEAD}(?P<message>"(?P<request>{_QUOTED})" (?P<status>\d{{3}}) (?P<bytes>\d+|-) '
    rf'"(?P<referer>{_QUOTED})" "(?P<agent>{_QUOTED})".*)$',
    title="nginx / Apache access log, combined format",
    priority=75,
    samples=(
        Sample(
            '203.0.113.7 - - [28/Nov/2026:14:02:03 +0000] "POST /api/checkout HTTP/1.1" 503 '
            '197 "https://shop.example.com/cart" "Mozilla/5.0 (X11; Linux x86_64)"',
            level="error",
            timestamp="2026-11-28T14:02:03+00:00",
        ),
    ),
)

ACCESS_COMMON = RegexFormat(
    "access-common",
    rf'{_ACCESS_HEAD}(?P<message>"(?P<request>{_QUOTED})" (?P<status>\d{{3}}) (?P<bytes>\d+|-))$',
    title="nginx / Apache access log, common format",
    priority=74,
    samples=(
        Sample(
            '10.0.0.12 - frank [28/Nov/2026:14:02:03 -0700] "GET /cart HTTP/1.0" 404 2326',
            level="warning",
            timestamp="2026-11-28T21:02:03+00:00",
        ),
    ),
)

NGINX_ERROR = RegexFormat(
    "nginx-error",
    rf"^{stamp(r'%Y/%m/%d %H:%M:%S')} \[(?P<level>\w+)\] (?P<pid>\d+)#(?P<tid>\d+): "
    r"(?:\*(?P<connection>\d+) )?(?P<message>.*)$",
    title="nginx error log",
    priority=80,
    samples=(
        Sample(
            "2026/11/28 14:02:03 [error] 31#31: *5712 connect() failed (111: Connection "
            "refused) while connecting to upstream, client: 203.0.113.7, server: shop, "
            'request: "POST /api/checkout HTTP/1.1", upstream: "http://10.0.3.12:8080/api/'
            'checkout", host: "shop.example.com"',
            level="error",
            timestamp="2026-11-28T14:02:03+00:00",
        ),
    ),
)

APACHE_ERROR = RegexFormat(
    "apache-error",
    rf"^\[{_STAMP_7}\] \[(?:(?P<module>[\w\-]+):)?(?P<level>\w+)\] "
    r"(?:\[pid (?P<pid>\d+)(?::tid (?P<tid>\d+))?\] )?(?:\[client (?P<client>[^\]]+)\] )?"
    r"(?P<message>.*)$",
    title="Apache httpd error log (2.2 and 2.4)",
    priority=80,
    samples=(
        Sample(
            "[Sat Nov 28 14:02:03.118442 2026] [proxy:error] [pid 4242:tid 139872] (111)"
            "Connection refused: AH00957: http: attempt to connect to 10.0.3.12:8080 "
            "(checkout) failed",
            level="error",
            timestamp="2026-11-28T14:02:03.118442+00:00",
        ),
    ),
)


class HaproxyFormat(RegexFormat):
    """HAProxy's httplog lines, and its own event lines in the same file (`Server be/srv is
    DOWN, ...`, `backend be has no server available!`), read as the syslog lines they are: a
    haproxy.log is mostly, not only, httplog lines. A file written by syslog has lost the
    severity HAProxy sent the events with; the outages get theirs back.

    A request is timed by its accept date, which states the year the syslog header lacks: the
    year-less lines around it take that year."""

    _EVENT_LEVELS = (
        (" is DOWN", "critical"),  # LOG_ALERT
        (" has no server available", "fatal"),  # LOG_EMERG
    )

    def parse(self, line: str, clock: Clock) -> Parsed | None:
        parsed = super().parse(line, clock)
        if parsed is not None or "haproxy[" not in line:
            return parsed
        parsed = SYSLOG_RFC3164.parse(line, clock)
        if parsed is None or parsed.service != "haproxy":
            return None
        if parsed.level is None:
            for text, level in self._EVENT_LEVELS:
                if text in parsed.message:
                    parsed.level = level
                    break
        return parsed


HAPROXY = HaproxyFormat(
    "haproxy",
    # The syslog header and `haproxy[pid]: ` are absent with `log stdout format raw`.
    r"^(?:(?:<\d{1,3}>)?\w{3} [ \d]\d \d\d:\d\d:\d\d (?P<host>\S+) )?"
    r"(?:(?P<program>haproxy)\[(?P<pid>\d+)\]: )?(?P<client>[\da-fA-F.:]+):(?P<client_port>\d+) "
    rf"\[{_STAMP_8}\] (?P<frontend>\S+) (?P<backend>[^/\s]+)/"
    r"(?P<server>\S+) (?P<timers>[\d/+\-]+) (?P<message>(?P<status>\d{3}) .*)$",
    title="HAProxy HTTP log (option httplog)",
    service_group="program",
    priority=90,
    samples=(
        Sample(
            "Nov 28 14:02:08 lb-1 haproxy[812]: 203.0.113.7:51234 [28/Nov/2026:14:02:03.118] "
            "http-in checkout_be/checkout-2 0/0/1/-1/5002 503 217 - - sC-- 120/110/30/10/0 "
            '0/0 "POST /api/checkout HTTP/1.1"',
            level="error",
            service="haproxy",
            timestamp="2026-11-28T14:02:03.118000+00:00",  # accepted, 5 s before it was logged
        ),
        Sample(
            "Nov 28 14:02:06 lb-1 haproxy[812]: backend checkout_be has no server available!",
            level="fatal",
            service="haproxy",
            timestamp="2026-11-28T14:02:06+00:00",
        ),
        Sample(  # `log stdout format raw`
            "10.0.0.5:33001 [28/Nov/2026:14:02:08.000] http-in web_be/web-1 0/0/0/1/1 200 2 - - "
            '---- 90/2/0/0/0 0/0 "GET /healthz HTTP/1.1"',
            level="info",
            timestamp="2026-11-28T14:02:08+00:00",
        ),
    ),
)

COREDNS = RegexFormat(
    "coredns",
    r"^\[(?P<level>INFO|WARNING|ERROR|FATAL|DEBUG)\] (?P<message>(?:plugin/(?P<plugin>[\w-]+): )?"
    r".*)$",
    title="CoreDNS log (`[INFO] plugin/reload: ...`, query log)",
    priority=60,
    samples=(
        Sample(
            "[ERROR] plugin/errors: 2 payments.internal. A: read udp 10.244.1.7:43210->"
            "10.0.0.2:53: i/o timeout",
            level="error",
        ),
        Sample(
            '[INFO] 10.244.3.47:45329 - 31689 "A IN erp.internal. udp 53 false 1232" '
            "NOERROR qr,rd,ra 156 0.000595324s",
            level="info",
        ),
    ),
)


class DmesgFormat(RegexFormat):
    """`dmesg -x`: the facility names who wrote the line; `kern` is the kernel."""

    def parse(self, line: str, clock: Clock) -> Parsed | None:
        parsed = super().parse(line, clock)
        if parsed is not None and parsed.service == "kern":
            parsed.service = "kernel"
        return parsed


DMESG = DmesgFormat(
    "dmesg",
    r"^(?P<facility>kern|user|mail|daemon|auth|syslog|lpr|news) *:(?P<level>emerg|alert|crit|err|"
    r"warn|notice|info|debug) *: "
    rf"(?:\[{_STAMP_7}\]|\[ *(?P<uptime>\d+\.\d+)\]) (?P<message>.*)$",
    title="dmesg -x (facility and level), with -T times or seconds since boot",
    service_group="facility",
    priority=70,
    samples=(
        Sample(
            "kern  :err   : [Tue Aug 19 10:31:17 2025] Memory cgroup out of memory: Killed process "
            "59187 (java) total-vm:7912344kB, anon-rss:4118232kB",
            level="error",
            timestamp="2025-08-19T10:31:17+00:00",
            service="kernel",
        ),
        Sample(
            "kern  :warn  : [812345.118442] java invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL)",
            level="warning",
        ),
    ),
)


FORMATS: tuple[RegexFormat, ...] = (
    DMESG,
    COREDNS,
    SYSLOG_RFC3164,
    SYSLOG_RFC5424,
    JOURNAL_SHORT_ISO,
    REDIS,
    POSTGRES,
    MYSQL,
    ACCESS_COMBINED,
    ACCESS_COMMON,
    NGINX_ERROR,
    APACHE_ERROR,
    HAPROXY,
)
