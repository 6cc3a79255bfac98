"""What a sanctions list entry is, once parsed from any format, and its strong identifiers.

Kept free of heavy imports: the index pickles these, and the matcher and the CLI read them.
Strong identifiers (IMO numbers of ships and shipping companies, aircraft registration marks
such as EW-001PA) are normalised to one key form here, so the same function serves the list
side (parsing) and the query side (a name or an article that mentions one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Our vocabulary for entry types: the schema's target kinds, where a list says which.
ENTRY_TYPES = ("person", "organization", "vessel", "aircraft", "other")


@dataclass(frozen=True, slots=True)
class Identifier:
    """A strong identifier of an entry: `kind` is "IMO" or "tail"; `value` as the list writes
    it; `label` what the list calls it (e.g. "Vessel Registration Identification")."""

    kind: str
    value: str
    label: str

    @property
    def key(self) -> str:
        return identifier_key(self.kind, self.value)


@dataclass(frozen=True, slots=True)
class Entry:
    """One listed party: a primary name, aliases, its type, programs and strong identifiers."""

    entry_id: str
    name: str
    type: str  # one of ENTRY_TYPES
    programs: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    identifiers: tuple[Identifier, ...] = ()
    url: str | None = None
    alias_kinds: tuple[str, ...] = field(default=())  # "a.k.a." etc., parallel to aliases when known


# IMO numbers: seven digits after "IMO" (ships and, in OFAC's data, shipping companies).
_IMO = re.compile(r"\bIMO[\s:.#-]*(\d{7})\b", re.IGNORECASE)
# Aircraft registration marks: a one- or two-character nationality prefix, a hyphen, then 3-5
# letters/digits (EP-MNG, EW-001PA, UR-CKF, F-OJHH, 2-WGLP). Matched case-sensitively in text:
# registration marks are written in capitals, and "de-facto" is not one.
_TAIL = re.compile(r"(?<![A-Za-z0-9-])((?:[A-Z]{1,2}|[A-Z][0-9]|[0-9][A-Z]?)-[A-Z0-9]{3,5})(?![A-Za-z0-9-])")
_TAIL_ONLY = re.compile(r"^(?:[A-Z]{1,2}|[A-Z][0-9]|[0-9][A-Z]?)-[A-Z0-9]{3,5}$")


def identifier_key(kind: str, value: str) -> str:
    """One comparable key per identifier: "IMO:9776523", "TAIL:EW001PA"."""
    if kind == "IMO":
        digits = re.sub(r"\D", "", value)
        return f"IMO:{digits}"
    return f"{kind.upper()}:{re.sub(r'[^0-9A-Za-z]', '', value).upper()}"


def is_tail_number(text: str) -> bool:
    """True when `text` is shaped like an aircraft registration mark (EP-MNG, EW-001PA)."""
    return bool(_TAIL_ONLY.match(text.strip()))


def find_identifiers(text: str) -> list[tuple[Identifier, int, int]]:
    """Strong identifiers written in `text`, with their offsets (article or query text).

    Shapes only: whether one belongs to a listed party is the index's question.
    """
    found: list[tuple[Identifier, int, int]] = []
    for m in _IMO.finditer(text):
        found.append((Identifier("IMO", m.group(1), "IMO number"), m.start(), m.end()))
    for m in _TAIL.finditer(text):
        found.append((Identifier("tail", m.group(1), "aircraft registration"), m.start(1), m.end(1)))
    return sorted(found, key=lambda f: f[1])


def imo_numbers(text: str) -> list[str]:
    """The IMO numbers (digits) in a free-text field of a list."""
    return [m.group(1) for m in _IMO.finditer(text)]


def unique(identifiers: list[Identifier]) -> tuple[Identifier, ...]:
    """One identifier per key, the first one given (the most telling label)."""
    seen: dict[str, Identifier] = {}
    for ident in identifiers:
        seen.setdefault(ident.key, ident)
    return tuple(seen.values())
