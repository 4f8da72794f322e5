"""Formats of the 16 system logs of the Loghub benchmark (HDFS, Hadoop, Spark, ...)."""

from __future__ import annotations

from .base import RegexFormat

FORMATS: tuple[RegexFormat, ...] = ()
