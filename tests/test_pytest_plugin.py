"""The pytest plugin, run as a user's suite runs it (pytester): replay, the record modes against
a provider configured in the environment (the loopback fake server), and the report of a
missing recording."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.fakes import FakeOpenAI, Reply

from .conftest import EXAMPLE, ROOT, TEST_KEY, example_payload, payload

pytest_plugins = ["pytester"]

OTHER = "The minister resigned on Monday. He gave no reason for leaving the post."


def answer(body: dict[str, Any]) -> Reply:
    """The provider: the hand-written answer for the example, an empty one for OTHER."""
    user = str(body["messages"][-1]["content"])
    if "Iran" in user:
        return Reply(payload=example_payload())
    if "minister resigned" in user:
        return Reply(payload=payload())
    return Reply(status=404)


def suite(pytester: pytest.Pytester, recordings: Path, body: str) -> None:
    pytester.makepyfile(
        test_user=f"""
import pytest
from pathlib import Path
from summarizer import summarize

EXAMPLE = Path({str(EXAMPLE)!r}).read_text("utf-8")
OTHER = {OTHER!r}

@pytest.mark.summarizer_replay({str(recordings)!r})
{body}
"""
    )


BOTH = """def test_both():
    assert summarize(EXAMPLE).sanctions_targets[0].name == "Iran Air"
    assert summarize(OTHER).quotes == []
"""


@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch) -> Any:
    with FakeOpenAI(default=answer) as fake:
        monkeypatch.setenv("OPENAI_BASE_URL", fake.url)
        monkeypatch.setenv("OPENAI_API_KEY", TEST_KEY)
        yield fake


def recorded(directory: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in directory.glob("*.json")}


def test_replay_answers_from_the_recordings_with_the_network_blocked(pytester: pytest.Pytester) -> None:
    suite(pytester, ROOT / "fixtures" / "synthetic", """def test_it():
    import socket
    from summarizer.testing.pytest_plugin import NetworkBlocked
    assert summarize(EXAMPLE).provenance.backend == "replay"
    with pytest.raises(NetworkBlocked):
        socket.create_connection(("127.0.0.1", 9), timeout=1)
""")
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_a_missing_recording_is_one_paragraph_naming_the_article_and_what_exists(pytester: pytest.Pytester) -> None:
    suite(pytester, ROOT / "fixtures" / "synthetic", """def test_other_model():
    summarize(EXAMPLE, model="gpt-4o")
""")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    out = result.stdout.str()
    [paragraph] = [line for line in out.splitlines() if "no recording for request" in line and "FAILED" not in line]
    line = next(i for i, text in enumerate((pytester.path / "test_user.py").read_text().splitlines(), 1) if "gpt-4o" in text)
    assert paragraph.startswith(f"test_user.py:{line}: summarizer: no recording for request ")
    assert "POST /v1/chat/completions for model gpt-4o (mode tools, max_tokens 4096" in paragraph
    assert "article \u201cSkip to content Iran Sanctioned for Allegedly Sending\u2026\u201d" in paragraph
    from summarizer.inputs import read_article

    assert f"sha256 {read_article(str(EXAMPLE)).sha256[:16]}" in paragraph  # = provenance.input_sha256
    assert "recordings of this article there: model gpt-4o-mini (mode tools" in paragraph
    assert "(synthetic), differs in model" in paragraph and "recorded 20" in paragraph
    assert "--summarizer-record-mode=new_episodes" in paragraph
    for noise in ("Traceback", "Connection error", "httpx2", "transports/", "instructor", "Captured log"):
        assert noise not in out, noise
    failures = out.split("= FAILURES =", 1)[1].split("short test summary", 1)[0]
    shown = [line for line in failures.splitlines() if line.strip("= ")]
    assert len(shown) == 2 and "test_other_model" in shown[0] and shown[1] == paragraph  # no traceback


def test_a_missing_recording_of_an_unknown_article_says_so(pytester: pytest.Pytester) -> None:
    suite(pytester, ROOT / "fixtures" / "synthetic", "def test_other():\n    summarize(OTHER)\n")
    out = pytester.runpytest("-p", "no:cacheprovider").stdout.str()
    assert "article \u201cThe minister resigned on Monday. He gave no\u2026\u201d" in out
    assert "there is no recording of this article there (1 recording(s) of 1 other text(s))" in out


def test_new_episodes_records_only_what_is_missing(pytester: pytest.Pytester, provider: FakeOpenAI, tmp_path: Path) -> None:
    recordings = tmp_path / "rec"
    shutil.copytree(ROOT / "fixtures" / "synthetic", recordings)
    before = recorded(recordings)
    suite(pytester, recordings, BOTH)
    result = pytester.runpytest("-p", "no:cacheprovider", "--summarizer-record-mode=new_episodes")
    result.assert_outcomes(passed=1)
    assert "summarizer: record mode new_episodes" in result.stdout.str()
    assert len(provider.requests) == 1 and "minister resigned" in json.dumps(provider.requests[0].json)
    after = recorded(recordings)
    assert len(after) == 2 and all(after[name] == stamp for name, stamp in before.items())  # kept as is
    for f in recordings.glob("*.json"):
        assert TEST_KEY not in f.read_text("utf-8")
    # and from now on the suite replays offline
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
    assert len(provider.requests) == 1


def test_once_records_an_empty_directory_then_replays(pytester: pytest.Pytester, provider: FakeOpenAI, tmp_path: Path) -> None:
    recordings = tmp_path / "new" / "rec"  # missing: made when recording
    again = f"@pytest.mark.summarizer_replay({str(recordings)!r})\ndef test_again():\n    assert summarize(OTHER).quotes == []\n"
    suite(pytester, recordings, BOTH + "\n\n" + again)
    pytester.runpytest("-p", "no:cacheprovider", "--summarizer-record-mode=once").assert_outcomes(passed=2)
    assert len(provider.requests) == 2 and len(recorded(recordings)) == 2  # the second test replayed too
    pytester.runpytest("-p", "no:cacheprovider", "--summarizer-record-mode=once").assert_outcomes(passed=2)
    assert len(provider.requests) == 2  # not empty any more: replay only


def test_all_records_everything_anew(pytester: pytest.Pytester, provider: FakeOpenAI, tmp_path: Path) -> None:
    recordings = tmp_path / "rec"
    shutil.copytree(ROOT / "fixtures" / "synthetic", recordings)
    before = recorded(recordings)
    suite(pytester, recordings, BOTH)
    pytester.runpytest("-p", "no:cacheprovider", "--summarizer-record-mode=all").assert_outcomes(passed=1)
    assert len(provider.requests) == 2
    after = recorded(recordings)
    assert len(after) == 2 and all(after[name] != stamp for name, stamp in before.items())  # rewritten
    meta = [json.loads(f.read_text("utf-8"))["meta"] for f in recordings.glob("*.json")]
    assert all(m["synthetic"] is False and m["endpoint_host"] == "127.0.0.1" for m in meta)


def test_the_ini_option_sets_the_default_mode(pytester: pytest.Pytester, provider: FakeOpenAI, tmp_path: Path) -> None:
    recordings = tmp_path / "rec"
    suite(pytester, recordings, BOTH)
    pytester.makeini("[pytest]\nsummarizer_record_mode = new_episodes\n")
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
    assert len(provider.requests) == 2
    pytester.runpytest("-p", "no:cacheprovider", "--summarizer-record-mode=none").assert_outcomes(passed=1)
    assert len(provider.requests) == 2


def test_replay_of_a_missing_directory_says_how_to_record_it(pytester: pytest.Pytester, tmp_path: Path) -> None:
    suite(pytester, tmp_path / "nowhere", BOTH)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    assert "does not exist (record it with --summarizer-record-mode=once)" in result.stdout.str()
    assert "Traceback" not in result.stdout.str()


def test_an_unknown_record_mode_is_a_usage_error(pytester: pytest.Pytester) -> None:
    suite(pytester, ROOT / "fixtures" / "synthetic", BOTH)
    result = pytester.runpytest("-p", "no:cacheprovider", "--summarizer-record-mode=sometimes")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "invalid choice: 'sometimes'" in result.stderr.str()


def test_recording_without_a_provider_fails_with_the_configuration_error(pytester: pytest.Pytester, tmp_path: Path) -> None:
    suite(pytester, tmp_path / "rec", BOTH)
    result = pytester.runpytest("-p", "no:cacheprovider", "--summarizer-record-mode=all")
    result.assert_outcomes(failed=1)
    assert "api_key is missing (no OPENAI_API_KEY), and so is base_url" in result.stdout.str()


def test_the_readme_example_and_commands_run(pytester: pytest.Pytester, provider: FakeOpenAI) -> None:
    import re
    import shlex

    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("### In your own pytest suite", 1)[1].split("\n## ", 1)[0]
    [example] = re.findall(r"```python\n(.*?)```", section, re.S)
    [commands] = re.findall(r"```sh\n(.*?)```", section, re.S)
    pytester.makepyfile(test_report=example)
    (pytester.path / "tests").mkdir()
    shutil.copy(EXAMPLE, pytester.path / "tests" / "article.txt")
    for line in commands.strip().splitlines():  # first records what is missing, then replays
        args = shlex.split(line)
        assert args[0] == "pytest"
        pytester.runpytest("-p", "no:cacheprovider", *args[1:]).assert_outcomes(passed=1)
    assert len(provider.requests) == 1 and len(list((pytester.path / "tests" / "recordings").glob("*.json"))) == 1
    # and the failure it shows for a request with no recording is the one described
    pytester.makepyfile(test_report=example.replace(".read())", ".read(), model='gpt-4o')"))
    out = pytester.runpytest("-p", "no:cacheprovider").stdout.str()
    assert re.search(r"test_report\.py:\d+: summarizer: no recording for request \w+ in .*tests/recordings: "
                     r"POST /v1/chat/completions for model gpt-4o \(mode tools", out)
    assert "recordings of this article there: model gpt-4o-mini" in out and "differs in model" in out
