"""The batch run: the shared worker pool (`summarizer.pool`) over a lazy input iterator, one line
per input. Everything printed for people goes through `terminal.clean` (ids and messages can
hold control characters from file names, JSONL records or model output)."""

from __future__ import annotations

import contextvars
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Sized
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import SummarizerError
from ..pool import run_pool
from ..settings import DEFAULT_CONCURRENCY
from ..terminal import clean
from ..threads import run_in_thread
from .expand import Id, Item, Loader, given_path
from .progress import Bar
from .results import ResultFile, error_line, ok_line

if TYPE_CHECKING:
    from ..pipeline import Pipeline

current_id: contextvars.ContextVar[Id | None] = contextvars.ContextVar("summarizer_batch_id", default=None)
"""The id of the article a batch worker is processing (for prefixing verbose events)."""


@dataclass
class Tally:
    """What a batch run did. `skipped` counts inputs not run: already done, kept failures
    (`--skip-failed`) and duplicate ids."""

    done: int = 0
    failed: int = 0
    skipped: int = 0
    skipped_failed: int = 0
    duplicates: int = 0
    elapsed: float = 0.0

    @property
    def all_ok(self) -> bool:
        """True when every input of this run has an ok line in the output file."""
        return self.failed == 0 and self.skipped_failed == 0

    @property
    def rate(self) -> float:
        return (self.done + self.failed) / self.elapsed if self.elapsed > 0 else 0.0

    def line(self) -> str:
        return (
            f"done {self.done}, failed {self.failed}, skipped {self.skipped} "
            f"in {self.elapsed:.1f} s ({self.rate:.1f} articles/s)"
        )


def _stderr(message: str) -> None:
    sys.stderr.write(f"summarizer: {clean(message)}\n")
    sys.stderr.flush()


async def run_batch(
    items: Iterable[Item],
    output: Path,
    summarizer: Pipeline,
    concurrency: int = DEFAULT_CONCURRENCY,
    progress: bool = False,
    *,
    retry_failed: bool = True,
    verbose: bool = False,
    debug: bool = False,
    log: Callable[[str], None] | None = None,
) -> Tally:
    """Summarize every item with at most `concurrency` articles in flight; one line each.

    The pool (`summarizer.pool.run_pool`) pulls from the (lazy) `items` iterator, so 10,000
    inputs cost 10,000 small loop iterations, not 10,000 tasks or texts in memory, and stops
    taking new articles on a refused key or a configuration error (that error is raised once
    the articles in flight have finished; the inputs not started have no line and run on the
    next try). `summarizer` is shared (one client, one connection pool) and is not closed here.
    The final tally goes to `log` (stderr by default), also when the run is interrupted.
    Raises `ConfigError` when the output file cannot be used, `OutputError` when it cannot be
    written; a failing article never raises.
    """
    say = log or _stderr
    t0 = time.monotonic()
    out = ResultFile(Path(output))
    out.open()
    if out.repaired:
        say(f"warning: cut a torn last line ({out.repaired} bytes) from {output}, left by a killed run")
    tally = Tally()
    total = len(items) if isinstance(items, Sized) else None
    source = iter(items)
    seen: set[Id] = set()
    bar = Bar(progress, total)

    def note(message: str) -> None:
        if bar.active:
            bar.print(f"summarizer: {clean(message)}")
        else:
            say(message)

    def take() -> Item | None:
        """The next input to run; bookkeeping for skips. Synchronous: no await, no races."""
        for rid, loader in source:
            rid = out.known_id(rid, given_path(loader))
            if rid in seen:
                tally.skipped += 1
                tally.duplicates += 1
                if tally.duplicates <= 5:
                    note(f"warning: duplicate id {rid!r} skipped (the first one is processed)")
                elif tally.duplicates == 6:
                    note("warning: more duplicate ids skipped; see the tally")
                bar.skip()
                continue
            seen.add(rid)
            previous = out.status.get(rid)
            if previous is True or (previous is False and not retry_failed):
                tally.skipped += 1
                tally.skipped_failed += previous is False
                bar.skip()
                continue
            return rid, loader
        return None

    async def work(item: Item) -> SummarizerError | None:
        rid, loader = item
        current_id.set(rid)
        ok, line, message, err = await _one(rid, loader, summarizer, debug)
        out.write(rid, ok, line)
        if ok:
            tally.done += 1
        else:
            tally.failed += 1
            if verbose:
                note(f"{rid}: failed: {message}")
        bar.advance(tally)
        return err

    def stopping(err: SummarizerError) -> None:
        note(f"stopping: {err.one_line()}")

    try:
        with bar:
            fatal = await run_pool(take, work, concurrency, on_stop=stopping)
    finally:
        try:
            out.finish()
        finally:
            tally.elapsed = time.monotonic() - t0
            if tally.duplicates > 5:
                say(f"warning: {tally.duplicates} duplicate ids skipped in all")
            say(tally.line())
    if fatal is not None:
        raise fatal
    return tally


async def _one(
    rid: Id, loader: Loader, summarizer: Pipeline, debug: bool
) -> tuple[bool, bytes, str, SummarizerError | None]:
    """One article to (ok, output line, error message, error); never raises (but cancellation)."""
    try:
        article = await run_in_thread(loader)  # a daemon thread: a stuck read never blocks exit
        result = await summarizer.arun(article)
        return True, ok_line(rid, result), "", None
    except SummarizerError as err:
        message = err.one_line()
        return False, error_line(rid, err.kind, message), message, err
    except Exception as err:  # noqa: BLE001 - one article's bug must not stop the batch
        if debug:
            traceback.print_exc()
        from ..redact import redact

        message = " ".join(f"{type(err).__name__}: {redact(str(err))}".split())[:300]
        return False, error_line(rid, "internal", message), message, None


