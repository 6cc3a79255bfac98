"""Rich tables for the terminal (`--format table`), rendered to a string."""

from __future__ import annotations

from ..schema import ArticleSummary, Span
from .base import NONE, article_of, located, span_ok, tokens


def to_table(
    result: ArticleSummary, article_text: str | None, *, color: bool = False, width: int = 120
) -> str:
    """Rich tables for the terminal, as a string; ANSI styling only when `color` is true."""
    from io import StringIO

    from rich import box
    from rich.console import Console, Group, RenderableType
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    text = article_of(result, article_text)

    def t(value: str | None, style: str = "") -> Text:
        # Text(), never a str: rich would parse "[bold]" in model output as markup.
        return Text(NONE, style="dim") if value is None or not value.strip() else Text(value, style=style)

    def where(span: Span | None) -> Text:
        ok = span is not None and span_ok(text, span)
        return Text(f"{span.start}\u2013{span.end}" if span is not None and ok else NONE, style="dim")

    def table(title: str, columns: str) -> Table:
        """Columns as "Name:ratio"; ratio 0 = as narrow as its content, never wrapped."""
        tab = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, expand=True,
                    header_style="bold")
        tab.add_column("#", justify="right", no_wrap=True)
        for col in columns.split(","):
            name, ratio = col.rsplit(":", 1)
            if int(ratio):
                tab.add_column(name, ratio=int(ratio))
            else:
                tab.add_column(name, no_wrap=True)
        return tab

    parts: list[RenderableType] = [
        Panel(t(result.summary), title="Summary", title_align="left", box=box.ROUNDED)
    ]

    al = table(f"Allegations ({len(result.allegations)})",
               "Claim:4,By:1,Against:1,Status:0,Hedge:1,Evidence:0")
    for i, a in enumerate(result.allegations, 1):
        al.add_row(str(i), t(a.claim), t(a.alleged_by), t(a.against), t(a.status, "bold"),
                   t(a.hedge, "italic"), where(a.evidence))
    parts.append(al)

    tg = table(f"Sanctions targets ({len(result.sanctions_targets)})",
               "Name:2,Kind:0,Country:1,Imposed by:2,Mention:0")
    for i, s in enumerate(result.sanctions_targets, 1):
        tg.add_row(str(i), t(s.name, "bold"), t(s.kind), t(s.country), t(s.imposed_by), where(s.mention))
    parts.append(tg)

    qt = table(f"Quotes ({len(result.quotes)})", "Speaker:1,Quote:5,Offsets:0")
    for i, q in enumerate(result.quotes, 1):
        ok = located(text, q.start, q.end, q.text)
        qt.add_row(str(i), t(q.speaker or "unattributed", "bold" if q.speaker else "dim"),
                   t(q.text), Text(f"{q.start}\u2013{q.end}" if ok else NONE, style="dim"))
    parts.append(qt)

    p = result.provenance
    pv = Table.grid(padding=(0, 2))
    pv.add_column(style="bold", no_wrap=True)
    pv.add_column()
    pv.add_row("Model", t(f"{p.model} via {p.backend}" + (" (cached)" if p.cached else "")))
    pv.add_row("Attempts", t(f"{p.attempts}, {tokens(p)}, {p.elapsed_s:.2f} s"))
    if p.source:
        pv.add_row("Source", t(p.source))
    pv.add_row("Input sha256", t(p.input_sha256))
    pv.add_row("Dropped", t(str(len(p.dropped)) if p.dropped else "none"))
    for d in p.dropped:
        pv.add_row(Text(f"  {d.kind}", style="dim"), Text.assemble(
            Text(f"\u201c{d.text}\u201d"), Text(f" \u2014 {d.reason}", style="dim")))
    parts.append(Panel(pv, title="Provenance", title_align="left", box=box.ROUNDED))

    buf = StringIO()
    console = Console(
        file=buf, width=width, force_terminal=color, color_system="standard" if color else None,
        no_color=not color, highlight=False, emoji=False, markup=False, legacy_windows=False,
    )
    console.print(Group(*parts))
    # rich pads every line to the full width; trailing blanks only get in the way when pasted.
    return "\n".join(line.rstrip() for line in buf.getvalue().splitlines()) + "\n"
