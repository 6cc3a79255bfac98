#!/usr/bin/env python3
"""Per-call overhead of the summarizer against a bare openai request to the same endpoint.

Both sides talk to the loopback fake server (0 ms model latency), in the same process and run:
the bare side sends the very request body the summarizer sends (tools, schema, messages) through
a plain `openai.OpenAI` client; the summarizer side runs the whole pipeline (prompt, transport
stack, instructor parsing and validation, grounding, provenance), and the library client
(`summarizer.Summarizer.summarize(text)`: the text checked and sniffed for HTML, then the same
pipeline). Run: python benchmarks/overhead.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def measure(calls: int = 40) -> list[tuple[str, float, str]]:
    import httpx2
    import openai

    from summarizer.api import Summarizer as Library
    from summarizer.inputs import article_from_text
    from summarizer.pipeline import Pipeline
    from summarizer.settings import Settings
    from tests.conftest import example_payload
    from tests.fakes import FakeOpenAI, Reply

    text = (ROOT / "examples" / "iran-missiles-russia.txt").read_text("utf-8")
    article = article_from_text(text, "example")
    with FakeOpenAI(default=Reply(payload=example_payload())) as fake:
        summ = Pipeline(Settings.resolve(base_url=fake.url, api_key="sk-bench"))
        summ.run(article)  # warm-up, and capture the exact request body
        body = fake.requests[-1].json
        bare = openai.OpenAI(api_key="sk-bench", base_url=fake.url, max_retries=0,
                             http_client=httpx2.Client())
        bare.chat.completions.create(**body)

        def timed(fn: object) -> float:
            samples = []
            for _ in range(calls):
                t0 = time.perf_counter()
                fn()  # type: ignore[operator]
                samples.append(time.perf_counter() - t0)
            return statistics.median(samples)

        t_bare = timed(lambda: bare.chat.completions.create(**body))
        t_summ = timed(lambda: summ.run(article))
        summ.close()
        with Library(base_url=fake.url, api_key="sk-bench") as library:
            library.summarize(text)
            t_lib = timed(lambda: library.summarize(text))
    return [
        ("bare openai request (same body)", t_bare, "1.00x"),
        ("summarizer pipeline, one article", t_summ,
         f"{t_summ / t_bare:.2f}x bare, +{(t_summ - t_bare) * 1000:.1f} ms per article"),
        ("library Summarizer.summarize(text)", t_lib,
         f"{t_lib / t_bare:.2f}x bare, +{(t_lib - t_summ) * 1000:.1f} ms over the pipeline"),
    ]


if __name__ == "__main__":
    from _timing import table

    print(table(measure()))
