"""Reading files and stdin as bytes, safely: bounded reads, no blocking on FIFOs or terminals,
and OS errors turned into one-line errors.

The one way the tool reads a file someone else may have put there: articles (`read_article`),
and every other file a user names or a directory others can write holds (prompt templates,
render manifests, batch results, fixtures, cache entries, state files) through `read_file` /
`open_regular`: regular files only (a FIFO, socket or device is refused without ever waiting on
it), at most a stated number of bytes. The one exception is deliberate: `summarize PATH` (and
stdin) may read a pipe, since `summarize <(cmd)` is how a shell hands over one article.
"""

from __future__ import annotations

import os
import stat
import sys
from typing import BinaryIO

from ..errors import InputError, SummarizerError
from .article import MAX_BYTES, Article
from .build import article_from_bytes
from .refusals import describe, is_directory, not_regular, too_large

_CHUNK = 64 * 1024


def read_article(path: str, *, max_bytes: int = MAX_BYTES, regular_only: bool = False) -> Article:
    """Read a file (or stdin for "-") as bytes, at most `max_bytes + 1` of them, and decode it.

    Reading bytes ourselves, rather than in text mode, lets us detect binaries and wrong
    encodings and report them, instead of failing with a UnicodeDecodeError traceback.
    `regular_only` refuses FIFOs, sockets and devices without ever blocking on them (batch
    inputs: one `summarize <(cmd)` may read a pipe, ten thousand articles may not wait on one).
    """
    if path == "-":
        return article_from_bytes(_read_stdin(max_bytes), "-", max_bytes=max_bytes)
    return article_from_bytes(_read_file(path, max_bytes, regular_only), path, max_bytes=max_bytes)


def check_regular_file(path: str) -> None:
    """Refuse anything that is not a regular file (or a link to one) without opening it."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):  # ValueError: a NUL byte in the name
        return  # reading it reports the problem in the usual words
    if not stat.S_ISREG(info.st_mode) and not stat.S_ISDIR(info.st_mode):
        raise not_regular(describe(path), info.st_mode)


def open_regular(
    path: str | os.PathLike[str], *, what: str | None = None, error: type[SummarizerError] = InputError
) -> BinaryIO:
    """Open a regular file for reading; a directory, FIFO, socket or device is refused without
    blocking: the open does not wait for a FIFO's writer, and nothing is read. The refusal is
    an `error` naming `what` (default: an article's words). OS errors (missing, permission)
    propagate as they are; a NUL byte in the name is a `FileNotFoundError`."""
    if "\x00" in os.fspath(path):
        raise FileNotFoundError(f"{os.fspath(path)!r}: a file name cannot hold a NUL byte")
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if what is not None and not stat.S_ISREG(info.st_mode):
            from ..atomic import describe_mode

            raise error(f"{what} {os.fspath(path)} is {describe_mode(info.st_mode)}, not a regular file",
                        "pass a regular file")
        if stat.S_ISDIR(info.st_mode):
            raise is_directory(describe(os.fspath(path)))
        if not stat.S_ISREG(info.st_mode):
            raise not_regular(describe(os.fspath(path)), info.st_mode)
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def read_file(
    path: str | os.PathLike[str], *, limit: int, what: str = "file", error: type[SummarizerError] = InputError
) -> bytes:
    """The whole of a regular file of at most `limit` bytes; anything else (missing, unreadable,
    not a regular file, larger) is one `error` naming `what` and the path."""
    shown = os.fspath(path).replace("\x00", "\\0")
    try:
        with open_regular(path, what=what, error=error) as handle:
            data = read_limited(handle, limit)
    except (FileNotFoundError, NotADirectoryError):
        raise error(f"{what} {shown} does not exist", "check the path") from None
    except PermissionError:
        raise error(f"cannot read {what} {shown}: permission denied", "check the file's permissions") from None
    except OSError as exc:
        raise error(f"cannot read {what} {shown}: {exc.strerror or type(exc).__name__}", "check the path") from None
    if len(data) > limit:
        raise error(f"{what} {shown} is over {limit:,} bytes", "is it the right file?")
    return data


def _read_file(path: str, max_bytes: int, regular_only: bool = False) -> bytes:
    """Open and read at most `max_bytes + 1` bytes, turning OS errors into InputErrors."""
    shown = describe(path)
    if "\x00" in path:
        visible = shown.replace("\x00", "\\0")
        raise InputError(f"no such file: {visible} (a file name cannot hold a NUL byte)", "check the path")
    try:
        with open_regular(path) if regular_only else open(path, "rb") as handle:
            info = os.fstat(handle.fileno())
            if stat.S_ISDIR(info.st_mode):  # some platforms open directories without error
                raise is_directory(shown)
            if stat.S_ISREG(info.st_mode) and info.st_size > max_bytes:
                raise too_large(shown, max_bytes, info.st_size)
            data = read_limited(handle, max_bytes)
    except (FileNotFoundError, NotADirectoryError):
        raise InputError(f"no such file: {shown}", "check the path") from None
    except IsADirectoryError:
        raise is_directory(shown) from None
    except PermissionError:
        raise InputError(f"cannot read {shown}: permission denied", "check the file's permissions") from None
    except OSError as exc:
        raise InputError(
            f"cannot read {shown}: {exc.strerror or type(exc).__name__}",
            "check the path",
        ) from None
    if len(data) > max_bytes:  # a FIFO or device: the size was unknown up front
        raise too_large(shown, max_bytes, None)
    return data


def _read_stdin(max_bytes: int) -> bytes:
    """Read stdin as bytes; refuse a terminal, since that would wait silently for typing."""
    stream = sys.stdin
    buffer: BinaryIO | None = getattr(stream, "buffer", None) if stream is not None else None
    if buffer is None:
        raise InputError("stdin is not available", "pass the article as a file path")
    isatty = getattr(stream, "isatty", None)
    if callable(isatty) and isatty():
        raise InputError(
            "stdin is a terminal, not an article",
            "pipe the article in (`cat FILE | ...`) or pass a file path",
        )
    try:
        data = read_limited(buffer, max_bytes)
    except OSError as exc:
        raise InputError(f"cannot read stdin: {exc.strerror or type(exc).__name__}") from None
    if len(data) > max_bytes:
        raise too_large("stdin", max_bytes, None)
    return data


def read_limited(stream: BinaryIO, max_bytes: int) -> bytes:
    """Read until EOF or until more than `max_bytes` arrived; never slurp a huge input."""
    limit = max_bytes + 1
    parts: list[bytes] = []
    got = 0
    while got < limit:
        chunk = stream.read(min(_CHUNK, limit - got))
        if not chunk:
            break
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)
