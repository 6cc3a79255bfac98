"""What the model must return (`Extraction`) and what the user gets back (`ArticleSummary`).

The `Extraction` field descriptions are part of the prompt: instructor sends them as the JSON
schema of the tool the model must call. Keep them short, concrete and written for the model.
Lengths and list sizes are bounded so that a small grammar-constrained model cannot run on.

`ArticleSummary` is the output contract of the README: every quote satisfies
`article[start:end] == text`, and target mentions / allegation evidence carry spans too.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .grounding import check_extraction

Status = Literal["alleged", "claimed", "denied", "confirmed", "charged", "convicted"]
Kind = Literal["person", "organization", "vessel", "aircraft", "government", "country", "other"]


# --------------------------------------------------------------------------- model-facing


class ExtractedQuote(BaseModel):
    """A piece of direct speech: a listed quotation by its id, or verbatim text."""

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

    claim: str = Field(max_length=400, description="What is alleged, in one plain sentence.")
    alleged_by: str | None = Field(
        default=None,
        max_length=160,
        description="Who makes the accusation; 'unspecified' for 'has been accused'; null if unknown.",
    )
    against: str | None = Field(
        default=None, max_length=160, description="Who or what is accused."
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
            "The hedging words exactly as the article writes them (e.g. 'allegedly', 'suspected', "
            "'claimed'); null when the article states it flatly."
        ),
    )
    evidence: str | None = Field(
        default=None,
        max_length=600,
        description="A short verbatim excerpt (one sentence or less) of the article where this is said.",
    )


class ExtractedTarget(BaseModel):
    """An entity that the article says is sanctioned, designated, or has sanctions lifted."""

    name: str = Field(
        max_length=160,
        description=(
            "The target's name exactly as the article spells it. Only named entities: never make "
            "up a name for an unnamed one such as 'three ship operators'."
        ),
    )
    kind: Kind = Field(description="What sort of entity the target is.")
    country: str | None = Field(
        default=None,
        max_length=80,
        description="The country the article links the target to, in English; null if it gives none.",
    )
    imposed_by: str | None = Field(
        default=None,
        max_length=120,
        description="Who imposes (or lifts) the sanctions, as the article says; null if not said.",
    )


class Extraction(BaseModel):
    """Fill this in from the article only. Use empty lists when the article has none."""

    summary: str = Field(
        max_length=1500,
        description=(
            "2 to 4 neutral sentences on what the article reports. Keep its hedging "
            "('allegedly', 'claimed'); do not state as fact what it only reports as alleged, and "
            "say nothing the article does not."
        ),
    )
    allegations: list[ExtractedAllegation] = Field(default_factory=list, max_length=20)
    sanctions_targets: list[ExtractedTarget] = Field(
        default_factory=list,
        max_length=30,
        description="Named targets of sanctions. Travel bans, suspensions and impeachment are not sanctions.",
    )
    quotes: list[ExtractedQuote] = Field(default_factory=list, max_length=40)

    @model_validator(mode="after")
    def _quotes_are_in_the_article(self) -> Extraction:
        """Raise (so instructor re-asks) when a quote cannot be placed in the article."""
        check_extraction([(q.ref, q.text) for q in self.quotes])
        return self


class WholeSummary(BaseModel):
    """The summary of a long article, written from the summaries of its parts."""

    summary: str = Field(
        max_length=1500,
        description="2 to 4 neutral sentences about the whole article, keeping its hedging.",
    )


# --------------------------------------------------------------------------- user-facing


class Span(BaseModel):
    """A place in the article: `article[start:end] == text`."""

    start: int
    end: int
    text: str


class Quote(BaseModel):
    text: str
    speaker: str | None
    start: int
    end: int


class Allegation(BaseModel):
    claim: str
    alleged_by: str | None
    against: str | None
    status: Status
    hedge: str | None
    evidence: Span | None


class SanctionsTarget(BaseModel):
    name: str
    kind: Kind
    country: str | None
    imposed_by: str | None
    mention: Span | None


class Usage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0


class Dropped(BaseModel):
    """An item the model returned that the tool refused to pass on, and why."""

    kind: Literal["quote", "sanctions_target", "evidence", "hedge", "speaker"]
    text: str
    reason: str


class Provenance(BaseModel):
    model: str
    backend: str
    prompt_sha256: str
    schema_sha256: str
    input_sha256: str
    attempts: int
    usage: Usage
    elapsed_s: float
    dropped: list[Dropped] = Field(default_factory=list)
    source: str | None = None
    cached: bool = False
    chunks: int = 1
    title: str | None = None
    author: str | None = None
    date: str | None = None
    engine: str = "live"  # live calls, or "batch-api" / "import" (answers from a batch engine)
    batch_ids: list[str] = Field(default_factory=list)  # the provider's batches that answered
    batch_discount: float | None = None  # price cut of those answers where known (0.5 = half price)


class ArticleSummary(BaseModel):
    """The grounded result: the JSON output contract."""

    model_config = ConfigDict(extra="forbid")

    summary: str
    allegations: list[Allegation]
    sanctions_targets: list[SanctionsTarget]
    quotes: list[Quote]
    provenance: Provenance
    text: str | None = Field(
        default=None,
        description="The article text the offsets index, included when it differs from the input file (HTML).",
    )

    def check_offsets(self, article: str) -> None:
        """Raise ValueError if any span does not index `article` exactly (a contract check)."""
        for q in self.quotes:
            if article[q.start : q.end] != q.text:
                raise ValueError(f"quote not at its offsets: {q.text[:60]!r}")
        spans = [t.mention for t in self.sanctions_targets] + [a.evidence for a in self.allegations]
        for s in spans:
            if s is not None and article[s.start : s.end] != s.text:
                raise ValueError(f"span not at its offsets: {s.text[:60]!r}")


@cache
def schema_sha256() -> str:
    """Hash of what the model is asked to fill in; part of the cache key and provenance."""
    blob = json.dumps(Extraction.model_json_schema(), sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()


def output_json_schema() -> dict[str, object]:
    """JSON Schema of the user-facing result, for `summarizer schema`."""
    return ArticleSummary.model_json_schema()
