"""Writing rendered files safely: page names from arbitrary ids, a directory we may write into,
atomic writes.

* `page_name(id, suffix)`: ids are arbitrary strings (slashes, `..`, control characters, very
  long, or equal after cleaning), so a name keeps only `[A-Za-z0-9._-]` of the id (at most 60
  characters, no leading dot) and always ends with 8 hex digits of the SHA-256 of the id as JSON: distinct ids
  give distinct names (even on case-insensitive file systems, the check in `OutputDir.name`
  adds digits on a clash), and the same id always gets the same name.
* `OutputDir`: a directory is written into only when it is new, empty, or holds nothing but
  an earlier render (listed in its manifest, `.summarizer-render.json`); files of any other
  origin are never overwritten or deleted. The manifest is written before the pages (listing
  old and new names, so a run killed half-way leaves a directory the next run accepts) and
  again at the end, when pages of ids no longer in the batch are removed.
* `write_atomic`: a temporary file in the same directory, then `os.replace`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from ..errors import ConfigError, SummarizerError

MANIFEST = ".summarizer-render.json"
_GENERATOR = "summarizer render"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_TMP = re.compile(r"^\.[^/]*\.render-\d+\.tmp$")  # our own temporary files (left by a killed run)


def page_name(rid: str | int, suffix: str, digits: int = 8) -> str:
    """A safe, stable file name for an article id: cleaned id, hash digits, suffix."""
    raw = str(rid)
    # hashed as JSON, so the id 1 and the id "1" get different names
    digest = hashlib.sha256(json.dumps(rid).encode("ascii")).hexdigest()[:digits]
    stem = _UNSAFE.sub("_", raw).strip("._-")[:60].rstrip("._-") or "article"
    return f"{stem}-{digest}{suffix}"


@contextmanager
def atomic_file(path: Path, *, bom: bool = False) -> Iterator[TextIO]:
    """A text file written through a temporary file and renamed into place only on success.

    Characters UTF-8 cannot hold (lone surrogates from JSON escapes) become "?", one for one, so
    offsets still line up. `bom` starts the file with a UTF-8 byte-order mark (for spreadsheets).
    """
    tmp = path.with_name(f".{path.name[:80]}.render-{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8-sig" if bom else "utf-8", errors="replace", newline="") as handle:
            yield handle
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise SummarizerError(f"cannot write {path}: {exc.strerror or exc}", "check the destination") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_atomic(path: Path, text: str) -> None:
    """Write `text` whole: readers see the old file or the new one, never a part."""
    with atomic_file(path) as handle:
        handle.write(text)


def check_file_dest(dest: Path, source: Path) -> None:
    """A single output file: never the input itself, never a directory."""
    if dest.is_dir():
        raise ConfigError(f"-o {dest} is a directory", "this format writes one file: pass a file name")
    try:
        same = dest.exists() and os.path.samefile(dest, source)
    except OSError:
        same = False
    if same:
        raise ConfigError(f"-o {dest} is the batch file being rendered", "pass another output file")
    if _is_batch_output(dest):
        raise ConfigError(f"-o {dest} is a batch output file", "render never overwrites results: pass another file")
    if not dest.parent.is_dir():
        raise ConfigError(f"cannot write {dest}: {dest.parent} is not a directory", "create it first")


def _is_batch_output(path: Path) -> bool:
    """Does an existing file start with a batch result line (paid-for results, never overwritten)?"""
    from .batchfile import looks_like_batch_line

    try:
        with open(path, "rb") as handle:
            first = handle.readline(16 * 1024 * 1024)
    except OSError:
        return False
    return looks_like_batch_line(first)


class OutputDir:
    """A directory of rendered files that may be (re)written; see the module docstring."""

    def __init__(self, path: Path, fmt: str) -> None:
        self.path = path
        self.fmt = fmt
        self.old: set[str] = set()
        self.new: list[str] = []
        self._taken: set[str] = set()  # casefolded: distinct on case-insensitive file systems too
        self._check()

    def _check(self) -> None:
        path = self.path
        if path.exists() and not path.is_dir():
            raise ConfigError(f"-o {path} is a file", "this format writes a directory of pages: pass a new or empty directory")
        if not path.exists():
            return
        try:
            present = {p.name for p in path.iterdir()}
        except OSError as exc:
            raise ConfigError(f"cannot list {path}: {exc.strerror or exc}", "check the destination") from None
        present = {n for n in present if not _TMP.match(n)}
        if not present:
            return
        if MANIFEST not in present:
            raise ConfigError(
                f"-o {path} is not empty and was not written by summarizer render",
                "pass a new or empty directory; render never overwrites files it did not write",
            )
        self.old = self._read_manifest()
        foreign = sorted(present - self.old - {MANIFEST})
        if foreign:
            raise ConfigError(
                f"-o {path} holds {len(foreign)} file(s) summarizer render did not write, e.g. {foreign[0]!r}",
                "move them away or pass another directory",
            )

    def _read_manifest(self) -> set[str]:
        try:
            data = json.loads((self.path / MANIFEST).read_text("utf-8"))
            files = data["files"] if isinstance(data, dict) and data.get("generator") == _GENERATOR else None
        except (OSError, ValueError, KeyError):
            files = None
        if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
            raise ConfigError(f"{self.path / MANIFEST} is not a summarizer render manifest", "pass another directory")
        # only plain names in this directory: a forged manifest cannot point elsewhere
        return {f for f in files if f and "/" not in f and "\\" not in f and f not in (".", "..") and f != MANIFEST}

    def name(self, rid: str | int, suffix: str) -> str:
        """The page name of an id, unique in this run (more digits on a case-insensitive clash)."""
        for digits in (8, 16, 64):
            name = page_name(rid, suffix, digits)
            if name.casefold() not in self._taken:
                self._taken.add(name.casefold())
                return name
        raise SummarizerError(f"two ids give the same page name {name!r}")  # pragma: no cover - SHA-256

    def reserve(self, name: str) -> str:
        """A fixed name (index.html) for this run."""
        self._taken.add(name.casefold())
        return name

    def _manifest(self, files: list[str] | set[str]) -> None:
        body = {"generator": _GENERATOR, "format": self.fmt, "files": sorted(files)}
        write_atomic(self.path / MANIFEST, json.dumps(body, indent=1, ensure_ascii=True) + "\n")

    def begin(self) -> None:
        """Create the directory and claim it before writing any page."""
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"cannot create {self.path}: {exc.strerror or exc}", "check the destination") from None
        for stale in self.path.iterdir():
            if _TMP.match(stale.name):
                stale.unlink(missing_ok=True)
        self._manifest(self.old | {n for n in self._taken})

    def write(self, name: str, text: str) -> None:
        write_atomic(self.path / name, text)
        self.new.append(name)

    def finish(self) -> None:
        """Record what this run wrote and remove pages of an earlier run that are not in it."""
        self._manifest(self.new)
        for stale in self.old - set(self.new):
            (self.path / stale).unlink(missing_ok=True)
