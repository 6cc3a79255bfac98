"""The openai + instructor clients, built on the transport stack from settings.

This is the only module that imports openai and instructor (besides the `compat` modules it
uses); everything else reaches them through here, and only when a model call is really needed
(the CLI's --help and cache hits never import this module).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import Any

import httpx2
import instructor
import openai
from pydantic import BaseModel

from .compat.instructor import without_event_hooks
from .compat.openai_chat import plain_acreate, plain_create
from .redact import install_log_filter, register_secret
from .settings import Settings
from .transports import RetryPolicy, build
from .transports.base import ServerGone
from .transports.retry import ERROR_KEY

install_log_filter()  # openai's, instructor's and httpx's records never carry a key, CLI or not

_MODES = {
    "tools": instructor.Mode.TOOLS,  # function calling: the default, and what --backend local constrains
    "json_schema": instructor.Mode.JSON_SCHEMA,  # response_format json_schema (structured outputs)
    "json": instructor.Mode.JSON,  # schema in the prompt + json_object, for endpoints without either
}


@cache
def prepared(model: type[BaseModel]) -> type[BaseModel]:
    """`model` wrapped once the way instructor wraps a response model.

    instructor 1.17 wraps the class anew on every call (a new pydantic class, whose schema then
    misses its cache): about 2.5 ms of CPU per request. A class that is already wrapped is used
    as is, so wrapping once here makes the per-call cost go away; the request is unchanged
    (same tool name and schema), so fixtures still match.
    """
    from .compat.instructor import response_schema

    return response_schema(model)


_on_request: ContextVar[Callable[[], None] | None] = ContextVar("summarizer_on_request", default=None)


@contextmanager
def each_request(callback: Callable[[], None]) -> Iterator[None]:
    """Call `callback` before every chat request sent in this context: once per attempt of
    instructor's retry loop (the first call and each re-ask). Counted where the request is
    sent rather than through a per-call instructor hook, which instructor merges with the
    client's hooks and dispatches on every request."""
    token = _on_request.set(callback)
    try:
        yield
    finally:
        _on_request.reset(token)


def _counted(send: Callable[..., Any]) -> Callable[..., Any]:
    def create(*args: Any, **kwargs: Any) -> Any:
        callback = _on_request.get()
        if callback is not None:
            callback()
        return send(*args, **kwargs)

    return create


def _acounted(send: Callable[..., Any]) -> Callable[..., Any]:
    async def create(*args: Any, **kwargs: Any) -> Any:
        callback = _on_request.get()
        if callback is not None:
            callback()
        return await send(*args, **kwargs)

    return create


def transport_for(settings: Settings, http_client: Any = None) -> Any:
    """The transport stack the settings call for (live, replay, local...); a caller's
    `http_client` sends the live requests (see `transports.base.Live`)."""
    from .providers import PROVIDERS

    provider = PROVIDERS.get(settings.provider or "") if settings.backend == "openai" else None
    return build(
        backend=settings.backend,
        policy=RetryPolicy(
            max_retries=settings.max_retries,
            base_wait=settings.retry_wait,
            resend_timeouts=provider.resend_timeouts if provider is not None else True,
        ),
        record_dir=settings.record_dir,
        replay_dir=settings.replay_dir,
        source=settings.endpoint_host,
        model_path=settings.model_path,
        record_mode=settings.record_mode,
        model=settings.model,
        rpm=settings.rpm,
        tpm=settings.tpm,
        http_client=http_client,
        dialect=provider.dialect if provider is not None else None,
    )


def _api_key(settings: Settings) -> str:
    """The key the client sends: the settings' key only if it may go to this endpoint (the
    key-to-host rule, checked again where the key leaves; see providers.py). Local, replay and
    keyless OpenAI-compatible servers need no key, but openai insists on one."""
    from .providers import origin

    key = settings.api_key
    register_secret(key)  # wherever it goes, or not: an echo of it is redacted everywhere
    install_log_filter()  # loggers a library made since the import get the filter too
    if key and settings.key_origin is not None and origin(settings.endpoint) != settings.key_origin:
        key = None
    return key or "not-needed"


def _key_hint(settings: Settings) -> str:
    """What to check after a 401: the provider's key variable, or why no key was sent."""
    from .providers import PROVIDERS

    p = PROVIDERS[settings.provider or "openai"]
    if not settings.api_key and settings.base_url and p.key_env:
        return (
            f"no key was sent to this endpoint: {p.key_env} goes only to {p.name}'s own host; to send it "
            f"to this one, set {p.url_env} to it instead of --base-url"
        )
    return f"check {p.key_env} for this endpoint" if p.key_env else "this server wants a key"


def make_client(settings: Settings, transport: Any = None, http_client: Any = None) -> instructor.Instructor:
    """A sync instructor client whose every request goes through our transport stack
    (or through `transport`, e.g. the batch engine's answers); `http_client`: see `transport_for`."""
    raw = openai.OpenAI(
        api_key=_api_key(settings),
        base_url=settings.endpoint,
        max_retries=0,  # transient faults are retried once, by our Retry transport
        timeout=settings.request_timeout,
        http_client=httpx2.Client(
            transport=transport or transport_for(settings, http_client), timeout=settings.request_timeout
        ),
    )
    mode = _MODES[settings.mode]
    create = instructor.patch(create=_counted(plain_create(raw)), mode=mode)
    install_log_filter()  # instructor's retry loop (and its logger) is imported by the patch
    return without_event_hooks(instructor.Instructor(client=raw, create=create, mode=mode))  # type: ignore[no-any-return]


def make_async_client(
    settings: Settings, transport: Any = None, http_client: Any = None
) -> instructor.AsyncInstructor:
    """The async twin of `make_client`, for asummarize and batch runs."""
    raw = openai.AsyncOpenAI(
        api_key=_api_key(settings),
        base_url=settings.endpoint,
        max_retries=0,
        timeout=settings.request_timeout,
        http_client=httpx2.AsyncClient(
            transport=transport or transport_for(settings, http_client), timeout=settings.request_timeout
        ),
    )
    mode = _MODES[settings.mode]
    create = instructor.patch(create=_acounted(plain_acreate(raw)), mode=mode)
    install_log_filter()
    return without_event_hooks(instructor.AsyncInstructor(client=raw, create=create, mode=mode))  # type: ignore[no-any-return]


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception and everything it was raised from, outermost first."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop(0)
        if e is None or any(e is s for s in seen):
            continue
        seen.append(e)
        todo += [e.__cause__, e.__context__]
        todo += [a for a in getattr(e, "failed_attempts", None) or [] if isinstance(a, BaseException)]
    return seen


def _status_message(err: openai.APIStatusError) -> str:
    body = err.body if isinstance(err.body, dict) else {}
    inner = body.get("error", body) if isinstance(body, dict) else {}
    message = inner.get("message") if isinstance(inner, dict) else None
    return str(message or err.message)[:300]


def translate(exc: BaseException, settings: Settings, requests: int) -> Exception:
    """Map anything raised by openai/instructor/transports to one of our typed errors."""
    from . import errors as E
    from .redact import redact

    chain = _chain(exc)
    for e in chain:
        if isinstance(e, E.SummarizerError):
            return e
    for e in chain:  # raised inside our transport stack: the openai client called it "connection"
        request = getattr(e, "request", None) if isinstance(e, openai.APIConnectionError) else None
        stashed = request.extensions.get(ERROR_KEY) if isinstance(request, httpx2.Request) else None
        if isinstance(stashed, Exception):
            return stashed
    host = settings.endpoint_host
    tries = f"after {requests} request(s)"
    gone = next((e for e in chain if isinstance(e, ServerGone)), None)
    if gone is not None:
        words = redact(" ".join((gone.last_words or "").split()), settings.api_key)[:300]
        return E.ServerGoneError(
            f"the server at {host} stopped answering mid-run (it had answered before; connections are "
            f"refused or dropped {tries}): it died or was stopped"
            + (f"; its last words: {words}" if words else ""),
            "check the server's own log, restart it and run again (a batch resumes where it stopped)",
        )
    for e in chain:
        if isinstance(e, instructor.core.IncompleteOutputException):
            return E.TruncatedOutputError(
                "the model's output was cut off at max_tokens", "raise --max-tokens"
            )
        if isinstance(e, openai.AuthenticationError):
            return E.AuthError(
                f"{host} refused the API key (HTTP 401)", _key_hint(settings)
            )
        if isinstance(e, openai.PermissionDeniedError):
            return E.AuthError(
                f"{host} denied access (HTTP 403)", "check the key's permissions for this model"
            )
        if isinstance(e, openai.NotFoundError):
            return E.ProviderError(
                f"model {settings.model!r} or its endpoint was not found at {host} (HTTP 404)",
                "check --model and --base-url",
            )
        if isinstance(e, openai.BadRequestError):
            text = redact(_status_message(e), settings.api_key)
            if "context" in text.lower() and ("length" in text.lower() or "token" in text.lower()):
                return E.ProviderError(
                    f"the article is longer than the model's context ({text})",
                    "use a model with a larger context window",
                )
            return E.ProviderError(f"{host} rejected the request (HTTP 400): {text}")
        if isinstance(e, openai.RateLimitError):
            if "insufficient_quota" in str(e.body):
                return E.ProviderError(
                    f"{host} says the account's quota is used up (HTTP 429)", "check billing"
                )
            return E.RetriesExhaustedError(
                f"{host} kept rate-limiting (HTTP 429) {tries}",
                "try later, lower --concurrency, or raise --max-retries",
            )
        if isinstance(e, openai.APIStatusError):
            status = e.status_code
            kind = E.RetriesExhaustedError if status >= 500 or status in (408, 409) else E.ProviderError
            return kind(
                f"{host} answered HTTP {status} {tries}: {redact(_status_message(e), settings.api_key)}",
                "try again later" if kind is E.RetriesExhaustedError else None,
            )
        if isinstance(e, openai.APITimeoutError):
            if settings.request_timeout is not None:
                return E.RetriesExhaustedError(
                    f"{host} did not answer within --request-timeout ({settings.request_timeout:g} s) {tries}",
                    "raise --request-timeout, or leave it out to wait as long as --timeout allows",
                )
            return E.RetriesExhaustedError(
                f"{host} did not answer in time {tries}", "raise --timeout or try later"
            )
        if isinstance(e, openai.APIConnectionError):
            return E.RetriesExhaustedError(
                f"could not connect to {host} {tries}", "check the network and --base-url"
            )
    for e in chain:
        if isinstance(e, instructor.core.InstructorRetryException):
            attempts = getattr(e, "failed_attempts", None) or []
            cause = attempts[-1].exception if attempts else e
            lines = str(cause).strip().splitlines()
            last = redact(" ".join(lines[:3]) if lines else type(cause).__name__, settings.api_key)
            return E.OutputInvalidError(
                f"the model's output stayed invalid after {e.n_attempts} attempt(s): {last[:300]}",
                "try a more capable model or raise --max-reasks",
            )
    if isinstance(exc, ValueError):
        return E.ProviderError(f"unusable answer from {host}: {redact(str(exc), settings.api_key)[:200]}")
    return exc if isinstance(exc, Exception) else RuntimeError(str(exc))
