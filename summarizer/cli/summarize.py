"""`summarizer summarize`, `cache` and `schema`: one article, the results cache, the schema."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from ..terminal import clean
from .common import (
    LARGE_BYTES,
    MODEL_OPTIONS,
    Debug,
    ModelOptions,
    Verbose,
    err,
    errors_to_exit,
    output_format,
    preflight,
    printer,
    with_model_options,
    write_output,
)
from .logs import NoLog, RunLog
from .screen import ScreenAll, ScreenLists, ScreenThreshold, ScreenUrl, screener_from, screening_note


@with_model_options("summarize")
def summarize(
    path: Annotated[str, typer.Argument(metavar="PATH", help="Article file (.txt or .html), or - for stdin.")] = "-",
    model_options: ModelOptions = MODEL_OPTIONS,
    fmt: Annotated[Optional[str], typer.Option("--format", "-f", metavar="json|md|table|html|csv", help="Output format [default: from -o's extension (.json .md .html .csv), else json].", show_default=False)] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", metavar="FILE", help="Write here instead of stdout.")] = None,
    url: Annotated[Optional[str], typer.Option("--url", metavar="URL", help="Fetch the article from this http(s) URL instead of PATH.")] = None,
    allow_large: Annotated[bool, typer.Option("--allow-large", help="Read inputs over the 5 MiB limit (long articles are chunked).")] = False,
    use_cache: Annotated[bool, typer.Option("--cache/--no-cache", help="Reuse a stored result for the same input, model, prompt and parameters.")] = True,
    screen: ScreenLists = None,
    screen_all: ScreenAll = False,
    screen_url: ScreenUrl = None,
    screen_threshold: ScreenThreshold = None,
    no_log: NoLog = False,
    verbose: Verbose = False,
    debug: Debug = False,
) -> None:
    """Summarize one article and print the grounded result (JSON by default)."""
    with errors_to_exit(debug):
        fmt = output_format(fmt, output, ("json", "md", "table", "html", "csv"), "json",
                            "for many articles: summarizer batch, then summarizer render")
        from ..inputs import MAX_BYTES, fetch_url, read_article

        limit = LARGE_BYTES if allow_large else MAX_BYTES
        if not url and path.lower().startswith(("http://", "https://")) and not Path(path).exists():
            from ..errors import InputError

            raise InputError("PATH is a URL, not a file", "to fetch a page, pass it with --url URL")
        if not url:  # a bad file is reported before any configuration problem
            article = read_article(path, max_bytes=limit)
        settings = model_options.settings()
        inputs = (path,) if not url and path != "-" else ()
        preflight(settings, output, inputs)  # -o (never the article) and --record: checked before any paid call
        # sanctions lists are loaded (and checked) before any model call or download
        screener = screener_from(screen, screen_url, screen_threshold, screen_all)
        if url:  # ...but nothing is fetched before the configuration is known to work
            article = fetch_url(url, max_bytes=limit)
        log = RunLog("summarize", settings, off=no_log)  # the history: the result or the error
        from ..api import Summarizer
        from ..errors import ScreeningError
        from .progress import StatusLine, run_with_status

        status = StatusLine.for_stderr(*StatusLine.opening(settings))
        on_event = status.combined(printer(verbose)) if status else printer(verbose)
        try:
            with Summarizer(
                settings, cache=use_cache, screening=screener, screen_all=screen_all,
                on_event=on_event, on_finish=log.hook(),
            ) as summarizer:
                result = run_with_status(status, summarizer.run, article)
        except ScreeningError as exc:
            if exc.result is None:
                raise
            # the model was paid for: its result is kept (in the history too), unscreened
            text = _render(exc.result, article.text, fmt)
            write_output("\ufeff" + text if fmt == "csv" and output is not None else text, output, inputs)
            exc.hint = (f"the model's result was written {'to ' + str(output) if output else 'to stdout'} "
                        "and to the history unscreened (no screening fields)")
            raise
        finally:
            log.close()
        if (note := screening_note(result)) is not None:
            err(note)
        if verbose:
            p = result.provenance
            err(
                f"done: {p.attempts} request(s), {p.usage.total_tokens} tokens, "
                f"{len(p.dropped)} dropped, {p.elapsed_s:.2f}s"
            )
        color = fmt == "table" and output is None and sys.stdout.isatty()
        text = _render(result, article.text, fmt, color)
        write_output("\ufeff" + text if fmt == "csv" and output is not None else text, output, inputs)  # BOM: spreadsheets


def _render(result: Any, article_text: str, fmt: str, color: bool = False) -> str:
    if fmt == "json":
        return str(result.model_dump_json(indent=2))
    from .. import render

    return render.render(result, article_text, fmt, color=color)


def cache_cmd(
    clear: Annotated[bool, typer.Option("--clear", help="Delete every cached result (and nothing else).")] = False,
) -> None:
    """Show where the results cache is and how big it is, or clear it.

    --clear deletes only this cache's own entries and stale temporary files: other files in
    the directory are left alone.
    """
    with errors_to_exit(False):
        from .. import cache

        if clear:
            sys.stdout.write(f"removed {cache.clear()} cached result(s)\n")
            return
        root, entries, size = cache.stats()
        sys.stdout.write(f"{clean(str(root))}: {entries} cached result(s), {size / 1024:.1f} KiB\n")


def schema() -> None:
    """Print the JSON Schema of the output, for other programs."""
    import json

    from ..schema import output_json_schema

    sys.stdout.write(json.dumps(output_json_schema(), indent=2) + "\n")

