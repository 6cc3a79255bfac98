"""`grounding.furniture`: the lines of a page that are not the article (issue 19)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from summarizer.grounding.furniture import furniture_spans, is_furniture, only_furniture
from summarizer.grounding.sentences import content_sentences, numbered_sentences

from .conftest import SHARED


def lines_of(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return [text[a:b] for a, b in furniture_spans(text)]


def test_the_development_articles_furniture_is_found() -> None:
    assert lines_of(SHARED / "iran-missiles-russia.txt") == [
        "Skip to content", "This post is for paying subscribers only", "Already have an account? Sign In"]
    conviasa = lines_of(SHARED / "06_state-dept-conviasa-aircraft.txt")
    assert conviasa[0] == "Español Español, Português Português"  # language switcher
    assert "Email Updates" in conviasa and any(line.startswith("To sign up for updates") for line in conviasa)
    assert any(line.startswith("This translation is provided as a courtesy") for line in conviasa)
    assert lines_of(SHARED / "12_reuters-eu-belarus-airline-threat.txt") == [
        "Generic selectors", "Exact matches only", "Search in title", "Search in content", "Post Type Selectors"]
    assert lines_of(SHARED / "04_nbc-south-korea-impeachment.txt") == [
        "Anthony Wallace / AFP - Getty Images", "Ezra Acayan / Getty Images", "Ezra Acayan / Getty Images"]


@pytest.mark.parametrize("name", sorted(p.name for p in SHARED.glob("*.txt")))
def test_no_gold_quote_or_headline_is_furniture(name: str) -> None:
    """Whatever the rules find, they never take a gold quote, nor a short headline or subhead."""
    import json

    text = (SHARED / name).read_text(encoding="utf-8")
    gold = json.loads((SHARED / name.replace(".txt", ".gold.json")).read_text(encoding="utf-8"))
    for q in gold["quotes"]:
        at = text.find(q["text"])
        assert at >= 0, q["text"]
        assert not only_furniture(text, at, at + len(q["text"])), q["text"]
    for a, b in furniture_spans(text):
        line = text[a:b]
        assert len(line.split()) <= 40, line  # never a paragraph of the article


@pytest.mark.parametrize(
    "line",
    [
        "Skip to main content", "Sign in", "Log in", "Subscribe now", "Already a subscriber? Log in",
        "Share this article", "Share Tweet Email", "Facebook Twitter LinkedIn", "Menu", "Back to top",
        "Sign up for our newsletter", "Privacy Policy", "Cookie Settings", "Terms of Use",
        "© 2024 Example Media. All rights reserved.", "We use cookies to improve your experience.",
        "Home | World | Politics | Business", "News • Sport • Weather", "Related: Minister resigns over leak",
        "Read more: Sanctions on Iran explained", "Jane Doe / Reuters", "Photo: John Smith", "(Photo: AFP)",
        "English Deutsch Français", "Español | English", "Contributing: Jane Doe", "####", "* * *",
        # German, French, Spanish
        "Zum Inhalt springen", "Jetzt abonnieren", "Artikel teilen", "Datenschutz", "Impressum",
        "Mehr zum Thema: Neue Sanktionen", "Alle Rechte vorbehalten.",
        "Aller au contenu", "Abonnez-vous", "Se connecter", "Mentions légales", "Lire aussi : La réponse de Moscou",
        "Cet article est réservé aux abonnés.", "Tous droits réservés",
        "Saltar al contenido", "Inicia sesión", "Suscríbete", "Política de cookies", "Términos y condiciones",
        "MIRA | Kenji Fujimori: PJ concluye con interrogatorio", "LEE MÁS | Exministro niega acusación",
        "Te puede interesar", "Últimas noticias", "Has alcanzado el límite de noticias.",
        # a wire story's credits, standards line and time stamp; a caption ending in its credit
        "Reporting by Elena Radu; Editing by Tom Baker", "Additional reporting by Jane Doe in London",
        "Our Standards: The Thomson Reuters Trust Principles.", "Published 3 hours ago",
        "Updated: 12 March 2026, 10:04 GMT",
        "A Reuters photographer saw dozens of people queueing at a cash machine in Chisinau on Monday. "
        "(Photo: Reuters/Andrei Popa)",
    ],
)
def test_invented_furniture_lines(line: str) -> None:
    assert is_furniture(line)


@pytest.mark.parametrize(
    "line",
    [
        "Prisons plagued by understaffing",  # a subhead
        "What did the prosecutors say?",
        "Iran Sanctioned for Allegedly Sending Missiles to Russia",  # a headline
        "EXCLUSIVE EU to blacklist Belarus airline ahead of economic sanctions, diplomats say",
        "Search and rescue teams found the wreck on Monday",  # starts like "Search", is not
        "Shares of Aeroflot fell 5% after the announcement.",
        "Reuters reported that the talks had failed.",
        "Foreign Secretary Liz Truss said:",
        "Subscribers to the service were warned, the company said.",
        "The Treasury said it would share the list with allies.",
        "Anzeige gegen den Minister erstattet",
        "False",  # a fact-check rating
        "",
        "December 11, 2019",
        "Published in 2019, the report found that the network paid voters.",
        "Reporting by the BBC and others found that the network had paid voters across the country.",
        "Updated figures show that 40 people were detained.",
    ],
)
def test_article_lines_are_not_furniture(line: str) -> None:
    assert not is_furniture(line)


def test_spans_are_whole_lines_with_offsets_into_the_text() -> None:
    text = "Skip to content\r\n\nIran acted.\nShare\n"
    spans = furniture_spans(text)
    assert [text[a:b] for a, b in spans] == ["Skip to content", "Share"]
    assert only_furniture(text, *spans[0]) and not only_furniture(text, 0, text.index("acted"))
    assert not only_furniture("no furniture here", 0, 5)


def test_content_sentences_keep_the_ids_and_leave_out_furniture() -> None:
    text = (SHARED / "iran-missiles-russia.txt").read_text(encoding="utf-8")
    numbered, content = numbered_sentences(text), content_sentences(text)
    assert set(content) < set(numbered)
    assert all(numbered[ref] == span for ref, span in content.items())  # ids are not renumbered
    left_out = [text[a:b] for ref, (a, b) in numbered.items() if ref not in content]
    assert left_out == ["Skip to content", "This post is for paying subscribers only", "Already have an account?",
                        "Sign In"]
    assert "S1" not in content and "S2" in content


def test_a_range_is_furniture_as_judged_over_every_line() -> None:
    """`only_furniture` judges a line when a range first touches it: its answers must be those
    of the definition over the furniture lines of the whole text (a blank range counts as
    furniture when the text has any), and the folding of a line's marks that of a plain loop."""
    import random
    import unicodedata
    from bisect import bisect_right

    from summarizer.grounding.furniture import _LINE_END, _fold_keep_marks

    def defined(text: str, start: int, end: int) -> bool:
        spans = furniture_spans(text)
        if not spans:
            return False
        starts = [s for s, _ in spans]
        for chunk in re.finditer(r"\S+", text[start:end]):
            a = start + chunk.start()
            i = bisect_right(starts, a) - 1
            if i < 0 or not spans[i][0] <= a < spans[i][1]:
                return False
        return True

    lines = ["Skip to content", "Iran acted.", "Share", "", "  ", "Sign In", "Menu | Home | World", "He said so.",
             "Zum Inhalt springen", "Iran \u201cacted\u201d."]
    rng = random.Random(9)
    for _ in range(500):
        ends = ["\n", "\r\n", "\r", "\n\n", "\r\r\n", "\u2028", "\x85", "\x0c", "\x1e", " "]
        text = "".join(rng.choice(lines) + rng.choice(ends) for _ in range(rng.randint(0, 6)))
        for _ in range(8):
            a = rng.randint(0, len(text))
            b = rng.randint(a, len(text))
            assert only_furniture(text, a, b) == defined(text, a, b), (text, a, b)
    assert [c for c in map(chr, range(0x110000)) if _LINE_END.fullmatch(c)] == [
        c for c in map(chr, range(0x110000)) if len(f"a{c}b".splitlines()) == 2
    ]
    for line in ["Él dijo", "Ünïcödé “marks”", "ﬁ ß İ", "plain"]:
        expected = "".join(c for c in unicodedata.normalize("NFKD", line.casefold()) if not unicodedata.combining(c))
        assert _fold_keep_marks(line) == expected


def test_line_starts_are_where_splitlines_cuts() -> None:
    """`line_starts` (str.find for texts whose only line end is "\\n") gives the starts of the
    lines `str.splitlines` makes, for every kind of line end, mixed, doubled and at either edge."""
    import random
    from itertools import accumulate

    from summarizer.grounding.furniture import _LINE_END, line_starts

    def expected(text: str) -> list[int]:
        """The start of each line `splitlines` makes."""
        lines = text.splitlines(keepends=True)
        return [0, *accumulate(len(line) for line in lines)][: len(lines)]

    ends = ["\n", "\r\n", "\r", "\n\n", "\r\r\n", "\n\r", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c",
            "\x1d", "\x1e", " ", "\t", "\u00a0"]
    rng = random.Random(24)
    texts = ["", "\n", "a", "a\n", "\nb", "\n\n\n", "a\r\nb", "\r\n\r\n", "x" * 1000 + "\n" * 1000]
    texts += ["".join(rng.choice(["ab", "c", "", "Iran \u201cacted\u201d."]) + rng.choice(ends)
                      for _ in range(rng.randint(0, 12))) for _ in range(3000)]
    texts += ["".join(rng.choice(["w", "\n"]) for _ in range(rng.randint(0, 40))) for _ in range(2000)]
    for text in texts:
        got = list(line_starts(text))
        assert got == [0, *(m.end() for m in _LINE_END.finditer(text))], repr(text)
        assert got[: len(expected(text))] == expected(text), repr(text)
