"""Recording only what is missing ("new_episodes", as VCR and pytest-recording call it).

With `record_mode="new_episodes"` (SUMMARIZER_RECORD_MODE), a request that already has a
fixture in the directory is answered from it, and only the others go to the model below and
are written: topping up a recordings directory after a prompt or test change costs only the new
exchanges. Built by `transports.build`; the files are the same as `Record` writes.
"""

from __future__ import annotations

import httpx2

from .fixtures import Record, Replay, canonical_request, fixture_path


class RecordMissing(Record):
    """Replay what `directory` holds; pass the rest on and record it."""

    def _recorded(self, request: httpx2.Request) -> bool:
        return fixture_path(self.directory, canonical_request(request)[0]).is_file()

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        request.read()
        if self._recorded(request):
            return Replay(self.directory).handle_request(request)
        return super().handle_request(request)

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        await request.aread()
        if self._recorded(request):
            return await Replay(self.directory).handle_async_request(request)
        return await super().handle_async_request(request)
