"""Tool results that fit a token budget, and log text marked as untrusted data.

A model pays for every token of a tool result and reads long ones worse, so results are
compact JSON, cut to a budget (about 4,000 tokens by default). What was cut is said in the
result itself (`truncated`), with how to narrow the next call, so the model never mistakes a
shortened list for the whole.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

DEFAULT_TOKEN_BUDGET = 4000
CHARS_PER_TOKEN = 3.5  # JSON with timestamps and log text; errs on the side of shorter
MIN_TEXT = 80
# How a call can ask for less, by the options that allow it, in the order a hint names them.
NARROWING = (
    (("since", "until"), "since/until"),
    (("service",), "service"),
    (("min_level",), "min_level"),
    (("limit",), "a smaller limit"),
    (("pattern",), "a more specific pattern"),
    (("exclude",), "exclude"),
    (("field",), "field"),
    (("end",), "a shorter start..end range"),
)
UNTRUSTED_OPEN = '<log-data tool="{name}" trust="untrusted">'
UNTRUSTED_CLOSE = "</log-data>"


def compact(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def narrow_hint(options: Collection[str] = ()) -> str:
    """How to ask for less in the next call, naming only `options` the tool has (the names of
    its input's fields); without them, no option at all."""
    ways = [way for names, way in NARROWING if all(name in options for name in names)]
    if not ways:
        return "ask for less in the next call (a shorter window or a smaller part)"
    listed = ways[0] if len(ways) == 1 else f"{', '.join(ways[:-1])} or {ways[-1]}"
    return f"narrow the next call with {listed}"


def fit(
    data: dict[str, Any],
    token_budget: int = DEFAULT_TOKEN_BUDGET,
    options: Collection[str] = (),
) -> str:
    """`data` as compact JSON of at most about `token_budget` tokens. The longest list is
    halved until the result fits (each cut recorded under `truncated`, with a hint naming
    only the `options` the tool has), then long strings are shortened."""
    limit = int(token_budget * CHARS_PER_TOKEN)
    text = compact(data)
    if len(text) <= limit:
        return text
    data = json.loads(text)  # a private copy to cut
    totals: dict[str, int] = {}
    while len(text) > limit:
        key = _longest_list(data)
        if key is None:
            break
        items: list[Any] = data[key]
        totals.setdefault(key, len(items))
        del items[max(1, len(items) // 2) :]
        data["truncated"] = {
            "shown": {k: f"{len(data[k])} of {n}" for k, n in totals.items()},
            "hint": narrow_hint(options),
        }
        text = compact(data)
    width = 1000
    while len(text) > limit and width >= MIN_TEXT:
        data = _shorten_strings(data, width)
        data["truncated"] = {**data.get("truncated", {}), "text": f"strings cut to {width} chars"}
        text = compact(data)
        width //= 2
    return text


def _longest_list(data: dict[str, Any]) -> str | None:
    best: tuple[int, str] | None = None
    for key, value in data.items():
        if isinstance(value, list) and len(value) > 1:
            size = len(compact(value))
            if best is None or size > best[0]:
                best = (size, key)
    return best[1] if best else None


def _shorten_strings(node: Any, width: int) -> Any:
    if isinstance(node, str):
        return node if len(node) <= width else node[:width] + "…"
    if isinstance(node, list):
        return [_shorten_strings(v, width) for v in node]
    if isinstance(node, dict):
        return {k: _shorten_strings(v, width) for k, v in node.items()}
    return node


def wrap_untrusted(tool: str, text: str) -> str:
    """Mark a result as data from the systems under investigation. A log line cannot close
    the marker early: `</` inside the JSON is written `<\\/`, which JSON reads back the same."""
    guarded = text.replace("</", "<\\/")
    return f"{UNTRUSTED_OPEN.format(name=tool)}\n{guarded}\n{UNTRUSTED_CLOSE}"
