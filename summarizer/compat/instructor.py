"""instructor's private internals, in one place (checked against instructor 1.17.0; see
tests/test_compat.py)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


def response_schema(model: type[BaseModel]) -> type[BaseModel]:
    """`model` wrapped the way instructor 1.17 wraps a response model on every call
    (`instructor.v2.core.function_calls.response_schema`, not a public name). A class that is
    already wrapped is used as is, so wrapping once saves about 2.5 ms of CPU per request."""
    from instructor.v2.core.function_calls import response_schema as wrap

    return wrap(model)  # type: ignore[no-any-return]


def on_each_attempt(hooks: Any, callback: Any) -> None:
    """Call `callback` once per model attempt. instructor 1.17 emits `completion:kwargs` once
    per attempt of its retry loop (first call and each re-ask); the hook name is public, that it
    fires exactly once per attempt is how its retry loop happens to be written."""
    hooks.on("completion:kwargs", callback)
