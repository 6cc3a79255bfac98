"""`summarizer screen`, `summarizer lists [update]` and `--screen-url` against loopback servers."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer.cli import app
from summarizer.errors import ScreeningError
from summarizer.screening import Screener
from summarizer.screening import index as index_mod
from summarizer.screening.yente import KEY_ENV, YenteClient
from tests.fakes import FakeYente, Fault

from .conftest import ROOT

LISTS = ROOT / "tests" / "data" / "lists"
SLICE = LISTS / "sdn-slice.csv"
runner = CliRunner()


@pytest.fixture(autouse=True)
def _data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SUMMARIZER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv(KEY_ENV, raising=False)
    index_mod.forget()


@pytest.fixture
def yente() -> Iterator[FakeYente]:
    with FakeYente() as server:
        yield server


# --------------------------------------------------------------------------- screen


def test_screen_prints_json_hits() -> None:
    result = runner.invoke(app, ["screen", "Abdolhossein Khedri", "Nobody At All", "--screen", str(SLICE)])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["query"] for r in rows] == ["Abdolhossein Khedri", "Nobody At All"]
    hit = rows[0]["screening"][0]
    assert set(hit) >= {"list", "entry_id", "name", "matched_name", "programs", "type", "score", "why"}
    assert hit["entry_id"] == "28103" and hit["programs"] == ["SDGT", "IFSR"] and hit["type"] == "person"
    assert hit["url"].endswith("id=28103") and "word order" in hit["why"]
    assert rows[1]["screening"] == []


def test_screen_reads_names_from_stdin_and_prints_a_table() -> None:
    result = runner.invoke(app, ["screen", "--screen", str(SLICE), "-f", "table"], input="Mahan Air\n\nGenava 12\n")
    assert result.exit_code == 0, result.output
    assert "MAHAN AIR" in result.stdout and "GENAVA 12" in result.stdout and "12927" in result.stdout


def test_screen_kind_and_threshold() -> None:
    loose = runner.invoke(app, ["screen", "Khedri", "--screen", str(SLICE)])
    strict = runner.invoke(app, ["screen", "Khedri", "--screen", str(SLICE), "--screen-threshold", "0.9"])
    as_org = runner.invoke(app, ["screen", "Khedri", "--screen", str(SLICE), "--kind", "vessel"])
    assert json.loads(loose.stdout)[0]["screening"][0]["entry_id"] == "28103"
    assert json.loads(strict.stdout)[0]["screening"] == []
    assert json.loads(as_org.stdout)[0]["screening"] == []


def test_screen_errors_are_one_line_with_exit_codes(tmp_path: Path) -> None:
    bad = tmp_path / "list.csv"
    bad.write_text("a,b,c\n1,2,3\n")
    result = runner.invoke(app, ["screen", "X", "--screen", str(bad)])
    assert result.exit_code == 11 and result.stderr.count("\n") == 1 and "not a sanctions list" in result.stderr
    result = runner.invoke(app, ["screen", "X"])
    assert result.exit_code == 11 and "no sanctions list given" in result.stderr
    result = runner.invoke(app, ["screen", "X", "--screen", str(SLICE), "--format", "xml"])
    assert result.exit_code == 2
    result = runner.invoke(app, ["screen", "X", "--screen", str(tmp_path / "nope.csv")])
    assert result.exit_code == 11 and "no such list file" in result.stderr and "Traceback" not in result.output


def test_screen_writes_output_file(tmp_path: Path) -> None:
    out = tmp_path / "hits.json"
    result = runner.invoke(app, ["screen", "Homa", "--screen", str(SLICE), "-o", str(out)])
    assert result.exit_code == 0 and result.stdout == ""
    assert json.loads(out.read_text())[0]["screening"][0]["name"] == "IRAN AIR"


# --------------------------------------------------------------------------- lists


def test_lists_shows_name_date_entries() -> None:
    result = runner.invoke(app, ["lists", "--screen", str(LISTS / "sdn-small.xml")])
    assert result.exit_code == 0, result.output
    assert "OFAC SDN" in result.stdout and "3 entries" in result.stdout and "published 2024-05-03" in result.stdout
    empty = runner.invoke(app, ["lists"])
    assert empty.exit_code == 0 and "no lists installed" in empty.stdout


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def mirror(tmp_path: Path) -> Iterator[str]:
    """A loopback HTTP server over a folder holding list files (a stand-in for OFAC/OpenSanctions)."""
    root = tmp_path / "mirror"
    root.mkdir()
    (root / "sdn.csv").write_bytes(SLICE.read_bytes())
    (root / "alt.csv").write_bytes((LISTS / "alt" / "alt.csv").read_bytes())
    (root / "targets.simple.csv").write_bytes((LISTS / "targets.simple.csv").read_bytes())
    (root / "page.html").write_text("<html>maintenance</html>")

    def handler(*args: object, **kwargs: object) -> _Quiet:
        return _Quiet(*args, directory=str(root), **kwargs)  # type: ignore[arg-type]

    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _sources(base: str) -> list[str]:
    return [
        "--source", f"ofac-sdn/sdn.csv={base}/sdn.csv",
        "--source", f"ofac-sdn/alt.csv={base}/alt.csv",
        "--source", f"opensanctions={base}/targets.simple.csv",
    ]


def test_lists_update_downloads_and_installs(mirror: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["lists", "update", *_sources(mirror)])
    assert result.exit_code == 0, result.output
    folder = tmp_path / "data" / "lists"
    assert (folder / "ofac-sdn" / "sdn.csv").read_bytes() == SLICE.read_bytes()
    assert (folder / "ofac-sdn" / "alt.csv").exists() and (folder / "opensanctions" / "targets.simple.csv").exists()
    meta = json.loads((folder / "ofac-sdn" / "source.json").read_text())
    assert meta["files"]["sdn.csv"]["url"] == f"{mirror}/sdn.csv"
    assert not [p for p in (folder / "ofac-sdn").iterdir() if p.name.startswith(".")]  # no temp files left
    shown = runner.invoke(app, ["lists"])
    assert "ofac-sdn: OFAC SDN" in shown.stdout and "32 entries" in shown.stdout and "downloaded" in shown.stdout
    # an installed list is usable by name, with the downloaded alt.csv beside it
    hits = runner.invoke(app, ["screen", "Iran Air National Airlines", "--screen", "ofac-sdn"])
    assert json.loads(hits.stdout)[0]["screening"][0]["entry_id"] == "25237"


def test_a_bad_download_leaves_the_installed_list(mirror: str, tmp_path: Path) -> None:
    assert runner.invoke(app, ["lists", "update", "ofac-sdn", *_sources(mirror)[:4]]).exit_code == 0
    installed = tmp_path / "data" / "lists" / "ofac-sdn" / "sdn.csv"
    before = installed.read_bytes()
    for url in (f"{mirror}/page.html", f"{mirror}/missing.csv", "http://127.0.0.1:9/sdn.csv"):
        result = runner.invoke(app, ["lists", "update", "ofac-sdn", "--source", f"ofac-sdn/sdn.csv={url}", "--timeout", "5"])
        assert result.exit_code == 11, result.output
        assert "not updated" in result.stdout and "unchanged" in result.stdout
        assert installed.read_bytes() == before
    assert not [p for p in installed.parent.iterdir() if p.name.startswith(".")]


def test_lists_update_without_network_says_so(tmp_path: Path) -> None:
    # a port nothing listens on stands in for a closed network
    result = runner.invoke(app, ["lists", "update", "opensanctions", "--source", "opensanctions=http://127.0.0.1:9/x.csv"])
    assert result.exit_code == 11 and "no network, or the host is unreachable" in result.stdout


def test_lists_update_refuses_a_bad_source_option() -> None:
    assert runner.invoke(app, ["lists", "update", "--source", "nonsense"]).exit_code == 2


# --------------------------------------------------------------------------- yente


def test_yente_request_and_response(yente: FakeYente, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, "yente-key-123")
    screener = Screener.from_options(url=f"{yente.url}/match/sanctions", threshold=0.75)
    hits = screener.screen([("Abdolhossein Khedri", "person", []), ("Homa", "organization", []), ("Nobody", None, [])])
    assert [h.entry_id for h in hits[0]] == ["NK-khedri"] and hits[0][0].programs == ["US-SDGT"]
    assert [h.entry_id for h in hits[1]] == ["NK-iranair"] and hits[1][0].programs == ["US-IRAN"]
    assert hits[2] == []
    assert hits[0][0].url == "https://www.opensanctions.org/entities/NK-khedri/"
    assert len(yente.requests) == 1  # one request for all names
    req = yente.requests[0]
    assert req["path"] == "/match/sanctions" and req["query"]["threshold"] == "0.75"
    assert req["json"]["queries"]["q0"] == {"schema": "Person", "properties": {"name": ["Abdolhossein Khedri"]}}
    assert req["json"]["queries"]["q1"]["schema"] == "Organization"
    assert req["headers"]["Authorization"] == "ApiKey yente-key-123"


def test_yente_key_is_not_sent_across_a_redirect(yente: FakeYente, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, "yente-key-123")
    with FakeYente() as elsewhere:
        yente.faults.append(Fault(status=307, body=b"", headers={"Location": f"{elsewhere.url}/match/default"}))
        with pytest.raises(ScreeningError, match="redirect, not followed") as exc:
            Screener.from_options(url=yente.url).screen([("Khedri", None, [])])
        assert elsewhere.requests == [] and "yente-key-123" not in exc.value.one_line()


@pytest.mark.parametrize(
    "fault, message",
    [
        (Fault(status=401), "key was refused"),
        (Fault(status=500, body=b'{"detail": "index missing"}'), "HTTP 500: index missing"),
        (Fault(body=b"<html>proxy</html>"), "not JSON"),
        (Fault(body=b'{"something": "else"}'), "no `responses`"),
    ],
)
def test_yente_faults_are_clear(yente: FakeYente, fault: Fault, message: str) -> None:
    yente.faults.append(fault)
    with pytest.raises(ScreeningError, match=message):
        Screener.from_options(url=yente.url).screen([("Khedri", None, [])])


def test_yente_trickle_hits_the_deadline(yente: FakeYente) -> None:
    yente.faults.append(Fault(body=b'{"responses": {}}' * 20, trickle=0.05))
    client = YenteClient.from_url(yente.url, timeout=0.5)
    with pytest.raises(ScreeningError, match="no answer within 0.5 s"):
        client.match([("Khedri", None, [])])


def test_yente_unreachable_and_bad_urls() -> None:
    with pytest.raises(ScreeningError, match="cannot reach the server"):
        YenteClient.from_url("http://127.0.0.1:9", timeout=2).match([("Khedri", None, [])])
    with pytest.raises(ScreeningError, match="not an http"):
        YenteClient.from_url("ftp://user:pw@host/x")


def test_screen_cli_through_yente(yente: FakeYente) -> None:
    result = runner.invoke(app, ["screen", "Genava 12", "--kind", "vessel", "--screen-url", yente.url])
    assert result.exit_code == 0, result.output
    hit = json.loads(result.stdout)[0]["screening"][0]
    assert hit["entry_id"] == "NK-genava12" and hit["type"] == "vessel" and hit["list"].startswith("yente 127.0.0.1/default")
    assert yente.requests[0]["json"]["queries"]["q0"]["schema"] == "Vessel"


# --------------------------------------------------------------------------- README


def test_every_screening_command_in_the_readme_runs(yente: FakeYente, monkeypatch: pytest.MonkeyPatch) -> None:
    import re
    import shlex

    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("## Sanctions screening", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None
    lines = [line.strip() for line in block.group(1).splitlines() if line.strip()]
    assert len(lines) >= 5
    monkeypatch.chdir(ROOT)
    for line in lines:
        stdin = None
        if "|" in line:
            producer, line = (part.strip() for part in line.split("|", 1))
            assert producer.startswith("printf ")
            stdin = shlex.split(producer)[1].encode().decode("unicode_escape").encode("latin-1").decode("utf-8")
        args = shlex.split(line.replace("http://localhost:8000", yente.url))
        assert args[0] == "summarizer"
        if args[1:3] == ["lists", "update"]:
            args += ["--timeout", "5"]  # bounded, whatever the network does here
        result = runner.invoke(app, args[1:], input=stdin)
        if args[1:3] == ["lists", "update"]:
            # no network here: it must say so clearly, with the documented exit code
            assert result.exit_code in (0, 11) and ("updated" in result.stdout or "no network" in result.stdout)
            continue
        assert result.exit_code == 0, (line, result.output)
        assert result.stdout.strip(), line


# --------------------------------------------------------------------------- reading hits


def test_table_leads_with_the_matched_name_says_strength_and_keeps_urls_whole() -> None:
    result = runner.invoke(app, ["screen", "Homa", "Jahan Destination Travel and Tourism LLC", "--kind", "organization",
                                 "--screen", str(SLICE), "-f", "table"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "1.00 exact" in out and "weak" in out, out
    # the alias that matched comes first, the entry's own name after it
    homa_row = next(line for line in out.splitlines() if "HOMA" in line and "Homa" in line)
    assert homa_row.index("HOMA") < homa_row.index("IRAN AIR"), homa_row
    # every URL is printed whole on one line under the table
    urls = [line for line in out.splitlines() if "https://" in line]
    assert urls and all(line.startswith("[") and line.rstrip().endswith(tuple("0123456789")) for line in urls), urls
    assert len({u.split()[-1] for u in urls}) == len(urls)


def test_one_rounding_everywhere() -> None:
    result = runner.invoke(app, ["screen", "Mahan Air", "Jahan Destination Travel and Tourism LLC", "--screen", str(SLICE)])
    for row in json.loads(result.stdout):
        for hit in row["screening"]:
            assert hit["score"] == round(hit["score"], 2), hit
            if "score " in hit["why"]:
                assert hit["why"].endswith(f"score {hit['score']:.2f}"), hit


def test_lists_shows_the_date_the_file_gives() -> None:
    result = runner.invoke(app, ["lists", "--screen", str(LISTS / "targets.simple.csv"), "--screen", str(SLICE)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "data as of 2024-05-03" in lines[0]  # the newest last_seen in the file
    assert "publication date not in the file" in lines[1]  # sdn.csv has none; never the copy's mtime
    assert "file date" not in result.stdout
