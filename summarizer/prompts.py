"""Prompt templates, loaded from the installed package, and the prompt hash.

The article is substituted as a value in one pass (`string.Template`), so nothing inside it is
ever interpreted: `{{ 7*7 }}`, `{% raw %}` or `${x}` in an article reach the model unchanged.
It is fenced by a line that does not occur in the article.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources
from string import Template

from .grounding import numbered_quotations


@cache
def load(name: str) -> str:
    """Text of `prompts/<name>.md` shipped inside the package."""
    return resources.files("summarizer").joinpath("prompts").joinpath(f"{name}.md").read_text("utf-8")


@cache
def prompt_sha256() -> str:
    """Hash of every template; changes whenever a prompt changes (cache key, provenance)."""
    h = hashlib.sha256()
    for name in ("system", "user", "summaries"):
        h.update(load(name).encode())
    return h.hexdigest()


def fence_for(article: str) -> str:
    """A fence line that the article does not contain, so it cannot close the fence early."""
    fence = "=" * 8
    while fence in article:
        fence += "="
    return fence


LISTED_CHARS = 300  # a long quotation is shown by its start; its id still names all of it


def quotation_list(article: str) -> str:
    """The numbered quotations of the article, one per line, as shown to the model."""
    lines = []
    for ref, (start, end) in numbered_quotations(article).items():
        body = " ".join(article[start:end].split())
        if len(body) > LISTED_CHARS:
            body = body[:LISTED_CHARS] + " \u2026"
        lines.append(f"[{ref}] \u201c{body}\u201d")
    return "\n".join(lines) or "(none found)"


def build_messages(article: str) -> list[dict[str, str]]:
    """The chat messages for one article (or one chunk of it)."""
    user = Template(load("user")).substitute(
        article=article, fence=fence_for(article), quotations=quotation_list(article)
    )
    return [
        {"role": "system", "content": load("system").strip()},
        {"role": "user", "content": user},
    ]
