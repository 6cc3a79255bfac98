"""text -> messages -> model (instructor) -> validate/ground -> ArticleSummary.

There is one path: `Summarizer.run` (sync) and `Summarizer.arun` (async) differ only in the
line that calls the client; preparing the call and assembling the result are shared.
"""

from __future__ import annotations

import asyncio
import contextvars
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from instructor.core.hooks import Hooks

from . import ledger as ledger_mod
from .assemble import ground_allegations, ground_quotes, ground_targets, with_quote_texts
from .chunking import Chunk, carry_speakers, count_tokens_for, merge, split, summaries_prompt
from .client import make_async_client, make_client, prepared, translate
from .errors import TruncatedOutputError
from .grounding import GroundingState, grounding
from .inputs import Article
from .prompts import build_messages, load, prompt_sha256
from .schema import (
    ArticleSummary,
    Dropped,
    Extraction,
    Provenance,
    Quote,
    Usage,
    WholeSummary,
    schema_sha256,
)
from .settings import Settings

CHUNK_CONCURRENCY = 4  # chunk calls of one article in flight at once


class Summarizer:
    """One configured model connection; reuse it for many articles (clients are shared)."""

    def __init__(
        self,
        settings: Settings,
        *,
        on_event: Callable[[str], None] | None = None,
        transport: Any = None,
    ) -> None:
        self.settings = settings
        self.on_event = on_event
        self.transport = transport  # None: the stack for the settings (bulk runs pass their own)
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
            "response_model": prepared(Extraction),
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

    def _retry_truncated(
        self, exc: Exception, budget: int, led: ledger_mod.Ledger | None, last: bool
    ) -> None:
        """Re-raise `exc` as a typed error unless it is a first truncation worth one retry."""
        err = translate(exc, self.settings, led.requests if led else 0)
        if isinstance(err, TruncatedOutputError) and not last:
            if led is not None:
                led.event(f"output cut off at max_tokens={budget}; retrying once with {budget * 2}")
            return
        if isinstance(err, TruncatedOutputError):
            err = TruncatedOutputError(
                f"the model's output was cut off even at max_tokens={budget}",
                "raise --max-tokens or use a model with a larger output limit",
            )
        raise err from None

    def _assemble(
        self,
        article: Article,
        parts: list[Extraction],
        chunks: list[Chunk],
        led: ledger_mod.Ledger,
        t0: float,
        summary: str | None = None,
    ) -> ArticleSummary:
        """Ground everything in the full text; quotes chunk by chunk, so each place counts once."""
        text = article.text
        dropped: list[Dropped] = []
        parts = [with_quote_texts(p, c.text) for p, c in zip(parts, chunks, strict=True)]
        extraction = parts[0] if len(parts) == 1 else merge(parts, chunks)
        quotes: dict[tuple[int, int], Quote] = {}
        for found, chunk in zip(carry_speakers(parts, chunks), chunks, strict=True):
            for q in ground_quotes(chunk.text, found, dropped, offset=chunk.start, full_text=text):
                quotes.setdefault((q.start, q.end), q)  # overlapping chunks: same place, one quote
        result = ArticleSummary(
            summary=summary if summary is not None else extraction.summary,
            quotes=sorted(quotes.values(), key=lambda q: q.start),
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
                dropped=dropped,  # complete: the grounding calls above ran first
                source=article.source,
                chunks=len(chunks),
                title=article.title,
                author=article.author,
                date=article.date,
            ),
            text=text if article.is_html else None,
        )
        return result

    # -- the two call styles ---------------------------------------------------------
    # Each style has the same three steps: extract one text (with the truncation retry),
    # extract every chunk concurrently, and summarise the part summaries of a long article.

    def _extract(self, text: str) -> Extraction:
        for i, budget in enumerate(self._budgets()):
            state = self._state(text)
            try:
                with grounding(state):
                    extraction: Extraction = self._client.chat.completions.create(
                        **self._kwargs(text, state, budget)
                    )
                return extraction
            except Exception as exc:  # noqa: BLE001 - translated to a typed error
                self._retry_truncated(exc, budget, ledger_mod.current(), last=i == 1)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _aextract(self, text: str) -> Extraction:
        for i, budget in enumerate(self._budgets()):
            state = self._state(text)
            try:
                with grounding(state):
                    extraction: Extraction = await self._aclient.chat.completions.create(
                        **self._kwargs(text, state, budget)
                    )
                return extraction
            except Exception as exc:  # noqa: BLE001
                self._retry_truncated(exc, budget, ledger_mod.current(), last=i == 1)
        raise AssertionError("unreachable")  # pragma: no cover

    def _summary_kwargs(self, parts: list[Extraction]) -> dict[str, Any]:
        return {
            "response_model": prepared(WholeSummary),
            "messages": [
                {"role": "system", "content": load("system").strip()},
                {"role": "user", "content": summaries_prompt([p.summary for p in parts])},
            ],
            "model": self.settings.model,
            "max_retries": self.settings.max_reasks,
            "temperature": self.settings.temperature,
            "max_tokens": min(self.settings.max_tokens, 1024),
        }

    def _translate(self, exc: Exception) -> Exception:
        led = ledger_mod.current()
        return translate(exc, self.settings, led.requests if led else 0)

    def run(self, article: Article) -> ArticleSummary:
        """Summarize one article synchronously; chunks of a long one run in threads."""
        if self._client is None:
            self._client = make_client(self.settings, self.transport)
        t0 = time.monotonic()
        led = self._ledger()
        with ledger_mod.recording(led):
            chunks = self._chunks(article.text)
            if len(chunks) == 1:
                return self._assemble(article, [self._extract(article.text)], chunks, led, t0)
            workers = min(len(chunks), CHUNK_CONCURRENCY)
            with ThreadPoolExecutor(max_workers=workers) as pool:
                # each thread runs in a copy of this context: the same ledger, its own grounding
                futures = [
                    pool.submit(contextvars.copy_context().run, self._extract, c.text) for c in chunks
                ]
                parts = [f.result() for f in futures]
            try:
                whole = self._client.chat.completions.create(**self._summary_kwargs(parts))
            except Exception as exc:  # noqa: BLE001
                raise self._translate(exc) from None
            return self._assemble(article, parts, chunks, led, t0, whole.summary)

    async def arun(self, article: Article) -> ArticleSummary:
        """Summarize one article on the running event loop (calls overlap in batches)."""
        if self._aclient is None:
            self._aclient = make_async_client(self.settings, self.transport)
        t0 = time.monotonic()
        led = self._ledger()
        with ledger_mod.recording(led):
            chunks = self._chunks(article.text)
            if len(chunks) == 1:
                return self._assemble(article, [await self._aextract(article.text)], chunks, led, t0)
            gate = asyncio.Semaphore(CHUNK_CONCURRENCY)

            async def one(text: str) -> Extraction:
                async with gate:
                    return await self._aextract(text)

            parts = list(await asyncio.gather(*(one(c.text) for c in chunks)))
            try:
                whole = await self._aclient.chat.completions.create(**self._summary_kwargs(parts))
            except Exception as exc:  # noqa: BLE001
                raise self._translate(exc) from None
            return self._assemble(article, parts, chunks, led, t0, whole.summary)

    def _chunks(self, text: str) -> list[Chunk]:
        return split(text, self.settings.article_budget, count_tokens_for(self.settings.model))

    def close(self) -> None:
        if self._client is not None:
            self._client.client.close()

    async def aclose(self) -> None:
        if self._aclient is not None:
            await self._aclient.client.close()
