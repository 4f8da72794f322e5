"""Reading real logs right, class by class: where records start and end (headers, stray lines
among JSON lines, container envelopes, stack traces of two streams, trailers that time the
record they close), the year of year-less stamps, header-declared columns, and the generic
reader's header region. Every line here is written in the default format of its software."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

from log_analyzer.formats.fallback import GENERIC
from log_analyzer.ingest import ParseOptions, open_paths
from log_analyzer.records import Record
from log_analyzer.timestamps import Clock

# every file's mtime: a year none of the lines states
MTIME = datetime(2031, 6, 1, 12, 0, tzinfo=UTC).timestamp()


def _read(tmp_path: Path, name: str, text: str) -> tuple[list[Record], str, int]:
    """Records, detected format and unparsed count of a file holding `text`."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    os.utime(path, (MTIME, MTIME))
    workspace = open_paths([str(path)], ParseOptions())
    records = list(workspace.records())
    stats = workspace.stats[0]
    return records, stats.format, stats.unparsed


def _starts(records: list[Record]) -> list[tuple[int, int]]:
    return [(r.line, r.end_line) for r in records]


# -- boundaries ---------------------------------------------------------------------------


IIS = (
    "#Software: Microsoft Internet Information Services 10.0\n"
    "#Version: 1.0\n"
    "#Date: 2026-11-28 14:00:00\n"
    "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip "
    "cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n"
    "2026-11-28 14:02:03 10.0.0.5 POST /api/checkout - 443 - 203.0.113.7 "
    "Mozilla/5.0+(Windows+NT+10.0) https://shop.example.com/cart 500 0 0 5012\n"
    "2026-11-28 14:02:04 10.0.0.5 GET /robots.txt - 443 - 66.249.66.1 "
    "Mozilla/5.0+(compatible;+Googlebot/2.1) - 404 0 2 15\n"
    "#Software: Microsoft Internet Information Services 10.0\n"
    "#Version: 1.0\n"
    "#Date: 2026-11-28 15:00:00\n"
    "#Fields: date time c-ip cs-method cs-uri-stem sc-status time-taken\n"
    "2026-11-28 15:00:01 203.0.113.9 GET /cart 200 31\n"
)


def test_w3c_headers_are_records_of_their_own_and_name_the_columns(tmp_path: Path) -> None:
    records, detected, unparsed = _read(tmp_path, "u_ex261128.log", IIS)
    assert detected == "w3c"
    assert _starts(records) == [(n, n) for n in range(1, 12)]  # nothing glued to a request
    headers = [r for r in records if r.message.startswith("#")]
    assert len(headers) == 8
    assert all(r.timestamp is None and r.level is None for r in headers)
    requests = [r for r in records if not r.message.startswith("#")]
    assert [(r.line, r.level) for r in requests] == [(5, "error"), (6, "warning"), (11, "info")]
    assert requests[0].timestamp == datetime(2026, 11, 28, 14, 2, 3, tzinfo=UTC)
    assert requests[0].fields is not None and requests[0].fields["status"] == 500
    # the second block declares other columns: its row is read by them
    assert requests[2].fields == {
        "status": 200,
        "method": "GET",
        "path": "/cart",
        "client": ("203.0.113.9"),
        "duration": "31",
    }
    assert unparsed == 0


def test_zeek_rows_take_their_level_from_the_status_column(tmp_path: Path) -> None:
    header = "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tmethod\thost\turi"
    header += "\tstatus_code\tstatus_msg"
    rows = [
        "1795874523.118442\tCHhAvVGS1DHFjwGM9\t10.0.0.7\t51234\t93.184.216.34\t80\tGET\t"
        "shop.example.com\t/cart\t502\tBad Gateway",
        "1795874524.000001\tC3Pd1x2Yd6pl3Wq9Lb\t10.0.0.7\t51236\t93.184.216.34\t80\tGET\t"
        "shop.example.com\t/\t200\tOK",
    ]
    text = "#separator \\x09\n#path\thttp\n" + header + "\n"
    text += "".join(row + "\n" for row in rows) + "#close\t2026-11-28-15-00-00\n"
    records, detected, _ = _read(tmp_path, "http.log", text)
    assert detected == "zeek"
    assert [(r.line, r.level) for r in records if r.timestamp] == [(4, "error"), (5, "info")]
    assert records[3].message.startswith("CHhAvVGS1DHFjwGM9\t10.0.0.7")
    assert records[-1].message.startswith("#close") and records[-1].timestamp is None


def test_a_stray_line_among_json_lines_is_a_record_of_its_own(tmp_path: Path) -> None:
    text = (
        "# bunyan output, captured by the init script\n"
        '{"name":"cart-api","hostname":"cart-7d9f","pid":18,"level":30,"msg":"listening",'
        '"time":"2026-11-28T14:02:03.118Z","v":0}\n'
        "npm WARN config production Use `--omit=dev` instead.\n"
        '{"name":"cart-api","hostname":"cart-7d9f","pid":18,"level":55,"msg":"redis down",'
        '"time":"2026-11-28T14:02:04.118Z","v":0}\n'
        '{"job":"warmup","entries":812}\n'
        '{"name":"cart-api","hostname":"cart-7d9f","pid":18,"level":40,"msg":"retrying",'
        '"time":"2026-11-28T14:02:05.118Z","v":0}\n'
        '{"name":"cart-api","hostname":"cart-7d9f","pid":18,"level":30,"msg":"reconnected",'
        '"time":"2026-11-28T14:02:06.118Z","v":0}\n'
    )
    records, detected, _ = _read(tmp_path, "cart.log", text)
    assert detected == "json"  # one object is no bunyan record: the reader of any JSON
    assert _starts(records) == [(n, n) for n in range(1, 8)]
    assert (records[0].timestamp, records[0].level) == (None, None)  # the comment
    assert records[2].message.startswith("npm WARN") and records[2].timestamp is None
    assert records[3].level == "error"  # bunyan's 55: the highest named level not above it
    assert records[4].message == '{"job":"warmup","entries":812}'  # no message key: the line


def test_old_redis_lines_are_records_of_their_own(tmp_path: Path) -> None:
    text = (
        "1:M 28 Nov 2026 14:02:03.118 * Background saving started by pid 4242\n"
        "28 Nov 14:02:04 . 12 clients connected (0 slaves), 1032816 bytes in use\n"
        "[812] 28 Nov 14:02:05 # Can't save in background: fork: Cannot allocate memory\n"
    )
    records, detected, _ = _read(tmp_path, "redis.log", text)
    assert detected == "redis"
    assert [(r.line, r.level) for r in records] == [(1, "notice"), (2, "debug"), (3, "warning")]
    # the first line states 2026: its year-less neighbours take it, not the mtime's
    assert records[2].timestamp == datetime(2026, 11, 28, 14, 2, 5, tzinfo=UTC)


def test_envelope_entries_are_never_glued_to_the_record_before(tmp_path: Path) -> None:
    # a daemon's own lines, stamped by `kubectl logs --timestamps`: one record each, however
    # close together, but the frames of a stack trace still join the line they follow
    lines = [
        '2026-11-28T14:02:03.118442001Z time="2026-11-28T14:02:03Z" level=error msg="sync '
        'failed" component=ledger',
    ]
    lines += [f"2026-11-28T14:02:03.{n:06d}001Z worker {n} picked up batch {n}" for n in range(50)]
    lines += [
        '2026-11-28T14:02:04.000000001Z Exception in thread "main" java.lang.IllegalStateEx'
        "ception: ledger closed",
        "2026-11-28T14:02:04.000000002Z \tat com.example.Ledger.append(Ledger.java:88)",
    ]
    records, detected, unparsed = _read(tmp_path, "ledger.log", "\n".join(lines) + "\n")
    assert detected == "kubectl+logfmt"
    assert len(records) == 52
    assert max(len(r.message) for r in records) < 200
    assert _starts(records)[-1] == (52, 53)
    assert unparsed == 0  # the envelope read every entry: its time, if nothing else


def test_a_stack_trace_joins_the_line_of_its_own_stream_only(tmp_path: Path) -> None:
    text = (
        "2026-11-28T14:02:03.118442001Z stdout F 2026-11-28 14:02:03,118 - shop.orders - ERROR"
        " - Order 8812 failed\n"
        "2026-11-28T14:02:03.118442002Z stderr F \tat java.base/java.lang.Thread.run(Thread"
        ".java:840)\n"
        "2026-11-28T14:02:03.118442003Z stdout F Traceback (most recent call last):\n"
        '2026-11-28T14:02:03.118442004Z stdout F   File "/app/orders.py", line 88, in charge\n'
    )
    records, detected, _ = _read(tmp_path, "orders.log", text)
    assert detected == "cri+python"
    assert _starts(records) == [(1, 1), (2, 2), (3, 4)]


def test_docker_json_entries_of_plain_text_are_not_unparsed(tmp_path: Path) -> None:
    entries = [
        ("2026-11-28T14:02:03.118442Z", "stdout", "Listening on :8080\n"),
        ("2026-11-28T14:02:04.2Z", "stderr", "connection from 10.0.0.7 reset\n"),
    ]
    text = "".join(
        json.dumps({"log": log, "stream": stream, "time": when}) + "\n"
        for when, stream, log in entries
    )
    records, detected, unparsed = _read(tmp_path, "container-json.log", text)
    assert detected == "docker-json"
    assert [r.timestamp for r in records] == [
        datetime(2026, 11, 28, 14, 2, 3, 118442, tzinfo=UTC),
        datetime(2026, 11, 28, 14, 2, 4, 200000, tzinfo=UTC),
    ]
    assert unparsed == 0


def test_compose_prefix_names_the_service_and_the_inner_line_is_read(tmp_path: Path) -> None:
    text = (
        'caddy-1  | {"level":"error","ts":1795874523.118442,"logger":"http.log.error","msg":'
        '"dial tcp 10.0.3.12:8080: connect: connection refused"}\n'
        "db-1     | 2026-11-28 14:02:04.002 UTC [812] FATAL:  sorry, too many clients already\n"
        'caddy-1  | {"level":"info","ts":1795874525.0,"msg":"handled request"}\n'
    )
    records, detected, _ = _read(tmp_path, "compose.log", text)
    assert detected == "compose+zap"
    assert [(r.service, r.level) for r in records] == [
        ("caddy", "error"),
        ("db", "fatal"),
        ("caddy", "info"),
    ]
    assert records[0].timestamp == datetime(2026, 11, 28, 14, 2, 3, 118442, tzinfo=UTC)
    assert records[1].message == "sorry, too many clients already"


def test_a_trailer_times_the_record_it_closes(tmp_path: Path) -> None:
    text = (
        '<![LOG[Policy refresh requested]LOG]!><time="14:02:03.1180000" date="11-28-2026" '
        'component="PolicyAgent" context="" type="1" thread="812" file="">\n'
        "<![LOG[Raising event:\n"
        "instance of CCM_PolicyAgent_PolicyDownloadFailed\n"
        "{\n"
        '\tPolicyNamespace = "\\\\\\\\.\\\\root\\\\ccm\\\\policy";\n'
        "};\n"
        ']LOG]!><time="14:02:04.2500000-060" date="11-28-2026" component="PolicyAgent" '
        'context="" type="3" thread="812" file="event.cpp:729">\n'
        '<![LOG[Done]LOG]!><time="14:02:05.0000000" date="11-28-2026" component="PolicyAgent" '
        'context="" type="1" thread="812" file="">\n'
    )
    records, detected, _ = _read(tmp_path, "PolicyAgent.log", text)
    assert detected == "cmtrace"
    assert _starts(records) == [(1, 1), (2, 7), (8, 8)]
    raised = records[1]
    assert raised.level == "error"
    assert raised.timestamp == datetime(2026, 11, 28, 13, 2, 4, 250000, tzinfo=UTC)  # bias -60
    assert "CCM_PolicyAgent_PolicyDownloadFailed" in raised.message
    assert "]LOG]" not in raised.message


def test_logcat_buffer_markers_are_not_part_of_a_record(tmp_path: Path) -> None:
    text = (
        "--------- beginning of main\n"
        "11-28 14:02:03.118  1534  1901 W ActivityManager: Slow operation: 212ms\n"
        "--------- beginning of crash\n"
        "2026-11-28 14:02:04.002 +0000  2210  2210 E AndroidRuntime: FATAL EXCEPTION: main\n"
    )
    records, detected, _ = _read(tmp_path, "logcat.txt", text)
    assert detected == "android-logcat"
    assert _starts(records) == [(1, 1), (2, 2), (3, 3), (4, 4)]
    assert [r.level for r in records] == [None, "warning", None, "error"]
    # the year-less line takes the year the log states further on, not the mtime's
    assert records[1].timestamp == datetime(2026, 11, 28, 14, 2, 3, 118000, tzinfo=UTC)


# -- years ----------------------------------------------------------------------------------


def test_year_less_syslog_lines_take_the_nearest_year_a_record_states(tmp_path: Path) -> None:
    text = (
        "Feb 25 16:19:38 lb-1 haproxy[1]: Proxy http-in started.\n"
        "Feb 25 16:19:49 lb-1 haproxy[7]: 203.0.113.7:53332 [25/Feb/2019:16:19:48.143] http-in "
        'web_be/web-1 0/0/7/1457/1487 200 11394 - - ---- 2/1/0/0/0 0/0 "GET / HTTP/1.1"\n'
        "Feb 25 16:20:15 lb-1 haproxy[7]: 203.0.113.9:56224 [25/Feb/2019:16:20:10.111] "
        "http-in/1: SSL handshake failure\n"
    )
    records, detected, _ = _read(tmp_path, "haproxy.log", text)
    assert detected == "haproxy"
    assert [r.timestamp.year if r.timestamp else None for r in records] == [2019, 2019, 2019]
    assert records[0].timestamp == datetime(2019, 2, 25, 16, 19, 38, tzinfo=UTC)


def test_a_year_less_file_still_takes_its_modification_year(tmp_path: Path) -> None:
    text = "Mar 27 13:06:56 web-1 sshd[1291]: error: maximum authentication attempts exceeded\n"
    records, _, _ = _read(tmp_path, "auth.log", text)
    (record,) = records
    assert record.timestamp == datetime(2031, 3, 27, 13, 6, 56, tzinfo=UTC)
    assert record.level == "error"  # sshd's `error:` prefix


def test_stated_years_are_remembered_per_source_not_across_sources(tmp_path: Path) -> None:
    stated = tmp_path / "app.log"
    stated.write_text("2019-02-25 16:19:38,001 ERROR [main] c.e.App: boom\n", encoding="utf-8")
    year_less = tmp_path / "syslog"
    year_less.write_text("Feb 25 16:19:39 web-1 cron[812]: job started\n", encoding="utf-8")
    for path in (stated, year_less):
        os.utime(path, (MTIME, MTIME))
    records = list(open_paths([str(stated), str(year_less)], ParseOptions()).records())
    assert [r.timestamp.year if r.timestamp else None for r in records] == [2019, 2031]


# -- the generic reader's header region --------------------------------------------------------


def test_the_zone_reader_never_takes_the_next_token() -> None:
    line = "2026-11-28T14:02:03,118 INFO [main ] OrderApplication : Started in 9.4 seconds"
    parsed = GENERIC.parse(line, Clock())
    assert parsed is not None
    assert parsed.level == "info"
    assert parsed.message.startswith("[main ] OrderApplication")
    zoned = GENERIC.parse("2026-11-28 14:02:03 CEST WARN disk 91% full", Clock())
    assert zoned is not None and zoned.level == "warning"
    assert zoned.timestamp == datetime(2026, 11, 28, 12, 2, 3, tzinfo=UTC)


def test_level_words_inside_messages_are_not_header_levels() -> None:
    parsed = GENERIC.parse("2026-11-28 14:02:03 I am retrying the info request", Clock())
    assert parsed is not None and parsed.level is None
    assert parsed.message == "I am retrying the info request"
    hyphen = GENERIC.parse("2026-11-28 14:02:03 warning-free build finished", Clock())
    assert hyphen is not None and hyphen.level is None
    assert GENERIC.parse("14:02:03 standup notes", Clock()) is None  # a bare time of day


def test_colour_codes_in_a_plain_file_do_not_hide_the_level(tmp_path: Path) -> None:
    esc = "\x1b"
    text = (
        f"{esc}[32m2026-11-28 14:02:03.118{esc}[0m | {esc}[31m{esc}[1mERROR   {esc}[0m | "
        f"{esc}[36mshop.orders{esc}[0m:{esc}[36mcharge{esc}[0m:{esc}[36m88{esc}[0m - "
        f"{esc}[31m{esc}[1mCharge failed for order 8812{esc}[0m\n"
    )
    records, _, _ = _read(tmp_path, "orders.log", text)
    (record,) = records
    assert record.level == "error"
    assert record.message == "shop.orders:charge:88 - Charge failed for order 8812"


def test_java_util_logging_records_take_their_level_from_the_second_line(tmp_path: Path) -> None:
    text = (
        "Nov 28, 2026 2:02:03 PM org.apache.catalina.core.StandardWrapperValve invoke\n"
        "SEVERE: Servlet.service() for servlet [dispatcher] threw exception\n"
        "java.lang.IllegalStateException: pool exhausted\n"
        "\tat com.example.shop.Pool.take(Pool.java:88)\n"
        "Nov 28, 2026 2:02:04 PM org.apache.catalina.startup.HostConfig deployWAR\n"
        "INFO: Deploying web application archive [/opt/tomcat/webapps/shop.war]\n"
    )
    records, detected, _ = _read(tmp_path, "catalina.out", text)
    assert detected == "jul"
    assert _starts(records) == [(1, 4), (5, 6)]
    assert [r.level for r in records] == ["error", "info"]
    assert records[0].timestamp == datetime(2026, 11, 28, 14, 2, 3, tzinfo=UTC)
    assert records[0].message.startswith("Servlet.service() for servlet [dispatcher]")
    assert records[0].fields is not None
    assert records[0].fields["source"] == "org.apache.catalina.core.StandardWrapperValve invoke"


def test_a_mysql_slow_log_entry_is_one_record_timed_by_its_header(tmp_path: Path) -> None:
    text = (
        "/usr/sbin/mysqld, Version: 8.0.36 (MySQL Community Server - GPL). started with:\n"
        "Tcp port: 3306  Unix socket: /var/run/mysqld/mysqld.sock\n"
        "Time                 Id Command    Argument\n"
        "# Time: 2026-11-28T14:02:03.118442Z\n"
        "# User@Host: shop[shop] @ localhost []  Id:    12\n"
        "# Query_time: 5.012119  Lock_time: 0.000120 Rows_sent: 1  Rows_examined: 1048576\n"
        "SET timestamp=1795874523;\n"
        "SELECT * FROM orders WHERE note LIKE '%gift%';\n"
        "# User@Host: shop[shop] @ localhost []  Id:    14\n"
        "# Query_time: 2.000310  Lock_time: 0.000088 Rows_sent: 0  Rows_examined: 524288\n"
        "SET timestamp=1795874524;\n"
        "DELETE FROM carts WHERE updated_at < NOW() - INTERVAL 30 DAY;\n"
    )
    records, detected, _ = _read(tmp_path, "mysql-slow.log", text)
    assert detected == "mysql-slow"
    entries = [r for r in records if r.line >= 4]
    assert _starts(entries) == [(4, 8), (9, 12)]
    assert entries[0].timestamp == datetime(2026, 11, 28, 14, 2, 3, 118442, tzinfo=UTC)
    # no `# Time:` line: the entry is timed by its `SET timestamp=`
    assert entries[1].timestamp == datetime(2026, 11, 28, 14, 2, 4, tzinfo=UTC)
    assert "DELETE FROM carts" in entries[1].message
