"""What writing the run history costs: the same runs with and without `--no-log`.

    python benchmarks/history_overhead.py [--runs 9] [--n 200]

1. One `summarize` run through the CLI (a subprocess, as a user runs it), twice: a cache hit
   (the fastest run there is, so the most sensitive to a fixed cost) and a `--backend rules`
   run with `--no-cache`. The runs with and without `--no-log` are interleaved (A B A B ...);
   the median CPU time (user + system) of each is reported, and their ratio.
2. A batch of `--n` distinct articles (`--backend rules`, no model, so the history's share is
   as large as it can be), with and without `--no-log`: through the CLI, and in-process
   (`run_batch` with the CLI's logging wrapper or without it, alternately, CPU time: less
   noisy on a shared machine).
All figures are CPU seconds except the what-if, which is wall time (fsync waits, not CPU).
3. What-if: one history row written with `synchronous=NORMAL` (SQLite's WAL default) instead
   of `OFF`, opened and closed as a `summarize` run does: the fsync cost that history.py avoids.

Nothing here touches the network. PYTHONDONTWRITEBYTECODE is dropped for the subprocesses, so
they load compiled modules as an installed package does (the warm-up run writes them).
"""

from __future__ import annotations

import argparse
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "iran-missiles-russia.txt"
CLI = [sys.executable, "-m", "summarizer"]


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def interleaved(a: list[str], b: list[str], env: dict[str, str], runs: int) -> tuple[float, float]:
    """Median CPU seconds (user + system) of commands `a` and `b`, run alternately after one
    warm-up each. CPU time, not wall time: on a shared machine other people's work stretches
    wall time by tens of milliseconds either way, CPU time hardly."""
    for cmd in (a, b):
        subprocess.run(cmd, check=True, capture_output=True, env=env)
    ta: list[float] = []
    tb: list[float] = []
    for _ in range(runs):
        for cmd, out in ((a, ta), (b, tb)):
            t0 = _child_cpu()
            subprocess.run(cmd, check=True, capture_output=True, env=env)
            out.append(_child_cpu() - t0)
    return statistics.median(ta), statistics.median(tb)


def one_row_write(path: Path, synchronous: str, runs: int) -> float:
    """Median seconds to open the file, write one result-sized row and close, like one run."""
    row = "x" * 7000
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE IF NOT EXISTS t (v TEXT)")
    conn.close()
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA synchronous={synchronous}")
        conn.execute("INSERT INTO t VALUES (?)", (row,))
        conn.close()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def in_process(articles: Path, tmp: Path, reps: int) -> tuple[float, float]:
    """Median CPU seconds of this process for `run_batch` over `articles`, with the history
    hook and without, in alternating order (CPU time: other users of a shared machine
    disturb it far less than wall time)."""
    import asyncio

    sys.path.insert(0, str(ROOT))
    from summarizer.api import Summarizer
    from summarizer.batch import current_id, expand_inputs, run_batch
    from summarizer.cli.logs import RunLog
    from summarizer.settings import Settings

    settings = Settings.resolve(backend="rules")
    times: dict[bool, list[float]] = {True: [], False: []}
    for rep in range(reps + 1):  # the first round warms up
        for logged in (True, False) if rep % 2 else (False, True):
            log = RunLog("batch", settings)
            runner = Summarizer(settings, on_finish=log.hook(item=current_id.get) if logged else None)
            items = expand_inputs([str(articles)], None)
            t0 = time.process_time()
            asyncio.run(run_batch(items, tmp / f"in-{logged}-{rep}.jsonl", runner, 8, log=lambda _m: None))
            if rep:
                times[logged].append(time.process_time() - t0)
            runner.close()
            log.close()
    return statistics.median(times[True]), statistics.median(times[False])


def measure(runs: int = 9, n: int = 200) -> list[tuple[str, float, float]]:
    """(what, seconds with the history, seconds with --no-log)."""
    out = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        env = {**os.environ, "SUMMARIZER_CACHE_DIR": str(tmp / "cache"), "SUMMARIZER_LOGS_DB": str(tmp / "h.db")}
        env.pop("SUMMARIZER_NO_LOG", None)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        base = [*CLI, "summarize", str(EXAMPLE), "--backend", "rules"]
        hit = interleaved(base, [*base, "--no-log"], env, runs)
        out.append(("summarize, cache hit", *hit))
        fresh = interleaved([*base, "--no-cache"], [*base, "--no-cache", "--no-log"], env, runs)
        out.append(("summarize --backend rules --no-cache", *fresh))

        articles = tmp / "articles"
        articles.mkdir()
        text = EXAMPLE.read_text("utf-8")
        for i in range(n):
            (articles / f"a{i:04d}.txt").write_text(f"{text}\n\nCopy {i}.", "utf-8")
        times: dict[bool, list[float]] = {True: [], False: []}
        for rep in range(max(1, runs // 3)):
            for logged in (True, False):
                result = tmp / f"out-{logged}-{rep}.jsonl"
                cmd = [*CLI, "batch", str(articles), "-o", str(result), "--backend", "rules", "--no-cache"]
                t0 = _child_cpu()
                subprocess.run(cmd + ([] if logged else ["--no-log"]), check=True, capture_output=True, env=env)
                times[logged].append(_child_cpu() - t0)
        out.append((f"batch of {n} articles, --backend rules (CLI, CPU)", statistics.median(times[True]), statistics.median(times[False])))
        saved = os.environ.get("SUMMARIZER_LOGS_DB")
        os.environ["SUMMARIZER_LOGS_DB"] = str(tmp / "inprocess.db")  # never the user's history
        try:
            out.append((f"batch of {n} articles, in-process (CPU)", *in_process(articles, tmp, max(3, runs // 2))))
        finally:
            if saved is None:
                os.environ.pop("SUMMARIZER_LOGS_DB", None)
            else:
                os.environ["SUMMARIZER_LOGS_DB"] = saved
        normal = one_row_write(tmp / "normal.db", "NORMAL", runs * 3)
        off = one_row_write(tmp / "off.db", "OFF", runs * 3)
        out.append(("what-if: one row, synchronous=NORMAL vs OFF", normal, off))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--n", type=int, default=200)
    args = ap.parse_args()
    rows = measure(args.runs, args.n)
    width = max(len(r[0]) for r in rows)
    print(f"{'':<{width}}  {'logged':>10}  {'--no-log':>10}  ratio")
    for what, logged, bare in rows:
        print(f"{what:<{width}}  {logged * 1000:8.1f} ms  {bare * 1000:8.1f} ms  {logged / bare:.3f}x "
              f"(+{(logged - bare) * 1000:.1f} ms)")


if __name__ == "__main__":
    main()
