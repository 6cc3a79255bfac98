"""The CLI's manners: --version, shell completion, honest help texts, and errors that say
what to do instead."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from summarizer import __version__
from summarizer.cli import app

from .conftest import EXAMPLE

runner = CliRunner()


def commands() -> Iterator[list[str]]:
    """Every command path of the app: [], ["summarize"], ["lists", "update"], ..."""

    def walk(command: object, path: list[str]) -> Iterator[list[str]]:
        yield path
        for name, sub in (getattr(command, "commands", None) or {}).items():
            yield from walk(sub, [*path, name])

    yield from walk(typer.main.get_command(app), [])


def test_version() -> None:
    res = runner.invoke(app, ["--version"])
    assert res.exit_code == 0 and res.stdout == f"summarizer {__version__}\n"
    proc = subprocess.run([sys.executable, "-m", "summarizer", "--version"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip() == f"summarizer {__version__}"


def test_no_help_shows_a_type_placeholder() -> None:
    paths = list(commands())
    assert ["logs", "show"] in paths and ["lists", "update"] in paths and len(paths) >= 10
    for path in paths:
        res = runner.invoke(app, [*path, "--help"], terminal_width=200)
        assert res.exit_code == 0, path
        assert not re.search(r"<[a-z][\w\[\], ]*>", res.stdout), (path, re.findall(r"\S+ <[^>]+>", res.stdout))


def test_backend_help_names_every_backend() -> None:
    from summarizer.settings import BACKENDS

    for command in ("summarize", "batch", "eval"):
        help_text = " ".join(runner.invoke(app, [command, "--help"], terminal_width=200).stdout.split())
        line = help_text.split("--backend", 1)[1][:300]
        for backend in BACKENDS:
            assert backend in line, (command, backend)


def test_completion_is_offered_and_works_for_bash(tmp_path: Path) -> None:
    top = runner.invoke(app, ["--help"]).stdout
    assert "--install-completion" in top and "--show-completion" in top
    # The shell is named on the command line: typer otherwise detects it from the parent
    # processes (shellingham), and a CI runner may have no shell among them.
    env = {**os.environ, "HOME": str(tmp_path), "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}
    shown = subprocess.run([sys.executable, "-m", "summarizer", "--show-completion", "bash"],
                           capture_output=True, text=True, env=env, timeout=60)
    assert shown.returncode == 0 and "complete_bash" in shown.stdout and "complete " in shown.stdout
    installed = subprocess.run([sys.executable, "-m", "summarizer", "--install-completion", "bash"],
                               capture_output=True, text=True, env=env, timeout=60)
    assert installed.returncode == 0, installed.stderr
    script = tmp_path / ".bash_completions" / "summarizer.sh"
    assert script.read_text().strip() == shown.stdout.strip()
    assert str(script) in (tmp_path / ".bashrc").read_text()

    def complete(words: str) -> list[str]:
        cword = len(words.split()) - 1
        done = subprocess.run([sys.executable, "-m", "summarizer"], capture_output=True, text=True, timeout=60,
                              env={**env, "_SUMMARIZER_COMPLETE": "complete_bash", "COMP_WORDS": words,
                                   "COMP_CWORD": str(cword)})
        return done.stdout.split()

    assert complete("summarizer lo") == ["logs"]
    assert {"--backend", "--base-url"} <= set(complete("summarizer summarize --ba"))
    assert complete("summarizer logs sh") == ["show"]


def test_a_url_given_as_path_says_to_use_url() -> None:
    res = runner.invoke(app, ["summarize", "https://example.org/story?token=SECRET123"])
    assert res.exit_code == 3
    assert res.stderr == "summarizer: error: PATH is a URL, not a file (to fetch a page, pass it with --url URL)\n"


def test_a_file_named_like_a_url_is_still_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "http:" / "x"
    target.mkdir(parents=True)
    (target / "a.txt").write_text(EXAMPLE.read_text("utf-8"), "utf-8")
    monkeypatch.chdir(tmp_path)  # "http://x/a.txt" is then a relative path that exists
    res = runner.invoke(app, ["summarize", "http://x/a.txt", "--backend", "rules"])
    assert res.exit_code == 0, res.stderr


def test_the_no_key_error_names_every_way_out() -> None:
    res = runner.invoke(app, ["summarize", str(EXAMPLE)])
    assert res.exit_code == 4 and res.stderr.count("\n") == 1
    for way in ("OPENAI_API_KEY", "--base-url", "--backend local", "--backend rules", "--replay DIR"):
        assert way in res.stderr, way

