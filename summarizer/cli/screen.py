"""`summarizer screen NAME...` and `summarizer lists [update]`: sanctions screening without an article.

Also the screening options that `summarize` and `batch` share (`--screen`, `--screen-all`,
`--screen-url`, `--screen-threshold`) and `screener_from`, which loads the lists before any
model call so a bad list file costs nothing. Only typer and `.common` at import time.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from ..terminal import clean
from .common import Command, Debug, err, errors_to_exit, write_output

ScreenLists = Annotated[
    Optional[list[str]],
    typer.Option(
        "--screen",
        help="Screen named parties against this sanctions list: a file (OFAC sdn.csv/sdn.xml, OpenSanctions "
        "targets.simple.csv or FtM JSON lines) or an installed list (ofac-sdn, opensanctions). Repeatable.",
        show_default=False,
        metavar="LIST",
    ),
]
ScreenAll = Annotated[
    bool, typer.Option("--screen-all", help="Screen speakers, accusers and accused too, not only sanctions targets.")
]
ScreenUrl = Annotated[
    Optional[str],
    typer.Option(
        "--screen-url",
        metavar="URL",
        help="Screen through a yente server instead (http://host:8000[/match/DATASET]); key in SUMMARIZER_YENTE_KEY.",
    ),
]
ScreenThreshold = Annotated[
    Optional[float], typer.Option("--screen-threshold", metavar="SCORE", help="Lowest score reported as a match, 0-1 [default 0.7].")
]


def screener_from(lists: list[str] | None, url: str | None, threshold: float | None, screen_all: bool = False) -> Any:
    """The Screener the options ask for, or None; lists are loaded now (errors before model calls)."""
    if not lists and not url:
        if screen_all or threshold is not None:
            from ..errors import ScreeningError

            raise ScreeningError("--screen-all and --screen-threshold need --screen LIST or --screen-url")
        return None
    from ..screening import Screener
    from ..screening.article import check_mentions

    check_mentions(screen_all)
    screener = Screener.from_options(lists or [], url, threshold=threshold)
    for warning in screener.warnings:
        err(f"warning: {warning}")
    return screener


def screening_note(result: Any) -> str | None:
    """The stderr line for a screened result whose screening left something out, else None:
    an analyst must never read "no hits" where nothing (or only part) was screened."""
    summary = getattr(result, "screening", None)
    if summary is None or summary.reason is None:
        return None
    if summary.screened == 0:
        return f"screening: nothing screened: {summary.reason}"
    return f"screening: {summary.screened} name(s) screened, {summary.not_screened} not: {summary.reason}"


class ScreeningNotes:
    """A batch's results whose screening left something out, told in one stderr line at the end
    (each result's own `screening.reason` says which and why)."""

    def __init__(self) -> None:
        self.nothing: list[str] = []
        self.partial: list[str] = []

    def note(self, result: Any, source: str) -> None:
        summary = getattr(result, "screening", None)
        if summary is not None and summary.reason is not None:
            (self.nothing if summary.screened == 0 else self.partial).append(source)

    def report(self) -> None:
        for label, sources in (("nothing screened", self.nothing), ("only part screened", self.partial)):
            if sources:
                shown = ", ".join(sources[:3]) + (f" and {len(sources) - 3} more" if len(sources) > 3 else "")
                err(f"screening: {label} in {len(sources)} article(s): {shown} (see `screening.reason` in the output)")


def _names(names: list[str]) -> list[str]:
    """Names from the command line, or one per line from stdin when none (or `-`) is given."""
    if names and names != ["-"]:
        return [n for n in names if n.strip()]
    from ..errors import InputError

    if sys.stdin is None or sys.stdin.isatty():
        raise InputError("no names given", "pass names as arguments, or pipe them in one per line")
    data = sys.stdin.read(16 * 1024 * 1024 + 1)
    if len(data) > 16 * 1024 * 1024:
        raise InputError("stdin holds more than 16 MiB of names", "split the list")
    return [line.strip() for line in data.splitlines() if line.strip()]


def screen(
    names: Annotated[Optional[list[str]], typer.Argument(help="Names to screen; none or - reads one per line from stdin.", show_default=False, metavar="NAME")] = None,
    lists: ScreenLists = None,
    url: ScreenUrl = None,
    kind: Annotated[
        Optional[str],
        typer.Option("--kind", metavar="KIND", help="person, organization, vessel or aircraft: compare only with listed entries of that type."),
    ] = None,
    threshold: ScreenThreshold = None,
    fmt: Annotated[str, typer.Option("--format", "-f", metavar="json|table", help="Output format.")] = "json",
    output: Annotated[Optional[Path], typer.Option("--output", "-o", metavar="FILE", help="Write here instead of stdout.")] = None,
    debug: Debug = False,
) -> None:
    """Screen names against sanctions lists and print the matches (JSON by default)."""
    with errors_to_exit(debug):
        if fmt not in ("json", "table"):
            raise typer.BadParameter("use json or table", param_hint="--format")
        if kind is not None and kind not in ("person", "organization", "vessel", "aircraft", "government", "other"):
            raise typer.BadParameter("use person, organization, vessel or aircraft", param_hint="--kind")
        given = _names(names or [])
        screener = screener_from(lists, url, threshold)
        if screener is None:
            from ..errors import ScreeningError

            raise ScreeningError("no sanctions list given", "pass --screen LIST (see `summarizer lists`) or --screen-url")
        results = screener.screen([(n, kind, []) for n in given])
        rows = [{"query": n, "screening": [h.model_dump() for h in hits]} for n, hits in zip(given, results, strict=True)]
        if fmt == "json":
            text = json.dumps(rows, indent=2, ensure_ascii=False)
        else:
            from ..render.screening import hits_table

            text = hits_table(rows, color=output is None and sys.stdout.isatty())
        write_output(text, output)


lists_app = typer.Typer(
    help="Show the sanctions lists (name, date, entries), or download the current ones.",
    invoke_without_command=True,
    no_args_is_help=False,
    rich_markup_mode=None,
)


@lists_app.callback()
def lists_cmd(
    ctx: typer.Context,
    lists: ScreenLists = None,
    debug: Debug = False,
) -> None:
    """Show the installed lists and any --screen LIST files: name, date, entries, where."""
    if ctx.invoked_subcommand is not None:
        return
    with errors_to_exit(debug):
        from ..screening.index import load
        from ..screening.lists import data_dir, installed, resolve, source_info

        shown: list[tuple[str, Path]] = [(source.name, path) for source, path in installed()]
        shown += [(str(given), resolve(given)) for given in lists or []]
        if not shown:
            sys.stdout.write(f"no lists installed in {data_dir()} (run `summarizer lists update`, or pass --screen FILE)\n")
            return
        for name, path in shown:
            index = load(path)
            sys.stdout.write(
                clean(
                    f"{name}: {index.label}, {index.format}, {_when(index, source_info(path))}, "
                    f"{index.n_entries} entries, {index.n_names} names, {path}"
                )
                + "\n"
            )


def _when(index: Any, info: dict[str, str]) -> str:
    """The list's date as the publisher gives it: in the file (sdn.xml's Publish_Date,
    OpenSanctions' newest last_seen), else the download's Last-Modified; the download date
    as a last resort, and never the copy's mtime (a copy is not a publication)."""
    if index.date:
        return f"{index.date_kind} {index.date}"
    from email.utils import parsedate_to_datetime

    said = ["publication date not in the file"]
    try:
        said.append(f"last modified {parsedate_to_datetime(info.get('last_modified', '')).date().isoformat()} on the server")
    except (TypeError, ValueError, IndexError):
        pass
    if info.get("downloaded"):
        said.append(f"downloaded {info['downloaded'][:10]}")
    return "; ".join(said)


@lists_app.command("update", cls=Command)
def lists_update(
    names: Annotated[Optional[list[str]], typer.Argument(metavar="LIST", help="Lists to update (ofac-sdn, opensanctions); default all.", show_default=False)] = None,
    source: Annotated[
        Optional[list[str]],
        typer.Option("--source", help="NAME=URL or NAME/FILE=URL: download from a mirror instead. Repeatable.", show_default=False, metavar="NAME=URL"),
    ] = None,
    timeout: Annotated[float, typer.Option("--timeout", metavar="SECONDS", help="Seconds to wait for each network read.")] = 60.0,
    debug: Debug = False,
) -> None:
    """Download the current OFAC and OpenSanctions lists into the user data dir (atomically)."""
    with errors_to_exit(debug):
        from ..errors import ScreeningError
        from ..screening.lists import check_sources, check_timeout, data_dir, update

        try:
            check_timeout(timeout)
        except ScreeningError as exc:
            raise typer.BadParameter(exc.one_line(), param_hint="--timeout") from None
        urls: dict[str, str] = {}
        for item in source or []:
            key, sep, value = item.partition("=")
            if not sep or not key or not value:
                raise typer.BadParameter("use NAME=URL, e.g. ofac-sdn=https://mirror.example/sdn.csv", param_hint="--source")
            urls[key] = value
        try:
            check_sources(urls)
        except ScreeningError as exc:
            raise typer.BadParameter(exc.one_line(), param_hint="--source") from None
        results = update(names, urls=urls, timeout=timeout)
        for name, error in results:
            sys.stdout.write(f"{name}: {'updated in ' + str(data_dir() / name) if error is None else 'not updated: ' + error}\n")
        failed = [name for name, error in results if error]
        if failed:
            raise ScreeningError(f"{len(failed)} of {len(results)} list(s) not updated: {', '.join(failed)}")
