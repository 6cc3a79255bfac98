"""A real HTTP server on 127.0.0.1 that answers yente's `POST /match/{dataset}`.

It speaks yente's documented request and response format (`EntityMatchQuery` in,
`EntityMatchResponse` out: `{"responses": {key: {"status", "results": [scored entity], "total",
"query"}}, "matcher", "limit"}`) over a small in-memory list of FtM entities, scoring a result
1.0 when a query name equals one of its names (case and spacing aside) and 0.8 when every word
of the query is among its name's words. Enough to test the client end to end: request shape,
threshold parameter, key header, faults (status, redirect, non-JSON, a trickling body).
Stdlib only.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

ENTITIES: list[dict[str, Any]] = [
    {
        "id": "NK-khedri",
        "caption": "Abdolhossein Khedri",
        "schema": "Person",
        "properties": {"name": ["Abdolhossein Khedri"], "programId": ["US-SDGT"]},
        "datasets": ["us_ofac_sdn"],
    },
    {
        "id": "NK-genava12",
        "caption": "GENAVA 12",
        "schema": "Vessel",
        "properties": {"name": ["GENAVA 12"], "imoNumber": ["IMO9776523"]},
        "datasets": ["us_ofac_sdn"],
    },
    {
        "id": "NK-iranair",
        "caption": "Iran Air",
        "schema": "Company",
        "properties": {"name": ["Iran Air", "Homa"], "sanctions": [{"properties": {"programId": ["US-IRAN"]}}]},
        "datasets": ["us_ofac_sdn"],
    },
]


@dataclass
class Fault:
    """What the next request gets instead of an answer."""

    status: int = 200
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    trickle: float = 0.0  # seconds between bytes of the body


class FakeYente:
    def __init__(self, entities: list[dict[str, Any]] | None = None) -> None:
        self.entities = entities if entities is not None else ENTITIES
        self.requests: list[dict[str, Any]] = []  # {"path", "query", "headers", "json"}
        self.faults: list[Fault] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> Self:
        handler = type("Handler", (_Handler,), {"owner": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    def answer(self, body: dict[str, Any], threshold: float, limit: int) -> dict[str, Any]:
        responses = {}
        for key, example in (body.get("queries") or {}).items():
            names = [" ".join(str(n).casefold().split()) for n in example.get("properties", {}).get("name", [])]
            results = []
            for ent in self.entities:
                score = 0.0
                for listed in ent["properties"].get("name", []):
                    words = " ".join(listed.casefold().split())
                    for n in names:
                        if n == words:
                            score = max(score, 1.0)
                        elif n and set(n.split()) <= set(words.split()):
                            score = max(score, 0.8)
                if score > 0:
                    results.append(
                        {**ent, "referents": [], "target": True, "score": score, "match": score >= threshold,
                         "features": {"name_literal_match": score}}
                    )
            results.sort(key=lambda r: -r["score"])
            responses[key] = {"status": 200, "results": results[:limit], "total": {"value": len(results), "relation": "eq"},
                              "query": example}
        return {"responses": responses, "matcher": {}, "limit": limit}


class _Handler(BaseHTTPRequestHandler):
    owner: FakeYente
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass

    def do_POST(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = None
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        self.owner.requests.append({"path": parts.path, "query": query, "headers": dict(self.headers), "json": body})
        fault = self.owner.faults.pop(0) if self.owner.faults else None
        if fault is not None and (fault.status != 200 or fault.body is not None or fault.trickle):
            self._send(fault.status, fault.body if fault.body is not None else b'{"detail": "scripted fault"}',
                       fault.headers, fault.trickle)
            return
        if not parts.path.startswith("/match/") or not isinstance(body, dict):
            self._send(404 if isinstance(body, dict) else 400, b'{"detail": "Not found"}')
            return
        answer = self.owner.answer(body, float(query.get("threshold", 0.7)), int(query.get("limit", 5)))
        self._send(200, json.dumps(answer).encode())

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None, trickle: float = 0.0) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        try:
            if trickle:
                for i in range(len(body)):
                    self.wfile.write(body[i : i + 1])
                    self.wfile.flush()
                    time.sleep(trickle)
            else:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass
