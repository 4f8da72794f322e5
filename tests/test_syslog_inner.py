"""Syslog lines whose message is an application's own log line: the record gets that line's
level, logger, message and fields, a sane time, and the lines of one trace joined."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from log_analyzer.ingest import open_paths
from log_analyzer.mining.groups import ErrorGrouper
from log_analyzer.records import Record

REQ = (
    "[req-3f0c2a9e-1b6d-4c1e-9a43-7d2e5b8f0c11 8a2d4c6e0f1a4b3c9d8e7f6a5b4c3d2e "
    "1b7e9c2a4d6f48b0a1c3e5f7092b4d6e - default default]"
)
INSTANCE = "[instance: 6a1e2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b]"
NOVA = (
    "Nov 19 10:01:02 compute-03 nova-compute[12345]: 2019-11-19 10:01:02.345 12345 ERROR "
    "nova.compute.manager"
)

SYSLOG = [
    "Nov 19 10:01:01 compute-03 systemd[1]: Started OpenStack Compute.",
    f"{NOVA} {REQ} {INSTANCE} Failed to build and run instance: TypeError: __init__() got an "
    "unexpected keyword argument 'bdms'",
    f"{NOVA} {INSTANCE} Traceback (most recent call last):",
    f'{NOVA} {INSTANCE}   File "/usr/lib/python3/dist-packages/nova/compute/manager.py", line '
    "2437, in _build_and_run_instance",
    f"{NOVA} {INSTANCE}     block_device_info=block_device_info)",
    f"{NOVA} {INSTANCE} TypeError: __init__() got an unexpected keyword argument 'bdms'",
    'Nov 19 10:01:03 web-1 cart[812]: {"level":"error","time":"2019-11-19T10:01:03.118Z",'
    '"msg":"redis GET timed out","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"}',
    "Nov 19 10:01:04 web-1 orders[913]: 2019-11-19 10:01:04.221 [main] ERROR "
    "c.e.orders.OrderSync - Sync failed after 3 attempts",
    "Nov 19 10:01:04 web-1 orders[913]: java.net.SocketTimeoutException: Read timed out",
    "Nov 19 10:01:04 web-1 orders[913]: #011at java.base/java.net.SocketInputStream.socketRead0"
    "(Native Method)",
    "Nov 19 10:01:04 web-1 orders[913]: #011at com.example.orders.OrderSync.run(OrderSync.java:57)",
    'Nov 19 10:01:05 web-1 api[77]: time="2019-11-19T10:01:05Z" level=warning msg="slow '
    'upstream" duration_ms=5123 request_id=9f1c2b7a',
    "Nov 19 10:01:06 web-1 payments[4242]: 2019-11-19 10:01:06,007 - payments.gateway - ERROR - "
    "Charge failed for order 8812#012Traceback (most recent call last):#012  File "
    '"/app/payments/gateway.py", line 88, in charge#012    resp.raise_for_status()#012'
    "requests.exceptions.HTTPError: 503 Server Error",
    "Nov 19 10:01:07 web-1 sshd[1234]: Accepted publickey for deploy from 203.0.113.7 port "
    "51234 ssh2",
]


def _read(tmp_path: Path, lines: list[str]) -> list[Record]:
    path = tmp_path / "syslog"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    mtime = datetime(2019, 11, 20, tzinfo=UTC).timestamp()
    os.utime(path, (mtime, mtime))
    return list(open_paths([str(path)]).records())


def test_inner_lines_give_level_logger_message_and_fields(tmp_path: Path) -> None:
    records = _read(tmp_path, SYSLOG)
    assert [(r.line, r.end_line) for r in records] == [
        (1, 1),
        (2, 6),
        (7, 7),
        (8, 11),
        (12, 12),
        (13, 13),
        (14, 14),
    ]
    assert [r.service for r in records] == [
        "systemd",
        "nova-compute",
        "cart",
        "orders",
        "api",
        "payments",
        "sshd",
    ]
    assert [r.level for r in records] == [None, "error", "error", "error", "warning", "error", None]

    nova = records[1]
    assert nova.message.split("\n")[0] == (
        f"{INSTANCE} Failed to build and run instance: TypeError: __init__() got an unexpected "
        "keyword argument 'bdms'"
    )
    assert nova.message.split("\n")[-1].startswith("TypeError: __init__()")
    assert nova.fields is not None
    assert nova.fields["logger"] == "nova.compute.manager"
    assert nova.fields["request_id"] == "req-3f0c2a9e-1b6d-4c1e-9a43-7d2e5b8f0c11"
    assert (nova.fields["host"], nova.fields["pid"]) == ("compute-03", "12345")
    # both stamps are wall clocks; the inner one has the year and the milliseconds
    assert nova.timestamp == datetime(2019, 11, 19, 10, 1, 2, 345000, tzinfo=UTC)

    cart = records[2]
    assert cart.message == "redis GET timed out"
    assert cart.fields == {
        "host": "web-1",
        "pid": "812",
        "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736",
    }
    assert cart.timestamp == datetime(2019, 11, 19, 10, 1, 3, 118000, tzinfo=UTC)

    orders = records[3]
    assert orders.message.split("\n") == [
        "Sync failed after 3 attempts",
        "java.net.SocketTimeoutException: Read timed out",
        "\tat java.base/java.net.SocketInputStream.socketRead0(Native Method)",
        "\tat com.example.orders.OrderSync.run(OrderSync.java:57)",
    ]
    assert orders.fields is not None and orders.fields["logger"] == "c.e.orders.OrderSync"

    api = records[4]
    assert (api.message, api.fields) == (
        "slow upstream",
        {"host": "web-1", "pid": "77", "duration_ms": "5123", "request_id": "9f1c2b7a"},
    )

    payments = records[5]  # rsyslog's `#012`: Python's SysLogHandler sent one message
    assert payments.message.split("\n")[0] == "Charge failed for order 8812"
    assert payments.message.split("\n")[-1] == "requests.exceptions.HTTPError: 503 Server Error"


def test_errors_of_wrapped_lines_are_labelled_by_their_exception(tmp_path: Path) -> None:
    labels = {group.label for group in ErrorGrouper().add_all(_read(tmp_path, SYSLOG)).groups()}
    assert "manager TypeError" in labels
    assert "OrderSync SocketTimeoutException" in labels
    assert "gateway HTTPError" in labels


def test_escaped_newlines_of_a_plain_message(tmp_path: Path) -> None:
    records = _read(
        tmp_path,
        [
            "Nov 19 10:01:08 web-1 backup[51]: dump failed#012pg_dump: error: connection to "
            'server at "10.0.4.7", port 5432 failed#011(timeout)',
            "Nov 19 10:01:09 web-1 backup[51]: #012starts with an escaped newline",
        ],
    )
    assert [r.message for r in records] == [
        'dump failed\npg_dump: error: connection to server at "10.0.4.7", port 5432 failed\t'
        "(timeout)",
        "starts with an escaped newline",
    ]


def test_a_trace_line_of_another_process_starts_its_own_record(tmp_path: Path) -> None:
    records = _read(
        tmp_path,
        [
            "Nov 19 10:01:04 web-1 orders[913]: 2019-11-19 10:01:04.221 [main] ERROR "
            "c.e.orders.OrderSync - Sync failed after 3 attempts",
            "Nov 19 10:01:04 web-1 billing[977]: #011at com.example.billing.Run.main(Run.java:9)",
            "Nov 19 10:01:04 web-2 orders[913]: #011at com.example.orders.Main.main(Main.java:5)",
        ],
    )
    assert [(r.line, r.end_line) for r in records] == [(1, 1), (2, 2), (3, 3)]


def test_a_message_indented_by_its_writer_is_not_a_continuation(tmp_path: Path) -> None:
    path = tmp_path / "rfc5424.log"
    path.write_text(
        "<15>1 2021-03-06T04:07:38.251122+00:00 hostname log_tag - 123 -  this is debug\n"
        "<14>1 2021-03-06T04:07:38.251280+00:00 hostname log_tag - - -  this is info\n",
        encoding="utf-8",
    )
    records = list(open_paths([str(path)]).records())
    assert [r.line for r in records] == [1, 2]


def test_journal_iso_keeps_its_instant_over_a_zone_less_inner_stamp(tmp_path: Path) -> None:
    path = tmp_path / "journal.log"
    path.write_text(
        "2026-11-28T14:02:03.118+0100 web-1 orders[913]: 2026-11-28 14:02:03.117 [main] ERROR "
        "c.e.orders.OrderSync - Sync failed after 3 attempts\n"
        '2026-11-28T14:02:04+0100 web-1 cart[812]: {"level":"warn","time":'
        '"2026-11-28T13:02:03.900Z","msg":"slow"}\n',
        encoding="utf-8",
    )
    first, second = open_paths([str(path)]).records()
    assert first.level == "error" and first.message == "Sync failed after 3 attempts"
    assert first.timestamp == datetime(2026, 11, 28, 13, 2, 3, 118000, tzinfo=UTC)
    assert second.timestamp == datetime(2026, 11, 28, 13, 2, 3, 900000, tzinfo=UTC)
