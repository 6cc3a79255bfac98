"""Issue 12, batch side: `-o` never touches a file that is not ours, FIFOs never hang a run,
signals always end it, JSONL records get the file checks, and summarize_many stops on a
refused key like batch does (one pool, one stop policy)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from summarizer import errors
from summarizer.cli import app
from tests.fakes import FakeOpenAI, Reply

from .conftest import ROOT, TEST_KEY, payload

runner = CliRunner()
QUOTE = "we will hold them to account"
PAYLOAD = payload(quotes=[{"text": QUOTE, "speaker": "an official"}])


def article(n: object) -> str:
    return f'Article {n}. "{QUOTE}," an official said on day {n}.\n'


@pytest.fixture
def server() -> Any:
    with FakeOpenAI(default=Reply(payload=PAYLOAD)) as fake:
        yield fake


def batch(fake: FakeOpenAI, *args: str) -> Any:
    return runner.invoke(app, ["batch", *args, "--base-url", fake.url], env={"OPENAI_API_KEY": TEST_KEY})


def batch_process(fake: FakeOpenAI, *args: str, **kw: Any) -> subprocess.Popen[str]:
    env = {**os.environ, "OPENAI_API_KEY": TEST_KEY, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "summarizer", "batch", *args, "--base-url", fake.url]
    return subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, **kw)


def rows(path: Path) -> dict[Any, dict[str, Any]]:
    return {r["id"]: r for r in (json.loads(x) for x in path.read_bytes().splitlines())}


# ------------------------------------------------------------------ 1. -o: never a file that is not ours
GOOD = b'{"id": "done", "ok": true, "result": {}}\n'


@pytest.mark.parametrize(
    "content",
    [
        b"notes\nline two\nlast line",  # the reproduction: the last line was cut
        b"last line",  # one line without a newline: was replaced, exit 0
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",  # a binary file
        b"\x00" * 10,
        GOOD + b"a note typed after the results",  # ours, then a tail that is not a torn line
        GOOD + b"notes\n" + b'{"id": "x", "ok": tr',  # a torn line after a foreign one
        b'{"id": "x", "ok": true, "result": {}}\n{"other": "json"}\n',
    ],
)
def test_a_file_that_is_not_ours_is_never_touched(server: FakeOpenAI, tmp_path: Path, content: bytes) -> None:
    (tmp_path / "a.txt").write_text(article("a"))
    out = tmp_path / "notes.jsonl"  # batch takes only a .jsonl name; the content is someone else's
    out.write_bytes(content)
    res = batch(server, str(tmp_path / "a.txt"), "-o", str(out))
    assert res.exit_code == errors.ConfigError.exit_code == 4, res.stderr
    assert "is not a batch output file" in res.stderr and "left untouched" in res.stderr
    assert out.read_bytes() == content and server.requests == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "notes.jsonl"]  # no temporary file


def test_a_torn_result_line_is_still_repaired(server: FakeOpenAI, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(article("a"))
    out = tmp_path / "out.jsonl"
    for torn in (b'{"id": "x", "ok": tr', b'{"i'):
        out.write_bytes(GOOD + torn)
        res = batch(server, str(tmp_path / "a.txt"), "-o", str(out))
        assert res.exit_code == 0, res.stderr
        assert "cut a torn last line" in res.stderr
        assert set(rows(out)) == {"done", "a.txt"}  # ids relative to the folder of the files given


def test_an_empty_file_is_a_fresh_output(server: FakeOpenAI, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(article("a"))
    out = tmp_path / "out.jsonl"
    out.write_bytes(b"")
    assert batch(server, str(tmp_path / "a.txt"), "-o", str(out)).exit_code == 0
    assert list(rows(out)) == ["a.txt"]


def test_special_outputs_are_refused_without_blocking(server: FakeOpenAI, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(article("a"))
    real = tmp_path / "real.jsonl"
    real.write_bytes(GOOD)
    (tmp_path / "link.jsonl").symlink_to(real)
    os.mkfifo(tmp_path / "fifo.jsonl")
    (tmp_path / "dir.jsonl").mkdir()
    cases = {"link.jsonl": "symbolic link", "fifo.jsonl": "not a regular file", "dir.jsonl": "is a directory",
             "missing/out.jsonl": "cannot open"}
    for name, needle in cases.items():
        # a subprocess with a timeout: the FIFO made the old code wait for ever
        proc = batch_process(server, str(tmp_path / "a.txt"), "-o", str(tmp_path / name))
        _, err = proc.communicate(timeout=30)
        assert proc.returncode == 4, (name, err)
        assert needle in err, (name, err)
    assert real.read_bytes() == GOOD and (tmp_path / "link.jsonl").is_symlink()
    assert server.requests == []


# ------------------------------------------------------------------ 6. FIFOs in the inputs, signals
def test_fifos_and_other_non_regular_inputs_are_skipped(server: FakeOpenAI, tmp_path: Path) -> None:
    d = tmp_path / "in"
    d.mkdir()
    (d / "a.txt").write_text(article("a"))
    os.mkfifo(d / "pipe.txt")  # picked up by the directory walk
    os.mkfifo(tmp_path / "named.jsonl")  # given as records
    out = tmp_path / "out.jsonl"
    proc = batch_process(server, str(d), str(tmp_path / "named.jsonl"), "-o", str(out))
    _, err = proc.communicate(timeout=30)  # the old code read the FIFO and hung for good
    assert proc.returncode == 12, err
    got = rows(out)
    assert got["a.txt"]["ok"]  # ids relative to the folder given; records' files as given
    for fifo in ("pipe.txt", str(tmp_path / "named.jsonl")):
        assert got[fifo]["error"]["type"] == "input"
        assert "FIFO" in got[fifo]["error"]["message"]
    assert len(server.requests) == 1


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_always_ends_the_run(tmp_path: Path, sig: signal.Signals) -> None:
    d = tmp_path / "in"
    d.mkdir()
    for i in range(20):
        (d / f"{i:02d}.txt").write_text(article(i))
    fifo = tmp_path / "stuck.txt"
    os.mkfifo(fifo)
    out = tmp_path / "out.jsonl"
    with FakeOpenAI(default=Reply(payload=PAYLOAD), latency=0.3) as fake:
        proc = batch_process(fake, str(fifo), str(d), "-o", str(out), "-c", "2")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (out.exists() and out.read_bytes().count(b"\n") >= 3):
            time.sleep(0.02)
        proc.send_signal(sig)
        try:
            _, err = proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:  # what the issue saw: only SIGKILL ended it
            proc.kill()
            proc.communicate()
            pytest.fail(f"{sig.name} did not end the run")
    assert proc.returncode == 130, err
    assert "interrupted" in err and "done " in err  # the tally, then the one-line exit
    assert "Traceback" not in err
    got = rows(out)
    assert 3 <= len(got) < 21 and got["stuck.txt"]["error"]["type"] == "input"  # relative to tmp_path


# ------------------------------------------------------------------ 10. JSONL records: same checks as files
@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("Article with a NUL \x00 inside it, " * 3, "NUL"),
        ("%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n1 0 obj", "PDF"),
        ("\x89PNG\r\n\x1a\n" + "x" * 40, "PNG"),
        ("A quote \ud83d cut in half, said the official.", "surrogate"),
        ("\x01\x02\x03\x04\x05 mostly controls \x06\x07\x08\x0e\x0f\x10\x11", "control"),
        ("   \u200b  ", "empty"),
    ],
)
def test_jsonl_records_get_the_file_checks(server: FakeOpenAI, tmp_path: Path, text: str, needle: str) -> None:
    recs = tmp_path / "r.jsonl"
    recs.write_text(json.dumps({"id": "bad", "text": text}) + "\n"
                    + json.dumps({"id": "good", "text": article("g")}) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    res = batch(server, str(recs), "-o", str(out))
    assert res.exit_code == 12, res.stderr
    got = rows(out)
    assert got["good"]["ok"] and got["bad"]["error"]["type"] == "input"
    assert needle.lower() in got["bad"]["error"]["message"].lower()
    assert len(server.requests) == 1  # the bad record never reached the model


# ------------------------------------------------------------------ one pool, one stop policy
def test_summarize_many_stops_on_a_refused_key(tmp_path: Path) -> None:
    from summarizer import summarize_many

    with FakeOpenAI(default=Reply(status=401), latency=0.1) as fake:
        out = summarize_many([article(i) for i in range(50)], concurrency=4, base_url=fake.url,
                             api_key=TEST_KEY)
        assert len(fake.requests) <= 4  # the ones in flight, not fifty
    assert len(out) == 50 and all(isinstance(r, errors.AuthError) for r in out)


def test_summarize_many_stops_on_a_config_error_and_keeps_order(tmp_path: Path) -> None:
    from summarizer import summarize_many

    empty = tmp_path / "no-recordings"
    empty.mkdir()
    (tmp_path / "file").write_text("x")
    texts = (article(i) for i in range(30))  # a generator: consumed lazily
    out = summarize_many(texts, concurrency=3, backend="rules", record_dir=tmp_path / "file")
    assert len(out) == 30 and all(isinstance(r, errors.ConfigError) for r in out)
