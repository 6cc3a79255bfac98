"""The work inside an article: each question of the focused plan (what a local model is asked)
is a progress event, "question 5 of 10 (accusation)", drawn on `summarize`'s status line and under
`batch`'s bar.

The library side replays the recorded answers of the embedded model
(fixtures/local-qwen2.5-coder-1.5b, recorded from the real Qwen2.5-Coder-1.5B) through the whole
pipeline; the terminal side asks the same focused questions of the loopback fake server with
a delay per answer, so that a person (and the pseudo-terminal) has time to see each one. No
real model runs here.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path
from typing import Any

from summarizer import Summarizer, progress
from summarizer.cli.progress import Activity, Bar
from summarizer.pipeline import count_questions
from tests.fakes import FakeOpenAI, Reply

from .conftest import EXAMPLE, ROOT, TEST_KEY
from .test_progress import _env, _run_on_pty

RECORDINGS = ROOT / "fixtures" / "local-qwen2.5-coder-1.5b"
KINDS = {"speaker", "targets", "accusation", "summary"}

# One answer that fits every focused question's response model (each reads its own fields).
ANY_QUESTION: dict[str, Any] = {
    "speaker": "none",
    "targets": [],
    "accusation": False,
    "accuser": "none",
    "accused": "none",
    "summary": [{"text": "Iran was sanctioned.", "support": ["S1"]}],
}


def is_question(body: dict[str, Any]) -> bool:
    """A focused question's request (not the summary of a long article's parts, nor its re-asks)."""
    return str(body["messages"][0]["content"]).startswith("You answer one question")


def questions(events: list[progress.Event]) -> list[progress.Event]:
    return [e for e in events if e.stage == "question"]


def check_sequence(events: list[progress.Event], requests: int) -> None:
    """One event per question sent, numbered 1..N of N, each naming its kind."""
    asked = questions(events)
    assert len(asked) == requests, f"{len(asked)} question events for {requests} requests"
    assert [e.done for e in asked] == list(range(1, requests + 1))
    assert {e.total for e in asked} == {requests}, "the total was not counted up front"
    for e in asked:
        kind = e.message.rsplit("(", 1)[-1].rstrip(")")
        assert kind in KINDS, e.message
        assert e.message == f"question {e.done} of {requests} ({kind})"
    assert asked[-1].message.endswith("(summary)")


def test_a_replayed_local_run_tells_each_question_of_the_article() -> None:
    """The recorded embedded-model run of the example article: 10 questions, one request each (no
    speaker question: the words beside each of its quotations name the speaker)."""
    events: list[progress.Event] = []
    with Summarizer(backend="local", replay_dir=RECORDINGS) as s, progress.listening(events.append):
        result = s.summarize(EXAMPLE)
    check_sequence(events, result.provenance.attempts)
    assert result.provenance.attempts == count_questions(EXAMPLE.read_text("utf-8"))
    assert "question 3 of 10 (accusation)" in [e.message for e in events]

    async def arun() -> Any:
        got: list[progress.Event] = []
        async with Summarizer(backend="local", replay_dir=RECORDINGS) as s:
            with progress.listening(got.append):
                r = await s.asummarize(EXAMPLE)
        return got, r

    got, again = asyncio.run(arun())
    check_sequence(got, again.provenance.attempts)


def test_without_a_listener_nothing_is_counted_or_told() -> None:
    """No listener: no event and no dry run of the plan (the same requests, nothing else)."""
    with Summarizer(backend="local", replay_dir=RECORDINGS) as s:
        result = s.summarize(EXAMPLE)
    assert result.provenance.attempts == 10
    assert not progress.active()


def test_a_long_article_counts_the_questions_of_all_its_parts(fake: FakeOpenAI) -> None:
    """Chunks are asked concurrently (threads, or tasks): one count over the whole article."""
    fake.default = Reply(payload=ANY_QUESTION)
    text = EXAMPLE.read_text("utf-8")
    long = "\n\n".join([text] * 3)
    opts: dict[str, Any] = {"base_url": fake.url, "api_key": TEST_KEY, "strategy": "focused",
                            "chunk_tokens": 700}
    events: list[progress.Event] = []
    with Summarizer(**opts) as s, progress.listening(events.append):
        result = s.summarize(long)
    parts = result.provenance.chunks or 1
    assert parts > 1, "the article was not split: the test would not test chunks"
    asked = questions(events)
    sent = sum(1 for r in fake.requests if r.path.endswith("/chat/completions") and is_question(r.json))
    assert len(asked) == sent
    assert sorted(e.done for e in asked) == list(range(1, sent + 1))  # no number twice, none skipped
    assert {e.total for e in asked} == {sent}

    async def arun() -> list[progress.Event]:
        got: list[progress.Event] = []
        async with Summarizer(**opts) as s:
            with progress.listening(got.append):
                await s.asummarize(long)
        return got

    async_asked = questions(asyncio.run(arun()))
    assert sorted(e.done for e in async_asked) == list(range(1, sent + 1))
    assert {e.total for e in async_asked} == {sent}


def test_the_status_line_reads_the_question_with_the_models_own_progress() -> None:
    from summarizer.progress import Event

    line = Activity("qwen2.5-coder-1.5b: starting", "qwen2.5-coder-1.5b")
    line(Event("model", "loading qwen2.5-coder-1.5b-instruct-q4_k_m (1,117 MB)"))
    assert line.line() == "loading qwen2.5-coder-1.5b-instruct-q4_k_m (1,117 MB)"
    line(Event("question", "question 5 of 10 (accusation)", 5, 10))
    assert line.line() == "qwen2.5-coder-1.5b: question 5 of 10 (accusation)"
    line(Event("prompt", "reading the prompt (312 tokens)", 0, 312))
    assert line.line() == "qwen2.5-coder-1.5b: question 5 of 10 (accusation): reading the prompt (312 tokens)"
    line(Event("generate", "generating", 7))
    assert line.line().startswith("qwen2.5-coder-1.5b: question 5 of 10 (accusation): generating, 7 tokens")
    line(Event("question", "question 6 of 14 (speaker)", 6, 14))
    assert line.line() == "qwen2.5-coder-1.5b: question 6 of 14 (speaker)"


def test_the_batch_bar_shows_only_articles_that_report_work() -> None:
    from summarizer.progress import emit

    bar = Bar(True, 3)
    with bar.article("quiet.txt"):
        assert bar.article_lines() == []  # a hosted single call reports nothing: no line
        with bar.article("news/iran\x1b[31m.txt"):
            emit("question", "question 2 of 9 (targets)", 2, 9)
            [line] = bar.article_lines()
            assert line.startswith("  news/iran") and "\x1b" not in line  # control characters made inert
            assert line.endswith(")") and ": question 2 of 9 (targets)  (0:0" in line, line
        assert bar.article_lines() == []  # finished: its line is gone


# --------------------------------------------------------------------------- on a terminal


def slow_questions(fake: FakeOpenAI) -> None:
    fake.default = Reply(payload=ANY_QUESTION, delay=0.4)


def test_summarize_shows_question_n_of_m_on_its_status_line(fake: FakeOpenAI, tmp_path: Path) -> None:
    slow_questions(fake)
    env = _env(tmp_path, OPENAI_API_KEY=TEST_KEY, OPENAI_BASE_URL=fake.url)
    cmd = [sys.executable, "-m", "summarizer", "summarize", str(EXAMPLE), "--strategy", "focused", "--no-cache"]
    code, out, terminal = _run_on_pty(cmd, env)
    assert code == 0, terminal
    assert '"summary"' in out
    assert "gpt-4o-mini at 127.0.0.1: question 3 of 10 (accusation)" in terminal, terminal[-2000:]
    assert "of 10 (summary)" in terminal
    piped = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert piped.returncode == 0 and piped.stderr == ""  # a pipe gets nothing


def test_batch_shows_the_article_in_progress_and_its_question(fake: FakeOpenAI, tmp_path: Path) -> None:
    slow_questions(fake)
    news = tmp_path / "news"
    news.mkdir()
    (news / "iran.txt").write_text(EXAMPLE.read_text("utf-8"), "utf-8")
    env = _env(tmp_path, OPENAI_API_KEY=TEST_KEY, OPENAI_BASE_URL=fake.url)
    cmd = [sys.executable, "-m", "summarizer", "batch", str(news), "-o", str(tmp_path / "out.jsonl"),
           "--strategy", "focused", "--no-cache", "--concurrency", "1"]
    code, _, terminal = _run_on_pty(cmd, env)
    assert code == 0, terminal
    assert "batch" in terminal and "0/1" in terminal
    assert "iran.txt: question 4 of 10 (accusation)" in terminal, terminal[-2000:]
    assert "done 1, failed 0" in terminal
