"""What the model must return (`Extraction`) and what the user gets back (`ArticleSummary`):
data only. The models the pipeline sends add grounding validators (`grounding.reask`).

The `Extraction` field descriptions are part of the prompt: instructor sends them as the JSON
schema of the tool the model must call. Keep them short, concrete and written for the model.
Lengths and list sizes are bounded so that a small grammar-constrained model cannot run on.
The model cites rather than copies: quotations by their id in the QUOTATIONS list, evidence
and summary support by the id of an article sentence ("S4"), so what it points at is the
article's own text by construction; names it must copy as the article writes them.

`ArticleSummary` is the output contract of the README: every span satisfies
`article[start:end] == text` (quotes, mentions of named fields, evidence, summary support).
"""

import builtins
import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

import pydantic
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
)


def _no_items() -> list[Any]:
    """The default of every list field. A Python function rather than the builtin `list`:
    pydantic inspects a default factory's signature, and a builtin's costs a tokenizer pass,
    which was a fifth of the time this module takes to import."""
    return []


Status = Literal["alleged", "claimed", "denied", "confirmed", "charged", "convicted"]
Kind = Literal["person", "organization", "vessel", "aircraft", "government", "country", "other"]


# --------------------------------------------------------------------------- model-facing

_ASKED = ConfigDict(defer_build=True)
"""The model-facing models are built on first use: a cache hit, a render or a screen never
sends them, and building them is a third of this module's import."""


class ExtractedQuote(BaseModel):
    """A piece of direct speech: a listed quotation by its id, or verbatim text."""

    model_config = _ASKED

    ref: str | None = Field(
        default=None,
        max_length=8,
        description=(
            "The id of the quotation in the QUOTATIONS list (e.g. 'Q3') when the quote is one of "
            "them. null for direct speech that is not listed."
        ),
    )
    text: str | None = Field(
        default=None,
        max_length=1200,
        description=(
            "Only when ref is null: the exact words of direct speech that is not in the list, "
            "copied character for character from the article. Never paraphrase, shorten inside, "
            "or fix typos."
        ),
    )
    speaker: str | None = Field(
        default=None,
        max_length=160,
        description=(
            "Who said it, as the article names them: the fullest personal name the article gives, "
            "without titles; an institution as written; for an unnamed speaker the article's own "
            "description. Resolve 'he said' to the person. null if the article does not say."
        ),
    )


class ExtractedAllegation(BaseModel):
    """An accusation that someone makes against someone else."""

    model_config = _ASKED

    claim: str = Field(max_length=400, description="What is alleged, in one plain sentence.")
    alleged_by: str | None = Field(
        default=None,
        max_length=160,
        description=(
            "Who makes the accusation, copied exactly as the article names them; null when the "
            "article does not say who ('has been accused', 'officials said')."
        ),
    )
    against: str | None = Field(
        default=None,
        max_length=160,
        description="Who or what is accused, copied exactly as the article names them.",
    )
    status: Status = Field(
        description=(
            "How the article presents it: alleged (reported accusation), claimed (asserted by a "
            "party), denied (the accused rejects it), confirmed (established as fact), charged "
            "(formal charges), convicted (a court found guilt)."
        )
    )
    hedge: str | None = Field(
        default=None,
        max_length=80,
        description=(
            "The hedging words exactly as the evidence sentence writes them (e.g. 'allegedly', "
            "'suspected', 'claimed'); null when it states the claim flatly."
        ),
    )
    evidence: str | None = Field(
        default=None,
        max_length=8,
        description="The id of the article sentence that states this accusation, e.g. 'S4'.",
    )


class ExtractedTarget(BaseModel):
    """An entity that the article says is sanctioned, designated, or has sanctions lifted."""

    model_config = _ASKED

    name: str = Field(
        max_length=160,
        description=(
            "The target's name copied exactly as the article spells it. Only named entities: "
            "never make up a name for an unnamed one such as 'three ship operators'."
        ),
    )
    kind: Kind = Field(description="What sort of entity the target is.")
    country: str | None = Field(
        default=None,
        max_length=80,
        description="The country the article links the target to, as the article names it; null if it gives none.",
    )
    imposed_by: str | None = Field(
        default=None,
        max_length=120,
        description="Who imposes (or lifts) the sanctions, copied as the article names them; null if not said.",
    )


class ExtractedSentence(BaseModel):
    """One sentence of the summary and the article sentences that support it."""

    model_config = _ASKED

    text: str = Field(max_length=400, description="One neutral sentence of the summary.")
    support: list[Annotated[str, Field(max_length=8)]] = Field(
        default_factory=_no_items,
        max_length=5,
        description="Ids of the article sentences that say this, e.g. ['S2', 'S7'].",
    )


class Extraction(BaseModel):
    """Fill this in from the article only. Use empty lists when the article has none."""

    model_config = _ASKED

    summary: list[ExtractedSentence] = Field(
        default_factory=_no_items,
        max_length=4,
        json_schema_extra={"minItems": 1},  # asked for (and re-asked when missing), not a parse error
        description=(
            "2 to 4 neutral sentences on what the article reports, in the article's language. "
            "Keep its hedging ('allegedly', 'claimed'); do not state as fact what it only reports "
            "as alleged, and name no one and no number the article does not."
        ),
    )
    allegations: list[ExtractedAllegation] = Field(default_factory=_no_items, max_length=20)
    sanctions_targets: list[ExtractedTarget] = Field(
        default_factory=_no_items,
        max_length=30,
        description="Named targets of sanctions. Travel bans, suspensions and impeachment are not sanctions.",
    )
    quotes: list[ExtractedQuote] = Field(default_factory=_no_items, max_length=40)


class WholeSummary(BaseModel):
    """The summary of a long article, written from the summaries of its parts."""

    model_config = _ASKED

    summary: list[ExtractedSentence] = Field(
        default_factory=_no_items,
        max_length=4,
        description=(
            "2 to 4 neutral sentences about the whole article, keeping its hedging; each cites "
            "the ids of the part-summary sentences it rests on, e.g. ['P1', 'P4']."
        ),
    )


# --------------------------------------------------------------------------- user-facing


class ScreeningHit(BaseModel):
    """A sanctions-list entry that a name matched (see summarizer/screening and docs/screening.md)."""

    list: str
    entry_id: str
    name: str
    matched_name: str
    programs: builtins.list[str]
    type: str
    score: float
    why: str
    url: str | None = None


class ScreeningSummary(BaseModel):
    """What screening covered in one result, so an empty result never looks clean by accident.

    `screened`: distinct names sent to the lists; `not_screened`: named parties of the output
    that were not (country targets, and with scope "targets" the speakers, accusers and
    accused); `hits`: list entries matched, over the screened names; `reason`: why something
    was not screened, or null when everything named was (see docs/screening.md)."""

    lists: builtins.list[str]
    scope: Literal["targets", "all"]
    screened: int
    not_screened: int
    hits: int
    reason: str | None = None


class _Screened(BaseModel):
    """A `screening` list that is set only when screening ran (--screen / screening=);
    [] means screened, nothing matched. Without screening the key is not output at all."""

    screening: builtins.list[ScreeningHit] | None = None

    @model_serializer(mode="wrap")
    def _without_unscreened(self, handler: SerializerFunctionWrapHandler) -> dict[str, object]:
        data: dict[str, object] = handler(self)
        if self.screening is None:
            data.pop("screening", None)
        return data


class Span(BaseModel):
    """A place in the article: `article[start:end] == text`."""

    start: int
    end: int
    text: str


class Mention(Span, _Screened):
    """A place where the article names the entity of a named field (screened with --screen-all)."""


class Quote(BaseModel):
    text: str
    speaker: str | None
    speaker_mention: Mention | None = None
    start: int
    end: int


class Allegation(BaseModel):
    claim: str
    alleged_by: str | None
    alleged_by_mention: Mention | None = None
    alleged_by_unnamed: bool = Field(
        default=False,
        description="True when the article does not say who makes the accusation ('has been accused').",
    )
    against: str | None
    against_mention: Mention | None = None
    status: Status
    hedge: str | None
    hedge_span: Span | None = None
    evidence: Span


class SanctionsTarget(_Screened):
    name: str
    kind: Kind
    country: str | None
    country_mention: Mention | None = None
    imposed_by: str | None
    imposed_by_mention: Mention | None = None
    mention: Mention


class SummarySentence(BaseModel):
    """A sentence of the summary and the article's words that support it."""

    text: str
    support: list[Span]


class Usage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0


class Dropped(BaseModel):
    """An item the model returned that the tool refused to pass on, and why."""

    kind: Literal[
        "quote",
        "speaker",
        "sanctions_target",
        "country",
        "imposed_by",
        "allegation",
        "alleged_by",
        "against",
        "evidence",
        "hedge",
        "summary_sentence",
    ]
    text: str
    reason: str
    where: str | None = Field(default=None, description="Which item of the model's answer, e.g. 'allegations[2].against'.")


class Provenance(BaseModel):
    model: str
    backend: str
    prompt_sha256: str
    schema_sha256: str
    input_sha256: str
    attempts: int
    usage: Usage
    elapsed_s: float
    dropped: list[Dropped] = Field(default_factory=_no_items)
    source: str | None = None
    cached: bool = False
    chunks: int = 1
    title: str | None = None
    author: str | None = None
    date: str | None = None
    engine: str = "live"  # live calls, or "batch-api" / "import" (answers from a batch engine)
    batch_ids: list[str] = Field(default_factory=_no_items)  # the provider's batches that answered
    batch_discount: float | None = None  # price cut of those answers where known (0.5 = half price)
    provider: str | None = None  # the provider named (providers.py); None: a server named by base_url, or nothing sent
    endpoint: str | None = None  # scheme://host:port that answered, never credentials; None: nothing sent


class ArticleSummary(BaseModel):
    """The grounded result: the JSON output contract."""

    model_config = ConfigDict(extra="forbid")

    summary: str
    summary_sentences: list[SummarySentence] = Field(default_factory=_no_items)
    allegations: list[Allegation]
    sanctions_targets: list[SanctionsTarget]
    quotes: list[Quote]
    provenance: Provenance
    text: str | None = Field(
        default=None,
        description="The article text the offsets index, included when it differs from the input file (HTML).",
    )
    screening: ScreeningSummary | None = Field(
        default=None, description="What sanctions screening covered; null when screening was not asked for."
    )

    def spans(self) -> list[Span]:
        """Every span of the result: quotes, mentions, evidence, hedges, summary support."""
        out: list[Span] = [Span(start=q.start, end=q.end, text=q.text) for q in self.quotes]
        out += [q.speaker_mention for q in self.quotes if q.speaker_mention]
        for a in self.allegations:
            out += [s for s in (a.alleged_by_mention, a.against_mention, a.hedge_span, a.evidence) if s]
        for t in self.sanctions_targets:
            out += [s for s in (t.mention, t.country_mention, t.imposed_by_mention) if s]
        for sentence in self.summary_sentences:
            out += sentence.support
        return out

    def check_offsets(self, article: str) -> None:
        """Raise ValueError if any span does not index `article` exactly (a contract check)."""
        for s in self.spans():
            if article[s.start : s.end] != s.text:
                raise ValueError(f"span not at its offsets: {s.text[:60]!r}")


@cache
def schema_sha256() -> str:
    """Hash of what the model is asked to fill in (its JSON schema), for the provenance."""
    blob = json.dumps(Extraction.model_json_schema(), sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()


@cache
def schema_fingerprint() -> str:
    """What the cache key holds for the schema: the hash of this module's source and of the
    pydantic that turns it into a JSON schema. It changes whenever `schema_sha256` can (and on
    mere edits, which only cost a miss), without generating the schema, a third of a cache
    hit's own work; where the source cannot be read, `schema_sha256` itself."""
    try:
        source = Path(__file__).read_bytes()
    except OSError:
        return schema_sha256()
    return hashlib.sha256(source + pydantic.VERSION.encode()).hexdigest()


def output_json_schema() -> dict[str, object]:
    """JSON Schema of the user-facing result, for `summarizer schema`."""
    return ArticleSummary.model_json_schema()
