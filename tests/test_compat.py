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


def test_completion_kwargs_fires_once_per_attempt(fake) -> None:  # type: ignore[no-untyped-def]
    """Re-asks are counted through this hook: three attempts, three calls."""
    from summarizer import summarize
    from tests.fakes import Reply

    from .conftest import TEST_KEY, example_text_of

    fake.default = Reply(content="not json")
    with pytest.raises(Exception):  # noqa: B017 - the kind is tested elsewhere; here, the count
        summarize(example_text_of(), base_url=fake.url, api_key=TEST_KEY, max_reasks=2)
    assert len(fake.requests) == 3


def test_the_attempt_handler_states_its_signature() -> None:
    """instructor works out a handler's signature each time it emits `completion:kwargs` (with the
    request's keyword arguments); the handler `on_each_attempt` registers states its own, which
    `inspect.signature` returns as it is, and it is still called once per emission."""
    from instructor.core.hooks import Hooks

    from summarizer.compat.instructor import _ANY_ARGUMENTS, on_each_attempt

    calls: list[tuple[object, ...]] = []
    hooks = Hooks()
    on_each_attempt(hooks, lambda *args, **kwargs: calls.append(args))
    (handler,) = hooks._handlers[hooks.get_hook_name("completion:kwargs")]
    assert inspect.signature(handler) is _ANY_ARGUMENTS
    hooks.emit_completion_arguments(model="m", messages=[])
    assert calls == [()]


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
