"""`client.translate`: every fault the openai client (or our transports under it) raises becomes
one typed error of `summarizer.errors`, with its exit code, and no key in its message. Faults
come from the real fake server through the real openai + instructor stack; how many requests a
transient fault costs is test_resilience's subject."""

from __future__ import annotations

import socket

import pytest
from typer.testing import CliRunner

from summarizer import errors, summarize
from summarizer.cli import app
from summarizer.settings import Settings
from tests.fakes import FakeOpenAI, Reply

from .conftest import EXAMPLE, TEST_KEY, example_payload

runner = CliRunner()


def settings(url: str, **kw: object) -> Settings:
    base: dict[str, object] = {"base_url": url, "api_key": TEST_KEY, "retry_wait": 0.01, "max_retries": 1}
    base.update(kw)
    return Settings.resolve(**base)


def run(fake: FakeOpenAI, text: str, **kw: object):
    return summarize(text, settings=settings(fake.url, **kw))


# ---------------------------------------------------------------- permanent faults: no retry
@pytest.mark.parametrize(
    ("reply", "exc", "text"),
    [
        (Reply(status=401), errors.AuthError, "refused the API key"),
        (Reply(status=403), errors.AuthError, "denied access"),
        (Reply(status=404), errors.ProviderError, "not found"),
        (Reply(status=400, body={"error": {"message": "This model's maximum context length is 8192 tokens", "code": "context_length_exceeded"}}),
         errors.ProviderError, "longer than the model's context"),
        (Reply(status=400, body={"error": {"message": "bad param"}}), errors.ProviderError, "HTTP 400"),
        (Reply(status=422), errors.ProviderError, "HTTP 422"),
        (Reply(status=429, body={"error": {"message": "quota", "code": "insufficient_quota"}}), errors.ProviderError, "quota"),
        (Reply(body={"id": "x", "object": "chat.completion", "choices": [], "model": "m"}), errors.ProviderError, "no choices"),
        (Reply(body=b"<html>gateway</html>"), errors.ProviderError, "not JSON"),
        (Reply(body={"id": "x", "object": "chat.completion", "model": "m",
                     "choices": [{"index": 0, "message": None, "finish_reason": "stop"}]}),
         errors.ProviderError, "without a message"),
        (Reply(payload=example_payload(), finish_reason="content_filter"), errors.ProviderError, "refused"),
    ],
)
def test_permanent_faults_stop_at_once(fake: FakeOpenAI, example_text: str, reply: Reply,
                                       exc: type[errors.SummarizerError], text: str) -> None:
    fake.default = reply
    with pytest.raises(exc, match=text):
        run(fake, example_text)
    assert len(fake.requests) == 1


# ---------------------------------------------------------------- transient faults: typed once retries end
@pytest.mark.parametrize(
    ("reply", "text"),
    [
        (Reply(status=500), "HTTP 500 after 2 request"),
        (Reply(status=408), "HTTP 408 after 2 request"),
        (Reply(status=409), "HTTP 409 after 2 request"),
        (Reply(status=429, headers={"Retry-After": "0"}), r"kept rate-limiting \(HTTP 429\) after 2 request"),
        (Reply(action="reset"), "could not connect to 127.0.0.1 after 2 request"),
    ],
)
def test_transient_faults_end_as_retries_exhausted(fake: FakeOpenAI, example_text: str, reply: Reply, text: str) -> None:
    fake.default = reply
    with pytest.raises(errors.RetriesExhaustedError, match=text):
        run(fake, example_text)
    assert len(fake.requests) == 2


def test_a_5xx_the_server_says_not_to_retry_is_tried_once(fake: FakeOpenAI, example_text: str) -> None:
    fake.default = Reply(status=500, headers={"x-should-retry": "false"})
    with pytest.raises(errors.RetriesExhaustedError, match="HTTP 500 after 1 request"):
        run(fake, example_text)
    assert len(fake.requests) == 1


def test_nothing_listening_is_could_not_connect(example_text: str) -> None:
    with socket.socket() as s:  # a port that was free a moment ago, with nobody on it
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(errors.RetriesExhaustedError, match="could not connect to 127.0.0.1 after 2 request") as caught:
        summarize(example_text, settings=settings(f"http://127.0.0.1:{port}/v1"))
    assert "--base-url" in (caught.value.hint or "")


def test_a_slow_server_is_did_not_answer_in_time(fake: FakeOpenAI, example_text: str) -> None:
    fake.default = Reply(delay=2.0, payload=example_payload())
    with pytest.raises(
        errors.RetriesExhaustedError, match=r"127.0.0.1 did not answer within --request-timeout \(0.3 s\) after 1 request"
    ) as caught:
        run(fake, example_text, request_timeout=0.3, timeout=5.0, max_retries=0)
    assert "raise --request-timeout" in (caught.value.hint or "")


def test_with_no_request_timeout_a_request_may_take_what_is_left_of_the_articles(
    fake: FakeOpenAI, example_text: str
) -> None:
    """No fixed cap per request (it was 120 s, which a CPU server outlives): a slow answer that
    fits the article's deadline arrives; one that does not ends the article at its deadline."""
    fake.default = Reply(delay=1.5, payload=example_payload())
    result = run(fake, example_text, timeout=10.0, max_retries=0)
    assert result.provenance.attempts == 1
    with pytest.raises(errors.RetriesExhaustedError, match="deadline") as caught:
        run(fake, example_text, timeout=0.5, max_retries=0)
    assert "--timeout" in (caught.value.hint or "")


# ---------------------------------------------------------------- what the message may carry
def test_the_providers_message_is_kept_and_the_key_is_not(fake: FakeOpenAI, example_text: str) -> None:
    fake.default = Reply(status=400, body={"error": {"message": f"bad request for key {TEST_KEY}: max_tokens too large"}})
    with pytest.raises(errors.ProviderError) as caught:
        run(fake, example_text)
    message = str(caught.value)
    assert "max_tokens too large" in message and TEST_KEY not in message


def test_a_bug_under_the_client_is_not_a_connection_error() -> None:
    import httpx2
    import openai

    from summarizer.client import translate

    # What the openai client makes of anything raised in its transport, with our stash on it.
    request = httpx2.Request("POST", "http://x/v1/chat/completions")
    request.extensions["summarizer_error"] = KeyError("boom")
    wrapped = openai.APIConnectionError(request=request)
    assert isinstance(translate(wrapped, Settings(backend="rules"), 1), KeyError)


# ---------------------------------------------------------------- exit codes, through the CLI
@pytest.mark.parametrize(
    ("reply", "exc"),
    [
        (Reply(status=403), errors.AuthError),
        (Reply(status=404), errors.ProviderError),
        (Reply(status=500, headers={"x-should-retry": "false"}), errors.RetriesExhaustedError),
        (Reply(content="not json at all"), errors.OutputInvalidError),
        (Reply(payload=example_payload(), finish_reason="length"), errors.TruncatedOutputError),
    ],
)
def test_each_kind_of_fault_has_its_exit_code_and_one_line(fake: FakeOpenAI, reply: Reply,
                                                           exc: type[errors.SummarizerError]) -> None:
    fake.default = reply
    env = {"OPENAI_API_KEY": TEST_KEY, "OPENAI_BASE_URL": fake.url}
    res = runner.invoke(app, ["summarize", str(EXAMPLE), "--no-cache", "--max-retries", "0", "--max-reasks", "0"], env=env)
    assert res.exit_code == exc.exit_code, res.stderr
    assert res.stderr.count("\n") == 1 and res.stderr.startswith("summarizer: error:")
    assert "Traceback" not in res.stderr and TEST_KEY not in res.stderr


# ---------------------------------------------------------------- attempts
@pytest.mark.parametrize("asynchronous", [False, True])
def test_each_request_is_told_of_every_attempt(fake: FakeOpenAI, asynchronous: bool) -> None:
    """`each_request` runs its callback once per attempt of instructor's retry loop (first call
    and re-asks), in this context only: how grounding counts attempts."""
    import asyncio

    from pydantic import BaseModel

    from summarizer.client import each_request, make_async_client, make_client

    class Answer(BaseModel):
        n: int

    fake.default = Reply(content="not json")
    s = settings(fake.url, max_retries=0)
    calls: list[int] = []
    kwargs = {"response_model": Answer, "messages": [{"role": "user", "content": "n?"}], "model": "m", "max_retries": 2}

    def ask() -> None:
        with pytest.raises(Exception):  # noqa: B017,PT011 - the kind is tested above; here, the count
            if asynchronous:
                asyncio.run(make_async_client(s).chat.completions.create(**kwargs))
            else:
                make_client(s).chat.completions.create(**kwargs)

    with each_request(lambda: calls.append(len(fake.requests))):
        ask()
    assert calls == [0, 1, 2] and len(fake.requests) == 3  # before each request is sent
    ask()
    assert calls == [0, 1, 2] and len(fake.requests) == 6  # outside the context: not called
