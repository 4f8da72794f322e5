"""The code behind the structured formats defined in `families/json.toml` (the JSON dialects:
journald, bunyan, pino, zap, ECS, GCP...) and `families/logfmt.toml`: the logfmt reader. The
JSON reader the dialects configure is `json_reader.py`; their definitions, signatures and
samples are in those files."""

from __future__ import annotations

import re
from typing import Any, cast

from ..timestamps import Clock
from .base import FormatSpec, LogFormat, Parsed
from .definitions import load_family
from .json_reader import JsonFormat, is_instant, load_json

__all__ = [
    "JSON_DIALECTS",
    "LOGFMT",
    "STRUCTURED_FORMATS",
    "JsonFormat",
    "LogfmtFormat",
    "is_instant",
    "load_json",
]

# the dialects in json.toml's order; the last, with no signature, reads any object
JSON_DIALECTS = cast(tuple[JsonFormat, ...], load_family("json.toml", {}, JsonFormat))
_ANY_JSON = JSON_DIALECTS[-1]

# A quoted value as a run of plain characters between escapes (`"[^"\\]*(?:\\.[^"\\]*)*"`), not
# an alternation tried at every character (`"(?:[^"\\]|\\.)*"`): twice as fast, and the same
# pairs. Both read the same strings: plain characters and escape pairs, which a string splits
# into in one way only, so a quoted value has at most one closing quote either can end at (the
# first one not escaped) and both find it, or both fail and read `\S*`. A key starts where a run
# of key characters does: tried inside a long bare word (a 50 KB base64 payload), the run was
# read to its end from each of its characters, which is quadratic; no key can start there
# anyway, as the run from its first character ends at the same place.
_LOGFMT_PAIR = re.compile(r'(?<![\w.\-/@])([\w.\-/@]+)=("[^"\\]*(?:\\.[^"\\]*)*"|\S*)')
_LOGFMT_START = re.compile(r"^[\w.\-/@]+=")


class LogfmtFormat(LogFormat):
    """logfmt (`time=... level=error msg="..."`), as written by logrus, go-kit, Heroku: the
    pairs read as a JSON object with the JSON reader's key conventions."""

    @classmethod
    def from_spec(cls, spec: FormatSpec) -> LogFormat:
        """The reader a definition names (`families/logfmt.toml`): its name, title, priority
        and samples; it has no pattern."""
        if spec.pattern is not None or spec.levels:
            raise ValueError("logfmt takes no pattern and no levels")
        reader = cls()
        reader.name = spec.name
        reader.title = spec.title
        reader.priority = spec.priority
        reader.detectable = spec.detectable
        reader.samples = spec.samples
        return reader

    def parse(self, line: str, clock: Clock) -> Parsed | None:
        if not _LOGFMT_START.match(line):
            return None
        obj: dict[str, Any] = {}
        for key, raw in _LOGFMT_PAIR.findall(line):
            if raw.startswith('"') and len(raw) >= 2:
                raw = raw[1:-1].replace('\\"', '"').replace("\\\\", "\\")
            obj[key] = raw
        if len(obj) < 2 or not obj.keys() & {"msg", "message", "level", "lvl", "at", "time", "ts"}:
            return None
        if "level" not in obj and "at" in obj:
            obj["level"] = obj.pop("at")
        if "date" in obj and obj.get("time", "")[2:3] == ":":  # Fortinet's `date=... time=...`
            obj["time"] = f"{obj.pop('date')}T{obj['time']}"
        parsed = _ANY_JSON.parse_object(obj, clock)
        if parsed.level is None and str(obj.get("status", "")).startswith("5"):
            parsed.level = "error"
        if not parsed.message:
            parsed.message = obj.get("desc") or line
        return parsed


(LOGFMT,) = cast(
    tuple[LogfmtFormat], load_family("logfmt.toml", {"LogfmtFormat": LogfmtFormat}, LogfmtFormat)
)
STRUCTURED_FORMATS: tuple[LogFormat, ...] = (*JSON_DIALECTS, LOGFMT)
