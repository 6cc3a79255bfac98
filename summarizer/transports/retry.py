"""Transport-level retries: the one place where transient provider faults are retried.

The openai client is built with `max_retries=0`, so attempts do not multiply: this layer
retries 408/409/429/5xx and connection errors/timeouts with exponential backoff and jitter
(tenacity), honours `Retry-After` / `retry-after-ms` up to a cap, and never starts an attempt
that would end past the article's deadline. Invalid *output* is not retried here: that is
instructor's re-ask, with the validation error, one level up. A transport error therefore
never reaches a prompt.
"""

from __future__ import annotations

import email.utils
import random
import time
from dataclasses import dataclass

import httpx2
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    retry_if_result,
    stop_after_attempt,
)

from .. import ledger as ledger_mod
from ..errors import RetriesExhaustedError
from .base import Wrapper, json_body

RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try. `max_retries` counts retries after the first attempt."""

    max_retries: int = 4
    base_wait: float = 0.5
    max_wait: float = 30.0
    max_retry_after: float = 60.0  # a Retry-After longer than this ends the retries at once


def retry_after(response: httpx2.Response) -> float | None:
    """Seconds the provider asks us to wait (retry-after-ms, Retry-After seconds or date)."""
    ms = response.headers.get("retry-after-ms")
    if ms:
        try:
            return max(float(ms) / 1000.0, 0.0)
        except ValueError:
            pass
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
        if parsed is None:
            return None
        return max(parsed.timestamp() - time.time(), 0.0)


def _transient(response: httpx2.Response) -> bool:
    if response.status_code not in RETRY_STATUSES and response.status_code < 500:
        return False
    if response.headers.get("x-should-retry") == "false":
        return False
    body = json_body(response.content)
    err = body.get("error") if isinstance(body, dict) else None
    code = err.get("code") if isinstance(err, dict) else None
    return code != "insufficient_quota"  # a spent quota does not come back in seconds


class Retry(Wrapper):
    """Retries transient faults of the wrapped transport within the policy and deadline."""

    def __init__(self, inner: Wrapper | object, policy: RetryPolicy) -> None:
        super().__init__(inner)  # type: ignore[arg-type]
        self.policy = policy

    # -- tenacity pieces --------------------------------------------------------------
    def _wait(self, state: RetryCallState) -> float:
        backoff = min(self.policy.max_wait, self.policy.base_wait * 2 ** (state.attempt_number - 1))
        wait = random.uniform(backoff / 2, backoff)  # jitter: concurrent clients spread out
        outcome = state.outcome
        if outcome is not None and not outcome.failed:
            asked = retry_after(outcome.result())
            if asked is not None:
                wait = asked
        led = ledger_mod.current()
        if led is not None:
            led.event(f"retrying in {wait:.2f}s ({self._why(state)})")
        return wait

    def _stop(self, state: RetryCallState) -> bool:
        if stop_after_attempt(self.policy.max_retries + 1)(state):
            return True
        outcome = state.outcome
        if outcome is not None and not outcome.failed:
            asked = retry_after(outcome.result())
            if asked is not None and asked > self.policy.max_retry_after:
                return True
        led = ledger_mod.current()
        remaining = led.remaining() if led is not None else None
        if remaining is not None:
            asked = None
            if outcome is not None and not outcome.failed:
                asked = retry_after(outcome.result())
            return remaining <= (asked or 0.0)
        return False

    @staticmethod
    def _why(state: RetryCallState) -> str:
        outcome = state.outcome
        if outcome is None:
            return "?"
        if outcome.failed:
            return type(outcome.exception()).__name__
        return f"HTTP {outcome.result().status_code}"

    def _kwargs(self) -> dict[str, object]:
        return {
            "retry": retry_if_exception_type(httpx2.TransportError) | retry_if_result(_transient),
            "wait": self._wait,
            "stop": self._stop,
            "reraise": True,
            "retry_error_callback": lambda s: s.outcome.result() if s.outcome else None,  # type: ignore[union-attr]
        }

    def _cap_timeout(self, request: httpx2.Request) -> None:
        """Shorten this attempt's timeouts to what is left of the article's deadline."""
        led = ledger_mod.current()
        remaining = led.remaining() if led is not None else None
        if remaining is None:
            return
        if remaining <= 0:
            raise RetriesExhaustedError(
                f"gave up after {led.requests} request(s): the article's --timeout ran out",  # type: ignore[union-attr]
                "raise --timeout or try later",
            )
        timeout = dict(request.extensions.get("timeout") or {})
        for key in ("connect", "read", "write", "pool"):
            current = timeout.get(key)
            timeout[key] = remaining if current is None else min(current, remaining)
        request.extensions["timeout"] = timeout

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        request.read()
        response: httpx2.Response | None = None
        for attempt in Retrying(**self._kwargs()):  # type: ignore[arg-type]
            with attempt:
                self._cap_timeout(request)
                response = self.inner.handle_request(request)
            if attempt.retry_state.outcome is not None and not attempt.retry_state.outcome.failed:
                attempt.retry_state.set_result(response)
        assert response is not None
        return response

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        await request.aread()
        response: httpx2.Response | None = None
        async for attempt in AsyncRetrying(**self._kwargs()):  # type: ignore[arg-type]
            with attempt:
                self._cap_timeout(request)
                response = await self.inner.handle_async_request(request)
            if attempt.retry_state.outcome is not None and not attempt.retry_state.outcome.failed:
                attempt.retry_state.set_result(response)
        assert response is not None
        return response
