"""Prompt templates, loaded from the installed package, and the prompt hash.

The article is substituted as a value in one pass (`string.Template`), so nothing inside it is
ever interpreted: `{{ 7*7 }}`, `{% raw %}` or `${x}` in an article reach the model unchanged.
It is fenced by a line that does not occur in it, and its sentences carry ids ([S1], ...) that
the model cites instead of copying text.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from functools import cache
from importlib import resources
from string import Template

from .grounding import numbered_quotations
from .sentences import with_sentence_ids


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


def fence_for(*texts: str) -> str:
    """A fence line that none of `texts` contains, so none can close the fence early."""
    fence = "=" * 8
    while any(fence in t for t in texts):
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
    marked = with_sentence_ids(article)
    quotations = quotation_list(article)
    user = Template(load("user")).substitute(
        article=marked, fence=fence_for(marked, quotations), quotations=quotations
    )
    return [
        {"role": "system", "content": load("system").strip()},
        {"role": "user", "content": user},
    ]


def summaries_messages(parts: Sequence[tuple[str, str]]) -> list[dict[str, str]]:
    """The messages asking for a long article's summary from its parts' summary sentences.

    `parts` are (id, sentence) pairs ("P1", ...). They are model output derived from the
    article, so they may carry text the article planted: they are fenced and given as a JSON
    array (escaping keeps a sentence inside its item), and the model is told they are data.
    """
    if not parts:
        raise ValueError("summaries_messages needs at least one part sentence")
    payload = json.dumps([{"id": i, "text": t} for i, t in parts], ensure_ascii=False, indent=1)
    user = Template(load("summaries")).substitute(parts=len(parts), fence=fence_for(payload), payload=payload)
    return [{"role": "system", "content": load("system").strip()}, {"role": "user", "content": user.strip()}]
