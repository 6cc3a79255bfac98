"""Parties across a batch (summarizer/render/parties.py): what is merged, what is kept apart.

Hand-made results on small hand-written articles, each span checked against its text, so every
rule is exercised on purpose: the same normalised name (case, punctuation, transliteration,
legal forms) merges; a different sort of thing with the same name does not; a speaker joins the
one sort its name has elsewhere; a shared IMO number merges two spellings of one ship; a short
form ("Kumar") never merges with a full name. Ids are stable across runs and article order.
"""

from __future__ import annotations

from typing import Any

from summarizer.render.corpus import PARTY_COLUMNS, pairs_of, party_rows
from summarizer.render.parties import PartyIndex, name_key
from summarizer.schema import (
    Allegation,
    ArticleSummary,
    Mention,
    Provenance,
    Quote,
    SanctionsTarget,
    ScreeningHit,
    Span,
    Usage,
)


def span(text: str, needle: str, after: int = 0) -> dict[str, Any]:
    start = text.index(needle, after)
    return {"start": start, "end": start + len(needle), "text": needle}


def target(text: str, name: str, kind: str, *, imposed_by: str | None = None, hits: list[ScreeningHit] | None = None,
           written: str | None = None) -> SanctionsTarget:
    return SanctionsTarget(name=name, kind=kind, country=None, imposed_by=imposed_by,  # type: ignore[arg-type]
                           imposed_by_mention=Mention(**span(text, imposed_by)) if imposed_by else None,
                           mention=Mention(**span(text, written or name)), screening=hits)


def result(text: str, targets: list[SanctionsTarget] = (), quotes: list[tuple[str, str]] = (),  # type: ignore[assignment]
           allegations: list[tuple[str | None, str | None, str, str | None]] = ()) -> ArticleSummary:  # type: ignore[assignment]
    """A result of `text`: targets as given, quotes as (quotation, speaker), allegations as
    (accuser, accused, evidence sentence, hedge)."""
    qs = []
    for words, speaker in quotes:
        q = span(text, words)
        qs.append(Quote(text=words, speaker=speaker, start=q["start"], end=q["end"],
                        speaker_mention=Mention(**span(text, speaker))))
    al = []
    for by, against, sentence, hedge in allegations:
        al.append(Allegation(claim=sentence, alleged_by=by, against=against, status="alleged", hedge=hedge,
                             alleged_by_mention=Mention(**span(text, by)) if by else None,
                             against_mention=Mention(**span(text, against)) if against else None,
                             evidence=Span(**span(text, sentence))))
    res = ArticleSummary(summary="s", allegations=al, sanctions_targets=list(targets), quotes=qs,
                         provenance=Provenance(model="m", backend="rules", prompt_sha256="a" * 64,
                                               schema_sha256="b" * 64, input_sha256=str(len(text)) * 8, attempts=1,
                                               usage=Usage(), elapsed_s=0.0))
    res.check_offsets(text)
    return res


HIT = ScreeningHit(list="OFAC SDN", entry_id="9776", name="MAHAN AIR", matched_name="MAHAN AIR", programs=["SDGT"],
                   type="organization", score=1.0, why="exact", url="https://sanctionssearch.ofac.treas.gov/Details.aspx?id=9776")

A = ("OFAC designated Mahan Air and the tanker Adrian Darya 1 (IMO 9116412) today. "
     "\u201cWe will act,\u201d said Steven Mnuchin. Officials allegedly said Jordan moved funds. "
     "Akhilesh Kumar, the captain, was designated too. Jordan was designated as well.")
B = ("The Treasury sanctioned MAHAN AIR LTD and the ship Grace 1, IMO 9116412, in 2019. "
     "\u201cNo comment,\u201d Mnuchin said. Kumar declined. "
     "Абдолхосейн Хедри was named.")
C = ("Steven Mnuchin was sanctioned by Ruritania. Abdolhosein Hedri too. "
     "Mahan Air Limited, and Mahan Air Ltd, were listed. A company called Jordan was designated.")


def build(order: tuple[int, ...] = (0, 1, 2)) -> tuple[PartyIndex, list[Any]]:
    results = [
        result(A, [target(A, "Mahan Air", "organization", imposed_by="OFAC", hits=[HIT]),
                   target(A, "Adrian Darya 1", "vessel", hits=[]), target(A, "Akhilesh Kumar", "person")],
               quotes=[("We will act,", "Steven Mnuchin")],
               allegations=[("Officials", "Jordan", "Officials allegedly said Jordan moved funds.", "allegedly")]),
        result(B, [target(B, "MAHAN AIR LTD", "organization"), target(B, "Grace 1", "vessel"),
                   target(B, "Абдолхосейн Хедри", "person")],
               quotes=[("No comment,", "Mnuchin")],
               allegations=[(None, "Kumar", "Kumar declined.", None)]),
        result(C, [target(C, "Steven Mnuchin", "person", imposed_by="Ruritania"),
                   target(C, "Abdolhosein Hedri", "person"), target(C, "Mahan Air Limited", "organization"),
                   target(C, "Mahan Air Ltd", "organization"), target(C, "Jordan", "person", written="Jordan was")]),
    ]
    texts = [A, B, C]
    index = PartyIndex()
    for n in order:
        index.add(n, results[n], texts[n])
    return index, index.finish()


def by_name(parties: list[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for p in parties:
        for v in p.variants:
            assert v not in out, f"{v!r} is in two parties"
            out[v] = p
    return out


def test_the_same_normalised_name_merges_and_every_spelling_is_listed() -> None:
    _, parties = build()
    named = by_name(parties)
    # legal forms alike ("Ltd" = "Limited"), case alike: one company, three spellings
    assert named["MAHAN AIR LTD"] is named["Mahan Air Limited"] is named["Mahan Air Ltd"]
    assert set(named["Mahan Air Limited"].variants) == {"MAHAN AIR LTD", "Mahan Air Limited", "Mahan Air Ltd"}
    # ... but a name without the legal form is not assumed to be the same company
    assert named["Mahan Air"] is not named["Mahan Air Ltd"]
    # transliteration: the Cyrillic and the Latin spelling of one person
    assert named["Абдолхосейн Хедри"] is named["Abdolhosein Hedri"]
    assert name_key("Абдолхосейн Хедри", "person") == name_key("Abdolhosein Hedri", "person") == "abdolhosein hedri"


def test_kinds_keep_parties_apart_and_a_speaker_joins_the_one_kind_its_name_has() -> None:
    _, parties = build()
    named = by_name(parties)
    # a speaker (no kind) and a sanctioned person of the same name: one party, both roles
    mnuchin = named["Steven Mnuchin"]
    assert mnuchin.family == "person" and set(mnuchin.roles) == {"speaker", "target"} and len(mnuchin.articles) == 2
    # "Jordan" the person (a target) and "Jordan" the accused (no kind): one known sort -> merged
    jordans = [p for p in parties if "Jordan" in p.variants]
    assert len(jordans) == 1 and set(jordans[0].roles) == {"target", "accused"}
    # short forms are never guessed: "Mnuchin" and "Kumar" stay their own parties
    assert named["Mnuchin"] is not mnuchin and named["Kumar"] is not named["Akhilesh Kumar"]


def test_a_name_used_for_two_sorts_of_thing_is_not_merged() -> None:
    text = "Jordan said: \u201cfine.\u201d Jordan Ltd and Jordan were listed."
    res = result(text, [target(text, "Jordan", "organization", written="Jordan Ltd"),
                        target(text, "Jordan", "person", written="Jordan were")], quotes=[("fine.", "Jordan")])
    index = PartyIndex()
    index.add(0, res, text)
    parties = index.finish()
    assert sorted((p.family or "-", sorted(p.roles)) for p in parties) == [
        ("-", ["speaker"]), ("entity", ["target"]), ("person", ["target"])]  # three: the speaker is ambiguous


def test_a_shared_imo_number_merges_two_names_of_one_ship() -> None:
    _, parties = build()
    named = by_name(parties)
    ship = named["Adrian Darya 1"]
    assert ship is named["Grace 1"] and ship.identifiers == ["IMO:9116412"] and ship.schema == "Vessel"
    assert ship.variants[0] in ("Adrian Darya 1", "Grace 1") and len(ship.articles) == 2


def test_screening_status_roles_mentions_and_allegations() -> None:
    index, parties = build()
    assert index.party_of("steven  MNUCHIN", "person") is by_name(parties)["Steven Mnuchin"]
    named = by_name(parties)
    assert named["Mahan Air"].status == "listed" and named["Mahan Air"].best.entry_id == "9776"  # type: ignore[union-attr]
    assert named["Adrian Darya 1"].status == "not listed"  # screened (one mention), no hit
    assert named["Akhilesh Kumar"].status == "not screened"
    assert named["OFAC"].roles == {"imposer": 1}
    # mention anchors: highlights where the page draws them (text known), else the entry
    assert ("t1" in [a for _, a, _ in named["Mahan Air"].mentions])
    assert sorted(a for _, a, _ in named["Steven Mnuchin"].mentions) == ["q1-speaker", "t1"]
    assert [a for _, a, _ in named["Mnuchin"].mentions] == ["q1-speaker"]
    pairs = pairs_of(index.allegations())
    assert {(p.accuser.name if p.accuser else None, p.accused.name if p.accused else None) for p in pairs} == {
        ("Officials", "Jordan"), (None, "Kumar")}


def test_ids_are_stable_across_runs_and_article_order() -> None:
    _, first = build((0, 1, 2))
    _, again = build((2, 0, 1))
    assert {p.name: p.id for p in first} == {p.name: p.id for p in again}
    assert len({p.id for p in first}) == len(first)
    rows = list(party_rows(first, ["a.txt", "b.txt", "c.txt"]))
    assert [tuple(r) for r in rows] == [PARTY_COLUMNS] * len(rows)
    mahan = next(r for r in rows if r["name"] == "Mahan Air")
    assert mahan["screen_status"] == "listed" and mahan["url"] == HIT.url and mahan["article_ids"] == "a.txt"
    assert mahan["roles"] == "target 1" and mahan["schema"] == "Organization"
