"""Scrub secrets from any text that may reach a message, a log line or a file."""

from __future__ import annotations

import re

# OpenAI, Anthropic, OpenRouter (sk-...), Groq (gsk_...), Google (AIza...) keys and bearer tokens
_KEYLIKE = re.compile(r"(sk-[A-Za-z0-9_*\-]{6,}|gsk_[A-Za-z0-9]{10,}|AIza[0-9A-Za-z_\-]{20,}|Bearer\s+\S+)")


def redact(text: str, secret: str | None = None) -> str:
    """Replace the known secret and anything shaped like an API key or bearer token."""
    if secret:
        text = text.replace(secret, "***")
    return _KEYLIKE.sub("***", text)
