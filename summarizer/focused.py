"""Focused questions: how a small model is asked, instead of one whole-article extraction.

A 1.5B model does well on short local questions with constrained answers and badly on long
option lists and whole-article judgement (see the design notes' probes). So the deterministic
layer decides what it can and the model answers only where judgement is needed:

* quotes: every quotation found by its marks is a candidate; where the words beside it do not
  name its speaker (`rules.context_speaker`: "said X", "he said" after X, a quotation that
  continues X's), the model names one from the quotation's paragraph and the one before
  ("none" if not said). A short
  quotation that nobody is said to speak is a scare quote or a nickname, and is left out.
* sanctions targets: one question per paragraph with a sanctions cue ("designated",
  "sanctions", "blocked", "lift", ...): which named entities does it say are sanctioned?
* allegations: one question per sentence with an accusation cue ("accused", "allegedly",
  "claimed", "denied", "false", ...): who accuses whom? The sentence is the evidence (its id)
  and, trimmed, the claim: the article's own words, which is what the eval's content-word
  match rewards and what a reader can check.
* summary: one question over the numbered article: 2 to 3 sentences with support ids.

Each question is an ordinary chat call with its own small response model, through the same
openai + instructor client and transports as a single-call extraction (so record/replay, the
ledger, timeouts and grounding are the same), and the answers are put together into the same
`Extraction` that `grounding.ground.ground` checks. `plan` is a generator that yields `Question`s and
receives their answers (None for a question whose answer was cut off or stayed invalid: one
unanswerable question does not sink the article), so one plan serves the sync and the async
pipeline.
"""

from __future__ import annotations

import os
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Generator
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, Field, create_model

from . import cues, listings, rules
from .grounding.countries import country_of
from .grounding.furniture import is_furniture, only_furniture
from .grounding.names import joined, title_length, too_long, unsupported_words
from .grounding.sentences import content_sentences, numbered_sentences, resolve_sentence, with_sentence_ids
from .grounding.spans import SPEECH, numbered_quotations
from .prompts import question_messages
from .schema import ExtractedAllegation, ExtractedQuote, ExtractedSentence, ExtractedTarget, Extraction

MAX_TARGETS = 30  # an answer's targets (the schema's list holds no more)
NAME_FIELD = 160  # what an answer's name fields hold (schema.ExtractedAllegation)
NAME_CHARS = 80  # a name, or "none"; a bounded plain string (llama.cpp: `char{0,80}`, no nested rules)
SHORT_QUOTE_WORDS = 5  # an unattributed quotation shorter than this is a scare quote or nickname
NONE = "none"  # the option that means "the article does not name them"
T = TypeVar("T")
_NONE = frozenset({"", "none", "null", "unknown", "n/a", "no one", "nobody", "unclear", "not said"})


# --------------------------------------------------------------------------- answers


class SpeakerAnswer(BaseModel):
    """Who speaks one quotation."""

    speaker: str = Field(max_length=NAME_CHARS, description="The speaker's name as the article writes it, or none.")


class TargetsAnswer(BaseModel):
    """The sanctions targets one paragraph names."""

    targets: list[Annotated[str, Field(max_length=NAME_CHARS)]] = Field(
        default_factory=list, max_length=6, description="Names exactly as written; an empty list if none."
    )


class TargetRoleAnswer(BaseModel):
    """What the article says about one candidate target: only "target" keeps it."""

    role: Literal["target", "authority", "background", "other"]


class AccusationAnswer(BaseModel):
    """Whether one sentence reports an accusation, and by whom against whom: each chosen among
    the names around the sentence (`accusation_model` narrows the two fields to them)."""

    accusation: bool
    accuser: str = Field(max_length=NAME_CHARS)
    accused: str = Field(max_length=NAME_CHARS)


@cache
def accusation_model(options: tuple[str, ...]) -> type[AccusationAnswer]:
    """`AccusationAnswer` whose accuser and accused must be one of `options` or "none": the
    grammar holds the model to the choice (one class per option set, built once)."""
    choice: Any = Literal[(*options, NONE)]  # type: ignore[valid-type]
    return create_model("AccusationAnswer", __base__=AccusationAnswer, accuser=(choice, ...), accused=(choice, ...))


class SummaryAnswer(BaseModel):
    """A short summary whose sentences cite the article's sentence ids."""

    summary: list[ExtractedSentence] = Field(max_length=3, json_schema_extra={"minItems": 1})


@dataclass(frozen=True)
class Question:
    """One focused chat call: what to ask and what shape the answer has."""

    response_model: type[BaseModel]
    messages: list[dict[str, str]]
    max_tokens: int


def _name(answer: str | None) -> str | None:
    """The name the model gave, without a description after a comma ("Lee, the Democratic
    Party leader" -> "Lee"; "Gomei Air Services Co., Ltd." keeps its legal form)."""
    value = re.split(r"(?<=[a-z]{3})\.\s", " ".join((answer or "").split()))[0].strip(" .,;:")  # "Syria. Now"
    value = re.sub(r"\s+\([^()]{1,60}\)$", "", value)  # "Northern Lights Logistics Ltd (Kazakhstan)": where, not who
    head, _, rest = value.partition(", ")
    if rest and rest.split()[0][:1].islower():
        value = head
    return None if value.casefold() in _NONE else value


_BULLET = re.compile(r"\s*(?:[•·*▪◦–—-]|\(?(?:\d{1,3}|[a-z])[.)])\s")  # a list item's marker: no headline


def _without_headlines(text: str) -> str:
    """`text` with its headline and furniture lines blanked (same offsets): "Iran Sanctioned for
    Allegedly Sending Missiles" capitalises every word and puts nothing under sanctions by
    itself, and "Read more: EU extends sanctions on ..." links to another story."""
    out: list[str] = []
    for line in text.split("\n"):
        words = re.findall(r"[^\W\d_][\w'’-]*", line)
        headline = len(words) >= 3 and not line.rstrip().endswith((".", ";", ",")) and not _BULLET.match(line) and \
            sum(w[:1].isupper() for w in words) >= 0.7 * len(words)
        out.append(" " * len(line) if headline or is_furniture(line) else line)
    return "\n".join(out)


# --------------------------------------------------------------------------- the article's parts


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Non-empty lines that are not site furniture (the unit a question shows), as (start, end)."""
    out, pos = [], 0
    for line in text.split("\n"):
        if line.strip() and not is_furniture(line):
            out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def article_shown(text: str) -> str:
    """The article as every question shows it: sentence ids before each sentence, the lines of
    site furniture (paywall, menus, sign-in) left out, so that nothing can cite them."""
    marked = with_sentence_ids(text).split("\n")  # markers never add a line
    return "\n".join(m for m, line in zip(marked, text.split("\n"), strict=True) if not is_furniture(line))


def _context(text: str, start: int, paras: list[tuple[int, int]]) -> str:
    """The paragraph holding `start` and the one before it (who speaks is often said there)."""
    i = next((k for k, (a, b) in enumerate(paras) if a <= start <= b), 0)
    first = max(0, i - 1)
    return text[paras[first][0] : paras[i][1]]


_ORGANIZATION_END = re.compile(
    r"\b(?:co|ltd|llc|inc|corp|company|air|airlines|bank|group|network|shipping|logistics|trading|holdings?|industries|"
    r"services|maritime|marine|energy|petroleum|capital|investments?|limited|corporation|gmbh|ag|plc|jsc|pjsc|fze|fzco|"
    r"llp|union|council|commission|kommission|ministry|ministerium|government|regierung|"
    r"s\.a|s\.l|b\.v|n\.v|srl|sarl|spa|ooo|oao|zao|pao|ojsc|cjsc|electronics|components|technology|technologies|"
    r"systems|solutions|equipment|supply|supplies|manufacturing|chemicals|navigation|shipmanagement|tankers|exchange|"
    r"police|unit|forces|corps|guard|directorate|bureau|agency|office|court|leasing|aviation|airways|"
    r"fund|foundation|charity|institute|association|society|dmcc|fzc|fz-llc)\b\.?$"
)


# "The tankers include the Arctic Voyager and the Baltic Rose": a list the sentence says is of vessels
_VESSELS_INCLUDE = re.compile(r"(?:^|[.!?]\s)(?:The|These|Those)[ \t]+(?:[\w-]+[ \t]+)?(?:vessels|ships|tankers)[ \t]+"
                              r"(?:include|includes|included|are|were)[ \t][^.!?]*$")
# ", a state-owned fertiliser producer", ", an airline": what follows a name says it is a body
_AN_ORGANIZATION = re.compile(
    r",[ \t]+(?:a|an|the)[ \t]+(?:[\w-]+[ \t]+){0,3}?(?:company|firm|producer|manufacturer|maker|bank|airline|"
    r"carrier|operator|group|conglomerate|exporter|importer|supplier|refinery|insurer|fund|agency|enterprise)\b(?!['’])"
)  # (not ", the airline's managing director")
# an aircraft's registration ("EP-FAA", "N123AB"), or the words before it
_REGISTRATION = re.compile(r"[A-Z]{1,2}-[A-Z0-9]{3,5}|N\d{1,5}[A-Z]{0,2}")


def _kind(name: str, text: str) -> str:
    """A guess from the words around the name's first few places ("the vessels X and Y", "X, a
    fertiliser producer"); the kind is not what the questions are for."""
    if country_of(name) is not None:
        return "country"
    places: list[int] = []
    at = text.find(name)
    while at >= 0 and len(places) < 5:  # a few places, not every one in a long article
        places.append(at)
        at = text.find(name, at + len(name))
    befores = [text[max(0, a - 40) : a].casefold() for a in places]  # not the whole paragraph's "vessel"
    if _REGISTRATION.fullmatch(name):
        return "aircraft"
    if _ORGANIZATION_END.search(name.casefold()):  # before the words around it: "aircraft operated by Qeshm Fars Air"
        return "organization"
    if any(re.search(r"\b(?:aircraft|planes?|jets?|airliners?)[ \t,:]*$", before) for before in befores):
        return "aircraft"  # "the aircraft EP-FAA", right before it (not "two of its aircraft leasing units, Belavia Leasing")
    if any(re.search(r"\b(vessels?|ships?|tankers?|imo)\b", before) for before in befores) or re.search(r"\d", name) \
            or any(_VESSELS_INCLUDE.search(text, max(0, a - 160), a) for a in places):
        return "vessel"
    if any(_AN_ORGANIZATION.match(text, a + len(name), a + len(name) + 80) for a in places):
        return "organization"
    words = name.split()
    return "person" if 2 <= len(words) <= 4 and all(w[:1].isupper() or _PARTICLE_JOINED.match(w) for w in words) \
        and "," not in name else "organization"


def _scare_quote(text: str, start: int, end: int, paras: list[tuple[int, int]],
                 sentences: dict[str, tuple[int, int]], speaker: str | None) -> bool:
    """A short quotation that nobody is said to speak: a term or a nickname ("so-called 'bandit
    formations'", a 55-kilometer "de-confliction zone"), not speech. Unattributed, it needs a
    speech verb in its paragraph or the one before; attributed by the model, one in its own
    sentence ("telling reporters it had become 'impossible'"), because a small model names
    someone for almost anything."""
    if len(text[start:end].split()) >= SHORT_QUOTE_WORDS:
        return False
    if speaker is None:
        return cues.SPEECH_CUE.search(_context(text, start, paras)) is None
    own = next((text[a:b] for a, b in sentences.values() if a <= start < b), text[start:end])
    return cues.SPEECH_CUE.search(own) is None


# What a model puts before a target's name: "the Comoros-flagged vessel", "state-owned airline"
_DESCRIBED_BEFORE = re.compile(rf"^(?:the[ \t]+)?(?:[\w-]+-{cues.DESCRIBING}[ \t]+)?(?:[a-z][\w-]*[ \t]+){{1,2}}(?=[A-Z])")


def _a_name(name: str) -> bool:
    """A proper name, not a description: "Mahan Air" and "Jahan Destination Travel and Tourism LLC"
    are names; "Iranian shipping network", "firms under his control", "Mahan Air general sales
    agents" and an office ("Russia's Commissioner for Children's Rights") describe (a small
    model lists them as readily as names); nor is a law or an order."""
    words = re.findall(r"[^\W\d_][\w'’.-]*", name)
    if not words or cues.INSTRUMENT.match(name) or any(re.fullmatch(r"[A-Z]{2,}s", w) for w in words):
        return False  # nothing, a law, or a plural ("Mahan Air GSAs", "NGOs") that describes
    if len(words) > 1 and words[0].endswith(("'s", "’s")) and title_length([*words[1:], "X"]):
        return False  # "Russia's Commissioner for Children's Rights": whose office, not who holds it
    return all(w[:1].isupper() or w.casefold().strip(".") in cues.NAME_PARTICLES
               or _PARTICLE_JOINED.match(w) for w in words)  # ("Saeed al-Jamal")


_PARTICLE_JOINED = re.compile(r"(?:al|el|bin|ibn|abu|ben|d)[-'’][A-Z]")


def _naming(text: str, name: str, sentences: dict[str, tuple[int, int]], with_next: bool = True) -> list[str]:
    """The sentences that name `name`, each with the next one ("X is a GSA in Hong Kong. X is
    being designated ..."); the sentences a name spans count together ("Gomei Air Services Co.,
    Ltd." may straddle a split)."""
    spans = list(sentences.values())
    out: list[str] = []
    for m in re.finditer(re.escape(name), text, re.IGNORECASE):
        hit = [i for i, (a, b) in enumerate(spans) if a < m.end() + 1 and b > m.start() - 1]
        if hit and with_next:
            hit.append(hit[-1] + 1)
        around = " ".join(text[spans[i][0] : spans[i][1]] for i in hit if i < len(spans))
        out.append(around or text[m.start() : m.end()])
    return out


def _without_short_forms(targets: list[ExtractedTarget]) -> list[ExtractedTarget]:
    """One target once: "Khedri" beside "Abdolhossein Khedri" is the same person, and "Mahan Air
    GSAs" beside "Mahan Air GSA" the same agents (the paragraphs are asked one by one)."""
    names = {t.name.casefold() for t in targets}

    def short(name: str) -> bool:
        key = name.casefold()
        if key.endswith("s") and key[:-1] in names:
            return True
        return any(other != key and key in (f.casefold() for f in cues.forms(other)) for other in names)  # ("Alatoo
        # Logistics" beside "Alatoo Logistics LLC")

    return [t for t in targets if not short(t.name)]


_SENTENCE_END_BEFORE = re.compile(r"[.!?][ \n]+$")  # (a place's dateline, read around the place alone)
_DATELINE_AFTER = re.compile(r"(?:,[ \t]+[A-Z][\w .]{0,60})?[ \t]*[\u2013\u2014-]+[ \t]")
_AT = re.compile(r"\b(?:in|at|im|am|aus|from|à|en|au|dans)\s+(?:the\s+)?$", re.IGNORECASE)


def _places(text: str, name: str, flags: int = 0) -> list[re.Match[str]]:
    """Where `text` has `name` as whole words (a hyphen joins: "EU-Aussenminister" is not "EU")."""
    return list(re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text, flags))


def _only_a_place(text: str, name: str) -> bool:
    """Every place of `name` is a dateline ("LONDON —", "Luxemburg – Die ...") or follows a
    locative preposition ("am Montag in Luxemburg"): where the story happens, not whom it
    sanctions (a country put under sanctions is named so, and `cues.sanctions_on` decides it)."""
    found = False
    for m in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text):  # read up to the first place that is a party's
        p = m.start()
        dateline = (p == 0 or text[p - 1] == "\n" or _SENTENCE_END_BEFORE.search(text, max(0, p - 40), p)) \
            and _DATELINE_AFTER.match(text, m.end())
        if not dateline and not _AT.search(text, max(0, p - 20), p):
            return False
        found = True
    return found


# what stands between a speech verb after a comma and a name in the speaker's description
# (", sagte der Sprecher von Präsident Wladimir Putin", ", said a spokesman for Vladimir Putin")
_ATTRIBUTION = re.compile(rf",\s+{SPEECH}\b[^.;:!?\n\"“”„«»]{{0,80}}$")


# ... or between a name and a person who speaks ("EU foreign policy chief Kaja Kallas said")
_OFFICE_OF = re.compile(rf"\s+(?:[a-z]+\s+){{0,3}}?{cues.OFFICES}\s+{cues.NAME}(?:,[^,]{{1,80}},)?\s+{SPEECH}\b")


def _only_in_attribution(text: str, name: str) -> bool:
    """Every place of `name` describes who speaks (", said a spokesman for Vladimir Putin", "EU
    foreign policy chief Kaja Kallas said"): a name that only says whose office spoke is no target."""
    places = [m.span() for m in _places(text, name)]
    return bool(places) and all(_ATTRIBUTION.search(text[max(0, a - 120) : a]) or _OFFICE_OF.match(text, b, b + 160)
                                for a, b in places)


def _the_issuer(name: str, issuer: str | None) -> bool:
    """`name` is the release's issuer ("EU" for "The EU")."""
    def bare(n: str) -> str:
        return re.sub(r"^the\s+", "", n.casefold())
    return issuer is not None and bare(name) == bare(issuer)


def _imposes(paragraph: str, name: str) -> bool:
    """Every place of `name` in the paragraph (whole words: "Moskaus" is not "Moskau") is the
    subject of an imposing verb or the owner of the sanctions."""
    places = [m.end() for m in _places(paragraph, name, re.IGNORECASE)]
    return bool(places) and all(cues.IMPOSER.match(paragraph[end:]) for end in places)


# who imposes: the verb first, then its subject read back from it (`cues.read_back`)
_IMPOSING = re.compile(r"\b(?:decided to (?:impose|list|extend|prolong|lift)|designated|designating|designates|sanctioned|"
                       r"sanctioning|imposed|imposes|identified|identifying|"
                       r"lifted|lifts|adopted|adopts|took action|is taking action|announced (?:new )?sanctions|"
                       rf"{cues.REMOVED_FROM_LIST})\b")
_IMPOSER_BEFORE = re.compile(r"(?<![\w.'’&-])((?:the[ \t]+)?[A-Z][\w.'’&-]*(?:[ \t]+(?:[A-Z][\w.'’&-]*|of|for|and|on))*"
                             r"(?:[ \t]+(?:administration|government))?)"  # "The Biden administration on Thursday sanctioned"
                             r"\)?(?:'s|’s)?[ \t]+(?:on[ \t]+(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)[ \t]+)?"
                             r"(?:today\s+|also\s+|has\s+|have\s+|is\s+|now\s+|already\s+|again\s+)*$")


# German puts the participle last ("Die Europäische Union hat am Montag Sanktionen gegen ...
# verhängt"): the subject opens the clause, before its auxiliary; or the verb follows it ("EU
# verhängt Sanktionen gegen ...").
_IMPOSING_DE = re.compile(
    r"(?:^|(?<=[.!?\u2013\u2014-]\s))(?:(?:Der|Die|Das)[ \t]+)?([A-ZÄÖÜ][\w’'-]*(?:[ \t]+[A-ZÄÖÜ][\w’'-]*){0,4})"  # a short subject
    r"[ \t]+(?:(?:hat|haben|hatte|hatten)[ \t]+[^.;!?]{0,200}?"
    r"[ \t](?:verhängt|beschlossen|verlängert|erlassen|aufgehoben)|(?:verhängt|verhängte|verhängen|beschließt|beschloss|"
    r"verlängert|verlängerte)[ \t]+(?:[a-zäöüß]+[ \t]+){0,2}?Sanktion)",
    re.MULTILINE,
)
_WHEN = re.compile(r"\s+on\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)$")  # "Treasury on Wednesday"


def issuer(text: str) -> str | None:
    """Who speaks in the article's own voice when it sanctions: the most frequent subject of an
    imposing verb ("OFAC today designated", "The Council adopted"), or None (a news story's own
    voice is its reporter's, whom the text rarely names)."""
    found = [*(cues.read_back(_IMPOSER_BEFORE, text, v.start()) for v in _IMPOSING.finditer(text)),
             *_IMPOSING_DE.finditer(text)]
    subjects = Counter(
        _WHEN.sub("", " ".join(m.group(1).split())) for m in found
        if m and m.group(1).split()[-1].casefold() not in {"he", "she", "it", "they", "we", "this", "that", "these", "the"}
        and cues.trimmed(m.group(1)) and not too_long(m.group(1))  # not "Also designated were ..."
    )
    return subjects.most_common(1)[0][0] if subjects else None


# --------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class _Reading:
    """One article (or chunk) as the questions see it, its parts worked out once."""

    text: str
    ask: Callable[..., Question]  # (template, response model, max tokens, excerpt, **values)
    paras: list[tuple[int, int]]
    sentences: dict[str, tuple[int, int]]
    body: str  # the text with its headline lines blanked
    own_voice: str | None  # who imposes in the article's own words (`issuer`)


def _reading(text: str, ask: Callable[..., Question]) -> _Reading:
    return _Reading(text, ask, paragraphs(text), numbered_sentences(text), _without_headlines(text), issuer(text))


Asking = Generator[Question, Any, T]  # yields questions, receives answers, returns T


def plan(text: str, prompts_dir: str | os.PathLike[str] | None = None) -> Asking[Extraction]:
    """Ask the focused questions about `text` (an article or a chunk) and build the answer;
    the questions are the `focused_*` templates of `prompts_dir` (default: ours). Every question
    opens with the same instructions and numbered article (one prefix, evaluated once)."""
    article = article_shown(text)

    def ask(template: str, model: type[BaseModel], max_tokens: int, excerpt: str = "", **values: str) -> Question:
        return Question(model, question_messages(article, excerpt, template, prompts_dir, **values), max_tokens)

    r = _reading(text, ask)
    quotes, said = yield from _quotes(r)
    targets = yield from _targets(r)
    allegations = yield from _allegations(r, [t.name for t in targets], said)
    answer = yield ask("focused_summary", SummaryAnswer, 400)
    summary = list(answer.summary) if answer else []
    if not any(_supported(s, text, r.sentences) for s in summary):
        # Nothing the model wrote would survive grounding: the lede stands in (each sentence its
        # own support), after the model's sentences so that their drops are still reported.
        summary += [ExtractedSentence.model_validate(s) for s in rules.summary(text)]
    return Extraction.model_construct(
        summary=summary, allegations=allegations[:20], sanctions_targets=targets[:MAX_TARGETS], quotes=quotes[:40]
    )


def _spoken_of(sentence: str) -> bool:
    """The sentence is a quotation without a sanctions word ("“The Houthis continue to rely on a
    web of facilitators ...,” Ortiz said"): what a speaker says of a name puts no sanctions on it."""
    return sentence.lstrip()[:1] in "\"“‘„«" and not cues.SANCTION_CUE.search(sentence)


def _imposer(r: _Reading, name: str, own: list[str]) -> str | None:
    """Who puts `name` under sanctions: the subject of an imposing verb in its own sentences
    ("The Treasury on Tuesday sanctioned Iran Air"), else who does in the whole article (a
    release's issuer, "OFAC"); never the name itself."""
    found = next((owner for sentence in own if (owner := _owner(sentence, name) or _imposed_by(sentence))), None) \
        or issuer(" ".join(dict.fromkeys(own))) or r.own_voice
    return None if found is None or found.casefold() == name.casefold() else found


# "X ... was listed by the Council of the EU on Tuesday": the passive's agent imposes
_LISTED_BY = re.compile(r"\b(?:was|were|been|being|is|are)[ \t]+(?:listed|designated|sanctioned|blacklisted|added)[ \t]+"
                        r"(?:[^.;]{0,40}?[ \t])?by[ \t]+((?:the[ \t]+)?[A-Z][\w.'’&-]*(?:[ \t]+(?:[A-Z][\w.'’&-]*|of|the|for)){0,6})")


def _imposed_by(sentence: str) -> str | None:
    """The agent of a passive of sanctioning in the sentence ("was listed by the Council of the
    EU"), or None."""
    m = _LISTED_BY.search(sentence)
    if m is None:
        return None
    words = m.group(1).split()
    while words and words[-1] in ("of", "the", "for"):
        words.pop()
    return " ".join(words) or None


def _owner(sentence: str, name: str) -> str | None:
    """The name before `name` in the sentence whose sanctions they are ("Moskau will seine
    Strafmaßnahmen gegen die Europäische Union ebenfalls aufrechterhalten"): counter-sanctions
    are imposed by the other side, not by the article's issuer."""
    at = sentence.find(name)
    for m in re.finditer(cues.NAME, sentence[: max(at, 0)]):
        who = cues.trimmed(m.group(0))
        after = sentence[m.end() :]
        if who and who != name and re.match(rf"\s*(?:[\w-]+\s+){{0,2}}{cues.POSSESSIVES}\s", after) \
                and cues.IMPOSER.match(after):
            return who
    return None


def targets_by_wording(text: str) -> list[ExtractedTarget]:
    """The sanctions targets the wording alone settles ("X is being designated", "sanctions on
    Y", a list under "The following ... are designated:"), no question answered, and none that
    the wording leaves open: the targets of the rules baseline, which has no model to ask."""

    def ask(template: str, model: type[BaseModel], max_tokens: int, excerpt: str = "", **values: str) -> Question:
        return Question(model, [], max_tokens)  # never sent

    steps = _targets(_reading(text, ask))
    try:
        q = next(steps)
        while True:  # a paragraph's question has no answer; a candidate's role is not "target"
            q = steps.send(TargetRoleAnswer(role="other") if q.response_model is TargetRoleAnswer else None)
    except StopIteration as done:
        return list(done.value)[:MAX_TARGETS]


def _quotes(r: _Reading) -> Asking[tuple[list[ExtractedQuote], list[tuple[int, int, str | None]]]]:
    """The quotations that are speech, with their speakers; and every quotation's (start, end,
    speaker), which "he said" in a later sentence may point to."""
    text = r.text
    quotes: list[ExtractedQuote] = []
    earlier: list[tuple[int, int, str | None]] = []
    for ref, (start, end) in numbered_quotations(text).items():
        if only_furniture(text, start, end):
            continue
        speaker = rules.context_speaker(text, start, end, earlier)
        if speaker is None:
            quotation = " ".join(text[start:end].split())[:300]
            answer = yield r.ask("focused_speaker", SpeakerAnswer, 100, _context(text, start, r.paras), quotation=quotation)
            speaker = _name(answer.speaker) if answer else None
        earlier.append((start, end, speaker))
        if _scare_quote(text, start, end, r.paras, r.sentences, speaker):
            continue  # a scare quote or a nickname, not speech
        quotes.append(ExtractedQuote(ref=ref, speaker=speaker))
    return quotes, earlier


def _targets(r: _Reading) -> Asking[list[ExtractedTarget]]:
    """Candidates from each sanctions paragraph's question and from the wording, filtered by
    code, then kept when the wording settles it or the role question says "target"."""
    text, body, sentences = r.text, r.body, r.sentences
    candidates: list[ExtractedTarget] = []
    seen: set[str] = set()
    found = [n for n in cues.named_under_sanctions(body) if _a_name(n) and not n.endswith("-")
             and (" " in n or country_of(n) is not None)]  # "Russland", "Europäische Union"; not "Captain"
    lists = listings.listings(body)  # under "The following companies are being designated:"
    in_lists = listings.listed(body, lists)
    found += [n for n in in_lists if n not in found]
    listed = {n.casefold() for n in in_lists}
    kinds = {n.casefold(): kind for listing in lists if (kind := listings.kind_of(body, listing)) for n in listing.names}
    counted = False  # the paragraph before counted whom it sanctions without naming them
    settled: set[str] = set()  # named where a paragraph names the counted ones ("The entity is X")
    for start, end in [*r.paras, (0, 0)]:
        paragraph = text[start:end]
        if (start, end) == (0, 0):
            answers = found  # the names the wording itself puts under sanctions, last
        elif cues.SANCTION_CUE.search(paragraph) or counted:
            # ("... sanctioned three Chinese companies and a Hong Kong-based trader." and then
            # "The Treasury Department said Shenzhen Skyline Electronics, ... had shipped ...")
            answer = yield r.ask("focused_targets", TargetsAnswer, 240, paragraph)
            answers = list(answer.targets) if answer else []
        else:
            continue
        opening = cues.counted_named(paragraph) if counted else ""  # "The individuals include ..."
        follows_count, counted = counted, (start, end) != (0, 0) and (cues.counts_targets(paragraph) or bool(opening))
        for raw in answers:
            name = _name(raw)
            if name:
                name = " ".join(name.split()[title_length(name.split()) :])  # "Präsident Wladimir Putin"
                name = _DESCRIBED_BEFORE.sub("", name)  # "Comoros-flagged vessel SEA FALCON"
                name = cues.defined_as(body, name) or name  # "Orlov" of "Mikhail Yurievich Orlov (Orlov)"
                if name in opening:  # the counted targets, named in so many words ("The entity is X")
                    settled.add(name.casefold())
            if not name or name.casefold() in seen or _the_issuer(name, r.own_voice) \
                    or _imposes(paragraph if _places(paragraph, name) else body, name):
                continue  # nothing, a repeat, or who imposes the sanctions (the release's issuer too;
                # read where the article names it when the model took it from another paragraph)
            if _only_a_place(text, name) or _only_in_attribution(body, name):
                continue  # "Luxemburg – Die ...", "am Montag in Luxemburg": where, not who; whose spokesman
            if name.casefold() not in body.casefold():
                continue  # only in a heading ("MAHAN AIR GENERAL SALES AGENTS")
            around = [a for form in cues.forms(name) for a in _naming(text, form, sentences)]
            if cues.AUTHORITIES.match(name) or not _a_name(name) or not (
                    name.casefold() in listed or any(cues.SANCTION_CUE.search(a) for a in around)
                    or follows_count and name in paragraph):
                continue  # an authority, a description, a law, or a name from the background
            if country_of(name) and not cues.sanctions_on(body, name):
                continue  # a country named around sanctions, not put under them
            own = [a for form in cues.forms(name) for a in _naming(text, form, sentences, with_next=False)]
            if own and all(cues.ruled_out(a) for a in own):
                continue  # the article says it was not sanctioned
            if name.casefold() not in listed and (cues.sanctioned_before(own) or cues.only_proposed(own)):
                continue  # sanctioned before, named as context ("added to the Entity List in 2021"), or
                # only proposed ("The proposal ... would impose asset freezes ... on ..., including X")
            if name.casefold() not in listed and not cues.sanctioned_here(body, name) and own and (
                    any(cues.still_listed(a, name) for a in own)
                    or all(cues.reacts(a, name) or cues.harmed(a, name) or cues.served(a, name) or _spoken_of(a) for a in own)):
                continue  # "remains on the SDN List"; only answers them ("Der Kreml wies die Vorwürfe zurück"),
                # is whom they answer for ("over the death of activist Pavel Sorokin"), or is only spoken of
            seen.add(name.casefold())
            candidates.append(ExtractedTarget(name=name, kind=kinds.get(name.casefold()) or _kind(name, text),  # type: ignore[arg-type]
                                              imposed_by=_imposer(r, name, own)))

    targets: list[ExtractedTarget] = []
    for target in _without_short_forms(candidates):
        if target.name.casefold() in listed or target.name.casefold() in settled or cues.sanctioned_here(body, target.name):
            targets.append(target)  # the wording says so: "X is being designated", "sanctions on X"
            continue
        excerpt = " ".join(dict.fromkeys(_naming(text, target.name, sentences, with_next=False)))[:600]
        role = yield r.ask("focused_target_role", TargetRoleAnswer, 30, excerpt, name=target.name)
        if role is None or role.role == "target":
            targets.append(target)
    return targets


_LONGEST = 2000  # characters of a sentence read for an accusation (a claim keeps 400)


def _quoted_by(said: list[tuple[int, int, str | None]], start: int, end: int) -> str | None:
    """The speaker of a quotation that opens the sentence ("\"Iran continues to ...,\" said Jane
    Rivers"): the sentence's accuser, whoever the article is by."""
    i = bisect_left(said, start, key=lambda q: q[0])
    for j in (i - 1, i):  # the quotation's mark may stand just before the sentence's start
        if 0 <= j < len(said) and start - 2 <= said[j][0] <= start + 2 and said[j][1] < end:
            return said[j][2]
    return None


def _allegations(r: _Reading, kept: list[str], said: list[tuple[int, int, str | None]]) -> Asking[list[ExtractedAllegation]]:
    """One allegation per sentence that reports one: decided by the wording where it can (a
    release's grounds, a passive, "X said"), else asked with the sentence's names as options.
    `kept`: the targets; `said`: the quotations with their speakers."""
    text, own_voice = r.text, r.own_voice
    # A release speaks in its issuer's voice from its lede on ("Today, OFAC designated ..."); a
    # news story names who imposed sanctions, and its unattributed sentences are the reporter's.
    lede = next((text[a:b] for a, b in r.paras  # the first paragraph that ends as a sentence: no headline
                 if len(text[a:b].split()) >= 12 and text[a:b].rstrip().endswith((".", "!", "?", "\u201d", '"'))), "")
    # (a wire story's lede may open with the imposer too: "LONDON (Reuters) - Britain imposed ...")
    release = own_voice is not None and issuer(lede) == own_voice and not cues.WIRE_CREDIT.match(lede)
    allegations: list[ExtractedAllegation] = []
    aliases = {short: name for name in kept if (short := cues.short_form(text, name))}  # "Orion Tech" of "... LLC (Orion Tech)"
    spans = list(content_sentences(text).items())
    lists = listings.listings(text)
    items = [line for listing in lists for line in listing.lines]
    for k, (ref, (start, end)) in enumerate(spans):
        sentence = text[start:end]
        if not 40 <= len(sentence) <= _LONGEST or any(a <= start < b for a, b in items) or cues.DISCLAIMER.search(sentence):
            continue  # too short to report an accusation; no sentence (a menu, a table); a list item; boilerplate
        flat = " ".join(sentence.split())
        said_by = cues.attribution(flat) or (rules.antecedent(text, start, said) if cues.said_by_pronoun(flat) else None)
        if said_by and (said_by.casefold() == (cues.denier(flat) or "").casefold() or cues.speaks_for_denier(flat, said_by)):
            said_by = None  # "Belarus has denied ...": it speaks, as the accused; the accuser is asked
        quoted = _quoted_by(said, start, end)  # the speaker of a quotation that opens the sentence
        accused: str | None = None
        condemned = False
        # "The following companies are being designated ... for transporting ...:" accuses what it
        # lists (unnamed when the list is longer than a name field holds)
        lead_in = next((listing for listing in lists if start <= listing.colon < end), None) \
            if release and not said_by and (cues.conduct(flat) or cues.ACCUSATION_CUE.search(sentence)) else None
        if lead_in is not None:
            listed = joined(lead_in.names)
            accused = listed if len(listed) <= NAME_FIELD else None
        elif release and not said_by and cues.conduct(flat):
            # the target it names, or the name it opens with ("Mahan Air has transported ...")
            opens = next(iter(cues.actors(flat, 1)), None)
            subject = opens if opens and flat.removeprefix("The ").startswith(opens) and not cues.title_case(flat) \
                and not _only_a_place(text, opens) else None  # not the dateline: "WASHINGTON — Today, OFAC ..."
            named_first = cues.first_named(flat, [*kept, *aliases])
            accused = aliases.get(named_first, named_first) if named_first else (
                None if _the_issuer(subject or "", own_voice) else subject)
        if accused or lead_in is not None:
            accuser = own_voice  # a release's grounds for a designation: its issuer accuses the target
        elif (condemner := cues.condemner(flat)) and (owner := cues.condemned_owner(flat) or own_voice):
            accuser, accused = condemner, owner  # "Iran condemned the measures": the imposer's accuser
            condemned = True  # (what it says of the measures is its own allegation, "rejected" or not)
        elif not cues.ACCUSATION_CUE.search(sentence):
            continue
        elif passive := cues.passive_accused(flat):
            accused, accuser = passive[0], passive[1] or own_voice
        elif quoted and (actor := cues.quoted_actor(flat)):
            accuser, accused = quoted, actor  # '"The Iranian regime uses ... to supply ...," said X', in so many words
        elif cues.title_case(flat):
            continue  # a headline's capitals name no one: its names are not options
        else:
            before = text[spans[k - 1][1][0] : spans[k - 1][1][1]] if k else ""
            named = [*cues.actors(flat, common=text), *cues.actors(before, common=text)]
            options = tuple(dict.fromkeys([*named[:4], *([own_voice] if own_voice else []), *named[4:]]))[:5]
            answer = yield r.ask(  # the sentence is in the question and its context in the article
                "focused_accusation", accusation_model(options), 60, sentence=flat, options=", ".join([*options, NONE]),
            )
            if not answer or not (answer.accusation or cues.ACCUSES.search(flat) or cues.denier(flat)):
                continue
            # The wording decides where it can: "according to X", "X said" name the accuser, a
            # release's unattributed sentence is its issuer's, and a news story's narration (no
            # one says or accuses) its reporter's, unnamed; "accused X of" names the accused.
            if said_by or release:
                accuser = said_by or quoted or own_voice
            elif cues.by_document(flat):
                accuser = None  # "according to the indictment": the document, which names no one
            elif quoted:
                accuser = quoted  # '"Iran continues to ...," said Jane Rivers': the speaker accuses
            else:
                voiced = cues.voiced(flat) and not cues.passive_unnamed(flat) and not cues.pleads(flat)  # "were
                # charged", "has pleaded not guilty to six charges": by whom, unsaid
                accuser = (_name(answer.accuser) or own_voice) if voiced else None
            worded = cues.accused_in(flat)
            accused = worded or (None if cues.unnamed_accused(flat) else _name(answer.accused))
            if accused and not worded and cues.harmed(flat, accused):
                accused = None  # "... responsible for the death of activist Pavel Sorokin": the one harmed
            if accused and not worded and accused == own_voice and own_voice not in named:
                accused = None  # the issuer, offered as an accuser: the accused is named where it is accused
            if own_voice and issuer(flat) == own_voice and accused == own_voice:
                # "Die Europäische Union hat ... Sanktionen gegen vier iranische Unternehmen ... verhängt,
                # die Russland ... beliefert haben sollen": who imposes accuses whom it sanctions
                accuser, accused = own_voice, None
            if accused and accused.casefold() == (cues.advised(flat) or "").casefold():
                accused = None  # "said the EU should also look at ...": told what to do, not accused
            if accused and accuser and cues.same_party(accused, accuser):
                # one name for both is an echo of the model's: the wording's pick stands
                # ("Belarus has denied ...", the model naming Belarus its accuser too)
                accuser, accused = (None, accused) if worded and not said_by and not release else (accuser, None)
            elif accuser == own_voice and not said_by and worded and worded == cues.denier(flat) and own_voice not in named:
                accuser = None  # "X has rejected allegations of ...": the issuer is no accuser the sentences name
        allegations.append(
            ExtractedAllegation(
                claim=flat[:400], alleged_by=accuser, against=accused,
                status="alleged" if condemned else cues.status(flat), hedge=cues.hedge(flat), evidence=ref,  # type: ignore[arg-type]
            )
        )
    return allegations


def _supported(sentence: ExtractedSentence, text: str, sentences: dict[str, tuple[int, int]]) -> bool:
    cited = any(resolve_sentence(ref, sentences) for ref in sentence.support)
    return cited and bool(sentence.text.strip()) and not unsupported_words(sentence.text, text)
