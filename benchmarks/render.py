#!/usr/bin/env python3
"""Speed of `summarizer render` on a large batch file, against reading that file.

A batch output of N articles (the rules backend's result for the example article, under N
ids, each pointing at the example file so the article text is found again and hash-checked)
is rendered in-process to HTML pages (+ index), to Markdown pages, and to CSV rows. Two ideals,
measured in the same run, for what every render must do anyway: read each line, parse the JSON
and validate it as an ArticleSummary (the floor for rows); and that plus writing the line into a
file of its own (the floor for pages: a file per article costs its open and write). Median of
several runs; peak RSS of the process at the end.
Run: python benchmarks/render.py [N]
"""

from __future__ import annotations

import io
import json
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "iran-missiles-russia.txt"


def _median(fn: Callable[[], object], runs: int = 3) -> float:
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def main() -> None:
    from summarizer import summarize
    from summarizer.render.batchfile import open_batch
    from summarizer.render.dest import OutputDir
    from summarizer.render.many import render_pages, render_stream
    from summarizer.schema import ArticleSummary

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    result = summarize(EXAMPLE.read_text("utf-8"), backend="rules")
    result.provenance.source = str(EXAMPLE)
    body = result.model_dump_json()
    with tempfile.TemporaryDirectory() as tmp:
        batch = Path(tmp) / "out.jsonl"
        with open(batch, "w", encoding="utf-8") as handle:
            for i in range(n):
                handle.write(f'{{"id": {json.dumps(f"articles/{i:05d}.txt")}, "ok": true, "result": {body}}}\n')

        def ideal() -> None:
            with open(batch, "rb") as handle:
                for raw in handle:
                    ArticleSummary.model_validate(json.loads(raw)["result"])

        def ideal_files() -> None:
            dest = Path(tempfile.mkdtemp(dir=tmp))
            with open(batch, "rb") as handle:
                for i, raw in enumerate(handle):
                    ArticleSummary.model_validate(json.loads(raw)["result"])
                    (dest / f"{i}.html").write_bytes(raw)

        def pages(fmt: str) -> Callable[[], None]:
            def run() -> None:
                dest = Path(tempfile.mkdtemp(dir=tmp))
                with open_batch(batch) as b:
                    render_pages(b, fmt, OutputDir(dest, fmt), dirs=[ROOT])
            return run

        def rows() -> None:
            with open_batch(batch) as b:
                render_stream(b, "csv", io.StringIO(), dirs=[ROOT])

        floor, files = _median(ideal), _median(ideal_files)
        print(f"{n} articles, batch file {batch.stat().st_size / 1e6:.1f} MB")
        print(f"{'measure':<40} {'per article':>12} {'against':>30}")
        print(f"{'ideal A: read + parse + validate':<40} {floor / n * 1000:>9.2f} ms")
        print(f"{'ideal B: A + write a file per article':<40} {files / n * 1000:>9.2f} ms")
        for name, fn, base, label in (("html pages + index", pages("html"), files, "B"),
                                      ("md pages + index", pages("md"), files, "B"), ("csv rows", rows, floor, "A")):
            took = _median(fn)
            print(f"{name:<40} {took / n * 1000:>9.2f} ms {took / base:>14.1f}x ideal {label} (+{(took - base) / n * 1000:.2f} ms)")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
