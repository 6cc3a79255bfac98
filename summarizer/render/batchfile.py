"""Reading a `summarizer batch` output file for rendering, without ever changing it.

The file has one line per article, `{"id", "ok": true, "result"}` or `{"id", "ok": false,
"error": {"type", "message"}}`. A file with a line that is not one of those is refused (it is
not a batch output: a mistyped path must not render nonsense); a torn last line (a run killed
mid-write, or one still writing) is left out and reported. When an id has several lines (a
file not yet compacted), the same line wins as `batch` keeps: the last ok line, else the last
line. Two passes over the file keep memory flat: the first indexes lines by id, the second
parses only the lines kept, one at a time. Bytes appended after the first pass are ignored.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from ..errors import InputError
from ..schema import ArticleSummary

Id = str | int


@dataclass
class Entry:
    """One article of the batch: its result, or why it has none."""

    id: Id
    line: int  # 1-based line number in the file
    result: ArticleSummary | None = None
    error_type: str | None = None
    error: str | None = None  # the batch's error message, or why the result line is unreadable
    screening: dict[str, Any] | None = None  # the result's "screening" field, read as a dict
    screening_present: bool = False  # False: a file from before that field (see status.py)

    @property
    def ok(self) -> bool:
        return self.result is not None


@dataclass
class BatchFile:
    """An opened batch output file: `entries()` yields each article once, in file order."""

    path: Path
    _handle: BinaryIO
    _size: int
    _kept: list[tuple[int, int, int, Id]] = field(default_factory=list)  # (offset, length, line, id)
    torn: int = 0  # bytes of a torn last line left out
    duplicates: int = 0  # lines superseded by a later line of the same id

    def __len__(self) -> int:
        return len(self._kept)

    def ids(self) -> list[Id]:
        """The ids, in file order, without parsing the results."""
        return [rid for *_, rid in self._kept]

    def entries(self) -> Iterator[Entry]:
        for offset, length, lineno, _ in self._kept:
            self._handle.seek(offset)
            yield _entry(json.loads(self._handle.read(length)), lineno)

    def close(self) -> None:
        self._handle.close()

    def __enter__(self) -> BatchFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _not_batch(path: Path, lineno: int, why: str) -> InputError:
    return InputError(
        f"{path} is not a batch output file (line {lineno} {why})",
        'render takes the -o file of `summarizer batch`: one {"id", "ok", "result"|"error"} line per article',
    )


def _head(data: Any) -> tuple[Id, bool] | str:
    """(id, ok) of a well-formed batch line, or what is wrong with it."""
    if not isinstance(data, dict):
        return "is not a JSON object"
    rid, ok = data.get("id"), data.get("ok")
    if isinstance(rid, bool) or not isinstance(rid, (str, int)):
        return 'has no "id" (a string or an integer)'
    if not isinstance(ok, bool):
        return 'has no "ok" (true or false)'
    if ok and not isinstance(data.get("result"), dict):
        return 'is ok but has no "result" object'
    if not ok and not isinstance(data.get("error"), dict):
        return 'failed but has no "error" object'
    return rid, ok


def looks_like_batch_line(raw: bytes) -> bool:
    try:
        return not isinstance(_head(json.loads(raw)), str)
    except ValueError:
        return False


def _entry(data: dict[str, Any], lineno: int) -> Entry:
    from pydantic import ValidationError

    rid = data["id"]
    if not data["ok"]:
        err = data["error"]
        return Entry(rid, lineno, error_type=str(err.get("type") or "error"), error=str(err.get("message") or ""))
    body = data["result"]
    present = "screening" in body
    field = body.get("screening")
    if present and "screening" not in ArticleSummary.model_fields:
        body = {k: v for k, v in body.items() if k != "screening"}  # read here, as a dict
    try:
        return Entry(rid, lineno, result=ArticleSummary.model_validate(body),
                     screening=field if isinstance(field, dict) else None, screening_present=present)
    except ValidationError as exc:
        errors = exc.errors()
        place = ".".join(str(p) for p in errors[0]["loc"]) if errors else ""
        why = errors[0]["msg"] if errors else "invalid"
        return Entry(rid, lineno, error_type="unreadable",
                     error=f"the result does not match this version's output schema ({place or 'result'}: {why})")


def open_batch(path: Path) -> BatchFile:
    """Open and index a batch output file (read-only); raise InputError if it is not one."""
    from ..inputs.reading import open_regular

    try:
        # regular files only, never waiting on a FIFO; returned inside the BatchFile, closed by it
        handle = open_regular(path, what="the batch file", error=InputError)
    except FileNotFoundError:
        raise InputError(f"no such file: {path}", "pass the -o file of a `summarizer batch` run") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a directory", "pass the -o file of a `summarizer batch` run") from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}", "check the path and its permissions") from None
    try:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"{path} is not a regular file", "pass the -o file of a `summarizer batch` run")
        batch = BatchFile(path, handle, info.st_size)
        _index(batch)
    except BaseException:
        handle.close()
        raise
    if not batch._kept:
        handle.close()
        raise InputError(f"{path} holds no result lines", "run `summarizer batch ... -o FILE` first")
    return batch


def _index(batch: BatchFile) -> None:
    """First pass: check every line, choose the line kept for each id (batch's own rule)."""
    handle, size = batch._handle, batch._size
    chosen: dict[Id, tuple[int, int, int, bool]] = {}  # id -> (offset, length, line, has an ok line)
    offset, lineno, lines = 0, 0, 0
    handle.seek(0)
    while offset < size:
        raw = handle.readline(size - offset)
        lineno += 1
        start, offset = offset, offset + len(raw)
        if not raw.strip():
            continue
        complete = raw.endswith(b"\n")
        try:
            head = _head(json.loads(raw))
        except ValueError:
            head = "is not JSON"
        if isinstance(head, str):
            if not complete:  # torn last line: a killed (or running) batch; left out, reported
                batch.torn = len(raw)
                break
            raise _not_batch(batch.path, lineno, head)
        rid, ok = head
        lines += 1
        before = chosen.get(rid)
        if before is None or ok or not before[3]:
            chosen[rid] = (start, len(raw), lineno, ok or (before is not None and before[3]))
    batch._kept = sorted((s, n, ln, rid) for rid, (s, n, ln, _) in chosen.items())
    batch.duplicates = lines - len(chosen)
