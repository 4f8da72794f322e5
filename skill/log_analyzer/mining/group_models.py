"""The error groups as the commands print them (`errors --json`, `investigate --json`): pydantic
models, kept apart from the grouping (`mining.groups`) so that the workers that mine, and a run
until its groups are made, never import pydantic."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class Example(BaseModel):
    file: str
    line: int
    text: str
    # the error the record states in a field of its own (logfmt `error="..."`, pino's `err`,
    # ECS `error.message`), when its message does not say it
    error: str | None = None


class Parameter(BaseModel):
    """One variable of a template: where it is, how many distinct values it took, the top."""

    position: int
    distinct: int
    top: list[tuple[str, int]]


class ErrorGroup(BaseModel):
    """One error type. The field names are a public contract (`errors --json`, `investigate
    --json`): only add."""

    id: str
    label: str
    template: str
    template_id: str
    service: str
    level: str
    exception: str | None
    count: int
    first_seen: datetime | None
    last_seen: datetime | None
    example: Example
    parameters: list[Parameter]
