"""How a screening score is rounded and put into words: one home, so the JSON, `why`, the table,
Markdown and the review page all say the same number and the same strength.

- `rounded(score)`: the one rounding (two decimals), applied when a hit is made; the threshold
  is compared with this value, so a hit shown as 0.70 passed a 0.70 threshold.
- `strength(score)`: "exact" (1.00: the same name under case, punctuation, transliteration,
  legal-form and word-order normalisation, or a strong identifier), "strong" (0.85 and up:
  on the development articles every hit this high was the right entry) or "weak" (below: a
  look-alike as often as not, e.g. MAHAN TRAVEL AND TOURISM SDN BHD at 0.76 for "Jahan
  Destination Travel and Tourism LLC"). Measured in docs/screening.md.
"""

from __future__ import annotations

from typing import Literal

DIGITS = 2
STRONG = 0.85

Strength = Literal["exact", "strong", "weak"]
STRENGTHS: tuple[Strength, ...] = ("exact", "strong", "weak")


def rounded(score: float) -> float:
    """The score as every output shows it."""
    return round(float(score), DIGITS)


def strength(score: float) -> Strength:
    """A hit's strength in words, from its (rounded) score."""
    score = rounded(score)
    if score >= 1.0:
        return "exact"
    return "strong" if score >= STRONG else "weak"


def shown(score: float) -> str:
    """The score as text: "0.76"."""
    return f"{rounded(score):.{DIGITS}f}"
