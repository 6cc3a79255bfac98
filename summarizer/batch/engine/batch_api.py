"""The provider's Batch API (`/v1/files`, `/v1/batches`) through the openai client on our
transport stack, so these calls get the same retries, proxy handling and typed errors as model
calls. Everything here is a thin, typed wrapper; the engine decides what to call when.

This is the boundary with a server that may be wrong or hostile: the openai client builds its
objects without validating them, so every batch object is checked here (`BatchInfo.of`: types,
a known status, sane counts) and every listing is bounded (`MAX_SCAN` entries). Anything off is
a `ProviderError` naming the host, never an internal error or an endless loop.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ...errors import ProviderError, SummarizerError
from ...settings import Settings
from .format import ENDPOINT

T = TypeVar("T")

COMPLETION_WINDOW = "24h"
STATUSES = frozenset({
    "validating", "in_progress", "finalizing", "completed", "expired", "cancelling", "cancelled", "failed",
})
"""Every status of the Batch API; any other is an error (never a state to poll for ever)."""

MAX_SCAN = 10_000
"""Most entries read from one listing (files, batches): a server that pages for ever is cut off."""

_ID_CHARS = 256


@dataclass(frozen=True)
class BatchInfo:
    """A batch object as the provider described it, every field checked."""

    id: str
    status: str
    input_file_id: str | None = None
    output_file_id: str | None = None
    error_file_id: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    created_at: float | None = None
    metadata: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, obj: Any, host: str) -> BatchInfo:
        """Check a batch object from `host` (ProviderError if anything is off)."""
        raw = _plain(obj)
        if not isinstance(raw, dict):
            raise _bad(host, "a batch that is not an object")
        bid = _ident(raw.get("id"), host, "batch id")
        if bid is None:
            raise _bad(host, "a batch without an id")
        status = raw.get("status")
        if not isinstance(status, str) or status not in STATUSES:
            shown = repr(status)[:40]
            raise ProviderError(
                f"{host} reports batch {bid} in status {shown}, which is not a Batch API status",
                "check the batch at the provider; rerun later, or add --cancel to cancel it",
            )
        counts = _plain(raw.get("request_counts"))
        if counts is None:
            counts = {}
        if not isinstance(counts, dict) or not all(
            isinstance(v, int) and not isinstance(v, bool) and v >= 0 for k, v in counts.items() if k in ("total", "completed", "failed")
        ):
            raise _bad(host, f"batch {bid} with request counts that are not whole numbers")
        errors = _plain(raw.get("errors"))
        data = errors.get("data") if isinstance(errors, dict) else [] if errors is None else None
        if not isinstance(data, list) or not all(isinstance(e, dict) for e in data):
            raise _bad(host, f"batch {bid} with an errors list that is not a list of objects")
        created = raw.get("created_at")
        if created is not None and (isinstance(created, bool) or not isinstance(created, (int, float)) or not math.isfinite(created)):
            raise _bad(host, f"batch {bid} with a creation time that is not a number")
        metadata = _plain(raw.get("metadata")) or {}
        if not isinstance(metadata, dict):
            raise _bad(host, f"batch {bid} with metadata that is not an object")
        return cls(
            id=bid,
            status=status,
            input_file_id=_ident(raw.get("input_file_id"), host, "input file id"),
            output_file_id=_ident(raw.get("output_file_id"), host, "output file id"),
            error_file_id=_ident(raw.get("error_file_id"), host, "error file id"),
            counts={k: int(counts[k]) for k in ("total", "completed", "failed") if k in counts},
            errors=[_error_entry(e) for e in data],
            created_at=float(created) if created is not None else None,
            metadata={str(k): v for k, v in metadata.items() if isinstance(v, str)},
        )


def _plain(value: Any) -> Any:
    """A pydantic object (as the openai client builds, unvalidated) as plain data."""
    dump = getattr(value, "model_dump", None)
    return dump(warnings=False) if callable(dump) else value


def _ident(value: Any, host: str, what: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value or len(value) > _ID_CHARS or not value.isprintable():
        raise _bad(host, f"a {what} that is not a short string")
    return value


def _error_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """One entry of a failed batch's `errors.data`, with the types the engine relies on."""
    line = entry.get("line")
    return {
        "code": str(entry.get("code"))[:100] if entry.get("code") is not None else None,
        "message": str(entry.get("message"))[:500] if entry.get("message") is not None else None,
        "line": line if isinstance(line, int) and not isinstance(line, bool) else None,
        "param": str(entry.get("param"))[:100] if entry.get("param") is not None else None,
    }


def _bad(host: str, what: str) -> ProviderError:
    return ProviderError(f"{host} answered with {what}", "is it an OpenAI-compatible Batch API?")


class BatchAPI:
    """Upload, create, poll, download, cancel and find, for one endpoint and key."""

    def __init__(self, settings: Settings) -> None:
        from ...client import make_client

        self.settings = settings
        self.host = settings.endpoint_host
        self.client: Any = make_client(settings).client  # the openai client under instructor

    def _call(self, what: str, fn: Callable[[], T]) -> T:
        import openai

        from ...client import translate

        try:
            return fn()
        except SummarizerError:
            raise
        except openai.NotFoundError:
            raise ProviderError(
                f"{self.host} answered HTTP 404 to {what}: it has no Batch API, or the object is gone",
                "use --engine live, or --export-requests FILE for an engine such as vllm run-batch",
            ) from None
        except Exception as exc:  # noqa: BLE001 - translated to a typed error
            typed = translate(exc, self.settings, 1)
            if not isinstance(typed, SummarizerError):  # a reply the client could not even parse
                from ...redact import redact

                typed = ProviderError(f"{self.host} answered {what} with something unusable: "
                                      f"{type(exc).__name__}: {redact(str(exc))[:200]}")
            raise typed from None

    # -- files -------------------------------------------------------------------------------
    def upload(self, name: str, data: bytes) -> str:
        """Upload one input file (purpose `batch`); returns its file id."""
        created = self._call(
            "a file upload", lambda: self.client.files.create(file=(name, data, "application/jsonl"), purpose="batch")
        )
        fid = _ident(getattr(created, "id", None), self.host, "file id")
        if fid is None:
            raise _bad(self.host, "an upload without a file id")
        return fid

    def find_upload(self, name: str) -> str | None:
        """The id of an uploaded batch file with this (unique) name: an upload whose id a
        killed run never wrote down."""

        def scan() -> str | None:
            for n, item in enumerate(self.client.files.list(purpose="batch")):
                if n >= MAX_SCAN:
                    return None
                if getattr(item, "filename", None) == name:
                    return _ident(getattr(item, "id", None), self.host, "file id")
            return None

        return self._call("a file listing", scan)

    def content(self, file_id: str) -> bytes:
        return bytes(self._call(f"the download of {file_id}", lambda: self.client.files.content(file_id).content))

    # -- batches -----------------------------------------------------------------------------
    def create(self, file_id: str, metadata: dict[str, str]) -> BatchInfo:
        return BatchInfo.of(self._call(
            "a batch creation",
            lambda: self.client.batches.create(
                input_file_id=file_id, endpoint=ENDPOINT, completion_window=COMPLETION_WINDOW, metadata=metadata
            ),
        ), self.host)

    def find_batch(self, file_id: str, run: str, since: float) -> BatchInfo | None:
        """The batch a killed run created from `file_id` but never wrote down (by its metadata).

        The list is newest first, so the scan stops at batches older than `since` (the time the
        upload was recorded, less an hour for clock skew)."""

        def scan() -> BatchInfo | None:
            for n, item in enumerate(self.client.batches.list(limit=100)):  # pages are followed by the client
                if n >= MAX_SCAN:
                    return None
                batch = BatchInfo.of(item, self.host)
                if batch.input_file_id == file_id and batch.metadata.get("summarizer_run") == run:
                    return batch
                if batch.created_at is not None and batch.created_at < since - 3600:
                    return None
            return None

        return self._call("a batch listing", scan)

    def retrieve(self, batch_id: str) -> BatchInfo:
        return BatchInfo.of(self._call(f"polling batch {batch_id}", lambda: self.client.batches.retrieve(batch_id)), self.host)

    def cancel(self, batch_id: str) -> BatchInfo:
        return BatchInfo.of(self._call(f"cancelling batch {batch_id}", lambda: self.client.batches.cancel(batch_id)), self.host)

    def close(self) -> None:
        self.client.close()
