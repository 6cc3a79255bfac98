"""text -> messages -> model (instructor) -> validate/ground -> ArticleSummary.

There is one path: `Summarizer.run` (sync) and `Summarizer.arun` (async) differ only in the
line that calls the client; preparing the call and assembling the result are shared.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from instructor.core.hooks import Hooks

from . import ledger as ledger_mod
from .assemble import ground_allegations, ground_quotes, ground_targets
from .client import make_async_client, make_client, translate
from .errors import TruncatedOutputError
from .grounding import GroundingState, grounding
from .inputs import Article
from .prompts import build_messages, prompt_sha256
from .schema import (
    ArticleSummary,
    Dropped,
    Extraction,
    Provenance,
    Usage,
    schema_sha256,
)
from .settings import Settings


class Summarizer:
    """One configured model connection; reuse it for many articles (clients are shared)."""

    def __init__(
        self, settings: Settings, *, on_event: Callable[[str], None] | None = None
    ) -> None:
        self.settings = settings
        self.on_event = on_event
        self._client: Any = None
        self._aclient: Any = None

    # -- shared steps ----------------------------------------------------------------
    def _budgets(self) -> list[int]:
        """max_tokens for the first try and for the one retry after a truncated answer."""
        return [self.settings.max_tokens, self.settings.max_tokens * 2]

    def _kwargs(self, text: str, state: GroundingState, max_tokens: int) -> dict[str, Any]:
        hooks = Hooks()
        hooks.on("completion:kwargs", state.next_attempt)
        return {
            "response_model": Extraction,
            "messages": build_messages(text),
            "model": self.settings.model,
            "max_retries": self.settings.max_reasks,
            "hooks": hooks,
            "temperature": self.settings.temperature,
            "max_tokens": max_tokens,
        }

    def _ledger(self) -> ledger_mod.Ledger:
        return ledger_mod.Ledger(
            deadline=time.monotonic() + self.settings.timeout, on_event=self.on_event
        )

    def _state(self, text: str) -> GroundingState:
        return GroundingState(article=text, max_attempts=self.settings.max_reasks + 1)

    def _retry_truncated(self, exc: Exception, budget: int, led: ledger_mod.Ledger, last: bool) -> None:
        """Re-raise `exc` as a typed error unless it is a first truncation worth one retry."""
        err = translate(exc, self.settings, led.requests)
        if isinstance(err, TruncatedOutputError) and not last:
            led.event(f"output cut off at max_tokens={budget}; retrying once with {budget * 2}")
            return
        if isinstance(err, TruncatedOutputError):
            err = TruncatedOutputError(
                f"the model's output was cut off even at max_tokens={budget}",
                "raise --max-tokens or use a model with a larger output limit",
            )
        raise err from None

    def _assemble(
        self, article: Article, extraction: Extraction, led: ledger_mod.Ledger, t0: float
    ) -> ArticleSummary:
        text = article.text
        dropped: list[Dropped] = []
        result = ArticleSummary(
            summary=extraction.summary,
            quotes=ground_quotes(text, extraction, dropped),
            sanctions_targets=ground_targets(text, extraction, dropped),
            allegations=ground_allegations(text, extraction, dropped),
            provenance=Provenance(
                model=self.settings.model,
                backend=self.settings.backend_label,
                prompt_sha256=prompt_sha256(),
                schema_sha256=schema_sha256(),
                input_sha256=article.sha256,
                attempts=led.requests,
                usage=Usage(
                    prompt_tokens=led.prompt_tokens,
                    completion_tokens=led.completion_tokens,
                    total_tokens=led.total_tokens,
                ),
                elapsed_s=round(time.monotonic() - t0, 3),
                dropped=[],
                source=article.source,
            ),
            text=text if article.is_html else None,
        )
        result.provenance.dropped = dropped
        return result

    # -- the two call styles ---------------------------------------------------------
    def run(self, article: Article) -> ArticleSummary:
        """Summarize one article synchronously."""
        if self._client is None:
            self._client = make_client(self.settings)
        t0 = time.monotonic()
        led = self._ledger()
        budgets = self._budgets()
        with ledger_mod.recording(led):
            for i, budget in enumerate(budgets):
                state = self._state(article.text)
                try:
                    with grounding(state):
                        extraction = self._client.chat.completions.create(
                            **self._kwargs(article.text, state, budget)
                        )
                    return self._assemble(article, extraction, led, t0)
                except Exception as exc:  # noqa: BLE001 - translated to a typed error
                    self._retry_truncated(exc, budget, led, last=i == len(budgets) - 1)
        raise AssertionError("unreachable")  # pragma: no cover

    async def arun(self, article: Article) -> ArticleSummary:
        """Summarize one article on the running event loop (calls overlap in batches)."""
        if self._aclient is None:
            self._aclient = make_async_client(self.settings)
        t0 = time.monotonic()
        led = self._ledger()
        budgets = self._budgets()
        with ledger_mod.recording(led):
            for i, budget in enumerate(budgets):
                state = self._state(article.text)
                try:
                    with grounding(state):
                        extraction = await self._aclient.chat.completions.create(
                            **self._kwargs(article.text, state, budget)
                        )
                    return self._assemble(article, extraction, led, t0)
                except Exception as exc:  # noqa: BLE001
                    self._retry_truncated(exc, budget, led, last=i == len(budgets) - 1)
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        if self._client is not None:
            self._client.client.close()

    async def aclose(self) -> None:
        if self._aclient is not None:
            await self._aclient.client.close()
