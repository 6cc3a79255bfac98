"""Issue 7: the evaluator, with hand-built answers (no model) and the `eval` command offline."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from summarizer.cli import app
from summarizer.errors import InputError, MissingRecordingError, ProviderError
from summarizer.evaluate import (
    ALLEGATION_THRESHOLD,
    DEV_SPLIT,
    EvalReport,
    FileScore,
    allegation_similarity,
    collapse,
    evaluate,
    load_gold,
    note_aliases,
    party_match,
    quote_overlap,
    read_split_file,
    report_table,
    score,
    speaker_match,
    target_match,
)
from summarizer.inputs import Article, read_article
from summarizer.schema import (
    Allegation,
    ArticleSummary,
    Provenance,
    Quote,
    SanctionsTarget,
    Usage,
)
from tests.fakes import FakeOpenAI, Reply

from .conftest import SHARED, TEST_KEY, example_payload

runner = CliRunner()
NAMES = sorted(p.name[: -len(".gold.json")] for p in SHARED.glob("*.gold.json"))
HTML = "05_nytimes-sudan-sanctions"


# ----------------------------------------------------------------------------- helpers


def gold_of(name: str) -> dict[str, Any]:
    return json.loads((SHARED / f"{name}.gold.json").read_text(encoding="utf-8"))


def article_path(name: str) -> Path:
    return next(p for ext in (".txt", ".html") if (p := SHARED / f"{name}{ext}").exists())


def texts(name: str) -> tuple[str, str]:
    """(article text as the tool reads it, raw file text)."""
    path = article_path(name)
    return read_article(str(path)).text, path.read_text(encoding="utf-8")


NOWHERE = {"start": 0, "end": 0, "text": ""}  # the scorer does not read target or evidence spans


def target(name: str, kind: str = "organization") -> SanctionsTarget:
    return SanctionsTarget(name=name, kind=kind, country=None, imposed_by=None, mention=NOWHERE)  # type: ignore[arg-type]


def quote(text: str, speaker: str | None, article: str = "") -> Quote:
    start = max(article.find(text), 0)
    return Quote(text=text, speaker=speaker, start=start, end=start + len(text))


def allegation(claim: str, against: str | None, alleged_by: str | None = None) -> Allegation:
    return Allegation(claim=claim, alleged_by=alleged_by, against=against, status="alleged",
                      hedge=None, evidence=NOWHERE)  # type: ignore[arg-type]


def summary(
    targets: list[SanctionsTarget] | None = None,
    quotes: list[Quote] | None = None,
    allegations: list[Allegation] | None = None,
) -> ArticleSummary:
    return ArticleSummary(
        summary="hand-built",
        sanctions_targets=targets or [],
        quotes=quotes or [],
        allegations=allegations or [],
        provenance=Provenance(
            model="hand", backend="test", prompt_sha256="p", schema_sha256="s",
            input_sha256="i", attempts=0, usage=Usage(), elapsed_s=0.0,
        ),
    )


def perfect(name: str, article: str = "") -> ArticleSummary:
    """The gold itself as an answer."""
    g = gold_of(name)
    return summary(
        targets=[target(t["name"], t["kind"]) for t in g["sanctions_targets"]],
        quotes=[quote(q["text"], q["speaker"], article) for q in g["quotes"]],
        allegations=[allegation(a["claim"], a["against"], a["alleged_by"]) for a in g["allegations"]],
    )


def score_file(name: str, result: ArticleSummary) -> FileScore:
    article, raw = texts(name)
    return score(result, gold_of(name), article, raw, name=name)


# ----------------------------------------------------------------------------- loading


def test_load_gold_pairs_every_gold_file_with_its_article() -> None:
    cases = load_gold(SHARED)
    # every gold file in the folder, none dropped (the count comes from the folder, not the test)
    assert [c.name for c in cases] == NAMES and len(NAMES) >= 16
    by_name = {c.name: c for c in cases}
    assert by_name[HTML].article_path.suffix == ".html"
    assert by_name["iran-missiles-russia"].article_path.suffix == ".txt"
    assert all(c.gold["sanctions_targets"] is not None for c in cases)


def test_load_gold_refuses_missing_article_empty_dir_and_missing_dir(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no .*gold.json"):
        load_gold(tmp_path)
    with pytest.raises(InputError, match="does not exist"):
        load_gold(tmp_path / "nope")
    shutil.copy(SHARED / "iran-missiles-russia.gold.json", tmp_path)
    with pytest.raises(InputError, match="no article next to it") as exc:
        load_gold(tmp_path)
    assert "iran-missiles-russia.txt" in (exc.value.hint or "")


# ----------------------------------------------------------------------------- scoring


@pytest.mark.parametrize("name", NAMES)
def test_perfect_answer_scores_one_everywhere(name: str) -> None:
    article, _ = texts(name)
    fs = score_file(name, perfect(name, article))
    c = fs.counts
    assert (c.target_precision, c.target_recall, c.target_f1) == (1.0, 1.0, 1.0)
    g = gold_of(name)
    # a rate with nothing to measure is None ("–"), not a failure: 06 and 07 have no gold quotes
    assert c.quote_recall == (1.0 if g["quotes"] else None)
    assert c.speaker_accuracy == (1.0 if g["quotes"] else None)
    assert c.verbatim_share == (1.0 if g["quotes"] else None)
    assert c.allegation_recall == (1.0 if g["allegations"] else None)
    assert c.direction_accuracy == (1.0 if g["allegations"] else None), fs.directions_wrong
    assert c.targets_invented == 0 and not fs.targets_false and not fs.quotes_not_verbatim
    assert (c.targets_gold, c.quotes_gold, c.allegations_gold) == (
        len(g["sanctions_targets"]), len(g["quotes"]), len(g["allegations"]))


def test_invented_target_lowers_precision_and_is_counted() -> None:
    name = "iran-missiles-russia"
    article, _ = texts(name)
    result = perfect(name, article)
    result.sanctions_targets.append(target("Caspian Shipping Co"))
    fs = score_file(name, result)
    c = fs.counts
    assert c.target_precision == 0.5 and c.target_recall == 1.0
    assert c.target_f1 == pytest.approx(2 / 3)
    assert fs.targets_false == ["Caspian Shipping Co"]
    assert fs.targets_invented == ["Caspian Shipping Co"] and c.targets_invented == 1


def test_wrong_target_that_is_in_the_article_is_a_false_positive_but_not_invented() -> None:
    fs = score_file("04_nbc-south-korea-impeachment", summary(targets=[target("Yoon Suk Yeol", "person")]))
    c = fs.counts
    assert (c.target_precision, c.target_f1, c.targets_invented) == (0.0, 0.0, 0)


def test_empty_answer_scores_zero_recall() -> None:
    name = "01_ofac-iran-khedri-network"
    c = score_file(name, summary()).counts
    assert c.target_recall == 0.0 and c.target_f1 == 0.0
    assert c.quote_recall == 0.0 and c.allegation_recall == 0.0
    assert c.verbatim_share is None and c.speaker_accuracy is None  # nothing returned
    # ...while an empty answer is exactly right where the gold has no targets
    c2 = score_file("02_polygraph-al-tanf-rukban", summary()).counts
    assert (c2.target_precision, c2.target_recall, c2.target_f1) == (1.0, 1.0, 1.0)


def test_alias_and_legal_form_normalisation() -> None:
    assert target_match("Khedri Jahan Darya Co.", "Khedri Jahan Darya Co") == 3
    assert target_match("KHEDRI JAHAN DARYA CO", "Khedri Jahan Darya Co") == 3
    assert target_match("Gomei Air Services", "Gomei Air Services Co., Ltd.") == 3
    assert target_match("the Mahan Air", "Mahan Air") == 3
    assert target_match("Khedri", "Abdolhossein Khedri") == 1  # containment, >= 5 characters
    assert target_match("Iran", "Iran Air") == 0  # too short to stand for "Iran Air"
    assert target_match("Caspian Shipping Co", "Iran Air") == 0
    assert target_match("EU", "European Union") == 1  # acronym

    name = "01_ofac-iran-khedri-network"
    article, _ = texts(name)
    result = perfect(name, article)
    renamed = {"Khedri Jahan Darya Co": "Khedri Jahan Darya Co.", "Gomei Air Services Co., Ltd.": "Gomei Air Services"}
    for t in result.sanctions_targets:
        t.name = renamed.get(t.name, t.name)
    c = score_file(name, result).counts
    assert (c.target_precision, c.target_recall) == (1.0, 1.0)


def test_aliases_from_targets_note_include_translations() -> None:
    aliases = note_aliases(gold_of("03_derstandard-eu-russland-sanktionen"))
    assert aliases == {"Russland": ["Russia"], "Europäische Union": ["European Union", "EU"]}
    assert "China" not in sum(note_aliases(gold_of("01_ofac-iran-khedri-network")).values(), [])
    fs = score_file("03_derstandard-eu-russland-sanktionen",
                    summary(targets=[target("Russia", "country"), target("European Union")]))
    assert fs.counts.target_f1 == 1.0
    assert fs.targets_invented == []  # a gold alias is never "invented"


def test_duplicate_target_counts_once() -> None:
    fs = score_file("iran-missiles-russia", summary(targets=[target("Iran Air"), target("IRAN AIR")]))
    assert fs.counts.targets_matched == 1 and fs.counts.target_precision == 0.5


def test_paraphrased_quote_lowers_the_verbatim_share() -> None:
    name = "iran-missiles-russia"
    article, _ = texts(name)
    result = perfect(name, article)
    result.quotes.append(quote("Iran's malign activity must be tackled", "David Lammy"))
    fs = score_file(name, result)
    assert fs.counts.verbatim_share == pytest.approx(6 / 7)
    assert fs.quotes_not_verbatim == ["Iran's malign activity must be tackled"]


def test_quote_found_by_overlap_and_speaker_checked() -> None:
    name = "iran-missiles-russia"
    article, _ = texts(name)
    partial = "We’re seeing a disturbing pattern of greater Iranian support for the Kremlin’s illegal war"
    result = summary(quotes=[quote(partial, "Foreign Secretary David Lammy", article),
                             quote("So as Iran’s destabilizing activities spread", "Lammy", article)])
    fs = score_file(name, result)
    assert fs.counts.quotes_found == 2 and fs.counts.quote_recall == pytest.approx(2 / 6)
    assert fs.counts.speakers_correct == 1 and fs.counts.speaker_accuracy == 0.5
    assert fs.speakers_wrong[0][1:] == ("Antony Blinken", "Lammy")
    assert fs.counts.verbatim_share == 1.0


def test_html_article_loads_and_scores_against_visible_text() -> None:
    article, raw = texts(HTML)
    assert raw.lstrip().lower().startswith("<!doctype") or "<html" in raw[:2000].lower()
    result = perfect(HTML, article)
    result.sanctions_targets.append(target("Omar Hassan al-Bashir", "person"))
    # a stretch of the page that the article extraction may drop but the visible text has
    result.quotes.append(quote("Obama Ends Exemption for Cubans Who Arrive Without Visas", None))
    fs = score(result, gold_of(HTML), article, raw, name=HTML)
    c = fs.counts
    assert c.target_recall == 1.0 and c.target_precision == 0.5 and c.targets_invented == 0
    assert c.quote_recall == 1.0 and c.speaker_accuracy == 1.0
    assert c.verbatim_share == 1.0  # compared with the gold's visible text too
    assert c.allegation_recall == 1.0


def test_speaker_match_rules() -> None:
    assert speaker_match("Secretary Steven T. Mnuchin", "Steven T. Mnuchin")
    assert speaker_match("Mnuchin", "Steven T. Mnuchin")
    assert speaker_match("Pentagon", "The Pentagon")
    assert speaker_match("State Department", "U.S. State Department")
    assert speaker_match("Russian Defense Ministry", "The Russian and Syrian defense ministries")
    assert speaker_match("Dmitry Peskov", "Dmitri Peskow")  # transliteration
    assert speaker_match("Lee", "Lee Jae-myung")
    assert not speaker_match("Lee Sang-min", "Lee Jae-myung")
    assert not speaker_match("Kim Yong-hyun", "Margie Kim")
    assert not speaker_match("Antony Blinken", "David Lammy")
    assert not speaker_match(None, "David Lammy")


def test_quote_overlap_rules() -> None:
    gold = "There is no reason to believe the guys in charge have changed their stripes,"
    assert quote_overlap("There is no reason to believe", gold) == 1.0  # contained
    assert quote_overlap(gold + " he said", gold) == 1.0  # contains
    assert quote_overlap("impossible", "impossible") == 1.0  # short fragments still count
    assert quote_overlap("the", gold) == 0.0  # too short to find anything
    assert quote_overlap("a  quote\nwith   spaces", "a quote with spaces") == 1.0
    # with the article, places are compared: a shared phrase in another sentence is no overlap
    article = collapse(texts("iran-missiles-russia")[0])
    pred = "So as Iran’s destabilizing activities spread"
    other = gold_of("iran-missiles-russia")["quotes"][4]["text"]  # the State Department's
    assert "Iran’s destabilizing influence" in other
    assert quote_overlap(pred, other) >= 0.5  # text only: 22 shared characters of 44
    assert quote_overlap(pred, other, article) == 0.0


def test_allegation_paraphrase_matches_and_unrelated_claim_does_not() -> None:
    gold = gold_of("iran-missiles-russia")["allegations"][0]
    para = allegation_similarity("Iran allegedly sent Fath 360 ballistic missiles to Russia.", "Iran", gold)
    other = allegation_similarity("Yoon declared martial law unconstitutionally.", "Yoon", gold)
    assert para >= ALLEGATION_THRESHOLD > other
    fs = score_file("iran-missiles-russia", summary(allegations=[
        allegation("Iran allegedly sent Fath 360 ballistic missiles to Russia.", "Iran"),
        allegation("Russia shares nuclear technology and space information with Iran.", "Russia"),
    ]))
    assert fs.counts.allegations_found == 2 and fs.counts.allegation_recall == 0.5


# ----------------------------------------------------------------------------- evaluate


def _copy(tmp_path: Path, *names: str) -> Path:
    for n in names:
        shutil.copy(SHARED / f"{n}.gold.json", tmp_path)
        shutil.copy(article_path(n), tmp_path)
    return tmp_path


def test_evaluate_records_a_failing_article_and_scores_the_rest(tmp_path: Path) -> None:
    gold_dir = _copy(tmp_path, "iran-missiles-russia", "03_derstandard-eu-russland-sanktionen")
    seen: list[str] = []

    def run(article: Article) -> ArticleSummary:
        if "Peskow" in article.text:
            raise ProviderError("the provider refused", "try again")
        return perfect("iran-missiles-russia", article.text)

    report = evaluate(gold_dir, run, on_file=lambda fs: seen.append(fs.name))
    assert seen == ["03_derstandard-eu-russland-sanktionen", "iran-missiles-russia"]
    bad, good = report.files
    assert bad.error == "the provider refused (try again)" and bad.error_kind == "provider"
    assert bad.counts.errors == 1 and bad.counts.target_recall == 0.0 and bad.counts.quote_recall == 0.0
    assert bad.targets_missed == ["Russland", "Europäische Union"]
    assert good.error is None and good.counts.target_f1 == 1.0
    total = report.overall
    assert (total.files, total.errors) == (2, 1)
    # micro average: the failed file's gold counts as missed
    assert total.targets_gold == 3 and total.targets_matched == 1
    assert total.target_recall == pytest.approx(1 / 3) and total.target_precision == 1.0
    assert total.quote_recall == pytest.approx(6 / 7)
    assert report.failed == [bad]


def test_report_table_and_json(tmp_path: Path) -> None:
    gold_dir = _copy(tmp_path, "iran-missiles-russia")

    def run(article: Article) -> ArticleSummary:
        r = perfect("iran-missiles-russia", article.text)
        r.sanctions_targets.append(target("Caspian Shipping Co"))
        return r

    report = evaluate(gold_dir, run)
    table = report_table(report)
    assert "iran-missiles-russia" in table and "overall" in table
    assert "wrong target: Caspian Shipping Co (invented)" in table
    data = json.loads(json.dumps(report.to_json()))
    assert data["overall"]["target_precision"] == 0.5
    assert data["overall"]["targets_invented"] == 1
    assert data["files"][0]["details"]["targets_invented"] == ["Caspian Shipping Co"]
    assert data["rules"]["allegation_threshold"] == ALLEGATION_THRESHOLD
    assert isinstance(report, EvalReport)


# ----------------------------------------------------------------------------- CLI


def test_eval_cli_with_empty_replay_dir_reports_every_file_as_error(tmp_path: Path) -> None:
    """Offline: every request misses its recording. The report still covers every file, and
    the exit status is the missing-recording code (10), not a crash (1) or success (0)."""
    empty = tmp_path / "fixtures"
    empty.mkdir()
    res = runner.invoke(app, ["eval", str(SHARED), "--replay", str(empty)])
    assert res.exit_code == MissingRecordingError.exit_code == 10, res.output
    for name in NAMES:
        assert name in res.stdout
    assert res.stdout.count("missing_recording") == len(NAMES)
    n = len(NAMES)
    assert f"{n} failed" in res.stdout
    assert f"{n} of {n} articles failed" in res.stderr and "Traceback" not in res.output


def test_eval_cli_json(tmp_path: Path) -> None:
    empty = tmp_path / "fixtures"
    empty.mkdir()
    (tmp_path / "gold").mkdir()
    gold_dir = _copy(tmp_path / "gold", "iran-missiles-russia")
    res = runner.invoke(app, ["eval", str(gold_dir), "--json", "--replay", str(empty)])
    assert res.exit_code == 10
    data = json.loads(res.stdout)
    assert data["overall"]["errors"] == 1 and data["overall"]["targets_gold"] == 1
    assert data["files"][0]["error_kind"] == "missing_recording"


def test_eval_cli_bad_gold_dir_exits_with_input_error(tmp_path: Path) -> None:
    empty = tmp_path / "fixtures"
    empty.mkdir()
    res = runner.invoke(app, ["eval", str(tmp_path / "nope"), "--replay", str(empty)])
    assert res.exit_code == InputError.exit_code == 3
    assert res.stderr.startswith("summarizer: error: gold directory")


def test_eval_cli_end_to_end_through_a_fake_model(fake: FakeOpenAI, tmp_path: Path) -> None:
    """The real pipeline against a loopback fake server: low recall is a result, exit 0."""
    gold_dir = _copy(tmp_path, "iran-missiles-russia")
    fake.script(Reply(payload=example_payload()))
    env = {"OPENAI_API_KEY": TEST_KEY, "OPENAI_BASE_URL": fake.url}
    res = runner.invoke(app, ["eval", str(gold_dir), "--json"], env=env)
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    total = data["overall"]
    assert (total["errors"], total["target_f1"], total["targets_invented"]) == (0, 1.0, 0)
    assert (total["quotes_found"], total["quotes_gold"]) == (2, 6)
    assert total["speaker_accuracy"] == 1.0 and total["verbatim_share"] == 1.0
    assert total["allegations_found"] == 1
    assert len(fake.requests) == 1


# ----------------------------------------------------------------------------- split


def test_the_shipped_split_covers_the_development_set_once() -> None:
    parts = read_split_file(DEV_SPLIT)
    assert sorted(parts) == ["tuning", "validation"]
    tuning, validation = set(parts["tuning"]), set(parts["validation"])
    assert not tuning & validation
    assert sorted(tuning | validation) == NAMES  # every gold article in exactly one part
    assert "06_state-dept-conviasa-aircraft" in validation and "iran-missiles-russia" in tuning


@pytest.mark.parametrize("part", ["tuning", "validation"])
def test_eval_cli_split_scores_only_that_part_and_says_so(tmp_path: Path, part: str) -> None:
    empty = tmp_path / "fixtures"
    empty.mkdir()
    wanted = read_split_file(DEV_SPLIT)[part]
    res = runner.invoke(app, ["eval", str(SHARED), "--split", part, "--json", "--replay", str(empty)])
    assert res.exit_code == 10, res.output
    data = json.loads(res.stdout)
    assert [f["name"] for f in data["files"]] == sorted(wanted)
    assert data["split"] == {"name": part, "file": "summarizer/evaluate/dev_split.json", "articles": len(wanted)}
    table = runner.invoke(app, ["eval", str(SHARED), "--split", part, "--replay", str(empty)])
    assert f"split '{part}' ({len(wanted)} articles, summarizer/evaluate/dev_split.json)" in table.stdout
    others = set(NAMES) - set(wanted)
    assert not any(n in table.stdout for n in others)


def test_eval_without_split_says_all_articles(tmp_path: Path) -> None:
    gold_dir = _copy(tmp_path, "iran-missiles-russia")
    report = evaluate(gold_dir, lambda a: perfect("iran-missiles-russia", a.text))
    assert report.to_json()["split"] is None and report.split is None
    assert "summarizer eval, all articles" in report_table(report)


def test_split_json_in_the_gold_dir_and_split_file_option(tmp_path: Path) -> None:
    (tmp_path / "gold").mkdir()
    gold_dir = _copy(tmp_path / "gold", "iran-missiles-russia", "03_derstandard-eu-russland-sanktionen")
    (gold_dir / "split.json").write_text(json.dumps(
        {"note": "why", "mine": ["iran-missiles-russia"], "other_note": "ignored"}), encoding="utf-8")
    report = evaluate(gold_dir, lambda a: perfect("iran-missiles-russia", a.text), split="mine")
    assert [f.name for f in report.files] == ["iran-missiles-russia"]
    assert report.split is not None and report.split.file == gold_dir / "split.json"
    own = tmp_path / "own.json"
    own.write_text(json.dumps({"x": ["03_derstandard-eu-russland-sanktionen"]}), encoding="utf-8")
    report = evaluate(gold_dir, lambda a: perfect("iran-missiles-russia", a.text), split="x", split_file=own)
    assert [f.name for f in report.files] == ["03_derstandard-eu-russland-sanktionen"]
    assert report.to_json()["split"]["file"] == str(own)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--split", "nope"], "unknown split 'nope'"),
        (["--split-file", "{own}"], "--split-file needs --split NAME"),
        (["--split", "validation", "--split-file", "{own}"], "unknown split 'validation'"),
        (["--split", "x", "--split-file", "{own}"], "names 1 article(s) not in"),
        (["--split", "x", "--split-file", "{bad}"], "cannot read split file"),
        (["--split", "x", "--split-file", "{missing}"], "missing"),
    ],
)
def test_eval_cli_bad_split_is_one_line_and_exit_3(tmp_path: Path, args: list[str], message: str) -> None:
    empty = tmp_path / "fixtures"
    empty.mkdir()
    (tmp_path / "own.json").write_text(json.dumps({"x": ["not-an-article"]}), encoding="utf-8")
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    paths = {"own": tmp_path / "own.json", "bad": tmp_path / "bad.json", "missing": tmp_path / "missing.json"}
    res = runner.invoke(app, ["eval", str(SHARED), *[a.format(**paths) for a in args], "--replay", str(empty)])
    assert res.exit_code == InputError.exit_code == 3, res.output
    assert res.stderr.startswith("summarizer: error: ") and message in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1 and "Traceback" not in res.output
    assert res.stdout == ""  # refused before any article ran


# ----------------------------------------------------------------------------- direction


def test_party_match_rules() -> None:
    assert party_match("OFAC", "U.S. Treasury (OFAC)")
    assert party_match("Treasury", "U.S. Treasury (OFAC)")
    assert party_match("Russia", "Russia, Iran, North Korea")  # one of the listed accused
    assert party_match("Antony Blinken", "Antony Blinken")
    assert not party_match("Iran", "Antony Blinken")
    assert not party_match(None, "Antony Blinken")  # a named accuser left out is wrong
    assert party_match(None, None) and not party_match("Iran", None)
    assert party_match(None, "unspecified ('have been accused')")  # unnamed in the text
    assert party_match(None, "officials (unnamed)") and party_match("officials", "officials (unnamed)")
    assert party_match(None, "Reuters (reporter's narration), reflecting EU states")


def test_direction_accuracy_counts_accuser_and_accused_of_found_allegations() -> None:
    name = "iran-missiles-russia"
    article, _ = texts(name)
    g = gold_of(name)
    right = perfect(name, article)
    first = g["allegations"][0]
    # the example: the right claim, but accuser and accused swapped
    right.allegations[0] = allegation(first["claim"], "U.S. and U.K. governments", "Iran")
    fs = score_file(name, right)
    c = fs.counts
    assert c.allegations_found == len(g["allegations"])  # still found: the claim matches
    assert c.allegations_direction_right == len(g["allegations"]) - 1
    assert c.direction_accuracy == pytest.approx((len(g["allegations"]) - 1) / len(g["allegations"]))
    assert fs.directions_wrong == [(collapse(first["claim"])[:49] + "…" if len(collapse(first["claim"])) > 50
                                    else collapse(first["claim"]),
                                    f"{first['alleged_by']} -> {first['against']}", "Iran -> U.S. and U.K. governments")]
    assert "wrong direction:" in report_table(EvalReport(files=[fs]))
    assert fs.to_json()["direction_accuracy"] == round(c.direction_accuracy, 4)


# ----------------------------------------------------------------------------- furniture


def test_eval_counts_summary_sentences_that_rest_on_site_furniture() -> None:
    """Grounding drops them; the evaluator re-checks the final result and must report 0, so a
    path that skips grounding shows up here."""
    from summarizer.schema import Span, SummarySentence

    name = "iran-missiles-russia"
    article, _ = texts(name)
    result = perfect(name, article)

    def span(s: str) -> Span:
        start = article.index(s)
        return Span(start=start, end=start + len(s), text=s)

    lede = "Secretary of State Antony Blinken and U.K. Foreign Minister David Lammy took aim at Iran"
    result.summary_sentences = [
        SummarySentence(text="Blinken and Lammy took aim at Iran.", support=[span(lede)]),
        SummarySentence(text="The post is for paying subscribers.", support=[span("This post is for paying subscribers only")]),
    ]
    fs = score_file(name, result)
    assert fs.counts.summary_on_furniture == 1 and fs.summary_on_furniture == ["The post is for paying subscribers."]
    assert fs.to_json()["summary_on_furniture"] == 1
    assert "SUMMARY ON FURNITURE: The post is for paying subscribers." in report_table(EvalReport(files=[fs]))
    assert "on furniture" in report_table(EvalReport(files=[fs]))
