"""The `summarizer` command line: thin wrappers over the library.

Each command lives in its own module; `root` holds the typer app and builds a command only
when it is used. Command modules import only `.common` (never this package), so there is no
import cycle. Heavy modules (openai, instructor, trafilatura, the pipeline) load inside the
commands that need them, so cache hits start fast, and the bare `summarizer --help` is
printed from its text written out in `helptext` without loading typer at all (a test keeps
that text equal to typer's). Every expected failure is one line on stderr and a documented
exit code (see errors.py); `--debug` shows tracebacks.
"""

from __future__ import annotations

import gc
import os
import sys

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (start-up time)
if TYPE_CHECKING:
    from typing import Any


def main() -> None:
    """Console-script entry point (also `python -m summarizer`, named the same for completion)."""
    tune_gc()
    if sys.argv[1:] == ["--help"] and _plain_top_help():
        from .helptext import TOP

        _print_help(TOP)
        return
    from .root import app

    app(prog_name="summarizer")


def tune_gc() -> None:
    """Collect garbage every 50,000 allocations instead of 700. Starting up allocates about a
    million objects that live until the process ends (openai's types alone), and CPython's
    default thresholds scan them again and again while they are created: 150 ms of a 1.4 s
    uncached run (docs/benchmarks.md). mypy sets its thresholds for the same reason. The
    garbage a long batch leaves in cycles is still collected, in larger steps."""
    gc.set_threshold(50_000, 20, 20)


def _plain_top_help() -> bool:
    """Whether typer would print exactly `helptext.TOP`: no shell completion under way, and a
    help width of 78 columns, which click's formatter uses whenever the terminal (COLUMNS, else
    the terminal's size, else 80: `shutil.get_terminal_size`) is at least 80 columns wide."""
    if "_SUMMARIZER_COMPLETE" in os.environ:
        return False
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 80
        columns = columns or 80
    return columns >= 80


def _print_help(text: str) -> None:
    """Print as click's `--help` does; a closed pipe (`summarizer --help | head -1`) is not an
    error worth a traceback, as click's own handling of it."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        # what the Python docs advise: point stdout at /dev/null so the exit flush is quiet
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise SystemExit(1) from None


def __getattr__(name: str) -> Any:
    if name == "app":  # `from summarizer.cli import app`: the typer app, built on first use
        from .root import app

        return app
    raise AttributeError(f"module 'summarizer.cli' has no attribute {name!r}")


__all__ = ["app", "main"]
