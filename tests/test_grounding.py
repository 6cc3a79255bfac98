"""Grounding: exact, then typography-only matching, always mapped back to original offsets."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.grounding.spans import Normalised, find_all, find_span, numbered_quotations, resolve_ref

TYPO = {"\u201c": '"', "\u201d": '"', "\u2019": "'", "\u2014": "-", "\u00a0": " ", "\u2026": "..."}


def test_exact_first_then_typography() -> None:
    art = "He said \u201cit\u2019s  over\u00a0now\u2026\u201d \u2014 twice."
    assert find_span(art, "it\u2019s  over\u00a0now\u2026") == (9, 24)
    start, end = find_span(art, "it's over now...") or (0, 0)
    assert art[start:end] == "it\u2019s  over\u00a0now\u2026"


def test_no_fuzzy_match() -> None:
    art = "The talks failed badly on Monday."
    assert find_all(art, "The talks failed terribly") == []
    assert find_all(art, "the talks failed badly") == []  # case matters for quotes
    assert find_span(art, "THE TALKS", fold_case=True) == (0, 9)  # ...but not for names


def test_taken_places_are_skipped() -> None:
    art = "\u201cNo.\u201d Then again: \u201cNo.\u201d"
    first = find_span(art, "No.")
    second = find_span(art, "No.", taken=[first] if first else [])
    assert first != second and second is not None and art[second[0]:second[1]] == "No."


def test_refs_resolve_in_every_spelling() -> None:
    art = "A \u201cone\u201d and \u201ctwo\u201d and \"three\"."
    listed = numbered_quotations(art)
    assert [art[a:b] for a, b in listed.values()] == ["one", "two", "three"]
    for ref in ("Q2", "q2", "[Q2]", "2", " Q2 "):
        assert resolve_ref(ref, listed) == listed["Q2"]
    assert resolve_ref("Q9", listed) is None and resolve_ref("two", listed) is None


words = st.text(alphabet=st.sampled_from(list("abcde XY.,\u201c\u201d\u2019\u2014\u00a0\n")), min_size=1, max_size=80)


@settings(max_examples=300, deadline=None)
@given(words, st.data())
def test_any_retyped_slice_is_found_at_an_equivalent_place(article: str, data: st.DataObject) -> None:
    a = data.draw(st.integers(0, len(article) - 1))
    b = data.draw(st.integers(a + 1, len(article)))
    needle = article[a:b]
    if not needle.strip(" \t\r\n\"'\u201c\u201d\u2019\u00a0"):
        return
    retyped = "".join(TYPO.get(c, c) for c in needle)
    retyped = re.sub(r"\s+", " ", retyped)
    hits = find_all(article, retyped)
    assert hits, (article, needle)
    for start, end in hits:
        # what we return is the article's own text, equal to the needle up to typography
        assert Normalised(article[start:end]).text.strip() == Normalised(retyped).text.strip(" \"'")


# Every character the normalisation treats specially, and some that fold oddly (İ lowers to two
# characters, Σ to ς at a word's end, ſ is an s), mixed with plain letters and spaces.
_TRICKY = "".join(TYPO) + "\u2018\u201a\u2013\u2212\u2011\u200b\u202f\u2009\u2033\t\n\r\x0b\x0c\x1c\x85\u2028\u3000" + "İΣσςſẞßKaA .'\""


@given(st.text(alphabet=st.sampled_from(_TRICKY), max_size=40) | st.text(max_size=40), st.booleans())
@settings(max_examples=400, deadline=None)
def test_normalised_is_the_character_loop_it_replaced(text: str, fold_case: bool) -> None:
    """The regular-expression build gives the text and offsets of the reference loop, and
    maps every normalised range back as the loop's offsets do."""
    from summarizer.grounding.spans import _reference

    norm = Normalised(text, fold_case=fold_case)
    expected, origin = _reference(text, fold_case=fold_case)
    assert norm.text == expected
    fresh = Normalised(text, fold_case=fold_case)  # to_original before `origin` is built
    for start in range(len(expected)):
        end = min(len(expected), start + 3)
        assert fresh.to_original(start, end) == (origin[start], origin[end - 1] + 1), (start, end)
    assert norm.origin == origin


def test_the_whitespace_list_is_every_character_python_calls_space() -> None:
    from summarizer.grounding.spans import _SPACES

    assert _SPACES == "".join(chr(c) for c in range(0x110000) if chr(c).isspace())


@given(st.text(alphabet=st.sampled_from(_TRICKY), max_size=30), st.text(alphabet=st.sampled_from(_TRICKY), max_size=6),
       st.booleans())
@settings(max_examples=600, deadline=None)
def test_a_needle_said_absent_is_not_in_the_normalised_article(article: str, needle: str, fold_case: bool) -> None:
    """`_absent` spares normalising an article for a name it lacks; whenever it says so, the
    normalised article must indeed not hold the name (a zero-width space or a capital sigma
    in the article leaves the question to the search)."""
    from summarizer.grounding.spans import _absent, _normalise_needle

    pattern = _normalise_needle(needle, fold_case=fold_case)
    if pattern and _absent(article, pattern, fold_case=fold_case):
        assert pattern not in Normalised(article, fold_case=fold_case).text


def test_direct_speech_without_marks_is_found_where_the_pattern_finds_it() -> None:
    """`unmarked_speech` tries its pattern only where a match can begin (a line's start, the
    space after a sentence's end): the matches must be those of the pattern tried everywhere."""
    import random

    from summarizer.grounding.spans import _UNMARKED, _unmarked_matches

    pieces = ["Wir werden handeln, sagte Peskow.", "We will act, he said.", "Our aim is clear, said the Minister.",
              " ", "\n", ". ", "!\t", "? ", "abc", ",", "\u201c", "X said. ", "We know it well, and we said. "]
    rng = random.Random(5)
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        assert [m.span(1) for m in _unmarked_matches(text)] == [m.span(1) for m in _UNMARKED.finditer(text)], text


def test_the_places_of_a_needle_are_those_a_pattern_of_it_finds() -> None:
    from summarizer.grounding.spans import _places

    for text, needle in [("aaaa", "aa"), ("Iran, Iranian, IRAN", "Iran"), ("abab a", "ab a"), ("", "x"), ("x", "x")]:
        assert _places(text, needle) == [m.span() for m in re.finditer(re.escape(needle), text)]
