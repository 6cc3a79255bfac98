"""Run settings: validated whenever a `Settings` is built, however it is built.

`Settings(...)`, `settings.with_(...)` and `Settings.resolve(...)` all end in the same
`__post_init__`, so a bad value is refused with a typed `SettingError` (in the library's words:
field names, not CLI flags; the CLI puts its flag names in) before anything is sent anywhere.
Fields left unset that depend on the backend (`model`, `max_reasks`, `timeout`) take that
backend's defaults, so `Settings(backend="rules")` is a rules run, not an openai run with a rules label.
The environment is read in one place only, `from_environment`, and only by `resolve`.

Kept free of heavy imports: the CLI builds settings (and the cache key from them) before it
knows whether it needs the openai client at all.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal, get_args
from urllib.parse import urlsplit, urlunsplit

from .errors import SettingError
from .numbers import check_number as _number

DEFAULT_MODEL = "gpt-4o-mini"
LOCAL_MODEL = "qwen2.5-coder-1.5b"  # a name known to summarizer.local.store (`summarizer models`)
RULES_MODEL = "rules"
Backend = Literal["openai", "local", "rules"]
Mode = Literal["tools", "json_schema", "json"]  # instructor mode (see client._MODES)
Strategy = Literal["single", "focused"]
RecordMode = Literal["all", "new_episodes"]  # with record_dir: record every exchange, or only those not recorded yet
OutputFormat = Literal["json", "md", "table", "html", "csv"]
"""The choices, as types (checked by mypy in callers' code) and, below, as tuples (checked at run time)."""
BACKENDS: tuple[Backend, ...] = get_args(Backend)
MODES: tuple[Mode, ...] = get_args(Mode)
STRATEGIES: tuple[Strategy, ...] = get_args(Strategy)
RECORD_MODES: tuple[RecordMode, ...] = get_args(RecordMode)
OUTPUT_FORMATS: tuple[OutputFormat, ...] = get_args(OutputFormat)

BACKEND_DEFAULTS: dict[str, dict[str, Any]] = {
    "openai": {"model": DEFAULT_MODEL, "max_reasks": 2, "timeout": 300.0},
    # The 135M model repeats the same mistake when re-asked (measured: 3 identical attempts,
    # 3x the time); grounding still drops what it cannot place. Rules answer the same each time.
    # A model on the CPU is slow, not broken: SmolLM2-135M took 11-35 s per article on 2 idle
    # cores and over 300 s with another llama.cpp process on them (measured); the 1.5B default
    # is several times slower still. So its deadline is longer.
    "local": {"model": LOCAL_MODEL, "max_reasks": 0, "timeout": 1800.0},
    "rules": {"model": RULES_MODEL, "max_reasks": 0, "timeout": 300.0},
}
"""What an unset backend-dependent field becomes, per backend."""

ENVIRONMENT: dict[str, str] = {
    "SUMMARIZER_BACKEND": "backend",
    "SUMMARIZER_MODEL": "model",
    "SUMMARIZER_PROVIDER": "provider",
    "SUMMARIZER_REPLAY": "replay_dir",
    "SUMMARIZER_RECORD": "record_dir",
    "SUMMARIZER_MODEL_PATH": "model_path",
    "SUMMARIZER_PROMPTS": "prompts_dir",
    "SUMMARIZER_RECORD_MODE": "record_mode",
}
"""Environment variable -> Settings field: what `resolve` takes from the environment as is.
The providers' key and URL variables (OPENAI_API_KEY, OPENAI_BASE_URL, ANTHROPIC_API_KEY...)
are read by `providers.settle`, which applies the key-to-host rule."""

DEFAULT_CONCURRENCY = 8
"""Articles in flight at once (batch, summarize_many). A hosted API answers one article in
seconds, so 8 overlap well while staying far below typical rate limits (the retry layer absorbs
the odd 429); raise it for high-tier accounts, lower it (1-2) for a local server that runs one
request at a time."""

_BY_BACKEND: Any = None  # the default of a field that BACKEND_DEFAULTS fills in


def from_environment(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The settings the environment gives (empty variables count as unset): the one place
    where the environment is read."""
    env = os.environ if env is None else env
    return {name: env[var] for var, name in ENVIRONMENT.items() if env.get(var)}


@dataclass(frozen=True)
class Settings:
    """Everything that decides how an article is sent to a model."""

    model: str = _BY_BACKEND  # None: the backend's default model
    backend: Backend = "openai"
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)  # never printed, never recorded
    provider: str | None = None  # openai, anthropic, ... (providers.py); None: OpenAI or the server base_url names
    # Where api_key may be sent: the origin (scheme://host:port) of the provider it was found for
    # in the environment (`resolve` sets it); None: given explicitly, sent to whatever endpoint.
    key_origin: str | None = field(default=None, repr=False)
    record_dir: Path | None = None
    replay_dir: Path | None = None
    model_path: str | None = None
    max_retries: int = 4  # transport retries per request (429/5xx/connection)
    retry_wait: float = 0.5  # first backoff in seconds; doubles per retry, with jitter
    max_reasks: int = _BY_BACKEND  # re-asks when the output is invalid; None: by backend
    timeout: float = _BY_BACKEND  # seconds for the whole article, all attempts; None: by backend
    request_timeout: float = 120.0  # seconds for one HTTP request
    max_tokens: int = 4096
    temperature: float = 0.0
    chunk_tokens: int | None = None  # article tokens per model call; None = by backend
    mode: Mode = _BY_BACKEND  # instructor mode: tools | json_schema | json (client._MODES); None: the provider's
    strategy: Strategy | None = None  # single | focused; None = by backend (see `plan`)
    record_mode: RecordMode = "all"  # all: record every exchange; new_episodes: replay what record_dir has, record the rest
    prompts_dir: Path | None = None  # the user's own copies of prompts/*.md; None = ours
    rpm: int | None = None  # requests per minute to pace live calls by, besides the server's headers
    tpm: int | None = None  # tokens per minute, likewise
    # Which fields took their backend's default (so `with_(backend=...)` re-derives them).
    _by_backend: frozenset[str] = field(default=frozenset(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _choice("backend", self.backend, BACKENDS)
        defaulted = set()
        defaults = {"mode": "tools", **BACKEND_DEFAULTS[self.backend]}
        if self.backend == "local" and self.model_path:
            defaults["model"] = Path(self.model_path).stem  # a GGUF file is named by itself
        defaults.update(self._provider_defaults())
        for name, value in defaults.items():
            if getattr(self, name) is None:
                object.__setattr__(self, name, value)
                defaulted.add(name)
        object.__setattr__(self, "_by_backend", frozenset(defaulted))
        for name in ("record_dir", "replay_dir", "prompts_dir"):
            value = getattr(self, name)
            if value is not None:
                if not isinstance(value, (str, os.PathLike)) or not os.fspath(value):
                    raise SettingError(name, "must be a directory path")
                object.__setattr__(self, name, Path(value))
        if isinstance(self.model_path, os.PathLike):
            object.__setattr__(self, "model_path", os.fspath(self.model_path))
        self._bind_key()
        self._validate()

    def _provider_defaults(self) -> dict[str, Any]:
        """The provider's model and mode for fields left unset, after reading a `provider/model`
        name (only when no provider and no base_url are given: see providers.settle)."""
        from . import providers

        if self.provider is None and self.base_url is None and self.backend == "openai":
            prefix, rest = providers.split_model(self.model)
            if prefix is not None:
                object.__setattr__(self, "provider", prefix)
                object.__setattr__(self, "model", rest)
        if self.provider is None:
            return {}
        _choice("provider", self.provider, providers.NAMES)
        if self.backend != "openai":
            raise SettingError(
                "provider", f"applies to the openai backend only (got backend {self.backend!r})",
                "drop the provider, or the backend",
            )
        p = providers.PROVIDERS[self.provider]
        if p.model is None and self.model is None:
            raise SettingError(
                "model", f"is needed with provider {p.name}: the server serves the models you gave it",
                f"name one, e.g. {p.name}/llama3.2",
            )
        return {"mode": p.mode, **({"model": p.model} if p.model else {})}

    def _bind_key(self) -> None:
        """Drop a key found in the environment for one origin when the endpoint is another
        (a copy made with another provider or base_url): the key-to-host rule holds however
        the settings were changed, not only when they were resolved."""
        from .providers import origin

        if self.api_key is not None and self.key_origin is not None and origin(self.endpoint) != self.key_origin:
            object.__setattr__(self, "api_key", None)
            object.__setattr__(self, "key_origin", None)

    def _validate(self) -> None:
        """Refuse unusable or contradictory values, naming the field."""
        if not isinstance(self.model, str) or not self.model.strip():
            raise SettingError("model", "must be a non-empty model name")
        _choice("mode", self.mode, MODES)
        if self.strategy is not None:
            _choice("strategy", self.strategy, STRATEGIES)
        for name in ("api_key", "model_path"):
            if getattr(self, name) is not None and not isinstance(getattr(self, name), str):
                raise SettingError(name, "must be a string")  # the value itself may be secret
        if self.base_url is not None:
            _check_url(self.base_url)
        _number("max_retries", self.max_retries, integer=True, minimum=0)
        _number("max_reasks", self.max_reasks, integer=True, minimum=0)
        _number("max_tokens", self.max_tokens, integer=True, minimum=1)
        if self.chunk_tokens is not None:
            _number("chunk_tokens", self.chunk_tokens, integer=True, minimum=100)
        _number("retry_wait", self.retry_wait, minimum=0)
        _number("timeout", self.timeout, minimum=0, positive=True)
        _number("request_timeout", self.request_timeout, minimum=0, positive=True)
        _number("temperature", self.temperature, minimum=0, maximum=2)
        if self.record_dir is not None and self.replay_dir is not None:
            raise SettingError(
                "record_dir", "and replay_dir cannot be used together", "record, or replay, not both"
            )
        if self.replay_dir is not None and not self.replay_dir.is_dir():
            raise SettingError("replay_dir", f"{self.replay_dir} does not exist or is not a directory")
        _choice("record_mode", self.record_mode, RECORD_MODES)
        if self.prompts_dir is not None:
            from .prompts import check_templates

            check_templates(self.prompts_dir)
        if self.rpm is not None:
            _number("rpm", self.rpm, integer=True, minimum=1)
        if self.tpm is not None:
            _number("tpm", self.tpm, integer=True, minimum=1)
        if self.backend == "openai" and self.replay_dir is None and not self.api_key and not self.base_url:
            from .providers import PROVIDERS

            p = PROVIDERS[self.provider or "openai"]
            if p.needs_key:
                raise SettingError(  # library words; the CLI says it with its flags (cli/common.py)
                    "api_key",
                    f"is missing (no {p.key_env}), and so is base_url: the openai backend has nowhere "
                    "to send requests",
                    f"set {p.key_env} (or api_key=); or point base_url at an OpenAI-compatible server "
                    '(Ollama, vLLM, llama.cpp); or run offline with backend="local" (the embedded model) '
                    'or backend="rules" (no model); or answer from recordings with replay_dir=',
                )

    @classmethod
    def resolve(cls, env: Mapping[str, str] | None = None, **given: Any) -> Settings:
        """Explicit values win over the environment (`from_environment`); None means "not given".
        The provider's key and base URL come from its own variables, by the key-to-host rule
        (`providers.settle`)."""
        from .providers import settle

        env = os.environ if env is None else env
        explicit = {k: v for k, v in given.items() if v is not None}
        values: dict[str, Any] = from_environment(env)
        values.update(explicit)
        values.update(settle(values, explicit, env))
        return cls(**values)

    def with_(self, **changes: Any) -> Settings:
        """A copy with `changes`, validated; backend-dependent fields that were never set
        follow a changed backend."""
        values = {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.init and f.name not in self._by_backend
        }
        values.update(changes)
        return type(self)(**values)

    @property
    def plan(self) -> Strategy:
        """How the model is asked: one whole-article extraction ("single", what a capable hosted
        model does best), or focused questions with small constrained answers ("focused", what
        a small embedded model can do well; see focused.py)."""
        if self.strategy is not None:
            return self.strategy
        return "focused" if self.backend == "local" else "single"

    @property
    def article_budget(self) -> int:
        """Tokens of article text sent in one call; longer articles are split into chunks.

        The embedded model runs with an 8k context that must also hold the prompt, the schema
        and the answer; hosted models get a budget that fits 16k-context models with room.
        """
        if self.chunk_tokens is not None:
            return self.chunk_tokens
        return {"local": 2500, "rules": 10**9}.get(self.backend, 12000)

    @property
    def backend_label(self) -> str:
        """What provenance calls the backend: replay runs say so."""
        return "replay" if self.replay_dir is not None else self.backend

    @property
    def endpoint(self) -> str:
        """The base URL the openai client talks to (a placeholder when nothing is sent)."""
        if self.replay_dir is not None:
            return self.base_url or "http://replay.invalid/v1"
        if self.backend in ("local", "rules"):
            return f"http://{self.backend}.invalid/v1"
        if self.base_url:
            return self.base_url
        from .providers import PROVIDERS

        return PROVIDERS[self.provider or "openai"].base_url

    @property
    def provider_label(self) -> str | None:
        """The provider that answers, for provenance and history: the one named (`resolve` names
        the provider whose *_BASE_URL variable gave the endpoint), else "openai" for OpenAI's
        default endpoint; None for a server named only by base_url and for runs that send
        nothing (local, rules, replay)."""
        if self.backend != "openai" or self.replay_dir is not None or self.endpoint_host.endswith(".invalid"):
            return None
        return self.provider or (None if self.base_url else "openai")

    @property
    def public_endpoint(self) -> str | None:
        """The endpoint's origin (scheme://host:port), nothing that could carry a credential
        (no user:password, path or query); None when nothing is sent."""
        from .providers import origin

        if self.backend != "openai" or self.replay_dir is not None or self.endpoint_host.endswith(".invalid"):
            return None
        return origin(self.endpoint)

    @property
    def endpoint_host(self) -> str:
        """Host only (no credentials, no path): safe to write into fixtures."""
        return urlsplit(self.endpoint).hostname or "unknown"

    @property
    def endpoint_url(self) -> str:
        """The whole endpoint (scheme, host, port, path, query) without user:password, with
        the case-insensitive parts lowered and no trailing slash: one server, one string."""
        parts = urlsplit(self.endpoint)
        netloc = parts.hostname or ""
        if parts.port is not None:
            netloc = f"{netloc}:{parts.port}"
        return urlunsplit((parts.scheme.lower(), netloc, parts.path.rstrip("/"), parts.query, ""))


def _choice(name: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise SettingError(name, f"must be one of {', '.join(allowed)} (got {value!r})")


def _check_url(url: object) -> None:
    """An http(s) URL with a host; the value is not echoed (it may carry credentials)."""
    if not isinstance(url, str):
        raise SettingError("base_url", "must be a string")
    try:
        parts = urlsplit(url)
        ok = parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        ok = False
    if not ok:
        raise SettingError("base_url", "must be an http(s) URL with a host, e.g. http://localhost:11434/v1")
