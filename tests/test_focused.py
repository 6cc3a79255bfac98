"""The focused strategy (summarizer/focused.py): what code decides, what the model is asked, and
how its answers become an Extraction; and the embedded model's published quality figures,
recomputed from its recorded answers.

The plan is a generator of questions; these tests answer each question by hand (a scripted
small model) and check what the plan keeps. The last tests replay the real
Qwen2.5-Coder-1.5B answers recorded in fixtures/local-qwen2.5-coder-1.5b through the whole CLI.
"""

from __future__ import annotations

import json
import re
import typing
from collections.abc import Callable
from typing import Any

import pytest
from typer.testing import CliRunner

from summarizer import cues, focused, listings, rules
from summarizer.cli import app
from summarizer.grounding.countries import country_of
from summarizer.grounding.spans import numbered_quotations
from summarizer.schema import Extraction

from .conftest import ROOT, SHARED

ARTICLE = (
    "WASHINGTON - The Treasury Department on Tuesday designated Volga Shipping LLC and its owner "
    "Ivan Petrov under E.O. 13224.\n"
    "Volga Shipping LLC is a carrier based in Moscow. The company's so-called \u201cghost fleet\u201d "
    "moved oil for years.\n"
    "Petrov was born in Kazan and studied in London.\n"
    "\u201cThese transfers fuel the war and we will stop them,\u201d said Treasury official Jane Doe.\n"
    "Russia has been accused of using the network to evade sanctions, and Moscow denied the claims.\n"
)


def run(text: str, answer: Callable[[focused.Question], Any]) -> tuple[Extraction, list[focused.Question]]:
    """Drive the plan to its end, answering each question with `answer(question)`."""
    asked: list[focused.Question] = []
    gen = focused.plan(text)
    try:
        question = next(gen)
        while True:
            asked.append(question)
            question = gen.send(answer(question))
    except StopIteration as stop:
        return stop.value, asked


def scripted(targets: list[str], speaker: str = "Jane Doe") -> Callable[[focused.Question], Any]:
    def answer(q: focused.Question) -> Any:
        m = q.response_model
        if m is focused.SpeakerAnswer:
            said = "none" if "ghost fleet" in q.messages[-1]["content"].split("END EXCERPT")[1] else speaker
            return m(speaker=said)
        if m is focused.TargetsAnswer:
            return m.model_construct(targets=targets)  # past the cap of 6: the plan must cope
        if m is focused.TargetRoleAnswer:
            name = q.messages[-1]["content"].rsplit("END EXCERPT", 1)[1].split("\u201c", 1)[1].split("\u201d", 1)[0]
            return m(role="target" if name in targets[:2] else "background")
        if issubclass(m, focused.AccusationAnswer):
            accused = m.model_json_schema()["properties"]["accused"]
            options = accused.get("enum", [accused.get("const")])  # one option: a "const"
            return m(accusation=True, accuser="none", accused="Russia" if "Russia" in options else "none")
        return m(summary=[{"text": "The Treasury designated Volga Shipping LLC.", "support": ["S1"]}])

    return answer


def test_every_quotation_is_a_candidate_and_a_scare_quote_is_left_out() -> None:
    extraction, asked = run(ARTICLE, scripted([]))
    speaker_questions = [q for q in asked if q.response_model is focused.SpeakerAnswer]
    # both quotations are candidates; only the one nobody is named beside goes to the model
    # ("said Treasury official Jane Doe" names her)
    assert len(speaker_questions) == 1 and "ghost fleet" in speaker_questions[0].messages[-1]["content"]
    assert [q.speaker for q in extraction.quotes] == ["Jane Doe"]  # "ghost fleet": nobody speaks it


def test_a_short_quotation_needs_a_speech_verb_in_its_sentence_even_when_the_model_names_someone() -> None:
    text = ("According to the Pentagon, the base serves as an outpost.\n"
            "The base is located inside a 55-kilometer \u201cde-confliction zone\u201d on the highway.\n"
            "Han Dong-hoon urged Yoon to step down, telling reporters it had become \u201cimpossible\u201d for him.\n")
    extraction, _ = run(text, lambda q: scripted([], speaker="Han Dong-hoon")(q)
                        if q.response_model is not focused.SpeakerAnswer else focused.SpeakerAnswer(speaker="The Pentagon"))
    kept = [text[s:e] for s, e in (focused.numbered_quotations(text)[q.ref] for q in extraction.quotes if q.ref)]
    assert kept == ["impossible"]  # the term is dropped although the model gave it a speaker


def test_targets_keep_names_and_drop_descriptions_authorities_laws_background_and_short_forms() -> None:
    answers = [
        "Volga Shipping LLC", "Ivan Petrov",  # the targets
        "Treasury Department",  # the authority that imposes (also the subject of "designated")
        "E.O. 13224",  # the order they are designated under
        "Volga Shipping LLC's ghost fleet", "carrier based in Moscow",  # descriptions
        "Petrov",  # the short form of a kept name
    ]
    extraction, asked = run(ARTICLE, scripted(answers))
    assert [t.name for t in extraction.sanctions_targets] == ["Volga Shipping LLC", "Ivan Petrov"]
    # only paragraphs with a sanctions cue are asked about
    target_questions = [q for q in asked if q.response_model is focused.TargetsAnswer]
    assert len(target_questions) == 2 and all("sanction" in q.messages[-1]["content"].lower()
                                              or "designat" in q.messages[-1]["content"].lower()
                                              for q in target_questions)


def test_a_name_only_in_the_background_of_a_sanctions_paragraph_is_dropped() -> None:
    text = ("OFAC designated Volga Shipping LLC on Tuesday. The firm was founded in Kazan by Anna Ivanova, "
            "who later moved to London.\n")
    extraction, _ = run(text, scripted(["Volga Shipping LLC", "Anna Ivanova", "London"]))
    # Anna Ivanova and London are named only in the firm's history, a sentence with no sanctions
    # cue and none after it (the sentence after a name counts: "X is a GSA. X is designated")
    assert [t.name for t in extraction.sanctions_targets] == ["Volga Shipping LLC"]


@pytest.mark.parametrize(
    ("name", "is_name"),
    [
        ("Jahan Destination Travel and Tourism LLC", True), ("Gomei Air Services Co., Ltd.", True),
        ("Genava 12", True), ("Osama bin Laden", True), ("Central Bank of Iran", True),
        ("Iranian shipping network", False), ("firms under his control", False),
        ("Mahan Air general sales agents", False), ("Executive Order 13224", False), ("E.O. 13224", False),
        ("", False),
    ],
)
def test_what_counts_as_a_name(name: str, is_name: bool) -> None:
    assert focused._a_name(name) is is_name


@pytest.mark.parametrize("name", ["OFAC", "the Office of Foreign Assets Control", "U.S. Department of the Treasury",
                                  "State Department", "Treasury"])
def test_the_agencies_that_impose_sanctions_are_not_targets(name: str) -> None:
    assert cues.AUTHORITIES.match(name)
    assert not cues.AUTHORITIES.match("Iran Air") and not cues.AUTHORITIES.match("European Union")


def test_an_unanswerable_summary_leaves_the_lede_standing() -> None:
    def answer(q: focused.Question) -> Any:
        if q.response_model is focused.SummaryAnswer:
            return None  # cut off or invalid: the plan goes on
        return scripted([])(q)

    extraction, _ = run(ARTICLE, answer)
    assert extraction.summary and extraction.summary[0].text.startswith("WASHINGTON - The Treasury Department")


def test_a_candidate_the_wording_does_not_settle_is_verified_and_only_targets_are_kept() -> None:
    text = ("Volga Shipping LLC, a carrier that moved oil for Rosneft (sanctioned in 2014), and Ivan Petrov "
            "are on the sanctions list the Treasury published on Tuesday.\n")
    roles = {"Volga Shipping LLC": "target", "Ivan Petrov": "target", "Rosneft": "background"}
    asked_about: list[str] = []

    def answer(q: focused.Question) -> Any:
        if q.response_model is focused.TargetRoleAnswer:
            name = q.messages[-1]["content"].rsplit("END EXCERPT", 1)[1].split("\u201c", 1)[1].split("\u201d", 1)[0]
            asked_about.append(name)
            assert name in q.messages[-1]["content"].split("BEGIN EXCERPT", 1)[1]  # its own sentences shown
            return q.response_model(role=roles[name])
        return scripted(["Volga Shipping LLC", "Ivan Petrov", "Rosneft"])(q)

    extraction, _ = run(text, answer)
    assert asked_about == ["Volga Shipping LLC", "Ivan Petrov", "Rosneft"]
    assert [t.name for t in extraction.sanctions_targets] == ["Volga Shipping LLC", "Ivan Petrov"]


def test_a_candidate_the_wording_puts_under_sanctions_is_kept_without_a_question() -> None:
    text = ("The Treasury designated Volga Shipping LLC on Tuesday. Ivan Petrov is also being designated "
            "for his role. The EU imposed sanctions on Rosneft.\n")
    extraction, asked = run(text, lambda q: focused.TargetRoleAnswer(role="background")
                            if q.response_model is focused.TargetRoleAnswer
                            else scripted(["Volga Shipping LLC", "Ivan Petrov", "Rosneft"])(q))
    assert not [q for q in asked if q.response_model is focused.TargetRoleAnswer]
    assert [t.name for t in extraction.sanctions_targets] == ["Volga Shipping LLC", "Ivan Petrov", "Rosneft"]


def test_names_the_wording_puts_under_sanctions_are_candidates_even_when_the_model_misses_them() -> None:
    text = ("Luxemburg – Die EU-Außenminister haben die Verlängerung der Wirtschaftssanktionen gegen Russland "
            "beschlossen. Moskau will seine Strafmaßnahmen gegen die Europäische Union ebenfalls verlängern.\n")
    extraction, asked = run(text, lambda q: focused.TargetRoleAnswer(role="authority")
                            if q.response_model is focused.TargetRoleAnswer
                            else scripted(["EU-Außenminister", "Luxemburg"])(q))
    assert [t.name for t in extraction.sanctions_targets] == ["Russland", "Europäische Union"]
    # neither of the model's two is asked about: "EU-Außenminister" imposes them (the subject of
    # "haben ... beschlossen"), "Luxemburg –" is the dateline; the counter-sanctions are Moscow's
    assert focused.issuer(text) == "EU-Außenminister"
    assert len([q for q in asked if q.response_model is focused.TargetRoleAnswer]) == 0
    assert [t.imposed_by for t in extraction.sanctions_targets] == ["EU-Außenminister", "Moskau"]


def test_a_name_the_article_says_was_not_sanctioned_is_not_a_candidate() -> None:
    text = "The EU sanctioned Volga Shipping LLC on Monday. Ivan Petrov was not sanctioned.\n"
    extraction, asked = run(text, scripted(["Volga Shipping LLC", "Ivan Petrov"]))
    assert [t.name for t in extraction.sanctions_targets] == ["Volga Shipping LLC"]
    # Volga Shipping LLC needs no question ("sanctioned Volga Shipping LLC"), and none is asked
    # about a name the text rules out
    assert not [q for q in asked if q.response_model is focused.TargetRoleAnswer]


def test_every_question_shares_one_prefix_the_numbered_article() -> None:
    _, asked = run(ARTICLE, scripted(["Volga Shipping LLC"]))
    prefixes = {(q.messages[0]["content"], q.messages[1]["content"].split(" END ARTICLE", 1)[0]) for q in asked}
    assert len(asked) > 3 and len(prefixes) == 1
    assert "[S1] WASHINGTON" in next(iter(prefixes))[1]


def test_the_accuser_and_the_accused_are_chosen_among_the_names_around_the_sentence() -> None:
    text = ("Officials met in Geneva on Monday to discuss the report.\n"
            "Jane Doe accused Volga Shipping LLC of smuggling weapons to Syria last year.\n")
    questions: list[focused.Question] = []

    def answer(q: focused.Question) -> Any:
        if issubclass(q.response_model, focused.AccusationAnswer):
            questions.append(q)
            return q.response_model(accusation=True, accuser="Jane Doe", accused="Volga Shipping LLC")
        return scripted([])(q)

    extraction, _ = run(text, answer)
    schema = questions[0].response_model.model_json_schema()
    options = schema["properties"]["accuser"]["enum"]
    assert options[:3] == ["Jane Doe", "Volga Shipping LLC", "Syria"] and options[-1] == "none"
    with pytest.raises(ValueError):  # the grammar holds the model to the options; so does the schema
        questions[0].response_model(accusation=True, accuser="Somebody Else", accused="none")
    [a] = extraction.allegations
    assert (a.alleged_by, a.against, a.status) == ("Jane Doe", "Volga Shipping LLC", "alleged")


@pytest.mark.parametrize(("sentence", "options"), [
    # the tuning part's options that named no party: words of the grammar, months, numbers,
    # a dateline, a title alone, a compass word, an adjective of a flag
    ("“We’re seeing Russia getting missiles,” the Kremlin said.", ["Russia", "Kremlin"]),
    ("Despite the ban, Iran shipped drones in Oct. to Russia.", ["Iran", "Russia"]),
    ("Ten ships left Iran.", ["Iran"]),
    ("WASHINGTON — Today, OFAC designated Mahan Air.", ["OFAC", "Mahan Air"]),
    ("LONDON — Britain accused Iran.", ["Britain", "Iran"]),
    ("Cmdr. Sean Robertson said South Korea agreed, and South was silent.", ["Sean Robertson", "South Korea"]),
    ("The British-flagged Stena Impero was seized by Iran.", ["Stena Impero", "Iran"]),
    # people's adjectives name their country where the article names it, else nothing
    ("The Russian and Syrian claims are false, Sudanese officials said.", ["Russia and Syria", "Sudanese officials"]),
    ("Prison guards and Information sources said the Regime lied.", ["sources"]),
    ("The State Department sanctioned Iranian and Russian entities.", ["State Department"]),  # parties of their own
])
def test_the_options_of_an_accusation_are_parties(sentence: str, options: list[str]) -> None:
    article = f"{sentence}\nRussia and Syria deny it; the prison, its information and the regime were named.\n"
    assert cues.actors(sentence, common=article) == options


def test_a_single_word_the_article_writes_in_lower_case_is_a_common_noun() -> None:
    sentence = "Refugees said Russia lied."
    assert cues.actors(sentence, common="Many refugees fled. Russia lied.") == ["Russia"]
    assert cues.actors(sentence, common="Refugees said Russia lied.") == ["Refugees", "Russia"]
    # a web address is no lower-case word of the text
    assert cues.actors("Reuters said so.", common="Reuters said so. See reuters.com/world.") == ["Reuters"]


def accusing(accuser: str, accused: str) -> Callable[[focused.Question], Any]:
    """A model that finds an accusation in every sentence asked about, by `accuser` against `accused`."""

    def answer(q: focused.Question) -> Any:
        if issubclass(q.response_model, focused.AccusationAnswer):
            return q.response_model(accusation=True, accuser=accuser, accused=accused)
        return scripted([])(q)

    return answer


def accusing_where_offered(accuser: str, accused: str) -> Callable[[focused.Question], Any]:
    """`accusing`, choosing each name only where the question offers it (else none)."""

    def answer(q: focused.Question) -> Any:
        if issubclass(q.response_model, focused.AccusationAnswer):
            fields = q.response_model.model_fields
            pick = {field: name if name in typing.get_args(fields[field].annotation) else "none"
                    for field, name in (("accuser", accuser), ("accused", accused))}
            return q.response_model(accusation=True, **pick)
        return scripted([])(q)

    return answer


def test_the_wording_overrides_the_models_choice_of_accuser_and_accused() -> None:
    text = ("Officials met in Geneva on Monday to discuss the report.\n"
            "South Korea accused North Korea of sending balloons over the border, Seoul said.\n"
            "The pair denied any wrongdoing in a long statement to the court.\n")
    extraction, _ = run(text, accusing("North Korea", "North Korea"))
    first, second = extraction.allegations
    # "X accused Y of" decides both; the model's pick of one name for both sides is no direction
    assert (first.alleged_by, first.against) == ("South Korea", "North Korea")
    assert (second.alleged_by, second.against, second.status) == ("North Korea", None, "denied")


def test_a_sentence_that_says_accused_reports_an_accusation_whatever_the_model_answers() -> None:
    text = ("Aid workers reached the camp on Monday after a week of talks with officials.\n"
            "For years Russia and the Syrian government have been accused of creating a disaster in the camp.\n"
            "The camp lies in the desert near the border with Jordan and Iraq, far from any town.\n")

    def answer(q: focused.Question) -> Any:
        if issubclass(q.response_model, focused.AccusationAnswer):
            return q.response_model(accusation=False, accuser="none", accused="Russia")
        return scripted([])(q)

    extraction, _ = run(text, answer)
    [a] = extraction.allegations  # the "false" is overruled by "accused"; the passive names the accused
    assert (a.evidence, a.alleged_by, a.against) == ("S2", None, "Russia and the Syrian government")


def test_a_release_speaks_in_its_issuers_voice_where_no_one_else_is_named() -> None:
    lede = "OFAC today designated Mahan Air General Sales Agents in three countries across the region.\n"
    sentence = "Mahan Air is responsible for moving weapons and fighters to Syria for the regime.\n"
    extraction, _ = run(lede + sentence, accusing("Syria", "Mahan Air"))
    [a] = extraction.allegations
    assert (a.alleged_by, a.against) == ("OFAC", "Mahan Air")
    # a news story that reports the designation further down: its narration is the reporter's
    # (no accuser named), whoever the model offers; where someone speaks, the model chooses
    news = "Airlines in the Gulf reported a quiet week for passengers and cargo on most of their routes.\n"
    extraction, _ = run(news + lede + sentence, accusing("Syria", "Mahan Air"))
    [a] = extraction.allegations
    assert (a.alleged_by, a.against) == (None, "Mahan Air")
    voiced = "Officials in Damascus say Mahan Air is responsible for moving weapons and fighters.\n"
    extraction, _ = run(news + lede + voiced, accusing("Damascus", "Mahan Air"))
    [a] = extraction.allegations
    assert (a.alleged_by, a.against) == ("Damascus", "Mahan Air")


def test_a_releases_grounds_for_a_designation_accuse_the_target_without_a_question() -> None:
    text = ("OFAC today designated Gatewick LLC and Abdolhossein Khedri for their support to the IRGC in Yemen.\n"
            "Since 2019, Khedri used Gatewick LLC to transport weapons to Yemen for the IRGC-QF.\n"
            "The Yemen war began in 2014 and has killed many thousands of people since.\n")
    extraction, asked = run(text, scripted(["Gatewick LLC", "Abdolhossein Khedri"]))
    assert [t.name for t in extraction.sanctions_targets] == ["Gatewick LLC", "Abdolhossein Khedri"]
    [a] = extraction.allegations
    assert (a.alleged_by, a.against, a.evidence) == ("OFAC", "Abdolhossein Khedri", "S2")
    assert not any(issubclass(q.response_model, focused.AccusationAnswer) for q in asked)
    # a sentence that opens with another name and a conduct verb accuses that name, in a release
    more = text + "Mahan Air has transported weapons and fighters for the IRGC-QF since 2011.\n"
    extraction, _ = run(more, scripted(["Gatewick LLC", "Abdolhossein Khedri"]))
    assert [(a.alleged_by, a.against) for a in extraction.allegations][-1] == ("OFAC", "Mahan Air")


def test_the_verbs_a_release_gives_its_grounds_with_and_a_title_case_headline() -> None:
    """"designated for", "responsible for", "facilitated" carry a release's grounds (decided
    without a question); a headline in title case names no one by its capitals."""
    text = ("Sanctioning Venezuelan Officials Responsible for Election Fraud\n"
            "Today, the Department of State is designating Carlos Mendez and Rosa Herrera for their "
            "involvement in undermining democracy in Venezuela.\n"
            "Mendez and Herrera facilitated the manipulation of the vote count in the July election.\n")
    extraction, asked = run(text, scripted(["Carlos Mendez", "Rosa Herrera"]))
    got = [(a.alleged_by, a.against, a.evidence) for a in extraction.allegations]
    assert got == [("the Department of State", "Carlos Mendez", "S2"), ("the Department of State", "Carlos Mendez", "S3")]
    assert not any(issubclass(q.response_model, focused.AccusationAnswer) for q in asked)
    assert cues.title_case("Sanctioning Venezuelan Officials Responsible for Election Fraud")
    assert not cues.title_case("Russland kritisiert Sanktionen der Europäischen Union.")  # German nouns


def test_a_dateline_the_issuer_and_a_title_are_not_targets() -> None:
    text = ("Luxemburg – The Council today adopted sanctions against Volga Shipping LLC over the war.\n"
            "The Council also designated President Ivan Petrov, who owns the carrier.\n")
    extraction, asked = run(text, lambda q: focused.TargetRoleAnswer(role="target")  # a model that keeps all
                            if q.response_model is focused.TargetRoleAnswer
                            else scripted(["Luxemburg", "The Council", "President Ivan Petrov", "Volga Shipping LLC"])(q))
    assert [t.name for t in extraction.sanctions_targets] == ["Ivan Petrov", "Volga Shipping LLC"]


def test_who_keeps_its_own_sanctions_and_whose_spokesman_speaks_are_not_targets() -> None:
    text = ("Die EU hat die Sanktionen gegen Russland verlängert, trotz der Unterstützung Moskaus für die Separatisten. "
            "Moskau will seine Strafmaßnahmen gegen die Europäische Union ebenfalls aufrechterhalten. Die Sanktionen "
            "seien nicht zielführend, sagte der Sprecher von Präsident Wladimir Putin, Dmitri Peskow.\n")
    named = ["Russland", "Moskau", "Europäische Union", "Wladimir Putin"]
    extraction, _ = run(text, lambda q: focused.TargetRoleAnswer(role="target")  # a model that keeps all
                        if q.response_model is focused.TargetRoleAnswer else scripted(named)(q))
    assert [t.name for t in extraction.sanctions_targets] == ["Russland", "Europäische Union"]


def test_a_hostile_run_of_capitalised_words_is_no_name_and_breaks_nothing() -> None:
    """A scraped menu or a crafted file: thousands of capitalised words in one "sentence". No
    "name" longer than a name (the answer's fields hold 160 characters: a longer one failed the
    whole article) and no subject searched for everywhere (quadratic: minutes on such a text)."""
    caps = " ".join(["Alpha"] * 3000)
    text = (f"OFAC today designated {caps} for fraud. {caps} was sanctioned and accused of fraud, said Beta.\n"
            f"{' '.join(['Alpha'] * 300)} used ships to move weapons.\n")
    extraction, _ = run(text, scripted(["Alpha"]))
    names = [n for a in extraction.allegations for n in (a.alleged_by, a.against) if n]
    names += [t.name for t in extraction.sanctions_targets] + [q.speaker for q in extraction.quotes if q.speaker]
    assert all(len(n) <= 160 and len(n.split()) <= 12 for n in names)
    assert cues.accused_in(caps + " was suspected of lying") is None  # 3,000 words are no subject
    assert focused.issuer(caps + " today designated Beta Corp.") is None


def test_a_german_imposer_is_a_short_subject() -> None:
    """A run of initials ("A. A. A. ...") made the German imposer's subject pattern rescan the
    run from each initial (3.3 s at 10,000 characters, 54 s at 40,000: benchmarks/hostile_text.py);
    its subject is at most five words, as a body's name is."""
    assert focused.issuer("Die EU-Kommission hat am Montag Sanktionen verhängt.") == "EU-Kommission"
    eight = "Alpha Beta Gamma Delta Epsilon Zeta Eta Theta"  # (an unbounded subject took all eight)
    assert focused.issuer(f"{eight} hat Sanktionen verhängt.") is None
    assert focused.issuer("A. " * 2000 + "B verhängt Sanktionen.") == "B"


def test_a_heading_a_plural_and_a_run_on_sentence_are_not_targets() -> None:
    text = ("MAHAN AIR GENERAL SALES AGENTS\n"
            "OFAC is taking action against three Mahan Air GSAs in Asia; OFAC designated Gatewick LLC.\n"
            "The EU will lift its sanctions on Syria. Now the Council acts.\n")
    answers = ["MAHAN AIR GENERAL SALES AGENTS", "Mahan Air GSAs", "Gatewick LLC", "Syria. Now"]
    extraction, _ = run(text, scripted(answers))
    assert [t.name for t in extraction.sanctions_targets] == ["Gatewick LLC", "Syria"]


def test_a_passive_headline_accuses_its_subject_and_is_not_asked() -> None:
    text = ("Iran Sanctioned for Allegedly Sending Missiles to Russia\n"
            "The U.S. State Department designated Iran Air on Tuesday.\n")
    extraction, asked = run(text, scripted(["Iran Air"]))
    assert not any(issubclass(q.response_model, focused.AccusationAnswer) for q in asked
                   if "Iran Sanctioned" in q.messages[-1]["content"].rsplit("END ARTICLE", 1)[1])
    headline = next(a for a in extraction.allegations if a.claim.startswith("Iran Sanctioned"))
    assert headline.against == "Iran" and headline.alleged_by == "The U.S. State Department"
    assert headline.hedge == "Allegedly"


@pytest.mark.parametrize(
    ("sentence", "accused", "accuser"),
    [
        ("Russia and the Syrian government have been accused of creating a disaster.", "Russia and the Syrian government", None),
        ("Tova Noel and Michael Thomas were charged with falsifying records.", "Tova Noel and Michael Thomas", None),
        ("The Conservative Party was accused by Full Fact of misleading voters.", "Conservative Party", "Full Fact"),
        ("Iran and Russia said the claims were false.", None, None),  # active: not a passive at all
    ],
)
def test_a_passive_accuses_its_whole_subject_and_names_no_accuser_unless_by(
    sentence: str, accused: str | None, accuser: str | None
) -> None:
    assert cues.passive_accused(sentence) == (None if accused is None else (accused, accuser))


@pytest.mark.parametrize(
    ("sentence", "status"),
    [
        ("Blinken claimed that Iran had shipped missiles, citing evidence from allies.", "claimed"),
        ("Prosecutors alleged that the guards falsified records.", "alleged"),
        ("Moscow denied the claims that it had shipped the weapons.", "denied"),
        ("The Pentagon said the Russian claims were false.", "denied"),
        ("Two guards were charged with falsifying records.", "charged"),
        ("He was convicted of fraud in 2019.", "convicted"),
        ("Officials said he had shipped oil, according to the report.", "alleged"),
    ],
)
def test_status_follows_the_cue_words(sentence: str, status: str) -> None:
    assert cues.status(sentence) == status


def test_the_issuer_is_the_subject_that_imposes() -> None:
    text = ("WASHINGTON - Treasury's Office of Foreign Assets Control (OFAC) today designated two firms. "
            "OFAC also identified two vessels. He said the action was overdue.")
    assert focused.issuer(text) == "OFAC"
    assert focused.issuer("The talks went on for hours.") is None


def test_a_country_is_a_target_only_where_sanctions_are_put_on_it() -> None:
    text = ("Iran Sanctioned for Allegedly Sending Missiles to Russia\n"
            "The State Department announced new sanctions on Iranian and Russian entities, "
            "among them Iran Air, over the missile transfers to Russia.\n"
            "The EU will lift its economic sanctions on Syria.\n")
    extraction, asked = run(text, scripted(["Iran Air", "Russia", "Syria", "Iran"]))
    roles = [q.messages[-1]["content"].rsplit("END EXCERPT", 1)[1] for q in asked
             if q.response_model is focused.TargetRoleAnswer]
    # Russia: nothing is put on Russia itself; Iran: only a headline says so; Syria: the wording
    # settles it. Only Iran Air needs the question (and the script says "target").
    assert len(roles) == 1 and "Iran Air" in roles[0]
    assert [t.name for t in extraction.sanctions_targets] == ["Iran Air", "Syria"]


# ---------------------------------------------------------------- the real model, replayed

RECORDINGS = ROOT / "fixtures" / "local-qwen2.5-coder-1.5b"


def replay_eval(recordings: Any, *options: str) -> dict[str, Any]:
    """`summarizer eval` on the development articles, answered by the recorded real model."""
    res = CliRunner().invoke(app, ["eval", str(SHARED), "--backend", "local", "--replay", str(recordings), "--json",
                                   *options], env={"SUMMARIZER_NO_LOG": "1"})
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)  # type: ignore[no-any-return]


# What the recordings give on the validation part (docs/local-model.md): a floor that fails
# when a change to the plan's code makes the same answers score worse. Issue 19's goals (targets
# P and F1 0.6, quotes 0.95, speakers 0.85, allegations 0.5, direction 0.7) are not all met.
FLOOR = {"target_precision": 0.6, "target_f1": 0.5, "quote_recall": 0.6, "speaker_accuracy": 0.8,
         "allegation_recall": 0.35, "direction_accuracy": 0.2}


@pytest.fixture(scope="module")
def replayed() -> dict[str, dict[str, Any]]:
    """The recorded real model on each part of the development split."""
    return {part: replay_eval(RECORDINGS, "--split", part) for part in ("validation", "tuning")}


def test_the_embedded_model_holds_its_published_floor_on_the_validation_part(replayed: dict[str, Any]) -> None:
    """What the default model gets on the articles nobody tuned on (greedy decoding: a live run
    asks the same questions and gets the same answers). Issue 19's goals are in
    docs/local-model.md beside what is met; this is the floor the recordings hold."""
    o = replayed["validation"]["overall"]
    assert o["errors"] == 0 and o["targets_invented"] == 0 and o["unsupported_names"] == 0
    assert o["verbatim_share"] == 1.0 and o["summary_on_furniture"] == 0
    assert o["target_precision"] >= FLOOR["target_precision"] and o["target_f1"] >= FLOOR["target_f1"]
    assert o["quote_recall"] >= FLOOR["quote_recall"] and o["speaker_accuracy"] >= FLOOR["speaker_accuracy"]
    assert o["allegation_recall"] >= FLOOR["allegation_recall"]
    assert o["direction_accuracy"] >= FLOOR["direction_accuracy"]


def test_the_published_figures_are_the_replayed_ones(replayed: dict[str, Any]) -> None:
    """docs/local-model.md shows the overall rows of these very replays, not copied numbers."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("eval_table", ROOT / "benchmarks" / "eval_table.py")
    assert spec and spec.loader
    table = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(table)
    doc = (ROOT / "docs" / "local-model.md").read_text("utf-8")
    for part, report in replayed.items():
        published = re.search(rf"^\| focused, qwen2\.5-coder-1\.5b \(default\), {part} \| (.*) \|$", doc, re.M)
        assert published, f"the focused {part} row is missing from docs/local-model.md"
        assert published.group(1) == table.cells(report["overall"]), part


LIST_RELEASE = (
    "Treasury Targets Shadow Fleet\n"
    "WASHINGTON - Today, OFAC is sanctioning three companies and identifying four vessels as blocked property.\n"
    "The following companies are being designated pursuant to E.O. 13846 for transporting Iranian oil:\n"
    "Blue Horizon Shipping Ltd., based in the Marshall Islands;\n"
    "- Coral Sea Maritime Inc., based in Panama;\n"
    "(c) Delta Star Tankers FZE (United Arab Emirates).\n"
    "OFAC is also identifying the following vessels as blocked property: AMBER LIGHT, BALTIC ROSE, CASPIAN "
    "PEARL and KESTREL.\n"
    "Treasury officials said the following was clear: the network is large, and it adapts.\n"
)


def test_names_listed_under_a_sanctions_lead_in_are_targets_without_a_question() -> None:
    """A release lists whom it designates one per line, or inline after "the following ...:"; the
    model answers a paragraph with at most six names and a list line with none."""
    assert listings.listed(LIST_RELEASE) == ["Blue Horizon Shipping Ltd", "Coral Sea Maritime Inc", "Delta Star Tankers FZE",
                                         "AMBER LIGHT", "BALTIC ROSE", "CASPIAN PEARL", "KESTREL"]
    extraction, asked = run(LIST_RELEASE, lambda q: focused.TargetRoleAnswer(role="background")
                            if q.response_model is focused.TargetRoleAnswer else scripted(["Blue Horizon Shipping Ltd."])(q))
    assert [t.name for t in extraction.sanctions_targets] == ["Blue Horizon Shipping Ltd", *listings.listed(LIST_RELEASE)[1:]]
    assert not [q for q in asked if q.response_model is focused.TargetRoleAnswer]  # the lead-in settles them
    # ... and what they are: live (fourth stop, the made-up us-list-release.txt) the twelve vessels
    # listed after "the following twelve vessels, owned or managed by these companies" were persons
    kinds = {t.name: t.kind for t in extraction.sanctions_targets}
    assert kinds["AMBER LIGHT"] == kinds["KESTREL"] == "vessel" and kinds["Blue Horizon Shipping Ltd"] == "organization"
    mixed = "The following individuals and entities were designated:\nJane Roe, a broker\nAcme Trading, a firm\n"
    assert [listings.kind_of(mixed, listing) for listing in listings.listings(mixed)] == [None]
    assert focused._kind("Falcon Crest Marine S.A.", "") == "organization"
    # live, '"Iran continues to rely on a shadow fleet ...," said Under Secretary ... Jane Rivers'
    # was "OFAC -> Terrorism and Financial Intelligence Jane Rivers": the quotation's speaker
    # accuses, and the name its words open with doing something is the accused
    made_up = (ROOT / "tests" / "data" / "made-up" / "us-list-release.txt").read_text("utf-8")
    extraction, _ = run(made_up, accusing("OFAC", "OFAC"))
    assert (extraction.allegations[0].alleged_by, extraction.allegations[0].against) == ("Jane Rivers", "Iran")
    assert cues.accused_in('"Iran continues to fund them," she said.') == "Iran"
    assert cues.accused_in('"Iran is a country," she said.') is None
    # a colon in a sentence without "the following", or items that are not all names, make no list
    assert listings.listed("Treasury sanctioned them: the network is large.\nOFAC said: Iran, Russia and others.\n") == []
    assert listings.listed("These people were sanctioned:\nJane Doe said the list is long and will grow.\n") == []
    # a new lead-in ends the list above it, and is read as one
    assert listings.listed("Designated today:\n- Jane Roe, a broker\nSeparately, the following were delisted: Acme Ltd, "
                       "Beta Corp.\n") == ["Jane Roe", "Acme Ltd", "Beta Corp"]


def test_a_hostile_list_is_read_in_one_pass_and_bounded() -> None:
    """Every line a lead-in and an item at once, or an endless inline list: each line is read
    once (an item opens no list), and at most MAX_LISTED names are taken."""
    assert listings.listed("".join(f"Sanctioned Company{i}:\n" for i in range(20000))) == []  # lead-ins, no items
    items = "These are designated:\n" + "".join(f"Company{i}, a firm\n" for i in range(20000))
    assert len(listings.listed(items)) == listings.MAX_LISTED
    inline = "The following are sanctioned: " + ", ".join(f"Firm{i}" for i in range(5000)) + ".\n"
    assert len(listings.listed(inline * 50)) == listings.MAX_LISTED


def test_list_items_are_not_headlines() -> None:
    """A list line ("Coral Sea Maritime Inc., based in Panama;") capitalises most of its words,
    as a headline does, but ends as an item: its names stay in the text the targets are read in."""
    body = focused._without_headlines("Coral Sea Maritime Inc., based in Panama;\nTreasury Targets Shadow Fleet\n"
                                      "\u2022 Oleg Petrovich Ivanov \u2013 Director of Volga Arms Trading\n")
    assert body.startswith("Coral Sea Maritime Inc.") and "Treasury" not in body and "Oleg Petrovich Ivanov" in body


def test_the_uk_made_up_release_lists_its_designations_and_its_delistings() -> None:
    """tests/data/made-up/uk-list-release.txt: three bulleted designations ("Name \u2013 what"), then
    "Separately, the following entries have been removed ...: A, B." (a new lead-in, not an item)."""
    text = (ROOT / "tests" / "data" / "made-up" / "uk-list-release.txt").read_text("utf-8")
    assert listings.listed(focused._without_headlines(text)) == [
        "Oleg Petrovich Ivanov", "Volga Arms Trading LLC", "Northern Lights Logistics Ltd", "Maria Smirnova",
        "Baltic Freight Services"]
    # the model's "Northern Lights Logistics Ltd (Kazakhstan)" is the same target: where, not who
    assert focused._name("Northern Lights Logistics Ltd (Kazakhstan)") == "Northern Lights Logistics Ltd"


def test_the_made_up_list_release_lists_every_target_it_names() -> None:
    """tests/data/made-up/us-list-release.txt: six companies one per line, twelve vessels inline."""
    text = (ROOT / "tests" / "data" / "made-up" / "us-list-release.txt").read_text("utf-8")
    named = listings.listed(focused._without_headlines(text))
    assert len(named) == 18 and named[0] == "Blue Horizon Shipping Ltd" and named[-1] == "LUNAR TIDE"
    assert focused.issuer(text) == "OFAC"  # "is sanctioning" is an issuer's verb


def test_what_a_speaker_says_someone_should_do_accuses_no_one() -> None:
    """"Lee said Yoon's declaration was illegal" accuses Yoon; "Mayer said the EU should also look at
    airlines that allegedly sell tickets" tells the EU what to do: the EU is not the accused."""
    assert cues.accused_in("Lee said Yoon's declaration was illegal and unconstitutional.") == "Yoon"
    for modal in ("should also", "must", "will", "needs to"):
        sentence = f"Horst Mayer said the EU {modal} look at airlines that allegedly sell tickets to Minsk."
        assert cues.accused_in(sentence) is None and cues.advised(sentence) == "EU", modal

    text = "Horst Mayer said the EU should also look at airlines that allegedly sell tickets to Minsk.\n"
    extraction, _ = run(text, accusing("Horst Mayer", "EU"))  # picks the EU, as the 1.5B model did
    assert [(a.alleged_by, a.against) for a in extraction.allegations] == [("Horst Mayer", None)]


def test_who_denies_an_accusation_is_the_accused() -> None:
    """tests/data/made-up/wire-story.txt: "Belarus has denied organizing the flights" was read as
    an accusation against Avia Minsk, the model's pick among the names around it. The wording
    decides: the one who denies is the accused; a pronoun, a denial on someone's behalf ("the
    allegations against his client") or the rejection of anything but an accusation decide nothing."""
    assert cues.accused_in("Belarus has denied organizing the flights.") == "Belarus"
    assert cues.accused_in("The Kremlin has repeatedly denied any role in the attack.") == "Kremlin"
    assert cues.accused_in("Iran rejected the U.S. claims as baseless.") == "Iran"
    assert cues.accused_in("Russia and Iran have denied the reports.") == "Russia and Iran"
    assert cues.denier('In a statement, the Foreign Ministry called the accusations "absurd".') == "Foreign Ministry"
    assert cues.status('In a statement, the Foreign Ministry called the accusations "absurd".') == "denied"
    for sentence in ("He has always denied the allegations, saying it was false.",
                     "Jane Doe denied the allegations against her client.",
                     "Judge Smith rejected the motion to dismiss the case."):
        assert cues.accused_in(sentence) is None, sentence

    model = accusing("European Union", "Avia Minsk and Sky Belavia")  # a carrier named just before, as the 1.5B model picked

    text = ("The European Union accuses the carriers Avia Minsk and Sky Belavia of flying migrants to its border.\n"
            "Belarus has denied organizing the flights.\n")
    extraction, _ = run(text, model)
    denial = [a for a in extraction.allegations if a.claim.startswith("Belarus")]
    assert [(a.alleged_by, a.against, a.status) for a in denial] == [("European Union", "Belarus", "denied")]

    def echo(q: focused.Question) -> Any:  # names the denier its accuser as well, as the 1.5B model did
        if issubclass(q.response_model, focused.AccusationAnswer) and "Belarus" in str(q.response_model.model_json_schema()):
            return q.response_model(accusation=True, accuser="Belarus", accused="Belarus")
        return model(q)

    extraction, _ = run(text, echo)
    denial = [a for a in extraction.allegations if a.claim.startswith("Belarus")]
    assert [(a.alleged_by, a.against) for a in denial] == [(None, "Belarus")], "the wording's accused stands"


def test_a_quotation_opening_with_a_name_doing_something_accuses_that_name() -> None:
    """tests/data/made-up/wire-story.txt: "“Lukashenko is using desperate people as a weapon against
    Europe,” Landsbergis told reporters" accused Europe (the model's pick). A quotation that opens
    with a name doing something accuses it; a name that *is* something does not (a tuning
    article's "“Rukban is another example of the Assad regime's ...”" is about a place)."""
    quote = ("“Lukashenko is using desperate people as a weapon against Europe,” Lithuanian Foreign "
             "Minister Gabrielius Landsbergis told reporters on Monday.")
    assert cues.accused_in(quote) == "Lukashenko"
    assert cues.accused_in('"Iran has shipped ballistic missiles to Russia," Blinken said.') == "Iran"
    assert cues.accused_in("“Rukban is another example of the Assad regime’s cruelty,” said Sean Robertson.") is None
    assert cues.accused_in("“We are seeing Russia getting missiles,” he said.") is None

    # a model that picks Europe, as the 1.5B model did
    extraction, _ = run(quote + "\n", accusing("Lithuanian Foreign Minister Gabrielius Landsbergis", "Europe"))
    [allegation] = extraction.allegations  # (grounding drops the title from the accuser)
    assert (allegation.alleged_by or "").endswith("Gabrielius Landsbergis") and allegation.against == "Lukashenko"


def test_a_delisting_release() -> None:
    """tests/data/made-up/delisting-release.txt: "OFAC removed X ... from the SDN List" names the
    issuer and a target by the wording; the speaker after "Director of the Office of Foreign
    Assets Control" is the person; a company's "Shipping" and vessels that "have been sold"
    are no conduct a designation is for."""
    text = (ROOT / "tests" / "data" / "made-up" / "delisting-release.txt").read_text("utf-8")
    assert focused.issuer(text) == "OFAC"
    assert focused.issuer("Police removed protesters from the square on Monday.") is None
    assert [t.name for t in focused.targets_by_wording(text)] == ["Marek Dunaj"]  # the rules baseline's
    assert rules.explicit_speaker(text, *_span(text, "Our sanctions are meant")) == "Laura Whitfield"
    assert not cues.conduct("Caspian Tideway Shipping, which was designated in 2019, remains on the SDN List.")
    assert not cues.conduct("The two vessels have been sold to owners with no ties to the company.")
    assert cues.conduct("The firm is owned or controlled by Marek Dunaj.")
    assert cues.conduct("Dunaj was designated in 2019 for his role in shipping Iranian crude oil to Syria.")
    # "designated A and B" is two names when the text names one of them on its own too
    assert cues.named_under_sanctions("OFAC designated Gatewick LLC and Abdolhossein Khedri.\nGatewick LLC flew.") == [
        "Gatewick LLC", "Abdolhossein Khedri"]
    assert cues.named_under_sanctions("OFAC designated Jahan Destination Travel and Tourism LLC.") == [
        "Jahan Destination Travel and Tourism LLC"]
    assert cues.named_under_sanctions("It is on the Specially Designated Nationals and Blocked Persons List.") == []
    # live, "Caspian Tideway Shipping", which only "remains on the SDN List", was kept as a target
    stays = "Caspian Tideway Shipping, which was designated in 2019, remains on the SDN List."
    assert cues.still_listed(stays, "Caspian Tideway Shipping")
    assert cues.still_listed("Acme remains subject to U.S. sanctions.", "Acme")
    assert not cues.still_listed("Acme remains a major shipper.", "Acme")
    extraction, _ = run(text, lambda q: focused.TargetRoleAnswer(role="target")
                        if q.response_model is focused.TargetRoleAnswer
                        else scripted(["Marek Dunaj", "Caspian Tideway Shipping"])(q))
    assert [(t.name, t.kind) for t in extraction.sanctions_targets] == [("Marek Dunaj", "person")]
    # live, Dunaj was a "vessel": the model named him for a paragraph that does not, and the
    # whole paragraph was read as the words before him
    assert focused._kind("Marek Dunaj", "The two vessels have been sold.") == "person"
    assert focused._kind("Caspian Tideway Shipping", "") == "organization"
    assert focused._kind("Russland", "") == "country"
    # live (fourth stop), the vessels were "person": the model named them for the paragraph that
    # calls them "blocked property", not the one that says "the vessels NORTHERN PEARL and SILVER CREST"
    extraction, _ = run(text, lambda q: focused.TargetRoleAnswer(role="target")
                        if q.response_model is focused.TargetRoleAnswer else scripted(["NORTHERN PEARL", "SILVER CREST"])(q))
    assert {(t.name, t.kind) for t in extraction.sanctions_targets} >= {("NORTHERN PEARL", "vessel"), ("SILVER CREST", "vessel")}
    # ... and "Grodno Azot, a state-owned fertiliser producer" (the EU Council release) a person
    assert focused._kind("Grodno Azot", "Among those listed is Grodno Azot, a state-owned fertiliser producer.") == \
        "organization"
    assert focused._kind("Viktor Sheiman", "Among those listed is Viktor Sheiman, a judge.") == "person"


def _span(text: str, words: str) -> tuple[int, int]:
    start = text.index(words)
    return start, text.index("\u201d" if "\u201d" in text[start:] else '"', start)


def test_a_messy_wire_scrape() -> None:
    """tests/data/made-up/messy-scrape.txt: a "Read more: EU extends sanctions on Moldovan
    oligarchs" link line named the target "Moldovan" (a link to another story, and a demonym);
    "EU foreign policy chief Kaja Kallas said" and "Kremlin spokesman Dmitry Peskov dismissed
    ... \u201c...,\u201d he told reporters" name the persons, not "Kremlin" or no one."""
    text = (ROOT / "tests" / "data" / "made-up" / "messy-scrape.txt").read_text("utf-8")
    assert focused.targets_by_wording(text) == []
    assert cues.named_under_sanctions("The EU extends sanctions on Moldovan oligarchs.") == []
    assert cues.named_under_sanctions("The EU extends sanctions on Moldova.") == ["Moldova"]
    said = rules.quotes(text)
    speakers = {q["text"][:20]: q["speaker"] for q in said}
    assert speakers["We will not allow an"] == "Kaja Kallas"
    assert speakers["Moldova's authoritie"] == "Dmitry Peskov"
    assert speakers["It is a political ca"] == "Munteanu"
    # live, the role question kept "European Union" (it only threatens sanctions) and "EU" (it
    # only says whose foreign policy chief spoke) as targets
    assert cues.IMPOSER.match(" said it was ready to impose sanctions on those responsible.")
    assert not cues.IMPOSER.match(" said the talks were over.")
    assert focused._only_in_attribution(focused._without_headlines(text), "EU")
    extraction, _ = run(text, lambda q: focused.TargetRoleAnswer(role="target")  # a model that keeps all
                        if q.response_model is focused.TargetRoleAnswer else scripted(["European Union", "EU"])(q))
    assert extraction.sanctions_targets == []  # (the model names them for every sanctions paragraph)
    # ... and the allegations: who reportedly did it, sources counted but unnamed, a denial by a
    # spokesman's body, and the status of the accusation, not of a relative clause
    hedged = ("Orlenko, who lives in Moscow and was convicted in absentia of fraud in 2023, reportedly organised "
              "the scheme from abroad, according to two officials familiar with the investigation.")
    assert cues.accused_in(hedged) == "Orlenko" and cues.by_document(hedged) and cues.status(hedged) == "alleged"
    assert cues.status("Orlenko was convicted of fraud in 2023.") == "convicted"
    assert cues.by_document("The measures would target Belaruskali, three diplomats familiar with the talks said.")
    assert not cues.by_document("The measures would target Belaruskali, the diplomats said.")
    peskov = 'Kremlin spokesman Dmitry Peskov dismissed the accusations as "unfounded" and said Moscow did not interfere.'
    assert cues.denier(peskov) == "Kremlin" and cues.status(peskov) == "denied"
    # the headline's "accuses Russian-backed network of": an adjective, no accused's name
    assert cues.accused_in("Moldova accuses Russian-backed network of buying votes; Moscow denies") is None
    # "The network allegedly moved money": what it accuses is described, not named; no name the
    # model offers (live: Moldova) is its accused
    moved = "The network allegedly moved money through a Russian bank into payment cards, Ciobanu told reporters."
    assert cues.unnamed_accused(moved) and not cues.unnamed_accused("The Kremlin allegedly paid them.")

    extraction, _ = run("Prosecutors in Moldova spoke on Monday.\n" + moved + "\n", accusing("Ciobanu", "Moldova"))
    assert [(a.alleged_by, a.against) for a in extraction.allegations] == [("Ciobanu", None)]
    # live (third stop), the headline "Moldova accuses Russian-backed network of buying votes;
    # Moscow denies" read "Moldova -> Moscow": a described accused is no name the model offers
    headline = "Moldova accuses Russian-backed network of buying votes; Moscow denies"
    assert cues.unnamed_accused(headline) and not cues.unnamed_accused("Ukraine accused Russia of the attack.")
    # live (fourth stop), that headline's status was "denied": Moscow's clause, not Moldova's accusation
    assert cues.status(headline) == "alleged" and cues.status("The Kremlin denied it; it called the claims false.") == "denied"

    extraction, _ = run("Officials in Chisinau spoke.\nMoldova accuses Russian-backed network of buying votes, and Moscow "
                        "denies it.\n", accusing("Moldova", "Moscow"))
    assert [(a.alleged_by, a.against) for a in extraction.allegations] == [("Moldova", None)]


def test_a_german_wire_story() -> None:
    """tests/data/made-up/german-wire-story.txt (German is the tuning part's second language):
    the speaker "EU-Außenbeauftragte Kaja Kallas" is Kaja Kallas (a title behind an "EU-" and
    with an "ß", which casefolds to "ss", was never a title); "Wer die Sanktionen umgeht,
    finanziert den Krieg gegen die Ukraine" puts no sanctions on Ukraine (the words between
    "Sanktionen" and "gegen" cross a comma); "soll ... betrieben haben" reports an accusation;
    "wies die Vorwürfe zurück" denies."""
    from summarizer.grounding.names import resolve_name, title_length, unsupported_words

    text = (ROOT / "tests" / "data" / "made-up" / "german-wire-story.txt").read_text("utf-8")
    assert resolve_name(text, "EU-Außenbeauftragte Kaja Kallas").value == "Kaja Kallas"  # type: ignore[union-attr]
    assert title_length("Außenminister Sergej Lawrow".split()) == 1
    # a body and an office in one word: the spokesman is Dmitri Peskow, not "Kremlsprecher Dmitri Peskow"
    assert resolve_name(text, "Kremlsprecher Dmitri Peskow").value == "Dmitri Peskow"  # type: ignore[union-attr]
    assert title_length("Bundesaußenminister Frank Meier".split()) == 1
    assert title_length("Stefan Sprecher sagte".split()) == 0  # a surname is no title
    assert "Ukraine" not in cues.named_under_sanctions(text)
    assert cues.named_under_sanctions("Die EU verhängt Sanktionen gegen die Ukraine.") == ["Ukraine"]
    alleged = "Das Unternehmen soll nach Angaben der EU-Kommission Öltanker der Schattenflotte betrieben haben."
    assert cues.ACCUSATION_CUE.search(alleged)
    assert not cues.ACCUSATION_CUE.search("Eine Entscheidung soll im Sommer fallen.")
    assert cues.status("Der Kreml wies die Vorwürfe zurück.") == "denied"
    # an English summary's "CEO" names no one (the article says "Geschäftsführer")
    assert unsupported_words("The EU sanctioned Baltic Star Shipping and its CEO, Igor Lebedew.", text) == []
    # live, "Kreml" and "Dmitri Peskow" were kept as targets: they only answer the sanctions
    assert cues.denier("Der Kreml wies die Vorwürfe zurück.") == "Kreml"
    assert cues.denier("Das Ministerium bestritt die Berichte.") == "Ministerium"
    peskow = "Kremlsprecher Dmitri Peskow nannte die Strafmaßnahmen „illegal“ und kündigte Gegenmaßnahmen an."
    assert cues.reacts(peskow, "Dmitri Peskow") and cues.reacts(peskow, "Kreml")
    assert not cues.reacts("Acme denied the claims after it was sanctioned by OFAC.", "Acme")
    assert not cues.reacts("The EU sanctioned Acme, which denied the claims.", "Acme")
    extraction, _ = run(text, lambda q: focused.TargetRoleAnswer(role="target")  # a model that keeps all
                        if q.response_model is focused.TargetRoleAnswer
                        else scripted(["Baltic Star Shipping", "Igor Lebedew", "Kreml", "Dmitri Peskow"])(q))
    assert [(t.name, t.kind) for t in extraction.sanctions_targets] == [
        ("Baltic Star Shipping", "organization"), ("Igor Lebedew", "person")]
    # ... imposed by the EU, as its own sentence says: the participle comes last ("Die Europäische Union hat ... verhängt")
    assert {t.imposed_by for t in extraction.sanctions_targets} == {"Europäische Union"}
    assert focused.issuer("Brüssel (dpa) - Die Europäische Union hat am Montag Sanktionen gegen X verhängt.") == \
        "Europäische Union"
    # German capitalises nouns: the options of an accusation are names, not "Unternehmen" or "Angaben"
    assert cues.actors(alleged) == ["EU-Kommission"]
    assert cues.actors("Die EU hat Sanktionen gegen die russische Reederei Baltic Star Shipping und die Ukraine "
                       "verhängt, sagte Ursula von der Leyen.") == ["EU", "Baltic Star Shipping", "Ukraine",
                                                                   "Ursula von der Leyen"]
    # live, "Brüssel" (the dateline) and "Sanktionen" (after "am Montag") left the company no room
    lede = text.split("\n")[2].split(". ")[0]
    assert cues.actors(lede, common=text) == ["Europäische Union", "Baltic Star Shipping", "Geschäftsführer Igor Lebedew"]
    assert cues.actors("Der Kreml wies die Vorwürfe zurück.") == []
    # "Kremlsprecher Dmitri Peskow nannte die Strafmaßnahmen „illegal“" accused "Gegenmaßnahmen"
    # (live): who condemns the sanctions accuses whoever imposed them, without a question
    extraction, asked = run(text, scripted([]))
    assert ("Kremlsprecher Dmitri Peskow", "EU") in [(a.alleged_by, a.against) for a in extraction.allegations]
    # two questions remain: "Das Unternehmen soll ..." and "Nach Angaben von Diplomaten ..."
    assert len([q for q in asked if issubclass(q.response_model, focused.AccusationAnswer)]) == 2
    release = "Today, OFAC designated Mahan Air for shipping weapons.\nIran condemned the new U.S. sanctions as illegal.\n"
    extraction, _ = run(release, scripted([]))
    assert ("Iran", "OFAC") in [(a.alleged_by, a.against) for a in extraction.allegations]
    assert cues.condemner("Kremlin spokesman Dmitry Peskov called the sanctions illegal.") == "Dmitry Peskov"
    assert cues.condemner("He called the sanctions illegal.") is None  # whose words, the article says elsewhere
    assert cues.condemner("The EU called for new sanctions.") is None
    assert cues.actors("Die Europäische Union und Das said so.") == ["Europäische Union"]


def test_a_german_source_is_the_accuser_and_a_german_noun_no_name() -> None:
    """tests/data/made-up/german-wire-story.txt, live (third stop): "Das Unternehmen soll nach
    Angaben der EU-Kommission ... betrieben haben" had no accuser (German attribution was not
    read), "Nach Angaben von Diplomaten ..." was accused by the model's pick, and grounding made
    the company "Reederei Baltic Star Shipping" ("die russische Reederei": a noun, not a name)."""
    from summarizer.grounding.names import resolve_name

    text = (ROOT / "tests" / "data" / "made-up" / "german-wire-story.txt").read_text("utf-8")
    alleged = "Das Unternehmen soll nach Angaben der EU-Kommission Öltanker der Schattenflotte betrieben haben."
    assert cues.attribution(alleged) == "EU-Kommission"
    assert cues.attribution("Laut dem Auswärtigen Amt hat Acme Waffen geliefert.") == "Auswärtigen Amt"
    diplomats = "Nach Angaben von Diplomaten wird bereits über ein weiteres Sanktionspaket beraten."
    assert cues.attribution(diplomats) is None and cues.by_document(diplomats)
    assert cues.by_document("Acme soll Öl geliefert haben, hieß es aus Regierungskreisen.")
    assert not cues.by_document(alleged)
    extraction, _ = run(text, accusing_where_offered("EU", "Baltic Star Shipping"))
    pairs = {a.claim[:20]: (a.alleged_by, a.against) for a in extraction.allegations}
    assert pairs["Das Unternehmen soll"] == ("EU-Kommission", "Baltic Star Shipping")
    assert pairs["Nach Angaben von Dip"][0] is None  # sources it does not name (the model's pick: EU)

    the_eu_is_accused = accusing_where_offered("none", "EU")  # live, the diplomats' sentence accused the EU
    extraction, _ = run(text, the_eu_is_accused)
    pairs = {a.claim[:20]: (a.alleged_by, a.against) for a in extraction.allegations}
    # the issuer is offered as an accuser; as the accused it must be named where the accusation is
    assert pairs["Nach Angaben von Dip"] == (None, None)
    extraction, _ = run("Die EU verhängte Sanktionen gegen Acme.\nMoskau sagte, die EU habe gelogen und sei unfair.\n",
                        the_eu_is_accused)
    assert [(a.alleged_by, a.against) for a in extraction.allegations] == [("Moskau", "EU")]
    # the fuller form reads no German noun into the name; a name after an article still extends
    found = resolve_name(text, "Baltic Star Shipping")
    assert found is not None and found.value == "Baltic Star Shipping"
    assert resolve_name("Die Firma Acme sagte das.\nWir trafen Hans Meier. Meier ging.", "Meier").value == "Hans Meier"  # type: ignore[union-attr]
    # ... nor a German noun after it: live, "nach Angaben der EU-Kommission Öltanker der ..." made the
    # accuser "EU-Kommission Öltanker"
    found = resolve_name(text, "EU-Kommission")
    assert found is not None and found.value == "EU-Kommission"
    assert resolve_name("Sie traf Yoon Suk Yeol am Montag. Yoon ging.", "Yoon").value == "Yoon Suk Yeol"  # type: ignore[union-attr]
    lammy = "The statement came from the British Foreign Secretary David Lammy on Monday. Lammy left."
    assert resolve_name(lammy, "Lammy", near=lammy.rindex("Lammy")).value == "David Lammy"  # type: ignore[union-attr]


def test_every_target_names_who_imposes_it() -> None:
    """The subject of an imposing verb in the target's own sentences, else the article's issuer;
    never the target itself (the plan had left every imposer empty)."""
    text = ("The Treasury on Tuesday sanctioned Iran Air for shipping drones to Russia.\n"
            "Separately, the EU designated Mahan Air.\n")
    extraction, _ = run(text, lambda q: focused.TargetRoleAnswer(role="target")
                        if q.response_model is focused.TargetRoleAnswer else scripted(["Iran Air", "Mahan Air"])(q))
    imposers = {t.name: re.sub(r"^(?i:the) ", "", t.imposed_by or "") for t in extraction.sanctions_targets}
    assert imposers == {"Iran Air": "Treasury", "Mahan Air": "EU"}  # ("the" goes in grounding)
    release = (ROOT / "tests" / "data" / "made-up" / "delisting-release.txt").read_text("utf-8")
    assert {t.imposed_by for t in focused.targets_by_wording(release)} == {"OFAC"}


def test_a_party_sanctioned_before_and_named_as_context_is_not_a_target() -> None:
    """"Atlas was added to the Entity List in 2021" is context for a story about charges; "Mahan
    Air, designated in 2011, is being designated again today" is a target of this release."""
    assert cues.sanctioned_before(["Atlas Industrial Supply was added to the Commerce Department's Entity List in 2021."])
    assert cues.sanctioned_before(["The previously designated IRGC-QF ran the network."])
    assert not cues.sanctioned_before(["Mahan Air, designated in 2011, is also being designated today."])
    assert not cues.sanctioned_before(["Mahan Air is being designated for its support."])
    assert not cues.sanctioned_before(["Mahan Air flew to Syria in 2019."])  # no sanctions in it: no say
    text = ("Two executives were charged on Thursday with shipping pumps to Iran, prosecutors said.\n"
            "They used the firm Atlas Industrial Supply to buy the pumps.\n"
            "Atlas Industrial Supply was added to the Commerce Department's Entity List in 2021.\n")
    extraction, _ = run(text, lambda q: focused.TargetRoleAnswer(role="target")  # a model that keeps all
                        if q.response_model is focused.TargetRoleAnswer else scripted(["Atlas Industrial Supply"])(q))
    assert extraction.sanctions_targets == []


def test_a_court_documents_claims_and_a_prosecutors_disclaimer() -> None:
    """"According to the indictment, X and Y used ..." accuses X, and the document names no
    accuser; "An indictment is merely an allegation, and the defendants are presumed innocent"
    is a prosecutor's boilerplate, no accusation."""
    sentence = "According to the indictment, Daniel Reyes, 52, and Mehmet Aksoy, 47, used the firm to buy pumps."
    assert cues.accused_in(sentence) == "Daniel Reyes" and cues.by_document(sentence)
    assert not cues.by_document("According to Jane Doe, the firm bought pumps for Iran.")
    text = ("Prosecutors charged two men on Thursday.\n" + sentence + "\n"
            "An indictment is merely an allegation, and the defendants are presumed innocent until proven guilty.\n")
    extraction, _ = run(text, scripted([]))
    claims = {a.claim[:20]: (a.alleged_by, a.against) for a in extraction.allegations}
    assert claims.get(sentence[:20]) == (None, "Daniel Reyes")
    assert not any(a.claim.startswith("An indictment") for a in extraction.allegations)
    # live (fourth stop): "Two executives of a New Jersey trading firm were charged ..., federal
    # prosecutors said" was "None -> New Jersey" (the model's pick): the accused is described, not
    # named, and the wording names its accuser
    lede = ("NEW YORK — Two executives of a New Jersey trading firm were charged on Thursday with conspiring to "
            "ship equipment to Iran, federal prosecutors said.")
    assert cues.unnamed_accused(lede) and cues.attribution(lede) == "federal prosecutors"
    assert not cues.unnamed_accused("Daniel Reyes was charged with fraud.")
    assert not cues.unnamed_accused("The Treasury was accused of lying.")
    assert "New Jersey" not in cues.actors(lede)  # (since the fifth stop: "a New Jersey trading firm" qualifies)
    extraction, _ = run("Prosecutors spoke on Thursday.\n" + lede + "\n", accusing_where_offered("Iran", "Iran"))
    assert [(a.alleged_by, a.against) for a in extraction.allegations] == [("federal prosecutors", None)]
    # without a speaker, "were charged" names no accuser: not the model's pick
    extraction, _ = run("Guards worked at night.\nTwo guards were charged with falsifying records, stating Epstein "
                        "was checked.\n", accusing("Epstein", "Epstein"))
    assert [(a.alleged_by, a.against) for a in extraction.allegations] == [(None, None)]


def test_an_eu_council_release_speaks_in_the_councils_voice() -> None:
    """tests/data/made-up/eu-council-release.txt: "The Council today decided to impose ..." names
    the issuer; the headline above it ("Belarus: Council lists a further 7 individuals ...") is no
    lede; the listing's grounds ("a judge who handed down politically motivated sentences", "whose
    revenues benefit the regime") are the Council's accusations; "High Representative" is a title."""
    from summarizer.grounding.names import title_length

    text = (ROOT / "tests" / "data" / "made-up" / "eu-council-release.txt").read_text("utf-8")
    assert focused.issuer(text) == "The Council"
    assert title_length("High Representative Kaja Kallas".split()) == 2
    extraction, _ = run(text, scripted(["Viktor Sheiman", "Grodno Azot"]))
    against = {a.against: a.alleged_by for a in extraction.allegations}
    assert against.get("Viktor Sheiman") == "The Council", against


def test_a_person_the_article_says_was_spared_is_no_target() -> None:
    """tests/data/made-up/not-sanctioned.txt: "stopped short of targeting ... Ramon Castillo" and
    "Castillo ... was not sanctioned" (his surname alone) rule him out, whatever the model
    answers; the issuer is "The Treasury Department", not "... on Wednesday"."""
    text = (ROOT / "tests" / "data" / "made-up" / "not-sanctioned.txt").read_text("utf-8")
    assert focused.issuer(text) == "The Treasury Department"
    named = ["Ramon Castillo", "Luisa Ortega Prieto", "Carlos Mendez Rivas"]
    extraction, _ = run(text, lambda q: focused.TargetRoleAnswer(role="target")  # a model that keeps all
                        if q.response_model is focused.TargetRoleAnswer else scripted(named)(q))
    assert [t.name for t in extraction.sanctions_targets] == named[1:]
    for spared in ("The US declined to sanction him.", "Washington spared the bank.", "It did not target Rosneft."):
        assert cues.ruled_out(spared), spared
    # live (fourth stop): "Venezuela's government rejected the sanctions as ..." was no allegation,
    # and "accused the administration of going easy" had no accused ("administration" alone is no name)
    extraction, _ = run(text, accusing("none", "none"))
    pairs = {a.claim[:20]: (a.alleged_by, a.against, a.status) for a in extraction.allegations}
    assert pairs["Venezuela's governme"] == ("Venezuela's government", "The Treasury Department", "alleged")
    assert pairs["Senator Marco Diaz s"][1] == "the administration"
    assert cues.condemner("Acme dismissed the designation as baseless.") == "Acme"
    assert cues.condemner("Acme rejected the claims.") is None  # the claims, not the measures


def test_he_after_an_opening_phrase_and_a_group_by_its_possessive() -> None:
    """Tuning article 04: "In his address, Yoon accused ... He also accused his opponents of
    sympathizing with North Korea" was "Military -> None": the antecedent of "He" skipped the
    sentence that opens with a phrase before its subject, and "opponents" (one common word) was
    no name to ground."""
    text = ("Military officers described a chaotic night.\n"
            "In his address, Yoon accused the parliament of paralyzing the government. "
            "He also accused his opponents of sympathizing with North Korea.\n")
    start = text.index("He also")
    assert rules.antecedent(text, start) == "Yoon"
    seoul = "Military officers met. In Seoul on Tuesday, Kim spoke. He left."
    assert rules.antecedent(seoul, seoul.index("He left")) == "Kim"
    assert cues.accused_in(text[start:]) == "his opponents"
    assert cues.accused_in("Ukraine accused Russia of the attack.") == "Russia"
    assert cues.accused_in("She accused the Kremlin of lying.") == "Kremlin"
    extraction, _ = run(text, accusing("none", "none"))
    pairs = [(a.alleged_by, a.against) for a in extraction.allegations]
    assert ("Yoon", "his opponents") in pairs, pairs


def test_a_quotation_that_accuses_a_name_in_so_many_words_is_not_asked() -> None:
    """Tuning article 01: '"The Iranian regime uses its aviation and shipping industries to supply
    its regional terrorist and militant groups with weapons," said Secretary Steven T. Mnuchin'
    was missed (the model answered no): a quotation with an accusation's cue word that opens with
    a name doing something is its speaker's accusation of that name."""
    text = ("Treasury designated a network on Tuesday.\n"
            "\u201cThe Iranian regime uses its airlines to supply terrorist groups with weapons,\u201d said "
            "Secretary Jane Roe.\n")
    assert cues.quoted_actor(text.split("\n")[1]) == "Iranian regime"
    assert cues.quoted_actor("\u201cIt uses its airlines,\u201d she said.") is None  # a pronoun is no one
    extraction, asked = run(text, scripted([]))  # a model that finds no accusation anywhere
    assert [(a.alleged_by, a.against) for a in extraction.allegations] == [("Jane Roe", "Iranian regime")]
    assert not [q for q in asked if issubclass(q.response_model, focused.AccusationAnswer)]
    # without a cue word it is no accusation; without a known speaker it is asked as before
    extraction, _ = run("Treasury met.\n\u201cThe Iranian regime uses its airlines,\u201d said Jane Roe.\n", scripted([]))
    assert extraction.allegations == []


def test_a_news_story_about_an_activists_death() -> None:
    """tests/data/made-up/uk-news-story.txt, written after the stop's other changes and run live
    once before any rule was written from it: the dead activist and his widow were targets, the
    lede accused the activist, "the United States is preparing" made "United" an accuser ("States"
    read as the speech verb "states"), the widow's quotation was Peskov's ("she told Reuters" after
    "Sorokin's widow, Irina Sorokina, welcomed ..."), and the embassy's "called the measures 'a
    hostile act'" and the prison service's "has previously rejected allegations" were not read."""
    text = (ROOT / "tests" / "data" / "made-up" / "uk-news-story.txt").read_text("utf-8")
    named = ["Andrei Volkov", "Sergei Melnikov", "Pavel Sorokin", "Irina Sorokina"]
    extraction, _ = run(text, lambda q: focused.TargetRoleAnswer(role="target")  # a model that keeps all
                        if q.response_model is focused.TargetRoleAnswer else scripted(named)(q))
    assert [t.name for t in extraction.sanctions_targets] == named[:2]
    lede = text.split("\n")[2]
    assert cues.harmed(lede, "Pavel Sorokin") and not cues.harmed(lede, "Britain")
    assert not cues.harmed("Prosecutors investigate allegations involving Yoon's wife.", "Yoon")  # a relative may be accused
    sources = "According to two people familiar with the matter, the United States is preparing similar measures."
    assert cues.attribution(sources) is None and cues.by_document(sources)
    assert not cues.voiced("The United States imposed sanctions on Iran.")
    widow = text.index("\"The people who signed")
    assert rules.antecedent(text, widow) == "Irina Sorokina"
    assert cues.condemner("Russia's embassy in London called the measures \"a hostile act\".") == \
        "Russia's embassy in London"
    assert cues.denier("The Federal Penitentiary Service has previously rejected allegations of mistreatment.") == \
        "Federal Penitentiary Service"
    assert cues.status("They had subjected Sorokin to inhumane treatment and denied him medical care.") == "alleged"
    extraction, _ = run(text, accusing_where_offered("Pavel Sorokin", "Pavel Sorokin"))
    pairs = {a.claim[:20]: (a.alleged_by, a.against) for a in extraction.allegations}
    assert "Pavel Sorokin" not in {against for _, against in pairs.values()}, pairs  # the one harmed is never accused
    # live after those mends: the lede "Britain -> LONDON" (the dateline "LONDON, March 4 (Reuters) -"
    # offered), and Britain the accuser of the sources' sentence and of the prison service's
    # denial (a wire story whose lede opens with the imposer was read as Britain's own release)
    lede_options = cues.actors(lede, common=text)
    assert "LONDON" not in lede_options and "Britain" in lede_options
    assert cues.WIRE_CREDIT.match(lede) and not cues.WIRE_CREDIT.match("WASHINGTON — Today, OFAC designated Acme.")
    extraction, _ = run(text, accusing_where_offered("Britain", "Federal Penitentiary Service"))
    pairs = {a.claim[:20]: (a.alleged_by, a.against) for a in extraction.allegations}
    assert pairs["According to two peo"][0] is None
    assert pairs["The Federal Penitent"] == (None, "Federal Penitentiary Service")


def test_a_news_story_that_counts_its_targets_before_naming_them() -> None:
    """tests/data/made-up/china-drones-story.txt, written and run live before any rule came from
    it: no target at all (the lede counts "three Chinese companies and a Hong Kong-based trader",
    the next paragraph names them without a sanctions word, so it was never asked), the issuer
    "Thursday" ("The Biden administration on Thursday sanctioned"), the headline's "Chinese firms
    accused of" accusing Russia, and "The Hong Kong trader, Li Wei, allegedly arranged ..." read
    as Li Wei accusing Kyrgyzstan."""
    text = (ROOT / "tests" / "data" / "made-up" / "china-drones-story.txt").read_text("utf-8")
    assert focused.issuer(text) == "The Biden administration"
    assert cues.counts_targets(text.split("\n")[2]) and not cues.counts_targets("OFAC sanctioned Acme and two others.")
    named = ["Shenzhen Skyline Electronics", "Xiamen Bright Trade Co.", "Harbin Aero Components", "Li Wei"]
    extraction, asked = run(text, lambda q: focused.TargetRoleAnswer(role="target")  # a model that keeps all
                            if q.response_model is focused.TargetRoleAnswer else scripted(named)(q))
    assert [(t.name, t.kind) for t in extraction.sanctions_targets] == [
        ("Shenzhen Skyline Electronics", "organization"), ("Xiamen Bright Trade Co", "organization"),
        ("Harbin Aero Components", "organization"), ("Li Wei", "person")]
    second = text.split("\n")[4]
    assert any(second in q.messages[-1]["content"] for q in asked if q.response_model is focused.TargetsAnswer)
    assert cues.unnamed_accused(text.split("\n")[0]) and not cues.unnamed_accused("Ukraine accused Russia of lying.")
    assert cues.accused_in("The Hong Kong trader, Li Wei, allegedly arranged the payments through shell companies.") == \
        "Li Wei"
    extraction, _ = run(text, accusing_where_offered("Kyrgyzstan", "Kyrgyzstan"))
    pairs = {a.claim[:20]: (a.alleged_by, a.against) for a in extraction.allegations}
    assert pairs["The Hong Kong trader"][1] == "Li Wei" and pairs["US sanctions Chinese"][1] is None, pairs


def test_a_plea_release_puts_no_sanctions_on_anyone() -> None:
    """tests/data/made-up/doj-plea-release.txt, written and run live before any rule came from it:
    a guilty plea for evading sanctions on PDVSA made PDVSA ("evade U.S. sanctions on ...",
    "designated ... in January 2019"), Venezuela ("sanctions on Venezuela's state oil company")
    and "Bahamas" targets, and the International Emergency Economic Powers Act an accused."""
    text = (ROOT / "tests" / "data" / "made-up" / "doj-plea-release.txt").read_text("utf-8")
    extraction, _ = run(text, lambda q: focused.TargetRoleAnswer(role="target")  # a model that keeps all
                        if q.response_model is focused.TargetRoleAnswer else scripted(["PDVSA", "Bahamas", "Venezuela"])(q))
    assert extraction.sanctions_targets == []
    assert not cues.sanctions_on(text, "Venezuela") and cues.sanctions_on("The EU renewed sanctions on Venezuela.", "Venezuela")
    assert not cues.sanctioned_here("He evaded sanctions on Acme Corp for years.", "Acme Corp")
    assert cues.sanctioned_here("OFAC imposed sanctions on Acme Corp today.", "Acme Corp")
    assert cues.sanctioned_before(["PDVSA was designated by OFAC in January 2019."])
    assert country_of("Bahamas") == country_of("The Bahamas") == "Bahamas"
    plea = "Alvarez pleaded guilty to conspiracy to violate the International Emergency Economic Powers Act."
    assert cues.actors(plea) == ["Alvarez"]
    # live after those mends, that sentence was "None -> None": who pleads guilty is the accused
    assert cues.accused_in(plea) == "Alvarez" and cues.status(plea) == "convicted"


def test_a_second_german_story() -> None:
    """tests/data/made-up/german-iran-story.txt (AFP-style), written and run live before any rule
    came from it: no target (the model named Pars Aviation Industries and Reza Karimi, but
    "Betroffen sind ... die Firma Pars Aviation Industries und ihr Geschäftsführer Reza Karimi"
    has no sanctions word, so they were taken for background), no accusation from "Die EU wirft
    den Unternehmen vor, ... geliefert zu haben" or "..., die Russland ... beliefert haben
    sollen", and "Das iranische Außenministerium wies die Vorwürfe ... zurück" named no one."""
    text = (ROOT / "tests" / "data" / "made-up" / "german-iran-story.txt").read_text("utf-8")
    named = ["Pars Aviation Industries", "Reza Karimi", "Nasser Kanani", "Iran"]  # as the model named them, and more
    extraction, _ = run(text, lambda q: focused.TargetRoleAnswer(role="target")  # a model that keeps all
                        if q.response_model is focused.TargetRoleAnswer else scripted(named)(q))
    assert [(t.name, t.kind, t.imposed_by) for t in extraction.sanctions_targets] == [
        ("Pars Aviation Industries", "organization", "Europäische Union"), ("Reza Karimi", "person", "Europäische Union")]
    wirft = "Die EU wirft den Unternehmen vor, Bauteile für Drohnen geliefert zu haben."
    assert cues.ACCUSATION_CUE.search(wirft) and cues.attribution(wirft) == "EU"
    assert cues.ACCUSATION_CUE.search("... Manager verhängt, die Russland mit Kampfdrohnen beliefert haben sollen.")
    denial = "Das iranische Außenministerium wies die Vorwürfe als „haltlos“ zurück."
    assert cues.denier(denial) == "iranische Außenministerium"
    # live after those mends, no allegation at all (the model answered no): German accusation words
    # make a sentence report one whatever the model says, as "denied the allegations" does
    assert cues.ACCUSES.search(denial) and cues.ACCUSES.search(wirft) and cues.ACCUSES.search("Ihm wird vorgeworfen, ...")
    extraction, _ = run(text, scripted([]))  # a model that finds no accusation anywhere
    assert ("iranische Außenministerium", "denied") in [(a.against, a.status) for a in extraction.allegations]
    # the lede: who imposes the sanctions accuses whom they are on, never itself (the model's pick)
    extraction, _ = run(text, accusing_where_offered("none", "Europäische Union"))
    pairs = {a.claim[:20]: (a.alleged_by, a.against) for a in extraction.allegations}
    assert pairs["Brüssel (AFP) - Die "] == ("Europäische Union", None), pairs


def test_an_eu_release_in_the_language_of_restrictive_measures() -> None:
    """tests/data/made-up/eu-restrictive-measures.txt, written and run live before any rule came
    from it: the EU's own word for sanctions ("restrictive measures", "Those listed today
    include") was no sanctions word, so no target was found; the speaker of '"...," said the High
    Representative, Kaja Kallas' was "High Representative"; "Furthermore" was an accused; and
    "Iran's foreign ministry condemned the decision as ..." accused no one."""
    text = (ROOT / "tests" / "data" / "made-up" / "eu-restrictive-measures.txt").read_text("utf-8")
    named = ["Hossein Rahimi", "Ali Sadeghi", "Cyber Police", "Arvan Cloud Services", "Iran"]
    extraction, _ = run(text, lambda q: focused.TargetRoleAnswer(role="target")  # a model that keeps all
                        if q.response_model is focused.TargetRoleAnswer else scripted(named)(q))
    assert [(t.name, t.kind) for t in extraction.sanctions_targets] == [
        ("Hossein Rahimi", "person"), ("Ali Sadeghi", "person"), ("Cyber Police", "organization"),
        ("Arvan Cloud Services", "organization")]
    assert {t.imposed_by for t in extraction.sanctions_targets} == {"The Council"}
    assert cues.counts_targets(text.split("\n")[2])  # "impose restrictive measures on an additional 5 individuals"
    extraction, _ = run(text, scripted(["High Representative"]))
    assert extraction.quotes[0].speaker == "Kaja Kallas"
    assert cues.actors("Furthermore, EU citizens are forbidden from making funds available to those listed.") == ["EU"]
    assert cues.condemner("Iran's foreign ministry condemned the decision as \"interference\".") == "Iran's foreign ministry"
    # "travel bans" are no sanctions word: tuning 04's "requested overseas travel bans for them"
    # made a minister and a ministry targets when they were
    assert not cues.SANCTION_CUE.search("The ministry requested overseas travel bans for them.")


def test_a_story_of_sanctions_lifted_keeps_who_stays_sanctioned_out() -> None:
    """tests/data/made-up/lifting-story.txt, written and run live before any rule came from it:
    the airline and its two units taken off the list are targets (as delistings are), but
    "Lukashenko himself and the state potash producer Belaruskali remain under U.S. sanctions"
    made Lukashenko a target too, and "Belavia Leasing" was a person."""
    text = (ROOT / "tests" / "data" / "made-up" / "lifting-story.txt").read_text("utf-8")
    named = ["Belavia", "Belavia Leasing", "Minsk Air Services", "Alexander Lukashenko", "Belaruskali"]
    extraction, _ = run(text, lambda q: focused.TargetRoleAnswer(role="target")  # a model that keeps all
                        if q.response_model is focused.TargetRoleAnswer else scripted(named)(q))
    assert [(t.name, t.kind) for t in extraction.sanctions_targets] == [
        ("Belavia", "organization"), ("Belavia Leasing", "organization"), ("Minsk Air Services", "organization")]
    assert cues.still_listed("Lukashenko himself and the producer Belaruskali remain under U.S. sanctions.", "Lukashenko")
    assert not cues.still_listed("OFAC removed Acme and Beta from the list.", "Acme")


def test_an_airline_release_names_aircraft_and_the_principal_it_served() -> None:
    """tests/data/made-up/aircraft-release.txt, written and run live before any rule came from
    it: the three aircraft (by registration, "EP-FAA") were organisations, the managing director
    "Hamid Rezaei, the airline's managing director" an organisation (", the airline's" read as
    "an airline"), and the IRGC-QF, on whose behalf the airline flew, a target."""
    text = (ROOT / "tests" / "data" / "made-up" / "aircraft-release.txt").read_text("utf-8")
    named = ["Qeshm Fars Air", "Hamid Rezaei", "EP-FAA", "EP-FAB", "EP-FAC", "IRGC-QF"]
    extraction, _ = run(text, lambda q: focused.TargetRoleAnswer(role="target")  # a model that keeps all
                        if q.response_model is focused.TargetRoleAnswer else scripted(named)(q))
    assert [(t.name, t.kind) for t in extraction.sanctions_targets] == [
        ("Qeshm Fars Air", "organization"), ("Hamid Rezaei", "person"),
        ("EP-FAA", "aircraft"), ("EP-FAB", "aircraft"), ("EP-FAC", "aircraft")]
    assert cues.served("It flew arms on behalf of the Islamic Revolutionary Guard Corps-Qods Force (IRGC-QF).", "IRGC-QF")
    assert not cues.served("OFAC also designated the IRGC-QF today.", "IRGC-QF")
    # "aircraft" right before a name makes it one; "its aircraft leasing units, Belavia Leasing" does not
    assert focused._kind("Belavia", "two of its aircraft leasing units, Belavia Leasing and Belavia") == "organization"


def test_a_canadian_release_with_an_honorific_and_an_office() -> None:
    """tests/data/made-up/canada-release.txt, written and run live before any rule came from it:
    the minister was "Honourable Mélanie Joly", "Russia's Commissioner for Children's Rights" (an
    office, in apposition to its holder) was a target, the charity "Children's Future Fund" a
    person, and "Canada will hold those responsible to account" accused its own speaker."""
    from summarizer.grounding.names import resolve_name

    text = (ROOT / "tests" / "data" / "made-up" / "canada-release.txt").read_text("utf-8")
    assert resolve_name(text, "The Honourable Mélanie Joly").value == "Mélanie Joly"  # type: ignore[union-attr]
    assert resolve_name("Hon Hai Precision said so.", "Hon Hai Precision").value == "Hon Hai Precision"  # type: ignore[union-attr]
    named = ["Maria Lvova-Belova", "Children's Future Fund", "Russia's Commissioner for Children's Rights"]
    extraction, _ = run(text, lambda q: focused.TargetRoleAnswer(role="target")  # a model that keeps all
                        if q.response_model is focused.TargetRoleAnswer else scripted(named)(q))
    assert [(t.name, t.kind) for t in extraction.sanctions_targets] == [
        ("Maria Lvova-Belova", "person"), ("Children's Future Fund", "organization")]
    extraction, _ = run(text, accusing_where_offered("Honourable Mélanie Joly", "Honourable Mélanie Joly"))
    pairs = {a.claim[:20]: (a.alleged_by, a.against) for a in extraction.allegations}
    assert pairs['"Canada will hold th'] == ("Joly", None), pairs  # one party named twice is no accusation of itself


def test_a_wire_story_on_a_procurement_network() -> None:
    """tests/data/made-up/houthi-network-story.txt, written and run live before any rule came from
    it: the model named Saeed al-Jamal and "Comoros-flagged vessel SEA FALCON", and both were
    dropped ("al-Jamal" was no name, the description stayed on the vessel's); the Houthis, named
    only in a quotation and where they dismiss the move, were a target; the imposer "Also" ("Also
    designated were ..."); the headline's "accuses Chinese firms of" accused the Houthis, and
    "Gulf Horizon facilitated payments ... for al-Jamal's network ..., according to the Treasury"
    accused "Jamal"."""
    text = (ROOT / "tests" / "data" / "made-up" / "houthi-network-story.txt").read_text("utf-8")
    named = ["Saeed al-Jamal", "Comoros-flagged vessel SEA FALCON", "Houthis", "Gulf Horizon General Trading LLC"]
    extraction, _ = run(text, lambda q: focused.TargetRoleAnswer(role="target")  # a model that keeps all
                        if q.response_model is focused.TargetRoleAnswer else scripted(named)(q))
    assert [(t.name, t.kind, t.imposed_by) for t in extraction.sanctions_targets] == [
        ("Saeed al-Jamal", "person", "The United States"), ("SEA FALCON", "vessel", "The United States"),
        ("Gulf Horizon General Trading LLC", "organization", "The United States")]
    assert cues.reacts("The Houthis, who control much of northern Yemen, dismissed the move.", "Houthis")
    assert focused.issuer("Also designated were Acme LLC and Beta LLC.") is None
    assert cues.unnamed_accused(text.split("\n")[0]) and not cues.unnamed_accused("The U.S. accuses China of lying.")
    facilitated = next(line for line in text.split("\n") if line.startswith("Gulf Horizon facilitated"))
    assert (cues.attribution(facilitated), cues.accused_in(facilitated)) == ("Treasury", "Gulf Horizon")
    assert cues.accused_in("Gulf Horizon facilitated payments for the network.") is None  # credited to no one
    extraction, _ = run(text, accusing_where_offered("Jamal", "Jamal"))
    pairs = {a.claim[:20]: (a.alleged_by, a.against) for a in extraction.allegations}
    assert pairs["Gulf Horizon facilit"] == ("Treasury", "Gulf Horizon"), pairs
    assert pairs["U.S. sanctions Houth"][1] is None, pairs


def test_a_court_story_under_sanctions_laws() -> None:
    """tests/data/made-up/sydney-coal-trial.txt (an Australian court story), written and run live
    before any rule came from it: the lede "A Sydney businessman allegedly tried to sell North
    Korean coal ..., a jury has heard" was "Sydney -> North Korean" (options "Sydney", "North
    Korean", "Indonesia and Vietnam"); "Kevin Lam, 61, has pleaded not guilty to six charges" was
    Lam accusing North Korea; "Outside court, Mr Lam's daughter, Jenny Lam, said ... \"...,\" she
    said" gave the quotation to "Outside"."""
    text = (ROOT / "tests" / "data" / "made-up" / "sydney-coal-trial.txt").read_text("utf-8")
    lede = text.split("\n")[2]
    assert cues.actors(lede, common=text) == ["North Korea", "Indonesia", "Vietnam", "United Nations"]
    assert cues.actors("a Wikileaks conference in Stockholm", common=text) == ["Stockholm"]
    assert cues.unnamed_accused(lede) and cues.by_document(lede) and not cues.by_document("Ms Hall said he knew.")
    plea = "Kevin Lam, 61, has pleaded not guilty to six charges of brokering goods for North Korea."
    assert (cues.accused_in(plea), cues.status(plea)) == ("Kevin Lam", "denied")
    extraction, _ = run(text, accusing_where_offered("North Korea", "North Korea"))
    pairs = {a.claim[:20]: (a.alleged_by, a.against, a.status) for a in extraction.allegations}
    assert pairs["A Sydney businessman"][:2] == (None, None), pairs
    assert pairs["Kevin Lam, 61, has p"] == (None, "Kevin Lam", "denied"), pairs
    spans = numbered_quotations(text)
    assert {q.speaker for q in extraction.quotes if "Dad has lived" in text[slice(*spans[q.ref])]} == {"Jenny Lam"}


def test_a_yonhap_story_that_counts_then_names_its_targets_paragraph_by_paragraph() -> None:
    """tests/data/made-up/yonhap-cyber-story.txt, written and run live before any rule came from
    it: the lede counts "six North Korean individuals and two entities", one paragraph names the
    individuals and the next the entities, which were dropped (no sanctions word there, and only
    the paragraph right after the count was read as naming them); "allegedly dispatched IT
    workers ... under false identities" was a denial ("false"); the ministry's quotations ('...,"
    the ministry said') had no speaker (the model's "South Korean Ministry of Foreign Affairs" is
    not in the article), so "North Korea has been stealing ..." accused no one."""
    text = (ROOT / "tests" / "data" / "made-up" / "yonhap-cyber-story.txt").read_text("utf-8")
    named = ["Ri Kwang-chol", "Kim Song-ho", "Chonsong Trading Corporation", "Korea Paekhwa Technology Company",
             "Kim Chol-min", "Lazarus Group"]
    extraction, _ = run(text, lambda q: focused.TargetRoleAnswer(role="target")  # a model that keeps all
                        if q.response_model is focused.TargetRoleAnswer else scripted(named)(q))
    assert [(t.name, t.kind) for t in extraction.sanctions_targets] == [
        ("Ri Kwang-chol", "person"), ("Kim Song-ho", "person"),
        ("Chonsong Trading Corporation", "organization"), ("Korea Paekhwa Technology Company", "organization")]
    assert cues.counted_named("The two entities are Acme Corp and Beta Corp, which sell arms.") == "The two entities are Acme Corp and Beta Corp"
    assert cues.counted_named("The Council said. Those sanctioned include X.") == "Those sanctioned include X"
    assert cues.counted_named("The Council said.") == ""
    assert cues.status("The firms allegedly dispatched IT workers under false identities.") == "alleged"
    assert cues.status("The ministry called the claims false.") == cues.status("It spread false claims.") == "denied"
    extraction, _ = run(text, scripted([], speaker="South Korean Ministry of Foreign Affairs"))
    assert [q.speaker for q in extraction.quotes[:2]] == ["foreign ministry", "foreign ministry"]
    assert rules.context_speaker('"We will act," the ministry said.', 1, 13) == "the ministry"  # no fuller form before
    extraction, _ = run(text, accusing_where_offered("none", "none"))
    stealing = next(a for a in extraction.allegations if "stealing" in a.claim)
    assert (stealing.alleged_by, stealing.against) == ("foreign ministry", "North Korea")


def test_a_uk_story_of_tankers_and_a_traders_denial() -> None:
    """tests/data/made-up/uk-shadow-fleet-story.txt, written and run live before any rule came from
    it: "Gatik Energy DMCC" a person (a Dubai free-zone company), "the Baltic Rose" a person ("The
    tankers include the Arctic Voyager and the Baltic Rose"), and the company's denial ("A
    spokesperson for Gatik Energy said the company \u201chas always complied with all applicable
    sanctions\u201d") no allegation."""
    text = (ROOT / "tests" / "data" / "made-up" / "uk-shadow-fleet-story.txt").read_text("utf-8")
    extraction, _ = run(text, lambda q: focused.TargetRoleAnswer(role="target")  # a model that keeps all
                        if q.response_model is focused.TargetRoleAnswer else scripted(["Gatik Energy DMCC", "Arctic Voyager", "Baltic Rose"])(q))
    assert [(t.name, t.kind) for t in extraction.sanctions_targets] == [
        ("Gatik Energy DMCC", "organization"), ("Arctic Voyager", "vessel"), ("Baltic Rose", "vessel")]
    denial = next(line for line in text.split("\n") if line.startswith("A spokesperson"))
    assert (cues.attribution(denial), cues.denier(denial), cues.status(denial)) == ("Gatik Energy",) * 2 + ("denied",)

    def no(q: focused.Question) -> Any:  # a model that finds no accusation anywhere
        if issubclass(q.response_model, focused.AccusationAnswer):
            return q.response_model(accusation=False, accuser="none", accused="none")
        return scripted([])(q)

    extraction, _ = run(text, no)
    assert [(a.alleged_by, a.against, a.status) for a in extraction.allegations if a.claim.startswith("A spokesperson")] == [
        (None, "Gatik Energy", "denied")]


def test_an_indictment_story_of_described_defendants() -> None:
    """tests/data/made-up/indictment-wire-story.txt, written and run live before any rule came from
    it: the headline "Two charged with smuggling US chips ..." was "US -> Hong Kong"; "...,
    according to an indictment unsealed in federal court" had the accuser "U.S" (the model's
    pick); '"These defendants put profit ahead of ...," U.S. Attorney Carla Jimenez said' accused
    Russia; "The indictment alleges that the two men ..." was "Wing Chi Lau -> Turkey"; "Sokolov
    was arrested ... and pleaded not guilty" was not asked."""
    text = (ROOT / "tests" / "data" / "made-up" / "indictment-wire-story.txt").read_text("utf-8")
    lines = [line for line in text.split("\n") if line]
    assert cues.passive_unnamed(lines[0]) and not cues.passive_unnamed("Two officials said the talks failed.")
    assert cues.by_document(lines[2]) and cues.by_document(lines[-2]) and not cues.by_document(lines[4])
    plea = next(line for line in lines if line.startswith("Sokolov was arrested"))
    assert cues.ACCUSATION_CUE.search(plea) and (cues.accused_in(plea), cues.status(plea)) == ("Sokolov", "denied")
    extraction, _ = run(text, accusing_where_offered("Turkey", "Turkey"))
    pairs = {a.claim[:20]: (a.alleged_by, a.against) for a in extraction.allegations}
    assert pairs["Two charged with smu"] == (None, None), pairs
    assert pairs["Artem Sokolov, 44, a"][0] is None, pairs  # the indictment names no accuser
    assert pairs["NEW YORK (AP) — Fede"][1] is None, pairs  # "charged two men with"
    assert pairs["\"These defendants pu"] == ("U.S. Attorney Carla Jimenez", None), pairs  # (grounding drops the office)
    assert pairs["The indictment alleg"] == (None, None), pairs
    assert pairs["Sokolov was arrested"] == (None, "Sokolov"), pairs


def test_who_calls_someone_something_speaks_the_quotation() -> None:
    """tests/data/made-up/election-dispute-story.txt, run live before any rule came from it:
    'Baranauskas called Petrauskas \u201ca disgruntled former employee\u201d' was given to Petrauskas,
    the speaker of the quotation before it in the paragraph."""
    text = (ROOT / "tests" / "data" / "made-up" / "election-dispute-story.txt").read_text("utf-8")
    extraction, _ = run(text, scripted([], speaker="Jonas Petrauskas"))
    spans = numbered_quotations(text)
    speakers = {text[slice(*spans[q.ref])]: q.speaker for q in extraction.quotes}
    assert speakers["a disgruntled former employee"] == "Baranauskas" and speakers["a few dozen"] == "Jonas Petrauskas"


def test_an_australian_release_counts_names_and_members() -> None:
    """tests/data/made-up/australia-release.txt, written and run live before any rule came from
    it: "five Iranian individuals and one entity" then "Those sanctioned include X ... The entity
    is the Basij Cooperative Foundation, which funds ...": the entity missed (the model called it
    background); the court whose members are sanctioned ("members of Iran's Revolutionary Courts")
    a target, as a person; no imposer ("The Albanese Government has now imposed ..." was not read)."""
    text = (ROOT / "tests" / "data" / "made-up" / "australia-release.txt").read_text("utf-8")
    named = ["Hossein Rahimi", "Ali Mozaffari", "Basij Cooperative Foundation", "Revolutionary Courts", "Evin Prison"]
    extraction, _ = run(text, scripted(named))  # a model that answers "background" for every role question
    assert [(t.name, t.kind, t.imposed_by) for t in extraction.sanctions_targets] == [
        ("Hossein Rahimi", "person", "The Albanese Government"), ("Ali Mozaffari", "person", "The Albanese Government"),
        ("Basij Cooperative Foundation", "organization", "The Albanese Government")]
    assert cues.counts_targets("sanctions on five Iranian individuals and one entity responsible for abuses")
    assert cues.served("They are members of Iran's Revolutionary Courts.", "Revolutionary Courts")
    assert cues.voiced("Australia continues to call on the Iranian regime to end its repression.")


def test_sanctions_only_proposed_put_none_on_anyone() -> None:
    """tests/data/made-up/threat-story.txt (sanctions weighed, not imposed), written and run live
    before any rule came from it: the minister and the police chief the proposal "would impose
    asset freezes and travel bans on" were targets (the model answered "target")."""
    text = (ROOT / "tests" / "data" / "made-up" / "threat-story.txt").read_text("utf-8")
    extraction, _ = run(text, lambda q: focused.TargetRoleAnswer(role="target")  # a model that keeps all
                        if q.response_model is focused.TargetRoleAnswer else scripted(["Giorgi Beridze", "Zurab Kapanadze"])(q))
    assert extraction.sanctions_targets == []
    assert cues.only_proposed(["The EU is discussing possible sanctions on X.", "X denied it."])
    assert not cues.only_proposed(["The EU imposed sanctions on X.", "Further sanctions could follow."])
    assert not cues.only_proposed(["X was born in Tbilisi."])  # no sanctions named: nothing to judge
    # live after that mend: "The Georgian Dream party, which has governed since 2012, called the EU
    # discussions “blackmail”" was "Georgia -> Georgian Dream" (the model's pick; a news
    # story has no issuer for a condemner to accuse): the owner the condemnation names is accused
    condemned = next(line for line in text.split("\n") if line.startswith("The Georgian Dream party"))
    assert (cues.condemner(condemned), cues.condemned_owner(condemned)) == ("Georgian Dream party", "EU")
    extraction, _ = run(text, accusing_where_offered("Georgia", "Georgian Dream"))
    assert [(a.alleged_by, a.against) for a in extraction.allegations if a.claim.startswith("The Georgian")] == [
        ("Georgian Dream party", "EU")]


def test_a_lawyers_denial_for_his_client() -> None:
    """tests/data/made-up/court-story.txt run live again at the fifth stop: "Reyes's lawyer,
    Thomas Bell, said his client denies the charges" was "Daniel Reyes -> None" (the model's
    pick as the accuser, no accused): the client is the accused, the denial names no accuser."""
    text = (ROOT / "tests" / "data" / "made-up" / "court-story.txt").read_text("utf-8")
    denial = next(line for line in text.split("\n") if line.startswith("Reyes's lawyer")).split(" A lawyer")[0]
    assert cues.denier(denial) == "Reyes" and cues.status(denial) == "denied"
    assert cues.denier("Reyes's lawyer said the case was weak.") is None
    extraction, _ = run(text, accusing_where_offered("Daniel Reyes", "none"))
    [lawyer] = [a for a in extraction.allegations if a.claim.startswith("Reyes's lawyer")]
    assert (lawyer.alleged_by, lawyer.against, lawyer.status) == (None, "Reyes", "denied")


def test_an_irish_story_with_single_quotation_marks() -> None:
    """tests/data/made-up/irish-story.txt (an Irish Times-style story: single quotation marks, an
    Irish minister's double title), written and run live before any rule came from it: no target
    (the company "was listed by the Council of the EU", and only "Under the sanctions, the assets
    of Celtic Circuit Supplies are frozen" has a sanctions word: the name without its "Ltd");
    the minister's quotations given to "Tánaiste and Minister"; the director's ('The company's
    director, Declan Rourke, said ...') given to the minister; the standfirst "Dublin-registered
    company accused of shipping components through Armenia" accusing Armenia."""
    text = (ROOT / "tests" / "data" / "made-up" / "irish-story.txt").read_text("utf-8")
    assert cues.forms("Celtic Circuit Supplies Ltd") == ["Celtic Circuit Supplies Ltd", "Celtic Circuit Supplies"]
    extraction, _ = run(text, lambda q: focused.TargetRoleAnswer(role="target")  # a model that keeps all
                        if q.response_model is focused.TargetRoleAnswer else scripted(["Celtic Circuit Supplies Ltd"], speaker="none")(q))
    assert [(t.name, t.kind, t.imposed_by) for t in extraction.sanctions_targets] == [
        ("Celtic Circuit Supplies Ltd", "organization", "the Council of the EU")]
    spans = numbered_quotations(text)
    speakers = [(text[slice(*spans[q.ref])][:12], q.speaker) for q in extraction.quotes]
    assert speakers == [("Ireland full", "Simon Kerrigan"), ("Any company ", "Simon Kerrigan"),
                        ("never knowin", "Declan Rourke"), ("We have alwa", "Declan Rourke")], speakers
    standfirst = text.split("\n")[2]
    assert cues.passive_unnamed(standfirst) and "Dublin-registered" not in cues.actors(standfirst)
    extraction, _ = run(text, accusing_where_offered("Armenia", "Armenia"))
    assert [(a.alleged_by, a.against) for a in extraction.allegations if a.claim == standfirst] == [(None, None)]


def test_a_release_that_defines_short_forms() -> None:
    """tests/data/made-up/ofac-alias-release.txt, written and run live before any rule came from
    it: the model named "Orlov" (defined as the short form of "Mikhail Yurievich Orlov"), "Orion
    Tech" and "Alatoo Logistics" beside the companies' full names, so "Orlov" was an
    organisation and "Orion Tech" a person; "Kanat Bekov, the director of Alatoo Logistics, was
    designated for being ... a leader" accused his company; "Orion Tech used ..." accused the
    intermediary it used."""
    text = (ROOT / "tests" / "data" / "made-up" / "ofac-alias-release.txt").read_text("utf-8")
    assert cues.defined_as(text, "Orlov") == "Mikhail Yurievich Orlov" and cues.defined_as(text, "SILVER KITE") is None
    assert cues.short_form(text, "Orion Tech Trading LLC") == "Orion Tech"
    plea = (ROOT / "tests" / "data" / "made-up" / "doj-plea-release.txt").read_text("utf-8")
    assert cues.defined_as(plea, "PDVSA") == "Petróleos de Venezuela, S.A"  # across the comma before its legal form
    named = ["Orlov", "Orion Tech Trading LLC", "Alatoo Logistics LLC", "Pacific Crest Machinery Limited", "SILVER KITE",
             "Orion Tech", "Alatoo Logistics", "Kanat Bekov"]
    extraction, _ = run(text, lambda q: focused.TargetRoleAnswer(role="target")  # a model that keeps all
                        if q.response_model is focused.TargetRoleAnswer else scripted(named)(q))
    assert [(t.name, t.kind) for t in extraction.sanctions_targets] == [
        ("Mikhail Yurievich Orlov", "person"), ("Orion Tech Trading LLC", "organization"),
        ("Alatoo Logistics LLC", "organization"), ("Pacific Crest Machinery Limited", "organization"),
        ("SILVER KITE", "vessel"), ("Kanat Bekov", "person")]
    against = {a.claim[:12]: a.against for a in extraction.allegations}
    assert against["Orion Tech u"] == "Orion Tech Trading LLC" and against["Kanat Bekov,"] == "Kanat Bekov", against
    assert cues.conduct("Acme was designated for having materially assisted Beta.")
    assert not cues.conduct("The vessels have been sold to new owners.")
    from summarizer.grounding.names import fullest_form, occurrences

    name = "Pacific Crest Machinery Limited"  # grounding read "Hong Kong-registered" into the name
    assert fullest_form(text, name, occurrences(text, name)) == name


def test_a_story_of_many_speakers_named_every_way() -> None:
    """tests/data/made-up/speakers-story.txt, written and run live before any rule came from it:
    'Latvia's foreign minister, Inese Berzina, wrote on X that Russia was "waging ..."' was given
    to the speaker of the next sentence ('..." Lithuania's Gabriele Vaitkus said ...'), whose
    name kept "Lithuania's"; 'Russia's Foreign Ministry spokeswoman, Maria Vorontsova, rejected
    the accusations. "...," she told a briefing' was given to the ministry, and the denial was
    "Russia's Foreign Ministry -> Maria Vorontsova"."""
    from summarizer.grounding.names import fullest_form, occurrences

    text = (ROOT / "tests" / "data" / "made-up" / "speakers-story.txt").read_text("utf-8")
    extraction, _ = run(text, scripted([], speaker="none"))
    spans = numbered_quotations(text)
    speakers = [(text[slice(*spans[q.ref])][:10], q.speaker) for q in extraction.quotes]
    assert speakers == [("We cannot ", "Kristjan Saar"), ("The patter", "Kristjan Saar"), ("waging a h", "Inese Berzina"),
                        ("go after t", "Gabriele Vaitkus"), ("Every time", "Maria Vorontsova"),
                        ("The anchor", "Ilkka Vainio"), ("ready to a", "Kaja Kallas")], speakers
    assert fullest_form(text, "Gabriele Vaitkus", occurrences(text, "Gabriele Vaitkus")) == "Gabriele Vaitkus"
    denial = next(line for line in text.split("\n") if line.startswith("Russia's Foreign Ministry")).split(" \"")[0]
    assert cues.denier(denial) == "Russia's Foreign Ministry" and cues.speaks_for_denier(denial, "Maria Vorontsova")
    extraction, _ = run(text, accusing_where_offered("Russia's Foreign Ministry", "Maria Vorontsova"))
    assert [(a.alleged_by, a.against, a.status) for a in extraction.allegations if a.claim.startswith("Russia's")] == [
        (None, "Russia's Foreign Ministry", "denied")]
