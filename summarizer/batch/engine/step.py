"""One article through the real pipeline with the answers known so far.

The outcome is a grounded `ArticleSummary`, a typed failure, or the requests the article still
needs (its next batch round). The pipeline, instructor and the openai client are the same as in
a live run; only the bottom transport differs (`transports/batch_answers.py`), so a batch answer is
validated, re-asked and grounded exactly like a live one, and a request line is exactly what a
live call would send.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from ...errors import SummarizerError
from ...pipeline import Pipeline
from ...schema import ArticleSummary
from ...settings import Settings
from ...transports.base import Transport
from ...transports.batch_answers import Answer, Answered, Asked, asking
from .. import Id, Loader
from .format import custom_id


@dataclass
class Step:
    """What running an article once gave: exactly one of result, error, or misses."""

    result: ArticleSummary | None = None
    error: SummarizerError | None = None
    misses: dict[str, Any] = field(default_factory=dict)  # custom id -> request body
    used: list[str] = field(default_factory=list)  # custom ids answered from memory


def internal(err: BaseException) -> SummarizerError:
    """An unexpected exception as a one-line error (key redacted), like a live batch's line."""
    from ...redact import redact

    return SummarizerError(" ".join(f"{type(err).__name__}: {redact(str(err))}".split())[:300])


class Stepper:
    """Runs articles against `answers` (custom id -> Answer); `fallback` sends misses live."""

    def __init__(
        self,
        settings: Settings,
        answers: Mapping[str, Answer],
        fallback: Transport | None = None,
        *,
        screen: Callable[[Any], Any] | None = None,
    ) -> None:
        self.answers = answers
        summarizer: Any = Pipeline(settings, transport=Answered(fallback))
        # sanctions screening of each result, as a live batch does (`--screen`)
        self.summarizer = screen(summarizer) if screen is not None else summarizer

    def _asked(self, rid: Id) -> Asked:
        return Asked(name=partial(custom_id, rid), answers=self.answers)

    @staticmethod
    def _outcome(asked: Asked, err: BaseException) -> Step:
        if asked.misses:  # whatever the exception became on its way up: the article waits
            return Step(misses=dict(asked.misses), used=list(asked.used))
        error = err if isinstance(err, SummarizerError) else internal(err)
        return Step(error=error, used=list(asked.used))

    def step(self, rid: Id, loader: Loader) -> Step:
        """Run the article synchronously (chunks in threads, each recording its own misses)."""
        asked = self._asked(rid)
        try:
            with asking(asked):
                result = self.summarizer.run(loader())
        except Exception as err:  # noqa: BLE001 - sorted into misses or a typed error
            return self._outcome(asked, err)
        return Step(result=result, used=list(asked.used))

    async def astep(self, rid: Id, loader: Loader) -> Step:
        """The same on the event loop, for articles finished by live calls."""
        asked = self._asked(rid)
        try:
            with asking(asked):
                article = await asyncio.to_thread(loader)
                result = await self.summarizer.arun(article)
        except Exception as err:  # noqa: BLE001
            return self._outcome(asked, err)
        return Step(result=result, used=list(asked.used))

    def close(self) -> None:
        self.summarizer.close()

    async def aclose(self) -> None:
        await self.summarizer.aclose()
