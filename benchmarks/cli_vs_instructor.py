#!/usr/bin/env python3
"""One uncached request through the whole CLI against a bare instructor script making the same
request, in the same run.

    python benchmarks/cli_vs_instructor.py [--runs 7]

Both are whole processes against the loopback fake OpenAI server (0 ms model): the CLI is
`summarizer summarize --no-cache FILE` (with and without the run history it writes by default),
the ideal is benchmarks/bare_instructor.py, which sends the very messages, model and parameters
through `instructor.from_openai(openai.OpenAI())` with the same response model. The two request
bodies are checked to be identical. Both import openai and instructor, which dominate; the
ratio is what the CLI adds around one model call (typer, settings, reading and checking the
article, the transport stack, grounding, provenance, the output). Bytecode caching on, as for
an installed package; median of round-robin runs, wall and CPU (user + system) time.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))
from _timing import PY, installed_env, run_once, time_commands  # noqa: E402

EXAMPLE = ROOT / "examples" / "iran-missiles-russia.txt"


def measure(runs: int = 7) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) seconds: 'bare', 'cli' (--no-log) and 'cli with history'."""
    from tests.conftest import example_payload
    from tests.fakes import FakeOpenAI, Reply

    with tempfile.TemporaryDirectory() as tmp, FakeOpenAI(default=Reply(payload=example_payload())) as fake:
        env = installed_env(ROOT, SUMMARIZER_CACHE_DIR=tmp, OPENAI_BASE_URL=fake.url, OPENAI_API_KEY="sk-bench")
        cli = [PY, "-m", "summarizer", "summarize", "--no-cache", str(EXAMPLE)]
        run_once(cli, env)
        body = Path(tmp) / "body.json"
        body.write_text(json.dumps(fake.requests[-1].json), "utf-8")
        bare = [PY, str(HERE / "bare_instructor.py"), str(body)]
        run_once(bare, env)
        assert fake.requests[-1].json == fake.requests[-2].json, "the bare script must send the same request"
        return time_commands({"bare": bare, "cli": [*cli[:4], "--no-log", *cli[4:]], "cli with history": cli},
                             runs, env)


def rows(m: dict[str, tuple[float, float]]) -> list[tuple[str, float, float, str]]:
    (bw, bc) = m["bare"]
    return [
        ("bare instructor script, same request", bw, bc, "1.00x"),
        *((f"summarizer summarize --no-cache{'' if k == 'cli with history' else ' --no-log'}", w, c,
           f"{c / bc:.3f}x CPU, {w / bw:.3f}x wall") for k, (w, c) in m.items() if k != "bare"),
    ]


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    from cache_hit import table

    print(table(rows(measure(args.runs))))
