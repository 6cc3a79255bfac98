"""The `Article` type (what every input becomes) and the documented input size limit."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

MAX_BYTES: int = 5 * 1024 * 1024
"""Documented input limit. Bigger inputs are refused unless the caller raises `max_bytes`
(the CLI does so for --allow-large): a news article is far smaller, and a bigger file is
usually a mistake (a dump, a log) that would only burn tokens."""


@dataclass(frozen=True)
class Article:
    """One article as the summarizer reads it; all output offsets index `text`.

    `text` is the decoded file (or, for HTML, trafilatura's main-text extraction) with only
    universal newlines applied, so offsets and exact-substring checks stay valid.
    """

    text: str
    source: str
    is_html: bool = False
    title: str | None = None
    author: str | None = None
    date: str | None = None
    encoding: str = "utf-8"

    @property
    def sha256(self) -> str:
        """Hex SHA-256 of the UTF-8 text: a stable key for caches, recordings and reports."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()
