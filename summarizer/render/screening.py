"""Screening hits for people: a terminal table, Markdown and an HTML fragment, each linking the entry.

Self-contained so the review page and the Markdown output can call it:
- `hits_html(hits)` -> an escaped `<ul class="screening">` fragment with a link per entry
  (OFAC's sanctions-search page, OpenSanctions' entity page) that opens outside the page;
- `hits_markdown(hits)` -> Markdown lines for a target's (or mention's) hits;
- `hits_table(rows)` -> `summarizer screen --format table`;
- `screening_css()` -> the few CSS rules the fragment uses.
Each hit leads with the name that matched (an alias when an alias did), then the entry's own
name, and says its strength in words and colour (`scores.strength`: exact / strong / weak)
with the score rounded once (`scores.shown`). Everything from a list or a server is foreign
input: escaped for HTML and Markdown, passed through `terminal.clean` for the terminal, and a
URL is linked only when it is a plain http(s) URL (`safe_url`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..screening.scores import shown, strength
from ..terminal import clean

# An http(s) URL made only of URL characters: no spaces, quotes, angle brackets or backslashes
# that could end a Markdown link destination or an HTML attribute, no control characters.
_URL = re.compile(r"^https?://[A-Za-z0-9.-]+(?::\d{1,5})?(?:/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*)?(?:\?[A-Za-z0-9._~!$&'()*+,;=:@%/?-]*)?$")
_COLOURS = {"exact": "bold red", "strong": "red", "weak": "yellow"}


def _get(hit: Any, key: str) -> Any:
    return hit.get(key) if isinstance(hit, Mapping) else getattr(hit, key, None)


def safe_url(url: object) -> str | None:
    """The URL when it is a plain http(s) URL; anything else (javascript:, data:, a `>` or a
    space that would end a Markdown link) is shown as text, never linked."""
    if isinstance(url, str) and len(url) <= 2000 and _URL.match(url):
        return url
    return None


def _score(hit: Any) -> float:
    value = _get(hit, "score")
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


def _names(hit: Any) -> tuple[str, str | None]:
    """(the name that matched, the entry's name when it differs): the match leads."""
    name = str(_get(hit, "name") or "")
    matched = str(_get(hit, "matched_name") or "") or name
    return matched, (name if name and name != matched else None)


def hits_html(hits: Sequence[Any] | None) -> str:
    """One `<ul class="screening">` with an item per hit; "no match" when screened and clean.

    `None` (screening did not run) gives "" so unscreened output looks as before.
    """
    if hits is None:
        return ""
    if not hits:
        return '<p class="screening none">Screened: no list match.</p>'
    items = []
    for h in hits:
        matched, entry_name = _names(h)
        label = html.escape(matched)
        url = safe_url(_get(h, "url"))
        if url:
            label = f'<a href="{html.escape(url, quote=True)}" target="_blank" rel="noopener noreferrer">{label}</a>'
        listed = f' <span class="listed">listed as {html.escape(entry_name)}</span>' if entry_name else ""
        programs = ", ".join(str(p) for p in _get(h, "programs") or [])
        word = strength(_score(h))
        items.append(
            f'<li class="{word}"><span class="score">{shown(_score(h))} {word}</span> {label}{listed} '
            f'<span class="meta">{html.escape(str(_get(h, "list")))} #{html.escape(str(_get(h, "entry_id")))}'
            f'{" [" + html.escape(programs) + "]" if programs else ""}</span>'
            f'<br><span class="why">{html.escape(str(_get(h, "why")))}</span></li>'
        )
    return '<ul class="screening">' + "".join(items) + "</ul>"


def screening_css() -> str:
    return (
        ".screening{margin:.3em 0 0 0;padding-left:1.1em;font-size:.9em}"
        ".screening .score{font-weight:bold}.screening .exact .score{color:#a00}"
        ".screening .strong .score{color:#c33}.screening .weak .score{color:#8a6d00;font-weight:normal}"
        ".screening .listed,.screening .meta{color:#555}"
        ".screening .why{color:#666;font-size:.9em}.screening.none{color:#070;font-size:.9em}"
        "@media (prefers-color-scheme:dark){.screening .exact .score{color:#ff8a8a}"
        ".screening .strong .score{color:#ffab91}.screening .weak .score{color:#e6c65c}"
        ".screening .listed,.screening .meta,.screening .why{color:#bbb}.screening.none{color:#7d7}}"
    )


def _md(text: object) -> str:
    from .base import md_escape

    return md_escape(" ".join(str(text).split()))


def hits_markdown(hits: Sequence[Any] | None) -> list[str]:
    """Markdown bullet lines for hits ([] when screening did not run)."""
    if hits is None:
        return []
    if not hits:
        return ["- screened: no list match"]
    out = []
    for h in hits:
        matched, entry_name = _names(h)
        url = safe_url(_get(h, "url"))
        label = f"[{_md(matched)}](<{url}>)" if url else _md(matched)
        listed = f" (listed as {_md(entry_name)})" if entry_name else ""
        programs = ", ".join(str(p) for p in _get(h, "programs") or [])
        out.append(
            f"- **{shown(_score(h))} {strength(_score(h))}** {label}{listed}: {_md(_get(h, 'list'))} "
            f"#{_md(_get(h, 'entry_id'))}{', ' + _md(programs) if programs else ''}; {_md(_get(h, 'why'))}"
        )
    return out


def hits_table(rows: Sequence[Mapping[str, Any]], *, color: bool = False) -> str:
    """`summarizer screen --format table`: one table, a row per hit (or "no match" per query).

    Links are listed under the table, one per line and numbered from the table's `ref`
    column, so a long URL is never folded over several lines of a cell and stays clickable."""
    import io

    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title="Sanctions screening", show_lines=False)
    for col in ("query", "score", "matched name", "entry", "type", "programs", "list / id", "ref"):
        table.add_column(col, overflow="fold")
    table.add_column("why", overflow="fold", ratio=1)
    links: list[str] = []
    for row in rows:
        hits = row["screening"]
        query = Text(clean(str(row["query"])))
        if not hits:
            table.add_row(query, Text("-"), Text("no match", style="green"), "", "", "", "", "", "")
        for h in hits:
            matched, entry_name = _names(h)
            word = strength(_score(h))
            url = safe_url(h.get("url"))
            ref = ""
            if url:
                links.append(url)
                ref = f"[{len(links)}]"
            table.add_row(
                query,
                Text(f"{shown(_score(h))} {word}", style=_COLOURS[word]),
                Text(clean(matched), style="bold" if word != "weak" else ""),
                Text(clean(entry_name or "(same)")),
                Text(clean(str(h.get("type", "")))),
                Text(clean(", ".join(str(p) for p in h.get("programs") or []))),
                Text(clean(f"{h.get('list')} #{h.get('entry_id')}")),
                Text(ref),
                Text(clean(str(h.get("why", "")))),
            )
    buf = io.StringIO()
    console = Console(file=buf, width=160, force_terminal=color, color_system="standard" if color else None)
    console.print(table)
    for i, url in enumerate(links, 1):
        console.print(Text(f"[{i}] {url}"), soft_wrap=True)
    return buf.getvalue()
