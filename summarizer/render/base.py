"""Small helpers every renderer shares: which text the offsets index, whether a span is really
there, how a missing value and a place in the text are shown.

A renderer may be given no article text at all (`summarizer render` on a batch line whose
source file is gone): then `text` is None, spans cannot be checked against the article, and
each renderer says so instead of pretending (see `span_ok`).
"""

from __future__ import annotations

import re

from ..schema import ArticleSummary, Provenance, Span
from ..terminal import clean

NONE = "\u2014"  # shown for a missing value


def article_of(result: ArticleSummary, article_text: str | None) -> str | None:
    """The text the offsets index: `result.text` when the pipeline set it (HTML input)."""
    return result.text if result.text is not None else article_text


def located(text: str | None, start: int, end: int, expected: str) -> bool:
    """Only show spans that really index the text; a bad span is reported, not drawn.

    Without the article text (None) nothing can be checked: the span is taken as given.
    """
    if text is None:
        return 0 <= start < end
    return 0 <= start < end <= len(text) and text[start:end] == expected


def span_ok(text: str | None, span: Span | None) -> bool:
    return span is not None and located(text, span.start, span.end, span.text)


def tokens(p: Provenance) -> str:
    u = p.usage
    return f"{u.total_tokens} tokens ({u.prompt_tokens} prompt + {u.completion_tokens} completion)"


def where(start: int, end: int) -> str:
    return f"chars {start}\u2013{end}"


def short(text: str, n: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "\u2026"


def is_http_url(value: str | None) -> bool:
    """Only http(s) sources become links; `javascript:` or a local path never does."""
    return bool(value) and str(value).lower().startswith(("http://", "https://")) and "\n" not in str(value)


# Inline-significant characters: emphasis, code, links/images, raw HTML, tables, strikethrough.
_MD_INLINE = re.compile(r"([\\`*_\[\]<>|~])")
_MD_ENTITY = re.compile(r"&(?=#?\w+;)")  # `&amp;` would otherwise be decoded by the renderer
# Block markers that only matter at the start of a line: headings, bullets, setext, numbered lists.
_MD_BLOCK = re.compile(r"^(\s*)([#+\-=])", re.MULTILINE)
_MD_ORDERED = re.compile(r"^(\s*\d+)([.)])", re.MULTILINE)
# Control characters mean nothing in Markdown, and an escape sequence would act on the terminal
# of whoever `cat`s the file: `terminal.clean` makes each U+FFFD (tab and newline stay).


def md_escape(text: str) -> str:
    """Escape `text` so Markdown renders it literally (it came from the model or the article)."""
    text = clean(text)
    text = _MD_INLINE.sub(r"\\\1", text)
    text = _MD_ENTITY.sub(r"\\&", text)
    text = _MD_BLOCK.sub(r"\1\\\2", text)
    return _MD_ORDERED.sub(r"\1\\\2", text)


def md_line(value: object) -> str:
    """A value on one line, escaped (a newline would end a heading, a list item or a row)."""
    return md_escape(" ".join(str(value).split()))
