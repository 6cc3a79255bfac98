"""Run settings resolved once from arguments and the environment.

Kept free of heavy imports: the CLI builds settings (and the cache key from them) before it
knows whether it needs the openai client at all.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from .errors import ConfigError

DEFAULT_MODEL = "gpt-4o-mini"
LOCAL_MODEL = "qwen2.5-coder-1.5b"  # a name known to summarizer.local.store (`summarizer models`)
RULES_MODEL = "rules"
BACKENDS = ("openai", "local", "rules")
MODES = ("tools", "json_schema", "json")
STRATEGIES = ("single", "focused")
RECORD_MODES = ("all", "new_episodes")  # with record_dir: record every exchange, or only those not recorded yet

DEFAULT_CONCURRENCY = 8
"""Articles in flight at once (batch, summarize_many). A hosted API answers one article in
seconds, so 8 overlap well while staying far below typical rate limits (the retry layer absorbs
the odd 429); raise it for high-tier accounts, lower it (1-2) for a local server that runs one
request at a time."""


@dataclass(frozen=True)
class Settings:
    """Everything that decides how an article is sent to a model."""

    model: str = DEFAULT_MODEL
    backend: str = "openai"
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)  # never printed, never recorded
    record_dir: Path | None = None
    replay_dir: Path | None = None
    model_path: str | None = None
    max_retries: int = 4  # transport retries per request (429/5xx/connection)
    retry_wait: float = 0.5  # first backoff in seconds; doubles per retry, with jitter
    max_reasks: int = 2  # re-asks with the validation error when the output is invalid
    timeout: float = 300.0  # seconds for the whole article, all attempts included
    request_timeout: float = 120.0  # seconds for one HTTP request
    max_tokens: int = 4096
    temperature: float = 0.0
    chunk_tokens: int | None = None  # article tokens per model call; None = by backend
    mode: str = "tools"  # instructor mode: tools | json_schema | json (see client._MODES)
    strategy: str | None = None  # single | focused; None = by backend (focused for local)
    record_mode: str = "all"  # all: record every exchange; new_episodes: replay what record_dir has, record the rest
    prompts_dir: Path | None = None  # the user's own copies of prompts/*.md; None = ours

    @classmethod
    def resolve(cls, **given: Any) -> Settings:
        """Explicit values win over the environment; None means "not given"."""
        env = os.environ
        values = {k: v for k, v in given.items() if v is not None}
        values.setdefault("backend", env.get("SUMMARIZER_BACKEND") or "openai")
        if values["backend"] not in BACKENDS:
            raise ConfigError(
                f"unknown backend {values['backend']!r}", f"use one of: {', '.join(BACKENDS)}"
            )
        default_model = {"local": LOCAL_MODEL, "rules": RULES_MODEL}.get(values["backend"], DEFAULT_MODEL)
        if "model_path" not in values and env.get("SUMMARIZER_MODEL_PATH"):
            values["model_path"] = env["SUMMARIZER_MODEL_PATH"]
        if values["backend"] == "local" and values.get("model_path"):
            default_model = Path(values["model_path"]).stem  # a GGUF file is named by itself
        values.setdefault("model", env.get("SUMMARIZER_MODEL") or default_model)
        if values["backend"] in ("local", "rules"):
            # The 135M model repeats the same mistake when re-asked (measured: 3 identical
            # attempts, 3x the time); grounding still drops what it cannot place.
            values.setdefault("max_reasks", 0)
        values.setdefault("base_url", env.get("OPENAI_BASE_URL") or None)
        values.setdefault("api_key", env.get("OPENAI_API_KEY") or None)
        if "replay_dir" not in values and env.get("SUMMARIZER_REPLAY"):
            values["replay_dir"] = Path(env["SUMMARIZER_REPLAY"])
        if "record_dir" not in values and env.get("SUMMARIZER_RECORD"):
            values["record_dir"] = Path(env["SUMMARIZER_RECORD"])
        if "record_mode" not in values and env.get("SUMMARIZER_RECORD_MODE"):
            values["record_mode"] = env["SUMMARIZER_RECORD_MODE"]
        if "prompts_dir" not in values and env.get("SUMMARIZER_PROMPTS"):
            values["prompts_dir"] = Path(env["SUMMARIZER_PROMPTS"])
        for key in ("record_dir", "replay_dir", "prompts_dir"):
            if key in values:
                values[key] = Path(values[key])
        settings = cls(**values)
        settings.check()
        return settings

    def check(self) -> None:
        """Refuse contradictory settings with a message that says what to change."""
        if self.record_dir is not None and self.replay_dir is not None:
            raise ConfigError("--record and --replay cannot be used together")
        if self.replay_dir is not None and not self.replay_dir.is_dir():
            raise ConfigError(f"replay directory {self.replay_dir} does not exist")
        if self.max_retries < 0 or self.max_reasks < 0:
            raise ConfigError("--max-retries and --max-reasks must be 0 or more")
        if self.strategy is not None and self.strategy not in STRATEGIES:
            raise ConfigError(f"unknown strategy {self.strategy!r}", f"use one of: {', '.join(STRATEGIES)}")
        if self.record_mode not in RECORD_MODES:
            raise ConfigError(f"unknown record mode {self.record_mode!r}", f"use one of: {', '.join(RECORD_MODES)}")
        if self.prompts_dir is not None:
            from .prompts import check_templates

            check_templates(self.prompts_dir)
        if self.mode not in MODES:
            raise ConfigError(f"unknown mode {self.mode!r}", f"use one of: {', '.join(MODES)}")
        if self.chunk_tokens is not None and self.chunk_tokens < 100:
            raise ConfigError("--chunk-tokens must be at least 100")
        if self.timeout <= 0:
            raise ConfigError("--timeout must be positive")
        if (
            self.backend == "openai"
            and self.replay_dir is None
            and not self.api_key
            and not self.base_url
        ):
            raise ConfigError(
                "no OPENAI_API_KEY and no --base-url",
                "set OPENAI_API_KEY; or point --base-url at an OpenAI-compatible server (Ollama, vLLM, "
                "llama.cpp); or run offline with --backend local (the embedded model) or --backend rules "
                "(no model); or answer from recordings with --replay DIR",
            )

    @property
    def plan(self) -> str:
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
        return self.base_url or "https://api.openai.com/v1"

    @property
    def endpoint_host(self) -> str:
        """Host only (no credentials, no path): safe to write into fixtures."""
        return urlparse(self.endpoint).hostname or "unknown"

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **changes)
