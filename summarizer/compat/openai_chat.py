"""Chat completions sent without openai's per-request transform (checked against openai 3.3.0;
see tests/test_compat.py).

`chat.completions.create` walks its whole body against the typed request parameters before
sending it (`openai._utils._transform`: every message, every node of the tool schema, with
`typing` introspection at each step): about 0.5-0.8 ms of CPU per request on this machine. For
a body that is plain JSON already (dicts, lists, strings, numbers, booleans, None: what
instructor hands over) the walk returns an equal dict with the same key order, because the
chat parameters declare no aliases or formats. `plain_create` sends such a body through
`client.post` (the documented way to make a custom request; the client's headers, key,
timeout, retry setting and transport all apply) with the same options `create` gives
(`security`: the bearer key only) and the same response type. Anything else (another keyword
`create` takes, extra headers or body, streaming, a value that is not plain JSON) goes to
`create` itself, unchanged.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

import openai
from openai.types.chat import ChatCompletion

PATH = "/chat/completions"
_SCALARS = (str, int, float, bool, type(None))


def _body_keys() -> dict[str, int]:
    """The body's keys in the order `create` writes them (its keyword order), extras excluded."""
    from openai.resources.chat.completions.completions import Completions

    skip = {"self", "extra_headers", "extra_query", "extra_body", "timeout", "stream", "stream_options"}
    names = [p for p in inspect.signature(Completions.create).parameters if p not in skip]
    return {name: i for i, name in enumerate(names)}


_ORDER = _body_keys()


def _options() -> Any:
    """The request options `create` gives when no extra headers, query, body or timeout are
    passed: the bearer key as the only credential."""
    return {"security": {"bearer_auth": True}}


def is_plain_json(value: object) -> bool:
    """Whether `value` is built of exactly dict (string keys), list, str, int, float, bool and
    None: what openai's transform leaves as it is (no subclasses, tuples, models or sentinels)."""
    todo = [value]
    while todo:
        v = todo.pop()
        t = type(v)
        if t is dict:
            for k, item in v.items():  # type: ignore[attr-defined]
                if type(k) is not str:
                    return False
                todo.append(item)
        elif t is list:
            todo.extend(v)  # type: ignore[arg-type]
        elif t not in _SCALARS:
            return False
    return True


def plain_body(kwargs: dict[str, Any]) -> dict[str, Any] | None:
    """The body `create(**kwargs)` would send, if it can be sent as it is; otherwise None."""
    order = _ORDER
    for key in kwargs:
        if key not in order:
            return None
    if not is_plain_json(kwargs):
        return None
    if "messages" not in kwargs or "model" not in kwargs:
        return None  # `create` raises its own error for these
    return {key: kwargs[key] for key in sorted(kwargs, key=order.__getitem__)}


def plain_create(client: openai.OpenAI) -> Callable[..., Any]:
    """`client.chat.completions.create`, but a plain JSON body skips openai's transform."""
    create = client.chat.completions.create

    def send(*args: Any, **kwargs: Any) -> Any:
        body = None if args else plain_body(kwargs)
        if body is None:
            return create(*args, **kwargs)
        return client.post(PATH, body=body, cast_to=ChatCompletion, options=_options())

    return send


def plain_acreate(client: openai.AsyncOpenAI) -> Callable[..., Awaitable[Any]]:
    """The async twin of `plain_create`."""
    create = client.chat.completions.create

    async def send(*args: Any, **kwargs: Any) -> Any:
        body = None if args else plain_body(kwargs)
        if body is None:
            return await create(*args, **kwargs)
        return await client.post(PATH, body=body, cast_to=ChatCompletion, options=_options())

    return send
