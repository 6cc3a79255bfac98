"""One pass over a batch file, each ok article made ready to render: its text found again (or
None), its title, its screening status (screened now when `render --screen` asks)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from ..schema import ArticleSummary
from . import status as screening_status
from .batchfile import BatchFile, Entry
from .sources import SourceFinder
from .titles import title_of

Screen = Callable[[ArticleSummary, str | None], screening_status.Screening]
"""Screens one result in place (given its article text, or None) and returns its status."""


@dataclass
class Report:
    """What a render did: counts for the final line, and the articles rendered without text."""

    articles: int = 0
    failed: int = 0  # failed in the batch, or a result this version cannot read
    unreadable: int = 0  # of those: ok lines whose result does not validate
    rows: int = 0  # csv/jsonl rows (or parties, or FtM entities) written
    parties: int = 0
    no_text: list[str | int] = field(default_factory=list)
    torn: int = 0
    duplicates: int = 0


@dataclass
class Article:
    """One ok article, ready to render: its text (None when not found), title and screening."""

    entry: Entry
    result: ArticleSummary
    text: str | None
    title: str | None
    screening: screening_status.Screening


def walk(batch: BatchFile, finder: SourceFinder, report: Report | None, screen: Screen | None = None,
         ) -> Iterator[tuple[Entry, Article | None]]:
    """Each entry of the batch in file order, with its article prepared (None for a failed
    line); counted in `report` when given."""
    for entry in batch.entries():
        if report is not None:
            report.articles += 1
        result = entry.result
        if result is None:
            if report is not None:
                report.failed += 1
                report.unreadable += entry.error_type == "unreadable"
            yield entry, None
            continue
        text = finder.text(result)
        if text is None and report is not None:
            report.no_text.append(entry.id)
        if screen is not None:
            status = screen(result, text)
        else:
            status = screening_status.of(result, entry.screening, entry.screening_present)
        yield entry, Article(entry, result, text, title_of(result, text), status)
