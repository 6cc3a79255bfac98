"""The bulk run's memory next to OUT: which input files were uploaded, which batches were
created, which custom ids are in which, and how often each id has failed.

It lives in `.OUT.jsonl.bulk.json` (hidden, beside OUT), a name no other tool writes, and the
file is only used when it says it is ours (format tag and OUT's name); anything else at that
path is refused, never overwritten. Every step that creates something at the provider is
written down *before* it is made (the upload's file name) and again right after (its id), each
time atomically, so a run killed at any moment can find what it made: an upload by its unique
file name, a batch by its metadata. The output file's lock (`ResultFile`) also guards this file.
"""

from __future__ import annotations

import json
import os
import secrets
import stat
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ...atomic import Kind, write_atomic
from ...errors import ConfigError, SummarizerError

FORMAT = "summarizer-bulk-state"
VERSION = 1
TERMINAL = frozenset({"completed", "expired", "cancelled", "failed"})
STATE_BYTES = 1024 * 1024 * 1024  # about ten million custom ids
STATE_FILE = Kind("a state file of summarizer batch", lambda head: head.startswith(b'{"format":"' + FORMAT.encode() + b'"'))


def state_path(output: Path) -> Path:
    return output.with_name(f".{output.name}.bulk.json")


@dataclass
class Part:
    """One input file and the batch made from it, in the order of its lines."""

    name: str
    custom_ids: list[str]
    created_at: float = field(default_factory=time.time)
    file_id: str | None = None
    batch_id: str | None = None
    status: str | None = None
    output_file_id: str | None = None
    error_file_id: str | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)  # a failed batch's errors.data
    counts: dict[str, int] = field(default_factory=dict)  # request_counts as last seen
    ingested: bool = False
    cancelled_by_user: bool = False

    @property
    def in_flight(self) -> bool:
        return not self.ingested and self.status not in TERMINAL


@dataclass
class State:
    """Everything a rerun needs to pick up what an earlier run created."""

    output: str
    host: str
    run: str = field(default_factory=lambda: secrets.token_hex(6))
    parts: list[Part] = field(default_factory=list)
    failures: dict[str, list[Any]] = field(default_factory=dict)  # custom id -> [count, last reason]
    path: Path | None = field(default=None, repr=False, compare=False)

    # -- reading and writing -------------------------------------------------------------
    @classmethod
    def load(cls, output: Path, host: str) -> State:
        """The state of `output`, or a fresh one; refuses a file at that path that is not ours."""
        path = state_path(output)
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            return cls(output=output.name, host=host, path=path)
        except OSError as exc:
            raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
        if not stat.S_ISREG(st.st_mode):
            raise _foreign(path, "is not a regular file")
        from ...inputs.reading import read_file

        try:
            data = json.loads(read_file(path, limit=STATE_BYTES, what="the bulk state file", error=ConfigError))
        except ValueError:
            raise _foreign(path, "is not a state file of summarizer batch") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise _foreign(path, "is not a state file of summarizer batch")
        if data.get("version") != VERSION or data.get("output") != output.name:
            raise _foreign(path, f"belongs to another output ({data.get('output')!r}) or version")
        try:
            parts = [Part(**p) for p in data["parts"]]
            state = cls(
                output=data["output"], host=data["host"], run=data["run"], parts=parts,
                failures=dict(data.get("failures") or {}), path=path,
            )
        except (KeyError, TypeError):
            raise _foreign(path, "is damaged") from None
        if state.host != host and any(p.in_flight for p in state.parts):
            raise ConfigError(
                f"{output} has batches in flight at {state.host}, not at {host}",
                "rerun with the same --base-url to collect them",
            )
        return state

    def save(self) -> None:
        """Write atomically (a temporary file, then rename): a kill leaves the old or the new."""
        assert self.path is not None
        data = {"format": FORMAT, "version": VERSION, **asdict(self)}
        data.pop("path")
        try:
            write_atomic(self.path, json.dumps(data, ensure_ascii=False, separators=(",", ":")), fsync=True,
                         label="the bulk state file", ours=STATE_FILE, mode=0o600)
        except OSError as exc:
            raise SummarizerError(
                f"cannot write {self.path}: {exc.strerror or exc}",
                "free some space; rerun the same command to resume",
            ) from None

    def remove(self) -> None:
        """Forget the run once nothing is in flight and every input has its line."""
        if self.path is not None:
            self.path.unlink(missing_ok=True)

    # -- bookkeeping -----------------------------------------------------------------------
    def new_part(self, custom_ids: list[str]) -> Part:
        """A part whose file name is unique to this run, recorded before it is uploaded."""
        part = Part(name=f"summarizer-{self.run}-{len(self.parts) + 1:05d}.jsonl", custom_ids=custom_ids)
        self.parts.append(part)
        return part

    def fail(self, cid: str, reason: str) -> None:
        count = int(self.failures.get(cid, [0, ""])[0]) + 1
        self.failures[cid] = [count, reason[:300]]

    def failed(self, cid: str) -> tuple[int, str]:
        count, reason = self.failures.get(cid, [0, ""])
        return int(count), str(reason)


def _foreign(path: Path, what: str) -> ConfigError:
    return ConfigError(
        f"{path} {what}; refusing to use or overwrite it",
        "move it away, or pass another -o",
    )
