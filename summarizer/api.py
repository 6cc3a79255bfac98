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
from .pool import run_pool
from .schema import ArticleSummary
from .settings import DEFAULT_CONCURRENCY, Settings


def _article(text: str | Article, source: str) -> Article:
    return text if isinstance(text, Article) else article_from_text(text, source)


def _summarizer(settings: Settings, screening: Any, screen_all: bool) -> Any:
    """The pipeline, wrapped to screen each result when `screening` is given (lists load now)."""
    summarizer = Summarizer(settings)
    if screening is None:
        return summarizer
    from .screening import as_screener
    from .screening.article import ScreeningSummarizer, check_mentions

    check_mentions(screen_all)
    screener = as_screener(screening)
    assert screener is not None
    return ScreeningSummarizer(summarizer, screener, mentions=screen_all)


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
    screening: Any = None,
    screen_all: bool = False,
    **options: Any,
) -> ArticleSummary:
    """Summarize one article. `options` are `Settings` fields (base_url, backend, replay_dir...).

    `screening`: a sanctions list path (or several, or a yente URL, or a `Screener`); each
    sanctions target then carries `screening` hits (see docs/screening.md).
    """
    summarizer = _summarizer(_settings(settings, model, options), screening, screen_all)
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
    screening: Any = None,
    screen_all: bool = False,
    **options: Any,
) -> ArticleSummary:
    """Async `summarize`, for callers that already run an event loop."""
    summarizer = _summarizer(_settings(settings, model, options), screening, screen_all)
    try:
        return await summarizer.arun(_article(text, source))
    finally:
        await summarizer.aclose()


async def asummarize_many(
    texts: Iterable[str | Article],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    model: str | None = None,
    settings: Settings | None = None,
    screening: Any = None,
    screen_all: bool = False,
    **options: Any,
) -> list[ArticleSummary | SummarizerError]:
    """Summarize many articles with overlapping model calls and one shared client.

    The worker pool of `batch` (`summarizer.pool`) pulls from `texts` lazily, so a long
    generator is never materialised as tasks. Returns one entry per input, in input order:
    the result, or the typed error of that article (an unexpected exception becomes a
    `SummarizerError` of kind "error"). One failure never stops the others, except a refused
    key (401/403) or a configuration error, which every later article would meet too: then no
    new article is started, the ones in flight finish, and every input not started gets that
    same error, so a wrong key costs about `concurrency` requests, not one per text.
    """
    summarizer = _summarizer(_settings(settings, model, options), screening, screen_all)
    results: dict[int, ArticleSummary | SummarizerError] = {}
    source = enumerate(texts)

    def take() -> tuple[int, str | Article] | None:
        return next(source, None)

    async def work(item: tuple[int, str | Article]) -> SummarizerError | None:
        i, text = item
        try:
            results[i] = await summarizer.arun(_article(text, f"<text {i}>"))
        except SummarizerError as err:
            results[i] = err
            return err
        except Exception as err:  # noqa: BLE001 - one article's bug must not stop the rest
            from .redact import redact

            results[i] = SummarizerError(f"internal error: {type(err).__name__}: {redact(str(err))[:200]}")
        return None

    try:
        fatal = await run_pool(take, work, concurrency)
    finally:
        await summarizer.aclose()
    if fatal is not None:
        for i, _ in source:  # never started: the error that stopped the run is theirs too
            results[i] = fatal
    return [results[i] for i in range(len(results))]


def summarize_many(
    texts: Iterable[str | Article],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    model: str | None = None,
    settings: Settings | None = None,
    screening: Any = None,
    screen_all: bool = False,
    **options: Any,
) -> list[ArticleSummary | SummarizerError]:
    """Blocking `asummarize_many`; inside a running event loop, await that instead."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(
            asummarize_many(
                texts, concurrency=concurrency, model=model, settings=settings,
                screening=screening, screen_all=screen_all, **options,
            )
        )
    raise RuntimeError("summarize_many() was called inside a running event loop: await asummarize_many()")
