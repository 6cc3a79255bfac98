"""What a folder means to `batch DIR`: which of its files are articles.

A directory walk takes the article extensions, `*.txt`, `*.html` and `*.htm`
(case-insensitive), or, with `--glob PATTERN` (repeatable), the files whose names match one of
the patterns instead. Markdown is not in the default set: in a folder, a `.md` file is far more
often documentation (a README, notes) or this tool's own Markdown output (`render -f md`,
`summarize -f md`) than a news article, and summarizing it costs a model call and yields
"allegations" made of documentation; a folder of Markdown articles is one `--glob '*.md'` away,
and a `.md` file named as an INPUT (or matched by a glob INPUT) is always taken.

Whatever the patterns, the walk leaves out what is obviously not an article: hidden files and
directories (names starting with "."), project files by name (README, LICENSE/LICENCE, COPYING,
CHANGELOG, CONTRIBUTING, CODE_OF_CONDUCT, with any extension or suffix), and the directories
`summarizer render` wrote (they hold its manifest). What it left out, other than hidden names,
is told once per walked directory, in one line: how many and why.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

from ..errors import ConfigError
from ..render.dest import MANIFEST

ARTICLE_SUFFIXES: tuple[str, ...] = (".txt", ".html", ".htm")
"""What a directory walk picks up by default (case-insensitive)."""

NOT_ARTICLES = re.compile(
    r"(?:readme|licen[cs]e|copying|changelog|contributing|code[_-]of[_-]conduct)(?:[._-].*)?", re.IGNORECASE
)
"""Project files that sit in folders of articles and are never articles."""

_SHOWN = 3  # names shown per reason in the note


def check_globs(patterns: Sequence[str]) -> tuple[str, ...]:
    """`--glob` patterns as given, refused when they cannot match a file name."""
    for pattern in patterns:
        if not pattern.strip():
            raise ConfigError("--glob needs a pattern, e.g. --glob '*.md'")
        if "/" in pattern or os.sep in pattern:
            raise ConfigError(
                f"--glob {pattern} has a path separator: --glob matches file names inside directories",
                "to choose by path, pass a glob pattern as INPUT instead, e.g. 'archive/2024/*.txt'",
            )
    return tuple(patterns)


class Choose:
    """The walk's filter and its note: which names a directory walk takes, and what it left out.

    `globs`: `--glob` patterns (file names, case-insensitive); none means the article
    extensions. `note` receives one line per walked directory that left something out.
    """

    def __init__(self, globs: Iterable[str] = (), note: Callable[[str], None] | None = None) -> None:
        self.globs = tuple(g.lower() for g in globs)
        self.note = note
        self._not_articles: list[str] = []
        self._other: Counter[str] = Counter()
        self._renders: list[str] = []

    def wanted(self) -> str:
        """What the walk takes, for messages: "*.txt, *.html, *.htm" or the --glob patterns."""
        return ", ".join(self.globs) if self.globs else ", ".join("*" + s for s in ARTICLE_SUFFIXES)

    def subdirs(self, dirpath: str, dirnames: list[str]) -> list[str]:
        """The subdirectories to walk, sorted: no hidden ones, no `summarizer render` output."""
        keep = []
        for name in sorted(dirnames):
            if name.startswith("."):
                continue
            if os.path.isfile(os.path.join(dirpath, name, MANIFEST)):
                self._renders.append(os.path.join(dirpath, name))
                continue
            keep.append(name)
        return keep

    def takes(self, dirpath: str, name: str) -> bool:
        """Whether the file `name` in `dirpath` is an article to summarize."""
        if name.startswith(".") or name == MANIFEST:
            return False
        if NOT_ARTICLES.fullmatch(name):
            self._not_articles.append(os.path.join(dirpath, name))
            return False
        lower = name.lower()
        if self.globs:
            taken = any(fnmatch.fnmatchcase(lower, g) for g in self.globs)
        else:
            taken = lower.endswith(ARTICLE_SUFFIXES)
        if not taken:
            self._other[os.path.splitext(lower)[1] or "(no extension)"] += 1
        return taken

    def render_root(self, root: str) -> bool:
        """Whether `root` itself is a `summarizer render` output directory (never walked)."""
        if os.path.isfile(os.path.join(root, MANIFEST)):
            self._renders.append(root)
            return True
        return False

    def done(self, root: str) -> None:
        """The walk of `root` ended: tell what it left out (one line), and start afresh."""
        line = self._line(root)
        self._not_articles, self._other, self._renders = [], Counter(), []
        if line is not None and self.note is not None:
            self.note(line)

    def _line(self, root: str) -> str | None:
        parts = []
        if self._not_articles:
            names = [os.path.relpath(p, root) for p in self._not_articles]
            parts.append(f"{len(names)} not articles ({_some(names)})")
        if self._other:
            total = sum(self._other.values())
            kinds = ", ".join(
                f"{n} {'*' + ext if ext.startswith('.') else ext}" for ext, n in self._other.most_common(_SHOWN)
            )
            if len(self._other) > _SHOWN:
                kinds += ", ..."
            if self.globs:
                parts.append(f"{total} not matching --glob ({kinds})")
            else:
                hint = "; --glob '*.md' takes Markdown" if ".md" in self._other else ""
                parts.append(f"{total} not {'/'.join('*' + s for s in ARTICLE_SUFFIXES)} ({kinds}{hint})")
        files = len(self._not_articles) + sum(self._other.values())
        text = f"skipped {files} file(s): " + "; ".join(parts) if parts else ""
        if self._renders:
            names = [root if p == root else os.path.relpath(p, root) + os.sep for p in self._renders]
            dirs = f"{len(names)} summarizer render output(s) ({_some(names)})"
            text = f"{text}; and {dirs}" if text else f"skipped {dirs}"
        if not text:
            return None
        return f"{root}: {text}; name a file as INPUT to take it anyway"


def _some(names: list[str]) -> str:
    shown = ", ".join(names[:_SHOWN])
    return shown if len(names) <= _SHOWN else f"{shown}, ... {len(names) - _SHOWN} more"
