"""Issue 12, the results cache: a key made of everything that can change the answer (with an
explicit list of what is left out), and `cache --clear` that deletes only its own files."""

from __future__ import annotations

import json
import os
import time
from dataclasses import fields
from pathlib import Path

from typer.testing import CliRunner

from summarizer import cache
from summarizer.cli import app
from summarizer.settings import Settings
from tests.fakes import FakeOpenAI, Reply

from .conftest import EXAMPLE, TEST_KEY, example_payload

runner = CliRunner()


def test_every_settings_field_has_a_cache_key_decision() -> None:
    names = {f.name for f in fields(Settings) if f.init}
    keyed, left_out = set(cache.KEYED), set(cache.NOT_KEYED)
    assert not keyed & left_out, keyed & left_out
    assert names - keyed - left_out == set(), (
        "a new Settings field needs a decision: add it to cache.KEYED (it can change the answer) "
        "or to cache.NOT_KEYED with the reason it cannot"
    )
    assert keyed | left_out <= names  # no stale names either
    assert all(reason.strip() for reason in cache.NOT_KEYED.values())


def key(**kw: object) -> str:
    return cache.cache_key("0" * 64, Settings(**{"api_key": TEST_KEY, **kw}))  # type: ignore[arg-type]


def test_every_keyed_setting_changes_the_key(tmp_path: Path) -> None:
    model = tmp_path / "m.gguf"
    model.write_bytes(b"GGUF one")
    base = key(base_url="http://127.0.0.1:8001/v1")
    changed = {
        "port": key(base_url="http://127.0.0.1:8002/v1"),
        "path": key(base_url="http://127.0.0.1:8001/v2"),
        "scheme": key(base_url="https://127.0.0.1:8001/v1"),
        "chunk_tokens": key(base_url="http://127.0.0.1:8001/v1", chunk_tokens=100),
        "model_path": key(base_url="http://127.0.0.1:8001/v1", model_path=str(model)),
        "mode": key(base_url="http://127.0.0.1:8001/v1", mode="json"),
        "max_reasks": key(base_url="http://127.0.0.1:8001/v1", max_reasks=0),
        "max_tokens": key(base_url="http://127.0.0.1:8001/v1", max_tokens=99),
        "temperature": key(base_url="http://127.0.0.1:8001/v1", temperature=0.5),
        "model": key(base_url="http://127.0.0.1:8001/v1", model="other"),
        "backend": cache.cache_key("0" * 64, Settings(backend="rules")),
    }
    assert base not in changed.values() and len(set(changed.values())) == len(changed)
    with_model = changed["model_path"]
    model.write_bytes(b"GGUF two, another model at the same path")
    assert key(base_url="http://127.0.0.1:8001/v1", model_path=str(model)) != with_model


def test_what_cannot_change_the_answer_does_not_change_the_key() -> None:
    base = key(base_url="http://h:1/v1")
    assert key(base_url="http://user:secret@H:1/v1/") == base  # credentials, case, trailing slash
    assert key(base_url="http://h:1/v1", api_key="sk-other-key-123456") == base
    assert key(base_url="http://h:1/v1", max_retries=0, timeout=5, request_timeout=5, retry_wait=1) == base
    # the chunk budget as used: the explicit default is the default
    assert cache.cache_key("x", Settings(backend="rules", chunk_tokens=10**9)) == cache.cache_key(
        "x", Settings(backend="rules"))



def test_a_changed_schema_changes_the_key(tmp_path: Path, monkeypatch) -> None:
    """The key holds a fingerprint of the schema module's source (cheaper than generating the
    JSON schema): an edited schema is a miss; an unreadable source falls back to the schema's
    own hash."""
    from summarizer import schema

    before = key(base_url="http://h:1/v1")
    edited = tmp_path / "schema.py"
    edited.write_text(Path(schema.__file__).read_text() + "\n\nclass Added(BaseModel):\n    x: int\n")
    monkeypatch.setattr(schema, "__file__", str(edited))
    schema.schema_fingerprint.cache_clear()  # computed once per process
    try:
        assert key(base_url="http://h:1/v1") != before
        monkeypatch.setattr(schema, "__file__", str(tmp_path / "gone.py"))
        schema.schema_fingerprint.cache_clear()
        assert schema.schema_fingerprint() == schema.schema_sha256()
    finally:
        schema.schema_fingerprint.cache_clear()

def _summarize(url: str, *args: str) -> dict:
    res = runner.invoke(app, ["summarize", str(EXAMPLE), "--base-url", url, *args],
                        env={"OPENAI_API_KEY": TEST_KEY})
    assert res.exit_code == 0, res.stderr
    return json.loads(res.stdout)


def test_two_servers_with_the_same_model_name_never_share_results() -> None:
    other = example_payload(summary=[{"text": "Iran is said to ship missiles to Russia, says the second server.",
                                       "support": ["S3"]}])
    with FakeOpenAI(default=Reply(payload=example_payload())) as a, FakeOpenAI(default=Reply(payload=other)) as b:
        first = _summarize(a.url)
        second = _summarize(b.url)
        assert len(b.requests) == 1 and "second server" in second["summary"]
        assert "second server" not in first["summary"]
        assert _summarize(a.url)["provenance"]["cached"] is True and len(a.requests) == 1


def test_chunk_tokens_is_part_of_the_key() -> None:
    with FakeOpenAI(default=Reply(payload=example_payload())) as fake:
        _summarize(fake.url)
        again = _summarize(fake.url, "--chunk-tokens", "100000")
        assert again["provenance"]["cached"] is False and len(fake.requests) == 2


def _entry(root: Path) -> Path:
    """A real cache entry, written by the cache itself."""
    from summarizer.schema import ArticleSummary

    result = ArticleSummary.model_validate({
        "summary": "s", "allegations": [], "sanctions_targets": [], "quotes": [],
        "provenance": {"model": "m", "backend": "openai", "prompt_sha256": "p", "schema_sha256": "s",
                       "input_sha256": "i", "attempts": 1,
                       "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                       "elapsed_s": 0.1},
    })
    k = cache.cache_key("i" * 64, Settings(backend="rules"))
    cache.put(k, result, root)
    return root / k[:2] / f"{k}.json"


def test_clear_deletes_only_its_own_entries(tmp_path: Path) -> None:
    root = tmp_path / "project"  # e.g. a mistyped SUMMARIZER_CACHE_DIR pointing at a project
    foreign = {
        "db/config.json": '{"password": "x"}',
        "js/package.json": '{"name": "app"}',
        "ab/" + "a" * 64 + ".json": '{"not": "a result"}',  # our name, not our content
        "ab/notes.txt": "keep",
        "README.json": "{}",
    }
    for name, text in foreign.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    own = _entry(root)
    misplaced = root / "zz" / own.name  # right content and name, wrong shard
    misplaced.parent.mkdir()
    misplaced.write_bytes(own.read_bytes())
    stale = own.parent / ".tmp-abc123"
    stale.write_text("half a write")
    os.utime(stale, (time.time() - 3600, time.time() - 3600))
    fresh = own.parent / ".tmp-def456"
    fresh.write_text("a write in progress")

    assert cache.stats(root)[1] == 1
    assert cache.clear(root) == 1
    assert not own.exists() and not stale.exists()
    assert fresh.exists() and misplaced.exists()
    for name, text in foreign.items():
        assert (root / name).read_text() == text, name


def test_clear_through_the_cli_keeps_foreign_files(tmp_path: Path) -> None:
    root = tmp_path / "c"
    (root / "db").mkdir(parents=True)
    (root / "db" / "config.json").write_text("{}")
    _entry(root)
    res = runner.invoke(app, ["cache", "--clear"], env={"SUMMARIZER_CACHE_DIR": str(root)})
    assert res.exit_code == 0 and "removed 1 cached result(s)" in res.stdout
    assert (root / "db" / "config.json").exists()
    assert sorted(p.name for p in root.iterdir()) == ["db"]  # the emptied shard is gone too
