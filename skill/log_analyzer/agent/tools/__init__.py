"""The tools: typed functions over the analysis, each with a description written for a model.

Every tool takes a pydantic input model and returns a pydantic output model. The registry
(`registry.py`) turns these into the Anthropic, OpenAI and MCP schemas, validates the model's
arguments, renders results compactly within a token budget, and marks log text as untrusted.
Descriptions say when to use the tool, what it returns and how to narrow the next call.
"""

from __future__ import annotations

from .base import (
    MAX_READ_LINES,
    MAX_TEXT,
    SEARCH_TIMEOUT_SECONDS,
    Level,
    TimeWindow,
    ToolInput,
    Window,
    cite,
    clip,
)
from .counting import (
    CountInput,
    CountOutput,
    count_per_minute,
)
from .findings import (
    CorrelateInput,
    CorrelateOutput,
    FailureBrief,
    FirstFailureInput,
    FirstFailureOutput,
    Fix,
    FixesInput,
    FixesOutput,
    GroupBrief,
    GroupErrorsInput,
    GroupErrorsOutput,
    HypothesisBrief,
    InvestigateInput,
    InvestigateOutput,
    StepBrief,
    TimelineEntry,
    TimelineInput,
    TimelineOutput,
    correlate_services,
    find_first_failure,
    group_errors,
    investigate,
    merge_timelines,
    suggest_fixes,
)
from .loading import (
    ParseLogsInput,
    ParseLogsOutput,
    ReadLinesInput,
    ReadLinesOutput,
    SourceBrief,
    parse_logs,
    read_lines,
)
from .monitor import (
    MAX_MONITOR_MINUTES,
    MonitorInput,
    MonitorOutput,
    monitor_logs,
)
from .search import (
    Hit,
    SearchInput,
    SearchOutput,
    search_logs,
)

__all__ = [
    "MAX_MONITOR_MINUTES",
    "MAX_READ_LINES",
    "MAX_TEXT",
    "SEARCH_TIMEOUT_SECONDS",
    "CorrelateInput",
    "CorrelateOutput",
    "CountInput",
    "CountOutput",
    "FailureBrief",
    "FirstFailureInput",
    "FirstFailureOutput",
    "Fix",
    "FixesInput",
    "FixesOutput",
    "GroupBrief",
    "GroupErrorsInput",
    "GroupErrorsOutput",
    "Hit",
    "HypothesisBrief",
    "InvestigateInput",
    "InvestigateOutput",
    "Level",
    "MonitorInput",
    "MonitorOutput",
    "ParseLogsInput",
    "ParseLogsOutput",
    "ReadLinesInput",
    "ReadLinesOutput",
    "SearchInput",
    "SearchOutput",
    "SourceBrief",
    "StepBrief",
    "TimeWindow",
    "TimelineEntry",
    "TimelineInput",
    "TimelineOutput",
    "ToolInput",
    "Window",
    "cite",
    "clip",
    "correlate_services",
    "count_per_minute",
    "find_first_failure",
    "group_errors",
    "investigate",
    "merge_timelines",
    "monitor_logs",
    "parse_logs",
    "read_lines",
    "search_logs",
    "suggest_fixes",
]
