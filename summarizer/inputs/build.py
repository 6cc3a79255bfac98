"""Bytes or a str -> `Article`: the one path every input takes, so the same checks and messages
apply whatever the source (file, stdin, URL, library caller)."""

from __future__ import annotations

from ..errors import InputError
from .article import MAX_BYTES, Article
from .decoding import check_text, decode, is_blank, refuse_control_heavy, refuse_known_binary
from .html import from_html, looks_like_html, meta_charset
from .refusals import describe, too_large


def article_from_bytes(
    data: bytes, source: str, *, max_bytes: int = MAX_BYTES, html: bool | None = None
) -> Article:
    """Check, decode and (for HTML) extract `data`; `html=None` sniffs HTML from name and content.

    This is the one place every byte input goes through (files, stdin, URLs), so the same rules
    and messages apply whatever the source.
    """
    return build_article(data, source, max_bytes=max_bytes, html=html, declared=None)


def article_from_text(text: str, source: str = "<text>") -> Article:
    """Wrap a str that a library caller already holds; the text is kept exactly as given.

    No newline conversion either: the caller owns the string and will index into it.
    """
    if not isinstance(text, str):
        raise TypeError(
            f"article_from_text() needs str, got {type(text).__name__}; use article_from_bytes() for bytes"
        )
    check_text(text, describe(source))
    return Article(text=text, source=source)


def build_article(
    data: bytes, source: str, *, max_bytes: int, html: bool | None, declared: str | None
) -> Article:
    """Shared body of `article_from_bytes` and `fetch_url` (which also knows a declared charset)."""
    shown = describe(source)
    if len(data) > max_bytes:
        raise too_large(shown, max_bytes, len(data))
    if not data.strip():
        raise InputError(f"{shown} is empty", "pass a file with the article's text")
    refuse_known_binary(data, shown)

    is_html = html if html is not None else looks_like_html(source, data)
    if is_html and declared is None:
        declared = meta_charset(data)
    text, encoding = decode(data, shown, declared, is_html)
    refuse_control_heavy(text, shown)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if is_blank(text):
        raise InputError(f"{shown} is empty", "pass a file with the article's text")
    if is_html:
        return from_html(text, source, shown, encoding)
    return Article(text=text, source=source, encoding=encoding)
