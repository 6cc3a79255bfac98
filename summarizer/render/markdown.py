"""Markdown for notes and tickets.

Everything that came from the model or the article is escaped (`md_escape`), so a `|` in a
claim cannot break a table and a `<script>` in a quote stays text. Evidence is shown as its
excerpt with its offsets, not as bare character positions.
"""

from __future__ import annotations

from ..schema import ArticleSummary, Span
from .base import NONE, article_of, md_escape, md_line, short, span_ok, tokens, where
from .status import Screening, from_items


def _cell(value: str | None) -> str:
    """One table cell: escaped, on one line (a newline would end the row)."""
    if value is None or not value.strip():
        return NONE
    return md_line(value)


def _md_section(title: str, header: list[str], rows: list[list[str]]) -> list[str]:
    """A "## Title (n)" heading and a numbered table of already-escaped cells, or "_None._"."""
    out = [f"## {title} ({len(rows)})", ""]
    if rows:
        out += ["| # | " + " | ".join(header) + " |", "|---" * (len(header) + 1) + "|"]
        out += [f"| {i} | " + " | ".join(row) + " |" for i, row in enumerate(rows, 1)]
    else:
        out.append("_None._")
    return out + [""]


def _named_cell(text: str | None, value: str | None, mention: Span | None) -> str:
    """A named field and where the article names it: "Antony Blinken (“Blinken”, chars 94–101)"."""
    if value is None:
        return NONE
    if mention is None or not span_ok(text, mention):
        return _cell(value)
    return f"{_cell(value)} (\u201c{_cell(mention.text)}\u201d, {where(mention.start, mention.end)})"


def _excerpt_cell(text: str | None, span: Span | None) -> str:
    if span is None or not span_ok(text, span):
        return NONE
    return f"\u201c{_cell(short(span.text, 160))}\u201d ({where(span.start, span.end)})"


def _md_screening(result: ArticleSummary, screening: Screening | None) -> list[str]:
    """What was screened, and the list hits of each screened target and named party ([] when
    screening was not asked for and nothing was screened)."""
    from .screening import hits_markdown

    parties = [(t.name, t.screening) for t in result.sanctions_targets]
    parties += [(q.speaker, q.speaker_mention.screening) for q in result.quotes if q.speaker and q.speaker_mention]
    for a in result.allegations:
        for value, m in ((a.alleged_by, a.alleged_by_mention), (a.against, a.against_mention)):
            if value and m is not None:
                parties.append((value, m.screening))
    seen: set[str] = set()
    out: list[str] = []
    for name, hits in parties:
        if hits is None or name is None or name in seen:
            continue
        seen.add(name)
        out += [f"### Screening: {md_escape(name)}", "", *hits_markdown(hits), ""]
    status = screening if screening is not None else from_items(result)
    if not status.asked:
        return []
    return ["## Sanctions screening", "", md_escape(status.sentence), "", *out]


def heading(result: ArticleSummary, title: str | None, article_id: str | None) -> list[str]:
    """"# Title" and a byline (id, author, date, source) for a page of its own or a combined file."""
    p = result.provenance
    shown = title or article_id or p.source or "Article"
    out = [f"# {md_line(shown)}", ""]
    byline = [f"id {md_line(article_id)}"] if article_id is not None and article_id != shown else []
    byline += [md_line(v) for v in (p.author, p.date) if v and v.strip()]
    if p.source and p.source not in (shown, article_id):
        byline.append(md_line(p.source))
    return out + ([" \u00b7 ".join(byline), ""] if byline else [])


def to_markdown(result: ArticleSummary, article_text: str | None, *, title: str | None = None,
                article_id: str | None = None, screening: Screening | None = None) -> str:
    """Markdown for notes and tickets: the summary with its support, tables of allegations and
    targets (each named field with where the article names it), what was screened, quotes,
    provenance.

    With `title` or `article_id`, the text opens with a "# Title" heading and a byline: for a
    file per article, or one combined file. `screening` is the article's screening status
    (default: what its items show).
    """
    text = article_of(result, article_text)
    out: list[str] = heading(result, title, article_id) if title is not None or article_id is not None else []
    out += ["## Summary", ""]
    if result.summary_sentences:
        for i, sentence in enumerate(result.summary_sentences, 1):
            support = "; ".join(_excerpt_cell(text, s) for s in sentence.support)
            out += [f"{i}. {md_escape(sentence.text)}", f"   - support: {support}"]
        out.append("")
    else:
        out += [md_escape(result.summary.strip()) or NONE, ""]

    allegation_rows = []
    for a in result.allegations:
        by = "_unnamed_" if a.alleged_by_unnamed and a.alleged_by is None else _named_cell(text, a.alleged_by, a.alleged_by_mention)
        allegation_rows.append(
            [_cell(a.claim), by, _named_cell(text, a.against, a.against_mention), a.status,
             _cell(a.hedge), _excerpt_cell(text, a.evidence)]
        )
    out += _md_section("Allegations", ["Claim", "By", "Against", "Status", "Hedge", "Evidence"], allegation_rows)

    target_rows = []
    for t in result.sanctions_targets:
        m = t.mention
        at = where(m.start, m.end) if span_ok(text, m) else NONE
        target_rows.append([_cell(t.name), t.kind, _named_cell(text, t.country, t.country_mention),
                            _named_cell(text, t.imposed_by, t.imposed_by_mention), at])
    out += _md_section("Sanctions targets", ["Name", "Kind", "Country", "Imposed by", "Mention"], target_rows)
    out += _md_screening(result, screening)

    out += [f"## Quotes ({len(result.quotes)})", ""]
    if not result.quotes:
        out += ["_None._", ""]
    for i, q in enumerate(result.quotes, 1):
        body = md_escape(q.text.strip()) or NONE
        out += [("> " + line.strip()) if line.strip() else ">" for line in body.splitlines()]
        speaker = f"**{md_escape(q.speaker)}**" if q.speaker else "_unattributed_"
        named = q.speaker_mention
        if q.speaker and named is not None and span_ok(text, named):
            speaker += f" (named at {where(named.start, named.end)})"
        out += [">", f"> \u2014 {speaker} ({where(q.start, q.end)}, quote {i})", ""]

    p = result.provenance
    line = (
        f"Model {md_escape(p.model)} via {md_escape(p.backend)}, "
        f"{p.attempts} attempt(s), {tokens(p)}, {p.elapsed_s:.2f} s"
    )
    if p.cached:
        line += ", from cache"
    if p.source:
        line += f", source {md_escape(p.source)}"
    out += ["## Provenance", "", line + f", input sha256 {md_escape(p.input_sha256[:12])}.", ""]
    if text is None:
        out += ["The article text was not available: excerpts are shown as the result gives them, unchecked.", ""]
    if p.dropped:
        out += [f"Dropped ({len(p.dropped)}):", ""]
        out += [
            f"- {md_escape(d.kind)}{f' ({md_line(d.where)})' if d.where else ''}: \u201c{_cell(d.text)}\u201d \u2014 {_cell(d.reason)}"
            for d in p.dropped
        ]
    else:
        out.append("Dropped: none.")
    return "\n".join(out).rstrip() + "\n"
