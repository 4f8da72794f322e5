"""The request log formats (AWS ELB and ALB, Amazon S3, Envoy, Gin, uWSGI), whose level is the
HTTP status's: one regex each, all defined in `families/access.toml`; no code of their own."""

from __future__ import annotations

from .base import LogFormat, RegexFormat
from .definitions import load_family

FORMATS: tuple[LogFormat, ...] = load_family("access.toml", {}, RegexFormat)
