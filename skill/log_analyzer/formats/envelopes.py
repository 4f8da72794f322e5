"""Envelopes: container runtimes wrap each line an application wrote in a header of their own
(`kubectl logs --timestamps`, containerd/CRI files, Docker's json-file driver). The envelope
gives a reliable UTC time and the stream; the inner line has the level and message, in a format
detected separately."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..timestamps import Clock


@dataclass(slots=True)
class Unwrapped:
    timestamp: datetime | None
    text: str
    stream: str | None
    partial: bool  # CRI `P`: the line continues in the next entry


class Envelope:
    name: str = ""
    title: str = ""

    def unwrap(self, line: str, clock: Clock) -> Unwrapped | None:
        raise NotImplementedError


_RFC3339 = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d)"


class CriEnvelope(Envelope):
    name = "cri"
    title = "containerd / CRI-O container log (/var/log/pods)"
    _rx = re.compile(
        rf"^(?P<ts>{_RFC3339}) (?P<stream>stdout|stderr) (?P<tag>[FP])(?: |$)(?P<text>.*)$"
    )

    def unwrap(self, line: str, clock: Clock) -> Unwrapped | None:
        match = self._rx.match(line)
        if match is None:
            return None
        return Unwrapped(
            clock.from_value(match.group("ts")),
            match.group("text"),
            match.group("stream"),
            match.group("tag") == "P",
        )


class KubectlEnvelope(Envelope):
    name = "kubectl"
    title = "kubectl logs --timestamps"
    _rx = re.compile(rf"^(?P<ts>{_RFC3339}) (?P<text>.*)$")

    def unwrap(self, line: str, clock: Clock) -> Unwrapped | None:
        match = self._rx.match(line)
        if match is None:
            return None
        return Unwrapped(clock.from_value(match.group("ts")), match.group("text"), None, False)


class DockerJsonEnvelope(Envelope):
    name = "docker-json"
    title = "Docker json-file logging driver"

    def unwrap(self, line: str, clock: Clock) -> Unwrapped | None:
        if not line.startswith('{"log":'):
            return None
        try:
            obj: Any = json.loads(line)
        except ValueError:
            return None
        if not isinstance(obj, dict) or not isinstance(obj.get("log"), str):
            return None
        text: str = obj["log"]
        partial = not text.endswith("\n")
        return Unwrapped(
            clock.from_value(obj.get("time")),
            text.rstrip("\n").rstrip("\r"),
            obj.get("stream"),
            partial,
        )


ENVELOPES: tuple[Envelope, ...] = (CriEnvelope(), DockerJsonEnvelope(), KubectlEnvelope())
