"""How close `summarizer batch` gets to the ideal of a latency-bound run, and its memory.

    python benchmarks/batch_throughput.py [--n 240] [--concurrency 16] [--latency 0.5]
                                          [--memory-n 10000] [--profile]

1. Throughput: the fake OpenAI server (a separate process, so its threads do not compete with
   the client for the GIL) answers every request after `--latency` seconds. `--n` copies of
   the example article (each made unique, see `copy_of`) go through the real batch path in-process:
   `expand_inputs` -> `run_batch` -> `Pipeline.arun` -> instructor -> openai -> transports.
   Ideal = ceil(n / concurrency) * latency; the target is measured/ideal <= 1.10 for a warm
   run (the first run in a process also pays openai's lazy imports and the TLS context).
   (The fake server sets TCP_NODELAY: without it, headers and body leave in two sends and
   Nagle + delayed ACK add ~40 ms to every reply, which this benchmark first exposed.)
   The same run through the CLI (`python -m summarizer batch`, a subprocess) is also timed,
   which adds interpreter and import start-up.
   CPU per article is the client process's CPU time (`time.process_time`) divided by n.
2. Memory: peak RSS (`wait4`) of the CLI over `--memory-n` tiny JSONL records (latency 0.01 s,
   concurrency 64), next to the same over 100 records: flat memory means the two are close.
3. The same requests without the summarizer: the body the pipeline sends for one article, sent
   `--n` times through a bare `openai.AsyncOpenAI` client by `--concurrency` workers, to the
   same server in the same run, alternating with the warm batch runs: what this machine and
   server allow, summarizer or not (on a loaded machine that is above the ideal too).
4. `--profile`: cProfile of the in-process run, top functions by own and cumulative time.

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
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import request_body  # noqa: E402

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
        (folder / f"{i:05d}.txt").write_text(copy_of(text, i), encoding="utf-8")


def copy_of(text: str, i: int) -> str:
    """Article `i` of a run: the example with a line naming the copy at its end (so its sentence
    ids and quotes, which the fake answer cites, stay the same)."""
    return f"{text.rstrip()}\n\n(Copy {i} of the example.)\n"


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


async def bare_requests(url: str, body: dict[str, Any], n: int, concurrency: int) -> tuple[float, float]:
    """Wall and CPU time of `n` copies of `body` through a bare AsyncOpenAI client, `concurrency`
    at a time (the client is built inside the timing, as the batch run builds its own)."""
    import httpx2
    import openai

    t0, c0 = time.perf_counter(), time.process_time()
    client = openai.AsyncOpenAI(api_key=KEY, base_url=url, max_retries=0, http_client=httpx2.AsyncClient())
    left = iter(range(n))

    async def worker() -> None:
        for _ in left:
            await client.chat.completions.create(**body)

    try:
        await asyncio.gather(*(worker() for _ in range(concurrency)))
    finally:
        await client.close()
    return time.perf_counter() - t0, time.process_time() - c0


def measure(n: int = 240, concurrency: int = 16, latency: float = 0.5, rounds: int = 2) -> dict[str, Any]:
    """Wall and CPU seconds of: the first in-process batch run ('cold': it also pays openai's
    lazy imports and the client's TLS context), the best of `rounds` further runs ('warm': the
    throughput measure), and the best of as many bare-client runs of the same requests ('bare'),
    warm and bare alternating so that load on a shared machine falls on both alike."""
    text = EXAMPLE.read_text(encoding="utf-8")
    out: dict[str, Any] = {"ideal": math.ceil(n / concurrency) * latency, "n": n}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        write_articles(tmp / "articles", text, n)
        with Server(latency, payload_for(text), tmp) as server:
            wall, cpu, tally = asyncio.run(in_process(server.url, tmp / "articles", tmp / "out.jsonl", concurrency))
            assert tally.done == n and tally.failed == 0, tally
            out["cold"] = (wall, cpu)
            body = request_body(server.url, copy_of(text, 0), KEY)
            warm, bare = [], []
            for _ in range(rounds):
                wall, cpu, tally = asyncio.run(in_process(server.url, tmp / "articles", tmp / "out.jsonl", concurrency))
                assert tally.done == n and tally.failed == 0, tally
                warm.append((wall, cpu))
                bare.append(asyncio.run(bare_requests(server.url, body, n, concurrency)))
            out["warm"], out["bare"] = min(warm), min(bare)
    return out


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
    ap.add_argument("--skip-bare", action="store_true", help="no throughput runs (the CLI and memory only)")
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
        if not args.skip_bare and not args.profile:
            m = measure(args.n, args.concurrency, args.latency)
            report("in-process run_batch, first run (openai's lazy imports, TLS context)", args.n, ideal, *m["cold"])
            report("in-process run_batch, warm (best of 2)", args.n, ideal, *m["warm"])
            report("bare AsyncOpenAI, the same requests, no summarizer (best of 2)", args.n, ideal, *m["bare"])
        profiler = None
        with Server(args.latency, payload_for(text), tmp) as server:
            if args.profile:
                profiler = cProfile.Profile()
                profiler.enable()
                wall, cpu, tally = asyncio.run(in_process(server.url, folder, tmp / "out.jsonl", args.concurrency))
                profiler.disable()
                report("in-process run_batch (profiled)", args.n, ideal, wall, cpu)
            if not args.skip_cli:
                wall_cli, rss, line = cli_run(server.url, [str(folder)], tmp / "out-cli.jsonl", args.concurrency)
                report(f"CLI subprocess incl. start-up (peak RSS {rss / 1024:.0f} MiB)", args.n, ideal, wall_cli)
                print(f"    tally: {line}")

        if profiler:
            stream = io.StringIO()
            stats = pstats.Stats(profiler, stream=stream)
            stats.sort_stats("tottime").print_stats(25)
            stats.sort_stats("cumulative").print_stats(45)
            print(stream.getvalue())

        if args.memory_n:
            small = {"summary": [{"text": "Record says little.", "support": ["S1"]}], "allegations": [],
                     "sanctions_targets": [], "quotes": []}
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
