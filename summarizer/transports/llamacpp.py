"""A local llama.cpp server asked the way the embedded backend asks its model.

`--provider llamacpp` (llama-cpp-python's `python -m llama_cpp.server`, or llama.cpp's
`llama-server`) and `--provider lmstudio` put this layer over the network. It rewrites each
chat request into what `transports/local.py` runs in-process, from the same code
(`sampling.py`), so one model answers alike through both:

- the answer schema bounded as the embedded grammar bounds it (`local.grammar.local_schema`:
  refs inlined, every key required, lists of at most 5, strings shrunk to fit the output
  budget). The raw schema's long strings and nested lists make llama.cpp's grammar parser
  refuse the grammar llama-cpp-python builds, and its server dies of it (issue 25);
- sent as `response_format` {"type": "json_object", "schema": ...}, the form llama.cpp's
  servers constrain by grammar (llama-cpp-python ignores the `json_schema` type); LM Studio
  gets the `json_schema` type it documents;
- messages with string content and roles every chat template knows; temperature, top_k,
  top_p, min_p, repeat_penalty 1.0, seed and max_tokens written out (the server's own
  defaults differ: repeat_penalty 1.1, temperature 0.2);
- a request made in TOOLS mode (`--mode tools`) goes out without its tools, and the answer
  comes back as the tool call instructor expects.

It sits above record/replay, so a fixture holds the request the server really got.
"""

from __future__ import annotations

import json
from typing import Any

import httpx2

from .base import Wrapper, buffered, json_body, tool_name
from .sampling import answer_schema, chat_messages, sampling

DIALECTS = ("llamacpp", "lmstudio")

_REPLACED = ("tools", "tool_choice", "parallel_tool_calls", "response_format", "max_completion_tokens")


def server_body(body: dict[str, Any], dialect: str = "llamacpp") -> dict[str, Any]:
    """The request body a llama.cpp server gets for the OpenAI request `body`."""
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return body  # not ours to fix: the server says what is wrong with it
    schema, wants_json = answer_schema(body)
    out = {k: v for k, v in body.items() if k not in _REPLACED}
    out["messages"] = chat_messages(messages)
    out.update(sampling(body))
    if schema is not None and dialect == "lmstudio":
        out["response_format"] = {"type": "json_schema", "json_schema": {"name": "answer", "strict": True, "schema": schema}}
    elif schema is not None:
        out["response_format"] = {"type": "json_object", "schema": schema}
    elif wants_json:
        out["response_format"] = {"type": "json_object"}
    return out


def as_tool_call(data: Any, name: str) -> Any:
    """A chat completion whose content is turned into a call of the tool `name` (TOOLS mode)."""
    if not isinstance(data, dict) or not isinstance(data.get("choices"), list):
        return data
    for choice in data["choices"]:
        message = choice.get("message") if isinstance(choice, dict) else None
        if isinstance(message, dict) and not message.get("tool_calls") and isinstance(message.get("content"), str):
            call = {"id": f"call_{data.get('id') or 'local'}", "type": "function",
                    "function": {"name": name, "arguments": message["content"]}}
            choice["message"] = {**message, "content": None, "tool_calls": [call]}
    return data


class LlamaServer(Wrapper):
    """Rewrites chat requests for a llama.cpp server (see the module docstring)."""

    def __init__(self, inner: Any, dialect: str = "llamacpp") -> None:
        super().__init__(inner)
        if dialect not in DIALECTS:
            raise ValueError(f"unknown server dialect {dialect!r}")
        self.dialect = dialect

    def _rewrite(self, request: httpx2.Request) -> tuple[httpx2.Request, str | None]:
        """The request to send and the tool its answer must be turned into (None: as it is)."""
        body = json_body(request.content) if request.method == "POST" else None
        if not isinstance(body, dict) or not request.url.path.rstrip("/").endswith("/chat/completions"):
            return request, None
        content = json.dumps(server_body(body, self.dialect), ensure_ascii=False).encode("utf-8", "surrogatepass")
        headers = [(k, v) for k, v in request.headers.items() if k.lower() != "content-length"]
        rewritten = httpx2.Request(
            request.method, request.url, headers=headers, content=content, extensions=request.extensions
        )
        return rewritten, tool_name(body)

    @staticmethod
    def _answer(response: httpx2.Response, tool: str | None, request: httpx2.Request) -> httpx2.Response:
        if tool is None or response.status_code != 200:
            return response
        data = as_tool_call(json_body(response.content), tool)
        return buffered(response, json.dumps(data, ensure_ascii=False).encode(), request)

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        request.read()
        sent, tool = self._rewrite(request)
        response = self.inner.handle_request(sent)
        response.read()
        return self._answer(response, tool, request)

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        await request.aread()
        sent, tool = self._rewrite(request)
        response = await self.inner.handle_async_request(sent)
        await response.aread()
        return self._answer(response, tool, request)
