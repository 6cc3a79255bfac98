#!/usr/bin/env python3
"""Run every benchmark and print one table of ratios, each against an ideal measured in the
same run:

- CLI start-up (`summarizer --help`) against a bare `python -c pass`;
- a cache hit against `python -c "import openai"` (what any model call costs before it starts);
- one article through the pipeline against a bare openai request with the same body, to the
  same loopback fake endpoint;
- batch throughput (240 articles, concurrency 16, 0.5 s model latency) against the ideal
  ceil(240/16) * 0.5 s;
- a paced live batch under a rate limit (300 articles at 50 requests/s) against the fastest the
  server's bucket allows (benchmarks/pacing_throughput.py);
- the batch engine's accounting (importing 1,000 results, scaled per 10,000) against the same
  pipeline calls alone (benchmarks/bulk_accounting.py);
- the run history's cost: the same runs with and without `--no-log` (benchmarks/history_overhead.py).

Run: python benchmarks/run_all.py [--quick] [--local]. `--local` also runs
benchmarks/local_model.py (load time, s/article, tokens/s, peak memory, overhead over bare
llama.cpp calls), which needs the [local] extra and a minute or two of CPU.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repetitions and 64 batch articles")
    ap.add_argument("--local", action="store_true", help="also run the embedded-model benchmark")
    args = ap.parse_args()
    runs = 3 if args.quick else 7

    import batch_throughput as bt
    import cache_hit
    import overhead

    rows: list[tuple[str, str, str, str]] = []
    startup = {name: secs for name, secs, _ in cache_hit.measure(runs)}
    floor, imp = startup["python -c pass (floor)"], startup["python -c 'import openai'"]
    rows.append(("CLI start-up (--help)", f"{startup['summarizer --help'] * 1000:.0f} ms",
                 f"python -c pass {floor * 1000:.0f} ms", f"{startup['summarizer --help'] / floor:.1f}x"))
    hit = startup["summarize, cache hit"]
    rows.append(("cache hit (whole CLI run)", f"{hit * 1000:.0f} ms", f"import openai {imp * 1000:.0f} ms",
                 f"{hit / imp:.2f}x"))
    per_call = {name: secs for name, secs, _ in overhead.measure(20 if args.quick else 40)}
    bare, full = per_call["bare openai request (same body)"], per_call["summarizer pipeline, one article"]
    rows.append(("pipeline per article (0 ms model)", f"{full * 1000:.1f} ms", f"bare openai {bare * 1000:.1f} ms",
                 f"{full / bare:.2f}x (+{(full - bare) * 1000:.1f} ms)"))

    n, conc, lat = (64, 16, 0.5) if args.quick else (240, 16, 0.5)
    ideal = math.ceil(n / conc) * lat
    text = bt.EXAMPLE.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        bt.write_articles(tmp / "articles", text, n)
        with bt.Server(lat, bt.payload_for(text), tmp) as server:
            wall, _, tally = asyncio.run(bt.in_process(server.url, tmp / "articles", tmp / "out.jsonl", conc))
    assert tally.done == n, tally
    rows.append((f"batch {n} articles, c={conc}, {lat} s latency", f"{wall:.2f} s", f"ideal {ideal:.2f} s",
                 f"{wall / ideal:.3f}x"))

    import bulk_accounting
    import pacing_throughput

    paced = pacing_throughput.measure(n=150 if args.quick else 300)
    rows.append((f"paced live batch, {paced['n']} at {paced['rate']:g}/s limit", f"{paced['paced_s']:.2f} s",
                 f"ideal {paced['ideal_s']:.2f} s", f"{paced['fraction']:.3f} of the limit, {paced['rejected']} 429s"))
    acc = bulk_accounting.measure(500 if args.quick else 1000, runs=1 if args.quick else 2)
    per = 10_000 / acc["n"]
    rows.append(("batch-engine accounting per 10,000 results", f"{acc['import_s'] * per:.1f} s",
                 f"pipeline alone {acc['ideal_s'] * per:.1f} s",
                 f"{acc['import_s'] / acc['ideal_s']:.2f}x (+{(acc['import_s'] - acc['ideal_s']) * per:.1f} s)"))
    import history_overhead

    for what, logged, bare in history_overhead.measure(runs, 64 if args.quick else 200):
        if not what.startswith("what-if"):
            rows.append((f"history on: {what}", f"{logged * 1000:.0f} ms CPU", f"--no-log {bare * 1000:.0f} ms",
                         f"{logged / bare:.3f}x"))

    widths = [max(len(r[i]) for r in rows + [("measure", "measured", "ideal", "ratio")]) for i in range(4)]
    head = ("measure", "measured", "ideal (same run)", "ratio")
    widths = [max(w, len(h)) for w, h in zip(widths, head, strict=True)]
    print("  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)))
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))
    if args.local:
        import subprocess

        print("\nembedded model (benchmarks/local_model.py):", flush=True)
        subprocess.run([sys.executable, str(HERE / "local_model.py")], check=True)


if __name__ == "__main__":
    main()
