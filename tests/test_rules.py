"""The model-free `rules` backend: a baseline that runs through the real pipeline."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from summarizer import summarize
from summarizer.cli import app
from summarizer.rules import extract, quotes

from .conftest import EXAMPLE, SHARED


def test_rules_backend_on_the_example(example_text: str) -> None:
    r = summarize(example_text, backend="rules")
    assert r.provenance.backend == "rules" and r.provenance.attempts == 1
    assert r.provenance.usage.total_tokens == 0
    # the targets the wording settles ("The sanctions target Iran Air"), none it leaves open
    assert [t.name for t in r.sanctions_targets] == ["Iran Air"]
    # "Lammy said" resolved to the fullest name the article gives
    assert [q.speaker for q in r.quotes][:2] == ["David Lammy", "David Lammy"]
    assert r.quotes[2].speaker == "Antony Blinken"
    r.check_offsets(example_text)
    assert r.summary.startswith("Secretary of State Antony Blinken")  # the lede, not "Skip to content"


def test_speaker_cues() -> None:
    text = ("The minister spoke on Monday. \u201cWe will not yield to pressure today,\u201d Jane Doe said. "
            "\u201cNever,\u201d she added.\nCritics called it \u201cnonsense\u201d.\n"
            "Officials said: \u201cThe talks are over for now and for good.\u201d")
    got = [(q["text"], q["speaker"]) for q in quotes(text)]
    assert quotes("Secretary Steven T. Mnuchin said: \u201cThe designations stand today, all of them.\u201d")[0][
        "speaker"] == "Steven T. Mnuchin"  # titles dropped
    assert got == [("We will not yield to pressure today,", "Jane Doe"), ("Never,", "Jane Doe"),
                   ("The talks are over for now and for good.", "Officials")]  # "nonsense": a scare quote
    # an apposition may part the name from its verb after the quotation
    assert quotes("\u201cWe will not yield to pressure today,\u201d Jane Doe, the foreign minister, said.")[0][
        "speaker"] == "Jane Doe"
    # "the minister said": the minister the article named before, titled or in apposition
    for named in ("Foreign Minister Jane Doe spoke in Paris on Monday.", "Jane Doe, the foreign minister, spoke."):
        said = quotes(f"{named} \u201cWe will not yield to pressure today,\u201d the minister said.")
        assert said[0]["speaker"] == "Jane Doe", named
    assert quotes("\u201cWe will not yield to pressure today,\u201d the spokesman said.")[0]["speaker"] is None
    # a sentence's opening words are not the speaker's name ("Yesterday", "Many"), whatever the verb
    assert quotes("Yesterday Jane Doe stressed: \u201cThe talks are over for now.\u201d")[0]["speaker"] == "Jane Doe"


def test_the_accuser_of_a_hedge_is_the_name_just_before_it_and_a_long_run_is_none() -> None:
    from summarizer.rules import allegations

    [a] = allegations("Officials in Kyiv said that the Kremlin allegedly moved the weapons by rail.")
    assert a["alleged_by"] == "Kremlin" and a["hedge"] == "allegedly"
    [a] = allegations("The U.S. military in al-Tanf reportedly has been training the opposition forces there.")
    assert a["alleged_by"] is None  # not "Tanf", the end of "al-Tanf"
    [a] = allegations(" ".join(["Alpha"] * 3000) + " allegedly moved the weapons by rail.")
    assert a["alleged_by"] is None  # 3,000 capitalised words are no name (read back from the hedge: linear)


def test_allegations_carry_the_hedge_as_written() -> None:
    out = extract("Short.\nThe company allegedly moved funds through shell firms in Dubai last year.")
    assert out["allegations"][0]["hedge"] == "allegedly" and out["allegations"][0]["status"] == "alleged"


@pytest.mark.skipif(not SHARED.exists(), reason="shared articles not present")
def test_eval_runs_the_rules_baseline_on_the_gold_set() -> None:
    res = CliRunner().invoke(app, ["eval", str(SHARED), "--backend", "rules", "--json"])
    assert res.exit_code == 0, res.stderr
    report = json.loads(res.stdout)
    overall = report["overall"]
    assert overall["verbatim_share"] == 1.0  # grounding: every returned quote is in the text
    assert overall["targets_invented"] == 0
    assert overall["quote_recall"] > 0.6
    assert len(report["files"]) == len(list(SHARED.glob("*.gold.json")))


def test_cli_rules_backend_needs_no_key() -> None:
    res = CliRunner().invoke(app, ["summarize", str(EXAMPLE), "--backend", "rules", "--format", "md", "--no-cache"])
    assert res.exit_code == 0, res.stderr
    assert "Lammy" in res.stdout


def test_a_speaker_after_an_office_and_its_portfolio() -> None:
    """Releases name an office with its portfolio before the person ("said Under Secretary of the
    Treasury for Terrorism and Financial Intelligence Sigal Mandelker"): the person is the run's
    last words, with an initial or particles; a portfolio alone names no one."""
    quote = "\u201cWe will keep targeting this trade, today and every day,\u201d said "
    for office, person in [("Under Secretary of the Treasury for Terrorism and Financial Intelligence Sigal Mandelker",
                            "Sigal Mandelker"),
                           ("Deputy Secretary for Policy Steven T. Mnuchin", "Steven T. Mnuchin"),
                           ("Commissioner for Trade Ursula von der Leyen", "Ursula von der Leyen"),
                           ("Special Envoy for Iran Brian Hook, in a statement", "Brian Hook")]:
        assert quotes(f"{quote}{office}.")[0]["speaker"] == person, office
    for office in ("Under Secretary for Terrorism and Financial Intelligence", "the Minister for Iran",
                   "Secretary for Iran and Russia"):
        assert quotes(f"{quote}{office}.")[0]["speaker"] not in ("Financial Intelligence", "Iran", "Russia"), office
