"""A status line on stderr while one article is summarized, so a long model call does not
look like a hang. Only on a terminal (never in pipes, CI logs or under -v, whose attempt lines
it would garble), cleared when the call ends, and rich loads only then.

(The embedded-model work on another branch brings a richer status with model-loading and
token progress; when it lands, it replaces this.)
"""

from __future__ import annotations

import sys
from typing import Any


class Spinner:
    """`start()` shows the line, `stop()` clears it; both are no-ops when not enabled."""

    def __init__(self, text: str, enabled: bool = True) -> None:
        self._status: Any = None
        if enabled and sys.stderr is not None and sys.stderr.isatty():
            from rich.console import Console
            from rich.markup import escape

            self._status = Console(stderr=True).status(escape(text), spinner="dots")

    def start(self) -> Spinner:
        if self._status is not None:
            self._status.start()
        return self

    def stop(self) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None
