"""The status line a person sees on a terminal while `summarize` works.

Fed by `summarizer.progress` events (and the ledger's retry notes); drawn by rich on stderr,
transient (it disappears when the run ends, leaving stderr as it was). `StatusLine.for_stderr`
returns None when stderr is not a terminal, so pipes, files and CI get nothing at all.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from ..progress import Event

T = TypeVar("T")


class StatusLine:
    """One line: what is happening now, with counts and elapsed time."""

    def __init__(self, first: str, subject: str) -> None:
        from rich.console import Console

        self.subject = subject  # e.g. "qwen2.5-coder-1.5b" or "gpt-4o-mini at api.openai.com"
        self.text = first
        self.t0 = time.monotonic()
        self.requests = 0
        self.tokens = 0
        self.generating_since: float | None = None
        self._lock = threading.Lock()
        self.console = Console(stderr=True)
        self._status = self.console.status(self, spinner="dots")

    @classmethod
    def for_stderr(cls, first: str, subject: str) -> StatusLine | None:
        """A status line when stderr is a terminal; None otherwise (pipes stay silent)."""
        stream = sys.stderr
        if stream is None or not stream.isatty():
            return None
        return cls(first, subject)

    def __rich__(self) -> Any:
        """Rendered on every refresh, so the clock runs even while nothing is reported."""
        from rich.text import Text  # not markup: names and messages may hold [brackets]

        with self._lock:
            text = self.text
            if self.generating_since is not None:
                spent = time.monotonic() - self.generating_since
                rate = f", {self.tokens / spent:.1f} tokens/s" if spent > 0.5 and self.tokens > 1 else ""
                text = f"{self.subject}: generating, {self.tokens:,} tokens{rate}"
                if self.requests > 1:
                    text = f"{text} (request {self.requests})"
        return Text(f"{text}  ({time.monotonic() - self.t0:.0f} s)")

    def __call__(self, event: Event) -> None:
        """A progress listener (see `summarizer.progress.listening`)."""
        with self._lock:
            if event.stage == "generate":
                if self.generating_since is None:
                    self.generating_since = time.monotonic()
                self.tokens = event.done or self.tokens + 1
                return
            self.generating_since = None
            if event.stage == "prompt":
                self.requests += 1
                self.tokens = 0
                self.text = f"{self.subject}: {event.message}"
            elif event.stage == "model":
                self.text = event.message
            else:
                self.text = f"{self.subject}: {event.message}"

    def note(self, message: str) -> None:
        """A ledger event (retry, truncation): shown until the next event replaces it."""
        self(Event("retry", message))

    def __enter__(self) -> StatusLine:
        self._status.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._status.stop()

    @staticmethod
    def opening(settings: Any) -> tuple[str, str]:
        """(first line, subject) for a run with these settings."""
        if settings.backend == "local" and settings.replay_dir is None:
            return f"{settings.model}: starting", settings.model
        if settings.backend == "rules" or settings.replay_dir is not None:
            return "working", settings.backend_label
        subject = f"{settings.model} at {settings.endpoint_host}"
        return f"waiting for {subject}", subject

    def combined(self, verbose: Callable[[str], None] | None) -> Callable[[str], None]:
        """A ledger `on_event` that notes the event here and still prints it for -v."""

        def on_event(message: str) -> None:
            self.note(message)
            if verbose is not None:
                verbose(message)

        return on_event


def run_with_status(status: StatusLine | None, fn: Callable[..., T], *args: Any) -> T:
    """`fn(*args)` with the status line drawn and listening to progress events, if any."""
    if status is None:
        return fn(*args)
    from ..progress import listening

    with status, listening(status):
        return fn(*args)
