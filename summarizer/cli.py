"""The `summarizer` command line: thin wrappers over the library.

Heavy modules (openai, instructor, trafilatura, the pipeline) are imported inside the commands
that need them, so `summarizer --help` and cache hits start fast. Every expected failure is
one line on stderr and a documented exit code (see errors.py); `--debug` shows tracebacks.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from typer.exceptions import TyperException

from .errors import SummarizerError

app = typer.Typer(
    name="summarizer",
    help="A grounded, checkable account of a news article: summary, allegations, sanctions "
    "targets and verbatim quotes, each pointing back into the text.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # help texts contain [brackets] that are not markup
    add_completion=False,
)

# -------------------------------------------------------------------- shared options
Model = Annotated[Optional[str], typer.Option("--model", "-m", help="Model name [env SUMMARIZER_MODEL; default gpt-4o-mini, or the local model].")]
BaseUrl = Annotated[Optional[str], typer.Option("--base-url", help="OpenAI-compatible endpoint, e.g. http://localhost:11434/v1 [env OPENAI_BASE_URL].")]
Backend = Annotated[Optional[str], typer.Option("--backend", help="openai (any compatible endpoint) or local (embedded model) [env SUMMARIZER_BACKEND].")]
ModelPath = Annotated[Optional[str], typer.Option("--model-path", help="GGUF file for --backend local (default: the bundled SmolLM2-135M).")]
Record = Annotated[Optional[Path], typer.Option("--record", help="Write every model exchange to this fixture directory [env SUMMARIZER_RECORD].")]
Replay = Annotated[Optional[Path], typer.Option("--replay", help="Answer only from fixtures in this directory, never the network [env SUMMARIZER_REPLAY].")]
MaxRetries = Annotated[Optional[int], typer.Option("--max-retries", help="Retries per request for 429/5xx/connection faults [default 4].")]
MaxReasks = Annotated[Optional[int], typer.Option("--max-reasks", help="Re-asks when the output is invalid or a quote is not in the text [default 2].")]
Timeout = Annotated[Optional[float], typer.Option("--timeout", help="Seconds for the whole article, all attempts included [default 300].")]
MaxTokens = Annotated[Optional[int], typer.Option("--max-tokens", help="Output token budget; doubled once if the answer is cut off [default 4096].")]
ChunkTokens = Annotated[Optional[int], typer.Option("--chunk-tokens", help="Article tokens per model call; longer articles are split [default 12000; 2500 local].")]
Mode = Annotated[Optional[str], typer.Option("--mode", help="tools (function calling, default), json_schema (structured outputs) or json (schema in the prompt, for endpoints without either).")]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="Show each attempt (status, wait, tokens) on stderr.")]
Debug = Annotated[bool, typer.Option("--debug", help="Show tracebacks instead of one-line errors.")]


LARGE_BYTES = 256 * 1024 * 1024  # --allow-large: still a bound, so a stray disk image is refused


# The model options every command shares: CLI parameter name -> Settings field.
_MODEL_OPTIONS = {
    "model": "model", "base_url": "base_url", "backend": "backend", "model_path": "model_path",
    "record": "record_dir", "replay": "replay_dir", "max_retries": "max_retries",
    "max_reasks": "max_reasks", "timeout": "timeout", "max_tokens": "max_tokens", "mode": "mode",
    "chunk_tokens": "chunk_tokens",
}


def _settings(params: dict[str, Any]) -> Any:
    """Settings from a command's `locals()`: its model options, with the environment behind."""
    from .settings import Settings

    return Settings.resolve(**{field: params.get(name) for name, field in _MODEL_OPTIONS.items()})


def _err(message: str) -> None:
    sys.stderr.write(f"summarizer: {message}\n")
    sys.stderr.flush()


@contextmanager
def _errors(debug: bool) -> Iterator[None]:
    """One line and the documented exit code for every failure; tracebacks only with --debug."""
    try:
        yield
    except (typer.Exit, TyperException):
        raise  # usage errors: click prints them with the usage line, exit 2
    except SummarizerError as err:
        if debug:
            raise
        _err(f"error: {err.one_line()}")
        raise typer.Exit(err.exit_code) from None
    except KeyboardInterrupt:
        _err("interrupted")
        raise typer.Exit(130) from None
    except Exception as err:  # noqa: BLE001 - the last line of defence
        if debug:
            raise
        from .redact import redact

        _err(f"internal error: {type(err).__name__}: {redact(str(err))[:300]} (rerun with --debug)")
        raise typer.Exit(1) from None


def _printer(verbose: bool) -> Callable[[str], None] | None:
    return (lambda msg: _err(msg)) if verbose else None


def write_output(text: str, output: Path | None) -> None:
    """Write to `output` atomically, or to stdout."""
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()
        return
    tmp = output.with_name(f".{output.name}.tmp")
    try:
        tmp.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        tmp.replace(output)
    except OSError as exc:
        raise SummarizerError(f"cannot write {output}: {exc.strerror}") from None


# -------------------------------------------------------------------- commands
@app.command()
def summarize(
    path: Annotated[str, typer.Argument(help="Article file (.txt or .html), or - for stdin.")] = "-",
    model: Model = None,
    base_url: BaseUrl = None,
    backend: Backend = None,
    model_path: ModelPath = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="json, md, table or html.")] = "json",
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write here instead of stdout.")] = None,
    record: Record = None,
    replay: Replay = None,
    max_retries: MaxRetries = None,
    max_reasks: MaxReasks = None,
    timeout: Timeout = None,
    max_tokens: MaxTokens = None,
    mode: Mode = None,
    chunk_tokens: ChunkTokens = None,
    url: Annotated[Optional[str], typer.Option("--url", help="Fetch the article from this http(s) URL instead of PATH.")] = None,
    allow_large: Annotated[bool, typer.Option("--allow-large", help="Read inputs over the 5 MiB limit (long articles are chunked).")] = False,
    use_cache: Annotated[bool, typer.Option("--cache/--no-cache", help="Reuse a stored result for the same input, model, prompt and parameters.")] = True,
    verbose: Verbose = False,
    debug: Debug = False,
) -> None:
    """Summarize one article and print the grounded result (JSON by default)."""
    with _errors(debug):
        if fmt not in ("json", "md", "table", "html"):
            raise typer.BadParameter("use json, md, table or html", param_hint="--format")
        from .inputs import MAX_BYTES, fetch_url, read_article

        limit = LARGE_BYTES if allow_large else MAX_BYTES
        if not url:  # a bad file is reported before any configuration problem
            article = read_article(path, max_bytes=limit)
        settings = _settings(locals())
        if url:  # ...but nothing is fetched before the configuration is known to work
            article = fetch_url(url, max_bytes=limit)
        # Recording or replaying must reach the transport, so they bypass the cache.
        use_cache = use_cache and settings.record_dir is None and settings.replay_dir is None
        result = None
        if use_cache:
            from . import cache

            key = cache.cache_key(article.sha256, settings)
            result = cache.get(key)
            if result is not None:
                result.provenance.source = article.source
                if verbose:
                    _err("cache hit: no model call")
        if result is None:
            from .pipeline import Summarizer

            summarizer = Summarizer(settings, on_event=_printer(verbose))
            try:
                result = summarizer.run(article)
            finally:
                summarizer.close()
            if use_cache:
                cache.put(key, result)
        if verbose:
            p = result.provenance
            _err(
                f"done: {p.attempts} request(s), {p.usage.total_tokens} tokens, "
                f"{len(p.dropped)} dropped, {p.elapsed_s:.2f}s"
            )
        color = fmt == "table" and output is None and sys.stdout.isatty()
        write_output(_render(result, article.text, fmt, color), output)


def _render(result: Any, article_text: str, fmt: str, color: bool = False) -> str:
    if fmt == "json":
        return str(result.model_dump_json(indent=2))
    from . import render

    return render.render(result, article_text, fmt, color=color)


@app.command("cache")
def cache_cmd(
    clear: Annotated[bool, typer.Option("--clear", help="Delete every cached result.")] = False,
) -> None:
    """Show where the results cache is and how big it is, or clear it."""
    with _errors(False):
        from . import cache

        if clear:
            sys.stdout.write(f"removed {cache.clear()} cached result(s)\n")
            return
        root, entries, size = cache.stats()
        sys.stdout.write(f"{root}: {entries} cached result(s), {size / 1024:.1f} KiB\n")


@app.command()
def schema() -> None:
    """Print the JSON Schema of the output, for other programs."""
    import json

    from .schema import output_json_schema

    sys.stdout.write(json.dumps(output_json_schema(), indent=2) + "\n")


def main() -> None:
    """Console-script entry point."""
    app()


# Commands that live in their own modules register themselves on `app` when imported.
# (They must stay light at import time: heavy imports go inside the command functions.)
from . import cli_batch, cli_eval  # noqa: E402,F401
