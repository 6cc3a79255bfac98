"""What every command shares: the model options, settings from them, one-line errors, output.

Imports only typer and our light modules; heavy ones load inside the commands.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from typer.core import TyperArgument, TyperCommand
from typer.exceptions import TyperException

from ..errors import SummarizerError

# -------------------------------------------------------------------- shared options
Model = Annotated[Optional[str], typer.Option("--model", "-m", metavar="MODEL", help="Model name [env SUMMARIZER_MODEL; default gpt-4o-mini; with --backend local a known local model, default qwen2.5-coder-1.5b].")]
BaseUrl = Annotated[Optional[str], typer.Option("--base-url", metavar="URL", help="OpenAI-compatible endpoint, e.g. http://localhost:11434/v1 [env OPENAI_BASE_URL].")]
Backend = Annotated[Optional[str], typer.Option("--backend", metavar="openai|local|rules", help="openai (OpenAI or any compatible endpoint, the default), local (the embedded model) or rules (no model: the rules baseline) [env SUMMARIZER_BACKEND].")]
ModelPath = Annotated[Optional[str], typer.Option("--model-path", metavar="FILE", help="Any GGUF file for --backend local, instead of a known model (see `summarizer models`).")]
Record = Annotated[Optional[Path], typer.Option("--record", metavar="DIR", help="Write every model exchange to this fixture directory [env SUMMARIZER_RECORD].")]
Replay = Annotated[Optional[Path], typer.Option("--replay", metavar="DIR", help="Answer only from fixtures in this directory, never the network [env SUMMARIZER_REPLAY].")]
MaxRetries = Annotated[Optional[int], typer.Option("--max-retries", metavar="N", help="Retries per request for 429/5xx/connection faults [default 4].")]
MaxReasks = Annotated[Optional[int], typer.Option("--max-reasks", metavar="N", help="Re-asks when the output is invalid or a quote is not in the text [default 2].")]
Timeout = Annotated[Optional[float], typer.Option("--timeout", metavar="SECONDS", help="Seconds for the whole article, all attempts included [default 300].")]
MaxTokens = Annotated[Optional[int], typer.Option("--max-tokens", metavar="N", help="Output token budget; doubled once if the answer is cut off [default 4096].")]
ChunkTokens = Annotated[Optional[int], typer.Option("--chunk-tokens", metavar="N", help="Article tokens per model call; longer articles are split [default 12000; 2500 local].")]
Mode = Annotated[Optional[str], typer.Option("--mode", metavar="tools|json_schema|json", help="tools (function calling, default), json_schema (structured outputs) or json (schema in the prompt, for endpoints without either).")]
Strategy = Annotated[Optional[str], typer.Option("--strategy", metavar="single|focused", help="single (one whole-article call, default for hosted models) or focused (small questions, default for --backend local).")]
Prompts = Annotated[Optional[Path], typer.Option("--prompts", metavar="DIR", help="A folder with your own copies of the prompt templates (prompts/*.md) [env SUMMARIZER_PROMPTS].")]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="Show each attempt (status, wait, tokens) on stderr.")]
Debug = Annotated[bool, typer.Option("--debug", help="Show tracebacks instead of one-line errors.")]


class _NamedArgument(TyperArgument):
    def display_type_rich(self, ctx: Any) -> str | None:
        return None if self.metavar else super().display_type_rich(ctx)


class Command(TyperCommand):
    """A command whose arguments show their metavar alone in --help ("PATH", not typer's
    "PATH <str>"); register commands that take arguments with `cls=Command`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            if type(param) is TyperArgument and param.metavar:
                param.__class__ = _NamedArgument  # the same object, one method different


LARGE_BYTES = 256 * 1024 * 1024  # --allow-large: still a bound, so a stray disk image is refused


# The model options every command shares: CLI parameter name -> Settings field.
_MODEL_OPTIONS = {
    "model": "model", "base_url": "base_url", "backend": "backend", "model_path": "model_path",
    "record": "record_dir", "replay": "replay_dir", "max_retries": "max_retries",
    "max_reasks": "max_reasks", "timeout": "timeout", "max_tokens": "max_tokens", "mode": "mode",
    "chunk_tokens": "chunk_tokens", "strategy": "strategy", "prompts": "prompts_dir",
}


def settings_from(params: dict[str, Any]) -> Any:
    """Settings from a command's `locals()`: its model options, with the environment behind."""
    from ..settings import Settings

    return Settings.resolve(**{field: params.get(name) for name, field in _MODEL_OPTIONS.items()})


def err(message: str) -> None:
    sys.stderr.write(f"summarizer: {message}\n")
    sys.stderr.flush()


@contextmanager
def errors_to_exit(debug: bool) -> Iterator[None]:
    """One line and the documented exit code for every failure; tracebacks only with --debug."""
    try:
        yield
    except (typer.Exit, TyperException):
        raise  # usage errors: click prints them with the usage line, exit 2
    except SummarizerError as exc:
        if debug:
            raise
        err(f"error: {exc.one_line()}")
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        err("interrupted")
        raise typer.Exit(130) from None
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        if debug:
            raise
        from ..redact import redact

        err(f"internal error: {type(exc).__name__}: {redact(str(exc))[:300]} (rerun with --debug)")
        raise typer.Exit(1) from None


def printer(verbose: bool) -> Callable[[str], None] | None:
    return (lambda msg: err(msg)) if verbose else None


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




# -------------------------------------------------------------------- output format from -o
# What a file name's extension says it holds; used only to choose (or check) -f.
SUFFIX_FORMATS = {
    ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".md": "md", ".markdown": "md",
    ".html": "html", ".htm": "html", ".csv": "csv",
}


def output_format(fmt: str | None, output: Path | None, allowed: tuple[str, ...], default: str, hint: str = "") -> str:
    """The format to write: `-f` if given, else what `-o`'s extension says, else `default`.

    A format the command cannot write, or an `-f` that contradicts the extension
    (`-f json -o review.html`), is a usage error (exit 2), never a file of the wrong kind.
    """
    implied = SUFFIX_FORMATS.get(output.suffix.lower()) if output is not None else None
    if fmt is not None and fmt not in allowed:
        raise typer.BadParameter(f"use {', '.join(allowed[:-1])} or {allowed[-1]}", param_hint="--format")
    if implied is not None and implied not in allowed:
        raise typer.BadParameter(
            f"{output} names a {implied} file, which this command does not write" + (f" ({hint})" if hint else ""),
            param_hint="--output",
        )
    if fmt is not None and implied is not None and fmt != implied:
        raise typer.BadParameter(
            f"-f {fmt} does not match -o {output} ({implied}): drop -f, or name the file for {fmt}",
            param_hint="--format",
        )
    return fmt or implied or default
