"""How fast is the embedded model, and what does the summarizer add on top of it?

Runs the example article through the full pipeline (`summarize(..., backend="local")`) a few
times, then replays the very same request bodies straight into `Llama.create_chat_completion`
(same grammar, same arguments, via `local.chat_kwargs`). The difference is the summarizer's
overhead: prompt building, openai + instructor, transports, validation, grounding.

    python benchmarks/local_model.py [--article PATH] [--runs 2]

The machine may be shared: the load average is printed so a slow run can be told apart.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ARTICLE = ROOT / "examples" / "iran-missiles-russia.txt"


def _loadavg() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:  # pragma: no cover - not on every platform
        return "n/a"


def _peak_rss_mb() -> float:
    """Peak resident set size of this process (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def main(argv: list[str] | None = None) -> int:
    """Measure, then print one table; returns a process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--article", type=Path, default=DEFAULT_ARTICLE)
    parser.add_argument("--runs", type=int, default=2, help="full pipeline runs (default 2)")
    args = parser.parse_args(argv)

    from summarizer.api import summarize
    from summarizer.local import load_model
    from summarizer.transports import local

    article = args.article.read_text(encoding="utf-8")
    print(f"load average before: {_loadavg()}", file=sys.stderr)

    t0 = time.monotonic()
    model = load_model()
    load_s = time.monotonic() - t0

    # Capture each request body exactly as the openai client sent it, and the time spent in
    # the transport, by swapping in a recording subclass (build() imports Local at call time).
    bodies: list[dict[str, Any]] = []
    in_model: list[float] = []

    class Recording(local.Local):
        def _answer(self, request: Any) -> Any:
            bodies.append(json.loads(request.content))
            t = time.monotonic()
            try:
                return super()._answer(request)
            finally:
                in_model.append(time.monotonic() - t)

    local.Local = Recording  # type: ignore[misc]

    pipeline_s: list[float] = []
    results = []
    first_bodies: list[dict[str, Any]] = []
    for i in range(max(1, args.runs)):
        model.llama.reset()  # no KV prefix reuse across runs: each run starts cold
        before = len(bodies)
        t = time.monotonic()
        results.append(summarize(article, backend="local", source=str(args.article)))
        pipeline_s.append(time.monotonic() - t)
        if i == 0:
            first_bodies = bodies[before:]
    model_in_pipeline = sum(in_model[: len(first_bodies)])

    # The same request bodies, straight into llama (re-asks included, in order).
    model.llama.reset()
    bare_s = 0.0
    bare_tokens = 0
    with model.lock:
        for body in first_bodies:
            kwargs = local.chat_kwargs(model, body)
            t = time.monotonic()
            out = model.llama.create_chat_completion(**kwargs)
            bare_s += time.monotonic() - t
            bare_tokens += int(out["usage"]["completion_tokens"])

    r = results[0]
    usage = r.provenance.usage
    overhead = pipeline_s[0] - bare_s
    rows = [
        ("model", f"{model.name} ({model.path.stat().st_size / 1e6:.0f} MB GGUF)"),
        ("model load", f"{load_s:.2f} s"),
        (
            "pipeline, s/article",
            " / ".join(f"{s:.1f}" for s in pipeline_s)
            + (f"  (median {statistics.median(pipeline_s):.1f})" if len(pipeline_s) > 1 else ""),
        ),
        ("requests per article", f"{r.provenance.attempts} (1 + re-asks)"),
        ("tokens (prompt/completion)", f"{usage.prompt_tokens} / {usage.completion_tokens}"),
        ("bare llama, same bodies", f"{bare_s:.1f} s for {len(first_bodies)} request(s)"),
        ("tokens/s (completion/gen time)", f"{bare_tokens / bare_s:.1f}" if bare_s else "n/a"),
        ("time inside Local transport", f"{model_in_pipeline:.1f} s (run 1)"),
        (
            "summarizer overhead",
            f"{overhead:.2f} s = run 1 - bare ({overhead / bare_s:+.1%} of bare)" if bare_s else "n/a",
        ),
        ("peak RSS", f"{_peak_rss_mb():.0f} MB"),
        (
            "returned (run 1)",
            f"{len(r.quotes)} quotes, {len(r.sanctions_targets)} targets, "
            f"{len(r.allegations)} allegations, {len(r.provenance.dropped)} dropped",
        ),
        (
            "same result every run",
            str(
                all(
                    x.model_dump(exclude={"provenance"}) == r.model_dump(exclude={"provenance"})
                    for x in results
                )
            ),
        ),
        ("load average after", _loadavg()),
    ]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    print()
    print(f"summary: {r.summary}")
    for q in r.quotes:
        print(f"quote [{q.start}:{q.end}] {q.speaker!r}: {q.text}")
    for target in r.sanctions_targets:
        print(f"target: {target.name} ({target.kind})")
    for a in r.allegations:
        print(f"allegation ({a.status}): {a.claim}")
    for d in r.provenance.dropped:
        print(f"dropped {d.kind}: {d.text[:100]!r} - {d.reason}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
