"""The library: `Summarizer`, configured once and reused for many articles, and the module
shortcuts `summarize`, `asummarize`, `summarize_many`, `asummarize_many` over a temporary one.

    with Summarizer(model="gpt-4o-mini", cache=True) as s:
        result = s.summarize(text)

A `Summarizer` holds one engine (`pipeline.Pipeline`: one article in, one result out, one
openai client per call style, so one connection pool) and adds what a caller needs around it:
text or HTML in (`as_article`), the results cache (`cache.lookup`, the CLI's own), screening,
many articles on the worker pool of `batch` (`pool.run_pool`, one stop policy), and closing.
The CLI's `batch` runs its articles through one too.

Importing this module never imports openai or instructor: the engine is built on the first
model call, so a cache hit costs reading one JSON file. Library code raises the typed errors
of `summarizer.errors`, never prints and never exits.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Union, Unpack

from . import cache as cache_mod
from .errors import ConfigError, ScreeningError, SettingError, SummarizerError
from .inputs import Article
from .inputs.items import Id, Item, as_article, error_for, item_article, item_name
from .schema import ArticleSummary
from .settings import Options, PathLike, Settings, settings_for

if TYPE_CHECKING:
    import httpx2

    from .screening import Screener

Screening = Union[PathLike, Sequence[PathLike], "Screener"]
"""What `screening=` takes: a sanctions list file or name, several, a yente URL, or a Screener."""
Result = ArticleSummary | SummarizerError
"""One entry of `summarize_many`'s answer: the result, or that article's typed error."""


def _check_http_client(client: object, settings: Settings) -> None:
    if client is None:
        return
    import httpx2

    if not isinstance(client, httpx2.Client | httpx2.AsyncClient):
        raise ConfigError(
            f"http_client must be an httpx2.Client or httpx2.AsyncClient, not {type(client).__name__}",
            "openai 3.x sends through httpx2",
        )
    if settings.backend != "openai" or settings.replay_dir is not None:
        where = "replay_dir" if settings.replay_dir is not None else f"backend={settings.backend!r}"
        raise ConfigError(
            f"http_client sends requests to a server, but {where} sends none",
            "leave http_client out, or use the openai backend",
        )


class Summarizer:
    """The library client: configured once, reused for many articles.

    Keywords are the `Settings` fields (or pass `settings=`); the environment fills what is not
    given, as for the CLI. `cache=True` reads and fills the results cache exactly as the CLI
    does (same key; off by default in the library; recording and replaying bypass it).
    `http_client`: your own `httpx2.Client` / `httpx2.AsyncClient` (say, over an
    `httpx2.MockTransport`) sends the model requests under our retry, pacing and accounting;
    it is never closed by us. `screening`: sanctions lists to screen each target against.
    `on_event`: one line per request, retry and wait (what the CLI's `-v` shows).
    `on_finish(article, result or exception, seconds)`: called once per article, after the
    cache, the model and the screening, with what the caller gets (the CLI's history).

    `with` / `async with` close the connections (a blocking `summarize_many` closes its async
    client when it returns, since that client belongs to its event loop). A loaded local model
    is kept for the process (`summarizer.local`), not by this object.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        http_client: httpx2.Client | httpx2.AsyncClient | None = None,
        cache: bool = False,
        concurrency: int | None = None,
        screening: Screening | None = None,
        screen_all: bool = False,
        on_event: Callable[[str], None] | None = None,
        on_finish: Callable[[Article, ArticleSummary | BaseException, float], None] | None = None,
        **options: Unpack[Options],
    ) -> None:
        self.settings = settings_for(settings, options)
        _check_http_client(http_client, self.settings)
        if concurrency is None:  # the provider's (1 for a local single-slot server), else DEFAULT_CONCURRENCY
            concurrency = self.settings.concurrency_default
        if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
            raise SettingError("concurrency", f"must be an integer of at least 1 (got {concurrency!r})")
        self.http_client = http_client
        self.cache = cache
        self.concurrency = concurrency
        self.on_event = on_event
        self.on_finish = on_finish
        self.screen_all = screen_all
        self.screener = self._screener(screening, screen_all)  # lists load (and fail) now
        self._engine: Any = None  # pipeline.Pipeline, built on the first model call
        self._closed = False

    @staticmethod
    def _screener(screening: object, screen_all: bool) -> Screener | None:
        if screening is None:
            return None
        from .screening import as_screener
        from .screening.article import check_mentions

        check_mentions(screen_all)
        return as_screener(screening)

    # -- one article -------------------------------------------------------------------
    def summarize(
        self, text: str | Article | os.PathLike[str], *, source: str | None = None, cache: bool | None = None
    ) -> ArticleSummary:
        """Summarize one article: a text, an HTML page as a str, a file as a `Path`, or an
        Article (`read_article`, `fetch_url`). A str is always the text: one that names a file
        or is a URL is refused (`InputError`), never summarized as if it were the article.
        `source` names it in provenance (and a `.html` name marks a str as HTML); `cache`
        overrides this Summarizer's setting for this call."""
        return self.run(as_article(text, source), cache=cache)

    async def asummarize(
        self, text: str | Article | os.PathLike[str], *, source: str | None = None, cache: bool | None = None
    ) -> ArticleSummary:
        """`summarize` on the running event loop (calls of many articles overlap)."""
        return await self.arun(as_article(text, source), cache=cache)

    def run(self, article: Article, *, cache: bool | None = None) -> ArticleSummary:
        """One Article to its result: the cache first (when on), else the model; then screening."""
        self._check_open()
        if self.http_client is not None and not _is_sync_client(self.http_client):
            raise ConfigError(
                "http_client is an httpx2.AsyncClient, which cannot serve a blocking call",
                "use asummarize()/asummarize_many(), or pass an httpx2.Client",
            )
        t0 = time.monotonic()
        try:
            key, result = self._lookup(article, cache)
            if result is None:
                result = self._pipeline().run(article)
                if key is not None:
                    cache_mod.put(key, result)
            if self.screener is not None:
                from .screening.article import apply

                try:
                    apply(result, _offsets_text(result, article), self.screener, mentions=self.screen_all)
                except ScreeningError as exc:
                    exc.result = result  # paid for: the caller may keep it unscreened
                    raise
        except Exception as exc:
            self._finished(article, exc, t0)
            raise
        self._finished(article, result, t0)
        return result

    async def arun(self, article: Article, *, cache: bool | None = None) -> ArticleSummary:
        """The async `run` (what `batch` and `asummarize_many` call per article)."""
        self._check_open()
        t0 = time.monotonic()
        try:
            key, result = self._lookup(article, cache)
            if result is None:
                result = await self._pipeline().arun(article)
                if key is not None:
                    cache_mod.put(key, result)
            if self.screener is not None:
                import asyncio

                from .screening.article import apply

                try:  # a yente request must not block the loop
                    await asyncio.to_thread(
                        apply, result, _offsets_text(result, article), self.screener, mentions=self.screen_all
                    )
                except ScreeningError as exc:
                    exc.result = result  # paid for: the caller may keep it unscreened
                    raise
        except Exception as exc:
            self._finished(article, exc, t0)
            raise
        self._finished(article, result, t0)
        return result

    def _finished(self, article: Article, outcome: ArticleSummary | BaseException, t0: float) -> None:
        if self.on_finish is not None:
            self.on_finish(article, outcome, round(time.monotonic() - t0, 3))

    def _lookup(self, article: Article, cache: bool | None) -> tuple[str | None, ArticleSummary | None]:
        """(key to store under, or None when the cache is off; the cached result or None)."""
        if not (self.cache if cache is None else cache) or not cache_mod.applies(self.settings):
            return None, None
        key, hit = cache_mod.lookup(article, self.settings, on_event=self.on_event)
        if hit is not None and self.on_event is not None:
            self.on_event("cache hit: no model call")
        return key, hit

    def _pipeline(self) -> Any:
        if self._engine is None:
            from .pipeline import Pipeline

            self._engine = Pipeline(self.settings, on_event=self.on_event, http_client=self.http_client)
        return self._engine

    def _check_open(self) -> None:
        if self._closed:
            raise ConfigError("this Summarizer is closed", "make a new one, or use it inside its with block")

    # -- many articles -----------------------------------------------------------------
    async def asummarize_many(self, items: Iterable[Item], *, concurrency: int | None = None) -> list[Result]:
        """Summarize many articles on the worker pool of `batch` (`summarizer.concurrency`).

        `items`: texts, Paths, Articles or `(id, text)` pairs, pulled lazily (a long generator is never
        materialised). Returns one entry per input, in input order: the result (an `(id, text)`
        pair's id is its `provenance.source`) or that article's typed error (its `source` is
        the id; an unexpected exception becomes a `SummarizerError`). One failure never stops
        the others, except a refused key (401/403) or a configuration error, which every later
        article would meet too: then no new article is started, the ones in flight finish, and
        every input not started gets that error, so a wrong key costs about `concurrency`
        requests, not one per input.
        """
        from .concurrency import run_pool

        results: dict[int, Result] = {}
        numbered = enumerate(items)

        def take() -> tuple[int, Item] | None:
            return next(numbered, None)

        async def work(entry: tuple[int, Item]) -> SummarizerError | None:
            i, item = entry
            name = item_name(item, i)
            try:
                results[i] = await self.arun(item_article(item, name))
            except SummarizerError as err:
                err.source = name
                results[i] = err
                return err
            except Exception as exc:  # noqa: BLE001 - one article's bug must not stop the rest
                from .redact import redact

                internal = SummarizerError(f"internal error: {type(exc).__name__}: {redact(str(exc))[:200]}")
                internal.source = name
                results[i] = internal
            return None

        fatal = await run_pool(take, work, concurrency or self.concurrency)
        if fatal is not None:
            for i, item in numbered:  # never started: the error that stopped the run is theirs too
                results[i] = error_for(fatal, item_name(item, i))
        return [results[i] for i in range(len(results))]

    def summarize_many(self, items: Iterable[Item], *, concurrency: int | None = None) -> list[Result]:
        """Blocking `asummarize_many`; inside a running event loop, await that instead."""
        import asyncio  # here, not at the top: a cache hit of the CLI never needs it

        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(self._many_in_own_loop(items, concurrency))
        raise RuntimeError("summarize_many() was called inside a running event loop: await asummarize_many()")

    async def _many_in_own_loop(self, items: Iterable[Item], concurrency: int | None) -> list[Result]:
        try:
            return await self.asummarize_many(items, concurrency=concurrency)
        finally:  # the async client belongs to this loop, which ends here
            if self._engine is not None:
                await self._engine.aclose()

    # -- closing -----------------------------------------------------------------------
    def close(self) -> None:
        """Close the connections (a caller's http_client stays open); the object is then done."""
        self._closed = True
        if self._engine is not None:
            self._engine.close()

    async def aclose(self) -> None:
        """Close the async and the sync connections."""
        self._closed = True
        if self._engine is not None:
            try:
                await self._engine.aclose()
            finally:
                self._engine.close()

    def __enter__(self) -> Summarizer:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    async def __aenter__(self) -> Summarizer:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()


def _is_sync_client(client: object) -> bool:
    import httpx2

    return isinstance(client, httpx2.Client)


def _offsets_text(result: ArticleSummary, article: Article) -> str:
    """The text the offsets index: the extracted text for HTML input, else the article's."""
    return result.text if result.text is not None else article.text


# -- the module shortcuts: a temporary Summarizer each --------------------------------------
def summarize(
    text: str | Article | os.PathLike[str],
    *,
    settings: Settings | None = None,
    source: str | None = None,
    cache: bool = False,
    http_client: httpx2.Client | None = None,
    screening: Screening | None = None,
    screen_all: bool = False,
    **options: Unpack[Options],
) -> ArticleSummary:
    """Summarize one article (see `Summarizer`; to summarize many, keep one of those)."""
    with Summarizer(
        settings, cache=cache, http_client=http_client, screening=screening, screen_all=screen_all, **options
    ) as s:
        return s.summarize(text, source=source)


async def asummarize(
    text: str | Article | os.PathLike[str],
    *,
    settings: Settings | None = None,
    source: str | None = None,
    cache: bool = False,
    http_client: httpx2.Client | httpx2.AsyncClient | None = None,
    screening: Screening | None = None,
    screen_all: bool = False,
    **options: Unpack[Options],
) -> ArticleSummary:
    """Async `summarize`, for callers that already run an event loop."""
    async with Summarizer(
        settings, cache=cache, http_client=http_client, screening=screening, screen_all=screen_all, **options
    ) as s:
        return await s.asummarize(text, source=source)


async def asummarize_many(
    items: Iterable[Item],
    *,
    concurrency: int | None = None,
    settings: Settings | None = None,
    cache: bool = False,
    http_client: httpx2.Client | httpx2.AsyncClient | None = None,
    screening: Screening | None = None,
    screen_all: bool = False,
    **options: Unpack[Options],
) -> list[Result]:
    """Summarize many articles on one client (see `Summarizer.asummarize_many`)."""
    async with Summarizer(
        settings, cache=cache, http_client=http_client, concurrency=concurrency,
        screening=screening, screen_all=screen_all, **options,
    ) as s:
        return await s.asummarize_many(items)


def summarize_many(
    items: Iterable[Item],
    *,
    concurrency: int | None = None,
    settings: Settings | None = None,
    cache: bool = False,
    http_client: httpx2.Client | httpx2.AsyncClient | None = None,
    screening: Screening | None = None,
    screen_all: bool = False,
    **options: Unpack[Options],
) -> list[Result]:
    """Blocking `asummarize_many`; inside a running event loop, await that instead."""
    with Summarizer(
        settings, cache=cache, http_client=http_client, concurrency=concurrency,
        screening=screening, screen_all=screen_all, **options,
    ) as s:
        return s.summarize_many(items)


__all__ = [
    "Id",
    "Item",
    "Options",
    "Result",
    "Screening",
    "Summarizer",
    "as_article",
    "asummarize",
    "asummarize_many",
    "summarize",
    "summarize_many",
]
