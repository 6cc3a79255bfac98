"""A list's lookup tables in an SQLite file: built once per list content, then read lazily.

`load(path)` hashes the list file (SHA-256, plus an OFAC `alt.csv` beside it) and opens
`<cache dir>/screening/<list sha256>-v<INDEX_VERSION>.<index sha256>.sqlite` when one is there
and passes its checks; otherwise it streams the list through its parser into a new index file
(written beside the final name, renamed into place when complete). Nothing is loaded whole:
a query reads the postings of its own keys and the rows of its candidates, so a warm load
costs a file hash and an open, whatever the list's size.

The cache directory may be shared or restored from elsewhere, so an index file is data that
is parsed, never executed, and trusted only after checks:
- its name carries the SHA-256 of its own bytes, verified before it is opened (a truncated,
  corrupt or swapped file is a miss, and is rebuilt);
- it is opened read-only and immutable, with `trusted_schema` off, and its schema must be
  exactly the one this module creates (no views, triggers or other tables);
- its `meta` row must name this format version and the list's own SHA-256;
- every value read from it is type-checked; a value of the wrong type is a `ScreeningError`
  that says to delete the cache file.
Someone who can write the cache directory can still make a list look different (the checksum
is not a signature): keep the cache private where that matters (`SUMMARIZER_CACHE_DIR`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import sqlite3
import sys
import tempfile
import threading
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, overload

from ..errors import ScreeningError
from . import formats
from .entries import Entry, Identifier

INDEX_VERSION = 2  # bump when the tables, the keys or Entry change
MAX_LIST_BYTES = 4 * 1024**3  # OpenSanctions' largest export is a few GB; this refuses a stray disk image
_BATCH = 5_000  # rows per executemany while building

_SCHEMA = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID",
    "CREATE TABLE entries (id INTEGER PRIMARY KEY, entry_id TEXT NOT NULL, name TEXT NOT NULL, "
    "type TEXT NOT NULL, programs TEXT NOT NULL, url TEXT)",
    "CREATE TABLE names (pos INTEGER PRIMARY KEY, entry INTEGER NOT NULL, name TEXT NOT NULL, "
    "how TEXT NOT NULL, type TEXT NOT NULL)",
    "CREATE TABLE postings (key TEXT PRIMARY KEY NOT NULL, positions BLOB NOT NULL) WITHOUT ROWID",
    "CREATE TABLE identifiers (key TEXT NOT NULL, entry INTEGER NOT NULL, kind TEXT NOT NULL, "
    "value TEXT NOT NULL, label TEXT NOT NULL)",
)
_INDEXES = (  # created once the rows are in: a bulk insert is faster without them
    "CREATE INDEX identifiers_key ON identifiers (key)",
    "CREATE INDEX entries_entry_id ON entries (entry_id)",
    "CREATE INDEX names_entry ON names (entry)",
)


class DamagedIndex(ScreeningError):
    """An index file whose content is not what this module writes."""

    def __init__(self, path: str, what: str) -> None:
        super().__init__(f"the screening index {path} is damaged ({what})", "delete it: it is rebuilt from the list")


@dataclass
class ListIndex:
    """An open index: what the list is, and lazy access to its entries, names and tables."""

    label: str  # "OFAC SDN", "OpenSanctions"
    format: str
    source: str  # the path the list was loaded from
    sha256: str
    date: str | None
    date_kind: str
    n_entries: int
    n_names: int
    file: str  # the index file (for messages)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped: int = 0
    cached: bool = False  # opened from the on-disk cache this time
    _db: sqlite3.Connection | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def name(self) -> str:
        """How results name this list: the publisher and the file."""
        return f"{self.label} ({Path(self.source).name})"

    @property
    def entries(self) -> EntryView:
        return EntryView(self)

    # -- reads (each type-checks what it gets) -------------------------------------------
    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        if self._db is None:
            raise ScreeningError(f"the index of {self.source} is closed")
        try:
            with self._lock:
                return self._db.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as exc:
            raise DamagedIndex(self.file, f"SQLite: {exc}") from None

    def postings(self, keys: Iterable[str]) -> dict[str, array[int]]:
        """Name positions per key, for the keys the list has."""
        keys = list(dict.fromkeys(keys))
        if not keys:
            return {}
        out: dict[str, array[int]] = {}
        marks = ",".join("?" * len(keys))
        for key, blob in self._rows(f"SELECT key, positions FROM postings WHERE key IN ({marks})", keys):
            if not isinstance(key, str) or not isinstance(blob, bytes) or len(blob) % 4:
                raise DamagedIndex(self.file, "a postings row")
            positions = array("I")
            positions.frombytes(blob)
            out[key] = positions
        return out

    def idf(self, posting_size: int) -> float:
        return math.log(1 + self.n_names / (1 + posting_size))

    def names_at(self, positions: Sequence[int]) -> dict[int, tuple[int, str, str, str]]:
        """pos -> (entry number, listed name, how listed, entry type) for the given positions."""
        out: dict[int, tuple[int, str, str, str]] = {}
        for start in range(0, len(positions), 500):
            chunk = list(positions[start : start + 500])
            marks = ",".join("?" * len(chunk))
            for row in self._rows(f"SELECT pos, entry, name, how, type FROM names WHERE pos IN ({marks})", chunk):
                pos, entry, name, how, etype = row
                if not (isinstance(pos, int) and isinstance(entry, int) and isinstance(name, str)
                        and isinstance(how, str) and isinstance(etype, str)) or not 0 <= entry < self.n_entries:
                    raise DamagedIndex(self.file, "a names row")
                out[pos] = (entry, name, how, etype)
        return out

    def entry(self, i: int) -> Entry:
        """Entry number `i`, with its aliases and identifiers."""
        rows = self._rows("SELECT entry_id, name, type, programs, url FROM entries WHERE id = ?", (i,))
        if not rows:
            raise IndexError(i)
        entry_id, name, etype, programs_json, url = rows[0]
        try:
            programs = json.loads(programs_json) if isinstance(programs_json, str) else None
        except (ValueError, RecursionError):
            programs = None
        if not (isinstance(entry_id, str) and isinstance(name, str) and isinstance(etype, str)
                and isinstance(programs, list) and all(isinstance(p, str) for p in programs)
                and (url is None or isinstance(url, str))):
            raise DamagedIndex(self.file, f"entry {i}")
        aliases, kinds = [], []
        for alias, how in self._rows("SELECT name, how FROM names WHERE entry = ? AND how != 'name' ORDER BY pos", (i,)):
            if not isinstance(alias, str) or not isinstance(how, str):
                raise DamagedIndex(self.file, f"entry {i}'s names")
            aliases.append(alias)
            kinds.append(how)
        idents = [ident for _, ident in self._identifier_rows("entry = ?", (i,))]
        return Entry(entry_id, name, etype, tuple(programs), tuple(aliases), tuple(idents), url, tuple(kinds))

    def identifier_entries(self, key: str) -> list[tuple[int, Identifier]]:
        """(entry number, the listed identifier) for every entry carrying identifier `key`."""
        return self._identifier_rows("key = ?", (key,))

    def _identifier_rows(self, where: str, params: Sequence[Any]) -> list[tuple[int, Identifier]]:
        out = []
        for entry, kind, value, label in self._rows(f"SELECT entry, kind, value, label FROM identifiers WHERE {where} ORDER BY rowid", params):
            if not (isinstance(entry, int) and 0 <= entry < self.n_entries and isinstance(kind, str)
                    and isinstance(value, str) and isinstance(label, str)):
                raise DamagedIndex(self.file, "an identifiers row")
            out.append((entry, Identifier(kind, value, label)))
        return out

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None


class EntryView(Sequence[Entry]):
    """The entries of an index as a sequence, read from the file as they are asked for."""

    def __init__(self, index: ListIndex) -> None:
        self._index = index

    def __len__(self) -> int:
        return self._index.n_entries

    @overload
    def __getitem__(self, i: int) -> Entry: ...
    @overload
    def __getitem__(self, i: slice) -> list[Entry]: ...
    def __getitem__(self, i: int | slice) -> Entry | list[Entry]:
        if isinstance(i, slice):
            return [self._index.entry(j) for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self._index.entry(i)

    def __iter__(self) -> Iterator[Entry]:
        for i in range(len(self)):
            yield self._index.entry(i)


# --------------------------------------------------------------------------- building


def _names_of(entry: Entry) -> list[tuple[str, str]]:
    listed = [(entry.name, "name")] + [
        (alias, entry.alias_kinds[j] if j < len(entry.alias_kinds) else "alias") for j, alias in enumerate(entry.aliases)
    ]
    return [(name, how) for name, how in listed if name.strip()]


def build(parsed: formats.ParsedList, db_path: Path, sha256: str) -> None:
    """Stream `parsed` into a new SQLite file at `db_path` (which must not exist)."""
    from .normalize import keys

    db = sqlite3.connect(db_path)
    try:
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")
        for statement in _SCHEMA:
            db.execute(statement)
        postings: dict[str, array[int]] = defaultdict(lambda: array("I"))
        entry_rows: list[tuple[Any, ...]] = []
        name_rows: list[tuple[Any, ...]] = []
        ident_rows: list[tuple[Any, ...]] = []
        n_entries = n_names = 0

        def flush() -> None:
            db.executemany("INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?)", entry_rows)
            db.executemany("INSERT INTO names VALUES (?, ?, ?, ?, ?)", name_rows)
            db.executemany("INSERT INTO identifiers VALUES (?, ?, ?, ?, ?)", ident_rows)
            entry_rows.clear()
            name_rows.clear()
            ident_rows.clear()

        for entry in parsed.entries:
            i = n_entries
            n_entries += 1
            entry_rows.append((i, entry.entry_id, entry.name, entry.type, json.dumps(list(entry.programs)), entry.url))
            for name, how in _names_of(entry):
                name_rows.append((n_names, i, name, how, entry.type))
                for key in keys(name):
                    postings[key].append(n_names)
                n_names += 1
            ident_rows += [(ident.key, i, ident.kind, ident.value, ident.label) for ident in entry.identifiers]
            if len(entry_rows) >= _BATCH:
                flush()
        flush()
        for statement in _INDEXES:
            db.execute(statement)
        for ref, programs in parsed.ref_programs.items():  # FtM Sanction entities, applied now
            for (i, current) in db.execute("SELECT id, programs FROM entries WHERE entry_id = ?", (ref,)).fetchall():
                merged = list(dict.fromkeys(json.loads(current) + programs))
                db.execute("UPDATE entries SET programs = ? WHERE id = ?", (json.dumps(merged), i))
        db.executemany("INSERT INTO postings VALUES (?, ?)", ((k, v.tobytes()) for k, v in postings.items()))
        postings.clear()
        meta = {
            "version": str(INDEX_VERSION),
            "list_sha256": sha256,
            "byteorder": sys.byteorder,
            "format": parsed.format,
            "label": parsed.label,
            "date": parsed.date or "",
            "date_kind": parsed.date_kind,
            "entries": str(n_entries),
            "names": str(n_names),
            "notes": json.dumps(parsed.notes),
            "warnings": json.dumps(parsed.warnings),
            "skipped": str(parsed.skipped),
        }
        db.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
        db.commit()
    finally:
        db.close()


# --------------------------------------------------------------------------- opening


_expected_schema: list[tuple[Any, ...]] | None = None


def _schema_of(db: sqlite3.Connection) -> list[tuple[Any, ...]]:
    return db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").fetchall()


def _expected() -> list[tuple[Any, ...]]:
    global _expected_schema
    if _expected_schema is None:
        db = sqlite3.connect(":memory:")
        for statement in (*_SCHEMA, *_INDEXES):
            db.execute(statement)
        _expected_schema = _schema_of(db)
        db.close()
    return _expected_schema


def _open(db_path: Path, sha256: str, source: str) -> ListIndex:
    """Open an index file read-only after checking its schema and meta; DamagedIndex if not ours."""
    shown = str(db_path)
    try:
        db = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro&immutable=1", uri=True, check_same_thread=False)
    except sqlite3.Error as exc:
        raise DamagedIndex(shown, f"SQLite: {exc}") from None
    try:
        db.execute("PRAGMA trusted_schema=OFF")  # functions in a schema (views, triggers) never run
        db.execute("PRAGMA query_only=ON")
        db.execute("PRAGMA cell_size_check=ON")
        if _schema_of(db) != _expected():
            raise DamagedIndex(shown, "unexpected tables")
        meta: dict[str, str] = {}
        for key, value in db.execute("SELECT key, value FROM meta"):
            if not isinstance(key, str) or not isinstance(value, str):
                raise DamagedIndex(shown, "meta")
            meta[key] = value
        if meta.get("version") != str(INDEX_VERSION) or meta.get("list_sha256") != sha256 or meta.get("byteorder") != sys.byteorder:
            raise DamagedIndex(shown, "another version or another list")
        try:
            notes, warnings = json.loads(meta["notes"]), json.loads(meta["warnings"])
            n_entries, n_names, skipped = int(meta["entries"]), int(meta["names"]), int(meta["skipped"])
        except (KeyError, ValueError, RecursionError):
            raise DamagedIndex(shown, "meta") from None
        if not (isinstance(notes, list) and all(isinstance(n, str) for n in notes)
                and isinstance(warnings, list) and all(isinstance(w, str) for w in warnings)):
            raise DamagedIndex(shown, "meta")
        return ListIndex(
            label=meta.get("label", "?"), format=meta.get("format", "?"), source=source, sha256=sha256,
            date=meta.get("date") or None, date_kind=meta.get("date_kind", "published"),
            n_entries=n_entries, n_names=n_names, file=shown, notes=notes, warnings=warnings, skipped=skipped, _db=db,
        )
    except sqlite3.DatabaseError as exc:
        db.close()
        raise DamagedIndex(shown, f"SQLite: {exc}") from None
    except BaseException:
        db.close()
        raise


def cache_dir() -> Path:
    """SUMMARIZER_CACHE_DIR/screening when set (tests, CI), else the user cache directory."""
    env = os.environ.get("SUMMARIZER_CACHE_DIR")
    if env:
        return Path(env) / "screening"
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("summarizer")) / "screening"


def _hash_file(path: Path, limit: int = MAX_LIST_BYTES) -> tuple[str, bytes]:
    """SHA-256 of a file and its first bytes; ScreeningError when it cannot be read."""
    digest = hashlib.sha256()
    head = b""
    size = 0
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                if not head:
                    head = chunk[: formats.SNIFF_BYTES]
                size += len(chunk)
                if size > limit:
                    raise ScreeningError(f"{path} is over {limit >> 30} GiB", "is this a sanctions list?")
                digest.update(chunk)
    except FileNotFoundError:
        raise ScreeningError(f"no such list file: {path}", "check the path, or run `summarizer lists`") from None
    except IsADirectoryError:
        raise ScreeningError(f"{path} is a directory, not a list file", "pass the list file itself") from None
    except PermissionError:
        raise ScreeningError(f"cannot read {path}: permission denied", "check the file's permissions") from None
    except OSError as exc:
        raise ScreeningError(f"cannot read {path}: {exc.strerror or type(exc).__name__}") from None
    return digest.hexdigest(), head


def _list_hash(path: Path) -> tuple[str, bytes]:
    """The list's key: SHA-256 of the file and of an OFAC alt.csv beside it (it changes the index)."""
    sha, head = _hash_file(path)
    with contextlib.suppress(OSError):
        for sibling in path.parent.glob("[aA][lL][tT].[cC][sS][vV]"):
            if sibling.is_file():
                sha = hashlib.sha256((sha + _hash_file(sibling)[0]).encode()).hexdigest()
    return sha, head


def _file_sha256(path: Path) -> str | None:
    try:
        return _hash_file(path)[0]
    except ScreeningError:
        return None


_loaded: dict[tuple[str, str], ListIndex] = {}
_lock = threading.Lock()


def load(path: str | Path, *, use_cache: bool = True) -> ListIndex:
    """The index of a list file: from this process, from the disk cache, or built now."""
    path = Path(path)
    if path.is_fifo() or (path.exists() and not path.is_dir() and not path.is_file()):
        raise ScreeningError(f"{path} is not a regular file", "pass a downloaded list file")
    sha, head = _list_hash(path)
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
    index = _from_cache(sha, str(path)) if use_cache else None
    if index is None:
        index = _build_and_open(path, fmt, sha, use_cache)
    with _lock:
        _loaded.setdefault(key, index)
        return _loaded[key]


def _from_cache(sha: str, source: str) -> ListIndex | None:
    """A verified cached index of the list with this hash, or None (a miss)."""
    try:
        candidates = sorted(cache_dir().glob(f"{sha}-v{INDEX_VERSION}.*.sqlite"))[:4]
    except OSError:
        return None
    for candidate in candidates:
        claimed = candidate.name.split(".")[-2]
        if not candidate.is_file() or candidate.is_symlink() or _file_sha256(candidate) != claimed:
            continue
        try:
            index = _open(candidate, sha, source)
        except DamagedIndex:
            continue
        index.cached = True
        return index
    return None


def _build_and_open(path: Path, fmt: str, sha: str, use_cache: bool) -> ListIndex:
    """Parse the list into a new index file, in the cache when it can be written, else in a
    temporary file that is unlinked once open (the index then lives as long as the process)."""
    folder = cache_dir()
    if use_cache:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=".build-", suffix=".sqlite")
        except OSError:
            use_cache = False
    if not use_cache:
        fd, tmp_name = tempfile.mkstemp(prefix="summarizer-index-", suffix=".sqlite")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        tmp.unlink()  # sqlite creates it; mkstemp only reserved the name
        build(formats.parse(path, fmt), tmp, sha)
        if use_cache:
            digest = _file_sha256(tmp)
            final = folder / f"{sha}-v{INDEX_VERSION}.{digest}.sqlite"
            try:
                if final.is_symlink() or (final.exists() and not final.is_file()):
                    raise OSError("not a regular file")  # never replace a planted link, FIFO or device
                os.replace(tmp, final)
                return _open(final, sha, str(path))
            except OSError:
                pass  # the cache could not take it: use the temporary file
        index = _open(tmp, sha, str(path))
        return index
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()  # an open SQLite file stays readable once unlinked


def forget() -> None:
    """Close and drop the indexes this process holds (tests and benchmarks measure cold loads)."""
    with _lock:
        for index in _loaded.values():
            index.close()
        _loaded.clear()
