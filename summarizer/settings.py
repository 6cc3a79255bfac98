"""Run settings: validated whenever a `Settings` is built, however it is built.

`Settings(...)`, `settings.with_(...)` and `Settings.resolve(...)` all end in the same
`__post_init__`, so a bad value is refused with a typed `SettingError` (in the library's words:
field names, not CLI flags; the CLI puts its flag names in) before anything is sent anywhere.
Fields left unset that depend on the backend (`model`, `max_reasks`, `timeout`) take that
backend's defaults, so `Settings(backend="rules")` is a rules run, not an openai run with a rules label.
The environment is read in one place only, `from_environment`, and only by `resolve`.

Each setting is declared once, as a field with `setting(...)`: its type and default, its
environment variable, its command-line flag and help, and whether it keys the results cache.
The CLI builds its options from that (`cli/common.py`), the cache its key (`cache.py`);
`Options`, the library's keyword types, mirrors the fields for type checkers (a test keeps the
two equal).

Kept free of heavy imports: the CLI builds settings (and the cache key from them) before it
knows whether it needs the openai client at all.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal, TypedDict, get_args
from urllib.parse import urlsplit, urlunsplit

from .errors import SettingError
from .numbers import check_number as _number
from .providers import NAMES as PROVIDER_NAMES

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

DEFAULT_CONCURRENCY = 8
"""Articles in flight at once (batch, summarize_many). A hosted API answers one article in
seconds, so 8 overlap well while staying far below typical rate limits (the retry layer absorbs
the odd 429); raise it for high-tier accounts, lower it (1-2) for a local server that runs one
request at a time."""

_BY_BACKEND: Any = None  # the default of a field that BACKEND_DEFAULTS fills in


def declared() -> dict[str, Declared]:
    """Every setting's declaration, by field name, in declaration order."""
    return {f.name: f.metadata["declared"] for f in fields(Settings) if "declared" in f.metadata}


def environment() -> dict[str, str]:
    """Environment variable -> Settings field: what `resolve` takes from the environment as is.
    The providers' key and URL variables (OPENAI_API_KEY, OPENAI_BASE_URL, ANTHROPIC_API_KEY...)
    are read by `providers.settle`, which applies the key-to-host rule."""
    return {d.env: name for name, d in declared().items() if d.env}


def from_environment(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The settings the environment gives (empty variables count as unset): the one place
    where the environment is read."""
    env = os.environ if env is None else env
    return {name: env[var] for var, name in environment().items() if env.get(var)}


@dataclass(frozen=True)
class Declared:
    """How one setting reaches people: its environment variable, its command-line flag (and on
    which commands), its help, and whether it can change the answer (and so keys the results
    cache) or, if not, why. The CLI's options, the environment and the cache key all follow
    from these; the README documents them."""

    help: str
    cache: bool | str  # True: keyed; a str: why it is not
    env: str | None = None
    flag: str | None = None  # "--model"; None: library only
    short: str | None = None
    metavar: str | None = None
    cli_type: type = str  # what the command line parses a non-number as (Path for folders)
    number: str | None = None  # "int" or "float": checked finite and within the bounds below
    minimum: float | None = None  # the least value (checked by Settings, so the CLI names the flag)
    maximum: float | None = None
    positive: bool = False  # more than 0
    commands: tuple[str, ...] = ("summarize", "batch", "eval")


def setting(default: Any, *, repr: bool = True, **declared: Any) -> Any:  # noqa: A002 - dataclass's own name
    """A `Settings` field with its declaration (see `Declared`)."""
    return field(default=default, repr=repr, metadata={"declared": Declared(**declared)})


@dataclass(frozen=True)
class Settings:
    """Everything that decides how an article is sent to a model: one declaration per setting
    (`setting(...)`), from which the library keywords, the CLI options and the environment follow."""

    model: str = setting(
        _BY_BACKEND, env="SUMMARIZER_MODEL", flag="--model", short="-m", metavar="MODEL", cache=True,
        help="Model name [default gpt-4o-mini; with --backend local a known local model, default "
        "qwen2.5-coder-1.5b].",
    )
    backend: Backend = setting(
        "openai", env="SUMMARIZER_BACKEND", flag="--backend", metavar="openai|local|rules", cache=True,
        help="openai (OpenAI or any compatible endpoint, the default), local (the embedded model) or "
        "rules (no model: the rules baseline).",
    )
    base_url: str | None = setting(
        None, flag="--base-url", metavar="URL", cache=True,
        help="OpenAI-compatible endpoint, e.g. http://localhost:11434/v1 [env OPENAI_BASE_URL, or the "
        "provider's own *_BASE_URL]. A provider's key from the environment is sent only to that "
        "provider's own host.",
    )
    api_key: str | None = setting(
        None, repr=False, cache="a secret; another key to the same endpoint reaches the same model",
        help="The key (from the provider's own variable: OPENAI_API_KEY, ANTHROPIC_API_KEY, ...); "
        "never printed, never recorded.",
    )
    provider: str | None = setting(
        None, env="SUMMARIZER_PROVIDER", flag="--provider", metavar="NAME",
        cache="it is an endpoint, a model and a mode, each keyed: `base_url` is keyed as "
        "`Settings.endpoint_url`, which is the provider's URL when no base_url is given",
        help=f"{', '.join(PROVIDER_NAMES)}: that provider's OpenAI-compatible endpoint, key variable and "
        "defaults (or name it in the model: anthropic/claude-3-5-haiku-latest) [see summarizer providers].",
    )
    key_origin: str | None = setting(
        None, repr=False, cache="where the key may be sent, not what is asked",
        help="Where api_key may be sent: the origin (scheme://host:port) of the provider it was found "
        "for in the environment (`resolve` sets it); None: given explicitly, sent to the endpoint.",
    )
    record_dir: Path | None = setting(
        None, env="SUMMARIZER_RECORD", flag="--record", metavar="DIR", cli_type=Path,
        cache="recording runs bypass the cache",
        help="Write every model exchange to this fixture directory.",
    )
    replay_dir: Path | None = setting(
        None, env="SUMMARIZER_REPLAY", flag="--replay", metavar="DIR", cli_type=Path,
        cache="replaying runs bypass the cache",
        help="Answer only from fixtures in this directory, never the network.",
    )
    model_path: str | None = setting(
        None, env="SUMMARIZER_MODEL_PATH", flag="--model-path", metavar="FILE", cache=True,
        help="Any GGUF file for --backend local, instead of a known model (see `summarizer models`).",
    )
    max_retries: int = setting(
        4, number="int", flag="--max-retries", metavar="N", minimum=0,
        cache="transport retries repeat the same request: they change whether, not what",
        help="Retries per request for 429/408/409/5xx/connection faults [default 4].",
    )
    retry_wait: float = setting(
        0.5, number="float", minimum=0, cache="when a request is retried, not what it asks",
        help="First backoff in seconds; doubles per retry, with jitter.",
    )
    max_reasks: int = setting(
        _BY_BACKEND, number="int", flag="--max-reasks", metavar="N", minimum=0, cache=True,
        help="Re-asks when the output is invalid or a quote is not in the text [default 2; 0 local and rules].",
    )
    timeout: float = setting(
        _BY_BACKEND, number="float", positive=True, flag="--timeout", metavar="SECONDS",
        cache="how long to wait, not what is answered",
        help="Seconds for the whole article, every attempt and every byte included [default 300; 1800 "
        "local and local servers].",
    )
    request_timeout: float | None = setting(
        None, number="float", positive=True, flag="--request-timeout", metavar="SECONDS",
        cache="how long to wait, not what is answered",
        help="Seconds for one HTTP request [default: what is left of --timeout]. A local single-slot "
        "server (--provider llamacpp, lmstudio) is not sent a timed-out request again.",
    )
    max_tokens: int = setting(
        4096, number="int", flag="--max-tokens", metavar="N", minimum=1, cache=True,
        help="Output token budget; doubled once if the answer is cut off [default 4096].",
    )
    temperature: float = setting(0.0, number="float", minimum=0, maximum=2, cache=True, help="Sampling temperature (0: the same answer each time).")
    chunk_tokens: int | None = setting(
        None, number="int", flag="--chunk-tokens", metavar="N", minimum=100, cache=True,
        help="Article tokens per model call; longer articles are split [default 12000; 2500 local and "
        "local servers].",
    )
    mode: Mode = setting(
        _BY_BACKEND, flag="--mode", metavar="tools|json_schema|json", cache=True,
        help="tools (function calling), json_schema (structured outputs) or json (schema in the prompt, "
        "for endpoints without either) [default: the provider's, see summarizer providers; tools for OpenAI].",
    )
    strategy: Strategy | None = setting(
        None, flag="--strategy", metavar="single|focused", cache=True,
        help="single (one whole-article call, default for hosted models) or focused (small questions, "
        "default for --backend local and the local servers: --provider llamacpp, lmstudio).",
    )
    record_mode: RecordMode = setting(
        "all", env="SUMMARIZER_RECORD_MODE", cache="recording runs bypass the cache",
        help="With a record directory: all (record every exchange) or new_episodes (replay what it "
        "has, record the rest).",
    )
    prompts_dir: Path | None = setting(
        None, env="SUMMARIZER_PROMPTS", flag="--prompts", metavar="DIR", cli_type=Path, cache=True,
        help="A folder with your own copies of the prompt templates (prompts/*.md).",
    )
    rpm: int | None = setting(
        None, number="int", flag="--rpm", metavar="N", minimum=1, commands=("batch",),
        cache="pacing decides when a request is sent, not what it asks",
        help="Requests per minute to pace live calls by, when the server's headers do not say (or to "
        "stay below them).",
    )
    tpm: int | None = setting(
        None, number="int", flag="--tpm", metavar="N", minimum=1, commands=("batch",),
        cache="pacing decides when a request is sent, not what it asks",
        help="Tokens per minute to pace live calls by (prompt estimate + max tokens per request).",
    )
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
        return {"mode": p.mode, **({"model": p.model} if p.model else {}), **p.settings}

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
        for name, d in declared().items():
            value = getattr(self, name)
            if d.number is not None and value is not None:
                _number(name, value, integer=d.number == "int", minimum=d.minimum, maximum=d.maximum, positive=d.positive)
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
    def strategy_used(self) -> Strategy:
        """How the model is asked: one whole-article extraction ("single", what a capable hosted
        model does best), or focused questions with small constrained answers ("focused", what
        a small embedded model can do well; see focused.py)."""
        if self.strategy is not None:
            return self.strategy
        return "focused" if self.backend == "local" else "single"

    @property
    def concurrency_default(self) -> int:
        """Articles in flight when the caller does not say: the provider's (1 for a local
        single-slot server, where more would only queue and eat each other's deadline), else
        DEFAULT_CONCURRENCY."""
        from .providers import PROVIDERS

        p = PROVIDERS.get(self.provider or "") if self.backend == "openai" else None
        return (p.concurrency if p is not None else None) or DEFAULT_CONCURRENCY

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


PathLike = str | os.PathLike[str]


class Options(TypedDict, total=False):
    """The `Settings` fields, as keywords of `Summarizer(...)` and the shortcuts (see `Settings`
    for what each means); None means "not given" (the environment or the default applies)."""

    model: str | None
    backend: Backend | None
    base_url: str | None
    api_key: str | None
    provider: str | None
    record_dir: PathLike | None
    replay_dir: PathLike | None
    model_path: PathLike | None
    max_retries: int | None
    retry_wait: float | None
    max_reasks: int | None
    timeout: float | None
    request_timeout: float | None
    max_tokens: int | None
    temperature: float | None
    chunk_tokens: int | None
    mode: Mode | None
    strategy: Strategy | None
    record_mode: RecordMode | None
    prompts_dir: PathLike | None
    rpm: int | None
    tpm: int | None


def settings_for(settings: Settings | None, options: Options) -> Settings:
    """`settings` changed by `options`, or (with no `settings`) options over the environment,
    as `Settings.resolve` reads it; an unknown name is a `SettingError`."""
    given: dict[str, Any] = {k: v for k, v in options.items() if v is not None}
    unknown = sorted(set(given) - set(Options.__annotations__))
    if unknown:  # callers without a type checker get a named error, not a dataclass TypeError
        raise SettingError(unknown[0], "is not a setting", "see summarizer.Settings for the fields")
    if settings is not None:
        return settings.with_(**given) if given else settings
    return Settings.resolve(**given)
