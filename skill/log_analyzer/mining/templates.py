"""The template miner: groups masked messages into templates, streaming, with no configuration.

Most lines repeat a masked form already seen: a dictionary from masked form to template answers
them with one lookup. Only new forms reach the clustering, which improves on Drain's weak spots:

- A token position becomes a variable only when the evidence says so: several distinct values
  in the same context, as many as what differs between them calls for (`values`): two names
  or addresses, three plain words with at least three constant tokens around them
  (`Invalid user <*> from <*>`), six states or codes, never two flags or two keys. Short
  templates never merge on one differing word (`VM Started` and `VM Paused` stay apart).
- A variable takes only the part of a token that differs (`user=<*>`, `Surface(name=<*>)`):
  a token under another key is another event.
- Fields of one event that change together (`tag="AudioMix", name=audioserver` and
  `tag="RILJ_ACK_WL", name=com.android.phone`) merge at once, several positions together.
- A variable may span several tokens (`Invalid user John Smith from ...`): a form longer than a
  template joins it when the template's constant tokens match in order around its variables.
- Template ids are a hash of the template text: stable across runs and machines.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator

from .masking import WILDCARD
from .values import Values, fields_differ, is_value, key_of

MAX_CLUSTERED_FORMS = 500_000
MAX_SPAN = 1  # tokens one variable may span beyond its own (`John Smith`)
MAX_PEERS = 32  # templates of one shape a new template is compared with (`_merge_fields`)


class Template:
    """A cluster of masked forms. `merged_into` points at the template that absorbed it.

    `partial` maps the positions whose variable takes only part of a token (`user=<*>`) to the
    prefix and suffix a token there must have."""

    __slots__ = ("_id", "_pattern", "constants", "count", "merged_into", "partial", "tokens")

    def __init__(self, tokens: list[str], partial: dict[int, tuple[str, str]] | None = None):
        self.tokens = tokens
        self.partial = partial or {}
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
            self._id = hashlib.blake2b(
                self.text.encode("utf-8", "surrogatepass"), digest_size=6
            ).hexdigest()
        return self._id

    def takes(self, position: int, token: str) -> bool:
        """True when the template's token at `position` matches `token`."""
        mine = self.tokens[position]
        if mine in (token, WILDCARD):
            return True
        bounds = self.partial.get(position)
        if bounds is None:
            return False
        prefix, suffix = bounds
        return (
            len(token) > len(prefix) + len(suffix)
            and token.startswith(prefix)
            and token.endswith(suffix)
        )

    def fits(self, tokens: list[str]) -> bool:
        """True when `tokens` (same length) match every constant token of the template."""
        if not self.partial:
            for mine, theirs in zip(self.tokens, tokens, strict=True):
                if mine != theirs and mine != WILDCARD:
                    return False
            return True
        return all(self.takes(position, token) for position, token in enumerate(tokens))

    def spans(self, tokens: list[str]) -> bool:
        """True when a longer masked form matches: the constant tokens in order, each variable
        taking one to `1 + MAX_SPAN` tokens. A dynamic programme over token positions (a regex
        of `\\S+( \\S+){0,4}` per variable backtracks exponentially on a miss)."""
        mine = self.tokens
        if not self.takes(0, tokens[0]) or not self.takes(len(mine) - 1, tokens[-1]):
            return False
        reachable = {0}
        for position, token in enumerate(mine):
            following: set[int] = set()
            for start in reachable:
                if start >= len(tokens):
                    continue
                if token != WILDCARD and position not in self.partial:
                    if token == tokens[start]:
                        following.add(start + 1)
                    continue
                # a variable: this token and up to MAX_SPAN words after it
                end = start + 1
                while True:
                    if self.takes(position, " ".join(tokens[start:end])):
                        following.add(end)
                    if end >= min(start + 1 + MAX_SPAN, len(tokens)):
                        break
                    if not _word_like(tokens[end]) and position not in self.partial:
                        break
                    end += 1
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


def _context_hashes(tokens: list[str]) -> list[int]:
    """For each position, a hash of the form's length, the position, the key of the token
    there (`user=`, or none) and every other token: forms that differ at that position alone,
    under one key, share it. Chains of hashes over the prefixes and the suffixes make it one
    pass; hashing each position's whole context was quadratic in the number of tokens (a
    minute for a line of 50,000)."""
    length = len(tokens)
    prefixes = [0] * (length + 1)
    for position, token in enumerate(tokens):
        prefixes[position + 1] = hash((prefixes[position], token))
    suffixes = [0] * (length + 1)
    for position in range(length - 1, -1, -1):
        suffixes[position] = hash((tokens[position], suffixes[position + 1]))
    return [
        hash(
            (length, position, key_of(tokens[position]), prefixes[position], suffixes[position + 1])
        )
        for position in range(length)
    ]


def _shape(tokens: list[str]) -> tuple[str, ...]:
    """The tokens with their values left out (a value stands for any value under its key):
    templates of one shape may differ in several fields at once."""
    return tuple(key_of(token) if is_value(token) else token for token in tokens)


def _word_like(token: str) -> bool:
    """A token a multi-token variable may take: a word, not `key=value` structure."""
    return "=" not in token and ":" not in token and WILDCARD not in token


def _index_key(template: Template) -> tuple[str, str]:
    """A template's key in the index: its first two tokens, a partial variable counting as a
    variable (it takes tokens that differ from its text)."""
    tokens = template.tokens
    first = WILDCARD if 0 in template.partial else tokens[0]
    if len(tokens) < 2:
        return first, ""
    return first, WILDCARD if 1 in template.partial else tokens[1]


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
        # hash of (length, position, key, the form's other tokens) -> the values there
        self._contexts: dict[int, Values[Template]] = {}
        # the shape of a template (`_shape`) -> the last templates of that shape
        self._shapes: dict[tuple[str, ...], list[Template]] = {}

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

    def _covered(self, length: int, template: Template) -> Iterator[Template]:
        """Templates of `length` tokens that a template could take (a variable takes any
        token): found through the keys that share its constant tokens."""
        buckets = self._index.get(length)
        if not buckets:
            return
        first, second = _index_key(template)
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
        length, key = len(template.tokens), _index_key(template)
        buckets = self._index.setdefault(length, {})
        if key not in buckets:
            buckets[key] = []
            self._by_first.setdefault((length, key[0]), set()).add(key)
            self._by_second.setdefault((length, key[1]), set()).add(key)
        buckets[key].append(template)

    def _remove(self, template: Template) -> None:
        bucket = self._index.get(len(template.tokens), {}).get(_index_key(template))
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
                    and (template.constants < length or template.partial)
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
        context has gathered enough distinct values, or where it differs from a template of
        its shape in fields only (`_merge_fields`), then register the general template the
        same way. Returns the template now holding it."""
        while True:
            tokens = template.tokens
            for position, context in enumerate(_context_hashes(tokens)):
                token = tokens[position]
                if token == WILDCARD or position in template.partial:
                    continue
                values = self._contexts.get(context)
                if values is None:
                    values = self._contexts[context] = Values()
                values.add(token, template)
                if len(values.values) >= values.needed(template.constants):
                    template = self._generalise(
                        template, {position: values.variable()}, values.values.values()
                    )
                    break
            else:
                general = self._merge_fields(template)
                if general is None:
                    return template
                template = general

    def _merge_fields(self, template: Template) -> Template | None:
        """The template that merges `template` with a recent template of its shape from which
        it differs at several positions, each in a value, one at least a name or an address
        (`values.fields_differ`): the fields of one event, changing together. None when
        there is none. Compares with the last `MAX_PEERS` templates of the shape only."""
        tokens = template.tokens
        peers = self._shapes.setdefault(_shape(tokens), [])
        live = [peer for peer in peers[-MAX_PEERS:] if peer.merged_into is None]
        live = [peer for peer in live if peer is not template]
        peers[:] = [*live, template]
        for peer in reversed(live):
            differ = [i for i, (a, b) in enumerate(zip(tokens, peer.tokens, strict=True)) if a != b]
            constants = template.constants - len(differ)
            if len(differ) < 2 or constants < max(2, len(differ)):
                continue
            variables = fields_differ([(tokens[i], peer.tokens[i]) for i in differ])
            if variables is not None:
                changes = dict(zip(differ, variables, strict=True))
                return self._generalise(template, changes, (peer,))
        return None

    def _generalise(
        self,
        template: Template,
        changes: dict[int, tuple[str, str]],
        members: Iterable[Template],
    ) -> Template:
        """The template with variables at the positions of `changes` (each the prefix and
        suffix around the variable there: `<*>`, or a partial variable like `user=<*>`), made
        or found, having absorbed `template`, the `members` and every template it covers."""
        tokens = template.tokens
        general_tokens = tokens[:]
        partial = {
            position: bounds
            for position, bounds in template.partial.items()
            if position not in changes
        }
        for position, (prefix, suffix) in changes.items():
            general_tokens[position] = prefix + WILDCARD + suffix
            if prefix or suffix:
                partial[position] = (prefix, suffix)
        candidate = Template(general_tokens, partial)
        general = next(
            (
                t
                for t in self._covered(len(tokens), candidate)
                if t.tokens == general_tokens and t.partial == partial
            ),
            None,
        )
        if general is None:
            general = candidate
            self._insert(general)
        absorbed = {_resolve(t) for t in members}
        absorbed.add(_resolve(template))
        absorbed.update(
            t
            for t in self._covered(len(tokens), general)
            if t is not general and general.fits(t.tokens)
        )
        if general.constants >= 2:
            for length in range(len(tokens) + 1, len(tokens) + 1 + MAX_SPAN):
                absorbed.update(
                    t for t in self._covered(length, general) if general.spans(t.tokens)
                )
        absorbed.discard(general)
        for absorbed_template in absorbed:
            self._absorb(general, absorbed_template)
        return general

    def _absorb(self, into: Template, template: Template) -> None:
        template.merged_into = into
        into.count += template.count
        template.count = 0
        self._remove(template)
