"""Split an article that is too long for one model call, and merge what the calls return.

Why it is shaped this way:

* Chunks are plain ``[start, end)`` slices of the article and cover it contiguously, so a chunk
  never needs its own offset arithmetic: everything the model returns is grounded afterwards in
  the FULL article (`assemble.py`), whatever chunk it came from.
* A boundary never falls inside a quotation (`grounding.quotation_spans`, marks included): a
  quote cut in two could not be copied verbatim by the model and would be dropped at grounding.
  Keeping a quotation whole wins over the budget, so a quotation longer than a whole budget
  makes its chunk exceed the budget.
* Boundaries are chosen paragraph first, then sentence, and only when a single sentence is
  longer than the budget, at whitespace: the model reads coherent text, and who said what
  usually stays in the same chunk as what was said.
* `merge` folds the per-chunk answers into one `Extraction`, conservatively: it removes what is
  the same item seen twice (overlap, or a quote split into sentences by the model) and fills a
  missing speaker only in one narrow, documented case. It never invents text.

Pure functions, standard library only (plus this package's schema and grounding helpers).
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from string import Template
from typing import TypeVar

from .grounding import Normalised, find_all, quotation_spans
from .prompts import load
from .schema import ExtractedAllegation, ExtractedQuote, ExtractedTarget, Extraction

__all__ = [
    "Chunk",
    "count_tokens_for",
    "estimate_tokens",
    "merge",
    "split",
    "summaries_prompt",
]

# --------------------------------------------------------------------------- token counting


def estimate_tokens(text: str) -> int:
    """A cheap, deliberately pessimistic token count for when the tokenizer is unknown.

    Why these rates: BPE tokenizers give English/ASCII text about 4 characters per token, but
    accented Latin, Greek, Cyrillic, Hebrew and Arabic letters and typographic punctuation
    (curly quotes, dashes) cost more, and CJK and other scripts about one token per character
    or worse. Over-counting only makes chunks smaller; under-counting overflows the context.

    * ASCII: 1/4 token per character;
    * U+0080..U+07FF (Latin-1/Extended, IPA, Greek, Cyrillic, Armenian, Hebrew, Arabic, ...)
      and U+2000..U+206F (general punctuation): 1/2;
    * any other character in the Basic Multilingual Plane (CJK, Indic, Thai, ...): 1;
    * characters beyond it (emoji, rare CJK): 2.
    """
    if text.isascii():
        return (len(text) + 3) // 4
    quarters = 0
    for ch in text:
        o = ord(ch)
        if o < 0x80:
            quarters += 1
        elif o < 0x800 or 0x2000 <= o < 0x2070:
            quarters += 2
        elif o < 0x10000:
            quarters += 4
        else:
            quarters += 8
    return (quarters + 3) // 4


# Model-name prefixes (after any "provider/" or "ft:" prefix) and the tiktoken encoding they use.
_O200K = ("gpt-4o", "chatgpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "o1", "o3", "o4")
_CL100K = ("gpt-4", "gpt-3.5", "gpt-35", "text-embedding-3", "text-embedding-ada-002")


def _encoding_name(model: str) -> str | None:
    """The tiktoken encoding of an OpenAI model name, or None when it is not a known one."""
    name = model.strip().lower()
    if name.startswith("ft:"):
        name = name[3:]
    name = name.rsplit("/", 1)[-1]
    if name.startswith(_O200K):  # checked first: "gpt-4o" also starts with "gpt-4"
        return "o200k_base"
    if name.startswith(_CL100K):
        return "cl100k_base"
    return None


def count_tokens_for(model: str) -> Callable[[str], int]:
    """A token counter for `model`: exact via tiktoken when that happens to be importable.

    tiktoken is NOT a dependency of this project: it is used only if already installed, and only
    for OpenAI model names whose encoding is known (gpt-4o*, gpt-4.1*, o1/o3/o4*: o200k_base;
    gpt-4*, gpt-3.5*: cl100k_base). Anything else, a missing tiktoken, or an encoding that cannot
    be loaded (tiktoken downloads its tables on first use, which fails offline) falls back to
    `estimate_tokens`, so the answer is always usable and never raises.
    """
    encoding_name = _encoding_name(model)
    if encoding_name is None:
        return estimate_tokens
    try:
        import tiktoken

        encoding = tiktoken.get_encoding(encoding_name)
    except Exception:  # ImportError, or no network / cache for the encoding tables
        return estimate_tokens

    def count(text: str) -> int:
        # disallowed_special=(): an article containing "<|endoftext|>" is text, not an error.
        return len(encoding.encode(text, disallowed_special=()))

    return count


# --------------------------------------------------------------------------- boundaries


@dataclass(frozen=True)
class Chunk:
    """One piece of the article: ``article[start:end] == text``."""

    start: int
    end: int
    text: str


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
_TERMINATOR = re.compile(r"(?:\.\.\.|…|[.!?]+)[\"'”’»)\]]*(?=\s)|[。！？]+[」』”’\"')\]）]*")
_WORD_BEFORE = re.compile(r"[^\s\"'“”‘’«»(\[]*$")
_DOTTED = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]")  # U.S, U.N, p.m, e.g (the final "." stripped)
_WHITESPACE = re.compile(r"\s+")
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")


def _sentence_ends(text: str) -> list[int]:
    """Positions just after a sentence's final punctuation (and its closing quotes/brackets).

    A "." ends a sentence only when whitespace and then a character that is not lowercase (nor
    ",;:") follow, and the word before it is not a known abbreviation ("Mr.", "No.", "Cmdr."),
    not a single letter (initials: "Steven T. Mnuchin"), not dotted ("U.S.", "U.N.", "p.m."),
    and not a number of one or two digits (German dates: "am 3. Oktober"). Decimals never
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
            before = _WORD_BEFORE.search(text, max(0, m.start() - 60), m.start())
            word = before.group() if before else ""
            if (
                word.casefold() in _ABBREVIATIONS
                or (len(word) == 1 and word.isalpha())
                or _DOTTED.fullmatch(word)
                or (word.isdigit() and len(word) <= 2)
            ):
                continue
        ends.append(end)
    return ends


_HEADING_MAX = 100  # characters


def _is_heading(paragraph: str) -> bool:
    """A short paragraph that does not end like a sentence: a heading, a dateline, a credit."""
    text = paragraph.strip().rstrip("\"'”’»)]")
    return 0 < len(text) <= _HEADING_MAX and text[-1] not in ".!?…:;。！？"


def _paragraph_ends(text: str) -> list[int]:
    """Positions just after the last newline of each line break that separates paragraphs.

    If the text has blank lines anywhere, only blank lines separate paragraphs (single newlines
    may be hard wrapping inside a sentence); otherwise every newline does (the one-paragraph-
    per-line text that HTML extraction produces).
    """
    blank_lines = _BLANK_LINE.search(text) is not None
    ends = []
    for m in _WHITESPACE.finditer(text):
        run = m.group()
        if run.count("\n") >= (2 if blank_lines else 1) and m.start() > 0:
            ends.append(m.start() + run.rfind("\n") + 1)
    return ends


def _word_ends(text: str) -> list[int]:
    """Positions just after each run of whitespace (the last-resort boundaries)."""
    return [m.end() for m in _WHITESPACE.finditer(text) if m.start() > 0]


def _outside_quotations(positions: Sequence[int], spans: Sequence[tuple[int, int]]) -> list[int]:
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


class _Splitter:
    """The state of one `split` call: candidate boundaries and a cache of token counts."""

    def __init__(self, article: str, budget: int, count: Callable[[str], int]) -> None:
        self.article = article
        self.budget = budget
        self.count = count
        self._counts: dict[tuple[int, int], int] = {}
        n = len(article)
        spans = quotation_spans(article)
        paragraphs = set(_paragraph_ends(article)) | {n}
        sentences = paragraphs | set(_sentence_ends(article))
        words = sentences | set(_word_ends(article))
        # Each level includes the better ones: a paragraph end is also a sentence end, and both
        # are also places between words. n (the end of the text) is in every level.
        self.paragraphs = _outside_quotations(sorted(paragraphs), spans)
        self.sentences = _outside_quotations(sorted(sentences), spans)
        self.words = _outside_quotations(sorted(words), spans)

    def tokens(self, start: int, end: int) -> int:
        key = (start, end)
        if key not in self._counts:
            self._counts[key] = self.count(self.article[start:end])
        return self._counts[key]

    def fits(self, start: int, end: int) -> bool:
        return self.tokens(start, end) <= self.budget

    def farthest_fit(self, cands: Sequence[int], start: int, floor: int) -> int | None:
        """The farthest candidate > floor such that article[start:candidate] fits, or None.

        Galloping then binary search, so long articles cost O(chunk * log) per chunk, not
        O(article). Assumes counts grow with length (true for the estimate, near enough for
        BPE); whatever it returns has been checked to fit.
        """
        lo = bisect_right(cands, floor)
        if lo == len(cands) or not self.fits(start, cands[lo]):
            return None
        hi = len(cands)
        step = 1
        while lo + step < hi:
            if self.fits(start, cands[lo + step]):
                lo += step
                step *= 2
            else:
                hi = lo + step
                break
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if self.fits(start, cands[mid]):
                lo = mid
            else:
                hi = mid
        return cands[lo]

    def first_after(self, cands: Sequence[int], pos: int) -> int:
        return cands[bisect_right(cands, pos)]  # n is in every list, so this always exists

    def overflow_end(self, pos: int) -> int:
        """End of an over-budget chunk whose next unit (a quotation, a huge word) cannot be cut.

        The chunk takes that unit, and also the rest of its sentence when the rest fits in a
        budget: for a long quotation the rest is usually the attribution ("..., Lee said."),
        which the model needs to name the speaker.
        """
        w = self.first_after(self.words, pos)
        s = self.first_after(self.sentences, pos)
        return s if s > w and self.fits(w, s) else w

    def pick(self, start: int, floor: int, allow_overflow: bool) -> int | None:
        """Where the chunk starting at `start` ends (> floor), or None if nothing fits.

        1. the farthest paragraph end that fits, if it fills at least half the budget or no
           sentence end fits (and not just after a heading: `before_heading`);
        2. otherwise the farthest sentence end that fits;
        3. only if the sentence at `start` alone exceeds the budget: the farthest whitespace
           that fits;
        4. if not even one word fits: an over-budget chunk (`overflow_end`), when allowed.
        When allowed, a chunk under half a budget that would be followed by a unit that cannot
        be cut and overflows anyway (a long quotation) takes that unit too (`overflow_end`):
        its lead-in ("Lee said: ", or a headline naming who speaks) stays with the words.
        """
        end: int | None = None
        para = self.farthest_fit(self.paragraphs, start, floor)
        sent = self.farthest_fit(self.sentences, start, floor)
        if para is not None and (sent is None or sent == para or 2 * self.tokens(start, para) >= self.budget):
            end = self.before_heading(start, floor, para)
        elif sent is not None:
            end = sent
        else:
            end = self.farthest_fit(self.words, start, floor)
        if not allow_overflow:
            return end
        if end is None:
            return self.overflow_end(floor)
        if (
            end < len(self.article)
            and 2 * self.tokens(start, end) <= self.budget
            and not self.fits(end, self.first_after(self.words, end))
        ):
            return self.overflow_end(end)
        return end

    def before_heading(self, start: int, floor: int, end: int) -> int:
        """`end`, or the paragraph end before it when the chunk would close on a heading.

        A heading ("The Rukban camp") belongs with the text after it; the chunk gives it up when
        it still fills half the budget without it.
        """
        i = bisect_right(self.paragraphs, end) - 2
        if end == len(self.article) or i < 0:
            return end
        before = self.paragraphs[i]
        if (
            before > max(start, floor)
            and _is_heading(self.article[before:end])
            and 2 * self.tokens(start, before) >= self.budget
        ):
            return before
        return end

    def overlap_starts(self, prev: Chunk, sentences: int) -> list[int]:
        """Starts for the next chunk that repeat 1..`sentences` sentences of `prev`, most first."""
        if sentences <= 0:
            return []
        lo = bisect_right(self.sentences, prev.start)
        hi = bisect_right(self.sentences, prev.end - 1)
        starts: list[int] = []
        after = prev.end
        for b in reversed(self.sentences[lo:hi]):  # sentence ends strictly inside prev
            if self.article[b:after].strip():  # ends only whitespace apart count once
                starts.append(b)
                if len(starts) == sentences:
                    break
            after = b
        return starts[::-1]


def split(
    article: str,
    budget_tokens: int,
    count: Callable[[str], int] = estimate_tokens,
    overlap_sentences: int = 0,
) -> list[Chunk]:
    """Cut `article` into chunks of at most `budget_tokens` (as `count` measures), in order.

    * A text that fits is returned whole, as one chunk (also the empty text).
    * Boundaries fall at paragraph ends first, then sentence ends (see `_sentence_ends`), and at
      whitespace only when one sentence alone exceeds the budget (see `_Splitter.pick`).
    * A boundary never falls inside a quotation: what `quotation_spans` finds, marks included
      (it matches at most 3,000 characters between the marks; a longer run is split like
      prose: it could not be returned as one quote anyway, `ExtractedQuote.text` holds 1,200).
      A quotation longer than the budget is kept whole, so its chunk EXCEEDS the budget; so does
      a single whitespace-free run longer than the budget (text is never cut between
      characters). Callers must leave headroom in their context window for this.
    * Without overlap the chunks are contiguous: chunk i ends where chunk i+1 starts, the first
      starts at 0 and the last ends at len(article), and ``article[c.start:c.end] == c.text``.
    * With ``overlap_sentences=k`` each chunk after the first starts up to k sentence ends
      before the previous chunk ended (fewer, down to none, if the repeated text would leave
      no room to make progress). Overlap counts towards the budget. `merge` removes the
      duplicates that overlap produces.
    """
    if budget_tokens < 1:
        raise ValueError("budget_tokens must be at least 1")
    if overlap_sentences < 0:
        raise ValueError("overlap_sentences must not be negative")
    n = len(article)
    if count(article) <= budget_tokens:
        return [Chunk(0, n, article)]
    splitter = _Splitter(article, budget_tokens, count)
    chunks: list[Chunk] = []
    start = 0
    while start < n:
        end: int | None = None
        if chunks:
            prev = chunks[-1]
            for overlap_start in splitter.overlap_starts(prev, overlap_sentences):
                end = splitter.pick(overlap_start, prev.end, allow_overflow=False)
                if end is not None:
                    start = overlap_start
                    break
        if end is None:
            floor = chunks[-1].end if chunks else 0
            start = floor
            end = splitter.pick(start, floor, allow_overflow=True)
            assert end is not None and end > start
        chunks.append(Chunk(start, end, article[start:end]))
        start = end
    return chunks


# --------------------------------------------------------------------------- merging

_PRONOUNS = frozenset(
    "he she they him her them it we i you his hers their unknown unnamed unidentified "
    "unspecified none null n/a".split()
)
_NAME_PUNCT = re.compile(r"[.,]")


def _norm_text(text: str) -> str:
    """Casefolded, typography-normalised (`grounding.Normalised`), trimmed of end punctuation."""
    return Normalised(text, fold_case=True).text.strip(" .,;:!?\"'")


def _norm_quote(text: str | None) -> str:
    """A quote as compared for duplicates: typography and whitespace forgiven, case kept."""
    return Normalised(text or "").text.strip(" \"'")


def _norm_name(name: str | None) -> str:
    """A name as compared: casefolded, typography normalised, "." and "," dropped ("Co." = "Co")."""
    if not name:
        return ""
    return " ".join(_NAME_PUNCT.sub(" ", Normalised(name, fold_case=True).text).split())


def _is_named(speaker: str | None) -> bool:
    """A speaker the article names or describes; not None, a pronoun or an 'unknown'."""
    return bool(speaker and speaker.strip().casefold() not in _PRONOUNS)


def _same_speaker(a: str | None, b: str | None) -> bool:
    """Could a and b be the same speaker? Yes if either is unnamed, or one's words hold the other's."""
    if not (_is_named(a) and _is_named(b)):
        return True
    wa, wb = set(_norm_name(a).split()), set(_norm_name(b).split())
    return wa <= wb or wb <= wa


def _better_speaker(a: str | None, b: str | None) -> str | None:
    """The fuller of two compatible speakers: named over unnamed, more words over fewer."""
    if _is_named(a) and _is_named(b):
        assert a is not None and b is not None
        return b if len(_norm_name(b).split()) > len(_norm_name(a).split()) else a
    if _is_named(b) or a is None:
        return b
    return a


def _located_quote(text: str, quote: str, *, last: bool) -> int | None:
    """Index of the quotation span of `text` that holds `quote`, if any (last/first place)."""
    hits = find_all(text, quote)
    if not hits:
        return None
    hs, he = hits[-1] if last else hits[0]
    for i, (s, e) in enumerate(quotation_spans(text)):
        if s <= hs and he <= e:
            return i
    return None


_MAX_GAP = 200  # characters of attribution allowed between a quotation and a chunk boundary


def _ends_with_quote(chunk: Chunk, quote: str | None) -> bool:
    """Is `quote` the last quotation of `chunk`, followed by at most one short line?"""
    spans = quotation_spans(chunk.text)
    at = _located_quote(chunk.text, quote, last=True) if quote else None
    if at is None or at != len(spans) - 1:
        return False
    tail = chunk.text[spans[at][1] + 1 :].strip()
    return len(tail) <= _MAX_GAP and "\n" not in tail


def _starts_with_quote(chunk: Chunk, quote: str | None) -> bool:
    """Is `quote` the first quotation of `chunk`, after at most one short line ("He added:")?"""
    spans = quotation_spans(chunk.text)
    at = _located_quote(chunk.text, quote, last=False) if quote else None
    if at != 0:
        return False
    head = chunk.text[: spans[0][0] - 1].strip()
    return len(head) <= _MAX_GAP and "\n" not in head


def carry_speakers(
    parts: Sequence[Extraction], chunks: Sequence[Chunk] | None
) -> list[list[ExtractedQuote]]:
    """Per-part quote lists, with a speaker carried across a chunk boundary where safe.

    The rule, kept narrow on purpose: the FIRST quote of part k gets the speaker of the LAST
    quote of part k-1 when
      * the first quote of part k has no speaker, or only a pronoun ("he", "she", "they"), and
      * the last quote of part k-1 has a named speaker, as the model gave it (a speaker carried
        into part k-1 is not carried on: no chains), and
      * when `chunks` are given (recommended): that named quote is the last quotation of chunk
        k-1 with at most one short line after it ("..., Robertson said."), and the unnamed quote
        is the first quotation of chunk k with at most one short line before it ("He added:").
        Without `chunks` the model's list order stands in for article order.
    Only the first quote of a part is ever changed, and nothing else.
    """
    lists = [list(p.quotes) for p in parts]
    for k in range(1, len(parts)):
        prev, cur = parts[k - 1].quotes, lists[k]
        if not prev or not cur:
            continue
        named, first = prev[-1], cur[0]
        if not _is_named(named.speaker) or _is_named(first.speaker):
            continue
        if chunks is not None and not (
            _ends_with_quote(chunks[k - 1], named.text) and _starts_with_quote(chunks[k], first.text)
        ):
            continue
        lists[k][0] = first.model_copy(update={"speaker": named.speaker})
    return lists


def _contains(longer: str, shorter: str) -> bool:
    """Does `longer` hold `shorter` as whole words ("patently false" in "is patently false",
    but not "act" in "action")?"""
    if not shorter or len(shorter) >= len(longer):
        return False
    return re.search(rf"(?<!\w){re.escape(shorter)}(?!\w)", longer) is not None


def _merge_quotes(quotes: Sequence[ExtractedQuote]) -> list[ExtractedQuote]:
    """One item per quote: equal after normalisation, or one inside the other, same speaker.

    Containment is of whole words. The longer text is kept, with the fuller speaker. Two quotes whose named speakers differ
    ("patently false" by the Pentagon, "is patently false" by Robertson) are both kept: the
    same words can be said twice, and `assemble.ground_quotes` already gives each place in
    the article to one quote only.
    """
    merged: list[ExtractedQuote] = []
    keys: list[str] = []
    for q in quotes:
        key = _norm_quote(q.text)
        matches = [
            i
            for i, (m, mk) in enumerate(zip(merged, keys, strict=True))
            if _same_speaker(m.speaker, q.speaker) and (mk == key or _contains(mk, key) or _contains(key, mk))
        ]
        if not matches:
            merged.append(q)
            keys.append(key)
            continue
        group = [merged[i] for i in matches] + [q]
        longest = max(group, key=lambda x: len(_norm_quote(x.text)))  # first of equals wins
        speaker: str | None = None
        for item in group:
            speaker = _better_speaker(speaker, item.speaker)
        at = matches[0]
        merged[at] = ExtractedQuote(text=longest.text, speaker=speaker)
        keys[at] = _norm_quote(longest.text)
        for i in reversed(matches[1:]):
            del merged[i], keys[i]
    return merged


def _merge_targets(targets: Sequence[ExtractedTarget]) -> list[ExtractedTarget]:
    """One item per normalised name ("ACME Co." = "Acme Co"); first non-null country/imposed_by."""
    merged: dict[str, ExtractedTarget] = {}
    for t in targets:
        key = _norm_name(t.name)
        seen = merged.get(key)
        if seen is None:
            merged[key] = t
            continue
        merged[key] = seen.model_copy(
            update={
                "country": seen.country if seen.country is not None else t.country,
                "imposed_by": seen.imposed_by if seen.imposed_by is not None else t.imposed_by,
            }
        )
    return list(merged.values())


def _merge_allegations(allegations: Sequence[ExtractedAllegation]) -> list[ExtractedAllegation]:
    """One item per normalised (claim, against); the first wins, its nulls filled from later ones."""
    merged: dict[tuple[str, str], ExtractedAllegation] = {}
    for a in allegations:
        key = (_norm_text(a.claim), _norm_name(a.against))
        seen = merged.get(key)
        if seen is None:
            merged[key] = a
            continue
        fill = {
            name: getattr(a, name)
            for name in ("alleged_by", "against", "hedge", "evidence")
            if getattr(seen, name) is None and getattr(a, name) is not None
        }
        if fill:
            merged[key] = seen.model_copy(update=fill)
    return list(merged.values())


def _max_length(field: str) -> int | None:
    """The `max_length` the schema puts on an `Extraction` field (None if it has none)."""
    for meta in Extraction.model_fields[field].metadata:
        limit = getattr(meta, "max_length", None)
        if isinstance(limit, int):
            return limit
    return None


_T = TypeVar("_T")


def _cap(items: list[_T], field: str) -> list[_T]:
    """`items` cut to the schema's max_length for `field`, keeping the earliest."""
    limit = _max_length(field)
    return items if limit is None else items[:limit]


_SENTENCE_END = re.compile(r"[.!?…。！？][\"'”’»)\]]*\s")


def _join_summaries(summaries: Sequence[str]) -> str:
    """The chunk summaries in order, one paragraph, within the schema's `summary` max_length.

    This is a fallback: the pipeline should replace it by a summary of the summaries
    (`summaries_prompt`). When the join is too long it loses its last sentences whole, and only
    if one sentence alone is too long is it cut at a word and ended with an ellipsis.
    """
    seen: list[str] = []
    for s in summaries:
        s = " ".join(s.split())
        if s and s not in seen:
            seen.append(s)
    joined = " ".join(seen)
    limit = _max_length("summary")
    if limit is None or len(joined) <= limit:
        return joined
    cut = [m.end() for m in _SENTENCE_END.finditer(joined + " ") if m.end() - 1 <= limit]
    if cut:
        return joined[: cut[-1]].rstrip()
    head = joined[: limit - 1]
    return (head.rsplit(" ", 1)[0] if " " in head else head) + "…"


def merge(parts: Sequence[Extraction], chunks: Sequence[Chunk] | None = None) -> Extraction:
    """One `Extraction` from the per-chunk ones, given in chunk order.

    * quotes: speakers carried across a boundary in one narrow case (`carry_speakers`; pass the
      `chunks` the parts came from to make it positional), then duplicates folded
      (`_merge_quotes`).
    * sanctions_targets: one per normalised name (`_merge_targets`).
    * allegations: one per normalised (claim, against) (`_merge_allegations`).
    * summary: the chunk summaries joined (`_join_summaries`); ask the model for a summary of
      them with `summaries_prompt` and put that in its place.
    * every list is cut to the schema's max_length, keeping the earliest items.

    Built with `Extraction.model_construct`: every item was validated when its part was, the
    bounds are enforced here, and so the result is valid; constructing without validation also
    keeps the quote-grounding validator from re-running if this is called inside a grounding
    context (where a last, lenient attempt may have let an ungrounded quote through, which
    `assemble` then drops and reports).
    """
    if not parts:
        raise ValueError("merge needs at least one extraction")
    if chunks is not None and len(chunks) != len(parts):
        raise ValueError("chunks and parts must correspond one to one")
    quotes = _merge_quotes([q for qs in carry_speakers(parts, chunks) for q in qs])
    targets = _merge_targets([t for p in parts for t in p.sanctions_targets])
    allegations = _merge_allegations([a for p in parts for a in p.allegations])
    return Extraction.model_construct(
        summary=_join_summaries([p.summary for p in parts]),
        allegations=_cap(allegations, "allegations"),
        sanctions_targets=_cap(targets, "sanctions_targets"),
        quotes=_cap(quotes, "quotes"),
    )


# --------------------------------------------------------------------------- second call


def _fence_for(texts: Sequence[str]) -> str:
    """A fence line that none of `texts` contains, so no summary can close the fence early."""
    fence = "=" * 8
    while any(fence in t for t in texts):
        fence += "="
    return fence


def summaries_prompt(summaries: list[str]) -> str:
    """The user message asking the model to summarise the chunk summaries as one article.

    The summaries are model output derived from the article, so they may carry text that the
    article planted ("ignore previous instructions"): they are fenced and given as a JSON array
    of strings (escaping makes a summary unable to break out of its item), and the model is
    told to treat them as data. It is asked for 2-4 neutral sentences that keep the hedging.
    """
    if not summaries:
        raise ValueError("summaries_prompt needs at least one summary")
    payload = json.dumps(list(summaries), ensure_ascii=False, indent=1)
    return (
        Template(load("summaries"))
        .substitute(parts=len(summaries), fence=_fence_for([payload]), payload=payload)
        .strip()
    )
