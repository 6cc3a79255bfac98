"""The one worker pool for many articles, and its one stop policy.

`batch.run_batch` (the CLI's `batch`) and `api.asummarize_many` (`summarize_many`) both run
their articles through `run_pool`, so they overlap calls and stop in the same way:

- a fixed number of worker tasks pull items from a lazy source, so 10,000 inputs cost 10,000
  loop iterations, never 10,000 tasks or texts in memory;
- one article's failure never stops the others, except a failure that every later article
  would meet too (`is_fatal`: a refused key, 401/403, or a configuration error): then no
  worker takes a new item, the articles in flight finish, and the error is returned, so a
  wrong key costs about `concurrency` requests, not one per input;
- a cancellation (Ctrl-C, SIGTERM) cancels every worker and waits for them before it goes on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from .errors import AuthError, ConfigError, SummarizerError

T = TypeVar("T")

FATAL: tuple[type[SummarizerError], ...] = (AuthError, ConfigError)
"""Errors that no later article can escape."""


def is_fatal(err: BaseException | None) -> bool:
    """True for an error that stops the whole run (see FATAL)."""
    return isinstance(err, FATAL)


async def run_pool(
    take: Callable[[], T | None],
    work: Callable[[T], Awaitable[SummarizerError | None]],
    concurrency: int,
    *,
    on_stop: Callable[[SummarizerError], None] | None = None,
) -> SummarizerError | None:
    """Run `work(item)` for items from `take()` with at most `concurrency` in flight.

    `take` is called by one worker at a time with no await in between, so it may keep its
    own bookkeeping (skips, duplicates) without locks; it returns None when nothing is left.
    `work` returns the typed error its item met, or None. Returns the fatal error that
    stopped the run (after `on_stop` was told), or None when every item was taken.
    """
    fatal: list[SummarizerError] = []

    async def worker() -> None:
        while not fatal and (item := take()) is not None:
            err = await work(item)
            if is_fatal(err) and not fatal:
                assert err is not None
                fatal.append(err)
                if on_stop is not None:
                    on_stop(err)

    tasks = [asyncio.create_task(worker()) for _ in range(max(1, concurrency))]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    return fatal[0] if fatal else None
