"""`summarizer render OUT.jsonl`: a batch output file as review pages, Markdown, CSV or JSON Lines,
its parties as rows, or FollowTheMoney entities.

Offline and free: no model is called; the results are the batch's. Checked before anything is
written, in this order: the options (usage errors, exit 2), the batch file (exit 3 if it is not
one), the destination (exit 4: a directory is written only if new, empty, or holding an earlier
render; a file never the input), the sanctions lists (exit 11). The input file is only read.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from .common import Debug, err, errors_to_exit, output_format
from .screen import ScreenAll, ScreenLists, ScreenThreshold, ScreenUrl, screener_from

FORMATS = ("html", "md", "csv", "jsonl", "parties", "ftm")
_OWN_SUFFIX = {"parties": (".csv", ".jsonl", ".ndjson"), "ftm": (".json", ".jsonl", ".ndjson", ".ftm")}
"""Formats whose files do not follow the usual extensions: `-f parties -o parties.csv`,
`-f ftm -o entities.ftm.json`."""


def _shown(value: object, n: int = 80) -> str:
    """An id as it may be printed on a terminal: length bounded (`err` makes controls inert)."""
    text = str(value).replace("\n", " ")
    return text if len(text) <= n else text[: n - 1] + "\u2026"


def _list_names(lists: list[str] | None, url: str | None) -> list[str]:
    """What the status says was screened against: the list names as given, or the server."""
    if url:
        return [url]
    return [Path(x).name for x in lists or []]


def render_cmd(
    results: Annotated[Path, typer.Argument(help="The -o file of a `summarizer batch` run (JSON Lines).", show_default=False,
                                        metavar="OUT.jsonl")],
    fmt: Annotated[
        Optional[str],
        typer.Option("--format", "-f", help="html (a page per article, index.html, and pages of the batch's "
                     "parties and allegations), md (a file per article + index.md, or one file with --combined), "
                     "csv or jsonl (a row per article, quote, target and allegation), parties (a row per party of "
                     "the batch: CSV, or JSON Lines for -o *.jsonl), ftm (FollowTheMoney entities, JSON lines) "
                     "[default: from -o's extension (.csv .jsonl .md), else html].", show_default=False,
                     metavar="FORMAT"),
    ] = None,
    output: Annotated[
        Optional[Path],
        typer.Option("--output", "-o", help="A new or empty directory for html and md pages (or one this command "
                     "wrote before); a file for csv, jsonl and md --combined (default: stdout).", show_default=False,
                     metavar="DEST"),
    ] = None,
    combined: Annotated[bool, typer.Option("--combined", help="md: every article in one Markdown file.")] = False,
    source_dir: Annotated[
        Optional[Path],
        typer.Option("--source-dir", help="Where the batch's article files are, to show their text (default: the "
                     "current directory, then the batch file's).", show_default=False, metavar="DIR"),
    ] = None,
    screen: ScreenLists = None,
    screen_all: ScreenAll = False,
    screen_url: ScreenUrl = None,
    screen_threshold: ScreenThreshold = None,
    debug: Debug = False,
) -> None:
    """Render a batch output file as review pages, Markdown, CSV or JSON Lines (no model calls)."""
    with errors_to_exit(debug):
        suffix = output.suffix.lower() if output is not None else ""
        if fmt in _OWN_SUFFIX:
            if output is not None and suffix not in _OWN_SUFFIX[fmt]:
                raise typer.BadParameter(f"-f {fmt} writes {' or '.join(_OWN_SUFFIX[fmt])} files, not {output.name}",
                                         param_hint="--output")
            if fmt == "ftm" and (screen or screen_url or screen_all or screen_threshold is not None):
                raise typer.BadParameter("-f ftm exports what the articles say; screening does not change it",
                                         param_hint="--screen")
        else:
            fmt = output_format(fmt, output, FORMATS, "html")
        if fmt == "html" and suffix in (".html", ".htm"):
            raise typer.BadParameter("html writes a directory (index.html and a page per article): pass a directory",
                                     param_hint="--output")
        if fmt == "md" and suffix in (".md", ".markdown"):
            combined = True  # one file named .md: the combined document
        if combined and fmt != "md":
            raise typer.BadParameter("--combined is for -f md", param_hint="--combined")
        paged = fmt == "html" or (fmt == "md" and not combined)
        if paged and output is None:
            raise typer.BadParameter(f"-f {fmt} writes a directory of pages: pass -o DIR", param_hint="--output")

        from ..render.batchfile import open_batch
        from ..render.dest import OutputDir, check_file_dest, output_file
        from ..render.many import render_pages, render_stream

        with open_batch(results) as batch:
            out = None
            if paged:
                assert output is not None
                out = OutputDir(output, fmt)
            elif output is not None:
                check_file_dest(output, results)
            screener = screener_from(screen, screen_url, screen_threshold, screen_all)
            screen_one: Any = None
            if screener is not None:
                from ..render.status import from_items
                from ..screening.article import apply

                lists = _list_names(screen, screen_url)
                scope = "all" if screen_all else "targets"

                def screen_one(result: Any, text: str | None) -> Any:
                    apply(result, text or "", screener, mentions=screen_all)
                    return from_items(result, lists, scope)

            dirs = [source_dir] if source_dir is not None else [Path.cwd(), results.resolve().parent]
            stream = fmt
            if fmt == "parties":
                stream = "parties-jsonl" if suffix in (".jsonl", ".ndjson") else "parties-csv"
            csv_out = stream in ("csv", "parties-csv")
            if out is not None:
                report = render_pages(batch, fmt, out, dirs=dirs, screen=screen_one)
            elif output is None:
                report = render_stream(batch, stream, sys.stdout, dirs=dirs, screen=screen_one)
                sys.stdout.flush()
            else:
                with output_file(output, results, bom=csv_out) as sink:  # BOM: spreadsheets read it as UTF-8
                    report = render_stream(batch, stream, sink, dirs=dirs, screen=screen_one)

        if report.torn:
            err(f"warning: the last line of {results} is incomplete (a batch still running, or killed): "
                f"{report.torn} byte(s) left out")
        if report.unreadable:
            err(f"warning: {report.unreadable} result(s) do not match this version's output schema; "
                "they are listed as failed")
        if report.no_text and fmt in ("html", "md"):
            err(f"warning: {len(report.no_text)} article(s) shown without their text, e.g. {_shown(report.no_text[0])} "
                "(source file not found, or changed since the batch; pass --source-dir DIR)")
        parties = f"{report.parties} part{'y' if report.parties == 1 else 'ies'}"
        what = {"csv": f"{report.rows} row(s) from ", "jsonl": f"{report.rows} row(s) from ",
                "parties": f"{parties} from ", "ftm": f"{report.rows} entities ({parties}) from "}.get(fmt, "")
        failed = ""
        if report.failed:
            failed = f" ({report.failed} failed in the batch{', no page' if fmt in ('html', 'md') else ''})"
        extra = f" and the pages of its {parties}" if fmt == "html" else ""
        where = f"to {output}" if output is not None else "to stdout"
        err(f"rendered {what}{report.articles} article(s){failed}{extra} {where}")
