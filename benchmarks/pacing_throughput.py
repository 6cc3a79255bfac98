"""Throughput of a paced live batch as a fraction of the rate limit (goal >= 0.9), and its 429s.

    python benchmarks/pacing_throughput.py [--limit 50] [--window 1] [--n 300] [--concurrency 16]

The fake server enforces `--limit` requests per `--window` seconds the way OpenAI does (a
bucket that refills continuously, `x-ratelimit-*` headers, 429 + retry-after-ms when empty) and
answers after 20 ms. `--n` articles go through the real live batch path in-process with
`--concurrency` workers, far more than the limit allows (16 workers at 20 ms would send ~800/s).

Ideal (same run): the server's bucket starts full and refills at rate = limit/window, so by t
seconds after the first admission it has admitted at most limit + rate * t requests: the n
admissions cannot span less than (n - limit) / rate. Fraction = ideal / measured span (first to
last admission, as the server saw them). The wall time of the whole run (start-up and the first probe included) is shown too.
A one-second window keeps the run short; the pacer reads the window from the headers exactly as
it reads a minute.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from summarizer.batch import expand_inputs, run_batch  # noqa: E402
from summarizer.pipeline import Pipeline  # noqa: E402
from summarizer.settings import Settings  # noqa: E402
from tests.fakes import (  # noqa: E402
    FakeOpenAI,
    RateLimit,  # noqa: E402
    Reply,
)

QUOTE = "we will hold them to account"
PAYLOAD = {"summary": [{"text": "An official promised to hold them to account.", "support": ["S2"]}],
           "allegations": [], "sanctions_targets": [],
           "quotes": [{"text": QUOTE, "speaker": "An official"}]}


def measure(limit: int = 50, window: float = 1.0, n: int = 300, concurrency: int = 16) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as name, FakeOpenAI(default=Reply(payload=PAYLOAD), latency=0.02) as fake:
        tmp = Path(name)
        records = tmp / "in.jsonl"
        records.write_text("".join(json.dumps({"id": i, "text": f'Article {i}. "{QUOTE}," an official said.'}) + "\n"
                                   for i in range(n)))
        fake.limits = RateLimit(requests=limit, window=window)
        summarizer = Pipeline(Settings.resolve(base_url=fake.url, api_key="sk-benchmark-not-real"))

        async def main() -> Any:
            try:
                return await run_batch(expand_inputs([str(records)]), tmp / "out.jsonl", summarizer,
                                       concurrency, log=lambda m: None)
            finally:
                await summarizer.aclose()

        t0 = time.monotonic()
        tally = asyncio.run(main())
        wall = time.monotonic() - t0
        times = fake.limits.admit_times
    assert tally.done == n, tally
    rate = limit / window
    paced = times[-1] - times[0]
    ideal = (n - limit) / rate
    return {"n": n, "rate": rate, "paced_s": paced, "ideal_s": ideal, "fraction": ideal / paced,
            "wall_s": wall, "wall_ideal_s": ideal, "rejected": fake.limits.rejected}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=50)
    ap.add_argument("--window", type=float, default=1.0)
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--concurrency", type=int, default=16)
    args = ap.parse_args()
    m = measure(args.limit, args.window, args.n, args.concurrency)
    print(f"limit {args.limit} requests / {args.window:g} s ({m['rate']:g}/s), {m['n']} articles, c={args.concurrency}")
    print(f"admissions span {m['paced_s']:.2f} s, ideal {m['ideal_s']:.2f} s: {m['fraction']:.3f} of the limit")
    print(f"whole run:   {m['wall_s']:.2f} s (start-up and the first probe included)")
    print(f"429s: {m['rejected']}")


if __name__ == "__main__":
    main()
