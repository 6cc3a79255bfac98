"""Rendering every article of a batch output file: pages into a directory, or one stream.

`render_pages` writes, in one pass over the batch file, one page per article plus an index
(`html`: review pages, index.html, and the pages about the whole batch: parties.html,
allegations.html and their detail pages; `md`: Markdown files and index.md) into an
`OutputDir`. `render_stream` writes one text: CSV or JSON Lines rows, all articles as one
Markdown document, the parties as rows (`parties`), or FollowTheMoney entities (`ftm`, two
passes: the parties are merged before any entity names them). Neither prints: the `Report`
says what was done, for the CLI to tell.

Memory: one article's result at a time, plus what the batch-wide pages need (a small row per
article, the merged parties with their mentions, a short text per allegation); page texts are
written as they are made. Screening (`screen`, a callable that screens one result in place and
returns its status) runs on each result as it is rendered, as `summarize --screen` does.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from .batchfile import BatchFile
from .corpus import ArticleRef
from .dest import OutputDir
from .index import Row, in_input_order, index_html, index_markdown
from .parties import PartyIndex
from .prepare import Report, Screen, walk
from .sources import SourceFinder

__all__ = ["Report", "Screen", "render_pages", "render_stream"]


def _start(batch: BatchFile) -> Report:
    return Report(torn=batch.torn, duplicates=batch.duplicates)


def render_pages(batch: BatchFile, fmt: str, out: OutputDir, *, dirs: Sequence[Path] = (),
                 screen: Screen | None = None) -> Report:
    """One page per ok article, an index page, and (html) the batch-wide pages into `out`."""
    from .corpus import site_links
    from .markdown import to_markdown
    from .page import to_html

    suffix = ".html" if fmt == "html" else ".md"
    index_name = out.reserve("index" + suffix)
    if fmt == "html":
        for fixed in ("parties.html", "allegations.html"):
            out.reserve(fixed)
    names = {rid: out.name(rid, suffix) for rid in batch.ids()}
    out.begin()
    report, rows = _start(batch), []
    parties = PartyIndex() if fmt == "html" else None
    refs: list[ArticleRef] = []
    for n, (entry, art) in enumerate(walk(batch, SourceFinder(dirs), report, screen)):
        if art is None:
            rows.append(Row.of(entry, None))
            refs.append(ArticleRef(entry.id, None, None))
            continue
        name = names[entry.id]
        if fmt == "html":
            out.write(name, to_html(art.result, art.text, title=art.title, article_id=str(entry.id),
                                    index_href=index_name, screening=art.screening))
        else:
            out.write(name, to_markdown(art.result, art.text, title=art.title, article_id=str(entry.id),
                                        screening=art.screening))
        rows.append(Row.of(entry, name, title=art.title, screening=art.screening, no_text=art.text is None))
        refs.append(ArticleRef(entry.id, name, art.title))
        if parties is not None:
            parties.add(n, art.result, art.text)
    source = batch.path.name
    ordered = in_input_order(rows)
    if fmt == "html":
        assert parties is not None
        out.write(index_name, index_html(ordered, source=source, links=site_links()))
        report.parties = _corpus_pages(out, parties, refs, source, report.articles)
    else:
        out.write(index_name, index_markdown(ordered, source=source))
    out.finish()
    return report


def _corpus_pages(out: OutputDir, parties: PartyIndex, refs: Sequence[ArticleRef], source: str,
                  articles: int) -> int:
    """parties.html, allegations.html and their detail pages; the number of parties."""
    from .corpus import allegation_pages, allegations_page, pairs_of, parties_page, party_pages

    merged = parties.finish()
    out.write("parties.html", parties_page(merged, source=source, articles=articles))
    for name, text in party_pages(merged, refs, source=source):
        out.write(name, text)
    pairs = pairs_of(parties.allegations())
    out.write("allegations.html", allegations_page(pairs, source=source))
    for name, text in allegation_pages(pairs, refs, source=source):
        out.write(name, text)
    return len(merged)


def render_stream(batch: BatchFile, fmt: str, sink: TextIO, *, dirs: Sequence[Path] = (),
                  screen: Screen | None = None) -> Report:
    """Every article into one text on `sink`: `csv` or `jsonl` rows (`parties-csv` or
    `parties-jsonl`: a row per party), `md` (one document) or `ftm` (entities, JSON lines)."""
    from . import export
    from .markdown import md_line, to_markdown

    if fmt.startswith("parties"):
        return _parties_stream(batch, fmt.removeprefix("parties-"), sink, dirs=dirs, screen=screen)
    if fmt == "ftm":
        from .ftm import write_entities

        return write_entities(batch, sink, dirs=dirs, report=_start(batch))
    report, finder = _start(batch), SourceFinder(dirs)
    if fmt == "csv":
        sink.write(export.csv_header())
    elif fmt == "md":
        sink.write(f"# Review: {md_line(batch.path.name)}\n\n")
    for entry, art in walk(batch, finder, report, screen):
        if fmt == "md":
            if art is None:
                sink.write(f"\n# {md_line(entry.id)}\n\nFailed ({md_line(entry.error_type or 'error')}): "
                           f"{md_line(entry.error or '')}\n")
                continue
            sink.write("\n" + to_markdown(art.result, art.text, title=art.title, article_id=str(entry.id),
                                          screening=art.screening))
            continue
        if art is None:
            rows = [export.failed_row(entry.id, entry.error_type, entry.error)]
        else:
            rows = list(export.rows(entry.id, art.result, title=art.title, screening=art.screening))
        report.rows += len(rows)
        sink.write(export.csv_rows(rows) if fmt == "csv" else export.to_jsonl(rows))
    return report


def _parties_stream(batch: BatchFile, fmt: str, sink: TextIO, *, dirs: Sequence[Path],
                    screen: Screen | None) -> Report:
    """`render -f parties`: one row per party of the batch (CSV, or JSON Lines with `jsonl`)."""
    from . import export
    from .corpus import PARTY_COLUMNS, party_rows

    report = _start(batch)
    index = PartyIndex(mentions=False)
    ids: list[str | int] = []
    for n, (entry, art) in enumerate(walk(batch, SourceFinder(dirs), report, screen)):
        ids.append(entry.id)
        if art is not None:
            index.add(n, art.result, art.text)
    merged = index.finish()
    report.parties = report.rows = len(merged)
    rows = party_rows(merged, ids)
    if fmt == "jsonl":
        for row in rows:
            sink.write(export.to_jsonl([row]))
    else:
        sink.write(export.csv_header(PARTY_COLUMNS))
        for row in rows:
            sink.write(export.csv_rows([row], PARTY_COLUMNS))
    return report
