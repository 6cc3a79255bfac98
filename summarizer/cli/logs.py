"""`summarizer logs`: the run history (list, show one, search, path), and the hook that writes it.

Every run of `summarize`, each article of `batch` and each article of `eval` is written to
the history unless `--no-log` or SUMMARIZER_NO_LOG=1 (see `summarizer/history.py`, whose
schema is documented in docs/history.md). The commands use `RunLog`: `log.result(...)` /
`log.error(...)` for one article, or `Summarizer(on_finish=log.hook())` to log every article
the library client finishes. A history that cannot be written costs one warning on
stderr, never the run.

Only typer and `.common` are imported here; sqlite3 and the history load when used.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from ..terminal import clean
from .common import Command, err, errors_to_exit, number, write_output

if TYPE_CHECKING:
    from ..history import History, Run

NoLog = Annotated[
    bool,
    typer.Option("--no-log", help="Do not write this run to the history (summarizer logs) [env SUMMARIZER_NO_LOG=1]."),
]


# ------------------------------------------------------------------------------ writing
class RunLog:
    """The history entries of one CLI run: one row per article, sharing an invocation id."""

    def __init__(self, command: str, settings: Any, *, off: bool = False) -> None:
        from ..history import disabled_by_env

        self.command = command
        self.settings = settings
        self.off = off or disabled_by_env()
        self.invocation = os.urandom(16).hex()  # not uuid: its import costs more than the write
        self.started = time.monotonic()  # an error's elapsed time, when not measured by `wrap`
        self._history: History | None = None
        self._keep_open = False  # a wrapped summarizer writes many rows; close() ends it

    def _add(self, **entry: Any) -> None:
        if self.off:
            return
        from ..history import History, run_of

        if self._history is None:
            self._history = History(on_warning=err)
        self._history.add(run_of(self.command, self.invocation, self.settings, **entry))
        if not self._keep_open:
            self.close()

    def result(self, article: Any, result: Any, *, item: str | None = None) -> None:
        """Log the result of one article (as printed: screening included)."""
        self._add(article=article, result=result, item=item)

    def error(
        self, article: Any, exc: BaseException, *, item: str | None = None, elapsed_s: float | None = None
    ) -> None:
        """Log the error of one article."""
        if elapsed_s is None:
            elapsed_s = round(time.monotonic() - self.started, 3)
        self._add(article=article, error=exc, item=item, elapsed_s=elapsed_s)

    def hook(self, item: Callable[[], Any] | None = None) -> Callable[[Any, Any, float], None]:
        """A `Summarizer(on_finish=...)` hook that logs every article's result or error, keeping
        the history open until `close()`; `item` names the article (a batch id)."""
        self._keep_open = True

        def finished(article: Any, outcome: Any, elapsed_s: float) -> None:
            name = item() if item is not None else None
            name = None if name is None else str(name)
            kept = getattr(outcome, "result", None)  # a screening error after a paid call keeps its result
            if isinstance(outcome, BaseException) and kept is not None:
                self.result(article, kept, item=name)
            elif isinstance(outcome, BaseException):
                self.error(article, outcome, item=name, elapsed_s=elapsed_s)
            else:
                self.result(article, outcome, item=name)

        return finished

    def close(self) -> None:
        if self._history is not None:
            self._history.close()
            self._history = None


# ------------------------------------------------------------------------------ reading
logs_app = typer.Typer(
    help="The run history: every summarize run and every batch or eval article, in SQLite.",
    invoke_without_command=True,
    no_args_is_help=False,
    rich_markup_mode=None,
)

MAX_RUN_ID = 2**63 - 1
"""The largest id SQLite can hold: a larger one names no run (and is no internal error)."""

JsonOut = Annotated[bool, typer.Option("--json", help="Machine output: JSON with every stored field.")]


@logs_app.callback()
def logs(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("-n", "--limit", min=0, callback=number(0, integer=True), metavar="N", help="Show the N most recent runs (0: all).")] = 20,
    query: Annotated[
        Optional[str],
        typer.Option("-q", "--query", metavar="TEXT", help="Only runs whose source or batch id contains TEXT, or whose input hash starts with it."),
    ] = None,
    model: Annotated[Optional[str], typer.Option("--model", "-m", metavar="MODEL", help="Only runs with this model.")] = None,
    failed: Annotated[bool, typer.Option("--failed", help="Only runs that ended in an error.")] = False,
    json_out: JsonOut = False,
) -> None:
    """List recent runs (newest first): time, source, model, ok or error, tokens, elapsed."""
    if ctx.invoked_subcommand is not None:
        return
    with errors_to_exit(False):
        from ..history import History

        with History() as history:
            runs = history.recent(limit=limit or None, query=query, model=model, failed=failed)
            if json_out:
                write_output(json.dumps([r.to_json() for r in runs], indent=2, ensure_ascii=False), None)
            elif not runs:
                what = "no runs match" if (query or model or failed) else "no runs logged yet"
                sys.stdout.write(clean(f"{what} ({history.path})\n"))
            else:
                sys.stdout.write(table(runs))


@logs_app.command("show", cls=Command)
def show(
    run_id: Annotated[int, typer.Argument(metavar="ID", help="The run's id, as `summarizer logs` lists it.")],
    json_out: JsonOut = False,
) -> None:
    """One run: its article, model, settings, usage, and its result or error."""
    with errors_to_exit(False):
        from ..errors import InputError
        from ..history import History

        with History() as history:
            run = history.get(run_id) if 0 < run_id <= MAX_RUN_ID else None  # SQLite ids are 64-bit
            if run is None:
                shown = str(run_id) if len(str(run_id)) <= 20 else str(run_id)[:19] + "\u2026"
                raise InputError(f"no run {shown} in {history.path}", "`summarizer logs` lists the ids")
        if json_out:
            write_output(json.dumps(run.to_json(), indent=2, ensure_ascii=False), None)
        else:
            sys.stdout.write(details(run))


@logs_app.command("path")
def path() -> None:
    """Print where the history database is (SUMMARIZER_LOGS_DB moves it)."""
    from ..history import db_path

    sys.stdout.write(clean(f"{db_path()}\n"))


# ------------------------------------------------------------------------------ for people
def _one_line(text: str) -> str:
    """A cell of one line: control characters (from file names, model output) made inert by
    the one sanitizer, newlines and tabs as spaces."""
    return clean(text).replace("\n", " ").replace("\t", " ")


def _cut(text: str, width: int, *, keep_end: bool = False) -> str:
    text = _one_line(text)
    if len(text) <= width:
        return text
    return "\u2026" + text[1 - width :] if keep_end else text[: width - 1] + "\u2026"


def _status(run: Run) -> str:
    if run.ok:
        return "ok (cached)" if run.cached else "ok"
    return f"error: {run.error_kind}"


def table(runs: list[Run]) -> str:
    """Fixed-width columns: readable in a terminal, greppable in a pipe."""
    head = ("ID", "TIME (UTC)", "COMMAND", "SOURCE", "MODEL", "STATUS", "TOKENS", "ELAPSED")
    rows = [
        (
            str(r.id),
            r.time_utc[:19].replace("T", " "),
            r.command,
            _cut(r.item or r.source or "", 36, keep_end=True),  # a path's file name says most
            _cut(r.model, 24),
            _cut(_status(r), 26),
            "" if r.total_tokens is None else str(r.total_tokens),
            "" if r.elapsed_s is None else f"{r.elapsed_s:.2f}s",
        )
        for r in runs
    ]
    widths = [max(len(row[i]) for row in (head, *rows)) for i in range(len(head))]
    right = {0, 6, 7}
    lines = [
        "  ".join(cell.rjust(w) if i in right else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))).rstrip()
        for row in (head, *rows)
    ]
    return clean("\n".join(lines) + "\n")


def details(run: Run) -> str:
    """`logs show`: the run's fields, then its result as JSON (or its error)."""
    settings = run.to_json()["settings"]
    shown = " ".join(f"{k}={v}" for k, v in settings.items() if v is not None) if isinstance(settings, dict) else str(settings)
    lines = [
        f"run {run.id}: {_one_line(run.command)}, {_one_line(run.time_utc)}" + (f", item {_one_line(run.item)}" if run.item else ""),
        f"source:    {_one_line(run.source or '-')}",
        f"input:     sha256 {run.input_sha256 or '-'}",
        f"model:     {_one_line(run.model)} ({_one_line(run.backend)}" + (f" at {_one_line(run.endpoint_host)})" if run.endpoint_host else ")"),
        f"settings:  {_one_line(shown)}",
        f"prompt:    sha256 {run.prompt_sha256 or '-'}; schema sha256 {run.schema_sha256 or '-'}",
    ]
    if run.ok:
        tokens = f"{run.total_tokens} tokens ({run.prompt_tokens} prompt, {run.completion_tokens} completion)"
        lines.append(f"usage:     {tokens}, {run.attempts} request(s), {run.elapsed_s}s" + (", from the cache" if run.cached else ""))
        lines.append("result:")
        lines.append(json.dumps(run.to_json()["result"], indent=2, ensure_ascii=False))
    else:
        elapsed = f" after {run.elapsed_s}s" if run.elapsed_s is not None else ""
        lines.append(f"error:     {_one_line(run.error_kind or '')}{elapsed}: {_one_line(run.error_message or '')}")
    return clean("\n".join(lines) + "\n")  # the result JSON too: JSON escapes C0 controls, not C1 or bidi
