"""A JSON schema adapted to a small model, and the GBNF grammar that holds its output to it.

The JSON schema of the request (the tool's `parameters` in TOOLS mode, or `response_format`'s
schema) is turned into a GBNF grammar here rather than by
`create_chat_completion(response_format=...)`, for three reasons found on llama-cpp-python 0.3.36:

- its converter spells `maxLength: N` as N nested optional groups, which llama.cpp's grammar
  parser rejects from about N=1000 on ("number of rules ... exceeds sane defaults"). The parse
  failure then crashes the process (segfault) instead of raising. We emit `char{0,N}`, which
  llama.cpp accepts up to N=1999, and check that the grammar parses before sampling with it.
- `response_format` silently falls back to "any JSON" when the conversion raises.
- its `char` rule allows raw control characters (a literal newline) inside strings, which is
  invalid JSON and would cost a re-ask. Ours excludes them, as llama.cpp's own converter does.

The schema is also adapted to what a small model can do within a token budget (the output must
still validate against the original schema): `$ref`s are inlined, every property is required
(a small model that may omit keys tends to stop after the first one), and lists and strings are
shrunk so that even a maximal answer fits about `OUTPUT_BUDGET_TOKENS` tokens. A small model
at temperature 0 tends to repeat itself until a bound stops it; with these bounds it stops in
seconds instead of running to `max_tokens`, and `finish_reason` stays meaningful.
"""

from __future__ import annotations

import copy
import json
import math
from typing import Any

from ..compat.llama import grammar_error, schema_converter
from .runtime import LocalModel, import_llama

OUTPUT_BUDGET_TOKENS = 1536  # a maximal answer allowed by the adapted schema fits about this
CHARS_PER_TOKEN = 3.5  # conservative for English JSON (SmolLM2 measured ~4.2)
MAX_ITEMS = 5  # per list: more is repetition, not extraction, from a model this size
MIN_CHARS = 48  # strings are never shrunk below this (or below their own maxLength)
UNBOUNDED_CHARS = 2000  # what an unbounded string counts as before shrinking


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


def _bounds(schema: dict[str, Any]) -> tuple[int, int] | None:
    """(min, max) characters of a bounded plain string schema, else None."""
    if not (_is_plain_string(schema) and ("maxLength" in schema or "minLength" in schema)):
        return None
    low = int(schema.get("minLength", 0))
    high = min(int(schema.get("maxLength", _MAX_REPETITION)), _MAX_REPETITION)
    return low, max(low, high)


def grammar_for_schema(schema: dict[str, Any]) -> str:
    """GBNF for `schema` (refs already inlined), with `char{m,n}` for bounded strings."""
    from llama_cpp import llama_grammar

    converter = schema_converter(llama_grammar, _CHAR_RULE, _bounds)
    converter.visit(schema, "")
    return str(converter.format_grammar())


_GRAMMARS: dict[str, Any] = {}  # schema JSON -> LlamaGrammar (parsed once, checked once)


def checked_grammar(model: LocalModel, schema: dict[str, Any] | None) -> Any:
    """A checked LlamaGrammar for `schema` (any JSON object when None)."""
    llama_cpp = import_llama()
    from llama_cpp import llama_grammar

    key = json.dumps(schema, sort_keys=True)
    cached = _GRAMMARS.get(key)
    if cached is not None:
        return cached
    text = llama_grammar.JSON_GBNF if schema is None else grammar_for_schema(schema)
    # LlamaGrammar only stores the text; an unparseable grammar would crash llama.cpp at
    # sampling time. Parse it once here, where a failure is a clear 400 instead.
    why = grammar_error(llama_cpp, model.llama, text)
    if why is not None:
        raise ValueError(f"llama.cpp rejected the grammar for this schema: {why[:200]}")
    grammar = llama_grammar.LlamaGrammar.from_string(text, verbose=False)
    _GRAMMARS[key] = grammar
    return grammar


