"""Score summarizer results against the hand-written gold files (`NAME.gold.json`).

Why this exists: prompt and model changes must be judged on numbers, not on a glance at one
output. The gold format and the intended scoring are described in the gold folder's README;
this module turns them into fixed, documented matching rules, so two runs are comparable.

Everything here is deterministic and stdlib-only (difflib, unicodedata, re): no ML similarity,
so a score never depends on another model. `rich` is imported only to draw the table.

Metrics, per file and overall (overall = micro average: counts are summed over files first):

- sanctions targets: precision / recall / F1 by name match (see `target_match`), plus
  "invented" targets (names that are not in the article and match no gold target);
- quotes: recall of gold quotes (see `quote_overlap`), speaker accuracy over the found ones
  (see `speaker_match`), and the share of returned quotes that are verbatim (must be 100 %);
- allegations: recall of gold allegations (see `allegation_similarity`), and direction accuracy
  over the found ones: accuser and accused both right (see `party_match`);
- grounding: named fields resolved, summary sentences supported, and summary sentences whose
  only support is site furniture (paywall, menus...; must be 0).

A rate with nothing to measure (quote recall on an article without gold quotes) is None, shown
as "–": neither a failure nor a success. `--split NAME` scores one part of a split (split.py).

An article whose run fails with a `SummarizerError` is kept in the report as an error and
counts as all-missed: nothing predicted, every gold item missed.
"""

from __future__ import annotations

from .gold import GoldCase, collapse, load_gold, visible_text
from .match import (
    ALLEGATION_THRESHOLD,
    allegation_similarity,
    note_aliases,
    party_match,
    quote_overlap,
    speaker_match,
    target_match,
)
from .report import report_table
from .score import Counts, EvalReport, FileScore, evaluate, score
from .split import DEV_SPLIT, Split, read_split_file

__all__ = [
    "ALLEGATION_THRESHOLD",
    "DEV_SPLIT",
    "Counts",
    "EvalReport",
    "FileScore",
    "GoldCase",
    "allegation_similarity",
    "collapse",
    "evaluate",
    "load_gold",
    "note_aliases",
    "party_match",
    "quote_overlap",
    "read_split_file",
    "report_table",
    "score",
    "Split",
    "speaker_match",
    "target_match",
    "visible_text",
]
