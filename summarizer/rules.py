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

from .grounding.names import TITLES
from .grounding.sentences import numbered_sentences
from .grounding.spans import quotation_spans

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
    while words and (words[0] in _NOT_NAMES or words[0].lower().rstrip(".") in TITLES):
        words = words[1:]
    name = " ".join(words).rstrip(".,")
    return name or None


def _around(text: str, start: int, end: int) -> tuple[str, str]:
    """The words before and after a quotation, within its paragraph (cues stay there)."""
    after = text[end + 1 : end + 160].split("\n", 1)[0]
    before = text[max(0, start - 200) : max(0, start - 1)].rsplit("\n", 1)[-1]
    return before, after


def explicit_speaker(text: str, start: int, end: int) -> str | None:
    """The speaker a name beside the quotation text[start:end] gives ("...," said Jane Doe;
    Doe said: "..."), or None when only a pronoun or the context tells."""
    before, after = _around(text, start, end)
    for pattern in (_AFTER_NAME_SAID, _AFTER_SAID_NAME, _AFTER_ACCORDING):
        m = pattern.match(after)
        if m and (name := _name(m.group(1))):
            return name
    if _AFTER_PRONOUN.match(after):
        return None
    m = _BEFORE_NAME_SAID.search(before)
    return _name(m.group(1)) if m else None


def _speaker(text: str, start: int, end: int, last: str | None, same_paragraph: bool) -> str | None:
    """The speaker of the quote text[start:end] (inside its marks), from cues around it."""
    if name := explicit_speaker(text, start, end):
        return name
    before, after = _around(text, start, end)
    if _AFTER_PRONOUN.match(after) or _BEFORE_PRONOUN.search(before):
        return last
    return last if same_paragraph else None


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
        out.append({"text": body[:1200], "speaker": speaker[:160] if speaker else None})
        if speaker:
            last = speaker
        prev_end = end
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
        by = re.search(rf"({_NAME})\s+(?:has\s+|have\s+)?{re.escape(m.group(1))}", sentence)
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
