"""The transport seam: every model call passes through one of these under the openai client.

A transport here serves both the sync and the async openai client, so a batch run and a single
run go through the same layers. Wrappers buffer responses: model answers are small JSON bodies,
and buffering lets the meter, the recorder and the retry layer all read them.
"""

from __future__ import annotations

import json
from typing import Any

import httpx2

_HOP_HEADERS = {"content-encoding", "content-length", "transfer-encoding", "connection"}


class Transport(httpx2.BaseTransport, httpx2.AsyncBaseTransport):
    """A transport usable by both `httpx2.Client` and `httpx2.AsyncClient`."""

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:  # pragma: no cover
        raise NotImplementedError

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:  # pragma: no cover
        raise NotImplementedError

    def close(self) -> None:
        """Release connections; wrappers close what they wrap."""

    async def aclose(self) -> None:
        self.close()


class Wrapper(Transport):
    """A transport that delegates to `inner` and closes it."""

    def __init__(self, inner: Transport) -> None:
        self.inner = inner

    def close(self) -> None:
        self.inner.close()

    async def aclose(self) -> None:
        await self.inner.aclose()


def buffered(response: httpx2.Response, body: bytes, request: httpx2.Request) -> httpx2.Response:
    """A fresh response with a decoded, in-memory body (encoding headers dropped)."""
    headers = [(k, v) for k, v in response.headers.items() if k.lower() not in _HOP_HEADERS]
    return httpx2.Response(response.status_code, headers=headers, content=body, request=request)


def json_body(data: bytes) -> Any:
    """Parse a JSON body; None when it is not JSON (garbage from a provider is not a crash)."""
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return None


class Live(Transport):
    """The network, through plain httpx2 clients (one per flavour, created on first use).

    Clients rather than bare transports, so that the usual environment is honoured exactly as
    the openai client's default would: HTTP(S)_PROXY / NO_PROXY and SSL_CERT_FILE. They add
    nothing to the request, which arrives complete (headers, timeout) from the openai client.
    """

    def __init__(self) -> None:
        self._sync: httpx2.Client | None = None
        self._async: httpx2.AsyncClient | None = None

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        if self._sync is None:
            self._sync = httpx2.Client(trust_env=True, follow_redirects=False)
        response = self._sync.send(request)
        return buffered(response, response.content, request)

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        if self._async is None:
            self._async = httpx2.AsyncClient(trust_env=True, follow_redirects=False)
        response = await self._async.send(request)
        return buffered(response, response.content, request)

    def close(self) -> None:
        if self._sync is not None:
            self._sync.close()

    async def aclose(self) -> None:
        if self._async is not None:
            await self._async.aclose()
        self.close()
