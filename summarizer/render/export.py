"""Rows for spreadsheets and pandas: one per quote, sanctions target, allegation and named mention.

Every row carries the article id, its kind, a label that ties it to the review page (Q1, T2,
A3; a named mention carries its item's label and says which field it names), its fields and its
offsets into the article. The same rows go out as CSV (`to_csv`) or JSON Lines (`to_jsonl`).

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
from collections.abc import Iterable, Iterator
from typing import Any

from ..schema import ArticleSummary, Mention, ScreeningHit

COLUMNS = (
    "article_id", "kind", "label", "field", "value", "excerpt", "start", "end",
    "speaker", "alleged_by", "against", "status", "hedge", "target_kind", "country", "imposed_by",
    "screening",
)
"""CSV header, in order. `value` is the quote, the target's name, the claim, or the named value;
`excerpt` is the article's own text at [start, end)."""

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _screening(hits: list[ScreeningHit] | None) -> str | None:
    """Best list hits in one cell ("" when screened and clean; None when screening did not run)."""
    if hits is None:
        return None
    return "; ".join(f"{h.name} ({h.list} #{h.entry_id}, {h.score:.2f})" for h in hits)


def _row(rid: str | int, kind: str, label: str, **fields: Any) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(COLUMNS)
    row.update(article_id=rid, kind=kind, label=label, **fields)
    return row


def _mentions(rid: str | int, label: str, named: Iterable[tuple[str, str | None, Mention | None]]) -> Iterator[dict[str, Any]]:
    for field, value, m in named:
        if value is not None and m is not None:
            yield _row(rid, "mention", label, field=field, value=value, excerpt=m.text, start=m.start, end=m.end,
                       screening=_screening(m.screening))


def rows(rid: str | int, result: ArticleSummary) -> Iterator[dict[str, Any]]:
    """The rows of one article: each item, then the named mentions of its fields."""
    for i, q in enumerate(result.quotes, 1):
        label = f"Q{i}"
        yield _row(rid, "quote", label, value=q.text, excerpt=q.text, start=q.start, end=q.end, speaker=q.speaker)
        yield from _mentions(rid, label, [("speaker", q.speaker, q.speaker_mention)])
    for i, t in enumerate(result.sanctions_targets, 1):
        label = f"T{i}"
        m = t.mention
        yield _row(rid, "target", label, value=t.name, excerpt=m.text, start=m.start, end=m.end, target_kind=t.kind,
                   country=t.country, imposed_by=t.imposed_by, screening=_screening(t.screening))
        yield from _mentions(rid, label, [("country", t.country, t.country_mention),
                                          ("imposed_by", t.imposed_by, t.imposed_by_mention)])
    for i, a in enumerate(result.allegations, 1):
        label = f"A{i}"
        e = a.evidence
        yield _row(rid, "allegation", label, value=a.claim, excerpt=e.text, start=e.start, end=e.end,
                   alleged_by=a.alleged_by, against=a.against, status=a.status, hedge=a.hedge)
        yield from _mentions(rid, label, [("alleged_by", a.alleged_by, a.alleged_by_mention),
                                          ("against", a.against, a.against_mention)])


def neutralise(value: Any) -> Any:
    """A cell a spreadsheet will not run as a formula: text starting with = + - @ (or tab/CR) gets a '."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_header() -> str:
    buf = io.StringIO()
    csv.writer(buf).writerow(COLUMNS)
    return buf.getvalue()


def csv_rows(items: Iterable[dict[str, Any]]) -> str:
    """CSV lines (RFC 4180: quoted as needed, CRLF) for rows, formula cells neutralised; None is empty."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    for row in items:
        writer.writerow(["" if row[c] is None else neutralise(row[c]) for c in COLUMNS])
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
