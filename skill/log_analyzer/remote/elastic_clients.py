"""The official clients behind `es://` and `opensearch://`, reduced to the three calls the
source needs: search, open a point in time, close it.

`elasticsearch` runs on its httpx transport node; `opensearch-py` on `HttpxConnection` below
(its own transports are urllib3 and requests). Both therefore send through httpx, which the
tests replay with respx, and both keep their own request building, product checks and error
classes. Errors become one `RemoteError` line naming the source and what to change.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Mapping
from typing import Any, Protocol

from .base import RemoteError
from .uri import RemoteSpec

DEFAULT_PORT = 9200
KEEP_ALIVE = "2m"
TIMEOUT = 60


class Engine(Protocol):
    def search(self, index: str | None, body: dict[str, Any]) -> tuple[dict[str, Any], int]:
        """The response and its size in bytes."""
        ...

    def open_pit(self, index: str) -> str | None: ...

    def close_pit(self, pit: str) -> None: ...


def engine_for(spec: RemoteSpec) -> Engine:
    if spec.scheme == "opensearch":
        return OpenSearchEngine(spec)
    return ElasticsearchEngine(spec)


def _missing(package: str, extra: str) -> RemoteError:
    return RemoteError(f"{package} is not installed: pip install 'log-analyzer[{extra}]'")


class ElasticsearchEngine:
    def __init__(self, spec: RemoteSpec) -> None:
        try:
            import elasticsearch
        except ImportError:
            raise _missing("elasticsearch", "elasticsearch") from None
        self.spec = spec
        self.errors = elasticsearch
        from elastic_transport import HttpxHttpNode

        user, password = spec.credential("USER"), spec.credential("PASSWORD")
        verify = spec.verify
        tls: dict[str, Any] = {"ca_certs": verify} if isinstance(verify, str) else {}
        self.client = elasticsearch.Elasticsearch(
            spec.base_url(DEFAULT_PORT),
            node_class=HttpxHttpNode,
            api_key=spec.credential("API_KEY"),
            basic_auth=(user, password or "") if user else None,
            verify_certs=verify is not False,
            request_timeout=TIMEOUT,
            max_retries=0,
            **tls,
        )

    def search(self, index: str | None, body: dict[str, Any]) -> tuple[dict[str, Any], int]:
        response = self._call(lambda: self.client.search(index=index, body=body))
        return response, len(str(response))

    def open_pit(self, index: str) -> str | None:
        try:
            response = self.client.open_point_in_time(index=index, keep_alive=KEEP_ALIVE)
        except self.errors.NotFoundError:
            return None  # no point in time here: plain search_after
        except Exception as error:
            raise self._error(error) from None
        pit = response.body.get("id")
        return str(pit) if pit else None

    def close_pit(self, pit: str) -> None:
        try:
            self.client.close_point_in_time(id=pit)
        except Exception:  # it expires on its own after KEEP_ALIVE
            return

    def _call(self, request: Any) -> dict[str, Any]:
        try:
            response = request()
        except Exception as error:
            raise self._error(error) from None
        body: dict[str, Any] = response.body
        return body

    def _error(self, error: Exception) -> RemoteError:
        es = self.errors
        if isinstance(error, es.UnsupportedProductError):
            return RemoteError(
                f"{self.spec.display}: the server is not Elasticsearch (an OpenSearch "
                "cluster? use opensearch://)"
            )
        if isinstance(error, es.AuthenticationException | es.AuthorizationException):
            return RemoteError(
                f"{self.spec.display}: Elasticsearch refused the credentials "
                f"({error.status_code}); set LOG_ANALYZER_ES_API_KEY, or LOG_ANALYZER_ES_USER "
                "and _PASSWORD"
            )
        if isinstance(error, es.ApiError):
            return RemoteError(f"{self.spec.display}: {explain(error.status_code, error.body)}")
        return RemoteError(
            f"{self.spec.display}: cannot reach Elasticsearch ({_first_line(error)}); check "
            "HOST:PORT and tls="
        )


class OpenSearchEngine:
    def __init__(self, spec: RemoteSpec) -> None:
        try:
            import opensearchpy
        except ImportError:
            raise _missing("opensearch-py", "opensearch") from None
        self.spec = spec
        self.errors = opensearchpy
        user, password = spec.credential("USER"), spec.credential("PASSWORD")
        verify = spec.verify
        self.client = opensearchpy.OpenSearch(
            hosts=[{"host": spec.host, "port": spec.port or DEFAULT_PORT}],
            connection_class=httpx_connection_class(),
            http_auth=(user, password or "") if user else None,
            use_ssl=spec.tls,
            verify_certs=verify is not False,
            ca_certs=verify if isinstance(verify, str) else None,
            timeout=TIMEOUT,
            max_retries=0,
        )

    def search(self, index: str | None, body: dict[str, Any]) -> tuple[dict[str, Any], int]:
        try:
            response: dict[str, Any] = self.client.search(index=index, body=body)
        except Exception as error:
            raise self._error(error) from None
        return response, len(str(response))

    def open_pit(self, index: str) -> str | None:
        try:
            response = self.client.create_pit(index=index, params={"keep_alive": KEEP_ALIVE})
        except self.errors.NotFoundError:
            return None
        except Exception as error:
            raise self._error(error) from None
        pit = response.get("pit_id")
        return str(pit) if pit else None

    def close_pit(self, pit: str) -> None:
        try:
            self.client.delete_pit(body={"pit_id": [pit]})
        except Exception:
            return

    def _error(self, error: Exception) -> RemoteError:
        os_ = self.errors
        if isinstance(error, os_.AuthenticationException | os_.AuthorizationException):
            return RemoteError(
                f"{self.spec.display}: OpenSearch refused the credentials "
                f"({error.status_code}); set LOG_ANALYZER_OPENSEARCH_USER and _PASSWORD"
            )
        if isinstance(error, os_.ConnectionError):
            return RemoteError(
                f"{self.spec.display}: cannot reach OpenSearch ({_first_line(error)}); check "
                "HOST:PORT and tls="
            )
        if isinstance(error, os_.TransportError) and isinstance(error.status_code, int):
            return RemoteError(f"{self.spec.display}: {explain(error.status_code, error.info)}")
        return RemoteError(f"{self.spec.display}: {_first_line(error)}")


def httpx_connection_class() -> type:
    """opensearch-py's `Connection` over httpx (defined on demand: opensearch-py is an
    optional dependency)."""
    import httpx
    import opensearchpy

    class HttpxConnection(opensearchpy.Connection):
        def __init__(
            self,
            host: str = "localhost",
            port: int | None = None,
            http_auth: Any = None,
            use_ssl: bool = False,
            verify_certs: bool = True,
            ca_certs: Any = None,
            **kwargs: Any,
        ) -> None:
            super().__init__(host=host, port=port, use_ssl=use_ssl, **kwargs)
            auth = tuple(http_auth) if isinstance(http_auth, list | tuple) else None
            self.session = httpx.Client(
                base_url=f"{self.host}{self.url_prefix}",
                auth=auth,
                verify=ca_certs or verify_certs,
                timeout=self.timeout,
            )

        def perform_request(
            self,
            method: str,
            url: str,
            params: Mapping[str, Any] | None = None,
            body: bytes | None = None,
            timeout: float | None = None,
            ignore: Collection[int] = (),
            headers: Mapping[str, str] | None = None,
        ) -> Any:
            started = time.time()
            try:
                response = self.session.request(
                    method,
                    url,
                    params=dict(params or {}),
                    content=body,
                    headers={**self.headers, **(headers or {})},  # user-agent, content-type
                    timeout=timeout or self.timeout,
                )
            except httpx.TimeoutException as error:
                raise opensearchpy.ConnectionTimeout("TIMEOUT", str(error), error) from None
            except httpx.HTTPError as error:
                raise opensearchpy.ConnectionError("N/A", str(error), error) from None
            raw = response.content.decode("utf-8", "surrogatepass")
            if not 200 <= response.status_code < 300 and response.status_code not in ignore:
                self.log_request_fail(
                    method, url, url, body, time.time() - started, response.status_code, raw
                )
                self._raise_error(response.status_code, raw, response.headers.get("content-type"))
            return response.status_code, response.headers, raw

        def close(self) -> None:
            self.session.close()

    return HttpxConnection


def explain(status: int, body: Any) -> str:
    """The engine's error, with what to change."""
    error = body.get("error", {}) if isinstance(body, dict) else {}
    causes = (error.get("root_cause") or [error]) if isinstance(error, dict) else []
    cause = causes[0] if causes and isinstance(causes[0], dict) else {}
    kind = str(cause.get("type", f"HTTP {status}"))
    reason = str(cause.get("reason", "") or (error if isinstance(error, str) else ""))[:300]
    if "result window is too large" in reason.lower():
        return (
            f"{kind}: {reason}: the index's max_result_window is below the page asked for; "
            "narrow --since/--until or raise index.max_result_window"
        )
    if kind == "index_not_found_exception":
        return f"{kind}: {reason}: check the index (pattern) in the URI path"
    if kind in ("query_shard_exception", "parsing_exception", "search_phase_execution_exception"):
        return f"{kind}: {reason}: check q= and the field names (ts_field=, level_field=...)"
    return f"{kind}: {reason}".rstrip(": ")


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0][:200] if text else type(error).__name__
