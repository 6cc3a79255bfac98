"""The library's public functions: summarize, asummarize, summarize_many.

They raise the typed errors of `summarizer.errors`, never print and never exit.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from .errors import SummarizerError
from .inputs import Article, article_from_text
from .pipeline import Summarizer
from .schema import ArticleSummary
from .settings import Settings


def _article(text: str | Article, source: str) -> Article:
    return text if isinstance(text, Article) else article_from_text(text, source)


def _settings(settings: Settings | None, model: str | None, options: dict[str, Any]) -> Settings:
    if settings is not None:
        return settings.with_(**options, **({"model": model} if model else {}))
    return Settings.resolve(model=model, **options)


def summarize(
    text: str | Article,
    *,
    model: str | None = None,
    settings: Settings | None = None,
    source: str = "<text>",
    **options: Any,
) -> ArticleSummary:
    """Summarize one article. `options` are `Settings` fields (base_url, backend, replay_dir...)."""
    summarizer = Summarizer(_settings(settings, model, options))
    try:
        return summarizer.run(_article(text, source))
    finally:
        summarizer.close()


async def asummarize(
    text: str | Article,
    *,
    model: str | None = None,
    settings: Settings | None = None,
    source: str = "<text>",
    **options: Any,
) -> ArticleSummary:
    """Async `summarize`, for callers that already run an event loop."""
    summarizer = Summarizer(_settings(settings, model, options))
    try:
        return await summarizer.arun(_article(text, source))
    finally:
        await summarizer.aclose()


async def _many(
    articles: list[Article], summarizer: Summarizer, concurrency: int
) -> list[ArticleSummary | SummarizerError]:
    gate = asyncio.Semaphore(concurrency)

    async def one(article: Article) -> ArticleSummary | SummarizerError:
        async with gate:
            try:
                return await summarizer.arun(article)
            except SummarizerError as err:
                return err

    try:
        return list(await asyncio.gather(*(one(a) for a in articles)))
    finally:
        await summarizer.aclose()


def summarize_many(
    texts: Iterable[str | Article],
    *,
    concurrency: int = 8,
    model: str | None = None,
    settings: Settings | None = None,
    **options: Any,
) -> list[ArticleSummary | SummarizerError]:
    """Summarize many articles with overlapping model calls, one shared client.

    Returns one entry per input, in input order: the result, or the typed error of that
    article (one failure never stops the others).
    """
    articles = [_article(t, f"<text {i}>") for i, t in enumerate(texts)]
    summarizer = Summarizer(_settings(settings, model, options))
    return asyncio.run(_many(articles, summarizer, max(1, concurrency)))
