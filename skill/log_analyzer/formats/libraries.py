"""Text formats of logging libraries beyond the Python, Java and Go defaults of
`application.py`: Ruby's Logger (Rails, Chef), java.util.logging's two-line SimpleFormatter
(Tomcat, plain Java), logrus's text formatter, Tornado's (Jupyter), and Python logging with
`::` between the fields (oVirt's vdsm)."""

from __future__ import annotations

from ..timestamps import stamp
from .base import Parsed, RegexFormat, Sample

_LEVEL = r"(?P<level>TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|SEVERE|CRITICAL|FATAL)"
_RUBY_STAMP = stamp(r"%Y-%m-%dT%H:%M:%S(?:\.%f)?(?:%z)?")
_PYTHON_STAMP = stamp(r"%Y-%m-%d %H:%M:%S(?:,%f)?")
_JUL_STAMP = stamp(r"%b %d, %Y %I:%M:%S %p")
_LOGRUS_STAMP = stamp(r"%Y-%m-%d[T ]%H:%M:%S(?:\.%f)?(?:%z)?")
_TORNADO_STAMP = stamp(r"(?:%Y-|%y)%m-?%d %H:%M:%S(?:[.,]%f)?")

RUBY_LOGGER = RegexFormat(
    "ruby-logger",
    # `SeverityID, [Time #pid]  SEVERITY -- progname: message`; Rails leaves progname empty
    r"^[DIWEFAU], "
    rf"\[{_RUBY_STAMP} #(?P<pid>\d+)\]\s+"
    r"(?P<level>DEBUG|INFO|WARN|ERROR|FATAL|ANY|UNKNOWN) -- (?P<progname>[^:]*): "
    r"(?P<message>.*)$",
    title="Ruby Logger default format (Rails, Chef, Test Kitchen)",
    priority=75,
    samples=(
        Sample(
            "E, [2026-11-28T14:02:03.118442 #4242] ERROR -- : [8f2c1e] PG::ConnectionBad "
            "(could not connect to server: Connection refused)",
            level="error",
            message="[8f2c1e] PG::ConnectionBad (could not connect to server: Connection refused)",
            timestamp="2026-11-28T14:02:03.118442+00:00",
        ),
        Sample(
            "W, [2026-11-28T14:02:04.000112 #4242]  WARN -- Sidekiq: retrying job 8812",
            level="warning",
            message="retrying job 8812",
        ),
    ),
)

# Python logging with `::` between the fields (oVirt's vdsm):
# `%(threadName)s::%(levelname)s::%(asctime)s::%(module)s::%(lineno)d::%(name)s::(%(funcName)s)`
PYTHON_COLONS = RegexFormat(
    "python-colons",
    rf"^(?P<thread>[\w.\-]+)::{_LEVEL}::{_PYTHON_STAMP}::"
    r"(?P<module>[\w.\-]+)::(?P<lineno>\d+)::(?P<logger>[\w.\-]+)::\((?P<func>[^)]*)\) "
    r"(?P<message>.*)$",
    title="Python logging with :: separators (oVirt vdsm)",
    priority=70,
    samples=(
        Sample(
            "Thread-812::ERROR::2026-11-28 14:02:03,118::task::866::Storage.TaskManager.Task::"
            "(_setError) Unexpected error",
            level="error",
            message="Unexpected error",
            timestamp="2026-11-28T14:02:03.118000+00:00",
        ),
    ),
)

_JUL_LEVELS = ("SEVERE", "WARNING", "INFO", "CONFIG", "FINE", "FINER", "FINEST")


class JulFormat(RegexFormat):
    """java.util.logging's SimpleFormatter: the time and the source on one line, the level and
    the message on the next. The second line completes the record the first one opened (its
    level and message); a stack trace follows it."""

    def continuation_text(self, parsed: Parsed, line: str) -> str:
        return parsed.message


JUL = JulFormat(
    "jul",
    rf"^(?:{_JUL_STAMP} (?P<source>\S+(?: \S+)?)"
    rf"|(?P<level>{'|'.join(_JUL_LEVELS)}): (?! )(?P<message>.*))$",  # not uvicorn's `INFO:   `
    title="java.util.logging SimpleFormatter (Tomcat, plain Java)",
    levels={"CONFIG": "debug"},
    continuation_levels=frozenset(_JUL_LEVELS),
    priority=70,
    samples=(
        Sample(
            "Nov 28, 2026 2:02:03 PM org.apache.catalina.startup.HostConfig deployWAR",
            timestamp="2026-11-28T14:02:03+00:00",
            message="",
        ),
        Sample("SEVERE: Error deploying web application archive [/opt/shop.war]", level="error"),
    ),
)

LOGRUS_TEXT = RegexFormat(
    "logrus-text",
    # `INFO[0000] message  key=value`: seconds since start, or the time with FullTimestamp
    r"^(?P<level>PANI|FATA|ERRO|WARN|INFO|DEBU|TRAC)"
    rf"\[(?:{_LOGRUS_STAMP}|(?P<elapsed>\d+))\] (?P<message>.*)$",
    title="logrus text formatter (Go)",
    levels={
        "PANI": "fatal",
        "FATA": "fatal",
        "ERRO": "error",
        "WARN": "warning",
        "INFO": "info",
        "DEBU": "debug",
        "TRAC": "trace",
    },
    priority=70,
    samples=(
        Sample(
            "ERRO[2026-11-28T15:02:03+01:00] dial tcp 10.0.3.12:6379: i/o timeout         "
            "component=cart",
            level="error",
            timestamp="2026-11-28T14:02:03+00:00",
        ),
        Sample("WARN[0012] retrying in 2s                                   attempt=3", "warning"),
    ),
)

TORNADO = RegexFormat(
    "tornado",
    # `[%(levelname)1.1s %(asctime)s %(module)s:%(lineno)d] %(message)s`; Jupyter's own
    rf"^\[(?P<level>[DIWEC]) {_TORNADO_STAMP} (?P<logger>[^\]]+)\] (?P<message>.*)$",
    title="Tornado / Jupyter log",
    levels={"D": "debug", "I": "info", "W": "warning", "E": "error", "C": "critical"},
    priority=75,
    samples=(
        Sample(
            "[W 261128 14:02:03 web:2271] 404 GET /api/kernels/8812 (203.0.113.7) 1.23ms",
            level="warning",
            timestamp="2026-11-28T14:02:03+00:00",
        ),
        Sample(
            "[E 2026-11-28 14:02:03.118 ServerApp] Uncaught exception GET /api/sessions",
            level="error",
            message="Uncaught exception GET /api/sessions",
        ),
    ),
)

FORMATS: tuple[RegexFormat, ...] = (RUBY_LOGGER, PYTHON_COLONS, JUL, LOGRUS_TEXT, TORNADO)
