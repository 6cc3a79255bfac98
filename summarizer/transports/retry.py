"""Transport-level retries: the one place where transient provider faults are retried.

The openai client is built with `max_retries=0`, so attempts do not multiply: this layer
retries 408/409/429/5xx and connection errors/timeouts with exponential backoff and jitter
(tenacity), honours `Retry-After` / `retry-after-ms` up to a cap, and never starts an attempt
that would end past the article's deadline. Invalid *output* is not retried here: that is
instructor's re-ask, with the validation error, one level up. A transport error therefore
never reaches a prompt.

Two more jobs belong to this, the top layer of the stack:
- The deadline bounds the whole exchange, not each read: httpx timeouts apply per read, so a
  server trickling one byte at a time would never trip them. Each attempt runs under the time
  left (`asyncio.timeout` on the async path; a daemon thread waited on for the sync path).
- The openai client turns any exception raised under it into `APIConnectionError` ("could not
  connect"). Anything raised here that is not a genuine connection fault (a typed error of
  ours, or a bug) is stashed on the request (`ERROR_KEY`), and `client.translate` re-raises it
  as itself.
"""

from __future__ import annotations

import asyncio
import email.utils
import math
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx2
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    Retrying,
    retry_if_exception,
    retry_if_result,
    stop_after_attempt,
)

from .. import ledger as ledger_mod
from ..concurrency import NotDone, call_with_timeout
from .base import Wrapper, json_body

RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})

ERROR_KEY = "summarizer_error"
"""request.extensions key under which an exception that must not pass for a connection error
is kept for `client.translate`."""


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try. `max_retries` counts retries after the first attempt."""

    max_retries: int = 4
    base_wait: float = 0.5
    max_wait: float = 30.0
    max_retry_after: float = 60.0  # a Retry-After longer than this ends the retries at once
    resend_timeouts: bool = True
    """False: a request whose answer did not come in time is not sent again. A single-slot
    local server is still computing it; a second copy would queue behind the first and time
    out the same way (see providers.LOCAL_SERVER)."""

    def retries(self, exc: BaseException) -> bool:
        """Whether a transport fault is worth another attempt: connection faults and timeouts,
        except a read timeout when timed-out requests are not resent (a connect timeout never
        reached the server, so it is resent either way)."""
        if not isinstance(exc, httpx2.TransportError):
            return False
        return self.resend_timeouts or not isinstance(exc, httpx2.ReadTimeout)


def retry_after(response: httpx2.Response) -> float | None:
    """Seconds the provider asks us to wait (retry-after-ms, Retry-After seconds or date).

    A malformed value ("soon", NaN, a broken date) is ignored, as if the header were absent:
    the provider's hint is advice, never a reason to fail.
    """
    ms = _seconds(response.headers.get("retry-after-ms"))
    if ms is not None:
        return ms / 1000.0
    value = response.headers.get("retry-after")
    if not value:
        return None
    seconds = _seconds(value)
    if seconds is not None:
        return seconds
    try:
        parsed = email.utils.parsedate_to_datetime(value)
        return max(parsed.timestamp() - time.time(), 0.0)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _seconds(value: str | None) -> float | None:
    """A non-negative finite number from a header value, or None."""
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return max(number, 0.0) if math.isfinite(number) else None


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
        remaining = led.remaining() if led is not None else None
        if remaining is not None:
            wait = max(min(wait, remaining), 0.0)  # never sleep past the deadline
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
            "retry": retry_if_exception(self.policy.retries) | retry_if_result(_transient),
            "wait": self._wait,
            "stop": self._stop,
            "reraise": True,
            "retry_error_callback": lambda s: s.outcome.result() if s.outcome else None,  # type: ignore[union-attr]
        }

    def _cap_timeout(self, request: httpx2.Request) -> ledger_mod.Ledger | None:
        """Shorten this attempt's timeouts to what is left of the article's deadline.

        Returns the article's ledger when it has a deadline; raises once the deadline passed.
        """
        led = ledger_mod.current()
        if led is None or led.deadline is None:
            return None
        remaining = led.remaining() or 0.0
        if remaining <= 0:
            raise led.out_of_time()
        timeout = dict(request.extensions.get("timeout") or {})
        for key in ("connect", "read", "write", "pool"):
            current = timeout.get(key)
            timeout[key] = remaining if current is None else min(current, remaining)
        request.extensions["timeout"] = timeout
        return led

    def _attempt(self, request: httpx2.Request) -> httpx2.Response:
        led = self._cap_timeout(request)
        if led is None:
            return self.inner.handle_request(request)
        try:
            return call_with_timeout(
                lambda: self.inner.handle_request(request), led.remaining() or 0.0, "summarizer-request"
            )
        except NotDone:
            raise led.out_of_time() from None

    async def _aattempt(self, request: httpx2.Request) -> httpx2.Response:
        led = self._cap_timeout(request)
        if led is None:
            return await self.inner.handle_async_request(request)
        deadline = asyncio.timeout(led.remaining() or 0.0)
        try:
            async with deadline:
                return await self.inner.handle_async_request(request)
        except TimeoutError:
            if deadline.expired():
                raise led.out_of_time() from None
            raise

    def _stands(self, outcome: httpx2.Response | BaseException) -> bool:
        """Whether an attempt's outcome is final (what tenacity's `retry` is told below)."""
        if isinstance(outcome, BaseException):
            return not self.policy.retries(outcome)
        return not _transient(outcome)

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        request.read()
        with _stashed(request):
            first: httpx2.Response | BaseException
            try:
                first = self._attempt(request)
            except BaseException as exc:  # noqa: BLE001 - judged as tenacity judges an outcome
                first = exc
            # Most requests are answered at the first attempt: then no retry loop is built
            # (tenacity's costs some 35 µs of CPU a request). Otherwise the loop starts from
            # that attempt's outcome, as if it had made it.
            if self._stands(first):
                return _given(first)
            replay = [first]
            response: httpx2.Response | None = None
            for attempt in Retrying(**self._kwargs()):  # type: ignore[arg-type]
                with attempt:
                    response = _given(replay.pop()) if replay else self._attempt(request)
                if attempt.retry_state.outcome is not None and not attempt.retry_state.outcome.failed:
                    attempt.retry_state.set_result(response)
        assert response is not None
        return response

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        await request.aread()
        with _stashed(request):
            first: httpx2.Response | BaseException
            try:
                first = await self._aattempt(request)
            except BaseException as exc:  # noqa: BLE001 - judged as tenacity judges an outcome
                first = exc
            if self._stands(first):
                return _given(first)
            replay = [first]
            response: httpx2.Response | None = None
            async for attempt in AsyncRetrying(**self._kwargs()):  # type: ignore[arg-type]
                with attempt:
                    response = _given(replay.pop()) if replay else await self._aattempt(request)
                if attempt.retry_state.outcome is not None and not attempt.retry_state.outcome.failed:
                    attempt.retry_state.set_result(response)
        assert response is not None
        return response


def _given(outcome: httpx2.Response | BaseException) -> httpx2.Response:
    """An attempt's outcome as the attempt gave it: its answer returned, its error raised."""
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


@contextmanager
def _stashed(request: httpx2.Request) -> Iterator[None]:
    """Keep any exception that is not a genuine transport fault on the request, for translate."""
    try:
        yield
    except Exception as exc:
        if not isinstance(exc, httpx2.TransportError):
            request.extensions[ERROR_KEY] = exc
        raise
