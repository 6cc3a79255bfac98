"""Index pages of a rendered batch: one row per article (id, title, counts, screening, failure),
in input order, as a data table in HTML (sortable, filterable, paged: `datatable.py`) and as a
Markdown table.

The batch file holds lines in the order articles finished; input order is rebuilt from what
batch reads: files as it walks them (a folder's files, sorted, before its subfolders), JSONL
records by file and line number (`provenance.source` = `FILE.jsonl:LINE`). A failed line has
no source: a file's id still places it; a record's id (which says nothing about its place) is
put right after the line the batch file has before it, which batch wrote just before.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .base import NONE, short
from .batchfile import Entry
from .datatable import Column, Filter, Table, data_page, nav
from .markdown import md_line
from .status import Screening

_RECORD = re.compile(r"^(?P<path>.+\.jsonl):(?P<line>[1-9][0-9]*)$", re.IGNORECASE)
STATUSES = ("ok", "ok, no text", "failed")
SCREENING = ("not screened", "nothing screened", "listed", "not listed")


def _path_key(path: str) -> tuple[tuple[int, str], ...]:
    """os.walk order of sorted names: a folder's files (0) before its subfolders (1)."""
    parts = [p for p in path.replace("\\", "/").split("/") if p not in ("", ".")]
    return tuple((1, p) for p in parts[:-1]) + ((0, parts[-1] if parts else ""),)


_FILE_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")


def input_order(rid: str | int, source: str | None) -> tuple[object, ...] | None:
    """A sort key that puts articles in the order `summarizer batch` read them (None: unknown)."""
    for where in (source, str(rid)):
        m = _RECORD.match(where or "")
        if m:
            return (1, _path_key(m.group("path")), int(m.group("line")))
    if source is not None or (isinstance(rid, str) and ("/" in rid or rid.lower().endswith(_FILE_SUFFIXES))):
        return (0, _path_key(str(rid)), 0)
    return None


@dataclass(frozen=True)
class Row:
    """What the index shows of one article; `page` is None when there is no page (failed)."""

    id: str | int
    page: str | None
    title: str | None = None
    quotes: int = 0
    targets: int = 0
    allegations: int = 0
    dropped: int = 0
    screening: Screening = Screening(asked=False)
    error: str | None = None
    no_text: bool = False
    order: tuple[object, ...] | None = None
    line: int = 0  # its line in the batch file

    @classmethod
    def of(cls, entry: Entry, page: str | None, *, title: str | None = None, screening: Screening | None = None,
           no_text: bool = False) -> Row:
        r = entry.result
        if r is None:
            return cls(entry.id, None, error=f"{entry.error_type}: {entry.error}", order=input_order(entry.id, None),
                       line=entry.line)
        return cls(entry.id, page, title, len(r.quotes), len(r.sanctions_targets), len(r.allegations),
                   len(r.provenance.dropped), screening or Screening(asked=False), no_text=no_text,
                   order=input_order(entry.id, r.provenance.source), line=entry.line)

    @property
    def status(self) -> str:
        if self.page is None:
            return "failed"
        return "ok, no text" if self.no_text else "ok"

    @property
    def screened(self) -> str:
        s = self.screening
        if not s.asked:
            return "not screened"
        if s.screened == 0:
            return "nothing screened"
        return "listed" if s.hits else "not listed"


def in_input_order(rows: list[Row]) -> list[Row]:
    """`rows` (in batch file order) in input order; see the module docstring."""
    keys: list[tuple[object, ...]] = []
    before: tuple[object, ...] = ()
    for r in sorted(rows, key=lambda r: r.line):
        key = r.order if r.order is not None else (*before, r.line)
        keys.append(key)
        before = key
    ranked = sorted(zip(keys, sorted(rows, key=lambda r: r.line), strict=True), key=lambda kr: kr[0])
    return [r for _, r in ranked]


COLUMNS = (
    Column("#", "number"), Column("Article", "link", key=True), Column("Title", wide=True), Column("Quotes", "number"),
    Column("Targets", "number"), Column("Allegations", "number"), Column("Dropped", "number"),
    Column("Screening"), Column("Status", "enum", STATUSES, chip=True, note=9), Column("Note", hidden=True),
    Column("Screened", "enum", SCREENING, hidden=True),
)


def _cells(n: int, r: Row) -> list[object]:
    ok = r.page is not None
    counts: list[object] = [r.quotes, r.targets, r.allegations, r.dropped] if ok else [None] * 4
    note = r.error if not ok else ("article text not found: no highlights" if r.no_text else None)
    return [n, [str(r.id), r.page], r.title, *counts, r.screening.label if ok else None,
            STATUSES.index(r.status), note, SCREENING.index(r.screened) if ok else None]


def _options(values: Sequence[str], counts: dict[str, int]) -> tuple[tuple[str, str], ...]:
    return tuple((v, f"{v} ({counts[v]})") for v in values if counts.get(v))


def index_html(rows: list[Row], *, source: str, links: Sequence[tuple[str, str]] = ()) -> str:
    """The index page: every article of the batch file `source`, in input order (`rows` already are)."""
    failed = sum(r.page is None for r in rows)
    statuses: dict[str, int] = {}
    screened: dict[str, int] = {}
    for r in rows:
        statuses[r.status] = statuses.get(r.status, 0) + 1
        if r.page is not None:
            screened[r.screened] = screened.get(r.screened, 0) + 1
    table = Table(
        "articles", f"{len(rows):,} article(s): {len(rows) - failed:,} ok, {failed:,} failed", COLUMNS,
        [_cells(i, r) for i, r in enumerate(rows, 1)],
        filters=(Filter("status", "Status", 8, _options(STATUSES, statuses)),
                 Filter("screening", "Screening", 10, _options(SCREENING, screened))),
        search=(1, 2), search_label="Find an article", empty="No article matches the filters.",
    )
    intro = (f'<p class="byline">From <code>{html.escape(source)}</code>, in input order. '
             "Select a column heading to sort.</p>")
    return data_page(f"Review index: {short(source, 100)}", "Review index", intro, table,
                     site_nav=nav("index.html", links) if links else "")


def index_markdown(rows: list[Row], *, source: str) -> str:
    """The same index as a Markdown table, linking each article's file."""
    out = [f"# Review index: {md_line(source)}", "",
           "| # | Article | Title | Quotes | Targets | Allegations | Dropped | Screening | Status |",
           "|---|---|---|---|---|---|---|---|---|"]
    for i, r in enumerate(rows, 1):
        name = md_line(r.id) or NONE
        article = f"[{name}](<{r.page}>)" if r.page else name
        if r.page is None:
            out.append(f"| {i} | {article} | {NONE} | {NONE} | {NONE} | {NONE} | {NONE} | {NONE} | "
                       f"failed: {md_line(short(r.error or '', 300))} |")
        else:
            title = md_line(short(r.title, 120)) if r.title else NONE
            out.append(f"| {i} | {article} | {title} | {r.quotes} | {r.targets} | {r.allegations} | {r.dropped} | "
                       f"{md_line(r.screening.label)} | {md_line(r.status)} |")
    return "\n".join(out) + "\n"
