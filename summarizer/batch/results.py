"""The batch output file: locked, repaired, indexed by id, appended with one write per line."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ..errors import ConfigError, SummarizerError
from .expand import Id


def _dumps(value: Any) -> bytes:
    """Compact-ish JSON as UTF-8; falls back to ASCII escapes for lone surrogates."""
    try:
        return json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value).encode("ascii")


def ok_line(rid: Id, result: Any) -> bytes:
    """`{"id": ..., "ok": true, "result": {...}}` plus newline, as bytes."""
    body = result.model_dump_json().encode("utf-8")
    return b'{"id": ' + _dumps(rid) + b', "ok": true, "result": ' + body + b"}\n"


def error_line(rid: Id, kind: str, message: str) -> bytes:
    """`{"id": ..., "ok": false, "error": {"type": ..., "message": ...}}` plus newline."""
    return _dumps({"id": rid, "ok": False, "error": {"type": kind, "message": message}}) + b"\n"


def _not_ours(path: Path, lineno: int) -> ConfigError:
    return ConfigError(
        f"{path} is not a batch output file (line {lineno} is not a result line)",
        "pass a new file to -o, or delete this one to start over",
    )


class ResultFile:
    """The JSONL output: locked, repaired, indexed by id, appended with one write per line.

    `status[id]` is True (an ok line exists) or False (only failed lines); `_keep[id]` is the
    index of the line kept for that id when the file is compacted (the last ok line, else the
    last line). Compaction rewrites the file through a temporary file and `os.replace`.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.status: dict[Id, bool] = {}
        self._keep: dict[Id, int] = {}
        self._lines = 0
        self._blank = 0
        self._fd = -1
        self.repaired = 0  # bytes of a torn last line cut away

    # -- opening ---------------------------------------------------------------------------
    def open(self) -> None:
        self._fd = self._open_locked(self.path)
        try:
            self._repair_tail()
            self._scan()
            self._compact_if_needed()
        except BaseException:
            self.close()
            raise

    def _open_locked(self, path: Path) -> int:
        """Open for appending and take an exclusive lock; refuse if another run holds it."""
        for _ in range(5):
            try:
                fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND | getattr(os, "O_CLOEXEC", 0), 0o644)
            except IsADirectoryError:
                raise ConfigError(f"-o {path} is a directory", "pass a file name such as out.jsonl") from None
            except OSError as exc:
                raise ConfigError(f"cannot open {path}: {exc.strerror or exc}", "check the -o path") from None
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

    def _repair_tail(self) -> None:
        """Cut away a torn last line (bytes after the last newline) left by a killed run.

        If the tail is in fact a whole result line that only lacks its newline, keep it and
        add the newline instead.
        """
        size = os.fstat(self._fd).st_size
        if size == 0:
            return
        with open(self.path, "rb") as handle:  # a plain reader: os.pread is POSIX-only
            pos, last_nl = size, -1
            while pos > 0 and last_nl < 0:
                start = max(0, pos - 64 * 1024)
                handle.seek(start)
                idx = handle.read(pos - start).rfind(b"\n")
                if idx >= 0:
                    last_nl = start + idx
                pos = start
            if last_nl == size - 1:
                return
            handle.seek(last_nl + 1)
            tail = handle.read()
        if _parse_line(tail) is not None:
            _write_all(self._fd, b"\n")
            return
        os.ftruncate(self._fd, last_nl + 1)
        self.repaired = size - last_nl - 1

    def _scan(self) -> None:
        with open(self.path, "rb") as handle:
            for lineno, raw in enumerate(handle, 1):
                if not raw.strip():
                    self._blank += 1
                    continue
                parsed = _parse_line(raw)
                if parsed is None:
                    raise _not_ours(self.path, lineno)
                self._note(*parsed)

    def _note(self, rid: Id, ok: bool) -> None:
        """Index one more line (the next line of the file)."""
        index = self._lines
        self._lines += 1
        if rid not in self.status or ok or not self.status[rid]:
            self._keep[rid] = index
            self.status[rid] = ok or self.status.get(rid, False)

    def needs_compaction(self) -> bool:
        return self._blank > 0 or self._lines != len(self._keep)

    def _compact_if_needed(self) -> None:
        if not self.needs_compaction():
            return
        kept = set(self._keep.values())
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            with open(self.path, "rb") as src, open(tmp, "wb") as dst:
                index = 0
                for raw in src:
                    if not raw.strip():
                        continue
                    if index in kept:
                        dst.write(raw)
                    index += 1
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
            tmp.unlink(missing_ok=True)
            raise SummarizerError(f"cannot rewrite {self.path}: {exc.strerror or exc}") from None
        os.close(self._fd)
        self._fd = new_fd
        self._keep = {rid: i for i, rid in enumerate(sorted(self._keep, key=self._keep.__getitem__))}
        self._lines = len(self._keep)
        self._blank = 0

    # -- writing ---------------------------------------------------------------------------
    def write(self, rid: Id, ok: bool, line: bytes) -> None:
        """Append one whole line with a single write (looping only on a short write)."""
        try:
            _write_all(self._fd, line)
        except OSError as exc:
            raise SummarizerError(
                f"cannot write {self.path}: {exc.strerror or exc}", "free some space and rerun to resume"
            ) from None
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
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    rid, ok = data.get("id"), data.get("ok")
    if isinstance(rid, bool) or not isinstance(rid, (str, int)) or not isinstance(ok, bool):
        return None
    return rid, ok


