"""How sources and sizes appear in messages, and the refusals shared by reading and fetching."""

from __future__ import annotations

import stat

from ..errors import InputError
from ..redact import redact_url


def describe(source: str) -> str:
    """How a source appears in messages: stdin by name, URLs without credentials or query."""
    if source == "-":
        return "stdin"
    if "://" in source:
        return redact_url(source)
    return source


def human_size(size: int) -> str:
    """Sizes in messages: "5 MiB (5,242,880 bytes)"."""
    mib = 1024 * 1024
    if size >= mib:
        amount = f"{size // mib}" if size % mib == 0 else f"{size / mib:.1f}"
        return f"{amount} MiB ({size:,} bytes)"
    return f"{size:,} bytes"


def too_large(shown: str, max_bytes: int, size: int | None) -> InputError:
    """The size refusal; `size` is None when only "more than the limit" is known."""
    what = f"is {human_size(size)}, over" if size is not None else "is over"
    return InputError(
        f"{shown} {what} the {human_size(max_bytes)} input limit",
        "pass --allow-large to read it anyway, or cut it down to the article",
    )


def not_regular(shown: str, mode: int) -> InputError:
    what = (
        "a FIFO (named pipe)" if stat.S_ISFIFO(mode)
        else "a socket" if stat.S_ISSOCK(mode)
        else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "not a regular file"
    )
    return InputError(
        f"{shown} is {what}, not a regular file: skipped",
        "pass regular files; pipe a single article into `summarizer summarize -`",
    )


def is_directory(shown: str) -> InputError:
    return InputError(f"{shown} is a directory, not a file", "pass the path of a text or HTML file")
