"""`summarizer batch`: inputs, one whole line per input, faults, resume, kill -9, concurrency.

Everything runs through the real stack (typer -> batch -> pipeline -> instructor -> openai ->
transports) against the loopback fake server of conftest; nothing touches the network.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from summarizer.batch import EXIT_SOME_FAILED, ResultFile, expand_inputs, run_batch
from summarizer.cli import app
from summarizer.errors import ConfigError
from summarizer.pipeline import Pipeline
from summarizer.settings import Settings
from tests.fakes import FakeOpenAI, Reply

from .conftest import TEST_KEY

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()

# Every test article contains this quote, so the payload is grounded in each of them.
QUOTE = "we will hold them to account"
PAYLOAD: dict[str, Any] = {
    "summary": [{"text": "An official promised to hold them to account.", "support": ["S2"]}],
    "allegations": [],
    "sanctions_targets": [],
    "quotes": [{"text": QUOTE, "speaker": "an official"}],
}


def article(n: object) -> str:
    return f'Article {n}. "{QUOTE}," an official said on day {n}.\n'


def answer(body: dict[str, Any]) -> Reply:
    """Default reply: the payload, except for articles that script their own fault."""
    text = json.dumps(body.get("messages"))  # re-asks end with the error, not the article
    if "POISON-400" in text:
        return Reply(status=400)  # this article only: the provider rejects it for good
    if "POISON-INVALID" in text:
        return Reply(payload={"summary": 42})  # off-schema on every attempt
    return Reply(payload=PAYLOAD)


@pytest.fixture
def server() -> Any:
    with FakeOpenAI(default=answer) as fake:
        yield fake


def chat_requests(fake: FakeOpenAI) -> int:
    return sum(1 for r in fake.requests if r.path.endswith("/chat/completions"))


def cli(fake: FakeOpenAI, *args: str, stdin: str | None = None) -> Any:
    return runner.invoke(
        app,
        ["batch", *args, "--base-url", fake.url],
        input=stdin,
        env={"OPENAI_API_KEY": TEST_KEY},
    )


def lines(path: Path) -> list[dict[str, Any]]:
    raw = path.read_bytes()
    assert raw == b"" or raw.endswith(b"\n"), "torn last line"
    return [json.loads(line) for line in raw.splitlines()]


def by_id(path: Path) -> dict[Any, dict[str, Any]]:
    rows = lines(path)
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)), f"an id appears twice: {Counter(ids).most_common(3)}"
    return {r["id"]: r for r in rows}


def make_files(root: Path, names: list[str]) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(article(name), encoding="utf-8")


# --------------------------------------------------------------------------- input expansion


def test_expand_inputs_rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    make_files(tmp_path, ["d/b.txt", "d/a.md", "d/sub/c.HTML", "d/sub/x.htm", "d/.hid.txt",
                          "d/.git/y.txt", "d/skip.csv", "d/recs.jsonl", "g/1.txt", "g/2.txt"])
    (tmp_path / "d" / "out.jsonl").write_text("")
    ids = [rid for rid, _ in expand_inputs(["d", "g/*.txt", "missing.txt", "nope*.txt", "-"],
                                           io.StringIO("g/1.txt\n\n  \n"), exclude="d/out.jsonl")]
    assert ids == ["d/b.txt", "d/sub/c.HTML", "d/sub/x.htm",  # sorted, no hidden/.csv/.jsonl/.md
                   "g/1.txt", "g/2.txt", "missing.txt", "nope*.txt", "g/1.txt"]
    # The output file is never an input, even when a glob or an argument names it.
    assert [rid for rid, _ in expand_inputs(["d/*.jsonl"], exclude="d/out.jsonl")] == ["d/recs.jsonl:1"]
    [(rid, load)] = list(expand_inputs(["d/out.jsonl"], exclude="d/out.jsonl"))
    with pytest.raises(Exception, match="is the output file"):
        load()


def test_jsonl_records_load_lazily(tmp_path: Path) -> None:
    recs = tmp_path / "r.jsonl"
    recs.write_text(
        json.dumps({"id": "a", "text": "alpha"}) + "\n\n"
        + json.dumps({"id": 2, "text": "two\r\nlines"}) + "\n"
        + "{broken\n"
        + json.dumps({"text": "no id"}) + "\n"
        + json.dumps({"id": "c"}) + "\n"
        + json.dumps(["not", "an", "object"]) + "\n",
        encoding="utf-8",
    )
    items = list(expand_inputs([str(recs)]))
    assert [rid for rid, _ in items] == ["a", 2, f"{recs}:4", f"{recs}:5", "c", f"{recs}:7"]
    assert items[0][1]().text == "alpha"
    assert items[1][1]().text == "two\r\nlines"  # a record's text is kept exactly
    for _, load in items[2:]:
        with pytest.raises(Exception, match=f"line [4-7] of {recs}"):
            load()


def test_all_input_kinds_one_line_each(server: FakeOpenAI, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    make_files(tmp_path, ["one.txt", "dir/a.txt", "dir/sub/b.txt", "glob/x.txt", "glob/y.txt",
                          "listed/p.txt", "listed/q.txt"])
    (tmp_path / "dir" / "page.html").write_text(
        "<html><head><title>T</title></head><body><article><h1>Headline</h1>"
        + "".join(f"<p>Paragraph {i}: \u201c{QUOTE},\u201d an official said, and more would follow "
                  "in the coming weeks according to the ministry.</p>" for i in range(4))
        + "</article></body></html>",
        encoding="utf-8",
    )
    (tmp_path / "recs.jsonl").write_text(
        json.dumps({"id": "r1", "text": article("r1")}) + "\n"
        + json.dumps({"id": 2, "text": article(2)}) + "\n"
        + "not json\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    res = cli(server, "one.txt", "dir", "glob/*.txt", "recs.jsonl", "-", "-o", str(out),
              stdin="listed/p.txt\nlisted/q.txt\n")
    rows = by_id(out)
    expected_ok = {"one.txt", "dir/a.txt", "dir/page.html", "dir/sub/b.txt", "glob/x.txt",
                   "glob/y.txt", "r1", 2, "listed/p.txt", "listed/q.txt"}
    assert set(rows) == expected_ok | {"recs.jsonl:3"}
    assert {k for k, r in rows.items() if r["ok"]} == expected_ok
    assert rows["recs.jsonl:3"]["error"]["type"] == "input"
    assert res.exit_code == EXIT_SOME_FAILED, res.stderr
    assert chat_requests(server) == len(expected_ok)
    result = rows["dir/sub/b.txt"]["result"]
    text = (tmp_path / "dir/sub/b.txt").read_text()
    [quote] = result["quotes"]
    assert text[quote["start"]:quote["end"]] == QUOTE
    assert rows["dir/page.html"]["result"]["text"]  # HTML: the extracted text the offsets index
    assert "done 10, failed 1, skipped 0" in res.stderr


# --------------------------------------------------------------------------- faults


def test_one_fault_does_not_stop_the_others(server: FakeOpenAI, tmp_path: Path) -> None:
    make_files(tmp_path, [f"in/{i:02d}.txt" for i in range(6)])
    (tmp_path / "in/03.txt").write_text("POISON-400 " + article(3))
    (tmp_path / "in/04.txt").write_text("POISON-INVALID " + article(4))
    (tmp_path / "in/05.txt").write_bytes(b"%PDF-1.4 binary")
    out = tmp_path / "out.jsonl"
    res = cli(server, str(tmp_path / "in"), "-o", str(out), "--concurrency", "3", "--max-reasks", "1")
    assert res.exit_code == EXIT_SOME_FAILED
    rows = {Path(k).name: r for k, r in by_id(out).items()}
    assert [rows[f"{i:02d}.txt"]["ok"] for i in range(6)] == [True, True, True, False, False, False]
    assert rows["03.txt"]["error"]["type"] == "provider"
    assert rows["04.txt"]["error"]["type"] == "output_invalid"
    assert rows["05.txt"]["error"]["type"] == "input"
    for row in rows.values():
        if not row["ok"]:
            assert set(row["error"]) == {"type", "message"} and "\n" not in row["error"]["message"]
    assert TEST_KEY not in out.read_text()
    assert "done 3, failed 3, skipped 0" in res.stderr


def test_unexpected_exception_is_an_internal_line(server: FakeOpenAI, tmp_path: Path) -> None:
    def boom() -> Any:
        raise RuntimeError("kaboom")

    items = list(expand_inputs([str(p) for p in _files(tmp_path, 2)])) + [("weird", boom)]
    out = tmp_path / "out.jsonl"
    tally = _run(server, items, out, concurrency=2)
    rows = by_id(out)
    assert rows["weird"] == {"id": "weird", "ok": False,
                             "error": {"type": "internal", "message": "RuntimeError: kaboom"}}
    assert (tally.done, tally.failed, tally.all_ok) == (2, 1, False)
    assert tally.failure_lines(out) == ["failed 1: weird (exit 1: RuntimeError: kaboom)"]


def _files(root: Path, n: int) -> list[Path]:
    make_files(root, [f"f/{i:03d}.txt" for i in range(n)])
    return sorted((root / "f").iterdir())


def _run(fake: FakeOpenAI, items: Any, out: Path, concurrency: int = 4, **kw: Any) -> Any:
    settings = Settings.resolve(api_key=TEST_KEY, base_url=fake.url)
    logged: list[str] = []

    async def main() -> Any:
        summarizer = Pipeline(settings)
        try:
            return await run_batch(items, out, summarizer, concurrency, None, log=logged.append, **kw)
        finally:
            await summarizer.aclose()

    tally = asyncio.run(main())
    [line] = [m for m in logged if m.startswith("done ")]
    assert line.startswith(f"done {tally.done}, failed {tally.failed}, skipped {tally.skipped} in ")
    assert logged[logged.index(line) + 1:] == tally.failure_lines(out)  # the failures follow the tally
    return tally


# --------------------------------------------------------------------------- resume


def test_resume_skips_done_and_redoes_failed(server: FakeOpenAI, tmp_path: Path) -> None:
    make_files(tmp_path, [f"in/{i}.txt" for i in range(5)])
    bad = tmp_path / "in/4.txt"
    bad.write_text("POISON-400 " + article(4))
    out = tmp_path / "out.jsonl"
    args = (str(tmp_path / "in"), "-o", str(out))

    assert cli(server, *args).exit_code == EXIT_SOME_FAILED
    assert chat_requests(server) == 5
    assert [r["ok"] for r in lines(out)].count(False) == 1

    # --skip-failed keeps the failure: nothing is sent, and the exit code still says "not all ok".
    res = cli(server, *args, "--skip-failed")
    assert res.exit_code == EXIT_SOME_FAILED and chat_requests(server) == 5
    assert "done 0, failed 0, skipped 5" in res.stderr

    # Default: the failed id runs again (only it), and its old line is replaced.
    bad.write_text(article(4))
    res = cli(server, *args)
    assert res.exit_code == 0, res.stderr
    assert chat_requests(server) == 6
    assert "done 1, failed 0, skipped 4" in res.stderr
    rows = by_id(out)
    assert len(rows) == 5 and all(r["ok"] for r in rows.values())

    # Everything done: nothing is sent at all.
    res = cli(server, *args)
    assert res.exit_code == 0 and chat_requests(server) == 6
    assert "done 0, failed 0, skipped 5" in res.stderr


def test_torn_last_line_is_repaired(server: FakeOpenAI, tmp_path: Path) -> None:
    files = _files(tmp_path, 3)
    out = tmp_path / "out.jsonl"
    _run(server, expand_inputs([str(p) for p in files[:2]]), out)
    good = out.read_bytes()
    out.write_bytes(good + b'{"id": "' + str(files[2]).encode() + b'", "ok": true, "resu')
    tally = _run(server, expand_inputs([str(p) for p in files]), out)
    assert (tally.done, tally.skipped) == (1, 2)
    assert out.read_bytes().startswith(good)
    assert set(by_id(out)) == {p.name for p in files}  # ids relative to the files' folder
    assert chat_requests(server) == 3


def test_whole_last_line_without_newline_is_kept(server: FakeOpenAI, tmp_path: Path) -> None:
    files = _files(tmp_path, 2)
    out = tmp_path / "out.jsonl"
    _run(server, expand_inputs([str(files[0])]), out)
    out.write_bytes(out.read_bytes().rstrip(b"\n"))
    tally = _run(server, expand_inputs([str(p) for p in files]), out)
    assert (tally.done, tally.skipped) == (1, 1)
    assert set(by_id(out)) == {p.name for p in files}


def test_superseded_lines_are_compacted_on_open(tmp_path: Path) -> None:
    # What a run killed after redoing failures leaves: old failed lines, then newer lines.
    out = tmp_path / "out.jsonl"
    rows = [("a", False), ("b", True), ("a", True), ("c", False), ("c", False), ("b", False)]
    out.write_text("".join(json.dumps({"id": i, "ok": ok, "n": n}) + "\n\n" for n, (i, ok) in enumerate(rows)))
    result = ResultFile(out)
    result.open()
    result.close()
    assert [(r["id"], r["n"]) for r in lines(out)] == [("b", 1), ("a", 2), ("c", 4)]  # ok wins, else last
    assert result.status == {"a": True, "b": True, "c": False}
    assert os.listdir(tmp_path) == ["out.jsonl"]  # no temporary file left behind


def test_output_that_is_not_ours_is_refused(server: FakeOpenAI, tmp_path: Path) -> None:
    files = _files(tmp_path, 1)
    out = tmp_path / "notes.jsonl"
    out.write_text("hello\nworld\n")
    res = cli(server, str(files[0]), "-o", str(out))
    assert res.exit_code == ConfigError.exit_code
    assert "is not a batch output file" in res.stderr
    assert out.read_text() == "hello\nworld\n" and chat_requests(server) == 0


def test_second_writer_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    first = ResultFile(out)
    first.open()
    try:
        with pytest.raises(ConfigError, match="another `summarizer batch` is writing"):
            ResultFile(out).open()
    finally:
        first.close()


def test_duplicate_ids_run_once(server: FakeOpenAI, tmp_path: Path) -> None:
    recs = tmp_path / "r.jsonl"
    recs.write_text("".join(json.dumps({"id": i % 3, "text": article(i)}) + "\n" for i in range(5)))
    out = tmp_path / "out.jsonl"
    res = cli(server, str(recs), "-o", str(out))
    assert res.exit_code == 0
    assert sorted(by_id(out)) == [0, 1, 2] and chat_requests(server) == 3
    assert "duplicate id 0 skipped" in res.stderr and "skipped 2" in res.stderr


# --------------------------------------------------------------------------- kill -9


def test_sigkill_mid_run_then_resume(tmp_path: Path) -> None:
    n = 40
    make_files(tmp_path, [f"in/{i:02d}.txt" for i in range(n)])
    out = tmp_path / "out.jsonl"
    env = {**os.environ, "OPENAI_API_KEY": TEST_KEY, "PYTHONPATH": str(ROOT)}
    with FakeOpenAI(default=answer, latency=0.25) as fake:
        # --no-cache: an article cached just before the kill but not yet written would be
        # answered from the cache on resume, and this test counts the requests exactly
        cmd = [sys.executable, "-m", "summarizer", "batch", str(tmp_path / "in"), "-o", str(out),
               "--concurrency", "4", "--base-url", fake.url, "--no-cache"]
        proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and proc.poll() is None:
                if out.exists() and out.read_bytes().count(b"\n") >= 8:
                    break
                time.sleep(0.02)
            assert proc.poll() is None, "the batch finished before it could be killed"
            os.kill(proc.pid, signal.SIGKILL)
        finally:
            proc.wait(timeout=10)
            assert proc.stderr is not None
            proc.stderr.close()
        assert proc.returncode == -signal.SIGKILL
        before = lines(out)  # every line whole JSON (and no torn tail for lines this small)
        assert 8 <= len(before) < n
        done_before = {r["id"] for r in before}
        assert len(done_before) == len(before)

        fake.reset()
        rerun = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                               text=True, timeout=60)
        assert rerun.returncode == 0, rerun.stderr
        # Nothing finished before the kill was sent again.
        assert chat_requests(fake) == n - len(done_before)
        sent = {r.json["messages"][-1]["content"] for r in fake.requests}
        assert not any(article(f"in/{Path(i).name}") in s for i in done_before for s in sent)
    rows = by_id(out)
    assert set(rows) == {f"{i:02d}.txt" for i in range(n)}
    assert all(r["ok"] for r in rows.values())
    assert f"skipped {len(done_before)}" in rerun.stderr


# --------------------------------------------------------------------------- concurrency


def test_concurrency_really_overlaps(tmp_path: Path) -> None:
    files = _files(tmp_path, 16)
    with FakeOpenAI(default=answer, latency=0.3) as fake:
        start = time.monotonic()
        tally = _run(fake, expand_inputs([str(p) for p in files]), tmp_path / "out.jsonl", concurrency=8)
        elapsed = time.monotonic() - start
    assert tally.done == 16
    assert elapsed < 2.0, f"16 articles x 0.3 s at concurrency 8 took {elapsed:.2f} s (ideal 0.6 s)"


def test_help_does_not_import_openai() -> None:
    code = (
        "import sys; from typer.testing import CliRunner; from summarizer.cli import app; "
        "r = CliRunner().invoke(app, ['batch', '--help']); assert r.exit_code == 0, r.output; "
        "assert '--concurrency' in r.output; "
        "print(sorted(m for m in ('openai', 'instructor', 'summarizer.pipeline') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stderr
    assert "openai" not in out.stdout and "instructor" not in out.stdout and "pipeline" not in out.stdout


def test_refused_key_stops_the_run_instead_of_failing_every_article(tmp_path: Path) -> None:
    files = _files(tmp_path, 30)
    out = tmp_path / "out.jsonl"
    with FakeOpenAI(default=Reply(status=401)) as fake:
        res = cli(fake, *map(str, files), "-o", str(out), "-c", "2")
        assert res.exit_code == 5, res.stderr  # AuthError's code, not "some failed"
        assert "stopping" in res.stderr and "refused the API key" in res.stderr
        assert chat_requests(fake) <= 3  # the ones in flight when the first 401 came back
    assert 1 <= len(lines(out)) <= 3 and all(not r["ok"] for r in lines(out))
    # a rerun with the right key does the rest: nothing was lost
    with FakeOpenAI(default=answer) as fake:
        res = cli(fake, *map(str, files), "-o", str(out))
        assert res.exit_code == 0, res.stderr
    assert len(by_id(out)) == 30 and all(r["ok"] for r in lines(out))


def test_sigterm_ends_like_ctrl_c_with_a_tally(tmp_path: Path) -> None:
    n = 30
    make_files(tmp_path, [f"in/{i:02d}.txt" for i in range(n)])
    out = tmp_path / "out.jsonl"
    env = {**os.environ, "OPENAI_API_KEY": TEST_KEY, "PYTHONPATH": str(ROOT)}
    with FakeOpenAI(default=answer, latency=0.25) as fake:
        cmd = [sys.executable, "-m", "summarizer", "batch", str(tmp_path / "in"), "-o", str(out),
               "--concurrency", "2", "--base-url", fake.url]
        proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (out.exists() and out.read_bytes().count(b"\n") >= 4):
            time.sleep(0.02)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "done " in err  # the tally line still printed
    assert 4 <= len(by_id(out)) < n  # whole lines, one per id


def test_large_inputs_are_refused_per_line_unless_allowed(server: FakeOpenAI, tmp_path: Path) -> None:
    big = tmp_path / "in" / "big.txt"
    big.parent.mkdir()
    big.write_text(article("big") + "filler sentence here. " * 260_000, encoding="utf-8")  # > 5 MiB
    out = tmp_path / "out.jsonl"
    res = cli(server, str(big), "-o", str(out))
    assert res.exit_code == EXIT_SOME_FAILED
    assert lines(out)[0]["error"]["type"] == "input" and "MiB" in lines(out)[0]["error"]["message"]
    res = cli(server, str(big), "-o", str(out), "--allow-large", "--chunk-tokens", "2000000")
    assert res.exit_code == 0, res.stderr
    assert by_id(out)["big.txt"]["ok"]
