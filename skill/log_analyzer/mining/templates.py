"""The template miner: groups masked messages into templates, streaming, with no configuration.

Most lines repeat a masked form already seen: a dictionary from masked form to template answers
them with one lookup. Only new forms reach the clustering, which improves on Drain's weak spots:

- A token position becomes a variable only when the evidence says so: several distinct values
  in the same context. Alphabetic words need three distinct values and at least three constant
  tokens around them (`Invalid user <*> from <*>`), so short templates never merge on one
  differing word (`VM Started` and `VM Paused` stay apart); tokens shaped like identifiers
  (dotted names, paths, host names) need two.
- A variable may span several tokens (`Invalid user John Smith from ...`): a form longer than a
  template joins it when the template's constant tokens match in order around its variables.
- Template ids are a hash of the template text: stable across runs and machines.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator

from .masking import WILDCARD

NEVER = 1_000_000
MAX_CLUSTERED_FORMS = 500_000
NAMED_STATES = 6
MAX_SPAN = 1  # tokens one variable may span beyond its own (`John Smith`)
# Punctuation that makes a token a name or an address (dotted names, paths, `key=value`,
# host:port) rather than a word. Not `_` or `-`: `NOT_ENOUGH_REPLICAS` and `card-declined` are
# codes, and codes name distinct failures.
_IDENTIFIER_CHARS = frozenset("./\\=:@#[](){}")


class Template:
    """A cluster of masked forms. `merged_into` points at the template that absorbed it."""

    __slots__ = ("_id", "_pattern", "constants", "count", "merged_into", "tokens")

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.count = 0
        self.merged_into: Template | None = None
        self.constants = sum(1 for token in tokens if token != WILDCARD)
        self._id: str | None = None
        self._pattern: re.Pattern[str] | None = None

    @property
    def text(self) -> str:
        return " ".join(self.tokens)

    @property
    def id(self) -> str:
        """12 hex digits of a hash of the template text."""
        if self._id is None:
            self._id = hashlib.blake2b(self.text.encode(), digest_size=6).hexdigest()
        return self._id

    def fits(self, tokens: list[str]) -> bool:
        """True when `tokens` (same length) match every constant token of the template."""
        for mine, theirs in zip(self.tokens, tokens, strict=True):
            if mine != theirs and mine != WILDCARD:
                return False
        return True

    def spans(self, tokens: list[str]) -> bool:
        """True when a longer masked form matches: the constant tokens in order, each variable
        taking one to `1 + MAX_SPAN` tokens. A dynamic programme over token positions (a regex
        of `\\S+( \\S+){0,4}` per variable backtracks exponentially on a miss)."""
        mine = self.tokens
        if mine[0] != WILDCARD and mine[0] != tokens[0]:
            return False
        if mine[-1] != WILDCARD and mine[-1] != tokens[-1]:
            return False
        reachable = {0}
        for token in mine:
            following: set[int] = set()
            for start in reachable:
                if token != WILDCARD:
                    if start < len(tokens) and tokens[start] == token:
                        following.add(start + 1)
                    continue
                following.add(start + 1)
                end = start + 1
                while end < min(start + 1 + MAX_SPAN, len(tokens)) and _word_like(tokens[end]):
                    end += 1
                    following.add(end)
            if not following:
                return False
            reachable = following
        return len(tokens) in reachable

    def parameters(self, message: str) -> list[str] | None:
        """The values the variables take in `message` (a raw message of this template), in
        order; None when the message does not read as the template.

        A variable that ends a token never ends in white space (a look-behind): the shortest
        value never did, and without the check each character of a long run of spaces in a
        value was tried as its end, rescanning the rest of the run each time (quadratic)."""
        if self._pattern is None:
            parts = []
            for token in self.tokens:
                pieces = [re.escape(piece) for piece in token.split(WILDCARD)]
                part = "(.+?)".join(pieces)
                parts.append(part + r"(?<!\s)" if token.endswith(WILDCARD) else part)
            self._pattern = re.compile(r"\s*" + r"\s+".join(parts) + r"\s*", re.DOTALL)
        match = self._pattern.fullmatch(message)
        return list(match.groups()) if match is not None else None

    def __repr__(self) -> str:
        return f"Template({self.id} {self.text!r} x{self.count})"


def _resolve(template: Template) -> Template:
    root = template
    while root.merged_into is not None:
        root = root.merged_into
    while template.merged_into is not None and template.merged_into is not root:
        template.merged_into, template = root, template.merged_into
    return root


def _looks_like_identifier(token: str) -> bool:
    """Dotted names, paths, host names, `key=<*>`: punctuation inside the token, not at its end
    (`initialization.` is a word)."""
    core = token.rstrip(".,;:!?")
    return WILDCARD in core or any(char in _IDENTIFIER_CHARS for char in core)


def _context_hashes(tokens: list[str]) -> list[int]:
    """For each position, a hash of the form's length, the position and every other token:
    forms that differ at that position alone share it. Chains of hashes over the prefixes and
    the suffixes make it one pass; hashing each position's whole context was quadratic in the
    number of tokens (a minute for a line of 50,000)."""
    length = len(tokens)
    prefixes = [0] * (length + 1)
    for position, token in enumerate(tokens):
        prefixes[position + 1] = hash((prefixes[position], token))
    suffixes = [0] * (length + 1)
    for position in range(length - 1, -1, -1):
        suffixes[position] = hash((tokens[position], suffixes[position + 1]))
    return [
        hash((length, position, prefixes[position], suffixes[position + 1]))
        for position in range(length)
    ]


def _word_like(token: str) -> bool:
    """A token a multi-token variable may take: a word, not `key=value` structure."""
    return "=" not in token and ":" not in token and WILDCARD not in token


class TemplateMiner:
    """Streaming miner: `add(masked)` returns the masked form's current template.

    Templates are indexed by length and first two tokens, so placing a new form compares it
    with the few templates that could take it, not with every template: unstructured input
    with a hundred thousand distinct lines stays close to linear."""

    def __init__(self) -> None:
        self._by_form: dict[str, Template] = {}
        # length -> (first token, second token), each or the wildcard -> live templates
        self._index: dict[int, dict[tuple[str, str], list[Template]]] = {}
        # (length, first token) and (length, second token) -> the keys of `_index` with them
        self._by_first: dict[tuple[int, str], set[tuple[str, str]]] = {}
        self._by_second: dict[tuple[int, str], set[tuple[str, str]]] = {}
        # hash of (length, position, the form's other tokens) -> {value there: template}
        self._contexts: dict[int, dict[str, Template]] = {}

    def add(self, masked: str) -> Template:
        template = self._by_form.get(masked)
        if template is None:
            template = self._place(masked)
            self._by_form[masked] = template
        elif template.merged_into is not None:
            template = _resolve(template)
            self._by_form[masked] = template
        template.count += 1
        return template

    def add_literal(self, text: str) -> Template:
        """A template taken as it is, never generalised (events whose shape is known already,
        like an access log's `POST /api/carts/{id} 503`)."""
        template = self._by_form.get(text)
        if template is None:
            template = self._by_form[text] = Template(text.split())
        template.count += 1
        return template

    def template_of(self, masked: str) -> Template | None:
        """The current template of a masked form seen before."""
        template = self._by_form.get(masked)
        return _resolve(template) if template is not None else None

    def templates(self) -> Iterator[Template]:
        """The live templates (those not merged into another)."""
        for buckets in self._index.values():
            for bucket in buckets.values():
                yield from bucket

    # -- the index ----------------------------------------------------------------------
    # Keyed by length and the first two tokens, each either itself or the wildcard: a form
    # looks in four buckets, (a, b), (a, *), (*, b) and (*, *), like the first levels of
    # Drain's tree.
    @staticmethod
    def _key(tokens: list[str]) -> tuple[str, str]:
        return tokens[0], tokens[1] if len(tokens) > 1 else ""

    def _candidates(self, length: int, tokens: list[str]) -> Iterator[Template]:
        """Templates of `length` tokens that could take a form starting like `tokens`."""
        buckets = self._index.get(length)
        if not buckets:
            return
        first, second = self._key(tokens)
        for a in (first, WILDCARD) if first != WILDCARD else (WILDCARD,):
            for b in (second, WILDCARD) if second != WILDCARD else (WILDCARD,):
                yield from list(buckets.get((a, b), ()))

    def _covered(self, length: int, tokens: list[str]) -> Iterator[Template]:
        """Templates of `length` tokens that a template starting like `tokens` could take (a
        variable takes any token): found through the keys that share its constant tokens."""
        buckets = self._index.get(length)
        if not buckets:
            return
        first, second = self._key(tokens)
        if first != WILDCARD and second != WILDCARD:
            keys: Iterable[tuple[str, str]] = ((first, second),)
        elif first != WILDCARD:
            keys = list(self._by_first.get((length, first), ()))
        elif second != WILDCARD:
            keys = list(self._by_second.get((length, second), ()))
        else:
            keys = list(buckets)
        for key in keys:
            yield from list(buckets.get(key, ()))

    def _insert(self, template: Template) -> None:
        tokens = template.tokens
        length, key = len(tokens), self._key(tokens)
        buckets = self._index.setdefault(length, {})
        if key not in buckets:
            buckets[key] = []
            self._by_first.setdefault((length, key[0]), set()).add(key)
            self._by_second.setdefault((length, key[1]), set()).add(key)
        buckets[key].append(template)

    def _remove(self, template: Template) -> None:
        bucket = self._index.get(len(template.tokens), {}).get(self._key(template.tokens))
        if bucket is not None and template in bucket:
            bucket.remove(template)

    # -- clustering of new forms ----------------------------------------------------------
    def _place(self, masked: str) -> Template:
        tokens = masked.split() or [masked]
        for template in self._candidates(len(tokens), tokens):
            if template.fits(tokens):
                return template
        for length in range(len(tokens) - 1, max(len(tokens) - 1 - MAX_SPAN, 0), -1):
            for template in self._candidates(length, tokens):
                if (
                    template.constants >= 2
                    and template.constants < length
                    and template.spans(tokens)
                ):
                    return template
        template = Template(tokens)
        self._insert(template)
        if len(self._by_form) >= MAX_CLUSTERED_FORMS:
            return template  # past this, new forms stand alone: memory stays bounded
        return self._register(template)

    def _register(self, template: Template) -> Template:
        """Record the template's value at each position in its context; generalise where a
        context has gathered enough distinct values, then register the general template the
        same way. Returns the template now holding it."""
        while True:
            tokens = template.tokens
            for position, context in enumerate(_context_hashes(tokens)):
                token = tokens[position]
                if token == WILDCARD:
                    continue
                values = self._contexts.setdefault(context, {})
                values.setdefault(token, template)
                if len(values) >= self._needed(template, values):
                    template = self._generalise(tokens, position, values)
                    break
            else:
                return template

    @staticmethod
    def _needed(template: Template, values: dict[str, Template]) -> int:
        """How many distinct values a position needs before it becomes a variable.

        Names and addresses need two, with some context. Plain words need three, with at
        least three constant tokens around them; capitalised words and codes (`Started`,
        `Paused`, `SERVICE_UNAVAILABLE`) name states and outcomes rather than values, and need
        six: a lifecycle of four states stays four templates."""
        context = template.constants - 1
        if all(_looks_like_identifier(value) for value in values):
            return 2 if context >= 1 else NEVER
        if context < 3:
            return NEVER
        if all(value[:1].isupper() for value in values):
            return NAMED_STATES
        return 3

    def _generalise(
        self, tokens: list[str], position: int, values: dict[str, Template]
    ) -> Template:
        general_tokens = [*tokens[:position], WILDCARD, *tokens[position + 1 :]]
        general = next(
            (
                t
                for t in self._candidates(len(tokens), general_tokens)
                if t.tokens == general_tokens
            ),
            None,
        )
        if general is None:
            general = Template(general_tokens)
            self._insert(general)
        absorbed = {_resolve(t) for t in values.values()}
        absorbed.update(
            t
            for t in self._covered(len(tokens), general_tokens)
            if t is not general and general.fits(t.tokens)
        )
        if general.constants >= 2:
            for length in range(len(tokens) + 1, len(tokens) + 1 + MAX_SPAN):
                absorbed.update(
                    t for t in self._covered(length, general_tokens) if general.spans(t.tokens)
                )
        absorbed.discard(general)
        for template in absorbed:
            self._absorb(general, template)
        return general

    def _absorb(self, into: Template, template: Template) -> None:
        template.merged_into = into
        into.count += template.count
        template.count = 0
        self._remove(template)
