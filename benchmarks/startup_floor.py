"""The floor under a CLI cache hit with this stack, for benchmarks/cache_hit.py: a typer command
with as many options as `summarizer summarize` (typer builds a pydantic adapter for each one it
parses) that validates a cached result with the output models and prints it, and nothing else.

    python benchmarks/startup_floor.py CACHED.json [--o1 x ...]

A cache hit of the real CLI does this and also reads the settings, the article, the prompt
templates for the key, and writes the run history: it cannot be cheaper than this script.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

OPTIONS = 27  # `summarizer summarize` has 27 options and one argument

app = typer.Typer(add_completion=False, rich_markup_mode=None, pretty_exceptions_enable=False)


def command(cached: Path, **options: Optional[str]) -> None:  # noqa: UP045 - typer reads the annotation
    from summarizer.schema import ArticleSummary

    # a cache entry is a header line (format, key, checksum) and the result's JSON
    result = ArticleSummary.model_validate_json(cached.read_bytes().split(b"\n", 1)[1])
    sys.stdout.write(result.model_dump_json(indent=2) + "\n")


def _with_options(fn: object) -> object:
    """`command` with OPTIONS string options `--o1 ... --oN`, as typer sees a signature."""
    import inspect

    params = [inspect.Parameter("cached", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Path)]
    params += [
        inspect.Parameter(f"o{i}", inspect.Parameter.KEYWORD_ONLY, default=None,
                          annotation=Annotated[Optional[str], typer.Option()])  # noqa: UP045
        for i in range(1, OPTIONS + 1)
    ]
    fn.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    return fn


app.command()(_with_options(command))

if __name__ == "__main__":
    app()
