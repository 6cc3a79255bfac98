"""Blocking work in daemon threads, so that a stuck read never holds up a deadline or an exit.

`asyncio.to_thread` and `ThreadPoolExecutor` threads are joined when the interpreter exits (and
`asyncio.run` waits for the default executor), so one read blocked for good (a FIFO, a dead NFS
mount, a server trickling bytes) would keep Ctrl-C or SIGTERM from ending the process. The
helpers here start a daemon thread per call instead: the caller stops waiting when it must (a
deadline, a cancellation) and the thread, if still blocked, dies with the process. Each thread
runs in a copy of the caller's context, so context variables (the article's ledger) follow it.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


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

    threading.Thread(target=run, name=name, daemon=True).start()


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
