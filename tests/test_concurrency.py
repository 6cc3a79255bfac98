"""`summarizer.concurrency`: the worker pool's limits and stop policy, and daemon threads that
carry the caller's context and never hold up a deadline."""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time

import pytest

from summarizer.concurrency import NotDone, call_with_timeout, is_fatal, run_in_thread, run_pool
from summarizer.errors import AuthError, ConfigError, ProviderError, SummarizerError

_VAR: contextvars.ContextVar[str] = contextvars.ContextVar("test_var", default="unset")


def test_the_pool_never_has_more_than_concurrency_items_in_flight() -> None:
    items = iter(range(20))
    in_flight, peak, done = 0, 0, []

    async def work(i: int) -> SummarizerError | None:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.005)
        in_flight -= 1
        done.append(i)
        return None

    stopped = asyncio.run(run_pool(lambda: next(items, None), work, 3))
    assert stopped is None, "no fatal error was met, so the pool reports none"
    assert sorted(done) == list(range(20)), "every item taken was worked on exactly once"
    assert peak == 3, f"at most 3 in flight (and the pool used them all), saw {peak}"


def test_one_failure_does_not_stop_the_rest_but_a_refused_key_does() -> None:
    taken: list[int] = []
    items = iter(range(10))

    def take() -> int | None:
        item = next(items, None)
        if item is not None:
            taken.append(item)
        return item

    async def work(i: int) -> SummarizerError | None:
        await asyncio.sleep(0)
        if i == 1:
            return ProviderError("one article's provider error")
        if i == 4:
            return AuthError("the key was refused")
        return None

    told: list[SummarizerError] = []
    stopped = asyncio.run(run_pool(take, work, 1, on_stop=told.append))
    assert isinstance(stopped, AuthError), f"the refused key stops the run, got {stopped!r}"
    assert told == [stopped], "on_stop hears of the stop once"
    assert taken == [0, 1, 2, 3, 4], f"items after the provider error ran; none after the refused key: {taken}"


def test_fatal_errors_are_the_ones_every_later_article_would_meet() -> None:
    assert is_fatal(AuthError("401")), "a refused key stops the run"
    assert is_fatal(ConfigError("bad configuration")), "a configuration error stops the run"
    assert not is_fatal(ProviderError("500")), "one provider error does not"
    assert not is_fatal(None), "no error is not fatal"


def test_a_daemon_call_gives_up_waiting_at_its_timeout() -> None:
    release = threading.Event()
    t0 = time.monotonic()
    with pytest.raises(NotDone):
        call_with_timeout(release.wait, 0.05)
    assert time.monotonic() - t0 < 2, "the caller stopped waiting at the timeout"
    release.set()


def test_a_daemon_call_returns_values_raises_errors_and_keeps_the_context() -> None:
    _VAR.set("the caller's value")
    assert call_with_timeout(_VAR.get, 5) == "the caller's value", "the thread runs in a copy of the caller's context"
    with pytest.raises(ValueError, match="boom"):
        call_with_timeout(lambda: (_ for _ in ()).throw(ValueError("boom")), 5)


def test_run_in_thread_can_be_abandoned_by_cancelling() -> None:
    release = threading.Event()

    async def main() -> str:
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(run_in_thread(release.wait), 0.05)
        _VAR.set("async caller")
        return await run_in_thread(_VAR.get)

    assert asyncio.run(main()) == "async caller", "after a cancelled wait, new calls still work and see the context"
    release.set()


def test_daemon_calls_reuse_a_free_thread_and_a_blocked_one_never_holds_up_the_next() -> None:
    from summarizer.concurrency import _Workers

    assert call_with_timeout(lambda: threading.current_thread().daemon, 5), "calls run in daemon threads"
    workers = _Workers()  # its own threads, so the count below is exact

    def on_a_worker(fn: object) -> object:
        box: list[object] = []
        done = threading.Event()
        workers.submit(lambda: (box.append(fn()), done.set()), "reuse-test")  # type: ignore[operator]
        assert done.wait(5), "the job ran"
        return box[0]

    first = on_a_worker(threading.get_ident)
    deadline = time.monotonic() + 5
    while workers._idle == 0 and time.monotonic() < deadline:  # the thread is back waiting
        time.sleep(0.001)
    assert on_a_worker(threading.get_ident) == first, "a free thread is reused, not a new one started"
    release, blocked = threading.Event(), threading.Event()
    workers.submit(lambda: (blocked.set(), release.wait()), "reuse-test")
    assert blocked.wait(5)
    assert on_a_worker(threading.get_ident) != first, "with the only thread blocked, a new one runs the next call"
    release.set()


def test_idle_daemon_threads_end() -> None:
    from summarizer.concurrency import _Workers

    workers = _Workers()
    workers.IDLE_SECONDS = 0.05
    ran = threading.Event()
    names = f"idle-test-{id(workers)}"
    workers.submit(ran.set, names)
    assert ran.wait(5), "the job ran"
    deadline = time.monotonic() + 5
    while any(t.name == names for t in threading.enumerate()) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not any(t.name == names for t in threading.enumerate()), "a thread with nothing to do ended"
    workers.submit(ran.clear, names)
    deadline = time.monotonic() + 5
    while ran.is_set() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not ran.is_set(), "after the idle thread ended, a new call still runs (in a new thread)"


def test_a_forked_child_starts_its_own_daemon_threads() -> None:
    """A child process inherits no threads: calls there must not wait for the parent's."""
    import os

    assert call_with_timeout(lambda: 1, 5) == 1  # the parent now has a waiting thread
    pid = os.fork()
    if pid == 0:  # the child: exit 0 only if a call runs
        try:
            os._exit(0 if call_with_timeout(lambda: 2, 5) == 2 else 1)
        except BaseException:  # noqa: BLE001 - any failure is the child's non-zero exit
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, "a call in the forked child ran in a thread of its own"
