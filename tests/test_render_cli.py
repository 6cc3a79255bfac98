"""`summarizer render` end to end, on a JSONL written by a real `summarizer batch` run.

The batch runs through the whole stack (typer -> batch -> pipeline -> instructor -> openai ->
transports) against the loopback fake server; its inputs are the example article as a file and
as JSONL records with hostile ids (slashes, `..`, control characters, very long, equal after
cleaning, 42 and "42"), one article the provider refuses (a failed line) and one whose answer
carries hostile model text (markup, control characters, formula cells). The render output is
then read back: pages parsed, CSV through the csv module, JSON Lines through json.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from summarizer.cli import app
from summarizer.render.dest import MANIFEST, page_name
from summarizer.render.export import COLUMNS, neutralise
from tests.fakes import FakeOpenAI, Reply

from .conftest import EXAMPLE, TEST_KEY, example_payload
from .test_render import parse

runner = CliRunner()
ARTICLE = EXAMPLE.read_text("utf-8")
HOSTILE_QUOTE = '=HYPERLINK("http://evil.example","x") <script>alert(1)</script>'
HOSTILE_TEXT = ARTICLE + f"\n\n\u201c{HOSTILE_QUOTE}\u201d, Antony Blinken said. HOSTILE\n"
HOSTILE_CLAIMS = [
    '=HYPERLINK("http://evil.example","click")',
    "+1+2 is a formula too",
    "-3 <img src=x onerror=alert(1)> \x1b[2J\x07 | pipe",
    "@SUM(A1)\r\nnext line",
]
IDS: list[str | int] = [
    "../../etc/passwd", "a/b\\c:d*e?f", "\x1b[31mred\x07\u202eevil", "x" * 300, "same?id", "same/id",
    42, "42", "CON", ".hidden", "\u00dcn\u00efcode \u6771\u4eac",
]
# Only the process environment the tests control (the developer's shell may set any of these).
ENV: dict[str, str | None] = {
    "OPENAI_API_KEY": TEST_KEY, "OPENAI_BASE_URL": None, "SUMMARIZER_MODEL": None, "SUMMARIZER_BACKEND": None,
    "SUMMARIZER_REPLAY": None, "SUMMARIZER_RECORD": None, "HTTP_PROXY": None, "HTTPS_PROXY": None,
    "http_proxy": None, "https_proxy": None, "ALL_PROXY": None, "all_proxy": None,
}


def answer(body: dict[str, Any]) -> Reply:
    article = json.dumps(body.get("messages"))
    if "POISON" in article:
        return Reply(status=400)  # this article only: refused for good, a failed line
    if "HOSTILE" in article:
        hostile = [{"claim": c, "alleged_by": "Antony Blinken and David Lammy", "against": "Iran", "status": "alleged",
                    "hedge": None, "evidence": s} for c, s in zip(HOSTILE_CLAIMS, ("S3", "S6", "S7", "S9"), strict=True)]
        quotes = example_payload()["quotes"] + [{"text": HOSTILE_QUOTE, "speaker": "Antony Blinken"}]
        return Reply(payload=example_payload(allegations=hostile, quotes=quotes))
    return Reply(payload=example_payload())


@pytest.fixture(scope="module")
def batch_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real batch output: the example file, hostile-id records, one failure, one hostile answer."""
    root = tmp_path_factory.mktemp("batch")
    (root / "in").mkdir()
    (root / "in" / "iran.txt").write_text(ARTICLE, "utf-8")
    records = [{"id": rid, "text": ARTICLE} for rid in IDS]
    records += [{"id": "poison", "text": ARTICLE + "\n\nPOISON\n"}, {"id": "hostile", "text": HOSTILE_TEXT}]
    (root / "in" / "records.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    out = root / "out.jsonl"
    cwd = os.getcwd()
    os.chdir(root)  # batch ids and sources are paths as given, relative to where it ran
    try:
        with FakeOpenAI(default=answer) as fake:
            res = runner.invoke(
                app, ["batch", "in/iran.txt", "in/records.jsonl", "-o", str(out), "--base-url", fake.url, "-c", "4"],
                env={**ENV, "SUMMARIZER_CACHE_DIR": str(root / "cache")}, catch_exceptions=False,
            )
    finally:
        os.chdir(cwd)
    assert res.exit_code == 12, res.stderr  # 12: one input failed (poison)
    return out


@pytest.fixture(autouse=True)
def _in_batch_dir(batch_out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(batch_out.parent)


def render(*args: str | Path) -> Any:
    return runner.invoke(app, ["render", *map(str, args)], env=ENV)


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------- the batch itself


def test_the_batch_output_is_what_the_tests_expect(batch_out: Path) -> None:
    got = {line["id"]: line["ok"] for line in lines(batch_out)}
    assert set(got) == {"iran.txt", "poison", "hostile", *IDS}  # a file's id: relative to its folder
    assert [rid for rid, ok in got.items() if not ok] == ["poison"]
    hostile = next(line for line in lines(batch_out) if line["id"] == "hostile")["result"]
    assert [a["claim"] for a in hostile["allegations"]] == HOSTILE_CLAIMS
    assert HOSTILE_QUOTE in [q["text"] for q in hostile["quotes"]]
    assert all(line["result"]["text"] is None for line in lines(batch_out) if line["ok"])  # text input: no text


# --------------------------------------------------------------------------- html


CORPUS = {"parties.html", "parties-0001.html", "allegations.html", "allegations-0001.html"}


def data_rows(page: str, ident: str) -> list[list[Any]]:
    """The rows of a data table page: its JSON data block, which must not be able to end early."""
    m = re.search(rf'<script type="application/json" id="{ident}-rows">(.*?)</script>', page, re.S)
    assert m is not None, ident
    assert "<" not in m.group(1) and ">" not in m.group(1) and "&" not in m.group(1)  # all escaped
    return json.loads(m.group(1))  # type: ignore[no-any-return]


def test_html_pages_and_index(batch_out: Path, tmp_path: Path) -> None:
    before = digest(batch_out)
    dest = tmp_path / "site"
    res = render(batch_out, "-o", dest)
    assert res.exit_code == 0, res.stderr
    assert digest(batch_out) == before  # the input is only read
    assert "rendered 14 article(s) (1 failed in the batch, no page)" in res.stderr
    assert "without their text" not in res.stderr  # every source was found again

    ok_ids = [line["id"] for line in lines(batch_out) if line["ok"]]
    names = sorted(p.name for p in dest.iterdir())
    pages = [n for n in names if n not in ("index.html", MANIFEST, *CORPUS)]
    assert CORPUS <= set(names)
    assert len(pages) == len(ok_ids) == 13
    assert sorted(pages) == sorted(page_name(rid, ".html") for rid in ok_ids)
    assert re.fullmatch(r"iran\.txt-[0-9a-f]{8}\.html", page_name("iran.txt", ".html"))  # readable: the file name
    for name in pages:  # safe names: one path component, no hidden file, bounded, distinct
        assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*-[0-9a-f]{8}\.html", name) and len(name) <= 80, name
    assert len({n.casefold() for n in names}) == len(names)
    assert page_name(42, ".html") != page_name("42", ".html")
    assert page_name("same?id", ".html") != page_name("same/id", ".html")
    assert json.loads((dest / MANIFEST).read_text("utf-8"))["files"] == sorted(pages + ["index.html", *CORPUS])

    index = (dest / "index.html").read_text("utf-8")
    p = parse(index)
    assert p.tags.count("script") == 2  # the table's script and its data block, nothing else
    rows = data_rows(index, "articles")
    assert [r[0] for r in rows] == list(range(1, 15))  # numbered in input order
    # input order: the file first, then the records in line order (the batch finished them in any
    # order); a failed line has no source to place it by, so it stands after the line written before it
    shown = [r[1][0] for r in rows]
    assert [i for i in shown if i != "poison"] == ["iran.txt", *map(str, IDS), "hostile"], shown
    assert "poison" in shown, "the failed article has its row"
    assert sorted(r[1][1] for r in rows if r[1][1]) == sorted(pages)  # a link per page (none for the failed one)
    assert "\x1b[31mred\x07\u202eevil" in [r[1][0] for r in rows]  # data, shown with textContent, never markup
    failed = next(r for r in rows if r[1][0] == "poison")
    assert failed[8] == 2 and "provider" in failed[9]  # status "failed", the error as its note
    iran = next(r for r in rows if r[1][0] == "iran.txt")
    assert iran[2] == "Iran Sanctioned for Allegedly Sending Missiles to Russia"  # the text's headline line
    assert iran[7] == "not screened"

    for rid in ("iran.txt", "../../etc/passwd", 42, "hostile"):
        page = (dest / page_name(rid, ".html")).read_text("utf-8")
        parsed = parse(page)
        want = HOSTILE_TEXT if rid == "hostile" else ARTICLE
        assert "".join(parsed.article or []) == want  # the exact text, found again by its hash
        assert 'href="index.html"' in page
        assert "<h1>Iran Sanctioned for Allegedly Sending Missiles to Russia</h1>" in page  # a title, not the path
        assert {m["data-item"] for m in parsed.marks} >= {"q1", "q2", "a1", "t1"}
        assert "Not screened against any sanctions list." in page
    hostile = (dest / page_name("hostile", ".html")).read_text("utf-8")
    hp = parse(hostile)
    assert hp.tags.count("script") == 1 and "img" not in hp.tags
    assert "&lt;img src=x onerror=alert(1)&gt;" in hostile


def test_rerender_replaces_its_own_pages_and_removes_stale_ones(batch_out: Path, tmp_path: Path) -> None:
    dest = tmp_path / "site"
    assert render(batch_out, "-o", dest).exit_code == 0
    one = tmp_path / "one.jsonl"
    one.write_text(batch_out.read_text("utf-8").splitlines()[0] + "\n", "utf-8")
    res = render(one, "-o", dest)
    assert res.exit_code == 0, res.stderr
    first = json.loads(one.read_text("utf-8"))["id"]
    assert sorted(p.name for p in dest.iterdir()) == sorted([MANIFEST, "index.html", page_name(first, ".html"),
                                                            *CORPUS])


def test_refuses_a_directory_it_did_not_write(batch_out: Path, tmp_path: Path) -> None:
    dest = tmp_path / "mine"
    dest.mkdir()
    (dest / "notes.txt").write_text("mine", "utf-8")
    res = render(batch_out, "-o", dest)
    assert res.exit_code == 4 and "not written by summarizer render" in res.stderr
    assert os.listdir(dest) == ["notes.txt"] and (dest / "notes.txt").read_text("utf-8") == "mine"

    assert render(batch_out, "-o", tmp_path / "site").exit_code == 0
    (tmp_path / "site" / "index.html.bak").write_text("mine", "utf-8")  # a file added later
    res = render(batch_out, "-o", tmp_path / "site")
    assert res.exit_code == 4 and "'index.html.bak'" in res.stderr
    assert (tmp_path / "site" / "index.html.bak").read_text("utf-8") == "mine"

    forged = tmp_path / "forged"
    forged.mkdir()
    (forged / MANIFEST).write_text(json.dumps({"generator": "summarizer render", "files": ["../victim"]}), "utf-8")
    victim = tmp_path / "victim"
    victim.write_text("keep", "utf-8")
    assert render(batch_out, "-o", forged).exit_code == 0
    assert victim.read_text("utf-8") == "keep"  # a manifest never reaches outside its directory


def test_the_article_text_is_used_only_when_its_hash_matches(batch_out: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    moved = tmp_path / "out.jsonl"
    moved.write_bytes(batch_out.read_bytes())
    monkeypatch.chdir(tmp_path)  # neither the cwd nor the batch file's directory holds in/iran.txt now
    res = render(moved, "-o", tmp_path / "site")
    assert res.exit_code == 0 and "13 article(s) shown without their text" in res.stderr
    page = (tmp_path / "site" / page_name("iran.txt", ".html")).read_text("utf-8")
    assert 'id="article"' in page and "nothing can be highlighted" in page and "<mark" not in page
    assert "Antony Blinken" in page  # the lists are still there

    changed = tmp_path / "in"
    changed.mkdir()
    (changed / "iran.txt").write_text(ARTICLE.replace("Iran", "Irak"), "utf-8")  # edited since
    res = render(moved, "-f", "md", "--combined", "--source-dir", str(batch_out.parent))
    assert res.exit_code == 0 and "without their text" not in res.stderr
    res = render(moved, "-o", tmp_path / "site2", "--source-dir", str(tmp_path))
    assert "without their text" in res.stderr
    assert "<mark" not in (tmp_path / "site2" / page_name("iran.txt", ".html")).read_text("utf-8")


# --------------------------------------------------------------------------- csv and jsonl


def test_csv_rows_parse_back_and_point_into_the_article(batch_out: Path, tmp_path: Path) -> None:
    out = tmp_path / "rows.csv"
    res = render(batch_out, "-o", out)  # the format from the extension
    assert res.exit_code == 0, res.stderr
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM, so spreadsheets read UTF-8
    with open(out, encoding="utf-8-sig", newline="") as handle:
        table = list(csv.reader(handle))
    assert tuple(table[0]) == COLUMNS and len(set(COLUMNS)) == len(COLUMNS)  # no column twice
    rows = [dict(zip(COLUMNS, r, strict=True)) for r in table[1:]]
    assert f"rendered {len(rows)} row(s) from 14 article(s)" in res.stderr

    results = {line["id"]: line["result"] for line in lines(batch_out) if line["ok"]}
    # one row per article at least, a failed one included (it does not look unprocessed)
    assert [r["article_id"] for r in rows if r["kind"] in ("article", "failed")] == [
        str(line["id"]) for line in lines(batch_out)]
    failed = next(r for r in rows if r["kind"] == "failed")
    assert failed["article_id"] == "poison" and failed["value"].startswith("provider:")
    assert {r["kind"] for r in rows} == {"article", "failed", "quote", "target", "allegation"}  # no mention rows
    for rid, result in results.items():
        if str(rid) == "42":
            continue  # in CSV the ids 42 and "42" look alike (JSON Lines keeps them apart)
        mine = [r for r in rows if r["article_id"] == str(rid)]
        kinds = [r["kind"] for r in mine]
        assert kinds[0] == "article" and mine[0]["value"] == neutralise(result["summary"])
        assert {r["title"] for r in mine} == {"Iran Sanctioned for Allegedly Sending Missiles to Russia"}
        assert kinds.count("quote") == len(result["quotes"])
        assert kinds.count("target") == len(result["sanctions_targets"])
        assert kinds.count("allegation") == len(result["allegations"])
        text = HOSTILE_TEXT if rid == "hostile" else ARTICLE
        for r in mine[1:]:
            start, end = int(r["start"]), int(r["end"])
            want = text[start:end]
            if r["kind"] == "quote":
                assert r["excerpt"] == "" and r["value"] in (want, neutralise(want))  # the quote once, not twice
            elif r["excerpt"]:
                assert r["excerpt"] in (want, neutralise(want)) and r["excerpt"] != r["value"], r
            else:
                assert r["value"] in (want, neutralise(want)), r  # excerpt left out: the same as the value
    iran_air = next(r for r in rows if r["kind"] == "target")
    assert iran_air["value"] == "Iran Air" and iran_air["target_kind"] == "organization" and iran_air["label"] == "T1"
    assert iran_air["screen_status"] == "not screened" and iran_air["hits"] == ""  # not "no match"
    article = next(r for r in rows if r["kind"] == "article")
    assert article["screen_status"] == "not screened"

    hostile = [r for r in rows if r["article_id"] == "hostile"]
    claims = [r["value"] for r in hostile if r["kind"] == "allegation"]
    assert claims == ["'" + c for c in HOSTILE_CLAIMS]  # every formula cell neutralised
    quote = next(r for r in hostile if r["kind"] == "quote" and "HYPERLINK" in r["value"])
    assert quote["value"] == "'" + HOSTILE_QUOTE
    for r in rows:
        for column in COLUMNS:
            assert not r[column].startswith(("=", "+", "-", "@", "\t", "\r")), (column, r[column])


def test_jsonl_rows_carry_exact_values(batch_out: Path, tmp_path: Path) -> None:
    out = tmp_path / "rows.jsonl"
    assert render(batch_out, "-o", out).exit_code == 0
    rows = lines(out)
    assert all(tuple(r) == COLUMNS for r in rows)
    hostile = [r for r in rows if r["article_id"] == "hostile" and r["kind"] == "allegation"]
    assert [r["value"] for r in hostile] == HOSTILE_CLAIMS  # exact, control characters and all
    assert {type(r["start"]) for r in rows if r["kind"] not in ("article", "failed")} == {int}
    assert any(r["article_id"] == 42 for r in rows) and any(r["article_id"] == "42" for r in rows)
    res = render(batch_out, "-f", "jsonl")  # stdout
    assert res.exit_code == 0 and [json.loads(x) for x in res.stdout.splitlines()] == rows


def test_render_screens_while_rendering(batch_out: Path, tmp_path: Path) -> None:
    from .test_screening_pipeline import SLICE

    out = tmp_path / "rows.jsonl"
    res = render(batch_out, "-o", out, "--screen", SLICE)
    assert res.exit_code == 0, res.stderr
    target = next(r for r in lines(out) if r["kind"] == "target")
    assert target["screen_status"] == "listed" and target["matched_name"] == "IRAN AIR"
    assert target["entry_id"] == "25237" and target["list"].startswith("OFAC SDN") and target["score"] >= 0.9
    assert target["url"].startswith("https://") and target["hits"] >= 1
    article = next(r for r in lines(out) if r["kind"] == "article" and r["article_id"] == "iran.txt")
    assert article["screen_status"].endswith("listed") and article["list"] == Path(SLICE).name
    assert render(batch_out, "-o", tmp_path / "x.csv", "--screen", tmp_path / "nope.csv").exit_code == 11
    assert not (tmp_path / "x.csv").exists()


# --------------------------------------------------------------------------- markdown


def test_markdown_pages_and_combined(batch_out: Path, tmp_path: Path) -> None:
    res = render(batch_out, "-f", "md", "-o", tmp_path / "notes")
    assert res.exit_code == 0, res.stderr
    index = (tmp_path / "notes" / "index.md").read_text("utf-8")
    assert f"](<{page_name('iran.txt', '.md')}>)" in index and "failed: provider" in index
    assert "| Iran Sanctioned for Allegedly Sending Missiles to Russia |" in index  # the title column
    page = (tmp_path / "notes" / page_name("hostile", ".md")).read_text("utf-8")
    assert page.startswith("# Iran Sanctioned for Allegedly Sending Missiles to Russia\n\nid hostile")
    assert "\\<img src=x onerror=alert(1)\\> \ufffd\\[2J\ufffd \\| pipe" in page  # no escape codes reach a terminal

    combined = tmp_path / "all.md"
    res = render(batch_out, "-o", combined)  # .md: one combined file
    assert res.exit_code == 0, res.stderr
    text = combined.read_text("utf-8")
    assert text.count("\n## Summary") == 13 and "Failed (provider)" in text


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (ARTICLE, "not a batch output file (line 1 is not JSON)"),
        ('{"id": "a", "text": "an input record"}\n', "line 1 has no \"ok\""),
        ('{"id": "a", "ok": true}\n', 'line 1 is ok but has no "result" object'),
        ("", "holds no result lines"),
    ],
)
def test_refuses_a_file_that_is_not_a_batch_output(tmp_path: Path, content: str, why: str) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(content, "utf-8")
    res = render(bad, "-f", "csv")
    assert res.exit_code == 3 and why in res.stderr and res.stdout == ""
    assert res.stderr.count("\n") == 1 and "Traceback" not in res.stderr


def test_refuses_a_fifo_and_a_directory_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.jsonl"
    os.mkfifo(fifo)
    fd = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)  # a writer, so opening it does not block
    try:
        res = render(fifo, "-f", "csv")
    finally:
        os.close(fd)
    assert res.exit_code == 3 and "not a regular file" in res.stderr
    assert render(tmp_path, "-f", "csv").exit_code == 3


def test_a_torn_last_line_is_left_out_and_the_file_kept(batch_out: Path, tmp_path: Path) -> None:
    torn = tmp_path / "torn.jsonl"
    torn.write_bytes(batch_out.read_bytes() + b'{"id": "cut", "ok": tr')
    before = digest(torn)
    res = render(torn, "-f", "jsonl")
    assert res.exit_code == 0 and "incomplete" in res.stderr and "22 byte(s) left out" in res.stderr
    assert digest(torn) == before


def test_a_result_of_another_schema_is_listed_as_failed(batch_out: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.jsonl"
    line = json.loads(batch_out.read_text("utf-8").splitlines()[0])
    line["result"]["quotes"] = "not a list"
    other.write_text(json.dumps(line) + "\n", "utf-8")
    res = render(other, "-o", tmp_path / "site")
    assert res.exit_code == 0 and "do not match this version's output schema" in res.stderr
    assert "unreadable" in (tmp_path / "site" / "index.html").read_text("utf-8")


@pytest.mark.parametrize(
    ("args", "why"),
    [
        (["-f", "csv", "-o", "x.html"], "-f csv does not match -o x.html"),
        (["-o", "site.html"], "html writes a directory"),
        (["-f", "html"], "writes a directory of pages"),
        (["-f", "pdf"], "use html, md, csv, jsonl, parties or ftm"),
        (["-f", "parties", "-o", "p.html"], "-f parties writes .csv or .jsonl or .ndjson files"),
        (["-f", "ftm", "-o", "e.csv"], "-f ftm writes"),
        (["-f", "ftm", "--screen", "x.csv"], "screening does not change it"),
        (["-f", "csv", "--combined"], "--combined is for -f md"),
        (["-o", "x.json"], "names a json file"),
    ],
)
def test_usage_errors(batch_out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str],
                     why: str) -> None:
    monkeypatch.chdir(tmp_path)
    res = render(batch_out, *args)
    assert res.exit_code == 2 and why in res.stderr
    assert os.listdir(tmp_path) == []


def test_never_writes_over_its_input(batch_out: Path, tmp_path: Path) -> None:
    copy = tmp_path / "out.jsonl"
    copy.write_bytes(batch_out.read_bytes())
    before = digest(copy)
    res = render(copy, "-f", "jsonl", "-o", copy)
    assert res.exit_code == 4 and "is the batch file being rendered" in res.stderr
    assert digest(copy) == before
    other = tmp_path / "results.jsonl"  # another batch's results: paid for, never overwritten
    other.write_bytes(batch_out.read_bytes())
    res = render(copy, "-o", other)
    assert res.exit_code == 4 and "is a batch output file" in res.stderr and digest(other) == before
    rows = tmp_path / "rows.jsonl"  # ... while render's own rows are replaced on a rerun
    assert render(copy, "-o", rows).exit_code == 0 and render(copy, "-o", rows).exit_code == 0


# --------------------------------------------------------------------------- -o chooses the format


def test_summarize_and_batch_choose_the_format_from_the_extension(tmp_path: Path) -> None:
    with FakeOpenAI(default=Reply(payload=example_payload())) as fake:
        env = {**ENV, "SUMMARIZER_CACHE_DIR": str(tmp_path / "cache")}

        def run(*args: str | Path) -> Any:
            return runner.invoke(app, [*map(str, args), "--base-url", fake.url], env=env)

        for name, check in (("r.html", "<!DOCTYPE html>"), ("r.md", "## Summary"), ("r.json", '"summary"'),
                            ("r.csv", "\ufeffarticle_id,title,kind")):
            res = run("summarize", EXAMPLE, "-o", tmp_path / name)
            assert res.exit_code == 0, res.stderr
            assert check in (tmp_path / name).read_text("utf-8")
        rows = list(csv.DictReader(io.StringIO((tmp_path / "r.csv").read_text("utf-8-sig"))))
        assert {r["kind"] for r in rows} == {"article", "quote", "target", "allegation"}
        sent = len(fake.requests)

        res = run("summarize", EXAMPLE, "-f", "json", "-o", tmp_path / "review.html")
        assert res.exit_code == 2 and "-f json does not match -o" in res.stderr
        res = run("batch", EXAMPLE, "-o", tmp_path / "out.csv")
        assert res.exit_code == 2 and "batch writes JSON Lines" in res.stderr
        res = run("summarize", EXAMPLE, "-o", tmp_path / "x.jsonl")
        assert res.exit_code == 2
        assert len(fake.requests) == sent  # refused before any model call
        assert not any((tmp_path / n).exists() for n in ("review.html", "out.csv", "x.jsonl"))


# --------------------------------------------------------------------------- README


def test_every_render_command_in_the_readme_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shlex
    import shutil

    from .conftest import ROOT

    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("## Rendering a batch: `summarizer render`", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None
    commands = [shlex.split(line) for line in block.group(1).splitlines() if line.strip()]
    assert len(commands) >= 5 and commands[0][:2] == ["summarizer", "batch"]
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    shutil.copytree(ROOT / "tests" / "data" / "lists", tmp_path / "tests" / "data" / "lists")
    monkeypatch.chdir(tmp_path)
    for args in commands:
        assert args[0] == "summarizer"
        res = runner.invoke(app, args[1:], env={**ENV, "SUMMARIZER_CACHE_DIR": str(tmp_path / "cache")})
        assert res.exit_code == 0, (args, res.output)
    page = (tmp_path / "review" / page_name("iran-missiles-russia.txt", ".html")).read_text("utf-8")
    assert "mark" in parse(page).tags and "".join(parse(page).article or []) == ARTICLE
    assert (tmp_path / "notes" / "index.md").exists() and (tmp_path / "all.md").stat().st_size > 1000
    assert next(csv.DictReader(io.StringIO((tmp_path / "rows.csv").read_text("utf-8-sig"))))["kind"] == "article"
    assert all("screen_status" in r for r in lines(tmp_path / "rows.jsonl"))


def test_the_outputs_screening_field_is_read_and_its_absence_means_not_screened(batch_out: Path,
                                                                               tmp_path: Path) -> None:
    """`"screening"` in a result (null, or what was screened) is shown as it says; files from
    before the field fall back to the items (nothing screened there: "not screened")."""
    line = next(x for x in lines(batch_out) if x["id"] == "iran.txt")
    asked = dict(line, result={**line["result"], "screening": {
        "lists": ["sdn.csv"], "scope": "targets", "screened": 0, "not_screened": 5, "hits": 0,
        "reason": "no sanctions targets named; --screen-all screens every named party"}})
    unasked = dict(line, id="unasked", result={**line["result"], "screening": None})
    old = dict(line, id="old")
    batch = tmp_path / "new.jsonl"
    batch.write_text("".join(json.dumps(x) + "\n" for x in (asked, unasked, old)), "utf-8")
    res = render(batch, "-f", "jsonl")
    assert res.exit_code == 0, res.stderr
    rows = {r["article_id"]: r for r in map(json.loads, res.stdout.splitlines()) if r["kind"] == "article"}
    assert rows["iran.txt"]["screen_status"] == (
        "nothing screened: no sanctions targets named; --screen-all screens every named party")
    assert rows["iran.txt"]["list"] == "sdn.csv"
    assert rows["unasked"]["screen_status"] == rows["old"]["screen_status"] == "not screened"
    site = tmp_path / "site"
    assert render(batch, "-o", site).exit_code == 0
    page = (site / page_name("iran.txt", ".html")).read_text("utf-8")
    assert "Screening against sdn.csv was asked for, but nothing was screened (no sanctions targets named" in page
