"""Every file the tool writes goes through here: one set of rules for what a write may replace.

Two kinds of destination:
* **named by the user** for a command's result (`-o FILE` of summarize, screen, render, eval;
  `--export-requests FILE`): `user=True`;
* **kept by the tool** (cache entries, fixtures, render pages and their manifest, the bulk state
  file, the batch output file): `user=False`.

The rules, checked before any work (`check_destination`, so a paid model call never precedes a
refusal) and again at the moment of writing:

1. Absent: created, as a temporary file beside it (a new name, `O_EXCL`, never following a link)
   renamed into place, so a reader or a killed run sees the old file or the new one, never a part.
2. A regular file: replaced the same way, and only when it is not an input of this run
   (`protect`, compared by device and inode) and `ours` recognises it as this writer's own kind
   of file from its first `HEAD_BYTES` (an empty file always qualifies). With `user=True` and no
   `ours`, the user named the file for this result, so any regular file qualifies except the
   *precious* ones the tool knows (a batch output: paid results; the run history; a bulk state
   file; a render manifest). A read-only file is refused. Its permission bits are kept.
3. A symbolic link is never replaced. `user=True`: it is written *through* when it leads to a
   regular file (that file is replaced by rule 2; the link stays) or to a character device or a
   FIFO (rule 4); a link to nothing is refused (writing would create a file wherever it points).
   `user=False`: refused.
4. A character device or a FIFO (`/dev/null`, a pipe), and any path that leads through `/proc/`
   (`/dev/stdout`, `/dev/fd/1`: the process's own stdout, whatever file that is): with
   `user=True` written through, opened for appending without blocking (a FIFO that no process
   reads is an error, never a hang), never renamed over. `user=False`: refused.
5. A directory, a block device or a socket: refused.

A FIFO is never opened for reading: an existing file's head is read only after `lstat` says it is
regular, through a descriptor opened without following links and without blocking.

Refusals are `ConfigError`s (exit 4) naming `label` and saying the file was left untouched; I/O
failures while writing (disk full) are `OSError`s, with the temporary file removed: whether that
is fatal is the caller's decision (a cache write is best effort, a result is saved elsewhere).
What is left is a race with another process that swaps the destination between the last check
and the rename; the check is repeated just before the rename to keep that window small.
"""

from __future__ import annotations

import contextlib
import io
import os
import secrets
import stat
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TextIO

from .errors import ConfigError

HEAD_BYTES = 64 * 1024
"""How much of an existing file `Kind.test` sees."""

_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_NOCTTY = getattr(os, "O_NOCTTY", 0)
_PROC = "/proc/"


@dataclass(frozen=True)
class Kind:
    """A kind of file a writer may replace: `name` for messages ("a request file written by
    --export-requests"), `test(head)` on its first `HEAD_BYTES` (never empty)."""

    name: str
    test: Callable[[bytes], bool]


ANY = Kind("any file", lambda head: True)
"""For writers whose directory was checked as a whole (render pages listed in their manifest)."""

# The first bytes of the files the tool keeps for itself, which a user's `-o` must never replace.
# The batch line prefix is `batch.results.LINE_PREFIX` (tests/test_security.py checks they agree).
BATCH_LINE = b'{"id": '
_PRECIOUS: tuple[tuple[str, Callable[[bytes], bool]], ...] = (
    ("a batch output file (paid results)", lambda h: h.startswith(BATCH_LINE) and b'"ok": ' in h.split(b"\n", 1)[0]),
    ("a run history database", lambda h: h.startswith(b"SQLite format 3\x00")),
    ("a bulk state file", lambda h: h.startswith(b'{"format":"summarizer-bulk-state"')),
    ("a render manifest", lambda h: b'"generator": "summarizer render"' in h[:200]),
)


@dataclass(frozen=True)
class Destination:
    """Where a write goes, once checked: `real` is the file renamed over (a link's target), or the
    device or FIFO written through (`stream`)."""

    path: Path
    real: Path
    stream: bool = False
    exists: bool = False
    perms: int | None = None  # permission bits of the regular file to replace
    identity: tuple[int, int] | None = None  # (device, inode) of that file


def _refusal(label: str, path: Path, what: str, hint: str = "pass another path") -> ConfigError:
    return ConfigError(f"{label} {path} {what}; it was left untouched", hint)


def describe_mode(mode: int) -> str:
    """What a non-regular file is, in words."""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    return "not a regular file"


def check_destination(
    path: str | os.PathLike[str],
    *,
    label: str = "-o",
    user: bool = False,
    ours: Kind | None = None,
    protect: Iterable[str | os.PathLike[str]] = (),
    probe: bool = False,
) -> Destination:
    """Check a destination by the module's rules (a `ConfigError` if refused); `probe` also
    creates and removes a temporary file beside it, so an unwritable directory is found now."""
    path = Path(path)
    if "\x00" in str(path):
        raise _refusal(label, Path(str(path).replace("\x00", "\\0")), "contains a NUL byte", "pass a real file name")
    try:
        lst = os.lstat(path)
    except FileNotFoundError:
        return _new(path, label, probe)
    except NotADirectoryError:
        raise ConfigError(f"cannot write {label} {path}: {path.parent} is not a directory", "create it first, or pass another path") from None
    except OSError as exc:
        raise ConfigError(f"cannot write {label} {path}: {exc.strerror or type(exc).__name__}", "pass another path") from None
    if user and _through_proc(path):
        try:
            st = os.stat(path)
        except OSError:
            raise _refusal(label, path, "leads to nothing") from None
        return _stream(path, st, label)
    if stat.S_ISLNK(lst.st_mode):
        if not user:
            raise _refusal(label, path, "is a symbolic link", "the tool never writes through links in its own files")
        try:
            st = os.stat(path)
        except OSError:
            raise _refusal(label, path, "is a symbolic link to nothing", "pass the path of the file itself") from None
        if stat.S_ISREG(st.st_mode):
            real = Path(os.path.realpath(path))
            return _regular(path, real, st, label=label, user=user, ours=ours, protect=protect, probe=probe)
        return _stream(path, st, label)
    if stat.S_ISREG(lst.st_mode):
        return _regular(path, path, lst, label=label, user=user, ours=ours, protect=protect, probe=probe)
    if not user:
        raise _refusal(label, path, f"is {describe_mode(lst.st_mode)}, not a regular file")
    return _stream(path, lst, label)


def _through_proc(path: Path) -> bool:
    """Does `path`, or a link on its way, lead through /proc/? `/dev/stdout`, `/dev/fd/1` and a
    link to `/proc/self/fd/1` are the process's own stdout, whatever file that is: written
    through, never renamed over (renaming would replace the file a shell redirected to)."""
    current = os.path.abspath(path)
    for _ in range(40):  # the kernel's own limit on links followed
        parent = os.path.realpath(os.path.dirname(current))
        current = os.path.join(parent, os.path.basename(current))
        if current.startswith(_PROC):
            return True
        try:
            target = os.readlink(current)
        except OSError:  # not a link (or gone): the way ends here
            return False
        current = os.path.normpath(os.path.join(parent, target))
    return False


def _new(path: Path, label: str, probe: bool) -> Destination:
    parent = path.parent
    if not parent.is_dir():
        raise ConfigError(f"cannot write {label} {path}: {parent} is not a directory", "create it first, or pass another path")
    if probe:
        _probe(path, label)
    return Destination(path, path)


def _stream(path: Path, st: os.stat_result, label: str) -> Destination:
    """A device or FIFO the user named: written through if it can be (rule 4), else refused."""
    if stat.S_ISDIR(st.st_mode):
        raise ConfigError(f"{label} {path} is a directory", "pass a file name, e.g. -o result.json")
    if stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode) or stat.S_ISREG(st.st_mode):
        return Destination(path, path, stream=True, exists=True)
    raise _refusal(label, path, f"is {describe_mode(st.st_mode)}", "pass a regular file, a character device or a FIFO")


def _regular(
    path: Path, real: Path, st: os.stat_result, *, label: str, user: bool, ours: Kind | None,
    protect: Iterable[str | os.PathLike[str]], probe: bool,
) -> Destination:
    for other in protect:
        try:
            if os.path.samestat(st, os.stat(other)):
                raise _refusal(label, path, "is an input of this run", "pass another file name")
        except (OSError, ValueError):
            continue
    head = _head(real, st)
    if head:
        if ours is not None:
            if not ours.test(head):
                raise _refusal(label, path, f"exists and is not {ours.name}", "pass a new file name, or move this one away")
        elif user:
            precious = next((name for name, test in _PRECIOUS if test(head)), None)
            if precious is not None:
                raise _refusal(label, path, f"is {precious}", "pass another file name")
        else:
            raise _refusal(label, path, "exists and was not written by summarizer", "pass a new file name, or move this one away")
    if not os.access(real, os.W_OK):
        raise _refusal(label, path, "is read-only", "pass another path, or make it writable")
    if probe:
        _probe(real, label)
    return Destination(path, real, exists=True, perms=stat.S_IMODE(st.st_mode), identity=(st.st_dev, st.st_ino))


def _head(path: Path, expected: os.stat_result) -> bytes:
    """The first HEAD_BYTES of a regular file: opened without following a link and without
    blocking, and read only if it is still the file that was checked."""
    try:
        fd = os.open(path, os.O_RDONLY | _NONBLOCK | _NOFOLLOW | _CLOEXEC)
    except OSError as exc:
        if isinstance(exc, PermissionError):
            return b""  # unreadable: the writability check decides
        raise ConfigError(f"cannot check {path}: {exc.strerror or type(exc).__name__}", "pass another path") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or not os.path.samestat(st, expected):
            raise ConfigError(f"{path} changed while it was checked; it was left untouched", "is another program writing it?")
        return os.read(fd, HEAD_BYTES)
    finally:
        os.close(fd)


def _probe(target: Path, label: str) -> None:
    try:
        fd, tmp = create_beside(target, ".probe")
        os.close(fd)
        os.unlink(tmp)
    except OSError as exc:
        raise ConfigError(
            f"cannot write {label} {target}: {exc.strerror or type(exc).__name__}",
            "pass a path in a directory you can write",
        ) from None


def create_beside(target: Path, suffix: str = ".tmp", *, prefix: str | None = None, mode: int = 0o666) -> tuple[int, Path]:
    """A new file next to `target` (same file system, so `os.replace` is atomic): a fresh random
    name opened with `O_EXCL` and without following links, so nothing planted at a predictable
    name is written through. `mode` less the umask, like any file the user creates."""
    stem = prefix if prefix is not None else f".{target.name[:80]}."
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC
    for _ in range(100):
        tmp = target.with_name(f"{stem}{secrets.token_hex(4)}{suffix}")
        try:
            return os.open(tmp, flags, mode), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {target}")  # pragma: no cover - 2**32 names


def _open_stream(dest: Destination, label: str) -> int:
    """Open a device or FIFO for appending, without blocking on a FIFO nobody reads."""
    try:
        fd = os.open(dest.path, os.O_WRONLY | os.O_APPEND | _NONBLOCK | _NOCTTY | _CLOEXEC)
    except OSError as exc:
        import errno

        if exc.errno == errno.ENXIO:
            raise _refusal(label, dest.path, "is a FIFO that no process is reading", "start its reader first") from None
        raise
    st = os.fstat(fd)
    if not (stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode) or stat.S_ISREG(st.st_mode)):
        os.close(fd)
        raise _refusal(label, dest.path, f"is {describe_mode(st.st_mode)}")
    os.set_blocking(fd, True)
    return fd


def _still(dest: Destination, label: str) -> None:
    """Just before the rename: the destination is still absent or the file that was checked."""
    try:
        st = os.lstat(dest.real)
    except FileNotFoundError:
        return
    if not stat.S_ISREG(st.st_mode) or (dest.identity is not None and (st.st_dev, st.st_ino) != dest.identity):
        raise _refusal(label, dest.path, "changed while the result was written", "is another program writing it?")


@contextmanager
def open_output(
    path: str | os.PathLike[str],
    *,
    label: str = "-o",
    user: bool = False,
    ours: Kind | None = None,
    protect: Iterable[str | os.PathLike[str]] = (),
    mode: int | None = None,
    fsync: bool = False,
    prefix: str | None = None,
    suffix: str = ".tmp",
) -> Iterator[BinaryIO]:
    """A binary handle whose content replaces `path` when the block ends without an exception
    (or is written straight through, for a device or FIFO the user named); see the module rules.

    `mode` sets the new file's permissions (default: an existing file's, else 0666 less the
    umask); `fsync` flushes it to disk before the rename, for state a crash must not lose;
    `prefix`/`suffix` name the temporary file (default `.<name>.<random>.tmp`).
    """
    protect = list(protect)
    dest = check_destination(path, label=label, user=user, ours=ours, protect=protect)
    if dest.stream:
        with os.fdopen(_open_stream(dest, label), "wb") as handle:
            yield handle
        return
    fd, tmp = create_beside(dest.real, suffix, prefix=prefix)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            if fsync:
                handle.flush()
                os.fsync(handle.fileno())
        perms = mode if mode is not None else dest.perms
        if perms is not None:
            os.chmod(tmp, perms)
        _still(dest, label)
        os.replace(tmp, dest.real)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@contextmanager
def open_text_output(
    path: str | os.PathLike[str], *, bom: bool = False, **options: object
) -> Iterator[TextIO]:
    """`open_output` as UTF-8 text; characters UTF-8 cannot hold (lone surrogates from JSON
    escapes) become "?", one for one; `bom` starts the file with a byte-order mark."""
    with open_output(path, **options) as raw:  # type: ignore[arg-type]
        text = io.TextIOWrapper(raw, encoding="utf-8-sig" if bom else "utf-8", errors="replace", newline="")
        try:
            yield text
            text.flush()
        finally:
            text.detach()


def write_atomic(path: str | os.PathLike[str], data: str | bytes, **options: object) -> None:
    """Write `data` (a str as UTF-8) to `path` by the module's rules; see `open_output`."""
    with open_output(path, **options) as handle:  # type: ignore[arg-type]
        handle.write(data.encode("utf-8") if isinstance(data, str) else data)


def open_append(path: Path, label: str = "-o") -> int:
    """A descriptor for appending to a file the tool keeps (created if absent, mode 0644 less the
    umask): opened without following a link and without blocking, then refused unless it is a
    regular file, so a link, FIFO, socket or device at `path` is never written (nor waited on)."""
    if path.is_symlink():
        raise _refusal(label, path, "is a symbolic link", "pass the path of the file itself, or a new file")
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND | _NONBLOCK | _NOFOLLOW | _CLOEXEC, 0o644)
    except IsADirectoryError:
        raise ConfigError(f"{label} {path} is a directory", "pass a file name such as out.jsonl") from None
    except OSError as exc:
        raise ConfigError(f"cannot open {path}: {exc.strerror or exc}", f"check the {label} path") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise _refusal(label, path, f"is {describe_mode(mode)}, not a regular file", "pass a file name such as out.jsonl")
    os.set_blocking(fd, True)
    return fd


def save_rescue(data: bytes, suffix: str) -> str | None:
    """Keep a result that could not be written where asked: a new private temporary file (its
    path), or None if even that fails."""
    import tempfile

    try:
        fd, name = tempfile.mkstemp(prefix="summarizer-result-", suffix=suffix or ".txt")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        return name
    except OSError:
        return None
