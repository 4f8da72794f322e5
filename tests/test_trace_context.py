"""Trace, span and request ids in a record's text become fields; a block of them that decorates
the head of the message is taken out of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from log_analyzer.formats.registry import get_format
from log_analyzer.formats.trace_context import extract_ids, request_context_ids
from log_analyzer.ingest import open_paths
from log_analyzer.mining.groups import ErrorGrouper
from log_analyzer.timestamps import Clock

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
SPAN = "00f067aa0ba902b7"
REQ = "req-3f0c2a9e-1b6d-4c1e-9a43-7d2e5b8f0c11"


@pytest.mark.parametrize(
    ("message", "rest", "ids"),
    [
        pytest.param(
            "[TraceID: 7ed6a1b2c3d4e5f6 SpanID: 91bc2d3e4f5a6b7c] Seat reservation failed",
            "Seat reservation failed",
            {"trace_id": "7ed6a1b2c3d4e5f6", "span_id": "91bc2d3e4f5a6b7c"},
            id="TraceID-SpanID-block",
        ),
        pytest.param(
            f"[traceId={TRACE}, spanId={SPAN}] Cart lookup failed",
            "Cart lookup failed",
            {"trace_id": TRACE, "span_id": SPAN},
            id="logback-MDC-block",
        ),
        pytest.param(
            f"TraceID={TRACE} SpanID={SPAN} Cart lookup failed",
            "Cart lookup failed",
            {"trace_id": TRACE, "span_id": SPAN},
            id="bare-pairs-at-head",
        ),
        pytest.param(
            f"traceId={TRACE} spanId={SPAN} - Cart lookup failed",
            "Cart lookup failed",
            {"trace_id": TRACE, "span_id": SPAN},
            id="MDC-pairs-then-dash",
        ),
        pytest.param(
            "[ts-seat-service,7ed6a1b2c3d4e5f6,91bc2d3e4f5a6b7c,true] Create seat failed",
            "Create seat failed",
            {"trace_id": "7ed6a1b2c3d4e5f6", "span_id": "91bc2d3e4f5a6b7c"},
            id="sleuth",
        ),
        pytest.param(
            "[ts-seat-service,,] Create seat failed", "Create seat failed", {}, id="sleuth-blank"
        ),
        pytest.param(
            f"[{TRACE}-{SPAN}] Cart lookup failed",
            "Cart lookup failed",
            {"trace_id": TRACE, "span_id": SPAN},
            id="spring-boot-3.2-correlation",
        ),
        pytest.param(
            f"[{' ' * 32} {' ' * 16}] Started CheckoutApplication",
            "Started CheckoutApplication",
            {},
            id="spring-boot-3.2-untraced",
        ),
        pytest.param(
            f"[trace_id={TRACE} span_id={SPAN} resource.service.name=payments "
            "trace_sampled=True] - Charge failed",
            "Charge failed",
            {"trace_id": TRACE, "span_id": SPAN},
            id="opentelemetry-python",
        ),
        pytest.param(
            "[traceId=, spanId=] Booting worker", "Booting worker", {}, id="logback-MDC-empty"
        ),
        pytest.param(
            "[trace_id=0 span_id=0 resource.service.name= trace_sampled=False] - Booting worker",
            "Booting worker",
            {},
            id="opentelemetry-python-no-span",
        ),
        pytest.param(
            f"[{REQ} 8a2d4c6e0f1a4b3c9d8e7f6a5b4c3d2e 1b7e9c2a4d6f48b0a1c3e5f7092b4d6e - default "
            "default] Terminating instance",
            "Terminating instance",
            {"request_id": REQ},
            id="oslo-request-context",
        ),
        pytest.param(
            f"Charge failed: HTTP 503 (traceparent: 00-{TRACE}-{SPAN}-01)",
            f"Charge failed: HTTP 503 (traceparent: 00-{TRACE}-{SPAN}-01)",
            {"trace_id": TRACE, "span_id": SPAN},
            id="w3c-traceparent",
        ),
        pytest.param(
            f"calling payments X-B3-TraceId: {TRACE} X-B3-SpanId: {SPAN}",
            f"calling payments X-B3-TraceId: {TRACE} X-B3-SpanId: {SPAN}",
            {"trace_id": TRACE, "span_id": SPAN},
            id="b3-headers",
        ),
        pytest.param(
            f"[traceId={TRACE} requestId=5f2a9c0e-77d1] Cart lookup failed",
            "Cart lookup failed",
            {"trace_id": TRACE, "request_id": "5f2a9c0e-77d1"},
            id="request-id-in-an-id-block",
        ),
        pytest.param(
            f"[nio-8080-exec-3] c.e.Seat : [TraceID: {TRACE} SpanID: {SPAN}] Seat failed",
            "[nio-8080-exec-3] c.e.Seat : Seat failed",
            {"trace_id": TRACE, "span_id": SPAN},
            id="block-after-an-unread-header",
        ),
    ],
)
def test_ids_in_text_become_fields(message: str, rest: str, ids: dict[str, str]) -> None:
    text, fields = extract_ids(message, None)
    assert text == rest
    assert (fields or {}) == ids


@pytest.mark.parametrize(
    "message",
    [
        "[instance: 0f3b3c66-5d8b-4a0e-9d0e-6f2a7e1b4c22] VM Started (Lifecycle Event)",
        "[ReplicaManager broker=1] Error processing append operation on partition orders-0",
        "[Consumer clientId=consumer-orders-1, groupId=orders] Resetting offset for partition",
        "Traceback (most recent call last):",
        "race condition detected in trace buffer",
        "requests.exceptions.HTTPError: 503 Server Error",
        # request ids in running text are left to the analysis, which reads text itself
        "upstream returned 502 X-Request-ID: 5f2a9c0e-77d1-4e2b retrying",
    ],
)
def test_other_text_is_left_alone(message: str) -> None:
    assert extract_ids(message, None) == (message, None)


def test_keys_the_line_already_has_are_kept() -> None:
    fields = {"trace_id": "from-the-json-line"}
    text, merged = extract_ids(f"[TraceID: {TRACE} SpanID: {SPAN}] Seat failed", fields)
    assert text == "Seat failed"
    assert merged == {"trace_id": "from-the-json-line", "span_id": SPAN}


def test_a_message_that_is_only_ids_is_kept() -> None:
    text, fields = extract_ids(f"[TraceID: {TRACE} SpanID: {SPAN}]", None)
    assert text == f"[TraceID: {TRACE} SpanID: {SPAN}]"
    assert fields == {"trace_id": TRACE, "span_id": SPAN}


def test_oslo_request_context() -> None:
    assert request_context_ids(f"{REQ} admin admin - - -") == {"request_id": REQ}
    assert request_context_ids(f"None {REQ} tempest-user tempest-project") == {"request_id": REQ}
    global_id = "req-0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    assert request_context_ids(f"{global_id} {REQ} admin admin") == {
        "global_request_id": global_id,
        "request_id": REQ,
    }
    assert request_context_ids("-") == {}


def test_every_format_applies_it() -> None:
    clock = Clock()
    json_line = (
        '{"level":"error","ts":1795874523.118442,"caller":"cart/store.go:88","msg":"[TraceID: '
        f'{TRACE} SpanID: {SPAN}] redis get failed","trace_id":"kept"}}'
    )
    parsed = get_format("zap").parse(json_line, clock)  # type: ignore[union-attr]
    assert parsed is not None
    assert parsed.message == "redis get failed"
    assert parsed.fields is not None and parsed.fields["trace_id"] == "kept"
    assert parsed.fields["span_id"] == SPAN
    generic = get_format("generic").parse(  # type: ignore[union-attr]
        f"2026-11-28 14:02:03.118 [ERROR] [traceId={TRACE}] worker 3: job 8812 failed", clock
    )
    assert generic is not None and generic.message == "worker 3: job 8812 failed"
    assert generic.fields == {"trace_id": TRACE}
    plain = get_format("plain").parse(f"[TraceID: {TRACE}] job failed", clock)  # type: ignore[union-attr]
    assert plain is not None and (plain.message, plain.fields) == (
        "job failed",
        {"trace_id": TRACE},
    )


def test_spring_boot_errors_of_many_requests_are_one_group(tmp_path: Path) -> None:
    """The defect this fixes: the id block at the head of every message made one group per
    request shape, labelled by the ids' keys (`TraceID: SpanID`)."""
    lines = []
    for second, (trace, span, order) in enumerate(
        [
            ("7ed6a1b2c3d4e5f6", "91bc2d3e4f5a6b7c", 8812),
            ("0a1b2c3d4e5f6a7b", "11223344aabbccdd", 8813),
            ("5e6f7a8b9c0d1e2f", "a1b2c3d4e5f60718", 8814),
        ]
    ):
        lines.append(
            f"2022-05-31 07:50:5{second}.123 ERROR 1 --- [nio-8080-exec-{second}] "
            f"c.s.s.c.SeatController                   : [TraceID: {trace} SpanID: {span}] "
            f"Seat reservation failed for order {order}"
        )
    path = tmp_path / "ts-seat-service.log"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    records = list(open_paths([str(path)]).records())
    assert [r.fields["trace_id"] for r in records if r.fields] == [
        "7ed6a1b2c3d4e5f6",
        "0a1b2c3d4e5f6a7b",
        "5e6f7a8b9c0d1e2f",
    ]
    (group,) = ErrorGrouper().add_all(records).groups()
    assert group.count == 3
    assert group.template == "Seat reservation failed for order <*>"
    assert "TraceID" not in group.label
