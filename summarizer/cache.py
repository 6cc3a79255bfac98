"""The results cache: a validated result per (input, model, prompt, schema, parameters).

Looked up before any client is built, so a hit costs reading one JSON file and importing
pydantic, never openai or instructor. Entries are written atomically; a corrupt entry is a
miss, not an error.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from .schema import ArticleSummary, schema_sha256
from .settings import Settings


def cache_dir() -> Path:
    """SUMMARIZER_CACHE_DIR, else the user cache directory of the platform."""
    env = os.environ.get("SUMMARIZER_CACHE_DIR")
    if env:
        return Path(env)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("summarizer")) / "results"


def cache_key(input_sha256: str, settings: Settings) -> str:
    """Everything that can change the answer, hashed. The API key is not part of it."""
    from . import __version__
    from .prompts import prompt_sha256

    parts = {
        "input": input_sha256,
        "model": settings.model,
        "backend": settings.backend,
        "endpoint": settings.endpoint_host,
        "model_path": settings.model_path,
        "prompt": prompt_sha256(settings.prompts_dir),
        "strategy": settings.plan,
        "schema": schema_sha256(),
        "temperature": settings.temperature,
        "max_tokens": settings.max_tokens,
        "max_reasks": settings.max_reasks,
        "mode": settings.mode,
        "version": __version__,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _path(key: str, directory: Path | None) -> Path:
    return (directory or cache_dir()) / key[:2] / f"{key}.json"


def get(key: str, directory: Path | None = None) -> ArticleSummary | None:
    """The cached result, marked `cached`, or None."""
    try:
        data = _path(key, directory).read_text(encoding="utf-8")
        result = ArticleSummary.model_validate_json(data)
    except (OSError, ValueError):
        return None
    result.provenance.cached = True
    return result


def put(key: str, result: ArticleSummary, directory: Path | None = None) -> None:
    """Store a result; failures to write a cache are never fatal."""
    path = _path(key, directory)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(result.model_dump_json())
        os.replace(tmp, path)
    except OSError:
        pass


def stats(directory: Path | None = None) -> tuple[Path, int, int]:
    """(directory, entries, bytes) of the cache."""
    root = directory or cache_dir()
    files = [p for p in root.glob("??/*.json") if p.is_file()] if root.is_dir() else []
    return root, len(files), sum(p.stat().st_size for p in files)


def clear(directory: Path | None = None) -> int:
    """Delete every cached result; returns how many were removed."""
    root, _, _ = stats(directory)
    removed = 0
    for path in root.glob("??/*.json") if root.is_dir() else []:
        try:
            path.unlink()
            removed += 1
        except OSError:
            pass
    return removed
