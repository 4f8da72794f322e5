"""Logs of more daemons: PostgreSQL under any `log_line_prefix`, MySQL's slow query log, the
Linux audit log, CUPS, RabbitMQ's Erlang reports, VMware ESXi, macOS's `log show`,
daemontools' multilog (TAI64N stamps), and shell histories with times. The common syslog,
database and web server formats are in `system.py`."""

from __future__ import annotations

from ..records import Record
from ..timestamps import Clock, stamp
from .base import Parsed, RegexFormat, Sample

_PG_LEVELS = (
    r"DEBUG[1-5]|LOG|INFO|NOTICE|WARNING|ERROR|FATAL|PANIC|DETAIL|HINT|CONTEXT|STATEMENT|QUERY|"
    r"LOCATION"
)
_SLOW_STAMP = stamp(r"(?:%Y-|%y)%m-?%d(?:T| +)%-H:%M:%S(?:\.%f)?(?:%z)?")
_VMWARE_STAMP = stamp(r"%Y-%m-%dT%H:%M:%S(?:\.%f)?%z")
_MACOS_STAMP = stamp(r"%Y-%m-%d %H:%M:%S\.%f%z")
_ERLANG_STAMP = stamp(r"%-d-%b-%Y::%H:%M:%S(?:\.%f)?")
_AUDIT_STAMP = stamp(r"(?P<epoch>\d{9,10})(?:\.%f)?")
_PG_STAMP = stamp(r"%Y-%m-%d %H:%M:%S(?:[.,]%f)?(?: (?P<z>[A-Z]{2,5}|[+-]\d\d(?::?\d\d)?))?")

POSTGRES_PREFIX = RegexFormat(
    "postgres-prefix",
    # the time first (`%t`, `%m`), then whatever else the prefix holds (`[%p]: [%l-1]
    # user=%u,db=%d`, RDS's `:%r:%u@%d:[%p]:`), then PostgreSQL's `LEVEL:  ` (two spaces)
    rf"^(?:< ?)?{_PG_STAMP}[ :>](?P<prefix>.{{0,200}}?)(?<![A-Za-z])"
    rf"(?P<level>{_PG_LEVELS}):  (?P<message>.*)$",
    title="PostgreSQL stderr log under any log_line_prefix that starts with the time",
    levels={"LOG": "info", "PANIC": "fatal"},
    continuation_levels=frozenset({"DETAIL", "HINT", "CONTEXT", "STATEMENT", "QUERY", "LOCATION"}),
    priority=75,
    samples=(
        Sample(
            "2026-11-28 14:02:03 UTC [4242]: [3-1] user=app,db=shop,app=psql,client=10.0.0.7 "
            "ERROR:  deadlock detected",
            level="error",
            message="deadlock detected",
            timestamp="2026-11-28T14:02:03+00:00",
        ),
        Sample(
            "2026-11-28 14:02:03 UTC:10.0.0.7(51234):app@shop:[4242]:FATAL:  password "
            'authentication failed for user "app"',
            level="fatal",
        ),
    ),
)


class MysqlSlowFormat(RegexFormat):
    """MySQL's slow query log: an entry opens at `# Time:` (or at `# User@Host:` when the
    server left the time out, as 5.5 did for entries of the same second); the other `# ...:`
    lines, `SET timestamp=...;` (which times an entry without `# Time:`) and the statement
    continue it."""

    def parse(self, line: str, clock: Clock) -> Parsed | None:
        parsed = super().parse(line, clock)
        if parsed is None:
            return None
        fields = parsed.fields or {}
        if fields.get("header") != "Time":
            fields["continues"] = True
            if line.startswith("SET timestamp="):  # the statement's own time, in seconds
                parsed.timestamp = clock.from_value(line[14:].rstrip("; "))
                parsed.zoned = True
        parsed.fields = fields
        return parsed

    def joins_previous(self, parsed: Parsed, previous: Record | None = None) -> bool:
        fields = parsed.fields or {}
        if "continues" not in fields:
            return False
        if fields.get("header") != "User@Host" or previous is None:
            return True
        # a user line opens an entry unless it follows its entry's bare `# Time:` line
        opened = previous.fields or {}
        return opened.get("header") == "Time" and previous.end_line == previous.line


MYSQL_SLOW = MysqlSlowFormat(
    "mysql-slow",
    r"^(?:# (?P<header>Time): "
    + _SLOW_STAMP
    + r"|(?P<message># (?P<header2>[A-Z][\w@]*(?: \w+)?):\s.*|SET timestamp=\d{9,11};))$",
    title="MySQL / MariaDB slow query log",
    infer=False,
    priority=80,
    samples=(
        Sample(
            "# Time: 2026-11-28T14:02:03.118442Z",
            timestamp="2026-11-28T14:02:03.118442+00:00",
            message="",
        ),
        Sample(
            "# User@Host: shop[shop] @ localhost []  Id:    12",
            message="# User@Host: shop[shop] @ localhost []  Id:    12",
        ),
    ),
)


AUDITD = RegexFormat(
    "auditd",
    rf"^(?:node=(?P<node>\S+) )?type=(?P<type>[A-Z_0-9]+) msg=audit\({_AUDIT_STAMP}:"
    r"(?P<serial>\d+)\): ?(?P<message>.*)$",
    title="Linux audit log (auditd, SELinux AVC denials)",
    priority=80,
    samples=(
        Sample(
            "type=AVC msg=audit(1795874523.118:812): avc:  denied  { write } for  pid=4242 "
            'comm="nginx" name="shop.sock" dev="tmpfs" ino=12345 scontext=system_u:system_r:'
            "httpd_t:s0 tcontext=system_u:object_r:var_run_t:s0 tclass=sock_file permissive=0",
            timestamp="2026-11-28T14:02:03.118000+00:00",
        ),
    ),
)

CUPS = RegexFormat(
    "cups",
    rf"^(?P<level>[EWINDdCAX]) \[{stamp(r'%d/%b/%Y:%H:%M:%S %z')}\] (?P<message>.*)$",
    title="CUPS error_log",
    levels={
        "E": "error",
        "W": "warning",
        "I": "info",
        "N": "notice",
        "D": "debug",
        "d": "debug",
        "C": "critical",
        "A": "critical",
        "X": "fatal",
    },
    priority=80,
    samples=(
        Sample(
            "E [28/Nov/2026:15:02:03 +0100] [Job 812] Unable to write print data: Broken pipe",
            level="error",
            timestamp="2026-11-28T14:02:03+00:00",
        ),
    ),
)

RABBITMQ_REPORT = RegexFormat(
    "erlang-report",
    # the report's text follows on the next lines
    r"^=(?P<level>INFO|WARNING|ERROR|CRASH|SUPERVISOR|PROGRESS) REPORT==== "
    rf"{_ERLANG_STAMP} ===$",
    title="Erlang/OTP error_logger reports (RabbitMQ before 3.7)",
    levels={"CRASH": "error", "SUPERVISOR": "error", "PROGRESS": "info"},
    priority=80,
    samples=(
        Sample(
            "=ERROR REPORT==== 28-Nov-2026::14:02:03 ===",
            level="error",
            timestamp="2026-11-28T14:02:03+00:00",
        ),
    ),
)

VMWARE = RegexFormat(
    "vmware",
    # ESXi hostd / vpxa before 6.5: `[thread level 'component' opID=...]`
    rf"^{_VMWARE_STAMP} \[(?P<thread>[0-9A-Fa-f]+) (?P<level>\w+) "
    r"'(?P<component>[^']*)'(?: (?P<context>[^\]]*))?\] (?P<message>.*)$",
    title="VMware ESXi hostd / vpxa log",
    priority=80,
    samples=(
        Sample(
            "2026-11-28T14:02:03.118Z [7FBE7E1C1700 error 'Hostsvc.Datastore' opID=hostd-8f2c] "
            "Datastore ds-01 is not accessible",
            level="error",
            message="Datastore ds-01 is not accessible",
        ),
    ),
)

MACOS_LOG_SHOW = RegexFormat(
    "macos-log",
    rf"^{_MACOS_STAMP}\s+(?P<thread>0x[0-9a-f]+)\s+"
    r"(?P<level>Default|Info|Debug|Error|Fault)\s+(?P<activity>0x[0-9a-f]+)\s+(?P<pid>\d+)\s+"
    r"(?:(?P<ttl>\d+)\s+)?(?P<process>[^:\[]+?)(?:\[\d+\])?: (?P<message>.*)$",
    title="macOS unified log (log show)",
    levels={"Default": "info", "Fault": "critical"},
    service_group="process",
    priority=80,
    samples=(
        Sample(
            "2026-11-28 15:02:03.118442+0100 0x2f1b     Error       0x0                  4242   "
            "0    shopd: (CFNetwork) [com.apple.CFNetwork:Default] Connection 12: failed",
            level="error",
            service="shopd",
            timestamp="2026-11-28T14:02:03.118442+00:00",
        ),
    ),
)

SHELL_HISTORY = RegexFormat(
    "shell-history",
    # bash with HISTTIMEFORMAT (`#1795874523`), tcsh (`#+1795874523`): the command follows;
    # zsh's EXTENDED_HISTORY (`: 1795874523:0;command`)
    rf"^(?:#\+?|: ){stamp(r'%s')}(?::(?P<duration>\d+);(?P<message>.*))?$",
    title="shell history with times (bash, tcsh, zsh)",
    priority=80,
    samples=(
        Sample("#1795874523", timestamp="2026-11-28T14:02:03+00:00", message=""),
        Sample(
            ": 1795874523:0;systemctl restart nginx",
            message="systemctl restart nginx",
            timestamp="2026-11-28T14:02:03+00:00",
        ),
    ),
)


class Tai64nFormat(RegexFormat):
    """daemontools' and s6's `multilog t` / `s6-log t`: a TAI64N label, then the line."""

    def parse(self, line: str, clock: Clock) -> Parsed | None:
        parsed = super().parse(line, clock)
        if parsed is None or parsed.fields is None:
            return parsed
        label = parsed.fields.pop("tai64n")
        # seconds since 1970 TAI are the label's first 16 hex digits minus 2^62; TAI runs 10 s
        # ahead of UTC (daemontools' convention: no leap-second table)
        seconds = int(label[:16], 16) - (1 << 62) - 10
        parsed.timestamp = clock.from_value(f"{seconds}.{int(label[16:], 16):09d}")
        parsed.zoned = True
        parsed.fields = parsed.fields or None
        return parsed


TAI64N = Tai64nFormat(
    "tai64n",
    r"^@(?P<tai64n>4[0-9a-f]{23}) (?P<message>.*)$",
    title="daemontools multilog / s6-log with TAI64N stamps",
    priority=80,
    samples=(
        Sample(
            "@400000006b0adee5070a7998 qmail-smtpd: 421 unable to read controls (#4.3.0)",
            message="qmail-smtpd: 421 unable to read controls (#4.3.0)",
            timestamp="2026-11-28T14:02:03.118127+00:00",
        ),
    ),
)


FORMATS: tuple[RegexFormat, ...] = (
    TAI64N,
    POSTGRES_PREFIX,
    MYSQL_SLOW,
    AUDITD,
    CUPS,
    RABBITMQ_REPORT,
    VMWARE,
    MACOS_LOG_SHOW,
    SHELL_HISTORY,
)
