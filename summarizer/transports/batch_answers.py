"""Answers that came back from a batch engine, served under the same openai client and
instructor as a live call.

The batch engine (`summarizer/batch/engine/`) runs each article through the real pipeline with this
transport at the bottom. A request whose answer is known (a batch output line, or a results
file made elsewhere) is answered from memory, so the answer is validated, re-asked, chunked
and grounded exactly like a live one. A request with no answer yet is recorded in the
article's `Asked` and fails with `NeedsAnswer`; the engine sends the recorded requests in the
next batch round and runs the article again, one step further each time (first call, re-ask
with the validation error appended, chunk calls, the summary of the parts).

Misses are read from `Asked`, an object the engine owns, not from the exception: the openai
client wraps whatever a transport raises in `APIConnectionError`. With a `fallback` transport
(the live stack), a miss is sent live instead: that is `--reask-live`.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import httpx2

from ..errors import SummarizerError
from .base import Transport, json_body
from .meter import Meter

_ANSWER = "summarizer.answer"  # request extension carrying the answer from lookup to serving


def body_key(body: Any) -> str:
    """SHA-256 of a request body as canonical JSON (sorted keys): the same request, the same key,
    whatever the host, path or the client's key order."""
    blob = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Answer:
    """An HTTP answer to one request: status and JSON body, as a batch result line holds it."""

    status: int
    body: Any


class NeedsAnswer(SummarizerError):
    """The request has no answer yet: it goes into the next batch round (never an output line)."""

    kind = "needs_answer"


@dataclass
class Asked:
    """One article's view of the known answers, and what it asked that has none yet.

    `name(key)` gives the custom id of a request body key for this article; `misses` maps the
    custom ids of unanswered requests to their bodies, in the order they were asked; `used`
    lists the custom ids answered. Chunk calls of one article run in threads, hence the lock.
    """

    name: Callable[[str], str]
    answers: Mapping[str, Answer]
    misses: dict[str, Any] = field(default_factory=dict)
    used: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def lookup(self, body: Any) -> tuple[str, Answer | None]:
        cid = self.name(body_key(body))
        answer = self.answers.get(cid)
        with self._lock:
            if answer is not None:
                self.used.append(cid)
        return cid, answer

    def miss(self, cid: str, body: Any) -> None:
        with self._lock:
            self.misses.setdefault(cid, body)


_ASKED: ContextVar[Asked | None] = ContextVar("summarizer_asked", default=None)


@contextmanager
def asking(asked: Asked) -> Iterator[Asked]:
    """Route the enclosed pipeline calls' requests to `asked` (chunk threads inherit it)."""
    token = _ASKED.set(asked)
    try:
        yield asked
    finally:
        _ASKED.reset(token)


class _Serve(Transport):
    """The bottom under the meter: turns the looked-up answer into an HTTP response."""

    @staticmethod
    def _respond(request: httpx2.Request) -> httpx2.Response:
        answer: Answer = request.extensions[_ANSWER]
        content = json.dumps(answer.body, ensure_ascii=False).encode("utf-8", "surrogatepass")
        return httpx2.Response(
            answer.status, headers={"content-type": "application/json"}, content=content, request=request
        )

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        return self._respond(request)

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        return self._respond(request)


class Answered(Transport):
    """Known answers from memory (metered like live ones); misses recorded, or sent `fallback`."""

    def __init__(self, fallback: Transport | None = None) -> None:
        self._hit = Meter(_Serve())
        self.fallback = fallback

    def _route(self, request: httpx2.Request) -> bool:
        """True when the request is answered from memory; records a miss otherwise."""
        asked = _ASKED.get()
        if asked is None:
            raise SummarizerError("internal: a batch answer was looked up outside an article")
        body = json_body(request.content)
        cid, answer = asked.lookup(body)
        if answer is not None:
            request.extensions[_ANSWER] = answer
            return True
        if self.fallback is None:
            asked.miss(cid, body)
        return False

    def _needs(self) -> NeedsAnswer:
        return NeedsAnswer("this request has no batch answer yet", "it goes into the next batch round")

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        request.read()
        if self._route(request):
            return self._hit.handle_request(request)
        if self.fallback is None:
            raise self._needs()
        return self.fallback.handle_request(request)

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        await request.aread()
        if self._route(request):
            return await self._hit.handle_async_request(request)
        if self.fallback is None:
            raise self._needs()
        return await self.fallback.handle_async_request(request)

    def close(self) -> None:
        if self.fallback is not None:
            self.fallback.close()

    async def aclose(self) -> None:
        if self.fallback is not None:
            await self.fallback.aclose()
