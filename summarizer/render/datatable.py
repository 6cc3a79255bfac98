"""Pages built around one big table (the index, the parties, the allegations across the batch)
that stay small and fast for 10,000 articles or 50,000 parties.

The rows are not HTML: they go into the page once, as compact JSON in a
`<script type="application/json">` block (a data block the browser never runs, with `<`, `>`
and `&` escaped so no text can close it), and `datatable.js` shows one page of rows at a time,
sorted and filtered over all of them. Cells are built with `textContent`; links are followed
only when they are one of our own page names or an http(s) URL. The script and CSS are package
files under the same CSP hashes as the review page: nothing else can run.

A row is a list of cells, one per `Column` (hidden columns carry values for filters, sorting
and search). Cell shapes by column type: `text` a string; `number` a number; `enum` an index
into the column's values; `flags` a bit mask over them; `link` `[text, href]`. Any cell may be
null (shown as a dash, sorted first).

Layout: one column is the row's header (`key`: the article, the party), numbers stay on one
line, long text is clamped to two lines (its whole text in the cell's title); under 700 px
each row becomes a card (datatable.css), so no page is wider than a phone.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .assets import asset, datatable_css, page_head

PAGE_SIZE = 100


@dataclass(frozen=True)
class Column:
    """One column: its heading, how its cells are shaped, and whether it is shown."""

    title: str
    type: str = "text"  # text | number | enum | flags | link
    values: tuple[str, ...] = ()  # enum and flags: the labels
    hidden: bool = False
    chip: bool = False  # enum: shown as a coloured chip (class chip-<label>)
    wide: bool = False  # long text, clamped to two lines in the table
    key: bool = False  # the row's header cell (what the row is about: the article, the party)
    note: int | None = None  # a (hidden) column whose text is shown under this cell's value


@dataclass(frozen=True)
class Filter:
    """A select over one column: `match` is "eq" (enum, text) or "has" (flags)."""

    name: str  # also the URL fragment key: parties.html#role=target&status=not+listed
    label: str
    column: int
    options: tuple[tuple[str, str], ...]  # (value, label)
    match: str = "eq"


@dataclass(frozen=True)
class Table:
    """Everything one data table page needs."""

    ident: str
    caption: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[Any]]
    filters: Sequence[Filter] = ()
    presets: Sequence[tuple[str, str]] = ()  # (label, fragment) buttons: "Targets on no list", "role=target&..."
    search: Sequence[int] = ()  # columns the search box looks in
    search_label: str = "Search"
    sort: int | None = None  # the column sorted by when the page opens (descending for numbers)
    natural: str = "input order"  # what the rows' own order is, for the "Sort by" control
    page_size: int = PAGE_SIZE
    empty: str = "Nothing to show."
    extra: dict[str, str] = field(default_factory=dict)


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def data_json(rows: Sequence[Sequence[Any]]) -> str:
    """Rows as JSON that is safe inside `<script type="application/json">`."""
    text = json.dumps(rows, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _heading(i: int, col: Column) -> str:
    attrs = f' data-col="{i}" data-type="{col.type}"'
    if col.values:
        attrs += f" data-values='{_esc(json.dumps(list(col.values), ensure_ascii=False))}'"
    if col.chip:
        attrs += " data-chip"
    if col.wide:
        attrs += " data-wide"
    if col.key:
        attrs += " data-key"
    if col.note is not None:
        attrs += f' data-note="{col.note}"'
    if col.hidden:
        return f"<th{attrs} hidden>{_esc(col.title)}</th>"
    return f'<th scope="col"{attrs}><button type="button">{_esc(col.title)}</button></th>'


def _controls(t: Table) -> str:
    parts = []
    if t.search:
        parts.append(f'<label class="search">{_esc(t.search_label)} <input type="search" name="q" '
                     f'data-cols="{",".join(map(str, t.search))}" autocomplete="off"></label>')
    for f in t.filters:
        options = "".join(f'<option value="{_esc(v)}">{_esc(label)}</option>' for v, label in f.options)
        parts.append(f'<label>{_esc(f.label)} <select name="{_esc(f.name)}" data-col="{f.column}" data-match="{f.match}">'
                     f'<option value="">any</option>{options}</select></label>')
    sortable = [(i, c) for i, c in enumerate(t.columns) if not c.hidden]
    options = "".join(f'<option value="{i}">{_esc(c.title)}</option>' for i, c in sortable)
    parts.append(f'<label class="sort-by">Sort by <select name="sort"><option value="">{_esc(t.natural)}</option>{options}'
                 '</select></label>')
    for label, fragment in t.presets:
        parts.append(f'<a class="preset" href="#{_esc(fragment)}">{_esc(label)}</a>')
    parts.append('<button type="reset">Show all</button>')
    return (f'<form class="controls" id="{t.ident}-controls" role="search" aria-label="Filter the table" hidden>'
            + "".join(parts) + "</form>")


def table_html(t: Table) -> str:
    """The table, its controls and pager, and its rows as a data block (see the module docstring)."""
    heads = "".join(_heading(i, c) for i, c in enumerate(t.columns))
    sort = f' data-sort="{t.sort}"' if t.sort is not None else ""
    return (
        f"{_controls(t)}"
        f'<div class="wrap"><table class="data" id="{t.ident}" data-rows="{t.ident}-rows" '
        f'data-controls="{t.ident}-controls" data-page-size="{t.page_size}"{sort}>'
        f"<caption>{_esc(t.caption)}</caption><thead><tr>{heads}</tr></thead><tbody></tbody></table></div>"
        f'<p class="empty" id="{t.ident}-empty" hidden>{_esc(t.empty)}</p>'
        f'<nav class="pager" aria-label="Pages of the table" data-for="{t.ident}" hidden>'
        '<button type="button" data-step="-1">\u2190 Previous</button> <output aria-live="polite"></output> '
        '<button type="button" data-step="1">Next \u2192</button></nav>'
        f'<noscript><p class="panel">This table needs JavaScript to show its {len(t.rows):,} rows; '
        "the same data is in the CSV files listed above.</p></noscript>"
        f'<script type="application/json" id="{t.ident}-rows">{data_json(t.rows)}</script>'
    )


def nav(current: str, links: Sequence[tuple[str, str]]) -> str:
    """The links between the pages of a rendered batch; `current` is the href of this page."""
    items = []
    for href, label in links:
        if href == current:
            items.append(f'<a href="{_esc(href)}" aria-current="page">{_esc(label)}</a>')
        else:
            items.append(f'<a href="{_esc(href)}">{_esc(label)}</a>')
    return '<nav class="site" aria-label="Pages of this review">' + " ".join(items) + "</nav>"


def data_page(title: str, heading: str, intro: str, table: Table, *, site_nav: str = "") -> str:
    """A whole page around one data table. `intro` is already-escaped HTML."""
    css, js = datatable_css(), asset("datatable.js")
    return f"""{page_head(_esc(title), css, js)}
<body>
<header>{site_nav}<h1>{_esc(heading)}</h1>{intro}</header>
<main>
{table_html(table)}
</main>
<script>{js}</script>
</body>
</html>
"""


def detail_page(title: str, heading: str, intro: str, body: str, *, site_nav: str = "") -> str:
    """A static page of details (no table script): `intro` and `body` are already-escaped HTML."""
    css = datatable_css()
    return f"""{page_head(_esc(title), css, "")}
<body>
<header>{site_nav}<h1>{_esc(heading)}</h1>{intro}</header>
<main class="details">
{body}
</main>
</body>
</html>
"""
