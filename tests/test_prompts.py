"""Prompt templates: the top-level prompts/ is what runs, in a checkout and in an installed wheel,
and a user's own folder replaces it (hash, cache key and provenance follow)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer import summarize
from summarizer.cli import app
from summarizer.errors import ConfigError
from summarizer.prompts import TEMPLATES, prompt_sha256, templates_dir
from tests.fakes import FakeOpenAI, Reply

from .conftest import EXAMPLE, ROOT, TEST_KEY, example_payload

runner = CliRunner()


def test_templates_come_from_the_top_level_prompts_folder() -> None:
    assert templates_dir() == ROOT / "prompts"
    assert {p.stem for p in (ROOT / "prompts").glob("*.md")} == set(TEMPLATES)
    assert not (ROOT / "summarizer" / "prompts").exists()  # one home, beside summarizer/ and tests/


def test_own_prompts_reach_the_model_and_change_the_hash(tmp_path: Path, fake: FakeOpenAI) -> None:
    mine = tmp_path / "prompts"
    shutil.copytree(ROOT / "prompts", mine)
    system = mine / "system.md"
    system.write_text(system.read_text("utf-8") + "\nHOUSE RULE: write British English.\n", "utf-8")
    fake.script(Reply(payload=example_payload()))
    r = summarize(EXAMPLE.read_text("utf-8"), base_url=fake.url, api_key=TEST_KEY, prompts_dir=mine)
    assert "HOUSE RULE" in fake.requests[0].json["messages"][0]["content"]
    assert r.provenance.prompt_sha256 == prompt_sha256(mine) != prompt_sha256()


def test_a_prompts_folder_missing_a_template_is_refused_before_any_call(tmp_path: Path, fake: FakeOpenAI) -> None:
    mine = tmp_path / "prompts"
    shutil.copytree(ROOT / "prompts", mine)
    (mine / "focused_speaker.md").unlink()
    with pytest.raises(ConfigError, match="focused_speaker.md"):
        summarize("Text.", base_url=fake.url, api_key=TEST_KEY, prompts_dir=mine)
    res = runner.invoke(app, ["summarize", str(EXAMPLE), "--base-url", fake.url, "--prompts", str(mine)],
                        env={"OPENAI_API_KEY": TEST_KEY})
    assert res.exit_code == 4 and "focused_speaker.md" in res.stderr
    assert fake.requests == []


def test_cache_key_follows_the_templates(tmp_path: Path) -> None:
    from summarizer.cache import cache_key
    from summarizer.settings import Settings

    mine = tmp_path / "prompts"
    shutil.copytree(ROOT / "prompts", mine)
    ours = Settings.resolve(backend="rules")
    theirs = Settings.resolve(backend="rules", prompts_dir=mine)
    assert cache_key("x", ours) == cache_key("x", theirs)  # same text, same key
    (mine / "user.md").write_text((mine / "user.md").read_text("utf-8") + "\n", "utf-8")
    assert cache_key("x", ours) != cache_key("x", Settings.resolve(backend="rules", prompts_dir=mine))


def test_an_installed_wheel_carries_the_templates(tmp_path: Path, installed_wheel: Path) -> None:
    """Build the wheel, install it apart from the checkout, summarize with the rules backend:
    same templates, same prompt hash as the editable install."""
    site = installed_wheel
    assert (site / "summarizer" / "_prompts" / "system.md").is_file()
    code = (
        "import json, summarizer, summarizer.prompts as p;"
        f"r = summarizer.summarize(open({str(EXAMPLE)!r}).read(), backend='rules');"
        "print(json.dumps([summarizer.__file__, str(p.templates_dir()), r.provenance.prompt_sha256]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=tmp_path,
                         env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert out.returncode == 0, out.stderr
    module, folder, digest = json.loads(out.stdout)
    assert module.startswith(str(site)) and folder == str(site / "summarizer" / "_prompts")
    assert digest == prompt_sha256()
