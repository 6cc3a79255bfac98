"""Providers by name: an OpenAI-compatible endpoint, the variable that holds its key, defaults.

A provider is not a new code path: it is a base URL, a key variable and defaults (model,
instructor mode) for the one pipeline. `--provider anthropic` (or `--model anthropic/claude-...`)
picks Anthropic's OpenAI-compatible endpoint and `ANTHROPIC_API_KEY`; the key is sent only to
the provider's own host (its default URL, or the one its `*_BASE_URL` variable names), never to
an endpoint given some other way.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlparse

from .errors import ConfigError


@dataclass(frozen=True)
class Provider:
    """One provider's OpenAI-compatible endpoint and defaults."""

    name: str
    base_url: str
    key_env: str | None  # None: a local server that needs no key
    url_env: str  # the variable that points the provider elsewhere (a proxy, a mirror, a test)
    model: str | None  # default model; None: the server decides what it serves (--model needed)
    mode: str = "tools"  # instructor mode its endpoint supports best
    note: str = ""

    def url(self, env: Mapping[str, str]) -> str:
        return env.get(self.url_env) or self.base_url

    def host(self, env: Mapping[str, str]) -> str:
        return (urlparse(self.url(env)).hostname or "").lower()

    def key(self, env: Mapping[str, str]) -> str | None:
        return env.get(self.key_env) if self.key_env else None


PROVIDERS: dict[str, Provider] = {
    p.name: p
    for p in (
        Provider("openai", "https://api.openai.com/v1", "OPENAI_API_KEY", "OPENAI_BASE_URL", "gpt-4o-mini"),
        Provider("anthropic", "https://api.anthropic.com/v1", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL",
                 "claude-3-5-haiku-latest", note="Anthropic's OpenAI SDK compatibility endpoint"),
        Provider("gemini", "https://generativelanguage.googleapis.com/v1beta/openai", "GEMINI_API_KEY",
                 "GEMINI_BASE_URL", "gemini-2.0-flash", note="Google's OpenAI compatibility endpoint"),
        Provider("ollama", "http://localhost:11434/v1", None, "OLLAMA_BASE_URL", None, mode="json",
                 note="a local Ollama server; JSON mode works with every model it serves"),
        Provider("vllm", "http://localhost:8000/v1", "VLLM_API_KEY", "VLLM_BASE_URL", None, mode="json_schema",
                 note="a vLLM server (vllm serve); structured outputs by guided decoding"),
        Provider("groq", "https://api.groq.com/openai/v1", "GROQ_API_KEY", "GROQ_BASE_URL",
                 "llama-3.3-70b-versatile"),
        Provider("together", "https://api.together.xyz/v1", "TOGETHER_API_KEY", "TOGETHER_BASE_URL",
                 "meta-llama/Llama-3.3-70B-Instruct-Turbo"),
        Provider("openrouter", "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY", "OPENROUTER_BASE_URL",
                 "openai/gpt-4o-mini", note="model names are provider/model"),
    )
}


def get(name: str) -> Provider:
    """The provider called `name`; ConfigError listing the known ones otherwise."""
    provider = PROVIDERS.get(name.strip().lower())
    if provider is None:
        raise ConfigError(f"unknown provider {name!r}", f"use one of: {', '.join(PROVIDERS)}")
    return provider


def split_model(model: str | None) -> tuple[str | None, str | None]:
    """("anthropic", "claude-...") for "anthropic/claude-..."; (None, model) when the prefix
    names no provider (OpenRouter's and Together's models have slashes of their own)."""
    if model and "/" in model:
        head, rest = model.split("/", 1)
        if head.lower() in PROVIDERS and rest:
            return head.lower(), rest
    return None, model


def key_for(provider: Provider, base_url: str | None, env: Mapping[str, str] | None = None) -> str | None:
    """The provider's key, if `base_url` (the endpoint actually used) is the provider's own host.

    A key is a secret of one provider: sent to another host it would leak (a typo in
    --base-url, a proxy the user did not mean to trust), so it is withheld there.
    """
    env = os.environ if env is None else env
    key = provider.key(env)
    if key is None or base_url is None:
        return key
    return key if (urlparse(base_url).hostname or "").lower() == provider.host(env) else None


def status(env: Mapping[str, str] | None = None) -> list[dict[str, object]]:
    """Every provider, its endpoint, default model and whether its key is set (never the key)."""
    env = os.environ if env is None else env
    return [
        {
            "name": p.name,
            "base_url": p.url(env),
            "key_env": p.key_env,
            "key_set": bool(p.key(env)) if p.key_env else None,
            "model": p.model,
            "mode": p.mode,
            "note": p.note,
        }
        for p in PROVIDERS.values()
    ]
