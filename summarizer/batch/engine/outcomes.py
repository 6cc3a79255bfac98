"""What came back: result lines sorted into answers (to serve to the pipeline) and failures
(to send again), from a batch's output and error files or from a results file made elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from ...errors import InputError
from ...transports.batch_answers import Answer
from ...transports.retry import RETRY_STATUSES
from .format import ResultLine, parse_result


def classify(line: ResultLine) -> Answer | None:
    """The answer a result line gives, or None when the request must be sent again.

    200s are answers; so are other HTTP errors (a 400 fails the article like a live 400 would,
    through the same error mapping). 408/409/429/5xx and lines without a response (expired,
    cancelled) are transient: no answer, the request goes into another batch.
    """
    if line.status is None or line.status in RETRY_STATUSES or line.status >= 500:
        return None
    if line.status != 200 and not isinstance(line.body, dict):
        return Answer(line.status, {"error": {"message": line.reason()}})
    return Answer(line.status, line.body)


class Answers(dict[str, Answer]):
    """custom id -> Answer. A success is never replaced: not by an error for the same id, and
    not by a second, different success (a duplicate line is not trusted to be the better one)."""

    def put(self, cid: str, answer: Answer) -> bool:
        """Keep `answer` unless a success is already known; False when a different success
        for this id was refused (the caller warns)."""
        old = self.get(cid)
        if old is not None and old.status == 200:
            return answer.status != 200 or answer.body == old.body
        self[cid] = answer
        return True


def lines_of(data: bytes, where: str) -> Iterator[ResultLine | ValueError]:
    """Result lines of a downloaded file; a bad line is yielded as its error (never fatal:
    its request simply has no answer and is sent again)."""
    for lineno, raw in enumerate(data.splitlines(), 1):
        if not raw.strip():
            continue
        try:
            yield parse_result(raw)
        except ValueError as exc:
            yield ValueError(f"line {lineno} of {where} {exc}")


MAX_LINE_BYTES = 64 * 1024 * 1024
"""The longest result line read (a chat completion is kilobytes; a line of gigabytes is not one)."""


def read_results(paths: Iterable[Path]) -> Iterator[ResultLine]:
    """Result lines of files given with --import-results (regular files only, through the one
    reader's checks; lines of at most MAX_LINE_BYTES); a bad line stops with its number."""
    from ...inputs.reading import open_regular

    for path in paths:
        try:
            handle = open_regular(path, what="--import-results", error=InputError)
        except OSError as exc:
            raise InputError(f"cannot read {path}: {exc.strerror or exc}", "check the --import-results path") from None
        with handle:
            lineno = 0
            while True:
                try:
                    raw = handle.readline(MAX_LINE_BYTES + 1)
                except OSError as exc:
                    raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
                if not raw:
                    break
                lineno += 1
                if len(raw) > MAX_LINE_BYTES:
                    raise InputError(f"line {lineno} of {path} is over {MAX_LINE_BYTES:,} bytes", "is it a batch results file?")
                if not raw.strip():
                    continue
                try:
                    yield parse_result(raw)
                except ValueError as exc:
                    raise InputError(
                        f"line {lineno} of {path} {exc}",
                        "pass the output of a batch engine (lines with custom_id and response)",
                    ) from None
