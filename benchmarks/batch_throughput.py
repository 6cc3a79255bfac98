"""How close `summarizer batch` gets to the ideal of a latency-bound run, and its memory.

    python benchmarks/batch_throughput.py [--n 240] [--concurrency 16] [--latency 0.5]
                                          [--memory-n 10000] [--profile] [--what-if]

1. Throughput: the fake OpenAI server (a separate process, so its threads do not compete with
   the client for the GIL) answers every request after `--latency` seconds. `--n` copies of
   the example article (each made unique) go through the real batch path in-process:
   `expand_inputs` -> `run_batch` -> `Pipeline.arun` -> instructor -> openai -> transports.
   Ideal = ceil(n / concurrency) * latency; the target is measured/ideal <= 1.25.
   (The fake server sets TCP_NODELAY: without it, headers and body leave in two sends and
   Nagle + delayed ACK add ~40 ms to every reply, which this benchmark first exposed.)
   The same run through the CLI (`python -m summarizer batch`, a subprocess) is also timed,
   which adds interpreter and import start-up.
   CPU per article is the client process's CPU time (`time.process_time`) divided by n.
2. Memory: peak RSS (`wait4`) of the CLI over `--memory-n` tiny JSONL records (latency 0.01 s,
   concurrency 64), next to the same over 100 records: flat memory means the two are close.
3. `--profile`: cProfile of the in-process run, top functions by own and cumulative time.
4. `--what-if`: one more in-process run with the remaining per-request hot spot found by
   profiling removed by monkeypatching (benchmark only, nothing is changed in the package):
   instructor 1.17 wraps the response model in a fresh `create_model` subclass on every call
   (`prepare_response_model` -> `response_schema`), which also defeats the lru_cache of
   `generate_openai_schema`, so the JSON schema is rebuilt per request; the what-if caches it.

Output is plain text for the report; nothing here touches the network.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import math
import os
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from summarizer.batch import expand_inputs, run_batch  # noqa: E402
from summarizer.grounding.spans import quotation_spans  # noqa: E402
from summarizer.pipeline import Pipeline  # noqa: E402
from summarizer.settings import Settings  # noqa: E402

EXAMPLE = ROOT / "examples" / "iran-missiles-russia.txt"
KEY = "sk-test-benchmark-not-real"


def payload_for(text: str) -> dict[str, Any]:
    """A valid answer whose quotes are verbatim in `text` (so grounding really runs)."""
    quotes = [text[s:e] for s, e in quotation_spans(text)][:3]
    return {
        "summary": [{"text": "Antony Blinken and David Lammy took aim at Iran over missiles shipped to Russia.",
                     "support": ["S3"]}],
        "allegations": [
            {"claim": "Iran shipped ballistic missiles to Russia.", "alleged_by": "Antony Blinken",
             "against": "Iran", "status": "alleged", "hedge": "allegation", "evidence": "S3"}
        ],
        "sanctions_targets": [
            {"name": "Iran Air", "kind": "organization", "country": "Iran", "imposed_by": "U.S."}
        ],
        "quotes": [{"text": q, "speaker": None} for q in quotes],
    }


class Server:
    """`python -m summarizer.testing.server` in its own process."""

    def __init__(self, latency: float, payload: dict[str, Any], workdir: Path) -> None:
        answer = workdir / f"payload-{latency}.json"
        answer.write_text(json.dumps(payload), encoding="utf-8")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "summarizer.testing.server", "--latency", str(latency),
             "--payload-file", str(answer)],
            stdout=subprocess.PIPE, text=True, cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert self.proc.stdout is not None
        self.url = self.proc.stdout.readline().strip()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def write_articles(folder: Path, text: str, n: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"{i:05d}.txt").write_text(f"Copy {i}.\n\n{text}", encoding="utf-8")


async def in_process(url: str, folder: Path, out: Path, concurrency: int) -> tuple[float, float, Any]:
    """Wall time, CPU time and tally of one in-process batch run (a fresh output file)."""
    out.unlink(missing_ok=True)
    settings = Settings.resolve(api_key=KEY, base_url=url)
    summarizer = Pipeline(settings)
    quiet: list[str] = []
    t0, c0 = time.perf_counter(), time.process_time()
    try:
        tally = await run_batch(expand_inputs([str(folder)]), out, summarizer, concurrency, None,
                                log=quiet.append)
    finally:
        await summarizer.aclose()
    return time.perf_counter() - t0, time.process_time() - c0, tally


def report(label: str, n: int, ideal: float, wall: float, cpu: float | None = None) -> None:
    extra = f", client CPU {cpu / n * 1000:.1f} ms/article" if cpu is not None else ""
    print(f"  {label}: {wall:.2f} s, ratio {wall / ideal:.3f}, {n / wall:.1f} articles/s{extra}")


def patch_hot_spots() -> None:
    """Benchmark-only what-if: reuse instructor's wrapped response model across calls."""
    import functools

    import instructor.v2.core.patch as ipatch

    ipatch.prepare_response_model = functools.lru_cache(maxsize=64)(ipatch.prepare_response_model)


def cli_run(url: str, inputs: list[str], out: Path, concurrency: int) -> tuple[float, int, str]:
    """Wall time, peak RSS (KiB) and stderr of one `python -m summarizer batch` process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENAI_API_KEY": KEY}
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "summarizer", "batch", *inputs, "-o", str(out),
         "--concurrency", str(concurrency), "--base-url", url],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    assert proc.stderr is not None
    err = proc.stderr.read().decode()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"batch CLI failed ({proc.returncode}): {err}")
    return wall, usage.ru_maxrss, err.strip().splitlines()[-1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=240)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--latency", type=float, default=0.5)
    ap.add_argument("--memory-n", type=int, default=10_000)
    ap.add_argument("--memory-concurrency", type=int, default=64)
    ap.add_argument("--profile", action="store_true", help="cProfile the in-process run")
    ap.add_argument("--skip-cli", action="store_true")
    ap.add_argument("--what-if", action="store_true", help="also run with the hot spots cached")
    args = ap.parse_args()

    text = EXAMPLE.read_text(encoding="utf-8")
    ideal = math.ceil(args.n / args.concurrency) * args.latency
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        folder = tmp / "articles"
        write_articles(folder, text, args.n)

        print(f"throughput: {args.n} articles ({len(text)} chars each), concurrency {args.concurrency}, "
              f"server latency {args.latency} s (fake server in its own process)")
        print(f"  ideal = ceil({args.n}/{args.concurrency}) * {args.latency} = {ideal:.2f} s")
        out = tmp / "out.jsonl"
        with Server(args.latency, payload_for(text), tmp) as server:
            profiler = cProfile.Profile() if args.profile else None
            if profiler:
                profiler.enable()
            wall, cpu, tally = asyncio.run(in_process(server.url, folder, out, args.concurrency))
            if profiler:
                profiler.disable()
            assert tally.done == args.n and tally.failed == 0, tally
            report("in-process run_batch" + (" (profiled)" if profiler else ""), args.n, ideal, wall, cpu)
            if not args.skip_cli:
                wall_cli, rss, line = cli_run(server.url, [str(folder)], tmp / "out-cli.jsonl", args.concurrency)
                report(f"CLI subprocess incl. start-up (peak RSS {rss / 1024:.0f} MiB)", args.n, ideal, wall_cli)
                print(f"    tally: {line}")
            if args.what_if:
                # A warm baseline first: the first run also pays one-off costs (lazy imports, the
                # first connection), which would otherwise be credited to the what-if.
                wall, cpu, tally = asyncio.run(in_process(server.url, folder, out, args.concurrency))
                report("in-process run_batch again (warm baseline)", args.n, ideal, wall, cpu)
                patch_hot_spots()
                wall, cpu, tally = asyncio.run(in_process(server.url, folder, out, args.concurrency))
                assert tally.done == args.n and tally.failed == 0, tally
                report("what-if: instructor's per-call model wrapping cached", args.n, ideal, wall, cpu)

        if profiler:
            stream = io.StringIO()
            stats = pstats.Stats(profiler, stream=stream)
            stats.sort_stats("tottime").print_stats(25)
            stats.sort_stats("cumulative").print_stats(45)
            print(stream.getvalue())

        if args.memory_n:
            small = {"summary": "S.", "allegations": [], "sanctions_targets": [], "quotes": []}
            print(f"memory: tiny JSONL records, CLI subprocess, server latency 0.01 s, "
                  f"concurrency {args.memory_concurrency}")
            with Server(0.01, small, tmp) as server:
                for n in (100, args.memory_n):
                    recs = tmp / f"recs-{n}.jsonl"
                    with recs.open("w", encoding="utf-8") as fh:
                        for i in range(n):
                            fh.write(json.dumps({"id": f"r{i}", "text": f"Record {i} says little."}) + "\n")
                    wall_m, rss, line = cli_run(server.url, [str(recs)], tmp / f"out-{n}.jsonl",
                                                args.memory_concurrency)
                    print(f"  {n:>6} records: peak RSS {rss / 1024:.0f} MiB, {wall_m:.1f} s "
                          f"({n / wall_m:.0f} articles/s)   [{line}]")


if __name__ == "__main__":
    main()
