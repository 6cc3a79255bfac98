"""Scrub secrets from any text that may reach a message, a log line or a file: keys and bearer
tokens in text, credentials and query strings in URLs."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

_KEYLIKE = re.compile(r"(sk-[A-Za-z0-9_*\-]{6,}|Bearer\s+\S+)")


def redact(text: str, secret: str | None = None) -> str:
    """Replace the known secret and anything shaped like an API key or bearer token."""
    if secret:
        text = text.replace(secret, "***")
    return _KEYLIKE.sub("***", text)


def redact_url(url: str) -> str:
    """Drop user:password, query and fragment: messages must not leak tokens."""
    try:
        parts = urlsplit(url)
        netloc = parts.hostname or ""
        if parts.port is not None:
            netloc = f"{netloc}:{parts.port}"
    except ValueError:
        return "<invalid URL>"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
