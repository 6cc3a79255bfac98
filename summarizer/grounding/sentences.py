"""Sentences and paragraphs of an article, found deterministically, and their ids.

One home for segmentation: chunking cuts long articles at these boundaries, and grounding
numbers the sentences ([S1], [S2], ...) so that a model cites evidence and summary support by
id instead of copying text; an id always resolves to the article's own characters.

A "." ends a sentence only when it is not part of an abbreviation ("Mr.", "Co.", "No."), an
initial ("Steven T. Mnuchin"), a dotted abbreviation ("U.S.", "E.O.") or a short number
("am 3. Oktober"); a boundary never falls inside a quotation; every paragraph break ends a
sentence. When in doubt it does not split: two sentences under one id are still verbatim.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from functools import lru_cache

from .furniture import only_furniture
from .spans import quotation_spans

# Words before a "." that do not end a sentence when followed by a capital ("Mr. Smith",
# "No. 5", "Cmdr. Sean Robertson", "Oct. 25", German "Nr.", "Mrd. Euro"). Compared casefolded.
_ABBREVIATIONS = frozenset(
    """
    mr mrs ms mx dr prof sen rep gov gen lt col maj capt cmdr adm sgt cpl pvt rev hon pres
    amb sec dept st mt ft jr sr no nos nr vol fig art ch pp inc corp co ltd llc bros plc
    jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun
    vs etc approx est ave blvd rd al
    bzw ca usw vgl evtl ggf inkl zzgl mio mrd dt abs
    """.split()
)
_CLOSERS = r"[\"'”’»)\]]*"
_CJK_CLOSERS = r"[」』”’\"')\]）]*"
# (?:\.\.\.|…|[.!?]+)CLOSERS(?=\s) or [。！？]+CJK_CLOSERS, written so that every alternative
# starts with its own character: the pattern engine then skips straight to those characters
# instead of trying the pattern at every position of the text.
_TERMINATOR = re.compile(
    "|".join(
        [rf"\.\.\.{_CLOSERS}(?=\s)", rf"…{_CLOSERS}(?=\s)"]
        + [rf"\{mark}[.!?]*{_CLOSERS}(?=\s)" for mark in ".!?"]
        + [rf"{mark}[。！？]*{_CJK_CLOSERS}" for mark in "。！？"]
    )
)
_NOT_IN_WORD = frozenset("\"'“”‘’«»([")  # nor whitespace
_WORD_MAX = 60  # characters read back from a "." for the word it ends
_DOTTED = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]")  # U.S, U.N, p.m, e.g (the final "." stripped)
_WHITESPACE = re.compile(r"\s+")
# German ordinal dates ("am 3. Oktober"): a short number before a month does not end a sentence.
_MONTH = re.compile(
    r"(?:Januar|Jänner|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember)\b"
)
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")
_LINE_BREAK = re.compile(r"\n\s*")


def sentence_ends(text: str) -> list[int]:
    """Positions just after a sentence's final punctuation (and its closing quotes/brackets).

    A "." ends a sentence only when whitespace and then a character that is not lowercase (nor
    ",;:") follow, and the word before it is not a known abbreviation ("Mr.", "No.", "Cmdr."),
    not a single letter (initials: "Steven T. Mnuchin"), not dotted ("U.S.", "U.N.", "p.m."),
    and not a number of one or two digits before a month (German dates: "am 3. Oktober"). Decimals never
    match because no whitespace follows their point. When in doubt this does NOT split: a
    missed boundary only makes a chunk end at an earlier sentence.
    """
    ends: list[int] = []
    n = len(text)
    for m in _TERMINATOR.finditer(text):
        end = m.end()
        mark = m.group()
        if mark[0] in "。！？":
            ends.append(end)
            continue
        j = end
        while j < n and text[j].isspace():
            j += 1
        if j < n and (text[j].islower() or text[j] in ",;:"):
            continue
        if mark.startswith(".") and not mark.startswith(".."):
            word = _word_before(text, m.start())
            if (
                word.casefold() in _ABBREVIATIONS
                or (len(word) == 1 and word.isalpha())
                or _DOTTED.fullmatch(word)
                or (word.isdigit() and len(word) <= 2 and _MONTH.match(text, j) is not None)
            ):
                continue
        ends.append(end)
    return ends


def _word_before(text: str, end: int) -> str:
    """The word that ends at `end` (at most _WORD_MAX characters), read backwards from it (a
    pattern searched in the window before every "." would try each start in it); one newline
    just before `end` is passed over, as `$` does in a pattern."""
    low = max(0, end - _WORD_MAX)
    stop = end - 1 if end > low and text[end - 1] == "\n" else end
    start = stop
    while start > low and not text[start - 1].isspace() and text[start - 1] not in _NOT_IN_WORD:
        start -= 1
    return text[start:stop]


_HEADING_MAX = 100  # characters


def is_heading(paragraph: str) -> bool:
    """A short paragraph that does not end like a sentence: a heading, a dateline, a credit."""
    text = paragraph.strip().rstrip("\"'”’»)]")
    return 0 < len(text) <= _HEADING_MAX and text[-1] not in ".!?…:;。！？"


def paragraph_ends(text: str) -> list[int]:
    """Positions just after the last newline of each line break that separates paragraphs.

    If the text has blank lines anywhere, only blank lines separate paragraphs (single newlines
    may be hard wrapping inside a sentence); otherwise every newline does (the one-paragraph-
    per-line text that HTML extraction produces).
    """
    need = 2 if _BLANK_LINE.search(text) is not None else 1
    lead = len(text) - len(text.lstrip())  # a run before it starts the text: no break
    ends = []
    for m in _LINE_BREAK.finditer(text):  # a whitespace run from its first newline: tried only at
        run = m.group()  # newlines, so a long run of spaces is read once, and between words never
        if m.start() > lead and run.count("\n") >= need:
            ends.append(m.start() + run.rfind("\n") + 1)
    return ends


def word_ends(text: str) -> list[int]:
    """Positions just after each run of whitespace (the last-resort boundaries)."""
    return [m.end() for m in _WHITESPACE.finditer(text) if m.start() > 0]


def outside_quotations(positions: Sequence[int], spans: Sequence[tuple[int, int]]) -> list[int]:
    """`positions` that are not inside a quotation, its quotation marks included.

    A quotation span (s, e) excludes its marks at s-1 and e, so boundaries b with
    s-1 < b < e+1 are refused: a boundary may touch the opening mark from outside, or follow
    the closing one, but never separate a mark from its words.
    """
    lows = [s - 1 for s, _ in spans]
    out = []
    for b in positions:
        i = bisect_right(lows, b) - 1
        if i >= 0 and lows[i] < b < spans[i][1] + 1:
            continue
        out.append(b)
    return out


@lru_cache(maxsize=64)
def sentence_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Every sentence of `text` as (start, end), in order, trimmed of surrounding whitespace.

    Boundaries: paragraph breaks, and sentence ends outside quotations. Cached: the prompt,
    the validator and the assembler all ask for the same text's sentences.
    """
    cuts = set(paragraph_ends(text))
    cuts |= set(outside_quotations(sentence_ends(text), quotation_spans(text)))
    spans: list[tuple[int, int]] = []
    start = 0
    for cut in sorted(cuts | {len(text)}):
        piece = text[start:cut].lstrip()
        if piece:
            a = cut - len(piece)
            spans.append((a, a + len(piece.rstrip())))
        start = cut
    return tuple(spans)


def sentence_index(text: str, pos: int) -> int | None:
    """Which of `sentence_spans(text)` holds `pos`, or None (found by bisection: a text with
    many quotations asks once per quotation)."""
    spans = sentence_spans(text)
    k = bisect_right(_starts(text), pos) - 1
    return k if k >= 0 and spans[k][0] <= pos < spans[k][1] else None


def sentence_at(text: str, pos: int) -> tuple[int, int] | None:
    """The sentence of `text` that holds `pos`, or None."""
    k = sentence_index(text, pos)
    return None if k is None else sentence_spans(text)[k]


@lru_cache(maxsize=64)
def _starts(text: str) -> tuple[int, ...]:
    return tuple(a for a, _ in sentence_spans(text))


def numbered_sentences(text: str) -> dict[str, tuple[int, int]]:
    """The sentences by id ("S1", "S2", ...), in text order."""
    return {f"S{i + 1}": span for i, span in enumerate(sentence_spans(text))}


def content_sentences(text: str) -> dict[str, tuple[int, int]]:
    """`numbered_sentences` without the ones that lie only in site furniture ("Skip to
    content", "Sign In": `furniture`), for a plan that should not ask about them. Ids are
    not renumbered (the first content sentence may be "S2"): an id means the same sentence in
    every prompt, recording and answer, whichever of the two lists it came from."""
    return {ref: span for ref, span in numbered_sentences(text).items() if not only_furniture(text, *span)}


_SENTENCE_REF = re.compile(r"^\[?\s*[Ss]?\s*(\d{1,4})\s*\]?$")


def resolve_sentence(ref: str, numbered: dict[str, tuple[int, int]]) -> tuple[int, int] | None:
    """The span of a sentence id as a model wrote it ("S3", "s3", "[S3]", "3"), or None."""
    m = _SENTENCE_REF.match(ref.strip())
    return numbered.get(f"S{int(m.group(1))}") if m else None


def with_sentence_ids(text: str) -> str:
    """`text` with "[Sn] " before each sentence; removing the markers gives `text` back."""
    out: list[str] = []
    pos = 0
    for ref, (start, _end) in numbered_sentences(text).items():
        out.append(text[pos:start])
        out.append(f"[{ref}] ")
        pos = start
    out.append(text[pos:])
    return "".join(out)


_MARKER = re.compile(r"\[S\d{1,4}\] ")


def without_sentence_ids(marked: str) -> str:
    """The inverse of `with_sentence_ids` (for in-process backends that read the prompt)."""
    return _MARKER.sub("", marked)
