"""The pages about a whole batch: its parties and its allegations, and the parties as CSV rows.

`parties.html` is a data table of every party (`datatable.py`: sorted, filtered by role,
screening status and list, paged), each row linking to the party's details on
`parties-NNNN.html` (`CHUNK` parties a page: its spellings, roles, identifiers, list hits, and
every article and mention, each a link to the highlighted span on the article's page).
`allegations.html` does the same for accuser -> accused pairs, with their evidence sentences on
`allegations-NNNN.html`. Only static text goes into the pages; everything from a result is
escaped (detail pages) or a JSON data block (tables).
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, get_args

from ..schema import Status
from .base import NONE, short
from .datatable import Column, Filter, Table, data_page, detail_page, nav
from .parties import ROLES, Allegation, Party
from .status import LISTED, NOT_LISTED, NOT_SCREENED

CHUNK = 200  # parties (or pairs) per detail page
MAX_LISTED = 300  # articles (or allegations) listed per party (or pair) on a detail page
STATUSES: tuple[str, ...] = get_args(Status)
SCREEN_STATUSES = (LISTED, NOT_LISTED, NOT_SCREENED)
LEADS = "role=target&screening=not+listed"  # the parties page's fragment for "named as a target, on no list"


@dataclass(frozen=True)
class ArticleRef:
    """What a detail page needs to link an article: its id, page and title."""

    id: str | int
    page: str | None
    title: str | None


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def chunk_name(prefix: str, number: int) -> str:
    return f"{prefix}-{(number - 1) // CHUNK + 1:04d}.html"


def party_href(p: Party) -> str:
    return f"{chunk_name('parties', p.number)}#p{p.number}"


def site_links(parties: bool = True) -> list[tuple[str, str]]:
    links = [("index.html", "Articles")]
    if parties:
        links += [("parties.html", "Parties"), (f"parties.html#{LEADS}", "Named as a target, on no list"),
                  ("allegations.html", "Allegations")]
    return links


def _roles(p: Party) -> str:
    return ", ".join(f"{role} {p.roles[role]}" for role in ROLES if p.roles.get(role))


def _flags(values: Sequence[str], present: Sequence[str]) -> int:
    return sum(1 << values.index(v) for v in set(present) if v in values)


# --------------------------------------------------------------------------- parties


def parties_page(parties: Sequence[Party], *, source: str, articles: int) -> str:
    """The data table of every party of the batch."""
    lists = sorted({h.list for p in parties for h in p.hits})
    columns = (
        Column("Party", "link", key=True), Column("Kind"), Column("Roles", "flags", ROLES), Column("Articles", "number"),
        Column("Mentions", "number"), Column("Screening", "enum", SCREEN_STATUSES, chip=True),
        Column("List", "enum", tuple(lists)), Column("Best match", "link"), Column("Score", "number"),
        Column("Also written", hidden=True),
    )
    rows: list[list[Any]] = []
    counts: Counter[str] = Counter()
    for p in parties:
        best = p.best
        rows.append([
            [p.name, party_href(p)], p.kind or p.family, _flags(ROLES, list(p.roles)), len(p.articles),
            sum(p.roles.values()), SCREEN_STATUSES.index(p.status), lists.index(best.list) if best else None,
            [best.matched_name or best.name, best.url] if best else None, round(best.score, 2) if best else None,
            " ".join(p.variants[1:]) or None,
        ])
        counts.update(p.roles.keys())
        counts["status:" + p.status] += 1
        if best:
            counts["list:" + best.list] += 1
    table = Table(
        "parties", f"{len(parties):,} part{'y' if len(parties) == 1 else 'ies'} named in {articles:,} article(s)",
        columns, rows,
        filters=(Filter("role", "Role", 2, tuple((r, f"{r} ({counts[r]})") for r in ROLES if counts[r]), "has"),
                 Filter("screening", "Screening", 5,
                        tuple((s, f"{s} ({counts['status:' + s]})") for s in SCREEN_STATUSES if counts["status:" + s])),
                 Filter("list", "List", 6, tuple((x, f"{x} ({counts['list:' + x]})") for x in lists))),
        presets=(("Named as a target, on no list", LEADS),),
        search=(0, 9), search_label="Find a name", empty="No party matches the filters.", natural="most named first",
    )
    intro = (f'<p class="byline">Every sanctions target, speaker, accuser, accused and imposer named in '
             f"<code>{_esc(source)}</code>, the same party in different articles merged by its normalised name "
             "(or a shared IMO number or registration). Screening: listed (a list entry matched), not listed "
             "(screened, no match), not screened.</p>")
    return data_page(f"Parties: {short(source, 100)}", "Parties", intro, table,
                     site_nav=nav("parties.html", site_links()))


def _article_link(ref: ArticleRef, anchor: str | None = None) -> str:
    name = _esc(short(ref.title, 120)) if ref.title else f"<code>{_esc(ref.id)}</code>"
    if ref.page is None:
        return name
    href = ref.page + (f"#{anchor}" if anchor else "")
    return f'<a href="{_esc(href)}">{name}</a>'


def _party_section(p: Party, articles: Sequence[ArticleRef]) -> str:
    from .screening import hits_html

    meta = [_esc(p.kind or p.family or "kind not given"), _esc(_roles(p)), f"{len(p.articles):,} article(s)",
            f"id <code>{_esc(p.id)}</code>"]
    sep = " \u00b7 "
    parts = [f'<section id="p{p.number}"><h2>{_esc(p.name)}</h2><p class="meta">{sep.join(meta)}</p>']
    if len(p.variants) > 1:
        parts.append(f"<p>Also written: {', '.join(_esc(v) for v in p.variants[1:])}</p>")
    if p.identifiers:
        parts.append(f"<p>Identifiers: {', '.join(f'<code>{_esc(i)}</code>' for i in p.identifiers)}</p>")
    if p.countries:
        parts.append(f"<p>Country as the articles give it: {', '.join(_esc(c) for c in p.countries)}</p>")
    status = {LISTED: "listed", NOT_LISTED: "screened, not on any list screened", NOT_SCREENED: "not screened"}[p.status]
    parts.append(f'<p>Screening: <span class="chip chip-{p.status.replace(" ", "-")}">{_esc(status)}</span></p>')
    if p.hits:
        parts.append(hits_html(p.hits))
    by_article: dict[int, list[tuple[str, int]]] = {}
    for n, anchor, role in p.mentions:
        by_article.setdefault(n, []).append((anchor, role))
    items = []
    for n in p.articles[:MAX_LISTED]:
        ref = articles[n]
        links = ", ".join(
            f'<a href="{_esc(ref.page)}#{_esc(anchor)}">{_esc(_label(anchor))} {ROLES[role]}</a>' if ref.page
            else f"{_esc(_label(anchor))} {ROLES[role]}"
            for anchor, role in by_article.get(n, [])
        )
        items.append(f"<li>{_article_link(ref)}: {links or NONE}</li>")
    more = len(p.articles) - MAX_LISTED
    if more > 0:
        items.append(f"<li>\u2026 and {more:,} more article(s): see <code>render -f parties</code></li>")
    parts.append(f"<ul>{''.join(items)}</ul></section>")
    return "".join(parts)


def _label(anchor: str) -> str:
    """The page label of a mention anchor: q3-speaker -> Q3, e-t1 -> T1, a2-by -> A2."""
    return anchor.removeprefix("e-").split("-", 1)[0].upper()


def party_pages(parties: Sequence[Party], articles: Sequence[ArticleRef], *, source: str) -> Iterator[tuple[str, str]]:
    """The detail pages, (file name, html), `CHUNK` parties each."""
    for start in range(0, len(parties), CHUNK):
        part = parties[start : start + CHUNK]
        name = chunk_name("parties", part[0].number)
        intro = f'<p class="byline">Parties {part[0].number:,}\u2013{part[-1].number:,} of {len(parties):,}.</p>'
        body = "".join(_party_section(p, articles) for p in part)
        yield name, detail_page(f"Parties {part[0].number}\u2013{part[-1].number}: {short(source, 80)}", "Parties",
                                intro, body, site_nav=nav(name, site_links()))


# --------------------------------------------------------------------------- allegations


@dataclass
class Pair:
    """Allegations from one accuser against one accused (either may be unnamed)."""

    accuser: Party | None
    accused: Party | None
    items: list[Allegation] = field(default_factory=list)
    number: int = 0

    @property
    def title(self) -> str:
        return f"{self.accuser.name if self.accuser else '(not named)'} \u2192 {self.accused.name if self.accused else '(not named)'}"


def pairs_of(allegations: Sequence[Allegation]) -> list[Pair]:
    """Allegations grouped by (accuser, accused); most frequent first."""
    pairs: dict[tuple[str, str], Pair] = {}
    for a in allegations:
        key = (a.accuser.id if a.accuser else "", a.accused.id if a.accused else "")
        pairs.setdefault(key, Pair(a.accuser, a.accused)).items.append(a)
    out = sorted(pairs.values(), key=lambda p: (-len(p.items), p.title.casefold()))
    for i, pair in enumerate(out, 1):
        pair.number = i
    return out


def _party_cell(p: Party | None) -> list[Any]:
    return [p.name, party_href(p)] if p is not None else ["(not named)", None]


def allegations_page(pairs: Sequence[Pair], *, source: str) -> str:
    columns = (
        Column("Accuser", "link", key=True), Column("Accused", "link"), Column("Allegations", "number"),
        Column("Status", "flags", STATUSES), Column("Hedged", "number"), Column("Hedges", wide=True),
        Column("Articles", "number"), Column("Evidence", "link"),
    )
    rows = []
    counts: Counter[str] = Counter()
    for pair in pairs:
        statuses = [a.status for a in pair.items]
        hedges = list(dict.fromkeys(a.hedge.casefold() for a in pair.items if a.hedge))
        counts.update(set(statuses))
        rows.append([
            _party_cell(pair.accuser), _party_cell(pair.accused), len(pair.items), _flags(STATUSES, statuses),
            sum(1 for a in pair.items if a.hedge), ", ".join(hedges) or None, len({a.article for a in pair.items}),
            ["evidence", f"{chunk_name('allegations', pair.number)}#x{pair.number}"],
        ])
    total = sum(len(p.items) for p in pairs)
    table = Table(
        "allegations", f"{total:,} allegation(s) in {len(pairs):,} accuser \u2192 accused pair(s)", columns, rows,
        filters=(Filter("status", "Status", 3, tuple((s, f"{s} ({counts[s]})") for s in STATUSES if counts[s]), "has"),),
        search=(0, 1), search_label="Find a party", empty="No allegation matches the filters.",
        natural="most frequent first",
    )
    intro = (f'<p class="byline">Who accuses whom across <code>{_esc(source)}</code>: each accuser \u2192 accused '
             "pair with its count, how the articles present it (alleged, claimed, denied, confirmed, charged, "
             "convicted) and how often it is hedged; the evidence sentences are one click away.</p>")
    return data_page(f"Allegations: {short(source, 100)}", "Allegations across the batch", intro, table,
                     site_nav=nav("allegations.html", site_links()))


def _pair_section(pair: Pair, articles: Sequence[ArticleRef]) -> str:
    def who(p: Party | None) -> str:
        return f'<a href="{_esc(party_href(p))}">{_esc(p.name)}</a>' if p else "<em>not named</em>"

    items = []
    for a in pair.items[:MAX_LISTED]:
        ref = articles[a.article]
        hedge = f" \u00b7 hedge \u201c{_esc(a.hedge)}\u201d" if a.hedge else ""
        link = (f'<a href="{_esc(ref.page)}#{_esc(a.anchor)}">{_esc(a.label)}</a>' if ref.page else _esc(a.label))
        items.append(f'<li><span class="chip">{_esc(a.status)}</span>{hedge} \u00b7 {link} in {_article_link(ref)}'
                     f"<br>{_esc(a.claim)}<blockquote>{_esc(a.evidence)}</blockquote></li>")
    more = len(pair.items) - MAX_LISTED
    if more > 0:
        items.append(f"<li>\u2026 and {more:,} more</li>")
    return (f'<section id="x{pair.number}"><h2>{who(pair.accuser)} \u2192 {who(pair.accused)}</h2>'
            f'<p class="meta">{len(pair.items):,} allegation(s)</p><ul>{"".join(items)}</ul></section>')


def allegation_pages(pairs: Sequence[Pair], articles: Sequence[ArticleRef], *, source: str) -> Iterator[tuple[str, str]]:
    for start in range(0, len(pairs), CHUNK):
        part = pairs[start : start + CHUNK]
        name = chunk_name("allegations", part[0].number)
        intro = f'<p class="byline">Pairs {part[0].number:,}\u2013{part[-1].number:,} of {len(pairs):,}.</p>'
        body = "".join(_pair_section(p, articles) for p in part)
        yield name, detail_page(f"Allegations {part[0].number}\u2013{part[-1].number}: {short(source, 80)}",
                                "Allegations", intro, body, site_nav=nav(name, site_links()))


# --------------------------------------------------------------------------- CSV rows

PARTY_COLUMNS = (
    "party_id", "name", "kind", "schema", "variants", "roles", "articles", "mentions", "article_ids", "identifiers",
    "countries", "screen_status", "list", "entry_id", "matched_name", "score", "url", "hits",
)
"""`render -f parties`: one row per party. `variants` and `article_ids` are joined with "; "
(article ids cut at `_CELL` characters, a spreadsheet's cell limit), `roles` reads "target 3,
speaker 1", the screening columns are the best hit's."""

_CELL = 30_000


def _joined(values: Sequence[object]) -> str:
    out: list[str] = []
    size = 0
    for i, v in enumerate(values):
        text = str(v)
        if size + len(text) > _CELL:
            out.append(f"\u2026 {len(values) - i} more")
            break
        out.append(text)
        size += len(text) + 2
    return "; ".join(out)


def party_rows(parties: Sequence[Party], ids: Sequence[str | int]) -> Iterator[dict[str, Any]]:
    """One row per party (`ids[n]` is the batch id of article number n)."""
    for p in parties:
        best = p.best
        row: dict[str, Any] = {
            "party_id": p.id, "name": p.name, "kind": p.kind or p.family, "schema": p.schema,
            "variants": "; ".join(p.variants[1:]) or None, "roles": _roles(p), "articles": len(p.articles),
            "mentions": sum(p.roles.values()), "article_ids": _joined([ids[n] for n in p.articles]),
            "identifiers": "; ".join(p.identifiers) or None, "countries": "; ".join(p.countries) or None,
            "screen_status": p.status, "hits": None if p.status == NOT_SCREENED else len(p.hits),
        }
        row.update(dict.fromkeys(("list", "entry_id", "matched_name", "score", "url")))
        if best is not None:
            row.update(list=best.list, entry_id=best.entry_id, matched_name=best.matched_name, score=best.score,
                       url=best.url)
        yield {c: row.get(c) for c in PARTY_COLUMNS}
