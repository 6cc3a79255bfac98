"""Focused questions: how a small model is asked, instead of one whole-article extraction.

A 1.5B model does well on short local questions with constrained answers and badly on long
option lists and whole-article judgement (see the design notes' probes). So the deterministic
layer decides what it can and the model answers only where judgement is needed:

* quotes: every quotation found by its marks is a candidate; for each, the model names the
  speaker from the quotation's paragraph and the one before ("none" if not said). A short
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
from collections.abc import Generator
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, Field

from . import rules
from .grounding.names import unsupported_words
from .grounding.sentences import numbered_sentences, resolve_sentence, with_sentence_ids
from .grounding.spans import numbered_quotations
from .prompts import question_messages
from .schema import ExtractedAllegation, ExtractedQuote, ExtractedSentence, ExtractedTarget, Extraction

NAME_CHARS = 80  # a name, or "none"; a bounded plain string (llama.cpp: `char{0,80}`, no nested rules)
SHORT_QUOTE_WORDS = 5  # an unattributed quotation shorter than this is a scare quote or nickname

_SANCTION_CUE = re.compile(
    r"sanction|designat|blocked|blacklist|asset freeze|frozen|embargo|\bOFAC\b|identified as|"
    r"\blift|Sanktion|Strafmaßnahm|gesperrt",
    re.IGNORECASE,
)
_ACCUSATION_CUE = re.compile(
    r"\b(accus\w*|alleg\w*|claim\w*|den(?:y|ies|ied)|reject\w*|charg\w*|suspect\w*|blam\w*|"
    r"false|lie[sd]?|lying|violat\w*|condemn\w*|insurrection|treason|fraud\w*|smuggl\w*|"
    r"support(?:ed|ing)? terror\w*|vorgeworfen|Vorwurf|Vorwürfe|beschuldig\w*|mutmaßlich\w*|angeblich\w*)\b",
    re.IGNORECASE,
)
_HEDGE = re.compile(
    r"\b(allegedly|alleged|alleges|allegation|accused|accuses|claimed|claims|suspected|reportedly|"
    r"denied|denies|rejected|charged|mutmaßlich|angeblich)\b",
    re.IGNORECASE,
)
_SPEECH_CUE = re.compile(
    r"\b(said|says|say|told|tells|added|stated|wrote|writes|(?<!so-)called|calls|described|describes|declared|"
    r"warned|insisted|argued|asserted|replied|announced|according|noted|telling|urg\w*|reaffirm\w*|"
    r"describ\w*|dubb\w*|sagte|erklärte|betonte)\b",
    re.IGNORECASE,
)
# "Treasury designated X", "the EU imposed sanctions": the subject imposes, it is not a target.
_IMPOSER = re.compile(r"^\s*(?:(?:is|has|have|had|was|were|today|also|now|again|will|would)\s+)*"
                      r"(?:designat|sanction|impos|announc|identif|lift|extend|block|target|took|take)", re.IGNORECASE)
# Lower-case words that belong inside proper names ("Travel and Tourism LLC", "Bank of Iran",
# "Osama bin Laden", "Ursula von der Leyen"); any other lower-case word makes a description.
_NAME_PARTICLES = frozenset(
    "and of the for de del della di da do dos du la le les van von der den des al el bin ibn bint "
    "abu y e et und für zu & ltd co inc llc plc".split()
)
# Laws and orders are what sanctions are imposed under, never a target.
_INSTRUMENT = re.compile(r"^(?:(?:Executive Order|Section|Resolution|Regulation|Council Regulation|Act)\b|E\.\s?O\.)")
# The agencies that administer sanctions impose them; they are not what an article reports as
# sanctioned (a country or a bloc can be both, so those are left to the model and the text).
_AUTHORITIES = re.compile(
    r"^(?:the\s+)?(?:OFAC|Office of Foreign Assets Control|(?:U\.?S\.?\s+)?(?:Department of (?:the )?Treasury|"
    r"Treasury(?: Department)?|State Department|Department of State|Commerce Department|Department of Commerce)|"
    r"BIS|Bureau of Industry and Security|OFSI|HM Treasury)$",
    re.IGNORECASE,
)
_NONE = frozenset({"", "none", "null", "unknown", "n/a", "no one", "nobody", "unclear", "not said"})


# --------------------------------------------------------------------------- answers


class SpeakerAnswer(BaseModel):
    """Who speaks one quotation."""

    speaker: str = Field(max_length=NAME_CHARS, description="The speaker's name as the excerpt writes it, or none.")


class TargetsAnswer(BaseModel):
    """The sanctions targets one paragraph names."""

    targets: list[Annotated[str, Field(max_length=NAME_CHARS)]] = Field(
        default_factory=list, max_length=6, description="Names exactly as written; an empty list if none."
    )


class AccusationAnswer(BaseModel):
    """Whether one sentence reports an accusation, and by whom against whom."""

    accusation: bool
    accuser: str = Field(max_length=NAME_CHARS, description="Who accuses, as written, or none.")
    accused: str = Field(max_length=NAME_CHARS, description="Who is accused, as written, or none.")


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
    value = " ".join((answer or "").split()).strip(" .,;:")
    return None if value.casefold() in _NONE else value


# --------------------------------------------------------------------------- the article's parts


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Non-empty lines (the unit a question shows), as (start, end)."""
    out, pos = [], 0
    for line in text.split("\n"):
        if line.strip():
            out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def _context(text: str, start: int, paras: list[tuple[int, int]]) -> str:
    """The paragraph holding `start` and the one before it (who speaks is often said there)."""
    i = next((k for k, (a, b) in enumerate(paras) if a <= start <= b), 0)
    first = max(0, i - 1)
    return text[paras[first][0] : paras[i][1]]


def _kind(name: str, paragraph: str) -> str:
    """A guess from the text around the name; the kind is not what the questions are for."""
    around = paragraph[max(0, paragraph.find(name) - 40) : paragraph.find(name)].casefold()
    if re.search(r"\b(vessel|ship|tanker|imo)\b", around) or re.search(r"\d", name):
        return "vessel"
    if re.search(r"\b(co|ltd|llc|inc|corp|company|air|airlines|bank|group|network)\b\.?$", name.casefold()):
        return "organization"
    words = name.split()
    return "person" if 2 <= len(words) <= 4 and all(w[:1].isupper() for w in words) and "," not in name else "organization"


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
        return _SPEECH_CUE.search(_context(text, start, paras)) is None
    own = next((text[a:b] for a, b in sentences.values() if a <= start < b), text[start:end])
    return _SPEECH_CUE.search(own) is None


def _a_name(name: str) -> bool:
    """A proper name, not a description: "Mahan Air" and "Jahan Destination Travel and Tourism LLC"
    are names; "Iranian shipping network", "firms under his control" and "Mahan Air general sales
    agents" describe (a small model lists them as readily as names); nor is a law or an order."""
    words = re.findall(r"[^\W\d_][\w'’.-]*", name)
    if not words or _INSTRUMENT.match(name):
        return False
    return all(w[:1].isupper() or w.casefold().strip(".") in _NAME_PARTICLES for w in words)


def _sanctioned_in_a_sentence(text: str, name: str, sentences: dict[str, tuple[int, int]]) -> bool:
    """Some sentence that names `name` also speaks of sanctions: a paragraph about sanctions also
    names places, officials and history that are not targets. (The sentences a name spans count
    together: "Gomei Air Services Co., Ltd." may straddle a split.)"""
    spans = list(sentences.values())
    for m in re.finditer(re.escape(name), text, re.IGNORECASE):
        hit = [i for i, (a, b) in enumerate(spans) if a < m.end() + 1 and b > m.start() - 1]
        if hit:  # its sentences and the next: "X is a GSA in Hong Kong. X is being designated ..."
            hit.append(hit[-1] + 1)
        around = " ".join(text[spans[i][0] : spans[i][1]] for i in hit if i < len(spans))
        if _SANCTION_CUE.search(around or text[m.start() : m.end()]):
            return True
    return False


def _without_short_forms(targets: list[ExtractedTarget]) -> list[ExtractedTarget]:
    """One target once: "Khedri" beside "Abdolhossein Khedri" is the same person, and "Mahan Air
    GSAs" beside "Mahan Air GSA" the same agents (the paragraphs are asked one by one)."""
    names = {t.name.casefold() for t in targets}

    def short(name: str) -> bool:
        key = name.casefold()
        if key.endswith("s") and key[:-1] in names:
            return True
        return " " not in key and any(other.endswith(" " + key) for other in names)

    return [t for t in targets if not short(t.name)]


def _imposes(paragraph: str, name: str) -> bool:
    """Every place of `name` in the paragraph is the subject of an imposing verb."""
    places = [m.end() for m in re.finditer(re.escape(name), paragraph, re.IGNORECASE)]
    return bool(places) and all(_IMPOSER.match(paragraph[end:]) for end in places)


def _status(sentence: str) -> str:
    low = sentence.casefold()
    for cue, status in (("convict", "convicted"), ("charg", "charged"), ("den", "denied"), ("reject", "denied"),
                        ("false", "denied"), ("claim", "claimed")):
        if cue in low:
            return status
    return "alleged"


# --------------------------------------------------------------------------- the plan


def plan(text: str, prompts_dir: str | os.PathLike[str] | None = None) -> Generator[Question, Any, Extraction]:
    """Ask the focused questions about `text` (an article or a chunk) and build the answer;
    the questions are the `focused_*` templates of `prompts_dir` (default: ours)."""

    def ask(excerpt: str, template: str, model: type[BaseModel], max_tokens: int, **values: str) -> Question:
        return Question(model, question_messages(excerpt, template, prompts_dir, **values), max_tokens)

    paras = paragraphs(text)
    sentences = numbered_sentences(text)

    quotes: list[ExtractedQuote] = []
    for ref, (start, end) in numbered_quotations(text).items():
        words = text[start:end]
        quotation = " ".join(words.split())[:300]
        answer = yield ask(_context(text, start, paras), "focused_speaker", SpeakerAnswer, 100, quotation=quotation)
        speaker = _name(answer.speaker) if answer else None
        if _scare_quote(text, start, end, paras, sentences, speaker):
            continue  # a scare quote or a nickname, not speech
        quotes.append(ExtractedQuote(ref=ref, speaker=speaker))

    targets: list[ExtractedTarget] = []
    seen: set[str] = set()
    for start, end in paras:
        paragraph = text[start:end]
        if not _SANCTION_CUE.search(paragraph):
            continue
        answer = yield ask(paragraph, "focused_targets", TargetsAnswer, 240)
        for raw in answer.targets if answer else []:
            name = _name(raw)
            if name and _imposes(paragraph, name):
                continue  # the model named who imposes the sanctions
            if name and (_AUTHORITIES.match(name) or not _a_name(name)
                         or not _sanctioned_in_a_sentence(text, name, sentences)):
                continue  # an authority, a description, a law, or a name from the background
            if name and name.casefold() not in seen:
                seen.add(name.casefold())
                targets.append(ExtractedTarget(name=name, kind=_kind(name, paragraph)))  # type: ignore[arg-type]

    targets = _without_short_forms(targets)

    allegations: list[ExtractedAllegation] = []
    for ref, (start, end) in sentences.items():
        sentence = text[start:end]
        if len(sentence) < 40 or not _ACCUSATION_CUE.search(sentence):
            continue
        context = _context(text, start, paras)
        answer = yield ask(context, "focused_accusation", AccusationAnswer, 160, sentence=" ".join(sentence.split()))
        if not answer or not answer.accusation:
            continue
        hedge = _HEDGE.search(sentence)
        allegations.append(
            ExtractedAllegation(
                claim=" ".join(sentence.split())[:400],
                alleged_by=_name(answer.accuser),
                against=_name(answer.accused),
                status=_status(sentence),  # type: ignore[arg-type]
                hedge=hedge.group(1) if hedge else None,
                evidence=ref,
            )
        )

    answer = yield ask(with_sentence_ids(text), "focused_summary", SummaryAnswer, 400)
    summary = list(answer.summary) if answer else []
    if not any(_supported(s, text, sentences) for s in summary):
        # Nothing the model wrote would survive grounding: the lede stands in (each sentence its
        # own support), after the model's sentences so that their drops are still reported.
        summary += [ExtractedSentence.model_validate(s) for s in rules.summary(text)]
    return Extraction.model_construct(
        summary=summary, allegations=allegations[:20], sanctions_targets=targets[:30], quotes=quotes[:40]
    )


def _supported(sentence: ExtractedSentence, text: str, sentences: dict[str, tuple[int, int]]) -> bool:
    cited = any(resolve_sentence(ref, sentences) for ref in sentence.support)
    return cited and bool(sentence.text.strip()) and not unsupported_words(sentence.text, text)
