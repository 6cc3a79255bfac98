"""A parsed list with its lookup tables, built once per file content and cached on disk.

`load(path)` hashes the file (SHA-256), and reuses `<user cache dir>/screening/<hash>.pickle`
when it exists; otherwise it detects the format, parses, builds the tables and writes the
pickle atomically. A process keeps what it loaded, so every article of a batch (and every
name of `summarizer screen`) shares one index. A corrupt or foreign cache file is a miss.
The pickle only ever holds what this module wrote into our own cache directory.
"""

from __future__ import annotations

import hashlib
import math
import os
import pickle
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ..atomic import ANY, open_output
from ..errors import ConfigError, ScreeningError
from . import formats
from .entries import Entry, Identifier
from .normalize import keys

INDEX_VERSION = 1  # bump when Entry, the keys or the tables change shape
MAX_LIST_BYTES = 2 * 1024**3  # a sanctions list is tens of MB; this only refuses a stray disk image


@dataclass
class ListIndex:
    """Entries plus two tables: name keys -> names, and identifier keys -> entries."""

    label: str  # "OFAC SDN", "OpenSanctions"
    format: str
    source: str  # the path it was loaded from
    sha256: str
    date: str | None
    entries: list[Entry]
    notes: list[str] = field(default_factory=list)
    names: list[tuple[int, str, str]] = field(default_factory=list)  # (entry, name, how listed)
    postings: dict[str, list[int]] = field(default_factory=dict)  # key -> name positions
    identifiers: dict[str, list[tuple[int, Identifier]]] = field(default_factory=dict)
    cached: bool = False  # loaded from the on-disk cache this time

    @property
    def name(self) -> str:
        """How results name this list: the publisher and the file."""
        return f"{self.label} ({Path(self.source).name})"

    def idf(self, key: str) -> float:
        return math.log(1 + len(self.names) / (1 + len(self.postings.get(key, ()))))


def build(parsed: formats.ParsedList, source: str, sha256: str) -> ListIndex:
    index = ListIndex(parsed.label, parsed.format, source, sha256, parsed.date, parsed.entries, parsed.notes)
    postings: dict[str, list[int]] = defaultdict(list)
    ids: dict[str, list[tuple[int, Identifier]]] = defaultdict(list)
    for i, entry in enumerate(parsed.entries):
        listed = [(entry.name, "name")] + [
            (alias, entry.alias_kinds[j] if j < len(entry.alias_kinds) else "alias")
            for j, alias in enumerate(entry.aliases)
        ]
        for name, how in listed:
            if not name.strip():
                continue
            pos = len(index.names)
            index.names.append((i, name, how))
            for key in keys(name):
                postings[key].append(pos)
        for ident in entry.identifiers:
            ids[ident.key].append((i, ident))
    index.postings = dict(postings)
    index.identifiers = dict(ids)
    return index


def cache_dir() -> Path:
    """SUMMARIZER_CACHE_DIR/screening when set (tests, CI), else the user cache directory."""
    env = os.environ.get("SUMMARIZER_CACHE_DIR")
    if env:
        return Path(env) / "screening"
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("summarizer")) / "screening"


def _hash_file(path: Path) -> tuple[str, bytes]:
    """SHA-256 of the file (and of an OFAC alt.csv beside it) and its first bytes."""
    digest = hashlib.sha256()
    head = b""
    size = 0
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                if not head:
                    head = chunk[: formats.SNIFF_BYTES]
                size += len(chunk)
                if size > MAX_LIST_BYTES:
                    raise ScreeningError(f"{path} is over {MAX_LIST_BYTES >> 30} GiB", "is this a sanctions list?")
                digest.update(chunk)
    except FileNotFoundError:
        raise ScreeningError(f"no such list file: {path}", "check the path, or run `summarizer lists`") from None
    except IsADirectoryError:
        raise ScreeningError(f"{path} is a directory, not a list file", "pass the list file itself") from None
    except PermissionError:
        raise ScreeningError(f"cannot read {path}: permission denied", "check the file's permissions") from None
    except OSError as exc:
        raise ScreeningError(f"cannot read {path}: {exc.strerror or type(exc).__name__}") from None
    for sibling in path.parent.glob("[aA][lL][tT].[cC][sS][vV]") if path.parent.is_dir() else []:
        try:
            digest.update(sibling.read_bytes())  # an alt.csv beside sdn.csv changes the index
        except OSError:
            pass
    return digest.hexdigest(), head


_loaded: dict[tuple[str, str], ListIndex] = {}
_lock = threading.Lock()


def load(path: str | Path, *, use_cache: bool = True) -> ListIndex:
    """The index of a list file: from this process, from the disk cache, or built now."""
    path = Path(path)
    if path.is_fifo() or (path.exists() and not path.is_dir() and not path.is_file()):
        raise ScreeningError(f"{path} is not a regular file", "pass a downloaded list file")
    sha, head = _hash_file(path)
    key = (str(path.resolve()), sha)
    with _lock:
        if key in _loaded:
            return _loaded[key]
    fmt = formats.detect(head)
    if fmt is None:
        raise ScreeningError(
            f"{path} is not a sanctions list this tool reads ({formats.describe(head)})",
            "use OFAC's sdn.csv or sdn.xml, or OpenSanctions' targets.simple.csv or FtM JSON lines",
        )
    cache_file = cache_dir() / f"{sha}-v{INDEX_VERSION}.pickle"
    index = _read_cache(cache_file, sha) if use_cache else None
    if index is None:
        index = build(formats.parse(path, fmt), str(path), sha)
        if use_cache:
            _write_cache(cache_file, index)
    index.source = str(path)
    with _lock:
        _loaded[key] = index
    return index


def _read_cache(cache_file: Path, sha: str) -> ListIndex | None:
    try:
        with open(cache_file, "rb") as fh:
            index = pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return None
    if not isinstance(index, ListIndex) or index.sha256 != sha:
        return None
    index.cached = True
    return index


def _write_cache(cache_file: Path, index: ListIndex) -> None:
    """Atomic write; a cache that cannot be written only costs the next run a rebuild."""
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        with open_output(cache_file, prefix=".tmp-", ours=ANY) as fh:
            pickle.dump(index, fh, protocol=pickle.HIGHEST_PROTOCOL)
    except (OSError, ConfigError):  # a refused destination (a link, a FIFO) too
        pass


def forget() -> None:
    """Drop the indexes this process holds (tests and benchmarks measure cold loads)."""
    with _lock:
        _loaded.clear()
