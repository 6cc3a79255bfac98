"""What every command shares: the model options, settings from them, one-line errors, output.

Imports only typer and our light modules; heavy ones load inside the commands.
"""

from __future__ import annotations

import functools
import inspect
import os
import re
import sys
import typing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn, Optional, TypeVar

import typer
from typer.core import TyperArgument, TyperCommand
from typer.exceptions import TyperException

from ..errors import ConfigError, OutputError, SettingError, SummarizerError
from ..providers import NAMES as PROVIDER_NAMES
from ..settings import Declared, declared
from ..terminal import clean


# -------------------------------------------------------------------- numbers
def number(
    minimum: float | None = None, maximum: float | None = None, *, integer: bool = False
) -> Callable[[Any], Any]:
    """The check of a numeric option that is not a setting (--poll-interval, --concurrency,
    --limit...), as a typer `callback=`: `numbers.check_number`, the very check settings get, so
    NaN, infinities and out-of-range values are refused where options are parsed (a usage
    error, exit 2, like click's own ranges; click's ranges alone let `nan` and `inf` through).
    Options that are settings (--timeout, --max-retries...) are checked by `Settings` (exit 4)."""

    def check(value: Any) -> Any:
        if value is None:
            return value
        from ..numbers import check_number

        try:
            check_number("value", value, integer=integer, minimum=minimum, maximum=maximum)
        except SettingError as exc:
            raise typer.BadParameter(exc.problem) from None
        return value

    return check


# -------------------------------------------------------------------- shared options
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


# -------------------------------------------------------------------- the model options
F = TypeVar("F", bound=Callable[..., Any])


class ModelOptions:
    """The model options a command was given (one per declared setting with a flag, see
    `settings.Declared`), turned into `Settings` when the command is ready for them: after
    its own input checks, so a bad file is reported before a configuration problem."""

    def __init__(self, given: dict[str, Any]) -> None:
        self.given = given  # Settings field -> value from the command line (None: not given)

    def settings(self, **overrides: Any) -> Any:
        """Settings from the options, with the environment behind them.

        A setting the library refuses is reported with the flag (or environment variable) the
        user actually set, not the library's field name.
        """
        from ..settings import Settings

        given = {**self.given, **overrides}
        try:
            return Settings.resolve(**given)
        except SettingError as exc:
            raise self._in_cli_words(exc, given) from None

    def _in_cli_words(self, exc: SettingError, given: dict[str, Any]) -> Exception:
        if exc.field == "api_key":
            var = next((v for v in _key_variables() if v in exc.problem), "OPENAI_API_KEY")
            return NoKeyError(
                f"no {var} and no --base-url",
                f"set {var}, point --base-url at an OpenAI-compatible server, run offline with "
                "--backend local (the embedded model) or --backend rules (no model), or answer from "
                "recordings with --replay DIR",
            )
        if exc.field == "provider" and "must be one of" in exc.problem:
            value = given.get("provider")
            where = "--provider" if value is not None else "SUMMARIZER_PROVIDER (or --provider)"
            name = str(value or os.environ.get("SUMMARIZER_PROVIDER"))
            # echoed only when it looks like a name: a key pasted in the wrong place stays unprinted
            shown = f" {name!r}" if re.fullmatch(r"[A-Za-z0-9_.-]{1,24}", name) else ""
            usage_error(f"{where}: unknown provider{shown}; "
                        f"use one of: {', '.join(PROVIDER_NAMES)} (summarizer providers lists them)")
        if exc.field == "record_dir" and "replay_dir" in exc.problem:
            return ConfigError("--record and --replay cannot be used together")
        declaration = declared().get(exc.field or "")
        if declaration is None or declaration.flag is None:
            return exc
        flag, env = declaration.flag, declaration.env
        if given.get(exc.field) is None and exc.field == "base_url":  # a provider's *_BASE_URL variable
            from ..providers import PROVIDERS

            env = " or ".join(p.url_env for p in PROVIDERS.values() if os.environ.get(p.url_env)) or None
        if given.get(exc.field) is None and env:
            flag = f"{env} (or {flag})"  # the value came from the environment
        return ConfigError(f"{flag} {exc.problem}", exc.hint)


MODEL_OPTIONS: Any = None
"""The default of a command's `model_options: ModelOptions` parameter (`with_model_options`
puts the real options there)."""


def _option(name: str, d: Declared) -> inspect.Parameter:
    """One typer option for a declared setting."""
    decls = [flag for flag in (d.flag, d.short) if flag]
    help_text = d.help + (f" [env {d.env}]" if d.env else "")
    option = typer.Option(*decls, metavar=d.metavar, help=help_text, show_default=False)
    kind = {"int": int, "float": float}.get(d.number or "", d.cli_type)
    annotation = Annotated[Optional[kind], option]  # type: ignore[valid-type]
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=annotation)


def with_model_options(command: str) -> Callable[[F], F]:
    """Give a typer command the model options declared for it (`settings.Declared.commands`),
    in place of its `model_options: ModelOptions` parameter, which then receives them.

    The options come from the one declaration of each setting: adding a setting with a flag
    adds it to every command it names, with its help, metavar and environment variable.
    """

    def decorate(fn: F) -> F:
        signature = inspect.signature(fn)
        names = [n for n, d in declared().items() if d.flag and command in d.commands]
        params: list[inspect.Parameter] = []
        for p in signature.parameters.values():
            if p.name == "model_options":
                params += [_option(n, declared()[n]) for n in names]
            else:
                params.append(p.replace(kind=inspect.Parameter.KEYWORD_ONLY) if p.kind is p.POSITIONAL_OR_KEYWORD else p)

        @functools.wraps(fn)
        def wrapper(**kwargs: Any) -> Any:
            given = {n: kwargs.pop(n, None) for n in names}
            return fn(**kwargs, model_options=ModelOptions(given))

        hints = typing.get_type_hints(fn, include_extras=True)
        wrapper.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=[p.replace(annotation=hints.get(p.name, p.annotation)) if p.name not in names else p for p in params]
        )
        wrapper.__annotations__ = {p.name: p.annotation for p in wrapper.__signature__.parameters.values()}  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


class NoKeyError(ConfigError):
    """The run needs a key that is not set (exit 4, as every configuration error)."""


def _key_variables() -> list[str]:
    from ..providers import PROVIDERS

    return [p.key_env for p in PROVIDERS.values() if p.key_env]


def usage_error(message: str) -> NoReturn:
    """A usage error as one line (exit 2, as click's own), for what click cannot check itself."""
    from ..redact import redact

    err(f"error: {redact(message)}")
    raise typer.Exit(2)


def preflight(settings: Any, output: Path | None = None, protect: tuple[str, ...] = ()) -> None:
    """Everything about the run that can be checked locally, before a model is paid for:
    the output path (never one of the run's inputs, `protect`) and the recording directory."""
    check_output(output, protect)
    if settings.record_dir is not None:
        from ..transports.fixtures import check_record_dir

        check_record_dir(settings.record_dir)


def err(message: str) -> None:
    """One line on stderr, secrets redacted and terminal control characters made inert."""
    from ..redact import redact

    sys.stderr.write(f"summarizer: {clean(redact(message))}\n")
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


def check_output(output: Path | None, protect: tuple[str | os.PathLike[str], ...] = ()) -> None:
    """Refuse an `-o` that cannot or must not be written, before any work (`atomic`'s rules for a
    file the user names: a directory, a block device, a link to nothing, an input of this run
    (`protect`), a batch output or another file the tool keeps, a missing or unwritable directory).
    A character device or a FIFO (/dev/stdout, a pipe) is written through."""
    if output is None:
        return
    from ..atomic import check_destination

    check_destination(output, label="-o", user=True, protect=protect, probe=True)


def write_output(text: str, output: Path | None, protect: tuple[str | os.PathLike[str], ...] = ()) -> None:
    """Write to `output` by `atomic`'s rules for a file the user names, or to stdout.

    When the file cannot be written (disk full, I/O error, a FIFO nobody reads), the text is
    saved to a temporary file instead and the `OutputError` says where: a paid-for result is
    not thrown away.
    """
    data = text if text.endswith("\n") else text + "\n"
    if output is None:
        sys.stdout.write(data)
        sys.stdout.flush()
        return
    from ..atomic import open_output, save_rescue

    raw = data.encode("utf-8", "replace")  # a lone surrogate becomes "?", one for one
    try:
        with open_output(output, label="-o", user=True, protect=protect) as handle:
            handle.write(raw)
    except (OSError, ConfigError) as exc:
        saved = save_rescue(raw, output.suffix)
        what = exc.message if isinstance(exc, ConfigError) else f"cannot write {output}: {exc.strerror or type(exc).__name__}"
        raise OutputError(
            what, f"the result was saved to {saved} instead" if saved else "the result could not be saved anywhere"
        ) from None


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
