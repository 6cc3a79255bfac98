#!/usr/bin/env python3
"""Cost of a cache hit and of `--help`, against ideals measured in the same run.

A cache hit must not import openai or instructor: its time is compared with a bare
`python -c "import openai"` (what it would cost to even start a model call) and with
`python -c pass` (the floor). Run: python benchmarks/cache_hit.py
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import PY, table, time_command  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
EXAMPLE = ROOT / "examples" / "iran-missiles-russia.txt"


def measure(runs: int = 7) -> list[tuple[str, float, str]]:
    from tests.conftest import example_payload
    from tests.fakes import FakeOpenAI, Reply

    with tempfile.TemporaryDirectory() as cache, FakeOpenAI(default=Reply(payload=example_payload())) as fake:
        env = {**os.environ, "SUMMARIZER_CACHE_DIR": cache, "OPENAI_BASE_URL": fake.url, "OPENAI_API_KEY": "sk-bench"}
        floor = time_command([PY, "-c", "pass"], runs, env)
        openai_import = time_command([PY, "-c", "import openai"], runs, env)
        helptime = time_command([PY, "-m", "summarizer", "--help"], runs, env)
        hit = time_command([PY, "-m", "summarizer", "summarize", str(EXAMPLE)], runs, env)
        assert len(fake.requests) == 1, "every timed run must be a cache hit"
        miss = time_command([PY, "-m", "summarizer", "summarize", "--no-cache", str(EXAMPLE)], 3, env)
    return [
        ("python -c pass (floor)", floor, "1.00x"),
        ("python -c 'import openai'", openai_import, f"{openai_import / floor:.2f}x floor"),
        ("summarizer --help", helptime, f"{helptime / floor:.2f}x floor"),
        ("summarize, cache hit", hit, f"{hit / openai_import:.2f}x import-openai, {hit / floor:.2f}x floor"),
        ("summarize, no cache (fake 0 ms model)", miss, f"{miss / hit:.2f}x cache hit"),
    ]


if __name__ == "__main__":
    print(table(measure()))
