"""Lists under a sanctions lead-in: whom a release names one by one.

A release lists whom it acts on under a lead-in ("The following companies are being designated
...:" then one per line, or "... identifying the following twelve vessels as blocked property:
AMBER LIGHT, BALTIC ROSE and KESTREL."); the lead-in puts every item under sanctions (or lifts
them), so the items are targets by the wording, however many there are. A small model answers
a paragraph with a handful of names and is never asked about a list line, which has no
sanctions word: the focused plan takes the lists from here (docs/local-model.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .cues import NAME, SANCTION_WORDS, trimmed
from .grounding.names import OPENERS, too_long

_LEAD_IN = re.compile(rf"(?i:{SANCTION_WORDS}|identif|block|delist|listed|lift|frozen|freez|gel[ée])")
_ITEM = re.compile(  # a list item opens with a name and a comma, semicolon, bracket or dash, or is one
    rf"^[ \t]*(?:[•·*▪◦-][ \t]*|\(?(?:\d{{1,3}}|[a-z])[.)][ \t]+)?(?:[Tt]he[ \t]+)?({NAME})"
    r"(?=[ \t]*(?:$|[,;(:]|[ \t][-–—][ \t]|\.?[ \t]*$))"
)
_INLINE_ITEM = re.compile(rf"^(?:and[ \t]+|(?i:the)[ \t]+)?({NAME})[ \t]*(?:\([^)]{{0,80}}\))?[ \t.]*$")
_LONGEST_ITEM = 400  # characters: a list item is a name and a short description, not a paragraph
MAX_LISTED = 60  # names taken from lists: twice as many targets as an answer holds


@dataclass(frozen=True)
class Listing:
    """One list under a sanctions lead-in: where its lead-in's colon is, its names, and the
    lines that are its items (none for a list inside a sentence)."""

    colon: int
    names: tuple[str, ...]
    lines: tuple[tuple[int, int], ...]


def listings(text: str) -> list[Listing]:
    """The lists under a sanctions lead-in: the lines after a line that ends with ":", while
    each opens with a name ("Blue Horizon Shipping Ltd., based in the Marshall Islands;"), and
    the items after "the following ...:" inside a sentence ("AMBER LIGHT, BALTIC ROSE and
    KESTREL"). Found without the model, which answers a long list with a handful of names.
    Each line is read once (a line read as an item opens no list); at most MAX_LISTED names."""
    out: list[Listing] = []
    lines = text.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    taken = 0
    i = 0
    while i < len(lines) and taken < MAX_LISTED:
        head, colon, rest = lines[i].partition(":")
        at = starts[i] + len(head)
        i += 1
        if not _opens_a_list(lines[i - 1]) or len(head) > 2 * _LONGEST_ITEM:
            continue
        raw: list[str] = []
        spans: list[tuple[int, int]] = []
        if rest.strip():  # inline: "... the following vessels ...: A, B and C."
            if re.search(r"(?i:following)", head):
                items = [item.strip() for item in re.split(r"[,;]|[ \t]and[ \t]", _sentence_head(rest)) if item.strip()]
                named = [m.group(1) for m in map(_INLINE_ITEM.match, items) if m]
                raw = named if len(named) == len(items) else []  # every item a name, or it is no list
        else:
            while i < len(lines):
                line = lines[i]
                m = _ITEM.match(line) if len(line) <= _LONGEST_ITEM and not _opens_a_list(line) else None
                if m is None and line.strip():
                    break  # the list has ended (a new lead-in is read as one)
                if m is not None:
                    raw.append(m.group(1))
                    spans.append((starts[i], starts[i] + len(line)))
                i += 1
        names = list(dict.fromkeys(n for n in (trimmed(r).rstrip(".,;: ") for r in raw)
                                   if len(n) >= 2 and not too_long(n) and n.split()[0].casefold() not in OPENERS))
        names = names[: MAX_LISTED - taken]
        if names:
            out.append(Listing(at, tuple(names), tuple(spans)))
            taken += len(names)
    return out


def _opens_a_list(line: str) -> bool:
    """A line with a sanctions lead-in before a colon ("Separately, the following entries have
    been removed from the list: A, B."): not an item of the list above it."""
    head, colon, _ = line.partition(":")
    return bool(colon) and _LEAD_IN.search(head) is not None


# "the following twelve vessels", "the following companies", "three aircraft operated by X as
# property ...:": what the lead-in says its items are
_FOLLOWING_KIND = re.compile(
    r"\b(?i:following|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\d{1,3})[ \t]+(?:[\w-]+[ \t]+){0,2}?"
    r"(?i:(vessels|ships|tankers)|(aircraft|planes)|(individuals|persons|people)|"
    r"(companies|entities|firms|businesses|organi[sz]ations|banks))\b"
)
_KINDS = ("vessel", "aircraft", "person", "organization")


def kind_of(text: str, listing: Listing) -> str | None:
    """What a list's lead-in says its items are ("the following twelve vessels": "vessel"), or
    None ("the following individuals and entities" says two things; a lead-in may say nothing)."""
    head = text[max(text.rfind("\n", 0, listing.colon) + 1, listing.colon - 2 * _LONGEST_ITEM) : listing.colon]
    m = _FOLLOWING_KIND.search(head)
    if m is None or re.match(r"[ \t]+(?:and|or)[ \t]", head[m.end() :]):
        return None
    return next(kind for kind, group in zip(_KINDS, m.groups(), strict=True) if group)


def listed(text: str, found: list[Listing] | None = None) -> list[str]:
    """Every name of `listings` (or of the `found` ones), once."""
    return list(dict.fromkeys(n for listing in (listings(text) if found is None else found) for n in listing.names))


def _sentence_head(text: str) -> str:
    """`text` up to the end of its first sentence (a full stop before a space or the end)."""
    m = re.search(r"(?<![A-Z])\.(?=\s|$)", text)
    return text[: m.start()] if m else text
