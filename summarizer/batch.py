"""Many articles through one `Summarizer`: input expansion, a bounded worker pool, and a JSONL
output file that survives `kill -9` and resumes.

Inputs (`expand_inputs`), each INPUT argument giving at least one output line:
- a file: one article, id = the path as given. A `.jsonl` file is not an article but a list of
  records `{"id": str|int, "text": str}`, one per line: id = the record's id. A record line that
  is not valid JSON, not an object, or lacks a usable id/text becomes an error line for that
  record (id = the record's id when it has one, else `PATH:LINENO`); blank lines are ignored.
- a directory: walked recursively in sorted order, picking up `*.txt`, `*.md`, `*.html`, `*.htm`
  (case-insensitive), skipping hidden files and directories (names starting with "."). `.jsonl`
  files inside a directory are NOT read: a directory is a folder of articles, and the batch
  output (`-o out.jsonl`) often lives right next to them. id = `os.path.join(DIR, relative)`.
- a glob pattern (`*`, `?`, `[` and no file of that literal name): expanded with
  `glob.glob(recursive=True)`, sorted; matched files are taken whatever their suffix (`.jsonl`
  ones as records), matched directories are walked as above.
- `-`: a list of paths on stdin, one per line (blank lines ignored), each expanded by the rules
  above, so `find ... | summarizer batch -` works.
A missing file, an empty directory or a pattern matching nothing gives one error line with the
argument as its id. The output file itself is never read as an input.

Loading is lazy: expansion yields `(id, loader)` pairs holding a path (or a path and a byte
offset for a JSONL record), never the text; a worker calls the loader when it starts that
article, so memory stays flat however many inputs there are.

Output contract (one line per input, written with ONE `os.write` on an `O_APPEND` descriptor as
each article finishes):
    {"id": ..., "ok": true, "result": {...}}
    {"id": ..., "ok": false, "error": {"type": "<err.kind>", "message": "<err.one_line()>"}}
An unexpected exception is `"type": "internal"`. A run killed at any moment, even by SIGKILL,
leaves only whole lines, except possibly a torn last line, which the next run cuts away.

Resume: rerunning with the same `-o` skips every id that already has an ok line, and (by
default, `--retry-failed`) runs the failed ones again; `--skip-failed` keeps them as they are.
When a failed id is redone, its old line is removed when the run ends (the file is rewritten
atomically), so after every run that ends — even with failures or Ctrl-C — the file holds
exactly one line per id. Only a killed run can leave an old failed line followed by a newer
line for the same id; the next run cleans it up. A reader that cannot wait should let an ok line
win, and otherwise the last line.

Duplicate ids within one run: the first occurrence is processed, later ones are skipped (no
line written, counted in "skipped", a warning on stderr). Ids must be unique to be useful keys.

A second `summarizer batch` writing the same output file at the same time is refused (flock).
"""

from __future__ import annotations

import asyncio
import contextvars
import glob
import json
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Sized
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeAlias

from .errors import AuthError, ConfigError, InputError, SummarizerError
from .inputs import MAX_BYTES, Article, article_from_text, read_article

if TYPE_CHECKING:
    from .pipeline import Summarizer

__all__ = [
    "ARTICLE_SUFFIXES",
    "DEFAULT_CONCURRENCY",
    "EXIT_SOME_FAILED",
    "Tally",
    "current_id",
    "expand_inputs",
    "run_batch",
]

ARTICLE_SUFFIXES: tuple[str, ...] = (".txt", ".md", ".html", ".htm")
"""What a directory walk picks up (case-insensitive)."""

DEFAULT_CONCURRENCY = 8
"""Articles in flight at once. A hosted API answers one article in seconds, so 8 overlap well
while staying far below typical rate limits (the retry layer absorbs the odd 429); raise it for
high-tier accounts, lower it (1-2) for a local server that runs one request at a time."""

EXIT_SOME_FAILED = 12
"""Exit code of `summarizer batch` when the run ended but not every input has an ok line."""

Id: TypeAlias = str | int
Loader: TypeAlias = Callable[[], Article]
Item: TypeAlias = tuple[Id, Loader]

current_id: contextvars.ContextVar[Id | None] = contextvars.ContextVar("summarizer_batch_id", default=None)
"""The id of the article a batch worker is processing (for prefixing verbose events)."""

_MAGIC = frozenset("*?[")


# =============================================================================================
# input expansion


def expand_inputs(
    inputs: Iterable[str],
    stdin: IO[Any] | None = None,
    *,
    exclude: str | os.PathLike[str] | None = None,
    max_bytes: int = MAX_BYTES,
) -> Iterator[Item]:
    """Lazily turn INPUT arguments into `(id, loader)` pairs (see the module docstring).

    `stdin` is read (one path per line) only when an input is `-`. `exclude` is a path never
    taken as an input (the output file). Problems with one input become a loader that raises
    `InputError`, so the caller writes an error line for it and carries on.
    """
    skip = _Exclude(exclude)
    for arg in inputs:
        if arg == "-":
            yield from _from_stdin(stdin, skip, max_bytes)
        else:
            yield from _expand(arg, skip, max_bytes)


class _Exclude:
    """Recognises the output file among inputs (by device and inode, once it exists)."""

    def __init__(self, path: str | os.PathLike[str] | None) -> None:
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
            except OSError:
                self._key = None
        try:
            st = os.stat(path)
        except OSError:
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
            yield from _expand(line, skip, max_bytes)
    except OSError as exc:
        yield "-", _failing(InputError(f"cannot read the list of paths on stdin: {exc.strerror or exc}"))
        return
    if count == 0:
        yield "-", _failing(
            InputError("- was given but stdin holds no paths", "pipe one path per line into stdin")
        )


def _expand(arg: str, skip: _Exclude, max_bytes: int) -> Iterator[Item]:
    if os.path.isdir(arg):
        yield from _walk(arg, skip, max_bytes)
    elif os.path.lexists(arg) or not (_MAGIC & set(arg)):
        if skip.matches(arg):
            yield arg, _failing(
                InputError(f"{arg} is the output file", "pass the articles, not the batch output")
            )
        else:
            yield from _file(arg, max_bytes)
    else:
        matches = sorted(glob.glob(arg, recursive=True))
        found = False
        for path in matches:
            if os.path.isdir(path):
                found = True
                yield from _walk(path, skip, max_bytes)
            elif not skip.matches(path):
                found = True
                yield from _file(path, max_bytes)
        if not found:
            yield arg, _failing(InputError(f"no file matches {arg}", "check the pattern"))


def _walk(root: str, skip: _Exclude, max_bytes: int) -> Iterator[Item]:
    """Article files under `root`, sorted, recursively; hidden names and the output skipped."""
    found = False
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or not name.lower().endswith(ARTICLE_SUFFIXES):
                continue
            path = os.path.join(dirpath, name)
            if skip.matches(path):
                continue
            found = True
            yield path, partial(read_article, path, max_bytes=max_bytes)
    if not found:
        yield root, _failing(
            InputError(
                f"{root} holds no article files ({', '.join('*' + s for s in ARTICLE_SUFFIXES)})",
                "pass the files or a glob pattern",
            )
        )


def _file(path: str, max_bytes: int) -> Iterator[Item]:
    if path.lower().endswith(".jsonl"):
        yield from _records(path, max_bytes)
    else:
        yield path, partial(read_article, path, max_bytes=max_bytes)


def _records(path: str, max_bytes: int) -> Iterator[Item]:
    """`{"id", "text"}` records of a JSONL file; each yields a loader holding a byte offset."""
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below, the generator may pause long
    except OSError:
        # read_article turns the OS error into its usual one-line message.
        yield path, partial(read_article, path, max_bytes=max_bytes)
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
        with open(path, "rb") as handle:
            handle.seek(offset)
            raw = handle.readline()
        text = json.loads(raw)["text"]
    except (OSError, ValueError, KeyError, TypeError):
        raise _record_error(path, lineno, "changed or vanished while the batch ran") from None
    if not isinstance(text, str):
        raise _record_error(path, lineno, 'has no "text" string')
    if len(text) > max_bytes and len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        raise _record_error(path, lineno, f"has a text over the {max_bytes:,}-byte input limit")
    return article_from_text(text, f"{path}:{lineno}")


# =============================================================================================
# the output file


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


# =============================================================================================
# running


@dataclass
class Tally:
    """What a batch run did. `skipped` counts inputs not run: already done, kept failures
    (`--skip-failed`) and duplicate ids."""

    done: int = 0
    failed: int = 0
    skipped: int = 0
    skipped_failed: int = 0
    duplicates: int = 0
    elapsed: float = 0.0

    @property
    def all_ok(self) -> bool:
        """True when every input of this run has an ok line in the output file."""
        return self.failed == 0 and self.skipped_failed == 0

    @property
    def rate(self) -> float:
        return (self.done + self.failed) / self.elapsed if self.elapsed > 0 else 0.0

    def line(self) -> str:
        return (
            f"done {self.done}, failed {self.failed}, skipped {self.skipped} "
            f"in {self.elapsed:.1f} s ({self.rate:.1f} articles/s)"
        )


def _stderr(message: str) -> None:
    sys.stderr.write(f"summarizer: {message}\n")
    sys.stderr.flush()


# Failures that no later article can escape (a refused key, a broken configuration): the run
# stops taking new articles, finishes those in flight, and raises, so a wrong key costs one
# line, not ten thousand. The skipped inputs have no line and run on the next try.
FATAL = (AuthError, ConfigError)


async def run_batch(
    items: Iterable[Item],
    output: Path,
    summarizer: Summarizer,
    concurrency: int = DEFAULT_CONCURRENCY,
    progress: bool = False,
    *,
    retry_failed: bool = True,
    verbose: bool = False,
    debug: bool = False,
    log: Callable[[str], None] | None = None,
) -> Tally:
    """Summarize every item with at most `concurrency` articles in flight; one line each.

    A fixed pool of `concurrency` worker tasks pulls from the (lazy) `items` iterator, so
    10,000 inputs cost 10,000 small loop iterations, not 10,000 tasks or texts in memory.
    `summarizer` is shared (one client, one connection pool) and is not closed here.
    The final tally goes to `log` (stderr by default), also when the run is interrupted.
    Raises `ConfigError` when the output file cannot be used, `SummarizerError` when it
    cannot be written; a failing article never raises.
    """
    say = log or _stderr
    t0 = time.monotonic()
    out = ResultFile(Path(output))
    out.open()
    if out.repaired:
        say(f"warning: cut a torn last line ({out.repaired} bytes) from {output}, left by a killed run")
    tally = Tally()
    total = len(items) if isinstance(items, Sized) else None
    source = iter(items)
    seen: set[Id] = set()
    bar = _Bar(progress, total)

    def note(message: str) -> None:
        if bar.active:
            bar.print(f"summarizer: {message}")
        else:
            say(message)

    fatal: list[SummarizerError] = []  # an error that every later article would hit too

    def next_item() -> Item | None:
        """The next input to run; bookkeeping for skips. Synchronous: no await, no races."""
        if fatal:
            return None
        for rid, loader in source:
            if rid in seen:
                tally.skipped += 1
                tally.duplicates += 1
                if tally.duplicates <= 5:
                    note(f"warning: duplicate id {rid!r} skipped (the first one is processed)")
                elif tally.duplicates == 6:
                    note("warning: more duplicate ids skipped; see the tally")
                bar.skip()
                continue
            seen.add(rid)
            previous = out.status.get(rid)
            if previous is True or (previous is False and not retry_failed):
                tally.skipped += 1
                tally.skipped_failed += previous is False
                bar.skip()
                continue
            return rid, loader
        return None

    async def worker() -> None:
        while (item := next_item()) is not None:
            rid, loader = item
            current_id.set(rid)
            ok, line, message, err = await _one(rid, loader, summarizer, debug)
            out.write(rid, ok, line)
            if ok:
                tally.done += 1
            else:
                tally.failed += 1
                if verbose:
                    note(f"{rid}: failed: {message}")
                if isinstance(err, FATAL) and not fatal:
                    fatal.append(err)
                    note(f"stopping: {message}")
            bar.advance(tally)

    try:
        with bar:
            tasks = [asyncio.create_task(worker()) for _ in range(max(1, concurrency))]
            try:
                await asyncio.gather(*tasks)
            except BaseException:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                raise
    finally:
        try:
            out.finish()
        finally:
            tally.elapsed = time.monotonic() - t0
            if tally.duplicates > 5:
                say(f"warning: {tally.duplicates} duplicate ids skipped in all")
            say(tally.line())
    if fatal:
        raise fatal[0]
    return tally


async def _one(
    rid: Id, loader: Loader, summarizer: Summarizer, debug: bool
) -> tuple[bool, bytes, str, SummarizerError | None]:
    """One article to (ok, output line, error message, error); never raises (but cancellation)."""
    try:
        article = await asyncio.to_thread(loader)
        result = await summarizer.arun(article)
        return True, ok_line(rid, result), "", None
    except SummarizerError as err:
        message = err.one_line()
        return False, error_line(rid, err.kind, message), message, err
    except Exception as err:  # noqa: BLE001 - one article's bug must not stop the batch
        if debug:
            traceback.print_exc()
        from .redact import redact

        message = " ".join(f"{type(err).__name__}: {redact(str(err))}".split())[:300]
        return False, error_line(rid, "internal", message), message, None


class _Bar:
    """A rich progress bar on stderr, or nothing. Built only when enabled (rich is lazy)."""

    def __init__(self, enabled: bool, total: int | None) -> None:
        self.active = enabled
        self._progress: Any = None
        self._task: Any = None
        self._total = total
        if not enabled:
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            ProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.text import Text

        class Rate(ProgressColumn):
            def render(self, task: Any) -> Text:
                speed = task.finished_speed or task.speed
                return Text(f"{speed:.1f}/s" if speed else "-/s", style="progress.data.speed")

        self._progress = Progress(
            TextColumn("batch"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("ok {task.fields[ok]} failed {task.fields[failed]} skipped {task.fields[skipped]}"),
            Rate(),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._task = self._progress.add_task("batch", total=total, ok=0, failed=0, skipped=0)
        self._skipped = 0

    def __enter__(self) -> _Bar:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def print(self, message: str) -> None:
        self._progress.console.print(message, markup=False, highlight=False)

    def skip(self) -> None:
        """A skipped input leaves the total, so rate and ETA reflect real work only."""
        if self._progress is None:
            return
        self._skipped += 1
        total = None if self._total is None else self._total - self._skipped
        self._progress.update(self._task, total=total, skipped=self._skipped)

    def advance(self, tally: Tally) -> None:
        if self._progress is not None:
            self._progress.update(self._task, advance=1, ok=tally.done, failed=tally.failed)
