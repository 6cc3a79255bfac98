"""The fake OpenAI server, driven through the real openai client and instructor."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx2
import instructor
import openai
import pydantic
import pytest

from tests.fakes import FakeOpenAI, Reply

PAYLOAD = {"title": "Missiles", "points": ["one", "two"]}
MESSAGES: list[Any] = [{"role": "user", "content": "Summarize this."}]
TOOL: Any = {
    "type": "function",
    "function": {"name": "Summary", "parameters": {"type": "object", "properties": {}}},
}


class Summary(pydantic.BaseModel):
    title: str
    points: list[str]


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        yield fake


def make_client(server: FakeOpenAI, timeout: float = 5.0) -> openai.OpenAI:
    # openai ignores an http_client timeout equal to httpx2's default (5 s) and falls back to
    # its own 600 s, so the timeout is also given to OpenAI itself.
    return openai.OpenAI(
        api_key="sk-test-not-real",
        base_url=server.url,
        max_retries=0,
        timeout=timeout,
        http_client=httpx2.Client(timeout=timeout),
    )


def test_tools_mode_gets_tool_call_with_payload(server: FakeOpenAI) -> None:
    server.script(Reply(payload=PAYLOAD))
    resp = make_client(server).chat.completions.create(
        model="fake-model",
        messages=MESSAGES,
        tools=[TOOL],
        tool_choice={"type": "function", "function": {"name": "Summary"}},
    )
    msg = resp.choices[0].message
    assert msg.content is None
    assert msg.tool_calls is not None
    call = msg.tool_calls[0]
    assert call.type == "function"
    assert call.function.name == "Summary"
    assert json.loads(call.function.arguments) == PAYLOAD
    assert resp.choices[0].finish_reason == "stop"
    assert resp.model == "fake-model"
    assert resp.usage is not None and resp.usage.total_tokens == 150


def test_plain_request_gets_content(server: FakeOpenAI) -> None:
    server.script(
        Reply(payload=PAYLOAD), Reply(content="{'oops'", finish_reason="length")
    )
    client = make_client(server)
    first = client.chat.completions.create(model="m1", messages=MESSAGES)
    assert json.loads(first.choices[0].message.content or "") == PAYLOAD
    assert first.model == "m1"
    second = client.chat.completions.create(model="m1", messages=MESSAGES)
    assert second.choices[0].message.content == "{'oops'"
    assert second.choices[0].finish_reason == "length"


def test_rate_limit_carries_retry_after(server: FakeOpenAI) -> None:
    server.script(Reply(status=429, headers={"Retry-After": "1"}))
    with pytest.raises(openai.RateLimitError) as info:
        make_client(server).chat.completions.create(
            model="fake-model", messages=MESSAGES
        )
    assert info.value.status_code == 429
    assert info.value.response.headers["retry-after"] == "1"


def test_reset_is_a_connection_error(server: FakeOpenAI) -> None:
    server.script(Reply(action="reset"), Reply(payload=PAYLOAD))
    client = make_client(server)
    with pytest.raises(openai.APIConnectionError) as info:
        client.chat.completions.create(model="fake-model", messages=MESSAGES)
    assert not isinstance(info.value, openai.APITimeoutError)
    # The server keeps serving after a reset.
    ok = client.chat.completions.create(model="fake-model", messages=MESSAGES)
    assert json.loads(ok.choices[0].message.content or "") == PAYLOAD


def test_delay_past_client_timeout_is_a_timeout(server: FakeOpenAI) -> None:
    server.script(Reply(payload=PAYLOAD, delay=1.0))
    start = time.monotonic()
    with pytest.raises(openai.APITimeoutError):
        make_client(server, timeout=0.3).chat.completions.create(
            model="fake-model", messages=MESSAGES
        )
    assert time.monotonic() - start < 0.9


def test_trickle_defeats_per_read_timeouts(server: FakeOpenAI) -> None:
    # Every byte, headers included, arrives within the 0.5 s read timeout, so the client
    # waits for the whole slow response: exactly the fault a whole-exchange deadline must stop.
    server.script(Reply(body=b'{"ok": 1}', headers={"X-Slow": "1"}, trickle=0.01))
    start = time.monotonic()
    response = httpx2.Client(timeout=0.5).post(f"{server.url}/chat/completions", json={})
    elapsed = time.monotonic() - start
    assert response.status_code == 200 and response.json() == {"ok": 1}
    assert response.headers["x-slow"] == "1"
    assert elapsed > 0.5, elapsed  # longer than one read timeout, and no timeout was raised


def test_malformed_headers_and_usage_are_sent_as_scripted(server: FakeOpenAI) -> None:
    server.script(Reply(payload=PAYLOAD, headers={"Retry-After": "soon"}, usage={"prompt_tokens": "many"}))
    response = httpx2.Client().post(f"{server.url}/chat/completions", json={"messages": MESSAGES})
    assert response.headers["retry-after"] == "soon"
    assert response.json()["usage"] == {"prompt_tokens": "many"}


def test_empty_queue_is_a_500(server: FakeOpenAI) -> None:
    with pytest.raises(openai.InternalServerError) as info:
        make_client(server).chat.completions.create(
            model="fake-model", messages=MESSAGES
        )
    assert info.value.status_code == 500
    assert "no scripted reply left" in info.value.message


def test_default_and_callable_replies() -> None:
    def echo_model(body: dict[str, Any]) -> Reply:
        return Reply(payload={"model": body["model"]})

    with FakeOpenAI(default=echo_model) as fake:
        fake.script(Reply(body=b"not json at all", status=200))
        client = make_client(fake)
        # openai 3.3 lets the decoder error escape for a JSON content-type with a garbage body.
        with pytest.raises(json.JSONDecodeError):
            client.chat.completions.create(model="fake-model", messages=MESSAGES)
        for name in ("a", "b"):
            resp = client.chat.completions.create(model=name, messages=MESSAGES)
            assert json.loads(resp.choices[0].message.content or "") == {"model": name}


def test_models_and_unknown_path(server: FakeOpenAI) -> None:
    client = make_client(server)
    assert [m.id for m in client.models.list()] == ["fake-model"]
    with pytest.raises(openai.NotFoundError):
        client.embeddings.create(model="fake-model", input="x")


def test_concurrent_requests_are_not_serialised() -> None:
    with FakeOpenAI(default=Reply(payload=PAYLOAD), latency=0.3) as fake:
        client = make_client(fake)

        def one(i: int) -> str:
            resp = client.chat.completions.create(model=f"m{i}", messages=MESSAGES)
            return resp.model

        start = time.monotonic()
        with ThreadPoolExecutor(max_workers=16) as pool:
            models = list(pool.map(one, range(16)))
        elapsed = time.monotonic() - start
    assert models == [f"m{i}" for i in range(16)]
    assert elapsed < 2.0
    assert len(fake.requests) == 16


def test_requests_are_recorded(server: FakeOpenAI) -> None:
    server.script(Reply(payload=PAYLOAD))
    make_client(server).chat.completions.create(
        model="fake-model", messages=MESSAGES, temperature=0
    )
    [req] = server.requests
    assert req.method == "POST"
    assert req.path == "/v1/chat/completions"
    assert req.headers["authorization"] == "Bearer sk-test-not-real"
    assert req.headers["content-type"] == "application/json"
    assert req.json == {"model": "fake-model", "messages": MESSAGES, "temperature": 0}
    server.reset()
    assert server.requests == []
    assert server.pending == 0


@pytest.mark.parametrize(
    "mode", [instructor.Mode.TOOLS, instructor.Mode.JSON_SCHEMA, instructor.Mode.JSON]
)
def test_instructor_round_trip(server: FakeOpenAI, mode: instructor.Mode) -> None:
    server.script(Reply(payload=PAYLOAD))
    client = instructor.from_openai(make_client(server), mode=mode)
    result = client.create(
        response_model=Summary, messages=MESSAGES, model="fake-model"
    )
    assert result.model_dump() == PAYLOAD
    [req] = server.requests
    assert req.json is not None
    if mode is instructor.Mode.TOOLS:
        assert req.json["tools"][0]["function"]["name"] == "Summary"
    else:
        assert "tools" not in req.json


def test_command_line_serves_payload_file(tmp_path: Path) -> None:
    answer = tmp_path / "answer.json"
    answer.write_text(json.dumps(PAYLOAD))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "summarizer.testing.server",
            "--port",
            "0",
            "--payload-file",
            str(answer),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:") and url.endswith("/v1")
        client = openai.OpenAI(
            api_key="sk-test-not-real", base_url=url, max_retries=0, timeout=5.0
        )
        resp = client.chat.completions.create(model="fake-model", messages=MESSAGES)
        assert json.loads(resp.choices[0].message.content or "") == PAYLOAD
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=5)
    assert err == ""
