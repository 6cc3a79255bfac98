"""pytest integration: run a test against recorded model exchanges with the network blocked.

Installed as a pytest plugin (entry point `summarizer`), so a user's own suite can write::

    @pytest.mark.summarizer_replay("tests/fixtures/model")
    def test_my_pipeline(summarizer_replay):
        result = summarize(text)          # answered from the recordings only

or request the `summarizer_replay` fixture alone (it defaults to `fixtures/` under the rootdir).
A request with no recording raises `MissingRecordingError` naming the request hash, so the test
fails loudly; any attempt to open a network connection fails the test too.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "summarizer_replay(directory='fixtures'): answer summarizer model calls from the "
        "recordings in directory, with the network blocked",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The marker alone is enough: it pulls in the fixture."""
    for item in items:
        if item.get_closest_marker("summarizer_replay") is not None:
            fixturenames = getattr(item, "fixturenames", None)
            if fixturenames is not None and "summarizer_replay" not in fixturenames:
                fixturenames.append("summarizer_replay")


class NetworkBlocked(RuntimeError):
    """A replayed test tried to open a network connection."""


def _refuse(self: socket.socket, address: Any, *args: Any) -> Any:
    if self.family in (socket.AF_INET, socket.AF_INET6):
        raise NetworkBlocked(f"network access during a replayed test: connect to {address!r}")
    return _ORIGINAL_CONNECT(self, address, *args)


_ORIGINAL_CONNECT = socket.socket.connect


@pytest.fixture
def summarizer_replay(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point SUMMARIZER_REPLAY at the recordings and block every TCP connection."""
    marker = request.node.get_closest_marker("summarizer_replay")
    raw = marker.args[0] if marker is not None and marker.args else "fixtures"
    directory = Path(raw)
    if not directory.is_absolute():
        directory = Path(request.config.rootpath) / directory
    if not directory.is_dir():
        pytest.fail(f"summarizer_replay: recordings directory {directory} does not exist")
    monkeypatch.setenv("SUMMARIZER_REPLAY", str(directory))
    monkeypatch.delenv("SUMMARIZER_RECORD", raising=False)
    monkeypatch.setattr(socket.socket, "connect", _refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", _refuse)
    yield directory
