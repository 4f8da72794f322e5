"""Lines inside container runtime envelopes (Docker json-file, containerd/CRI, kubectl
--timestamps): the record gets the inner line's level, logger, message and fields, the
envelope's stream, a sane time, and the lines of one multi-line record joined."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from log_analyzer.formats.base import Parsed
from log_analyzer.formats.envelopes import (
    CriEnvelope,
    DockerJsonEnvelope,
    KubectlEnvelope,
    Unwrapped,
    plain_text,
    record_time,
    unwrap_lines,
)
from log_analyzer.ingest import ParseOptions, open_paths
from log_analyzer.mining.groups import ErrorGrouper
from log_analyzer.records import Record
from log_analyzer.timestamps import Clock


def _docker(entries: list[tuple[str, str, str]]) -> str:
    """json-file lines as dockerd writes them: `log` with its newline, `stream`, `time`."""
    return "".join(
        json.dumps({"log": text, "stream": stream, "time": when}, separators=(",", ":")) + "\n"
        for when, stream, text in entries
    )


def _read(tmp_path: Path, name: str, text: str) -> tuple[list[Record], str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    workspace = open_paths([str(path)], ParseOptions())
    records = list(workspace.records())
    return records, workspace.stats[0].format


SEAT = "c.s.s.c.SeatController                  "

SPRING_IN_DOCKER = _docker(
    [
        (
            "2022-05-31T07:50:51.001234567Z",
            "stdout",
            "2022-05-31 07:50:51.001  INFO 1 --- [           main] c.s.s.SeatServiceApplication"
            "             : Started SeatServiceApplication in 6.212 seconds (JVM running for "
            "7.104)\n",
        ),
        (
            "2022-05-31T07:50:52.123456789Z",
            "stdout",
            f"2022-05-31 07:50:52.123 ERROR 1 --- [nio-8080-exec-3] {SEAT}: [TraceID: "
            "7ed6a1b2c3d4e5f6 SpanID: 91bc2d3e4f5a6b7c] Seat reservation failed for order 8812\n",
        ),
        (
            "2022-05-31T07:50:52.124001000Z",
            "stdout",
            "java.lang.IllegalStateException: seat 14C is already taken\n",
        ),
        (
            "2022-05-31T07:50:52.124002000Z",
            "stdout",
            "\tat com.ts.seat.service.SeatServiceImpl.reserve(SeatServiceImpl.java:88)\n",
        ),
        (
            "2022-05-31T07:50:52.124003000Z",
            "stdout",
            "\tat com.ts.seat.controller.SeatController.reserve(SeatController.java:41)\n",
        ),
        ("2022-05-31T07:50:52.124004000Z", "stdout", "\t... 48 common frames omitted\n"),
        (
            "2022-05-31T07:50:53.500456789Z",
            "stdout",
            f"2022-05-31 07:50:53.500 ERROR 1 --- [nio-8080-exec-5] {SEAT}: [TraceID: "
            "0a1b2c3d4e5f6a7b SpanID: 11223344aabbccdd] Seat reservation failed for order 8813\n",
        ),
        (
            "2022-05-31T07:50:53.501001000Z",
            "stdout",
            "java.lang.IllegalStateException: seat 2A is already taken\n",
        ),
        (
            "2022-05-31T07:50:53.501002000Z",
            "stdout",
            "\tat com.ts.seat.service.SeatServiceImpl.reserve(SeatServiceImpl.java:88)\n",
        ),
    ]
)


def test_spring_boot_in_docker_json_gets_the_inner_fields_and_joins_its_stack_trace(
    tmp_path: Path,
) -> None:
    records, detected = _read(tmp_path, "ts-seat-service.log", SPRING_IN_DOCKER)
    assert detected == "docker-json+spring-boot"
    assert [(r.line, r.end_line) for r in records] == [(1, 1), (2, 6), (7, 9)]
    failed = records[1]
    assert failed.level == "error"
    assert failed.message.split("\n")[0] == "Seat reservation failed for order 8812"
    assert (
        failed.message.split("\n")[1]
        == "java.lang.IllegalStateException: seat 14C is already taken"
    )
    assert failed.fields == {
        "pid": "1",
        "thread": "nio-8080-exec-3",
        "logger": "c.s.s.c.SeatController",
        "trace_id": "7ed6a1b2c3d4e5f6",
        "span_id": "91bc2d3e4f5a6b7c",
        "stream": "stdout",
    }
    # Spring Boot's stamp has no zone: the envelope's instant
    assert failed.timestamp == datetime(2022, 5, 31, 7, 50, 52, 123456, tzinfo=UTC)


def test_requests_with_other_trace_ids_are_one_error_group_labelled_by_the_failure(
    tmp_path: Path,
) -> None:
    records, _ = _read(tmp_path, "ts-seat-service.log", SPRING_IN_DOCKER)
    groups = ErrorGrouper().add_all(records).groups()
    assert len(groups) == 1
    (group,) = groups
    assert group.count == 2
    assert "TraceID" not in group.label and "SpanID" not in group.label
    assert group.label == "SeatController IllegalStateException"


def test_colour_codes_do_not_hide_the_inner_line(tmp_path: Path) -> None:
    # `spring.output.ansi.enabled=always` (or a TTY): dockerd keeps the escape codes
    esc = "\x1b"
    line = (
        f"{esc}[2m2022-05-31 07:50:52.123{esc}[0;39m {esc}[31mERROR{esc}[0;39m {esc}[35m1"
        f"{esc}[0;39m {esc}[2m---{esc}[0;39m {esc}[2m[nio-8080-exec-3]{esc}[0;39m {esc}[36m"
        f"{SEAT}{esc}[0;39m {esc}[2m:{esc}[0;39m [TraceID: 7ed6a1b2c3d4e5f6 SpanID: "
        "91bc2d3e4f5a6b7c] Seat reservation failed for order 8812\n"
    )
    records, detected = _read(
        tmp_path, "seat.log", _docker([("2022-05-31T07:50:52.123456789Z", "stdout", line)])
    )
    assert detected == "docker-json+spring-boot"
    (record,) = records
    assert (record.level, record.message) == ("error", "Seat reservation failed for order 8812")
    assert record.fields is not None and record.fields["trace_id"] == "7ed6a1b2c3d4e5f6"
    assert plain_text(f"{esc}]0;root@e7d0b7ea5ccf: /app\x07root@e7d0b7ea5ccf:/app# ls") == (
        "root@e7d0b7ea5ccf:/app# ls"
    )


PYTHON_IN_CRI = (
    "2026-11-28T14:02:03.118442001Z stderr F 2026-11-28 14:02:03,118 - payments.gateway - INFO"
    " - Charging order 8811\n"
    "2026-11-28T14:02:04.200100001Z stderr F 2026-11-28 14:02:04,200 - payments.gateway - "
    "ERROR - Charge failed for order 8812\n"
    "2026-11-28T14:02:04.200200001Z stderr F Traceback (most recent call last):\n"
    '2026-11-28T14:02:04.200300001Z stderr F   File "/app/payments/gateway.py", line 88, in '
    "charge\n"
    "2026-11-28T14:02:04.200400001Z stderr F     resp.raise_for_status()\n"
    "2026-11-28T14:02:04.200500001Z stderr F requests.exceptions.HTTPError: 503 Server Error: "
    "Service Unavailable for url: http://psp.internal/charge\n"
    "2026-11-28T14:02:13.000000001Z stdout F 10.0.2.1:59838 - - GET /readiness kube-probe/1.27\n"
    "2026-11-28T14:02:23.000000001Z stdout F 10.0.2.1:59840 - - GET /readiness kube-probe/1.27\n"
)


def test_python_traceback_in_cri_entries_is_one_record(tmp_path: Path) -> None:
    records, detected = _read(tmp_path, "payments.log", PYTHON_IN_CRI)
    assert detected == "cri+python"
    assert [(r.line, r.end_line) for r in records] == [(1, 1), (2, 6), (7, 7), (8, 8)]
    failed = records[1]
    assert failed.level == "error"
    assert failed.message.splitlines()[-1].startswith("requests.exceptions.HTTPError: 503")
    assert failed.fields == {"logger": "payments.gateway", "stream": "stderr"}
    # asctime has no zone: the envelope's instant, not 14:02:04.200 read as UTC
    assert failed.timestamp == datetime(2026, 11, 28, 14, 2, 4, 200100, tzinfo=UTC)
    # an unparsed line nine seconds later, from another stream: a record of its own
    assert records[2].message.startswith("10.0.2.1:59838") and records[2].fields == {
        "stream": "stdout"
    }


def test_partial_cri_entries_join_on_their_own_stream_only(tmp_path: Path) -> None:
    text = (
        '2026-11-28T14:02:03.118442001Z stdout P {"level":50,"time":1795874523118,"pid":18,'
        '"hostname":"cart-7d9f","msg":"redis GET\n'
        '2026-11-28T14:02:03.118442002Z stdout F  timed out","reqId":"req-7f3a"}\n'
        "2026-11-28T14:02:05.200000001Z stdout P first half of a line stdout never ended\n"
        '2026-11-28T14:02:05.300000001Z stderr F {"level":40,"time":1795874525300,"pid":18,'
        '"hostname":"cart-7d9f","msg":"slow query"}\n'
    )
    records, detected = _read(tmp_path, "cart.log", text)
    assert detected == "cri+pino"
    assert [(r.line, r.end_line) for r in records] == [(1, 2), (3, 3), (4, 4)]
    assert records[0].message == "redis GET timed out"
    assert records[0].level == "error"
    assert records[0].fields is not None and records[0].fields["stream"] == "stdout"
    # pino's `time` is an instant to the millisecond; the envelope's falls inside it: refined
    assert records[0].timestamp == datetime(2026, 11, 28, 14, 2, 3, 118442, tzinfo=UTC)
    # the stderr line's own millisecond (14:02:05.300) is before its envelope's entry
    assert records[2].timestamp == datetime(2026, 11, 28, 14, 2, 5, 300000, tzinfo=UTC)
    assert records[1].message == "first half of a line stdout never ended"
    assert (records[2].message, records[2].level) == ("slow query", "warning")
    assert records[2].fields is not None and records[2].fields["stream"] == "stderr"


def test_json_lines_keep_their_own_stream_key() -> None:
    lines = [
        '{"log":"{\\"level\\":\\"info\\",\\"msg\\":\\"hi\\",\\"stream\\":\\"events\\"}\\n",'
        '"stream":"stdout","time":"2026-11-28T14:02:03.118442001Z"}'
    ]
    entry = DockerJsonEnvelope().unwrap(lines[0], Clock())
    assert entry is not None and entry.stream == "stdout"
    (only,) = list(unwrap_lines(lines, DockerJsonEnvelope(), Clock()))
    assert only[1] == '{"level":"info","msg":"hi","stream":"events"}'


def test_kubectl_timestamps_with_klog_and_logfmt(tmp_path: Path) -> None:
    klog = (
        "2026-11-28T14:02:03.118442001Z E1128 14:02:03.118442       1 reflector.go:138] "
        "k8s.io/client-go/informers/factory.go:150: Failed to watch *v1.Pod: the server has "
        "asked for the client to provide credentials\n"
        "2026-11-28T14:02:04.220000001Z I1128 14:02:04.219881       1 leaderelection.go:248] "
        "attempting to acquire leader lease kube-system/kube-scheduler...\n"
    )
    records, detected = _read(tmp_path, "kube-scheduler.log", klog)
    assert detected == "kubectl+klog"
    assert [r.level for r in records] == ["error", "info"]
    # klog writes no year and no zone: the envelope's instant
    assert records[1].timestamp == datetime(2026, 11, 28, 14, 2, 4, 220000, tzinfo=UTC)
    assert records[1].fields == {"pid": "1", "caller": "leaderelection.go:248"}

    logfmt = (
        '2026-11-28T14:02:03.118442001Z time="2026-11-28T14:02:03Z" level=error msg="dial tcp '
        '10.0.3.12:6379: i/o timeout" component=cart traceId=4bf92f3577b34da6a3ce929d0e0e4736\n'
        '2026-11-28T14:02:05.318442001Z time="2026-11-28T14:02:05Z" level=info msg=retrying '
        "component=cart\n"
    )
    records, detected = _read(tmp_path, "cart.log", logfmt)
    assert detected == "kubectl+logfmt"
    first = records[0]
    assert (first.level, first.message) == ("error", "dial tcp 10.0.3.12:6379: i/o timeout")
    # the line's own key kept as it is (kubectl names no stream)
    assert first.fields == {"component": "cart", "traceId": "4bf92f3577b34da6a3ce929d0e0e4736"}
    # logrus wrote whole seconds: the envelope's instant falls inside that second and refines it
    assert first.timestamp == datetime(2026, 11, 28, 14, 2, 3, 118442, tzinfo=UTC)


def test_inner_instant_beats_the_envelope_unless_it_lacks_a_zone() -> None:
    outer = datetime(2026, 11, 28, 14, 2, 5, 4500, tzinfo=UTC)
    entry = Unwrapped(outer, "", "stderr", False)
    zap = datetime(2026, 11, 28, 14, 2, 5, 4120, tzinfo=UTC)
    assert record_time(entry, Parsed(zap, "error", "", zoned=True)) == zap
    assert record_time(entry, Parsed(zap, "error", "", zoned=False)) == outer
    # `14:02:05.004Z`: the envelope lies within that millisecond, and says more
    coarse = datetime(2026, 11, 28, 14, 2, 5, 4000, tzinfo=UTC)
    assert record_time(entry, Parsed(coarse, "error", "", zoned=True)) == outer
    # an inner stamp in another zone than the container's clock: still the same instant
    late = datetime(2026, 11, 28, 14, 2, 3, 0, tzinfo=UTC)  # buffered, flushed two s later
    assert record_time(entry, Parsed(late, "error", "", zoned=True)) == late
    assert record_time(entry, Parsed(None, "error", "")) == outer
    assert record_time(Unwrapped(None, "", None, False), Parsed(zap, None, "")) == zap


def test_envelopes_read_their_own_header_only() -> None:
    clock = Clock()
    cri = CriEnvelope().unwrap("2026-11-28T14:02:03.1Z stdout F", clock)
    assert cri is not None and (cri.text, cri.stream, cri.partial) == ("", "stdout", False)
    assert KubectlEnvelope().unwrap("2026-11-28 14:02:03 not kubectl", clock) is None
    assert DockerJsonEnvelope().unwrap('{"msg":"not docker"}', clock) is None
