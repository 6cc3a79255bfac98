"""Scrub secrets from any text that leaves the process: error messages, `-v` lines, batch error
lines, the run history, fixtures, and the log records of openai, instructor and httpx.

The live secrets are registered with `register_secret` where they are put to use: the API key
when a client is built (`client.py`), the yente key when a yente client is. `redact(text)`
replaces every registered secret whole and any slice of `MIN_SLICE` or more characters of it
(a server that echoes `key[3:]` or the first 12 characters), then anything shaped like an API
key or a bearer token. A value shorter than `MIN_SECRET` characters is not treated as a secret
(a local server's "EMPTY" or "synthetic"; every hosted provider's keys are 32 or more): its
slices are ordinary words, and replacing them would garble text.

`install_log_filter()` puts the same redaction on every record of the `openai`, `instructor`,
`httpx`, `httpx2` and `httpcore` loggers (and their children), message, arguments and
traceback text alike. The library installs it itself when it builds a client, so an
application that configures logging gets scrubbed records without the CLI's help.
"""

from __future__ import annotations

import re
import threading
from typing import Any
from urllib.parse import urlsplit, urlunsplit

MIN_SLICE = 8
"""The shortest slice of a secret that is replaced (shorter runs occur in ordinary text)."""

MIN_SECRET = 12
"""The shortest value treated as a secret."""

MASK = "***"

# OpenAI, Anthropic, OpenRouter (sk-...), Groq (gsk_...), Google (AIza...) keys and bearer tokens
_KEYLIKE = re.compile(r"(sk-[A-Za-z0-9_*\-]{6,}|gsk_[A-Za-z0-9]{10,}|AIza[0-9A-Za-z_\-]{20,}|Bearer\s+\S+)")

_lock = threading.Lock()
_secrets: frozenset[str] = frozenset()

LOGGERS = ("openai", "instructor", "httpx", "httpx2", "httpcore", "httpcore2")
"""The libraries whose log records can carry a server's answer (and so an echoed key)."""


def register_secret(value: object) -> None:
    """Remember `value` as a live secret (a str of at least MIN_SECRET characters; anything else
    is ignored), so every later `redact` replaces it and its slices."""
    global _secrets
    if not isinstance(value, str) or len(value.strip()) < MIN_SECRET:
        return
    with _lock:
        if value not in _secrets:
            _secrets = _secrets | {value}


def forget_secrets() -> None:
    """Forget every registered secret: for a host that rotates its keys, and for test suites,
    where one test's fake key must not redact the next test's text."""
    global _secrets
    with _lock:
        _secrets = frozenset()


def registered() -> frozenset[str]:
    """The secrets registered so far in this process."""
    return _secrets


def redact(text: str, secret: str | None = None) -> str:
    """`text` with every registered secret (and `secret`) replaced whole or by any slice of
    MIN_SLICE or more characters, and anything shaped like a key or bearer token."""
    return _KEYLIKE.sub(MASK, redact_secrets(text, secret))


def redact_secrets(text: str, secret: str | None = None) -> str:
    """Only the secrets of `redact`, not the key-shaped patterns: for text that quotes an
    article (a result, a recorded answer), where "Bearer ..." may be the article's own words."""
    known = _secrets if not secret or len(secret.strip()) < MIN_SECRET else _secrets | {secret}
    for value in sorted(known, key=len, reverse=True):
        text = _scrub(text, value)
    return text


def redact_json(value: Any, secret: str | None = None) -> Any:
    """`redact_secrets` on every string of a JSON value (object keys included)."""
    if isinstance(value, str):
        return redact_secrets(value, secret)
    if isinstance(value, list):
        return [redact_json(v, secret) for v in value]
    if isinstance(value, dict):
        return {redact_secrets(k, secret) if isinstance(k, str) else k: redact_json(v, secret) for k, v in value.items()}
    return value


def _scrub(text: str, secret: str) -> str:
    """Replace every run of `text` made of slices (MIN_SLICE+ characters) of `secret`."""
    if secret in text:
        text = text.replace(secret, MASK)
    grams = {secret[i : i + MIN_SLICE] for i in range(len(secret) - MIN_SLICE + 1)}
    if not any(g in text for g in grams):  # the usual case, decided by C-speed searches
        return text
    covered = [False] * len(text)
    for i in range(len(text) - MIN_SLICE + 1):
        if text[i : i + MIN_SLICE] in grams:
            covered[i : i + MIN_SLICE] = [True] * MIN_SLICE
    out: list[str] = []
    i = 0
    while i < len(text):
        if covered[i]:
            while i < len(text) and covered[i]:
                i += 1
            out.append(MASK)
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


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


class RedactingFilter:
    """A logging filter that redacts a record in place (message, arguments, traceback); it
    never drops a record. (Any object with `filter` is a filter: `logging` is imported only
    when one is installed, not by every `import summarizer`.)"""

    def filter(self, record: Any) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is the logging module's to report
            return True
        scrubbed = redact(message)
        if scrubbed != message or record.args:
            record.msg, record.args = scrubbed, ()
        if record.exc_info and not record.exc_text:
            import logging

            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_FILTER = RedactingFilter()


def install_log_filter() -> None:
    """Put `RedactingFilter` on the libraries' loggers and every child logger that exists now
    (a logger's filters see only its own records, not its children's). Idempotent; call it
    after importing the libraries, so their module loggers exist."""
    import logging

    names = set(LOGGERS) | {
        name for name in list(logging.root.manager.loggerDict)
        if any(name.startswith(prefix + ".") for prefix in LOGGERS)
    }
    for name in names:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
