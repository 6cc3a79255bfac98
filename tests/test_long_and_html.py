"""Issue 6: long articles are chunked, extracted concurrently, merged and mapped back to the
full text; HTML pages are reduced to their article text, which the output then carries."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from summarizer import summarize
from summarizer.chunking import split
from summarizer.cli import app
from summarizer.grounding.sentences import without_sentence_ids
from summarizer.grounding.spans import quotation_spans
from tests.fakes import FakeOpenAI, Reply

from .conftest import SHARED, TEST_KEY

LONG = SHARED / "02_polygraph-al-tanf-rukban.txt"
HTML = SHARED / "05_nytimes-sudan-sanctions.html"


def chunk_text(body: dict[str, Any]) -> str:
    user = body["messages"][-1]["content"]
    m = re.search(r"(=+) BEGIN ARTICLE\n(.*)\n\1 END ARTICLE", user, re.S)
    assert m, user[:200]
    return without_sentence_ids(m.group(2))


def rule_model(body: dict[str, Any]) -> Reply:
    """A scripted 'model' that quotes every quotation it is shown, or answers the summary call."""
    if body["tools"][0]["function"]["name"] == "WholeSummary":
        return Reply(payload={"summary": [{"text": "The whole article, summarised once.", "support": ["P1"]}]})
    text = chunk_text(body)
    quotes = [{"text": text[a:b], "speaker": None} for a, b in quotation_spans(text)]
    return Reply(payload={"summary": [{"text": "A part of the article.", "support": ["S1"]}],
                          "allegations": [], "sanctions_targets": [], "quotes": quotes[:40]})


@pytest.mark.skipif(not LONG.exists(), reason="shared articles not present")
def test_long_article_is_chunked_merged_and_grounded_in_the_full_text() -> None:
    article = LONG.read_text("utf-8")
    chunks = split(article, 150)
    assert len(chunks) > 3
    with FakeOpenAI(default=rule_model) as fake:
        r = summarize(article, base_url=fake.url, api_key=TEST_KEY, chunk_tokens=150)
        sent = [chunk_text(q.json) for q in fake.requests if q.json["tools"][0]["function"]["name"] == "Extraction"]
    assert sorted(sent) == sorted(c.text for c in chunks)  # every chunk sent once, as is
    assert len(fake.requests) == len(chunks) + 1  # + the summary of summaries
    assert r.summary == "The whole article, summarised once."
    assert r.provenance.chunks == len(chunks) and r.provenance.attempts == len(chunks) + 1
    assert r.provenance.usage.total_tokens == 150 * (len(chunks) + 1)
    expected = {(a, b) for a, b in quotation_spans(article)}
    got = {(q.start, q.end) for q in r.quotes}
    assert got == expected  # offsets are full-text offsets, every quotation once
    r.check_offsets(article)


def test_short_article_is_one_call(fake: FakeOpenAI) -> None:
    fake.default = rule_model
    r = summarize("He said \u201cyes\u201d.", base_url=fake.url, api_key=TEST_KEY)
    assert len(fake.requests) == 1 and r.provenance.chunks == 1


@pytest.mark.skipif(not HTML.exists(), reason="shared articles not present")
def test_html_page_is_extracted_and_offsets_index_the_extracted_text(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(HTML.read_bytes())
    with FakeOpenAI(default=rule_model) as fake:
        res = CliRunner().invoke(app, ["summarize", str(page), "--no-cache"],
                                 env={"OPENAI_API_KEY": TEST_KEY, "OPENAI_BASE_URL": fake.url})
        sent = chunk_text(fake.requests[0].json)
    assert res.exit_code == 0, res.stderr
    out = json.loads(res.stdout)
    text = out["text"]
    assert text and text == sent and "<div" not in text and "Subscribe" not in text
    assert out["provenance"]["title"] and "Sudan" in out["provenance"]["title"]
    assert out["quotes"]
    for q in out["quotes"]:
        assert text[q["start"] : q["end"]] == q["text"]


def test_url_is_fetched_from_a_local_server(tmp_path: Path) -> None:
    import http.server
    import threading

    body = ("<html><head><title>Minister quits</title></head><body><nav>Home | World | Subscribe</nav>"
            "<article><h1>Minister quits</h1><p>The minister resigned on Monday after weeks of pressure "
            "from his own party, officials said.</p><p>\u201cI have done my duty,\u201d he told reporters "
            "outside the ministry in the capital.</p></article></body></html>").encode()

    class H(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            self.send_response(200)
            self.send_header("content-type", "text/html; charset=utf-8")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a: Any) -> None:
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        with FakeOpenAI(default=rule_model) as fake:
            res = CliRunner().invoke(app, ["summarize", "--url", f"http://127.0.0.1:{srv.server_port}/a", "--no-cache"],
                                     env={"OPENAI_API_KEY": TEST_KEY, "OPENAI_BASE_URL": fake.url})
    finally:
        srv.shutdown()
    assert res.exit_code == 0, res.stderr
    out = json.loads(res.stdout)
    assert [q["text"] for q in out["quotes"]] == ["I have done my duty,"]
    assert "Subscribe" not in out["text"]


@pytest.mark.skipif(not LONG.exists(), reason="shared articles not present")
def test_async_path_chunks_the_same_way() -> None:
    import asyncio

    from summarizer import asummarize

    article = LONG.read_text("utf-8")
    with FakeOpenAI(default=rule_model) as fake:
        sync = summarize(article, base_url=fake.url, api_key=TEST_KEY, chunk_tokens=150)
        n = len(fake.requests)
        asy = asyncio.run(asummarize(article, base_url=fake.url, api_key=TEST_KEY, chunk_tokens=150))
        assert len(fake.requests) == 2 * n
    assert asy.model_dump(exclude={"provenance"}) == sync.model_dump(exclude={"provenance"})
    assert asy.provenance.chunks == sync.provenance.chunks > 3
    assert asy.provenance.attempts == sync.provenance.attempts == n
