"""The formats of the Loghub benchmark's system logs (HDFS, Spark, ZooKeeper, BGL...): one
regex each, all defined in `families/loghub.toml`, with OpenStack's oslo.log (`oslo.py`, code
of its own) placed among them."""

from __future__ import annotations

from .base import LogFormat, RegexFormat
from .definitions import load_family
from .oslo import OPENSTACK

_LOADED = load_family("loghub.toml", {}, RegexFormat)
# the family's order: OpenStack's oslo.log follows ZooKeeper
_AT = next(i for i, fmt in enumerate(_LOADED) if fmt.name == "zookeeper") + 1

FORMATS: tuple[LogFormat, ...] = (*_LOADED[:_AT], OPENSTACK, *_LOADED[_AT:])
