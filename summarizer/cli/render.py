"""`summarizer render OUT.jsonl`: a batch output file as review pages, Markdown, CSV or JSON Lines.

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

FORMATS = ("html", "md", "csv", "jsonl")


def _shown(value: object, n: int = 80) -> str:
    """An id as it may be printed on a terminal: length bounded (`err` makes controls inert)."""
    text = str(value).replace("\n", " ")
    return text if len(text) <= n else text[: n - 1] + "\u2026"


def render_cmd(
    results: Annotated[Path, typer.Argument(help="The -o file of a `summarizer batch` run (JSON Lines).", show_default=False,
                                        metavar="OUT.jsonl")],
    fmt: Annotated[
        Optional[str],
        typer.Option("--format", "-f", help="html (a page per article + index.html), md (a file per article + index.md, "
                     "or one file with --combined), csv or jsonl (a row per quote, target, allegation and named "
                     "mention) [default: from -o's extension (.csv .jsonl .md), else html].", show_default=False,
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
        fmt = output_format(fmt, output, FORMATS, "html")
        suffix = output.suffix.lower() if output is not None else ""
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
                from ..screening.article import apply

                def screen_one(result: Any, text: str | None) -> None:
                    apply(result, text or "", screener, mentions=screen_all)

            dirs = [source_dir] if source_dir is not None else [Path.cwd(), results.resolve().parent]
            if out is not None:
                report = render_pages(batch, fmt, out, dirs=dirs, screen=screen_one)
            elif output is None:
                report = render_stream(batch, fmt, sys.stdout, dirs=dirs, screen=screen_one)
                sys.stdout.flush()
            else:
                with output_file(output, results, bom=fmt == "csv") as sink:  # BOM: spreadsheets read it as UTF-8
                    report = render_stream(batch, fmt, sink, dirs=dirs, screen=screen_one)

        if report.torn:
            err(f"warning: the last line of {results} is incomplete (a batch still running, or killed): "
                f"{report.torn} byte(s) left out")
        if report.unreadable:
            err(f"warning: {report.unreadable} result(s) do not match this version's output schema; "
                "they are listed as failed")
        if report.no_text and fmt in ("html", "md"):
            err(f"warning: {len(report.no_text)} article(s) shown without their text, e.g. {_shown(report.no_text[0])} "
                "(source file not found, or changed since the batch; pass --source-dir DIR)")
        what = f"{report.rows} row(s) from " if fmt in ("csv", "jsonl") else ""
        failed = f" ({report.failed} failed in the batch, no {'rows' if what else 'page'})" if report.failed else ""
        where = f"to {output}" if output is not None else "to stdout"
        err(f"rendered {what}{report.articles} article(s){failed} {where}")
