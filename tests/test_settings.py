"""Issue 12, root cause: a `Settings` is validated however it is built, takes its backend's
defaults, and reads the environment in one place; errors name the field, the CLI its flag."""

from __future__ import annotations

import math
import os
import types
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from summarizer import errors, summarize
from summarizer.cli import app
from summarizer.settings import LOCAL_MODEL, Settings, environment, from_environment

from .conftest import EXAMPLE, TEST_KEY

runner = CliRunner()


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"mode": "bogus"}, "mode"),
        ({"chunk_tokens": 5}, "chunk_tokens"),
        ({"timeout": 0}, "timeout"),
        ({"timeout": math.inf}, "timeout"),
        ({"timeout": "10"}, "timeout"),
        ({"max_retries": -1}, "max_retries"),
        ({"max_retries": True}, "max_retries"),
        ({"max_reasks": 1.5}, "max_reasks"),
        ({"max_tokens": 0}, "max_tokens"),
        ({"temperature": 3}, "temperature"),
        ({"request_timeout": -1}, "request_timeout"),
        ({"model": ""}, "model"),
        ({"base_url": "localhost:11434/v1"}, "base_url"),
        ({"base_url": "http://:80/v1"}, "base_url"),
        ({"backend": "bogus"}, "backend"),
    ],
)
def test_every_way_of_building_settings_validates(kw: dict[str, Any], field: str) -> None:
    base = Settings(backend="rules")
    builders = [
        lambda: Settings(**{"backend": "rules", **kw}),
        lambda: base.with_(**kw),
        lambda: Settings.resolve(env={}, **{"backend": "rules", **kw}),
    ]
    for build in builders:
        with pytest.raises(errors.SettingError) as info:
            build()
        assert info.value.field == field and isinstance(info.value, errors.ConfigError)
        assert "--" not in info.value.message  # library words: field names, not CLI flags


def test_bad_settings_from_python_are_a_typed_error_not_a_key_error() -> None:
    with pytest.raises(errors.ConfigError, match="mode must be one of"):
        summarize("The council met on Monday.", settings=Settings(mode="bogus", backend="rules"))
    with pytest.raises(errors.ConfigError, match="chunk_tokens must be at least 100"):
        summarize("The council met on Monday.", backend="rules", chunk_tokens=5)


def test_the_rules_backend_gets_its_own_defaults() -> None:
    s = Settings(backend="rules")
    assert (s.model, s.max_reasks) == ("rules", 0)
    local = Settings(backend="local")
    assert (local.model, local.max_reasks, local.timeout) == (LOCAL_MODEL, 0, 1800.0)
    assert Settings(backend="local", model_path="/models/mine.gguf").model == "mine"  # named by its file
    assert local.with_(backend="rules").timeout == 300.0 == Settings(api_key=TEST_KEY).timeout
    # a backend switch re-derives what was never set, and keeps what was
    o = s.with_(backend="openai", api_key=TEST_KEY)
    assert (o.model, o.max_reasks) == ("gpt-4o-mini", 2)
    kept = Settings(backend="rules", model="mine", max_reasks=3).with_(backend="openai", api_key=TEST_KEY)
    assert (kept.model, kept.max_reasks) == ("mine", 3)


def test_rules_settings_really_run_the_rules_backend(example_text: str) -> None:
    r = summarize(example_text, settings=Settings(backend="rules"))
    assert r.provenance.model == "rules" and r.provenance.backend == "rules" and r.quotes


def test_the_environment_is_read_by_resolve_only(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SUMMARIZER_MODEL", "from-env")
    monkeypatch.setenv("SUMMARIZER_BACKEND", "rules")
    assert Settings(backend="rules").model == "rules"  # construction never reads it
    assert Settings.resolve().model == "from-env" and Settings.resolve().backend == "rules"
    assert Settings.resolve(model="given").model == "given"  # explicit values win
    assert Settings.resolve(env={"SUMMARIZER_BACKEND": "rules"}).model == "rules"
    # every variable maps to a field, and empty values count as unset
    fields = set(Settings.__dataclass_fields__)
    assert set(environment().values()) <= fields
    assert from_environment({"OPENAI_API_KEY": "", "SUMMARIZER_MODEL": "m"}) == {"model": "m"}


def test_paths_are_paths_and_contradictions_refused(tmp_path: Path) -> None:
    s = Settings(backend="rules", record_dir=str(tmp_path))  # type: ignore[arg-type]
    assert s.record_dir == tmp_path
    with pytest.raises(errors.SettingError, match="cannot be used together"):
        Settings(backend="rules", record_dir=tmp_path, replay_dir=tmp_path)
    with pytest.raises(errors.SettingError, match="does not exist"):
        Settings(backend="rules", replay_dir=tmp_path / "missing")


def test_the_key_never_appears_in_a_settings_error() -> None:
    with pytest.raises(errors.SettingError) as info:
        Settings(api_key=TEST_KEY, timeout=-1)
    assert TEST_KEY not in info.value.one_line() and TEST_KEY not in repr(Settings(api_key=TEST_KEY))
    with pytest.raises(errors.SettingError) as info2:
        Settings(base_url=f"ftp://user:{TEST_KEY}@host/v1")
    assert TEST_KEY not in info2.value.one_line()


@pytest.mark.parametrize(
    ("args", "env", "needle"),
    [
        (["--chunk-tokens", "5"], {}, "--chunk-tokens must be at least 100 (got 5)"),
        (["--mode", "bogus"], {}, "--mode must be one of"),
        (["--timeout", "0"], {}, "--timeout must be more than 0"),
        ([], {"SUMMARIZER_BACKEND": "bogus"}, "SUMMARIZER_BACKEND (or --backend) must be one of"),
        (["--base-url", "nonsense"], {}, "--base-url must be an http(s) URL"),
    ],
)
def test_the_cli_names_its_flags(args: list[str], env: dict[str, str], needle: str) -> None:
    res = runner.invoke(app, ["summarize", str(EXAMPLE), *args], env={"OPENAI_API_KEY": TEST_KEY, **env})
    assert res.exit_code == errors.ConfigError.exit_code, res.stderr
    assert needle in res.stderr and res.stderr.count("\n") == 1


# ------------------------------------------------------------------ one declaration per setting


def test_the_library_keywords_mirror_the_declared_settings() -> None:
    """`Options` (what a type checker sees for `Summarizer(**options)`) names every Settings
    field a caller may set, with the field's own type, and nothing else: it cannot drift."""
    import typing

    from summarizer.settings import Options, declared

    hints = typing.get_type_hints(Options)
    settable = {name for name in declared() if name != "key_origin"}  # set by resolve, not by callers
    assert set(hints) == settable, f"Options and Settings differ: {set(hints) ^ settable}"
    field_types = typing.get_type_hints(Settings)
    for name, hint in hints.items():
        # a path field also takes a str or PathLike; every keyword also takes None ("not given")
        wanted = set(typing.get_args(hint))
        assert type(None) in wanted, f"Options[{name!r}] must accept None (not given)"
        declared_type = field_types[name]
        union = typing.get_origin(declared_type) in (typing.Union, types.UnionType)
        members = set(typing.get_args(declared_type)) if union else {declared_type}
        members.discard(type(None))
        for member in members:
            path_like = member in (Path, str) and os.PathLike[str] in wanted
            assert member in wanted or path_like, f"Options[{name!r}] is {hint}, the Settings field is {declared_type}"


def test_every_command_line_flag_comes_from_a_declaration_and_is_documented() -> None:
    """The CLI's model options are the declared ones, each with its help and environment
    variable; the README's options table names every one of them."""
    from typer.testing import CliRunner

    from summarizer.cli import app
    from summarizer.settings import declared

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")
    runner = CliRunner()
    for command in ("summarize", "batch", "eval"):
        shown = " ".join(runner.invoke(app, [command, "--help"]).output.split())
        for name, d in declared().items():
            if d.flag is None:
                continue
            on_it = command in d.commands
            assert (d.flag in shown) == on_it, f"{command} --help and the declaration of {name} disagree about {d.flag}"
            if on_it and d.env:
                assert f"env {d.env}" in shown, f"{command} --help does not name {d.env} for {d.flag}"
    for name, d in declared().items():
        if d.flag:
            assert f"`{d.flag}" in readme, f"the README's options table does not document {d.flag} ({name})"


def test_a_declared_setting_reaches_the_library_through_the_cli(tmp_path: Path) -> None:
    """A flag sets its field: --max-tokens 123 is the Settings value the command builds."""
    from summarizer.cli.common import ModelOptions

    options = ModelOptions({"backend": "rules", "max_tokens": 123, "chunk_tokens": None})
    settings = options.settings()
    assert settings.max_tokens == 123
    assert settings.backend == "rules"
