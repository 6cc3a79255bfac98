"""Splits of a gold folder: which articles may be tuned on and which are kept for reporting.

Why: figures measured on the articles the prompts were tuned on flatter the tool. A split file
names the parts, so `summarizer eval GOLD_DIR --split validation` scores only articles nobody
tuned on, and the report says which part it ran on.

A split file is one JSON object: every key is a part's name with a list of article names (NAME
in NAME.gold.json), except `note` and keys ending in `_note`, which are for people. Which file
is read (first that applies): `--split-file FILE`; `GOLD_DIR/split.json`; the development
split shipped with the package (`dev_split.json`, for `../shared/articles` and `tests/articles`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from .gold import GoldCase

DEV_SPLIT = Path(__file__).with_name("dev_split.json")
SPLIT_IN_GOLD_DIR = "split.json"


@dataclass(frozen=True)
class Split:
    """One part of a split, and the file it was read from (reported with the scores)."""

    name: str
    names: tuple[str, ...]
    file: Path

    @property
    def shown(self) -> str:
        """The file as reports name it: the shipped split by its place in the package."""
        return "summarizer/evaluate/dev_split.json" if self.file == DEV_SPLIT else str(self.file)


def _is_note(key: str) -> bool:
    return key == "note" or key.endswith("_note")


def read_split_file(path: Path) -> dict[str, list[str]]:
    """Every part of a split file by name; a malformed file is an `InputError`."""
    from ..inputs.reading import read_file  # the one reader: regular files only, bounded

    try:
        data = json.loads(read_file(path, limit=16 * 1024 * 1024, what="split file"))
    except ValueError as exc:
        raise InputError(f"cannot read split file {path}: {exc}") from None
    if not isinstance(data, dict):
        raise InputError(f"split file {path} is not a JSON object")
    parts: dict[str, list[str]] = {}
    for key, value in data.items():
        if _is_note(key):
            continue
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InputError(f"split file {path}: part {key!r} is not a list of article names")
        parts[key] = list(value)
    if not parts:
        raise InputError(f"split file {path} names no parts")
    return parts


def split_file_for(gold_dir: Path, split_file: Path | None) -> Path:
    """The split file that applies: the one given, else GOLD_DIR/split.json, else the shipped one."""
    if split_file is not None:
        return Path(split_file)
    in_dir = Path(gold_dir) / SPLIT_IN_GOLD_DIR
    return in_dir if in_dir.is_file() else DEV_SPLIT


def select(cases: list[GoldCase], gold_dir: Path, name: str, split_file: Path | None = None) -> tuple[list[GoldCase], Split]:
    """The gold cases of part `name`, in the folder's order.

    Refuses (`InputError`) an unknown part, or a part that names an article the folder does not
    have: silently scoring fewer articles would make the figure look comparable when it is not.
    """
    path = split_file_for(gold_dir, split_file)
    parts = read_split_file(path)
    shown = Split(name=name, names=(), file=path).shown
    if name not in parts:
        raise InputError(
            f"unknown split {name!r} in {shown}",
            "known: " + ", ".join(sorted(parts)),
        )
    wanted = parts[name]
    have = {c.name for c in cases}
    missing = [n for n in wanted if n not in have]
    if missing:
        raise InputError(
            f"split {name!r} ({shown}) names {len(missing)} article(s) not in {gold_dir}: " + ", ".join(missing[:5])
            + (" ..." if len(missing) > 5 else ""),
            "use --split-file FILE with a split for this folder",
        )
    keep = set(wanted)
    return [c for c in cases if c.name in keep], Split(name=name, names=tuple(wanted), file=path)
