"""respx for the Anthropic SDK, and scripted Messages API responses in its wire format.

The SDK (1.0 and later) sends through `httpx2`, whose transport is `httpcore2`; respx patches
`httpcore`. This mocker is respx's own `HTTPCoreMocker` pointed at `httpcore2`'s classes, so
the real SDK and its real HTTP stack run, and only the socket is replaced by respx's router:
`respx.mock(using="httpcore2")`. Streaming responses are real server-sent events, as the API
sends them.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

import httpcore2
import httpx
from respx.mocks import HTTPCoreMocker

API = "https://api.anthropic.com"


class HTTPCore2Mocker(HTTPCoreMocker):
    name = "httpcore2"
    targets: ClassVar[list[str]] = [
        "httpcore2._sync.connection.HTTPConnection",
        "httpcore2._sync.connection_pool.ConnectionPool",
        "httpcore2._sync.http_proxy.HTTPProxy",
        "httpcore2._async.connection.AsyncHTTPConnection",
        "httpcore2._async.connection_pool.AsyncConnectionPool",
        "httpcore2._async.http_proxy.AsyncHTTPProxy",
    ]

    @classmethod
    def from_sync_httpx_response(cls, httpx_response: Any, target: Any, **kwargs: Any) -> Any:
        return httpcore2.Response(
            status=httpx_response.status_code,
            headers=httpx_response.headers.raw,
            content=httpx_response.stream,
            extensions=httpx_response.extensions,
        )


def text(value: str) -> dict[str, Any]:
    return {"type": "text", "text": value}


def tool_use(name: str, arguments: dict[str, Any], id: str | None = None) -> dict[str, Any]:
    return {"type": "tool_use", "id": id or f"toolu_{name}", "name": name, "input": arguments}


def _event(kind: str, data: dict[str, Any]) -> str:
    return f"event: {kind}\ndata: {json.dumps({'type': kind, **data})}\n\n"


def message(
    *blocks: dict[str, Any],
    stop_reason: str | None = None,
    input_tokens: int = 1200,
    output_tokens: int = 80,
    model: str = "claude-sonnet-5-5",
) -> httpx.Response:
    """A streamed Messages API response holding `blocks`, as server-sent events."""
    if stop_reason is None:
        stop_reason = "tool_use" if any(b["type"] == "tool_use" for b in blocks) else "end_turn"
    events = [
        _event(
            "message_start",
            {
                "message": {
                    "id": "msg_test",
                    "type": "message",
                    "role": "assistant",
                    "model": model,
                    "content": [],
                    "stop_reason": None,
                    "stop_sequence": None,
                    "usage": {"input_tokens": input_tokens, "output_tokens": 1},
                }
            },
        )
    ]
    for index, block in enumerate(blocks):
        if block["type"] == "text":
            events.append(
                _event(
                    "content_block_start",
                    {"index": index, "content_block": {"type": "text", "text": ""}},
                )
            )
            words = block["text"].split(" ")
            for position, word in enumerate(words):
                piece = word if position == len(words) - 1 else word + " "
                events.append(
                    _event(
                        "content_block_delta",
                        {"index": index, "delta": {"type": "text_delta", "text": piece}},
                    )
                )
        else:
            start = {**block, "input": {}}
            events.append(_event("content_block_start", {"index": index, "content_block": start}))
            events.append(
                _event(
                    "content_block_delta",
                    {
                        "index": index,
                        "delta": {
                            "type": "input_json_delta",
                            "partial_json": json.dumps(block["input"]),
                        },
                    },
                )
            )
        events.append(_event("content_block_stop", {"index": index}))
    events.append(
        _event(
            "message_delta",
            {
                "delta": {"stop_reason": stop_reason, "stop_sequence": None},
                "usage": {"output_tokens": output_tokens},
            },
        )
    )
    events.append(_event("message_stop", {}))
    return httpx.Response(
        200,
        headers={"content-type": "text/event-stream"},
        content="".join(events).encode(),
    )


def error(status: int, kind: str, retry_after: str | None = None) -> httpx.Response:
    headers = {"retry-after": retry_after} if retry_after is not None else {}
    return httpx.Response(
        status,
        headers=headers,
        json={"type": "error", "error": {"type": kind, "message": f"{kind} (test)"}},
    )


def bodies(route: Any) -> list[dict[str, Any]]:
    """The JSON bodies of every request the route received, in order."""
    return [json.loads(call.request.content) for call in route.calls]
