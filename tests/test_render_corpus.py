"""The pages about a whole batch (parties, allegations) and `render -f parties`, on real batch
output: the development articles through the recorded real model, screened against the SDN
slice, and through the rules backend. Every link is followed: a party's row to its details,
each mention to the highlighted span (or the entry) on its article's page, each allegation pair
to its evidence sentences.
"""

from __future__ import annotations

import csv
import html
import json
import re
from pathlib import Path
from typing import Any

import pytest

from summarizer.render.corpus import PARTY_COLUMNS
from summarizer.render.status import NO_TARGETS_REASON

from .render_batches import RECORDED, SLICE, render, replay_batch, rules_batch
from .test_render_cli import data_rows

LINK = re.compile(r'href="([^"#]+)#([^"]+)"')


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    batch = replay_batch(root)
    dest = root / "site"
    err = render(batch, "-o", dest, "--screen", str(SLICE), "--screen-all")
    assert re.search(r"rendered 6 article\(s\) and the pages of its \d+ parties", err), err
    return dest


def links_in(page: Path) -> list[tuple[str, str]]:
    """(page, anchor) of every link in the page's main part (not the site's navigation)."""
    return LINK.findall(page.read_text("utf-8").split("<main", 1)[1])


def ids_in(page: Path) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', page.read_text("utf-8")))


def follow(site: Path, page: str, anchor: str) -> None:
    target = site / html.unescape(page)
    assert target.is_file(), page
    assert html.unescape(anchor) in ids_in(target), (page, anchor)


def test_every_party_row_and_mention_link_lands_on_its_place(site: Path) -> None:
    page = (site / "parties.html").read_text("utf-8")
    rows = data_rows(page, "parties")
    assert rows and len({r[0][0] for r in rows}) >= len(rows) - 5  # names, mostly distinct
    details = sorted(site.glob("parties-*.html"))
    sections = set().union(*(ids_in(d) for d in details))
    for row in rows:
        href = row[0][1]
        file, anchor = href.split("#")
        assert (site / file).is_file() and anchor in sections, href
    mentions = 0
    for d in details:
        for target, anchor in links_in(d):
            if target.startswith(("parties-", "https:")):
                continue
            follow(site, target, anchor)  # a mark (q3-speaker, t1) or, failing that, its entry (e-t1)
            mentions += 1
    assert mentions >= len(rows)  # at least one link per party


def test_screening_status_of_parties_and_the_leads(site: Path) -> None:
    rows = data_rows((site / "parties.html").read_text("utf-8"), "parties")
    statuses = ("listed", "not listed", "not screened")
    roles = ("target", "speaker", "accuser", "accused", "imposer")
    listed = [r for r in rows if statuses[r[5]] == "listed"]
    assert listed, "the recorded model names listed targets (Khedri, Genava 12 ...)"
    for r in listed:
        assert r[7][1].startswith("https://") and 0.0 < r[8] <= 1.0  # best match: a link to the entry, a score
    # "named as a target, on no list": screened targets without a hit
    leads = [r for r in rows if r[2] & 1 and statuses[r[5]] == "not listed"]
    assert leads and all(r[6] is None for r in leads)
    imposers = [r for r in rows if r[2] == 1 << roles.index("imposer")]
    assert all(statuses[r[5]] == "not screened" for r in imposers)  # --screen-all does not screen imposers


def test_allegation_pairs_link_to_their_evidence(site: Path) -> None:
    rows = data_rows((site / "allegations.html").read_text("utf-8"), "allegations")
    lines = [json.loads(x) for x in (site.parent / "out.jsonl").read_text("utf-8").splitlines()]
    assert sum(r[2] for r in rows) == sum(len(x["result"]["allegations"]) for x in lines)  # every allegation once
    for r in rows:
        follow(site, *r[7][1].split("#"))
    evidence = 0
    for d in site.glob("allegations-*.html"):
        for target, anchor in links_in(d):
            if not target.startswith("parties-"):
                follow(site, target, anchor)
                evidence += 1
    assert evidence == sum(r[2] for r in rows)


def test_article_pages_say_what_was_screened(site: Path) -> None:
    index = data_rows((site / "index.html").read_text("utf-8"), "articles")
    assert [r[1][0] for r in index] == RECORDED  # input order
    assert all(r[2] for r in index)  # a title for every article
    assert {r[7] for r in index} <= {"nothing screened"} | {f"{i} of {n} listed" for n in range(60) for i in range(n + 1)}


def test_parties_as_rows(site: Path, tmp_path: Path) -> None:
    batch = site.parent / "out.jsonl"
    out = tmp_path / "parties.csv"
    err = render(batch, "-f", "parties", "-o", out, "--screen", str(SLICE))
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    with open(out, encoding="utf-8-sig", newline="") as handle:
        table = list(csv.reader(handle))
    assert tuple(table[0]) == PARTY_COLUMNS
    rows = [dict(zip(PARTY_COLUMNS, r, strict=True)) for r in table[1:]]
    assert f"rendered {len(rows)} parties from 6 article(s)" in err
    page = data_rows((site / "parties.html").read_text("utf-8"), "parties")
    assert len(rows) == len(page) and {r["name"] for r in rows} == {r[0][0] for r in page}
    assert len({r["party_id"] for r in rows}) == len(rows)
    listed = [r for r in rows if r["screen_status"] == "listed"]
    assert listed and all(r["url"].startswith("https://") and float(r["score"]) > 0 for r in listed)
    assert all(r["screen_status"] == "not screened" for r in rows if "target" not in r["roles"])  # targets only

    jsonl = tmp_path / "parties.jsonl"
    render(batch, "-f", "parties", "-o", jsonl)
    parsed = [json.loads(x) for x in jsonl.read_text("utf-8").splitlines()]
    assert [p["party_id"] for p in parsed] == [r["party_id"] for r in rows]  # the same ids, the same order
    assert {p["screen_status"] for p in parsed} == {"not screened"}  # not screened this time: said so


def test_rules_output_of_every_development_article(tmp_path: Path) -> None:
    batch = rules_batch(tmp_path / "rules")
    dest = tmp_path / "site"
    render(batch, "-o", dest, "--screen", str(SLICE))
    index = data_rows((dest / "index.html").read_text("utf-8"), "articles")
    assert len(index) == len(batch.read_text("utf-8").splitlines())
    assert all(r[2] for r in index), [r[1][0] for r in index if not r[2]]  # a title for every article
    # the rules name only the targets the wording settles: the others screened nothing, and said so
    statuses = [r[7] for r in index]
    assert "nothing screened" in statuses and any(re.fullmatch(r"\d+ of \d+ listed", s) for s in statuses), statuses
    page = (dest / index[statuses.index("nothing screened")][1][1]).read_text("utf-8")
    assert html.escape(NO_TARGETS_REASON) in page
    parties = data_rows((dest / "parties.html").read_text("utf-8"), "parties")
    assert any(r[2] & 1 for r in parties) and any(r[2] & 1 == 0 for r in parties)  # targets, speakers, accusers


def rows_of(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text("utf-8").splitlines()]
