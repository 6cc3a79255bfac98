"""The README's first command, for real: the default local model on the example article.

The only test that runs Qwen2.5-Coder-1.5B (about a minute on 2 cores, plus a few seconds to
join its parts on a fresh machine); every other local-model test uses the 135M model.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import EXAMPLE

pytestmark = [
    pytest.mark.local_model,
    pytest.mark.skipif(importlib.util.find_spec("llama_cpp") is None, reason="needs the [local] extra"),
]


def test_readme_first_command_with_the_default_model(tmp_path: Path) -> None:
    from summarizer.local import store

    st = store.status(store.find(store.DEFAULT_LOCAL_MODEL))
    if not st.installed:
        pytest.skip(f"the default model's parts are not installed ({st.missing[0]} ...)")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SUMMARIZER_"))}
    env["SUMMARIZER_CACHE_DIR"] = str(tmp_path / "cache")  # results cache only: the model dir stays
    env["SUMMARIZER_LOGS_DB"] = str(tmp_path / "history.db")  # never the user's history
    res = subprocess.run(
        [sys.executable, "-m", "summarizer", "summarize", str(EXAMPLE), "--backend", "local"],
        capture_output=True, text=True, env=env, timeout=900,
    )
    assert res.returncode == 0, res.stderr
    assert res.stderr == ""  # not a terminal: no progress, no llama.cpp log
    out = json.loads(res.stdout)
    article = EXAMPLE.read_text(encoding="utf-8")
    assert out["provenance"]["model"] == "qwen2.5-coder-1.5b" and out["provenance"]["backend"] == "local"
    assert out["provenance"]["usage"]["completion_tokens"] > 0
    assert len(out["summary"].split()) >= 8
    assert out["quotes"], "the 1.5B model returned no quote from an article full of them"
    for q in out["quotes"]:
        assert article[q["start"] : q["end"]] == q["text"]
    for t in out["sanctions_targets"]:
        assert t["name"].lower() in article.lower()
    assert store.status(store.find(store.DEFAULT_LOCAL_MODEL)).verified  # joined and stamped
