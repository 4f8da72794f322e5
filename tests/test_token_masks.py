"""Masking one token: the remembered, split-at-the-name path gives exactly what the mask
regex gives on the whole token."""

from __future__ import annotations

import random

import pytest

from log_analyzer.mining import masking
from log_analyzer.mining.masking import WILDCARD, _mask_token, mask_text

# Characters the masks tell apart (digits, hex and other letters, the letters of units and of
# `0x`, separators, quotes, brackets), and names that do and do not split off.
_PIECES = [*"abcdefgxzABFHTZ_=0123456789.:-@/+<>~()[],;%'\"", "://", "0x", "ms", "KB", "sec"]
_HEXISH = [*"0123456789abcdefABCDEFgx_():.,;[]", "ord_", "cus_", "0x", "-"]
_NAMES = ["", "", "a=", "status=", "key_x=", "ab=c=", "_=", "a.b.cc=", "ip4=", "x-y=", "A1="]


def _whole_token_mask(token: str) -> str:
    pattern = masking._MASK if "://" in token else masking._MASK_NO_URL
    return pattern.sub(WILDCARD, token)


def _tokens(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    tokens = []
    for _ in range(count):
        pieces = _PIECES if rng.random() < 0.6 else _HEXISH  # ids: `ord_6cdbd3f436`, `2b4f27`
        body = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
        tokens.append(rng.choice(_NAMES) + body)
    return [token for token in tokens if masking._DIGIT.search(token)]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_token_masks_as_the_regex_masks_it_whole(seed: int) -> None:
    masking._TOKENS.clear()
    tokens = _tokens(seed, 20_000)
    assert len(tokens) > 10_000
    for token in tokens:
        assert _mask_token(token) == _whole_token_mask(token), token
    for token in tokens[:2_000]:  # remembered now: the same again
        assert _mask_token(token) == _whole_token_mask(token), token


@pytest.mark.parametrize(
    ("token", "masked"),
    [
        ("customer=cus_5191a901", "customer=cus_<*>"),
        ("amount=79.67", "amount=<*>"),
        ("DPT=6379", "DPT=<*>"),
        ("u=http://h/x?a=1", "u=<*>"),
        ("a.b.com=12", "<*>=<*>"),  # a host name as the name: no split, masked whole
        ("MAC=02:42:ac:11:00:02", "MAC=<*>"),
        ("ord_6cdbd3f436", "ord_<*>"),
        ("2b4f27", "<*>"),
        ("ord_1a2b", "ord_<*>a2b"),  # too short for an id: the scan decides
        ("(d76a8e:", "(<*>:"),
        ("ab12cd34)::", "<*>)<*>"),  # `::` is an IPv6 address of its own
        ("deadbeef-12", "deadbeef-<*>"),  # no digit in `deadbeef`: a word
    ],
)
def test_named_values(token: str, masked: str) -> None:
    masking._TOKENS.clear()
    assert _mask_token(token) == masked == _whole_token_mask(token)


def test_remembered_tokens_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(masking, "MAX_REMEMBERED_TOKENS", 50)
    masking._TOKENS.clear()
    messages = [f"retry {n} of order=ord_{n:08x} took {n % 7}ms" for n in range(500)]
    for message in messages:
        assert mask_text(message) == "retry <*> of order=ord_<*> took <*>"
        assert len(masking._TOKENS) <= 50
