"""What the tool guarantees against hostile files, servers and templates (docs/security.md names
each test below as the proof of one guarantee).

Everything runs the real stack against loopback servers (the fake OpenAI server with its Batch
API, the fake yente server); nothing is patched. Tests that could hang on the old code (a FIFO
opened for reading, an endless poll) run the CLI in a subprocess with a timeout. Device tests
never touch a real device node, not even /dev/null: on a regressed build that write would
replace it for the whole machine. They make their own character device in the test's directory
(as root, with mknod; skipped otherwise).
"""

from __future__ import annotations

import json
import logging
import os
import re
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from summarizer import errors
from summarizer.cli import app
from tests.fakes import FakeOpenAI, Reply

from .conftest import EXAMPLE, ROOT, TEST_KEY, example_payload

runner = CliRunner()
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def cli(fake: FakeOpenAI | None, *args: str, stdin: str | bytes | None = None) -> Any:
    env = {"OPENAI_API_KEY": TEST_KEY}
    if fake is not None:
        env["OPENAI_BASE_URL"] = fake.url
    return runner.invoke(app, list(args), env=env, input=stdin)


def subprocess_cli(args: list[str], *, fake: FakeOpenAI | None = None, timeout: float = 60,
                   extra_env: dict[str, str] | None = None, **kw: Any) -> subprocess.CompletedProcess[str]:
    """The CLI in its own process (its stdin, stdout and fds are its own), bounded in time."""
    env = {**os.environ, "OPENAI_API_KEY": TEST_KEY, "PYTHONPATH": str(ROOT), **(extra_env or {})}
    if fake is not None:
        env["OPENAI_BASE_URL"] = fake.url
    return subprocess.run([sys.executable, "-m", "summarizer", *args], capture_output=True, text=True,
                          env=env, timeout=timeout, **kw)


def slices(secret: str, n: int = 8) -> list[str]:
    return [secret[i : i + n] for i in range(len(secret) - n + 1)]


def leaked(text: str, secret: str = TEST_KEY) -> list[str]:
    """The 8-character slices of `secret` that occur in `text`."""
    return [s for s in slices(secret) if s in text]


@pytest.fixture(scope="module")
def batch_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real batch output file (two articles) made by `summarizer batch` against the fake."""
    root = tmp_path_factory.mktemp("batchfile")
    (root / "a.txt").write_text(EXAMPLE.read_text("utf-8"), "utf-8")
    (root / "b.txt").write_text(EXAMPLE.read_text("utf-8") + "\nMore.\n", "utf-8")
    out = root / "out.jsonl"
    with FakeOpenAI(default=Reply(payload=example_payload())) as fake:
        res = runner.invoke(app, ["batch", str(root / "a.txt"), str(root / "b.txt"), "-o", str(out), "--no-log"],
                            env={"OPENAI_API_KEY": TEST_KEY, "OPENAI_BASE_URL": fake.url,
                                 "SUMMARIZER_CACHE_DIR": str(root / "cache")})
    assert res.exit_code == 0, res.stderr
    return out


def _char_device(path: Path) -> None:
    """A character device node of our own (major 1, minor 3: a null device), or skip."""
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, AttributeError, OSError) as exc:
        pytest.skip(f"cannot make a device node here ({exc}): needs root and mknod")


# ================================================================== 1. one way to write a file
def test_render_o_onto_a_device_writes_through_and_keeps_the_node(batch_file: Path, tmp_path: Path) -> None:
    node = tmp_path / "null"
    _char_device(node)
    res = cli(None, "render", str(batch_file), "-o", str(node), "-f", "csv")
    assert res.exit_code == 0, res.stderr
    assert stat.S_ISCHR(os.lstat(node).st_mode), "render replaced a device node with a regular file"
    assert not list(tmp_path.glob(".*.tmp")), "a temporary file was left beside the device"


def test_summarize_o_onto_a_device_writes_through_and_keeps_the_node(fake: FakeOpenAI, tmp_path: Path) -> None:
    node = tmp_path / "null"
    _char_device(node)
    fake.default = Reply(payload=example_payload())
    res = cli(fake, "summarize", str(EXAMPLE), "--no-cache", "-o", str(node))
    assert res.exit_code == 0, res.stderr
    assert stat.S_ISCHR(os.lstat(node).st_mode)


def test_render_o_through_a_link_to_stdout_keeps_the_link(batch_file: Path, tmp_path: Path) -> None:
    link = tmp_path / "out.csv"
    link.symlink_to("/proc/self/fd/1")
    proc = subprocess_cli(["render", str(batch_file), "-o", str(link), "-f", "csv"])
    assert proc.returncode == 0, proc.stderr
    assert link.is_symlink() and os.readlink(link) == "/proc/self/fd/1", "the link itself was replaced"
    assert proc.stdout.lstrip("\ufeff").startswith("article_id,title,kind,label")  # written through, to stdout


def test_render_o_onto_a_fifo_never_reads_it_nor_hangs(batch_file: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "rows.csv"
    os.mkfifo(fifo)
    # nobody reads it: one line and exit 4, at once (the old check opened it for reading: a hang)
    proc = subprocess_cli(["render", str(batch_file), "-o", str(fifo), "-f", "csv"], timeout=60)
    assert proc.returncode == errors.ConfigError.exit_code, proc.stderr
    assert "no process is reading" in proc.stderr and proc.stderr.count("\n") == 1
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    # with a reader, the rows go through it
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(open(fifo, "rb").read()), daemon=True)  # noqa: SIM115
    reader.start()
    proc = subprocess_cli(["render", str(batch_file), "-o", str(fifo), "-f", "csv"], timeout=60)
    reader.join(30)
    assert proc.returncode == 0, proc.stderr
    assert got and b"article_id,title,kind,label" in got[0]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_link_to_nothing_is_refused_before_the_model_call(fake: FakeOpenAI, tmp_path: Path) -> None:
    fake.default = Reply(payload=example_payload())
    link = tmp_path / "out.json"
    link.symlink_to(tmp_path / "elsewhere" / "planted.json")
    res = cli(fake, "summarize", str(EXAMPLE), "--no-cache", "-o", str(link))
    assert res.exit_code == errors.ConfigError.exit_code, res.stderr
    assert "symbolic link to nothing" in res.stderr
    assert link.is_symlink() and fake.requests == []


def test_a_link_to_a_file_is_written_through(fake: FakeOpenAI, batch_file: Path, tmp_path: Path) -> None:
    real = tmp_path / "real.csv"
    real.write_text("old")
    real.chmod(0o640)
    (tmp_path / "link.csv").symlink_to(real)
    res = cli(None, "render", str(batch_file), "-o", str(tmp_path / "link.csv"))
    assert res.exit_code == 0, res.stderr
    assert (tmp_path / "link.csv").is_symlink() and real.read_text("utf-8-sig").startswith("article_id")
    assert stat.S_IMODE(real.stat().st_mode) == 0o640  # the file's permissions are kept


def test_summarize_o_never_replaces_its_article_or_a_batch_output(fake: FakeOpenAI, batch_file: Path,
                                                                 tmp_path: Path) -> None:
    fake.default = Reply(payload=example_payload())
    article = tmp_path / "article.txt"
    article.write_text(EXAMPLE.read_text("utf-8"), "utf-8")
    before = article.read_bytes()
    res = cli(fake, "summarize", str(article), "--no-cache", "-o", str(article), "-f", "md")
    assert res.exit_code == errors.ConfigError.exit_code and "input of this run" in res.stderr, res.stderr
    assert article.read_bytes() == before and fake.requests == []
    paid = tmp_path / "paid.json"
    paid.write_bytes(batch_file.read_bytes())
    res = cli(fake, "summarize", str(article), "--no-cache", "-o", str(paid))
    assert res.exit_code == errors.ConfigError.exit_code and "batch output file" in res.stderr, res.stderr
    assert paid.read_bytes() == batch_file.read_bytes() and fake.requests == []


@pytest.fixture
def export_dir(tmp_path: Path) -> Path:
    bb = tmp_path / "bb"
    bb.mkdir()
    (bb / "a.txt").write_text(EXAMPLE.read_text("utf-8"), "utf-8")
    return bb


@pytest.mark.parametrize("victim", ["input", "batch output", "foreign"])
def test_export_requests_never_overwrites_what_is_not_an_export(export_dir: Path, batch_file: Path, victim: str) -> None:
    target = {"input": export_dir / "a.txt", "batch output": export_dir.parent / "paid.jsonl",
              "foreign": export_dir.parent / "notes.txt"}[victim]
    if victim == "batch output":
        target.write_bytes(batch_file.read_bytes())
    elif victim == "foreign":
        target.write_text("my notes\n")
    before = target.read_bytes()
    out = export_dir.parent / "e.jsonl"
    res = cli(None, "batch", str(export_dir), "-o", str(out), "--export-requests", str(target))
    assert res.exit_code == errors.ConfigError.exit_code, res.stderr
    assert "--export-requests" in res.stderr and "left untouched" in res.stderr
    assert target.read_bytes() == before


def test_export_requests_replaces_an_earlier_export(export_dir: Path) -> None:
    out, requests = export_dir.parent / "e.jsonl", export_dir.parent / "requests.jsonl"
    first = cli(None, "batch", str(export_dir), "-o", str(out), "--export-requests", str(requests))
    assert first.exit_code == 0, first.stderr
    (export_dir / "b.txt").write_text(EXAMPLE.read_text("utf-8") + "\nAnother.\n", "utf-8")
    again = cli(None, "batch", str(export_dir), "-o", str(out), "--export-requests", str(requests))
    assert again.exit_code == 0, again.stderr
    assert len(requests.read_bytes().splitlines()) == 2  # rewritten with both articles' requests


def test_files_the_tool_keeps_are_never_written_through_links_or_fifos(tmp_path: Path) -> None:
    from summarizer.atomic import ANY, write_atomic
    from summarizer.cache import _path, put
    from summarizer.schema import ArticleSummary

    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    link = tmp_path / "state.json"
    link.symlink_to(victim)
    with pytest.raises(errors.ConfigError, match="symbolic link"):
        write_atomic(link, b"x", ours=ANY)
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    with pytest.raises(errors.ConfigError, match="FIFO"):
        write_atomic(fifo, b"x", ours=ANY)
    # a cache entry whose name was planted as a link: the write is skipped, the link and its target stay
    key = "ab" + "0" * 62
    entry = _path(key, tmp_path / "cache")
    entry.parent.mkdir(parents=True)
    entry.symlink_to(victim)
    result = ArticleSummary.model_validate({
        "summary": "s", "allegations": [], "sanctions_targets": [], "quotes": [],
        "provenance": {"model": "m", "backend": "openai", "prompt_sha256": "p", "schema_sha256": "s",
                       "input_sha256": "i", "attempts": 1, "usage": {}, "elapsed_s": 0.0},
    })
    put(key, result, tmp_path / "cache")
    assert entry.is_symlink() and victim.read_text() == "precious"


def test_a_fixture_name_planted_as_a_fifo_fails_without_hanging(fake: FakeOpenAI, tmp_path: Path) -> None:
    """Record into a directory where the exchange's fixture name is a FIFO: a one-line error."""
    fake.default = Reply(payload=example_payload())
    rec = tmp_path / "rec"
    first = cli(fake, "summarize", str(EXAMPLE), "--record", str(rec))
    assert first.exit_code == 0, first.stderr
    [made] = rec.glob("*.json")
    made.unlink()
    os.mkfifo(made)
    proc = subprocess_cli(["summarize", str(EXAMPLE), "--record", str(rec)], fake=fake, timeout=60)
    assert proc.returncode != 0 and "FIFO" in proc.stderr and "Traceback" not in proc.stderr
    assert stat.S_ISFIFO(os.lstat(made).st_mode)


@pytest.mark.parametrize("kind", ["link", "fifo", "foreign"])
def test_the_history_never_writes_through_a_link_a_fifo_or_a_foreign_file(fake: FakeOpenAI, tmp_path: Path,
                                                                         kind: str) -> None:
    victim = tmp_path / "victim"
    victim.write_bytes(b"" if kind == "link" else b"my notes\n")
    db = tmp_path / "history.db"
    if kind == "link":
        db.symlink_to(victim)
    elif kind == "fifo":
        os.mkfifo(db)
    else:
        db = victim
    fake.default = Reply(payload=example_payload())
    proc = subprocess_cli(["summarize", str(EXAMPLE), "--no-cache"], fake=fake, timeout=60,
                          extra_env={"SUMMARIZER_LOGS_DB": str(db)})
    assert proc.returncode == 0, proc.stderr  # logging never costs the run...
    assert "cannot write the run history" in proc.stderr and "left untouched" in proc.stderr, proc.stderr
    assert victim.read_bytes() == (b"" if kind == "link" else b"my notes\n")  # ...nor the file


def test_batch_line_prefix_is_the_one_atomic_protects() -> None:
    from summarizer.atomic import BATCH_LINE
    from summarizer.batch.results import LINE_PREFIX, error_line

    assert LINE_PREFIX == BATCH_LINE and error_line("x", "input", "m").startswith(BATCH_LINE)


# ================================================================== 2. one way to read a file
def test_a_fifo_in_the_cache_directory_is_a_miss_not_a_hang(fake: FakeOpenAI, tmp_path: Path) -> None:
    from summarizer.cache import cache_key
    from summarizer.inputs import read_article
    from summarizer.settings import Settings

    fake.default = Reply(payload=example_payload())
    cache_root = tmp_path / "cache"
    settings = Settings.resolve(api_key=TEST_KEY, base_url=fake.url)
    key = cache_key(read_article(str(EXAMPLE)).sha256, settings)
    (cache_root / key[:2]).mkdir(parents=True)
    os.mkfifo(cache_root / key[:2] / f"{key}.json")
    proc = subprocess_cli(["summarize", str(EXAMPLE), "--base-url", fake.url, "-v"], timeout=60,
                          extra_env={"SUMMARIZER_CACHE_DIR": str(cache_root)})
    assert proc.returncode == 0, proc.stderr
    assert "cache entry" in proc.stderr and "FIFO" in proc.stderr and len(fake.requests) == 1


# ================================================================== 3. one redaction
ECHO_SCRIPT = """
import logging, sys
logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
import summarizer
try:
    summarizer.summarize(open(sys.argv[1]).read(), max_retries=0, max_reasks=0)
except summarizer.SummarizerError as exc:
    print("error:", exc, file=sys.stderr)
"""


@pytest.mark.parametrize("echo", ["whole", "tail", "head", "async"])
def test_the_library_never_logs_an_echoed_key(fake: FakeOpenAI, tmp_path: Path, echo: str) -> None:
    """`logging.basicConfig(); summarizer.summarize(...)` (or `asummarize`) against a server
    that echoes the key (whole, `key[3:]`, the first 12 characters) in its 401: no record
    carries it, instructor's retry loop's included (its logger exists only once a client is made)."""
    shown = {"whole": f"Bearer {TEST_KEY}", "tail": TEST_KEY[3:], "head": TEST_KEY[:12], "async": TEST_KEY}[echo]
    fake.default = Reply(status=401, body={"error": {"message": f"bad key {shown}", "type": "invalid_request_error",
                                                     "code": "invalid_api_key"}})
    script = tmp_path / "host_app.py"
    code = ECHO_SCRIPT
    if echo == "async":
        code = code.replace("summarizer.summarize(open(sys.argv[1]).read(), max_retries=0, max_reasks=0)",
                            "import asyncio; asyncio.run(summarizer.asummarize(open(sys.argv[1]).read(), max_retries=0, "
                            "max_reasks=0))")
        assert code != ECHO_SCRIPT
    script.write_text(code)
    env = {**os.environ, "OPENAI_API_KEY": TEST_KEY, "OPENAI_BASE_URL": fake.url, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, str(script), str(EXAMPLE)], capture_output=True, text=True, env=env, timeout=60)
    assert "error:" in proc.stderr, proc.stderr  # the call failed as it should
    assert "bad key" in proc.stderr or "refused the API key" in proc.stderr
    assert leaked(proc.stderr) == [], proc.stderr


def test_a_partial_key_echo_never_reaches_errors_verbose_lines_history_or_batch_lines(fake: FakeOpenAI,
                                                                                     tmp_path: Path) -> None:
    from summarizer.history import History

    fake.default = Reply(status=400, body={"error": {"message": f"no such model for {TEST_KEY[3:]} / {TEST_KEY[:12]}"}})
    res = cli(fake, "summarize", str(EXAMPLE), "--no-cache", "-v", "--max-retries", "0")
    assert res.exit_code == errors.ProviderError.exit_code, res.stderr
    assert "no such model" in res.stderr and leaked(res.stderr) == [], res.stderr
    out = tmp_path / "out.jsonl"
    res = cli(fake, "batch", str(EXAMPLE), "-o", str(out), "--no-cache", "-v")
    assert res.exit_code == 12 and leaked(res.stderr) == [] and leaked(out.read_text()) == [], out.read_text()
    with History() as history:
        rows = history.recent(limit=10)
    assert rows and all(leaked(json.dumps(r.to_json())) == [] for r in rows)


def test_a_200_whose_id_holds_the_key_is_recorded_without_it(fake: FakeOpenAI, tmp_path: Path) -> None:
    answer = Reply(payload=example_payload(), model=f"echo-{TEST_KEY[2:]}")
    fake.default = answer
    rec = tmp_path / "rec"
    res = cli(fake, "summarize", str(EXAMPLE), "--record", str(rec))
    assert res.exit_code == 0, res.stderr
    [fixture] = rec.glob("*.json")
    assert leaked(fixture.read_text("utf-8")) == [], "the echoed key reached the fixture"
    assert leaked(res.stdout + res.stderr) == []


def test_redact_replaces_whole_keys_slices_and_registered_secrets() -> None:
    from summarizer.redact import redact, redact_secrets, register_secret

    yente = "yk-ZYXWVUTSRQ-mnopqrstuv"  # shares no 8 characters with TEST_KEY
    register_secret(yente)
    register_secret("short")  # too short to be a secret: never registered, never garbles text
    text = f"a {yente[4:]} b {TEST_KEY[:9]} c short d"
    out = redact(text, TEST_KEY)
    assert leaked(out, yente) == [] and leaked(out, TEST_KEY) == [] and "short" in out
    assert out.startswith("a *** b *** c short d")
    assert redact_secrets("Bearer words of an article") == "Bearer words of an article"  # patterns only in redact


# ================================================================== 4. one terminal sanitizer
HOSTILE = "\x1b]0;PWNED\x07\x1b[2J\x9b31m\u202eevil\u2066\r"


def test_logs_list_and_show_make_controls_inert(fake: FakeOpenAI) -> None:
    payload = example_payload()
    payload["summary"][0]["text"] += f" {HOSTILE}"
    fake.default = Reply(payload=payload)
    res = cli(fake, "summarize", str(EXAMPLE), "--no-cache")
    assert res.exit_code == 0, res.stderr
    listing = cli(None, "logs")
    shown = cli(None, "logs", "show", "1")
    assert listing.exit_code == 0 and shown.exit_code == 0, shown.stderr
    assert "PWNED" in shown.stdout  # the text is shown...
    for out in (listing.stdout, shown.stdout):
        assert not UNSAFE.search(out.replace("\n", "").replace("\t", "")), out  # ...never obeyed


def test_the_eval_report_makes_model_text_inert() -> None:
    from summarizer.evaluate.report import report_table
    from summarizer.evaluate.score import Counts, EvalReport, FileScore

    score = FileScore(name=f"gold{HOSTILE}.json", counts=Counts(files=1), quotes_missed=[f"quote {HOSTILE}"])
    out = report_table(EvalReport(files=[score]))
    assert "PWNED" in out and not UNSAFE.search(out.replace("\n", ""))


# ================================================================== 5. nothing executable in caches
def _cached_entry(fake: FakeOpenAI) -> Path:
    fake.default = Reply(payload=example_payload())
    res = cli(fake, "summarize", str(EXAMPLE))
    assert res.exit_code == 0, res.stderr
    [entry] = Path(os.environ["SUMMARIZER_CACHE_DIR"]).glob("??/*.json")
    return entry


def test_a_cache_entry_is_versioned_data_with_a_checksum(fake: FakeOpenAI) -> None:
    import hashlib

    entry = _cached_entry(fake)
    head, _, payload = entry.read_bytes().partition(b"\n")
    header = json.loads(head)
    assert header["format"] == "summarizer-results-cache" and header["version"] == 2
    assert header["key"] == entry.stem and header["sha256"] == hashlib.sha256(payload).hexdigest()
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    again = cli(fake, "summarize", str(EXAMPLE), "-v")
    assert again.exit_code == 0 and "cache hit" in again.stderr and len(fake.requests) == 1


def test_a_hand_edited_cache_entry_is_a_miss_said_with_v(fake: FakeOpenAI) -> None:
    entry = _cached_entry(fake)
    quote = example_payload()["quotes"][0]["text"]
    forged = quote.replace("Iran", "Irak")  # a quote the article never printed
    entry.write_bytes(entry.read_bytes().replace(quote.encode(), forged.encode()))
    res = cli(fake, "summarize", str(EXAMPLE), "-v")
    assert res.exit_code == 0, res.stderr
    assert "cache entry" in res.stderr and "ignored" in res.stderr, res.stderr
    assert len(fake.requests) == 2 and forged not in res.stdout  # asked again, served the real answer


def test_a_forged_entry_with_a_valid_checksum_still_fails_the_grounding_check(fake: FakeOpenAI) -> None:
    import hashlib

    entry = _cached_entry(fake)
    head, _, payload = entry.read_bytes().partition(b"\n")
    quote = example_payload()["quotes"][0]["text"]
    payload = payload.replace(quote.encode(), quote.replace("Iran", "Irak").encode())
    header = json.loads(head) | {"sha256": hashlib.sha256(payload).hexdigest()}
    entry.write_bytes(json.dumps(header, separators=(",", ":")).encode() + b"\n" + payload)
    res = cli(fake, "summarize", str(EXAMPLE), "-v")
    assert res.exit_code == 0 and "is not in the article at its offsets" in res.stderr, res.stderr
    assert len(fake.requests) == 2


# ================================================================== 6. numbers, server values, bounded loops
@pytest.mark.parametrize("value", ["inf", "nan", "-1", "0"])
def test_poll_interval_is_checked_where_options_are_parsed(fake: FakeOpenAI, tmp_path: Path, value: str) -> None:
    res = cli(fake, "batch", str(EXAMPLE), "-o", str(tmp_path / "o.jsonl"), "--engine", "batch-api",
              "--poll-interval", value)
    assert res.exit_code == 2 and "--poll-interval" in res.stderr and "Traceback" not in res.stderr, res.stderr
    assert fake.requests == [] and not (tmp_path / "o.jsonl").exists()


@pytest.mark.parametrize(("args", "code"), [(["--timeout", "nan"], 4), (["--timeout", "inf"], 4),
                                            (["--max-retries", "-1"], 4), (["-c", "0"], 2)])
def test_numeric_options_refuse_nan_infinities_and_negatives(fake: FakeOpenAI, tmp_path: Path, args: list[str],
                                                            code: int) -> None:
    res = cli(fake, "batch", str(EXAMPLE), "-o", str(tmp_path / "o.jsonl"), *args)
    assert res.exit_code == code and "Traceback" not in res.stderr, res.stderr
    assert fake.requests == []


def _bulk(fake: FakeOpenAI, out: Path, *extra: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess_cli(["batch", str(EXAMPLE), "-o", str(out), "--engine", "batch-api", "--no-cache",
                           "--base-url", fake.url, "--poll-interval", "0.01", *extra], timeout=timeout)


def test_an_unknown_batch_status_is_an_error_not_endless_polling(fake: FakeOpenAI, tmp_path: Path) -> None:
    fake.default = Reply(payload=example_payload())

    def explode(batch: dict[str, Any]) -> None:
        batch["status"] = "exploded"

    fake.batches.on_poll = explode
    proc = _bulk(fake, tmp_path / "o.jsonl", timeout=60)  # the old code polled for ever
    assert proc.returncode == errors.ProviderError.exit_code, proc.stderr
    assert "'exploded'" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("field", ["request_counts", "output_file_id", "errors"])
def test_batch_objects_of_the_wrong_shape_are_a_provider_error(fake: FakeOpenAI, tmp_path: Path, field: str) -> None:
    fake.default = Reply(payload=example_payload())

    def corrupt(batch: dict[str, Any]) -> None:
        batch[field] = {"request_counts": "lots", "output_file_id": 7, "errors": {"data": "nope"}}[field]

    fake.batches.on_poll = corrupt
    proc = _bulk(fake, tmp_path / "o.jsonl")
    assert proc.returncode == errors.ProviderError.exit_code, proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr


def test_a_second_answer_for_the_same_custom_id_is_ignored_with_a_warning(fake: FakeOpenAI, tmp_path: Path) -> None:
    fake.default = Reply(payload=example_payload())

    def duplicate(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
        extra = []
        for line in lines:
            bad = json.loads(json.dumps(line))
            bad["response"]["body"]["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"] = (
                json.dumps({"summary": 42}))  # a worse answer, which would cost re-ask rounds
            extra.append(bad)
        return lines + extra

    fake.batches.tamper = duplicate
    out = tmp_path / "o.jsonl"
    proc = _bulk(fake, out)
    assert proc.returncode == 0, proc.stderr
    assert "second line for" in proc.stderr and "first one is kept" in proc.stderr
    assert len(fake.batches.created) == 1  # no re-ask round
    [line] = [json.loads(x) for x in out.read_text().splitlines()]
    assert line["ok"] and line["result"]["provenance"]["attempts"] == 1


def test_a_refused_upload_never_says_batches_keep_running(fake: FakeOpenAI, tmp_path: Path) -> None:
    fake.batches.unavailable = {"upload"}
    fake.batches.down_status = 401
    proc = _bulk(fake, tmp_path / "o.jsonl")
    assert proc.returncode == errors.AuthError.exit_code, proc.stderr
    assert "keep running" not in proc.stderr and fake.batches.created == []


# ================================================================== 7. templates (--prompts DIR)
@pytest.fixture
def prompts(tmp_path: Path) -> Path:
    folder = tmp_path / "prompts"
    folder.mkdir()
    for src in (ROOT / "prompts").glob("*.md"):
        (folder / src.name).write_text(src.read_text("utf-8"), "utf-8")
    return folder


@pytest.mark.parametrize(("edit", "needle"), [
    (lambda t: t + "\nAlso $unknown.\n", "${unknown}"),
    (lambda t: t + "\nCosts ${budget}.\n", "${budget}"),
    (lambda t: t + "\nIt costs $5.\n", "'$5'"),
    (lambda t: t.replace("${article}", "(the article)"), "has no ${article}"),
])
def test_a_bad_template_is_one_config_error_before_any_paid_call(fake: FakeOpenAI, prompts: Path, tmp_path: Path,
                                                                 edit: Any, needle: str) -> None:
    user = prompts / "user.md"
    user.write_text(edit(user.read_text("utf-8")), "utf-8")
    fake.default = Reply(payload=example_payload())
    res = cli(fake, "summarize", str(EXAMPLE), "--no-cache", "--prompts", str(prompts))
    assert res.exit_code == errors.ConfigError.exit_code, res.stderr
    assert needle in res.stderr and res.stderr.count("\n") == 1 and fake.requests == []
    out = tmp_path / "o.jsonl"
    res = cli(fake, "batch", str(EXAMPLE), str(EXAMPLE.parent), "-o", str(out), "--prompts", str(prompts))
    assert res.exit_code == errors.ConfigError.exit_code and res.stderr.count(needle) == 1, res.stderr
    assert fake.requests == [] and (not out.exists() or out.read_text() == "")


def test_a_fifo_as_a_template_is_refused_without_hanging(fake: FakeOpenAI, prompts: Path) -> None:
    (prompts / "system.md").unlink()
    os.mkfifo(prompts / "system.md")
    proc = subprocess_cli(["summarize", str(EXAMPLE), "--prompts", str(prompts)], fake=fake, timeout=60)
    assert proc.returncode == errors.ConfigError.exit_code, proc.stderr
    assert "FIFO" in proc.stderr and fake.requests == []


# ================================================================== 8. internal errors that were
def test_logs_show_an_id_beyond_sqlite_is_one_line(fake: FakeOpenAI) -> None:
    fake.default = Reply(payload=example_payload())
    assert cli(fake, "summarize", str(EXAMPLE), "--no-cache").exit_code == 0  # a history file to look in
    res = cli(None, "logs", "show", "99999999999999999999999")
    assert res.exit_code == errors.InputError.exit_code, res.stderr
    assert res.stderr.count("\n") == 1 and "no run" in res.stderr and "internal" not in res.stderr


def test_a_nul_byte_in_a_listed_path_is_a_failed_line(fake: FakeOpenAI, tmp_path: Path) -> None:
    out = tmp_path / "x.jsonl"
    res = cli(fake, "batch", "-", "-o", str(out), stdin=b"a\x00b\n")
    assert res.exit_code == 12, res.stderr
    [line] = [json.loads(x) for x in out.read_text().splitlines()]
    assert not line["ok"] and line["error"]["type"] == "input" and "NUL" in line["error"]["message"]
    assert "internal" not in res.stderr


def test_a_forged_manifest_naming_a_directory_is_refused_before_any_page(batch_file: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "sub").mkdir()
    (site / ".summarizer-render.json").write_text(json.dumps(
        {"generator": "summarizer render", "format": "html", "files": ["sub"]}))
    res = cli(None, "render", str(batch_file), "-o", str(site))
    assert res.exit_code == errors.ConfigError.exit_code and "'sub'" in res.stderr, res.stderr
    assert sorted(p.name for p in site.iterdir()) == [".summarizer-render.json", "sub"]


@pytest.fixture
def failing_yente() -> Iterator[Any]:
    from tests.fakes import FakeYente, Fault

    with FakeYente() as yente:
        yente.faults = [Fault(status=500, body=b'{"detail": "upstream failed"}')] * 10
        yield yente


def test_a_failing_yente_after_a_paid_call_keeps_the_result(fake: FakeOpenAI, failing_yente: Any,
                                                           tmp_path: Path) -> None:
    from summarizer.history import History

    fake.default = Reply(payload=example_payload())
    out = tmp_path / "result.json"
    res = cli(fake, "summarize", str(EXAMPLE), "--no-cache", "--screen-url", failing_yente.url, "-o", str(out))
    assert res.exit_code == errors.ScreeningError.exit_code, res.stderr
    assert len(fake.requests) == 1 and "unscreened" in res.stderr and res.stderr.count("\n") == 1
    assert json.loads(out.read_text())["quotes"], "the paid result was not written"
    with History() as history:
        [row] = history.recent(limit=5)
    assert row.ok and row.result is not None


def test_the_library_keeps_the_result_on_a_screening_error(fake: FakeOpenAI, failing_yente: Any,
                                                          example_text: str) -> None:
    import summarizer

    fake.default = Reply(payload=example_payload())
    with pytest.raises(errors.ScreeningError) as info:
        summarizer.summarize(example_text, api_key=TEST_KEY, base_url=fake.url, screening=failing_yente.url)
    assert info.value.result is not None and len(fake.requests) == 1


def test_log_filter_is_on_the_libraries_loggers() -> None:
    import summarizer.client  # noqa: F401 - importing the client installs the filter
    from summarizer.redact import RedactingFilter

    for name in ("openai", "instructor", "httpx2"):
        assert any(isinstance(f, RedactingFilter) for f in logging.getLogger(name).filters), name


def test_every_test_docs_security_names_exists() -> None:
    """docs/security.md proves each guarantee with a test: every one it names must exist."""
    doc = (ROOT / "docs" / "security.md").read_text("utf-8")
    named = re.findall(r"`(test_[a-z_]+)::(test_[a-z0-9_]+)`", doc)
    assert len(named) > 30
    missing = [f"{mod}::{name}" for mod, name in named
               if not re.search(rf"^def {name}\(", (ROOT / "tests" / f"{mod}.py").read_text("utf-8"), re.MULTILINE)]
    assert missing == [], f"docs/security.md names tests that do not exist: {missing}"
