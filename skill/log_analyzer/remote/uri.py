"""Source URIs: where a remote engine keeps the logs, given wherever a path is.

    loki://HOST:PORT?query={app="checkout"}
    es://HOST:PORT/INDEX?q=service:checkout        (and opensearch://)
    clickhouse://HOST:PORT/DB?table=otel_logs&where=ServiceName!='canary'
    chdb:///PATH/TO/DATA?db=otel&table=otel_logs   (ClickHouse in process, on local data)

TLS: `tls=true` (or the `+https` form, `loki+https://`), `verify=false`, `ca=/path/ca.pem`.
Credentials come from the environment (`LOG_ANALYZER_LOKI_TOKEN`, `..._USER`/`..._PASSWORD`,
per scheme: LOKI, ES, OPENSEARCH, CLICKHOUSE), never from the URI shown in evidence.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from ..errors import OptionError

SCHEMES = ("loki", "es", "elasticsearch", "opensearch", "clickhouse", "chdb")


def is_remote(text: str) -> bool:
    scheme = text.split("://", 1)[0].split("+", 1)[0].lower() if "://" in text else ""
    return scheme in SCHEMES


@dataclass(frozen=True)
class RemoteSpec:
    scheme: str  # loki, es, opensearch, clickhouse, chdb
    host: str
    port: int | None
    path: str
    params: dict[str, str] = field(default_factory=dict)
    tls: bool = False
    display: str = ""  # the URI without credentials, used in file:line evidence

    def credential(self, name: str) -> str | None:
        """`LOG_ANALYZER_<SCHEME>_<NAME>` from the environment (USER, PASSWORD, TOKEN)."""
        scheme = "ES" if self.scheme in ("es", "elasticsearch") else self.scheme.upper()
        return os.environ.get(f"LOG_ANALYZER_{scheme}_{name}")

    @property
    def verify(self) -> bool | str:
        if self.params.get("ca"):
            return self.params["ca"]
        return self.params.get("verify", "true").lower() not in ("false", "0", "no")

    def base_url(self, default_port: int) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{self.host}:{self.port or default_port}"


def parse_uri(text: str) -> RemoteSpec:
    try:
        parts = urlsplit(text)
    except ValueError as error:
        raise OptionError(f"{text}: not a source URI ({error})") from None
    scheme, _, transport = parts.scheme.lower().partition("+")
    if scheme not in SCHEMES:
        raise OptionError(f"{text}: unknown source scheme {scheme!r} (known: {', '.join(SCHEMES)})")
    if scheme == "elasticsearch":
        scheme = "es"
    params = dict(parse_qsl(parts.query, keep_blank_values=True))
    if scheme != "chdb" and not parts.hostname:
        raise OptionError(f"{text}: no host (expected {scheme}://HOST:PORT...)")
    try:
        port = parts.port
    except ValueError:
        raise OptionError(f"{text}: the port is not a number") from None
    tls = transport == "https" or params.get("tls", "").lower() in ("1", "true", "yes")
    host = parts.hostname or ""
    shown = f"{parts.scheme}://{host}{f':{port}' if port else ''}{parts.path}"
    if parts.query:
        shown += f"?{parts.query}"
    return RemoteSpec(scheme, host, port, parts.path, params, tls, shown)
