"""Screening names against a list index: candidates, scores, and why each hit matched.

Scoring follows OpenSanctions' own name matcher (nomenklatura's `logic_v2`, which yente
runs), rebuilt on the `rigour` primitives it uses, because nomenklatura itself would bring
scikit-learn, duckdb and textual for one function:
- names are analysed by `rigour.names.analyze_names` (prefixes such as Mr/Dr dropped, legal
  forms canonicalised, parts tagged, name-variant / org-class / numeric symbols attached);
- `rigour.names.pair_symbols` pairs parts that share a symbol (Mohammed ~ Muhammad via
  Wikidata name ids, "Co., Ltd." ~ "LLC" as org class), `align_person_name_order` fixes word
  order, and `rigour.names.compare_parts` scores the rest by a typo-tolerant edit distance;
- the score is the weighted mean of the aligned pieces; words found on one side only weigh in
  with `EXTRA_QUERY_WEIGHT` / `EXTRA_RESULT_WEIGHT`, and a family-name match counts more.
Vessels and aircraft are compared as whole strings (a differing number, GENAVA 11 vs 12,
cuts the score), as logic_v2 does for objects.

We differ from yente's defaults on purpose in one place: a word of the listed name missing
from the query weighs 0.5 for organisations and 0.3 for people here, not 0.2, because our
queries are names an article printed in full ("Iran" alone must not hit IRAN AIR), while people
are often named without middle names or second surnames ("Jorge Arreaza" is ARREAZA
MONTSERRAT, Jorge Alberto). Measured in docs/screening.md.

Strong identifiers take precedence over names: an IMO number or aircraft registration in the
query, or beside the target's mention in the article, that a listed entry carries is a hit
with score 1.0, listed first.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ..schema import ScreeningHit as Hit  # the output contract itself: one definition
from .entries import Entry, Identifier, find_identifiers, is_tail_number
from .normalize import explain_equal, keys, prepare
from .scores import rounded

if TYPE_CHECKING:
    from rigour.names import Alignment, Name

    from .index import ListIndex

DEFAULT_THRESHOLD = 0.70  # yente's default match threshold, same scale
EXTRA_QUERY_WEIGHT = 0.8  # a query word the listed name lacks (yente: 0.8)
EXTRA_RESULT_WEIGHT = 0.5  # a listed word the query lacks (yente: 0.2; see the docstring)
EXTRA_RESULT_WEIGHT_PERSON = 0.3  # ... for people: middle names, second surnames, patronymics
FAMILY_NAME_WEIGHT = 1.3  # a family-name match weighs more (yente: 1.3)
NUMBER_MISMATCH = 0.3  # objects whose numbers differ lose this share (yente: 0.3)
CANDIDATES = 25  # listed names scored in full per query name, best by shared rare keys
MAX_POSTING = 2_000  # keys on more names than this (LLC, TRADING) only count when nothing else does
SYMBOL_MARGIN = 0.25  # how far below the threshold a person candidate is re-scored with rigour's taggers

# Which listed types a target of each kind is compared with. A country is never an entry of
# a sanctions list (the program names it), so a country target is not screened by name.
COMPATIBLE: dict[str | None, tuple[str, ...]] = {
    "person": ("person",),
    "organization": ("organization", "other"),
    "government": ("organization", "other"),
    "vessel": ("vessel",),
    "aircraft": ("aircraft",),
    "country": (),
    "other": ("person", "organization", "vessel", "aircraft", "other"),
    None: ("person", "organization", "vessel", "aircraft", "other"),
}


# --------------------------------------------------------------------------- names


def _tag(entry_type: str) -> Any:
    from rigour.names import NameTypeTag

    return {"person": NameTypeTag.PER, "vessel": NameTypeTag.OBJ, "aircraft": NameTypeTag.OBJ}.get(
        entry_type, NameTypeTag.ORG
    )


@lru_cache(maxsize=200_000)
def analyzed(name: str, entry_type: str, is_query: bool, symbols: bool = True) -> Name | None:
    """rigour's analysis of one name; "FAMILY, Given" list names get their parts tagged.

    `symbols=False` skips rigour's taggers; for a person name that is what keeps rigour from
    building its person-name tagger (seconds and hundreds of MB, once per process)."""
    from rigour.names import NamePartTag, NameTypeTag, analyze_names

    tag = _tag(entry_type)
    part_tags = None
    if tag == NameTypeTag.PER and not is_query and name.count(",") == 1:
        family, given = (s.strip() for s in name.split(","))
        if family and given:
            part_tags = {NamePartTag.FAMILY: [family], NamePartTag.GIVEN: [given]}
    names = analyze_names(tag, [prepare(name)], part_tags, infer_initials=is_query, consolidate=False, symbols=symbols)
    return next(iter(names), None)


def _score_symbolic(query: Name, result: Name) -> tuple[float, list[Alignment]]:
    """logic_v2's `match_name_symbolic` on rigour primitives: best pairing, weighted mean."""
    from rigour.names import (
        NamePart,
        NamePartTag,
        NameTypeTag,
        Symbol,
        align_person_name_order,
        compare_parts,
        pair_symbols,
    )

    sym_scores = {Symbol.Category.ORG_CLASS: 0.8, Symbol.Category.INITIAL: 0.9, Symbol.Category.NAME: 0.9,
                  Symbol.Category.NICK: 0.6, Symbol.Category.SYMBOL: 0.9, Symbol.Category.DOMAIN: 0.9,
                  Symbol.Category.NUMERIC: 0.9, Symbol.Category.LOCATION: 0.9}
    sym_weights = {Symbol.Category.ORG_CLASS: 0.7, Symbol.Category.INITIAL: 0.5, Symbol.Category.NICK: 0.8,
                   Symbol.Category.SYMBOL: 0.3, Symbol.Category.DOMAIN: 0.7, Symbol.Category.NUMERIC: 1.3,
                   Symbol.Category.LOCATION: 0.8}
    extra_weights = {Symbol.Category.ORG_CLASS: 0.7, Symbol.Category.SYMBOL: 0.7,
                     Symbol.Category.NUMERIC: 1.3, Symbol.Category.LOCATION: 0.8}

    def extras(name: Name) -> dict[tuple[Any, ...], float]:
        out: dict[tuple[Any, ...], float] = {}
        for span in name.spans:
            w = extra_weights.get(span.symbol.category, 1.0)
            if w != 1.0:
                out[span.parts] = out.get(span.parts, 1.0) * w
        return out

    q_extra, r_extra = extras(query), extras(result)
    extra_result = EXTRA_RESULT_WEIGHT_PERSON if NameTypeTag.PER in (query.tag, result.tag) else EXTRA_RESULT_WEIGHT
    best, best_matches = 0.0, []
    for edges in pair_symbols(query, result) or [()]:
        matches = []
        for edge in edges:
            if edge.symbol is not None:
                edge.score = sym_scores.get(edge.symbol.category, 1.0)
                edge.weight = sym_weights.get(edge.symbol.category, 1.0)
            matches.append(edge)
        q_used = {p for e in edges for p in e.qps}
        r_used = {p for e in edges for p in e.rps}
        q_rem = [p for p in query.parts if p not in q_used]
        r_rem = [p for p in result.parts if p not in r_used]
        if q_rem or r_rem:
            if NameTypeTag.PER in (query.tag, result.tag):
                q_rem, r_rem = align_person_name_order(q_rem, r_rem)
            else:
                q_rem, r_rem = NamePart.tag_sort(q_rem), NamePart.tag_sort(r_rem)
            matches.extend(compare_parts(q_rem, r_rem))
        for m in matches:
            if not m.qps:
                m.weight = extra_result * (0.5 if _stop(m.rps) else r_extra.get(tuple(m.rps), 1.0))
            elif not m.rps:
                m.weight = EXTRA_QUERY_WEIGHT * (0.5 if _stop(m.qps) else q_extra.get(tuple(m.qps), 1.0))
            if _stop(m.qps) or _stop(m.rps):
                m.weight *= 0.7
            if m.score < 1.0 and m.qps and m.rps and m.qstr == m.rstr:
                m.score = 1.0
            if any(p.tag == NamePartTag.FAMILY for p in (*m.qps, *m.rps)):
                m.weight *= FAMILY_NAME_WEIGHT
        total = sum(m.weight for m in matches)
        score = sum(m.score * m.weight for m in matches) / total if total > 0 else 0.0
        if score > best:
            best, best_matches = score, list(matches)
            if score >= 1.0:
                break
    return best, best_matches


@lru_cache(maxsize=1)
def _stop_tag() -> Any:
    from rigour.names import NamePartTag

    return NamePartTag.STOP


def _stop(parts: Iterable[Any]) -> bool:
    parts = list(parts)
    return len(parts) == 1 and parts[0].tag == _stop_tag()


def _score_object(query: str, listed: str) -> tuple[float, str]:
    """Vessels and aircraft: whole-name edit distance; a differing number costs 30%."""
    import re

    from rigour.names import normalize_name, remove_obj_prefixes
    from rigour.text import ascii_text, levenshtein

    q = remove_obj_prefixes(ascii_text(normalize_name(query) or ""))
    r = remove_obj_prefixes(ascii_text(normalize_name(listed) or ""))
    if not q or not r:
        return 0.0, ""
    if q == r:
        score, detail = 1.0, ""
    else:
        longest = max(len(q), len(r))
        max_edits = longest // 5
        dist = levenshtein(q, r)
        score = 0.0 if max_edits < 1 or dist > max_edits else (1 - dist / longest) ** max_edits
        detail = f"spelling {q!r}~{r!r}"
    if set(re.findall(r"\d+", q)) - set(re.findall(r"\d+", r)):
        score *= 1 - NUMBER_MISMATCH
        detail = f"numbers differ ({q!r} vs {r!r})"
    return score, detail


def _explain(alignments: list[Alignment]) -> list[str]:
    """Alignment pieces in words: what matched how, and what one side has extra."""
    out = []
    for a in alignments:
        if a.symbol is not None:
            if a.qstr != a.rstr:
                cat = str(a.symbol.category.value)
                label = {"NAME": "name variant", "ORGCLS": "legal form", "INITIAL": "initial",
                         "NICK": "nickname", "NUM": "number", "LOC": "place name"}.get(cat, "synonym")
                out.append(f"{label} {a.qstr!r}~{a.rstr!r}")
        elif a.qps and a.rps:
            if a.qstr != a.rstr:
                out.append(f"spelling {a.qstr!r}~{a.rstr!r} ({a.score:.2f})")
        elif a.qps:
            out.append(f"only in the query: {a.qstr!r}")
        else:
            out.append(f"only in the entry: {a.rstr!r}")
    return out


def score_name(
    query: str, listed: str, entry_type: str, *, query_kind: str | None = "person", threshold: float = DEFAULT_THRESHOLD
) -> tuple[float, str]:
    """How well `query` matches one listed name (0..1), and how, in words.

    Names are first scored without rigour's taggers; only a candidate within `SYMBOL_MARGIN` of
    the threshold is scored again with them (name variants such as Mohammed ~ Muhammad, legal
    forms, place names). A listed person compared with a query known to be a person is always
    scored in full. So an organisation's name does not make rigour build its person-name tagger
    (5-13 s and ~450 MB, once per process), and a far-off candidate costs no tagger at all. The
    price, measured on 693 names in docs/screening.md: a name variant that lifts a score by more
    than the margin is missed when the kind is unknown (1 of 693: "Eric Chan" ~ CHEN, Eric,
    found at 0.94 with --kind person).
    """
    steps = explain_equal(query, listed)
    if steps is not None:
        return 1.0, ", ".join(steps) if steps else "exact"
    if entry_type in ("vessel", "aircraft"):
        if is_tail_number(query) or is_tail_number(listed):
            return 0.0, ""  # a registration mark is an identifier: equal (above) or another aircraft
        return _score_object(query, listed)
    if entry_type != "person" or query_kind != "person":
        plain = _score_analyzed(query, listed, entry_type, symbols=False)
        if plain[0] < threshold - SYMBOL_MARGIN:
            return plain
    return _score_analyzed(query, listed, entry_type, symbols=True)


def _score_analyzed(query: str, listed: str, entry_type: str, *, symbols: bool) -> tuple[float, str]:
    q = analyzed(query, entry_type, True, symbols)
    r = analyzed(listed, entry_type, False, symbols)
    if q is None or r is None:
        return 0.0, ""
    if q.comparable == r.comparable:
        return 1.0, "name analysis (prefixes, legal forms)"
    score, alignments = _score_symbolic(q, r)
    detail = "; ".join(_explain(alignments))
    if not query.isascii():
        detail = "transliterated; " + detail
    return score, detail


# --------------------------------------------------------------------------- screening


def _candidates(index: ListIndex, name: str, types: tuple[str, ...]) -> list[tuple[int, tuple[int, str, str, str]]]:
    """(position, (entry, listed name, how, type)) of the listed names worth scoring: those
    sharing the rarest keys with `name`, of a compatible type, best first (ties by position,
    so the same query always gets the same candidates)."""
    postings = index.postings(keys(name))
    rare = [k for k in postings if len(postings[k]) <= MAX_POSTING]
    weight: dict[int, float] = {}
    if not rare and len(postings) > 1:
        # every word is common (Mohammad Hassan): only names sharing the two rarest count
        first, second = sorted(postings, key=lambda k: len(postings[k]))[:2]
        both = set(postings[first]).intersection(postings[second])
        for k in postings:
            w = index.idf(len(postings[k]))
            for pos in both.intersection(postings[k]) if k not in (first, second) else both:
                weight[pos] = weight.get(pos, 0.0) + w
    for k in rare or ([] if weight else list(postings)):
        w = index.idf(len(postings[k]))
        for pos in postings[k]:
            weight[pos] = weight.get(pos, 0.0) + w
    ranked = sorted(weight, key=lambda p: (-weight[p], p))
    out: list[tuple[int, tuple[int, str, str, str]]] = []
    for start in range(0, len(ranked), 200):
        chunk = ranked[start : start + 200]
        rows = index.names_at(chunk)
        for pos in chunk:
            row = rows.get(pos)
            if row is None:
                from .index import DamagedIndex

                raise DamagedIndex(index.file, f"name {pos} is missing")
            if row[3] in types:
                out.append((pos, row))
                if len(out) == CANDIDATES:
                    return out
    return out


def _hit(index: ListIndex, entry: Entry, matched: str, score: float, why: str) -> Hit:
    return Hit(
        list=index.name,
        entry_id=entry.entry_id,
        name=entry.name,
        matched_name=matched,
        programs=list(entry.programs),
        type=entry.type,
        score=score,
        why=why,
        url=entry.url,
    )


def identifier_hits(index: ListIndex, idents: Iterable[tuple[Identifier, str]]) -> list[Hit]:
    """Entries carrying one of `idents` ((identifier, where it was found)); score 1.0."""
    hits: list[Hit] = []
    for ident, where in idents:
        for i, listed in index.identifier_entries(ident.key):
            entry = index.entry(i)
            why = f"{ident.label} {ident.value} {where} = the entry's {listed.label} {listed.value}"
            hits.append(_hit(index, entry, listed.value, 1.0, why))
    return hits


def screen_name(
    index: ListIndex,
    name: str,
    kind: str | None = None,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    context_identifiers: Iterable[tuple[Identifier, str]] = (),
) -> list[Hit]:
    """Every entry of `index` that `name` matches at `threshold` or more, best first.

    `kind` (a target kind: person, organization, vessel, ...) limits the listed types compared;
    None compares with all. `context_identifiers` are strong identifiers found near the name
    (in the article), each with a few words on where; they outrank any name match. Scores are
    rounded once (`scores.rounded`), and the threshold applies to the score as shown.
    """
    types = COMPATIBLE.get(kind, COMPATIBLE[None])
    in_name = [(ident, "in the name") for ident, _, _ in find_identifiers(name)]
    hits = identifier_hits(index, [*in_name, *context_identifiers])
    seen = {h.entry_id for h in hits}
    best: dict[int, tuple[float, str, str, str]] = {}
    if types:
        for _, (i, listed, how, etype) in _candidates(index, name, types):
            score, detail = score_name(name, listed, etype, query_kind=kind, threshold=threshold)
            score = rounded(score)
            if score < threshold:
                continue
            if i not in best or score > best[i][0]:
                best[i] = (score, listed, how, detail)
    name_hits = []
    for i, (score, listed, how, detail) in best.items():
        entry = index.entry(i)
        if entry.entry_id in seen:
            continue
        which = "listed name" if how == "name" else how
        why = f"{which} {listed!r}: {detail or 'match'}; score {score:.2f}"
        name_hits.append(_hit(index, entry, listed, score, why))
    name_hits.sort(key=lambda h: (-h.score, h.entry_id))
    return hits + name_hits


def screen_names(
    indexes: list[ListIndex], names: Iterable[str], kind: str | None = None, *, threshold: float = DEFAULT_THRESHOLD
) -> list[tuple[str, list[Hit]]]:
    """`screen_name` for many names over several lists; per name, hits of all lists best first."""
    out = []
    for name in names:
        hits = [h for index in indexes for h in screen_name(index, name, kind, threshold=threshold)]
        out.append((name, sorted(hits, key=lambda h: -h.score)))
    return out
