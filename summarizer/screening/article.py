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
