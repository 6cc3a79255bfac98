"""The response models the pipeline sends, and when to re-ask: each answer is grounded once.

`Extraction` and `WholeSummary` here are the data models of `summarizer.schema` (same name,
fields and description, so the request the model sees is the same) with a validator that
grounds the answer against the article of the current call. instructor re-asks the model with
a validator's error message, so every drop that grounding
reports (an unplaceable quote, a name the article does not contain, an uncited allegation, a
summary sentence naming what the article does not) goes back to the model once per re-ask
within the budget. On the last attempt the validator stops raising, and the pipeline takes the
grounding it made (`GroundingState.grounded`): what is still wrong is dropped and reported
instead of failing the whole article, and nothing is grounded twice.

Validation reads the article from a context variable rather than from instructor's
`context=`, because `context=` makes instructor render every message as a Jinja template (an
article holding `{{ 7*7 }}` would reach the model as `49`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from pydantic import model_validator

from .. import schema
from ..schema import Dropped, Span
from .ground import NOT_REASKED, Grounded, ground, ground_summary

MAX_LISTED_PROBLEMS = 12


@dataclass
class GroundingState:
    """What one model call is checked against, and which attempt it is on.

    `article` is the text the model was shown (a whole article or one chunk at `offset` in
    `full_text`). For the call that writes a long article's summary from its parts,
    `part_support` maps the part-summary sentence ids ("P1", ...) to their article spans.
    """

    article: str
    max_attempts: int
    full_text: str | None = None
    offset: int = 0
    part_support: dict[str, list[Span]] | None = None
    attempt: int = 0
    reasks: list[str] = field(default_factory=list)
    grounded: Grounded | None = None  # the last answer's grounding: the pipeline uses it as is

    @property
    def last_attempt(self) -> bool:
        return self.attempt >= self.max_attempts

    def next_attempt(self, *_: object, **__: object) -> None:
        """Called once per model attempt (`client.each_request`: before each request of the call)."""
        self.attempt += 1


_STATE: ContextVar[GroundingState | None] = ContextVar("summarizer_grounding", default=None)


@contextmanager
def grounding(state: GroundingState) -> Iterator[GroundingState]:
    """Make `state` visible to the schema validators for the duration of one model call."""
    token = _STATE.set(state)
    try:
        yield state
    finally:
        _STATE.reset(token)


def _raise(state: GroundingState, dropped: list[Dropped]) -> None:
    """Raise the re-ask message for `dropped`, unless there is nothing to say or no try left."""
    problems = [d for d in dropped if d.kind not in NOT_REASKED]
    if not problems or state.last_attempt:
        return
    lines = [f"[{i + 1}] {d.where}: {d.text[:160]!r}: {d.reason}" for i, d in enumerate(problems[:MAX_LISTED_PROBLEMS])]
    message = (
        f"{len(problems)} item(s) of the answer are not in the article: "
        + "; ".join(lines)
        + ". Cite quotations by their QUOTATIONS id and evidence and summary support by the [S#] "
        "ids of the article's sentences; copy every name exactly as the article writes it (or "
        "use null); remove what the article does not support."
    )
    state.reasks.append(message)
    raise ValueError(message)


def check_extraction(extraction: schema.Extraction) -> None:
    """Ground the answer (kept in the state) and raise, so instructor re-asks, when part of it
    is not in the article."""
    state = _STATE.get()
    if state is None:
        return
    state.grounded = ground(extraction, state.article, offset=state.offset, full_text=state.full_text)
    _raise(state, state.grounded.dropped)


def check_whole_summary(whole: schema.WholeSummary) -> None:
    """The summary of a long article's parts: each sentence cites part sentences ("P2")."""
    state = _STATE.get()
    if state is None or state.part_support is None:
        return
    out = Grounded()
    out.summary = ground_summary(state.full_text or state.article, whole.summary, state.part_support, out, letter="P")
    state.grounded = out
    _raise(state, out.dropped)


class Extraction(schema.Extraction):
    __doc__ = schema.Extraction.__doc__  # the tool's description: the same words as the data model

    @model_validator(mode="after")
    def _grounded_in_the_article(self) -> Extraction:
        """Raise (so instructor re-asks) when something cannot be found in the article."""
        check_extraction(self)
        return self


class WholeSummary(schema.WholeSummary):
    __doc__ = schema.WholeSummary.__doc__

    @model_validator(mode="after")
    def _supported(self) -> WholeSummary:
        check_whole_summary(self)
        return self
