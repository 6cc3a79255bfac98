"""The `summarizer` command line: thin wrappers over the library.

Each command lives in its own module and is registered here, explicitly; command modules
import only `.common` (never this package), so there is no import cycle. Heavy modules
(openai, instructor, trafilatura, the pipeline) load inside the commands that need them, so
`summarizer --help` and cache hits start fast. Every expected failure is one line on stderr
and a documented exit code (see errors.py); `--debug` shows tracebacks.
"""

from __future__ import annotations

import typer

from . import batch, eval, logs, screen, summarize

app = typer.Typer(
    name="summarizer",
    help="A grounded, checkable account of a news article: summary, allegations, sanctions "
    "targets and verbatim quotes, each pointing back into the text.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # help texts contain [brackets] that are not markup
    add_completion=False,
)

app.command("summarize")(summarize.summarize)
app.command("batch")(batch.batch)
app.command("eval")(eval.eval_cmd)
app.command("cache")(summarize.cache_cmd)
app.command("schema")(summarize.schema)
app.command("screen")(screen.screen)
app.add_typer(screen.lists_app, name="lists")
app.add_typer(logs.logs_app, name="logs")


def main() -> None:
    """Console-script entry point."""
    app()


__all__ = ["app", "main"]
