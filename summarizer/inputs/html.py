"""HTML: sniffing it from a name or the first bytes, its <meta> charset, and the article body and
metadata extracted by trafilatura (imported only for HTML inputs)."""

from __future__ import annotations

import codecs
import re

from ..errors import InputError
from .article import Article
from .decoding import BOMS, is_blank

_HTML_START_RE = re.compile(r"<!doctype\s+html|<html[\s>]|<html$", re.IGNORECASE)
_HTML_TAG_RE = re.compile(r"<(?:head|body)[\s/>]", re.IGNORECASE)
_HTML_SUFFIXES = (".html", ".htm", ".xhtml")
_META_CHARSET_RE = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)


def looks_like_html(source: str, data: bytes) -> bool:
    """HTML by file name, or by a doctype/<html> start or <head>/<body> tag in the first 1 KB."""
    name = source.lower()
    if "://" in name:
        name = name.split("?", 1)[0].split("#", 1)[0]
    if name.endswith(_HTML_SUFFIXES):
        return True
    head = data[:8192]
    for bom, codec in BOMS:
        if head.startswith(bom):
            snippet = head.decode(codec, errors="ignore")
            break
    else:
        snippet = head.removeprefix(codecs.BOM_UTF8).decode("latin-1")
    snippet = snippet.lstrip()[:1024]
    return bool(_HTML_START_RE.match(snippet) or _HTML_TAG_RE.search(snippet))


def meta_charset(data: bytes) -> str | None:
    """The charset a page declares in <meta> (used only when the bytes are not UTF-8)."""
    found = _META_CHARSET_RE.search(data[:8192])
    return found.group(1).decode("ascii", errors="ignore") if found else None


def from_html(page: str, source: str, shown: str, encoding: str) -> Article:
    """Extract the article body and metadata with trafilatura, favouring precision.

    Precision over recall: navigation, subscription prompts and other headlines in the text
    would end up in summaries and quotes; a sentence lost at the edge of the body is cheaper.
    """
    import trafilatura
    from lxml.etree import LxmlError  # type: ignore[import-untyped, unused-ignore]

    try:
        document = trafilatura.bare_extraction(
            page,
            url=source if source.startswith(("http://", "https://")) else None,
            favor_precision=True,
            include_comments=False,
            include_tables=False,
            include_images=False,
            include_links=False,
            with_metadata=True,
        )
    except (LxmlError, ValueError, TypeError, RecursionError) as exc:  # broken markup
        raise InputError(
            f"could not parse the HTML of {shown} ({type(exc).__name__})",
            "save the article text as a .txt file and pass that",
        ) from None
    body = getattr(document, "text", None) if document is not None else None
    if not isinstance(body, str) or is_blank(body):
        raise InputError(
            f"no article text found in the HTML of {shown}",
            "save the article text as a .txt file and pass that",
        )
    text = body.replace("\r\n", "\n").replace("\r", "\n")
    return Article(
        text=text,
        source=source,
        is_html=True,
        title=_clean_meta(getattr(document, "title", None)),
        author=_dedupe_names(_clean_meta(getattr(document, "author", None))),
        date=_clean_meta(getattr(document, "date", None)),
        encoding=encoding,
    )


def _clean_meta(value: object) -> str | None:
    """Metadata as a non-empty one-line string, or None."""
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    return value or None


def _dedupe_names(value: str | None) -> str | None:
    """trafilatura joins bylines found in several places ("Jane Doe; JANE DOE"); keep each once."""
    if value is None:
        return None
    seen: set[str] = set()
    names: list[str] = []
    for name in value.split(";"):
        name = name.strip()
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            names.append(name)
    return "; ".join(names) or None
