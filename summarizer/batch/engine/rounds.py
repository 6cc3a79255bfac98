"""Rounds of batches until every article is done or out of budget.

Each pass runs the articles that can move through the pipeline with the answers known so far
(`step.py`): an article ends with its result or typed error, or names the requests it still
needs. Those are sent in the next round: uploaded and created as batches (`--engine batch-api`),
written to a request file (`--export-requests`), or made live (`--reask-live`, for follow-ups).
The engine then polls the batches, sorts their output and error lines by custom id into
answers and failures (`outcomes.py`), and runs the articles whose requests came back.

Every article is accounted for: each ends with exactly one line in OUT, or (only when no
further round is possible: import or export without sending) is counted as pending and named
in the tally. Failed and expired lines are sent again, identical, at most `resubmits` times;
then the article fails with `retries_exhausted`. The provider side (parts, polling, reading,
the state file) is `batches.py`; this module keeps the articles.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...atomic import open_output
from ...errors import AuthError, ConfigError, ProviderError, RetriesExhaustedError, SummarizerError
from ...settings import Settings
from .. import Id, Item, Loader, ResultFile, Tally, error_line, given_path, ok_line
from .batch_api import BatchAPI
from .batches import Batches
from .format import MAX_BYTES, MAX_REQUESTS, REQUEST_FILE, request_line, split
from .outcomes import Answers, classify, read_results
from .state import Part, State
from .step import Step, Stepper

OPENAI_BATCH_DISCOUNT = 0.5  # OpenAI bills Batch API tokens at half the live price
FATAL = (AuthError, ConfigError)  # as in a live batch: no later article would fare better


@dataclass
class Options:
    """How the rounds are sent; the defaults are a plain import (nothing sent)."""

    submit: bool = False  # create batches at the provider (--engine batch-api)
    export: Path | None = None  # write the next round's requests here (--export-requests)
    reask_live: bool = False  # follow-up requests live (--reask-live)
    cancel: bool = False  # cancel the batches in flight, keep their partial output (--cancel)
    imports: list[Path] = field(default_factory=list)  # results made elsewhere (--import-results)
    retry_failed: bool = True
    concurrency: int = 8  # live follow-ups in flight
    poll: float = 10.0  # first poll interval; grows x1.5 while nothing changes
    max_poll: float = 300.0
    max_requests: int = MAX_REQUESTS
    max_bytes: int = MAX_BYTES
    resubmits: int = 4  # failed/expired lines sent again at most this often
    screen: Callable[[Any], Any] | None = None  # wraps a Pipeline to screen its results (--screen)
    protect: list[str] = field(default_factory=list)  # the run's inputs: never overwritten by an export


@dataclass
class BulkTally(Tally):
    """A batch tally plus what the engine sent and what it cost."""

    pending: int = 0  # inputs left without a line: they need another round
    requests: int = 0  # requests put into batches by this run
    batches: int = 0  # batches created by this run
    exported: int = 0  # request lines written by --export-requests
    prompt_tokens: int = 0
    completion_tokens: int = 0
    discount: float | None = None

    @property
    def all_ok(self) -> bool:
        return super().all_ok and self.pending == 0

    def line(self) -> str:
        text = super().line().replace(f"skipped {self.skipped}", f"skipped {self.skipped}, pending {self.pending}")
        if self.batches:
            text += f"; {self.requests} requests in {self.batches} batch(es)"
        if self.exported:
            text += f"; {self.exported} requests exported"
        text += f"; tokens {self.prompt_tokens} prompt + {self.completion_tokens} completion"
        if self.discount:
            text += f" (batch price {100 - round(self.discount * 100)}% of live)"
        return text


@dataclass(eq=False)
class Job:
    rid: Id
    loader: Loader
    finished: bool = False


class Engine:
    """One bulk run over `items` into `output`."""

    def __init__(
        self,
        items: Iterable[Item],
        output: Path,
        settings: Settings,
        options: Options,
        say: Callable[[str], None],
    ) -> None:
        self.items = items
        self.output = output
        self.settings = settings
        self.options = options
        self.say = say
        self.tally = BulkTally()
        self.answers = Answers()
        self.used: set[str] = set()  # custom ids whose answers some article used
        self.waiters: dict[str, list[Job]] = {}  # custom id -> the articles waiting for it
        self.state: State | None = None
        self.batches: Batches | None = None
        self.out: ResultFile | None = None
        self.stepper = Stepper(settings, self.answers, screen=options.screen)
        if options.submit and settings.endpoint_host == "api.openai.com":
            self.tally.discount = OPENAI_BATCH_DISCOUNT

    # -- the run ---------------------------------------------------------------------------
    def run(self) -> BulkTally:
        t0 = time.monotonic()
        self.out = ResultFile(self.output)
        self.out.open()
        api: BatchAPI | None = None
        try:
            jobs = self._jobs()
            imported = 0
            for line in read_results(self.options.imports):
                imported += 1
                answer = classify(line)
                if answer is not None and not self.answers.put(line.custom_id, answer):
                    self.say(f"warning: a second, different answer for {line.custom_id} was imported; the first one is kept")
            if self.options.submit or self.options.cancel:
                self.state = State.load(self.output, self.settings.endpoint_host)
                if self.options.cancel and not self.state.parts:
                    self.say(f"no batches recorded for {self.output}: nothing to cancel")
                    self.tally.pending = len(jobs)
                    return self.tally
                self.state.save()  # the state file is writable: checked before anything is sent
                api = BatchAPI(self.settings)
                self.batches = Batches(api, self.state, self.answers, self.say, self.output.name)
                self.batches.resume()
                if self.options.cancel:
                    self.batches.cancel_all()
            self._rounds(jobs)
            if imported and jobs and not self.used:
                self.say(
                    f"warning: none of the {imported} imported result line(s) answers a request of these "
                    "inputs (other inputs, or other options: model and options must be those of the export)"
                )
            self.tally.pending = sum(1 for j in jobs if not j.finished)
            if self.state is not None and not self.tally.pending and all(p.ingested for p in self.state.parts):
                self.state.remove()
        finally:
            try:
                self.out.finish()
            finally:
                self.stepper.close()
                if api is not None:
                    api.close()
                if self.batches is not None:
                    self.tally.batches, self.tally.requests = self.batches.created, self.batches.sent
                self.tally.elapsed = time.monotonic() - t0
        return self.tally

    def _jobs(self) -> list[Job]:
        """The inputs to run: not done yet, first occurrence of each id (as a live batch)."""
        assert self.out is not None
        jobs: list[Job] = []
        seen: set[Id] = set()
        for rid, loader in self.items:
            rid = self.out.known_id(rid, given_path(loader))
            if rid in seen:
                self.tally.skipped += 1
                self.tally.duplicates += 1
                if self.tally.duplicates <= 5:
                    self.say(f"warning: duplicate id {rid!r} skipped (the first one is processed)")
                continue
            seen.add(rid)
            previous = self.out.status.get(rid)
            if previous is True or (previous is False and not self.options.retry_failed):
                if previous is False:
                    self.tally.keep_failed(rid)
                else:
                    self.tally.skipped += 1
                continue
            jobs.append(Job(rid, loader))
        return jobs

    def _rounds(self, jobs: list[Job]) -> None:
        """Run what can move, send what it needs, wait for answers; until nothing can move."""
        ready = list(jobs)
        while True:
            submit: dict[str, Any] = {}
            live: list[Job] = []
            fetch: set[str] = set()
            for job in ready:
                self._advance(job, submit, live, fetch)
            ready = []
            if submit:
                self._dispatch(submit)
            if live:
                self._live(live)
            if fetch:  # answers an earlier run read: read them again
                assert self.batches is not None
                for part in self.batches.by_name(fetch):
                    self.batches.read(part, count=False)
                    self._unblock(part, ready)
            elif self._waited_on():
                assert self.batches is not None
                for part in self.batches.wait(self._waited_on, self.options.poll, self.options.max_poll):
                    self.batches.read(part, count=True)
                    self._unblock(part, ready)
            else:
                return

    def _waited_on(self) -> list[Part]:
        """Parts not read yet that some running article is waiting for."""
        if self.batches is None:
            return []
        parts = {
            id(p): p for cid, p in self.batches.inflight.items()
            if any(not j.finished for j in self.waiters.get(cid, ()))
        }
        return list(parts.values())

    def _unblock(self, part: Part, ready: list[Job]) -> None:
        for cid in part.custom_ids:
            for job in self._take(cid):
                if job not in ready:
                    ready.append(job)

    def _take(self, cid: str) -> list[Job]:
        return [j for j in self.waiters.pop(cid, []) if not j.finished]

    # -- one article -------------------------------------------------------------------------
    def _advance(self, job: Job, submit: dict[str, Any], live: list[Job], fetch: set[str]) -> None:
        """Run the article once; file its result, its error, or the requests it needs."""
        step = self.stepper.step(job.rid, job.loader)
        self.used.update(step.used)
        if not step.misses:
            self._finish(job, step)
            return
        if self.options.reask_live and (step.used or not self.options.submit):
            # a follow-up of an answered request (re-ask, chunk summary, truncation retry), or
            # with no batch engine to send it to, any request
            live.append(job)
            return
        for cid, body in step.misses.items():
            self.waiters.setdefault(cid, []).append(job)
            if self.batches is not None:
                if cid in self.batches.inflight:
                    continue
                earlier = self.batches.to_fetch(cid)
                if earlier is not None:
                    fetch.add(earlier.name)
                    continue
            count, reason = self.state.failed(cid) if self.state is not None else (0, "")
            if count > self.options.resubmits:
                self._fail(job, RetriesExhaustedError(
                    f"the batch request failed {count} time(s), last: {reason}",
                    "rerun the command to try again, or use --engine live",
                ))
                return
            submit[cid] = body

    def _finish(self, job: Job, step: Step, *, live: bool = False) -> None:
        assert self.out is not None
        if step.result is None:
            self._fail(job, step.error or SummarizerError("no result"), fatal=live)
            return
        prov = step.result.provenance
        answered_by = self.batches.answered_by if self.batches is not None else {}
        parts = [answered_by[c] for c in step.used if c in answered_by]
        prov.batch_ids = sorted({p.batch_id for p in parts if p.batch_id})
        prov.engine = "batch-api" if prov.batch_ids else "import"
        prov.batch_discount = self.tally.discount if prov.batch_ids else None
        if self.state is not None:
            prov.attempts += sum(self.state.failed(c)[0] for c in set(step.used))  # failed lines too
        if parts:
            prov.elapsed_s = round(max(time.time() - min(p.created_at for p in parts), prov.elapsed_s), 3)
        self.out.write(job.rid, True, ok_line(job.rid, step.result))
        job.finished = True
        self.tally.done += 1
        self.tally.prompt_tokens += prov.usage.prompt_tokens
        self.tally.completion_tokens += prov.usage.completion_tokens

    def _fail(self, job: Job, err: SummarizerError, *, fatal: bool = False) -> None:
        """Write the error line. Live calls stop the run on a refused key or a broken
        configuration, as a live batch does; batch answers are read to the end regardless."""
        assert self.out is not None
        kind = err.kind if err.kind != "error" else "internal"
        self.out.write(job.rid, False, error_line(job.rid, kind, err.one_line()))
        job.finished = True
        self.tally.fail(job.rid, err.exit_code, err.one_line())
        if fatal and isinstance(err, FATAL):
            raise err

    # -- sending -----------------------------------------------------------------------------
    def _dispatch(self, submit: dict[str, Any]) -> None:
        """Send one round: as batches, into the export file, or (import only) nowhere."""
        lines: list[tuple[str, bytes]] = []
        for cid, body in submit.items():
            line = request_line(cid, body)
            if len(line) > self.options.max_bytes:
                for job in self._take(cid):
                    self._fail(job, ProviderError(
                        f"the request is {len(line):,} bytes, over the {self.options.max_bytes:,}-byte batch file limit",
                        "lower --chunk-tokens, or use --engine live",
                    ))
                continue
            lines.append((cid, line))
        if self.options.export is not None:
            self._export(lines)
        elif self.batches is not None and not self.options.cancel:
            for group in split(lines, self.options.max_requests, self.options.max_bytes):
                self.batches.submit(group)

    def _export(self, lines: list[tuple[str, bytes]]) -> None:
        path = self.options.export
        assert path is not None
        try:
            with open_output(path, label="--export-requests", user=True, ours=REQUEST_FILE,
                             protect=[self.output, *self.options.protect]) as handle:
                for _, line in lines:
                    handle.write(line)
        except OSError as exc:
            raise ConfigError(f"cannot write {path}: {exc.strerror or exc}", "check the --export-requests path") from None
        self.tally.exported += len(lines)

    def _live(self, jobs: list[Job]) -> None:
        """Follow-up requests live (--reask-live): a pool of workers over these articles."""
        from ...client import transport_for

        async def main() -> None:
            stepper = Stepper(self.settings, self.answers, fallback=transport_for(self.settings), screen=self.options.screen)
            queue = iter(jobs)

            async def worker() -> None:
                for job in queue:
                    self._finish(job, await stepper.astep(job.rid, job.loader), live=True)

            try:
                await asyncio.gather(*(worker() for _ in range(max(1, self.options.concurrency))))
            finally:
                await stepper.aclose()

        asyncio.run(main())
