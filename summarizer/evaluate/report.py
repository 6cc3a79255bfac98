"""The evaluation report as a table for people, with what was missed or wrong per file."""

from __future__ import annotations

from ..terminal import clean
from .score import Counts, EvalReport

# =============================================================================== rendering


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.0f}%"


def _dec(x: float) -> str:
    return f"{x:.2f}"


def _row(c: Counts) -> list[str]:
    return [
        f"{_dec(c.target_precision)} {_dec(c.target_recall)} {_dec(c.target_f1)}",
        f"{c.targets_matched}/{c.targets_pred}/{c.targets_gold}",
        str(c.targets_invented),
        f"{_pct(c.quote_recall)} {c.quotes_found}/{c.quotes_gold}",
        _pct(c.speaker_accuracy),
        _pct(c.verbatim_share),
        f"{_pct(c.allegation_recall)} {c.allegations_found}/{c.allegations_gold}",
        f"{_pct(c.direction_accuracy)} {c.allegations_direction_right}/{c.allegations_found}",
        _pct(c.quote_precision),
        _pct(c.named_resolved_share),
        _pct(c.summary_supported_share),
        str(c.summary_on_furniture),
        str(c.unsupported_names),
    ]


def report_table(report: EvalReport, *, width: int = 300, details: bool = True) -> str:
    """The report as a rich table rendered to plain text, plus (with `details`) what was missed
    or wrong per file, which is what one needs to improve a prompt."""
    import io

    from rich import box
    from rich.console import Console
    from rich.table import Table

    # Natural width (the console is only an upper bound): no cell is cut short.
    split = report.split
    part = "all articles" if split is None else f"split {split.name!r} ({len(split.names)} articles, {split.shown})"
    table = Table(title=f"summarizer eval, {part} (overall = micro average)", box=box.SIMPLE_HEAD)
    table.add_column("file", no_wrap=True)
    for col in ("targets P R F1", "tp/pred/gold", "invented", "quotes", "speaker",
                "verbatim", "allegations", "direction", "quote P", "named", "summary", "on furniture", "unsupported"):
        table.add_column(col, justify="right", no_wrap=True)
    table.add_column("error", no_wrap=True)
    for f in report.files:
        table.add_row(f.name, *_row(f.counts), f.error_kind or "")
    total = report.overall
    table.add_section()
    table.add_row("overall", *_row(total), f"{total.errors} failed" if total.errors else "")

    buf = io.StringIO()
    console = Console(file=buf, width=width, color_system=None, force_terminal=False, soft_wrap=False)
    console.print(table)
    if details:
        lines: list[str] = []
        for f in report.files:
            items: list[str] = []
            if f.error:
                items.append(f"error: {f.error}")
            else:
                items += [f"missed target: {t}" for t in f.targets_missed]
                items += [
                    f"wrong target: {t}" + (" (invented)" if t in f.targets_invented else "")
                    for t in f.targets_false
                ]
                items += [f"NOT VERBATIM quote: {q}" for q in f.quotes_not_verbatim]
                items += [f"missed quote: {q}" for q in f.quotes_missed]
                items += [f"wrong speaker: {q!r} is {g}, got {p}" for q, g, p in f.speakers_wrong]
                items += [f"missed allegation: {a}" for a in f.allegations_missed]
                items += [f"wrong direction: {c!r} is {g}, got {p}" for c, g, p in f.directions_wrong]
                items += [f"UNSUPPORTED name: {n}" for n in f.unsupported_names]
                items += [f"SUMMARY ON FURNITURE: {n}" for n in f.summary_on_furniture]
            if items:
                lines.append(f"{f.name}:")
                lines += [f"  - {i}" for i in items]
        if lines:
            buf.write("\n".join(lines) + "\n")
    # file names and the model's text (missed quotes, speakers) are shown: made inert for a terminal
    return clean("\n".join(line.rstrip() for line in buf.getvalue().splitlines()) + "\n")
