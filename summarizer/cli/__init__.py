"""The `summarizer` command line: thin wrappers over the library.

Each command lives in its own module and is registered here, explicitly; command modules
import only `.common` (never this package), so there is no import cycle. Heavy modules
(openai, instructor, trafilatura, the pipeline) load inside the commands that need them, so
`summarizer --help` and cache hits start fast. Every expected failure is one line on stderr
and a documented exit code (see errors.py); `--debug` shows tracebacks.
"""

from __future__ import annotations

from typing import Annotated

import typer

from . import batch, eval, logs, models, providers, render, screen, summarize
from .common import Command

app = typer.Typer(
    name="summarizer",
    help="A grounded, checkable account of a news article: summary, allegations, sanctions "
    "targets and verbatim quotes, each pointing back into the text.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # help texts contain [brackets] that are not markup
    add_completion=True,  # --install-completion / --show-completion (bash, zsh, fish, PowerShell)
)


def _version(value: bool) -> None:
    if value:
        from .. import __version__

        typer.echo(f"summarizer {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Options that come before any command."""


app.command("summarize", cls=Command)(summarize.summarize)
app.command("batch", cls=Command)(batch.batch)
app.command("render", cls=Command)(render.render_cmd)
app.command("eval", cls=Command)(eval.eval_cmd)
app.command("cache")(summarize.cache_cmd)
app.command("schema")(summarize.schema)
app.command("screen", cls=Command)(screen.screen)
app.add_typer(screen.lists_app, name="lists")
app.command("models")(models.models_cmd)
app.command("providers")(providers.providers_cmd)
app.add_typer(logs.logs_app, name="logs")


def main() -> None:
    """Console-script entry point (also `python -m summarizer`, named the same for completion)."""
    app(prog_name="summarizer")


__all__ = ["app", "main"]
