"""Format detection: score every candidate on a sample of a source's lines, keep the best and
the runners-up (files mix formats: gunicorn lines between structlog JSON), per line."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..timestamps import Clock
from .base import LogFormat
from .envelopes import ENVELOPES, Envelope, plain_text, unwrap_lines
from .fallback import GENERIC, LEVEL_PREFIX, PLAIN, header_level, is_comment
from .multiline import is_continuation
from .registry import FORMATS, get_format

ENVELOPE_SHARE = 0.6  # share of sample lines an envelope must read to be taken
MAX_FALLBACKS = 4
NEAR_TIE = 0.97
SPECIFIC_SHARE = 0.6  # a specific format reading this share of the headers beats the generic


@dataclass
class Detection:
    """The format of a source: the primary format, the others to try on lines it cannot read,
    and the envelope around each line, if any."""

    primary: LogFormat
    fallbacks: list[LogFormat] = field(default_factory=list)
    envelope: Envelope | None = None
    share: float = 0.0  # share of the sample's header lines the primary format read

    @property
    def name(self) -> str:
        if self.envelope is None:
            return self.primary.name
        if self.primary is PLAIN:
            return self.envelope.name
        return f"{self.envelope.name}+{self.primary.name}"


def detect(sample: list[str], forced: str | None = None) -> Detection:
    """Detect the format of `sample` (lines from the start, middle and end of a source)."""
    clock = Clock()  # a throwaway clock: detection must not move the source's year tracking
    lines = [plain_text(line) for line in sample if line.strip()]
    if forced is not None:
        chosen = get_format(forced)
        if isinstance(chosen, Envelope):
            return _detect_inner(_unwrap_all(chosen, lines, clock), clock, chosen)
        bound = chosen.for_source(lines)
        return Detection(bound, [f for f in (GENERIC,) if f is not chosen], None, 1.0)
    bare = _detect_inner(lines, clock, None)
    for envelope in ENVELOPES:
        hits = sum(1 for line in lines if envelope.unwrap(line, clock) is not None)
        if not lines or hits < ENVELOPE_SHARE * len(lines):
            continue
        inner = _unwrap_all(envelope, lines, clock)
        wrapped = _detect_inner(inner, clock, envelope)
        if envelope.name in _SPECIFIC_ENVELOPES:
            return wrapped
        if bare.primary is GENERIC:
            # the generic reader reads the level a header names after a stamp: the envelope
            # wins only where its inner format reads more of them (`2026-...Z E1128 14:02:03
            # ...` klog, `level=error` logfmt), not `2026-...Z info vpxd[812]` or `[INFO]`
            stated = sum(1 for line in lines if header_level(line))
            if _stated_levels(wrapped.primary, inner, clock) > stated:
                return wrapped
        elif _envelope_reads_better(wrapped, bare):
            return wrapped
    return bare


# These envelopes cannot be mistaken for an application's own header; `kubectl` (a bare
# RFC 3339 stamp) can: Spring Boot and zap lines start with one too.
_SPECIFIC_ENVELOPES = frozenset({"cri", "docker-json"})


def _envelope_reads_better(wrapped: Detection, bare: Detection) -> bool:
    if bare.primary is PLAIN:
        return True
    return (
        wrapped.primary is not PLAIN
        and wrapped.primary.priority > bare.primary.priority
        and wrapped.share >= NEAR_TIE * bare.share
    )


def _stated_levels(fmt: LogFormat, lines: list[str], clock: Clock) -> int:
    """How many of `lines` name their level in a way `fmt` reads."""
    stated = 0
    for line in lines:
        parsed = fmt.parse(line, clock)
        stated += parsed is not None and parsed.level is not None
    return stated


def _unwrap_all(envelope: Envelope, lines: list[str], clock: Clock) -> list[str]:
    """The logical lines inside the envelopes, as the parse will see them (partial entries
    joined)."""
    return [text for _, text, _, _ in unwrap_lines(lines, envelope, clock) if text.strip()]


def _scored(lines: list[str], headers: list[str], clock: Clock) -> list[tuple[int, int, LogFormat]]:
    """(lines read, priority, format) of each detectable format that reads any of `headers`."""
    scored: list[tuple[int, int, LogFormat]] = []
    for prototype in FORMATS:
        if not prototype.detectable:
            continue
        fmt = prototype.for_source(lines)
        hits = sum(1 for line in headers if fmt.parse(line, clock) is not None)
        if hits:
            scored.append((hits, fmt.priority, fmt))
    return scored


def _detect_inner(lines: list[str], clock: Clock, envelope: Envelope | None) -> Detection:
    # headers and comments (`#Fields: ...`) are no format's lines: left out of the shares
    headers = [
        line for line in lines if not is_continuation(line) and not is_comment(line)
    ] or lines
    if not headers:
        return Detection(PLAIN, [], envelope, 0.0)
    scored = _scored(lines, headers, clock)
    if not scored and len(headers) < len(lines):
        # no format reads the lines that start records: a banner (`==> Nomad agent started!`)
        # above records that are all indented (what `nomad agent` writes), which read as
        # continuations; the indented lines are scored too
        headers = [line for line in lines if line.strip() and not is_comment(line)]
        scored = _scored(lines, headers, clock)
    if not scored:
        return Detection(PLAIN, [], envelope, 0.0)
    # Near-ties go to the more specific format: a generic reader that also reads the odd line a
    # specific format misses must not win on that line alone.
    most = max(hits for hits, _, _ in scored)
    scored.sort(key=lambda item: (item[0] >= NEAR_TIE * most, item[1], item[0]), reverse=True)
    best_hits, _, best = scored[0]
    if best is GENERIC:
        # the generic reader takes any stamped line; a specific format that reads most of them
        # is the file's format, and the generic reader stays the fallback for the rest (JVM
        # GC lines between Spring Boot's)
        specific = [item for item in scored if item[2] not in (GENERIC, LEVEL_PREFIX, PLAIN)]
        if specific:
            hits, _, fmt = max(specific, key=lambda item: (item[0], item[1]))
            if hits >= SPECIFIC_SHARE * len(headers):
                scored.remove((hits, fmt.priority, fmt))
                scored.insert(0, (hits, fmt.priority, fmt))
                best_hits, best = hits, fmt
    fallbacks = [fmt for _, _, fmt in scored[1 : 1 + MAX_FALLBACKS]]
    if GENERIC not in fallbacks and best is not GENERIC:
        fallbacks.append(GENERIC)
    return Detection(best, fallbacks, envelope, best_hits / len(headers))
