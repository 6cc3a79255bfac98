"""Turn the model's `Extraction` into grounded items: everything it claims is looked up.

`ground` is the one place where the article is checked against what the model returned: the
schema validator calls it to decide whether to re-ask (every drop but a hedge is re-askable),
and the pipeline calls it to build the result. What is found gets its offsets (and the
article's own spelling); what is not is dropped and reported in provenance, with the item of
the answer it came from. Nothing rests on site furniture (paywall, menus, sign-in and share
lines: `furniture`): a quote, an allegation's evidence or a summary sentence's support that
lies only in such lines is not the article's, and is dropped like anything else not found.

A model answer may be for one chunk of a long article: spans it cites (quotation and sentence
ids, verbatim quotes) are found in the chunk and shifted by its offset; names are resolved in
the full text, since a speaker may be named in an earlier chunk.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from ..schema import (
    Allegation,
    Dropped,
    ExtractedSentence,
    Extraction,
    Mention,
    Quote,
    SanctionsTarget,
    Span,
    SummarySentence,
)
from .countries import country_of, forms_of
from .furniture import only_furniture
from .names import Resolved, occurrences, resolve_name, resolve_names, unsupported_words
from .sentences import numbered_sentences, resolve_sentence, sentence_ends
from .spans import Normalised, find_span, numbered_quotations, resolve_ref

# A "name" whose head noun is one of these, or that starts with a count, describes unnamed
# entities ("three ship operators", "Iranian and Russian entities"): never a target's name.
_GENERIC_HEADS = frozenset(
    "entities operators companies individuals firms vessels ships tankers people persons officials "
    "leaders banks groups networks subsidiaries affiliates businesses organizations organisations "
    "traders suppliers militias rebels members others parties actors facilitators "
    "intermediaries".split()
)
_COUNTS = frozenset(
    "two three four five six seven eight nine ten eleven twelve several some many various "
    "dozens hundreds multiple numerous a an".split()
)

FURNITURE_REASON = "only in site furniture (paywall, sign-in, menu, share or newsletter lines), not the article"
MAX_HEDGE_WORDS = 5  # "allegedly", "according to", "is suspected of": never a whole sentence
NOT_REASKED = frozenset({"hedge"})  # a wrong hedge is dropped, not worth another model call


def is_generic_name(name: str) -> bool:
    """True for descriptions of unnamed entities rather than names."""
    words = re.findall(r"[\w'-]+", name.lower())
    if not words:
        return True
    return words[-1] in _GENERIC_HEADS or words[0] in _COUNTS or words[0].isdigit()


@dataclass
class Grounded:
    """What survived grounding, with offsets into the full text, and what was dropped."""

    quotes: list[Quote] = field(default_factory=list)
    targets: list[SanctionsTarget] = field(default_factory=list)
    allegations: list[Allegation] = field(default_factory=list)
    summary: list[SummarySentence] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)

    def drop(self, kind: str, text: str, reason: str, where: str) -> None:
        self.dropped.append(Dropped(kind=kind, text=text, reason=reason, where=where))  # type: ignore[arg-type]


@dataclass
class _Text:
    """The text the model saw (`chunk`, at `offset` in `full`) and the full article."""

    chunk: str
    full: str
    offset: int

    def span(self, start: int, end: int) -> Span:
        """A span given in chunk offsets, as full-text offsets."""
        a, b = start + self.offset, end + self.offset
        return Span(start=a, end=b, text=self.full[a:b])

    def mention(self, r: Resolved) -> Mention:
        return Mention(start=r.start, end=r.end, text=self.full[r.start : r.end])


def ground(part: Extraction, chunk: str, *, offset: int = 0, full_text: str | None = None) -> Grounded:
    """Ground one model answer for `chunk` (the whole article when `full_text` is None)."""
    t = _Text(chunk, full_text if full_text is not None else chunk, offset)
    out = Grounded()
    out.quotes = _quotes(t, part, out)
    out.targets = _targets(t, part, out)
    out.allegations = _allegations(t, part, out)
    out.summary = ground_summary(t.full, part.summary, _Sentences(t.full, t.chunk, t.offset), out)
    if not part.summary:
        out.drop("summary_sentence", "", "the answer has no summary (write 2 to 4 sentences citing [S#] ids)", "summary")
    return out


def _named(
    t: _Text, value: str | None, kind: str, where: str, out: Grounded, near: int, *, countries: bool = False
) -> Resolved | None:
    """Resolve a named field, or drop it (reported) when the article does not name it."""
    if not value:
        return None
    resolved = (
        resolve_name(t.full, value, near=near, countries=True) if countries else resolve_names(t.full, value, near=near)
    )
    if resolved is None:
        out.drop(kind, value, "not a name the article contains (copy it as the article writes it, or null)", where)
    return resolved


def _quotes(t: _Text, part: Extraction, out: Grounded) -> list[Quote]:
    quotes: list[Quote] = []
    taken: list[tuple[int, int]] = []
    listed = numbered_quotations(t.chunk)
    for i, q in enumerate(part.quotes):
        where = f"quotes[{i}]"
        if q.ref:
            found = resolve_ref(q.ref, listed)
            if found is None:
                out.drop("quote", q.ref, "not an id in the QUOTATIONS list", where)
                continue
        else:
            found = find_span(t.chunk, q.text or "", taken=taken)
            if found is None:
                out.drop("quote", q.text or "", "not found word for word in the article", where)
                continue
        if found in taken:
            continue  # the same quote twice
        span = t.span(*found)
        if only_furniture(t.full, span.start, span.end):
            out.drop("quote", span.text, FURNITURE_REASON, where)
            continue
        taken.append(found)
        speaker, mention = _speaker(t, q.speaker, span, f"{where}.speaker", out)
        quotes.append(Quote(text=span.text, speaker=speaker, speaker_mention=mention, start=span.start, end=span.end))
    return sorted(quotes, key=lambda x: x.start)


def _speaker(t: _Text, speaker: str | None, quote: Span, where: str, out: Grounded) -> tuple[str | None, Mention | None]:
    if not speaker:
        return None, None
    if len(speaker.split()) >= 4 and Normalised(speaker, fold_case=True).text in Normalised(quote.text, fold_case=True).text:
        out.drop("speaker", speaker, "the speaker given is words of the quote itself", where)
        return None, None
    resolved = resolve_name(t.full, speaker, near=quote.start)
    if resolved is None:
        out.drop("speaker", speaker, "not a name the article contains (copy it as the article writes it, or null)", where)
        return None, None
    if quote.start <= resolved.start < quote.end:  # prefer a place outside the quote itself
        outside = [h for h in occurrences(t.full, t.full[resolved.start : resolved.end]) if not quote.start <= h[0] < quote.end]
        if outside:
            start, end = min(outside, key=lambda h: abs(h[0] - quote.start))
            resolved = Resolved(resolved.value, start, end, resolved.how)
    return resolved.value, t.mention(resolved)


def _targets(t: _Text, part: Extraction, out: Grounded) -> list[SanctionsTarget]:
    """Targets whose name occurs in the article (case and typography aside), deduplicated."""
    targets: list[SanctionsTarget] = []
    seen: set[str] = set()
    for i, target in enumerate(part.sanctions_targets):
        where = f"sanctions_targets[{i}]"
        if is_generic_name(target.name):
            out.drop("sanctions_target", target.name, "a description of unnamed entities, not a name", where)
            continue
        hits = occurrences(t.full, target.name) or occurrences(t.full, target.name.rstrip("."))
        if not hits:
            out.drop(
                "sanctions_target", target.name, "name does not occur in the article (unnamed or invented target)", where
            )
            continue
        in_chunk = [h for h in hits if t.offset <= h[0] < t.offset + len(t.chunk)]
        start, end = (in_chunk or hits)[0]
        name = " ".join(t.full[start:end].split())
        key = Normalised(name, fold_case=True).text.strip(" .,")
        if key in seen:
            continue
        seen.add(key)
        country = _named(t, target.country, "country", f"{where}.country", out, start, countries=True)
        imposer = _named(t, target.imposed_by, "imposed_by", f"{where}.imposed_by", out, start)
        targets.append(
            SanctionsTarget(
                name=name,
                kind=target.kind,
                country=country.value if country else None,
                country_mention=t.mention(country) if country else None,
                imposed_by=imposer.value if imposer else None,
                imposed_by_mention=t.mention(imposer) if imposer else None,
                mention=Mention(start=start, end=end, text=t.full[start:end]),
            )
        )
    return targets


def _hedge(t: _Text, hedge: str | None, evidence: Span, where: str, out: Grounded) -> Span | None:
    """The hedge's place inside the evidence sentence, or None (dropped, reported)."""
    if not hedge:
        return None
    if len(hedge.split()) <= MAX_HEDGE_WORDS:
        hits = occurrences(evidence.text, hedge)
        if hits:
            a, b = hits[0]
            return Span(start=evidence.start + a, end=evidence.start + b, text=evidence.text[a:b])
    out.drop("hedge", hedge, "not hedging words of the evidence sentence", where)
    return None


def _allegations(t: _Text, part: Extraction, out: Grounded) -> list[Allegation]:
    """Allegations with the sentence that states them; one without evidence is dropped."""
    sentences = numbered_sentences(t.chunk)
    allegations: list[Allegation] = []
    seen: set[tuple[int, str]] = set()
    for i, a in enumerate(part.allegations):
        where = f"allegations[{i}]"
        found = resolve_sentence(a.evidence, sentences) if a.evidence else None
        if found is None:
            why = f"evidence {a.evidence!r} is not a sentence id" if a.evidence else "no evidence sentence cited"
            out.drop("allegation", a.claim, f"{why} (cite the id of the sentence that states it)", where)
            continue
        evidence = t.span(*found)
        if only_furniture(t.full, evidence.start, evidence.end):
            out.drop("allegation", a.claim, f"evidence {a.evidence} is {FURNITURE_REASON}", where)
            continue
        accuser = _named(t, a.alleged_by, "alleged_by", f"{where}.alleged_by", out, evidence.start)
        accused = _named(t, a.against, "against", f"{where}.against", out, evidence.start)
        key = (evidence.start, (accused.value if accused else "").casefold())
        if key in seen:
            continue  # the same accusation twice is one item
        seen.add(key)
        allegations.append(
            Allegation(
                claim=a.claim,
                alleged_by=accuser.value if accuser else None,
                alleged_by_mention=t.mention(accuser) if accuser else None,
                alleged_by_unnamed=a.alleged_by is None,
                against=accused.value if accused else None,
                against_mention=t.mention(accused) if accused else None,
                status=a.status,
                hedge=t.full[h.start : h.end] if (h := _hedge(t, a.hedge, evidence, f"{where}.hedge", out)) else None,
                hedge_span=h,
                evidence=evidence,
            )
        )
    return allegations


class _Sentences(Mapping[str, list[Span]]):
    """The article sentences of `chunk` by id ("S1"...), as full-text spans, each made when a
    summary cites it: a summary cites a few, and a long article has thousands."""

    def __init__(self, full: str, chunk: str, offset: int = 0) -> None:
        self._full, self._offset, self._ids = full, offset, numbered_sentences(chunk)

    def __getitem__(self, ref: str) -> list[Span]:
        a, b = (x + self._offset for x in self._ids[ref])
        return [Span(start=a, end=b, text=self._full[a:b])]

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


_ID = re.compile(r"^\[?\s*([A-Za-z]?)\s*(\d{1,4})\s*\]?$")
# How a complete sentence ends: a model that reaches the length bound stops mid-sentence ("...
# that are in the US,"), and keeps what it said whole before (`sentence_ends`: "U. S." ends nothing).
_ENDS_WHOLE = (".", "!", "?", '"', "”", "’", "»", ")")
# Lower-case words no sentence ends with: a summary sentence ending so was left unfinished ("The
# U. S. and U. K. are").
# "The Chinese foreign ministry said Beijing": who speaks, and not what (a model's cut-off item)
_SAID_NOTHING = re.compile(r"\b(?:said|says|told|added|stated|announced|warned|argued)(?:[ \t]+(?:that|[A-Z][\w.'’-]*)){0,3}[ \t]*$")
# the initials of an abbreviation the model spaced out ("U. S.") where the article writes them together
_SPACED_INITIALS = re.compile(r"\b([A-Z])\. ([A-Z])\.")
_NEVER_LAST = frozenset(
    "a an the and or but of to in on at by for with from is are was were be been has have had that which who "
    "as its their his her our will would can could should than into about der die das und oder von zu mit "
    "für ist sind le la les et de des du à est el los las y que es".split()
)


def _ref_key(ref: str, letter: str) -> str | None:
    """ "S3", "s3", "[S3]", "3" -> "S3" (with `letter` the kind of id expected)."""
    m = _ID.match(ref.strip())
    if not m or (m.group(1) and m.group(1).upper() != letter):
        return None
    return f"{letter}{int(m.group(2))}"


# "The Belarusian government has imposed restrictive measures": who a summary sentence says imposes.
_SUMMARY_IMPOSER = re.compile(
    r"(?:^|[.;,]\s+|\band\s+)(?:[Tt]he\s+)?([A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3})"
    r"(?:\s+(government|authorities|regime))?\s+(?:has\s+|have\s+|had\s+)?"
    r"(?:imposed|announced|adopted|introduced)\s+(?:new\s+|further\s+)?(?:sanctions|restrictive measures)\b"
)
_IMPOSING_IN_ARTICLE = r"(?:['’]s|\s+(?:government|authorities|regime))?\s+(?:has\s+|have\s+|had\s+|will\s+|would\s+)?" \
                       r"(?:impos|announc|adopt|introduc|retaliat|verhängt|beschlo|a impos|impuso)"


def sanctioned_as_imposer(sentence: str, article: str, targets: Sequence[str]) -> str | None:
    """The party a summary sentence says imposes sanctions when it is a target of them and the
    article never has it impose any ("The Belarusian government has imposed ..." of an EU
    release on Belarus); a party under sanctions that answers with its own (counter-sanctions)
    imposes them in the article too, and passes."""
    if not targets or ("sanctions" not in sentence and "restrictive measures" not in sentence):
        return None  # no target to be, or no words the pattern needs: most sentences
    for m in _SUMMARY_IMPOSER.finditer(sentence):
        subject = m.group(1)
        country = country_of(subject) or country_of(subject.split()[0])
        hit = next((t for t in targets if t.casefold() == subject.casefold()
                    or (country is not None and country_of(t) == country)), None)
        if hit is None:
            continue
        names = {hit, subject, *(forms_of(country) if country else [])}
        if not any(re.search(rf"(?<![\w-]){re.escape(n)}{_IMPOSING_IN_ARTICLE}", article, re.IGNORECASE) for n in names):
            return sentence[m.start(1) : m.end(2) if m.group(2) else m.end(1)]  # "Belarusian government"
    return None


def _unfounded(text: str, full: str, targets: list[str]) -> str | None:
    """Why a summary sentence cannot stand on the article, or None."""
    if missing := unsupported_words(text, full):
        return f"names {', '.join(missing)}, which the article does not contain"
    if wrong := sanctioned_as_imposer(text, full, targets):
        return f"says {wrong} imposes the sanctions, which the article says are on it"
    return None


def ground_summary(
    full: str, sentences: Sequence[ExtractedSentence], ids: Mapping[str, list[Span]], out: Grounded, letter: str = "S"
) -> list[SummarySentence]:
    """Summary sentences that cite support and name nothing the article does not.

    `ids` maps a citable id ("S3" for an article sentence; "P2" for a part-summary sentence of
    a long article) to the article spans that support it.
    """
    kept: list[SummarySentence] = []
    for i, s in enumerate(sentences):
        where = f"summary[{i}]"
        text = " ".join(s.text.split())
        if not text:
            continue
        if not text.endswith(_ENDS_WHOLE):
            ends = sentence_ends(text)
            if ends:  # cut off mid-sentence: keep what was said whole, report the rest
                out.drop("summary_sentence", text[ends[-1] :].strip(), "cut off mid-sentence (the length bound)",
                         f"{where}.text")
                text = text[: ends[-1]]
            elif text.split()[-1].rstrip(",;:") in _NEVER_LAST or _SAID_NOTHING.search(text):
                out.drop("summary_sentence", text, "an unfinished sentence", where)
                continue
        spans: dict[tuple[int, int], Span] = {}
        for ref in s.support:
            key = _ref_key(ref, letter)
            for span in ids.get(key, []) if key else []:
                spans[(span.start, span.end)] = span
        if not spans:
            cited = ", ".join(s.support) or "none"
            out.drop("summary_sentence", text, f"cites no sentence of the article (support: {cited})", where)
            continue
        spans = {k: v for k, v in spans.items() if not only_furniture(full, v.start, v.end)}
        if not spans:
            out.drop("summary_sentence", text, f"support {', '.join(s.support)} is {FURNITURE_REASON}", where)
            continue
        targets = [t.name for t in out.targets]
        if reason := _unfounded(text, full, targets):
            # an item of several sentences loses only the sentences that cannot stand
            parts = [p for a, b in itertools.pairwise([0, *sentence_ends(text), len(text)]) if (p := text[a:b].strip())]
            why = {part: _unfounded(part, full, targets) for part in parts} if len(parts) > 1 else {}
            if not any(v is None for v in why.values()):
                out.drop("summary_sentence", text, reason, where)
                continue
            for part, wrong in why.items():
                if wrong:  # (the item is kept: its text lost a part, as a cut-off end is reported)
                    out.drop("summary_sentence", part, wrong, f"{where}.text")
            text = " ".join(part for part, wrong in why.items() if wrong is None)
        if not text.endswith(_ENDS_WHOLE):  # a sentence copied without its stop, or a headline:
            text = text.rstrip(",;: ") + "."  # the summary reads as sentences, not one run-on line
        text = _SPACED_INITIALS.sub(lambda m: f"{m[1]}.{m[2]}." if f"{m[1]}.{m[2]}." in full else m[0], text)
        kept.append(SummarySentence(text=text, support=sorted(spans.values(), key=lambda x: x.start)))
    return kept
