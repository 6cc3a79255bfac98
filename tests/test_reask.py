"""`grounding.reask`: the response models the pipeline sends, re-asks for what is not in the
article, and each answer grounded once per attempt (the validator's grounding is the result's).

Through the real stack: the loopback fake server, the openai client and instructor."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from summarizer import schema, summarize
from summarizer.grounding import ground as ground_module
from summarizer.grounding import reask
from tests.fakes import FakeOpenAI, Reply

from .conftest import TEST_KEY, example_payload


@pytest.fixture
def ground_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times an answer was grounded: a spy that calls the real `ground`."""
    calls: list[int] = []
    real: Callable[..., Any] = ground_module.ground

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(reask, "ground", counted)
    import summarizer.pipeline as pipeline

    monkeypatch.setattr(pipeline, "ground", counted)
    return calls


def test_a_good_answer_is_grounded_once(fake: FakeOpenAI, example_text: str, ground_calls: list[int]) -> None:
    fake.script(Reply(payload=example_payload()))
    result = summarize(example_text, base_url=fake.url, api_key=TEST_KEY)
    assert len(result.quotes) == 2, "the answer's two quotes are in the result"
    assert len(ground_calls) == 1, f"one attempt, one grounding; got {len(ground_calls)}"


def test_each_reasked_attempt_is_grounded_once(fake: FakeOpenAI, example_text: str, ground_calls: list[int]) -> None:
    invented = example_payload(quotes=[{"text": "words nobody said", "speaker": "David Lammy"}])
    fake.script(Reply(payload=invented), Reply(payload=example_payload()))
    result = summarize(example_text, base_url=fake.url, api_key=TEST_KEY)
    assert result.provenance.attempts == 2, "the invented quote was re-asked once"
    assert len(ground_calls) == 2, f"two attempts, two groundings (none again for the result); got {len(ground_calls)}"
    reasked = fake.requests[1].json["messages"]
    assert "words nobody said" in str(reasked[-1]["content"]), "the re-ask names what was not found"


def test_the_last_attempt_keeps_what_grounds_and_reports_the_rest(fake: FakeOpenAI, example_text: str) -> None:
    invented = example_payload(quotes=[{"text": "words nobody said", "speaker": "David Lammy"}])
    fake.script(Reply(payload=invented))
    result = summarize(example_text, base_url=fake.url, api_key=TEST_KEY, max_reasks=0)
    assert result.quotes == [], "the invented quote is not returned"
    dropped = [d for d in result.provenance.dropped if d.kind == "quote"]
    assert [d.text for d in dropped] == ["words nobody said"], "and its drop is reported"


def test_the_sent_models_are_the_data_models_with_validators() -> None:
    """Same tool name, description and schema as the data model: requests (and so recordings)
    do not depend on where the validators live."""
    for sent, data in ((reask.Extraction, schema.Extraction), (reask.WholeSummary, schema.WholeSummary)):
        assert sent.__name__ == data.__name__, "the tool's name is the class name"
        assert sent.model_json_schema() == data.model_json_schema(), f"{sent.__name__}'s schema differs"
        assert issubclass(sent, data), "a sent answer is a data answer"


def test_without_a_grounding_state_the_validator_lets_the_answer_through() -> None:
    """Outside a model call (a test building an answer by hand) there is nothing to check against."""
    answer = reask.Extraction.model_validate({"quotes": [{"ref": "Q99"}]})
    assert answer.quotes[0].ref == "Q99", "no article, no check"


def test_inside_a_call_a_bad_answer_raises_with_every_problem_listed() -> None:
    state = reask.GroundingState(article="He said “hello there” today.", max_attempts=2)
    with reask.grounding(state), pytest.raises(ValueError, match="Q9") as raised:
        reask.Extraction.model_validate({"quotes": [{"ref": "Q9"}], "summary": []})
    assert "no summary" in str(raised.value), "the missing summary is listed too"
    assert state.grounded is not None, "the grounding is kept for the pipeline"
    assert state.reasks, "the re-ask message is kept"
