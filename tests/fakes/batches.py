"""OpenAI's Batch API for the fake server: `/v1/files` and `/v1/batches`.

Files: upload (multipart, purpose `batch`), list (newest first, cursor pagination), retrieve,
content download, delete. Batches: create (the input is checked like OpenAI checks it: JSON
lines, unique `custom_id`, `POST`, the batch's endpoint, at most 50,000 lines; a bad input ends
the batch `failed` with `errors.data`), retrieve (each poll moves the status one step:
validating -> in_progress -> finalizing -> completed), cancel (cancelling, then cancelled with
partial output), list (newest first, cursor pagination). Every line is answered when the batch
is created, by the same scripted replies as live chat completions (`FakeOpenAI.script` /
`default`); output and error files come back in shuffled order.

Scriptable faults, all on the `FakeBatches` object (`fake.batches`):
- `fail_first(custom_id, body) -> int`: that many first attempts of the id are HTTP 500 error
  lines (True = the first one);
- `expire_next = k`: the next batch created expires with only its first k lines done;
- `reject(lineno, request) -> str | None`: a message fails the batch's validation at that line;
- `unavailable`: a set of routes (`upload`, `create`, `retrieve`) that answer HTTP `down_status`
  (503 unless set: 401 is a refused key);
- `on_poll(batch) -> None`: edits each batch object a poll returns (a hostile engine: an unknown
  status, counts that are not numbers); `tamper(lines) -> lines`: rewrites an ended batch's
  output lines, in file order (duplicated custom ids);
- `hold(route, phase)`: the next `upload` / `create` / `retrieve` stops `before` it takes
  effect (the request is then dropped, as if the client had died before sending it) or
  `after` (it took effect, but the client never hears back), so a test can kill the client
  at exactly that moment. Stdlib only; no import of the server module at run time.
"""

from __future__ import annotations

import email.parser
import email.policy
import itertools
import json
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

if TYPE_CHECKING:
    from summarizer.testing.server import FakeOpenAI, _Handler

__all__ = ["FakeBatches", "Hold"]

MAX_LINES = 50_000
ENDPOINTS = ("/v1/chat/completions",)
_RUNNING = ("validating", "in_progress", "finalizing")


@dataclass
class Hold:
    """A one-shot stop in a route: `reached` is set when a request gets there; it waits for
    `release` (at most `timeout` s)."""

    phase: str
    reached: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    timeout: float = 30.0

    def stop(self) -> None:
        self.reached.set()
        self.release.wait(self.timeout)


@dataclass
class _Batch:
    obj: dict[str, Any]
    outputs: list[dict[str, Any]]  # answered lines (status 200)
    errors: list[dict[str, Any]]  # HTTP errors and lines never run
    invalid: list[dict[str, Any]]  # errors.data when the input is rejected
    expire_after: int | None = None
    polls: int = 0


def _error(status: int, message: str) -> dict[str, Any]:
    kind = "invalid_request_error" if status < 500 else "server_error"
    return {"error": {"message": message, "type": kind, "param": None, "code": None}}


class FakeBatches:
    """The files and batches of one fake server (thread-safe: the server is threaded)."""

    def __init__(self, owner: FakeOpenAI) -> None:
        self.owner = owner
        self.files: dict[str, dict[str, Any]] = {}
        self.data: dict[str, bytes] = {}
        self.batches: dict[str, _Batch] = {}
        self.fail_first: Callable[[str, dict[str, Any]], int] | None = None
        self.fail_status = 500
        self.expire_next: int | None = None
        self.reject: Callable[[int, dict[str, Any]], str | None] | None = None
        self.cancel_keep = 0.5  # share of lines a cancelled batch had finished
        self.seed = 0
        self.attempts: Counter[str] = Counter()  # custom id -> times it was in a created batch
        self.received: list[tuple[str, str, Any]] = []  # (batch id, custom id, body) as submitted
        self.unavailable: set[str] = set()
        self.down_status = 503
        self.on_poll: Callable[[dict[str, Any]], None] | None = None
        self.tamper: Callable[[list[dict[str, Any]]], list[dict[str, Any]]] | None = None
        self._holds: dict[str, Hold] = {}
        self._lock = threading.Lock()
        self._ids = itertools.count(1)

    # -- scripting ---------------------------------------------------------------------------
    def hold(self, route: str, phase: str = "after") -> Hold:
        """Stop the next `route` (upload, create, retrieve) `before` or `after` it takes effect."""
        assert route in ("upload", "create", "retrieve") and phase in ("before", "after")
        hold = Hold(phase)
        with self._lock:
            self._holds[route] = hold
        return hold

    def _held(self, route: str, phase: str) -> bool:
        """Run a hold of this route and phase if one is set; True if the request is dropped."""
        with self._lock:
            hold = self._holds.get(route)
            if hold is None or hold.phase != phase:
                return False
            del self._holds[route]
        hold.stop()
        return phase == "before"

    @property
    def created(self) -> list[dict[str, Any]]:
        """Every batch object, in creation order."""
        with self._lock:
            return [b.obj for b in self.batches.values()]

    # -- routing -----------------------------------------------------------------------------
    def route(self, handler: _Handler, path: str, body: Any) -> bool:
        """Serve /v1/files and /v1/batches; False for any other path."""
        parts = path.strip("/").split("/")
        if len(parts) < 2 or parts[0] != "v1" or parts[1] not in ("files", "batches"):
            return False
        query = {k: v[-1] for k, v in parse_qs(urlsplit(handler.path).query).items()}
        method, rest = handler.command, parts[2:]
        if parts[1] == "files":
            self._files(handler, method, rest, query)
        else:
            self._batches(handler, method, rest, query, body)
        return True

    def _send(self, handler: _Handler, status: int, body: Any) -> None:
        handler._send(status, body, {})

    def _down(self, handler: _Handler, route: str) -> bool:
        """Answer `down_status` (503) if the route is scripted unavailable."""
        if route not in self.unavailable:
            return False
        self._send(handler, self.down_status, _error(self.down_status, f"fake server: {route} is unavailable"))
        return True

    def _drop(self, handler: _Handler) -> None:
        handler.close_connection = True  # the "client died before sending": no answer at all

    # -- files -------------------------------------------------------------------------------
    def _files(self, handler: _Handler, method: str, rest: list[str], query: dict[str, str]) -> None:
        if method == "POST" and not rest:
            if not self._down(handler, "upload"):
                self._upload(handler)
        elif method == "GET" and not rest:
            with self._lock:
                items = [f for f in reversed(self.files.values()) if f["purpose"] == query.get("purpose", f["purpose"])]
            if query.get("order") == "asc":
                items.reverse()
            self._send(handler, 200, _page(items, query, default_limit=10_000))
        elif rest and rest[0] not in self.files:
            self._send(handler, 404, _error(404, f"No such File object: {rest[0]}"))
        elif method == "GET" and len(rest) == 1:
            self._send(handler, 200, self.files[rest[0]])
        elif method == "GET" and rest[1:] == ["content"]:
            handler._send(200, self.data[rest[0]], {"Content-Type": "application/octet-stream"})
        elif method == "DELETE" and len(rest) == 1:
            with self._lock:
                self.files.pop(rest[0], None)
                self.data.pop(rest[0], None)
            self._send(handler, 200, {"id": rest[0], "object": "file", "deleted": True})
        else:
            self._send(handler, 404, _error(404, f"fake server: no route {method} /v1/files/{'/'.join(rest)}"))

    def _upload(self, handler: _Handler) -> None:
        fields = _multipart(handler.headers.get("Content-Type", ""), getattr(handler, "raw_body", b""))
        purpose = fields.get("purpose", (None, b""))[1].decode("utf-8", "replace")
        name, data = fields.get("file", (None, b""))
        if not name or purpose not in ("batch", "fine-tune", "assistants", "user_data"):
            self._send(handler, 400, _error(400, "a file and a valid purpose are required"))
            return
        if self._held("upload", "before"):
            self._drop(handler)
            return
        fid = f"file-{next(self._ids)}"
        obj = {
            "id": fid, "object": "file", "bytes": len(data), "created_at": int(time.time()),
            "filename": name, "purpose": purpose, "status": "processed",
        }
        with self._lock:
            self.files[fid] = obj
            self.data[fid] = data
        self._held("upload", "after")
        self._send(handler, 200, obj)

    def _new_file(self, name: str, lines: list[dict[str, Any]]) -> str | None:
        if not lines:
            return None
        fid = f"file-{next(self._ids)}"
        data = b"".join(json.dumps(line).encode() + b"\n" for line in lines)
        with self._lock:
            self.files[fid] = {
                "id": fid, "object": "file", "bytes": len(data), "created_at": int(time.time()),
                "filename": name, "purpose": "batch_output", "status": "processed",
            }
            self.data[fid] = data
        return fid

    # -- batches -----------------------------------------------------------------------------
    def _batches(
        self, handler: _Handler, method: str, rest: list[str], query: dict[str, str], body: Any
    ) -> None:
        if method == "POST" and not rest:
            if not self._down(handler, "create"):
                self._create(handler, body if isinstance(body, dict) else {})
        elif method == "GET" and not rest:
            with self._lock:
                items = [b.obj for b in reversed(self.batches.values())]
            self._send(handler, 200, _page(items, query, default_limit=20))
        elif rest and rest[0] not in self.batches:
            self._send(handler, 404, _error(404, f"No batch found with id '{rest[0]}'"))
        elif method == "GET" and len(rest) == 1:
            if self._down(handler, "retrieve"):
                return
            if self._held("retrieve", "before"):
                self._drop(handler)
                return
            obj = self._advance(self.batches[rest[0]])
            if self.on_poll is not None:
                self.on_poll(obj)
            self._held("retrieve", "after")
            self._send(handler, 200, obj)
        elif method == "POST" and rest[1:] == ["cancel"]:
            batch = self.batches[rest[0]]
            with self._lock:
                if batch.obj["status"] in _RUNNING:
                    batch.obj["status"] = "cancelling"
                    batch.obj["cancelling_at"] = int(time.time())
            self._send(handler, 200, batch.obj)
        else:
            self._send(handler, 404, _error(404, f"fake server: no route {method} /v1/batches/{'/'.join(rest)}"))

    def _create(self, handler: _Handler, body: dict[str, Any]) -> None:
        fid = body.get("input_file_id")
        problem = None
        if fid not in self.files:
            self._send(handler, 404, _error(404, f"No such File object: {fid}"))
            return
        if body.get("endpoint") not in ENDPOINTS:
            problem = f"unsupported endpoint {body.get('endpoint')!r}"
        elif body.get("completion_window") != "24h":
            problem = "completion_window must be 24h"
        metadata = body.get("metadata") or {}
        if not isinstance(metadata, dict) or len(metadata) > 16 or any(
            len(str(k)) > 64 or not isinstance(v, str) or len(v) > 512 for k, v in metadata.items()
        ):
            problem = "metadata: at most 16 pairs, keys up to 64 characters, string values up to 512"
        if problem:
            self._send(handler, 400, _error(400, problem))
            return
        if self._held("create", "before"):
            self._drop(handler)
            return
        bid = f"batch_{next(self._ids)}"
        obj: dict[str, Any] = {
            "id": bid, "object": "batch", "endpoint": body["endpoint"], "errors": None,
            "input_file_id": fid, "completion_window": "24h", "status": "validating",
            "output_file_id": None, "error_file_id": None, "created_at": int(time.time()),
            "in_progress_at": None, "expires_at": int(time.time()) + 86400, "finalizing_at": None,
            "completed_at": None, "failed_at": None, "expired_at": None, "cancelling_at": None,
            "cancelled_at": None, "request_counts": {"total": 0, "completed": 0, "failed": 0},
            "metadata": metadata or None,
        }
        batch = self._run(handler, bid, obj, self.data[fid])
        with self._lock:
            batch.expire_after, self.expire_next = self.expire_next, None
            self.batches[bid] = batch
        self._held("create", "after")
        self._send(handler, 200, obj)

    def _run(self, handler: _Handler, bid: str, obj: dict[str, Any], data: bytes) -> _Batch:
        """Check the input like OpenAI does, then answer every line with the scripted replies."""
        requests: list[dict[str, Any]] = []
        invalid: list[dict[str, Any]] = []
        seen: set[str] = set()
        lines = [raw for raw in data.splitlines() if raw.strip()]
        if len(lines) > MAX_LINES:
            invalid.append({"code": "too_many_requests", "line": None, "message": f"over {MAX_LINES} requests", "param": None})
        for lineno, raw in enumerate(lines, 1):
            try:
                request = json.loads(raw)
            except ValueError:
                request = None
            message = None
            if not isinstance(request, dict) or not isinstance(request.get("body"), dict):
                message = "invalid JSON line, or no body object"
            elif not isinstance(request.get("custom_id"), str) or request["custom_id"] in seen:
                message = "custom_id missing or not unique in this batch"
            elif request.get("method") != "POST" or request.get("url") != obj["endpoint"]:
                message = f"method must be POST and url {obj['endpoint']}"
            elif self.reject is not None:
                message = self.reject(lineno, request)
            if message:
                invalid.append({"code": "invalid_request", "line": lineno, "message": message, "param": None})
                continue
            seen.add(request["custom_id"])
            requests.append(request)
        obj["request_counts"]["total"] = len(lines)
        batch = _Batch(obj, [], [], invalid)
        if invalid:
            return batch
        for n, request in enumerate(requests, 1):
            cid, body = request["custom_id"], request["body"]
            with self._lock:
                self.attempts[cid] += 1
                attempt = self.attempts[cid]
                self.received.append((bid, cid, body))
            if self.fail_first is not None and attempt <= int(self.fail_first(cid, body)):
                response = {"status_code": self.fail_status, "request_id": f"req_{bid}_{n}",
                            "body": _error(self.fail_status, f"fake server: attempt {attempt} fails")}
            else:
                response = self._answer(handler, bid, n, body)
            line = {"id": f"batch_req_{bid}_{n}", "custom_id": cid, "response": response, "error": None}
            (batch.outputs if response["status_code"] == 200 else batch.errors).append(line)
        return batch

    def _answer(self, handler: _Handler, bid: str, n: int, body: dict[str, Any]) -> dict[str, Any]:
        """The response a live call of this body would get (without the wire's delays or faults),
        shaped by the chat route's own body builder."""
        payload: Any
        try:
            reply = self.owner._next_reply(body)
        except Exception as exc:  # noqa: BLE001 - a script that cannot answer this line: a 500 line
            return {"status_code": 500, "request_id": f"req_{bid}_{n}",
                    "body": _error(500, f"fake server: the reply script failed: {type(exc).__name__}")}
        if reply is None:
            status, payload = 500, _error(500, "fake server: no scripted reply left")
        elif reply.action is not None:
            status, payload = 500, _error(500, f"fake server: {reply.action}")
        else:
            status, payload = reply.status, handler._build_body(reply, body)
            if isinstance(payload, bytes):
                try:
                    payload = json.loads(payload)
                except ValueError:
                    payload = payload.decode("utf-8", "replace")
        return {"status_code": status, "request_id": f"req_{bid}_{n}", "body": payload}

    def _advance(self, batch: _Batch) -> dict[str, Any]:
        """One poll: move the status one step and write the files when the batch ends."""
        with self._lock:
            obj, now = batch.obj, int(time.time())
            batch.polls += 1
            status = obj["status"]
            if status == "validating":
                if batch.invalid:
                    obj.update(status="failed", failed_at=now, errors={"object": "list", "data": batch.invalid})
                    return dict(obj)
                obj.update(status="in_progress", in_progress_at=now)
                return dict(obj)
            if status == "in_progress":
                obj.update(status="finalizing", finalizing_at=now)
                done = len(batch.outputs) + len(batch.errors)
                obj["request_counts"].update(completed=len(batch.outputs), failed=len(batch.errors), total=done)
                return dict(obj)
            end = None
            if status == "finalizing":
                end = "expired" if batch.expire_after is not None else "completed"
            elif status == "cancelling":
                end = "cancelled"
            if end is None:
                return dict(obj)
        self._finish(batch, end)
        return dict(batch.obj)

    def _finish(self, batch: _Batch, end: str) -> None:
        obj = batch.obj
        outputs, errors = list(batch.outputs), list(batch.errors)
        if end in ("expired", "cancelled"):
            every = sorted(outputs + errors, key=lambda line: int(line["id"].rsplit("_", 1)[1]))
            keep = batch.expire_after if end == "expired" else int(len(every) * self.cancel_keep)
            code = "batch_expired" if end == "expired" else "batch_cancelled"
            outputs = [line for line in every[:keep] if line["response"]["status_code"] == 200]
            errors = [line for line in every[:keep] if line["response"]["status_code"] != 200]
            errors += [
                {"id": line["id"], "custom_id": line["custom_id"], "response": None,
                 "error": {"code": code, "message": f"This request was not run: the batch was {end}."}}
                for line in every[keep or 0:]
            ]
        rng = random.Random(f"{self.seed}:{obj['id']}")
        rng.shuffle(outputs)
        rng.shuffle(errors)
        if self.tamper is not None:  # the lines in file order, as the client will read them
            outputs = self.tamper(outputs)
        out_id = self._new_file(f"{obj['id']}_output.jsonl", outputs)
        err_id = self._new_file(f"{obj['id']}_error.jsonl", errors)
        with self._lock:
            obj.update(status=end, output_file_id=out_id, error_file_id=err_id)
            obj[f"{end}_at"] = int(time.time())
            obj["request_counts"].update(completed=len(outputs), failed=len(errors))


def _page(items: list[dict[str, Any]], query: dict[str, str], *, default_limit: int) -> dict[str, Any]:
    """One page of a cursor list (`after` = the last id of the previous page)."""
    try:
        limit = max(1, int(query.get("limit", default_limit)))
    except ValueError:
        limit = default_limit
    start = 0
    after = query.get("after")
    if after:
        ids = [item["id"] for item in items]
        start = ids.index(after) + 1 if after in ids else len(items)
    page = items[start : start + limit]
    return {
        "object": "list", "data": page, "has_more": start + limit < len(items),
        "first_id": page[0]["id"] if page else None, "last_id": page[-1]["id"] if page else None,
    }


def _multipart(content_type: str, raw: bytes) -> dict[str, tuple[str | None, bytes]]:
    """Form fields of a multipart body: name -> (file name or None, bytes)."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1", "replace")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + raw)
    fields: dict[str, tuple[str | None, bytes]] = {}
    if not message.is_multipart():
        return fields
    for part in message.iter_parts():  # type: ignore[attr-defined]
        name = part.get_param("name", header="content-disposition")
        if name:
            payload = part.get_payload(decode=True)
            fields[str(name)] = (part.get_filename(), payload if isinstance(payload, bytes) else b"")
    return fields
