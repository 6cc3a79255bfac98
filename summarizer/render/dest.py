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
* Every file goes through `summarizer.atomic` (its rules: never through a link, a FIFO or a
  device; a temporary file in the same directory, then `os.replace`). A manifest that names
  anything but a regular file (a directory, a link, a FIFO) is refused before a page is written.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from ..atomic import ANY, check_destination, describe_mode, open_text_output, write_atomic
from ..errors import ConfigError, SummarizerError

MANIFEST = ".summarizer-render.json"
MANIFEST_BYTES = 64 * 1024 * 1024  # a manifest of a million pages is a few tens of MB
_GENERATOR = "summarizer render"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_TMP = re.compile(r"^\.[^/]*\.render-[0-9a-f]+\.tmp$")  # our own temporary files (left by a killed run)


def page_name(rid: str | int, suffix: str, digits: int = 8) -> str:
    """A safe, stable file name for an article id: cleaned id, hash digits, suffix."""
    raw = str(rid)
    # hashed as JSON, so the id 1 and the id "1" get different names
    digest = hashlib.sha256(json.dumps(rid).encode("ascii")).hexdigest()[:digits]
    stem = _UNSAFE.sub("_", raw).strip("._-")[:60].rstrip("._-") or "article"
    return f"{stem}-{digest}{suffix}"


def check_file_dest(dest: Path, source: Path) -> None:
    """A single output file, by `atomic`'s rules for a file the user names: never the batch file
    being rendered, never another batch output, a device or FIFO written through (never replaced,
    never opened for reading), a link written through to its file."""
    try:
        same = os.path.samefile(dest, source)
    except (OSError, ValueError):
        same = False
    if same:
        raise ConfigError(f"-o {dest} is the batch file being rendered", "pass another output file")
    check_destination(dest, label="-o", user=True, protect=(source,), probe=True)


@contextmanager
def output_file(dest: Path, source: Path, *, bom: bool = False) -> Iterator[TextIO]:
    """The text handle of a single output file (see `check_file_dest`), replaced whole on
    success; an I/O failure is a `SummarizerError` saying so."""
    try:
        with open_text_output(dest, bom=bom, label="-o", user=True, protect=(source,)) as handle:
            yield handle
    except OSError as exc:
        raise SummarizerError(f"cannot write {dest}: {exc.strerror or exc}", "check the destination") from None


def _write_page(path: Path, text: str) -> None:
    """A page or the manifest in a checked output directory: a regular file or nothing (never a
    link, FIFO or device, whatever a manifest says), replaced whole."""
    try:
        write_atomic(path, text.encode("utf-8", "replace"), label="render page", ours=ANY, prefix=f".{path.name[:80]}.render-")
    except OSError as exc:
        raise SummarizerError(f"cannot write {path}: {exc.strerror or exc}", "check the destination") from None


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
        try:
            mode = os.stat(path).st_mode
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            raise ConfigError(f"cannot use -o {path}: {getattr(exc, 'strerror', None) or exc}", "pass a new or empty directory") from None
        if not stat.S_ISDIR(mode):
            what = "a file" if stat.S_ISREG(mode) else describe_mode(mode)
            raise ConfigError(f"-o {path} is {what}", "this format writes a directory of pages: pass a new or empty directory")
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
        for name in sorted(self.old & present):  # a forged manifest may name a directory, a link...
            mode = os.lstat(path / name).st_mode
            if not stat.S_ISREG(mode):
                raise ConfigError(
                    f"-o {path}: its manifest lists {name!r}, which is {describe_mode(mode)}, not a page render wrote; "
                    "nothing was written",
                    "move it away or pass another directory",
                )

    def _read_manifest(self) -> set[str]:
        from ..inputs.reading import read_file

        try:
            data = json.loads(read_file(self.path / MANIFEST, limit=MANIFEST_BYTES, what="render manifest", error=ConfigError))
            files = data["files"] if isinstance(data, dict) and data.get("generator") == _GENERATOR else None
        except (ConfigError, ValueError, KeyError):
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
        _write_page(self.path / MANIFEST, json.dumps(body, indent=1, ensure_ascii=True) + "\n")

    def begin(self) -> None:
        """Create the directory and claim it before writing any page."""
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"cannot create {self.path}: {exc.strerror or exc}", "check the destination") from None
        for stale in self.path.iterdir():
            if _TMP.match(stale.name) and stale.is_file() and not stale.is_symlink():
                stale.unlink(missing_ok=True)
        self._manifest(self.old | {n for n in self._taken})

    def write(self, name: str, text: str) -> None:
        _write_page(self.path / name, text)
        self.new.append(name)

    def finish(self) -> None:
        """Record what this run wrote and remove pages of an earlier run that are not in it."""
        self._manifest(self.new)
        for stale in sorted(self.old - set(self.new)):
            page = self.path / stale
            if page.is_file() and not page.is_symlink():  # checked at the start; never a directory
                page.unlink(missing_ok=True)
