"""Progress events: what a long run is doing, for whoever wants to show it.

Library code calls `emit(...)` at the few points where a person would wonder what is going on
(preparing or loading the local model, each focused question sent, reading the prompt, each
generated token). It never
prints: the events go to the listener installed with `listening(...)` for the current context
(a contextvar, so concurrent articles, threads started with a copied context and asyncio tasks
each reach their own listener), and nowhere when there is none. Emitting without a listener
costs one contextvar lookup, so it is cheap enough to call once per generated token.

The CLI's listeners (`summarizer.cli.progress`) draw one status line (`summarize`, `eval`), or
one line per article in flight under the bar (`batch`), on a terminal's stderr, and are not
installed at all when stderr is a pipe or a file.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

__all__ = ["Event", "emit", "listening", "active"]


@dataclass(frozen=True)
class Event:
    """One step of a run.

    `stage` is one of: "read" (the article), "model" (preparing or loading the local model),
    "question" (a question of the focused plan is sent: "question 5 of 14 (speaker)"; `done`
    counts them over the whole article, `total` is how many the plan asks, None when not
    known), "prompt" (the model is reading the prompt), "generate" (tokens are being produced;
    `done` counts them), "wait" (a hosted model is working), "retry" (a transport fault,
    waiting). `done`/`total` are counts when known (questions, tokens, bytes).
    """

    stage: str
    message: str
    done: int | None = None
    total: int | None = None


Listener = Callable[[Event], None]

_listener: contextvars.ContextVar[Listener | None] = contextvars.ContextVar("summarizer_progress", default=None)


def active() -> bool:
    """Whether anyone listens here (lets a caller skip building an expensive message)."""
    return _listener.get() is not None


def emit(stage: str, message: str, done: int | None = None, total: int | None = None) -> None:
    """Tell the current listener, if any. A listener's own failure never breaks the run."""
    listener = _listener.get()
    if listener is None:
        return
    try:
        listener(Event(stage, message, done, total))
    except Exception:  # noqa: BLE001 - progress is decoration; the work must go on
        pass


@contextmanager
def listening(listener: Listener | None) -> Iterator[None]:
    """Send the events of this context (and of contexts copied from it) to `listener`."""
    token = _listener.set(listener)
    try:
        yield
    finally:
        _listener.reset(token)
