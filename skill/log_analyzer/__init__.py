"""log-analyzer: find the root cause of a production incident from the logs of several services.

The public Python API. Everything the CLI does is available here::

    from log_analyzer import open_paths

    workspace = open_paths(["logs/"])
    for record in workspace.records():
        print(record.file, record.line, record.timestamp, record.level, record.message)
    for stats in workspace.stats:
        print(stats.source.display, stats.format, stats.records, stats.unparsed)
"""

from .errors import FormatError, LogAnalyzerError, OptionError, SourceError
from .ingest import ParseOptions, SourceStats, Workspace, open_paths, parse_paths
from .records import Record

__version__ = "0.1.0"

__all__ = [
    "FormatError",
    "LogAnalyzerError",
    "OptionError",
    "ParseOptions",
    "Record",
    "SourceError",
    "SourceStats",
    "Workspace",
    "__version__",
    "open_paths",
    "parse_paths",
]
