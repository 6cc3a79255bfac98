"""Shared test set-up: an isolated environment and a loopback fake OpenAI server per test.

Every test runs with no provider variables from the developer's shell, a private cache
directory, and (through `fake`) a real HTTP server on 127.0.0.1 that the real openai client
talks to. Nothing here patches the client.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakes import FakeOpenAI

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "iran-missiles-russia.txt"
SHARED = ROOT / "tests" / "articles"  # copies of ../shared/articles, unedited
TEST_KEY = "sk-test-SECRET0123456789abcdef"

_ENV = (
    "OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID",
    "SUMMARIZER_MODEL", "SUMMARIZER_BACKEND", "SUMMARIZER_REPLAY", "SUMMARIZER_RECORD",
    "SUMMARIZER_MODEL_PATH", "SUMMARIZER_CACHE_DIR", "SUMMARIZER_LOGS_DB", "SUMMARIZER_NO_LOG",
    "SUMMARIZER_DATA_DIR", "SUMMARIZER_PROVIDER",
    # every provider's key and URL variable (summarizer/providers.py): a key in the developer's
    # shell must neither leak into a test nor make a test pass
    "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "GEMINI_API_KEY", "GEMINI_BASE_URL", "OLLAMA_BASE_URL",
    "VLLM_API_KEY", "VLLM_BASE_URL", "GROQ_API_KEY", "GROQ_BASE_URL", "TOGETHER_API_KEY", "TOGETHER_BASE_URL",
    "OPENROUTER_API_KEY", "OPENROUTER_BASE_URL", "LLAMACPP_BASE_URL", "LMSTUDIO_BASE_URL",
    # a proxy in the developer's or CI's shell would swallow the loopback fake server's traffic
    "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy",
)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in _ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SUMMARIZER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("SUMMARIZER_LOGS_DB", str(tmp_path / "history.db"))  # never the user's history
    from summarizer.redact import forget_secrets

    forget_secrets()  # one test's fake key must not redact the next test's messages


@pytest.fixture(scope="session")
def installed_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project built as a wheel and installed apart from the checkout (a folder to put on
    PYTHONPATH), once per session: what a user's `pip install` gets."""
    import subprocess
    import sys

    root = tmp_path_factory.mktemp("wheel")
    wheels = root / "wheels"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels), str(ROOT)],
        capture_output=True, text=True, timeout=300,
    )
    if build.returncode != 0 and "hatchling" in build.stderr:
        pytest.skip("hatchling is not installed in this environment")
    assert build.returncode == 0, build.stderr
    (wheel,) = wheels.glob("summarizer-*.whl")
    site = root / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
                   check=True, capture_output=True, timeout=300)
    return site


_ARTIFACTS = pytest.StashKey[Path]()


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Path:
    """Where browser tests keep their screenshots: $SUMMARIZER_ARTIFACTS, else a temporary
    folder; named in the run's summary. Never inside the checkout."""
    import os

    given = os.environ.get("SUMMARIZER_ARTIFACTS")
    path = Path(given).resolve() if given else tmp_path_factory.mktemp("artifacts")
    path.mkdir(parents=True, exist_ok=True)
    request.config.stash[_ARTIFACTS] = path
    return path


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    path = config.stash.get(_ARTIFACTS, None)
    if path is not None and path.is_dir() and any(path.iterdir()):
        terminalreporter.write_line(f"screenshots of the rendered pages: {path}")


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


def example_text_of() -> str:
    return EXAMPLE.read_text(encoding="utf-8")


@pytest.fixture
def example_text() -> str:
    return example_text_of()


def example_payload(**changes: Any) -> dict[str, Any]:
    """A hand-written, correct answer for the example article (quotes verbatim, curly marks;
    evidence and summary support by the sentence ids of `sentences.numbered_sentences`)."""
    payload: dict[str, Any] = {
        "summary": [
            {
                "text": "Antony Blinken and David Lammy took aim at Iran over the allegation that it has "
                "shipped ballistic missiles to Russia.",
                "support": ["S3"],
            },
            {
                "text": "The State Department announced sanctions on Iranian and Russian entities, "
                "including Iran Air.",
                "support": ["S9", "S12"],
            },
        ],
        "allegations": [
            {
                "claim": "Iran has shipped ballistic missiles to Russia.",
                "alleged_by": "Antony Blinken and David Lammy",
                "against": "Iran",
                "status": "alleged",
                "hedge": "allegation",
                "evidence": "S3",
            }
        ],
        "sanctions_targets": [
            {"name": "Iran Air", "kind": "organization", "country": "Iran", "imposed_by": "State Department"}
        ],
        "quotes": [
            {
                "text": "completely aligned too on the need to tackle Iran\u2019s malign activity in the region and beyond",
                "speaker": "David Lammy",
            },
            {
                "text": "So as Iran\u2019s destabilizing activities spread, so does Russia, sowing even greater insecurity in their regions and around the world.",
                "speaker": "Antony Blinken",
            },
        ],
    }
    payload.update(changes)
    return payload


def payload(**fields: Any) -> dict[str, Any]:
    """An answer with nothing in it but `fields` (and a summary sentence that cites the first
    sentence and names nothing), for articles other than the example."""
    summary = [{"text": "the article reports it.", "support": ["S1"]}]
    return {"summary": summary, "allegations": [], "sanctions_targets": [], "quotes": [], **fields}


def sent_article(request_json: dict[str, Any]) -> str:
    """The user message of a chat request as the server received it, without the sentence id
    markers ("[S3] ") the prompt adds: what is left of the article must be unchanged."""
    from summarizer.grounding.sentences import without_sentence_ids

    return without_sentence_ids(str(request_json["messages"][-1]["content"]))


def dump(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)
