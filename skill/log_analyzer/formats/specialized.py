"""`RegexFormat.parse` written out for one format: the hot loop's parser.

`RegexFormat.parse` serves every regex format, so per line it unpacks the format's plan (where
the message, level, status, time and service groups are; 12 values) and tests for what the
format may lack (`at_level >= 0`, an empty alias list, a loop over its extra fields, its zone
groups and id blocks). For the lines of one file, all of that is known before the first line.
`specialized_parse` writes the same steps as straight-line Python with the group positions as
constants and the steps the format has no group for left out, and compiles it once per format:
about a third of `parse`'s own time (not the regex's) on the benchmark's formats.

It is `parse`, step for step, in the same order with the same calls: the reading of a line does
not change (`tests/test_specialized_parse.py` holds the two to the same answers on every
format's samples, the fixtures and random lines). The source is built from the format's plan
alone: group positions (integers) and field names (regex group names, identifiers), so no
text of a log or a definition reaches the compiled code but as those.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..levels import SYSLOG_SEVERITY, http_status_level, infer_level, normalize_level
from ..timestamps import Clock
from .trace_context import block_ids, extract_ids

if TYPE_CHECKING:
    from .base import Parsed, RegexFormat

LineParser = Callable[[str, Clock], "Parsed | None"]

_UNKNOWN: Any = object()


def specialized_parse(fmt: RegexFormat) -> LineParser:
    """A function reading a line exactly as `fmt.parse` does (`RegexFormat.parse`'s steps for
    this format's groups only)."""
    from .base import Parsed

    (
        at_message,
        at_level,
        at_status,
        at_pri,
        at_ts,
        at_f,
        at_service,
        aliases,
        extra,
        zone_positions,
        id_blocks,
        _level_cache,
    ) = fmt._plan
    for name, _position in extra:
        if not name.isidentifier():  # a regex group name always is: nothing else is written
            raise ValueError(f"unexpected group name {name!r}")
    code = ["def parse(line, clock):"]
    add = code.append
    add("    match = match_line(line)")
    add("    if match is None:")
    add("        return None")
    add("    groups = match.groups()")
    if aliases:
        add("    resolved = None")
        for alias, base in aliases:
            add(f"    if groups[{int(alias)}] is not None:")
            add("        if resolved is None:")
            add("            resolved = list(groups)")
            add(f"        resolved[{int(base)}] = groups[{int(alias)}]")
        add("    if resolved is not None:")
        add("        groups = resolved")
    add(f"    message = groups[{int(at_message)}] or ''" if at_message >= 0 else "    message = ''")
    add(f"    raw_level = groups[{int(at_level)}]" if at_level >= 0 else "    raw_level = None")
    add("    level = None")
    if at_level >= 0:
        add("    if raw_level is not None:")
        add("        level = level_cache_get(raw_level, UNKNOWN)")
        add("        if level is UNKNOWN:")
        add("            level = fmt.levels.get(raw_level) or normalize_level(raw_level)")
        add("            if len(level_cache) < 1000:")
        add("                level_cache[raw_level] = level")
    add(f"    status = groups[{int(at_status)}]" if at_status >= 0 else "    status = None")
    add("    if level is None:")
    if at_pri >= 0:
        add(f"        pri = groups[{int(at_pri)}]")
        add("        if pri:")
        add("            level = SYSLOG_SEVERITY[int(pri) % 8]")
        if at_status >= 0:
            add("        elif status and status.isdigit():")
            add("            level = http_status_level(int(status))")
    elif at_status >= 0:
        add("        if status and status.isdigit():")
        add("            level = http_status_level(int(status))")
    add("        if level is None and fmt.infer:")
    add("            level = infer_level(message)")
    if extra:
        add("    fields = {}")
        for name, position in extra:
            add(f"    value = groups[{int(position)}]")
            add("    if value is not None:")
            add(f"        fields[{name!r}] = value")
    else:
        add("    fields = None")
    if at_status >= 0:
        add("    if status:")
        add("        if fields is None:")
        add("            fields = {}")
        add("        fields['status'] = int(status) if status.isdigit() else status")
    add("    if fmt.continuation_levels and raw_level in fmt.continuation_levels:")
    add("        if fields is None:")
    add("            fields = {}")
    add("        fields['continues'] = True")
    add("    timestamp = None")
    add("    zoned = False")
    if at_ts >= 0:
        fraction = f"groups[{int(at_f)}]" if at_f >= 0 else "None"
        add(f"    text = groups[{int(at_ts)}]")
        add("    if text is not None:")
        add(f"        timestamp = clock.from_match(match, text, {fraction})")
        if zone_positions:
            zoned = " or ".join(f"groups[{int(p)}] is not None" for p in zone_positions)
            add(f"        zoned = {zoned}")
    add(f"    service = groups[{int(at_service)}]" if at_service >= 0 else "    service = None")
    for position in id_blocks:
        add(f"    block = groups[{int(position)}]")
        add("    if block is not None:")
        add("        ids, app = block_ids(block)")
        add("        if fields is None:")
        add("            fields = {}")
        add("        for name, value in ids.items():")
        add("            fields.setdefault(name, value)")
        add("        service = service or app")
    add("    found = fields or None")
    add("    if message and (message[0] == '[' or 'race' in message):  # `may_carry_ids`")
    add("        message, found = extract_ids(message, found)")
    add("    return Parsed(timestamp, level, message, service, found, zoned)")
    namespace: dict[str, Any] = {
        "match_line": fmt.regex.match,
        "fmt": fmt,
        "level_cache": fmt._level_cache,
        "level_cache_get": fmt._level_cache.get,
        "UNKNOWN": _UNKNOWN,
        "normalize_level": normalize_level,
        "SYSLOG_SEVERITY": SYSLOG_SEVERITY,
        "http_status_level": http_status_level,
        "infer_level": infer_level,
        "block_ids": block_ids,
        "extract_ids": extract_ids,
        "Parsed": Parsed,
    }
    exec(compile("\n".join(code), f"<parse of {fmt.name}>", "exec"), namespace)
    parse: LineParser = namespace["parse"]
    return parse
