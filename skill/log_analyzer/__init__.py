"""log-analyzer: find the root cause of a production incident from the logs of several services.

The public Python API. Everything the CLI does is available here::

    from log_analyzer import open_paths

    opened = open_paths(["logs/"])
    for record in opened.records():
        print(record.file, record.line, record.timestamp, record.level, record.message)
    for stats in opened.stats:
        print(stats.source.display, stats.format, stats.records, stats.unparsed)

The names are imported on first use, so that `import log_analyzer` (and the CLI's start-up)
does not load every log format.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from .errors import FormatError, LogAnalyzerError, OptionError, SourceError

if TYPE_CHECKING:
    from .ingest import OpenedSources, ParseOptions, SourceStats, open_paths, parse_paths
    from .records import Record

__version__ = "0.1.0"

_LAZY = {
    "OpenedSources": ".ingest",
    "ParseOptions": ".ingest",
    "SourceStats": ".ingest",
    "open_paths": ".ingest",
    "parse_paths": ".ingest",
    "Record": ".records",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "FormatError",
    "LogAnalyzerError",
    "OpenedSources",
    "OptionError",
    "ParseOptions",
    "Record",
    "SourceError",
    "SourceStats",
    "__version__",
    "open_paths",
    "parse_paths",
]
