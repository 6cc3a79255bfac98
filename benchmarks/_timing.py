"""Shared helpers for the benchmark scripts: time whole commands, capture a request body."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

PY = sys.executable


def run_once(cmd: Sequence[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """(wall, CPU) seconds of one run of `cmd`; CPU is the child's user + system time, which a
    loaded machine stretches far less than wall time. Fails loudly on a non-zero exit."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(list(cmd), env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {err.decode(errors='replace')[-800:]}")
    return wall, usage.ru_utime + usage.ru_stime


def time_commands(cmds: dict[str, Sequence[str]], runs: int, env: dict[str, str]) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) of each command, run round-robin `runs` times after one warm-up each,
    so that load on a shared machine falls on every command alike."""
    for cmd in cmds.values():
        run_once(cmd, env)
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in cmds}
    for _ in range(runs):
        for name, cmd in cmds.items():
            samples[name].append(run_once(cmd, env))
    return {name: (statistics.median(w for w, _ in s), statistics.median(c for _, c in s)) for name, s in samples.items()}


def installed_env(root: Path, **extra: str) -> dict[str, str]:
    """The environment of a command run as an installed package runs: this checkout first on
    the path, and bytecode caching on (pip compiles an installed package; without the cache
    every start-up compiles every module it imports, which is what PYTHONDONTWRITEBYTECODE in
    a developer's shell would make these figures measure)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(root)
    env.update(extra)
    return env


def console_script() -> list[str]:
    """How a user runs `summarizer`: the installed console script next to this interpreter
    (it imports `summarizer.cli` from the path, so this checkout), else `python -m summarizer`."""
    script = Path(PY).with_name("summarizer")
    return [str(script)] if script.exists() else [PY, "-m", "summarizer"]


def table(rows: list[tuple[str, float, str]]) -> str:
    """Plain text table: name, seconds, note."""
    width = max(len(r[0]) for r in rows)
    return "\n".join(f"{name:<{width}}  {secs * 1000:8.1f} ms  {note}" for name, secs, note in rows)


def request_body(url: str, text: str, api_key: str = "sk-bench") -> dict[str, Any]:
    """The exact request body the pipeline sends for `text` to the server at `url` (one real
    call through the whole stack, the body captured under it), for bare-client baselines."""
    import json

    import httpx2

    from summarizer.inputs import article_from_text
    from summarizer.pipeline import Pipeline
    from summarizer.settings import Settings

    bodies: list[dict[str, Any]] = []

    class Capture(httpx2.BaseTransport):
        def __init__(self) -> None:
            self.inner = httpx2.HTTPTransport()

        def handle_request(self, request: httpx2.Request) -> httpx2.Response:
            bodies.append(json.loads(request.content))
            return self.inner.handle_request(request)

    pipeline = Pipeline(Settings.resolve(base_url=url, api_key=api_key), http_client=httpx2.Client(transport=Capture()))
    try:
        result = pipeline.run(article_from_text(text, "capture"))
    finally:
        pipeline.close()
    assert result.provenance.attempts == 1, "the answer must need no re-ask"
    return bodies[-1]
