"""Markdown, terminal tables and the HTML review page, built from hand-made results on a real article.

The HTML checks parse the page: the visible article text must equal the article exactly, every
item must have one highlight (head `<mark id=...>`) whose fragments spell its span, spans that
nest or cross must still give properly nested markup, and nothing from the model or the article
may become markup or fetch anything. The `browser` test opens the page in Debian's chromium.
"""

from __future__ import annotations

import base64
import hashlib
import re
import time
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path

import pytest

from summarizer.render import md_escape, render, to_html, to_markdown, to_table
from summarizer.schema import (
    Allegation,
    ArticleSummary,
    Dropped,
    Mention,
    Provenance,
    Quote,
    SanctionsTarget,
    ScreeningHit,
    Span,
    SummarySentence,
    Usage,
)

from .browser import CHROMIUM, CHROMIUM_ARGS, CONTRAST, launch, shot, unavailable, until, watch

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = ROOT / "examples" / "iran-missiles-russia.txt"
VOID = {"meta", "link", "br", "img", "input", "hr", "wbr", "area", "base", "col", "embed", "source"}


# --------------------------------------------------------------------------- builders


def span(text: str, needle: str) -> Span:
    start = text.index(needle)
    return Span(start=start, end=start + len(needle), text=needle)


def mention(text: str, needle: str) -> Mention:
    return Mention(**span(text, needle).model_dump())


def inside(outer: Span, needle: str) -> Span:
    start = outer.start + outer.text.index(needle)
    return Span(start=start, end=start + len(needle), text=needle)


def quote(text: str, needle: str, speaker: str | None) -> Quote:
    s = span(text, needle)
    return Quote(text=s.text, speaker=speaker, start=s.start, end=s.end)


def provenance(**over: object) -> Provenance:
    fields: dict[str, object] = dict(
        model="gpt-4o-mini", backend="openai", prompt_sha256="a" * 64, schema_sha256="b" * 64,
        input_sha256="c" * 64, attempts=2,
        usage=Usage(prompt_tokens=1200, completion_tokens=345, total_tokens=1545),
        elapsed_s=3.21, source="examples/iran-missiles-russia.txt",
        dropped=[Dropped(kind="quote", text="Iran is a menace", reason="not found word for word in the article")],
    )
    fields.update(over)
    return Provenance.model_validate(fields)


@pytest.fixture(scope="module")
def article() -> str:
    return ARTICLE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def result(article: str) -> ArticleSummary:
    """Quotes, two targets, and allegations whose evidence nests in one quote and crosses another."""
    t = article
    lammy = quote(t, "We\u2019re seeing a disturbing pattern of greater Iranian support for the Kremlin\u2019s "
                  "illegal war, and we discussed today our shared commitment to holding Tehran to account "
                  "for their undermining of global stability.", "David Lammy")
    blinken = quote(t, "This development and the growing cooperation between Russia and Iran threatens "
                    "European security and demonstrates how Iran\u2019s destabilizing influence reaches far "
                    "beyond the Middle East. For its part, Russia is sharing technology that Iran seeks\u2014"
                    "this is a two-way street\u2014including on nuclear issues as well as some space "
                    "information,", "Antony Blinken")
    state1 = quote(t, "The expanding military partnership between Iran and Russia threatens European "
                   "security and illustrates how Iran\u2019s destabilizing influence reaches beyond the Middle "
                   "East to undermine security around the world,", "State Department")
    state2 = quote(t, "The United States will continue to use all tools at our disposal to disrupt and "
                   "counter Iran\u2019s weapons exports, with particular attention to transfers that support "
                   "Russia\u2019s war against Ukraine.", None)
    res = ArticleSummary(
        summary="The U.S. and U.K. accused Iran of shipping ballistic missiles to Russia; the State "
                "Department announced sanctions on Iran Air and others allegedly involved.",
        allegations=[
            Allegation(claim="Iran shipped ballistic missiles (Fath 360 | ballistic) to Russia.",
                       alleged_by="Antony Blinken | David Lammy", against="Iran", status="alleged",
                       hedge="allegation",
                       evidence=span(t, "based on the allegation that Iran has shipped ballistic missiles to Russia")),
            # nested: entirely inside Blinken's quote
            Allegation(claim="Russia shares technology with Iran.", alleged_by="Antony Blinken",
                       against="Russia", status="claimed", hedge="claimed",
                       evidence=span(t, "Russia is sharing technology that Iran seeks")),
            # crossing: starts before the State Department quote and ends inside it
            Allegation(claim="Iranian and Russian entities were involved in transferring missiles.",
                       alleged_by="State Department", against="Iranian and Russian entities",
                       status="alleged", hedge="allegedly",
                       evidence=span(t, "entities allegedly involved in the transfer of missiles from Iran to "
                                        "Russia. \u201cThe expanding military partnership")),
        ],
        sanctions_targets=[
            SanctionsTarget(name="Iran Air", kind="organization", country="Iran",
                            imposed_by="U.S. State Department", mention=mention(t, "Iran Air")),
            SanctionsTarget(name="Iran", kind="country", country="Iran", imposed_by=None,
                            mention=mention(t, "Iran Sanctioned")),
        ],
        quotes=[lammy, blinken, state1, state2],
        provenance=provenance(),
    )
    res.check_offsets(article)
    return res


@pytest.fixture(scope="module")
def full(result: ArticleSummary, article: str) -> ArticleSummary:
    """`result` with everything the page can show: named mentions, hedges, summary support,
    screening hits, dropped items, and an article title, author, date and URL."""
    t = article
    quotes = [q.model_copy(update={"speaker_mention": mention(t, q.speaker)}) if q.speaker in ("David Lammy", "Antony Blinken")
              else q for q in result.quotes]
    a1, a2, a3 = result.allegations
    allegations = [
        a1.model_copy(update={"hedge_span": inside(a1.evidence, "allegation"), "alleged_by": "Antony Blinken",
                              "alleged_by_mention": mention(t, "Antony Blinken"), "against_mention": mention(t, "Iran")}),
        a2,
        a3.model_copy(update={"hedge_span": inside(a3.evidence, "allegedly")}),
    ]
    hit = ScreeningHit(list="OFAC SDN", entry_id="25237", name="IRAN AIR", matched_name="IRAN AIR", programs=["SDGT"],
                       type="entity", score=0.97, why="same name after normalisation",
                       url="https://sanctionssearch.ofac.treas.gov/Details.aspx?id=25237")
    targets = [result.sanctions_targets[0].model_copy(update={"screening": [hit]}), result.sanctions_targets[1]]
    support = [span(t, "A few hours later, the State Department announced new sanctions"),
               span(t, "The sanctions target Iran Air as well as three ship operators on the Caspian Sea.")]
    res = result.model_copy(update={
        "quotes": quotes, "allegations": allegations, "sanctions_targets": targets,
        "summary_sentences": [
            SummarySentence(text="Blinken and Lammy accused Iran of shipping missiles to Russia.",
                            support=[span(t, "Secretary of State Antony Blinken and U.K. Foreign Minister David Lammy")]),
            SummarySentence(text="The State Department sanctioned Iran Air.", support=support),
        ],
        "provenance": provenance(
            title="Iran Sanctioned for Allegedly Sending Missiles to Russia", author="Jane Doe", date="2024-09-10",
            source="https://example.org/news/iran?x=1&y=<2>",
            dropped=[Dropped(kind="quote", text="Iran is a menace", reason="not found word for word in the article",
                             where="quotes[4]"),
                     Dropped(kind="against", text="Tehran officials", reason="not a name the article contains",
                             where="allegations[1].against")]),
    })
    res.check_offsets(article)
    return res


@pytest.fixture(scope="module")
def hostile() -> tuple[ArticleSummary, str]:
    """An article and a result full of markup that must stay text."""
    text = ('Intro <script>window.pwned = 1</script> and then he said "<img src=x onerror=window.pwned=2>'
            ' & </mark></div>" before leaving.\n')
    q = quote(text, "<img src=x onerror=window.pwned=2> & </mark></div>", "<script>window.pwned=3</script>")
    res = ArticleSummary(
        summary="</p><script>window.pwned=4</script> | *bold*",
        allegations=[Allegation(claim="<b>x</b> | [link](javascript:alert(1))", alleged_by="<i>y</i>",
                                against="z", status="denied", hedge="\"'<>",
                                evidence=span(text, "<script>window.pwned = 1</script>"))],
        sanctions_targets=[SanctionsTarget(name="<svg onload=window.pwned=5>", kind="other", country=None,
                                           imposed_by=None, mention=mention(text, "Intro"))],
        quotes=[q],
        provenance=provenance(model="<script>m</script>", source=None,
                              dropped=[Dropped(kind="quote", text="</li><script>x</script>", reason="<b>r</b>")]),
    )
    res.check_offsets(text)
    return res, text


# --------------------------------------------------------------------------- HTML parsing


class Page(HTMLParser):
    """Collects the article text, every mark (with its text), links and nesting errors."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict[str, str]]] = []
        self.errors: list[str] = []
        self.article: list[str] | None = None
        self.article_depth = -1
        self.marks: list[dict[str, str]] = []  # attrs + "text"
        self.open_marks: list[tuple[dict[str, str], list[str]]] = []
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.srcs: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.append(tag)
        if "id" in a:
            self.ids.append(a["id"])
        if "href" in a:
            self.hrefs.append(a["href"])
        for k in ("src", "srcset", "action", "poster", "data"):
            if k in a:
                self.srcs.append(a[k])
        if tag in VOID:
            return
        self.stack.append((tag, a))
        if a.get("id") == "article":
            self.article, self.article_depth = [], len(self.stack)
        if tag == "mark":
            rec = dict(a)
            self.marks.append(rec)  # in document (opening) order
            self.open_marks.append((rec, []))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1][0] if self.stack else 'nothing'}")
            return
        if len(self.stack) == self.article_depth:
            self.article_depth = -2  # done
        self.stack.pop()
        if tag == "mark":
            rec, buf = self.open_marks.pop()
            rec["text"] = "".join(buf)

    def handle_data(self, data: str) -> None:
        if self.article is not None and self.article_depth > 0:
            self.article.append(data)
        for _, buf in self.open_marks:
            buf.append(data)


def parse(page: str) -> Page:
    p = Page()
    p.feed(page)
    p.close()
    assert not p.errors, p.errors
    assert not p.stack, f"unclosed: {[t for t, _ in p.stack]}"
    return p


def fragments(p: Page) -> dict[str, list[dict[str, str]]]:
    by_item: dict[str, list[dict[str, str]]] = defaultdict(list)
    for m in p.marks:
        by_item[m["data-item"]].append(m)
    return by_item


def expected_spans(res: ArticleSummary) -> dict[str, tuple[str, int, int, str]]:
    """item id -> (kind, start, end, text) for every item that has a span."""
    out: dict[str, tuple[str, int, int, str]] = {}
    for i, q in enumerate(res.quotes, 1):
        out[f"q{i}"] = ("quote", q.start, q.end, q.text)
    for i, t in enumerate(res.sanctions_targets, 1):
        if t.mention:
            out[f"t{i}"] = ("target", t.mention.start, t.mention.end, t.mention.text)
    for i, a in enumerate(res.allegations, 1):
        if a.evidence:
            out[f"a{i}"] = ("evidence", a.evidence.start, a.evidence.end, a.evidence.text)
    return out


# --------------------------------------------------------------------------- markdown


def test_markdown_has_quotes_speakers_and_tables(result: ArticleSummary, article: str) -> None:
    md = to_markdown(result, article)
    for q in result.quotes:
        assert q.text in md
        if q.speaker:
            assert f"**{q.speaker}**" in md
        assert f"chars {q.start}\u2013{q.end}" in md
    assert "_unattributed_" in md
    assert "| 1 | Iran Air | organization | Iran | U.S. State Department |" in md
    assert "Fath 360 \\| ballistic" in md and "Antony Blinken \\| David Lammy" in md
    header = next(line for line in md.splitlines() if line.startswith("| # | Claim"))
    for row in (line for line in md.splitlines() if line.startswith("| 1 | Iran shipped")):
        assert len(re.findall(r"(?<!\\)\|", row)) == header.count("|")
    assert "Model gpt-4o-mini via openai, 2 attempt(s), 1545 tokens" in md
    assert "- quote: \u201cIran is a menace\u201d \u2014 not found word for word in the article" in md


def test_markdown_escapes_model_text(hostile: tuple[ArticleSummary, str]) -> None:
    res, text = hostile
    md = render(res, text, "md")
    body = re.sub(r"^>", "", md, flags=re.MULTILINE)  # blockquote markers are ours
    assert not re.search(r"(?<!\\)[<>]", body), "an unescaped < or > reached the Markdown"
    assert "\\<script\\>window.pwned=3\\</script\\>" in md
    assert "\\[link\\](javascript:alert(1))" in md
    assert md_escape("# not a heading\n1. not a list\n- nor this") == (
        "\\# not a heading\n1\\. not a list\n\\- nor this"
    )
    assert md_escape("AT&T &amp; co") == "AT&T \\&amp; co"


def test_markdown_renders_as_intended(result: ArticleSummary, article: str,
                                      hostile: tuple[ArticleSummary, str]) -> None:
    """Through a real CommonMark renderer (markdown-it-py, which rich depends on), raw HTML allowed."""
    markdown_it = pytest.importorskip("markdown_it")
    md = markdown_it.MarkdownIt("commonmark", {"html": True}).enable("table")
    for res, text in ((result, article), hostile):
        out = md.render(to_markdown(res, text))
        assert not re.search(r"<(script|img|svg|b|i|a|em)\b", out.replace("<em>unattributed</em>", ""))
        rows = re.findall(r"<tr>(.*?)</tr>", out, re.S)
        assert rows and all(len(re.findall(r"<t[dh]\b", r)) in (6, 7) for r in rows)
        assert out.count("<blockquote>") == len(res.quotes)
    assert "<td>Iran shipped ballistic missiles (Fath 360 | ballistic) to Russia.</td>" in md.render(
        to_markdown(result, article))


# --------------------------------------------------------------------------- terminal tables


def test_table_contains_targets_and_quotes(result: ArticleSummary, article: str) -> None:
    out = to_table(result, article)
    assert "Iran Air" in out and "organization" in out and "David Lammy" in out
    assert "Sanctions targets (2)" in out and "Quotes (4)" in out and "Allegations (3)" in out
    assert "\x1b[" not in out
    assert max(len(line) for line in out.splitlines()) <= 120
    assert "\x1b[" in to_table(result, article, color=True)


def test_table_does_not_interpret_rich_markup(result: ArticleSummary, article: str) -> None:
    res = result.model_copy(update={"summary": "[bold red]not markup[/bold red] :smile:"})
    out = render(res, article, "table")
    assert "[bold red]not markup[/bold red] :smile:" in out


def test_render_rejects_unknown_format(result: ArticleSummary, article: str) -> None:
    with pytest.raises(ValueError, match="unknown format"):
        render(result, article, "pdf")


# --------------------------------------------------------------------------- HTML


def test_html_article_text_is_exact_and_every_item_is_marked(result: ArticleSummary, article: str) -> None:
    page = to_html(result, article)
    p = parse(page)
    assert "".join(p.article or []) == article

    want = expected_spans(result)
    heads = [m for m in p.marks if "id" in m]
    assert sorted(m["id"] for m in heads) == sorted(want)
    by_item = fragments(p)
    assert set(by_item) == set(want)
    for ident, (kind, start, end, text) in want.items():
        frags = by_item[ident]
        assert sum("id" in f for f in frags) == 1, ident
        assert all(f["data-kind"] == kind and kind in f["class"].split() for f in frags)
        assert "".join(f["text"] for f in frags) == text == article[start:end]
    for kind, n in (("quote", 4), ("target", 2), ("evidence", 3)):
        assert sum(kind in m["class"].split() for m in heads) == n
    # nested spans stay one element each; the crossing one is split into a continuation
    assert len(by_item["a2"]) == 1 and len(by_item["q2"]) == 1
    assert len(by_item["q3"]) == 2 and "cont" in by_item["q3"][0]["class"] + by_item["q3"][1]["class"]


def test_html_overlapping_spans_nest(result: ArticleSummary, article: str) -> None:
    page = to_html(result, article)
    parse(page)  # asserts every end tag closes the innermost open element
    body = page[page.index('id="article"'):]
    a2 = body.index('id="a2"')
    q2 = body.index('id="q2"')
    assert q2 < a2 < body.index("</mark>", a2)  # the evidence sits inside the quote's mark
    a3 = body.index('id="a3"')
    q3 = body.index('id="q3"')
    assert a3 < q3  # the crossing evidence opens first, the quote opens inside it ...
    assert 'class="quote cont" data-kind="quote" data-item="q3"' in body[q3:]  # ... and continues after


def test_html_links_both_ways(result: ArticleSummary, article: str) -> None:
    p = parse(to_html(result, article))
    ids = set(p.ids)
    for ident in expected_spans(result):
        assert f"#{ident}" in p.hrefs and f"e-{ident}" in ids
        assert f"#e-{ident}" in p.hrefs
    for href in p.hrefs:
        assert href == "data:," or href[1:] in ids, href
    assert len(ids) == len(p.ids), "duplicate ids"


def test_html_escapes_everything(hostile: tuple[ArticleSummary, str]) -> None:
    res, text = hostile
    page = render(res, text, "html")
    p = parse(page)
    assert p.tags.count("script") == 1  # ours
    assert not {"img", "svg", "b", "i"} & set(p.tags)
    assert "".join(p.article or []) == text
    assert "&lt;script&gt;window.pwned=3&lt;/script&gt;" in page
    assert "&lt;svg onload=window.pwned=5&gt;" in page
    marks = fragments(p)
    assert marks["q1"][0]["text"] == res.quotes[0].text
    assert marks["a1"][0]["text"] == "<script>window.pwned = 1</script>"
    assert marks["t1"][0]["text"] == "Intro"


def test_html_bad_offsets_are_reported_not_drawn(result: ArticleSummary, article: str) -> None:
    q = result.quotes[0]
    bad = result.model_copy(update={"quotes": [q.model_copy(update={"start": q.start + 1, "end": q.end + 1})]})
    p = parse(to_html(bad, article))
    assert "".join(p.article or []) == article
    assert "q1" not in fragments(p)
    assert "offsets do not match the text" in to_html(bad, article)


def test_html_uses_result_text_when_set(result: ArticleSummary, article: str) -> None:
    # For HTML input the offsets index the extracted text, which the result then carries.
    res = result.model_copy(update={"text": article})
    p = parse(to_html(res, "<html>the raw file</html>"))
    assert "".join(p.article or []) == article


def test_html_is_self_contained(result: ArticleSummary, article: str) -> None:
    page = to_html(result, article)
    p = parse(page)
    assert "http://" not in page and "https://" not in page
    external = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//|^\s*(?:https?|ftp|file):", re.I)
    assert not [u for u in p.hrefs + p.srcs if external.match(u)]
    assert not p.srcs
    assert "@import" not in page and "url(" not in page
    assert not {"iframe", "img", "object", "embed", "audio", "video"} & set(p.tags)
    assert "Content-Security-Policy" in page and "default-src 'none'" in page


# --------------------------------------------------------------------------- real browser


@pytest.mark.browser
def test_review_page_in_chromium(result: ArticleSummary, article: str, tmp_path: Path,
                                 hostile: tuple[ArticleSummary, str]) -> None:
    """Load the page in headless chromium: no console errors, all marks, click-to-highlight."""
    # CI sets SUMMARIZER_REQUIRE_BROWSER=1 so that a missing browser fails instead of skipping.
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} not installed (apt-get install -y chromium fonts-liberation)")
    try:
        from playwright import sync_api
    except ImportError:
        unavailable("the playwright Python package is not installed (pip install playwright)")
    started = time.monotonic()
    page_file = tmp_path / "review.html"
    page_file.write_text(to_html(result, article), encoding="utf-8")
    hostile_file = tmp_path / "hostile.html"
    hostile_file.write_text(to_html(*hostile), encoding="utf-8")
    problems: list[str] = []
    requests: list[str] = []
    want = expected_spans(result)

    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
                    if m.type in ("error", "assert") else None)
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("request", lambda r: None if r.url.startswith(("file:", "data:")) else requests.append(r.url))
            page.goto(page_file.as_uri(), wait_until="load")

            assert page.evaluate("document.getElementById('article').textContent") == article
            for kind in ("quote", "target", "evidence"):
                n = sum(k == kind for k, *_ in want.values())
                assert page.locator(f"#article mark.{kind}[id]").count() == n, kind
                items = page.evaluate(
                    f"new Set([...document.querySelectorAll('#article mark.{kind}')].map(m => m.dataset.item)).size")
                assert items == n, kind
            texts = page.evaluate("""() => {
                const out = {};
                for (const m of document.querySelectorAll('#article mark'))
                  out[m.dataset.item] = (out[m.dataset.item] || '') + m.textContent;
                return out; }""")
            assert texts == {ident: text for ident, (_, _, _, text) in want.items()}

            # entry -> highlight: the last quote is below the fold; clicking scrolls to it and marks it
            target = "q4"
            in_view = f"""() => {{ const r = document.getElementById('{target}').getBoundingClientRect();
                return r.top >= 0 && r.bottom <= window.innerHeight; }}"""
            was_visible = page.evaluate(in_view)
            page.click(f"#e-{target} a.jump")
            until(page, in_view, timeout=5000)
            until(page, f"document.getElementById('{target}').classList.contains('active')")
            assert page.evaluate(f"document.getElementById('{target}').classList.contains('flash')")
            assert page.evaluate(f"document.getElementById('e-{target}').classList.contains('active')")
            assert was_visible or page.evaluate("window.scrollY") > 0
            assert page.evaluate(f"getComputedStyle(document.getElementById('{target}')).outlineStyle") == "solid"

            # highlight -> entry
            page.click("#t1 a.hl")
            until(page, "document.getElementById('e-t1').classList.contains('active')")

            # markup in the article and the model output stays text: nothing runs, nothing loads
            page.goto(hostile_file.as_uri(), wait_until="load")
            assert page.evaluate("typeof window.pwned") == "undefined"
            assert page.evaluate("document.getElementById('article').textContent") == hostile[1]
            assert page.locator("script").count() == 1
        finally:
            browser.close()

    assert not problems, problems
    assert not requests, f"the page fetched: {requests}"
    print(f"browser test took {time.monotonic() - started:.2f}s")


# --------------------------------------------------------------------------- the full review page


def test_page_header_shows_title_author_date_and_a_safe_source_link(full: ArticleSummary, article: str) -> None:
    page = to_html(full, article)
    p = parse(page)
    assert re.search(r"<h1>Iran Sanctioned for Allegedly Sending Missiles to Russia</h1>", page)
    assert "Jane Doe" in page and "<time>2024-09-10</time>" in page
    link = re.search(r'<a class="source" href="([^"]*)" target="_blank" rel="noopener noreferrer">', page)
    assert link and link.group(1) == "https://example.org/news/iran?x=1&amp;y=&lt;2&gt;"
    assert "<title>Review: Iran Sanctioned" in page and full.provenance.source in p.hrefs
    for bad in ("javascript:alert(1)", "data:text/html,<script>x</script>", "file:///etc/passwd"):
        other = to_html(full.model_copy(update={"provenance": full.provenance.model_copy(update={"source": bad})}), article)
        assert 'class="source"' not in other and bad not in parse(other).hrefs


def test_page_labels_hedges_mentions_and_links_resolve(full: ArticleSummary, article: str) -> None:
    page = to_html(full, article)
    p = parse(page)
    assert "".join(p.article or []) == article  # labels are CSS, never text
    heads = {m["id"]: m for m in p.marks if "id" in m}
    assert {heads[i].get("data-label") for i in ("q1", "q2", "q3", "q4", "t1", "t2", "a1", "a2", "a3")} == {
        "Q1", "Q2", "Q3", "Q4", "T1", "T2", "A1", "A2", "A3"}
    assert heads["a1-hedge"]["text"] == "allegation" and heads["a3-hedge"]["text"] == "allegedly"
    assert heads["a1-hedge"]["data-owner"] == "a1" and "data-label" not in heads["a1-hedge"]
    assert heads["q1-speaker"]["text"] == "David Lammy" and heads["q1-speaker"]["class"] == "mention"
    assert heads["s2"]["class"] == "support"
    ids = set(p.ids)
    assert len(ids) == len(p.ids), "duplicate ids"
    for href in p.hrefs:
        external = (full.provenance.source, full.sanctions_targets[0].screening[0].url)  # type: ignore[index]
        assert href == "data:," or href in external or href[1:] in ids, href
    assert 'href="#a1-hedge"' in page  # the entry's hedge links to it


def test_page_dropped_panel_is_at_the_top(full: ArticleSummary, article: str) -> None:
    page = to_html(full, article)
    panel = page.index('id="dropped"')
    assert panel < page.index('id="article"') and panel < page.index("<aside")
    section = page[panel:page.index("</section>", panel)]
    assert '<span class="count">2</span>' in section
    assert "Iran is a menace" in section and "<code>allegations[1].against</code>" in section
    assert "Nothing the model returned was dropped" in to_html(
        full.model_copy(update={"provenance": full.provenance.model_copy(update={"dropped": []})}), article)


def test_page_filters_are_static_markup_and_the_csp_pins_the_assets(full: ArticleSummary, article: str) -> None:
    from summarizer.render.assets import asset, review_css

    page = to_html(full, article)
    form = page[page.index('<form id="filters"'):page.index("</form>")]
    assert " hidden>" in form.split(">", 1)[0] + ">"  # shown by the script only (useless without it)
    people = re.findall(r'<option value="(p\d+|u)">([^<]*)</option>', form)
    assert [name for _, name in people] == ["Antony Blinken (3)", "David Lammy (1)", "State Department (2)",
                                             "unattributed or unnamed (1)"]
    assert re.findall(r'<option value="(\w+)">\w+ \(\d\)</option>', form)[-2:] == ["alleged", "claimed"]
    assert re.search(r'class="entry quote" id="e-q1" data-item="q1" data-kind="quote" data-person="p2"', page)
    assert 'data-person="u"' in page and 'data-status="claimed"' in page
    script = page[page.index("<script>") + 8:page.index("</script>")]
    style = page[page.index("<style>") + 7:page.index("</style>")]
    assert script == asset("review.js") and style == review_css()  # nothing interpolated
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page)
    assert csp and "'unsafe-inline'" not in csp.group(1)
    for source in (script, style):
        digest = base64.b64encode(hashlib.sha256(source.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp.group(1)
    assert " style=" not in page  # inline style attributes would be blocked by the CSP
    assert "color-scheme: light;" not in style and "prefers-color-scheme: dark" in style and "@media print" in style


def test_an_installed_wheel_carries_the_page_assets(
    tmp_path: Path, installed_wheel: Path, full: ArticleSummary, article: str
) -> None:
    """Build the wheel, install it apart from the checkout, render a page there: same CSS and script."""
    import subprocess
    import sys

    site = installed_wheel
    for name in ("theme.css", "review.css", "review.js", "datatable.css", "datatable.js"):
        assert (site / "summarizer" / "render" / name).is_file(), name
    result_file = tmp_path / "result.json"
    result_file.write_text(full.model_dump_json(), "utf-8")
    code = (
        "import sys, summarizer.render as r; from summarizer.schema import ArticleSummary;"
        f"res = ArticleSummary.model_validate_json(open({str(result_file)!r}).read());"
        f"sys.stdout.write(r.__file__ + '\\n' + r.to_html(res, open({str(ARTICLE)!r}).read()))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=tmp_path,
                         env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert out.returncode == 0, out.stderr
    module, page = out.stdout.split("\n", 1)
    assert module.startswith(str(site))
    assert page == to_html(full, article)  # the installed assets are the checkout's


# --------------------------------------------------------------------------- real browser: the new page

@pytest.mark.browser
def test_review_page_filters_keys_contrast_and_layouts(full: ArticleSummary, article: str, tmp_path: Path,
                                                       artifacts: Path) -> None:
    """Filters, keyboard navigation, WCAG AA contrast in both schemes, and the screenshots
    (desktop light and dark, narrow, print) saved in the session's artifacts folder."""
    sync_api = pytest.importorskip("playwright.sync_api")
    page_file = tmp_path / "review.html"
    page_file.write_text(to_html(full, article), encoding="utf-8")
    problems: list[str] = []
    requests: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = launch(pw)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})  # type: ignore[attr-defined]
            watch(page, problems, requests)
            page.goto(page_file.as_uri(), wait_until="load")
            visible = "id => !document.getElementById(id).hidden"
            off = "id => document.getElementById(id).classList.contains('off')"
            label = "id => getComputedStyle(document.getElementById(id), '::before').content"

            # -- filters: by kind
            assert page.is_visible("#filters")
            assert page.evaluate(label, "q1") == '"Q1"'
            assert page.inner_text("#f-count") == "Showing all 9 items"
            page.uncheck('#filters input[value="quote"]')
            assert not page.evaluate(visible, "e-q1") and page.evaluate(off, "q1") and page.evaluate(off, "q1-speaker")
            assert page.evaluate(label, "q1") == "none"
            assert page.evaluate(visible, "e-t1") and not page.evaluate(off, "t1")
            assert page.inner_text("#f-count") == "Showing 5 of 9 items"
            assert page.inner_text("#list-quote .count") == "0 of 4" and page.is_visible("#list-quote .none-shown")
            assert page.evaluate("document.querySelector('#q2 a.hl').tabIndex") == -1  # out of the tab order
            page.uncheck('#filters input[value="mention"]')
            assert page.evaluate(off, "a1-by") and not page.evaluate(off, "a1")
            page.click('#filters button[type="reset"]')
            until(page, "() => !document.getElementById('q1').classList.contains('off')")
            assert page.evaluate(visible, "e-q1") and not page.evaluate(off, "a1-by")
            # ... by speaker (or accuser): quotes and allegations narrow, targets stay
            page.select_option("#f-person", label="Antony Blinken (3)")
            shown = page.evaluate("[...document.querySelectorAll('.entry[data-kind]:not([hidden])')].map(e => e.id)")
            assert shown == ["e-q2", "e-t1", "e-t2", "e-a1", "e-a2"]
            assert page.evaluate(off, "q1") and page.evaluate(off, "a3") and page.evaluate(off, "a3-hedge")
            assert not page.evaluate(off, "q2") and not page.evaluate(off, "a1-hedge")
            # ... and by allegation status
            page.select_option("#f-person", value="")
            page.select_option("#f-status", value="claimed")
            assert page.evaluate("[...document.querySelectorAll('.entry.evidence:not([hidden])')].map(e => e.id)") == ["e-a2"]
            assert page.evaluate(visible, "e-q1")  # quotes have no status: not narrowed
            page.click('#filters button[type="reset"]')
            until(page, "() => document.getElementById('f-count').textContent === 'Showing all 9 items'")

            # -- keyboard: skip link, highlights in the tab order, Enter and Space jump both ways
            page.reload(wait_until="load")  # focus navigation starts at the top again
            page.keyboard.press("Tab")
            assert page.evaluate("document.activeElement.className") == "skip"
            page.keyboard.press("Enter")
            page.keyboard.press("Tab")
            assert page.evaluate("document.activeElement.matches('#article a.hl')")
            assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"  # visible focus
            page.focus("#e-q4 a.jump")
            page.keyboard.press("Enter")
            until(page, "() => document.activeElement.closest('#q4') !== null")
            assert page.evaluate("document.getElementById('q4').classList.contains('active')")
            page.keyboard.press(" ")
            until(page, "() => document.activeElement === document.querySelector('#e-q4 a.jump')")
            page.focus("#e-a1 .meta a.named[href='#a1-hedge']")
            page.keyboard.press(" ")
            until(page, "() => document.getElementById('a1-hedge').classList.contains('active')")
            page.focus(".summary .sentence[data-item='s2']")
            page.keyboard.press("Enter")
            assert page.evaluate("document.querySelectorAll('mark.support.active').length") == 2
            page.keyboard.press("Escape")
            assert page.evaluate("document.querySelectorAll('.active').length") == 0

            # -- contrast (WCAG AA), light and dark, with an item selected (its "active" colours)
            page.emulate_media(reduced_motion="reduce")  # no flash animation half-way through
            page.click("#e-a1 a.jump")
            for scheme in ("light", "dark"):
                page.emulate_media(color_scheme=scheme)
                report = page.evaluate(CONTRAST)
                assert report["checked"] > 100 and not report["bad"], (scheme, report["bad"])
            assert page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgb(243, 244, 246)"  # dark now

            # -- screenshots: desktop (light, dark), narrow, print
            page.set_viewport_size({"width": 1280, "height": 1900})  # tall enough for the sticky side lists
            shot(page, artifacts, "review-desktop-dark.png")
            page.emulate_media(color_scheme="light")
            shot(page, artifacts, "review-desktop.png")
            page.set_viewport_size({"width": 390, "height": 844})
            assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than a phone
            shot(page, artifacts, "review-narrow.png")
            page.set_viewport_size({"width": 800, "height": 1000})
            page.emulate_media(media="print", color_scheme="dark")  # print is always light
            assert not page.is_visible("#filters") and page.is_visible("#dropped")
            assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)"
            assert page.evaluate(label, "a3") == '"A3"'  # labels survive printing
            assert page.evaluate("getComputedStyle(document.querySelector('aside')).position") == "static"
            shot(page, artifacts, "review-print.png")
        finally:
            browser.close()  # type: ignore[attr-defined]
    assert not problems, problems
    assert not requests, f"the page fetched: {requests}"
