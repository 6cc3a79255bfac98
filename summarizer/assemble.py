"""Turn the model's validated `Extraction` into the grounded `ArticleSummary`.

Every string that claims to come from the article is looked up in it; what is found gets its
offsets (and the article's own spelling), what is not is dropped and reported in provenance.
"""

from __future__ import annotations

from collections.abc import Sequence

from .grounding import Normalised, find_span
from .schema import (
    Allegation,
    Dropped,
    ExtractedQuote,
    Extraction,
    Quote,
    SanctionsTarget,
    Span,
)


def _span(article: str, start: int, end: int) -> Span:
    return Span(start=start, end=end, text=article[start:end])


def ground_quotes(
    article: str, found: Sequence[ExtractedQuote], dropped: list[Dropped], offset: int = 0
) -> list[Quote]:
    """Quotes at their offsets, in article order, each place once.

    `article` may be one chunk of a long text: `offset` (the chunk's start) then turns
    chunk offsets into offsets of the full text.
    """
    quotes: list[Quote] = []
    taken: list[tuple[int, int]] = []
    for q in found:
        where = find_span(article, q.text, taken=taken)
        if where is None:
            dropped.append(
                Dropped(kind="quote", text=q.text, reason="not found word for word in the article")
            )
            continue
        if where in taken:
            continue  # the same quote twice
        taken.append(where)
        start, end = where
        quotes.append(
            Quote(text=article[start:end], speaker=q.speaker, start=start + offset, end=end + offset)
        )
    return sorted(quotes, key=lambda x: x.start)


def ground_targets(
    article: str, extraction: Extraction, dropped: list[Dropped]
) -> list[SanctionsTarget]:
    """Targets whose name occurs in the article (case and typography aside), deduplicated."""
    targets: list[SanctionsTarget] = []
    seen: set[str] = set()
    for t in extraction.sanctions_targets:
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
    for a in extraction.allegations:
        evidence = None
        if a.evidence:
            where = find_span(article, a.evidence)
            if where is None:
                dropped.append(
                    Dropped(kind="evidence", text=a.evidence, reason="excerpt not in the article")
                )
            else:
                evidence = _span(article, *where)
        out.append(
            Allegation(
                claim=a.claim,
                alleged_by=a.alleged_by,
                against=a.against,
                status=a.status,
                hedge=a.hedge,
                evidence=evidence,
            )
        )
    return out
