"""The test doubles only this project's tests and benchmarks use: the public fake OpenAI server
(`summarizer.testing.server`) with the Batch API and rate limits added, and a yente server.

Import from here: `from tests.fakes import FakeOpenAI, Reply` (with the repository root on
`sys.path`, as pytest and the benchmark scripts have it).
"""

from __future__ import annotations

from summarizer.testing.server import FakeOpenAI as _Server
from summarizer.testing.server import RecordedRequest, Reply, ReplySource

from .batches import FakeBatches, Hold
from .limits import RateLimit, go_format
from .yente import FakeYente, Fault

__all__ = [
    "FakeBatches", "FakeOpenAI", "FakeYente", "Fault", "Hold", "RateLimit", "RecordedRequest", "Reply",
    "ReplySource", "go_format",
]


class FakeOpenAI(_Server):
    """The fake OpenAI server with `/v1/files` + `/v1/batches` (`fake.batches`) and optional
    rate limits (`fake.limits = RateLimit(...)`)."""

    def __init__(self, default: ReplySource | None = None, latency: float = 0.0) -> None:
        super().__init__(default, latency)
        self.batches = FakeBatches(self)
        self.routes.append(self.batches.route)
        self._limits: RateLimit | None = None

    @property
    def limits(self) -> RateLimit | None:
        return self._limits

    @limits.setter
    def limits(self, limit: RateLimit | None) -> None:
        self._limits = limit
        self.admit = limit.admit if limit is not None else None
