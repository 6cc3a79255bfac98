"""The article text of a batch result, found again: a batch line carries `text` only for HTML
input (the extracted text); for a text file the offsets index the file itself.

`provenance.source` names where the article came from: a path as the batch was given it, or
`FILE.jsonl:LINE` for a record. It is read again (a regular file only: never a FIFO or a
device, which could block or never end) and used only if its SHA-256 is the result's
`provenance.input_sha256`, so a file that changed since is never shown as the article. A
relative path is looked up in the directories given (the current one, then the batch file's),
since the batch may have run elsewhere. URLs are never fetched: rendering is offline.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from collections.abc import Sequence
from pathlib import Path

from ..errors import SummarizerError
from ..inputs.reading import open_regular
from ..schema import ArticleSummary

_RECORD = re.compile(r"^(?P<path>.+\.jsonl):(?P<line>[1-9][0-9]*)$", re.IGNORECASE)
_MAX_BYTES = 256 * 1024 * 1024  # as `--allow-large`: a bound, so a stray disk image is never read


def _regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):  # ValueError: a NUL byte in the name
        return False


def _candidates(name: str, dirs: Sequence[Path]) -> list[Path]:
    if not name or name == "-" or "://" in name or "\x00" in name:
        return []
    path = Path(name)
    if path.is_absolute():
        return [path]
    return [d / path for d in dirs]


def _line_offsets(path: Path) -> list[int]:
    """Where each line of a file starts (one pass, so a batch of 10,000 records reads it once)."""
    offsets, pos = [], 0
    with open_regular(path, what="record file") as handle:  # the one reader: never a FIFO
        for raw in handle:
            offsets.append(pos)
            pos += len(raw)
    return offsets


def _record_text(path: Path, offsets: list[int], lineno: int) -> str | None:
    """The "text" of line `lineno` of a JSONL file of records."""
    if lineno > len(offsets):
        return None
    with open_regular(path, what="record file") as handle:
        handle.seek(offsets[lineno - 1])
        raw = handle.readline()
    try:
        text = json.loads(raw).get("text")
    except (ValueError, AttributeError):
        return None
    return text if isinstance(text, str) else None


def _file_text(path: Path) -> str | None:
    from ..inputs import read_article

    try:
        return read_article(str(path), max_bytes=_MAX_BYTES, regular_only=True).text
    except SummarizerError:
        return None


class SourceFinder:
    """Finds the article text of results; remembers the line offsets of record files it read."""

    def __init__(self, dirs: Sequence[Path]) -> None:
        self.dirs = list(dirs)
        self._offsets: dict[Path, list[int]] = {}

    def _record(self, path: Path, lineno: int) -> str | None:
        key = path.resolve()
        if key not in self._offsets:
            self._offsets[key] = _line_offsets(path)
        return _record_text(path, self._offsets[key], lineno)

    def text(self, result: ArticleSummary) -> str | None:
        """The exact text the result's offsets index, or None when it cannot be found as it was."""
        if result.text is not None:
            return result.text
        source = result.provenance.source or ""
        want = result.provenance.input_sha256
        record = _RECORD.match(source)
        for path in _candidates(record.group("path") if record else source, self.dirs):
            if not _regular(path):
                continue
            try:
                text = self._record(path, int(record.group("line"))) if record else _file_text(path)
            except (OSError, SummarizerError):  # gone, or swapped for a FIFO since it was checked
                continue
            if text is not None and hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest() == want:
                return text
        return None
