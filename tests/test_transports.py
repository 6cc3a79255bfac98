"""Each transport's contract in isolation: a plain httpx2 client on the transport, the real fake
OpenAI server below it where a network is needed. The end-to-end tests (test_resilience,
test_replay, test_recording, test_pacing) show the same layers working together under openai.
Tested elsewhere in isolation already: pacing (test_pacing), inventory (test_recording), local
(test_local_model, with the model), live's proxy handling (test_core)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx2
import pytest

from summarizer import errors
from summarizer.ledger import Ledger, recording
from summarizer.transports.base import Live, Transport
from summarizer.transports.fixtures import Record, RecordMissing, Replay
from summarizer.transports.meter import Meter
from summarizer.transports.retry import Retry, RetryPolicy, retry_after
from summarizer.transports.rules import Rules
from tests.fakes import FakeOpenAI, Reply

from .conftest import TEST_KEY, example_payload

SECRET_HEADERS = {
    "Authorization": f"Bearer {TEST_KEY}",
    "OpenAI-Organization": "org-SECRETORG123",
    "OpenAI-Project": "proj_SECRETPROJ",
    "Cookie": "session=SECRETCOOKIE",
}


def body(model: str = "gpt-4o-mini", article: str = "The minister said nothing.") -> dict[str, Any]:
    return {
        "model": model,
        "messages": [
            {"role": "system", "content": "Summarize the article."},
            {"role": "user", "content": f"=== BEGIN ARTICLE\n{article}\n=== END ARTICLE"},
        ],
        "max_tokens": 200,
        "temperature": 0,
    }


def post(transport: Transport, url: str, data: dict[str, Any], headers: dict[str, str] | None = None) -> httpx2.Response:
    with httpx2.Client(transport=transport) as client:
        return client.post(f"{url}/chat/completions", json=data, headers=headers or {})


# ------------------------------------------------------------------------------------ Meter
def test_meter_counts_every_request_and_its_tokens_failed_ones_included(fake: FakeOpenAI) -> None:
    usage = {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}
    fake.script(Reply(payload=example_payload(), usage=usage), Reply(status=503), Reply(action="reset"))
    led = Ledger()
    with recording(led):
        assert post(Meter(Live()), fake.url, body()).status_code == 200
        assert post(Meter(Live()), fake.url, body()).status_code == 503
        with pytest.raises(httpx2.TransportError):
            post(Meter(Live()), fake.url, body())
    assert led.requests == 3  # counted when sent: the reset one cost a request too
    assert (led.prompt_tokens, led.completion_tokens, led.total_tokens) == (10, 5, 15)
    assert any("request 3: failed" in e for e in led.events)


@pytest.mark.parametrize(
    ("reply", "needle"),
    [
        (Reply(body=b"<html>gateway</html>"), "not JSON"),
        (Reply(body={"id": "x", "object": "chat.completion", "choices": [], "model": "m"}), "no choices"),
    ],
)
def test_meter_turns_a_garbage_200_into_a_provider_error(fake: FakeOpenAI, reply: Reply, needle: str) -> None:
    fake.default = reply
    with pytest.raises(errors.ProviderError, match=needle):
        post(Meter(Live()), fake.url, body())


# ------------------------------------------------------------------------------------ Retry
def test_retry_honours_retry_after_then_answers(fake: FakeOpenAI) -> None:
    fake.script(Reply(status=429, headers={"Retry-After": "1"}), Reply(payload=example_payload()))
    policy = RetryPolicy(max_retries=3, base_wait=0.01, max_wait=0.01)  # backoff alone would be 10 ms
    t0 = time.monotonic()
    response = post(Retry(Live(), policy), fake.url, body())
    assert response.status_code == 200 and len(fake.requests) == 2
    assert time.monotonic() - t0 >= 0.95


def test_retry_gives_up_at_once_on_a_permanent_fault_or_a_too_long_wait(fake: FakeOpenAI) -> None:
    policy = RetryPolicy(max_retries=3, base_wait=0.01, max_wait=0.01, max_retry_after=5)
    fake.default = Reply(status=400)
    assert post(Retry(Live(), policy), fake.url, body()).status_code == 400
    assert len(fake.requests) == 1
    fake.reset()
    fake.default = Reply(status=429, headers={"Retry-After": "3600"})
    t0 = time.monotonic()
    assert post(Retry(Live(), policy), fake.url, body()).status_code == 429
    assert len(fake.requests) == 1 and time.monotonic() - t0 < 2
    fake.reset()
    fake.default = Reply(status=503)
    assert post(Retry(Live(), policy), fake.url, body()).status_code == 503
    assert len(fake.requests) == 4  # 1 + max_retries


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after": "2"}, 2.0),
        ({"retry-after": "2", "retry-after-ms": "100"}, 0.1),  # the finer one wins, as openai does
        ({"retry-after": "soon"}, None),
        ({"retry-after": "nan"}, None),
        ({"retry-after": "-5"}, 0.0),
        ({}, None),
    ],
)
def test_retry_after_reads_the_providers_hint(headers: dict[str, str], seconds: float | None) -> None:
    assert retry_after(httpx2.Response(429, headers=headers)) == seconds


def test_retry_after_reads_an_http_date() -> None:
    from email.utils import formatdate

    waited = retry_after(httpx2.Response(429, headers={"retry-after": formatdate(time.time() + 30, usegmt=True)}))
    assert waited is not None and 25 <= waited <= 31


# ------------------------------------------------------------------------------- Record, Replay
def test_record_writes_the_exchange_and_no_secret(fake: FakeOpenAI, tmp_path: Path) -> None:
    fake.script(Reply(status=503), Reply(payload=example_payload()))
    assert post(Record(Live(), tmp_path, source="test"), fake.url, body(), SECRET_HEADERS).status_code == 503
    assert list(tmp_path.iterdir()) == []  # a provider's bad moment is not an answer to keep
    assert post(Record(Live(), tmp_path, source="test"), fake.url, body(), SECRET_HEADERS).status_code == 200
    [fixture] = tmp_path.iterdir()
    text = fixture.read_text("utf-8")
    for secret in (TEST_KEY, "SECRETORG", "SECRETPROJ", "SECRETCOOKIE", "Bearer"):
        assert secret not in text
    data = json.loads(text)
    assert data["request"]["body"] == body() and data["response"]["status"] == 200
    assert data["meta"]["synthetic"] is False


def test_replay_answers_offline_from_what_record_wrote(fake: FakeOpenAI, tmp_path: Path) -> None:
    fake.default = Reply(payload=example_payload())
    recorded = post(Record(Live(), tmp_path, source="test"), fake.url, body(), SECRET_HEADERS)
    fake.stop()  # nothing is listening any more
    replayed = post(Replay(tmp_path), "http://127.0.0.1:9/v1", body(), {"Authorization": "Bearer other"})
    assert replayed.status_code == 200 and replayed.json() == recorded.json()


def test_a_replay_miss_says_what_was_asked_and_what_the_directory_holds(fake: FakeOpenAI, tmp_path: Path) -> None:
    fake.default = Reply(payload=example_payload())
    post(Record(Live(), tmp_path, source="test"), fake.url, body(model="gpt-4o-mini"))
    with pytest.raises(errors.MissingRecordingError) as caught:
        post(Replay(tmp_path), fake.url, body(model="gpt-4o"))
    message = str(caught.value)
    assert "no recording for request" in message and "model gpt-4o" in message
    assert "differs in model" in message and "\n" not in message
    assert len(fake.requests) == 1  # the miss never went live
    with pytest.raises(errors.MissingRecordingError, match="the directory is empty"):
        post(Replay(tmp_path / "empty"), fake.url, body())


def test_record_missing_replays_what_is_there_and_records_the_rest(fake: FakeOpenAI, tmp_path: Path) -> None:
    fake.default = Reply(payload=example_payload())
    post(Record(Live(), tmp_path, source="test"), fake.url, body(article="First."))
    assert len(fake.requests) == 1
    assert post(RecordMissing(Live(), tmp_path, source="test"), fake.url, body(article="First.")).status_code == 200
    assert len(fake.requests) == 1  # answered from the directory
    assert post(RecordMissing(Live(), tmp_path, source="test"), fake.url, body(article="Second.")).status_code == 200
    assert len(fake.requests) == 2 and len(list(tmp_path.glob("*.json"))) == 2


# ------------------------------------------------------------------------------------ Rules
def test_rules_answers_a_fenced_article_and_refuses_anything_else() -> None:
    article = 'The Treasury sanctioned Acme Shipping LLC. "We deny it," said Jane Doe.'
    response = post(Rules(), "http://rules.invalid/v1", body(article=article))
    assert response.status_code == 200
    completion = response.json()
    answer = json.loads(completion["choices"][0]["message"]["content"])
    assert completion["model"] == "rules" and completion["usage"]["total_tokens"] == 0
    assert any(q.get("speaker") == "Jane Doe" for q in answer.get("quotes", [])), answer
    refused = post(Rules(), "http://rules.invalid/v1", {"model": "m", "messages": [{"role": "user", "content": "hi"}]})
    assert refused.status_code == 400 and "no fenced article" in refused.json()["error"]["message"]


# ---------------------------------------------------------------------------------- Answered
def test_answered_serves_known_answers_metered_and_records_misses(fake: FakeOpenAI) -> None:
    from summarizer.transports.batch_answers import Answer, Answered, Asked, NeedsAnswer, asking, body_key

    completion = {"id": "x", "object": "chat.completion", "model": "m", "usage": {"total_tokens": 9},
                  "choices": [{"index": 0, "message": {"role": "assistant", "content": "{}"}, "finish_reason": "stop"}]}
    known = body(article="Known.")
    asked = Asked(name=lambda key: f"a1-{key[:8]}", answers={f"a1-{body_key(known)[:8]}": Answer(200, completion)})
    led = Ledger()
    with recording(led), asking(asked):
        assert post(Answered(), "http://batch.invalid/v1", known).json() == completion
        with pytest.raises(NeedsAnswer):
            post(Answered(), "http://batch.invalid/v1", body(article="Unknown."))
    assert asked.used == [f"a1-{body_key(known)[:8]}"]
    assert list(asked.misses.values()) == [body(article="Unknown.")]
    assert led.requests == 1 and led.total_tokens == 9  # a served answer is metered like a live one
    # with a fallback (--reask-live) a miss goes live instead of being recorded
    fake.default = Reply(payload=example_payload())
    fallback = Asked(name=lambda key: key, answers={})
    with asking(fallback):
        assert post(Answered(fallback=Live()), fake.url, body(article="Unknown.")).status_code == 200
    assert fallback.misses == {} and len(fake.requests) == 1
    with pytest.raises(errors.SummarizerError, match="outside an article"):
        post(Answered(), "http://batch.invalid/v1", known)
