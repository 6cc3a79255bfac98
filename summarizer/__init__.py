"""summarizer: a grounded, schema-checked account of a news article through a language model.

    from summarizer import summarize
    result = summarize(text, model="gpt-4o-mini")

The names below load lazily, so `import summarizer` (and `summarizer --help`) stays cheap and
never imports openai or instructor until a model call needs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "ArticleSummary",
    "Settings",
    "asummarize",
    "summarize",
    "summarize_many",
    "asummarize_many",
    "errors",
    "__version__",
]

if TYPE_CHECKING:  # pragma: no cover
    from . import errors
    from .api import asummarize, asummarize_many, summarize, summarize_many
    from .schema import ArticleSummary
    from .settings import Settings

_LAZY = {
    "summarize": "api",
    "asummarize": "api",
    "summarize_many": "api",
    "asummarize_many": "api",
    "ArticleSummary": "schema",
    "Settings": "settings",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        return getattr(module, name)
    if name == "errors":
        import importlib

        return importlib.import_module(".errors", __name__)
    raise AttributeError(f"module 'summarizer' has no attribute {name!r}")
