"""Screening hits for people: a terminal table, Markdown and an HTML fragment, each linking the entry.

Self-contained so the review page (`summarizer/render.py`) can call it without restructuring:
- `hits_markdown(hits)` -> Markdown lines for a target's (or mention's) hits;
- `hits_html(hits)` -> an escaped `<ul class="screening">` fragment with a link per entry
  (OFAC's sanctions-search page, OpenSanctions' entity page) that opens outside the page;
- `screening_css()` -> the few CSS rules the fragment uses.
Everything from a list or a server is escaped: a list file is foreign input too.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any


def _get(hit: Any, key: str) -> Any:
    return hit.get(key) if isinstance(hit, Mapping) else getattr(hit, key, None)


def _safe_url(url: object) -> str | None:
    """Only http(s) links; anything else (javascript:, data:) is shown as text, not linked."""
    if isinstance(url, str) and url.lower().startswith(("https://", "http://")):
        return url
    return None


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
        name = html.escape(str(_get(h, "name")))
        url = _safe_url(_get(h, "url"))
        label = f'<a href="{html.escape(url, quote=True)}" target="_blank" rel="noopener noreferrer">{name}</a>' if url else name
        programs = ", ".join(str(p) for p in _get(h, "programs") or [])
        items.append(
            f'<li><span class="score">{float(_get(h, "score") or 0):.2f}</span> {label} '
            f'<span class="meta">{html.escape(str(_get(h, "list")))} #{html.escape(str(_get(h, "entry_id")))}'
            f'{" [" + html.escape(programs) + "]" if programs else ""}</span>'
            f'<br><span class="why">{html.escape(str(_get(h, "why")))}</span></li>'
        )
    return '<ul class="screening">' + "".join(items) + "</ul>"


def screening_css() -> str:
    return (
        ".screening{margin:.3em 0 0 0;padding-left:1.1em;font-size:.9em}"
        ".screening .score{font-weight:bold;color:#a00}.screening .meta{color:#555}"
        ".screening .why{color:#666;font-size:.9em}.screening.none{color:#070;font-size:.9em}"
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
        url = _safe_url(_get(h, "url"))
        name = _md(_get(h, "name"))
        shown = f"[{name}](<{url}>)" if url else name
        programs = ", ".join(str(p) for p in _get(h, "programs") or [])
        out.append(
            f"- **{float(_get(h, 'score') or 0):.2f}** {shown} ({_md(_get(h, 'list'))} #{_md(_get(h, 'entry_id'))}"
            f"{', ' + _md(programs) if programs else ''}): {_md(_get(h, 'why'))}"
        )
    return out


def hits_table(rows: Sequence[Mapping[str, Any]], *, color: bool = False) -> str:
    """`summarizer screen --format table`: one table, a row per hit (or "no match" per query)."""
    import io

    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title="Sanctions screening", show_lines=False)
    for col in ("query", "score", "listed name", "type", "programs", "list / id", "why"):
        table.add_column(col, overflow="fold")
    for row in rows:
        hits = row["screening"]
        if not hits:
            table.add_row(Text(row["query"]), Text("-"), Text("no match", style="green"), "", "", "", "")
        for h in hits:
            table.add_row(
                Text(row["query"]),
                Text(f"{h['score']:.2f}", style="bold red"),
                Text(h["name"]),
                Text(h["type"]),
                Text(", ".join(h["programs"])),
                Text(f"{h['list']} #{h['entry_id']}" + (f"\n{h['url']}" if h.get("url") else "")),
                Text(h["why"]),
            )
    buf = io.StringIO()
    Console(file=buf, width=160, force_terminal=color, color_system="standard" if color else None).print(table)
    return buf.getvalue()
