"""Progress for a person: events from the library, a status line on a terminal, silence in pipes.

The CLI runs in a subprocess whose stderr is a pseudo-terminal (`pty`), as a person's
terminal would be, or a pipe, as in scripts and CI.
"""

from __future__ import annotations

import contextvars
import importlib.util
import json
import os
import pty
import re
import select
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from summarizer import progress
from tests.fakes import FakeOpenAI, Reply

from .conftest import EXAMPLE, TEST_KEY, example_payload

SHORT = (
    "Treasury sanctions Volga Shipping over drone transfers\n\n"
    "WASHINGTON - The U.S. Treasury on Tuesday imposed sanctions on Volga Shipping LLC. "
    "\u201cThese transfers fuel Russia\u2019s war,\u201d Treasury official Jane Doe said.\n"
)


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SUMMARIZER_"))}
    env.update({"SUMMARIZER_CACHE_DIR": str(tmp_path / "cache"), "TERM": "xterm-256color", "COLUMNS": "120",
                "SUMMARIZER_LOGS_DB": str(tmp_path / "history.db")})  # never the user's history
    env.update(extra)
    return env


def _run_on_pty(cmd: list[str], env: dict[str, str], timeout: float = 120) -> tuple[int, str, str]:
    """Run `cmd` with stderr on a pseudo-terminal; returns (exit code, stdout, terminal text)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave, env=env)
    os.close(slave)
    seen = bytearray()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:  # EIO: the child closed its end
                    break
                if not data:
                    break
                seen += data
            elif proc.poll() is not None:
                break
        assert proc.stdout is not None
        out = proc.stdout.read().decode("utf-8")
        code = proc.wait(timeout=10)
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    return code, out, seen.decode("utf-8", "replace")


# --------------------------------------------------------------------------- the library side


def test_emit_without_listener_is_a_no_op_and_listeners_are_per_context() -> None:
    progress.emit("generate", "nobody listens", 1)  # must not raise
    got: list[progress.Event] = []
    other: list[progress.Event] = []
    with progress.listening(got.append):
        progress.emit("model", "loading", 1, 2)
        ctx = contextvars.copy_context()
        thread = threading.Thread(target=ctx.run, args=(progress.emit, "generate", "in a thread", 3))
        thread.start()
        thread.join()
        with progress.listening(other.append):
            progress.emit("prompt", "inner")
        progress.emit("generate", "outer again", 4)
    progress.emit("generate", "after", 5)
    assert [(e.stage, e.message, e.done) for e in got] == [
        ("model", "loading", 1), ("generate", "in a thread", 3), ("generate", "outer again", 4)
    ]
    assert [e.message for e in other] == ["inner"]
    assert not progress.active()


def test_a_failing_listener_never_breaks_the_run() -> None:
    def broken(event: progress.Event) -> None:
        raise RuntimeError("display went away")

    with progress.listening(broken):
        progress.emit("generate", "still fine", 1)


# --------------------------------------------------------------------------- the CLI side


def test_hosted_run_shows_waiting_on_a_terminal_and_nothing_in_a_pipe(fake: FakeOpenAI, tmp_path: Path) -> None:
    fake.default = Reply(payload=example_payload(), delay=1.0)
    env = _env(tmp_path, OPENAI_API_KEY=TEST_KEY, OPENAI_BASE_URL=fake.url)
    cmd = [sys.executable, "-m", "summarizer", "summarize", str(EXAMPLE), "--no-cache"]

    code, out, terminal = _run_on_pty(cmd, env)
    assert code == 0, terminal
    assert '"summary"' in out  # the result still goes to stdout, untouched
    assert "waiting for gpt-4o-mini at 127.0.0.1" in terminal
    assert TEST_KEY not in terminal

    piped = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
    assert piped.returncode == 0 and piped.stderr == ""
    strip = lambda text: {k: v for k, v in json.loads(text).items() if k != "provenance"}  # noqa: E731
    assert strip(piped.stdout) == strip(out)


@pytest.mark.local_model
@pytest.mark.skipif(importlib.util.find_spec("llama_cpp") is None, reason="needs the [local] extra")
def test_local_run_shows_loading_and_token_counts_on_a_terminal(tmp_path: Path) -> None:
    """The tiny SmolLM2 (seconds): loading, reading the prompt, generating N tokens."""
    article = tmp_path / "short.txt"
    article.write_text(SHORT, encoding="utf-8")
    cmd = [sys.executable, "-m", "summarizer", "summarize", str(article), "--backend", "local",
           "--model", "smollm2-135m", "--no-cache"]
    env = _env(tmp_path)

    code, out, terminal = _run_on_pty(cmd, env, timeout=300)
    assert code == 0, terminal
    assert '"summary"' in out
    assert "loading SmolLM2-135M-Instruct" in terminal
    plain = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", terminal)
    assert re.search(r"smollm2-135m: question \d+ of \d+ \(\w+\): reading the prompt \(\d+ tokens\)", plain), plain[-500:]
    assert re.search(r"smollm2-135m: question \d+ of \d+ \(\w+\): generating, \d+ tokens", plain), plain[-500:]

    piped = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    assert piped.returncode == 0, piped.stderr
    assert piped.stderr == ""
