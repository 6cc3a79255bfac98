"""Pacing live requests under the provider's rate limits, so a big batch runs near the limit
instead of into a storm of 429s.

One `Limiter` per (key, endpoint) in the process, shared by every worker, chunk, re-ask and
retry: it holds a request bucket and a token bucket. They are seeded once, from the first
response's `x-ratelimit-limit-*` / `x-ratelimit-remaining-*` / `x-ratelimit-reset-*` headers,
and then counted locally: each send reserves one request and its estimated tokens (prompt
estimate + `max_tokens`, as providers count them) and waits until both buckets cover it. The
design notes measured why: re-syncing from every response's `remaining-*` reached 29% of the
limit with 32 429s, because responses arrive out of order and `remaining` is stale when read;
local buckets seeded once reached 95% with none. Until the first response arrives only that one
request is in flight (a probe), so a tiny limit is not overrun at start.

The refill rate comes from the headers too: `reset-*` is the time until the bucket is full
again, so rate = (limit - remaining) / reset. That covers per-minute limits (OpenAI), per-day
ones (Groq's requests) and short test windows alike; a derived window within 15% of a minute is
taken as exactly a minute, since millisecond rounding of `reset` skews small differences.
A 429 pauses everyone for its `retry-after` and empties the local buckets. `--rpm`/`--tpm`
give limits a server does not send (or cap the ones it does).

The `Pacer` transport sits under the retry layer, so retries are paced like first attempts.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial

import httpx2

from .. import ledger as ledger_mod
from ..errors import RetriesExhaustedError
from .base import Transport, Wrapper, json_body
from .retry import retry_after

_UNITS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 1e-3, "us": 1e-6, "\u00b5s": 1e-6, "\u03bcs": 1e-6, "ns": 1e-9}
_PART = r"(?:\d+(?:\.\d*)?|\.\d+)(?:h|ms|m|s|us|\u00b5s|\u03bcs|ns)"
_DURATION = re.compile(rf"(?:{_PART})+")
_PIECE = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(h|ms|m|s|us|\u00b5s|\u03bcs|ns)")
MAX_DURATION = 7 * 24 * 3600.0  # anything longer is not a rate-limit reset we can act on

PACED_PATHS = ("/chat/completions", "/completions", "/embeddings", "/responses")
PROBE_POLL = 0.01  # seconds between looks while the first response is awaited
MINUTE_SNAP = 0.15  # a derived window within 15% of 60 s is a per-minute limit
JITTER = 0.05  # seconds of headroom: requests reach the server a little earlier or later than planned


def go_duration(text: str) -> float | None:
    """Seconds in a Go duration (`6m0s`, `1.5s`, `20ms`, `4m12.172s`, `0`); None if malformed."""
    text = text.strip()
    if text == "0":
        return 0.0
    if not _DURATION.fullmatch(text):
        return None
    total = sum(float(num) * _UNITS[unit] for num, unit in _PIECE.findall(text))
    return total if math.isfinite(total) and total <= MAX_DURATION else None


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return number if math.isfinite(number) and number >= 0 else None


@dataclass(frozen=True)
class Window:
    """One rate limit as the headers state it: capacity, what is left, refill per second."""

    limit: float
    remaining: float
    rate: float


def read_limits(headers: Mapping[str, str]) -> dict[str, Window]:
    """`{"requests": Window, "tokens": Window}` from rate-limit headers; malformed ones skipped."""
    found: dict[str, Window] = {}
    for kind in ("requests", "tokens"):
        limit = _number(headers.get(f"x-ratelimit-limit-{kind}"))
        if not limit:
            continue
        remaining = _number(headers.get(f"x-ratelimit-remaining-{kind}"))
        remaining = limit if remaining is None else min(remaining, limit)
        raw_reset = headers.get(f"x-ratelimit-reset-{kind}")
        reset = go_duration(raw_reset) if raw_reset is not None else None
        rate = limit / 60.0
        if reset and limit > remaining:
            derived = (limit - remaining) / reset
            if abs(limit / derived - 60.0) > 60.0 * MINUTE_SNAP:
                rate = derived
        found[kind] = Window(limit, remaining, rate)
    return found


class Bucket:
    """A token bucket that may go into debt: a reservation returns how long to wait for it.

    Reserving in debt is what makes waiting fair and exact: each caller reserves at once and
    sleeps its own delay, so requests leave in reservation order at the bucket's rate.
    """

    def __init__(self, capacity: float, rate: float, level: float, now: float) -> None:
        self.capacity = capacity
        self.rate = rate
        self.level = level
        self.stamp = now

    def refill(self, now: float) -> None:
        if now > self.stamp:
            self.level = min(self.capacity, self.level + (now - self.stamp) * self.rate)
            self.stamp = now

    def reserve(self, amount: float, now: float) -> float:
        """Take `amount` (at most the capacity) and return the seconds until it is covered."""
        self.refill(now)
        self.level -= min(amount, self.capacity)
        return 0.0 if self.level >= 0 else -self.level / self.rate

    def drain(self, now: float) -> None:
        """The server says the bucket is empty (a 429): forget any credit we thought we had."""
        self.refill(now)
        self.level = min(self.level, 0.0)


class Limiter:
    """The request and token buckets of one (key, endpoint), safe across threads and tasks."""

    def __init__(self, rpm: float | None = None, tpm: float | None = None) -> None:
        self._lock = threading.Lock()
        self.rpm, self.tpm = rpm, tpm
        self.requests: Bucket | None = None
        self.tokens: Bucket | None = None
        self.seeded = bool(rpm or tpm)  # the user's limits are enough to start pacing at once
        self._heard = False  # a response has told us the server's limits (or that it has none)
        self._probing = False
        self.paused_until = 0.0
        self.throttled = 0  # 429s seen
        now = time.monotonic()
        # A limit per minute is enforced per second by many servers (OpenAI says so), so the
        # user's limits allow a burst of one second's worth, not of the whole minute.
        if rpm:
            second = max(1.0, rpm / 60.0)
            self.requests = Bucket(second, rpm / 60.0, second - _headroom(rpm / 60.0), now)
        if tpm:
            second = tpm / 60.0
            self.tokens = Bucket(second, tpm / 60.0, second - _headroom(tpm / 60.0), now)

    def acquire(self, tokens: float | Callable[[], float]) -> float | None:
        """Reserve one request of `tokens` (or of what `tokens()` counts, asked only under a
        token limit: counting reads the whole request body); seconds to wait, or None = ask
        again shortly (the first response, which tells the limits, is still awaited)."""
        with self._lock:
            now = time.monotonic()
            if not self.seeded:
                if self._probing:
                    return None
                self._probing = True
                return 0.0
            delay = max(self.paused_until - now, 0.0)
            if self.requests is not None:
                delay = max(delay, self.requests.reserve(1, now))
            if self.tokens is not None and (cost := tokens() if callable(tokens) else tokens) > 0:
                delay = max(delay, self.tokens.reserve(cost, now))
            return delay

    def observe(self, response: httpx2.Response) -> None:
        """Seed from the first response that states limits; a 429 pauses everyone."""
        with self._lock:
            now = time.monotonic()
            self._probing = False
            if not self._heard:
                self._seed(read_limits(response.headers), now, response.status_code)
            if response.status_code == 429:
                self.throttled += 1
                wait = retry_after(response)
                if wait is None:
                    resets = [go_duration(response.headers.get(f"x-ratelimit-reset-{k}") or "") for k in ("requests", "tokens")]
                    wait = max([r for r in resets if r is not None] or [1.0])
                self.paused_until = max(self.paused_until, now + wait)
                for bucket in (self.requests, self.tokens):
                    if bucket is not None:
                        bucket.drain(now)

    def _seed(self, windows: dict[str, Window], now: float, status: int) -> None:
        if not windows and status >= 300:
            return  # an error without limits says nothing: the next response is the probe
        self._heard = self.seeded = True  # a success without limit headers: nothing to pace by
        for kind, cap in (("requests", self.rpm), ("tokens", self.tpm)):
            window = windows.get(kind)
            if window is None:
                continue
            capacity, rate, level = window.limit, window.rate, window.remaining
            current: Bucket | None = getattr(self, kind)
            if cap:  # the user's limit caps the server's
                capacity, rate, level = min(capacity, cap), min(rate, cap / 60.0), min(level, cap)
            if current is not None:
                current.refill(now)
                level = min(level, current.level)  # what we already spent before the answer came
            setattr(self, kind, Bucket(capacity, rate, level - _headroom(rate), now))

    def failed(self) -> None:
        """A send raised (connection error, timeout): let another request probe."""
        with self._lock:
            self._probing = False


def _headroom(rate: float) -> float:
    """Run one jitter behind the server's bucket, so a request that arrives a little earlier
    than planned still finds its share there."""
    return rate * JITTER


_LIMITERS: dict[tuple[str, str, str, float | None, float | None], Limiter] = {}
_REGISTRY_LOCK = threading.Lock()


def limiter_for(request: httpx2.Request, rpm: float | None, tpm: float | None) -> Limiter:
    """The process-wide limiter of the request's key, endpoint and user limits (created on
    first use). The limits are part of its name: a second client of the same endpoint with
    another `--rpm` (or none) must not inherit the first one's pacing, nor lose its own.

    The key is hashed at once: only a digest is held, never the credential itself.
    """
    auth = request.headers.get("authorization", "")
    digest = hashlib.sha256(auth.encode("utf-8", "replace")).hexdigest()[:16]
    origin = f"{request.url.scheme}://{request.url.host}:{request.url.port or ''}"
    key = (digest, origin, request.url.path, rpm, tpm)
    with _REGISTRY_LOCK:
        limiter = _LIMITERS.get(key)
        if limiter is None:
            limiter = _LIMITERS[key] = Limiter(rpm, tpm)
        return limiter


def estimate_tokens(request: httpx2.Request) -> float:
    """What a provider counts against the token limit before answering: the prompt (about
    four bytes a token) plus the output budget `max_tokens`."""
    raw = request.content
    body = json_body(raw) if raw else None
    budget = 0
    if isinstance(body, dict):
        for name in ("max_tokens", "max_completion_tokens", "max_output_tokens"):
            value = body.get(name)
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                budget = value
                break
    return len(raw) / 4.0 + budget


class Pacer(Wrapper):
    """Waits for the shared limiter before each model request; reports what it sees back."""

    def __init__(self, inner: Transport, *, rpm: float | None = None, tpm: float | None = None) -> None:
        super().__init__(inner)
        self.rpm, self.tpm = rpm, tpm

    def _limiter(self, request: httpx2.Request) -> Limiter | None:
        if request.method != "POST" or not request.url.path.endswith(PACED_PATHS):
            return None  # file uploads, batch polling: not under the model's rate limits
        return limiter_for(request, self.rpm, self.tpm)

    @staticmethod
    def _check(delay: float) -> None:
        led = ledger_mod.current()
        if led is None:
            return
        remaining = led.remaining()
        if remaining is not None and delay >= remaining:
            raise RetriesExhaustedError(
                f"the rate limit leaves no room for this article before its --timeout (wait {delay:.1f}s)",
                "raise --timeout, lower --concurrency, or try later",
            )
        if delay >= 0.05:
            led.event(f"paced {delay:.2f}s by the rate limit")

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        request.read()
        limiter = self._limiter(request)
        if limiter is None:
            return self.inner.handle_request(request)
        cost = partial(estimate_tokens, request)  # read only under a token limit
        while (delay := limiter.acquire(cost)) is None:
            time.sleep(PROBE_POLL)
        self._check(delay)
        if delay > 0:
            time.sleep(delay)
        try:
            response = self.inner.handle_request(request)
        except BaseException:
            limiter.failed()
            raise
        limiter.observe(response)
        return response

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        await request.aread()
        limiter = self._limiter(request)
        if limiter is None:
            return await self.inner.handle_async_request(request)
        cost = partial(estimate_tokens, request)  # read only under a token limit
        while (delay := limiter.acquire(cost)) is None:
            await asyncio.sleep(PROBE_POLL)
        self._check(delay)
        if delay > 0:
            await asyncio.sleep(delay)
        try:
            response = await self.inner.handle_async_request(request)
        except BaseException:
            limiter.failed()
            raise
        limiter.observe(response)
        return response
