"""Screening wired into summarize, batch and the library, through the fake OpenAI server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer import summarize, summarize_many
from summarizer.cli import app
from summarizer.errors import ScreeningError
from summarizer.schema import ArticleSummary
from summarizer.screening import index as index_mod
from tests.fakes import FakeOpenAI, FakeYente, Reply
from tests.fakes.yente import Fault

from .conftest import EXAMPLE, ROOT, TEST_KEY, example_payload

SLICE = ROOT / "tests" / "data" / "lists" / "sdn-slice.csv"
runner = CliRunner()
ENV = {"OPENAI_API_KEY": TEST_KEY}

# A hand-written article (synthetic: a shortened paraphrase of the OFAC release of the
# development set) that prints a vessel's IMO number beside the wrong vessel name on purpose.
ARTICLE = (
    "Treasury designated Abdolhossein Khedri and Khedri Jahan Darya Co. today. "
    "It identified the vessel Genava 11 (IMO 9776523) as blocked property. "
    "The Pentagon declined to comment."
)


def _payload() -> dict:
    return example_payload(
        summary=[{"text": "Treasury designated Khedri and his company and identified a vessel.", "support": ["S1", "S2"]}],
        quotes=[],
        allegations=[{"claim": "Khedri supported smuggling.", "alleged_by": "Treasury", "against": "Abdolhossein Khedri",
                      "status": "alleged", "hedge": None, "evidence": "S1"}],
        sanctions_targets=[
            {"name": "Abdolhossein Khedri", "kind": "person", "country": None, "imposed_by": "Treasury"},
            {"name": "Khedri Jahan Darya Co.", "kind": "organization", "country": None, "imposed_by": "Treasury"},
            {"name": "Genava 11", "kind": "vessel", "country": None, "imposed_by": "Treasury"},
        ],
    )


@pytest.fixture(autouse=True)
def _fresh() -> None:
    index_mod.forget()


def test_output_is_unchanged_without_screen(fake: FakeOpenAI) -> None:
    fake.script(Reply(payload=example_payload()))
    res = runner.invoke(app, ["summarize", str(EXAMPLE), "--no-cache", "--base-url", fake.url], env=ENV)
    assert res.exit_code == 0, res.output
    assert "screening" not in json.loads(res.stdout)["sanctions_targets"][0]


def test_summarize_screens_each_target(fake: FakeOpenAI, tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE)
    fake.script(Reply(payload=_payload()))
    res = runner.invoke(app, ["summarize", str(article), "--base-url", fake.url, "--screen", str(SLICE)], env=ENV)
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    ArticleSummary.model_validate(out)
    khedri, company, vessel = out["sanctions_targets"]
    assert [h["entry_id"] for h in khedri["screening"]] == ["28103"]
    assert company["screening"][0]["entry_id"] == "28104"
    # the IMO number printed next to "Genava 11" is GENAVA 12's: the identifier comes first
    assert [h["entry_id"] for h in vessel["screening"]] == ["28105", "28106"]
    assert "IMO number 9776523 in the article" in vessel["screening"][0]["why"]
    # a cache hit is screened again (lists change; the model's answer does not)
    again = runner.invoke(app, ["summarize", str(article), "--base-url", fake.url, "--screen", str(SLICE)], env=ENV)
    assert len(fake.requests) == 1 and json.loads(again.stdout)["sanctions_targets"][0]["screening"]
    plain = runner.invoke(app, ["summarize", str(article), "--base-url", fake.url], env=ENV)
    assert "screening" not in json.loads(plain.stdout)["sanctions_targets"][0]  # the cache holds none


def test_a_bad_list_fails_before_any_model_call(fake: FakeOpenAI, tmp_path: Path) -> None:
    bad = tmp_path / "list.csv"
    bad.write_text("not,a,list\n")
    res = runner.invoke(app, ["summarize", str(EXAMPLE), "--base-url", fake.url, "--screen", str(bad)], env=ENV)
    assert res.exit_code == 11 and "not a sanctions list" in res.stderr
    assert fake.requests == []
    res = runner.invoke(app, ["summarize", str(EXAMPLE), "--base-url", fake.url, "--screen-all"], env=ENV)
    assert res.exit_code == 11 and fake.requests == []


def test_screen_all_screens_accusers_and_accused_on_their_mentions(fake: FakeOpenAI, tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE)
    fake.script(Reply(payload=_payload()))
    res = runner.invoke(app, ["summarize", str(article), "--no-cache", "--base-url", fake.url,
                              "--screen", str(SLICE), "--screen-all"], env=ENV)
    assert res.exit_code == 0, res.output
    allegation = json.loads(res.stdout)["allegations"][0]
    assert allegation["against"] == "Abdolhossein Khedri"
    assert allegation["against_mention"]["screening"][0]["entry_id"] == "28103"  # KHEDRI, Abdolhossein
    assert allegation["alleged_by_mention"]["screening"] == []  # screened: Treasury is on no list


def test_summarize_through_yente(fake: FakeOpenAI, tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE)
    fake.script(Reply(payload=_payload()))
    with FakeYente() as yente:
        res = runner.invoke(app, ["summarize", str(article), "--base-url", fake.url, "--screen-url", yente.url], env=ENV)
        assert res.exit_code == 0, res.output
        assert len(yente.requests) == 1 and len(yente.requests[0]["json"]["queries"]) == 3
    targets = json.loads(res.stdout)["sanctions_targets"]
    assert targets[0]["screening"][0]["entry_id"] == "NK-khedri"


def test_batch_screens_every_article_with_one_index(fake: FakeOpenAI, tmp_path: Path) -> None:
    for i in range(3):
        (tmp_path / f"a{i}.txt").write_text(ARTICLE + f" Story {i}.")
    fake.script(*[Reply(payload=_payload()) for _ in range(3)])
    out = tmp_path / "out.jsonl"
    res = runner.invoke(
        app, ["batch", str(tmp_path), "-o", str(out), "--base-url", fake.url, "--screen", str(SLICE), "-c", "2"], env=ENV
    )
    assert res.exit_code == 0, res.output
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 3 and all(line["ok"] for line in lines)
    for line in lines:
        assert line["result"]["sanctions_targets"][0]["screening"][0]["entry_id"] == "28103"


def test_library_screening_argument(fake: FakeOpenAI) -> None:
    fake.script(Reply(payload=_payload()), Reply(payload=_payload()))
    result = summarize(ARTICLE, base_url=fake.url, api_key=TEST_KEY, screening=SLICE)
    assert result.sanctions_targets[0].screening is not None
    assert result.sanctions_targets[0].screening[0].entry_id == "28103"
    many = summarize_many([ARTICLE], base_url=fake.url, api_key=TEST_KEY, screening=[str(SLICE)])
    assert isinstance(many[0], ArticleSummary) and many[0].sanctions_targets[2].screening
    with pytest.raises(ScreeningError):
        summarize(ARTICLE, base_url=fake.url, api_key=TEST_KEY, screening=42)
    assert len(fake.requests) == 2  # the bad `screening=` was refused before a model call


# --------------------------------------------------------------------------- what was screened


NO_TARGETS = ("Officials of both governments met in Geneva on Monday to talk about trade and visas.\n"
              "\u201cWe will meet again in the spring, and we expect progress,\u201d said Jane Doe, the envoy.\n")


def test_nothing_to_screen_is_said_on_stderr_and_in_the_output(tmp_path: Path) -> None:
    """An article that names no sanctions target must not look like "no hits"."""
    article = tmp_path / "talks.txt"
    article.write_text(NO_TARGETS, "utf-8")
    res = runner.invoke(app, ["summarize", str(article), "--backend", "rules", "--no-log", "--screen", str(SLICE)])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["sanctions_targets"] == []
    summary = out["screening"]
    assert summary["screened"] == 0 and summary["scope"] == "targets" and summary["lists"] == ["OFAC SDN (sdn-slice.csv)"]
    assert summary["reason"] == "no sanctions targets named; --screen-all screens every named party"
    assert "screening: nothing screened: no sanctions targets named" in res.stderr


def test_screening_is_null_when_not_asked(fake: FakeOpenAI) -> None:
    fake.script(Reply(payload=example_payload()))
    res = runner.invoke(app, ["summarize", str(EXAMPLE), "--no-cache", "--base-url", fake.url], env=ENV)
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["screening"] is None
    assert "screening:" not in res.stderr


def test_the_summary_counts_what_was_and_was_not_screened(fake: FakeOpenAI, tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE)
    fake.script(Reply(payload=_payload()), Reply(payload=_payload()))
    res = runner.invoke(app, ["summarize", str(article), "--no-cache", "--base-url", fake.url, "--screen", str(SLICE)], env=ENV)
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)["screening"]
    # three targets screened; Treasury (accuser) and Khedri (accused) are named but not screened
    assert summary == {
        "lists": ["OFAC SDN (sdn-slice.csv)"], "scope": "targets", "screened": 3, "not_screened": 2, "hits": 4,
        "reason": "2 other named parties not screened; --screen-all screens every named party",
    }
    assert "screening: 3 name(s) screened, 2 not: 2 other named parties" in res.stderr
    every = runner.invoke(app, ["summarize", str(article), "--no-cache", "--base-url", fake.url, "--screen", str(SLICE),
                                "--screen-all"], env=ENV)
    summary = json.loads(every.stdout)["screening"]
    # 3 targets, Treasury, and Khedri as the accused (kind unknown: compared with every listed type)
    assert (summary["scope"], summary["screened"], summary["not_screened"], summary["reason"]) == ("all", 5, 0, None)
    assert "screening:" not in every.stderr


def test_country_targets_are_not_screened_and_say_so() -> None:
    from summarizer.schema import ScreeningSummary
    from summarizer.screening import Screener
    from summarizer.screening.article import apply

    result = summarize("Sanctions on Iran were tightened.", backend="rules")
    target = result.sanctions_targets[0] if result.sanctions_targets else None
    if target is None or target.kind != "country":  # the rules baseline may not name it: build it
        from summarizer.schema import Mention, SanctionsTarget

        result.sanctions_targets = [SanctionsTarget(name="Iran", kind="country", country=None, imposed_by=None,
                                                    mention=Mention(start=13, end=17, text="Iran"))]
    summary = apply(result, "Sanctions on Iran were tightened.", Screener.from_options([SLICE]))
    assert isinstance(summary, ScreeningSummary) and summary.screened == 0 and summary.not_screened >= 1
    assert result.sanctions_targets[0].screening is None  # not screened: the key stays out of the JSON
    assert summary.reason is not None and "countries" in summary.reason


def test_batch_says_which_articles_had_nothing_screened(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(2):
        (folder / f"a{i}.txt").write_text(NO_TARGETS + f"Story {i}.\n")
    out = tmp_path / "out.jsonl"
    res = runner.invoke(app, ["batch", str(folder), "-o", str(out), "--backend", "rules", "--no-log", "--screen", str(SLICE)])
    assert res.exit_code == 0, res.output
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert all(line["result"]["screening"]["screened"] == 0 for line in lines)
    assert "screening: nothing screened in 2 article(s)" in res.stderr


def test_batch_keeps_a_paid_result_when_its_screening_fails(fake: FakeOpenAI, tmp_path: Path) -> None:
    """With --no-cache a failed yente call used to leave only an error line: the model's answer,
    paid for, was gone. It is written unscreened; the article is named as failed for screening;
    a rerun does not ask the model again."""
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(2):
        (folder / f"a{i}.txt").write_text(ARTICLE + f" Story {i}.")
    fake.script(*[Reply(payload=_payload()) for _ in range(2)])
    out = tmp_path / "out.jsonl"
    args = ["batch", str(folder), "-o", str(out), "--no-cache", "--base-url", fake.url, "-c", "1"]
    with FakeYente() as yente:
        yente.faults.append(Fault(status=500, body=b'{"detail": "upstream failed"}'))
        res = runner.invoke(app, [*args, "--screen-url", yente.url], env=ENV)
    assert res.exit_code == 12, res.output  # some articles failed (their screening)
    assert "not screened, result kept" in res.stderr
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 2 and all(line["ok"] for line in lines)  # both results kept
    unscreened = [line for line in lines if "screening" not in line["result"]["sanctions_targets"][0]]
    assert len(unscreened) == 1  # the one whose yente call failed; the other was screened
    assert len(fake.requests) == 2
    with FakeYente() as yente:
        again = runner.invoke(app, [*args, "--screen-url", yente.url], env=ENV)
    assert again.exit_code == 0, again.output
    assert len(fake.requests) == 2  # nothing paid twice
