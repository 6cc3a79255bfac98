"""The provider's Batch API (`/v1/files`, `/v1/batches`) through the openai client on our
transport stack, so these calls get the same retries, proxy handling and typed errors as model
calls. Everything here is a thin, typed wrapper; the engine decides what to call when.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from ...errors import ProviderError, SummarizerError
from ...settings import Settings
from .format import ENDPOINT

T = TypeVar("T")

COMPLETION_WINDOW = "24h"


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
            raise translate(exc, self.settings, 1) from None

    # -- files -------------------------------------------------------------------------------
    def upload(self, name: str, data: bytes) -> str:
        """Upload one input file (purpose `batch`); returns its file id."""
        created = self._call(
            "a file upload", lambda: self.client.files.create(file=(name, data, "application/jsonl"), purpose="batch")
        )
        return str(created.id)

    def find_upload(self, name: str) -> str | None:
        """The id of an uploaded batch file with this (unique) name: an upload whose id a
        killed run never wrote down."""

        def scan() -> str | None:
            for item in self.client.files.list(purpose="batch"):
                if item.filename == name:
                    return str(item.id)
            return None

        return self._call("a file listing", scan)

    def content(self, file_id: str) -> bytes:
        return bytes(self._call(f"the download of {file_id}", lambda: self.client.files.content(file_id).content))

    # -- batches -----------------------------------------------------------------------------
    def create(self, file_id: str, metadata: dict[str, str]) -> Any:
        return self._call(
            "a batch creation",
            lambda: self.client.batches.create(
                input_file_id=file_id, endpoint=ENDPOINT, completion_window=COMPLETION_WINDOW, metadata=metadata
            ),
        )

    def find_batch(self, file_id: str, run: str, since: float) -> Any | None:
        """The batch a killed run created from `file_id` but never wrote down (by its metadata).

        The list is newest first, so the scan stops at batches older than `since` (the time the
        upload was recorded, less an hour for clock skew)."""

        def scan() -> Any | None:
            for batch in self.client.batches.list(limit=100):  # pages are followed by the client
                meta = batch.metadata or {}
                if batch.input_file_id == file_id and meta.get("summarizer_run") == run:
                    return batch
                if batch.created_at < since - 3600:
                    return None
            return None

        return self._call("a batch listing", scan)

    def retrieve(self, batch_id: str) -> Any:
        return self._call(f"polling batch {batch_id}", lambda: self.client.batches.retrieve(batch_id))

    def cancel(self, batch_id: str) -> Any:
        return self._call(f"cancelling batch {batch_id}", lambda: self.client.batches.cancel(batch_id))

    def close(self) -> None:
        self.client.close()
