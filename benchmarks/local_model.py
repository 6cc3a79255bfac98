"""How fast is the embedded model, and what does the summarizer add on top of bare llama.cpp?

One process, one model, measured in the same run:

1. the full pipeline on the example article (`summarize(..., backend="local")`), capturing
   the exact token sequences llama.cpp evaluated for every request (prompt and completion);
2. the floor: bare llama.cpp forward passes (`Llama.eval`) over the prefix every request
   shares (instructions and the numbered article) once, then each request's own tokens, then
   its completion one token at a time, with no sampling, no grammar, no HTTP, no validation.
   This gives the model's prefill and decode rates on this machine now, and the time the same
   answers need at least (issue 24's goal: pipeline <= 1.25x this floor).

The ratio pipeline / floor is the summarizer's whole overhead (prompt building, openai +
instructor, transports, grammar-constrained sampling, validation, grounding).

    python benchmarks/local_model.py [--model qwen2.5-coder-1.5b] [--runs 1] [--lookup N]

`--lookup N` loads the model with llama-cpp-python's prompt-lookup decoding (drafts of N
tokens copied from the prompt) to see whether it helps. The machine may be shared: the load
average is printed so a slow run can be told apart. Run one llama.cpp process at a time.
"""

from __future__ import annotations

import argparse
import os
import resource
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
    parser.add_argument("--model", default="qwen2.5-coder-1.5b", help="a known local model (summarizer models)")
    parser.add_argument("--runs", type=int, default=1, help="full pipeline runs (default 1)")
    parser.add_argument("--lookup", type=int, default=0, help="prompt-lookup draft length (0: off)")
    args = parser.parse_args(argv)

    from summarizer.api import summarize
    from summarizer.local import load_model

    article = args.article.read_text(encoding="utf-8")
    print(f"load average before: {_loadavg()}", file=sys.stderr)

    from summarizer.local import runtime

    runtime.LOOKUP_TOKENS = args.lookup  # before the model is loaded: the draft is set at load
    t0 = time.monotonic()
    model = load_model(model=args.model)
    load_s = time.monotonic() - t0
    llama = model.llama

    # Capture what llama.cpp was asked to evaluate: every generate() call's prompt tokens and
    # the tokens it produced (an instance attribute shadows the method; benchmark only).
    calls: list[tuple[list[int], list[int]]] = []
    real_generate = llama.generate

    def capturing(tokens: Any, *a: Any, **kw: Any) -> Any:
        produced: list[int] = []
        calls.append((list(tokens), produced))
        for token in real_generate(tokens, *a, **kw):
            produced.append(token)
            yield token

    llama.generate = capturing

    pipeline_s: list[float] = []
    results = []
    for _ in range(max(1, args.runs)):
        llama.reset()  # no KV prefix reuse across runs: each run starts cold
        calls.clear()
        t = time.monotonic()
        results.append(summarize(article, backend="local", model=args.model, source=str(args.article)))
        pipeline_s.append(time.monotonic() - t)
    del llama.generate
    sampler = getattr(llama, "_sampler", None)
    print(f"pipeline: {' / '.join(f'{s:.1f}' for s in pipeline_s)} s/article, load {_loadavg()}", file=sys.stderr, flush=True)

    # The floor (issue 24): bare forward passes that evaluate the prefix every request shares
    # (instructions + numbered article) once, then each request's own tokens after it, then
    # decode its completion one token at a time: no sampling, grammar, HTTP or validation.
    llama.reset()
    prefill_s = decode_s = 0.0
    prefill_n = decode_n = 0
    draft, llama.draft_model = llama.draft_model, None  # plain eval: one token per decode
    prompts = [prompt for prompt, _ in calls]
    shared = 0
    while prompts and all(len(p) > shared + 1 and p[shared] == prompts[0][shared] for p in prompts):
        shared += 1
    t = time.monotonic()
    llama.eval(prompts[0][:shared] if prompts else [])
    prefill_s += time.monotonic() - t
    prefill_n += shared
    for prompt, produced in calls:
        llama.n_tokens = shared
        t = time.monotonic()
        llama.eval(prompt[shared:])
        prefill_s += time.monotonic() - t
        prefill_n += len(prompt) - shared
        t = time.monotonic()
        for token in produced[:-1]:  # the last sampled token is never evaluated
            llama.eval([token])
        decode_s += time.monotonic() - t
        decode_n += max(0, len(produced) - 1)
    llama.draft_model = draft
    ideal_s = prefill_s + decode_s

    r = results[0]
    usage = r.provenance.usage
    rows = [
        ("model", f"{model.name} ({model.path.stat().st_size / 1e6:,.0f} MB GGUF)"
                  + (f", prompt lookup {args.lookup}" if args.lookup else "")),
        ("model load", f"{load_s:.2f} s"),
        ("pipeline, s/article", " / ".join(f"{s:.1f}" for s in pipeline_s)),
        ("requests (last run)", f"{len(calls)}"),
        ("tokens (prompt/completion)", f"{usage.prompt_tokens} / {usage.completion_tokens}"),
        ("shared prefix (evaluated once)", f"{shared} tokens"),
        ("prefill evaluated (floor)", f"{prefill_n} tokens in {prefill_s:.1f} s = {prefill_n / prefill_s:.1f} tokens/s"
         if prefill_s else "n/a"),
        ("decode (bare eval)", f"{decode_n} tokens in {decode_s:.1f} s = {decode_n / decode_s:.1f} tokens/s"
         if decode_s else "n/a"),
        ("floor (bare llama.cpp)", f"{ideal_s:.1f} s"),
        ("pipeline / floor", f"{pipeline_s[-1] / ideal_s:.3f}x (last run)" if ideal_s else "n/a"),
        ("grammar fallbacks (last request)", str(getattr(sampler, "fallbacks", "n/a"))),
        ("peak RSS", f"{_peak_rss_mb():,.0f} MB"),
        (
            "returned (run 1)",
            f"{len(r.quotes)} quotes, {len(r.sanctions_targets)} targets, "
            f"{len(r.allegations)} allegations, {len(r.provenance.dropped)} dropped",
        ),
        ("same result every run", str(all(
            x.model_dump(exclude={"provenance"}) == r.model_dump(exclude={"provenance"}) for x in results
        ))),
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
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
