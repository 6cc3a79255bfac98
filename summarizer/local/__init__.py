"""The embedded model: the known models and their verified files (`store`), loading
(`runtime`), and the JSON-schema grammar that holds a small model's output to the schema
(`grammar`). The transport that answers
`/v1/chat/completions` with it is `summarizer.transports.local`."""

from __future__ import annotations

from .runtime import (
    INSTALL_HINT,
    LocalModel,
    default_model_path,
    load_model,
    loaded_models,
    resolve_model_path,
)

__all__ = [
    "INSTALL_HINT",
    "LocalModel",
    "default_model_path",
    "load_model",
    "loaded_models",
    "resolve_model_path",
]
