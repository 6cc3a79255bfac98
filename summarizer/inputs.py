"""Turn a path, stdin, bytes, a str or a URL into one `Article` whose `text` never changes again.

Every offset the summarizer returns (quotes, spans) indexes `Article.text`, and gold quotes
must be exact substrings of it. So this module decodes the bytes faithfully and then leaves the
text alone: the only change it makes is the one Python's text mode makes (universal newlines,
"\\r\\n" and "\\r" become "\\n"), so that a file read here equals `open(path).read()`. No
stripping, no Unicode normalisation, no whitespace collapsing.

It also refuses, with one actionable line (`InputError`), everything that is not an article:
missing or unreadable paths, empty files, files over the size limit, binary files (PDF, DOCX,
images...), undecodable bytes, and HTML pages with no article body. Refusing early is cheaper
and clearer than letting the model summarize garbage.

Heavy modules (trafilatura, lxml, charset_normalizer, httpx2) are imported inside the functions
that need them: the CLI imports this module on every start, and most inputs are plain UTF-8.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import stat
import sys
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO
from urllib.parse import urlsplit, urlunsplit

from summarizer.errors import InputError

if TYPE_CHECKING:
    from collections.abc import Iterable

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

MAX_BYTES: int = 5 * 1024 * 1024
"""Documented input limit. Bigger inputs are refused unless the caller raises `max_bytes`
(the CLI does so for --allow-large): a news article is far smaller, and a bigger file is
usually a mistake (a dump, a log) that would only burn tokens."""

_CHUNK = 64 * 1024

# Leading bytes of common non-text formats, with the name we report and what to do instead.
# Checked before decoding, so a PDF gets "looks like a PDF" instead of "unknown encoding".
_MAGIC: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF", "a PDF", "convert it to text first, e.g. `pdftotext FILE out.txt`"),
    (
        b"PK\x03\x04",
        "a ZIP archive (e.g. .docx, .odt, .epub)",
        "convert it to text first, e.g. `pandoc FILE -t plain -o out.txt`",
    ),
    (b"PK\x05\x06", "an empty ZIP archive", "pass a text or HTML file"),
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        "an old Microsoft Office file (.doc/.xls)",
        "save it as plain text first",
    ),
    (b"{\\rtf", "an RTF document", "save it as plain text first"),
    (b"\x1f\x8b", "a gzip archive", "decompress it first, e.g. `gunzip FILE`"),
    (b"BZh", "a bzip2 archive", "decompress it first, e.g. `bunzip2 FILE`"),
    (b"\xfd7zXZ\x00", "an xz archive", "decompress it first, e.g. `unxz FILE`"),
    (b"(\xb5/\xfd", "a zstd archive", "decompress it first, e.g. `unzstd FILE`"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive", "extract it first"),
    (b"Rar!\x1a\x07", "a RAR archive", "extract it first"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image", "pass the article text, not an image"),
    (b"\xff\xd8\xff", "a JPEG image", "pass the article text, not an image"),
    (b"GIF87a", "a GIF image", "pass the article text, not an image"),
    (b"GIF89a", "a GIF image", "pass the article text, not an image"),
    (b"II*\x00", "a TIFF image", "pass the article text, not an image"),
    (b"MM\x00*", "a TIFF image", "pass the article text, not an image"),
    (b"OggS", "an Ogg media file", "pass the article text"),
    (b"ID3", "an MP3 audio file", "pass the article text"),
    (b"\x1aE\xdf\xa3", "a Matroska/WebM video", "pass the article text"),
    (b"\x7fELF", "an executable (ELF)", "pass a text or HTML file"),
    (b"SQLite format 3\x00", "an SQLite database", "pass a text or HTML file"),
)

_BOMS: tuple[tuple[bytes, str], ...] = (
    # UTF-32 first: its little-endian BOM starts with the UTF-16 one.
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Encodings we accept from charset_normalizer, most common first: among equally good guesses
# the earliest wins, so short Western texts come out as cp1252 (the web's de-facto default for
# "not UTF-8"), not as some Baltic or Hebrew code page that happens to decode the same bytes.
_GUESSABLE: tuple[str, ...] = (
    "cp1252",
    "iso8859_15",
    "latin_1",
    "cp1250",
    "iso8859_2",
    "cp1251",
    "koi8_r",
    "koi8_u",
    "iso8859_5",
    "cp1253",
    "iso8859_7",
    "cp1254",
    "iso8859_9",
    "cp1257",
    "iso8859_13",
    "iso8859_4",
    "cp1255",
    "iso8859_8",
    "cp1256",
    "iso8859_6",
    "gb18030",
    "big5",
    "cp932",
    "shift_jis",
    "euc_jp",
    "cp949",
    "euc_kr",
)
_MAX_CHAOS = 0.1  # charset_normalizer "mess" ratio above which a guess is not trusted
_CHAOS_TIE = 0.01  # candidates this close to the least messy one are "equally clean"...
_COHERENCE_TIE = 0.03  # ...and this close in language fit to the best of them are "equally good"
# Markup (tag names, attribute values) skews charset_normalizer's language model: guess on prose.
_MARKUP_RE = re.compile(rb"<(script|style)\b.*?</\1\s*>|<!--.*?-->|<[^>]*>", re.IGNORECASE | re.DOTALL)

# C0 controls other than \t \n \v \f \r, DEL and C1 controls: text has almost none of them.
_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
_CONTROL_BYTES = bytes([*range(0x09), *range(0x0E, 0x20), 0x7F])
_MAX_CONTROL_SHARE = 0.05
# What counts as "nothing there": Unicode whitespace plus invisible format characters.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"

_HTML_START_RE = re.compile(r"<!doctype\s+html|<html[\s>]|<html$", re.IGNORECASE)
_HTML_TAG_RE = re.compile(r"<(?:head|body)[\s/>]", re.IGNORECASE)
_HTML_SUFFIXES = (".html", ".htm", ".xhtml")
_META_CHARSET_RE = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)


@dataclass(frozen=True)
class Article:
    """One article as the summarizer reads it; all output offsets index `text`.

    `text` is the decoded file (or, for HTML, trafilatura's main-text extraction) with only
    universal newlines applied, so offsets and exact-substring checks stay valid.
    """

    text: str
    source: str
    is_html: bool = False
    title: str | None = None
    author: str | None = None
    date: str | None = None
    encoding: str = "utf-8"

    @property
    def sha256(self) -> str:
        """Hex SHA-256 of the UTF-8 text: a stable key for caches, recordings and reports."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------------------------
# public API


def read_article(path: str, *, max_bytes: int = MAX_BYTES, regular_only: bool = False) -> Article:
    """Read a file (or stdin for "-") as bytes, at most `max_bytes + 1` of them, and decode it.

    Reading bytes ourselves, rather than in text mode, lets us detect binaries and wrong
    encodings and report them, instead of failing with a UnicodeDecodeError traceback.
    `regular_only` refuses FIFOs, sockets and devices without ever blocking on them (batch
    inputs: one `summarize <(cmd)` may read a pipe, ten thousand articles may not wait on one).
    """
    if path == "-":
        return article_from_bytes(_read_stdin(max_bytes), "-", max_bytes=max_bytes)
    return article_from_bytes(_read_file(path, max_bytes, regular_only), path, max_bytes=max_bytes)


def article_from_bytes(
    data: bytes, source: str, *, max_bytes: int = MAX_BYTES, html: bool | None = None
) -> Article:
    """Check, decode and (for HTML) extract `data`; `html=None` sniffs HTML from name and content.

    This is the one place every byte input goes through (files, stdin, URLs), so the same rules
    and messages apply whatever the source.
    """
    return _article_from_bytes(data, source, max_bytes=max_bytes, html=html, declared=None)


def article_from_text(text: str, source: str = "<text>") -> Article:
    """Wrap a str that a library caller already holds; the text is kept exactly as given.

    No newline conversion either: the caller owns the string and will index into it.
    """
    if not isinstance(text, str):
        raise TypeError(
            f"article_from_text() needs str, got {type(text).__name__}; use article_from_bytes() for bytes"
        )
    check_text(text, _describe(source))
    return Article(text=text, source=source)


def check_text(text: str, shown: str) -> None:
    """The refusals a file's decoded text gets, for text that arrives as a str (library
    callers, JSONL records): empty, a binary's magic, NUL or too many control characters, and
    lone surrogates (a JSON escape such as "\\ud83d" without its other half), which no file
    can decode to and no model request can carry."""
    if _is_blank(text):
        raise InputError(f"{shown} is empty", "pass an article with some text")
    # A binary smuggled into a str shows its magic as the Latin-1 characters of those bytes.
    _refuse_known_binary(text[:16].encode("latin-1", "replace"), shown)
    _check_nul(text, shown)
    _refuse_control_heavy(text, shown)
    lone = _SURROGATE_RE.search(text)
    if lone is not None:
        raise InputError(
            f"{shown} is not valid Unicode text (a lone surrogate U+{ord(lone.group()):04X} "
            f"at character {lone.start()})",
            "encode the text as UTF-8; a JSON \\uD800-\\uDFFF escape needs its other half",
        )


def check_regular_file(path: str) -> None:
    """Refuse anything that is not a regular file (or a link to one) without opening it."""
    try:
        info = os.stat(path)
    except OSError:
        return  # reading it reports the problem in the usual words
    if not stat.S_ISREG(info.st_mode) and not stat.S_ISDIR(info.st_mode):
        raise _not_regular(_describe(path), info.st_mode)


def fetch_url(url: str, *, timeout: float = 20.0, max_bytes: int = MAX_BYTES) -> Article:
    """Download an http(s) URL (following redirects) and read it like a file.

    The body is streamed and abandoned as soon as it passes `max_bytes`, so a huge or endless
    response cannot exhaust memory; `timeout` bounds each network wait and also the whole
    download, so a server trickling bytes cannot hang the CLI. The body is treated as HTML unless the server says
    text/plain; the Content-Type charset is used if the bytes are not UTF-8.
    """
    parts = urlsplit(url)
    shown = _redact_url(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise InputError(
            f"cannot fetch {shown}: only http:// and https:// URLs are supported",
            "download the page yourself and pass the file path",
        )
    if not parts.hostname:
        raise InputError(f"cannot fetch {shown}: the URL has no host", "check the URL")

    import httpx2

    chunks: list[bytes] = []
    total = 0
    deadline = time.monotonic() + timeout
    try:
        with (
            httpx2.Client(
                follow_redirects=True,
                timeout=timeout,
                headers={"User-Agent": "summarizer (+article fetch)"},
            ) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code >= 400:
                raise InputError(
                    f"fetching {shown} failed: HTTP {response.status_code} {response.reason_phrase}".rstrip(),
                    "check the URL, or save the page and pass the file",
                )
            declared_length = response.headers.get("content-length", "")
            if declared_length.isdigit() and int(declared_length) > max_bytes:
                raise _too_large(shown, max_bytes, int(declared_length))
            for chunk in response.iter_bytes():
                total += len(chunk)
                if total > max_bytes:
                    raise _too_large(shown, max_bytes, None)
                # A trickling server never trips the per-read timeout; the deadline does.
                if time.monotonic() > deadline:
                    raise _timed_out(shown, timeout)
                chunks.append(chunk)
            content_type = response.headers.get("content-type", "")
    except httpx2.TimeoutException:
        raise _timed_out(shown, timeout) from None
    except httpx2.TooManyRedirects:
        raise InputError(f"fetching {shown} failed: too many redirects", "check the URL") from None
    except httpx2.HTTPError as exc:
        raise InputError(
            f"fetching {shown} failed: {type(exc).__name__}",
            "check the URL and your network, or save the page and pass the file",
        ) from None

    mime, charset = _parse_content_type(content_type)
    return _article_from_bytes(
        b"".join(chunks),
        url,
        max_bytes=max_bytes,
        html=mime != "text/plain",
        declared=charset,
    )


# ---------------------------------------------------------------------------------------------
# reading


def _read_file(path: str, max_bytes: int, regular_only: bool = False) -> bytes:
    """Open and read at most `max_bytes + 1` bytes, turning OS errors into InputErrors."""
    shown = _describe(path)
    try:
        with open_regular(path) if regular_only else open(path, "rb") as handle:
            info = os.fstat(handle.fileno())
            if stat.S_ISDIR(info.st_mode):  # some platforms open directories without error
                raise _is_directory(shown)
            if stat.S_ISREG(info.st_mode) and info.st_size > max_bytes:
                raise _too_large(shown, max_bytes, info.st_size)
            data = _read_limited(handle, max_bytes)
    except (FileNotFoundError, NotADirectoryError):
        raise InputError(f"no such file: {shown}", "check the path") from None
    except IsADirectoryError:
        raise _is_directory(shown) from None
    except PermissionError:
        raise InputError(f"cannot read {shown}: permission denied", "check the file's permissions") from None
    except OSError as exc:
        raise InputError(
            f"cannot read {shown}: {exc.strerror or type(exc).__name__}",
            "check the path",
        ) from None
    if len(data) > max_bytes:  # a FIFO or device: the size was unknown up front
        raise _too_large(shown, max_bytes, None)
    return data


def open_regular(path: str) -> BinaryIO:
    """Open a regular file for reading; a FIFO, socket or device is refused (`InputError`)
    without blocking: the open does not wait for a FIFO's writer, and nothing is read.
    OS errors (missing, permission) propagate as they are."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise _is_directory(_describe(path))
        if not stat.S_ISREG(info.st_mode):
            raise _not_regular(_describe(path), info.st_mode)
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def _read_stdin(max_bytes: int) -> bytes:
    """Read stdin as bytes; refuse a terminal, since that would wait silently for typing."""
    stream = sys.stdin
    buffer: BinaryIO | None = getattr(stream, "buffer", None) if stream is not None else None
    if buffer is None:
        raise InputError("stdin is not available", "pass the article as a file path")
    isatty = getattr(stream, "isatty", None)
    if callable(isatty) and isatty():
        raise InputError(
            "stdin is a terminal, not an article",
            "pipe the article in (`cat FILE | ...`) or pass a file path",
        )
    try:
        data = _read_limited(buffer, max_bytes)
    except OSError as exc:
        raise InputError(f"cannot read stdin: {exc.strerror or type(exc).__name__}") from None
    if len(data) > max_bytes:
        raise _too_large("stdin", max_bytes, None)
    return data


def _read_limited(stream: BinaryIO, max_bytes: int) -> bytes:
    """Read until EOF or until more than `max_bytes` arrived; never slurp a huge input."""
    limit = max_bytes + 1
    parts: list[bytes] = []
    got = 0
    while got < limit:
        chunk = stream.read(min(_CHUNK, limit - got))
        if not chunk:
            break
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


# ---------------------------------------------------------------------------------------------
# checking and decoding


def _article_from_bytes(
    data: bytes, source: str, *, max_bytes: int, html: bool | None, declared: str | None
) -> Article:
    """Shared body of `article_from_bytes` and `fetch_url` (which also knows a declared charset)."""
    shown = _describe(source)
    if len(data) > max_bytes:
        raise _too_large(shown, max_bytes, len(data))
    if not data.strip():
        raise InputError(f"{shown} is empty", "pass a file with the article's text")
    _refuse_known_binary(data, shown)

    is_html = html if html is not None else looks_like_html(source, data)
    if is_html and declared is None:
        declared = _meta_charset(data)
    text, encoding = _decode(data, shown, declared, is_html)
    _refuse_control_heavy(text, shown)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _is_blank(text):
        raise InputError(f"{shown} is empty", "pass a file with the article's text")
    if is_html:
        return _from_html(text, source, shown, encoding)
    return Article(text=text, source=source, encoding=encoding)


def _refuse_known_binary(data: bytes, shown: str) -> None:
    """Name the format of well-known binaries, so the user knows what to convert."""
    for magic, name, hint in _MAGIC:
        if data.startswith(magic):
            raise InputError(f"{shown} looks like {name}, not text", hint)
    if data[4:8] == b"ftyp":
        raise InputError(f"{shown} looks like an MP4/MOV media file, not text", "pass a text file")
    if data.startswith(b"RIFF") and data[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        raise InputError(f"{shown} looks like a RIFF media file, not text", "pass a text file")


def _decode(data: bytes, shown: str, declared: str | None, markup: bool) -> tuple[str, str]:
    """Decode faithfully and say how: BOMs, strict UTF-8, a declared charset, then a guess.

    Every step decodes strictly: a replacement character would put text in the article that the
    author never wrote, and a wrong guess would make quotes unmatchable.
    """
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{shown} starts with a UTF-8 byte-order mark but is not valid UTF-8 "
                f"(bad byte at offset {exc.start + len(codecs.BOM_UTF8)})",
                "re-save it as UTF-8, e.g. `iconv -f WINDOWS-1252 -t utf-8 FILE > out.txt`",
            ) from None
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return _check_nul(data.decode(codec), shown), codec
            except UnicodeDecodeError:
                raise InputError(
                    f"{shown} starts with a {codec.upper()} byte-order mark but does not decode as it",
                    "re-save it as UTF-8, e.g. `iconv -t utf-8 FILE > out.txt`",
                ) from None

    if b"\x00" in data:
        utf16 = _bomless_utf16(data)
        if utf16 is not None:
            try:
                return _check_nul(data.decode(utf16), shown), utf16
            except UnicodeDecodeError:
                pass
        raise InputError(
            f"{shown} looks like a binary file (it contains NUL bytes), not text",
            "pass a text or HTML file; convert documents to text first",
        )

    _refuse_control_heavy_bytes(data, shown)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass

    if declared:
        decoded = _decode_declared(data, declared)
        if decoded is not None:
            return decoded

    guessed = _guess_encoding(data, markup)
    if guessed is not None:
        try:
            return data.decode(guessed), codecs.lookup(guessed).name
        except (UnicodeDecodeError, LookupError):
            pass
    raise InputError(
        f"{shown} is not UTF-8 and its encoding is unknown",
        "convert it to UTF-8, e.g. `iconv -f WINDOWS-1252 -t utf-8 FILE > out.txt`",
    )


def _check_nul(text: str, shown: str) -> str:
    """Refuse NUL characters that survive a UTF-16/32 decode: still a binary file."""
    if "\x00" in text:
        raise InputError(
            f"{shown} looks like a binary file (it contains NUL characters), not text",
            "pass a text or HTML file",
        )
    return text


def _bomless_utf16(data: bytes) -> str | None:
    """Spot UTF-16 without a BOM (Latin text: every other byte is zero), else None."""
    sample = data[:4096]
    sample = sample[: len(sample) - len(sample) % 2]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even_zero = sample[0::2].count(0) / pairs
    odd_zero = sample[1::2].count(0) / pairs
    if odd_zero >= 0.9 and even_zero <= 0.1:
        return "utf-16-le"
    if even_zero >= 0.9 and odd_zero <= 0.1:
        return "utf-16-be"
    return None


def _decode_declared(data: bytes, declared: str) -> tuple[str, str] | None:
    """Try the charset an HTML page or HTTP header declares; None if unknown or wrong."""
    try:
        name = codecs.lookup(declared).name
    except LookupError:
        return None
    if name.startswith(("utf-16", "utf-32", "utf-7")):
        return None  # BOM-less multi-byte claims are usually wrong; browsers ignore them too
    if name in ("ascii", "iso8859-1"):
        name = "cp1252"  # what browsers do (WHATWG): "latin-1" pages are cp1252 in practice
    for candidate in (name, "iso8859-1") if name == "cp1252" else (name,):
        try:
            return data.decode(candidate), codecs.lookup(candidate).name
        except (UnicodeDecodeError, LookupError):  # LookupError: not a text codec ("rot13")
            continue
    return None


def _guess_encoding(data: bytes, markup: bool) -> str | None:
    """Ask charset_normalizer, restricted to plausible legacy encodings; None if unsure.

    Several code pages often decode a text identically or nearly so (cp1250, cp1252 and cp1257
    all read "Café"), and charset_normalizer then names one on thin evidence (a French page
    came out as "Slovak" cp1250, turning "très" into "trčs"). Among the candidates that are as
    clean and about as coherent as the best, we take the most common encoding instead.
    """
    import charset_normalizer

    sample = data
    if markup:
        prose = _MARKUP_RE.sub(b" ", data)
        if prose.strip():
            sample = prose
    matches = charset_normalizer.from_bytes(
        sample,
        cp_isolation=list(_GUESSABLE),
        threshold=_MAX_CHAOS,
        enable_fallback=False,
    )
    best = matches.best()
    if best is None or best.chaos > _MAX_CHAOS:
        return None
    clean = [match for match in matches if match.chaos <= best.chaos + _CHAOS_TIE]
    top = max(match.coherence for match in clean)
    tied: set[str] = set()
    for match in clean:
        if match.coherence >= top - _COHERENCE_TIE:
            tied.update(match.could_be_from_charset)
    return _first_known(tied) or best.encoding


def _first_known(names: Iterable[str]) -> str | None:
    """The earliest entry of _GUESSABLE among `names` (charset_normalizer's codec names)."""
    wanted = set(names)
    for name in _GUESSABLE:
        if name in wanted:
            return name
    return None


def _refuse_control_heavy(text: str, shown: str) -> None:
    """A binary without NUL bytes still decodes as single-byte text full of control codes."""
    sample = text[: 1024 * 1024]
    if not sample:
        return
    controls = len(_CONTROL_RE.findall(sample))
    if controls and controls / len(sample) > _MAX_CONTROL_SHARE:
        raise InputError(
            f"{shown} looks like a binary file ({controls} control characters), not text",
            "pass a text or HTML file; convert documents to text first",
        )


def _refuse_control_heavy_bytes(data: bytes, shown: str) -> None:
    """The same check on raw bytes, before guessing: random bytes would otherwise come out as
    "unknown encoding" (or, worse, as some code page's mojibake) instead of "binary"."""
    sample = data[: 1024 * 1024]
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if controls and controls / len(sample) > _MAX_CONTROL_SHARE:
        raise InputError(
            f"{shown} looks like a binary file ({controls} control bytes), not text",
            "pass a text or HTML file; convert documents to text first",
        )


def _is_blank(text: str) -> bool:
    """True for text with nothing visible: whitespace and zero-width characters only."""
    return not text.strip().strip(_INVISIBLE).strip()


# ---------------------------------------------------------------------------------------------
# HTML


def looks_like_html(source: str, data: bytes) -> bool:
    """HTML by file name, or by a doctype/<html> start or <head>/<body> tag in the first 1 KB."""
    name = source.lower()
    if "://" in name:
        name = name.split("?", 1)[0].split("#", 1)[0]
    if name.endswith(_HTML_SUFFIXES):
        return True
    head = data[:8192]
    for bom, codec in _BOMS:
        if head.startswith(bom):
            snippet = head.decode(codec, errors="ignore")
            break
    else:
        snippet = head.removeprefix(codecs.BOM_UTF8).decode("latin-1")
    snippet = snippet.lstrip()[:1024]
    return bool(_HTML_START_RE.match(snippet) or _HTML_TAG_RE.search(snippet))


def _meta_charset(data: bytes) -> str | None:
    """The charset a page declares in <meta> (used only when the bytes are not UTF-8)."""
    found = _META_CHARSET_RE.search(data[:8192])
    return found.group(1).decode("ascii", errors="ignore") if found else None


def _from_html(page: str, source: str, shown: str, encoding: str) -> Article:
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
    if not isinstance(body, str) or _is_blank(body):
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


# ---------------------------------------------------------------------------------------------
# messages


def _describe(source: str) -> str:
    """How a source appears in messages: stdin by name, URLs without credentials or query."""
    if source == "-":
        return "stdin"
    if "://" in source:
        return _redact_url(source)
    return source


def _redact_url(url: str) -> str:
    """Drop user:password, query and fragment: messages must not leak tokens."""
    try:
        parts = urlsplit(url)
        netloc = parts.hostname or ""
        if parts.port is not None:
            netloc = f"{netloc}:{parts.port}"
    except ValueError:
        return "<invalid URL>"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _parse_content_type(value: str) -> tuple[str, str | None]:
    """("text/html", "utf-8") from "text/html; charset=UTF-8"."""
    mime, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset":
            charset = val.strip().strip("\"'") or None
    return mime.strip().lower(), charset


def _human(size: int) -> str:
    """Sizes in messages: "5 MiB (5,242,880 bytes)"."""
    mib = 1024 * 1024
    if size >= mib:
        amount = f"{size // mib}" if size % mib == 0 else f"{size / mib:.1f}"
        return f"{amount} MiB ({size:,} bytes)"
    return f"{size:,} bytes"


def _too_large(shown: str, max_bytes: int, size: int | None) -> InputError:
    """The size refusal; `size` is None when only "more than the limit" is known."""
    what = f"is {_human(size)}, over" if size is not None else "is over"
    return InputError(
        f"{shown} {what} the {_human(max_bytes)} input limit",
        "pass --allow-large to read it anyway, or cut it down to the article",
    )


def _timed_out(shown: str, timeout: float) -> InputError:
    return InputError(
        f"fetching {shown} timed out after {timeout:g} s",
        "try again, raise the timeout, or save the page and pass the file",
    )


def _not_regular(shown: str, mode: int) -> InputError:
    what = (
        "a FIFO (named pipe)" if stat.S_ISFIFO(mode)
        else "a socket" if stat.S_ISSOCK(mode)
        else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "not a regular file"
    )
    return InputError(
        f"{shown} is {what}, not a regular file: skipped",
        "pass regular files; pipe a single article into `summarizer summarize -`",
    )


def _is_directory(shown: str) -> InputError:
    return InputError(f"{shown} is a directory, not a file", "pass the path of a text or HTML file")
