"""Reading files and stdin as bytes, safely: bounded reads, no blocking on FIFOs or terminals,
and OS errors turned into one-line `InputError`s."""

from __future__ import annotations

import os
import stat
import sys
from typing import BinaryIO

from ..errors import InputError
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
    except OSError:
        return  # reading it reports the problem in the usual words
    if not stat.S_ISREG(info.st_mode) and not stat.S_ISDIR(info.st_mode):
        raise not_regular(describe(path), info.st_mode)


def open_regular(path: str) -> BinaryIO:
    """Open a regular file for reading; a FIFO, socket or device is refused (`InputError`)
    without blocking: the open does not wait for a FIFO's writer, and nothing is read.
    OS errors (missing, permission) propagate as they are."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise is_directory(describe(path))
        if not stat.S_ISREG(info.st_mode):
            raise not_regular(describe(path), info.st_mode)
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def _read_file(path: str, max_bytes: int, regular_only: bool = False) -> bytes:
    """Open and read at most `max_bytes + 1` bytes, turning OS errors into InputErrors."""
    shown = describe(path)
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
