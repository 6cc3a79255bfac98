"""Batch ids people can read, and resume across the change of ids.

Ids of files are paths relative to the folder the arguments share, so a batch of an absolute
folder gives `01_story.txt`, not `/data/news/01_story.txt`. Output files written by older
versions (ids = the paths as given) must still resume: a rerun never redoes a finished article,
and never skips one because another folder's article had the same relative id. Every run here is
a real `summarizer batch` through the CLI with the rules backend (no model, no network).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from summarizer.batch import expand_inputs
from summarizer.batch.expand import ids_base
from summarizer.cli import app

from .conftest import EXAMPLE

runner = CliRunner()
ARTICLE = EXAMPLE.read_text("utf-8")
ENV: dict[str, str | None] = {"OPENAI_API_KEY": None, "SUMMARIZER_REPLAY": None, "SUMMARIZER_RECORD": None,
                              "SUMMARIZER_BACKEND": None, "SUMMARIZER_MODEL": None}


def folder(root: Path, name: str, files: list[str]) -> Path:
    d = root / name
    d.mkdir(parents=True)
    for i, f in enumerate(files):
        (d / f).write_text(f"Headline {name} {f}\n\n" + ARTICLE + f"\n\nVariant {name}/{i}.\n", "utf-8")
    return d


def batch(tmp_path: Path, *args: str | Path) -> tuple[dict[str, Any], str]:
    """Run `summarizer batch ARGS --backend rules`; the output's lines by id, and stderr."""
    out = tmp_path / "out.jsonl"
    res = runner.invoke(app, ["batch", *map(str, args), "-o", str(out), "--backend", "rules"],
                        env={**ENV, "SUMMARIZER_CACHE_DIR": str(tmp_path / "cache")})
    assert res.exit_code in (0, 12), res.stderr
    lines = [json.loads(x) for x in out.read_text("utf-8").splitlines() if x.strip()]
    return {line["id"]: line for line in lines}, res.stderr


def tally(stderr: str) -> tuple[int, int, int]:
    m = re.search(r"done (\d+), failed (\d+), skipped (\d+)", stderr)
    assert m is not None, stderr
    return int(m.group(1)), int(m.group(2)), int(m.group(3))


def test_ids_are_relative_to_what_was_passed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    news = folder(tmp_path / "data", "news", ["01_ofac-iran-khedri-network.txt", "02_b.txt"])
    (news / "sub").mkdir()
    (news / "sub" / "03_c.txt").write_text(ARTICLE, "utf-8")
    monkeypatch.chdir(tmp_path)

    def ids(*args: str) -> list[str | int]:
        return [rid for rid, _ in expand_inputs(list(args))]

    # one absolute folder: ids relative to it, whole file names (never cut to ".tx")
    assert ids(str(news) + "/") == ["01_ofac-iran-khedri-network.txt", "02_b.txt", "sub/03_c.txt"]
    # files the shell expanded from a glob: their shared folder
    assert ids(str(news / "01_ofac-iran-khedri-network.txt"), str(news / "02_b.txt")) == [
        "01_ofac-iran-khedri-network.txt", "02_b.txt"]
    assert ids(str(news / "sub" / "03_c.txt")) == ["03_c.txt"]
    # a glob we expand: relative to its literal folders
    assert ids(str(news) + "/0[1]*.txt") == ["01_ofac-iran-khedri-network.txt"]
    # two folders: each keeps its name, so equal file names stay distinct ids
    other = folder(tmp_path / "data", "other", ["01_ofac-iran-khedri-network.txt"])
    assert ids(str(news), str(other)) == ["news/01_ofac-iran-khedri-network.txt", "news/02_b.txt",
                                         "news/sub/03_c.txt", "other/01_ofac-iran-khedri-network.txt"]
    assert ids_base(["-", "missing.txt", "recs.jsonl"]) is None  # nothing that gives file ids
    # the loader keeps the path as given: it is the article's source
    [(rid, load)] = list(expand_inputs(["data/news/02_b.txt"]))
    assert rid == "02_b.txt" and load().source == "data/news/02_b.txt"


def test_a_rerun_over_an_output_with_the_old_ids_redoes_nothing(tmp_path: Path) -> None:
    news = folder(tmp_path, "news", ["01_a.txt", "02_b.txt", "03_c.txt"])
    lines, err = batch(tmp_path, news)
    assert sorted(lines) == ["01_a.txt", "02_b.txt", "03_c.txt"] and tally(err) == (3, 0, 0)

    # What an older version wrote: the path as given as the id, one finished, one failed, one missing.
    out = tmp_path / "out.jsonl"
    old = [dict(lines["01_a.txt"], id=str(news / "01_a.txt")),
           {"id": str(news / "02_b.txt"), "ok": False, "error": {"type": "provider", "message": "HTTP 500"}}]
    out.write_text("".join(json.dumps(x) + "\n" for x in old), "utf-8")
    lines, err = batch(tmp_path, news)
    assert tally(err) == (2, 0, 1)  # 01 skipped (finished under its old id); 02 retried, 03 new
    assert sorted(lines) == sorted([str(news / "01_a.txt"), str(news / "02_b.txt"), "03_c.txt"])
    assert all(line["ok"] for line in lines.values())  # the old failed line was replaced, not doubled
    lines, err = batch(tmp_path, news)
    assert tally(err) == (0, 0, 3)  # and a third run has nothing to do


def test_adding_a_folder_keeps_the_finished_ones(tmp_path: Path) -> None:
    monday = folder(tmp_path, "monday", ["01.txt", "02.txt"])
    tuesday = folder(tmp_path, "tuesday", ["01.txt"])
    lines, err = batch(tmp_path, monday)
    assert sorted(lines) == ["01.txt", "02.txt"]
    lines, err = batch(tmp_path, monday, tuesday)  # the shared folder is now tmp_path
    assert tally(err) == (1, 0, 2)
    assert sorted(lines) == ["01.txt", "02.txt", "tuesday/01.txt"]
    assert lines["tuesday/01.txt"]["result"]["provenance"]["source"] == str(tuesday / "01.txt")


def test_the_same_file_names_in_another_folder_are_not_taken_as_done(tmp_path: Path) -> None:
    monday = folder(tmp_path, "monday", ["01.txt"])
    tuesday = folder(tmp_path, "tuesday", ["01.txt"])
    batch(tmp_path, monday)
    lines, err = batch(tmp_path, tuesday)  # also "01.txt" relative to its folder: another article
    assert tally(err) == (1, 0, 0)
    assert lines["01.txt"]["result"]["provenance"]["source"] == str(monday / "01.txt")
    assert lines[str(tuesday / "01.txt")]["result"]["provenance"]["source"] == str(tuesday / "01.txt")
