"""`summarizer batch`: many articles to one JSONL file, concurrently, resumable.

Only typer and light modules are imported here: the command is registered on every start
(`summarizer --help`), and asyncio, the pipeline, openai and instructor load only when it runs.
Semantics (inputs, output lines, resume, duplicates) are documented in `summarizer/batch/__init__.py`.
Batch engines (`--engine batch-api`, `--export-requests`, `--import-results`, `--cancel`) are
handed to `cli/batch_engine.py` (logic in `summarizer/batch/engine/`).

Exit codes: 0 when every input has an ok line in OUT; 12 when the run ended but some did not
(failed now, or kept as failed by --skip-failed); the usual codes of `errors.py` when the run
could not start or the output could not be written (4: bad options, unusable -o or another run
writing it; 3: stdin list requested from a terminal; 13: writing OUT failed, e.g. disk full); 130
on Ctrl-C or SIGTERM (a second signal ends it at once).
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from ..errors import EXIT_SOME_FAILED
from ..settings import DEFAULT_CONCURRENCY
from .common import (
    MODEL_OPTIONS,
    Debug,
    ModelOptions,
    Verbose,
    err,
    errors_to_exit,
    number,
    output_format,
    preflight,
    with_model_options,
)
from .logs import NoLog, RunLog
from .screen import ScreenAll, ScreeningNotes, ScreenLists, ScreenThreshold, ScreenUrl, screener_from


class Engine(StrEnum):
    live = "live"
    batch_api = "batch-api"


@with_model_options("batch")
def batch(
    inputs: Annotated[
        list[str],
        typer.Argument(
            metavar="INPUT",
            help="Article files, directories (*.txt, *.html, *.htm, recursively; README, LICENSE and "
            'the like skipped), glob patterns, .jsonl files of {"id", "text"} records, or - to read '
            "paths from stdin.",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            metavar="OUT.jsonl",
            help="JSONL file, one line per input; rerunning with the same file resumes.",
            show_default=False,
        ),
    ],
    concurrency: Annotated[
        Optional[int],
        typer.Option(
            "--concurrency",
            "-c",
            min=1,
            max=512,
            callback=number(1, 512, integer=True),
            metavar="N",
            help=f"Articles in flight at once [default {DEFAULT_CONCURRENCY}, for hosted APIs; 1 for the local "
            "servers: --provider llamacpp, lmstudio].",
            show_default=False,
        ),
    ] = None,
    globs: Annotated[
        Optional[list[str]],
        typer.Option(
            "--glob",
            metavar="PATTERN",
            help="Take the files of a directory INPUT whose names match PATTERN instead of *.txt, *.html, "
            "*.htm (repeatable, case-insensitive), e.g. --glob '*.md'.",
            show_default=False,
        ),
    ] = None,
    retry_failed: Annotated[
        bool,
        typer.Option(
            "--retry-failed/--skip-failed",
            help="On resume, run ids whose earlier line failed again (default), or keep them.",
        ),
    ] = True,
    model_options: ModelOptions = MODEL_OPTIONS,
    allow_large: Annotated[bool, typer.Option("--allow-large", help="Read inputs over the 5 MiB limit (long articles are chunked).")] = False,
    use_cache: Annotated[bool, typer.Option("--cache/--no-cache", help="Reuse a stored result for the same input, model, prompt and parameters, and store each new one.")] = True,
    screen: ScreenLists = None,
    screen_all: ScreenAll = False,
    screen_url: ScreenUrl = None,
    screen_threshold: ScreenThreshold = None,
    no_log: NoLog = False,
    verbose: Verbose = False,
    debug: Debug = False,
    # batch engines and pacing (summarizer/batch/engine/, cli/batch_engine.py, transports/pacing.py)
    engine: Annotated[Engine, typer.Option("--engine", metavar="live|batch-api", help="live: model calls from here (default); batch-api: the provider's Batch API (half price on OpenAI, hours not seconds).")] = Engine.live,
    export_requests: Annotated[Optional[Path], typer.Option("--export-requests", metavar="FILE", help="Write the batch request file (for vllm run-batch and the like) instead of sending anything.", show_default=False)] = None,
    import_results: Annotated[Optional[list[Path]], typer.Option("--import-results", metavar="FILE", help="Read a batch results file made elsewhere (repeatable): validated and grounded like live answers.", show_default=False)] = None,
    reask_live: Annotated[bool, typer.Option("--reask-live", help="Make follow-up requests (re-asks, summaries of long articles' parts) live instead of in another batch.")] = False,
    cancel: Annotated[bool, typer.Option("--cancel", help="Cancel this output's batches in flight; their finished lines are kept.")] = False,
    poll_interval: Annotated[float, typer.Option("--poll-interval", callback=number(0.01, 3600), metavar="SECONDS", help="Seconds between the first polls of a batch (0.01 to 3600); grows to 5 minutes while nothing changes.")] = 10.0,
    max_batch_requests: Annotated[int, typer.Option("--max-batch-requests", callback=number(1, 50_000, integer=True), metavar="N", help="Requests per batch input file (the API allows 50,000 and 200 MB).")] = 50_000,
) -> None:
    """Summarize many articles into OUT.jsonl, one line per input, resumable.

    Exit code 0 when every input has an ok line, 12 when some failed.
    """
    with errors_to_exit(debug):
        output_format(None, output, ("jsonl",), "jsonl", f"batch writes JSON Lines: use -o {output.stem}.jsonl, "
                      "then `summarizer render` makes CSV, Markdown or HTML pages from it")
        from ..batch.choose import check_globs

        globs = list(check_globs(globs or ()))
        if engine is not Engine.live or export_requests or import_results or cancel:
            from . import batch_engine

            return batch_engine.run({**locals(), "engine": engine.value})
        settings = model_options.settings()
        preflight(settings)  # --record is writable; -o is checked when it is opened, before any call
        screener = screener_from(screen, screen_url, screen_threshold, screen_all)  # one index for all
        if "-" in inputs and sys.stdin is not None and sys.stdin.isatty():
            from ..errors import InputError

            raise InputError(
                "- reads a list of paths from stdin, but stdin is a terminal",
                "pipe the paths in, e.g. `find articles -name '*.txt' | summarizer batch - -o out.jsonl`",
            )
        import asyncio
        import io
        import os
        import signal

        from ..api import Summarizer
        from ..batch import Choose, current_id, expand_inputs, run_batch
        from .progress import Bar

        progress = sys.stderr is not None and sys.stderr.isatty()  # the bar, only on a terminal
        from ..inputs import MAX_BYTES
        from .common import LARGE_BYTES

        limit = LARGE_BYTES if allow_large else MAX_BYTES
        # The list of paths on stdin is read before the run: a read that blocks inside the
        # event loop would keep Ctrl-C and SIGTERM from being handled.
        stdin: Any = None
        if "-" in inputs and sys.stdin is not None:
            listed = getattr(sys.stdin, "buffer", sys.stdin).read()
            stdin = io.TextIOWrapper(io.BytesIO(listed if isinstance(listed, bytes) else os.fsencode(listed)))
        choose = Choose(globs, note=lambda line: err(f"note: {line}"))  # what a folder's files are
        items: Any = expand_inputs(inputs, stdin, exclude=output, max_bytes=limit, choose=choose)
        if progress:
            items = list(items)  # ids and paths only, never texts: gives the bar its total

        on_event = None
        if verbose:
            def on_event(message: str) -> None:
                err(f"[{current_id.get()}] {message}")

        # the library's client: the results cache (as `summarize` uses it), then screening
        log = RunLog("batch", settings, off=no_log)  # every article in the history
        history = log.hook(item=current_id.get)
        notes = ScreeningNotes()  # what screening left out, said once at the end

        def finished(article: Any, outcome: Any, elapsed_s: float) -> None:
            history(article, outcome, elapsed_s)
            if screener is not None and not isinstance(outcome, BaseException):
                notes.note(outcome, str(current_id.get()))

        summarizer = Summarizer(
            settings, cache=use_cache, screening=screener, screen_all=screen_all, on_event=on_event,
            on_finish=finished,
        )
        signals: list[int] = []

        async def main() -> Any:
            """The run; SIGINT and SIGTERM cancel it (in-flight articles, then the tally), a
            second signal ends it at once."""
            loop = asyncio.get_running_loop()
            task = asyncio.current_task()
            assert task is not None

            def stop(signum: int) -> None:
                signals.append(signum)
                if len(signals) > 1:
                    raise KeyboardInterrupt
                task.cancel()

            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop, sig)
            try:
                return await run_batch(
                    items, output, summarizer, concurrency or summarizer.concurrency, Bar(progress, len(items) if progress else None),
                    retry_failed=retry_failed, verbose=verbose, debug=debug,
                )
            except asyncio.CancelledError:
                if signals:
                    return None
                raise
            finally:
                for sig in (signal.SIGINT, signal.SIGTERM):
                    loop.remove_signal_handler(sig)
                try:
                    await summarizer.aclose()
                finally:
                    log.close()

        tally = asyncio.run(main())
        notes.report()
        if tally is None:
            raise KeyboardInterrupt
    if not tally.all_ok:
        raise typer.Exit(EXIT_SOME_FAILED)
