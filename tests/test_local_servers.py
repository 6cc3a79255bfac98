"""The local-server providers (`llamacpp`, `lmstudio`), the per-request timeout and a server
that dies mid-run, through the real openai client against the loopback fake server: the
fast checks. `test_llama_server.py` runs the same against the real llama.cpp server."""

from __future__ import annotations

import json
import time

import pytest

from summarizer import Summarizer, errors
from summarizer.cli import app
from summarizer.concurrency import is_fatal
from summarizer.settings import DEFAULT_CONCURRENCY, Settings
from tests.fakes import FakeOpenAI, Reply

from .conftest import EXAMPLE, example_payload


def local_settings(url: str, **kw: object) -> Settings:
    base: dict[str, object] = {"provider": "llamacpp", "base_url": url, "retry_wait": 0.01, "strategy": "single"}
    base.update(kw)
    return Settings.resolve(env={}, **base)


# ------------------------------------------------------------------ the providers' defaults


@pytest.mark.parametrize("name", ["llamacpp", "lmstudio"])
def test_a_local_server_provider_takes_the_embedded_backends_plan_and_limits(name: str) -> None:
    s = Settings.resolve(env={}, provider=name, model="m")
    assert (s.strategy_used, s.mode, s.max_reasks, s.timeout, s.article_budget) == ("focused", "json_schema", 0, 1800.0, 2500)
    assert s.concurrency_default == 1 and s.request_timeout is None
    assert s.api_key is None  # no key needed, none required
    hosted = s.with_(provider="openai", base_url="http://127.0.0.1:9/v1")  # defaults follow the provider
    assert (hosted.strategy_used, hosted.max_reasks, hosted.timeout, hosted.article_budget) == ("single", 2, 300.0, 12000)
    assert hosted.concurrency_default == DEFAULT_CONCURRENCY
    given = Settings.resolve(env={}, provider=name, model="m", strategy="single", max_reasks=1, chunk_tokens=900)
    assert (given.strategy_used, given.max_reasks, given.article_budget) == ("single", 1, 900)  # what you say wins


def test_the_request_timeout_is_a_flag_and_must_be_positive(fake: FakeOpenAI) -> None:
    from typer.testing import CliRunner

    res = CliRunner().invoke(app, ["summarize", str(EXAMPLE), "--base-url", fake.url, "--request-timeout", "0"])
    assert res.exit_code == 4 and "--request-timeout" in res.output
    assert fake.requests == []


# ------------------------------------------------------------------ timeouts are not resent


def test_a_timed_out_request_is_not_sent_again_to_a_single_slot_server(fake: FakeOpenAI) -> None:
    fake.default = Reply(delay=1.0, payload=example_payload())
    with pytest.raises(errors.RetriesExhaustedError, match=r"within --request-timeout \(0.2 s\) after 1 request"):
        Summarizer(local_settings(fake.url, request_timeout=0.2, max_retries=3)).summarize(EXAMPLE.read_text())
    time.sleep(0.3)
    assert len(fake.requests) == 1


def test_a_hosted_endpoint_still_gets_a_timed_out_request_again(fake: FakeOpenAI) -> None:
    fake.default = Reply(delay=1.0, payload=example_payload())
    settings = Settings.resolve(env={}, base_url=fake.url, retry_wait=0.01, request_timeout=0.2, max_retries=2)
    with pytest.raises(errors.RetriesExhaustedError, match="after 3 request"):
        Summarizer(settings).summarize(EXAMPLE.read_text())
    assert len(fake.requests) == 3


# ------------------------------------------------------------------ a server that dies


def test_a_server_that_answered_and_then_dies_is_reported_as_gone_with_its_last_words(fake: FakeOpenAI) -> None:
    text = EXAMPLE.read_text()
    with Summarizer(local_settings(fake.url, max_retries=1)) as s:
        fake.script(Reply(payload=example_payload()))
        s.summarize(text)
        fake.script(Reply(status=500, body={"error": {"message": "llama_decode returned -3"}}), Reply(action="reset"))
        with pytest.raises(errors.ServerGoneError) as caught:
            s.summarize(text)
    err = caught.value
    assert err.exit_code == 14 and is_fatal(err)
    assert "stopped answering mid-run" in err.message and "llama_decode returned -3" in err.message


def test_a_dead_server_without_last_words_and_one_never_up_are_told_apart(fake: FakeOpenAI) -> None:
    text = EXAMPLE.read_text()
    with Summarizer(local_settings(fake.url, max_retries=1)) as s:
        fake.script(Reply(payload=example_payload()))
        s.summarize(text)
        fake.stop()  # connections refused from now on
        with pytest.raises(errors.ServerGoneError) as caught:
            s.summarize(text)
    assert "last words" not in caught.value.message
    with pytest.raises(errors.RetriesExhaustedError, match="could not connect"):  # never answered: not "gone"
        Summarizer(local_settings(fake.url, max_retries=1)).summarize(text)


# ------------------------------------------------------------------ the request the server gets


def test_the_server_gets_the_bounded_schema_and_the_embedded_sampling(fake: FakeOpenAI) -> None:
    fake.script(Reply(payload=example_payload()))
    Summarizer(local_settings(fake.url)).summarize(EXAMPLE.read_text())
    [request] = fake.requests
    body = request.json
    assert "tools" not in body and body["response_format"]["type"] == "json_object"
    schema = body["response_format"]["schema"]
    assert "$defs" not in json.dumps(schema) and "$ref" not in json.dumps(schema)  # inlined
    quotes = schema["properties"]["quotes"]
    assert quotes["maxItems"] <= 5  # lists bounded as the embedded grammar bounds them
    assert (body["temperature"], body["repeat_penalty"], body["top_k"], body["min_p"], body["seed"]) == (0.0, 1.0, 40, 0.05, 1234)


def test_tools_mode_through_the_server_gets_its_answer_as_a_tool_call(fake: FakeOpenAI) -> None:
    fake.script(Reply(payload=example_payload()))
    result = Summarizer(local_settings(fake.url, mode="tools")).summarize(EXAMPLE.read_text())
    assert "tools" not in fake.requests[0].json  # the server's tool grammar is what killed it
    assert result.summary  # instructor found its tool call in the reshaped answer


def test_lmstudio_gets_the_json_schema_type_it_documents(fake: FakeOpenAI) -> None:
    fake.script(Reply(payload=example_payload()))
    Summarizer(local_settings(fake.url, provider="lmstudio", model="qwen")).summarize(EXAMPLE.read_text())
    fmt = fake.requests[0].json["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["schema"]["type"] == "object"
