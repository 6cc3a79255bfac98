"""`grounding.sentences`: sentence boundaries (abbreviations, quotations), their ids, and the
marked text the model sees."""

from __future__ import annotations

from summarizer.grounding.sentences import (
    numbered_sentences,
    paragraph_ends,
    resolve_sentence,
    with_sentence_ids,
    without_sentence_ids,
)

TEXT = (
    "The U.S. Treasury acted under E.O. 13224 on Monday. Gomei Air Services Co. Ltd. was named.\n"
    "\n"
    "\u201cWe will act. We will not wait,\u201d he said. Officials agreed."
)


def sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in numbered_sentences(text).values()]


def test_abbreviations_do_not_end_a_sentence() -> None:
    found = sentences(TEXT)
    assert found[0] == "The U.S. Treasury acted under E.O. 13224 on Monday.", f"U.S. and E.O. kept: {found[0]!r}"
    assert found[1] == "Gomei Air Services Co. Ltd. was named.", f"Co. and Ltd. kept: {found[1]!r}"


def test_a_quotation_is_not_split_inside() -> None:
    found = sentences(TEXT)
    assert "\u201cWe will act. We will not wait,\u201d he said." in found, f"the quotation stays whole: {found}"
    assert found[-1] == "Officials agreed.", "the next sentence starts after it"


def test_ids_resolve_in_any_usual_spelling() -> None:
    numbered = numbered_sentences(TEXT)
    first = numbered["S1"]
    for ref in ("S1", "s1", "[S1]", "1", " S1 "):
        assert resolve_sentence(ref, numbered) == first, f"{ref!r} is sentence 1"
    assert resolve_sentence("S99", numbered) is None, "an id that does not exist"


def test_marked_text_round_trips_to_the_article() -> None:
    marked = with_sentence_ids(TEXT)
    assert "[S1] The U.S. Treasury" in marked, "each sentence is marked with its id"
    assert without_sentence_ids(marked) == TEXT, "removing the marks gives the article back, unchanged"


def test_paragraphs_end_at_blank_lines() -> None:
    ends = paragraph_ends(TEXT)
    assert ends == [TEXT.index("\n\n") + 2], f"the blank line is the one boundary, before the next paragraph: {ends}"


def test_paragraph_ends_are_those_of_the_line_breaking_runs() -> None:
    """`paragraph_ends` reads whitespace runs, keeping those with a newline (one pass: a pattern
    for such runs alone rescanned a long run without one from each of its spaces, 17 s for
    100,000 spaces). Its ends must be those of the definition, on texts of every whitespace mix."""
    import random
    import re

    def defined(text: str) -> list[int]:
        need = 2 if re.search(r"\n[^\S\n]*\n", text) else 1
        return [m.start() + m.group().rfind("\n") + 1 for m in re.finditer(r"[^\S\n]*\n\s*", text)
                if m.group().count("\n") >= need and m.start() > 0]

    rng = random.Random(7)
    for _ in range(2000):
        text = "".join(rng.choice(["a", "b.", " ", "\t", "\n", "\u00a0", "\r", "\u2009"]) for _ in range(rng.randint(0, 30)))
        assert paragraph_ends(text) == defined(text), repr(text)
    long_run = "Words here." + " " * 50_000 + "\n\nMore words."
    assert paragraph_ends(long_run) == [len(long_run) - len("More words.")]


def test_the_sentence_end_scan_is_the_patterns_it_replaced() -> None:
    """`sentence_ends` finds its marks with a pattern whose every alternative starts with its own
    character (so the pattern engine skips to them), and reads the word before a "." backwards
    rather than searching a window for it: both must give what the plain patterns give."""
    import random
    import re

    from summarizer.grounding.sentences import _TERMINATOR, _word_before

    terminator = re.compile(r"(?:\.\.\.|…|[.!?]+)[\"'”’»)\]]*(?=\s)|[。！？]+[」』”’\"')\]）]*")
    word_before = re.compile(r"[^\s\"'“”‘’«»(\[]*$")
    marks = [".", "!", "?", "…", "。", "！", "？", " ", "\n", "\t", "a", "Mr", '"', "'", "”", "’", "»", ")", "]",
             "」", "』", "）", "“", "«", "(", "[", "\u00a0", "\u2028", "x" * 70]
    rng = random.Random(11)
    for _ in range(3000):
        text = "".join(rng.choice(marks) for _ in range(rng.randint(0, 24)))
        assert [m.span() for m in _TERMINATOR.finditer(text)] == [m.span() for m in terminator.finditer(text)], repr(text)
        for end in range(len(text) + 1):
            found = word_before.search(text, max(0, end - 60), end)
            assert _word_before(text, end) == (found.group() if found else ""), (text, end)


def test_the_sentence_at_a_place_is_the_one_a_scan_finds() -> None:
    """`sentence_at` bisects (once per quotation, so linear in a text with thousands of them);
    it must agree with a plain scan at every position, gaps between sentences included."""
    from summarizer.grounding.sentences import sentence_at, sentence_index, sentence_spans

    text = "First one here.  Second “quoted. Still” one.\n\nThird, after a break! Fourth?\n"
    spans = sentence_spans(text)
    for pos in range(len(text) + 1):
        scan = next(((a, b) for a, b in spans if a <= pos < b), None)
        assert sentence_at(text, pos) == scan
        assert (sentence_index(text, pos) is None) == (scan is None)
