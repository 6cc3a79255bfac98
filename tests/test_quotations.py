"""The quotation finder and the rules that name a quotation's speaker without a model.

Each case is written by hand for the convention it checks (the journalistic ways of marking and
attributing a quotation); the conventions come from the tuning articles (docs/local-model.md).
"""

from __future__ import annotations

import pytest

from summarizer import cues, rules
from summarizer.grounding.spans import numbered_quotations, quotation_spans


def quoted(text: str) -> list[str]:
    return [text[a:b] for a, b in quotation_spans(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("He said “no deal” today.", ["no deal"]),
        ('He said "no deal" today.', ["no deal"]),
        # one mark straight, the other curly, either way round
        ('"Heads needed to roll,” he said. “It is over," she said.', ["Heads needed to roll,", "It is over,"]),
        ("Er sagte: „Wir handeln.“ Dann ging er.", ["Wir handeln."]),
        ("Il a dit « non » hier.", [" non "]),
        ("Er sagte »Nein« und ging.", ["Nein"]),
        # British single marks, outside a double quotation only; apostrophes never open or close
        ("He called it ‘a crisis of trust’ and left. It’s the guards’ fault.", ["a crisis of trust"]),
        ("“He called it ‘a crisis’ today,” she said.", ["He called it ‘a crisis’ today,"]),
        ("Don't say 'rock', say 'rock music' instead.", ["rock music"]),
    ],
)
def test_quotation_marks_pair_by_what_stands_around_them(text: str, expected: list[str]) -> None:
    assert quoted(text) == expected


def test_a_quotation_over_paragraphs_ends_each_paragraph_when_the_next_opens_with_a_mark() -> None:
    text = ('"Heads needed to roll," he said. "The Bureau must answer. These arrests matter.\n\n'
            '"These guards are not the only ones,” Sasse said.\n')
    assert quoted(text) == ["Heads needed to roll,", "The Bureau must answer. These arrests matter.",
                            "These guards are not the only ones,"]


def test_a_stray_mark_left_open_is_no_quotation() -> None:
    # the next paragraph does not open with a mark: the open one was a stray (a 12" record)
    assert quoted('He sold a 12" record and "a tape.\n\nThe shop closed.\n') == []


def test_a_hard_wrapped_paragraph_keeps_its_quotation_whole() -> None:
    text = "Intro line.\n\nShe said “we will act\nwithin the week” at the summit.\n\nNext.\n"
    assert quoted(text) == ["we will act\nwithin the week"]


# ------------------------------------------------------------------------------ speakers


def speakers(text: str) -> list[str | None]:
    earlier: list[tuple[int, int, str | None]] = []
    for a, b in quotation_spans(text):
        earlier.append((a, b, rules.context_speaker(text, a, b, earlier)))
    return [who for _a, _b, who in earlier]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Moskau bleibt hart. Aber in diesem Fall werden wir handeln, sagte Peskow.\n",
         [("Aber in diesem Fall werden wir handeln", "Peskow")]),
        ("We will not yield to pressure, Foreign Minister Jane Doe said. Talks resume on Monday.\n",
         [("We will not yield to pressure", "Jane Doe")]),
        ("Our patience is over, and officials said so again.\n", []),  # a clause, not an attribution
        # reported speech (third person) is not a quotation; a marked one is found once, by its marks
        ("Russland habe damit nicht begonnen, sagte Peskow.\n", []),
        ("\u201cWe will act now,\u201d said Jane Doe.\n", [("We will act now,", "Jane Doe")]),
    ],
)
def test_direct_speech_without_marks_is_a_quotation(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(q["text"], q["speaker"]) for q in rules.quotes(text)] == expected
    listed = numbered_quotations(text)
    assert [text[a:b] for a, b in listed.values()] == [q for q, _ in expected]


def test_he_said_points_to_the_name_a_sentence_before_opens_with() -> None:
    text = ("Sasse said the charges are overdue.\n\n"
            '"Heads needed to roll," he said. "The Bureau must answer."\n')
    assert speakers(text) == ["Sasse", "Sasse"]


def test_he_said_points_to_the_speaker_of_the_quotation_before() -> None:
    text = ("“This is a diplomatic matter,” said a government official. “It is unfair,” he said.\n"
            "“We are not worried,” Kumar said. “It will pass,” he added.\n")
    # the first "he" refers to the unnamed official: unknown, not a name from further back
    assert speakers(text) == [None, None, "Kumar", "Kumar"]


def test_a_quotation_that_continues_another_in_its_paragraph_has_its_speaker() -> None:
    text = ("“We are aligned on Iran,” Lammy said. “We see a disturbing pattern.”\n"
            "“Another paragraph opens here.”\n")
    assert speakers(text) == ["Lammy", "Lammy", None]


def test_a_few_lower_case_words_may_part_the_name_from_its_verb_after_the_quotation() -> None:
    text = "“The partnership threatens Europe,” the State Department announcement solemnly declared.\n"
    assert speakers(text) == ["State Department"]


def test_she_with_no_name_before_her_is_nobody() -> None:
    text = "But she acknowledged “a couple of other instances” of it. It was late.\n"
    assert speakers(text) == [None]  # "she" with no name before her: nobody is guessed


# ------------------------------------------------------------------------------ actors


def test_actors_keep_a_prefixed_place_apart_from_the_place() -> None:
    assert cues.actors("South Sudan accused Sudan of bombing it.") == ["South Sudan", "Sudan"]
    assert cues.actors("Antony Blinken spoke; Blinken left.") == ["Antony Blinken"]


def test_a_peoples_adjective_is_an_actor_only_with_the_body_it_qualifies() -> None:
    assert cues.actors("Sudanese security services and militia allies killed civilians.") == [
        "Sudanese security services"]
    assert cues.actors("A Sudanese man was detained by Federal prosecutors.") == ["Federal prosecutors"]


def test_particles_belong_to_a_name_only_before_a_capital() -> None:
    assert cues.actors("Ursula von der Leyen met Carlos de la Cruz. Yoon's declaration came later.") == [
        "Ursula von der Leyen", "Carlos de la Cruz", "Yoon"]


@pytest.mark.parametrize(
    ("sentence", "accuser", "accused"),
    [
        ("Federal prosecutors alleged that the guards browsed the Internet.", "Federal prosecutors", None),
        ("The airline moved weapons, according to the Treasury.", "Treasury", None),
        # a quotation opening with a name doing something accuses that name
        ("“Russia is lying,” Lammy said on Monday.", "Lammy", "Russia"),
        ("Lee Jae-myung, the party leader, said the decree was unconstitutional.", "Lee Jae-myung", None),
        ("South Korea accused North Korea of sending balloons.", "South Korea", "North Korea"),
        ("Reeves said that Sudan’s military-dominated government continued its abuses.", "Reeves",
         "Sudan’s military-dominated government"),
        ("Critics blamed Boris Johnson for the delay.", "Critics", "Boris Johnson"),
        ("The opposition-controlled parliament paralyzed the government.", None, None),
        # one list of speech verbs (cues.SPEECH) serves quotations and accusers alike
        ("Lammy added that Iran had lied to inspectors.", "Lammy", "Iran"),
        # one list of opening words (names.OPENERS) for speakers and accusers: not "In March"
        ("In March Treasury officials warned that Moscow was lying.", "Treasury officials", "Moscow"),
        # what is said may follow the verb without "that"; an inverted attribution names no accused
        ("Lee, the party leader, said Yoon’s “unconstitutional” decree caused chaos.", "Lee", "Yoon"),
        ("“These transfers fuel the war,” said Treasury official Jane Doe.", None, None),
        # the accused of "accused ... of" may be written in lower case, but is never a pronoun
        ("In his address, Yoon accused the opposition-controlled parliament of paralyzing the government.",
         "Yoon", "opposition-controlled parliament"),
        ("Critics accused him of lying.", "Critics", None),
        # a body with its qualifier; a place between the accused and "of"
        ("In a statement, the Russian and Syrian defense ministries accused U.S. forces in southern Syria of lying.",
         "Russian and Syrian defense ministries", "U.S. forces"),
        ("Russia and Ukraine accused each other of shelling the plant.", "Russia and Ukraine", None),
        # the subject of a passive inside the sentence is the accused
        ("Clinton blocked the assets of the Sudanese government, which was suspected of sponsoring terrorism.",
         None, "Sudanese government"),
        ("A civil war rages in South Sudan, which Sudan has been suspected of inflaming.", None, "Sudan"),
    ],
)
def test_the_wording_names_the_accuser_and_the_accused_where_it_can(
    sentence: str, accuser: str | None, accused: str | None
) -> None:
    assert cues.attribution(sentence) == accuser
    assert cues.accused_in(sentence) == accused


def test_it_said_points_to_a_body_not_to_a_person() -> None:
    text = ("The Treasury Department imposed sanctions on the ship. Akhilesh Kumar was its captain.\n"
            "“We took action today,” it said in a statement.\n")
    assert speakers(text) == ["Treasury Department"]
    person = "Akhilesh Kumar was its captain.\n“We took action today,” it said in a statement.\n"
    assert speakers(person) == [None]  # "it" is not Akhilesh Kumar; the model is asked


def test_a_quotation_inside_what_someone_is_said_to_say_is_theirs() -> None:
    text = ("Federal prosecutors alleged that the two guards, assigned to the special housing unit at the "
            "center, \"browsed the Internet,\" and slept.\n")
    assert speakers(text) == ["Federal prosecutors"]


def test_a_quotation_after_a_sentence_he_said_is_his_and_an_adverb_is_no_name() -> None:
    text = ("“They did it for the Bureau of Prisons,” Figgins said.\n\n"
            "Sometimes employees don't follow the rules, he said. “But does that mean they go to jail?”\n")
    assert speakers(text) == ["Figgins", "Figgins"]


def test_a_short_description_may_stand_before_the_name_after_the_quotation() -> None:
    text = "“The only way is to resign now,” Seoul resident Margie Kim said after the address.\n"
    assert speakers(text) == ["Margie Kim"]
