"""The typer app: the top-level options and the commands, each built only when it is used.

A command's module (its options, the settings they follow from, its imports) is loaded when
the command is run, completed or listed in the top-level help, not at start-up: `summarizer
summarize` builds one command, not eleven. `COMMANDS` lists them in help order, and
`_register` is the one place that says which function each one runs. A command is built by
registering it on a throwaway app with the settings of this one and taking it from typer's
own result, so it is the very command an eagerly built app would hold (same options, help,
callbacks).

Command modules import only `.common` (never this module or the package), so there is no
import cycle.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from .common import Command

COMMANDS = (
    "summarize", "batch", "render", "eval", "cache", "schema", "screen", "models", "providers", "lists", "logs",
)
"""Every command, in the order the top-level help lists them (typer's order: commands, then
the groups `lists` and `logs`)."""

_SETTINGS: dict[str, Any] = {
    "pretty_exceptions_enable": False,
    "rich_markup_mode": None,  # help texts contain [brackets] that are not markup
}


def _register(name: str, app: typer.Typer) -> None:
    """Put command `name` on `app`, importing only its own module."""
    if name == "summarize":
        from .summarize import summarize

        app.command(name, cls=Command)(summarize)
    elif name == "batch":
        from .batch import batch

        app.command(name, cls=Command)(batch)
    elif name == "render":
        from .render import render_cmd

        app.command(name, cls=Command)(render_cmd)
    elif name == "eval":
        from .eval import eval_cmd

        app.command(name, cls=Command)(eval_cmd)
    elif name == "cache":
        from .summarize import cache_cmd

        app.command(name)(cache_cmd)
    elif name == "schema":
        from .summarize import schema

        app.command(name)(schema)
    elif name == "screen":
        from .screen import screen

        app.command(name, cls=Command)(screen)
    elif name == "models":
        from .models import models_cmd

        app.command(name)(models_cmd)
    elif name == "providers":
        from .providers import providers_cmd

        app.command(name)(providers_cmd)
    elif name == "lists":
        from .screen import lists_app

        app.add_typer(lists_app, name=name)
    elif name == "logs":
        from .logs import logs_app

        app.add_typer(logs_app, name=name)
    else:  # pragma: no cover - COMMANDS and this function are kept in step by the tests
        raise KeyError(name)


def _nothing() -> None:
    """The throwaway app's callback: it makes typer build a group, whose commands we take."""


def build(name: str) -> Any:
    """The click command for `name`, exactly as typer builds it under this app."""
    holder = typer.Typer(add_completion=False, **_SETTINGS)
    holder.callback()(_nothing)
    _register(name, holder)
    return typer.main.get_command(holder).commands[name]  # type: ignore[attr-defined]


class _Commands(MutableMapping[str, Any]):
    """The group's commands by name: every name is known at once, a command is built on first
    use (click looks them up one at a time; listing them all, as the help does, builds all)."""

    def __init__(self) -> None:
        self._built: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self._built:
            if name not in COMMANDS:
                raise KeyError(name)
            self._built[name] = build(name)
        return self._built[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        del self._built[name]

    def __iter__(self) -> Iterator[str]:
        yield from COMMANDS
        yield from (n for n in self._built if n not in COMMANDS)

    def __len__(self) -> int:
        return len(COMMANDS) + sum(n not in COMMANDS for n in self._built)

    def __contains__(self, name: object) -> bool:
        return name in COMMANDS or name in self._built


class LazyGroup(TyperGroup):
    """The top-level group, whose commands are built when first looked up."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = _Commands()


app = typer.Typer(
    name="summarizer",
    help="A grounded, checkable account of a news article: summary, allegations, sanctions "
    "targets and verbatim quotes, each pointing back into the text.",
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion (bash, zsh, fish, PowerShell)
    cls=LazyGroup,
    **_SETTINGS,
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


if __name__ == "__main__":  # typer's own rendering, always (tests compare `helptext.TOP` with it)
    app(prog_name="summarizer")
