"""Screening named parties against sanctions lists: local list files or a yente server.

    from summarizer.screening import Screener
    screener = Screener.from_options(lists=["sdn.csv"])        # or url="http://localhost:8000"
    hits = screener.screen([("Abdolhossein Khedri", "person", [])])[0]

One `Screener` holds its list indexes (built once per list content into an SQLite file in the
cache, then read lazily) and is shared by every article of a batch. Library code: raises
`ScreeningError`, never prints; entries a list file could not give are counted in `warnings`.
Modules: `formats` (detect + stream list files), `index` (the SQLite index and its checks),
`normalize` (rigour-based keys and the normalisation ladder), `match` (scoring, `why`),
`scores` (rounding and strength words), `yente` (remote matching), `article` (attach hits to
a result and say what was covered), `lists` (`summarizer lists [update]`), `render` (hits for
people: table, Markdown, HTML).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ScreeningError
from .entries import Identifier
from .match import DEFAULT_THRESHOLD, Hit, screen_name

if TYPE_CHECKING:
    from .index import ListIndex
    from .yente import YenteClient

Query = tuple[str, "str | None", "list[tuple[Identifier, str]]"]
CACHE_SIZE = 20_000  # distinct queries whose answers a Screener keeps
_cache_lock = threading.Lock()
"""(name, target kind or None, strong identifiers found near it with where they were found)"""


@dataclass
class Screener:
    """Local list indexes, or a yente client; `screen` answers a batch of names."""

    indexes: list[ListIndex] = field(default_factory=list)
    yente: YenteClient | None = None
    threshold: float = DEFAULT_THRESHOLD
    _answers: OrderedDict[tuple[object, ...], list[Hit]] = field(default_factory=OrderedDict, repr=False)

    @classmethod
    def from_options(
        cls,
        lists: Sequence[str | Path] = (),
        url: str | None = None,
        *,
        threshold: float | None = None,
        timeout: float = 20.0,
    ) -> Screener:
        """Load every list now (so a bad file fails before any model call), or set up yente."""
        threshold = DEFAULT_THRESHOLD if threshold is None else threshold
        if not 0.0 < threshold <= 1.0:
            raise ScreeningError(f"screening threshold {threshold} is outside (0, 1]", "e.g. 0.7")
        if url and lists:
            raise ScreeningError("--screen and --screen-url cannot be used together", "pick the local list or the server")
        if url:
            from .yente import YenteClient

            return cls(yente=YenteClient.from_url(url, threshold=threshold, timeout=timeout), threshold=threshold)
        if not lists:
            raise ScreeningError("no sanctions list given", "pass --screen LIST (see `summarizer lists`) or --screen-url")
        from .index import load
        from .lists import resolve

        return cls(indexes=[load(resolve(str(p))) for p in lists], threshold=threshold)

    def list_names(self) -> list[str]:
        """What results name the lists screened against: "OFAC SDN (sdn.csv)", "yente host/dataset"."""
        if self.yente is not None:
            return [self.yente.label]
        return [index.name for index in self.indexes]

    @property
    def warnings(self) -> list[str]:
        """Entries the list files could not give (skipped, with where and why), per list."""
        out = []
        for index in self.indexes:
            if index.skipped:
                more = index.skipped - len(index.warnings)
                shown = "; ".join(index.warnings) + (f"; and {more} more" if more > 0 else "")
                out.append(f"{index.name}: {index.skipped} entr{'ies' if index.skipped > 1 else 'y'} skipped: {shown}")
        return out

    def screen(self, queries: Sequence[Query]) -> list[list[Hit]]:
        """Hits per query (best first, at or above the threshold), in query order.

        Local lists: the answers to the last `CACHE_SIZE` distinct queries are kept, so a name
        that comes back article after article in a batch is matched once (the lists cannot
        change under a Screener: an index is one list content)."""
        if self.yente is not None:
            return self.yente.match(list(queries))
        out = []
        for name, kind, idents in queries:
            key = (name, kind, tuple((i.key, where) for i, where in idents))
            with _cache_lock:
                cached = self._answers.get(key)
                if cached is not None:
                    self._answers.move_to_end(key)
            if cached is None:
                hits = [
                    h
                    for index in self.indexes
                    for h in screen_name(index, name, kind, threshold=self.threshold, context_identifiers=idents)
                ]
                cached = sorted(hits, key=lambda h: -h.score)  # stable: identifier hits stay first at 1.0
                with _cache_lock:
                    self._answers[key] = cached
                    if len(self._answers) > CACHE_SIZE:
                        self._answers.popitem(last=False)
            out.append([h.model_copy() for h in cached])
        return out


def as_screener(value: object) -> Screener | None:
    """The library's `screening=`: a Screener, a list file or name, several, or a yente URL."""
    if value is None or isinstance(value, Screener):
        return value
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        return Screener.from_options(url=value)
    if isinstance(value, (str, Path)):
        return Screener.from_options([value])
    if isinstance(value, Sequence) and all(isinstance(v, (str, Path)) for v in value):
        return Screener.from_options(list(value))
    raise ScreeningError(
        f"screening={type(value).__name__} is not understood", "pass a list path, a list of paths, a yente URL or a Screener"
    )


__all__ = ["Hit", "Query", "Screener", "DEFAULT_THRESHOLD", "as_screener"]
