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
    """The paragraph's first sentence, as the grounding cuts sentences (U.S., E.O. and Co. are
    not sentence ends); a very short one (a dateline) runs on into the next."""
    from ..grounding.sentences import sentence_spans

    for _, end in sentence_spans(paragraph):
        if end >= 20:
            return paragraph[:end]
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
