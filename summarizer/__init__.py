"""summarizer: a grounded, schema-checked account of a news article through a language model.

    from summarizer import Summarizer
    with Summarizer(model="gpt-4o-mini") as s:
        result = s.summarize(text)

Every name in a public signature is exported here. They load lazily, so `import summarizer`
(and `summarizer --help`) stays cheap and never imports openai or instructor until a model
call needs them.
"""

from __future__ import annotations

__version__ = "0.1.0"

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing, which costs start-up time
if TYPE_CHECKING:  # pragma: no cover
    from typing import Any

    from . import errors
    from .api import Result, Screening, Summarizer, asummarize, asummarize_many, summarize, summarize_many
    from .errors import (
        AuthError,
        ConfigError,
        InputError,
        MissingRecordingError,
        OutputError,
        OutputInvalidError,
        ProviderError,
        RetriesExhaustedError,
        ScreeningError,
        ServerGoneError,
        SettingError,
        SummarizerError,
        TruncatedOutputError,
    )
    from .inputs import Article, fetch_url, read_article
    from .inputs.items import Item
    from .schema import ArticleSummary
    from .screening import Screener
    from .settings import Backend, Mode, Options, OutputFormat, RecordMode, Settings, Strategy

_LAZY = {
    **dict.fromkeys(
        ("Summarizer", "summarize", "asummarize", "summarize_many", "asummarize_many"), "api"
    ),
    "Item": "inputs.items",
    **dict.fromkeys(("Result", "Screening"), "api"),
    "Options": "settings",
    **dict.fromkeys(("Article", "read_article", "fetch_url"), "inputs"),
    "ArticleSummary": "schema",
    "Screener": "screening",
    **dict.fromkeys(("Settings", "Backend", "Mode", "Strategy", "RecordMode", "OutputFormat"), "settings"),
    **dict.fromkeys(
        ("SummarizerError", "InputError", "ConfigError", "SettingError", "AuthError", "ProviderError",
         "RetriesExhaustedError", "OutputInvalidError", "TruncatedOutputError", "MissingRecordingError",
         "ScreeningError", "OutputError", "ServerGoneError"),
        "errors",
    ),
}

__all__ = [
    "Article",
    "ArticleSummary",
    "AuthError",
    "Backend",
    "ConfigError",
    "InputError",
    "Item",
    "MissingRecordingError",
    "Mode",
    "Options",
    "OutputError",
    "OutputFormat",
    "OutputInvalidError",
    "ProviderError",
    "RecordMode",
    "Result",
    "RetriesExhaustedError",
    "Screener",
    "Screening",
    "ScreeningError",
    "ServerGoneError",
    "SettingError",
    "Settings",
    "Strategy",
    "Summarizer",
    "SummarizerError",
    "TruncatedOutputError",
    "__version__",
    "asummarize",
    "asummarize_many",
    "errors",
    "fetch_url",
    "read_article",
    "summarize",
    "summarize_many",
]


def __getattr__(name: str) -> Any:
    import importlib

    if name in _LAZY:
        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        return getattr(module, name)
    if name == "errors":
        return importlib.import_module(".errors", __name__)
    raise AttributeError(f"module 'summarizer' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
