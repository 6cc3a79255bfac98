"""Counts every request and its tokens into the article's ledger, and refuses non-answers.

It sits under the retry layer, so each attempt is counted, and above record/replay/local, so
replayed and local runs report usage exactly like live ones. A request is counted when it is
sent, not when it is answered: a reset, a timeout or a deadline that cut it short still cost
a request (and possibly money), and `provenance.attempts`, `-v` and "after N request(s)" say so.
"""

from __future__ import annotations

import time

import httpx2

from .. import ledger as ledger_mod
from ..errors import ProviderError
from .base import Wrapper, json_body


class Meter(Wrapper):
    """Ledger bookkeeping and the checks that turn garbage 200s into typed errors."""

    @staticmethod
    def _start() -> tuple[ledger_mod.Ledger | None, int, float]:
        led = ledger_mod.current()
        return led, (led.start_request() if led is not None else 0), time.monotonic()

    @staticmethod
    def _failed(led: ledger_mod.Ledger | None, number: int, t0: float, exc: BaseException) -> None:
        if led is not None:
            remaining = led.remaining()
            why = "deadline" if remaining is not None and remaining <= 0 else type(exc).__name__
            led.event(f"request {number}: failed ({why}) after {time.monotonic() - t0:.2f}s")

    @staticmethod
    def _account(
        led: ledger_mod.Ledger | None, number: int, t0: float, request: httpx2.Request, response: httpx2.Response
    ) -> None:
        data = json_body(response.content) if response.status_code == 200 else None
        if led is not None:
            tokens = led.add_usage(data.get("usage") if isinstance(data, dict) else None)
            led.event(
                f"request {number}: HTTP {response.status_code} in "
                f"{time.monotonic() - t0:.2f}s, {tokens} tokens"
            )
        if response.status_code == 200 and request.url.path.endswith("/chat/completions"):
            _check_completion(data)

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        led, number, t0 = self._start()
        try:
            response = self.inner.handle_request(request)
        except BaseException as exc:
            self._failed(led, number, t0, exc)
            raise
        self._account(led, number, t0, request, response)
        return response

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        led, number, t0 = self._start()
        try:
            response = await self.inner.handle_async_request(request)
        except BaseException as exc:
            self._failed(led, number, t0, exc)
            raise
        self._account(led, number, t0, request, response)
        return response


def _check_completion(data: object) -> None:
    """A 200 that is not a usable chat completion is the provider's fault: say so plainly."""
    if not isinstance(data, dict):
        raise ProviderError(
            "the provider answered HTTP 200 with a body that is not JSON",
            "check --base-url points at an OpenAI-compatible /v1 endpoint",
        )
    choices = data.get("choices")
    if not choices or not isinstance(choices, list):
        raise ProviderError("the provider returned a completion with no choices", "try again later")
    first = choices[0] if isinstance(choices[0], dict) else {}
    message = first.get("message")
    if not isinstance(message, dict):
        raise ProviderError("the provider returned a completion without a message", "try again later")
    if first.get("finish_reason") == "content_filter" or message.get("refusal"):
        raise ProviderError(
            "the model refused to answer (content filter or refusal)",
            "this article cannot be processed by this model",
        )
