"""`summarizer batch --engine batch-api`, `--export-requests`, `--import-results`: rounds of
batches through the real pipeline, against the fake server's `/v1/files` and `/v1/batches`.

Every test goes through the real stack (typer -> bulk engine -> pipeline -> instructor ->
openai -> transports) to a loopback server; nothing is patched. The kill tests run the CLI in a
real subprocess and SIGKILL it at the moments where a batch could be lost or made twice.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import httpx2
import pytest
from typer.testing import CliRunner

from summarizer.batch.engine.format import custom_id, parse_result, request_line, split
from summarizer.batch.engine.state import state_path
from summarizer.cli import app
from summarizer.grounding.spans import quotation_spans
from tests.fakes import FakeOpenAI, Reply

from .conftest import TEST_KEY

runner = CliRunner()
QUOTE = "we will hold them to account"


def article(n: object, marker: str = "") -> str:
    return f'{marker}Article {n}. "{QUOTE}," an official said on day {n}.\n'


def long_article() -> str:
    """Six paragraphs, each with its own quotation: several chunks at --chunk-tokens 100."""
    return "\n\n".join(
        f'Paragraph {i} tells a long story about the sanctions and their effects on trade, ports and banks '
        f'in several countries over many months. "Quotation number {i} is here," said official {i}.'
        for i in range(6)
    ) + "\n"


def shown_article(body: dict[str, Any]) -> str:
    return str(body["messages"][1]["content"])  # the user message; re-asks append after it


def model(body: dict[str, Any]) -> Reply:
    """A scripted model: quotes every quotation it is shown; markers in the text script faults."""
    if body["tools"][0]["function"]["name"] == "WholeSummary":
        return Reply(payload={"summary": [{"text": "The whole article, summarised once.", "support": ["P1"]}]})
    text = shown_article(body)
    reask = len(body["messages"]) > 2
    if "POISON-400" in text:
        return Reply(status=400)
    if "POISON-INVALID" in text:
        return Reply(payload={"summary": 42})
    quotes = [{"text": text[a:b], "speaker": "An official"} for a, b in quotation_spans(text)]
    if "REASK-ONCE" in text and not reask:
        quotes = [{"text": "words the article never printed", "speaker": "Nobody"}]
    return Reply(payload={"summary": [{"text": "An official spoke.", "support": ["S1"]}], "allegations": [],
                          "sanctions_targets": [], "quotes": quotes[:40]})


@pytest.fixture
def server() -> Any:
    with FakeOpenAI(default=model) as fake:
        yield fake


def cli(fake: FakeOpenAI, *args: str) -> Any:
    return runner.invoke(
        app, ["batch", *args, "--base-url", fake.url, "--poll-interval", "0.01"], env={"OPENAI_API_KEY": TEST_KEY}
    )


def rows(path: Path) -> dict[Any, dict[str, Any]]:
    lines = [json.loads(line) for line in path.read_bytes().splitlines()]
    ids = [r["id"] for r in lines]
    assert len(ids) == len(set(ids)), f"an id appears twice: {Counter(ids).most_common(3)}"
    return {r["id"]: r for r in lines}


def write_inputs(root: Path, names: dict[str, str]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for name, text in names.items():
        (root / name).write_text(text, encoding="utf-8")


def of(cid: str, *names: str) -> bool:
    """Whether a custom id belongs to one of these input files (its readable part is the id: the
    file name, relative to the folder given)."""
    return cid.rsplit(".", 1)[0] in names


def error_lines(fake: FakeOpenAI, batch: dict[str, Any]) -> list[dict[str, Any]]:
    fid = batch["error_file_id"]
    return [json.loads(x) for x in fake.batches.data[fid].splitlines()] if fid else []


# --------------------------------------------------------------------------- accounting


def test_every_input_is_accounted_for_once_and_only_failed_ids_are_resubmitted(server: FakeOpenAI, tmp_path: Path) -> None:
    arts = tmp_path / "in"
    names = {f"a{i}.txt": article(i) for i in range(8)}
    names |= {"p400.txt": article("p", "POISON-400 "), "pinv.txt": article("i", "POISON-INVALID "),
              "reask.txt": article("r", "REASK-ONCE "), "long.txt": long_article()}
    write_inputs(arts, names)
    out = tmp_path / "out.jsonl"
    server.batches.fail_first = lambda cid, body: of(cid, "a3.txt", "a5.txt")
    server.batches.expire_next = 4  # the first batch expires with 4 of its 5 lines done

    r = cli(server, str(arts), str(tmp_path / "missing.txt"), "-o", str(out), "--engine", "batch-api",
            "--chunk-tokens", "100", "--max-batch-requests", "5", "--max-reasks", "1")
    assert r.exit_code == 12, r.output

    got = rows(out)
    expected = set(names) | {str(tmp_path / "missing.txt")}  # ids relative to the folder; a missing file as given
    assert set(got) == expected  # one line per input, nothing missing, nothing twice
    ok = {i for i, row in got.items() if row["ok"]}
    assert ok == {n for n in names if n.startswith(("a", "reask", "long"))}
    assert got["p400.txt"]["error"]["type"] == "provider"
    assert got["pinv.txt"]["error"]["type"] == "output_invalid"
    assert got[str(tmp_path / "missing.txt")]["error"]["type"] == "input"
    reask = got["reask.txt"]["result"]
    assert reask["provenance"]["attempts"] == 2 and [q["text"] for q in reask["quotes"]] == [QUOTE + ","]
    long = got["long.txt"]["result"]
    assert long["provenance"]["chunks"] > 2 and long["summary"] == "The whole article, summarised once."
    assert len(long["provenance"]["batch_ids"]) >= 2  # the chunks, then (a round later) the summary of the parts
    assert long["provenance"]["engine"] == "batch-api"

    batches = server.batches.created
    assert all(b["request_counts"]["total"] <= 5 for b in batches)  # split under the limit
    first = batches[0]
    assert first["status"] == "expired"
    expired = {line["custom_id"] for line in error_lines(server, first) if line["response"] is None}
    failed_first = {c for c in server.batches.attempts if of(c, "a3.txt", "a5.txt")}
    assert len(expired) == 1 and len(failed_first) == 2
    resubmitted = {c for c, n in server.batches.attempts.items() if n > 1}
    assert resubmitted == expired | failed_first  # only failed ids go again...
    bodies: dict[str, list[Any]] = {}
    for _, cid, body in server.batches.received:
        bodies.setdefault(cid, []).append(body)
    for cid in resubmitted:
        assert len(bodies[cid]) == 2 and bodies[cid][0] == bodies[cid][1]  # ...with identical bodies
    for i in range(8):  # a failed line is a request too: counted in attempts, without tokens
        prov = got[f"a{i}.txt"]["result"]["provenance"]
        again = any(of(c, f"a{i}.txt") for c in resubmitted)
        assert prov["attempts"] == (2 if again else 1) and prov["usage"]["total_tokens"] == 150
        assert len(prov["batch_ids"]) == 1 and prov["engine"] == "batch-api" and prov["batch_discount"] is None
    assert "pending 0" in r.output and "requests in" in r.output and "tokens" in r.output
    assert not state_path(out).exists()  # a finished run leaves no state behind


def test_failed_and_expired_lines_are_resubmitted_only_up_to_the_limit(server: FakeOpenAI, tmp_path: Path) -> None:
    write_inputs(tmp_path / "in", {"a.txt": article(1), "b.txt": article(2)})
    out = tmp_path / "out.jsonl"
    server.batches.fail_first = lambda cid, body: 99 if of(cid, "a.txt") else 0
    r = cli(server, str(tmp_path / "in"), "-o", str(out), "--engine", "batch-api", "--max-retries", "2")
    assert r.exit_code == 12, r.output
    got = rows(out)
    bad = got["a.txt"]
    assert bad["error"]["type"] == "retries_exhausted" and "failed 3 time(s)" in bad["error"]["message"]
    assert "HTTP 500" in bad["error"]["message"]
    assert got["b.txt"]["ok"]
    [cid] = [c for c in server.batches.attempts if of(c, "a.txt")]
    assert server.batches.attempts[cid] == 3  # the first try and 2 resubmissions, no more


def test_a_batch_that_fails_validation_fails_its_bad_line_and_resubmits_the_rest(server: FakeOpenAI, tmp_path: Path) -> None:
    write_inputs(tmp_path / "in", {"a.txt": article(1), "b.txt": article(2, "REJECT-ME "), "c.txt": article(3)})
    out = tmp_path / "out.jsonl"
    server.batches.reject = lambda n, req: "scripted rejection" if "REJECT-ME" in json.dumps(req) else None
    r = cli(server, str(tmp_path / "in"), "-o", str(out), "--engine", "batch-api")
    assert r.exit_code == 12, r.output
    got = rows(out)
    rejected = got["b.txt"]
    assert rejected["error"]["type"] == "provider" and "scripted rejection" in rejected["error"]["message"]
    assert got["a.txt"]["ok"] and got["c.txt"]["ok"]
    statuses = [b["status"] for b in server.batches.created]
    assert statuses == ["failed", "completed"]
    assert server.batches.created[0]["errors"]["data"][0]["line"] == 2


def test_reask_live_sends_follow_ups_live_and_first_requests_in_a_batch(server: FakeOpenAI, tmp_path: Path) -> None:
    write_inputs(tmp_path / "in", {"a.txt": article(1), "reask.txt": article(2, "REASK-ONCE ")})
    out = tmp_path / "out.jsonl"
    r = cli(server, str(tmp_path / "in"), "-o", str(out), "--engine", "batch-api", "--reask-live")
    assert r.exit_code == 0, r.output
    got = rows(out)
    assert all(row["ok"] for row in got.values())
    assert len(server.batches.created) == 1 and server.batches.created[0]["request_counts"]["total"] == 2
    live = [q for q in server.requests if q.path.endswith("/chat/completions")]
    assert len(live) == 1 and len(live[0].json["messages"]) > 2  # the re-ask, with the error appended
    assert got["reask.txt"]["result"]["provenance"]["attempts"] == 2


# --------------------------------------------------------------------------- engine-agnostic files


def test_exported_request_matches_what_a_live_call_sends(server: FakeOpenAI, tmp_path: Path) -> None:
    write_inputs(tmp_path / "in", {"a.txt": article("x", 'Quotes {{ 7*7 }} and \u201ccurly\u201d marks. ')})
    r = cli(server, str(tmp_path / "in"), "-o", str(tmp_path / "live.jsonl"))
    assert r.exit_code == 0, r.output
    [live] = [q.json for q in server.requests if q.path.endswith("/chat/completions")]
    requests = tmp_path / "requests.jsonl"
    r = runner.invoke(app, ["batch", str(tmp_path / "in"), "-o", str(tmp_path / "out.jsonl"),
                            "--export-requests", str(requests)])  # offline: no key, no base URL
    assert r.exit_code == 0, r.output
    [line] = [json.loads(x) for x in requests.read_bytes().splitlines()]
    assert line["body"] == live
    assert line["method"] == "POST" and line["url"] == "/v1/chat/completions"
    assert line["custom_id"] == custom_id("a.txt", _key(live))
    assert "wrote 1 request(s) for 1 article(s)" in r.output
    assert (tmp_path / "out.jsonl").read_bytes() == b""  # nothing answered yet, nothing claimed


def _key(body: Any) -> str:
    from summarizer.transports.batch_answers import body_key

    return body_key(body)


def _engine_results(fake: FakeOpenAI, requests: Path, results: Path) -> None:
    """What `vllm run-batch` does: send each request line, write result lines (shuffled)."""
    out: list[bytes] = []
    with httpx2.Client() as client:
        for n, raw in enumerate(requests.read_bytes().splitlines()):
            req = json.loads(raw)
            resp = client.post(fake.url + "/chat/completions", json=req["body"])
            out.append(json.dumps({"id": f"vllm-{n}", "custom_id": req["custom_id"],
                                   "response": {"status_code": resp.status_code, "request_id": f"r{n}",
                                                "body": resp.json()}, "error": None}).encode() + b"\n")
    random.Random(7).shuffle(out)
    results.write_bytes(b"".join(out))


def test_import_results_validates_and_grounds_like_live_and_rounds_continue_by_file(
    server: FakeOpenAI, tmp_path: Path
) -> None:
    names = {"a.txt": article(1), "b.txt": article(2, 'He said "we never did it" twice. '),
             "reask.txt": article(3, "REASK-ONCE "), "p400.txt": article(4, "POISON-400 ")}
    write_inputs(tmp_path / "in", names)
    live_out = tmp_path / "live.jsonl"
    assert cli(server, str(tmp_path / "in"), "-o", str(live_out)).exit_code == 12
    live = rows(live_out)

    out = tmp_path / "out.jsonl"
    req1, res1 = tmp_path / "req1.jsonl", tmp_path / "res1.jsonl"
    assert runner.invoke(app, ["batch", str(tmp_path / "in"), "-o", str(out), "--export-requests", str(req1)]).exit_code == 0
    _engine_results(server, req1, res1)
    r = runner.invoke(app, ["batch", str(tmp_path / "in"), "-o", str(out), "--import-results", str(res1)])
    assert r.exit_code == 12, r.output
    assert "1 input(s) need another round" in r.output and "pending 1" in r.output
    got = rows(out)
    assert set(got) == {"a.txt", "b.txt", "p400.txt"}
    for rid, row in got.items():
        assert row["ok"] == live[rid]["ok"]
        if row["ok"]:  # the same validation and grounding as live: same quotes, offsets, drops
            a, b = row["result"], live[rid]["result"]
            assert a["quotes"] == b["quotes"] and a["provenance"]["dropped"] == b["provenance"]["dropped"]
            assert a["provenance"]["engine"] == "import" and a["provenance"]["usage"] == b["provenance"]["usage"]
        else:  # the same error, said of the engine that answered instead of the live host
            assert row["error"]["type"] == live[rid]["error"]["type"] == "provider"
            assert row["error"]["message"] == live[rid]["error"]["message"].replace("127.0.0.1", "batch-engine.invalid")

    # the next round by file: the re-ask request of the article that needs one
    req2, res2 = tmp_path / "req2.jsonl", tmp_path / "res2.jsonl"
    r = runner.invoke(app, ["batch", str(tmp_path / "in"), "-o", str(out), "--import-results", str(res1),
                            "--export-requests", str(req2)])
    assert r.exit_code == 12 and "wrote 1 request(s) for 1 article(s)" in r.output  # p400 failed again
    [follow] = [json.loads(x) for x in req2.read_bytes().splitlines()]
    assert len(follow["body"]["messages"]) > 2 and "not in the article" in json.dumps(follow["body"]["messages"][-1])
    _engine_results(server, req2, res2)
    r = runner.invoke(app, ["batch", str(tmp_path / "in"), "-o", str(out), "--import-results", str(res1),
                            "--import-results", str(res2)])
    got = rows(out)
    assert got["reask.txt"]["ok"]
    assert got["reask.txt"]["result"]["quotes"] == live["reask.txt"]["result"]["quotes"]
    assert r.exit_code == 12 and "pending 0" in r.output  # p400 stays failed, nothing pending


def test_bad_files_and_flags_get_one_line_errors(server: FakeOpenAI, tmp_path: Path) -> None:
    write_inputs(tmp_path / "in", {"a.txt": article(1)})
    out = tmp_path / "out.jsonl"
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"custom_id": "x", "response": {"status_code": 200, "body": {}}}\nnot json\n')
    r = runner.invoke(app, ["batch", str(tmp_path / "in"), "-o", str(out), "--import-results", str(bad)])
    assert r.exit_code == 3 and "line 2 of" in r.output and "is not JSON" in r.output
    r = runner.invoke(app, ["batch", str(tmp_path / "in"), "-o", str(out), "--import-results", str(tmp_path)])
    assert r.exit_code == 3 and "not a regular file" in r.output
    r = runner.invoke(app, ["batch", str(tmp_path / "in"), "-o", str(out), "--export-requests", str(out)])
    assert r.exit_code == 4 and "is also -o" in r.output
    r = cli(server, str(tmp_path / "in"), "-o", str(out), "--engine", "batch-api", "--export-requests", "x.jsonl")
    assert r.exit_code == 4 and "instead of sending" in r.output
    r = runner.invoke(app, ["batch", str(tmp_path / "in"), "-o", str(out), "--engine", "batch-api",
                            "--replay", str(tmp_path)])
    assert r.exit_code == 4 and "Batch API" in r.output
    r = runner.invoke(app, ["batch", str(tmp_path / "in"), "-o", str(out), "--engine", "nope"])
    assert r.exit_code == 2
    r = cli(server, str(tmp_path / "in"), "-o", str(out), "--engine", "batch-api", "--strategy", "focused")
    assert r.exit_code == 4 and "one after another" in r.output and not server.batches.created
    # an endpoint without a Batch API: one line, the provider's exit code, no traceback
    r = runner.invoke(app, ["batch", str(tmp_path / "in"), "-o", str(out), "--engine", "batch-api",
                            "--base-url", server.url.replace("/v1", "/elsewhere/v1")], env={"OPENAI_API_KEY": TEST_KEY})
    assert r.exit_code == 6 and "no Batch API" in r.output and "Traceback" not in r.output
    assert TEST_KEY not in r.output


def test_a_state_file_that_is_not_ours_is_never_used_or_overwritten(server: FakeOpenAI, tmp_path: Path) -> None:
    write_inputs(tmp_path / "in", {"a.txt": article(1)})
    out = tmp_path / "out.jsonl"
    foreign = state_path(out)
    foreign.write_text('{"somebody": "else"}')
    r = cli(server, str(tmp_path / "in"), "-o", str(out), "--engine", "batch-api")
    assert r.exit_code == 4 and "refusing to use or overwrite" in r.output
    assert foreign.read_text() == '{"somebody": "else"}' and not server.batches.created
    foreign.unlink()
    foreign.symlink_to(tmp_path / "elsewhere.json")
    r = cli(server, str(tmp_path / "in"), "-o", str(out), "--engine", "batch-api")
    assert r.exit_code == 4 and "not a regular file" in r.output
    assert not (tmp_path / "elsewhere.json").exists() and not server.batches.created


# --------------------------------------------------------------------------- kill, resume, cancel


def _spawn(fake: FakeOpenAI, inputs: Path, out: Path, *extra: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "OPENAI_API_KEY": TEST_KEY}
    return subprocess.Popen(
        [sys.executable, "-m", "summarizer", "batch", str(inputs), "-o", str(out), "--engine", "batch-api",
         "--base-url", fake.url, "--poll-interval", "0.01", *extra],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )


@pytest.mark.parametrize(
    ("route", "phase"),
    [("upload", "before"), ("upload", "after"), ("create", "before"), ("create", "after"), ("retrieve", "after")],
)
def test_kill_at_a_dangerous_moment_then_rerun_makes_no_duplicate_batch(
    server: FakeOpenAI, tmp_path: Path, route: str, phase: str
) -> None:
    write_inputs(tmp_path / "in", {f"a{i}.txt": article(i) for i in range(4)})
    out = tmp_path / "out.jsonl"
    hold = server.batches.hold(route, phase)
    proc = _spawn(server, tmp_path / "in", out)
    try:
        assert hold.reached.wait(60), proc.communicate(timeout=5)
        proc.kill()  # SIGKILL: no cleanup, no last state write
        proc.wait(10)
    finally:
        hold.release.set()
    if route == "create" and phase == "after":
        for n in range(120):  # other batches since: ours is on the second page of the list
            _other_batch(server, n)

    r = cli(server, str(tmp_path / "in"), "-o", str(out), "--engine", "batch-api")
    assert r.exit_code == 0, r.output
    ours = [b for b in server.batches.created if (b.get("metadata") or {}).get("summarizer_output") == "out.jsonl"]
    assert len(ours) == 1  # the batch was made once, whatever the moment of the kill
    assert all(n == 1 for n in server.batches.attempts.values())  # every request answered once
    uploads = [f for f in server.batches.files.values() if f["purpose"] == "batch" and f["filename"].startswith("summarizer-")]
    assert len(uploads) == 1  # and uploaded once (a dropped upload never existed)
    assert set(rows(out)) == {f"a{i}.txt" for i in range(4)}
    if phase == "after" and route in ("upload", "create"):
        assert f"found {'upload' if route == 'upload' else 'batch'}" in r.output
    assert not state_path(out).exists()


def _other_batch(fake: FakeOpenAI, n: int) -> None:
    """A batch of someone else's, made through the API like any client would."""
    with httpx2.Client(base_url=fake.url, headers={"Authorization": f"Bearer {TEST_KEY}"}) as client:
        line = request_line(f"other-{n}", {"model": "m", "messages": []})
        fid = client.post("/files", files={"file": (f"other-{n}.jsonl", line)}, data={"purpose": "batch"}).json()["id"]
        client.post("/batches", json={"input_file_id": fid, "endpoint": "/v1/chat/completions",
                                      "completion_window": "24h", "metadata": {"owner": "someone else"}})


def test_an_outage_while_polling_stops_with_one_line_and_a_rerun_resumes(server: FakeOpenAI, tmp_path: Path) -> None:
    write_inputs(tmp_path / "in", {f"a{i}.txt": article(i) for i in range(3)})
    out = tmp_path / "out.jsonl"
    server.batches.unavailable = {"retrieve"}
    r = cli(server, str(tmp_path / "in"), "-o", str(out), "--engine", "batch-api", "--max-retries", "1")
    assert r.exit_code == 7, r.output
    assert "HTTP 503" in r.output and "batches keep running" in r.output and "Traceback" not in r.output
    assert len(server.batches.created) == 1 and state_path(out).exists()
    server.batches.unavailable = set()
    r = cli(server, str(tmp_path / "in"), "-o", str(out), "--engine", "batch-api")
    assert r.exit_code == 0, r.output
    assert len(server.batches.created) == 1 and len(rows(out)) == 3


def test_ctrl_c_leaves_batches_running_and_cancel_keeps_partial_output(server: FakeOpenAI, tmp_path: Path) -> None:
    names = {f"a{i}.txt": article(i) for i in range(6)}
    write_inputs(tmp_path / "in", names)
    out = tmp_path / "out.jsonl"
    hold = server.batches.hold("retrieve", "after")  # the first poll: the batch is now in progress
    proc = _spawn(server, tmp_path / "in", out)
    try:
        assert hold.reached.wait(60)
        proc.send_signal(signal.SIGINT)
    finally:
        hold.release.set()
    _, err = proc.communicate(timeout=30)
    text = err.decode()
    assert proc.returncode == 130, text
    assert "batches keep running" in text and "--cancel" in text and "Traceback" not in text
    [batch] = server.batches.created
    assert batch["status"] == "in_progress"  # Ctrl-C did not cancel it

    r = cli(server, str(tmp_path / "in"), "-o", str(out), "--engine", "batch-api", "--cancel")
    assert r.exit_code == 12, r.output
    assert batch["status"] == "cancelled" and "need another round" in r.output
    done = rows(out)
    assert len(done) == 3 and all(row["ok"] for row in done.values())  # the finished half is kept
    assert state_path(out).exists()

    r = cli(server, str(tmp_path / "in"), "-o", str(out), "--engine", "batch-api")
    assert r.exit_code == 0, r.output
    assert set(rows(out)) == set(names)
    assert len(server.batches.created) == 2 and server.batches.created[1]["request_counts"]["total"] == 3


# --------------------------------------------------------------------------- the format and the fake


def test_custom_ids_are_stable_safe_and_unique() -> None:
    a = custom_id("articles/2024/x y\u00e9\n.txt", "k1")
    assert a == custom_id("articles/2024/x y\u00e9\n.txt", "k1") and len(a) <= 64
    assert set(a) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
    assert a != custom_id("articles/2024/x y\u00e9\n.txt", "k2") != custom_id(7, "k1") != custom_id("7", "k1")
    assert custom_id("../../" + "z" * 300, "k").startswith("z") and len(custom_id("z" * 300, "k")) <= 64
    assert custom_id("///", "k").startswith("id.")


def test_split_respects_both_limits() -> None:
    lines = [(f"c{i}", b"x" * 10) for i in range(25)]
    assert [len(g) for g in split(lines, max_requests=10)] == [10, 10, 5]
    assert [len(g) for g in split(lines, max_bytes=35)] == [3] * 8 + [1]
    assert [c for g in split(lines, 7, 45) for c, _ in g] == [c for c, _ in lines]  # order kept


def test_result_lines_parse_or_say_what_is_wrong() -> None:
    line = parse_result(b'{"id": "r", "custom_id": "c", "response": null, "error": {"code": "batch_expired", "message": "late"}}')
    assert line.status is None and line.reason() == "batch_expired: late"
    line = parse_result('{"custom_id": "c", "response": {"status_code": 500, "body": {"error": {"message": "boom"}}}}')
    assert line.reason() == "HTTP 500: boom"
    for bad, why in [(b"[]", "not a JSON object"), (b'{"response": {}}', "custom_id"),
                     (b'{"custom_id": "c", "response": {"status_code": "200"}}', "status_code"),
                     (b'{"custom_id": "c"}', "neither")]:
        with pytest.raises(ValueError, match=why):
            parse_result(bad)


def test_fake_batch_api_statuses_shuffled_files_and_pagination() -> None:
    with FakeOpenAI(default=Reply(payload={"summary": "s"})) as server:
        _exercise_fake_batch_api(server)


def _exercise_fake_batch_api(server: FakeOpenAI) -> None:
    import openai

    client = openai.OpenAI(base_url=server.url, api_key=TEST_KEY, max_retries=0)
    body = {"model": "m", "messages": [{"role": "user", "content": "x"}], "tools": [
        {"type": "function", "function": {"name": "Extraction", "parameters": {}}}]}
    data = b"".join(request_line(f"c{i}", body) for i in range(30))
    fid = client.files.create(file=("in.jsonl", data, "application/jsonl"), purpose="batch").id
    batch = client.batches.create(input_file_id=fid, endpoint="/v1/chat/completions", completion_window="24h")
    seen = [batch.status]
    while seen[-1] not in ("completed", "failed", "expired", "cancelled"):
        seen.append(client.batches.retrieve(batch.id).status)
    assert seen == ["validating", "in_progress", "finalizing", "completed"]
    done = client.batches.retrieve(batch.id)
    order = [json.loads(x)["custom_id"] for x in client.files.content(done.output_file_id).content.splitlines()]
    assert sorted(order) == sorted(f"c{i}" for i in range(30)) and order != [f"c{i}" for i in range(30)]
    for _ in range(4):
        client.batches.create(input_file_id=fid, endpoint="/v1/chat/completions", completion_window="24h")
    first = client.batches.list(limit=2)
    assert len(first.data) == 2 and first.has_more
    assert len({b.id for b in client.batches.list(limit=2)}) == 5  # iterating follows the pages
    cancel = client.batches.create(input_file_id=fid, endpoint="/v1/chat/completions", completion_window="24h")
    assert client.batches.cancel(cancel.id).status == "cancelling"
    gone = client.batches.retrieve(cancel.id)
    assert gone.status == "cancelled" and gone.request_counts.completed == 15
    with pytest.raises(openai.NotFoundError):
        client.batches.retrieve("batch_nope")
    names = [f.filename for f in client.files.list(purpose="batch")]
    assert names == ["in.jsonl"]


def test_the_documented_commands_run(server: FakeOpenAI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The batch engines' commands of docs/batch.md, run as written."""
    import re
    import shlex

    from .conftest import ROOT

    readme = (ROOT / "docs" / "batch.md").read_text("utf-8")
    block = re.search(r"## Batch engines.*?```sh\n(.*?)```", readme, re.S)
    assert block
    text = block.group(1).replace("\\\n", " ")  # continuation lines
    commands = [line.split("  #")[0].strip() for line in text.strip().splitlines()]
    monkeypatch.chdir(tmp_path)
    write_inputs(tmp_path / "articles", {f"a{i}.txt": article(i) for i in range(3)} | {"r.txt": article(9, "REASK-ONCE ")})
    expected = {"a0.txt", "a1.txt", "a2.txt", "r.txt"}  # relative to the folder given
    for command in commands:
        args = shlex.split(command)
        if args[0] == "vllm":  # the engine itself: answer each request line as vLLM would
            _engine_results(server, Path(args[args.index("-i") + 1]), Path(args[args.index("-o") + 1]))
            continue
        assert args[:2] == ["summarizer", "batch"]
        if "--export-requests" in args:
            Path("out.jsonl").unlink()  # the file route starts afresh
        r = cli(server, *args[2:])
        assert r.exit_code == 0, (command, r.output)
        assert set(rows(Path("out.jsonl"))) == (set() if "--export-requests" in args else expected), command


def test_the_tally_reports_tokens_and_the_openai_batch_price(tmp_path: Path) -> None:
    from summarizer.batch.engine.rounds import Engine, Options
    from summarizer.settings import Settings

    openai_host = Settings.resolve(api_key=TEST_KEY)  # api.openai.com: nothing is sent here
    engine = Engine([], tmp_path / "out.jsonl", openai_host, Options(submit=True), say=lambda m: None)
    assert engine.tally.discount == 0.5
    engine.tally.prompt_tokens, engine.tally.completion_tokens = 1200, 300
    assert "tokens 1200 prompt + 300 completion (batch price 50% of live)" in engine.tally.line()
    other = Settings.resolve(api_key=TEST_KEY, base_url="http://localhost:8000/v1")
    assert Engine([], tmp_path / "o.jsonl", other, Options(submit=True), say=lambda m: None).tally.discount is None
    assert Engine([], tmp_path / "o.jsonl", openai_host, Options(), say=lambda m: None).tally.discount is None


def test_batch_answers_are_screened_like_live_ones(tmp_path: Path) -> None:
    from summarizer.screening import index as index_mod

    from .conftest import example_payload
    from .test_screening_pipeline import ARTICLE, SLICE

    index_mod.forget()
    payload = example_payload(
        summary=[{"text": "Treasury designated Khedri and his company.", "support": ["S1"]}], quotes=[], allegations=[],
        sanctions_targets=[{"name": "Abdolhossein Khedri", "kind": "person", "country": None, "imposed_by": "Treasury"}],
    )
    write_inputs(tmp_path / "in", {f"a{i}.txt": ARTICLE + f" Story {i}." for i in range(2)})
    out, live = tmp_path / "out.jsonl", tmp_path / "live.jsonl"
    with FakeOpenAI(default=Reply(payload=payload)) as fake:
        r = cli(fake, str(tmp_path / "in"), "-o", str(out), "--engine", "batch-api", "--screen", str(SLICE))
        assert r.exit_code == 0, r.output
        assert len(fake.batches.created) == 1
        assert cli(fake, str(tmp_path / "in"), "-o", str(live), "--screen", str(SLICE)).exit_code == 0
    got, want = rows(out), rows(live)
    for rid, row in got.items():
        targets = row["result"]["sanctions_targets"]
        assert targets[0]["screening"]  # screened...
        assert targets == want[rid]["result"]["sanctions_targets"]  # ...exactly as a live run screens
