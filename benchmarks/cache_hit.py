#!/usr/bin/env python3
"""Start-up costs of the CLI, against ideals measured in the same run:

- `summarizer --help` against `python -c pass` (the interpreter's own start-up);
- a cache hit (`summarizer summarize FILE` with the result cached: the whole process) against
  `python -c "import openai"` (what any model call costs before it starts), and against the
  floor of this stack (benchmarks/startup_floor.py: typer parsing as many options, pydantic
  validating the same cached result);
- the same command without the cache, against a 0 ms loopback model, for scale.

    python benchmarks/cache_hit.py [--runs 9]

Commands run as an installed package runs them: bytecode caching on (see
`_timing.installed_env`), the console script for `summarizer --help`. Each figure is the
median of `--runs` round-robin runs; wall and CPU time (user + system of the child) are both
given, CPU being the steadier on a loaded machine.
"""

from __future__ import annotations

import argparse
import glob
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))
from _timing import PY, console_script, installed_env, run_once, time_commands  # noqa: E402

EXAMPLE = ROOT / "examples" / "iran-missiles-russia.txt"


def measure(runs: int = 9) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) seconds of each command (names as in `rows`)."""
    from tests.conftest import example_payload
    from tests.fakes import FakeOpenAI, Reply

    with tempfile.TemporaryDirectory() as cache, FakeOpenAI(default=Reply(payload=example_payload())) as fake:
        env = installed_env(ROOT, SUMMARIZER_CACHE_DIR=cache, OPENAI_BASE_URL=fake.url, OPENAI_API_KEY="sk-bench")
        summarize = [PY, "-m", "summarizer", "summarize", str(EXAMPLE)]
        run_once(summarize, env)  # fills the cache
        assert len(fake.requests) == 1
        (cached,) = glob.glob(f"{cache}/*/*.json")
        timed = time_commands({
            "floor": [PY, "-c", "pass"],
            "import openai": [PY, "-c", "import openai"],
            "help": [*console_script(), "--help"],
            "help -m": [PY, "-m", "summarizer", "--help"],
            "hit": summarize,
            "stack floor": [PY, str(HERE / "startup_floor.py"), cached],
        }, runs, env)
        assert len(fake.requests) == 1, "every timed summarize run must be a cache hit"
        timed.update(time_commands({"miss": [*summarize[:4], "--no-cache", str(EXAMPLE)]}, max(3, runs // 3), env))
    return timed


def rows(m: dict[str, tuple[float, float]]) -> list[tuple[str, float, float, str]]:
    """(name, wall, CPU, note) for the table; the ratios are of CPU time, wall's in brackets."""

    def ratio(a: str, b: str) -> str:
        return f"{m[a][1] / m[b][1]:.2f}x ({m[a][0] / m[b][0]:.2f}x wall)"

    return [
        ("python -c pass (floor)", *m["floor"], "1.00x"),
        ("python -c 'import openai'", *m["import openai"], f"{ratio('import openai', 'floor')} floor"),
        ("summarizer --help (console script)", *m["help"], f"{ratio('help', 'floor')} floor"),
        ("python -m summarizer --help", *m["help -m"], f"{ratio('help -m', 'floor')} floor"),
        ("summarize, cache hit", *m["hit"], f"{ratio('hit', 'import openai')} import-openai"),
        ("stack floor: typer + pydantic, same work", *m["stack floor"], f"{ratio('hit', 'stack floor')}: hit / it"),
        ("summarize, no cache (fake 0 ms model)", *m["miss"], f"{ratio('miss', 'hit')} cache hit"),
    ]


def table(rows_: list[tuple[str, float, float, str]]) -> str:
    width = max(len(r[0]) for r in rows_)
    head = f"{'':<{width}}  {'wall':>9}  {'CPU':>9}  ratio (CPU)"
    return "\n".join([head] + [f"{n:<{width}}  {w * 1000:6.1f} ms  {c * 1000:6.1f} ms  {note}" for n, w, c, note in rows_])


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=9)
    args = ap.parse_args()
    print(table(rows(measure(args.runs))))
