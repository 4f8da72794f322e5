"""What the tools share: the input base with its filters, levels, and how log text is
clipped and cited."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ...filters import RecordFilter, parse_time_bound

Level = Literal["trace", "debug", "info", "notice", "warning", "error", "critical", "fatal"]
MAX_TEXT = 400  # characters of one log message in a result
MAX_READ_LINES = 200
SEARCH_TIMEOUT_SECONDS = 0.05  # per record: a model's regex must not hang the tool


class ToolInput(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TimeWindow(ToolInput):
    """The time window most tools take."""

    since: str | None = Field(
        None,
        description="Start of the window: ISO 8601 (2026-11-28T14:00:00Z) or a duration "
        "before now (30m, 2h).",
    )
    until: str | None = Field(None, description="End of the window, same forms as since.")


class Window(TimeWindow):
    """The time window and a service: the filters most tools share."""

    service: str | None = Field(
        None, description="Only this service (a name from parse_logs' `service` columns)."
    )

    def record_filter(self) -> RecordFilter:
        return RecordFilter(
            since=parse_time_bound(self.since, "since") if self.since else None,
            until=parse_time_bound(self.until, "until") if self.until else None,
            services=(self.service,) if self.service else (),
        )


def clip(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[:limit] + f"… (+{len(text) - limit} chars)"


def cite(record_file: str, line: int) -> str:
    return f"{record_file}:{line}"
