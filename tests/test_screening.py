"""Screening engine: list formats, the hash-keyed index cache, and the matcher on real SDN rows."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from summarizer.errors import ScreeningError
from summarizer.screening import Screener, formats
from summarizer.screening import index as index_mod
from summarizer.screening.article import nearby_identifiers, screen_parties
from summarizer.screening.entries import find_identifiers
from summarizer.screening.match import screen_name
from summarizer.screening.normalize import explain_equal

from .conftest import ROOT

LISTS = ROOT / "tests" / "data" / "lists"
SLICE = LISTS / "sdn-slice.csv"


@pytest.fixture(autouse=True)
def _fresh_indexes() -> None:
    index_mod.forget()  # every test loads through the (per-test) disk cache, not a warm process


@pytest.fixture
def sdn() -> index_mod.ListIndex:
    return index_mod.load(SLICE)


def ids(hits: list) -> list[str]:
    return [h.entry_id for h in hits]


# --------------------------------------------------------------------------- formats


def test_the_slice_keeps_ofacs_layout() -> None:
    data = SLICE.read_bytes()
    assert data.endswith(b"\r\n\x1a") and b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")


def test_sdn_csv_parses_aliases_programs_and_identifiers(sdn: index_mod.ListIndex) -> None:
    assert sdn.format == "ofac-sdn-csv" and len(sdn.entries) == 32
    by = {e.entry_id: e for e in sdn.entries}
    assert by["25237"].name == "IRAN AIR" and by["25237"].aliases == ("HOMA",)
    assert by["28103"].type == "person" and by["28103"].programs == ("SDGT", "IFSR")
    assert by["28105"].type == "vessel" and [i.key for i in by["28105"].identifiers] == ["IMO:9776523"]
    assert [i.key for i in by["28104"].identifiers] == ["IMO:4213219"]  # a company's IMO number
    assert [i.key for i in by["41416"].identifiers] == ["TAIL:EW001PA"]  # name and remark: one key
    assert [i.key for i in by["18150"].identifiers] == ["TAIL:EPMMH"]
    # aliases that start with an apostrophe keep it; the last one loses only the closing period
    assert by["7150"].aliases == ("ABU ANAS", "'ABD AL-MUHSI", "'ABD AL-RAHMAN")
    assert by["12927"].url == "https://sanctionssearch.ofac.treas.gov/Details.aspx?id=12927"


def test_a_sibling_alt_csv_adds_aliases(tmp_path: Path) -> None:
    shutil.copy(SLICE, tmp_path / "sdn.csv")
    shutil.copy(LISTS / "alt" / "alt.csv", tmp_path / "ALT.CSV")
    index = index_mod.load(tmp_path / "sdn.csv")
    by = {e.entry_id: e for e in index.entries}
    assert by["25237"].aliases == ("HOMA", "IRAN AIR NATIONAL AIRLINES")
    assert by["28104"].alias_kinds == ("f.k.a.",)
    assert ids(screen_name(index, "Khedri Shipping", "organization")) == ["28104"]


def test_alt_csv_alone_is_refused_with_a_hint() -> None:
    with pytest.raises(ScreeningError) as exc:
        index_mod.load(LISTS / "alt" / "alt.csv")
    assert "aliases only" in exc.value.one_line() and "pass sdn.csv" in exc.value.one_line()


def test_sdn_xml() -> None:
    index = index_mod.load(LISTS / "sdn-small.xml")
    assert index.format == "ofac-sdn-xml" and index.date == "2024-05-03"
    by = {e.entry_id: e for e in index.entries}
    assert by["28103"].name == "KHEDRI, Abdolhossein" and by["28103"].aliases == ("KHEDRI, Abdol",)
    assert ids(screen_name(index, "IMO 9776523")) == ["28105"]
    assert ids(screen_name(index, "EP-MMH")) == ["18150"]


def test_opensanctions_csv() -> None:
    index = index_mod.load(LISTS / "targets.simple.csv")
    assert index.format == "opensanctions-csv"
    by = {e.entry_id: e for e in index.entries}
    assert by["NK-kabaeva1"].type == "person" and "Алина Маратовна Кабаева" in by["NK-kabaeva1"].aliases
    assert by["NK-kabaeva1"].programs == ("US-RUS-EO14024", "GB-RUS")
    assert by["NK-belavia-jet"].type == "aircraft" and by["NK-belavia-jet"].identifiers[0].key == "TAIL:EW001PA"
    assert by["NK-genava12"].url == "https://www.opensanctions.org/entities/NK-genava12/"


def test_ftm_json_lines() -> None:
    index = index_mod.load(LISTS / "entities.ftm.json")
    assert index.format == "ftm-jsonl"
    by = {e.entry_id: e for e in index.entries}
    assert set(by) == {"NK-arreaza", "NK-iranair", "custom-1"}  # the Address and the Sanction are not entries
    assert by["NK-arreaza"].programs == ("US-VEN",)  # from its Sanction entity
    assert by["NK-iranair"].type == "organization" and "Homa" in by["NK-iranair"].aliases
    assert by["custom-1"].type == "vessel" and by["custom-1"].url is None  # not OpenSanctions data


@pytest.mark.parametrize(
    "content, looks",
    [
        (b"", "empty"),
        (b"\x00\x01\x02binary", "binary"),
        (b"name,email\nx,y\n", "'name,email'"),
        (b'{"hello": 1}\n', "'{\"hello\": 1}'"),
        (b"<html><body>no</body></html>", "'<html>"),
    ],
)
def test_a_file_that_is_no_list_is_one_clear_error(tmp_path: Path, content: bytes, looks: str) -> None:
    path = tmp_path / "sdn.csv"  # the name does not matter: detection reads the content
    path.write_bytes(content)
    with pytest.raises(ScreeningError) as exc:
        index_mod.load(path)
    line = exc.value.one_line()
    assert "is not a sanctions list" in line and looks in line and "\n" not in line


def test_unreadable_paths_are_clear_errors(tmp_path: Path) -> None:
    import os

    with pytest.raises(ScreeningError, match="no such list file"):
        index_mod.load(tmp_path / "missing.csv")
    with pytest.raises(ScreeningError, match="directory"):
        index_mod.load(tmp_path)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(ScreeningError, match="not a regular file"):
        index_mod.load(fifo)  # never blocks waiting for a writer


def test_xml_with_entities_is_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "sdn.xml"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><sdnList>&a;</sdnList>')
    with pytest.raises(ScreeningError, match="DOCTYPE"):
        index_mod.load(bomb)


def test_a_broken_sdn_row_names_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "sdn.csv"
    bad.write_bytes(SLICE.read_bytes().replace(b'"IRAN AIR",-0- ,', b'"IRAN AIR",'))
    with pytest.raises(ScreeningError, match=r"line \d+ is not an OFAC sdn.csv row"):
        index_mod.load(bad)


# --------------------------------------------------------------------------- index cache


def _cache_files(sha: str) -> list[Path]:
    return sorted(index_mod.cache_dir().glob(f"{sha}-v*.sqlite"))


def test_index_is_cached_by_content_hash(tmp_path: Path) -> None:
    copy = tmp_path / "list.csv"
    shutil.copy(SLICE, copy)
    first = index_mod.load(copy)
    assert not first.cached
    cache_files = _cache_files(first.sha256)
    assert len(cache_files) == 1, cache_files
    # the file is named by the list's hash and by its own: the checksum checked before opening
    assert cache_files[0].name.split(".")[1] == hashlib.sha256(cache_files[0].read_bytes()).hexdigest()
    index_mod.forget()
    second = index_mod.load(copy)
    assert second.cached and len(second.entries) == len(first.entries)
    # same process, same file: the very same object (a batch shares one index)
    assert index_mod.load(copy) is second
    # changed content: a new hash, a fresh parse
    copy.write_bytes(SLICE.read_bytes().replace(b"HOMA", b"HUMA"))
    index_mod.forget()
    third = index_mod.load(copy)
    assert not third.cached and third.sha256 != first.sha256
    assert ids(screen_name(third, "Huma")) == ["25237"]


def test_a_corrupt_cache_file_is_a_miss(tmp_path: Path) -> None:
    first = index_mod.load(SLICE)
    cache_file = _cache_files(first.sha256)[0]
    cache_file.write_bytes(cache_file.read_bytes()[:-100] + b"x" * 100)  # same name, other bytes
    index_mod.forget()
    again = index_mod.load(SLICE)
    assert not again.cached and len(again.entries) == 32


def test_a_pickle_in_the_cache_is_never_loaded(tmp_path: Path) -> None:
    """A crafted pickle named like the old cache ran a command on the next `screen`."""
    import pickle

    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self) -> tuple[object, ...]:
            return (os.system, (f"touch {marker}",))

    sha = index_mod._list_hash(SLICE)[0]
    index_mod.cache_dir().mkdir(parents=True, exist_ok=True)
    for name in (f"{sha}-v1.pickle", f"{sha}-v2.pickle", f"{sha}-v2.{'0' * 64}.sqlite"):
        (index_mod.cache_dir() / name).write_bytes(pickle.dumps(Evil()))
    index = index_mod.load(SLICE)
    assert not marker.exists(), "a pickle from the cache directory was executed"
    assert not index.cached and ids(screen_name(index, "Mahan Air", "organization")) == ["12927"]


def _forge(sha: str, change: str) -> Path:
    """A cache file of our own format with one change made to it, renamed to a valid checksum."""
    import sqlite3

    index_mod.load(SLICE)
    good = _cache_files(sha)[0]
    forged = good.with_name("forged.sqlite")
    shutil.copy(good, forged)
    db = sqlite3.connect(forged)
    db.executescript(change)
    db.commit()
    db.close()
    good.unlink()
    final = good.with_name(f"{sha}-v{index_mod.INDEX_VERSION}.{hashlib.sha256(forged.read_bytes()).hexdigest()}.sqlite")
    forged.rename(final)
    index_mod.forget()
    return final


@pytest.mark.parametrize(
    "change",
    [
        "CREATE VIEW v AS SELECT 1",
        "CREATE TRIGGER t AFTER INSERT ON meta BEGIN SELECT 1; END",
        "CREATE TABLE extra (x)",
        "UPDATE meta SET value = '1' WHERE key = 'version'",
    ],
)
def test_a_cache_file_with_anything_else_in_it_is_a_miss(change: str) -> None:
    sha = index_mod._list_hash(SLICE)[0]
    _forge(sha, change)
    again = index_mod.load(SLICE)
    assert not again.cached, f"a cache file changed by {change!r} was used"
    assert len(again.entries) == 32


def test_values_of_the_wrong_type_in_a_cache_file_are_refused() -> None:
    sha = index_mod._list_hash(SLICE)[0]
    forged = _forge(sha, "UPDATE entries SET name = x'00ff' WHERE entry_id = '12927'")
    index = index_mod.load(SLICE)
    assert index.cached  # the file is well-formed: its checks pass, its values are checked on use
    with pytest.raises(ScreeningError, match="is damaged") as exc:
        screen_name(index, "Mahan Air", "organization")
    assert str(forged) in exc.value.one_line() and "delete it" in exc.value.one_line()


# --------------------------------------------------------------------------- matching


@pytest.mark.parametrize(
    "query, kind, expected, reason",
    [
        ("Abdolhossein Khedri", "person", "28103", "word order"),
        ("abdolhossein KHEDRI", None, "28103", "case"),
        ("Khedri Jahan Darya Co.", "organization", "28104", "punctuation"),
        ("Gomei Air Services Co., Ltd.", "organization", "28110", "case"),
        ("Homa", "organization", "25237", "a.k.a. 'HOMA'"),
        ("Алина Маратовна Кабаева", "person", "36408", "transliteration"),
        ("Jorge Alberto Arreaza Montserrat", "person", "26694", "word order"),
        ("Genava 12", "vessel", "28105", "case"),
        ("Mahan Air", "organization", "12927", "case"),
        ("Maritime Silk Road Limited Liability Company", "organization", "28107", "legal form"),
    ],
)
def test_names_match_through_normalisation(
    sdn: index_mod.ListIndex, query: str, kind: str | None, expected: str, reason: str
) -> None:
    hits = screen_name(sdn, query, kind)
    assert hits and hits[0].entry_id == expected and hits[0].score == 1.0
    assert reason in hits[0].why


def test_near_names_score_below_one_and_say_why(sdn: index_mod.ListIndex) -> None:
    hits = screen_name(sdn, "Jahan Destination Travel and Tourism LLC", "organization")
    assert hits[0].entry_id == "28108" and 0.9 < hits[0].score < 1.0
    assert "'destination'~'destinations'" in hits[0].why
    short = screen_name(sdn, "Jorge Arreaza", "person")
    assert short[0].entry_id == "26694" and "only in the entry" in short[0].why
    kabaeva = screen_name(sdn, "Alina Kabaeva", "person")
    assert ids(kabaeva)[:1] == ["36408"]


def test_look_alikes_stay_below_the_threshold(sdn: index_mod.ListIndex) -> None:
    assert ids(screen_name(sdn, "Iran", None)) == []  # not IRAN AIR, IRAN AIRCRAFT INDUSTRIES, ...
    assert ids(screen_name(sdn, "Iran Air", "organization"))[0] == "25237"
    assert "23464" not in ids(screen_name(sdn, "Iran Air", "organization"))  # IRAN AIRCRAFT INDUSTRIES
    assert ids(screen_name(sdn, "Genava 11", "vessel")) == ["28106"]  # never GENAVA 12
    assert ids(screen_name(sdn, "Mahan Air", "organization")) == ["12927"]  # not MAHAN TRAVEL
    assert ids(screen_name(sdn, "Homa Shipping Company Limited", "organization"))[0] == "15130"
    assert ids(screen_name(sdn, "Antony Blinken", "person")) == []
    assert ids(screen_name(sdn, "Vladimir Putin", "person")) == ["35096"]


def test_kinds_limit_what_is_compared(sdn: index_mod.ListIndex) -> None:
    assert ids(screen_name(sdn, "Mahan Air", "person")) == []
    assert ids(screen_name(sdn, "Iran", "country")) == []  # countries are never list entries
    assert ids(screen_name(sdn, "Genava 12", "organization")) == []


def test_identifiers_outrank_names(sdn: index_mod.ListIndex) -> None:
    hits = screen_name(sdn, "EW-001PA")
    assert ids(hits) == ["41416"]  # not EW-001PH: a registration mark is equal or another aircraft
    assert "aircraft registration EW-001PA" in hits[0].why
    # an article says "Genava 11" but prints GENAVA 12's IMO number: the number wins, first
    from summarizer.screening.entries import Identifier

    ctx = [(Identifier("IMO", "9776523", "IMO number"), "in the article next to 'Genava 11'")]
    hits = screen_name(sdn, "Genava 11", "vessel", context_identifiers=ctx)
    assert ids(hits) == ["28105", "28106"] and "next to 'Genava 11'" in hits[0].why


def test_threshold_is_respected(sdn: index_mod.ListIndex) -> None:
    assert ids(screen_name(sdn, "Khedri", "person", threshold=0.7)) == ["28103"]
    assert ids(screen_name(sdn, "Khedri", "person", threshold=0.9)) == []


def test_explain_equal_ladder() -> None:
    assert explain_equal("GENAVA 12", "GENAVA 12") == []
    assert explain_equal("KHEDRI, Abdolhossein", "Abdolhossein Khedri") == ["case", "punctuation", "word order"]
    assert explain_equal("Kabaeva", "Кабаева") == ["case", "diacritics/transliteration"]
    assert explain_equal("Primer DOOEL", "Primer LLC") == ["case", "legal form"]
    assert explain_equal("Iran", "Iraq") is None


def test_dooel_is_a_legal_form() -> None:
    index = index_mod.load(LISTS / "targets.simple.csv")
    hits = screen_name(index, "Primer Trade LLC", "organization")
    assert ids(hits)[:1] == ["NK-example-dooel"] and "legal form" in hits[0].why


# --------------------------------------------------------------------------- articles


def test_identifiers_in_an_article_go_to_the_nearest_name() -> None:
    text = "The tanker Genava 11 (IMO 9804617) sailed. Separately, Mahan Air flew EP-MMH to Damascus."
    found = nearby_identifiers(text, [("Genava 11", None), ("Mahan Air", None)])
    assert [i.value for i, _ in found[0]] == ["9804617"]
    assert [i.value for i, _ in found[1]] == ["EP-MMH"]
    assert [i.value for i, _, _ in find_identifiers("de-facto F-35 and COVID-19 are not marks")] == []


def test_screen_parties_uses_article_identifiers() -> None:
    screener = Screener.from_options([SLICE])
    text = "OFAC identified the vessel Genava (IMO 9776523) as blocked property of Khedri Jahan Darya Co."
    hits = screen_parties(screener, text, [("Genava", "vessel", None), ("Khedri Jahan Darya Co.", "organization", None)])
    assert ids(hits[0]) == ["28105"] and "IMO number 9776523 in the article" in hits[0][0].why
    assert ids(hits[1])[0] == "28104"


def test_screener_options_are_checked() -> None:
    with pytest.raises(ScreeningError, match="no sanctions list"):
        Screener.from_options([])
    with pytest.raises(ScreeningError, match="cannot be used together"):
        Screener.from_options([SLICE], "http://127.0.0.1:1")
    with pytest.raises(ScreeningError, match="threshold"):
        Screener.from_options([SLICE], threshold=1.5)
    with pytest.raises(ScreeningError, match="not installed"):
        Screener.from_options(["ofac-sdn"])  # a list name, but nothing downloaded


def test_detect_reads_content_not_names() -> None:
    assert formats.detect(SLICE.read_bytes()[:4096]) == "ofac-sdn-csv"
    assert formats.detect((LISTS / "sdn-small.xml").read_bytes()) == "ofac-sdn-xml"
    assert formats.detect(b"id,schema,name,aliases\n") == "opensanctions-csv"
    assert formats.detect(b'{"id": "x", "schema": "Person", "properties": {}}\n') == "ftm-jsonl"


# --------------------------------------------------------------------------- rendering


def test_render_helpers_escape_and_link_only_http() -> None:
    from summarizer.render.screening import hits_html, hits_markdown

    hit = {"list": "OFAC SDN", "entry_id": "1<2", "name": "<script>x</script>", "matched_name": "x",
           "programs": ["SDGT"], "type": "person", "score": 0.91, "why": "a|b", "url": "javascript:alert(1)"}
    page = hits_html([hit])
    assert "<script>" not in page and "&lt;script&gt;" in page and "href" not in page
    good = hits_html([{**hit, "url": "https://sanctionssearch.ofac.treas.gov/Details.aspx?id=1"}])
    assert 'href="https://sanctionssearch.ofac.treas.gov/Details.aspx?id=1"' in good and 'rel="noopener' in good
    assert hits_html(None) == "" and "no list match" in hits_html([])
    md = hits_markdown([{**hit, "url": "https://x.example/e"}])
    assert md[0].startswith("- **0.91 strong** [x](") and "listed as \\<script" in md[0] and "(<https://x.example/e>)" in md[0] and "a\\|b" in md[0]
    assert hits_markdown(None) == []


def test_a_screener_answers_a_repeated_name_from_memory_with_fresh_copies() -> None:
    screener = Screener.from_options([SLICE])
    first = screener.screen([("Mahan Air", "organization", [])])[0]
    first[0].score = 0.0  # a caller changing its hits changes nobody else's
    again = screener.screen([("Mahan Air", "organization", [])])[0]
    assert [h.entry_id for h in again] == ["12927"] and again[0].score == 1.0
    assert len(screener._answers) == 1
