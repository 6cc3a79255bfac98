"""The transport seam: every model call passes through one of these under the openai client.

A transport here serves both the sync and the async openai client, so a batch run and a single
run go through the same layers. Wrappers buffer responses: model answers are small JSON bodies,
and buffering lets the meter, the recorder and the retry layer all read them.
"""

from __future__ import annotations

import json
from typing import Any, NoReturn

import httpx2

from .. import ledger as ledger_mod
from ..errors import ConfigError, ProviderError

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


def tool_name(body: dict[str, Any]) -> str | None:
    """The function the client asked for (tool_choice wins, else the first tool); None if no tools."""
    tools = body.get("tools")
    if not isinstance(tools, list) or not tools:
        return None
    choice = body.get("tool_choice")
    if isinstance(choice, dict) and isinstance(choice.get("function"), dict):
        name = choice["function"].get("name")
        if isinstance(name, str):
            return name
    first = tools[0].get("function", {}) if isinstance(tools[0], dict) else {}
    return str(first.get("name") or "tool")


def chat_completion(
    body: dict[str, Any],
    answer: str,
    *,
    model: str,
    ident: str,
    finish_reason: str = "stop",
    prompt_tokens: int = 0,
    completion_tokens: int = 0,
    created: int = 0,
) -> dict[str, Any]:
    """An OpenAI chat.completion carrying `answer` in the shape the request asked for.

    In-process backends (local, rules) answer like a server would: a tool call when the request
    has tools (instructor's TOOLS mode), else plain content (JSON and JSON_SCHEMA modes).
    """
    name = tool_name(body)
    message: dict[str, Any]
    if name is not None:
        call = {"id": f"call_{ident}", "type": "function", "function": {"name": name, "arguments": answer}}
        message = {"role": "assistant", "content": None, "tool_calls": [call]}
    else:
        message = {"role": "assistant", "content": answer}
    return {
        "id": f"chatcmpl-{ident}",
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish_reason, "logprobs": None}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def json_body(data: bytes) -> Any:
    """Parse a JSON body; None when it is not JSON (garbage from a provider is not a crash)."""
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return None


def _in_time(chunk: bytes) -> bool:
    """True, or the article's deadline error once it has passed (checked between body chunks:
    the retry layer bounds the whole exchange, and this ends a reader it gave up on)."""
    led = ledger_mod.current()
    remaining = led.remaining() if led is not None else None
    if led is not None and remaining is not None and remaining <= 0:
        raise led.out_of_time()
    return True


MAX_COMPLETION_BYTES = 32 * 1024 * 1024
"""Most a chat completion's body may hold: an answer of 16,000 tokens is under 100 KB, so a
server sending more (a broken proxy, or one streaming for ever) is cut off, not buffered."""
MAX_BODY_BYTES = 1024 * 1024 * 1024
"""Most any other body may hold (a batch's results file: 50,000 answers)."""


class _Bounded:
    """Counts a body's bytes as they arrive; past the bound for the request's path, an error
    naming the host (the body is never held whole), and the article's deadline as ever."""

    def __init__(self, request: httpx2.Request) -> None:
        self.request = request
        self.limit = MAX_COMPLETION_BYTES if request.url.path.endswith("/chat/completions") else MAX_BODY_BYTES
        self.size = 0

    def take(self, chunk: bytes) -> bytes:
        self.size += len(chunk)
        if self.size > self.limit:
            what = "a chat completion" if self.limit == MAX_COMPLETION_BYTES else "a response"
            raise ProviderError(
                f"{self.request.url.host} sent more than {self.limit // (1024 * 1024)} MB for {what}; "
                "the rest was not read",
                "check --base-url points at an OpenAI-compatible /v1 endpoint",
            )
        _in_time(chunk)
        return chunk


class ServerGone(httpx2.TransportError):
    """A server that had answered this client before refused or dropped the connection: it died
    or was stopped. A transport fault like any other to the retry layer (a restarted server is
    found again); `client.translate` reports it as `ServerGoneError` once the retries are spent.
    `last_words`: the body of its last error answer, or what it sent of the broken one."""

    def __init__(self, message: str, last_words: str | None = None) -> None:
        super().__init__(message)
        self.last_words = last_words


# Faults of a connection to a server that is not there any more (refused, reset, closed before
# answering); timeouts are not among them: a slow server is alive.
_GONE = (httpx2.NetworkError, httpx2.RemoteProtocolError)


class Live(Transport):
    """The network, through plain httpx2 clients (one per flavour, created on first use).

    Clients rather than bare transports, so that the usual environment is honoured exactly as
    the openai client's default would: HTTP(S)_PROXY / NO_PROXY and SSL_CERT_FILE. They add
    nothing to the request, which arrives complete (headers, timeout) from the openai client.

    A library caller may lend its own client (`Summarizer(http_client=...)`): requests then go
    out through it (its transport, proxies, event hooks), it is never closed here, and the
    layers above (retry, pacing, ledger, recording) still apply. A sync client serves async
    calls from a worker thread.
    """

    def __init__(self, client: httpx2.Client | httpx2.AsyncClient | None = None) -> None:
        self._lent = client  # the caller's, or None; never closed here
        self._sync: httpx2.Client | None = client if isinstance(client, httpx2.Client) else None
        self._async: httpx2.AsyncClient | None = client if isinstance(client, httpx2.AsyncClient) else None
        self._answered = False  # has the server answered anything yet (then a refusal means it died)
        self._last_words: str | None = None  # the body of its last error answer

    def _heard(self, response: httpx2.Response, body: bytes) -> None:
        self._answered = True
        self._last_words = body[:300].decode("utf-8", "replace") if response.status_code >= 400 and body else None

    def _raise_gone(self, exc: httpx2.TransportError, chunks: list[bytes]) -> NoReturn:
        """Raise `ServerGone` for a connection fault after the server had answered (with what
        it sent last), else `exc` itself."""
        if not self._answered or not isinstance(exc, _GONE):
            raise exc
        partial = b"".join(chunks)
        words = partial[:300].decode("utf-8", "replace") if partial else self._last_words
        raise ServerGone(f"the server stopped answering ({type(exc).__name__})", words) from exc

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        if self._sync is None:
            if self._lent is not None:
                raise ConfigError(
                    "http_client is an httpx2.AsyncClient, which cannot serve a blocking call",
                    "use asummarize()/asummarize_many(), or pass an httpx2.Client",
                )
            self._sync = httpx2.Client(trust_env=True, follow_redirects=False)
        chunks: list[bytes] = []
        try:
            response = self._sync.send(request, stream=True)
            bounded = _Bounded(request)
            try:
                chunks.extend(bounded.take(chunk) for chunk in response.iter_bytes())
            finally:
                response.close()
        except httpx2.TransportError as exc:
            self._raise_gone(exc, chunks)
        body = b"".join(chunks)
        self._heard(response, body)
        return buffered(response, body, request)

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        if self._async is None and self._lent is not None:  # a lent sync client
            import asyncio

            return await asyncio.to_thread(self.handle_request, request)
        if self._async is None:
            self._async = httpx2.AsyncClient(trust_env=True, follow_redirects=False)
        chunks: list[bytes] = []
        try:
            response = await self._async.send(request, stream=True)
            bounded = _Bounded(request)
            try:
                async for chunk in response.aiter_bytes():
                    chunks.append(bounded.take(chunk))
            finally:
                await response.aclose()
        except httpx2.TransportError as exc:
            self._raise_gone(exc, chunks)
        body = b"".join(chunks)
        self._heard(response, body)
        return buffered(response, body, request)

    def close(self) -> None:
        if self._sync is not None and self._sync is not self._lent:
            self._sync.close()

    async def aclose(self) -> None:
        if self._async is not None and self._async is not self._lent:
            await self._async.aclose()
        self.close()
