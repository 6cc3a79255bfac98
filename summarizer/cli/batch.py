"""`summarizer batch`: many articles to one JSONL file, concurrently, resumable.

Only typer and light modules are imported here: the command is registered on every start
(`summarizer --help`), and asyncio, the pipeline, openai and instructor load only when it runs.
Semantics (inputs, output lines, resume, duplicates) are documented in `summarizer/batch/__init__.py`.

Exit codes: 0 when every input has an ok line in OUT; 12 when the run ended but some did not
(failed now, or kept as failed by --skip-failed); the usual codes of `errors.py` when the run
could not start or the output could not be written (4: bad options, unusable -o or another run
writing it; 3: stdin list requested from a terminal); 130 on Ctrl-C.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from ..errors import EXIT_SOME_FAILED
from ..settings import DEFAULT_CONCURRENCY
from .common import (
    Backend,
    BaseUrl,
    ChunkTokens,
    Debug,
    MaxReasks,
    MaxRetries,
    MaxTokens,
    Mode,
    Model,
    ModelPath,
    Prompts,
    Record,
    Replay,
    Strategy,
    Timeout,
    Verbose,
    err,
    errors_to_exit,
    output_format,
    settings_from,
)
from .logs import NoLog, RunLog
from .screen import ScreenAll, ScreenLists, ScreenThreshold, ScreenUrl, screener_from


def batch(
    inputs: Annotated[
        list[str],
        typer.Argument(
            metavar="INPUT",
            help="Article files, directories (*.txt, *.md, *.html, *.htm, recursively), glob "
            'patterns, .jsonl files of {"id", "text"} records, or - to read paths from stdin.',
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
        int,
        typer.Option(
            "--concurrency",
            "-c",
            min=1,
            max=512,
            metavar="N",
            help="Articles in flight at once (8 suits hosted APIs; use 1-2 for a local server).",
        ),
    ] = DEFAULT_CONCURRENCY,
    retry_failed: Annotated[
        bool,
        typer.Option(
            "--retry-failed/--skip-failed",
            help="On resume, run ids whose earlier line failed again (default), or keep them.",
        ),
    ] = True,
    model: Model = None,
    base_url: BaseUrl = None,
    backend: Backend = None,
    model_path: ModelPath = None,
    record: Record = None,
    replay: Replay = None,
    max_retries: MaxRetries = None,
    max_reasks: MaxReasks = None,
    timeout: Timeout = None,
    max_tokens: MaxTokens = None,
    mode: Mode = None,
    chunk_tokens: ChunkTokens = None,
    strategy: Strategy = None,
    prompts: Prompts = None,
    allow_large: Annotated[bool, typer.Option("--allow-large", help="Read inputs over the 5 MiB limit (long articles are chunked).")] = False,
    screen: ScreenLists = None,
    screen_all: ScreenAll = False,
    screen_url: ScreenUrl = None,
    screen_threshold: ScreenThreshold = None,
    no_log: NoLog = False,
    verbose: Verbose = False,
    debug: Debug = False,
) -> None:
    """Summarize many articles into OUT.jsonl, one line per input, resumable.

    Exit code 0 when every input has an ok line, 12 when some failed.
    """
    with errors_to_exit(debug):
        output_format(None, output, ("jsonl",), "jsonl", f"batch writes JSON Lines: use -o {output.stem}.jsonl, "
                      "then `summarizer render` makes CSV, Markdown or HTML pages from it")
        settings = settings_from(locals())
        screener = screener_from(screen, screen_url, screen_threshold, screen_all)  # one index for all
        if "-" in inputs and sys.stdin is not None and sys.stdin.isatty():
            from ..errors import InputError

            raise InputError(
                "- reads a list of paths from stdin, but stdin is a terminal",
                "pipe the paths in, e.g. `find articles -name '*.txt' | summarizer batch - -o out.jsonl`",
            )
        import asyncio

        from ..batch import current_id, expand_inputs, run_batch
        from ..pipeline import Summarizer

        progress = sys.stderr is not None and sys.stderr.isatty()
        from ..inputs import MAX_BYTES
        from .common import LARGE_BYTES

        limit = LARGE_BYTES if allow_large else MAX_BYTES
        items: Any = expand_inputs(inputs, sys.stdin, exclude=output, max_bytes=limit)
        if progress:
            items = list(items)  # ids and paths only, never texts: gives the bar its total

        on_event = None
        if verbose:
            def on_event(message: str) -> None:
                err(f"[{current_id.get()}] {message}")

        summarizer: Any = Summarizer(settings, on_event=on_event)
        if screener is not None:
            from ..screening.article import ScreeningSummarizer

            summarizer = ScreeningSummarizer(summarizer, screener, mentions=screen_all)
        summarizer = RunLog("batch", settings, off=no_log).wrap(summarizer, item=current_id.get)  # history

        async def main() -> Any:
            try:
                return await run_batch(
                    items, output, summarizer, concurrency, progress,
                    retry_failed=retry_failed, verbose=verbose, debug=debug,
                )
            finally:
                await summarizer.aclose()

        import signal

        def _terminate(signum: int, frame: Any) -> None:
            raise KeyboardInterrupt  # SIGTERM ends like Ctrl-C: in-flight work cancelled, tally, 130

        previous = signal.signal(signal.SIGTERM, _terminate)
        try:
            tally = asyncio.run(main())
        finally:
            signal.signal(signal.SIGTERM, previous)
    if not tally.all_ok:
        raise typer.Exit(EXIT_SOME_FAILED)
