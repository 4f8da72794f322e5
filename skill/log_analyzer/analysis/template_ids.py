"""Template ids a user can count on: every record of the input with its final template.

Templates merge as the miner sees more of the input, so the id of a record's template at the
moment it was read (a provisional id) may be gone a thousand lines later. For files, the input
is mined first and the records are written after, each with the template it ends in: one id
per event, the same for the first and the last record of it. A first pass keeps, for each
file, its distinct masked forms in order of first occurrence and the form of each record (four
bytes per record); the miner is fed the forms in that order, which gives the templates of one
plain pass, and the second pass reads the records again and looks their templates up, with no
masking. The first pass is an analysis of the on-disk index, so a second run over unchanged
files skips it, and a grown file is mined only past what was seen.

A stream (standard input, a FIFO) cannot be read twice: its records carry the template known
when they were read, and say so (`final` False).
"""

from __future__ import annotations

import os
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import chain

from ..filters import RecordFilter
from ..index import Analysis, IndexReport, IndexStore, run_analysis
from ..ingest import OpenedSources, SourceParser, SourceStats, merge_stats
from ..mining import MINING_VERSION
from ..mining.groups import event_form, template_for
from ..mining.templates import Template, TemplateMiner
from ..records import Record
from .parallel import Part, worker_count

_CODE = "I"  # an unsigned int per record: the number of its form
assert array(_CODE).itemsize == 4


@dataclass
class FormLedger:
    """What mining needs of one part of a file: its distinct forms in order of first
    occurrence (with whether each is literal, an access-log event), the number of each
    record's form in record order (`codes`, 4 bytes each), and the part's statistics."""

    forms: list[str]
    literal: list[bool]
    codes: bytes
    stats: SourceStats

    def merge(self, later: FormLedger) -> FormLedger:
        """Add the ledger of the part that follows (this one changes and is returned)."""
        numbers = {form: n for n, form in enumerate(self.forms)}
        mapping = []
        for form, literal in zip(later.forms, later.literal, strict=True):
            number = numbers.get(form)
            if number is None:
                number = numbers[form] = len(self.forms)
                self.forms.append(form)
                self.literal.append(literal)
            mapping.append(number)
        codes = array(_CODE)
        codes.frombytes(later.codes)
        self.codes += array(_CODE, [mapping[code] for code in codes]).tobytes()
        self.stats = merge_stats([self.stats, later.stats])
        return self


def ledger_of(parser: SourceParser, each: Callable[[Record], object] | None = None) -> FormLedger:
    """The ledger of what `parser` reads; `each` is also given every record, in order."""
    numbers: dict[str, int] = {}
    forms: list[str] = []
    literal: list[bool] = []
    codes = array(_CODE)
    for record in parser:
        if each is not None:
            each(record)
        _, form, is_literal = event_form(record)
        number = numbers.get(form)
        if number is None:
            number = numbers[form] = len(forms)
            forms.append(form)
            literal.append(is_literal)
        codes.append(number)
    return FormLedger(forms, literal, codes.tobytes(), parser.stats)


def _ledger_of_part(part: Part) -> FormLedger:
    return ledger_of(part.parser())


def _merge(first: FormLedger, second: FormLedger) -> FormLedger:
    return first.merge(second)


def _stats_of(ledger: FormLedger) -> SourceStats:
    return ledger.stats


LEDGERS: Analysis[FormLedger] = Analysis(
    "template-ids", f"mining={MINING_VERSION}", _ledger_of_part, _merge, _stats_of
)


Row = tuple[Record, Template, bool]


@dataclass
class TemplatedRecords:
    """The records of a workspace, each with its template and whether that template is final
    (read lazily: `streams` one per source, `rows` all of them in input order), and what came
    from the on-disk index."""

    final: bool
    streams: list[Iterator[Row]]
    index: IndexReport | None = None

    @property
    def rows(self) -> Iterator[Row]:
        return chain.from_iterable(self.streams)


def templated_records(
    workspace: OpenedSources,
    keep: RecordFilter | None = None,
    store: IndexStore | None = None,
    workers: int | None = None,
    mined: tuple[list[FormLedger], IndexReport | None] | None = None,
) -> TemplatedRecords:
    """The records of `workspace` that `keep` keeps, each with its template.

    When every source is a file, the templates are final: the whole input is mined first
    (every record, whatever `keep` keeps, so an id does not depend on the filters), through
    the index when `store` is given, unless `mined` holds the files' ledgers already.
    Otherwise the input is read once and each record gets the template known when it was
    read (provisional)."""
    if keep is not None and keeps_all(keep):
        keep = None
    if any(parser.source.path is None for parser in workspace.parsers):
        miner = TemplateMiner()
        streams = [_streamed(parser, miner, keep) for parser in workspace.parsers]
        return TemplatedRecords(False, streams)
    identities = [_identity(parser) for parser in workspace.parsers]
    if mined is None:
        mined = run_analysis(workspace, LEDGERS, worker_count(workers), store)
    ledgers, index = mined
    miner = miner_of(ledgers)
    streams = [
        _final(parser, ledger, identity, miner, keep)
        for parser, ledger, identity in zip(workspace.parsers, ledgers, identities, strict=True)
    ]
    return TemplatedRecords(True, streams, index)


def miner_of(ledgers: list[FormLedger]) -> TemplateMiner:
    """The miner fed every form of `ledgers`, in order: the templates of one plain pass."""
    miner = TemplateMiner()
    for ledger in ledgers:
        for form, literal in zip(ledger.forms, ledger.literal, strict=True):
            if literal:
                miner.add_literal(form)
            else:
                miner.add(form)
    return miner


def _streamed(
    parser: SourceParser, miner: TemplateMiner, keep: RecordFilter | None
) -> Iterator[Row]:
    records = iter(parser)
    for record in keep(records) if keep is not None else records:
        template, _ = template_for(miner, record)
        yield record, template, False


def _final(
    parser: SourceParser,
    ledger: FormLedger,
    identity: tuple[int, int, int] | None,
    miner: TemplateMiner,
    keep: RecordFilter | None,
) -> Iterator[Row]:
    """Each record of a file with its final template, by its number in the file's ledger. A
    file that changed since it was mined (or records past its end then) is looked up by
    masking, and a form not mined then gets a provisional template."""
    rows = _tagged(parser, ledger, identity, miner)
    if keep is None:
        return rows
    return _kept(rows, keep)


def _tagged(
    parser: SourceParser,
    ledger: FormLedger,
    identity: tuple[int, int, int] | None,
    miner: TemplateMiner,
) -> Iterator[Row]:
    forms = ledger.forms
    templates: list[Template] = []
    for form in forms:
        template = miner.template_of(form)
        assert template is not None  # every form of the ledger was mined
        templates.append(template)
    codes = array(_CODE)
    codes.frombytes(ledger.codes)
    records = iter(parser)
    if identity is not None and identity == _identity(parser):
        # `codes` first: when it ends, zip stops before taking a record
        for code, record in zip(codes, records, strict=False):
            template = templates[code]
            if template.merged_into is not None:  # another file's new forms merged it
                resolved = miner.template_of(forms[code])
                assert resolved is not None
                template = templates[code] = resolved
            yield record, template, True
    for record in records:  # a file changed since it was mined, or what it gained since
        _, form, literal = event_form(record)
        known = miner.template_of(form)
        if known is not None:
            yield record, known, True
        else:
            yield record, miner.add_literal(form) if literal else miner.add(form), False


def _kept(rows: Iterator[Row], keep: RecordFilter) -> Iterator[Row]:
    """The rows whose records `keep` keeps. The filter passes records through one by one,
    so the row read last is the one of the record it yields."""
    last: list[Row] = []

    def records() -> Iterator[Record]:
        for row in rows:
            last[:] = (row,)
            yield row[0]

    for _ in keep(records()):
        yield last[0]


def keeps_all(keep: RecordFilter) -> bool:
    """True for a filter with nothing to filter: no window, services or level."""
    return type(keep) is RecordFilter and not keep.narrows and keep.min_level is None


def _identity(parser: SourceParser) -> tuple[int, int, int] | None:
    """What tells that a file changed between the two passes (None when it cannot be read)."""
    path = parser.source.path
    if path is None:
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_ino, stat.st_size, stat.st_mtime_ns
