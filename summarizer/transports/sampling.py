"""How a llama.cpp model is asked for one OpenAI request: messages, sampling and the bounded
answer schema, the same whether the model runs in-process (`transports/local.py`) or in
llama.cpp's server (`transports/llamacpp.py`), so one model answers alike through both.

The server's request defaults are not the embedded call's: llama-cpp-python's server samples
with `repeat_penalty` 1.1 and applies it after the grammar, which fights the grammar's JSON
punctuation, and its chat handler defaults to temperature 0.2. So every parameter that decides
the tokens is written out here (llama-cpp-python's own `create_chat_completion` defaults where
we have no reason to differ), and both paths send exactly this. Imports nothing heavy: a
client that only talks to a server needs no llama-cpp-python.
"""

from __future__ import annotations

from typing import Any

from ..local.grammar import OUTPUT_BUDGET_TOKENS, local_schema
from ..local.runtime import N_CTX, SEED
from .base import tool_name

TOP_K = 40  # llama-cpp-python's create_chat_completion defaults (greedy at temperature 0 anyway)
TOP_P = 0.95
MIN_P = 0.05
REPEAT_PENALTY = 1.0  # a repetition penalty fights the grammar's JSON punctuation


def text(content: Any) -> str:
    """Message content as plain text (OpenAI allows a list of typed parts)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return str(content)


def chat_messages(messages: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Messages the model's chat template can render: string content, roles it knows.

    instructor's re-ask sends the assistant's tool call (content None) and the validation
    error as a `tool` message; SmolLM2's template knows neither, so the call becomes the
    assistant's text and the error a user turn.
    """
    out: list[dict[str, str]] = []
    for m in messages:
        role = str(m.get("role") or "user")
        content = text(m.get("content"))
        if role == "assistant":
            calls = [
                c.get("function", {}).get("arguments", "")
                for c in m.get("tool_calls") or []
                if isinstance(c, dict)
            ]
            content = "\n".join(x for x in [content, *calls] if x)
        elif role in ("tool", "function"):
            role = "user"
        elif role == "developer":
            role = "system"
        out.append({"role": role, "content": content})
    return out


def request_schema(body: dict[str, Any]) -> tuple[dict[str, Any] | None, bool]:
    """(JSON schema of the answer or None, whether the answer must be JSON at all), from the
    tool asked for (TOOLS mode) or `response_format` (JSON_SCHEMA and JSON modes)."""
    name = tool_name(body)
    if name is not None:
        for tool in body.get("tools") or []:
            fn = tool.get("function", {}) if isinstance(tool, dict) else {}
            if fn.get("name") == name and isinstance(fn.get("parameters"), dict):
                return fn["parameters"], True
        return None, True
    fmt = body.get("response_format")
    if not isinstance(fmt, dict):
        return None, False
    wrapped = fmt.get("json_schema")
    if isinstance(wrapped, dict) and isinstance(wrapped.get("schema"), dict):
        return wrapped["schema"], True
    if isinstance(fmt.get("schema"), dict):
        return fmt["schema"], True
    return None, fmt.get("type") in ("json_object", "json_schema")


def max_tokens(body: dict[str, Any]) -> int:
    """The client's output budget (the model's context when it gave none)."""
    return int(body.get("max_completion_tokens") or body.get("max_tokens") or N_CTX)


def answer_schema(body: dict[str, Any]) -> tuple[dict[str, Any] | None, bool]:
    """`request_schema` bounded for a small model (`grammar.local_schema`): a maximal answer
    fits about min(max_tokens, OUTPUT_BUDGET_TOKENS) tokens. The grammar bounds the answer;
    max_tokens stays the client's, so a rare overrun is reported honestly as "length"."""
    schema, wants_json = request_schema(body)
    if schema is None:
        return None, wants_json
    return local_schema(schema, min(max_tokens(body), OUTPUT_BUDGET_TOKENS)), True


def sampling(body: dict[str, Any]) -> dict[str, Any]:
    """Every parameter that decides the tokens, from the request (temperature, top_p, stop,
    seed, max_tokens) or our fixed choices (top_k, min_p, repeat_penalty, the seed)."""
    out: dict[str, Any] = {
        "temperature": float(body.get("temperature") or 0.0),
        "top_p": float(body["top_p"]) if isinstance(body.get("top_p"), int | float) else TOP_P,
        "top_k": TOP_K,
        "min_p": MIN_P,
        "repeat_penalty": REPEAT_PENALTY,
        "seed": int(body["seed"]) if isinstance(body.get("seed"), int) else SEED,
        "max_tokens": max_tokens(body),
    }
    if isinstance(body.get("stop"), str | list):
        out["stop"] = body["stop"]
    return out
