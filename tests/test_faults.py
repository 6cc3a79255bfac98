"""Issue 12, transport side: the deadline bounds a trickling server, faults inside our transport
stack keep their own kind (never "could not connect"), and every request is counted, failed
ones included. All faults come from the loopback fake server or from real files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from summarizer import errors, summarize
from summarizer.cli import app
from summarizer.settings import Settings
from tests.fakes import FakeOpenAI, Reply

from .conftest import EXAMPLE, ROOT, TEST_KEY, example_payload

runner = CliRunner()
OK = Reply(payload=example_payload())
TRICKLE = Reply(payload=example_payload(), trickle=0.5)  # one byte every 0.5 s, headers included


def cli(fake: FakeOpenAI, *args: str) -> Any:
    env = {"OPENAI_API_KEY": TEST_KEY, "OPENAI_BASE_URL": fake.url}
    return runner.invoke(app, ["summarize", str(EXAMPLE), "--no-cache", *args], env=env)


def run(fake: FakeOpenAI, text: str, **kw: Any) -> Any:
    base: dict[str, Any] = {"base_url": fake.url, "api_key": TEST_KEY, "retry_wait": 0.05}
    return summarize(text, settings=Settings.resolve(**{**base, **kw}))


# ------------------------------------------------------------------ 2. a deadline for the exchange
def test_timeout_bounds_a_trickling_server_cli(fake: FakeOpenAI) -> None:
    fake.default = TRICKLE
    t0 = time.monotonic()
    res = cli(fake, "--timeout", "4")
    elapsed = time.monotonic() - t0
    assert res.exit_code == errors.RetriesExhaustedError.exit_code == 7, res.stderr
    assert "deadline" in res.stderr and "ran out" in res.stderr and "after 1 request(s)" in res.stderr
    assert 3.9 <= elapsed < 6.0, elapsed  # about 4 s, not the minutes the whole body takes
    assert len(fake.requests) == 1  # no retry after the deadline


def test_timeout_bounds_a_trickling_server_async(fake: FakeOpenAI, example_text: str) -> None:
    from summarizer import summarize_many

    fake.default = TRICKLE
    t0 = time.monotonic()
    [out] = summarize_many([example_text], base_url=fake.url, api_key=TEST_KEY, timeout=2)
    assert isinstance(out, errors.RetriesExhaustedError) and "deadline" in out.message
    assert time.monotonic() - t0 < 3.5


FLOOD = Reply(body=b'{"id": "' + b"x" * (33 * 1024 * 1024) + b'"}')  # 33 MB: no completion is so big


def test_a_server_sending_more_than_a_completion_holds_is_cut_off(fake: FakeOpenAI) -> None:
    """A broken proxy or a hostile server streaming a body without end is read up to 32 MB (an
    answer of 16,000 tokens is under 100 KB), then dropped: a one-line provider error naming
    the host, not a process that buffers gigabytes until the deadline."""
    fake.default = FLOOD
    res = cli(fake, "--max-retries", "2")
    assert res.exit_code == errors.ProviderError.exit_code == 6, res.stderr
    assert "127.0.0.1 sent more than 32 MB for a chat completion" in res.stderr, res.stderr
    assert len(res.stderr.strip().splitlines()) <= 2 and "Traceback" not in res.stderr
    assert len(fake.requests) == 1  # not retried: sending it again asks for the same flood


def test_a_flooding_server_is_cut_off_on_the_async_path_too(fake: FakeOpenAI, example_text: str) -> None:
    from summarizer import summarize_many

    fake.default = FLOOD
    [out] = summarize_many([example_text], base_url=fake.url, api_key=TEST_KEY)
    assert isinstance(out, errors.ProviderError) and "sent more than 32 MB" in out.message, out


def test_timeout_bounds_a_batch_workers_article(fake: FakeOpenAI, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(EXAMPLE.read_text("utf-8"), encoding="utf-8")
    fake.default = TRICKLE
    out = tmp_path / "out.jsonl"
    t0 = time.monotonic()
    res = runner.invoke(app, ["batch", str(tmp_path / "a.txt"), "-o", str(out), "--timeout", "2",
                              "--base-url", fake.url], env={"OPENAI_API_KEY": TEST_KEY})
    assert time.monotonic() - t0 < 4.0
    [line] = [json.loads(x) for x in out.read_text().splitlines()]
    assert line["error"]["type"] == "retries_exhausted" and "deadline" in line["error"]["message"]
    assert res.exit_code == 12


def test_deadline_also_cuts_the_backoff(fake: FakeOpenAI, example_text: str) -> None:
    fake.default = Reply(status=503)
    t0 = time.monotonic()
    with pytest.raises(errors.RetriesExhaustedError, match="deadline"):
        run(fake, example_text, timeout=1.0, retry_wait=5.0, max_retries=3)
    assert time.monotonic() - t0 < 2.0  # the 2.5-5 s backoff was cut to what was left


# ------------------------------------------------------------------ 3. typed errors cross the client
@pytest.fixture
def recorded(tmp_path: Path) -> Iterator[Path]:
    """A replay directory holding the one fixture the example article's request needs."""
    rec = tmp_path / "rec"
    with FakeOpenAI(default=OK) as fake:
        res = cli(fake, "--record", str(rec))
        assert res.exit_code == 0, res.stderr
    [fixture] = list(rec.glob("*.json"))
    yield fixture


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ({"request_sha256": "x", "meta": {}}, 'no "response" object'),
        (["a", "list"], "JSON list, not an object"),
        ({"response": {"status": "ok", "body": {}}}, "not an HTTP status code"),
        ({"response": {"status": 999, "body": {}}}, "not an HTTP status code"),
        ({"response": {"status": 200, "headers": ["x"], "body": {}}}, "headers"),
        ({"response": {"status": 200}}, 'no "body"'),
    ],
)
def test_a_replay_fixture_that_is_not_a_fixture(recorded: Path, content: Any, needle: str) -> None:
    recorded.write_text(json.dumps(content), encoding="utf-8")
    res = runner.invoke(app, ["summarize", str(EXAMPLE), "--replay", str(recorded.parent)])
    assert res.exit_code == errors.MissingRecordingError.exit_code == 10, res.stderr
    assert needle in res.stderr and "could not connect" not in res.stderr
    assert res.stderr.count("\n") == 1


def test_record_onto_a_file_fails_before_any_request(fake: FakeOpenAI, tmp_path: Path) -> None:
    fake.default = OK
    target = tmp_path / "notes.txt"
    target.write_text("keep me")
    for where in (target, target / "sub", Path("/proc/self/no-such-dir/rec")):
        res = cli(fake, "--record", str(where))
        assert res.exit_code == errors.ConfigError.exit_code == 4, (where, res.stderr)
        assert "cannot write recordings" in res.stderr and "could not connect" not in res.stderr
    assert fake.requests == [] and target.read_text() == "keep me"  # no paid request wasted


def test_record_into_a_read_only_directory_fails_before_any_request(fake: FakeOpenAI) -> None:
    fake.default = OK
    with _world_dir() as base:
        readonly = base / "ro"
        readonly.mkdir(mode=0o555)
        readonly.chmod(0o555)
        proc = _cli_as_other_user(
            ["summarize", str(EXAMPLE), "--record", str(readonly), "--base-url", fake.url], base
        )
        assert proc.returncode == 4, proc.stderr
        assert "cannot write recordings" in proc.stderr and "ermission denied" in proc.stderr
        assert fake.requests == [] and list(readonly.iterdir()) == []


def test_library_record_dir_checked_before_the_call(fake: FakeOpenAI, example_text: str,
                                                    tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(errors.ConfigError, match="cannot write recordings"):
        run(fake, example_text, record_dir=tmp_path / "file")
    assert fake.requests == []


@pytest.mark.parametrize("value", ["soon", "nan", "inf", "Wed, 99 Foo 2025 99:99:99 GMT", "-5", ""])
def test_malformed_retry_after_is_ignored(fake: FakeOpenAI, example_text: str, value: str) -> None:
    fake.script(Reply(status=429, headers={"Retry-After": value, "retry-after-ms": value}), OK)
    t0 = time.monotonic()
    r = run(fake, example_text)
    assert len(r.quotes) == 2 and r.provenance.attempts == 2
    assert time.monotonic() - t0 < 3  # the usual short backoff, no error and no endless wait


def test_string_usage_keeps_the_answer_and_counts_what_it_can(fake: FakeOpenAI, example_text: str) -> None:
    usage = {"prompt_tokens": "lots", "completion_tokens": 7, "total_tokens": "7"}
    fake.script(Reply(payload=example_payload(), usage=usage))
    r = run(fake, example_text)
    assert len(r.quotes) == 2  # the valid answer is kept
    u = r.provenance.usage
    assert (u.prompt_tokens, u.completion_tokens, u.total_tokens) == (0, 7, 7)


# ------------------------------------------------------------------ 4. every request is counted
def test_failed_requests_are_counted(fake: FakeOpenAI, example_text: str) -> None:
    fake.script(Reply(action="reset"), Reply(action="reset"), OK)
    r = run(fake, example_text)
    assert len(fake.requests) == 3 and r.provenance.attempts == 3


def test_resets_only_say_how_many_requests_were_made(fake: FakeOpenAI, example_text: str) -> None:
    fake.default = Reply(action="reset")
    with pytest.raises(errors.RetriesExhaustedError, match=r"after 5 request\(s\)"):
        run(fake, example_text, max_retries=4)
    assert len(fake.requests) == 5


def test_verbose_lists_failed_requests_too(fake: FakeOpenAI) -> None:
    fake.script(Reply(action="reset"), Reply(action="reset"), OK)
    res = cli(fake, "-v", "--max-retries", "3")
    assert res.exit_code == 0, res.stderr
    assert "request 1: failed (" in res.stderr and "request 2: failed (" in res.stderr
    assert "request 3: HTTP 200" in res.stderr and "done: 3 request(s)" in res.stderr


def test_verbose_failed_requests_request_timeout(fake: FakeOpenAI, example_text: str) -> None:
    fake.script(Reply(delay=1.0, payload=example_payload()), OK)
    events: list[str] = []
    from summarizer.inputs import article_from_text
    from summarizer.pipeline import Pipeline

    s = Pipeline(Settings.resolve(base_url=fake.url, api_key=TEST_KEY, request_timeout=0.3,
                                    retry_wait=0.01), on_event=events.append)
    try:
        r = s.run(article_from_text(example_text))
    finally:
        s.close()
    assert r.provenance.attempts == 2
    assert events[0].startswith("request 1: failed (ReadTimeout)")


# ------------------------------------------------------------------ helpers
class _world_dir:
    """A scratch directory under /tmp that another user may enter (pytest's tmp_path may not be)."""

    def __enter__(self) -> Path:
        self.path = Path(tempfile.mkdtemp(prefix="summarizer-test-"))
        self.path.chmod(0o755)
        return self.path

    def __exit__(self, *exc: object) -> None:
        for root, dirs, _ in os.walk(self.path):
            for d in dirs:
                os.chmod(os.path.join(root, d), 0o755)
        shutil.rmtree(self.path, ignore_errors=True)


def _cli_as_other_user(args: list[str], home: Path) -> subprocess.CompletedProcess[str]:
    """The CLI in a subprocess, as an unprivileged user when the tests run as root (root
    writes into read-only directories, which would hide the fault under test)."""
    env = {**os.environ, "OPENAI_API_KEY": TEST_KEY, "PYTHONPATH": str(ROOT), "HOME": str(home),
           "SUMMARIZER_CACHE_DIR": str(home / "cache")}
    cmd = [sys.executable, "-m", "summarizer", *args]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root and setpriv is not available to drop privileges")
        cmd = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60, cwd=home)
