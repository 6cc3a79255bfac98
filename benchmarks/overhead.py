#!/usr/bin/env python3
"""Per-article overhead of the summarizer against a bare openai request to the same endpoint.

    python benchmarks/overhead.py [--calls 60] [--profile]

The fake OpenAI server (0 ms model latency) runs in its own process, so the client's CPU time
(`time.process_time`) is the client's alone. The bare side sends the very request body the
summarizer sends (tools, schema, messages) through a plain `openai.OpenAI` client; the
summarizer side runs the whole pipeline (token count and chunking, prompt, transport stack,
instructor parsing and validation, grounding, provenance) and the library client
(`summarizer.Summarizer.summarize(text)`: the text checked and sniffed for HTML, then the same
pipeline).

Every pipeline call gets an article it has not seen (`batch_throughput.copy_of`: the example
with a line naming the copy appended, so sentence ids and quotes stay the same): per-article work that is cached by the
article's text is paid on every call, as in a batch of different articles. Calls alternate
bare / pipeline, so load on a shared machine hits both alike. Reported: the median wall time
and the median client CPU time per call, each as a ratio against the bare request.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

EXAMPLE = ROOT / "examples" / "iran-missiles-russia.txt"




def _sample(fn: Callable[[], object]) -> tuple[float, float]:
    c0, t0 = time.process_time(), time.perf_counter()
    fn()
    return time.perf_counter() - t0, time.process_time() - c0


def measure(calls: int = 60, profile: bool = False) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) seconds per call: 'bare', 'pipeline', 'library'."""
    import httpx2
    import openai
    from _timing import request_body
    from batch_throughput import Server, copy_of

    from summarizer.api import Summarizer as Library
    from summarizer.inputs import article_from_text
    from summarizer.pipeline import Pipeline
    from summarizer.settings import Settings
    from tests.conftest import example_payload

    text = EXAMPLE.read_text("utf-8")
    texts = [copy_of(text, i) for i in range(2 * calls + 2)]
    samples: dict[str, list[tuple[float, float]]] = {"bare": [], "pipeline": [], "library": []}
    with tempfile.TemporaryDirectory() as tmp, Server(0.0, example_payload(), Path(tmp)) as server:
        settings = Settings.resolve(base_url=server.url, api_key="sk-bench")
        body = request_body(server.url, texts[-1])  # the exact request the pipeline sends for an article
        bare = openai.OpenAI(api_key="sk-bench", base_url=server.url, max_retries=0, http_client=httpx2.Client())
        bare.chat.completions.create(**body)  # type: ignore[call-overload]

        pipeline = Pipeline(settings)
        pipeline.run(article_from_text(texts[-2], "warm-up"))
        articles = [article_from_text(t, f"copy-{i}") for i, t in enumerate(texts[:calls])]
        profiler = None
        if profile:
            import cProfile

            profiler = cProfile.Profile()
        for article in articles:
            samples["bare"].append(_sample(lambda: bare.chat.completions.create(**body)))  # type: ignore[call-overload]
            if profiler:
                profiler.enable()
            samples["pipeline"].append(_sample(lambda a=article: pipeline.run(a)))  # type: ignore[misc]
            if profiler:
                profiler.disable()
        pipeline.close()
        with Library(base_url=server.url, api_key="sk-bench") as library:
            library.summarize(texts[-2])
            for t in texts[calls : 2 * calls]:
                samples["library"].append(_sample(lambda t=t: library.summarize(t)))  # type: ignore[misc]
        bare.close()
    if profiler:
        import io
        import pstats

        stream = io.StringIO()
        stats = pstats.Stats(profiler, stream=stream)
        stats.sort_stats("tottime").print_stats(30)
        stats.sort_stats("cumulative").print_stats("summarizer/", 40)
        print(stream.getvalue())
    return {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for k, v in samples.items()}


def rows(m: dict[str, tuple[float, float]]) -> list[tuple[str, float, str]]:
    (bw, bc), (pw, pc), (lw, lc) = m["bare"], m["pipeline"], m["library"]
    return [
        ("bare openai request (same body)", bw, f"1.00x   CPU {bc * 1000:.2f} ms"),
        ("summarizer pipeline, one new article", pw,
         f"{pw / bw:.2f}x bare (+{(pw - bw) * 1000:.1f} ms)   CPU {pc * 1000:.2f} ms, {pc / bc:.2f}x bare"),
        ("library Summarizer.summarize(text)", lw,
         f"{lw / bw:.2f}x bare (+{(lw - pw) * 1000:.1f} ms over the pipeline)   CPU {lc * 1000:.2f} ms"),
    ]


if __name__ == "__main__":
    from _timing import table

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=60)
    ap.add_argument("--profile", action="store_true", help="cProfile the pipeline calls")
    args = ap.parse_args()
    print(table(rows(measure(args.calls, args.profile))))
