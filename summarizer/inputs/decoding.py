"""Refusing what is not text (known binaries, control characters, lone surrogates, blank input)
and decoding bytes faithfully: BOMs, strict UTF-8, a declared charset, then a careful guess.

charset_normalizer is imported only when a guess is needed: most inputs are plain UTF-8.
"""

from __future__ import annotations

import codecs
import re
from typing import TYPE_CHECKING

from ..errors import InputError

if TYPE_CHECKING:
    from collections.abc import Iterable

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

BOMS: tuple[tuple[bytes, str], ...] = (
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


def check_text(text: str, shown: str) -> None:
    """The refusals a file's decoded text gets, for text that arrives as a str (library
    callers, JSONL records): empty, a binary's magic, NUL or too many control characters, and
    lone surrogates (a JSON escape such as "\\ud83d" without its other half), which no file
    can decode to and no model request can carry."""
    if is_blank(text):
        raise InputError(f"{shown} is empty", "pass an article with some text")
    # A binary smuggled into a str shows its magic as the Latin-1 characters of those bytes.
    refuse_known_binary(text[:16].encode("latin-1", "replace"), shown)
    check_nul(text, shown)
    refuse_control_heavy(text, shown)
    lone = _SURROGATE_RE.search(text)
    if lone is not None:
        raise InputError(
            f"{shown} is not valid Unicode text (a lone surrogate U+{ord(lone.group()):04X} "
            f"at character {lone.start()})",
            "encode the text as UTF-8; a JSON \\uD800-\\uDFFF escape needs its other half",
        )


def refuse_known_binary(data: bytes, shown: str) -> None:
    """Name the format of well-known binaries, so the user knows what to convert."""
    for magic, name, hint in _MAGIC:
        if data.startswith(magic):
            raise InputError(f"{shown} looks like {name}, not text", hint)
    if data[4:8] == b"ftyp":
        raise InputError(f"{shown} looks like an MP4/MOV media file, not text", "pass a text file")
    if data.startswith(b"RIFF") and data[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        raise InputError(f"{shown} looks like a RIFF media file, not text", "pass a text file")


def decode(data: bytes, shown: str, declared: str | None, markup: bool) -> tuple[str, str]:
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
    for bom, codec in BOMS:
        if data.startswith(bom):
            try:
                return check_nul(data.decode(codec), shown), codec
            except UnicodeDecodeError:
                raise InputError(
                    f"{shown} starts with a {codec.upper()} byte-order mark but does not decode as it",
                    "re-save it as UTF-8, e.g. `iconv -t utf-8 FILE > out.txt`",
                ) from None

    if b"\x00" in data:
        utf16 = _bomless_utf16(data)
        if utf16 is not None:
            try:
                return check_nul(data.decode(utf16), shown), utf16
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


def check_nul(text: str, shown: str) -> str:
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


def refuse_control_heavy(text: str, shown: str) -> None:
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


def is_blank(text: str) -> bool:
    """True for text with nothing visible: whitespace and zero-width characters only."""
    return not text.strip().strip(_INVISIBLE).strip()
