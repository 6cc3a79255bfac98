"""A model-free baseline: what rules alone get out of an article.

The design notes ask to judge any model against baselines that need no model. This one finds
quotes by their quotation marks, speakers by "said"-type cues next to them, allegations as the
sentences that carry hedging words, and takes the lede as the summary. It names no sanctions
targets: telling a sanctioned entity from any other capitalised name needs reading, and a rule
that guessed would invent targets. It runs behind the `rules` backend (a transport), so its
answers go through the same validation and grounding as a model's.
"""

from __future__ import annotations

import re
from typing import Any

from .grounding import quotation_spans

_SPEECH = (
    r"(?:said|says|told|tells|added|adds|stated|states|wrote|writes|declared|noted|explained|"
    r"warned|claimed|claims|argued|asserted|insisted|replied|announced|stressed|sagte|erklärte)"
)
_NAME = r"(?:[A-Z][\w.'\u2019-]*(?:\s+(?:[A-Z][\w.'\u2019-]*|al-\w+|bin|de|van|von|of(?=\s+[A-Z])))*)"
_PRONOUN = r"(?:he|she|they|He|She|They)"
_NOT_NAMES = frozenset(
    "The But And In On A An It This That He She They We I As At For If When While Yet So".split()
)
_AFTER_NAME_SAID = re.compile(rf"^[\s,;:\u2014-]*(?:the\s+)?({_NAME})\s+{_SPEECH}\b")
_AFTER_SAID_NAME = re.compile(rf"^[\s,;:\u2014-]*{_SPEECH}\s+(?:the\s+)?({_NAME})")
_AFTER_PRONOUN = re.compile(rf"^[\s,;:\u2014-]*{_PRONOUN}\s+{_SPEECH}\b")
_AFTER_ACCORDING = re.compile(rf"^[\s,;:\u2014-]*according to\s+(?:the\s+)?({_NAME})")
_BEFORE_NAME_SAID = re.compile(rf"(?:the\s+)?({_NAME})\s+{_SPEECH}\b[^.\u201c\u201d\"]{{0,80}}[:,]?\s*$")
_BEFORE_PRONOUN = re.compile(rf"\b{_PRONOUN}\s+{_SPEECH}\b[^.\u201c\u201d\"]{{0,80}}[:,]?\s*$")

_HEDGES = re.compile(
    r"\b(allegedly|alleged|alleges|accused|accuses|accusing|claimed|claims|suspected|"
    r"reportedly|denied|denies|rejected|mutmaßlich|angeblich)\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?\u201d\"])\s+(?=[A-Z\u201c\"])")


def _name(candidate: str) -> str | None:
    words = candidate.split()
    while words and (words[0] in _NOT_NAMES or words[0].lower().rstrip(".") in _TITLES):
        words = words[1:]
    name = " ".join(words).rstrip(".,")
    return name or None


def _speaker(text: str, start: int, end: int, last: str | None, same_paragraph: bool) -> str | None:
    """The speaker of the quote text[start:end] (inside its marks), from cues around it."""
    after = text[end + 1 : end + 160].split("\n", 1)[0]  # cues stay in the quote's paragraph
    before = text[max(0, start - 200) : max(0, start - 1)]
    before = before.rsplit("\n", 1)[-1]
    for pattern in (_AFTER_NAME_SAID, _AFTER_SAID_NAME, _AFTER_ACCORDING):
        m = pattern.match(after)
        if m and (name := _name(m.group(1))):
            return name
    if _AFTER_PRONOUN.match(after):
        return last
    m = _BEFORE_NAME_SAID.search(before)
    if m and (name := _name(m.group(1))):
        return name
    if _BEFORE_PRONOUN.search(before):
        return last
    return last if same_paragraph else None


def fullest_name(text: str, name: str) -> str:
    """The longest run of capitalised words in the text that ends with `name` ("Lammy" ->
    "David Lammy"), titles and other leading capitalised words aside; `name` if none."""
    best = name
    for m in re.finditer(rf"((?:[A-Z][\w.'\u2019-]*\s+)+){re.escape(name)}\b", text):
        words = m.group(1).split()
        while words and (words[0] in _NOT_NAMES or words[0].lower() in _TITLES):
            words = words[1:]
        # keep only the personal-name tail: stop at a title inside the run ("Minister David")
        tail: list[str] = []
        for w in reversed(words):
            if w.lower().rstrip(".") in _TITLES or (w.endswith(".") and len(w) > 2):
                break  # a title, or the end of the previous sentence ("Friday.")
            tail.insert(0, w)
        candidate = " ".join(tail + [name])
        if len(tail) <= 3 and len(candidate) > len(best):
            best = candidate
    return best


_TITLES = frozenset(
    "secretary minister president prime foreign state u.k. u.s. mr mrs ms dr sen rep gov "
    "general gen col cmdr spokesperson spokesman spokeswoman chairman chief director of".split()
)


def quotes(text: str) -> list[dict[str, Any]]:
    """Quotations with speakers; unattributed scare quotes of under five words are left out."""
    out: list[dict[str, Any]] = []
    last: str | None = None
    prev_end = -1
    for start, end in quotation_spans(text):
        same_paragraph = prev_end >= 0 and "\n" not in text[prev_end:start]
        speaker = _speaker(text, start, end, last, same_paragraph)
        body = text[start:end]
        if speaker is None and len(body.split()) < 5:
            continue
        if speaker and " " not in speaker:
            speaker = fullest_name(text, speaker)
        out.append({"text": body[:1200], "speaker": speaker[:160] if speaker else None})
        if speaker:
            last = speaker
        prev_end = end
    return out[:40]


def sentences(text: str) -> list[str]:
    """Sentences of every paragraph, as written (each one a substring of the text)."""
    out: list[str] = []
    for paragraph in text.split("\n"):
        out += [s.strip() for s in _SENTENCE_END.split(paragraph) if s.strip()]
    return out


def allegations(text: str) -> list[dict[str, Any]]:
    """Sentences with a hedging word, outside quotations, as allegations with their hedge."""
    out: list[dict[str, Any]] = []
    for sentence in sentences(text):
        m = _HEDGES.search(sentence)
        if not m or len(sentence) < 40:
            continue
        word = m.group(1).lower()
        status = "denied" if word.startswith(("den", "rej")) else "claimed" if word.startswith("claim") else "alleged"
        by = re.search(rf"({_NAME})\s+(?:has\s+|have\s+)?{re.escape(m.group(1))}", sentence)
        out.append(
            {
                "claim": sentence[:400],
                "alleged_by": _name(by.group(1)) if by else None,
                "against": None,
                "status": status,
                "hedge": m.group(1),
                "evidence": sentence[:600],
            }
        )
    return out[:20]


def summary(text: str) -> str:
    """The lede: the first sentences of the first real paragraph (boilerplate lines skipped)."""
    for paragraph in text.split("\n"):
        p = paragraph.strip()
        if len(p) < 80 or not re.search(r"[.!?]", p):
            continue  # headlines, navigation, bylines
        picked: list[str] = []
        for s in sentences(p):
            if len(" ".join(picked + [s])) > 1400:
                break
            picked.append(s)
            if len(picked) == 3:
                break
        return " ".join(picked) or p[:1400]
    return text.strip()[:1400]


def extract(text: str) -> dict[str, Any]:
    """An `Extraction`-shaped dict for one article (or chunk)."""
    return {
        "summary": summary(text),
        "allegations": allegations(text),
        "sanctions_targets": [],
        "quotes": quotes(text),
    }
