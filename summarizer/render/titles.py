"""A title for every article: the HTML page's own title, else the headline line of the text.

Text files have no title field, and their first line is often not the headline: a date
("December 11, 2019"), navigation ("Skip to content", "Search in title"), or the first paragraph
itself. The headline is taken from the lines before the first real paragraph (the rules
backend's notion of one: 80 characters or more with a sentence end), as the line among them
with the most words, if it has at least three; when there is none (the text starts with its
first paragraph) the title is that paragraph's first sentence. Either is cut to `LIMIT`
characters at a word boundary. Without the text, only the HTML title is known.
"""

from __future__ import annotations

import re

from ..schema import ArticleSummary

LIMIT = 110
_WORD = re.compile(r"[^\W\d_]{2,}")  # a word of two letters or more, in any script
_SENTENCE_END = re.compile(r"[.!?]")
_END = re.compile(r"[.!?][\"'\u201d\u2019)]*\s+(?=[\"'\u201c\u2018(]?[^\W\d_])")
_ABBREVIATION = re.compile(r"(?:\b(?:[A-Za-z]\.)+[A-Za-z]?|\b(?:Mr|Mrs|Ms|Dr|St|Co|Ltd|Inc|Jr|Sr|No|Gen|Gov|Sen|Rep))\.$")


def _paragraph(line: str) -> bool:
    return len(line.strip()) >= 80 and bool(_SENTENCE_END.search(line))


def _cut(text: str, limit: int = LIMIT) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    space = head.rfind(" ")
    return (head[:space] if space > limit // 2 else head).rstrip(" ,;:-\u2013\u2014") + "\u2026"


def _first_sentence(paragraph: str) -> str:
    """Up to the first sentence end that is not an abbreviation's dot (U.S., E.O., Co.)."""
    for m in _END.finditer(paragraph):
        head = paragraph[: m.start() + 1]
        if len(head) >= 20 and not _ABBREVIATION.search(head):
            return paragraph[: m.end()].strip()
    return paragraph


def headline(text: str) -> str | None:
    """The headline line of an article's text (see the module docstring); None if it has no words."""
    best, words = None, 0
    for line in text.splitlines():
        if _paragraph(line):
            if words >= 3 and best is not None:
                return _cut(best)
            return _cut(_first_sentence(" ".join(line.split())))
        n = len(_WORD.findall(line))
        if n > words:
            best, words = line, n
    return _cut(best) if best is not None and words >= 1 else None


def title_of(result: ArticleSummary, text: str | None) -> str | None:
    """The article's title: the one its page declared (HTML), else its headline line."""
    own = result.provenance.title
    if own and own.strip():
        return _cut(own, 300)
    return headline(text) if text else None
