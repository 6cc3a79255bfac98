"""`assemble.ground` on hand-built model answers (no model, no server): what is kept with which
offsets, and what is dropped with which `where`. The pipeline-level tests (test_core,
test_grounding_fields) show the same rules through instructor and the fake server."""

from __future__ import annotations

from typing import Any

import pytest

from summarizer.grounding.ground import ground, is_generic_name
from summarizer.schema import Extraction

ARTICLE = (
    "The Treasury sanctioned Acme Shipping LLC of Panama on Monday. "
    "\u201cWe will keep shipping oil,\u201d said Jane Doe, the firm's director. "
    "Prosecutors allegedly accused Acme Shipping LLC of moving Iranian oil. "
    "Three ship operators were also designated."
)


def answer(**fields: Any) -> Extraction:
    base: dict[str, Any] = {"summary": [{"text": "The Treasury sanctioned Acme Shipping LLC.", "support": ["S1"]}]}
    base.update(fields)
    return Extraction.model_validate(base)


def drops(grounded: Any) -> list[tuple[str, str | None]]:
    return [(d.kind, d.where) for d in grounded.dropped]


def test_a_clean_answer_is_kept_whole_with_offsets_into_the_article() -> None:
    g = ground(
        answer(
            quotes=[{"ref": "Q1", "speaker": "Jane Doe"}],
            sanctions_targets=[{"name": "Acme Shipping LLC", "kind": "organization", "country": "Panama",
                                "imposed_by": "The Treasury"}],
            allegations=[{"claim": "Acme moved Iranian oil.", "alleged_by": "Prosecutors", "against": "Acme Shipping LLC",
                          "status": "alleged", "hedge": "allegedly", "evidence": "S3"}],
        ),
        ARTICLE,
    )
    assert g.dropped == []
    [quote] = g.quotes
    assert ARTICLE[quote.start : quote.end] == quote.text == "We will keep shipping oil,"  # inside the marks
    assert quote.speaker == "Jane Doe" and quote.speaker_mention is not None
    assert ARTICLE[quote.speaker_mention.start : quote.speaker_mention.end] == "Jane Doe"
    [target] = g.targets
    assert ARTICLE[target.mention.start : target.mention.end] == "Acme Shipping LLC"
    assert target.country == "Panama" and target.imposed_by_mention is not None
    [allegation] = g.allegations
    assert allegation.evidence.text.startswith("Prosecutors allegedly accused")
    assert allegation.hedge == "allegedly" and allegation.hedge_span is not None
    assert ARTICLE[allegation.hedge_span.start : allegation.hedge_span.end] == "allegedly"
    [sentence] = g.summary
    assert sentence.support[0].text.startswith("The Treasury sanctioned")


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"quotes": [{"ref": "Q7"}]}, [("quote", "quotes[0]")]),
        ({"quotes": [{"text": "We will stop shipping oil"}]}, [("quote", "quotes[0]")]),
        ({"quotes": [{"ref": "Q1", "speaker": "John Smith"}]}, [("speaker", "quotes[0].speaker")]),
        ({"sanctions_targets": [{"name": "Three ship operators", "kind": "organization"}]},
         [("sanctions_target", "sanctions_targets[0]")]),
        ({"sanctions_targets": [{"name": "Globex Tankers", "kind": "organization"}]},
         [("sanctions_target", "sanctions_targets[0]")]),
        ({"sanctions_targets": [{"name": "Acme Shipping LLC", "kind": "organization", "country": "Venezuela"}]},
         [("country", "sanctions_targets[0].country")]),
        ({"allegations": [{"claim": "x", "status": "alleged", "evidence": "S99"}]}, [("allegation", "allegations[0]")]),
        ({"allegations": [{"claim": "x", "status": "alleged"}]}, [("allegation", "allegations[0]")]),
        ({"allegations": [{"claim": "x", "status": "alleged", "evidence": "S3", "against": "Globex"}]},
         [("against", "allegations[0].against")]),
        ({"allegations": [{"claim": "x", "status": "alleged", "evidence": "S3", "hedge": "reportedly"}]},
         [("hedge", "allegations[0].hedge")]),
        ({"summary": [{"text": "The Treasury acted.", "support": ["S42"]}]}, [("summary_sentence", "summary[0]")]),
        ({"summary": [{"text": "Globex was sanctioned.", "support": ["S1"]}]}, [("summary_sentence", "summary[0]")]),
        ({"summary": []}, [("summary_sentence", "summary")]),
    ],
)
def test_what_the_article_does_not_support_is_dropped_and_says_where(
    fields: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    g = ground(answer(**fields), ARTICLE)
    assert drops(g) == expected
    assert all(d.reason for d in g.dropped)


def test_a_dropped_field_keeps_its_item() -> None:
    """A wrong country loses the country, not the target; a wrong accused loses only `against`."""
    g = ground(
        answer(
            sanctions_targets=[{"name": "Acme Shipping LLC", "kind": "organization", "country": "Venezuela"}],
            allegations=[{"claim": "x", "status": "alleged", "evidence": "S3", "against": "Globex"}],
        ),
        ARTICLE,
    )
    assert [t.name for t in g.targets] == ["Acme Shipping LLC"] and g.targets[0].country is None
    assert len(g.allegations) == 1 and g.allegations[0].against is None


def test_duplicates_are_one_item() -> None:
    g = ground(
        answer(
            quotes=[{"ref": "Q1"}, {"ref": "[q1]"}, {"text": "We will keep shipping oil,"}],
            sanctions_targets=[{"name": "Acme Shipping LLC", "kind": "organization"},
                               {"name": "ACME SHIPPING LLC", "kind": "organization"}],
        ),
        ARTICLE,
    )
    assert len(g.quotes) == 1 and len(g.targets) == 1 and g.dropped == []


def test_a_chunks_answer_is_shifted_into_the_full_text() -> None:
    offset = ARTICLE.index("\u201cWe will")
    chunk = ARTICLE[offset : ARTICLE.index("Three ship")]
    g = ground(
        answer(quotes=[{"ref": "Q1", "speaker": "Jane Doe"}],
               summary=[{"text": "Jane Doe spoke.", "support": ["S1"]}]),
        chunk,
        offset=offset,
        full_text=ARTICLE,
    )
    assert g.dropped == []
    [quote] = g.quotes
    assert quote.start == offset + 1 and ARTICLE[quote.start : quote.end] == quote.text
    assert g.summary[0].support[0].start >= offset


@pytest.mark.parametrize(
    ("name", "generic"),
    [("three ship operators", True), ("Iranian and Russian entities", True), ("12 vessels", True),
     ("Acme Shipping LLC", False), ("Mahan Air", False), ("", True)],
)
def test_generic_names(name: str, generic: bool) -> None:
    assert is_generic_name(name) is generic


PAYWALLED = (
    "Skip to content\n\n"
    "Iran shipped missiles to Russia, officials allegedly said. The Treasury acted.\n\n"
    "This post is for paying subscribers only\n\n"
    "Already have an account? Sign In\n\n"
    "\u201cSubscribe\u201d\n"
)


def test_nothing_rests_on_site_furniture() -> None:
    """Issue 19: the paywall lines are words of the file, not the article: a summary sentence
    citing them, an allegation with them as evidence and a quote inside them are dropped, and
    reported like any other drop."""
    from summarizer.grounding.sentences import numbered_sentences

    ids = {PAYWALLED[a:b]: ref for ref, (a, b) in numbered_sentences(PAYWALLED).items()}
    paywall, article = ids["This post is for paying subscribers only"], ids["The Treasury acted."]
    g = ground(
        Extraction.model_validate({
            "summary": [
                {"text": "The post is for paying subscribers only.", "support": [paywall]},
                {"text": "The Treasury acted.", "support": [article, paywall]},
            ],
            "allegations": [{"claim": "x", "status": "alleged", "evidence": ids["Sign In"]}],
            "quotes": [{"text": "Subscribe"}],
        }),
        PAYWALLED,
    )
    assert drops(g) == [("quote", "quotes[0]"), ("allegation", "allegations[0]"), ("summary_sentence", "summary[0]")]
    assert all("site furniture" in d.reason for d in g.dropped)
    [kept] = g.summary  # support partly in the article: kept, with the article's support only
    assert [s.text for s in kept.support] == ["The Treasury acted."]
