"""Screening as an attacker or an unlucky user meets it: hostile list files, hostile list servers,
control characters meant for the terminal, ids meant for Markdown, and `lists update` misuse.

List files here are written by the tests (synthetic, shaped like the publishers' formats); the
servers are real loopback HTTP servers (tests/fakes/yente.py, and a gzip mirror below).
"""

from __future__ import annotations

import gzip
import json
import re
import threading
import time
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer.cli import app
from summarizer.errors import ScreeningError
from summarizer.render.screening import hits_html, hits_markdown, hits_table
from summarizer.screening import Screener
from summarizer.screening import index as index_mod
from summarizer.screening.match import screen_name
from summarizer.screening.yente import KEY_ENV
from tests.fakes.yente import ENTITIES, FakeYente, Fault

from .conftest import ROOT

LISTS = ROOT / "tests" / "data" / "lists"
SLICE = LISTS / "sdn-slice.csv"
runner = CliRunner()
ESC = "\x1b"


@pytest.fixture(autouse=True)
def _fresh(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SUMMARIZER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv(KEY_ENV, raising=False)
    index_mod.forget()


def _ftm(path: Path, *entities: dict | str) -> Path:
    path.write_text("".join((e if isinstance(e, str) else json.dumps(e)) + "\n" for e in entities), "utf-8")
    return path


PERSON = {"id": "NK-ok", "schema": "Person", "caption": "John Smith", "properties": {"name": ["John Smith"]},
          "datasets": ["us_ofac_sdn"]}


# --------------------------------------------------------------------------- terminal


def test_screen_table_prints_no_control_characters_from_query_list_or_server(tmp_path: Path) -> None:
    # an organisation: a person would make rigour build its person-name tagger (slow, not the point)
    hostile = _ftm(tmp_path / "e.ftm.json", {**PERSON, "schema": "Company", "caption": f"Acme Trading{ESC}[2J",
                                             "properties": {"name": [f"Acme Trading{ESC}[2J", f"{ESC}]8;;http://evil{ESC}\\Acme Trading"]}})
    res = runner.invoke(app, ["screen", "Acme Trading", f"Nobody{ESC}]0;owned\x07", "--screen", str(hostile), "-f", "table"])
    assert res.exit_code == 0, res.output
    assert "Acme Trading" in res.stdout and "NK-ok" in res.stdout
    assert ESC not in res.stdout and "\x07" not in res.stdout, "a control character reached the terminal"
    evil = [{**ENTITIES[0], "caption": f"Khedri{ESC}[2J{ESC}]8;;http://x{ESC}\\"}]
    with FakeYente(evil) as yente:
        res = runner.invoke(app, ["screen", "Abdolhossein Khedri", "--screen-url", yente.url, "-f", "table"])
    assert res.exit_code == 0, res.output
    assert "NK-khedri" in res.stdout and ESC not in res.stdout


def test_table_in_colour_keeps_only_its_own_styles() -> None:
    rows = [{"query": f"A{ESC}[2J", "screening": [{"list": "L", "entry_id": "1", "name": f"N{ESC}]8;;x\x07",
                                                   "matched_name": "N", "programs": [], "type": "person", "score": 0.9,
                                                   "why": "w", "url": None}]}]
    out = hits_table(rows, color=True)
    assert f"{ESC}[2J" not in out and f"{ESC}]8" not in out and "\x07" not in out


# --------------------------------------------------------------------------- Markdown / HTML


def test_a_list_entry_id_cannot_inject_markup(tmp_path: Path) -> None:
    evil_id = "x> <img src=x onerror=alert(1)> "
    path = _ftm(tmp_path / "e.ftm.json", {**PERSON, "id": evil_id})
    hits = screen_name(index_mod.load(path), "John Smith", "person")
    assert [h.entry_id for h in hits] == [evil_id]
    assert hits[0].url is None, "an id that is not OpenSanctions-shaped got a link built from it"
    md = "\n".join(hits_markdown(hits))
    assert not re.search(r"(?<!\\)<img", md) and "](<" not in md, md  # \<img is literal text in CommonMark
    page = hits_html(hits)
    assert "<img" not in page and "&lt;img" in page


def test_a_forged_url_in_a_results_file_is_not_linked() -> None:
    hit = {"list": "L", "entry_id": "1", "name": "N", "matched_name": "N", "programs": [], "type": "person", "score": 1.0,
           "why": "w"}
    for url in ("https://x.example/a> <img src=x onerror=alert(1)>", "https://x.example/a b", 'https://x.example/"q',
                "javascript:alert(1)", "https://x.example/\x1b[2J"):
        md = "\n".join(hits_markdown([{**hit, "url": url}]))
        assert "](<" not in md and "<img" not in md, (url, md)
        assert "href" not in hits_html([{**hit, "url": url}]), url


def test_opensanctions_ids_are_linked_percent_safe() -> None:
    from summarizer.screening.formats import ofac_url, opensanctions_url

    assert opensanctions_url("NK-abc.1_2") == "https://www.opensanctions.org/entities/NK-abc.1_2/"
    assert opensanctions_url("a/../b") is None and opensanctions_url("") is None
    assert ofac_url("123") is not None and ofac_url("12a") is None


# --------------------------------------------------------------------------- XML


def test_a_doctype_after_64_kib_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sdn.xml"
    path.write_text(
        '<?xml version="1.0"?><!-- <sdnList> --><!--' + "x" * 70_000 + '--><!DOCTYPE sdnList [<!ENTITY e "EVIL ENTITY CORP">]>'
        '<sdnList><sdnEntry><uid>1</uid><lastName>&e;</lastName><sdnType>Entity</sdnType></sdnEntry></sdnList>'
    )
    with pytest.raises(ScreeningError, match="DOCTYPE") as exc:
        index_mod.load(path)
    assert "EVIL" not in exc.value.one_line()


def test_an_external_parameter_entity_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sdn.xml"
    path.write_text(  # sniffed as sdn.xml (a comment names the root), the DTD after the first 64 KiB
        '<?xml version="1.0"?>\n<!-- <sdnList> -->' + " " * 70_000 +
        '<!DOCTYPE sdnList [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]><sdnList></sdnList>'
    )
    with pytest.raises(ScreeningError, match="DOCTYPE"):
        index_mod.load(path)


# --------------------------------------------------------------------------- list files


def test_an_sdn_field_over_the_csv_limit_skips_that_entry_with_a_warning(tmp_path: Path) -> None:
    lines = SLICE.read_bytes().split(b"\r\n")
    long_row = b'99999,"HUGE REMARKS CORP",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"' + b"x" * 140_000 + b'"'
    path = tmp_path / "sdn.csv"
    path.write_bytes(b"\r\n".join(lines[:3] + [long_row] + lines[3:]))
    index = index_mod.load(path)
    assert len(index.entries) == 32 and index.skipped == 1
    assert "sdn.csv line 4" in index.warnings[0] and "over 128 KiB" in index.warnings[0]
    res = runner.invoke(app, ["screen", "Mahan Air", "--screen", str(path)])
    assert res.exit_code == 0, res.output
    assert "warning: OFAC SDN (sdn.csv): 1 entry skipped: sdn.csv line 4" in res.stderr


def test_hostile_ftm_lines_are_skipped_not_crashes(tmp_path: Path) -> None:
    deep = '{"id": "d", "schema": "Person", "properties": {"name": ' + "[" * 200_000 + "]" * 200_000 + "}}"
    path = _ftm(
        tmp_path / "e.ftm.json",
        PERSON,
        deep,
        {"id": "s1", "schema": "Sanction", "properties": {"entity": ["NK-ok"], "programId": [{}]}},
        {"id": "s2", "schema": "Sanction", "properties": {"entity": [{"id": 5}, "NK-ok"], "programId": ["US-X", 7]}},
        {"id": "bad-names", "schema": "Person", "properties": {"name": "not a list", "alias": [1, None, "Jane Roe"]}},
        {"id": 42, "schema": "Person", "properties": {"name": ["No Id"]}},
        "[1, 2]",
    )
    index = index_mod.load(path)
    by = {e.entry_id: e for e in index.entries}
    assert set(by) == {"NK-ok", "bad-names"}
    assert by["NK-ok"].programs == ("US-X",) and by["bad-names"].name == "Jane Roe"
    assert index.skipped == 3 and any("nested too deep" in w for w in index.warnings), index.warnings


# --------------------------------------------------------------------------- yente answers


@pytest.mark.parametrize(
    "change, field",
    [
        ({"score": "high"}, "score"),
        ({"score": [1]}, "score"),
        ({"score": True}, "score"),
        ({"score": 1.5}, "score"),
        ({"features": {"x": "bad"}}, "features"),
        ({"properties": {"name": 5}}, "properties.name"),
        ({"id": None}, "id"),
        ({"caption": ["x"]}, "caption"),
    ],
)
def test_a_malformed_yente_answer_is_one_clear_error(change: dict, field: str) -> None:
    result = {**ENTITIES[0], "score": 1.0, "match": True, "features": {"name_literal_match": 1.0}, **change}
    with FakeYente() as yente:
        yente.faults.append(Fault(body=json.dumps({"responses": {"q0": {"status": 200, "results": [result]}}}).encode()))
        res = runner.invoke(app, ["screen", "Abdolhossein Khedri", "--screen-url", yente.url])
    assert res.exit_code == 11, res.output
    assert f"results[0].{field} is malformed" in res.stderr and "Traceback" not in res.output
    assert len(res.stderr.strip().splitlines()) == 1


def test_an_infinite_yente_score_never_reaches_the_output() -> None:
    body = json.dumps({"responses": {"q0": {"results": [{**ENTITIES[0], "score": 1.0}]}}}).replace("1.0", "1e999")
    with FakeYente() as yente:
        yente.faults.append(Fault(body=body.encode()))
        res = runner.invoke(app, ["screen", "Abdolhossein Khedri", "--screen-url", yente.url])
    assert res.exit_code == 11 and "score is malformed (inf)" in res.stderr
    assert "Infinity" not in res.stdout


def test_a_yente_error_echoing_the_key_does_not_print_it(monkeypatch: pytest.MonkeyPatch) -> None:
    key = "yente-secret-key-0123456789"
    monkeypatch.setenv(KEY_ENV, key)
    with FakeYente() as yente:
        yente.faults.append(Fault(status=500, body=json.dumps({"detail": f"upstream failed for ApiKey {key}"}).encode()))
        res = runner.invoke(app, ["screen", "Khedri", "--screen-url", yente.url])
        assert yente.requests[0]["headers"]["Authorization"] == f"ApiKey {key}"
    assert res.exit_code == 11 and "upstream failed" in res.stderr
    assert key not in res.output, "the yente key was printed"


# --------------------------------------------------------------------------- lists update


@pytest.mark.parametrize("value", ["nan", "-1", "inf", "0"])
def test_lists_update_refuses_a_bad_timeout(value: str) -> None:
    res = runner.invoke(app, ["lists", "update", "--timeout", value])
    assert res.exit_code == 2 and "--timeout" in res.output and "Traceback" not in res.output


@pytest.mark.parametrize("key", ["ofac", "ofac-sdn/../../evil.csv", "opensanctions/other.csv", "ofac-sdn/"])
def test_lists_update_refuses_a_source_that_names_no_file(key: str) -> None:
    res = runner.invoke(app, ["lists", "update", "--source", f"{key}=http://127.0.0.1:9/x.csv"])
    assert res.exit_code == 2, res.output
    assert "names no list file" in res.output and "ofac-sdn/sdn.csv" in res.output


class _Mirror(BaseHTTPRequestHandler):
    """Serves `body` for any path, gzip-encoded when `encoding` says so; counts bytes sent."""

    body: bytes = b""
    encoding: str | None = None
    sent = 0

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.send_response(200)
        if self.encoding:
            self.send_header("Content-Encoding", self.encoding)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        try:
            for i in range(0, len(self.body), 65536):
                self.wfile.write(self.body[i : i + 65536])
                type(self).sent += len(self.body[i : i + 65536])
        except (BrokenPipeError, ConnectionResetError):
            pass


@pytest.fixture
def serve() -> Iterator[type[_Mirror]]:
    handler = type("Handler", (_Mirror,), {"sent": 0})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    handler.url = f"http://127.0.0.1:{server.server_address[1]}"  # type: ignore[attr-defined]
    try:
        yield handler
    finally:
        server.shutdown()
        server.server_close()


def test_lists_update_source_json_has_the_redacted_url(serve: type[_Mirror], tmp_path: Path) -> None:
    serve.body = (LISTS / "targets.simple.csv").read_bytes()
    base = serve.url.replace("http://", "http://user:pa55word@")  # type: ignore[attr-defined]
    res = runner.invoke(app, ["lists", "update", "opensanctions", "--source", f"opensanctions={base}/t.csv?token=s3cret"])
    assert res.exit_code == 0, res.output
    meta = json.loads((tmp_path / "data" / "lists" / "opensanctions" / "source.json").read_text())
    url = meta["files"]["targets.simple.csv"]["url"]
    assert url == f"{serve.url}/t.csv", url  # type: ignore[attr-defined]
    assert "pa55word" not in json.dumps(meta) and "s3cret" not in json.dumps(meta)


def _bomb(header: bytes, row: bytes, decoded_bytes: int) -> bytes:
    """A gzip body of a valid-looking list that expands to `decoded_bytes` (rows repeated)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: a gzip wrapper
    chunk = row * (1 << 20 // len(row) + 1)
    out = [comp.compress(header)]
    for _ in range(decoded_bytes // len(chunk)):
        out.append(comp.compress(chunk))
    out.append(comp.flush())
    return b"".join(out)


def test_a_compression_bomb_stops_within_its_first_megabytes(serve: type[_Mirror], tmp_path: Path) -> None:
    rows = SLICE.read_bytes().split(b"\r\n")
    serve.body = _bomb(b"\r\n".join(rows[:10]) + b"\r\n", rows[5] + b"\r\n", 100 << 20)
    serve.encoding = "gzip"
    assert len(serve.body) < 4 << 20
    t0 = time.monotonic()
    res = runner.invoke(app, ["lists", "update", "ofac-sdn", "--source", f"ofac-sdn/sdn.csv={serve.url}/sdn.csv"])  # type: ignore[attr-defined]
    assert res.exit_code == 11 and "too large" in res.stdout, res.output
    assert time.monotonic() - t0 < 30
    folder = tmp_path / "data" / "lists" / "ofac-sdn"
    assert not [p for p in folder.iterdir() if p.name.startswith(".")], "a partial download was left behind"
    assert not (folder / "sdn.csv").exists()


def test_a_download_of_the_wrong_format_stops_at_its_first_bytes(serve: type[_Mirror], tmp_path: Path) -> None:
    serve.body = gzip.compress(b"\0" * (64 << 20), 1)
    serve.encoding = "gzip"
    res = runner.invoke(app, ["lists", "update", "ofac-sdn", "--source", f"ofac-sdn/sdn.csv={serve.url}/sdn.csv"])  # type: ignore[attr-defined]
    assert res.exit_code == 11 and "is not ofac-sdn-csv" in res.stdout, res.output


def test_screener_survives_threads(tmp_path: Path) -> None:
    """One index, read from the threads of a batch (asyncio.to_thread) at once."""
    screener = Screener.from_options([SLICE])
    results: list[list[str]] = []

    def work() -> None:
        for _ in range(5):
            results.append([h.entry_id for h in screener.screen([("Mahan Air", "organization", [])])[0]])

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 20 and all(r == ["12927"] for r in results)
