"""The code behind the daemon formats defined in `families/daemons.toml`: MySQL's slow query
log, whose entries open on one of two header lines, and TAI64N labels. The patterns, levels and
samples of every daemon format are in that file."""

from __future__ import annotations

from ..records import Record
from ..timestamps import Clock
from .base import LogFormat, Parsed, RegexFormat
from .definitions import load_family


class MysqlSlowFormat(RegexFormat):
    """MySQL's slow query log: an entry opens at `# Time:` (or at `# User@Host:` when the
    server left the time out, as 5.5 did for entries of the same second); the other `# ...:`
    lines, `SET timestamp=...;` (which times an entry without `# Time:`) and the statement
    continue it."""

    def parse(self, line: str, clock: Clock) -> Parsed | None:
        parsed = super().parse(line, clock)
        if parsed is None:
            return None
        fields = parsed.fields or {}
        if fields.get("header") != "Time":
            fields["continues"] = True
            if line.startswith("SET timestamp="):  # the statement's own time, in seconds
                parsed.timestamp = clock.from_value(line[14:].rstrip("; "))
                parsed.zoned = True
        parsed.fields = fields
        return parsed

    def joins_previous(self, parsed: Parsed, previous: Record | None = None) -> bool:
        fields = parsed.fields or {}
        if "continues" not in fields:
            return False
        if fields.get("header") != "User@Host" or previous is None:
            return True
        # a user line opens an entry unless it follows its entry's bare `# Time:` line
        opened = previous.fields or {}
        return opened.get("header") == "Time" and previous.end_line == previous.line


class Tai64nFormat(RegexFormat):
    """daemontools' and s6's `multilog t` / `s6-log t`: a TAI64N label, then the line."""

    def parse(self, line: str, clock: Clock) -> Parsed | None:
        parsed = super().parse(line, clock)
        if parsed is None or parsed.fields is None:
            return parsed
        label = parsed.fields.pop("tai64n")
        # seconds since 1970 TAI are the label's first 16 hex digits minus 2^62; TAI runs 10 s
        # ahead of UTC (daemontools' convention: no leap-second table)
        seconds = int(label[:16], 16) - (1 << 62) - 10
        parsed.timestamp = clock.from_value(f"{seconds}.{int(label[16:], 16):09d}")
        parsed.zoned = True
        parsed.fields = parsed.fields or None
        return parsed


FORMATS: tuple[LogFormat, ...] = load_family(
    "daemons.toml",
    {"MysqlSlowFormat": MysqlSlowFormat, "Tai64nFormat": Tai64nFormat},
    RegexFormat,
)
