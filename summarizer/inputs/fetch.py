"""Fetching an http(s) URL as an article: streamed, size-bounded, with a deadline for the whole
download (httpx2 is imported only when a URL is fetched)."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from ..errors import InputError
from ..redact import redact_url
from .article import MAX_BYTES, Article
from .build import build_article
from .refusals import too_large


def fetch_url(url: str, *, timeout: float = 20.0, max_bytes: int = MAX_BYTES) -> Article:
    """Download an http(s) URL (following redirects) and read it like a file.

    The body is streamed and abandoned as soon as it passes `max_bytes`, so a huge or endless
    response cannot exhaust memory; `timeout` bounds each network wait and also the whole
    download, so a server trickling bytes cannot hang the CLI. The body is treated as HTML unless the server says
    text/plain; the Content-Type charset is used if the bytes are not UTF-8.
    """
    parts = urlsplit(url)
    shown = redact_url(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise InputError(
            f"cannot fetch {shown}: only http:// and https:// URLs are supported",
            "download the page yourself and pass the file path",
        )
    if not parts.hostname:
        raise InputError(f"cannot fetch {shown}: the URL has no host", "check the URL")

    import httpx2

    chunks: list[bytes] = []
    total = 0
    deadline = time.monotonic() + timeout
    try:
        with (
            httpx2.Client(
                follow_redirects=True,
                timeout=timeout,
                headers={"User-Agent": "summarizer (+article fetch)"},
            ) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code >= 400:
                raise InputError(
                    f"fetching {shown} failed: HTTP {response.status_code} {response.reason_phrase}".rstrip(),
                    "check the URL, or save the page and pass the file",
                )
            declared_length = response.headers.get("content-length", "")
            if declared_length.isdigit() and int(declared_length) > max_bytes:
                raise too_large(shown, max_bytes, int(declared_length))
            for chunk in response.iter_bytes():
                total += len(chunk)
                if total > max_bytes:
                    raise too_large(shown, max_bytes, None)
                # A trickling server never trips the per-read timeout; the deadline does.
                if time.monotonic() > deadline:
                    raise _timed_out(shown, timeout)
                chunks.append(chunk)
            content_type = response.headers.get("content-type", "")
    except httpx2.TimeoutException:
        raise _timed_out(shown, timeout) from None
    except httpx2.TooManyRedirects:
        raise InputError(f"fetching {shown} failed: too many redirects", "check the URL") from None
    except httpx2.HTTPError as exc:
        raise InputError(
            f"fetching {shown} failed: {type(exc).__name__}",
            "check the URL and your network, or save the page and pass the file",
        ) from None

    mime, charset = _parse_content_type(content_type)
    return build_article(
        b"".join(chunks),
        url,
        max_bytes=max_bytes,
        html=mime != "text/plain",
        declared=charset,
    )


def _parse_content_type(value: str) -> tuple[str, str | None]:
    """("text/html", "utf-8") from "text/html; charset=UTF-8"."""
    mime, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset":
            charset = val.strip().strip("\"'") or None
    return mime.strip().lower(), charset


def _timed_out(shown: str, timeout: float) -> InputError:
    return InputError(
        f"fetching {shown} timed out after {timeout:g} s",
        "try again, raise the timeout, or save the page and pass the file",
    )
