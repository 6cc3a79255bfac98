#!/usr/bin/env python3
"""Print `summarizer eval --json` reports as Markdown tables (for docs/evaluation.md).

    summarizer eval tests/articles --backend rules --split validation --json > benchmarks/results/eval-rules-validation.json
    python benchmarks/eval_table.py benchmarks/results/eval-*.json            # one table per report
    python benchmarks/eval_table.py --compare benchmarks/results/eval-*.json  # one row per report

"Invented" counts returned target names that occur in no form of the article plus names and
numbers in the result the article does not contain (`unsupported_names`): the tool's promise
is that both are 0. "Named fields resolved" is the share of the names the model gave (speaker,
accuser, accused, imposer, country) that the article contains; the others were dropped.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

HEAD = ("targets P / R / F1 | quote recall | quote precision | speaker acc. | verbatim | "
        "allegation recall | direction | named fields resolved | summary on furniture | invented")


def fmt(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f}"


def cells(row: dict[str, Any]) -> str:
    invented = row["targets_invented"] + row.get("unsupported_names", 0)
    return (
        f"{fmt(row['target_precision'])} / {fmt(row['target_recall'])} / {fmt(row['target_f1'])} | "
        f"{fmt(row['quote_recall'])} | {fmt(row.get('quote_precision'))} | {fmt(row['speaker_accuracy'])} | "
        f"{fmt(row['verbatim_share'])} | {fmt(row['allegation_recall'])} | {fmt(row.get('direction_accuracy'))} | "
        f"{fmt(row.get('named_resolved_share'))} | {row.get('summary_on_furniture', 0)} | {invented}"
    )


def table(report: dict[str, Any]) -> str:
    """One row per article and the overall (micro-averaged) row."""
    lines = [f"| file | {HEAD} |", "| --- " * (HEAD.count("|") + 2) + "|"]
    for row in report["files"] + [dict(report["overall"], name="**overall**")]:
        lines.append(f"| {row['name']} | {cells(row)} |")
    return "\n".join(lines)


def compare(reports: dict[str, dict[str, Any]]) -> str:
    """The overall row of each report, one under the other."""
    lines = [f"| run | {HEAD} |", "| --- " * (HEAD.count("|") + 2) + "|"]
    for name, report in reports.items():
        lines.append(f"| {name} | {cells(report['overall'])} |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    paths = [a for a in argv if not a.startswith("--")]
    reports = {Path(p).stem: json.loads(Path(p).read_text(encoding="utf-8")) for p in paths}
    if "--compare" in argv:
        print(compare(reports))
        return 0
    for name, report in reports.items():
        print(f"\n{name}\n")
        print(table(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
