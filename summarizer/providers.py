"""Providers by name: an OpenAI-compatible endpoint, the variable that holds its key, defaults.

A provider is not a new code path: it is a base URL, a key variable and defaults (model,
instructor mode) for the one pipeline. `--provider anthropic` (or `--model anthropic/claude-...`)
picks Anthropic's OpenAI-compatible endpoint and `ANTHROPIC_API_KEY`.

The key-to-host rule (docs/providers.md): a key found in the environment belongs to one
provider and is sent only to that provider's origin (scheme, host and port of its default URL,
or of the URL its own `*_BASE_URL` variable names), never to an endpoint given some other way
(`--base-url`, another provider). A key passed explicitly (`api_key=`) goes where the user sends it.

What each default relies on (checked offline against the providers' documentation as stored in
2026; re-check when a provider changes its compatibility layer):
- openai: tools and json_schema both supported; tools is the project's default (and what the
  recorded fixtures use). Batch API: /v1/files + /v1/batches (the engine in batch/engine/).
- anthropic: the OpenAI SDK compatibility page lists `response_format` as ignored and `strict`
  as ignored for tools, so function calling (tools) is the only way to a schema there; there is
  no OpenAI-compatible Batch API (Anthropic's Message Batches API is its own format).
- gemini: Google's OpenAI compatibility page documents function calling and structured output;
  tools kept as the default. Google extended the Batch API to the OpenAI SDK (files + batches)
  in September 2025 (developers.googleblog.com, "Gemini Batch API now supports Embeddings and
  OpenAI Compatibility").
- ollama: tools only work with models trained for them; JSON mode (json_object + the schema in
  the prompt) works with every model it serves. No Batch API.
- vllm: structured outputs by guided decoding honour `response_format` json_schema without any
  server flag (tools need --enable-auto-tool-choice). No online Batch API (`vllm run-batch` reads
  the file that `--export-requests` writes).
- groq: tool use on its production models; Batch API at /openai/v1/files and /openai/v1/batches
  in OpenAI's format (purpose "batch").
- together: function calling on its instruct models. It has a Batch API, but its documented
  upload uses purpose "batch-api" (its own SDK), which the OpenAI client's upload does not send:
  not offered here until verified (use --export-requests).
- openrouter: normalises tool calls across the models it routes to; no Batch API.
- llamacpp: llama-cpp-python's server (`python -m llama_cpp.server`, port 8000) or llama.cpp's
  own `llama-server` (port 8080, with --base-url). It ignores `response_format` json_schema;
  `json_object` with a `schema` is grammar-constrained. TOOLS mode sends the schema through
  llama-cpp-python's own grammar converter, whose nested optional groups for our bounded lists
  and strings its parser refuses, and the server process dies (measured, issue 25). So
  instructor asks in json_schema mode and `transports/llamacpp.py` rewrites the request into
  what the embedded backend would run: the schema bounded as `local/grammar.py` bounds it, sent
  as `json_object` + `schema`, and the sampling of `local/sampling.py`. One slot, on a CPU:
  the focused plan, one article at a time, no re-asks, the embedded backend's limits, and a
  timed-out request is not sent again (the server is still computing it).
- lmstudio: LM Studio's server (port 1234) documents `response_format` json_schema (structured
  output by llama.cpp's grammar or MLX); sent the same bounded schema, with the same limits.
  Not run here: checked against its documentation only.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Provider:
    """One provider's OpenAI-compatible endpoint and defaults."""

    name: str
    base_url: str
    key_env: str | None  # None: a local server that needs no key
    url_env: str  # the variable that points the provider elsewhere (a proxy, a mirror, a test)
    model: str | None  # default model; None: the server decides what it serves (--model needed)
    mode: str = "tools"  # instructor mode its endpoint supports best (see the module docstring)
    batch_api: bool = False  # an OpenAI-format Batch API (/files, /batches) for --engine batch-api
    key_required: bool = True  # False: the key variable is optional (vLLM started without --api-key)
    note: str = ""
    settings: Mapping[str, Any] = field(default_factory=dict)  # Settings fields it sets when left unset
    concurrency: int | None = None  # articles in flight by default (None: DEFAULT_CONCURRENCY)
    dialect: str | None = None  # a request rewrite for its server (transports/llamacpp.py); None: as sent
    resend_timeouts: bool = True  # False: a request that timed out is not sent again (see LOCAL_SERVER)

    def url(self, env: Mapping[str, str]) -> str:
        return env.get(self.url_env) or self.base_url

    def key(self, env: Mapping[str, str]) -> str | None:
        return (env.get(self.key_env) or None) if self.key_env else None

    @property
    def needs_key(self) -> bool:
        return self.key_env is not None and self.key_required


LOCAL_SERVER: dict[str, Any] = {"strategy": "focused", "max_reasks": 0, "timeout": 1800.0, "chunk_tokens": 2500}
"""Defaults for a single-slot local server on a CPU, as for the embedded backend: small focused
questions, no re-asks (a small model repeats its mistake), the embedded deadline and chunk size.
With one slot a request that timed out is still being computed: sent again it would queue
behind itself, so such providers do not resend timeouts, and run one article at a time."""

PROVIDERS: dict[str, Provider] = {
    p.name: p
    for p in (
        Provider("openai", "https://api.openai.com/v1", "OPENAI_API_KEY", "OPENAI_BASE_URL", "gpt-4o-mini",
                 batch_api=True),
        Provider("anthropic", "https://api.anthropic.com/v1", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL",
                 "claude-3-5-haiku-latest", note="Anthropic's OpenAI SDK compatibility endpoint"),
        Provider("gemini", "https://generativelanguage.googleapis.com/v1beta/openai", "GEMINI_API_KEY",
                 "GEMINI_BASE_URL", "gemini-2.0-flash", batch_api=True,
                 note="Google's OpenAI compatibility endpoint"),
        Provider("ollama", "http://localhost:11434/v1", None, "OLLAMA_BASE_URL", None, mode="json",
                 note="a local Ollama server; JSON mode works with every model it serves"),
        Provider("vllm", "http://localhost:8000/v1", "VLLM_API_KEY", "VLLM_BASE_URL", None, mode="json_schema",
                 key_required=False, note="a vLLM server (vllm serve); structured outputs by guided decoding"),
        Provider("groq", "https://api.groq.com/openai/v1", "GROQ_API_KEY", "GROQ_BASE_URL",
                 "llama-3.3-70b-versatile", batch_api=True),
        Provider("together", "https://api.together.xyz/v1", "TOGETHER_API_KEY", "TOGETHER_BASE_URL",
                 "meta-llama/Llama-3.3-70B-Instruct-Turbo"),
        Provider("openrouter", "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY", "OPENROUTER_BASE_URL",
                 "openai/gpt-4o-mini", note="model names are vendor/model"),
        Provider("llamacpp", "http://localhost:8000/v1", None, "LLAMACPP_BASE_URL", "local", mode="json_schema",
                 settings=LOCAL_SERVER, concurrency=1, dialect="llamacpp", resend_timeouts=False,
                 note="llama-cpp-python's server (python -m llama_cpp.server) or llama-server; "
                 "grammar-constrained JSON, the embedded backend's sampling"),
        Provider("lmstudio", "http://localhost:1234/v1", None, "LMSTUDIO_BASE_URL", None, mode="json_schema",
                 settings=LOCAL_SERVER, concurrency=1, dialect="lmstudio", resend_timeouts=False,
                 note="LM Studio's server (lms server start); structured output by JSON schema"),
    )
}

NAMES: tuple[str, ...] = tuple(PROVIDERS)


def split_model(model: str | None) -> tuple[str | None, str | None]:
    """("anthropic", "claude-...") for "anthropic/claude-..."; (None, model) when the prefix
    names no provider. Only the first slash splits, so "openrouter/meta-llama/llama-3-8b" is
    OpenRouter's "meta-llama/llama-3-8b", and "meta-llama/llama-3-8b" stays a model name."""
    if isinstance(model, str) and "/" in model:
        head, rest = model.split("/", 1)
        if head.lower() in PROVIDERS and rest.strip():
            return head.lower(), rest
    return None, model


def origin(url: str | None) -> str | None:
    """scheme://host:port of `url` (lower case, default port filled in), None if it has no host.

    The unit a key is bound to: the same host over plain http, or on another port, is another
    server (a key must not travel in clear text, nor to another service on the same machine).
    """
    if not url:
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if not host or scheme not in _DEFAULT_PORTS:
        return None
    if ":" in host:
        host = f"[{host}]"  # IPv6
    return f"{scheme}://{host}:{port or _DEFAULT_PORTS[scheme]}"


def key_for(provider: Provider, base_url: str | None, env: Mapping[str, str] | None = None) -> str | None:
    """The provider's key, if `base_url` (the endpoint actually used; None: the provider's own)
    has the origin of the provider's own URL.

    A key is a secret of one provider: sent to another host it would leak (a typo in
    --base-url, a proxy the user did not mean to trust), so it is withheld there.
    """
    env = os.environ if env is None else env
    key = provider.key(env)
    if key is None or base_url is None:
        return key
    mine = origin(provider.url(env))
    return key if mine is not None and origin(base_url) == mine else None


def settle(values: dict[str, Any], given: Mapping[str, Any], env: Mapping[str, str]) -> dict[str, Any]:
    """Provider, model, base URL and key for `Settings.resolve`, by the rules of docs/providers.md.

    `values` are the settings gathered so far (environment, then explicit values); `given` are
    the explicit ones only (a key or base URL given explicitly is the user's decision).
    Returns the changes to make to `values`.
    """
    changes: dict[str, Any] = {}
    if values.get("backend", "openai") != "openai":
        if given.get("provider") is not None:
            return {}  # explicit and contradictory: Settings refuses it, naming both
        return {"provider": None}  # SUMMARIZER_PROVIDER does not apply to local or rules runs
    name = values.get("provider")
    base_url = given.get("base_url")
    if name is None and base_url is None:  # a base URL given: the model name is that server's own
        prefix, rest = split_model(values.get("model"))
        if prefix is not None:
            name = prefix
            changes.update(provider=prefix, model=rest)
    provider = PROVIDERS.get(name.strip().lower() if isinstance(name, str) else "openai")
    if provider is None:
        return changes  # Settings refuses the unknown name, listing the known ones
    if name is not None:
        changes["provider"] = provider.name
    if base_url is None and env.get(provider.url_env):  # the provider's own variable: still that provider
        base_url = changes["base_url"] = env[provider.url_env]
        changes["provider"] = provider.name
    if given.get("api_key") is not None:
        changes["key_origin"] = None  # explicit: sent wherever the user sends it
        return changes
    key = key_for(provider, base_url, env)
    changes["api_key"] = key
    changes["key_origin"] = origin(base_url or provider.base_url) if key else None
    return changes


def public_url(url: str | None) -> str | None:
    """`url` without user:password, query and fragment: safe to print (a proxy's URL in a
    `*_BASE_URL` variable may carry credentials)."""
    if not url:
        return url
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return "(not a URL)"
    if not host or not parts.scheme:
        return "(not a URL)"
    host = f"[{host}]" if ":" in host else host  # IPv6
    netloc = f"{host}:{port}" if port is not None else host
    return f"{parts.scheme}://{netloc}{parts.path}"


def status(env: Mapping[str, str] | None = None) -> list[dict[str, object]]:
    """Every provider, its endpoint, default model and whether its key is set (never the key)."""
    env = os.environ if env is None else env
    return [
        {
            "name": p.name,
            "base_url": public_url(p.url(env)),
            "base_url_env": p.url_env,
            "base_url_overridden": bool(env.get(p.url_env)),
            "key_env": p.key_env,
            "key_required": p.needs_key,
            "key_set": bool(p.key(env)) if p.key_env else None,
            "model": p.model,
            "mode": p.mode,
            "batch_api": p.batch_api,
            "strategy": p.settings.get("strategy"),
            "concurrency": p.concurrency,
            "note": p.note,
        }
        for p in PROVIDERS.values()
    ]
