"""instructor's private internals, in one place (checked against instructor 1.17.0; see
tests/test_compat.py)."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

_checked: weakref.WeakSet[type] = weakref.WeakSet()
"""Response models wrapped by `response_schema` and found free of async validators."""
_install = threading.Lock()
_instructors_check: Callable[[Any], None] | None = None
"""instructor's own `reject_async_validators`, once `check_async_validators_once` replaced it."""


def response_schema(model: type[BaseModel]) -> type[BaseModel]:
    """`model` wrapped the way instructor 1.17 wraps a response model on every call
    (`instructor.v2.core.function_calls.response_schema`, not a public name). A class that is
    already wrapped is used as is, so wrapping once saves about 2.5 ms of CPU per request.

    The wrapped class is also checked once, here, for instructor's async validators (which its
    runtime refuses), and then `check_async_validators_once` spares it the same check on every
    later request."""
    from instructor.v2.core.function_calls import response_schema as wrap

    wrapped: type[BaseModel] = wrap(model)
    check_async_validators_once()
    assert _instructors_check is not None
    _instructors_check(wrapped)  # raises as instructor would
    _checked.add(wrapped)
    return wrapped


def check_async_validators_once() -> None:
    """Make instructor skip its async-validator check for the models `response_schema` has
    already checked; every other model is checked exactly as before.

    instructor 1.17 walks the whole response model (every nested class, every member of every
    class in each one's MRO) looking for async validators seven times per request: in
    `Instructor.create`, the patched create, twice in `prepare_response_model`, in the retry
    loop and in the parser. For our models that is about a quarter of a millisecond each time,
    and the answer never changes: the class objects are the same on every call. The check lives
    in `instructor.v2.validation.async_validators.reject_async_validators`, which the patched
    create imported by name (`instructor.v2.core.patch`) and the others import from its module
    when they run, so those two names are replaced, once per process, by a wrapper that returns
    at once for a checked model and otherwise calls instructor's own function."""
    import instructor.v2.core.patch as patch_module
    from instructor.v2.validation import async_validators

    global _instructors_check
    with _install:
        if _instructors_check is not None:
            return  # installed already
        original = async_validators.reject_async_validators
        _instructors_check = original

        def reject_async_validators(response_model: Any) -> None:
            if isinstance(response_model, type) and response_model in _checked:
                return
            assert _instructors_check is not None
            _instructors_check(response_model)

        reject_async_validators.__wrapped__ = original  # type: ignore[attr-defined]
        reject_async_validators.__doc__ = original.__doc__
        async_validators.reject_async_validators = reject_async_validators
        if patch_module.reject_async_validators is original:
            patch_module.reject_async_validators = reject_async_validators  # type: ignore[attr-defined]


def without_event_hooks(client: Any) -> Any:
    """`client` made to emit no hook events, for a client no one hooks into.

    instructor 1.17 hands the client's hooks (an empty `Hooks()` unless given) to every call
    (`Instructor.create`), and its retry loop (`instructor.v2.core.retry`), finding a hooks
    object, emits every event through it, and deep-copies the usage for the usage event,
    though no handler listens: about 0.1 ms of CPU per request. With the client's `hooks`
    None and none passed per call, the loop skips them. A per-call `hooks=` would fail on
    such a client (instructor adds the two), and `client.on` too: this library uses neither."""
    client.hooks = None
    return client
