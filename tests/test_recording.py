"""Recording helpers shipped in the package (summarizer.testing.recording), the new_episodes
record mode, and what a recordings directory is said to hold (transports/inventory.py)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from summarizer.cli import app
from summarizer.testing import recording
from summarizer.transports import inventory
from tests.fakes import FakeOpenAI, Reply

from .conftest import EXAMPLE, ROOT, TEST_KEY, example_payload, payload

SYNTHETIC = ROOT / "fixtures" / "synthetic"


def test_the_script_rerecords_the_committed_synthetic_fixture_identically(tmp_path: Path) -> None:
    """scripts/record_fixtures.py is a thin wrapper: run as the README says, it makes the same
    file as the one committed (same request hash, same answer, same labels)."""
    out = tmp_path / "fixtures" / "synthetic"
    shutil.copytree(SYNTHETIC / "answers", out / "answers")
    # relative paths as in the README, so the "source" label reads the same
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    shutil.copytree(ROOT / "scripts", tmp_path / "scripts")
    res = subprocess.run([sys.executable, "scripts/record_fixtures.py", "fixtures/synthetic", "--synthetic"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert "6 quotes, 1 targets, 1 request(s), 1 file(s) written" in res.stdout
    [made] = out.glob("*.json")
    [committed] = SYNTHETIC.glob("*.json")
    assert made.name == committed.name
    a, b = json.loads(made.read_text("utf-8")), json.loads(committed.read_text("utf-8"))
    for data in (a, b):  # the moments differ, nothing else
        data["meta"].pop("recorded_at"), data["response"]["body"].pop("created")
    assert a == b


def test_record_all_then_new_only(fake: FakeOpenAI, tmp_path: Path) -> None:
    other = tmp_path / "other.txt"
    other.write_text("The minister resigned on Monday. He gave no reason.", "utf-8")

    def answer(body: dict[str, Any]) -> Reply:
        return Reply(payload=example_payload() if "Iran" in str(body["messages"][-1]["content"]) else payload())

    fake.default = answer
    rec = tmp_path / "rec"
    options = {"base_url": fake.url, "api_key": TEST_KEY}
    first = recording.record([EXAMPLE], rec, **options)
    assert [o.error for o in first] == [None] and len(first[0].files) == 1 and len(fake.requests) == 1
    again = recording.record([EXAMPLE, other], rec, new_only=True, **options)
    assert [len(o.files) for o in again] == [0, 1] and len(fake.requests) == 2  # the example replayed
    assert again[0].result.provenance.backend == "openai"  # answered by the recording under the live stack
    everything = recording.record([EXAMPLE, other], rec, **options)
    assert [len(o.files) for o in everything] == [1, 1] and len(fake.requests) == 4
    for f in rec.glob("*.json"):
        assert TEST_KEY not in f.read_text("utf-8")


def test_a_failing_article_is_reported_and_the_others_recorded(fake: FakeOpenAI, tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n", "utf-8")
    fake.default = Reply(payload=example_payload())
    outcomes = recording.record([empty, EXAMPLE], tmp_path / "rec", base_url=fake.url, api_key=TEST_KEY)
    assert outcomes[0].error and "empty" in outcomes[0].error and outcomes[0].files == ()
    assert outcomes[1].error is None and len(outcomes[1].files) == 1
    assert outcomes[0].line().startswith(f"{empty}: ")


def test_list_says_what_the_hash_named_files_are(tmp_path: Path) -> None:
    res = subprocess.run([sys.executable, "-m", "summarizer.testing.recording", "list", str(SYNTHETIC)],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    [line] = res.stdout.splitlines()
    [committed] = SYNTHETIC.glob("*.json")
    assert " synthetic  gpt-4o-mini  mode tools, max_tokens 4096, temperature 0.0, 2 messages" in line
    assert "article \u201cSkip to content Iran Sanctioned" in line and line.endswith(committed.name)


def test_new_episodes_from_the_environment_in_the_cli(fake: FakeOpenAI, tmp_path: Path) -> None:
    rec = tmp_path / "rec"
    shutil.copytree(SYNTHETIC, rec)
    fake.default = Reply(payload=example_payload())
    env = {"OPENAI_API_KEY": TEST_KEY, "OPENAI_BASE_URL": fake.url, "SUMMARIZER_RECORD_MODE": "new_episodes"}
    runner = CliRunner()
    res = runner.invoke(app, ["summarize", str(EXAMPLE), "--record", str(rec)], env=env)
    assert res.exit_code == 0, res.stderr and fake.requests == []  # recorded already: replayed
    res = runner.invoke(app, ["summarize", str(EXAMPLE), "--record", str(rec), "--model", "gpt-4o"], env=env)
    assert res.exit_code == 0 and len(fake.requests) == 1 and len(list(rec.glob("*.json"))) == 2
    bad = runner.invoke(app, ["summarize", str(EXAMPLE), "--record", str(rec)], env={**env, "SUMMARIZER_RECORD_MODE": "some"})
    assert bad.exit_code == 4 and "record_mode must be one of all, new_episodes (got 'some')" in bad.stderr


def body(**changes: Any) -> dict[str, Any]:
    [committed] = SYNTHETIC.glob("*.json")
    data: dict[str, Any] = json.loads(committed.read_text("utf-8"))["request"]["body"]
    return {**data, **changes}


def test_differences_are_named_as_a_user_would() -> None:
    recorded = inventory.describe(body())
    assert recorded.part == "article" and recorded.text == EXAMPLE.read_text("utf-8")
    assert inventory.differences(inventory.describe(body()), recorded) == []
    wanted = inventory.describe(body(model="gpt-4o", max_tokens=100))
    assert inventory.differences(wanted, recorded) == ["model", "max_tokens"]
    messages = body()["messages"]
    changed = [messages[0], {**messages[1], "content": messages[1]["content"].replace("Extract", "Please extract")}]
    assert inventory.differences(inventory.describe(body(messages=changed)), recorded) == ["prompt"]
    reask = [*messages, {"role": "assistant", "content": "{}"}, {"role": "user", "content": "fix it"}]
    assert inventory.differences(inventory.describe(body(messages=reask)), recorded) == [
        "conversation (2 messages, not 4: a re-ask has more)"
    ]
    assert inventory.differences(inventory.describe(body(tools=[])), recorded)[0] == "mode"


def test_unreadable_files_are_left_out_of_the_inventory(tmp_path: Path) -> None:
    shutil.copytree(SYNTHETIC, tmp_path / "rec")
    (tmp_path / "rec" / "broken.json").write_text("{not json", "utf-8")
    (tmp_path / "rec" / "list.json").write_text("[1, 2]", "utf-8")
    assert [r.file.name for r in inventory.inventory(tmp_path / "rec")] == [p.name for p in SYNTHETIC.glob("*.json")]
