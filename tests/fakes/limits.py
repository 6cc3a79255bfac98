"""Rate limits for the fake server: OpenAI-style `x-ratelimit-*` headers and 429s.

Like OpenAI's, each limit is a bucket that refills continuously: `requests` per `window`
seconds (a minute in production; tests use a second or two so they stay short), and optionally
`tokens` per window, charged at admission with the prompt estimate plus `max_tokens`. Every
answer carries `limit`, `remaining` and `reset` (a Go duration: time until the bucket is full);
a request that finds a bucket empty gets a 429 with `retry-after-ms`. Stdlib only.

    fake.limits = RateLimit(requests=20, window=1.0)
"""

from __future__ import annotations

import json
import math
import threading
import time
from typing import Any

__all__ = ["RateLimit", "go_format"]


def go_format(seconds: float) -> str:
    """A Go-style duration as OpenAI sends it: `20ms`, `1.5s`, `6m0s`, `1h2m3.5s`."""
    if seconds < 1.0:
        return f"{round(seconds * 1000)}ms"
    hours, rest = divmod(seconds, 3600.0)
    minutes, secs = divmod(rest, 60.0)
    text = f"{secs:.3f}".rstrip("0").rstrip(".") + "s"
    if hours >= 1:
        return f"{int(hours)}h{int(minutes)}m{text}"
    if minutes >= 1:
        return f"{int(minutes)}m{text}"
    return text


class _Bucket:
    def __init__(self, capacity: float, window: float) -> None:
        self.capacity = capacity
        self.rate = capacity / window
        self.level = capacity
        self.stamp = time.monotonic()

    def refill(self, now: float) -> None:
        self.level = min(self.capacity, self.level + (now - self.stamp) * self.rate)
        self.stamp = now

    def headers(self, kind: str) -> dict[str, str]:
        return {
            f"x-ratelimit-limit-{kind}": str(int(self.capacity)),
            f"x-ratelimit-remaining-{kind}": str(max(0, math.floor(self.level))),
            f"x-ratelimit-reset-{kind}": go_format(max(0.0, self.capacity - self.level) / self.rate),
        }


class RateLimit:
    """Scriptable limits; `admitted`, `rejected` and `admit_times` let tests measure pacing."""

    def __init__(
        self, requests: int, window: float = 60.0, tokens: int | None = None, *, headers: bool = True
    ) -> None:
        self.window = window
        self.send_headers = headers
        self._requests = _Bucket(requests, window)
        self._tokens = _Bucket(tokens, window) if tokens else None
        self._lock = threading.Lock()
        self.admitted = 0
        self.rejected = 0
        self.admit_times: list[float] = []

    @staticmethod
    def cost(request: dict[str, Any], size: int | None = None) -> float:
        """Tokens charged at admission: the prompt estimate (a token per four bytes of the body
        as sent, `size`, else as re-encoded here) plus the output budget."""
        if size is None:
            size = len(json.dumps(request, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
        budget = request.get("max_tokens") or request.get("max_completion_tokens") or 0
        return size / 4.0 + (budget if isinstance(budget, int) else 0)

    def admit(self, request: dict[str, Any], size: int | None = None) -> tuple[bool, dict[str, str]]:
        """(admitted, headers to send). A refused request costs nothing."""
        with self._lock:
            now = time.monotonic()
            buckets = [("requests", self._requests, 1.0)]
            if self._tokens is not None:
                buckets.append(("tokens", self._tokens, min(self.cost(request, size), self._tokens.capacity)))
            for _, bucket, _need in buckets:
                bucket.refill(now)
            short = [(b, need) for _, b, need in buckets if b.level < need]
            if not short:
                for _, bucket, need in buckets:
                    bucket.level -= need
                self.admitted += 1
                self.admit_times.append(now)
            else:
                self.rejected += 1
            headers: dict[str, str] = {}
            if self.send_headers:
                for kind, bucket, _ in buckets:
                    headers.update(bucket.headers(kind))
            if short:
                wait = max((need - b.level) / b.rate for b, need in short)
                headers["retry-after-ms"] = str(max(1, math.ceil(wait * 1000)))
            return not short, headers
