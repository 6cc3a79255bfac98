"""Issue 12, what reaches people and files: no terminal control characters in anything printed
for people, the documented exit code for every output failure, nothing lost, nothing left."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from summarizer import errors
from summarizer.cli import app
from summarizer.render import render
from summarizer.terminal import clean
from tests.fakes import FakeOpenAI, Reply

from .conftest import EXAMPLE, ROOT, TEST_KEY, example_payload
from .test_faults import _cli_as_other_user, _world_dir

runner = CliRunner()
HOSTILE = "\x1b]0;PWNED\x07\x1b[2J\x9b31m\u202eevil\u2066\r"
# ESC, BEL, C1 (0x80-0x9f), CR and the bidi embeddings/overrides/isolates
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def hostile_payload() -> dict[str, Any]:
    payload = example_payload()
    payload["summary"][0]["text"] += f" {HOSTILE} The end."
    payload["allegations"][0]["claim"] = f"Iran shipped missiles {HOSTILE}"
    return payload


def cli(fake: FakeOpenAI, *args: str) -> Any:
    env = {"OPENAI_API_KEY": TEST_KEY, "OPENAI_BASE_URL": fake.url}
    return runner.invoke(app, [*args], env=env)


# ------------------------------------------------------------------ 8. terminal escape injection
def test_clean_keeps_text_and_length_and_makes_controls_visible() -> None:
    text = "Quote: \u201cJa\u201d \u05e9\u05dc\u05d5\u05dd\u200f tab\there\nnext line"
    assert clean(text) == text  # ordinary text, RTL with its marks, tab and newline untouched
    out = clean(HOSTILE)
    assert len(out) == len(HOSTILE) and not UNSAFE.search(out)
    assert out.startswith("\ufffd]0;PWNED\ufffd\ufffd[2J")  # visible, inert


@pytest.mark.parametrize("fmt", ["md", "table"])
def test_model_output_cannot_drive_the_terminal(fake: FakeOpenAI, fmt: str) -> None:
    fake.default = Reply(payload=hostile_payload())
    res = cli(fake, "summarize", str(EXAMPLE), "--no-cache", "-f", fmt)
    assert res.exit_code == 0, res.stderr
    assert "PWNED" in res.stdout  # the text is shown...
    assert not UNSAFE.search(res.stdout.replace("\n", "").replace("\t", ""))  # ...but never obeyed


def test_render_functions_clean_every_model_string(example_text: str) -> None:
    from summarizer.schema import ArticleSummary

    result = ArticleSummary.model_validate({
        "summary": HOSTILE, "allegations": [], "sanctions_targets": [], "quotes": [],
        "provenance": {"model": HOSTILE, "backend": "openai", "prompt_sha256": "p", "schema_sha256": "s",
                       "input_sha256": "i", "attempts": 1, "source": HOSTILE,
                       "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                       "elapsed_s": 0.1, "dropped": [{"kind": "quote", "text": HOSTILE, "reason": HOSTILE}]},
    })
    for fmt in ("md", "table"):
        out = render(result, example_text, fmt)
        assert not UNSAFE.search(out.replace("\n", "")), fmt
    colored = render(result, example_text, "table", color=True)
    assert "PWNED\x07" not in colored and "\x1b]0" not in colored  # rich's own colours only


def test_error_messages_and_verbose_lines_are_clean(fake: FakeOpenAI, tmp_path: Path) -> None:
    missing = tmp_path / f"no{HOSTILE}such.txt"
    res = cli(fake, "summarize", str(missing))
    assert res.exit_code == 3 and "such.txt" in res.stderr
    assert not UNSAFE.search(res.stderr.replace("\n", ""))
    # ids from JSONL records reach -v lines, warnings and failure lines
    recs = tmp_path / "r.jsonl"
    recs.write_text("".join(json.dumps({"id": f"id{HOSTILE}", "text": f"Text {i}, \u201csaid\u201d."}) + "\n"
                            for i in range(2)))
    fake.default = Reply(status=400)
    res = cli(fake, "batch", str(recs), "-o", str(tmp_path / "out.jsonl"), "-v")
    assert "duplicate id" in res.stderr and "failed" in res.stderr
    assert not UNSAFE.search(res.stderr.replace("\n", ""))


# ------------------------------------------------------------------ 9. exit codes and clean-up
def test_debug_keeps_the_exit_code_for_every_kind(fake: FakeOpenAI, tmp_path: Path) -> None:
    res = cli(fake, "summarize", str(tmp_path / "missing.txt"), "--debug")
    assert res.exit_code == 3 and "Traceback" in res.stderr and "InputError" in res.stderr
    res = cli(fake, "summarize", str(EXAMPLE), "--chunk-tokens", "5", "--debug")
    assert res.exit_code == 4 and "Traceback" in res.stderr


@pytest.mark.parametrize("kind", ["directory", "missing parent", "parent is a file"])
def test_an_unusable_output_path_is_refused_before_the_model_call(fake: FakeOpenAI, tmp_path: Path,
                                                                   kind: str) -> None:
    fake.default = Reply(payload=example_payload())
    (tmp_path / "file").write_text("x")
    target = {"directory": tmp_path, "missing parent": tmp_path / "nope" / "out.json",
              "parent is a file": tmp_path / "file" / "out.json"}[kind]
    res = cli(fake, "summarize", str(EXAMPLE), "--no-cache", "-o", str(target))
    assert res.exit_code == errors.ConfigError.exit_code == 4, res.stderr
    assert fake.requests == []  # nothing paid for
    assert not [p for p in tmp_path.parent.rglob(".*.tmp")], "a temporary file was left behind"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_an_unwritable_output_directory_is_refused_before_the_model_call(fake: FakeOpenAI) -> None:
    fake.default = Reply(payload=example_payload())
    with _world_dir() as base:
        locked = base / "locked"
        locked.mkdir()
        locked.chmod(0o555)
        proc = _cli_as_other_user(
            ["summarize", str(EXAMPLE), "--base-url", fake.url, "-o", str(locked / "out.json")], base
        )
        assert proc.returncode == 4, proc.stderr
        assert "cannot write -o" in proc.stderr and "ermission denied" in proc.stderr
        assert fake.requests == [] and list(locked.iterdir()) == []


def test_a_full_disk_is_an_output_error_and_the_result_is_kept(fake: FakeOpenAI) -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full to simulate a full disk")
    fake.default = Reply(payload=example_payload())
    res = cli(fake, "summarize", str(EXAMPLE), "--no-cache", "-o", "/dev/full")
    assert res.exit_code == errors.OutputError.exit_code == 13, res.stderr
    assert "No space left on device" in res.stderr and res.stderr.count("\n") == 1
    saved = re.search(r"saved to (\S+) instead", res.stderr)
    assert saved is not None, res.stderr
    kept = Path(saved.group(1))
    try:
        assert json.loads(kept.read_text())["quotes"]  # the paid-for result, whole
    finally:
        kept.unlink()
    assert len(fake.requests) == 1
    assert os.path.exists("/dev/full") and not os.path.isfile("/dev/full")  # the device is untouched


def test_output_to_a_device_and_through_a_link(fake: FakeOpenAI, tmp_path: Path) -> None:
    fake.default = Reply(payload=example_payload())
    real = tmp_path / "real.json"
    real.write_text("old")
    (tmp_path / "link.json").symlink_to(real)
    res = cli(fake, "summarize", str(EXAMPLE), "--no-cache", "-o", str(tmp_path / "link.json"))
    assert res.exit_code == 0, res.stderr
    assert (tmp_path / "link.json").is_symlink() and json.loads(real.read_text())["quotes"]
    p = subprocess.run([sys.executable, "-m", "summarizer", "summarize", str(EXAMPLE), "-o", "/dev/stdout"],
                       capture_output=True, text=True, timeout=60,
                       env={**os.environ, "OPENAI_API_KEY": TEST_KEY, "OPENAI_BASE_URL": fake.url,
                            "PYTHONPATH": str(ROOT)})
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["quotes"] and os.path.exists("/dev/stdout")


def test_batch_output_write_failure_is_an_output_error(tmp_path: Path) -> None:
    from summarizer.batch import ResultFile

    out = ResultFile(tmp_path / "out.jsonl")
    out.open()
    os.close(out._fd)
    out._fd = os.open("/dev/full", os.O_WRONLY)  # the disk fills up mid-run
    with pytest.raises(errors.OutputError, match="No space left"):
        out.write("a", True, b'{"id": "a", "ok": true}\n')
    out.close()
