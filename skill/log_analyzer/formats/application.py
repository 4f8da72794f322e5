"""The application formats (Python, Java, Go logging libraries), defined in
`families/application.toml`: they need no code of their own. The formats `inner.py` reads
inside syslog lines are bound here by name."""

from __future__ import annotations

from typing import cast

from .base import RegexFormat
from .definitions import load_family

FORMATS = cast(tuple[RegexFormat, ...], load_family("application.toml", {}, RegexFormat))

_BY_NAME = {fmt.name: fmt for fmt in FORMATS}
PYTHON_DEFAULT = _BY_NAME["python-basic"]
PYTHON_ASCTIME = _BY_NAME["python"]
GUNICORN = _BY_NAME["gunicorn"]
CELERY = _BY_NAME["celery"]
SPRING_BOOT = _BY_NAME["spring-boot"]
LOGBACK = _BY_NAME["logback"]
LOG4J = _BY_NAME["log4j"]
KAFKA = _BY_NAME["kafka"]
GO_LOG = _BY_NAME["go-log"]
ZAP_CONSOLE = _BY_NAME["zap-console"]
KLOG = _BY_NAME["klog"]
