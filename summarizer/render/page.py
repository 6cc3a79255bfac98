"""The HTML review page: ONE self-contained page for checking a result against its article.

The full text with every quote, target mention, allegation evidence, hedge and named mention
highlighted at its offsets (each main item labelled Q1/T2/A3, labels that survive printing),
the summary's sentences marking their support, side lists that link to the highlights and
back, filters by kind, speaker and status, the dropped items near the top, and provenance.
No external resources at all: the CSS and script are package files inlined under a CSP that
allows only their hashes (see `assets.py`), so it works offline and from mail. Everything
from the model or the article is escaped; the script reads only attributes.

Offsets are Python string indices into the article (`text[start:end] == span text`); slicing
is done here in Python, so the browser never has to count characters (UTF-16 vs code points).
"""

from __future__ import annotations

import html
from collections import Counter, defaultdict
from dataclasses import dataclass

from ..schema import ArticleSummary, Span
from .assets import asset, page_head, review_css
from .base import NONE, article_of, is_http_url, located, short, span_ok, tokens, where
from .status import Screening, from_items
from .titles import title_of


@dataclass(frozen=True)
class _Mark:
    """One highlight: an item (quote/target/evidence/...) at [start, end) of the article."""

    ident: str  # q1, t1, a1, q1-speaker, a1-hedge, s1: the element id of its first fragment
    kind: str  # quote | target | evidence | mention | hedge | support: CSS class and data-kind
    start: int
    end: int
    title: str
    owner: str  # the entry it belongs to (e-<owner>): q1 for q1 and q1-speaker, s1 for support
    label: str = ""  # Q1, T1, A1: shown before the highlight (CSS), main items only


_RANK = {"support": 0, "evidence": 1, "quote": 2, "target": 3, "mention": 4, "hedge": 5}  # equal extents: outermost first


def _esc(value: object) -> str:
    """Escape for text and attribute values alike (quotes too)."""
    return html.escape(str(value), quote=True)


def _esc_text(text: str) -> str:
    # \r would be normalised away by the HTML parser; a character reference keeps the text exact.
    return html.escape(text, quote=False).replace("\r", "&#13;")


def _open(m: _Mark, head: bool) -> str:
    attrs = f' id="{m.ident}"' if head else ""
    cls = m.kind if head else f"{m.kind} cont"
    label = f' data-label="{m.label}"' if head and m.label else ""
    return (f'<mark{attrs} class="{cls}" data-kind="{m.kind}" data-item="{m.ident}" data-owner="{m.owner}"'
            f'{label} title="{_esc(m.title)}">')


def _piece(text: str, stack: list[_Mark]) -> str:
    """A run of article text inside marks: a link to the entry of the innermost item covering it
    (out of the tab order when only summary support covers it: the sentence is the way there)."""
    inner = next((m for m in reversed(stack) if m.kind != "support"), None)
    owner = (inner or stack[-1]).owner
    skip = "" if inner else ' tabindex="-1"'
    return f'<a class="hl" href="#e-{owner}"{skip}>{text}</a>'


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
        for m in sorted(reopen + starts.get(pos, []), key=lambda m: (-m.end, _RANK[m.kind], m.ident)):
            out.append(_open(m, m.ident not in opened))
            opened.add(m.ident)
            stack.append(m)
        if i + 1 < len(points) and points[i + 1] > pos:
            piece = _esc_text(text[pos : points[i + 1]])
            out.append(_piece(piece, stack) if stack else piece)
    out.extend("</mark>" for _ in stack)
    return "".join(out)


_SEP = " \u00b7 "
_NOT_LOCATED = "offsets do not match the text"


class _Page:
    """Collects the marks and side-list entries of one result while they are rendered."""

    def __init__(self, result: ArticleSummary, text: str | None) -> None:
        self.result = result
        self.text = text
        self.marks: list[_Mark] = []
        people = sorted({p for p in self._people() if p is not None}, key=str.casefold)
        self.person_ids = {name: f"p{i}" for i, name in enumerate(people, 1)}

    def _people(self) -> list[str | None]:
        return [q.speaker for q in self.result.quotes] + [a.alleged_by for a in self.result.allegations]

    def here(self, span: Span | None) -> bool:
        """Can this span be drawn? Only when the article is here and the span is in it."""
        return self.text is not None and span_ok(self.text, span)

    def mark(self, ident: str, kind: str, span: Span, title: str, owner: str, label: str = "") -> None:
        self.marks.append(_Mark(ident, kind, span.start, span.end, title, owner, label))

    def person(self, name: str | None) -> str:
        return self.person_ids[name] if name is not None else "u"

    def named(self, ident: str, owner: str, label: str, value: str | None, mention: Span | None) -> str:
        """A named field in an entry, linked to (and marking) where the article names it."""
        if value is None:
            return f"{label} {_esc(NONE)}".strip()
        if not self.here(mention):
            return f"{label} {_esc(value)}".strip()
        from .screening import hits_html

        assert mention is not None
        self.mark(ident, "mention", mention, f"{label} {value}".strip(), owner)
        screened = hits_html(getattr(mention, "screening", None))
        return f'{label} <a class="named" href="#{ident}" data-item="{ident}">{_esc(value)}</a>{screened}'.strip()

    def entry(self, ident: str, kind: str, label: str, body: str, meta: list[str], span_here: bool,
              attrs: str = "") -> str:
        """One side-list entry (already-escaped HTML parts); it links to its highlight if it has one."""
        badge = f'<span class="badge {kind}">{label}</span>'
        if span_here:
            head = f'<a class="jump" href="#{ident}" data-item="{ident}">{badge} {body}</a>'
        else:
            head = f"{badge} {body}"
            if self.text is not None:
                meta = [*meta, f'<span class="warn">{_esc(_NOT_LOCATED)}</span>']
        return (
            f'<li class="entry {kind}" id="e-{ident}" data-item="{ident}" data-kind="{kind}"{attrs} tabindex="-1">'
            f'{head}<div class="meta">{_SEP.join(meta)}</div></li>'
        )


def _summary_html(page: _Page) -> str:
    """The summary, sentence by sentence; each sentence marks (and jumps to) its support."""
    result = page.result
    if not result.summary_sentences:
        return _esc(result.summary)
    out = []
    for i, sentence in enumerate(result.summary_sentences, 1):
        ident = f"s{i}"
        supported = [s for s in sentence.support if page.here(s)]
        for s in supported:
            page.mark(ident, "support", s, f"Supports summary sentence {i}", ident)
        if supported:
            out.append(
                f'<span class="sentence" id="e-{ident}" tabindex="0" role="button" data-item="{ident}" '
                f'title="Show the article sentences that support this">{_esc(sentence.text)}</span>'
            )
        else:
            out.append(f"<span>{_esc(sentence.text)}</span>")
    return " ".join(out)


def _quotes(page: _Page) -> list[str]:
    out = []
    for i, q in enumerate(page.result.quotes, 1):
        ident = f"q{i}"
        ok = page.text is not None and located(page.text, q.start, q.end, q.text)
        if ok:
            page.mark(ident, "quote", Span(start=q.start, end=q.end, text=q.text),
                      f"Q{i}: quote by {q.speaker or 'unattributed'}", ident, f"Q{i}")
        who = (
            "<strong>" + page.named(f"{ident}-speaker", ident, "", q.speaker, q.speaker_mention) + "</strong>"
            if q.speaker else "<em>unattributed</em>"
        )
        out.append(page.entry(ident, "quote", f"Q{i}", f'<span class="body">\u201c{_esc(q.text)}\u201d</span>',
                              [who, _esc(where(q.start, q.end))], ok,
                              f' data-person="{page.person(q.speaker)}"'))
    return out


def _targets(page: _Page) -> list[str]:
    from .screening import hits_html

    out = []
    for i, t in enumerate(page.result.sanctions_targets, 1):
        ident = f"t{i}"
        ok = page.here(t.mention)
        if ok:
            page.mark(ident, "target", t.mention, f"T{i}: sanctions target {t.name} ({t.kind})", ident, f"T{i}")
        meta = [_esc(t.kind),
                page.named(f"{ident}-country", ident, "country:", t.country, t.country_mention),
                page.named(f"{ident}-imposer", ident, "imposed by:", t.imposed_by, t.imposed_by_mention),
                _esc(where(t.mention.start, t.mention.end))]
        if t.screening is not None:
            meta.append(hits_html(t.screening))
        out.append(page.entry(ident, "target", f"T{i}", f'<strong class="body">{_esc(t.name)}</strong>', meta, ok))
    return out


def _allegations(page: _Page) -> list[str]:
    out = []
    for i, a in enumerate(page.result.allegations, 1):
        ident = f"a{i}"
        ok = page.here(a.evidence)
        if ok:
            page.mark(ident, "evidence", a.evidence, f"A{i}: allegation ({a.status}): {short(a.claim)}", ident, f"A{i}")
        by = (
            "by <em>unnamed</em>" if a.alleged_by_unnamed and a.alleged_by is None
            else page.named(f"{ident}-by", ident, "by", a.alleged_by, a.alleged_by_mention)
        )
        if a.hedge and a.hedge_span is not None and page.here(a.hedge_span):
            page.mark(f"{ident}-hedge", "hedge", a.hedge_span, f"A{i}: hedge \u201c{a.hedge}\u201d", ident)
            hedge = f'hedge: <a class="named" href="#{ident}-hedge" data-item="{ident}-hedge">\u201c{_esc(a.hedge)}\u201d</a>'
        else:
            hedge = "hedge: " + (f"\u201c{_esc(a.hedge)}\u201d" if a.hedge else "none")
        meta = [f'<span class="status {_esc(a.status)}">{_esc(a.status)}</span>', hedge,
                by, page.named(f"{ident}-against", ident, "against", a.against, a.against_mention),
                _esc(where(a.evidence.start, a.evidence.end))]
        out.append(page.entry(ident, "evidence", f"A{i}", f'<span class="body">{_esc(a.claim)}</span>', meta, ok,
                              f' data-person="{page.person(a.alleged_by)}" data-status="{_esc(a.status)}"'))
    return out


def _section(title: str, kind: str, entries: list[str], empty: str) -> str:
    items = "".join(entries) if entries else f'<li class="empty">{_esc(empty)}</li>'
    if entries:
        items += '<li class="none-shown" hidden>None match the filters.</li>'
    return (
        f'<section class="list" id="list-{kind}" aria-labelledby="h-{kind}"><h2 id="h-{kind}">{_esc(title)} '
        f'<span class="count">{len(entries)}</span></h2><ol>{items}</ol></section>'
    )


def _filters(page: _Page, counts: dict[str, int]) -> str:
    """Filter controls; hidden until the script shows them (they do nothing without it)."""
    result = page.result
    kinds = [("quote", "Quotes"), ("target", "Sanctions targets"), ("evidence", "Allegations"),
             ("mention", "Named mentions")]
    boxes = "".join(
        f'<label><input type="checkbox" name="kind" value="{k}" checked> {label} ({counts[k]})</label>'
        for k, label in kinds
    )
    said = Counter(page._people())
    people = "".join(
        f'<option value="{pid}">{_esc(short(name, 60))} ({said[name]})</option>' for name, pid in page.person_ids.items()
    )
    if said[None]:
        people += f'<option value="u">unattributed or unnamed ({said[None]})</option>'
    statuses = Counter(a.status for a in result.allegations)
    status = "".join(f'<option value="{_esc(s)}">{_esc(s)} ({n})</option>' for s, n in sorted(statuses.items()))
    return (
        '<form id="filters" class="filters panel" role="search" aria-label="Filter the highlights and lists" hidden>'
        f"<fieldset><legend>Show</legend>{boxes}</fieldset>"
        f'<span class="pick"><label for="f-person">Said or alleged by</label> '
        f'<select id="f-person"><option value="">anyone</option>{people}</select></span>'
        f'<span class="pick"><label for="f-status">Allegation status</label> '
        f'<select id="f-status"><option value="">any</option>{status}</select></span>'
        '<button type="reset">Show all</button>'
        '<output id="f-count" aria-live="polite"></output>'
        "</form>"
    )


def _dropped(result: ArticleSummary) -> str:
    """What the checks refused, near the top: a count and the list (not buried in the footer)."""
    dropped = result.provenance.dropped
    if not dropped:
        return '<p class="panel none-dropped" id="dropped">Nothing the model returned was dropped by the checks.</p>'
    items = "".join(
        f"<li><strong>{_esc(d.kind)}</strong>{f' <code>{_esc(d.where)}</code>' if d.where else ''}: "
        f"\u201c{_esc(d.text)}\u201d \u2014 {_esc(d.reason)}</li>"
        for d in dropped
    )
    return (
        '<section class="panel dropped" id="dropped" aria-labelledby="h-dropped">'
        f'<h2 id="h-dropped">Dropped by the checks <span class="count">{len(dropped)}</span></h2>'
        '<p class="hint">What the model returned that is not in the article as stated, and why. '
        f"None of it is shown above or in the lists.</p><ul>{items}</ul></section>"
    )


def _byline(result: ArticleSummary, heading: str, article_id: str | None) -> str:
    p = result.provenance
    parts = [f"id <bdi>{_esc(article_id)}</bdi>"] if article_id is not None and article_id != heading else []
    parts += [_esc(v) for v in (p.author,) if v and v.strip()]
    if p.date and p.date.strip():
        parts.append(f"<time>{_esc(p.date)}</time>")
    if p.source and is_http_url(p.source):
        parts.append(f'<a class="source" href="{_esc(p.source)}" target="_blank" rel="noopener noreferrer">'
                     f"{_esc(short(p.source, 100))}</a>")
    elif p.source and p.source not in (heading, article_id):
        parts.append(f"source: <bdi>{_esc(p.source)}</bdi>")
    sep = '<span class="sep" aria-hidden="true">\u00b7</span>'
    return f'<p class="byline">{sep.join(parts)}</p>' if parts else ""


def _screening(status: Screening) -> str:
    """Whether (and how much of) the article was screened, near the top: never a silent gap."""
    cls = "listed" if status.hits else "asked" if status.asked else "not-asked"
    return f'<p class="panel screen-status {cls}" id="screen-status">{_esc(status.sentence)}</p>'


def to_html(result: ArticleSummary, article_text: str | None, *, title: str | None = None,
            article_id: str | None = None, index_href: str | None = None, screening: Screening | None = None) -> str:
    """One self-contained review page: the article with highlights, side lists, provenance.

    The heading is `title` (default: the article's own title, else its headline line, see
    titles.py), else `article_id` (the batch id, also shown in the byline); `index_href` adds a
    link back to an index page; `screening` is the article's screening status (default: what its
    items show). Without the article text (None, and none in the result) the lists are shown and
    the page says why the highlights are missing.
    """
    page = _Page(result, article_of(result, article_text))
    summary_html = _summary_html(page)
    quotes, targets, allegations = _quotes(page), _targets(page), _allegations(page)
    p = result.provenance
    n = Counter(m.kind for m in page.marks)
    counts = {"quote": len(quotes), "target": len(targets), "evidence": len(allegations), "mention": n["mention"]}
    heading = title or title_of(result, page.text) or article_id or p.source or "Article review"
    status = screening if screening is not None else from_items(result)

    prov_rows = [
        ("Model", f"{_esc(p.model)} via {_esc(p.backend)}" + (" (from cache)" if p.cached else "")),
        ("Attempts", f"{p.attempts} \u00b7 {_esc(tokens(p))} \u00b7 {p.elapsed_s:.2f} s"),
        ("Source", _esc(p.source or NONE)),
        ("Input sha256", f"<code>{_esc(p.input_sha256)}</code>"),
        ("Prompt / schema", f"<code>{_esc(p.prompt_sha256[:16])}</code> / <code>{_esc(p.schema_sha256[:16])}</code>"),
        ("Dropped", f'{len(p.dropped)} (<a href="#dropped">listed at the top</a>)' if p.dropped else "none"),
    ]
    prov = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in prov_rows)
    if page.text is not None:
        body = f'<div class="article" id="article" tabindex="-1">{_article_html(page.text, page.marks)}</div>'
    else:
        body = ('<p class="notext" id="article" tabindex="-1">The article text is not in this result and its source '
                "file was not found (or has changed since), so nothing can be highlighted; the lists show what "
                "was extracted, with offsets as given.</p>")
    crumbs = f'<p class="crumbs"><a href="{_esc(index_href)}">\u2190 All articles</a></p>' if index_href else ""
    css, js = review_css(), asset("review.js")

    return f"""{page_head(f"Review: {_esc(short(heading, 120))}", css, js)}
<body>
<a class="skip" href="#article">Skip to the article</a>
<header>
{crumbs}<h1>{_esc(heading)}</h1>
{_byline(result, heading, article_id)}
<h2 class="visually-hidden">Summary</h2>
<p class="summary" id="summary">{summary_html}</p>
<div class="legend"><span><span class="swatch quote">quote</span> {counts["quote"]}</span>
<span><span class="swatch target">sanctions target</span> {counts["target"]}</span>
<span><span class="swatch evidence">allegation evidence</span> {counts["evidence"]}</span>
<span><span class="swatch hedge">hedge</span> {n["hedge"]}</span>
<span><span class="swatch mention">named in the article</span> {n["mention"]}</span>
<span><span class="swatch support">supports the summary</span> {n["support"]} (select a summary sentence)</span>
<span class="hint">Labels (Q1, T1, A1) tie each highlight to its entry. Click or press Enter on a highlight,
an entry or a summary sentence to see where it stands.</span></div>
</header>
{_dropped(result)}
{_screening(status) if status.asked or result.sanctions_targets else ""}
{_filters(page, counts)}
<div class="layout">
<main aria-label="Article text">{body}</main>
<aside aria-label="Extracted items">
{_section("Quotes", "quote", quotes, "No quotes.")}
{_section("Sanctions targets", "target", targets, "No sanctions targets.")}
{_section("Allegations", "evidence", allegations, "No allegations.")}
</aside>
</div>
<footer id="provenance">
<h2>Provenance</h2>
<dl class="prov">{prov}</dl>
</footer>
<script>{js}</script>
</body>
</html>
"""
