"""The batch run: the shared worker pool (`summarizer.concurrency`) over a lazy input iterator, one line
per input. Everything printed for people goes through `terminal.clean` (ids and messages can
hold control characters from file names, JSONL records or model output)."""

from __future__ import annotations

import contextvars
import sys
import time
import traceback
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ..concurrency import run_in_thread, run_pool
from ..errors import ScreeningError, SummarizerError
from ..settings import DEFAULT_CONCURRENCY
from ..terminal import clean
from .expand import Id, Item, Loader, given_path
from .results import ResultFile, error_line, ok_line

if TYPE_CHECKING:
    from ..api import Summarizer

current_id: contextvars.ContextVar[Id | None] = contextvars.ContextVar("summarizer_batch_id", default=None)
"""The id of the article a batch worker is processing (for prefixing verbose events)."""


FAILURES_SHOWN = 3
"""Failed articles the tally names; the rest are counted, and every error is in the output."""
_MESSAGE_CHARS = 120  # of each failure's message in the tally


@dataclass
class Tally:
    """What a batch run did. `skipped` counts inputs not run: already done, kept failures
    (`--skip-failed`) and duplicate ids. `failures` holds the first few failed articles
    (id, exit code of their error, message) and `kept` the first few kept failures' ids, so
    the tally names them."""

    done: int = 0
    failed: int = 0
    skipped: int = 0
    skipped_failed: int = 0
    duplicates: int = 0
    elapsed: float = 0.0
    failures: list[tuple[Id, int, str]] = field(default_factory=list)
    kept: list[Id] = field(default_factory=list)

    def fail(self, rid: Id, exit_code: int, message: str) -> None:
        """Count one failed article and remember it if it is among the first few."""
        self.failed += 1
        if len(self.failures) < FAILURES_SHOWN:
            self.failures.append((rid, exit_code, message))

    def keep_failed(self, rid: Id) -> None:
        """Count one earlier failure kept as it is (`--skip-failed`)."""
        self.skipped += 1
        self.skipped_failed += 1
        if len(self.kept) < FAILURES_SHOWN:
            self.kept.append(rid)

    def failure_lines(self, output: str | Path) -> list[str]:
        """The lines after the tally that name what failed: `failed 1: README.md (exit 11:
        ...)`; for many, the first few and where the rest are. Empty when nothing failed."""
        lines = []
        if self.failed:
            shown = "; ".join(f"{rid} (exit {code}: {_cut(msg)})" for rid, code, msg in self.failures)
            more = self.failed - len(self.failures)
            tail = f"; and {more} more: see {output}" if more > 0 else ""
            lines.append(f"failed {self.failed}: {shown}{tail}")
        if self.skipped_failed:
            ids = ", ".join(str(rid) for rid in self.kept)
            more = self.skipped_failed - len(self.kept)
            named = f"{ids}{f', and {more} more' if more > 0 else ''}; " if ids else ""
            lines.append(
                f"kept {self.skipped_failed} earlier failure(s) as they were (--skip-failed): {named}"
                f"see {output}"
            )
        return lines

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


class Progress(Protocol):
    """What shows a batch's progress (the CLI's bar on a terminal): told of every skipped and
    finished input, given the run's notes to print above itself, and, around each article's
    run, a chance to listen to its progress events (`article`: the work inside an article,
    such as a local model's questions)."""

    active: bool

    def __enter__(self) -> Any: ...
    def __exit__(self, *exc: object) -> Any: ...
    def print(self, message: str) -> None: ...
    def skip(self) -> None: ...
    def advance(self, tally: Tally) -> None: ...
    def article(self, rid: Id) -> AbstractContextManager[Any]: ...


class _Silent:
    """No progress shown (pipes, the library)."""

    active = False

    def __enter__(self) -> _Silent:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def print(self, message: str) -> None:
        return None

    def skip(self) -> None:
        return None

    def advance(self, tally: Tally) -> None:
        return None

    def article(self, rid: Id) -> AbstractContextManager[None]:
        return nullcontext()


def _stderr(message: str) -> None:
    sys.stderr.write(f"summarizer: {clean(message)}\n")
    sys.stderr.flush()


async def run_batch(
    items: Iterable[Item],
    output: Path,
    summarizer: Summarizer,
    concurrency: int = DEFAULT_CONCURRENCY,
    progress: Progress | None = None,
    *,
    retry_failed: bool = True,
    verbose: bool = False,
    debug: bool = False,
    log: Callable[[str], None] | None = None,
) -> Tally:
    """Summarize every item with at most `concurrency` articles in flight; one line each.

    The pool (`summarizer.concurrency.run_pool`) pulls from the (lazy) `items` iterator, so 10,000
    inputs cost 10,000 small loop iterations, not 10,000 tasks or texts in memory, and stops
    taking new articles on a refused key, a configuration error or a dead server (`concurrency.FATAL`;
    that error is raised once
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
    source = iter(items)
    seen: set[Id] = set()
    bar = progress if progress is not None else _Silent()

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
                if previous is False:
                    tally.keep_failed(rid)
                else:
                    tally.skipped += 1
                bar.skip()
                continue
            return rid, loader
        return None

    async def work(item: Item) -> SummarizerError | None:
        rid, loader = item
        current_id.set(rid)
        with bar.article(rid):
            ok, line, message, err = await _one(rid, loader, summarizer, debug)
        out.write(rid, ok, line)
        if ok:
            tally.done += 1
        else:
            tally.fail(rid, err.exit_code if err is not None else 1, message)
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
            for line in tally.failure_lines(output):
                say(line)
    if fatal is not None:
        raise fatal
    return tally


def _cut(message: str) -> str:
    return message if len(message) <= _MESSAGE_CHARS else message[: _MESSAGE_CHARS - 3].rstrip() + "..."


async def _one(
    rid: Id, loader: Loader, summarizer: Summarizer, debug: bool
) -> tuple[bool, bytes, str, SummarizerError | None]:
    """One article to (ok, output line, error message, error); never raises (but cancellation)."""
    try:
        article = await run_in_thread(loader)  # a daemon thread: a stuck read never blocks exit
        result = await summarizer.arun(article)
        return True, ok_line(rid, result), "", None
    except ScreeningError as err:
        message = err.one_line()
        if err.result is None:
            return False, error_line(rid, err.kind, message), message, err
        # The model was paid for: its result is written, unscreened (no screening fields, so
        # renders and the CSV show "not screened"), and the article is counted as failed for
        # its screening; a rerun does not pay for it again (docs/batch.md).
        return False, ok_line(rid, err.result), f"not screened, result kept: {message}", err
    except SummarizerError as err:
        message = err.one_line()
        return False, error_line(rid, err.kind, message), message, err
    except Exception as err:  # noqa: BLE001 - one article's bug must not stop the batch
        if debug:
            traceback.print_exc()
        from ..redact import redact

        message = " ".join(f"{type(err).__name__}: {redact(str(err))}".split())[:300]
        return False, error_line(rid, "internal", message), message, None


