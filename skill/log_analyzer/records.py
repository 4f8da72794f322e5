"""The record: one log event, possibly spanning several physical lines.

A plain slotted class rather than a pydantic model: millions of these are built in the hot loop.
Pydantic models appear at the boundaries (CLI JSON, tool inputs and outputs).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any


class Record:
    """One log event with its provenance (`file:line`) and its normalised header fields."""

    __slots__ = (
        "end_line",
        "fields",
        "file",
        "format",
        "level",
        "line",
        "message",
        "service",
        "timestamp",
    )

    def __init__(
        self,
        file: str,
        line: int,
        end_line: int,
        timestamp: datetime | None,
        level: str | None,
        service: str,
        format: str,
        message: str,
        fields: dict[str, Any] | None = None,
    ) -> None:
        self.file = file
        self.line = line
        self.end_line = end_line
        self.timestamp = timestamp
        self.level = level
        self.service = service
        self.format = format
        self.message = message
        self.fields = fields

    def to_dict(self) -> dict[str, Any]:
        """The public `parse --jsonl` shape. Field names are a public contract: only add."""
        return {
            "file": self.file,
            "line": self.line,
            "end_line": self.end_line,
            "timestamp": self.timestamp.isoformat() if self.timestamp else None,
            "level": self.level,
            "service": self.service,
            "format": self.format,
            "message": self.message,
            "fields": self.fields or {},
        }

    def __repr__(self) -> str:
        when = self.timestamp.isoformat() if self.timestamp else "-"
        text = self.message[:60]
        return f"Record({self.file}:{self.line} {when} {self.level} {self.service} {text!r})"
