"""What a library caller hands in, as the pipeline reads it: a text, an HTML page as a str, an
`Article`, or an `(id, text)` pair (`summarize_many`), and the name each result or error carries.

HTML sniffing and extraction are the CLI's own (`summarizer.inputs`), so `summarize(page)`
extracts the same text, with the same offsets, as `summarizer summarize page.html`.
"""

from __future__ import annotations

from ..errors import InputError, SummarizerError
from .article import Article
from .build import article_from_bytes, article_from_text
from .html import looks_like_html

Id = str | int
Item = str | Article | tuple[Id, str | Article]
"""One input of `summarize_many`: a text (plain or HTML), an Article, or an `(id, text)` pair."""


def as_article(text: str | Article, source: str | None = None) -> Article:
    """What a caller holds, as the pipeline reads it.

    An Article is used as is. A str of HTML (by `source`'s suffix, or a doctype/<html>/<head>/
    <body> at its start, as for files) is extracted like the CLI extracts a page; the result
    then carries the extracted text its offsets index (`result.text`). Any other str is kept
    exactly as given (to force that for text that looks like HTML, pass `Article(text, source)`).
    """
    if isinstance(text, Article):
        return text
    name = source or "<text>"
    if not isinstance(text, str):
        raise InputError(
            f"{name}: an article must be a str or an Article, not {type(text).__name__}",
            "read files with read_article(path) and pages with fetch_url(url)",
        )
    if looks_like_html(name, text[:8192].encode("utf-8", "replace")):
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:
            return article_from_text(text, name)  # refuses the lone surrogate in its usual words
        return article_from_bytes(data, name, html=True)
    return article_from_text(text, name)


def item_name(item: object, i: int) -> str:
    """The id an input is known by: a pair's id, an Article's source, else `<text i>`."""
    if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str | int):
        return str(item[0])
    if isinstance(item, Article):
        return item.source
    return f"<text {i}>"


def item_article(item: object, name: str) -> Article:
    if isinstance(item, tuple):
        if len(item) != 2 or isinstance(item[0], bool) or not isinstance(item[0], str | int):
            raise InputError(f"{name}: a pair must be (id, text) with a str or int id", "see summarize_many")
        text = item[1]
        return as_article(text, name) if not isinstance(text, Article) else text
    return as_article(item, name)  # type: ignore[arg-type]  # anything else: as_article refuses it


def error_for(err: SummarizerError, source: str) -> SummarizerError:
    """The same error (class, message, hint, fields) for another input."""
    copy = SummarizerError.__new__(type(err))
    copy.__dict__.update(err.__dict__)
    copy.args = err.args
    copy.source = source
    return copy
