"""Gold files and the texts they are scored against (the visible text of an HTML article)."""

from __future__ import annotations

import html.parser
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError

GOLD_SUFFIX = ".gold.json"
GOLD_ARTICLE_SUFFIXES = (".txt", ".html")  # what a gold file describes, in the order check_gold.py uses; not batch's article suffixes


# =============================================================================== loading


@dataclass(frozen=True)
class GoldCase:
    """One gold file and the article it describes."""

    name: str  # NAME in NAME.gold.json
    gold_path: Path
    article_path: Path
    gold: dict[str, Any]


def load_gold(gold_dir: Path) -> list[GoldCase]:
    """Every `NAME.gold.json` in `gold_dir` (sorted by name) with its `NAME.txt` / `NAME.html`.

    Refuses with `InputError` rather than skipping: a gold file without its article, or a folder
    with no gold at all, is a set-up mistake that would otherwise show up as a silently smaller
    (and better-looking) evaluation.
    """
    gold_dir = Path(gold_dir)
    if not gold_dir.is_dir():
        raise InputError(f"gold directory {gold_dir} does not exist or is not a directory")
    cases: list[GoldCase] = []
    for gold_path in sorted(gold_dir.glob("*" + GOLD_SUFFIX)):
        name = gold_path.name[: -len(GOLD_SUFFIX)]
        article = next(
            (gold_dir / (name + ext) for ext in GOLD_ARTICLE_SUFFIXES if (gold_dir / (name + ext)).is_file()),
            None,
        )
        if article is None:
            raise InputError(
                f"gold file {gold_path.name} has no article next to it",
                f"add {name}.txt or {name}.html to {gold_dir}",
            )
        from ..inputs.reading import read_file  # the one reader: regular files only, bounded

        try:
            gold = json.loads(read_file(gold_path, limit=64 * 1024 * 1024, what="gold file"))
        except ValueError as exc:
            raise InputError(f"cannot read gold file {gold_path}: {exc}") from None
        if not isinstance(gold, dict):
            raise InputError(f"gold file {gold_path} is not a JSON object")
        cases.append(GoldCase(name=name, gold_path=gold_path, article_path=article, gold=gold))
    if not cases:
        raise InputError(
            f"no *{GOLD_SUFFIX} files in {gold_dir}",
            "point at a folder of NAME.gold.json files with their NAME.txt / NAME.html articles",
        )
    return cases


# =============================================================================== text helpers

_SKIP_TAGS = {"script", "style", "noscript", "template"}
_WS_RE = re.compile(r"[\s\u00a0]+")
_HTML_RE = re.compile(r"<!doctype\s+html|<html[\s>]|<(?:head|body)[\s/>]", re.IGNORECASE)


class _Visible(html.parser.HTMLParser):
    """The gold README's "visible text" (same as check_gold.py's reference parser)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS and self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if not self.depth:
            self.parts.append(data)


def visible_text(src: str) -> str:
    """Text nodes outside script/style/noscript/template, entities decoded, in document order."""
    parser = _Visible()
    parser.feed(src)
    parser.close()
    return "".join(parser.parts)


def collapse(s: str) -> str:
    """Runs of whitespace (U+00A0 included) to one space, ends stripped: the gold's comparison."""
    return _WS_RE.sub(" ", s).strip()


def _fold(s: str) -> str:
    """Casefold and drop accents ("Europäische" -> "europaische") for loose comparisons only."""
    decomposed = unicodedata.normalize("NFKD", s.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("ß", "ss")


def _is_html(gold: dict[str, Any], raw_text: str) -> bool:
    """The gold says so (`text_note` is only on HTML articles), or the file starts like HTML."""
    return "text_note" in gold or bool(_HTML_RE.search(raw_text.lstrip()[:1024]))


def _haystacks(gold: dict[str, Any], article_text: str, raw_text: str) -> list[str]:
    """Collapsed texts a returned string may come from: the article the tool read and, for
    HTML, also the gold's visible text (our extraction and the gold's may cut differently)."""
    hay = [collapse(article_text)]
    if _is_html(gold, raw_text):
        hay.append(collapse(visible_text(raw_text)))
    return hay
