"""The run history: every CLI run's article, settings and result (or error) in a SQLite file.

What `llm logs` users expect: a local database they can list, search and query with any SQLite
tool (`summarizer logs path`). The schema is documented in docs/history.md; it carries a
version (`PRAGMA user_version`) and is migrated when a file is opened.

Logging must never cost a run anything: writing goes through `History.add`, which never raises
(a read-only or corrupt file is reported once through `on_warning` and the run carries on
unlogged), waits at most `BUSY_TIMEOUT_S` for another writer, and uses WAL with short
transactions so concurrent runs (and the articles of a batch) write safely. One connection per
`History` object; the CLI makes one per run.

Secrets never reach the file: settings are stored by an allow-list (no key, no base URL, only
its host), URLs lose their user:password, query and fragment, error messages and settings
pass through `redact` with the run's key, and the result has the key itself replaced.
Library code: nothing here prints or exits.
"""

from __future__ import annotations

import datetime as _dt
import functools
import json
import os
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .atomic import Kind
from .errors import ConfigError, SummarizerError

if TYPE_CHECKING:
    import sqlite3

SCHEMA_VERSION = 2
"""Bumped with every change to the tables; `MIGRATIONS[v]` takes a file from v-1 to v."""

BUSY_TIMEOUT_S = 0.5
"""How long a write waits for another process's write to finish. Writes take well under a
millisecond, so only a stuck writer (a shell holding a transaction open) or a badly overloaded
machine reaches it."""

OPEN_TIMEOUT_S = 5.0
"""How long opening the file waits: the first run on a new file switches it to WAL and creates
the schema, and several processes starting at once (a batch under xargs, a test pool) queue
behind that one-time write on a loaded machine. Row writes go back to BUSY_TIMEOUT_S."""

MAX_BUSY = 3
"""Rows in a row lost to a locked file before a run stops trying: a lock that outlasts the
timeout three times is not going away, and each try costs BUSY_TIMEOUT_S."""

RUNS_TABLE = """CREATE TABLE runs (
    id                INTEGER PRIMARY KEY,
    time_utc          TEXT NOT NULL,
    command           TEXT NOT NULL,
    invocation        TEXT NOT NULL,
    item              TEXT,
    source            TEXT,
    input_sha256      TEXT,
    model             TEXT NOT NULL,
    backend           TEXT NOT NULL,
    endpoint_host     TEXT,
    settings          TEXT NOT NULL,
    prompt_sha256     TEXT,
    schema_sha256     TEXT,
    ok                INTEGER NOT NULL,
    error_kind        TEXT,
    error_message     TEXT,
    result            TEXT,
    prompt_tokens     INTEGER,
    completion_tokens INTEGER,
    total_tokens      INTEGER,
    attempts          INTEGER,
    elapsed_s         REAL,
    cached            INTEGER NOT NULL DEFAULT 0,
    tool_version      TEXT NOT NULL
)"""

INDEXES = (
    "CREATE INDEX runs_time ON runs (time_utc)",
    "CREATE INDEX runs_input ON runs (input_sha256)",
    "CREATE INDEX runs_model ON runs (model)",
)

MIGRATIONS: dict[int, Sequence[str]] = {
    1: (RUNS_TABLE, *INDEXES),
    2: ("ALTER TABLE runs ADD COLUMN provider TEXT",),  # --provider (providers.py); never its key
}
"""Statements per schema version, applied in order inside one transaction when a file is opened.
A new version appends a key here (ALTER TABLE ..., new indexes) and bumps SCHEMA_VERSION."""


HISTORY_FILE = Kind("a database of runs", lambda head: head.startswith(b"SQLite format 3\x00"))
"""What the history may open for writing: a new file, or an SQLite database (its own)."""


def db_path() -> Path:
    """SUMMARIZER_LOGS_DB, else history.db in SUMMARIZER_DATA_DIR, else in the user data dir."""
    env = os.environ.get("SUMMARIZER_LOGS_DB")
    if env:
        return Path(env)
    data = os.environ.get("SUMMARIZER_DATA_DIR")
    if data:
        return Path(data) / "history.db"
    from platformdirs import user_data_dir

    return Path(user_data_dir("summarizer")) / "history.db"


def disabled_by_env() -> bool:
    """SUMMARIZER_NO_LOG set to anything but "", 0, false, no or off turns logging off."""
    value = os.environ.get("SUMMARIZER_NO_LOG", "").strip().lower()
    return value not in ("", "0", "false", "no", "off")


@dataclass
class Run:
    """One row of `runs`: one article of one CLI run, with its result or its error."""

    time_utc: str
    command: str
    invocation: str
    model: str
    backend: str
    settings: str
    ok: bool
    tool_version: str
    item: str | None = None
    source: str | None = None
    input_sha256: str | None = None
    endpoint_host: str | None = None
    provider: str | None = None
    prompt_sha256: str | None = None
    schema_sha256: str | None = None
    error_kind: str | None = None
    error_message: str | None = None
    result: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    total_tokens: int | None = None
    attempts: int | None = None
    elapsed_s: float | None = None
    cached: bool = False
    id: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The row as a JSON object, with `settings` and `result` parsed."""
        data = asdict(self)
        data = {"id": data.pop("id"), **data}
        for key in ("settings", "result"):
            if data[key] is not None:
                try:
                    data[key] = json.loads(data[key])
                except ValueError:
                    pass  # written by something else: shown as stored
        return data


_COLUMNS = tuple(f.name for f in fields(Run))


# ------------------------------------------------------------------------------ safe values
_USERINFO = re.compile(r"://[^/@\s\"'\\]*@")  # "user:password@" after a scheme


def safe_source(source: str | None) -> str | None:
    """A source as it may be stored: a URL without user:password, query and fragment (the rule
    of the CLI's messages, `redact.redact_url`)."""
    if source is None or "://" not in source:
        return source
    from .redact import redact_url

    return redact_url(source)


def scrub(text: str | None, secret: str | None) -> str | None:
    """`text` without the key, anything shaped like a key or bearer token, or URL credentials."""
    if text is None:
        return None
    from .redact import redact

    text = redact(text, secret)
    return _USERINFO.sub("://", text) if "@" in text else text


def settings_json(settings: Any) -> str:
    """The settings that change an answer, by an allow-list: never the key or the base URL."""
    names = ("mode", "max_reasks", "max_retries", "max_tokens", "temperature", "timeout",
             "model_path", "record_dir", "replay_dir", "prompts_dir")
    data: dict[str, Any] = {n: getattr(settings, n, None) for n in names}
    data["strategy"] = getattr(settings, "strategy_used", None)
    data["chunk_tokens"] = getattr(settings, "article_budget", None)
    return json.dumps({k: (str(v) if isinstance(v, Path) else v) for k, v in data.items()}, sort_keys=True)


def _from_settings(settings: Any) -> dict[str, Any]:
    """The columns that come from the settings (the same for every article of a batch)."""
    try:
        return dict(_settings_columns(settings))
    except TypeError:  # unhashable settings: computed each time
        return dict(_settings_columns.__wrapped__(settings))


@functools.lru_cache(maxsize=4)
def _settings_columns(settings: Any) -> tuple[tuple[str, Any], ...]:
    key = getattr(settings, "api_key", None)
    return (
        ("model", str(getattr(settings, "model", ""))),
        ("backend", str(getattr(settings, "backend_label", getattr(settings, "backend", "")))),
        ("endpoint_host", _host(settings)),
        ("provider", getattr(settings, "provider_label", None)),
        ("settings", scrub(settings_json(settings), key) or "{}"),
    )


def _host(settings: Any) -> str | None:
    """The base URL's host; None for the in-process backends and replay (nothing is sent)."""
    host = getattr(settings, "endpoint_host", None)
    return None if not host or str(host).endswith(".invalid") else str(host)


def now_utc() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def run_of(
    command: str,
    invocation: str,
    settings: Any,
    *,
    article: Any = None,
    source: str | None = None,
    result: Any = None,
    error: BaseException | None = None,
    item: str | None = None,
    elapsed_s: float | None = None,
) -> Run:
    """The row for one article: its `result` (an ArticleSummary) or its `error`."""
    from . import __version__

    key = getattr(settings, "api_key", None)
    run = Run(
        time_utc=now_utc(),
        command=command,
        invocation=invocation,
        item=scrub(item, key),
        **_from_settings(settings),
        ok=error is None,
        tool_version=__version__,
        source=scrub(safe_source(source if source is not None else getattr(article, "source", None)), key),
        input_sha256=getattr(article, "sha256", None),
        elapsed_s=elapsed_s,
    )
    if result is not None and error is None:
        p = result.provenance
        run.source = scrub(safe_source(p.source), key) or run.source
        run.input_sha256, run.prompt_sha256, run.schema_sha256 = p.input_sha256, p.prompt_sha256, p.schema_sha256
        run.backend, run.model = p.backend, p.model
        run.prompt_tokens, run.completion_tokens = p.usage.prompt_tokens, p.usage.completion_tokens
        run.total_tokens, run.attempts = p.usage.total_tokens, p.attempts
        run.elapsed_s, run.cached = p.elapsed_s, bool(p.cached)
        if p.source is not None and "://" in p.source:  # a URL's credentials stay out of the file
            result = result.model_copy(update={"provenance": p.model_copy(update={"source": safe_source(p.source)})})
        from .redact import redact_secrets

        # only the live secrets (the key and any 8+ character slice of one): the result quotes the
        # article, which may hold key-shaped text or URLs with user names that are its content and
        # must stay as the offsets index them (a key of a few letters, like a local server's
        # "none", would garble it and is no secret)
        run.result = redact_secrets(result.model_dump_json(), key)
    else:
        run.error_kind = error.kind if isinstance(error, SummarizerError) else "internal"
        text = error.one_line() if isinstance(error, SummarizerError) else f"{type(error).__name__}: {error}"
        run.error_message = scrub(" ".join(text.split())[:1000], key)
        try:
            from .prompts import prompt_sha256
            from .schema import schema_sha256

            run.prompt_sha256 = prompt_sha256(getattr(settings, "prompts_dir", None))
            run.schema_sha256 = schema_sha256()
        except Exception:  # noqa: BLE001 - a hash is a nicety; the error row matters
            pass
    return run


# ------------------------------------------------------------------------------ the database
class History:
    """One connection to the history file, opened on first use.

    `add` never raises: the first failure goes to `on_warning` (once). A file that cannot be
    used ends logging for this object; a lock held by another writer past `BUSY_TIMEOUT_S`
    loses that row only, until it happens `MAX_BUSY` times in a row, so a stuck lock costs a
    run at most `MAX_BUSY * BUSY_TIMEOUT_S`. Reading (`recent`, `get`) raises `ConfigError`
    with what to do, for the `logs` command to report.
    """

    def __init__(self, path: Path | None = None, *, on_warning: Callable[[str], None] | None = None) -> None:
        self.path = path or db_path()
        self.on_warning = on_warning
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self._broken = False
        self._warned = False
        self._busy = 0  # rows lost in a row to another writer's lock

    # -- opening ----------------------------------------------------------------------
    def _connect(self, create: bool) -> sqlite3.Connection:
        import sqlite3  # here, not at the top: a run with logging off never loads it

        if self._conn is not None:
            return self._conn
        if create:
            from .atomic import check_destination

            self.path.parent.mkdir(parents=True, exist_ok=True)
            # the file rules every write follows: absent, or a regular file holding a history
            # (never through a link, never a FIFO or device, never someone else's file)
            check_destination(self.path, label="the run history", ours=HISTORY_FILE)
        elif not self.path.is_file():
            raise FileNotFoundError(self.path)
        conn = sqlite3.connect(
            self.path, timeout=OPEN_TIMEOUT_S, isolation_level=None, check_same_thread=False
        )
        try:
            # No fsync: with NORMAL, the first write and the checkpoint when the connection
            # closes cost about 20 ms of fsync per run on the test machine's disk (benchmarks/
            # history_overhead.py), against under 1 ms without. WAL keeps the file consistent when
            # a process dies; only an OS crash or power cut mid-checkpoint can damage it, and a
            # damaged history costs one warning, never a run.
            conn.execute("PRAGMA synchronous=OFF")  # first: switching a new file to WAL writes too
            _use_wal(conn)  # readers never block the writer
            _migrate(conn, write=create)
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        except BaseException:
            conn.close()
            raise
        self._conn = conn
        return conn

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()  # closing never fails for a connection with no open cursor
                self._conn = None

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ----------------------------------------------------------------------
    def add(self, run: Run) -> int | None:
        """Insert `run`; its id, or None when the history cannot be written (warned once)."""
        if self._broken:
            return None
        import sqlite3

        values = asdict(run)
        values.pop("id")
        names = ", ".join(values)
        marks = ", ".join(f":{n}" for n in values)
        try:
            with self._lock:
                conn = self._connect(create=True)
                rowid = conn.execute(f"INSERT INTO runs ({names}) VALUES ({marks})", values).lastrowid
        except (sqlite3.Error, OSError, ConfigError) as exc:
            busy = isinstance(exc, sqlite3.OperationalError) and _is_busy(exc)
            self._busy = self._busy + 1 if busy else 0
            # Another writer holding the lock past BUSY_TIMEOUT_S costs this row only, unless it
            # keeps happening; anything else (unreadable, read-only, newer, not a file) ends it.
            if not busy or self._busy >= MAX_BUSY:
                self._broken = True
                self.close()
            if self.on_warning is not None and not self._warned:
                self._warned = True
                what = "this run is not logged" if self._broken else "an entry of this run is not logged"
                self.on_warning(
                    f"warning: cannot write the run history {self.path} ({_why(exc)}); {what} "
                    "(move the file away, point SUMMARIZER_LOGS_DB elsewhere, or set SUMMARIZER_NO_LOG=1)"
                )
            return None
        self._busy = 0
        return rowid

    # -- reading ----------------------------------------------------------------------
    def recent(
        self,
        *,
        limit: int | None = 20,
        query: str | None = None,
        model: str | None = None,
        failed: bool = False,
    ) -> list[Run]:
        """Recent runs, newest first; `query` matches the source or item (substring) or an
        input hash prefix, `model` the model name exactly."""
        where, args = [], []
        if query:
            like = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            where.append("(source LIKE ? ESCAPE '\\' OR item LIKE ? ESCAPE '\\' OR input_sha256 LIKE ? ESCAPE '\\')")
            args += [like, like, like[1:]]
        if model:
            where.append("model = ?")
            args.append(model)
        if failed:
            where.append("ok = 0")
        sql = f"SELECT {', '.join(_COLUMNS)} FROM runs"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id DESC"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return self._read(sql, args)

    def get(self, run_id: int) -> Run | None:
        rows = self._read(f"SELECT {', '.join(_COLUMNS)} FROM runs WHERE id = ?", [run_id])
        return rows[0] if rows else None

    def _read(self, sql: str, args: list[Any]) -> list[Run]:
        import sqlite3

        try:
            with self._lock:
                conn = self._connect(create=False)
                rows = conn.execute(sql, args).fetchall()
        except FileNotFoundError:
            return []
        except sqlite3.Error as exc:
            self.close()
            raise ConfigError(
                f"cannot read the run history {self.path}: {_why(exc)}",
                "move the file away (a new one is made by the next run) or point SUMMARIZER_LOGS_DB elsewhere",
            ) from None
        runs = [Run(**dict(zip(_COLUMNS, row, strict=True))) for row in rows]
        for run in runs:
            run.ok, run.cached = bool(run.ok), bool(run.cached)
        return runs


def _migrate(conn: sqlite3.Connection, *, write: bool) -> None:
    """Bring the file to SCHEMA_VERSION. A file from a newer summarizer is read as it is (its
    columns are a superset) but not written: an older tool cannot know what its rows need."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version == SCHEMA_VERSION or (version > SCHEMA_VERSION and not write):
        return
    if version > SCHEMA_VERSION:
        raise ConfigError(f"it has schema version {version}, newer than this summarizer's {SCHEMA_VERSION}")
    conn.execute("BEGIN IMMEDIATE")  # one migrating process at a time; the others wait, then see it done
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        for target in range(version + 1, SCHEMA_VERSION + 1):
            for statement in MIGRATIONS[target]:
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _use_wal(conn: sqlite3.Connection) -> None:
    """Switch the file to WAL (a setting the file keeps). Processes opening a new file at once
    race to switch it, and SQLite answers the losers "locked" at once, without the busy wait;
    they try again until the winner is done (measured: 3 of 8 runs of four processes lost one)."""
    import sqlite3
    import time

    deadline = time.monotonic() + OPEN_TIMEOUT_S
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _is_busy(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _why(exc: BaseException) -> str:
    if isinstance(exc, SummarizerError):
        return exc.message
    if isinstance(exc, OSError):
        return exc.strerror or type(exc).__name__
    return str(exc) or type(exc).__name__
