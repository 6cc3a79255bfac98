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

from .errors import RetriesExhaustedError


@dataclass
class Ledger:
    """Requests, tokens and the deadline of one article."""

    deadline: float | None = None  # time.monotonic() by which the article ends: no request runs past it
    on_event: Callable[[str], None] | None = None
    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    events: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)  # chunks run in threads

    def start_request(self) -> int:
        """Count one HTTP request as it is sent (so one that never answers counts too).

        Returns its number within the article.
        """
        with self._lock:
            self.requests += 1
            return self.requests

    def add_usage(self, usage: object) -> int:
        """Add a response's `usage` (a dict; anything else counts as none) and return the
        tokens counted. A provider's odd value (a string, a negative or fractional number)
        does not void the answer: what reads as a whole number of tokens is counted, the
        rest as 0."""
        p = c = t = 0
        if isinstance(usage, dict):
            p = _tokens(usage.get("prompt_tokens"))
            c = _tokens(usage.get("completion_tokens"))
            t = _tokens(usage.get("total_tokens")) or (p + c)
        with self._lock:
            self.prompt_tokens += p
            self.completion_tokens += c
            self.total_tokens += t
        return t

    def out_of_time(self) -> RetriesExhaustedError:
        """The error for an article whose deadline passed, however far its requests got."""
        return RetriesExhaustedError(
            f"gave up after {self.requests} request(s): the article's deadline (timeout) ran out",
            "raise --timeout, or try again later",
        )

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


def _tokens(value: object) -> int:
    """A token count as a provider may send it: an int, or a float or string holding one."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, str):
        value = value.strip()
        return int(value) if value.isdigit() and len(value) < 16 else 0
    if isinstance(value, float) and value.is_integer() and 0 <= value < 1e15:
        return int(value)
    return value if isinstance(value, int) and 0 <= value < 10**15 else 0


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
