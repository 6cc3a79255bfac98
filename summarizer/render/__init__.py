"""Human-facing renderings of results: Markdown, terminal tables, the HTML review page, and rows.

JSON is the machine contract and is written by the CLI itself; these are for people:

* `to_markdown` (markdown.py) - for notes and tickets, everything escaped.
* `to_table` (table.py) - rich tables for the terminal, rendered to a string.
* `to_html` (page.py) - ONE self-contained review page for checking a result against the
  article; its CSS and script are package files (assets.py).
* `export.rows` / `to_csv` / `to_jsonl` (export.py) - one row per article and item for
  spreadsheets and pandas.
* What every rendering shares: `titles.py` (a title for every article), `status.py` (whether
  an article was screened, so an empty list of hits never reads as "no hits").
* Many results at once (`summarizer render`): `batchfile.py` reads a batch output file,
  `sources.py` finds each article's text again, `index.py` makes the index pages, `parties.py`
  merges the named parties of the whole batch (`corpus.py` pages them, with the allegations
  across the corpus), `ftm.py` exports FollowTheMoney entities, `tables.py` the data tables
  these pages share, and `dest.py` writes a directory of pages safely.
"""

from __future__ import annotations

from ..schema import ArticleSummary
from ..terminal import clean
from .base import md_escape
from .markdown import to_markdown
from .page import to_html
from .table import to_table

FORMATS = ("md", "table", "html", "csv")


def render(result: ArticleSummary, article_text: str | None, fmt: str, *, color: bool = False) -> str:
    """Render `result` as `md`, `table`, `html` or `csv` (json is the CLI's own job)."""
    if fmt in ("md", "markdown"):
        return clean(to_markdown(result, article_text))  # no terminal control characters at all
    if fmt == "table":
        return to_table(result, article_text, color=color)
    if fmt == "html":
        return to_html(result, article_text)
    if fmt == "csv":
        from . import status
        from .export import rows, to_csv
        from .titles import title_of

        text = result.text if result.text is not None else article_text
        return to_csv(rows(result.provenance.source or "", result, title=title_of(result, text),
                           screening=status.from_items(result)))
    raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")


__all__ = ["FORMATS", "md_escape", "render", "to_html", "to_markdown", "to_table"]
