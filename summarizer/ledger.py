"""One usage ledger per article call, shared by every attempt of that call.

The transports (retries, re-asks, truncation retries) all add to the ledger found in a
context variable, so provenance reports the real number of requests and the tokens of every
one of them, failed ones included. A context variable, unlike a field on the shared client,
keeps concurrent articles of a batch apart.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass
class Ledger:
    """Requests, tokens and the deadline of one article."""

    deadline: float | None = None  # time.monotonic() value after which no new attempt starts
    on_event: Callable[[str], None] | None = None
    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    events: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)  # chunks run in threads

    def add_request(self, usage: object) -> tuple[int, int]:
        """Count one HTTP request and its `usage` (a dict, or anything else for none).

        Returns (request number, total tokens of this request).
        """
        p = c = t = 0
        if isinstance(usage, dict):
            p = int(usage.get("prompt_tokens") or 0)
            c = int(usage.get("completion_tokens") or 0)
            t = int(usage.get("total_tokens") or (p + c))
        with self._lock:
            self.requests += 1
            self.prompt_tokens += p
            self.completion_tokens += c
            self.total_tokens += t
            return self.requests, t

    def event(self, message: str) -> None:
        """Record an attempt-level event and pass it to the verbose printer, if any."""
        self.events.append(message)
        if self.on_event is not None:
            self.on_event(message)

    def remaining(self) -> float | None:
        """Seconds left before the deadline (None = no deadline)."""
        if self.deadline is None:
            return None
        return self.deadline - time.monotonic()


_LEDGER: ContextVar[Ledger | None] = ContextVar("summarizer_ledger", default=None)


def current() -> Ledger | None:
    """The ledger of the article being processed in this task/thread, if any."""
    return _LEDGER.get()


@contextmanager
def recording(ledger: Ledger) -> Iterator[Ledger]:
    """Route every transport event of the enclosed calls to `ledger`."""
    token = _LEDGER.set(ledger)
    try:
        yield ledger
    finally:
        _LEDGER.reset(token)
