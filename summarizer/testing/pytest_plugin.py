"""pytest integration: run tests against recorded model exchanges, and record them when asked.

Installed as a pytest plugin (entry point `summarizer`), so a user's own suite can write::

    @pytest.mark.summarizer_replay("tests/recordings")
    def test_my_pipeline():
        result = summarize(text)          # answered from the recordings only

or request the `summarizer_replay` fixture alone (it defaults to `fixtures/` under the rootdir).

Record modes, as pytest-recording has them (`--summarizer-record-mode`, or the ini option
`summarizer_record_mode`):

- `none` (default): replay only. Every TCP connection is refused during the test, and a
  request with no recording fails the test with one paragraph saying what was asked (model,
  endpoint, the article's first words and SHA-256) and what the directory has for that article.
- `once`: a recordings directory that is empty (or missing) when the session starts is recorded
  into for the whole session; one that has recordings is replayed only, as with `none`.
- `new_episodes`: replay what is recorded, and send only the missing requests to the real
  provider and record them.
- `all`: send every request to the real provider and record it anew.

Recording talks to the provider the environment configures, as the CLI does (SUMMARIZER_PROVIDER, OPENAI_API_KEY,
OPENAI_BASE_URL, SUMMARIZER_BACKEND, SUMMARIZER_MODEL...); no header is ever written.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

RECORD_MODES = ("none", "once", "new_episodes", "all")
_ONCE = pytest.StashKey[dict[Path, bool]]()  # directory -> record into it this session


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("summarizer", "summarizer recordings")
    group.addoption(
        "--summarizer-record-mode",
        choices=RECORD_MODES,
        default=None,
        help="none: replay only (default); once: record into empty recording directories; "
        "new_episodes: record only missing exchanges; all: record everything anew "
        "(recording uses the provider configured in the environment)",
    )
    parser.addini("summarizer_record_mode", "default for --summarizer-record-mode", default="none")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "summarizer_replay(directory='fixtures'): answer summarizer model calls from the "
        "recordings in directory (recording per --summarizer-record-mode), with the network "
        "blocked when only replaying",
    )
    config.stash[_ONCE] = {}


def pytest_report_header(config: pytest.Config) -> str | None:
    mode = record_mode(config)
    return None if mode == "none" else f"summarizer: record mode {mode}"


def record_mode(config: pytest.Config) -> str:
    mode = config.getoption("--summarizer-record-mode") or config.getini("summarizer_record_mode") or "none"
    if mode not in RECORD_MODES:
        raise pytest.UsageError(f"summarizer_record_mode = {mode!r}: use one of {', '.join(RECORD_MODES)}")
    return str(mode)


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


def _has_recordings(directory: Path) -> bool:
    return directory.is_dir() and any(directory.glob("*.json"))


@pytest.fixture
def summarizer_replay(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point the summarizer at the recordings (replay, or record per the record mode)."""
    marker = request.node.get_closest_marker("summarizer_replay")
    raw = marker.args[0] if marker is not None and marker.args else "fixtures"
    directory = Path(raw)
    if not directory.is_absolute():
        directory = Path(request.config.rootpath) / directory
    mode = record_mode(request.config)
    if mode == "once":  # decided once per directory per session, before anything is recorded
        once = request.config.stash[_ONCE]
        # recording: what this session already recorded there is replayed, not asked again
        mode = "new_episodes" if once.setdefault(directory, not _has_recordings(directory)) else "none"
    for name in ("SUMMARIZER_REPLAY", "SUMMARIZER_RECORD", "SUMMARIZER_RECORD_MODE"):
        monkeypatch.delenv(name, raising=False)
    if mode == "none":
        if not directory.is_dir():
            pytest.fail(
                f"summarizer_replay: recordings directory {directory} does not exist "
                "(record it with --summarizer-record-mode=once)",
                pytrace=False,
            )
        monkeypatch.setenv("SUMMARIZER_REPLAY", str(directory))
        monkeypatch.setattr(socket.socket, "connect", _refuse)
        monkeypatch.setattr(socket.socket, "connect_ex", _refuse)
    else:
        directory.mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv("SUMMARIZER_RECORD", str(directory))
        monkeypatch.setenv("SUMMARIZER_RECORD_MODE", "new_episodes" if mode == "new_episodes" else "all")
    # instructor logs a transport error raised under the openai client as "Connection error":
    # misleading next to the real reason, which the failure report gives. (Not `propagate`:
    # pytest captures non-propagating loggers too; a level is respected by every child logger.)
    quiet = logging.getLogger("instructor")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)
    try:
        yield directory
    finally:
        quiet.setLevel(level)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    """A missing recording fails the test with its one paragraph, not a transport traceback."""
    outcome = yield
    report = outcome.get_result()
    if call.excinfo is None or report.passed:
        return
    missing = _missing_recording(call.excinfo.value)
    if missing is None:
        return
    where = ""
    for entry in reversed(call.excinfo.traceback):
        if Path(str(entry.path)) == Path(str(item.path)):
            where = f"{item.path.name}:{entry.lineno + 1}: "
            break
    report.longrepr = f"{where}summarizer: {missing.one_line()}"


def _missing_recording(exc: BaseException) -> Any:
    """The MissingRecordingError that `exc` is or was raised from, if any."""
    from ..errors import MissingRecordingError

    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or any(e is s for s in seen):
            continue
        if isinstance(e, MissingRecordingError):
            return e
        seen.append(e)
        todo += [e.__cause__, e.__context__]
    return None
