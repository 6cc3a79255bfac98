#!/usr/bin/env python3
"""Print `summarizer eval --json` reports as one Markdown table per report (for the README).

    summarizer eval tests/articles --backend rules --json -o benchmarks/results/eval-rules.json
    python benchmarks/eval_table.py benchmarks/results/eval-*.json
"""

from __future__ import annotations

import json
import sys
from typing import Any


def fmt(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f}"


def table(report: dict[str, Any]) -> str:
    lines = [
        "| file | targets P / R / F1 | quote recall | speaker acc. | verbatim | allegation recall | invented targets |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in report["files"] + [dict(report["overall"], name="**overall**")]:
        lines.append(
            f"| {row['name']} | {fmt(row['target_precision'])} / {fmt(row['target_recall'])} / "
            f"{fmt(row['target_f1'])} | {fmt(row['quote_recall'])} | {fmt(row['speaker_accuracy'])} | "
            f"{fmt(row['verbatim_share'])} | {fmt(row['allegation_recall'])} | {row['targets_invented']} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    for path in sys.argv[1:]:
        print(f"\n{path}\n")
        print(table(json.loads(open(path, encoding="utf-8").read())))
