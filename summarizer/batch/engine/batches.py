"""The run's batches at the provider: submit, resume, poll, read, cancel.

Knows parts (input file + batch, `state.Part`) and custom ids, never articles: the engine asks
it to send requests and to tell which ids came back, and keeps the articles itself. Every
step that creates something at the provider is written to the state file before and after,
so a rerun finds it (an upload by its unique name, a batch by its metadata).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from ...errors import ProviderError
from ...transports.batch_answers import Answer
from .batch_api import COMPLETION_WINDOW, BatchAPI, BatchInfo
from .outcomes import Answers, classify, lines_of
from .state import TERMINAL, Part, State

LONGEST_WAIT_S = 26 * 3600.0
"""How long a batch may stay unfinished before waiting on it is an error: the 24 h completion
window after which the provider must expire it, plus two hours of slack. Polling ends there."""


class Batches:
    """Parts in flight and read, answers and failures by custom id, for one output file."""

    def __init__(self, api: BatchAPI, state: State, answers: Answers, say: Callable[[str], None], output: str) -> None:
        self.api = api
        self.state = state
        self.answers = answers
        self.say = say
        self.output = output
        self.answered_by: dict[str, Part] = {}  # custom id -> the part whose line answered it
        self.inflight: dict[str, Part] = {}  # custom id -> a part not read yet
        self.earlier: dict[str, Part] = {}  # custom id -> the latest part read by an earlier run
        self.loaded: set[str] = set()  # parts whose files were read in this run
        self.created = 0  # batches created by this run
        self.sent = 0  # requests in them

    # -- sending -----------------------------------------------------------------------------
    def submit(self, group: list[tuple[str, bytes]]) -> None:
        """Upload one input file and create its batch, recording each step before and after."""
        part = self.state.new_part([cid for cid, _ in group])
        self.state.save()  # the file name first: a kill during the upload can find it by name
        part.file_id = self.api.upload(part.name, b"".join(line for _, line in group))
        self.state.save()  # the file id: a kill before the batch exists can create it
        self._create(part)
        self.sent += len(group)

    def _create(self, part: Part) -> None:
        assert part.file_id is not None
        metadata = {
            "summarizer_run": self.state.run,
            "summarizer_part": part.name,
            "summarizer_output": self.output[-500:],
        }
        self.update(part, self.api.create(part.file_id, metadata), quiet=True)
        self.state.save()
        self.created += 1
        for cid in part.custom_ids:
            self.inflight[cid] = part
        self.say(f"batch {part.batch_id}: {len(part.custom_ids)} requests submitted ({part.status})")

    def resume(self) -> None:
        """Pick up what earlier runs created: find uploads and batches they could not record."""
        for part in list(self.state.parts):
            if part.ingested:
                for cid in part.custom_ids:
                    self.earlier[cid] = part
                continue
            if part.file_id is None:
                part.file_id = self.api.find_upload(part.name)
                if part.file_id is None:  # never uploaded: its requests are planned again
                    self.state.parts.remove(part)
                    self.state.save()
                    continue
                self.say(f"found upload {part.file_id} of an interrupted run")
                self.state.save()
            if part.batch_id is None:
                batch = self.api.find_batch(part.file_id, self.state.run, part.created_at)
                if batch is None:
                    self._create(part)
                    continue
                self.say(f"found batch {batch.id} of an interrupted run")
                self.update(part, batch)
                self.state.save()
            for cid in part.custom_ids:
                self.inflight[cid] = part

    def cancel_all(self) -> None:
        parts = [p for p in self.state.parts if not p.ingested and p.batch_id and p.status not in TERMINAL]
        if not parts:
            self.say("no batch in flight to cancel")
        for part in parts:
            part.cancelled_by_user = True
            self.update(part, self.api.cancel(part.batch_id))  # type: ignore[arg-type]
            self.state.save()

    # -- waiting -----------------------------------------------------------------------------
    def wait(self, parts: Callable[[], list[Part]], first: float, longest: float) -> list[Part]:
        """Poll `parts()` with backoff (from `first` seconds, x1.5 while nothing changes, up to
        `longest`) until some have ended; return those."""
        delay = first
        while True:
            current = parts()
            changed = False
            for part in current:
                if part.status not in TERMINAL and part.batch_id is not None:
                    changed |= self.update(part, self.api.retrieve(part.batch_id))
                    overdue = time.time() - part.created_at - LONGEST_WAIT_S
                    if part.status not in TERMINAL and overdue > 0:
                        raise ProviderError(
                            f"batch {part.batch_id} at {self.api.host} is still {part.status} "
                            f"{(LONGEST_WAIT_S + overdue) / 3600:.0f} h after it was submitted, past its "
                            f"{COMPLETION_WINDOW} completion window",
                            "check it at the provider; add --cancel to cancel it",
                        )
            if changed:
                self.state.save()
            done = [p for p in current if p.status in TERMINAL]
            if done:
                return done
            time.sleep(delay)
            delay = first if changed else min(delay * 1.5, max(longest, first))

    def update(self, part: Part, batch: BatchInfo, *, quiet: bool = False) -> bool:
        """Copy what the provider says about a batch (checked by `BatchInfo.of`) into its part;
        True if anything changed."""
        if part.batch_id is not None and batch.id != part.batch_id:
            raise ProviderError(f"{self.api.host} answered about batch {batch.id} when asked about {part.batch_id}")
        counts, errors = dict(batch.counts), list(batch.errors)
        new = (batch.id, batch.status, batch.output_file_id, batch.error_file_id, counts, errors)
        old = (part.batch_id, part.status, part.output_file_id, part.error_file_id, part.counts, part.errors)
        if new == old:
            return False
        part.batch_id, part.status, part.output_file_id, part.error_file_id, part.counts, part.errors = new
        if quiet:
            return True
        done = f", {counts.get('completed', 0)}/{counts.get('total', 0)} done, {counts.get('failed', 0)} failed"
        self.say(f"batch {batch.id}: {batch.status}{done if counts else ''}")
        return True

    # -- reading -----------------------------------------------------------------------------
    def read(self, part: Part, *, count: bool) -> None:
        """Sort an ended batch's lines into answers and failures. Nothing goes unaccounted: an
        id with no line at all is a failure too. `count` is False when re-reading a batch that
        an earlier run already counted (only its answers are wanted again)."""
        ids = set(part.custom_ids)
        seen: set[str] = set()

        def failed(cid: str, reason: str) -> None:
            if count and not part.cancelled_by_user:
                self.state.fail(cid, reason)

        if part.status == "failed":
            rejected = {e.get("line"): e for e in part.errors if isinstance(e.get("line"), int)}
            summary = "; ".join(f"{e.get('code')}: {e.get('message')}" for e in part.errors)[:200] or "no reason given"
            for lineno, cid in enumerate(part.custom_ids, 1):
                error = rejected.get(lineno)
                if error is not None:
                    message = f"the batch input line was rejected: {error.get('code')}: {error.get('message')}"
                    self._answer(cid, _rejected(message), part)
                else:
                    failed(cid, f"batch {part.batch_id} failed: {summary}")
        else:
            for file_id in (part.output_file_id, part.error_file_id):
                if not file_id:
                    continue
                for line in lines_of(self.api.content(file_id), f"file {file_id}"):
                    if isinstance(line, ValueError):
                        self.say(f"warning: {line} (its request will be sent again)")
                        continue
                    if line.custom_id not in ids:
                        continue
                    if line.custom_id in seen:  # a batch has one line per request: a second one is not trusted
                        self.say(f"warning: file {file_id} holds a second line for {line.custom_id}; the first one is kept")
                        continue
                    answer = classify(line)
                    if answer is not None:
                        self._answer(line.custom_id, answer, part)
                    elif line.custom_id not in self.answers:
                        failed(line.custom_id, line.reason())
                    seen.add(line.custom_id)
            for cid in ids - seen:
                failed(cid, f"no result line in {part.status} batch {part.batch_id}")
        self.loaded.add(part.name)
        for cid in part.custom_ids:
            if self.inflight.get(cid) is part:
                del self.inflight[cid]
        if count:
            part.ingested = True
            self.state.save()

    def _answer(self, cid: str, answer: Answer, part: Part) -> None:
        kept = self.answers.get(cid)
        if not self.answers.put(cid, answer):
            self.say(f"warning: batch {part.batch_id} gave a second, different answer for {cid}; the first one is kept")
        elif self.answers.get(cid) is not kept:
            self.answered_by[cid] = part  # the answer now held came from this part

    def to_fetch(self, cid: str) -> Part | None:
        """The part an earlier run read for this id, if its answers are not loaded yet."""
        part = self.earlier.get(cid)
        return part if part is not None and part.name not in self.loaded else None

    def by_name(self, names: set[str]) -> list[Part]:
        return [p for p in self.state.parts if p.name in names]


def _rejected(message: str) -> Answer:
    """A line the provider refused: answered as the 400 a live call would get."""
    return Answer(400, {"error": {"message": message, "type": "invalid_request_error", "code": "batch_rejected"}})
