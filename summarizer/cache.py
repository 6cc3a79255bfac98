"""The results cache: a validated result per (input, model, prompt, schema, parameters).

Looked up before any client is built, so a hit costs reading one JSON file and importing
pydantic, never openai or instructor. Entries are written atomically; a corrupt entry is a
miss, not an error.

The cache directory may be shared or restored from elsewhere (a CI cache), so an entry is data
that is parsed and checked, never trusted: a header line (`FORMAT`, `VERSION`, the entry's own
key and the SHA-256 of the result) and the result's JSON on the next line. A hit is served only
when the header, the checksum and the result's schema hold AND the invariants the output
promises hold against this article's text (`check_grounded`: every span verbatim at its
offsets, every named field with its mention, the text it indexes being this article's). Any
other entry is a miss, said with `-v` (`on_event`), and the new result replaces it.

The key is built from the `Settings` fields themselves: every field is either in `KEYED` (it
can change the answer) or in `NOT_KEYED` (with the reason it cannot), and a test fails when a
new field is in neither, so the key cannot silently fall behind the settings.

`clear` deletes only what this cache wrote: `XX/<64 hex>.json` files (XX = the key's first two
characters) holding a result, and its own `.tmp-*` files once they are old enough to be
leftovers of a killed write. Anything else under the directory is left alone, so a mistyped
SUMMARIZER_CACHE_DIR cannot cost a project its `db/config.json`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .atomic import ANY, write_atomic
from .errors import ConfigError
from .schema import ArticleSummary, schema_fingerprint
from .settings import Settings, declared

if TYPE_CHECKING:
    from .inputs import Article

KEYED: tuple[str, ...] = tuple(name for name, d in declared().items() if d.cache is True)
"""Settings fields that can change the answer, and so are part of the key (each as
`_keyed_value` says: the endpoint URL without credentials, the chunk budget in use, the strategy
in use, the prompt folder as the hash of its templates, a model file with its size and time)."""

NOT_KEYED: dict[str, str] = {name: d.cache for name, d in declared().items() if isinstance(d.cache, str)}
"""Settings fields left out of the key, and why (each setting's declaration says)."""

STALE_TMP_SECONDS = 15 * 60
"""A `.tmp-*` file older than this is a leftover of a killed write (a write takes milliseconds)."""

FORMAT = "summarizer-results-cache"
VERSION = 2
MAX_ENTRY_BYTES = 64 * 1024 * 1024
_HEADER_BYTES = 1024

_ENTRY = re.compile(r"[0-9a-f]{64}\.json")
_SHARD = re.compile(r"[0-9a-f]{2}")


def cache_dir() -> Path:
    """SUMMARIZER_CACHE_DIR, else the user cache directory of the platform."""
    env = os.environ.get("SUMMARIZER_CACHE_DIR")
    if env:
        return Path(env)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("summarizer")) / "results"


def _keyed_value(settings: Settings, name: str) -> Any:
    if name == "base_url":
        return settings.endpoint_url
    if name == "chunk_tokens":
        return settings.article_budget
    if name == "strategy":
        return settings.strategy_used
    if name == "prompts_dir":
        return None  # its content is keyed by "prompt"; where the folder is does not matter
    if name == "model_path" and settings.model_path is not None:
        try:
            st = os.stat(settings.model_path)
            return [os.path.abspath(settings.model_path), st.st_size, st.st_mtime_ns]
        except OSError:
            return settings.model_path
    return getattr(settings, name)


def cache_key(input_sha256: str, settings: Settings) -> str:
    """Everything that can change the answer, hashed (see KEYED); never the API key."""
    from . import __version__
    from .prompts import prompt_sha256

    parts = {
        "input": input_sha256,
        "settings": {name: _keyed_value(settings, name) for name in KEYED},
        "prompt": prompt_sha256(settings.prompts_dir),  # every template, ours or the user's
        "schema": schema_fingerprint(),
        "version": __version__,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def applies(settings: Settings) -> bool:
    """Whether a run with these settings may use the cache: recording or replaying must reach
    the transport, so they bypass it."""
    return settings.record_dir is None and settings.replay_dir is None


def lookup(
    article: Article, settings: Settings, directory: Path | None = None, on_event: Callable[[str], None] | None = None
) -> tuple[str, ArticleSummary | None]:
    """(key, cached result or None) for `article` under `settings`: the one lookup of the CLI's
    `summarize` and `batch` and the library. A hit is marked `cached` and names this article's
    source (the same text may have been cached under another name). An entry that fails any
    check is a miss; `on_event` is told why (the CLI's `-v`)."""
    key = cache_key(article.sha256, settings)
    hit, problem = _load(key, directory)
    if hit is not None:
        problem = check_grounded(hit, article)
        if problem is not None:
            hit = None
    if problem is not None and on_event is not None:
        on_event(f"cache entry {key[:12]} ignored: {problem}")
    if hit is not None:
        hit.provenance.source = article.source
    return key, hit


def _path(key: str, directory: Path | None) -> Path:
    return (directory or cache_dir()) / key[:2] / f"{key}.json"


def _header(key: str, payload: bytes) -> bytes:
    head = {"format": FORMAT, "version": VERSION, "key": key, "sha256": hashlib.sha256(payload).hexdigest()}
    return json.dumps(head, separators=(",", ":")).encode("ascii") + b"\n"


def _load(key: str, directory: Path | None) -> tuple[ArticleSummary | None, str | None]:
    """(the stored result, None), or (None, why it is not usable; None when there is no entry)."""
    from .errors import SummarizerError
    from .inputs.reading import read_file

    path = _path(key, directory)
    if not path.exists() and not path.is_symlink():
        return None, None
    try:
        data = read_file(path, limit=MAX_ENTRY_BYTES, what="cache entry")
    except SummarizerError as exc:
        return None, exc.message
    head, _, payload = data.partition(b"\n")
    try:
        header = json.loads(head[:_HEADER_BYTES])
    except ValueError:
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT or header.get("version") != VERSION:
        return None, "not an entry of this version's format"
    if header.get("key") != key:
        return None, "it is stored under another entry's name"
    if header.get("sha256") != hashlib.sha256(payload).hexdigest():
        return None, "its checksum does not match (changed after it was written)"
    try:
        result = ArticleSummary.model_validate_json(payload)
    except ValueError:
        return None, "it does not match this version's output schema"
    result.provenance.cached = True
    return result, None


def get(key: str, directory: Path | None = None) -> ArticleSummary | None:
    """The stored result, marked `cached`, if the entry's format and checksum hold (without the
    article, its grounding cannot be checked: `lookup` does that), or None."""
    return _load(key, directory)[0]


def check_grounded(result: ArticleSummary, article: Article) -> str | None:
    """What is wrong with serving `result` for `article`, or None: it must be for this input,
    index this article's text, place every span verbatim within it, and give every named field
    its mention (the output's promises, which the pipeline checked when it made the result)."""
    text = article.text
    if result.provenance.input_sha256 != article.sha256:
        return "it was made for another input"
    if result.text is not None and result.text != text:
        return "its text is not this article's"
    for span in result.spans():
        if not 0 <= span.start <= span.end <= len(text) or text[span.start : span.end] != span.text:
            return f"the excerpt {span.text[:40]!r} is not in the article at its offsets"
    named: list[tuple[str, object, object]] = []
    for q in result.quotes:
        named.append(("speaker", q.speaker, q.speaker_mention))
    for a in result.allegations:
        named += [("alleged_by", a.alleged_by, a.alleged_by_mention), ("against", a.against, a.against_mention)]
    for t in result.sanctions_targets:
        named += [("country", t.country, t.country_mention), ("imposed_by", t.imposed_by, t.imposed_by_mention)]
    for field_name, value, mention in named:
        if (value is None) != (mention is None):
            return f"a {field_name} without its mention in the article"
    return None


def put(key: str, result: ArticleSummary, directory: Path | None = None) -> None:
    """Store a result; failures to write a cache are never fatal."""
    path = _path(key, directory)
    payload = result.model_dump_json().encode("utf-8")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # .tmp-*: what `clear` may sweep; a link, FIFO or device at the entry's name is refused
        write_atomic(path, _header(key, payload) + payload, prefix=".tmp-", ours=ANY, mode=0o600)
    except (OSError, ConfigError):
        pass


def _shards(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return [p for p in root.iterdir() if _SHARD.fullmatch(p.name) and p.is_dir() and not p.is_symlink()]


def _is_entry(path: Path) -> bool:
    """A result this cache wrote: named for its key, in its key's shard, holding a result.

    The content test is loose on purpose (a JSON object with the result's provenance hashes),
    so entries written by an older schema are still recognised, and removed by `clear`.
    """
    if not _ENTRY.fullmatch(path.name) or path.name[:2] != path.parent.name:
        return False
    try:
        if path.is_symlink() or not path.is_file():
            return False
        with path.open("rb") as handle:
            first = handle.readline(_HEADER_BYTES)
            header = json.loads(first) if first.startswith(b'{"format":') else None
            if isinstance(header, dict) and header.get("format") == FORMAT:
                return header.get("key") == path.stem
            handle.seek(0)
            data = json.loads(handle.read(MAX_ENTRY_BYTES))  # an entry of an earlier version
    except (OSError, ValueError):
        return False
    prov = data.get("provenance") if isinstance(data, dict) else None
    return (
        isinstance(prov, dict)
        and isinstance(prov.get("input_sha256"), str)
        and isinstance(prov.get("schema_sha256"), str)
        and "summary" in data
    )


def _entries(root: Path) -> list[Path]:
    return [p for shard in _shards(root) for p in sorted(shard.glob("*.json")) if _is_entry(p)]


def stats(directory: Path | None = None) -> tuple[Path, int, int]:
    """(directory, entries, bytes) of the cache."""
    root = directory or cache_dir()
    files = _entries(root)
    return root, len(files), sum(p.stat().st_size for p in files)


def clear(directory: Path | None = None, *, stale_after: float = STALE_TMP_SECONDS) -> int:
    """Delete this cache's entries (and its stale temporary files); returns how many entries.

    Foreign files are kept, and so are the shard directories that still hold any.
    """
    root = directory or cache_dir()
    removed = 0
    now = time.time()
    for shard in _shards(root):
        for path in shard.iterdir():
            try:
                if _is_entry(path):
                    path.unlink()
                    removed += 1
                elif (
                    path.name.startswith(".tmp-")
                    and path.is_file()
                    and not path.is_symlink()
                    and now - path.stat().st_mtime > stale_after
                ):
                    path.unlink()
            except OSError:
                pass
        try:
            shard.rmdir()  # only if now empty
        except OSError:
            pass
    return removed
