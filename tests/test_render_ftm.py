"""`summarizer render -f ftm`: FollowTheMoney entities from real batch output, checked by
followthemoney itself (its model, `ftm validate`, `ftm aggregate`), not by our own reading.

Batches are the development articles through the recorded real model (with targets) and through
the rules backend (speakers and hedged allegations only).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from summarizer.render.ftm import iso_date, sentence_around
from summarizer.schema import Span

from .render_batches import RECORDED, render, replay_batch, rules_batch

FTM = Path(sys.executable).parent / "ftm"


def entities(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def essence(e: dict[str, Any]) -> str:
    """An entity's id, schema and property values, comparable (FtM adds empty bookkeeping keys)."""
    return json.dumps([e["id"], e["schema"], {k: sorted(v) for k, v in sorted(e["properties"].items())}])


def check_valid(items: list[dict[str, Any]]) -> Counter[str]:
    """Every entity as followthemoney's model wants it; the schemata counted."""
    from followthemoney import model

    ids = [e["id"] for e in items]
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1][:3]
    schema_of = {e["id"]: e["schema"] for e in items}
    for e in items:
        schema = model.get(e["schema"])
        assert schema is not None and not schema.abstract, e["schema"]
        proxy = model.get_proxy(e, cleaned=False)  # cleans every value as FtM would
        cleaned = proxy.to_dict()["properties"]
        assert {k: sorted(v) for k, v in cleaned.items()} == {k: sorted(v) for k, v in e["properties"].items()}, e
        for required in schema.required:
            assert e["properties"].get(required), (e["schema"], required)
        for name, values in e["properties"].items():
            prop = schema.get(name)
            assert prop is not None, (e["schema"], name)
            if prop.type.name == "entity":
                for ref in values:  # every reference resolves, to a schema the property accepts
                    assert ref in schema_of, (e["schema"], name, ref)
                    assert model.get(schema_of[ref]).is_a(prop.range), (e["schema"], name, schema_of[ref])
    return Counter(schema_of.values())


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return replay_batch(tmp_path_factory.mktemp("replayed"))


def test_the_export_of_the_recorded_model_is_valid_ftm(replayed: Path, tmp_path: Path) -> None:
    out = tmp_path / "entities.ftm.json"
    err = render(replayed, "-f", "ftm", "-o", out)
    items = entities(out)
    assert f"rendered {len(items)} entities" in err
    counts = check_valid(items)
    assert counts["Article"] == len(RECORDED)
    assert counts["Mention"] > counts["Article"] and counts["Sanction"] >= 1 and counts["UnknownLink"] >= 1
    assert counts["Person"] >= 1 and (counts["Organization"] + counts["LegalEntity"]) >= 1

    by_id = {e["id"]: e for e in items}
    lines = [json.loads(x) for x in replayed.read_text("utf-8").splitlines()]
    targets = sum(len(line["result"]["sanctions_targets"]) for line in lines)
    assert 1 <= counts["Sanction"] <= targets  # one per target and article (the same target twice: one)
    for e in items:
        p = e["properties"]
        if e["schema"] == "Sanction":
            assert by_id[p["proof"][0]]["schema"] == "Article"
            body = " ".join(by_id[p["proof"][0]]["properties"]["bodyText"][0].split())
            assert p["summary"][0] in body  # the article's own sentence (spaces collapsed)
        if e["schema"] == "Mention":
            body = by_id[p["document"][0]]["properties"]["bodyText"][0]
            assert p["name"][0] in body  # the name as the article writes it
            if "resolved" in p:
                assert p["detectedSchema"] == [by_id[p["resolved"][0]]["schema"]]
        if e["schema"] == "UnknownLink":
            assert p["role"][0].split(",")[0] in ("alleged", "claimed", "denied", "confirmed", "charged", "convicted")
    iran = next(e for e in items if e["schema"] == "Article" and e["properties"].get("fileName") == ["iran-missiles-russia.txt"])
    assert iran["properties"]["title"] == ["Iran Sanctioned for Allegedly Sending Missiles to Russia"]

    # followthemoney's own command line accepts the file and changes nothing in it
    checked = tmp_path / "validated.json"
    subprocess.run([str(FTM), "validate", "-i", str(out), "-o", str(checked)], check=True, capture_output=True,
                   timeout=120)
    assert sorted(map(essence, entities(checked))) == sorted(map(essence, items))

    again = tmp_path / "again.ftm.json"
    render(replayed, "-f", "ftm", "-o", again)
    assert again.read_bytes() == out.read_bytes()  # stable: the same ids (and lines) on every run


def test_rules_backend_output_exports_too(tmp_path: Path) -> None:
    batch = rules_batch(tmp_path / "rules")
    out = tmp_path / "rules.ftm.json"
    render(batch, "-f", "ftm", "-o", out)
    counts = check_valid(entities(out))
    assert counts["Article"] == len([x for x in batch.read_text("utf-8").splitlines() if x.strip()])
    lines = [json.loads(x) for x in batch.read_text("utf-8").splitlines() if x.strip()]
    targets = sum(len(line["result"]["sanctions_targets"]) for line in lines if line.get("result"))
    # the rules name the targets the wording settles (one Sanction per target and article), and speakers
    assert 1 <= counts["Sanction"] <= targets and counts["Mention"] > 0


def test_a_second_batch_merges_into_the_first_without_duplicate_ids(tmp_path: Path) -> None:
    first = replay_batch(tmp_path / "one", RECORDED[:3] + ["iran-missiles-russia.txt"])
    second = replay_batch(tmp_path / "two", ["iran-missiles-russia.txt", *RECORDED[3:5]])
    a, b = tmp_path / "a.ftm.json", tmp_path / "b.ftm.json"
    render(first, "-f", "ftm", "-o", a)
    render(second, "-f", "ftm", "-o", b)
    ea, eb = entities(a), entities(b)
    shared = {e["id"] for e in ea} & {e["id"] for e in eb}
    iran_a, iran_b = ({e["id"] for e in es if e["properties"].get("fileName") == ["iran-missiles-russia.txt"]}
                      for es in (ea, eb))
    assert iran_a == iran_b and iran_a <= shared  # the same article: the same id in both batches
    mentions = [{e["id"] for e in es if e["schema"] == "Mention" and e["properties"]["document"] == sorted(iran_a)}
                for es in (ea, eb)]
    assert mentions[0] == mentions[1] and mentions[0]  # and its mentions too
    parties = ("Person", "Organization", "LegalEntity", "Vessel", "Airplane")
    assert any(e["schema"] in parties for e in ea if e["id"] in shared)  # a party named in both batches

    both = tmp_path / "both.ftm.json"
    both.write_bytes(a.read_bytes() + b.read_bytes())
    merged = tmp_path / "merged.ftm.json"
    subprocess.run([str(FTM), "aggregate", "-i", str(both), "-o", str(merged)], check=True, capture_output=True,
                   timeout=120)
    out = entities(merged)
    assert len(out) == len({e["id"] for e in ea} | {e["id"] for e in eb})  # each id once
    check_valid(out)


def test_dates_and_sentences() -> None:
    assert iso_date("December 11, 2019") == "2019-12-11" and iso_date("2024-09-10T12:00:00Z") == "2024-09-10"
    assert iso_date("11.12.2019") == "2019-12-11" and iso_date("last Tuesday") is None and iso_date(None) is None
    text = "First one. The U.S. named Mahan Air today! Last."
    start = text.index("Mahan")
    assert sentence_around(text, Span(start=start, end=start + 9, text="Mahan Air")) == "The U.S. named Mahan Air today!"
    assert sentence_around(None, Span(start=0, end=9, text="Mahan Air")) == "Mahan Air"
