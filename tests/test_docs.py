"""The README is a contract: its commands, exit codes and options must match the code."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer.batch import EXIT_SOME_FAILED
from summarizer.cli import app
from summarizer.errors import EXIT_CODES

from .conftest import ROOT

README = (ROOT / "README.md").read_text("utf-8")


def test_readme_opens_with_the_run_and_the_test_command() -> None:
    blocks = re.findall(r"```sh\n(.*?)```", README, re.S)
    run, test = blocks[0].strip(), blocks[1].strip()
    assert "pip install -e '.[local]'" in run
    assert run.endswith("summarizer summarize examples/iran-missiles-russia.txt --backend local")
    assert (ROOT / "examples" / "iran-missiles-russia.txt").exists()
    assert test == "bash scripts/test.sh"
    assert "scripts/test.sh" in (ROOT / ".ci" / "run").read_text("utf-8")


def test_exit_code_table_matches_the_error_classes() -> None:
    rows = dict(re.findall(r"^\| (\d+) \| ?(\w*) ?\|", README, re.M))
    documented = {kind: int(code) for code, kind in rows.items() if kind}
    assert documented == {k: v for k, v in EXIT_CODES.items() if k != "error"} | {"internal": 1, "usage": 2}
    assert rows[str(EXIT_SOME_FAILED)] == "" and "130" in rows


def test_every_documented_option_exists() -> None:
    """Each option of the README's table is an option of `summarize`, or of `batch` where the
    row says it is for `batch` only."""
    helps = {cmd: CliRunner().invoke(app, [cmd, "--help"], terminal_width=200).stdout for cmd in ("summarize", "batch")}
    table = README.split("### Options and environment", 1)[1].split("\n\n", 2)[1]
    assert len(re.findall(r"`(--[a-z-]+)", table)) > 10
    for row in table.splitlines():
        command = "batch" if "`batch` only" in row else "summarize"
        for option in re.findall(r"`(--[a-z-]+)", row.split("|")[1] if "|" in row else ""):
            assert option in helps[command], f"{option} is documented but not an option of {command}"


QWEN_RECORDINGS = ROOT / "fixtures" / "local-qwen2.5-coder-1.5b"


def test_every_everyday_and_provider_command_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each line of the README's "Everyday commands" runs and succeeds, as written, with only
    its placeholders made real: `article.txt` is the example article, `page.html` a saved news
    page, the URL a loopback server, OpenAI the loopback fake server, the embedded model its
    recorded answers (fixtures/local-qwen2.5-coder-1.5b, recorded from the real model) and
    `ofac-sdn` a slice of the SDN list."""
    import http.server
    import shlex
    import shutil
    import threading

    from summarizer.providers import PROVIDERS
    from tests.fakes import FakeOpenAI, Reply

    from .conftest import EXAMPLE, SHARED, TEST_KEY, example_payload

    commands = []
    for section in ("## Everyday commands", "## Providers", "## Many articles"):
        for block in re.findall(r"```sh\n(.*?)```", README.split(section, 1)[1].split("\n## ", 1)[0], re.S):
            commands += [line.split("  #")[0].strip() for line in block.splitlines() if line.strip()]
    assert len(commands) >= 20

    page = (EXAMPLE.read_text("utf-8"))

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = page.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    web = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=web.serve_forever, daemon=True).start()
    monkeypatch.chdir(tmp_path)
    shutil.copy(EXAMPLE, "article.txt")
    shutil.copy(SHARED / "05_nytimes-sudan-sanctions.html", "page.html")
    Path("articles").mkdir()
    shutil.copy(EXAMPLE, "articles/iran.txt")
    Path("feeds").mkdir()
    shutil.copy(SHARED / "05_nytimes-sudan-sanctions.html", "feeds/sudan.html")
    shutil.copy(EXAMPLE, "more.txt")
    Path("records.jsonl").write_text(json.dumps({"id": "r1", "text": page}) + "\n", "utf-8")
    Path("archive/2024").mkdir(parents=True)
    shutil.copy(EXAMPLE, "archive/2024/iran.txt")
    shutil.copytree(SHARED, "tests/articles")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION", "1")
    ran = []
    try:
        with FakeOpenAI(default=Reply(payload=example_payload())) as fake:
            for command in commands:
                args = shlex.split(command)
                if args[0] == "export":
                    continue
                given = {}
                while "=" in args[0]:  # VAR=value before the command
                    name, value = args.pop(0).split("=", 1)
                    given[name] = f"{name}-for-the-test" if value == "..." else value
                if args[:2] == ["cat", "article.txt"]:  # the pipe: the article on stdin
                    args, stdin = args[args.index("|") + 1:], page
                elif args[0] == "find":  # the pipe: the paths `find` prints, on stdin
                    stdin = "".join(f"{p}\n" for p in sorted(Path(args[1]).rglob("*.txt")))
                    args = args[args.index("|") + 1:]
                else:
                    stdin = None
                assert args[0] == "summarizer", command
                args = [a.replace("https://example.org/story", f"http://127.0.0.1:{web.server_port}/story")
                        .replace("http://localhost:8000/v1", fake.url) for a in args[1:]]
                args = ["tests/data/lists/sdn-slice.csv" if a == "ofac-sdn" else a for a in args]
                # every provider's own URL variable names the fake server (as a user's proxy would)
                env = {p.url_env: fake.url for p in PROVIDERS.values()}
                env |= {"OPENAI_API_KEY": TEST_KEY, **given}
                if "local" in args:
                    env["SUMMARIZER_REPLAY"] = str(QWEN_RECORDINGS)
                if "--screen" in args:
                    Path("tests/data/lists").mkdir(parents=True, exist_ok=True)
                    shutil.copy(ROOT / "tests/data/lists/sdn-slice.csv", "tests/data/lists/sdn-slice.csv")
                if "--engine" in args:  # afresh, so the Batch API does the work instead of the resume
                    Path("out.jsonl").unlink()
                res = CliRunner().invoke(app, args, input=stdin, env=env)
                assert res.exit_code == 0, (command, res.output, res.exception)
                ran.append(args[0])
    finally:
        web.shutdown()
    assert Path("notes.md").read_text("utf-8").startswith("#")
    assert "<html" in Path("review.html").read_text("utf-8").lower()
    assert json.loads(Path("results.jsonl").read_text("utf-8").splitlines()[0])["ok"] is True
    assert (Path("review") / "index.html").exists()
    assert {"summarize", "batch", "render", "screen", "eval", "logs", "models", "schema", "providers"} <= set(ran)
    # each key went with its own provider's requests only (the fake stands for every host here)
    sent = {(r.json or {}).get("model"): {k.lower(): v for k, v in r.headers.items()}.get("authorization")
            for r in fake.requests if r.path.endswith("/chat/completions")}
    assert sent["claude-3-5-haiku-latest"] == "Bearer ANTHROPIC_API_KEY-for-the-test"
    assert sent["gpt-4o"] == f"Bearer {TEST_KEY}"
    assert sent["llama3.2"] != f"Bearer {TEST_KEY}"  # ollama takes no key: OPENAI's is not sent
    assert any(r.path.rstrip("/").endswith("/batches") and r.method == "POST" for r in fake.requests)
    assert [json.loads(line)["ok"] for line in Path("out.jsonl").read_text("utf-8").splitlines()] == [True]


def test_the_readme_builds_llama_cpp_with_the_flags_the_test_script_uses() -> None:
    """Both first commands build llama.cpp the same (portable) way; a native build dies on AMX
    CPUs in VMs that do not grant AMX (scripts/test.sh says why)."""
    readme = re.search(r'CMAKE_ARGS="([^"]+)" pip install', (ROOT / "README.md").read_text("utf-8"))
    script = re.search(r'CMAKE_ARGS:-([^}]+)\}', (ROOT / "scripts" / "test.sh").read_text("utf-8"))
    assert readme and script and readme.group(1) == script.group(1)
    assert "GGML_NATIVE=OFF" in readme.group(1)


def test_the_readme_example_answer_is_the_recorded_models_answer() -> None:
    """Every value the README shows in "What you get" is in the default model's answer for the
    example article, replayed from its recordings (a value cut with "..." is a prefix of one):
    the README cannot drift from what its first command prints."""
    block = README.split("## What you get", 1)[1].split("```json\n", 1)[1].split("```", 1)[0]
    res = CliRunner().invoke(app, ["summarize", str(ROOT / "examples" / "iran-missiles-russia.txt"), "--backend", "local",
                                   "--replay", str(ROOT / "fixtures" / "local-qwen2.5-coder-1.5b"), "--no-log"])
    assert res.exit_code == 0, res.output
    answer = json.loads(res.stdout)
    values: dict[str, list[object]] = {}

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                values.setdefault(key, []).append(value)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(answer)
    shown = re.findall(r'"(\w+)": ("(?:[^"\\]|\\.)*"|-?\d+)', block)
    assert len(shown) > 30, "the example block is parsed"
    for key, raw in shown:
        value = json.loads(raw)
        if (key, value) == ("backend", "local"):
            value = "replay"  # what a replayed answer's provenance says instead
        have = values.get(key, [])
        if isinstance(value, str) and value.endswith("..."):
            assert any(isinstance(v, str) and v.startswith(value[:-3]) for v in have), (key, value)
        else:
            assert value in have, (key, value, have[:3])
