"""Turn a path, stdin, bytes, a str or a URL into one `Article` whose `text` never changes again.

Every offset the summarizer returns (quotes, spans) indexes `Article.text`, and gold quotes
must be exact substrings of it. So this package decodes the bytes faithfully and then leaves the
text alone: the only change it makes is the one Python's text mode makes (universal newlines,
"\\r\\n" and "\\r" become "\\n"), so that a file read here equals `open(path).read()`. No
stripping, no Unicode normalisation, no whitespace collapsing.

It also refuses, with one actionable line (`InputError`), everything that is not an article:
missing or unreadable paths, empty files, files over the size limit, binary files (PDF, DOCX,
images...), undecodable bytes, and HTML pages with no article body. Refusing early is cheaper
and clearer than letting the model summarize garbage.

Heavy modules (trafilatura, lxml, charset_normalizer, httpx2) are imported inside the functions
that need them: the CLI imports this package on every start, and most inputs are plain UTF-8.

The package splits that job in the order an input travels: `reading` (files, stdin, FIFOs,
size limits), `fetch` (URLs), `build` (the one path every byte input takes), `decoding`
(refusing binaries, faithful decoding), `html` (sniffing and trafilatura extraction),
`article` (the `Article` type), `refusals` (how sources and sizes appear in refusals),
`items` (what a library caller hands in).
"""

from __future__ import annotations

from .article import MAX_BYTES, Article
from .build import article_from_bytes, article_from_text
from .decoding import check_text
from .fetch import fetch_url
from .reading import check_regular_file, open_regular, read_article

__all__ = [
    "MAX_BYTES",
    "Article",
    "article_from_bytes",
    "article_from_text",
    "check_regular_file",
    "check_text",
    "fetch_url",
    "open_regular",
    "read_article",
]
