"""Shared helpers for the benchmark scripts: time whole commands, best of N."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Sequence

PY = sys.executable


def time_command(cmd: Sequence[str], runs: int = 7, env: dict[str, str] | None = None) -> float:
    """Median wall time of `cmd` in seconds (after one warm-up run); fails loudly on error."""
    subprocess.run(cmd, check=True, capture_output=True, env=env)
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, env=env)
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def table(rows: list[tuple[str, float, str]]) -> str:
    """Plain text table: name, seconds, note."""
    width = max(len(r[0]) for r in rows)
    return "\n".join(f"{name:<{width}}  {secs * 1000:8.1f} ms  {note}" for name, secs, note in rows)
