"""Running many things at once: the one worker pool for many articles (and its stop
policy), and daemon threads for blocking work.

The worker pool. `batch.run_batch` (the CLI's `batch`) and `api.asummarize_many` (`summarize_many`) both run
their articles through `run_pool`, so they overlap calls and stop in the same way:

- a fixed number of worker tasks pull items from a lazy source, so 10,000 inputs cost 10,000
  loop iterations, never 10,000 tasks or texts in memory;
- one article's failure never stops the others, except a failure that every later article
  would meet too (`is_fatal`: a refused key, 401/403, a configuration error, or a server that
  died mid-run): then no
  worker takes a new item, the articles in flight finish, and the error is returned, so a
  wrong key costs about `concurrency` requests, not one per input;
- a cancellation (Ctrl-C, SIGTERM) cancels every worker and waits for them before it goes on.

Daemon threads. `asyncio.to_thread` and `ThreadPoolExecutor` threads are joined when the interpreter exits (and
`asyncio.run` waits for the default executor), so one read blocked for good (a FIFO, a dead NFS
mount, a server trickling bytes) would keep Ctrl-C or SIGTERM from ending the process. The
helpers here run each call in a daemon thread instead (one that is free, else a new one): the
caller stops waiting when it must (a deadline, a cancellation) and the thread, if still
blocked, dies with the process. Each call runs in a copy of the caller's context, so context
variables (the article's ledger) follow it.
"""

from __future__ import annotations

import asyncio
import contextvars
import os
import queue
import threading
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from .errors import AuthError, ConfigError, ServerGoneError, SummarizerError

T = TypeVar("T")

FATAL: tuple[type[SummarizerError], ...] = (AuthError, ConfigError, ServerGoneError)
"""Errors that no later article can escape (a dead server answers no one)."""


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


# --------------------------------------------------------------------------- daemon threads


class NotDone(TimeoutError):
    """`call_with_timeout` stopped waiting (as opposed to a TimeoutError raised by the call)."""


def _start(fn: Callable[[], T], done: Callable[[bool, Any], None], name: str) -> None:
    context = contextvars.copy_context()

    def run() -> None:
        try:
            value = context.run(fn)
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting caller
            done(False, exc)
        else:
            done(True, value)

    _WORKERS.submit(run, name)


class _Workers:
    """The daemon threads behind `call_with_timeout` and `run_in_thread`, kept for reuse.

    Starting a thread costs a fraction of a millisecond and waits until the new thread has
    run (on a busy machine, a scheduling delay): once per request or article loaded, on the
    event loop of a batch. So a thread that finished its call waits for the next one, and a
    new one is started only when none is waiting; one blocked for good is simply never free
    again, and the next call gets a new thread, as before. Threads waiting longer than
    `IDLE_SECONDS` end. All are daemon threads: none holds up the interpreter's exit.
    """

    IDLE_SECONDS = 30.0

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        """No threads: at start, and in a forked child, which inherits none of the parent's
        threads (counting them as waiting would leave its calls to nobody)."""
        self._jobs: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._idle = 0  # threads waiting for a job that no caller has counted on yet

    def submit(self, job: Callable[[], None], name: str) -> None:
        self._jobs.put(job)
        with self._lock:
            if self._idle:
                self._idle -= 1  # a waiting thread will take it
                return
        threading.Thread(target=self._work, name=name, daemon=True).start()

    def _work(self) -> None:
        while True:
            try:
                job = self._jobs.get(timeout=self.IDLE_SECONDS)
            except queue.Empty:
                with self._lock:
                    if self._idle:  # nobody counts on this thread: it may end
                        self._idle -= 1
                        return
                continue  # a caller counted on it just now: its job is on the way
            job()
            with self._lock:
                self._idle += 1


_WORKERS = _Workers()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_WORKERS._reset)


def call_with_timeout(fn: Callable[[], T], timeout: float, name: str = "summarizer-call") -> T:
    """`fn()` in a daemon thread; raise `NotDone` if it is not done within `timeout` s.

    The thread is abandoned, not stopped (Python cannot stop a thread): whatever it holds is
    released when its blocking call returns or the process ends.
    """
    finished = threading.Event()
    box: list[tuple[bool, Any]] = []

    def done(ok: bool, value: Any) -> None:
        box.append((ok, value))
        finished.set()

    _start(fn, done, name)
    if not finished.wait(max(timeout, 0.0)):
        raise NotDone(f"not done within {timeout:.3g} s")
    ok, value = box[0]
    if not ok:
        raise value
    return value  # type: ignore[no-any-return]


async def run_in_thread(fn: Callable[[], T], name: str = "summarizer-load") -> T:
    """Await `fn()` run in a daemon thread; cancelling the await abandons the thread."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(ok: bool, value: Any) -> None:
        if future.done():
            return
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)

    def done(ok: bool, value: Any) -> None:
        try:
            loop.call_soon_threadsafe(settle, ok, value)
        except RuntimeError:  # the loop closed meanwhile: nobody is waiting any more
            pass

    _start(fn, done, name)
    return await future
