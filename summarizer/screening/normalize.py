"""Name normalisation for screening, through OpenSanctions' `rigour`: one home for both sides.

The index (list names) and the matcher (query names) must cut names into the same keys, so
the functions live here. Transliteration (Cyrillic, Greek, Arabic, CJK, ...) and diacritics are
rigour's `ascii_text`; punctuation, case and tokens are rigour's `normalize_name` /
`tokenize_name`; legal-form words are rigour's org-type table. The one supplement is
`_EXTRA_LEGAL_FORMS`: forms rigour 2.6 does not know (measured: "DOOEL" and dotless "DOO"
come back untouched), rewritten to a spelling it does know before rigour sees the name.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

# Legal forms rigour's table lacks, as a spelling it knows. Macedonian DOOEL is a single-member
# limited liability company (д.о.о.е.л.), i.e. a d.o.o. (which rigour maps to LLC).
_EXTRA_LEGAL_FORMS = re.compile(r"(?<!\w)(d\.?o\.?o\.?e\.?l\.?|д\.?о\.?о\.?е\.?л\.?|doo)(?!\w)", re.IGNORECASE)


def prepare(name: str) -> str:
    """The name with rigour-unknown legal forms rewritten; otherwise as given."""
    return _EXTRA_LEGAL_FORMS.sub("d.o.o.", name)


@lru_cache(maxsize=1)
def _rigour() -> tuple[Any, Any, Any, Any]:
    """rigour's functions, imported once on first use (a function-level import per name costs
    a second per million names while an index is built)."""
    from rigour.names import normalize_name, tokenize_name
    from rigour.text import ascii_text, metaphone

    return normalize_name, tokenize_name, ascii_text, metaphone


@lru_cache(maxsize=100_000)
def tokens(name: str) -> tuple[str, ...]:
    """Lower-case ASCII word tokens: rigour's normalisation and transliteration."""
    normalize_name, tokenize_name, ascii_text, _ = _rigour()
    norm = normalize_name(prepare(name)) or ""
    return tuple(t for t in tokenize_name(ascii_text(norm)) if t)


@lru_cache(maxsize=200_000)
def _sound(token: str) -> str:
    """"~" + the metaphone code of a word (words repeat across a list's names), or ""."""
    code = _rigour()[3](token)
    return "~" + code if code else ""


def keys(name: str) -> set[str]:
    """Blocking keys of a name: its ASCII tokens and their metaphone codes ("~KHTR").

    Two names share a key when they share a word in any script, or a word that sounds alike
    (Khedri / Kedri), so the index can pick candidates without comparing every list name.
    """
    out: set[str] = set()
    for tok in tokens(name):
        if len(tok) < 2 and not tok.isdigit():
            continue
        out.add(tok)
        if tok.isalpha() and len(tok) >= 3 and (code := _sound(tok)):
            out.add(code)
    return out


# The steps of the normalisation ladder, in the order `explain_equal` applies them.
def _steps() -> list[tuple[str, object]]:
    from rigour.names import normalize_name, replace_org_types_compare
    from rigour.text import ascii_text

    return [
        ("case", lambda s: s.casefold()),
        ("punctuation", lambda s: normalize_name(s) or ""),
        ("diacritics/transliteration", ascii_text),
        ("legal form", lambda s: normalize_name(replace_org_types_compare(prepare(s), generic=True)) or ""),
        ("word order", lambda s: " ".join(sorted(s.split()))),
    ]


def explain_equal(query: str, listed: str) -> list[str] | None:
    """The normalisations under which `query` and `listed` become the same string, or None.

    Returns the steps that changed something on the way ([] for an exact match), so the
    screening result can say *why* two spellings are one name: "case, word order".
    """
    if query == listed:
        return []
    used: list[str] = []
    q, r = query, listed
    for label, fn in _steps():
        nq, nr = fn(q), fn(r)  # type: ignore[operator]
        if (nq, nr) != (q, r):
            used.append(label)
        q, r = nq, nr
        if q == r:
            return used
    return None
