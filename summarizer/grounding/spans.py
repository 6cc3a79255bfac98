"""Find what the model returned in the article, and give it offsets into the text as read.

Matching is exact first, then through a normalisation that only forgives typography
(curly vs straight quotes and apostrophes, dash variants, ellipsis, runs of whitespace and
no-break spaces) and maps every normalised character back to its original offset. Nothing
fuzzier: a quote with one changed word is not found, and so never returned.

Also here: the quotations of an article, found by their marks (or, for direct speech written
without them, by its attribution) and numbered for the prompt.
What the model's answer is checked against lives in `assemble` (grounding) and `validation`
(when to re-ask).
"""

from __future__ import annotations

import copy
import re
from bisect import bisect_right
from collections.abc import Sequence
from functools import lru_cache

_TYPO = {
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2033": '"', "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u2039": "'", "\u203a": "'", "\u2013": "-", "\u2014": "-", "\u2012": "-", "\u2212": "-",
    "\u2010": "-", "\u2011": "-", "\u2026": "...", "\u00a0": " ", "\u202f": " ", "\u2009": " ",
    "\u200b": "",
}
NEEDLE_STRIP = " \t\r\n\"'\u201c\u201d\u201e\u00ab\u00bb\u2018\u2019\u201a"
"""What a needle loses at both ends before it is looked for (spaces and quotation marks)."""


class Normalised:
    """`text` normalised, with `origin[k]` = offset in the original of normalised char k.

    Each character is replaced by its `_TYPO` form (and lowercased with `fold_case`), and a
    run of whitespace becomes one space. Built with `str.replace` and one regular expression
    rather than character by character: an article is normalised for every new article a name
    is looked up in, and the loop (kept as `_reference`, which the tests compare against) cost
    a third of grounding. The offsets are kept as segments, built when an offset is first
    asked for (most normalisations are only compared as text), and `origin` on demand.
    """

    def __init__(self, original: str, *, fold_case: bool = False) -> None:
        self._original = original
        self._segments: tuple[list[int], list[int], list[bool]] | None = None
        self._origin: list[int] | None = None
        self.text = _LENGTH_CHANGES.sub(_written, _one_to_one(original))
        if fold_case:
            self._fold()

    def _fold(self) -> None:
        folded = self.text.lower()
        # str.lower is the per-character lower of the loop except for a final capital sigma;
        # a character whose lower form is longer would shift the offsets: both take the loop
        if len(folded) != len(self.text) or "\u03a3" in self.text:
            self.text, self._origin = _reference(self._original, fold_case=True)
        else:
            self.text = folded

    def folded(self) -> Normalised:
        """This normalisation with `fold_case`, without a second pass over the original."""
        out = copy.copy(self)  # the segments, once built, are shared: neither changes them
        out._fold()
        return out

    def _segmented(self) -> tuple[list[int], list[int], list[bool]]:
        """Segment k: normalised [starts[k], ...) comes from the original from froms[k] on, one
        by one, or all from froms[k] when steps[k] is False (an ellipsis written out)."""
        if self._segments is None:
            one_to_one = _one_to_one(self._original)
            starts: list[int] = []
            froms: list[int] = []
            steps: list[bool] = []

            def segment(n: int, at: int, step: bool) -> None:
                starts.append(n)
                froms.append(at)
                steps.append(step)

            n = pos = 0
            for m in _LENGTH_CHANGES.finditer(one_to_one):
                a, b = m.span()
                if a > pos:
                    segment(n, pos, True)
                    n += a - pos
                if one_to_one[a] == " ":  # a run of spaces: one space, at the run's first character
                    segment(n, a, True)
                    n += 1
                elif one_to_one[a] == "\u2026":
                    segment(n, a, False)
                    n += 3
                pos = b  # a zero-width space leaves nothing
            if pos < len(one_to_one) or not starts:
                segment(n, pos, True)
            self._segments = starts, froms, steps
        return self._segments

    def _at(self, k: int) -> int:
        starts, froms, steps = self._segmented()
        i = bisect_right(starts, k) - 1
        return froms[i] + (k - starts[i] if steps[i] else 0)

    @property
    def origin(self) -> list[int]:
        if self._origin is None:
            self._origin = [self._at(k) for k in range(len(self.text))]
        return self._origin

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised [start, end) back to original offsets."""
        if self._origin is not None:
            return self._origin[start], self._origin[end - 1] + 1
        return self._at(start), self._at(end - 1) + 1


def _one_to_one(original: str) -> str:
    """`original` with every character of `_ONE_TO_ONE` replaced (the same length): one C scan
    per character that occurs (no replacement is itself replaced), cheaper than a pattern with
    a callback per match."""
    out = original
    for char, replacement in (_ASCII_ONE_TO_ONE if original.isascii() else _ONE_TO_ONE).items():
        if char in out:
            out = out.replace(char, replacement)
    return out


def _written(m: re.Match[str]) -> str:
    """What a `_LENGTH_CHANGES` match is normalised to."""
    return " " if m.group()[0] == " " else _TYPO[m.group()]


def _reference(original: str, *, fold_case: bool = False) -> tuple[str, list[int]]:
    """`Normalised`, character by character: (text, origin). The definition the fast path
    must match, and what it falls back to for the rare text str.lower cannot fold alike."""
    chars: list[str] = []
    origin: list[int] = []
    in_space = False
    for i, ch in enumerate(original):
        rep = _TYPO.get(ch, ch)
        if rep.isspace() or rep == " ":
            if in_space:
                continue
            in_space = True
            chars.append(" ")
            origin.append(i)
            continue
        in_space = False
        if fold_case:
            rep = rep.lower()
        for r in rep:
            chars.append(r)
            origin.append(i)
    return "".join(chars), origin


_SPACES = (  # every character whose str.isspace() is true (a test checks this list)
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_ONE_TO_ONE = {**dict.fromkeys(_SPACES.replace(" ", ""), " "), **{k: v for k, v in _TYPO.items() if len(v) == 1}}
_ASCII_ONE_TO_ONE = {k: v for k, v in _ONE_TO_ONE.items() if k.isascii()}  # all an ASCII text can hold
# Runs of spaces, and the characters whose form is longer or shorter; every alternative starts
# with its own character, so the pattern engine skips to those instead of trying every position.
_LENGTH_CHANGES = re.compile("|".join(["  +", *(k for k, v in _TYPO.items() if len(v) != 1)]))


@lru_cache(maxsize=32)
def _normalised(article: str, fold_case: bool) -> Normalised:
    """The article's normalisation, built once: names are looked up in it many times."""
    return _normalised(article, False).folded() if fold_case else Normalised(article)


@lru_cache(maxsize=32)
def _lowered(article: str) -> str:
    """The article lowered once: `_absent` reads it for every name the article lacks."""
    return article.lower()


_PRODUCED = re.compile("[" + re.escape("".join(sorted({" ", *"".join(_TYPO.values())}))) + "]+")
"""What normalising writes for characters other than themselves: one space for a run of
whitespace, and the straight forms of `_TYPO` (quotation marks, hyphens, dots)."""


def _absent(article: str, pattern: str, *, fold_case: bool) -> bool:
    """True when the normalised needle `pattern` cannot occur in the article's normalisation,
    told without normalising the article (most of the cost of a name the article lacks).

    Between the characters normalising writes (`_PRODUCED`), a match is made of the article's
    own characters, side by side (lowered with `fold_case`, which is the article's `lower()`
    but for a final sigma): so each such piece of `pattern` must be in the article as it is.
    A zero-width space, which normalising drops from inside a word, or a capital sigma, leaves
    the question to the full search."""
    if "\u200b" in article or (fold_case and "\u03a3" in article):
        return False
    text = _lowered(article) if fold_case else article
    return any(piece not in text for piece in _PRODUCED.split(pattern) if piece)


def _normalise_needle(needle: str, *, fold_case: bool) -> str:
    return Normalised(needle, fold_case=fold_case).text.strip()


def find_all(article: str, needle: str, *, fold_case: bool = False) -> list[tuple[int, int]]:
    """Every place `needle` occurs in `article`, exactly or up to typography; [] if none."""
    needle = needle.strip(NEEDLE_STRIP)
    if not needle:
        return []
    return _places(article, needle) or find_normalised(article, needle, fold_case=fold_case)


def _places(text: str, needle: str) -> list[tuple[int, int]]:
    """Where `needle` occurs in `text`, left to right and not overlapping (as a pattern of it
    would find them, without escaping and compiling one for every name)."""
    places = []
    n = len(needle)
    at = text.find(needle)
    while at >= 0:
        places.append((at, at + n))
        at = text.find(needle, at + n)
    return places


def find_normalised(article: str, needle: str, *, fold_case: bool = False) -> list[tuple[int, int]]:
    """Every place `needle` occurs up to typography (and case), also where it occurs exactly:
    for callers that filter the places (whole words) and must not lose a folded one to an
    exact one they reject ("Iran" inside "Iranian" before a whole "IRAN")."""
    needle = needle.strip(NEEDLE_STRIP)
    if not needle:
        return []
    pattern = _normalise_needle(needle, fold_case=fold_case)
    if not pattern or _absent(article, pattern, fold_case=fold_case):
        return []
    norm = _normalised(article, fold_case)
    return [norm.to_original(a, b) for a, b in _places(norm.text, pattern)]


def find_span(
    article: str, needle: str, *, fold_case: bool = False, taken: Sequence[tuple[int, int]] = ()
) -> tuple[int, int] | None:
    """The first place of `needle` not already in `taken` (else the first place), or None."""
    hits = find_all(article, needle, fold_case=fold_case)
    if not hits:
        return None
    free = [h for h in hits if h not in taken]
    return (free or hits)[0]


# --------------------------------------------------------------------------- quotation marks

_MARK = re.compile("[\u201c\u201d\u201e\u00ab\u00bb\"\u2018\u2019']")
_DOUBLE = "\u201c\u201d\u201e\u00ab\u00bb\""
_MAX_QUOTATION = 3000  # characters: longer is a stray mark, not a quotation
_BEFORE_OPEN = " \t\n([{\u2014\u2013-/:;,\u201c\u201e\u00ab\u2018\""  # what may stand before an opening mark


def _can_open(text: str, i: int) -> bool:
    """A mark that begins words: at the start or after a space or an opening bracket/dash, and
    before a non-space ("said: “We", "(\"the")."""
    return (i == 0 or text[i - 1] in _BEFORE_OPEN) and i + 1 < len(text) and not text[i + 1].isspace()


def _can_close(text: str, i: int) -> bool:
    """A mark that ends words: after a non-space and before the end, a space or punctuation,
    never before a letter or digit (the apostrophe in "don’t" does not close)."""
    return i > 0 and not text[i - 1].isspace() and (i + 1 == len(text) or not text[i + 1].isalnum())


def _paragraph_quotations(text: str, a: int, b: int, continues: bool) -> list[tuple[int, int]]:
    """The quotations of the paragraph text[a:b]. A double mark opens or closes by what stands
    around it (so “…" and "…” written with mixed marks pair up); „…“, «…» and »…« pair as
    German and French write them; single marks ‘…’ / '…' make a quotation only outside a
    double one. A quotation still open at the paragraph's end runs to it when the next
    paragraph opens with a mark (`continues`: the convention for a quotation over paragraphs)."""
    out: list[tuple[int, int]] = []
    opener = ""  # the open double mark, if any
    at = 0
    single_at = -1  # where an open single quotation's words start, outside any double one
    for m in _MARK.finditer(text, a, b):
        i, ch = m.start(), m.group()
        if ch in _DOUBLE:
            single_at = -1  # a single mark left open was an apostrophe
            if opener:
                guillemets = ch == "\u00bb" and opener == "\u00ab" or ch == "\u00ab" and opener == "\u00bb"
                closes = guillemets or (  # French sets « non » off with spaces: no flanking rule
                    ch in "\u201d\"" or ch == "\u201c" and (opener == "\u201e" or not _can_open(text, i))
                ) and _can_close(text, i)
                if closes:
                    if i - at <= _MAX_QUOTATION:
                        out.append((at, i))
                    opener = ""
                    continue
            if ch in "\u201c\u201e\u00ab" or ch in "\u00bb\"\u201d" and _can_open(text, i) and not _can_close(text, i):
                # a new opening mark where one is open: that one was a stray, this one counts
                opener, at = ch, i + 1
            continue
        if opener:
            continue  # an apostrophe or a quotation inside the quotation
        if single_at < 0:
            if _can_open(text, i) and (ch == "\u2018" or text[i + 1].isalpha()):
                single_at = i + 1
        elif ch != "\u2018" and _can_close(text, i):
            if i - single_at <= _MAX_QUOTATION and len(text[single_at:i].split()) >= 2:
                out.append((single_at, i))  # one word between single marks is a term or a name
            single_at = -1
    if opener and continues:
        end = len(text[:b].rstrip())
        if at < end and end - at <= _MAX_QUOTATION:
            out.append((at, end))
    return out


def quotation_spans(text: str) -> list[tuple[int, int]]:
    """Spans of text inside quotation marks (without the marks), in order.

    Deterministic, no model involved: the quotations the model is asked about, and where chunk
    and sentence boundaries may not fall.
    """
    return list(_quotation_spans(text))


@lru_cache(maxsize=64)
def _quotation_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Once per text: the prompt, the sentence splitter, the validator and chunking all ask.
    A paragraph is a block between blank lines where the text has them (a hard-wrapped
    paragraph is one), else a line."""
    lines: list[tuple[int, int]] = []
    blocks = "\n\n" in text.replace("\r", "")
    pos = 0
    for line in text.split("\n"):
        if not line.strip():
            pass
        elif blocks and lines and text[lines[-1][1] : pos].count("\n") == 1:
            lines[-1] = (lines[-1][0], pos + len(line))  # the same block
        else:
            lines.append((pos, pos + len(line)))
        pos += len(line) + 1
    out: list[tuple[int, int]] = []
    for k, (a, b) in enumerate(lines):
        nxt = text[lines[k + 1][0] : lines[k + 1][1]].lstrip()[:1] if k + 1 < len(lines) else ""
        out += _paragraph_quotations(text, a, b, continues=nxt != "" and nxt in _DOUBLE)
    return tuple(out)


SPEECH_VERBS = tuple(
    "said says told tells added adds stated states wrote writes declared noted explained warned warns claimed "
    "claims argued argues asserted asserts insisted insists replied announced stressed acknowledged admitted "
    "alleged alleges recalled continued sagte erklärte".split()
)
"""The verbs that attribute speech ("..., he said"; "X told reporters"), in lower case: what
makes a sentence without marks direct speech here, a name beside a quotation its speaker
(`rules`), and a name before one the speaker of an accusation (`cues`)."""
SPEECH = "(?:" + "|".join(SPEECH_VERBS) + ")"

# Direct speech without marks, attributed after a comma as wire and German copy often write it
# ("Aber in diesem Fall werden wir ... handeln, sagte Peskow."): a sentence in the first person
# followed by ", said X.", ", X said." or ", the minister said."; reported speech (third person,
# the German subjunctive) is not direct speech.
_UNMARKED = re.compile(
    rf"(?:^|(?<=[.!?])[ \t]+)([A-ZÄÖÜÀ-Ý][^.!?\n\"“”„«»‘’]{{10,500}}?),[ \t]+"
    rf"(?:{SPEECH}[ \t]+(?:(?:der|die|the|le|la|el)[ \t]+)?[A-ZÄÖÜ]"
    rf"|(?!(?:and|but|or|while|as|when|although|because|und|aber|et|mais|y|pero)\b)(?:[\w’'-]+[ \t]+){{1,4}}?{SPEECH})"
    rf"[^.!?\n]{{0,80}}[.!?]",
    re.M,
)
_FIRST_PERSON = re.compile(
    r"\b(?:I|[Ww]e|[Oo]ur|us|[Mm]y|[Ii]ch|[Ww]ir|uns|[Uu]nser\w*|[Mm]ein\w*|[Jj]e|[Nn]ous|[Nn]otre|[Nn]os|"
    r"[Yy]o|[Nn]osotros|[Nn]uestr\w*)\b"
)


# Where a match of `_UNMARKED` can begin: a line's start, or the space after a sentence's end.
_SENTENCE_START = re.compile(r"\n|\.[ \t]|![ \t]|\?[ \t]")


def _unmarked_matches(text: str) -> list[re.Match[str]]:
    """`_UNMARKED.finditer(text)`, tried only where a match can begin (see `_SENTENCE_START`):
    the pattern opens with `^` or a look-behind, which the pattern engine tries at every
    position of the text."""
    found: list[re.Match[str]] = []
    end = 0
    for start in (0, *(m.start() + 1 for m in _SENTENCE_START.finditer(text))):
        if start >= end and (m := _UNMARKED.match(text, start)) is not None:
            found.append(m)
            end = m.end()
    return found


def unmarked_speech(text: str) -> list[tuple[int, int]]:
    """Spans of direct speech written without quotation marks (see `_UNMARKED`), outside every
    quotation that has them."""
    marked = quotation_spans(text)
    out = []
    for m in _unmarked_matches(text):
        a, b = m.span(1)
        if _FIRST_PERSON.search(m.group(1)) and not any(s < b and a < e for s, e in marked):
            out.append((a, b))
    return out


MAX_LISTED = 60  # quotations shown to the model with ids; more are left to verbatim text
_REF = re.compile(r"^\[?\s*[Qq]?\s*(\d{1,3})\s*\]?$")


def speech_spans(text: str) -> list[tuple[int, int]]:
    """Every quotation: within marks, and direct speech without them (`unmarked_speech`), in
    text order. (Chunk and sentence boundaries avoid only the marked ones, `quotation_spans`.)"""
    return list(_speech_spans(text))


@lru_cache(maxsize=64)
def _speech_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Once per text: the prompt lists them and the validator resolves their ids."""
    return tuple(sorted([(a, b) for a, b in quotation_spans(text) if text[a:b].strip()] + unmarked_speech(text)))


def numbered_quotations(text: str) -> dict[str, tuple[int, int]]:
    """The quotations shown to the model, by id ("Q1", "Q2", ...), in text order.

    Deterministic, so the prompt, the validator and the assembler all agree on the ids.
    """
    return {f"Q{i + 1}": span for i, span in enumerate(_speech_spans(text)[:MAX_LISTED])}


def resolve_ref(ref: str, listed: dict[str, tuple[int, int]]) -> tuple[int, int] | None:
    """The span of a quotation id as the model wrote it ("Q3", "q3", "[Q3]", "3"), or None."""
    m = _REF.match(ref.strip())
    return listed.get(f"Q{int(m.group(1))}") if m else None
