"""The library client (issue 13) and the results cache in batch (issue 15).

Everything goes through the real openai + instructor clients to the loopback fake server
(or, where the test is about a caller's own HTTP client, to an `httpx2.MockTransport` that
answers the OpenAI protocol); nothing is patched.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import textwrap
import time
import zipfile
from dataclasses import fields
from pathlib import Path
from typing import Any

import httpx2
import pytest
from typer.testing import CliRunner

import summarizer
from summarizer import (
    Article,
    ArticleSummary,
    AuthError,
    ConfigError,
    InputError,
    ProviderError,
    Settings,
    Summarizer,
    SummarizerError,
    asummarize,
    read_article,
    summarize,
    summarize_many,
)
from summarizer.cli import app
from summarizer.transports.base import chat_completion
from tests.fakes import FakeOpenAI, Reply

from .conftest import EXAMPLE, ROOT, TEST_KEY, example_payload, payload, sent_article

PAGE = """<!doctype html><html><head><title>Port deal collapses</title></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> Subscribe now!</nav>
<article><h1>Port deal collapses</h1>
<p>The harbour authority said on Monday that talks with the shipping group had ended without an
agreement after three weeks of negotiation.</p>
<p>\u201cWe will not back down on safety,\u201d the authority\u2019s director told reporters outside
the terminal building in the afternoon.</p>
<p>The shipping group did not respond to requests for comment, and its shares fell sharply in
early trading on the exchange.</p>
</article><footer>Copyright 2026 Example News. All rights reserved.</footer></body></html>"""
PAGE_QUOTE = "We will not back down on safety,"


def page_answer() -> Reply:
    return Reply(payload=payload(quotes=[{"text": PAGE_QUOTE, "speaker": None}]))


def options(fake: FakeOpenAI) -> dict[str, Any]:
    return {"base_url": fake.url, "api_key": TEST_KEY}


def article(i: int) -> str:
    return f"Report number {i}: the ministry said on Tuesday that talks would go on."


def wait_until(check: Any, seconds: float = 3.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return check()


def mock_openai(calls: list[dict[str, Any]]) -> httpx2.MockTransport:
    """A caller's transport that answers chat completions like OpenAI (a payload with nothing
    in it), recording each request body."""

    def handler(request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        calls.append(body)
        answer = json.dumps(payload())
        return httpx2.Response(200, json=chat_completion(body, answer, model=body["model"], ident=str(len(calls)),
                                                         prompt_tokens=10, completion_tokens=5))

    return httpx2.MockTransport(handler)


# ------------------------------------------------------------------ one client, reused and closed
def test_one_summarizer_reuses_one_connection_and_with_closes_it(fake: FakeOpenAI) -> None:
    fake.default = Reply(payload=payload())
    with Summarizer(**options(fake)) as s:
        results = [s.summarize(article(i)) for i in range(3)]
        assert len(fake.requests) == 3
        assert fake.connections == 1  # one pool, one keep-alive connection for all three
        assert fake.open_connections == 1
    assert all(isinstance(r, ArticleSummary) for r in results)
    assert wait_until(lambda: fake.open_connections == 0)  # `with` closed it (s is still referenced)
    assert s is not None
    with pytest.raises(ConfigError, match="closed"):
        s.summarize(article(9))
    assert len(fake.requests) == 3


def test_async_with_reuses_and_closes(fake: FakeOpenAI) -> None:
    fake.default = Reply(payload=payload())

    async def main() -> Summarizer:
        async with Summarizer(**options(fake)) as s:
            for i in range(3):
                await s.asummarize(article(i))
            assert fake.connections == 1 and fake.open_connections == 1
        return s

    s = asyncio.run(main())
    assert len(fake.requests) == 3
    assert wait_until(lambda: fake.open_connections == 0)
    assert s is not None


def test_summarize_many_runs_on_one_pool_of_connections(fake: FakeOpenAI) -> None:
    fake.default = Reply(payload=payload(), delay=0.05)
    with Summarizer(**options(fake), concurrency=4) as s:
        out = s.summarize_many([article(i) for i in range(12)])
        assert all(isinstance(r, ArticleSummary) for r in out)
        assert len(fake.requests) == 12
        assert fake.connections <= 4  # at most one connection per worker, reused
    # the blocking call closes its async client when its event loop ends
    assert wait_until(lambda: fake.open_connections == 0)


# ------------------------------------------------------------------ the caller's http client
def test_a_callers_http_client_sends_the_requests_and_stays_open() -> None:
    calls: list[dict[str, Any]] = []
    client = httpx2.Client(transport=mock_openai(calls))
    with Summarizer(base_url="http://mock.invalid/v1", api_key=TEST_KEY, http_client=client) as s:
        r = s.summarize("The ministry said on Tuesday that talks would go on.")
        many = s.summarize_many(["Text one is here.", "Text two is here."])  # a sync client in async code
    assert len(calls) == 3 and calls[0]["model"] == "gpt-4o-mini"
    assert r.provenance.attempts == 1 and r.provenance.usage.total_tokens == 15  # our ledger still counts
    assert all(isinstance(x, ArticleSummary) for x in many)
    assert not client.is_closed  # ours to use, not ours to close
    client.close()


def test_a_callers_async_client_with_async_with() -> None:
    calls: list[dict[str, Any]] = []

    async def main() -> tuple[httpx2.AsyncClient, list[Any]]:
        client = httpx2.AsyncClient(transport=mock_openai(calls))
        async with Summarizer(base_url="http://mock.invalid/v1", api_key=TEST_KEY, http_client=client) as s:
            one = await s.asummarize("The ministry said on Tuesday that talks would go on.")
            many = await s.asummarize_many([("a", "Text one is here."), ("b", "Text two is here.")])
        return client, [one, *many]

    client, results = asyncio.run(main())
    assert len(calls) == 3 and all(isinstance(x, ArticleSummary) for x in results)
    assert not client.is_closed
    asyncio.run(client.aclose())


def test_a_callers_http_client_used_with_the_fake_server_counts_every_request(fake: FakeOpenAI) -> None:
    fake.default = Reply(payload=payload())
    seen: list[str] = []
    client = httpx2.Client(event_hooks={"request": [lambda request: seen.append(str(request.url))]})
    r = summarize(article(1), http_client=client, **options(fake))
    assert seen == [f"{fake.url}/chat/completions"] and len(fake.requests) == 1
    assert isinstance(r, ArticleSummary) and not client.is_closed
    client.close()


def test_http_client_misuse_is_refused_before_any_request(tmp_path: Path) -> None:
    calls: list[dict[str, Any]] = []
    async_client = httpx2.AsyncClient(transport=mock_openai(calls))
    with pytest.raises(ConfigError, match="AsyncClient"):
        with Summarizer(base_url="http://mock.invalid/v1", api_key=TEST_KEY, http_client=async_client) as s:
            s.summarize("The ministry said on Tuesday that talks would go on.")
    with pytest.raises(ConfigError, match="backend='rules'"):
        Summarizer(backend="rules", http_client=httpx2.Client(transport=mock_openai(calls)))
    with pytest.raises(ConfigError, match="httpx2"):
        Summarizer(base_url="http://mock.invalid/v1", http_client=object())  # type: ignore[arg-type]
    assert calls == []


# ------------------------------------------------------------------ parity with the CLI
def test_an_html_string_is_extracted_like_the_cli_extracts_a_page(fake: FakeOpenAI, tmp_path: Path) -> None:
    fake.script(page_answer(), page_answer())
    r = summarize(PAGE, **options(fake))
    sent = sent_article(fake.requests[0].json)
    assert "<p>" not in sent and "Subscribe now" not in sent and "harbour authority" in sent
    assert r.text is not None and "<" not in r.text  # the text the offsets index, carried
    (q,) = r.quotes
    assert r.text[q.start : q.end] == q.text == PAGE_QUOTE
    assert r.provenance.title == "Port deal collapses"
    # the CLI, on the same page saved as a file, extracts the same text and the same offsets
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    res = CliRunner().invoke(app, ["summarize", str(page), "--no-cache", "--no-log"],
                             env={"OPENAI_API_KEY": TEST_KEY, "OPENAI_BASE_URL": fake.url})
    assert res.exit_code == 0, res.output
    cli = json.loads(res.stdout)
    assert cli["text"] == r.text and (cli["quotes"][0]["start"], cli["quotes"][0]["end"]) == (q.start, q.end)


def test_plain_text_is_kept_exactly_and_an_article_forces_plain(fake: FakeOpenAI) -> None:
    fake.default = Reply(payload=payload())
    text = "Line one\r\nsays <body> is a tag.\r\n"  # CRLF kept; looks like HTML to the sniffer
    r = summarize(Article(text=text, source="notes"), **options(fake))
    assert r.text is None and r.provenance.source == "notes"
    assert "<body>" in sent_article(fake.requests[0].json)
    with pytest.raises(InputError, match="a str, a Path or an Article"):
        summarize(b"bytes are not text", **options(fake))  # type: ignore[arg-type]


def test_read_article_and_fetch_url_are_public(fake: FakeOpenAI, tmp_path: Path) -> None:
    from summarizer import fetch_url, inputs

    assert fetch_url is inputs.fetch_url  # `from summarizer.inputs import ...` keeps working too
    fake.default = page_answer()
    page = tmp_path / "saved.html"
    page.write_text(PAGE, encoding="utf-8")
    r = summarize(read_article(str(page)), **options(fake))
    assert r.provenance.source == str(page) and r.text is not None and r.quotes[0].text == PAGE_QUOTE


def test_cache_true_answers_the_second_call_without_a_request(fake: FakeOpenAI, example_text: str) -> None:
    fake.default = Reply(payload=example_payload())
    first = summarize(example_text, cache=True, **options(fake))
    second = summarize(example_text, cache=True, source="again", **options(fake))
    assert len(fake.requests) == 1
    assert not first.provenance.cached and second.provenance.cached
    assert second.provenance.source == "again"
    assert second.model_dump(exclude={"provenance"}) == first.model_dump(exclude={"provenance"})
    summarize(example_text, **options(fake))  # off by default in the library
    assert len(fake.requests) == 2


def test_the_library_and_the_cli_share_one_cache_key(fake: FakeOpenAI, example_text: str) -> None:
    fake.default = Reply(payload=example_payload())
    res = CliRunner().invoke(app, ["summarize", str(EXAMPLE), "--no-log"],
                             env={"OPENAI_API_KEY": TEST_KEY, "OPENAI_BASE_URL": fake.url})
    assert res.exit_code == 0, res.output
    assert len(fake.requests) == 1
    with Summarizer(**options(fake), cache=True) as s:
        hit = s.summarize(example_text)
    assert len(fake.requests) == 1 and hit.provenance.cached  # the CLI's entry, found by the library


def test_a_library_cache_hit_imports_neither_openai_nor_instructor(fake: FakeOpenAI, tmp_path: Path) -> None:
    fake.default = Reply(payload=payload())
    summarize(article(1), cache=True, **options(fake))
    code = textwrap.dedent(f"""
        import sys
        from summarizer import Summarizer
        with Summarizer(base_url={fake.url!r}, api_key="sk-x", cache=True) as s:
            r = s.summarize({article(1)!r})
        assert r.provenance.cached
        print(sorted(m for m in ("openai", "instructor") if m in sys.modules))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         env={"SUMMARIZER_CACHE_DIR": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
    assert len(fake.requests) == 1


# ------------------------------------------------------------------ many articles
def test_pairs_keep_their_ids_and_input_order(fake: FakeOpenAI) -> None:
    def model(body: dict[str, Any]) -> Reply:
        slow = "SLOW" in body["messages"][-1]["content"]
        return Reply(payload=payload(), delay=0.4 if slow else 0.0)

    fake.default = model
    items: list[Any] = [("first", "SLOW " + article(0)), (7, article(1)), article(2),
                        Article(text=article(3), source="art-3"), ("html", PAGE)]
    out = summarize_many(items, concurrency=5, **options(fake))
    assert [r.provenance.source for r in out if isinstance(r, ArticleSummary)] == [
        "first", "7", "<text 2>", "art-3", "html"
    ]
    assert out[4].text is not None and "<p>" not in out[4].text  # type: ignore[union-attr]


def test_one_failing_article_among_many_loses_none_of_the_others(fake: FakeOpenAI) -> None:
    def model(body: dict[str, Any]) -> Reply:
        return Reply(status=400) if "POISON" in body["messages"][-1]["content"] else Reply(payload=payload())

    fake.default = model
    items = [(f"id-{i}", article(i)) for i in range(6)]
    items[2] = ("id-2", "POISON " + article(2))
    items[4] = ("id-4", "   ")  # nothing to read: an input error, no request
    out = summarize_many(items, concurrency=3, **options(fake))
    kinds = [type(r).__name__ for r in out]
    assert kinds == ["ArticleSummary", "ArticleSummary", "ProviderError", "ArticleSummary", "InputError",
                     "ArticleSummary"]
    assert isinstance(out[2], ProviderError) and out[2].source == "id-2"
    assert isinstance(out[4], InputError) and out[4].source == "id-4"
    assert [r.provenance.source for r in out if isinstance(r, ArticleSummary)] == ["id-0", "id-1", "id-3", "id-5"]
    assert len(fake.requests) == 5


def test_a_refused_key_stops_the_rest_and_each_gets_its_own_id() -> None:
    with FakeOpenAI(default=Reply(status=401), latency=0.05) as fake:
        out = summarize_many([(f"n{i}", article(i)) for i in range(20)], concurrency=2, **options(fake))
        assert len(fake.requests) <= 2
    assert all(isinstance(r, AuthError) for r in out)
    assert [r.source for r in out if isinstance(r, SummarizerError)] == [f"n{i}" for i in range(20)]


# ------------------------------------------------------------------ batch and the results cache
def test_batch_fills_the_cache_reads_it_and_no_cache_calls_again(fake: FakeOpenAI, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(3):
        (docs / f"a{i}.txt").write_text(article(i), encoding="utf-8")
    fake.default = Reply(payload=payload())
    env = {"OPENAI_API_KEY": TEST_KEY, "OPENAI_BASE_URL": fake.url}

    def batch(out: str, *extra: str) -> dict[str, Any]:
        res = CliRunner().invoke(app, ["batch", str(docs), "-o", str(tmp_path / out), "--no-log", *extra], env=env)
        assert res.exit_code == 0, res.output
        lines = [json.loads(x) for x in (tmp_path / out).read_text().splitlines()]
        return {line["id"]: line for line in lines}

    first = batch("one.jsonl")
    assert len(fake.requests) == 3 and not any(r["result"]["provenance"]["cached"] for r in first.values())
    fake.default = Reply(status=500)  # the server now answers nothing useful
    second = batch("two.jsonl")
    assert len(fake.requests) == 3  # every article from the cache
    assert all(r["ok"] and r["result"]["provenance"]["cached"] for r in second.values())
    # each cached result names its own file (ids are relative to the folder, sources as given)
    assert {k: r["result"]["provenance"]["source"] for k, r in second.items()} == {k: str(docs / k) for k in second}
    fake.default = Reply(payload=payload())
    third = batch("three.jsonl", "--no-cache")
    assert len(fake.requests) == 6 and not any(r["result"]["provenance"]["cached"] for r in third.values())


# ------------------------------------------------------------------ types and exports
def test_options_name_every_settings_field() -> None:
    from summarizer.api import Options

    # key_origin is where a key found in the environment may go: `resolve` sets it, never a caller
    assert set(Options.__annotations__) == {f.name for f in fields(Settings) if f.init} - {"key_origin"}
    with pytest.raises(SummarizerError, match="temprature is not a setting"):
        Summarizer(backend="rules", temprature=0.5)  # type: ignore[call-arg]


def test_mypy_refuses_wrong_literal_values_in_callers_code(tmp_path: Path) -> None:
    good = tmp_path / "good.py"
    good.write_text(textwrap.dedent("""
        from summarizer import Summarizer, summarize, Backend, Settings
        backend: Backend = "rules"
        with Summarizer(backend=backend, mode="json", strategy="focused", cache=True) as s:
            r = s.summarize("text")
        summarize("text", backend="local", max_tokens=100)
        Settings(backend="openai", mode="tools")
    """))
    bad = tmp_path / "bad.py"
    bad.write_text(textwrap.dedent("""
        from summarizer import Summarizer, summarize, Settings
        Summarizer(backend="openia")
        summarize("text", mode="tool")
        Summarizer(max_tokens="many")
        Settings(strategy="fast")
    """))
    out = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-error-summary", "--cache-dir", str(ROOT / ".mypy_cache"),
         "--python-version", "3.11", str(good), str(bad)],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )
    errors = [line for line in out.stdout.splitlines() if ": error:" in line]
    assert not [e for e in errors if "good.py" in e], out.stdout
    bad_lines = {int(e.split(":")[1]) for e in errors if "bad.py" in e}
    assert bad_lines == {3, 4, 5, 6}, out.stdout


def test_import_summarizer_imports_neither_openai_nor_instructor() -> None:
    code = ("import sys, summarizer; from summarizer import Summarizer, Settings, Article, read_article; "
            "print(sorted(m for m in ('openai', 'instructor', 'httpx2') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_every_exported_name_resolves() -> None:
    for name in summarizer.__all__:
        assert getattr(summarizer, name) is not None, name
    assert summarizer.Summarizer is summarizer.api.Summarizer
    assert summarizer.asummarize is asummarize
    assert issubclass(summarizer.InputError, summarizer.errors.SummarizerError)


def test_the_wheel_ships_py_typed(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True, text=True, timeout=300,
    )
    assert out.returncode == 0, out.stderr
    (wheel,) = tmp_path.glob("summarizer-*.whl")
    assert "summarizer/py.typed" in zipfile.ZipFile(wheel).namelist()
