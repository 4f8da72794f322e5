"""`monitor`: watch files for a few minutes after a fix and say whether errors are back to
normal. The library function behind `log-analyzer watch` (and the agent's tool).

Buckets are laid out from the moment the watch begins: bucket k covers [k, k+1) intervals of
the monotonic clock after the start, shown with its start in UTC. A record goes in the bucket
of its own timestamp when that is near the time it was read (within two buckets, and five
seconds at least), else in the bucket of when it was read: a writer that buffers its lines
for a moment still has them counted in the minute they happened, while a log whose clock is
off (a naive local time read as UTC, a skewed host) or that replays old lines is counted as it
arrives. A bucket stays open for a short grace after its end (a poll at least) so that lines
written just before the end are read in time; a record whose bucket has closed goes in the
oldest open one.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from ..errors import OptionError, SourceError
from ..ingest import ParseOptions
from ..levels import at_least
from ..mining.group_models import Example
from ..mining.labels import exception_of, label_for
from ..mining.templates import Template
from ..records import Record
from ..sources.discover import Source, discover
from .baseline import Existing, Novelty, read_existing
from .follow import Follower
from .models import BucketReport, NewGroup, Progress, WatchEvent, WatchResult, WatchStarted
from .stream import Arrival, RecordStream
from .verdict import exit_status, normal_streak, state_of, verdict_of

DEFAULT_POLL = 0.5
NEAR_NOW_MIN_SECONDS = 5.0
_GLOB_CHARS = re.compile(r"[*?\[]")


def poll_period(interval: float, poll: float | None = None) -> float:
    """The polling period: `poll`, else half a second or a tenth of a bucket if smaller."""
    return poll if poll is not None else min(DEFAULT_POLL, interval / 10)


def grace_period(interval: float, poll: float) -> float:
    """How long a bucket stays open after its end: a poll at least, a quarter of a bucket
    (at most two seconds) when longer."""
    return max(poll, min(interval / 4, 2.0))


@dataclass
class _BucketTally:
    errors: Counter[str] = field(default_factory=Counter)
    records: int = 0
    new_groups: list[NewGroup] = field(default_factory=list)


class _Watch:
    """One watch: its state between polls. `monitor` is the way in."""

    def __init__(
        self,
        paths: Sequence[str],
        minutes: int,
        interval: float,
        settle: int,
        options: ParseOptions,
        poll: float,
        until_settled: bool,
        min_level: str,
        services: Sequence[str],
        clock: Callable[[], float],
        emit: Callable[[WatchEvent], None],
    ) -> None:
        self.minutes, self.interval, self.settle = minutes, interval, settle
        self.poll, self.grace = poll, grace_period(interval, poll)
        self.near_now = max(2 * interval, NEAR_NOW_MIN_SECONDS)
        self.until_settled, self.min_level = until_settled, min_level
        self.services = frozenset(services)
        self.clock, self.emit = clock, emit
        sources, warnings = _sources(paths)
        # Following starts before the existing content is read: the baseline reads up to
        # where the follower begins, so nothing written meanwhile is lost or counted twice.
        self.follower = Follower(paths)
        self.novelty = Novelty()
        try:
            self.existing: Existing = read_existing(
                sources,
                self.follower.starts,
                options,
                interval,
                min_level,
                self.novelty,
                self.services,
            )
        except BaseException:
            self.follower.close()
            raise
        self.warnings = warnings + self.existing.warnings
        self.stream = RecordStream(options, self.existing.detections)
        self.known_services = {s for s in self.existing.services if self._wanted(s)}
        self.tallies: dict[int, _BucketTally] = {}
        self.buckets: list[BucketReport] = []
        self.new_groups: list[NewGroup] = []
        self.notices: list[str] = []
        self.wall_start = datetime.now(UTC)
        self.start = clock()

    # -- the loop ------------------------------------------------------------------------
    def run(self, sleep: Callable[[float], None], stop: threading.Event | None) -> WatchResult:
        interrupted = False
        try:
            self.emit(
                WatchStarted(
                    files=self.follower.files,
                    baseline=self.existing.report,
                    buckets=self.minutes,
                    bucket_seconds=self.interval,
                    settle=self.settle,
                    started=self.wall_start,
                    warnings=self.warnings,
                )
            )
            while len(self.buckets) < self.minutes:
                if stop is not None and stop.is_set():
                    interrupted = True
                    break
                self._take(self.clock())
                if self._close_due(self.clock()):
                    break
                now = self.clock()
                self.emit(Progress(self._report(self._current(now)), now - self.start))
                deadline = self.start + (len(self.buckets) + 1) * self.interval + self.grace
                sleep(max(0.0, min(self.poll, deadline - now)))
        except KeyboardInterrupt:
            interrupted = True
        finally:
            self.follower.close()
        return self._result(interrupted)

    def _take(self, now: float) -> None:
        """Read what was written since the last poll and count it."""
        chunks, notices = self.follower.poll()
        for notice in notices:
            self.notices.append(notice.describe())
            self.emit(notice)
        self._count(self.stream.push(chunks, now))

    def _close_due(self, now: float) -> bool:
        """Close the buckets whose grace has passed; True when the watch should end early."""
        while len(self.buckets) < self.minutes:
            index = len(self.buckets)
            if now < self.start + (index + 1) * self.interval + self.grace:
                return False
            if index == self.minutes - 1:
                self._count(self.stream.flush())  # the last records, complete or not
            report = self._report(index)
            self.tallies.pop(index, None)
            self.buckets.append(report)
            self.emit(report)
            if self.until_settled and report.normal_streak >= self.settle:
                return True
        return False

    # -- counting ------------------------------------------------------------------------
    def _count(self, arrivals: list[Arrival]) -> None:
        for arrival in arrivals:
            record = arrival.record
            if not self._wanted(record.service):
                continue
            index, when = self._place(arrival)
            tally = self.tallies.setdefault(index, _BucketTally())
            tally.records += 1
            self.known_services.add(record.service)
            if not at_least(record.level, self.min_level):
                continue
            tally.errors[record.service] += 1
            template = self.novelty.check(record)
            if template is not None:
                group = self._new_group(record, template, when, index)
                tally.new_groups.append(group)
                self.new_groups.append(group)
                self.emit(group)

    def _place(self, arrival: Arrival) -> tuple[int, datetime]:
        """The bucket of a record and when it happened: its timestamp when that is near the
        time it was read, else the time it was read. Never a closed bucket nor one past the
        end."""
        read_at = arrival.arrived - self.start
        index = int(read_at // self.interval)
        when = self.wall_start + timedelta(seconds=read_at)
        stamp = arrival.record.timestamp
        if stamp is not None:
            offset = (stamp - self.wall_start).total_seconds()
            if abs(offset - read_at) <= self.near_now:
                index, when = min(index, int(offset // self.interval)), stamp.astimezone(UTC)
        return min(max(index, len(self.buckets)), self.minutes - 1), when

    def _current(self, now: float) -> int:
        index = int((now - self.start) // self.interval)
        return min(max(index, len(self.buckets)), self.minutes - 1)

    def _wanted(self, service: str) -> bool:
        return not self.services or service in self.services

    def _new_group(
        self, record: Record, template: Template, when: datetime, index: int
    ) -> NewGroup:
        return NewGroup(
            service=record.service,
            template_id=template.id,
            label=label_for(record.message, record.service, record.fields, template.text),
            template=template.text,
            level=record.level or self.min_level,
            exception=exception_of(record.message, record.fields),
            seen=when,
            bucket=index,
            example=Example(
                file=record.file, line=record.line, text=record.message.split("\n", 1)[0][:500]
            ),
        )

    # -- reports -------------------------------------------------------------------------
    def _report(self, index: int) -> BucketReport:
        """Bucket `index` as counted so far (final once closed)."""
        tally = self.tallies.get(index) or _BucketTally()
        total = sum(tally.errors.values())
        baseline = self.existing.baseline
        state = state_of(total, baseline)
        states = [bucket.state for bucket in self.buckets] + [state]
        return BucketReport(
            index=index,
            start=self.wall_start + timedelta(seconds=index * self.interval),
            seconds=self.interval,
            errors={
                service: tally.errors.get(service, 0) for service in sorted(self.known_services)
            },
            total=total,
            records=tally.records,
            baseline=baseline.median,
            threshold=round(baseline.threshold, 3),
            settled=round(baseline.settled, 3),
            state=state,
            normal_streak=normal_streak(states),
            new_groups=list(tally.new_groups),
        )

    def _result(self, interrupted: bool) -> WatchResult:
        states = [bucket.state for bucket in self.buckets]
        verdict = verdict_of(states, self.settle)
        peak = max(self.buckets, key=lambda b: b.total, default=None)
        warnings = list(self.warnings)
        tail = self.buckets[-self.settle :]
        if (
            verdict == "settled"
            and self.existing.report.records
            and not any(b.records for b in tail)
        ):
            warnings.append(
                f"no records at all in the last {len(tail)} bucket(s): the services are quiet, "
                "which is not proof that they are healthy"
            )
        return WatchResult(
            verdict=verdict,
            exit_status=exit_status(verdict, interrupted),
            interrupted=interrupted,
            settle=self.settle,
            normal_streak=normal_streak(states),
            buckets_watched=len(self.buckets),
            buckets_planned=self.minutes,
            bucket_seconds=self.interval,
            started=self.wall_start,
            ended=datetime.now(UTC),
            baseline=self.existing.report,
            peak=peak.total if peak is not None else 0,
            peak_start=peak.start if peak is not None else None,
            last_total=self.buckets[-1].total if self.buckets else None,
            new_groups=self.new_groups,
            files=self.follower.files,
            notices=self.notices,
            warnings=warnings,
            buckets=self.buckets,
        )


def _sources(paths: Sequence[str]) -> tuple[list[Source], list[str]]:
    """The files whose existing content gives the baseline. A watched directory may be empty
    and a glob may match nothing yet (files appear during the watch); a named file must exist."""
    if not paths:
        raise SourceError("no path given")
    sources: list[Source] = []
    warnings: list[str] = []
    seen: set[str] = set()
    for path in paths:
        if path == "-":
            raise OptionError("watch follows files: standard input cannot be watched")
        waiting = os.path.isdir(path) or (
            _GLOB_CHARS.search(path) is not None and not os.path.exists(path)
        )
        try:
            found = discover([path])
        except SourceError:
            if not waiting:
                raise
            warnings.append(f"{path}: no log files yet; watching for new ones")
            continue
        warnings.extend(found.warnings)
        for source in found.sources:
            real = os.path.realpath(source.path) if source.path is not None else source.display
            if real not in seen:
                seen.add(real)
                sources.append(source)
    return sources, warnings


def monitor(
    paths: Sequence[str],
    minutes: int = 5,
    interval: float = 60.0,
    settle: int = 2,
    options: ParseOptions | None = None,
    *,
    poll: float | None = None,
    until_settled: bool = False,
    min_level: str = "error",
    services: Sequence[str] = (),
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    on_bucket: Callable[[BucketReport], None] | None = None,
    on_event: Callable[[WatchEvent], None] | None = None,
    stop: threading.Event | None = None,
) -> WatchResult:
    """Follow `paths` (files, directories, globs) for `minutes` buckets of `interval` seconds
    and judge whether the error rate is back to the baseline measured on their existing
    content: `settled` when the last `settle` buckets were normal, else `elevated`.

    `until_settled` ends the watch as soon as it has settled. `stop` (set from another thread)
    or Ctrl-C ends it early: the result is the verdict so far, `interrupted`, exit status 130.
    `on_bucket` gets each bucket as it closes; `on_event` gets everything a live view shows
    (the start, buckets, new error groups, file rotations, the bucket in progress). `clock`
    and `sleep` are for tests. Raises `OptionError`/`SourceError` for bad arguments."""
    if minutes < 1:
        raise OptionError(f"--minutes {minutes}: expected at least 1")
    if not interval > 0:
        raise OptionError(f"--interval {interval}: expected a positive number of seconds")
    if not 1 <= settle <= minutes:
        raise OptionError(f"--settle {settle}: expected between 1 and --minutes ({minutes})")
    if poll is not None and not poll > 0:
        raise OptionError(f"--poll {poll}: expected a positive number of seconds")

    def emit(event: WatchEvent) -> None:
        if on_bucket is not None and isinstance(event, BucketReport):
            on_bucket(event)
        if on_event is not None:
            on_event(event)

    watch = _Watch(
        paths,
        minutes,
        interval,
        settle,
        options or ParseOptions(),
        poll_period(interval, poll),
        until_settled,
        min_level,
        services,
        clock,
        emit,
    )
    return watch.run(sleep, stop)
