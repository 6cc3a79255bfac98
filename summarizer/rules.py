"""A model-free baseline: what rules alone get out of an article.

The design notes ask to judge any model against baselines that need no model. This one finds
quotes by their quotation marks, speakers by "said"-type cues next to them, allegations as the
sentences that carry hedging words, and takes the lede as the summary. It names no sanctions
targets itself: the `rules` backend (a transport, so its answers go through the same validation
and grounding as a model's) adds only those the wording settles (`focused.targets_by_wording`:
"X is being designated", a list under a sanctions lead-in), since telling a sanctioned entity
from any other capitalised name needs reading, and a rule that guessed would invent targets.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from typing import Any

from . import cues
from .grounding.countries import country_of
from .grounding.names import OPENERS, PORTFOLIOS, TITLES, is_organisation, title_length, too_long
from .grounding.sentences import numbered_sentences, sentence_at, sentence_index, sentence_spans
from .grounding.spans import SPEECH, speech_spans

_NAME = rf"(?:{cues.NAME})"  # "(?:...)": one group-free unit inside the patterns below
_PRONOUN = r"(?:he|she|they|it|He|She|They|It)"
# "...," the State Department announcement solemnly declared: a few lower-case words may part
# the name from its verb after a quotation (before one, "Federal prosecutors alleged" would name
# "Federal"), and so may an apposition ("...," Jane Doe, the foreign minister, said).
_AFTER_NAME_SAID = re.compile(
    rf"^[\s,;:\u2014-]*(?:the\s+)?({_NAME})(?:,[^,.\u201c\u201d\"\n]{{1,80}},)?(?:\s+[a-z]+){{0,2}}?\s+{SPEECH}\b"
)
# "...," said Treasury official Jane Doe: the person, not the body she speaks for.
_AFTER_SAID_ROLE_NAME = re.compile(rf"^[\s,;:\u2014-]*{SPEECH}\s+(?:the\s+)?(?:{_NAME}\s+)?{cues.OFFICES}\s+({_NAME})")
# "...," Seoul resident Margie Kim said / former minister John Smith said: the person after a
# short description.
_AFTER_DESCRIBED_NAME_SAID = re.compile(  # (and "EU foreign policy chief Kaja Kallas said")
    rf"^[\s,;:\u2014-]*(?:the\s+)?(?:{_NAME}\s+)?(?:[a-z]+\s+){{1,3}}({_NAME})\s+{SPEECH}\b"
)
_AFTER_SAID_NAME = re.compile(rf"^[\s,;:\u2014-]*{SPEECH}\s+(?:the\s+)?({_NAME})")
# "...," said the High Representative, Kaja Kallas: the office, then its holder after a comma
_AFTER_SAID_THE_OFFICE_NAME = re.compile(rf"^[\s,;:\u2014-]*{SPEECH}\s+the\s+(?:[A-Z][\w.-]*\s+){{0,3}}[A-Z][\w.-]*,\s+({_NAME})")
# "...," said Under Secretary for Terrorism and Financial Intelligence Jane Rivers: an office
# with its portfolio runs into the name (the office is group 1, the portfolio and name group 2)
_AFTER_SAID_PORTFOLIO = re.compile(
    rf"^[\s,;:\u2014-]*{SPEECH}\s+(?:the\s+)?((?:(?:[A-Z][\w.]*|and)[ \t]+){{1,4}}?(?:of[ \t]+(?:the[ \t]+)?[A-Z]\w*[ \t]+)?)"
    rf"(?:for|of)[ \t]+(?:the[ \t]+)?((?:[A-Z][\w.'’-]*|and|of|the)(?:[ \t]+(?:[A-Z][\w.'’-]*|and|of|the|{'|'.join(cues.PARTICLE_WORDS)})(?!\w))*)"
)
_NEXT_SENTENCE = re.compile(r"^\s+[A-Z]")  # after a quotation that ends its sentence with its own stop
_AFTER_PRONOUN = re.compile(rf"^[\s,;:\u2014-]*({_PRONOUN})\s+{SPEECH}\b")
_AFTER_ACCORDING = re.compile(rf"^[\s,;:\u2014-]*according to\s+(?:the\s+)?({_NAME})")
_BEFORE_NAME_CALLED = re.compile(rf"(?<![\w-])({_NAME})\s+(?:called|calls|described|describes|dubbed|labelled|labeled|branded)"
                                 rf"\s+(?:{_NAME}|him|her|them)\s+(?:as\s+)?$")  # (a person called something; "called it" labels)
_BEFORE_NAME_SAID = re.compile(rf"(?:the\s+)?({_NAME})\s+{SPEECH}\b[^.\u201c\u201d\"]{{0,80}}[:,]?\s*$")
# "Sometimes employees don't follow the rules, he said. \"But ...\"": the sentence before, in
# the quotation's paragraph, is the same speaker's, attributed by a pronoun
_SENTENCE_BEFORE_PRONOUN = re.compile(rf",\s+({_PRONOUN})\s+{SPEECH}\.\s*$")
_BEFORE_PRONOUN = re.compile(rf"\b({_PRONOUN})\s+{SPEECH}\b[^.\u201c\u201d\"]{{0,80}}[:,]?\s*$")

# a name that ends where a text does ("... the Kremlin has" before "allegedly"; "Jane Doe" before
# ", the foreign minister"): read back from a position, so linear on any text
_NAME_BEFORE = re.compile(rf"(?<![\w.'’-])({_NAME})(?:\s+(?:has|have))?\s*$")
_HEDGES = re.compile(
    r"\b(allegedly|alleged|alleges|accused|accuses|accusing|claimed|claims|suspected|"
    r"reportedly|denied|denies|rejected|mutmaßlich|angeblich)\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?\u201d\"])\s+(?=[A-Z\u201c\"])")


def _name(candidate: str) -> str | None:
    words = candidate.split()
    while words and words[0].casefold() in OPENERS:
        words = words[1:]
    if len(words) > 2 and words[0].endswith(("'s", "\u2019s")) and country_of(words[0][:-2]):
        words = words[1:]  # "Lithuania's Gabriele Vaitkus"
    words = words[title_length(words):]  # "Secretary of State Antony Blinken"; "State Department" stays
    name = " ".join(words).rstrip(".,")
    return name if name and not too_long(name) else None


def _around(text: str, start: int, end: int) -> tuple[str, str]:
    """The words before and after a quotation, within its paragraph (cues stay there)."""
    after = text[end + 1 : end + 160].split("\n", 1)[0]
    before = text[max(0, start - 200) : max(0, start - 1)].rsplit("\n", 1)[-1]
    return before, after


def _portfolio_holder(after: str) -> str | None:
    """The person at the end of "said Under Secretary [of the Treasury] for Terrorism and
    Financial Intelligence Jane Rivers" or "said Director of the Office of Foreign Assets Control
    Laura Whitfield": the run's last name-like words, with an initial ("Steven T. Mnuchin") or
    particles ("Ursula von der Leyen"); the portfolio or the office's body stays before it."""
    m = _AFTER_SAID_PORTFOLIO.match(after)
    if not m or not any(w.casefold().rstrip(".") in TITLES - {"of", "the", "and"} for w in m.group(1).split()):
        return None
    words = m.group(2).split()
    j = len(words) - 1  # the surname
    if not words[j][:1].isupper():
        return None
    while j > 0 and words[j - 1].casefold() in cues.PARTICLE_WORDS:
        j -= 1  # "von der"
    if j > 0 and re.fullmatch(r"[A-Z]\.", words[j - 1]):
        j -= 1  # "T."
    if j > 0 and words[j - 1][:1].isupper():
        j -= 1  # the given name
    person = words[j:]
    if j < 1 or len(person) < 2 or any(w.casefold().rstrip(".") in PORTFOLIOS for w in person) or country_of(person[0]):
        return None  # a portfolio alone ("for Iran", "for Financial Intelligence") is no one
    return _name(" ".join(person))


def explicit_speaker(text: str, start: int, end: int) -> str | None:
    """The speaker a name beside the quotation text[start:end] gives ("...," said Jane Doe;
    Doe said: "..."), or None when only a pronoun or the context tells."""
    before, after = _around(text, start, end)
    if text[end - 1 : end] == "." and _NEXT_SENTENCE.match(after):
        after = ""  # '... our infrastructure." Lithuania's X said ...': the next sentence's speaker
    if name := _portfolio_holder(after):
        return name
    for pattern in (_AFTER_NAME_SAID, _AFTER_DESCRIBED_NAME_SAID, _AFTER_SAID_ROLE_NAME, _AFTER_SAID_THE_OFFICE_NAME,
                    _AFTER_SAID_NAME, _AFTER_ACCORDING):
        m = pattern.match(after)
        if m and (name := _name(m.group(1))):
            return name
    if _AFTER_PRONOUN.match(after):
        return None
    m = _BEFORE_NAME_SAID.search(before)
    return _name(m.group(1)) if m else None


_SUBJECT = re.compile(  # ("Kremlin spokesman Dmitry Peskov dismissed ...": the person, after the office)
    rf"^[\"\u201c\u2018']?(?:(?:But|And|Yet|Still|So|However|Later|Meanwhile|Then),?\s+)?"
    r"(?:(?:In|On|At|During|After|Before|Earlier|Outside|Inside|Speaking|Addressing|Asked)\s+[\w’'-]+(?:\s+[\w’'-]+){0,3},\s+)?"
    r"(?:the\s+)?"
    rf"(?:(?:{_NAME}|(?:[Tt]he\s+)?[a-z]+)['\u2019]s\s+(?:[\w-]+\s+){{0,2}}?[a-z-]+,\s+(?={_NAME},))?"  # "Sorokin's widow, Irina
    # Sorokina, ...", "The company's director, Declan Rourke, ..."
    rf"(?:{_NAME}\s+(?:[a-z]+\s+){{0,2}}?{cues.OFFICES}\s+(?={_NAME}(?:,|\s+[a-z])))?({_NAME})(?=,|\s+[a-z])"
)
_SAID_AFTER_SUBJECT = re.compile(rf"([^.,;\n]{{1,160}}?)\s+{SPEECH}\b")  # a sentence's words before its speech verb
_BACK = 3  # sentences searched for a pronoun's antecedent


def antecedent(
    text: str, start: int, earlier: Sequence[tuple[int, int, str | None]] = (), *, body: bool = False
) -> str | None:
    """Who "he said" points to: walking back from the quotation's sentence (three sentences, no
    further than the paragraph before), the speaker of an attributed quotation there, or the
    name a sentence opens with ("Sasse said the charges are overdue. \"Heads...,\" he said");
    None if that quotation's speaker is unknown and its sentence opens with no name."""
    spans = sentence_spans(text)
    k = sentence_index(text, start)
    k = len(spans) if k is None else k
    paragraphs = 0
    for j in range(k - 1, max(-1, k - 1 - _BACK), -1):
        a, b = spans[j]
        paragraphs += "\n" in text[b : spans[j + 1][0] if j + 1 < len(spans) else start]
        if paragraphs > 1:
            break
        said = []  # the speakers of the quotations in this sentence (`earlier` is in text order)
        i = bisect_left(earlier, a, key=lambda q: q[0])
        while i < len(earlier) and earlier[i][0] < b:
            said.append(earlier[i][2])
            i += 1
        m = _SUBJECT.match(text[a:b])
        subject = _name(m.group(1)) if m else None
        if m and (subject is None or subject[:1].islower()) and (verb := _SAID_AFTER_SUBJECT.match(text, a, b)):
            subject = _portfolio_holder(f"said {verb.group(1)}")  # "Tánaiste and Minister for Foreign Affairs Simon Kerrigan said"
        if subject and (subject.endswith(("'s", "\u2019s")) or (body and not is_organisation(subject))):
            subject = None  # "it said" names a body, not the person a sentence opens with
        if said:  # the speaker of the quotation there, even one nobody names, unless the
            return said[-1] or subject  # sentence opens with a name ("X dismissed it as \u201cunfounded\u201d")
        if subject:
            return subject
    return None


# "...," the minister said / the foreign minister said: "...": a role, whose holder the article
# named before
_AFTER_ROLE_SAID = re.compile(rf"^[\s,;:\u2014-]*the\s+(?:[a-z]+\s+)?({cues.OFFICES})\s+{SPEECH}\b")
_BEFORE_ROLE_SAID = re.compile(rf"\bthe\s+(?:[a-z]+\s+)?({cues.OFFICES})\s+{SPEECH}\b[^.\u201c\u201d\"]{{0,80}}[:,]?\s*$")
_BEFORE_ROLE = 1500  # characters searched back for the name a role refers to
# "...," the ministry said: a body the article names by a common noun
_BODIES = r"(?:ministry|embassy|department|agency|government|commission|regulator|prosecutors?|police|military|army|company|firm)"
_AFTER_BODY_SAID = re.compile(rf"^[\s,;:\u2014-]*the\s+((?:[a-z]+\s+)?{_BODIES})\s+(?:(?:has|had)\s+)?{SPEECH}\b")


def _body_named(text: str, start: int, body: str) -> str:
    """The fullest form the article gave the body before `start` ("the foreign ministry said"
    before "the ministry said"), without its article: the speaker, as the article writes it."""
    noun = body.split()[-1]
    window = text[max(0, start - _BEFORE_ROLE) : start]
    fuller = [m.group(1) for m in re.finditer(rf"\b(?:the|its|[A-Z][\w.]*['\u2019]s)\s+([a-z]+\s+{re.escape(noun)})\b", window)]
    return fuller[-1] if fuller and " " not in body else f"the {body}" if " " not in body else body


def role_holder(text: str, start: int, role: str) -> str | None:
    """The name the article gave the `role` before `start` ("Foreign Minister Jane Doe", "Jane
    Doe, the foreign minister,"): the nearest such name, or None."""
    window = text[max(0, start - _BEFORE_ROLE) : start]
    found = [(m.start(), m.group(1)) for m in re.finditer(rf"\b(?i:{re.escape(role)})\s+({_NAME})", window)]
    for m in re.finditer(rf",\s+(?:an?|the)\s+(?:[\w-]+\s+){{0,3}}?(?i:{re.escape(role)})\b", window):
        apposed = cues.read_back(_NAME_BEFORE, window, m.start())
        if apposed:
            found.append((m.start(), apposed.group(1)))
    for _pos, candidate in sorted(found, reverse=True):
        if name := _name(candidate):
            return name
    return None


def context_speaker(
    text: str, start: int, end: int, earlier: Sequence[tuple[int, int, str | None]] = ()
) -> str | None:
    """The speaker the words around the quotation text[start:end] give, or None for the model
    (or nobody) to decide: a name beside it; for "he said", the antecedent; for a quotation that
    follows another in its paragraph with only the attribution between ("...," Lammy said. "We're
    seeing..."), that one's speaker; for a quotation inside what its sentence says someone said
    ("X alleged that ... \"...\""), that someone; for "the minister said", the minister the
    article named before. `earlier`: the quotations before it, with their speakers."""
    if name := explicit_speaker(text, start, end):
        return name
    before, after = _around(text, start, end)
    pronoun = _AFTER_PRONOUN.match(after) or _BEFORE_PRONOUN.search(before) or _SENTENCE_BEFORE_PRONOUN.search(before)
    if pronoun:
        return antecedent(text, start, earlier, body=pronoun.group(1).casefold() == "it")
    role = _AFTER_ROLE_SAID.match(after) or _BEFORE_ROLE_SAID.search(before)
    if role and (holder := role_holder(text, start, role.group(1))):
        return holder
    if body := _AFTER_BODY_SAID.match(after):
        return _body_named(text, start, body.group(1))
    if (called := _BEFORE_NAME_CALLED.search(before)) and (name := _name(called.group(1))):
        return name  # "Baranauskas called Petrauskas “a disgruntled former employee”"
    if earlier and (last := earlier[-1])[2]:
        gap = text[last[1] : start]
        if "\n" not in gap and len(gap) <= 80:
            return last[2]
    # inside what its sentence says someone said ("Federal prosecutors alleged that the guards,
    # assigned to ..., \"browsed the Internet,\""): that someone
    own = sentence_at(text, start)
    return cues.attribution(text[max(own[0], start - 400) : start]) if own else None


def quotes(text: str) -> list[dict[str, Any]]:
    """Quotations with speakers; unattributed scare quotes of under five words are left out."""
    out: list[dict[str, Any]] = []
    earlier: list[tuple[int, int, str | None]] = []
    for start, end in speech_spans(text):
        speaker = context_speaker(text, start, end, earlier)
        earlier.append((start, end, speaker))
        body = text[start:end]
        if speaker is None and len(body.split()) < 5:
            continue
        out.append({"text": body[:1200], "speaker": speaker[:160] if speaker else None})
    return out[:40]


def allegations(text: str) -> list[dict[str, Any]]:
    """Sentences with a hedging word as allegations, citing themselves as evidence."""
    out: list[dict[str, Any]] = []
    for ref, (start, end) in numbered_sentences(text).items():
        sentence = text[start:end]
        m = _HEDGES.search(sentence)
        if not m or len(sentence) < 40:
            continue
        word = m.group(1).lower()
        status = "denied" if word.startswith(("den", "rej")) else "claimed" if word.startswith("claim") else "alleged"
        by = next(filter(None, (  # the name just before the hedge word
            cues.read_back(_NAME_BEFORE, sentence, w.start()) for w in re.finditer(re.escape(m.group(1)), sentence))), None)
        out.append(
            {
                "claim": sentence[:400],
                "alleged_by": _name(by.group(1)) if by else None,
                "against": None,
                "status": status,
                "hedge": m.group(1),
                "evidence": ref,
            }
        )
    return out[:20]


def summary(text: str) -> list[dict[str, Any]]:
    """The lede: up to three sentences of the first real paragraph (headlines, navigation and
    bylines skipped), each supported by itself."""
    numbered = numbered_sentences(text)
    start = 0
    for line in text.split("\n"):
        end = start + len(line)
        if len(line.strip()) >= 80 and re.search(r"[.!?]", line):
            picked = [
                {"text": text[a:b][:400], "support": [ref]} for ref, (a, b) in numbered.items() if start <= a < end
            ]
            return picked[:3]
        start = end + 1
    return [{"text": text[a:b][:400], "support": [ref]} for ref, (a, b) in list(numbered.items())[:1]]


def extract(text: str) -> dict[str, Any]:
    """An `Extraction`-shaped dict for one article (or chunk)."""
    return {
        "summary": summary(text),
        "allegations": allegations(text),
        "sanctions_targets": [],
        "quotes": quotes(text),
    }
