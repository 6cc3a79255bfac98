"""Index pages of a rendered batch: one row per article (id, title, counts, failure), in HTML
(sortable by column with a small static script, same CSP as the review page) and Markdown."""

from __future__ import annotations

import html
from dataclasses import dataclass

from .assets import asset, index_css, page_head
from .base import NONE, short
from .batchfile import Entry
from .markdown import md_line


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
    listed: int | None = None  # targets with a sanctions-list hit; None when not screened
    error: str | None = None
    no_text: bool = False

    @classmethod
    def of(cls, entry: Entry, page: str | None, *, no_text: bool = False) -> Row:
        r = entry.result
        if r is None:
            return cls(entry.id, None, error=f"{entry.error_type}: {entry.error}")
        screened = [t.screening for t in r.sanctions_targets if t.screening is not None]
        return cls(
            entry.id, page, r.provenance.title, len(r.quotes), len(r.sanctions_targets), len(r.allegations),
            len(r.provenance.dropped), sum(bool(h) for h in screened) if screened else None, no_text=no_text,
        )


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _num(value: int | None, ok: bool) -> str:
    if not ok or value is None:
        return f'<td class="num" data-sort="-1">{NONE}</td>'
    return f'<td class="num" data-sort="{value}">{value}</td>'


def index_html(rows: list[Row], *, source: str) -> str:
    """The index page: a sortable table of every article of the batch file `source`."""
    failed = sum(r.page is None for r in rows)
    screened = any(r.listed is not None for r in rows)
    cols = [("Article", "text"), ("Title", "text"), ("Quotes", "number"), ("Targets", "number"),
            ("Allegations", "number"), ("Dropped", "number")]
    if screened:
        cols.append(("Listed", "number"))
    cols.append(("Status", "text"))
    head = "".join(
        f'<th scope="col" data-type="{kind}"><button type="button">{name}</button></th>' for name, kind in cols
    )
    body = []
    for i, r in enumerate(rows):
        ok = r.page is not None
        article = f'<a href="{_esc(r.page)}"><bdi>{_esc(r.id)}</bdi></a>' if r.page else f"<bdi>{_esc(r.id)}</bdi>"
        cells = [f'<th scope="row" data-sort="{_esc(r.id)}">{article}</th>',
                 f'<td data-sort="{_esc(r.title or "")}"><bdi>{_esc(short(r.title, 120)) if r.title else NONE}</bdi></td>',
                 _num(r.quotes, ok), _num(r.targets, ok), _num(r.allegations, ok), _num(r.dropped, ok)]
        if screened:
            cells.append(_num(r.listed, ok))
        if ok:
            note = " (article text not found: no highlights)" if r.no_text else ""
            cells.append(f'<td data-sort="ok">ok{note}</td>')
        else:
            cells.append(f'<td class="failed" data-sort="failed {_esc(r.error)}"><strong>failed</strong> '
                         f"<bdi>{_esc(short(r.error or '', 300))}</bdi></td>")
        body.append(f'<tr data-order="{i}" class="{"ok" if ok else "failed"}">{"".join(cells)}</tr>')
    css, js = index_css(), asset("index.js")
    caption = f"{len(rows)} article(s): {len(rows) - failed} ok, {failed} failed"
    return f"""{page_head(f"Review index: {_esc(short(source, 100))}", css, js)}
<body>
<header><h1>Review index</h1><p class="byline">From <code>{_esc(source)}</code>. Select a column heading to sort.</p></header>
<main>
<div class="wrap"><table id="articles">
<caption>{caption}</caption>
<thead><tr>{head}</tr></thead>
<tbody>{"".join(body)}</tbody>
</table></div>
</main>
<script>{js}</script>
</body>
</html>
"""


def index_markdown(rows: list[Row], *, source: str) -> str:
    """The same index as a Markdown table, linking each article's file."""
    out = [f"# Review index: {md_line(source)}", "",
           "| Article | Title | Quotes | Targets | Allegations | Dropped | Status |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        name = md_line(r.id) or NONE
        article = f"[{name}](<{r.page}>)" if r.page else name
        if r.page is None:
            out.append(f"| {article} | {NONE} | {NONE} | {NONE} | {NONE} | {NONE} | failed: {md_line(short(r.error or '', 300))} |")
        else:
            title = md_line(short(r.title, 120)) if r.title else NONE
            out.append(f"| {article} | {title} | {r.quotes} | {r.targets} | {r.allegations} | {r.dropped} | ok |")
    return "\n".join(out) + "\n"
