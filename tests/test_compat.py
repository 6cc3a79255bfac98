"""Other libraries' private internals (summarizer/compat): each still there, and still doing what
we rely on, in the versions we pinned. When an upgrade breaks one, a test here names it."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import inspect
import subprocess
import sys

import pytest

INSTRUCTOR = "1.17.0"
LLAMA_CPP = "0.3.36"

needs_llama = pytest.mark.skipif(importlib.util.find_spec("llama_cpp") is None, reason="llama-cpp-python not installed")


def test_instructor_is_the_version_the_internals_were_checked_against() -> None:
    assert importlib.metadata.version("instructor") == INSTRUCTOR


def test_a_wrapped_response_model_is_used_as_is() -> None:
    """instructor's request preparation wraps a model only if it is not a ResponseSchema yet
    (v2/core/response_model.py), so wrapping once (client.prepared) saves the per-call wrap."""
    from instructor.v2.core.function_calls import ResponseSchema
    from instructor.v2.core.response_model import prepare_response_model

    from summarizer.compat.instructor import response_schema
    from summarizer.schema import Extraction

    wrapped = response_schema(Extraction)
    assert issubclass(wrapped, ResponseSchema) and issubclass(wrapped, Extraction)
    assert prepare_response_model(wrapped) is wrapped
    assert wrapped.model_json_schema()["properties"].keys() == Extraction.model_json_schema()["properties"].keys()


def test_a_prepared_model_is_checked_for_async_validators_once(fake, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """instructor looks for async validators seven times per request; for the response models
    `client.prepared` wrapped (and checked) it no longer does, for every other model it still
    does, and a model with one is still refused."""
    from instructor.v2.validation import async_validators
    from instructor.v2.validation.async_validators import async_model_validator
    from pydantic import BaseModel

    import summarizer.compat.instructor as compat
    from summarizer import summarize
    from summarizer.client import prepared
    from summarizer.grounding.reask import Extraction
    from tests.fakes import Reply

    from .conftest import TEST_KEY, example_payload, example_text_of

    fake.default = Reply(payload=example_payload())
    summarize(example_text_of(), base_url=fake.url, api_key=TEST_KEY)  # the model is prepared by now
    original = compat._instructors_check
    assert original is not None and async_validators.reject_async_validators.__wrapped__ is original
    checked: list[type] = []

    def counting(model: type) -> None:
        checked.append(model)
        original(model)

    monkeypatch.setattr(compat, "_instructors_check", counting)
    summarize(example_text_of(), base_url=fake.url, api_key=TEST_KEY)
    assert len(fake.requests) == 2 and checked == [], checked

    class Other(BaseModel):
        x: int

    async_validators.reject_async_validators(Other)
    assert checked == [Other]

    class Async(BaseModel):
        x: int

        @async_model_validator()
        async def check(self) -> None:
            return None

    with pytest.raises(ValueError, match="async validators are not supported"):
        async_validators.reject_async_validators(Async)
    with pytest.raises(ValueError, match="async validators are not supported"):
        prepared(Async)
    assert prepared(Extraction) is prepared(Extraction)


@needs_llama
def test_llama_cpp_is_the_version_the_internals_were_checked_against() -> None:
    assert importlib.metadata.version("llama-cpp-python") == LLAMA_CPP


@needs_llama
def test_llama_private_names_still_exist() -> None:
    import llama_cpp
    from llama_cpp import llama_grammar

    for name in ("_init_sampler", "generate", "eval"):
        assert callable(getattr(llama_cpp.Llama, name)), name
    assert "grammar" in inspect.signature(llama_cpp.Llama._init_sampler).parameters
    assert callable(llama_grammar.SchemaConverter._add_rule)
    assert callable(llama_cpp.llama_sampler_init_grammar) and callable(llama_cpp.llama_log_set)


@needs_llama
def test_schema_converter_writes_bounded_strings_as_repetitions() -> None:
    from summarizer.local.grammar import grammar_for_schema

    grammar = grammar_for_schema({"type": "object", "properties": {"a": {"type": "string", "maxLength": 1500}},
                                  "required": ["a"]})
    assert "char{0,1500}" in grammar and grammar.count("(char") == 0


def test_importing_summarizer_changes_no_global_state() -> None:
    """No handler on other libraries' loggers, no log callback, no fd juggling at import."""
    code = (
        "import logging, os, sys\n"
        "before = {n: list(logging.getLogger(n).handlers) for n in ('instructor', 'openai', 'httpx', '')}\n"
        "fds = sorted(os.listdir('/proc/self/fd'))\n"
        "import summarizer, summarizer.api, summarizer.pipeline, summarizer.client, summarizer.render\n"
        "after = {n: list(logging.getLogger(n).handlers) for n in before}\n"
        "assert before == after, (before, after)\n"
        "assert 'llama_cpp' not in sys.modules\n"
        "assert sorted(os.listdir('/proc/self/fd')) == fds\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr


# -- openai: chat completions without the per-request transform (compat.openai_chat) --------------

OPENAI = "3.3.0"


def test_openai_is_the_version_the_internals_were_checked_against() -> None:
    assert importlib.metadata.version("openai") == OPENAI


def _answer(arguments: str, mode: str) -> dict[str, object]:
    """A chat completion carrying `arguments` the way instructor reads them in `mode`."""
    message: dict[str, object] = {"role": "assistant", "content": arguments}
    if mode == "tools":
        message = {"role": "assistant", "content": None, "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "Answer", "arguments": arguments}}]}
    return {"id": "c1", "object": "chat.completion", "created": 1, "model": "m",
            "choices": [{"index": 0, "finish_reason": "stop", "message": message}],
            "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7}}


def _exchanges(mode: str, plain: bool, **extra: object) -> tuple[list[tuple[object, ...]], object]:
    """Every request on the wire (method, URL, headers, body bytes, timeout) for one instructor
    call with a re-ask (the first answer is invalid), and the parsed answer; through `create`
    (instructor.from_openai) or `plain_create`."""
    import httpx2
    import instructor
    import openai
    from pydantic import BaseModel

    from summarizer.client import _MODES
    from summarizer.compat.openai_chat import plain_create

    class Answer(BaseModel):
        name: str
        count: int

    answers = iter(['{"name": "Iran Air", "count": "many"}', '{"name": "Iran Air", "count": 3}'])
    seen: list[tuple[object, ...]] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        headers = sorted((k, v) for k, v in request.headers.items())
        seen.append((request.method, str(request.url), headers, request.content, request.extensions.get("timeout")))
        return httpx2.Response(200, json=_answer(next(answers), mode))

    raw = openai.OpenAI(api_key="sk-test", base_url="http://model.test/v1", max_retries=0, timeout=12.5,
                        http_client=httpx2.Client(transport=httpx2.MockTransport(handler), timeout=12.5))
    m = _MODES[mode]
    client = (instructor.Instructor(client=raw, create=instructor.patch(create=plain_create(raw), mode=m), mode=m)
              if plain else instructor.from_openai(raw, mode=m))
    messages = [{"role": "system", "content": "Find the name. \u201cquoted\u201d \u00e9\u00e8 {{ 7*7 }}"},
                {"role": "user", "content": "Iran Air was sanctioned.\n\nSecond paragraph \U0001f600."}]
    result, completion = client.chat.completions.create_with_completion(
        response_model=Answer, messages=messages, model="gpt-4o-mini", max_retries=1, **extra)
    return seen, (result.model_dump(), completion.model_dump(), type(completion))


@pytest.mark.parametrize("mode", ["tools", "json_schema", "json"])
def test_a_plain_body_goes_out_byte_for_byte_as_create_sends_it(mode: str) -> None:
    """The same requests (method, URL, every header, body bytes, timeout) and the same parsed
    answers, with a re-ask, in every mode the settings offer; also with the sampling options."""
    for extra in ({}, {"temperature": 0.0, "max_tokens": 300},
                  {"temperature": 0.2, "top_p": 0.9, "seed": 7, "max_tokens": 300, "n": 1, "user": "u",
                   "frequency_penalty": 0.1, "presence_penalty": 0.0, "stop": ["\n\n"], "logprobs": False,
                   "metadata": {"run": "x"}, "parallel_tool_calls": False, "max_completion_tokens": 9}):
        before, parsed_before = _exchanges(mode, plain=False, **extra)
        after, parsed_after = _exchanges(mode, plain=True, **extra)
        assert len(before) == 2
        assert after == before
        assert parsed_after == parsed_before


def test_what_is_not_plain_json_goes_to_create_itself() -> None:
    """Streaming, extra headers/query/body, a timeout, positional arguments, a keyword `create`
    does not know and any value openai's transform might change (tuples, str subclasses, models,
    its omit sentinel) are sent by `create`; a plain body is not."""
    import enum

    import httpx2
    import openai
    from pydantic import BaseModel

    from summarizer.compat.openai_chat import plain_create

    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, json=_answer("{}", "json"))

    raw = openai.OpenAI(api_key="sk-test", base_url="http://model.test/v1", max_retries=0,
                        http_client=httpx2.Client(transport=httpx2.MockTransport(handler)))
    calls: list[dict[str, object]] = []
    real = raw.chat.completions.create

    def spy(*args: object, **kwargs: object) -> object:
        calls.append(kwargs)
        return real(*args, **kwargs)  # type: ignore[call-overload]

    raw.chat.completions.create = spy  # type: ignore[method-assign]
    send = plain_create(raw)

    class Role(enum.StrEnum):
        user = "user"

    class Part(BaseModel):
        type: str = "text"
        text: str = "hi"

    base = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
    send(**base, temperature=0.0)
    assert calls == []
    for odd in ({"extra_headers": {"X-A": "1"}}, {"extra_body": {"a": 1}}, {"extra_query": {"a": "1"}},
                {"timeout": 3.0}, {"stream": False}, {"stop": ("a",)}, {"temperature": openai.omit},
                {"messages": [{"role": Role.user, "content": "hi"}]},
                {"messages": [{"role": "user", "content": [Part()]}]}):
        calls.clear()
        send(**{**base, **odd})
        assert len(calls) == 1, odd
    with pytest.raises(TypeError):
        send(**base, not_a_parameter=1)


def test_plain_json_is_exactly_the_json_types() -> None:
    from summarizer.compat.openai_chat import is_plain_json

    assert is_plain_json({"a": [1, 2.5, "x", None, True, {"b": []}], "c": {}})
    deep: object = "leaf"
    for _ in range(10_000):  # no recursion limit
        deep = [deep]
    assert is_plain_json(deep)
    for odd in ((1,), {1: "a"}, {"a": (1,)}, [b"x"], [{"a": {1, 2}}], type("S", (str,), {})("x"), object()):
        assert not is_plain_json(odd), odd


def test_the_body_keys_follow_creates_parameters() -> None:
    """The body's keys are ordered as `create` writes them, whatever order they are given in."""
    from summarizer.compat.openai_chat import plain_body

    body = plain_body({"tools": [], "temperature": 0, "model": "m", "messages": [], "max_tokens": 3})
    assert body is not None and list(body) == ["messages", "model", "max_tokens", "temperature", "tools"]
    assert plain_body({"model": "m"}) is None


def test_a_client_without_event_hooks_emits_no_events(monkeypatch: pytest.MonkeyPatch) -> None:
    """instructor's retry loop copies the usage for its usage event only when the call has
    hooks: on a client `without_event_hooks` made, it copies it once (for the result), against
    twice on a client from `instructor.from_openai`; the answer is the same."""
    import httpx2
    import instructor
    import openai
    from instructor.v2.core import retry
    from pydantic import BaseModel

    from summarizer.compat.instructor import without_event_hooks

    class Answer(BaseModel):
        n: int

    snapshots: list[object] = []
    original = retry._usage_snapshot

    def counting(usage: object) -> object:
        snapshots.append(usage)
        return original(usage)

    monkeypatch.setattr(retry, "_usage_snapshot", counting)

    def ask(client: instructor.Instructor) -> tuple[object, object]:
        answer, completion = client.chat.completions.create_with_completion(
            response_model=Answer, messages=[{"role": "user", "content": "n?"}], model="m", max_retries=0)
        return answer.model_dump(), completion.model_dump()

    def raw() -> openai.OpenAI:
        transport = httpx2.MockTransport(lambda request: httpx2.Response(200, json=_answer('{"n": 3}', "tools")))
        return openai.OpenAI(api_key="sk-test", base_url="http://model.test/v1", max_retries=0,
                             http_client=httpx2.Client(transport=transport))

    hooked = ask(instructor.from_openai(raw()))
    assert len(snapshots) == 2
    snapshots.clear()
    client = without_event_hooks(instructor.from_openai(raw()))
    assert client.hooks is None
    assert ask(client) == hooked and len(snapshots) == 1
