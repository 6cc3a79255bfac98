"""What `batch DIR` takes from a folder (articles, not its README), `--glob`, the one note on
what was left out, and a final tally that names the articles that failed.

Through the real stack (typer -> batch -> Summarizer -> pipeline -> openai -> the loopback fake
server), as `tests/test_batch.py`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from summarizer.batch import EXIT_SOME_FAILED, Choose, expand_inputs
from summarizer.cli import app
from summarizer.errors import ConfigError, InputError
from tests.fakes import FakeOpenAI, Reply

from .conftest import TEST_KEY
from .test_batch import PAYLOAD, article


def answer(body: dict[str, Any]) -> Reply:
    if "POISON-400" in json.dumps(body.get("messages")):
        return Reply(status=400)  # the provider rejects this article for good (exit 6)
    return Reply(payload=PAYLOAD)


@pytest.fixture
def server() -> Any:
    with FakeOpenAI(default=answer) as fake:
        yield fake


def cli(fake: FakeOpenAI, *args: str) -> Any:
    return CliRunner().invoke(app, ["batch", *args, "--base-url", fake.url, "--no-log", "--no-cache"],
                              env={"OPENAI_API_KEY": TEST_KEY})


def chat_requests(fake: FakeOpenAI) -> int:
    return sum(1 for r in fake.requests if r.path.endswith("/chat/completions"))


def ids(out: Path) -> list[Any]:
    return [json.loads(line)["id"] for line in out.read_text("utf-8").splitlines()]


def notes(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("summarizer: note: ")]


def folder(root: Path) -> Path:
    """A folder as people keep them: articles, project files, notes, a render of an earlier run."""
    files = {
        "a.txt": article("a"),
        "b.HTML": f"<html><body><article><p>{article('b') * 3}</p></article></body></html>",
        "sub/c.htm": f"<html><body><article><p>{article('c') * 3}</p></article></body></html>",
        "README.md": "# My articles\n\nAll of them " + article("readme"),
        "LICENSE": "MIT License " + article("licence"),
        "CHANGELOG.md": "## 1.0 " + article("changes"),
        "sub/CONTRIBUTING.txt": "Send articles. " + article("contrib"),
        "notes.md": article("notes"),
        "data.csv": "a,b\n",
        "review/index.html": "<html><body>an earlier render " + article("render") + "</body></html>",
        "review/.summarizer-render.json": json.dumps({"generator": "summarizer render", "files": ["index.html"]}),
        ".hidden.txt": article("hidden"),
    }
    for name, text in files.items():
        path = root / "news" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    return root / "news"


def test_a_folder_gives_its_articles_and_one_note_on_what_it_left_out(server: FakeOpenAI, tmp_path: Path) -> None:
    news = folder(tmp_path)
    out = news / "out.jsonl"  # the output beside the articles is never an input either
    res = cli(server, str(news), "-o", str(out))
    assert res.exit_code == 0, res.stderr
    assert sorted(ids(out)) == ["a.txt", "b.HTML", "sub/c.htm"]  # ids relative to the folder given
    sent = " ".join(json.dumps(r.json) for r in server.requests if r.path.endswith("/chat/completions"))
    for name in ("readme", "licence", "changes", "contrib", "notes", "render", "hidden"):
        assert f"Article {name}." not in sent, f"the {name} file reached the model"
    for name in ("a", "b", "c"):
        assert f"Article {name}." in sent
    [note] = notes(res.stderr)  # one line, however many reasons
    assert f"{news}: skipped 6 file(s)" in note, note
    assert "4 not articles (CHANGELOG.md, LICENSE, README.md, ... 1 more)" in note, note
    assert "2 not *.txt/*.html/*.htm (1 *.csv, 1 *.md; --glob '*.md' takes Markdown)" in note, note
    assert "1 summarizer render output(s) (review/)" in note, note


def test_glob_chooses_the_files_of_a_folder_but_never_its_readme(server: FakeOpenAI, tmp_path: Path) -> None:
    news = folder(tmp_path)
    out = tmp_path / "out.jsonl"
    res = cli(server, str(news), "-o", str(out), "--glob", "*.MD", "--glob", "a.*")
    assert res.exit_code == 0, res.stderr
    assert sorted(ids(out)) == ["a.txt", "notes.md"]  # case-insensitive; README.md still out
    [note] = notes(res.stderr)
    assert "not matching --glob" in note and "--glob '*.md' takes" not in note, note
    # a file named as INPUT is taken whatever it is called: the user asked for it
    res = cli(server, str(news / "README.md"), "-o", str(tmp_path / "readme.jsonl"))
    assert res.exit_code == 0, res.stderr
    assert ids(tmp_path / "readme.jsonl") == ["README.md"], "a file named as INPUT is taken"
    assert notes(res.stderr) == []


def test_a_bad_glob_is_refused_before_anything_runs(server: FakeOpenAI, tmp_path: Path) -> None:
    news = folder(tmp_path)
    for pattern in ("sub/*.txt", " "):
        res = cli(server, str(news), "-o", str(tmp_path / "out.jsonl"), "--glob", pattern)
        assert res.exit_code == ConfigError.exit_code, res.stderr
        assert res.stderr.count("\n") == 1 and "--glob" in res.stderr, res.stderr
    assert chat_requests(server) == 0 and not (tmp_path / "out.jsonl").exists()


def test_a_folder_of_markdown_only_says_how_to_take_it(tmp_path: Path) -> None:
    (tmp_path / "md").mkdir()
    (tmp_path / "md" / "one.md").write_text(article(1), "utf-8")
    said: list[str] = []
    [(rid, load)] = list(expand_inputs([str(tmp_path / "md")], choose=Choose(note=said.append)))
    with pytest.raises(InputError, match=r"holds no article files \(\*\.txt, \*\.html, \*\.htm\)") as info:
        load()
    assert "--glob" in info.value.one_line()
    assert len(said) == 1 and "1 *.md; --glob '*.md' takes Markdown" in said[0]
    # a render output passed as the folder itself is never summarized
    (tmp_path / "md" / ".summarizer-render.json").write_text("{}", "utf-8")
    [(rid, load)] = list(expand_inputs([str(tmp_path / "md")], choose=Choose(["*.md"], note=said.append)))
    with pytest.raises(InputError, match="holds no article files"):
        load()
    assert said[-1] == f"{tmp_path / 'md'}: skipped 1 summarizer render output(s) ({tmp_path / 'md'}); " \
                       "name a file as INPUT to take it anyway"


def test_the_tally_names_each_failed_article(server: FakeOpenAI, tmp_path: Path) -> None:
    news = tmp_path / "in"
    news.mkdir()
    for i in range(4):
        (news / f"{i}.txt").write_text(article(i), "utf-8")
    (news / "2.txt").write_text("POISON-400 " + article(2), "utf-8")
    out = tmp_path / "out.jsonl"
    res = cli(server, str(news), "-o", str(out))
    assert res.exit_code == EXIT_SOME_FAILED
    lines = res.stderr.splitlines()
    assert lines[-2].startswith("summarizer: done 3, failed 1, skipped 0"), res.stderr
    assert lines[-1].startswith("summarizer: failed 1: 2.txt (exit 6: "), res.stderr
    # kept as they were with --skip-failed: named too, since the exit code still says "not all ok"
    res = cli(server, str(news), "-o", str(out), "--skip-failed")
    assert res.exit_code == EXIT_SOME_FAILED
    assert res.stderr.splitlines()[-1] == (
        f"summarizer: kept 1 earlier failure(s) as they were (--skip-failed): 2.txt; see {out}"
    )


def test_many_failures_name_the_first_few_and_point_to_the_output(server: FakeOpenAI, tmp_path: Path) -> None:
    news = tmp_path / "in"
    news.mkdir()
    for i in range(6):
        (news / f"{i}.txt").write_text(("POISON-400 " if i else "") + article(i), "utf-8")
    (news / "7.txt").write_text("", "utf-8")  # empty: an input error, exit 3
    out = tmp_path / "out.jsonl"
    res = cli(server, str(news), "-o", str(out), "--concurrency", "1")
    assert res.exit_code == EXIT_SOME_FAILED
    last = res.stderr.splitlines()[-1]
    assert last.startswith("summarizer: failed 6: "), last
    assert last.count("(exit 6: ") == 3, last  # the first three, in the order they failed
    assert last.endswith(f"; and 3 more: see {out}"), last
    assert len(last) < 700, "each message is cut short in the tally"
