"""Split an article that is too long for one model call, and merge what the calls return.

Why it is shaped this way:

* Chunks are plain ``[start, end)`` slices of the article and cover it contiguously, so a
  chunk's offsets become the article's by adding its start.
* A boundary never falls inside a quotation (`grounding.quotation_spans`, marks included): a
  quote cut in two could not be copied verbatim by the model and would be dropped at grounding.
  Keeping a quotation whole wins over the budget, so a quotation longer than a whole budget
  makes its chunk exceed the budget.
* Boundaries are chosen paragraph first, then sentence, and only when a single sentence is
  longer than the budget, at whitespace: the model reads coherent text, and who said what
  usually stays in the same chunk as what was said.
* Each chunk's answer is grounded in its own chunk (`grounding.ground.ground`, offsets shifted) and the
  grounded items are merged by place in the pipeline; here only a missing speaker is carried
  across a boundary, in one narrow, documented case (`carry_speakers`). It never invents text.

Pure functions, standard library only (plus this package's schema and grounding helpers).

Long module: splitting and carrying speakers share one contract (a boundary never cuts a
quotation, and only a boundary's neighbours may lend a speaker), and the token counters exist
for the splitter's budget; 15 lines over the mark, a split would scatter that contract.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .grounding.sentences import is_heading, outside_quotations, paragraph_ends, sentence_ends, word_ends
from .grounding.spans import Normalised, find_all, quotation_spans
from .schema import ExtractedQuote, Extraction

__all__ = [
    "Chunk",
    "carry_speakers",
    "count_tokens_for",
    "estimate_tokens",
    "split",
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
    # The characters of each class, counted by encoders rather than a loop over the text: UTF-8
    # takes 1, 2, 3, 4 bytes for exactly these classes (a lone surrogate 3, with surrogatepass),
    # UTF-16 a second unit only beyond the BMP.
    n = len(text)
    ascii_ = len(text.encode("ascii", "ignore"))
    beyond = len(text.encode("utf-16-le", "surrogatepass")) // 2 - n
    encoded = text.encode("utf-8", "surrogatepass")
    utf8 = len(encoded)
    three = utf8 - ascii_ - 4 * beyond - 2 * (n - ascii_ - beyond)
    two = n - ascii_ - beyond - three
    punctuation = _general_punctuation(text, encoded)  # three UTF-8 bytes, counted as two
    quarters = ascii_ + 2 * (two + punctuation) + 4 * (three - punctuation) + 8 * beyond
    return (quarters + 3) // 4


_GENERAL_PUNCTUATION = re.compile("[\u2000-\u206f]")


def _general_punctuation(text: str, encoded: bytes) -> int:
    """How many characters of `text` are in U+2000..U+206F, counted in its UTF-8 form.

    Their UTF-8 forms start E2 80 (U+2000..U+203F) or E2 81 80..AF (U+2040..U+206F); E2 is
    only ever a first byte, so each such pair is one character, and `bytes.count` finds them
    without the pattern engine's walk over every character. A text with E2 81 pairs (U+2040
    and on, rare) is counted by the pattern."""
    if b"\xe2\x81" in encoded:
        return len(_GENERAL_PUNCTUATION.findall(text))
    return encoded.count(b"\xe2\x80")


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


class _Splitter:
    """The state of one `split` call: candidate boundaries and a cache of token counts."""

    def __init__(self, article: str, budget: int, count: Callable[[str], int]) -> None:
        self.article = article
        self.budget = budget
        self.count = count
        self._counts: dict[tuple[int, int], int] = {}
        n = len(article)
        spans = quotation_spans(article)
        paragraphs = set(paragraph_ends(article)) | {n}
        sentences = paragraphs | set(sentence_ends(article))
        words = sentences | set(word_ends(article))
        # Each level includes the better ones: a paragraph end is also a sentence end, and both
        # are also places between words. n (the end of the text) is in every level.
        self.paragraphs = outside_quotations(sorted(paragraphs), spans)
        self.sentences = outside_quotations(sorted(sentences), spans)
        self.words = outside_quotations(sorted(words), spans)

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
            and is_heading(self.article[before:end])
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


# --------------------------------------------------------------------------- speakers across chunks

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
