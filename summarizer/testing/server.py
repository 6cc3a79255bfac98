"""A real HTTP server on 127.0.0.1 that speaks the OpenAI chat-completions protocol.

Point the real `openai` client (and `instructor` on top of it, and so `summarizer` with
`base_url=fake.url + "/v1"`) at this server, and retries, timeouts, error mapping and response
parsing run end to end instead of being mocked away. Replies and faults are scripted per
request. Stdlib only. Shipped for users' own tests (and `testing.recording`'s synthetic
recordings); the project's tests extend it with the Batch API and rate limits (`tests/fakes/`)
through `routes` and `admit`.
"""

from __future__ import annotations

import argparse
import itertools
import json
import socket
import struct
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self, TypeAlias
from urllib.parse import urlsplit

__all__ = ["FakeOpenAI", "RecordedRequest", "Reply", "ReplySource"]

DEFAULT_USAGE: dict[str, int] = {
    "prompt_tokens": 100,
    "completion_tokens": 50,
    "total_tokens": 150,
}

_ERROR_TYPES: dict[int, tuple[str, str | None]] = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    403: ("invalid_request_error", "permission_denied"),
    404: ("invalid_request_error", "not_found"),
    409: ("invalid_request_error", "conflict"),
    422: ("invalid_request_error", None),
    429: ("requests", "rate_limit_exceeded"),
}


@dataclass
class Reply:
    """One scripted answer.

    Faults: `status` (any HTTP error, with an OpenAI-style error body), `body` (raw bytes or any
    JSON: garbage 200s), `headers` (any values, malformed ones included: `Retry-After: soon`),
    `usage` (any JSON, e.g. a string token count), `delay` (silence before answering),
    `trickle` (seconds between bytes: the whole response, status line and headers included,
    is sent one byte at a time, which per-read timeouts never catch), and `action="reset"`
    (the connection is dropped with a TCP RST and no response).
    """

    payload: dict[str, Any] | None = None
    content: str | None = None
    status: int = 200
    body: bytes | dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    action: str | None = None
    finish_reason: str = "stop"
    usage: dict[str, Any] | None = None
    model: str | None = None
    trickle: float = 0.0


ReplySource: TypeAlias = Reply | Callable[[dict[str, Any]], Reply]


@dataclass
class RecordedRequest:
    """What the client sent, kept so tests can assert on headers and body."""

    method: str
    path: str
    headers: dict[str, str]
    json: Any


def _error_body(status: int, message: str) -> dict[str, Any]:
    """An OpenAI-style error body, so the client builds the right exception with a message."""
    etype, code = _ERROR_TYPES.get(
        status, ("server_error" if status >= 500 else "invalid_request_error", None)
    )
    return {"error": {"message": message, "type": etype, "param": None, "code": code}}


def _tool_name(request: dict[str, Any]) -> str | None:
    """The function name the client asked for: tool_choice wins, else the first tool."""
    tools = request.get("tools")
    if not isinstance(tools, list) or not tools:
        return None
    choice = request.get("tool_choice")
    if isinstance(choice, dict):
        fn = choice.get("function")
        if isinstance(fn, dict) and isinstance(fn.get("name"), str):
            return str(fn["name"])
    first = tools[0]
    if isinstance(first, dict):
        fn = first.get("function")
        if isinstance(fn, dict) and isinstance(fn.get("name"), str):
            return str(fn["name"])
    return "tool"


class FakeOpenAI:
    """Scripted fake of the OpenAI API; each request pops one reply from a FIFO queue."""

    def __init__(
        self, default: ReplySource | None = None, latency: float = 0.0
    ) -> None:
        self.default = default
        self.latency = latency
        self.requests: list[RecordedRequest] = []
        self._queue: deque[ReplySource] = deque()
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.url = ""
        # More routes, each tried before chat completions: (handler, path, body) -> handled?
        self.routes: list[Callable[[Any, str, Any], bool]] = []
        # Rate limits: (request, body size) -> (admitted, headers to send); None admits all.
        self.admit: Callable[[dict[str, Any], int], tuple[bool, dict[str, str]]] | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def start(self, host: str = "127.0.0.1", port: int = 0) -> Self:
        """Bind (port 0 = ephemeral) and serve in a daemon thread; returns self for chaining."""
        if self._server is not None:
            return self
        server = _Server((host, port), _make_handler(self))
        self._server = server
        self.url = f"http://{host}:{server.server_address[1]}/v1"
        # A short poll interval keeps stop() (server.shutdown) from costing 0.5 s per test.
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-openai",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, free the port and drop open connections so handler threads exit."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        server.close_connections()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- scripting -------------------------------------------------------------------------

    def script(self, *replies: ReplySource) -> None:
        """Append replies to the FIFO queue; a callable gets the request JSON and returns a Reply."""
        with self._lock:
            self._queue.extend(replies)

    def reset(self) -> None:
        """Clear the queue and the recorded requests (default and latency are kept)."""
        with self._lock:
            self._queue.clear()
            self.requests.clear()

    @property
    def connections(self) -> int:
        """TCP connections accepted so far: how a test sees that a client pool was reused."""
        return self._server.accepted if self._server is not None else 0

    @property
    def open_connections(self) -> int:
        """Connections the client has not closed yet (a pooled keep-alive one counts)."""
        if self._server is None:
            return 0
        with self._server._open_lock:
            return len(self._server._open)

    @property
    def pending(self) -> int:
        """Scripted replies not consumed yet, so a test can check its script was used up."""
        with self._lock:
            return len(self._queue)

    # -- internals used by the handler -----------------------------------------------------

    def _record(self, req: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(req)

    def _next_reply(self, body: dict[str, Any]) -> Reply | None:
        """Pop the next scripted reply (or the default); None means the script ran out."""
        with self._lock:
            source = self._queue.popleft() if self._queue else self.default
        if source is None:
            return None
        return source if isinstance(source, Reply) else source(body)

    def _next_id(self) -> int:
        with self._lock:
            return next(self._ids)


class _Server(ThreadingHTTPServer):
    """Threaded server that never writes tracebacks to stderr when clients go away."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(
        self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]
    ) -> None:
        super().__init__(address, handler)
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        self.accepted = 0

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
            self.accepted += 1
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Wake handler threads parked on idle keep-alive sockets so they exit, not leak."""
        with self._open_lock:
            conns = list(self._open)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Silence: clients that time out or reset are expected in fault tests."""


def _make_handler(fake: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    """Bind a handler class to one FakeOpenAI instance."""

    class Handler(_Handler):
        owner = fake

    return Handler


class _Handler(BaseHTTPRequestHandler):
    """Routes /v1/chat/completions and /v1/models; everything else is a 404."""

    owner: FakeOpenAI
    protocol_version = "HTTP/1.1"  # keep-alive, as the openai client pools connections
    disable_nagle_algorithm = True  # headers and body go out in separate writes: no 40 ms stalls
    server_version = "fake-openai/1"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        """Silence: the server must not write to stderr."""

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        try:
            self._route()
        except (
            BrokenPipeError,
            ConnectionResetError,
            ConnectionAbortedError,
            TimeoutError,
        ):
            self.close_connection = True

    def _read_json(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length > 0 else b""
        self.raw_body = raw  # routes that read multipart uploads need the bytes
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            return None

    def _route(self) -> None:
        body = self._read_json()
        # A request in absolute form ("POST http://host/v1/...") came through us as an HTTP
        # proxy: serve it all the same, so tests can check that clients honour HTTP_PROXY.
        target = urlsplit(self.path).path if self.path.startswith(("http://", "https://")) else self.path
        path = target.split("?", 1)[0].rstrip("/")
        headers = {k.lower(): v for k, v in self.headers.items()}
        self.owner._record(RecordedRequest(self.command, self.path, headers, body))
        if any(route(self, path, body) for route in self.owner.routes):
            return

        if self.command == "GET" and path == "/v1/models":
            self._sleep(0.0)
            models = {
                "object": "list",
                "data": [
                    {
                        "id": "fake-model",
                        "object": "model",
                        "created": 0,
                        "owned_by": "fake",
                    }
                ],
            }
            self._send(200, models, {})
            return
        if self.command != "POST" or path != "/v1/chat/completions":
            self._sleep(0.0)
            self._send(
                404,
                _error_body(404, f"fake server: no route {self.command} {path}"),
                {},
            )
            return

        request = body if isinstance(body, dict) else {}
        admitted, limit_headers = self.owner.admit(request, len(self.raw_body)) if self.owner.admit else (True, {})
        if not admitted:
            self._send(429, _error_body(429, "fake server: rate limit reached"), limit_headers)
            return
        reply = self.owner._next_reply(request)
        if reply is None:
            self._sleep(0.0)
            self._send(500, _error_body(500, "fake server: no scripted reply left"), {})
            return
        self._sleep(reply.delay)
        if reply.action == "reset":
            self._reset()
            return
        if reply.action is not None:
            self._send(
                500,
                _error_body(500, f"fake server: unknown Reply.action {reply.action!r}"),
                {},
            )
            return
        self._send(
            reply.status, self._build_body(reply, request), {**limit_headers, **reply.headers}, reply.trickle
        )

    def _sleep(self, delay: float) -> None:
        total = delay + self.owner.latency
        if total > 0:
            time.sleep(total)

    def _build_body(
        self, reply: Reply, request: dict[str, Any]
    ) -> bytes | dict[str, Any]:
        if reply.body is not None:
            return reply.body
        if reply.status != 200:
            return _error_body(
                reply.status, f"fake server: scripted HTTP {reply.status}"
            )
        n = self.owner._next_id()
        text = (
            reply.content
            if reply.content is not None
            else json.dumps(reply.payload or {})
        )
        name = _tool_name(request)
        message: dict[str, Any]
        if name is not None:
            call = {
                "id": f"call_{n}",
                "type": "function",
                "function": {"name": name, "arguments": text},
            }
            message = {"role": "assistant", "content": None, "tool_calls": [call]}
        else:
            message = {"role": "assistant", "content": text}
        return {
            "id": f"chatcmpl-fake-{n}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": reply.model or request.get("model") or "fake-model",
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "finish_reason": reply.finish_reason,
                    "logprobs": None,
                }
            ],
            "usage": dict(reply.usage)
            if reply.usage is not None
            else dict(DEFAULT_USAGE),
        }

    def _send(
        self,
        status: int,
        body: bytes | dict[str, Any],
        headers: dict[str, str],
        trickle: float = 0.0,
    ) -> None:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        fields = {"Content-Type": "application/json"} if "content-type" not in {k.lower() for k in headers} else {}
        fields.update({k: v for k, v in headers.items() if k.lower() != "content-length"})
        fields["Content-Length"] = str(len(raw))
        if trickle <= 0:
            self.send_response(status)
            for key, value in fields.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(raw)
            self.wfile.flush()
            return
        # A server on a dying link: every byte, status line and headers included, on its own.
        self.close_connection = True
        reason = self.responses.get(status, ("",))[0]
        head = f"HTTP/1.1 {status} {reason}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in fields.items())
        whole = (head + "Connection: close\r\n\r\n").encode("latin-1") + raw
        for i in range(len(whole)):
            self.wfile.write(whole[i : i + 1])
            self.wfile.flush()
            time.sleep(trickle)

    def _reset(self) -> None:
        """Drop the connection with RST (SO_LINGER 0) and no response bytes."""
        self.close_connection = True
        sock = self.connection
        try:
            sock.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
            )
        except OSError:
            pass
        try:
            sock.close()
        except OSError:
            pass


def main(argv: list[str] | None = None) -> int:
    """Serve one payload forever, for benchmarks and trying the CLI by hand."""
    parser = argparse.ArgumentParser(description="Fake OpenAI chat-completions server.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 = pick a free port")
    parser.add_argument(
        "--latency", type=float, default=0.0, help="seconds added to every reply"
    )
    parser.add_argument(
        "--payload-file", help="JSON object returned as the structured answer"
    )
    args = parser.parse_args(argv)

    payload: dict[str, Any] = {}
    if args.payload_file:
        with open(args.payload_file, encoding="utf-8") as fh:
            loaded = json.load(fh)
        if not isinstance(loaded, dict):
            parser.error("--payload-file must hold a JSON object")
        payload = loaded
    fake = FakeOpenAI(default=Reply(payload=payload), latency=args.latency).start(
        args.host, args.port
    )
    sys.stdout.write(fake.url + "\n")
    sys.stdout.flush()
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
