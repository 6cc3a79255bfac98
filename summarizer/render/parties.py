"""The named parties of a whole batch: every sanctions target, speaker, accuser, accused and
imposer, the same party in different articles merged, with its roles, articles, mentions and
screening status. Built in one pass (`PartyIndex.add` per article), merged at the end.

Merging is conservative and uses OpenSanctions' own name handling (through
`screening.normalize`, the project's one home for rigour): two mentions are one party only when
their names normalise to the same key (rigour's `normalize_name`, transliteration to ASCII, and
for organisations its legal-form table, so "Ltd" and "Limited" agree) and they are the same
sort of thing, or when they share a strong identifier (an IMO number or aircraft registration
written in the name or right next to a target's mention, `NEAR_ID` characters). The sort of
thing is the target's kind as a family (person; vessel; aircraft; any other kind an entity); a
speaker, accuser, accused or imposer has no kind and joins the one family its name has elsewhere
in the batch, or stays apart when the name is used for two (a person and a company). Word order
and initials are never guessed: "Akhilesh Kumar" and "Kumar" are two parties, both listed.

Each party gets a stable id (SHA-1 of its family and key, or of its strong identifier), the
same on every run and in the FollowTheMoney export (`ftm.py`), so outputs of several batches
join on it.
"""

from __future__ import annotations

import hashlib
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..schema import ArticleSummary, ScreeningHit, Span
from .base import span_ok
from .status import LISTED, NOT_LISTED, NOT_SCREENED

ROLES = ("target", "speaker", "accuser", "accused", "imposer")
FAMILY = {"person": "person", "vessel": "vessel", "aircraft": "aircraft", "organization": "entity",
          "government": "entity", "country": "entity", "other": "entity"}
NEAR_ID = 40  # characters between a target's mention and an identifier written for it ("X (IMO 9116412)")


@lru_cache(maxsize=4096)
def name_key(name: str, family: str | None) -> str:
    """The merge key of a name: rigour's normalisation, ASCII, legal forms alike (not for people)."""
    from ..screening.normalize import prepare, tokens

    if family != "person":
        from rigour.names import replace_org_types_compare

        name = replace_org_types_compare(prepare(name))
    return " ".join(tokens(name))


def stable_id(*parts: str) -> str:
    """A stable entity id: SHA-1 of the parts, each ended by "." (so ("ab", "c") and ("a",
    "bc") differ), hex, as FollowTheMoney ids look. The party ids on the pages, in `render -f
    parties` and in the FtM export are the same, so the outputs join on them."""
    digest = hashlib.sha1(usedforsecurity=False)
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b".")
    return digest.hexdigest()


_Key = tuple[str, "str | None"]  # a bucket's (normalised name, family)


class _Bucket:
    """The mentions of one (key, family) seen so far. Slots, and containers made only when
    needed: a batch of 10,000 articles has tens of thousands of these, most named once."""

    __slots__ = ("key", "family", "variants", "kinds", "roles", "countries", "mentions", "identifiers",
                 "screened", "hits", "articles")

    def __init__(self, key: str, family: str | None) -> None:
        self.key = key
        self.family = family
        self.variants: dict[str, int] = {}
        self.kinds: dict[str, int] | None = None
        self.roles = [0] * len(ROLES)
        self.countries: dict[str, int] | None = None
        self.mentions: list[tuple[int, str, int]] | None = None  # (article, anchor, role index)
        self.identifiers: set[str] | None = None
        self.screened = False
        self.hits: dict[tuple[str, str], ScreeningHit] | None = None
        self.articles: list[int] = []  # article numbers, each once


def _count(counts: dict[str, int] | None, value: str) -> dict[str, int]:
    counts = {} if counts is None else counts
    counts[value] = counts.get(value, 0) + 1
    return counts


@dataclass(eq=False, slots=True)
class Allegation:
    """One allegation of the batch, between parties (None: unnamed, or not a name)."""

    article: int
    label: str  # A1
    anchor: str  # where the page highlights its evidence
    accuser: Party | None
    accused: Party | None
    status: str
    hedge: str | None
    claim: str
    evidence: str


@dataclass(eq=False, slots=True)
class Party:
    """One party of the batch, merged (see the module docstring)."""

    id: str
    name: str
    family: str | None
    kind: str | None
    variants: list[str]
    roles: dict[str, int]  # role -> mentions, only the roles it has
    articles: list[int]
    mentions: list[tuple[int, str, int]]
    identifiers: list[str]
    countries: list[str]
    status: str  # listed | not listed | not screened
    hits: list[ScreeningHit]
    number: int = 0  # its place on the parties page (1-based)

    @property
    def schema(self) -> str:
        """The FollowTheMoney schema of this party."""
        if self.family == "person":
            return "Person"
        if self.family == "vessel":
            return "Vessel"
        if self.family == "aircraft":
            return "Airplane"
        return "Organization" if self.kind in ("organization", "government") else "LegalEntity"

    @property
    def best(self) -> ScreeningHit | None:
        return self.hits[0] if self.hits else None


def _anchor(page_text: str | None, text_known: bool, span: Span | None, ident: str, owner: str) -> str:
    """The page fragment of a mention: its highlight when the page draws it, else its item's entry."""
    if text_known and span is not None and span_ok(page_text, span):
        return ident
    return f"e-{owner}"


class PartyIndex:
    """Collects the parties of every article (`add`), merges them (`finish`).

    `mentions=False` keeps only what merging and the FtM export need (no mention anchors, no
    allegation texts), to save memory when no page is written.
    """

    def __init__(self, *, mentions: bool = True) -> None:
        self.keep = mentions
        self._buckets: dict[tuple[str, str | None], _Bucket] = {}
        self._allegations: list[tuple[int, str, str, _Key | None, _Key | None, str, str | None, str, str]] = []
        self.parties: list[Party] = []
        self._of: dict[_Key, Party] = {}  # (key, family) of each bucket -> its party, after finish

    # -- collecting ---------------------------------------------------------------------------
    def _bucket(self, name: str, kind: str | None) -> _Bucket | None:
        family = FAMILY.get(kind) if kind is not None else None
        key = name_key(name, family)
        if not key:
            return None
        bucket = self._buckets.get((key, family))
        if bucket is None:
            bucket = self._buckets[(key, family)] = _Bucket(key, family)
        return bucket

    def _mention(self, n: int, role: str, name: str | None, kind: str | None, anchor: str,
                 hits: list[ScreeningHit] | None) -> _Bucket | None:
        if name is None or not name.strip():
            return None
        bucket = self._bucket(name, kind)
        if bucket is None:
            return None
        _count(bucket.variants, " ".join(name.split()))
        bucket.roles[ROLES.index(role)] += 1
        if kind is not None:
            bucket.kinds = _count(bucket.kinds, kind)
        if not bucket.articles or bucket.articles[-1] != n:
            bucket.articles.append(n)
        if self.keep:
            if bucket.mentions is None:
                bucket.mentions = []
            bucket.mentions.append((n, sys.intern(anchor), ROLES.index(role)))
        if hits is not None:
            bucket.screened = True
            for h in hits:
                if bucket.hits is None:
                    bucket.hits = {}
                old = bucket.hits.get((h.list, h.entry_id))
                if old is None or h.score > old.score:
                    bucket.hits[(h.list, h.entry_id)] = h
        return bucket

    def add(self, n: int, result: ArticleSummary, text: str | None) -> None:
        """Every named party of article number `n`; `text` is the article when it was found
        (mention anchors point at highlights only then, and identifiers are read from it)."""
        from ..screening.entries import find_identifiers

        known = text is not None
        page_text = result.text if result.text is not None else text
        found = find_identifiers(page_text) if page_text else []
        targets = result.sanctions_targets
        for i, t in enumerate(targets, 1):
            owner = f"t{i}"
            bucket = self._mention(n, "target", t.name, t.kind, _anchor(page_text, known, t.mention, owner, owner),
                                   t.screening)
            if bucket is not None:
                if t.country:
                    bucket.countries = _count(bucket.countries, t.country)
                idents = {ident.key for ident, _, _ in find_identifiers(t.name)}
                idents.update(self._near(found, t.mention, [o.mention for o in targets]))
                if idents:
                    bucket.identifiers = (bucket.identifiers or set()) | idents
            self._mention(n, "imposer", t.imposed_by, None,
                          _anchor(page_text, known, t.imposed_by_mention, f"{owner}-imposer", owner), None)
        for i, q in enumerate(result.quotes, 1):
            m = q.speaker_mention
            self._mention(n, "speaker", q.speaker, None, _anchor(page_text, known, m, f"q{i}-speaker", f"q{i}"),
                          m.screening if m is not None else None)
        for i, a in enumerate(result.allegations, 1):
            owner = f"a{i}"
            by, against = a.alleged_by_mention, a.against_mention
            accuser = self._mention(n, "accuser", a.alleged_by, None, _anchor(page_text, known, by, f"{owner}-by", owner),
                                    by.screening if by is not None else None)
            accused = self._mention(n, "accused", a.against, None,
                                    _anchor(page_text, known, against, f"{owner}-against", owner),
                                    against.screening if against is not None else None)
            if self.keep:
                anchor = _anchor(page_text, known, a.evidence, owner, owner)
                self._allegations.append((
                    n, f"A{i}", anchor, (accuser.key, accuser.family) if accuser else None,
                    (accused.key, accused.family) if accused else None, sys.intern(a.status),
                    sys.intern(a.hedge.casefold()) if a.hedge else None, a.claim[:300], a.evidence.text[:400]))

    @staticmethod
    def _near(found: list[Any], span: Span, others: list[Span]) -> Iterator[str]:
        """Identifiers written right next to this mention and nearer to it than to any other target."""
        def gap(s: Span, start: int, end: int) -> int:
            return start - s.end if start >= s.end else s.start - end if s.start >= end else 0

        for ident, start, end in found:
            mine = gap(span, start, end)
            if mine <= NEAR_ID and all(gap(o, start, end) >= mine for o in others if o is not span):
                yield ident.key

    # -- merging --------------------------------------------------------------------------------
    def finish(self) -> list[Party]:
        """Merge the buckets into parties (see the module docstring); sorted by how widely named."""
        parent: dict[int, _Bucket] = {}

        def find(b: _Bucket) -> _Bucket:
            root = b
            while parent.get(id(root), root) is not root:
                root = parent[id(root)]
            parent[id(b)] = root
            return root

        def union(a: _Bucket, b: _Bucket) -> None:
            ra, rb = find(a), find(b)
            if ra is not rb:
                parent[id(rb)] = ra

        by_key: dict[str, list[_Bucket]] = {}
        for (key, _), bucket in self._buckets.items():
            by_key.setdefault(key, []).append(bucket)
        for buckets in by_key.values():
            known = [b for b in buckets if b.family is not None]
            unknown = [b for b in buckets if b.family is None]
            if len(known) == 1 and unknown:
                union(known[0], unknown[0])
        holders: dict[tuple[str, str], _Bucket] = {}
        for bucket in self._buckets.values():
            family = find(bucket).family
            for ident in bucket.identifiers or ():
                if family is None:
                    continue
                other = holders.setdefault((family, ident), bucket)
                union(other, bucket)

        groups: dict[int, list[_Bucket]] = {}
        for bucket in self._buckets.values():
            groups.setdefault(id(find(bucket)), []).append(bucket)
        del by_key, holders
        parent.clear()
        self._buckets = {}  # each bucket is released as its party is built: never both at once
        parties = []
        for members in groups.values():
            party = self._party(members)
            for b in members:
                self._of[(b.key, b.family)] = party
            parties.append(party)
        del groups
        parties.sort(key=lambda p: (-len(p.articles), -sum(p.roles.values()), p.name.casefold(), p.id))
        for number, party in enumerate(parties, 1):
            party.number = number
        self.parties = parties
        return parties

    def _party(self, members: list[_Bucket]) -> Party:
        variants: Counter[str] = Counter()
        kinds: Counter[str] = Counter()
        roles = [0] * len(ROLES)
        countries: Counter[str] = Counter()
        mentions: list[tuple[int, str, int]] = []
        identifiers: set[str] = set()
        hits: dict[tuple[str, str], ScreeningHit] = {}
        articles: set[int] = set()
        screened = False
        for b in members:
            variants.update(b.variants)
            kinds.update(b.kinds or {})
            roles = [x + y for x, y in zip(roles, b.roles, strict=True)]
            countries.update(b.countries or {})
            mentions.extend(b.mentions or ())
            identifiers |= b.identifiers or set()
            articles.update(b.articles)
            screened = screened or b.screened
            for k, h in (b.hits or {}).items():
                if k not in hits or h.score > hits[k].score:
                    hits[k] = h
            b.variants, b.kinds, b.countries, b.mentions, b.identifiers, b.hits, b.articles = {}, None, None, None, None, None, []
        family = next((b.family for b in members if b.family is not None), None)
        ranked = [v for v, _ in sorted(variants.items(), key=lambda kv: (-kv[1], kv[0]))]
        ids = sorted(identifiers)
        key = min(b.key for b in members if b.family == family) if family else members[0].key
        ident = stable_id("summarizer", "party", family or "entity", ids[0] if ids else key)
        best = sorted(hits.values(), key=lambda h: -h.score)
        status = LISTED if best else NOT_LISTED if screened else NOT_SCREENED
        mentions.sort()
        return Party(ident, ranked[0], family, kinds.most_common(1)[0][0] if kinds else None, ranked,
                     {r: n for r, n in zip(ROLES, roles, strict=True) if n}, sorted(articles), mentions, ids,
                     [c for c, _ in countries.most_common()], status, best)

    def party_of(self, name: str | None, kind: str | None) -> Party | None:
        """After `finish`: the party a name (with its target kind, or None) was merged into."""
        if name is None or not name.strip():
            return None
        family = FAMILY.get(kind) if kind is not None else None
        return self._of.get((name_key(name, family), family))

    def allegations(self) -> list[Allegation]:
        """After `finish`: every allegation of the batch, between merged parties."""
        out = []
        for n, label, anchor, by, against, status, hedge, claim, evidence in self._allegations:
            out.append(Allegation(n, label, anchor, self._of.get(by) if by else None,
                                  self._of.get(against) if against else None, status, hedge, claim, evidence))
        return out
