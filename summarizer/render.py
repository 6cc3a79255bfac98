"""Human-facing renderings of an `ArticleSummary`: Markdown, terminal tables and an HTML review page.

JSON is the machine contract and is written by the CLI itself; these formats are for people:

* `to_markdown` - for notes and tickets. Everything that came from the model or the article is
  escaped, so a `|` in a claim cannot break a table and a `<script>` in a quote stays text.
* `to_table` - rich tables for the terminal, rendered to a string (no colour unless asked for).
* `to_html` - ONE self-contained page for checking the result against the article: the full
  text with every quote, target mention and allegation evidence highlighted at its offsets,
  side lists that link to the highlights and back, and provenance. No external resources at
  all (inline CSS/JS, a CSP that forbids fetching anything), so it works offline and from mail.

Offsets are Python string indices into the article (`text[start:end] == span text`); slicing
is done here in Python, so the browser never has to count characters (UTF-16 vs code points).
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections import defaultdict
from dataclasses import dataclass

from .schema import ArticleSummary, Provenance, Span
from .terminal import clean

FORMATS = ("md", "table", "html")
_NONE = "\u2014"  # shown for a missing value


def render(result: ArticleSummary, article_text: str, fmt: str, *, color: bool = False) -> str:
    """Render `result` as `md`, `table` or `html` (json is the CLI's own job)."""
    if fmt in ("md", "markdown"):
        return clean(to_markdown(result, article_text))  # no terminal control characters
    if fmt == "table":
        return to_table(result, article_text, color=color)
    if fmt == "html":
        return to_html(result, article_text)
    raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")


def _article(result: ArticleSummary, article_text: str) -> str:
    """The text the offsets index: `result.text` when the pipeline set it (HTML input)."""
    return result.text if result.text is not None else article_text


def _located(text: str, start: int, end: int, expected: str) -> bool:
    """Only highlight spans that really index the text; a bad span is reported, not drawn."""
    return 0 <= start < end <= len(text) and text[start:end] == expected


def _span_ok(text: str, span: Span | None) -> bool:
    return span is not None and _located(text, span.start, span.end, span.text)


def _tokens(p: Provenance) -> str:
    u = p.usage
    return f"{u.total_tokens} tokens ({u.prompt_tokens} prompt + {u.completion_tokens} completion)"


# --------------------------------------------------------------------------- markdown

# Inline-significant characters: emphasis, code, links/images, raw HTML, tables, strikethrough.
_MD_INLINE = re.compile(r"([\\`*_\[\]<>|~])")
_MD_ENTITY = re.compile(r"&(?=#?\w+;)")  # `&amp;` would otherwise be decoded by the renderer
# Block markers that only matter at the start of a line: headings, bullets, setext, numbered lists.
_MD_BLOCK = re.compile(r"^(\s*)([#+\-=])", re.MULTILINE)
_MD_ORDERED = re.compile(r"^(\s*\d+)([.)])", re.MULTILINE)


def md_escape(text: str) -> str:
    """Escape `text` so Markdown renders it literally (it came from the model or the article)."""
    text = _MD_INLINE.sub(r"\\\1", text)
    text = _MD_ENTITY.sub(r"\\&", text)
    text = _MD_BLOCK.sub(r"\1\\\2", text)
    return _MD_ORDERED.sub(r"\1\\\2", text)


def _cell(value: str | None) -> str:
    """One table cell: escaped, on one line (a newline would end the row)."""
    if value is None or not value.strip():
        return _NONE
    return md_escape(" ".join(value.split()))


def _where(start: int, end: int) -> str:
    return f"chars {start}\u2013{end}"


def _md_section(title: str, header: list[str], rows: list[list[str]]) -> list[str]:
    """A "## Title (n)" heading and a numbered table of already-escaped cells, or "_None._"."""
    out = [f"## {title} ({len(rows)})", ""]
    if rows:
        out += ["| # | " + " | ".join(header) + " |", "|---" * (len(header) + 1) + "|"]
        out += [f"| {i} | " + " | ".join(row) + " |" for i, row in enumerate(rows, 1)]
    else:
        out.append("_None._")
    return out + [""]


def to_markdown(result: ArticleSummary, article_text: str) -> str:
    """Markdown for notes and tickets: summary, tables of allegations and targets, quotes."""
    text = _article(result, article_text)
    out: list[str] = ["## Summary", "", md_escape(result.summary.strip()) or _NONE, ""]

    allegation_rows = []
    for a in result.allegations:
        ev = a.evidence
        where = _where(ev.start, ev.end) if ev is not None and _span_ok(text, ev) else _NONE
        allegation_rows.append(
            [_cell(a.claim), _cell(a.alleged_by), _cell(a.against), a.status, _cell(a.hedge), where]
        )
    out += _md_section("Allegations", ["Claim", "By", "Against", "Status", "Hedge", "Evidence"], allegation_rows)

    target_rows = []
    for t in result.sanctions_targets:
        m = t.mention
        where = _where(m.start, m.end) if m is not None and _span_ok(text, m) else _NONE
        target_rows.append([_cell(t.name), t.kind, _cell(t.country), _cell(t.imposed_by), where])
    out += _md_section("Sanctions targets", ["Name", "Kind", "Country", "Imposed by", "Mention"], target_rows)

    out += [f"## Quotes ({len(result.quotes)})", ""]
    if not result.quotes:
        out += ["_None._", ""]
    for i, q in enumerate(result.quotes, 1):
        body = md_escape(q.text.strip()) or _NONE
        out += [("> " + line.strip()) if line.strip() else ">" for line in body.splitlines()]
        speaker = f"**{md_escape(q.speaker)}**" if q.speaker else "_unattributed_"
        out += [">", f"> \u2014 {speaker} ({_where(q.start, q.end)}, quote {i})", ""]

    p = result.provenance
    line = (
        f"Model {md_escape(p.model)} via {md_escape(p.backend)}, "
        f"{p.attempts} attempt(s), {_tokens(p)}, {p.elapsed_s:.2f} s"
    )
    if p.cached:
        line += ", from cache"
    if p.source:
        line += f", source {md_escape(p.source)}"
    out += ["## Provenance", "", line + f", input sha256 {p.input_sha256[:12]}.", ""]
    if p.dropped:
        out += [f"Dropped ({len(p.dropped)}):", ""]
        out += [
            f"- {d.kind}: \u201c{_cell(d.text)}\u201d \u2014 {_cell(d.reason)}" for d in p.dropped
        ]
    else:
        out.append("Dropped: none.")
    return "\n".join(out).rstrip() + "\n"


# --------------------------------------------------------------------------- terminal tables


def to_table(
    result: ArticleSummary, article_text: str, *, color: bool = False, width: int = 120
) -> str:
    """Rich tables for the terminal, as a string; ANSI styling only when `color` is true."""
    from io import StringIO

    from rich import box
    from rich.console import Console, Group, RenderableType
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    text = _article(result, article_text)

    def t(value: str | None, style: str = "") -> Text:
        # Text(), never a str: rich would parse "[bold]" in model output as markup.
        return Text(_NONE, style="dim") if value is None or not value.strip() else Text(clean(value), style=style)

    def where(span: Span | None) -> Text:
        ok = span is not None and _span_ok(text, span)
        return Text(f"{span.start}\u2013{span.end}" if span is not None and ok else _NONE, style="dim")

    def table(title: str, columns: str) -> Table:
        """Columns as "Name:ratio"; ratio 0 = as narrow as its content, never wrapped."""
        tab = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, expand=True,
                    header_style="bold")
        tab.add_column("#", justify="right", no_wrap=True)
        for col in columns.split(","):
            name, ratio = col.rsplit(":", 1)
            if int(ratio):
                tab.add_column(name, ratio=int(ratio))
            else:
                tab.add_column(name, no_wrap=True)
        return tab

    parts: list[RenderableType] = [
        Panel(t(result.summary), title="Summary", title_align="left", box=box.ROUNDED)
    ]

    al = table(f"Allegations ({len(result.allegations)})",
               "Claim:4,By:1,Against:1,Status:0,Hedge:1,Evidence:0")
    for i, a in enumerate(result.allegations, 1):
        al.add_row(str(i), t(a.claim), t(a.alleged_by), t(a.against), t(a.status, "bold"),
                   t(a.hedge, "italic"), where(a.evidence))
    parts.append(al)

    tg = table(f"Sanctions targets ({len(result.sanctions_targets)})",
               "Name:2,Kind:0,Country:1,Imposed by:2,Mention:0")
    for i, s in enumerate(result.sanctions_targets, 1):
        tg.add_row(str(i), t(s.name, "bold"), t(s.kind), t(s.country), t(s.imposed_by), where(s.mention))
    parts.append(tg)

    qt = table(f"Quotes ({len(result.quotes)})", "Speaker:1,Quote:5,Offsets:0")
    for i, q in enumerate(result.quotes, 1):
        ok = _located(text, q.start, q.end, q.text)
        qt.add_row(str(i), t(q.speaker or "unattributed", "bold" if q.speaker else "dim"),
                   t(q.text), Text(f"{q.start}\u2013{q.end}" if ok else _NONE, style="dim"))
    parts.append(qt)

    p = result.provenance
    pv = Table.grid(padding=(0, 2))
    pv.add_column(style="bold", no_wrap=True)
    pv.add_column()
    pv.add_row("Model", t(f"{p.model} via {p.backend}" + (" (cached)" if p.cached else "")))
    pv.add_row("Attempts", t(f"{p.attempts}, {_tokens(p)}, {p.elapsed_s:.2f} s"))
    if p.source:
        pv.add_row("Source", t(p.source))
    pv.add_row("Input sha256", t(p.input_sha256))
    pv.add_row("Dropped", t(str(len(p.dropped)) if p.dropped else "none"))
    for d in p.dropped:
        pv.add_row(Text(f"  {d.kind}", style="dim"), Text.assemble(
            Text(f"\u201c{clean(d.text)}\u201d"), Text(f" \u2014 {clean(d.reason)}", style="dim")))
    parts.append(Panel(pv, title="Provenance", title_align="left", box=box.ROUNDED))

    buf = StringIO()
    console = Console(
        file=buf, width=width, force_terminal=color, color_system="standard" if color else None,
        no_color=not color, highlight=False, emoji=False, markup=False, legacy_windows=False,
    )
    console.print(Group(*parts))
    # rich pads every line to the full width; trailing blanks only get in the way when pasted.
    return "\n".join(line.rstrip() for line in buf.getvalue().splitlines()) + "\n"


# --------------------------------------------------------------------------- HTML page


@dataclass(frozen=True)
class _Mark:
    """One highlight: an item (quote/target/evidence) at [start, end) of the article."""

    ident: str  # q1, t1, a1: the element id of its first fragment; entries link to it
    kind: str  # quote | target | evidence: the CSS class and data-kind
    start: int
    end: int
    title: str
    rank: int  # for equal spans: which one is outermost


_RANK = {"evidence": 0, "quote": 1, "target": 2}  # equal extents: sentence > quote > name


def _esc(value: object) -> str:
    """Escape for text and attribute values alike (quotes too)."""
    return html.escape(str(value), quote=True)


def _esc_text(text: str) -> str:
    # \r would be normalised away by the HTML parser; a character reference keeps the text exact.
    return html.escape(text, quote=False).replace("\r", "&#13;")


def _article_html(text: str, marks: list[_Mark]) -> str:
    """The article with `<mark>`s at every span; overlapping spans still nest properly.

    The text is cut at every span boundary; each piece sits inside the marks of all the items
    covering it. A mark stays open across boundaries while it can (so nested spans give one
    element each); where two spans cross, the inner one is closed and reopened as a
    continuation fragment (same `data-item`, no `id`). The text of each piece is wrapped in a
    link to the side-list entry of the innermost item covering it.
    """
    starts: dict[int, list[_Mark]] = defaultdict(list)
    ends: dict[int, list[_Mark]] = defaultdict(list)
    for m in marks:
        starts[m.start].append(m)
        ends[m.end].append(m)
    points = sorted({0, len(text), *starts, *ends})
    out: list[str] = []
    stack: list[_Mark] = []
    opened: set[str] = set()
    for i, pos in enumerate(points):
        ending = set(ends.get(pos, ()))
        reopen: list[_Mark] = []
        while ending & set(stack):
            top = stack.pop()
            out.append("</mark>")
            if top not in ending:
                reopen.append(top)
        for m in sorted(reopen + starts.get(pos, []), key=lambda m: (-m.end, m.rank, m.ident)):
            head = m.ident not in opened
            opened.add(m.ident)
            attrs = f' id="{m.ident}"' if head else ""
            cls = m.kind if head else f"{m.kind} cont"
            out.append(
                f'<mark{attrs} class="{cls}" data-kind="{m.kind}" data-item="{m.ident}" '
                f'title="{_esc(m.title)}">'
            )
            stack.append(m)
        if i + 1 < len(points) and points[i + 1] > pos:
            piece = _esc_text(text[pos : points[i + 1]])
            if stack:
                inner = stack[-1].ident
                piece = f'<a class="hl" href="#e-{inner}" data-item="{inner}">{piece}</a>'
            out.append(piece)
    out.extend("</mark>" for _ in stack)
    return "".join(out)


def _short(text: str, n: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "\u2026"


_SEP = " \u00b7 "
_NOT_LOCATED = "offsets do not match the text"


def _entry(ident: str, kind: str, label: str, body: str, meta: list[str], missing: str | None) -> str:
    """One side-list entry (already-escaped HTML parts); it links to its highlight if it has one."""
    badge = f'<span class="badge {kind}">{label}</span>'
    if missing is None:
        head = f'<a class="jump" href="#{ident}" data-item="{ident}">{badge} {body}</a>'
    else:
        head = f"{badge} {body}"
        meta = [*meta, f'<span class="warn">{_esc(missing)}</span>']
    return (
        f'<li class="entry {kind}" id="e-{ident}" data-item="{ident}">{head}'
        f'<div class="meta">{_SEP.join(meta)}</div></li>'
    )


def _section(title: str, kind: str, entries: list[str], empty: str) -> str:
    items = "".join(entries) if entries else f'<li class="empty">{_esc(empty)}</li>'
    return (
        f'<section class="list" id="list-{kind}"><h2>{_esc(title)} '
        f'<span class="count">{len(entries)}</span></h2><ol>{items}</ol></section>'
    )


_CSS = """
:root { color-scheme: light; --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #f3f4f6;
  --quote: rgba(255, 200, 0, .38); --target: rgba(30, 120, 255, .22); --evidence: rgba(220, 50, 60, .12);
  --evidence-line: #c9303e; --focus: #ff8c00; }
* { box-sizing: border-box; }
html { scroll-padding: 6rem 0; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "Liberation Sans", "DejaVu Sans", Arial, sans-serif; }
header, footer { padding: 1rem 1.5rem; background: #fff; border-bottom: 1px solid var(--line); }
footer { border-top: 1px solid var(--line); border-bottom: 0; margin-top: 1rem; font-size: 13px; }
h1 { font-size: 1.25rem; margin: 0 0 .5rem; }
h2 { font-size: 1rem; margin: 0 0 .5rem; }
.summary { margin: 0; max-width: 70rem; font-size: 1.05rem; }
.legend { display: flex; gap: .75rem; flex-wrap: wrap; margin: .75rem 0 0; color: var(--muted); font-size: 13px; }
.layout { display: grid; grid-template-columns: minmax(0, 3fr) minmax(320px, 2fr); gap: 1rem; padding: 1rem 1.5rem 0; }
main { min-width: 0; }
.article { margin: 0; padding: 1.25rem 1.5rem; background: #fff; border: 1px solid var(--line); border-radius: 8px;
  white-space: pre-wrap; overflow-wrap: anywhere; font: 17px/1.7 Georgia, "Liberation Serif", "DejaVu Serif", serif; }
aside { position: sticky; top: 0; align-self: start; max-height: 100vh; overflow: auto; padding-bottom: 1rem; }
.list { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: .75rem 1rem; margin-bottom: 1rem; }
.list ol { list-style: none; margin: 0; padding: 0; }
.entry { padding: .45rem .5rem; border-radius: 6px; border-left: 3px solid transparent; }
.entry + .entry { border-top: 1px solid #eef0f2; }
.entry.active { background: #fff6e5; border-left-color: var(--focus); }
.entry a.jump { color: inherit; text-decoration: none; display: block; }
.entry a.jump:hover .body, .entry a.jump:focus .body { text-decoration: underline; }
.meta { color: var(--muted); font-size: 13px; margin-top: .15rem; }
.count { color: var(--muted); font-weight: normal; }
.empty { color: var(--muted); font-style: italic; }
.warn { color: #b35900; }
.badge { display: inline-block; min-width: 2.2em; padding: 0 .35em; border-radius: 4px; font: 600 12px/1.6 ui-monospace,
  "DejaVu Sans Mono", monospace; text-align: center; vertical-align: 1px; }
.badge.quote { background: var(--quote); } .badge.target { background: var(--target); }
.badge.evidence { background: var(--evidence); box-shadow: inset 0 -2px var(--evidence-line); }
.status { display: inline-block; padding: 0 .4em; border-radius: 4px; background: #eef0f2; font-weight: 600; }
.status.denied { background: #e8f1ff; } .status.confirmed, .status.charged, .status.convicted { background: #ffe3e3; }
.status.alleged, .status.claimed { background: #fff1cc; }
mark { color: inherit; background: transparent; border-radius: 3px; cursor: pointer;
  -webkit-box-decoration-break: clone; box-decoration-break: clone; }
mark.quote, .swatch.quote { background: var(--quote); }
mark.target, .swatch.target { background: var(--target); font-weight: 600; }
.swatch { padding: 0 .25em; border-radius: 3px; color: var(--ink); }
mark.evidence, .swatch.evidence { background: var(--evidence); text-decoration: underline 2px var(--evidence-line); text-underline-offset: .28em; }
a.hl { color: inherit; text-decoration: none; }
a.hl:focus-visible, a.jump:focus-visible { outline: 2px solid var(--focus); outline-offset: 1px; }
mark.active { outline: 2px solid var(--focus); outline-offset: 1px; }
mark.flash, mark:target { animation: flash 1.6s ease-out; }
.entry.flash { animation: flash-entry 1.6s ease-out; }
@keyframes flash { 0%, 35% { box-shadow: 0 0 0 4px var(--focus); background-color: rgba(255, 140, 0, .45); }
  100% { box-shadow: 0 0 0 4px rgba(255, 140, 0, 0); } }
@keyframes flash-entry { 0%, 35% { background: #ffd9a0; } 100% { background: #fff6e5; } }
dl.prov { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 0 0 .75rem; }
dl.prov dt { font-weight: 600; } dl.prov dd { margin: 0; overflow-wrap: anywhere; }
.dropped li { margin: .2rem 0; }
code { font: 12px ui-monospace, "DejaVu Sans Mono", monospace; }
@media (max-width: 900px) { .layout { grid-template-columns: 1fr; } aside { position: static; max-height: none; } }
@media (prefers-reduced-motion: reduce) { mark.flash, mark:target, .entry.flash { animation: none; } }
"""

# Static: no data is ever interpolated into the script, so nothing from the model can reach it.
_JS = """
(function () {
  "use strict";
  var smooth = !(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
  function flash(el) { el.classList.remove("flash"); void el.offsetWidth; el.classList.add("flash"); }
  function select(id) {
    document.querySelectorAll(".active").forEach(function (el) { el.classList.remove("active"); });
    var marks = document.querySelectorAll('mark[data-item="' + id + '"]');
    marks.forEach(function (m) { m.classList.add("active"); });
    var entry = document.getElementById("e-" + id);
    if (entry) { entry.classList.add("active"); }
    return { marks: marks, entry: entry };
  }
  document.addEventListener("click", function (ev) {
    var link = ev.target instanceof Element ? ev.target.closest("a.jump, a.hl") : null;
    if (!link) { return; }
    var id = link.getAttribute("data-item");
    if (!id) { return; }
    ev.preventDefault();
    var sel = select(id);
    if (link.classList.contains("jump")) {
      var head = document.getElementById(id);
      if (!head) { return; }
      head.scrollIntoView({ behavior: smooth ? "smooth" : "auto", block: "center" });
      sel.marks.forEach(flash);
    } else if (sel.entry) {
      sel.entry.scrollIntoView({ behavior: smooth ? "smooth" : "auto", block: "nearest" });
      flash(sel.entry);
    }
  });
})();
"""


def _csp_hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


def _csp() -> str:
    """Fetch nothing, run only our own script and style (even if some escaping were missed)."""
    return (
        f"default-src 'none'; script-src {_csp_hash(_JS)}; style-src {_csp_hash(_CSS)}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )


def to_html(result: ArticleSummary, article_text: str) -> str:
    """One self-contained review page: the article with highlights, side lists, provenance."""
    text = _article(result, article_text)
    marks: list[_Mark] = []
    quotes: list[str] = []
    targets: list[str] = []
    allegations: list[str] = []
    add = marks.append

    for i, q in enumerate(result.quotes, 1):
        ident, ok = f"q{i}", _located(text, q.start, q.end, q.text)
        speaker = q.speaker or "unattributed"
        if ok:
            add(_Mark(ident, "quote", q.start, q.end, f"Quote {i}: {speaker}", _RANK["quote"]))
        quotes.append(_entry(
            ident, "quote", f"Q{i}", f'<span class="body">\u201c{_esc(q.text)}\u201d</span>',
            [f"<strong>{_esc(speaker)}</strong>" if q.speaker else "<em>unattributed</em>",
             _esc(_where(q.start, q.end))],
            None if ok else _NOT_LOCATED,
        ))

    for i, t in enumerate(result.sanctions_targets, 1):
        ident, ok = f"t{i}", _span_ok(text, t.mention)
        if ok and t.mention is not None:
            add(_Mark(ident, "target", t.mention.start, t.mention.end,
                      f"Target {i}: {t.name} ({t.kind})", _RANK["target"]))
        meta = [_esc(t.kind), "country: " + _esc(t.country or _NONE),
                "imposed by: " + _esc(t.imposed_by or _NONE)]
        if ok and t.mention is not None:
            meta.append(_esc(_where(t.mention.start, t.mention.end)))
        missing = None if ok else "no mention span" if t.mention is None else _NOT_LOCATED
        targets.append(_entry(ident, "target", f"T{i}",
                              f'<strong class="body">{_esc(t.name)}</strong>', meta, missing))

    for i, a in enumerate(result.allegations, 1):
        ident, ok = f"a{i}", _span_ok(text, a.evidence)
        if ok and a.evidence is not None:
            add(_Mark(ident, "evidence", a.evidence.start, a.evidence.end,
                      f"Allegation {i} ({a.status}): {_short(a.claim)}", _RANK["evidence"]))
        meta = [f'<span class="status {_esc(a.status)}">{_esc(a.status)}</span>',
                "hedge: " + (f"\u201c{_esc(a.hedge)}\u201d" if a.hedge else "none"),
                "by " + _esc(a.alleged_by or _NONE), "against " + _esc(a.against or _NONE)]
        if ok and a.evidence is not None:
            meta.append(_esc(_where(a.evidence.start, a.evidence.end)))
        missing = None if ok else "no evidence span" if a.evidence is None else _NOT_LOCATED
        allegations.append(_entry(ident, "evidence", f"A{i}",
                                  f'<span class="body">{_esc(a.claim)}</span>', meta, missing))

    p = result.provenance
    dropped = "".join(
        f"<li><strong>{_esc(d.kind)}</strong>: \u201c{_esc(d.text)}\u201d \u2014 {_esc(d.reason)}</li>"
        for d in p.dropped
    )
    prov_rows = [
        ("Model", f"{_esc(p.model)} via {_esc(p.backend)}" + (" (from cache)" if p.cached else "")),
        ("Attempts", f"{p.attempts} \u00b7 {_esc(_tokens(p))} \u00b7 {p.elapsed_s:.2f} s"),
        ("Source", _esc(p.source or _NONE)),
        ("Input sha256", f"<code>{_esc(p.input_sha256)}</code>"),
        ("Prompt / schema", f"<code>{_esc(p.prompt_sha256[:16])}</code> / <code>{_esc(p.schema_sha256[:16])}</code>"),
    ]
    prov = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in prov_rows)
    n = {k: sum(m.kind == k for m in marks) for k in _RANK}
    title = f"Review: {p.source}" if p.source else "Article review"

    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{_csp()}">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>{_esc(title)}</title>
<style>{_CSS}</style>
</head>
<body>
<header>
<h1>{_esc(title)}</h1>
<p class="summary" id="summary">{_esc(result.summary)}</p>
<div class="legend"><span><span class="swatch quote">quote</span> {n["quote"]}</span>
<span><span class="swatch target">sanctions target</span> {n["target"]}</span>
<span><span class="swatch evidence">allegation evidence</span> {n["evidence"]}</span>
<span>Click a highlight or an entry to jump between them.</span></div>
</header>
<div class="layout">
<main><div class="article" id="article">{_article_html(text, marks)}</div></main>
<aside>
{_section("Quotes", "quote", quotes, "No quotes.")}
{_section("Sanctions targets", "target", targets, "No sanctions targets.")}
{_section("Allegations", "evidence", allegations, "No allegations.")}
</aside>
</div>
<footer id="provenance">
<h2>Provenance</h2>
<dl class="prov">{prov}</dl>
<h2>Dropped <span class="count">{len(p.dropped)}</span></h2>
{f'<ul class="dropped">{dropped}</ul>' if dropped else '<p class="empty">Nothing was dropped.</p>'}
</footer>
<script>{_JS}</script>
</body>
</html>
"""
