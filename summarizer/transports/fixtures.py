"""Record and replay model exchanges as one readable JSON file per request.

A fixture is named by the SHA-256 of the canonical request (method, path, JSON body with
sorted keys), so the same request always finds the same file, whatever the host or key. Only
the request body is stored, never headers: no API key, Authorization, cookie or
organisation/project id can reach a fixture; and every string of it passes `redact_json`, so a
server that echoes the key (or a slice of it) into an answer does not write it to disk either.
Re-asks are new requests, so they get files of their own and a replayed run reproduces them.
A recording only ever replaces a fixture (never a link, FIFO or foreign file at its name), and
replay reads fixtures through the one reader (regular files only, bounded).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import httpx2

from ..atomic import Kind, write_atomic
from ..errors import ConfigError, MissingRecordingError
from .base import Transport, Wrapper, json_body

_KEEP_RESPONSE_HEADERS = ("content-type",)
FIXTURE = Kind(
    "a recorded exchange",
    lambda head: head.lstrip().startswith(b"{") and any(k in head for k in (b'"request_sha256"', b'"request"', b'"response"')),
)
"""What a recording may replace: an earlier fixture (hand-written ones too), nothing else."""


def canonical_request(request: httpx2.Request) -> tuple[str, dict[str, Any]]:
    """(sha256 hex, canonical dict) of a request; the body must be JSON or empty."""
    raw = request.content
    body = json_body(raw) if raw else None
    canon = {"method": request.method.upper(), "path": request.url.path, "body": body}
    blob = json.dumps(canon, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest(), canon


def fixture_path(directory: Path, key: str) -> Path:
    return directory / f"{key}.json"


def _tool_version() -> str:
    from .. import __version__

    return __version__


def write_fixture(
    directory: Path, request: httpx2.Request, response: httpx2.Response, *, source: str
) -> Path:
    """Write one exchange atomically (a killed run never leaves half a fixture)."""
    key, canon = canonical_request(request)
    body = canon["body"] if isinstance(canon["body"], dict) else {}
    data = {
        "request_sha256": key,
        "request": canon,
        "response": {
            "status": response.status_code,
            "headers": {
                k: response.headers[k] for k in _KEEP_RESPONSE_HEADERS if k in response.headers
            },
            "body": json_body(response.content),
        },
        "meta": {
            "recorded_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
            "model": body.get("model"),
            "response_model": (json_body(response.content) or {}).get("model"),
            "endpoint_host": source,
            "tool_version": _tool_version(),
            "synthetic": False,
            "source": f"recorded from model {body.get('model')!r} at {source}",
        },
    }
    path = fixture_path(directory, key)
    from ..redact import redact_json

    data = redact_json(data)  # a server that echoes the key (in an id, an error) must not commit it
    try:
        directory.mkdir(parents=True, exist_ok=True)
        # keys as sent (llama.cpp answers in schema order); the hash alone is order-free
        text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
        # 0644: fixtures are meant to be committed and shared; only a fixture is ever replaced
        write_atomic(path, text, mode=0o644, label="recording", ours=FIXTURE)
    except OSError as exc:
        raise _unwritable(directory, exc) from None
    return path


def check_record_dir(directory: Path) -> None:
    """Make sure fixtures can be written to `directory` (created if missing), before any request
    is paid for: a recording run that can only fail at its first answer wastes that answer."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-probe-")
        os.close(fd)
        os.unlink(tmp)
    except OSError as exc:
        raise _unwritable(directory, exc) from None


def _unwritable(directory: Path, exc: OSError) -> ConfigError:
    reason = "it is not a directory" if isinstance(exc, (FileExistsError, NotADirectoryError)) else (
        exc.strerror or type(exc).__name__
    )
    return ConfigError(
        f"cannot write recordings to {directory}: {reason}",
        "pass a writable directory to record into",
    )


class Record(Wrapper):
    """Passes requests on and writes each successful exchange to `directory`.

    Only 2xx exchanges are written: a 429 or 503 is a moment of the provider, not an answer,
    and the retry above will produce the answer that belongs in the fixture.
    """

    def __init__(self, inner: Transport, directory: Path, source: str) -> None:
        check_record_dir(directory)
        super().__init__(inner)
        self.directory = directory
        self.source = source

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        response = self.inner.handle_request(request)
        if 200 <= response.status_code < 300:
            write_fixture(self.directory, request, response, source=self.source)
        return response

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        response = await self.inner.handle_async_request(request)
        if 200 <= response.status_code < 300:
            write_fixture(self.directory, request, response, source=self.source)
        return response


def _recorded_response(data: Any, path: Path) -> tuple[int, dict[str, str], Any]:
    """(status, headers, body) of a fixture, or a clear error for a file that is JSON but not
    a fixture (a list, no "response", a status that is not an HTTP status...)."""

    def bad(what: str) -> MissingRecordingError:
        return MissingRecordingError(
            f"recording {path} is not a usable fixture: {what}",
            "re-record it with --record, or fix the file by hand",
        )

    if not isinstance(data, dict):
        raise bad(f"it holds a JSON {type(data).__name__}, not an object")
    resp = data.get("response")
    if not isinstance(resp, dict):
        raise bad('it has no "response" object')
    status = resp.get("status")
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        raise bad(f'its "response.status" is {status!r}, not an HTTP status code')
    if "body" not in resp:
        raise bad('its response has no "body"')
    headers = resp.get("headers")
    if headers is None:
        headers = {"content-type": "application/json"}
    if not isinstance(headers, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
    ):
        raise bad('its "response.headers" is not an object of strings')
    return status, headers, resp["body"]


def _read_fixture(path: Path) -> bytes:
    """A fixture's bytes, through the one reader (a FIFO planted at its name is refused, never
    waited on); a missing one is `FileNotFoundError`, for the caller's own message."""
    from ..inputs.reading import read_file
    from .inventory import MAX_FIXTURE_BYTES

    if not path.exists() and not path.is_symlink():
        raise FileNotFoundError(path)
    return read_file(path, limit=MAX_FIXTURE_BYTES, what="recording", error=MissingRecordingError)


class Replay(Transport):
    """Answers only from fixture files; a request with no recording fails at once."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _answer(self, request: httpx2.Request) -> httpx2.Response:
        key, canon = canonical_request(request)
        path = fixture_path(self.directory, key)
        try:
            data = json.loads(_read_fixture(path))
        except FileNotFoundError:
            from .inventory import missing_recording  # what was asked, what the directory has

            raise missing_recording(self.directory, key, canon["body"], request.url.path) from None
        except (OSError, ValueError) as exc:
            raise MissingRecordingError(f"unreadable recording {path}: {exc}") from None
        status, headers, body = _recorded_response(data, path)
        content = json.dumps(body).encode("utf-8")
        return httpx2.Response(status, headers=headers, content=content, request=request)

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        request.read()
        return self._answer(request)

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        await request.aread()
        return self._answer(request)


# --------------------------------------------------------------------------- new episodes
# Recording only what is missing ("new_episodes", as VCR and pytest-recording call it): with
# `record_mode="new_episodes"` (SUMMARIZER_RECORD_MODE) a request that already has a fixture
# is answered from it and only the others go to the model below and are written, so topping
# up a recordings directory after a prompt or test change costs only the new exchanges.


class RecordMissing(Record):
    """Replay what `directory` holds; pass the rest on and record it."""

    def _recorded(self, request: httpx2.Request) -> bool:
        return fixture_path(self.directory, canonical_request(request)[0]).is_file()

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        request.read()
        if self._recorded(request):
            return Replay(self.directory).handle_request(request)
        return super().handle_request(request)

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        await request.aread()
        if self._recorded(request):
            return await Replay(self.directory).handle_async_request(request)
        return await super().handle_async_request(request)
