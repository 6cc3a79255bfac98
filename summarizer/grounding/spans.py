"""Find what the model returned in the article, and give it offsets into the text as read.

Matching is exact first, then through a normalisation that only forgives typography
(curly vs straight quotes and apostrophes, dash variants, ellipsis, runs of whitespace and
no-break spaces) and maps every normalised character back to its original offset. Nothing
fuzzier: a quote with one changed word is not found, and so never returned.

Also here: the quotations of an article, found by their marks and numbered for the prompt.
What the model's answer is checked against lives in `assemble` (grounding) and `validation`
(when to re-ask).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

_TYPO = {
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2033": '"', "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u2039": "'", "\u203a": "'", "\u2013": "-", "\u2014": "-", "\u2012": "-", "\u2212": "-",
    "\u2010": "-", "\u2011": "-", "\u2026": "...", "\u00a0": " ", "\u202f": " ", "\u2009": " ",
    "\u200b": "",
}
_STRIP = " \t\r\n\"'\u201c\u201d\u201e\u00ab\u00bb\u2018\u2019\u201a"


class Normalised:
    """`text` normalised, with `origin[k]` = offset in the original of normalised char k."""

    def __init__(self, original: str, *, fold_case: bool = False) -> None:
        chars: list[str] = []
        origin: list[int] = []
        in_space = False
        for i, ch in enumerate(original):
            rep = _TYPO.get(ch, ch)
            if rep.isspace() or rep == " ":
                if in_space:
                    continue
                in_space = True
                chars.append(" ")
                origin.append(i)
                continue
            in_space = False
            if fold_case:
                rep = rep.lower()
            for r in rep:
                chars.append(r)
                origin.append(i)
        self.text = "".join(chars)
        self.origin = origin

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised [start, end) back to original offsets."""
        return self.origin[start], self.origin[end - 1] + 1


@lru_cache(maxsize=32)
def _normalised(article: str, fold_case: bool) -> Normalised:
    """The article's normalisation, built once: names are looked up in it many times."""
    return Normalised(article, fold_case=fold_case)


def _normalise_needle(needle: str, *, fold_case: bool) -> str:
    return Normalised(needle, fold_case=fold_case).text.strip()


def find_all(article: str, needle: str, *, fold_case: bool = False) -> list[tuple[int, int]]:
    """Every place `needle` occurs in `article`, exactly or up to typography; [] if none."""
    needle = needle.strip(_STRIP)
    if not needle:
        return []
    hits = [(m.start(), m.start() + len(needle)) for m in re.finditer(re.escape(needle), article)]
    if hits:
        return hits
    norm = _normalised(article, fold_case)
    pattern = _normalise_needle(needle, fold_case=fold_case)
    if not pattern:
        return []
    return [
        norm.to_original(m.start(), m.start() + len(pattern))
        for m in re.finditer(re.escape(pattern), norm.text)
    ]


def find_span(
    article: str, needle: str, *, fold_case: bool = False, taken: Sequence[tuple[int, int]] = ()
) -> tuple[int, int] | None:
    """The first place of `needle` not already in `taken` (else the first place), or None."""
    hits = find_all(article, needle, fold_case=fold_case)
    if not hits:
        return None
    free = [h for h in hits if h not in taken]
    return (free or hits)[0]


# --------------------------------------------------------------------------- quotation marks

_QUOTE_RE = re.compile(
    r"\u201c[^\u201c\u201d]{1,3000}?\u201d"  # “ … ”
    r"|\u201e[^\u201e\u201c\u201d]{1,3000}?[\u201c\u201d]"  # „ … “
    r"|\u00ab[^\u00ab\u00bb]{1,3000}?\u00bb"  # « … »
    r'|(?<![A-Za-z0-9])"[^"\n]{1,3000}?"'  # " … "
)


def quotation_spans(text: str) -> list[tuple[int, int]]:
    """Spans of text inside double quotation marks (without the marks), in order.

    Used to keep chunk boundaries out of quotes; deterministic, no model involved.
    """
    return [(m.start() + 1, m.end() - 1) for m in _QUOTE_RE.finditer(text)]


MAX_LISTED = 60  # quotations shown to the model with ids; more are left to verbatim text
_REF = re.compile(r"^\[?\s*[Qq]?\s*(\d{1,3})\s*\]?$")


def numbered_quotations(text: str) -> dict[str, tuple[int, int]]:
    """The quotations shown to the model, by id ("Q1", "Q2", ...), in text order.

    Deterministic, so the prompt, the validator and the assembler all agree on the ids.
    """
    spans = [(a, b) for a, b in quotation_spans(text) if text[a:b].strip()]
    return {f"Q{i + 1}": span for i, span in enumerate(spans[:MAX_LISTED])}


def resolve_ref(ref: str, listed: dict[str, tuple[int, int]]) -> tuple[int, int] | None:
    """The span of a quotation id as the model wrote it ("Q3", "q3", "[Q3]", "3"), or None."""
    m = _REF.match(ref.strip())
    return listed.get(f"Q{int(m.group(1))}") if m else None
