#!/usr/bin/env python3
"""Run every benchmark and print one table of ratios, each against an ideal measured in the
same run:

- CLI start-up (`summarizer --help`, the console script) against a bare `python -c pass`;
- a cache hit (the whole CLI process) against `python -c "import openai"` (what any model call
  costs before it starts), and against the floor of this stack (benchmarks/startup_floor.py);
- one uncached request through the whole CLI against a bare instructor script making the same
  request (benchmarks/cli_vs_instructor.py);
- one new article through the pipeline against a bare openai request with the same body, to
  the same loopback fake endpoint (benchmarks/overhead.py);
- batch throughput (240 articles, concurrency 16, 0.5 s model latency) against the ideal
  ceil(240/16) * 0.5 s, next to the same requests through a bare AsyncOpenAI client;
- a paced live batch under a rate limit (300 articles at 50 requests/s) against the fastest the
  server's bucket allows (benchmarks/pacing_throughput.py);
- the batch engine's accounting (importing 1,000 results, scaled per 10,000) against the same
  pipeline calls alone (benchmarks/bulk_accounting.py);
- the run history's cost: the same runs with and without `--no-log` (benchmarks/history_overhead.py);
- hostile texts (a run of 100,000 spaces, 20,000 bullets...): the time at 4x the size against
  4x the time, linear growth (benchmarks/hostile_text.py).

Process start-up figures are medians of round-robin runs with the bytecode cache on (as an
installed package); ratios are of CPU time (user + system), which a loaded machine stretches
far less than wall time, with the wall-time ratio next to it.

Run: python benchmarks/run_all.py [--quick] [--local]. `--local` also runs
benchmarks/local_model.py (load time, s/article, tokens/s, peak memory, overhead over bare
llama.cpp calls), which needs the [local] extra and a minute or two of CPU.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repetitions and 64 batch articles")
    ap.add_argument("--local", action="store_true", help="also run the embedded-model benchmark")
    args = ap.parse_args()
    runs = 3 if args.quick else 9

    import batch_throughput
    import cache_hit
    import cli_vs_instructor
    import overhead

    def ms(seconds: float) -> str:
        return f"{seconds * 1000:.0f} ms"

    rows: list[tuple[str, str, str, str]] = []
    start = cache_hit.measure(runs)
    (fw, fc), (iw, ic) = start["floor"], start["import openai"]
    (hw, hc), (cw, cc), (sw, sc) = start["help"], start["hit"], start["stack floor"]
    rows.append(("CLI start-up (summarizer --help)", f"{ms(hc)} CPU, {ms(hw)} wall",
                 f"python -c pass {ms(fc)} CPU, {ms(fw)} wall", f"{hc / fc:.2f}x ({hw / fw:.2f}x wall)"))
    rows.append(("cache hit (whole CLI run)", f"{ms(cc)} CPU, {ms(cw)} wall",
                 f"import openai {ms(ic)} CPU, {ms(iw)} wall", f"{cc / ic:.3f}x ({cw / iw:.3f}x wall)"))
    rows.append(("  the same against this stack's floor", f"{ms(cc)} CPU", f"startup_floor.py {ms(sc)} CPU",
                 f"{cc / sc:.2f}x ({cw / sw:.2f}x wall)"))
    uncached = cli_vs_instructor.measure(runs)
    (bw, bc), (uw, uc) = uncached["bare"], uncached["cli with history"]
    rows.append(("one uncached request, whole CLI", f"{ms(uc)} CPU, {ms(uw)} wall",
                 f"bare instructor script {ms(bc)} CPU, {ms(bw)} wall", f"{uc / bc:.3f}x ({uw / bw:.3f}x wall)"))
    per_call = overhead.measure(30 if args.quick else 80)
    (bw, bc), (pw, pc) = per_call["bare"], per_call["pipeline"]
    rows.append(("pipeline per new article (0 ms model)", f"{pc * 1000:.2f} ms CPU, {pw * 1000:.1f} ms wall",
                 f"bare openai {bc * 1000:.2f} ms CPU, {bw * 1000:.1f} ms wall",
                 f"{pc / bc:.2f}x ({pw / bw:.2f}x wall)"))

    n, conc, lat = (64, 16, 0.5) if args.quick else (240, 16, 0.5)
    batch = batch_throughput.measure(n, conc, lat)
    ideal = batch["ideal"]
    for label, key in ((f"batch {n} articles, c={conc}, {lat} s latency (warm)", "warm"),
                       ("  the same requests, bare AsyncOpenAI", "bare"),
                       ("  the batch, first run in the process", "cold")):
        wall, cpu = batch[key]
        rows.append((label, f"{wall:.2f} s", f"ideal {ideal:.2f} s", f"{wall / ideal:.3f}x ({cpu / n * 1000:.1f} ms CPU/article)"))

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

    import hostile_text

    size = 20_000 if args.quick else 40_000
    growth = {name: (b / a) / 4.0 for name, (a, b) in hostile_text.measure(size).items()}
    worst = max(growth, key=lambda k: growth[k])
    rows.append((f"hostile texts ({len(growth)} kinds): worst growth, {size:,} -> {4 * size:,} chars",
                 worst, "linear: 4x the time", f"{growth[worst]:.2f}x linear"))

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
