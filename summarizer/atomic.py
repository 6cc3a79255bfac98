"""Writing a file whole: a temporary file in the same directory, then `os.replace`, so a reader
(or a run killed half-way) sees the old file or the new one, never a part of either.

The one home for this (the cache, fixtures, sanctions-list indexes and metadata, model stamps,
bulk state). Failures are `OSError`, with the temporary file removed: whether that is fatal
is the caller's decision (a cache write is best effort, a fixture write is not).
`render.dest.atomic_file` keeps its own temporary names, which its output directory cleanup
recognises.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


@contextmanager
def atomic_writer(
    path: Path, *, prefix: str | None = None, mode: int | None = None, fsync: bool = False
) -> Iterator[BinaryIO]:
    """A binary handle whose content replaces `path` when the block ends without an exception.

    `prefix` names the temporary file (default `.<name>.`, so it is hidden beside its target);
    `mode` sets its permissions before the rename (mkstemp makes 0600); `fsync` flushes it to
    disk first, for state a crash must not lose.
    """
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=prefix or f".{path.name[:80]}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            if fsync:
                handle.flush()
                os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_atomic(
    path: Path, data: str | bytes, *, prefix: str | None = None, mode: int | None = None, fsync: bool = False
) -> None:
    """Replace `path` with `data` (a str is written as UTF-8) in one step; see `atomic_writer`."""
    with atomic_writer(path, prefix=prefix, mode=mode, fsync=fsync) as handle:
        handle.write(data.encode("utf-8") if isinstance(data, str) else data)
