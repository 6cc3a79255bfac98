"""Typed errors and the CLI exit code of each kind.

Library code raises these and never exits or prints; the CLI maps each class to one line on
stderr and its `exit_code`. Messages must never contain an API key: build them from status
codes, hosts and hashes, not from request headers. As a second line of defence, `str()` and
`one_line()` pass through `redact` (a server may echo the key into the text an error quotes).
"""

from __future__ import annotations

from .redact import redact


class SummarizerError(Exception):
    """Base class: every failure the tool expects carries a one-line message and a hint."""

    exit_code = 1
    kind = "error"
    source: str | None = None
    """The article (id or source) the error belongs to, when one does (`summarize_many`)."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return redact(super().__str__())

    def one_line(self) -> str:
        """The message and the hint on one line, newlines flattened, secrets redacted."""
        text = self.message if not self.hint else f"{self.message} ({self.hint})"
        return redact(" ".join(text.split()))


class InputError(SummarizerError):
    """The article cannot be read or is not something we can summarize."""

    exit_code = 3
    kind = "input"


class ConfigError(SummarizerError):
    """Options or environment are missing or contradictory (no key, bad flag combination)."""

    exit_code = 4
    kind = "config"


class SettingError(ConfigError):
    """One setting has a value the library cannot use; `field` names it (a `Settings` field), so
    the CLI can name its own flag instead, and `problem` says what is wrong with it."""

    def __init__(self, field: str, problem: str, hint: str | None = None) -> None:
        super().__init__(f"{field} {problem}", hint)
        self.field = field
        self.problem = problem


class AuthError(SummarizerError):
    """The provider refused the credentials (401) or the permission (403)."""

    exit_code = 5
    kind = "auth"


class ProviderError(SummarizerError):
    """The provider rejected the request for good: 400, 404 model, context length, refusal,
    or answered with something that is not a chat completion (empty choices)."""

    exit_code = 6
    kind = "provider"


class RetriesExhaustedError(SummarizerError):
    """Transient faults (429, 5xx, resets, timeouts) outlasted the retry budget or deadline."""

    exit_code = 7
    kind = "retries_exhausted"


class OutputInvalidError(SummarizerError):
    """The model's output stayed invalid (unparseable or off-schema) after every re-ask."""

    exit_code = 8
    kind = "output_invalid"


class TruncatedOutputError(SummarizerError):
    """The model hit max_tokens even after the one retry with a larger budget."""

    exit_code = 9
    kind = "truncated"


class MissingRecordingError(SummarizerError):
    """Replay mode met a request with no fixture; never falls through to a live call."""

    exit_code = 10
    kind = "missing_recording"


class ScreeningError(SummarizerError):
    """A sanctions list cannot be read or recognised, or the screening server (yente) failed."""

    exit_code = 11
    kind = "screening"
    result: object | None = None
    """The model's result, unscreened, when screening failed after the model had answered (it
    was paid for: the caller may keep it)."""


class OutputError(SummarizerError):
    """The result was made but could not be written where asked (disk full, I/O error).

    Problems that can be seen before any work (a missing or read-only directory, a directory as
    the output file) are `ConfigError`s instead, raised before a model is called."""

    exit_code = 13
    kind = "output"


class ServerGoneError(SummarizerError):
    """The server had answered this run before and then refused or dropped connections through
    every retry: it died or was stopped (a local llama.cpp server killed, or crashed on a
    request). The message carries its last words, if it sent any. A batch stops at it: every
    later article would meet the same dead server."""

    exit_code = 14
    kind = "server_gone"


EXIT_CODES: dict[str, int] = {
    cls.kind: cls.exit_code
    for cls in (
        SummarizerError,
        InputError,
        ConfigError,
        AuthError,
        ProviderError,
        RetriesExhaustedError,
        OutputInvalidError,
        TruncatedOutputError,
        MissingRecordingError,
        ScreeningError,
        OutputError,
        ServerGoneError,
    )
}
"""kind -> exit code, documented in the README; 2 is typer's usage error, 130 is Ctrl-C."""

EXIT_SOME_FAILED = 12
"""Exit code of `summarizer batch` when the run ended but not every input has an ok line."""
