"""Rows for spreadsheets and pandas: one per article, then one per quote, sanctions target and
allegation (see `COLUMNS`).

Every row carries the article id and title, its kind, a label that ties it to the review page
(Q1, T2, A3), its fields, its offsets into the article and, for what was screened, the
screening as columns. The same rows go out as CSV (`to_csv`) or JSON Lines (`to_jsonl`).

CSV injection: a spreadsheet program runs a cell that starts with `=`, `+`, `-` or `@` (or a
tab or carriage return before one) as a formula, and the model's text and the article are
foreign input. `to_csv` therefore puts an apostrophe (') before any text cell that starts with
one of those characters, as OWASP recommends; numbers (offsets) are left alone. The JSON Lines
output carries the exact values, untouched, for programs.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from ..schema import ArticleSummary, ScreeningHit
from .status import NOT_SCREENED, Screening, item_status

COLUMNS = (
    "article_id", "title", "kind", "label", "value", "excerpt", "start", "end",
    "speaker", "alleged_by", "against", "status", "hedge", "target_kind", "country", "imposed_by", "role",
    "screen_status", "list", "entry_id", "matched_name", "score", "url", "hits",
)
"""CSV header, in order. Every article has an `article` row (`value` = its summary; a `failed`
row with the error when the batch could not summarize it), then a row per quote, sanctions
target and allegation. `value` is the quote, the target's name or the claim; `excerpt` is the
article's own text at [start, end) when it differs from `value` (a target's mention, an
allegation's evidence sentence). With `--screen-all`, each screened party that is not a target
has one `party` row (its roles in `role`, the labels of the items naming it in `label`).
`screen_status` is `listed`, `not listed` or `not screened` (for the article row: what was
screened, or why nothing was); `list` ... `url` are the best hit's, `hits` the number of hits."""

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _row(rid: str | int, title: str | None, kind: str, label: str, **fields: Any) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(COLUMNS)
    row.update(article_id=rid, title=title, kind=kind, label=label, **fields)
    return row


def _hits(hits: list[ScreeningHit] | None) -> dict[str, Any]:
    """Screening columns of one item: its status and its best hit."""
    out: dict[str, Any] = {"screen_status": item_status(hits), "hits": None if hits is None else len(hits)}
    if hits:
        best = hits[0]
        out.update(list=best.list, entry_id=best.entry_id, matched_name=best.matched_name, score=best.score,
                   url=best.url)
    return out


def _other(excerpt: str, value: str | None) -> str | None:
    """The article's text when it says something the value does not (None when equal)."""
    return None if excerpt == value else excerpt


def article_row(rid: str | int, result: ArticleSummary, *, title: str | None = None,
                screening: Screening | None = None) -> dict[str, Any]:
    """The row every ok article has, even when nothing was found in it."""
    status = screening or Screening(asked=False)
    label = status.label + (f": {status.reason}" if status.reason and status.screened == 0 else "")
    return _row(rid, title, "article", "", value=result.summary, screen_status=label,
                list="; ".join(status.lists) or None, hits=status.hits if status.asked else None)


def failed_row(rid: str | int, error_type: str | None, error: str | None) -> dict[str, Any]:
    """The row of an article the batch could not summarize."""
    return _row(rid, None, "failed", "", value=f"{error_type or 'error'}: {error or ''}", screen_status=NOT_SCREENED)


def _parties(rid: str | int, title: str | None, result: ArticleSummary) -> Iterator[dict[str, Any]]:
    """One row per screened named party that is not a target (speakers, accusers, accused)."""
    named: dict[str, dict[str, Any]] = {}
    sources = [(f"Q{i}", "speaker", q.speaker, q.speaker_mention) for i, q in enumerate(result.quotes, 1)]
    for i, a in enumerate(result.allegations, 1):
        sources += [(f"A{i}", "accuser", a.alleged_by, a.alleged_by_mention),
                    (f"A{i}", "accused", a.against, a.against_mention)]
    for label, role, name, mention in sources:
        if name is None or mention is None or mention.screening is None:
            continue
        party = named.setdefault(name, {"labels": [], "roles": [], "mention": mention})
        for key, value in (("labels", label), ("roles", role)):
            if value not in party[key]:
                party[key].append(value)
    for name, party in named.items():
        m = party["mention"]
        yield _row(rid, title, "party", " ".join(party["labels"]), value=name, excerpt=_other(m.text, name),
                   start=m.start, end=m.end, role=", ".join(party["roles"]), **_hits(m.screening))


def rows(rid: str | int, result: ArticleSummary, *, title: str | None = None,
         screening: Screening | None = None) -> Iterator[dict[str, Any]]:
    """The rows of one article: the article itself, then each item (see COLUMNS)."""
    yield article_row(rid, result, title=title, screening=screening)
    for i, q in enumerate(result.quotes, 1):
        yield _row(rid, title, "quote", f"Q{i}", value=q.text, start=q.start, end=q.end, speaker=q.speaker)
    for i, t in enumerate(result.sanctions_targets, 1):
        m = t.mention
        yield _row(rid, title, "target", f"T{i}", value=t.name, excerpt=_other(m.text, t.name), start=m.start,
                   end=m.end, target_kind=t.kind, country=t.country, imposed_by=t.imposed_by, **_hits(t.screening))
    for i, a in enumerate(result.allegations, 1):
        e = a.evidence
        yield _row(rid, title, "allegation", f"A{i}", value=a.claim, excerpt=_other(e.text, a.claim), start=e.start,
                   end=e.end, alleged_by=a.alleged_by, against=a.against, status=a.status, hedge=a.hedge)
    yield from _parties(rid, title, result)


def neutralise(value: Any) -> Any:
    """A cell a spreadsheet will not run as a formula: text starting with = + - @ (or tab/CR) gets a '."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_header(columns: Sequence[str] = COLUMNS) -> str:
    buf = io.StringIO()
    csv.writer(buf).writerow(columns)
    return buf.getvalue()


def csv_rows(items: Iterable[dict[str, Any]], columns: Sequence[str] = COLUMNS) -> str:
    """CSV lines (RFC 4180: quoted as needed, CRLF) for rows, formula cells neutralised; None is empty."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    for row in items:
        writer.writerow(["" if row[c] is None else neutralise(row[c]) for c in columns])
    return buf.getvalue()


def to_csv(items: Iterable[dict[str, Any]]) -> str:
    """Header and rows as one CSV text."""
    return csv_header() + csv_rows(items)


def _json_line(row: dict[str, Any]) -> str:
    line = json.dumps(row, ensure_ascii=False)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (from JSON escapes): keep it as an escape
        line = json.dumps(row)
    return line + "\n"


def to_jsonl(items: Iterable[dict[str, Any]]) -> str:
    """One JSON object per row and line: exact values (no neutralising), null for missing."""
    return "".join(_json_line(row) for row in items)
