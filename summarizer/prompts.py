"""Prompt templates (the top-level `prompts/`, shipped in the wheel, or a user's own folder), and
the prompt hash.

The article is substituted as a value in one pass (`string.Template`), so nothing inside it is
ever interpreted: `{{ 7*7 }}`, `{% raw %}` or `${x}` in an article reach the model unchanged.
It is fenced by a line that does not occur in it, and its sentences carry ids ([S1], ...) that
the model cites instead of copying text.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from string import Template

from .errors import ConfigError

TEMPLATES = (
    "system", "user", "summaries",
    "focused_system", "focused_speaker", "focused_targets", "focused_target_role", "focused_accusation",
    "focused_summary",
)
"""Every template; all of them make up the prompt hash."""

PLACEHOLDERS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "user": (frozenset({"article", "fence", "quotations"}), frozenset({"article"})),
    "summaries": (frozenset({"parts", "fence", "payload"}), frozenset({"payload"})),
    "focused_speaker": (frozenset({"quotation"}), frozenset({"quotation"})),
    "focused_accusation": (frozenset({"sentence", "options"}), frozenset({"sentence"})),
    "focused_targets": (frozenset(), frozenset()),
    "focused_target_role": (frozenset({"name"}), frozenset({"name"})),
    "focused_summary": (frozenset(), frozenset()),
}
"""Templates filled with `string.Template`: (the placeholders each may use, those it must use:
where the article or the data of the question goes). `system` and `focused_system` are sent as
written. Checked when a prompts folder is set (`check_templates`), before any model call."""

MAX_TEMPLATE_BYTES = 1024 * 1024

_PACKAGED = "_prompts"  # where the wheel carries the top-level prompts/ (pyproject: force-include)


def templates_dir(directory: str | os.PathLike[str] | None = None) -> Path:
    """The folder the templates are read from: `directory` when given (the user's copies), else
    the copy inside the installed wheel, else the source tree's top-level `prompts/` (an
    editable install or a checkout)."""
    if directory is not None:
        return Path(directory)
    package = Path(__file__).resolve().parent  # the package's folder (importlib.resources costs an import)
    packaged = package / _PACKAGED
    if packaged.is_dir():
        return packaged
    return package.parent / "prompts"


@cache
def _read_cached(path: Path, stamp: tuple[int, int]) -> str:
    """Read once per version of the file (`stamp` = mtime, size): edits are picked up. Through
    the one reader: a regular file of at most MAX_TEMPLATE_BYTES (a FIFO is refused, never
    waited on)."""
    from .inputs.reading import read_file

    data = read_file(path, limit=MAX_TEMPLATE_BYTES, what="prompt template", error=ConfigError)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"prompt template {path} is not UTF-8 text ({exc.reason} at byte {exc.start})") from None


@cache
def _template_path(folder: Path, name: str) -> Path:
    return folder / f"{name}.md"


def _read(folder: Path, name: str) -> str:
    path = _template_path(folder, name)  # joined once: every article loads every template
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise ConfigError(
            f"prompt template {path} does not exist",
            f"a prompts folder needs {', '.join(t + '.md' for t in TEMPLATES)}",
        ) from None
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read prompt template {path}: {getattr(exc, 'strerror', None) or exc}") from None
    return _read_cached(path, (st.st_mtime_ns, st.st_size))


def check_placeholders(name: str, text: str, path: str | os.PathLike[str] = "") -> None:
    """Refuse (ConfigError, one line) a template whose placeholders would fail or lose the
    article: `$5` or a lone `$` (write `$$` for a dollar sign), a name it is not given, or a
    missing one where the article (or the question's data) belongs."""
    allowed, required = PLACEHOLDERS.get(name, (None, frozenset()))
    if allowed is None:
        return  # sent as written
    where = os.fspath(path) or f"{name}.md"
    used: set[str] = set()
    for match in Template.pattern.finditer(text):
        if match.group("invalid") is not None:
            start = match.start()  # the "$" (the invalid group is the empty place after it)
            line = text.count("\n", 0, start) + 1
            shown = text[start : start + 2].strip()
            raise ConfigError(
                f"prompt template {where}, line {line}: {shown!r} is not a placeholder",
                f"placeholders are ${{name}}; write $$ for a dollar sign; {name}.md may use "
                + (", ".join(f"${{{p}}}" for p in sorted(allowed)) or "none"),
            )
        ident = match.group("named") or match.group("braced")
        if ident is not None:
            used.add(ident)
    unknown = sorted(used - allowed)
    if unknown:
        raise ConfigError(
            f"prompt template {where} uses ${{{unknown[0]}}}, which {name}.md is not given",
            f"{name}.md may use " + (", ".join(f"${{{p}}}" for p in sorted(allowed)) or "no placeholders")
            + "; write $$ for a dollar sign",
        )
    missing = sorted(required - used)
    if missing:
        raise ConfigError(
            f"prompt template {where} has no ${{{missing[0]}}}: the model would never see "
            + ("the article" if missing[0] == "article" else f"the {missing[0]} it is asked about"),
            f"put ${{{missing[0]}}} where it belongs (see the shipped prompts/{name}.md)",
        )


def load(name: str, directory: str | os.PathLike[str] | None = None) -> str:
    """Text of the template `name` (`prompts/<name>.md`)."""
    return _read(_folder(directory), name)


@cache
def _resolved(directory: str) -> Path:
    return templates_dir(directory or None).resolve()


def _folder(directory: str | os.PathLike[str] | None) -> Path:
    """The templates folder, resolved once per name it was given (every request loads several
    templates: resolving the path each time cost more than reading the cached text)."""
    if directory is None:
        return _resolved("")
    if not os.path.isabs(directory):
        return templates_dir(directory).resolve()  # relative to a working directory that may change
    return _resolved(os.fspath(directory))


def check_templates(directory: str | os.PathLike[str] | None) -> None:
    """Refuse (ConfigError) a prompts folder that lacks a template, holds one that is not a
    readable regular file, or one whose placeholders would fail or leave the article out: all
    before any model call (a batch checks once, not per article)."""
    folder = _folder(directory)
    for name in TEMPLATES:
        check_placeholders(name, load(name, directory), folder / f"{name}.md")


def prompt_sha256(directory: str | os.PathLike[str] | None = None) -> str:
    """Hash of every template actually used; changes whenever a prompt changes (cache key,
    provenance), so results made with a user's own templates are never confused with ours."""
    return _hash(tuple(load(name, directory) for name in TEMPLATES))


@cache
def _hash(texts: tuple[str, ...]) -> str:
    h = hashlib.sha256()
    for name, text in zip(TEMPLATES, texts, strict=True):
        h.update(name.encode() + b"\0" + text.encode() + b"\0")
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
    from .grounding.spans import numbered_quotations  # here: the prompt hash (a cache hit) needs none

    lines = []
    for ref, (start, end) in numbered_quotations(article).items():
        body = " ".join(article[start:end].split())
        if len(body) > LISTED_CHARS:
            body = body[:LISTED_CHARS] + " \u2026"
        lines.append(f"[{ref}] \u201c{body}\u201d")
    return "\n".join(lines) or "(none found)"


def build_messages(article: str, directory: str | os.PathLike[str] | None = None) -> list[dict[str, str]]:
    """The chat messages for one article (or one chunk of it)."""
    from .grounding.sentences import with_sentence_ids

    marked = with_sentence_ids(article)
    quotations = quotation_list(article)
    user = Template(load("user", directory)).substitute(
        article=marked, fence=fence_for(marked, quotations), quotations=quotations
    )
    return [
        {"role": "system", "content": load("system", directory).strip()},
        {"role": "user", "content": user},
    ]


def question_messages(
    article: str, excerpt: str, template: str, directory: str | os.PathLike[str] | None = None, **values: str
) -> list[dict[str, str]]:
    """The messages of one focused question (see focused.py): the instructions and the whole
    numbered article first, the same for every question about it, so that llama.cpp evaluates
    that long prefix once and each question pays only for its own excerpt and wording."""
    question = Template(load(template, directory)).substitute(**values).strip()
    fence = fence_for(article)  # the article's alone: every question about it shares the prefix
    user = f"{fence} BEGIN ARTICLE\n{article}\n{fence} END ARTICLE\n\n"
    if excerpt:
        user += f"{fence} BEGIN EXCERPT\n{excerpt}\n{fence} END EXCERPT\n\n"
    return [{"role": "system", "content": load("focused_system", directory).strip()}, {"role": "user", "content": user + question}]


def summaries_messages(
    parts: Sequence[tuple[str, str]], directory: str | os.PathLike[str] | None = None
) -> list[dict[str, str]]:
    """The messages asking for a long article's summary from its parts' summary sentences.

    `parts` are (id, sentence) pairs ("P1", ...). They are model output derived from the
    article, so they may carry text the article planted: they are fenced and given as a JSON
    array (escaping keeps a sentence inside its item), and the model is told they are data.
    """
    if not parts:
        raise ValueError("summaries_messages needs at least one part sentence")
    payload = json.dumps([{"id": i, "text": t} for i, t in parts], ensure_ascii=False, indent=1)
    user = Template(load("summaries", directory)).substitute(parts=len(parts), fence=fence_for(payload), payload=payload)
    return [{"role": "system", "content": load("system", directory).strip()}, {"role": "user", "content": user.strip()}]
