"""Turn INPUT arguments (files, directories, globs, `-`, JSONL records) into lazy `(id, loader)`
pairs; the rules are in the package docstring.

Ids of files are paths relative to the folder the arguments share (`ids_base`): a batch of
`/data/news/articles/` gives `01_ofac-iran-khedri-network.txt`, not the absolute path, and two
folders passed together (`monday/ tuesday/`) keep their folder names, so distinct files always get
distinct ids. A file's loader is a `FileLoader`, which keeps the path as given: older versions
used that path as the id, and `ResultFile.known_id` uses it so a rerun over an output file
written with those ids resumes instead of redoing finished articles.
"""

from __future__ import annotations

import glob
import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import IO, Any, TypeAlias

from ..errors import InputError, SummarizerError
from ..inputs import MAX_BYTES, Article, article_from_text, check_regular_file, open_regular, read_article
from .choose import Choose

Id: TypeAlias = str | int
Loader: TypeAlias = Callable[[], Article]
Item: TypeAlias = tuple[Id, Loader]

_MAGIC = frozenset("*?[")


@dataclass(frozen=True)
class FileLoader:
    """Reads one article file when a worker starts it. `path` is the path as the user gave it
    (also the article's `provenance.source`), which the id may shorten."""

    path: str
    max_bytes: int

    def __call__(self) -> Article:
        return read_article(self.path, max_bytes=self.max_bytes, regular_only=True)


def given_path(loader: Loader) -> str | None:
    """The path as given of a file input (None for records and error lines)."""
    return loader.path if isinstance(loader, FileLoader) else None


def _root(arg: str) -> str | None:
    """The folder an argument's files are counted from: a directory itself, a file's folder, a
    glob's literal leading folders; None for what gives no file ids (records, `-`, missing)."""
    if arg == "-":
        return None
    if os.path.isdir(arg):
        return arg
    if os.path.lexists(arg) or not (_MAGIC & set(arg)):
        if not os.path.lexists(arg) or arg.lower().endswith(".jsonl"):
            return None
        return os.path.dirname(arg) or os.curdir
    head: list[str] = []
    for part in arg.split(os.sep):
        if _MAGIC & set(part):
            break
        head.append(part)
    folder = os.sep.join(head) if head else os.curdir
    if folder == "" and arg.startswith(os.sep):
        folder = os.sep
    return folder if os.path.isdir(folder) else None


def ids_base(inputs: Sequence[str]) -> str | None:
    """The absolute folder every file id is relative to: the deepest folder holding all the
    arguments' files (one directory: itself). None when no argument names files."""
    roots = [os.path.abspath(r) for r in map(_root, inputs) if r is not None]
    if not roots:
        return None
    try:
        return os.path.commonpath(roots)
    except ValueError:  # different drives (Windows): no common folder, ids stay as given
        return None


class _Ids:
    """File ids relative to `base`; the path as given when there is no base or it is outside."""

    def __init__(self, base: str | None) -> None:
        self.base = base

    def __call__(self, path: str) -> str:
        if self.base is None:
            return path
        rel = os.path.relpath(os.path.abspath(path), self.base)
        if rel == os.curdir or rel.startswith(os.pardir + os.sep) or rel == os.pardir:
            return path
        return rel.replace(os.sep, "/")


def expand_inputs(
    inputs: Iterable[str],
    stdin: IO[Any] | None = None,
    *,
    exclude: str | os.PathLike[str] | None = None,
    max_bytes: int = MAX_BYTES,
    choose: Choose | None = None,
) -> Iterator[Item]:
    """Lazily turn INPUT arguments into `(id, loader)` pairs (see the module docstring).

    `stdin` is read (one path per line) only when an input is `-`. `exclude` is a path never
    taken as an input (the output file). `choose` decides which files a directory walk takes
    and tells what it left out (`batch.choose`; default: the article extensions, no note).
    Problems with one input become a loader that raises `InputError`, so the caller writes an
    error line for it and carries on.
    """
    skip = _Exclude(exclude, choose)
    args = list(inputs)
    ids = _Ids(ids_base(args))
    for arg in args:
        if arg == "-":
            yield from _from_stdin(stdin, skip, max_bytes)
        else:
            yield from _expand(arg, skip, max_bytes, ids)


class _Exclude:
    """Recognises the output file among inputs (by device and inode, once it exists), and
    carries the walk's filter (`choose`): the two decide what a directory walk leaves out."""

    def __init__(self, path: str | os.PathLike[str] | None, choose: Choose | None = None) -> None:
        self.choose = choose if choose is not None else Choose()
        self.name = os.path.basename(os.fspath(path)) if path is not None else None
        self._path = path
        self._key: tuple[int, int] | None = None
        self._looked = False

    def matches(self, path: str) -> bool:
        if self._path is None or os.path.basename(path) != self.name:
            return False  # cheap test first: only files with the output's name are stat'ed
        if not self._looked:
            self._looked = True
            try:
                st = os.stat(self._path)
                self._key = (st.st_dev, st.st_ino)
            except (OSError, ValueError):
                self._key = None
        try:
            st = os.stat(path)
        except (OSError, ValueError):  # ValueError: a NUL byte in the name
            return False
        return self._key == (st.st_dev, st.st_ino) or (
            self._key is None and os.path.abspath(path) == os.path.abspath(self._path)
        )


def _failing(err: SummarizerError) -> Loader:
    """A loader that reports a problem found during expansion."""

    def load() -> Article:
        raise err

    return load


def _from_stdin(stdin: IO[Any] | None, skip: _Exclude, max_bytes: int) -> Iterator[Item]:
    """Paths on stdin, one per line, read lazily; bytes decoded like file names (fsdecode)."""
    if stdin is None:
        yield "-", _failing(InputError("stdin is not available", "pass the paths as arguments"))
        return
    raw = getattr(stdin, "buffer", None)
    lines: Iterable[str] = (
        (os.fsdecode(line.rstrip(b"\r\n")) for line in raw)
        if raw is not None
        else (str(line).rstrip("\r\n") for line in stdin)
    )
    count = 0
    try:
        for line in lines:
            if not line.strip():
                continue
            count += 1
            yield from _expand(line, skip, max_bytes, _Ids(None))  # paths on stdin: ids as given
    except OSError as exc:
        yield "-", _failing(InputError(f"cannot read the list of paths on stdin: {exc.strerror or exc}"))
        return
    if count == 0:
        yield "-", _failing(
            InputError("- was given but stdin holds no paths", "pipe one path per line into stdin")
        )


def _expand(arg: str, skip: _Exclude, max_bytes: int, ids: _Ids) -> Iterator[Item]:
    if os.path.isdir(arg):
        yield from _walk(arg, skip, max_bytes, ids)
    elif os.path.lexists(arg) or not (_MAGIC & set(arg)):
        if skip.matches(arg):
            yield arg, _failing(
                InputError(f"{arg} is the output file", "pass the articles, not the batch output")
            )
        else:
            yield from _file(arg, max_bytes, ids)
    else:
        matches = sorted(glob.glob(arg, recursive=True))
        found = False
        for path in matches:
            if os.path.isdir(path):
                found = True
                yield from _walk(path, skip, max_bytes, ids)
            elif not skip.matches(path):
                found = True
                yield from _file(path, max_bytes, ids)
        if not found:
            yield arg, _failing(InputError(f"no file matches {arg}", "check the pattern"))


def _walk(root: str, skip: _Exclude, max_bytes: int, ids: _Ids) -> Iterator[Item]:
    """Article files under `root`, sorted, recursively; what is not an article (`skip.choose`)
    and the output skipped, and told in one note at the end."""
    choose = skip.choose
    found = False
    walk = () if choose.render_root(root) else os.walk(root)
    for dirpath, dirnames, filenames in walk:
        dirnames[:] = choose.subdirs(dirpath, dirnames)
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            if skip.matches(path) or not choose.takes(dirpath, name):
                continue
            found = True
            yield from _file(path, max_bytes, ids)
    choose.done(root)
    if not found:
        yield root, _failing(
            InputError(
                f"{root} holds no article files ({choose.wanted()})",
                "pass the files, a glob pattern, or --glob PATTERN (e.g. --glob '*.md')",
            )
        )


def _file(path: str, max_bytes: int, ids: _Ids) -> Iterator[Item]:
    """One input file; anything but a regular file (a FIFO, socket, device) is an error line,
    never a read that could block the run."""
    try:
        check_regular_file(path)
    except InputError as err:
        yield ids(path), _failing(err)
        return
    if path.lower().endswith(".jsonl"):
        yield from _records(path, max_bytes)
    else:
        yield ids(path), FileLoader(path, max_bytes)


def _records(path: str, max_bytes: int) -> Iterator[Item]:
    """`{"id", "text"}` records of a JSONL file; each yields a loader holding a byte offset."""
    try:
        handle = open_regular(path)  # noqa: SIM115 - closed below, the generator may pause long
    except InputError as err:
        yield path, _failing(err)
        return
    except OSError:
        # read_article turns the OS error into its usual one-line message.
        yield path, partial(read_article, path, max_bytes=max_bytes, regular_only=True)
        return
    with handle:
        offset = 0
        for lineno, raw in enumerate(handle, 1):
            start, offset = offset, offset + len(raw)
            if not raw.strip():
                continue
            where = f"{path}:{lineno}"
            if len(raw) > max_bytes + 1024:
                yield where, _failing(_record_error(path, lineno, "is over the input size limit"))
                continue
            try:
                record = json.loads(raw)
            except ValueError:
                yield where, _failing(_record_error(path, lineno, "is not valid JSON"))
                continue
            if not isinstance(record, dict):
                yield where, _failing(_record_error(path, lineno, "is not a JSON object"))
                continue
            rid = record.get("id")
            if isinstance(rid, bool) or not isinstance(rid, (str, int)) or rid == "":
                yield where, _failing(
                    _record_error(path, lineno, 'has no "id" (a non-empty string or an integer)')
                )
                continue
            text = record.get("text")
            if not isinstance(text, str):
                yield rid, _failing(_record_error(path, lineno, 'has no "text" string'))
                continue
            del record, text  # hold the offset, not the text
            yield rid, partial(_load_record, path, start, lineno, max_bytes)


def _record_error(path: str, lineno: int, what: str) -> InputError:
    return InputError(
        f"record on line {lineno} of {path} {what}",
        'each line must be a JSON object {"id": ..., "text": ...}',
    )


def _load_record(path: str, offset: int, lineno: int, max_bytes: int) -> Article:
    """Read one JSONL record again, at its offset, when a worker starts it."""
    try:
        with open_regular(path) as handle:
            handle.seek(offset)
            raw = handle.readline()
        text = json.loads(raw)["text"]
    except (OSError, ValueError, KeyError, TypeError, InputError):
        raise _record_error(path, lineno, "changed or vanished while the batch ran") from None
    if not isinstance(text, str):
        raise _record_error(path, lineno, 'has no "text" string')
    if len(text) > max_bytes and len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        raise _record_error(path, lineno, f"has a text over the {max_bytes:,}-byte input limit")
    return article_from_text(text, f"{path}:{lineno}")


