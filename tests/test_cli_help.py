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



def _run(args: list[str], columns: int, module: str = "summarizer") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": str(columns)}
    return subprocess.run([sys.executable, "-X", "importtime", "-m", module, *args],
                          capture_output=True, text=True, env=env, timeout=60)


def _imported(proc: subprocess.CompletedProcess[str]) -> set[str]:
    return {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}


def test_the_written_out_top_help_is_typers_own() -> None:
    """`summarizer --help` prints helptext.TOP without typer; it must be what typer prints
    (`python -m summarizer.cli.root` always goes through typer). If this fails after a change to
    a command's help or the top-level options, paste typer's text into summarizer/cli/helptext.py."""
    from summarizer.cli.helptext import TOP

    typers = _run(["--help"], 80, "summarizer.cli.root")
    assert typers.returncode == 0, typers.stderr[-500:]
    assert "typer" in _imported(typers)
    assert typers.stdout == TOP, "summarizer/cli/helptext.py is stale: replace TOP with\n" + typers.stdout
    assert TOP.isascii(), "printed as is, the text must suit any terminal encoding"
    ours = _run(["--help"], 80)
    assert ours.returncode == 0 and ours.stdout == TOP
    assert "typer" not in _imported(ours), "the bare --help should not load typer"
    assert not [m for m in _imported(ours) if m.startswith("summarizer.") and m not in
                ("summarizer.cli", "summarizer.cli.helptext")]


def test_a_narrow_terminal_gets_typers_help_at_its_width() -> None:
    from summarizer.cli.helptext import TOP

    typers, ours = _run(["--help"], 60, "summarizer.cli.root"), _run(["--help"], 60)
    assert ours.returncode == 0 and ours.stdout == typers.stdout
    assert ours.stdout != TOP and max(len(line) for line in ours.stdout.splitlines()) <= 58
    assert "typer" in _imported(ours)


def test_a_command_loads_only_its_own_module() -> None:
    proc = _run(["schema", "--help"], 80)
    assert proc.returncode == 0 and "JSON Schema" in proc.stdout
    loaded = {m for m in _imported(proc) if m.startswith("summarizer.cli.")}
    assert loaded == {"summarizer.cli.root", "summarizer.cli.common", "summarizer.cli.summarize",
                      "summarizer.cli.logs", "summarizer.cli.screen"}, loaded


def test_every_command_is_listed_and_built_in_help_order() -> None:
    from summarizer.cli.root import COMMANDS

    group = typer.main.get_command(app)
    assert list(group.commands) == list(COMMANDS)  # type: ignore[attr-defined]
    built = {name: group.commands[name] for name in COMMANDS}  # type: ignore[attr-defined]
    assert all(command.name == name for name, command in built.items())
    lines = runner.invoke(app, ["--help"]).stdout.split("Commands:", 1)[1].strip().splitlines()
    assert [line.split()[0] for line in lines] == list(COMMANDS)


def test_help_into_a_closed_pipe_exits_quietly() -> None:
    read, write = os.pipe()
    os.close(read)
    try:
        proc = subprocess.run([sys.executable, "-m", "summarizer", "--help"], stdout=write,
                              stderr=subprocess.PIPE, text=True, env={**os.environ, "COLUMNS": "80"}, timeout=60)
    finally:
        os.close(write)
    assert proc.returncode == 1 and proc.stderr == "", proc.stderr


def test_the_command_line_collects_garbage_in_large_steps() -> None:
    """Start-up allocates about a million long-lived objects; the entry point raises the
    collector's thresholds so they are not scanned over and over (docs/benchmarks.md)."""
    code = ("import gc, sys; sys.argv = ['summarizer', '--version']\n"
            "from summarizer.cli import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('threshold', gc.get_threshold()[0], gc.isenabled())")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "threshold 50000 True"
