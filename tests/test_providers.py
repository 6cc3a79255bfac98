"""Providers by name: each provider's key goes to its own host only, through the real openai
client against the loopback fake server standing in for each provider.

A provider's default URL is pointed at the fake server the way a user points it at a proxy: its
own `*_BASE_URL` variable (`ANTHROPIC_BASE_URL`, ...), which is also how a user says "this host
is that provider's". Two fake servers on two ports are two origins, so a key that leaks from one
provider's origin to another's shows up as a header on the wrong server.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from summarizer import providers
from summarizer.cli import app
from summarizer.client import _api_key
from summarizer.errors import SettingError
from summarizer.settings import Settings
from tests.fakes import FakeOpenAI, Reply

from .conftest import EXAMPLE, example_payload

runner = CliRunner()

# One distinct key per provider, shaped so that no 6 characters of one occur in anything else
KEYS = {
    "openai": "Qz7OPNkW2vX9mL4tR8yB3nC6",
    "anthropic": "Jq5ANTxH3pV8cK2wM7rZ4sD9",
    "gemini": "Wy2GEMfN6bT9xQ3hL8kR5vP4",
    "vllm": "Hx4VLLgS7mD2pZ9cW5nJ8tK3",
    "groq": "Rb8GRQyC4kM7wX2vN5hT9pL6",
    "together": "Lm3TOGzV9xP5dQ8rK2bW7nH4",
    "openrouter": "Tc6ORTjW5nB2kZ9yM4xR8vQ7",
}
KEY_ENV = {name: p.key_env for name, p in providers.PROVIDERS.items() if p.key_env}
ALL_KEYS = {KEY_ENV[name]: key for name, key in KEYS.items()}


def summarize(*args: str, env: dict[str, str]) -> Any:
    return runner.invoke(app, ["summarize", str(EXAMPLE), "--no-cache", *args], env=env)


def bearer(fake: FakeOpenAI) -> list[str]:
    return [r.headers.get("authorization", "") for r in fake.requests]


def leaked(text: str, keys: list[str]) -> list[str]:
    """Every 6-character piece of a key that occurs in `text`."""
    return [k[i : i + 6] for k in keys for i in range(len(k) - 5) if k[i : i + 6] in text]


# ------------------------------------------------------------------ each provider, its key


@pytest.mark.parametrize("name", list(providers.PROVIDERS))
def test_each_provider_sends_its_own_key_and_no_other(name: str, fake: FakeOpenAI) -> None:
    p = providers.PROVIDERS[name]
    fake.script(Reply(payload=example_payload()))
    env = {**ALL_KEYS, p.url_env: fake.url}
    model = [] if p.model else ["--model", "llama3.2"]
    single = ["--strategy", "single"] if p.settings.get("strategy") == "focused" else []  # one request
    res = summarize("--provider", name, *model, *single, env=env)
    assert res.exit_code == 0, res.output
    [request] = fake.requests
    expected = KEYS.get(name, "not-needed")  # ollama needs none: the client sends a placeholder
    assert request.headers["authorization"] == f"Bearer {expected}"
    others = [k for n, k in KEYS.items() if n != name]
    assert not leaked(json.dumps(request.headers), others)
    # the provider's defaults: its model and its instructor mode
    assert request.json["model"] == (p.model or "llama3.2")
    assert ("tools" in request.json) == (p.mode == "tools")
    if p.dialect == "llamacpp":  # rewritten into what llama.cpp's server constrains (transports/llamacpp.py)
        assert request.json["response_format"]["type"] == "json_object"
        assert request.json["response_format"]["schema"]["type"] == "object"
        assert request.json["repeat_penalty"] == 1.0
    elif p.mode == "json_schema":
        assert request.json["response_format"]["type"] == "json_schema"
    if p.mode == "json":
        assert request.json["response_format"]["type"] == "json_object"
    prov = json.loads(res.stdout)["provenance"]
    assert prov["provider"] == name and prov["endpoint"] == providers.origin(fake.url)
    assert not leaked(res.stdout + res.stderr, list(KEYS.values()))


def test_a_provider_model_name_picks_the_provider_and_sends_the_rest_as_the_model(fake: FakeOpenAI) -> None:
    fake.script(Reply(payload=example_payload()))
    env = {**ALL_KEYS, "OPENROUTER_BASE_URL": fake.url}
    res = summarize("--model", "openrouter/meta-llama/llama-3-8b", env=env)
    assert res.exit_code == 0, res.output
    [request] = fake.requests
    assert request.json["model"] == "meta-llama/llama-3-8b"  # the first slash splits, the rest is the model
    assert request.headers["authorization"] == f"Bearer {KEYS['openrouter']}"


def test_a_key_for_one_provider_never_reaches_another_providers_host() -> None:
    with FakeOpenAI() as anthropic, FakeOpenAI() as groq:
        groq.script(Reply(payload=example_payload()))
        env = {**ALL_KEYS, "ANTHROPIC_BASE_URL": anthropic.url, "GROQ_BASE_URL": groq.url}
        res = summarize("--provider", "groq", env=env)
        assert res.exit_code == 0, res.output
        assert anthropic.requests == []
        assert bearer(groq) == [f"Bearer {KEYS['groq']}"]
        # --provider anthropic pointed at groq's host by --base-url: anthropic's key stays home
        groq.script(Reply(payload=example_payload()))
        res = summarize("--provider", "anthropic", "--base-url", groq.url, env=env)
        assert res.exit_code == 0, res.output
        assert anthropic.requests == []
        assert bearer(groq)[-1] == "Bearer not-needed"
        assert not leaked(json.dumps([r.headers for r in groq.requests]), [KEYS["anthropic"], KEYS["openai"]])


def test_openai_key_goes_to_base_url_only_when_it_is_openai_s_own(fake: FakeOpenAI) -> None:
    fake.script(Reply(payload=example_payload()), Reply(payload=example_payload()))
    # --base-url names some server: OPENAI_API_KEY is not sent there
    res = summarize("--base-url", fake.url, env={"OPENAI_API_KEY": KEYS["openai"]})
    assert res.exit_code == 0, res.output
    assert bearer(fake) == ["Bearer not-needed"]
    # OPENAI_BASE_URL, set beside the key, says this host is the user's OpenAI: the key goes there
    res = summarize(env={"OPENAI_API_KEY": KEYS["openai"], "OPENAI_BASE_URL": fake.url})
    assert res.exit_code == 0, res.output
    assert bearer(fake)[-1] == f"Bearer {KEYS['openai']}"


def test_a_refused_request_without_a_key_says_why_no_key_was_sent(fake: FakeOpenAI) -> None:
    fake.script(Reply(status=401))
    res = summarize("--provider", "anthropic", "--base-url", fake.url, env=ALL_KEYS)
    assert res.exit_code == 5 and res.stderr.count("\n") == 1
    assert "ANTHROPIC_API_KEY goes only to anthropic's own host" in res.stderr
    assert "ANTHROPIC_BASE_URL" in res.stderr
    assert not leaked(res.stderr, list(KEYS.values()))


# ------------------------------------------------------------------ the rule itself


def test_the_key_is_bound_to_scheme_host_and_port() -> None:
    env = {"ANTHROPIC_API_KEY": KEYS["anthropic"]}
    own = Settings.resolve(env=env, provider="anthropic")
    assert own.api_key == KEYS["anthropic"] and _api_key(own) == KEYS["anthropic"]
    assert own.endpoint == "https://api.anthropic.com/v1"
    assert Settings.resolve(env=env, provider="anthropic", base_url="https://API.Anthropic.com:443/v1/").api_key
    for elsewhere in (
        "http://api.anthropic.com/v1",  # the same host in clear text
        "https://api.anthropic.com:8443/v1",  # another port
        "https://api.anthropic.com@evil.example/v1",  # user info, not the host
        "https://api.anthropic.com.evil.example/v1",
        "https://evil.example/api.anthropic.com/v1",
    ):
        s = Settings.resolve(env=env, provider="anthropic", base_url=elsewhere)
        assert s.api_key is None and _api_key(s) == "not-needed", elsewhere


def test_a_copy_pointed_elsewhere_loses_the_key() -> None:
    s = Settings.resolve(env={"OPENAI_API_KEY": KEYS["openai"]})
    moved = s.with_(base_url="http://127.0.0.1:9/v1")
    assert moved.api_key is None and _api_key(moved) == "not-needed"
    with pytest.raises(SettingError, match="GROQ_API_KEY"):
        s.with_(provider="groq")  # the OpenAI key is not groq's, and groq's is not set
    # a key the user passes explicitly goes where the user sends it
    explicit = Settings.resolve(env={}, api_key="given-by-hand", base_url="http://127.0.0.1:9/v1")
    assert _api_key(explicit) == "given-by-hand"
    assert _api_key(explicit.with_(base_url="http://127.0.0.1:10/v1")) == "given-by-hand"


def test_model_names_with_slashes() -> None:
    assert providers.split_model("anthropic/claude-3-5-haiku-latest") == ("anthropic", "claude-3-5-haiku-latest")
    assert providers.split_model("Ollama/llama3.2") == ("ollama", "llama3.2")
    assert providers.split_model("openrouter/meta-llama/llama-3-8b") == ("openrouter", "meta-llama/llama-3-8b")
    assert providers.split_model("meta-llama/llama-3-8b") == (None, "meta-llama/llama-3-8b")
    assert providers.split_model("ollama/") == (None, "ollama/")
    env = {"OPENROUTER_API_KEY": "k" * 20, "OPENAI_API_KEY": "o" * 20}
    # a named provider takes the model name as it is (OpenRouter's own names have a vendor prefix)
    s = Settings.resolve(env=env, provider="openrouter", model="anthropic/claude-3.5-sonnet")
    assert (s.provider, s.model) == ("openrouter", "anthropic/claude-3.5-sonnet")
    # a --base-url names a server whose model names are its own (vLLM serving openai/gpt-oss-20b)
    s = Settings.resolve(env=env, base_url="http://127.0.0.1:8000/v1", model="openai/gpt-oss-20b")
    assert (s.provider, s.model) == (None, "openai/gpt-oss-20b")
    s = Settings.resolve(env={"SUMMARIZER_MODEL": "ollama/llama3.2"})
    assert (s.provider, s.model, s.mode, s.endpoint) == ("ollama", "llama3.2", "json", "http://localhost:11434/v1")


def test_provider_defaults_follow_a_changed_provider_and_explicit_values_win() -> None:
    s = Settings.resolve(env={}, provider="vllm", model="m")
    assert s.mode == "json_schema" and s.api_key is None  # vLLM's key is optional
    assert Settings.resolve(env={}, provider="vllm", model="m", mode="tools").mode == "tools"
    groq = s.with_(provider="groq", model=None, api_key="x")
    assert (groq.model, groq.mode) == ("llama-3.3-70b-versatile", "tools")
    with pytest.raises(SettingError, match="model is needed with provider ollama"):
        Settings(provider="ollama")
    with pytest.raises(SettingError, match="provider must be one of"):
        Settings(provider="azure", api_key="x")
    with pytest.raises(SettingError, match="openai backend only"):
        Settings(provider="groq", backend="rules")
    # SUMMARIZER_PROVIDER in the shell does not stop a local or rules run
    assert Settings.resolve(env={"SUMMARIZER_PROVIDER": "groq"}, backend="rules").provider is None


# ------------------------------------------------------------------ errors


@pytest.mark.parametrize("name", [n for n, p in providers.PROVIDERS.items() if p.needs_key])
def test_a_missing_key_names_the_provider_s_variable(name: str) -> None:
    others = {v: k for v, k in ALL_KEYS.items() if v != KEY_ENV[name]}
    res = summarize("--provider", name, env=others)
    assert res.exit_code == 4 and res.stderr.count("\n") == 1
    assert f"no {KEY_ENV[name]} and no --base-url" in res.stderr
    assert not [v for v in others if v in res.stderr]  # no other provider's variable
    assert not leaked(res.stderr, list(KEYS.values()))


def test_an_unknown_provider_is_a_usage_error_listing_the_known_ones(fake: FakeOpenAI) -> None:
    res = summarize("--provider", "azure", env=ALL_KEYS)
    assert res.exit_code == 2 and res.stderr.count("\n") == 1
    assert "unknown provider 'azure'" in res.stderr
    assert all(name in res.stderr for name in providers.PROVIDERS)
    res = summarize(env={**ALL_KEYS, "SUMMARIZER_PROVIDER": "azure"})
    assert res.exit_code == 2 and "SUMMARIZER_PROVIDER" in res.stderr
    # a key pasted in the wrong place is not echoed
    res = summarize("--provider", KEYS["groq"] * 2, env=ALL_KEYS)
    assert res.exit_code == 2 and not leaked(res.stderr, [KEYS["groq"]])
    assert fake.requests == []


def test_batch_api_is_refused_for_a_provider_without_one_before_any_call(fake: FakeOpenAI, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    env = {**ALL_KEYS, "ANTHROPIC_BASE_URL": fake.url}
    res = runner.invoke(app, ["batch", str(EXAMPLE), "-o", str(out), "--engine", "batch-api",
                              "--provider", "anthropic"], env=env)
    assert res.exit_code == 2 and res.stderr.count("\n") == 1
    assert "provider anthropic has no OpenAI-compatible Batch API" in res.stderr
    assert fake.requests == [] and not out.exists()


def test_batch_api_sends_the_provider_s_key_to_its_host_only(tmp_path: Path) -> None:
    with FakeOpenAI(default=Reply(payload=example_payload())) as groq, FakeOpenAI() as openai:
        out = tmp_path / "out.jsonl"
        env = {**ALL_KEYS, "GROQ_BASE_URL": groq.url, "OPENAI_BASE_URL": openai.url}
        res = runner.invoke(app, ["batch", str(EXAMPLE), "-o", str(out), "--engine", "batch-api",
                                  "--provider", "groq", "--poll-interval", "0.01"], env=env)
        assert res.exit_code == 0, res.output
        assert openai.requests == []
        paths = {r.path.split("?")[0] for r in groq.requests}
        assert "/v1/files" in paths and "/v1/batches" in paths  # the Batch API, not live calls
        assert set(bearer(groq)) == {f"Bearer {KEYS['groq']}"}
        [line] = [json.loads(x) for x in out.read_text("utf-8").splitlines()]
        assert line["ok"] and line["result"]["provenance"]["provider"] == "groq"


# ------------------------------------------------------------------ summarizer providers


def test_providers_lists_every_provider_and_which_keys_are_set_never_a_key() -> None:
    env = {KEY_ENV["anthropic"]: KEYS["anthropic"], KEY_ENV["groq"]: KEYS["groq"],
           "GEMINI_BASE_URL": f"https://user:{KEYS['gemini']}@proxy.example/v1?key={KEYS['gemini']}"}
    res = runner.invoke(app, ["providers"], env=env)
    assert res.exit_code == 0, res.output
    lines = {line.split()[0]: line for line in res.stdout.splitlines()[1:]}
    assert set(lines) == set(providers.PROVIDERS)
    assert "  set  " in lines["anthropic"] and "  set  " in lines["groq"]
    assert "not set" in lines["openai"] and "not needed" in lines["ollama"] and "optional" in lines["vllm"]
    assert "https://proxy.example/v1 (from GEMINI_BASE_URL)" in lines["gemini"]
    assert not leaked(res.stdout, list(KEYS.values()))

    res = runner.invoke(app, ["providers", "--json"], env=env)
    assert res.exit_code == 0, res.output
    rows = {r["name"]: r for r in json.loads(res.stdout)}
    assert set(rows) == set(providers.PROVIDERS)
    assert rows["anthropic"]["key_set"] is True and rows["openai"]["key_set"] is False
    assert rows["ollama"]["key_set"] is None and rows["ollama"]["key_env"] is None
    assert rows["gemini"]["base_url"] == "https://proxy.example/v1"
    assert [n for n, r in rows.items() if r["batch_api"]] == ["openai", "gemini", "groq"]
    assert not leaked(res.stdout, list(KEYS.values()))

    unset = json.loads(runner.invoke(app, ["providers", "--json"], env={}).stdout)
    assert not any(r["key_set"] for r in unset)


def test_the_history_records_the_provider_never_its_key(fake: FakeOpenAI, tmp_path: Path) -> None:
    fake.script(Reply(payload=example_payload()))
    db = tmp_path / "runs.db"
    res = summarize("--provider", "together", env={**ALL_KEYS, "TOGETHER_BASE_URL": fake.url,
                                                     "SUMMARIZER_LOGS_DB": str(db)})
    assert res.exit_code == 0, res.output
    with sqlite3.connect(db) as conn:
        [(provider, host)] = conn.execute("SELECT provider, endpoint_host FROM runs").fetchall()
    assert (provider, host) == ("together", "127.0.0.1")
    assert not leaked(db.read_bytes().decode("utf-8", "replace"), list(KEYS.values()))


def test_the_help_lists_the_providers() -> None:
    res = runner.invoke(app, ["summarize", "--help"], terminal_width=400)
    assert "--provider NAME" in res.stdout
    assert all(name in res.stdout for name in providers.PROVIDERS)


def test_the_readme_providers_commands_run() -> None:
    import re
    import shlex

    from .conftest import ROOT

    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("## Providers", 1)[1].split("\n## ", 1)[0]
    commands = [line.split("#")[0] for block in re.findall(r"```sh\n(.*?)```", section, re.S)
                for line in block.splitlines() if line.startswith("summarizer providers")]
    assert len(commands) == 2
    for command in commands:
        res = runner.invoke(app, shlex.split(command)[1:], env={KEY_ENV["groq"]: KEYS["groq"]})
        assert res.exit_code == 0, (command, res.output)
        assert "groq" in res.stdout and not leaked(res.stdout, [KEYS["groq"]])
    assert "(docs/providers.md)" in section and (ROOT / "docs" / "providers.md").is_file()


def test_a_bad_url_in_a_provider_variable_is_named() -> None:
    res = summarize("--provider", "groq", env={**ALL_KEYS, "GROQ_BASE_URL": "groq.example/v1"})
    assert res.exit_code == 4 and res.stderr.count("\n") == 1
    assert "GROQ_BASE_URL (or --base-url) must be an http(s) URL" in res.stderr


def test_origins_and_printable_urls() -> None:
    assert providers.origin("HTTPS://Api.OpenAI.com/v1") == providers.origin("https://api.openai.com:443/x")
    assert providers.origin("http://api.openai.com/v1") != providers.origin("https://api.openai.com/v1")
    assert providers.origin("http://[::1]:8000/v1") == "http://[::1]:8000"
    assert providers.origin("ftp://api.openai.com/") is None and providers.origin("http://:80/") is None
    assert providers.public_url("https://u:secret@proxy.example:8443/v1?key=secret#x") == "https://proxy.example:8443/v1"
    assert providers.public_url("proxy.example/v1") == "(not a URL)"


def test_a_provider_echoing_its_key_in_an_error_does_not_print_it(fake: FakeOpenAI) -> None:
    message = f"invalid request for key {KEYS['groq']} (gsk_{KEYS['groq']}{KEYS['groq']})"
    fake.script(Reply(status=400, body={"error": {"message": message, "type": "invalid_request_error"}}))
    res = summarize("--provider", "groq", env={**ALL_KEYS, "GROQ_BASE_URL": fake.url})
    assert res.exit_code == 6 and res.stderr.count("\n") == 1
    assert "invalid request for key" in res.stderr and not leaked(res.stderr, [KEYS["groq"]])
