"""The batch output file: locked, checked, repaired, indexed by id, appended with one write per line.

A file given to `-o` that is not this tool's output is never changed, not even by one byte:
every complete line must be a result line BEFORE a torn last line may be cut, and that tail
is cut only when it is the start of a result line (`{"id": ...`). Anything that is not a
regular file (a symbolic link, a FIFO, a device, a directory) is refused before it is read.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ..atomic import BATCH_LINE, create_beside, open_append
from ..errors import ConfigError, OutputError
from .expand import Id


def _dumps(value: Any) -> bytes:
    """Compact-ish JSON as UTF-8; falls back to ASCII escapes for lone surrogates."""
    try:
        return json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value).encode("ascii")


LINE_PREFIX = BATCH_LINE
"""How every line this tool writes starts (ok_line and error_line alike)."""


def ok_line(rid: Id, result: Any) -> bytes:
    """`{"id": ..., "ok": true, "result": {...}}` plus newline, as bytes."""
    body = result.model_dump_json().encode("utf-8")
    return b'{"id": ' + _dumps(rid) + b', "ok": true, "result": ' + body + b"}\n"


def error_line(rid: Id, kind: str, message: str) -> bytes:
    """`{"id": ..., "ok": false, "error": {"type": ..., "message": ...}}` plus newline."""
    return _dumps({"id": rid, "ok": False, "error": {"type": kind, "message": message}}) + b"\n"


def _not_ours(path: Path, lineno: int) -> ConfigError:
    return ConfigError(
        f"{path} is not a batch output file (line {lineno} is not a result line); it was left untouched",
        "pass a new file to -o, or delete this one to start over",
    )


def _torn(tail: bytes) -> bool:
    """The start of a result line that a killed or full-disk write left unfinished."""
    return tail.startswith(LINE_PREFIX) or LINE_PREFIX.startswith(tail)


class ResultFile:
    """The JSONL output: locked, checked, repaired, indexed by id, appended one write per line.

    `status[id]` is True (an ok line exists) or False (only failed lines). Compaction (one
    line per id: the last ok line, else the last line) reads the file itself, not an index
    kept in memory, so a line written just before an interrupt is never lost by it.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.status: dict[Id, bool] = {}
        self._source_of: dict[Id, str] = {}  # id -> absolute path of the file its ok line came from
        self._by_source: dict[str, Id] = {}  # and back
        self._lines = 0  # result lines in the file
        self._blank = 0
        self._fd = -1
        self.repaired = 0  # bytes of a torn last line cut away

    # -- opening ---------------------------------------------------------------------------
    def open(self) -> None:
        self._fd = self._open_locked(self.path)
        try:
            self._load()
            self._compact_if_needed()
        except BaseException:
            self.close()
            raise

    def _open_locked(self, path: Path) -> int:
        """Open for appending and take an exclusive lock; refuse if another run holds it.

        Opened without following a symbolic link and without blocking (a FIFO would otherwise
        wait for a writer), then refused unless it is a regular file.
        """
        for _ in range(5):
            fd = open_append(path, "-o")  # created or regular only; never a link, FIFO or device
            try:
                import fcntl
            except ImportError:  # pragma: no cover - not POSIX: no locking
                return fd
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                raise ConfigError(
                    f"another `summarizer batch` is writing {path}",
                    "wait for it to finish, or pass another -o",
                ) from None
            try:  # a run that compacted the file meanwhile replaced it: lock the new one
                same = os.path.samestat(os.fstat(fd), os.stat(path))
            except OSError:
                same = False
            if same:
                return fd
            os.close(fd)
        raise ConfigError(f"{path} keeps changing under us", "is another program writing it?")

    def _load(self) -> None:
        """Check that the whole file is ours, index it, and only then mend a torn last line."""
        if os.fstat(self._fd).st_size == 0:
            return
        tail = b""
        tail_at = 0
        lineno = 0
        with open(self.path, "rb") as handle:  # a plain reader: os.pread is POSIX-only
            head = handle.read(64 * 1024).lstrip()
            if head and not head.startswith(b"{"):
                raise _not_ours(self.path, 1)  # a binary or a text file: say so before reading it all
            handle.seek(0)
            offset = 0
            for lineno, raw in enumerate(handle, 1):  # noqa: B007 - lineno is used after the loop
                if not raw.endswith(b"\n"):
                    tail, tail_at = raw, offset
                    break
                offset += len(raw)
                if not raw.strip():
                    self._blank += 1
                    continue
                data = _json(raw)
                parsed = _head(data)
                if parsed is None:
                    raise _not_ours(self.path, lineno)
                self._note(*parsed)
                self._note_source(data, *parsed)
        if not tail:
            return
        parsed = _parse_line(tail)
        if parsed is not None or not tail.strip():
            # a whole result line (or blanks) that only lacks its newline: keep it, add one
            self._append(b"\n")
            if parsed is not None:
                self._note(*parsed)
                self._note_source(_json(tail), *parsed)
            else:
                self._blank += 1  # compacted away below
            return
        if not _torn(tail):
            raise _not_ours(self.path, lineno)
        os.ftruncate(self._fd, tail_at)
        self.repaired = len(tail)

    def _note(self, rid: Id, ok: bool) -> None:
        """Index one more result line (the next line of the file)."""
        self._lines += 1
        self.status[rid] = ok or self.status.get(rid, False)

    def _note_source(self, data: Any, rid: Id, ok: bool) -> None:
        """Remember which file an ok line summarized (its `provenance.source`), for `known_id`."""
        if not ok:
            return
        try:
            source = data["result"]["provenance"]["source"]
        except (KeyError, TypeError):
            return
        if isinstance(source, str) and source and "://" not in source:
            key = os.path.abspath(source)
            self._source_of[rid] = key
            self._by_source.setdefault(key, rid)

    def known_id(self, rid: Id, given: str | None) -> Id:
        """The id this file already knows an input file by, so a rerun resumes it.

        `rid` is the id expansion gave the file, `given` its path as given (None: not a file).
        A file summarized before under another id (an older version's id, the path as given;
        or ids relative to another set of arguments) keeps that id; an id whose ok line came
        from another file (a folder with the same file names, run into the same output) is not
        taken: the path as given is used instead, so no article is skipped for another's result.
        """
        if given is None:
            return rid
        key = os.path.abspath(given)
        before = self._by_source.get(key)
        if before is not None:
            return before
        other = self._source_of.get(rid)
        if other is not None and other != key:
            return given
        if rid not in self.status and given in self.status:
            return given  # an older version's failed line (id = the path as given): rerun under it
        return rid

    def needs_compaction(self) -> bool:
        return self._blank > 0 or self._lines != len(self.status)

    def _compact_if_needed(self) -> None:
        if not self.needs_compaction():
            return
        keep = self._chosen_lines()
        tmp: Path | None = None
        try:
            fd, tmp = create_beside(self.path, ".tmp", mode=0o644)  # a fresh name: nothing planted is followed
            with open(self.path, "rb") as src, os.fdopen(fd, "wb") as dst:
                for index, raw in enumerate(self._result_lines(src)):
                    if index in keep:
                        dst.write(raw)
                dst.flush()
                os.fsync(dst.fileno())
            new_fd = os.open(tmp, os.O_RDWR | os.O_APPEND | getattr(os, "O_CLOEXEC", 0))
            try:
                import fcntl

                fcntl.flock(new_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except ImportError:  # pragma: no cover
                pass
            os.replace(tmp, self.path)
        except OSError as exc:
            if tmp is not None:
                tmp.unlink(missing_ok=True)
            raise OutputError(
                f"cannot rewrite {self.path}: {exc.strerror or exc}",
                "free some space and rerun: the lines already written are kept",
            ) from None
        os.close(self._fd)
        self._fd = new_fd
        self._lines = len(self.status)
        self._blank = 0

    @staticmethod
    def _result_lines(handle: Any) -> Any:
        """The file's non-blank lines."""
        return (raw for raw in handle if raw.strip())

    def _chosen_lines(self) -> set[int]:
        """Index (among non-blank lines) of the line kept per id: the last ok one, else the last."""
        chosen: dict[Id, tuple[bool, int]] = {}
        with open(self.path, "rb") as src:
            for index, raw in enumerate(self._result_lines(src)):
                parsed = _parse_line(raw)
                if parsed is None:  # pragma: no cover - checked at open, and we append only results
                    continue
                rid, ok = parsed
                previous = chosen.get(rid)
                if previous is None or ok or not previous[0]:  # a failure never replaces an ok line
                    chosen[rid] = (ok, index)
        return {index for _, index in chosen.values()}

    # -- writing ---------------------------------------------------------------------------
    def _append(self, data: bytes) -> None:
        try:
            _write_all(self._fd, data)
        except OSError as exc:
            raise OutputError(
                f"cannot write {self.path}: {exc.strerror or exc}", "free some space and rerun to resume"
            ) from None

    def write(self, rid: Id, ok: bool, line: bytes) -> None:
        """Append one whole line with a single write (looping only on a short write)."""
        self._append(line)
        self._note(rid, ok)

    def finish(self) -> None:
        """Drop superseded lines (redone failures), sync and close."""
        if self._fd < 0:
            return
        try:
            self._compact_if_needed()
            os.fsync(self._fd)
        finally:
            self.close()

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)  # also releases the lock
            self._fd = -1


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _parse_line(raw: bytes) -> tuple[Id, bool] | None:
    """(id, ok) of a result line, or None if it is not one."""
    return _head(_json(raw))


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _head(data: Any) -> tuple[Id, bool] | None:
    """(id, ok) of a parsed result line, or None if it is not one."""
    if not isinstance(data, dict):
        return None
    rid, ok = data.get("id"), data.get("ok")
    if isinstance(rid, bool) or not isinstance(rid, (str, int)) or not isinstance(ok, bool):
        return None
    return rid, ok
