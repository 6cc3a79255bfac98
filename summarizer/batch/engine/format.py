"""The batch file format shared by OpenAI's Batch API, vLLM's `run-batch`, Azure, Groq and
Together: request lines, result lines, custom ids, and splitting under the API's limits.

Request line: `{"custom_id", "method": "POST", "url": "/v1/chat/completions", "body": {...}}`.
Result line: `{"id", "custom_id", "response": {"status_code", "request_id", "body"}|null,
"error": {"code", "message"}|null}`. Results are matched to requests by `custom_id`, never by
order (output files come back in any order, and failures sit in a separate error file).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ...atomic import Kind
from .. import Id

ENDPOINT = "/v1/chat/completions"
MAX_REQUESTS = 50_000  # per input file (OpenAI's limit)
MAX_BYTES = 200 * 1024 * 1024  # per input file (OpenAI's limit)
MAX_CUSTOM_ID = 64

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def custom_id(article_id: Id, key: str) -> str:
    """The custom id of one request of one article: stable across runs (it depends only on the
    article id and the request body's key), unique per batch (two requests differ in one of
    them), at most 64 characters of `[A-Za-z0-9_.-]` (the tail of the article id, readable in a
    provider's dashboard, then a digest that does the work)."""
    ident = json.dumps(article_id, ensure_ascii=False)  # 7 and "7" are different ids
    digest = hashlib.sha256(f"{ident}\n{key}".encode("utf-8", "surrogatepass")).hexdigest()[:24]
    slug = _UNSAFE.sub("_", str(article_id)).strip("_.-")[-36:].lstrip("_.-") or "id"
    return f"{slug}.{digest}"


def dumps(value: Any) -> bytes:
    """One JSON line as UTF-8 (ASCII escapes when the text holds a lone surrogate)."""
    try:
        return json.dumps(value, ensure_ascii=False).encode("utf-8") + b"\n"
    except UnicodeEncodeError:
        return json.dumps(value).encode("ascii") + b"\n"


def request_line(cid: str, body: Any) -> bytes:
    """One input line for `/v1/chat/completions`, exactly the body a live call sends."""
    return dumps({"custom_id": cid, "method": "POST", "url": ENDPOINT, "body": body})


REQUEST_FILE = Kind(
    "a request file written by --export-requests",
    lambda head: head.startswith(b'{"custom_id": ') and b'"method": ' in head.split(b"\n", 1)[0],
)
"""What `--export-requests` may replace: an earlier export (its lines start as `request_line`
writes them), never an article, a batch output or any other file."""


def split(
    lines: Iterable[tuple[str, bytes]], max_requests: int = MAX_REQUESTS, max_bytes: int = MAX_BYTES
) -> list[list[tuple[str, bytes]]]:
    """Group (custom id, line) pairs into input files of at most `max_requests` lines and
    `max_bytes` bytes each, in order. A line that alone exceeds `max_bytes` must be refused
    before (see `too_large`)."""
    groups: list[list[tuple[str, bytes]]] = []
    size = 0
    for cid, line in lines:
        if not groups or len(groups[-1]) >= max_requests or size + len(line) > max_bytes:
            groups.append([])
            size = 0
        groups[-1].append((cid, line))
        size += len(line)
    return groups


@dataclass(frozen=True)
class ResultLine:
    """One line of an output or error file. `status` is None when no HTTP response exists
    (an expired or cancelled request)."""

    custom_id: str
    status: int | None
    body: Any
    error_code: str | None
    error_message: str | None

    def reason(self) -> str:
        """What went wrong, in a few words, for messages and the state file."""
        if self.status is not None and self.status != 200:
            message = ""
            if isinstance(self.body, dict) and isinstance(self.body.get("error"), dict):
                message = str(self.body["error"].get("message") or "")
            return f"HTTP {self.status}" + (f": {message[:200]}" if message else "")
        return f"{self.error_code or 'error'}: {(self.error_message or '')[:200]}".rstrip(": ")


def parse_result(raw: bytes | str) -> ResultLine:
    """Parse one result line; ValueError says what is wrong with it."""
    try:
        data = json.loads(raw)
    except ValueError:
        raise ValueError("is not JSON") from None
    if not isinstance(data, dict):
        raise ValueError("is not a JSON object")
    cid = data.get("custom_id")
    if not isinstance(cid, str) or not cid:
        raise ValueError('has no "custom_id"')
    response = data.get("response")
    error = data.get("error")
    status: int | None = None
    body: Any = None
    if isinstance(response, dict):
        code = response.get("status_code")
        if isinstance(code, bool) or not isinstance(code, int):
            raise ValueError('has a "response" without an integer "status_code"')
        status, body = code, response.get("body")
    elif response is not None:
        raise ValueError('has a "response" that is not an object')
    if status is None and not isinstance(error, dict):
        raise ValueError('has neither a "response" nor an "error"')
    err = error if isinstance(error, dict) else {}
    code_text = err.get("code")
    message = err.get("message")
    return ResultLine(
        custom_id=cid,
        status=status,
        body=body,
        error_code=str(code_text) if code_text is not None else None,
        error_message=str(message) if message is not None else None,
    )
