"""The keyword options of the library (`Summarizer(...)` and the module shortcuts): the `Settings`
fields as a TypedDict, so a caller's type checker sees every name and its `Literal` choices, and
the one function that turns them into `Settings`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypedDict, Union

from .errors import SettingError, SummarizerError
from .schema import ArticleSummary
from .settings import Backend, Mode, RecordMode, Settings, Strategy

if TYPE_CHECKING:
    from .screening import Screener

PathLike = str | os.PathLike[str]
Screening = Union[PathLike, Sequence[PathLike], "Screener"]
"""What `screening=` takes: a sanctions list file or name, several, a yente URL, or a Screener."""
Result = ArticleSummary | SummarizerError
"""One entry of `summarize_many`'s answer: the result, or that article's typed error."""


class Options(TypedDict, total=False):
    """The `Settings` fields, as keywords of `Summarizer(...)` and the shortcuts (see `Settings`
    for what each means); None means "not given" (the environment or the default applies)."""

    model: str | None
    backend: Backend | None
    base_url: str | None
    api_key: str | None
    provider: str | None
    record_dir: PathLike | None
    replay_dir: PathLike | None
    model_path: PathLike | None
    max_retries: int | None
    retry_wait: float | None
    max_reasks: int | None
    timeout: float | None
    request_timeout: float | None
    max_tokens: int | None
    temperature: float | None
    chunk_tokens: int | None
    mode: Mode | None
    strategy: Strategy | None
    record_mode: RecordMode | None
    prompts_dir: PathLike | None
    rpm: int | None
    tpm: int | None


def settings_for(settings: Settings | None, options: Options) -> Settings:
    """`settings` changed by `options`, or (with no `settings`) options over the environment,
    as `Settings.resolve` reads it; an unknown name is a `SettingError`."""
    given: dict[str, Any] = {k: v for k, v in options.items() if v is not None}
    unknown = sorted(set(given) - set(Options.__annotations__))
    if unknown:  # callers without a type checker get a named error, not a dataclass TypeError
        raise SettingError(unknown[0], "is not a setting", "see summarizer.Settings for the fields")
    if settings is not None:
        return settings.with_(**given) if given else settings
    return Settings.resolve(**given)
