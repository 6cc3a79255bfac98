"""Screening the parties of one article: which names to ask about, and what is near them.

The names come from the result (sanctions targets; with `mentions=True` also speakers,
accusers and accused); strong identifiers (IMO numbers, aircraft registrations) come from
the article text, each given to the target whose name is written nearest to it (within
`NEAR` characters), so "GENAVA 12 (IMO 9776523)" screens GENAVA 12 by its IMO number first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ..schema import ScreeningSummary
from . import Query, Screener
from .entries import Identifier, find_identifiers
from .match import Hit

NEAR = 200  # characters between a name and an identifier that belongs to it


def _places(text: str, name: str, span: Any) -> list[tuple[int, int]]:
    """Where the name is written: its mention span and every other occurrence (any case)."""
    places = [(span.start, span.end)] if span is not None else []
    if name.strip():
        places += [(m.start(), m.end()) for m in re.finditer(re.escape(name), text, re.IGNORECASE)]
    return places


def nearby_identifiers(
    text: str, parties: Sequence[tuple[str, Any]]
) -> list[list[tuple[Identifier, str]]]:
    """For each (name, mention span or None), the identifiers in `text` nearest to it."""
    out: list[list[tuple[Identifier, str]]] = [[] for _ in parties]
    places = [_places(text, name, span) for name, span in parties]
    for ident, start, end in find_identifiers(text):
        best: tuple[int, int] | None = None
        for i, spans in enumerate(places):
            for s, e in spans:
                gap = start - e if start >= e else s - end if s >= end else 0
                if gap <= NEAR and (best is None or gap < best[0]):
                    best = (gap, i)
        if best is not None:
            name = parties[best[1]][0]
            out[best[1]].append((ident, f"in the article {best[0]} characters from {name!r}"))
    return out


def screen_parties(
    screener: Screener, text: str, parties: Sequence[tuple[str, str | None, Any]]
) -> list[list[Hit]]:
    """Hits for each (name, kind, mention span or None) of one article, in order."""
    idents = nearby_identifiers(text, [(name, span) for name, _, span in parties])
    queries: list[Query] = [(name, kind, ids) for (name, kind, _), ids in zip(parties, idents, strict=True)]
    return screener.screen(queries)


# Named fields that `--screen-all` screens, as (list attribute, name field, mention field, kind).
# Their hits go on the mention object (a `Mention` span), which must have `screening`.
MENTION_FIELDS = (
    ("quotes", "speaker", "speaker_mention", None),
    ("allegations", "alleged_by", "alleged_by_mention", None),
    ("allegations", "against", "against_mention", None),
)


def apply(result: Any, text: str, screener: Screener, *, mentions: bool = False) -> ScreeningSummary:
    """Screen a result's sanctions targets (and with `mentions`, its named mentions) in place,
    and say what was covered in `result.screening` (also returned).

    Each screened target gets `screening` (best first, [] when nothing matched). A country
    target is not screened (lists name countries in their programs, not as entries) and keeps
    `screening` unset; it counts as not screened, as do speakers, accusers and accused when
    `mentions` is off. A name asked about twice in one article is screened once. All names of
    the article go to the screener in one call (one HTTP request for yente). Raises
    ScreeningError; the result is untouched if screening fails.
    """
    queries: dict[tuple[str, str | None], tuple[Any, list[Any]]] = {}  # (name, kind) -> (first mention, owners)
    countries: set[str] = set()
    for target in result.sanctions_targets:
        if target.kind == "country":
            countries.add(target.name.casefold())
            continue
        queries.setdefault((target.name, target.kind), (target.mention, []))[1].append(target)
    others: set[str] = set()
    for attr, field, mention_field, kind in MENTION_FIELDS:
        for item in getattr(result, attr):
            name, mention = getattr(item, field), getattr(item, mention_field, None)
            if not name or not name.strip():
                continue
            if mentions and mention is not None:
                queries.setdefault((name, kind), (mention, []))[1].append(mention)
            elif not mentions:
                others.add(name.casefold())
    keys = list(queries)
    found = screen_parties(screener, text, [(name, kind, queries[(name, kind)][0]) for name, kind in keys])
    for key, hits in zip(keys, found, strict=True):
        for owner in queries[key][1]:
            owner.screening = list(hits)
    summary = ScreeningSummary(
        lists=screener.list_names(),
        scope="all" if mentions else "targets",
        screened=len(keys),
        not_screened=len(countries) + len(others),
        hits=sum(len(h) for h in found),
        reason=_reason(len(keys), len(countries), len(others), mentions, bool(result.sanctions_targets)),
    )
    result.screening = summary
    return summary


def _reason(screened: int, countries: int, others: int, mentions: bool, any_targets: bool) -> str | None:
    """Why something named was not screened, in words; None when everything named was."""
    parts = []
    if screened == 0 and not mentions:
        if not any_targets:
            return "no sanctions targets named; --screen-all screens every named party"
        parts.append("the only sanctions targets named are countries, which lists hold as programs, not entries")
    elif screened == 0:
        return "no named parties to screen" if not countries else "only countries named, which lists hold as programs, not entries"
    elif countries:
        parts.append(f"{countries} country target{'s' if countries > 1 else ''} not screened (lists hold countries as programs, not entries)")
    if others:
        parts.append(f"{others} other named part{'ies' if others > 1 else 'y'} not screened; --screen-all screens every named party")
    return "; ".join(parts) or None


def supports_mentions() -> bool:
    """True when the schema has mention objects that can carry `screening`."""
    from .. import schema

    mention = getattr(schema, "Mention", None)
    return mention is not None and "screening" in getattr(mention, "model_fields", {})


def check_mentions(screen_all: bool) -> None:
    """Refuse `--screen-all` (before any model call) while the schema has nowhere to put it."""
    if screen_all and not supports_mentions():
        from ..errors import ScreeningError

        raise ScreeningError(
            "--screen-all needs mention spans for speakers, accusers and accused, which this build's "
            "output does not have yet",
            "use --screen alone: sanctions targets are screened",
        )


class ScreeningSummarizer:
    """A Pipeline that screens each result before handing it back (batch, summarize_many).

    Wraps the pipeline instead of changing it: `run`/`arun` summarize, then `apply` screening;
    in async code the screening runs in a thread, so a yente request never blocks the loop.
    Everything else (settings, close, aclose) is the wrapped summarizer's.
    """

    def __init__(self, summarizer: Any, screener: Screener, *, mentions: bool = False) -> None:
        self._summarizer = summarizer
        self.screener = screener
        self.mentions = mentions

    def __getattr__(self, name: str) -> Any:
        return getattr(self._summarizer, name)

    def run(self, article: Any) -> Any:
        result = self._summarizer.run(article)
        apply(result, _text(result, article), self.screener, mentions=self.mentions)
        return result

    async def arun(self, article: Any) -> Any:
        import asyncio

        result = await self._summarizer.arun(article)
        await asyncio.to_thread(apply, result, _text(result, article), self.screener, mentions=self.mentions)
        return result


def _text(result: Any, article: Any) -> str:
    """The text the offsets index: the extracted text for HTML input, else the article's."""
    return result.text if getattr(result, "text", None) is not None else article.text
