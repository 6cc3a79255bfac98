"""The embedded model as a transport: answers `POST /v1/chat/completions` in-process.

The openai client (and instructor above it) talk to this transport exactly as they talk to a
provider, so the local backend runs the same pipeline as every other backend: same prompts,
same validation and re-asks, same grounding, same fixtures. Model loading lives in
`summarizer.local.runtime`, the output grammar in `summarizer.local.grammar`.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import time
from typing import Any

import httpx2

from ..local.grammar import checked_grammar
from ..local.runtime import LocalModel, import_llama, load_model, resolve_model_path
from .base import Transport, chat_completion, json_body
from .sampling import answer_schema, chat_messages, sampling, text

__all__ = ["Local", "chat_kwargs"]


def chat_kwargs(model: LocalModel, body: dict[str, Any]) -> dict[str, Any]:
    """The `Llama.create_chat_completion` arguments for an OpenAI request body: the messages and
    sampling of `sampling.py` (what llama.cpp's server is sent too) and the checked grammar of
    the bounded answer schema.

    Public so that a benchmark can run the very same generation without the pipeline.
    """
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise ValueError("'messages' must be a non-empty list")
    schema, wants_json = answer_schema(body)
    kwargs: dict[str, Any] = {"messages": chat_messages(messages), **sampling(body)}
    if schema is not None:
        kwargs["grammar"] = checked_grammar(model, schema)
    elif wants_json:
        kwargs["grammar"] = checked_grammar(model, None)
    return kwargs


# --------------------------------------------------------------------------- the transport


def _error(
    status: int, message: str, request: httpx2.Request, *, code: str | None = None, retry: bool = False
) -> httpx2.Response:
    """An OpenAI-style error response, so the openai client raises the matching exception."""
    etype = "server_error" if status >= 500 else "invalid_request_error"
    body = {"error": {"message": message, "type": etype, "param": None, "code": code}}
    headers = {} if retry else {"x-should-retry": "false"}
    return httpx2.Response(status, json=body, headers=headers, request=request)


def _completion(model: LocalModel, body: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    """llama's chat completion reshaped as OpenAI's: a tool call in TOOLS mode, else content.

    Ids are derived from the request and the answer, not random: a re-ask quotes the tool
    call id back, so random ids would give every re-recording new fixture names.
    """
    choice = (result.get("choices") or [{}])[0]
    answer = text((choice.get("message") or {}).get("content"))
    digest = hashlib.sha256(json.dumps([body, answer], sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    usage = result.get("usage") or {}
    return chat_completion(
        body,
        answer,
        model=model.name,
        ident=digest[:24],
        finish_reason="length" if choice.get("finish_reason") == "length" else "stop",
        prompt_tokens=int(usage.get("prompt_tokens", 0)),
        completion_tokens=int(usage.get("completion_tokens", 0)),
        created=int(time.time()),
    )


class Local(Transport):
    """An in-process OpenAI chat-completions endpoint backed by llama.cpp.

    Construction checks that llama-cpp-python and the model file are there (ConfigError
    otherwise); the model itself is loaded on the first request and cached for the process.
    A generation cannot be interrupted once started (llama-cpp-python offers no hook that
    is safe to abort from), so request timeouts do not cut it short: the adapted grammar is
    what bounds its length.
    """

    def __init__(self, model_path: str | os.PathLike[str] | None = None, model: str | None = None) -> None:
        import_llama()
        self.path = resolve_model_path(model_path, model)

    @property
    def model(self) -> LocalModel:
        """The loaded model (loads it on first use)."""
        return load_model(self.path)

    def _answer(self, request: httpx2.Request) -> httpx2.Response:
        path = request.url.path.rstrip("/")
        if request.method.upper() != "POST" or not path.endswith("/chat/completions"):
            return _error(404, f"local backend: no route {request.method} {path}", request, code="not_found")
        body = json_body(request.content)
        if not isinstance(body, dict):
            return _error(400, "local backend: the request body is not a JSON object", request)
        if body.get("stream"):
            return _error(400, "local backend: streaming is not supported", request)
        model = self.model
        with model.lock:
            try:
                kwargs = chat_kwargs(model, body)
            except (ValueError, TypeError) as exc:
                return _error(400, f"local backend: {exc}", request)
            try:
                result = model.llama.create_chat_completion(**kwargs)
            except ValueError as exc:  # llama raises ValueError for a prompt over n_ctx
                message = str(exc)
                if "context" in message.lower():
                    return _error(
                        400,
                        f"This model's maximum context length is {model.llama.n_ctx()} tokens: {message}",
                        request,
                        code="context_length_exceeded",
                    )
                return _error(400, f"local backend: {message[:300]}", request)
            except Exception as exc:  # noqa: BLE001 - reported as a non-retried 500
                return _error(500, f"local backend failed: {type(exc).__name__}: {str(exc)[:300]}", request)
        return httpx2.Response(200, json=_completion(model, body, result), request=request)

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        request.read()
        return self._answer(request)

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        """Generation runs in a worker thread so the event loop (other articles) keeps going."""
        await request.aread()
        return await asyncio.to_thread(self._answer, request)
