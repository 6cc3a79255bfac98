"""What every command shares: the model options, settings from them, one-line errors, output.

Imports only typer and our light modules; heavy ones load inside the commands.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from typer.core import TyperArgument, TyperCommand
from typer.exceptions import TyperException

from ..errors import ConfigError, OutputError, SettingError, SummarizerError
from ..terminal import clean

# -------------------------------------------------------------------- shared options
Model = Annotated[Optional[str], typer.Option("--model", "-m", metavar="MODEL", help="Model name [env SUMMARIZER_MODEL; default gpt-4o-mini; with --backend local a known local model, default qwen2.5-coder-1.5b].")]
BaseUrl = Annotated[Optional[str], typer.Option("--base-url", metavar="URL", help="OpenAI-compatible endpoint, e.g. http://localhost:11434/v1 [env OPENAI_BASE_URL].")]
Backend = Annotated[Optional[str], typer.Option("--backend", metavar="openai|local|rules", help="openai (OpenAI or any compatible endpoint, the default), local (the embedded model) or rules (no model: the rules baseline) [env SUMMARIZER_BACKEND].")]
ModelPath = Annotated[Optional[str], typer.Option("--model-path", metavar="FILE", help="Any GGUF file for --backend local, instead of a known model (see `summarizer models`).")]
Record = Annotated[Optional[Path], typer.Option("--record", metavar="DIR", help="Write every model exchange to this fixture directory [env SUMMARIZER_RECORD].")]
Replay = Annotated[Optional[Path], typer.Option("--replay", metavar="DIR", help="Answer only from fixtures in this directory, never the network [env SUMMARIZER_REPLAY].")]
MaxRetries = Annotated[Optional[int], typer.Option("--max-retries", metavar="N", help="Retries per request for 429/5xx/connection faults [default 4].")]
MaxReasks = Annotated[Optional[int], typer.Option("--max-reasks", metavar="N", help="Re-asks when the output is invalid or a quote is not in the text [default 2].")]
Timeout = Annotated[Optional[float], typer.Option("--timeout", metavar="SECONDS", help="Seconds for the whole article, all attempts included [default 300; 1800 local].")]
MaxTokens = Annotated[Optional[int], typer.Option("--max-tokens", metavar="N", help="Output token budget; doubled once if the answer is cut off [default 4096].")]
ChunkTokens = Annotated[Optional[int], typer.Option("--chunk-tokens", metavar="N", help="Article tokens per model call; longer articles are split [default 12000; 2500 local].")]
Mode = Annotated[Optional[str], typer.Option("--mode", metavar="tools|json_schema|json", help="tools (function calling, default), json_schema (structured outputs) or json (schema in the prompt, for endpoints without either).")]
Strategy = Annotated[Optional[str], typer.Option("--strategy", metavar="single|focused", help="single (one whole-article call, default for hosted models) or focused (small questions, default for --backend local).")]
Prompts = Annotated[Optional[Path], typer.Option("--prompts", metavar="DIR", help="A folder with your own copies of the prompt templates (prompts/*.md) [env SUMMARIZER_PROMPTS].")]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="Show each attempt (status, wait, tokens) on stderr.")]
Debug = Annotated[bool, typer.Option("--debug", help="Add the traceback to the one-line error (the exit code stays the same).")]


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
    "rpm": "rpm", "tpm": "tpm",
}


def settings_from(params: dict[str, Any]) -> Any:
    """Settings from a command's `locals()`: its model options, with the environment behind.

    A setting the library refuses is reported with the flag (or environment variable) the
    user actually set, not the library's field name.
    """
    from ..settings import ENVIRONMENT, Settings

    try:
        return Settings.resolve(**{field: params.get(name) for name, field in _MODEL_OPTIONS.items()})
    except SettingError as exc:
        if exc.field == "api_key":
            raise ConfigError(
                "no OPENAI_API_KEY and no --base-url",
                "set OPENAI_API_KEY; or point --base-url at an OpenAI-compatible server (Ollama, vLLM, "
                "llama.cpp); or run offline with --backend local (the embedded model) or --backend rules "
                "(no model); or answer from recordings with --replay DIR",
            ) from None
        if exc.field == "record_dir" and "replay_dir" in exc.problem:
            raise ConfigError("--record and --replay cannot be used together") from None
        option = next((name for name, field in _MODEL_OPTIONS.items() if field == exc.field), None)
        if option is None:
            raise
        flag = "--" + option.replace("_", "-")
        env = next((var for var, field in ENVIRONMENT.items() if field == exc.field), None)
        if params.get(option) is None and env:
            flag = f"{env} (or {flag})"  # the value came from the environment
        raise ConfigError(f"{flag} {exc.problem}", exc.hint) from None


def preflight(settings: Any, output: Path | None = None) -> None:
    """Everything about the run that can be checked locally, before a model is paid for:
    the output path and the recording directory."""
    check_output(output)
    if settings.record_dir is not None:
        from ..transports.fixtures import check_record_dir

        check_record_dir(settings.record_dir)


def err(message: str) -> None:
    """One line on stderr, with any terminal control characters in it made inert."""
    sys.stderr.write(f"summarizer: {clean(message)}\n")
    sys.stderr.flush()


def quiet_libraries() -> None:
    """instructor logs failed attempts with logger.error; with no handler configured, Python
    prints them on stderr. The CLI is the application, so it keeps the terminal to our one-line
    errors (`-v` shows attempts); the library leaves a host application's logging alone."""
    import logging

    logger = logging.getLogger("instructor")
    if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
        logger.addHandler(logging.NullHandler())


@contextmanager
def errors_to_exit(debug: bool) -> Iterator[None]:
    """One line and the documented exit code for every failure; `--debug` adds the traceback
    (before the line) and keeps the exit code."""
    quiet_libraries()
    try:
        yield
    except (typer.Exit, TyperException):
        raise  # usage errors: click prints them with the usage line, exit 2
    except SummarizerError as exc:
        _traceback(debug)
        err(f"error: {exc.one_line()}")
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        _traceback(debug)
        err("interrupted")
        raise typer.Exit(130) from None
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        _traceback(debug)
        from ..redact import redact

        err(f"internal error: {type(exc).__name__}: {redact(str(exc))[:300]} (rerun with --debug)")
        raise typer.Exit(1) from None


def _traceback(debug: bool) -> None:
    if debug:
        import traceback

        from ..redact import redact

        sys.stderr.write(clean(redact("".join(traceback.format_exc()))))
        sys.stderr.flush()


def printer(verbose: bool) -> Callable[[str], None] | None:
    return (lambda msg: err(msg)) if verbose else None


def _target(output: Path) -> Path:
    """Where `-o` really writes: through a symbolic link to the regular file it names (a link
    to a device, such as /dev/stdout, is written through as it is)."""
    if output.is_symlink() and output.is_file():
        return Path(os.path.realpath(output))
    return output


def check_output(output: Path | None) -> None:
    """Refuse an `-o` that cannot be written, before any work: a directory, a missing or
    unwritable parent directory. (A device or FIFO, such as /dev/stdout, is written as is.)"""
    if output is None:
        return
    target = _target(output)
    if target.is_dir():
        raise ConfigError(f"-o {output} is a directory", "pass a file name, e.g. -o result.json")
    if target.exists() and not target.is_file():
        return
    parent = target.parent
    if not parent.is_dir():
        raise ConfigError(f"cannot write -o {output}: {parent} is not a directory", "create it first, or pass another path")
    try:
        fd, probe = _create_beside(target, ".probe")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise ConfigError(
            f"cannot write -o {output}: {exc.strerror or type(exc).__name__}",
            "pass a path in a directory you can write",
        ) from None


def _create_beside(target: Path, suffix: str) -> tuple[int, str]:
    """A new file next to `target` (same file system, so os.replace is atomic), mode 0666 less
    the umask like any file the user creates."""
    import secrets

    path = target.with_name(f".{target.name}.{secrets.token_hex(4)}{suffix}")
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666), str(path)


def write_output(text: str, output: Path | None) -> None:
    """Write to `output` atomically (a device or FIFO: directly), or to stdout.

    When the file cannot be written (disk full, I/O error), the text is saved to a temporary
    file instead and the `OutputError` says where: a paid-for result is not thrown away.
    """
    data = text if text.endswith("\n") else text + "\n"
    if output is None:
        sys.stdout.write(data)
        sys.stdout.flush()
        return
    target = _target(output)
    try:
        if target.exists() and not target.is_file() and not target.is_dir():
            with open(target, "w", encoding="utf-8") as fh:  # /dev/stdout, a named pipe
                fh.write(data)
            return
        fd, tmp = _create_beside(target, ".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(data)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        saved = _save_elsewhere(data, output)
        raise OutputError(
            f"cannot write {output}: {exc.strerror or type(exc).__name__}",
            f"the result was saved to {saved} instead" if saved else "the result could not be saved anywhere",
        ) from None


def _save_elsewhere(data: str, output: Path) -> str | None:
    import tempfile

    try:
        fd, path = tempfile.mkstemp(prefix="summarizer-result-", suffix=output.suffix or ".txt")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(data)
        return path
    except OSError:
        return None

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
