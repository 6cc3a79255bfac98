"""Transports under the openai client: live, record, replay, local; plus meter and retry.

`build` stacks them: Retry -> [Pacer ->] Meter -> [LlamaServer ->] [Record ->] (Live | Replay |
Local | Rules); the pacer (rate limits, `pacing.py`) only over the network, the rewrite for a
llama.cpp server (`llamacpp.py`) only for the providers that name it. Everything above
(openai, instructor, grounding) is the same code whatever the bottom layer is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .base import Live, Transport
from .fixtures import Record, Replay
from .meter import Meter
from .retry import Retry, RetryPolicy

__all__ = ["Transport", "RetryPolicy", "build"]


def build(
    *,
    backend: str,
    policy: RetryPolicy,
    record_dir: Path | None = None,
    replay_dir: Path | None = None,
    source: str = "",
    model_path: str | None = None,
    record_mode: str = "all",
    model: str | None = None,
    rpm: float | None = None,
    tpm: float | None = None,
    http_client: Any = None,
    dialect: str | None = None,
) -> Transport:
    """The transport stack for one client; `http_client` (a caller's httpx2 client) replaces
    our own at the bottom of a network stack; `dialect` (a provider's, e.g. "llamacpp") puts
    the request rewrite of `llamacpp.py` above record/replay and the network."""
    bottom: Transport
    if replay_dir is not None:
        bottom = Replay(replay_dir)
    elif backend == "rules":
        from .rules import Rules

        bottom = Rules()
    elif backend == "local":
        from .local import Local

        bottom = Local(model_path=model_path, model=model)  # model: a known local model's name
    else:
        bottom = Live(http_client)
    live = isinstance(bottom, Live)
    if record_dir is not None and record_mode == "new_episodes":
        from .fixtures import RecordMissing

        bottom = RecordMissing(bottom, record_dir, source=source)
    elif record_dir is not None:
        bottom = Record(bottom, record_dir, source=source)
    if dialect is not None and backend == "openai":
        from .llamacpp import LlamaServer

        bottom = LlamaServer(bottom, dialect)
    if live:  # under the retry layer, so retries are paced too
        from .pacing import Pacer

        return Retry(Pacer(Meter(bottom), rpm=rpm, tpm=tpm), policy)
    return Retry(Meter(bottom), policy)
