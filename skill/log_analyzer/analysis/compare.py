"""What changed in each service's logs around a moment (the pivot): its rate and its templates,
every level included, in a window before the pivot against a window after it.

One pass over the records: those inside the two windows are mined into templates (the
package's miner, one for every service, so that both windows share their templates) and
tallied per (service, masked form); forms are rolled up into templates at the end, once the
miner has finished merging. Times are on corrected clocks when a skew is given.

Rates are per minute of the time each window actually covers: a service's window starts no
earlier than its first record (a log that begins mid-window covers less of it) and ends no
later than the last record of the whole input (where the capture stops). A service that stops
logging while the others go on is silent, not uncovered. Templates are reported only when the
difference is more than chance: a template is new (absent before) when it is a warning or
worse, or when its count scaled to the other window reaches `MIN_EXPECTED`; gone likewise;
changed when both windows have it and its rate moved by `TEMPLATE_RATIO` or more with
`MIN_CHANGED` records on the busier side. Services are ordered by how much of their logging
those changes account for (a root cause whose whole log changed comes before a front end with
many new error routes among much unchanged traffic).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from datetime import UTC, datetime

from pydantic import BaseModel

from ..errors import OptionError
from ..levels import RANK, at_least
from ..mining.group_models import Example
from ..mining.groups import event_form
from ..mining.labels import label_for, request_label
from ..mining.requests import request_level
from ..mining.templates import TemplateMiner
from ..records import Record
from .skew import NOTICEABLE_SECONDS, corrected

DEFAULT_WINDOW = "5m"
MAX_WINDOW_SECONDS = 7 * 86400
MIN_EXPECTED = 3.0  # a template absent from one window: its count scaled to it, at least
TEMPLATE_RATIO = 3.0  # a template's rate moved by this factor, either way
SERVICE_RATIO = 2.0  # a service's whole rate moved by this factor, either way
MIN_CHANGED = 10  # records on the busier side of a moved rate
MAX_EXAMPLE = 1000  # characters of an example's first line
_DURATION = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h)?\s*", re.IGNORECASE)
_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600}


class TemplateChange(BaseModel):
    template_id: str
    template: str
    label: str
    level: str | None
    before: int  # records in the window before the pivot
    after: int
    example: Example  # the first record of the window that shows the change


class ServiceChange(BaseModel):
    service: str
    verdict: str  # "changed: 1 new template (1 error), 2 gone, rate x4.2" or "unchanged"
    # the share of its record rate (both windows) its flagged templates' moves account for,
    # or its whole rate's move, whichever is larger: 0 unchanged, 1 all new or all gone
    score: float
    before_records: int
    after_records: int
    before_seconds: float  # of the window before the pivot, what the service's log covers
    after_seconds: float
    before_per_minute: float | None  # None when the window is not covered at all
    after_per_minute: float | None
    new: list[TemplateChange]  # seen after the pivot, not before
    gone: list[TemplateChange]  # seen before, silent after
    changed: list[TemplateChange]  # in both, at a rate that moved


class Comparison(BaseModel):
    at: datetime  # the pivot
    before_start: datetime
    after_end: datetime
    min_level: str | None
    skew_seconds: dict[str, float]  # the clock corrections applied (service: seconds ahead)
    clock_reference: list[str]  # services whose clocks the others were set against
    services: list[ServiceChange]  # most changed first


def window_seconds(text: str, option: str) -> float:
    """A window length: `90s`, `5m`, `1.5h`; a bare number is minutes."""
    match = _DURATION.fullmatch(text)
    seconds = 0.0
    if match is not None:
        unit = (match.group(2) or "m").lower()
        seconds = float(match.group(1)) * _UNITS[unit]
    if not 0 < seconds <= MAX_WINDOW_SECONDS:
        raise OptionError(f"{option} {text!r}: expected a length from 1s to 168h, like 30s, 5m, 1h")
    return seconds


class _Form:
    """One (service, masked form): counts on each side and the first record of each."""

    __slots__ = ("after", "before", "first_after", "first_before", "level", "literal")

    def __init__(self, literal: bool) -> None:
        self.before = 0
        self.after = 0
        self.level: str | None = None
        self.literal = literal
        self.first_before: tuple[float, Record] | None = None
        self.first_after: tuple[float, Record] | None = None

    def add(self, record: Record, when: float, after: bool, level: str | None) -> None:
        if level is not None and (self.level is None or RANK[level] > RANK[self.level]):
            self.level = level
        if after:
            self.after += 1
            if self.first_after is None or when < self.first_after[0]:
                self.first_after = (when, record)
        else:
            self.before += 1
            if self.first_before is None or when < self.first_before[0]:
                self.first_before = (when, record)


class _Template:
    """The forms of one service's template, rolled up."""

    def __init__(self, template_id: str, text: str, literal: bool) -> None:
        self.template_id = template_id
        self.text = text
        self.literal = literal
        self.tally = _Form(literal)

    def absorb(self, form: _Form) -> None:
        mine = self.tally
        mine.before += form.before
        mine.after += form.after
        if form.level is not None and (mine.level is None or RANK[form.level] > RANK[mine.level]):
            mine.level = form.level
        mine.first_before = _earlier(mine.first_before, form.first_before)
        mine.first_after = _earlier(mine.first_after, form.first_after)


def _earlier(
    mine: tuple[float, Record] | None, theirs: tuple[float, Record] | None
) -> tuple[float, Record] | None:
    if theirs is not None and (mine is None or theirs[0] < mine[0]):
        return theirs
    return mine


def compare_windows(
    records: Iterable[Record],
    at: datetime,
    before_seconds: float,
    after_seconds: float,
    *,
    services: Collection[str] = (),
    min_level: str | None = None,
    skew: Mapping[str, float] | None = None,
    aliases: Mapping[str, str] | None = None,
    limit: int | None = None,
) -> Comparison:
    """Compare every service's logs (or those of `services`) in `before_seconds` before `at`
    and `after_seconds` from it. `skew` (seconds each service's clock runs ahead, by the
    names `aliases` maps record services to) puts records on one clock, that of the services
    without a correction (the pivot is read on it); `limit` caps each
    list of templates per service (the verdicts count them all)."""
    reference = sorted(s for s, v in (skew or {}).items() if abs(v) < NOTICEABLE_SECONDS)
    skew = {s: v for s, v in (skew or {}).items() if abs(v) >= NOTICEABLE_SECONDS}
    aliases = aliases or {}
    wanted = frozenset(aliases.get(s, s) for s in services)
    pivot = at.timestamp()
    start, end = pivot - before_seconds, pivot + after_seconds
    miner = TemplateMiner()
    forms: dict[tuple[str, str], _Form] = {}
    firsts: dict[str, float] = {}  # service -> its earliest record
    last: float | None = None  # the latest record of the whole input
    for record in records:
        stamp = record.timestamp
        if stamp is None:
            continue
        service = aliases.get(record.service, record.service)
        when = corrected(stamp, service, skew) if skew else stamp.timestamp()
        if last is None or when > last:
            last = when
        if wanted and service not in wanted:
            continue
        first = firsts.get(service)
        if first is None or when < first:
            firsts[service] = when
        if not start <= when < end:
            continue
        level = request_level(record)
        if min_level is not None and not at_least(level, min_level):
            continue
        _, masked, literal = event_form(record)
        key = (service, masked)
        form = forms.get(key)
        if form is None:
            form = forms[key] = _Form(literal)
            if literal:
                miner.add_literal(masked)
            else:
                miner.add(masked)
        form.add(record, when, when >= pivot, level)
    templates: dict[str, dict[str, _Template]] = {name: {} for name in wanted}
    for (service, masked), form in forms.items():
        template = miner.template_of(masked)
        if template is None:  # pragma: no cover - every form was added to the miner
            continue
        held = templates.setdefault(service, {})
        rolled = held.get(template.id)
        if rolled is None:
            rolled = held[template.id] = _Template(template.id, template.text, form.literal)
        rolled.absorb(form)
    changes = [
        _service_change(
            service,
            list(held.values()),
            _covered(start, pivot, firsts.get(service), last),
            _covered(pivot, end, firsts.get(service), last),
            limit,
        )
        for service, held in templates.items()
    ]
    changes.sort(key=lambda c: (-c.score, -len(c.new) - len(c.gone) - len(c.changed), c.service))
    return Comparison(
        at=_utc(pivot),
        before_start=_utc(start),
        after_end=_utc(end),
        min_level=min_level,
        skew_seconds=skew,
        clock_reference=reference if skew else [],
        services=changes,
    )


def _covered(start: float, end: float, first: float | None, last: float | None) -> float:
    """Seconds of [start, end) a service's log covers: from its first record at the
    earliest, to the input's last at the latest."""
    if first is None or last is None:
        return 0.0
    return max(0.0, min(end, last) - max(start, first))


def _per_minute(count: int, seconds: float) -> float | None:
    return round(count * 60 / seconds, 2) if seconds > 0 else None


def _service_change(
    service: str,
    templates: list[_Template],
    before_seconds: float,
    after_seconds: float,
    limit: int | None,
) -> ServiceChange:
    before = sum(t.tally.before for t in templates)
    after = sum(t.tally.after for t in templates)
    new: list[TemplateChange] = []
    gone: list[TemplateChange] = []
    moved: list[TemplateChange] = []
    covered = before_seconds > 0 and after_seconds > 0
    moves = 0.0  # records per second, before and after, of the flagged templates
    for template in templates if covered else []:
        tally = template.tally
        kind = _kind(tally, before_seconds, after_seconds)
        if kind is not None:
            target = {"new": new, "gone": gone, "changed": moved}[kind]
            target.append(_change(service, template, kind))
            moves += abs(tally.after / after_seconds - tally.before / before_seconds)
    new.sort(key=lambda c: (-_rank(c.level), -c.after, c.template))
    gone.sort(key=lambda c: (-c.before, -_rank(c.level), c.template))
    moved.sort(key=lambda c: (-_rank(c.level), -abs(c.after - c.before), c.template))
    rate_before = _per_minute(before, before_seconds)
    rate_after = _per_minute(after, after_seconds)
    parts: list[str] = []
    if new:
        errors = sum(1 for c in new if _rank(c.level) >= RANK["error"])
        parts.append(
            f"{_plural(len(new), 'new template')}"
            + (f" ({_plural(errors, 'error')})" if errors else "")
        )
    if gone:
        parts.append(f"{len(gone)} gone")
    if moved:
        parts.append(f"{len(moved)} at another rate")
    score = 0.0
    if covered and (before or after):
        score = moves / (before / before_seconds + after / after_seconds)
    rate = _rate_part(before, after, before_seconds, after_seconds)
    if rate is not None:
        parts.append(rate)
        rate_before_s, rate_after_s = before / before_seconds, after / after_seconds
        score = max(score, abs(rate_after_s - rate_before_s) / (rate_after_s + rate_before_s))
    if not covered:
        verdict = (
            "no records in either window"
            if not before and not after
            else f"not compared: the log covers no time {'before' if after else 'after'} the pivot"
        )
    else:
        verdict = f"changed: {', '.join(parts)}" if parts else "unchanged"
    cut = slice(None, limit)
    return ServiceChange(
        service=service,
        verdict=verdict,
        score=round(score, 3),
        before_records=before,
        after_records=after,
        before_seconds=round(before_seconds, 3),
        after_seconds=round(after_seconds, 3),
        before_per_minute=rate_before,
        after_per_minute=rate_after,
        new=new[cut],
        gone=gone[cut],
        changed=moved[cut],
    )


def _kind(form: _Form, before_seconds: float, after_seconds: float) -> str | None:
    """new, gone, changed, or None (no difference beyond chance). Each count is set against
    the other's scaled by the windows' covered lengths."""
    before, after = form.before, form.after
    if before == 0:
        serious = _rank(form.level) >= RANK["warning"]
        return "new" if serious or after * before_seconds / after_seconds >= MIN_EXPECTED else None
    if after == 0:
        return "gone" if before * after_seconds / before_seconds >= MIN_EXPECTED else None
    ratio = (after / after_seconds) / (before / before_seconds)
    moved = ratio >= TEMPLATE_RATIO or ratio <= 1 / TEMPLATE_RATIO
    return "changed" if moved and max(before, after) >= MIN_CHANGED else None


def _rate_part(before: int, after: int, before_seconds: float, after_seconds: float) -> str | None:
    """The verdict's words for a service's whole rate, when it moved beyond chance."""
    if before_seconds <= 0 or after_seconds <= 0:
        return None
    if before == 0:
        scaled = after * before_seconds / after_seconds
        return "silent before the pivot" if scaled >= MIN_EXPECTED else None
    if after == 0:
        scaled = before * after_seconds / before_seconds
        return "silent after the pivot" if scaled >= MIN_EXPECTED else None
    ratio = (after / after_seconds) / (before / before_seconds)
    if max(before, after) < MIN_CHANGED or 1 / SERVICE_RATIO < ratio < SERVICE_RATIO:
        return None
    shown = f"{ratio:.0f}" if ratio >= 10 else f"{ratio:.2g}"
    return f"rate x{shown}"


def _change(service: str, template: _Template, kind: str) -> TemplateChange:
    tally = template.tally
    side = tally.first_before if kind == "gone" or tally.first_after is None else tally.first_after
    assert side is not None  # a template is on one side at least
    record = side[1]
    return TemplateChange(
        template_id=template.template_id,
        template=template.text,
        label=(
            request_label(service, template.text, record.message, record.fields)
            if template.literal
            else label_for(record.message, service, record.fields, template.text)
        ),
        level=tally.level,
        before=tally.before,
        after=tally.after,
        example=Example(
            file=record.file,
            line=record.line,
            text=record.message.split("\n", 1)[0][:MAX_EXAMPLE],
        ),
    )


def _rank(level: str | None) -> int:
    return RANK[level] if level is not None else RANK["info"]


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _utc(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)
