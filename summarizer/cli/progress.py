"""What a person sees on a terminal while work runs: the status line of `summarize` and `eval`,
and the progress bar of `batch` with a line per article in flight (`Activity`: what one article
is doing, "question 5 of 14 (speaker): generating, 23 tokens", drawn by both).

The status line is fed by `summarizer.progress` events (and the ledger's retry notes); both are
drawn by rich on stderr, transient (they disappear when the run ends, leaving stderr as it
was), and only when stderr is a terminal: pipes, files and CI get nothing at all.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from ..progress import Event
from ..terminal import clean

if TYPE_CHECKING:
    from ..batch import Tally

T = TypeVar("T")


class Activity:
    """What one article is doing, from its progress events, as one line of text: "loading the
    model", "question 5 of 14 (speaker): generating, 23 tokens, 17.0 tokens/s". A progress
    listener (`summarizer.progress.listening`); events may come from the model's thread."""

    def __init__(self, first: str = "", subject: str = "") -> None:
        self.subject = subject  # e.g. "qwen2.5-coder-1.5b"; "" for no prefix
        self.text = first
        self.question: str | None = None  # "question 5 of 14 (speaker)" of the focused plan
        self.events = 0
        self.requests = 0
        self.tokens = 0
        self.generating_since: float | None = None
        self._lock = threading.Lock()

    def _said(self, message: str) -> str:
        return f"{self.subject}: {message}" if self.subject else message

    def __call__(self, event: Event) -> None:
        with self._lock:
            self.events += 1
            if event.stage == "generate":
                if self.generating_since is None:
                    self.generating_since = time.monotonic()
                self.tokens = event.done or self.tokens + 1
                return
            self.generating_since = None
            if event.stage == "question":
                self.question = event.message
                self.text = self._said(event.message)
            elif event.stage == "prompt":
                self.requests += 1
                self.tokens = 0
                self.text = self._said(f"{self.question}: {event.message}" if self.question else event.message)
            elif event.stage == "model":
                self.text = event.message
            else:
                self.text = self._said(event.message)

    def line(self) -> str:
        """The line as of now (a token rate needs the clock, so it is computed here)."""
        with self._lock:
            if self.generating_since is None:
                return self.text
            spent = time.monotonic() - self.generating_since
            rate = f", {self.tokens / spent:.1f} tokens/s" if spent > 0.5 and self.tokens > 1 else ""
            doing = f"generating, {self.tokens:,} tokens{rate}"
            if self.question:
                return self._said(f"{self.question}: {doing}")
            text = self._said(doing)
            return f"{text} (request {self.requests})" if self.requests > 1 else text


class StatusLine:
    """One line: what is happening now, with counts and elapsed time."""

    def __init__(self, first: str, subject: str) -> None:
        from rich.console import Console

        self.subject = subject  # e.g. "qwen2.5-coder-1.5b" or "gpt-4o-mini at api.openai.com"
        self.activity = Activity(first, subject)
        self.t0 = time.monotonic()
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

        return Text(f"{self.activity.line()}  ({time.monotonic() - self.t0:.0f} s)")

    def __call__(self, event: Event) -> None:
        """A progress listener (see `summarizer.progress.listening`)."""
        self.activity(event)

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


ARTICLE_LINES = 4
"""Articles in flight shown under the batch bar, each on its own line; the rest are counted."""


class Bar:
    """A rich progress bar on stderr, or nothing. Built only when enabled (rich is lazy).

    Under the bar, one line per article in flight that reports what it is doing (a local
    model's loading, focused questions, tokens): "iran.txt: question 5 of 14 (speaker):
    generating, 23 tokens  (1:05)". Articles that report nothing (a hosted model's single call)
    add no line, so a hosted batch looks as it always did.
    """

    def __init__(self, enabled: bool, total: int | None) -> None:
        self.active = enabled
        self._progress: Any = None
        self._task: Any = None
        self._total = total
        self._flight: dict[Any, tuple[Activity, float]] = {}  # id -> (what it does, since when)
        self._lock = threading.Lock()
        if not enabled:
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            ProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.text import Text

        class Rate(ProgressColumn):
            def render(self, task: Any) -> Text:
                speed = task.finished_speed or task.speed
                return Text(f"{speed:.1f}/s" if speed else "-/s", style="progress.data.speed")

        bar = self

        class WithArticles(Progress):
            def get_renderables(self) -> Any:
                yield self.make_tasks_table(self.tasks)
                for line in bar.article_lines():
                    yield Text(line, no_wrap=True, overflow="ellipsis")  # not markup: ids hold [brackets]

        self._progress = WithArticles(
            TextColumn("batch"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("ok {task.fields[ok]} failed {task.fields[failed]} skipped {task.fields[skipped]}"),
            Rate(),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._task = self._progress.add_task("batch", total=total, ok=0, failed=0, skipped=0)
        self._skipped = 0

    def __enter__(self) -> Bar:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def print(self, message: str) -> None:
        self._progress.console.print(message, markup=False, highlight=False)

    def skip(self) -> None:
        """A skipped input leaves the total, so rate and ETA reflect real work only."""
        if self._progress is None:
            return
        self._skipped += 1
        total = None if self._total is None else self._total - self._skipped
        self._progress.update(self._task, total=total, skipped=self._skipped)

    def advance(self, tally: Tally) -> None:
        if self._progress is not None:
            self._progress.update(self._task, advance=1, ok=tally.done, failed=tally.failed)

    @contextmanager
    def article(self, rid: Any) -> Iterator[None]:
        """While one article runs: its progress events feed its line under the bar."""
        if self._progress is None:
            yield
            return
        from ..progress import listening

        activity = Activity()
        with self._lock:
            self._flight[rid] = (activity, time.monotonic())
        try:
            with listening(activity):
                yield
        finally:
            with self._lock:
                self._flight.pop(rid, None)

    def article_lines(self) -> list[str]:
        """The lines under the bar: articles in flight that said what they are doing."""
        with self._lock:
            flight = [(rid, a, t0) for rid, (a, t0) in self._flight.items() if a.events]
        now = time.monotonic()
        lines = [
            f"  {clean(str(rid))}: {clean(activity.line())}  ({_clock(now - t0)})"
            for rid, activity, t0 in flight[:ARTICLE_LINES]
        ]
        if len(flight) > ARTICLE_LINES:
            lines.append(f"  ... and {len(flight) - ARTICLE_LINES} more in flight")
        return lines


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}:{secs:02d}"
