"""oslo.log (OpenStack): an exception's traceback, written one line at a time with the header
repeated, is one record with the message line first, and one error group labelled by its
exception."""

from __future__ import annotations

from pathlib import Path

from log_analyzer.formats.oslo import OPENSTACK
from log_analyzer.ingest import ParseOptions, open_paths
from log_analyzer.mining.groups import ErrorGrouper
from log_analyzer.records import Record
from log_analyzer.timestamps import Clock

REQ = (
    "[req-3f0c2a9e-1b6d-4c1e-9a43-7d2e5b8f0c11 8a2d4c6e0f1a4b3c9d8e7f6a5b4c3d2e "
    "1b7e9c2a4d6f48b0a1c3e5f7092b4d6e - default default]"
)
INSTANCE = "[instance: 6a1e2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b]"
NOVA = "2019-11-19 10:01:02.345 12345 ERROR nova.compute.manager"
RPC = "2019-11-19 10:01:05.678 2345 ERROR oslo_messaging.rpc.server"

NOVA_COMPUTE = [
    f"2019-11-19 10:01:01.112 12345 INFO nova.compute.claims {REQ} {INSTANCE} Claim successful "
    "on node compute-03",
    f"{NOVA} {REQ} {INSTANCE} Failed to build and run instance: TypeError: __init__() got an "
    "unexpected keyword argument 'bdms'",
    f"{NOVA} {INSTANCE} Traceback (most recent call last):",
    f'{NOVA} {INSTANCE}   File "/usr/lib/python3/dist-packages/nova/compute/manager.py", line '
    "2437, in _build_and_run_instance",
    f"{NOVA} {INSTANCE}     block_device_info=block_device_info)",
    f'{NOVA} {INSTANCE}   File "/usr/lib/python3/dist-packages/nova/virt/libvirt/driver.py", '
    "line 3541, in spawn",
    f"{NOVA} {INSTANCE}     mdevs=mdevs)",
    f"{NOVA} {INSTANCE} TypeError: __init__() got an unexpected keyword argument 'bdms'",
    f"{NOVA} {INSTANCE} ",
    f"2019-11-19 10:01:02.401 12345 INFO nova.compute.manager {REQ} {INSTANCE} Terminating "
    "instance",
    f"{RPC} [req-0c7f1d2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f 8a2d4c6e0f1a4b3c9d8e7f6a5b4c3d2e "
    "1b7e9c2a4d6f48b0a1c3e5f7092b4d6e - default default] Exception during message handling: "
    "oslo_db.exception.DBConnectionError: (pymysql.err.OperationalError) (2013, 'Lost "
    "connection to MySQL server during query')",
    f"{RPC} Traceback (most recent call last):",
    f'{RPC}   File "/usr/lib/python3/dist-packages/oslo_db/sqlalchemy/engines.py", line 73, in '
    "_connect_ping_listener",
    f"{RPC}     connection.scalar(select([1]))",
    f"{RPC} pymysql.err.OperationalError: (2013, 'Lost connection to MySQL server during query')",
    f"{RPC} ",
    f"{RPC} During handling of the above exception, another exception occurred:",
    f"{RPC} ",
    f"{RPC} Traceback (most recent call last):",
    f'{RPC}   File "/usr/lib/python3/dist-packages/oslo_messaging/rpc/server.py", line 165, in '
    "_process_incoming",
    f"{RPC}     res = self.dispatcher.dispatch(message)",
    f"{RPC} oslo_db.exception.DBConnectionError: (pymysql.err.OperationalError) (2013, 'Lost "
    "connection to MySQL server during query')",
    f"{RPC} ",
    "2019-11-19 10:01:06.002 2345 WARNING oslo_messaging.rpc.server [-] Retrying connection to "
    "MySQL in 2 seconds",
]


def _read(tmp_path: Path, lines: list[str], options: ParseOptions | None = None) -> list[Record]:
    path = tmp_path / "nova-compute.log"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return list(open_paths([str(path)], options).records())


def test_a_traceback_is_one_record_of_the_line_that_reported_it(tmp_path: Path) -> None:
    records = _read(tmp_path, NOVA_COMPUTE)
    assert [(r.line, r.end_line, r.level) for r in records] == [
        (1, 1, "info"),
        (2, 9, "error"),
        (10, 10, "info"),
        (11, 23, "error"),
        (24, 24, "warning"),
    ]
    failed = records[1]
    assert failed.message.split("\n") == [
        f"{INSTANCE} Failed to build and run instance: TypeError: __init__() got an unexpected "
        "keyword argument 'bdms'",
        "Traceback (most recent call last):",
        '  File "/usr/lib/python3/dist-packages/nova/compute/manager.py", line 2437, in '
        "_build_and_run_instance",
        "    block_device_info=block_device_info)",
        '  File "/usr/lib/python3/dist-packages/nova/virt/libvirt/driver.py", line 3541, in spawn',
        "    mdevs=mdevs)",
        "TypeError: __init__() got an unexpected keyword argument 'bdms'",
    ]
    assert failed.fields is not None
    assert failed.fields["request_id"] == "req-3f0c2a9e-1b6d-4c1e-9a43-7d2e5b8f0c11"
    assert failed.fields["logger"] == "nova.compute.manager"
    chained = records[3].message.split("\n")
    assert chained[0].startswith("Exception during message handling: oslo_db.exception")
    assert "During handling of the above exception, another exception occurred:" in chained
    assert chained[-1].startswith("oslo_db.exception.DBConnectionError: ")


def test_each_traceback_is_one_error_group_labelled_by_its_exception(tmp_path: Path) -> None:
    groups = ErrorGrouper().add_all(_read(tmp_path, NOVA_COMPUTE)).groups()
    errors = [group for group in groups if group.level == "error"]
    assert len(errors) == 2
    labels = {group.label for group in errors}
    assert "manager TypeError" in labels
    assert any("OperationalError" in label or "DBConnectionError" in label for label in labels)
    assert all("Traceback" not in label and "File" not in label for label in labels)


def test_old_releases_wrote_traceback_lines_at_level_trace(tmp_path: Path) -> None:
    head = "2015-03-11 09:14:27.702 4242 TRACE neutron.agent.dhcp.agent"
    records = _read(
        tmp_path,
        [
            "2015-03-11 09:14:27.702 4242 ERROR neutron.agent.dhcp.agent [-] Unable to sync "
            "network state.",
            f"{head} Traceback (most recent call last):",
            f'{head}   File "/usr/lib/python2.7/dist-packages/neutron/agent/dhcp/agent.py", line '
            "163, in sync_state",
            f"{head}     active_networks = self.plugin_rpc.get_active_networks_info()",
            f"{head} MessagingTimeout: Timed out waiting for a reply to message ID "
            "5b5a3b9e1a0c4a8f9d6e2c1b0a9f8e7d",
            "2015-03-11 09:14:28.011 4242 INFO neutron.agent.dhcp.agent [-] Synchronizing state",
        ],
    )
    assert [(r.line, r.end_line) for r in records] == [(1, 5), (6, 6)]
    assert records[0].level == "error"
    assert records[0].message.endswith(
        "MessagingTimeout: Timed out waiting for a reply to "
        "message ID 5b5a3b9e1a0c4a8f9d6e2c1b0a9f8e7d"
    )


def test_another_process_or_logger_does_not_continue_a_traceback(tmp_path: Path) -> None:
    records = _read(
        tmp_path,
        [
            f"{NOVA} {REQ} {INSTANCE} Instance failed to spawn",
            f"{NOVA} {INSTANCE} Traceback (most recent call last):",
            # another worker's line with no request context (its own traceback, cut short)
            "2019-11-19 10:01:02.346 12399 ERROR nova.compute.manager ValueError: bad image",
            "2019-11-19 10:01:02.346 12345 ERROR nova.virt.libvirt.driver Traceback (most "
            "recent call last):",
        ],
    )
    assert [(r.line, r.end_line) for r in records] == [(1, 2), (3, 3), (4, 4)]


def test_records_below_the_level_kept_are_counted_with_their_traceback(tmp_path: Path) -> None:
    path = tmp_path / "nova-compute.log"
    path.write_text("\n".join(NOVA_COMPUTE) + "\n", encoding="utf-8")
    workspace = open_paths([str(path)], ParseOptions(keep_level="critical"))
    assert list(workspace.records()) == []
    assert workspace.stats[0].records == 5  # not one per traceback line


def test_a_file_is_never_cut_inside_a_traceback() -> None:
    """Without the record before (where the parallel path cuts a file), every traceback line
    still reads as a continuation, and every other line as a record start."""
    clock = Clock()
    starts = []
    for line in NOVA_COMPUTE:
        parsed = OPENSTACK.parse(line, clock)
        assert parsed is not None
        starts.append(not OPENSTACK.joins_previous(parsed))
    assert [number for number, start in enumerate(starts, 1) if start] == [1, 2, 10, 11, 24]
