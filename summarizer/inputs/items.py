"""What a library caller hands in, as the pipeline reads it: a text, an HTML page as a str, a
file as a `pathlib.Path`, an `Article`, or an `(id, text)` pair (`summarize_many`), and the name
each result or error carries.

HTML sniffing and extraction are the CLI's own (`summarizer.inputs`), so `summarize(page)`
extracts the same text, with the same offsets, as `summarizer summarize page.html`, and a
`Path` is read by the CLI's reader (`read_article`).

A str is the article's text, never a file name: a str that names an existing file, or that
is a short single line shaped like a path or an http(s) URL, is refused (`InputError` naming
`Path(...)`, `read_article()` and `fetch_url()`) rather than summarized as if it were the
article, which would cost a model call and return a confident summary of a file name.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace

from ..errors import InputError, SummarizerError
from .article import Article
from .build import article_from_bytes, article_from_text
from .html import looks_like_html
from .reading import read_article

Id = str | int
Text = str | Article | os.PathLike[str]
"""One article as a caller holds it: its text (plain or HTML), an Article, or a file's Path."""
Item = Text | tuple[Id, Text]
"""One input of `summarize_many`: a text (plain or HTML), an Article, a Path, or an `(id, text)` pair."""

PATHLIKE_CHARS = 300
"""A str longer than this, or of more than one line, is text whatever it looks like (unless it
names an existing file)."""
PATH_MAX = 4096  # the longest path an OS takes: a longer single line names no file
_URL = re.compile(r"(?i)https?://\S+")
_FILE_SUFFIX = re.compile(r"(?i)\.(?:txt|html?|md|markdown|jsonl?|csv|xml|pdf|docx?|rtf|odt|epub)")
_PATH_START = re.compile(r"(?:~|\.{1,2})?[/\\]|[A-Za-z]:[/\\]")


def as_article(text: Text, source: str | None = None) -> Article:
    """What a caller holds, as the pipeline reads it.

    An Article is used as is. A `Path` (any `os.PathLike`) is read as the CLI reads a file
    (`read_article`; a regular file, or a link to one; `source` renames it). A str of HTML (by
    `source`'s suffix, or a doctype/<html>/<head>/<body> at its start, as for files) is
    extracted like the CLI extracts a page; the result then carries the extracted text its
    offsets index (`result.text`). A str that is a file name or a URL is refused
    (`refuse_path_like`). Any other str is kept exactly as given (to force that for text that
    looks like HTML or like a path, pass `Article(text, source)`).
    """
    if isinstance(text, Article):
        return text
    if isinstance(text, os.PathLike):
        return _read_path(text, source)
    name = source or "<text>"
    if not isinstance(text, str):
        raise InputError(
            f"{name}: an article must be a str, a Path or an Article, not {type(text).__name__}",
            "read files with Path(...) or read_article(path) and pages with fetch_url(url)",
        )
    refuse_path_like(text)
    if looks_like_html(name, text[:8192].encode("utf-8", "replace")):
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:
            return article_from_text(text, name)  # refuses the lone surrogate in its usual words
        return article_from_bytes(data, name, html=True)
    return article_from_text(text, name)


def refuse_path_like(text: str) -> None:
    """Refuse a str that stands for a file or a page rather than holding an article's text:
    one that names an existing file or directory, or a short single line shaped like a path
    (`/x/y.txt`, `./story.html`, `C:\\news\\a.txt`, `story.txt`) or an http(s) URL.

    A real one-line text ("Iran was sanctioned.") has spaces or no path shape and passes; a
    text that must be taken as it is, whatever its shape, goes in as `Article(text, source)`.
    """
    line = text.strip()
    if not line or len(line) > PATH_MAX or "\n" in line or "\x00" in line:
        return
    shown = repr(line if len(line) <= 80 else line[:77] + "...")
    keep = "to summarize this str as the text itself, pass Article(text=..., source=...)"
    try:
        exists = os.path.exists(line)
    except (OSError, ValueError):
        exists = False
    if exists:
        raise InputError(
            f"{shown} is the name of an existing file, not an article's text",
            f"pass Path({shown}) or read_article({shown}) to summarize the file; {keep}",
        )
    if len(line) > PATHLIKE_CHARS:
        return
    if _URL.fullmatch(line):
        raise InputError(f"{shown} is a URL, not an article's text", f"fetch it with fetch_url(url); {keep}")
    single_word = not any(c.isspace() for c in line)
    suffix = bool(_FILE_SUFFIX.fullmatch(os.path.splitext(line)[1]))
    path_shaped = bool(_PATH_START.match(line)) and suffix
    word_with_slash_or_suffix = single_word and ("/" in line or "\\" in line or suffix)
    if path_shaped or word_with_slash_or_suffix:
        raise InputError(
            f"{shown} looks like a file path, not an article's text",
            f"read a file with Path(...) or read_article(path), a page with fetch_url(url); {keep}",
        )


def _read_path(path: os.PathLike[str], source: str | None) -> Article:
    """A file given as a Path, read by the CLI's reader. Only regular files (or links to one):
    a FIFO or a device would block the caller (or its event loop) on a read."""
    name = os.fspath(path)
    if not isinstance(name, str):
        raise InputError("a Path must name the file as str, not bytes", "pass Path(os.fsdecode(name))")
    if name == "-":
        name = os.path.join(".", name)  # a file called "-", never stdin
    article = read_article(name, regular_only=True)
    return article if source is None else replace(article, source=source)


def item_name(item: object, i: int) -> str:
    """The id an input is known by: a pair's id, an Article's source, a Path's name, else `<text i>`."""
    if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str | int):
        return str(item[0])
    if isinstance(item, Article):
        return item.source
    if isinstance(item, os.PathLike):
        return str(os.fspath(item))
    return f"<text {i}>"


def item_article(item: object, name: str) -> Article:
    if isinstance(item, tuple):
        if len(item) != 2 or isinstance(item[0], bool) or not isinstance(item[0], str | int):
            raise InputError(f"{name}: a pair must be (id, text) with a str or int id", "see summarize_many")
        text = item[1]
        return as_article(text, name) if not isinstance(text, Article) else text
    if isinstance(item, os.PathLike):
        return as_article(item)
    return as_article(item, name)  # type: ignore[arg-type]  # anything else: as_article refuses it


def error_for(err: SummarizerError, source: str) -> SummarizerError:
    """The same error (class, message, hint, fields) for another input."""
    copy = SummarizerError.__new__(type(err))
    copy.__dict__.update(err.__dict__)
    copy.args = err.args
    copy.source = source
    return copy
