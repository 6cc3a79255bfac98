"""Rendering every article of a batch output file: pages into a directory, or one stream.

`render_pages` writes one page per article plus an index (`html`: review pages and a sortable
index.html; `md`: Markdown files and index.md) into an `OutputDir`. `render_stream` writes one
text: CSV or JSON Lines rows, or all articles as one Markdown document. Neither prints: the
`Report` says what was done, for the CLI to tell.

Screening (`screen`, a callable that screens one result in place) runs on each result as it
is rendered, as `summarize --screen` does after the model call.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from ..schema import ArticleSummary
from .batchfile import BatchFile, Entry
from .dest import OutputDir
from .index import Row, index_html, index_markdown
from .sources import SourceFinder

Screen = Callable[[ArticleSummary, str | None], None]


@dataclass
class Report:
    """What a render did: counts for the final line, and the articles rendered without text."""

    articles: int = 0
    failed: int = 0  # failed in the batch, or a result this version cannot read
    unreadable: int = 0  # of those: ok lines whose result does not validate
    rows: int = 0  # csv/jsonl rows written
    no_text: list[str | int] = field(default_factory=list)
    torn: int = 0
    duplicates: int = 0


def _start(batch: BatchFile) -> Report:
    return Report(torn=batch.torn, duplicates=batch.duplicates)


def _count(report: Report, entry: Entry) -> None:
    report.articles += 1
    if entry.result is None:
        report.failed += 1
        report.unreadable += entry.error_type == "unreadable"


def _text(entry: Entry, finder: SourceFinder, report: Report, screen: Screen | None) -> str | None:
    """The article text of an ok entry (None when it cannot be found as it was), screened if asked."""
    assert entry.result is not None
    text = finder.text(entry.result)
    if text is None:
        report.no_text.append(entry.id)
    if screen is not None:
        screen(entry.result, text)
    return text


def render_pages(batch: BatchFile, fmt: str, out: OutputDir, *, dirs: Sequence[Path] = (),
                 screen: Screen | None = None) -> Report:
    """One page per ok article and an index page into `out` (fmt `html` or `md`)."""
    from .markdown import to_markdown
    from .page import to_html

    finder = SourceFinder(dirs)
    suffix = ".html" if fmt == "html" else ".md"
    index_name = out.reserve("index" + suffix)
    names = {rid: out.name(rid, suffix) for rid in batch.ids()}
    out.begin()
    report, rows = _start(batch), []
    for entry in batch.entries():
        _count(report, entry)
        if entry.result is None:
            rows.append(Row.of(entry, None))
            continue
        text = _text(entry, finder, report, screen)
        name = names[entry.id]
        if fmt == "html":
            out.write(name, to_html(entry.result, text, title=str(entry.id), index_href=index_name))
        else:
            out.write(name, to_markdown(entry.result, text, title=str(entry.id)))
        rows.append(Row.of(entry, name, no_text=text is None))
    source = batch.path.name
    out.write(index_name, index_html(rows, source=source) if fmt == "html" else index_markdown(rows, source=source))
    out.finish()
    return report


def render_stream(batch: BatchFile, fmt: str, sink: TextIO, *, dirs: Sequence[Path] = (),
                  screen: Screen | None = None) -> Report:
    """Every article into one text on `sink`: `csv` or `jsonl` rows, or `md` (one document)."""
    from . import export
    from .markdown import md_line, to_markdown

    report, finder = _start(batch), SourceFinder(dirs)
    if fmt == "csv":
        sink.write(export.csv_header())
    elif fmt == "md":
        sink.write(f"# Review: {md_line(batch.path.name)}\n\n")
    for entry in batch.entries():
        _count(report, entry)
        if fmt == "md":
            if entry.result is None:
                sink.write(f"\n# {md_line(entry.id)}\n\nFailed ({md_line(entry.error_type or 'error')}): "
                           f"{md_line(entry.error or '')}\n")
                continue
            sink.write("\n" + to_markdown(entry.result, _text(entry, finder, report, screen), title=str(entry.id)))
            continue
        if entry.result is None:
            continue
        if screen is not None:  # rows need no article text; screening uses it for identifiers
            screen(entry.result, finder.text(entry.result))
        rows = list(export.rows(entry.id, entry.result))
        report.rows += len(rows)
        sink.write(export.csv_rows(rows) if fmt == "csv" else export.to_jsonl(rows))
    return report
