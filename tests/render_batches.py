"""Real batch outputs for the rendering tests: `summarizer batch` through the CLI on the development
articles (tests/articles), with the rules backend, and with the embedded model's recorded answers
(fixtures/local-qwen2.5-coder-1.5b, recorded from the real Qwen2.5-Coder-1.5B; they cover the six
older articles). Tests on the replayed output check structure, never exact counts: the recordings
are re-recorded as the prompts change.
"""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from summarizer.cli import app

from .conftest import ROOT, SHARED

RECORDINGS = ROOT / "fixtures" / "local-qwen2.5-coder-1.5b"
RECORDED = ["01_ofac-iran-khedri-network.txt", "02_polygraph-al-tanf-rukban.txt",
            "03_derstandard-eu-russland-sanktionen.txt", "04_nbc-south-korea-impeachment.txt",
            "05_nytimes-sudan-sanctions.html", "iran-missiles-russia.txt"]
ARTICLES = sorted(p.name for p in SHARED.iterdir() if p.suffix in (".txt", ".html"))
SLICE = ROOT / "tests" / "data" / "lists" / "sdn-slice.csv"


def env(root: Path) -> dict[str, str | None]:
    """What the batch sees: no history, a private cache, no provider settings."""
    return {"SUMMARIZER_NO_LOG": "1", "SUMMARIZER_CACHE_DIR": str(root / "cache"), "OPENAI_API_KEY": None,
            "SUMMARIZER_REPLAY": None, "SUMMARIZER_RECORD": None, "SUMMARIZER_BACKEND": None,
            "SUMMARIZER_MODEL": None, "SUMMARIZER_LOGS_DB": str(root / "history.db")}


def run_batch(root: Path, names: list[str], *options: str) -> Path:
    """`summarizer batch` of these development articles into root/out.jsonl; its path."""
    root.mkdir(parents=True, exist_ok=True)
    out = root / "out.jsonl"
    res = CliRunner().invoke(app, ["batch", *(str(SHARED / n) for n in names), "-o", str(out), *options],
                             env=env(root), catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return out


def rules_batch(root: Path, names: list[str] = ARTICLES) -> Path:
    return run_batch(root, names, "--backend", "rules")


def replay_batch(root: Path, names: list[str] = RECORDED) -> Path:
    """The recorded real model: a request it has no recording for fails the batch (no live call)."""
    return run_batch(root, names, "--backend", "local", "--replay", str(RECORDINGS))


def render(batch: Path, *args: str | Path) -> str:
    """`summarizer render BATCH ARGS`; its stderr (the run must succeed)."""
    res = CliRunner().invoke(app, ["render", str(batch), *map(str, args)], env=env(batch.parent),
                             catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return res.stderr


def copies(root: Path, n: int) -> Path:
    """A batch file of `n` articles: the rules backend's result for the example article under n
    ids (each pointing at the example file, so its text is found again), one failed line in ten."""
    import json

    from summarizer import summarize

    from .conftest import EXAMPLE

    root.mkdir(parents=True, exist_ok=True)
    result = summarize(EXAMPLE.read_text("utf-8"), backend="rules")
    result.provenance.source = str(EXAMPLE)
    body = result.model_dump_json()
    out = root / "out.jsonl"
    with open(out, "w", encoding="utf-8") as handle:
        for i in range(n):
            rid = json.dumps(f"article-{i:05d}.txt")
            if i % 10 == 9:
                handle.write(f'{{"id": {rid}, "ok": false, "error": {{"type": "provider", "message": "HTTP 500"}}}}\n')
            else:
                handle.write(f'{{"id": {rid}, "ok": true, "result": {body}}}\n')
    return out
