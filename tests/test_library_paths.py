"""The library takes a file as a `Path` and never summarizes a path (or a URL) as if it were
the article's text.

Through the real stack: openai + instructor to the loopback fake server; a refused input must
reach no server at all.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest

from summarizer import Article, InputError, Summarizer, asummarize, summarize, summarize_many
from tests.fakes import FakeOpenAI, Reply

from .conftest import EXAMPLE, TEST_KEY, example_payload, payload, sent_article


def options(fake: FakeOpenAI) -> dict[str, Any]:
    return {"base_url": fake.url, "api_key": TEST_KEY}


def chat_requests(fake: FakeOpenAI) -> int:
    return sum(1 for r in fake.requests if r.path.endswith("/chat/completions"))


def test_a_path_is_read_like_the_cli_reads_the_file(fake: FakeOpenAI, tmp_path: Path) -> None:
    fake.default = Reply(payload=example_payload())
    copy = tmp_path / "article.txt"
    copy.write_bytes(EXAMPLE.read_bytes().replace(b"\n", b"\r\n"))  # read as the CLI reads: "\n"
    result = summarize(copy, **options(fake))
    text = EXAMPLE.read_text("utf-8")
    assert result.provenance.source == str(copy)
    assert "ballistic missiles" in sent_article(fake.requests[0].json)  # the file's text went out, not its name
    assert str(copy) not in sent_article(fake.requests[0].json)
    assert result.quotes, "the example article's quotes were not found: was the path summarized?"
    result.check_offsets(text)
    renamed = asyncio.run(asummarize(copy, source="iran", **options(fake)))
    assert renamed.provenance.source == "iran"


def test_a_str_naming_an_existing_file_is_refused_before_any_request(fake: FakeOpenAI, tmp_path: Path) -> None:
    fake.default = Reply(payload=payload())
    with Summarizer(**options(fake)) as s, pytest.raises(InputError) as info:
        s.summarize(str(EXAMPLE))
    line = info.value.one_line()
    assert "is the name of an existing file" in line, line
    assert "Path(" in line and "read_article(" in line, line
    assert "\n" not in line
    spaced = tmp_path / "My Articles" / "iran story.txt"  # spaces do not make a file name text
    spaced.parent.mkdir()
    spaced.write_text("Iran was sanctioned.", "utf-8")
    with pytest.raises(InputError, match="existing file"):
        summarize(str(spaced), **options(fake))
    with pytest.raises(InputError, match="existing file"):
        summarize(str(tmp_path), **options(fake))  # a directory too
    assert chat_requests(fake) == 0


@pytest.mark.parametrize(
    "text",
    [
        "/path/to/article.txt",
        "  /data/news/articles/01_ofac.html\n",
        "article.txt",
        "~/News/iran story.html",
        "./story.md",
        "C:\\news\\iran.txt",
        "data/articles",
    ],
)
def test_a_short_path_shaped_str_is_refused(fake: FakeOpenAI, text: str) -> None:
    with pytest.raises(InputError) as info:
        summarize(text, **options(fake))
    line = info.value.one_line()
    assert "looks like a file path" in line, line
    assert "Path(" in line and "read_article(" in line and "fetch_url(" in line, line
    assert chat_requests(fake) == 0


def test_a_url_is_refused_naming_fetch_url(fake: FakeOpenAI) -> None:
    for url in ("https://example.org/news/iran-sanctions", "HTTP://example.org"):
        with pytest.raises(InputError) as info:
            summarize(url, **options(fake))
        assert "is a URL" in info.value.one_line() and "fetch_url(" in info.value.one_line()
    assert chat_requests(fake) == 0


@pytest.mark.parametrize(
    "text",
    [
        "Iran was sanctioned.",
        "U.S. imposes sanctions on Iran Air",
        "Sanctions/embargo talks resume in Vienna on Tuesday.",  # a slash in prose
        "The ministry said the report (report.txt) would follow.",  # a file name inside prose
        "Iran " * 80,  # long: text whatever it contains
        "Line one: /etc/passwd\nline two.",  # more than one line
    ],
)
def test_real_texts_are_still_summarized(fake: FakeOpenAI, text: str) -> None:
    fake.default = Reply(payload=payload())
    result = summarize(text, **options(fake))
    assert result.provenance.source == "<text>"
    assert chat_requests(fake) == 1
    assert text.strip().split()[0] in sent_article(fake.requests[0].json)


def test_an_article_keeps_a_path_shaped_str_as_text(fake: FakeOpenAI) -> None:
    fake.default = Reply(payload=payload())
    summarize(Article(text="/path/to/article.txt", source="odd"), **options(fake))
    assert "/path/to/article.txt" in sent_article(fake.requests[0].json)


def test_summarize_many_takes_paths_and_refuses_path_strs_per_item(fake: FakeOpenAI, tmp_path: Path) -> None:
    fake.default = Reply(payload=payload())
    one = tmp_path / "one.txt"
    one.write_text("The ministry said on Tuesday that talks would go on.", "utf-8")
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)  # would block a reader with no writer: refused, never opened for a read
    results = summarize_many(
        [one, ("p2", one), str(one), fifo, tmp_path / "missing.txt", "Talks would go on, the ministry said."],
        **options(fake),
    )
    assert [type(r).__name__ for r in results] == [
        "ArticleSummary", "ArticleSummary", "InputError", "InputError", "InputError", "ArticleSummary"
    ]
    assert results[0].provenance.source == str(one)  # type: ignore[union-attr]
    assert results[1].provenance.source == "p2"  # type: ignore[union-attr]
    assert "existing file" in results[2].one_line()  # type: ignore[union-attr]
    assert "FIFO" in results[3].one_line()  # type: ignore[union-attr]
    assert "no such file" in results[4].one_line()  # type: ignore[union-attr]
    assert chat_requests(fake) == 3


def test_a_long_single_line_naming_an_existing_file_is_refused_too(fake: FakeOpenAI, tmp_path: Path) -> None:
    deep = tmp_path
    while len(str(deep)) < 400:  # longer than any path shape is looked for
        deep = deep / ("a" * 50)
    deep.mkdir(parents=True)
    story = deep / "story.txt"
    story.write_text("Iran was sanctioned.", "utf-8")
    with pytest.raises(InputError, match="existing file"):
        summarize(str(story), **options(fake))
    assert chat_requests(fake) == 0
