"""Estimated cost of a conversation from the usage the API reports.

List prices in US dollars per million tokens by model family, as published when this release
was made; `LOG_ANALYZER_PRICES="input,output"` overrides them (a new model, a discount). Cache
writes cost 1.25x the input price and cache reads 0.1x, as the Messages API bills them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

FAMILY_PRICES: dict[str, tuple[float, float]] = {
    "haiku": (1.0, 5.0),
    "sonnet": (3.0, 15.0),
    "opus": (5.0, 25.0),
}
CACHE_WRITE = 1.25
CACHE_READ = 0.1


@dataclass
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0
    requests: int = 0

    def add(self, other: Usage) -> None:
        self.input_tokens += other.input_tokens
        self.output_tokens += other.output_tokens
        self.cache_creation_input_tokens += other.cache_creation_input_tokens
        self.cache_read_input_tokens += other.cache_read_input_tokens
        self.requests += other.requests

    @property
    def total_tokens(self) -> int:
        return (
            self.input_tokens
            + self.output_tokens
            + self.cache_creation_input_tokens
            + self.cache_read_input_tokens
        )


def prices_for(model: str) -> tuple[float, float] | None:
    override = os.environ.get("LOG_ANALYZER_PRICES")
    if override:
        try:
            given, taken = (float(part) for part in override.split(","))
        except ValueError:
            return None
        return given, taken
    for family, prices in FAMILY_PRICES.items():
        if family in model:
            return prices
    return None


def estimated_cost(model: str, usage: Usage) -> float | None:
    prices = prices_for(model)
    if prices is None:
        return None
    per_input, per_output = prices
    dollars = (
        usage.input_tokens * per_input
        + usage.cache_creation_input_tokens * per_input * CACHE_WRITE
        + usage.cache_read_input_tokens * per_input * CACHE_READ
        + usage.output_tokens * per_output
    )
    return dollars / 1_000_000


def usage_line(model: str, usage: Usage) -> str:
    cost = estimated_cost(model, usage)
    money = f"~${cost:.4f}" if cost is not None else "cost unknown for this model"
    return (
        f"{model}: {usage.requests} requests, {usage.input_tokens} input + "
        f"{usage.cache_read_input_tokens} cached + {usage.cache_creation_input_tokens} cache-write"
        f" + {usage.output_tokens} output tokens, {money}"
    )
