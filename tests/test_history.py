"""The run history (`summarizer logs`): what is written, what is never written, how it is read,
and that a broken history file never breaks a run."""

from __future__ import annotations

import http.server
import json
import multiprocessing
import os
import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from summarizer import history
from summarizer.cli import app
from tests.fakes import FakeOpenAI, Reply

from .conftest import EXAMPLE, ROOT, SHARED, TEST_KEY, example_payload

runner = CliRunner()


def db(tmp_path: Path) -> Path:
    return tmp_path / "history.db"  # where conftest points SUMMARIZER_LOGS_DB


def rows(path: Path) -> list[dict[str, Any]]:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT * FROM runs ORDER BY id")]
    finally:
        conn.close()


def summarize(*args: str, **env: str) -> Any:
    return runner.invoke(app, ["summarize", str(EXAMPLE), *args], env={"OPENAI_API_KEY": TEST_KEY, **env})


# ------------------------------------------------------------------------------ what is logged
def test_a_summarize_run_is_logged_with_its_result_settings_and_usage(fake: FakeOpenAI, tmp_path: Path) -> None:
    fake.default = Reply(payload=example_payload(), usage={"prompt_tokens": 900, "completion_tokens": 100, "total_tokens": 1000})
    res = summarize("--mode", "json_schema", "--max-reasks", "1", OPENAI_BASE_URL=fake.url)
    assert res.exit_code == 0, res.stderr
    [row] = rows(db(tmp_path))
    printed = json.loads(res.stdout)
    assert json.loads(row["result"]) == printed  # the result as the user got it
    assert row["command"] == "summarize" and row["ok"] == 1 and row["cached"] == 0
    assert row["source"] == str(EXAMPLE) and row["input_sha256"] == printed["provenance"]["input_sha256"]
    assert (row["model"], row["backend"], row["endpoint_host"]) == ("gpt-4o-mini", "openai", "127.0.0.1")
    assert (row["prompt_tokens"], row["completion_tokens"], row["total_tokens"], row["attempts"]) == (900, 100, 1000, 1)
    assert row["prompt_sha256"] == printed["provenance"]["prompt_sha256"]
    assert row["schema_sha256"] == printed["provenance"]["schema_sha256"]
    settings = json.loads(row["settings"])
    assert settings["mode"] == "json_schema" and settings["max_reasks"] == 1
    assert settings["strategy"] == "single" and settings["chunk_tokens"] == 12000
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", row["time_utc"])
    assert row["elapsed_s"] == printed["provenance"]["elapsed_s"] and row["tool_version"]


def test_a_cache_hit_is_logged_as_cached(fake: FakeOpenAI, tmp_path: Path) -> None:
    fake.default = Reply(payload=example_payload())
    assert summarize(OPENAI_BASE_URL=fake.url).exit_code == 0
    assert summarize(OPENAI_BASE_URL=fake.url).exit_code == 0
    assert len(fake.requests) == 1
    assert [r["cached"] for r in rows(db(tmp_path))] == [0, 1]


def test_a_failed_run_is_logged_with_its_error_kind(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    res = summarize("--replay", str(empty))
    assert res.exit_code == 10
    [row] = rows(db(tmp_path))
    assert row["ok"] == 0 and row["error_kind"] == "missing_recording" and row["result"] is None
    assert "no recording" in row["error_message"] and row["backend"] == "replay"
    assert row["input_sha256"] and row["elapsed_s"] is not None and row["endpoint_host"] is None


def test_no_log_and_the_environment_switch_write_nothing(fake: FakeOpenAI, tmp_path: Path) -> None:
    fake.default = Reply(payload=example_payload())
    assert summarize("--no-log", "--no-cache", OPENAI_BASE_URL=fake.url).exit_code == 0
    assert summarize("--no-cache", OPENAI_BASE_URL=fake.url, SUMMARIZER_NO_LOG="1").exit_code == 0
    assert not db(tmp_path).exists() and len(fake.requests) == 2
    assert summarize("--no-cache", OPENAI_BASE_URL=fake.url, SUMMARIZER_NO_LOG="0").exit_code == 0
    assert len(rows(db(tmp_path))) == 1  # "0" means logging stays on


def test_each_batch_article_is_logged_with_its_id(fake: FakeOpenAI, tmp_path: Path) -> None:
    articles = tmp_path / "in"
    articles.mkdir()
    for i in range(6):
        (articles / f"a{i}.txt").write_text(EXAMPLE.read_text("utf-8") + f"\n\nCopy {i}.", "utf-8")
    (articles / "bad.txt").write_text("The minister said nothing of note today.", "utf-8")

    def answer(body: dict[str, Any]) -> Reply:
        if "minister said nothing" in body["messages"][-1]["content"]:
            return Reply(status=400, body={"error": {"message": "bad article", "type": "invalid_request_error"}})
        return Reply(payload=example_payload())

    fake.default = answer
    res = runner.invoke(app, ["batch", str(articles), "-o", str(tmp_path / "out.jsonl"), "-c", "4"],
                        env={"OPENAI_API_KEY": TEST_KEY, "OPENAI_BASE_URL": fake.url})
    assert res.exit_code == 12, res.stderr
    logged = rows(db(tmp_path))
    assert sorted(r["item"] for r in logged) == sorted(p.name for p in articles.iterdir())  # the batch ids
    assert {r["command"] for r in logged} == {"batch"} and len({r["invocation"] for r in logged}) == 1
    failed = [r for r in logged if not r["ok"]]
    assert [Path(r["item"]).name for r in failed] == ["bad.txt"] and failed[0]["error_kind"] == "provider"
    out = {json.loads(line)["id"]: json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()}
    for r in logged:
        if r["ok"]:
            assert json.loads(r["result"]) == out[r["item"]]["result"]


def test_each_eval_article_is_logged(tmp_path: Path) -> None:
    res = runner.invoke(app, ["eval", str(SHARED), "--backend", "rules"])
    assert res.exit_code == 0, res.stderr
    logged = rows(db(tmp_path))
    assert len(logged) == len(list(SHARED.glob("*.gold.json"))) and {r["command"] for r in logged} == {"eval"}
    assert {r["model"] for r in logged} == {"rules"} and all(r["ok"] for r in logged)


# ------------------------------------------------------------------------------ never a secret
@pytest.fixture
def page_server() -> Iterator[str]:
    body = EXAMPLE.read_bytes()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            self.send_response(200)
            self.send_header("content-type", "text/plain; charset=utf-8")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"127.0.0.1:{srv.server_port}"
    srv.shutdown()


def test_no_key_reaches_the_database_file(fake: FakeOpenAI, tmp_path: Path, page_server: str) -> None:
    """The key in the environment, in the base URL's userinfo, in a URL source and echoed by
    the provider in an error: none of it is in any byte of the database (or its WAL)."""
    url_secret, page_secret, query_secret = "sk-userinfo-SECRET9876543210", "pagepassword42", "querytoken77"
    base = fake.url.replace("http://", f"http://alice:{url_secret}@")
    fake.script(
        Reply(payload=example_payload()),
        Reply(status=400, body={"error": {"message": f"Incorrect API key provided: {TEST_KEY}", "type": "x"}}),
    )
    ok = runner.invoke(app, ["summarize", "--url", f"http://bob:{page_secret}@{page_server}/a.txt?token={query_secret}"],
                       env={"OPENAI_API_KEY": TEST_KEY, "OPENAI_BASE_URL": base})
    assert ok.exit_code == 0, ok.stderr
    failed = summarize("--no-cache", "--base-url", base)
    assert failed.exit_code == 6, failed.stderr
    logged = rows(db(tmp_path))
    assert [r["ok"] for r in logged] == [1, 0]
    assert logged[0]["source"] == f"http://{page_server}/a.txt"
    assert json.loads(logged[0]["result"])["provenance"]["source"] == f"http://{page_server}/a.txt"
    files = [p for p in tmp_path.iterdir() if p.name.startswith("history.db")]
    assert files and sum(p.stat().st_size for p in files) > 10_000
    for path in files:
        data = path.read_bytes()
        for secret in (TEST_KEY, url_secret, page_secret, query_secret, "alice", "bob:"):
            assert secret.encode() not in data, (path.name, secret)


def test_secret_free_values() -> None:
    assert history.safe_source("https://u:p@example.org:8443/a/b?x=1#f") == "https://example.org:8443/a/b"
    assert history.safe_source("articles/a.txt") == "articles/a.txt"
    assert history.scrub(f"failed at http://me:{TEST_KEY}@host/v1 with Bearer abc", None) == (
        "failed at http://host/v1 with ***"
    )
    assert history.scrub("the key is hunter2hunter2 here", "hunter2hunter2") == "the key is *** here"
    assert "pw" not in str(history.scrub("see https://user:pw@host/x", None))


# ------------------------------------------------------------------------------ reading it
def seed(tmp_path: Path) -> None:
    """Three runs: two of the example with two models, one failure."""
    assert runner.invoke(app, ["summarize", str(EXAMPLE), "--backend", "rules"]).exit_code == 0
    other = tmp_path / "khedri.txt"
    other.write_text((SHARED / "01_ofac-iran-khedri-network.txt").read_text("utf-8"), "utf-8")
    assert runner.invoke(app, ["summarize", str(other), "--backend", "rules"]).exit_code == 0
    empty = tmp_path / "empty"
    empty.mkdir()
    assert runner.invoke(app, ["summarize", str(other), "--replay", str(empty)]).exit_code == 10


def test_logs_lists_recent_runs_for_people(tmp_path: Path) -> None:
    seed(tmp_path)
    res = runner.invoke(app, ["logs"])
    assert res.exit_code == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0].split() == ["ID", "TIME", "(UTC)", "COMMAND", "SOURCE", "MODEL", "STATUS", "TOKENS", "ELAPSED"]
    assert len(lines) == 4 and lines[1].split()[0] == "3"  # newest first
    assert "error: missing_recording" in lines[1] and "khedri.txt" in lines[1] and "gpt-4o-mini" in lines[1]
    assert " ok " in lines[3] and "iran-missiles-russia.txt" in lines[3] and "rules" in lines[3]
    assert re.search(r"\d+\.\d\ds$", lines[3])


def test_logs_search_filters_and_limits(tmp_path: Path) -> None:
    seed(tmp_path)

    def ids(*args: str) -> list[int]:
        res = runner.invoke(app, ["logs", "--json", *args])
        assert res.exit_code == 0, res.stderr
        return [r["id"] for r in json.loads(res.stdout)]

    assert ids() == [3, 2, 1]
    assert ids("-q", "KHEDRI") == [3, 2]  # source, case-insensitive
    assert ids("--model", "rules") == [2, 1] and ids("--model", "rule") == []
    assert ids("-q", "khedri", "--model", "rules") == [2]
    assert ids("--failed") == [3] and ids("-n", "1") == [3] and ids("-n", "0") == [3, 2, 1]
    sha = json.loads(runner.invoke(app, ["logs", "--json", "-n", "1"]).stdout)[0]["input_sha256"]
    assert ids("-q", sha[:10]) == [3, 2]
    assert ids("-q", "khedri%") == [] and ids("-q", "k_edri") == []  # LIKE wildcards are literal
    res = runner.invoke(app, ["logs", "-q", "nothing-like-this"])
    assert res.exit_code == 0 and res.stdout.startswith("no runs match")


def test_logs_json_is_every_stored_field(tmp_path: Path) -> None:
    seed(tmp_path)
    runs = json.loads(runner.invoke(app, ["logs", "--json"]).stdout)
    assert list(runs[0])[0] == "id" and set(runs[0]) == {c for c in history._COLUMNS}
    ok = runs[2]
    assert ok["ok"] is True and isinstance(ok["result"], dict) and isinstance(ok["settings"], dict)
    assert ok["result"]["provenance"]["model"] == "rules"
    assert runs[0]["ok"] is False and runs[0]["result"] is None


def test_logs_show_one_run(tmp_path: Path) -> None:
    seed(tmp_path)
    res = runner.invoke(app, ["logs", "show", "1"])
    assert res.exit_code == 0, res.stderr
    head, _, result = res.stdout.partition("result:\n")
    assert "run 1: summarize" in head and f"source:    {EXAMPLE}" in head and "model:     rules (rules)" in head
    assert "strategy=single" in head and "tokens" in head
    assert json.loads(result)["summary"]
    failed = runner.invoke(app, ["logs", "show", "3"]).stdout
    assert "error:     missing_recording" in failed and "result:" not in failed
    as_json = json.loads(runner.invoke(app, ["logs", "show", "2", "--json"]).stdout)
    assert as_json["id"] == 2 and as_json["result"]["provenance"]["source"].endswith("khedri.txt")
    missing = runner.invoke(app, ["logs", "show", "99"])
    assert missing.exit_code == 3 and "no run 99" in missing.stderr and missing.stderr.count("\n") == 1


def test_logs_path_and_an_empty_history(tmp_path: Path) -> None:
    res = runner.invoke(app, ["logs", "path"])
    assert res.exit_code == 0 and res.stdout.strip() == str(db(tmp_path))
    res = runner.invoke(app, ["logs"])
    assert res.exit_code == 0 and res.stdout.startswith("no runs logged yet")
    assert not db(tmp_path).exists()  # reading never creates the file


def test_default_location_is_the_user_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("SUMMARIZER_LOGS_DB")
    monkeypatch.setenv("SUMMARIZER_DATA_DIR", str(tmp_path / "data"))
    assert history.db_path() == tmp_path / "data" / "history.db"
    monkeypatch.delenv("SUMMARIZER_DATA_DIR")
    from platformdirs import user_data_dir

    assert history.db_path() == Path(user_data_dir("summarizer")) / "history.db"


# ------------------------------------------------------------------------------ robustness
def warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "cannot write the run history" in line]


def test_a_locked_history_costs_one_warning_and_a_bounded_wait(tmp_path: Path) -> None:
    assert runner.invoke(app, ["summarize", str(EXAMPLE), "--backend", "rules", "--no-cache"]).exit_code == 0
    holder = sqlite3.connect(db(tmp_path), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process in the middle of a long write
    try:
        t0 = time.monotonic()
        res = runner.invoke(app, ["summarize", str(EXAMPLE), "--backend", "rules", "--no-cache"])
        waited = time.monotonic() - t0
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert res.exit_code == 0 and json.loads(res.stdout)["summary"]
    [line] = warnings(res.stderr)
    assert "database is locked" in line and "SUMMARIZER_NO_LOG" in line
    assert waited < history.BUSY_TIMEOUT_S + 3
    assert len(rows(db(tmp_path))) == 1


def test_a_passing_lock_costs_one_entry_a_stuck_one_ends_logging(tmp_path: Path) -> None:
    def run(item: str) -> history.Run:
        return history.Run(time_utc=history.now_utc(), command="batch", invocation="i", model="m",
                           backend="openai", settings="{}", ok=True, tool_version="t", item=item)

    warned: list[str] = []
    h = history.History(db(tmp_path), on_warning=warned.append)
    assert h.add(run("a")) == 1
    holder = sqlite3.connect(db(tmp_path), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    assert h.add(run("b")) is None  # waited BUSY_TIMEOUT_S, gave up on this entry
    holder.execute("ROLLBACK")
    assert h.add(run("c")) == 2  # the lock passed: logging goes on
    holder.execute("BEGIN IMMEDIATE")
    t0 = time.monotonic()
    assert [h.add(run(x)) for x in "defg"] == [None] * 4
    assert time.monotonic() - t0 < history.MAX_BUSY * history.BUSY_TIMEOUT_S + 2  # the 4th did not wait
    holder.execute("ROLLBACK")
    holder.close()
    assert h.add(run("h")) is None  # stuck three times in a row: no more tries this run
    h.close()
    assert len(warned) == 1 and "database is locked" in warned[0] and "an entry of this run" in warned[0]
    assert [r["item"] for r in rows(db(tmp_path))] == ["a", "c"]


def test_a_corrupt_history_never_breaks_a_run_or_a_batch(tmp_path: Path) -> None:
    db(tmp_path).write_bytes(b"this is not a database, " * 200)
    res = runner.invoke(app, ["summarize", str(EXAMPLE), "--backend", "rules"])
    assert res.exit_code == 0 and json.loads(res.stdout)["summary"]
    assert len(warnings(res.stderr)) == 1 and "not a database" in res.stderr
    res = runner.invoke(app, ["batch", str(SHARED), "--backend", "rules", "-o", str(tmp_path / "o.jsonl")])
    assert res.exit_code == 0 and len(warnings(res.stderr)) == 1  # once per run, not per article
    listed = runner.invoke(app, ["logs"])
    assert listed.exit_code == 4 and listed.stderr.count("\n") == 1
    assert "cannot read the run history" in listed.stderr and "move the file away" in listed.stderr
    assert db(tmp_path).read_bytes().startswith(b"this is not a database")  # left as it was


@pytest.mark.parametrize("where", ["a directory", "under a file"])
def test_an_unwritable_history_path_never_breaks_a_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    if where == "a directory":
        target = tmp_path / "dir.db"
        target.mkdir()
    else:
        (tmp_path / "plain").write_text("x")
        target = tmp_path / "plain" / "history.db"
    monkeypatch.setenv("SUMMARIZER_LOGS_DB", str(target))
    res = runner.invoke(app, ["summarize", str(EXAMPLE), "--backend", "rules"])
    assert res.exit_code == 0 and json.loads(res.stdout)["summary"]
    assert len(warnings(res.stderr)) == 1


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes read-only files")
def test_a_read_only_history_never_breaks_a_run(tmp_path: Path) -> None:
    assert runner.invoke(app, ["summarize", str(EXAMPLE), "--backend", "rules", "--no-cache"]).exit_code == 0
    for p in tmp_path.glob("history.db*"):
        p.chmod(0o444)
    res = runner.invoke(app, ["summarize", str(EXAMPLE), "--backend", "rules", "--no-cache"])
    assert res.exit_code == 0 and len(warnings(res.stderr)) == 1


def test_a_history_from_a_newer_version_is_read_but_not_written(tmp_path: Path) -> None:
    assert runner.invoke(app, ["summarize", str(EXAMPLE), "--backend", "rules"]).exit_code == 0
    conn = sqlite3.connect(db(tmp_path))
    conn.execute(f"PRAGMA user_version = {history.SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    res = runner.invoke(app, ["summarize", str(EXAMPLE), "--backend", "rules"])
    assert res.exit_code == 0 and "newer than this summarizer" in res.stderr
    listed = runner.invoke(app, ["logs", "--json"])
    assert listed.exit_code == 0 and len(json.loads(listed.stdout)) == 1


def test_an_empty_file_is_migrated_on_open(tmp_path: Path) -> None:
    db(tmp_path).write_bytes(b"")  # e.g. made by `touch`: version 0, no tables
    assert runner.invoke(app, ["summarize", str(EXAMPLE), "--backend", "rules"]).exit_code == 0
    conn = sqlite3.connect(db(tmp_path))
    assert conn.execute("PRAGMA user_version").fetchone()[0] == history.SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    assert len(rows(db(tmp_path))) == 1


def _writer(path: str, n: int, barrier: Any) -> list[str]:
    from summarizer.history import History, Run, now_utc

    warned: list[str] = []
    h = History(Path(path), on_warning=warned.append)
    barrier.wait()
    for i in range(n):
        h.add(Run(time_utc=now_utc(), command="batch", invocation=str(os.getpid()), model="m",
                  backend="openai", settings="{}", ok=True, tool_version="t", item=str(i)))
    h.close()
    return warned


def test_concurrent_processes_all_write_their_rows(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    procs, n = 4, 100
    with ctx.Manager() as manager:
        barrier = manager.Barrier(procs)
        with ctx.Pool(procs) as pool:
            warned = pool.starmap(_writer, [(str(db(tmp_path)), n, barrier)] * procs)
    assert warned == [[]] * procs
    logged = rows(db(tmp_path))
    assert len(logged) == procs * n and len({r["invocation"] for r in logged}) == procs


def test_the_documented_schema_is_the_one_created() -> None:
    doc = (ROOT / "docs" / "history.md").read_text("utf-8")
    squash = lambda s: " ".join(s.split())  # noqa: E731
    for statement in (s for version in sorted(history.MIGRATIONS) for s in history.MIGRATIONS[version]):
        assert squash(statement) + ";" in squash(doc), statement.splitlines()[0]
    assert f"schema version {history.SCHEMA_VERSION}" in doc.lower()
    documented = set(re.findall(r"^\| `(\w+)` \|", doc, re.M))
    assert documented == set(history._COLUMNS)


def test_every_history_command_in_the_readme_runs(tmp_path: Path) -> None:
    import shlex

    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("## History: `summarizer logs`", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None
    lines = [line.strip() for line in block.group(1).splitlines() if line.strip()]
    assert len(lines) >= 5
    seed(tmp_path)
    runner.invoke(app, ["summarize", str(EXAMPLE), "--backend", "rules", "--no-cache"])
    for line in lines:
        args = shlex.split(line)
        assert args[0] == "summarizer"
        res = runner.invoke(app, args[1:])
        assert res.exit_code == 0, (line, res.output)
        assert res.stdout.strip() and "no runs" not in res.stdout, line
