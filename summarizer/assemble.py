"""Turn the model's validated `Extraction` into the grounded `ArticleSummary`.

Every string that claims to come from the article is looked up in it; what is found gets its
offsets (and the article's own spelling), what is not is dropped and reported in provenance.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .grounding import Normalised, find_all, find_span, numbered_quotations, resolve_ref
from .schema import (
    Allegation,
    Dropped,
    ExtractedQuote,
    Extraction,
    Quote,
    SanctionsTarget,
    Span,
)

# A "name" whose head noun is one of these, or that starts with a count, describes unnamed
# entities ("three ship operators", "Iranian and Russian entities"): never a target's name.
_GENERIC_HEADS = frozenset(
    "entities operators companies individuals firms vessels ships tankers people persons officials "
    "leaders banks groups networks subsidiaries affiliates businesses organizations organisations "
    "traders suppliers militias rebels members others parties actors facilitators "
    "intermediaries".split()
)
_COUNTS = frozenset(
    "two three four five six seven eight nine ten eleven twelve several some many various "
    "dozens hundreds multiple numerous a an".split()
)
_WORD = re.compile(r"[^\W\d_]{3,}")


def is_generic_name(name: str) -> bool:
    """True for descriptions of unnamed entities rather than names."""
    words = re.findall(r"[\w'-]+", name.lower())
    if not words:
        return True
    return words[-1] in _GENERIC_HEADS or words[0] in _COUNTS or words[0].isdigit()


def occurs(article: str, phrase: str) -> bool:
    """Whether `phrase` occurs in the article, case and typography aside."""
    return bool(find_all(article, phrase, fold_case=True))


def speaker_in_text(article: str, speaker: str) -> bool:
    """A speaker is checkable when one of its words (3+ letters) occurs in the article."""
    lowered = article.lower()
    return any(
        re.search(rf"(?<!\w){re.escape(w.lower())}(?!\w)", lowered) for w in _WORD.findall(speaker)
    )


MAX_HEDGE_WORDS = 5  # "allegedly", "according to", "is suspected of": never a whole sentence


def _span(article: str, start: int, end: int) -> Span:
    return Span(start=start, end=end, text=article[start:end])


def with_quote_texts(part: Extraction, article: str) -> Extraction:
    """The part with each listed quotation's text filled in from its ref.

    Later steps (merging chunks, carrying speakers across them) compare quotes by their
    words; a quote given only as "Q3" has its words in the article.
    """
    listed = numbered_quotations(article)
    quotes = []
    for q in part.quotes:
        where = resolve_ref(q.ref, listed) if q.ref else None
        text = article[where[0] : where[1]] if where else (q.text or "")
        quotes.append(q.model_copy(update={"text": text}))
    return part.model_copy(update={"quotes": quotes})


def ground_quotes(
    article: str,
    found: Sequence[ExtractedQuote],
    dropped: list[Dropped],
    offset: int = 0,
    full_text: str | None = None,
) -> list[Quote]:
    """Quotes at their offsets, in article order, each place once.

    `article` may be one chunk of a long text: `offset` (the chunk's start) then turns
    chunk offsets into offsets of the full text, and speakers are checked in `full_text`.
    """
    quotes: list[Quote] = []
    taken: list[tuple[int, int]] = []
    listed = numbered_quotations(article)
    for q in found:
        if q.ref:
            where = resolve_ref(q.ref, listed)
            if where is None:
                dropped.append(Dropped(kind="quote", text=q.ref, reason="not an id of a listed quotation"))
                continue
        else:
            where = find_span(article, q.text or "", taken=taken)
            if where is None:
                dropped.append(
                    Dropped(kind="quote", text=q.text or "", reason="not found word for word in the article")
                )
                continue
        if where in taken:
            continue  # the same quote twice
        taken.append(where)
        start, end = where
        speaker = q.speaker
        if speaker and not speaker_in_text(full_text or article, speaker):
            dropped.append(Dropped(kind="speaker", text=speaker, reason="speaker not named in the article"))
            speaker = None
        elif speaker and Normalised(speaker, fold_case=True).text in Normalised(article[start:end], fold_case=True).text:
            dropped.append(Dropped(kind="speaker", text=speaker, reason="the speaker given is the quote itself"))
            speaker = None
        quotes.append(
            Quote(text=article[start:end], speaker=speaker, start=start + offset, end=end + offset)
        )
    return sorted(quotes, key=lambda x: x.start)


def ground_targets(
    article: str, extraction: Extraction, dropped: list[Dropped]
) -> list[SanctionsTarget]:
    """Targets whose name occurs in the article (case and typography aside), deduplicated."""
    targets: list[SanctionsTarget] = []
    seen: set[str] = set()
    for t in extraction.sanctions_targets:
        if is_generic_name(t.name):
            dropped.append(
                Dropped(
                    kind="sanctions_target",
                    text=t.name,
                    reason="a description of unnamed entities, not a name",
                )
            )
            continue
        where = find_span(article, t.name, fold_case=True)
        if where is None:
            dropped.append(
                Dropped(
                    kind="sanctions_target",
                    text=t.name,
                    reason="name does not occur in the article (unnamed or invented target)",
                )
            )
            continue
        key = Normalised(t.name, fold_case=True).text.strip(" .,")
        if key in seen:
            continue
        seen.add(key)
        targets.append(
            SanctionsTarget(
                name=t.name,
                kind=t.kind,
                country=t.country,
                imposed_by=t.imposed_by,
                mention=_span(article, *where),
            )
        )
    return targets


def ground_allegations(
    article: str, extraction: Extraction, dropped: list[Dropped]
) -> list[Allegation]:
    """Allegations with the span of their evidence where the excerpt is verbatim."""
    out: list[Allegation] = []
    seen: set[tuple[str, str]] = set()
    for a in extraction.allegations:
        key = (Normalised(a.claim, fold_case=True).text, Normalised(a.against or "", fold_case=True).text)
        if key in seen:
            continue  # the same accusation twice is one item
        seen.add(key)
        evidence = None
        if a.evidence:
            where = find_span(article, a.evidence)
            if where is None:
                dropped.append(
                    Dropped(kind="evidence", text=a.evidence, reason="excerpt not in the article")
                )
            else:
                evidence = _span(article, *where)
        hedge = a.hedge
        if hedge and (len(hedge.split()) > MAX_HEDGE_WORDS or not occurs(article, hedge)):
            dropped.append(
                Dropped(kind="hedge", text=hedge, reason="not hedging words found in the article")
            )
            hedge = None
        out.append(
            Allegation(
                claim=a.claim,
                alleged_by=a.alleged_by,
                against=a.against,
                status=a.status,
                hedge=hedge,
                evidence=evidence,
            )
        )
    return out
