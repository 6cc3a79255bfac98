"""text -> messages -> model (instructor) -> validate/ground -> ArticleSummary.

There is one path: `Pipeline.run` (sync) and `Pipeline.arun` (async) differ only in the
line that calls the client; preparing the call and assembling the result are shared.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import ledger as ledger_mod
from . import progress
from .chunking import Chunk, carry_speakers, count_tokens_for, split
from .client import each_request, make_async_client, make_client, prepared, translate
from .errors import OutputInvalidError, TruncatedOutputError
from .grounding.ground import Grounded, ground
from .grounding.reask import Extraction, GroundingState, WholeSummary, grounding
from .grounding.spans import numbered_quotations, resolve_ref
from .inputs import Article
from .prompts import build_messages, prompt_sha256, summaries_messages
from .schema import (
    Allegation,
    ArticleSummary,
    Dropped,
    Provenance,
    Quote,
    SanctionsTarget,
    Span,
    SummarySentence,
    Usage,
    schema_sha256,
)
from .schema import Extraction as ExtractionData
from .settings import Settings

if TYPE_CHECKING:
    from . import focused

CHUNK_CONCURRENCY = 4  # chunk calls of one article in flight at once


@contextmanager
def grounded_call(state: GroundingState) -> Iterator[GroundingState]:
    """The context of one model call checked against `state`: its validators ground the
    answer, and each request it sends (each attempt) is counted."""
    with grounding(state), each_request(state.next_attempt):
        yield state


@dataclass
class Answer:
    """One chunk's answer, and its grounding when the validator made it (None for the focused
    plan, whose answers are put together without a validator)."""

    extraction: ExtractionData
    grounded: Grounded | None = None


class Asked:
    """The focused questions of one article as a person follows them: "question 5 of 14
    (speaker)", one progress event (stage "question") as each is sent. Shared by the article's
    chunks (threads or tasks), so the count runs over the whole article."""

    def __init__(self, total: int | None) -> None:
        self.total = total
        self.sent = 0
        self._lock = threading.Lock()

    def next(self, question: focused.Question) -> None:
        with self._lock:
            self.sent += 1
            n = self.sent
        total = self.total if self.total is not None and n <= self.total else None
        kind = question.response_model.__name__.removesuffix("Answer").lower()  # speaker, targets, ...
        where = f"question {n} of {total}" if total is not None else f"question {n}"
        progress.emit("question", f"{where} ({kind})", n, total)


def count_questions(text: str, prompts_dir: Any = None) -> int | None:
    """How many questions the focused plan asks about `text`: the plan run with no answers (None
    each, which it reads as "unanswered"), so nothing is sent. The plan chooses its questions
    from the text; were one ever to depend on an answer, the count would be a guess, and the
    display drops its "of N" once passed. None when the plan cannot be counted this way."""
    from .focused import plan  # the local model's plan: its models load only for it

    questions = plan(text, prompts_dir)
    count = 0
    try:
        next(questions)
        count = 1
        while True:
            questions.send(None)
            count += 1
    except StopIteration:
        return count
    except Exception:  # noqa: BLE001 - a count for a display must never break the run
        return None


class Pipeline:
    """One configured model connection; reuse it for many articles (clients are shared).

    The engine: one Article in, one result out. The public client `summarizer.Summarizer`
    (api.py) holds one of these and adds input parsing, the results cache and screening.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        on_event: Callable[[str], None] | None = None,
        transport: Any = None,
        http_client: Any = None,
    ) -> None:
        self.settings = settings
        self.on_event = on_event
        self.transport = transport  # None: the stack for the settings (bulk runs pass their own)
        self.http_client = http_client  # a caller's httpx2 client under the stack (never closed here)
        self._client: Any = None
        self._aclient: Any = None
        self._count_tokens: Callable[[str], int] | None = None

    # -- shared steps ----------------------------------------------------------------
    def _budgets(self) -> list[int]:
        """max_tokens for the first try and for the one retry after a truncated answer."""
        return [self.settings.max_tokens, self.settings.max_tokens * 2]

    def _kwargs(self, chunk: Chunk, state: GroundingState, max_tokens: int) -> dict[str, Any]:
        return {
            "response_model": prepared(Extraction),
            "messages": build_messages(chunk.text, self.settings.prompts_dir),
            "model": self.settings.model,
            "max_retries": self.settings.max_reasks,
            "temperature": self.settings.temperature,
            "max_tokens": max_tokens,
        }

    def _ledger(self) -> ledger_mod.Ledger:
        return ledger_mod.Ledger(
            deadline=time.monotonic() + self.settings.timeout, on_event=self.on_event
        )

    def _state(self, chunk: Chunk, full_text: str) -> GroundingState:
        return GroundingState(
            article=chunk.text, full_text=full_text, offset=chunk.start, max_attempts=self.settings.max_reasks + 1
        )

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
        grounded: list[Grounded],
        chunks: list[Chunk],
        led: ledger_mod.Ledger,
        t0: float,
        summary: tuple[list[SummarySentence], list[Dropped]] | None = None,
    ) -> ArticleSummary:
        """One result from the grounded parts: each place once, in article order."""
        quotes: dict[tuple[int, int], Quote] = {}
        targets: dict[str, SanctionsTarget] = {}
        allegations: dict[tuple[int, str], Allegation] = {}
        for part in grounded:
            for q in part.quotes:
                quotes.setdefault((q.start, q.end), q)  # overlapping chunks: same place, one quote
            for t in part.targets:
                targets.setdefault(t.name.casefold(), t)
            for a in part.allegations:
                allegations.setdefault((a.evidence.start, (a.against or "").casefold()), a)
        sentences, summary_drops = (grounded[0].summary, []) if summary is None else summary
        return ArticleSummary(
            summary=" ".join(s.text for s in sentences),
            summary_sentences=sentences,
            quotes=sorted(quotes.values(), key=lambda q: q.start),
            sanctions_targets=list(targets.values()),
            allegations=sorted(allegations.values(), key=lambda a: a.evidence.start),
            provenance=Provenance(
                model=self.settings.model,
                backend=self.settings.backend_label,
                prompt_sha256=prompt_sha256(self.settings.prompts_dir),
                schema_sha256=schema_sha256(),
                input_sha256=article.sha256,
                attempts=led.requests,
                usage=Usage(
                    prompt_tokens=led.prompt_tokens,
                    completion_tokens=led.completion_tokens,
                    total_tokens=led.total_tokens,
                ),
                elapsed_s=round(time.monotonic() - t0, 3),
                dropped=[d for part in grounded for d in part.dropped] + summary_drops,
                source=article.source,
                chunks=len(chunks),
                title=article.title,
                author=article.author,
                date=article.date,
                provider=self.settings.provider_label,
                endpoint=self.settings.public_endpoint,
            ),
            text=article.text if article.is_html else None,
        )

    def _ground_parts(self, article: Article, parts: list[Answer], chunks: list[Chunk]) -> list[Grounded]:
        """Each part grounded in its own chunk, a speaker carried across a boundary where safe.

        A part the validator already grounded is used as it is, unless a carried speaker
        changed it: each answer is grounded once per attempt, not again to build the result.
        """
        if len(parts) == 1 and parts[0].grounded is not None:
            return [parts[0].grounded]  # one part: no speaker to carry across a boundary
        texts = [_with_quote_texts(p.extraction, c.text) for p, c in zip(parts, chunks, strict=True)]
        carried = carry_speakers(texts, chunks)
        out = []
        for part, text, quotes, chunk in zip(parts, texts, carried, chunks, strict=True):
            unchanged = [q.speaker for q in quotes] == [q.speaker for q in text.quotes]
            if part.grounded is not None and unchanged:
                out.append(part.grounded)
            else:
                changed = part.extraction.model_copy(update={"quotes": quotes})
                out.append(ground(changed, chunk.text, offset=chunk.start, full_text=article.text))
        return out

    def _summary_request(self, article: Article, grounded: list[Grounded]) -> tuple[dict[str, Any], GroundingState]:
        """The call that writes a long article's summary from its parts' summary sentences."""
        support: dict[str, list[Span]] = {}
        lines: list[tuple[str, str]] = []
        for part in grounded:
            for s in part.summary:
                ref = f"P{len(lines) + 1}"
                lines.append((ref, s.text))
                support[ref] = s.support
        state = GroundingState(
            article=article.text, full_text=article.text, part_support=support,
            max_attempts=self.settings.max_reasks + 1,
        )
        kwargs = {
            "response_model": prepared(WholeSummary),
            "messages": summaries_messages(
                lines or [("P1", "(no part summary survived grounding)")], self.settings.prompts_dir
            ),
            "model": self.settings.model,
            "max_retries": self.settings.max_reasks,
            "temperature": self.settings.temperature,
            "max_tokens": min(self.settings.max_tokens, 1024),
        }
        return kwargs, state

    @staticmethod
    def _whole_summary(state: GroundingState) -> tuple[list[SummarySentence], list[Dropped]]:
        """The long article's summary as its validator grounded it."""
        out = state.grounded or Grounded()
        return out.summary, out.dropped

    # -- the two call styles ---------------------------------------------------------
    # Each style has the same three steps: extract one text (with the truncation retry),
    # extract every chunk concurrently, and summarise the part summaries of a long article.

    def _question_kwargs(self, q: focused.Question) -> dict[str, Any]:
        return {
            "response_model": prepared(q.response_model),
            "messages": q.messages,
            "model": self.settings.model,
            "max_retries": self.settings.max_reasks,
            "temperature": self.settings.temperature,
            "max_tokens": q.max_tokens,
        }

    def _unanswered(self, exc: Exception) -> Any:
        """A focused question whose answer was cut off or stayed invalid counts as unanswered;
        every other failure (network, key, deadline) ends the article as usual."""
        err = self._translate(exc)
        if isinstance(err, TruncatedOutputError | OutputInvalidError):
            led = ledger_mod.current()
            if led is not None:
                led.event(f"a focused question went unanswered: {err.one_line()}")
            return None  # the plan reads None as "no answer"
        raise err from None

    def _asked(self, chunks: list[Chunk]) -> Asked | None:
        """The article's question counter, when someone follows its progress (counting costs a
        dry run of the plan, no request)."""
        if self.settings.strategy_used != "focused" or not progress.active():
            return None
        counts = [count_questions(c.text, self.settings.prompts_dir) for c in chunks]
        return Asked(None if None in counts else sum(c for c in counts if c is not None))

    def _requests(self, chunk: Chunk, full_text: str, asked: Asked | None) -> Generator[dict[str, Any], Any, Answer]:
        """What one chunk asks, as the keyword arguments of each `chat.completions.create` call;
        the driver sends back the call's answer or throws its exception in. One definition of
        the article's requests for the sync client (`_extract`) and the async one (`_aextract`)."""
        if self.settings.strategy_used == "focused":
            from .focused import plan  # the local model's plan: its models load only for it

            questions = plan(chunk.text, self.settings.prompts_dir)
            try:
                q = next(questions)
                while True:
                    if asked is not None:
                        asked.next(q)
                    try:
                        answer = yield self._question_kwargs(q)
                    except Exception as exc:  # noqa: BLE001
                        answer = self._unanswered(exc)
                    q = questions.send(answer)
            except StopIteration as done:
                return Answer(done.value)
        for i, budget in enumerate(self._budgets()):
            state = self._state(chunk, full_text)
            try:
                with grounded_call(state):  # the call is made inside it: its validators ground the answer
                    extraction = yield self._kwargs(chunk, state, budget)
                return Answer(extraction, state.grounded)
            except Exception as exc:  # noqa: BLE001 - translated to a typed error
                self._retry_truncated(exc, budget, ledger_mod.current(), last=i == 1)
        raise AssertionError("unreachable")  # pragma: no cover

    def _extract(self, chunk: Chunk, full_text: str, asked: Asked | None = None) -> Answer:
        """`_requests` answered by the sync client."""
        steps = self._requests(chunk, full_text, asked)
        try:
            kwargs = next(steps)
            while True:
                try:
                    reply = self._client.chat.completions.create(**kwargs)
                except Exception as exc:  # noqa: BLE001 - `_requests` decides
                    kwargs = steps.throw(exc)
                else:
                    kwargs = steps.send(reply)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]
        finally:
            steps.close()  # an interrupted call leaves no grounding state set

    async def _aextract(self, chunk: Chunk, full_text: str, asked: Asked | None = None) -> Answer:
        """`_requests` answered by the async client."""
        steps = self._requests(chunk, full_text, asked)
        try:
            kwargs = next(steps)
            while True:
                try:
                    reply = await self._aclient.chat.completions.create(**kwargs)
                except Exception as exc:  # noqa: BLE001 - `_requests` decides
                    kwargs = steps.throw(exc)
                else:
                    kwargs = steps.send(reply)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]
        finally:
            steps.close()

    def _translate(self, exc: Exception) -> Exception:
        led = ledger_mod.current()
        return translate(exc, self.settings, led.requests if led else 0)

    def run(self, article: Article) -> ArticleSummary:
        """Summarize one article synchronously; chunks of a long one run in threads."""
        if self._client is None:
            self._client = make_client(self.settings, self.transport, self.http_client)
        t0 = time.monotonic()
        led = self._ledger()
        with ledger_mod.recording(led):
            chunks = self._chunks(article.text)
            asked = self._asked(chunks)
            if len(chunks) == 1:
                parts = [self._extract(chunks[0], article.text, asked)]
                return self._assemble(article, self._ground_parts(article, parts, chunks), chunks, led, t0)
            workers = min(len(chunks), CHUNK_CONCURRENCY)
            with ThreadPoolExecutor(max_workers=workers) as pool:
                # each thread runs in a copy of this context: the same ledger, its own grounding
                futures = [
                    pool.submit(contextvars.copy_context().run, self._extract, c, article.text, asked)
                    for c in chunks
                ]
                parts = [f.result() for f in futures]
            grounded = self._ground_parts(article, parts, chunks)
            kwargs, state = self._summary_request(article, grounded)
            try:
                with grounded_call(state):
                    self._client.chat.completions.create(**kwargs)
            except Exception as exc:  # noqa: BLE001
                raise self._translate(exc) from None
            return self._assemble(article, grounded, chunks, led, t0, self._whole_summary(state))

    async def arun(self, article: Article) -> ArticleSummary:
        """Summarize one article on the running event loop (calls overlap in batches)."""
        if self._aclient is None:
            self._aclient = make_async_client(self.settings, self.transport, self.http_client)
        t0 = time.monotonic()
        led = self._ledger()
        with ledger_mod.recording(led):
            chunks = self._chunks(article.text)
            asked = self._asked(chunks)
            if len(chunks) == 1:
                parts = [await self._aextract(chunks[0], article.text, asked)]
                return self._assemble(article, self._ground_parts(article, parts, chunks), chunks, led, t0)
            gate = asyncio.Semaphore(CHUNK_CONCURRENCY)

            async def one(chunk: Chunk) -> Answer:
                async with gate:
                    return await self._aextract(chunk, article.text, asked)

            parts = list(await asyncio.gather(*(one(c) for c in chunks)))
            grounded = self._ground_parts(article, parts, chunks)
            kwargs, state = self._summary_request(article, grounded)
            try:
                with grounded_call(state):
                    await self._aclient.chat.completions.create(**kwargs)
            except Exception as exc:  # noqa: BLE001
                raise self._translate(exc) from None
            return self._assemble(article, grounded, chunks, led, t0, self._whole_summary(state))

    def _chunks(self, text: str) -> list[Chunk]:
        if self._count_tokens is None:  # once: without tiktoken, each try is a failed import
            self._count_tokens = count_tokens_for(self.settings.model)
        return split(text, self.settings.article_budget, self._count_tokens)

    def close(self) -> None:
        """Close the sync client (its connection pool); a later call would open a new one."""
        client, self._client = self._client, None
        if client is not None:
            client.client.close()

    async def aclose(self) -> None:
        """Close the async client; an async client belongs to the event loop that used it."""
        aclient, self._aclient = self._aclient, None
        if aclient is not None:
            await aclient.client.close()


def _with_quote_texts(part: ExtractionData, text: str) -> ExtractionData:
    """The part with each listed quotation's text filled in from its ref.

    Carrying speakers across chunks compares quotes by their words; a quote given only as
    "Q3" has its words in the article.
    """
    listed = numbered_quotations(text)
    quotes = []
    for q in part.quotes:
        where = resolve_ref(q.ref, listed) if q.ref else None
        quotes.append(q.model_copy(update={"text": text[where[0] : where[1]] if where else (q.text or "")}))
    return part.model_copy(update={"quotes": quotes})
