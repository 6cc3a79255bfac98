"""The README is a contract: its commands, exit codes and options must match the code."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from summarizer.batch import EXIT_SOME_FAILED
from summarizer.cli import app
from summarizer.errors import EXIT_CODES

from .conftest import ROOT

README = (ROOT / "README.md").read_text("utf-8")


def test_readme_opens_with_the_run_and_the_test_command() -> None:
    blocks = re.findall(r"```sh\n(.*?)```", README, re.S)
    run, test = blocks[0].strip(), blocks[1].strip()
    assert "pip install -e '.[local]'" in run
    assert run.endswith("summarizer summarize examples/iran-missiles-russia.txt --backend local")
    assert (ROOT / "examples" / "iran-missiles-russia.txt").exists()
    assert test == "bash scripts/test.sh"
    assert "scripts/test.sh" in (ROOT / ".ci" / "run").read_text("utf-8")


def test_exit_code_table_matches_the_error_classes() -> None:
    rows = dict(re.findall(r"^\| (\d+) \| ?(\w*) ?\|", README, re.M))
    documented = {kind: int(code) for code, kind in rows.items() if kind}
    assert documented == {k: v for k, v in EXIT_CODES.items() if k != "error"} | {"internal": 1, "usage": 2}
    assert rows[str(EXIT_SOME_FAILED)] == "" and "130" in rows


def test_every_documented_option_exists() -> None:
    help_text = CliRunner().invoke(app, ["summarize", "--help"], terminal_width=200).stdout
    table = README.split("### Options and environment", 1)[1].split("\n\n", 2)[1]
    options = re.findall(r"`(--[a-z-]+)", table)
    assert len(options) > 10
    for option in options:
        assert option in help_text, option
